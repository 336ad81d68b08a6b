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

/* Windows and freezes are expanded this many days ahead by default: six
 * weeks hold at least one instance of any weekly or monthly rule. */
#define FLEET_WINDOWS_DEFAULT_DAYS 42

typedef struct {
  /* The inventory to use instead of the workflow's own, relative to the
   * current directory (a workflow's `inventory` is relative to the workflow
   * file), or NULL. */
  const char *inventory_override;

  /* The range [windows_from_us, windows_to_us) of UTC microseconds over
   * which windows and freezes are expanded into workflow->windows. */
  gint64 windows_from_us;
  gint64 windows_to_us;
} FleetCompileOptions;

/* Parse the workflow at `path` and its inventory, as `options` say.
 * Returns a new workflow (free with fleet_workflow_free), or NULL when at
 * least one error was added to `diags`.  Warnings may be added either way. */
FleetWorkflow *fleet_compile_workflow (const char *path,
                                       const FleetCompileOptions *options,
                                       FleetDiagnostics *diags);

/* Compile as fleet_compile_workflow does, with windows expanded from now,
 * by the system clock, for FLEET_WINDOWS_DEFAULT_DAYS. */
FleetWorkflow *fleet_compile_workflow_file (const char *path,
                                            const char *inventory_override,
                                            FleetDiagnostics *diags);

/* Parse the inventory file at `path`.  Returns a new inventory, or NULL when
 * at least one error was added to `diags`. */
FleetInventory *fleet_load_inventory_file (const char *path, FleetDiagnostics *diags);

G_END_DECLS
