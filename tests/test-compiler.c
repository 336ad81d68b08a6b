/* test-compiler.c: the YAML front end, from workflow and inventory files to
 * the workflow IR, and every diagnostic it reports.
 *
 * Most cases write small files into a temporary directory and pin the exact
 * message and position of each diagnostic.  The full-language cases read the
 * fixtures under tests/data/compiler, found through FLEET_SOURCE_ROOT.
 */
#include <glib.h>
#include <glib/gstdio.h>
#include <string.h>
#include <unistd.h>

#include "compiler/fleet-compiler.h"
#include "compiler/scalar.h"
#include "compiler/yaml-tree.h"
#include "schema/workflow-schema.h"
#include "tests/test-helpers.h"

typedef struct {
  char *dir;                  /* temporary directory, removed on tear-down */
  FleetDiagnostics *diags;
} Fixture;

static const char basic_inventory[] =
  "hosts:\n"
  "  web1: {port: 22001}\n"
  "  web2: {port: 22002}\n"
  "  db1: {port: 22003}\n"
  "groups:\n"
  "  web: [web1, web2]\n"
  "  db: [db1]\n";

/* The first four lines of most workflows below; steps start on line 5. */
#define WORKFLOW_HEAD \
  "name: demo\n" \
  "inventory: inventory.yaml\n" \
  "target: {all: true}\n" \
  "steps:\n"

static void
fixture_set_up (Fixture *fixture, gconstpointer data)
{
  fixture->dir = fleet_test_make_dir ("test-compiler-XXXXXX");
  fixture->diags = fleet_diagnostics_new ();
}

static void
fixture_tear_down (Fixture *fixture, gconstpointer data)
{
  g_autoptr (GDir) dir = g_dir_open (fixture->dir, 0, NULL);
  const char *name;

  while (dir != NULL && (name = g_dir_read_name (dir)) != NULL)
    {
      g_autofree char *path = g_build_filename (fixture->dir, name, NULL);
      g_assert_cmpint (g_unlink (path), ==, 0);
    }

  g_assert_cmpint (g_rmdir (fixture->dir), ==, 0);
  g_free (fixture->dir);
  fleet_diagnostics_free (fixture->diags);
}

static char *
fixture_path (Fixture *fixture, const char *name)
{
  return g_build_filename (fixture->dir, name, NULL);
}

static char *
write_file (Fixture *fixture, const char *name, const char *contents)
{
  return fleet_test_write_file_in (fixture->dir, name, contents);
}

static char *
data_path (const char *relative)
{
  const char *root = g_getenv ("FLEET_SOURCE_ROOT");

  g_assert_nonnull (root);
  return g_build_filename (root, "tests", "data", "compiler", relative, NULL);
}

/* Print every diagnostic, so that a failing assertion shows them all. */
static void
show_diagnostics (Fixture *fixture)
{
  g_autofree char *text = fleet_diagnostics_format (fixture->diags);

  g_test_message ("diagnostics:\n%s", text);
}

/* Compile `workflow` as workflow.yaml next to the basic inventory. */
static FleetWorkflow *
compile_workflow (Fixture *fixture, const char *workflow)
{
  g_autofree char *path = NULL;
  FleetWorkflow *result;

  g_free (write_file (fixture, "inventory.yaml", basic_inventory));
  path = write_file (fixture, "workflow.yaml", workflow);
  result = fleet_compile_workflow_file (path, NULL, fixture->diags);

  show_diagnostics (fixture);
  return result;
}

static FleetInventory *
load_inventory (Fixture *fixture, const char *inventory)
{
  g_autofree char *path = write_file (fixture, "inventory.yaml", inventory);
  FleetInventory *result = fleet_load_inventory_file (path, NULL, fixture->diags);

  show_diagnostics (fixture);
  return result;
}

/* Assert that diagnostic `index` is an error at `file_name` (in the
 * fixture's directory), `line` and `column`, with exactly `message`. */
static void
assert_error (Fixture *fixture,
              guint index,
              const char *file_name,
              guint line,
              guint column,
              const char *message)
{
  g_autofree char *path = fixture_path (fixture, file_name);
  const FleetDiagnostic *diagnostic;

  g_assert_cmpuint (index, <, fleet_diagnostics_length (fixture->diags));
  diagnostic = fleet_diagnostics_get (fixture->diags, index);

  g_assert_cmpint (diagnostic->severity, ==, FLEET_SEVERITY_ERROR);
  g_assert_cmpstr (diagnostic->pos.file, ==, path);
  g_assert_cmpuint (diagnostic->pos.line, ==, line);
  g_assert_cmpuint (diagnostic->pos.column, ==, column);
  g_assert_cmpstr (diagnostic->message, ==, message);
}

static void
assert_counts (Fixture *fixture, guint errors, guint warnings)
{
  g_assert_cmpuint (fleet_diagnostics_error_count (fixture->diags), ==, errors);
  g_assert_cmpuint (fleet_diagnostics_warning_count (fixture->diags), ==, warnings);
}

/* Compile a workflow whose only problem is expected on `line`, `column`,
 * and assert that error. */
static void
assert_single_workflow_error (Fixture *fixture,
                              const char *workflow,
                              guint line,
                              guint column,
                              const char *message)
{
  g_autoptr (FleetWorkflow) result = compile_workflow (fixture, workflow);

  g_assert_null (result);
  g_assert_cmpuint (fleet_diagnostics_error_count (fixture->diags), ==, 1);
  assert_error (fixture, 0, "workflow.yaml", line, column, message);
}

static void
test_yaml_syntax_error (Fixture *fixture, gconstpointer data)
{
  assert_single_workflow_error (fixture,
                                "name: demo\n"
                                "target: {all: true\n"
                                "steps: []\n",
                                3, 6,
                                "invalid YAML: did not find expected ',' or '}' "
                                "(while parsing a flow mapping started at line 2, column 9)");
}

/* libyaml puts the end of an input without a final newline on a line past
 * the last one; the error points just after the last character instead. */
static void
test_yaml_error_at_end_without_newline (Fixture *fixture, gconstpointer data)
{
  assert_single_workflow_error (fixture,
                                "name: demo\n"
                                "steps: [",
                                2, 9,
                                "invalid YAML: did not find expected node content "
                                "(while parsing a flow node started at line 2, column 9)");
}

static void
test_yaml_bad_indentation (Fixture *fixture, gconstpointer data)
{
  assert_single_workflow_error (fixture,
                                "name: demo\n"
                                "  inventory: inventory.yaml\n",
                                2, 12,
                                "invalid YAML: mapping values are not allowed in this context");
}

/* A tab in indentation is named as such, with the fix. */
static void
test_yaml_tab_indentation (Fixture *fixture, gconstpointer data)
{
  assert_single_workflow_error (fixture,
                                "name: demo\n"
                                "steps:\n"
                                "\t- {name: a, run: \"true\"}\n",
                                3, 1,
                                "invalid YAML: a tab character indents this line (found character "
                                "that cannot start any token); YAML indents with spaces only, so "
                                "replace the tab with spaces");
}

static void
test_yaml_invalid_utf8 (Fixture *fixture, gconstpointer data)
{
  assert_single_workflow_error (fixture, "name: caf\xe9\n", 1, 10,
                                "invalid YAML: incomplete UTF-8 octet sequence");
}

static void
test_yaml_empty_file (Fixture *fixture, gconstpointer data)
{
  assert_single_workflow_error (fixture, "", 1, 1, "file is empty; expected a YAML mapping");
}

static void
test_yaml_only_comments (Fixture *fixture, gconstpointer data)
{
  assert_single_workflow_error (fixture, "# nothing yet\n", 1, 1,
                                "file is empty; expected a YAML mapping");
}

static void
test_yaml_multiple_documents (Fixture *fixture, gconstpointer data)
{
  assert_single_workflow_error (fixture,
                                "name: first\n"
                                "---\n"
                                "name: second\n",
                                2, 1,
                                "file contains more than one YAML document; keep only the first");
}

static void
test_yaml_nul_byte (Fixture *fixture, gconstpointer data)
{
  assert_single_workflow_error (fixture, "name: \"demo\\0\"\n", 1, 7,
                                "scalar contains a NUL byte; remove the \\0 escape");
}

static void
test_yaml_unsupported_tag (Fixture *fixture, gconstpointer data)
{
  assert_single_workflow_error (fixture, "name: demo\nparallelism: !!int 5\n", 2, 14,
                                "unsupported YAML tag \"tag:yaml.org,2002:int\": remove it, "
                                "because fleetc types values by key");
}

static void
test_yaml_collection_key (Fixture *fixture, gconstpointer data)
{
  assert_single_workflow_error (fixture, "? [name]\n: demo\n", 1, 3,
                                "mapping key is a collection; keys must be scalars");
}

static void
test_yaml_duplicate_key (Fixture *fixture, gconstpointer data)
{
  assert_single_workflow_error (fixture,
                                WORKFLOW_HEAD
                                "  - name: a\n"
                                "    run: \"true\"\n"
                                "    timeout: 5s\n"
                                "    run: \"false\"\n",
                                8, 5,
                                "duplicate key \"run\"; it is first defined at line 6, column 5");
}

static void
test_yaml_undefined_alias (Fixture *fixture, gconstpointer data)
{
  assert_single_workflow_error (fixture,
                                WORKFLOW_HEAD
                                "  - name: a\n"
                                "    run: *command\n",
                                6, 10,
                                "undefined alias \"command\": define the anchor &command "
                                "before its first use");
}

