/* halt-thresholds.h: the `halt_at` rules of a plan.
 *
 * Copies the rules into the plan, resolves them against each wave's size
 * and the number of selected hosts (fleet-threshold.h), and warns about a
 * rule the workflow sets that the arithmetic turns into something its text
 * does not suggest: a percentage that comes to less than one host, so that
 * the first failure halts, or a count larger than a wave, which failures
 * there can never reach.
 */
#pragma once

#include <glib.h>

#include "schema/fleet-diagnostics.h"
#include "schema/fleet-plan.h"
#include "schema/fleet-workflow.h"

G_BEGIN_DECLS

/* Set plan->halt_at, halt_at_default and every resolved threshold from
 * workflow->halt_at; plan->hosts and plan->waves must be complete. */
void fleet_planner_apply_halt_at (const FleetWorkflow *workflow,
                                  FleetPlan *plan,
                                  FleetDiagnostics *diags);

G_END_DECLS
