/* window-freezes.h: the change freezes that cut a host's maintenance
 * windows: recorded in the plan, so that fleet-run can name the freeze
 * that ended a window, and named in the error about a host that they
 * leave without any window. */
#pragma once

#include <glib.h>

#include "schema/fleet-model.h"
#include "schema/fleet-plan-freezes.h"
#include "schema/fleet-window-calendar.h"

G_BEGIN_DECLS

/* Return the freeze instances that apply to `host` and overlap a window
 * of its groups before freezes are subtracted, as a GArray of
 * FleetPlanFreeze (free with g_array_unref). */
GArray *fleet_window_host_freezes (const FleetWindowCalendar *calendar, const FleetHost *host);

/* Return the names of the freezes that apply to `host` and cover a
 * window of its groups within the calendar's range.  They are quoted and
 * joined with ", ", at most a few and then "and N more".  Returns NULL
 * when its groups have no window in the range even before freezes, so
 * that no freeze is to blame.  Free with g_free. */
char *fleet_window_covering_freezes (const FleetWindowCalendar *calendar, const FleetHost *host);

G_END_DECLS
