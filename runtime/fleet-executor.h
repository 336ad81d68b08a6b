/* fleet-executor.h: runs a plan wave by wave over pooled SSH connections.
 *
 * Within a wave, every host runs the plan's steps in order on one SSH
 * connection, opened once and kept for the rest of the run; at most
 * plan->parallelism hosts are busy at once, all driven by one poll() loop
 * with no thread or process per host.  A host stops at its first failed
 * step.  When the failed or unreachable hosts of a wave reach one of the
 * plan's thresholds (fleet-halt.h), no further host of the wave starts,
 * the hosts in flight finish, and later waves are not started.  Below the
 * thresholds, later waves run even after failures.
 */
#pragma once

#include <signal.h>

#include <glib.h>

#include "runtime/fleet-concurrency.h"
#include "runtime/fleet-snapshot-drift.h"
#include "runtime/fleet-transport.h"
#include "schema/fleet-clock.h"
#include "schema/fleet-plan.h"
#include "schema/fleet-plan-signature.h"
#include "schema/fleet-snapshot-diff.h"

G_BEGIN_DECLS

typedef enum {
  FLEET_HOST_NOT_RUN,       /* never started: an earlier wave halted the run */
  FLEET_HOST_SUCCEEDED,     /* every step ran with an expected exit code */
  FLEET_HOST_FAILED,        /* a step failed, or the host could not be reached */
  FLEET_HOST_INTERRUPTED,   /* fleet-run was interrupted before the host finished */
  FLEET_HOST_HELD,          /* resumed run: a step was in flight when the run
                               stopped, and the host waits for a decision
                               (fleet-resume.h) */
} FleetHostOutcome;

#define FLEET_HOST_N_OUTCOMES (FLEET_HOST_HELD + 1)

/* How long steps in flight may go on after a first interrupt before they
 * are aborted. */
#define FLEET_DEFAULT_GRACE_PERIOD_MS 30000u

struct FleetResumeState;

typedef struct {
  gboolean started;
  gboolean skipped;         /* the step's condition was false on this host */
  char *skip_reason;        /* why it was skipped, or NULL */
  FleetFailure failure;     /* FLEET_FAILURE_NONE when the step succeeded */
  int exit_status;          /* -1 when the command did not exit normally */
  char *exit_signal;        /* "KILL", "TERM", ... or NULL */
  char *message;            /* why it failed, or NULL */
  gint64 duration_us;
  guint64 stdout_bytes;
  guint64 stderr_bytes;
  guint64 stdout_omitted_bytes; /* counted but not kept: over the output cap */
  guint64 stderr_omitted_bytes;
  int changed;              /* 1 changed the host, 0 did not, -1 not known (a
                               plain command, which is taken as a change) */
  guint attempts;           /* attempts made, retries included; 0 for a plain command */
  gboolean never_ended;     /* resumed runs: in flight when an earlier run stopped, so
                               the journal has no end and no duration for it */
  GString *stdout_tail;     /* the last FLEET_OUTPUT_TAIL_BYTES of each stream */
  GString *stderr_tail;
} FleetStepResult;

/* Bytes of each stream's end kept in memory for the summary; the output
 * itself is in the run directory. */
#define FLEET_OUTPUT_TAIL_BYTES 2048

/* Each stream of each step keeps at most this many bytes in its output file:
 * the start of the output and, in a ring of at most FLEET_OUTPUT_RING_BYTES
 * (a quarter of the cap when that is smaller), its end.  Bytes in between
 * are counted, and the file says how many were left out where. */
#define FLEET_DEFAULT_OUTPUT_CAP_BYTES (16u * 1024 * 1024)
#define FLEET_OUTPUT_RING_BYTES (1024u * 1024)

typedef struct {
  const FleetHost *host;    /* owned by FleetRunResult.host_records */
  guint wave;               /* 0-based */
  FleetHostOutcome outcome;
  FleetFailure failure;     /* the cause when FAILED */
  char *message;
  guint failed_step;        /* index of the failed step, or G_MAXUINT for a
                               failure before any step (connecting) */
  GPtrArray *steps;         /* FleetStepResult *, one per plan step */
  gint64 duration_us;
  char *snapshot_before;    /* digest in the snapshot store, or NULL */
  char *snapshot_after;
  FleetSnapshotDiff *snapshot_diff; /* NULL unless both snapshots were taken */
  char *snapshot_error;     /* why a snapshot is missing, or NULL */
  FleetDriftResult *drift;  /* the before snapshot against the plan's
                               references; NULL when it asks for none */
  gboolean settled_before_resume; /* resumed runs: the host did not run in this
                               resume, and its outcome comes from the journal */
} FleetHostResult;

/* The first halt threshold a run reached. */
typedef struct {
  FleetHaltRule rule;
  guint wave;               /* 0-based index of the wave it was reached in */
  guint count;              /* the failed or unreachable hosts the rule counts */
  guint32 threshold;
} FleetHaltReason;

