/* test-adhoc.c: the workflow of `fleetc run` and the plan launcher. */
#include <string.h>
#include <sys/stat.h>

#include <glib/gstdio.h>

#include "cli/fleetc-launch.h"
#include "compiler/adhoc-workflow.h"
#include "planner/fleet-planner.h"
#include "tests/test-helpers.h"

static const char inventory_text[] =
  "hosts:\n"
  "  db1: {address: 192.0.2.1, attributes: {dc: dc1, role: db}}\n"
  "  db2: {address: 192.0.2.2, attributes: {dc: dc2, role: db}}\n"
  "  web1: {address: 192.0.2.3, attributes: {dc: dc2, role: web}}\n"
  "groups:\n"
  "  db: [db1, db2]\n";

static const char extra_inventory_text[] =
  "hosts:\n"
  "  cache1: {address: 192.0.2.9, attributes: {dc: dc2, role: cache}}\n";

typedef struct {
  char *dir;
  char *inventory;
  char *extra_inventory;
} Fixture;

static void
fixture_set_up (Fixture *fixture, gconstpointer data)
{
  fixture->dir = fleet_test_make_dir ("fleet-adhoc-XXXXXX");
  fixture->inventory = g_build_filename (fixture->dir, "inventory.yaml", NULL);
  g_assert_true (g_file_set_contents (fixture->inventory, inventory_text, -1, NULL));
  fixture->extra_inventory = g_build_filename (fixture->dir, "extra.yaml", NULL);
  g_assert_true (g_file_set_contents (fixture->extra_inventory, extra_inventory_text, -1, NULL));
}

static void
fixture_tear_down (Fixture *fixture, gconstpointer data)
{
  fleet_test_remove_tree (fixture->dir);
  g_free (fixture->dir);
  g_free (fixture->inventory);
  g_free (fixture->extra_inventory);
}

static void
test_join_command_table (void)
{
  const struct {
    const char *argv[5];
    const char *expected;
  } cases[] = {
    { { "uptime" }, "uptime" },
    { { "systemctl", "status", "nginx.service" }, "systemctl status nginx.service" },
    { { "ls", "-l", "/var/log/", "a,b:c@d%e+f" }, "ls -l /var/log/ a,b:c@d%e+f" },
    { { "echo", "hello world" }, "echo 'hello world'" },
    { { "echo", "it's" }, "echo 'it'\\''s'" },
    { { "echo", "$HOME", "`id`", "$(id)" }, "echo '$HOME' '`id`' '$(id)'" },
    { { "echo", "a;b", "a|b", "a&b" }, "echo 'a;b' 'a|b' 'a&b'" },
    { { "echo", "*", "~", "x>y" }, "echo '*' '~' 'x>y'" },
    { { "echo", "" }, "echo ''" },
    { { "echo", "line\nbreak" }, "echo 'line\nbreak'" },
    /* `=` is an assignment only in the first word. */
    { { "env", "A=1" }, "env A=1" },
    { { "A=1", "true" }, "'A=1' true" },
    { { "sh", "-c", "uptime; df -h" }, "sh -c 'uptime; df -h'" },
  };

  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autofree char *command = fleet_adhoc_join_command (cases[i].argv);

      g_assert_cmpstr (command, ==, cases[i].expected);
    }
}

/* Build the ad-hoc plan of `options`; the diagnostics go to `diags`. */
static FleetPlan *
plan_adhoc (const FleetAdhocOptions *options, FleetDiagnostics *diags)
{
  g_autoptr(FleetWorkflow) workflow = fleet_compile_adhoc (options, diags);

  if (workflow == NULL)
    return NULL;
  return fleet_planner_build (workflow, diags);
}

