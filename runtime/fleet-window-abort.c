/* fleet-window-abort.c: what fleet-run reports about a step killed at the
 * end of its maintenance window. */
#include "runtime/fleet-window-abort.h"

#include "schema/fleet-clock.h"
#include "schema/fleet-diagnostics.h"

/* Names quoted in messages are cut to this many characters. */
#define QUOTE_MAX_CHARS 60

void
fleet_window_abort_record (FleetHostWindow *window, guint step, gint64 ran_us)
{
  window->killed_step = step + 1;
  window->killed_at_us = window->end_us;
  window->killed_ran_us = MAX (ran_us, 0);
}

gboolean
fleet_window_abort_is_next (const FleetHostWindow *window, guint next_step)
{
  return window->killed_step != 0 && window->killed_step == next_step + 1;
}

/* Return the freeze that starts where the host's window ended, or NULL
 * when the window ended by itself or the plan names no freezes. */
static const FleetPlanFreeze *
ending_freeze (const FleetPlan *plan, guint host_index, gint64 end_us)
{
  const FleetPlanSchedule *schedule = plan->schedule;
  guint32 set;

  if (schedule == NULL || host_index >= schedule->host_window_set->len)
    return NULL;
  set = g_array_index (schedule->host_window_set, guint32, host_index);
  if (set >= schedule->window_set_freezes->len)
    return NULL;
  return fleet_plan_freezes_at (g_ptr_array_index (schedule->window_set_freezes, set), end_us);
}

char *
fleet_window_abort_describe (const FleetPlan *plan, guint host_index, const FleetHostWindow *window)
{
  const FleetStep *step = g_ptr_array_index (plan->steps, window->killed_step - 1);
  const FleetPlanFreeze *freeze = ending_freeze (plan, host_index, window->killed_at_us);
  g_autofree char *name = fleet_quote_value (step->name, QUOTE_MAX_CHARS);
  g_autofree char *at = fleet_format_utc_seconds (window->killed_at_us / G_USEC_PER_SEC);
  g_autofree char *cause = NULL;

  if (freeze != NULL)
    {
      g_autofree char *freeze_name = fleet_quote_value (freeze->name, QUOTE_MAX_CHARS);

      cause = g_strdup_printf ("at the start of freeze %s at %s", freeze_name, at);
    }
  else
    cause = g_strdup_printf ("at the end of its maintenance window at %s", at);

  return g_strdup_printf ("step %u %s was killed after %.1fs %s; it runs again from the start "
                          "in the next maintenance window",
                          window->killed_step, name,
                          (double) window->killed_ran_us / G_USEC_PER_SEC, cause);
}

void
fleet_window_abort_journal (FleetJsonWriter *json,
                            const FleetPlan *plan,
                            guint host_index,
                            const FleetHostWindow *window)
{
  const FleetPlanFreeze *freeze = ending_freeze (plan, host_index, window->killed_at_us);
  g_autofree char *message = fleet_window_abort_describe (plan, host_index, window);

  fleet_json_key (json, "freeze");
  fleet_json_string (json, freeze != NULL ? freeze->name : NULL);
  fleet_json_key (json, "message");
  fleet_json_string (json, message);
}
