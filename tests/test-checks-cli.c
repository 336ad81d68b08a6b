/* test-checks-cli.c: approval gates and rollback through the fleetc and
 * fleet-run programs, as an admin at two terminals uses them. */
#include <string.h>

#include <gio/gio.h>
#include <glib/gstdio.h>

#include "schema/fleet-plan.h"
#include "tests/sandbox.h"

static FleetSandbox *sandbox;

typedef struct {
  char *dir;
  char *plan;
  char *runs;
} Fixture;

static const char workflow_text[] =
  "name: gated\n"
  "inventory: %s\n"
  "target: {all: true}\n"
  "waves: [1, 100%%]\n"
  "steps:\n"
  "  - {name: change, run: \"touch \\\"$HOME/cli-change\\\"\", timeout: 10s}\n"
  "between_waves:\n"
  "  approve: true\n"
  "rollback:\n"
  "  undo:\n"
  "    change: \"rm \\\"$HOME/cli-change\\\" && echo undone >> \\\"$HOME/cli-undo\\\"\"\n";

static char *
host_file (guint index, const char *name)
{
  g_autofree char *host = fleet_sandbox_host_name (sandbox, index);
  g_autofree char *relative = g_build_filename ("hosts", host, "home", name, NULL);

  return fleet_sandbox_path (sandbox, relative);
}

static void
fixture_set_up (Fixture *fixture, gconstpointer data)
{
  fixture->dir = fleet_test_make_dir ("fleet-checks-cli-XXXXXX");
  fixture->plan = g_build_filename (fixture->dir, "gated.plan", NULL);
  fixture->runs = g_build_filename (fixture->dir, "runs", NULL);
}

static void
fixture_tear_down (Fixture *fixture, gconstpointer data)
{
  fleet_test_remove_tree (fixture->dir);
  for (guint i = 0; sandbox != NULL && i < sandbox->n_hosts; i++)
    {
      g_autofree char *change = host_file (i, "cli-change");
      g_autofree char *undo = host_file (i, "cli-undo");
      g_autofree char *fail = host_file (i, "cli-fail");

      g_unlink (change);
      g_unlink (undo);
      g_unlink (fail);
    }
  g_free (fixture->dir);
  g_free (fixture->plan);
  g_free (fixture->runs);
}

static gboolean
require_sandbox (void)
{
  g_autofree char *reason = NULL;

  if (sandbox != NULL)
    return TRUE;
  if (!fleet_sandbox_available (&reason))
    {
      g_test_skip (reason);
      return FALSE;
    }
  sandbox = fleet_sandbox_up (2);
  return TRUE;
}

/* Compile `format`, a workflow written as a printf format whose one %s is
 * the inventory path, to fixture->plan. */
static void
compile_plan_text (Fixture *fixture, const char *format)
{
  g_autofree char *inventory = fleet_sandbox_path (sandbox, "inventory.yaml");
  g_autofree char *workflow = g_build_filename (fixture->dir, "gated.yaml", NULL);
  g_autoptr(GString) text_buffer = g_string_new (format);
  const char *text;
  g_autofree char *fleetc = fleet_test_program ("fleetc");

  g_string_replace (text_buffer, "%s", inventory, 1);
  g_string_replace (text_buffer, "%%", "%", 0);
  text = text_buffer->str;
  const char *argv[] = { fleetc, "compile", workflow, "-o", fixture->plan, NULL };

  g_assert_true (g_file_set_contents (workflow, text, -1, NULL));
  g_assert_cmpint (fleet_test_spawn (argv, NULL, NULL), ==, 0);
}

static void
compile_plan (Fixture *fixture)
{
  compile_plan_text (fixture, workflow_text);
}

/* Start fleet-run on the plan and return it once it waits for an
 * approval, with the run id in `out_run_id`. */
