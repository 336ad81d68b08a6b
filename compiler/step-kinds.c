/* step-kinds.c: the step kinds other than `run`, and the per-step settings. */
#include "compiler/step-kinds.h"

#include <string.h>

#include "compiler/scalar.h"
#include "schema/fleet-expr.h"
#include "schema/fleet-file.h"
#include "schema/fleet-template.h"

/* The handlers' object starts with the step being read. */
static FleetStep *
object_step (gpointer object)
{
  return *(FleetStep **) object;
}

/* Return the step's kind data, created for `kind` if needed.  A kind key
 * sets the kind itself (set_kind); `interpreter` may come before `script`
 * and only creates the record. */
static FleetStepKindData *
ensure_kind (FleetStep *step, FleetStepKind kind)
{
  if (step->kind_data == NULL)
    step->kind_data = fleet_step_kind_data_new (kind);
  return step->kind_data;
}

/* Set the step's kind.  Data of another kind comes from a second kind key
 * (or `interpreter` on a step that is no script), which
 * fleet_finish_step_kind reports; it is dropped, so that the keys of both
 * kinds never write into one record. */
static FleetStepKindData *
set_kind (FleetStep *step, FleetStepKind kind)
{
  FleetStepKindData *data;

  if (step->kind_data != NULL && step->kind_data->kind != kind)
    g_clear_pointer (&step->kind_data, fleet_step_kind_data_free);
  data = ensure_kind (step, kind);

  data->kind = kind;
  return data;
}
static FleetStepPolicy *
ensure_policy (FleetStep *step)
{
  if (step->policy == NULL)
    step->policy = fleet_step_policy_new ();
  return step->policy;
}

/* Read the local file `value` names, relative to the directory of the file
 * the value is in.  Returns NULL after reporting an error. */
static GBytes *
read_step_file (FleetDiagnostics *diags, const FleetYamlNode *value)
{
  g_autofree char *directory = g_path_get_dirname (value->pos.file != NULL ? value->pos.file : ".");
  g_autofree char *path = g_path_is_absolute (value->value)
                            ? g_strdup (value->value)
                            : g_build_filename (directory, value->value, NULL);
  g_autofree char *quoted = fleet_quote_value (value->value, FLEET_QUOTE_MAX_CHARS);
  g_autoptr(GError) error = NULL;
  char *contents = NULL;
  gsize length = 0;

  if (!g_file_get_contents (path, &contents, &length, &error))
    {
      g_autofree char *reason = fleet_file_error_reason (error);

      fleet_diagnostics_error (diags, &value->pos, "cannot read file %s: %s; check the path, "
                               "which is relative to this file's directory",
                               quoted, reason);
      return NULL;
    }
  if (length > FLEET_MAX_STEP_FILE_BYTES)
    {
      g_free (contents);
      fleet_diagnostics_error (diags, &value->pos, "file %s has %" G_GSIZE_FORMAT " bytes, more "
                               "than the limit of %u for a file stored in the plan",
                               quoted, length, FLEET_MAX_STEP_FILE_BYTES);
      return NULL;
    }
  return g_bytes_new_take (contents, length);
}

/* Report `{{` in a value whose references are not replaced: the
 * interpreter is the same command on every host, and a brace left as
 * written would reach the host verbatim. */
static void
reject_refs (FleetDiagnostics *diags, const FleetSchemaField *field, const FleetYamlNode *value,
             const char *text)
{
  if (text == NULL || !fleet_template_has_refs (text))
    return;

  fleet_diagnostics_error (diags, &value->pos,
                           "\"%s\" does not replace {{ }} references; write the value out, or "
                           "use a run step with the reference", field->key);
}

static void
set_file_content (FleetStepKindData *data, const FleetYamlNode *value, GBytes *content)
{
  g_free (data->source);
  data->source = g_strdup (value->value);
  g_clear_pointer (&data->content, g_bytes_unref);
  g_free (data->content_sha256);
  data->content = content;
  data->content_sha256 = fleet_sha256_hex (content);
}

static void
handle_script (FleetDiagnostics *diags, const FleetSchemaField *field, const FleetYamlNode *value, gpointer object)
{
  FleetStepKindData *data = set_kind (object_step (object), FLEET_STEP_KIND_SCRIPT);
  g_autofree char *path = NULL;
  GBytes *content;

  if (!fleet_scalar_to_string (diags, field, value, &path))
    return;

  content = read_step_file (diags, value);
  if (content != NULL)
    set_file_content (data, value, content);
}

