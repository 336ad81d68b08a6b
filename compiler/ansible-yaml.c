/* ansible-yaml.c: Ansible inventories in YAML form; the format is described
 * in ansible-yaml.h. */
#include "compiler/ansible-yaml.h"

#include <string.h>

#include "compiler/host-range.h"
#include "compiler/suggest.h"

static const char * const group_keys[] = { "hosts", "children", "vars" };

/* Compact JSON of a YAML node, stopped once it passes `max_bytes`. */
typedef struct {
  GString *out;
  gsize max_bytes;
} JsonWriter;

static void write_json (JsonWriter *writer, const FleetYamlNode *node);

/* Return whether `text` is a JSON number. */
static gboolean
is_json_number (const char *text)
{
  const char *p = text;

  if (*p == '-')
    p++;
  if (*p == '0')
    p++;
  else if (g_ascii_isdigit (*p))
    while (g_ascii_isdigit (*p))
      p++;
  else
    return FALSE;

  if (*p == '.')
    {
      if (!g_ascii_isdigit (*++p))
        return FALSE;
      while (g_ascii_isdigit (*p))
        p++;
    }

  if (*p == 'e' || *p == 'E')
    {
      p++;
      if (*p == '+' || *p == '-')
        p++;
      if (!g_ascii_isdigit (*p))
        return FALSE;
      while (g_ascii_isdigit (*p))
        p++;
    }

  return *p == '\0';
}

static void
write_json_string (GString *out, const char *text)
{
  g_string_append_c (out, '"');
  for (const unsigned char *p = (const unsigned char *) text; *p != '\0'; p++)
    {
      if (*p == '"' || *p == '\\')
        g_string_append_printf (out, "\\%c", *p);
      else if (*p == '\n')
        g_string_append (out, "\\n");
      else if (*p == '\t')
        g_string_append (out, "\\t");
      else if (*p < 0x20 || *p == 0x7f)
        g_string_append_printf (out, "\\u%04x", *p);
      else
        g_string_append_c (out, (char) *p);
    }
  g_string_append_c (out, '"');
}

static void
write_scalar (JsonWriter *writer, const FleetYamlNode *node)
{
  if (fleet_yaml_node_is_null (node))
    g_string_append (writer->out, "null");
  else if (node->plain && (is_json_number (node->value) || strcmp (node->value, "true") == 0
                           || strcmp (node->value, "false") == 0))
    g_string_append (writer->out, node->value);
  else
    write_json_string (writer->out, node->value);
}

static void
write_collection (JsonWriter *writer, const FleetYamlNode *node)
{
  gboolean mapping = node->kind == FLEET_YAML_MAPPING;

  g_string_append_c (writer->out, mapping ? '{' : '[');
  for (guint i = 0; i < node->items->len && writer->out->len <= writer->max_bytes; i++)
    {
      if (i > 0)
        g_string_append_c (writer->out, ',');
      if (mapping)
        {
          write_json_string (writer->out, ((FleetYamlNode *) g_ptr_array_index (node->keys, i))->value);
          g_string_append_c (writer->out, ':');
        }
      write_json (writer, g_ptr_array_index (node->items, i));
    }
  g_string_append_c (writer->out, mapping ? '}' : ']');
}

static void
write_json (JsonWriter *writer, const FleetYamlNode *node)
{
  if (writer->out->len > writer->max_bytes)
    return;

  if (node->kind == FLEET_YAML_SCALAR)
    write_scalar (writer, node);
  else
    write_collection (writer, node);
}

static char *
quote_node (const FleetYamlNode *node)
{
  return fleet_quote_value (node->value, FLEET_QUOTE_MAX_CHARS);
}

void
fleet_ansible_yaml_set_var (FleetDiagnostics *diags,
                            GHashTable *vars,
                            const FleetYamlNode *key,
                            const FleetYamlNode *value)
{
  JsonWriter writer = { NULL, FLEET_MAX_VARIABLE_BYTES };
  g_autofree char *quoted = NULL;

  if (key->length == 0 || fleet_yaml_node_is_null (key))
    {
      quoted = quote_node (key);
      fleet_diagnostics_error (diags, &key->pos,
                               "invalid variable name %s: it is empty or a YAML null", quoted);
      return;
    }

  if (fleet_yaml_node_is_null (value))
    {
      fleet_ansible_vars_set (diags, vars, key->value, &key->pos, NULL, FALSE, &value->pos);
      return;
    }

  if (value->kind == FLEET_YAML_SCALAR)
    {
      fleet_ansible_vars_set (diags, vars, key->value, &key->pos, g_strdup (value->value), FALSE,
                              &value->pos);
      return;
    }

  writer.out = g_string_new (NULL);
  write_json (&writer, value);
  fleet_ansible_vars_set (diags, vars, key->value, &key->pos, g_string_free (writer.out, FALSE),
                          TRUE, &value->pos);
}

