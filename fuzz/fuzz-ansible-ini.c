/* fuzz-ansible-ini.c: libFuzzer target for Ansible INI inventories.
 *
 * The input is the text of an INI inventory.  It is read and resolved as
 * inventory-source.c does for a file ending in .ini, without the file:
 * the reader gets exactly the input's bytes, with no terminating NUL, as it
 * does from a file.
 */
#include "compiler/ansible-ini.h"
#include "fuzz/fuzz-common.h"

int LLVMFuzzerTestOneInput (const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput (const uint8_t *data, size_t size)
{
  const char *path = g_intern_static_string ("fuzz.ini");
  g_autoptr(FleetDiagnostics) diags = fleet_diagnostics_new ();
  g_autoptr(FleetAnsibleInventory) ansible = NULL;
  g_autoptr(FleetInventory) inventory = NULL;

  if (size > 0)
    fleet_diagnostics_add_source (diags, path, (const char *) data, size);

  ansible = fleet_ansible_ini_read (diags, path, (const char *) data, size);
  if (ansible != NULL)
    inventory = fleet_ansible_inventory_resolve (diags, ansible);

  fuzz_check_positions (diags, path, data, size);
  fuzz_format_diagnostics (diags);
  return 0;
}
