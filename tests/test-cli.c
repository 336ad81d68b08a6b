/* test-cli.c: the fleetc and fleet-run programs as an admin uses them. */
#include <signal.h>
#include <string.h>
#include <sys/wait.h>

#include <gio/gio.h>
#include <glib/gstdio.h>

#include "schema/fleet-plan.h"
#include "tests/sandbox.h"

typedef struct {
  char *dir;
} Fixture;

static void
fixture_set_up (Fixture *fixture, gconstpointer data)
{
  g_autoptr(GError) error = NULL;

  fixture->dir = g_dir_make_tmp ("fleet-cli-XXXXXX", &error);
  g_assert_no_error (error);
}

static void
fixture_tear_down (Fixture *fixture, gconstpointer data)
{
  const char *argv[] = { "rm", "-rf", fixture->dir, NULL };

  fleet_test_spawn (argv, NULL, NULL);
  g_free (fixture->dir);
}

static char *
program (const char *name)
{
  const char *root = g_getenv ("FLEET_BUILD_ROOT");

  g_assert_nonnull (root);
  return g_build_filename (root, "cli", name, NULL);
}

static char *
fixture_path (const Fixture *fixture, const char *name)
{
  return g_build_filename (fixture->dir, name, NULL);
}

/* Run fleetc with `args`; returns its exit status. */
static int
fleetc (const char * const *args, char **out_stdout, char **out_stderr)
{
  g_autofree char *path = program ("fleetc");
  g_autoptr(GPtrArray) argv = g_ptr_array_new ();

  g_ptr_array_add (argv, path);
  for (const char * const *arg = args; *arg != NULL; arg++)
    g_ptr_array_add (argv, (gpointer) *arg);
  g_ptr_array_add (argv, NULL);
  return fleet_test_spawn ((const char * const *) argv->pdata, out_stdout, out_stderr);
}

static GBytes *
read_bytes (const char *path)
{
  g_autoptr(GError) error = NULL;
  char *contents = NULL;
  gsize length = 0;

  g_file_get_contents (path, &contents, &length, &error);
  g_assert_no_error (error);
  return g_bytes_new_take (contents, length);
}

static void
test_compile_deterministic (Fixture *fixture, gconstpointer data)
{
  g_autofree char *workflow = fleet_test_source_path ("examples/rolling-patch.yaml");
  g_autofree char *inventory = fleet_test_source_path ("tests/data/cli/inventory.yaml");
  g_autofree char *first = fixture_path (fixture, "first.plan");
  g_autofree char *second = fixture_path (fixture, "second.plan");
  g_autofree char *out = NULL;
  g_autofree char *err = NULL;
  g_autoptr(GBytes) first_bytes = NULL;
  g_autoptr(GBytes) second_bytes = NULL;

  g_assert_cmpint (fleetc ((const char *[]) { "compile", workflow, "-i", inventory, "-o", first,
                                              NULL }, &out, &err), ==, 0);
  g_assert_nonnull (strstr (out, "20 hosts in 4 waves, 3 steps"));
  g_clear_pointer (&out, g_free);
  g_clear_pointer (&err, g_free);
  g_assert_cmpint (fleetc ((const char *[]) { "compile", workflow, "-i", inventory, "-o", second,
                                              NULL }, &out, &err), ==, 0);

  first_bytes = read_bytes (first);
  second_bytes = read_bytes (second);
  g_assert_true (g_bytes_equal (first_bytes, second_bytes));
}

