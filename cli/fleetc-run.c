/* fleetc-run.c: `fleetc run`, ad-hoc commands on selected hosts.
 *
 * The options before `--` are fleetc's own, as listed in `entries`, and
 * any other option is passed to fleet-run with its value, in order.  The
 * words after `--` are the command.  The plan is built by
 * compiler/adhoc-workflow.h and the planner, and started by
 * cli/fleetc-launch.h.
 */
#include "cli/fleetc-run.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>

#include <glib.h>

#include "cli/fleetc-launch.h"
#include "compiler/adhoc-workflow.h"
#include "compiler/scalar.h"
#include "planner/fleet-planner.h"
#include "schema/fleet-clock.h"
#include "schema/fleet-plan-expiry.h"
#include "schema/fleet-text.h"

#define EXIT_BAD_INPUT 2

/* An ad-hoc plan runs right after it is built; the expiry only stops the
 * kept plan file from being run again much later by mistake. */
#define ADHOC_VALIDITY_SECONDS 3600

/* Host names listed in the summary before the rest are counted. */
#define SUMMARY_MAX_HOSTS 20

static const char run_usage[] =
  "Usage: fleetc run -i INVENTORY... --limit EXPR [OPTIONS] [FLEET-RUN OPTIONS] -- COMMAND "
  "[ARGS...]\n";

static int
run_usage_error (const char *message)
{
  g_printerr ("fleetc run: %s\n%s", message, run_usage);
  return EXIT_BAD_INPUT;
}

/* Return the index of the first "--" in argv, or -1. */
static int
find_separator (int argc, char **argv)
{
  for (int i = 1; i < argc; i++)
    if (strcmp (argv[i], "--") == 0)
      return i;
  return -1;
}

static gboolean
parse_parallelism (const char *text, guint *out_value)
{
  guint64 value = 0;

  if (!g_ascii_string_to_unsigned (text, 10, 1, G_MAXUINT32, &value, NULL))
    return FALSE;

  *out_value = (guint) value;
  return TRUE;
}

/* Print what is about to run: the command, the limit, and the hosts. */
static void
print_summary (const FleetPlan *plan)
{
  const FleetStep *step = g_ptr_array_index (plan->steps, 0);
  g_autofree char *command = fleet_escape_for_terminal (step->command);
  g_autofree char *limit = fleet_escape_for_terminal (plan->limit);
  g_autofree char *halt = fleet_threshold_to_string (&plan->halt_at[FLEET_HALT_FAILED_PER_WAVE]);
  GString *hosts = g_string_new (NULL);
  guint listed = MIN (plan->hosts->len, SUMMARY_MAX_HOSTS);

  for (guint i = 0; i < listed; i++)
    {
      const FleetHost *host = g_ptr_array_index (plan->hosts, i);
      g_autofree char *name = fleet_escape_for_terminal (host->name);

      g_string_append_printf (hosts, "%s%s", i > 0 ? " " : "", name);
    }
  if (listed < plan->hosts->len)
    g_string_append_printf (hosts, " and %u more", plan->hosts->len - listed);

  g_print ("Ad-hoc command on %u host%s selected by %s, at most %u at once, halting at %s "
           "failed host%s:\n"
           "  %s%s\n"
           "Hosts: %s\n\n",
           plan->hosts->len, plan->hosts->len == 1 ? "" : "s", limit, plan->parallelism, halt,
           g_str_equal (halt, "1") ? "" : "s", step->become ? "sudo: " : "", command,
           hosts->str);
  g_string_free (hosts, TRUE);
}

/* Build the ad-hoc plan, printing every diagnostic.  Returns NULL after
 * an error was printed. */
static FleetPlan *
build_plan (const FleetAdhocOptions *options)
{
  g_autoptr(FleetDiagnostics) diags = fleet_diagnostics_new ();
  g_autoptr(FleetWorkflow) workflow = fleet_compile_adhoc (options, diags);
  g_autoptr(FleetPlan) plan = NULL;
  g_autofree char *text = NULL;

  if (workflow != NULL)
    plan = fleet_planner_build (workflow, diags);

  text = fleet_diagnostics_format (diags);
  if (text[0] != '\0')
    g_printerr ("%s", text);

  if (fleet_diagnostics_error_count (diags) > 0)
    return NULL;
  return g_steal_pointer (&plan);
}

