/* fleetc: compile workflows into plans and show plans.
 *
 * Exit status: 0 success, 2 invalid input or usage, as for compilers.
 */
#include <locale.h>
#include <stdio.h>
#include <sys/stat.h>

#include <glib.h>

#include "cli/fleet-plan-show.h"
#include "compiler/fleet-compiler.h"
#include "planner/fleet-planner.h"

#define EXIT_BAD_INPUT 2

static const char usage_text[] =
  "Usage:\n"
  "  fleetc compile WORKFLOW -o PLAN [-i INVENTORY] [--limit EXPR]\n"
  "                                    compile a workflow into a plan file\n"
  "  fleetc validate WORKFLOW [-i INVENTORY] [--limit EXPR]\n"
  "                                    check a workflow without writing a plan\n"
  "  fleetc show PLAN [--format text|json|markdown]\n"
  "                                    print a plan for review\n"
  "  fleetc --version\n";

static int
usage_error (const char *message)
{
  g_printerr ("fleetc: %s\n%s", message, usage_text);
  return EXIT_BAD_INPUT;
}

/* Return whether `a` and `b` name the same existing file. */
static gboolean
same_file (const char *a, const char *b)
{
  struct stat a_info, b_info;

  return a != NULL && b != NULL && stat (a, &a_info) == 0 && stat (b, &b_info) == 0
         && a_info.st_dev == b_info.st_dev && a_info.st_ino == b_info.st_ino;
}

/* Compile `workflow_path` and plan it, printing every diagnostic.  Returns
 * the plan, or NULL after an error was printed.  An `output_path` that is
 * one of the input files is an error, so a typo cannot overwrite them. */
static FleetPlan *
compile_and_plan (const char *workflow_path, const char *inventory_path, const char *limit,
                  const char *output_path)
{
  g_autoptr(FleetDiagnostics) diags = fleet_diagnostics_new ();
  g_autoptr(FleetWorkflow) workflow = NULL;
  g_autoptr(FleetPlan) plan = NULL;
  g_autofree char *text = NULL;

  workflow = fleet_compile_workflow_file (workflow_path, inventory_path, diags);
  if (workflow != NULL
      && (same_file (output_path, workflow_path)
          || same_file (output_path, workflow->inventory->source)))
    fleet_diagnostics_error (diags, NULL, "the output file %s is one of the input files; "
                             "write the plan to another path", output_path);
  else if (workflow != NULL && (limit == NULL || fleet_compile_limit (workflow, limit, diags)))
    plan = fleet_planner_build (workflow, diags);

  text = fleet_diagnostics_format (diags);
  if (text[0] != '\0')
    g_printerr ("%s", text);

  if (fleet_diagnostics_error_count (diags) > 0)
    return NULL;
  return g_steal_pointer (&plan);
}

