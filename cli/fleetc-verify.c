/* fleetc-verify.c: `fleetc verify` and `fleetc snapshot take`.
 *
 * The options listed in each command's entries are fleetc's own; any other
 * option is passed to fleet-run with its value, in order, as `fleetc run`
 * does.  The hosts come from compiler/adhoc-workflow.h, whose one step is
 * dropped: the plan only snapshots.
 */
#include "cli/fleetc-verify.h"

#include <stdio.h>
#include <string.h>

#include <glib.h>

#include "cli/fleetc-launch.h"
#include "compiler/adhoc-workflow.h"
#include "compiler/baseline-parser.h"
#include "planner/fleet-planner.h"
#include "schema/fleet-clock.h"
#include "schema/fleet-plan-expiry.h"
#include "schema/fleet-snapshot-config.h"
#include "schema/fleet-text.h"

#define EXIT_BAD_INPUT 2

/* The plan runs right after it is built; the expiry only stops the kept
 * plan file from being run again much later by mistake. */
#define CHECK_VALIDITY_SECONDS 3600

/* What both commands read from their command line. */
typedef struct {
  char **inventories;
  char *limit;
  char *ssh_config;
  char *runs_dir;
  char *store;
  char *parallelism_text;
  gboolean quiet;
} HostOptions;

static void
host_options_clear (HostOptions *options)
{
  g_strfreev (options->inventories);
  g_free (options->limit);
  g_free (options->ssh_config);
  g_free (options->runs_dir);
  g_free (options->store);
  g_free (options->parallelism_text);
}

G_DEFINE_AUTO_CLEANUP_CLEAR_FUNC (HostOptions, host_options_clear)

static void
add_host_entries (GOptionContext *context, HostOptions *options)
{
  GOptionEntry entries[] = {
    { "inventory", 'i', 0, G_OPTION_ARG_FILENAME_ARRAY, &options->inventories,
      "Read hosts from this inventory; repeat to combine several", "FILE" },
    { "limit", 'l', 0, G_OPTION_ARG_STRING, &options->limit,
      "Check the hosts this selector expression is true for, such as 'dc == \"dc2\"'; true "
      "selects every host (docs/selectors.md)", "EXPR" },
    { "parallelism", 'p', 0, G_OPTION_ARG_STRING, &options->parallelism_text,
      "Collect on at most N hosts at once (default: 10)", "N" },
    { "ssh-config", 'F', 0, G_OPTION_ARG_FILENAME, &options->ssh_config,
      "Read host settings from this ssh_config file instead of ~/.ssh/config; none reads none",
      "FILE" },
    { "store", 's', 0, G_OPTION_ARG_FILENAME, &options->store,
      "Store the snapshots in DIR (default: RUN_DIR/snapshots)", "DIR" },
    { "runs-dir", 'd', 0, G_OPTION_ARG_FILENAME, &options->runs_dir,
      "Keep the plan and the run's journal and reports under DIR (default: ./fleet-runs)",
      "DIR" },
    { "quiet", 'q', 0, G_OPTION_ARG_NONE, &options->quiet,
      "Do not print the selected hosts before collecting", NULL },
    { NULL }
  };

  g_option_context_add_main_entries (context, entries, NULL);
  g_option_context_set_ignore_unknown_options (context, TRUE);
}

/* Check the options both commands need; returns an error message to print
 * with the usage, or NULL. */
static char *
check_host_options (const HostOptions *options, FleetAdhocOptions *adhoc)
{
  guint64 parallelism = 0;

  if (options->inventories == NULL)
    return g_strdup ("missing inventory: give one or more with -i FILE");
  if (options->limit == NULL)
    return g_strdup ("missing --limit: give a selector such as 'dc == \"dc2\"', or --limit "
                     "true for every host");
  if (options->parallelism_text != NULL
      && !g_ascii_string_to_unsigned (options->parallelism_text, 10, 1, G_MAXUINT32,
                                      &parallelism, NULL))
    return g_strdup_printf ("invalid --parallelism \"%s\": use a whole number of hosts from 1",
                            options->parallelism_text);

  adhoc->inventories = (const char *const *) options->inventories;
  adhoc->limit = options->limit;
  adhoc->parallelism = (guint) parallelism;
  return NULL;
}

/* Return the ssh_config file to read, as `fleetc run` chooses it. */
static char *
choose_ssh_config (const char *given, gboolean *out_check_owner)
{
  g_autofree char *default_path = NULL;

  *out_check_owner = FALSE;
  if (given != NULL)
    return g_ascii_strcasecmp (given, "none") == 0 ? NULL : g_strdup (given);

  default_path = g_build_filename (g_get_home_dir (), ".ssh", "config", NULL);
  if (!g_file_test (default_path, G_FILE_TEST_EXISTS))
    return NULL;
  *out_check_owner = TRUE;
  return g_steal_pointer (&default_path);
}

/* Build a plan without steps that takes one snapshot of each selected host
 * with `config` (taken over).  Every diagnostic is printed; returns NULL
 * after an error. */
