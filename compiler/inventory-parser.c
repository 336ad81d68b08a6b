/* inventory-parser.c: the contents of an inventory file.
 *
 * Settings are read in two passes, as OpenSSH reads its configuration.  The
 * first pass collects each host's own keys and the `defaults` keys, with
 * "unset" marks.  The second gives every host its own value, else the
 * default, else the built-in value of fleet_host_new.
 */
#include "compiler/inventory-parser.h"

#include <string.h>

#include "compiler/scalar.h"
#include "compiler/schema-check.h"
#include "compiler/suggest.h"

/* Settings of one host, or the defaults, as written: NULL or a FALSE
 * has_ flag means unset. */
typedef struct {
  char *address;
  char *user;
  char *identity_file;
  char *known_hosts_file;
  gboolean has_port;
  guint16 port;
  gboolean has_connect_timeout;
  guint32 connect_timeout_ms;
  GHashTable *attributes;       /* char * -> char *; NULL in the defaults */
  const char *base_dir;         /* absolute directory of the inventory file */
} HostSettings;

/* The top-level values, kept until all of them are known because groups
 * need the hosts and hosts need the defaults, in whatever order the file
 * lists them. */
typedef struct {
  const FleetYamlNode *defaults;
  const FleetYamlNode *hosts;
  const FleetSchemaField *hosts_field;
  const FleetYamlNode *groups;
  const FleetSchemaField *groups_field;
} InventoryNodes;

