/* fleet-report-header.c: what a snapshot or drift report is about. */
#include "runtime/fleet-report-header.h"

#include "schema/fleet-clock.h"
#include "schema/fleet-markdown.h"

void
fleet_report_header_init (FleetReportHeader *header, const FleetPlan *plan,
                          const FleetRunOptions *options, gint64 duration_us)
{
  const FleetClock *clock = options->clock != NULL ? options->clock : fleet_clock_system ();

  *header = (FleetReportHeader) {
    .run_id = options->run_id,
    .started_us = fleet_clock_wall_us (clock) - duration_us,
    .plan_path = options->plan_path,
    .plan_sha256 = plan->file_sha256,
    .workflow_name = plan->workflow_name,
    .workflow_source = plan->workflow_source,
    .limit = plan->limit,
  };
}

/* Append one row: "| Label | value |" or "label:    value". */
static void
append_row (GString *out, const char *label, const char *value, gboolean markdown)
{
  if (markdown)
    g_string_append_printf (out, "| %s | %s |\n", label, value);
  else
    g_string_append_printf (out, "%-10s%s\n", label, value);
}

void
fleet_report_header_append (GString *out, const FleetReportHeader *header, gboolean markdown)
{
  g_autofree char *run_id = fleet_markdown_text (header->run_id != NULL ? header->run_id
                                                                        : "(not recorded)",
                                                 markdown);
  g_autofree char *started = header->started_us != 0
                             ? fleet_format_utc_seconds (header->started_us / G_USEC_PER_SEC)
                             : g_strdup ("(not recorded)");
  g_autofree char *run = g_strdup_printf ("%s, started %s", run_id, started);
  g_autofree char *plan_path = fleet_markdown_text (header->plan_path != NULL ? header->plan_path
                                                                              : "(not recorded)",
                                                    markdown);
  g_autofree char *plan = g_strdup_printf (markdown ? "%s (SHA-256 `%s`)" : "%s (sha256 %s)",
                                           plan_path, header->plan_sha256 != NULL
                                                      ? header->plan_sha256 : "not recorded");
  g_autofree char *name = fleet_markdown_text (header->workflow_name, markdown);
  g_autofree char *source = fleet_markdown_text (header->workflow_source, markdown);
  g_autofree char *workflow = g_strdup_printf ("\"%s\" (%s)", name, source);
  g_autofree char *limit = fleet_markdown_text (header->limit != NULL
                                                ? header->limit
                                                : "none: every host the workflow targets",
                                                markdown);

  if (markdown)
    g_string_append (out, "| | |\n|---|---|\n");
  append_row (out, markdown ? "Run" : "run:", run, markdown);
  append_row (out, markdown ? "Plan" : "plan:", plan, markdown);
  append_row (out, markdown ? "Workflow" : "workflow:", workflow, markdown);
  append_row (out, markdown ? "Limit" : "limit:", limit, markdown);
  g_string_append_c (out, '\n');
}

void
fleet_report_header_write_json (FleetJsonWriter *json, const FleetReportHeader *header)
{
  g_autofree char *started = header->started_us != 0
                             ? fleet_format_utc_seconds (header->started_us / G_USEC_PER_SEC)
                             : NULL;

  fleet_json_key (json, "run");
  fleet_json_begin_object (json);
  fleet_json_key (json, "id");
  fleet_json_string (json, header->run_id);
  fleet_json_key (json, "started_at");
  fleet_json_string (json, started);
  fleet_json_key (json, "plan");
  fleet_json_string (json, header->plan_path);
  fleet_json_key (json, "plan_sha256");
  fleet_json_string (json, header->plan_sha256);
  fleet_json_key (json, "workflow");
  fleet_json_string (json, header->workflow_name);
  fleet_json_key (json, "workflow_source");
  fleet_json_string (json, header->workflow_source);
  fleet_json_key (json, "limit");
  fleet_json_string (json, header->limit);
  fleet_json_end_object (json);
}

void
fleet_report_append_host_names (GString *out, const GPtrArray *names, gboolean markdown)
{
  guint shown = MIN (names->len, FLEET_REPORT_NAMED_HOSTS_MAX);

  for (guint i = 0; i < shown; i++)
    {
      g_autofree char *name = fleet_markdown_text (g_ptr_array_index (names, i), markdown);

      g_string_append_printf (out, "%s%s", i > 0 ? ", " : "", name);
    }
  if (names->len > shown)
    g_string_append_printf (out, " and %u more", names->len - shown);
}
