/* plan-barriers.h: steps that wait for a step on the hosts of a group
 * (fleet-step-barrier.h), resolved against the plan's hosts and waves.
 */
#pragma once

#include <glib.h>

#include "schema/fleet-diagnostics.h"
#include "schema/fleet-plan.h"
#include "schema/fleet-workflow.h"

G_BEGIN_DECLS

/* Fill barrier->hosts of every step of `plan`: the selected hosts of the
 * barrier's group that do not skip the step waited for.  plan->waves must
 * be filled.  Reports three errors at the `needs` entry: an unknown group,
 * a host of the group in a later wave than a host that waits (which would
 * wait for ever), and one in the same wave.  The last is allowed when every
 * host of that wave can be busy at once: concurrency `adaptive: false`, no
 * caps, and `parallelism` at least the wave's size.  Warns when no host of
 * the group runs the step.
 * Returns FALSE when it reported an error. */
gboolean fleet_planner_resolve_barriers (FleetPlan *plan,
                                         const FleetWorkflow *workflow,
                                         FleetDiagnostics *diags);

G_END_DECLS
