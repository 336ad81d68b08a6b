/* ical-import.c: iCalendar files to window and freeze instances. */
#include "compiler/ical-import.h"

#include <string.h>

#include <libical/ical.h>

#include "compiler/ics-lines.h"
#include "compiler/recurrence.h"
#include "compiler/source-file.h"
#include "compiler/yaml-tree.h"

/* VTIMEZONE rules are expanded this far past the calendar's range, so that
 * instances that start in the range and end after it still convert. */
#define ZONE_MARGIN_SECONDS (400 * FLEET_SECONDS_PER_DAY)

typedef struct {
  const char *file;                 /* interned path */
  GPtrArray *index;                 /* FleetIcsComponent * */
  GHashTable *zones;                /* TZID -> FleetTimeZone * */
  GHashTable *overrides;            /* UID -> GArray of FleetRecurrenceDate (UTC) */
  const FleetIcalImport *import;
  FleetWindowCalendar *calendar;
  FleetDiagnostics *diags;
  guint errors_before;
} Import;

/* One VEVENT while it is converted. */
typedef struct {
  Import *import;
  icalcomponent *component;
  const FleetIcsComponent *lines;   /* its index entry, or NULL */
  char *label;                      /* "event \"Patch\" (UID x)" */
  FleetSourcePos pos;               /* its BEGIN:VEVENT line */
} Event;

static void
event_clear (Event *event)
{
  g_free (event->label);
}

G_DEFINE_AUTO_CLEANUP_CLEAR_FUNC (Event, event_clear)

/* Return the position of the `nth` `name` property's value in `lines`, or
 * `fallback` when the index lacks it. */
static FleetSourcePos
property_pos (const Import *import, const FleetIcsComponent *lines, const char *name, guint nth,
              const FleetSourcePos *fallback)
{
  const FleetIcsProperty *property = lines != NULL
                                       ? fleet_ics_component_property (lines, name, nth)
                                       : NULL;
  FleetSourcePos pos = *fallback;

  if (property != NULL)
    {
      pos.file = import->file;
      pos.line = property->line;
      pos.column = property->value_column;
    }
  return pos;
}

static gint64
seconds_of (struct icaltimetype time)
{
  FleetCivilTime civil = {
    .year = time.year, .month = time.month, .day = time.day,
    .hour = time.is_date ? 0 : time.hour,
    .minute = time.is_date ? 0 : time.minute,
    .second = time.is_date ? 0 : time.second,
  };

  return fleet_civil_time_to_seconds (&civil);
}

/* Return the TZID parameter of `property`, or NULL. */
static const char *
property_tzid (icalproperty *property)
{
  icalparameter *parameter = icalproperty_get_first_parameter (property, ICAL_TZID_PARAMETER);

  return parameter != NULL ? icalparameter_get_tzid (parameter) : NULL;
}

/* --- VTIMEZONE ------------------------------------------------------------ */

/* Append the onsets of one STANDARD or DAYLIGHT rule to `transitions`, up
 * to `limit` (UTC seconds).  Returns the earliest onset's UTC seconds. */
