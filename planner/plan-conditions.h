/* plan-conditions.h: step conditions decided at compile time.
 *
 * A `when` that uses only inventory data (fleet-condition.h) is evaluated
 * for every selected host: the plan lists the hosts where it is false with
 * the reason, and drops the condition.  A `when` that needs `facts.*` or
 * `steps.*` stays in the plan for fleet-run, together with the workflow
 * variables it may use.
 */
#pragma once

#include <glib.h>

#include "schema/fleet-diagnostics.h"
#include "schema/fleet-plan.h"
#include "schema/fleet-workflow.h"

G_BEGIN_DECLS

/* Decide the conditions of plan->steps as described above.  Warns about
 * each condition that is false for every selected host.  Returns FALSE
 * after reporting an evaluation error (a comparison of values that cannot
 * be compared). */
gboolean fleet_planner_decide_conditions (FleetPlan *plan,
                                          const FleetWorkflow *workflow,
                                          FleetDiagnostics *diags);

G_END_DECLS
