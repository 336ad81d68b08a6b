/* fleet-local-process.h: a program run on the controller for a `local`
 * step, driven without blocking like a remote command.
 *
 * The program runs with its standard input from /dev/null, in its own
 * process group, so that a timeout or an abort kills it with its children.
 * The owner calls fleet_local_process_poll() from its event loop until
 * fleet_local_process_is_done(); output reaches `output_func` as it is
 * read.  The record owns its pipes and reaps the child.
 */
#pragma once

#include <glib.h>

#include "runtime/fleet-transport.h"

G_BEGIN_DECLS

typedef struct FleetLocalProcess FleetLocalProcess;

/* Start `argv` (NULL-terminated; argv[0] looked up in PATH) with a timeout
 * of `timeout_ms` (0: none).  Returns NULL with `error` set when the
 * program cannot be started. */
FleetLocalProcess *fleet_local_process_start (const char * const *argv,
                                              guint64 timeout_ms,
                                              gint64 now_us,
                                              FleetOutputFunc output_func,
                                              gpointer user_data,
                                              GError **error);

/* Read the output that is ready, reap the program when it has ended, and
 * kill it when its timeout has passed. */
void fleet_local_process_poll (FleetLocalProcess *process, gint64 now_us);

/* Kill the process group; the process ends with `failure` and `message`. */
void fleet_local_process_abort (FleetLocalProcess *process, FleetFailure failure, const char *message);

gboolean fleet_local_process_is_done (const FleetLocalProcess *process);

/* Results once done, as for a FleetCommand: the exit status (-1 when killed
 * by a signal), the signal name, and the failure with its message. */
int fleet_local_process_get_exit_status (const FleetLocalProcess *process);
const char *fleet_local_process_get_exit_signal (const FleetLocalProcess *process);
FleetFailure fleet_local_process_get_failure (const FleetLocalProcess *process);
const char *fleet_local_process_get_message (const FleetLocalProcess *process);

/* Kill the program if it still runs, reap it and free the record. */
void fleet_local_process_free (FleetLocalProcess *process);

G_END_DECLS
