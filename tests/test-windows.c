/* test-windows.c: maintenance windows, freezes and iCalendar import.
 *
 * Every instant is computed from given times; nothing reads the clock.
 */
#include <string.h>

#include <glib/gstdio.h>

#include "compiler/fleet-compiler.h"
#include "compiler/ical-import.h"
#include "schema/fleet-timezone.h"
#include "schema/fleet-window-calendar.h"
#include "schema/fleet-window.h"
#include "tests/test-helpers.h"

#define HOUR_US (G_GINT64_CONSTANT (3600) * G_USEC_PER_SEC)

typedef struct {
  char *dir;
  FleetDiagnostics *diags;
} Fixture;

static void
fixture_set_up (Fixture *fixture, gconstpointer data)
{
  fixture->dir = fleet_test_make_dir ("fleet-windows-XXXXXX");
  fixture->diags = fleet_diagnostics_new ();
}

static void
fixture_tear_down (Fixture *fixture, gconstpointer data)
{
  fleet_test_remove_tree (fixture->dir);
  g_free (fixture->dir);
  fleet_diagnostics_free (fixture->diags);
}

static gint64
instant_us (const char *text)
{
  g_autoptr (GError) error = NULL;
  gint64 seconds = 0;

  g_assert_true (fleet_parse_instant (text, &seconds, &error));
  g_assert_no_error (error);
  return seconds * G_USEC_PER_SEC;
}

/* Return "2025-03-28T01:30Z/2025-03-28T02:30Z", the form of the expected
 * values below. */
static char *
format_interval (const FleetWindowInterval *interval)
{
  g_autofree char *start = fleet_format_utc_seconds (interval->start_us / G_USEC_PER_SEC);
  g_autofree char *end = fleet_format_utc_seconds (interval->end_us / G_USEC_PER_SEC);

  g_assert_true (g_str_has_suffix (start, ":00Z") && g_str_has_suffix (end, ":00Z"));
  start[strlen (start) - 4] = '\0';
  end[strlen (end) - 4] = '\0';
  return g_strdup_printf ("%sZ/%sZ", start, end);
}

/* Return the instances of the source whose UID or name is `id`, formatted
 * and joined by spaces. */
static char *
instances_of (const FleetWindowCalendar *calendar, const char *id)
{
  g_autoptr (GString) out = g_string_new (NULL);
  gboolean found = FALSE;

  for (guint i = 0; i < calendar->instances->len; i++)
    {
      const FleetWindowInterval *interval = &g_array_index (calendar->instances,
                                                            FleetWindowInterval, i);
      const FleetWindowSource *source = g_ptr_array_index (calendar->sources, interval->source);
      g_autofree char *text = NULL;

      if (g_strcmp0 (source->uid, id) != 0 && g_strcmp0 (source->name, id) != 0)
        continue;
      found = TRUE;
      text = format_interval (interval);
      g_string_append_printf (out, "%s%s", out->len > 0 ? " " : "", text);
    }

  if (!found)
    g_error ("no instance of \"%s\"", id);
  return g_strdup (out->str);
}

/* Return a normalized list formatted as instances_of does. */
static char *
format_list (const GArray *list)
{
  g_autoptr (GString) out = g_string_new (NULL);

  for (guint i = 0; i < list->len; i++)
    {
      g_autofree char *text = format_interval (&g_array_index (list, FleetWindowInterval, i));

      g_string_append_printf (out, "%s%s", out->len > 0 ? " " : "", text);
    }
  return g_strdup (out->str);
}

/* Return all diagnostics as text, for assertions on messages, and log
 * them so that a failed assertion shows what was reported. */
static char *
diagnostics_text (const Fixture *fixture)
{
  char *text = fleet_diagnostics_format (fixture->diags);

  g_test_message ("diagnostics:\n%s", text);
  return text;
}

static char *
write_file (const Fixture *fixture, const char *name, const char *text)
{
  return fleet_test_write_file_in (fixture->dir, name, text);
}

static const char inventory_text[] =
  "hosts:\n"
  "  web01: {}\n"
  "  web02: {}\n"
  "  db01: {}\n"
  "  lone01: {}\n"
  "groups:\n"
  "  web: [web01, web02]\n"
  "  db: [db01]\n";

/* Write a workflow with `windows_text` (its windows and freezes keys) and
 * compile it with windows expanded over [from, to). */
static FleetWorkflow *
compile_windows (Fixture *fixture, const char *windows_text, const char *from, const char *to)
{
  g_autofree char *inventory = write_file (fixture, "inventory.yaml", inventory_text);
  g_autofree char *text = g_strdup_printf ("name: w\ninventory: inventory.yaml\n"
                                           "target: {all: true}\n"
                                           "steps:\n  - {name: a, run: \"true\", timeout: 5s}\n"
                                           "%s", windows_text);
  g_autofree char *path = write_file (fixture, "workflow.yaml", text);
  FleetCompileOptions options = {
    .windows_from_us = instant_us (from),
    .windows_to_us = instant_us (to),
  };

  return fleet_compile_workflow (path, &options, fixture->diags);
}

/* Compile and expect success; returns the calendar's workflow. */
static FleetWorkflow *
compile_valid (Fixture *fixture, const char *windows_text, const char *from, const char *to)
{
  FleetWorkflow *workflow = compile_windows (fixture, windows_text, from, to);

  if (workflow == NULL)
    {
      g_autofree char *text = diagnostics_text (fixture);

      g_error ("compile failed:\n%s", text);
    }
  g_assert_nonnull (workflow->windows);
  return workflow;
}

/* Import `path` as windows for all hosts over [from, to). */
static FleetWindowCalendar *
import_file (Fixture *fixture, const char *path, const char *from, const char *to,
             const char *default_zone)
{
  FleetWindowCalendar *calendar = fleet_window_calendar_new (instant_us (from), instant_us (to));
  g_autoptr (FleetTimeZone) zone = default_zone != NULL
                                     ? fleet_time_zone_new_system (default_zone, NULL)
                                     : NULL;
  FleetIcalImport import = {
    .kind = FLEET_WINDOW_KIND_WINDOW,
    .applies_to_all = TRUE,
    .default_zone = zone,
  };
  g_autoptr (GPtrArray) groups = g_ptr_array_new ();

  fleet_ical_import_file (path, &import, calendar, fixture->diags);
  calendar->restricted = TRUE;
  fleet_window_calendar_build (calendar, groups);
  return calendar;
}

/* --- time zones ----------------------------------------------------------- */

static gint64
local_seconds (const char *text)
{
  gint64 seconds = 0;

  g_assert_true (fleet_parse_local_date_time (text, &seconds, NULL));
  return seconds;
}

