/* fleetc: compile workflows into plans, show, sign and check plans, manage
 * secrets.
 *
 * Exit status: 0 success, 2 invalid input or usage, as for compilers;
 * 1 when `fleetc secrets` cannot use the secret store, or when `fleetc
 * check` finds that the inventory changed.
 */
#include <errno.h>
#include <locale.h>
#include <stdio.h>
#include <sys/stat.h>

#include <glib.h>

#include "cli/fleet-plan-show.h"
#include "cli/fleetc-check.h"
#include "cli/fleetc-secrets.h"
#include "cli/fleetc-sign.h"
#include "compiler/fleet-compiler.h"
#include "compiler/scalar.h"
#include "planner/fleet-planner.h"
#include "schema/fleet-plan-expiry.h"

#define EXIT_BAD_INPUT 2

static const char usage_text[] =
  "Usage:\n"
  "  fleetc compile WORKFLOW -o PLAN [-i INVENTORY] [--expires DURATION]\n"
  "                                                   compile a workflow into a plan file\n"
  "  fleetc validate WORKFLOW [-i INVENTORY]          check a workflow without writing a plan\n"
  "  fleetc show PLAN [--format text|json]            print a plan for review\n"
  "  fleetc sign PLAN --key KEY [--comment TEXT]      add your signature to a reviewed plan\n"
  "  fleetc check PLAN                                compare the plan's inventory with the current one\n"
  "  fleetc secrets init|set NAME|list|remove NAME    manage the encrypted secret store\n"
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

/* Return whether `path` is one of the workflow's input files. */
static gboolean
is_input_file (const char *path, const char *workflow_path, const FleetInventory *inventory)
{
  if (same_file (path, workflow_path))
    return TRUE;

  for (guint i = 0; i < inventory->sources->len; i++)
    if (same_file (path, g_ptr_array_index (inventory->sources, i)))
      return TRUE;

  return FALSE;
}

/* Compile `workflow_path` and plan it, printing every diagnostic.  Returns
 * the plan, or NULL after an error was printed.  An `output_path` that is
 * one of the input files is an error, so a typo cannot overwrite them. */
static FleetPlan *
compile_and_plan (const char *workflow_path, const char *inventory_path, const char *output_path)
{
  g_autoptr(FleetDiagnostics) diags = fleet_diagnostics_new ();
  g_autoptr(FleetWorkflow) workflow = NULL;
  g_autoptr(FleetPlan) plan = NULL;
  g_autofree char *text = NULL;

  workflow = fleet_compile_workflow_file (workflow_path, inventory_path, diags);
  if (workflow != NULL && is_input_file (output_path, workflow_path, workflow->inventory))
    fleet_diagnostics_error (diags, NULL, "the output file %s is one of the input files; "
                             "write the plan to another path", output_path);
  else if (workflow != NULL)
    plan = fleet_planner_build (workflow, diags);

  text = fleet_diagnostics_format (diags);
  if (text[0] != '\0')
    g_printerr ("%s", text);

  if (fleet_diagnostics_error_count (diags) > 0)
    return NULL;
  return g_steal_pointer (&plan);
}

/* Parse --expires: "never" (0), or a duration of whole seconds from 1s to
 * FLEET_PLAN_MAX_VALIDITY_SECONDS. */
static gboolean
parse_validity (const char *text, gint64 *out_seconds)
{
  guint64 ms = 0;

  if (g_str_equal (text, "never"))
    {
      *out_seconds = 0;
      return TRUE;
    }

  if (!fleet_parse_duration (text, &ms) || ms == 0 || ms % 1000 != 0
      || ms / 1000 > (guint64) FLEET_PLAN_MAX_VALIDITY_SECONDS)
    return FALSE;

  *out_seconds = (gint64) (ms / 1000);
  return TRUE;
}

/* Set up the clock that gives the compile time: the system clock, or the
 * SOURCE_DATE_EPOCH of reproducible builds (reproducible-builds.org), so
 * the same inputs compiled at the same stated time give the same bytes. */
static gboolean
compile_clock (FleetFixedClock *fixed, const FleetClock **out_clock)
{
  const char *epoch = g_getenv ("SOURCE_DATE_EPOCH");
  guint64 seconds = 0;
  char *end = NULL;

  if (epoch == NULL)
    {
      *out_clock = fleet_clock_system ();
      return TRUE;
    }

  errno = 0;
  if (g_ascii_isdigit (epoch[0]))
    seconds = g_ascii_strtoull (epoch, &end, 10);
  if (end == NULL || *end != '\0' || errno != 0 || seconds > G_MAXINT64 / G_USEC_PER_SEC / 2)
    {
      g_printerr ("fleetc: SOURCE_DATE_EPOCH \"%s\" is not a number of seconds since 1970; "
                  "unset it, or set it to a time such as $(date +%%s)\n", epoch);
      return FALSE;
    }

  fleet_fixed_clock_init (fixed, (gint64) seconds * G_USEC_PER_SEC);
  *out_clock = &fixed->clock;
  return TRUE;
}

