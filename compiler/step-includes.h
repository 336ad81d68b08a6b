/* step-includes.h: step lists included from other files.
 *
 * A workflow's `include` names files, relative to the including file's
 * directory, whose `steps` run before the workflow's own.  An included file
 * is a mapping with `steps` and optionally its own `include`.  Includes
 * nest at most FLEET_MAX_INCLUDE_DEPTH files deep, and a file that includes
 * itself, directly or not, is an error that names the whole cycle.
 */
#pragma once

#include <glib.h>

#include "compiler/yaml-tree.h"
#include "schema/fleet-diagnostics.h"
#include "schema/workflow-schema.h"

G_BEGIN_DECLS

/* Maximum number of nested included files below the workflow. */
#define FLEET_MAX_INCLUDE_DEPTH 8

/* Append to `steps` (FleetStep *) the steps of every file named in `list`,
 * the value of the `include` key `field`, in list order and with their own
 * includes first.  `chain` holds the canonical paths of the including files,
 * outermost first, and is restored before returning.  Problems are reported
 * in `diags` at the position in the file where they are. */
void fleet_include_steps (FleetDiagnostics *diags,
                          const FleetSchemaField *field,
                          const FleetYamlNode *list,
                          GPtrArray *chain,
                          GPtrArray *steps);

G_END_DECLS