static void
check_to_utc (const char *zone_name, const char *local, FleetLocalTimeKind expected_kind,
              const char *expected_utc)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (FleetTimeZone) zone = fleet_time_zone_new_system (zone_name, &error);
  g_autofree char *utc_text = NULL;
  gint64 utc = 0;

  g_assert_no_error (error);
  g_assert_cmpint (fleet_time_zone_to_utc (zone, local_seconds (local), &utc), ==, expected_kind);
  utc_text = fleet_format_utc_seconds (utc);
  g_assert_cmpstr (utc_text, ==, expected_utc);
}

static void
test_spring_gap_resolution (void)
{
  check_to_utc ("Europe/Berlin", "2025-03-30T01:59:59", FLEET_LOCAL_TIME_UNIQUE,
                "2025-03-30T00:59:59Z");
  check_to_utc ("Europe/Berlin", "2025-03-30T02:00", FLEET_LOCAL_TIME_SKIPPED,
                "2025-03-30T01:00:00Z");
  check_to_utc ("Europe/Berlin", "2025-03-30T02:30", FLEET_LOCAL_TIME_SKIPPED,
                "2025-03-30T01:30:00Z");
  check_to_utc ("Europe/Berlin", "2025-03-30T03:00", FLEET_LOCAL_TIME_UNIQUE,
                "2025-03-30T01:00:00Z");
  check_to_utc ("America/New_York", "2025-03-09T02:30", FLEET_LOCAL_TIME_SKIPPED,
                "2025-03-09T07:30:00Z");
  check_to_utc ("America/New_York", "2025-03-09T03:30", FLEET_LOCAL_TIME_UNIQUE,
                "2025-03-09T07:30:00Z");
}

static void
test_autumn_overlap_resolution (void)
{
  check_to_utc ("Europe/Berlin", "2025-10-26T02:30", FLEET_LOCAL_TIME_REPEATED,
                "2025-10-26T00:30:00Z");
  check_to_utc ("Europe/Berlin", "2025-10-26T03:00", FLEET_LOCAL_TIME_UNIQUE,
                "2025-10-26T02:00:00Z");
  check_to_utc ("America/New_York", "2025-11-02T01:30", FLEET_LOCAL_TIME_REPEATED,
                "2025-11-02T05:30:00Z");
  check_to_utc ("Australia/Lord_Howe", "2025-04-06T01:45", FLEET_LOCAL_TIME_REPEATED,
                "2025-04-05T14:45:00Z");
}

static void
test_unknown_zone_rejected (void)
{
  const char *names[] = { "Europe/Berln", "CET-1CEST", "../../etc/passwd", "", "Mars/Olympus" };

  for (guint i = 0; i < G_N_ELEMENTS (names); i++)
    {
      g_autoptr (GError) error = NULL;
      g_autoptr (FleetTimeZone) zone = fleet_time_zone_new_system (names[i], &error);

      g_assert_null (zone);
      g_assert_error (error, FLEET_TIME_ZONE_ERROR, FLEET_TIME_ZONE_ERROR_UNKNOWN);
      g_assert_nonnull (strstr (error->message, "unknown time zone"));
    }
}

static void
test_civil_time_round_trip (void)
{
  const char *texts[] = { "1970-01-01T00:00:00", "2024-02-29T23:59:59", "2100-03-01T00:00:00",
                          "1969-12-31T23:00:00", "2000-02-29T12:00:00" };

  for (guint i = 0; i < G_N_ELEMENTS (texts); i++)
    {
      g_autofree char *back = fleet_format_local_seconds (local_seconds (texts[i]));

      g_assert_cmpstr (back, ==, texts[i]);
    }

  g_assert_false (fleet_parse_local_date_time ("2025-02-29T00:00", &(gint64) { 0 }, NULL));
  g_assert_false (fleet_parse_local_date_time ("2025-03-30T02:30Z", &(gint64) { 0 }, NULL));
  g_assert_false (fleet_parse_local_date_time ("2025-03-30T24:00", &(gint64) { 0 }, NULL));
  g_assert_cmpint (fleet_civil_weekday (local_seconds ("2025-03-30T12:00")), ==, 7);
}

/* --- interval lists ------------------------------------------------------- */

static GArray *
list_of (const char * const *intervals, gsize n)
{
  GArray *list = fleet_window_list_new ();

  for (gsize i = 0; i < n; i += 2)
    fleet_window_list_append (list, instant_us (intervals[i]), instant_us (intervals[i + 1]),
                              (guint) i / 2);
  fleet_window_list_normalize (list);
  return list;
}

static void
test_list_queries (void)
{
  const char *intervals[] = {
    "2025-01-06T01:00:00Z", "2025-01-06T03:00:00Z",
    "2025-01-07T01:00:00Z", "2025-01-07T01:30:00Z",
    "2025-01-08T01:00:00Z", "2025-01-08T05:00:00Z",
  };
  g_autoptr (GArray) list = list_of (intervals, G_N_ELEMENTS (intervals));
  gint64 end = 0;
  gint64 next = 0;

  g_assert_true (fleet_window_list_allows (list, instant_us ("2025-01-06T01:00:00Z"), HOUR_US,
                                           &end));
  g_assert_cmpint (end, ==, instant_us ("2025-01-06T03:00:00Z"));
  g_assert_true (fleet_window_list_allows (list, instant_us ("2025-01-06T02:00:00Z"), HOUR_US,
                                           NULL));
  g_assert_false (fleet_window_list_allows (list, instant_us ("2025-01-06T02:00:01Z"), HOUR_US,
                                            NULL));
  g_assert_false (fleet_window_list_allows (list, instant_us ("2025-01-06T03:00:00Z"), 0, NULL));
  g_assert_false (fleet_window_list_allows (list, instant_us ("2025-01-06T00:59:59Z"), 0, NULL));

  /* The 30-minute window is too short for an hour, so the next start with
   * an hour left is the third window. */
  g_assert_true (fleet_window_list_next_start (list, instant_us ("2025-01-06T02:30:00Z"), HOUR_US,
                                               &next));
  g_assert_cmpint (next, ==, instant_us ("2025-01-08T01:00:00Z"));
  g_assert_true (fleet_window_list_next_start (list, instant_us ("2025-01-06T02:30:00Z"), 0,
                                               &next));
  g_assert_cmpint (next, ==, instant_us ("2025-01-06T02:30:00Z"));
  g_assert_true (fleet_window_list_next_start (list, instant_us ("2025-01-06T03:00:00Z"), 0,
                                               &next));
  g_assert_cmpint (next, ==, instant_us ("2025-01-07T01:00:00Z"));
  g_assert_false (fleet_window_list_next_start (list, instant_us ("2025-01-08T04:30:00Z"),
                                                HOUR_US, &next));
}