static void
test_yaml_recursive_alias (Fixture *fixture, gconstpointer data)
{
  assert_single_workflow_error (fixture, "steps: &loop [*loop]\n", 1, 15,
                                "alias \"loop\" refers to a node that contains it");
}

static void
test_yaml_depth_limit (Fixture *fixture, gconstpointer data)
{
  g_autoptr (GString) workflow = g_string_new ("steps: ");
  g_autofree char *message = g_strdup_printf ("YAML nesting is deeper than %u levels",
                                              FLEET_YAML_MAX_DEPTH);

  for (guint i = 0; i < FLEET_YAML_MAX_DEPTH + 10; i++)
    g_string_append_c (workflow, '[');
  for (guint i = 0; i < FLEET_YAML_MAX_DEPTH + 10; i++)
    g_string_append_c (workflow, ']');
  g_string_append_c (workflow, '\n');

  /* The root mapping is level 1, so the 64th '[' (column 8 + 63) opens
   * level 65. */
  assert_single_workflow_error (fixture, workflow->str, 1, 8 + FLEET_YAML_MAX_DEPTH - 1, message);
}

/* Append the alias bomb: x0 with 9 strings, then x1 to x8 with 9 aliases
 * each of the previous level, every line prefixed with `indent`. */
static void
append_alias_bomb (GString *text, const char *indent)
{
  g_string_append_printf (text, "%sx0: &x0 ['lol','lol','lol','lol','lol','lol','lol','lol','lol']\n",
                          indent);

  for (guint level = 1; level < 9; level++)
    {
      g_string_append_printf (text, "%sx%u: &x%u [", indent, level, level);
      for (guint i = 0; i < 9; i++)
        g_string_append_printf (text, "%s*x%u", i > 0 ? "," : "", level - 1);
      g_string_append (text, "]\n");
    }
}

/* Return the error expected for the bomb: x5 has 597,871 expanded nodes,
 * so the first alias of x6 is the first to pass the limit. */
static char *
alias_bomb_message (void)
{
  return g_strdup_printf ("YAML aliases expand to more than %u nodes at alias *x5; "
                          "use fewer aliases or anchor smaller nodes",
                          FLEET_YAML_MAX_EXPANDED_NODES);
}

static void
test_yaml_alias_bomb (Fixture *fixture, gconstpointer data)
{
  g_autofree char *source = data_path ("alias-bomb.yaml");
  g_autofree char *contents = NULL;
  g_autofree char *path = NULL;
  g_autoptr (FleetWorkflow) result = NULL;
  g_autoptr (GError) error = NULL;
  g_autofree char *message = alias_bomb_message ();
  gint64 start = g_get_monotonic_time ();

  g_file_get_contents (source, &contents, NULL, &error);
  g_assert_no_error (error);
  path = write_file (fixture, "workflow.yaml", contents);

  result = fleet_compile_workflow_file (path, NULL, fixture->diags);
  g_test_message ("alias bomb rejected after %" G_GINT64_FORMAT " us",
                  g_get_monotonic_time () - start);
  show_diagnostics (fixture);

  g_assert_null (result);
  assert_counts (fixture, 1, 0);

  /* x6, the first level whose aliases pass the limit, is on line 10; the
   * first alias starts at column 10. */
  assert_error (fixture, 0, "workflow.yaml", 10, 10, message);
}

static void
test_yaml_alias_bomb_in_steps (Fixture *fixture, gconstpointer data)
{
  g_autoptr (GString) workflow = g_string_new (WORKFLOW_HEAD "  - name: a\n    run: \"true\"\n");
  g_autofree char *message = alias_bomb_message ();

  append_alias_bomb (workflow, "    ");
  assert_single_workflow_error (fixture, workflow->str, 13, 14, message);
}

static void
test_yaml_alias_bomb_in_attributes (Fixture *fixture, gconstpointer data)
{
  g_autoptr (GString) inventory = g_string_new ("hosts:\n  web1:\n    attributes:\n");
  g_autoptr (FleetInventory) result = NULL;
  g_autofree char *message = alias_bomb_message ();

  append_alias_bomb (inventory, "      ");
  result = load_inventory (fixture, inventory->str);

  g_assert_null (result);
  assert_counts (fixture, 1, 0);
  assert_error (fixture, 0, "inventory.yaml", 10, 16, message);
}

static void
test_yaml_node_limit (Fixture *fixture, gconstpointer data)
{
  g_autoptr (GString) workflow = g_string_new ("steps: [");
  g_autofree char *message = g_strdup_printf ("YAML document has more than %u nodes",
                                              FLEET_YAML_MAX_EXPANDED_NODES);
  guint64 items = FLEET_YAML_MAX_EXPANDED_NODES;

  for (guint64 i = 0; i < items; i++)
    g_string_append (workflow, "a,");
  g_string_append (workflow, "a]\n");

  /* The root mapping, its key and the list come first, so list item number
   * FLEET_YAML_MAX_EXPANDED_NODES - 2 is one node too many.  Items start at
   * column 9 and take two columns each. */
  assert_single_workflow_error (fixture, workflow->str, 1, 9 + 2 * (FLEET_YAML_MAX_EXPANDED_NODES - 3),
                                message);
}

static void
test_yaml_alias_shared (Fixture *fixture, gconstpointer data)
{
  g_autoptr (FleetInventory) result = load_inventory (fixture,
                                                      "hosts:\n"
                                                      "  web1: &common {port: 2222, user: deploy}\n"
                                                      "  web2: *common\n");
  FleetHost *web2;

  g_assert_nonnull (result);
  assert_counts (fixture, 0, 0);

  web2 = g_hash_table_lookup (result->hosts_by_name, "web2");
  g_assert_nonnull (web2);
  g_assert_cmpuint (web2->port, ==, 2222);
  g_assert_cmpstr (web2->user, ==, "deploy");
}

static void
test_parse_unknown_key (Fixture *fixture, gconstpointer data)
{
  g_autoptr (FleetWorkflow) result = compile_workflow (fixture,
                                                       WORKFLOW_HEAD
                                                       "  - name: a\n"
                                                       "    run: \"true\"\n"
                                                       "    tiemout: 5s\n");

  g_assert_null (result);
  assert_counts (fixture, 1, 1);
  assert_error (fixture, 0, "workflow.yaml", 7, 5,
                "unknown key \"tiemout\" in step; did you mean \"timeout\"?");
}

static void
test_parse_snapshot (Fixture *fixture, gconstpointer data)
{
  g_autoptr (FleetWorkflow) result = compile_workflow (
    fixture,
    WORKFLOW_HEAD
    "  - {name: a, run: \"true\", timeout: 5s}\n"
    "snapshot:\n"
    "  categories: [packages, files]\n"
    "  files: [/etc/nginx/**, \"/srv/my file\"]\n"
    "  facts: {kernel: uname -r, motd: cat /etc/motd}\n"
    "  expect:\n"
    "    packages: [linux-image-*]\n"
    "    files: [/etc/nginx/**]\n"
    "  on_unexpected: fail_host\n");
  const FleetSnapshotConfig *config;

  g_assert_nonnull (result);
  assert_counts (fixture, 0, 0);
  config = result->snapshot;
  g_assert_nonnull (config);
  g_assert_cmpuint (config->categories, ==,
                    1u << FLEET_SNAPSHOT_PACKAGES | 1u << FLEET_SNAPSHOT_FILES);
  g_assert_cmpuint (config->files->len, ==, 2);
  g_assert_cmpstr (g_ptr_array_index (config->files, 1), ==, "/srv/my file");
  g_assert_cmpuint (config->fact_names->len, ==, 2);
  g_assert_cmpstr (g_ptr_array_index (config->fact_names, 1), ==, "motd");
  g_assert_cmpstr (g_ptr_array_index (config->fact_commands, 1), ==, "cat /etc/motd");
  g_assert_cmpstr (g_ptr_array_index (config->expect[FLEET_SNAPSHOT_PACKAGES], 0), ==,
                   "linux-image-*");
  g_assert_cmpstr (g_ptr_array_index (config->expect[FLEET_SNAPSHOT_FILES], 0), ==,
                   "/etc/nginx/**");
  g_assert_cmpint (config->on_unexpected, ==, FLEET_SNAPSHOT_ON_UNEXPECTED_FAIL_HOST);
}

static void
test_parse_snapshot_errors (Fixture *fixture, gconstpointer data)
{
  g_autoptr (FleetWorkflow) result = compile_workflow (
    fixture,
    WORKFLOW_HEAD
    "  - {name: a, run: \"true\", timeout: 5s}\n"
    "snapshot:\n"
    "  categories: [packages, pakages]\n"
    "  expect:\n"
    "    files: [\"/etc/a\\\\\"]\n"
    "    kernels: [x]\n"
    "  on_unexpected: explode\n");

  g_assert_null (result);
  assert_counts (fixture, 4, 0);
  assert_error (fixture, 0, "workflow.yaml", 7, 26,
                "unknown snapshot category \"pakages\"; use os, packages, services, files, "
                "sysctl, ports, users, groups, mounts or facts");
  assert_error (fixture, 1, "workflow.yaml", 9, 13,
                "invalid pattern: files pattern \"/etc/a\\\" ends in a lone \"\\\"; write "
                "\"\\\\\" for a backslash");
  assert_error (fixture, 2, "workflow.yaml", 10, 5,
                "unknown key \"kernels\" in snapshot expect; the valid keys are: os, packages, "
                "services, files, sysctl, ports, users, groups, mounts, facts");
  assert_error (fixture, 3, "workflow.yaml", 11, 18,
                "invalid value \"explode\" for \"on_unexpected\"; use warn, fail_host or halt");
}

