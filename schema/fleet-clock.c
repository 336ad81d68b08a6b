/* fleet-clock.c: the system clock, a fixed clock, and time formatting. */
#include "schema/fleet-clock.h"

static gint64
system_monotonic_us (const FleetClock *clock)
{
  return g_get_monotonic_time ();
}

static gint64
system_wall_us (const FleetClock *clock)
{
  return g_get_real_time ();
}

const FleetClock *
fleet_clock_system (void)
{
  static const FleetClock system_clock = {
    .monotonic_us = system_monotonic_us,
    .wall_us = system_wall_us,
  };

  return &system_clock;
}

static gint64
fixed_monotonic_us (const FleetClock *clock)
{
  return ((const FleetFixedClock *) clock->data)->monotonic_us;
}

static gint64
fixed_wall_us (const FleetClock *clock)
{
  return ((const FleetFixedClock *) clock->data)->wall_us;
}

void
fleet_fixed_clock_init (FleetFixedClock *fixed, gint64 wall_us)
{
  fixed->clock.monotonic_us = fixed_monotonic_us;
  fixed->clock.wall_us = fixed_wall_us;
  fixed->clock.data = fixed;
  fixed->wall_us = wall_us;
  fixed->monotonic_us = 0;
}

char *
fleet_format_wall_time (gint64 wall_us)
{
  g_autoptr(GDateTime) time = g_date_time_new_from_unix_utc (wall_us / G_USEC_PER_SEC);
  g_autofree char *seconds = NULL;

  if (time == NULL)
    return g_strdup ("invalid-time");

  seconds = g_date_time_format (time, "%Y-%m-%dT%H:%M:%S");
  return g_strdup_printf ("%s.%03dZ", seconds, (int) ((wall_us % G_USEC_PER_SEC) / 1000));
}

char *
fleet_format_utc_seconds (gint64 unix_seconds)
{
  g_autoptr(GDateTime) time = g_date_time_new_from_unix_utc (unix_seconds);

  if (time == NULL)
    return g_strdup ("invalid-time");

  return g_date_time_format (time, "%Y-%m-%dT%H:%M:%SZ");
}

char *
fleet_format_duration (guint64 ms)
{
  static const struct {
    const char *suffix;
    guint64 ms;
  } units[] = {
    { "d", 24 * 3600 * 1000 },
    { "h", 3600 * 1000 },
    { "m", 60 * 1000 },
    { "s", 1000 },
    { "ms", 1 },
  };
  GString *text = g_string_new (NULL);

  for (gsize i = 0; i < G_N_ELEMENTS (units); i++)
    {
      guint64 count = ms / units[i].ms;

      if (count == 0)
        continue;

      g_string_append_printf (text, "%" G_GUINT64_FORMAT "%s", count, units[i].suffix);
      ms -= count * units[i].ms;
    }

  if (text->len == 0)
    g_string_append (text, "0s");

  return g_string_free (text, FALSE);
}
