/* recurrence.h: expand one window or freeze definition into UTC instances.
 *
 * The input is what RFC 5545 calls a recurrence set: a start, a duration,
 * an optional RRULE, RDATEs and EXDATEs, all in the wall-clock time of one
 * zone.  libical iterates the RRULE in floating (zone-less) local time; this
 * module converts every instance with fleet-timezone.h and applies RFC 5545
 * itself, whatever libical's own zone handling would do:
 *   - an RRULE instance whose local start does not exist (spring-forward
 *     gap) is dropped, not counted toward COUNT, and reported as a warning;
 *   - the start itself, RDATEs and EXDATEs that do not exist are read with
 *     the UTC offset before the gap (section 3.3.5), with a warning;
 *   - a repeated local time (autumn overlap) means its first occurrence;
 *   - COUNT counts the start and the instances kept; UNTIL is compared in
 *     UTC when written in UTC, else in local time;
 *   - a duration is a number of nominal days, added on the local calendar,
 *     plus exact seconds of elapsed time.
 */
#pragma once

#include <glib.h>
#include <libical/ical.h>

#include "schema/fleet-diagnostics.h"
#include "schema/fleet-window-calendar.h"

G_BEGIN_DECLS

/* One RDATE or EXDATE value. */
typedef struct {
  gint64 seconds;              /* local seconds, or UTC seconds when is_utc */
  gboolean is_utc;
  gboolean is_date;            /* a DATE: the whole local day */
  gint64 period_seconds;       /* RDATE PERIOD: its exact length; 0 for none */
  FleetSourcePos pos;
} FleetRecurrenceDate;

typedef struct {
  guint source;                /* index of the definition in the calendar */
  const char *label;           /* names the definition in messages: "window \"nightly\"" */
  const FleetTimeZone *zone;   /* zone of the local times */
  gint64 start_local;          /* DTSTART as local seconds (UTC seconds when zone is UTC) */
  gboolean all_day;            /* DTSTART is a DATE */
  gint64 duration_days;        /* nominal days, added to the local start */
  gint64 duration_seconds;     /* exact seconds, added after the days */
  gboolean has_rule;
  struct icalrecurrencetype rule;
  GArray *rdates;              /* FleetRecurrenceDate, or NULL */
  GArray *exdates;             /* FleetRecurrenceDate, or NULL */
  FleetSourcePos pos;          /* where warnings about the start and the rule go */
} FleetRecurrence;

/* Most RRULE instances iterated for one definition, kept or not, counted
 * from its start.  A daily rule reaches it after 2,700 years, a minutely
 * one after two years. */
#define FLEET_RECURRENCE_MAX_STEPS 1000000u

/* Add the instances of `recurrence` that overlap the calendar's range to
 * `calendar`, and its dropped instances within the range.  Returns FALSE
 * after reporting an error when the rule cannot be iterated or takes more
 * than FLEET_RECURRENCE_MAX_STEPS steps. */
gboolean fleet_recurrence_expand (const FleetRecurrence *recurrence,
                                  FleetWindowCalendar *calendar,
                                  FleetDiagnostics *diags);

/* Parse RRULE text ("FREQ=WEEKLY;BYDAY=TU", with or without a leading
 * "RRULE:").  On failure returns FALSE, sets `out_message` to a new message
 * naming the invalid part and `out_offset` to that part's byte offset in
 * `text`. */
gboolean fleet_recurrence_parse_rule (const char *text,
                                      struct icalrecurrencetype *out_rule,
                                      char **out_message,
                                      gsize *out_offset);

G_END_DECLS
