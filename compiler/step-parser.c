/* step-parser.c: the workflow's `steps` list. */
#include "compiler/step-parser.h"

#include <string.h>

#include "compiler/scalar.h"
#include "compiler/schema-check.h"
#include "compiler/step-kinds.h"
#include "compiler/step-values.h"
#include "schema/fleet-expr.h"
#include "schema/fleet-model.h"
#include "schema/fleet-step-barrier.h"
#include "schema/fleet-template.h"

/* One step while its mapping is read.  `step` comes first: the handlers
 * of step-kinds.c read it from there. */
typedef struct {
  FleetStep *step;
  const FleetYamlNode *name_node;     /* NULL until a valid name is read */
  const FleetYamlNode *become_node;   /* NULL when `become` is absent */
  gboolean has_timeout;
} StepParse;

static void
handle_name (FleetDiagnostics *diags, const FleetSchemaField *field, const FleetYamlNode *value, gpointer object)
{
  StepParse *parse = object;

  if (fleet_scalar_to_string (diags, field, value, &parse->step->name))
    parse->name_node = value;
}

/* Return the source position of the byte at `offset` of the scalar `node`,
 * or the node's own position when the text cannot be matched
 * (fleet_yaml_scalar_locate). */
static FleetSourcePos
position_in_scalar (const FleetYamlNode *node, gsize offset)
{
  FleetSourcePos pos = node->pos;

  fleet_yaml_scalar_locate (node, "{{", offset, &pos);
  return pos;
}

/* Parse the `{{ }}` references of the command, recording each with its
 * position; values are filled in per host by the planner. */
static void
parse_command_refs (FleetDiagnostics *diags, const FleetYamlNode *value, FleetStep *step)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (GPtrArray) refs = NULL;
  gsize error_offset = 0;

  if (!fleet_template_has_refs (step->command))
    return;

  refs = fleet_template_parse (step->command, &error_offset, &error);
  if (refs == NULL)
    {
      FleetSourcePos pos = position_in_scalar (value, error_offset);

      fleet_diagnostics_error (diags, &pos, "%s", error->message);
      return;
    }

  step->command_ref_positions = g_array_sized_new (FALSE, FALSE, sizeof (FleetSourcePos), refs->len);
  for (guint i = 0; i < refs->len; i++)
    {
      const FleetTemplateRef *ref = g_ptr_array_index (refs, i);
      FleetSourcePos pos = position_in_scalar (value, ref->offset);

      g_array_append_val (step->command_ref_positions, pos);
    }
  step->command_refs = g_steal_pointer (&refs);
}

static void
handle_run (FleetDiagnostics *diags, const FleetSchemaField *field, const FleetYamlNode *value, gpointer object)
{
  StepParse *parse = object;

  if (fleet_scalar_to_string (diags, field, value, &parse->step->command))
    parse_command_refs (diags, value, parse->step);
}

/* Read the condition and check its syntax; which names it may use is
 * checked once all steps are read (check_step_results). */
static void
handle_when (FleetDiagnostics *diags, const FleetSchemaField *field, const FleetYamlNode *value, gpointer object)
{
  StepParse *parse = object;
  g_autoptr (FleetExpr) expr = NULL;
  g_autoptr (GError) error = NULL;
  guint error_column = 0;

  if (!fleet_scalar_to_string (diags, field, value, &parse->step->when))
    return;

  parse->step->when_pos = value->pos;
  expr = fleet_expr_parse_full (parse->step->when, &error_column, &error);
  if (expr == NULL)
    fleet_diagnostics_error (diags, &value->pos, "invalid condition in \"%s\": %s",
                             field->key, error->message);
}

/* Read a `needs` entry that waits for a step on the hosts of a group:
 * `{step: NAME, on: GROUP}`.  The step also orders this one on every host,
 * as a plain name does. */