static GSubprocess *
start_gated_run (Fixture *fixture, char **out_run_id)
{
  g_autofree char *fleet_run = fleet_test_program ("fleet-run");
  g_autoptr(GError) error = NULL;
  GSubprocess *process = g_subprocess_new (G_SUBPROCESS_FLAGS_STDOUT_PIPE
                                           | G_SUBPROCESS_FLAGS_STDERR_PIPE, &error,
                                           fleet_run, fixture->plan, "--runs-dir", fixture->runs,
                                           NULL);

  g_assert_no_error (error);

  /* Polls for a condition, with the test's timeout as the only limit. */
  for (;;)
    {
      g_autoptr(GDir) runs = g_dir_open (fixture->runs, 0, NULL);
      const char *name = runs != NULL ? g_dir_read_name (runs) : NULL;

      if (name != NULL)
        {
          g_autofree char *wait_file = g_build_filename (fixture->runs, name, "approval-wait",
                                                         NULL);

          if (g_file_test (wait_file, G_FILE_TEST_EXISTS))
            {
              *out_run_id = g_strdup (name);
              return process;
            }
        }
      g_assert_nonnull (g_subprocess_get_identifier (process));
      g_usleep (100 * 1000);
    }
}

static int
run_fleet_run (const char * const *args, char **out_stdout, char **out_stderr)
{
  g_autofree char *fleet_run = fleet_test_program ("fleet-run");
  g_autoptr(GPtrArray) argv = g_ptr_array_new ();

  g_ptr_array_add (argv, fleet_run);
  for (const char * const *arg = args; *arg != NULL; arg++)
    g_ptr_array_add (argv, (gpointer) *arg);
  g_ptr_array_add (argv, NULL);
  return fleet_test_spawn ((const char * const *) argv->pdata, out_stdout, out_stderr);
}

static int
finish_run (GSubprocess *process, char **out_stdout)
{
  g_autoptr(GError) error = NULL;

  g_assert_true (g_subprocess_communicate_utf8 (process, NULL, NULL, out_stdout, NULL, &error));
  g_assert_no_error (error);
  return g_subprocess_get_exit_status (process);
}

/* Assert that the undo command ran exactly once on each of the first
 * `n_hosts` hosts. */
static void
assert_undone_once (guint n_hosts)
{
  for (guint i = 0; i < n_hosts; i++)
    {
      g_autofree char *undo = host_file (i, "cli-undo");
      g_autofree char *contents = NULL;

      g_assert_true (g_file_get_contents (undo, &contents, NULL, NULL));
      g_assert_cmpstr (contents, ==, "undone\n");
    }
}

static void
test_continue_then_rollback (Fixture *fixture, gconstpointer data)
{
  g_autoptr(GSubprocess) process = NULL;
  g_autofree char *run_id = NULL;
  g_autofree char *answer_out = NULL;
  g_autofree char *run_out = NULL;
  g_autofree char *rollback_out = NULL;
  g_autofree char *rollback_err = NULL;

  if (!require_sandbox ())
    return;
  compile_plan (fixture);
  process = start_gated_run (fixture, &run_id);

  g_assert_cmpint (run_fleet_run ((const char *[]) { "--continue", run_id, "--runs-dir",
                                                     fixture->runs, NULL },
                                  &answer_out, NULL), ==, 0);
  g_assert_nonnull (strstr (answer_out, "continue after the current wave, as "));
  g_assert_cmpint (finish_run (process, &run_out), ==, 0);
  g_assert_nonnull (strstr (run_out, "2 of 2 hosts succeeded"));

  g_assert_cmpint (run_fleet_run ((const char *[]) { "--rollback", run_id, fixture->plan,
                                                     "--runs-dir", fixture->runs, NULL },
                                  &rollback_out, &rollback_err), ==, 0);
  g_test_message ("%s%s", rollback_out, rollback_err);
  g_assert_nonnull (strstr (rollback_out, "2 of 2 hosts rolled back."));
  for (guint i = 0; i < 2; i++)
    {
      g_autofree char *change = host_file (i, "cli-change");
      g_autofree char *undo = host_file (i, "cli-undo");
      g_autofree char *contents = NULL;

      g_assert_false (g_file_test (change, G_FILE_TEST_EXISTS));
      g_assert_true (g_file_get_contents (undo, &contents, NULL, NULL));
      g_assert_cmpstr (contents, ==, "undone\n");
    }

  /* A second rollback of the same run finds both hosts rolled back by the
   * first one and runs no undo command again. */
  g_clear_pointer (&rollback_out, g_free);
  g_assert_cmpint (run_fleet_run ((const char *[]) { "--rollback", run_id, fixture->plan,
                                                     "--runs-dir", fixture->runs, NULL },
                                  &rollback_out, NULL), ==, 0);
  g_test_message ("%s", rollback_out);
  g_assert_nonnull (strstr (rollback_out, "2 hosts with started steps, 2 already rolled back "
                                          "and skipped\n"));
  g_assert_nonnull (strstr (rollback_out, ": already rolled back by rollback run "));
  g_assert_nonnull (strstr (rollback_out, "every host with started steps was already rolled "
                                          "back, so no undo command ran"));
  assert_undone_once (2);
}

