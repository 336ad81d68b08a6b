/* test-resume.c: the journal after a crash, and fleet-run --resume.
 *
 * The journal tests write files by hand.  The run tests start the real
 * fleet-run program against a sandbox fleet, stop it with kill -9 or a
 * signal while a step is in flight, and resume it; each step appends a
 * line to a log in the host's home directory, so the tests count how often
 * each step really ran.
 */
#include <signal.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include <gio/gio.h>
#include <glib/gstdio.h>

#include "runtime/fleet-journal.h"
#include "runtime/fleet-journal-reader.h"
#include "tests/sandbox.h"

#define N_HOSTS 2

static FleetSandbox *sandbox;

typedef struct {
  char *dir;
  char *runs;
  char *plan;
  char *log_name;                /* per test, in each host's home */
} Fixture;

static void
fixture_set_up (Fixture *fixture, gconstpointer data)
{
  g_autofree char *base = NULL;
  fixture->dir = fleet_test_make_dir ("fleet-resume-XXXXXX");
  fixture->runs = g_build_filename (fixture->dir, "runs", NULL);
  base = g_path_get_basename (fixture->dir);
  fixture->log_name = g_strconcat (base, ".log", NULL);
}

static void
fixture_tear_down (Fixture *fixture, gconstpointer data)
{
  fleet_test_remove_tree (fixture->dir);
  g_free (fixture->dir);
  g_free (fixture->runs);
  g_free (fixture->plan);
  g_free (fixture->log_name);
}

static char *
fixture_path (const Fixture *fixture, const char *name)
{
  return g_build_filename (fixture->dir, name, NULL);
}

/* Journal files */

#define RECORD_START "{\"time\":\"2026-01-01T00:00:00.000Z\",\"event\":\"run-start\",\"run\":\"r\"}\n"
#define RECORD_HOST "{\"time\":\"2026-01-01T00:00:00.000Z\",\"event\":\"host-start\",\"host\":\"a\"}\n"
#define RECORD_RESUME "{\"time\":\"2026-01-01T00:00:01.000Z\",\"event\":\"run-resume\"}\n"
#define TORN "{\"time\":\"2026-01-01T00:00:00.000Z\",\"event\":\"step-st"

static void
test_torn_last_line (Fixture *fixture, gconstpointer data)
{
  g_autofree char *path = fixture_path (fixture, "journal.jsonl");
  g_autoptr(FleetJournalContents) contents = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *expected = NULL;
  gsize offset = strlen (RECORD_START RECORD_HOST);

  fleet_test_write_file (path, RECORD_START RECORD_HOST TORN, -1);
  contents = fleet_journal_read (path, &error);
  g_assert_no_error (error);

  g_assert_cmpuint (contents->records->len, ==, 2);
  g_assert_cmpint (contents->torn_offset, ==, (gint64) offset);
  g_assert_true (contents->ends_without_newline);
  g_assert_cmpuint (contents->warnings->len, ==, 1);
  expected = g_strdup_printf ("%s: ignoring the torn line 3 at byte %" G_GSIZE_FORMAT " (%"
                              G_GSIZE_FORMAT " bytes)", path, offset, strlen (TORN));
  g_assert_true (g_str_has_prefix (g_ptr_array_index (contents->warnings, 0), expected));
}

/* A line that does not parse is accepted only at the end of the file or
 * right before a run-resume record; anywhere else the file was changed. */
static void
test_damaged_middle_line (Fixture *fixture, gconstpointer data)
{
  g_autofree char *path = fixture_path (fixture, "journal.jsonl");
  g_autoptr(FleetJournalContents) resumed = NULL;
  g_autoptr(FleetJournalContents) damaged = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *expected = NULL;

  fleet_test_write_file (path, RECORD_START TORN "\n" RECORD_RESUME RECORD_HOST, -1);
  resumed = fleet_journal_read (path, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (resumed->records->len, ==, 3);
  g_assert_cmpint (resumed->torn_offset, ==, -1);
  g_assert_cmpuint (resumed->warnings->len, ==, 1);

  fleet_test_write_file (path, RECORD_START TORN "\n" RECORD_HOST, -1);
  damaged = fleet_journal_read (path, &error);
  g_assert_null (damaged);
  g_assert_error (error, FLEET_JOURNAL_ERROR, FLEET_JOURNAL_ERROR_DAMAGED);
  expected = g_strdup_printf ("%s:2: invalid journal record at byte %" G_GSIZE_FORMAT ": ",
                              path, strlen (RECORD_START));
  g_assert_true (g_str_has_prefix (error->message, expected));
}

/* Appending to a journal with a torn end first ends the torn line, so the
 * new record is whole and the torn bytes stay as they were. */
static void
test_append_after_torn_line (Fixture *fixture, gconstpointer data)
{
  g_autofree char *path = fixture_path (fixture, "journal.jsonl");
  g_autofree char *text = NULL;
  g_autoptr(FleetJournalContents) contents = NULL;
  g_autoptr(GError) error = NULL;
  FleetJournal *journal;
  const FleetJournalRecord *last;

  fleet_test_write_file (path, RECORD_START TORN, -1);
  journal = fleet_journal_open_append (path, &error);
  g_assert_no_error (error);
  fleet_journal_begin (journal, "run-resume", 0);
  fleet_journal_commit (journal, TRUE);
  fleet_journal_close (journal);

  g_assert_true (g_file_get_contents (path, &text, NULL, NULL));
  g_assert_true (g_str_has_prefix (text, RECORD_START TORN "\n{\"time\":"));

  contents = fleet_journal_read (path, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (contents->records->len, ==, 2);
  last = g_ptr_array_index (contents->records, 1);
  g_assert_cmpstr (last->event, ==, "run-resume");
  g_assert_cmpuint (last->line, ==, 3);
  g_assert_cmpuint (contents->warnings->len, ==, 1);
}

/* A journal is locked while a run writes it: a resume cannot join in. */
static void
test_journal_locked (Fixture *fixture, gconstpointer data)
{
  g_autofree char *path = fixture_path (fixture, "journal.jsonl");
  g_autoptr(GError) error = NULL;
  FleetJournal *writer = fleet_journal_create (path, &error);
  FleetJournal *second;

  g_assert_no_error (error);
  second = fleet_journal_open_append (path, &error);
  g_assert_null (second);
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_BUSY);
  g_assert_nonnull (strstr (error->message, "in use by another fleet-run"));
  fleet_journal_close (writer);
}

/* Runs on the sandbox */

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
  sandbox = fleet_sandbox_up (N_HOSTS);
  return TRUE;
}