static void
test_show_json (Fixture *fixture, gconstpointer data)
{
  g_autofree char *workflow = fleet_test_source_path ("examples/rolling-patch.yaml");
  g_autofree char *inventory = fleet_test_source_path ("tests/data/cli/inventory.yaml");
  g_autofree char *plan = fixture_path (fixture, "p.plan");
  g_autofree char *out = NULL;
  g_autofree char *text = NULL;
  g_autofree char *err = NULL;

  g_assert_cmpint (fleetc ((const char *[]) { "compile", workflow, "-i", inventory, "-o", plan,
                                              NULL }, NULL, NULL), ==, 0);
  g_assert_cmpint (fleetc ((const char *[]) { "show", plan, "--format", "json", NULL },
                           &out, &err), ==, 0);

  g_assert_true (g_str_has_prefix (out, "{\"format_version\":2,\"sha256\":\""));
  g_assert_nonnull (strstr (out, "\"workflow\":{\"name\":\"rolling-patch\""));
  g_assert_nonnull (strstr (out, "\"steps\":[{\"index\":1,\"name\":\"pre-check\""));
  g_assert_nonnull (strstr (out, "\"spread\":[{\"by\":\"rack\",\"max_per_wave\":\"2\"}]"));
  g_assert_nonnull (strstr (out, "\"halt_at\":{\"failed_per_wave\":{\"threshold\":\"1\","
                                 "\"default\":false},\"unreachable_per_wave\":{\"threshold\":"
                                 "\"2\",\"default\":false},\"failed_total\":{\"threshold\":"
                                 "\"unlimited\",\"default\":true,\"halts_at\":null},"
                                 "\"unreachable_total\":{\"threshold\":\"3\",\"default\":false,"
                                 "\"halts_at\":3}}"));
  g_assert_nonnull (strstr (out, "\"waves\":[{\"index\":1,\"label\":\"wave 1 (canary)\","
                                 "\"stage\":null,\"canary\":true,\"host_count\":2,"
                                 "\"domains\":{\"rack\":[\"r1\"]},\"halt_at\":{\"failed\":1,"
                                 "\"unreachable\":2},\"hosts\":[{\"name\":\"db01\""));
  g_assert_nonnull (strstr (out, "{\"index\":2,\"label\":\"wave 2\",\"stage\":null,"
                                 "\"canary\":false,\"host_count\":6,\"domains\":{\"rack\":"
                                 "[\"r2\",\"r3\",\"r4\"]},\"halt_at\":{\"failed\":1,"
                                 "\"unreachable\":2},\"hosts\":[{\"name\":\"db03\""));

  g_assert_cmpint (fleetc ((const char *[]) { "show", plan, NULL }, &text, NULL), ==, 0);
  g_assert_nonnull (strstr (text, "  wave 2: 6 hosts; racks r2 r3 r4; halts at 1 failed or 2 "
                                  "unreachable\n    db03 db04 web05 web06 web07 web08\n"));
  g_assert_nonnull (strstr (text, "  unreachable_per_wave  2, resolved per wave below\n"));
  g_assert_nonnull (strstr (text, "  failed_total          unlimited (default), never halts\n"));
  g_assert_nonnull (strstr (text, "3. verify  (timeout 30s, expected exit 0)"));
}

/* The Markdown form has the digests, the halt rules, a table of the waves
 * and a host table per wave, ready for a change ticket. */
