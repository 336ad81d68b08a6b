/* fleet-condition.c: name resolution and reasons for step conditions; the
 * rules are in fleet-condition.h. */
#include "schema/fleet-condition.h"

#include <string.h>

typedef struct {
  const FleetHost *host;
  GHashTable *vars;
  FleetConditionRunLookup run_lookup;
  gpointer run_data;
  GArray *group_values;          /* FleetValue, the host's groups */
} Lookup;

static gboolean
is_run_time_name (const char *name)
{
  return g_str_has_prefix (name, "steps.") || g_str_has_prefix (name, "facts.");
}

gboolean
fleet_condition_needs_run_time (const FleetExpr *expr)
{
  g_autoptr (GPtrArray) names = g_ptr_array_new_with_free_func (g_free);

  fleet_expr_collect_names (expr, names);
  for (guint i = 0; i < names->len; i++)
    if (is_run_time_name (g_ptr_array_index (names, i)))
      return TRUE;

  return FALSE;
}

static gboolean
lookup_name (const char *name, FleetValue *out, gpointer user_data)
{
  Lookup *lookup = user_data;
  const char *text;

  if (strcmp (name, "name") == 0)
    {
      *out = fleet_value_string (lookup->host->name);
      return TRUE;
    }

  if (strcmp (name, "groups") == 0)
    {
      *out = fleet_value_list ((const FleetValue *) lookup->group_values->data,
                               lookup->group_values->len);
      return TRUE;
    }

  if (is_run_time_name (name))
    return lookup->run_lookup != NULL && lookup->run_lookup (name, out, lookup->run_data);

  text = g_hash_table_lookup (lookup->host->attributes, name);
  if (text == NULL && lookup->vars != NULL)
    text = g_hash_table_lookup (lookup->vars, name);
  if (text == NULL)
    return FALSE;

  *out = fleet_value_string (text);
  return TRUE;
}

/* Return "a, b and c" for the names in `names`. */
static char *
join_names (const GPtrArray *names)
{
  GString *out = g_string_new (NULL);

  for (guint i = 0; i < names->len; i++)
    {
      if (i > 0)
        g_string_append (out, i + 1 == names->len ? " and " : ", ");
      g_string_append (out, g_ptr_array_index (names, i));
    }
  return g_string_free (out, FALSE);
}

gboolean
fleet_condition_evaluate (const FleetExpr *expr,
                          const char *text,
                          const FleetHost *host,
                          GHashTable *vars,
                          FleetConditionRunLookup run_lookup,
                          gpointer run_data,
                          gboolean *out_result,
                          char **out_reason,
                          GError **error)
{
  g_autoptr (GArray) group_values = g_array_new (FALSE, FALSE, sizeof (FleetValue));
  g_autoptr (GPtrArray) missing = g_ptr_array_new_with_free_func (g_free);
  Lookup lookup = { host, vars, run_lookup, run_data, group_values };
  gboolean result = FALSE;

  for (guint i = 0; i < host->groups->len; i++)
    {
      FleetValue group = fleet_value_string (g_ptr_array_index (host->groups, i));

      g_array_append_val (group_values, group);
    }

  if (!fleet_expr_eval_full (expr, lookup_name, &lookup, missing, &result, error))
    return FALSE;

  *out_result = result;
  if (result)
    return TRUE;

  if (missing->len == 0)
    {
      *out_reason = g_strdup_printf ("condition `%s` is false", text);
    }
  else
    {
      g_autofree char *names = join_names (missing);

      *out_reason = g_strdup_printf ("condition `%s` is unknown because %s %s no value", text,
                                     names, missing->len == 1 ? "has" : "have");
    }
  return TRUE;
}
