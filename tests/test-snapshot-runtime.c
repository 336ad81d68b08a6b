/* test-snapshot-runtime.c: the snapshot collector script run on sandbox
 * hosts over SSH, parsed, and diffed across a change. */
#include <string.h>
#include <unistd.h>

#include <glib/gstdio.h>

#include "runtime/fleet-snapshot-report.h"
#include "runtime/fleet-snapshot-script.h"
#include "schema/fleet-snapshot-store.h"
#include "schema/fleet-snapshot-collect.h"
#include "schema/fleet-snapshot-diff.h"
#include "tests/runtime-fixture.h"

static char *
sha256_of_file (const char *path)
{
  g_autofree char *contents = NULL;
  gsize length = 0;

  g_assert_true (g_file_get_contents (path, &contents, &length, NULL));
  return g_compute_checksum_for_data (G_CHECKSUM_SHA256, (const guchar *) contents, length);
}

static FleetSnapshot *
parse_step_output (Fixture *fixture, guint step)
{
  g_autofree char *relative = g_strdup_printf ("output/host01/%02u.stdout", step + 1);
  g_autofree char *path = g_build_filename (fixture->run_dir, relative, NULL);
  g_autofree char *text = NULL;
  g_autoptr (GError) error = NULL;
  gsize length = 0;
  FleetSnapshot *snapshot;

  g_assert_true (g_file_get_contents (path, &text, &length, &error));
  snapshot = fleet_snapshot_parse_collector (text, length, path, &error);
  g_assert_no_error (error);
  return snapshot;
}

/* Create files whose names need escaping in the host's home directory and
 * return that directory. */
static char *
make_awkward_tree (void)
{
  g_autofree char *dir = host_home_path (0, "snapshot-tree");
  g_autofree char *sub = g_build_filename (dir, "sub dir", NULL);
  g_autofree char *spaced = g_build_filename (dir, "name with space", NULL);
  g_autofree char *newline = g_build_filename (sub, "line\nbreak", NULL);
  g_autofree char *hidden = g_build_filename (dir, ".hidden", NULL);
  g_autofree char *link = g_build_filename (dir, "link", NULL);

  g_assert_cmpint (g_mkdir_with_parents (sub, 0700), ==, 0);
  g_assert_true (g_file_set_contents (spaced, "spaced\n", -1, NULL));
  g_assert_true (g_file_set_contents (newline, "newline\n", -1, NULL));
  g_assert_true (g_file_set_contents (hidden, "hidden\n", -1, NULL));
  g_assert_cmpint (g_chmod (hidden, 0600), ==, 0);
  g_unlink (link);
  g_assert_cmpint (symlink ("target with space", link), ==, 0);
  return g_steal_pointer (&dir);
}

static void
remove_awkward_tree (const char *dir)
{
  const char *names[] = { "sub dir/line\nbreak", "sub dir", "name with space", ".hidden", "link" };

  for (guint i = 0; i < G_N_ELEMENTS (names); i++)
    {
      g_autofree char *path = g_build_filename (dir, names[i], NULL);

      g_remove (path);
    }
  g_rmdir (dir);
}

