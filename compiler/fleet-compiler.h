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

/* Windows and freezes are expanded this many days ahead by default: six
 * weeks hold at least one instance of any weekly or monthly rule. */
#define FLEET_WINDOWS_DEFAULT_DAYS 42

/* The inputs of one compilation besides the workflow file.  Paths are
 * relative to the current directory. */
typedef struct {
  const char *inventory_override; /* inventory to use instead of the one the
                                     workflow names (a workflow's own
                                     `inventory` is relative to the workflow
                                     file), or NULL */
  const char *ssh_config;         /* ssh_config file to read, or NULL for none */
  gboolean ssh_config_check_owner; /* reject `ssh_config` when another user may
                                      change it, as OpenSSH does for
                                      ~/.ssh/config */
  const char *limit;              /* selector of `fleetc compile --limit`
                                     (fleet_compile_limit), or NULL */

  /* The range [windows_from_us, windows_to_us) of UTC microseconds over
   * which windows and freezes are expanded into workflow->windows. */
  gint64 windows_from_us;
  gint64 windows_to_us;

  /* Days fleet_compile_workflow_file expands windows ahead; 0:
   * FLEET_WINDOWS_DEFAULT_DAYS. */
  guint windows_days;

  /* Run directories or journals of earlier runs whose step durations give
   * the steps their estimates (step-history.h); NULL-terminated, or NULL. */
  const char * const *history;
  /* Return the workflow even after errors, so that fleet_planner_check can
   * add the planner's own errors to the same diagnostics.  Such a workflow
   * must never be planned into a plan file. */
  gboolean keep_after_errors;
} FleetCompileOptions;

/* Parse the workflow at `path` and its inventory, as `options` say.
 * Returns a new workflow (free with fleet_workflow_free), or NULL when at
 * least one error was added to `diags` (unless options->keep_after_errors
 * is set, or the workflow file could not be read).  Warnings may be added
 * either way. */
FleetWorkflow *fleet_compile_workflow (const char *path,
                                       const FleetCompileOptions *options,
                                       FleetDiagnostics *diags);

/* Compile as fleet_compile_workflow does, with windows expanded for
 * options->windows_days from options->windows_from_us, or from now by the
 * system clock when that is 0 (options->windows_to_us is ignored).  `options` may be NULL: no inventory override and
 * no ssh_config. */
FleetWorkflow *fleet_compile_workflow_file (const char *path,
                                            const FleetCompileOptions *options,
                                            FleetDiagnostics *diags);

/* Narrow `workflow` to the hosts the selector `text` is true for, as
 * `fleetc compile --limit` does: parse it, warn about names that no host of
 * the workflow's inventory has, and keep it in workflow->limit.  Errors
 * point at the column in `text` under the file name "--limit".  Returns
 * FALSE after an error. */
gboolean fleet_compile_limit (FleetWorkflow *workflow, const char *text, FleetDiagnostics *diags);

/* Parse the inventory at `path`, in any format that inventory-source.h
 * detects (an inventory program runs with the default timeout), and settle
 * its hosts' connection settings with `ssh_config` (NULL: none).  Returns a new inventory, or NULL
 * when at least one error was added to `diags`. */
FleetInventory *fleet_load_inventory_file (const char *path,
                                           const FleetSshConfig *ssh_config,
                                           FleetDiagnostics *diags);

G_END_DECLS
