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

/* Return a new table of each host name of result->rollback to its
 * FleetRollbackHostResult (borrowed from `result`); empty when the run
 * rolled back no host. */
GHashTable *fleet_report_rolled_back_hosts (const FleetRunResult *result);

G_END_DECLS