static void
handle_interpreter (FleetDiagnostics *diags, const FleetSchemaField *field, const FleetYamlNode *value, gpointer object)
{
  FleetStepKindData *data = ensure_kind (object_step (object), FLEET_STEP_KIND_SCRIPT);

  g_clear_pointer (&data->interpreter, g_free);
  if (fleet_scalar_to_string (diags, field, value, &data->interpreter))
    reject_refs (diags, field, value, data->interpreter);
}

/* `copy` and `template` */

/* Report a `{{` error of the template text `text`, read from the file that
 * `src` names, with the line and column inside that file. */
static void
report_template_error (FleetDiagnostics *diags, const FleetYamlNode *src, const char *text,
                       gsize offset, const char *message)
{
  guint line = 1;
  guint column = 1;
  g_autofree char *quoted = fleet_quote_value (src->value, FLEET_QUOTE_MAX_CHARS);

  for (gsize i = 0; i < offset && text[i] != '\0'; i++)
    {
      if (text[i] == '\n')
        {
          line++;
          column = 1;
        }
      else
        {
          column++;
        }
    }
  fleet_diagnostics_error (diags, &src->pos, "template %s, line %u, column %u: %s",
                           quoted, line, column, message);
}

/* Check the `{{ }}` references of a template; the planner renders them
 * per host. */
static void
check_template_text (FleetDiagnostics *diags, const FleetYamlNode *src, GBytes *content)
{
  gsize length = 0;
  const char *data = g_bytes_get_data (content, &length);
  g_autofree char *text = g_strndup (data != NULL ? data : "", length);
  g_autoptr(GPtrArray) refs = NULL;
  g_autoptr(GError) error = NULL;
  gsize error_offset = 0;

  if (strlen (text) != length || !g_utf8_validate (text, -1, NULL))
    {
      report_template_error (diags, src, text, strlen (text),
                             "a template must be UTF-8 text without NUL bytes; use copy for "
                             "binary files");
      return;
    }

  refs = fleet_template_parse (text, &error_offset, &error);
  if (refs == NULL)
    report_template_error (diags, src, text, error_offset, error->message);
}

static void
handle_copy_src (FleetDiagnostics *diags, const FleetSchemaField *field, const FleetYamlNode *value, gpointer object)
{
  FleetStepKindData *data = object;
  g_autofree char *path = NULL;
  GBytes *content;

  if (!fleet_scalar_to_string (diags, field, value, &path))
    return;

  content = read_step_file (diags, value);
  if (content == NULL)
    return;

  if (data->kind == FLEET_STEP_KIND_TEMPLATE)
    check_template_text (diags, value, content);
  set_file_content (data, value, content);
}

static void
handle_copy_dest (FleetDiagnostics *diags, const FleetSchemaField *field, const FleetYamlNode *value, gpointer object)
{
  FleetStepKindData *data = object;

  if (!fleet_scalar_to_string (diags, field, value, &data->dest))
    return;

  /* A value with references is checked for each host once rendered
   * (step-values.h). */
  if (fleet_template_has_refs (data->dest))
    return;
  if (data->dest[0] != '/' || g_str_has_suffix (data->dest, "/"))
    fleet_diagnostics_error (diags, &value->pos,
                             "invalid value for \"%s\": \"%s\" is not an absolute file path; "
                             "write the full path of the file, such as /etc/motd",
                             field->key, data->dest);
}

/* Warn about a mode in which some class may write or execute the file but
 * not read it, such as 0420.  It is rarely meant, and it is what Ansible's
 * integer modes turn into when copied here: 420 is decimal for 0644. */
static void
warn_unreadable_mode (FleetDiagnostics *diags, const FleetSchemaField *field,
                      const FleetYamlNode *value, const char *text, guint32 mode)
{
  guint64 as_decimal = 0;
  g_autofree char *hint = NULL;

  for (guint shift = 0; shift <= 6; shift += 3)
    {
      guint32 digit = (mode >> shift) & 07;

      if (digit == 0 || (digit & 04) != 0)
        continue;

      if (g_ascii_string_to_unsigned (text, 10, 1, 07777, &as_decimal, NULL))
        hint = g_strdup_printf ("; if \"%s\" is a decimal mode as Ansible reads integers, "
                                "write %04" G_GINT64_MODIFIER "o", text, as_decimal);
      fleet_diagnostics_warning (diags, &value->pos,
                                 "\"%s\" %s is %04o: some users may write or run the file but "
                                 "not read it, which is rarely meant%s",
                                 field->key, text, mode, hint != NULL ? hint : "");
      return;
    }
}

