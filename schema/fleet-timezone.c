/* fleet-timezone.c: time zones, civil time and their conversions. */
#include "schema/fleet-timezone.h"

#include <stdlib.h>
#include <string.h>

G_DEFINE_QUARK (fleet-time-zone-error-quark, fleet_time_zone_error)

struct FleetTimeZone {
  gint ref_count;
  char *identifier;
  GTimeZone *system;             /* set for database zones, else NULL */
  gint32 initial_offset;         /* table zones: offset before the first transition */
  GArray *transitions;           /* table zones: FleetZoneTransition, sorted by instant */
};

/* Looking this far before and after a local time finds both offsets of a
 * change near it, as long as the zone makes no second change within the
 * span (see fleet_time_zone_to_utc). */
#define NEIGHBOUR_SPAN (2 * FLEET_SECONDS_PER_DAY)

/* Return the directory of the system time zone database, which GLib also
 * reads: $TZDIR when set, else /usr/share/zoneinfo. */
static const char *
zoneinfo_directory (void)
{
  const char *directory = g_getenv ("TZDIR");

  return directory != NULL && directory[0] != '\0' ? directory : "/usr/share/zoneinfo";
}

/* Return whether `identifier` looks like a tz database name, so that a path
 * such as "../etc/passwd" never reaches the file system. */
static gboolean
identifier_is_well_formed (const char *identifier)
{
  if (identifier[0] == '\0' || identifier[0] == '/' || strstr (identifier, "..") != NULL
      || strlen (identifier) > 128)
    return FALSE;

  for (const char *p = identifier; *p != '\0'; p++)
    if (!g_ascii_isalnum (*p) && strchr ("/_+-", *p) == NULL)
      return FALSE;

  return TRUE;
}

/* Return whether the database has a compiled zone file for `identifier`. */
static gboolean
zone_file_exists (const char *identifier)
{
  g_autofree char *path = g_build_filename (zoneinfo_directory (), identifier, NULL);
  g_autofree char *contents = NULL;
  gsize length = 0;

  if (!g_file_test (path, G_FILE_TEST_IS_REGULAR)
      || !g_file_get_contents (path, &contents, &length, NULL))
    return FALSE;

  return length >= 4 && memcmp (contents, "TZif", 4) == 0;
}

static FleetTimeZone *
zone_new (const char *identifier)
{
  FleetTimeZone *zone = g_new0 (FleetTimeZone, 1);

  zone->ref_count = 1;
  zone->identifier = g_strdup (identifier);
  return zone;
}

FleetTimeZone *
fleet_time_zone_new_system (const char *identifier, GError **error)
{
  GTimeZone *system;
  FleetTimeZone *zone;

  if (!identifier_is_well_formed (identifier) || !zone_file_exists (identifier)
      || (system = g_time_zone_new_identifier (identifier)) == NULL)
    {
      g_set_error (error, FLEET_TIME_ZONE_ERROR, FLEET_TIME_ZONE_ERROR_UNKNOWN,
                   "unknown time zone \"%s\": the time zone database in %s has no such "
                   "zone; use an IANA name such as Europe/Berlin or America/New_York",
                   identifier, zoneinfo_directory ());
      return NULL;
    }

  zone = zone_new (identifier);
  zone->system = system;
  return zone;
}

FleetTimeZone *
fleet_time_zone_new_utc (void)
{
  return fleet_time_zone_new_from_transitions ("UTC", 0, NULL, 0);
}

static gint
compare_transitions (gconstpointer a, gconstpointer b)
{
  const FleetZoneTransition *left = a;
  const FleetZoneTransition *right = b;

  return (left->utc_seconds > right->utc_seconds) - (left->utc_seconds < right->utc_seconds);
}

FleetTimeZone *
fleet_time_zone_new_from_transitions (const char *identifier,
                                      gint32 initial_offset,
                                      const FleetZoneTransition *transitions,
                                      gsize n_transitions)
{
  FleetTimeZone *zone = zone_new (identifier);

  zone->initial_offset = initial_offset;
  zone->transitions = g_array_sized_new (FALSE, FALSE, sizeof (FleetZoneTransition),
                                         (guint) n_transitions);
  if (n_transitions > 0)
    g_array_append_vals (zone->transitions, transitions, (guint) n_transitions);
  g_array_sort (zone->transitions, compare_transitions);
  return zone;
}