void
fleet_ansible_yaml_set_vars (FleetDiagnostics *diags, GHashTable *vars, const FleetYamlNode *mapping)
{
  for (guint i = 0; i < mapping->keys->len; i++)
    fleet_ansible_yaml_set_var (diags, vars, g_ptr_array_index (mapping->keys, i),
                                g_ptr_array_index (mapping->items, i));
}

/* The inventory being read. */
typedef struct {
  FleetDiagnostics *diags;
  FleetAnsibleInventory *inventory;
} YamlReader;

static void read_group (YamlReader *reader,
                        const FleetYamlNode *key,
                        const FleetYamlNode *value,
                        FleetAnsibleGroup *parent);

/* Return the position of byte `offset` of the text of scalar `node`, which
 * must be written on one line.  A quoted scalar starts one column later. */
static FleetSourcePos
position_in_scalar (const FleetYamlNode *node, gsize offset)
{
  FleetSourcePos pos = node->pos;

  pos.column += node->plain ? 0 : 1;
  for (gsize i = 0; i < offset && node->value[i] != '\0'; i++)
    if (((guchar) node->value[i] & 0xC0) != 0x80)
      pos.column++;

  return pos;
}

/* Report `value` unless it is a mapping or null; `description` names it. */
static gboolean
expect_mapping_or_null (YamlReader *reader, const FleetYamlNode *value, const char *description,
                        const char *hint)
{
  if (value->kind == FLEET_YAML_MAPPING || fleet_yaml_node_is_null (value))
    return TRUE;

  fleet_diagnostics_error (reader->diags, &value->pos, "invalid %s: expected a mapping%s, found %s",
                           description, hint, fleet_yaml_kind_description (value->kind));
  return FALSE;
}

/* Add the hosts of the pattern `key` to `group`, with the variables of
 * `value`. */
static void
read_host (YamlReader *reader, FleetAnsibleGroup *group, const FleetYamlNode *key,
           const FleetYamlNode *value)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (GHashTable) vars = fleet_ansible_vars_new ();
  g_autofree char *description = NULL;
  FleetHostPattern pattern = { 0 };
  gsize error_offset = 0;

  if (fleet_yaml_node_is_null (key) && key->length > 0)
    {
      g_autofree char *quoted = quote_node (key);
      fleet_diagnostics_error (reader->diags, &key->pos,
                               "invalid host name %s: it is a YAML null; quote it to use it as a "
                               "name",
                               quoted);
      return;
    }

  if (!fleet_parse_host_pattern (key->value, FLEET_MAX_HOSTS_PER_SOURCE, &pattern, &error_offset,
                                 &error))
    {
      FleetSourcePos pos = position_in_scalar (key, error_offset);
      fleet_diagnostics_error (reader->diags, &pos, "%s", error->message);
      return;
    }

  {
    g_autofree char *quoted = quote_node (key);
    description = g_strdup_printf ("variables of host %s", quoted);
  }
  if (pattern.port != NULL)
    {
      FleetSourcePos port_pos = position_in_scalar (key, pattern.port_offset);
      fleet_ansible_vars_set (reader->diags, vars, "ansible_port", &port_pos,
                              g_strdup (pattern.port), FALSE, &port_pos);
    }
  if (expect_mapping_or_null (reader, value, description, " of variable names to values")
      && value->kind == FLEET_YAML_MAPPING)
    fleet_ansible_yaml_set_vars (reader->diags, vars, value);

  for (guint i = 0; i < pattern.names->len; i++)
    {
      const char *name = g_ptr_array_index (pattern.names, i);
      FleetAnsibleHost *host;
      GHashTableIter iter;
      gpointer var_name, var_value;

      if (!fleet_ansible_check_name (reader->diags, "host", name, &key->pos))
        break;
      host = fleet_ansible_inventory_ensure_host (reader->inventory, reader->diags, name, &key->pos);
      if (host == NULL)
        break;

      fleet_ansible_group_add_host (group, name);
      g_hash_table_iter_init (&iter, vars);
      while (g_hash_table_iter_next (&iter, &var_name, &var_value))
        {
          const FleetAnsibleValue *source = var_value;
          fleet_ansible_vars_set (reader->diags, host->vars, var_name, &source->name_pos,
                                  g_strdup (source->text), source->structured, &source->pos);
        }
    }

  fleet_host_pattern_clear (&pattern);
}

/* Call `read` for each entry of `value`: a mapping, a single name written
 * as a scalar (an entry with a null value), or null (no entries). */
static void
for_each_entry (YamlReader *reader,
                FleetAnsibleGroup *group,
                const FleetYamlNode *value,
                void (*read) (YamlReader *, FleetAnsibleGroup *, const FleetYamlNode *,
                              const FleetYamlNode *))
{
  static const FleetYamlNode null_node = { .kind = FLEET_YAML_SCALAR, .value = (char *) "",
                                           .plain = TRUE };

  if (fleet_yaml_node_is_null (value))
    return;

  if (value->kind == FLEET_YAML_SCALAR)
    {
      read (reader, group, value, &null_node);
      return;
    }

  for (guint i = 0; i < value->keys->len; i++)
    read (reader, group, g_ptr_array_index (value->keys, i), g_ptr_array_index (value->items, i));
}

