/* plan-diff-windows.c: compare the windows and schedules of two plans.
 *
 * The planner expands windows over a range that starts at compile time,
 * so two compiles of one workflow carry different intervals at the edges
 * of their ranges.  Intervals are therefore compared only within the
 * overlap of both ranges, and the range itself is reported under
 * SCHEDULE with the planned times, which are forecasts that change with
 * the compile time too.  Window sets are matched by name (the groups they
 * belong to), steps and hosts by name, and waves by position.
 */
#include "cli/plan-diff-private.h"

#include "cli/plan-describe.h"
#include "schema/fleet-plan-schedule.h"

/* Intervals listed per changed window set before the rest are counted. */
#define SHOWN_INTERVALS_MAX 5

static char *
format_instant_us (gint64 us)
{
  g_autoptr(GDateTime) time = g_date_time_new_from_unix_utc (us / G_USEC_PER_SEC);

  if (time == NULL)
    return g_strdup_printf ("%" G_GINT64_FORMAT "us", us);
  return g_date_time_format (time, "%Y-%m-%dT%H:%M:%SZ");
}

static char *
format_duration (guint64 ms)
{
  GString *out = g_string_new (NULL);

  fleet_append_duration (out, ms);
  return g_string_free (out, FALSE);
}

static void
compare_strings (FleetPlanDiff *diff, FleetPlanDiffSection section, const char *subject,
                 const char *field, const char *old_text, const char *new_text)
{
  if (g_strcmp0 (old_text, new_text) != 0)
    fleet_plan_diff_add_change (diff, section, FLEET_PLAN_CHANGE_CHANGED, subject, field,
                                old_text, new_text);
}

static void
compare_instants (FleetPlanDiff *diff, const char *subject, const char *field, gint64 old_us,
                  gint64 new_us)
{
  g_autofree char *old_text = format_instant_us (old_us);
  g_autofree char *new_text = format_instant_us (new_us);

  compare_strings (diff, FLEET_PLAN_DIFF_SCHEDULE, subject, field, old_text, new_text);
}

static gint
find_name (const GPtrArray *names, const char *name)
{
  for (guint i = 0; i < names->len; i++)
    if (g_str_equal (g_ptr_array_index (names, i), name))
      return (gint) i;
  return -1;
}

/* Return the intervals of `windows` (FleetWindowInterval) clipped to
 * [from_us, to_us), empty ones dropped. */
static GArray *
clip_intervals (const GArray *windows, gint64 from_us, gint64 to_us)
{
  GArray *clipped = g_array_new (FALSE, FALSE, sizeof (FleetWindowInterval));

  for (guint i = 0; i < windows->len; i++)
    {
      FleetWindowInterval interval = g_array_index (windows, FleetWindowInterval, i);

      interval.start_us = MAX (interval.start_us, from_us);
      interval.end_us = MIN (interval.end_us, to_us);
      if (interval.start_us < interval.end_us)
        g_array_append_val (clipped, interval);
    }
  return clipped;
}

static gboolean
contains_interval (const GArray *intervals, const FleetWindowInterval *interval)
{
  for (guint i = 0; i < intervals->len; i++)
    {
      const FleetWindowInterval *other = &g_array_index (intervals, FleetWindowInterval, i);

      if (other->start_us == interval->start_us && other->end_us == interval->end_us)
        return TRUE;
    }
  return FALSE;
}

/* Return the intervals of `intervals` that `other` lacks, as
 * "START/END, START/END" (ISO 8601 intervals), at most SHOWN_INTERVALS_MAX
 * of them and then a count, or NULL when there are none. */
static char *
describe_missing (const GArray *intervals, const GArray *other)
{
  GString *out = g_string_new (NULL);
  guint missing = 0;

  for (guint i = 0; i < intervals->len; i++)
    {
      const FleetWindowInterval *interval = &g_array_index (intervals, FleetWindowInterval, i);
      g_autofree char *start = NULL;
      g_autofree char *end = NULL;

      if (contains_interval (other, interval))
        continue;

      missing++;
      if (missing > SHOWN_INTERVALS_MAX)
        continue;
      start = format_instant_us (interval->start_us);
      end = format_instant_us (interval->end_us);
      g_string_append_printf (out, "%s%s/%s", out->len > 0 ? ", " : "", start, end);
    }

  if (missing > SHOWN_INTERVALS_MAX)
    g_string_append_printf (out, " and %u more", missing - SHOWN_INTERVALS_MAX);
  if (missing == 0)
    {
      g_string_free (out, TRUE);
      return NULL;
    }
  return g_string_free (out, FALSE);
}