static void
test_collector_on_sandbox_host (Fixture *fixture, gconstpointer data)
{
  const guint sizes[] = { 1, 0 };
  g_autofree char *dir = NULL;
  g_autofree char *glob = NULL;
  g_autofree char *missing = NULL;
  g_autofree char *command = NULL;
  g_autofree char *spaced = NULL;
  g_autofree char *newline = NULL;
  g_autofree char *hidden = NULL;
  g_autofree char *link = NULL;
  g_autofree char *expected_sha = NULL;
  g_autoptr (FleetSnapshot) snapshot = NULL;
  const char *files[3];
  const char *fact_names[] = { "greeting", "lines", NULL };
  const char *fact_commands[] = { "echo hello", "printf 'a b\\nc\\n\\n'", NULL };
  FleetSnapshotRequest request = { 0 };
  gsize n_items = 0;
  const FleetSnapshotItem *items;
  const char *value;

  if (!require_sandbox_hosts (2))
    return;

  dir = make_awkward_tree ();
  glob = g_build_filename (dir, "name*", NULL);
  missing = g_build_filename (dir, "absent-*", NULL);
  files[0] = glob;
  files[1] = missing;
  files[2] = NULL;
  spaced = g_build_filename (dir, "name with space", NULL);
  request.files = files;
  request.fact_names = fact_names;
  request.fact_commands = fact_commands;
  command = fleet_snapshot_collector_command (&request);

  add_hosts (fixture, 1, "id_ed25519");
  add_step (fixture, "collect", command, 120000);
  set_waves (fixture, sizes);
  run_plan (fixture);
  g_assert_cmpint (step_result (fixture, 0, 0)->failure, ==, FLEET_FAILURE_NONE);

  snapshot = parse_step_output (fixture, 0);
  g_assert_cmpstr (fleet_snapshot_get_collector (snapshot), ==, "fleet-snapshot-collector/2");
  g_assert_cmpstr (fleet_snapshot_get_os_family (snapshot), !=, "");
  g_assert_cmpstr (fleet_snapshot_get_os_family (snapshot), !=, "unknown");
  for (guint category = 0; category < FLEET_SNAPSHOT_N_CATEGORIES; category++)
    {
      g_test_message ("category %s", fleet_snapshot_category_name (category));
      g_assert_true (fleet_snapshot_is_available (snapshot, category)
                     || fleet_snapshot_unavailable_reason (snapshot, category) != NULL);
    }
  g_assert_true (fleet_snapshot_is_available (snapshot, FLEET_SNAPSHOT_OS));
  g_assert_true (fleet_snapshot_is_available (snapshot, FLEET_SNAPSHOT_USERS));
  g_assert_nonnull (fleet_snapshot_lookup (snapshot, FLEET_SNAPSHOT_USERS, "root"));
  g_assert_nonnull (fleet_snapshot_lookup (snapshot, FLEET_SNAPSHOT_OS, "kernel-release"));

  items = fleet_snapshot_items (snapshot, FLEET_SNAPSHOT_FILES, &n_items);
  g_assert_cmpuint (n_items, ==, 1);
  g_assert_cmpstr (items[0].key, ==, spaced);
  expected_sha = sha256_of_file (spaced);
  g_assert_cmpstr (items[0].file->sha256, ==, expected_sha);
  g_assert_cmpint (items[0].file->size, ==, strlen ("spaced\n"));
  g_assert_cmpuint (items[0].file->mode & 0170000, ==, 0100000);

  value = fleet_snapshot_lookup (snapshot, FLEET_SNAPSHOT_FACTS, "greeting");
  g_assert_cmpstr (value, ==, "hello");
  value = fleet_snapshot_lookup (snapshot, FLEET_SNAPSHOT_FACTS, "lines");
  g_assert_cmpstr (value, ==, "a b\nc");

  /* A directory contributes every file under it, hidden ones included, and
   * links are recorded, not followed. */
  fixture_reset (fixture);
  files[0] = dir;
  files[1] = NULL;
  g_free (command);
  command = fleet_snapshot_collector_command (&request);
  add_hosts (fixture, 1, "id_ed25519");
  add_step (fixture, "collect", command, 120000);
  set_waves (fixture, sizes);
  run_plan (fixture);
  g_assert_cmpint (step_result (fixture, 0, 0)->failure, ==, FLEET_FAILURE_NONE);

  g_clear_pointer (&snapshot, fleet_snapshot_free);
  snapshot = parse_step_output (fixture, 0);
  items = fleet_snapshot_items (snapshot, FLEET_SNAPSHOT_FILES, &n_items);
  g_assert_cmpuint (n_items, ==, 4);
  newline = g_build_filename (dir, "sub dir", "line\nbreak", NULL);
  hidden = g_build_filename (dir, ".hidden", NULL);
  link = g_build_filename (dir, "link", NULL);
  g_assert_nonnull (fleet_snapshot_lookup (snapshot, FLEET_SNAPSHOT_FILES, newline));
  g_assert_nonnull (fleet_snapshot_lookup (snapshot, FLEET_SNAPSHOT_FILES, spaced));
  g_assert_true (g_str_has_prefix (fleet_snapshot_lookup (snapshot, FLEET_SNAPSHOT_FILES, hidden),
                                   "sha256="));
  g_assert_nonnull (strstr (fleet_snapshot_lookup (snapshot, FLEET_SNAPSHOT_FILES, hidden),
                            "type=file mode=0600"));
  g_assert_true (g_str_has_suffix (fleet_snapshot_lookup (snapshot, FLEET_SNAPSHOT_FILES, link),
                                   " link=target with space"));

  remove_awkward_tree (dir);
}

