/* fleet-rollback-done.h: the hosts of a run that a rollback already
 * rolled back.
 *
 * Undo commands are rarely safe to run twice: a second `rm` fails, and a
 * second restore overwrites a later fix.  So `fleet-run --rollback RUN`
 * leaves out the hosts that an earlier rollback of RUN rolled back.  The
 * automatic rollback (`on_halt: rollback`) is recorded in RUN's own
 * journal.  Each earlier `fleet-run --rollback RUN` is recorded in the
 * journal of its own run directory, whose run-start record names RUN in
 * `rollback_of`.  A host counts as rolled back after a rollback-host-end
 * record with outcome "rolled-back".  A host whose rollback failed or
 * stopped continues where it stopped (fleet-rollback-progress.h).
 */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

/* Return the hosts of run `run_id` that a rollback already rolled back, as
 * a new table of host name to a description of that rollback ("the
 * automatic rollback when run R halted", "rollback run R2").  Reads the
 * journal of RUNS_DIR/RUN_ID and the journals of the other run
 * directories under `runs_dir` whose run-start names `run_id` in
 * `rollback_of` and `plan_sha256` as their plan.  Fails only when the
 * run's own journal cannot be read.  Another directory that cannot be read
 * is passed over, because it is not a rollback of this run. */
GHashTable *fleet_rollback_find_done (const char *runs_dir, const char *run_id,
                                      const char *plan_sha256, GError **error);

/* Return the journal paths of run `run_id` and of its rollback runs, in
 * the order they started: RUNS_DIR/RUN_ID/journal.jsonl first, then each
 * other run directory under `runs_dir` whose run-start names `run_id` in
 * `rollback_of` and `plan_sha256` as its plan, by run id.  Returns a new
 * array of char *. */
GPtrArray *fleet_rollback_journal_paths (const char *runs_dir, const char *run_id,
                                         const char *plan_sha256);

G_END_DECLS
