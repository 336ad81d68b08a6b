/* fleetc-window-fit.c: the smallest change that makes every host fit its
 * maintenance windows, after a compile failed because some did not. */
#include "cli/fleetc-window-fit.h"

#include "planner/fleet-planner.h"
#include "schema/fleet-clock.h"

/* The maximum range searched, in days: a year contains at least one instance
 * of every yearly rule.  Each try expands every window and plans the whole
 * fleet again, so the search stops there rather than at the 3660 days
 * --window-days accepts. */
#define MAX_SEARCH_DAYS 366u

typedef struct {
  const char *workflow_path;
  const FleetCompileOptions *options;
} FitSearch;

/* A change to the workflow that the search tries besides the range. */
typedef struct {
  guint parallelism;   /* 0: the workflow's own */
  gboolean one_wave;   /* every host in one wave */
} FitChange;

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

/* Return the start of the earliest window of any window set. */
static gint64
first_window_start (const FleetPlanSchedule *schedule)
{
  gint64 first = G_MAXINT64;

  for (guint i = 0; i < schedule->window_sets->len; i++)
    {
      const GArray *windows = g_ptr_array_index (schedule->window_sets, i);

      if (windows->len > 0)
        first = MIN (first, g_array_index (windows, FleetWindowInterval, 0).start_us);
    }
  return first;
}

/* Plan `workflow` with `change` applied; NULL when hosts do not fit.  The
 * workflow is left as it was. */
static FleetPlan *
plan_changed (FleetWorkflow *workflow, const FitChange *change)
{
  g_autoptr(FleetDiagnostics) diags = fleet_diagnostics_new ();
  g_autoptr(GArray) one = g_array_new (FALSE, TRUE, sizeof (FleetBatch));
  FleetBatch all = { FLEET_BATCH_PERCENT, 100, { 0 } };
  GArray *batches = workflow->batches;
  guint parallelism = workflow->parallelism;
  FleetPlan *plan;

  g_array_append_val (one, all);
  if (change->one_wave)
    workflow->batches = one;
  if (change->parallelism != 0)
    workflow->parallelism = change->parallelism;
  plan = fleet_planner_build (workflow, diags);
  workflow->batches = batches;
  workflow->parallelism = parallelism;
  return plan;
}

/* Compile over `days` days of windows; NULL when it fails.  The
 * diagnostics are dropped: the first compile printed them. */
static FleetWorkflow *
compile_over_days (const FitSearch *search, guint days)
{
  g_autoptr(FleetDiagnostics) diags = fleet_diagnostics_new ();
  g_autoptr(FleetWorkflow) workflow = NULL;
  FleetCompileOptions longer = *search->options;

  longer.windows_days = days;
  workflow = fleet_compile_workflow_file (search->workflow_path, &longer, diags);
  if (workflow == NULL || workflow->windows == NULL)
    return NULL;
  return g_steal_pointer (&workflow);
}

/* Compile over `days` days of windows and plan with `change`; NULL when
 * it fails. */