/* Collect, change one file and add another, collect again: the diff shows
 * exactly those two changes, one expected by a pattern. */
static void
test_collector_diff_across_change (Fixture *fixture, gconstpointer data)
{
  const guint sizes[] = { 1, 0 };
  g_autofree char *dir = host_home_path (0, "snapshot-change");
  g_autofree char *intended = g_build_filename (dir, "intended.conf", NULL);
  g_autofree char *side = g_build_filename (dir, "side effect", NULL);
  g_autofree char *pattern = g_build_filename (dir, "*.conf", NULL);
  g_autofree char *command = NULL;
  g_autofree char *change = NULL;
  g_autoptr (FleetSnapshot) before = NULL;
  g_autoptr (FleetSnapshot) after = NULL;
  g_autoptr (FleetSnapshotExpect) expect = fleet_snapshot_expect_new ();
  g_autoptr (FleetSnapshotDiff) diff = NULL;
  g_autofree char *quoted_intended = NULL;
  g_autofree char *quoted_side = NULL;
  const char *files[] = { dir, NULL };
  FleetSnapshotRequest request = {
    .categories = 1u << FLEET_SNAPSHOT_FILES | 1u << FLEET_SNAPSHOT_USERS,
    .files = files,
  };
  const FleetSnapshotChange *first, *second;

  if (!require_sandbox_hosts (2))
    return;

  g_assert_cmpint (g_mkdir_with_parents (dir, 0700), ==, 0);
  g_assert_true (g_file_set_contents (side, "old\n", -1, NULL));
  g_unlink (intended);

  command = fleet_snapshot_collector_command (&request);
  quoted_intended = g_shell_quote (intended);
  quoted_side = g_shell_quote (side);
  change = g_strdup_printf ("echo marker > %s && echo new >> %s", quoted_intended, quoted_side);
  add_hosts (fixture, 1, "id_ed25519");
  add_step (fixture, "before", command, 120000);
  add_step (fixture, "change", change, 60000);
  add_step (fixture, "after", command, 120000);
  set_waves (fixture, sizes);
  run_plan (fixture);
  g_assert_cmpint (host_result (fixture, 0)->outcome, ==, FLEET_HOST_SUCCEEDED);

  before = parse_step_output (fixture, 0);
  after = parse_step_output (fixture, 2);
  g_assert_false (fleet_snapshot_is_available (after, FLEET_SNAPSHOT_PACKAGES));
  g_assert_null (fleet_snapshot_unavailable_reason (after, FLEET_SNAPSHOT_PACKAGES));
  g_assert_true (fleet_snapshot_expect_add (expect, FLEET_SNAPSHOT_FILES, pattern, NULL));
  diff = fleet_snapshot_diff (before, after, expect);

  g_assert_cmpuint (diff->n_changes, ==, 2);
  g_assert_cmpuint (diff->n_unexpected, ==, 1);
  first = &diff->changes[0];
  second = &diff->changes[1];
  g_assert_cmpstr (first->key, ==, intended);
  g_assert_cmpint (first->kind, ==, FLEET_SNAPSHOT_ADDED);
  g_assert_true (first->expected);
  g_assert_cmpstr (second->key, ==, side);
  g_assert_cmpint (second->kind, ==, FLEET_SNAPSHOT_CHANGED);
  g_assert_false (second->expected);
  g_assert_cmpuint (second->file_fields, ==, FLEET_SNAPSHOT_FILE_CONTENT | FLEET_SNAPSHOT_FILE_SIZE);

  g_remove (intended);
  g_remove (side);
  g_rmdir (dir);
}

