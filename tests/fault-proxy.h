/* fault-proxy.h: a TCP proxy on 127.0.0.1 that injects network faults.
 *
 * The proxy listens on an ephemeral port of 127.0.0.1 and forwards every
 * connection to a port of 127.0.0.1, the sandbox sshd of one host.  Its own
 * thread runs the forwarding, so the test's thread can run fleet-run's
 * executor meanwhile.  A fault applies to every connection open when it
 * starts and to later ones:
 *
 *   - CUT: the connections are reset (RST), as when a link or a firewall
 *     drops them in the middle of a command;
 *   - SILENT: nothing is forwarded any more, in either direction, but the
 *     sockets stay open, as when a host hangs or packets are dropped: the
 *     client sees neither data nor an error;
 *   - SLOW: at most `bytes_per_second` are forwarded in each direction, in
 *     chunks of at most a tenth of that every 100 ms;
 *   - CORRUPT: the bits of one byte on its way to the client are inverted
 *     once, as a faulty link or middlebox would do.  Then the proxy
 *     forwards normally again, and fault_proxy_get_fault returns
 *     FAULT_NONE.
 *
 * A fault can start at once or when a file appears, so that it hits a
 * command that is known to be running.  Ownership: the proxy owns its
 * thread and sockets; fault_proxy_free stops the thread and closes them.
 * The test aborts on a setup error.
 */
#pragma once

#include <glib.h>

typedef enum {
  FAULT_NONE,
  FAULT_CUT,
  FAULT_SILENT,
  FAULT_SLOW,
  FAULT_CORRUPT,
} FaultKind;

typedef struct FaultProxy FaultProxy;

/* Start a proxy to 127.0.0.1:`target_port`. */
FaultProxy *fault_proxy_new (guint16 target_port);

/* Stop forwarding, close every socket and free the proxy. */
void fault_proxy_free (FaultProxy *proxy);

/* Return the port the proxy listens on, on 127.0.0.1. */
guint16 fault_proxy_get_port (const FaultProxy *proxy);

/* Apply `kind` from now on, and return once the proxy's thread has applied
 * it (for FAULT_CUT: every open connection is reset).  `bytes_per_second`
 * is used by FAULT_SLOW only.  FAULT_NONE forwards normally again, and
 * connections already cut stay closed. */
void fault_proxy_set_fault (FaultProxy *proxy, FaultKind kind, guint bytes_per_second);

/* Apply `kind` as soon as the file `path` exists; the proxy checks every
 * 50 ms. */
void fault_proxy_set_fault_when_file (FaultProxy *proxy, FaultKind kind, const char *path);

/* Return the fault in force. */
FaultKind fault_proxy_get_fault (FaultProxy *proxy);

/* Return the number of connections accepted so far. */
guint fault_proxy_get_accepted (FaultProxy *proxy);

/* Return whether the fault given to fault_proxy_set_fault_when_file has
 * started. */
gboolean fault_proxy_fault_started (FaultProxy *proxy);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (FaultProxy, fault_proxy_free)
