/* fleet-wave-end.h: what fleet-run does between a wave and the next.
 *
 * After a wave that did not halt, the plan's checks run on the wave's
 * succeeded hosts (fleet-check-run.h).  A check that still fails with
 * on_fail halt stops the run: later waves do not start.  One with
 * fail_hosts marks the hosts it failed on as failed, with a host-failed
 * journal record, and leaves the halt thresholds to the executor.  When
 * the run goes on and a later wave exists, the plan's gate is awaited
 * (fleet-wave-wait.h); an abort or an approval timeout with on_timeout
 * halt stops the run too.
 */
#pragma once

#include <glib.h>

#include "runtime/fleet-executor.h"
#include "runtime/fleet-journal.h"
#include "runtime/fleet-wave-wait.h"

G_BEGIN_DECLS

typedef struct {
  const FleetPlan *plan;
  guint wave;                    /* 0-based, the wave that just ended */
  const char *run_id;
  const char *run_dir;
  FleetJournal *journal;
  FleetSshContext *ssh;
  const FleetWaiter *waiter;
} FleetWaveEnd;

/* Run the checks and the gate after `end->wave`.  Adds every failed check
 * to result->check_failures, sets result->stop_reason and stop_wave when
 * the run must stop, and marks hosts failed as on_fail fail_hosts requires,
 * adding each of them to `out_failed_hosts` (FleetHostResult *, borrowed).
 * Returns FALSE when an interrupt ended the checks or the wait. */
gboolean fleet_wave_end_run (const FleetWaveEnd *end, FleetRunResult *result,
                             GPtrArray *out_failed_hosts);

G_END_DECLS
