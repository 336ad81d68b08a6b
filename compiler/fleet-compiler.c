/* fleet-compiler.c: the front end's entry points, from files to the IR.
 *
 * Each file goes through the same stages: read within the size limit,
 * parse into a YAML tree, then convert the tree with the schema table.  The
 * workflow's inventory is loaded after the workflow itself, and the target's
 * group and host names are checked against it last.
 */
#include "compiler/fleet-compiler.h"

#include "compiler/inventory-parser.h"
#include "compiler/rollout-parser.h"
#include "compiler/selector.h"
#include "compiler/source-file.h"
#include "compiler/target-parser.h"
#include "compiler/workflow-parser.h"
#include "compiler/yaml-tree.h"

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

static FleetInventory *
load_inventory (FleetDiagnostics *diags, const char *path, const FleetSourcePos *reference)
{
  g_autoptr (FleetYamlDocument) document = NULL;
  g_autoptr (FleetInventory) inventory = NULL;
  guint errors_before = fleet_diagnostics_error_count (diags);

  document = read_yaml_file (diags, path, "inventory", reference, NULL);
  if (document == NULL)
    return NULL;

  inventory = fleet_parse_inventory (diags, fleet_yaml_document_root (document), path);
  if (fleet_diagnostics_error_count (diags) > errors_before)
    return NULL;

  return g_steal_pointer (&inventory);
}

FleetInventory *
fleet_load_inventory_file (const char *path, FleetDiagnostics *diags)
{
  return load_inventory (diags, path, NULL);
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

/* Load the workflow's inventory: the override when given, else the file the
 * workflow names.  Errors in the inventory file point at that file, and a
 * file that cannot be read is reported at the workflow's `inventory` value. */
static void
attach_inventory (FleetDiagnostics *diags,
                  FleetWorkflow *workflow,
                  const FleetYamlNode *root,
                  const char *inventory_override,
                  const char *inventory_value,
                  const FleetSourcePos *inventory_pos)
{
  g_autofree char *path = NULL;

  if (inventory_override != NULL)
    {
      workflow->inventory = load_inventory (diags, inventory_override, NULL);
      return;
    }

  if (inventory_value == NULL)
    {
      if (root->kind == FLEET_YAML_MAPPING && fleet_yaml_mapping_lookup (root, "inventory") == NULL)
        fleet_diagnostics_error (diags, &root->pos,
                                 "missing required key \"inventory\" in workflow; "
                                 "add it or give an inventory file on the command line");
      return;
    }

  path = resolve_inventory_path (workflow->source, inventory_value);
  workflow->inventory = load_inventory (diags, path, inventory_pos);
}

FleetWorkflow *
fleet_compile_workflow_file (const char *path,
                             const char *inventory_override,
                             FleetDiagnostics *diags)
{
  guint errors_before = fleet_diagnostics_error_count (diags);
  g_autoptr (GBytes) text = NULL;
  g_autoptr (FleetYamlDocument) document = NULL;
  g_autoptr (FleetWorkflow) workflow = NULL;
  g_autofree char *inventory_value = NULL;
  FleetSourcePos inventory_pos = { 0 };
  const FleetYamlNode *root;

  document = read_yaml_file (diags, path, "workflow", NULL, &text);
  if (document == NULL)
    return NULL;

  root = fleet_yaml_document_root (document);
  workflow = fleet_parse_workflow (diags, root, &inventory_value, &inventory_pos);
  workflow->source = g_strdup (path);
  workflow->source_sha256 = compute_sha256 (text);

  attach_inventory (diags, workflow, root, inventory_override, inventory_value, &inventory_pos);
  if (workflow->inventory != NULL)
    {
      fleet_check_target_names (diags, &workflow->target, workflow->inventory);
      fleet_check_rollout_names (diags, workflow, workflow->inventory);
    }

  if (fleet_diagnostics_error_count (diags) > errors_before)
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