static void
test_plan_one_step_one_wave (Fixture *fixture, gconstpointer data)
{
  const char *inventories[] = { fixture->inventory, NULL };
  const char *command[] = { "systemctl", "restart", "my app", NULL };
  FleetAdhocOptions options = {
    .inventories = inventories,
    .limit = "role == \"db\"",
    .command_argv = command,
    .parallelism = 3,
    .timeout_ms = 30000,
    .become = TRUE,
    .become_user = "postgres",
  };
  g_autoptr(FleetDiagnostics) diags = fleet_diagnostics_new ();
  g_autoptr(FleetPlan) plan = plan_adhoc (&options, diags);
  const FleetStep *step;
  const FleetWave *wave;

  g_assert_nonnull (plan);
  g_assert_cmpuint (fleet_diagnostics_length (diags), ==, 0);
  g_assert_cmpstr (plan->workflow_name, ==, FLEET_ADHOC_WORKFLOW_NAME);
  g_assert_cmpstr (plan->limit, ==, "role == \"db\"");
  g_assert_cmpuint (plan->parallelism, ==, 3);
  g_assert_cmpuint (plan->hosts->len, ==, 2);
  g_assert_cmpstr (((FleetHost *) g_ptr_array_index (plan->hosts, 0))->name, ==, "db1");
  g_assert_cmpstr (((FleetHost *) g_ptr_array_index (plan->hosts, 1))->name, ==, "db2");

  g_assert_cmpuint (plan->steps->len, ==, 1);
  step = g_ptr_array_index (plan->steps, 0);
  g_assert_cmpstr (step->name, ==, FLEET_ADHOC_STEP_NAME);
  g_assert_cmpstr (step->command, ==, "systemctl restart 'my app'");
  g_assert_null (step->host_commands);
  g_assert_cmpuint (step->timeout_ms, ==, 30000);
  g_assert_true (step->become);
  g_assert_cmpstr (step->become_user, ==, "postgres");

  g_assert_cmpuint (plan->waves->len, ==, 1);
  wave = g_ptr_array_index (plan->waves, 0);
  g_assert_cmpuint (wave->host_indices->len, ==, 2);
  g_assert_false (wave->canary);
  /* The workflow default: the first failed host halts. */
  g_assert_cmpuint (wave->halt_failed, ==, 1);

  /* The plan records the inventory file, so fleet-run notices a change. */
  g_assert_cmpuint (plan->inventory_files->len, ==, 1);
  g_assert_nonnull (plan->inventory_sha256);
}

static void
test_plan_combines_inventories (Fixture *fixture, gconstpointer data)
{
  const char *inventories[] = { fixture->inventory, fixture->extra_inventory, NULL };
  const char *command[] = { "uptime", NULL };
  FleetThreshold unlimited = { FLEET_THRESHOLD_UNLIMITED, 0 };
  FleetAdhocOptions options = {
    .inventories = inventories,
    .limit = "dc == \"dc2\"",
    .command_argv = command,
    .halt_failed = &unlimited,
  };
  g_autoptr(FleetDiagnostics) diags = fleet_diagnostics_new ();
  g_autoptr(FleetPlan) plan = plan_adhoc (&options, diags);
  const FleetWave *wave;

  g_assert_nonnull (plan);
  g_assert_cmpuint (plan->hosts->len, ==, 3);
  g_assert_cmpstr (((FleetHost *) g_ptr_array_index (plan->hosts, 2))->name, ==, "cache1");
  g_assert_cmpuint (plan->inventory_files->len, ==, 2);
  g_assert_cmpuint (plan->parallelism, ==, FLEET_DEFAULT_PARALLELISM);
  wave = g_ptr_array_index (plan->waves, 0);
  g_assert_cmpuint (wave->halt_failed, ==, FLEET_THRESHOLD_NEVER);
  g_assert_false (plan->halt_at_default[FLEET_HALT_FAILED_PER_WAVE]);
}

static void
test_limit_error_column (Fixture *fixture, gconstpointer data)
{
  const char *inventories[] = { fixture->inventory, NULL };
  const char *command[] = { "uptime", NULL };
  FleetAdhocOptions options = {
    .inventories = inventories,
    .limit = "role == \"db\" and and",
    .command_argv = command,
  };
  g_autoptr(FleetDiagnostics) diags = fleet_diagnostics_new ();
  g_autoptr(FleetWorkflow) workflow = fleet_compile_adhoc (&options, diags);
  const FleetDiagnostic *diagnostic;

  g_assert_null (workflow);
  g_assert_cmpuint (fleet_diagnostics_error_count (diags), ==, 1);
  diagnostic = fleet_diagnostics_get (diags, 0);
  g_assert_cmpstr (diagnostic->pos.file, ==, "--limit");
  g_assert_cmpuint (diagnostic->pos.column, ==, 18);
}

static void
test_limit_selects_nothing (Fixture *fixture, gconstpointer data)
{
  const char *inventories[] = { fixture->inventory, NULL };
  const char *command[] = { "uptime", NULL };
  FleetAdhocOptions options = {
    .inventories = inventories,
    .limit = "role == \"mail\"",
    .command_argv = command,
  };
  g_autoptr(FleetDiagnostics) diags = fleet_diagnostics_new ();
  g_autoptr(FleetPlan) plan = plan_adhoc (&options, diags);

  g_assert_null (plan);
  g_assert_cmpuint (fleet_diagnostics_error_count (diags), ==, 1);
  g_assert_nonnull (strstr (fleet_diagnostics_get (diags, 0)->message, "keeps none"));
}