/* A step that logs "NAME-start", runs `body` and logs "NAME-end". */
static char *
logged_step (const Fixture *fixture, const char *name, const char *body, gboolean idempotent)
{
  return g_strdup_printf ("  - name: %s\n    run: echo %s-start >> \"$HOME/%s\"; %s; "
                          "echo %s-end >> \"$HOME/%s\"\n    timeout: 2m\n%s",
                          name, name, fixture->log_name, body, name, fixture->log_name,
                          idempotent ? "    idempotent: true\n" : "");
}

/* Compile a plan of three steps into fixture->plan.  The second step
 * waits until release_second_step() is called; `idempotent` marks it so.
 * `tag` makes the workflow, and so the plan digest, differ. */
static void
compile_plan_with (Fixture *fixture, gboolean idempotent, const char *tag, const char *extra);

static void
compile_plan (Fixture *fixture, gboolean idempotent, const char *tag)
{
  compile_plan_with (fixture, idempotent, tag, "");
}

/* As compile_plan, with `extra` workflow keys (whole lines) added. */
static void
compile_plan_with (Fixture *fixture, gboolean idempotent, const char *tag, const char *extra)
{
  g_autofree char *inventory = fleet_sandbox_path (sandbox, "inventory.yaml");
  g_autofree char *workflow = fixture_path (fixture, "workflow.yaml");
  g_autofree char *wait = g_strdup_printf ("while [ ! -e \"$HOME/%s.release\" ]; do sleep 0.2; "
                                           "done", fixture->log_name);
  g_autofree char *first = logged_step (fixture, "first", "true", FALSE);
  g_autofree char *second = logged_step (fixture, "second", wait, idempotent);
  g_autofree char *third = logged_step (fixture, "third", "true", FALSE);
  g_autofree char *text = g_strdup_printf ("name: resume-%s\ninventory: %s\ntarget: {all: true}\n"
                                           "parallelism: %u\n%ssteps:\n%s%s%s", tag, inventory,
                                           N_HOSTS, extra, first, second, third);
  g_autofree char *fleetc = fleet_test_program ("fleetc");
  g_autofree char *err = NULL;

  g_free (fixture->plan);
  fixture->plan = fixture_path (fixture, "run.plan");
  fleet_test_write_file (workflow, text, -1);
  if (fleet_test_spawn ((const char *[]) { fleetc, "compile", workflow, "-o", fixture->plan,
                                           NULL }, NULL, &err) != 0)
    g_error ("compile failed: %s", err);
}

/* Compile a plan whose steps overlap (`concurrent_steps: 3`) into
 * fixture->plan: `slow` and `again` wait until release_second_step() is
 * called, `quick` ends at once next to them, and `last` needs both
 * waiting steps.  `again` is idempotent, and `slow` when
 * `slow_idempotent`. */
static void
compile_overlap_plan (Fixture *fixture, gboolean slow_idempotent, const char *tag)
{
  g_autofree char *inventory = fleet_sandbox_path (sandbox, "inventory.yaml");
  g_autofree char *workflow = fixture_path (fixture, "workflow.yaml");
  g_autofree char *wait = g_strdup_printf ("while [ ! -e \"$HOME/%s.release\" ]; do sleep 0.2; "
                                           "done", fixture->log_name);
  g_autofree char *slow = logged_step (fixture, "slow", wait, slow_idempotent);
  g_autofree char *quick = logged_step (fixture, "quick", "true", FALSE);
  g_autofree char *again = logged_step (fixture, "again", wait, TRUE);
  g_autofree char *last = logged_step (fixture, "last", "true", FALSE);
  g_autofree char *text = g_strdup_printf ("name: resume-%s\ninventory: %s\ntarget: {all: true}\n"
                                           "parallelism: %u\nconcurrent_steps: 3\nsteps:\n"
                                           "%s%s%s%s    needs: [slow, again]\n", tag, inventory,
                                           N_HOSTS, slow, quick, again, last);
  g_autofree char *fleetc = fleet_test_program ("fleetc");
  g_autofree char *err = NULL;

  g_free (fixture->plan);
  fixture->plan = fixture_path (fixture, "run.plan");
  fleet_test_write_file (workflow, text, -1);
  if (fleet_test_spawn ((const char *[]) { fleetc, "compile", workflow, "-o", fixture->plan,
                                           NULL }, NULL, &err) != 0)
    g_error ("compile failed: %s", err);
}

/* Return the path of `name` in the home directory of host `index`. */
static char *
host_file (const Fixture *fixture, guint index, const char *name)
{
  g_autofree char *host = fleet_sandbox_host_name (sandbox, index);
  g_autofree char *relative = g_build_filename ("hosts", host, "home", name, NULL);

  return fleet_sandbox_path (sandbox, relative);
}

/* Let the second step finish on every host, in flight or later. */
static void
release_second_step (const Fixture *fixture)
{
  g_autofree char *name = g_strconcat (fixture->log_name, ".release", NULL);

  for (guint i = 0; i < N_HOSTS; i++)
    {
      g_autofree char *path = host_file (fixture, i, name);

      fleet_test_write_file (path, "", 0);
    }
}

/* Return how many lines of host `index`'s log are `line`. */
static guint
count_log_lines (const Fixture *fixture, guint index, const char *line)
{
  g_autofree char *path = host_file (fixture, index, fixture->log_name);
  g_autofree char *text = NULL;
  g_auto(GStrv) lines = NULL;
  guint count = 0;

  if (!g_file_get_contents (path, &text, NULL, NULL))
    return 0;
  lines = g_strsplit (text, "\n", -1);
  for (guint i = 0; lines[i] != NULL; i++)
    count += strcmp (lines[i], line) == 0;
  return count;
}

