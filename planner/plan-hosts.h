/* plan-hosts.h: the jump hosts a plan needs, and the problems of its hosts.
 *
 * The compiler settles every inventory host and records the problems that
 * depend on the host (a rejected ssh_config line, a jump host loop, unused
 * ssh_config keywords).  Only the plan's hosts and the jump hosts they go
 * through matter, so the planner copies and reports those.
 */
#pragma once

#include <glib.h>

#include "schema/fleet-diagnostics.h"
#include "schema/fleet-plan.h"
#include "schema/fleet-workflow.h"

G_BEGIN_DECLS

/* Copy into plan->jump_hosts, in inventory order, every jump host of
 * `inventory` that a host of plan->hosts goes through, directly or through
 * other jump hosts. */
void fleet_planner_add_jump_hosts (FleetPlan *plan, const FleetInventory *inventory);

/* Report the problems of `inventory` that concern a host or jump host of
 * `plan`: each error once, at its setting, naming the hosts it concerns,
 * and one warning that lists every unused ssh_config keyword with its
 * lines.  Returns FALSE when it reported an error. */
gboolean fleet_planner_report_host_problems (const FleetPlan *plan,
                                             const FleetInventory *inventory,
                                             FleetDiagnostics *diags);

G_END_DECLS