static void
test_show_markdown (Fixture *fixture, gconstpointer data)
{
  g_autofree char *workflow = fleet_test_source_path ("examples/rolling-patch.yaml");
  g_autofree char *inventory = fleet_test_source_path ("tests/data/cli/inventory.yaml");
  g_autofree char *plan = fixture_path (fixture, "p.plan");
  g_autofree char *out = NULL;
  g_autofree char *compiled = NULL;
  g_autofree char *digest_row = NULL;
  const char *sha;

  g_assert_cmpint (fleetc ((const char *[]) { "compile", workflow, "-i", inventory, "-o", plan,
                                              NULL }, &compiled, NULL), ==, 0);
  sha = strstr (compiled, "sha256 ");
  g_assert_nonnull (sha);
  digest_row = g_strdup_printf ("| Plan SHA-256 | `%.64s` |\n", sha + strlen ("sha256 "));
  g_assert_cmpint (fleetc ((const char *[]) { "show", plan, "--format", "markdown", NULL },
                           &out, NULL), ==, 0);

  g_assert_true (g_str_has_prefix (out, "# Plan: rolling-patch\n\n| | |\n|---|---|\n"));
  g_assert_nonnull (strstr (out, digest_row));
  g_assert_nonnull (strstr (out, "| Inventory | "));
  g_assert_nonnull (strstr (out, "inventory.yaml (digest `"));
  g_assert_nonnull (strstr (out, "| Hosts | 20 hosts in 4 waves, at most 10 at once |\n"));
  g_assert_nonnull (strstr (out, "| Spread | at most 2 hosts per rack in a wave |\n"));
  g_assert_nonnull (strstr (out, "| failed_per_wave | 1 | per wave, below |\n"));
  g_assert_nonnull (strstr (out, "| failed_total | unlimited (default) | never |\n"));
  g_assert_nonnull (strstr (out, "| unreachable_total | 3 | 3 of 20 hosts |\n"));
  g_assert_nonnull (strstr (out, "3. **verify** (timeout 30s, expected exit 0)\n\n   ```sh\n"));
  g_assert_nonnull (strstr (out, "| wave | label | hosts | failure domains | thresholds |\n"));
  g_assert_nonnull (strstr (out, "| 1 | wave 1 (canary) | 2 | rack r1 | halts at 1 failed or 2 "
                                 "unreachable |\n"));
  g_assert_nonnull (strstr (out, "| 4 | wave 4 | 6 | racks r1 r2 r4 | halts at 1 failed or 2 "
                                 "unreachable |\n"));
  g_assert_nonnull (strstr (out, "### Wave 2: wave 2\n\n6 hosts; failure domains: racks r2 r3 "
                                 "r4; halts at 1 failed or 2 unreachable.\n\n"
                                 "| host | address | rack |\n|---|---|---|\n"
                                 "| db03 | 192.0.2.3:22 | r2 |\n"));
}

/* Values from the inventory cannot break a Markdown table or inject
 * markup, and a command with backticks gets a longer fence. */
static void
test_show_markdown_escapes (Fixture *fixture, gconstpointer data)
{
  g_autofree char *inventory = fixture_path (fixture, "inventory.yaml");
  g_autofree char *workflow = fixture_path (fixture, "workflow.yaml");
  g_autofree char *plan = fixture_path (fixture, "m.plan");
  g_autofree char *out = NULL;

  g_assert_true (g_file_set_contents (inventory,
                                      "hosts:\n"
                                      "  a_1: {attributes: {rack: \"r|1 <b>x</b> [l](u)\"}}\n"
                                      "  b: {attributes: {rack: \"r2\\e[31m\"}}\n", -1, NULL));
  g_assert_true (g_file_set_contents (workflow,
                                      "name: \"*bold*\"\n"
                                      "inventory: inventory.yaml\n"
                                      "target: {all: true}\n"
                                      "spread: {by: rack, max_per_wave: 1}\n"
                                      "steps:\n"
                                      "  - name: fence\n"
                                      "    run: \"echo ```; echo ````\"\n"
                                      "    timeout: 5s\n", -1, NULL));
  g_assert_cmpint (fleetc ((const char *[]) { "compile", workflow, "-o", plan, NULL }, NULL, NULL),
                   ==, 0);
  g_assert_cmpint (fleetc ((const char *[]) { "show", plan, "--format", "markdown", NULL },
                           &out, NULL), ==, 0);

  g_assert_true (g_str_has_prefix (out, "# Plan: \\*bold\\*\n"));
  g_assert_nonnull (strstr (out, "| a\\_1 | a\\_1:22 | r\\|1 \\<b\\>x\\</b\\> "
                                 "\\[l\\](u) |\n"));
  g_assert_nonnull (strstr (out, "| b | b:22 | r2\\\\x1b\\[31m |\n"));
  g_assert_nonnull (strstr (out, "   `````sh\n   echo ```; echo ````\n   `````\n"));
  g_assert_null (strchr (out, '\033'));
}

