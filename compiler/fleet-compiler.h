/* fleet-compiler.h: the front end, from workflow and inventory files to the
 * workflow IR.
 *
 * Every problem found in the input is reported in `diags` with its file,
 * line and column; the front end keeps going after an error so that one run
 * shows them all.  The caller owns `diags`.
 */
#pragma once

#include <glib.h>

#include "compiler/ssh-config.h"
#include "schema/fleet-diagnostics.h"
#include "schema/fleet-workflow.h"

G_BEGIN_DECLS

/* Input files larger than this are rejected before parsing. */
#define FLEET_MAX_INPUT_BYTES (16u * 1024 * 1024)

/* The inputs of one compilation besides the workflow file.  Paths are
 * relative to the current directory. */
typedef struct {
  const char *inventory_override; /* inventory to use instead of the one the
                                     workflow names, or NULL */
  const char *ssh_config;         /* ssh_config file to read, or NULL for none */
  gboolean ssh_config_check_owner; /* reject `ssh_config` when another user may
                                      change it, as OpenSSH does for
                                      ~/.ssh/config */
} FleetCompileOptions;

/* Parse the workflow at `path` and the inventory it names, or the inventory
 * of `options` (NULL: no override and no ssh_config).  A workflow's own
 * `inventory` is relative to the workflow file.  Returns a new workflow
 * (free with fleet_workflow_free), or NULL when at least one error was
 * added to `diags`.  Warnings may be added either way. */
FleetWorkflow *fleet_compile_workflow_file (const char *path,
                                            const FleetCompileOptions *options,
                                            FleetDiagnostics *diags);

/* Parse the inventory at `path`, in any format that inventory-source.h
 * detects (an inventory program runs with the default timeout), and settle
 * its hosts' connection settings with `ssh_config` (NULL: none).  Returns a new inventory, or NULL
 * when at least one error was added to `diags`. */
FleetInventory *fleet_load_inventory_file (const char *path,
                                           const FleetSshConfig *ssh_config,
                                           FleetDiagnostics *diags);

G_END_DECLS
