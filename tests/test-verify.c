/* test-verify.c: snapshots after failed steps, drift before the first
 * step, baselines, and `fleetc verify` and `fleetc snapshot take`, on
 * sandbox hosts over SSH. */
#include <string.h>
#include <unistd.h>

#include <glib/gstdio.h>

#include "runtime/fleet-drift-report.h"
#include "schema/fleet-snapshot-store.h"
#include "tests/runtime-fixture.h"

/* A fresh directory in the home of sandbox host `index`, holding one file
 * "app.conf" with `contents`. */
static char *
make_host_dir (guint index, const char *name, const char *contents)
{
  g_autofree char *dir = host_home_path (index, name);
  g_autofree char *file = g_build_filename (dir, "app.conf", NULL);
  g_autofree char *quoted = g_shell_quote (dir);
  g_autofree char *command = g_strdup_printf ("rm -rf %s", quoted);

  g_assert_true (g_spawn_command_line_sync (command, NULL, NULL, NULL, NULL));
  g_assert_cmpint (g_mkdir_with_parents (dir, 0700), ==, 0);
  g_assert_true (g_file_set_contents (file, contents, -1, NULL));
  return g_steal_pointer (&dir);
}

/* Give the fixture's plan snapshot settings that record the files under
 * `dirs` (one per host, NULL-terminated) and the users. */
static FleetSnapshotConfig *
set_snapshot_files (Fixture *fixture, const char *const *dirs)
{
  FleetSnapshotConfig *config = fleet_snapshot_config_new ();

  config->categories = 1u << FLEET_SNAPSHOT_FILES | 1u << FLEET_SNAPSHOT_USERS;
  for (guint i = 0; dirs[i] != NULL; i++)
    g_ptr_array_add (config->files, g_strdup (dirs[i]));
  fleet_snapshot_config_free (fixture->plan->snapshot);
  fixture->plan->snapshot = config;
  return config;
}

/* A failed step still gets the after snapshot, so the report shows what
 * it changed, and the host keeps the step's failure as its message. */
static void
test_after_snapshot_of_failed_step (Fixture *fixture, gconstpointer data)
{
  const guint sizes[] = { 1, 0 };
  g_autofree char *dir = NULL;
  g_autofree char *written = NULL;
  g_autofree char *quoted = NULL;
  g_autofree char *command = NULL;
  g_autofree char *report = NULL;
  g_autofree char *line = NULL;
  FleetSnapshotConfig *config;
  const FleetHostResult *host;

  if (!require_sandbox_hosts (2))
    return;

  dir = make_host_dir (0, "verify-failed-step", "v1\n");
  written = g_build_filename (dir, "half-done.conf", NULL);
  quoted = g_shell_quote (written);
  command = g_strdup_printf ("echo partial > %s && exit 3", quoted);
  config = set_snapshot_files (fixture, (const char *[]) { dir, NULL });
  config->on_unexpected = FLEET_SNAPSHOT_ON_UNEXPECTED_FAIL_HOST;

  add_hosts (fixture, 1, "id_ed25519");
  add_step (fixture, "change then fail", command, 60000);
  add_step (fixture, "never runs", "true", 60000);
  set_waves (fixture, sizes);
  run_plan (fixture);

  host = host_result (fixture, 0);
  g_assert_cmpint (host->outcome, ==, FLEET_HOST_FAILED);
  g_assert_cmpint (host->failure, ==, FLEET_FAILURE_EXIT_CODE);
  g_assert_cmpuint (host->failed_step, ==, 0);
  g_assert_nonnull (strstr (host->message, "step \"change then fail\": exited with status 3"));
  g_assert_false (step_result (fixture, 0, 1)->started);
  g_assert_nonnull (host->snapshot_before);
  g_assert_nonnull (host->snapshot_after);
  g_assert_nonnull (host->snapshot_diff);
  g_assert_cmpuint (host->snapshot_diff->n_changes, ==, 1);
  g_assert_cmpstr (host->snapshot_diff->changes[0].key, ==, written);
  g_assert_cmpint (host->snapshot_diff->changes[0].kind, ==, FLEET_SNAPSHOT_ADDED);

  report = read_run_file (fixture, "snapshot-report.txt");
  line = g_strdup_printf ("+ UNEXPECTED files %s: sha256=", written);
  g_assert_nonnull (strstr (report, line));

  fleet_test_remove_tree (dir);
}