/* Run a plan with snapshot settings whose steps install a marker file (the
 * intended change, expected by a files pattern) and touch another file (a
 * side effect). */
static void
run_marker_plan (Fixture *fixture, const char *dir, FleetSnapshotOnUnexpected on_unexpected,
                 guint n_hosts)
{
  const guint sizes[] = { n_hosts, 0 };
  g_autofree char *intended = g_build_filename (dir, "intended.conf", NULL);
  g_autofree char *side = g_build_filename (dir, "side effect.log", NULL);
  g_autofree char *quoted_intended = g_shell_quote (intended);
  g_autofree char *quoted_side = g_shell_quote (side);
  g_autofree char *install = g_strdup_printf ("echo marker > %s", quoted_intended);
  g_autofree char *touch = g_strdup_printf ("echo more >> %s", quoted_side);
  FleetSnapshotConfig *config = fleet_snapshot_config_new ();

  g_assert_cmpint (g_mkdir_with_parents (dir, 0700), ==, 0);
  g_assert_true (g_file_set_contents (side, "old\n", -1, NULL));
  g_unlink (intended);

  config->categories = 1u << FLEET_SNAPSHOT_FILES | 1u << FLEET_SNAPSHOT_USERS;
  g_ptr_array_add (config->files, g_strdup (dir));
  g_ptr_array_add (config->expect[FLEET_SNAPSHOT_FILES], g_build_filename (dir, "*.conf", NULL));
  config->on_unexpected = on_unexpected;
  fleet_snapshot_config_free (fixture->plan->snapshot);
  fixture->plan->snapshot = config;

  add_hosts (fixture, n_hosts, "id_ed25519");
  add_step (fixture, "install marker", install, 60000);
  add_step (fixture, "side effect", touch, 60000);
  set_waves (fixture, sizes);
  run_plan (fixture);
}

/* A step that changes nothing leaves the kernel settings unchanged, though
 * counters such as fs.file-nr and kernel.random.uuid move on every read:
 * the host does not fail for them. */
static void
test_noop_step_keeps_sysctl (Fixture *fixture, gconstpointer data)
{
  const guint sizes[] = { 1, 0 };
  FleetSnapshotConfig *config = fleet_snapshot_config_new ();
  const FleetHostResult *host;

  if (!require_sandbox_hosts (1))
    return;

  config->categories = 1u << FLEET_SNAPSHOT_SYSCTL;
  config->on_unexpected = FLEET_SNAPSHOT_ON_UNEXPECTED_FAIL_HOST;
  fleet_snapshot_config_free (fixture->plan->snapshot);
  fixture->plan->snapshot = config;
  add_hosts (fixture, 1, "id_ed25519");
  add_step (fixture, "nothing", "ls / > /dev/null; true", 60000);
  set_waves (fixture, sizes);
  run_plan (fixture);

  host = host_result (fixture, 0);
  g_assert_nonnull (host->snapshot_diff);
  g_test_message ("sysctl changes: %" G_GSIZE_FORMAT, host->snapshot_diff->n_changes);
  g_assert_cmpuint (host->snapshot_diff->n_unexpected, ==, 0);
  g_assert_cmpint (host->outcome, ==, FLEET_HOST_SUCCEEDED);
}

