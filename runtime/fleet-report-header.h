/* fleet-report-header.h: the lines at the top of the snapshot and drift
 * reports that say what a report is about: the run id and start time, the
 * plan file and its SHA-256, the workflow and the `--limit` selection.  A
 * report pasted into a change ticket thus names its run without the
 * terminal output beside it.  The module also words the host lists both
 * reports share.
 *
 * Ownership: the header borrows every string from the plan and the run
 * options it was filled from, so it must not outlive them.
 */
#pragma once

#include <glib.h>

#include "runtime/fleet-executor.h"
#include "schema/fleet-json.h"

G_BEGIN_DECLS

typedef struct {
  const char *run_id;          /* NULL: not known */
  gint64 started_us;           /* wall clock, UTC microseconds; 0: not known */
  const char *plan_path;       /* NULL: not recorded */
  const char *plan_sha256;     /* NULL: a plan never written to a file */
  const char *workflow_name;
  const char *workflow_source;
  const char *limit;           /* canonical `--limit` selector, or NULL */
} FleetReportHeader;

/* Fill `header` from `plan` and `options`; the run started `duration_us`
 * before the current time of options->clock. */
void fleet_report_header_init (FleetReportHeader *header, const FleetPlan *plan,
                               const FleetRunOptions *options, gint64 duration_us);

/* Append the header as lines of text, or as a Markdown table with a blank
 * line after it.  The Markdown form escapes the values, and the text form,
 * written to a file, keeps them as they are, as the reports' other lines
 * do. */
void fleet_report_header_append (GString *out, const FleetReportHeader *header, gboolean markdown);

/* Write the member "run": an object with id, started_at, plan,
 * plan_sha256, workflow, workflow_source and limit (null when not
 * known). */
void fleet_report_header_write_json (FleetJsonWriter *json, const FleetReportHeader *header);

/* Host names a report line lists before it counts the rest. */
#define FLEET_REPORT_NAMED_HOSTS_MAX 20

/* Append `names` (const char *) joined by ", ": the first
 * FLEET_REPORT_NAMED_HOSTS_MAX, then "and N more".  Each name is escaped
 * for Markdown when `markdown`. */
void fleet_report_append_host_names (GString *out, const GPtrArray *names, gboolean markdown);

G_END_DECLS
