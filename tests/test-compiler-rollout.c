/* test-compiler-rollout.c: the workflow keys of a rollout (target.where,
 * canary, spread, order, halt_at) and --limit, with the exact message and
 * FILE:LINE:COLUMN of every diagnostic. */
#include <glib.h>
#include <glib/gstdio.h>
#include <string.h>

#include "compiler/fleet-compiler.h"
#include "tests/test-helpers.h"

typedef struct {
  char *dir;
  FleetDiagnostics *diags;
  FleetWorkflow *workflow;
} Fixture;

static const char inventory[] =
  "hosts:\n"
  "  web1: {attributes: {dc: dc1, rack: r1, role: web}}\n"
  "  web2: {attributes: {dc: dc2, rack: r2, role: web}}\n"
  "  db1: {attributes: {dc: dc1, rack: r1, role: db}}\n"
  "groups:\n"
  "  web: [web1, web2]\n"
  "  db: [db1]\n";

/* Workflows below start with these two lines; `target` or other keys
 * follow on line 3. */
#define HEAD "name: demo\ninventory: inventory.yaml\n"
#define STEPS "steps:\n  - {name: a, run: \"true\", timeout: 5s}\n"

static void
fixture_set_up (Fixture *fixture, gconstpointer data)
{
  fixture->dir = fleet_test_make_dir ("test-compiler-rollout-XXXXXX");
  fixture->diags = fleet_diagnostics_new ();
}

static void
fixture_tear_down (Fixture *fixture, gconstpointer data)
{
  const char *names[] = { "inventory.yaml", "workflow.yaml" };

  for (guint i = 0; i < G_N_ELEMENTS (names); i++)
    {
      g_autofree char *path = g_build_filename (fixture->dir, names[i], NULL);
      g_unlink (path);
    }
  g_assert_cmpint (g_rmdir (fixture->dir), ==, 0);
  g_free (fixture->dir);
  fleet_workflow_free (fixture->workflow);
  fleet_diagnostics_free (fixture->diags);
}

static char *
workflow_path (Fixture *fixture)
{
  return g_build_filename (fixture->dir, "workflow.yaml", NULL);
}

/* Compile `text` as workflow.yaml next to the inventory above. */
static FleetWorkflow *
compile (Fixture *fixture, const char *text)
{
  g_autofree char *inventory_path = g_build_filename (fixture->dir, "inventory.yaml", NULL);
  g_autofree char *path = workflow_path (fixture);
  g_autofree char *formatted = NULL;

  g_assert_true (g_file_set_contents (inventory_path, inventory, -1, NULL));
  g_assert_true (g_file_set_contents (path, text, -1, NULL));
  fixture->workflow = fleet_compile_workflow_file (path, NULL, fixture->diags);
  formatted = fleet_diagnostics_format (fixture->diags);
  g_test_message ("diagnostics:\n%s", formatted);
  return fixture->workflow;
}

/* Assert that diagnostic `index` has `severity`, points at `file`
 * (workflow.yaml when NULL), `line` and `column`, and has `message`. */
static void
assert_diagnostic (Fixture *fixture, guint index, FleetSeverity severity, const char *file,
                   guint line, guint column, const char *message)
{
  g_autofree char *path = workflow_path (fixture);
  const FleetDiagnostic *diagnostic;

  g_assert_cmpuint (index, <, fleet_diagnostics_length (fixture->diags));
  diagnostic = fleet_diagnostics_get (fixture->diags, index);
  g_assert_cmpint (diagnostic->severity, ==, severity);
  g_assert_cmpstr (diagnostic->pos.file, ==, file != NULL ? file : path);
  g_assert_cmpuint (diagnostic->pos.line, ==, line);
  g_assert_cmpuint (diagnostic->pos.column, ==, column);
  g_assert_cmpstr (diagnostic->message, ==, message);
}

/* Compile `text`, which must have exactly one error: this one. */
static void
assert_single_error (Fixture *fixture, const char *text, guint line, guint column,
                     const char *message)
{
  g_assert_null (compile (fixture, text));
  g_assert_cmpuint (fleet_diagnostics_error_count (fixture->diags), ==, 1);
  assert_diagnostic (fixture, 0, FLEET_SEVERITY_ERROR, NULL, line, column, message);
}

/* target.where */

