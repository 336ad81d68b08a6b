/* check-parser.c: the workflow's `checks`, `between_waves` and `rollback`. */
#include "compiler/check-parser.h"

#include "compiler/scalar.h"
#include "compiler/schema-check.h"
#include "schema/fleet-template.h"

/* One check while its mapping is read. */
typedef struct {
  FleetCheck *check;
  guint n_kinds;               /* how many of run, local and http were given */
} CheckParse;

static void
handle_check_name (FleetDiagnostics *diags, const FleetSchemaField *field,
                   const FleetYamlNode *value, gpointer object)
{
  CheckParse *parse = object;

  g_clear_pointer (&parse->check->name, g_free);
  fleet_scalar_to_string (diags, field, value, &parse->check->name);
}

static void
handle_run (FleetDiagnostics *diags, const FleetSchemaField *field, const FleetYamlNode *value,
            gpointer object)
{
  CheckParse *parse = object;

  parse->n_kinds++;
  parse->check->kind = FLEET_CHECK_HOST;
  fleet_scalar_to_string (diags, field, value, &parse->check->command);
}

static void
handle_local (FleetDiagnostics *diags, const FleetSchemaField *field, const FleetYamlNode *value,
              gpointer object)
{
  CheckParse *parse = object;

  parse->n_kinds++;
  parse->check->kind = FLEET_CHECK_LOCAL;
  if (value->items->len == 0)
    fleet_diagnostics_error (diags, &value->pos, "empty \"local\" list; give the program to run "
                             "and its arguments, such as [/usr/local/bin/lb-health, web]");

  for (guint i = 0; i < value->items->len; i++)
    {
      char *text = NULL;

      if (fleet_scalar_to_string (diags, field, g_ptr_array_index (value->items, i), &text))
        g_ptr_array_add (parse->check->argv, text);
    }
}

static void
handle_shell (FleetDiagnostics *diags, const FleetSchemaField *field, const FleetYamlNode *value,
              gpointer object)
{
  CheckParse *parse = object;

  fleet_scalar_to_bool (diags, field, value, &parse->check->shell);
}

static void
handle_http (FleetDiagnostics *diags, const FleetSchemaField *field, const FleetYamlNode *value,
             gpointer object)
{
  CheckParse *parse = object;
  g_autoptr (GError) error = NULL;
  g_autoptr (GPtrArray) refs = NULL;
  gsize error_offset = 0;
  char *url = NULL;

  parse->n_kinds++;
  parse->check->kind = FLEET_CHECK_HTTP;
  if (!fleet_scalar_to_string (diags, field, value, &url))
    return;
  parse->check->url = url;

  if (!g_str_has_prefix (url, "http://") && !g_str_has_prefix (url, "https://"))
    {
      g_autofree char *quoted = fleet_quote_value (url, FLEET_QUOTE_MAX_CHARS);

      fleet_diagnostics_error (diags, &value->pos,
                               "invalid URL %s for \"http\"; it must start with http:// or "
                               "https://", quoted);
    }

  refs = fleet_template_parse (url, &error_offset, &error);
  if (refs == NULL)
    {
      FleetSourcePos pos = value->pos;

      fleet_yaml_scalar_locate (value, "{{", error_offset, &pos);
      fleet_diagnostics_error (diags, &pos, "invalid reference in \"http\": %s",
                               error->message);
      return;
    }

  /* The planner checks the names against each host, at these positions. */
  parse->check->url_ref_positions = g_array_sized_new (FALSE, FALSE, sizeof (FleetSourcePos),
                                                       refs->len);
  for (guint i = 0; i < refs->len; i++)
    {
      const FleetTemplateRef *ref = g_ptr_array_index (refs, i);
      FleetSourcePos pos = value->pos;

      fleet_yaml_scalar_locate (value, "{{", ref->offset, &pos);
      g_array_append_val (parse->check->url_ref_positions, pos);
    }
}

static void
handle_uint32 (FleetDiagnostics *diags, const FleetSchemaField *field, const FleetYamlNode *value,
               guint32 *out)
{
  gint64 number;

  if (fleet_scalar_to_int (diags, field, value, &number))
    *out = (guint32) number;
}

