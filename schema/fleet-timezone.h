/* fleet-timezone.h: civil (wall-clock) time and its conversion to UTC.
 *
 * A FleetTimeZone maps UTC instants to UTC offsets.  It comes either from
 * the system time zone database (/usr/share/zoneinfo, read through
 * GTimeZone) or from a table of transitions, which the iCalendar importer
 * builds from a file's VTIMEZONE.  Zones are immutable and reference
 * counted.
 *
 * Civil time is counted as "local seconds": seconds since 1970-01-01 00:00
 * on the zone's wall clock, as if that clock were UTC.  Converting local
 * seconds to UTC follows RFC 5545, section 3.3.5: a repeated local time
 * (autumn overlap) means its first occurrence, and a skipped local time
 * (spring-forward gap) is read with the UTC offset in force before the
 * change.  The caller learns which case applied and decides, for example,
 * to drop a recurrence instance whose start was skipped.
 */
#pragma once

#include <glib.h>

#include "schema/fleet-clock.h"

G_BEGIN_DECLS

#define FLEET_TIME_ZONE_ERROR (fleet_time_zone_error_quark ())

typedef enum {
  FLEET_TIME_ZONE_ERROR_UNKNOWN,   /* no such zone in the time zone database */
  FLEET_TIME_ZONE_ERROR_INVALID,   /* a date-time text that does not parse */
} FleetTimeZoneError;

GQuark fleet_time_zone_error_quark (void);

typedef struct FleetTimeZone FleetTimeZone;

/* One change of UTC offset: from `utc_seconds` on, the offset is
 * `offset_seconds` (east of UTC positive). */
typedef struct {
  gint64 utc_seconds;
  gint32 offset_seconds;
} FleetZoneTransition;

/* Return the zone named `identifier` (an IANA name such as "Europe/Berlin")
 * from the system time zone database, or NULL and
 * FLEET_TIME_ZONE_ERROR_UNKNOWN when the database has no such file.  POSIX
 * TZ strings ("CET-1CEST") are rejected, so a typo cannot pass as a rule. */
FleetTimeZone *fleet_time_zone_new_system (const char *identifier, GError **error);

/* Return the fixed-offset zone UTC. */
FleetTimeZone *fleet_time_zone_new_utc (void);

/* Return a zone with `initial_offset` before the first transition and the
 * `n_transitions` given transitions after it (copied, sorted here). */
FleetTimeZone *fleet_time_zone_new_from_transitions (const char *identifier,
                                                     gint32 initial_offset,
                                                     const FleetZoneTransition *transitions,
                                                     gsize n_transitions);

FleetTimeZone *fleet_time_zone_ref (FleetTimeZone *zone);
void fleet_time_zone_unref (FleetTimeZone *zone);

/* Return the zone's name as the workflow or the VTIMEZONE wrote it;
 * borrowed. */
const char *fleet_time_zone_get_identifier (const FleetTimeZone *zone);

/* Return the UTC offset in seconds in force at `utc_seconds`. */
gint32 fleet_time_zone_offset_at (const FleetTimeZone *zone, gint64 utc_seconds);

/* How a local time maps onto UTC. */
typedef enum {
  FLEET_LOCAL_TIME_UNIQUE,     /* exactly one instant */
  FLEET_LOCAL_TIME_REPEATED,   /* clocks went back: two instants, the first is used */
  FLEET_LOCAL_TIME_SKIPPED,    /* clocks went forward over it: read with the offset before */
} FleetLocalTimeKind;

/* Convert `local_seconds` in `zone` to UTC seconds in `out_utc_seconds`,
 * following the rules in the header comment.
 * NOTE: the conversion compares the offsets two days before and after, so
 * a zone that changes its offset twice within two days (no current rule
 * does) may resolve a time near those changes wrongly. */
FleetLocalTimeKind fleet_time_zone_to_utc (const FleetTimeZone *zone,
                                           gint64 local_seconds,
                                           gint64 *out_utc_seconds);

/* Return the local seconds of `utc_seconds` in `zone`. */
gint64 fleet_time_zone_to_local (const FleetTimeZone *zone, gint64 utc_seconds);

/* A broken-down civil date and time. */
typedef struct {
  int year;
  int month;     /* 1 to 12 */
  int day;       /* 1 to 31 */
  int hour;
  int minute;
  int second;
} FleetCivilTime;

#define FLEET_SECONDS_PER_DAY G_GINT64_CONSTANT (86400)

/* Return whether the fields name a real date (leap years counted) and a
 * time from 00:00:00 to 23:59:59. */
gboolean fleet_civil_time_is_valid (const FleetCivilTime *civil);

/* Convert between broken-down civil time and local seconds (proleptic
 * Gregorian calendar). */
gint64 fleet_civil_time_to_seconds (const FleetCivilTime *civil);
void fleet_civil_time_from_seconds (gint64 local_seconds, FleetCivilTime *out);

/* Return the ISO weekday of `local_seconds`: 1 for Monday to 7 for Sunday. */
int fleet_civil_weekday (gint64 local_seconds);

/* Parse a local date-time "YYYY-MM-DDTHH:MM" or "YYYY-MM-DDTHH:MM:SS" (a
 * space may replace the T).  A trailing "Z" or UTC offset is rejected,
 * because the time is local to a separately named zone. */
gboolean fleet_parse_local_date_time (const char *text, gint64 *out_local_seconds, GError **error);

/* Parse an instant for the command line: an RFC 3339 date-time with "Z" or
 * an offset ("2025-03-30T01:00:00Z", "2025-03-30T03:00+02:00"), or a date
 * alone, which means 00:00 UTC. */
gboolean fleet_parse_instant (const char *text, gint64 *out_utc_seconds, GError **error);

/* Return "2025-03-30T02:30:00" for `local_seconds`.  Free with g_free. */
char *fleet_format_local_seconds (gint64 local_seconds);

/* fleet_format_utc_seconds (schema/fleet-clock.h) gives "...Z" for UTC. */

/* Return `utc_seconds` as local time in `zone` with its offset,
 * "2025-03-30T03:30:00+02:00".  Free with g_free. */
char *fleet_format_zoned_seconds (const FleetTimeZone *zone, gint64 utc_seconds);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (FleetTimeZone, fleet_time_zone_unref)

G_END_DECLS
