/* window-schedule.h: fitting a plan's waves into its maintenance windows.
 *
 * The model, which fleet-run enforces (docs/windows.md):
 *   - A host's work is the sum of the estimates of the steps it runs, and
 *     it runs within one window interval that still has the work plus the
 *     safety margin left when the host starts.  A host never starts in a
 *     window too short for it, so it never needs to stop halfway when the
 *     estimates hold.
 *   - Waves run in plan order: a wave starts when the previous one ends.
 *   - Within a wave, at most `parallelism` hosts run at once, and a host
 *     whose window is closed takes no slot; fleet-run starts the hosts of
 *     a wave in the planned order.
 * The slot that frees first goes to a host that may start in it then.
 * Among those, hosts that would end after the wave's target if they had
 * to wait for their next window come first, then the host whose window
 * closes first, then the earlier host of the wave.  Each wave is placed
 * with a few targets (none, every host urgent, the wave's lower bound and
 * points between it and the best end found), and the earliest end wins.
 * This list schedule is not always optimal, so the plan also records a
 * lower bound on the finishing time that no schedule of the same waves can
 * beat, and the gap between the two is known.
 */
#pragma once

#include <glib.h>

#include "schema/fleet-diagnostics.h"
#include "schema/fleet-plan.h"
#include "schema/fleet-workflow.h"

G_BEGIN_DECLS

/* Give `plan` (built from `workflow` by the planner, steps in workflow
 * order) its schedule when the workflow defines windows or freezes:
 * resolve each step's estimate (`estimate`, then the p95 of
 * workflow->step_history, then `timeout`), compute each host's windows,
 * reorder the hosts of each wave by window and place every wave.  Reports
 * a step without any estimate, and every host that does not fit, with the
 * reason and what would make it fit, as errors in `diags`.  Returns FALSE
 * after an error.  Without windows and freezes, does nothing. */
gboolean fleet_planner_schedule_windows (FleetPlan *plan,
                                         const FleetWorkflow *workflow,
                                         FleetDiagnostics *diags);

G_END_DECLS
