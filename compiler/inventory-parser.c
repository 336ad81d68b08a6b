/* inventory-parser.c: the contents of an inventory file.
 *
 * Settings are read in two passes, as OpenSSH reads its configuration.  The
 * first pass collects each host's own keys and the `defaults` keys, leaving
 * unset what they do not mention, and folds the `settings` entries that
 * select a host into its own keys (settings-rules.h).  The second, in host-resolver.c, merges
 * them with the ssh_config and the built-in defaults once every host is
 * known, because a host's proxy_jump may name a host listed after it.
 */
#include "compiler/inventory-parser.h"

#include <string.h>

#include "compiler/dynamic-groups.h"
#include "compiler/host-resolver.h"
#include "compiler/proxy-jump.h"
#include "compiler/scalar.h"
#include "compiler/schema-check.h"
#include "compiler/selector.h"
#include "compiler/settings-rules.h"
#include "compiler/suggest.h"

/* Settings of one host, the defaults or one `settings` entry, as written. */
typedef struct {
  FleetHostSettings settings;
  GHashTable *attributes;       /* char * -> char *; NULL but in a host */
  FleetSelector *where;         /* a `settings` entry's selector, or NULL */
  const char *base_dir;         /* absolute directory of the inventory file */
} WrittenSettings;

/* The top-level values, kept until all of them are known because groups
 * need the hosts and hosts need the defaults, in whatever order the file
 * lists them. */
typedef struct {
  const FleetYamlNode *defaults;
  const FleetYamlNode *hosts;
  const FleetSchemaField *hosts_field;
  const FleetYamlNode *groups;
  const FleetSchemaField *groups_field;
  const FleetYamlNode *settings;
} InventoryNodes;

static void
host_settings_free (FleetHostSettings *settings)
{
  fleet_host_settings_clear (settings);
  g_free (settings);
}

/* Resolve `value` against the inventory's directory, except that "~/" is
 * kept for the runtime to expand on the controller. */
static char *
resolve_path (const char *value, const char *base_dir)
{
  if (g_str_has_prefix (value, "~/"))
    return g_strdup (value);

  return g_canonicalize_filename (value, base_dir);
}

static void
set_string (WrittenSettings *written, FleetSetting setting, char **field, char *value,
            const FleetYamlNode *node)
{
  g_free (*field);
  *field = value;
  fleet_host_settings_mark (&written->settings, setting, &node->pos);
}

static void
handle_address (FleetDiagnostics *diags, const FleetSchemaField *field, const FleetYamlNode *value, gpointer object)
{
  WrittenSettings *written = object;
  char *address = NULL;

  if (fleet_scalar_to_name (diags, field, value, &address))
    set_string (written, FLEET_SETTING_ADDRESS, &written->settings.address, address, value);
}

static void
handle_port (FleetDiagnostics *diags, const FleetSchemaField *field, const FleetYamlNode *value, gpointer object)
{
  WrittenSettings *written = object;
  gint64 port;

  if (!fleet_scalar_to_int (diags, field, value, &port))
    return;

  written->settings.port = (guint16) port;
  fleet_host_settings_mark (&written->settings, FLEET_SETTING_PORT, &value->pos);
}

static void
handle_user (FleetDiagnostics *diags, const FleetSchemaField *field, const FleetYamlNode *value, gpointer object)
{
  WrittenSettings *written = object;
  char *user = NULL;

  if (fleet_scalar_to_name (diags, field, value, &user))
    set_string (written, FLEET_SETTING_USER, &written->settings.user, user, value);
}