static void
test_parse_unknown_key_on (Fixture *fixture, gconstpointer data)
{
  assert_single_workflow_error (fixture,
                                WORKFLOW_HEAD
                                "  - {name: a, run: \"true\", timeout: 5s}\n"
                                "on:\n"
                                "  schedule: nightly\n",
                                6, 1,
                                "unknown key \"on\" in workflow; the valid keys are: name, "
                                "inventory, inventory_timeout, target, parallelism, concurrent_steps, concurrency, protect, canary, waves, spread, order, "
                                "halt_at, vars, include, steps, windows, freezes, schedule, snapshot, "
                                "checks, between_waves, rollback");
}

static void
test_parse_wrong_type (Fixture *fixture, gconstpointer data)
{
  g_autoptr (FleetWorkflow) result = compile_workflow (fixture,
                                                       "name: [demo]\n"
                                                       "inventory: inventory.yaml\n"
                                                       "target: [web]\n"
                                                       "waves: 25%\n"
                                                       "steps:\n"
                                                       "  - run\n");

  g_assert_null (result);
  assert_counts (fixture, 4, 0);
  assert_error (fixture, 0, "workflow.yaml", 1, 7,
                "invalid value for \"name\": expected a string, found a list");
  assert_error (fixture, 1, "workflow.yaml", 3, 9,
                "invalid value for \"target\": expected a mapping, found a list");
  assert_error (fixture, 2, "workflow.yaml", 4, 8,
                "invalid value for \"waves\": expected a list of wave sizes, found a scalar");
  assert_error (fixture, 3, "workflow.yaml", 6, 5,
                "invalid item in \"steps\": expected a mapping, found a scalar");
}

static void
test_parse_missing_field (Fixture *fixture, gconstpointer data)
{
  g_autoptr (FleetWorkflow) result = compile_workflow (fixture,
                                                       "name: demo\n"
                                                       "inventory: inventory.yaml\n"
                                                       "steps:\n"
                                                       "  - name: a\n"
                                                       "    timeout: 5s\n");

  g_assert_null (result);
  assert_counts (fixture, 2, 0);
  assert_error (fixture, 0, "workflow.yaml", 4, 5,
                "step has no kind; give one of \"run\", \"script\", \"copy\", \"template\", "
                "\"reboot\", \"wait_for\" and \"local\"");
  assert_error (fixture, 1, "workflow.yaml", 1, 1, "missing required key \"target\" in workflow");
}

static void
test_parse_missing_value (Fixture *fixture, gconstpointer data)
{
  assert_single_workflow_error (fixture,
                                "name:\n"
                                "inventory: inventory.yaml\n"
                                "target: {all: true}\n"
                                "steps:\n"
                                "  - {name: a, run: \"true\", timeout: 5s}\n",
                                1, 6, "missing value for \"name\"");
}

static void
test_parse_missing_inventory (Fixture *fixture, gconstpointer data)
{
  assert_single_workflow_error (fixture,
                                "name: demo\n"
                                "target: {all: true}\n"
                                "steps:\n"
                                "  - {name: a, run: \"true\", timeout: 5s}\n",
                                1, 1,
                                "missing required key \"inventory\" in workflow; add it or give "
                                "an inventory file on the command line");
}

typedef struct {
  const char *text;           /* value as written after "become:" */
  guint column;
  const char *message;
} InvalidValueCase;

/* Compile a step whose `key` (on line 8) has each value of `cases`. */
static void
check_invalid_step_values (Fixture *fixture,
                           const char *key,
                           const InvalidValueCase *cases,
                           gsize n_cases)
{
  for (gsize i = 0; i < n_cases; i++)
    {
      g_autofree char *workflow = g_strdup_printf (WORKFLOW_HEAD
                                                   "  - name: a\n"
                                                   "    run: \"true\"\n"
                                                   "    expect_exit: 0\n"
                                                   "    %s:%s\n",
                                                   key, cases[i].text);

      g_test_message ("%s:%s", key, cases[i].text);
      fleet_diagnostics_free (fixture->diags);
      fixture->diags = fleet_diagnostics_new ();
      assert_single_workflow_error (fixture, workflow, 8, cases[i].column, cases[i].message);
    }
}

static void
test_parse_invalid_boolean (Fixture *fixture, gconstpointer data)
{
  static const InvalidValueCase cases[] = {
    { " yes", 13, "invalid boolean \"yes\" for \"become\": use true or false" },
    { " no", 13, "invalid boolean \"no\" for \"become\": use true or false" },
    { " on", 13, "invalid boolean \"on\" for \"become\": use true or false" },
    { " off", 13, "invalid boolean \"off\" for \"become\": use true or false" },
    { " y", 13, "invalid boolean \"y\" for \"become\": use true or false" },
    { " n", 13, "invalid boolean \"n\" for \"become\": use true or false" },
    { " nope", 13, "invalid boolean \"nope\" for \"become\": use true or false" },
    { " tru", 13, "invalid boolean \"tru\" for \"become\": use true or false" },
    { " f", 13, "invalid boolean \"f\" for \"become\": use true or false" },
    { " 1", 13, "invalid boolean \"1\" for \"become\": use true or false" },
    { " ~", 13, "invalid boolean \"~\" for \"become\": use true or false" },
    { "", 12, "invalid boolean \"\" for \"become\": use true or false" },
    { " yes please", 13, "invalid boolean \"yes please\" for \"become\": use true or false" },
    { " \"true\"", 13, "invalid boolean \"true\" for \"become\": write it without quotes" },
    { " [true]", 13, "invalid value for \"become\": expected a boolean, found a list" },
  };

  check_invalid_step_values (fixture, "become", cases, G_N_ELEMENTS (cases));
}

static void
test_parse_valid_boolean (Fixture *fixture, gconstpointer data)
{
  static const char * const words[] = { "true", "True", "TRUE", "false", "False", "FALSE" };

  for (gsize i = 0; i < G_N_ELEMENTS (words); i++)
    {
      g_autofree char *workflow = g_strdup_printf (WORKFLOW_HEAD
                                                   "  - {name: a, run: \"true\", timeout: 5s, "
                                                   "become: %s}\n",
                                                   words[i]);
      g_autoptr (FleetWorkflow) result = compile_workflow (fixture, workflow);
      const FleetStep *step;

      g_assert_nonnull (result);
      step = g_ptr_array_index (result->steps, 0);
      g_assert_cmpint (step->become, ==, i < 3);
    }

  assert_counts (fixture, 0, 0);
}

static void
test_parse_invalid_integer (Fixture *fixture, gconstpointer data)
{
  static const InvalidValueCase cases[] = {
    { " 0x10", 18, "invalid integer \"0x10\" for \"expect_exit\": use decimal digits only, "
                   "for a value from 0 to 255" },
    { " +5", 18, "invalid integer \"+5\" for \"expect_exit\": use decimal digits only, "
                 "for a value from 0 to 255" },
    { " -1", 18, "invalid integer \"-1\" for \"expect_exit\": use decimal digits only, "
                 "for a value from 0 to 255" },
    { " 1_0", 18, "invalid integer \"1_0\" for \"expect_exit\": use decimal digits only, "
                  "for a value from 0 to 255" },
    { " 1.5", 18, "invalid integer \"1.5\" for \"expect_exit\": use decimal digits only, "
                  "for a value from 0 to 255" },
    { " ~", 18, "invalid integer \"~\" for \"expect_exit\": use decimal digits only, "
                "for a value from 0 to 255" },
    { " 010", 18, "invalid integer \"010\" for \"expect_exit\": remove the leading zeros, "
                  "which YAML 1.1 reads as octal" },
    { " 256", 18, "invalid integer \"256\" for \"expect_exit\": use a value from 0 to 255" },
    { " 99999999999999999999999", 18,
      "invalid integer \"99999999999999999999999\" for \"expect_exit\": use a value from 0 to 255" },
    { " \"3\"", 18, "invalid integer \"3\" for \"expect_exit\": write it without quotes" },
    { " [0, x]", 22, "invalid integer \"x\" for \"expect_exit\": use decimal digits only, "
                     "for a value from 0 to 255" },
    { " []", 18, "invalid value for \"expect_exit\": the list is empty; give at least one exit status" },
  };

  for (gsize i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autofree char *workflow = g_strdup_printf (WORKFLOW_HEAD
                                                   "  - name: a\n"
                                                   "    run: \"true\"\n"
                                                   "    timeout: 5s\n"
                                                   "    expect_exit:%s\n",
                                                   cases[i].text);

      g_test_message ("expect_exit:%s", cases[i].text);
      fleet_diagnostics_free (fixture->diags);
      fixture->diags = fleet_diagnostics_new ();
      assert_single_workflow_error (fixture, workflow, 8, cases[i].column, cases[i].message);
    }
}

static void
test_parse_integer_bounds (Fixture *fixture, gconstpointer data)
{
  assert_single_workflow_error (fixture,
                                "name: demo\n"
                                "inventory: inventory.yaml\n"
                                "target: {all: true}\n"
                                "parallelism: 0\n"
                                "steps:\n"
                                "  - {name: a, run: \"true\", timeout: 5s}\n",
                                4, 14,
                                "invalid integer \"0\" for \"parallelism\": use a value from 1 to 100000");
}