static char *
describe_window_set (const FleetPlanSchedule *schedule, guint index)
{
  const GArray *windows = g_ptr_array_index (schedule->window_sets, index);

  return g_strdup_printf ("%u window%s, time zone %s", windows->len,
                          windows->len == 1 ? "" : "s",
                          (const char *) g_ptr_array_index (schedule->window_set_zones, index));
}

/* Window sets in the new plan's order, then those only the old plan has. */
static void
compare_window_sets (FleetPlanDiff *diff, const FleetPlanSchedule *old_schedule,
                     const FleetPlanSchedule *new_schedule)
{
  gint64 from_us = MAX (old_schedule->from_us, new_schedule->from_us);
  gint64 to_us = MIN (old_schedule->to_us, new_schedule->to_us);

  for (guint i = 0; i < new_schedule->window_set_names->len; i++)
    {
      const char *name = g_ptr_array_index (new_schedule->window_set_names, i);
      gint old_index = find_name (old_schedule->window_set_names, name);
      g_autofree char *subject = g_strdup_printf ("window set %s", name);
      g_autoptr(GArray) old_windows = NULL;
      g_autoptr(GArray) new_windows = NULL;
      g_autofree char *old_only = NULL;
      g_autofree char *new_only = NULL;

      if (old_index < 0)
        {
          g_autofree char *summary = describe_window_set (new_schedule, i);

          fleet_plan_diff_add_change (diff, FLEET_PLAN_DIFF_WINDOWS, FLEET_PLAN_CHANGE_ADDED,
                                      subject, NULL, NULL, summary);
          continue;
        }

      compare_strings (diff, FLEET_PLAN_DIFF_WINDOWS, subject, "time zone",
                       g_ptr_array_index (old_schedule->window_set_zones, old_index),
                       g_ptr_array_index (new_schedule->window_set_zones, i));

      old_windows = clip_intervals (g_ptr_array_index (old_schedule->window_sets, old_index),
                                    from_us, to_us);
      new_windows = clip_intervals (g_ptr_array_index (new_schedule->window_sets, i), from_us,
                                    to_us);
      old_only = describe_missing (old_windows, new_windows);
      new_only = describe_missing (new_windows, old_windows);
      if (old_only != NULL || new_only != NULL)
        fleet_plan_diff_add_change (diff, FLEET_PLAN_DIFF_WINDOWS, FLEET_PLAN_CHANGE_CHANGED,
                                    subject, "windows", old_only, new_only);
    }

  for (guint i = 0; i < old_schedule->window_set_names->len; i++)
    {
      const char *name = g_ptr_array_index (old_schedule->window_set_names, i);
      g_autofree char *subject = NULL;
      g_autofree char *summary = NULL;

      if (find_name (new_schedule->window_set_names, name) >= 0)
        continue;

      subject = g_strdup_printf ("window set %s", name);
      summary = describe_window_set (old_schedule, i);
      fleet_plan_diff_add_change (diff, FLEET_PLAN_DIFF_WINDOWS, FLEET_PLAN_CHANGE_REMOVED,
                                  subject, NULL, summary, NULL);
    }
}

static gint
find_host (const FleetPlan *plan, const char *name)
{
  for (guint i = 0; i < plan->hosts->len; i++)
    if (g_str_equal (((const FleetHost *) g_ptr_array_index (plan->hosts, i))->name, name))
      return (gint) i;
  return -1;
}

static gint
find_step (const FleetPlan *plan, const char *name)
{
  for (guint i = 0; i < plan->steps->len; i++)
    if (g_str_equal (((const FleetStep *) g_ptr_array_index (plan->steps, i))->name, name))
      return (gint) i;
  return -1;
}

/* Settings, each step's estimate and each host's window set, in the new
 * plan's order. */
