/* baseline-parser.h: baseline files of desired configuration
 * (docs/verify.md) read into a FleetBaseline.
 *
 * A baseline file is a YAML mapping.  `name` names the baseline; every
 * other key is a snapshot category whose value maps item keys (globs) to a
 * rule: `present`, `absent`, a value (for packages, the version), or a
 * mapping of checks.  Every problem is reported with its file, line and
 * column; the parse goes on after each.
 */
#pragma once

#include "compiler/yaml-tree.h"
#include "schema/fleet-baseline.h"
#include "schema/fleet-diagnostics.h"

G_BEGIN_DECLS

/* Read the rules of the baseline document `root` into a new baseline
 * named `default_name` unless the document has a `name`.  Returns NULL
 * when an error was reported. */
FleetBaseline *fleet_parse_baseline (FleetDiagnostics *diags, const FleetYamlNode *root,
                                     const char *default_name);

/* Read and parse the baseline file at `path`.  Problems reading the file
 * are reported at `reference` (the key that named it) when not NULL.
 * Returns NULL when an error was reported. */
FleetBaseline *fleet_parse_baseline_file (FleetDiagnostics *diags, const char *path,
                                          const FleetSourcePos *reference);

G_END_DECLS