static void
test_abort (Fixture *fixture, gconstpointer data)
{
  g_autoptr(GSubprocess) process = NULL;
  g_autofree char *run_id = NULL;
  g_autofree char *run_out = NULL;
  g_autofree char *second = host_file (1, "cli-change");

  if (!require_sandbox ())
    return;
  compile_plan (fixture);
  process = start_gated_run (fixture, &run_id);

  g_assert_cmpint (run_fleet_run ((const char *[]) { "--abort", run_id, "--runs-dir",
                                                     fixture->runs, NULL }, NULL, NULL), ==, 0);
  g_assert_cmpint (finish_run (process, &run_out), ==, 1);
  g_assert_nonnull (strstr (run_out, "The run stopped after wave 1: aborted after wave 1 by "));
  g_assert_false (g_file_test (second, G_FILE_TEST_EXISTS));
}

/* A resume after a stop between waves passes over that gate, so it needs
 * --override-wave-gate, which the journal records. */
static void
test_resume_overrides_gate (Fixture *fixture, gconstpointer data)
{
  g_autoptr(GSubprocess) process = NULL;
  g_autofree char *run_id = NULL;
  g_autofree char *run_dir = NULL;
  g_autofree char *run_out = NULL;
  g_autofree char *out = NULL;
  g_autofree char *err = NULL;
  g_autofree char *journal_path = NULL;
  g_autofree char *journal = NULL;
  g_autofree char *second = host_file (1, "cli-change");

  if (!require_sandbox ())
    return;
  compile_plan (fixture);
  process = start_gated_run (fixture, &run_id);
  g_assert_cmpint (run_fleet_run ((const char *[]) { "--abort", run_id, "--runs-dir",
                                                     fixture->runs, NULL }, NULL, NULL), ==, 0);
  g_assert_cmpint (finish_run (process, &run_out), ==, 1);
  g_test_message ("%s", run_out);
  g_assert_nonnull (strstr (run_out, "resuming starts wave 2 without running that check or gate "
                                     "again"));
  run_dir = g_build_filename (fixture->runs, run_id, NULL);

  g_assert_cmpint (run_fleet_run ((const char *[]) { "--resume", run_dir, fixture->plan, NULL },
                                  NULL, &err), ==, 2);
  g_test_message ("%s", err);
  g_assert_nonnull (strstr (err, "the run stopped after wave 1: aborted after wave 1 by "));
  g_assert_nonnull (strstr (err, "add --override-wave-gate to go on"));
  g_assert_false (g_file_test (second, G_FILE_TEST_EXISTS));
  g_clear_pointer (&err, g_free);

  g_assert_cmpint (run_fleet_run ((const char *[]) { "--resume", run_dir, fixture->plan,
                                                     "--override-wave-gate", NULL }, &out, &err),
                   ==, 0);
  g_test_message ("%s%s", out, err);
  g_assert_nonnull (strstr (err, "WARNING: the run stopped after wave 1"));
  g_assert_true (g_file_test (second, G_FILE_TEST_EXISTS));
  journal_path = g_build_filename (run_dir, "journal.jsonl", NULL);
  g_assert_true (g_file_get_contents (journal_path, &journal, NULL, NULL));
  g_assert_nonnull (strstr (journal, "\"overrode_stop\":\"aborted after wave 1 by "));
}

/* The second host fails its second step, so the run halts and rolls back
 * both hosts right away; `fleet-run --rollback` then has nothing left to
 * undo. */
static const char halting_workflow[] =
  "name: halting\n"
  "inventory: %s\n"
  "target: {all: true}\n"
  "waves: [100%%]\n"
  "steps:\n"
  "  - {name: change, run: \"touch \\\"$HOME/cli-change\\\"\", timeout: 10s}\n"
  "  - {name: check, run: \"test ! -e \\\"$HOME/cli-fail\\\"\", timeout: 10s}\n"
  "rollback:\n"
  "  undo:\n"
  "    change: \"rm \\\"$HOME/cli-change\\\" && echo undone >> \\\"$HOME/cli-undo\\\"\"\n"
  "  on_halt: rollback\n";