static void
handle_sample (FleetDiagnostics *diags, const FleetSchemaField *field, const FleetYamlNode *value,
               gpointer object)
{
  handle_uint32 (diags, field, value, &((CheckParse *) object)->check->sample);
}

static void
handle_expect_exit (FleetDiagnostics *diags, const FleetSchemaField *field,
                    const FleetYamlNode *value, gpointer object)
{
  CheckParse *parse = object;
  gint64 number;

  if (fleet_scalar_to_int (diags, field, value, &number))
    parse->check->expect_exit = (gint32) number;
}

static void
handle_expect_status (FleetDiagnostics *diags, const FleetSchemaField *field,
                      const FleetYamlNode *value, gpointer object)
{
  handle_uint32 (diags, field, value, &((CheckParse *) object)->check->expect_status);
}

static void
handle_expect_contains (FleetDiagnostics *diags, const FleetSchemaField *field,
                        const FleetYamlNode *value, gpointer object)
{
  CheckParse *parse = object;

  fleet_scalar_to_string (diags, field, value, &parse->check->expect_contains);
}

static void
handle_expect_match (FleetDiagnostics *diags, const FleetSchemaField *field,
                     const FleetYamlNode *value, gpointer object)
{
  CheckParse *parse = object;
  g_autoptr (GRegex) regex = NULL;
  g_autoptr (GError) error = NULL;

  if (!fleet_scalar_to_string (diags, field, value, &parse->check->expect_match))
    return;

  regex = g_regex_new (parse->check->expect_match, G_REGEX_MULTILINE, 0, &error);
  if (regex == NULL)
    fleet_diagnostics_error (diags, &value->pos, "invalid regular expression in "
                             "\"expect_match\": %s", error->message);
}

static void
handle_retries (FleetDiagnostics *diags, const FleetSchemaField *field, const FleetYamlNode *value,
                gpointer object)
{
  handle_uint32 (diags, field, value, &((CheckParse *) object)->check->retries);
}

static void
handle_interval (FleetDiagnostics *diags, const FleetSchemaField *field,
                 const FleetYamlNode *value, gpointer object)
{
  fleet_scalar_to_duration (diags, field, value, &((CheckParse *) object)->check->interval_ms);
}

static void
handle_bake (FleetDiagnostics *diags, const FleetSchemaField *field, const FleetYamlNode *value,
             gpointer object)
{
  fleet_scalar_to_duration (diags, field, value, &((CheckParse *) object)->check->bake_ms);
}

static void
handle_check_timeout (FleetDiagnostics *diags, const FleetSchemaField *field,
                      const FleetYamlNode *value, gpointer object)
{
  fleet_scalar_to_duration (diags, field, value, &((CheckParse *) object)->check->timeout_ms);
}

static void
handle_on_fail (FleetDiagnostics *diags, const FleetSchemaField *field, const FleetYamlNode *value,
                gpointer object)
{
  CheckParse *parse = object;
  g_autofree char *text = NULL;

  if (!fleet_scalar_to_string (diags, field, value, &text))
    return;
  if (!fleet_check_on_fail_from_name (text, &parse->check->on_fail))
    fleet_diagnostics_error (diags, &value->pos,
                             "invalid value \"%s\" for \"on_fail\"; use halt or fail_hosts", text);
}

static const FleetFieldHandlerEntry check_handlers[] = {
  { "name", handle_check_name },
  { "run", handle_run },
  { "local", handle_local },
  { "shell", handle_shell },
  { "http", handle_http },
  { "sample", handle_sample },
  { "expect_exit", handle_expect_exit },
  { "expect_status", handle_expect_status },
  { "expect_contains", handle_expect_contains },
  { "expect_match", handle_expect_match },
  { "retries", handle_retries },
  { "interval", handle_interval },
  { "bake", handle_bake },
  { "timeout", handle_check_timeout },
  { "on_fail", handle_on_fail },
};

/* Report a key of `item` that does not apply to the check's kind. */
static void
reject_key (FleetDiagnostics *diags, const FleetYamlNode *item, const char *key,
            const char *applies_to)
{
  const FleetYamlNode *value = fleet_yaml_mapping_lookup (item, key);

  if (value != NULL)
    fleet_diagnostics_error (diags, &value->pos, "\"%s\" applies only to %s checks; remove it",
                             key, applies_to);
}