static void
test_parse_invalid_duration (Fixture *fixture, gconstpointer data)
{
  static const InvalidValueCase cases[] = {
    { " 5x", 14, "invalid duration \"5x\" for \"timeout\": use whole seconds (30) or numbers "
                 "with units d, h, m, s, ms (1h30m, 500ms)" },
    { " 1.5s", 14, "invalid duration \"1.5s\" for \"timeout\": use whole seconds (30) or numbers "
                   "with units d, h, m, s, ms (1h30m, 500ms)" },
    { " -1s", 14, "invalid duration \"-1s\" for \"timeout\": use whole seconds (30) or numbers "
                  "with units d, h, m, s, ms (1h30m, 500ms)" },
    { " 30m1h", 14, "invalid duration \"30m1h\" for \"timeout\": use whole seconds (30) or "
                    "numbers with units d, h, m, s, ms (1h30m, 500ms)" },
    { " 1h1h", 14, "invalid duration \"1h1h\" for \"timeout\": use whole seconds (30) or "
                   "numbers with units d, h, m, s, ms (1h30m, 500ms)" },
    { " 1m30", 14, "invalid duration \"1m30\" for \"timeout\": use whole seconds (30) or "
                   "numbers with units d, h, m, s, ms (1h30m, 500ms)" },
    { " ms", 14, "invalid duration \"ms\" for \"timeout\": use whole seconds (30) or "
                 "numbers with units d, h, m, s, ms (1h30m, 500ms)" },
    { " 010", 14, "invalid duration \"010\" for \"timeout\": use whole seconds (30) or "
                  "numbers with units d, h, m, s, ms (1h30m, 500ms)" },
    { "", 13, "invalid duration \"\" for \"timeout\": use whole seconds (30) or "
              "numbers with units d, h, m, s, ms (1h30m, 500ms)" },
    { " 0", 14, "invalid duration \"0\" for \"timeout\": use a value from 1ms to 7d" },
    { " 0s", 14, "invalid duration \"0s\" for \"timeout\": use a value from 1ms to 7d" },
    { " 8d", 14, "invalid duration \"8d\" for \"timeout\": use a value from 1ms to 7d" },
    { " 7d1ms", 14, "invalid duration \"7d1ms\" for \"timeout\": use a value from 1ms to 7d" },
    { " 99999999999999999999d", 14,
      "invalid duration \"99999999999999999999d\" for \"timeout\": use a value from 1ms to 7d" },
    { " \"30s\"", 14, "invalid duration \"30s\" for \"timeout\": write it without quotes" },
  };

  check_invalid_step_values (fixture, "timeout", cases, G_N_ELEMENTS (cases));
}

static void
test_parse_valid_duration (Fixture *fixture, gconstpointer data)
{
  static const struct {
    const char *text;
    guint64 ms;
  } cases[] = {
    { "30", 30000 },
    { "90s", 90000 },
    { "500ms", 500 },
    { "2m", 120000 },
    { "1h30m", 5400000 },
    { "1h05m", 3900000 },
    { "1d2h3m4s5ms", 93784005 },
    { "7d", 604800000 },
    { "1ms", 1 },
  };

  for (gsize i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autofree char *workflow = g_strdup_printf (WORKFLOW_HEAD
                                                   "  - {name: a, run: \"true\", timeout: %s}\n",
                                                   cases[i].text);
      g_autoptr (FleetWorkflow) result = compile_workflow (fixture, workflow);
      const FleetStep *step;

      g_test_message ("timeout: %s", cases[i].text);
      g_assert_nonnull (result);
      step = g_ptr_array_index (result->steps, 0);
      g_assert_cmpuint (step->timeout_ms, ==, cases[i].ms);
    }

  assert_counts (fixture, 0, 0);
}

static void
test_parse_format_duration (void)
{
  static const struct {
    guint64 ms;
    const char *text;
  } cases[] = {
    { 0, "0s" },
    { 1, "1ms" },
    { 1500, "1s500ms" },
    { 5400000, "1h30m" },
    { 604800000, "7d" },
  };

  for (gsize i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autofree char *text = fleet_format_duration (cases[i].ms);
      g_assert_cmpstr (text, ==, cases[i].text);
    }
}

static void
test_parse_invalid_wave_size (Fixture *fixture, gconstpointer data)
{
  static const InvalidValueCase cases[] = {
    { "0%", 9, "invalid wave size \"0%\": use a host count of at least 1 or a percentage "
               "from 1% to 100%" },
    { "101%", 9, "invalid wave size \"101%\": use a host count of at least 1 or a "
                 "percentage from 1% to 100%" },
    { "0", 9, "invalid wave size \"0\": use a host count of at least 1 or a percentage "
              "from 1% to 100%" },
    { "-1", 9, "invalid wave size \"-1\": use a host count of at least 1 or a percentage "
               "from 1% to 100%" },
    { "1.5%", 9, "invalid wave size \"1.5%\": use a host count of at least 1 or a "
                 "percentage from 1% to 100%" },
    { "010%", 9, "invalid wave size \"010%\": use a host count of at least 1 or a "
                 "percentage from 1% to 100%" },
    { "half", 9, "invalid wave size \"half\": use a host count of at least 1 or a "
                 "percentage from 1% to 100%" },
    { "5000000000", 9, "invalid wave size \"5000000000\": use a host count of at most "
                       "4294967295 or a percentage from 1% to 100%" },
    { "\"25%\"", 9, "invalid wave size \"25%\" for \"waves\": write it without quotes" },
    { "", 8, "invalid value for \"waves\": the list is empty; give at least one wave size, "
             "for example [100%]" },
  };

  for (gsize i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autofree char *workflow = g_strdup_printf ("name: demo\n"
                                                   "inventory: inventory.yaml\n"
                                                   "target: {all: true}\n"
                                                   "waves: [%s]\n"
                                                   "steps:\n"
                                                   "  - {name: a, run: \"true\", timeout: 5s}\n",
                                                   cases[i].text);

      g_test_message ("waves: [%s]", cases[i].text);
      fleet_diagnostics_free (fixture->diags);
      fixture->diags = fleet_diagnostics_new ();
      assert_single_workflow_error (fixture, workflow, 4, cases[i].column, cases[i].message);
    }
}

static void
test_parse_duplicate_step_name (Fixture *fixture, gconstpointer data)
{
  assert_single_workflow_error (fixture,
                                WORKFLOW_HEAD
                                "  - {name: restart, run: \"true\", timeout: 5s}\n"
                                "  - {name: restart, run: \"false\", timeout: 5s}\n",
                                6, 12,
                                "duplicate step name \"restart\"; the first step with this name "
                                "is at line 5, column 12");
}

static void
test_parse_unknown_group (Fixture *fixture, gconstpointer data)
{
  g_autoptr (FleetWorkflow) result = compile_workflow (fixture,
                                                       "name: demo\n"
                                                       "inventory: inventory.yaml\n"
                                                       "target: {groups: [web, wbe, storage]}\n"
                                                       "steps:\n"
                                                       "  - {name: a, run: \"true\", timeout: 5s}\n");

  g_assert_null (result);
  assert_counts (fixture, 2, 0);
  assert_error (fixture, 0, "workflow.yaml", 3, 24,
                "unknown group \"wbe\"; did you mean \"web\"? The inventory defines: db, web");
  assert_error (fixture, 1, "workflow.yaml", 3, 29,
                "unknown group \"storage\"; the inventory defines: db, web");
}

static void
test_parse_unknown_host (Fixture *fixture, gconstpointer data)
{
  assert_single_workflow_error (fixture,
                                "name: demo\n"
                                "inventory: inventory.yaml\n"
                                "target:\n"
                                "  hosts: [web1, web3]\n"
                                "steps:\n"
                                "  - {name: a, run: \"true\", timeout: 5s}\n",
                                4, 17,
                                "unknown host \"web3\"; did you mean \"web1\"? The inventory "
                                "defines: db1, web1, web2");
}

static void
test_parse_duplicate_target_name (Fixture *fixture, gconstpointer data)
{
  assert_single_workflow_error (fixture,
                                "name: demo\n"
                                "inventory: inventory.yaml\n"
                                "target: {hosts: [web1, web1]}\n"
                                "steps:\n"
                                "  - {name: a, run: \"true\", timeout: 5s}\n",
                                3, 24,
                                "duplicate name \"web1\" in \"hosts\"; it is first listed at "
                                "line 3, column 18");
}

static void
test_parse_empty_target (Fixture *fixture, gconstpointer data)
{
  assert_single_workflow_error (fixture,
                                "name: demo\n"
                                "inventory: inventory.yaml\n"
                                "target: {all: false, match: {dc: dc1}}\n"
                                "steps:\n"
                                "  - {name: a, run: \"true\", timeout: 5s}\n",
                                3, 9,
                                "target selects no hosts: set \"all: true\", \"groups\", \"hosts\" or \"where\"");
}

static void
test_parse_become_conflict (Fixture *fixture, gconstpointer data)
{
  assert_single_workflow_error (fixture,
                                WORKFLOW_HEAD
                                "  - name: a\n"
                                "    run: psql -c 'select 1'\n"
                                "    timeout: 5s\n"
                                "    become: false\n"
                                "    become_user: postgres\n",
                                8, 13,
                                "\"become\" is false but \"become_user\" is set; remove one of them");
}

static void
test_parse_empty_steps (Fixture *fixture, gconstpointer data)
{
  assert_single_workflow_error (fixture,
                                "name: demo\n"
                                "inventory: inventory.yaml\n"
                                "target: {all: true}\n"
                                "steps: []\n",
                                4, 8,
                                "invalid value for \"steps\": the list is empty; add at least one step");
}

