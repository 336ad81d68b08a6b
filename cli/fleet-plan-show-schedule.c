/* fleet-plan-show-schedule.c: the windows and the schedule of a plan in
 * `fleetc show`. */
#include "cli/fleet-plan-show-private.h"

#include "schema/fleet-clock.h"
#include "schema/fleet-text.h"
#include "schema/fleet-timezone.h"

/* Return the zone of window set `index` from the system database, or NULL
 * when it has no such zone (a VTIMEZONE of an iCalendar file): times are
 * then shown in UTC only. */
static FleetTimeZone *
window_set_zone (const FleetPlanSchedule *schedule, guint index)
{
  const char *name = g_ptr_array_index (schedule->window_set_zones, index);

  return fleet_time_zone_new_system (name, NULL);
}

/* Format `us` as UTC, followed by the local time in `zone` when there is
 * one and it is not UTC. */
static char *
format_both (const FleetTimeZone *zone, gint64 us)
{
  g_autofree char *utc = fleet_format_utc_seconds (us / G_USEC_PER_SEC);
  g_autofree char *local = NULL;

  if (zone == NULL || g_str_equal (fleet_time_zone_get_identifier (zone), "UTC"))
    return g_steal_pointer (&utc);

  local = fleet_format_zoned_seconds (zone, us / G_USEC_PER_SEC);
  return g_strdup_printf ("%s (%s %s)", utc, local, fleet_time_zone_get_identifier (zone));
}

/* A span of open window time, rounded down (the safe direction for time
 * that is available) to whole seconds, or to whole minutes from one hour
 * up: windows cut at the compile time would otherwise read "3d11h25m26s870ms". */
static char *
format_span (gint64 us)
{
  guint64 seconds = (guint64) MAX (us, 0) / G_USEC_PER_SEC;

  if (seconds >= 3600)
    seconds -= seconds % 60;
  return seconds == 0 ? g_strdup ("0s") : fleet_format_duration (seconds * 1000);
}

static void
append_steps (GString *out, const FleetPlan *plan, const FleetPlanSchedule *schedule)
{
  g_string_append (out, "  step estimates:\n");
  for (guint i = 0; i < plan->steps->len; i++)
    {
      const FleetStep *step = g_ptr_array_index (plan->steps, i);
      g_autofree char *name = fleet_escape_for_terminal (step->name);
      g_autofree char *estimate = fleet_format_duration (
        g_array_index (schedule->step_estimates_ms, guint64, i));

      g_string_append_printf (out, "    %u %s: %s (%s)\n", i + 1, name, estimate,
                              (const char *) g_ptr_array_index (schedule->step_estimate_sources, i));
    }
}

/* The zone a wave's times are shown in: that of its first host. */
static FleetTimeZone *
wave_zone (const FleetPlan *plan, const FleetWave *wave)
{
  guint32 first;

  if (wave->host_indices->len == 0)
    return NULL;
  first = g_array_index (wave->host_indices, guint32, 0);
  return window_set_zone (plan->schedule,
                          g_array_index (plan->schedule->host_window_set, guint32, first));
}

static void
append_waves (GString *out, const FleetPlan *plan, const FleetPlanSchedule *schedule)
{
  for (guint w = 0; w < plan->waves->len; w++)
    {
      const FleetWaveSchedule *wave = &g_array_index (schedule->waves, FleetWaveSchedule, w);
      FleetTimeZone *zone = wave_zone (plan, g_ptr_array_index (plan->waves, w));
      g_autofree char *label = fleet_plan_wave_label (plan, w);
      g_autofree char *shown_label = fleet_escape_for_terminal (label);
      g_autofree char *start = format_both (zone, wave->start_us);
      g_autofree char *latest = format_both (zone, wave->latest_start_us);
      g_autofree char *end = format_both (zone, wave->end_us);

      g_string_append_printf (out, "  %s\n    starts   %s\n    latest   %s\n    ends     %s\n",
                              shown_label, start, latest, end);
      if (zone != NULL)
        fleet_time_zone_unref (zone);
    }
}

static void
append_window_sets (GString *out, const FleetPlanSchedule *schedule)
{
  g_string_append (out, "\nWindows per group, after freezes (times UTC, local in parentheses):\n");
  for (guint i = 0; i < schedule->window_sets->len; i++)
    {
      const GArray *windows = g_ptr_array_index (schedule->window_sets, i);
      g_autofree char *name = fleet_escape_for_terminal (g_ptr_array_index (schedule->window_set_names, i));
      g_autofree char *open = format_span (fleet_window_list_total_us (windows));
      FleetTimeZone *zone = window_set_zone (schedule, i);

      g_string_append_printf (out, "  %s: %u window%s, %s open\n", name, windows->len,
                              windows->len == 1 ? "" : "s", open);
      for (guint k = 0; k < windows->len; k++)
        {
          const FleetWindowInterval *interval = &g_array_index (windows, FleetWindowInterval, k);
          g_autofree char *start = format_both (zone, interval->start_us);
          g_autofree char *end = format_both (zone, interval->end_us);

          g_string_append_printf (out, "    %s to %s\n", start, end);
        }
      if (zone != NULL)
        fleet_time_zone_unref (zone);
    }
}

