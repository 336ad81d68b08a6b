/* schedule-parser.h: the workflow's `schedule` mapping. */
#pragma once

#include "compiler/yaml-tree.h"
#include "schema/fleet-diagnostics.h"
#include "schema/fleet-workflow.h"

G_BEGIN_DECLS

/* Read `value` (a mapping) into `settings`, reporting every invalid value;
 * keys that are absent keep the values `settings` has. */
void fleet_parse_schedule (FleetDiagnostics *diags,
                           const FleetYamlNode *value,
                           FleetScheduleSettings *settings);

G_END_DECLS