/* The keys that only some kinds of check accept, and the rules between
 * keys, which the schema table cannot state. */
static void
check_kind_rules (FleetDiagnostics *diags, const FleetYamlNode *item, const CheckParse *parse)
{
  const FleetCheck *check = parse->check;

  if (parse->n_kinds != 1)
    {
      fleet_diagnostics_error (diags, &item->pos,
                               "check %s needs exactly one of \"run\" (a command on each host), "
                               "\"local\" (a program on the controller) or \"http\" (a URL)",
                               check->name != NULL ? check->name : "without a name");
      return;
    }

  if (check->kind != FLEET_CHECK_HOST)
    reject_key (diags, item, "sample", "\"run\"");
  if (check->kind != FLEET_CHECK_LOCAL)
    reject_key (diags, item, "shell", "\"local\"");
  if (check->kind == FLEET_CHECK_HTTP)
    reject_key (diags, item, "expect_exit", "\"run\" and \"local\"");
  else
    reject_key (diags, item, "expect_status", "\"http\"");

  if (check->kind == FLEET_CHECK_LOCAL && check->shell && check->argv->len > 1)
    fleet_diagnostics_error (diags, &fleet_yaml_mapping_lookup (item, "local")->pos,
                             "with \"shell: true\", \"local\" holds one item, the script for "
                             "/bin/sh -c; join the %u items into one", check->argv->len);

  if (check->on_fail == FLEET_CHECK_ON_FAIL_FAIL_HOSTS && !fleet_check_is_per_host (check))
    fleet_diagnostics_error (diags, &fleet_yaml_mapping_lookup (item, "on_fail")->pos,
                             "\"on_fail: fail_hosts\" needs a check that runs per host (\"run\", "
                             "or \"http\" with a {{ name }} reference); use halt");
}

void
fleet_parse_checks (FleetDiagnostics *diags, const FleetSchemaField *field,
                    const FleetYamlNode *list, GPtrArray *checks)
{
  g_autoptr (GHashTable) names = g_hash_table_new (g_str_hash, g_str_equal);

  for (guint i = 0; i < list->items->len; i++)
    {
      const FleetYamlNode *item = g_ptr_array_index (list->items, i);
      CheckParse parse = { .check = fleet_check_new (NULL, FLEET_CHECK_HOST) };

      if (!fleet_expect_mapping (diags, item, "item in \"checks\""))
        {
          fleet_check_free (parse.check);
          continue;
        }

      fleet_walk_mapping (diags, item, FLEET_SCHEMA_CHECK, check_handlers,
                          G_N_ELEMENTS (check_handlers), &parse);
      check_kind_rules (diags, item, &parse);
      if (parse.check->name != NULL && !g_hash_table_add (names, parse.check->name))
        fleet_diagnostics_error (diags, &item->pos, "duplicate check name \"%s\"; give each "
                                 "check its own name", parse.check->name);
      g_ptr_array_add (checks, parse.check);
    }
}

static void
handle_pause (FleetDiagnostics *diags, const FleetSchemaField *field, const FleetYamlNode *value,
              gpointer object)
{
  fleet_scalar_to_duration (diags, field, value, &((FleetWaveGate *) object)->pause_ms);
}

static void
handle_approve (FleetDiagnostics *diags, const FleetSchemaField *field,
                const FleetYamlNode *value, gpointer object)
{
  fleet_scalar_to_bool (diags, field, value, &((FleetWaveGate *) object)->approve);
}

static void
handle_approve_timeout (FleetDiagnostics *diags, const FleetSchemaField *field,
                        const FleetYamlNode *value, gpointer object)
{
  fleet_scalar_to_duration (diags, field, value,
                            &((FleetWaveGate *) object)->approve_timeout_ms);
}

static void
handle_on_timeout (FleetDiagnostics *diags, const FleetSchemaField *field,
                   const FleetYamlNode *value, gpointer object)
{
  FleetWaveGate *gate = object;
  g_autofree char *text = NULL;

  if (!fleet_scalar_to_string (diags, field, value, &text))
    return;
  if (!fleet_gate_on_timeout_from_name (text, &gate->on_timeout))
    fleet_diagnostics_error (diags, &value->pos,
                             "invalid value \"%s\" for \"on_timeout\"; use halt or continue",
                             text);
}