/* A step that kills its own SSH session ends the host without an after
 * snapshot: there is no connection left to take it on. */
static void
test_no_after_snapshot_without_connection (Fixture *fixture, gconstpointer data)
{
  const guint sizes[] = { 1, 0 };
  g_autofree char *dir = NULL;
  const FleetHostResult *host;

  if (!require_sandbox_hosts (2))
    return;

  dir = make_host_dir (0, "verify-killed", "v1\n");
  set_snapshot_files (fixture, (const char *[]) { dir, NULL });
  add_hosts (fixture, 1, "id_ed25519");
  add_step (fixture, "kill the session", "kill -9 $PPID; sleep 5", 60000);
  set_waves (fixture, sizes);
  run_plan (fixture);

  host = host_result (fixture, 0);
  g_assert_cmpint (host->outcome, ==, FLEET_HOST_FAILED);
  g_assert_cmpint (host->failure, !=, FLEET_FAILURE_NONE);
  g_assert_cmpint (host->failure, !=, FLEET_FAILURE_EXIT_CODE);
  g_assert_nonnull (host->snapshot_before);
  g_assert_null (host->snapshot_after);
  g_assert_null (host->snapshot_diff);

  fleet_test_remove_tree (dir);
}

/* Run 1 stores snapshots; between the runs someone edits a file on host
 * 0; run 2 compares with the latest stored snapshot and, under
 * fail_host, stops host 0 before its first step while host 1 runs.  The
 * sandbox hosts share one file system, so a fact reads the file in each
 * host's own $HOME. */
static void
test_drift_since_latest (Fixture *fixture, gconstpointer data)
{
  const guint sizes[] = { 2, 0 };
  g_autofree char *store = g_build_filename (fixture->run_dir, "store", NULL);
  g_autofree char *first = NULL;
  g_autofree char *second = NULL;
  g_autofree char *edited = NULL;
  g_autofree char *journal = NULL;
  g_autofree char *report = NULL;
  g_autofree char *json = NULL;
  g_autofree char *summary = NULL;
  g_autofree char *line = NULL;
  FleetSnapshotConfig *config;
  const FleetHostResult *host;

  if (!require_sandbox_hosts (2))
    return;

  first = make_host_dir (0, "verify-drift", "v1\n");
  second = make_host_dir (1, "verify-drift", "v1\n");
  edited = g_build_filename (first, "app.conf", NULL);
  fixture->options.snapshot_store = store;

  /* A first run with no earlier snapshot: reported, not a failure. */
  config = set_snapshot_files (fixture, (const char *[]) { NULL });
  config->categories = 1u << FLEET_SNAPSHOT_FACTS | 1u << FLEET_SNAPSHOT_USERS;
  g_ptr_array_add (config->fact_names, g_strdup ("app"));
  g_ptr_array_add (config->fact_commands, g_strdup ("cat \"$HOME/verify-drift/app.conf\""));
  config->drift = FLEET_SNAPSHOT_DRIFT_LATEST;
  config->on_drift = FLEET_SNAPSHOT_ON_UNEXPECTED_FAIL_HOST;
  add_hosts (fixture, 2, "id_ed25519");
  add_step (fixture, "noop", "true", 60000);
  set_waves (fixture, sizes);
  run_plan (fixture);
  host = host_result (fixture, 0);
  g_assert_cmpint (host->outcome, ==, FLEET_HOST_SUCCEEDED);
  g_assert_nonnull (host->drift);
  g_assert_null (host->drift->reference);
  g_assert_nonnull (strstr (host->drift->reference_problem, "no earlier snapshot of host01"));
  g_assert_cmpint (host_result (fixture, 1)->outcome, ==, FLEET_HOST_SUCCEEDED);

  g_assert_true (g_file_set_contents (edited, "edited by hand\n", -1, NULL));

  fixture_reset (fixture);
  add_hosts (fixture, 2, "id_ed25519");
  add_step (fixture, "noop", "true", 60000);
  set_waves (fixture, sizes);
  run_plan (fixture);

  host = host_result (fixture, 0);
  g_assert_cmpint (host->outcome, ==, FLEET_HOST_FAILED);
  g_assert_false (step_result (fixture, 0, 0)->started);
  g_assert_nonnull (strstr (host->message, "1 change since snapshot"));
  g_assert_nonnull (strstr (host->message, "on_drift: fail_host"));
  g_assert_nonnull (host->drift->reference);
  g_assert_null (host->drift->reference_problem);
  g_assert_cmpuint (host->drift->diff->n_changes, ==, 1);
  g_assert_cmpstr (host->drift->diff->changes[0].key, ==, "app");
  g_assert_cmpstr (host->drift->diff->changes[0].new_value, ==, "edited by hand");

  host = host_result (fixture, 1);
  g_assert_cmpint (host->outcome, ==, FLEET_HOST_SUCCEEDED);
  g_assert_cmpuint (host->drift->diff->n_changes, ==, 0);
  g_assert_true (step_result (fixture, 1, 0)->started);

  journal = read_run_file (fixture, "journal.jsonl");
  g_assert_nonnull (strstr (journal, "\"event\":\"snapshot-drift\",\"host\":\"host01\""));
  g_assert_nonnull (strstr (journal, "\"changes\":1,\"violations\":null"));

  line = g_strdup ("~ UNEXPECTED facts app: v1 -> edited by hand\n");
  report = read_run_file (fixture, "drift-report.txt");
  g_assert_nonnull (strstr (report, "2 hosts checked, 1 without drift or violations\n"
                                    "1 host changed since its stored snapshot: host01\n"));
  g_assert_null (strstr (report, "violates"));
  g_assert_nonnull (strstr (report, "\n  1 host: ~ UNEXPECTED facts app: v1 -> edited by hand\n"
                                    "    on host01\n"));
  g_assert_nonnull (strstr (report, "\nHost host01\n1 change since snapshot "));
  g_assert_nonnull (strstr (report, line));
  g_assert_nonnull (strstr (report, "\nHost host02\nno drift and no violations\n"));
  json = read_run_file (fixture, "drift-report.json");
  g_assert_nonnull (strstr (json, "\"hosts_checked\":2,\"hosts_without_drift\":1"));
  summary = fleet_drift_report_format_summary (fixture->result);
  g_assert_nonnull (strstr (summary, "!! host01: 1 change since snapshot "));
  g_assert_nonnull (strstr (summary, "drift: 1 of 2 hosts checked changed since the stored "
                                     "snapshot"));
  g_assert_null (strstr (summary, "baseline:"));

  fleet_test_remove_tree (first);
  fleet_test_remove_tree (second);
}

