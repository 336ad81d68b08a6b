/* target-parser.h: the workflow's `target` mapping. */
#pragma once

#include <glib.h>

#include "compiler/yaml-tree.h"
#include "schema/fleet-diagnostics.h"
#include "schema/fleet-workflow.h"
#include "schema/workflow-schema.h"

G_BEGIN_DECLS

/* Append the names of `list`, a sequence node, to `names`, recording each
 * one's position in `positions` (name -> FleetSourcePos *).  An empty list
 * and a name given twice are errors. */
void fleet_parse_name_list (FleetDiagnostics *diags,
                            const FleetSchemaField *field,
                            const FleetYamlNode *list,
                            GPtrArray *names,
                            GHashTable *positions);

/* Fill `target` from `mapping`, a mapping node.  Group and host names are
 * checked for form and duplicates only, because the inventory may not be
 * loaded yet.  fleet_check_target_names checks them against it. */
void fleet_parse_target (FleetDiagnostics *diags, const FleetYamlNode *mapping, FleetTarget *target);

/* Report every group and host of `target` that `inventory` does not
 * define, at the position where the target names it, and warn about names
 * in `where` that no host has. */
void fleet_check_target_names (FleetDiagnostics *diags,
                               const FleetTarget *target,
                               const FleetInventory *inventory);

G_END_DECLS
