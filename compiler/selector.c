/* selector.c: parse selectors with their positions and check their names. */
#include "compiler/selector.h"

#include <string.h>

#include "compiler/scalar-position.h"
#include "compiler/suggest.h"

/* Names listed when an unknown attribute or group has no close match. */
#define MAX_LISTED_ATTRIBUTES 12

/* Return whether `c` may continue a name: letters, digits, '_' and '.'. */
static gboolean
is_name_char (char c)
{
  return g_ascii_isalnum (c) || c == '_' || c == '.';
}

/* Return the 0-based character index in `text` where the name `name` is
 * first used outside a string literal, or -1. */
static glong
find_name (const char *text, const char *name)
{
  gsize length = strlen (name);
  const char *p = text;

  while (*p != '\0')
    {
      if (*p == '"')
        {
          for (p++; *p != '\0' && *p != '"'; p++)
            if (*p == '\\' && p[1] != '\0')
              p++;
          if (*p == '"')
            p++;
          continue;
        }

      if ((g_ascii_isalpha (*p) || *p == '_') && (p == text || !is_name_char (p[-1])))
        {
          const char *end = p;

          while (is_name_char (*end))
            end++;
          if ((gsize) (end - p) == length && strncmp (p, name, length) == 0)
            return g_utf8_pointer_to_offset (text, p);
          p = end;
          continue;
        }
      p++;
    }
  return -1;
}

/* Record where each group whose membership `selector` tests is first
 * named, as record_name_positions does for names. */
static void
record_group_positions (FleetSelector *selector,
                        FleetSourcePos (*map) (gconstpointer, guint),
                        gconstpointer map_data)
{
  g_autoptr(GPtrArray) uses = g_ptr_array_new_with_free_func (
    (GDestroyNotify) fleet_expr_group_use_free);

  fleet_expr_collect_group_uses (selector->expr, uses);
  for (guint i = 0; i < uses->len; i++)
    {
      const FleetExprGroupUse *use = g_ptr_array_index (uses, i);
      FleetSourcePos pos = map (map_data, use->column > 0 ? use->column - 1 : 0);

      if (!g_hash_table_contains (selector->group_positions, use->group))
        g_hash_table_insert (selector->group_positions, g_strdup (use->group),
                             g_memdup2 (&pos, sizeof pos));
    }
}

/* Record where each name of `selector` is first used, mapping its column in
 * the expression to a file position with `map`. */
static void
record_name_positions (FleetSelector *selector,
                       FleetSourcePos (*map) (gconstpointer, guint),
                       gconstpointer map_data)
{
  g_autoptr(GPtrArray) names = g_ptr_array_new_with_free_func (g_free);

  fleet_expr_collect_names (selector->expr, names);
  for (guint i = 0; i < names->len; i++)
    {
      const char *name = g_ptr_array_index (names, i);
      glong index = find_name (selector->text, name);
      FleetSourcePos pos = index >= 0 ? map (map_data, (guint) index) : selector->pos;

      g_hash_table_insert (selector->name_positions, g_strdup (name),
                           g_memdup2 (&pos, sizeof pos));
    }

  record_group_positions (selector, map, map_data);
}

static FleetSourcePos
map_in_node (gconstpointer node, guint index)
{
  return fleet_scalar_char_position (node, index, NULL);
}

FleetSelector *
fleet_parse_selector (FleetDiagnostics *diags,
                      const FleetSchemaField *field,
                      const FleetYamlNode *node)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(FleetSelector) selector = NULL;
  FleetExpr *expr;
  guint error_column = 0;

  if ((gint64) node->length > field->max)
    {
      fleet_diagnostics_error (diags, &node->pos,
                               "expression for \"%s\" is too long: %" G_GSIZE_FORMAT
                               " bytes, the maximum is %" G_GINT64_FORMAT,
                               field->key, node->length, field->max);
      return NULL;
    }

  expr = fleet_expr_parse_full (node->value, &error_column, &error);
  if (expr == NULL)
    {
      FleetSourcePos pos = fleet_scalar_char_position (node, error_column > 0 ? error_column - 1 : 0,
                                                       NULL);

      fleet_diagnostics_error (diags, &pos, "invalid expression for \"%s\": %s", field->key,
                               error->message);
      return NULL;
    }

  selector = fleet_selector_new (expr, node->value, &node->pos);
  record_name_positions (selector, map_in_node, node);
  return g_steal_pointer (&selector);
}

static FleetSourcePos
map_in_limit (gconstpointer unused, guint index)
{
  return (FleetSourcePos) { g_intern_static_string (FLEET_LIMIT_SOURCE), 1, index + 1 };
}