static void
test_parse_no_timeout_warning (Fixture *fixture, gconstpointer data)
{
  g_autoptr (FleetWorkflow) result = compile_workflow (fixture,
                                                       WORKFLOW_HEAD
                                                       "  - name: wait\n"
                                                       "    run: sleep 60\n");
  g_autofree char *path = fixture_path (fixture, "workflow.yaml");
  const FleetDiagnostic *diagnostic;

  g_assert_nonnull (result);
  assert_counts (fixture, 0, 1);

  diagnostic = fleet_diagnostics_get (fixture->diags, 0);
  g_assert_cmpint (diagnostic->severity, ==, FLEET_SEVERITY_WARNING);
  g_assert_cmpstr (diagnostic->pos.file, ==, path);
  g_assert_cmpuint (diagnostic->pos.line, ==, 5);
  g_assert_cmpuint (diagnostic->pos.column, ==, 5);
  g_assert_cmpstr (diagnostic->message, ==,
                   "step \"wait\" has no timeout; a hung command will hold the run until it "
                   "is interrupted");
}

static void
test_parse_several_errors (Fixture *fixture, gconstpointer data)
{
  g_autoptr (FleetWorkflow) result = compile_workflow (fixture,
                                                       "name: demo\n"
                                                       "inventory: inventory.yaml\n"
                                                       "target: {groups: [web], all: yes}\n"
                                                       "parallelism: ten\n"
                                                       "waves: [50%, 0%]\n"
                                                       "steps:\n"
                                                       "  - name: a\n"
                                                       "    run: \"true\"\n"
                                                       "    timeout: forever\n"
                                                       "    repeat: 3\n");

  g_assert_null (result);
  assert_counts (fixture, 5, 0);
  assert_error (fixture, 0, "workflow.yaml", 3, 30,
                "invalid boolean \"yes\" for \"all\": use true or false");
  assert_error (fixture, 1, "workflow.yaml", 4, 14,
                "invalid integer \"ten\" for \"parallelism\": use decimal digits only, for a "
                "value from 1 to 100000");
  assert_error (fixture, 2, "workflow.yaml", 5, 14,
                "invalid wave size \"0%\": use a host count of at least 1 or a percentage "
                "from 1% to 100%");
  assert_error (fixture, 3, "workflow.yaml", 9, 14,
                "invalid duration \"forever\" for \"timeout\": use whole seconds (30) or numbers "
                "with units d, h, m, s, ms (1h30m, 500ms)");
  assert_error (fixture, 4, "workflow.yaml", 10, 5,
                "unknown key \"repeat\" in step; the valid keys are: name, run, when, needs, "
                "timeout, estimate, expect_exit, become, become_user, idempotent, script, interpreter, copy, "
                "template, reboot, wait_for, local, retries, retry_delay, env, workdir, "
                "changed_when, failed_when");
}

static void
test_parse_boolean_looking_strings (Fixture *fixture, gconstpointer data)
{
  static const char * const names[] = { "NO", "yes", "on", "off", "y", "n", "\"false\"" };

  for (gsize i = 0; i < G_N_ELEMENTS (names); i++)
    {
      g_autofree char *workflow = g_strdup_printf ("name: %s\n"
                                                   "inventory: inventory.yaml\n"
                                                   "target: {all: true, match: {on: off, n: NO}}\n"
                                                   "steps:\n"
                                                   "  - {name: %s, run: \"true\", timeout: 5s}\n",
                                                   names[i], names[i]);
      g_autoptr (FleetWorkflow) result = compile_workflow (fixture, workflow);
      g_autofree char *expected = g_strdup (names[i][0] == '"' ? "false" : names[i]);
      const FleetStep *step;

      g_assert_nonnull (result);
      g_assert_cmpstr (result->name, ==, expected);
      step = g_ptr_array_index (result->steps, 0);
      g_assert_cmpstr (step->name, ==, expected);
      g_assert_cmpstr (g_hash_table_lookup (result->target.match, "on"), ==, "off");
      g_assert_cmpstr (g_hash_table_lookup (result->target.match, "n"), ==, "NO");
    }

  assert_counts (fixture, 0, 0);
}

static void
test_file_not_found (Fixture *fixture, gconstpointer data)
{
  g_autofree char *path = fixture_path (fixture, "missing.yaml");
  g_autofree char *message = g_strdup_printf ("failed to read workflow file \"%s\": "
                                              "No such file or directory", path);
  g_autoptr (FleetWorkflow) result = fleet_compile_workflow_file (path, NULL, fixture->diags);
  const FleetDiagnostic *diagnostic;

  show_diagnostics (fixture);
  g_assert_null (result);
  assert_counts (fixture, 1, 0);

  diagnostic = fleet_diagnostics_get (fixture->diags, 0);
  g_assert_cmpstr (diagnostic->pos.file, ==, path);
  g_assert_cmpuint (diagnostic->pos.line, ==, 0);
  g_assert_cmpstr (diagnostic->message, ==, message);
}

static void
test_file_inventory_not_found (Fixture *fixture, gconstpointer data)
{
  g_autofree char *path = write_file (fixture, "workflow.yaml",
                                      "name: demo\n"
                                      "inventory: hosts/missing.yaml\n"
                                      "target: {all: true}\n"
                                      "steps:\n"
                                      "  - {name: a, run: \"true\", timeout: 5s}\n");
  g_autofree char *inventory = g_build_filename (fixture->dir, "hosts", "missing.yaml", NULL);
  g_autofree char *message = g_strdup_printf ("failed to read inventory file \"%s\": "
                                              "No such file or directory", inventory);
  g_autoptr (FleetWorkflow) result = fleet_compile_workflow_file (path, NULL, fixture->diags);

  show_diagnostics (fixture);
  g_assert_null (result);
  assert_counts (fixture, 1, 0);
  assert_error (fixture, 0, "workflow.yaml", 2, 12, message);
}

static void
test_file_too_large (Fixture *fixture, gconstpointer data)
{
  g_autofree char *path = write_file (fixture, "workflow.yaml", "name: demo\n");
  g_autofree char *message = g_strdup_printf ("workflow file \"%s\" is too large: the maximum "
                                              "is %u bytes", path, FLEET_MAX_INPUT_BYTES);
  g_autoptr (FleetWorkflow) result = NULL;
  const FleetDiagnostic *diagnostic;

  /* A sparse file: the size check must come before any parsing. */
  g_assert_cmpint (truncate (path, (off_t) FLEET_MAX_INPUT_BYTES + 1), ==, 0);

  result = fleet_compile_workflow_file (path, NULL, fixture->diags);
  show_diagnostics (fixture);
  g_assert_null (result);
  assert_counts (fixture, 1, 0);

  diagnostic = fleet_diagnostics_get (fixture->diags, 0);
  g_assert_cmpstr (diagnostic->pos.file, ==, path);
  g_assert_cmpuint (diagnostic->pos.line, ==, 0);
  g_assert_cmpstr (diagnostic->message, ==, message);
}

static void
test_file_directory (Fixture *fixture, gconstpointer data)
{
  g_autoptr (FleetInventory) result = fleet_load_inventory_file (fixture->dir, NULL,
                                                                 fixture->diags);
  g_autofree char *message = g_strdup_printf ("failed to read inventory file \"%s\": Is a directory",
                                              fixture->dir);

  show_diagnostics (fixture);
  g_assert_null (result);
  assert_counts (fixture, 1, 0);
  g_assert_cmpstr (fleet_diagnostics_get (fixture->diags, 0)->message, ==, message);
}

static void
test_inventory_unknown_host_in_group (Fixture *fixture, gconstpointer data)
{
  g_autoptr (FleetInventory) result = load_inventory (fixture,
                                                      "hosts:\n"
                                                      "  web1:\n"
                                                      "  web2:\n"
                                                      "  db1:\n"
                                                      "groups:\n"
                                                      "  web: [web1, wbe2, nothing]\n");

  g_assert_null (result);
  assert_counts (fixture, 2, 0);
  assert_error (fixture, 0, "inventory.yaml", 6, 15,
                "unknown host \"wbe2\" in group \"web\"; did you mean \"web2\"? The inventory "
                "defines: db1, web1, web2");
  assert_error (fixture, 1, "inventory.yaml", 6, 21,
                "unknown host \"nothing\" in group \"web\"; the inventory defines: db1, web1, web2");
}

static void
test_inventory_duplicate_member (Fixture *fixture, gconstpointer data)
{
  g_autoptr (FleetInventory) result = load_inventory (fixture,
                                                      "hosts: {web1: }\n"
                                                      "groups:\n"
                                                      "  web: [web1, web1]\n");

  g_assert_null (result);
  assert_counts (fixture, 1, 0);
  assert_error (fixture, 0, "inventory.yaml", 3, 15,
                "duplicate host \"web1\" in group \"web\"; it is first listed at line 3, column 9");
}

static void
test_inventory_invalid_names (Fixture *fixture, gconstpointer data)
{
  g_autoptr (FleetInventory) result = load_inventory (fixture,
                                                      "hosts:\n"
                                                      "  -oProxyCommand=touch:\n"
                                                      "  \"bad host\":\n"
                                                      "  \"\":\n"
                                                      "  null:\n"
                                                      "  web1: {user: \"-l\"}\n"
                                                      "groups:\n"
                                                      "  \"-g\": [web1]\n");

  g_assert_null (result);
  assert_counts (fixture, 6, 0);
  assert_error (fixture, 0, "inventory.yaml", 2, 3,
                "invalid name \"-oProxyCommand=touch\" in \"hosts\": it must not start with '-'");
  assert_error (fixture, 1, "inventory.yaml", 3, 3,
                "invalid name \"bad host\" in \"hosts\": it must not contain whitespace");
  assert_error (fixture, 2, "inventory.yaml", 4, 3,
                "invalid value \"\" for \"hosts\": it must not be empty");
  assert_error (fixture, 3, "inventory.yaml", 5, 3,
                "invalid name \"null\" in \"hosts\": it is a YAML null; quote it to use it "
                "as a name");
  assert_error (fixture, 4, "inventory.yaml", 6, 16,
                "invalid name \"-l\" in \"user\": it must not start with '-'");
  assert_error (fixture, 5, "inventory.yaml", 8, 3,
                "invalid name \"-g\" in \"groups\": it must not start with '-'");
}

