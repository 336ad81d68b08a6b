/* dynamic-inventory.c: run an inventory program and read its `--list`
 * JSON; the contract is in dynamic-inventory.h.
 *
 * JSON is read with fleetc's YAML tree, because JSON is nearly YAML.  The
 * one difference that matters, UTF-16 surrogate pairs in \u escapes, is
 * rewritten before parsing (fleet_json_rewrite_surrogate_pairs).
 */
#include "compiler/dynamic-inventory.h"

#include <signal.h>
#include <string.h>
#include <sys/wait.h>

#include "compiler/ansible-yaml.h"
#include "compiler/command-output.h"
#include "compiler/scalar.h"
#include "compiler/suggest.h"
#include "schema/fleet-clock.h"

/* Lines of standard error shown in a message, from its end. */
#define STDERR_LINES_SHOWN 10
#define STDERR_LINE_MAX_CHARS 200

static const char * const group_keys[] = { "hosts", "vars", "children" };

typedef struct {
  FleetDiagnostics *diags;
  const char *path;
  char *program;               /* path to execute; "./" added to a bare name */
  FleetSourcePos reference;    /* where errors about running the program go */
  guint64 timeout_ms;
  gint64 deadline_us;
  FleetAnsibleInventory *inventory;
  guint errors_before;         /* error count when the reader started */
} ListReader;

/* Return the last lines of `tail` for a message, each made valid UTF-8
 * with control characters replaced by '?', or NULL when it is blank. */
static char *
format_stderr (GBytes *tail)
{
  gsize length;
  const char *data = g_bytes_get_data (tail, &length);
  g_autofree char *text = g_utf8_make_valid (data != NULL ? data : "", (gssize) length);
  g_auto (GStrv) lines = g_strsplit (g_strstrip (text), "\n", -1);
  guint n_lines = g_strv_length (lines);
  GString *out;

  if (n_lines == 0 || lines[0][0] == '\0')
    return NULL;

  out = g_string_new (NULL);
  for (guint i = n_lines > STDERR_LINES_SHOWN ? n_lines - STDERR_LINES_SHOWN : 0; i < n_lines; i++)
    {
      char *line = lines[i];
      const char *cut = g_utf8_offset_to_pointer (line, MIN (g_utf8_strlen (line, -1),
                                                             STDERR_LINE_MAX_CHARS));

      for (char *p = line; *p != '\0'; p++)
        if (((guchar) *p < 0x20 && *p != '\t') || *p == 0x7f)
          *p = '?';
      g_string_append_printf (out, "\n  | %.*s", (int) (cut - line), line);
    }

  return g_string_free (out, FALSE);
}

static char *
describe_exit (int wait_status)
{
  const char *name;

  if (WIFEXITED (wait_status))
    return g_strdup_printf ("exited with status %d", WEXITSTATUS (wait_status));

  name = WIFSIGNALED (wait_status) ? sigabbrev_np (WTERMSIG (wait_status)) : NULL;
  if (name != NULL)
    return g_strdup_printf ("was killed by signal SIG%s", name);

  return g_strdup_printf ("ended with wait status %d", wait_status);
}

/* Report a failed run of `command` (the program and its arguments, for the
 * message), with the end of its standard error. */
static void
report_failure (ListReader *reader, const char *command, const FleetCommandOutput *output)
{
  g_autofree char *stderr_text = format_stderr (output->stderr_tail);
  g_autofree char *outcome = NULL;
  g_autofree char *timeout = fleet_format_duration (reader->timeout_ms);

  if (output->timed_out)
    outcome = g_strdup_printf ("did not finish within the inventory timeout of %s and was killed; "
                            "make it faster or raise inventory_timeout in the workflow",
                            timeout);
  else if (output->stdout_too_large)
    outcome = g_strdup_printf ("printed more than %u MiB and was killed",
                            FLEET_MAX_DYNAMIC_INVENTORY_BYTES / (1024 * 1024));
  else
    outcome = describe_exit (output->wait_status);

  fleet_diagnostics_error (reader->diags, &reader->reference, "inventory program `%s` %s%s%s",
                           command, outcome, stderr_text != NULL ? "; its standard error ends with:" : "",
                           stderr_text != NULL ? stderr_text : "");
}