/* An invalid workflow writes no plan and leaves an earlier plan at the same
 * path untouched. */
static void
test_compile_error_keeps_old_plan (Fixture *fixture, gconstpointer data)
{
  g_autofree char *broken = fleet_test_source_path ("tests/data/cli/broken.yaml");
  g_autofree char *plan = fixture_path (fixture, "kept.plan");
  g_autofree char *err = NULL;
  g_autofree char *kept = NULL;

  g_assert_true (g_file_set_contents (plan, "previous plan", -1, NULL));
  g_assert_cmpint (fleetc ((const char *[]) { "compile", broken, "-o", plan, NULL }, NULL, &err),
                   ==, 2);

  g_assert_nonnull (strstr (err, "broken.yaml:4:12: error:"));
  g_assert_nonnull (strstr (err, "broken.yaml:8:13: error:"));
  g_assert_nonnull (strstr (err, "no plan written"));
  g_assert_true (g_file_get_contents (plan, &kept, NULL, NULL));
  g_assert_cmpstr (kept, ==, "previous plan");
}

/* Write `text` as workflow.yaml in the fixture directory, naming the fixed
 * test inventory, and return its path. */
static char *
write_workflow (Fixture *fixture, const char *body)
{
  g_autofree char *inventory = fleet_test_source_path ("tests/data/cli/inventory.yaml");
  g_autofree char *text = g_strdup_printf ("name: t\ninventory: %s\n%s", inventory, body);
  char *path = fixture_path (fixture, "workflow.yaml");

  g_assert_true (g_file_set_contents (path, text, -1, NULL));
  return path;
}

/* --limit narrows the target; the plan records it and `show` prints it.
 * A bad expression is reported against "--limit" with its column. */
static void
test_compile_limit (Fixture *fixture, gconstpointer data)
{
  g_autofree char *workflow = write_workflow (fixture, "target: {all: true}\nsteps:\n"
                                                       "  - {name: a, run: \"true\", timeout: 5s}\n");
  g_autofree char *plan = fixture_path (fixture, "limit.plan");
  g_autofree char *out = NULL;
  g_autofree char *text = NULL;
  g_autofree char *json = NULL;
  g_autofree char *err = NULL;

  g_assert_cmpint (fleetc ((const char *[]) { "compile", workflow, "-o", plan, "--limit",
                                              "role==\"web\" and dc==\"dc1\"", NULL },
                           &out, NULL), ==, 0);
  g_assert_nonnull (strstr (out, ": 8 hosts in 1 wave, 1 step;"));
  g_assert_cmpint (fleetc ((const char *[]) { "show", plan, NULL }, &text, NULL), ==, 0);
  g_assert_nonnull (strstr (text, "  limit:            role == \"web\" and dc == \"dc1\"\n"));
  g_assert_cmpint (fleetc ((const char *[]) { "show", plan, "--format", "json", NULL }, &json,
                           NULL), ==, 0);
  g_assert_nonnull (strstr (json, "\"limit\":\"role == \\\"web\\\" and dc == \\\"dc1\\\"\""));

  g_assert_cmpint (fleetc ((const char *[]) { "validate", workflow, "--limit", "role ==", NULL },
                           NULL, &err), ==, 2);
  g_assert_nonnull (strstr (err, "--limit:1:8: error: invalid expression for --limit: expected a "
                                 "value after '==' at column 8, found end of expression\n"
                                 "  role ==\n         ^\n"));
}

/* With stages, `show` labels each wave by its stage and its place in the
 * run. */
