/* fleet-windows-show.c: render a workflow's windows for review. */
#include "cli/fleet-windows-show.h"

#include "cli/fleet-plan-show.h"
#include "schema/fleet-json.h"

static const FleetWindowSource *
source_of (const FleetWindowCalendar *calendar, const FleetWindowInterval *interval)
{
  if (interval->source == FLEET_WINDOW_NO_SOURCE)
    return NULL;
  return g_ptr_array_index (calendar->sources, interval->source);
}

/* Append `seconds` as "3h", "1h30m" or "16d2h". */
static void
append_span (GString *out, gint64 seconds)
{
  gint64 days = seconds / 86400;
  gint64 hours = seconds % 86400 / 3600;
  gint64 minutes = seconds % 3600 / 60;

  if (days > 0)
    g_string_append_printf (out, "%" G_GINT64_FORMAT "d", days);
  if (hours > 0)
    g_string_append_printf (out, "%" G_GINT64_FORMAT "h", hours);
  if (minutes > 0)
    g_string_append_printf (out, "%" G_GINT64_FORMAT "m", minutes);
  if (seconds % 60 > 0 || seconds == 0)
    g_string_append_printf (out, "%" G_GINT64_FORMAT "s", seconds % 60);
}

static void
append_interval_text (GString *out, const FleetWindowCalendar *calendar,
                      const FleetWindowInterval *interval, const char *prefix)
{
  const FleetWindowSource *source = source_of (calendar, interval);
  gint64 start = interval->start_us / G_USEC_PER_SEC;
  gint64 end = interval->end_us / G_USEC_PER_SEC;
  g_autofree char *start_text = fleet_format_utc_seconds (start);
  g_autofree char *end_text = fleet_format_utc_seconds (end);
  g_autofree char *name = NULL;
  g_autofree char *zone = NULL;
  g_autofree char *local_start = NULL;
  g_autofree char *local_end = NULL;

  g_string_append_printf (out, "  %s%s to %s  ", prefix, start_text, end_text);
  append_span (out, end - start);
  if (source == NULL)
    {
      g_string_append (out, "  (no window defined)\n");
      return;
    }

  name = fleet_escape_for_terminal (source->name);
  zone = fleet_escape_for_terminal (fleet_time_zone_get_identifier (source->zone));
  local_start = fleet_format_zoned_seconds (source->zone, start);
  local_end = fleet_format_zoned_seconds (source->zone, end);
  g_string_append_printf (out, "  %s\n      local %s to %s %s\n", name, local_start, local_end,
                          zone);
}

static void
append_group_text (GString *out, const FleetWindowCalendar *calendar,
                   const FleetGroupWindows *group, const char *title)
{
  g_string_append_printf (out, "\n%s: %u window%s, ", title, group->effective->len,
                          group->effective->len == 1 ? "" : "s");
  append_span (out, fleet_window_list_total_us (group->effective) / G_USEC_PER_SEC);
  g_string_append (out, " open\n");

  if (group->windows->len == 0)
    g_string_append (out, "  no window applies to this group: its hosts run only in the windows "
                          "of their other groups\n");

  for (guint i = 0; i < group->effective->len; i++)
    append_interval_text (out, calendar, &g_array_index (group->effective, FleetWindowInterval, i),
                          "");
  for (guint i = 0; i < group->freezes->len; i++)
    append_interval_text (out, calendar, &g_array_index (group->freezes, FleetWindowInterval, i),
                          "frozen ");
}

static void
append_dropped_text (GString *out, const FleetWindowCalendar *calendar)
{
  if (calendar->dropped->len == 0)
    return;

  g_string_append (out, "\nDropped instances (their local start time does not exist, because "
                        "the clocks skip it):\n");
  for (guint i = 0; i < calendar->dropped->len; i++)
    {
      const FleetDroppedInstance *dropped = &g_array_index (calendar->dropped,
                                                            FleetDroppedInstance, i);
      const FleetWindowSource *source = g_ptr_array_index (calendar->sources, dropped->source);
      g_autofree char *name = fleet_escape_for_terminal (source->name);
      g_autofree char *local = fleet_format_local_seconds (dropped->local_seconds);

      g_string_append_printf (out, "  %s  %s %s\n", name, local,
                              fleet_time_zone_get_identifier (source->zone));
    }
}

static gboolean
has_ungrouped_hosts (const FleetWorkflow *workflow)
{
  for (guint i = 0; workflow->inventory != NULL && i < workflow->inventory->hosts->len; i++)
    if (((FleetHost *) g_ptr_array_index (workflow->inventory->hosts, i))->groups->len == 0)
      return TRUE;

  return FALSE;
}