static void
handle_copy_mode (FleetDiagnostics *diags, const FleetSchemaField *field, const FleetYamlNode *value, gpointer object)
{
  FleetStepKindData *data = object;
  g_autofree char *text = NULL;
  guint64 mode = 0;

  if (!fleet_scalar_to_string (diags, field, value, &text))
    return;

  if (strspn (text, "01234567") != strlen (text)
      || !g_ascii_string_to_unsigned (text, 8, 0, 07777, &mode, NULL))
    {
      fleet_diagnostics_error (diags, &value->pos,
                               "invalid value for \"%s\": \"%s\" is not an octal file mode; "
                               "write three or four octal digits, such as 0644",
                               field->key, text);
      return;
    }
  data->mode = (guint32) mode;
  warn_unreadable_mode (diags, field, value, text, data->mode);
}

static void
handle_copy_owner (FleetDiagnostics *diags, const FleetSchemaField *field, const FleetYamlNode *value, gpointer object)
{
  fleet_scalar_to_name (diags, field, value, &((FleetStepKindData *) object)->owner);
}

static void
handle_copy_group (FleetDiagnostics *diags, const FleetSchemaField *field, const FleetYamlNode *value, gpointer object)
{
  fleet_scalar_to_name (diags, field, value, &((FleetStepKindData *) object)->group);
}

static const FleetFieldHandlerEntry copy_handlers[] = {
  { "src", handle_copy_src },
  { "dest", handle_copy_dest },
  { "mode", handle_copy_mode },
  { "owner", handle_copy_owner },
  { "group", handle_copy_group },
};

static void
parse_copy (FleetDiagnostics *diags, const FleetYamlNode *value, FleetStep *step, FleetStepKind kind)
{
  FleetStepKindData *data = set_kind (step, kind);

  fleet_walk_mapping (diags, value, FLEET_SCHEMA_COPY, copy_handlers, G_N_ELEMENTS (copy_handlers),
                      data);
}

static void
handle_copy (FleetDiagnostics *diags, const FleetSchemaField *field, const FleetYamlNode *value, gpointer object)
{
  parse_copy (diags, value, object_step (object), FLEET_STEP_KIND_COPY);
}

static void
handle_template (FleetDiagnostics *diags, const FleetSchemaField *field, const FleetYamlNode *value, gpointer object)
{
  parse_copy (diags, value, object_step (object), FLEET_STEP_KIND_TEMPLATE);
}

/* `reboot` */

static void
handle_reboot_command (FleetDiagnostics *diags, const FleetSchemaField *field, const FleetYamlNode *value, gpointer object)
{
  FleetStepKindData *data = object;

  fleet_scalar_to_string (diags, field, value, &data->command);
}

static void
handle_deadline (FleetDiagnostics *diags, const FleetSchemaField *field, const FleetYamlNode *value, gpointer object)
{
  fleet_scalar_to_duration (diags, field, value, &((FleetStepKindData *) object)->deadline_ms);
}

static void
handle_absolute_path (FleetDiagnostics *diags, const FleetSchemaField *field, const FleetYamlNode *value, char **out)
{
  if (!fleet_scalar_to_string (diags, field, value, out))
    return;

  if (fleet_template_has_refs (*out))
    return;
  if ((*out)[0] != '/')
    fleet_diagnostics_error (diags, &value->pos,
                             "invalid value for \"%s\": \"%s\" is not an absolute path; "
                             "write the full path, starting with /",
                             field->key, *out);
}

static void
handle_boot_id_file (FleetDiagnostics *diags, const FleetSchemaField *field, const FleetYamlNode *value, gpointer object)
{
  handle_absolute_path (diags, field, value, &((FleetStepKindData *) object)->boot_id_file);
}

static const FleetFieldHandlerEntry reboot_handlers[] = {
  { "command", handle_reboot_command },
  { "deadline", handle_deadline },
  { "boot_id_file", handle_boot_id_file },
};

static void
handle_reboot (FleetDiagnostics *diags, const FleetSchemaField *field, const FleetYamlNode *value, gpointer object)
{
  FleetStepKindData *data = set_kind (object_step (object), FLEET_STEP_KIND_REBOOT);

  fleet_walk_mapping (diags, value, FLEET_SCHEMA_REBOOT, reboot_handlers,
                      G_N_ELEMENTS (reboot_handlers), data);
}