FleetTimeZone *
fleet_time_zone_ref (FleetTimeZone *zone)
{
  g_atomic_int_inc (&zone->ref_count);
  return zone;
}

void
fleet_time_zone_unref (FleetTimeZone *zone)
{
  if (zone == NULL || !g_atomic_int_dec_and_test (&zone->ref_count))
    return;

  if (zone->system != NULL)
    g_time_zone_unref (zone->system);
  if (zone->transitions != NULL)
    g_array_unref (zone->transitions);
  g_free (zone->identifier);
  g_free (zone);
}

const char *
fleet_time_zone_get_identifier (const FleetTimeZone *zone)
{
  return zone->identifier;
}

/* Return the offset of the last transition at or before `utc_seconds`. */
static gint32
table_offset_at (const FleetTimeZone *zone, gint64 utc_seconds)
{
  const FleetZoneTransition *items = (const FleetZoneTransition *) zone->transitions->data;
  guint low = 0;
  guint high = zone->transitions->len;

  while (low < high)
    {
      guint middle = low + (high - low) / 2;

      if (items[middle].utc_seconds <= utc_seconds)
        low = middle + 1;
      else
        high = middle;
    }

  return low == 0 ? zone->initial_offset : items[low - 1].offset_seconds;
}

gint32
fleet_time_zone_offset_at (const FleetTimeZone *zone, gint64 utc_seconds)
{
  if (zone->system != NULL)
    {
      gint interval = g_time_zone_find_interval (zone->system, G_TIME_TYPE_UNIVERSAL, utc_seconds);

      return g_time_zone_get_offset (zone->system, interval);
    }

  return table_offset_at (zone, utc_seconds);
}

/* Return whether reading `local_seconds` with `offset` gives an instant at
 * which the zone really has that offset. */
static gboolean
offset_fits (const FleetTimeZone *zone, gint64 local_seconds, gint32 offset)
{
  return fleet_time_zone_offset_at (zone, local_seconds - offset) == offset;
}

FleetLocalTimeKind
fleet_time_zone_to_utc (const FleetTimeZone *zone, gint64 local_seconds, gint64 *out_utc_seconds)
{
  gint32 before = fleet_time_zone_offset_at (zone, local_seconds - NEIGHBOUR_SPAN);
  gint32 after = fleet_time_zone_offset_at (zone, local_seconds + NEIGHBOUR_SPAN);
  gboolean before_fits = offset_fits (zone, local_seconds, before);
  gboolean after_fits = offset_fits (zone, local_seconds, after);

  if (before == after || (before_fits && !after_fits))
    {
      *out_utc_seconds = local_seconds - before;
      return FLEET_LOCAL_TIME_UNIQUE;
    }

  if (after_fits && !before_fits)
    {
      *out_utc_seconds = local_seconds - after;
      return FLEET_LOCAL_TIME_UNIQUE;
    }

  if (before_fits && after_fits)
    {
      /* The first occurrence is the earlier instant, read with the larger
       * offset. */
      *out_utc_seconds = local_seconds - MAX (before, after);
      return FLEET_LOCAL_TIME_REPEATED;
    }

  *out_utc_seconds = local_seconds - before;
  return FLEET_LOCAL_TIME_SKIPPED;
}

gint64
fleet_time_zone_to_local (const FleetTimeZone *zone, gint64 utc_seconds)
{
  return utc_seconds + fleet_time_zone_offset_at (zone, utc_seconds);
}

static gboolean
is_leap_year (int year)
{
  return (year % 4 == 0 && year % 100 != 0) || year % 400 == 0;
}

static int
days_in_month (int year, int month)
{
  static const int days[] = { 31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31 };

  return month == 2 && is_leap_year (year) ? 29 : days[month - 1];
}

