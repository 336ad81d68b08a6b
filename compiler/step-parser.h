/* step-parser.h: the workflow's `steps` list. */
#pragma once

#include <glib.h>

#include "compiler/yaml-tree.h"
#include "schema/fleet-diagnostics.h"
#include "schema/workflow-schema.h"

G_BEGIN_DECLS

/* Append a new FleetStep to `steps` for each mapping of `list`, a sequence
 * node described by `field`.  Reports an empty list, duplicate step names
 * and `become: false` together with `become_user`, and warns about every
 * step without a timeout. */
void fleet_parse_steps (FleetDiagnostics *diags,
                        const FleetSchemaField *field,
                        const FleetYamlNode *list,
                        GPtrArray *steps);

/* Check what ties the steps of the whole workflow together, included ones
 * too: each `steps.NAME` in a condition names an earlier step, and step
 * names are unique across files. */
void fleet_check_steps (FleetDiagnostics *diags, const GPtrArray *steps);

G_END_DECLS