/* Read one path or a list of them.  Returns NULL after an error. */
static GPtrArray *
read_paths (FleetDiagnostics *diags,
            const FleetSchemaField *field,
            const FleetYamlNode *value,
            const WrittenSettings *written)
{
  g_autoptr(GPtrArray) paths = g_ptr_array_new_with_free_func (g_free);
  gboolean valid = TRUE;

  if (value->kind == FLEET_YAML_SCALAR)
    {
      g_autofree char *path = NULL;

      if (!fleet_scalar_to_string (diags, field, value, &path))
        return NULL;
      g_ptr_array_add (paths, resolve_path (path, written->base_dir));
      return g_steal_pointer (&paths);
    }

  for (guint i = 0; i < value->items->len; i++)
    {
      g_autofree char *path = NULL;

      if (fleet_scalar_to_string (diags, field, g_ptr_array_index (value->items, i), &path))
        g_ptr_array_add (paths, resolve_path (path, written->base_dir));
      else
        valid = FALSE;
    }

  return valid ? g_steal_pointer (&paths) : NULL;
}

static void
handle_identity_file (FleetDiagnostics *diags, const FleetSchemaField *field, const FleetYamlNode *value, gpointer object)
{
  WrittenSettings *written = object;
  GPtrArray *paths = read_paths (diags, field, value, written);

  if (paths == NULL)
    return;

  g_clear_pointer (&written->settings.identity_files, g_ptr_array_unref);
  written->settings.identity_files = paths;
  fleet_host_settings_mark (&written->settings, FLEET_SETTING_IDENTITY_FILES, &value->pos);
}

static void
handle_known_hosts_file (FleetDiagnostics *diags, const FleetSchemaField *field, const FleetYamlNode *value, gpointer object)
{
  WrittenSettings *written = object;
  GPtrArray *paths = read_paths (diags, field, value, written);

  if (paths == NULL)
    return;

  if (paths->len == 0)
    {
      fleet_diagnostics_error (diags, &value->pos,
                               "empty list for \"%s\": name at least one known_hosts file, or "
                               "remove the key to use ~/.ssh/known_hosts", field->key);
      g_ptr_array_unref (paths);
      return;
    }

  g_clear_pointer (&written->settings.known_hosts_files, g_ptr_array_unref);
  written->settings.known_hosts_files = paths;
  fleet_host_settings_mark (&written->settings, FLEET_SETTING_KNOWN_HOSTS_FILES, &value->pos);
}

static void
handle_identities_only (FleetDiagnostics *diags, const FleetSchemaField *field, const FleetYamlNode *value, gpointer object)
{
  WrittenSettings *written = object;

  if (fleet_scalar_to_bool (diags, field, value, &written->settings.identities_only))
    fleet_host_settings_mark (&written->settings, FLEET_SETTING_IDENTITIES_ONLY, &value->pos);
}

static void
handle_hash_known_hosts (FleetDiagnostics *diags, const FleetSchemaField *field, const FleetYamlNode *value, gpointer object)
{
  WrittenSettings *written = object;

  if (fleet_scalar_to_bool (diags, field, value, &written->settings.hash_known_hosts))
    fleet_host_settings_mark (&written->settings, FLEET_SETTING_HASH_KNOWN_HOSTS, &value->pos);
}

static void
handle_host_key_policy (FleetDiagnostics *diags, const FleetSchemaField *field, const FleetYamlNode *value, gpointer object)
{
  WrittenSettings *written = object;
  g_autofree char *text = NULL;
  g_autofree char *quoted = NULL;

  if (!fleet_scalar_to_string (diags, field, value, &text))
    return;

  if (!fleet_host_key_policy_from_string (text, &written->settings.host_key_policy))
    {
      quoted = fleet_quote_value (text, FLEET_QUOTE_MAX_CHARS);
      fleet_diagnostics_error (diags, &value->pos,
                               "invalid value %s for \"%s\": use strict or accept-new; fleetc "
                               "never turns host key checking off", quoted, field->key);
      return;
    }

  fleet_host_settings_mark (&written->settings, FLEET_SETTING_HOST_KEY_POLICY, &value->pos);
}

