/* step-order.h: the order of a workflow's steps under `needs`.
 *
 * Each host runs the steps one after the other, so `needs` orders the whole
 * list: a step runs after every step it needs.  Among steps whose needs are
 * met, the one written first runs first, so a list already in a valid order
 * is kept as written.  `needs` orders only; a host that skips a needed step
 * still runs the step that needs it.
 */
#pragma once

#include <glib.h>

#include "schema/fleet-diagnostics.h"

G_BEGIN_DECLS

/* Reorder `steps` (FleetStep *) as described above.  Reports a name in
 * `needs` that no step has, a step that needs itself, and a cycle, naming
 * its steps in order; `steps` is left as it was after an error. */
void fleet_order_steps (FleetDiagnostics *diags, GPtrArray *steps);

G_END_DECLS
