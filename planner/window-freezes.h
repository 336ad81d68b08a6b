/* window-freezes.h: the change freezes that leave a host without any
 * maintenance window, named in the error about that host. */
#pragma once

#include <glib.h>

#include "schema/fleet-model.h"
#include "schema/fleet-window-calendar.h"

G_BEGIN_DECLS

/* Return the names of the freezes that apply to `host` and cover a
 * window of its groups within the calendar's range.  They are quoted and
 * joined with ", ", at most a few and then "and N more".  Returns NULL
 * when its groups have no window in the range even before freezes, so
 * that no freeze is to blame.  Free with g_free. */
char *fleet_window_covering_freezes (const FleetWindowCalendar *calendar, const FleetHost *host);

G_END_DECLS