static FleetBaseline *
file_baseline (const char *path, const char *mode)
{
  FleetBaseline *baseline = fleet_baseline_new ("test baseline");
  FleetBaselineRule *rule = fleet_baseline_rule_new (FLEET_SNAPSHOT_FILES, path);
  FleetBaselineRule *user = fleet_baseline_rule_new (FLEET_SNAPSHOT_USERS, "root");

  rule->mode = g_strdup (mode);
  rule->origin = g_strdup ("test:1:1");
  g_ptr_array_add (baseline->rules, rule);
  g_ptr_array_add (baseline->rules, user);
  return baseline;
}

/* Under warn the hosts run and the report lists the violations, counted
 * over the fleet; under halt, the first violating host stops the run.  The
 * sandbox hosts share one file system, so both see the same file. */
static void
test_baseline_in_run (Fixture *fixture, gconstpointer data)
{
  const guint sizes[] = { 2, 0 };
  g_autofree char *dir = NULL;
  g_autofree char *file = NULL;
  g_autofree char *report = NULL;
  g_autofree char *markdown = NULL;
  g_autofree char *line = NULL;
  g_autofree char *fleet_line = NULL;
  FleetSnapshotConfig *config;
  const FleetHostResult *host;

  if (!require_sandbox_hosts (2))
    return;

  dir = make_host_dir (0, "verify-baseline", "v1\n");
  file = g_build_filename (dir, "app.conf", NULL);
  g_assert_cmpint (g_chmod (file, 0644), ==, 0);

  config = set_snapshot_files (fixture, (const char *[]) { dir, NULL });
  config->baseline = file_baseline (file, "0600");
  add_hosts (fixture, 2, "id_ed25519");
  add_step (fixture, "noop", "true", 60000);
  set_waves (fixture, sizes);
  run_plan (fixture);

  g_assert_cmpint (host_result (fixture, 0)->outcome, ==, FLEET_HOST_SUCCEEDED);
  g_assert_cmpint (host_result (fixture, 1)->outcome, ==, FLEET_HOST_SUCCEEDED);
  host = host_result (fixture, 0);
  g_assert_cmpuint (host->drift->violations->len, ==, 1);
  g_assert_null (host->drift->diff);
  report = read_run_file (fixture, "drift-report.txt");
  line = g_strdup_printf ("files %s: mode is 0644, baseline requires 0600 (test:1:1)\n", file);
  fleet_line = g_strdup_printf ("  2 hosts: %s    on host01, host02\n", line);
  g_assert_nonnull (strstr (report, "baseline: test baseline\n"));
  g_assert_nonnull (strstr (report, "2 hosts checked, 0 without drift or violations\n"
                                    "2 hosts violate the baseline: host01, host02\n"));
  g_assert_nonnull (strstr (report, fleet_line));
  /* Both hosts have the same violation: one section names both. */
  g_assert_nonnull (strstr (report, "\nHosts host01, host02 (2 hosts)\n1 baseline violation:\n"));
  g_assert_null (strstr (report, "\nHost host02\n"));
  markdown = read_run_file (fixture, "drift-report.md");
  g_assert_true (g_str_has_prefix (markdown, "# Drift and baseline check\n"));

  fixture_reset (fixture);
  fixture->plan->parallelism = 1;
  config->on_drift = FLEET_SNAPSHOT_ON_UNEXPECTED_HALT;
  add_hosts (fixture, 2, "id_ed25519");
  add_step (fixture, "noop", "true", 60000);
  set_waves (fixture, sizes);
  run_plan (fixture);
  host = host_result (fixture, 0);
  g_assert_cmpint (host->outcome, ==, FLEET_HOST_FAILED);
  g_assert_nonnull (strstr (host->message, "1 baseline violation in the before snapshot "
                                           "(on_drift: halt)"));
  g_assert_false (step_result (fixture, 0, 0)->started);
  g_assert_cmpint (host_result (fixture, 1)->outcome, ==, FLEET_HOST_NOT_RUN);

  fleet_test_remove_tree (dir);
}