/* Return `value` as a shell would need it, for messages only: the program
 * runs without a shell. */
static char *
quote_for_display (const char *value)
{
  for (const char *p = value; *p != '\0'; p++)
    if (!g_ascii_isalnum (*p) && strchr ("._-:@/+=,", *p) == NULL)
      return g_shell_quote (value);

  return g_strdup (value);
}

/* Run the program with `argument` and `value` (or none), and return its
 * standard output, or NULL after reporting why it failed. */
static GBytes *
run_program (ListReader *reader, const char *argument, const char *value)
{
  const char *argv[] = { reader->program, argument, value, NULL };
  g_autofree char *shown_value = value != NULL ? quote_for_display (value) : NULL;
  g_autofree char *command = g_strdup_printf ("%s %s%s%s", reader->path, argument,
                                              value != NULL ? " " : "", value != NULL ? shown_value : "");
  g_autofree char *stderr_text = NULL;
  g_autoptr (GError) error = NULL;
  FleetCommandOutput output = { 0 };
  GBytes *result;

  if (!fleet_command_run (argv, reader->deadline_us, FLEET_MAX_DYNAMIC_INVENTORY_BYTES, &output,
                          &error))
    {
      fleet_diagnostics_error (reader->diags, &reader->reference,
                               "failed to run inventory program `%s`: %s; check that it exists, "
                               "is executable and names an installed interpreter after #!",
                               command, error->message);
      return NULL;
    }

  if (output.timed_out || output.stdout_too_large || !WIFEXITED (output.wait_status)
      || WEXITSTATUS (output.wait_status) != 0)
    {
      report_failure (reader, command, &output);
      fleet_command_output_clear (&output);
      return NULL;
    }

  stderr_text = format_stderr (output.stderr_tail);
  if (stderr_text != NULL)
    fleet_diagnostics_warning (reader->diags, &reader->reference,
                               "inventory program `%s` wrote to standard error:%s", command,
                               stderr_text);

  result = g_steal_pointer (&output.stdout_bytes);
  fleet_command_output_clear (&output);
  return result;
}

static int
hex_digit (char c)
{
  return g_ascii_xdigit_value (c);
}

/* Read \uXXXX at `text`; returns the code unit or -1. */
static int
read_escape_unit (const char *text, const char *end)
{
  int value = 0;

  if (end - text < 6 || text[0] != '\\' || text[1] != 'u')
    return -1;

  for (int i = 2; i < 6; i++)
    {
      int digit = hex_digit (text[i]);
      if (digit < 0)
        return -1;
      value = value * 16 + digit;
    }

  return value;
}

GString *
fleet_json_rewrite_surrogate_pairs (const char *text, gsize length)
{
  GString *out = g_string_sized_new (length);
  const char *end = text + length;
  gboolean in_string = FALSE;

  for (const char *p = text; p < end; p++)
    {
      int high = in_string ? read_escape_unit (p, end) : -1;
      int low = high >= 0xD800 && high <= 0xDBFF ? read_escape_unit (p + 6, end) : -1;

      if (low >= 0xDC00 && low <= 0xDFFF)
        {
          g_string_append_printf (out, "\\U%08X",
                                  0x10000 + ((unsigned) (high - 0xD800) << 10) + (unsigned) (low - 0xDC00));
          p += 11;
          continue;
        }

      if (*p == '"')
        in_string = !in_string;
      else if (*p == '\\' && in_string && p + 1 < end)
        g_string_append_c (out, *p++);
      g_string_append_c (out, *p);
    }

  return out;
}