static void
test_where_alone (Fixture *fixture, gconstpointer data)
{
  FleetWorkflow *workflow = compile (fixture, HEAD "target:\n  where: 'dc == \"dc1\"'\n" STEPS);

  g_assert_nonnull (workflow);
  g_assert_nonnull (workflow->target.where);
  g_assert_cmpstr (workflow->target.where->text, ==, "dc == \"dc1\"");
  g_assert_false (workflow->target.all);
  g_assert_cmpuint (fleet_diagnostics_length (fixture->diags), ==, 0);
}

/* In a plain value, the expression's column maps directly. */
static void
test_where_error_plain (Fixture *fixture, gconstpointer data)
{
  assert_single_error (fixture, HEAD "target:\n  where: dc = \"dc1\"\n" STEPS, 4, 13,
                       "invalid expression for \"where\": unexpected character \"=\" at column "
                       "4; write == to compare");
}

/* In single quotes, '' is one character of the expression and two of the
 * file. */
static void
test_where_error_single_quoted (Fixture *fixture, gconstpointer data)
{
  assert_single_error (fixture, HEAD "target:\n  where: 'name == ''web1'''\n" STEPS, 4, 19,
                       "invalid expression for \"where\": unexpected character \"'\" at column "
                       "9; strings use double quotes");
}

/* In double quotes, \" is one character of the expression and two of the
 * file. */
static void
test_where_error_double_quoted (Fixture *fixture, gconstpointer data)
{
  assert_single_error (fixture,
                       HEAD "target:\n  where: \"dc == \\\"dc1\\\" && role == \\\"db\\\"\"\n" STEPS,
                       4, 25,
                       "invalid expression for \"where\": unexpected character \"&\" at column "
                       "13; write 'and' instead of &&");
}

/* In a folded block, the error points into the line it is on. */
static void
test_where_error_folded_block (Fixture *fixture, gconstpointer data)
{
  assert_single_error (fixture,
                       HEAD "target:\n  where: >-\n    dc == \"dc1\"\n    AND role == \"web\"\n" STEPS,
                       6, 5,
                       "invalid expression for \"where\": AND at column 13 is not a keyword; "
                       "keywords are lower case: and");
}

static void
test_where_unknown_attribute (Fixture *fixture, gconstpointer data)
{
  FleetWorkflow *workflow = compile (fixture, HEAD "target:\n"
                                              "  where: 'role == \"web\" and rakc == \"r1\"'\n"
                                              STEPS);

  g_assert_nonnull (workflow);
  g_assert_cmpuint (fleet_diagnostics_warning_count (fixture->diags), ==, 1);
  assert_diagnostic (fixture, 0, FLEET_SEVERITY_WARNING, NULL, 4, 29,
                     "unknown attribute \"rakc\" in target \"where\": no host of the inventory "
                     "has it, so every comparison with it is false; did you mean \"rack\"?");
}

static void
test_where_names_known (Fixture *fixture, gconstpointer data)
{
  FleetWorkflow *workflow = compile (fixture, HEAD "target:\n"
                                              "  where: 'name like \"web*\" and groups contains "
                                              "\"web\" and not defined(role)'\n"
                                              STEPS);

  g_assert_nonnull (workflow);
  g_assert_cmpuint (fleet_diagnostics_length (fixture->diags), ==, 0);
}

/* A group name that the inventory lacks gets the same warning as an
 * unknown attribute, in each form of membership test. */
static void
test_where_unknown_group (Fixture *fixture, gconstpointer data)
{
  FleetWorkflow *workflow = compile (fixture, HEAD "target:\n"
                                              "  where: 'groups contains \"dbs\" or \"ops\" in groups'\n"
                                              STEPS);

  g_assert_nonnull (workflow);
  g_assert_cmpuint (fleet_diagnostics_warning_count (fixture->diags), ==, 2);
  assert_diagnostic (fixture, 0, FLEET_SEVERITY_WARNING, NULL, 4, 27,
                     "unknown group \"dbs\" in target \"where\": the inventory has no group of "
                     "that name, so no host is in it; did you mean \"db\"?");
  assert_diagnostic (fixture, 1, FLEET_SEVERITY_WARNING, NULL, 4, 36,
                     "unknown group \"ops\" in target \"where\": the inventory has no group of "
                     "that name, so no host is in it; the known groups are: db, web");
}

