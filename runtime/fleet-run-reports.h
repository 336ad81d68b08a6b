/* fleet-run-reports.h: the report files a run with snapshots writes into
 * its run directory (fleet-snapshot-report.h, fleet-drift-report.h), each
 * headed by the run, plan and workflow it is about. */
#pragma once

#include <glib.h>

#include "runtime/fleet-executor.h"

G_BEGIN_DECLS

/* Write the reports of `result` for a plan with snapshot settings: the
 * change report when the plan has steps, since a plan without steps (a
 * verify run or an on-demand snapshot) takes no after snapshot to compare,
 * and the drift report when the plan compares with a stored snapshot or a
 * baseline.  A report that cannot be written is logged as a warning; the
 * run's outcome does not depend on it. */
void fleet_run_reports_write (const FleetPlan *plan, const FleetRunOptions *options,
                              const FleetRunResult *result);

G_END_DECLS
