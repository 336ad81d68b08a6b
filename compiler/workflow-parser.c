/* workflow-parser.c: the top level of a workflow file. */
#include "compiler/workflow-parser.h"

#include "compiler/rollout-parser.h"
#include "compiler/scalar.h"
#include "compiler/schema-check.h"
#include "compiler/step-parser.h"
#include "compiler/target-parser.h"

/* The workflow while its mapping is read. */
typedef struct {
  FleetWorkflow *workflow;
  char *inventory;
  FleetSourcePos inventory_pos;
} WorkflowParse;

static void
handle_name (FleetDiagnostics *diags, const FleetSchemaField *field, const FleetYamlNode *value, gpointer object)
{
  WorkflowParse *parse = object;

  fleet_scalar_to_string (diags, field, value, &parse->workflow->name);
}

static void
handle_inventory (FleetDiagnostics *diags, const FleetSchemaField *field, const FleetYamlNode *value, gpointer object)
{
  WorkflowParse *parse = object;

  if (fleet_scalar_to_string (diags, field, value, &parse->inventory))
    parse->inventory_pos = value->pos;
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

static const FleetFieldHandlerEntry workflow_handlers[] = {
  { "name", handle_name },
  { "inventory", handle_inventory },
  { "target", handle_target },
  { "parallelism", handle_parallelism },
  { "canary", handle_canary },
  { "waves", handle_waves },
  { "spread", handle_spread },
  { "order", handle_order },
  { "halt_at", handle_halt_at },
  { "steps", handle_steps },
};

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
                      char **inventory_out,
                      FleetSourcePos *inventory_pos)
{
  WorkflowParse parse = { .workflow = fleet_workflow_new () };

  parse.workflow->pos = root->pos;
  if (fleet_expect_mapping (diags, root, "workflow file"))
    {
      fleet_walk_mapping (diags, root, FLEET_SCHEMA_WORKFLOW, workflow_handlers,
                          G_N_ELEMENTS (workflow_handlers), &parse);
      if (fleet_yaml_mapping_lookup (root, "waves") == NULL)
        add_default_wave (parse.workflow);
    }

  *inventory_out = parse.inventory;
  *inventory_pos = parse.inventory_pos;
  return parse.workflow;
}
