/* host-differences.c: the settings and attributes in which two records
 * of one host differ; see host-differences.h. */
#include "compiler/host-differences.h"

#include "compiler/scalar.h"
#include "compiler/yaml-tree.h"

void
fleet_host_difference_free (FleetHostDifference *difference)
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
  FleetHostDifference *difference;

  if (g_strcmp0 (first, second) == 0)
    return;

  difference = g_new0 (FleetHostDifference, 1);
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

GPtrArray *
fleet_host_differences (const FleetHost *first, const FleetHost *second)
{
  GPtrArray *differences = g_ptr_array_new_with_free_func (
    (GDestroyNotify) fleet_host_difference_free);
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
  compare_strings (differences, "hash_known_hosts", FALSE,
                   first->hash_known_hosts ? "true" : "false",
                   second->hash_known_hosts ? "true" : "false");
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
