/* fleet-drift-report.h: the report of what each host's before snapshot
 * showed against the plan's references (fleet-snapshot-drift.h): baseline
 * violations and changes since the latest stored snapshot, per host and
 * fleet-wide, as text, JSON and Markdown.
 *
 * Fleet-wide, the report counts the hosts checked, the compliant ones and
 * those with drift, and lists each violation and each change with the
 * number of hosts that have it, most frequent first, so that a fleet-wide
 * problem stands apart from a single deviating host.
 */
#pragma once

#include <glib.h>

#include "runtime/fleet-executor.h"
#include "runtime/fleet-report-header.h"

G_BEGIN_DECLS

#define FLEET_DRIFT_REPORT_NAME "drift-report"

/* Write RUN_DIR/drift-report.txt, .json and .md for `result`, each
 * starting with `header` (NULL: none); `baseline_name` is NULL when the
 * plan has no baseline.  Every violation and change counted across hosts
 * names the hosts that have it. */
gboolean fleet_drift_report_write (const FleetRunResult *result, const FleetReportHeader *header,
                                   const char *baseline_name, const char *run_dir,
                                   GError **error);

/* Return the lines for fleet-run's summary: one per host with drift, each
 * violation and change listed, then a line that counts the hosts that
 * violate the baseline, one that counts the hosts changed since their
 * stored snapshot, or one line that finds all hosts clean; "" when no host
 * was checked.  Free with g_free. */
char *fleet_drift_report_format_summary (const FleetRunResult *result);

G_END_DECLS
