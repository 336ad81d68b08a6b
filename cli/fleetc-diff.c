/* fleetc-diff.c: `fleetc diff OLD NEW`. */
#include "cli/fleetc-diff.h"

#include <stdio.h>

#include <glib.h>

#include "cli/plan-diff-render.h"
#include "cli/plan-diff.h"
#include "schema/fleet-plan.h"
#include "schema/fleet-text.h"

static int
diff_usage_error (const char *message)
{
  g_printerr ("fleetc diff: %s\n"
              "Usage: fleetc diff OLD_PLAN NEW_PLAN [--format text|json|markdown]\n", message);
  return FLEETC_DIFF_ERROR;
}

/* Read and integrity-check the plan at `path`; prints the reason on
 * failure. */
static FleetPlan *
read_plan (const char *path)
{
  g_autoptr(GError) error = NULL;
  FleetPlan *plan = fleet_plan_read_file (path, &error);

  /* Every error of fleet_plan_read_file names the path already. */
  if (plan == NULL)
    g_printerr ("fleetc diff: %s\n", error->message);
  return plan;
}

int
fleetc_diff_main (int argc, char **argv)
{
  g_autofree char *format = NULL;
  g_autoptr(GOptionContext) context = g_option_context_new ("OLD_PLAN NEW_PLAN");
  g_autoptr(GError) error = NULL;
  g_autoptr(FleetPlan) old_plan = NULL;
  g_autoptr(FleetPlan) new_plan = NULL;
  g_autoptr(FleetPlanDiff) diff = NULL;
  g_autofree char *text = NULL;
  FleetPlanDiffFiles files;
  GOptionEntry entries[] = {
    { "format", 'f', 0, G_OPTION_ARG_STRING, &format,
      "Output format: text (default), json, or markdown for a change ticket", "FORMAT" },
    { NULL }
  };

  g_option_context_add_main_entries (context, entries, NULL);
  g_option_context_set_summary (context,
                                "Compare two plans: hosts, waves, steps, settings, sources and "
                                "signatures.  Exit status 0: the plans run the same; 1: they "
                                "differ; 2: error.");
  if (!fleet_text_parse_options (context, &argc, &argv, &error))
    return diff_usage_error (error->message);
  if (argc != 3)
    return diff_usage_error ("expected two plan files, the old one first");
  if (format != NULL && !g_str_equal (format, "text") && !g_str_equal (format, "json")
      && !g_str_equal (format, "markdown"))
    {
      g_autofree char *message = g_strdup_printf ("unknown format \"%s\"; use text, json or "
                                                  "markdown", format);
      return diff_usage_error (message);
    }

  /* The second plan is read even when the first fails, so one run names
   * every unreadable plan. */
  old_plan = read_plan (argv[1]);
  new_plan = read_plan (argv[2]);
  if (old_plan == NULL || new_plan == NULL)
    return FLEETC_DIFF_ERROR;

  diff = fleet_plan_diff (old_plan, new_plan);
  files = (FleetPlanDiffFiles) {
    .old_path = argv[1],
    .old_sha256 = old_plan->file_sha256,
    .new_path = argv[2],
    .new_sha256 = new_plan->file_sha256,
  };

  if (format != NULL && g_str_equal (format, "json"))
    text = fleet_plan_diff_format_json (diff, &files);
  else if (format != NULL && g_str_equal (format, "markdown"))
    text = fleet_plan_diff_format_markdown (diff, &files);
  else
    text = fleet_plan_diff_format_text (diff, &files);
  fputs (text, stdout);

  return fleet_plan_diff_changes_run (diff) ? FLEETC_DIFF_DIFFERENT : FLEETC_DIFF_EQUIVALENT;
}
