/* workflow-parser.c: the top level of a workflow file. */
#include "compiler/workflow-parser.h"

#include "compiler/check-parser.h"
#include "compiler/pacing-parser.h"
#include "compiler/rollout-parser.h"
#include "compiler/dynamic-inventory.h"
#include "compiler/scalar.h"
#include "compiler/schema-check.h"
#include "compiler/schedule-parser.h"
#include "compiler/snapshot-parser.h"
#include "compiler/step-includes.h"
#include "compiler/step-order.h"
#include "compiler/step-parser.h"
#include "compiler/target-parser.h"
#include "schema/fleet-template.h"

/* The workflow while its mapping is read. */
typedef struct {
  FleetWorkflow *workflow;
  GPtrArray *inventory_refs;   /* FleetInventoryRef *, owned by the caller */
  GPtrArray *included_steps;   /* FleetStep *, from `include`, run before `steps` */
  guint64 inventory_timeout_ms;
} WorkflowParse;

static void
handle_name (FleetDiagnostics *diags, const FleetSchemaField *field, const FleetYamlNode *value, gpointer object)
{
  WorkflowParse *parse = object;

  fleet_scalar_to_string (diags, field, value, &parse->workflow->name);
}

static void
add_inventory_ref (FleetDiagnostics *diags, const FleetSchemaField *field, const FleetYamlNode *value,
                   WorkflowParse *parse)
{
  g_autofree char *path = NULL;

  if (fleet_scalar_to_string (diags, field, value, &path))
    g_ptr_array_add (parse->inventory_refs, fleet_inventory_ref_new (path, &value->pos));
}

static void
handle_inventory (FleetDiagnostics *diags, const FleetSchemaField *field, const FleetYamlNode *value, gpointer object)
{
  WorkflowParse *parse = object;

  if (value->kind == FLEET_YAML_SCALAR)
    {
      add_inventory_ref (diags, field, value, parse);
      return;
    }

  if (value->items->len == 0)
    fleet_diagnostics_error (diags, &value->pos,
                             "invalid value for \"%s\": the list is empty; name at least one "
                             "inventory file",
                             field->key);

  for (guint i = 0; i < value->items->len; i++)
    add_inventory_ref (diags, field, g_ptr_array_index (value->items, i), parse);
}

static void
handle_inventory_timeout (FleetDiagnostics *diags, const FleetSchemaField *field, const FleetYamlNode *value, gpointer object)
{
  WorkflowParse *parse = object;

  fleet_scalar_to_duration (diags, field, value, &parse->inventory_timeout_ms);
}

static void
handle_target (FleetDiagnostics *diags, const FleetSchemaField *field, const FleetYamlNode *value, gpointer object)
{
  WorkflowParse *parse = object;

  fleet_parse_target (diags, value, &parse->workflow->target);
}

static void
handle_parallelism (FleetDiagnostics *diags, const FleetSchemaField *field, const FleetYamlNode *value, gpointer object)
{
  WorkflowParse *parse = object;
  gint64 parallelism;

  if (fleet_scalar_to_int (diags, field, value, &parallelism))
    parse->workflow->parallelism = (guint) parallelism;
}

static void
handle_concurrent_steps (FleetDiagnostics *diags, const FleetSchemaField *field,
                         const FleetYamlNode *value, gpointer object)
{
  WorkflowParse *parse = object;
  gint64 concurrent_steps;

  if (!fleet_scalar_to_int (diags, field, value, &concurrent_steps))
    return;
  parse->workflow->concurrent_steps = (guint) concurrent_steps;
  parse->workflow->concurrent_steps_pos = value->pos;
}

static void
handle_waves (FleetDiagnostics *diags, const FleetSchemaField *field, const FleetYamlNode *value, gpointer object)
{
  WorkflowParse *parse = object;

  if (value->items->len == 0)
    fleet_diagnostics_error (diags, &value->pos,
                             "invalid value for \"%s\": the list is empty; give at least one "
                             "wave size, for example [100%%]",
                             field->key);

  for (guint i = 0; i < value->items->len; i++)
    {
      FleetBatch batch;

      if (fleet_scalar_to_batch (diags, field, g_ptr_array_index (value->items, i), &batch))
        g_array_append_val (parse->workflow->batches, batch);
    }
}

static void
handle_canary (FleetDiagnostics *diags, const FleetSchemaField *field, const FleetYamlNode *value, gpointer object)
{
  WorkflowParse *parse = object;

  fleet_parse_canary (diags, field, value, &parse->workflow->canary);
}