static char *
build_program (const char *name)
{
  return g_build_filename (g_getenv ("FLEET_BUILD_ROOT"), "cli", name, NULL);
}

/* Return the only entry of `dir` whose name starts with `prefix`. */
static char *
only_entry (const char *dir, const char *prefix)
{
  g_autoptr (GDir) listing = g_dir_open (dir, 0, NULL);
  g_autofree char *found = NULL;
  const char *name;

  g_assert_nonnull (listing);
  while ((name = g_dir_read_name (listing)) != NULL)
    {
      if (!g_str_has_prefix (name, prefix))
        continue;
      g_assert_null (found);
      found = g_build_filename (dir, name, NULL);
    }
  g_assert_nonnull (found);
  return g_steal_pointer (&found);
}

/* Return the path of the only file `name` in a run directory under
 * `runs`. */
static char *
only_run_file (const char *runs, const char *name)
{
  g_autoptr (GDir) listing = g_dir_open (runs, 0, NULL);
  g_autofree char *found = NULL;
  const char *entry;

  g_assert_nonnull (listing);
  while ((entry = g_dir_read_name (listing)) != NULL)
    {
      g_autofree char *path = g_build_filename (runs, entry, name, NULL);

      if (!g_file_test (path, G_FILE_TEST_EXISTS))
        continue;
      g_assert_null (found);
      found = g_steal_pointer (&path);
    }
  g_assert_nonnull (found);
  return g_steal_pointer (&found);
}

/* `fleetc verify` against the sandbox: a violation exits 1 and is listed
 * per host; a compliant host exits 0. */