/* Parse program output as JSON.  `label` names it in messages. */
static FleetYamlDocument *
parse_output (ListReader *reader, const char *label, GBytes *bytes)
{
  gsize length;
  const char *data = g_bytes_get_data (bytes, &length);
  g_autoptr (GString) text = NULL;
  gsize start = 0;

  while (start < length && g_ascii_isspace (data[start]))
    start++;
  if (start == length || data[start] != '{')
    {
      g_autofree char *head = g_strndup (data + start, MIN (length - start, 40));
      g_autofree char *quoted = fleet_quote_value (head, 40);

      fleet_diagnostics_error (reader->diags, &reader->reference,
                               "output of inventory program `%s` is not a JSON object: it %s%s",
                               label, start == length ? "is empty" : "starts with ",
                               start == length ? "" : quoted);
      return NULL;
    }

  text = fleet_json_rewrite_surrogate_pairs (data, length);
  fleet_diagnostics_add_source (reader->diags, label, text->str, text->len);
  return fleet_yaml_parse (label, text->str, text->len, reader->diags);
}

static void
report_unknown_group_key (ListReader *reader, const FleetYamlNode *key, const char *group)
{
  g_autofree char *quoted = fleet_quote_value (key->value, FLEET_QUOTE_MAX_CHARS);
  const char *suggestion = fleet_suggest_name (key->value, group_keys, G_N_ELEMENTS (group_keys));

  fleet_diagnostics_error (reader->diags, &key->pos, "unknown key %s in group \"%s\"%s%s%s", quoted,
                           group, suggestion != NULL ? "; did you mean \"" : "; a group has only "
                                                                             "hosts, vars and children",
                           suggestion != NULL ? suggestion : "", suggestion != NULL ? "\"?" : "");
}

/* Return the text of `node` when it is a valid host or group name. */
static const char *
name_of (ListReader *reader, const FleetYamlNode *node, const char *kind)
{
  if (node->kind != FLEET_YAML_SCALAR || fleet_yaml_node_is_null (node))
    {
      fleet_diagnostics_error (reader->diags, &node->pos, "invalid %s name: expected a string, "
                                                          "found %s",
                               kind, fleet_yaml_node_is_null (node) ? "null"
                                                                    : fleet_yaml_kind_description (node->kind));
      return NULL;
    }

  if (!fleet_ansible_check_name (reader->diags, kind, node->value, &node->pos))
    return NULL;

  return node->value;
}

static gboolean
expect_list (ListReader *reader, const FleetYamlNode *value, const char *key, const char *group)
{
  if (value->kind == FLEET_YAML_SEQUENCE)
    return TRUE;

  fleet_diagnostics_error (reader->diags, &value->pos,
                           "invalid \"%s\" of group \"%s\": expected a list of names, found %s",
                           key, group, fleet_yaml_node_is_null (value) ? "null"
                                                                        : fleet_yaml_kind_description (value->kind));
  return FALSE;
}

static void
read_hosts (ListReader *reader, FleetAnsibleGroup *group, const FleetYamlNode *list)
{
  for (guint i = 0; i < list->items->len; i++)
    {
      const FleetYamlNode *item = g_ptr_array_index (list->items, i);
      const char *name = name_of (reader, item, "host");

      if (name != NULL
          && fleet_ansible_inventory_ensure_host (reader->inventory, reader->diags, name, &item->pos) != NULL)
        fleet_ansible_group_add_host (group, name);
    }
}

static void
read_children (ListReader *reader, FleetAnsibleGroup *group, const FleetYamlNode *list)
{
  for (guint i = 0; i < list->items->len; i++)
    {
      const FleetYamlNode *item = g_ptr_array_index (list->items, i);
      const char *name = name_of (reader, item, "group");

      if (name != NULL)
        fleet_ansible_group_add_child (reader->inventory, group, name, &item->pos);
    }
}