static void
test_limit_unknown_group (Fixture *fixture, gconstpointer data)
{
  FleetWorkflow *workflow = compile (fixture, HEAD "target: {all: true}\n" STEPS);

  g_assert_nonnull (workflow);
  g_assert_true (fleet_compile_limit (workflow, "groups contains \"wbe\" or name == \"db1\"",
                                      fixture->diags));
  g_assert_cmpuint (fleet_diagnostics_warning_count (fixture->diags), ==, 1);
  assert_diagnostic (fixture, 0, FLEET_SEVERITY_WARNING, "--limit", 1, 17,
                     "unknown group \"wbe\" in --limit: the inventory has no group of that "
                     "name, so no host is in it; did you mean \"web\"?");
}

/* canary */

static void
test_canary_forms (Fixture *fixture, gconstpointer data)
{
  FleetWorkflow *workflow = compile (fixture, HEAD "target: {all: true}\ncanary: 2\n" STEPS);

  g_assert_nonnull (workflow);
  g_assert_cmpint (workflow->canary.kind, ==, FLEET_CANARY_COUNT);
  g_assert_cmpuint (workflow->canary.count, ==, 2);
  g_clear_pointer (&fixture->workflow, fleet_workflow_free);

  workflow = compile (fixture, HEAD "target: {all: true}\ncanary: {hosts: [web2, db1]}\n" STEPS);
  g_assert_nonnull (workflow);
  g_assert_cmpint (workflow->canary.kind, ==, FLEET_CANARY_HOSTS);
  g_assert_cmpuint (workflow->canary.hosts->len, ==, 2);
  g_clear_pointer (&fixture->workflow, fleet_workflow_free);

  workflow = compile (fixture, HEAD "target: {all: true}\ncanary: {where: 'rack == \"r2\"'}\n"
                               STEPS);
  g_assert_nonnull (workflow);
  g_assert_cmpint (workflow->canary.kind, ==, FLEET_CANARY_WHERE);
  g_assert_cmpstr (workflow->canary.where->text, ==, "rack == \"r2\"");
}

static void
test_canary_zero (Fixture *fixture, gconstpointer data)
{
  assert_single_error (fixture, HEAD "target: {all: true}\ncanary: 0\n" STEPS, 4, 9,
                       "invalid integer \"0\" for \"canary\": use a value from 1 to 4294967295");
}

static void
test_canary_hosts_and_where (Fixture *fixture, gconstpointer data)
{
  assert_single_error (fixture, HEAD "target: {all: true}\n"
                                     "canary: {hosts: [web1], where: 'dc == \"dc1\"'}\n" STEPS,
                       4, 9,
                       "canary takes \"hosts\" or \"where\", not both; put the hosts in the "
                       "expression, as in name in [\"web05\"]");
}

static void
test_canary_unknown_host (Fixture *fixture, gconstpointer data)
{
  assert_single_error (fixture, HEAD "target: {all: true}\ncanary: {hosts: [web1, web3]}\n" STEPS,
                       4, 24,
                       "unknown host \"web3\" in canary \"hosts\"; did you mean \"web1\"? The "
                       "inventory defines: db1, web1, web2");
}

static void
test_canary_where_error (Fixture *fixture, gconstpointer data)
{
  assert_single_error (fixture, HEAD "target: {all: true}\ncanary: {where: 'rack =='}\n" STEPS,
                       4, 25,
                       "invalid expression for \"where\": expected a value after '==' at column "
                       "8, found end of expression");
}

/* spread */

static void
test_spread_forms (Fixture *fixture, gconstpointer data)
{
  FleetWorkflow *workflow = compile (fixture, HEAD "target: {all: true}\n"
                                              "spread: {by: rack, max_per_wave: 1}\n" STEPS);
  const FleetSpread *rule;

  g_assert_nonnull (workflow);
  g_assert_cmpuint (workflow->spread->len, ==, 1);
  rule = g_ptr_array_index (workflow->spread, 0);
  g_assert_cmpstr (rule->attribute, ==, "rack");
  g_assert_cmpint (rule->max_per_wave.kind, ==, FLEET_THRESHOLD_COUNT);
  g_assert_cmpuint (rule->pos.line, ==, 4);
  g_assert_cmpuint (rule->pos.column, ==, 14);
  g_clear_pointer (&fixture->workflow, fleet_workflow_free);

  workflow = compile (fixture, HEAD "target: {all: true}\n"
                               "spread:\n"
                               "  - {by: rack, max_per_wave: \"25%\"}\n"
                               "  - {by: dc, max_per_wave: 50%}\n" STEPS);
  g_assert_nonnull (workflow);
  g_assert_cmpuint (workflow->spread->len, ==, 2);
  rule = g_ptr_array_index (workflow->spread, 0);
  g_assert_cmpint (rule->max_per_wave.kind, ==, FLEET_THRESHOLD_PERCENT);
  g_assert_cmpuint (rule->max_per_wave.value, ==, 25);
  rule = g_ptr_array_index (workflow->spread, 1);
  g_assert_cmpstr (rule->attribute, ==, "dc");
  g_assert_cmpuint (rule->max_per_wave.value, ==, 50);
}

