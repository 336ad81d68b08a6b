/* fleet-run-control.h: the fleet-run commands that act on an earlier run:
 * answering its approval gate and rolling it back. */
#pragma once

#include <signal.h>

#include <glib.h>

#include "runtime/fleet-transport.h"
#include "schema/fleet-plan.h"

G_BEGIN_DECLS

/* Return whether `run_id` can name a run directory: letters, digits, '-',
 * '_' and '.', not starting with '.'. */
gboolean fleet_run_id_is_valid (const char *run_id);

/* Answer the approval gate of run `run_id` under `runs_dir` with
 * `decision` ("continue" or "abort") as the current user.  Returns the exit
 * status: 0 answered, 2 the run is not waiting or cannot be written. */
int fleet_run_control_answer (const char *runs_dir, const char *run_id, const char *decision);

/* What a rollback run needs besides the plan. */
typedef struct {
  const char *runs_dir;
  const char *run_id;            /* of the run to roll back */
  const char *rollback_run_id;   /* of this rollback, a new directory */
  const char *known_hosts_override; /* NULL: each host's own file */
  FleetSecretFunc secret_func;
  gpointer secret_data;
  volatile sig_atomic_t *interrupt_level;
  const char * const *retry_hosts; /* NULL-terminated, or NULL: hosts whose undo command
                                      in flight at a crash runs again */
  const char * const *skip_hosts;  /* NULL-terminated, or NULL: hosts left out */
  gboolean plan_expired;           /* recorded in the run-start record */
} FleetRollbackRequest;

/* Roll back every host of the run on which a step started, newest wave
 * first, with a journal in RUNS_DIR/ROLLBACK_RUN_ID, and print the
 * summary.  A host that an earlier rollback of the run left part-way
 * continues from its first command that did not end successfully; one
 * whose command was in flight at a crash is held unless the rollback is
 * marked idempotent or the host is named by `retry_hosts` or `skip_hosts`.
 * Returns the exit status: 0 every host rolled back, 1 one failed or is
 * held, 2 bad input (no rollback, an unreadable run, a decision for a host
 * it cannot apply to), 3 interrupted. */
int fleet_run_control_rollback (const FleetPlan *plan, const FleetRollbackRequest *request);

G_END_DECLS