static void
test_cli_verify (Fixture *fixture, gconstpointer data)
{
  g_autofree char *fleetc = build_program ("fleetc");
  g_autofree char *inventory = NULL;
  g_autofree char *dir = NULL;
  g_autofree char *file = NULL;
  g_autofree char *baseline_path = g_build_filename (fixture->run_dir, "web.yaml", NULL);
  g_autofree char *good_path = g_build_filename (fixture->run_dir, "good.yaml", NULL);
  g_autofree char *runs = g_build_filename (fixture->run_dir, "runs", NULL);
  g_autofree char *store = g_build_filename (fixture->run_dir, "store", NULL);
  g_autofree char *baseline = NULL;
  g_autofree char *good = NULL;
  g_autofree char *out = NULL;
  g_autofree char *err = NULL;
  g_autofree char *line = NULL;
  g_autofree char *run_dir = NULL;
  g_autofree char *report_path = NULL;
  g_autofree char *json = NULL;
  g_autofree char *markdown = NULL;
  g_autoptr (GPtrArray) entries = NULL;
  g_autoptr (GError) error = NULL;
  g_autofree char *sha = NULL;

  if (!require_sandbox_hosts (2))
    return;

  inventory = fleet_sandbox_path (shared_sandbox, "inventory.yaml");
  dir = make_host_dir (0, "verify-cli", "v1\n");
  file = g_build_filename (dir, "app.conf", NULL);
  g_assert_cmpint (g_chmod (file, 0640), ==, 0);
  sha = g_compute_checksum_for_string (G_CHECKSUM_SHA256, "v1\n", -1);

  baseline = g_strdup_printf ("name: web\n"
                              "files:\n"
                              "  %s: {sha256: %s, mode: \"0600\"}\n"
                              "  %s/absent.conf: present\n"
                              "users:\n"
                              "  root: present\n", file, sha, dir);
  g_assert_true (g_file_set_contents (baseline_path, baseline, -1, NULL));
  g_assert_cmpint (fleet_test_spawn ((const char *[]) { fleetc, "verify", baseline_path, "-i",
                                                        inventory, "--limit",
                                                        "name == \"host01\"", "-d", runs,
                                                        "--store", store, NULL },
                                     &out, &err), ==, 1);
  g_test_message ("fleetc verify output:\n%s\n%s", out, err);
  g_assert_nonnull (strstr (out, "Baseline check on 1 host selected by name == \"host01\""));
  g_assert_nonnull (strstr (out, "!! host01: 2 baseline violations:\n"));
  g_assert_null (strstr (out, "halted"));
  line = g_strdup_printf ("   files %s: mode is 0640, baseline requires 0600 (%s:3:3)\n", file,
                          baseline_path);
  g_assert_nonnull (strstr (out, line));
  g_clear_pointer (&line, g_free);
  line = g_strdup_printf ("   files %s/absent.conf: state missing, baseline requires present",
                          dir);
  g_assert_nonnull (strstr (out, line));

  run_dir = only_entry (runs, "20");
  report_path = g_build_filename (run_dir, "drift-report.json", NULL);
  g_assert_true (g_file_get_contents (report_path, &json, NULL, NULL));
  g_assert_nonnull (strstr (json, "\"baseline\":\"web\",\"hosts_checked\":1,"
                                  "\"hosts_without_drift\":0"));
  g_assert_nonnull (strstr (json, "\"field\":\"mode\",\"expected\":\"0600\",\"actual\":\"0640\""));
  g_assert_nonnull (strstr (json, "\"limit\":\"name == \\\"host01\\\"\""));
  g_assert_nonnull (strstr (json, "\"hosts_violating_baseline\":[\"host01\"]"));

  /* The Markdown report names its run and plan, and a verify run writes
   * no change report: it takes no after snapshot to compare. */
  g_clear_pointer (&report_path, g_free);
  report_path = g_build_filename (run_dir, "drift-report.md", NULL);
  g_assert_true (g_file_get_contents (report_path, &markdown, NULL, NULL));
  g_assert_nonnull (strstr (markdown, "| Run | 20"));
  g_assert_nonnull (strstr (markdown, "| Plan | "));
  g_assert_nonnull (strstr (markdown, "| Limit | name == \"host01\" |\n"));
  g_assert_nonnull (strstr (markdown, "- 1 host violates the baseline: host01\n"));
  g_clear_pointer (&report_path, g_free);
  report_path = g_build_filename (run_dir, "snapshot-report.txt", NULL);
  g_assert_false (g_file_test (report_path, G_FILE_TEST_EXISTS));

  entries = fleet_snapshot_store_list (store, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (entries->len, ==, 1);
  g_assert_cmpstr (((FleetSnapshotIndexEntry *) g_ptr_array_index (entries, 0))->label, ==,
                   "on-demand");

  good = g_strdup_printf ("files:\n  %s: {sha256: %s, mode: \"0640\"}\n", file, sha);
  g_assert_true (g_file_set_contents (good_path, good, -1, NULL));
  g_clear_pointer (&out, g_free);
  g_clear_pointer (&err, g_free);
  g_assert_cmpint (fleet_test_spawn ((const char *[]) { fleetc, "verify", good_path, "-i",
                                                        inventory, "--limit",
                                                        "name == \"host01\"", "-d", runs, "-q",
                                                        NULL }, &out, &err), ==, 0);
  g_assert_null (strstr (out, "!!"));
  g_assert_nonnull (strstr (out, "checked 1 host: no baseline violation and no change since "
                                 "the stored snapshot"));

  /* A broken baseline is reported with its position, and nothing runs. */
  g_assert_true (g_file_set_contents (good_path, "files:\n  /x: {mode: 9}\n", -1, NULL));
  g_clear_pointer (&out, g_free);
  g_clear_pointer (&err, g_free);
  g_assert_cmpint (fleet_test_spawn ((const char *[]) { fleetc, "verify", good_path, "-i",
                                                        inventory, "--limit", "true", NULL },
                                     &out, &err), ==, 2);
  g_assert_nonnull (strstr (err, "good.yaml:2:14: error: invalid mode \"9\""));

  fleet_test_remove_tree (dir);
}

/* The output of `fleetc snapshot take` names each host's digest, and
 * `fleetc snapshot list` finds the same ones by host. */
static void
assert_take_printed_digests (const char *take_output, GPtrArray *entries, const char *store)
{
  g_autofree char *fleetc = build_program ("fleetc");
  g_autofree char *out = NULL;
  g_autofree char *err = NULL;
  g_autofree char *list_command = g_strdup_printf ("`fleetc snapshot list --store '%s' --run ",
                                                   store);
  const FleetSnapshotIndexEntry *host02 = NULL;

  g_assert_nonnull (strstr (take_output, list_command));
  for (guint i = 0; i < entries->len; i++)
    {
      const FleetSnapshotIndexEntry *entry = g_ptr_array_index (entries, i);
      g_autofree char *line = g_strdup_printf ("   %s: snapshot %s\n", entry->host,
                                               entry->digest);

      g_assert_nonnull (strstr (take_output, line));
      if (g_str_equal (entry->host, "host02"))
        host02 = entry;
    }
  g_assert_nonnull (host02);

  g_assert_cmpint (fleet_test_spawn ((const char *[]) { fleetc, "snapshot", "list", "--store",
                                                        store, "--host", "*02", NULL },
                                     &out, &err), ==, 0);
  g_assert_nonnull (strstr (out, host02->digest));
  g_assert_nonnull (strstr (out, "host02"));
  g_assert_null (strstr (out, "host01"));
  g_clear_pointer (&out, g_free);
  g_clear_pointer (&err, g_free);

  g_assert_cmpint (fleet_test_spawn ((const char *[]) { fleetc, "snapshot", "list", "--store",
                                                        store, "--run", host02->run_id,
                                                        "--format", "json", NULL },
                                     &out, &err), ==, 0);
  g_assert_nonnull (strstr (out, "\"host\":\"host01\""));
  g_assert_nonnull (strstr (out, "\"label\":\"on-demand\""));
  g_clear_pointer (&out, g_free);
  g_clear_pointer (&err, g_free);

  g_assert_cmpint (fleet_test_spawn ((const char *[]) { fleetc, "snapshot", "list", "--store",
                                                        store, "--run", "no-such-run", NULL },
                                     &out, &err), ==, 0);
  g_assert_null (strstr (out, "host0"));
  g_clear_pointer (&out, g_free);
  g_clear_pointer (&err, g_free);

  g_assert_cmpint (fleet_test_spawn ((const char *[]) { fleetc, "snapshot", "list", NULL },
                                     &out, &err), ==, 2);
  g_assert_nonnull (strstr (err, "missing --store DIR"));
}

/* `fleetc snapshot take` stores one snapshot per host; with --drift, a
 * second take reports what changed since.  The sandbox hosts share one
 * file system, so an edited file is a change on both. */
static void
test_cli_snapshot_take (Fixture *fixture, gconstpointer data)
{
  g_autofree char *fleetc = build_program ("fleetc");
  g_autofree char *inventory = NULL;
  g_autofree char *first = NULL;
  g_autofree char *second = NULL;
  g_autofree char *edited = NULL;
  g_autofree char *runs = g_build_filename (fixture->run_dir, "runs", NULL);
  g_autofree char *store = g_build_filename (fixture->run_dir, "store", NULL);
  g_autofree char *out = NULL;
  g_autofree char *err = NULL;
  g_autofree char *report_path = NULL;
  g_autofree char *report = NULL;
  g_autofree char *line = NULL;
  g_autoptr (GPtrArray) entries = NULL;
  g_autoptr (GError) error = NULL;

  if (!require_sandbox_hosts (2))
    return;

  inventory = fleet_sandbox_path (shared_sandbox, "inventory.yaml");
  first = make_host_dir (0, "verify-take", "v1\n");
  second = make_host_dir (1, "verify-take", "v1\n");
  edited = g_build_filename (second, "app.conf", NULL);

  g_assert_cmpint (fleet_test_spawn ((const char *[]) { fleetc, "snapshot", "take", "-i",
                                                        inventory, "--limit",
                                                        "name in [\"host01\", \"host02\"]",
                                                        "--categories", "files,users",
                                                        "--file", second,
                                                        "--store", store, "-d", runs, NULL },
                                     &out, &err), ==, 0);
  g_test_message ("fleetc snapshot take output:\n%s\n%s", out, err);
  g_assert_nonnull (strstr (out, "Configuration snapshot on 2 hosts"));
  line = g_strdup_printf ("compare two with `fleetc snapshot diff A B --store '%s'`", store);
  g_assert_nonnull (strstr (out, line));
  g_clear_pointer (&line, g_free);
  entries = fleet_snapshot_store_list (store, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (entries->len, ==, 2);
  assert_take_printed_digests (out, entries, store);

  g_assert_true (g_file_set_contents (edited, "v2\n", -1, NULL));
  g_clear_pointer (&out, g_free);
  g_clear_pointer (&err, g_free);
  g_assert_cmpint (fleet_test_spawn ((const char *[]) { fleetc, "snapshot", "take", "-i",
                                                        inventory, "--limit",
                                                        "name in [\"host01\", \"host02\"]",
                                                        "--categories", "files,users",
                                                        "--file", second,
                                                        "--store", store, "-d", runs, "--drift",
                                                        "-q", NULL }, &out, &err), ==, 0);
  g_test_message ("fleetc snapshot take --drift output:\n%s\n%s", out, err);
  g_assert_nonnull (strstr (out, "!! host01: 1 change since snapshot "));
  g_assert_nonnull (strstr (out, "!! host02: 1 change since snapshot "));
  g_assert_nonnull (strstr (out, "drift: 2 of 2 hosts checked changed since the stored "
                                 "snapshot"));
  report_path = only_run_file (runs, "drift-report.txt");
  g_assert_true (g_file_get_contents (report_path, &report, NULL, NULL));
  line = g_strdup_printf ("\n  2 hosts: ~ UNEXPECTED files %s: sha256=", edited);
  g_assert_nonnull (strstr (report, line));

  g_clear_pointer (&out, g_free);
  g_clear_pointer (&err, g_free);
  g_assert_cmpint (fleet_test_spawn ((const char *[]) { fleetc, "snapshot", "take", "-i",
                                                        inventory, "--limit", "true",
                                                        "--categories", "files,bogus", NULL },
                                     &out, &err), ==, 2);
  g_assert_nonnull (strstr (err, "unknown category \"bogus\" in --categories"));

  fleet_test_remove_tree (first);
  fleet_test_remove_tree (second);
}

int
main (int argc, char **argv)
{
  int status;

  g_test_init (&argc, &argv, NULL);

#define ADD(path, func) \
  g_test_add (path, Fixture, NULL, fixture_set_up, func, fixture_tear_down)

  ADD ("/verify/after-snapshot/failed-step", test_after_snapshot_of_failed_step);
  ADD ("/verify/after-snapshot/no-connection", test_no_after_snapshot_without_connection);
  ADD ("/verify/drift/since-latest", test_drift_since_latest);
  ADD ("/verify/drift/baseline", test_baseline_in_run);
  ADD ("/verify/cli/verify", test_cli_verify);
  ADD ("/verify/cli/snapshot-take", test_cli_snapshot_take);

  status = g_test_run ();
  release_sandbox ();
  return status;
}