static void
test_list_subtract (void)
{
  const char *windows[] = {
    "2025-01-06T01:00:00Z", "2025-01-06T05:00:00Z",
    "2025-01-07T01:00:00Z", "2025-01-07T02:00:00Z",
  };
  const char *freezes[] = {
    "2025-01-06T02:00:00Z", "2025-01-06T03:00:00Z",
    "2025-01-06T04:00:00Z", "2025-01-07T01:30:00Z",
  };
  g_autoptr (GArray) window_list = list_of (windows, G_N_ELEMENTS (windows));
  g_autoptr (GArray) freeze_list = list_of (freezes, G_N_ELEMENTS (freezes));
  g_autoptr (GArray) left = fleet_window_list_subtract (window_list, freeze_list);
  g_autofree char *text = format_list (left);

  g_assert_cmpstr (text, ==, "2025-01-06T01:00Z/2025-01-06T02:00Z "
                             "2025-01-06T03:00Z/2025-01-06T04:00Z "
                             "2025-01-07T01:30Z/2025-01-07T02:00Z");
}

/* --- iCalendar ------------------------------------------------------------ */

typedef struct {
  const char *uid;
  const char *instances;
} ExpectedInstances;

/* Real-world DST cases: RFC 5545 drops recurrence instances that start in a
 * spring-forward gap and does not count them, reads a start in the gap with
 * the offset before it, takes the first of two repeated times, counts a
 * DURATION as elapsed time and reads DTEND at its own offset.  libical 3.0's
 * own expansion (icalcomponent_foreach_recurrence) gets most of these wrong,
 * so the importer must not rely on it. */
static void
test_ical_dst_transitions (Fixture *fixture, gconstpointer data)
{
  static const ExpectedInstances expected[] = {
    { "spring-gap@example.test",
      "2025-03-28T01:30Z/2025-03-28T02:30Z 2025-03-29T01:30Z/2025-03-29T02:30Z "
      "2025-03-31T00:30Z/2025-03-31T01:30Z 2025-04-01T00:30Z/2025-04-01T01:30Z "
      "2025-04-02T00:30Z/2025-04-02T01:30Z" },
    { "duration-over-gap@example.test", "2025-03-30T00:30Z/2025-03-30T02:30Z" },
    { "dtend-over-gap@example.test", "2025-03-30T00:30Z/2025-03-30T01:30Z" },
    { "fall-overlap@example.test",
      "2025-10-25T00:30Z/2025-10-25T01:30Z 2025-10-26T00:30Z/2025-10-26T01:30Z "
      "2025-10-27T01:30Z/2025-10-27T02:30Z" },
    { "dtstart-in-gap@example.test", "2025-03-30T01:30Z/2025-03-30T02:00Z" },
    { "new-york@example.test",
      "2025-03-08T07:30Z/2025-03-08T07:45Z 2025-03-10T06:30Z/2025-03-10T06:45Z "
      "2025-03-11T06:30Z/2025-03-11T06:45Z" },
  };
  g_autofree char *path = g_build_filename (g_getenv ("FLEET_SOURCE_ROOT"), "tests", "data",
                                            "windows", "dst-transitions.ics", NULL);
  g_autoptr (FleetWindowCalendar) calendar = import_file (fixture, path, "2025-01-01",
                                                          "2026-01-01", NULL);
  g_autofree char *messages = diagnostics_text (fixture);

  g_assert_cmpuint (fleet_diagnostics_error_count (fixture->diags), ==, 0);
  for (guint i = 0; i < G_N_ELEMENTS (expected); i++)
    {
      g_autofree char *actual = instances_of (calendar, expected[i].uid);

      g_assert_cmpstr (actual, ==, expected[i].instances);
    }

  /* Two instances were dropped, each with a warning naming its date at the
   * event's DTSTART line. */
  g_assert_cmpuint (calendar->dropped->len, ==, 2);
  g_assert_nonnull (strstr (messages, "dst-transitions.ics:43:28: warning: event \"nightly patch window"));
  g_assert_nonnull (strstr (messages, "the instance at 2025-03-30 02:30:00 is dropped"));
  g_assert_nonnull (strstr (messages, "the instance at 2025-03-09 02:30:00 is dropped"));
  g_assert_nonnull (strstr (messages, "does not exist in America/New_York"));
  g_assert_nonnull (strstr (messages, "the start 2025-03-30T02:30:00 does not exist in "
                                      "Europe/Berlin"));
  g_assert_nonnull (strstr (messages, "as 2025-03-30T03:30:00+02:00"));
}

/* A file's VTIMEZONE wins over the system database, even under a known
 * name: here it keeps "Europe/Berlin" on UTC+1 all year. */
static void
test_ical_vtimezone_used (Fixture *fixture, gconstpointer data)
{
  g_autofree char *path = write_file (fixture, "fixed.ics",
    "BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//t//t//EN\r\n"
    "BEGIN:VTIMEZONE\r\nTZID:Europe/Berlin\r\n"
    "BEGIN:STANDARD\r\nDTSTART:19700101T000000\r\nTZOFFSETFROM:+0100\r\nTZOFFSETTO:+0100\r\n"
    "END:STANDARD\r\nEND:VTIMEZONE\r\n"
    "BEGIN:VEVENT\r\nUID:summer@example.test\r\nDTSTAMP:20250101T000000Z\r\n"
    "DTSTART;TZID=Europe/Berlin:20250701T020000\r\nDURATION:PT1H\r\nEND:VEVENT\r\n"
    "BEGIN:VEVENT\r\nUID:system@example.test\r\nDTSTAMP:20250101T000000Z\r\n"
    "DTSTART;TZID=America/New_York:20250701T020000\r\nDURATION:PT1H\r\nEND:VEVENT\r\n"
    "END:VCALENDAR\r\n");
  g_autoptr (FleetWindowCalendar) calendar = import_file (fixture, path, "2025-01-01",
                                                          "2026-01-01", NULL);
  g_autofree char *summer = instances_of (calendar, "summer@example.test");
  g_autofree char *system = instances_of (calendar, "system@example.test");

  g_assert_cmpstr (summer, ==, "2025-07-01T01:00Z/2025-07-01T02:00Z");
  g_assert_cmpstr (system, ==, "2025-07-01T06:00Z/2025-07-01T07:00Z");
}

