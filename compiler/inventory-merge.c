/* inventory-merge.c: combining the inventories of several sources; the
 * rules are in inventory-merge.h. */
#include "compiler/inventory-merge.h"

#include <string.h>

#include "compiler/dynamic-groups.h"
#include "compiler/scalar.h"
#include "compiler/yaml-tree.h"

#define GROUP_UNGROUPED "ungrouped"

/* The first difference between two definitions of one host. */
typedef struct {
  gboolean attribute;          /* `setting` names an attribute */
  const char *setting;
  char *first;                 /* quoted value, or "not set" */
  char *second;
} Difference;

static char *
describe_string (const char *value)
{
  return value != NULL ? fleet_quote_value (value, FLEET_QUOTE_MAX_CHARS) : g_strdup ("not set");
}

static gboolean
differ_strings (Difference *difference, const char *setting, const char *first, const char *second)
{
  if (g_strcmp0 (first, second) == 0)
    return FALSE;

  difference->setting = setting;
  difference->first = describe_string (first);
  difference->second = describe_string (second);
  return TRUE;
}

/* Find the first attribute, in name order, that differs. */
static gboolean
differ_attributes (Difference *difference, const FleetHost *first, const FleetHost *second)
{
  g_autofree const char **first_keys = fleet_host_sorted_attribute_keys (first);
  g_autofree const char **second_keys = fleet_host_sorted_attribute_keys (second);
  const char * const *lists[] = { first_keys, second_keys };

  for (guint l = 0; l < G_N_ELEMENTS (lists); l++)
    for (const char * const *key = lists[l]; *key != NULL; key++)
      if (differ_strings (difference, *key, g_hash_table_lookup (first->attributes, *key),
                          g_hash_table_lookup (second->attributes, *key)))
        {
          difference->attribute = TRUE;
          return TRUE;
        }

  return FALSE;
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

static gboolean
find_difference (Difference *difference, const FleetHost *first, const FleetHost *second)
{
  g_autofree char *first_port = g_strdup_printf ("%u", first->port);
  g_autofree char *second_port = g_strdup_printf ("%u", second->port);
  g_autofree char *first_timeout = fleet_format_duration (first->connect_timeout_ms);
  g_autofree char *second_timeout = fleet_format_duration (second->connect_timeout_ms);
  g_autofree char *first_identities = join_strings (first->identity_files);
  g_autofree char *second_identities = join_strings (second->identity_files);
  g_autofree char *first_known_hosts = join_strings (first->known_hosts_files);
  g_autofree char *second_known_hosts = join_strings (second->known_hosts_files);
  g_autofree char *first_keepalive = g_strdup_printf ("%u x %u ms", first->keepalive_count_max,
                                                      first->keepalive_interval_ms);
  g_autofree char *second_keepalive = g_strdup_printf ("%u x %u ms", second->keepalive_count_max,
                                                       second->keepalive_interval_ms);
  g_autofree char *first_sessions = g_strdup_printf ("%u", first->max_sessions);
  g_autofree char *second_sessions = g_strdup_printf ("%u", second->max_sessions);

  return differ_strings (difference, "address", first->address, second->address)
         || differ_strings (difference, "port", first_port, second_port)
         || differ_strings (difference, "user", first->user, second->user)
         || differ_strings (difference, "identity_file", first_identities, second_identities)
         || differ_strings (difference, "known_hosts_file", first_known_hosts, second_known_hosts)
         || differ_strings (difference, "host_key_policy",
                            fleet_host_key_policy_to_string (first->host_key_policy),
                            fleet_host_key_policy_to_string (second->host_key_policy))
         || differ_strings (difference, "proxy_jump", first->proxy_jump, second->proxy_jump)
         || differ_strings (difference, "keepalive", first_keepalive, second_keepalive)
         || differ_strings (difference, "max_sessions", first_sessions, second_sessions)
         || differ_strings (difference, "key_passphrase_secret", first->key_passphrase_secret,
                            second->key_passphrase_secret)
         || differ_strings (difference, "become_password_secret", first->become_password_secret,
                            second->become_password_secret)
         || differ_strings (difference, "connect_timeout", first_timeout, second_timeout)
         || differ_attributes (difference, first, second);
}

static void
report_conflict (FleetDiagnostics *diags, const FleetHost *first, const FleetHost *second,
                 Difference *difference)
{
  g_autofree char *quoted_name = fleet_quote_value (second->name, FLEET_QUOTE_MAX_CHARS);
  g_autofree char *quoted_setting = fleet_quote_value (difference->setting, FLEET_QUOTE_MAX_CHARS);

  fleet_diagnostics_error (diags, &second->pos,
                           "host %s is defined by two inventories with different %s %s: %s at "
                           "%s:%u:%u and %s at %s:%u:%u; make the definitions agree or remove "
                           "the host from one inventory",
                           quoted_name, difference->attribute ? "attribute" : "setting", quoted_setting,
                           difference->first, first->pos.file, first->pos.line, first->pos.column,
                           difference->second, second->pos.file, second->pos.line,
                           second->pos.column);
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
merge_host (FleetDiagnostics *diags, FleetInventory *combined, FleetHost *host)
{
  FleetHost *existing = g_hash_table_lookup (combined->hosts_by_name, host->name);
  Difference difference = { 0 };

  if (existing == NULL)
    {
      fleet_inventory_add_host (combined, host);
      return;
    }

  if (find_difference (&difference, existing, host))
    report_conflict (diags, existing, host, &difference);
  else
    merge_sorted_names (existing->groups, host->groups);

  g_free (difference.first);
  g_free (difference.second);
  fleet_host_free (host);
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

  /* Hosts and groups move to `combined`, so the arrays must not free them. */
  g_ptr_array_set_free_func (source->hosts, NULL);
  g_ptr_array_set_free_func (source->groups, NULL);

  for (guint i = 0; i < source->hosts->len; i++)
    merge_host (diags, combined, g_ptr_array_index (source->hosts, i));
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
