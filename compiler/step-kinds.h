/* step-kinds.h: the step keys beyond `run`: the other step kinds (script,
 * copy, template, reboot, wait_for, local) and the per-step settings
 * (retries, retry_delay, env, workdir, changed_when, failed_when).
 *
 * The handlers fill step->kind_data and step->policy.  They are called by
 * the step parser's walk with an `object` whose first member is the
 * FleetStep * being read.  Local files (scripts, copies, templates) are
 * read here, relative to the directory of the file that names them, and
 * their bytes go into the step with their SHA-256.
 */
#pragma once

#include <glib.h>

#include "compiler/schema-check.h"
#include "compiler/yaml-tree.h"
#include "schema/fleet-diagnostics.h"
#include "schema/fleet-model.h"

G_BEGIN_DECLS

/* Largest local file a script, copy or template step may name: the plan
 * holds its bytes, and fleet-run holds the plan in memory. */
#define FLEET_MAX_STEP_FILE_BYTES (8u * 1024 * 1024)

/* Return the handlers of the keys this module reads. */
const FleetFieldHandlerEntry *fleet_step_kind_handlers (gsize *n_handlers);

/* Check the keys of `mapping`, one step, that only make sense together:
 * exactly one kind key, `interpreter` only with `script`, and a `wait_for`
 * with exactly one check.  Sets step->command to a one-line description
 * for kinds other than `run`. */
void fleet_finish_step_kind (FleetDiagnostics *diags, const FleetYamlNode *mapping, FleetStep *step);

G_END_DECLS