static void
handle_spread (FleetDiagnostics *diags, const FleetSchemaField *field, const FleetYamlNode *value, gpointer object)
{
  WorkflowParse *parse = object;

  fleet_parse_spread (diags, field, value, parse->workflow->spread);
}

static void
handle_order (FleetDiagnostics *diags, const FleetSchemaField *field, const FleetYamlNode *value, gpointer object)
{
  WorkflowParse *parse = object;

  fleet_parse_order (diags, value, &parse->workflow->order);
}

static void
handle_halt_at (FleetDiagnostics *diags, const FleetSchemaField *field, const FleetYamlNode *value, gpointer object)
{
  WorkflowParse *parse = object;

  fleet_parse_halt_at (diags, value, &parse->workflow->halt_at);
}

static void
handle_steps (FleetDiagnostics *diags, const FleetSchemaField *field, const FleetYamlNode *value, gpointer object)
{
  WorkflowParse *parse = object;

  fleet_parse_steps (diags, field, value, parse->workflow->steps);
}

static void
handle_include (FleetDiagnostics *diags, const FleetSchemaField *field, const FleetYamlNode *value, gpointer object)
{
  WorkflowParse *parse = object;
  g_autoptr (GPtrArray) chain = g_ptr_array_new_with_free_func (g_free);

  g_ptr_array_add (chain, g_canonicalize_filename (value->pos.file, NULL));
  fleet_include_steps (diags, field, value, chain, parse->included_steps);
}

static void
handle_vars (FleetDiagnostics *diags, const FleetSchemaField *field, const FleetYamlNode *value, gpointer object)
{
  WorkflowParse *parse = object;

  fleet_mapping_to_strings (diags, field, value, parse->workflow->vars, NULL);

  for (guint i = 0; i < value->keys->len; i++)
    {
      const FleetYamlNode *key = g_ptr_array_index (value->keys, i);
      g_autofree char *quoted = NULL;

      if (fleet_template_is_name (key->value))
        continue;

      quoted = fleet_quote_value (key->value, FLEET_QUOTE_MAX_CHARS);
      fleet_diagnostics_error (diags, &key->pos,
                               "invalid variable name %s in \"%s\"; use letters, digits and "
                               "'_', not starting with a digit",
                               quoted, field->key);
    }
}

/* `windows` and `freezes` name inventory groups, so fleet-compiler.c
 * reads them after the inventory (window-parser.h). */
static void
handle_windows_later (FleetDiagnostics *diags, const FleetSchemaField *field, const FleetYamlNode *value, gpointer object)
{
}

static void
handle_snapshot (FleetDiagnostics *diags, const FleetSchemaField *field, const FleetYamlNode *value, gpointer object)
{
  WorkflowParse *parse = object;

  fleet_snapshot_config_free (parse->workflow->snapshot);
  parse->workflow->snapshot = fleet_parse_snapshot (diags, value);
}

static void
handle_checks (FleetDiagnostics *diags, const FleetSchemaField *field, const FleetYamlNode *value, gpointer object)
{
  WorkflowParse *parse = object;

  fleet_parse_checks (diags, field, value, parse->workflow->checks);
}

static void
handle_between_waves (FleetDiagnostics *diags, const FleetSchemaField *field, const FleetYamlNode *value, gpointer object)
{
  WorkflowParse *parse = object;

  fleet_parse_between_waves (diags, value, &parse->workflow->between_waves);
}

static void
handle_rollback (FleetDiagnostics *diags, const FleetSchemaField *field, const FleetYamlNode *value, gpointer object)
{
  WorkflowParse *parse = object;

  fleet_rollback_free (parse->workflow->rollback);
  parse->workflow->rollback = fleet_parse_rollback (diags, value);
}

static void
handle_concurrency (FleetDiagnostics *diags, const FleetSchemaField *field, const FleetYamlNode *value, gpointer object)
{
  WorkflowParse *parse = object;

  fleet_parse_concurrency (diags, value, parse->workflow->pacing, parse->workflow->cap_positions);
}

static void
handle_protect (FleetDiagnostics *diags, const FleetSchemaField *field, const FleetYamlNode *value, gpointer object)
{
  WorkflowParse *parse = object;

  fleet_parse_protect (diags, value, parse->workflow->pacing);
}

