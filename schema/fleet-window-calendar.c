/* fleet-window-calendar.c: per-group windows from expanded definitions. */
#include "schema/fleet-window-calendar.h"

FleetWindowSource *
fleet_window_source_new (const char *name, FleetWindowKind kind)
{
  FleetWindowSource *source = g_new0 (FleetWindowSource, 1);

  source->name = g_strdup (name);
  source->kind = kind;
  source->applies_to_all = TRUE;
  source->applies_to = g_ptr_array_new_with_free_func (g_free);
  return source;
}

void
fleet_window_source_free (FleetWindowSource *source)
{
  if (source == NULL)
    return;

  g_free (source->name);
  g_free (source->uid);
  g_free (source->calendar);
  if (source->zone != NULL)
    fleet_time_zone_unref (source->zone);
  g_ptr_array_unref (source->applies_to);
  g_free (source);
}

const char *
fleet_window_kind_to_string (FleetWindowKind kind)
{
  return kind == FLEET_WINDOW_KIND_FREEZE ? "freeze" : "window";
}

static FleetGroupWindows *
group_windows_new (const char *name)
{
  FleetGroupWindows *group = g_new0 (FleetGroupWindows, 1);

  group->name = g_strdup (name);
  return group;
}

static void
group_windows_free (FleetGroupWindows *group)
{
  if (group == NULL)
    return;

  g_free (group->name);
  g_clear_pointer (&group->windows, g_array_unref);
  g_clear_pointer (&group->freezes, g_array_unref);
  g_clear_pointer (&group->effective, g_array_unref);
  g_free (group);
}

FleetWindowCalendar *
fleet_window_calendar_new (gint64 from_us, gint64 to_us)
{
  FleetWindowCalendar *calendar = g_new0 (FleetWindowCalendar, 1);

  calendar->from_us = from_us;
  calendar->to_us = to_us;
  calendar->sources = g_ptr_array_new_with_free_func ((GDestroyNotify) fleet_window_source_free);
  calendar->instances = fleet_window_list_new ();
  calendar->dropped = g_array_new (FALSE, FALSE, sizeof (FleetDroppedInstance));
  calendar->groups = g_ptr_array_new_with_free_func ((GDestroyNotify) group_windows_free);
  calendar->groups_by_name = g_hash_table_new (g_str_hash, g_str_equal);
  return calendar;
}

void
fleet_window_calendar_free (FleetWindowCalendar *calendar)
{
  if (calendar == NULL)
    return;

  g_hash_table_unref (calendar->groups_by_name);
  g_ptr_array_unref (calendar->groups);
  group_windows_free (calendar->ungrouped);
  g_array_unref (calendar->dropped);
  g_array_unref (calendar->instances);
  g_ptr_array_unref (calendar->sources);
  g_free (calendar);
}

guint
fleet_window_calendar_add_source (FleetWindowCalendar *calendar, FleetWindowSource *source)
{
  g_ptr_array_add (calendar->sources, source);
  return calendar->sources->len - 1;
}

void
fleet_window_calendar_add_instance (FleetWindowCalendar *calendar,
                                    guint source,
                                    gint64 start_us,
                                    gint64 end_us)
{
  g_return_if_fail (source < calendar->sources->len);

  if (end_us <= calendar->from_us || start_us >= calendar->to_us)
    return;

  fleet_window_list_append (calendar->instances, start_us, end_us, source);
}

void
fleet_window_calendar_add_dropped (FleetWindowCalendar *calendar, guint source, gint64 local_seconds)
{
  FleetDroppedInstance dropped = { .source = source, .local_seconds = local_seconds };

  g_return_if_fail (source < calendar->sources->len);
  g_array_append_val (calendar->dropped, dropped);
}

/* Return whether `source` applies to hosts of `group` (NULL: hosts in no
 * group, to which only definitions for all hosts apply). */
static gboolean
source_applies (const FleetWindowSource *source, const char *group)
{
  if (source->applies_to_all)
    return TRUE;
  if (group == NULL)
    return FALSE;

  for (guint i = 0; i < source->applies_to->len; i++)
    if (g_str_equal (g_ptr_array_index (source->applies_to, i), group))
      return TRUE;

  return FALSE;
}