static void
test_rollback_after_automatic_rollback (Fixture *fixture, gconstpointer data)
{
  g_autofree char *fail_marker = NULL;
  g_autofree char *run_out = NULL;
  g_autofree char *rollback_out = NULL;
  g_autofree char *first = NULL;
  g_autofree char *second = NULL;
  g_autofree char *expected = NULL;
  g_autoptr(GDir) runs = NULL;
  g_autofree char *run_id = NULL;
  g_autofree char *rollback_id = NULL;
  g_autofree char *journal_path = NULL;
  g_autofree char *journal = NULL;
  g_autoptr(GError) error = NULL;

  if (!require_sandbox ())
    return;
  first = fleet_sandbox_host_name (sandbox, 0);
  second = fleet_sandbox_host_name (sandbox, 1);
  fail_marker = host_file (1, "cli-fail");
  g_assert_true (g_file_set_contents (fail_marker, "", -1, NULL));
  compile_plan_text (fixture, halting_workflow);

  g_assert_cmpint (run_fleet_run ((const char *[]) { fixture->plan, "--runs-dir", fixture->runs,
                                                     NULL }, &run_out, NULL), ==, 1);
  g_unlink (fail_marker);
  g_test_message ("%s", run_out);
  g_assert_nonnull (strstr (run_out, "0 of 2 hosts succeeded, 1 succeeded and then rolled back, "
                                     "1 failed"));
  g_assert_nonnull (strstr (run_out, "2 of 2 hosts rolled back."));
  assert_undone_once (2);

  runs = g_dir_open (fixture->runs, 0, &error);
  g_assert_no_error (error);
  run_id = g_strdup (g_dir_read_name (runs));
  g_assert_nonnull (run_id);
  g_assert_null (g_dir_read_name (runs));

  g_assert_cmpint (run_fleet_run ((const char *[]) { "--rollback", run_id, fixture->plan,
                                                     "--runs-dir", fixture->runs, NULL },
                                  &rollback_out, NULL), ==, 0);
  g_test_message ("%s", rollback_out);
  g_assert_nonnull (strstr (rollback_out, "2 hosts with started steps, 2 already rolled back "
                                          "and skipped\n"));
  expected = g_strdup_printf ("  skipped %s: already rolled back by the automatic rollback "
                              "when run %s halted\n", second, run_id);
  g_assert_nonnull (strstr (rollback_out, expected));
  g_clear_pointer (&expected, g_free);
  expected = g_strdup_printf ("  skipped %s: already rolled back", first);
  g_assert_nonnull (strstr (rollback_out, expected));
  assert_undone_once (2);

  /* The rollback run's journal records each skipped host. */
  rollback_id = g_strndup (rollback_out + strlen ("Rollback "),
                           strcspn (rollback_out + strlen ("Rollback "), " "));
  journal_path = g_build_filename (fixture->runs, rollback_id, "journal.jsonl", NULL);
  g_assert_true (g_file_get_contents (journal_path, &journal, NULL, NULL));
  g_clear_pointer (&expected, g_free);
  expected = g_strdup_printf ("\"event\":\"rollback-host-skipped\",\"host\":\"%s\"", second);
  g_assert_nonnull (strstr (journal, expected));
}

/* The undo of "install" fails once on the first host (while the marker
 * file exists), so the first rollback stops there after the undo of
 * "config" ended. */
static const char undo_twice_workflow[] =
  "name: undo-twice\n"
  "inventory: %s\n"
  "target: {all: true}\n"
  "waves: [100%%]\n"
  "steps:\n"
  "  - {name: install, run: \"true\", timeout: 10s}\n"
  "  - {name: config, run: \"true\", timeout: 10s}\n"
  "rollback:\n"
  "  undo:\n"
  "    install: \"if test -e \\\"$HOME/cli-fail\\\"; then rm \\\"$HOME/cli-fail\\\"; exit 1; fi; "
  "echo undo-install >> \\\"$HOME/cli-undo\\\"\"\n"
  "    config: \"echo undo-config >> \\\"$HOME/cli-undo\\\"\"\n";

