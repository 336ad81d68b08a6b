/* fleet-clock.h: the one source of time for planning and running.
 *
 * Code that needs the time takes a FleetClock instead of calling the system,
 * so tests can drive time forward without sleeping.  Times are microseconds:
 * `monotonic` for durations and deadlines, `wall` (since the Unix epoch, UTC)
 * for what is written to journals and reports.
 */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

typedef struct FleetClock FleetClock;

struct FleetClock {
  gint64 (*monotonic_us) (const FleetClock *clock);
  gint64 (*wall_us) (const FleetClock *clock);
  gpointer data;
};

/* Return the clock backed by the system; static, never freed. */
const FleetClock *fleet_clock_system (void);

static inline gint64
fleet_clock_monotonic_us (const FleetClock *clock)
{
  return clock->monotonic_us (clock);
}

static inline gint64
fleet_clock_wall_us (const FleetClock *clock)
{
  return clock->wall_us (clock);
}

/* Return `wall_us` as an RFC 3339 UTC time with milliseconds,
 * e.g. "2026-12-04T21:03:07.123Z".  Free with g_free. */
char *fleet_format_wall_time (gint64 wall_us);

G_END_DECLS