/* `wait_for` */

static void
handle_wait_port (FleetDiagnostics *diags, const FleetSchemaField *field, const FleetYamlNode *value, gpointer object)
{
  gint64 port;

  if (fleet_scalar_to_int (diags, field, value, &port))
    ((FleetStepKindData *) object)->wait_port = (guint16) port;
}

static void
handle_wait_address (FleetDiagnostics *diags, const FleetSchemaField *field, const FleetYamlNode *value, gpointer object)
{
  fleet_scalar_to_name (diags, field, value, &((FleetStepKindData *) object)->wait_host);
}

static void
handle_wait_path (FleetDiagnostics *diags, const FleetSchemaField *field, const FleetYamlNode *value, gpointer object)
{
  handle_absolute_path (diags, field, value, &((FleetStepKindData *) object)->wait_path);
}

static void
handle_wait_interval (FleetDiagnostics *diags, const FleetSchemaField *field, const FleetYamlNode *value, gpointer object)
{
  fleet_scalar_to_duration (diags, field, value, &((FleetStepKindData *) object)->interval_ms);
}

static const FleetFieldHandlerEntry wait_for_handlers[] = {
  { "port", handle_wait_port },
  { "address", handle_wait_address },
  { "path", handle_wait_path },
  { "command", handle_reboot_command },
  { "deadline", handle_deadline },
  { "interval", handle_wait_interval },
};

static void
handle_wait_for (FleetDiagnostics *diags, const FleetSchemaField *field, const FleetYamlNode *value, gpointer object)
{
  FleetStepKindData *data = set_kind (object_step (object), FLEET_STEP_KIND_WAIT_FOR);
  guint n_checks = 0;

  fleet_walk_mapping (diags, value, FLEET_SCHEMA_WAIT_FOR, wait_for_handlers,
                      G_N_ELEMENTS (wait_for_handlers), data);

  n_checks += fleet_yaml_mapping_lookup (value, "port") != NULL;
  n_checks += fleet_yaml_mapping_lookup (value, "path") != NULL;
  n_checks += fleet_yaml_mapping_lookup (value, "command") != NULL;
  if (n_checks != 1)
    fleet_diagnostics_error (diags, &value->pos,
                             "\"wait_for\" needs exactly one of \"port\", \"path\" and "
                             "\"command\", found %u", n_checks);
  else if (fleet_yaml_mapping_lookup (value, "address") != NULL && data->wait_port == 0)
    fleet_diagnostics_error (diags, &value->pos,
                             "\"address\" applies only to \"port\"; remove it or wait for a port");
}

/* `local` */

static void
handle_local (FleetDiagnostics *diags, const FleetSchemaField *field, const FleetYamlNode *value, gpointer object)
{
  FleetStepKindData *data = set_kind (object_step (object), FLEET_STEP_KIND_LOCAL);

  g_clear_pointer (&data->argv, g_ptr_array_unref);
  data->argv = g_ptr_array_new_with_free_func (g_free);
  if (value->items->len == 0)
    fleet_diagnostics_error (diags, &value->pos,
                             "invalid value for \"%s\": the list is empty; give the program "
                             "and its arguments", field->key);

  for (guint i = 0; i < value->items->len; i++)
    {
      const FleetYamlNode *item = g_ptr_array_index (value->items, i);
      g_autoptr(GPtrArray) refs = NULL;
      g_autoptr(GError) error = NULL;
      gsize error_offset = 0;
      char *argument = NULL;

      if (!fleet_scalar_to_string (diags, field, item, &argument))
        continue;

      g_ptr_array_add (data->argv, argument);
      refs = fleet_template_parse (argument, &error_offset, &error);
      if (refs == NULL)
        fleet_diagnostics_error (diags, &item->pos, "%s", error->message);
    }
}

/* Per-step settings */

static void
handle_retries (FleetDiagnostics *diags, const FleetSchemaField *field, const FleetYamlNode *value, gpointer object)
{
  gint64 retries;

  if (fleet_scalar_to_int (diags, field, value, &retries))
    ensure_policy (object_step (object))->retries = (guint) retries;
}

static void
handle_retry_delay (FleetDiagnostics *diags, const FleetSchemaField *field, const FleetYamlNode *value, gpointer object)
{
  fleet_scalar_to_duration (diags, field, value, &ensure_policy (object_step (object))->retry_delay_ms);
}

