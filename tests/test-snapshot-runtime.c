/* test-snapshot-runtime.c: the snapshot collector script run on sandbox
 * hosts over SSH, parsed, and diffed across a change. */
#include <string.h>
#include <unistd.h>

#include <glib/gstdio.h>

#include "runtime/fleet-snapshot-script.h"
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

  if (!require_sandbox_hosts (1))
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
  g_assert_cmpstr (fleet_snapshot_get_collector (snapshot), ==, "fleet-snapshot-collector/1");
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
                            "mode=100600"));
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

  if (!require_sandbox_hosts (1))
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

int
main (int argc, char **argv)
{
  int status;

  g_test_init (&argc, &argv, NULL);

#define ADD(path, func) \
  g_test_add (path, Fixture, NULL, fixture_set_up, func, fixture_tear_down)

  ADD ("/snapshot-runtime/collector/sandbox-host", test_collector_on_sandbox_host);
  ADD ("/snapshot-runtime/collector/diff-across-change", test_collector_diff_across_change);

  status = g_test_run ();
  release_sandbox ();
  return status;
}