static FleetPlan *
build_snapshot_plan (const HostOptions *options, FleetAdhocOptions *adhoc, const char *name,
                     FleetSnapshotConfig *config)
{
  g_autoptr (FleetSnapshotConfig) owned_config = config;
  g_autoptr (FleetDiagnostics) diags = fleet_diagnostics_new ();
  g_autoptr (FleetWorkflow) workflow = NULL;
  g_autoptr (FleetPlan) plan = NULL;
  g_autofree char *ssh_config = choose_ssh_config (options->ssh_config,
                                                   &adhoc->ssh_config_check_owner);
  g_autofree char *text = NULL;
  const char *const no_command[] = { "true", NULL };

  /* The ad-hoc workflow needs a command; the plan runs none. */
  adhoc->command_argv = no_command;
  adhoc->ssh_config = ssh_config;
  workflow = fleet_compile_adhoc (adhoc, diags);
  if (workflow != NULL)
    {
      /* A check reports every host: no number of failed or unreachable
       * hosts stops it. */
      for (guint rule = 0; rule < FLEET_HALT_N_RULES; rule++)
        {
          workflow->halt_at.rules[rule] = (FleetThreshold) { .kind = FLEET_THRESHOLD_UNLIMITED };
          workflow->halt_at.is_set[rule] = TRUE;
        }
      g_ptr_array_set_size (workflow->steps, 0);
      g_free (workflow->name);
      workflow->name = g_strdup (name);
      workflow->snapshot = g_steal_pointer (&owned_config);
      plan = fleet_planner_build (workflow, diags);
    }

  text = fleet_diagnostics_format (diags);
  if (text[0] != '\0')
    g_printerr ("%s", text);
  if (fleet_diagnostics_error_count (diags) > 0)
    return NULL;

  fleet_plan_set_validity (plan, fleet_clock_system (), CHECK_VALIDITY_SECONDS);
  return g_steal_pointer (&plan);
}

static void
print_hosts (const FleetPlan *plan, const char *what)
{
  g_autofree char *limit = fleet_escape_for_terminal (plan->limit);

  g_print ("%s on %u host%s selected by %s, at most %u at once\n\n", what, plan->hosts->len,
           plan->hosts->len == 1 ? "" : "s", limit, plan->parallelism);
}

/* Replace this process with fleet-run on `plan`.  Returns only on error. */
static int
launch (FleetPlan *plan, const HostOptions *options, int argc, char **argv, const char *command)
{
  g_autoptr (GPtrArray) fleet_run_args = g_ptr_array_new ();
  g_autoptr (GError) error = NULL;

  for (int i = 1; i < argc; i++)
    g_ptr_array_add (fleet_run_args, argv[i]);
  if (options->runs_dir != NULL)
    {
      g_ptr_array_add (fleet_run_args, "--runs-dir");
      g_ptr_array_add (fleet_run_args, options->runs_dir);
    }
  if (options->store != NULL)
    {
      g_ptr_array_add (fleet_run_args, "--snapshot-store");
      g_ptr_array_add (fleet_run_args, options->store);
    }
  g_ptr_array_add (fleet_run_args, NULL);

  fleetc_launch_plan (plan, options->runs_dir, (const char *const *) fleet_run_args->pdata,
                      &error);
  g_printerr ("fleetc %s: %s\n", command, error->message);
  return EXIT_BAD_INPUT;
}

static const char verify_usage[] =
  "Usage: fleetc verify BASELINE -i INVENTORY... --limit EXPR [--store DIR] [-p N] "
  "[FLEET-RUN OPTIONS]\n"
  "Checks each selected host against BASELINE (docs/verify.md); exits 0 when every host "
  "complies, 1 when a host violates it or cannot be checked.\n";

static int
verify_usage_error (const char *message)
{
  g_printerr ("fleetc verify: %s\n%s", message, verify_usage);
  return EXIT_BAD_INPUT;
}

