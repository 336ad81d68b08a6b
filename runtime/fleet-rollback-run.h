/* fleet-rollback-run.h: roll hosts back with the plan's rollback commands.
 *
 * A host is rolled back when a step started on it: the undo commands of
 * its started steps run newest first, then the rollback steps
 * (fleet-rollback.h), on a new connection, stopping at the first command
 * that fails.  A target may start at a later command, where an earlier
 * rollback stopped (fleet-rollback-progress.h).  Hosts are rolled back wave by wave, the newest wave first,
 * at most plan->parallelism at once.  The journal gets rollback-start, a
 * rollback-step-start (on disk before the command runs) and a
 * rollback-step-end per command, numbered by the command's place in the
 * host's full list, a
 * rollback-host-end per host and rollback-end.
 */
#pragma once

#include <signal.h>

#include <glib.h>

#include "runtime/fleet-executor.h"
#include "runtime/fleet-journal.h"
#include "runtime/fleet-transport.h"

G_BEGIN_DECLS

typedef struct {
  const FleetPlan *plan;         /* plan->rollback is set */
  FleetJournal *journal;
  FleetSshContext *ssh;          /* with the plan's jump hosts */
  const FleetClock *clock;
  volatile sig_atomic_t *interrupt_level; /* NULL: never interrupted */
} FleetRollbackRun;

/* A host to roll back. */
typedef struct {
  const FleetHost *host;         /* borrowed */
  guint wave;                    /* 0-based */
  GPtrArray *started_steps;      /* char *, forward step names in start order */
  guint first_command;           /* 0-based: the commands before it ended in an earlier
                                    rollback and do not run again */
} FleetRollbackTarget;

void fleet_rollback_target_free (FleetRollbackTarget *target);

typedef struct {
  char *host;
  guint wave;                    /* 0-based */
  guint commands;                /* in the host's rollback */
  guint commands_run;            /* that started, in this or an earlier rollback */
  guint commands_earlier;        /* that ended in an earlier rollback and did not run */
  gboolean succeeded;
  char *message;                 /* why it failed, or NULL */
} FleetRollbackHostResult;

void fleet_rollback_host_result_free (FleetRollbackHostResult *result);

/* Return the hosts of wave `wave` (0-based) of `result` on which a step
 * started, as a new array of FleetRollbackTarget *. */
GPtrArray *fleet_rollback_targets_from_result (const FleetPlan *plan, const FleetRunResult *result,
                                               guint wave);

/* Return the hosts of `hosts` (FleetHost *, the plan's hosts) on which the
 * journal at `journal_path` records a step-start, with their waves and
 * started steps, as a new array of FleetRollbackTarget *.  Fails when the
 * journal cannot be read or its run-start record names another plan than
 * `plan_sha256`. */
GPtrArray *fleet_rollback_targets_from_journal (const GPtrArray *hosts, const char *plan_sha256,
                                                const char *journal_path, GError **error);

/* Roll back `targets` (FleetRollbackTarget *); `reason` goes into the
 * rollback-start record ("on_halt", "--rollback RUN").  Returns a new array
 * of FleetRollbackHostResult *, newest wave first. */
GPtrArray *fleet_rollback_run (const FleetRollbackRun *run, GPtrArray *targets,
                               const char *reason);

/* Append the rollback's summary lines to `out`. */
void fleet_rollback_append_summary (GString *out, const GPtrArray *results);

G_END_DECLS