/* Wait, for at most two minutes, until every host has logged `line`. */
static void
wait_for_log_line (const Fixture *fixture, const char *line)
{
  for (guint tries = 0; tries < 1200; tries++)
    {
      guint hosts = 0;

      for (guint i = 0; i < N_HOSTS; i++)
        hosts += count_log_lines (fixture, i, line) > 0;
      if (hosts == N_HOSTS)
        return;
      g_usleep (100 * 1000);
    }
  g_error ("the hosts did not log \"%s\" within two minutes", line);
}

/* Start fleet-run with `args` (NULL-terminated), its output going to
 * files in the fixture directory named after `label`. */
static GSubprocess *
start_fleet_run (const Fixture *fixture, const char *label, const char * const *args)
{
  g_autoptr(GSubprocessLauncher) launcher = g_subprocess_launcher_new (G_SUBPROCESS_FLAGS_NONE);
  g_autofree char *out_name = g_strconcat (label, ".out", NULL);
  g_autofree char *err_name = g_strconcat (label, ".err", NULL);
  g_autofree char *out_path = fixture_path (fixture, out_name);
  g_autofree char *err_path = fixture_path (fixture, err_name);
  g_autofree char *run = fleet_test_program ("fleet-run");
  g_autoptr(GPtrArray) argv = g_ptr_array_new ();
  g_autoptr(GError) error = NULL;
  GSubprocess *process;

  g_ptr_array_add (argv, run);
  for (guint i = 0; args[i] != NULL; i++)
    g_ptr_array_add (argv, (gpointer) args[i]);
  g_ptr_array_add (argv, NULL);

  g_subprocess_launcher_set_stdout_file_path (launcher, out_path);
  g_subprocess_launcher_set_stderr_file_path (launcher, err_path);
  process = g_subprocess_launcher_spawnv (launcher, (const char * const *) argv->pdata, &error);
  g_assert_no_error (error);
  return process;
}

/* Run fleet-run to its end; return its exit status and its output. */
static int
run_fleet_run (const Fixture *fixture, const char *label, const char * const *args,
               char **out_stdout, char **out_stderr)
{
  g_autoptr(GSubprocess) process = start_fleet_run (fixture, label, args);
  g_autofree char *out_name = g_strconcat (label, ".out", NULL);
  g_autofree char *err_name = g_strconcat (label, ".err", NULL);
  g_autofree char *out_path = fixture_path (fixture, out_name);
  g_autofree char *err_path = fixture_path (fixture, err_name);
  g_autoptr(GError) error = NULL;

  g_subprocess_wait (process, NULL, &error);
  g_assert_no_error (error);
  g_assert_true (g_file_get_contents (out_path, out_stdout, NULL, NULL));
  g_assert_true (g_file_get_contents (err_path, out_stderr, NULL, NULL));
  g_test_message ("fleet-run %s:\n%s%s", label, *out_stdout, *out_stderr);
  return g_subprocess_get_if_exited (process) ? g_subprocess_get_exit_status (process) : -1;
}

/* Start the plan, wait until every host logged each of `lines`
 * (NULL-terminated), and kill fleet-run with SIGKILL.  Returns the run
 * directory. */
static char *
start_and_kill_after (Fixture *fixture, const char *const *lines)
{
  g_autoptr(GSubprocess) process = start_fleet_run (fixture, "killed",
                                                    (const char *[]) { "--runs-dir",
                                                                       fixture->runs,
                                                                       fixture->plan, NULL });
  g_autoptr(GError) error = NULL;
  g_autoptr(GDir) runs = NULL;

  for (guint i = 0; lines[i] != NULL; i++)
    wait_for_log_line (fixture, lines[i]);
  g_subprocess_force_exit (process);
  g_subprocess_wait (process, NULL, &error);
  g_assert_no_error (error);
  g_assert_false (g_subprocess_get_if_exited (process));
  g_assert_cmpint (g_subprocess_get_term_sig (process), ==, SIGKILL);

  runs = g_dir_open (fixture->runs, 0, &error);
  g_assert_no_error (error);
  return g_build_filename (fixture->runs, g_dir_read_name (runs), NULL);
}

/* Kill fleet-run while the second step runs on every host. */
static char *
start_and_kill (Fixture *fixture)
{
  return start_and_kill_after (fixture, (const char *[]) { "second-start", NULL });
}

static char *
read_journal (const char *run_dir)
{
  g_autofree char *path = g_build_filename (run_dir, "journal.jsonl", NULL);
  char *text = NULL;

  g_assert_true (g_file_get_contents (path, &text, NULL, NULL));
  return text;
}

static guint
count_substrings (const char *text, const char *needle)
{
  guint count = 0;

  for (const char *p = strstr (text, needle); p != NULL; p = strstr (p + 1, needle))
    count++;
  return count;
}

/* After kill -9 in a step that is not idempotent, the hosts are held; the
 * decisions run the step again on one host and leave the other out, and
 * no completed step runs twice. */
