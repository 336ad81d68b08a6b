/* inventory-merge.c: combining the inventories of several sources; the
 * rules are in inventory-merge.h. */
#include "compiler/inventory-merge.h"

#include <string.h>

#include "compiler/dynamic-groups.h"
#include "compiler/host-differences.h"
#include "compiler/scalar.h"
#include "compiler/yaml-tree.h"

#define GROUP_UNGROUPED "ungrouped"

/* Return where `inventory` writes the value of `key` for `host`, or the
 * host's own position when no reader recorded it (a default value). */
static const FleetSourcePos *
value_pos (const FleetInventory *inventory, const FleetHost *host, const char *key)
{
  const FleetSourcePos *pos = fleet_inventory_value_pos (inventory, host->name, key);

  return pos != NULL ? pos : &host->pos;
}

/* Report each difference at the place the later source writes the value,
 * naming the place of the earlier one. */
static void
report_conflicts (FleetDiagnostics *diags,
                  const FleetInventory *combined,
                  const FleetHost *first,
                  const FleetInventory *source,
                  const FleetHost *second,
                  const GPtrArray *differences)
{
  g_autofree char *quoted_name = fleet_quote_value (second->name, FLEET_QUOTE_MAX_CHARS);

  for (guint i = 0; i < differences->len; i++)
    {
      const FleetHostDifference *difference = g_ptr_array_index (differences, i);
      g_autofree char *quoted_key = fleet_quote_value (difference->key, FLEET_QUOTE_MAX_CHARS);
      const FleetSourcePos *first_pos = value_pos (combined, first, difference->key);
      const FleetSourcePos *second_pos = value_pos (source, second, difference->key);

      fleet_diagnostics_error (diags, second_pos,
                               "host %s is defined by two inventories with different %s %s: "
                               "%s at %s:%u:%u and %s at %s:%u:%u; make the definitions agree "
                               "or remove the host from one inventory",
                               quoted_name, difference->attribute ? "attribute" : "setting",
                               quoted_key, difference->first, first_pos->file, first_pos->line,
                               first_pos->column, difference->second, second_pos->file,
                               second_pos->line, second_pos->column);
    }
}

static int
compare_names (gconstpointer a, gconstpointer b)
{
  return strcmp (*(const char * const *) a, *(const char * const *) b);
}

/* Add the names of `from` missing in `into`, keeping `into` sorted. */
static void
merge_sorted_names (GPtrArray *into, const GPtrArray *from)
{
  for (guint i = 0; i < from->len; i++)
    {
      const char *name = g_ptr_array_index (from, i);
      gboolean present = FALSE;

      for (guint j = 0; j < into->len && !present; j++)
        present = strcmp (g_ptr_array_index (into, j), name) == 0;
      if (!present)
        g_ptr_array_add (into, g_strdup (name));
    }

  g_ptr_array_sort (into, compare_names);
}

static void
merge_host (FleetDiagnostics *diags, FleetInventory *combined, const FleetInventory *source,
            FleetHost *host)
{
  FleetHost *existing = g_hash_table_lookup (combined->hosts_by_name, host->name);
  g_autoptr (GPtrArray) differences = NULL;

  if (existing == NULL)
    {
      fleet_inventory_add_host (combined, host);
      return;
    }

  differences = fleet_host_differences (existing, host);
  if (differences->len > 0)
    report_conflicts (diags, combined, existing, source, host, differences);
  else
    merge_sorted_names (existing->groups, host->groups);

  fleet_host_free (host);
}

/* Return the position of the setting of `source` that leads to the jump
 * host called `name`, or NULL. */
static const FleetSourcePos *
find_jump_user (const FleetInventory *source, const char *name)
{
  for (guint i = 0; i < source->hosts->len; i++)
    {
      const FleetHost *host = g_ptr_array_index (source->hosts, i);

      if (g_strcmp0 (host->proxy_jump, name) == 0)
        return value_pos (source, host, "proxy_jump");
    }

  return NULL;
}

/* Add the jump hosts of `source`.  A jump host's name is its route, so two
 * sources that reach one route with different settings would route some
 * hosts differently from their inventory, which is an error. */
static void
merge_jump_host (FleetDiagnostics *diags, FleetInventory *combined, const FleetInventory *source,
                 FleetHost *jump_host)
{
  FleetHost *existing = fleet_inventory_find_jump_host (combined, jump_host->name);
  g_autoptr (GPtrArray) differences = NULL;
  g_autofree char *quoted_name = NULL;
  const FleetHostDifference *difference;

  if (existing == NULL)
    {
      g_ptr_array_add (combined->jump_hosts, jump_host);
      return;
    }

  differences = fleet_host_differences (existing, jump_host);
  if (differences->len > 0)
    {
      difference = g_ptr_array_index (differences, 0);
      quoted_name = fleet_quote_value (jump_host->name, FLEET_QUOTE_MAX_CHARS);
      fleet_diagnostics_error (diags, find_jump_user (source, jump_host->name),
                               "jump host %s has different %s settings in two inventories: %s "
                               "and %s; give it the same settings in both, or reach it through "
                               "an inventory host", quoted_name, difference->key,
                               difference->first, difference->second);
    }

  fleet_host_free (jump_host);
}

