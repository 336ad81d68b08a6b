/* fleet-window-gate.c: may this step start now, by the plan's windows. */
#include "runtime/fleet-window-gate.h"

#include "schema/fleet-clock.h"
#include "schema/fleet-plan-work.h"

/* Return how many steps from `step` on plan host `host_index` runs. */
static guint
count_remaining_steps (const FleetPlan *plan, guint host_index, guint step)
{
  const FleetHost *host = g_ptr_array_index (plan->hosts, host_index);
  guint count = 0;

  for (guint s = step; s < plan->steps->len; s++)
    {
      const FleetStep *planned = g_ptr_array_index (plan->steps, s);

      if (planned->skipped_hosts == NULL
          || !g_hash_table_contains (planned->skipped_hosts, host->name))
        count++;
    }
  return count;
}

void
fleet_window_gate_decide (const FleetPlan *plan,
                          guint host_index,
                          guint step,
                          FleetWindowNeed need,
                          gint64 now_us,
                          FleetWindowDecision *out)
{
  const FleetPlanSchedule *schedule = plan->schedule;
  const GArray *windows = fleet_plan_schedule_host_windows (schedule, host_index);
  guint64 estimate_ms = g_array_index (schedule->step_estimates_ms, guint64, step);

  out->need = need;
  out->steps_counted = 1;
  if (need == FLEET_WINDOW_NEED_REMAINING)
    {
      const FleetHost *host = g_ptr_array_index (plan->hosts, host_index);

      estimate_ms = fleet_plan_host_work_ms (plan, schedule, host, step);
      out->steps_counted = count_remaining_steps (plan, host_index, step);
    }

  out->needed_us = (gint64) (estimate_ms + schedule->margin_ms) * 1000;
  out->needed_us = MAX (out->needed_us, 1);
  out->window_end_us = 0;
  out->next_start_us = FLEET_WINDOW_GATE_NEVER;
  out->allowed = fleet_window_list_allows (windows, now_us, out->needed_us, &out->window_end_us);
  if (out->allowed)
    return;

  if (!fleet_window_list_next_start (windows, now_us, out->needed_us, &out->next_start_us))
    out->next_start_us = FLEET_WINDOW_GATE_NEVER;
}

char *
fleet_window_gate_describe (const FleetPlanSchedule *schedule,
                            guint host_index,
                            const FleetWindowDecision *decision)
{
  const char *groups = fleet_plan_schedule_host_window_name (schedule, host_index);
  g_autofree char *needed = fleet_format_duration ((guint64) decision->needed_us / 1000);
  g_autofree char *counted = NULL;
  g_autofree char *next = NULL;
  g_autofree char *last = NULL;

  if (decision->need == FLEET_WINDOW_NEED_REMAINING && decision->steps_counted > 1)
    counted = g_strdup_printf ("the estimates of the host's %u remaining steps plus the margin, "
                               "so that it does not stop halfway",
                               decision->steps_counted);
  else
    counted = g_strdup ("the step's estimate plus the margin");

  if (decision->next_start_us != FLEET_WINDOW_GATE_NEVER)
    {
      next = fleet_format_utc_seconds (decision->next_start_us / G_USEC_PER_SEC);
      return g_strdup_printf ("no maintenance window of %s is open with %s left (%s); the "
                              "next one opens at %s",
                              groups, needed, counted, next);
    }

  last = fleet_format_utc_seconds (schedule->to_us / G_USEC_PER_SEC);
  return g_strdup_printf ("no maintenance window of %s with %s left (%s) remains in the plan, "
                          "which knows windows up to %s; compile the workflow again to plan "
                          "into later windows",
                          groups, needed, counted, last);
}
