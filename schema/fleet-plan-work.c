/* fleet-plan-work.c: a host's remaining work by the plan's estimates. */
#include "schema/fleet-plan-work.h"

guint64
fleet_plan_host_work_ms (const FleetPlan *plan,
                         const FleetPlanSchedule *schedule,
                         const FleetHost *host,
                         guint from_step)
{
  guint64 work_ms = 0;

  for (guint s = from_step; s < plan->steps->len; s++)
    {
      const FleetStep *step = g_ptr_array_index (plan->steps, s);

      if (step->skipped_hosts != NULL && g_hash_table_contains (step->skipped_hosts, host->name))
        continue;
      work_ms += g_array_index (schedule->step_estimates_ms, guint64, s);
    }
  return work_ms;
}