static void
test_show_stages (Fixture *fixture, gconstpointer data)
{
  g_autofree char *workflow = write_workflow (fixture, "target: {where: 'dc == \"dc1\"'}\n"
                                                       "order: {by: role, sequence: [db, web]}\n"
                                                       "canary: 1\n"
                                                       "steps:\n"
                                                       "  - {name: a, run: \"true\", timeout: 5s}\n");
  g_autofree char *plan = fixture_path (fixture, "stages.plan");
  g_autofree char *text = NULL;

  g_assert_cmpint (fleetc ((const char *[]) { "compile", workflow, "-o", plan, NULL }, NULL, NULL),
                   ==, 0);
  g_assert_cmpint (fleetc ((const char *[]) { "show", plan, NULL }, &text, NULL), ==, 0);
  g_assert_nonnull (strstr (text, "  order:            stage by stage, by role\n"));
  g_assert_nonnull (strstr (text, "  stage db, wave 1 (canary) [wave 1 of the run]: 1 host; halts "
                                  "at 1 failed or 1 unreachable\n    db01\n"
                                  "  stage db, wave 2 [wave 2 of the run]: 1 host; halts at 1 "
                                  "failed or 1 unreachable\n    db03\n"
                                  "  stage web, wave 1 (canary) [wave 3 of the run]: 1 host; "));
  g_assert_nonnull (strstr (text, "  unreachable_per_wave  1 (default), resolved per wave below\n"));
}

/* A plan under review shows its commands with control characters and bidi
 * overrides escaped, so a command cannot hide behind terminal tricks. */
static void
test_show_escapes_terminal_controls (Fixture *fixture, gconstpointer data)
{
  g_autofree char *workflow = write_workflow (fixture,
    "target: {all: true}\nsteps:\n"
    "  - name: \"sneaky\\u202e\"\n"
    "    run: \"rm -rf /srv/data # \\e[2K\\r$ echo hello\"\n"
    "    timeout: 5s\n");
  g_autofree char *plan = fixture_path (fixture, "escape.plan");
  g_autofree char *out = NULL;

  g_assert_cmpint (fleetc ((const char *[]) { "compile", workflow, "-o", plan, NULL }, NULL, NULL),
                   ==, 0);
  g_assert_cmpint (fleetc ((const char *[]) { "show", plan, NULL }, &out, NULL), ==, 0);

  g_assert_nonnull (strstr (out, "1. sneaky\\u202e  (timeout 5s"));
  g_assert_nonnull (strstr (out, "$ rm -rf /srv/data # \\x1b[2K\\x0d$ echo hello"));
  g_assert_null (strchr (out, '\033'));
  g_assert_null (strchr (out, '\r'));
}

/* Typing an input file after -o must not destroy it. */
static void
test_output_cannot_overwrite_input (Fixture *fixture, gconstpointer data)
{
  g_autofree char *workflow = write_workflow (fixture, "target: {all: true}\nsteps:\n"
                                                       "  - {name: a, run: \"true\", timeout: 5s}\n");
  g_autofree char *before = NULL;
  g_autofree char *after = NULL;
  g_autofree char *err = NULL;

  g_assert_true (g_file_get_contents (workflow, &before, NULL, NULL));
  g_assert_cmpint (fleetc ((const char *[]) { "compile", workflow, "-o", workflow, NULL }, NULL,
                           &err), ==, 2);
  g_assert_nonnull (strstr (err, "is one of the input files"));
  g_assert_true (g_file_get_contents (workflow, &after, NULL, NULL));
  g_assert_cmpstr (after, ==, before);
}

/* An empty list of groups selects nothing rather than everything. */
static void
test_empty_group_list_rejected (Fixture *fixture, gconstpointer data)
{
  g_autofree char *workflow = write_workflow (fixture, "target: {groups: []}\nsteps:\n"
                                                       "  - {name: a, run: \"true\", timeout: 5s}\n");
  g_autofree char *err = NULL;

  g_assert_cmpint (fleetc ((const char *[]) { "validate", workflow, NULL }, NULL, &err), ==, 2);
  g_assert_nonnull (strstr (err, "workflow.yaml:3:18: error: empty \"groups\" list selects no "
                                 "hosts"));
}

