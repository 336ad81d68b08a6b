/* window-freezes.c: the change freezes that leave a host without any
 * maintenance window. */
#include "planner/window-freezes.h"

#include "schema/fleet-diagnostics.h"

/* Freezes named in one message; the rest are counted. */
#define MAX_FREEZES_NAMED 3

/* Quoted names are cut to this many characters. */
#define QUOTE_MAX_CHARS 60

/* Return the windows of `host`'s groups in the range, before freezes. */
static GArray *
host_windows_before_freezes (const FleetWindowCalendar *calendar, const FleetHost *host)
{
  GArray *windows = fleet_window_list_new ();

  if (host->groups->len == 0)
    {
      GArray *copy = fleet_window_list_union (windows, calendar->ungrouped->windows);

      g_array_unref (windows);
      return copy;
    }

  for (guint g = 0; g < host->groups->len; g++)
    {
      const FleetGroupWindows *group = fleet_window_calendar_lookup_group (
        calendar, g_ptr_array_index (host->groups, g));
      GArray *merged;

      if (group == NULL)
        continue;
      merged = fleet_window_list_union (windows, group->windows);
      g_array_unref (windows);
      windows = merged;
    }
  return windows;
}

static gboolean
source_applies (const FleetWindowSource *source, const FleetHost *host)
{
  if (source->applies_to_all)
    return TRUE;
  for (guint i = 0; i < source->applies_to->len; i++)
    for (guint g = 0; g < host->groups->len; g++)
      if (g_str_equal (g_ptr_array_index (source->applies_to, i),
                       g_ptr_array_index (host->groups, g)))
        return TRUE;
  return FALSE;
}

static gboolean
overlaps_any (const GArray *windows, const FleetWindowInterval *interval)
{
  for (guint i = 0; i < windows->len; i++)
    {
      const FleetWindowInterval *window = &g_array_index (windows, FleetWindowInterval, i);

      if (window->start_us < interval->end_us && interval->start_us < window->end_us)
        return TRUE;
    }
  return FALSE;
}

GArray *
fleet_window_host_freezes (const FleetWindowCalendar *calendar, const FleetHost *host)
{
  g_autoptr(GArray) windows = host_windows_before_freezes (calendar, host);
  GArray *freezes = fleet_plan_freezes_new ();

  for (guint i = 0; i < calendar->instances->len; i++)
    {
      const FleetWindowInterval *instance = &g_array_index (calendar->instances,
                                                            FleetWindowInterval, i);
      const FleetWindowSource *source;

      if (instance->source == FLEET_WINDOW_NO_SOURCE)
        continue;
      source = g_ptr_array_index (calendar->sources, instance->source);
      if (source->kind == FLEET_WINDOW_KIND_FREEZE && source_applies (source, host)
          && overlaps_any (windows, instance))
        fleet_plan_freezes_add (freezes, source->name, instance->start_us, instance->end_us);
    }
  return freezes;
}

char *
fleet_window_covering_freezes (const FleetWindowCalendar *calendar, const FleetHost *host)
{
  g_autoptr(GArray) windows = host_windows_before_freezes (calendar, host);
  g_autoptr(GArray) freezes = NULL;
  g_autoptr(GPtrArray) names = g_ptr_array_new ();
  GString *text;

  if (windows->len == 0)
    return NULL;

  freezes = fleet_window_host_freezes (calendar, host);
  for (guint i = 0; i < freezes->len; i++)
    {
      const char *name = g_array_index (freezes, FleetPlanFreeze, i).name;

      if (!g_ptr_array_find_with_equal_func (names, name, g_str_equal, NULL))
        g_ptr_array_add (names, (gpointer) name);
    }

  text = g_string_new (NULL);
  for (guint i = 0; i < MIN (names->len, MAX_FREEZES_NAMED); i++)
    {
      g_autofree char *quoted = fleet_quote_value (g_ptr_array_index (names, i), QUOTE_MAX_CHARS);

      g_string_append_printf (text, "%s%s", i > 0 ? ", " : "", quoted);
    }
  if (names->len > MAX_FREEZES_NAMED)
    g_string_append_printf (text, " and %u more", names->len - MAX_FREEZES_NAMED);
  if (names->len == 0)
    g_string_append (text, "a freeze");
  return g_string_free (text, FALSE);
}
