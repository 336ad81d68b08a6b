/* plan-empty-target.h: the error for a target that selects no host, at
 * the key that removed the last one.
 *
 * The hosts a target names (`all`, `groups`, `hosts`) are narrowed by
 * `match`, then by `where`.  When names select hosts but `match` keeps
 * none, the error points at the value of the first `match` entry (in file
 * order) that no named host has, or at the first entry when only the
 * combination fails.  When `match` keeps hosts but `where` keeps none, it
 * points at `where`.  Otherwise it points at the target.
 */
#pragma once

#include <glib.h>

#include "schema/fleet-diagnostics.h"
#include "schema/fleet-workflow.h"

G_BEGIN_DECLS

/* Return whether `host` has every attribute value of `match` (char *
 * attribute -> char * value), as the target's `match` requires. */
gboolean fleet_host_has_match_values (const FleetHost *host, GHashTable *match);

/* Report that the target of `workflow` selects no host.  `named` contains
 * the hosts (FleetHost *) its names select, before `match` and `where`. */
void fleet_planner_report_empty_target (const FleetWorkflow *workflow, const GPtrArray *named,
                                        FleetDiagnostics *diags);

G_END_DECLS