/* Collect the instances of `kind` that apply to `group`, clipped to the
 * range and normalized. */
static GArray *
collect_instances (const FleetWindowCalendar *calendar, const char *group, FleetWindowKind kind)
{
  g_autoptr (GArray) collected = fleet_window_list_new ();

  for (guint i = 0; i < calendar->instances->len; i++)
    {
      const FleetWindowInterval *instance = &g_array_index (calendar->instances,
                                                            FleetWindowInterval, i);
      const FleetWindowSource *source = g_ptr_array_index (calendar->sources, instance->source);

      if (source->kind == kind && source_applies (source, group))
        g_array_append_val (collected, *instance);
    }

  return fleet_window_list_clip (collected, calendar->from_us, calendar->to_us);
}

static FleetGroupWindows *
build_group (const FleetWindowCalendar *calendar, const char *name, const char *group)
{
  FleetGroupWindows *windows = group_windows_new (name);

  if (calendar->restricted)
    windows->windows = collect_instances (calendar, group, FLEET_WINDOW_KIND_WINDOW);
  else
    {
      windows->windows = fleet_window_list_new ();
      fleet_window_list_append (windows->windows, calendar->from_us, calendar->to_us,
                                FLEET_WINDOW_NO_SOURCE);
    }

  windows->freezes = collect_instances (calendar, group, FLEET_WINDOW_KIND_FREEZE);
  windows->effective = fleet_window_list_subtract (windows->windows, windows->freezes);
  return windows;
}

void
fleet_window_calendar_build (FleetWindowCalendar *calendar, const GPtrArray *group_names)
{
  g_return_if_fail (calendar->ungrouped == NULL);

  for (guint i = 0; i < group_names->len; i++)
    {
      const char *name = g_ptr_array_index (group_names, i);
      FleetGroupWindows *group;

      if (g_hash_table_contains (calendar->groups_by_name, name))
        continue;

      group = build_group (calendar, name, name);
      g_ptr_array_add (calendar->groups, group);
      g_hash_table_insert (calendar->groups_by_name, group->name, group);
    }

  calendar->ungrouped = build_group (calendar, "", NULL);
}

const FleetGroupWindows *
fleet_window_calendar_lookup_group (const FleetWindowCalendar *calendar, const char *group)
{
  return g_hash_table_lookup (calendar->groups_by_name, group);
}

GArray *
fleet_window_calendar_group_effective (const FleetWindowCalendar *calendar,
                                       const char *group,
                                       gint64 from_us,
                                       gint64 to_us)
{
  const FleetGroupWindows *windows = fleet_window_calendar_lookup_group (calendar, group);

  if (windows == NULL)
    return NULL;

  return fleet_window_list_clip (windows->effective, from_us, to_us);
}

GArray *
fleet_window_calendar_host_effective (const FleetWindowCalendar *calendar,
                                      const char * const *groups,
                                      gsize n_groups,
                                      gint64 from_us,
                                      gint64 to_us)
{
  g_autoptr (GArray) windows = NULL;
  g_autoptr (GArray) freezes = NULL;
  g_autoptr (GArray) effective = NULL;

  g_return_val_if_fail (calendar->ungrouped != NULL, NULL);

  windows = fleet_window_list_union (calendar->ungrouped->windows, NULL);
  freezes = fleet_window_list_union (calendar->ungrouped->freezes, NULL);
  for (gsize i = 0; i < n_groups; i++)
    {
      const FleetGroupWindows *group = fleet_window_calendar_lookup_group (calendar, groups[i]);
      GArray *merged;

      if (group == NULL)
        continue;

      merged = fleet_window_list_union (windows, group->windows);
      g_array_unref (windows);
      windows = merged;
      merged = fleet_window_list_union (freezes, group->freezes);
      g_array_unref (freezes);
      freezes = merged;
    }

  effective = fleet_window_list_subtract (windows, freezes);
  return fleet_window_list_clip (effective, from_us, to_us);
}
