/* fleet-model.c: constructors, copies and destructors of hosts and steps. */
#include "schema/fleet-model.h"

#include <string.h>

#include "schema/fleet-step-barrier.h"
#include "schema/fleet-step-values.h"

FleetSourceFile *
fleet_source_file_new (const char *path, const char *sha256)
{
  FleetSourceFile *file = g_new0 (FleetSourceFile, 1);

  file->path = g_strdup (path);
  file->sha256 = g_strdup (sha256);
  return file;
}

void
fleet_source_file_free (FleetSourceFile *file)
{
  if (file == NULL)
    return;

  g_free (file->path);
  g_free (file->sha256);
  g_free (file);
}

FleetHost *
fleet_host_new (const char *name)
{
  FleetHost *host = g_new0 (FleetHost, 1);

  host->name = g_strdup (name);
  host->port = FLEET_DEFAULT_SSH_PORT;
  host->identity_files = g_ptr_array_new_with_free_func (g_free);
  host->known_hosts_files = g_ptr_array_new_with_free_func (g_free);
  host->host_key_policy = FLEET_HOST_KEY_POLICY_STRICT;
  host->connect_timeout_ms = FLEET_DEFAULT_CONNECT_TIMEOUT_MS;
  host->keepalive_interval_ms = FLEET_DEFAULT_KEEPALIVE_INTERVAL_MS;
  host->keepalive_count_max = FLEET_DEFAULT_KEEPALIVE_COUNT_MAX;
  host->max_sessions = FLEET_DEFAULT_MAX_SESSIONS;
  host->attributes = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, g_free);
  host->groups = g_ptr_array_new_with_free_func (g_free);

  return host;
}

/* Return a new table of char * -> char * with copies of the strings of
 * `from`. */
static GHashTable *
copy_string_table (GHashTable *from)
{
  GHashTable *copy = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, g_free);
  GHashTableIter iter;
  gpointer key, value;

  g_hash_table_iter_init (&iter, from);
  while (g_hash_table_iter_next (&iter, &key, &value))
    g_hash_table_insert (copy, g_strdup (key), g_strdup (value));

  return copy;
}

static void
copy_strings (GPtrArray *to, const GPtrArray *from)
{
  for (guint i = 0; i < from->len; i++)
    g_ptr_array_add (to, g_strdup (g_ptr_array_index (from, i)));
}

FleetHost *
fleet_host_copy (const FleetHost *host)
{
  FleetHost *copy = fleet_host_new (host->name);
  GHashTableIter iter;
  gpointer key, value;

  copy->address = g_strdup (host->address);
  copy->port = host->port;
  copy->user = g_strdup (host->user);
  copy_strings (copy->identity_files, host->identity_files);
  copy->identities_only = host->identities_only;
  copy->hash_known_hosts = host->hash_known_hosts;
  copy_strings (copy->known_hosts_files, host->known_hosts_files);
  copy->host_key_policy = host->host_key_policy;
  copy->proxy_jump = g_strdup (host->proxy_jump);
  copy->connect_timeout_ms = host->connect_timeout_ms;
  copy->keepalive_interval_ms = host->keepalive_interval_ms;
  copy->keepalive_count_max = host->keepalive_count_max;
  copy->max_sessions = host->max_sessions;
  copy->key_passphrase_secret = g_strdup (host->key_passphrase_secret);
  copy->become_password_secret = g_strdup (host->become_password_secret);
  copy->pos = host->pos;

  g_hash_table_iter_init (&iter, host->attributes);
  while (g_hash_table_iter_next (&iter, &key, &value))
    g_hash_table_insert (copy->attributes, g_strdup (key), g_strdup (value));

  copy_strings (copy->groups, host->groups);

  return copy;
}

void
fleet_host_free (FleetHost *host)
{
  if (host == NULL)
    return;

  g_free (host->name);
  g_free (host->address);
  g_free (host->user);
  g_ptr_array_unref (host->identity_files);
  g_ptr_array_unref (host->known_hosts_files);
  g_free (host->proxy_jump);
  g_free (host->key_passphrase_secret);
  g_free (host->become_password_secret);
  g_hash_table_unref (host->attributes);
  g_ptr_array_unref (host->groups);
  g_free (host);
}

static void
set_single_string (GPtrArray *strings, const char *value)
{
  g_ptr_array_set_size (strings, 0);
  if (value != NULL)
    g_ptr_array_add (strings, g_strdup (value));
}

void
fleet_host_set_identity_file (FleetHost *host, const char *path)
{
  set_single_string (host->identity_files, path);
}

void
fleet_host_set_known_hosts_file (FleetHost *host, const char *path)
{
  set_single_string (host->known_hosts_files, path);
}

const char *
fleet_strings_first (const GPtrArray *strings)
{
  return strings->len > 0 ? g_ptr_array_index (strings, 0) : NULL;
}

const char *
fleet_host_primary_known_hosts_file (const FleetHost *host)
{
  if (host->known_hosts_files->len == 0)
    return FLEET_DEFAULT_KNOWN_HOSTS_FILE;
  return g_ptr_array_index (host->known_hosts_files, 0);
}

