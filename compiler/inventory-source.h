/* inventory-source.h: loading inventory sources of any supported format,
 * and combining several into one inventory.
 *
 * The format of a source is decided in this order:
 *
 *   1. A file with execute permission for the user running fleetc is a
 *      dynamic inventory program (dynamic-inventory.h), unless its name
 *      ends in .ini, .yaml, .yml or .json.
 *   2. A file that starts with "#!" but is not executable is an error.
 *   3. A name ending in .ini is an Ansible INI inventory (ansible-ini.h).
 *   4. A name ending in .yaml, .yml or .json is YAML; so is any other file
 *      whose first line that is neither blank nor a comment (# or ;) starts
 *      with "---" or "{", or looks like a YAML key ("name:" at the end of
 *      the line or followed by a space).  Everything else is INI.
 *   5. A YAML file whose top level is a mapping with the key `_meta` is in
 *      the `--list` form of dynamic inventories; with the key `hosts`,
 *      `defaults` or `groups` it is a fleetc inventory (docs/workflow.md);
 *      otherwise it is an Ansible YAML inventory (ansible-yaml.h).
 */
#pragma once

#include <glib.h>

#include "compiler/ssh-config.h"

#include "schema/fleet-diagnostics.h"
#include "schema/fleet-workflow.h"

G_BEGIN_DECLS

/* One inventory source named by a workflow or the command line. */
typedef struct {
  char *path;
  FleetSourcePos pos;          /* where it is named; line 0 when not in a file */
} FleetInventoryRef;

FleetInventoryRef *fleet_inventory_ref_new (const char *path, const FleetSourcePos *pos);
void fleet_inventory_ref_free (FleetInventoryRef *ref);

/* Load the source at `path`, in the format the rules above give.  A file
 * that cannot be read is reported at `reference` when not NULL.
 * `program_timeout_ms` bounds an inventory program's run.  `ssh_config`
 * (NULL: none) settles the connection settings of fleetc's own inventory
 * format; Ansible inventories carry theirs in their variables.  Returns a
 * new inventory, or NULL when an error was added to `diags`. */
FleetInventory *fleet_load_inventory_source (FleetDiagnostics *diags,
                                             const char *path,
                                             const FleetSourcePos *reference,
                                             guint64 program_timeout_ms,
                                             const FleetSshConfig *ssh_config);

/* Load every source of `refs` (FleetInventoryRef *, at least one) and
 * combine them in order as inventory-merge.h describes.  Every source is
 * loaded even after an error, so that one run reports them all.  Returns a
 * new inventory, or NULL when an error was added to `diags`. */
FleetInventory *fleet_load_inventory_sources (FleetDiagnostics *diags,
                                              const GPtrArray *refs,
                                              guint64 program_timeout_ms,
                                              const FleetSshConfig *ssh_config);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (FleetInventoryRef, fleet_inventory_ref_free)

G_END_DECLS
