/* plan-commands.h: `{{ name }}` references rendered per host.
 *
 * A host's variables are the workflow's `vars` overridden by the host's
 * attributes.  Inventory group and host variables reach a host as
 * attributes: the Ansible readers fold them in with Ansible's precedence
 * (group vars, then child group vars, then host vars), so the order is
 * workflow vars < group vars < host vars and attributes.
 */
#pragma once

#include <glib.h>

#include "schema/fleet-diagnostics.h"
#include "schema/fleet-plan.h"
#include "schema/fleet-workflow.h"

G_BEGIN_DECLS

/* The variable whose value is the host's inventory name, below the
 * workflow's `vars` in precedence, named as Ansible names it. */
#define FLEET_INVENTORY_HOSTNAME_VARIABLE "inventory_hostname"

/* Return a new table (char * -> char *) of the variables of `host` under
 * `workflow`, in the order of precedence above. */
GHashTable *fleet_planner_host_variables (const FleetWorkflow *workflow, const FleetHost *host);

/* Fill step->host_commands of each step of `plan` whose command has
 * references, for every host of plan->hosts that does not skip the step
 * (step->skipped_hosts), and drop the IR-only
 * reference lists.  Reports each reference to a variable that some host
 * lacks once, at the reference, naming the first such host.  Returns FALSE
 * when it reported an error. */
gboolean fleet_planner_render_commands (FleetPlan *plan,
                                        const FleetWorkflow *workflow,
                                        FleetDiagnostics *diags);

G_END_DECLS
