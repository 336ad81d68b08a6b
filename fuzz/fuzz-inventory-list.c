/* fuzz-inventory-list.c: libFuzzer target for the JSON `--list` form of
 * dynamic inventories.
 *
 * The input is what an inventory program prints, or a static .json file in
 * that form.  It goes through the same steps as a .json inventory file in
 * inventory-source.c: surrogate pairs rewritten, parsed with fleetc's YAML
 * tree, read with the --list reader whatever its top-level keys, resolved.
 * No program runs.
 */
#include "compiler/dynamic-inventory.h"
#include "compiler/yaml-tree.h"
#include "fuzz/fuzz-common.h"

int LLVMFuzzerTestOneInput (const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput (const uint8_t *data, size_t size)
{
  const char *path = g_intern_static_string ("fuzz.json");
  g_autoptr(FleetDiagnostics) diags = fleet_diagnostics_new ();
  g_autoptr(GString) json = fleet_json_rewrite_surrogate_pairs ((const char *) data, size);
  g_autoptr(FleetYamlDocument) document = NULL;
  g_autoptr(FleetAnsibleInventory) ansible = NULL;
  g_autoptr(FleetInventory) inventory = NULL;

  if (size > 0)
    fleet_diagnostics_add_source (diags, path, (const char *) data, size);

  document = fleet_yaml_parse (path, json->str, json->len, diags);
  if (document != NULL)
    ansible = fleet_ansible_list_read (diags, path, fleet_yaml_document_root (document));
  if (ansible != NULL)
    inventory = fleet_ansible_inventory_resolve (diags, ansible);

  fuzz_check_positions (diags, path, data, size);
  fuzz_format_diagnostics (diags);
  return 0;
}