static const FleetFieldHandlerEntry gate_handlers[] = {
  { "pause", handle_pause },
  { "approve", handle_approve },
  { "approve_timeout", handle_approve_timeout },
  { "on_timeout", handle_on_timeout },
};

void
fleet_parse_between_waves (FleetDiagnostics *diags, const FleetYamlNode *value,
                           FleetWaveGate *gate)
{
  fleet_walk_mapping (diags, value, FLEET_SCHEMA_BETWEEN_WAVES, gate_handlers,
                      G_N_ELEMENTS (gate_handlers), gate);

  for (guint i = 0; !gate->approve && i < 2; i++)
    {
      const char *key = i == 0 ? "approve_timeout" : "on_timeout";
      const FleetYamlNode *node = fleet_yaml_mapping_lookup (value, key);

      if (node != NULL)
        fleet_diagnostics_error (diags, &node->pos, "\"%s\" applies only with \"approve: "
                                 "true\"; add it or remove \"%s\"", key, key);
    }
}

/* The rollback while its mapping is read: the undo commands take the
 * mapping's `timeout` and `become`, whatever the order of the keys. */
typedef struct {
  FleetRollback *rollback;
  guint64 undo_timeout_ms;
  gboolean undo_become;
} RollbackParse;

/* Report `{{ }}` references, which rollback commands do not render: they
 * would reach the shell as literal braces. */
static void
reject_references (FleetDiagnostics *diags, const FleetYamlNode *value, const char *command)
{
  if (fleet_template_has_refs (command))
    fleet_diagnostics_error (diags, &value->pos,
                             "rollback commands run as written and do not render {{ }} "
                             "references; write the value out instead");
}

static void
handle_undo (FleetDiagnostics *diags, const FleetSchemaField *field, const FleetYamlNode *value,
             gpointer object)
{
  RollbackParse *parse = object;

  for (guint i = 0; i < value->keys->len; i++)
    {
      const FleetYamlNode *key = g_ptr_array_index (value->keys, i);
      char *command = NULL;

      if (!fleet_scalar_to_string (diags, field, g_ptr_array_index (value->items, i), &command))
        continue;
      reject_references (diags, g_ptr_array_index (value->items, i), command);
      g_ptr_array_add (parse->rollback->undo, fleet_rollback_command_new (key->value, command));
      g_free (command);
    }
}

static void
handle_step_name (FleetDiagnostics *diags, const FleetSchemaField *field,
                  const FleetYamlNode *value, gpointer object)
{
  FleetRollbackCommand *command = object;

  g_clear_pointer (&command->name, g_free);
  fleet_scalar_to_string (diags, field, value, &command->name);
}

static void
handle_step_run (FleetDiagnostics *diags, const FleetSchemaField *field,
                 const FleetYamlNode *value, gpointer object)
{
  FleetRollbackCommand *command = object;

  g_clear_pointer (&command->command, g_free);
  if (fleet_scalar_to_string (diags, field, value, &command->command))
    reject_references (diags, value, command->command);
}

static void
handle_step_timeout (FleetDiagnostics *diags, const FleetSchemaField *field,
                     const FleetYamlNode *value, gpointer object)
{
  fleet_scalar_to_duration (diags, field, value, &((FleetRollbackCommand *) object)->timeout_ms);
}

static void
handle_step_become (FleetDiagnostics *diags, const FleetSchemaField *field,
                    const FleetYamlNode *value, gpointer object)
{
  fleet_scalar_to_bool (diags, field, value, &((FleetRollbackCommand *) object)->become);
}

static const FleetFieldHandlerEntry rollback_step_handlers[] = {
  { "name", handle_step_name },
  { "run", handle_step_run },
  { "timeout", handle_step_timeout },
  { "become", handle_step_become },
};

