/* runtime-fixture.c: the shared sandbox and plan fixture of the fleet-run
 * integration tests. */
#include "tests/runtime-fixture.h"

#include <glib/gstdio.h>

FleetSandbox *shared_sandbox;

void
fixture_set_up (Fixture *fixture, gconstpointer data)
{
  g_autoptr(GError) error = NULL;

  fixture->plan = fleet_plan_new ();
  fixture->plan->workflow_name = g_strdup ("test");
  fixture->plan->parallelism = 10;
  fixture->run_dir = g_dir_make_tmp ("fleet-run-XXXXXX", &error);
  g_assert_no_error (error);
}

void
fixture_tear_down (Fixture *fixture, gconstpointer data)
{
  fleet_run_result_free (fixture->result);
  fleet_plan_free (fixture->plan);
  fleet_test_remove_tree (fixture->run_dir);
  g_free (fixture->run_dir);
}

void
fixture_clear (Fixture *fixture)
{
  if (fixture->run_dir != NULL)
    fixture_tear_down (fixture, NULL);
}

void
fixture_reset (Fixture *fixture)
{
  g_autofree char *journal = g_build_filename (fixture->run_dir, "journal.jsonl", NULL);
  g_autofree char *output = g_build_filename (fixture->run_dir, "output", NULL);

  g_clear_pointer (&fixture->result, fleet_run_result_free);
  g_ptr_array_set_size (fixture->plan->hosts, 0);
  g_ptr_array_set_size (fixture->plan->steps, 0);
  g_ptr_array_set_size (fixture->plan->waves, 0);
  for (guint rule = 0; rule < FLEET_HALT_N_RULES; rule++)
    {
      fixture->plan->halt_at[rule] = fleet_halt_rule_default (rule);
      fixture->plan->halt_at_default[rule] = TRUE;
    }
  fleet_test_remove_tree (journal);
  fleet_test_remove_tree (output);
}

gboolean
require_sandbox (void)
{
  return require_sandbox_hosts (SANDBOX_HOSTS);
}

gboolean
require_sandbox_hosts (guint n_hosts)
{
  g_autofree char *reason = NULL;

  if (shared_sandbox != NULL)
    return TRUE;
  if (!fleet_sandbox_available (&reason))
    {
      g_test_skip (reason);
      return FALSE;
    }
  shared_sandbox = fleet_sandbox_up (n_hosts);
  return TRUE;
}

void
add_hosts (Fixture *fixture, guint n_hosts, const char *key_name)
{
  for (guint i = 0; i < n_hosts; i++)
    g_ptr_array_add (fixture->plan->hosts, fleet_sandbox_host (shared_sandbox, i, key_name));
}

FleetStep *
add_step (Fixture *fixture, const char *name, const char *command, guint64 timeout_ms)
{
  FleetStep *step = fleet_step_new (name, command);

  step->timeout_ms = timeout_ms;
  g_ptr_array_add (fixture->plan->steps, step);
  return step;
}

void
set_waves (Fixture *fixture, const guint *sizes)
{
  guint32 next = 0;

  for (const guint *size = sizes; *size != 0; size++)
    {
      FleetWave *wave = fleet_wave_new ();

      for (guint i = 0; i < *size; i++, next++)
        g_array_append_val (wave->host_indices, next);
      g_ptr_array_add (fixture->plan->waves, wave);
    }
  g_assert_cmpuint (next, ==, fixture->plan->hosts->len);
}

void
set_halt_at (Fixture *fixture, FleetHaltRule rule, const char *threshold)
{
  g_assert_true (fleet_threshold_from_string (threshold, &fixture->plan->halt_at[rule]));
  fixture->plan->halt_at_default[rule] = FALSE;
}

void
run_plan (Fixture *fixture)
{
  g_autoptr(GError) error = NULL;

  fleet_plan_resolve_thresholds (fixture->plan);
  fixture->options.run_id = "test-run";
  fixture->options.run_dir = fixture->run_dir;
  fixture->result = fleet_execute_plan (fixture->plan, &fixture->options, &error);
  g_assert_no_error (error);
  g_assert_nonnull (fixture->result);

  for (guint i = 0; i < fixture->result->hosts->len; i++)
    {
      const FleetHostResult *host = g_ptr_array_index (fixture->result->hosts, i);
      if (host->message != NULL)
        g_test_message ("%s: %s", host->host->name, host->message);
    }
}

const FleetHostResult *
host_result (const Fixture *fixture, guint index)
{
  return g_ptr_array_index (fixture->result->hosts, index);
}

const FleetStepResult *
step_result (const Fixture *fixture, guint host, guint step)
{
  return g_ptr_array_index (host_result (fixture, host)->steps, step);
}

char *
read_run_file (const Fixture *fixture, const char *relative)
{
  g_autofree char *path = g_build_filename (fixture->run_dir, relative, NULL);
  g_autoptr(GError) error = NULL;
  char *contents = NULL;

  g_file_get_contents (path, &contents, NULL, &error);
  g_assert_no_error (error);
  return contents;
}

void
release_sandbox (void)
{
  g_clear_pointer (&shared_sandbox, fleet_sandbox_free);
}

void
set_host_sshd_extra (guint index, const char *text)
{
  g_autofree char *name = fleet_sandbox_host_name (shared_sandbox, index);
  g_autofree char *relative = g_build_filename ("hosts", name, "sshd_config.extra", NULL);
  g_autofree char *extra = fleet_sandbox_path (shared_sandbox, relative);

  if (text != NULL)
    g_assert_true (g_file_set_contents (extra, text, -1, NULL));
  else
    g_unlink (extra);
  fleet_sandbox_control (shared_sandbox, "stop", index);
  fleet_sandbox_control (shared_sandbox, "start", index);
}

char *
host_home_path (guint index, const char *name)
{
  g_autofree char *host = fleet_sandbox_host_name (shared_sandbox, index);
  g_autofree char *relative = g_build_filename ("hosts", host, "home", name, NULL);

  return fleet_sandbox_path (shared_sandbox, relative);
}