/* A UTF-8 byte order mark, as Windows editors write, is accepted. */
static void
test_byte_order_mark_accepted (Fixture *fixture, gconstpointer data)
{
  g_autofree char *workflow = write_workflow (fixture, "target: {all: true}\nsteps:\n"
                                                       "  - {name: a, run: \"true\", timeout: 5s}\n");
  g_autofree char *text = NULL;
  g_autofree char *with_mark = NULL;
  g_autofree char *out = NULL;

  g_assert_true (g_file_get_contents (workflow, &text, NULL, NULL));
  with_mark = g_strconcat ("\xef\xbb\xbf", text, NULL);
  g_assert_true (g_file_set_contents (workflow, with_mark, -1, NULL));
  g_assert_cmpint (fleetc ((const char *[]) { "validate", workflow, NULL }, &out, NULL), ==, 0);
  g_assert_nonnull (strstr (out, "valid; 20 hosts in 1 wave, 1 step"));
}

static void
test_usage_errors (Fixture *fixture, gconstpointer data)
{
  g_autofree char *err = NULL;
  g_autofree char *not_plan = fixture_path (fixture, "notes.txt");
  g_autofree char *run = program ("fleet-run");

  g_assert_cmpint (fleetc ((const char *[]) { "frobnicate", NULL }, NULL, &err), ==, 2);
  g_assert_nonnull (strstr (err, "unknown command"));
  g_clear_pointer (&err, g_free);

  g_assert_true (g_file_set_contents (not_plan, "hello\n", -1, NULL));
  g_assert_cmpint (fleetc ((const char *[]) { "show", not_plan, NULL }, NULL, &err), ==, 2);
  g_assert_nonnull (strstr (err, "not a fleetc plan file"));
  g_clear_pointer (&err, g_free);

  g_assert_cmpint (fleet_test_spawn ((const char *[]) { run, not_plan, NULL }, NULL, &err), ==, 2);
  g_assert_nonnull (strstr (err, "not a fleetc plan file"));
}

/* fleet-run refuses, before any connection, a plan whose waves need more
 * open files than the hard limit allows, and a bad output cap. */
static void
test_run_checks_limits_first (Fixture *fixture, gconstpointer data)
{
  g_autofree char *workflow = fleet_test_source_path ("examples/rolling-patch.yaml");
  g_autofree char *inventory = fleet_test_source_path ("tests/data/cli/inventory.yaml");
  g_autofree char *plan = fixture_path (fixture, "limits.plan");
  g_autofree char *run = program ("fleet-run");
  g_autofree char *runs = fixture_path (fixture, "runs");
  g_autofree char *err = NULL;
  const char *bad_caps[] = { "12", "lots", "16Q", "-5", "99999999999999999999" };

  g_assert_cmpint (fleetc ((const char *[]) { "compile", workflow, "-i", inventory, "-o", plan,
                                              NULL }, NULL, NULL), ==, 0);

  g_assert_cmpint (fleet_test_spawn ((const char *[]) { "sh", "-c",
                                                        "ulimit -n 40 && exec \"$0\" \"$@\"",
                                                        run, "-d", runs, plan, NULL },
                                     NULL, &err), ==, 2);
  g_assert_nonnull (strstr (err, "but the open file limit is 40"));
  g_assert_false (g_file_test (runs, G_FILE_TEST_EXISTS));

  for (guint i = 0; i < G_N_ELEMENTS (bad_caps); i++)
    {
      g_autofree char *cap_err = NULL;

      g_assert_cmpint (fleet_test_spawn ((const char *[]) { run, "--output-cap", bad_caps[i],
                                                            "-d", runs, plan, NULL },
                                         NULL, &cap_err), ==, 2);
      g_assert_nonnull (strstr (cap_err, "is not a size of at least 4096 bytes"));
    }
}

