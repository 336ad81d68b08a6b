/* plan-values.h: step settings with `{{ name }}` references rendered per
 * host: `dest`, `workdir`, `env` values, and the `command`, `path` and
 * `boot_id_file` of reboot and wait_for (fleet-step-values.h).
 *
 * They use the variables of commands (plan-commands.h).  A command is
 * quoted as `run` is; other values are inserted verbatim.
 */
#pragma once

#include <glib.h>

#include "schema/fleet-diagnostics.h"
#include "schema/fleet-plan.h"
#include "schema/fleet-workflow.h"

G_BEGIN_DECLS

/* Fill step->values->host_values of every step of `plan` with value
 * templates, for each host that does not skip the step, and drop the
 * IR-only templates.  Reports each reference to a variable that some host
 * lacks once, at the reference, and each rendering that is empty or not
 * the absolute path the key needs once, at the value, naming the first such
 * host.  Returns FALSE when it reported an error. */
gboolean fleet_planner_render_values (FleetPlan *plan,
                                      const FleetWorkflow *workflow,
                                      FleetDiagnostics *diags);

G_END_DECLS
