/* fleet-host-selector.c: the names of a host that selector expressions
 * see (fleet-host-selector.h). */
#include "schema/fleet-host-selector.h"

typedef struct {
  const FleetHost *host;
  GHashTable *hidden_groups;     /* names left out of `groups`, or NULL */
  GArray *groups;                /* FleetValue, built on first use */
} HostLookup;

static gboolean
look_up_host_name (const char *name, FleetValue *out, gpointer user_data)
{
  HostLookup *lookup = user_data;
  const char *value;

  if (g_str_equal (name, "name"))
    {
      *out = fleet_value_string (lookup->host->name);
      return TRUE;
    }

  if (g_str_equal (name, "groups"))
    {
      if (lookup->groups == NULL)
        {
          lookup->groups = g_array_sized_new (FALSE, FALSE, sizeof (FleetValue),
                                              lookup->host->groups->len);
          for (guint i = 0; i < lookup->host->groups->len; i++)
            {
              const char *name_of_group = g_ptr_array_index (lookup->host->groups, i);
              FleetValue group = fleet_value_string (name_of_group);

              if (lookup->hidden_groups == NULL
                  || !g_hash_table_contains (lookup->hidden_groups, name_of_group))
                g_array_append_val (lookup->groups, group);
            }
        }
      *out = fleet_value_list ((const FleetValue *) lookup->groups->data, lookup->groups->len);
      return TRUE;
    }

  value = g_hash_table_lookup (lookup->host->attributes, name);
  if (value == NULL)
    return FALSE;

  *out = fleet_value_string (value);
  return TRUE;
}

gboolean
fleet_expr_matches_host (const FleetExpr *expr,
                         const FleetHost *host,
                         GHashTable *hidden_groups,
                         gboolean *out_match,
                         GError **error)
{
  HostLookup lookup = { .host = host, .hidden_groups = hidden_groups };
  gboolean ok = fleet_expr_eval (expr, look_up_host_name, &lookup, out_match, error);

  if (lookup.groups != NULL)
    g_array_unref (lookup.groups);
  return ok;
}

gboolean
fleet_selector_matches_host (const FleetSelector *selector,
                             const FleetHost *host,
                             gboolean *out_match,
                             GError **error)
{
  return fleet_expr_matches_host (selector->expr, host, NULL, out_match, error);
}