static void
parse_group_need (FleetDiagnostics *diags, const FleetSchemaField *field,
                  const FleetYamlNode *entry, FleetStep *step)
{
  const FleetYamlNode *step_node = NULL;
  const FleetYamlNode *group_node = NULL;
  g_autofree char *step_name = NULL;
  g_autofree char *group = NULL;
  FleetStepBarrier *barrier;

  for (guint k = 0; k < entry->keys->len; k++)
    {
      const FleetYamlNode *key = g_ptr_array_index (entry->keys, k);

      if (g_strcmp0 (key->value, "step") == 0)
        step_node = g_ptr_array_index (entry->items, k);
      else if (g_strcmp0 (key->value, "on") == 0)
        group_node = g_ptr_array_index (entry->items, k);
      else
        fleet_diagnostics_error (diags, &key->pos,
                                 "unknown key \"%s\" in a \"needs\" entry; an entry that waits "
                                 "for other hosts has \"step\" and \"on\" (a group)",
                                 key->value);
    }

  if (step_node == NULL || group_node == NULL)
    {
      fleet_diagnostics_error (diags, &entry->pos,
                               "a \"needs\" entry that waits for other hosts needs both "
                               "\"step\" (the step) and \"on\" (the group whose hosts run it "
                               "first)");
      return;
    }
  if (!fleet_scalar_to_string (diags, field, step_node, &step_name)
      || !fleet_scalar_to_name (diags, field, group_node, &group))
    return;

  g_ptr_array_add (step->needs, g_strdup (step_name));
  barrier = fleet_step_barrier_new (step_name, group);
  barrier->pos = entry->pos;
  if (step->barriers == NULL)
    step->barriers = g_ptr_array_new_with_free_func ((GDestroyNotify) fleet_step_barrier_free);
  g_ptr_array_add (step->barriers, barrier);
}

static void
handle_needs (FleetDiagnostics *diags, const FleetSchemaField *field, const FleetYamlNode *value, gpointer object)
{
  StepParse *parse = object;

  parse->step->needs = g_ptr_array_new_with_free_func (g_free);
  parse->step->needs_pos = value->pos;
  for (guint i = 0; i < value->items->len; i++)
    {
      const FleetYamlNode *entry = g_ptr_array_index (value->items, i);
      char *name = NULL;

      if (entry->kind == FLEET_YAML_MAPPING)
        parse_group_need (diags, field, entry, parse->step);
      else if (fleet_scalar_to_string (diags, field, entry, &name))
        g_ptr_array_add (parse->step->needs, name);
    }
}

static void
handle_timeout (FleetDiagnostics *diags, const FleetSchemaField *field, const FleetYamlNode *value, gpointer object)
{
  StepParse *parse = object;

  parse->has_timeout = TRUE;
  fleet_scalar_to_duration (diags, field, value, &parse->step->timeout_ms);
}

static void
handle_estimate (FleetDiagnostics *diags, const FleetSchemaField *field, const FleetYamlNode *value, gpointer object)
{
  StepParse *parse = object;

  fleet_scalar_to_duration (diags, field, value, &parse->step->estimate_ms);
}

static void
append_exit_code (FleetDiagnostics *diags, const FleetSchemaField *field, const FleetYamlNode *node, GArray *codes)
{
  gint64 value;
  int code;

  if (!fleet_scalar_to_int (diags, field, node, &value))
    return;

  code = (int) value;
  g_array_append_val (codes, code);
}

static void
handle_expect_exit (FleetDiagnostics *diags, const FleetSchemaField *field, const FleetYamlNode *value, gpointer object)
{
  StepParse *parse = object;
  GArray *codes = parse->step->expected_exit_codes;

  g_array_set_size (codes, 0);
  if (value->kind == FLEET_YAML_SCALAR)
    {
      append_exit_code (diags, field, value, codes);
      return;
    }

  if (value->items->len == 0)
    fleet_diagnostics_error (diags, &value->pos,
                             "invalid value for \"%s\": the list is empty; give at least one exit status",
                             field->key);

  for (guint i = 0; i < value->items->len; i++)
    append_exit_code (diags, field, g_ptr_array_index (value->items, i), codes);
}

