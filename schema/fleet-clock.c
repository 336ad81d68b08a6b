/* fleet-clock.c: the system clock and time formatting. */
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
