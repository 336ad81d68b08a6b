/* fleetc-window-fit.c: the smallest change that makes every host fit its
 * maintenance windows, after a compile failed because some did not. */
#include "cli/fleetc-window-fit.h"

#include "planner/fleet-planner.h"
#include "schema/fleet-clock.h"

/* The longest range searched, in days: a year contains at least one instance
 * of every yearly rule.  Each try expands every window and plans the whole
 * fleet again, so the search stops there rather than at the 3660 days
 * --window-days accepts. */
#define MAX_SEARCH_DAYS 366u

typedef struct {
  const char *workflow_path;
  const FleetCompileOptions *options;
} FitSearch;

static void
print_waves (const FleetPlan *plan)
{
  const FleetPlanSchedule *schedule = plan->schedule;

  for (guint w = 0; w < schedule->waves->len; w++)
    {
      const FleetWaveSchedule *wave = &g_array_index (schedule->waves, FleetWaveSchedule, w);
      g_autofree char *label = fleet_plan_wave_label (plan, w);
      g_autofree char *start = fleet_format_utc_seconds (wave->start_us / G_USEC_PER_SEC);
      g_autofree char *end = fleet_format_utc_seconds (wave->end_us / G_USEC_PER_SEC);

      g_printerr ("  %s: %s to %s\n", label, start, end);
    }
}

static char *
format_finish (const FleetPlan *plan)
{
  return fleet_format_utc_seconds (plan->schedule->finish_us / G_USEC_PER_SEC);
}

/* Compile and plan over `days` days of windows; NULL when it fails.  The
 * diagnostics of the try are dropped: the first compile printed them. */
static FleetPlan *
plan_over_days (const FitSearch *search, guint days)
{
  g_autoptr(FleetDiagnostics) diags = fleet_diagnostics_new ();
  g_autoptr(FleetWorkflow) workflow = NULL;
  FleetCompileOptions longer = *search->options;

  longer.windows_days = days;
  workflow = fleet_compile_workflow_file (search->workflow_path, &longer, diags);
  if (workflow == NULL || workflow->windows == NULL)
    return NULL;
  return fleet_planner_build (workflow, diags);
}

/* Plan `workflow` with `parallelism`; NULL when hosts do not fit. */
static FleetPlan *
plan_with_parallelism (FleetWorkflow *workflow, guint parallelism)
{
  g_autoptr(FleetDiagnostics) diags = fleet_diagnostics_new ();
  guint saved = workflow->parallelism;
  FleetPlan *plan;

  workflow->parallelism = parallelism;
  plan = fleet_planner_build (workflow, diags);
  workflow->parallelism = saved;
  return plan;
}

/* Plan `workflow` without its windows, and give the number of hosts in
 * its largest wave and in all waves.  Returns FALSE when it does not plan
 * even then: its errors are not about windows, and no change of range or
 * parallelism helps. */
static gboolean
count_without_windows (FleetWorkflow *workflow, guint *out_largest_wave, guint *out_hosts)
{
  g_autoptr(FleetDiagnostics) diags = fleet_diagnostics_new ();
  FleetWindowCalendar *windows = g_steal_pointer (&workflow->windows);
  g_autoptr(FleetPlan) plan = fleet_planner_build (workflow, diags);

  workflow->windows = windows;
  if (plan == NULL)
    return FALSE;

  *out_largest_wave = 0;
  *out_hosts = 0;
  for (guint w = 0; w < plan->waves->len; w++)
    {
      const FleetWave *wave = g_ptr_array_index (plan->waves, w);

      *out_largest_wave = MAX (*out_largest_wave, wave->host_indices->len);
      *out_hosts += wave->host_indices->len;
    }
  return TRUE;
}

/* Return the plan over the fewest days in (`current`, MAX_SEARCH_DAYS]
 * that fits, with that number in `out_days`, or NULL when none does.
 * Doubles the range until one fits, then halves the days between the last
 * range that failed and the first that fit.  Once a range fits, the days
 * up to its finish plus the margin are tried first: a range that contains a
 * fitting schedule fits too. */
static FleetPlan *
smallest_range (const FitSearch *search, guint current, guint *out_days)
{
  g_autoptr(FleetPlan) found = NULL;
  guint failed = current;
  guint fits = current;

  while (found == NULL && fits < MAX_SEARCH_DAYS)
    {
      fits = MIN (fits * 2, MAX_SEARCH_DAYS);
      found = plan_over_days (search, fits);
      if (found == NULL)
        failed = fits;
    }
  if (found == NULL)
    return NULL;

  {
    const FleetPlanSchedule *schedule = found->schedule;
    gint64 needed_us = schedule->finish_us + (gint64) schedule->margin_ms * 1000
                       - schedule->from_us;
    guint needed = (guint) ((needed_us + G_TIME_SPAN_DAY - 1) / G_TIME_SPAN_DAY);

    if (needed > failed && needed < fits)
      {
        g_autoptr(FleetPlan) plan = plan_over_days (search, needed);

        if (plan != NULL)
          {
            g_clear_pointer (&found, fleet_plan_free);
            found = g_steal_pointer (&plan);
            fits = needed;
          }
      }
  }

  while (fits - failed > 1)
    {
      guint middle = failed + (fits - failed) / 2;
      g_autoptr(FleetPlan) plan = plan_over_days (search, middle);

      if (plan == NULL)
        failed = middle;
      else
        {
          g_clear_pointer (&found, fleet_plan_free);
          found = g_steal_pointer (&plan);
          fits = middle;
        }
    }

  *out_days = fits;
  return g_steal_pointer (&found);
}