int
fleetc_run_main (int argc, char **argv)
{
  g_auto(GStrv) inventories = NULL;
  g_autofree char *limit = NULL;
  g_autofree char *parallelism_text = NULL;
  g_autofree char *ssh_config = NULL;
  g_autofree char *timeout_text = NULL;
  g_autofree char *become_user = NULL;
  g_autofree char *halt_text = NULL;
  g_autofree char *runs_dir = NULL;
  gboolean become = FALSE;
  gboolean quiet = FALSE;
  gboolean hide_output = FALSE;
  g_autoptr(GOptionContext) context = g_option_context_new ("-- COMMAND [ARGS...]");
  g_autoptr(GError) error = NULL;
  g_autoptr(FleetPlan) plan = NULL;
  g_autoptr(GPtrArray) fleet_run_args = g_ptr_array_new ();
  FleetThreshold halt_failed;
  FleetAdhocOptions options = { 0 };
  int separator;
  int option_argc;
  GOptionEntry entries[] = {
    { "inventory", 'i', 0, G_OPTION_ARG_FILENAME_ARRAY, &inventories,
      "Read hosts from this inventory; repeat to combine several", "FILE" },
    { "limit", 'l', 0, G_OPTION_ARG_STRING, &limit,
      "Run on the hosts this selector expression is true for, such as 'dc == \"dc2\"'; "
      "true selects every host (docs/selectors.md)", "EXPR" },
    { "parallelism", 'p', 0, G_OPTION_ARG_STRING, &parallelism_text,
      "Run on at most N hosts at once (default: 10)", "N" },
    { "ssh-config", 'F', 0, G_OPTION_ARG_FILENAME, &ssh_config,
      "Read host settings from this ssh_config file instead of ~/.ssh/config; none reads none",
      "FILE" },
    { "timeout", 't', 0, G_OPTION_ARG_STRING, &timeout_text,
      "Kill the command on a host after DURATION, such as 30s or 5m (default: no timeout)",
      "DURATION" },
    { "become", 'b', 0, G_OPTION_ARG_NONE, &become, "Run the command through sudo", NULL },
    { "become-user", 0, 0, G_OPTION_ARG_STRING, &become_user,
      "Run the command through sudo as USER instead of root (implies --become)", "USER" },
    { "halt-at", 0, 0, G_OPTION_ARG_STRING, &halt_text,
      "Stop starting hosts once this many have failed: a count, a percentage such as 10%, or "
      "unlimited (default: 1)", "THRESHOLD" },
    { "runs-dir", 'd', 0, G_OPTION_ARG_FILENAME, &runs_dir,
      "Keep the plan and the run's journal and output under DIR (default: ./fleet-runs)", "DIR" },
    { "quiet", 'q', 0, G_OPTION_ARG_NONE, &quiet,
      "Do not print the command and the selected hosts before running", NULL },
    { "hide-output", 0, 0, G_OPTION_ARG_NONE, &hide_output,
      "Do not print the hosts' output after the run; it stays in the run directory", NULL },
    { NULL }
  };

  /* The options end at the first "--", so GOption never parses the
   * command's words. */
  separator = find_separator (argc, argv);
  option_argc = separator < 0 ? argc : separator;
  g_option_context_add_main_entries (context, entries, NULL);
  g_option_context_set_summary (context,
                                "Run one command on the selected hosts over SSH, through "
                                "fleet-run.  Other options are passed to fleet-run.");
  g_option_context_set_ignore_unknown_options (context, TRUE);
  if (!fleet_text_parse_options (context, &option_argc, &argv, &error))
    return run_usage_error (error->message);

  if (separator < 0 || separator == argc - 1)
    return run_usage_error ("missing command: put it after --, as in fleetc run -i hosts.yaml "
                            "--limit 'role == \"db\"' -- uptime");
  if (inventories == NULL)
    return run_usage_error ("missing inventory: give one or more with -i FILE");
  if (limit == NULL)
    return run_usage_error ("missing --limit: give a selector such as 'dc == \"dc2\"', or "
                            "--limit true for every host");
  if (parallelism_text != NULL && !parse_parallelism (parallelism_text, &options.parallelism))
    {
      g_autofree char *message = g_strdup_printf (
        "invalid --parallelism \"%s\": use a whole number of hosts from 1", parallelism_text);
      return run_usage_error (message);
    }
  if (timeout_text != NULL
      && (!fleet_parse_duration (timeout_text, &options.timeout_ms) || options.timeout_ms == 0))
    {
      g_autofree char *message = g_strdup_printf (
        "invalid --timeout \"%s\": use a duration such as 30s, 5m or 1h30m", timeout_text);
      return run_usage_error (message);
    }
  if (halt_text != NULL)
    {
      if (!fleet_threshold_from_string (halt_text, &halt_failed))
        {
          g_autofree char *message = g_strdup_printf (
            "invalid --halt-at \"%s\": use a count such as 3, a percentage such as 10%%, or "
            "unlimited", halt_text);
          return run_usage_error (message);
        }
      options.halt_failed = &halt_failed;
    }

  for (int i = 1; i < option_argc; i++)
    g_ptr_array_add (fleet_run_args, argv[i]);
  if (runs_dir != NULL)
    {
      g_ptr_array_add (fleet_run_args, "--runs-dir");
      g_ptr_array_add (fleet_run_args, runs_dir);
    }
  if (!hide_output)
    g_ptr_array_add (fleet_run_args, "--print-output");
  g_ptr_array_add (fleet_run_args, NULL);

  options.inventories = (const char *const *) inventories;
  options.limit = limit;
  options.command_argv = (const char *const *) argv + separator + 1;
  options.become = become || become_user != NULL;
  options.become_user = become_user;
  if (ssh_config == NULL)
    {
      g_autofree char *default_path = g_build_filename (g_get_home_dir (), ".ssh", "config",
                                                        NULL);

      if (g_file_test (default_path, G_FILE_TEST_EXISTS))
        {
          ssh_config = g_steal_pointer (&default_path);
          options.ssh_config_check_owner = TRUE;
        }
    }
  if (ssh_config != NULL && g_ascii_strcasecmp (ssh_config, "none") != 0)
    options.ssh_config = ssh_config;

  plan = build_plan (&options);
  if (plan == NULL)
    {
      g_printerr ("fleetc run: nothing was run\n");
      return EXIT_BAD_INPUT;
    }

  fleet_plan_set_validity (plan, fleet_clock_system (), ADHOC_VALIDITY_SECONDS);
  if (!quiet)
    print_summary (plan);

  fleetc_launch_plan (plan, runs_dir, (const char *const *) fleet_run_args->pdata, &error);
  g_printerr ("fleetc run: %s\n", error->message);
  return EXIT_BAD_INPUT;
}
