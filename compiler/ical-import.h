/* ical-import.h: windows and freezes from iCalendar (RFC 5545) files.
 *
 * Every VEVENT of the file becomes one FleetWindowSource of the calendar,
 * with its instances in the calendar's range (recurrence.h states the
 * rules).  Events with STATUS:CANCELLED are skipped; an event with a
 * RECURRENCE-ID replaces that one instance of its recurring event.
 *
 * Time zones: a TZID is looked up first among the file's VTIMEZONEs, whose
 * rules are used as written, then in the system time zone database.
 * Floating date-times and DATE values (all-day events) are local to
 * `default_zone`; without one they are errors.
 *
 * Problems are reported at the file's line and column where the index of
 * ics-lines.h finds the property, else at the event's BEGIN:VEVENT line,
 * and the message names the event's SUMMARY and UID.  libical is used only
 * here and in recurrence.c, so only the compiler links it.
 */
#pragma once

#include <glib.h>

#include "schema/fleet-diagnostics.h"
#include "schema/fleet-window-calendar.h"

G_BEGIN_DECLS

typedef struct {
  FleetWindowKind kind;             /* what the file's events are */
  gboolean applies_to_all;
  const GPtrArray *applies_to;      /* char *, group names, when not applies_to_all */
  FleetTimeZone *default_zone;      /* for floating times and all-day events, or NULL */
  const FleetSourcePos *reference;  /* the workflow value naming the file */
} FleetIcalImport;

/* Read the iCalendar file at `path` and add its events to `calendar`.
 * Returns FALSE when an error was added to `diags`; warnings, such as
 * dropped instances, may be added either way. */
gboolean fleet_ical_import_file (const char *path,
                                 const FleetIcalImport *import,
                                 FleetWindowCalendar *calendar,
                                 FleetDiagnostics *diags);

G_END_DECLS