static gint64
add_observance (icalcomponent *observance, gint64 limit, GArray *transitions, gint32 *out_from)
{
  icalproperty *start_property = icalcomponent_get_first_property (observance,
                                                                   ICAL_DTSTART_PROPERTY);
  icalproperty *from_property = icalcomponent_get_first_property (observance,
                                                                  ICAL_TZOFFSETFROM_PROPERTY);
  icalproperty *to_property = icalcomponent_get_first_property (observance,
                                                                ICAL_TZOFFSETTO_PROPERTY);
  icalproperty *rule_property = icalcomponent_get_first_property (observance,
                                                                  ICAL_RRULE_PROPERTY);
  struct icaltimetype start;
  gint32 from;
  gint32 to;
  gint64 first;

  if (start_property == NULL || from_property == NULL || to_property == NULL)
    return G_MAXINT64;

  start = icalproperty_get_dtstart (start_property);
  from = icalproperty_get_tzoffsetfrom (from_property);
  to = icalproperty_get_tzoffsetto (to_property);
  first = seconds_of (start) - from;
  *out_from = from;
  g_array_append_val (transitions, ((FleetZoneTransition) { first, to }));

  for (icalproperty *rdate = icalcomponent_get_first_property (observance, ICAL_RDATE_PROPERTY);
       rdate != NULL; rdate = icalcomponent_get_next_property (observance, ICAL_RDATE_PROPERTY))
    {
      struct icaldatetimeperiodtype value = icalproperty_get_rdate (rdate);

      if (!icaltime_is_null_time (value.time))
        g_array_append_val (transitions,
                            ((FleetZoneTransition) { seconds_of (value.time) - from, to }));
    }

  if (rule_property != NULL)
    {
      struct icalrecurrencetype rule = icalproperty_get_rrule (rule_property);
      gint64 until = icaltime_is_null_time (rule.until) ? G_MAXINT64
                     : seconds_of (rule.until) - (icaltime_is_utc (rule.until) ? 0 : from);
      icalrecur_iterator *iterator;
      struct icaltimetype next;

      rule.until = icaltime_null_time ();
      iterator = icalrecur_iterator_new (rule, start);
      for (guint steps = 0; iterator != NULL && steps < 100000; steps++)
        {
          gint64 onset;

          next = icalrecur_iterator_next (iterator);
          if (icaltime_is_null_time (next))
            break;
          onset = seconds_of (next) - from;
          if (onset > limit || onset > until)
            break;
          g_array_append_val (transitions, ((FleetZoneTransition) { onset, to }));
        }
      if (iterator != NULL)
        icalrecur_iterator_free (iterator);
    }

  return first;
}

static void
add_vtimezone (Import *import, icalcomponent *vtimezone)
{
  icalproperty *tzid_property = icalcomponent_get_first_property (vtimezone, ICAL_TZID_PROPERTY);
  g_autoptr (GArray) transitions = g_array_new (FALSE, FALSE, sizeof (FleetZoneTransition));
  gint64 limit = import->calendar->to_us / G_USEC_PER_SEC + ZONE_MARGIN_SECONDS;
  gint64 earliest = G_MAXINT64;
  gint32 initial_offset = 0;
  const char *tzid;
  const icalcomponent_kind kinds[] = { ICAL_XSTANDARD_COMPONENT, ICAL_XDAYLIGHT_COMPONENT };

  if (tzid_property == NULL)
    return;
  tzid = icalproperty_get_tzid (tzid_property);

  for (guint k = 0; k < G_N_ELEMENTS (kinds); k++)
    for (icalcomponent *observance = icalcomponent_get_first_component (vtimezone, kinds[k]);
         observance != NULL;
         observance = icalcomponent_get_next_component (vtimezone, kinds[k]))
      {
        gint32 from = 0;
        gint64 first = add_observance (observance, limit, transitions, &from);

        if (first < earliest)
          {
            earliest = first;
            initial_offset = from;
          }
      }

  g_hash_table_insert (import->zones, g_strdup (tzid),
                       fleet_time_zone_new_from_transitions (tzid, initial_offset,
                                                             (const FleetZoneTransition *)
                                                               transitions->data,
                                                             transitions->len));
}

/* --- Events --------------------------------------------------------------- */

/* Return the zone of a date-time `property` with value `time`: its TZID,
 * UTC, or the default zone for floating and DATE values.  Reports an error
 * at the property and returns NULL when there is none.  Borrowed from the
 * import. */