static FleetPlan *
plan_over_days (const FitSearch *search, guint days, const FitChange *change)
{
  g_autoptr(FleetWorkflow) workflow = compile_over_days (search, days);

  if (workflow == NULL)
    return NULL;
  return plan_changed (workflow, change);
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

/* Return the plan with `change` over the fewest days in (`current`,
 * MAX_SEARCH_DAYS] that fits, with that number in `out_days`, or NULL when
 * none does.  Doubles the range until one fits, then halves the days
 * between the last range that failed and the first that fit.  Once a
 * range fits, the days up to its finish plus the margin are tried first,
 * because a range that contains a fitting schedule fits too. */
static FleetPlan *
smallest_range (const FitSearch *search, guint current, const FitChange *change, guint *out_days)
{
  g_autoptr(FleetPlan) found = NULL;
  guint failed = current;
  guint fits = current;

  while (found == NULL && fits < MAX_SEARCH_DAYS)
    {
      fits = MIN (fits * 2, MAX_SEARCH_DAYS);
      found = plan_over_days (search, fits, change);
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
        g_autoptr(FleetPlan) plan = plan_over_days (search, needed, change);

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
      g_autoptr(FleetPlan) plan = plan_over_days (search, middle, change);

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

/* Return the least parallelism in (workflow->parallelism, `most`] with
 * which `workflow` fits, or 0 when even `most` does not.  Halves between
 * the largest that failed and the smallest that fit. */
static guint
smallest_parallelism (FleetWorkflow *workflow, guint most)
{
  guint failed = workflow->parallelism;
  guint fits = most;
  g_autoptr(FleetPlan) plan = NULL;

  if (most <= failed)
    return 0;
  plan = plan_changed (workflow, &(FitChange) { most, FALSE });
  if (plan == NULL)
    return 0;

  while (fits - failed > 1)
    {
      guint middle = failed + (fits - failed) / 2;
      g_autoptr(FleetPlan) tried = plan_changed (workflow, &(FitChange) { middle, FALSE });

      if (tried == NULL)
        failed = middle;
      else
        fits = middle;
    }
  return fits;
}

/* Print the end of the note for `change`, which fits within
 * MAX_SEARCH_DAYS: with the current range when it fits there, else with
 * the fewest days that fit.  `change_text` describes the change. */
static void
report_change (const FitSearch *search, guint current, const FitChange *change,
               const char *change_text)
{
  g_autoptr(FleetPlan) plan = plan_over_days (search, current, change);
  g_autofree char *finish = NULL;
  guint days = current;

  if (plan == NULL)
    plan = smallest_range (search, current, change, &days);
  if (plan == NULL)
    {
      g_printerr ("; %s fits only over %u days of windows\n", change_text, MAX_SEARCH_DAYS);
      return;
    }

  finish = format_finish (plan);
  if (days == current)
    g_printerr ("; %s the plan fits and finishes at %s:\n", change_text, finish);
  else
    g_printerr ("; %s and --window-days %u the plan fits and finishes at %s:\n", change_text, days,
                finish);
  print_waves (plan);
}

/* Explain what fits when no range up to MAX_SEARCH_DAYS does at the
 * workflow's parallelism: the least parallelism, else one wave, else
 * nothing but other windows.  Both are searched over MAX_SEARCH_DAYS days
 * of windows, then the range is made as short as they allow. */
static void
report_without_range (const FitSearch *search, guint current)
{
  g_autoptr(FleetWorkflow) workflow = compile_over_days (search, MAX (current, MAX_SEARCH_DAYS));
  g_autofree char *change_text = NULL;
  g_autoptr(FleetPlan) one_wave = NULL;
  guint largest_wave = 0;
  guint hosts = 0;
  guint parallelism;

  if (workflow == NULL || !count_without_windows (workflow, &largest_wave, &hosts))
    return;

  g_printerr ("fleetc: note: no range of windows up to %u days makes every host fit with "
              "parallelism %u, so a longer --window-days alone does not help",
              MAX_SEARCH_DAYS, workflow->parallelism);

  parallelism = smallest_parallelism (workflow, largest_wave);
  if (parallelism != 0)
    {
      change_text = g_strdup_printf ("with parallelism %u", parallelism);
      report_change (search, current, &(FitChange) { parallelism, FALSE }, change_text);
      return;
    }

  one_wave = plan_changed (workflow, &(FitChange) { MAX (hosts, 1), TRUE });
  if (one_wave != NULL)
    {
      change_text = g_strdup_printf ("nor does more parallelism; with every host in one wave "
                              "(waves: [100%%]) and parallelism %u", MAX (hosts, 1));
      report_change (search, current, &(FitChange) { MAX (hosts, 1), TRUE }, change_text);
      return;
    }

  g_printerr (", nor does more parallelism or a single wave; lengthen the windows of the hosts "
              "named above, or add windows that apply to their groups\n");
}

/* After a longer range was found to fit, say which parallelism would fit
 * the current range instead, when one does: an admin with a fixed change
 * window would rather run more hosts at once than wait for later windows. */
static void
report_parallelism_in_range (FleetWorkflow *workflow, guint largest_wave, guint current)
{
  guint parallelism = smallest_parallelism (workflow, largest_wave);
  g_autoptr(FleetPlan) plan = NULL;
  g_autofree char *finish = NULL;

  if (parallelism == 0)
    return;

  plan = plan_changed (workflow, &(FitChange) { parallelism, FALSE });
  finish = format_finish (plan);
  g_printerr ("fleetc: note: or keep the range of %u days and raise parallelism to %u (now %u); "
              "the plan then finishes at %s:\n", current, parallelism, workflow->parallelism,
              finish);
  print_waves (plan);
}

void
fleetc_report_earliest_fit (const char *workflow_path, const FleetCompileOptions *options)
{
  FitSearch search = { workflow_path, options };
  guint current = options->windows_days != 0 ? options->windows_days : FLEET_WINDOWS_DEFAULT_DAYS;
  g_autoptr(FleetWorkflow) workflow = compile_over_days (&search, current);
  g_autoptr(FleetPlan) plan = NULL;
  guint largest_wave = 0;
  guint hosts = 0;
  guint days = 0;

  if (workflow == NULL || !count_without_windows (workflow, &largest_wave, &hosts))
    return;

  plan = smallest_range (&search, current, &(FitChange) { 0, FALSE }, &days);
  if (plan != NULL)
    {
      g_autofree char *finish = format_finish (plan);
      gint64 first_us = first_window_start (plan->schedule);
      gint64 current_end_us = plan->schedule->from_us + (gint64) current * G_TIME_SPAN_DAY;

      g_printerr ("fleetc: note: ");
      if (first_us != G_MAXINT64 && first_us >= current_end_us)
        {
          g_autofree char *first = fleet_format_utc_seconds (first_us / G_USEC_PER_SEC);

          g_printerr ("the first window opens at %s, after the current range of %u days ends; ",
                      first, current);
        }
      g_printerr ("the smallest range of windows that fits is %u days (now %u); compile with "
                  "--window-days %u, and the plan finishes at %s:\n", days, current, days, finish);
      print_waves (plan);
      report_parallelism_in_range (workflow, largest_wave, current);
      return;
    }
  report_without_range (&search, current);
}
