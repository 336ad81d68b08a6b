/* test-cli.c: the fleetc and fleet-run programs as an admin uses them. */
#include <signal.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include <gio/gio.h>
#include <glib/gstdio.h>

#include "schema/fleet-plan.h"
#include "tests/sandbox.h"

typedef FleetTestDir Fixture;

/* Run fleetc with `args`; returns its exit status. */
static int
fleetc (const char * const *args, char **out_stdout, char **out_stderr)
{
  return fleet_test_run_program ("fleetc", args, out_stdout, out_stderr);
}

/* Run fleetc with SOURCE_DATE_EPOCH set to `epoch`, as a reproducible
 * build would; returns its exit status. */
static int
fleetc_at (const char *epoch, const char * const *args, char **out_stdout, char **out_stderr)
{
  g_autofree char *setting = g_strconcat ("SOURCE_DATE_EPOCH=", epoch, NULL);
  const char *environment[] = { setting, NULL };

  return fleet_test_run_program_with_env ("fleetc", environment, args, out_stdout, out_stderr);
}

static void
test_compile_deterministic (Fixture *fixture, gconstpointer data)
{
  g_autofree char *workflow = fleet_test_source_path ("examples/rolling-patch.yaml");
  g_autofree char *inventory = fleet_test_source_path ("tests/data/cli/inventory.yaml");
  g_autofree char *first = fleet_test_dir_path (fixture, "first.plan");
  g_autofree char *second = fleet_test_dir_path (fixture, "second.plan");
  g_autofree char *out = NULL;
  g_autofree char *err = NULL;
  g_autoptr(GBytes) first_bytes = NULL;
  g_autoptr(GBytes) second_bytes = NULL;

  /* The compile time is part of the plan, so both compiles state it. */
  g_assert_cmpint (fleetc_at ("1767225600", (const char *[]) { "compile", workflow, "-i",
                                                               inventory, "-o", first, NULL },
                              &out, &err), ==, 0);
  g_assert_nonnull (strstr (out, "20 hosts in 4 waves, 3 steps"));
  g_clear_pointer (&out, g_free);
  g_clear_pointer (&err, g_free);
  g_assert_cmpint (fleetc_at ("1767225600", (const char *[]) { "compile", workflow, "-i",
                                                               inventory, "-o", second, NULL },
                              &out, &err), ==, 0);

  first_bytes = fleet_test_read_bytes (first);
  second_bytes = fleet_test_read_bytes (second);
  g_assert_true (g_bytes_equal (first_bytes, second_bytes));
}

static void
test_show_json (Fixture *fixture, gconstpointer data)
{
  g_autofree char *workflow = fleet_test_source_path ("examples/rolling-patch.yaml");
  g_autofree char *inventory = fleet_test_source_path ("tests/data/cli/inventory.yaml");
  g_autofree char *plan = fleet_test_dir_path (fixture, "p.plan");
  g_autofree char *out = NULL;
  g_autofree char *text = NULL;
  g_autofree char *err = NULL;

  g_assert_cmpint (fleetc ((const char *[]) { "compile", workflow, "-i", inventory, "-o", plan,
                                              NULL }, NULL, NULL), ==, 0);
  g_assert_cmpint (fleetc ((const char *[]) { "show", plan, "--format", "json", NULL },
                           &out, &err), ==, 0);

  g_assert_true (g_str_has_prefix (out, "{\"format_version\":4,\"sha256\":\""));
  g_assert_nonnull (strstr (out, ",\"compiled_at\":\"20"));
  g_assert_nonnull (strstr (out, ",\"expired\":false,\"inventory_files\":[{\"path\":\"/"));
  g_assert_nonnull (strstr (out, "tests/data/cli/inventory.yaml\",\"kind\":\"file\","
                                 "\"sha256\":\""));
  g_assert_true (g_str_has_suffix (out, ",\"signatures\":[]}\n"));
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

/* The steps of the plan of tests/data/DIR/workflow.yaml, as `fleetc show
 * --format json` prints them, match DIR/expected-steps.json byte for byte.
 * `data` is DIR: "language" uses variables, conditions, includes and needs,
 * "steps" every step kind and per-step setting. */
static void
test_show_steps_golden (Fixture *fixture, gconstpointer data)
{
  g_autofree char *workflow_relative = g_strdup_printf ("tests/data/%s/workflow.yaml",
                                                        (const char *) data);
  g_autofree char *golden_relative = g_strdup_printf ("tests/data/%s/expected-steps.json",
                                                      (const char *) data);
  g_autofree char *workflow = fleet_test_source_path (workflow_relative);
  g_autofree char *golden_path = fleet_test_source_path (golden_relative);
  g_autofree char *plan = fleet_test_dir_path (fixture, "language.plan");
  g_autofree char *out = NULL;
  g_autofree char *golden = NULL;
  g_autofree char *steps = NULL;
  const char *start;
  const char *end;

  g_assert_cmpint (fleetc ((const char *[]) { "compile", workflow, "-F", "none", "-o", plan,
                                              NULL }, NULL, NULL), ==, 0);
  g_assert_cmpint (fleetc ((const char *[]) { "show", plan, "--format", "json", NULL },
                           &out, NULL), ==, 0);
  g_assert_true (g_file_get_contents (golden_path, &golden, NULL, NULL));

  start = strstr (out, "\"steps\":");
  g_assert_nonnull (start);
  /* The steps array ends where the next top-level key begins. */
  end = strstr (start, "}],\"");
  g_assert_nonnull (end);
  end += 2;
  steps = g_strdup_printf ("%.*s\n", (int) (end - start), start);
  g_assert_cmpstr (steps, ==, golden);
}

/* The Markdown form has the digests, the halt rules, a table of the waves
 * and a host table per wave, ready for a change ticket. */
static void
test_show_markdown (Fixture *fixture, gconstpointer data)
{
  g_autofree char *workflow = fleet_test_source_path ("examples/rolling-patch.yaml");
  g_autofree char *inventory = fleet_test_source_path ("tests/data/cli/inventory.yaml");
  g_autofree char *plan = fleet_test_dir_path (fixture, "p.plan");
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
                                 "| host | address | user | route | rack |\n"
                                 "|---|---|---|---|---|\n"
                                 "| db03 | 192.0.2.3:22 | deploy | direct | r2 |\n"));
}

