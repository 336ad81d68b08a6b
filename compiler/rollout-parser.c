/* rollout-parser.c: the `canary`, `spread`, `order` and `halt_at` keys. */
#include "compiler/rollout-parser.h"

#include <string.h>

#include "compiler/scalar.h"
#include "compiler/schema-check.h"
#include "compiler/selector.h"
#include "compiler/suggest.h"
#include "compiler/target-parser.h"

/* canary */

static void
handle_canary_hosts (FleetDiagnostics *diags, const FleetSchemaField *field,
                     const FleetYamlNode *value, gpointer object)
{
  FleetCanary *canary = object;

  fleet_parse_name_list (diags, field, value, canary->hosts, canary->positions);
  canary->kind = FLEET_CANARY_HOSTS;
}

static void
handle_canary_where (FleetDiagnostics *diags, const FleetSchemaField *field,
                     const FleetYamlNode *value, gpointer object)
{
  FleetCanary *canary = object;

  canary->where = fleet_parse_selector (diags, field, value);
  canary->kind = FLEET_CANARY_WHERE;
}

static const FleetFieldHandlerEntry canary_handlers[] = {
  { "hosts", handle_canary_hosts },
  { "where", handle_canary_where },
};

void
fleet_parse_canary (FleetDiagnostics *diags,
                    const FleetSchemaField *field,
                    const FleetYamlNode *value,
                    FleetCanary *canary)
{
  gboolean has_hosts;
  gboolean has_where;
  gint64 count;

  canary->pos = value->pos;
  if (value->kind == FLEET_YAML_SCALAR)
    {
      if (fleet_scalar_to_int (diags, field, value, &count))
        {
          canary->kind = FLEET_CANARY_COUNT;
          canary->count = (guint) count;
        }
      return;
    }

  has_hosts = fleet_yaml_mapping_lookup (value, "hosts") != NULL;
  has_where = fleet_yaml_mapping_lookup (value, "where") != NULL;
  if (has_hosts && has_where)
    {
      fleet_diagnostics_error (diags, &value->pos,
                               "canary takes \"hosts\" or \"where\", not both; put the hosts in "
                               "the expression, as in name in [\"web05\"]");
      return;
    }
  if (!has_hosts && !has_where && value->keys->len == 0)
    {
      fleet_diagnostics_error (diags, &value->pos,
                               "canary names no hosts: give a host count, \"hosts\" or \"where\"");
      return;
    }

  fleet_walk_mapping (diags, value, FLEET_SCHEMA_CANARY, canary_handlers,
                      G_N_ELEMENTS (canary_handlers), canary);
}

/* spread */

static void
handle_spread_by (FleetDiagnostics *diags, const FleetSchemaField *field,
                  const FleetYamlNode *value, gpointer object)
{
  FleetSpread *rule = object;

  if (fleet_scalar_to_name (diags, field, value, &rule->attribute))
    rule->pos = value->pos;
}

static void
handle_spread_max (FleetDiagnostics *diags, const FleetSchemaField *field,
                   const FleetYamlNode *value, gpointer object)
{
  FleetSpread *rule = object;

  fleet_scalar_to_count_or_percent (diags, field, value, &rule->max_per_wave);
}

static const FleetFieldHandlerEntry spread_handlers[] = {
  { "by", handle_spread_by },
  { "max_per_wave", handle_spread_max },
};

static void
parse_spread_rule (FleetDiagnostics *diags, const FleetYamlNode *mapping, GPtrArray *rules)
{
  g_autoptr(FleetSpread) rule = fleet_spread_new ();
  guint errors_before = fleet_diagnostics_error_count (diags);

  rule->pos = mapping->pos;
  fleet_walk_mapping (diags, mapping, FLEET_SCHEMA_SPREAD, spread_handlers,
                      G_N_ELEMENTS (spread_handlers), rule);
  if (fleet_diagnostics_error_count (diags) > errors_before)
    return;

  for (guint i = 0; i < rules->len; i++)
    {
      const FleetSpread *earlier = g_ptr_array_index (rules, i);
      g_autofree char *quoted = NULL;

      if (!g_str_equal (earlier->attribute, rule->attribute))
        continue;

      quoted = fleet_quote_value (rule->attribute, FLEET_QUOTE_MAX_CHARS);
      fleet_diagnostics_error (diags, &rule->pos,
                               "a second spread rule for %s; the first is at line %u, column %u. "
                               "Keep one, with the smaller max_per_wave",
                               quoted, earlier->pos.line, earlier->pos.column);
      return;
    }

  g_ptr_array_add (rules, g_steal_pointer (&rule));
}