char *
fleet_windows_show_text (const FleetWorkflow *workflow)
{
  const FleetWindowCalendar *calendar = workflow->windows;
  GString *out = g_string_new (NULL);
  g_autofree char *name = fleet_escape_for_terminal (workflow->name);
  g_autofree char *from = fleet_format_utc_seconds (calendar->from_us / G_USEC_PER_SEC);
  g_autofree char *to = fleet_format_utc_seconds (calendar->to_us / G_USEC_PER_SEC);

  g_string_append_printf (out, "Windows of workflow %s from %s to %s, after freezes.\n"
                               "Times are UTC; \"local\" is the time zone of the window's "
                               "definition.\n", name, from, to);
  if (!calendar->restricted)
    g_string_append (out, "No window is defined: hosts may run at any time outside "
                          "their freezes.\n");

  for (guint i = 0; i < calendar->groups->len; i++)
    {
      const FleetGroupWindows *group = g_ptr_array_index (calendar->groups, i);
      g_autofree char *group_name = fleet_escape_for_terminal (group->name);
      g_autofree char *title = g_strdup_printf ("group %s", group_name);

      append_group_text (out, calendar, group, title);
    }
  if (has_ungrouped_hosts (workflow))
    append_group_text (out, calendar, calendar->ungrouped, "hosts in no group");
  append_dropped_text (out, calendar);
  return g_string_free (out, FALSE);
}

static void
json_time (FleetJsonWriter *writer, const char *key, char *text)
{
  fleet_json_key (writer, key);
  fleet_json_string (writer, text);
  g_free (text);
}

static void
append_intervals_json (FleetJsonWriter *writer, const FleetWindowCalendar *calendar,
                       const GArray *list)
{
  fleet_json_begin_array (writer);
  for (guint i = 0; i < list->len; i++)
    {
      const FleetWindowInterval *interval = &g_array_index (list, FleetWindowInterval, i);
      const FleetWindowSource *source = source_of (calendar, interval);
      gint64 start = interval->start_us / G_USEC_PER_SEC;
      gint64 end = interval->end_us / G_USEC_PER_SEC;

      fleet_json_begin_object (writer);
      json_time (writer, "start", fleet_format_utc_seconds (start));
      json_time (writer, "end", fleet_format_utc_seconds (end));
      fleet_json_key (writer, "source");
      fleet_json_string (writer, source != NULL ? source->name : NULL);
      if (source != NULL)
        {
          fleet_json_key (writer, "kind");
          fleet_json_string (writer, fleet_window_kind_to_string (source->kind));
          fleet_json_key (writer, "time_zone");
          fleet_json_string (writer, fleet_time_zone_get_identifier (source->zone));
          json_time (writer, "local_start", fleet_format_zoned_seconds (source->zone, start));
          json_time (writer, "local_end", fleet_format_zoned_seconds (source->zone, end));
          fleet_json_key (writer, "uid");
          fleet_json_string (writer, source->uid);
          fleet_json_key (writer, "calendar");
          fleet_json_string (writer, source->calendar);
        }
      fleet_json_end_object (writer);
    }
  fleet_json_end_array (writer);
}

static void
append_group_json (FleetJsonWriter *writer, const FleetWindowCalendar *calendar,
                   const FleetGroupWindows *group, gboolean named)
{
  fleet_json_begin_object (writer);
  if (named)
    {
      fleet_json_key (writer, "name");
      fleet_json_string (writer, group->name);
    }
  fleet_json_key (writer, "open_seconds");
  fleet_json_int (writer, fleet_window_list_total_us (group->effective) / G_USEC_PER_SEC);
  fleet_json_key (writer, "windows");
  append_intervals_json (writer, calendar, group->effective);
  fleet_json_key (writer, "freezes");
  append_intervals_json (writer, calendar, group->freezes);
  fleet_json_end_object (writer);
}

char *
fleet_windows_show_json (const FleetWorkflow *workflow)
{
  const FleetWindowCalendar *calendar = workflow->windows;
  GString *out = g_string_new (NULL);
  FleetJsonWriter writer;

  fleet_json_writer_init (&writer, out);
  fleet_json_begin_object (&writer);
  fleet_json_key (&writer, "workflow");
  fleet_json_string (&writer, workflow->name);
  json_time (&writer, "from", fleet_format_utc_seconds (calendar->from_us / G_USEC_PER_SEC));
  json_time (&writer, "to", fleet_format_utc_seconds (calendar->to_us / G_USEC_PER_SEC));
  fleet_json_key (&writer, "restricted");
  fleet_json_bool (&writer, calendar->restricted);

  fleet_json_key (&writer, "groups");
  fleet_json_begin_array (&writer);
  for (guint i = 0; i < calendar->groups->len; i++)
    append_group_json (&writer, calendar, g_ptr_array_index (calendar->groups, i), TRUE);
  fleet_json_end_array (&writer);
  fleet_json_key (&writer, "ungrouped");
  append_group_json (&writer, calendar, calendar->ungrouped, FALSE);

  fleet_json_key (&writer, "dropped");
  fleet_json_begin_array (&writer);
  for (guint i = 0; i < calendar->dropped->len; i++)
    {
      const FleetDroppedInstance *dropped = &g_array_index (calendar->dropped,
                                                            FleetDroppedInstance, i);
      const FleetWindowSource *source = g_ptr_array_index (calendar->sources, dropped->source);

      fleet_json_begin_object (&writer);
      fleet_json_key (&writer, "source");
      fleet_json_string (&writer, source->name);
      fleet_json_key (&writer, "time_zone");
      fleet_json_string (&writer, fleet_time_zone_get_identifier (source->zone));
      json_time (&writer, "local_start", fleet_format_local_seconds (dropped->local_seconds));
      fleet_json_end_object (&writer);
    }
  fleet_json_end_array (&writer);
  fleet_json_end_object (&writer);
  g_string_append_c (out, '\n');
  return g_string_free (out, FALSE);
}