static void
test_spread_errors (Fixture *fixture, gconstpointer data)
{
  g_assert_null (compile (fixture, HEAD "target: {all: true}\n"
                                   "spread:\n"
                                   "  - {by: rack, max_per_wave: 1}\n"
                                   "  - {by: dc, max_per_wave: 0}\n"
                                   "  - {by: role, max_per_wave: 101%}\n"
                                   "  - {max_per_wave: 1}\n"
                                   "  - {by: rack, max_per_wave: 2}\n"
                                   "  - {by: rakc, max_per_wave: 2}\n"
                                   "  - [dc]\n" STEPS));
  assert_diagnostic (fixture, 0, FLEET_SEVERITY_ERROR, NULL, 6, 28,
                     "invalid value \"0\" for \"max_per_wave\": every wave must be able to take "
                     "at least 1 host of each domain; write 1 or more, or a percentage");
  assert_diagnostic (fixture, 1, FLEET_SEVERITY_ERROR, NULL, 7, 30,
                     "invalid value \"101%\" for \"max_per_wave\": write a host count such as 2 "
                     "or a percentage such as \"25%\"; a percentage is from 1% to 100%");
  assert_diagnostic (fixture, 2, FLEET_SEVERITY_ERROR, NULL, 8, 5,
                     "missing required key \"by\" in spread");
  assert_diagnostic (fixture, 3, FLEET_SEVERITY_ERROR, NULL, 9, 10,
                     "a second spread rule for \"rack\"; the first is at line 5, column 10. "
                     "Keep one, with the smaller max_per_wave");
  assert_diagnostic (fixture, 4, FLEET_SEVERITY_ERROR, NULL, 11, 5,
                     "invalid item in \"spread\": expected a mapping, found a list");
  assert_diagnostic (fixture, 5, FLEET_SEVERITY_ERROR, NULL, 10, 10,
                     "unknown attribute \"rakc\" in spread \"by\"; did you mean \"rack\"? The "
                     "inventory defines: dc, rack, role");
  g_assert_cmpuint (fleet_diagnostics_error_count (fixture->diags), ==, 6);
}

static void
test_spread_empty_list (Fixture *fixture, gconstpointer data)
{
  assert_single_error (fixture, HEAD "target: {all: true}\nspread: []\n" STEPS, 4, 9,
                       "invalid value for \"spread\": the list is empty; give at least one rule, "
                       "such as {by: rack, max_per_wave: 1}, or remove the key");
}

/* order */

static void
test_order_forms (Fixture *fixture, gconstpointer data)
{
  FleetWorkflow *workflow = compile (fixture, HEAD "target: {all: true}\n"
                                              "order: {by: group, sequence: [db, web]}\n" STEPS);

  g_assert_nonnull (workflow);
  g_assert_cmpstr (workflow->order.by, ==, "group");
  g_assert_cmpuint (workflow->order.sequence->len, ==, 2);
  g_assert_cmpstr (g_ptr_array_index (workflow->order.sequence, 0), ==, "db");
  g_clear_pointer (&fixture->workflow, fleet_workflow_free);

  workflow = compile (fixture, HEAD "target: {all: true}\norder: {by: dc}\n" STEPS);
  g_assert_nonnull (workflow);
  g_assert_cmpstr (workflow->order.by, ==, "dc");
  g_assert_cmpuint (workflow->order.sequence->len, ==, 0);
}