static void
test_inventory_null_attribute (Fixture *fixture, gconstpointer data)
{
  g_autoptr (FleetInventory) result = load_inventory (fixture,
                                                      "hosts:\n"
                                                      "  web1:\n"
                                                      "    attributes:\n"
                                                      "      verify: ~\n"
                                                      "      strict:\n"
                                                      "      rack: [r1]\n"
                                                      "      ~: tilde\n");

  g_assert_null (result);
  assert_counts (fixture, 4, 0);
  assert_error (fixture, 0, "inventory.yaml", 4, 15,
                "attribute \"verify\" in \"attributes\" is null (~); quote it to keep \"~\" as "
                "text, or write \"\" for an empty value");
  /* Nothing after the colon is an empty value left out, not a null. */
  assert_error (fixture, 1, "inventory.yaml", 5, 14,
                "attribute \"strict\" in \"attributes\" has no value; write \"\" for an empty "
                "value, or remove the attribute");
  assert_error (fixture, 2, "inventory.yaml", 6, 13,
                "invalid value for attribute \"rack\" in \"attributes\": expected a scalar, "
                "found a list");
  assert_error (fixture, 3, "inventory.yaml", 7, 7,
                "invalid attribute name \"~\" in \"attributes\": it is a YAML null; quote it "
                "to use it as a name");
}

static void
test_inventory_unknown_key (Fixture *fixture, gconstpointer data)
{
  g_autoptr (FleetInventory) result = load_inventory (fixture,
                                                      "defaults:\n"
                                                      "  address: 127.0.0.1\n"
                                                      "hosts:\n"
                                                      "  web1: {prot: 22}\n");

  g_assert_null (result);
  assert_counts (fixture, 2, 0);
  assert_error (fixture, 0, "inventory.yaml", 2, 3,
                "unknown key \"address\" in defaults; the valid keys are: user, port, "
                "identity_file, identities_only, known_hosts_file, host_key_policy, hash_known_hosts, "
                "proxy_jump, connect_timeout, keepalive_interval, keepalive_count_max, max_sessions, "
                "key_passphrase_secret, become_password_secret");
  assert_error (fixture, 1, "inventory.yaml", 4, 10,
                "unknown key \"prot\" in host; did you mean \"port\"?");
}

static char *
canonical_data_path (const char *relative)
{
  g_autofree char *path = data_path (relative);

  return g_canonicalize_filename (path, NULL);
}

/* Assert that `pos` is in `file` at `line`, `column`. */
static void
assert_pos (const FleetSourcePos *pos, const char *file, guint line, guint column)
{
  g_assert_nonnull (pos);
  g_assert_cmpstr (pos->file, ==, file);
  g_assert_cmpuint (pos->line, ==, line);
  g_assert_cmpuint (pos->column, ==, column);
}

static void
assert_strings (const GPtrArray *strings, const char * const *expected)
{
  guint n_expected = g_strv_length ((char **) expected);

  g_assert_cmpuint (strings->len, ==, n_expected);
  for (guint i = 0; i < n_expected; i++)
    g_assert_cmpstr (g_ptr_array_index (strings, i), ==, expected[i]);
}

static void
assert_exit_codes (const FleetStep *step, const int *expected, guint n_expected)
{
  g_assert_cmpuint (step->expected_exit_codes->len, ==, n_expected);
  for (guint i = 0; i < n_expected; i++)
    g_assert_cmpint (g_array_index (step->expected_exit_codes, int, i), ==, expected[i]);
}

static void
check_full_target (const FleetWorkflow *workflow, const char *file)
{
  const FleetTarget *target = &workflow->target;

  g_assert_false (target->all);
  assert_strings (target->groups, (const char *[]) { "web", "db", NULL });
  assert_strings (target->hosts, (const char *[]) { "cache01", NULL });
  g_assert_cmpuint (g_hash_table_size (target->match), ==, 2);
  g_assert_cmpstr (g_hash_table_lookup (target->match, "dc"), ==, "dc1");
  g_assert_cmpstr (g_hash_table_lookup (target->match, "country"), ==, "NO");

  assert_pos (&target->pos, file, 6, 3);
  g_assert_cmpuint (g_hash_table_size (target->positions), ==, 5);
  assert_pos (g_hash_table_lookup (target->positions, "web"), file, 6, 12);
  assert_pos (g_hash_table_lookup (target->positions, "db"), file, 6, 17);
  assert_pos (g_hash_table_lookup (target->positions, "cache01"), file, 7, 11);
  assert_pos (g_hash_table_lookup (target->positions, "dc"), file, 8, 11);
  assert_pos (g_hash_table_lookup (target->positions, "country"), file, 8, 20);
}

static void
check_full_batches (const FleetWorkflow *workflow, const char *file)
{
  const FleetBatch *batches = (const FleetBatch *) workflow->batches->data;

  g_assert_cmpuint (workflow->batches->len, ==, 3);
  g_assert_cmpint (batches[0].kind, ==, FLEET_BATCH_COUNT);
  g_assert_cmpuint (batches[0].value, ==, 1);
  assert_pos (&batches[0].pos, file, 10, 9);
  g_assert_cmpint (batches[1].kind, ==, FLEET_BATCH_PERCENT);
  g_assert_cmpuint (batches[1].value, ==, 25);
  assert_pos (&batches[1].pos, file, 10, 12);
  g_assert_cmpint (batches[2].kind, ==, FLEET_BATCH_PERCENT);
  g_assert_cmpuint (batches[2].value, ==, 100);
  assert_pos (&batches[2].pos, file, 10, 17);
}

static void
check_full_steps (const FleetWorkflow *workflow, const char *file)
{
  const FleetStep *check, *patch, *vacuum;

  g_assert_cmpuint (workflow->steps->len, ==, 3);
  check = g_ptr_array_index (workflow->steps, 0);
  patch = g_ptr_array_index (workflow->steps, 1);
  vacuum = g_ptr_array_index (workflow->steps, 2);

  g_assert_cmpstr (check->name, ==, "pre-check");
  g_assert_cmpstr (check->command, ==, "test -d \"$HOME\"");
  g_assert_cmpuint (check->timeout_ms, ==, 30000);
  assert_exit_codes (check, (const int[]) { 0, 3 }, 2);
  g_assert_false (check->become);
  g_assert_null (check->become_user);
  assert_pos (&check->pos, file, 12, 5);

  g_assert_cmpstr (patch->name, ==, "patch");
  g_assert_cmpstr (patch->command, ==, "apt-get -y upgrade");
  g_assert_cmpuint (patch->timeout_ms, ==, 5400000);
  assert_exit_codes (patch, (const int[]) { 0 }, 1);
  g_assert_true (patch->become);
  g_assert_null (patch->become_user);
  assert_pos (&patch->pos, file, 16, 5);

  g_assert_cmpstr (vacuum->name, ==, "vacuum");
  g_assert_cmpuint (vacuum->timeout_ms, ==, 500);
  assert_exit_codes (vacuum, (const int[]) { 0 }, 1);
  g_assert_true (vacuum->become);
  g_assert_cmpstr (vacuum->become_user, ==, "postgres");
  assert_pos (&vacuum->pos, file, 21, 5);
}

static void
test_workflow_full (void)
{
  g_autofree char *path = data_path ("workflows/rolling-patch.yaml");
  g_autofree char *inventory = data_path ("workflows/../inventories/fleet.yaml");
  g_autoptr (FleetDiagnostics) diags = fleet_diagnostics_new ();
  g_autoptr (FleetWorkflow) workflow = fleet_compile_workflow_file (path, NULL, diags);
  g_autofree char *contents = NULL;
  g_autofree char *sha256 = NULL;
  gsize length;
  const char *file = g_intern_string (path);

  g_assert_true (g_file_get_contents (path, &contents, &length, NULL));
  sha256 = g_compute_checksum_for_data (G_CHECKSUM_SHA256, (const guchar *) contents, length);

  g_assert_nonnull (workflow);
  g_assert_cmpuint (fleet_diagnostics_error_count (diags), ==, 0);
  g_assert_cmpuint (fleet_diagnostics_warning_count (diags), ==, 0);

  g_assert_cmpstr (workflow->name, ==, "rolling-patch");
  g_assert_cmpstr (workflow->source, ==, path);
  g_assert_cmpstr (workflow->source_sha256, ==, sha256);
  g_assert_cmpuint (strlen (workflow->source_sha256), ==, 64);
  g_assert_cmpuint (workflow->parallelism, ==, 4);
  assert_pos (&workflow->pos, file, 3, 1);

  g_assert_nonnull (workflow->inventory);
  g_assert_cmpstr (workflow->inventory->source, ==, inventory);
  g_assert_cmpuint (workflow->inventory->hosts->len, ==, 4);

  check_full_target (workflow, file);
  check_full_batches (workflow, file);
  check_full_steps (workflow, file);
}