static void
test_kill_holds_hosts (Fixture *fixture, gconstpointer data)
{
  g_autofree char *run_dir = NULL;
  g_autofree char *host1 = NULL;
  g_autofree char *host2 = NULL;
  g_autofree char *out = NULL;
  g_autofree char *err = NULL;
  g_autofree char *journal = NULL;
  g_autofree char *held = NULL;

  if (!require_sandbox ())
    return;
  host1 = fleet_sandbox_host_name (sandbox, 0);
  host2 = fleet_sandbox_host_name (sandbox, 1);
  compile_plan (fixture, FALSE, "held");
  run_dir = start_and_kill (fixture);

  /* Running the plan again without --resume would repeat the steps that
   * already ran: fleet-run names the unfinished run and starts nothing. */
  {
    g_autofree char *expected = g_strdup_printf ("fleet-run: run %s of this plan stopped without "
                                                 "finishing", run_dir);
    g_autofree char *resume_line = g_strdup_printf ("Continue it with:  fleet-run --resume %s\n",
                                                    run_dir);
    g_autoptr(GDir) runs = NULL;
    guint n_runs = 0;

    g_assert_cmpint (run_fleet_run (fixture, "again-new", (const char *[]) { "--runs-dir",
                                                                             fixture->runs,
                                                                             fixture->plan,
                                                                             NULL },
                                    &out, &err), ==, 2);
    g_assert_nonnull (strstr (err, expected));
    g_assert_nonnull (strstr (err, resume_line));
    runs = g_dir_open (fixture->runs, 0, NULL);
    while (g_dir_read_name (runs) != NULL)
      n_runs++;
    g_assert_cmpuint (n_runs, ==, 1);
    g_assert_cmpuint (count_log_lines (fixture, 0, "first-start"), ==, 1);
    g_clear_pointer (&out, g_free);
    g_clear_pointer (&err, g_free);
  }

  /* The same from another runs directory: the user's run registry records
   * the unfinished run. */
  {
    g_autofree char *other_runs = fixture_path (fixture, "other-runs");
    g_autofree char *expected = g_strdup_printf ("fleet-run: run %s of this plan stopped without "
                                                 "finishing", run_dir);

    g_assert_cmpint (run_fleet_run (fixture, "elsewhere", (const char *[]) { "--runs-dir",
                                                                             other_runs,
                                                                             fixture->plan,
                                                                             NULL },
                                    &out, &err), ==, 2);
    g_assert_nonnull (strstr (err, expected));
    g_assert_false (g_file_test (other_runs, G_FILE_TEST_EXISTS));
    g_assert_cmpuint (count_log_lines (fixture, 0, "first-start"), ==, 1);
    g_clear_pointer (&out, g_free);
    g_clear_pointer (&err, g_free);
  }

  g_assert_cmpint (run_fleet_run (fixture, "undecided", (const char *[]) { "--resume", run_dir,
                                                                           fixture->plan, NULL },
                                  &out, &err), ==, 2);
  held = g_strdup_printf ("has only held hosts left (%s, %s): decide for each with "
                          "--retry-host HOST", host1, host2);
  g_assert_nonnull (strstr (err, held));
  g_clear_pointer (&out, g_free);
  g_clear_pointer (&err, g_free);

  release_second_step (fixture);
  g_assert_cmpint (run_fleet_run (fixture, "decided",
                                  (const char *[]) { "--resume", run_dir, fixture->plan,
                                                     "--retry-host", host1, "--skip-host", host2,
                                                     NULL }, &out, &err), ==, 1);
  g_assert_nonnull (strstr (out, "1 of 2 hosts succeeded, 1 not run"));
  g_assert_nonnull (strstr (out, "left out with --skip-host"));

  g_assert_cmpuint (count_log_lines (fixture, 0, "first-start"), ==, 1);
  g_assert_cmpuint (count_log_lines (fixture, 1, "first-start"), ==, 1);
  g_assert_cmpuint (count_log_lines (fixture, 0, "second-start"), ==, 2);
  g_assert_cmpuint (count_log_lines (fixture, 1, "second-start"), ==, 1);
  g_assert_cmpuint (count_log_lines (fixture, 0, "third-end"), ==, 1);
  g_assert_cmpuint (count_log_lines (fixture, 1, "third-start"), ==, 0);

  journal = read_journal (run_dir);
  g_assert_cmpuint (count_substrings (journal, "\"event\":\"run-start\""), ==, 1);
  g_assert_cmpuint (count_substrings (journal, "\"event\":\"run-resume\""), ==, 1);
  g_assert_nonnull (strstr (journal, "\"retry_hosts\":[\"host01\"],\"skip_hosts\":[\"host02\"]"));
  g_assert_nonnull (strstr (journal, "\"event\":\"host-decision\",\"host\":\"host01\",\"step\":2,"
                                     "\"decision\":\"retry\""));
  g_assert_nonnull (strstr (journal, "\"event\":\"host-end\",\"host\":\"host02\","
                                     "\"outcome\":\"skipped\""));
  g_clear_pointer (&out, g_free);
  g_clear_pointer (&err, g_free);

  /* Everything is settled now. */
  g_assert_cmpint (run_fleet_run (fixture, "again", (const char *[]) { "--resume", run_dir,
                                                                       fixture->plan, NULL },
                                  &out, &err), ==, 2);
  g_assert_nonnull (strstr (err, "has nothing left to run"));
}

/* `held` decides for every held host at once, except one that a name
 * decides, and lists the hosts it chose. */
static void
test_kill_decides_held (Fixture *fixture, gconstpointer data)
{
  g_autofree char *run_dir = NULL;
  g_autofree char *host2 = NULL;
  g_autofree char *out = NULL;
  g_autofree char *err = NULL;
  g_autofree char *journal = NULL;

  if (!require_sandbox ())
    return;
  host2 = fleet_sandbox_host_name (sandbox, 1);
  compile_plan (fixture, FALSE, "held-word");
  run_dir = start_and_kill (fixture);
  release_second_step (fixture);

  g_assert_cmpint (run_fleet_run (fixture, "decided",
                                  (const char *[]) { "--resume", run_dir, fixture->plan,
                                                     "--retry-host", "held", "--skip-host", host2,
                                                     NULL }, &out, &err), ==, 1);
  g_assert_nonnull (strstr (out, "--retry-host 'held' chose 1 host: host01\n"));
  g_assert_nonnull (strstr (out, "1 of 2 hosts succeeded, 1 not run"));
  g_assert_cmpuint (count_log_lines (fixture, 0, "second-start"), ==, 2);
  g_assert_cmpuint (count_log_lines (fixture, 0, "third-end"), ==, 1);
  g_assert_cmpuint (count_log_lines (fixture, 1, "second-start"), ==, 1);
  g_assert_cmpuint (count_log_lines (fixture, 1, "third-start"), ==, 0);
  journal = read_journal (run_dir);
  g_assert_nonnull (strstr (journal, "\"retry_hosts\":[\"host01\"],\"skip_hosts\":[\"host02\"]"));
  g_clear_pointer (&out, g_free);
  g_clear_pointer (&err, g_free);

  /* No host is held any more. */
  g_assert_cmpint (run_fleet_run (fixture, "none-held",
                                  (const char *[]) { "--resume", run_dir, fixture->plan,
                                                     "--skip-host", "held", NULL },
                                  &out, &err), ==, 2);
  g_assert_nonnull (strstr (err, "--skip-host held: no host of the run is held"));
}

