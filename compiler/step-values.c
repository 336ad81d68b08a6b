/* step-values.c: step settings with `{{ }}` references; the contract is in
 * step-values.h. */
#include "compiler/step-values.h"

#include "schema/fleet-step-values.h"
#include "schema/fleet-template.h"

/* Return the position in the file of byte `offset` of the scalar `node`,
 * or the scalar's own position when the text cannot be matched. */
static FleetSourcePos
position_in_scalar (const FleetYamlNode *node, gsize offset)
{
  FleetSourcePos pos = node->pos;

  fleet_yaml_scalar_locate (node, "{{", offset, &pos);
  return pos;
}

/* Record the scalar `node` under `key` when it has references. */
static void
add_value (FleetDiagnostics *diags, FleetStep *step, const char *key, const FleetYamlNode *node,
           FleetStepValueSyntax syntax, gboolean may_be_empty)
{
  g_autoptr(FleetStepValueTemplate) value = NULL;
  g_autoptr(GError) error = NULL;
  gsize error_offset = 0;

  if (node == NULL || node->kind != FLEET_YAML_SCALAR || !fleet_template_has_refs (node->value))
    return;

  value = fleet_step_value_template_new (key, node->value, syntax);
  value->may_be_empty = may_be_empty;
  value->pos = node->pos;
  value->refs = fleet_template_parse (node->value, &error_offset, &error);
  if (value->refs == NULL)
    {
      FleetSourcePos pos = position_in_scalar (node, error_offset);

      fleet_diagnostics_error (diags, &pos, "%s", error->message);
      return;
    }

  value->ref_positions = g_array_sized_new (FALSE, FALSE, sizeof (FleetSourcePos),
                                            value->refs->len);
  for (guint i = 0; i < value->refs->len; i++)
    {
      FleetTemplateRef *ref = g_ptr_array_index (value->refs, i);
      FleetSourcePos pos = position_in_scalar (node, ref->offset);

      /* Only commands are shell input; fleet-run quotes paths and env
       * values as a whole where they reach a shell. */
      if (syntax != FLEET_STEP_VALUE_SHELL_COMMAND)
        ref->raw = TRUE;
      g_array_append_val (value->ref_positions, pos);
    }

  if (step->values == NULL)
    step->values = fleet_step_values_new ();
  if (step->values->templates == NULL)
    step->values->templates = g_ptr_array_new_with_free_func (
      (GDestroyNotify) fleet_step_value_template_free);
  g_ptr_array_add (step->values->templates, g_steal_pointer (&value));
}

static const FleetYamlNode *
lookup_in (const FleetYamlNode *mapping, const char *key)
{
  if (mapping == NULL || mapping->kind != FLEET_YAML_MAPPING)
    return NULL;
  return fleet_yaml_mapping_lookup (mapping, key);
}

void
fleet_parse_step_values (FleetDiagnostics *diags, const FleetYamlNode *mapping, FleetStep *step)
{
  const FleetYamlNode *copy = lookup_in (mapping, "copy");
  const FleetYamlNode *template = lookup_in (mapping, "template");
  const FleetYamlNode *reboot = lookup_in (mapping, "reboot");
  const FleetYamlNode *wait_for = lookup_in (mapping, "wait_for");
  const FleetYamlNode *env = lookup_in (mapping, "env");

  /* A step with two kind keys is an error already; its values are not
   * rendered. */
  if (step->kind_data != NULL)
    switch (step->kind_data->kind)
      {
      case FLEET_STEP_KIND_COPY:
        add_value (diags, step, FLEET_STEP_VALUE_DEST, lookup_in (copy, "dest"),
                   FLEET_STEP_VALUE_FILE_PATH, FALSE);
        break;
      case FLEET_STEP_KIND_TEMPLATE:
        add_value (diags, step, FLEET_STEP_VALUE_DEST, lookup_in (template, "dest"),
                   FLEET_STEP_VALUE_FILE_PATH, FALSE);
        break;
      case FLEET_STEP_KIND_REBOOT:
        add_value (diags, step, FLEET_STEP_VALUE_COMMAND, lookup_in (reboot, "command"),
                   FLEET_STEP_VALUE_SHELL_COMMAND, FALSE);
        add_value (diags, step, FLEET_STEP_VALUE_BOOT_ID_FILE, lookup_in (reboot, "boot_id_file"),
                   FLEET_STEP_VALUE_ABSOLUTE_PATH, FALSE);
        break;
      case FLEET_STEP_KIND_WAIT_FOR:
        add_value (diags, step, FLEET_STEP_VALUE_COMMAND, lookup_in (wait_for, "command"),
                   FLEET_STEP_VALUE_SHELL_COMMAND, FALSE);
        add_value (diags, step, FLEET_STEP_VALUE_WAIT_PATH, lookup_in (wait_for, "path"),
                   FLEET_STEP_VALUE_ABSOLUTE_PATH, FALSE);
        break;
      case FLEET_STEP_KIND_SHELL:
      case FLEET_STEP_KIND_SCRIPT:
      case FLEET_STEP_KIND_LOCAL:
      default:
        break;
      }

  add_value (diags, step, FLEET_STEP_VALUE_WORKDIR, lookup_in (mapping, "workdir"),
             FLEET_STEP_VALUE_TEXT, FALSE);

  for (guint i = 0; env != NULL && env->kind == FLEET_YAML_MAPPING && i < env->keys->len; i++)
    {
      const FleetYamlNode *name = g_ptr_array_index (env->keys, i);
      g_autofree char *key = NULL;

      if (name->kind != FLEET_YAML_SCALAR || !fleet_template_is_name (name->value))
        continue;
      key = g_strconcat (FLEET_STEP_VALUE_ENV_PREFIX, name->value, NULL);
      add_value (diags, step, key, g_ptr_array_index (env->items, i), FLEET_STEP_VALUE_TEXT, TRUE);
    }
}