static FleetTimeZone *
zone_of (Event *event, icalproperty *property, struct icaltimetype time, const char *name)
{
  Import *import = event->import;
  const char *tzid = property_tzid (property);
  FleetSourcePos pos = property_pos (import, event->lines, name, 0, &event->pos);
  FleetTimeZone *zone;

  if (tzid != NULL)
    {
      g_autoptr (GError) error = NULL;

      zone = g_hash_table_lookup (import->zones, tzid);
      if (zone != NULL)
        return zone;

      zone = fleet_time_zone_new_system (tzid, &error);
      if (zone == NULL)
        {
          fleet_diagnostics_error (import->diags, &pos,
                                   "%s: %s has TZID=%s, which no VTIMEZONE of the file defines; "
                                   "%s", event->label, name, tzid, error->message);
          return NULL;
        }

      g_hash_table_insert (import->zones, g_strdup (tzid), zone);
      return zone;
    }

  if (icaltime_is_utc (time) && !time.is_date)
    {
      zone = g_hash_table_lookup (import->zones, "\nUTC");
      if (zone == NULL)
        {
          zone = fleet_time_zone_new_utc ();
          g_hash_table_insert (import->zones, g_strdup ("\nUTC"), zone);
        }
      return zone;
    }

  if (import->import->default_zone != NULL)
    return import->import->default_zone;

  fleet_diagnostics_error (import->diags, &pos,
                           "%s: %s is %s without a time zone; give the calendar entry in the "
                           "workflow a \"timezone\" for such values", event->label, name,
                           time.is_date ? "a date (an all-day event)" : "a floating local time");
  return NULL;
}

/* Convert a date-time in `zone` to UTC seconds. */
static gint64
utc_of (const FleetTimeZone *zone, struct icaltimetype time)
{
  gint64 utc;

  fleet_time_zone_to_utc (zone, seconds_of (time), &utc);
  return utc;
}

/* Set the duration of `recurrence` from DTEND or DURATION.  Returns FALSE
 * after reporting an error, or when the event opens no time. */
static gboolean
read_duration (Event *event, FleetRecurrence *recurrence, struct icaltimetype start)
{
  Import *import = event->import;
  icalproperty *end_property = icalcomponent_get_first_property (event->component,
                                                                 ICAL_DTEND_PROPERTY);
  icalproperty *duration_property = icalcomponent_get_first_property (event->component,
                                                                      ICAL_DURATION_PROPERTY);

  if (end_property != NULL)
    {
      struct icaltimetype end = icalproperty_get_dtend (end_property);
      FleetSourcePos pos = property_pos (import, event->lines, "DTEND", 0, &event->pos);
      FleetTimeZone *end_zone;

      if (end.is_date != start.is_date)
        {
          fleet_diagnostics_error (import->diags, &pos, "%s: DTEND must be a %s like DTSTART",
                                   event->label, start.is_date ? "date" : "date-time");
          return FALSE;
        }

      if (start.is_date)
        recurrence->duration_days = (seconds_of (end) - seconds_of (start)) / FLEET_SECONDS_PER_DAY;
      else
        {
          /* DTEND is wall time at its own offset; every instance then lasts
           * the same exact time (RFC 5545, section 3.8.5.3). */
          end_zone = zone_of (event, end_property, end, "DTEND");
          if (end_zone == NULL)
            return FALSE;
          recurrence->duration_seconds = utc_of (end_zone, end)
                                         - utc_of (recurrence->zone, start);
        }

      if (recurrence->duration_days <= 0 && recurrence->duration_seconds <= 0)
        {
          fleet_diagnostics_error (import->diags, &pos, "%s: DTEND is not after DTSTART",
                                   event->label);
          return FALSE;
        }
      return TRUE;
    }

  if (duration_property != NULL)
    {
      struct icaldurationtype duration = icalproperty_get_duration (duration_property);
      FleetSourcePos pos = property_pos (import, event->lines, "DURATION", 0, &event->pos);

      recurrence->duration_days = (gint64) duration.weeks * 7 + duration.days;
      recurrence->duration_seconds = (gint64) duration.hours * 3600 + duration.minutes * 60
                                     + duration.seconds;
      if (duration.is_neg || (recurrence->duration_days == 0 && recurrence->duration_seconds == 0))
        {
          fleet_diagnostics_error (import->diags, &pos,
                                   "%s: DURATION must be positive, such as PT2H or P1D",
                                   event->label);
          return FALSE;
        }
      return TRUE;
    }

  if (start.is_date)
    {
      recurrence->duration_days = 1;
      return TRUE;
    }

  fleet_diagnostics_warning (import->diags, &event->pos,
                             "%s has neither DTEND nor DURATION, so it lasts no time and is "
                             "ignored; add DTEND or DURATION", event->label);
  return FALSE;
}

