/* fleet-window-gate.c: may this step start now, by the plan's windows. */
#include "runtime/fleet-window-gate.h"

#include "schema/fleet-clock.h"

void
fleet_window_gate_decide (const FleetPlanSchedule *schedule,
                          guint host_index,
                          guint step,
                          gint64 now_us,
                          FleetWindowDecision *out)
{
  const GArray *windows = fleet_plan_schedule_host_windows (schedule, host_index);
  guint64 estimate_ms = g_array_index (schedule->step_estimates_ms, guint64, step);

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
  g_autofree char *next = NULL;
  g_autofree char *last = NULL;

  if (decision->next_start_us != FLEET_WINDOW_GATE_NEVER)
    {
      next = fleet_format_utc_seconds (decision->next_start_us / G_USEC_PER_SEC);
      return g_strdup_printf ("no maintenance window of %s is open with %s left (the step's "
                              "estimate plus the margin); the next one opens at %s",
                              groups, needed, next);
    }

  last = fleet_format_utc_seconds (schedule->to_us / G_USEC_PER_SEC);
  return g_strdup_printf ("no maintenance window of %s with %s left (the step's estimate "
                          "plus the margin) remains in the plan, which knows windows up to %s; "
                          "compile the workflow again to plan into later windows",
                          groups, needed, last);
}