void
fleet_plan_show_schedule_text (GString *out, const FleetPlan *plan)
{
  const FleetPlanSchedule *schedule = plan->schedule;
  g_autofree char *from = NULL, *to = NULL, *margin = NULL, *finish = NULL, *bound = NULL;
  g_autofree char *gap = NULL;

  if (schedule == NULL)
    return;

  from = fleet_format_utc_seconds (schedule->from_us / G_USEC_PER_SEC);
  to = fleet_format_utc_seconds (schedule->to_us / G_USEC_PER_SEC);
  margin = fleet_format_duration (schedule->margin_ms);
  finish = fleet_format_utc_seconds (schedule->finish_us / G_USEC_PER_SEC);
  bound = fleet_format_utc_seconds (schedule->lower_bound_us / G_USEC_PER_SEC);
  gap = format_span (schedule->finish_us - schedule->lower_bound_us);

  g_string_append (out, "\nSchedule (each host runs within one window: it starts only when "
                        "its window has all its steps' estimates plus the margin left):\n");
  g_string_append_printf (out, "  windows from %s to %s; margin %s; at window end: %s\n", from, to,
                          margin, fleet_at_window_end_to_string (schedule->at_window_end));
  g_string_append_printf (out, "  finishes at %s; no schedule of these waves finishes before %s "
                          "(%s earlier)\n", finish, bound, gap);
  append_steps (out, plan, schedule);
  append_waves (out, plan, schedule);
  append_window_sets (out, schedule);
}

static void
write_time (FleetJsonWriter *json, const char *key, gint64 us)
{
  g_autofree char *text = fleet_format_utc_seconds (us / G_USEC_PER_SEC);

  fleet_json_key (json, key);
  fleet_json_string (json, text);
}

static void
write_windows_json (FleetJsonWriter *json, const FleetPlanSchedule *schedule)
{
  fleet_json_key (json, "windows");
  fleet_json_begin_array (json);
  for (guint i = 0; i < schedule->window_sets->len; i++)
    {
      const GArray *windows = g_ptr_array_index (schedule->window_sets, i);

      fleet_json_begin_object (json);
      fleet_json_key (json, "groups");
      fleet_json_string (json, g_ptr_array_index (schedule->window_set_names, i));
      fleet_json_key (json, "timezone");
      fleet_json_string (json, g_ptr_array_index (schedule->window_set_zones, i));
      fleet_json_key (json, "intervals");
      fleet_json_begin_array (json);
      for (guint k = 0; k < windows->len; k++)
        {
          const FleetWindowInterval *interval = &g_array_index (windows, FleetWindowInterval, k);

          fleet_json_begin_object (json);
          write_time (json, "start", interval->start_us);
          write_time (json, "end", interval->end_us);
          fleet_json_end_object (json);
        }
      fleet_json_end_array (json);
      fleet_json_end_object (json);
    }
  fleet_json_end_array (json);
}

void
fleet_plan_show_schedule_json (FleetJsonWriter *json, const FleetPlan *plan)
{
  const FleetPlanSchedule *schedule = plan->schedule;

  fleet_json_key (json, "schedule");
  if (schedule == NULL)
    {
      fleet_json_null (json);
      return;
    }

  fleet_json_begin_object (json);
  write_time (json, "from", schedule->from_us);
  write_time (json, "to", schedule->to_us);
  fleet_json_key (json, "margin_ms");
  fleet_json_int (json, (gint64) schedule->margin_ms);
  fleet_json_key (json, "at_window_end");
  fleet_json_string (json, fleet_at_window_end_to_string (schedule->at_window_end));
  write_time (json, "finish", schedule->finish_us);
  write_time (json, "lower_bound", schedule->lower_bound_us);

  fleet_json_key (json, "step_estimates");
  fleet_json_begin_array (json);
  for (guint i = 0; i < schedule->step_estimates_ms->len; i++)
    {
      fleet_json_begin_object (json);
      fleet_json_key (json, "estimate_ms");
      fleet_json_int (json, (gint64) g_array_index (schedule->step_estimates_ms, guint64, i));
      fleet_json_key (json, "source");
      fleet_json_string (json, g_ptr_array_index (schedule->step_estimate_sources, i));
      fleet_json_end_object (json);
    }
  fleet_json_end_array (json);

  fleet_json_key (json, "waves");
  fleet_json_begin_array (json);
  for (guint w = 0; w < schedule->waves->len; w++)
    {
      const FleetWaveSchedule *wave = &g_array_index (schedule->waves, FleetWaveSchedule, w);

      fleet_json_begin_object (json);
      write_time (json, "start", wave->start_us);
      write_time (json, "latest_start", wave->latest_start_us);
      write_time (json, "end", wave->end_us);
      fleet_json_end_object (json);
    }
  fleet_json_end_array (json);

  write_windows_json (json, schedule);
  fleet_json_end_object (json);
}
