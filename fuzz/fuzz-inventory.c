/* fuzz-inventory.c: libFuzzer target for inventory files.
 *
 * The input is written to a file named inventory.yaml and loaded with
 * fleet_load_inventory_file, as a workflow's `inventory` is.  Because of the
 * .yaml name the file is never run as an inventory program.  Its top-level
 * keys choose between a fleetc inventory, the Ansible YAML form and the
 * --list form (inventory-source.h).  The seeds are fleetc inventories.
 */
#include "compiler/fleet-compiler.h"
#include "fuzz/fuzz-common.h"

int LLVMFuzzerTestOneInput (const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput (const uint8_t *data, size_t size)
{
  g_autoptr(FleetDiagnostics) diags = fleet_diagnostics_new ();
  const char *path = fuzz_write_file ("inventory.yaml", data, size);
  g_autoptr(FleetInventory) inventory = fleet_load_inventory_file (path, NULL, diags);

  if (inventory == NULL && fleet_diagnostics_error_count (diags) == 0)
    fuzz_fail ("no inventory and no error");
  fuzz_check_positions (diags, g_intern_string (path), data, size);
  fuzz_format_diagnostics (diags);
  return 0;
}