static void
test_order_errors (Fixture *fixture, gconstpointer data)
{
  assert_single_error (fixture, HEAD "target: {all: true}\n"
                                     "order: {by: group, sequence: [db, wbe]}\n" STEPS,
                       4, 35,
                       "unknown group \"wbe\" in order \"sequence\"; did you mean \"web\"? The "
                       "inventory defines: db, web");
  fleet_diagnostics_free (fixture->diags);
  fixture->diags = fleet_diagnostics_new ();

  assert_single_error (fixture, HEAD "target: {all: true}\norder: {by: building}\n" STEPS, 4, 13,
                       "unknown attribute \"building\" in order \"by\"; the inventory defines: dc, "
                       "rack, role");
  fleet_diagnostics_free (fixture->diags);
  fixture->diags = fleet_diagnostics_new ();

  assert_single_error (fixture, HEAD "target: {all: true}\n"
                                     "order: {by: dc, sequence: [dc1, dc2, dc1]}\n" STEPS,
                       4, 38,
                       "duplicate stage \"dc1\" in \"sequence\"; it is first listed at line 4, "
                       "column 28");
  fleet_diagnostics_free (fixture->diags);
  fixture->diags = fleet_diagnostics_new ();

  assert_single_error (fixture, HEAD "target: {all: true}\norder: {sequence: [dc1]}\n" STEPS,
                       4, 8, "missing required key \"by\" in order");
}

/* halt_at */

static void
test_halt_at_forms (Fixture *fixture, gconstpointer data)
{
  FleetWorkflow *workflow = compile (fixture, HEAD "target: {all: true}\n"
                                              "halt_at:\n"
                                              "  failed_per_wave: \"50%\"\n"
                                              "  unreachable_per_wave: unlimited\n"
                                              "  failed_total: 3\n" STEPS);
  const FleetHaltAt *halt_at;

  g_assert_nonnull (workflow);
  halt_at = &workflow->halt_at;
  g_assert_cmpint (halt_at->rules[FLEET_HALT_FAILED_PER_WAVE].kind, ==, FLEET_THRESHOLD_PERCENT);
  g_assert_cmpuint (halt_at->rules[FLEET_HALT_FAILED_PER_WAVE].value, ==, 50);
  g_assert_cmpint (halt_at->rules[FLEET_HALT_UNREACHABLE_PER_WAVE].kind, ==,
                   FLEET_THRESHOLD_UNLIMITED);
  g_assert_cmpint (halt_at->rules[FLEET_HALT_FAILED_TOTAL].kind, ==, FLEET_THRESHOLD_COUNT);
  g_assert_cmpuint (halt_at->rules[FLEET_HALT_FAILED_TOTAL].value, ==, 3);
  g_assert_true (halt_at->is_set[FLEET_HALT_FAILED_TOTAL]);
  g_assert_cmpuint (halt_at->positions[FLEET_HALT_FAILED_TOTAL].line, ==, 7);
  g_assert_cmpuint (halt_at->positions[FLEET_HALT_FAILED_TOTAL].column, ==, 17);

  /* Unset rules keep their defaults. */
  g_assert_false (halt_at->is_set[FLEET_HALT_UNREACHABLE_TOTAL]);
  g_assert_cmpint (halt_at->rules[FLEET_HALT_UNREACHABLE_TOTAL].kind, ==,
                   FLEET_THRESHOLD_UNLIMITED);
}

static void
test_halt_at_errors (Fixture *fixture, gconstpointer data)
{
  g_assert_null (compile (fixture, HEAD "target: {all: true}\n"
                                   "halt_at:\n"
                                   "  failed_per_wave: 0\n"
                                   "  unreachable_per_wave: \"0%\"\n"
                                   "  failed_total: \"2\"\n"
                                   "  unreachable_total: some\n"
                                   "  failed_per_wav: 1\n" STEPS));
  assert_diagnostic (fixture, 0, FLEET_SEVERITY_ERROR, NULL, 5, 20,
                     "invalid value \"0\" for \"failed_per_wave\": the run halts when the count "
                     "of hosts reaches the threshold, so 1 already halts at the first one; write "
                     "1 for that, or unlimited to never halt");
  assert_diagnostic (fixture, 1, FLEET_SEVERITY_ERROR, NULL, 6, 25,
                     "invalid value \"0%\" for \"unreachable_per_wave\": the run halts when the "
                     "count of hosts reaches the threshold, so 1 already halts at the first one; "
                     "write 1 for that, or unlimited to never halt");
  assert_diagnostic (fixture, 2, FLEET_SEVERITY_ERROR, NULL, 7, 17,
                     "invalid host count \"2\" for \"failed_total\": write it without quotes");
  assert_diagnostic (fixture, 3, FLEET_SEVERITY_ERROR, NULL, 8, 22,
                     "invalid value \"some\" for \"unreachable_total\": write a host count such "
                     "as 2, a percentage such as \"25%\", or unlimited");
  assert_diagnostic (fixture, 4, FLEET_SEVERITY_ERROR, NULL, 9, 3,
                     "unknown key \"failed_per_wav\" in halt_at; did you mean \"failed_per_wave\"?");
  g_assert_cmpuint (fleet_diagnostics_error_count (fixture->diags), ==, 5);
}