static void
test_ical_exdate_rdate (Fixture *fixture, gconstpointer data)
{
  g_autofree char *path = write_file (fixture, "ex.ics",
    "BEGIN:VCALENDAR\nVERSION:2.0\nPRODID:-//t//t//EN\n"
    "BEGIN:VEVENT\nUID:weekly@example.test\nDTSTAMP:20250101T000000Z\nSUMMARY:Weekly\n"
    "DTSTART;TZID=Europe/Berlin:20250107T020000\nDURATION:PT2H\n"
    "RRULE:FREQ=WEEKLY;COUNT=4\n"
    "EXDATE;TZID=Europe/Berlin:20250114T020000\n"
    "EXDATE:20250121T010000Z\n"
    "RDATE;TZID=Europe/Berlin:20250110T220000\n"
    "RDATE;VALUE=PERIOD:20250201T100000Z/PT30M\n"
    "END:VEVENT\nEND:VCALENDAR\n");
  g_autoptr (FleetWindowCalendar) calendar = import_file (fixture, path, "2025-01-01",
                                                          "2025-03-01", NULL);
  g_autofree char *actual = instances_of (calendar, "weekly@example.test");

  /* COUNT=4 gives 7, 14, 21 and 28 January; the EXDATEs remove the 14th
   * (local) and the 21st (in UTC); the RDATEs add an evening and a
   * 30-minute period. */
  g_assert_cmpstr (actual, ==, "2025-01-07T01:00Z/2025-01-07T03:00Z "
                               "2025-01-28T01:00Z/2025-01-28T03:00Z "
                               "2025-01-10T21:00Z/2025-01-10T23:00Z "
                               "2025-02-01T10:00Z/2025-02-01T10:30Z");
  g_assert_cmpuint (fleet_diagnostics_error_count (fixture->diags), ==, 0);
}

static void
test_ical_overlapping_merged (Fixture *fixture, gconstpointer data)
{
  g_autofree char *path = write_file (fixture, "overlap.ics",
    "BEGIN:VCALENDAR\nVERSION:2.0\nPRODID:-//t//t//EN\n"
    "BEGIN:VEVENT\nUID:a@example.test\nDTSTAMP:20250101T000000Z\n"
    "DTSTART:20250301T010000Z\nDTEND:20250301T030000Z\nEND:VEVENT\n"
    "BEGIN:VEVENT\nUID:b@example.test\nDTSTAMP:20250101T000000Z\n"
    "DTSTART:20250301T020000Z\nDTEND:20250301T040000Z\nEND:VEVENT\n"
    "BEGIN:VEVENT\nUID:c@example.test\nDTSTAMP:20250101T000000Z\n"
    "DTSTART:20250301T040000Z\nDTEND:20250301T050000Z\nEND:VEVENT\n"
    "BEGIN:VEVENT\nUID:d@example.test\nDTSTAMP:20250101T000000Z\n"
    "DTSTART:20250301T060000Z\nDTEND:20250301T070000Z\nEND:VEVENT\n"
    "END:VCALENDAR\n");
  g_autoptr (FleetWindowCalendar) calendar = import_file (fixture, path, "2025-03-01",
                                                          "2025-03-02", NULL);
  g_autofree char *merged = format_list (calendar->ungrouped->effective);

  g_assert_cmpstr (merged, ==, "2025-03-01T01:00Z/2025-03-01T05:00Z "
                               "2025-03-01T06:00Z/2025-03-01T07:00Z");
  g_assert_cmpuint (g_array_index (calendar->ungrouped->effective, FleetWindowInterval,
                                   0).source, ==, 0);
}

/* A DATE value is the whole local day, from local midnight to local
 * midnight, so a day with a clock change lasts 23 or 25 hours. */
static void
test_ical_all_day (Fixture *fixture, gconstpointer data)
{
  g_autofree char *path = write_file (fixture, "allday.ics",
    "BEGIN:VCALENDAR\nVERSION:2.0\nPRODID:-//t//t//EN\n"
    "BEGIN:VEVENT\nUID:day@example.test\nDTSTAMP:20250101T000000Z\n"
    "DTSTART;VALUE=DATE:20250330\nEND:VEVENT\n"
    "BEGIN:VEVENT\nUID:days@example.test\nDTSTAMP:20250101T000000Z\n"
    "DTSTART;VALUE=DATE:20251224\nDTEND;VALUE=DATE:20251227\nEND:VEVENT\n"
    "BEGIN:VEVENT\nUID:weekly@example.test\nDTSTAMP:20250101T000000Z\n"
    "DTSTART;VALUE=DATE:20251025\nRRULE:FREQ=WEEKLY;COUNT=2\nEND:VEVENT\n"
    "END:VCALENDAR\n");
  g_autoptr (FleetWindowCalendar) calendar = import_file (fixture, path, "2025-01-01",
                                                          "2026-01-01", "Europe/Berlin");
  g_autofree char *day = instances_of (calendar, "day@example.test");
  g_autofree char *days = instances_of (calendar, "days@example.test");
  g_autofree char *weekly = instances_of (calendar, "weekly@example.test");

  g_assert_cmpstr (day, ==, "2025-03-29T23:00Z/2025-03-30T22:00Z");
  g_assert_cmpstr (days, ==, "2025-12-23T23:00Z/2025-12-26T23:00Z");
  g_assert_cmpstr (weekly, ==, "2025-10-24T22:00Z/2025-10-25T22:00Z "
                               "2025-10-31T23:00Z/2025-11-01T23:00Z");
}

static void
test_ical_all_day_needs_zone (Fixture *fixture, gconstpointer data)
{
  g_autofree char *path = write_file (fixture, "floating.ics",
    "BEGIN:VCALENDAR\nVERSION:2.0\nPRODID:-//t//t//EN\n"
    "BEGIN:VEVENT\nUID:day@example.test\nSUMMARY:Holiday\nDTSTAMP:20250101T000000Z\n"
    "DTSTART;VALUE=DATE:20250330\nEND:VEVENT\n"
    "END:VCALENDAR\n");
  g_autoptr (FleetWindowCalendar) calendar = import_file (fixture, path, "2025-01-01",
                                                          "2026-01-01", NULL);
  g_autofree char *messages = diagnostics_text (fixture);

  g_assert_cmpuint (fleet_diagnostics_error_count (fixture->diags), ==, 1);
  g_assert_nonnull (strstr (messages, "floating.ics:8:20: error: event \"Holiday\" (UID "
                                      "\"day@example.test\"): DTSTART is a date (an all-day "
                                      "event) without a time zone"));
}

