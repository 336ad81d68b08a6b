/* test-cli-adhoc.c: `fleetc run` against a sandbox fleet. */
#include <string.h>
#include <sys/stat.h>

#include <glib/gstdio.h>

#include "tests/sandbox.h"

typedef struct {
  char *dir;
  char *runs;
} Fixture;

static void
fixture_set_up (Fixture *fixture, gconstpointer data)
{
  fixture->dir = fleet_test_make_dir ("fleet-cli-adhoc-XXXXXX");
  fixture->runs = g_build_filename (fixture->dir, "runs", NULL);
}

static void
fixture_tear_down (Fixture *fixture, gconstpointer data)
{
  fleet_test_remove_tree (fixture->dir);
  g_free (fixture->dir);
  g_free (fixture->runs);
}

static FleetSandbox *
sandbox_or_skip (guint n_hosts)
{
  g_autofree char *reason = NULL;

  if (!fleet_sandbox_available (&reason))
    {
      g_test_skip (reason);
      return NULL;
    }
  return fleet_sandbox_up (n_hosts);
}

/* Run `fleetc run -i INVENTORY -F none -d RUNS ARGS...`; returns the exit
 * status. */
static int
fleetc_run (const Fixture *fixture, const FleetSandbox *sandbox, const char *const *args,
            char **out_stdout, char **out_stderr)
{
  g_autofree char *fleetc = g_build_filename (g_getenv ("FLEET_BUILD_ROOT"), "cli", "fleetc",
                                              NULL);
  g_autofree char *inventory = fleet_sandbox_path (sandbox, "inventory.yaml");
  g_autoptr(GPtrArray) argv = g_ptr_array_new ();

  g_ptr_array_add (argv, fleetc);
  g_ptr_array_add (argv, "run");
  g_ptr_array_add (argv, "-i");
  g_ptr_array_add (argv, inventory);
  g_ptr_array_add (argv, "-F");
  g_ptr_array_add (argv, "none");
  g_ptr_array_add (argv, "-d");
  g_ptr_array_add (argv, fixture->runs);
  for (const char *const *arg = args; *arg != NULL; arg++)
    g_ptr_array_add (argv, (gpointer) *arg);
  g_ptr_array_add (argv, NULL);
  return fleet_test_spawn ((const char *const *) argv->pdata, out_stdout, out_stderr);
}

static char *
host_file (const FleetSandbox *sandbox, guint index, const char *name)
{
  g_autofree char *host = fleet_sandbox_host_name (sandbox, index);
  g_autofree char *relative = g_build_filename ("hosts", host, "home", name, NULL);

  return fleet_sandbox_path (sandbox, relative);
}

/* Return the one entry of `directory` whose name starts with `prefix`. */
static char *
only_entry (const char *directory, const char *prefix)
{
  g_autoptr(GDir) dir = g_dir_open (directory, 0, NULL);
  const char *name;
  char *found = NULL;

  g_assert_nonnull (dir);
  while ((name = g_dir_read_name (dir)) != NULL)
    if (g_str_has_prefix (name, prefix))
      {
        g_assert_null (found);
        found = g_build_filename (directory, name, NULL);
      }
  g_assert_nonnull (found);
  return found;
}

/* The sandbox gives hosts 1 and 3 dc1 and hosts 2 and 4 dc2.  The hostile
 * word reaches the remote command as one argument, so none of its
 * substitutions run. */
