/* fleet-report-checks.h: the summary lines about what happened between
 * waves: failed checks, why the run stopped, and the rollback. */
#pragma once

#include <glib.h>

#include "runtime/fleet-executor.h"

G_BEGIN_DECLS

/* Append the lines for `result` to `out`; nothing when the run had no
 * failed check, no stop between waves and no rollback. */
void fleet_report_append_between_waves (GString *out, const FleetPlan *plan,
                                        const FleetRunResult *result);

G_END_DECLS