static void
test_ical_unknown_tzid (Fixture *fixture, gconstpointer data)
{
  g_autofree char *path = write_file (fixture, "tzid.ics",
    "BEGIN:VCALENDAR\nVERSION:2.0\nPRODID:-//t//t//EN\n"
    "BEGIN:VEVENT\nUID:x@example.test\nSUMMARY:Patch\nDTSTAMP:20250101T000000Z\n"
    "DTSTART;TZID=Europe/Berln:20250330T020000\nDURATION:PT1H\nEND:VEVENT\n"
    "END:VCALENDAR\n");
  g_autoptr (FleetWindowCalendar) calendar = import_file (fixture, path, "2025-01-01",
                                                          "2026-01-01", NULL);
  g_autofree char *messages = diagnostics_text (fixture);

  g_assert_cmpuint (fleet_diagnostics_error_count (fixture->diags), ==, 1);
  g_assert_nonnull (strstr (messages, "tzid.ics:8:27: error: event \"Patch\" (UID "
                                      "\"x@example.test\"): DTSTART has TZID=Europe/Berln, "
                                      "which no VTIMEZONE of the file defines; unknown time "
                                      "zone \"Europe/Berln\""));
}

static void
test_ical_rrule_syntax_error (Fixture *fixture, gconstpointer data)
{
  g_autofree char *path = write_file (fixture, "rule.ics",
    "BEGIN:VCALENDAR\nVERSION:2.0\nPRODID:-//t//t//EN\n"
    "BEGIN:VEVENT\nUID:x@example.test\nSUMMARY:Patch\nDTSTAMP:20250101T000000Z\n"
    "DTSTART:20250330T020000Z\nDURATION:PT1H\nRRULE:FREQ=WEEKLY;BYDAY=TUE\nEND:VEVENT\n"
    "END:VCALENDAR\n");
  g_autoptr (FleetWindowCalendar) calendar = import_file (fixture, path, "2025-01-01",
                                                          "2026-01-01", NULL);
  g_autofree char *messages = diagnostics_text (fixture);

  g_assert_cmpuint (fleet_diagnostics_error_count (fixture->diags), ==, 1);
  g_assert_nonnull (strstr (messages, "rule.ics:10:19: error: event \"Patch\" (UID "
                                      "\"x@example.test\"): invalid RRULE part \"BYDAY=TUE\""));
}

static void
test_ical_not_a_calendar (Fixture *fixture, gconstpointer data)
{
  g_autofree char *path = write_file (fixture, "notes.ics", "hello\n");
  g_autoptr (FleetWindowCalendar) calendar = import_file (fixture, path, "2025-01-01",
                                                          "2026-01-01", NULL);
  g_autofree char *messages = diagnostics_text (fixture);

  g_assert_nonnull (strstr (messages, "notes.ics:1:1: error: not an iCalendar file"));
}

/* An empty file is no calendar either; the reader must not crash on it. */
static void
test_ical_empty_file (Fixture *fixture, gconstpointer data)
{
  g_autofree char *path = write_file (fixture, "empty.ics", "");
  g_autoptr (FleetWindowCalendar) calendar = import_file (fixture, path, "2025-01-01",
                                                          "2026-01-01", NULL);
  g_autofree char *messages = diagnostics_text (fixture);

  g_assert_nonnull (strstr (messages, "empty.ics:1:1: error: not an iCalendar file"));
}

/* An event with a RECURRENCE-ID moves one instance of its series; a
 * cancelled event opens nothing. */
static void
test_ical_override_and_cancelled (Fixture *fixture, gconstpointer data)
{
  g_autofree char *path = write_file (fixture, "moved.ics",
    "BEGIN:VCALENDAR\nVERSION:2.0\nPRODID:-//t//t//EN\n"
    "BEGIN:VEVENT\nUID:s@example.test\nDTSTAMP:20250101T000000Z\n"
    "DTSTART:20250301T010000Z\nDURATION:PT1H\nRRULE:FREQ=DAILY;COUNT=3\nEND:VEVENT\n"
    "BEGIN:VEVENT\nUID:s@example.test\nDTSTAMP:20250101T000000Z\n"
    "RECURRENCE-ID:20250302T010000Z\nDTSTART:20250302T050000Z\nDURATION:PT1H\nEND:VEVENT\n"
    "BEGIN:VEVENT\nUID:gone@example.test\nDTSTAMP:20250101T000000Z\nSTATUS:CANCELLED\n"
    "DTSTART:20250305T010000Z\nDURATION:PT1H\nEND:VEVENT\n"
    "END:VCALENDAR\n");
  g_autoptr (FleetWindowCalendar) calendar = import_file (fixture, path, "2025-03-01",
                                                          "2025-04-01", NULL);
  g_autofree char *all = format_list (calendar->ungrouped->effective);

  g_assert_cmpstr (all, ==, "2025-03-01T01:00Z/2025-03-01T02:00Z "
                            "2025-03-02T05:00Z/2025-03-02T06:00Z "
                            "2025-03-03T01:00Z/2025-03-03T02:00Z");
}

/* --- workflow windows ----------------------------------------------------- */

static void
test_workflow_spring_gap (Fixture *fixture, gconstpointer data)
{
  g_autoptr (FleetWorkflow) workflow = compile_valid (fixture,
    "windows:\n"
    "  - name: berlin\n"
    "    start: 2025-03-29T02:30\n"
    "    duration: 1h\n"
    "    rrule: FREQ=DAILY;COUNT=3\n"
    "    timezone: Europe/Berlin\n"
    "  - name: new-york\n"
    "    start: 2025-03-08T02:30\n"
    "    duration: 15m\n"
    "    rrule: FREQ=DAILY;COUNT=3\n"
    "    timezone: America/New_York\n",
    "2025-03-01", "2025-04-15");
  g_autofree char *berlin = instances_of (workflow->windows, "berlin");
  g_autofree char *new_york = instances_of (workflow->windows, "new-york");
  g_autofree char *messages = diagnostics_text (fixture);

  g_assert_cmpstr (berlin, ==, "2025-03-29T01:30Z/2025-03-29T02:30Z "
                               "2025-03-31T00:30Z/2025-03-31T01:30Z "
                               "2025-04-01T00:30Z/2025-04-01T01:30Z");
  g_assert_cmpstr (new_york, ==, "2025-03-08T07:30Z/2025-03-08T07:45Z "
                                 "2025-03-10T06:30Z/2025-03-10T06:45Z "
                                 "2025-03-11T06:30Z/2025-03-11T06:45Z");
  g_assert_nonnull (strstr (messages, "workflow.yaml:7:5: warning: window \"berlin\": the "
                                      "instance at 2025-03-30 02:30:00 is dropped"));
  g_assert_nonnull (strstr (messages, "window \"new-york\": the instance at 2025-03-09 "
                                      "02:30:00 is dropped"));
  g_assert_cmpuint (workflow->windows->dropped->len, ==, 2);
}

