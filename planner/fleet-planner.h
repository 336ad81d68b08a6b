/* fleet-planner.h: from the workflow IR to an execution plan.
 *
 * The planner is a pure transform: it reads the IR, performs no I/O, and
 * reports problems (an empty target set, waves that do not cover the
 * selected hosts, hosts without a spread attribute, settings of the selected
 * hosts that fleetc cannot honour) as diagnostics against the positions of
 * the input files.  docs/workflow.md describes the rules.
 */
#pragma once

#include <glib.h>

#include "schema/fleet-diagnostics.h"
#include "schema/fleet-plan.h"
#include "schema/fleet-workflow.h"

G_BEGIN_DECLS

/* Return the hosts of `workflow` that its target selects, in inventory order,
 * as borrowed pointers into the workflow's inventory, or NULL after
 * reporting a `where` expression that fails on a host.  --limit is not
 * applied here. */
GPtrArray *fleet_planner_select_hosts (const FleetWorkflow *workflow, FleetDiagnostics *diags);

/* Split `n_hosts` selected hosts into wave sizes following `batches`.
 *
 * Each batch is a host count or a percentage of `n_hosts`, rounded up so that
 * a non-zero percentage never gives an empty wave; a batch larger than the
 * hosts left takes what is left.  Batches left over once every host is placed
 * are dropped and counted in `out_n_dropped`.  Returns the sizes (guint), or
 * NULL and an error in `diags` when the batches place fewer than `n_hosts`
 * hosts. */
GArray *fleet_planner_split_waves (const GArray *batches,
                                   guint n_hosts,
                                   const FleetSourcePos *waves_pos,
                                   guint *out_n_dropped,
                                   FleetDiagnostics *diags);

/* Build the plan for `workflow`: select the hosts (target, then --limit),
 * add the jump hosts they go through and the steps, split the hosts into the
 * stages of `order`, plan each stage's canaries and waves under the spread
 * rules, and resolve the halt_at thresholds.  Returns a new plan, or NULL
 * when an error was added to `diags`. */
FleetPlan *fleet_planner_build (const FleetWorkflow *workflow, FleetDiagnostics *diags);

/* Report the planner's problems with `workflow`, a workflow that the
 * compiler rejected but returned (FleetCompileOptions.keep_after_errors),
 * so that one compile reports the errors of both.  Only the steps that no
 * error in `diags` points into are checked (plan-clean-steps.h), nothing
 * is checked without an inventory, and an empty selection is not
 * reported, because the compile errors usually cause it.  Builds no plan. */
void fleet_planner_check (const FleetWorkflow *workflow, FleetDiagnostics *diags);

G_END_DECLS