typedef struct {
  GPtrArray *hosts;         /* FleetHostResult *, in plan host order */
  guint waves_run;          /* waves started */
  gboolean halted;          /* a halt threshold was reached: the rest of its
                               wave and later waves were not started */
  FleetHaltReason halt;     /* set when halted */
  gboolean interrupted;
  gboolean paused;          /* hosts wait for a maintenance window: the run
                               stopped where the journal's window-pause
                               record says, and can be resumed */
  gint64 resume_at_us;      /* when paused: the earliest instant a waiting
                               host's window allows it, or G_MAXINT64 when no
                               window of the plan does */
  gint64 duration_us;
  GArray *wave_durations_us; /* gint64, one per wave started; -1 for a wave
                               that finished before a resume */
  GPtrArray *host_records;  /* FleetHost *, the hosts as run (with overrides);
                               FleetHostResult.host points into it */

  /* Between waves (fleet-wave-end.h, fleet-rollback-run.h). */
  GPtrArray *check_failures; /* FleetCheckFailure *, every check that still
                                failed after its last try */
  char *stop_reason;        /* why the run stopped between waves (a failed
                               check, an abort, an approval timeout), or NULL */
  guint stop_wave;          /* 0-based wave after which it stopped */
  GPtrArray *rollback;      /* FleetRollbackHostResult *, the hosts rolled
                               back because the run halted; NULL: none */
  gboolean held_stop;       /* stopped after stop_wave because hosts of it are
                               held for a decision (fleet-wave-held.h) */
  gboolean concurrency_adaptive; /* the limit adapted (fleet-concurrency.h) */
  GArray *concurrency_history; /* FleetConcurrencyChange, the limit over time */
} FleetRunResult;

/* Callbacks for progress displays; any may be NULL.  They run on the
 * executor's thread and must return quickly. */
typedef struct {
  void (*wave_started) (guint wave, guint n_hosts, gpointer data);
  void (*host_started) (const FleetHost *host, gpointer data);
  void (*host_finished) (const FleetHostResult *result, gpointer data);
  void (*wave_finished) (guint wave, gpointer data);
  gpointer data;
} FleetRunObserver;

typedef struct {
  const char *run_id;
  const char *run_dir;      /* an existing directory for journal and output */
  const char *known_hosts_override; /* NULL: each host's own file */
  const FleetClock *clock;  /* NULL: the system clock */
  guint64 output_cap_bytes; /* per stream and step; 0: FLEET_DEFAULT_OUTPUT_CAP_BYTES */
  FleetSecretFunc secret_func; /* NULL: hosts that name a secret fail */
  gpointer secret_data;
  /* Called just before a step starts on a host (`step` counts from 0), for
   * progress displays and tests; NULL: none. */
  void (*before_step) (const FleetHost *host, guint step, gpointer observer_data);
  gpointer observer_data;
  const FleetRunObserver *observer; /* NULL: none */
  const char *snapshot_store; /* NULL: RUN_DIR/snapshots */
  /* Set by a signal handler: 1 stops new work, 2 or more aborts commands. */
  volatile sig_atomic_t *interrupt_level;
  /* After the first interrupt, steps in flight are aborted once this has
   * passed; 0: FLEET_DEFAULT_GRACE_PERIOD_MS. */
  guint64 grace_period_ms;
  /* The absolute path of the plan file, recorded in the run-start record
   * so that a resume can find it; NULL: not recorded. */
  const char *plan_path;
  /* The run to continue, from fleet_resume_load; NULL: a new run.  The
   * journal in run_dir is appended to. */
  const struct FleetResumeState *resume;
  /* The terms the plan was accepted on, for the journal's run-start record
   * and the records after it; NULL: none. */
  const FleetPlanSignature *approval;  /* the signature --require-signature accepted */
  const GPtrArray *inventory_changes;  /* FleetInventoryChange *, accepted with
                                          --allow-changed-inventory */
  /* With maintenance windows (plan->schedule): when every host left waits
   * for a window, wait for it in place (TRUE) or pause the run (FALSE). */
  gboolean wait_for_window;
  /* Return once the wall clock reaches `wall_us` or an interrupt arrives;
   * NULL: sleep on the system clock.  Tests advance their clock here. */
  void (*wait_until) (gint64 wall_us, gpointer wait_data);
  gpointer wait_data;
  /* How the waits between waves sleep (fleet-wave-wait.h); tests pass a
   * function that moves their clock instead.  NULL: a real sleep. */
  void (*sleep) (gint64 duration_us, gpointer sleep_data);
  gpointer sleep_data;
  /* Threads that run the SSH handshakes (fleet-handshake-pool.h); 0: one
   * per online CPU. */
  guint handshake_workers;
  /* Connections and commands over this transport instead of SSH, such as
   * the simulated fleet of fleet-sim-transport.h, whose clock then goes in
   * `clock`; NULL: SSH.  Borrowed. */
  FleetTransport *transport;
} FleetRunOptions;

/* Run `plan`.  Returns the result, or NULL when the run could not begin (the
 * run directory or the journal could not be written, or every maintenance
 * window of the plan has passed: FLEET_PLAN_SCHEDULE_ERROR_EXPIRED). */
FleetRunResult *fleet_execute_plan (const FleetPlan *plan,
                                    const FleetRunOptions *options,
                                    GError **error);

/* The exit status of fleet-run for `result`: 0 every host succeeded and
 * every check passed, 1 a host failed, was held or was not run, or a check
 * failed, 3 interrupted, 4 paused until a maintenance window. */
int fleet_run_result_exit_status (const FleetRunResult *result);

void fleet_run_result_free (FleetRunResult *result);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (FleetRunResult, fleet_run_result_free)

G_END_DECLS
