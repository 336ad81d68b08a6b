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
#include "cli/fleetc-diff.h"
#include "cli/fleetc-run.h"
#include "cli/fleetc-secrets.h"
#include "cli/fleetc-snapshot.h"
#include "cli/fleetc-verify.h"
#include "cli/fleet-windows-show.h"
#include "cli/fleetc-window-fit.h"
#include "cli/fleetc-sign.h"
#include "compiler/fleet-compiler.h"
#include "compiler/scalar.h"
#include "planner/fleet-planner.h"
#include "schema/fleet-clock.h"
#include "schema/fleet-timezone.h"
#include "schema/fleet-plan-expiry.h"
#include "schema/fleet-text.h"

#define EXIT_BAD_INPUT 2

static const char usage_text[] =
  "Usage:\n"
  "  fleetc compile WORKFLOW -o PLAN [-i INVENTORY] [-F SSH_CONFIG] [--limit EXPR]\n"
  "                 [--expires DURATION]    compile a workflow into a plan file\n"
  "  fleetc validate WORKFLOW [-i INVENTORY] [-F SSH_CONFIG] [--limit EXPR]\n"
  "                                        check a workflow without writing a plan\n"
  "  fleetc show PLAN [--format text|json|markdown]\n"
  "                                        print a plan for review\n"
  "  fleetc run -i INVENTORY... --limit EXPR [-p N] [FLEET-RUN OPTIONS] -- COMMAND [ARGS...]\n"
  "                                        run one command on the selected hosts now\n"
  "  fleetc diff OLD_PLAN NEW_PLAN [--format text|json|markdown]\n"
  "                                        compare two plans for a change ticket\n"
  "  fleetc sign PLAN --key KEY [--comment TEXT]\n"
  "                                        add your signature to a reviewed plan\n"
  "  fleetc check PLAN                     compare the plan's inventory with the current one\n"
  "  fleetc secrets init|set NAME|list|remove NAME\n"
  "                                        manage the encrypted secret store\n"
  "  fleetc windows WORKFLOW [-i INVENTORY] [--from TIME] [--to TIME] [--format text|json]\n"
  "                                        list the maintenance windows per group\n"
  "  fleetc snapshot diff BEFORE AFTER [--store DIR] [--expect CATEGORY:PATTERN]...\n"
  "                                        compare two configuration snapshots\n"
  "  fleetc snapshot take -i INVENTORY... --limit EXPR [--store DIR] [--drift]\n"
  "                                        snapshot the selected hosts now\n"
  "  fleetc snapshot list --store DIR [--host PATTERN] [--run RUN]\n"
  "                                        list the snapshots of a store\n"
  "  fleetc verify BASELINE -i INVENTORY... --limit EXPR [--store DIR]\n"
  "                                        check the selected hosts against a baseline\n"
  "  fleetc --version\n"
  "\n"
  "-F reads host settings from SSH_CONFIG instead of ~/.ssh/config; -F none reads none.\n";

/* Print `message` and where the usage is: the whole usage would push the
 * message off a small terminal. */
