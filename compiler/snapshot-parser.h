/* snapshot-parser.h: the workflow's `snapshot` mapping. */
#pragma once

#include "compiler/yaml-tree.h"
#include "schema/fleet-diagnostics.h"
#include "schema/fleet-snapshot-config.h"

G_BEGIN_DECLS

/* Read `value` (a mapping) into a new config, reporting every invalid
 * category, pattern and on_unexpected value.  Returns the config even when
 * errors were reported; the compiler's error count decides. */
FleetSnapshotConfig *fleet_parse_snapshot (FleetDiagnostics *diags, const FleetYamlNode *value);

G_END_DECLS