static void
test_run_reports_unexpected_change (Fixture *fixture, gconstpointer data)
{
  g_autofree char *dir = NULL;
  g_autofree char *intended = NULL;
  g_autofree char *side = NULL;
  g_autofree char *journal = NULL;
  g_autofree char *report = NULL;
  g_autofree char *markdown = NULL;
  g_autofree char *json = NULL;
  g_autofree char *store = NULL;
  g_autofree char *summary = NULL;
  g_autofree char *expected_line = NULL;
  g_autofree char *unexpected_line = NULL;
  g_autoptr (FleetSnapshot) before = NULL;
  g_autoptr (GError) error = NULL;
  const FleetHostResult *host;

  if (!require_sandbox_hosts (2))
    return;

  dir = host_home_path (0, "snapshot-run");
  intended = g_build_filename (dir, "intended.conf", NULL);
  side = g_build_filename (dir, "side effect.log", NULL);

  /* warn: the host succeeds, and the report shows both changes. */
  run_marker_plan (fixture, dir, FLEET_SNAPSHOT_ON_UNEXPECTED_WARN, 1);
  host = host_result (fixture, 0);
  g_assert_cmpint (host->outcome, ==, FLEET_HOST_SUCCEEDED);
  g_assert_null (host->snapshot_error);
  g_assert_nonnull (host->snapshot_diff);
  g_assert_cmpuint (host->snapshot_diff->n_changes, ==, 2);
  g_assert_cmpuint (host->snapshot_diff->n_unexpected, ==, 1);

  journal = read_run_file (fixture, "journal.jsonl");
  g_assert_nonnull (strstr (journal, "\"event\":\"snapshot-diff\""));
  g_assert_nonnull (strstr (journal, "\"added\":1,\"removed\":0,\"changed\":1,\"unexpected\":1"));

  report = read_run_file (fixture, "snapshot-report.txt");
  expected_line = g_strdup_printf ("+ files %s: sha256=", intended);
  unexpected_line = g_strdup_printf ("~ UNEXPECTED files %s: sha256=", side);
  g_assert_nonnull (strstr (report, expected_line));
  g_assert_nonnull (strstr (report, unexpected_line));
  g_assert_nonnull (strstr (report, "1 host changed files: "));
  g_assert_nonnull (strstr (report, "\n1 UNEXPECTED change on 1 host ("));
  g_assert_nonnull (strstr (report, "\nrun:      "));
  markdown = read_run_file (fixture, "snapshot-report.md");
  g_assert_true (g_str_has_prefix (markdown, "# Configuration changes\n"));
  json = read_run_file (fixture, "snapshot-report.json");
  g_assert_nonnull (strstr (json, "\"unexpected_total\":1"));

  summary = fleet_snapshot_report_format_summary (fixture->result);
  g_assert_nonnull (strstr (summary, "1 UNEXPECTED configuration change:"));
  g_assert_nonnull (strstr (summary, unexpected_line));
  g_assert_null (strstr (summary, expected_line));

  store = g_build_filename (fixture->run_dir, "snapshots", NULL);
  before = fleet_snapshot_store_get (store, host->snapshot_before, &error);
  g_assert_no_error (error);
  g_assert_null (fleet_snapshot_lookup (before, FLEET_SNAPSHOT_FILES, intended));
  g_assert_nonnull (fleet_snapshot_lookup (before, FLEET_SNAPSHOT_FILES, side));

  /* fail_host: the same side effect fails the host. */
  fixture_reset (fixture);
  run_marker_plan (fixture, dir, FLEET_SNAPSHOT_ON_UNEXPECTED_FAIL_HOST, 1);
  host = host_result (fixture, 0);
  g_assert_cmpint (host->outcome, ==, FLEET_HOST_FAILED);
  g_assert_nonnull (strstr (host->message, "1 unexpected configuration changes"));
  g_assert_cmpint (step_result (fixture, 0, 1)->failure, ==, FLEET_FAILURE_NONE);

  /* halt: with one host at a time, the second host of the wave never
   * starts. */
  fixture_reset (fixture);
  fixture->plan->parallelism = 1;
  run_marker_plan (fixture, dir, FLEET_SNAPSHOT_ON_UNEXPECTED_HALT, 2);
  g_assert_cmpint (host_result (fixture, 0)->outcome, ==, FLEET_HOST_FAILED);
  g_assert_cmpint (host_result (fixture, 1)->outcome, ==, FLEET_HOST_NOT_RUN);

  g_remove (intended);
  g_remove (side);
  g_rmdir (dir);
}

static char *
build_program (const char *name)
{
  return g_build_filename (g_getenv ("FLEET_BUILD_ROOT"), "cli", name, NULL);
}

