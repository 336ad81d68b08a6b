/* step-overlap.h: the steps of one host that may run at the same time
 * (fleet-step-overlap.h), planned from `concurrent_steps`, `needs`, `when`
 * and the step kinds.
 */
#pragma once

#include <glib.h>

#include "schema/fleet-diagnostics.h"
#include "schema/fleet-plan.h"
#include "schema/fleet-workflow.h"

G_BEGIN_DECLS

/* Set plan->step_overlap when the workflow sets `concurrent_steps` above 1;
 * plan->steps must be the workflow's steps in the same order.  A step
 * follows the steps it needs and the steps whose results its `when`
 * names (`steps.S.rc`, `steps.S.stdout`).  A reboot step and a step that
 * waits for other hosts run alone.  Reports an error at `concurrent_steps`
 * when the workflow has maintenance windows or freezes, and warns when no
 * two steps may overlap.  Returns FALSE when it reported an error. */
gboolean fleet_planner_plan_step_overlap (FleetPlan *plan, const FleetWorkflow *workflow,
                                          FleetDiagnostics *diags);

G_END_DECLS
