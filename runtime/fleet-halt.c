/* fleet-halt.c: count failed and unreachable hosts against the thresholds. */
#include "runtime/fleet-halt.h"

gboolean
fleet_host_result_is_unreachable (const FleetHostResult *host)
{
  const FleetStepResult *first_step;

  if (host->outcome != FLEET_HOST_FAILED)
    return FALSE;

  first_step = host->steps->len > 0 ? g_ptr_array_index (host->steps, 0) : NULL;
  if (first_step != NULL && first_step->started)
    return FALSE;

  switch (host->failure)
    {
    case FLEET_FAILURE_NAME_RESOLUTION:
    case FLEET_FAILURE_CONNECTION_REFUSED:
    case FLEET_FAILURE_CONNECTION_TIMEOUT:
    case FLEET_FAILURE_CONNECTION_FAILED:
    case FLEET_FAILURE_CONNECTION_LOST:
      return TRUE;
    default:
      return FALSE;
    }
}

void
fleet_halt_counts_start_wave (FleetHaltCounts *counts)
{
  counts->wave_failed = 0;
  counts->wave_unreachable = 0;
}

void
fleet_halt_counts_add (FleetHaltCounts *counts, const FleetHostResult *host)
{
  if (host->outcome != FLEET_HOST_FAILED)
    return;

  if (fleet_host_result_is_unreachable (host))
    {
      counts->wave_unreachable++;
      counts->total_unreachable++;
    }
  else
    {
      counts->wave_failed++;
      counts->total_failed++;
    }
}

static gboolean
reached (guint count, guint32 threshold)
{
  return threshold != FLEET_THRESHOLD_NEVER && count >= threshold;
}

gboolean
fleet_halt_check (const FleetHaltCounts *counts,
                  const FleetPlan *plan,
                  guint wave_index,
                  FleetHaltReason *out_reason)
{
  const FleetWave *wave = g_ptr_array_index (plan->waves, wave_index);
  const struct {
    FleetHaltRule rule;
    guint count;
    guint32 threshold;
  } checks[] = {
    { FLEET_HALT_FAILED_PER_WAVE, counts->wave_failed, wave->halt_failed },
    { FLEET_HALT_UNREACHABLE_PER_WAVE, counts->wave_unreachable, wave->halt_unreachable },
    { FLEET_HALT_FAILED_TOTAL, counts->total_failed, plan->halt_failed_total },
    { FLEET_HALT_UNREACHABLE_TOTAL, counts->total_unreachable, plan->halt_unreachable_total },
  };

  for (guint i = 0; i < G_N_ELEMENTS (checks); i++)
    {
      if (!reached (checks[i].count, checks[i].threshold))
        continue;

      *out_reason = (FleetHaltReason) {
        .rule = checks[i].rule,
        .wave = wave_index,
        .count = checks[i].count,
        .threshold = checks[i].threshold,
      };
      return TRUE;
    }
  return FALSE;
}