static void
handle_proxy_jump (FleetDiagnostics *diags, const FleetSchemaField *field, const FleetYamlNode *value, gpointer object)
{
  WrittenSettings *written = object;
  g_autoptr(GError) error = NULL;
  g_autoptr(GPtrArray) hops = NULL;
  char *text = NULL;

  if (!fleet_scalar_to_string (diags, field, value, &text))
    return;

  hops = fleet_proxy_jump_parse (text, &error);
  if (hops == NULL)
    {
      fleet_diagnostics_error (diags, &value->pos, "invalid value for \"%s\": %s", field->key,
                               error->message);
      g_free (text);
      return;
    }

  set_string (written, FLEET_SETTING_PROXY_JUMP, &written->settings.proxy_jump, text, value);
}

static void
handle_connect_timeout (FleetDiagnostics *diags, const FleetSchemaField *field, const FleetYamlNode *value, gpointer object)
{
  WrittenSettings *written = object;
  guint64 ms;

  if (!fleet_scalar_to_duration (diags, field, value, &ms))
    return;

  written->settings.connect_timeout_ms = (guint32) ms;
  fleet_host_settings_mark (&written->settings, FLEET_SETTING_CONNECT_TIMEOUT, &value->pos);
}

static void
handle_keepalive_interval (FleetDiagnostics *diags, const FleetSchemaField *field, const FleetYamlNode *value, gpointer object)
{
  WrittenSettings *written = object;
  guint64 ms;

  if (!fleet_scalar_to_duration (diags, field, value, &ms))
    return;

  written->settings.keepalive_interval_ms = (guint32) ms;
  fleet_host_settings_mark (&written->settings, FLEET_SETTING_KEEPALIVE_INTERVAL, &value->pos);
}

static void
handle_keepalive_count_max (FleetDiagnostics *diags, const FleetSchemaField *field, const FleetYamlNode *value, gpointer object)
{
  WrittenSettings *written = object;
  gint64 count;

  if (!fleet_scalar_to_int (diags, field, value, &count))
    return;

  written->settings.keepalive_count_max = (guint32) count;
  fleet_host_settings_mark (&written->settings, FLEET_SETTING_KEEPALIVE_COUNT_MAX, &value->pos);
}

static void
handle_max_sessions (FleetDiagnostics *diags, const FleetSchemaField *field, const FleetYamlNode *value, gpointer object)
{
  WrittenSettings *written = object;
  gint64 count;

  if (!fleet_scalar_to_int (diags, field, value, &count))
    return;

  written->settings.max_sessions = (guint32) count;
  fleet_host_settings_mark (&written->settings, FLEET_SETTING_MAX_SESSIONS, &value->pos);
}

static void
handle_key_passphrase_secret (FleetDiagnostics *diags, const FleetSchemaField *field, const FleetYamlNode *value, gpointer object)
{
  WrittenSettings *written = object;
  char *name = NULL;

  if (fleet_scalar_to_secret_name (diags, field, value, &name))
    set_string (written, FLEET_SETTING_KEY_PASSPHRASE_SECRET,
                &written->settings.key_passphrase_secret, name, value);
}

static void
handle_become_password_secret (FleetDiagnostics *diags, const FleetSchemaField *field, const FleetYamlNode *value, gpointer object)
{
  WrittenSettings *written = object;
  char *name = NULL;

  if (fleet_scalar_to_secret_name (diags, field, value, &name))
    set_string (written, FLEET_SETTING_BECOME_PASSWORD_SECRET,
                &written->settings.become_password_secret, name, value);
}

static void
handle_attributes (FleetDiagnostics *diags, const FleetSchemaField *field, const FleetYamlNode *value, gpointer object)
{
  WrittenSettings *written = object;

  fleet_mapping_to_strings (diags, field, value, written->attributes, NULL);
}