/* Write a workflow for the sandbox's inventory and compile it. */
static char *
compile_for_sandbox (Fixture *fixture, FleetSandbox *sandbox, const char *name, const char *steps)
{
  g_autofree char *inventory = fleet_sandbox_path (sandbox, "inventory.yaml");
  g_autofree char *workflow = fixture_path (fixture, "workflow.yaml");
  g_autofree char *text = g_strdup_printf ("name: %s\ninventory: %s\ntarget:\n  all: true\n"
                                           "waves: [1, 25%%, 100%%]\nsteps:\n%s",
                                           name, inventory, steps);
  char *plan = fixture_path (fixture, "run.plan");
  g_autofree char *err = NULL;

  g_assert_true (g_file_set_contents (workflow, text, -1, NULL));
  if (fleetc ((const char *[]) { "compile", workflow, "-o", plan, NULL }, NULL, &err) != 0)
    g_error ("compile failed: %s", err);
  return plan;
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

static void
test_example_runs_on_sandbox (Fixture *fixture, gconstpointer data)
{
  g_autoptr(FleetSandbox) sandbox = sandbox_or_skip (10);
  g_autofree char *workflow = fleet_test_source_path ("examples/rolling-patch.yaml");
  g_autofree char *inventory = NULL;
  g_autofree char *plan = fixture_path (fixture, "patch.plan");
  g_autofree char *runs = fixture_path (fixture, "runs");
  g_autofree char *run = program ("fleet-run");
  g_autofree char *out = NULL;
  g_autofree char *err = NULL;

  if (sandbox == NULL)
    return;

  inventory = fleet_sandbox_path (sandbox, "inventory.yaml");
  g_assert_cmpint (fleetc ((const char *[]) { "compile", workflow, "-i", inventory, "-o", plan,
                                              NULL }, NULL, NULL), ==, 0);
  g_assert_cmpint (fleet_test_spawn ((const char *[]) { run, "--runs-dir", runs, plan, NULL },
                                     &out, &err), ==, 0);

  g_assert_nonnull (strstr (out, "wave 1 (canary): 2 hosts, 2 succeeded, 0 failed"));
  g_assert_nonnull (strstr (out, "wave 3: 2 hosts, 2 succeeded, 0 failed"));
  g_assert_nonnull (strstr (out, "10 of 10 hosts succeeded"));

  for (guint i = 0; i < 10; i++)
    {
      g_autofree char *name = fleet_sandbox_host_name (sandbox, i);
      g_autofree char *relative = g_build_filename ("hosts", name, "home/var/lib/pkgdb/openssl",
                                                    NULL);
      g_autofree char *record = fleet_sandbox_path (sandbox, relative);
      g_autofree char *version = NULL;

      g_assert_true (g_file_get_contents (record, &version, NULL, NULL));
      g_assert_cmpstr (version, ==, "3.0.15\n");
    }
}

static void
test_failed_canary_halts (Fixture *fixture, gconstpointer data)
{
  g_autoptr(FleetSandbox) sandbox = sandbox_or_skip (4);
  g_autofree char *plan = NULL;
  g_autofree char *runs = fixture_path (fixture, "runs");
  g_autofree char *run = program ("fleet-run");
  g_autofree char *out = NULL;

  if (sandbox == NULL)
    return;

  plan = compile_for_sandbox (fixture, sandbox, "canary-fails",
                              "  - name: break\n    run: echo \"$FLEET_HOST\" > \"$HOME/touched\"; "
                              "printf '\\033[31mdisk \\377full\\n' >&2; "
                              "test \"$FLEET_HOST\" != host01\n    timeout: 10s\n");
  g_assert_cmpint (fleet_test_spawn ((const char *[]) { run, "--runs-dir", runs, plan, NULL },
                                     &out, NULL), ==, 1);

  g_assert_nonnull (strstr (out, "host01     1  FAILED       0/1"));
  g_assert_nonnull (strstr (out, "step \"break\": exited with status 1 (expected 0)"));
  g_assert_nonnull (strstr (out, "The run halted in wave 1: 1 failed host in the wave reached "
                                 "failed_per_wave, which halts at 1. 0 hosts of the wave and 2 "
                                 "later waves were not started.\n"));
  /* Remote output reaches the terminal without escape sequences or invalid
   * UTF-8. */
  g_assert_nonnull (strstr (out, "last output:  [31mdisk \xef\xbf\xbd" "full"));
  g_assert_null (strchr (out, '\033'));
  g_assert_nonnull (strstr (out, "0 of 4 hosts succeeded, 1 failed, 3 not run"));
  {
    g_autofree char *untouched = fleet_sandbox_path (sandbox, "hosts/host02/home/touched");
    g_assert_false (g_file_test (untouched, G_FILE_TEST_EXISTS));
  }
}

/* Two interrupts abort the running commands; fleet-run exits 3 and the
 * journal ends with the run's end record. */
static void
test_interrupt_exits_3 (Fixture *fixture, gconstpointer data)
{
  g_autoptr(FleetSandbox) sandbox = sandbox_or_skip (2);
  g_autofree char *plan = NULL;
  g_autofree char *runs = fixture_path (fixture, "runs");
  g_autofree char *run = program ("fleet-run");
  g_autoptr(GError) error = NULL;
  GPid pid;
  int wait_status = 0;
  const char *argv[] = { run, "--runs-dir", runs, NULL, NULL };

  if (sandbox == NULL)
    return;

  plan = compile_for_sandbox (fixture, sandbox, "long", "  - name: wait\n    run: sleep 30\n"
                                                        "    timeout: 1m\n");
  argv[3] = plan;
  g_spawn_async (NULL, (char **) argv, NULL, G_SPAWN_DO_NOT_REAP_CHILD
                 | G_SPAWN_STDOUT_TO_DEV_NULL, NULL, NULL, &pid, &error);
  g_assert_no_error (error);

  g_usleep (1500 * 1000);
  kill (pid, SIGINT);
  g_usleep (300 * 1000);
  kill (pid, SIGINT);
  g_assert_cmpint (waitpid (pid, &wait_status, 0), ==, pid);
  g_spawn_close_pid (pid);

  g_assert_true (WIFEXITED (wait_status));
  g_assert_cmpint (WEXITSTATUS (wait_status), ==, 3);
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);

#define ADD(path, func) \
  g_test_add (path, Fixture, NULL, fixture_set_up, func, fixture_tear_down)

  ADD ("/cli/compile/deterministic", test_compile_deterministic);
  ADD ("/cli/run/limits-checked-first", test_run_checks_limits_first);
  ADD ("/cli/compile/error-keeps-old-plan", test_compile_error_keeps_old_plan);
  ADD ("/cli/show/json", test_show_json);
  ADD ("/cli/show/markdown", test_show_markdown);
  ADD ("/cli/show/markdown-escapes", test_show_markdown_escapes);
  ADD ("/cli/show/stages", test_show_stages);
  ADD ("/cli/compile/limit", test_compile_limit);
  ADD ("/cli/usage-errors", test_usage_errors);
  ADD ("/cli/show/escapes-terminal-controls", test_show_escapes_terminal_controls);
  ADD ("/cli/compile/output-not-an-input", test_output_cannot_overwrite_input);
  ADD ("/cli/compile/empty-group-list", test_empty_group_list_rejected);
  ADD ("/cli/compile/byte-order-mark", test_byte_order_mark_accepted);
  ADD ("/cli/run/example-on-sandbox", test_example_runs_on_sandbox);
  ADD ("/cli/run/failed-canary-halts", test_failed_canary_halts);
  ADD ("/cli/run/interrupt", test_interrupt_exits_3);

  return g_test_run ();
}