static void
read_group_entry (ListReader *reader, FleetAnsibleGroup *group, const FleetYamlNode *key,
                  const FleetYamlNode *value)
{
  if (strcmp (key->value, "hosts") == 0)
    {
      if (expect_list (reader, value, key->value, group->name))
        read_hosts (reader, group, value);
    }
  else if (strcmp (key->value, "children") == 0)
    {
      if (expect_list (reader, value, key->value, group->name))
        read_children (reader, group, value);
    }
  else if (strcmp (key->value, "vars") == 0)
    {
      if (value->kind == FLEET_YAML_MAPPING)
        fleet_ansible_yaml_set_vars (reader->diags, group->vars, value);
      else if (!fleet_yaml_node_is_null (value))
        fleet_diagnostics_error (reader->diags, &value->pos,
                                 "invalid \"vars\" of group \"%s\": expected a mapping, found %s",
                                 group->name, fleet_yaml_kind_description (value->kind));
    }
  else
    report_unknown_group_key (reader, key, group->name);
}

static void
read_group (ListReader *reader, const FleetYamlNode *key, const FleetYamlNode *value)
{
  const char *name = name_of (reader, key, "group");
  FleetAnsibleGroup *group;

  if (name == NULL)
    return;

  group = fleet_ansible_inventory_ensure_group (reader->inventory, name, &key->pos);
  if (value->kind == FLEET_YAML_SEQUENCE)
    read_hosts (reader, group, value);
  else if (value->kind == FLEET_YAML_MAPPING)
    for (guint i = 0; i < value->keys->len; i++)
      read_group_entry (reader, group, g_ptr_array_index (value->keys, i),
                        g_ptr_array_index (value->items, i));
  else if (!fleet_yaml_node_is_null (value))
    fleet_diagnostics_error (reader->diags, &value->pos,
                             "invalid group \"%s\": expected a mapping with hosts, vars and "
                             "children, or a list of hosts, found %s",
                             name, fleet_yaml_kind_description (value->kind));
}

/* Give `host` the variables of `mapping`, reporting a value that is not a
 * mapping. */
static void
read_host_vars (ListReader *reader, FleetAnsibleHost *host, const FleetYamlNode *mapping)
{
  if (mapping->kind == FLEET_YAML_MAPPING)
    fleet_ansible_yaml_set_vars (reader->diags, host->vars, mapping);
  else if (!fleet_yaml_node_is_null (mapping))
    fleet_diagnostics_error (reader->diags, &mapping->pos,
                             "invalid variables of host \"%s\": expected a mapping, found %s",
                             host->name, fleet_yaml_kind_description (mapping->kind));
}

static void
read_meta (ListReader *reader, const FleetYamlNode *meta)
{
  const FleetYamlNode *hostvars;

  if (meta->kind != FLEET_YAML_MAPPING)
    {
      fleet_diagnostics_error (reader->diags, &meta->pos,
                               "invalid \"_meta\": expected a mapping with \"hostvars\", found %s",
                               fleet_yaml_kind_description (meta->kind));
      return;
    }

  hostvars = fleet_yaml_mapping_lookup (meta, "hostvars");
  if (hostvars == NULL || fleet_yaml_node_is_null (hostvars))
    return;
  if (hostvars->kind != FLEET_YAML_MAPPING)
    {
      fleet_diagnostics_error (reader->diags, &hostvars->pos,
                               "invalid \"hostvars\": expected a mapping of host names, found %s",
                               fleet_yaml_kind_description (hostvars->kind));
      return;
    }

  for (guint i = 0; i < hostvars->keys->len; i++)
    {
      const FleetYamlNode *key = g_ptr_array_index (hostvars->keys, i);
      FleetAnsibleHost *host = g_hash_table_lookup (reader->inventory->hosts_by_name, key->value);

      if (host != NULL)
        read_host_vars (reader, host, g_ptr_array_index (hostvars->items, i));
    }
}