int
fleetc_verify_main (int argc, char **argv)
{
  g_auto (HostOptions) options = { 0 };
  g_autoptr (GOptionContext) context = g_option_context_new ("BASELINE");
  g_autoptr (GError) error = NULL;
  g_autoptr (FleetDiagnostics) diags = fleet_diagnostics_new ();
  g_autoptr (FleetBaseline) baseline = NULL;
  g_autoptr (FleetPlan) plan = NULL;
  g_autofree char *problem = NULL;
  g_autofree char *name = NULL;
  FleetAdhocOptions adhoc = { 0 };
  FleetSnapshotConfig *config;
  const char *baseline_path = NULL;

  /* BASELINE comes first, so that the options left over for fleet-run,
   * whose values GOption cannot tell from positional arguments, are all
   * that follows. */
  if (argc < 2 || argv[1][0] == '-')
    return verify_usage_error ("missing BASELINE: name a baseline file right after verify");
  baseline_path = argv[1];
  argv[1] = argv[0];
  argc--;
  argv++;

  add_host_entries (context, &options);
  g_option_context_set_summary (context, "Check the configuration of the selected hosts "
                                         "against a baseline of desired state, through "
                                         "fleet-run.  Other options are passed to fleet-run.");
  if (!fleet_text_parse_options (context, &argc, &argv, &error))
    return verify_usage_error (error->message);

  problem = check_host_options (&options, &adhoc);
  if (problem != NULL)
    return verify_usage_error (problem);

  baseline = fleet_parse_baseline_file (diags, baseline_path, NULL);
  if (baseline == NULL)
    {
      g_autofree char *text = fleet_diagnostics_format (diags);

      g_printerr ("%s", text);
      return EXIT_BAD_INPUT;
    }

  config = fleet_snapshot_config_new ();
  config->categories = fleet_baseline_categories (baseline);
  g_ptr_array_extend_and_steal (config->files, fleet_baseline_file_paths (baseline));
  config->on_drift = FLEET_SNAPSHOT_ON_UNEXPECTED_FAIL_HOST;
  name = g_strdup_printf ("verify %s", baseline->name);
  config->baseline = g_steal_pointer (&baseline);

  plan = build_snapshot_plan (&options, &adhoc, name, config);
  if (plan == NULL)
    {
      g_printerr ("fleetc verify: nothing was checked\n");
      return EXIT_BAD_INPUT;
    }
  if (!options.quiet)
    print_hosts (plan, "Baseline check");
  return launch (plan, &options, argc, argv, "verify");
}

static const char take_usage[] =
  "Usage: fleetc snapshot take -i INVENTORY... --limit EXPR [--store DIR] "
  "[--categories LIST] [--file PATH]... [--drift] [FLEET-RUN OPTIONS]\n";

static int
take_usage_error (const char *message)
{
  g_printerr ("fleetc snapshot take: %s\n%s", message, take_usage);
  return EXIT_BAD_INPUT;
}

/* Read a comma-separated list of category names into bits. */
static gboolean
parse_categories (const char *text, guint *out_categories, char **out_problem)
{
  g_auto (GStrv) names = g_strsplit (text, ",", -1);
  guint categories = 0;

  for (guint i = 0; names[i] != NULL; i++)
    {
      FleetSnapshotCategory category;
      g_autofree char *name = g_strstrip (g_strdup (names[i]));

      if (!fleet_snapshot_category_from_name (name, &category))
        {
          *out_problem = g_strdup_printf ("unknown category \"%s\" in --categories; use os, "
                                          "packages, services, files, sysctl, ports, users, "
                                          "groups, mounts or facts", name);
          return FALSE;
        }
      categories |= 1u << category;
    }
  *out_categories = categories;
  return TRUE;
}

int
fleetc_snapshot_take_main (int argc, char **argv)
{
  g_auto (HostOptions) options = { 0 };
  g_autoptr (GOptionContext) context = g_option_context_new (NULL);
  g_autoptr (GError) error = NULL;
  g_autoptr (FleetPlan) plan = NULL;
  g_autofree char *problem = NULL;
  g_autofree char *categories_text = NULL;
  g_auto (GStrv) files = NULL;
  gboolean drift = FALSE;
  FleetAdhocOptions adhoc = { 0 };
  FleetSnapshotConfig *config;
  GOptionEntry entries[] = {
    { "categories", 0, 0, G_OPTION_ARG_STRING, &categories_text,
      "Collect only these categories, comma separated (default: all)", "LIST" },
    { "file", 0, 0, G_OPTION_ARG_FILENAME_ARRAY, &files,
      "Record this remote file, directory or shell glob; repeatable", "PATH" },
    { "drift", 0, 0, G_OPTION_ARG_NONE, &drift,
      "Report what changed since each host's latest snapshot in the store", NULL },
    { NULL }
  };

  g_option_context_add_main_entries (context, entries, NULL);
  add_host_entries (context, &options);
  g_option_context_set_summary (context, "Take a configuration snapshot of the selected hosts "
                                         "now, through fleet-run.  Other options are passed "
                                         "to fleet-run.");
  if (!fleet_text_parse_options (context, &argc, &argv, &error))
    return take_usage_error (error->message);

  problem = check_host_options (&options, &adhoc);
  if (problem != NULL)
    return take_usage_error (problem);

  config = fleet_snapshot_config_new ();
  if (categories_text != NULL && !parse_categories (categories_text, &config->categories,
                                                    &problem))
    {
      fleet_snapshot_config_free (config);
      return take_usage_error (problem);
    }
  for (guint i = 0; files != NULL && files[i] != NULL; i++)
    g_ptr_array_add (config->files, g_strdup (files[i]));
  if (drift)
    config->drift = FLEET_SNAPSHOT_DRIFT_LATEST;

  plan = build_snapshot_plan (&options, &adhoc, "snapshot", config);
  if (plan == NULL)
    {
      g_printerr ("fleetc snapshot take: nothing was collected\n");
      return EXIT_BAD_INPUT;
    }
  if (!options.quiet)
    print_hosts (plan, "Configuration snapshot");
  return launch (plan, &options, argc, argv, "snapshot take");
}
