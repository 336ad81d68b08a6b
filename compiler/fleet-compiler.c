/* fleet-compiler.c: the front end's entry points, from files to the IR.
 *
 * Each file goes through the same stages: read within the size limit,
 * parse into a YAML tree, then convert the tree with the schema table.  The
 * ssh_config and the workflow's inventories are loaded after the workflow
 * itself, each inventory in the format that inventory-source.h detects, and
 * combined; the target's group and host names are checked against the
 * result last.
 */
#include "compiler/fleet-compiler.h"

#include "compiler/dynamic-groups.h"
#include "compiler/dynamic-inventory.h"
#include "compiler/inventory-source.h"
#include "compiler/rollout-parser.h"
#include "compiler/selector.h"
#include "compiler/source-file.h"
#include "compiler/target-parser.h"
#include "compiler/step-history.h"
#include "compiler/window-parser.h"
#include "compiler/workflow-parser.h"
#include "compiler/yaml-tree.h"
#include "schema/fleet-clock.h"

/* Read and parse the YAML file at `path`, reporting problems against
 * `reference` when the file cannot be read.  Returns the document, or NULL
 * after an error; the file's bytes go to `out_text` when it is not NULL. */
static FleetYamlDocument *
read_yaml_file (FleetDiagnostics *diags, const char *path, const char *kind,
                const FleetSourcePos *reference, GBytes **out_text)
{
  g_autoptr (GBytes) text = fleet_read_source_file (diags, path, kind, reference);
  FleetYamlDocument *document;
  gsize length;
  const char *data;

  if (text == NULL)
    return NULL;

  data = g_bytes_get_data (text, &length);
  document = fleet_yaml_parse (g_intern_string (path), data, length, diags);
  if (document != NULL && out_text != NULL)
    *out_text = g_steal_pointer (&text);
  return document;
}

FleetInventory *
fleet_load_inventory_file (const char *path,
                           const FleetSshConfig *ssh_config,
                           FleetDiagnostics *diags)
{
  FleetInventory *inventory = fleet_load_inventory_source (
    diags, path, NULL, FLEET_DEFAULT_DYNAMIC_INVENTORY_TIMEOUT_MS, ssh_config);

  if (inventory != NULL)
    fleet_resolve_dynamic_groups (diags, inventory);
  return inventory;
}

/* Return the path of the inventory that a workflow at `workflow_path`
 * names as `value`: relative paths start from the workflow's directory. */
static char *
resolve_inventory_path (const char *workflow_path, const char *value)
{
  g_autofree char *directory = NULL;

  if (g_path_is_absolute (value))
    return g_strdup (value);

  directory = g_path_get_dirname (workflow_path);
  if (g_strcmp0 (directory, ".") == 0)
    return g_strdup (value);

  return g_build_filename (directory, value, NULL);
}

static char *
compute_sha256 (GBytes *text)
{
  gsize length;
  const guchar *data = g_bytes_get_data (text, &length);

  return g_compute_checksum_for_data (G_CHECKSUM_SHA256, data, length);
}

/* Load the workflow's inventories: the override when given, else the files
 * the workflow names, combined in order.  Errors in an inventory point at
 * that inventory, and a file that cannot be read is reported at its path in
 * the workflow's `inventory` value. */
static void
attach_inventory (FleetDiagnostics *diags,
                  FleetWorkflow *workflow,
                  const FleetYamlNode *root,
                  const char *inventory_override,
                  GPtrArray *inventory_refs,
                  guint64 inventory_timeout_ms,
                  const FleetSshConfig *ssh_config)
{
  if (inventory_override != NULL)
    {
      workflow->inventory = fleet_load_inventory_source (diags, inventory_override, NULL,
                                                         inventory_timeout_ms, ssh_config);
      if (workflow->inventory != NULL)
        fleet_resolve_dynamic_groups (diags, workflow->inventory);
      return;
    }

  if (inventory_refs->len == 0)
    {
      if (root->kind == FLEET_YAML_MAPPING && fleet_yaml_mapping_lookup (root, "inventory") == NULL)
        fleet_diagnostics_error (diags, &root->pos,
                                 "missing required key \"inventory\" in workflow; "
                                 "add it or give an inventory file on the command line");
      return;
    }

  for (guint i = 0; i < inventory_refs->len; i++)
    {
      FleetInventoryRef *ref = g_ptr_array_index (inventory_refs, i);
      char *path = resolve_inventory_path (workflow->source, ref->path);

      g_free (ref->path);
      ref->path = path;
    }
  workflow->inventory = fleet_load_inventory_sources (diags, inventory_refs, inventory_timeout_ms,
                                                      ssh_config);
}

