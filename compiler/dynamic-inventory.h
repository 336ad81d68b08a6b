/* dynamic-inventory.h: inventories that a program prints, in the JSON form
 * of Ansible's `--list` contract.
 *
 * fleetc runs the executable inventory file as `FILE --list`, from argv
 * without a shell (see command-output.h), and reads standard output:
 *
 *   {
 *     "web":  {"hosts": ["web1", "web2"], "vars": {"http_port": 80},
 *              "children": ["web_dc1"]},
 *     "db":   ["db1"],                       a list is the group's hosts
 *     "_meta": {"hostvars": {"web1": {"ansible_host": "192.0.2.11"}}}
 *   }
 *
 * The program must exit with status 0 within the timeout and print at most
 * FLEET_MAX_DYNAMIC_INVENTORY_BYTES; otherwise the error shows the end of
 * its standard error, with control characters replaced.  Standard error of
 * a successful run is shown as a warning.  When the output has no `_meta`,
 * fleetc runs `FILE --host NAME` for each host, one after another, as
 * Ansible does; the timeout covers all these runs together.
 *
 * Host names are taken as they are: ranges are not expanded, as in
 * Ansible's script plugin.  Variables of hosts that no group lists are
 * ignored, also as Ansible does.  The same reader accepts a static JSON or
 * YAML file in this form (for example the output of `ansible-inventory
 * --list`), recognized by its top-level `_meta` key.
 */
#pragma once

#include <glib.h>

#include "compiler/ansible-inventory.h"
#include "compiler/yaml-tree.h"
#include "schema/fleet-diagnostics.h"

G_BEGIN_DECLS

#define FLEET_DEFAULT_DYNAMIC_INVENTORY_TIMEOUT_MS 60000u
#define FLEET_MAX_DYNAMIC_INVENTORY_BYTES (64u * 1024 * 1024)

/* Run the executable inventory at `path` and read what it prints.  Errors
 * about running it are reported at `reference` (the key that named the
 * file) when not NULL, else at the file; errors in its output at the line
 * and column of the output, under the file name "PATH --list".  Returns
 * NULL when an error was added to `diags`. */
FleetAnsibleInventory *fleet_dynamic_inventory_run (FleetDiagnostics *diags,
                                                    const char *path,
                                                    const FleetSourcePos *reference,
                                                    guint64 timeout_ms);

/* Read the `--list` form at `root`, the root node of the file at `path`.
 * Returns NULL when an error was added to `diags`. */
FleetAnsibleInventory *fleet_ansible_list_read (FleetDiagnostics *diags,
                                                const char *path,
                                                const FleetYamlNode *root);

/* Return a copy of the JSON `text` in which each UTF-16 surrogate pair
 * escape such as \uD83D\uDE00 is written as the YAML escape \U0001F600.
 * libyaml rejects surrogate escapes, and Python's json module writes every
 * character outside the Basic Multilingual Plane that way.  NOTE: columns
 * after such a pair on the same line are 2 less than in `text`. */
GString *fleet_json_rewrite_surrogate_pairs (const char *text, gsize length);

G_END_DECLS