/* Values from the inventory cannot break a Markdown table or inject
 * markup, and a command with backticks gets a longer fence. */
static void
test_show_markdown_escapes (Fixture *fixture, gconstpointer data)
{
  g_autofree char *inventory = fleet_test_dir_path (fixture, "inventory.yaml");
  g_autofree char *workflow = fleet_test_dir_path (fixture, "workflow.yaml");
  g_autofree char *plan = fleet_test_dir_path (fixture, "m.plan");
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
  g_assert_nonnull (strstr (out, "| a\\_1 | a\\_1:22 | (local user) | direct | r\\|1 "
                                 "\\<b\\>x\\</b\\> \\[l\\](u) |\n"));
  g_assert_nonnull (strstr (out, "| b | b:22 | (local user) | direct | r2\\\\x1b\\[31m |\n"));
  g_assert_nonnull (strstr (out, "   `````sh\n   echo ```; echo ````\n   `````\n"));
  g_assert_null (strchr (out, '\033'));
}

/* An invalid workflow writes no plan and leaves an earlier plan at the same
 * path untouched. */
static void
test_compile_error_keeps_old_plan (Fixture *fixture, gconstpointer data)
{
  g_autofree char *broken = fleet_test_source_path ("tests/data/cli/broken.yaml");
  g_autofree char *plan = fleet_test_dir_path (fixture, "kept.plan");
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
  char *path = fleet_test_dir_path (fixture, "workflow.yaml");

  g_assert_true (g_file_set_contents (path, text, -1, NULL));
  return path;
}

/* `fleetc show` names what a copy step sets on its file, special mode bits
 * in words, in text and in Markdown. */
static void
test_show_copy_file_settings (Fixture *fixture, gconstpointer data)
{
  g_autofree char *source = fleet_test_dir_path (fixture, "tool.sh");
  g_autofree char *body = NULL;
  g_autofree char *workflow = NULL;
  g_autofree char *plan = fleet_test_dir_path (fixture, "copy.plan");
  g_autofree char *text = NULL;
  g_autofree char *markdown = NULL;
  g_autofree char *digest = NULL;
  g_autofree char *expected = NULL;

  g_assert_true (g_file_set_contents (source, "echo tool\n", -1, NULL));
  digest = g_compute_checksum_for_string (G_CHECKSUM_SHA256, "echo tool\n", -1);
  body = g_strdup_printf ("target: {all: true}\nsteps:\n"
                          "  - {name: tool, timeout: 5s, copy: {src: %s, dest: /usr/local/bin/tool,"
                          " mode: \"4755\", owner: root}}\n"
                          "  - {name: conf, timeout: 5s, copy: {src: %s, dest: /etc/tool.conf}}\n",
                          source, source);
  workflow = write_workflow (fixture, body);
  g_assert_cmpint (fleetc ((const char *[]) { "compile", workflow, "-o", plan, "-F", "none", NULL },
                           NULL, NULL), ==, 0);

  g_assert_cmpint (fleetc ((const char *[]) { "show", plan, NULL }, &text, NULL), ==, 0);
  expected = g_strdup_printf ("       file: mode 4755 (setuid), owner root, group unchanged, "
                              "content sha256 %s\n", digest);
  g_assert_nonnull (strstr (text, expected));
  g_assert_nonnull (strstr (text, "       file: mode 0644 for a new file, an existing file keeps "
                                  "its own, owner unchanged, group unchanged, content sha256 "));

  g_assert_cmpint (fleetc ((const char *[]) { "show", plan, "--format", "markdown", NULL },
                           &markdown, NULL), ==, 0);
  g_assert_nonnull (strstr (markdown, "   File: mode 4755 (setuid), owner root, group unchanged, "
                                      "content sha256 "));
}

/* `fleetc show` prints a rendered command once for all the hosts that
 * render it alike, and a compile-time skip once per reason, with the hosts
 * as ranges. */
static void
test_show_groups_hosts (Fixture *fixture, gconstpointer data)
{
  g_autofree char *workflow = write_workflow (fixture,
    "target: {all: true}\nsteps:\n"
    "  - {name: hello, run: \"echo {{ role }}\", timeout: 5s}\n"
    "  - {name: db-only, run: \"true\", timeout: 5s, when: 'role == \"db\"'}\n");
  g_autofree char *plan = fleet_test_dir_path (fixture, "groups.plan");
  g_autofree char *text = NULL;
  g_autofree char *markdown = NULL;
  const char *skipped;

  g_assert_cmpint (fleetc ((const char *[]) { "compile", workflow, "-o", plan, "-F", "none", NULL },
                           NULL, NULL), ==, 0);
  g_assert_cmpint (fleetc ((const char *[]) { "show", plan, NULL }, &text, NULL), ==, 0);
  g_test_message ("%s", text);

  g_assert_nonnull (strstr (text, "       on db01..db04 (4 hosts):\n         $ echo 'db'\n"
                                  "       on web05..web20 (16 hosts):\n         $ echo 'web'\n"));
  g_assert_null (strstr (text, "on web06"));
  skipped = strstr (text, "       skipped on web05..web20 (16 hosts): condition `role == \"db\"` "
                          "is false\n");
  g_assert_nonnull (skipped);
  g_assert_null (strstr (skipped + strlen ("       skipped on"), "skipped on"));

  g_assert_cmpint (fleetc ((const char *[]) { "show", plan, "--format", "markdown", NULL },
                           &markdown, NULL), ==, 0);
  g_assert_nonnull (strstr (markdown, "   On db01..db04 (4 hosts):\n\n   ```sh\n   echo 'db'\n"
                                      "   ```\n\n   On web05..web20 (16 hosts):\n\n"));
}