/* Return the id of the only run under fixture->runs. */
static char *
only_run_id (Fixture *fixture)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GDir) runs = g_dir_open (fixture->runs, 0, &error);
  char *run_id;

  g_assert_no_error (error);
  run_id = g_strdup (g_dir_read_name (runs));
  g_assert_nonnull (run_id);
  g_assert_null (g_dir_read_name (runs));
  return run_id;
}

static char *
host_file_contents (guint index, const char *name)
{
  g_autofree char *path = host_file (index, name);
  char *contents = NULL;

  if (!g_file_get_contents (path, &contents, NULL, NULL))
    return g_strdup ("");
  return contents;
}

static void
test_rollback_continues_failed (Fixture *fixture, gconstpointer data)
{
  g_autofree char *fail_marker = NULL;
  g_autofree char *run_id = NULL;
  g_autofree char *out = NULL;
  g_autofree char *first = NULL;
  g_autofree char *expected = NULL;
  g_autofree char *undo = NULL;

  if (!require_sandbox ())
    return;
  first = fleet_sandbox_host_name (sandbox, 0);
  fail_marker = host_file (0, "cli-fail");
  compile_plan_text (fixture, undo_twice_workflow);
  g_assert_cmpint (run_fleet_run ((const char *[]) { fixture->plan, "--runs-dir", fixture->runs,
                                                     NULL }, NULL, NULL), ==, 0);
  run_id = only_run_id (fixture);

  g_assert_true (g_file_set_contents (fail_marker, "", -1, NULL));
  g_assert_cmpint (run_fleet_run ((const char *[]) { "--rollback", run_id, fixture->plan,
                                                     "--runs-dir", fixture->runs, NULL },
                                  &out, NULL), ==, 1);
  g_test_message ("%s", out);
  g_assert_nonnull (strstr (out, "FAILED after 2 of 2 commands"));
  undo = host_file_contents (0, "cli-undo");
  g_assert_cmpstr (undo, ==, "undo-config\n");
  g_clear_pointer (&out, g_free);
  g_clear_pointer (&undo, g_free);

  /* The second rollback skips the host that the first one rolled back and
   * continues the other at the undo of "install". */
  g_assert_cmpint (run_fleet_run ((const char *[]) { "--rollback", run_id, fixture->plan,
                                                     "--runs-dir", fixture->runs, NULL },
                                  &out, NULL), ==, 0);
  g_test_message ("%s", out);
  expected = g_strdup_printf ("  %s: continues at rollback command 2 \"install\"; command 1 "
                              "ended in an earlier rollback and does not run again", first);
  g_assert_nonnull (strstr (out, expected));
  g_assert_nonnull (strstr (out, "rolled back (ran 1 of 2 commands; the first 1 ended in an "
                                 "earlier rollback)"));
  g_assert_nonnull (strstr (out, "1 already rolled back and skipped"));
  undo = host_file_contents (0, "cli-undo");
  g_assert_cmpstr (undo, ==, "undo-config\nundo-install\n");
  g_clear_pointer (&undo, g_free);
  undo = host_file_contents (1, "cli-undo");
  g_assert_cmpstr (undo, ==, "undo-config\nundo-install\n");
}

/* The undo command marks its start and then sleeps, so fleet-run can be
 * killed while it runs. */
static const char slow_undo_workflow[] =
  "name: slow-undo\n"
  "inventory: %s\n"
  "target: {all: true}\n"
  "waves: [100%%]\n"
  "steps:\n"
  "  - {name: change, run: \"true\", timeout: 10s}\n"
  "rollback:\n"
  "  undo:\n"
  "    change: \"echo start >> \\\"$HOME/cli-undo\\\"; sleep 2\"\n";

