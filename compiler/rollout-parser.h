/* rollout-parser.h: the workflow keys that shape a rollout beyond its wave
 * sizes: `canary`, `spread`, `order` and `halt_at`.
 *
 * Each parse function checks form only.  fleet_check_rollout_names then
 * checks, once the inventory is loaded, the host, group and attribute
 * names they use.  The planner applies them (planner/fleet-planner.h).
 */
#pragma once

#include <glib.h>

#include "compiler/yaml-tree.h"
#include "schema/fleet-diagnostics.h"
#include "schema/fleet-workflow.h"
#include "schema/workflow-schema.h"

G_BEGIN_DECLS

/* `canary`: a host count, or a mapping with exactly one of `hosts` and
 * `where`. */
void fleet_parse_canary (FleetDiagnostics *diags,
                         const FleetSchemaField *field,
                         const FleetYamlNode *value,
                         FleetCanary *canary);

/* `spread`: one rule or a non-empty list of rules, at most one per
 * attribute; appends FleetSpread records to `rules`. */
void fleet_parse_spread (FleetDiagnostics *diags,
                         const FleetSchemaField *field,
                         const FleetYamlNode *value,
                         GPtrArray *rules);

/* `order`: `by` and an optional non-empty `sequence` without repeats. */
void fleet_parse_order (FleetDiagnostics *diags, const FleetYamlNode *mapping, FleetOrder *order);

/* `halt_at`: any of the four thresholds; unset ones keep their defaults. */
void fleet_parse_halt_at (FleetDiagnostics *diags, const FleetYamlNode *mapping,
                          FleetHaltAt *halt_at);

/* Check against `inventory` the canary hosts and selector, the groups of an
 * order by group, and the attributes of spread and order, which at least
 * one inventory host must have. */
void fleet_check_rollout_names (FleetDiagnostics *diags,
                                const FleetWorkflow *workflow,
                                const FleetInventory *inventory);

G_END_DECLS