static int
run_compile (int argc, char **argv, gboolean write_plan)
{
  g_autofree char *output = NULL;
  g_autofree char *inventory = NULL;
  g_autofree char *limit = NULL;
  g_autoptr(GOptionContext) context = g_option_context_new ("WORKFLOW");
  g_autoptr(GError) error = NULL;
  g_autoptr(FleetPlan) plan = NULL;
  g_autofree char *summary = NULL;
  GOptionEntry entries[] = {
    { "output", 'o', 0, G_OPTION_ARG_FILENAME, &output, "Write the plan to FILE", "FILE" },
    { "inventory", 'i', 0, G_OPTION_ARG_FILENAME, &inventory,
      "Use this inventory instead of the one the workflow names", "FILE" },
    { "limit", 'l', 0, G_OPTION_ARG_STRING, &limit,
      "Keep only the targeted hosts this selector expression is true for, such as "
      "'dc == \"dc1\"' (docs/selectors.md)", "EXPR" },
    { NULL }
  };

  g_option_context_add_main_entries (context, entries, NULL);
  if (!g_option_context_parse (context, &argc, &argv, &error))
    return usage_error (error->message);
  if (argc != 2)
    return usage_error ("expected exactly one workflow file");
  if (write_plan && output == NULL)
    return usage_error ("compile needs an output file: -o PLAN");

  if (!write_plan && output != NULL)
    return usage_error ("validate writes no plan; use compile -o PLAN to write one");

  plan = compile_and_plan (argv[1], inventory, limit, output);
  if (plan == NULL)
    {
      g_printerr ("fleetc: %s\n", write_plan ? "no plan written" : "workflow is invalid");
      return EXIT_BAD_INPUT;
    }

  summary = g_strdup_printf ("%u host%s in %u wave%s, %u step%s", plan->hosts->len,
                             plan->hosts->len == 1 ? "" : "s", plan->waves->len,
                             plan->waves->len == 1 ? "" : "s", plan->steps->len,
                             plan->steps->len == 1 ? "" : "s");
  if (!write_plan)
    {
      g_print ("%s: valid; %s\n", argv[1], summary);
      return 0;
    }

  if (!fleet_plan_write_file (plan, output, &error))
    {
      g_printerr ("fleetc: %s\n", error->message);
      return EXIT_BAD_INPUT;
    }

  g_print ("%s: %s; sha256 %s\n", output, summary, plan->file_sha256);
  return 0;
}

static int
run_show (int argc, char **argv)
{
  g_autofree char *format = NULL;
  g_autoptr(GOptionContext) context = g_option_context_new ("PLAN");
  g_autoptr(GError) error = NULL;
  g_autoptr(FleetPlan) plan = NULL;
  g_autofree char *text = NULL;
  GOptionEntry entries[] = {
    { "format", 'f', 0, G_OPTION_ARG_STRING, &format,
      "Output format: text (default), json, or markdown for a change ticket", "FORMAT" },
    { NULL }
  };

  g_option_context_add_main_entries (context, entries, NULL);
  if (!g_option_context_parse (context, &argc, &argv, &error))
    return usage_error (error->message);
  if (argc != 2)
    return usage_error ("expected exactly one plan file");
  if (format != NULL && !g_str_equal (format, "text") && !g_str_equal (format, "json")
      && !g_str_equal (format, "markdown"))
    {
      g_autofree char *message = g_strdup_printf ("unknown format \"%s\"; use text, json or "
                                                  "markdown", format);
      return usage_error (message);
    }

  plan = fleet_plan_read_file (argv[1], &error);
  if (plan == NULL)
    {
      g_printerr ("fleetc: %s\n", error->message);
      return EXIT_BAD_INPUT;
    }

  if (format != NULL && g_str_equal (format, "json"))
    text = fleet_plan_show_json (plan);
  else if (format != NULL && g_str_equal (format, "markdown"))
    text = fleet_plan_show_markdown (plan);
  else
    text = fleet_plan_show_text (plan);
  fputs (text, stdout);
  return 0;
}

int
main (int argc, char **argv)
{
  const char *command;

  setlocale (LC_ALL, "");

  if (argc < 2)
    return usage_error ("missing command");

  command = argv[1];
  if (g_str_equal (command, "--version"))
    {
      g_print ("fleetc %s (plan format %u)\n", FLEET_VERSION, FLEET_PLAN_FORMAT_VERSION);
      return 0;
    }
  if (g_str_equal (command, "--help") || g_str_equal (command, "-h"))
    {
      g_print ("%s", usage_text);
      return 0;
    }

  /* Each subcommand parses its own options, with the command name as argv[0]. */
  if (g_str_equal (command, "compile"))
    return run_compile (argc - 1, argv + 1, TRUE);
  if (g_str_equal (command, "validate"))
    return run_compile (argc - 1, argv + 1, FALSE);
  if (g_str_equal (command, "show"))
    return run_show (argc - 1, argv + 1);

  {
    g_autofree char *message = g_strdup_printf ("unknown command \"%s\"", command);
    return usage_error (message);
  }
}
