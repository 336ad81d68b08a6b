/* fleet-windows-show.h: the text and JSON forms of a workflow's windows for
 * `fleetc windows`.
 *
 * Both list, per inventory group and for hosts in no group, the effective
 * windows (windows minus freezes) and the freezes, in UTC and in the local
 * time of the definition each interval comes from, then the recurrence
 * instances dropped because their local start time does not exist.
 */
#pragma once

#include <glib.h>

#include "schema/fleet-workflow.h"

G_BEGIN_DECLS

/* Return the windows of `workflow`, whose `windows` must not be NULL, as
 * text for a terminal.  Free with g_free. */
char *fleet_windows_show_text (const FleetWorkflow *workflow);

/* Return them as one JSON object with the members workflow, from, to,
 * restricted, groups, ungrouped and dropped.  Free with g_free. */
char *fleet_windows_show_json (const FleetWorkflow *workflow);

G_END_DECLS
