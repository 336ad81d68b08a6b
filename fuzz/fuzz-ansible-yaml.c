/* fuzz-ansible-yaml.c: libFuzzer target for Ansible YAML inventories.
 *
 * The input is parsed with fleetc's YAML tree.  When its root is a mapping,
 * it is read as an Ansible YAML inventory and resolved.  inventory-source.c
 * does the same for a YAML file whose top-level mapping has none of the keys
 * `_meta`, `hosts`, `defaults` and `groups`.  The target passes mappings
 * with those keys too, because the reader must handle any mapping.
 */
#include "compiler/ansible-yaml.h"
#include "compiler/yaml-tree.h"
#include "fuzz/fuzz-common.h"

int LLVMFuzzerTestOneInput (const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput (const uint8_t *data, size_t size)
{
  const char *path = g_intern_static_string ("fuzz.yaml");
  g_autoptr(FleetDiagnostics) diags = fleet_diagnostics_new ();
  g_autoptr(FleetYamlDocument) document = NULL;
  g_autoptr(FleetAnsibleInventory) ansible = NULL;
  g_autoptr(FleetInventory) inventory = NULL;

  if (size > 0)
    fleet_diagnostics_add_source (diags, path, (const char *) data, size);

  document = fleet_yaml_parse (path, (const char *) data, size, diags);
  if (document != NULL && fleet_yaml_document_root (document)->kind == FLEET_YAML_MAPPING)
    ansible = fleet_ansible_yaml_read (diags, path, fleet_yaml_document_root (document));
  if (ansible != NULL)
    inventory = fleet_ansible_inventory_resolve (diags, ansible);

  fuzz_check_positions (diags, path, data, size);
  fuzz_format_diagnostics (diags);
  return 0;
}
