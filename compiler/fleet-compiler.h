/* fleet-compiler.h: the front end, from workflow and inventory files to the
 * workflow IR.
 *
 * Every problem found in the input is reported in `diags` with its file,
 * line and column; the front end keeps going after an error so that one run
 * shows them all.  The caller owns `diags`.
 */
#pragma once

#include <glib.h>

#include "schema/fleet-diagnostics.h"
#include "schema/fleet-workflow.h"

G_BEGIN_DECLS

/* Input files larger than this are rejected before parsing. */
#define FLEET_MAX_INPUT_BYTES (16u * 1024 * 1024)

/* Parse the workflow at `path` and the inventory it names, or the inventory
 * at `inventory_override` when that is not NULL (relative to the current
 * directory; a workflow's own `inventory` is relative to the workflow file).
 * Returns a new workflow (free with fleet_workflow_free), or NULL when at
 * least one error was added to `diags`.  Warnings may be added either way. */
FleetWorkflow *fleet_compile_workflow_file (const char *path,
                                            const char *inventory_override,
                                            FleetDiagnostics *diags);

/* Narrow `workflow` to the hosts the selector `text` is true for, as
 * `fleetc compile --limit` does: parse it, warn about names that no host of
 * the workflow's inventory has, and keep it in workflow->limit.  Errors
 * point at the column in `text` under the file name "--limit".  Returns
 * FALSE after an error. */
gboolean fleet_compile_limit (FleetWorkflow *workflow, const char *text, FleetDiagnostics *diags);

/* Parse the inventory file at `path`.  Returns a new inventory, or NULL when
 * at least one error was added to `diags`. */
FleetInventory *fleet_load_inventory_file (const char *path, FleetDiagnostics *diags);

G_END_DECLS