/* Read RDATE (`kind` ICAL_RDATE_PROPERTY) or EXDATE values into `out`. */
static gboolean
read_dates (Event *event, const FleetRecurrence *recurrence, icalproperty_kind kind, GArray *out)
{
  const char *name = kind == ICAL_RDATE_PROPERTY ? "RDATE" : "EXDATE";
  guint nth = 0;

  for (icalproperty *property = icalcomponent_get_first_property (event->component, kind);
       property != NULL;
       property = icalcomponent_get_next_property (event->component, kind), nth++)
    {
      FleetRecurrenceDate date = { 0 };
      struct icaltimetype time;
      FleetTimeZone *zone;

      date.pos = property_pos (event->import, event->lines, name, nth, &event->pos);
      if (kind == ICAL_RDATE_PROPERTY)
        {
          struct icaldatetimeperiodtype value = icalproperty_get_rdate (property);

          time = icaltime_is_null_time (value.time) ? value.period.start : value.time;
          if (icaltime_is_null_time (value.time) && !icaltime_is_null_time (value.period.end))
            date.period_seconds = -1;
          else if (icaltime_is_null_time (value.time))
            date.period_seconds = icaldurationtype_as_int (value.period.duration);

          if (date.period_seconds == -1)
            {
              zone = zone_of (event, property, value.period.end, name);
              if (zone == NULL)
                return FALSE;
              date.period_seconds = utc_of (zone, value.period.end);
              zone = zone_of (event, property, time, name);
              if (zone == NULL)
                return FALSE;
              date.period_seconds -= utc_of (zone, time);
            }
        }
      else
        time = icalproperty_get_exdate (property);

      date.is_date = time.is_date;
      zone = time.is_date ? (FleetTimeZone *) recurrence->zone
                          : zone_of (event, property, time, name);
      if (zone == NULL)
        return FALSE;

      /* A value in another zone than DTSTART is compared as an instant. */
      date.is_utc = zone != recurrence->zone;
      date.seconds = date.is_utc ? utc_of (zone, time) : seconds_of (time);
      g_array_append_val (out, date);
    }

  return TRUE;
}

static gboolean
read_rule (Event *event, FleetRecurrence *recurrence)
{
  Import *import = event->import;
  const FleetIcsProperty *raw = event->lines != NULL
                                  ? fleet_ics_component_property (event->lines, "RRULE", 0)
                                  : NULL;
  icalproperty *property = icalcomponent_get_first_property (event->component,
                                                             ICAL_RRULE_PROPERTY);
  g_autofree char *message = NULL;
  gsize offset = 0;

  if (raw == NULL && property == NULL)
    return TRUE;

  if (icalcomponent_get_next_property (event->component, ICAL_RRULE_PROPERTY) != NULL)
    fleet_diagnostics_warning (import->diags, &event->pos,
                               "%s has more than one RRULE; only the first is used",
                               event->label);

  if (raw == NULL)
    {
      recurrence->rule = icalproperty_get_rrule (property);
      recurrence->has_rule = TRUE;
      return TRUE;
    }

  if (!fleet_recurrence_parse_rule (raw->value, &recurrence->rule, &message, &offset))
    {
      FleetSourcePos pos = { import->file, raw->line, raw->value_column + (guint) offset };

      fleet_diagnostics_error (import->diags, &pos, "%s: %s", event->label, message);
      return FALSE;
    }

  recurrence->has_rule = TRUE;
  return TRUE;
}