static void
handle_rollback_steps (FleetDiagnostics *diags, const FleetSchemaField *field,
                       const FleetYamlNode *value, gpointer object)
{
  RollbackParse *parse = object;

  for (guint i = 0; i < value->items->len; i++)
    {
      const FleetYamlNode *item = g_ptr_array_index (value->items, i);
      FleetRollbackCommand *command;

      if (!fleet_expect_mapping (diags, item, "item in rollback \"steps\""))
        continue;
      command = fleet_rollback_command_new (NULL, NULL);
      fleet_walk_mapping (diags, item, FLEET_SCHEMA_ROLLBACK_STEP, rollback_step_handlers,
                          G_N_ELEMENTS (rollback_step_handlers), command);
      g_ptr_array_add (parse->rollback->steps, command);
    }
}

static void
handle_rollback_timeout (FleetDiagnostics *diags, const FleetSchemaField *field,
                         const FleetYamlNode *value, gpointer object)
{
  fleet_scalar_to_duration (diags, field, value, &((RollbackParse *) object)->undo_timeout_ms);
}

static void
handle_rollback_become (FleetDiagnostics *diags, const FleetSchemaField *field,
                        const FleetYamlNode *value, gpointer object)
{
  fleet_scalar_to_bool (diags, field, value, &((RollbackParse *) object)->undo_become);
}

static void
handle_on_halt (FleetDiagnostics *diags, const FleetSchemaField *field, const FleetYamlNode *value,
                gpointer object)
{
  RollbackParse *parse = object;
  g_autofree char *text = NULL;

  if (!fleet_scalar_to_string (diags, field, value, &text))
    return;
  if (g_str_equal (text, "rollback"))
    parse->rollback->on_halt = TRUE;
  else if (!g_str_equal (text, "stop"))
    fleet_diagnostics_error (diags, &value->pos,
                             "invalid value \"%s\" for \"on_halt\"; use stop or rollback", text);
}

static void
handle_rollback_idempotent (FleetDiagnostics *diags, const FleetSchemaField *field,
                            const FleetYamlNode *value, gpointer object)
{
  fleet_scalar_to_bool (diags, field, value, &((RollbackParse *) object)->rollback->idempotent);
}

static const FleetFieldHandlerEntry rollback_handlers[] = {
  { "undo", handle_undo },
  { "steps", handle_rollback_steps },
  { "timeout", handle_rollback_timeout },
  { "become", handle_rollback_become },
  { "on_halt", handle_on_halt },
  { "idempotent", handle_rollback_idempotent },
};

FleetRollback *
fleet_parse_rollback (FleetDiagnostics *diags, const FleetYamlNode *value)
{
  RollbackParse parse = {
    .rollback = fleet_rollback_new (),
    .undo_timeout_ms = FLEET_ROLLBACK_DEFAULT_TIMEOUT_MS,
  };

  fleet_walk_mapping (diags, value, FLEET_SCHEMA_ROLLBACK, rollback_handlers,
                      G_N_ELEMENTS (rollback_handlers), &parse);

  for (guint i = 0; i < parse.rollback->undo->len; i++)
    {
      FleetRollbackCommand *command = g_ptr_array_index (parse.rollback->undo, i);

      command->timeout_ms = parse.undo_timeout_ms;
      command->become = parse.undo_become;
    }

  if (parse.rollback->undo->len == 0 && parse.rollback->steps->len == 0)
    fleet_diagnostics_error (diags, &value->pos, "\"rollback\" has no commands; give \"undo\" "
                             "commands for steps or a list of rollback \"steps\"");
  return parse.rollback;
}

void
fleet_check_rollback_undo (FleetDiagnostics *diags, const FleetYamlNode *value,
                           const GPtrArray *steps)
{
  const FleetYamlNode *undo = fleet_yaml_mapping_lookup (value, "undo");

  if (undo == NULL || undo->kind != FLEET_YAML_MAPPING)
    return;

  for (guint i = 0; i < undo->keys->len; i++)
    {
      const FleetYamlNode *key = g_ptr_array_index (undo->keys, i);
      gboolean found = FALSE;

      for (guint s = 0; s < steps->len && !found; s++)
        found = g_strcmp0 (((const FleetStep *) g_ptr_array_index (steps, s))->name,
                           key->value) == 0;
      if (!found)
        {
          g_autofree char *quoted = fleet_quote_value (key->value, FLEET_QUOTE_MAX_CHARS);

          fleet_diagnostics_error (diags, &key->pos,
                                   "\"undo\" names step %s, which the workflow does not have; "
                                   "use the name of a step", quoted);
        }
    }
}
