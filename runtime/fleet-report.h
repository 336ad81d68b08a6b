/* fleet-report.h: the summary of a run that fleet-run prints at its end. */
#pragma once

#include <glib.h>

#include "runtime/fleet-executor.h"

G_BEGIN_DECLS

/* Return the per-wave and per-host summary of `result` for `plan` as text.
 * Free with g_free. */
char *fleet_report_format_summary (const FleetPlan *plan,
                                   const FleetRunResult *result,
                                   const char *run_dir);

G_END_DECLS