static FleetWindowSource *
new_source (Event *event, FleetTimeZone *zone, const char *summary, const char *uid)
{
  const FleetIcalImport *options = event->import->import;
  FleetWindowSource *source = fleet_window_source_new (summary != NULL ? summary
                                                       : uid != NULL ? uid : "(no summary)",
                                                       options->kind);

  source->uid = g_strdup (uid);
  source->calendar = g_strdup (event->import->file);
  source->zone = fleet_time_zone_ref (zone);
  source->pos = event->pos;
  source->applies_to_all = options->applies_to_all;
  if (!options->applies_to_all)
    for (guint i = 0; i < options->applies_to->len; i++)
      g_ptr_array_add (source->applies_to, g_strdup (g_ptr_array_index (options->applies_to, i)));
  return source;
}

/* Return whether `event` is cancelled and so opens or freezes nothing. */
static gboolean
is_cancelled (icalcomponent *component)
{
  icalproperty *status = icalcomponent_get_first_property (component, ICAL_STATUS_PROPERTY);

  return status != NULL && icalproperty_get_status (status) == ICAL_STATUS_CANCELLED;
}

static void
import_event (Import *import, icalcomponent *component, guint ordinal)
{
  const char *uid = icalcomponent_get_uid (component);
  const char *summary = icalcomponent_get_summary (component);
  icalproperty *start_property = icalcomponent_get_first_property (component,
                                                                   ICAL_DTSTART_PROPERTY);
  g_autoptr (GArray) rdates = g_array_new (FALSE, FALSE, sizeof (FleetRecurrenceDate));
  g_autoptr (GArray) exdates = g_array_new (FALSE, FALSE, sizeof (FleetRecurrenceDate));
  g_autofree char *quoted_summary = fleet_quote_value (summary != NULL ? summary : "",
                                                       FLEET_QUOTE_MAX_CHARS);
  g_autofree char *quoted_uid = fleet_quote_value (uid != NULL ? uid : "", FLEET_QUOTE_MAX_CHARS);
  g_auto (Event) event = { .import = import, .component = component };
  FleetRecurrence recurrence = { 0 };
  struct icaltimetype start;
  GArray *overrides;

  event.lines = fleet_ics_find_component (import->index, "VEVENT", "UID", uid, ordinal);
  event.pos = (FleetSourcePos) { import->file, event.lines != NULL ? event.lines->line : 0, 1 };
  event.label = g_strdup_printf ("event %s (UID %s)", quoted_summary, quoted_uid);

  if (is_cancelled (component))
    return;

  if (start_property == NULL)
    {
      fleet_diagnostics_error (import->diags, &event.pos, "%s has no DTSTART; add one",
                               event.label);
      return;
    }

  start = icalproperty_get_dtstart (start_property);
  recurrence.zone = zone_of (&event, start_property, start, "DTSTART");
  if (recurrence.zone == NULL || !read_duration (&event, &recurrence, start)
      || !read_rule (&event, &recurrence)
      || !read_dates (&event, &recurrence, ICAL_RDATE_PROPERTY, rdates)
      || !read_dates (&event, &recurrence, ICAL_EXDATE_PROPERTY, exdates))
    return;

  overrides = uid != NULL && icalcomponent_get_first_property (component,
                                                               ICAL_RECURRENCEID_PROPERTY) == NULL
                ? g_hash_table_lookup (import->overrides, uid)
                : NULL;
  if (overrides != NULL)
    g_array_append_vals (exdates, overrides->data, overrides->len);

  recurrence.label = event.label;
  recurrence.start_local = seconds_of (start);
  recurrence.all_day = start.is_date;
  recurrence.rdates = rdates;
  recurrence.exdates = exdates;
  recurrence.pos = property_pos (import, event.lines, "DTSTART", 0, &event.pos);
  recurrence.source = fleet_window_calendar_add_source (import->calendar,
                                                        new_source (&event, (FleetTimeZone *) recurrence.zone,
                                                                    summary, uid));
  fleet_recurrence_expand (&recurrence, import->calendar, import->diags);
}