static void
handle_schedule (FleetDiagnostics *diags, const FleetSchemaField *field, const FleetYamlNode *value, gpointer object)
{
  WorkflowParse *parse = object;

  fleet_parse_schedule (diags, value, &parse->workflow->schedule);
}

static const FleetFieldHandlerEntry workflow_handlers[] = {
  { "name", handle_name },
  { "inventory", handle_inventory },
  { "inventory_timeout", handle_inventory_timeout },
  { "target", handle_target },
  { "parallelism", handle_parallelism },
  { "concurrent_steps", handle_concurrent_steps },
  { "concurrency", handle_concurrency },
  { "protect", handle_protect },
  { "canary", handle_canary },
  { "waves", handle_waves },
  { "vars", handle_vars },
  { "include", handle_include },
  { "spread", handle_spread },
  { "order", handle_order },
  { "halt_at", handle_halt_at },
  { "steps", handle_steps },
  { "windows", handle_windows_later },
  { "freezes", handle_windows_later },
  { "snapshot", handle_snapshot },
  { "checks", handle_checks },
  { "between_waves", handle_between_waves },
  { "rollback", handle_rollback },
  { "schedule", handle_schedule },
};

/* `concurrency: initial` above `parallelism` is cut to it; say so, since
 * the author expected more hosts at once. */
static void
warn_initial_above_parallelism (FleetDiagnostics *diags, const FleetYamlNode *root,
                                const FleetWorkflow *workflow)
{
  const FleetYamlNode *concurrency = fleet_yaml_mapping_lookup (root, "concurrency");
  const FleetYamlNode *initial;

  if (workflow->pacing->initial <= workflow->parallelism || concurrency == NULL
      || concurrency->kind != FLEET_YAML_MAPPING)
    return;

  initial = fleet_yaml_mapping_lookup (concurrency, "initial");
  fleet_diagnostics_warning (diags, initial != NULL ? &initial->pos : &concurrency->pos,
                             "concurrency \"initial\" (%u) is above \"parallelism\" (%u), "
                             "which caps it: the run starts with %u hosts; raise parallelism "
                             "or lower initial",
                             workflow->pacing->initial, workflow->parallelism,
                             workflow->parallelism);
}

/* Without `waves`, the whole selection is one wave. */
static void
add_default_wave (FleetWorkflow *workflow)
{
  FleetBatch all = { .kind = FLEET_BATCH_PERCENT, .value = 100 };

  g_array_append_val (workflow->batches, all);
}

FleetWorkflow *
fleet_parse_workflow (FleetDiagnostics *diags,
                      const FleetYamlNode *root,
                      GPtrArray *inventory_refs,
                      guint64 *inventory_timeout_ms)
{
  WorkflowParse parse = {
    .workflow = fleet_workflow_new (),
    .inventory_refs = inventory_refs,
    .inventory_timeout_ms = FLEET_DEFAULT_DYNAMIC_INVENTORY_TIMEOUT_MS,
    .included_steps = g_ptr_array_new_with_free_func ((GDestroyNotify) fleet_step_free),
  };

  parse.workflow->pos = root->pos;
  if (fleet_expect_mapping (diags, root, "workflow file"))
    {
      fleet_walk_mapping (diags, root, FLEET_SCHEMA_WORKFLOW, workflow_handlers,
                          G_N_ELEMENTS (workflow_handlers), &parse);
      warn_initial_above_parallelism (diags, root, parse.workflow);
      if (fleet_yaml_mapping_lookup (root, "waves") == NULL)
        add_default_wave (parse.workflow);
      if (fleet_yaml_mapping_lookup (root, "steps") == NULL
          && fleet_yaml_mapping_lookup (root, "include") == NULL)
        fleet_diagnostics_error (diags, &root->pos, "missing required key \"steps\" in workflow");
    }

  /* Included steps run first, whatever the order of the keys. */
  g_ptr_array_extend_and_steal (parse.included_steps, g_steal_pointer (&parse.workflow->steps));
  parse.workflow->steps = g_steal_pointer (&parse.included_steps);
  fleet_order_steps (diags, parse.workflow->steps);
  fleet_check_steps (diags, parse.workflow->steps);
  if (parse.workflow->rollback != NULL)
    fleet_check_rollback_undo (diags, fleet_yaml_mapping_lookup (root, "rollback"),
                               parse.workflow->steps);

  *inventory_timeout_ms = parse.inventory_timeout_ms;
  return parse.workflow;
}