/* An idempotent step in flight at kill -9 runs again without a decision,
 * and the output of its first attempt is kept.  The plan file comes from
 * the journal. */
static void
test_kill_reruns_idempotent (Fixture *fixture, gconstpointer data)
{
  g_autofree char *run_dir = NULL;
  g_autofree char *out = NULL;
  g_autofree char *err = NULL;
  g_autofree char *journal = NULL;
  g_autofree char *host1 = NULL;
  g_autofree char *partial = NULL;

  if (!require_sandbox ())
    return;
  compile_plan (fixture, TRUE, "idempotent");
  run_dir = start_and_kill (fixture);
  release_second_step (fixture);

  g_assert_cmpint (run_fleet_run (fixture, "resumed", (const char *[]) { "--resume", run_dir,
                                                                         NULL },
                                  &out, &err), ==, 0);
  g_assert_nonnull (strstr (out, fixture->plan));
  g_assert_nonnull (strstr (out, "2 of 2 hosts succeeded"));
  for (guint i = 0; i < N_HOSTS; i++)
    {
      g_assert_cmpuint (count_log_lines (fixture, i, "first-start"), ==, 1);
      g_assert_cmpuint (count_log_lines (fixture, i, "second-start"), ==, 2);
      g_assert_cmpuint (count_log_lines (fixture, i, "third-start"), ==, 1);
    }

  host1 = fleet_sandbox_host_name (sandbox, 0);
  partial = g_build_filename (run_dir, "output", host1, "02.stdout.partial", NULL);
  g_assert_true (g_file_test (partial, G_FILE_TEST_IS_REGULAR));

  journal = read_journal (run_dir);
  g_assert_cmpuint (count_substrings (journal, "\"event\":\"step-start\",\"host\":\"host01\","
                                               "\"step\":1,"), ==, 1);
  g_assert_cmpuint (count_substrings (journal, "\"event\":\"step-start\",\"host\":\"host01\","
                                               "\"step\":2,"), ==, 2);
}

/* A wave with a held host blocks the next wave until the host is
 * decided: host01 is the canary wave and is killed in its second step. */
static void
test_held_host_blocks_next_wave (Fixture *fixture, gconstpointer data)
{
  g_autofree char *out = NULL;
  g_autofree char *err = NULL;
  g_autofree char *run_dir = NULL;
  g_autofree char *host1 = NULL;
  g_autoptr(GSubprocess) process = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(GDir) runs = NULL;

  if (!require_sandbox ())
    return;
  host1 = fleet_sandbox_host_name (sandbox, 0);
  compile_plan_with (fixture, FALSE, "waves", "waves: [1, 100%]\n");
  process = start_fleet_run (fixture, "killed", (const char *[]) { "--runs-dir", fixture->runs,
                                                                   fixture->plan, NULL });
  /* Polls with the test's timeout as the only limit. */
  while (count_log_lines (fixture, 0, "second-start") == 0)
    g_usleep (100 * 1000);
  g_subprocess_force_exit (process);
  g_subprocess_wait (process, NULL, &error);
  g_assert_no_error (error);
  runs = g_dir_open (fixture->runs, 0, &error);
  g_assert_no_error (error);
  run_dir = g_build_filename (fixture->runs, g_dir_read_name (runs), NULL);
  /* Released, so that a resume that wrongly starts wave 2 ends. */
  release_second_step (fixture);

  g_assert_cmpint (run_fleet_run (fixture, "undecided", (const char *[]) { "--resume", run_dir,
                                                                           fixture->plan, NULL },
                                  &out, &err), ==, 1);
  g_assert_nonnull (strstr (out, "1 host of wave 1 is held (host01), so the wave is not "
                                 "validated and wave 2 waits"));
  /* host01 did not run in this resume, and its second step never ended:
   * neither counts as a duration. */
  g_assert_nonnull (strstr (out, "before resume  held: step 2 \"second\" was in flight"));
  g_assert_nonnull (strstr (out, "\nStep timings:\n  1. first: 1 host, median "));
  g_assert_null (strstr (out, "  2. second: "));
  g_assert_cmpuint (count_log_lines (fixture, 1, "first-start"), ==, 0);
  g_assert_cmpuint (count_log_lines (fixture, 0, "second-start"), ==, 1);
  g_clear_pointer (&out, g_free);
  g_clear_pointer (&err, g_free);

  /* A selector that chooses a host the decision cannot apply to names it,
   * and nothing runs. */
  g_assert_cmpint (run_fleet_run (fixture, "selector-pending",
                                  (const char *[]) { "--resume", run_dir, fixture->plan,
                                                     "--retry-host", "name like \"host*\"",
                                                     NULL }, &out, &err), ==, 2);
  g_assert_nonnull (strstr (err, "--retry-host 'name like \"host*\"' chose host host02, but "
                                 "the host has not started, so there is nothing to retry"));
  g_clear_pointer (&out, g_free);
  g_clear_pointer (&err, g_free);

  g_assert_cmpint (run_fleet_run (fixture, "selector-invalid",
                                  (const char *[]) { "--resume", run_dir, fixture->plan,
                                                     "--skip-host", "dc ==", NULL },
                                  &out, &err), ==, 2);
  g_assert_nonnull (strstr (err, "--skip-host 'dc ==': the plan has no host of that name, "
                                 "and it is not a valid selector either ("));
  g_clear_pointer (&out, g_free);
  g_clear_pointer (&err, g_free);

  g_assert_cmpint (run_fleet_run (fixture, "selector-none",
                                  (const char *[]) { "--resume", run_dir, fixture->plan,
                                                     "--skip-host", "name == \"host09\"", NULL },
                                  &out, &err), ==, 2);
  g_assert_nonnull (strstr (err, "as a selector it matches no host of the plan"));
  g_assert_cmpuint (count_log_lines (fixture, 0, "second-start"), ==, 1);
  g_assert_cmpuint (count_log_lines (fixture, 1, "first-start"), ==, 0);
  g_clear_pointer (&out, g_free);
  g_clear_pointer (&err, g_free);

  g_assert_cmpint (run_fleet_run (fixture, "decided",
                                  (const char *[]) { "--resume", run_dir, fixture->plan,
                                                     "--retry-host", "name == \"host01\"",
                                                     NULL }, &out, &err),
                   ==, 0);
  g_assert_nonnull (strstr (out, "--retry-host 'name == \"host01\"' chose 1 host: host01\n"));
  g_assert_nonnull (strstr (out, "2 of 2 hosts succeeded"));
  g_assert_cmpuint (count_log_lines (fixture, 0, "second-start"), ==, 2);
  g_assert_cmpuint (count_log_lines (fixture, 1, "first-start"), ==, 1);
}