/* Record the instant each RECURRENCE-ID replaces, so that its recurring
 * event leaves that instance out. */
static void
collect_override (Import *import, icalcomponent *component, guint ordinal)
{
  icalproperty *property = icalcomponent_get_first_property (component,
                                                             ICAL_RECURRENCEID_PROPERTY);
  const char *uid = icalcomponent_get_uid (component);
  g_auto (Event) event = { .import = import, .component = component };
  FleetRecurrenceDate date = { .is_utc = TRUE };
  struct icaltimetype time;
  FleetTimeZone *zone;
  GArray *dates;

  if (property == NULL || uid == NULL)
    return;

  event.lines = fleet_ics_find_component (import->index, "VEVENT", "UID", uid, ordinal);
  event.pos = (FleetSourcePos) { import->file, event.lines != NULL ? event.lines->line : 0, 1 };
  event.label = g_strdup_printf ("event with UID %s", uid);
  time = icalproperty_get_recurrenceid (property);
  zone = zone_of (&event, property, time, "RECURRENCE-ID");
  if (zone == NULL)
    return;

  date.is_date = time.is_date;
  date.is_utc = !time.is_date;
  date.seconds = time.is_date ? seconds_of (time) : utc_of (zone, time);
  dates = g_hash_table_lookup (import->overrides, uid);
  if (dates == NULL)
    {
      dates = g_array_new (FALSE, FALSE, sizeof (FleetRecurrenceDate));
      g_hash_table_insert (import->overrides, g_strdup (uid), dates);
    }
  g_array_append_val (dates, date);
}

/* Return the indexed property whose value ends libical's error `message`,
 * which quotes the value it dropped, or NULL. */
static const FleetIcsProperty *
property_of_error (const FleetIcsComponent *lines, const char *message)
{
  for (guint i = 0; lines != NULL && i < lines->properties->len; i++)
    {
      const FleetIcsProperty *property = g_ptr_array_index (lines->properties, i);

      if (property->value[0] != '\0' && g_str_has_suffix (message, property->value))
        return property;
    }

  return NULL;
}

/* Report the X-LIC-ERROR properties libical leaves where it could not parse
 * a property, which it then drops.  RRULE values are left to read_rule,
 * which names the invalid part. */
static void
report_parse_errors (Import *import, icalcomponent *component, const FleetIcsComponent *lines,
                     const FleetSourcePos *fallback)
{
  for (icalproperty *property = icalcomponent_get_first_property (component,
                                                                   ICAL_XLICERROR_PROPERTY);
       property != NULL;
       property = icalcomponent_get_next_property (component, ICAL_XLICERROR_PROPERTY))
    {
      const char *message = icalproperty_get_xlicerror (property);
      const FleetIcsProperty *culprit = property_of_error (lines, message);
      g_autofree char *quoted = fleet_quote_value (message, 200);
      FleetSourcePos pos = *fallback;

      if (culprit != NULL && g_str_equal (culprit->name, "RRULE"))
        continue;
      if (culprit != NULL)
        pos = (FleetSourcePos) { import->file, culprit->line, culprit->value_column };

      fleet_diagnostics_error (import->diags, &pos, "libical could not parse a property: %s",
                               quoted);
    }
}