static void
test_workflow_autumn_overlap (Fixture *fixture, gconstpointer data)
{
  g_autoptr (FleetWorkflow) workflow = compile_valid (fixture,
    "windows:\n"
    "  - {name: night, start: 2025-10-25T02:30, duration: 1h, rrule: FREQ=DAILY;COUNT=3,\n"
    "     timezone: Europe/Berlin}\n"
    "  - {name: east, start: 2025-11-01T01:30, duration: 1h, rrule: FREQ=DAILY;COUNT=3,\n"
    "     timezone: America/New_York}\n",
    "2025-10-01", "2025-12-01");
  g_autofree char *night = instances_of (workflow->windows, "night");
  g_autofree char *east = instances_of (workflow->windows, "east");

  /* One window on the night clocks go back, at the first 02:30; a one-hour
   * window then ends when the clocks show 02:30 again. */
  g_assert_cmpstr (night, ==, "2025-10-25T00:30Z/2025-10-25T01:30Z "
                              "2025-10-26T00:30Z/2025-10-26T01:30Z "
                              "2025-10-27T01:30Z/2025-10-27T02:30Z");
  g_assert_cmpstr (east, ==, "2025-11-01T05:30Z/2025-11-01T06:30Z "
                             "2025-11-02T05:30Z/2025-11-02T06:30Z "
                             "2025-11-03T06:30Z/2025-11-03T07:30Z");
}

static void
test_workflow_leap_day (Fixture *fixture, gconstpointer data)
{
  g_autoptr (FleetWorkflow) workflow = compile_valid (fixture,
    "windows:\n"
    "  - {name: leap, start: 2024-02-29T10:00, duration: 2h, rrule: FREQ=YEARLY,\n"
    "     timezone: UTC}\n",
    "2024-01-01", "2033-01-01");
  g_autofree char *leap = instances_of (workflow->windows, "leap");

  g_assert_cmpstr (leap, ==, "2024-02-29T10:00Z/2024-02-29T12:00Z "
                             "2028-02-29T10:00Z/2028-02-29T12:00Z "
                             "2032-02-29T10:00Z/2032-02-29T12:00Z");
}

static void
test_workflow_count_until (Fixture *fixture, gconstpointer data)
{
  g_autoptr (FleetWorkflow) workflow = compile_valid (fixture,
    "windows:\n"
    "  - {name: counted, start: 2025-01-06T22:00, duration: 1h,\n"
    "     rrule: \"FREQ=WEEKLY;BYDAY=MO,TH;COUNT=3\", timezone: Europe/Berlin}\n"
    "  - {name: until-utc, start: 2025-03-28T02:30, duration: 1h,\n"
    "     rrule: FREQ=DAILY;UNTIL=20250331T003000Z, timezone: Europe/Berlin}\n"
    "  - {name: until-local, start: 2025-01-01T09:00, duration: 1h,\n"
    "     rrule: FREQ=MONTHLY;UNTIL=20250301T090000, timezone: Europe/Berlin}\n",
    "2025-01-01", "2025-06-01");
  g_autofree char *counted = instances_of (workflow->windows, "counted");
  g_autofree char *until_utc = instances_of (workflow->windows, "until-utc");
  g_autofree char *until_local = instances_of (workflow->windows, "until-local");

  g_assert_cmpstr (counted, ==, "2025-01-06T21:00Z/2025-01-06T22:00Z "
                                "2025-01-09T21:00Z/2025-01-09T22:00Z "
                                "2025-01-13T21:00Z/2025-01-13T22:00Z");
  /* UNTIL in UTC is the 31 March instance itself (02:30 CEST); the gap
   * instance of the 30th is dropped on the way. */
  g_assert_cmpstr (until_utc, ==, "2025-03-28T01:30Z/2025-03-28T02:30Z "
                                  "2025-03-29T01:30Z/2025-03-29T02:30Z "
                                  "2025-03-31T00:30Z/2025-03-31T01:30Z");
  g_assert_cmpstr (until_local, ==, "2025-01-01T08:00Z/2025-01-01T09:00Z "
                                    "2025-02-01T08:00Z/2025-02-01T09:00Z "
                                    "2025-03-01T08:00Z/2025-03-01T09:00Z");
}

static void
test_workflow_freezes (Fixture *fixture, gconstpointer data)
{
  g_autoptr (FleetWorkflow) workflow = compile_valid (fixture,
    "windows:\n"
    "  - {name: nightly, start: 2025-12-01T01:00, duration: 4h, rrule: FREQ=DAILY,\n"
    "     timezone: UTC, applies_to: [web, db]}\n"
    "freezes:\n"
    "  - {name: partial, start: 2025-12-02T03:00, duration: 1h, timezone: UTC,\n"
    "     applies_to: [web]}\n"
    "  - {name: whole, start: 2025-12-03T00:00, duration: 1d, timezone: UTC}\n",
    "2025-12-01", "2025-12-05");
  const FleetGroupWindows *web = fleet_window_calendar_lookup_group (workflow->windows, "web");
  const FleetGroupWindows *db = fleet_window_calendar_lookup_group (workflow->windows, "db");
  g_autofree char *web_text = format_list (web->effective);
  g_autofree char *db_text = format_list (db->effective);
  g_autoptr (GArray) both = fleet_window_calendar_host_effective (
    workflow->windows, (const char *[]) { "db", "web" }, 2, workflow->windows->from_us,
    workflow->windows->to_us);
  g_autofree char *both_text = format_list (both);

  g_assert_cmpstr (web_text, ==, "2025-12-01T01:00Z/2025-12-01T05:00Z "
                                 "2025-12-02T01:00Z/2025-12-02T03:00Z "
                                 "2025-12-02T04:00Z/2025-12-02T05:00Z "
                                 "2025-12-04T01:00Z/2025-12-04T05:00Z");
  g_assert_cmpstr (db_text, ==, "2025-12-01T01:00Z/2025-12-01T05:00Z "
                                "2025-12-02T01:00Z/2025-12-02T05:00Z "
                                "2025-12-04T01:00Z/2025-12-04T05:00Z");
  {
    g_autoptr (GArray) clipped = fleet_window_calendar_group_effective (
      workflow->windows, "web", instant_us ("2025-12-02T02:00:00Z"),
      instant_us ("2025-12-02T04:30:00Z"));
    g_autofree char *clipped_text = format_list (clipped);

    g_assert_cmpstr (clipped_text, ==, "2025-12-02T02:00Z/2025-12-02T03:00Z "
                                       "2025-12-02T04:00Z/2025-12-02T04:30Z");
    g_assert_null (fleet_window_calendar_group_effective (workflow->windows, "nope", 0, 1));
  }

  /* A host in both groups is stopped by the freeze of either. */
  g_assert_cmpstr (both_text, ==, web_text);
  /* A host in no group has no window: the only window names groups. */
  g_assert_cmpuint (workflow->windows->ungrouped->effective->len, ==, 0);
}

