/* plan-clean-steps.h: the steps of a rejected workflow that no compile
 * error points into, which fleet_planner_check may still plan.
 *
 * A step that an error points into may be incomplete in the IR (a
 * template whose file could not be read, a condition that does not
 * parse), and the planner assumes complete steps.  An error belongs to
 * the step of its file that starts last at or before the error.  So an
 * error in a top-level key written after the steps also leaves out the
 * last step, and the check reports less.
 */
#pragma once

#include <glib.h>

#include "schema/fleet-diagnostics.h"

G_BEGIN_DECLS

/* Return a new array of the steps of `steps` (FleetStep *, borrowed by the
 * result, which has no free function) that no error of `diags` points
 * into, in their order.  Returns NULL when `diags` did not store every
 * error (FLEET_DIAGNOSTICS_MAX_STORED), because then no step is known to
 * be free of errors. */
GPtrArray *fleet_planner_clean_steps (const GPtrArray *steps, const FleetDiagnostics *diags);

G_END_DECLS
