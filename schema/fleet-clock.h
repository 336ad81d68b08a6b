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

/* A clock fixed at one instant, for reproducible output (a compile time
 * taken from SOURCE_DATE_EPOCH) and for tests.  `clock` is the
 * interface to pass on; it stays valid while the FleetFixedClock does. */
typedef struct {
  FleetClock clock;
  gint64 wall_us;
  gint64 monotonic_us;
} FleetFixedClock;

/* Fix `fixed` at `wall_us` (and at monotonic time 0). */
void fleet_fixed_clock_init (FleetFixedClock *fixed, gint64 wall_us);

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

/* Return `unix_seconds` as an RFC 3339 UTC time in whole seconds,
 * e.g. "2026-12-04T21:03:07Z".  Free with g_free. */
char *fleet_format_utc_seconds (gint64 unix_seconds);

/* Format `ms` with the largest units that fit exactly ("1h30m", "500ms";
 * units d, h, m, s, ms). */
char *fleet_format_duration (guint64 ms);

G_END_DECLS