/* With freezes only, every group is open except during its freezes. */
static void
test_workflow_freezes_only (Fixture *fixture, gconstpointer data)
{
  g_autofree char *freeze = g_build_filename (g_getenv ("FLEET_SOURCE_ROOT"), "examples",
                                              "year-end-freeze.ics", NULL);
  g_autofree char *text = g_strdup_printf ("freezes:\n  - calendar: %s\n"
                                           "    timezone: Europe/Berlin\n", freeze);
  g_autoptr (FleetWorkflow) workflow = compile_valid (fixture, text, "2025-12-15", "2026-01-15");
  const FleetGroupWindows *db = fleet_window_calendar_lookup_group (workflow->windows, "db");
  g_autofree char *db_text = format_list (db->effective);

  g_assert_false (workflow->windows->restricted);
  g_assert_cmpstr (db_text, ==, "2025-12-15T00:00Z/2025-12-19T23:00Z "
                                "2026-01-04T23:00Z/2026-01-15T00:00Z");
}

static void
test_workflow_unknown_timezone (Fixture *fixture, gconstpointer data)
{
  g_autoptr (FleetWorkflow) workflow = compile_windows (fixture,
    "windows:\n"
    "  - name: w\n"
    "    start: 2025-01-07T02:00\n"
    "    duration: 1h\n"
    "    timezone: Europe/Berln\n",
    "2025-01-01", "2025-02-01");
  g_autofree char *messages = diagnostics_text (fixture);

  g_assert_null (workflow);
  g_assert_nonnull (strstr (messages, "workflow.yaml:10:15: error: unknown time zone "
                                      "\"Europe/Berln\""));
  g_assert_nonnull (strstr (messages, "did you mean \"Europe/Berlin\"?"));
}

static void
test_workflow_rrule_syntax_error (Fixture *fixture, gconstpointer data)
{
  g_autoptr (FleetWorkflow) workflow = compile_windows (fixture,
    "windows:\n"
    "  - name: w\n"
    "    start: 2025-01-07T02:00\n"
    "    duration: 1h\n"
    "    rrule: FREQ=WEEKLY;BYDAY=TU;COUNT=x\n"
    "    timezone: Europe/Berlin\n"
    "  - name: v\n"
    "    start: 2025-01-07T02:00\n"
    "    duration: 1h\n"
    "    rrule: \"BYDAY=TU\"\n"
    "    timezone: Europe/Berlin\n",
    "2025-01-01", "2025-02-01");
  g_autofree char *messages = diagnostics_text (fixture);

  g_assert_null (workflow);
  g_assert_nonnull (strstr (messages, "workflow.yaml:10:33: error: invalid RRULE part "
                                      "\"COUNT=x\""));
  g_assert_nonnull (strstr (messages, "workflow.yaml:15:13: error: invalid RRULE: FREQ is "
                                      "missing"));
}

/* An entry with another error still has its rule checked, so that one
 * pass reports both. */
static void
test_workflow_rrule_with_other_errors (Fixture *fixture, gconstpointer data)
{
  g_autoptr (FleetWorkflow) workflow = compile_windows (fixture,
    "windows:\n"
    "  - {name: a, start: 2025-01-07T02:00, duration: 1h, timezone: UTC, applies_to: [webb],\n"
    "     rrule: \"FREQ=WEEKLY;BYDAY=TUE\"}\n",
    "2025-01-01", "2025-02-01");
  g_autofree char *messages = diagnostics_text (fixture);

  g_assert_null (workflow);
  g_assert_nonnull (strstr (messages, "error: unknown group \"webb\""));
  g_assert_nonnull (strstr (messages, "workflow.yaml:8:26: error: invalid RRULE part "
                                      "\"BYDAY=TUE\""));
}

static void
test_workflow_entry_errors (Fixture *fixture, gconstpointer data)
{
  g_autoptr (FleetWorkflow) workflow = compile_windows (fixture,
    "windows:\n"
    "  - {name: a, start: 2025-01-07T02:00Z, duration: 1h, timezone: UTC}\n"
    "  - {name: b, duration: 1h, timezone: UTC, applies_to: [webb]}\n"
    "  - {calendar: x.ics, start: 2025-01-07T02:00, kind: freeze}\n"
    "  - {name: a, start: 2025-01-07T02:00, duration: 1500ms, timezone: UTC, applies_to: any}\n",
    "2025-01-01", "2025-02-01");
  g_autofree char *messages = diagnostics_text (fixture);

  g_assert_null (workflow);
  g_assert_nonnull (strstr (messages, "workflow.yaml:7:22: error: invalid value "
                                      "\"2025-01-07T02:00Z\" for \"start\": the time is local"));
  g_assert_nonnull (strstr (messages, "workflow.yaml:8:5: error: missing required key "
                                      "\"start\" in window"));
  g_assert_nonnull (strstr (messages, "workflow.yaml:8:57: error: unknown group \"webb\""));
  g_assert_nonnull (strstr (messages, "workflow.yaml:9:30: error: \"start\" does not go with "
                                      "\"calendar\""));
  g_assert_nonnull (strstr (messages, "workflow.yaml:9:54: error: this calendar has kind "
                                      "freeze but is listed under \"windows\""));
  g_assert_nonnull (strstr (messages, "workflow.yaml:10:12: error: duplicate window or freeze "
                                      "name \"a\""));
  g_assert_nonnull (strstr (messages, "workflow.yaml:10:50: error: invalid value for "
                                      "\"duration\": windows are counted in whole seconds"));
  g_assert_nonnull (strstr (messages, "workflow.yaml:10:85: error: invalid value \"any\" for "
                                      "\"applies_to\""));
}

/* A group without a window of its own is no problem while its hosts get
 * a window through another group: only hosts that no window applies to
 * are named, one warning per set of groups. */