gboolean
fleet_civil_time_is_valid (const FleetCivilTime *civil)
{
  return civil->year >= 1 && civil->year <= 9999 && civil->month >= 1 && civil->month <= 12
         && civil->day >= 1 && civil->day <= days_in_month (civil->year, civil->month)
         && civil->hour >= 0 && civil->hour <= 23 && civil->minute >= 0 && civil->minute <= 59
         && civil->second >= 0 && civil->second <= 59;
}

/* Days since 1970-01-01 of a proleptic Gregorian date (Howard Hinnant's
 * days_from_civil algorithm). */
static gint64
days_from_civil (gint64 year, int month, int day)
{
  gint64 era;
  gint64 year_of_era;
  gint64 day_of_year;
  gint64 day_of_era;

  year -= month <= 2;
  era = (year >= 0 ? year : year - 399) / 400;
  year_of_era = year - era * 400;
  day_of_year = (153 * (month + (month > 2 ? -3 : 9)) + 2) / 5 + day - 1;
  day_of_era = year_of_era * 365 + year_of_era / 4 - year_of_era / 100 + day_of_year;
  return era * 146097 + day_of_era - 719468;
}

gint64
fleet_civil_time_to_seconds (const FleetCivilTime *civil)
{
  return days_from_civil (civil->year, civil->month, civil->day) * FLEET_SECONDS_PER_DAY
         + civil->hour * 3600 + civil->minute * 60 + civil->second;
}

void
fleet_civil_time_from_seconds (gint64 local_seconds, FleetCivilTime *out)
{
  gint64 days = local_seconds / FLEET_SECONDS_PER_DAY;
  gint64 rest = local_seconds % FLEET_SECONDS_PER_DAY;
  gint64 era;
  gint64 day_of_era;
  gint64 year_of_era;
  gint64 day_of_year;
  gint64 month_index;

  if (rest < 0)
    {
      rest += FLEET_SECONDS_PER_DAY;
      days--;
    }

  /* Howard Hinnant's civil_from_days algorithm. */
  days += 719468;
  era = (days >= 0 ? days : days - 146096) / 146097;
  day_of_era = days - era * 146097;
  year_of_era = (day_of_era - day_of_era / 1460 + day_of_era / 36524 - day_of_era / 146096) / 365;
  day_of_year = day_of_era - (365 * year_of_era + year_of_era / 4 - year_of_era / 100);
  month_index = (5 * day_of_year + 2) / 153;

  out->day = (int) (day_of_year - (153 * month_index + 2) / 5 + 1);
  out->month = (int) (month_index < 10 ? month_index + 3 : month_index - 9);
  out->year = (int) (year_of_era + era * 400 + (out->month <= 2));
  out->hour = (int) (rest / 3600);
  out->minute = (int) (rest % 3600 / 60);
  out->second = (int) (rest % 60);
}

int
fleet_civil_weekday (gint64 local_seconds)
{
  gint64 days = local_seconds / FLEET_SECONDS_PER_DAY;

  if (local_seconds % FLEET_SECONDS_PER_DAY < 0)
    days--;

  /* 1970-01-01 was a Thursday (ISO weekday 4). */
  return (int) (((days % 7) + 7 + 3) % 7) + 1;
}

/* Read exactly `n_digits` digits from `*cursor` and advance it. */
static gboolean
read_number (const char **cursor, int n_digits, int *out)
{
  int value = 0;

  for (int i = 0; i < n_digits; i++)
    {
      if (!g_ascii_isdigit ((*cursor)[i]))
        return FALSE;
      value = value * 10 + ((*cursor)[i] - '0');
    }

  *cursor += n_digits;
  *out = value;
  return TRUE;
}

/* Read "YYYY-MM-DD" and, unless `date_only_ok` allows it to end there,
 * "THH:MM[:SS]".  Leaves `*cursor` after what was read. */
static gboolean
read_civil (const char **cursor, gboolean date_only_ok, FleetCivilTime *out)
{
  FleetCivilTime civil = { 0 };
  const char *p = *cursor;

  if (!read_number (&p, 4, &civil.year) || *p++ != '-' || !read_number (&p, 2, &civil.month)
      || *p++ != '-' || !read_number (&p, 2, &civil.day))
    return FALSE;

  if (*p == '\0' && date_only_ok)
    goto done;

  if ((*p != 'T' && *p != 't' && *p != ' ') || (p++, !read_number (&p, 2, &civil.hour))
      || *p++ != ':' || !read_number (&p, 2, &civil.minute))
    return FALSE;

  if (*p == ':' && (p++, !read_number (&p, 2, &civil.second)))
    return FALSE;

done:
  if (!fleet_civil_time_is_valid (&civil))
    return FALSE;

  *cursor = p;
  *out = civil;
  return TRUE;
}