FleetSelector *
fleet_parse_limit (FleetDiagnostics *diags, const char *text)
{
  const char *file = g_intern_static_string (FLEET_LIMIT_SOURCE);
  FleetSourcePos start = { file, 1, 1 };
  g_autoptr(GError) error = NULL;
  g_autoptr(FleetSelector) selector = NULL;
  FleetExpr *expr;
  guint error_column = 0;

  fleet_diagnostics_add_source (diags, file, text, strlen (text));
  if (!g_utf8_validate (text, -1, NULL))
    {
      fleet_diagnostics_error (diags, &start, "the --limit expression is not valid UTF-8");
      return NULL;
    }

  expr = fleet_expr_parse_full (text, &error_column, &error);
  if (expr == NULL)
    {
      FleetSourcePos pos = { file, 1, MAX (error_column, 1) };

      fleet_diagnostics_error (diags, &pos, "invalid expression for --limit: %s", error->message);
      return NULL;
    }

  selector = fleet_selector_new (expr, text, &start);
  record_name_positions (selector, map_in_limit, NULL);
  return g_steal_pointer (&selector);
}

/* Return every attribute name of the inventory's hosts, sorted. */
static GPtrArray *
known_attribute_names (const FleetInventory *inventory)
{
  g_autoptr(GHashTable) names = g_hash_table_new (g_str_hash, g_str_equal);

  for (guint i = 0; i < inventory->hosts->len; i++)
    {
      const FleetHost *host = g_ptr_array_index (inventory->hosts, i);
      GHashTableIter iter;
      gpointer key;

      g_hash_table_iter_init (&iter, host->attributes);
      while (g_hash_table_iter_next (&iter, &key, NULL))
        g_hash_table_add (names, key);
    }
  g_hash_table_add (names, (gpointer) "name");
  g_hash_table_add (names, (gpointer) "groups");
  return fleet_sorted_names (names);
}

/* Warn about each group that `selector` tests membership of and that no
 * group of `inventory` has, because no host is in such a group. */
static void
check_group_names (FleetDiagnostics *diags,
                   const FleetSelector *selector,
                   const char *key,
                   const FleetInventory *inventory)
{
  g_autoptr(GPtrArray) known = NULL;
  g_autoptr(GPtrArray) used = fleet_sorted_names (selector->group_positions);

  for (guint i = 0; i < used->len; i++)
    {
      const char *group = g_ptr_array_index (used, i);
      const FleetSourcePos *pos = g_hash_table_lookup (selector->group_positions, group);
      g_autofree char *quoted = NULL;
      const char *suggestion;

      if (g_hash_table_contains (inventory->groups_by_name, group))
        continue;

      if (known == NULL)
        known = fleet_sorted_names (inventory->groups_by_name);
      quoted = fleet_quote_value (group, FLEET_QUOTE_MAX_CHARS);
      suggestion = fleet_suggest_name (group, (const char * const *) known->pdata, known->len);
      if (suggestion != NULL)
        {
          g_autofree char *quoted_suggestion = fleet_quote_value (suggestion,
                                                                  FLEET_QUOTE_MAX_CHARS);

          fleet_diagnostics_warning (diags, pos,
                                     "unknown group %s in %s: the inventory has no group of "
                                     "that name, so no host is in it; did you mean %s?",
                                     quoted, key, quoted_suggestion);
        }
      else
        {
          g_autofree char *listed = fleet_join_names ((const char * const *) known->pdata,
                                                      known->len, MAX_LISTED_ATTRIBUTES);

          fleet_diagnostics_warning (diags, pos,
                                     "unknown group %s in %s: the inventory has no group of "
                                     "that name, so no host is in it; the known groups are: %s",
                                     quoted, key, known->len > 0 ? listed : "none");
        }
    }
}

void
fleet_check_selector_names (FleetDiagnostics *diags,
                            const FleetSelector *selector,
                            const char *key,
                            const FleetInventory *inventory)
{
  g_autoptr(GPtrArray) used = g_ptr_array_new_with_free_func (g_free);
  g_autoptr(GPtrArray) known = NULL;

  fleet_expr_collect_names (selector->expr, used);
  for (guint i = 0; i < used->len; i++)
    {
      const char *name = g_ptr_array_index (used, i);
      const FleetSourcePos *pos = g_hash_table_lookup (selector->name_positions, name);
      g_autofree char *quoted = fleet_quote_value (name, FLEET_QUOTE_MAX_CHARS);
      const char *suggestion;

      if (known == NULL)
        known = known_attribute_names (inventory);
      if (g_ptr_array_find_with_equal_func (known, name, g_str_equal, NULL))
        continue;

      suggestion = fleet_suggest_name (name, (const char * const *) known->pdata, known->len);
      if (suggestion != NULL)
        {
          g_autofree char *quoted_suggestion = fleet_quote_value (suggestion,
                                                                  FLEET_QUOTE_MAX_CHARS);

          fleet_diagnostics_warning (diags, pos != NULL ? pos : &selector->pos,
                                     "unknown attribute %s in %s: no host of the inventory has "
                                     "it, so every comparison with it is false; did you mean "
                                     "%s?", quoted, key, quoted_suggestion);
        }
      else
        {
          g_autofree char *listed = fleet_join_names ((const char * const *) known->pdata,
                                                      known->len, MAX_LISTED_ATTRIBUTES);

          fleet_diagnostics_warning (diags, pos != NULL ? pos : &selector->pos,
                                     "unknown attribute %s in %s: no host of the inventory has "
                                     "it, so every comparison with it is false; the known names "
                                     "are: %s", quoted, key, listed);
        }
    }

  check_group_names (diags, selector, key, inventory);
}