static void
test_rollback_holds_in_flight (Fixture *fixture, gconstpointer data)
{
  g_autofree char *fleet_run = fleet_test_program ("fleet-run");
  g_autofree char *run_id = NULL;
  g_autofree char *out = NULL;
  g_autofree char *err = NULL;
  g_autofree char *first = NULL;
  g_autofree char *second = NULL;
  g_autofree char *expected = NULL;
  g_autofree char *undo = NULL;
  g_autoptr(GSubprocess) process = NULL;
  g_autoptr(GError) error = NULL;

  if (!require_sandbox ())
    return;
  first = fleet_sandbox_host_name (sandbox, 0);
  second = fleet_sandbox_host_name (sandbox, 1);
  compile_plan_text (fixture, slow_undo_workflow);
  g_assert_cmpint (run_fleet_run ((const char *[]) { fixture->plan, "--runs-dir", fixture->runs,
                                                     NULL }, NULL, NULL), ==, 0);
  run_id = only_run_id (fixture);

  process = g_subprocess_new (G_SUBPROCESS_FLAGS_STDOUT_SILENCE
                              | G_SUBPROCESS_FLAGS_STDERR_SILENCE, &error, fleet_run,
                              "--rollback", run_id, fixture->plan, "--runs-dir", fixture->runs,
                              NULL);
  g_assert_no_error (error);
  /* Polls until both undo commands started, with the test's timeout as the
   * only limit. */
  for (;;)
    {
      g_autofree char *a = host_file_contents (0, "cli-undo");
      g_autofree char *b = host_file_contents (1, "cli-undo");

      if (a[0] != '\0' && b[0] != '\0')
        break;
      g_usleep (50 * 1000);
    }
  g_subprocess_force_exit (process);
  g_assert_true (g_subprocess_wait (process, NULL, &error));
  g_assert_no_error (error);

  /* Both hosts are held: the undo command may have run in part. */
  g_assert_cmpint (run_fleet_run ((const char *[]) { "--rollback", run_id, fixture->plan,
                                                     "--runs-dir", fixture->runs, NULL },
                                  &out, NULL), ==, 1);
  g_test_message ("%s", out);
  expected = g_strdup_printf ("  %s: held: rollback command 1 \"change\" was in flight", first);
  g_assert_nonnull (strstr (out, expected));
  g_assert_nonnull (strstr (out, "2 hosts with started steps, 2 held\n"));
  undo = host_file_contents (0, "cli-undo");
  g_assert_cmpstr (undo, ==, "start\n");
  g_clear_pointer (&out, g_free);
  g_clear_pointer (&undo, g_free);

  /* --retry-host on a host that is not held is rejected. */
  g_assert_cmpint (run_fleet_run ((const char *[]) { "--rollback", run_id, fixture->plan,
                                                     "--runs-dir", fixture->runs, "--retry-host",
                                                     "no-such-host", NULL }, NULL, &err), ==, 2);
  g_assert_nonnull (strstr (err, "has no host of that name left to roll back"));

  /* The decisions: run the first host's undo again, leave the second out. */
  g_assert_cmpint (run_fleet_run ((const char *[]) { "--rollback", run_id, fixture->plan,
                                                     "--runs-dir", fixture->runs, "--retry-host",
                                                     first, "--skip-host", second, NULL },
                                  &out, NULL), ==, 0);
  g_test_message ("%s", out);
  g_assert_nonnull (strstr (out, "1 left out with --skip-host"));
  g_assert_nonnull (strstr (out, "again, which was in flight when an earlier rollback stopped "
                                 "(--retry-host)"));
  undo = host_file_contents (0, "cli-undo");
  g_assert_cmpstr (undo, ==, "start\nstart\n");
  g_clear_pointer (&undo, g_free);
  undo = host_file_contents (1, "cli-undo");
  g_assert_cmpstr (undo, ==, "start\n");
}

/* A plan that expired after its run started: the run was written as the
 * journal of a run that started "change" on the first host. */