static int
usage_error (const char *message)
{
  g_printerr ("fleetc: %s\nRun \"fleetc --help\" for the usage of every command.\n", message);
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

/* Return whether `path` is one of the workflow's input files: the workflow,
 * its inventories and the ssh_config files read. */
static gboolean
is_input_file (const char *path, const char *workflow_path, const FleetInventory *inventory)
{
  if (same_file (path, workflow_path))
    return TRUE;

  for (guint i = 0; i < inventory->sources->len; i++)
    if (same_file (path, g_ptr_array_index (inventory->sources, i)))
      return TRUE;

  for (guint i = 0; i < inventory->ssh_config_sources->len; i++)
    if (same_file (path, ((FleetSourceFile *) g_ptr_array_index (inventory->ssh_config_sources,
                                                                i))->path))
      return TRUE;

  return FALSE;
}

/* Compile `workflow_path` and plan it, printing every diagnostic.  Returns
 * the plan, or NULL after an error was printed.  An `output_path` that is
 * one of the input files is an error, so a typo cannot overwrite them. */
static FleetPlan *
compile_and_plan (const char *workflow_path,
                  const FleetCompileOptions *options,
                  const char *output_path)
{
  g_autoptr(FleetDiagnostics) diags = fleet_diagnostics_new ();
  g_autoptr(FleetWorkflow) workflow = NULL;
  g_autoptr(FleetPlan) plan = NULL;
  g_autofree char *text = NULL;
  FleetCompileOptions keep_options = *options;
  gboolean compiled;

  /* The planner's checks run after compile errors too, so that one compile
   * reports every problem that does not follow from another. */
  keep_options.keep_after_errors = TRUE;
  workflow = fleet_compile_workflow_file (workflow_path, &keep_options, diags);
  compiled = workflow != NULL && fleet_diagnostics_error_count (diags) == 0;
  if (workflow != NULL && !compiled)
    fleet_planner_check (workflow, diags);
  else if (workflow != NULL && is_input_file (output_path, workflow_path, workflow->inventory))
    fleet_diagnostics_error (diags, NULL, "the output file %s is one of the input files; "
                             "write the plan to another path", output_path);
  else if (workflow != NULL)
    plan = fleet_planner_build (workflow, diags);

  text = fleet_diagnostics_format (diags);
  if (text[0] != '\0')
    g_printerr ("%s", text);

  if (fleet_diagnostics_error_count (diags) > 0)
    {
      if (compiled && workflow->windows != NULL)
        fleetc_report_earliest_fit (workflow_path, options);
      return NULL;
    }
  return g_steal_pointer (&plan);
}

/* Fill the ssh_config part of `options` from the -F value `ssh_config`, by
 * OpenSSH's rules.  "none" reads nothing, and no -F reads ~/.ssh/config
 * when it exists, with OpenSSH's owner and mode check.  `default_path`
 * receives the default path, which `options` then borrows. */
static void
choose_ssh_config (const char *ssh_config, FleetCompileOptions *options, char **default_path)
{
  if (ssh_config != NULL)
    {
      options->ssh_config = g_ascii_strcasecmp (ssh_config, "none") == 0 ? NULL : ssh_config;
      return;
    }

  *default_path = g_build_filename (g_get_home_dir (), ".ssh", "config", NULL);
  if (g_file_test (*default_path, G_FILE_TEST_EXISTS))
    {
      options->ssh_config = *default_path;
      options->ssh_config_check_owner = TRUE;
    }
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

/* The longest range `fleetc windows` and `fleetc compile --window-days` expand, so that a typo in a year
 * cannot ask for centuries of instances. */
#define WINDOWS_MAX_RANGE_DAYS 3660

static int
run_compile (int argc, char **argv, gboolean write_plan)
{
  g_autofree char *output = NULL;
  g_autofree char *inventory = NULL;
  g_autofree char *limit = NULL;
  g_autofree char *ssh_config = NULL;
  g_autofree char *default_ssh_config = NULL;
  FleetCompileOptions options = { 0 };
  g_autoptr(GOptionContext) context = g_option_context_new ("WORKFLOW");
  g_autoptr(GError) error = NULL;
  g_autoptr(FleetPlan) plan = NULL;
  g_autofree char *summary = NULL;
  g_autofree char *expires = NULL;
  gint64 valid_for_seconds = FLEET_PLAN_DEFAULT_VALIDITY_SECONDS;
  FleetFixedClock fixed_clock;
  const FleetClock *clock = NULL;
  g_auto(GStrv) history = NULL;
  gint window_days = 0;
  GOptionEntry entries[] = {
    { "output", 'o', 0, G_OPTION_ARG_FILENAME, &output, "Write the plan to FILE", "FILE" },
    { "inventory", 'i', 0, G_OPTION_ARG_FILENAME, &inventory,
      "Use this inventory instead of the one the workflow names", "FILE" },
    { "limit", 'l', 0, G_OPTION_ARG_STRING, &limit,
      "Keep only the targeted hosts this selector expression is true for, such as "
      "'dc == \"dc1\"' (docs/selectors.md)", "EXPR" },
    { "ssh-config", 'F', 0, G_OPTION_ARG_FILENAME, &ssh_config,
      "Read host settings from this ssh_config file instead of ~/.ssh/config; none reads none",
      "FILE" },
    { "expires", 0, 0, G_OPTION_ARG_STRING, &expires,
      "fleet-run refuses the plan once DURATION has passed since the compile, such as 8h or "
      "2d; `never` for no limit (default: 7d)", "DURATION" },
    { "history", 0, 0, G_OPTION_ARG_FILENAME_ARRAY, &history,
      "Estimate steps without `estimate` from the step durations of earlier runs: a fleet-run "
      "run directory, its journal.jsonl, or a directory of run directories; repeatable", "DIR" },
    { "window-days", 0, 0, G_OPTION_ARG_INT, &window_days,
      "Plan into the maintenance windows of the next N days, from 1 to 3660 (default: 42)",
      "N" },
    { NULL }
  };

  g_option_context_add_main_entries (context, entries, NULL);
  if (!fleet_text_parse_options (context, &argc, &argv, &error))
    return usage_error (error->message);
  if (argc != 2)
    return usage_error ("expected exactly one workflow file");
  if (write_plan && output == NULL)
    return usage_error ("compile needs an output file: -o PLAN");
  if (write_plan && g_file_test (output, G_FILE_TEST_IS_DIR))
    {
      g_autofree char *example = g_build_filename (output, "change.plan", NULL);
      g_autofree char *message = g_strdup_printf ("-o %s is a directory; give the plan file's "
                                                  "name, such as -o %s", output, example);

      return usage_error (message);
    }

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
  if (window_days < 0 || window_days > WINDOWS_MAX_RANGE_DAYS)
    return usage_error ("invalid --window-days: give a number of days from 1 to 3660");

  options.windows_days = (guint) window_days;
  if (clock != NULL)
    options.windows_from_us = fleet_clock_wall_us (clock);
  options.history = (const char * const *) history;
  options.inventory_override = inventory;
  options.limit = limit;
  choose_ssh_config (ssh_config, &options, &default_ssh_config);
  plan = compile_and_plan (argv[1], &options, output);
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
    { "format", 'f', 0, G_OPTION_ARG_STRING, &format,
      "Output format: text (default), json, or markdown for a change ticket", "FORMAT" },
    { NULL }
  };

  g_option_context_add_main_entries (context, entries, NULL);
  if (!fleet_text_parse_options (context, &argc, &argv, &error))
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

/* Parse --from and --to into [from_us, to_us): from defaults to now, to to
 * FLEET_WINDOWS_DEFAULT_DAYS after from. */
static gboolean
parse_range (const char *from_text, const char *to_text, gint64 *from_us, gint64 *to_us,
             GError **error)
{
  gint64 seconds;

  *from_us = fleet_clock_wall_us (fleet_clock_system ());
  if (from_text != NULL)
    {
      if (!fleet_parse_instant (from_text, &seconds, error))
        return FALSE;
      *from_us = seconds * G_USEC_PER_SEC;
    }

  *to_us = *from_us + FLEET_WINDOWS_DEFAULT_DAYS * G_TIME_SPAN_DAY;
  if (to_text != NULL)
    {
      if (!fleet_parse_instant (to_text, &seconds, error))
        return FALSE;
      *to_us = seconds * G_USEC_PER_SEC;
    }

  if (*to_us <= *from_us || *to_us - *from_us > WINDOWS_MAX_RANGE_DAYS * G_TIME_SPAN_DAY)
    {
      g_set_error (error, FLEET_TIME_ZONE_ERROR, FLEET_TIME_ZONE_ERROR_INVALID,
                   "--to must be after --from, and at most %d days after it",
                   WINDOWS_MAX_RANGE_DAYS);
      return FALSE;
    }
  return TRUE;
}

static int
run_windows (int argc, char **argv)
{
  g_autofree char *inventory = NULL;
  g_autofree char *from = NULL;
  g_autofree char *to = NULL;
  g_autofree char *format = NULL;
  g_autoptr(GOptionContext) context = g_option_context_new ("WORKFLOW");
  g_autoptr(GError) error = NULL;
  g_autoptr(FleetDiagnostics) diags = fleet_diagnostics_new ();
  g_autoptr(FleetWorkflow) workflow = NULL;
  g_autofree char *messages = NULL;
  g_autofree char *text = NULL;
  FleetCompileOptions options = { 0 };
  GOptionEntry entries[] = {
    { "inventory", 'i', 0, G_OPTION_ARG_FILENAME, &inventory,
      "Use this inventory instead of the one the workflow names", "FILE" },
    { "from", 0, 0, G_OPTION_ARG_STRING, &from,
      "Start of the listing: a date (00:00 UTC) or an RFC 3339 time; default now", "TIME" },
    { "to", 0, 0, G_OPTION_ARG_STRING, &to,
      "End of the listing, exclusive; default 42 days after --from", "TIME" },
    { "format", 'f', 0, G_OPTION_ARG_STRING, &format, "Output format: text (default) or json",
      "FORMAT" },
    { NULL }
  };

  g_option_context_add_main_entries (context, entries, NULL);
  if (!fleet_text_parse_options (context, &argc, &argv, &error))
    return usage_error (error->message);
  if (argc != 2)
    return usage_error ("expected exactly one workflow file");
  if (format != NULL && !g_str_equal (format, "text") && !g_str_equal (format, "json"))
    {
      g_autofree char *message = g_strdup_printf ("unknown format \"%s\"; use text or json",
                                                  format);
      return usage_error (message);
    }
  if (!parse_range (from, to, &options.windows_from_us, &options.windows_to_us, &error))
    return usage_error (error->message);

  options.inventory_override = inventory;
  workflow = fleet_compile_workflow (argv[1], &options, diags);
  messages = fleet_diagnostics_format (diags);
  if (messages[0] != '\0')
    g_printerr ("%s", messages);
  if (workflow == NULL)
    {
      g_printerr ("fleetc: workflow is invalid\n");
      return EXIT_BAD_INPUT;
    }

  if (workflow->windows == NULL)
    {
      g_print ("%s defines no windows or freezes: its hosts may run at any time\n", argv[1]);
      return 0;
    }

  text = format != NULL && g_str_equal (format, "json") ? fleet_windows_show_json (workflow)
                                                        : fleet_windows_show_text (workflow);
  fputs (text, stdout);
  return 0;
}

int
main (int argc, char **argv)
{
  const char *command;

  setlocale (LC_ALL, "");

  if (argc < 2)
    {
      g_printerr ("%s", usage_text);
      return EXIT_BAD_INPUT;
    }

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
  if (g_str_equal (command, "run"))
    return fleetc_run_main (argc - 1, argv + 1);
  if (g_str_equal (command, "diff"))
    return fleetc_diff_main (argc - 1, argv + 1);
  if (g_str_equal (command, "sign"))
    return fleetc_sign_main (argc - 1, argv + 1);
  if (g_str_equal (command, "check"))
    return fleetc_check_main (argc - 1, argv + 1);
  if (g_str_equal (command, "secrets"))
    return fleetc_secrets_main (argc - 1, argv + 1);
  if (g_str_equal (command, "windows"))
    return run_windows (argc - 1, argv + 1);
  if (g_str_equal (command, "snapshot"))
    return fleetc_snapshot_main (argc - 1, argv + 1);
  if (g_str_equal (command, "verify"))
    return fleetc_verify_main (argc - 1, argv + 1);

  {
    g_autofree char *message = g_strdup_printf ("unknown command \"%s\"", command);
    return usage_error (message);
  }
}
