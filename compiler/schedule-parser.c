/* schedule-parser.c: the workflow's `schedule` mapping. */
#include "compiler/schedule-parser.h"

#include "compiler/scalar.h"
#include "compiler/schema-check.h"

static void
handle_margin (FleetDiagnostics *diags, const FleetSchemaField *field,
               const FleetYamlNode *value, gpointer object)
{
  FleetScheduleSettings *settings = object;

  fleet_scalar_to_duration (diags, field, value, &settings->margin_ms);
}

static void
handle_at_window_end (FleetDiagnostics *diags, const FleetSchemaField *field,
                      const FleetYamlNode *value, gpointer object)
{
  FleetScheduleSettings *settings = object;
  g_autofree char *text = NULL;

  if (!fleet_scalar_to_string (diags, field, value, &text))
    return;
  if (!fleet_at_window_end_from_string (text, &settings->at_window_end))
    fleet_diagnostics_error (diags, &value->pos,
                             "invalid value \"%s\" for \"at_window_end\"; use finish (running "
                             "steps complete) or abort (running steps are killed)", text);
}

static const FleetFieldHandlerEntry schedule_handlers[] = {
  { "margin", handle_margin },
  { "at_window_end", handle_at_window_end },
};

void
fleet_parse_schedule (FleetDiagnostics *diags,
                      const FleetYamlNode *value,
                      FleetScheduleSettings *settings)
{
  settings->pos = value->pos;
  fleet_walk_mapping (diags, value, FLEET_SCHEMA_SCHEDULE, schedule_handlers,
                      G_N_ELEMENTS (schedule_handlers), settings);
}