static void
test_run_selected_hosts (Fixture *fixture, gconstpointer data)
{
  g_autoptr(FleetSandbox) sandbox = sandbox_or_skip (4);
  const char *hostile = "$(touch pwned) `touch pwned2`; touch pwned3 'x\"";
  g_autofree char *out = NULL;
  g_autofree char *err = NULL;
  g_autofree char *plan_dir = NULL;
  g_autofree char *plan_file = NULL;
  g_autofree char *run_dir = NULL;
  g_autofree char *output = NULL;
  struct stat info;

  if (sandbox == NULL)
    return;

  g_assert_cmpint (fleetc_run (fixture, sandbox, (const char *[]) {
                                 "--limit", "dc == \"dc1\"", "-p", "1", "--",
                                 "sh", "-c", "printf '%s\\n' \"$1\" > \"$HOME/arg\"; echo done",
                                 "sh", hostile, NULL }, &out, &err), ==, 0);

  g_assert_nonnull (strstr (out, "Ad-hoc command on 2 hosts selected by dc == \"dc1\", at most "
                                 "1 at once, halting at 1 failed host:\n"));
  g_assert_nonnull (strstr (out, "Hosts: host01 host03\n"));
  g_assert_nonnull (strstr (out, "workflow \"ad-hoc command\", 2 hosts in 1 wave, 1 step"));
  g_assert_nonnull (strstr (out, "2 of 2 hosts succeeded"));
  g_assert_nonnull (strstr (out, "\nhost01: done\nhost03: done\n"));

  for (guint i = 0; i < 4; i++)
    {
      g_autofree char *arg_file = host_file (sandbox, i, "arg");
      g_autofree char *contents = NULL;
      gboolean selected = i == 0 || i == 2;

      g_assert_cmpint (g_file_test (arg_file, G_FILE_TEST_EXISTS), ==, selected);
      if (selected)
        {
          g_autofree char *expected = g_strconcat (hostile, "\n", NULL);

          g_assert_true (g_file_get_contents (arg_file, &contents, NULL, NULL));
          g_assert_cmpstr (contents, ==, expected);
        }
      for (guint k = 0; k < 3; k++)
        {
          const char *markers[] = { "pwned", "pwned2", "pwned3" };
          g_autofree char *marker = host_file (sandbox, i, markers[k]);

          g_assert_false (g_file_test (marker, G_FILE_TEST_EXISTS));
        }
    }

  /* The plan lies in a private directory next to the run it started. */
  plan_dir = only_entry (fixture->runs, "plan-");
  plan_file = g_build_filename (plan_dir, "plan", NULL);
  g_assert_cmpint (g_stat (plan_dir, &info), ==, 0);
  g_assert_cmpint (info.st_mode & 0777, ==, 0700);
  g_assert_cmpint (g_stat (plan_file, &info), ==, 0);
  g_assert_cmpint (info.st_mode & 0777, ==, 0600);
  g_assert_nonnull (strstr (out, plan_file));

  run_dir = only_entry (fixture->runs, "20");
  {
    g_autofree char *path = g_build_filename (run_dir, "output", "host03", "01.stdout", NULL);

    g_assert_true (g_file_get_contents (path, &output, NULL, NULL));
    g_assert_cmpstr (output, ==, "done\n");
  }
}

/* Each host's output is printed with the host's name before every line,
 * standard error to standard error, escaped for the terminal; with
 * --hide-output it stays only in the run directory. */
static void
test_run_prints_output (Fixture *fixture, gconstpointer data)
{
  g_autoptr(FleetSandbox) sandbox = sandbox_or_skip (2);
  const char *script = "echo one; echo two; echo oops >&2; printf '\\033[31mred'";
  g_autofree char *out = NULL;
  g_autofree char *err = NULL;
  g_autofree char *quiet_out = NULL;
  g_autofree char *quiet_err = NULL;

  if (sandbox == NULL)
    return;

  g_assert_cmpint (fleetc_run (fixture, sandbox, (const char *[]) {
                                 "--limit", "true", "-q", "--", "sh", "-c", script, NULL },
                               &out, &err), ==, 0);
  g_test_message ("%s%s", out, err);
  g_assert_nonnull (strstr (out, "host01: one\nhost01: two\nhost01: \\x1b[31mred\n"
                                 "host02: one\nhost02: two\nhost02: \\x1b[31mred\n"));
  g_assert_null (strchr (out, '\033'));
  g_assert_nonnull (strstr (err, "host01: oops\n"));
  g_assert_nonnull (strstr (err, "host02: oops\n"));
  g_assert_null (strstr (out, "oops"));

  g_assert_cmpint (fleetc_run (fixture, sandbox, (const char *[]) {
                                 "--limit", "true", "-q", "--hide-output", "--", "sh", "-c",
                                 script, NULL }, &quiet_out, &quiet_err), ==, 0);
  g_assert_nonnull (strstr (quiet_out, "2 of 2 hosts succeeded"));
  g_assert_null (strstr (quiet_out, "host01: one"));
  g_assert_null (strstr (quiet_err, "host01: oops"));
}

static void
test_run_failure_and_halt (Fixture *fixture, gconstpointer data)
{
  g_autoptr(FleetSandbox) sandbox = sandbox_or_skip (3);
  g_autofree char *halted = NULL;
  g_autofree char *unlimited = NULL;
  const char *command = "echo x > \"$HOME/ran-$0\"; test \"$FLEET_HOST\" != host01";

  if (sandbox == NULL)
    return;

  /* By default the first failed host halts, as in a workflow. */
  g_assert_cmpint (fleetc_run (fixture, sandbox, (const char *[]) {
                                 "-q", "--limit", "true", "-p", "1", "--", "sh", "-c", command,
                                 "default", NULL }, &halted, NULL), ==, 1);
  g_assert_null (strstr (halted, "Ad-hoc command on"));
  g_assert_nonnull (strstr (halted, "0 of 3 hosts succeeded, 1 failed, 2 not run"));
  {
    g_autofree char *second = host_file (sandbox, 1, "ran-default");

    g_assert_false (g_file_test (second, G_FILE_TEST_EXISTS));
  }

  g_assert_cmpint (fleetc_run (fixture, sandbox, (const char *[]) {
                                 "-q", "--limit", "true", "-p", "1", "--halt-at", "unlimited",
                                 "--", "sh", "-c", command, "unlimited", NULL }, &unlimited,
                               NULL), ==, 1);
  g_assert_nonnull (strstr (unlimited, "2 of 3 hosts succeeded, 1 failed"));
  for (guint i = 0; i < 3; i++)
    {
      g_autofree char *marker = host_file (sandbox, i, "ran-unlimited");

      g_assert_true (g_file_test (marker, G_FILE_TEST_EXISTS));
    }
}