/* concurrency and protect */

static void
test_pacing_forms (Fixture *fixture, gconstpointer data)
{
  FleetWorkflow *workflow = compile (fixture, HEAD "target: {all: true}\n"
                                              "concurrency: {adaptive: false, initial: 4, min: 2,\n"
                                              "              caps: {dc: 1, rack: 3}}\n"
                                              "protect: {max_load: 2.5, guard: \"test -e /ok\",\n"
                                              "          defer: 5s, max_wait: 1m, nice: 10,\n"
                                              "          ionice: idle}\n" STEPS);
  const FleetCapRule *dc;

  g_assert_nonnull (workflow);
  g_assert_true (workflow->pacing->fixed);
  g_assert_cmpuint (workflow->pacing->initial, ==, 4);
  g_assert_cmpuint (workflow->pacing->min, ==, 2);
  g_assert_cmpuint (workflow->pacing->caps->len, ==, 2);
  dc = g_ptr_array_index (workflow->pacing->caps, 0);
  g_assert_cmpstr (dc->attribute, ==, "dc");
  g_assert_cmpuint (dc->limit, ==, 1);
  g_assert_cmpstr (workflow->pacing->max_load, ==, "2.5");
  g_assert_cmpstr (workflow->pacing->guard_command, ==, "test -e /ok");
  g_assert_cmpuint (workflow->pacing->defer_ms, ==, 5000);
  g_assert_cmpuint (workflow->pacing->max_wait_ms, ==, 60000);
  g_assert_cmpint (workflow->pacing->nice, ==, 10);
  g_assert_cmpstr (workflow->pacing->ionice, ==, "idle");
}

/* An initial limit above the parallelism is cut to it, with a warning. */
static void
test_pacing_initial_above_parallelism (Fixture *fixture, gconstpointer data)
{
  g_assert_nonnull (compile (fixture, HEAD "target: {all: true}\nparallelism: 5\n"
                                      "concurrency: {initial: 50}\n" STEPS));
  g_assert_cmpuint (fleet_diagnostics_warning_count (fixture->diags), ==, 1);
  assert_diagnostic (fixture, 0, FLEET_SEVERITY_WARNING, NULL, 5, 24,
                     "concurrency \"initial\" (50) is above \"parallelism\" (5), which caps "
                     "it: the run starts with 5 hosts; raise parallelism or lower initial");
}

static void
test_pacing_errors (Fixture *fixture, gconstpointer data)
{
  g_assert_null (compile (fixture, HEAD "target: {all: true}\n"
                                   "concurrency:\n"
                                   "  initial: 0\n"
                                   "  caps: {dc: 0, rak: 5, rack: [1]}\n"
                                   "protect:\n"
                                   "  max_load: high\n"
                                   "  ionice: realtime\n"
                                   "  nice: 20\n" STEPS));
  assert_diagnostic (fixture, 0, FLEET_SEVERITY_ERROR, NULL, 5, 12,
                     "invalid integer \"0\" for \"initial\": use a value from 1 to 100000");
  assert_diagnostic (fixture, 1, FLEET_SEVERITY_ERROR, NULL, 6, 14,
                     "invalid cap \"0\" for \"dc\" in \"caps\"; give the most hosts sharing one "
                     "value of the attribute that may be busy at once, a whole number of at "
                     "least 1");
  assert_diagnostic (fixture, 2, FLEET_SEVERITY_ERROR, NULL, 6, 31,
                     "the cap for \"rack\" in \"caps\" must be a host count, not a list or "
                     "mapping");
  assert_diagnostic (fixture, 3, FLEET_SEVERITY_ERROR, NULL, 8, 13,
                     "invalid value \"high\" for \"max_load\"; give the 1-minute load average "
                     "above which a host waits, a decimal number above 0 such as 4 or 2.5");
  assert_diagnostic (fixture, 4, FLEET_SEVERITY_ERROR, NULL, 9, 11,
                     "invalid value \"realtime\" for \"ionice\"; use idle (I/O only when the "
                     "disk is otherwise idle) or best-effort");
  assert_diagnostic (fixture, 5, FLEET_SEVERITY_ERROR, NULL, 10, 9,
                     "invalid integer \"20\" for \"nice\": use a value from 0 to 19");
  assert_diagnostic (fixture, 6, FLEET_SEVERITY_ERROR, NULL, 6, 17,
                     "unknown attribute \"rak\" in concurrency \"caps\"; did you mean "
                     "\"rack\"? The inventory defines: dc, rack, role");
  g_assert_cmpuint (fleet_diagnostics_error_count (fixture->diags), ==, 7);
}

