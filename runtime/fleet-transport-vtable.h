/* fleet-transport-vtable.h: the interface a transport other than libssh
 * implements behind FleetConnection and FleetCommand.
 *
 * libssh is the built-in transport: a context without a FleetTransport runs
 * every connection and command over SSH (fleet-connection.c,
 * fleet-command.c).  A context given a transport with
 * fleet_ssh_context_set_transport() sends the calls below to it instead,
 * and everything above the SSH layer (the executor, its journal, pacer and
 * summary, the load guard and the step tasks) runs unchanged.
 *
 * The transport owns the progress of its connections and commands.  It
 * reports that progress through the helpers at the end of this header: a
 * connection becomes READY or FAILED, and a command delivers its output,
 * then finishes with an exit status or a failure.  The getters of fleet-transport.h then
 * read the results as they do for SSH.
 *
 * Ownership: the transport is borrowed by the context and must outlive it.
 * Per-connection and per-command state hangs off the transport data
 * pointers; the transport frees it in connection_close and command_close.
 */
#pragma once

#include "runtime/fleet-transport.h"

G_BEGIN_DECLS

typedef struct {
  /* Begin connecting; the connection is CONNECTING when this returns,
   * unless it failed or became READY at once. */
  void (*connection_start) (FleetTransport *transport, FleetConnection *connection,
                            gint64 now_us);

  /* Advance the connection and its commands to `now_us`. */
  void (*connection_process) (FleetTransport *transport, FleetConnection *connection,
                              gint64 now_us);

  /* The time by which connection_process must be called, or G_MAXINT64. */
  gint64 (*connection_deadline_us) (FleetTransport *transport, const FleetConnection *connection);

  /* Drop the transport's state of the connection; called before it is freed. */
  void (*connection_close) (FleetTransport *transport, FleetConnection *connection);

  /* Begin running `spec` (borrowed for the call) as `command` on its READY
   * connection. */
  void (*command_start) (FleetTransport *transport, FleetCommand *command,
                         const FleetCommandSpec *spec, gint64 now_us);

  /* Drop the transport's state of a command that is aborted before it
   * finished.  A transport drops the state of a command that finishes on
   * its own, and of every command of a closed connection, itself. */
  void (*command_close) (FleetTransport *transport, FleetCommand *command);

  /* Wait as poll(2) does on `fds` (descriptors of the journal and other
   * real files), for at most `timeout_ms` of real time when `block` is set.
   * Without `block`, a transport with a clock of its own may instead move
   * that clock to `wake_us`.  Returns what poll(2) returns. */
  int (*wait) (FleetTransport *transport, struct pollfd *fds, guint n_fds, int timeout_ms,
               gint64 wake_us, gboolean block);
} FleetTransportVTable;

struct FleetTransport {
  const FleetTransportVTable *vtable;
};

/* Helpers for transports: what libssh's callbacks do for SSH. */

const FleetHost *fleet_connection_get_host (const FleetConnection *connection);
gpointer fleet_connection_get_transport_data (const FleetConnection *connection);
void fleet_connection_set_transport_data (FleetConnection *connection, gpointer data);

/* Mark a CONNECTING connection READY, or fail it (taking `message`). */
void fleet_connection_set_ready (FleetConnection *connection);
void fleet_connection_fail (FleetConnection *connection, FleetFailure failure, char *message);

FleetConnection *fleet_command_get_connection (const FleetCommand *command);
gpointer fleet_command_get_transport_data (const FleetCommand *command);
void fleet_command_set_transport_data (FleetCommand *command, gpointer data);

/* Pass output to the command's FleetOutputFunc and count it. */
void fleet_command_deliver_output (FleetCommand *command, const char *data, gsize length,
                                   gboolean is_stderr);

/* Finish the command with exit status `status` (FLEET_FAILURE_NONE), or
 * with `failure` and `message` (taken). */
void fleet_command_finish_with_status (FleetCommand *command, int status);
void fleet_command_finish (FleetCommand *command, FleetFailure failure, char *message);

G_END_DECLS
