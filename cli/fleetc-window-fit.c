/* fleetc-window-fit.c: the earliest schedule that fits a longer range. */
#include "cli/fleetc-window-fit.h"

#include "planner/fleet-planner.h"
#include "schema/fleet-clock.h"

/* Ranges tried, in days, up to a year: each try expands every window and
 * plans the whole fleet again. */
static const guint retry_days[] = { 84, 168, 366 };

static void
print_schedule (const FleetPlan *plan, guint days)
{
  const FleetPlanSchedule *schedule = plan->schedule;
  g_autofree char *finish = fleet_format_utc_seconds (schedule->finish_us / G_USEC_PER_SEC);

  g_printerr ("fleetc: note: the earliest schedule that fits needs windows %u days ahead and "
              "finishes at %s; compile with --window-days %u to plan it:\n", days, finish, days);
  for (guint w = 0; w < schedule->waves->len; w++)
    {
      const FleetWaveSchedule *wave = &g_array_index (schedule->waves, FleetWaveSchedule, w);
      g_autofree char *label = fleet_plan_wave_label (plan, w);
      g_autofree char *start = fleet_format_utc_seconds (wave->start_us / G_USEC_PER_SEC);
      g_autofree char *end = fleet_format_utc_seconds (wave->end_us / G_USEC_PER_SEC);

      g_printerr ("  %s: %s to %s\n", label, start, end);
    }
}

void
fleetc_report_earliest_fit (const char *workflow_path, const FleetCompileOptions *options)
{
  guint current = options->windows_days != 0 ? options->windows_days : FLEET_WINDOWS_DEFAULT_DAYS;

  for (guint i = 0; i < G_N_ELEMENTS (retry_days); i++)
    {
      g_autoptr(FleetDiagnostics) diags = fleet_diagnostics_new ();
      g_autoptr(FleetWorkflow) workflow = NULL;
      g_autoptr(FleetPlan) plan = NULL;
      FleetCompileOptions longer = *options;

      if (retry_days[i] <= current)
        continue;

      longer.windows_days = retry_days[i];
      workflow = fleet_compile_workflow_file (workflow_path, &longer, diags);
      if (workflow == NULL || workflow->windows == NULL)
        return;
      plan = fleet_planner_build (workflow, diags);
      if (plan != NULL && plan->schedule != NULL)
        {
          print_schedule (plan, retry_days[i]);
          return;
        }
    }
}