static void
read_child (YamlReader *reader, FleetAnsibleGroup *parent, const FleetYamlNode *key,
            const FleetYamlNode *value)
{
  read_group (reader, key, value, parent);
}

static void
report_unknown_group_key (YamlReader *reader, const FleetYamlNode *key, const char *group)
{
  g_autofree char *quoted = quote_node (key);
  const char *suggestion = fleet_suggest_name (key->value, group_keys, G_N_ELEMENTS (group_keys));

  if (suggestion != NULL)
    fleet_diagnostics_error (reader->diags, &key->pos,
                             "unknown key %s in group \"%s\"; did you mean \"%s\"?",
                             quoted, group, suggestion);
  else
    fleet_diagnostics_error (reader->diags, &key->pos,
                             "unknown key %s in group \"%s\"; a group has only hosts, children "
                             "and vars",
                             quoted, group);
}

/* Read the entry `key` of a group mapping. */
static void
read_group_entry (YamlReader *reader, FleetAnsibleGroup *group, const FleetYamlNode *key,
                  const FleetYamlNode *value)
{
  g_autofree char *description = g_strdup_printf ("\"%s\" of group \"%s\"", key->value, group->name);

  if (strcmp (key->value, "hosts") == 0)
    {
      if (value->kind == FLEET_YAML_SCALAR
          || expect_mapping_or_null (reader, value, description, " of host patterns (write web1: for a host "
                                                          "without variables)"))
        for_each_entry (reader, group, value, read_host);
    }
  else if (strcmp (key->value, "children") == 0)
    {
      if (value->kind == FLEET_YAML_SCALAR
          || expect_mapping_or_null (reader, value, description, " of group names"))
        for_each_entry (reader, group, value, read_child);
    }
  else if (strcmp (key->value, "vars") == 0)
    {
      if (expect_mapping_or_null (reader, value, description, " of variable names to values")
          && value->kind == FLEET_YAML_MAPPING)
        fleet_ansible_yaml_set_vars (reader->diags, group->vars, value);
    }
  else
    report_unknown_group_key (reader, key, group->name);
}

static void
read_group (YamlReader *reader, const FleetYamlNode *key, const FleetYamlNode *value,
            FleetAnsibleGroup *parent)
{
  g_autofree char *description = NULL;
  FleetAnsibleGroup *group;

  if (fleet_yaml_node_is_null (key) && key->length > 0)
    {
      g_autofree char *quoted = quote_node (key);
      fleet_diagnostics_error (reader->diags, &key->pos,
                               "invalid group name %s: it is a YAML null; quote it to use it as a "
                               "name",
                               quoted);
      return;
    }

  if (!fleet_ansible_check_name (reader->diags, "group", key->value, &key->pos))
    return;

  group = fleet_ansible_inventory_ensure_group (reader->inventory, key->value, &key->pos);
  if (parent != NULL)
    fleet_ansible_group_add_child (reader->inventory, parent, key->value, &key->pos);

  description = g_strdup_printf ("group \"%s\"", key->value);
  if (!expect_mapping_or_null (reader, value, description, " with hosts, children or vars")
      || value->kind != FLEET_YAML_MAPPING)
    return;

  for (guint i = 0; i < value->keys->len; i++)
    read_group_entry (reader, group, g_ptr_array_index (value->keys, i),
                      g_ptr_array_index (value->items, i));
}

FleetAnsibleInventory *
fleet_ansible_yaml_read (FleetDiagnostics *diags, const char *path, const FleetYamlNode *root)
{
  guint errors_before = fleet_diagnostics_error_count (diags);
  g_autoptr (FleetAnsibleInventory) inventory = fleet_ansible_inventory_new (path);
  YamlReader reader = { diags, inventory };
  const FleetYamlNode *plugin;

  if (root->kind != FLEET_YAML_MAPPING)
    {
      fleet_diagnostics_error (diags, &root->pos,
                               "invalid inventory file: expected a mapping of group names, "
                               "found %s",
                               fleet_yaml_kind_description (root->kind));
      return NULL;
    }

  plugin = fleet_yaml_mapping_lookup (root, "plugin");
  if (plugin != NULL && plugin->kind == FLEET_YAML_SCALAR)
    {
      g_autofree char *quoted = quote_node (plugin);
      fleet_diagnostics_error (diags, &plugin->pos,
                               "this file configures the Ansible inventory plugin %s, which "
                               "fleetc cannot run; export its hosts with `ansible-inventory -i "
                               "FILE --list > inventory.json` and use that file",
                               quoted);
      return NULL;
    }

  for (guint i = 0; i < root->keys->len; i++)
    read_group (&reader, g_ptr_array_index (root->keys, i), g_ptr_array_index (root->items, i),
                NULL);

  if (fleet_diagnostics_error_count (diags) > errors_before)
    return NULL;

  return g_steal_pointer (&inventory);
}