static void
handle_where (FleetDiagnostics *diags, const FleetSchemaField *field, const FleetYamlNode *value, gpointer object)
{
  WrittenSettings *written = object;

  g_clear_pointer (&written->where, fleet_selector_free);
  written->where = fleet_parse_selector (diags, field, value);
}

/* Handlers of the `defaults`, host and `settings` entry contexts.  The
 * schema decides which keys each context accepts. */
static const FleetFieldHandlerEntry settings_handlers[] = {
  { "address", handle_address },
  { "port", handle_port },
  { "user", handle_user },
  { "identity_file", handle_identity_file },
  { "identities_only", handle_identities_only },
  { "hash_known_hosts", handle_hash_known_hosts },
  { "known_hosts_file", handle_known_hosts_file },
  { "host_key_policy", handle_host_key_policy },
  { "proxy_jump", handle_proxy_jump },
  { "connect_timeout", handle_connect_timeout },
  { "keepalive_interval", handle_keepalive_interval },
  { "keepalive_count_max", handle_keepalive_count_max },
  { "max_sessions", handle_max_sessions },
  { "key_passphrase_secret", handle_key_passphrase_secret },
  { "become_password_secret", handle_become_password_secret },
  { "attributes", handle_attributes },
  { "where", handle_where },
};

static void
read_settings (FleetDiagnostics *diags,
               const FleetYamlNode *mapping,
               FleetSchemaContext context,
               WrittenSettings *written)
{
  fleet_walk_mapping (diags, mapping, context, settings_handlers, G_N_ELEMENTS (settings_handlers),
                      written);
}

/* Add host `index` of the `hosts` mapping to the inventory, and its own
 * settings to `own_settings`. */
static void
parse_host (FleetDiagnostics *diags,
            FleetInventory *inventory,
            const InventoryNodes *nodes,
            guint index,
            const char *base_dir,
            GHashTable *own_settings)
{
  const FleetYamlNode *key = g_ptr_array_index (nodes->hosts->keys, index);
  const FleetYamlNode *value = g_ptr_array_index (nodes->hosts->items, index);
  WrittenSettings own = { .base_dir = base_dir };
  g_autofree char *name = NULL;
  g_autofree char *quoted = NULL;
  g_autofree char *description = NULL;
  FleetHost *host;

  if (!fleet_scalar_to_name (diags, nodes->hosts_field, key, &name))
    return;

  host = fleet_host_new (name);
  host->pos = key->pos;
  own.attributes = host->attributes;
  fleet_host_settings_init (&own.settings);

  quoted = fleet_quote_value (name, FLEET_QUOTE_MAX_CHARS);
  description = g_strdup_printf ("settings of host %s", quoted);
  if (!fleet_yaml_node_is_null (value) && fleet_expect_mapping (diags, value, description))
    read_settings (diags, value, FLEET_SCHEMA_HOST, &own);

  if (fleet_inventory_add_host (inventory, host))
    g_hash_table_insert (own_settings, g_strdup (name),
                         g_memdup2 (&own.settings, sizeof own.settings));
  else
    fleet_host_settings_clear (&own.settings);
}

static void
report_duplicate_member (FleetDiagnostics *diags,
                         const FleetYamlNode *item,
                         const FleetYamlNode *first,
                         const char *group)
{
  g_autofree char *quoted = fleet_quote_value (item->value, FLEET_QUOTE_MAX_CHARS);
  g_autofree char *quoted_group = fleet_quote_value (group, FLEET_QUOTE_MAX_CHARS);

  fleet_diagnostics_error (diags, &item->pos,
                           "duplicate host %s in group %s; it is first listed at line %u, column %u",
                           quoted, quoted_group, first->pos.line, first->pos.column);
}

/* Add the hosts of `list` to `group`, reporting unknown and repeated ones.
 * `sorted_hosts` is created on the first unknown host. */