void
fleet_parse_spread (FleetDiagnostics *diags,
                    const FleetSchemaField *field,
                    const FleetYamlNode *value,
                    GPtrArray *rules)
{
  if (value->kind == FLEET_YAML_MAPPING)
    {
      parse_spread_rule (diags, value, rules);
      return;
    }

  if (value->items->len == 0)
    {
      fleet_diagnostics_error (diags, &value->pos,
                               "invalid value for \"%s\": the list is empty; give at least one "
                               "rule, such as {by: rack, max_per_wave: 1}, or remove the key",
                               field->key);
      return;
    }

  for (guint i = 0; i < value->items->len; i++)
    {
      const FleetYamlNode *item = g_ptr_array_index (value->items, i);

      if (fleet_expect_mapping (diags, item, "item in \"spread\""))
        parse_spread_rule (diags, item, rules);
    }
}

/* order */

static void
handle_order_by (FleetDiagnostics *diags, const FleetSchemaField *field,
                 const FleetYamlNode *value, gpointer object)
{
  FleetOrder *order = object;

  if (fleet_scalar_to_name (diags, field, value, &order->by))
    order->pos = value->pos;
}

static void
handle_order_sequence (FleetDiagnostics *diags, const FleetSchemaField *field,
                       const FleetYamlNode *value, gpointer object)
{
  FleetOrder *order = object;

  if (value->items->len == 0)
    {
      fleet_diagnostics_error (diags, &value->pos,
                               "invalid value for \"%s\": the list is empty; name the stages in "
                               "order, or remove the key to take the values sorted", field->key);
      return;
    }

  for (guint i = 0; i < value->items->len; i++)
    {
      const FleetYamlNode *item = g_ptr_array_index (value->items, i);
      const FleetSourcePos *first;
      char *stage = NULL;

      if (!fleet_scalar_to_string (diags, field, item, &stage))
        continue;

      first = g_hash_table_lookup (order->positions, stage);
      if (first != NULL)
        {
          g_autofree char *quoted = fleet_quote_value (stage, FLEET_QUOTE_MAX_CHARS);

          fleet_diagnostics_error (diags, &item->pos,
                                   "duplicate stage %s in \"%s\"; it is first listed at line %u, "
                                   "column %u", quoted, field->key, first->line, first->column);
          g_free (stage);
          continue;
        }

      g_hash_table_insert (order->positions, g_strdup (stage),
                           g_memdup2 (&item->pos, sizeof item->pos));
      g_ptr_array_add (order->sequence, stage);
    }
}

static const FleetFieldHandlerEntry order_handlers[] = {
  { "by", handle_order_by },
  { "sequence", handle_order_sequence },
};

void
fleet_parse_order (FleetDiagnostics *diags, const FleetYamlNode *mapping, FleetOrder *order)
{
  order->pos = mapping->pos;
  fleet_walk_mapping (diags, mapping, FLEET_SCHEMA_ORDER, order_handlers,
                      G_N_ELEMENTS (order_handlers), order);
}

/* halt_at */

static FleetHaltRule
halt_rule_of_key (const char *key)
{
  for (guint rule = 0; rule < FLEET_HALT_N_RULES; rule++)
    if (g_str_equal (fleet_halt_rule_name (rule), key))
      return rule;

  g_return_val_if_reached (FLEET_HALT_FAILED_PER_WAVE);
}

static void
handle_threshold (FleetDiagnostics *diags, const FleetSchemaField *field,
                  const FleetYamlNode *value, gpointer object)
{
  FleetHaltAt *halt_at = object;
  FleetHaltRule rule = halt_rule_of_key (field->key);

  if (fleet_scalar_to_threshold (diags, field, value, &halt_at->rules[rule]))
    {
      halt_at->is_set[rule] = TRUE;
      halt_at->positions[rule] = value->pos;
    }
}

static const FleetFieldHandlerEntry halt_at_handlers[] = {
  { "failed_per_wave", handle_threshold },
  { "unreachable_per_wave", handle_threshold },
  { "failed_total", handle_threshold },
  { "unreachable_total", handle_threshold },
};

