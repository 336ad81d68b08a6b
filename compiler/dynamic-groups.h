/* dynamic-groups.h: inventory groups defined by a selector.
 *
 * In fleetc's own inventory format a group may be `{where: EXPR}` instead
 * of a list of hosts.  Its members are the hosts of all combined inventory
 * sources that the selector (docs/selectors.md) is true for, so a group
 * defined next to a static inventory can also pick hosts of an Ansible or
 * dynamic inventory.  The selectors are evaluated once, after every source
 * is combined, against each host's `name`, attributes and `groups`.  There
 * `groups` contains the listed groups only, so one dynamic group cannot
 * select by another.  A dynamic group with the same name as a listed group adds
 * the hosts it selects to the listed ones.
 */
#pragma once

#include <glib.h>

#include "compiler/yaml-tree.h"
#include "schema/fleet-diagnostics.h"
#include "schema/fleet-workflow.h"

G_BEGIN_DECLS

/* Parse the mapping `value` of group `name`, which must be {where: EXPR}.
 * Returns the selector, or NULL after reporting an error at its position. */
FleetSelector *fleet_parse_group_selector (FleetDiagnostics *diags,
                                           const char *name,
                                           const FleetYamlNode *value);

/* Merge the selector of `group`, a group of another source with the name
 * of `existing`, into `existing`: take it when `existing` has none, and
 * report an error at `group` when both have different selectors. */
void fleet_merge_group_selector (FleetDiagnostics *diags, FleetGroup *existing, FleetGroup *group);

/* Add to each dynamic group of `inventory` the hosts its selector is true
 * for, in inventory order, and the group to each such host's sorted
 * groups.  Warns about names the selectors use that no host has, and
 * reports an evaluation error at the selector with the host's name. */
void fleet_resolve_dynamic_groups (FleetDiagnostics *diags, FleetInventory *inventory);

G_END_DECLS