/* Keep the value positions of the hosts that `source` adds. */
static void
merge_value_positions (FleetInventory *combined, const FleetInventory *source)
{
  GHashTableIter iter;
  gpointer key, pos;

  g_hash_table_iter_init (&iter, source->value_positions);
  while (g_hash_table_iter_next (&iter, &key, &pos))
    if (!g_hash_table_contains (combined->value_positions, key))
      g_hash_table_insert (combined->value_positions, g_strdup (key),
                           g_memdup2 (pos, sizeof (FleetSourcePos)));
}

static void
merge_group (FleetDiagnostics *diags, FleetInventory *combined, FleetGroup *group)
{
  FleetGroup *existing = g_hash_table_lookup (combined->groups_by_name, group->name);
  g_autoptr (GHashTable) members = NULL;

  if (existing == NULL)
    {
      fleet_inventory_add_group (combined, group);
      return;
    }

  fleet_merge_group_selector (diags, existing, group);

  members = g_hash_table_new (g_str_hash, g_str_equal);
  for (guint i = 0; i < existing->members->len; i++)
    g_hash_table_add (members, g_ptr_array_index (existing->members, i));
  for (guint i = 0; i < group->members->len; i++)
    if (!g_hash_table_contains (members, g_ptr_array_index (group->members, i)))
      g_ptr_array_add (existing->members, g_strdup (g_ptr_array_index (group->members, i)));

  fleet_group_free (group);
}

/* Take hosts that now have a named group out of `ungrouped`. */
static void
reconcile_ungrouped (FleetInventory *combined)
{
  FleetGroup *ungrouped = g_hash_table_lookup (combined->groups_by_name, GROUP_UNGROUPED);

  if (ungrouped == NULL)
    return;

  for (guint i = ungrouped->members->len; i > 0; i--)
    {
      FleetHost *host = g_hash_table_lookup (combined->hosts_by_name,
                                             g_ptr_array_index (ungrouped->members, i - 1));

      if (host == NULL || host->groups->len < 2)
        continue;

      for (guint g = 0; g < host->groups->len; g++)
        if (strcmp (g_ptr_array_index (host->groups, g), GROUP_UNGROUPED) == 0)
          g_ptr_array_remove_index (host->groups, g);
      g_ptr_array_remove_index (ungrouped->members, i - 1);
    }

  if (ungrouped->members->len == 0)
    {
      g_hash_table_remove (combined->groups_by_name, GROUP_UNGROUPED);
      g_ptr_array_remove (combined->groups, ungrouped);
    }
}

void
fleet_inventory_merge (FleetDiagnostics *diags, FleetInventory *combined, FleetInventory *source)
{
  g_autofree char *joined = NULL;

  /* Hosts, jump hosts, groups and problems move to `combined`, so the
   * arrays must not free them. */
  g_ptr_array_set_free_func (source->hosts, NULL);
  g_ptr_array_set_free_func (source->jump_hosts, NULL);
  g_ptr_array_set_free_func (source->groups, NULL);
  g_ptr_array_set_free_func (source->host_problems, NULL);

  for (guint i = 0; i < source->hosts->len; i++)
    merge_host (diags, combined, source, g_ptr_array_index (source->hosts, i));
  for (guint i = 0; i < source->jump_hosts->len; i++)
    merge_jump_host (diags, combined, source, g_ptr_array_index (source->jump_hosts, i));
  for (guint i = 0; i < source->host_problems->len; i++)
    g_ptr_array_add (combined->host_problems, g_ptr_array_index (source->host_problems, i));
  merge_value_positions (combined, source);

  /* Every source reads the same ssh_config, but only the sources in
   * fleetc's format record it. */
  if (combined->ssh_config_path == NULL && source->ssh_config_path != NULL)
    {
      combined->ssh_config_path = g_steal_pointer (&source->ssh_config_path);
      g_ptr_array_extend_and_steal (combined->ssh_config_sources,
                                    g_steal_pointer (&source->ssh_config_sources));
      source->ssh_config_sources = g_ptr_array_new ();
    }
  for (guint i = 0; i < source->groups->len; i++)
    merge_group (diags, combined, g_ptr_array_index (source->groups, i));
  reconcile_ungrouped (combined);

  for (guint i = 0; i < source->sources->len; i++)
    g_ptr_array_add (combined->sources, g_strdup (g_ptr_array_index (source->sources, i)));
  for (guint i = 0; i < source->files->len; i++)
    g_ptr_array_add (combined->files,
                     fleet_inventory_file_copy (g_ptr_array_index (source->files, i)));
  g_ptr_array_add (combined->sources, NULL);
  joined = g_strjoinv (", ", (char **) combined->sources->pdata);
  g_ptr_array_remove_index (combined->sources, combined->sources->len - 1);
  g_free (combined->source);
  combined->source = g_steal_pointer (&joined);

  fleet_inventory_free (source);
}