static void
test_missing_inventory_reported (Fixture *fixture, gconstpointer data)
{
  g_autofree char *missing = g_build_filename (fixture->dir, "missing.yaml", NULL);
  const char *inventories[] = { fixture->inventory, missing, NULL };
  const char *command[] = { "uptime", NULL };
  FleetAdhocOptions options = {
    .inventories = inventories,
    .limit = "true",
    .command_argv = command,
  };
  g_autoptr(FleetDiagnostics) diags = fleet_diagnostics_new ();
  g_autoptr(FleetWorkflow) workflow = fleet_compile_adhoc (&options, diags);

  g_assert_null (workflow);
  g_assert_cmpuint (fleet_diagnostics_error_count (diags), >=, 1);
  g_assert_nonnull (strstr (fleet_diagnostics_get (diags, 0)->message, "missing.yaml"));
}

static void
test_launch_writes_private_plan (Fixture *fixture, gconstpointer data)
{
  const char *inventories[] = { fixture->inventory, NULL };
  const char *command[] = { "uptime", NULL };
  FleetAdhocOptions options = {
    .inventories = inventories,
    .limit = "true",
    .command_argv = command,
  };
  g_autoptr(FleetDiagnostics) diags = fleet_diagnostics_new ();
  g_autoptr(FleetPlan) plan = plan_adhoc (&options, diags);
  g_autofree char *parent = g_build_filename (fixture->dir, "runs", "nested", NULL);
  g_autofree char *path = NULL;
  g_autofree char *directory = NULL;
  g_autofree char *basename = NULL;
  g_autoptr(FleetPlan) read_back = NULL;
  g_autoptr(GError) error = NULL;
  struct stat info;

  g_assert_nonnull (plan);
  path = fleetc_launch_write_plan (plan, parent, &error);
  g_assert_no_error (error);
  g_assert_true (g_path_is_absolute (path));

  directory = g_path_get_dirname (path);
  basename = g_path_get_basename (directory);
  g_assert_true (g_str_has_prefix (basename, "plan-"));
  g_assert_cmpint (g_stat (directory, &info), ==, 0);
  g_assert_cmpint (info.st_mode & 07777, ==, 0700);
  g_assert_cmpint (g_stat (path, &info), ==, 0);
  g_assert_cmpint (info.st_mode & 07777, ==, 0600);

  read_back = fleet_plan_read_file (path, &error);
  g_assert_no_error (error);
  g_assert_cmpstr (read_back->file_sha256, ==, plan->file_sha256);
  g_assert_cmpuint (read_back->hosts->len, ==, 3);
}

static void
test_launch_write_error (Fixture *fixture, gconstpointer data)
{
  g_autoptr(FleetPlan) plan = fleet_plan_new ();
  g_autofree char *parent = g_build_filename (fixture->inventory, "runs", NULL);
  g_autoptr(GError) error = NULL;
  g_autofree char *path = fleetc_launch_write_plan (plan, parent, &error);

  g_assert_null (path);
  g_assert_error (error, FLEETC_LAUNCH_ERROR, FLEETC_LAUNCH_ERROR_IO);
  g_assert_nonnull (strstr (error->message, parent));
}

/* The test program has no fleet-run next to it, so launching fails before
 * anything is written. */
static void
test_launch_without_fleet_run (Fixture *fixture, gconstpointer data)
{
  g_autoptr(FleetPlan) plan = fleet_plan_new ();
  g_autofree char *parent = g_build_filename (fixture->dir, "runs", NULL);
  g_autoptr(GError) error = NULL;
  int status = fleetc_launch_plan (plan, parent, NULL, &error);

  g_assert_cmpint (status, ==, -1);
  g_assert_error (error, FLEETC_LAUNCH_ERROR, FLEETC_LAUNCH_ERROR_NOT_FOUND);
  g_assert_nonnull (strstr (error->message, "fleet-run"));
  g_assert_false (g_file_test (parent, G_FILE_TEST_EXISTS));
}

#define ADD(path, func) \
  g_test_add (path, Fixture, NULL, fixture_set_up, func, fixture_tear_down)

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/adhoc/join-command", test_join_command_table);
  ADD ("/adhoc/plan/one-step-one-wave", test_plan_one_step_one_wave);
  ADD ("/adhoc/plan/combines-inventories", test_plan_combines_inventories);
  ADD ("/adhoc/plan/limit-error-column", test_limit_error_column);
  ADD ("/adhoc/plan/limit-selects-nothing", test_limit_selects_nothing);
  ADD ("/adhoc/plan/missing-inventory", test_missing_inventory_reported);
  ADD ("/adhoc/launch/private-plan", test_launch_writes_private_plan);
  ADD ("/adhoc/launch/write-error", test_launch_write_error);
  ADD ("/adhoc/launch/no-fleet-run", test_launch_without_fleet_run);

  return g_test_run ();
}