/* --limit narrows the target; the plan records it and `show` prints it.
 * A bad expression is reported against "--limit" with its column. */
static void
test_compile_limit (Fixture *fixture, gconstpointer data)
{
  g_autofree char *workflow = write_workflow (fixture, "target: {all: true}\nsteps:\n"
                                                       "  - {name: a, run: \"true\", timeout: 5s}\n");
  g_autofree char *plan = fleet_test_dir_path (fixture, "limit.plan");
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

/* The concurrency, caps and target protection reach the plan and are shown
 * in all three forms; a plan without them shows the adaptive default. */
static void
test_show_pacing (Fixture *fixture, gconstpointer data)
{
  g_autofree char *workflow = write_workflow (fixture,
    "target: {all: true}\nparallelism: 40\n"
    "concurrency: {initial: 8, caps: {rack: 2}}\n"
    "protect: {max_load: 3, guard: \"test -e /run/ok\", nice: 5, ionice: idle}\n"
    "steps:\n  - {name: a, run: \"true\", timeout: 5s}\n");
  g_autofree char *plain = NULL;
  g_autofree char *plan = fleet_test_dir_path (fixture, "pacing.plan");
  g_autofree char *text = NULL;
  g_autofree char *json = NULL;
  g_autofree char *markdown = NULL;
  g_autofree char *default_text = NULL;

  g_assert_cmpint (fleetc ((const char *[]) { "compile", workflow, "-o", plan, NULL }, NULL,
                           NULL), ==, 0);
  g_assert_cmpint (fleetc ((const char *[]) { "show", plan, NULL }, &text, NULL), ==, 0);
  g_assert_nonnull (strstr (text, "  concurrency:      adaptive: starts at 8 hosts, grows to at "
                                  "most 40, falls on congestion to no fewer than 1\n  caps:             at most rack 2 busy hosts per value\n"
                                  "  protect:          wait before the first step while the load "
                                  "is above 3 or `test -e /run/ok` fails; check every 30 s, fail "
                                  "after 600 s; nice 5, ionice idle\n"));
  g_assert_cmpint (fleetc ((const char *[]) { "show", plan, "--format", "json", NULL }, &json,
                           NULL), ==, 0);
  g_assert_nonnull (strstr (json, "\"concurrency\":{\"adaptive\":true,\"initial\":8,\"min\":1,"
                                  "\"caps\":{\"rack\":2}},\"protect\":{\"max_load\":\"3\","
                                  "\"guard\":\"test -e /run/ok\",\"defer_ms\":30000,"
                                  "\"max_wait_ms\":600000,\"nice\":5,\"ionice\":\"idle\"}"));
  g_assert_cmpint (fleetc ((const char *[]) { "show", plan, "--format", "markdown", NULL },
                           &markdown, NULL), ==, 0);
  g_assert_nonnull (strstr (markdown, "| Caps | at most rack 2 busy hosts per value |\n"));
  g_assert_nonnull (strstr (markdown, "| Protect | wait before the first step while the load is "
                                      "above 3 or \\`test -e /run/ok\\` fails;"));

  plain = write_workflow (fixture, "target: {all: true}\nsteps:\n"
                                   "  - {name: a, run: \"true\", timeout: 5s}\n");
  g_assert_cmpint (fleetc ((const char *[]) { "compile", plain, "-o", plan, NULL }, NULL,
                           NULL), ==, 0);
  g_assert_cmpint (fleetc ((const char *[]) { "show", plan, NULL }, &default_text, NULL), ==, 0);
  g_assert_nonnull (strstr (default_text, "  concurrency:      adaptive: starts at the cap of "
                                          "10 hosts, falls on congestion to no fewer than 1\n"));
  g_assert_null (strstr (default_text, "  caps:"));
  g_assert_null (strstr (default_text, "  protect:"));
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
  g_autofree char *plan = fleet_test_dir_path (fixture, "stages.plan");
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
  g_autofree char *plan = fleet_test_dir_path (fixture, "escape.plan");
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
  g_autofree char *not_plan = fleet_test_dir_path (fixture, "notes.txt");
  g_autofree char *run = fleet_test_program ("fleet-run");

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
  g_autofree char *plan = fleet_test_dir_path (fixture, "limits.plan");
  g_autofree char *run = fleet_test_program ("fleet-run");
  g_autofree char *runs = fleet_test_dir_path (fixture, "runs");
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

/* -F reads the given ssh_config; show lists it with its digest, the jump
 * hosts and every host's route and non-strict host key policy. */
static void
test_ssh_config_option (Fixture *fixture, gconstpointer data)
{
  g_autofree char *workflow = fleet_test_source_path ("examples/rolling-patch.yaml");
  g_autofree char *inventory = fleet_test_source_path ("tests/data/cli/inventory.yaml");
  g_autofree char *config = fleet_test_dir_path (fixture, "ssh_config");
  g_autofree char *plan = fleet_test_dir_path (fixture, "p.plan");
  g_autofree char *config_text = g_strdup ("Host db01\n"
                                           "  ProxyJump jump@bastion:2222\n"
                                           "  StrictHostKeyChecking accept-new\n"
                                           "  HashKnownHosts yes\n"
                                           "Host bastion\n"
                                           "  HostName 192.0.2.100\n"
                                           "Host *\n"
                                           "  Port 2299\n"
                                           "  ForwardAgent no\n");
  g_autofree char *sha256 = g_compute_checksum_for_string (G_CHECKSUM_SHA256, config_text, -1);
  g_autofree char *expected_source = NULL;
  g_autofree char *expected_json = NULL;
  g_autofree char *err = NULL;
  g_autofree char *text = NULL;
  g_autofree char *json = NULL;

  g_assert_true (g_file_set_contents (config, config_text, -1, NULL));
  g_assert_cmpint (fleetc ((const char *[]) { "compile", workflow, "-i", inventory, "-F", config,
                                              "-o", plan, NULL }, NULL, &err), ==, 0);
  g_assert_nonnull (strstr (err, "warning: ssh_config keywords fleetc does not use: ForwardAgent"));

  g_assert_cmpint (fleetc ((const char *[]) { "show", plan, NULL }, &text, NULL), ==, 0);
  expected_source = g_strdup_printf ("  ssh_config:       %s (sha256 %s)\n", config, sha256);
  g_assert_nonnull (strstr (text, expected_source));
  g_assert_nonnull (strstr (text, "  db01  deploy@192.0.2.1:2299  via jump@bastion:2222  "
                                  "host keys accept-new  dc=dc1"));
  g_assert_nonnull (strstr (text, "  db02  deploy@192.0.2.2:2299  dc=dc2"));
  g_assert_nonnull (strstr (text, "\nJump hosts (connections to the hosts behind them go "
                                  "through them):\n  jump@bastion:2222  jump@192.0.2.100:2222  "
                                  "direct; no steps run there\n"));

  g_assert_cmpint (fleetc ((const char *[]) { "show", plan, "--format", "json", NULL }, &json,
                           NULL), ==, 0);
  expected_json = g_strdup_printf ("\"ssh_config\":{\"path\":\"%s\",\"sources\":[{\"path\":"
                                   "\"%s\",\"sha256\":\"%s\"}]}", config, config, sha256);
  g_assert_nonnull (strstr (json, expected_json));
  g_assert_nonnull (strstr (json, "\"host_key_policy\":\"accept-new\",\"hash_known_hosts\":true"));
  g_assert_nonnull (strstr (json, "\"host_key_policy\":\"strict\",\"hash_known_hosts\":false"));
  g_assert_nonnull (strstr (json, "\"jump_hosts\":[{\"name\":\"jump@bastion:2222\","
                                  "\"address\":\"192.0.2.100\",\"port\":2222,"
                                  "\"user\":\"jump\""));
}

/* Run fleetc with HOME set to `home`; returns its exit status. */
static int
fleetc_with_home (const char *home, const char * const *args, char **out_stdout,
                  char **out_stderr)
{
  g_autofree char *setting = g_strconcat ("HOME=", home, NULL);
  const char *environment[] = { setting, NULL };

  return fleet_test_run_program_with_env ("fleetc", environment, args, out_stdout, out_stderr);
}

/* Without -F, fleetc reads ~/.ssh/config, and rejects it when others may
 * write it, as OpenSSH does; -F none reads none. */
static void
test_ssh_config_default_and_none (Fixture *fixture, gconstpointer data)
{
  g_autofree char *workflow = fleet_test_source_path ("examples/rolling-patch.yaml");
  g_autofree char *inventory = fleet_test_source_path ("tests/data/cli/inventory.yaml");
  g_autofree char *home = fleet_test_dir_path (fixture, "home");
  g_autofree char *ssh_dir = g_build_filename (home, ".ssh", NULL);
  g_autofree char *config = g_build_filename (ssh_dir, "config", NULL);
  g_autofree char *plan = fleet_test_dir_path (fixture, "p.plan");
  g_autofree char *text = NULL;
  g_autofree char *none_text = NULL;
  g_autofree char *err = NULL;
  g_autofree char *expected = NULL;

  g_assert_cmpint (g_mkdir_with_parents (ssh_dir, 0700), ==, 0);
  g_assert_true (g_file_set_contents (config, "Host *\n  Port 2288\n", -1, NULL));
  g_assert_cmpint (g_chmod (config, 0600), ==, 0);

  g_assert_cmpint (fleetc_with_home (home, (const char *[]) { "compile", workflow, "-i", inventory,
                                                              "-o", plan, NULL }, NULL, NULL),
                   ==, 0);
  g_assert_cmpint (fleetc ((const char *[]) { "show", plan, NULL }, &text, NULL), ==, 0);
  g_assert_nonnull (strstr (text, "  db01  deploy@192.0.2.1:2288"));
  expected = g_strdup_printf ("  ssh_config:       %s (sha256", config);
  g_assert_nonnull (strstr (text, expected));

  g_assert_cmpint (fleetc_with_home (home, (const char *[]) { "compile", workflow, "-i", inventory,
                                                              "-F", "none", "-o", plan, NULL },
                                     NULL, NULL), ==, 0);
  g_assert_cmpint (fleetc ((const char *[]) { "show", plan, NULL }, &none_text, NULL), ==, 0);
  g_assert_nonnull (strstr (none_text, "  db01  deploy@192.0.2.1:22  dc=dc1"));
  g_assert_nonnull (strstr (none_text, "  ssh_config:       none\n"));

  g_assert_cmpint (g_chmod (config, 0666), ==, 0);
  g_assert_cmpint (fleetc_with_home (home, (const char *[]) { "validate", workflow, "-i",
                                                              inventory, NULL }, NULL, &err),
                   ==, 2);
  g_assert_nonnull (strstr (err, "is writable by its group or others, so OpenSSH would reject "
                                 "it too; run chmod go-w on it"));
  g_assert_cmpint (fleetc_with_home (home, (const char *[]) { "validate", workflow, "-i",
                                                              inventory, "-F", config, NULL },
                                     NULL, NULL), ==, 0);
}

/* A rejected ssh_config line stops the compile with its file and line. */
static void
test_ssh_config_rejected_line (Fixture *fixture, gconstpointer data)
{
  g_autofree char *workflow = fleet_test_source_path ("examples/rolling-patch.yaml");
  g_autofree char *inventory = fleet_test_source_path ("tests/data/cli/inventory.yaml");
  g_autofree char *config = fleet_test_dir_path (fixture, "ssh_config");
  g_autofree char *plan = fleet_test_dir_path (fixture, "p.plan");
  g_autofree char *err = NULL;
  g_autofree char *expected = NULL;

  g_assert_true (g_file_set_contents (config, "Host db*\n  StrictHostKeyChecking no\n", -1,
                                      NULL));
  g_assert_cmpint (fleetc ((const char *[]) { "compile", workflow, "-i", inventory, "-F", config,
                                              "-o", plan, NULL }, NULL, &err), ==, 2);
  expected = g_strdup_printf ("%s:2:3: error: StrictHostKeyChecking \"no\" is not supported: "
                              "fleetc never turns host key checking off", config);
  g_assert_nonnull (strstr (err, expected));
  g_assert_nonnull (strstr (err, "(for host \"db01\", host \"db02\", host \"db03\" and 1 "
                                 "more)"));
  g_assert_false (g_file_test (plan, G_FILE_TEST_EXISTS));
}

/* A workflow named by a relative path, as admins type it, finds the steps
 * files it includes next to itself. */
static void
test_include_from_relative_path (Fixture *fixture, gconstpointer data)
{
  g_autofree char *inventory = fleet_test_dir_path (fixture, "inventory.yaml");
  g_autofree char *workflow = fleet_test_dir_path (fixture, "main.yaml");
  g_autofree char *common = fleet_test_dir_path (fixture, "common.yaml");
  g_autofree char *fleetc_path = fleet_test_program ("fleetc");
  g_autofree char *out = NULL;
  g_autofree char *err = NULL;

  g_assert_true (g_file_set_contents (inventory, "hosts:\n  web1: {}\n", -1, NULL));
  g_assert_true (g_file_set_contents (common, "steps:\n  - {name: first, run: \"true\", "
                                              "timeout: 5s}\n", -1, NULL));
  g_assert_true (g_file_set_contents (workflow, "name: relative\ninventory: inventory.yaml\n"
                                                "target: {all: true}\ninclude: [common.yaml]\n"
                                                "steps:\n  - {name: second, run: \"true\", "
                                                "timeout: 5s}\n", -1, NULL));

  g_assert_cmpint (fleet_test_spawn ((const char *[]) { "sh", "-c",
                                                        "cd \"$1\" && exec \"$2\" validate "
                                                        "main.yaml -F none",
                                                        "sh", fixture->dir, fleetc_path, NULL },
                                     &out, &err), ==, 0);
  g_assert_null (strstr (err, "error"));
  g_assert_null (strstr (err, "CRITICAL"));
}

/* Write a workflow for the sandbox's inventory and compile it. */
static char *
compile_for_sandbox (Fixture *fixture, FleetSandbox *sandbox, const char *name, const char *steps)
{
  g_autofree char *inventory = fleet_sandbox_path (sandbox, "inventory.yaml");
  g_autofree char *workflow = fleet_test_dir_path (fixture, "workflow.yaml");
  g_autofree char *text = g_strdup_printf ("name: %s\ninventory: %s\ntarget:\n  all: true\n"
                                           "waves: [1, 25%%, 100%%]\nsteps:\n%s",
                                           name, inventory, steps);
  char *plan = fleet_test_dir_path (fixture, "run.plan");
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
  g_autofree char *plan = fleet_test_dir_path (fixture, "patch.plan");
  g_autofree char *runs = fleet_test_dir_path (fixture, "runs");
  g_autofree char *run = fleet_test_program ("fleet-run");
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
  /* Standard error is no terminal here, so progress comes as plain lines
   * and never mixes with the summary on standard output. */
  g_assert_true (g_regex_match_simple ("^[0-9]{2}:[0-9]{2}:[0-9]{2}Z start wave 1/3: 0/2 done, "
                                       "0 failed, 0 in flight$", err, G_REGEX_MULTILINE, 0));
  g_assert_true (g_regex_match_simple ("Z end wave 3/3: 2/2 done, 0 failed, 0 in flight, "
                                       "[0-9.]+ hosts/s$", err, 0, 0));
  g_assert_null (strstr (out, " in flight"));
  /* The summary ends with timings per step and the concurrency used. */
  g_assert_true (g_regex_match_simple ("\nStep timings:\n  1\\. [a-z-]+: 10 hosts, median "
                                       "[0-9.]+s, p95 [0-9.]+s, slowest [0-9.]+s \\(host[0-9]+\\)\n",
                                       out, 0, 0));
  g_assert_true (g_regex_match_simple ("\nConcurrency: started at 10, peaked at 10, ended at "
                                       "(10|[1-9])(; lowered [0-9]+ times? \\([a-z ,0-9]+\\))?\\.\n",
                                       out, 0, 0));

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

/* A host of an Ansible inventory whose SSH arguments name a ProxyJump is
 * reached through that jump host, another host of the inventory: the
 * bastion's sshd logs the login that carries the tunnel, although no step
 * runs there. */
static void
test_ansible_host_via_bastion (Fixture *fixture, gconstpointer data)
{
  g_autoptr(FleetSandbox) sandbox = sandbox_or_skip (2);
  g_autofree char *ini = fleet_test_dir_path (fixture, "hosts.ini");
  g_autofree char *workflow = fleet_test_dir_path (fixture, "workflow.yaml");
  g_autofree char *plan = fleet_test_dir_path (fixture, "bastion.plan");
  g_autofree char *runs = fleet_test_dir_path (fixture, "runs");
  g_autofree char *run = fleet_test_program ("fleet-run");
  g_autofree char *key = NULL;
  g_autofree char *known_hosts = NULL;
  g_autofree char *bastion_name = NULL;
  g_autofree char *bastion_log_name = NULL;
  g_autofree char *bastion_log = NULL;
  g_autofree char *ini_text = NULL;
  g_autofree char *log_text = NULL;
  g_autofree char *show = NULL;
  g_autofree char *out = NULL;
  g_autofree char *err = NULL;

  if (sandbox == NULL)
    return;

  key = fleet_sandbox_path (sandbox, "client/id_ed25519");
  known_hosts = fleet_sandbox_path (sandbox, "known_hosts");
  bastion_name = fleet_sandbox_host_name (sandbox, 0);
  bastion_log_name = g_build_filename ("hosts", bastion_name, "sshd.log", NULL);
  bastion_log = fleet_sandbox_path (sandbox, bastion_log_name);
  ini_text = g_strdup_printf (
    "[all:vars]\n"
    "ansible_user=root\n"
    "ansible_ssh_private_key_file=%s\n"
    "fleetc_known_hosts_file=%s\n"
    "[bastions]\n"
    "bastion ansible_host=127.0.0.1 ansible_port=%u\n"
    "[web]\n"
    "web1 ansible_host=127.0.0.1 ansible_port=%u "
    "ansible_ssh_common_args='-o ProxyJump=bastion -o StrictHostKeyChecking=yes'\n",
    key, known_hosts, GPOINTER_TO_UINT (g_ptr_array_index (sandbox->ports, 0)),
    GPOINTER_TO_UINT (g_ptr_array_index (sandbox->ports, 1)));
  g_assert_true (g_file_set_contents (ini, ini_text, -1, NULL));
  g_assert_true (g_file_set_contents (workflow, "name: via-bastion\ninventory: hosts.ini\n"
                                                "target: {groups: [web]}\nsteps:\n"
                                                "  - {name: hello, run: \"echo hello\", "
                                                "timeout: 30s}\n", -1, NULL));
  g_assert_true (g_file_set_contents (bastion_log, "", -1, NULL));

  g_assert_cmpint (fleetc ((const char *[]) { "compile", workflow, "-o", plan, NULL }, NULL,
                           &err), ==, 0);
  g_assert_nonnull (strstr (err, "variable \"ansible_ssh_common_args\" is kept as an attribute, "
                                 "and only its ProxyJump (-J)"));
  g_clear_pointer (&err, g_free);
  g_assert_cmpint (fleetc ((const char *[]) { "show", plan, NULL }, &show, NULL), ==, 0);
  g_assert_nonnull (strstr (show, "via bastion"));

  if (fleet_test_spawn ((const char *[]) { run, "--runs-dir", runs, plan, NULL }, &out, &err) != 0
      || strstr (out, "1 of 1 host succeeded") == NULL)
    g_error ("the run through the bastion failed:\n%s\n%s", out, err);
  g_assert_true (g_file_get_contents (bastion_log, &log_text, NULL, NULL));
  g_assert_nonnull (strstr (log_text, "Accepted publickey for root"));
}

static void
test_failed_canary_halts (Fixture *fixture, gconstpointer data)
{
  g_autoptr(FleetSandbox) sandbox = sandbox_or_skip (4);
  g_autofree char *plan = NULL;
  g_autofree char *runs = fleet_test_dir_path (fixture, "runs");
  g_autofree char *run = fleet_test_program ("fleet-run");
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

/* A hostile host attribute reaches the remote shell as one quoted word:
 * it is printed, and none of its commands run.  The attribute deliberately
 * creates marker files instead of deleting anything, in case quoting
 * fails. */
static void
test_hostile_attribute_printed (Fixture *fixture, gconstpointer data)
{
  static const char hostile[] = "a; touch PWNED1 $(touch PWNED2) `touch PWNED3` 'x' \"y\" \\";
  g_autoptr(FleetSandbox) sandbox = sandbox_or_skip (1);
  g_autofree char *inventory = NULL;
  g_autofree char *inventory_text = NULL;
  g_autofree char *hostile_inventory = NULL;
  g_autofree char *workflow = fleet_test_dir_path (fixture, "workflow.yaml");
  g_autofree char *workflow_text = NULL;
  g_autofree char *plan = fleet_test_dir_path (fixture, "run.plan");
  g_autofree char *runs = fleet_test_dir_path (fixture, "runs");
  g_autofree char *run = fleet_test_program ("fleet-run");
  g_autofree char *seen_path = NULL;
  g_autofree char *seen = NULL;
  g_autofree char *escaped = g_strescape (hostile, NULL);
  g_autofree char *err = NULL;
  g_autofree char *with_name = NULL;
  g_autofree char *json = NULL;
  g_autofree char *expected = g_strconcat (hostile, "\n", NULL);
  GString *patched;

  if (sandbox == NULL)
    return;

  /* Copy the sandbox inventory with the hostile attribute added to host01. */
  inventory = fleet_sandbox_path (sandbox, "inventory.yaml");
  g_assert_true (g_file_get_contents (inventory, &inventory_text, NULL, NULL));
  patched = g_string_new (inventory_text);
  with_name = g_strdup_printf ("role: db, name: \"%s\"}", escaped);
  g_assert_cmpuint (g_string_replace (patched, "role: db}", with_name, 1), ==, 1);
  hostile_inventory = fleet_sandbox_path (sandbox, "inventory-hostile.yaml");
  g_assert_true (g_file_set_contents (hostile_inventory, patched->str, -1, NULL));
  g_string_free (patched, TRUE);

  workflow_text = g_strdup_printf ("name: hostile\ninventory: %s\ntarget: {all: true}\n"
                                   "steps:\n"
                                   "  - name: print\n"
                                   "    timeout: 10s\n"
                                   "    run: 'cd && echo {{ name }} > seen.txt'\n",
                                   hostile_inventory);
  g_assert_true (g_file_set_contents (workflow, workflow_text, -1, NULL));
  if (fleetc ((const char *[]) { "compile", workflow, "-o", plan, NULL }, NULL, &err) != 0)
    g_error ("compile failed: %s", err);
  g_assert_cmpint (fleetc ((const char *[]) { "show", plan, "--format", "json", NULL },
                           &json, NULL), ==, 0);
  g_assert_nonnull (strstr (json, "\"command\":\"cd && echo {{ name }} > seen.txt\","));
  g_assert_nonnull (strstr (json, "\"host_commands\":{\"host01\":\"cd && echo 'a; touch PWNED1 "
                                  "$(touch PWNED2) `touch PWNED3` '\\\\''x'\\\\'' \\\"y\\\" \\\\' "
                                  "> seen.txt\"}}"));
  g_assert_cmpint (fleet_test_spawn ((const char *[]) { run, "--runs-dir", runs, plan, NULL },
                                     NULL, NULL), ==, 0);

  seen_path = fleet_sandbox_path (sandbox, "hosts/host01/home/seen.txt");
  g_assert_true (g_file_get_contents (seen_path, &seen, NULL, NULL));
  g_assert_cmpstr (seen, ==, expected);
  for (guint i = 1; i <= 3; i++)
    {
      g_autofree char *relative = g_strdup_printf ("hosts/host01/home/PWNED%u", i);
      g_autofree char *marker = fleet_sandbox_path (sandbox, relative);

      g_assert_false (g_file_test (marker, G_FILE_TEST_EXISTS));
    }
}

/* Two interrupts abort the running commands; fleet-run exits 3 and the
 * journal ends with the run's end record. */
static void
test_interrupt_exits_3 (Fixture *fixture, gconstpointer data)
{
  g_autoptr(FleetSandbox) sandbox = sandbox_or_skip (2);
  g_autofree char *plan = NULL;
  g_autofree char *runs = fleet_test_dir_path (fixture, "runs");
  g_autofree char *run = fleet_test_program ("fleet-run");
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

/* Write a workflow for the two-data-center inventory with `windows_text`
 * (its windows and freezes keys) and return its path. */
static char *
write_windows_workflow (Fixture *fixture, const char *windows_text)
{
  g_autofree char *inventory = fleet_test_source_path ("tests/data/windows/inventory.yaml");
  g_autofree char *text = g_strdup_printf ("name: nightly\ninventory: %s\ntarget: {all: true}\n"
                                           "steps:\n  - {name: a, run: \"true\", timeout: 5s}\n"
                                           "%s", inventory, windows_text);
  char *path = fleet_test_dir_path (fixture, "windows.yaml");

  g_assert_true (g_file_set_contents (path, text, -1, NULL));
  return path;
}

/* `fleetc windows` lists each group's windows in UTC and local time, the
 * instances dropped in a spring-forward gap, and warns about them. */
static void
test_windows_listing (Fixture *fixture, gconstpointer data)
{
  g_autofree char *calendar = fleet_test_source_path ("tests/data/windows/dst-transitions.ics");
  g_autofree char *body = g_strdup_printf ("windows:\n  - calendar: %s\n    applies_to: [dc1]\n"
                                           "freezes:\n  - {name: audit, start: 2025-03-29T00:00,"
                                           " duration: 1d, timezone: Europe/Berlin}\n", calendar);
  g_autofree char *workflow = write_windows_workflow (fixture, body);
  g_autofree char *out = NULL;
  g_autofree char *err = NULL;
  g_autofree char *json = NULL;

  g_assert_cmpint (fleetc ((const char *[]) { "windows", workflow, "--from", "2025-03-27",
                                              "--to", "2025-04-03", NULL }, &out, &err), ==, 0);
  g_test_message ("stdout:\n%s\nstderr:\n%s", out, err);
  g_assert_nonnull (strstr (out, "Windows of workflow nightly from 2025-03-27T00:00:00Z to "
                                 "2025-04-03T00:00:00Z, after freezes."));
  g_assert_nonnull (strstr (out, "group dc1: 5 windows, 6h open\n"
                                 "  2025-03-28T01:30:00Z to 2025-03-28T02:30:00Z  1h  nightly patch "
                                 "window (daily 02:30 Berlin) across spring-forward\n"
                                 "      local 2025-03-28T02:30:00+01:00 to "
                                 "2025-03-28T03:30:00+01:00 Europe/Berlin\n"));
  g_assert_nonnull (strstr (out, "  frozen 2025-03-28T23:00:00Z to 2025-03-29T23:00:00Z  1d  "
                                 "audit\n"));
  g_assert_nonnull (strstr (out, "group dc2: 0 windows, 0s open\n"
                                 "  no window applies to this group: its hosts run only in the "
                                 "windows of their other groups\n"));
  g_assert_nonnull (strstr (out, "Dropped instances (their local start time does not exist, "
                                 "because the clocks skip it):\n"
                                 "  nightly patch window (daily 02:30 Berlin) across "
                                 "spring-forward  2025-03-30T02:30:00 Europe/Berlin\n"));
  g_assert_nonnull (strstr (err, "dst-transitions.ics:43:28: warning: event \"nightly patch "
                                 "window"));
  g_assert_nonnull (strstr (err, "windows.yaml:7:3: warning: no window applies to host "
                                 "nyc01, in group \"dc2\""));

  g_assert_cmpint (fleetc ((const char *[]) { "windows", workflow, "--from", "2025-03-30",
                                              "--to", "2025-03-31", "--format", "json", NULL },
                           &json, NULL), ==, 0);
  g_assert_true (g_str_has_prefix (json, "{\"workflow\":\"nightly\",\"from\":"
                                         "\"2025-03-30T00:00:00Z\",\"to\":"
                                         "\"2025-03-31T00:00:00Z\",\"restricted\":true,"
                                         "\"groups\":[{\"name\":\"dc1\",\"open_seconds\":"
                                         "7200,\"windows\":[{\"start\":"
                                         "\"2025-03-30T00:30:00Z\",\"end\":"
                                         "\"2025-03-30T02:30:00Z\""));
  g_assert_nonnull (strstr (json, "\"dropped\":[{\"source\":\"nightly patch window (daily "
                                  "02:30 Berlin) across spring-forward\",\"time_zone\":"
                                  "\"Europe/Berlin\",\"local_start\":\"2025-03-30T02:30:00\"}]"));
}

static void
test_windows_errors (Fixture *fixture, gconstpointer data)
{
  g_autofree char *workflow = write_windows_workflow (fixture,
    "windows:\n  - {name: w, start: 2025-01-07T02:00, duration: 1h, timezone: Mars/Olympus}\n");
  g_autofree char *err = NULL;
  g_autofree char *usage = NULL;

  g_assert_cmpint (fleetc ((const char *[]) { "windows", workflow, NULL }, NULL, &err), ==, 2);
  g_assert_nonnull (strstr (err, "windows.yaml:7:64: error: unknown time zone \"Mars/Olympus\""));

  g_assert_cmpint (fleetc ((const char *[]) { "windows", workflow, "--from", "2025-13-01", NULL },
                           NULL, &usage), ==, 2);
  g_assert_nonnull (strstr (usage, "invalid time \"2025-13-01\""));
}

/* Messages that GLib words (option parsing, files that cannot be read)
 * quote values as fleetc's own messages do, with plain double quotes, and
 * name the file once. */
static void
test_messages_plain_quotes (Fixture *fixture, gconstpointer data)
{
  g_autofree char *missing = fleet_test_dir_path (fixture, "missing.plan");
  g_autofree char *expected = g_strdup_printf ("fleetc: cannot read plan %s: No such file or "
                                               "directory\n", missing);
  g_autofree char *expected_diff = g_strdup_printf ("fleetc diff: cannot read plan %s: No such "
                                                    "file or directory\n", missing);
  g_autofree char *out = NULL;
  g_autofree char *err = NULL;

  g_assert_cmpint (fleetc ((const char *[]) { "compile", "--window-days", "abc", "w.yaml",
                                              NULL }, &out, &err), ==, 2);
  g_assert_nonnull (strstr (err, "Cannot parse integer value \"abc\" for --window-days"));
  g_assert_null (strstr (err, "\xe2\x80\x9c"));
  g_clear_pointer (&out, g_free);
  g_clear_pointer (&err, g_free);

  g_assert_cmpint (fleetc ((const char *[]) { "show", missing, NULL }, &out, &err), ==, 2);
  g_assert_cmpstr (err, ==, expected);
  g_clear_pointer (&out, g_free);
  g_clear_pointer (&err, g_free);

  g_assert_cmpint (fleetc ((const char *[]) { "diff", missing, missing, NULL }, &out, &err),
                   ==, 2);
  g_assert_true (g_str_has_prefix (err, expected_diff));
}

int
main (int argc, char **argv)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *home = g_dir_make_tmp ("fleet-cli-home-XXXXXX", &error);
  int status;

  /* fleetc reads ~/.ssh/config unless -F names another file, so an empty
   * HOME keeps the machine's own file out of every test. */
  g_assert_no_error (error);
  g_setenv ("HOME", home, TRUE);
  g_test_init (&argc, &argv, NULL);

#define ADD(path, func) \
  g_test_add (path, Fixture, NULL, fleet_test_dir_set_up, func, fleet_test_dir_tear_down)

  ADD ("/cli/compile/deterministic", test_compile_deterministic);
  ADD ("/cli/run/limits-checked-first", test_run_checks_limits_first);
  ADD ("/cli/compile/error-keeps-old-plan", test_compile_error_keeps_old_plan);
  ADD ("/cli/show/json", test_show_json);
  g_test_add ("/cli/messages/plain-quotes", Fixture, NULL, fleet_test_dir_set_up,
              test_messages_plain_quotes, fleet_test_dir_tear_down);
  g_test_add ("/cli/show/language-golden", Fixture, "language", fleet_test_dir_set_up,
              test_show_steps_golden, fleet_test_dir_tear_down);
  g_test_add ("/cli/show/step-kinds-golden", Fixture, "steps", fleet_test_dir_set_up,
              test_show_steps_golden, fleet_test_dir_tear_down);
  ADD ("/cli/show/markdown", test_show_markdown);
  ADD ("/cli/show/markdown-escapes", test_show_markdown_escapes);
  ADD ("/cli/show/pacing", test_show_pacing);
  ADD ("/cli/show/stages", test_show_stages);
  ADD ("/cli/compile/limit", test_compile_limit);
  ADD ("/cli/show-copy-file-settings", test_show_copy_file_settings);
  ADD ("/cli/show-groups-hosts", test_show_groups_hosts);
  ADD ("/cli/compile/include-relative-path", test_include_from_relative_path);
  ADD ("/cli/usage-errors", test_usage_errors);
  ADD ("/cli/show/escapes-terminal-controls", test_show_escapes_terminal_controls);
  ADD ("/cli/compile/output-not-an-input", test_output_cannot_overwrite_input);
  ADD ("/cli/compile/empty-group-list", test_empty_group_list_rejected);
  ADD ("/cli/compile/byte-order-mark", test_byte_order_mark_accepted);
  ADD ("/cli/ssh-config/option", test_ssh_config_option);
  ADD ("/cli/ssh-config/default-and-none", test_ssh_config_default_and_none);
  ADD ("/cli/ssh-config/rejected-line", test_ssh_config_rejected_line);
  ADD ("/cli/ansible/host-via-bastion", test_ansible_host_via_bastion);
  ADD ("/cli/run/hostile-attribute-printed", test_hostile_attribute_printed);
  ADD ("/cli/windows/listing", test_windows_listing);
  ADD ("/cli/windows/errors", test_windows_errors);
  ADD ("/cli/run/example-on-sandbox", test_example_runs_on_sandbox);
  ADD ("/cli/run/failed-canary-halts", test_failed_canary_halts);
  ADD ("/cli/run/interrupt", test_interrupt_exits_3);

  status = g_test_run ();
  g_rmdir (home);
  return status;
}
