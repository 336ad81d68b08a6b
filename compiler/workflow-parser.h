/* workflow-parser.h: the top level of a workflow file. */
#pragma once

#include <glib.h>

#include "compiler/inventory-source.h"
#include "compiler/yaml-tree.h"
#include "schema/fleet-diagnostics.h"
#include "schema/fleet-workflow.h"

G_BEGIN_DECLS

/* Build a workflow from `root`, the root node of a workflow document.  The
 * inventory is not loaded.  Instead each path of the `inventory` value, as
 * written, is appended to `inventory_refs` (FleetInventoryRef *) with its
 * position, and `inventory_timeout_ms` receives `inventory_timeout` or its
 * default.  Always returns a new workflow, which is incomplete when errors
 * were reported. */
FleetWorkflow *fleet_parse_workflow (FleetDiagnostics *diags,
                                     const FleetYamlNode *root,
                                     GPtrArray *inventory_refs,
                                     guint64 *inventory_timeout_ms);

G_END_DECLS
