/* fleet-run-progress.h: what fleet-run prints while a run goes.
 *
 * On a terminal one status line is redrawn in place, at most five times a
 * second: the wave, hosts done, failed and in flight, the rate of finished
 * hosts and the estimated end of the wave.  Otherwise (a log file, a CI
 * job) plain timestamped lines appear at each wave start and end, at every
 * tenth of a wave, and at least every 10 s while hosts are in flight.
 * Times come from the clock given, so tests need not sleep.
 */
#pragma once

#include <stdio.h>

#include <glib.h>

#include "runtime/fleet-executor.h"
#include "schema/fleet-clock.h"
#include "schema/fleet-plan.h"

G_BEGIN_DECLS

typedef struct FleetRunProgress FleetRunProgress;

/* Print to `stream` (borrowed), redrawing one line when `live`.  `plan`
 * and `clock` must outlive the result. */
FleetRunProgress *fleet_run_progress_new (const FleetPlan *plan, FILE *stream, gboolean live,
                                          const FleetClock *clock);

/* The observer to put in FleetRunOptions; borrowed from `progress`. */
const FleetRunObserver *fleet_run_progress_observer (FleetRunProgress *progress);

/* Clear the live line, so the summary starts on a clean line. */
void fleet_run_progress_free (FleetRunProgress *progress);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (FleetRunProgress, fleet_run_progress_free)

G_END_DECLS
