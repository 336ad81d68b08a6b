/* fleet-step-task.h: one step on one host that is more than a single
 * remote command: the kinds script, copy, template, reboot, wait_for and
 * local (fleet-step-kind.h), and any step with retries, env, workdir,
 * changed_when or failed_when (fleet-step-policy.h).
 *
 * A task runs as a sequence of operations on the host's pooled connection
 * (remote commands, reconnections after a reboot) or on the controller (a
 * local program), without blocking.  The executor starts it in place of the step's
 * command and calls fleet_step_task_process() from its event loop until
 * fleet_step_task_is_done(), then reads the results.
 *
 * The task borrows the step, the host, the SSH context and the connection
 * slot, which must outlive it.  A reboot replaces the connection in that
 * slot: when the task ends, the slot contains a READY connection to the
 * rebooted host, or a failed one.
 */
#pragma once

#include <glib.h>

#include "runtime/fleet-transport.h"
#include "schema/fleet-model.h"

G_BEGIN_DECLS

typedef struct FleetStepTask FleetStepTask;

typedef struct {
  const FleetStep *step;
  const FleetHost *host;
  FleetSshContext *ssh;
  FleetConnection **connection;  /* the host's pooled connection, READY at start */
  const char *become_password;   /* the sudo password followed by a newline, or NULL;
                                    the task keeps a copy, wiped when freed */
  FleetOutputFunc output_func;   /* receives what the step prints */
  gpointer output_data;
} FleetStepTaskSetup;

/* Return whether `step` must run as a task rather than a plain command. */
gboolean fleet_step_needs_task (const FleetStep *step);

FleetStepTask *fleet_step_task_start (const FleetStepTaskSetup *setup, gint64 now_us);

/* Advance the task as far as it goes without waiting.  The executor calls
 * it after processing the connection, and at least every few hundred
 * milliseconds for its timers. */
void fleet_step_task_process (FleetStepTask *task, gint64 now_us);

/* Stop the running operation; the task ends with `failure` and no retry. */
void fleet_step_task_abort (FleetStepTask *task, FleetFailure failure, const char *message);

gboolean fleet_step_task_is_done (const FleetStepTask *task);

/* Results once done, as for a FleetCommand, of the last attempt. */
FleetFailure fleet_step_task_get_failure (const FleetStepTask *task);
int fleet_step_task_get_exit_status (const FleetStepTask *task);
const char *fleet_step_task_get_exit_signal (const FleetStepTask *task);
const char *fleet_step_task_get_message (const FleetStepTask *task);

/* Whether the step changed the host: 1 changed, 0 unchanged (a file that
 * was already in place, a wait, a false changed_when). */
gboolean fleet_step_task_get_changed (const FleetStepTask *task);

/* Bytes the step printed on standard error (`is_stderr`) or output. */
guint64 fleet_step_task_get_output_bytes (const FleetStepTask *task, gboolean is_stderr);

/* Attempts made, 1 plus the retries used. */
guint fleet_step_task_get_attempts (const FleetStepTask *task);

void fleet_step_task_free (FleetStepTask *task);

G_END_DECLS