void
fleet_parse_halt_at (FleetDiagnostics *diags, const FleetYamlNode *mapping, FleetHaltAt *halt_at)
{
  halt_at->pos = mapping->pos;
  fleet_walk_mapping (diags, mapping, FLEET_SCHEMA_HALT_AT, halt_at_handlers,
                      G_N_ELEMENTS (halt_at_handlers), halt_at);
}

/* Names against the inventory */

static gboolean
inventory_has_attribute (const FleetInventory *inventory, const char *attribute)
{
  for (guint i = 0; i < inventory->hosts->len; i++)
    {
      const FleetHost *host = g_ptr_array_index (inventory->hosts, i);

      if (g_hash_table_contains (host->attributes, attribute))
        return TRUE;
    }
  return FALSE;
}

/* Report `attribute`, used by `key`, when no inventory host has it. */
static void
check_attribute_known (FleetDiagnostics *diags,
                       const FleetInventory *inventory,
                       const char *attribute,
                       const char *key,
                       const FleetSourcePos *pos)
{
  g_autoptr(GHashTable) names = NULL;
  g_autoptr(GPtrArray) sorted = NULL;
  g_autofree char *where = NULL;

  if (inventory_has_attribute (inventory, attribute))
    return;

  names = g_hash_table_new (g_str_hash, g_str_equal);
  for (guint i = 0; i < inventory->hosts->len; i++)
    {
      const FleetHost *host = g_ptr_array_index (inventory->hosts, i);
      GHashTableIter iter;
      gpointer name;

      g_hash_table_iter_init (&iter, host->attributes);
      while (g_hash_table_iter_next (&iter, &name, NULL))
        g_hash_table_add (names, name);
    }

  sorted = fleet_sorted_names (names);
  where = g_strdup_printf (" in %s", key);
  fleet_report_unknown_name (diags, pos, "attribute", attribute, where, sorted);
}

static void
check_canary_hosts (FleetDiagnostics *diags, const FleetCanary *canary,
                    const FleetInventory *inventory)
{
  g_autoptr(GPtrArray) sorted = NULL;

  for (guint i = 0; i < canary->hosts->len; i++)
    {
      const char *name = g_ptr_array_index (canary->hosts, i);

      if (g_hash_table_contains (inventory->hosts_by_name, name))
        continue;

      if (sorted == NULL)
        sorted = fleet_sorted_names (inventory->hosts_by_name);
      fleet_report_unknown_name (diags, g_hash_table_lookup (canary->positions, name), "host",
                                 name, " in canary \"hosts\"", sorted);
    }
}

static void
check_order_groups (FleetDiagnostics *diags, const FleetOrder *order,
                    const FleetInventory *inventory)
{
  g_autoptr(GPtrArray) sorted = NULL;

  for (guint i = 0; i < order->sequence->len; i++)
    {
      const char *name = g_ptr_array_index (order->sequence, i);

      if (g_hash_table_contains (inventory->groups_by_name, name))
        continue;

      if (sorted == NULL)
        sorted = fleet_sorted_names (inventory->groups_by_name);
      fleet_report_unknown_name (diags, g_hash_table_lookup (order->positions, name), "group",
                                 name, " in order \"sequence\"", sorted);
    }
}

void
fleet_check_rollout_names (FleetDiagnostics *diags,
                           const FleetWorkflow *workflow,
                           const FleetInventory *inventory)
{
  const FleetOrder *order = &workflow->order;

  check_canary_hosts (diags, &workflow->canary, inventory);
  if (workflow->canary.where != NULL)
    fleet_check_selector_names (diags, workflow->canary.where, "canary \"where\"", inventory);

  for (guint i = 0; i < workflow->spread->len; i++)
    {
      const FleetSpread *rule = g_ptr_array_index (workflow->spread, i);

      check_attribute_known (diags, inventory, rule->attribute, "spread \"by\"", &rule->pos);
    }

  for (guint i = 0; i < workflow->pacing->caps->len; i++)
    {
      const FleetCapRule *rule = g_ptr_array_index (workflow->pacing->caps, i);

      if (g_str_equal (rule->attribute, FLEET_CAP_GROUP))
        continue;
      check_attribute_known (diags, inventory, rule->attribute, "concurrency \"caps\"",
                             &g_array_index (workflow->cap_positions, FleetSourcePos, i));
    }

  if (order->by == NULL)
    return;
  if (g_str_equal (order->by, FLEET_ORDER_BY_GROUP))
    check_order_groups (diags, order, inventory);
  else
    check_attribute_known (diags, inventory, order->by, "order \"by\"", &order->pos);
}