/* Return the value of `key` in the workflow's root when it is a list. */
static const FleetYamlNode *
list_value (const FleetYamlNode *root, const char *key)
{
  const FleetYamlNode *value;

  if (root->kind != FLEET_YAML_MAPPING)
    return NULL;

  value = fleet_yaml_mapping_lookup (root, key);
  return value != NULL && value->kind == FLEET_YAML_SEQUENCE ? value : NULL;
}

FleetWorkflow *
fleet_compile_workflow (const char *path,
                        const FleetCompileOptions *options,
                        FleetDiagnostics *diags)
{
  static const FleetCompileOptions no_options = { 0 };
  guint errors_before = fleet_diagnostics_error_count (diags);
  g_autoptr (FleetSshConfig) ssh_config = NULL;
  g_autoptr (GBytes) text = NULL;
  g_autoptr (FleetYamlDocument) document = NULL;
  g_autoptr (FleetWorkflow) workflow = NULL;
  g_autoptr (GPtrArray) inventory_refs = g_ptr_array_new_with_free_func (
    (GDestroyNotify) fleet_inventory_ref_free);
  guint64 inventory_timeout_ms = 0;
  const FleetYamlNode *root;

  document = read_yaml_file (diags, path, "workflow", NULL, &text);
  if (document == NULL)
    return NULL;

  root = fleet_yaml_document_root (document);
  workflow = fleet_parse_workflow (diags, root, inventory_refs, &inventory_timeout_ms);
  workflow->source = g_strdup (path);
  workflow->source_sha256 = compute_sha256 (text);

  if (options == NULL)
    options = &no_options;
  if (options->ssh_config != NULL)
    ssh_config = fleet_ssh_config_load (options->ssh_config, options->ssh_config_check_owner,
                                        diags);

  attach_inventory (diags, workflow, root, options->inventory_override, inventory_refs,
                    inventory_timeout_ms, ssh_config);
  if (workflow->inventory != NULL)
    {
      fleet_check_target_names (diags, &workflow->target, workflow->inventory);
      fleet_check_rollout_names (diags, workflow, workflow->inventory);
      if (options->limit != NULL)
        fleet_compile_limit (workflow, options->limit, diags);
    }

  workflow->windows = fleet_compile_windows (diags, list_value (root, "windows"),
                                             list_value (root, "freezes"), path,
                                             workflow->inventory, options->windows_from_us,
                                             options->windows_to_us);
  if (options->history != NULL)
    workflow->step_history = fleet_read_step_history (options->history, diags);

  if (fleet_diagnostics_error_count (diags) > errors_before && !options->keep_after_errors)
    return NULL;

  return g_steal_pointer (&workflow);
}

gboolean
fleet_compile_limit (FleetWorkflow *workflow, const char *text, FleetDiagnostics *diags)
{
  FleetSelector *limit = fleet_parse_limit (diags, text);

  if (limit == NULL)
    return FALSE;

  fleet_selector_free (workflow->limit);
  workflow->limit = limit;
  fleet_check_selector_names (diags, limit, "--limit", workflow->inventory);
  return TRUE;
}

FleetWorkflow *
fleet_compile_workflow_file (const char *path,
                             const FleetCompileOptions *options,
                             FleetDiagnostics *diags)
{
  gint64 now_us = fleet_clock_wall_us (fleet_clock_system ());
  FleetCompileOptions with_range = { 0 };

  if (options != NULL)
    with_range = *options;
  if (with_range.windows_from_us != 0)
    now_us = with_range.windows_from_us;
  with_range.windows_from_us = now_us;
  with_range.windows_to_us = now_us + (with_range.windows_days != 0 ? with_range.windows_days
                                                                    : FLEET_WINDOWS_DEFAULT_DAYS)
                                       * G_TIME_SPAN_DAY;
  return fleet_compile_workflow (path, &with_range, diags);
}
