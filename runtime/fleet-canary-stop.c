/* fleet-canary-stop.c: the stop after a canary wave without a success. */
#include "runtime/fleet-canary-stop.h"

#include "runtime/fleet-halt.h"

char *
fleet_canary_stop_reason (const FleetPlan *plan, const FleetRunResult *result, guint wave)
{
  const FleetWave *plan_wave = g_ptr_array_index (plan->waves, wave);
  guint hosts = 0;
  guint unreachable = 0;
  guint failed = 0;

  if (!plan_wave->canary || wave + 1 >= plan->waves->len)
    return NULL;

  for (guint i = 0; i < result->hosts->len; i++)
    {
      const FleetHostResult *host = g_ptr_array_index (result->hosts, i);

      if (host->wave != wave)
        continue;
      if (host->outcome == FLEET_HOST_SUCCEEDED)
        return NULL;
      hosts++;
      if (host->outcome == FLEET_HOST_FAILED && fleet_host_result_is_unreachable (host))
        unreachable++;
      else if (host->outcome == FLEET_HOST_FAILED)
        failed++;
    }
  if (hosts == 0)
    return NULL;

  return g_strdup_printf ("no host of the canary wave succeeded (%u failed, %u unreachable, %u "
                          "not run), so the change was not seen to work anywhere", failed,
                          unreachable, hosts - failed - unreachable);
}