/* --limit */

static void
test_limit (Fixture *fixture, gconstpointer data)
{
  FleetWorkflow *workflow = compile (fixture, HEAD "target: {all: true}\n" STEPS);
  g_autofree char *formatted = NULL;

  g_assert_nonnull (workflow);
  g_assert_true (fleet_compile_limit (workflow, "dc == \"dc1\" or rak == \"r2\"", fixture->diags));
  g_assert_nonnull (workflow->limit);
  assert_diagnostic (fixture, 0, FLEET_SEVERITY_WARNING, "--limit", 1, 16,
                     "unknown attribute \"rak\" in --limit: no host of the inventory has it, so "
                     "every comparison with it is false; did you mean \"rack\"?");

  g_assert_false (fleet_compile_limit (workflow, "dc == \"dc1\" and", fixture->diags));
  assert_diagnostic (fixture, 1, FLEET_SEVERITY_ERROR, "--limit", 1, 16,
                     "invalid expression for --limit: expected a condition after 'and' at "
                     "column 16, found end of expression");

  /* The diagnostics quote the expression with a caret. */
  formatted = fleet_diagnostics_format (fixture->diags);
  g_assert_nonnull (strstr (formatted, "--limit:1:16: error: invalid expression for --limit"));
  g_assert_nonnull (strstr (formatted, "\n  dc == \"dc1\" and\n                 ^\n"));
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);

#define ADD(path, func) \
  g_test_add (path, Fixture, NULL, fixture_set_up, func, fixture_tear_down)

  ADD ("/compiler/where/alone", test_where_alone);
  ADD ("/compiler/where/error-plain", test_where_error_plain);
  ADD ("/compiler/where/error-single-quoted", test_where_error_single_quoted);
  ADD ("/compiler/where/error-double-quoted", test_where_error_double_quoted);
  ADD ("/compiler/where/error-folded-block", test_where_error_folded_block);
  ADD ("/compiler/where/unknown-attribute", test_where_unknown_attribute);
  ADD ("/compiler/where/unknown-group", test_where_unknown_group);
  ADD ("/compiler/where/names-known", test_where_names_known);
  ADD ("/compiler/canary/forms", test_canary_forms);
  ADD ("/compiler/canary/zero", test_canary_zero);
  ADD ("/compiler/canary/hosts-and-where", test_canary_hosts_and_where);
  ADD ("/compiler/canary/unknown-host", test_canary_unknown_host);
  ADD ("/compiler/canary/where-error", test_canary_where_error);
  ADD ("/compiler/spread/forms", test_spread_forms);
  ADD ("/compiler/spread/errors", test_spread_errors);
  ADD ("/compiler/spread/empty-list", test_spread_empty_list);
  ADD ("/compiler/order/forms", test_order_forms);
  ADD ("/compiler/order/errors", test_order_errors);
  ADD ("/compiler/halt-at/forms", test_halt_at_forms);
  ADD ("/compiler/halt-at/errors", test_halt_at_errors);
  ADD ("/compiler/pacing/forms", test_pacing_forms);
  ADD ("/compiler/pacing/errors", test_pacing_errors);
  ADD ("/compiler/pacing/initial-above-parallelism", test_pacing_initial_above_parallelism);
  ADD ("/compiler/limit", test_limit);
  ADD ("/compiler/limit/unknown-group", test_limit_unknown_group);

  return g_test_run ();
}
