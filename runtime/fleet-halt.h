/* fleet-halt.h: the failure thresholds that fleet-run enforces.
 *
 * Every host that finishes counts once.  It is unreachable when it failed
 * before its first step started with a connection-class failure: name
 * resolution, connection refused, connect timeout, connection failed or
 * lost.  It is failed for any other failure, host key and authentication
 * failures included, because those need an admin rather than a retry.
 * Succeeded and interrupted hosts are not counted.
 *
 * A wave reaches a threshold when its failed or unreachable hosts reach
 * the wave's resolved per-wave thresholds (FleetWave.halt_failed and
 * halt_unreachable), or the run's totals reach the plan's.  REACHING halts:
 * count >= threshold.  FLEET_THRESHOLD_NEVER never halts.
 */
#pragma once

#include <glib.h>

#include "runtime/fleet-executor.h"

G_BEGIN_DECLS

/* Failed and unreachable hosts of the current wave and of the run. */
typedef struct {
  guint wave_failed;
  guint wave_unreachable;
  guint total_failed;
  guint total_unreachable;
} FleetHaltCounts;

/* Return whether `host` counts as unreachable (see above). */
gboolean fleet_host_result_is_unreachable (const FleetHostResult *host);

/* Reset the per-wave counts at the start of a wave. */
void fleet_halt_counts_start_wave (FleetHaltCounts *counts);

/* Count `host`, which has just finished. */
void fleet_halt_counts_add (FleetHaltCounts *counts, const FleetHostResult *host);

/* Return TRUE when `counts` reach a threshold of wave `wave_index` of
 * `plan`, and describe the first rule reached in `out_reason`, checking
 * failed_per_wave, unreachable_per_wave, failed_total and
 * unreachable_total in that order. */
gboolean fleet_halt_check (const FleetHaltCounts *counts,
                           const FleetPlan *plan,
                           guint wave_index,
                           FleetHaltReason *out_reason);

G_END_DECLS