/* Return the plan with the least parallelism in (workflow->parallelism,
 * `most`] that fits, with it in `out_parallelism`, or NULL when even
 * `most` does not.  Halves between the largest that failed and the
 * smallest that fit. */
static FleetPlan *
smallest_parallelism (FleetWorkflow *workflow, guint most, guint *out_parallelism)
{
  g_autoptr(FleetPlan) found = NULL;
  guint failed = workflow->parallelism;
  guint fits = most;

  if (most <= failed)
    return NULL;
  found = plan_with_parallelism (workflow, most);
  if (found == NULL)
    return NULL;

  while (fits - failed > 1)
    {
      guint middle = failed + (fits - failed) / 2;
      g_autoptr(FleetPlan) plan = plan_with_parallelism (workflow, middle);

      if (plan == NULL)
        failed = middle;
      else
        {
          g_clear_pointer (&found, fleet_plan_free);
          found = g_steal_pointer (&plan);
          fits = middle;
        }
    }

  *out_parallelism = fits;
  return g_steal_pointer (&found);
}

/* Plan `workflow` with every host in one wave and all of them busy at
 * once; NULL when even that leaves hosts out. */
static FleetPlan *
plan_one_wave (FleetWorkflow *workflow, guint hosts)
{
  g_autoptr(FleetDiagnostics) diags = fleet_diagnostics_new ();
  GArray *batches = workflow->batches;
  g_autoptr(GArray) one = g_array_new (FALSE, TRUE, sizeof (FleetBatch));
  FleetBatch all = { FLEET_BATCH_PERCENT, 100, { 0 } };
  guint saved = workflow->parallelism;
  FleetPlan *plan;

  g_array_append_val (one, all);
  workflow->batches = one;
  workflow->parallelism = MAX (hosts, 1);
  plan = fleet_planner_build (workflow, diags);
  workflow->batches = batches;
  workflow->parallelism = saved;
  return plan;
}

/* Explain what fits when no range up to MAX_SEARCH_DAYS does: the least
 * parallelism, else one wave, else nothing but other windows. */
static void
report_without_range (FleetWorkflow *workflow, guint largest_wave, guint hosts)
{
  g_autoptr(FleetPlan) plan = NULL;
  g_autofree char *finish = NULL;
  guint parallelism = 0;

  g_printerr ("fleetc: note: no range of windows up to %u days makes every host fit, so a "
              "longer --window-days does not help", MAX_SEARCH_DAYS);

  plan = smallest_parallelism (workflow, largest_wave, &parallelism);
  if (plan != NULL)
    {
      finish = format_finish (plan);
      g_printerr ("; with parallelism %u (now %u) the plan fits and finishes at %s:\n",
                  parallelism, workflow->parallelism, finish);
      print_waves (plan);
      return;
    }

  plan = plan_one_wave (workflow, hosts);
  if (plan != NULL)
    {
      finish = format_finish (plan);
      g_printerr (", nor does more parallelism; with every host in one wave (waves: [100%%]) "
                  "and parallelism %u the plan fits and finishes at %s:\n", hosts, finish);
      print_waves (plan);
      return;
    }

  g_printerr (", nor does more parallelism or a single wave; lengthen the windows of the hosts "
              "named above, or add windows that apply to their groups\n");
}

void
fleetc_report_earliest_fit (const char *workflow_path, const FleetCompileOptions *options)
{
  FitSearch search = { workflow_path, options };
  guint current = options->windows_days != 0 ? options->windows_days : FLEET_WINDOWS_DEFAULT_DAYS;
  g_autoptr(FleetDiagnostics) diags = fleet_diagnostics_new ();
  g_autoptr(FleetWorkflow) workflow = fleet_compile_workflow_file (workflow_path, options, diags);
  g_autoptr(FleetPlan) plan = NULL;
  guint largest_wave = 0;
  guint hosts = 0;
  guint days = 0;

  if (workflow == NULL || workflow->windows == NULL)
    return;
  if (!count_without_windows (workflow, &largest_wave, &hosts))
    return;

  plan = smallest_range (&search, current, &days);
  if (plan != NULL)
    {
      g_autofree char *finish = format_finish (plan);

      g_printerr ("fleetc: note: the smallest range of windows that fits is %u days (now %u); "
                  "compile with --window-days %u, and the plan finishes at %s:\n",
                  days, current, days, finish);
      print_waves (plan);
      return;
    }
  report_without_range (workflow, largest_wave, hosts);
}