/* Options fleetc does not know go to fleet-run: here an empty known_hosts
 * file, which makes every host key unknown. */
static void
test_run_passes_options (Fixture *fixture, gconstpointer data)
{
  g_autoptr(FleetSandbox) sandbox = sandbox_or_skip (1);
  g_autofree char *known_hosts = NULL;
  g_autofree char *out = NULL;
  g_autofree char *err = NULL;

  if (sandbox == NULL)
    return;

  known_hosts = g_build_filename (fixture->dir, "empty_known_hosts", NULL);
  g_assert_true (g_file_set_contents (known_hosts, "", 0, NULL));
  g_assert_cmpint (fleetc_run (fixture, sandbox, (const char *[]) {
                                 "--known-hosts", known_hosts, "--limit", "true", "--", "true",
                                 NULL }, &out, &err), ==, 1);
  g_assert_nonnull (strstr (out, "is not in known_hosts file "));
  g_assert_nonnull (strstr (out, known_hosts));
}

static void
test_run_usage_errors (Fixture *fixture, gconstpointer data)
{
  const struct {
    const char *args[8];
    const char *message;
  } cases[] = {
    { { "--limit", "true", "uptime" }, "missing command: put it after --" },
    { { "--limit", "true", "--" }, "missing command: put it after --" },
    { { "--", "uptime" }, "missing --limit" },
    { { "--limit", "true", "-p", "0", "--", "uptime" }, "invalid --parallelism \"0\"" },
    { { "--limit", "true", "-t", "soon", "--", "uptime" }, "invalid --timeout \"soon\"" },
    { { "--limit", "true", "--halt-at", "0", "--", "uptime" }, "invalid --halt-at \"0\"" },
    { { "--limit", "dc ==", "--", "uptime" }, "--limit:1:" },
  };
  g_autofree char *fleetc = g_build_filename (g_getenv ("FLEET_BUILD_ROOT"), "cli", "fleetc",
                                              NULL);
  g_autofree char *inventory = fleet_test_source_path ("tests/data/cli/inventory.yaml");

  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autoptr(GPtrArray) argv = g_ptr_array_new ();
      g_autofree char *err = NULL;

      g_ptr_array_add (argv, fleetc);
      g_ptr_array_add (argv, "run");
      g_ptr_array_add (argv, "-i");
      g_ptr_array_add (argv, inventory);
      g_ptr_array_add (argv, "-d");
      g_ptr_array_add (argv, fixture->runs);
      for (guint k = 0; cases[i].args[k] != NULL; k++)
        g_ptr_array_add (argv, (gpointer) cases[i].args[k]);
      g_ptr_array_add (argv, NULL);

      g_assert_cmpint (fleet_test_spawn ((const char *const *) argv->pdata, NULL, &err), ==, 2);
      g_assert_nonnull (strstr (err, cases[i].message));
    }

  /* Nothing was written for any of them. */
  g_assert_false (g_file_test (fixture->runs, G_FILE_TEST_EXISTS));

  {
    g_autofree char *err = NULL;

    g_assert_cmpint (fleet_test_spawn ((const char *[]) { fleetc, "run", "--limit", "true", "--",
                                                          "uptime", NULL }, NULL, &err), ==, 2);
    g_assert_nonnull (strstr (err, "missing inventory"));
  }
}

#define ADD(path, func) \
  g_test_add (path, Fixture, NULL, fixture_set_up, func, fixture_tear_down)

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);

  ADD ("/cli-adhoc/usage-errors", test_run_usage_errors);
  ADD ("/cli-adhoc/selected-hosts", test_run_selected_hosts);
  ADD ("/cli-adhoc/failure-and-halt", test_run_failure_and_halt);
  ADD ("/cli-adhoc/prints-output", test_run_prints_output);
  ADD ("/cli-adhoc/passes-options", test_run_passes_options);

  return g_test_run ();
}
