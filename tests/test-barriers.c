/* test-barriers.c: steps that wait for a step on the hosts of a group
 * (`needs: [{step: S, on: GROUP}]`), run by fleet-run against the sandbox
 * fleet.  The barrier keeps a host waiting until the group's hosts
 * finished the step, and fails it when one of them cannot.
 *
 * Hosts 0 and 1 play the database group, host 2 the application host.
 * The sandbox gives each session FLEET_HOST, the host's name.
 */
#include <glib.h>
#include <glib/gstdio.h>
#include <string.h>

#include "runtime-fixture.h"
#include "schema/fleet-pacing.h"
#include "schema/fleet-step-barrier.h"
#include "tests/test-helpers.h"

#define APP_HOST 2

static void
skip_on (FleetStep *step, guint host_index)
{
  g_autofree char *name = fleet_sandbox_host_name (shared_sandbox, host_index);

  if (step->skipped_hosts == NULL)
    step->skipped_hosts = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, g_free);
  g_hash_table_insert (step->skipped_hosts, g_strdup (name), g_strdup ("not in this group"));
}

/* Build the plan: the application host creates `ready`, the database
 * hosts run `migrate_command` once it exists, and the application host's
 * `app` step waits for `migrate` on both database hosts, then checks that
 * both left their mark.  All three hosts run in one wave, every one busy at
 * once, as the planner requires for a barrier within a wave. */
static void
build_plan (Fixture *fixture, const char *directory, const char *migrate_command)
{
  const guint sizes[] = { 3, 0 };
  g_autofree char *prepare = g_strdup_printf ("touch '%s/ready'", directory);
  g_autofree char *migrate = g_strdup_printf ("cd '%s' && while [ ! -e ready ]; do sleep 0.05; "
                                              "done && %s", directory, migrate_command);
  g_autofree char *db0 = fleet_sandbox_host_name (shared_sandbox, 0);
  g_autofree char *db1 = fleet_sandbox_host_name (shared_sandbox, 1);
  g_autofree char *app = g_strdup_printf ("cd '%s' && test -e \"migrated-%s\" && "
                                          "test -e \"migrated-%s\"", directory, db0, db1);
  FleetStepBarrier *barrier;
  FleetStep *step;

  add_hosts (fixture, 3, "id_ed25519");
  fixture->plan->parallelism = 3;
  fixture->plan->pacing = fleet_pacing_new ();
  fixture->plan->pacing->fixed = TRUE;

  step = add_step (fixture, "prepare", prepare, 30000);
  skip_on (step, 0);
  skip_on (step, 1);
  step = add_step (fixture, "migrate", migrate, 30000);
  skip_on (step, APP_HOST);
  step = add_step (fixture, "app", app, 30000);
  skip_on (step, 0);
  skip_on (step, 1);

  barrier = fleet_step_barrier_new ("migrate", "db");
  barrier->hosts = g_ptr_array_new_with_free_func (g_free);
  g_ptr_array_add (barrier->hosts, g_strdup (db0));
  g_ptr_array_add (barrier->hosts, g_strdup (db1));
  step->barriers = g_ptr_array_new_with_free_func ((GDestroyNotify) fleet_step_barrier_free);
  g_ptr_array_add (step->barriers, barrier);

  set_waves (fixture, sizes);
}

static void
remove_directory (const char *directory)
{
  fleet_test_remove_tree (directory);
}

/* The application host reaches `app` before the database hosts can have
 * finished `migrate` (they wait for the file it creates in the step just
 * before), so it waits at the barrier and runs once both are done. */
static void
test_barrier_waits_for_group (Fixture *fixture, gconstpointer data)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *directory = NULL;
  g_autofree char *journal = NULL;

  if (!require_sandbox_hosts (3))
    return;

  directory = g_dir_make_tmp ("test-barriers-XXXXXX", &error);
  g_assert_no_error (error);
  build_plan (fixture, directory, "touch \"migrated-$FLEET_HOST\"");
  run_plan (fixture);

  for (guint i = 0; i < 3; i++)
    g_assert_cmpint (host_result (fixture, i)->outcome, ==, FLEET_HOST_SUCCEEDED);
  g_assert_true (step_result (fixture, APP_HOST, 2)->started);
  journal = read_run_file (fixture, "journal.jsonl");
  g_assert_nonnull (strstr (journal, "\"event\":\"barrier-wait\""));
  remove_directory (directory);
}

/* A database host whose `migrate` fails can never open the barrier: the
 * waiting host fails with dependency-failed, naming it, and `app` never
 * runs. */
static void
test_barrier_broken_by_failure (Fixture *fixture, gconstpointer data)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *directory = NULL;
  g_autofree char *failing = NULL;
  g_autofree char *failing_command = NULL;
  g_autofree char *expected = NULL;
  const FleetStepResult *app;

  if (!require_sandbox_hosts (3))
    return;

  directory = g_dir_make_tmp ("test-barriers-XXXXXX", &error);
  g_assert_no_error (error);
  failing = fleet_sandbox_host_name (shared_sandbox, 0);
  failing_command = g_strdup_printf ("if [ \"$FLEET_HOST\" = '%s' ]; then exit 3; fi; "
                                     "touch \"migrated-$FLEET_HOST\"", failing);
  build_plan (fixture, directory, failing_command);
  set_halt_at (fixture, FLEET_HALT_FAILED_PER_WAVE, "unlimited");
  run_plan (fixture);

  g_assert_cmpint (host_result (fixture, 0)->outcome, ==, FLEET_HOST_FAILED);
  g_assert_cmpint (host_result (fixture, 1)->outcome, ==, FLEET_HOST_SUCCEEDED);
  g_assert_cmpint (host_result (fixture, APP_HOST)->outcome, ==, FLEET_HOST_FAILED);
  app = step_result (fixture, APP_HOST, 2);
  g_assert_cmpint (app->failure, ==, FLEET_FAILURE_DEPENDENCY);
  expected = g_strdup_printf ("host \"%s\" will not finish it", failing);
  g_assert_nonnull (strstr (app->message, expected));
  g_assert_false (app->started);
  remove_directory (directory);
}

int
main (int argc, char **argv)
{
  int status;

  g_test_init (&argc, &argv, NULL);

#define ADD(path, func) \
  g_test_add (path, Fixture, NULL, fixture_set_up, func, fixture_tear_down)

  ADD ("/barriers/waits-for-group", test_barrier_waits_for_group);
  ADD ("/barriers/broken-by-failure", test_barrier_broken_by_failure);

  status = g_test_run ();
  release_sandbox ();
  return status;
}