/* Run `PROGRAM --host NAME` for every host, as Ansible does without _meta. */
static void
run_host_queries (ListReader *reader)
{
  for (guint i = 0; i < reader->inventory->hosts->len; i++)
    {
      FleetAnsibleHost *host = g_ptr_array_index (reader->inventory->hosts, i);
      g_autoptr (GBytes) output = run_program (reader, "--host", host->name);
      g_autoptr (FleetYamlDocument) document = NULL;
      g_autofree char *label = NULL;
      gsize length = 0;
      const char *data;

      if (output == NULL)
        return;

      /* Ansible takes blank output as no variables. */
      data = g_bytes_get_data (output, &length);
      while (length > 0 && g_ascii_isspace (data[length - 1]))
        length--;
      if (length == 0)
        continue;

      label = g_strdup_printf ("%s --host %s", reader->path, host->name);
      document = parse_output (reader, g_intern_string (label), output);
      if (document == NULL)
        return;
      read_host_vars (reader, host, fleet_yaml_document_root (document));
    }
}

/* Read the --list form.  `can_query` allows --host runs when _meta is
 * missing. */
static void
read_list (ListReader *reader, const FleetYamlNode *root, gboolean can_query)
{
  const FleetYamlNode *meta = NULL;

  if (root->kind != FLEET_YAML_MAPPING)
    {
      fleet_diagnostics_error (reader->diags, &root->pos,
                               "invalid inventory: expected a JSON object of groups, found %s",
                               fleet_yaml_kind_description (root->kind));
      return;
    }

  for (guint i = 0; i < root->keys->len; i++)
    {
      const FleetYamlNode *key = g_ptr_array_index (root->keys, i);

      if (strcmp (key->value, "_meta") == 0)
        meta = g_ptr_array_index (root->items, i);
      else
        read_group (reader, key, g_ptr_array_index (root->items, i));
    }

  if (meta != NULL)
    read_meta (reader, meta);
  else if (can_query && fleet_diagnostics_error_count (reader->diags) == reader->errors_before)
    run_host_queries (reader);
}

FleetAnsibleInventory *
fleet_ansible_list_read (FleetDiagnostics *diags, const char *path, const FleetYamlNode *root)
{
  guint errors_before = fleet_diagnostics_error_count (diags);
  g_autoptr (FleetAnsibleInventory) inventory = fleet_ansible_inventory_new (path);
  ListReader reader = {
    .diags = diags,
    .path = path,
    .inventory = inventory,
    .errors_before = errors_before,
  };

  reader.reference = (FleetSourcePos) { g_intern_string (path), 0, 0 };
  read_list (&reader, root, FALSE);
  if (fleet_diagnostics_error_count (diags) > errors_before)
    return NULL;

  return g_steal_pointer (&inventory);
}

FleetAnsibleInventory *
fleet_dynamic_inventory_run (FleetDiagnostics *diags,
                             const char *path,
                             const FleetSourcePos *reference,
                             guint64 timeout_ms)
{
  guint errors_before = fleet_diagnostics_error_count (diags);
  g_autoptr (FleetAnsibleInventory) inventory = fleet_ansible_inventory_new (path);
  g_autoptr (GBytes) output = NULL;
  g_autoptr (FleetYamlDocument) document = NULL;
  g_autofree char *label = g_strdup_printf ("%s --list", path);
  ListReader reader = {
    .diags = diags,
    .path = path,
    .timeout_ms = timeout_ms,
    .inventory = inventory,
    .errors_before = errors_before,
  };

  reader.reference = reference != NULL ? *reference
                                       : (FleetSourcePos) { g_intern_string (path), 0, 0 };
  reader.program = strchr (path, '/') != NULL ? g_strdup (path) : g_strconcat ("./", path, NULL);
  reader.deadline_us = fleet_clock_monotonic_us (fleet_clock_system ())
                       + (gint64) MIN (timeout_ms, (guint64) G_MAXINT64 / 1000) * 1000;

  output = run_program (&reader, "--list", NULL);
  if (output != NULL)
    document = parse_output (&reader, g_intern_string (label), output);
  if (document != NULL)
    read_list (&reader, fleet_yaml_document_root (document), TRUE);

  g_free (reader.program);
  if (fleet_diagnostics_error_count (diags) > errors_before)
    return NULL;

  return g_steal_pointer (&inventory);
}