/* Print the plan's expiry after compiling, and warn when it has passed
 * already, as with an old SOURCE_DATE_EPOCH. */
static void
report_validity (const FleetPlan *plan)
{
  g_autofree char *validity = fleet_plan_describe_validity (plan);
  g_autoptr(GError) error = NULL;

  g_print ("  %s\n", validity);
  if (!fleet_plan_check_expiry (plan, fleet_clock_system (), &error))
    g_printerr ("fleetc: warning: %s; fleet-run will refuse it\n", error->message);
}

static int
run_compile (int argc, char **argv, gboolean write_plan)
{
  g_autofree char *output = NULL;
  g_autofree char *inventory = NULL;
  g_autoptr(GOptionContext) context = g_option_context_new ("WORKFLOW");
  g_autoptr(GError) error = NULL;
  g_autoptr(FleetPlan) plan = NULL;
  g_autofree char *summary = NULL;
  g_autofree char *expires = NULL;
  gint64 valid_for_seconds = FLEET_PLAN_DEFAULT_VALIDITY_SECONDS;
  FleetFixedClock fixed_clock;
  const FleetClock *clock = NULL;
  GOptionEntry entries[] = {
    { "output", 'o', 0, G_OPTION_ARG_FILENAME, &output, "Write the plan to FILE", "FILE" },
    { "inventory", 'i', 0, G_OPTION_ARG_FILENAME, &inventory,
      "Use this inventory instead of the one the workflow names", "FILE" },
    { "expires", 0, 0, G_OPTION_ARG_STRING, &expires,
      "fleet-run refuses the plan once DURATION has passed since the compile, such as 8h or "
      "2d; `never` for no limit (default: 7d)", "DURATION" },
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
  if (!write_plan && expires != NULL)
    return usage_error ("validate writes no plan, so it takes no --expires");
  if (expires != NULL && !parse_validity (expires, &valid_for_seconds))
    {
      g_autofree char *message = g_strdup_printf (
        "invalid --expires \"%s\": use whole seconds or units d, h, m, s from 1s to 3650d "
        "(8h, 2d, 1d12h), or never", expires);
      return usage_error (message);
    }
  if (write_plan && !compile_clock (&fixed_clock, &clock))
    return EXIT_BAD_INPUT;

  plan = compile_and_plan (argv[1], inventory, output);
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

  fleet_plan_set_validity (plan, clock, valid_for_seconds);
  if (!fleet_plan_write_file (plan, output, &error))
    {
      g_printerr ("fleetc: %s\n", error->message);
      return EXIT_BAD_INPUT;
    }

  g_print ("%s: %s; sha256 %s\n", output, summary, plan->file_sha256);
  report_validity (plan);
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
    { "format", 'f', 0, G_OPTION_ARG_STRING, &format, "Output format: text (default) or json",
      "FORMAT" },
    { NULL }
  };

  g_option_context_add_main_entries (context, entries, NULL);
  if (!g_option_context_parse (context, &argc, &argv, &error))
    return usage_error (error->message);
  if (argc != 2)
    return usage_error ("expected exactly one plan file");
  if (format != NULL && !g_str_equal (format, "text") && !g_str_equal (format, "json"))
    {
      g_autofree char *message = g_strdup_printf ("unknown format \"%s\"; use text or json",
                                                  format);
      return usage_error (message);
    }

  plan = fleet_plan_read_file (argv[1], &error);
  if (plan == NULL)
    {
      g_printerr ("fleetc: %s\n", error->message);
      return EXIT_BAD_INPUT;
    }

  text = format != NULL && g_str_equal (format, "json") ? fleet_plan_show_json (plan)
                                                        : fleet_plan_show_text (plan);
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
  if (g_str_equal (command, "sign"))
    return fleetc_sign_main (argc - 1, argv + 1);
  if (g_str_equal (command, "check"))
    return fleetc_check_main (argc - 1, argv + 1);
  if (g_str_equal (command, "secrets"))
    return fleetc_secrets_main (argc - 1, argv + 1);

  {
    g_autofree char *message = g_strdup_printf ("unknown command \"%s\"", command);
    return usage_error (message);
  }
}
