/* target-parser.c: the workflow's `target` mapping. */
#include "compiler/target-parser.h"

#include "compiler/scalar.h"
#include "compiler/schema-check.h"
#include "compiler/selector.h"
#include "compiler/suggest.h"

static void
report_duplicate_name (FleetDiagnostics *diags,
                       const FleetSchemaField *field,
                       const FleetYamlNode *item,
                       const FleetYamlNode *first)
{
  g_autofree char *quoted = fleet_quote_value (item->value, FLEET_QUOTE_MAX_CHARS);

  fleet_diagnostics_error (diags, &item->pos,
                           "duplicate name %s in \"%s\"; it is first listed at line %u, column %u",
                           quoted, field->key, first->pos.line, first->pos.column);
}

void
fleet_parse_name_list (FleetDiagnostics *diags,
                 const FleetSchemaField *field,
                 const FleetYamlNode *list,
                 GPtrArray *names,
                 GHashTable *positions)
{
  g_autoptr (GHashTable) first_items = g_hash_table_new (g_str_hash, g_str_equal);

  /* An empty list would otherwise read as "no restriction" downstream and
   * select the whole inventory. */
  if (list->items->len == 0)
    {
      fleet_diagnostics_error (diags, &list->pos,
                               "empty \"%s\" list selects no hosts; name at least one, or "
                               "remove the key", field->key);
      return;
    }

  for (guint i = 0; i < list->items->len; i++)
    {
      const FleetYamlNode *item = g_ptr_array_index (list->items, i);
      const FleetYamlNode *first;
      char *name = NULL;

      if (!fleet_scalar_to_name (diags, field, item, &name))
        continue;

      first = g_hash_table_lookup (first_items, name);
      if (first != NULL)
        {
          report_duplicate_name (diags, field, item, first);
          g_free (name);
          continue;
        }

      g_hash_table_insert (first_items, name, (gpointer) item);
      g_ptr_array_add (names, name);
      if (!g_hash_table_contains (positions, name))
        g_hash_table_insert (positions, g_strdup (name), g_memdup2 (&item->pos, sizeof item->pos));
    }
}

static void
handle_all (FleetDiagnostics *diags, const FleetSchemaField *field, const FleetYamlNode *value, gpointer object)
{
  FleetTarget *target = object;

  fleet_scalar_to_bool (diags, field, value, &target->all);
}

static void
handle_groups (FleetDiagnostics *diags, const FleetSchemaField *field, const FleetYamlNode *value, gpointer object)
{
  FleetTarget *target = object;

  fleet_parse_name_list (diags, field, value, target->groups, target->positions);
}

static void
handle_hosts (FleetDiagnostics *diags, const FleetSchemaField *field, const FleetYamlNode *value, gpointer object)
{
  FleetTarget *target = object;

  fleet_parse_name_list (diags, field, value, target->hosts, target->positions);
}

static void
handle_match (FleetDiagnostics *diags, const FleetSchemaField *field, const FleetYamlNode *value, gpointer object)
{
  FleetTarget *target = object;

  fleet_mapping_to_strings (diags, field, value, target->match, target->positions);
  for (guint i = 0; target->match_positions != NULL && i < value->keys->len; i++)
    {
      const FleetYamlNode *key = g_ptr_array_index (value->keys, i);
      const FleetYamlNode *item = g_ptr_array_index (value->items, i);

      /* Only the entries fleet_mapping_to_strings accepted. */
      if (key->value == NULL || !g_hash_table_contains (target->match, key->value))
        continue;
      g_hash_table_replace (target->match_positions, g_strdup (key->value),
                            g_memdup2 (&item->pos, sizeof item->pos));
    }
}

static void
handle_where (FleetDiagnostics *diags, const FleetSchemaField *field, const FleetYamlNode *value, gpointer object)
{
  FleetTarget *target = object;

  target->where = fleet_parse_selector (diags, field, value);
}

static const FleetFieldHandlerEntry target_handlers[] = {
  { "all", handle_all },
  { "groups", handle_groups },
  { "hosts", handle_hosts },
  { "match", handle_match },
  { "where", handle_where },
};

void
fleet_parse_target (FleetDiagnostics *diags, const FleetYamlNode *mapping, FleetTarget *target)
{
  guint errors_before = fleet_diagnostics_error_count (diags);

  target->pos = mapping->pos;
  fleet_walk_mapping (diags, mapping, FLEET_SCHEMA_TARGET, target_handlers,
                      G_N_ELEMENTS (target_handlers), target);

  /* An invalid `all` would also leave it false, and was reported already. */
  if (fleet_diagnostics_error_count (diags) > errors_before)
    return;

  if (!target->all
      && fleet_yaml_mapping_lookup (mapping, "groups") == NULL
      && fleet_yaml_mapping_lookup (mapping, "hosts") == NULL
      && fleet_yaml_mapping_lookup (mapping, "where") == NULL)
    fleet_diagnostics_error (diags, &mapping->pos,
                             "target selects no hosts: set \"all: true\", \"groups\", "
                             "\"hosts\" or \"where\"");
}

static void
check_names (FleetDiagnostics *diags,
             const FleetTarget *target,
             const GPtrArray *names,
             GHashTable *defined,
             const char *kind)
{
  g_autoptr (GPtrArray) sorted = NULL;

  for (guint i = 0; i < names->len; i++)
    {
      const char *name = g_ptr_array_index (names, i);

      if (g_hash_table_contains (defined, name))
        continue;

      if (sorted == NULL)
        sorted = fleet_sorted_names (defined);
      fleet_report_unknown_name (diags, g_hash_table_lookup (target->positions, name), kind, name, "",
                                 sorted);
    }
}

void
fleet_check_target_names (FleetDiagnostics *diags,
                          const FleetTarget *target,
                          const FleetInventory *inventory)
{
  check_names (diags, target, target->groups, inventory->groups_by_name, "group");
  check_names (diags, target, target->hosts, inventory->hosts_by_name, "host");
  if (target->where != NULL)
    fleet_check_selector_names (diags, target->where, "target \"where\"", inventory);
}