static void
test_rollback_expired_plan (Fixture *fixture, gconstpointer data)
{
  const char *run_id = "20231115T000000Z-000001";
  g_autofree char *first = NULL;
  g_autofree char *run_dir = NULL;
  g_autofree char *journal_path = NULL;
  g_autofree char *journal = NULL;
  g_autofree char *out = NULL;
  g_autofree char *err = NULL;
  g_autofree char *undo = NULL;
  g_autofree char *rollback_journal = NULL;
  g_autofree char *rollback_id = NULL;
  g_autofree char *change = NULL;
  g_autoptr(FleetPlan) plan = NULL;
  g_autoptr(GError) error = NULL;

  if (!require_sandbox ())
    return;
  first = fleet_sandbox_host_name (sandbox, 0);
  g_setenv ("SOURCE_DATE_EPOCH", "1700000000", TRUE);
  compile_plan_text (fixture, workflow_text);
  g_unsetenv ("SOURCE_DATE_EPOCH");
  plan = fleet_plan_read_file (fixture->plan, &error);
  g_assert_no_error (error);

  run_dir = g_build_filename (fixture->runs, run_id, NULL);
  g_assert_cmpint (g_mkdir_with_parents (run_dir, 0700), ==, 0);
  journal_path = g_build_filename (run_dir, "journal.jsonl", NULL);
  journal = g_strdup_printf (
    "{\"time\":\"2023-11-15T00:00:00.000000Z\",\"event\":\"run-start\",\"run\":\"%s\","
    "\"plan_sha256\":\"%s\"}\n"
    "{\"time\":\"2023-11-15T00:00:01.000000Z\",\"event\":\"host-start\",\"host\":\"%s\","
    "\"wave\":1}\n"
    "{\"time\":\"2023-11-15T00:00:01.000000Z\",\"event\":\"step-start\",\"host\":\"%s\","
    "\"step\":1,\"name\":\"change\"}\n", run_id, plan->file_sha256, first, first);
  g_assert_true (g_file_set_contents (journal_path, journal, -1, NULL));
  change = host_file (0, "cli-change");
  g_assert_true (g_file_set_contents (change, "", -1, NULL));

  /* A resume is rejected with advice that works. */
  g_assert_cmpint (run_fleet_run ((const char *[]) { "--resume", run_id, fixture->plan,
                                                     "--runs-dir", fixture->runs, NULL },
                                  NULL, &err), ==, 2);
  g_test_message ("%s", err);
  g_assert_nonnull (strstr (err, "An expired plan does not resume"));
  g_assert_nonnull (strstr (err, "fleet-run --rollback RUN PLAN works after the expiry"));
  g_assert_null (strstr (err, "compile it again"));

  /* The rollback goes ahead with a warning, and its journal records the
   * expiry. */
  g_clear_pointer (&err, g_free);
  g_assert_cmpint (run_fleet_run ((const char *[]) { "--rollback", run_id, fixture->plan,
                                                     "--runs-dir", fixture->runs, NULL },
                                  &out, &err), ==, 0);
  g_test_message ("%s%s", out, err);
  g_assert_nonnull (strstr (err, "warning: the plan expired at "));
  g_assert_nonnull (strstr (err, "rolling back anyway"));
  g_assert_nonnull (strstr (out, "1 of 1 host rolled back."));
  undo = host_file_contents (0, "cli-undo");
  g_assert_cmpstr (undo, ==, "undone\n");

  rollback_id = g_strndup (out + strlen ("Rollback "), strcspn (out + strlen ("Rollback "), " "));
  g_clear_pointer (&journal_path, g_free);
  journal_path = g_build_filename (fixture->runs, rollback_id, "journal.jsonl", NULL);
  g_assert_true (g_file_get_contents (journal_path, &rollback_journal, NULL, NULL));
  g_assert_nonnull (strstr (rollback_journal, "\"plan_expired\":true"));
}

/* The first host fails, so the run halts before the second host starts
 * and rolls the first back. */
static const char halt_first_workflow[] =
  "name: halt-first\n"
  "inventory: %s\n"
  "target: {all: true}\n"
  "parallelism: 1\n"
  "waves: [100%%]\n"
  "steps:\n"
  "  - {name: change, run: \"touch \\\"$HOME/cli-change\\\"\", timeout: 10s}\n"
  "  - {name: check, run: \"test ! -e \\\"$HOME/cli-fail\\\"\", timeout: 10s}\n"
  "rollback:\n"
  "  undo:\n"
  "    change: \"rm \\\"$HOME/cli-change\\\" && echo undone >> \\\"$HOME/cli-undo\\\"\"\n"
  "  on_halt: rollback\n";

