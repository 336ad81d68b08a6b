/* step-values.h: the step settings other than `run` that may contain
 * `{{ name }}` references: `dest`, `workdir`, `env` values, and the
 * `command`, `path` and `boot_id_file` of reboot and wait_for.
 *
 * The compiler records each such value with the position of every
 * reference in step->values (fleet-step-values.h); the planner renders them
 * per host.  Syntax errors and secrets are reported here, at the reference.
 */
#pragma once

#include <glib.h>

#include "compiler/yaml-tree.h"
#include "schema/fleet-diagnostics.h"
#include "schema/fleet-model.h"

G_BEGIN_DECLS

/* Record the values with references of the step read from `mapping` in
 * step->values, after the step's kind and settings were read. */
void fleet_parse_step_values (FleetDiagnostics *diags, const FleetYamlNode *mapping,
                              FleetStep *step);

G_END_DECLS
