/* fleet-snapshot-report.h: the per-host and fleet-wide report of the
 * configuration changes of a run, as text, JSON and Markdown.
 *
 * Fleet-wide, the report counts per category how many hosts changed
 * something, and names the hosts that deviate from the majority: a change
 * is identified by category, key, kind and new value, the majority set is
 * the changes that more than half of the compared hosts made, and a host
 * deviates when its changes differ from that set.
 */
#pragma once

#include <glib.h>

#include "runtime/fleet-executor.h"
#include "runtime/fleet-report-header.h"

G_BEGIN_DECLS

#define FLEET_SNAPSHOT_REPORT_NAME "snapshot-report"

/* Write RUN_DIR/snapshot-report.txt, .json and .md for `result`, each
 * starting with `header` (NULL: none), then the unexpected changes with the
 * hosts that made them and the hosts that changed each category. */
gboolean fleet_snapshot_report_write (const FleetRunResult *result,
                                      const FleetReportHeader *header, const char *run_dir,
                                      GError **error);

/* Return the lines for fleet-run's summary: one per host with unexpected
 * changes or a missing snapshot, each change listed; "" when there is
 * nothing to report.  Free with g_free. */
char *fleet_snapshot_report_format_summary (const FleetRunResult *result);

/* Return the lines that tell where the run's snapshots went: for a plan
 * without steps (an on-demand snapshot), one line per host with the digest
 * that `fleetc snapshot diff` takes; otherwise one line naming the store and
 * the `fleetc snapshot list` command that shows the before and after
 * digests.  "" when no snapshot was stored.  Free with g_free. */
char *fleet_snapshot_report_format_stored (const FleetRunResult *result, guint n_steps,
                                           const char *store_dir, const char *run_id);

G_END_DECLS
