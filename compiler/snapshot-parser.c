/* snapshot-parser.c: the workflow's `snapshot` mapping. */
#include "compiler/snapshot-parser.h"

#include "compiler/baseline-parser.h"
#include "compiler/scalar.h"
#include "compiler/schema-check.h"

/* Append the strings of a list, each checked by the field's bounds. */
static void
read_string_list (FleetDiagnostics *diags, const FleetSchemaField *field,
                  const FleetYamlNode *list, GPtrArray *out)
{
  for (guint i = 0; i < list->items->len; i++)
    {
      char *text = NULL;

      if (fleet_scalar_to_string (diags, field, g_ptr_array_index (list->items, i), &text))
        g_ptr_array_add (out, text);
    }
}

static void
handle_categories (FleetDiagnostics *diags, const FleetSchemaField *field,
                   const FleetYamlNode *value, gpointer object)
{
  FleetSnapshotConfig *config = object;

  if (value->items->len == 0)
    fleet_diagnostics_error (diags, &value->pos, "empty \"categories\" list collects nothing; "
                             "name at least one, or remove the key to collect all");

  for (guint i = 0; i < value->items->len; i++)
    {
      const FleetYamlNode *item = g_ptr_array_index (value->items, i);
      g_autofree char *name = NULL;
      FleetSnapshotCategory category;

      if (!fleet_scalar_to_name (diags, field, item, &name))
        continue;
      if (!fleet_snapshot_category_from_name (name, &category))
        {
          fleet_diagnostics_error (diags, &item->pos,
                                   "unknown snapshot category \"%s\"; use os, packages, services, "
                                   "files, sysctl, ports, users, groups, mounts or facts", name);
          continue;
        }
      config->categories |= 1u << category;
    }
}

static void
handle_files (FleetDiagnostics *diags, const FleetSchemaField *field, const FleetYamlNode *value,
              gpointer object)
{
  FleetSnapshotConfig *config = object;

  read_string_list (diags, field, value, config->files);
}

/* Facts keep the workflow's order, so the collector runs them as written. */
static void
handle_facts (FleetDiagnostics *diags, const FleetSchemaField *field, const FleetYamlNode *value,
              gpointer object)
{
  FleetSnapshotConfig *config = object;

  for (guint i = 0; i < value->items->len; i++)
    {
      const FleetYamlNode *key = g_ptr_array_index (value->keys, i);
      char *command = NULL;

      if (key->value == NULL || key->value[0] == '\0')
        {
          fleet_diagnostics_error (diags, &key->pos, "empty fact name; give each fact a name");
          continue;
        }
      if (!fleet_scalar_to_string (diags, field, g_ptr_array_index (value->items, i), &command))
        continue;
      g_ptr_array_add (config->fact_names, g_strdup (key->value));
      g_ptr_array_add (config->fact_commands, command);
    }
}

static void
handle_expect_category (FleetDiagnostics *diags, const FleetSchemaField *field,
                        const FleetYamlNode *value, gpointer object)
{
  FleetSnapshotConfig *config = object;
  FleetSnapshotCategory category;
  g_autoptr (FleetSnapshotExpect) check = fleet_snapshot_expect_new ();

  if (!fleet_snapshot_category_from_name (field->key, &category))
    g_return_if_reached ();

  for (guint i = 0; i < value->items->len; i++)
    {
      const FleetYamlNode *item = g_ptr_array_index (value->items, i);
      g_autoptr (GError) error = NULL;
      char *pattern = NULL;

      if (!fleet_scalar_to_string (diags, field, item, &pattern))
        continue;
      if (!fleet_snapshot_expect_add (check, category, pattern, &error))
        {
          fleet_diagnostics_error (diags, &item->pos, "invalid pattern: %s", error->message);
          g_free (pattern);
          continue;
        }
      g_ptr_array_add (config->expect[category], pattern);
    }
}

static const FleetFieldHandlerEntry expect_handlers[] = {
  { "os", handle_expect_category },
  { "packages", handle_expect_category },
  { "services", handle_expect_category },
  { "files", handle_expect_category },
  { "sysctl", handle_expect_category },
  { "ports", handle_expect_category },
  { "users", handle_expect_category },
  { "groups", handle_expect_category },
  { "mounts", handle_expect_category },
  { "facts", handle_expect_category },
};

