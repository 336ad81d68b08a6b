/* inventory-merge.h: combining the inventories of several sources.
 *
 * Sources combine in the order given.  A host that several sources define
 * is one host: its settings and attributes must be identical in each, or
 * the second definition is an error that names both positions; its groups
 * are the union of its groups in each source.  Groups of the same name
 * merge their members, first source first.  A host that is in `ungrouped`
 * in one source but in a named group in another leaves `ungrouped`, as
 * Ansible's inventory does with several sources.
 *
 * Variables do not cross sources: the group variables of an Ansible source
 * apply to the hosts that source lists, as they were resolved when it was
 * loaded.
 */
#pragma once

#include <glib.h>

#include "schema/fleet-diagnostics.h"
#include "schema/fleet-workflow.h"

G_BEGIN_DECLS

/* Add the hosts and groups of `source` to `combined`, taking ownership of
 * `source`, and append its path to combined->sources.  Conflicts are
 * reported in `diags`; the first definition of such a host is kept. */
void fleet_inventory_merge (FleetDiagnostics *diags, FleetInventory *combined, FleetInventory *source);

G_END_DECLS
