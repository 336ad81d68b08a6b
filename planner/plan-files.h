/* plan-files.h: template files and `local` argv rendered per host.
 *
 * A `template` step's file and a `local` step's arguments use the same
 * `{{ name }}` references and host variables as commands
 * (plan-commands.h), but values are inserted verbatim: a configuration
 * file is not shell input, and a `local` argv is passed to the program
 * without a shell.  Quoted texts ({{ '{{' }}) still give literal braces.
 */
#pragma once

#include <glib.h>

#include "schema/fleet-diagnostics.h"
#include "schema/fleet-plan.h"
#include "schema/fleet-workflow.h"

G_BEGIN_DECLS

/* Fill kind_data->host_contents of every template and `local` step of
 * `plan` for each host that does not skip the step: the rendered file, or
 * the rendered arguments each followed by a NUL byte.  Reports, at the
 * step, each variable that some host lacks, naming the first such host.
 * Returns FALSE when it reported an error. */
gboolean fleet_planner_render_files (FleetPlan *plan,
                                     const FleetWorkflow *workflow,
                                     FleetDiagnostics *diags);

G_END_DECLS
