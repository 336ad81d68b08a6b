/* fleet-window.h: lists of concrete UTC time intervals and the questions a
 * scheduler asks of them.
 *
 * A window list is a GArray of FleetWindowInterval: half-open intervals
 * [start_us, end_us) in microseconds since the Unix epoch (UTC), the unit of
 * fleet_clock_wall_us.  A normalized list is sorted by start, and its
 * intervals neither overlap nor touch.  Every function that returns a list
 * returns a normalized, new one (free with g_array_unref) and leaves its
 * arguments alone.
 *
 * This module knows nothing of time zones, recurrence rules or iCalendar:
 * lists are what plans carry, so fleet-run can answer "may this host start
 * now" from them alone.  Instants outside every interval are not allowed,
 * and so are instants outside the range a list was computed for.
 */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

/* Marks an interval that no window definition produced, such as the whole
 * range when only freezes are defined. */
#define FLEET_WINDOW_NO_SOURCE G_MAXUINT

typedef struct {
  gint64 start_us;
  gint64 end_us;       /* exclusive; greater than start_us */
  guint source;        /* index of the definition whose instance starts the
                        * interval (FleetWindowCalendar.sources), or
                        * FLEET_WINDOW_NO_SOURCE */
} FleetWindowInterval;

/* Return a new, empty list. */
GArray *fleet_window_list_new (void);

/* Append [start_us, end_us) with `source` unless it is empty; the list is
 * no longer normalized until fleet_window_list_normalize. */
void fleet_window_list_append (GArray *list, gint64 start_us, gint64 end_us, guint source);

/* Sort `list` and merge intervals that overlap or touch, in place.  A
 * merged interval keeps the source of its earliest part. */
void fleet_window_list_normalize (GArray *list);

/* Return the instants in `a` or in `b`; a NULL `b` counts as empty. */
GArray *fleet_window_list_union (const GArray *a, const GArray *b);

/* Return the instants of `windows` that are in no interval of `freezes`.
 * Pieces keep their window's source. */
GArray *fleet_window_list_subtract (const GArray *windows, const GArray *freezes);

/* Return the parts of `list` within [from_us, to_us). */
GArray *fleet_window_list_clip (const GArray *list, gint64 from_us, gint64 to_us);

/* Return the total length of the intervals of a normalized `list`. */
gint64 fleet_window_list_total_us (const GArray *list);

/* Return whether `at_us` lies in an interval of the normalized `list` that
 * stays open for at least `min_left_us` more (0: any time left).  On TRUE,
 * `out_end_us` (may be NULL) receives the end of that interval. */
gboolean fleet_window_list_allows (const GArray *list,
                                   gint64 at_us,
                                   gint64 min_left_us,
                                   gint64 *out_end_us);

/* Find the earliest instant at or after `at_us` that
 * fleet_window_list_allows with `min_left_us`: `at_us` itself when it is
 * allowed, else the start of the next interval at least `min_left_us`
 * long.  Returns FALSE when the list has none. */
gboolean fleet_window_list_next_start (const GArray *list,
                                       gint64 at_us,
                                       gint64 min_left_us,
                                       gint64 *out_start_us);

G_END_DECLS