/* Each host runs the last step once and the quick step, which ended next
 * to the steps in flight, only before the kill. */
static void
assert_overlap_steps_ran (const Fixture *fixture)
{
  for (guint i = 0; i < N_HOSTS; i++)
    {
      g_assert_cmpuint (count_log_lines (fixture, i, "slow-start"), ==, 2);
      g_assert_cmpuint (count_log_lines (fixture, i, "again-start"), ==, 2);
      g_assert_cmpuint (count_log_lines (fixture, i, "quick-start"), ==, 1);
      g_assert_cmpuint (count_log_lines (fixture, i, "last-start"), ==, 1);
      g_assert_cmpuint (count_log_lines (fixture, i, "last-end"), ==, 1);
    }
}

/* kill -9 while two overlapping steps are in flight and a third already
 * ended: the step that is not idempotent holds the host; --retry-host
 * runs both steps in flight again, never the one that ended, and the
 * step that needs them runs after them. */
static void
test_kill_holds_overlapping_steps (Fixture *fixture, gconstpointer data)
{
  g_autofree char *run_dir = NULL;
  g_autofree char *host1 = NULL;
  g_autofree char *host2 = NULL;
  g_autofree char *out = NULL;
  g_autofree char *err = NULL;
  g_autofree char *journal = NULL;
  g_autofree char *held = NULL;

  if (!require_sandbox ())
    return;
  host1 = fleet_sandbox_host_name (sandbox, 0);
  host2 = fleet_sandbox_host_name (sandbox, 1);
  compile_overlap_plan (fixture, FALSE, "overlap-held");
  run_dir = start_and_kill_after (fixture, (const char *[]) { "slow-start", "again-start",
                                                              "quick-end", NULL });

  g_assert_cmpint (run_fleet_run (fixture, "undecided", (const char *[]) { "--resume", run_dir,
                                                                           fixture->plan, NULL },
                                  &out, &err), ==, 2);
  held = g_strdup_printf ("has only held hosts left (%s, %s)", host1, host2);
  g_assert_nonnull (strstr (err, held));
  g_clear_pointer (&out, g_free);
  g_clear_pointer (&err, g_free);

  release_second_step (fixture);
  g_assert_cmpint (run_fleet_run (fixture, "decided",
                                  (const char *[]) { "--resume", run_dir, fixture->plan,
                                                     "--retry-host", host1, "--retry-host", host2,
                                                     NULL }, &out, &err), ==, 0);
  g_assert_nonnull (strstr (out, "2 of 2 hosts succeeded"));
  assert_overlap_steps_ran (fixture);

  journal = read_journal (run_dir);
  g_assert_nonnull (strstr (journal, "\"event\":\"host-decision\",\"host\":\"host01\",\"step\":1,"
                                     "\"decision\":\"retry\""));
  g_assert_cmpuint (count_substrings (journal, "\"event\":\"step-start\",\"host\":\"host01\","
                                               "\"step\":2,"), ==, 1);
  g_assert_cmpuint (count_substrings (journal, "\"event\":\"step-start\",\"host\":\"host01\","
                                               "\"step\":3,"), ==, 2);
}

/* When every step in flight at kill -9 is idempotent, the resume runs them
 * again without a decision and keeps the output of their first attempt. */
static void
test_kill_reruns_overlapping_idempotent (Fixture *fixture, gconstpointer data)
{
  g_autofree char *run_dir = NULL;
  g_autofree char *out = NULL;
  g_autofree char *err = NULL;
  g_autofree char *host1 = NULL;

  if (!require_sandbox ())
    return;
  compile_overlap_plan (fixture, TRUE, "overlap-idempotent");
  run_dir = start_and_kill_after (fixture, (const char *[]) { "slow-start", "again-start",
                                                              "quick-end", NULL });
  release_second_step (fixture);

  g_assert_cmpint (run_fleet_run (fixture, "resumed", (const char *[]) { "--resume", run_dir,
                                                                         fixture->plan, NULL },
                                  &out, &err), ==, 0);
  g_assert_nonnull (strstr (out, "2 of 2 hosts succeeded"));
  assert_overlap_steps_ran (fixture);

  host1 = fleet_sandbox_host_name (sandbox, 0);
  for (guint step = 1; step <= 3; step += 2)
    {
      g_autofree char *name = g_strdup_printf ("%02u.stdout.partial", step);
      g_autofree char *partial = g_build_filename (run_dir, "output", host1, name, NULL);

      g_assert_true (g_file_test (partial, G_FILE_TEST_IS_REGULAR));
    }
}

