/* inventory-parser.h: the contents of an inventory file. */
#pragma once

#include <glib.h>

#include "compiler/ssh-config.h"
#include "compiler/yaml-tree.h"
#include "schema/fleet-diagnostics.h"
#include "schema/fleet-workflow.h"

G_BEGIN_DECLS

/* Build an inventory from `root`, the root node of the document read from
 * `path`, and settle each host's connection settings with `ssh_config`
 * (NULL: none; see host-resolver.h).  Relative key and known_hosts paths
 * resolve against the directory of `path`.  Always returns a new
 * inventory, which is incomplete when errors were reported. */
FleetInventory *fleet_parse_inventory (FleetDiagnostics *diags,
                                       const FleetYamlNode *root,
                                       const char *path,
                                       const FleetSshConfig *ssh_config);

G_END_DECLS
