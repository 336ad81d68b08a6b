/* window-parser.h: the workflow's `windows` and `freezes` lists.
 *
 * Each item is either an inline definition (name, start, duration, rrule,
 * timezone, applies_to) or an iCalendar file (calendar, kind, timezone,
 * applies_to).  The lists are read after the inventory, so that applies_to
 * can be checked against its groups, and expanded at once into a
 * FleetWindowCalendar for a given time range.
 */
#pragma once

#include <glib.h>

#include "compiler/yaml-tree.h"
#include "schema/fleet-diagnostics.h"
#include "schema/fleet-window-calendar.h"
#include "schema/fleet-workflow.h"

G_BEGIN_DECLS

/* Parse `windows` and `freezes`, the values of those keys (either may be
 * NULL when absent), and expand them over [from_us, to_us) for the groups
 * of `inventory`.  With a NULL `inventory` (it failed to load), group
 * names are not checked and only hosts in no group get windows.  Calendar
 * paths are relative to the directory of `workflow_path`.  Returns a new
 * calendar, which is incomplete when errors were reported, or NULL when
 * both lists are absent. */
FleetWindowCalendar *fleet_compile_windows (FleetDiagnostics *diags,
                                            const FleetYamlNode *windows,
                                            const FleetYamlNode *freezes,
                                            const char *workflow_path,
                                            const FleetInventory *inventory,
                                            gint64 from_us,
                                            gint64 to_us);

G_END_DECLS