gboolean
fleet_parse_local_date_time (const char *text, gint64 *out_local_seconds, GError **error)
{
  const char *cursor = text;
  FleetCivilTime civil;

  if (!read_civil (&cursor, FALSE, &civil))
    {
      g_set_error (error, FLEET_TIME_ZONE_ERROR, FLEET_TIME_ZONE_ERROR_INVALID,
                   "expected a local date and time such as 2025-01-07T02:00, with a real "
                   "date and a time from 00:00 to 23:59:59");
      return FALSE;
    }

  if (*cursor != '\0')
    {
      g_set_error (error, FLEET_TIME_ZONE_ERROR, FLEET_TIME_ZONE_ERROR_INVALID,
                   "the time is local to \"timezone\", so it takes no \"Z\" or UTC offset; "
                   "remove \"%s\"", cursor);
      return FALSE;
    }

  *out_local_seconds = fleet_civil_time_to_seconds (&civil);
  return TRUE;
}

/* Read "Z", "+HH:MM" or "-HH:MM" as seconds east of UTC. */
static gboolean
read_offset (const char *p, gint32 *out_offset)
{
  int hours;
  int minutes;
  int sign;

  if ((*p == 'Z' || *p == 'z') && p[1] == '\0')
    {
      *out_offset = 0;
      return TRUE;
    }

  if (*p != '+' && *p != '-')
    return FALSE;
  sign = *p++ == '-' ? -1 : 1;
  if (!read_number (&p, 2, &hours) || *p++ != ':' || !read_number (&p, 2, &minutes)
      || *p != '\0' || hours > 23 || minutes > 59)
    return FALSE;

  *out_offset = sign * (hours * 3600 + minutes * 60);
  return TRUE;
}

gboolean
fleet_parse_instant (const char *text, gint64 *out_utc_seconds, GError **error)
{
  const char *cursor = text;
  FleetCivilTime civil;
  gint32 offset = 0;

  if (!read_civil (&cursor, TRUE, &civil) || (*cursor != '\0' && !read_offset (cursor, &offset))
      || (*cursor == '\0' && strlen (text) != 10))
    {
      g_set_error (error, FLEET_TIME_ZONE_ERROR, FLEET_TIME_ZONE_ERROR_INVALID,
                   "invalid time \"%s\": use a date (2025-03-30, meaning 00:00 UTC) or an "
                   "RFC 3339 time with Z or an offset (2025-03-30T01:00:00Z)", text);
      return FALSE;
    }

  *out_utc_seconds = fleet_civil_time_to_seconds (&civil) - offset;
  return TRUE;
}

char *
fleet_format_local_seconds (gint64 local_seconds)
{
  FleetCivilTime civil;

  fleet_civil_time_from_seconds (local_seconds, &civil);
  return g_strdup_printf ("%04d-%02d-%02dT%02d:%02d:%02d", civil.year, civil.month, civil.day,
                          civil.hour, civil.minute, civil.second);
}

char *
fleet_format_zoned_seconds (const FleetTimeZone *zone, gint64 utc_seconds)
{
  gint32 offset = fleet_time_zone_offset_at (zone, utc_seconds);
  gint32 magnitude = ABS (offset);
  g_autofree char *local = fleet_format_local_seconds (utc_seconds + offset);

  if (magnitude % 60 != 0)
    return g_strdup_printf ("%s%c%02d:%02d:%02d", local, offset < 0 ? '-' : '+',
                            magnitude / 3600, magnitude % 3600 / 60, magnitude % 60);

  return g_strdup_printf ("%s%c%02d:%02d", local, offset < 0 ? '-' : '+', magnitude / 3600,
                          magnitude % 3600 / 60);
}
