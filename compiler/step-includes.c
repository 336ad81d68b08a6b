/* step-includes.c: step lists included from other files; the rules are in
 * step-includes.h. */
#include "compiler/step-includes.h"

#include "compiler/scalar.h"
#include "compiler/schema-check.h"
#include "compiler/source-file.h"
#include "compiler/step-parser.h"

/* One included file while its mapping is read. */
typedef struct {
  GPtrArray *chain;
  GPtrArray *steps;
  GPtrArray *own_steps;        /* FleetStep *, the file's `steps`, added last */
} IncludeParse;

static void
handle_include (FleetDiagnostics *diags, const FleetSchemaField *field, const FleetYamlNode *value, gpointer object)
{
  IncludeParse *parse = object;

  fleet_include_steps (diags, field, value, parse->chain, parse->steps);
}

static void
handle_steps (FleetDiagnostics *diags, const FleetSchemaField *field, const FleetYamlNode *value, gpointer object)
{
  IncludeParse *parse = object;

  fleet_parse_steps (diags, field, value, parse->own_steps);
}

static const FleetFieldHandlerEntry include_handlers[] = {
  { "include", handle_include },
  { "steps", handle_steps },
};

/* Return "a.yaml -> b.yaml -> a.yaml": the base names of `chain` from
 * index `start`, then `path` again. */
static char *
describe_cycle (const GPtrArray *chain, guint start, const char *path)
{
  GString *out = g_string_new (NULL);

  for (guint i = start; i < chain->len; i++)
    {
      g_autofree char *base = g_path_get_basename (g_ptr_array_index (chain, i));

      g_string_append_printf (out, "%s -> ", base);
    }
  {
    g_autofree char *base = g_path_get_basename (path);

    g_string_append (out, base);
  }
  return g_string_free (out, FALSE);
}

/* Return the canonical path of the file that `item` names, relative to the
 * directory of the file `item` is in. */
static char *
resolve_path (const FleetYamlNode *item)
{
  g_autofree char *relative_directory = g_path_get_dirname (item->pos.file);
  g_autofree char *directory = g_canonicalize_filename (relative_directory, NULL);

  /* g_canonicalize_filename needs an absolute base: a workflow named by a
   * relative path has a relative directory. */
  return g_canonicalize_filename (item->value, directory);
}

/* Read one included file and add its steps.  Returns without adding any
 * after reporting a problem. */
static void
include_file (FleetDiagnostics *diags, const FleetYamlNode *item, GPtrArray *chain,
              GPtrArray *steps)
{
  g_autofree char *path = resolve_path (item);
  g_autoptr (GBytes) text = NULL;
  g_autoptr (FleetYamlDocument) document = NULL;
  g_autoptr (GPtrArray) own_steps = g_ptr_array_new_with_free_func (
    (GDestroyNotify) fleet_step_free);
  IncludeParse parse = { chain, steps, own_steps };
  const FleetYamlNode *root;
  const char *data;
  gsize length = 0;

  for (guint i = 0; i < chain->len; i++)
    if (g_strcmp0 (g_ptr_array_index (chain, i), path) == 0)
      {
        g_autofree char *cycle = describe_cycle (chain, i, path);

        fleet_diagnostics_error (diags, &item->pos,
                                 "include cycle: %s; remove one of these includes", cycle);
        return;
      }

  if (chain->len > FLEET_MAX_INCLUDE_DEPTH)
    {
      fleet_diagnostics_error (diags, &item->pos,
                               "includes are nested more than %u files deep; include the "
                               "steps from fewer levels of files",
                               FLEET_MAX_INCLUDE_DEPTH);
      return;
    }

  text = fleet_read_source_file (diags, path, "included steps", &item->pos);
  if (text == NULL)
    return;

  data = g_bytes_get_data (text, &length);
  document = fleet_yaml_parse (g_intern_string (path), data, length, diags);
  if (document == NULL)
    return;

  root = fleet_yaml_document_root (document);
  if (!fleet_expect_mapping (diags, root, "included steps file"))
    return;

  g_ptr_array_add (chain, g_strdup (path));
  fleet_walk_mapping (diags, root, FLEET_SCHEMA_STEPS_FILE, include_handlers,
                      G_N_ELEMENTS (include_handlers), &parse);
  g_free (g_ptr_array_steal_index (chain, chain->len - 1));

  g_ptr_array_extend_and_steal (steps, g_steal_pointer (&own_steps));
}

void
fleet_include_steps (FleetDiagnostics *diags,
                     const FleetSchemaField *field,
                     const FleetYamlNode *list,
                     GPtrArray *chain,
                     GPtrArray *steps)
{
  if (list->kind == FLEET_YAML_SCALAR)
    {
      g_autofree char *unused = NULL;

      if (fleet_scalar_to_string (diags, field, list, &unused))
        include_file (diags, list, chain, steps);
      return;
    }

  for (guint i = 0; i < list->items->len; i++)
    {
      const FleetYamlNode *item = g_ptr_array_index (list->items, i);
      g_autofree char *unused = NULL;

      if (!fleet_scalar_to_string (diags, field, item, &unused))
        continue;

      include_file (diags, item, chain, steps);
    }
}