static void
test_workflow_defaults (Fixture *fixture, gconstpointer data)
{
  g_autoptr (FleetWorkflow) result = compile_workflow (fixture,
                                                       WORKFLOW_HEAD
                                                       "  - {name: a, run: \"true\", timeout: 5s}\n");
  const FleetBatch *batch;
  const FleetStep *step;

  g_assert_nonnull (result);
  assert_counts (fixture, 0, 0);
  g_assert_true (result->target.all);
  g_assert_cmpuint (result->parallelism, ==, FLEET_DEFAULT_PARALLELISM);

  g_assert_cmpuint (result->batches->len, ==, 1);
  batch = &g_array_index (result->batches, FleetBatch, 0);
  g_assert_cmpint (batch->kind, ==, FLEET_BATCH_PERCENT);
  g_assert_cmpuint (batch->value, ==, 100);

  step = g_ptr_array_index (result->steps, 0);
  assert_exit_codes (step, (const int[]) { 0 }, 1);
  g_assert_false (step->become);
}

static void
test_workflow_inventory_override (Fixture *fixture, gconstpointer data)
{
  g_autofree char *inventory = write_file (fixture, "other.yaml", "hosts: {solo: }\n");
  g_autofree char *path = write_file (fixture, "workflow.yaml",
                                      "name: demo\n"
                                      "inventory: does-not-exist.yaml\n"
                                      "target: {hosts: [solo]}\n"
                                      "steps:\n"
                                      "  - {name: a, run: \"true\", timeout: 5s}\n");
  FleetCompileOptions options = { .inventory_override = inventory };
  g_autoptr (FleetWorkflow) result = fleet_compile_workflow_file (path, &options, fixture->diags);

  show_diagnostics (fixture);
  g_assert_nonnull (result);
  assert_counts (fixture, 0, 0);
  g_assert_cmpstr (result->inventory->source, ==, inventory);
  g_assert_cmpuint (result->inventory->hosts->len, ==, 1);
}

static void
check_web01 (const FleetInventory *inventory, const char *file, const char *identity_file)
{
  const FleetHost *host = g_ptr_array_index (inventory->hosts, 0);

  g_assert_cmpstr (host->name, ==, "web01");
  g_assert_cmpstr (host->address, ==, "127.0.0.1");
  g_assert_cmpuint (host->port, ==, 22001);
  g_assert_cmpstr (host->user, ==, "deploy");
  g_assert_cmpstr (fleet_strings_first (host->identity_files), ==, identity_file);
  g_assert_cmpstr (fleet_strings_first (host->known_hosts_files), ==, "~/.ssh/fleet_known_hosts");
  g_assert_cmpuint (host->connect_timeout_ms, ==, 5000);
  g_assert_cmpuint (g_hash_table_size (host->attributes), ==, 4);
  g_assert_cmpstr (g_hash_table_lookup (host->attributes, "dc"), ==, "dc1");
  g_assert_cmpstr (g_hash_table_lookup (host->attributes, "country"), ==, "NO");
  g_assert_cmpstr (g_hash_table_lookup (host->attributes, "rack"), ==, "r1");
  g_assert_cmpstr (g_hash_table_lookup (host->attributes, "port_count"), ==, "08");
  assert_strings (host->groups, (const char *[]) { "everything", "web", NULL });
  assert_pos (&host->pos, file, 10, 3);
}

static void
check_web02 (const FleetInventory *inventory, const char *file, const char *known_hosts_file)
{
  const FleetHost *host = g_ptr_array_index (inventory->hosts, 1);
  static const char * const attributes[][2] = {
    { "dc", "dc2" }, { "on", "yes" }, { "enabled", "false" }, { "drain", "off" },
    { "notify", "y" }, { "canary", "n" }, { "verify", "~" },
  };

  g_assert_cmpstr (host->name, ==, "web02");
  g_assert_cmpuint (host->port, ==, 22002);
  g_assert_cmpstr (host->user, ==, "root");
  g_assert_cmpstr (fleet_strings_first (host->identity_files), ==, "/etc/fleet/web02_key");
  g_assert_cmpstr (fleet_strings_first (host->known_hosts_files), ==, known_hosts_file);
  g_assert_cmpuint (host->connect_timeout_ms, ==, 60000);
  assert_pos (&host->pos, file, 15, 3);

  g_assert_cmpuint (g_hash_table_size (host->attributes), ==, G_N_ELEMENTS (attributes));
  for (gsize i = 0; i < G_N_ELEMENTS (attributes); i++)
    g_assert_cmpstr (g_hash_table_lookup (host->attributes, attributes[i][0]), ==, attributes[i][1]);
}

static void
check_defaults_only (const FleetInventory *inventory, const char *file, const char *identity_file)
{
  const FleetHost *db = g_ptr_array_index (inventory->hosts, 2);
  const FleetHost *cache = g_ptr_array_index (inventory->hosts, 3);

  g_assert_cmpstr (db->name, ==, "db01");
  g_assert_cmpstr (db->address, ==, "db01");
  g_assert_cmpuint (db->port, ==, 22003);
  g_assert_cmpstr (db->user, ==, "root");
  g_assert_cmpstr (fleet_strings_first (db->identity_files), ==, identity_file);
  assert_strings (db->groups, (const char *[]) { "db", "everything", NULL });
  assert_pos (&db->pos, file, 29, 3);

  g_assert_cmpstr (cache->name, ==, "cache01");
  g_assert_cmpstr (cache->address, ==, "cache01");
  g_assert_cmpuint (cache->port, ==, 22);
  g_assert_cmpuint (cache->connect_timeout_ms, ==, 5000);
  g_assert_cmpuint (g_hash_table_size (cache->attributes), ==, 0);
  assert_strings (cache->groups, (const char *[]) { "everything", NULL });
  assert_pos (&cache->pos, file, 31, 3);
}

static void
check_groups (const FleetInventory *inventory, const char *file)
{
  const FleetGroup *web = g_hash_table_lookup (inventory->groups_by_name, "web");
  const FleetGroup *everything = g_hash_table_lookup (inventory->groups_by_name, "everything");

  g_assert_cmpuint (inventory->groups->len, ==, 3);
  g_assert_nonnull (web);
  assert_strings (web->members, (const char *[]) { "web01", "web02", NULL });
  assert_pos (&web->pos, file, 33, 3);

  g_assert_nonnull (everything);
  assert_strings (everything->members,
                  (const char *[]) { "web02", "db01", "web01", "cache01", NULL });
  assert_pos (&everything->pos, file, 35, 3);
}

static void
test_inventory_full (void)
{
  g_autofree char *path = data_path ("inventories/fleet.yaml");
  g_autofree char *identity_file = canonical_data_path ("inventories/client/id_ed25519");
  g_autofree char *known_hosts_file = canonical_data_path ("known_hosts");
  g_autoptr (FleetDiagnostics) diags = fleet_diagnostics_new ();
  g_autoptr (FleetInventory) inventory = fleet_load_inventory_file (path, NULL, diags);
  const char *file = g_intern_string (path);

  g_assert_nonnull (inventory);
  g_assert_cmpuint (fleet_diagnostics_error_count (diags), ==, 0);
  g_assert_cmpstr (inventory->source, ==, path);
  g_assert_cmpuint (inventory->hosts->len, ==, 4);
  g_assert_true (g_path_is_absolute (identity_file));

  check_web01 (inventory, file, identity_file);
  check_web02 (inventory, file, known_hosts_file);
  check_defaults_only (inventory, file, identity_file);
  check_groups (inventory, file);
}

static void
test_inventory_relative_to_cwd (Fixture *fixture, gconstpointer data)
{
  g_autofree char *cwd = g_get_current_dir ();
  g_autofree char *real_dir = NULL;
  g_autofree char *expected = NULL;
  g_autoptr (FleetInventory) result = NULL;
  const FleetHost *host;

  g_free (write_file (fixture, "inventory.yaml", "hosts:\n  web1: {identity_file: keys/id_ed25519}\n"));

  /* getcwd resolves symbolic links in the temporary directory's path, so
   * the expected path is built from it too. */
  g_assert_cmpint (g_chdir (fixture->dir), ==, 0);
  real_dir = g_get_current_dir ();
  expected = g_build_filename (real_dir, "keys", "id_ed25519", NULL);
  result = fleet_load_inventory_file ("inventory.yaml", NULL, fixture->diags);
  g_assert_cmpint (g_chdir (cwd), ==, 0);

  show_diagnostics (fixture);
  g_assert_nonnull (result);
  host = g_ptr_array_index (result->hosts, 0);
  g_assert_cmpstr (fleet_strings_first (host->identity_files), ==, expected);
  g_assert_null (host->user);
  g_assert_cmpuint (host->known_hosts_files->len, ==, 0);
  g_assert_cmpuint (host->port, ==, FLEET_DEFAULT_SSH_PORT);
  g_assert_cmpuint (host->connect_timeout_ms, ==, FLEET_DEFAULT_CONNECT_TIMEOUT_MS);
}

static void
test_diagnostics_caret (Fixture *fixture, gconstpointer data)
{
  g_autoptr (FleetWorkflow) result = compile_workflow (fixture,
                                                       "name: demo\n"
                                                       "inventory: inventory.yaml\n"
                                                       "target: {all: true}\n"
                                                       "parallelism: 0x10\n"
                                                       "steps:\n"
                                                       "  - {name: a, run: \"true\", timeout: 5s}\n");
  g_autofree char *path = fixture_path (fixture, "workflow.yaml");
  g_autofree char *text = fleet_diagnostics_format (fixture->diags);
  g_autofree char *expected = g_strdup_printf ("%s:4:14: error: invalid integer \"0x10\" for "
                                               "\"parallelism\": use decimal digits only, for a "
                                               "value from 1 to 100000\n"
                                               "  parallelism: 0x10\n"
                                               "               ^\n"
                                               "1 error, 0 warnings\n",
                                               path);

  g_assert_null (result);
  g_assert_cmpstr (text, ==, expected);
}