/* Return the only entry of `dir`, as a path. */
static char *
only_entry (const char *dir)
{
  g_autoptr (GDir) listing = g_dir_open (dir, 0, NULL);
  const char *name;

  g_assert_nonnull (listing);
  name = g_dir_read_name (listing);
  g_assert_nonnull (name);
  g_assert_null (g_dir_read_name (listing));
  return g_build_filename (dir, name, NULL);
}

/* The whole path an administrator takes: a workflow with a snapshot key,
 * fleetc compile, fleet-run, the report, and fleetc snapshot diff. */
static void
test_workflow_end_to_end (Fixture *fixture, gconstpointer data)
{
  g_autofree char *dir = NULL;
  g_autofree char *inventory = NULL;
  g_autofree char *workflow_path = g_build_filename (fixture->run_dir, "marker.yaml", NULL);
  g_autofree char *plan_path = g_build_filename (fixture->run_dir, "marker.plan", NULL);
  g_autofree char *runs = g_build_filename (fixture->run_dir, "runs", NULL);
  g_autofree char *workflow = NULL;
  g_autofree char *fleetc = build_program ("fleetc");
  g_autofree char *fleet_run = build_program ("fleet-run");
  g_autofree char *out = NULL;
  g_autofree char *err = NULL;
  g_autofree char *run_dir = NULL;
  g_autofree char *report_path = NULL;
  g_autofree char *report = NULL;
  g_autofree char *store = NULL;
  g_autofree char *intended = NULL;
  g_autofree char *side = NULL;
  g_autofree char *expected_line = NULL;
  g_autofree char *unexpected_line = NULL;
  g_autoptr (GPtrArray) entries = NULL;
  g_autoptr (GError) error = NULL;
  const FleetSnapshotIndexEntry *before, *after;

  if (!require_sandbox_hosts (2))
    return;

  dir = host_home_path (0, "snapshot-e2e");
  intended = g_build_filename (dir, "intended.conf", NULL);
  side = g_build_filename (dir, "side effect.log", NULL);
  g_assert_cmpint (g_mkdir_with_parents (dir, 0700), ==, 0);
  g_assert_true (g_file_set_contents (side, "old\n", -1, NULL));
  g_unlink (intended);

  inventory = fleet_sandbox_path (shared_sandbox, "inventory.yaml");
  workflow = g_strdup_printf (
    "name: marker\n"
    "inventory: %s\n"
    "target: {hosts: [host01]}\n"
    "steps:\n"
    "  - {name: install marker, run: \"echo marker > %s\", timeout: 30s}\n"
    "  - {name: side effect, run: \"echo more >> '%s'\", timeout: 30s}\n"
    "snapshot:\n"
    "  categories: [files, users]\n"
    "  files: [\"%s\"]\n"
    "  expect:\n"
    "    files: [\"%s/*.conf\"]\n"
    "  on_unexpected: fail_host\n",
    inventory, intended, side, dir, dir);
  g_assert_true (g_file_set_contents (workflow_path, workflow, -1, NULL));

  g_assert_cmpint (fleet_test_spawn ((const char *[]) { fleetc, "compile", workflow_path, "-o",
                                                        plan_path, NULL }, NULL, &err), ==, 0);
  g_clear_pointer (&err, g_free);
  g_assert_cmpint (fleet_test_spawn ((const char *[]) { fleet_run, "--runs-dir", runs, plan_path,
                                                        NULL }, &out, &err), ==, 1);
  g_test_message ("fleet-run output:\n%s\n%s", out, err);

  unexpected_line = g_strdup_printf ("~ UNEXPECTED files %s: sha256=", side);
  expected_line = g_strdup_printf ("+ files %s: sha256=", intended);
  g_assert_nonnull (strstr (out, "!! host01: 1 UNEXPECTED configuration change:\n"));
  g_assert_nonnull (strstr (out, unexpected_line));

  run_dir = only_entry (runs);
  report_path = g_build_filename (run_dir, "snapshot-report.txt", NULL);
  g_assert_true (g_file_get_contents (report_path, &report, NULL, NULL));
  g_assert_nonnull (strstr (report, expected_line));
  g_assert_nonnull (strstr (report, unexpected_line));

  store = g_build_filename (run_dir, "snapshots", NULL);
  entries = fleet_snapshot_store_list (store, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (entries->len, ==, 2);
  before = g_ptr_array_index (entries, 0);
  after = g_ptr_array_index (entries, 1);
  g_assert_cmpstr (before->label, ==, "before");
  g_assert_cmpstr (after->label, ==, "after");
  g_assert_cmpstr (after->host, ==, "host01");

  g_clear_pointer (&out, g_free);
  g_clear_pointer (&err, g_free);
  g_assert_cmpint (fleet_test_spawn ((const char *[]) { fleetc, "snapshot", "diff", "--store",
                                                        store, before->digest, after->digest,
                                                        NULL }, &out, &err), ==, 1);
  g_assert_true (g_str_has_prefix (out, "2 changes, 2 unexpected\n"));

  g_remove (intended);
  g_remove (side);
  g_rmdir (dir);
}

/* Three hosts upgrade openssl; the third also changes a file, so it is the
 * one that deviates from the majority.  The file's name holds backticks and
 * a table bar, which must stay inside the Markdown report's code block. */
static void
test_report_majority (void)
{
  g_autofree char *dir = g_dir_make_tmp ("fleet-snapshot-report-XXXXXX", NULL);
  g_autoptr (GPtrArray) hosts = g_ptr_array_new_with_free_func ((GDestroyNotify) fleet_host_free);
  g_autoptr (GPtrArray) snapshots = g_ptr_array_new_with_free_func (
    (GDestroyNotify) fleet_snapshot_free);
  FleetHostResult results[3] = { 0 };
  FleetRunResult run = { 0 };
  FleetSnapshotFile file = { "", 0100644, "root:root", 1, "" };
  g_autoptr (GError) error = NULL;
  g_autofree char *text = NULL;
  g_autofree char *json = NULL;
  g_autofree char *markdown = NULL;
  g_autofree char *text_path = g_build_filename (dir, "snapshot-report.txt", NULL);
  g_autofree char *json_path = g_build_filename (dir, "snapshot-report.json", NULL);
  g_autofree char *markdown_path = g_build_filename (dir, "snapshot-report.md", NULL);
  const FleetReportHeader header = {
    .run_id = "20261205T071500Z-abc123",
    .started_us = G_GINT64_CONSTANT (1796454900) * G_USEC_PER_SEC,
    .plan_path = "/plans/p.plan",
    .plan_sha256 = "28b8e0d0",
    .workflow_name = "patch",
    .workflow_source = "patch.yaml",
    .limit = "role == \"web\"",
  };

  run.hosts = g_ptr_array_new ();
  for (guint i = 0; i < 3; i++)
    {
      FleetSnapshot *before = fleet_snapshot_new ();
      FleetSnapshot *after = fleet_snapshot_new ();

      fleet_snapshot_add (before, FLEET_SNAPSHOT_PACKAGES, "openssl", "3.0.15");
      fleet_snapshot_add (after, FLEET_SNAPSHOT_PACKAGES, "openssl", "3.0.16");
      fleet_snapshot_mark_available (before, FLEET_SNAPSHOT_FILES);
      fleet_snapshot_mark_available (after, FLEET_SNAPSHOT_FILES);
      if (i == 2)
        fleet_snapshot_add_file (after, "/etc/hand```edited|x.conf", &file);

      g_ptr_array_add (hosts, fleet_host_new (i == 2 ? "web3" : i == 1 ? "web2" : "web1"));
      results[i].host = g_ptr_array_index (hosts, i);
      results[i].snapshot_diff = fleet_snapshot_diff (before, after, NULL);
      results[i].snapshot_before = (char *) "d1";
      results[i].snapshot_after = (char *) "d2";
      g_ptr_array_add (snapshots, before);
      g_ptr_array_add (snapshots, after);
      g_ptr_array_add (run.hosts, &results[i]);
    }

  g_assert_true (fleet_snapshot_report_write (&run, &header, dir, &error));
  g_assert_no_error (error);
  g_assert_true (g_file_get_contents (text_path, &text, NULL, NULL));
  g_assert_true (g_str_has_prefix (text, "Configuration changes\n\n"
                                         "run:      20261205T071500Z-abc123, started "
                                         "2026-12-05T07:15:00Z\n"
                                         "plan:     /plans/p.plan (sha256 28b8e0d0)\n"
                                         "workflow: \"patch\" (patch.yaml)\n"
                                         "limit:    role == \"web\"\n\n"));
  g_assert_nonnull (strstr (text, "\n4 UNEXPECTED changes on 3 hosts (web1, web2, web3)\n"));
  g_assert_nonnull (strstr (text, "3 hosts compared\n"));
  g_assert_nonnull (strstr (text, "3 hosts changed packages: web1, web2, web3\n"));
  g_assert_nonnull (strstr (text, "1 host changed files: web3\n"));
  g_assert_nonnull (strstr (text, "hosts deviating from the majority: web3\n"));
  g_assert_nonnull (strstr (text, "before d1, after d2: 1 change, 1 unexpected\n"));
  g_assert_true (g_file_get_contents (json_path, &json, NULL, NULL));
  g_assert_nonnull (strstr (json, "\"deviating_hosts\":[\"web3\"]"));
  g_assert_true (g_str_has_prefix (json, "{\"run\":{\"id\":\"20261205T071500Z-abc123\","
                                         "\"started_at\":\"2026-12-05T07:15:00Z\","
                                         "\"plan\":\"/plans/p.plan\",\"plan_sha256\":\"28b8e0d0\","));
  g_assert_nonnull (strstr (json, "\"unexpected_changes\":4,\"hosts_with_unexpected_changes\":"
                                  "[\"web1\",\"web2\",\"web3\"]"));
  g_assert_true (g_file_get_contents (markdown_path, &markdown, NULL, NULL));
  g_assert_nonnull (strstr (markdown, "| Run | 20261205T071500Z-abc123, started "
                                      "2026-12-05T07:15:00Z |\n"
                                      "| Plan | /plans/p.plan (SHA-256 `28b8e0d0`) |\n"));
  g_assert_nonnull (strstr (markdown, "- 4 UNEXPECTED changes on 3 hosts (web1, web2, web3)\n"));
  g_assert_nonnull (strstr (markdown, "\n## web3\n\nbefore d1, after d2: 2 changes"));
  g_assert_nonnull (strstr (markdown, "unexpected\n\n````\n"));
  g_assert_nonnull (strstr (markdown, "+ UNEXPECTED files /etc/hand```edited|x.conf: "));
  g_assert_true (g_str_has_suffix (markdown, "\n````\n"));

  for (guint i = 0; i < 3; i++)
    fleet_snapshot_diff_free (results[i].snapshot_diff);
  g_ptr_array_unref (run.hosts);
  g_remove (text_path);
  g_remove (json_path);
  g_remove (markdown_path);
  g_rmdir (dir);
}

int
main (int argc, char **argv)
{
  int status;

  g_test_init (&argc, &argv, NULL);

#define ADD(path, func) \
  g_test_add (path, Fixture, NULL, fixture_set_up, func, fixture_tear_down)

  ADD ("/snapshot-runtime/collector/sandbox-host", test_collector_on_sandbox_host);
  ADD ("/snapshot-runtime/collector/diff-across-change", test_collector_diff_across_change);
  ADD ("/snapshot-runtime/run/unexpected-change", test_run_reports_unexpected_change);
  ADD ("/snapshot-runtime/run/noop-keeps-sysctl", test_noop_step_keeps_sysctl);
  ADD ("/snapshot-runtime/run/workflow-end-to-end", test_workflow_end_to_end);
  g_test_add_func ("/snapshot-runtime/report/majority", test_report_majority);

  status = g_test_run ();
  release_sandbox ();
  return status;
}
