/* fuzz-workflow.c: libFuzzer target for workflow files.
 *
 * The input is a workflow file.  It is compiled as `fleetc compile -i
 * INVENTORY` does, against the fixed inventory below, so that no input can
 * make the target read another file or run an inventory program.  A
 * workflow with errors is still checked by the planner, as fleetc does,
 * and one that compiles is planned, and the plan must read back from the
 * bytes it serializes to, because fleet-run reads what fleetc writes.
 */
#include <string.h>

#include "compiler/fleet-compiler.h"
#include "fuzz/fuzz-common.h"
#include "planner/fleet-planner.h"
#include "schema/fleet-plan.h"

int LLVMFuzzerTestOneInput (const uint8_t *data, size_t size);

/* Hosts, groups and attributes for the target's names and `match` to
 * refer to: the groups and attributes of the example workflows. */
static const char fixed_inventory[] =
  "defaults: {user: deploy, port: 22, connect_timeout: 5s}\n"
  "hosts:\n"
  "  web01: {address: 192.0.2.11, attributes: {dc: dc1, role: web}}\n"
  "  web02: {address: 192.0.2.12, port: 2222, attributes: {dc: dc2, role: web}}\n"
  "  db01: {address: 192.0.2.21, user: postgres, attributes: {dc: dc1, role: db}}\n"
  "  cache01:\n"
  "groups:\n"
  "  web: [web01, web02]\n"
  "  db: [db01]\n";

static void
check_plan_reads_back (FleetPlan *plan)
{
  g_autoptr(GBytes) bytes = fleet_plan_serialize (plan);
  g_autoptr(GError) error = NULL;
  g_autoptr(FleetPlan) read_back = fleet_plan_deserialize (bytes, &error);

  if (read_back == NULL)
    fuzz_fail ("the plan of a compiled workflow does not read back: %s", error->message);
}

int
LLVMFuzzerTestOneInput (const uint8_t *data, size_t size)
{
  static const char *inventory_path;
  const char *workflow_path;
  g_autoptr(FleetDiagnostics) diags = fleet_diagnostics_new ();
  g_autoptr(FleetWorkflow) workflow = NULL;
  g_autoptr(FleetPlan) plan = NULL;
  /* A fixed window range keeps runs repeatable: 2025-01-01 for 42 days. */
  FleetCompileOptions options = {
    .windows_from_us = G_GINT64_CONSTANT (1735689600) * G_USEC_PER_SEC,
    .windows_to_us = (G_GINT64_CONSTANT (1735689600) + 42 * 86400) * G_USEC_PER_SEC,
    .keep_after_errors = TRUE,
  };

  if (inventory_path == NULL)
    inventory_path = fuzz_write_file ("inventory.yaml", (const uint8_t *) fixed_inventory,
                                      strlen (fixed_inventory));

  workflow_path = fuzz_write_file ("workflow.yaml", data, size);
  options.inventory_override = inventory_path;
  workflow = fleet_compile_workflow (workflow_path, &options, diags);
  if (workflow != NULL && fleet_diagnostics_error_count (diags) > 0)
    fleet_planner_check (workflow, diags);
  else if (workflow != NULL)
    plan = fleet_planner_build (workflow, diags);
  if (plan != NULL)
    check_plan_reads_back (plan);

  fuzz_check_positions (diags, g_intern_string (workflow_path), data, size);
  fuzz_format_diagnostics (diags);
  return 0;
}
