/* ansible-yaml.h: Ansible inventories in YAML form.
 *
 *   all:                      each top-level key is a group
 *     vars: {ntp: 192.0.2.1}
 *     hosts:
 *       mail.example.com:     host patterns as keys, variables as values
 *     children:
 *       web:                  child groups, nested to any depth
 *         hosts:
 *           web[01:50].dc1: {http_port: 80}
 *
 * A group is a mapping with the keys hosts, children and vars, or null.
 * `hosts` and `children` may also be a single name, as Ansible allows.  A
 * group that appears in several places is one group with all their hosts,
 * children and variables.  Host keys are host patterns (host-range.h).
 *
 * The file is read with fleetc's YAML tree, so errors carry file, line and
 * column and the tree's alias and depth limits apply.  Scalars keep their
 * text as written: YAML 1.1 booleans such as `yes` are not converted.
 */
#pragma once

#include <glib.h>

#include "compiler/ansible-inventory.h"
#include "compiler/yaml-tree.h"
#include "schema/fleet-diagnostics.h"

G_BEGIN_DECLS

/* Read the YAML inventory whose root node is `root`, from `path`, into a
 * new Ansible inventory.  Returns NULL when an error was added to `diags`. */
FleetAnsibleInventory *fleet_ansible_yaml_read (FleetDiagnostics *diags,
                                                const char *path,
                                                const FleetYamlNode *root);

/* Set the variable named by the scalar `key` to `value` in `vars`: a scalar
 * keeps its text, a null is null, and a list or mapping becomes compact
 * JSON in which plain scalars that are JSON numbers, true, false or null
 * stay bare and every other scalar is a string.  Reports an error when the
 * name is empty or null, or the value longer than FLEET_MAX_VARIABLE_BYTES. */
void fleet_ansible_yaml_set_var (FleetDiagnostics *diags,
                                 GHashTable *vars,
                                 const FleetYamlNode *key,
                                 const FleetYamlNode *value);

/* Set every entry of `mapping`, which must be a mapping node, as above. */
void fleet_ansible_yaml_set_vars (FleetDiagnostics *diags,
                                  GHashTable *vars,
                                  const FleetYamlNode *mapping);

G_END_DECLS