const char *
fleet_host_key_policy_to_string (FleetHostKeyPolicy policy)
{
  return policy == FLEET_HOST_KEY_POLICY_ACCEPT_NEW ? "accept-new" : "strict";
}

gboolean
fleet_host_key_policy_from_string (const char *text, FleetHostKeyPolicy *out_policy)
{
  if (g_strcmp0 (text, "strict") == 0)
    *out_policy = FLEET_HOST_KEY_POLICY_STRICT;
  else if (g_strcmp0 (text, "accept-new") == 0)
    *out_policy = FLEET_HOST_KEY_POLICY_ACCEPT_NEW;
  else
    return FALSE;
  return TRUE;
}

static int
compare_strings (gconstpointer a, gconstpointer b)
{
  return strcmp (*(const char * const *) a, *(const char * const *) b);
}

const char **
fleet_host_sorted_attribute_keys (const FleetHost *host)
{
  guint n_keys = 0;
  const char **keys = (const char **) g_hash_table_get_keys_as_array (host->attributes, &n_keys);

  qsort (keys, n_keys, sizeof (char *), compare_strings);
  return keys;
}

FleetStep *
fleet_step_new (const char *name, const char *command)
{
  FleetStep *step = g_new0 (FleetStep, 1);
  int success = 0;

  step->name = g_strdup (name);
  step->command = g_strdup (command);
  step->expected_exit_codes = g_array_new (FALSE, FALSE, sizeof (int));
  g_array_append_val (step->expected_exit_codes, success);

  return step;
}

FleetStep *
fleet_step_copy (const FleetStep *step)
{
  FleetStep *copy = fleet_step_new (step->name, step->command);

  g_array_set_size (copy->expected_exit_codes, 0);
  g_array_append_vals (copy->expected_exit_codes,
                       step->expected_exit_codes->data,
                       step->expected_exit_codes->len);
  copy->timeout_ms = step->timeout_ms;
  copy->estimate_ms = step->estimate_ms;
  copy->become = step->become;
  copy->become_user = g_strdup (step->become_user);
  copy->idempotent = step->idempotent;
  copy->when = g_strdup (step->when);
  if (step->skipped_hosts != NULL)
    copy->skipped_hosts = copy_string_table (step->skipped_hosts);
  copy->when_pos = step->when_pos;
  if (step->needs != NULL)
    copy->needs = g_ptr_array_ref (step->needs);
  copy->needs_pos = step->needs_pos;
  copy->pos = step->pos;
  if (step->host_commands != NULL)
    copy->host_commands = copy_string_table (step->host_commands);
  if (step->command_refs != NULL)
    copy->command_refs = g_ptr_array_ref (step->command_refs);
  if (step->command_ref_positions != NULL)
    copy->command_ref_positions = g_array_ref (step->command_ref_positions);
  if (step->kind_data != NULL)
    copy->kind_data = fleet_step_kind_data_copy (step->kind_data);
  if (step->policy != NULL)
    copy->policy = fleet_step_policy_copy (step->policy);
  if (step->values != NULL)
    copy->values = fleet_step_values_copy (step->values);
  copy->barriers = fleet_step_barriers_copy (step->barriers);

  return copy;
}

void
fleet_step_free (FleetStep *step)
{
  if (step == NULL)
    return;

  g_free (step->name);
  g_free (step->command);
  g_array_unref (step->expected_exit_codes);
  g_free (step->become_user);
  g_clear_pointer (&step->host_commands, g_hash_table_unref);
  g_free (step->when);
  g_clear_pointer (&step->skipped_hosts, g_hash_table_unref);
  g_clear_pointer (&step->needs, g_ptr_array_unref);
  g_clear_pointer (&step->command_refs, g_ptr_array_unref);
  g_clear_pointer (&step->command_ref_positions, g_array_unref);
  fleet_step_kind_data_free (step->kind_data);
  fleet_step_policy_free (step->policy);
  fleet_step_values_free (step->values);
  g_clear_pointer (&step->barriers, g_ptr_array_unref);
  g_free (step);
}

const char *
fleet_step_command_for_host (const FleetStep *step, const char *host_name)
{
  const char *rendered = NULL;

  if (step->host_commands != NULL)
    rendered = g_hash_table_lookup (step->host_commands, host_name);

  return rendered != NULL ? rendered : step->command;
}

const char **
fleet_sorted_string_keys (GHashTable *table)
{
  const char **names;
  guint n_names = 0;

  if (table == NULL)
    return NULL;

  names = (const char **) g_hash_table_get_keys_as_array (table, &n_names);
  qsort (names, n_names, sizeof (char *), compare_strings);
  return names;
}

const char **
fleet_step_sorted_command_hosts (const FleetStep *step)
{
  return fleet_sorted_string_keys (step->host_commands);
}

gboolean
fleet_step_expects_exit_code (const FleetStep *step, int exit_code)
{
  for (guint i = 0; i < step->expected_exit_codes->len; i++)
    if (g_array_index (step->expected_exit_codes, int, i) == exit_code)
      return TRUE;

  return FALSE;
}