static void
add_members (FleetDiagnostics *diags,
             FleetInventory *inventory,
             const FleetSchemaField *field,
             const FleetYamlNode *list,
             FleetGroup *group,
             GPtrArray **sorted_hosts)
{
  g_autoptr (GHashTable) first_items = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
  g_autofree char *quoted_group = fleet_quote_value (group->name, FLEET_QUOTE_MAX_CHARS);
  g_autofree char *where = g_strdup_printf (" in group %s", quoted_group);

  for (guint i = 0; i < list->items->len; i++)
    {
      const FleetYamlNode *item = g_ptr_array_index (list->items, i);
      g_autofree char *name = NULL;
      const FleetYamlNode *first;
      FleetHost *host;

      if (!fleet_scalar_to_name (diags, field, item, &name))
        continue;

      first = g_hash_table_lookup (first_items, name);
      host = g_hash_table_lookup (inventory->hosts_by_name, name);
      if (first != NULL)
        report_duplicate_member (diags, item, first, group->name);
      else if (host == NULL)
        {
          if (*sorted_hosts == NULL)
            *sorted_hosts = fleet_sorted_names (inventory->hosts_by_name);
          fleet_report_unknown_name (diags, &item->pos, "host", name, where, *sorted_hosts);
        }
      else
        {
          g_hash_table_insert (first_items, g_strdup (name), (gpointer) item);
          g_ptr_array_add (group->members, g_strdup (name));
          g_ptr_array_add (host->groups, g_strdup (group->name));
        }
    }
}

static void
parse_group (FleetDiagnostics *diags,
             FleetInventory *inventory,
             const InventoryNodes *nodes,
             guint index,
             GPtrArray **sorted_hosts)
{
  const FleetYamlNode *key = g_ptr_array_index (nodes->groups->keys, index);
  const FleetYamlNode *value = g_ptr_array_index (nodes->groups->items, index);
  g_autoptr (FleetGroup) group = NULL;
  g_autofree char *name = NULL;
  g_autofree char *quoted = NULL;

  if (!fleet_scalar_to_name (diags, nodes->groups_field, key, &name))
    return;

  group = fleet_group_new (name);
  group->pos = key->pos;

  /* A null value is an empty group. */
  if (value->kind == FLEET_YAML_SEQUENCE)
    add_members (diags, inventory, nodes->groups_field, value, group, sorted_hosts);
  else if (value->kind == FLEET_YAML_MAPPING)
    group->where = fleet_parse_group_selector (diags, name, value);
  else if (!fleet_yaml_node_is_null (value))
    {
      quoted = fleet_quote_value (name, FLEET_QUOTE_MAX_CHARS);
      fleet_diagnostics_error (diags, &value->pos,
                               "invalid value for group %s: expected a list of host names or "
                               "{where: EXPR}, found %s",
                               quoted, fleet_yaml_kind_description (value->kind));
    }

  fleet_inventory_add_group (inventory, g_steal_pointer (&group));
}

static int
compare_names (gconstpointer a, gconstpointer b)
{
  return strcmp (*(const char * const *) a, *(const char * const *) b);
}

static void
handle_defaults (FleetDiagnostics *diags, const FleetSchemaField *field, const FleetYamlNode *value, gpointer object)
{
  InventoryNodes *nodes = object;

  nodes->defaults = value;
}

static void
handle_hosts (FleetDiagnostics *diags, const FleetSchemaField *field, const FleetYamlNode *value, gpointer object)
{
  InventoryNodes *nodes = object;

  nodes->hosts = value;
  nodes->hosts_field = field;
}

static void
handle_groups (FleetDiagnostics *diags, const FleetSchemaField *field, const FleetYamlNode *value, gpointer object)
{
  InventoryNodes *nodes = object;

  nodes->groups = value;
  nodes->groups_field = field;
}

static void
handle_settings (FleetDiagnostics *diags, const FleetSchemaField *field, const FleetYamlNode *value, gpointer object)
{
  InventoryNodes *nodes = object;

  nodes->settings = value;
}