static void
test_schema_table (void)
{
  gsize n_fields;
  const FleetSchemaField *fields = fleet_schema_fields (&n_fields);

  g_assert_cmpuint (n_fields, >, 0);
  for (gsize i = 0; i < n_fields; i++)
    {
      g_test_message ("%s.%s", fleet_schema_context_name (fields[i].context), fields[i].key);
      g_assert_cmpint (fields[i].context, !=, FLEET_SCHEMA_NONE);
      g_assert_nonnull (fields[i].help);
      g_assert_cmpint (fields[i].min, <=, fields[i].max);
      g_assert_true (fleet_schema_lookup (fields[i].context, fields[i].key) == &fields[i]);
      g_assert_cmpint (fields[i].child != FLEET_SCHEMA_NONE, ==,
                       fields[i].type == FLEET_TYPE_MAPPING
                       || fields[i].type == FLEET_TYPE_MAPPING_LIST
                       || fields[i].type == FLEET_TYPE_MAPPING_BY_NAME
                       || fields[i].type == FLEET_TYPE_COUNT_OR_MAPPING
                       || fields[i].type == FLEET_TYPE_MAPPING_OR_LIST);
    }

  g_assert_null (fleet_schema_lookup (FLEET_SCHEMA_WORKFLOW, "on"));
}

static void
test_schema_defaults_match_model (void)
{
  g_autofree char *parallelism = g_strdup_printf ("%u", FLEET_DEFAULT_PARALLELISM);
  g_autofree char *port = g_strdup_printf ("%u", FLEET_DEFAULT_SSH_PORT);
  g_autofree char *connect_timeout = fleet_format_duration (FLEET_DEFAULT_CONNECT_TIMEOUT_MS);
  g_autofree char *keepalive_interval = fleet_format_duration (FLEET_DEFAULT_KEEPALIVE_INTERVAL_MS);
  g_autofree char *keepalive_count_max = g_strdup_printf ("%u", FLEET_DEFAULT_KEEPALIVE_COUNT_MAX);
  const FleetSchemaContext contexts[] = { FLEET_SCHEMA_DEFAULTS, FLEET_SCHEMA_HOST };
  g_autoptr (FleetHost) host = fleet_host_new ("built-in");

  g_assert_cmpstr (fleet_schema_lookup (FLEET_SCHEMA_WORKFLOW, "parallelism")->default_text, ==,
                   parallelism);
  g_assert_cmpstr (fleet_schema_lookup (FLEET_SCHEMA_HOST, "port")->default_text, ==, port);
  g_assert_cmpstr (fleet_schema_lookup (FLEET_SCHEMA_DEFAULTS, "port")->default_text, ==, port);
  g_assert_cmpstr (fleet_schema_lookup (FLEET_SCHEMA_HOST, "connect_timeout")->default_text, ==,
                   connect_timeout);
  g_assert_cmpstr (fleet_schema_lookup (FLEET_SCHEMA_DEFAULTS, "connect_timeout")->default_text, ==,
                   connect_timeout);

  for (guint i = 0; i < G_N_ELEMENTS (contexts); i++)
    {
      g_assert_cmpstr (fleet_schema_lookup (contexts[i], "keepalive_interval")->default_text, ==,
                       keepalive_interval);
      g_assert_cmpstr (fleet_schema_lookup (contexts[i], "keepalive_count_max")->default_text, ==,
                       keepalive_count_max);
      g_assert_cmpstr (fleet_schema_lookup (contexts[i], "host_key_policy")->default_text, ==,
                       fleet_host_key_policy_to_string (host->host_key_policy));
    }
}

static void
add_fixture_test (const char *path, void (*test) (Fixture *, gconstpointer))
{
  g_test_add (path, Fixture, NULL, fixture_set_up, test, fixture_tear_down);
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);

  add_fixture_test ("/compiler/yaml/syntax-error", test_yaml_syntax_error);
  add_fixture_test ("/compiler/yaml/bad-indentation", test_yaml_bad_indentation);
  add_fixture_test ("/compiler/yaml/tab-indentation", test_yaml_tab_indentation);
  add_fixture_test ("/compiler/yaml/error-at-end-without-newline",
                    test_yaml_error_at_end_without_newline);
  add_fixture_test ("/compiler/yaml/invalid-utf8", test_yaml_invalid_utf8);
  add_fixture_test ("/compiler/yaml/empty-file", test_yaml_empty_file);
  add_fixture_test ("/compiler/yaml/only-comments", test_yaml_only_comments);
  add_fixture_test ("/compiler/yaml/multiple-documents", test_yaml_multiple_documents);
  add_fixture_test ("/compiler/yaml/nul-byte", test_yaml_nul_byte);
  add_fixture_test ("/compiler/yaml/unsupported-tag", test_yaml_unsupported_tag);
  add_fixture_test ("/compiler/yaml/collection-key", test_yaml_collection_key);
  add_fixture_test ("/compiler/yaml/duplicate-key", test_yaml_duplicate_key);
  add_fixture_test ("/compiler/yaml/undefined-alias", test_yaml_undefined_alias);
  add_fixture_test ("/compiler/yaml/recursive-alias", test_yaml_recursive_alias);
  add_fixture_test ("/compiler/yaml/depth-limit", test_yaml_depth_limit);
  add_fixture_test ("/compiler/yaml/alias-bomb", test_yaml_alias_bomb);
  add_fixture_test ("/compiler/yaml/alias-bomb-in-steps", test_yaml_alias_bomb_in_steps);
  add_fixture_test ("/compiler/yaml/alias-bomb-in-attributes", test_yaml_alias_bomb_in_attributes);
  add_fixture_test ("/compiler/yaml/node-limit", test_yaml_node_limit);
  add_fixture_test ("/compiler/yaml/alias-shared", test_yaml_alias_shared);

  add_fixture_test ("/compiler/parse/unknown-key", test_parse_unknown_key);
  add_fixture_test ("/compiler/parse/unknown-key-on", test_parse_unknown_key_on);
  add_fixture_test ("/compiler/parse/snapshot", test_parse_snapshot);
  add_fixture_test ("/compiler/parse/snapshot-errors", test_parse_snapshot_errors);
  add_fixture_test ("/compiler/parse/wrong-type", test_parse_wrong_type);
  add_fixture_test ("/compiler/parse/missing-field", test_parse_missing_field);
  add_fixture_test ("/compiler/parse/missing-value", test_parse_missing_value);
  add_fixture_test ("/compiler/parse/missing-inventory", test_parse_missing_inventory);
  add_fixture_test ("/compiler/parse/invalid-boolean", test_parse_invalid_boolean);
  add_fixture_test ("/compiler/parse/valid-boolean", test_parse_valid_boolean);
  add_fixture_test ("/compiler/parse/invalid-integer", test_parse_invalid_integer);
  add_fixture_test ("/compiler/parse/integer-bounds", test_parse_integer_bounds);
  add_fixture_test ("/compiler/parse/invalid-duration", test_parse_invalid_duration);
  add_fixture_test ("/compiler/parse/valid-duration", test_parse_valid_duration);
  g_test_add_func ("/compiler/parse/format-duration", test_parse_format_duration);
  add_fixture_test ("/compiler/parse/invalid-wave-size", test_parse_invalid_wave_size);
  add_fixture_test ("/compiler/parse/duplicate-step-name", test_parse_duplicate_step_name);
  add_fixture_test ("/compiler/parse/unknown-group", test_parse_unknown_group);
  add_fixture_test ("/compiler/parse/unknown-host", test_parse_unknown_host);
  add_fixture_test ("/compiler/parse/duplicate-target-name", test_parse_duplicate_target_name);
  add_fixture_test ("/compiler/parse/empty-target", test_parse_empty_target);
  add_fixture_test ("/compiler/parse/become-conflict", test_parse_become_conflict);
  add_fixture_test ("/compiler/parse/empty-steps", test_parse_empty_steps);
  add_fixture_test ("/compiler/parse/no-timeout-warning", test_parse_no_timeout_warning);
  add_fixture_test ("/compiler/parse/several-errors", test_parse_several_errors);
  add_fixture_test ("/compiler/parse/boolean-looking-strings", test_parse_boolean_looking_strings);

  add_fixture_test ("/compiler/file/not-found", test_file_not_found);
  add_fixture_test ("/compiler/file/inventory-not-found", test_file_inventory_not_found);
  add_fixture_test ("/compiler/file/too-large", test_file_too_large);
  add_fixture_test ("/compiler/file/directory", test_file_directory);

  add_fixture_test ("/compiler/inventory/unknown-host-in-group", test_inventory_unknown_host_in_group);
  add_fixture_test ("/compiler/inventory/duplicate-member", test_inventory_duplicate_member);
  add_fixture_test ("/compiler/inventory/invalid-names", test_inventory_invalid_names);
  add_fixture_test ("/compiler/inventory/null-attribute", test_inventory_null_attribute);
  add_fixture_test ("/compiler/inventory/unknown-key", test_inventory_unknown_key);
  g_test_add_func ("/compiler/inventory/full", test_inventory_full);
  add_fixture_test ("/compiler/inventory/relative-to-cwd", test_inventory_relative_to_cwd);

  g_test_add_func ("/compiler/workflow/full", test_workflow_full);
  add_fixture_test ("/compiler/workflow/defaults", test_workflow_defaults);
  add_fixture_test ("/compiler/workflow/inventory-override", test_workflow_inventory_override);

  add_fixture_test ("/compiler/diagnostics/caret", test_diagnostics_caret);
  g_test_add_func ("/compiler/schema/table", test_schema_table);
  g_test_add_func ("/compiler/schema/defaults-match-model", test_schema_defaults_match_model);

  return g_test_run ();
}
