/* target-parser.h: the workflow's `target` mapping. */
#pragma once

#include <glib.h>

#include "compiler/yaml-tree.h"
#include "schema/fleet-diagnostics.h"
#include "schema/fleet-workflow.h"

G_BEGIN_DECLS

/* Fill `target` from `mapping`, a mapping node.  Group and host names are
 * checked for form and duplicates only, because the inventory may not be
 * loaded yet.  fleet_check_target_names checks them against it. */
void fleet_parse_target (FleetDiagnostics *diags, const FleetYamlNode *mapping, FleetTarget *target);

/* Report every group and host of `target` that `inventory` does not
 * define, at the position where the target names it. */
void fleet_check_target_names (FleetDiagnostics *diags,
                               const FleetTarget *target,
                               const FleetInventory *inventory);

G_END_DECLS
