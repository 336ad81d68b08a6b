/* fleet-handshake-pool.h: worker threads that run the handshakes of SSH
 * connections.
 *
 * Key exchange and the public-key signature of a login cost the client a
 * few milliseconds of CPU each, so connecting hundreds of hosts at once
 * keeps a core busy.  A pool spreads that work over its threads.  A
 * connection submitted to the pool goes to the worker with the fewest
 * connections.  That worker drives its TCP connect, SSH handshake and
 * authentication from its own poll() loop, as the owner's event loop
 * would, and hands it back once it is READY or FAILED.  Commands always
 * run on the owner's event loop.
 *
 * Threads and ownership: every function here is called from the owner's
 * thread.  While a connection is in the pool, only its worker touches it;
 * the public accessors of fleet-transport.h then describe a connection that
 * is CONNECTING and has no descriptor.  libssh allows a session to be used
 * from different threads as long as one thread uses it at a time, and the
 * hand-over goes through the pool's mutex.  What the connections of one
 * context share (keys, known_hosts tables) is guarded by the context's
 * lock.
 */
#pragma once

#include <glib.h>

#include "runtime/fleet-transport.h"
#include "schema/fleet-clock.h"

G_BEGIN_DECLS

typedef struct FleetHandshakePool FleetHandshakePool;

/* Start `n_workers` threads (at least 1).  `clock` is borrowed and must be
 * safe to read from every thread; it must outlive the pool. */
FleetHandshakePool *fleet_handshake_pool_new (guint n_workers, const FleetClock *clock);

/* Stop and join the threads.  Every submitted connection must have been
 * collected or reclaimed first.  `pool` is not NULL (g_clear_pointer and
 * g_autoptr check that before they call this). */
void fleet_handshake_pool_free (FleetHandshakePool *pool);

/* Hand a CONNECTING connection, whose session is set up, to a worker. */
void fleet_handshake_pool_submit (FleetHandshakePool *pool, FleetConnection *connection);

/* Take back every connection whose handshake has ended; they belong to the
 * owner again and are due for fleet_connection_process().  Returns how
 * many were taken back. */
guint fleet_handshake_pool_collect (FleetHandshakePool *pool);

/* Take back `connection` now, whether its handshake has ended or not.
 * This waits until its worker lets go of it.  fleet_connection_free()
 * calls it for a connection that is still in the pool. */
void fleet_handshake_pool_reclaim (FleetHandshakePool *pool, FleetConnection *connection);

/* A descriptor that becomes readable when a handshake has ended, for the
 * owner's poll set, or -1 when the pool could not create one (then the
 * owner finds ended handshakes when it processes the connection). */
int fleet_handshake_pool_get_notify_fd (const FleetHandshakePool *pool);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (FleetHandshakePool, fleet_handshake_pool_free)

G_END_DECLS
