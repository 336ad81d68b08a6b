/* inventory-merge.c: combining the inventories of several sources; the
 * rules are in inventory-merge.h. */
#include "compiler/inventory-merge.h"

#include <string.h>

#include "compiler/dynamic-groups.h"
#include "compiler/scalar.h"
#include "compiler/yaml-tree.h"

#define GROUP_UNGROUPED "ungrouped"

/* One setting or attribute that two definitions of a host give different
 * values. */
typedef struct {
  gboolean attribute;          /* `key` names an attribute */
  const char *key;
  char *first;                 /* quoted value, or "not set" */
  char *second;
} Difference;

static void
difference_free (Difference *difference)
{
  g_free (difference->first);
  g_free (difference->second);
  g_free (difference);
}

static char *
describe_string (const char *value)
{
  return value != NULL ? fleet_quote_value (value, FLEET_QUOTE_MAX_CHARS) : g_strdup ("not set");
}

static void
compare_strings (GPtrArray *differences, const char *key, gboolean attribute, const char *first,
                 const char *second)
{
  Difference *difference;

  if (g_strcmp0 (first, second) == 0)
    return;

  difference = g_new0 (Difference, 1);
  difference->attribute = attribute;
  difference->key = key;
  difference->first = describe_string (first);
  difference->second = describe_string (second);
  g_ptr_array_add (differences, difference);
}

/* Compare the attributes of both definitions, in name order, each name
 * once. */
static void
compare_attributes (GPtrArray *differences, const FleetHost *first, const FleetHost *second)
{
  g_autofree const char **first_keys = fleet_host_sorted_attribute_keys (first);
  g_autofree const char **second_keys = fleet_host_sorted_attribute_keys (second);

  for (const char * const *key = first_keys; *key != NULL; key++)
    compare_strings (differences, *key, TRUE, g_hash_table_lookup (first->attributes, *key),
                     g_hash_table_lookup (second->attributes, *key));

  for (const char * const *key = second_keys; *key != NULL; key++)
    if (!g_hash_table_contains (first->attributes, *key))
      compare_strings (differences, *key, TRUE, NULL,
                       g_hash_table_lookup (second->attributes, *key));
}

/* Return the list as one comma-separated string, or NULL when it is empty. */
static char *
join_strings (const GPtrArray *strings)
{
  g_autoptr(GString) joined = NULL;

  if (strings->len == 0)
    return NULL;

  joined = g_string_new (NULL);
  for (guint i = 0; i < strings->len; i++)
    g_string_append_printf (joined, "%s%s", i > 0 ? ", " : "",
                            (const char *) g_ptr_array_index (strings, i));
  return g_string_free (g_steal_pointer (&joined), FALSE);
}

/* Return every difference between the two definitions (Difference *),
 * settings first, then attributes in name order. */
static GPtrArray *
find_differences (const FleetHost *first, const FleetHost *second)
{
  GPtrArray *differences = g_ptr_array_new_with_free_func ((GDestroyNotify) difference_free);
  g_autofree char *first_port = g_strdup_printf ("%u", first->port);
  g_autofree char *second_port = g_strdup_printf ("%u", second->port);
  g_autofree char *first_timeout = fleet_format_duration (first->connect_timeout_ms);
  g_autofree char *second_timeout = fleet_format_duration (second->connect_timeout_ms);
  g_autofree char *first_identities = join_strings (first->identity_files);
  g_autofree char *second_identities = join_strings (second->identity_files);
  g_autofree char *first_known_hosts = join_strings (first->known_hosts_files);
  g_autofree char *second_known_hosts = join_strings (second->known_hosts_files);
  g_autofree char *first_interval = fleet_format_duration (first->keepalive_interval_ms);
  g_autofree char *second_interval = fleet_format_duration (second->keepalive_interval_ms);
  g_autofree char *first_count = g_strdup_printf ("%u", first->keepalive_count_max);
  g_autofree char *second_count = g_strdup_printf ("%u", second->keepalive_count_max);
  g_autofree char *first_sessions = g_strdup_printf ("%u", first->max_sessions);
  g_autofree char *second_sessions = g_strdup_printf ("%u", second->max_sessions);

  compare_strings (differences, "address", FALSE, first->address, second->address);
  compare_strings (differences, "port", FALSE, first_port, second_port);
  compare_strings (differences, "user", FALSE, first->user, second->user);
  compare_strings (differences, "identity_file", FALSE, first_identities, second_identities);
  compare_strings (differences, "identities_only", FALSE,
                   first->identities_only ? "true" : "false",
                   second->identities_only ? "true" : "false");
  compare_strings (differences, "known_hosts_file", FALSE, first_known_hosts,
                   second_known_hosts);
  compare_strings (differences, "host_key_policy", FALSE,
                   fleet_host_key_policy_to_string (first->host_key_policy),
                   fleet_host_key_policy_to_string (second->host_key_policy));
  compare_strings (differences, "proxy_jump", FALSE, first->proxy_jump, second->proxy_jump);
  compare_strings (differences, "keepalive_interval", FALSE, first_interval, second_interval);
  compare_strings (differences, "keepalive_count_max", FALSE, first_count, second_count);
  compare_strings (differences, "max_sessions", FALSE, first_sessions, second_sessions);
  compare_strings (differences, "key_passphrase_secret", FALSE, first->key_passphrase_secret,
                   second->key_passphrase_secret);
  compare_strings (differences, "become_password_secret", FALSE, first->become_password_secret,
                   second->become_password_secret);
  compare_strings (differences, "connect_timeout", FALSE, first_timeout, second_timeout);
  compare_attributes (differences, first, second);

  return differences;
}

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
      const Difference *difference = g_ptr_array_index (differences, i);
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

  differences = find_differences (existing, host);
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
  const Difference *difference;

  if (existing == NULL)
    {
      g_ptr_array_add (combined->jump_hosts, jump_host);
      return;
    }

  differences = find_differences (existing, jump_host);
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
