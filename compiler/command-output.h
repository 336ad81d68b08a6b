/* command-output.h: running a local program and collecting what it prints,
 * within a deadline and a size limit.
 *
 * The program runs from argv directly, without a shell, with standard input
 * from /dev/null, in a process group of its own.  When the deadline passes
 * or standard output grows past the limit, the whole group (the program and
 * any children it started) is sent SIGKILL, so a stuck grandchild cannot
 * keep the pipes open.
 */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

/* Bytes of standard error kept, from its end. */
#define FLEET_COMMAND_STDERR_KEEP 4096u

typedef struct {
  GBytes *stdout_bytes;        /* what the program printed, at most the limit */
  GBytes *stderr_tail;         /* the last FLEET_COMMAND_STDERR_KEEP bytes of standard error */
  int wait_status;             /* as waitpid() returns it */
  gboolean timed_out;          /* killed at the deadline */
  gboolean stdout_too_large;   /* killed for printing more than the limit */
} FleetCommandOutput;

void fleet_command_output_clear (FleetCommandOutput *output);

/* Run `argv` (argv[0] is a path and is not looked up in PATH) until it
 * exits, `deadline_us` (on fleet_clock_system's monotonic clock) passes, or
 * it prints more than `max_stdout` bytes.  Returns FALSE with `error` set
 * (G_SPAWN_ERROR) when the program cannot be started; otherwise TRUE, with
 * the outcome in `output`, which the caller clears. */
gboolean fleet_command_run (const char * const *argv,
                            gint64 deadline_us,
                            gsize max_stdout,
                            FleetCommandOutput *output,
                            GError **error);

G_END_DECLS