static void
handle_env (FleetDiagnostics *diags, const FleetSchemaField *field, const FleetYamlNode *value, gpointer object)
{
  FleetStepPolicy *policy = ensure_policy (object_step (object));
  g_autoptr(GHashTable) positions = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, g_free);
  GHashTableIter iter;
  gpointer name, pos;

  if (policy->env == NULL)
    policy->env = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, g_free);
  fleet_mapping_to_strings (diags, field, value, policy->env, positions);

  g_hash_table_iter_init (&iter, positions);
  while (g_hash_table_iter_next (&iter, &name, &pos))
    {
      if (!fleet_template_is_name (name))
        fleet_diagnostics_error (diags, pos,
                                 "invalid environment variable name \"%s\"; use letters, digits "
                                 "and '_', not starting with a digit", (const char *) name);
    }
}

static void
handle_workdir (FleetDiagnostics *diags, const FleetSchemaField *field, const FleetYamlNode *value, gpointer object)
{
  FleetStepPolicy *policy = ensure_policy (object_step (object));

  if (!fleet_scalar_to_string (diags, field, value, &policy->workdir))
    return;
  if (policy->workdir[0] == '\0')
    fleet_diagnostics_error (diags, &value->pos,
                             "invalid value for \"%s\": the directory is empty; remove the key "
                             "to start in the login directory", field->key);
}

/* Read a `changed_when` or `failed_when` condition and check that it names
 * only `rc`, `stdout` and `stderr`, the results of the attempt. */
static void
parse_result_condition (FleetDiagnostics *diags, const FleetSchemaField *field, const FleetYamlNode *value,
                        char **out)
{
  g_autoptr(FleetExpr) expr = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(GPtrArray) names = g_ptr_array_new_with_free_func (g_free);

  if (!fleet_scalar_to_string (diags, field, value, out))
    return;

  expr = fleet_expr_parse (*out, &error);
  if (expr == NULL)
    {
      fleet_diagnostics_error (diags, &value->pos, "invalid condition in \"%s\": %s",
                               field->key, error->message);
      return;
    }

  fleet_expr_collect_names (expr, names);
  for (guint i = 0; i < names->len; i++)
    {
      const char *name = g_ptr_array_index (names, i);

      if (strcmp (name, "rc") != 0 && strcmp (name, "stdout") != 0 && strcmp (name, "stderr") != 0)
        fleet_diagnostics_error (diags, &value->pos,
                                 "invalid name \"%s\" in \"%s\"; the condition may use only rc, "
                                 "stdout and stderr", name, field->key);
    }
}

static void
handle_changed_when (FleetDiagnostics *diags, const FleetSchemaField *field, const FleetYamlNode *value, gpointer object)
{
  parse_result_condition (diags, field, value, &ensure_policy (object_step (object))->changed_when);
}

static void
handle_failed_when (FleetDiagnostics *diags, const FleetSchemaField *field, const FleetYamlNode *value, gpointer object)
{
  parse_result_condition (diags, field, value, &ensure_policy (object_step (object))->failed_when);
}

static const FleetFieldHandlerEntry kind_handlers[] = {
  { "script", handle_script },
  { "interpreter", handle_interpreter },
  { "copy", handle_copy },
  { "template", handle_template },
  { "reboot", handle_reboot },
  { "wait_for", handle_wait_for },
  { "local", handle_local },
  { "retries", handle_retries },
  { "retry_delay", handle_retry_delay },
  { "env", handle_env },
  { "workdir", handle_workdir },
  { "changed_when", handle_changed_when },
  { "failed_when", handle_failed_when },
};

const FleetFieldHandlerEntry *
fleet_step_kind_handlers (gsize *n_handlers)
{
  *n_handlers = G_N_ELEMENTS (kind_handlers);
  return kind_handlers;
}

/* The keys that choose a step's kind, `run` included. */
static const char * const kind_keys[] = {
  "run", "script", "copy", "template", "reboot", "wait_for", "local",
};