static void
handle_become (FleetDiagnostics *diags, const FleetSchemaField *field, const FleetYamlNode *value, gpointer object)
{
  StepParse *parse = object;

  if (fleet_scalar_to_bool (diags, field, value, &parse->step->become))
    parse->become_node = value;
}

static void
handle_become_user (FleetDiagnostics *diags, const FleetSchemaField *field, const FleetYamlNode *value, gpointer object)
{
  StepParse *parse = object;

  fleet_scalar_to_name (diags, field, value, &parse->step->become_user);
}

static void
handle_idempotent (FleetDiagnostics *diags, const FleetSchemaField *field, const FleetYamlNode *value, gpointer object)
{
  StepParse *parse = object;

  fleet_scalar_to_bool (diags, field, value, &parse->step->idempotent);
}

static const FleetFieldHandlerEntry step_handlers[] = {
  { "name", handle_name },
  { "run", handle_run },
  { "when", handle_when },
  { "needs", handle_needs },
  { "timeout", handle_timeout },
  { "estimate", handle_estimate },
  { "expect_exit", handle_expect_exit },
  { "become", handle_become },
  { "become_user", handle_become_user },
  { "idempotent", handle_idempotent },
};

/* Apply the rules that tie keys together once the whole mapping is read. */
static void
finish_step (FleetDiagnostics *diags, StepParse *parse)
{
  FleetStep *step = parse->step;
  g_autofree char *quoted = NULL;

  if (step->become_user != NULL && parse->become_node != NULL && !step->become)
    fleet_diagnostics_error (diags, &parse->become_node->pos,
                             "\"become\" is false but \"become_user\" is set; "
                             "remove one of them");
  else if (step->become_user != NULL)
    step->become = TRUE;

  if (parse->has_timeout)
    return;

  if (step->name == NULL)
    {
      fleet_diagnostics_warning (diags, &step->pos,
                                 "step has no timeout; a hung command will hold the run "
                                 "until it is interrupted");
      return;
    }

  quoted = fleet_quote_value (step->name, FLEET_QUOTE_MAX_CHARS);
  fleet_diagnostics_warning (diags, &step->pos,
                             "step %s has no timeout; a hung command will hold the run "
                             "until it is interrupted",
                             quoted);
}

/* Report the step name when an earlier step has it already. */
static void
check_unique_name (FleetDiagnostics *diags, GHashTable *first_names, const FleetYamlNode *name_node)
{
  const FleetYamlNode *first = g_hash_table_lookup (first_names, name_node->value);
  g_autofree char *quoted = NULL;

  if (first == NULL)
    {
      g_hash_table_insert (first_names, name_node->value, (gpointer) name_node);
      return;
    }

  quoted = fleet_quote_value (name_node->value, FLEET_QUOTE_MAX_CHARS);
  fleet_diagnostics_error (diags, &name_node->pos,
                           "duplicate step name %s; the first step with this name is at "
                           "line %u, column %u",
                           quoted, first->pos.line, first->pos.column);
}

static FleetStep *
parse_step (FleetDiagnostics *diags, const FleetYamlNode *mapping, GHashTable *first_names)
{
  StepParse parse = { .step = fleet_step_new (NULL, NULL) };

  gsize n_kind_handlers = 0;
  const FleetFieldHandlerEntry *kind_handlers = fleet_step_kind_handlers (&n_kind_handlers);
  g_autoptr(GArray) handlers = g_array_new (FALSE, FALSE, sizeof (FleetFieldHandlerEntry));

  g_array_append_vals (handlers, step_handlers, G_N_ELEMENTS (step_handlers));
  g_array_append_vals (handlers, kind_handlers, n_kind_handlers);

  parse.step->pos = mapping->pos;
  fleet_walk_mapping (diags, mapping, FLEET_SCHEMA_STEP, (const FleetFieldHandlerEntry *) handlers->data,
                      handlers->len, &parse);
  fleet_finish_step_kind (diags, mapping, parse.step);
  fleet_parse_step_values (diags, mapping, parse.step);
  finish_step (diags, &parse);

  if (parse.name_node != NULL)
    check_unique_name (diags, first_names, parse.name_node);

  return parse.step;
}