static void
host_settings_clear (HostSettings *settings)
{
  g_free (settings->address);
  g_free (settings->user);
  g_free (settings->identity_file);
  g_free (settings->known_hosts_file);
  if (settings->attributes != NULL)
    g_hash_table_unref (settings->attributes);
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
handle_address (FleetDiagnostics *diags, const FleetSchemaField *field, const FleetYamlNode *value, gpointer object)
{
  HostSettings *settings = object;

  fleet_scalar_to_name (diags, field, value, &settings->address);
}

static void
handle_port (FleetDiagnostics *diags, const FleetSchemaField *field, const FleetYamlNode *value, gpointer object)
{
  HostSettings *settings = object;
  gint64 port;

  if (!fleet_scalar_to_int (diags, field, value, &port))
    return;

  settings->port = (guint16) port;
  settings->has_port = TRUE;
}

static void
handle_user (FleetDiagnostics *diags, const FleetSchemaField *field, const FleetYamlNode *value, gpointer object)
{
  HostSettings *settings = object;

  fleet_scalar_to_name (diags, field, value, &settings->user);
}

static void
read_path (FleetDiagnostics *diags,
           const FleetSchemaField *field,
           const FleetYamlNode *value,
           const HostSettings *settings,
           char **out)
{
  g_autofree char *path = NULL;

  if (fleet_scalar_to_string (diags, field, value, &path))
    *out = resolve_path (path, settings->base_dir);
}

static void
handle_identity_file (FleetDiagnostics *diags, const FleetSchemaField *field, const FleetYamlNode *value, gpointer object)
{
  HostSettings *settings = object;

  read_path (diags, field, value, settings, &settings->identity_file);
}

static void
handle_known_hosts_file (FleetDiagnostics *diags, const FleetSchemaField *field, const FleetYamlNode *value, gpointer object)
{
  HostSettings *settings = object;

  read_path (diags, field, value, settings, &settings->known_hosts_file);
}

static void
handle_connect_timeout (FleetDiagnostics *diags, const FleetSchemaField *field, const FleetYamlNode *value, gpointer object)
{
  HostSettings *settings = object;
  guint64 ms;

  if (!fleet_scalar_to_duration (diags, field, value, &ms))
    return;

  settings->connect_timeout_ms = (guint32) ms;
  settings->has_connect_timeout = TRUE;
}

static void
handle_attributes (FleetDiagnostics *diags, const FleetSchemaField *field, const FleetYamlNode *value, gpointer object)
{
  HostSettings *settings = object;

  fleet_mapping_to_strings (diags, field, value, settings->attributes, NULL);
}

/* Handlers of both the `defaults` and the host context.  The schema decides
 * which keys each context accepts. */
static const FleetFieldHandlerEntry settings_handlers[] = {
  { "address", handle_address },
  { "port", handle_port },
  { "user", handle_user },
  { "identity_file", handle_identity_file },
  { "known_hosts_file", handle_known_hosts_file },
  { "connect_timeout", handle_connect_timeout },
  { "attributes", handle_attributes },
};

static void
read_settings (FleetDiagnostics *diags,
               const FleetYamlNode *mapping,
               FleetSchemaContext context,
               HostSettings *settings)
{
  fleet_walk_mapping (diags, mapping, context, settings_handlers, G_N_ELEMENTS (settings_handlers),
                      settings);
}

static const char *
first_set (const char *own, const char *fallback)
{
  return own != NULL ? own : fallback;
}

static FleetHost *
build_host (const char *name, const HostSettings *own, const HostSettings *defaults)
{
  FleetHost *host = fleet_host_new (name);
  const char *identity_file;
  const char *known_hosts_file;
  GHashTableIter iter;
  gpointer key, value;

  host->address = g_strdup (first_set (own->address, name));
  host->user = g_strdup (first_set (own->user, defaults->user));
  identity_file = first_set (own->identity_file, defaults->identity_file);
  if (identity_file != NULL)
    g_ptr_array_add (host->identity_files, g_strdup (identity_file));
  known_hosts_file = first_set (own->known_hosts_file, defaults->known_hosts_file);
  if (known_hosts_file != NULL)
    g_ptr_array_add (host->known_hosts_files, g_strdup (known_hosts_file));

  if (own->has_port || defaults->has_port)
    host->port = own->has_port ? own->port : defaults->port;
  if (own->has_connect_timeout || defaults->has_connect_timeout)
    host->connect_timeout_ms = own->has_connect_timeout ? own->connect_timeout_ms
                                                        : defaults->connect_timeout_ms;

  g_hash_table_iter_init (&iter, own->attributes);
  while (g_hash_table_iter_next (&iter, &key, &value))
    g_hash_table_insert (host->attributes, g_strdup (key), g_strdup (value));

  return host;
}

static void
parse_host (FleetDiagnostics *diags,
            FleetInventory *inventory,
            const InventoryNodes *nodes,
            guint index,
            const HostSettings *defaults)
{
  const FleetYamlNode *key = g_ptr_array_index (nodes->hosts->keys, index);
  const FleetYamlNode *value = g_ptr_array_index (nodes->hosts->items, index);
  HostSettings own = { .base_dir = defaults->base_dir };
  g_autofree char *name = NULL;
  g_autofree char *quoted = NULL;
  g_autofree char *description = NULL;
  FleetHost *host;

  if (!fleet_scalar_to_name (diags, nodes->hosts_field, key, &name))
    return;

  own.attributes = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, g_free);
  quoted = fleet_quote_value (name, FLEET_QUOTE_MAX_CHARS);
  description = g_strdup_printf ("settings of host %s", quoted);
  if (!fleet_yaml_node_is_null (value) && fleet_expect_mapping (diags, value, description))
    read_settings (diags, value, FLEET_SCHEMA_HOST, &own);

  host = build_host (name, &own, defaults);
  host->pos = key->pos;
  fleet_inventory_add_host (inventory, host);
  host_settings_clear (&own);
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
  else if (!fleet_yaml_node_is_null (value))
    {
      quoted = fleet_quote_value (name, FLEET_QUOTE_MAX_CHARS);
      fleet_diagnostics_error (diags, &value->pos,
                               "invalid value for group %s: expected a list of host names, found %s",
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

static const FleetFieldHandlerEntry inventory_handlers[] = {
  { "defaults", handle_defaults },
  { "hosts", handle_hosts },
  { "groups", handle_groups },
};

/* Build hosts and groups from the top-level nodes collected by the walk. */
static void
build_inventory (FleetDiagnostics *diags,
                 FleetInventory *inventory,
                 const InventoryNodes *nodes,
                 const char *base_dir)
{
  HostSettings defaults = { .base_dir = base_dir };
  g_autoptr (GPtrArray) sorted_hosts = NULL;

  if (nodes->defaults != NULL)
    read_settings (diags, nodes->defaults, FLEET_SCHEMA_DEFAULTS, &defaults);

  for (guint i = 0; nodes->hosts != NULL && i < nodes->hosts->keys->len; i++)
    parse_host (diags, inventory, nodes, i, &defaults);

  for (guint i = 0; nodes->groups != NULL && i < nodes->groups->keys->len; i++)
    parse_group (diags, inventory, nodes, i, &sorted_hosts);

  for (guint i = 0; i < inventory->hosts->len; i++)
    g_ptr_array_sort (((FleetHost *) g_ptr_array_index (inventory->hosts, i))->groups, compare_names);

  host_settings_clear (&defaults);
}

FleetInventory *
fleet_parse_inventory (FleetDiagnostics *diags, const FleetYamlNode *root, const char *path)
{
  FleetInventory *inventory = fleet_inventory_new (path);
  InventoryNodes nodes = { 0 };
  g_autofree char *directory = g_path_get_dirname (path);
  g_autofree char *base_dir = g_canonicalize_filename (directory, NULL);

  if (!fleet_expect_mapping (diags, root, "inventory file"))
    return inventory;

  fleet_walk_mapping (diags, root, FLEET_SCHEMA_INVENTORY, inventory_handlers,
                      G_N_ELEMENTS (inventory_handlers), &nodes);
  build_inventory (diags, inventory, &nodes, base_dir);

  return inventory;
}
