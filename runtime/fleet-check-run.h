/* fleet-check-run.h: run a plan's validation checks after one wave.
 *
 * Each check waits its bake time, then tries up to 1 + retries times,
 * interval apart; a per-host check tries again only on the hosts that
 * failed.  The journal gets check-start, one check-try per try and host
 * (host null for a check of the whole wave), and check-end.  After a check
 * with on_fail halt still fails, later checks do not run.
 */
#pragma once

#include <glib.h>

#include "runtime/fleet-journal.h"
#include "runtime/fleet-transport.h"
#include "runtime/fleet-wave-wait.h"
#include "schema/fleet-plan.h"

G_BEGIN_DECLS

/* A check that still failed after its last try. */
typedef struct {
  const FleetCheck *check;       /* borrowed from the plan */
  guint wave;                    /* 0-based */
  char *host;                    /* the host it failed on; NULL for a check of
                                    the whole wave */
  char *reason;                  /* what the last try found */
  guint tries;
} FleetCheckFailure;

void fleet_check_failure_free (FleetCheckFailure *failure);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (FleetCheckFailure, fleet_check_failure_free)

typedef struct {
  const FleetPlan *plan;
  guint wave;                    /* 0-based */
  const GPtrArray *hosts;        /* const FleetHost *, the wave's hosts that
                                    succeeded, in wave order */
  const char *run_id;
  FleetJournal *journal;
  FleetSshContext *ssh;
  const FleetWaiter *waiter;
} FleetCheckRun;

/* Run the plan's checks for the wave in order.  Returns the failures, a
 * new array of FleetCheckFailure * that is empty when every check passed;
 * `out_interrupted` is set when an interrupt ended the checks early. */
GPtrArray *fleet_check_run_wave (const FleetCheckRun *run, gboolean *out_interrupted);

/* Return whether `failures` contain one of a check whose on_fail is halt. */
gboolean fleet_check_failures_halt (const GPtrArray *failures);

G_END_DECLS