/* Report each `steps.NAME.FIELD` name in the condition of `step` that does
 * not name an earlier step in `earlier` (char * name -> FleetStep *) or a
 * known field. */
static void
check_step_results (FleetDiagnostics *diags, const FleetStep *step, GHashTable *earlier)
{
  g_autoptr (FleetExpr) expr = fleet_expr_parse (step->when, NULL);
  g_autoptr (GPtrArray) names = g_ptr_array_new_with_free_func (g_free);

  if (expr == NULL)
    return;

  fleet_expr_collect_names (expr, names);
  for (guint i = 0; i < names->len; i++)
    {
      const char *name = g_ptr_array_index (names, i);
      g_auto (GStrv) parts = NULL;

      if (!g_str_has_prefix (name, "steps."))
        continue;

      parts = g_strsplit (name, ".", 3);
      if (g_strv_length (parts) != 3
          || (strcmp (parts[2], "rc") != 0 && strcmp (parts[2], "stdout") != 0))
        fleet_diagnostics_error (diags, &step->when_pos,
                                 "invalid name \"%s\" in condition; write steps.STEP.rc or "
                                 "steps.STEP.stdout",
                                 name);
      else if (!g_hash_table_contains (earlier, parts[1]))
        fleet_diagnostics_error (diags, &step->when_pos,
                                 "condition refers to step \"%s\", which is not an earlier "
                                 "step; name a step that runs before this one",
                                 parts[1]);
    }
}

void
fleet_parse_steps (FleetDiagnostics *diags,
                   const FleetSchemaField *field,
                   const FleetYamlNode *list,
                   GPtrArray *steps)
{
  g_autoptr (GHashTable) first_names = g_hash_table_new (g_str_hash, g_str_equal);

  if (list->items->len == 0)
    fleet_diagnostics_error (diags, &list->pos,
                             "invalid value for \"%s\": the list is empty; add at least one step",
                             field->key);

  for (guint i = 0; i < list->items->len; i++)
    {
      const FleetYamlNode *item = g_ptr_array_index (list->items, i);
      FleetStep *step;

      if (!fleet_expect_mapping (diags, item, "item in \"steps\""))
        continue;

      step = parse_step (diags, item, first_names);
      g_ptr_array_add (steps, step);
    }
}

void
fleet_check_steps (FleetDiagnostics *diags, const GPtrArray *steps)
{
  g_autoptr (GHashTable) earlier = g_hash_table_new (g_str_hash, g_str_equal);

  for (guint i = 0; i < steps->len; i++)
    {
      const FleetStep *step = g_ptr_array_index (steps, i);
      const FleetStep *first;

      if (step->when != NULL)
        check_step_results (diags, step, earlier);
      if (step->name == NULL)
        continue;

      /* fleet_parse_steps reports repeats within one list. */
      first = g_hash_table_lookup (earlier, step->name);
      if (first == NULL)
        {
          g_hash_table_insert (earlier, step->name, (gpointer) step);
          continue;
        }
      if (first->pos.file != step->pos.file)
        {
          g_autofree char *quoted = fleet_quote_value (step->name, FLEET_QUOTE_MAX_CHARS);

          fleet_diagnostics_error (diags, &step->pos,
                                   "duplicate step name %s; the first step with this name is at "
                                   "%s:%u:%u",
                                   quoted, first->pos.file, first->pos.line, first->pos.column);
        }
    }
}
