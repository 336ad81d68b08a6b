/* fleet-run-reports.c: which report files a run writes. */
#include "runtime/fleet-run-reports.h"

#include "runtime/fleet-drift-report.h"
#include "runtime/fleet-report-header.h"
#include "runtime/fleet-snapshot-report.h"

void
fleet_run_reports_write (const FleetPlan *plan, const FleetRunOptions *options,
                         const FleetRunResult *result)
{
  const FleetSnapshotConfig *config = plan->snapshot;
  FleetReportHeader header;
  g_autoptr(GError) error = NULL;

  if (config == NULL)
    return;

  fleet_report_header_init (&header, plan, options, result->duration_us);
  if (plan->steps->len > 0
      && !fleet_snapshot_report_write (result, &header, options->run_dir, &error))
    g_warning ("cannot write the snapshot report in %s: %s", options->run_dir, error->message);
  g_clear_error (&error);

  if ((config->drift != FLEET_SNAPSHOT_DRIFT_NONE || config->baseline != NULL)
      && !fleet_drift_report_write (result, &header,
                                    config->baseline != NULL ? config->baseline->name : NULL,
                                    options->run_dir, &error))
    g_warning ("cannot write the drift report in %s: %s", options->run_dir, error->message);
}
