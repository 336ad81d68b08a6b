/* fleet-tunnel.h: jump host connections and the direct-tcpip tunnels
 * through them.
 *
 * A host whose proxy_jump names a jump host is reached through a tunnel:
 * one direct-tcpip channel, opened on the run's single connection to that
 * jump host, to the host's address and port.  The channel carries the
 * bytes of a socket pair whose other end is the file descriptor of the
 * host's own SSH session, so the host's handshake, host key check and
 * authentication run end to end as over TCP.
 *
 * Jump connections live in the FleetSshContext: the first tunnel through a
 * jump host opens the connection to it, every later tunnel shares it, and
 * it is closed once no tunnel uses it.  A jump host may have its own
 * proxy_jump; its connection then runs through a tunnel too.  A jump host
 * that fails stays failed for the rest of the run: every tunnel through it
 * fails at once with its cause, and no second login is tried.
 *
 * Only the SSH layer includes this header.
 */
#pragma once

#include "runtime/fleet-ssh-private.h"

G_BEGIN_DECLS

typedef struct FleetTunnel FleetTunnel;

/* Open a tunnel to `host`, whose proxy_jump is set, and start the jump
 * connection when it is its first user.  Returns a new tunnel, never NULL,
 * and sets `out_fd` to the socket for the host's SSH session, or -1 when
 * the tunnel failed at once (see fleet_tunnel_get_failure()).  The caller
 * hands `out_fd` to libssh with SSH_OPTIONS_FD and must call ssh_connect()
 * before it frees the session: libssh closes that descriptor only once it
 * has connected with it. */
FleetTunnel *fleet_tunnel_new (FleetSshContext *context, const FleetHost *host, gint64 now_us,
                               int *out_fd);

/* Close the channel and our end of the socket pair, and release the jump
 * connection; NULL is ignored. */
void fleet_tunnel_free (FleetTunnel *tunnel);

/* Why the tunnel failed, or FLEET_FAILURE_NONE.  A tunnel whose jump host
 * failed carries the jump host's own failure (FLEET_FAILURE_CONNECTION_LOST
 * once the tunnel was open), with a message that starts "via jump host
 * NAME: " followed by the jump host's message. */
FleetFailure fleet_tunnel_get_failure (const FleetTunnel *tunnel);
const char *fleet_tunnel_get_message (const FleetTunnel *tunnel);

/* Return the monotonic time at which the channel open was sent to the jump
 * host, or 0 while the tunnel waits for the jump connection. */
gint64 fleet_tunnel_get_opening_us (const FleetTunnel *tunnel);

/* Close every jump connection of `context`; called when the context is
 * freed, after every connection that used a tunnel. */
void fleet_jump_pool_free (FleetSshContext *context);

G_END_DECLS
