/* check-parser.h: the workflow's `checks`, `between_waves` and `rollback`.
 *
 * Each function reports every problem it finds and returns what it could
 * read; the compiler's error count decides whether a plan is written.
 */
#pragma once

#include "compiler/yaml-tree.h"
#include "schema/fleet-diagnostics.h"
#include "schema/fleet-workflow.h"
#include "schema/workflow-schema.h"

G_BEGIN_DECLS

/* Append the checks of `list` to `checks` (FleetCheck *). */
void fleet_parse_checks (FleetDiagnostics *diags, const FleetSchemaField *field,
                         const FleetYamlNode *list, GPtrArray *checks);

/* Read the `between_waves` mapping `value` into `gate`. */
void fleet_parse_between_waves (FleetDiagnostics *diags, const FleetYamlNode *value,
                                FleetWaveGate *gate);

/* Read the `rollback` mapping `value` into a new rollback. */
FleetRollback *fleet_parse_rollback (FleetDiagnostics *diags, const FleetYamlNode *value);

/* Report each `undo` key of the `rollback` mapping `value` that names no
 * step of `steps` (FleetStep *), so a misspelt name cannot leave a step
 * without its undo command. */
void fleet_check_rollback_undo (FleetDiagnostics *diags, const FleetYamlNode *value,
                                const GPtrArray *steps);

G_END_DECLS