static void
handle_expect (FleetDiagnostics *diags, const FleetSchemaField *field, const FleetYamlNode *value,
               gpointer object)
{
  fleet_walk_mapping (diags, value, FLEET_SCHEMA_SNAPSHOT_EXPECT, expect_handlers,
                      G_N_ELEMENTS (expect_handlers), object);
}

static void
handle_on_unexpected (FleetDiagnostics *diags, const FleetSchemaField *field,
                      const FleetYamlNode *value, gpointer object)
{
  FleetSnapshotConfig *config = object;
  g_autofree char *text = NULL;

  if (!fleet_scalar_to_string (diags, field, value, &text))
    return;
  if (!fleet_snapshot_on_unexpected_from_string (text, &config->on_unexpected))
    fleet_diagnostics_error (diags, &value->pos,
                             "invalid value \"%s\" for \"on_unexpected\"; use warn, fail_host or "
                             "halt", text);
}

/* A relative baseline path starts from the workflow file's directory. */
static char *
resolve_baseline_path (const FleetYamlNode *value, const char *text)
{
  g_autofree char *directory = NULL;

  if (g_path_is_absolute (text) || value->pos.file == NULL)
    return g_strdup (text);
  directory = g_path_get_dirname (value->pos.file);
  return g_strcmp0 (directory, ".") == 0 ? g_strdup (text)
                                          : g_build_filename (directory, text, NULL);
}

/* The baseline file is read now and its rules go into the plan, so that
 * fleet-run, which reads no YAML, checks exactly what was reviewed. */
static void
handle_baseline (FleetDiagnostics *diags, const FleetSchemaField *field, const FleetYamlNode *value,
                 gpointer object)
{
  FleetSnapshotConfig *config = object;
  g_autofree char *text = NULL;
  g_autofree char *path = NULL;

  if (!fleet_scalar_to_string (diags, field, value, &text))
    return;
  path = resolve_baseline_path (value, text);
  fleet_baseline_free (config->baseline);
  config->baseline = fleet_parse_baseline_file (diags, path, &value->pos);
}

static void
handle_drift (FleetDiagnostics *diags, const FleetSchemaField *field, const FleetYamlNode *value,
              gpointer object)
{
  FleetSnapshotConfig *config = object;
  g_autofree char *text = NULL;

  if (!fleet_scalar_to_string (diags, field, value, &text))
    return;
  if (!fleet_snapshot_drift_from_string (text, &config->drift))
    fleet_diagnostics_error (diags, &value->pos,
                             "invalid value \"%s\" for \"drift\"; use none or latest", text);
}

static void
handle_on_drift (FleetDiagnostics *diags, const FleetSchemaField *field,
                 const FleetYamlNode *value, gpointer object)
{
  FleetSnapshotConfig *config = object;
  g_autofree char *text = NULL;

  if (!fleet_scalar_to_string (diags, field, value, &text))
    return;
  if (!fleet_snapshot_on_unexpected_from_string (text, &config->on_drift))
    fleet_diagnostics_error (diags, &value->pos,
                             "invalid value \"%s\" for \"on_drift\"; use warn, fail_host or "
                             "halt", text);
}

static const FleetFieldHandlerEntry snapshot_handlers[] = {
  { "categories", handle_categories },
  { "files", handle_files },
  { "facts", handle_facts },
  { "expect", handle_expect },
  { "on_unexpected", handle_on_unexpected },
  { "baseline", handle_baseline },
  { "drift", handle_drift },
  { "on_drift", handle_on_drift },
};

FleetSnapshotConfig *
fleet_parse_snapshot (FleetDiagnostics *diags, const FleetYamlNode *value)
{
  FleetSnapshotConfig *config = fleet_snapshot_config_new ();

  fleet_walk_mapping (diags, value, FLEET_SCHEMA_SNAPSHOT, snapshot_handlers,
                      G_N_ELEMENTS (snapshot_handlers), config);
  return config;
}
