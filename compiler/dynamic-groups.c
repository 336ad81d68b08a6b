/* dynamic-groups.c: parse, merge and evaluate `{where: EXPR}` groups. */
#include "compiler/dynamic-groups.h"

#include <string.h>

#include "compiler/selector.h"
#include "schema/fleet-diagnostics.h"
#include "schema/fleet-host-selector.h"
#include "schema/workflow-schema.h"

FleetSelector *
fleet_parse_group_selector (FleetDiagnostics *diags, const char *name, const FleetYamlNode *value)
{
  g_autofree char *quoted = fleet_quote_value (name, FLEET_QUOTE_MAX_CHARS);
  const FleetYamlNode *where = fleet_yaml_mapping_lookup (value, "where");

  for (guint i = 0; i < value->keys->len; i++)
    {
      const FleetYamlNode *key = g_ptr_array_index (value->keys, i);

      if (key->kind != FLEET_YAML_SCALAR || strcmp (key->value, "where") != 0)
        {
          fleet_diagnostics_error (diags, &key->pos,
                                   "unknown key in group %s: a dynamic group has only "
                                   "\"where\", a selector such as 'role == \"db\"'", quoted);
          return NULL;
        }
    }

  if (where == NULL || where->kind != FLEET_YAML_SCALAR)
    {
      fleet_diagnostics_error (diags, &value->pos,
                               "invalid value for group %s: expected a list of host names or "
                               "{where: EXPR} with a selector string", quoted);
      return NULL;
    }

  /* The same field, with its length limit, as `target.where`. */
  return fleet_parse_selector (diags, fleet_schema_lookup (FLEET_SCHEMA_TARGET, "where"), where);
}

void
fleet_merge_group_selector (FleetDiagnostics *diags, FleetGroup *existing, FleetGroup *group)
{
  g_autofree char *quoted = NULL;

  if (group->where == NULL)
    return;

  if (existing->where == NULL)
    {
      existing->where = g_steal_pointer (&group->where);
      return;
    }

  if (strcmp (existing->where->text, group->where->text) == 0)
    return;

  quoted = fleet_quote_value (existing->name, FLEET_QUOTE_MAX_CHARS);
  fleet_diagnostics_error (diags, &group->where->pos,
                           "group %s has another selector in %s:%u:%u; give the groups "
                           "different names or the same selector", quoted,
                           existing->where->pos.file != NULL ? existing->where->pos.file : "",
                           existing->where->pos.line, existing->where->pos.column);
}

static int
compare_names (gconstpointer a, gconstpointer b)
{
  return strcmp (*(const char *const *) a, *(const char *const *) b);
}

/* Return the hosts (borrowed) that `group`'s selector selects, or NULL
 * after reporting an evaluation error. */
static GPtrArray *
select_members (FleetDiagnostics *diags, const FleetInventory *inventory,
                const FleetGroup *group, GHashTable *dynamic_names)
{
  g_autoptr(GPtrArray) selected = g_ptr_array_new ();

  for (guint i = 0; i < inventory->hosts->len; i++)
    {
      const FleetHost *host = g_ptr_array_index (inventory->hosts, i);
      g_autoptr(GError) error = NULL;
      gboolean match = FALSE;
      gboolean ok = fleet_expr_matches_host (group->where->expr, host, dynamic_names, &match,
                                             &error);

      if (!ok)
        {
          g_autofree char *quoted_group = fleet_quote_value (group->name, FLEET_QUOTE_MAX_CHARS);
          g_autofree char *quoted_host = fleet_quote_value (host->name, FLEET_QUOTE_MAX_CHARS);

          fleet_diagnostics_error (diags, &group->where->pos,
                                   "the selector of group %s fails on host %s: %s",
                                   quoted_group, quoted_host, error->message);
          return NULL;
        }
      if (match)
        g_ptr_array_add (selected, (gpointer) host);
    }
  return g_steal_pointer (&selected);
}

/* NOTE: an Ansible host in `ungrouped` stays there after it joins a
 * dynamic group, unlike after joining a listed group of another source. */
static void
add_members (FleetGroup *group, const GPtrArray *hosts)
{
  g_autoptr(GHashTable) members = g_hash_table_new (g_str_hash, g_str_equal);

  for (guint i = 0; i < group->members->len; i++)
    g_hash_table_add (members, g_ptr_array_index (group->members, i));

  for (guint i = 0; i < hosts->len; i++)
    {
      FleetHost *host = g_ptr_array_index (hosts, i);

      if (g_hash_table_contains (members, host->name))
        continue;
      g_ptr_array_add (group->members, g_strdup (host->name));
      g_ptr_array_add (host->groups, g_strdup (group->name));
      g_ptr_array_sort (host->groups, compare_names);
    }
}

void
fleet_resolve_dynamic_groups (FleetDiagnostics *diags, FleetInventory *inventory)
{
  g_autoptr(GHashTable) dynamic_names = g_hash_table_new (g_str_hash, g_str_equal);
  g_autoptr(GPtrArray) selections = g_ptr_array_new_with_free_func (
    (GDestroyNotify) g_ptr_array_unref);
  g_autoptr(GPtrArray) groups = g_ptr_array_new ();

  for (guint i = 0; i < inventory->groups->len; i++)
    {
      FleetGroup *group = g_ptr_array_index (inventory->groups, i);

      if (group->where != NULL)
        {
          g_hash_table_add (dynamic_names, group->name);
          g_ptr_array_add (groups, group);
        }
    }

  /* Every selector is evaluated before any host joins a dynamic group, so
   * the order of the groups cannot change what `groups` shows. */
  for (guint i = 0; i < groups->len; i++)
    {
      const FleetGroup *group = g_ptr_array_index (groups, i);
      GPtrArray *selected;
      g_autofree char *key = g_strdup_printf ("groups.%s.where", group->name);

      fleet_check_selector_names (diags, group->where, key, inventory);
      selected = select_members (diags, inventory, group, dynamic_names);
      if (selected == NULL)
        return;
      g_ptr_array_add (selections, selected);
    }

  for (guint i = 0; i < groups->len; i++)
    add_members (g_ptr_array_index (groups, i), g_ptr_array_index (selections, i));
}