static const FleetFieldHandlerEntry inventory_handlers[] = {
  { "defaults", handle_defaults },
  { "hosts", handle_hosts },
  { "groups", handle_groups },
  { "settings", handle_settings },
};

/* Read the entries of the `settings` list into FleetSettingsRule records,
 * in order. */
static GPtrArray *
parse_settings_rules (FleetDiagnostics *diags, const FleetYamlNode *list, const char *base_dir)
{
  GPtrArray *rules = g_ptr_array_new_with_free_func ((GDestroyNotify) fleet_settings_rule_free);

  for (guint i = 0; list != NULL && i < list->items->len; i++)
    {
      const FleetYamlNode *item = g_ptr_array_index (list->items, i);
      WrittenSettings written = { .base_dir = base_dir };
      FleetSettingsRule *rule;

      if (!fleet_expect_mapping (diags, item, "item in \"settings\""))
        continue;

      fleet_host_settings_init (&written.settings);
      read_settings (diags, item, FLEET_SCHEMA_SETTINGS, &written);

      rule = fleet_settings_rule_new (&item->pos);
      rule->settings = written.settings;
      rule->where = written.where;
      g_ptr_array_add (rules, rule);
    }
  return rules;
}

/* Build hosts and groups from the top-level nodes collected by the walk,
 * then settle every host's connection settings. */
static void
build_inventory (FleetDiagnostics *diags,
                 FleetInventory *inventory,
                 const InventoryNodes *nodes,
                 const char *base_dir,
                 const FleetSshConfig *ssh_config)
{
  WrittenSettings defaults = { .base_dir = base_dir };
  g_autoptr (GPtrArray) sorted_hosts = NULL;
  g_autoptr (GPtrArray) rules = NULL;
  g_autoptr (GHashTable) own_settings = g_hash_table_new_full (g_str_hash, g_str_equal, g_free,
                                                               (GDestroyNotify) host_settings_free);

  fleet_host_settings_init (&defaults.settings);
  if (nodes->defaults != NULL)
    read_settings (diags, nodes->defaults, FLEET_SCHEMA_DEFAULTS, &defaults);

  for (guint i = 0; nodes->hosts != NULL && i < nodes->hosts->keys->len; i++)
    parse_host (diags, inventory, nodes, i, base_dir, own_settings);

  for (guint i = 0; nodes->groups != NULL && i < nodes->groups->keys->len; i++)
    parse_group (diags, inventory, nodes, i, &sorted_hosts);

  for (guint i = 0; i < inventory->hosts->len; i++)
    g_ptr_array_sort (((FleetHost *) g_ptr_array_index (inventory->hosts, i))->groups, compare_names);

  /* The entries rank between each host's own keys and the defaults, so
   * they are folded into the own settings before the resolver merges. */
  rules = parse_settings_rules (diags, nodes->settings, base_dir);
  fleet_apply_settings_rules (diags, inventory, rules, own_settings);

  fleet_resolve_hosts (inventory, own_settings, &defaults.settings, ssh_config);
  fleet_host_settings_clear (&defaults.settings);
}

FleetInventory *
fleet_parse_inventory (FleetDiagnostics *diags,
                       const FleetYamlNode *root,
                       const char *path,
                       const FleetSshConfig *ssh_config)
{
  FleetInventory *inventory = fleet_inventory_new (path);
  InventoryNodes nodes = { 0 };
  g_autofree char *directory = g_path_get_dirname (path);
  g_autofree char *base_dir = g_canonicalize_filename (directory, NULL);

  if (!fleet_expect_mapping (diags, root, "inventory file"))
    return inventory;

  fleet_walk_mapping (diags, root, FLEET_SCHEMA_INVENTORY, inventory_handlers,
                      G_N_ELEMENTS (inventory_handlers), &nodes);
  build_inventory (diags, inventory, &nodes, base_dir, ssh_config);

  return inventory;
}
