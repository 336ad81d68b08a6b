/* fleet-run-resume.h: the command-line side of `fleet-run --resume`.
 *
 * Finding the run a --resume argument names, and the exact command that
 * continues a run that stopped before every host finished.  Errors are in
 * G_IO_ERROR; every returned string is owned by the caller.
 */
#pragma once

#include <glib.h>

#include "runtime/fleet-executor.h"

G_BEGIN_DECLS

/* Return the run directory `run` names: a directory with a journal, or a
 * run id under `runs_dir`.  Fails when neither has a journal. */
char *fleet_run_resume_find_dir (const char *run, const char *runs_dir, GError **error);

/* Return the command line that resumes the run in `run_dir`: `argv` (the
 * command as given, before option parsing) without --resume, --retry-host
 * and --skip-host, with `--resume RUN_DIR` added, every word quoted for a
 * POSIX shell where needed. */
char *fleet_run_resume_command (const char * const *argv, const char *run_dir);

/* Return whether `result` leaves work that a resume would do: hosts that
 * were interrupted, held or not run. */
gboolean fleet_run_result_resumable (const FleetRunResult *result);

/* Return the lines fleet-run prints after a run of `plan` that can be
 * resumed: the command, and for the hosts a resume holds (held now, or
 * stopped in a step the workflow does not mark idempotent) the decisions
 * to add to it. */
char *fleet_run_resume_hint (const FleetPlan *plan, const FleetRunResult *result,
                             const char *command);

/* Return the lines fleet-run prints instead of the resume command after a
 * run that halted and rolled hosts back, or NULL when no host was rolled
 * back.  `run_dir` and `plan_path` go into the --rollback command. */
char *fleet_run_rolled_back_note (const FleetRunResult *result, const char *run_dir,
                                  const char *plan_path);

/* Check that a resume of the run in `run_dir` with `plan` may go on after
 * the rollbacks of the run.  When the automatic rollback or a
 * `fleet-run --rollback` rolled hosts back, a resume would start later
 * waves while those hosts are undone.  So it fails unless `allow`
 * (--resume-after-rollback) is set.  With `allow`, prints a warning and returns the rolled-back host
 * names in `out_hosts` (a new array of char *, NULL when none). */
gboolean fleet_run_resume_check_rollback (const FleetPlan *plan, const char *run_dir,
                                          gboolean allow, GPtrArray **out_hosts,
                                          GError **error);

/* Check that a resume of the run in `run_dir` may pass over the stop
 * between waves that ended the run's last attempt: a failed check, an
 * abort at an approval gate or an approval timeout.  A resume starts the
 * next wave without running that check or gate again, so it fails unless
 * `allow` (--override-wave-gate) is set.  With `allow`, prints a warning and
 * returns the stop reason in `out_reason` (NULL when the run did not stop
 * between waves).  A stop for held hosts needs no override: deciding the
 * hosts is the way on. */
gboolean fleet_run_resume_check_gate (const char *run_dir, gboolean allow, char **out_reason,
                                      GError **error);

/* Return whether a fleet-run has locked the journal of the run in `run_dir`:
 * the run is still going. */
gboolean fleet_run_journal_in_use (const char *run_dir);

/* Return the directory of a run of the plan whose SHA-256 is `plan_sha256`
 * that has no run-end record, the newest when there are several, or NULL
 * when there is none.  Runs under `runs_dir` and the runs this user
 * started elsewhere (fleet-run-registry.h) count.  `out_running` is set
 * when that run is still going; otherwise fleet-run was killed or the
 * machine went down. */
char *fleet_run_find_unfinished (const char *runs_dir, const char *plan_sha256,
                                 gboolean *out_running);

G_END_DECLS