static void
test_resume_after_rollback (Fixture *fixture, gconstpointer data)
{
  g_autofree char *fail_marker = NULL;
  g_autofree char *run_id = NULL;
  g_autofree char *run_dir = NULL;
  g_autofree char *out = NULL;
  g_autofree char *err = NULL;
  g_autofree char *first = NULL;
  g_autofree char *second_change = NULL;
  g_autofree char *expected = NULL;
  g_autofree char *journal_path = NULL;
  g_autofree char *journal = NULL;

  if (!require_sandbox ())
    return;
  first = fleet_sandbox_host_name (sandbox, 0);
  fail_marker = host_file (0, "cli-fail");
  second_change = host_file (1, "cli-change");
  g_assert_true (g_file_set_contents (fail_marker, "", -1, NULL));
  compile_plan_text (fixture, halt_first_workflow);

  g_assert_cmpint (run_fleet_run ((const char *[]) { fixture->plan, "--runs-dir", fixture->runs,
                                                     NULL }, &out, NULL), ==, 1);
  g_test_message ("%s", out);
  g_assert_nonnull (strstr (out, "1 of 1 host rolled back."));
  g_assert_nonnull (strstr (out, "The run halted and rolled back 1 host, so it is not offered "
                                 "for resuming"));
  g_assert_null (strstr (out, "Resume this run with"));
  g_assert_false (g_file_test (second_change, G_FILE_TEST_EXISTS));
  run_id = only_run_id (fixture);
  run_dir = g_build_filename (fixture->runs, run_id, NULL);
  g_clear_pointer (&out, g_free);

  /* A resume would start the second host while the first is undone. */
  g_assert_cmpint (run_fleet_run ((const char *[]) { "--resume", run_dir, fixture->plan, NULL },
                                  NULL, &err), ==, 2);
  g_test_message ("%s", err);
  expected = g_strdup_printf ("run %s was rolled back on 1 host (%s): resuming it would start "
                              "the later waves", run_id, first);
  g_assert_nonnull (strstr (err, expected));
  g_assert_nonnull (strstr (err, "add --resume-after-rollback"));
  g_assert_false (g_file_test (second_change, G_FILE_TEST_EXISTS));
  g_clear_pointer (&err, g_free);

  /* The override goes on, loudly, and the journal records it. */
  g_assert_cmpint (run_fleet_run ((const char *[]) { "--resume", run_dir, fixture->plan,
                                                     "--resume-after-rollback", NULL },
                                  &out, &err), ==, 1);
  g_test_message ("%s%s", out, err);
  g_assert_nonnull (strstr (err, "WARNING: run "));
  g_assert_true (g_file_test (second_change, G_FILE_TEST_EXISTS));
  journal_path = g_build_filename (run_dir, "journal.jsonl", NULL);
  g_assert_true (g_file_get_contents (journal_path, &journal, NULL, NULL));
  g_clear_pointer (&expected, g_free);
  expected = g_strdup_printf ("\"resumed_after_rollback_of\":[\"%s\"]", first);
  g_assert_nonnull (strstr (journal, expected));
}

static void
test_answer_errors (Fixture *fixture, gconstpointer data)
{
  g_autofree char *err = NULL;

  g_assert_cmpint (run_fleet_run ((const char *[]) { "--continue", "20261204T210307Z-0a1b2c",
                                                     "--runs-dir", fixture->runs, NULL },
                                  NULL, &err), ==, 2);
  g_assert_nonnull (strstr (err, "is not waiting for an approval"));
  g_clear_pointer (&err, g_free);

  g_assert_cmpint (run_fleet_run ((const char *[]) { "--abort", "../other", NULL }, NULL, &err),
                   ==, 2);
  g_assert_nonnull (strstr (err, "invalid run id \"../other\""));
  g_clear_pointer (&err, g_free);

  g_assert_cmpint (run_fleet_run ((const char *[]) { "--continue", "a", "--abort", "a", NULL },
                                  NULL, &err), ==, 2);
  g_assert_nonnull (strstr (err, "give only one of --continue, --abort, --rollback and --resume"));
}

int
main (int argc, char **argv)
{
  int status;

  g_test_init (&argc, &argv, NULL);

#define ADD(path, func) \
  g_test_add (path, Fixture, NULL, fixture_set_up, func, fixture_tear_down)
  ADD ("/checks-cli/continue-then-rollback", test_continue_then_rollback);
  ADD ("/checks-cli/abort", test_abort);
  ADD ("/checks-cli/resume-overrides-gate", test_resume_overrides_gate);
  ADD ("/checks-cli/rollback-after-automatic", test_rollback_after_automatic_rollback);
  ADD ("/checks-cli/answer-errors", test_answer_errors);
  ADD ("/checks-cli/rollback-continues-failed", test_rollback_continues_failed);
  ADD ("/checks-cli/rollback-holds-in-flight", test_rollback_holds_in_flight);
  ADD ("/checks-cli/rollback-expired-plan", test_rollback_expired_plan);
  ADD ("/checks-cli/resume-after-rollback", test_resume_after_rollback);
#undef ADD

  status = g_test_run ();
  g_clear_pointer (&sandbox, fleet_sandbox_free);
  return status;
}
