/* host-selector.c: the names of a host that selector expressions see. */
#include "planner/host-selector.h"

typedef struct {
  const FleetHost *host;
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
              FleetValue group = fleet_value_string (g_ptr_array_index (lookup->host->groups, i));
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
fleet_selector_matches_host (const FleetSelector *selector,
                             const FleetHost *host,
                             gboolean *out_match,
                             GError **error)
{
  HostLookup lookup = { .host = host };
  gboolean ok = fleet_expr_eval (selector->expr, look_up_host_name, &lookup, out_match, error);

  if (lookup.groups != NULL)
    g_array_unref (lookup.groups);
  return ok;
}