/* Fill the defaults of the kind's optional keys. */
static void
apply_kind_defaults (FleetStepKindData *data)
{
  if (data->kind == FLEET_STEP_KIND_SCRIPT && data->interpreter == NULL)
    data->interpreter = g_strdup (FLEET_DEFAULT_SCRIPT_INTERPRETER);
  if (data->kind == FLEET_STEP_KIND_REBOOT)
    {
      if (data->command == NULL)
        data->command = g_strdup (FLEET_DEFAULT_REBOOT_COMMAND);
      if (data->boot_id_file == NULL)
        data->boot_id_file = g_strdup (FLEET_DEFAULT_BOOT_ID_FILE);
      if (data->deadline_ms == 0)
        data->deadline_ms = FLEET_DEFAULT_REBOOT_DEADLINE_MS;
    }
  if (data->kind == FLEET_STEP_KIND_WAIT_FOR)
    {
      if (data->deadline_ms == 0)
        data->deadline_ms = FLEET_DEFAULT_WAIT_DEADLINE_MS;
      if (data->interval_ms == 0)
        data->interval_ms = FLEET_DEFAULT_WAIT_INTERVAL_MS;
      if (data->wait_port != 0 && data->wait_host == NULL)
        data->wait_host = g_strdup (FLEET_DEFAULT_WAIT_HOST);
    }
}

/* Return the one-line description that plans show for a step of `data`. */
static char *
describe_kind (const FleetStepKindData *data)
{
  switch (data->kind)
    {
    case FLEET_STEP_KIND_SCRIPT:
      return g_strdup_printf ("script %s | %s", data->source, data->interpreter);
    case FLEET_STEP_KIND_COPY:
    case FLEET_STEP_KIND_TEMPLATE:
      return g_strdup_printf ("%s %s -> %s", fleet_step_kind_name (data->kind), data->source,
                              data->dest);
    case FLEET_STEP_KIND_REBOOT:
      return g_strdup_printf ("reboot: %s", data->command);
    case FLEET_STEP_KIND_WAIT_FOR:
      if (data->wait_port != 0)
        return g_strdup_printf ("wait_for port %s:%u", data->wait_host, data->wait_port);
      if (data->wait_path != NULL)
        return g_strdup_printf ("wait_for path %s", data->wait_path);
      return g_strdup_printf ("wait_for command: %s", data->command);
    case FLEET_STEP_KIND_LOCAL:
      {
        GString *text = g_string_new ("local:");

        for (guint i = 0; i < data->argv->len; i++)
          {
            g_autofree char *quoted = fleet_shell_quote (g_ptr_array_index (data->argv, i));

            g_string_append_printf (text, " %s", quoted);
          }
        return g_string_free (text, FALSE);
      }
    case FLEET_STEP_KIND_SHELL:
    default:
      return g_strdup ("");
    }
}

void
fleet_finish_step_kind (FleetDiagnostics *diags, const FleetYamlNode *mapping, FleetStep *step)
{
  const FleetYamlNode *first = NULL;
  const char *first_key = NULL;
  guint n_kinds = 0;

  for (gsize i = 0; i < G_N_ELEMENTS (kind_keys); i++)
    {
      const FleetYamlNode *node = fleet_yaml_mapping_lookup (mapping, kind_keys[i]);

      if (node == NULL)
        continue;
      if (n_kinds++ == 0)
        {
          first = node;
          first_key = kind_keys[i];
          continue;
        }
      fleet_diagnostics_error (diags, &node->pos,
                               "a step has one kind, but this one has both \"%s\" (line %u) "
                               "and \"%s\"; split it into two steps",
                               first_key, first->pos.line, kind_keys[i]);
    }

  if (n_kinds == 0)
    fleet_diagnostics_error (diags, &mapping->pos,
                             "step has no kind; give one of \"run\", \"script\", \"copy\", "
                             "\"template\", \"reboot\", \"wait_for\" and \"local\"");

  if (step->kind_data == NULL)
    return;

  if (fleet_yaml_mapping_lookup (mapping, "interpreter") != NULL
      && (step->kind_data->kind != FLEET_STEP_KIND_SCRIPT || first_key == NULL
          || strcmp (first_key, "script") != 0))
    {
      fleet_diagnostics_error (diags, &fleet_yaml_mapping_lookup (mapping, "interpreter")->pos,
                               "\"interpreter\" applies only to \"script\" steps; remove it");
      return;
    }

  apply_kind_defaults (step->kind_data);
  g_free (step->command);
  step->command = describe_kind (step->kind_data);

  /* A copy or template compares checksums and renames the file into place,
   * so running it again after a crash is safe: --resume need not hold the
   * host.  An explicit `idempotent: false` still holds it. */
  if ((step->kind_data->kind == FLEET_STEP_KIND_COPY
       || step->kind_data->kind == FLEET_STEP_KIND_TEMPLATE)
      && fleet_yaml_mapping_lookup (mapping, "idempotent") == NULL)
    step->idempotent = TRUE;
}