/* A resume with another plan is refused, naming both digests. */
static void
test_plan_digest_differs (Fixture *fixture, gconstpointer data)
{
  g_autofree char *run_dir = NULL;
  g_autofree char *out = NULL;
  g_autofree char *err = NULL;

  if (!require_sandbox ())
    return;
  compile_plan (fixture, FALSE, "digest");
  run_dir = start_and_kill (fixture);
  release_second_step (fixture);

  compile_plan (fixture, FALSE, "other");
  g_assert_cmpint (run_fleet_run (fixture, "other", (const char *[]) { "--resume", run_dir,
                                                                       fixture->plan, NULL },
                                  &out, &err), ==, 2);
  g_assert_nonnull (strstr (err, "fleet-run: cannot resume: "));
  g_assert_nonnull (strstr (err, "the run was started with the plan of sha256 "));
  g_assert_nonnull (strstr (err, "resume a run only with the plan file it started with"));
}

/* A journal cut in the middle of its last line, as a kill during a write
 * leaves it, resumes with a warning that names the file and the offset. */
static void
test_truncated_journal (Fixture *fixture, gconstpointer data)
{
  g_autofree char *run_dir = NULL;
  g_autofree char *journal_path = NULL;
  g_autofree char *text = NULL;
  g_autofree char *out = NULL;
  g_autofree char *err = NULL;
  g_autofree char *warning = NULL;
  g_autofree char *journal = NULL;
  gsize length = 0;
  gsize last_line;

  if (!require_sandbox ())
    return;
  compile_plan (fixture, TRUE, "truncated");
  run_dir = start_and_kill (fixture);
  release_second_step (fixture);

  /* Cut the last record in half. */
  journal_path = g_build_filename (run_dir, "journal.jsonl", NULL);
  g_assert_true (g_file_get_contents (journal_path, &text, &length, NULL));
  g_assert_cmpuint (length, >, 2);
  last_line = length - 1;
  while (last_line > 0 && text[last_line - 1] != '\n')
    last_line--;
  g_assert_cmpint (truncate (journal_path, (off_t) (last_line + (length - last_line) / 2)), ==, 0);

  g_assert_cmpint (run_fleet_run (fixture, "resumed", (const char *[]) { "--resume", run_dir,
                                                                         fixture->plan, NULL },
                                  &out, &err), ==, 0);
  warning = g_strdup_printf ("fleet-run: warning: %s: ignoring the torn line ", journal_path);
  g_assert_nonnull (strstr (err, warning));
  g_clear_pointer (&warning, g_free);
  warning = g_strdup_printf (" at byte %" G_GSIZE_FORMAT " (", last_line);
  g_assert_nonnull (strstr (err, warning));

  journal = read_journal (run_dir);
  g_assert_nonnull (strstr (journal, "\"event\":\"run-resume\""));
  g_assert_nonnull (strstr (journal, "\"torn_line_offset\":"));
  for (guint i = 0; i < N_HOSTS; i++)
    g_assert_cmpuint (count_log_lines (fixture, i, "third-end"), ==, 1);
}

/* A first SIGTERM lets the step in flight run for the grace period, then
 * aborts it; fleet-run exits 3 and prints the exact resume command, which
 * then finishes the run after a decision. */
static void
test_interrupt_grace_period (Fixture *fixture, gconstpointer data)
{
  g_autoptr(GSubprocess) process = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *out_path = NULL;
  g_autofree char *out = NULL;
  g_autofree char *err = NULL;
  g_autofree char *resumed_out = NULL;
  g_autofree char *resumed_err = NULL;
  g_autofree char *host1 = NULL;
  g_autofree char *host2 = NULL;
  const char *command;
  g_autofree char *line = NULL;
  g_auto(GStrv) words = NULL;
  g_autoptr(GPtrArray) args = g_ptr_array_new ();

  if (!require_sandbox ())
    return;
  host1 = fleet_sandbox_host_name (sandbox, 0);
  host2 = fleet_sandbox_host_name (sandbox, 1);
  compile_plan (fixture, FALSE, "grace");
  /* --new-run starts a run; the printed resume command must not repeat it. */
  process = start_fleet_run (fixture, "interrupted",
                             (const char *[]) { "--runs-dir", fixture->runs, "--grace-period",
                                                "1s", "--new-run", fixture->plan, NULL });
  wait_for_log_line (fixture, "second-start");
  g_subprocess_send_signal (process, SIGTERM);
  g_subprocess_wait (process, NULL, &error);
  g_assert_no_error (error);
  g_assert_true (g_subprocess_get_if_exited (process));
  g_assert_cmpint (g_subprocess_get_exit_status (process), ==, 3);

  out_path = fixture_path (fixture, "interrupted.out");
  g_assert_true (g_file_get_contents (out_path, &out, NULL, NULL));
  g_test_message ("interrupted run:\n%s", out);
  g_assert_nonnull (strstr (out, "aborted because it did not finish within the grace period of "
                                 "1s after fleet-run was interrupted"));
  command = strstr (out, "Resume this run with:\n  ");
  g_assert_nonnull (command);
  command += strlen ("Resume this run with:\n  ");
  g_assert_nonnull (strstr (out, "Held hosts (host01, host02) run again only when you add "
                                 "--retry-host HOST"));

  /* Run the printed command, with the decisions added. */
  line = g_strndup (command, strcspn (command, "\n"));
  g_assert_null (strstr (line, "--new-run"));
  words = g_strsplit (line, " ", -1);
  g_assert_true (g_str_has_suffix (words[0], "/fleet-run"));
  g_assert_cmpstr (words[1], ==, "--resume");
  for (guint i = 1; words[i] != NULL; i++)
    g_ptr_array_add (args, words[i]);
  g_ptr_array_add (args, "--retry-host");
  g_ptr_array_add (args, host1);
  g_ptr_array_add (args, "--retry-host");
  g_ptr_array_add (args, host2);
  g_ptr_array_add (args, NULL);

  release_second_step (fixture);
  g_assert_cmpint (run_fleet_run (fixture, "resumed", (const char * const *) args->pdata,
                                  &resumed_out, &resumed_err), ==, 0);
  for (guint i = 0; i < N_HOSTS; i++)
    {
      g_assert_cmpuint (count_log_lines (fixture, i, "first-start"), ==, 1);
      g_assert_cmpuint (count_log_lines (fixture, i, "second-start"), ==, 2);
      g_assert_cmpuint (count_log_lines (fixture, i, "third-end"), ==, 1);
    }
}