static void
compare_window_rules (FleetPlanDiff *diff, const FleetPlan *old_plan, const FleetPlan *new_plan)
{
  const FleetPlanSchedule *old_schedule = old_plan->schedule;
  const FleetPlanSchedule *new_schedule = new_plan->schedule;
  g_autofree char *old_margin = format_duration (old_schedule->margin_ms);
  g_autofree char *new_margin = format_duration (new_schedule->margin_ms);

  compare_strings (diff, FLEET_PLAN_DIFF_WINDOWS, "margin", NULL, old_margin, new_margin);
  compare_strings (diff, FLEET_PLAN_DIFF_WINDOWS, "at window end", NULL,
                   fleet_at_window_end_to_string (old_schedule->at_window_end),
                   fleet_at_window_end_to_string (new_schedule->at_window_end));

  for (guint i = 0; i < new_plan->steps->len; i++)
    {
      const FleetStep *step = g_ptr_array_index (new_plan->steps, i);
      gint old_index = find_step (old_plan, step->name);
      g_autofree char *old_estimate = NULL;
      g_autofree char *new_estimate = NULL;

      if (old_index < 0)
        continue;
      old_estimate = format_duration (g_array_index (old_schedule->step_estimates_ms, guint64,
                                                     old_index));
      new_estimate = format_duration (g_array_index (new_schedule->step_estimates_ms, guint64, i));
      compare_strings (diff, FLEET_PLAN_DIFF_WINDOWS, step->name, "estimate", old_estimate,
                       new_estimate);
    }

  compare_window_sets (diff, old_schedule, new_schedule);

  for (guint i = 0; i < new_plan->hosts->len; i++)
    {
      const FleetHost *host = g_ptr_array_index (new_plan->hosts, i);
      gint old_index = find_host (old_plan, host->name);

      if (old_index < 0)
        continue;
      compare_strings (diff, FLEET_PLAN_DIFF_WINDOWS, host->name, "window set",
                       fleet_plan_schedule_host_window_name (old_schedule, (guint) old_index),
                       fleet_plan_schedule_host_window_name (new_schedule, i));
    }
}

/* The range, the planned finish and each wave's planned times, by
 * position. */
static void
compare_schedule (FleetPlanDiff *diff, const FleetPlanSchedule *old_schedule,
                  const FleetPlanSchedule *new_schedule)
{
  guint n_waves = MIN (old_schedule->waves->len, new_schedule->waves->len);

  compare_instants (diff, "window range", "from", old_schedule->from_us, new_schedule->from_us);
  compare_instants (diff, "window range", "to", old_schedule->to_us, new_schedule->to_us);
  compare_instants (diff, "planned finish", NULL, old_schedule->finish_us,
                    new_schedule->finish_us);
  compare_instants (diff, "earliest possible finish", NULL, old_schedule->lower_bound_us,
                    new_schedule->lower_bound_us);

  for (guint i = 0; i < n_waves; i++)
    {
      const FleetWaveSchedule *old_wave = &g_array_index (old_schedule->waves,
                                                          FleetWaveSchedule, i);
      const FleetWaveSchedule *new_wave = &g_array_index (new_schedule->waves,
                                                          FleetWaveSchedule, i);
      g_autofree char *subject = g_strdup_printf ("wave %u", i + 1);

      compare_instants (diff, subject, "planned start", old_wave->start_us, new_wave->start_us);
      compare_instants (diff, subject, "latest start", old_wave->latest_start_us,
                        new_wave->latest_start_us);
      compare_instants (diff, subject, "planned end", old_wave->end_us, new_wave->end_us);
    }
}

static char *
describe_windows (const FleetPlanSchedule *schedule)
{
  GString *out = g_string_new (NULL);
  guint n = schedule->window_set_names->len;

  g_string_append_printf (out, "%u window set%s", n, n == 1 ? "" : "s");
  for (guint i = 0; i < n; i++)
    g_string_append_printf (out, "%s%s", i == 0 ? ": " : ", ",
                            (const char *) g_ptr_array_index (schedule->window_set_names, i));
  return g_string_free (out, FALSE);
}

void
fleet_plan_diff_compare_windows (FleetPlanDiff *diff,
                                 const FleetPlan *old_plan,
                                 const FleetPlan *new_plan)
{
  if (old_plan->schedule == NULL && new_plan->schedule == NULL)
    return;

  if (old_plan->schedule == NULL)
    {
      g_autofree char *summary = describe_windows (new_plan->schedule);

      fleet_plan_diff_add_change (diff, FLEET_PLAN_DIFF_WINDOWS, FLEET_PLAN_CHANGE_ADDED,
                                  "windows", NULL, NULL, summary);
      return;
    }
  if (new_plan->schedule == NULL)
    {
      g_autofree char *summary = describe_windows (old_plan->schedule);

      fleet_plan_diff_add_change (diff, FLEET_PLAN_DIFF_WINDOWS, FLEET_PLAN_CHANGE_REMOVED,
                                  "windows", NULL, summary, NULL);
      return;
    }

  compare_window_rules (diff, old_plan, new_plan);
  compare_schedule (diff, old_plan->schedule, new_plan->schedule);
}
