/* workflow-parser.h: the top level of a workflow file. */
#pragma once

#include <glib.h>

#include "compiler/yaml-tree.h"
#include "schema/fleet-diagnostics.h"
#include "schema/fleet-workflow.h"

G_BEGIN_DECLS

/* Build a workflow from `root`, the root node of a workflow document.  The
 * inventory is not loaded.  Instead `inventory_out` receives the `inventory`
 * value as written (a new string, or NULL when absent or invalid), and
 * `inventory_pos` its position.  Always returns a new workflow, which is
 * incomplete when errors were reported. */
FleetWorkflow *fleet_parse_workflow (FleetDiagnostics *diags,
                                     const FleetYamlNode *root,
                                     char **inventory_out,
                                     FleetSourcePos *inventory_pos);

G_END_DECLS
