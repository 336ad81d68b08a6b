/* pacing-parser.h: the workflow's `concurrency` and `protect` keys, read
 * into a FleetPacing (schema/fleet-pacing.h).  Errors go to `diags` with
 * the position of the faulty value. */
#pragma once

#include "compiler/yaml-tree.h"
#include "schema/fleet-diagnostics.h"
#include "schema/fleet-pacing.h"

G_BEGIN_DECLS

/* Read `concurrency` into `pacing`; `cap_positions` receives one
 * FleetSourcePos per cap rule, in order, for later name checks. */
void fleet_parse_concurrency (FleetDiagnostics *diags,
                              const FleetYamlNode *mapping,
                              FleetPacing *pacing,
                              GArray *cap_positions);

/* Read `protect` into `pacing`. */
void fleet_parse_protect (FleetDiagnostics *diags, const FleetYamlNode *mapping,
                          FleetPacing *pacing);

G_END_DECLS
