/* fleet-window-calendar.h: maintenance windows and change freezes expanded
 * over a time range, per inventory group.
 *
 * The compiler fills a calendar: one FleetWindowSource per window or freeze
 * definition (a workflow entry or one iCalendar event), the concrete UTC
 * instances each one has in the range, and the instances it dropped because
 * their local start time does not exist.  fleet_window_calendar_build then
 * computes, per group, the windows that apply, the freezes that apply and
 * the effective windows: windows minus freezes, because a freeze always
 * wins.
 *
 * Rules the build applies:
 *   - A definition applies to a host when it applies to all hosts or names
 *     one of the host's groups.
 *   - When `restricted` is FALSE (the workflow defines only freezes), every
 *     group is open over the whole range except during its freezes.
 *   - When `restricted` is TRUE (the workflow defines windows), only window
 *     instances open time: a group that no window applies to is never open,
 *     and an empty calendar of windows opens nothing.
 *   - Nothing is open outside [from_us, to_us), the range the calendar was
 *     expanded for.
 *
 * The calendar owns everything it points to; times are microseconds since
 * the Unix epoch, UTC, as in fleet-window.h.
 */
#pragma once

#include <glib.h>

#include "schema/fleet-model.h"
#include "schema/fleet-timezone.h"
#include "schema/fleet-window.h"

G_BEGIN_DECLS

typedef enum {
  FLEET_WINDOW_KIND_WINDOW,    /* time when changes may run */
  FLEET_WINDOW_KIND_FREEZE,    /* time when no change may run, whatever the windows say */
} FleetWindowKind;

/* One definition that instances come from. */
typedef struct {
  char *name;                  /* workflow entry name, or the event's SUMMARY (its UID when none) */
  char *uid;                   /* iCalendar UID, or NULL for a workflow entry */
  char *calendar;              /* path of the .ics file, or NULL for a workflow entry */
  FleetWindowKind kind;
  FleetTimeZone *zone;         /* the local time the definition is written in */
  gboolean applies_to_all;
  GPtrArray *applies_to;       /* char *, group names; empty when applies_to_all */
  FleetSourcePos pos;          /* the workflow entry, or the event's BEGIN:VEVENT line */
} FleetWindowSource;

/* A recurrence instance left out because its local start time falls in a
 * spring-forward gap (RFC 5545, section 3.3.10). */
typedef struct {
  guint source;
  gint64 local_seconds;        /* the skipped wall-clock start, see fleet-timezone.h */
} FleetDroppedInstance;

/* The windows of one group, each list normalized and within the range. */
typedef struct {
  char *name;
  GArray *windows;             /* FleetWindowInterval: windows that apply (the whole range when none is defined) */
  GArray *freezes;             /* FleetWindowInterval: freezes that apply */
  GArray *effective;           /* FleetWindowInterval: windows minus freezes */
} FleetGroupWindows;

typedef struct {
  gint64 from_us;
  gint64 to_us;
  gboolean restricted;         /* TRUE when windows are defined, even if none has an instance */
  GPtrArray *sources;          /* FleetWindowSource * */
  GArray *instances;           /* FleetWindowInterval: every instance that overlaps the range, unclipped, in expansion order */
  GArray *dropped;             /* FleetDroppedInstance, within the range */
  GPtrArray *groups;           /* FleetGroupWindows *, in the order given to build */
  GHashTable *groups_by_name;  /* char * -> FleetGroupWindows *, borrowed from groups */
  FleetGroupWindows *ungrouped; /* hosts in no group: only definitions that apply to all */
} FleetWindowCalendar;

FleetWindowSource *fleet_window_source_new (const char *name, FleetWindowKind kind);
void fleet_window_source_free (FleetWindowSource *source);

/* Return "window" or "freeze". */
const char *fleet_window_kind_to_string (FleetWindowKind kind);

/* Return a new, empty calendar for [from_us, to_us). */
FleetWindowCalendar *fleet_window_calendar_new (gint64 from_us, gint64 to_us);
void fleet_window_calendar_free (FleetWindowCalendar *calendar);

/* Add `source`, taking ownership; returns its index. */
guint fleet_window_calendar_add_source (FleetWindowCalendar *calendar, FleetWindowSource *source);

/* Record an instance of source `source`; instances that do not overlap the
 * range are ignored. */
void fleet_window_calendar_add_instance (FleetWindowCalendar *calendar,
                                         guint source,
                                         gint64 start_us,
                                         gint64 end_us);

void fleet_window_calendar_add_dropped (FleetWindowCalendar *calendar,
                                        guint source,
                                        gint64 local_seconds);

/* Compute the windows of every group named in `group_names` (char *) and of
 * hosts in no group, following the rules in the header comment.  Call once,
 * after `restricted` is set and every source and instance is added. */
void fleet_window_calendar_build (FleetWindowCalendar *calendar, const GPtrArray *group_names);

/* Return the windows of `group`, or NULL when build did not see it;
 * borrowed. */
const FleetGroupWindows *fleet_window_calendar_lookup_group (const FleetWindowCalendar *calendar,
                                                             const char *group);

/* Return the effective windows of `group` within [from_us, to_us), or NULL
 * when the group is unknown.  Free with g_array_unref. */
GArray *fleet_window_calendar_group_effective (const FleetWindowCalendar *calendar,
                                               const char *group,
                                               gint64 from_us,
                                               gint64 to_us);

/* Return the effective windows within [from_us, to_us) of a host in the
 * `n_groups` groups `groups` (none: a host in no group): the union of the
 * windows of its groups minus the union of their freezes, so that a freeze
 * of any of its groups stops it.  Unknown group names are skipped.  Free
 * with g_array_unref. */
GArray *fleet_window_calendar_host_effective (const FleetWindowCalendar *calendar,
                                              const char * const *groups,
                                              gsize n_groups,
                                              gint64 from_us,
                                              gint64 to_us);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (FleetWindowSource, fleet_window_source_free)
G_DEFINE_AUTOPTR_CLEANUP_FUNC (FleetWindowCalendar, fleet_window_calendar_free)

G_END_DECLS
