/* fleet-local-command.h: run a program on the controller for a check.
 *
 * The program runs without a shell, in its own process group, with the
 * environment of fleet-run plus the given variables.  Its standard input
 * is /dev/null.  The call blocks until the program exits or `timeout_ms`
 * passes; then the whole process group is sent SIGKILL.
 */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

/* Bytes of standard output kept from its start, and of standard error
 * from its end. */
#define FLEET_LOCAL_STDOUT_MAX_BYTES (64u * 1024)
#define FLEET_LOCAL_STDERR_TAIL_BYTES 2048u

typedef struct {
  int exit_status;               /* -1 when the program did not exit normally */
  gboolean timed_out;
  int signal_number;             /* the signal that ended it, or 0 */
  GString *stdout_head;
  GString *stderr_tail;
} FleetLocalResult;

void fleet_local_result_clear (FleetLocalResult *result);
G_DEFINE_AUTO_CLEANUP_CLEAR_FUNC (FleetLocalResult, fleet_local_result_clear)

/* Run `argv` (NULL-terminated) with `environment` (NAME=VALUE strings,
 * NULL-terminated, added to fleet-run's own; may be NULL).  Returns FALSE
 * with `error` set when the program could not be started; otherwise fills
 * `result`, which the caller clears. */
gboolean fleet_local_command_run (const char * const *argv, const char * const *environment,
                                  guint64 timeout_ms, FleetLocalResult *result, GError **error);

G_END_DECLS
