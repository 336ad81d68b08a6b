/* fleet-resume.h: the state of each host of a stopped run, from its journal.
 *
 * `fleet-run --resume RUN PLAN` continues a run that was interrupted,
 * killed, halted or paused.  fleet_resume_load reads the run's journal,
 * checks that it belongs to the same plan (the plan file's SHA-256), and
 * settles each host:
 *
 *   - succeeded, failed or skipped hosts keep their outcome and run nothing;
 *     failed ones run again only with --retry-host;
 *   - a host whose last step started but never ended (or was aborted) had
 *     that step in flight: the step may have run in part.  It is run again
 *     when the workflow marks it `idempotent`; otherwise the host is held
 *     for a decision, --retry-host to run the step again or --skip-host to
 *     leave the host out.  A plan whose steps overlap (fleet-step-overlap.h)
 *     may leave several steps in flight: the host is held when one of them
 *     is not idempotent, and they all run again when it continues, while
 *     the steps that ended well, before or after them, do not;
 *   - every other host continues with the first step that has not ended.
 *
 * A completed step is never run again, except the failed step of a host
 * given with --retry-host.  Hosts settled before the resume do not count
 * toward the halt thresholds of the resumed run: resuming a halted run is
 * the decision to go on.
 *
 * Any stop that journals as fleet-run does (interrupts, a halt, a pause at
 * the end of a maintenance window, a kill) can be resumed this way; the
 * state comes only from the journal and the plan.
 *
 * Ownership: FleetResumeState owns everything in it.  Errors are in
 * FLEET_JOURNAL_ERROR (fleet-journal-reader.h) and G_IO_ERROR.
 */
#pragma once

#include <glib.h>

#include "runtime/fleet-executor.h"
#include "runtime/fleet-journal.h"
#include "schema/fleet-plan.h"

G_BEGIN_DECLS

/* The message of a host left out with --skip-host, in the journal and in
 * its FleetHostResult. */
#define FLEET_RESUME_SKIPPED_MESSAGE "left out with --skip-host"

typedef enum {
  FLEET_RESUME_HOST_PENDING,     /* never started: runs from its first step */
  FLEET_RESUME_HOST_CONTINUE,    /* runs from `next_step` */
  FLEET_RESUME_HOST_SUCCEEDED,   /* done; nothing runs */
  FLEET_RESUME_HOST_FAILED,      /* done with a failure; nothing runs */
  FLEET_RESUME_HOST_HELD,        /* a step was in flight; waits for a decision */
  FLEET_RESUME_HOST_SKIPPED,     /* left out by --skip-host, now or before */
} FleetResumeHostState;

/* What the journal records about one step of one host. */
typedef enum {
  FLEET_RESUME_STEP_NOT_STARTED,
  FLEET_RESUME_STEP_IN_FLIGHT,   /* started, never ended, or aborted */
  FLEET_RESUME_STEP_OK,
  FLEET_RESUME_STEP_FAILED,
  FLEET_RESUME_STEP_SKIPPED,
} FleetResumeStepState;

typedef struct {
  FleetResumeStepState state;
  int exit_status;               /* -1: none */
  char *exit_signal;
  FleetFailure failure;
  char *message;                 /* failure message or skip reason */
  gint64 duration_ms;
  guint64 stdout_bytes;
  guint64 stderr_bytes;
} FleetResumeStep;

typedef enum {
  FLEET_RESUME_DECISION_NONE,
  FLEET_RESUME_DECISION_RETRY,
  FLEET_RESUME_DECISION_SKIP,
} FleetResumeDecision;

typedef struct {
  FleetResumeHostState state;
  FleetResumeDecision decision;  /* given for this resume */
  guint next_step;               /* CONTINUE: the first step to run */
  guint in_flight_step;          /* HELD: the first step in flight that is not
                                    idempotent; else G_MAXUINT */
  guint failed_step;             /* FAILED: the failed step, or G_MAXUINT
                                    for a failure before any step */
  FleetFailure failure;          /* FAILED: the cause */
  char *message;                 /* FAILED and SKIPPED: from the journal */
  GPtrArray *steps;              /* FleetResumeStep *, one per plan step */
} FleetResumeHost;

typedef struct FleetResumeState {
  char *run_id;
  char *run_dir;
  char *journal_path;
  guint resumes;                 /* resumes before this one */
  gint64 torn_offset;            /* byte offset of a torn last line, or -1 */
  GPtrArray *warnings;           /* char *, torn lines ignored */
  GPtrArray *hosts;              /* FleetResumeHost *, in plan host order */
  GPtrArray *rolled_back_hosts;  /* char *, hosts a rollback undid, when the resume goes on
                                    with --resume-after-rollback; NULL: none */
  char *overridden_stop;         /* the stop between waves that --override-wave-gate
                                    passes over, or NULL */
  GPtrArray *choices;            /* char *, one line per `held` or selector argument of
                                    --retry-host and --skip-host, naming the hosts it chose */
} FleetResumeState;

/* Read the journal in `run_dir` and settle each host of `plan`, applying
 * the decisions: `retry_hosts` and `skip_hosts` are NULL-terminated
 * arguments, or NULL, each a host name, the word `held` or a selector
 * (fleet-resume-choice.h).  Fails when the journal is damaged or from another plan,
 * when a decision names a host it cannot apply to, and when nothing is
 * left to run. */
FleetResumeState *fleet_resume_load (const FleetPlan *plan, const char *run_dir,
                                     const char * const *retry_hosts,
                                     const char * const *skip_hosts, GError **error);

void fleet_resume_state_free (FleetResumeState *state);

/* Return the plan file path that the run-start record of the journal in
 * `run_dir` names, or NULL with an error when it names none. */
char *fleet_resume_recorded_plan_path (const char *run_dir, GError **error);

/* Return whether host `index` of the plan runs in the resumed run. */
gboolean fleet_resume_host_runs (const FleetResumeState *state, guint index);

/* Fill `result`, a host result with one step result per plan step, from
 * what the journal records about host `index`, and return the first step the
 * host runs (meaningful only when it runs).  The last bytes of each
 * completed step's output are read back from the run directory, so
 * conditions on `steps.NAME.stdout` see them.  The output of a step in
 * flight that runs again is kept: its files get the suffix ".partial". */
guint fleet_resume_apply_host (const FleetResumeState *state, const FleetPlan *plan,
                               guint index, FleetHostResult *result);

/* Write the run-resume record and the records of the decisions and the
 * held hosts. */
void fleet_resume_journal (const FleetResumeState *state, const FleetPlan *plan,
                           FleetJournal *journal, gint64 wall_us);

/* Return the message for a held host: which step was in flight and how to
 * decide.  Free with g_free. */
char *fleet_resume_held_message (const FleetPlan *plan, const FleetHost *host, guint step);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (FleetResumeState, fleet_resume_state_free)

G_END_DECLS