static void
import_calendar (Import *import, icalcomponent *vcalendar, guint *ordinal)
{
  FleetSourcePos file_pos = { import->file, 0, 0 };
  guint first_ordinal = *ordinal;

  report_parse_errors (import, vcalendar, NULL, &file_pos);
  for (icalcomponent *vtimezone = icalcomponent_get_first_component (vcalendar,
                                                                     ICAL_VTIMEZONE_COMPONENT);
       vtimezone != NULL;
       vtimezone = icalcomponent_get_next_component (vcalendar, ICAL_VTIMEZONE_COMPONENT))
    add_vtimezone (import, vtimezone);

  for (icalcomponent *event = icalcomponent_get_first_component (vcalendar,
                                                                 ICAL_VEVENT_COMPONENT);
       event != NULL;
       event = icalcomponent_get_next_component (vcalendar, ICAL_VEVENT_COMPONENT))
    collect_override (import, event, (*ordinal)++);

  *ordinal = first_ordinal;
  for (icalcomponent *event = icalcomponent_get_first_component (vcalendar,
                                                                 ICAL_VEVENT_COMPONENT);
       event != NULL;
       event = icalcomponent_get_next_component (vcalendar, ICAL_VEVENT_COMPONENT))
    {
      const FleetIcsComponent *lines = fleet_ics_find_component (import->index, "VEVENT", "UID",
                                                                 icalcomponent_get_uid (event),
                                                                 *ordinal);
      FleetSourcePos pos = { import->file, lines != NULL ? lines->line : 0, 1 };

      report_parse_errors (import, event, lines, &pos);
      import_event (import, event, (*ordinal)++);
    }
}

/* Parse `text` with libical.  Returns the root component, or NULL after
 * reporting that the file is not iCalendar. */
static icalcomponent *
parse_text (Import *import, GBytes *text)
{
  gsize length;
  const char *data = g_bytes_get_data (text, &length);
  /* An empty file comes as NULL, which libical would dereference. */
  g_autofree char *terminated = g_strndup (data != NULL ? data : "", length);
  FleetSourcePos pos = { import->file, 1, 1 };
  icalcomponent *root;

  root = icalparser_parse_string (terminated);
  if (root == NULL || (icalcomponent_isa (root) != ICAL_VCALENDAR_COMPONENT
                       && icalcomponent_isa (root) != ICAL_XROOT_COMPONENT))
    {
      fleet_diagnostics_error (import->diags, &pos,
                               "not an iCalendar file: expected BEGIN:VCALENDAR");
      if (root != NULL)
        icalcomponent_free (root);
      return NULL;
    }

  return root;
}

gboolean
fleet_ical_import_file (const char *path,
                        const FleetIcalImport *options,
                        FleetWindowCalendar *calendar,
                        FleetDiagnostics *diags)
{
  g_autoptr (GBytes) text = NULL;
  g_autoptr (GHashTable) zones = g_hash_table_new_full (g_str_hash, g_str_equal, g_free,
                                                        (GDestroyNotify) fleet_time_zone_unref);
  g_autoptr (GHashTable) overrides = g_hash_table_new_full (g_str_hash, g_str_equal, g_free,
                                                            (GDestroyNotify) g_array_unref);
  g_autoptr (GPtrArray) index = NULL;
  Import import = {
    .file = g_intern_string (path),
    .zones = zones,
    .overrides = overrides,
    .import = options,
    .calendar = calendar,
    .diags = diags,
    .errors_before = fleet_diagnostics_error_count (diags),
  };
  icalcomponent *root;
  guint ordinal = 0;
  gsize length;

  text = fleet_read_source_file (diags, path, "calendar", options->reference);
  if (text == NULL)
    return FALSE;

  index = fleet_ics_index (g_bytes_get_data (text, &length), g_bytes_get_size (text));
  import.index = index;
  root = parse_text (&import, text);
  if (root == NULL)
    return FALSE;

  if (icalcomponent_isa (root) == ICAL_VCALENDAR_COMPONENT)
    import_calendar (&import, root, &ordinal);
  else
    for (icalcomponent *child = icalcomponent_get_first_component (root,
                                                                   ICAL_VCALENDAR_COMPONENT);
         child != NULL;
         child = icalcomponent_get_next_component (root, ICAL_VCALENDAR_COMPONENT))
      import_calendar (&import, child, &ordinal);

  icalcomponent_free (root);
  return fleet_diagnostics_error_count (diags) == import.errors_before;
}