/* Decisions that cannot apply are refused before anything runs. */
static void
test_decision_errors (Fixture *fixture, gconstpointer data)
{
  g_autofree char *run_dir = NULL;
  g_autofree char *out = NULL;
  g_autofree char *err = NULL;
  g_autofree char *host1 = NULL;

  if (!require_sandbox ())
    return;
  host1 = fleet_sandbox_host_name (sandbox, 0);
  compile_plan (fixture, FALSE, "decisions");
  run_dir = start_and_kill (fixture);
  release_second_step (fixture);

  g_assert_cmpint (run_fleet_run (fixture, "unknown",
                                  (const char *[]) { "--resume", run_dir, fixture->plan,
                                                     "--retry-host", "nosuchhost", NULL },
                                  &out, &err), ==, 2);
  g_assert_nonnull (strstr (err, "--retry-host 'nosuchhost': the plan has no host of that "
                                 "name"));
  g_clear_pointer (&out, g_free);
  g_clear_pointer (&err, g_free);

  g_assert_cmpint (run_fleet_run (fixture, "both",
                                  (const char *[]) { "--resume", run_dir, fixture->plan,
                                                     "--retry-host", host1, "--skip-host", host1,
                                                     NULL }, &out, &err), ==, 2);
  g_assert_nonnull (strstr (err, "give one decision per host"));
  g_clear_pointer (&out, g_free);
  g_clear_pointer (&err, g_free);

  g_assert_cmpint (run_fleet_run (fixture, "no-resume",
                                  (const char *[]) { fixture->plan, "--skip-host", host1, NULL },
                                  &out, &err), ==, 2);
  g_assert_nonnull (strstr (err, "give them with --resume RUN"));
  g_clear_pointer (&out, g_free);
  g_clear_pointer (&err, g_free);

  g_assert_cmpint (run_fleet_run (fixture, "missing",
                                  (const char *[]) { "--runs-dir", fixture->runs, "--resume",
                                                     "no-such-run", fixture->plan, NULL },
                                  &out, &err), ==, 2);
  g_assert_nonnull (strstr (err, "--resume \"no-such-run\": no run found"));
}

/* While a run of the plan is going, fleet-run refuses to start the plan
 * again, even with --new-run, and to roll that run back. */
static void
test_refuses_plan_while_running (Fixture *fixture, gconstpointer data)
{
  g_autoptr(GSubprocess) first = NULL;
  g_autoptr(GDir) runs = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *run_id = NULL;
  const char *running_line = "of this plan is still going: another fleet-run holds its journal";

  if (!require_sandbox ())
    return;
  compile_plan (fixture, FALSE, "running");
  first = start_fleet_run (fixture, "first", (const char *[]) { "--runs-dir", fixture->runs,
                                                                fixture->plan, NULL });
  wait_for_log_line (fixture, "second-start");
  runs = g_dir_open (fixture->runs, 0, &error);
  g_assert_no_error (error);
  run_id = g_strdup (g_dir_read_name (runs));

  for (guint i = 0; i < 2; i++)
    {
      g_autofree char *out = NULL;
      g_autofree char *err = NULL;
      const char *again[] = { "--runs-dir", fixture->runs, fixture->plan,
                              i == 0 ? NULL : "--new-run", NULL };

      g_assert_cmpint (run_fleet_run (fixture, i == 0 ? "again" : "again-new-run", again, &out,
                                      &err), ==, 2);
      g_assert_nonnull (strstr (err, running_line));
    }

  {
    g_autofree char *out = NULL;
    g_autofree char *err = NULL;

    g_assert_cmpint (run_fleet_run (fixture, "rollback",
                                    (const char *[]) { "--runs-dir", fixture->runs, "--rollback",
                                                       run_id, fixture->plan, NULL },
                                    &out, &err), ==, 2);
    g_assert_nonnull (strstr (err, "is still going: another fleet-run holds its journal. Stop "
                                   "it first"));
  }

  g_assert_cmpuint (count_log_lines (fixture, 0, "first-start"), ==, 1);
  g_assert_cmpuint (count_log_lines (fixture, 1, "first-start"), ==, 1);
  release_second_step (fixture);
  g_subprocess_wait (first, NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpint (g_subprocess_get_exit_status (first), ==, 0);
  g_assert_cmpuint (count_log_lines (fixture, 0, "third-end"), ==, 1);
}

int
main (int argc, char **argv)
{
  int status;

  g_test_init (&argc, &argv, NULL);

#define ADD(path, func) \
  g_test_add (path, Fixture, NULL, fixture_set_up, func, fixture_tear_down)

  ADD ("/resume/journal/torn-last-line", test_torn_last_line);
  ADD ("/resume/journal/damaged-middle-line", test_damaged_middle_line);
  ADD ("/resume/journal/append-after-torn-line", test_append_after_torn_line);
  ADD ("/resume/journal/locked", test_journal_locked);
  ADD ("/resume/kill/holds-hosts", test_kill_holds_hosts);
  ADD ("/resume/kill/decides-held", test_kill_decides_held);
  ADD ("/resume/refuses-plan-while-running", test_refuses_plan_while_running);
  ADD ("/resume/kill/reruns-idempotent", test_kill_reruns_idempotent);
  ADD ("/resume/kill/holds-overlapping-steps", test_kill_holds_overlapping_steps);
  ADD ("/resume/kill/reruns-overlapping-idempotent", test_kill_reruns_overlapping_idempotent);
  ADD ("/resume/kill/held-host-blocks-next-wave", test_held_host_blocks_next_wave);
  ADD ("/resume/kill/plan-digest-differs", test_plan_digest_differs);
  ADD ("/resume/kill/truncated-journal", test_truncated_journal);
  ADD ("/resume/kill/decision-errors", test_decision_errors);
  ADD ("/resume/interrupt/grace-period", test_interrupt_grace_period);

  status = g_test_run ();
  g_clear_pointer (&sandbox, fleet_sandbox_free);
  return status;
}