static void
test_workflow_hosts_without_window (Fixture *fixture, gconstpointer data)
{
  g_autofree char *inventory = write_file (fixture, "two-groups.yaml",
    "hosts: {fra1: {}, nyc1: {}, nyc2: {}, lone1: {}}\n"
    "groups:\n"
    "  dc1: [fra1]\n"
    "  dc2: [nyc1, nyc2]\n"
    "  db: [fra1, nyc1]\n");
  g_autofree char *path = write_file (fixture, "two-groups-workflow.yaml",
    "name: w\ninventory: two-groups.yaml\ntarget: {all: true}\n"
    "steps:\n  - {name: a, run: \"true\", timeout: 5s}\n"
    "windows:\n"
    "  - {name: w, start: 2025-01-07T02:00, duration: 1h, timezone: UTC, applies_to: [dc1]}\n");
  FleetCompileOptions options = {
    .windows_from_us = instant_us ("2025-01-01"),
    .windows_to_us = instant_us ("2025-02-01"),
  };
  g_autoptr (FleetWorkflow) workflow = fleet_compile_workflow (path, &options, fixture->diags);
  g_autofree char *messages = diagnostics_text (fixture);

  g_assert_nonnull (workflow);
  g_assert_cmpuint (fleet_diagnostics_warning_count (fixture->diags), ==, 3);
  g_assert_nonnull (strstr (messages, "two-groups-workflow.yaml:7:3: warning: no window applies "
                                      "to host nyc1, in groups \"db\", \"dc2\", so it can never "
                                      "run; add one of its groups to a window's applies_to"));
  g_assert_nonnull (strstr (messages, "warning: no window applies to host nyc2, in group "
                                      "\"dc2\", so it can never run"));
  g_assert_nonnull (strstr (messages, "warning: no window applies to host lone1, in no group, "
                                      "so it can never run; add a window with applies_to: all"));
  /* fra1 is in db too, but dc1's window applies to it. */
  g_assert_null (strstr (messages, "fra1"));
  g_assert_null (strstr (messages, "to group"));
}

/* Two calendars in two zones, as the examples ship them: a weekly window
 * in Frankfurt and one in New York, and the year-end freeze over both. */
static void
test_examples_compile (Fixture *fixture, gconstpointer data)
{
  g_autofree char *path = g_build_filename (g_getenv ("FLEET_SOURCE_ROOT"), "examples",
                                            "patch-windows.yaml", NULL);
  g_autofree char *inventory = g_build_filename (g_getenv ("FLEET_SOURCE_ROOT"), "tests",
                                                 "data", "windows", "inventory.yaml", NULL);
  FleetCompileOptions options = {
    .inventory_override = inventory,
    .windows_from_us = instant_us ("2025-12-01"),
    .windows_to_us = instant_us ("2026-01-15"),
  };
  g_autoptr (FleetWorkflow) workflow = fleet_compile_workflow (path, &options, fixture->diags);
  g_autofree char *messages = diagnostics_text (fixture);
  const FleetGroupWindows *dc1 = NULL;
  const FleetGroupWindows *dc2 = NULL;
  g_autofree char *text = NULL;

  if (workflow == NULL)
    g_error ("examples/patch-windows.yaml failed:\n%s", messages);
  g_assert_cmpuint (fleet_diagnostics_warning_count (fixture->diags), ==, 0);

  dc1 = fleet_window_calendar_lookup_group (workflow->windows, "dc1");
  g_assert_nonnull (dc1);
  text = format_list (dc1->effective);
  /* Tuesdays 02:00-05:00 Frankfurt; the freeze from 20 December to 4
   * January takes out 23 and 30 December. */
  g_assert_cmpstr (text, ==, "2025-12-02T01:00Z/2025-12-02T04:00Z "
                             "2025-12-09T01:00Z/2025-12-09T04:00Z "
                             "2025-12-16T01:00Z/2025-12-16T04:00Z "
                             "2026-01-06T01:00Z/2026-01-06T04:00Z "
                             "2026-01-13T01:00Z/2026-01-13T04:00Z");

  /* New York, Tuesdays 01:00-04:00 EST; the freeze ends at midnight
   * Berlin time, 4 January 23:00 UTC. */
  dc2 = fleet_window_calendar_lookup_group (workflow->windows, "dc2");
  g_clear_pointer (&text, g_free);
  text = format_list (dc2->effective);
  g_assert_cmpstr (text, ==, "2025-12-02T06:00Z/2025-12-02T09:00Z "
                             "2025-12-09T06:00Z/2025-12-09T09:00Z "
                             "2025-12-16T06:00Z/2025-12-16T09:00Z "
                             "2026-01-06T06:00Z/2026-01-06T09:00Z "
                             "2026-01-13T06:00Z/2026-01-13T09:00Z");
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);

#define ADD(path, func) \
  g_test_add (path, Fixture, NULL, fixture_set_up, func, fixture_tear_down)

  g_test_add_func ("/windows/timezone/spring-gap", test_spring_gap_resolution);
  g_test_add_func ("/windows/timezone/autumn-overlap", test_autumn_overlap_resolution);
  g_test_add_func ("/windows/timezone/unknown-name", test_unknown_zone_rejected);
  g_test_add_func ("/windows/timezone/civil-round-trip", test_civil_time_round_trip);
  g_test_add_func ("/windows/list/queries", test_list_queries);
  g_test_add_func ("/windows/list/subtract", test_list_subtract);
  ADD ("/windows/ical/dst-transitions", test_ical_dst_transitions);
  ADD ("/windows/ical/vtimezone-wins", test_ical_vtimezone_used);
  ADD ("/windows/ical/exdate-rdate", test_ical_exdate_rdate);
  ADD ("/windows/ical/overlapping-merged", test_ical_overlapping_merged);
  ADD ("/windows/ical/all-day", test_ical_all_day);
  ADD ("/windows/ical/all-day-needs-zone", test_ical_all_day_needs_zone);
  ADD ("/windows/ical/unknown-tzid", test_ical_unknown_tzid);
  ADD ("/windows/ical/rrule-syntax-error", test_ical_rrule_syntax_error);
  ADD ("/windows/ical/not-a-calendar", test_ical_not_a_calendar);
  ADD ("/windows/ical/empty-file", test_ical_empty_file);
  ADD ("/windows/ical/override-and-cancelled", test_ical_override_and_cancelled);
  ADD ("/windows/workflow/spring-gap", test_workflow_spring_gap);
  ADD ("/windows/workflow/autumn-overlap", test_workflow_autumn_overlap);
  ADD ("/windows/workflow/leap-day", test_workflow_leap_day);
  ADD ("/windows/workflow/count-until", test_workflow_count_until);
  ADD ("/windows/workflow/freezes", test_workflow_freezes);
  ADD ("/windows/workflow/freezes-only", test_workflow_freezes_only);
  ADD ("/windows/workflow/unknown-timezone", test_workflow_unknown_timezone);
  ADD ("/windows/workflow/rrule-syntax-error", test_workflow_rrule_syntax_error);
  ADD ("/windows/workflow/hosts-without-window", test_workflow_hosts_without_window);
  ADD ("/windows/workflow/rrule-with-other-errors", test_workflow_rrule_with_other_errors);
  ADD ("/windows/workflow/entry-errors", test_workflow_entry_errors);
  ADD ("/windows/examples/compile", test_examples_compile);

  return g_test_run ();
}
