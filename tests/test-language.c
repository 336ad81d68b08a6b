/* test-language.c: the workflow language beyond plain steps: `vars` and
 * `{{ name }}` references in commands with their shell quoting, step
 * conditions (`when`), and JSON workflow files; their diagnostics and their
 * place in the plan. */
#include <glib.h>
#include <glib/gstdio.h>
#include <string.h>
#include <sys/wait.h>

#include "compiler/fleet-compiler.h"
#include "planner/fleet-planner.h"
#include "schema/fleet-plan.h"
#include "schema/fleet-facts.h"
#include "schema/fleet-step-barrier.h"
#include "schema/fleet-step-values.h"
#include "schema/fleet-template.h"
#include "tests/test-helpers.h"

typedef struct {
  char *dir;
  FleetDiagnostics *diags;
} Fixture;

static const char inventory_text[] =
  "hosts:\n"
  "  web1:\n"
  "    attributes: {dc: fra, name: \"a; rm -rf /\", role: web}\n"
  "  web2:\n"
  "    attributes: {dc: \"it's\", name: web2}\n";

static void
fixture_set_up (Fixture *fixture, gconstpointer data)
{
  fixture->dir = fleet_test_make_dir ("test-language-XXXXXX");
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
write_file (Fixture *fixture, const char *name, const char *contents)
{
  return fleet_test_write_file_in (fixture->dir, name, contents);
}

/* Compile `workflow_text` next to the inventory above and plan it.  Returns
 * the plan, or NULL when a diagnostic is an error. */
static FleetPlan *
compile_file_and_plan (Fixture *fixture, const char *file_name, const char *workflow_text)
{
  g_autofree char *path = NULL;
  g_autoptr (FleetWorkflow) workflow = NULL;
  g_autofree char *shown = NULL;
  FleetPlan *plan = NULL;

  g_free (write_file (fixture, "inventory.yaml", inventory_text));
  path = write_file (fixture, file_name, workflow_text);
  workflow = fleet_compile_workflow_file (path, NULL, fixture->diags);
  if (workflow != NULL)
    plan = fleet_planner_build (workflow, fixture->diags);

  shown = fleet_diagnostics_format (fixture->diags);
  g_test_message ("diagnostics:\n%s", shown);
  return plan;
}

static FleetPlan *
compile_and_plan (Fixture *fixture, const char *workflow_text)
{
  return compile_file_and_plan (fixture, "workflow.yaml", workflow_text);
}

static void
assert_error_in (Fixture *fixture, const char *file_name, guint index, guint line, guint column,
                 const char *message)
{
  g_autofree char *path = g_build_filename (fixture->dir, file_name, NULL);
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
assert_error (Fixture *fixture, guint index, guint line, guint column, const char *message)
{
  assert_error_in (fixture, "workflow.yaml", index, line, column, message);
}

#define HEAD \
  "name: demo\n" \
  "inventory: inventory.yaml\n" \
  "target: {all: true}\n" \
  "vars: {greeting: hello, dc: none}\n" \
  "steps:\n"

/* Render `text` with `name` = `value`, asserting success. */
static char *
render_one (const char *text, const char *name, const char *value)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (GPtrArray) refs = NULL;
  g_autoptr (GHashTable) values = g_hash_table_new (g_str_hash, g_str_equal);
  gsize error_offset = 0;
  guint missing = 0;
  char *rendered;

  refs = fleet_template_parse (text, &error_offset, &error);
  g_assert_no_error (error);
  g_hash_table_insert (values, (gpointer) name, (gpointer) value);
  rendered = fleet_template_render (text, refs, values, &missing, &error);
  g_assert_no_error (error);
  return rendered;
}

static void
test_template_quoting (void)
{
  const struct {
    const char *template;
    const char *value;
    const char *expected;
  } cases[] = {
    { "echo {{ v }}", "a; rm -rf /", "echo 'a; rm -rf /'" },
    { "echo {{v}}", "it's", "echo 'it'\\''s'" },
    { "echo {{ v }}", "", "echo ''" },
    { "echo {{ v }}", "$(id) `id` \"x\" \\ *", "echo '$(id) `id` \"x\" \\ *'" },
    { "echo {{ v }}", "line1\nline2", "echo 'line1\nline2'" },
    { "echo {{ v | raw }}", "a; b", "echo a; b" },
    { "echo {{ v|raw }}", "$HOME", "echo $HOME" },
    { "docker ps --format {{ '{{' }}.Names}}", "unused", "docker ps --format {{.Names}}" },
    { "no references", "unused", "no references" },
  };

  for (gsize i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autofree char *rendered = render_one (cases[i].template, "v", cases[i].value);

      g_assert_cmpstr (rendered, ==, cases[i].expected);
    }
}

/* Every byte from 1 to 255 goes through single quotes unchanged, as sh
 * reads it back: run `printf %s QUOTED` and compare. */
static void
test_template_quoting_every_byte (void)
{
  char value[256];
  g_autofree char *quoted = NULL;
  g_autofree char *command = NULL;
  g_autofree char *output = NULL;
  g_autoptr (GError) error = NULL;
  const char *argv[] = { "/bin/sh", "-c", NULL, NULL };
  int status = 0;

  for (int i = 1; i < 256; i++)
    value[i - 1] = (char) i;
  value[255] = '\0';

  quoted = fleet_shell_quote (value);
  command = g_strdup_printf ("printf %%s %s", quoted);
  argv[2] = command;
  g_spawn_sync (NULL, (char **) argv, NULL, G_SPAWN_DEFAULT, NULL, NULL, &output, NULL, &status,
                &error);
  g_assert_no_error (error);
  g_assert_cmpint (status, ==, 0);
  g_assert_cmpmem (output, strlen (output), value, 255);
}

/* Inside double quotes a value is escaped, not single-quoted, and the
 * shell still reads back every byte; references after a closed quoted
 * string or in single quotes get single quotes again. */
static void
test_template_quoting_in_double_quotes (void)
{
  char value[256];
  const char *argv[] = { "/bin/sh", "-c", NULL, NULL };
  g_autoptr (GHashTable) values = g_hash_table_new (g_str_hash, g_str_equal);
  const struct {
    const char *text;
    const char *expected;
  } cases[] = {
    { "echo \"{{ v }}\"", "echo \"a\\$b\\`c\\\"d\\\\e'f\"" },
    { "echo \"x\" {{ v }}", "echo \"x\" 'a$b`c\"d\\e'\\''f'" },
    { "echo '\"' {{ v }}", "echo '\"' 'a$b`c\"d\\e'\\''f'" },
    { "echo \\\" {{ v }}", "echo \\\" 'a$b`c\"d\\e'\\''f'" },
  };

  g_hash_table_insert (values, (gpointer) "v", (gpointer) "a$b`c\"d\\e'f");
  for (gsize i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autoptr (GError) error = NULL;
      g_autoptr (GPtrArray) refs = NULL;
      g_autofree char *rendered = NULL;
      gsize error_offset = 0;
      guint missing = 0;

      refs = fleet_template_parse (cases[i].text, &error_offset, &error);
      g_assert_no_error (error);
      rendered = fleet_template_render (cases[i].text, refs, values, &missing, &error);
      g_assert_no_error (error);
      g_assert_cmpstr (rendered, ==, cases[i].expected);
    }

  for (int i = 1; i < 256; i++)
    value[i - 1] = (char) i;
  value[255] = '\0';
  g_hash_table_insert (values, (gpointer) "v", value);

  {
    const char *text = "printf %s \"<{{ v }}>\"";
    g_autoptr (GError) error = NULL;
    g_autoptr (GPtrArray) refs = NULL;
    g_autofree char *command = NULL;
    g_autofree char *output = NULL;
    g_autofree char *expected = g_strdup_printf ("<%s>", value);
    gsize error_offset = 0;
    guint missing = 0;
    int status = 0;

    refs = fleet_template_parse (text, &error_offset, &error);
    g_assert_no_error (error);
    command = fleet_template_render (text, refs, values, &missing, &error);
    g_assert_no_error (error);
    argv[2] = command;
    g_spawn_sync (NULL, (char **) argv, NULL, G_SPAWN_DEFAULT, NULL, NULL, &output, NULL,
                  &status, &error);
    g_assert_no_error (error);
    g_assert_cmpint (status, ==, 0);
    g_assert_cmpstr (output, ==, expected);
  }
}

static void
test_template_syntax_errors (void)
{
  const struct {
    const char *template;
    gsize offset;
    int code;
    const char *message;
  } cases[] = {
    { "echo {{ x", 5, FLEET_TEMPLATE_ERROR_SYNTAX, "unterminated reference: expected \"}}\"" },
    { "a {{ x | upper }}", 2, FLEET_TEMPLATE_ERROR_SYNTAX,
      "unknown filter in reference to \"x\"; the only filter is \"raw\"" },
    { "ok {{ x }} {{ .Names }}", 11, FLEET_TEMPLATE_ERROR_SYNTAX,
      "invalid reference: expected a variable name after \"{{\"; write {{ '{{' }} for "
      "literal braces" },
    { "{{ secret.db_password }}", 0, FLEET_TEMPLATE_ERROR_SECRET,
      "secret \"db_password\" cannot be used in a command; secrets only go to sudo and key "
      "passphrases (become_password_secret, key_passphrase_secret)" },
    { "{{ secret.db-pass }}", 0, FLEET_TEMPLATE_ERROR_SECRET,
      "secret \"db-pass\" cannot be used in a command; secrets only go to sudo and key "
      "passphrases (become_password_secret, key_passphrase_secret)" },
    { "{{ facts.os }}", 0, FLEET_TEMPLATE_ERROR_SYNTAX,
      "invalid variable name \"facts.os\"; names are letters, digits and '_'" },
    { "{{ 'open }}", 0, FLEET_TEMPLATE_ERROR_SYNTAX,
      "unterminated quoted text in reference; close it with '" },
  };

  for (gsize i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autoptr (GError) error = NULL;
      g_autoptr (GPtrArray) refs = NULL;
      gsize offset = G_MAXSIZE;

      refs = fleet_template_parse (cases[i].template, &offset, &error);
      g_assert_null (refs);
      g_assert_error (error, FLEET_TEMPLATE_ERROR, cases[i].code);
      g_assert_cmpstr (error->message, ==, cases[i].message);
      g_assert_cmpuint (offset, ==, cases[i].offset);
    }
}

/* Host attributes override workflow vars; the plan holds the rendered
 * command of each host. */
static void
test_plan_renders_per_host (Fixture *fixture, gconstpointer data)
{
  g_autoptr (FleetPlan) plan = compile_and_plan (fixture,
    HEAD
    "  - {name: greet, timeout: 10s, run: \"echo {{ greeting }} {{ dc }} {{ name }}\"}\n"
    "  - {name: plain, timeout: 10s, run: \"echo no references\"}\n");
  const FleetStep *greet;
  const FleetStep *plain;

  g_assert_nonnull (plan);
  greet = g_ptr_array_index (plan->steps, 0);
  plain = g_ptr_array_index (plan->steps, 1);

  g_assert_cmpstr (greet->command, ==, "echo {{ greeting }} {{ dc }} {{ name }}");
  g_assert_nonnull (greet->host_commands);
  g_assert_null (greet->command_refs);
  g_assert_cmpuint (g_hash_table_size (greet->host_commands), ==, 2);
  g_assert_cmpstr (fleet_step_command_for_host (greet, "web1"), ==,
                   "echo 'hello' 'fra' 'a; rm -rf /'");
  g_assert_null (plain->host_commands);
  g_assert_cmpstr (fleet_step_command_for_host (plain, "web1"), ==, "echo no references");
}

/* web2 has no attribute `role`, so the reference is undefined there. */
static void
test_undefined_names_host (Fixture *fixture, gconstpointer data)
{
  g_autoptr (FleetPlan) plan = compile_and_plan (fixture,
    HEAD
    "  - {name: greet, timeout: 10s, run: \"echo {{ role }} {{ nothing }}\"}\n");

  g_assert_null (plan);
  g_assert_cmpuint (fleet_diagnostics_error_count (fixture->diags), ==, 2);
  assert_error (fixture, 0, 6, 44,
                "undefined variable \"role\" on host \"web2\"; define it in the workflow's "
                "\"vars\" or as a host attribute");
  assert_error (fixture, 1, 6, 55,
                "undefined variable \"nothing\" on host \"web1\" and 1 other host; define it "
                "in the workflow's \"vars\" or as a host attribute");
}

/* The position of a reference inside every scalar style. */
static void
test_undefined_positions (Fixture *fixture, gconstpointer data)
{
  const struct {
    const char *step;
    guint line;
    guint column;
  } cases[] = {
    /* Plain, continued on a second line. */
    { "  - name: s\n"
      "    timeout: 1s\n"
      "    run: echo a\n"
      "      b {{ missing }}\n", 9, 9 },
    /* Single-quoted, with an escaped quote before the reference. */
    { "  - name: s\n"
      "    timeout: 1s\n"
      "    run: 'echo ''x'' {{ missing }}'\n", 8, 22 },
    /* Double-quoted, with escapes and a line break before it. */
    { "  - name: s\n"
      "    timeout: 1s\n"
      "    run: \"echo \\t\\\"x\\\"\n"
      "      {{missing}}\"\n", 9, 7 },
    /* Literal block, after a multi-byte character: columns count
     * characters. */
    { "  - name: s\n"
      "    timeout: 1s\n"
      "    run: |\n"
      "      echo first {{ greeting }}\n"
      "      echo \xc3\xa9t\xc3\xa9 {{ missing }}\n", 10, 16 },
    /* Folded block. */
    { "  - name: s\n"
      "    timeout: 1s\n"
      "    run: >-\n"
      "      echo\n"
      "        {{ missing }}\n", 10, 9 },
  };

  for (gsize i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autofree char *text = g_strconcat (HEAD, cases[i].step, NULL);
      g_autoptr (FleetPlan) plan = NULL;

      fleet_diagnostics_free (fixture->diags);
      fixture->diags = fleet_diagnostics_new ();
      plan = compile_and_plan (fixture, text);

      g_assert_null (plan);
      g_assert_cmpuint (fleet_diagnostics_error_count (fixture->diags), ==, 1);
      assert_error (fixture, 0, cases[i].line, cases[i].column,
                    "undefined variable \"missing\" on host \"web1\" and 1 other host; define "
                    "it in the workflow's \"vars\" or as a host attribute");
    }
}

/* A brace written as an escape cannot be matched in the source, so the
 * error falls back to the scalar's own position. */
static void
test_escaped_brace_position (Fixture *fixture, gconstpointer data)
{
  g_autoptr (FleetPlan) plan = compile_and_plan (fixture,
    HEAD
    "  - {name: s, timeout: 1s, run: \"echo \\x7b{ missing }}\"}\n");

  g_assert_null (plan);
  assert_error (fixture, 0, 6, 33,
                "undefined variable \"missing\" on host \"web1\" and 1 other host; define "
                "it in the workflow's \"vars\" or as a host attribute");
}

static void
test_secret_rejected (Fixture *fixture, gconstpointer data)
{
  g_autoptr (FleetPlan) plan = compile_and_plan (fixture,
    HEAD
    "  - name: s\n"
    "    timeout: 1s\n"
    "    run: \"mysql -p{{ secret.db }}\"\n");

  g_assert_null (plan);
  g_assert_cmpuint (fleet_diagnostics_error_count (fixture->diags), ==, 1);
  assert_error (fixture, 0, 8, 19,
                "secret \"db\" cannot be used in a command; secrets only go to sudo and key "
                "passphrases (become_password_secret, key_passphrase_secret)");
}

static void
test_invalid_var_name (Fixture *fixture, gconstpointer data)
{
  g_autoptr (FleetPlan) plan = compile_and_plan (fixture,
    "name: demo\n"
    "inventory: inventory.yaml\n"
    "target: {all: true}\n"
    "vars:\n"
    "  ok_name: 1\n"
    "  bad-name: 2\n"
    "steps:\n"
    "  - {name: s, timeout: 1s, run: \"true\"}\n");

  g_assert_null (plan);
  g_assert_cmpuint (fleet_diagnostics_error_count (fixture->diags), ==, 1);
  assert_error (fixture, 0, 6, 3,
                "invalid variable name \"bad-name\" in \"vars\"; use letters, digits and '_', "
                "not starting with a digit");
}

/* The per-host commands survive a plan file, and the same plan always
 * gives the same bytes. */
static void
test_plan_file_round_trip (Fixture *fixture, gconstpointer data)
{
  g_autoptr (FleetPlan) plan = compile_and_plan (fixture,
    HEAD
    "  - {name: greet, timeout: 10s, run: \"echo {{ dc }}\"}\n");
  g_autoptr (FleetPlan) again = compile_and_plan (fixture,
    HEAD
    "  - {name: greet, timeout: 10s, run: \"echo {{ dc }}\"}\n");
  g_autoptr (GBytes) bytes = NULL;
  g_autoptr (GBytes) bytes_again = NULL;
  g_autoptr (FleetPlan) read_back = NULL;
  g_autoptr (GError) error = NULL;
  const FleetStep *step;

  g_assert_nonnull (plan);
  g_assert_nonnull (again);
  bytes = fleet_plan_serialize (plan);
  bytes_again = fleet_plan_serialize (again);
  g_assert_true (g_bytes_equal (bytes, bytes_again));

  read_back = fleet_plan_deserialize (bytes, &error);
  g_assert_no_error (error);
  step = g_ptr_array_index (read_back->steps, 0);
  g_assert_cmpstr (fleet_step_command_for_host (step, "web1"), ==, "echo 'fra'");
  g_assert_cmpstr (fleet_step_command_for_host (step, "web2"), ==, "echo 'it'\\''s'");
}

static void
assert_warning (Fixture *fixture, guint index, guint line, guint column, const char *message)
{
  const FleetDiagnostic *diagnostic;

  g_assert_cmpuint (index, <, fleet_diagnostics_length (fixture->diags));
  diagnostic = fleet_diagnostics_get (fixture->diags, index);
  g_assert_cmpint (diagnostic->severity, ==, FLEET_SEVERITY_WARNING);
  g_assert_cmpuint (diagnostic->pos.line, ==, line);
  g_assert_cmpuint (diagnostic->pos.column, ==, column);
  g_assert_cmpstr (diagnostic->message, ==, message);
}

/* A condition on inventory data is decided by the compiler: the plan lists
 * the hosts that skip the step, and a skipping host needs no values for the
 * step's command. */
static void
test_when_compile_time (Fixture *fixture, gconstpointer data)
{
  g_autoptr (FleetPlan) plan = compile_and_plan (fixture,
    HEAD
    "  - {name: fra, timeout: 1s, when: 'dc == \"fra\"', run: \"echo {{ role }}\"}\n"
    "  - {name: mixed, timeout: 1s, run: \"true\",\n"
    "     when: 'greeting == \"hello\" and groups contains \"web\" or name == \"web2\"'}\n"
    "  - {name: unknown, timeout: 1s, when: 'rack == \"r1\"', run: \"true\"}\n");
  const FleetStep *fra;
  const FleetStep *mixed;
  const FleetStep *unknown;

  g_assert_nonnull (plan);
  g_assert_cmpuint (fleet_diagnostics_warning_count (fixture->diags), ==, 2);
  fra = g_ptr_array_index (plan->steps, 0);
  mixed = g_ptr_array_index (plan->steps, 1);
  unknown = g_ptr_array_index (plan->steps, 2);

  g_assert_null (fra->when);
  g_assert_cmpuint (g_hash_table_size (fra->skipped_hosts), ==, 1);
  g_assert_cmpstr (g_hash_table_lookup (fra->skipped_hosts, "web2"), ==,
                   "condition `dc == \"fra\"` is false");
  g_assert_cmpstr (fleet_step_command_for_host (fra, "web1"), ==, "echo 'web'");
  g_assert_false (g_hash_table_contains (fra->host_commands, "web2"));

  /* Neither host is in a group "web"; web2 passes through its name. */
  g_assert_cmpuint (g_hash_table_size (mixed->skipped_hosts), ==, 1);
  g_assert_true (g_hash_table_contains (mixed->skipped_hosts, "web1"));

  g_assert_cmpuint (g_hash_table_size (unknown->skipped_hosts), ==, 2);
  g_assert_cmpstr (g_hash_table_lookup (unknown->skipped_hosts, "web1"), ==,
                   "condition `rack == \"r1\"` is unknown because rack has no value");
  assert_warning (fixture, 0, 9, 40,
                  "the condition of step \"unknown\" names \"rack\", which no selected host "
                  "has as an attribute and no variable defines, so every comparison with it is "
                  "false");
  assert_warning (fixture, 1, 9, 40,
                  "the condition of step \"unknown\" is false for every selected host, so the "
                  "step runs nowhere");
  g_assert_null (plan->vars);
}

/* A misspelt attribute, or one written with a prefix the language does not
 * use, gets the name the admin meant; a known variable gets no warning. */
static void
test_when_unknown_name_suggestion (Fixture *fixture, gconstpointer data)
{
  g_autoptr (FleetPlan) plan = compile_and_plan (fixture,
    HEAD
    "  - {name: typo, timeout: 1s, when: 'rol == \"web\"', run: \"true\"}\n"
    "  - {name: prefix, timeout: 1s, when: 'host.role == \"web\"', run: \"true\"}\n"
    "  - {name: var, timeout: 1s, when: 'greeting == \"hello\"', run: \"true\"}\n");

  g_assert_nonnull (plan);
  g_assert_cmpuint (fleet_diagnostics_warning_count (fixture->diags), ==, 4);
  assert_warning (fixture, 0, 6, 37,
                  "the condition of step \"typo\" names \"rol\", which no selected host has "
                  "as an attribute and no variable defines, so every comparison with it is "
                  "false; did you mean \"role\"?");
  assert_warning (fixture, 2, 7, 39,
                  "the condition of step \"prefix\" names \"host.role\", which no selected "
                  "host has as an attribute and no variable defines, so every comparison with "
                  "it is false; did you mean \"role\"?");
}

/* A condition on facts or earlier steps stays in the plan for fleet-run,
 * with the workflow variables it may use; one on facts makes fleet-run
 * gather them. */
static void
test_when_run_time (Fixture *fixture, gconstpointer data)
{
  g_autoptr (FleetPlan) plan = compile_and_plan (fixture,
    HEAD
    "  - {name: check, timeout: 1s, run: \"true\"}\n"
    "  - {name: then, timeout: 1s, when: 'steps.check.rc == 0 and dc == \"fra\"', "
    "run: \"true\"}\n"
    "  - {name: debian, timeout: 1s, when: 'facts.os_family == \"Debian\"', run: \"true\"}\n");
  g_autoptr (GBytes) bytes = NULL;
  g_autoptr (FleetPlan) read_back = NULL;
  g_autoptr (GError) error = NULL;
  const FleetStep *then;

  g_assert_nonnull (plan);
  g_assert_cmpuint (fleet_diagnostics_length (fixture->diags), ==, 0);
  g_assert_true (plan->gather_facts);
  then = g_ptr_array_index (plan->steps, 1);
  g_assert_cmpstr (then->when, ==, "steps.check.rc == 0 and dc == \"fra\"");
  g_assert_null (then->skipped_hosts);
  g_assert_cmpstr (g_hash_table_lookup (plan->vars, "greeting"), ==, "hello");

  bytes = fleet_plan_serialize (plan);
  read_back = fleet_plan_deserialize (bytes, &error);
  g_assert_no_error (error);
  then = g_ptr_array_index (read_back->steps, 1);
  g_assert_cmpstr (then->when, ==, "steps.check.rc == 0 and dc == \"fra\"");
  g_assert_cmpstr (g_hash_table_lookup (read_back->vars, "dc"), ==, "none");
  g_assert_true (read_back->gather_facts);
}

static void
test_when_unknown_fact (Fixture *fixture, gconstpointer data)
{
  g_autoptr (FleetPlan) plan = compile_and_plan (fixture,
    HEAD
    "  - {name: plain, timeout: 1s, run: \"true\"}\n"
    "  - {name: distro, timeout: 1s, when: 'facts.distro == \"Debian\"', run: \"true\"}\n");

  g_assert_null (plan);
  g_assert_cmpuint (fleet_diagnostics_error_count (fixture->diags), ==, 1);
  assert_error (fixture, 0, 7, 39,
                "the condition of step \"distro\" names facts.distro, which is not a fact "
                "fleet-run gathers; use one of facts.os_family, facts.os_id, facts.os_version, "
                "facts.architecture, facts.kernel, facts.free_disk_mb");
}

static void
test_plain_plan_gathers_no_facts (Fixture *fixture, gconstpointer data)
{
  g_autoptr (FleetPlan) plan = compile_and_plan (fixture,
    HEAD "  - {name: first, timeout: 1s, run: \"true\"}\n"
         "  - {name: second, timeout: 1s, when: 'steps.first.rc == 0', run: \"true\"}\n");

  g_assert_nonnull (plan);
  g_assert_false (plan->gather_facts);
}

static void
test_when_errors (Fixture *fixture, gconstpointer data)
{
  g_autoptr (FleetPlan) plan = compile_and_plan (fixture,
    HEAD
    "  - {name: first, timeout: 1s, when: 'steps.later.rc == 0', run: \"true\"}\n"
    "  - {name: later, timeout: 1s, when: 'steps.first.exit == 0', run: \"true\"}\n"
    "  - {name: bad, timeout: 1s, when: 'dc ==', run: \"true\"}\n");

  g_assert_null (plan);
  g_assert_cmpuint (fleet_diagnostics_error_count (fixture->diags), ==, 3);
  assert_error (fixture, 0, 8, 36,
                "invalid condition in \"when\": expected a value after '==' at column 6, found "
                "end of expression");
  assert_error (fixture, 1, 6, 38,
                "condition refers to step \"later\", which is not an earlier step; name a step "
                "that runs before this one");
  assert_error (fixture, 2, 7, 38,
                "invalid name \"steps.first.exit\" in condition; write steps.STEP.rc or "
                "steps.STEP.stdout");
}

/* A JSON workflow uses the same keys; durations and wave sizes, which JSON
 * can only write as strings, are accepted quoted there. */
static void
test_json_accepted (Fixture *fixture, gconstpointer data)
{
  g_autoptr (FleetPlan) plan = compile_file_and_plan (fixture, "workflow.json",
    "{\n"
    "\t\"name\": \"json\",\n"
    "\t\"inventory\": \"inventory.yaml\",\n"
    "\t\"target\": {\"all\": true},\n"
    "\t\"waves\": [1, \"100%\"],\n"
    "\t\"vars\": {\"path\": \"a\\/b c\"},\n"
    "\t\"steps\": [{\"name\": \"s\", \"timeout\": \"90s\", \"expect_exit\": [0, 3],\n"
    "\t\t\"become\": false, \"when\": \"dc == \\\"fra\\\"\", \"run\": \"ls {{ path }}\"}]\n"
    "}\n");
  const FleetStep *step;

  g_assert_nonnull (plan);
  g_assert_cmpuint (fleet_diagnostics_length (fixture->diags), ==, 0);
  g_assert_cmpuint (plan->waves->len, ==, 2);
  step = g_ptr_array_index (plan->steps, 0);
  g_assert_cmpuint (step->timeout_ms, ==, 90000);
  g_assert_cmpuint (step->expected_exit_codes->len, ==, 2);
  g_assert_cmpstr (fleet_step_command_for_host (step, "web1"), ==, "ls 'a/b c'");
  g_assert_true (g_hash_table_contains (step->skipped_hosts, "web2"));
}

/* JSON edge cases: what the YAML parser does with valid JSON that fleetc
 * rejects, each with its position. */
static void
test_json_rejected (Fixture *fixture, gconstpointer data)
{
  const struct {
    const char *text;
    guint line;
    guint column;
    const char *message;
  } cases[] = {
    /* JSON allows repeated names; fleetc rejects them as in YAML. */
    { "{\"name\": \"a\",\n \"name\": \"b\"}\n", 2, 2,
      "duplicate key \"name\"; it is first defined at line 1, column 2" },
    /* libyaml rejects UTF-16 surrogate escapes, which JSON needs for
     * characters outside the BMP; write such characters as UTF-8. */
    { "{\"name\": \"\\ud83d\\ude00\"}\n", 1, 13,
      "invalid YAML: found invalid Unicode character escape code (while parsing a quoted "
      "scalar started at line 1, column 10)" },
    /* Booleans and integers have JSON literals, so strings stay strings. */
    { "{\"name\": \"n\", \"inventory\": \"inventory.yaml\", \"target\": {\"all\": \"true\"},\n"
      " \"steps\": [{\"name\": \"s\", \"timeout\": \"1s\", \"run\": \"true\"}]}\n", 1, 64,
      "invalid boolean \"true\" for \"all\": write it without quotes" },
    { "{\"name\": \"n\", \"inventory\": \"inventory.yaml\", \"target\": {\"all\": true},\n"
      " \"parallelism\": 1e1, \"steps\": [{\"name\": \"s\", \"timeout\": \"1s\", \"run\": \"true\"}]}\n",
      2, 17,
      "invalid integer \"1e1\" for \"parallelism\": use decimal digits only, for a value from 1 "
      "to 100000" },
  };

  for (gsize i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autoptr (FleetPlan) plan = NULL;

      fleet_diagnostics_free (fixture->diags);
      fixture->diags = fleet_diagnostics_new ();
      plan = compile_file_and_plan (fixture, "workflow.json", cases[i].text);

      g_assert_null (plan);
      assert_error_in (fixture, "workflow.json", 0, cases[i].line, cases[i].column,
                       cases[i].message);
    }
}

#define INCLUDE_HEAD \
  "name: demo\n" \
  "inventory: inventory.yaml\n" \
  "target: {all: true}\n"

/* Return the names of the plan's steps joined by spaces. */
static char *
step_names (const FleetPlan *plan)
{
  GString *out = g_string_new (NULL);

  for (guint i = 0; i < plan->steps->len; i++)
    {
      const FleetStep *step = g_ptr_array_index (plan->steps, i);

      g_string_append_printf (out, "%s%s", i > 0 ? " " : "", step->name);
    }
  return g_string_free (out, FALSE);
}

/* Included steps come first, nested ones before their includer's, and a
 * condition may name a step of another file. */
static void
test_include_order (Fixture *fixture, gconstpointer data)
{
  g_autoptr (FleetPlan) plan = NULL;
  g_autofree char *names = NULL;

  g_free (write_file (fixture, "common.yaml",
                      "include: inner.yaml\n"
                      "steps:\n"
                      "  - {name: common, timeout: 1s, run: \"true\"}\n"));
  g_free (write_file (fixture, "inner.yaml",
                      "steps:\n"
                      "  - {name: inner, timeout: 1s, run: \"true\"}\n"));
  plan = compile_and_plan (fixture,
    INCLUDE_HEAD
    "steps:\n"
    "  - {name: own, timeout: 1s, when: 'steps.inner.rc == 0', run: \"true\"}\n"
    "include: [common.yaml]\n");

  g_assert_nonnull (plan);
  names = step_names (plan);
  g_assert_cmpstr (names, ==, "inner common own");
}

static void
test_include_cycle (Fixture *fixture, gconstpointer data)
{
  g_autoptr (FleetPlan) plan = NULL;

  g_free (write_file (fixture, "b.yaml",
                      "include: [c.yaml]\n"
                      "steps:\n"
                      "  - {name: b, timeout: 1s, run: \"true\"}\n"));
  g_free (write_file (fixture, "c.yaml",
                      "steps:\n"
                      "  - {name: c, timeout: 1s, run: \"true\"}\n"
                      "include:\n"
                      "  - ./b.yaml\n"));
  plan = compile_and_plan (fixture, INCLUDE_HEAD "include: b.yaml\n");

  g_assert_null (plan);
  g_assert_cmpuint (fleet_diagnostics_error_count (fixture->diags), ==, 1);
  assert_error_in (fixture, "c.yaml", 0, 4, 5,
                   "include cycle: b.yaml -> c.yaml -> b.yaml; remove one of these includes");
}

/* A chain of ten files: the ninth level is one too deep. */
static void
test_include_depth_limit (Fixture *fixture, gconstpointer data)
{
  g_autoptr (FleetPlan) plan = NULL;

  for (guint i = 1; i <= 10; i++)
    {
      g_autofree char *name = g_strdup_printf ("level%u.yaml", i);
      g_autofree char *include = i < 10 ? g_strdup_printf ("include: level%u.yaml\n", i + 1)
                                        : g_strdup ("");
      g_autofree char *text = g_strdup_printf ("%ssteps:\n"
                                               "  - {name: s%u, timeout: 1s, run: \"true\"}\n",
                                               include, i);

      g_free (write_file (fixture, name, text));
    }
  plan = compile_and_plan (fixture, INCLUDE_HEAD "include: level1.yaml\n");

  g_assert_null (plan);
  g_assert_cmpuint (fleet_diagnostics_error_count (fixture->diags), ==, 1);
  assert_error_in (fixture, "level8.yaml", 0, 1, 10,
                   "includes are nested more than 8 files deep; include the steps from fewer "
                   "levels of files");
}

/* Errors inside an included file point into that file. */
static void
test_include_errors (Fixture *fixture, gconstpointer data)
{
  g_autoptr (FleetPlan) plan = NULL;
  g_autofree char *duplicate_message = NULL;
  g_autofree char *missing_message = NULL;

  g_free (write_file (fixture, "common.yaml",
                      "steps:\n"
                      "  - name: own\n"
                      "    timeout: 1s\n"
                      "    run: \"echo {{ undefined_here }}\"\n"
                      "    retry: 3\n"));
  plan = compile_and_plan (fixture,
    INCLUDE_HEAD
    "include: [common.yaml, missing.yaml]\n"
    "steps:\n"
    "  - {name: own, timeout: 1s, run: \"true\"}\n");

  g_assert_null (plan);
  g_assert_cmpuint (fleet_diagnostics_error_count (fixture->diags), ==, 3);
  assert_error_in (fixture, "common.yaml", 0, 5, 5,
                   "unknown key \"retry\" in step; the valid keys are: name, run, when, needs, timeout, "
                   "estimate, expect_exit, become, become_user, idempotent, script, interpreter, copy, template, "
                   "reboot, wait_for, local, retries, retry_delay, env, workdir, changed_when, "
                   "failed_when");
  missing_message = g_strdup_printf ("failed to read included steps file \"%s/missing.yaml\": "
                                     "No such file or directory", fixture->dir);
  assert_error (fixture, 1, 4, 24, missing_message);
  duplicate_message = g_strdup_printf ("duplicate step name \"own\"; the first step with this "
                                       "name is at %s/common.yaml:2:5", fixture->dir);
  assert_error (fixture, 2, 6, 5, duplicate_message);
}

/* Steps move after the steps they need; the others keep their order. */
/* `fleetc validate` of a workflow with errors of many independent kinds
 * reports every one of them at once, sorted by position: the golden file
 * holds its whole standard error. */
static void
test_errors_one_pass_golden (void)
{
  const char *source_root = g_getenv ("FLEET_SOURCE_ROOT");
  const char *build_root = g_getenv ("FLEET_BUILD_ROOT");
  g_autofree char *data_dir = NULL;
  g_autofree char *fleetc = NULL;
  g_autofree char *golden_path = NULL;
  g_autofree char *golden = NULL;
  g_autofree char *out = NULL;
  g_autofree char *err = NULL;
  g_autoptr (GError) error = NULL;
  int wait_status = 0;

  g_assert_nonnull (source_root);
  g_assert_nonnull (build_root);
  data_dir = g_build_filename (source_root, "tests", "data", "language-errors", NULL);
  fleetc = g_build_filename (build_root, "cli", "fleetc", NULL);
  golden_path = g_build_filename (data_dir, "expected-errors.txt", NULL);

  /* Run in the data directory, so that the messages name the files as the
   * golden file does. */
  g_spawn_sync (data_dir, (char *[]) { fleetc, (char *) "validate", (char *) "workflow.yaml", NULL },
                NULL, G_SPAWN_DEFAULT, NULL, NULL, &out, &err, &wait_status, &error);
  g_assert_no_error (error);
  g_test_message ("fleetc validate:\n%s", err);
  g_assert_true (WIFEXITED (wait_status));
  g_assert_cmpint (WEXITSTATUS (wait_status), ==, 2);
  g_assert_cmpstr (out, ==, "");

  g_assert_true (g_file_get_contents (golden_path, &golden, NULL, NULL));
  g_assert_cmpstr (err, ==, golden);
}

static void
test_needs_order (Fixture *fixture, gconstpointer data)
{
  g_autoptr (FleetPlan) plan = compile_and_plan (fixture,
    INCLUDE_HEAD
    "steps:\n"
    "  - {name: restart, timeout: 1s, run: \"true\", needs: [install, configure]}\n"
    "  - {name: notify, timeout: 1s, run: \"true\"}\n"
    "  - {name: configure, timeout: 1s, run: \"true\", needs: [install]}\n"
    "  - {name: install, timeout: 1s, run: \"true\"}\n"
    "  - {name: verify, timeout: 1s, run: \"true\", when: 'steps.restart.rc == 0'}\n");
  g_autofree char *names = NULL;

  g_assert_nonnull (plan);
  names = step_names (plan);
  g_assert_cmpstr (names, ==, "notify install configure restart verify");
}

static void
test_needs_errors (Fixture *fixture, gconstpointer data)
{
  g_autoptr (FleetPlan) plan = compile_and_plan (fixture,
    INCLUDE_HEAD
    "steps:\n"
    "  - {name: a, timeout: 1s, run: \"true\", needs: [nothing, a]}\n");

  g_assert_null (plan);
  g_assert_cmpuint (fleet_diagnostics_error_count (fixture->diags), ==, 2);
  assert_error (fixture, 0, 5, 48,
                "\"needs\" names step \"nothing\", which does not exist; name a step of this "
                "workflow");
  assert_error (fixture, 1, 5, 48, "step \"a\" needs itself; remove its own name from \"needs\"");
}

static void
test_needs_cycle (Fixture *fixture, gconstpointer data)
{
  g_autoptr (FleetPlan) plan = compile_and_plan (fixture,
    INCLUDE_HEAD
    "steps:\n"
    "  - {name: first, timeout: 1s, run: \"true\"}\n"
    "  - {name: a, timeout: 1s, run: \"true\", needs: [b]}\n"
    "  - {name: b, timeout: 1s, run: \"true\", needs: [c]}\n"
    "  - {name: c, timeout: 1s, run: \"true\", needs: [first, a]}\n");

  g_assert_null (plan);
  g_assert_cmpuint (fleet_diagnostics_error_count (fixture->diags), ==, 1);
  assert_error (fixture, 0, 6, 48,
                "steps need each other in a cycle: a -> b -> c -> a (each needs the next); "
                "remove one of these needs");
}

/* Steps that wait for a step on the hosts of a group */

static const char groups_inventory_text[] =
  "hosts:\n"
  "  db1: {attributes: {role: db}}\n"
  "  db2: {attributes: {role: db}}\n"
  "  web1: {attributes: {role: web}}\n"
  "  web2: {attributes: {role: web}}\n"
  "groups:\n"
  "  db: [db1, db2]\n"
  "  web: [web1, web2]\n";

#define GROUPS_HEAD \
  "name: demo\n" \
  "inventory: groups.yaml\n" \
  "target: {all: true}\n"

/* Compile `workflow_text` against the inventory with groups above. */
static FleetPlan *
compile_with_groups (Fixture *fixture, const char *workflow_text)
{
  g_free (write_file (fixture, "groups.yaml", groups_inventory_text));
  return compile_and_plan (fixture, workflow_text);
}

static void
test_group_needs_in_plan (Fixture *fixture, gconstpointer data)
{
  g_autoptr (FleetPlan) plan = compile_with_groups (fixture,
    GROUPS_HEAD
    "order: {by: group, sequence: [db, web]}\n"
    "steps:\n"
    "  - {name: app, timeout: 1s, run: \"true\", when: 'groups contains \"web\"',\n"
    "     needs: [{step: migrate, on: db}]}\n"
    "  - {name: migrate, timeout: 1s, run: \"true\", when: 'groups contains \"db\"'}\n");
  g_autoptr (FleetPlan) read_back = NULL;
  g_autoptr (GBytes) bytes = NULL;
  g_autoptr (GError) error = NULL;
  const FleetStepBarrier *barrier;
  const FleetStep *app;

  g_assert_nonnull (plan);
  g_assert_cmpuint (fleet_diagnostics_error_count (fixture->diags), ==, 0);
  bytes = fleet_plan_serialize (plan);
  read_back = fleet_plan_deserialize (bytes, &error);
  g_assert_no_error (error);

  /* The step waited for also orders the steps on every host. */
  g_assert_cmpstr (((const FleetStep *) g_ptr_array_index (read_back->steps, 0))->name, ==,
                   "migrate");
  app = g_ptr_array_index (read_back->steps, 1);
  g_assert_cmpstr (app->name, ==, "app");
  g_assert_nonnull (app->barriers);
  g_assert_cmpuint (app->barriers->len, ==, 1);
  barrier = g_ptr_array_index (app->barriers, 0);
  g_assert_cmpstr (barrier->step, ==, "migrate");
  g_assert_cmpstr (barrier->group, ==, "db");
  g_assert_cmpuint (barrier->hosts->len, ==, 2);
  g_assert_cmpstr (g_ptr_array_index (barrier->hosts, 0), ==, "db1");
  g_assert_cmpstr (g_ptr_array_index (barrier->hosts, 1), ==, "db2");
}

static void
test_group_needs_errors (Fixture *fixture, gconstpointer data)
{
  g_autoptr (FleetPlan) plan = compile_with_groups (fixture,
    GROUPS_HEAD
    "order: {by: group, sequence: [db, web]}\n"
    "steps:\n"
    "  - {name: migrate, timeout: 1s, run: \"true\"}\n"
    "  - {name: a, timeout: 1s, run: \"true\", needs: [{step: migrate, on: dbs}]}\n"
    "  - {name: b, timeout: 1s, run: \"true\", needs: [{step: migrate, in: db}]}\n"
    "  - {name: c, timeout: 1s, run: \"true\", needs: [{step: nothing, on: db}]}\n");

  g_assert_null (plan);
  g_assert_cmpuint (fleet_diagnostics_error_count (fixture->diags), ==, 3);
  assert_error (fixture, 0, 8, 65,
                "unknown key \"in\" in a \"needs\" entry; an entry that waits for other hosts "
                "has \"step\" and \"on\" (a group)");
  assert_error (fixture, 1, 8, 49,
                "a \"needs\" entry that waits for other hosts needs both \"step\" (the step) "
                "and \"on\" (the group whose hosts run it first)");
  assert_error (fixture, 2, 9, 48,
                "\"needs\" names step \"nothing\", which does not exist; name a step of this "
                "workflow");

  fleet_diagnostics_free (fixture->diags);
  fixture->diags = fleet_diagnostics_new ();
  plan = compile_with_groups (fixture,
    GROUPS_HEAD
    "order: {by: group, sequence: [db, web]}\n"
    "steps:\n"
    "  - {name: migrate, timeout: 1s, run: \"true\"}\n"
    "  - {name: a, timeout: 1s, run: \"true\", needs: [{step: migrate, on: dbs}]}\n");
  g_assert_null (plan);
  g_assert_cmpuint (fleet_diagnostics_error_count (fixture->diags), ==, 1);
  assert_error (fixture, 0, 7, 49,
                "\"needs\" waits on group \"dbs\", which the inventory does not have; name one "
                "of its groups");
}

/* Two steps that wait for each other on other groups form a cycle. */
static void
test_group_needs_cycle (Fixture *fixture, gconstpointer data)
{
  g_autoptr (FleetPlan) plan = compile_with_groups (fixture,
    GROUPS_HEAD
    "steps:\n"
    "  - {name: a, timeout: 1s, run: \"true\", needs: [{step: b, on: db}]}\n"
    "  - {name: b, timeout: 1s, run: \"true\", needs: [{step: a, on: web}]}\n");

  g_assert_null (plan);
  g_assert_cmpuint (fleet_diagnostics_error_count (fixture->diags), ==, 1);
  assert_error (fixture, 0, 5, 48,
                "steps need each other in a cycle: a -> b -> a (each needs the next); remove one "
                "of these needs");
}

/* The hosts of the group must run before, or with, the hosts that wait. */
static void
test_group_needs_waves (Fixture *fixture, gconstpointer data)
{
  g_autoptr (FleetPlan) plan = compile_with_groups (fixture,
    GROUPS_HEAD
    "order: {by: group, sequence: [web, db]}\n"
    "steps:\n"
    "  - {name: migrate, timeout: 1s, run: \"true\", when: 'groups contains \"db\"'}\n"
    "  - {name: app, timeout: 1s, run: \"true\", needs: [{step: migrate, on: db}]}\n");

  g_assert_null (plan);
  g_assert_cmpuint (fleet_diagnostics_error_count (fixture->diags), ==, 1);
  assert_error (fixture, 0, 7, 51,
                "step \"app\" waits for step \"migrate\" on group \"db\", but a host of the "
                "group runs in wave 2, after host \"web1\" in wave 1, which would wait for "
                "ever; run the group's hosts first, for example with order: {by: group, "
                "sequence: [db, ...]}");

  /* One wave: only when every host of it can be busy at once. */
  fleet_diagnostics_free (fixture->diags);
  fixture->diags = fleet_diagnostics_new ();
  g_clear_pointer (&plan, fleet_plan_free);
  plan = compile_with_groups (fixture,
    GROUPS_HEAD
    "steps:\n"
    "  - {name: migrate, timeout: 1s, run: \"true\", when: 'groups contains \"db\"'}\n"
    "  - {name: app, timeout: 1s, run: \"true\", needs: [{step: migrate, on: db}]}\n");
  g_assert_null (plan);
  g_assert_cmpuint (fleet_diagnostics_error_count (fixture->diags), ==, 1);
  g_assert_true (g_str_has_prefix (fleet_diagnostics_get (fixture->diags, 0)->message,
                                   "step \"app\" waits for step \"migrate\" on group \"db\", "
                                   "whose hosts share wave 1 with host \"db1\""));

  fleet_diagnostics_free (fixture->diags);
  fixture->diags = fleet_diagnostics_new ();
  plan = compile_with_groups (fixture,
    GROUPS_HEAD
    "concurrency: {adaptive: false}\n"
    "parallelism: 4\n"
    "steps:\n"
    "  - {name: migrate, timeout: 1s, run: \"true\", when: 'groups contains \"db\"'}\n"
    "  - {name: app, timeout: 1s, run: \"true\", needs: [{step: migrate, on: db}]}\n");
  g_assert_nonnull (plan);
  g_assert_cmpuint (fleet_diagnostics_error_count (fixture->diags), ==, 0);
}

/* Step kinds and per-step settings */

static const GBytes *
host_content (const FleetStep *step, const char *host)
{
  return g_hash_table_lookup (step->kind_data->host_contents, host);
}

static void
assert_bytes (const GBytes *bytes, const char *expected, gsize length)
{
  gsize size = 0;
  const char *data = g_bytes_get_data ((GBytes *) bytes, &size);

  g_assert_cmpmem (data, size, expected, length);
}

static void
test_step_kinds_in_plan (Fixture *fixture, gconstpointer data)
{
  g_autoptr (FleetPlan) plan = NULL;
  g_autoptr (FleetPlan) read_back = NULL;
  g_autoptr (GBytes) bytes = NULL;
  g_autoptr (GError) error = NULL;
  const FleetStep *step;

  g_free (write_file (fixture, "patch.sh", "echo patched\n"));
  g_free (write_file (fixture, "motd.tmpl", "dc={{ dc }} name={{ name }} {{ '{{' }}\n"));
  plan = compile_and_plan (fixture, HEAD
    "  - {name: patch, timeout: 1m, script: patch.sh, env: {MODE: \"a b\"}, workdir: /srv}\n"
    "  - {name: motd, timeout: 1m, template: {src: motd.tmpl, dest: /etc/motd, mode: \"0640\", owner: root}}\n"
    "  - {name: drain, timeout: 1m, local: [lbctl, drain, \"{{ name }}\"], retries: 2, retry_delay: 5s}\n"
    "  - {name: reboot, timeout: 1m, reboot: {deadline: 15m}}\n"
    "  - {name: up, timeout: 1m, wait_for: {port: 8080}, changed_when: rc == 0, failed_when: rc > 1}\n");
  g_assert_nonnull (plan);

  /* A plan file carries every kind field through. */
  bytes = fleet_plan_serialize (plan);
  read_back = fleet_plan_deserialize (bytes, &error);
  g_assert_no_error (error);

  step = g_ptr_array_index (read_back->steps, 0);
  g_assert_cmpint (step->kind_data->kind, ==, FLEET_STEP_KIND_SCRIPT);
  g_assert_cmpstr (step->kind_data->interpreter, ==, "/bin/sh -s");
  assert_bytes (step->kind_data->content, "echo patched\n", 13);
  g_assert_cmpstr (step->kind_data->content_sha256, ==,
                   "cb720548a6e9b9146608d583bdf45f6eb0511be2a661bb3e4757f0277e596492");
  g_assert_cmpstr (g_hash_table_lookup (step->policy->env, "MODE"), ==, "a b");
  g_assert_cmpstr (step->policy->workdir, ==, "/srv");

  step = g_ptr_array_index (read_back->steps, 1);
  g_assert_cmpint (step->kind_data->kind, ==, FLEET_STEP_KIND_TEMPLATE);
  g_assert_cmpstr (step->kind_data->dest, ==, "/etc/motd");
  g_assert_cmpuint (step->kind_data->mode, ==, 0640);
  g_assert_cmpstr (step->kind_data->owner, ==, "root");
  /* Values go in verbatim: a file is not shell input. */
  assert_bytes (host_content (step, "web1"), "dc=fra name=a; rm -rf / {{\n", 27);
  assert_bytes (host_content (step, "web2"), "dc=it's name=web2 {{\n", 21);

  step = g_ptr_array_index (read_back->steps, 2);
  g_assert_cmpint (step->kind_data->kind, ==, FLEET_STEP_KIND_LOCAL);
  assert_bytes (host_content (step, "web1"), "lbctl\0drain\0a; rm -rf /\0", 24);
  g_assert_cmpuint (step->policy->retries, ==, 2);
  g_assert_cmpuint (step->policy->retry_delay_ms, ==, 5000);

  step = g_ptr_array_index (read_back->steps, 3);
  g_assert_cmpint (step->kind_data->kind, ==, FLEET_STEP_KIND_REBOOT);
  g_assert_cmpstr (step->kind_data->command, ==, "shutdown -r now");
  g_assert_cmpstr (step->kind_data->boot_id_file, ==, "/proc/sys/kernel/random/boot_id");
  g_assert_cmpuint (step->kind_data->deadline_ms, ==, 15 * 60 * 1000);

  step = g_ptr_array_index (read_back->steps, 4);
  g_assert_cmpint (step->kind_data->kind, ==, FLEET_STEP_KIND_WAIT_FOR);
  g_assert_cmpuint (step->kind_data->wait_port, ==, 8080);
  g_assert_cmpstr (step->kind_data->wait_host, ==, "127.0.0.1");
  g_assert_cmpuint (step->kind_data->interval_ms, ==, 1000);
  g_assert_cmpstr (step->policy->changed_when, ==, "rc == 0");
  g_assert_cmpstr (step->policy->failed_when, ==, "rc > 1");
}

/* A mode in which some users may write the file but not read it gets a
 * warning, with the octal form of Ansible's decimal integer; a setuid mode
 * is taken as written. */
static void
test_copy_mode_warnings (Fixture *fixture, gconstpointer data)
{
  g_autoptr (FleetPlan) plan = NULL;
  const FleetStep *step;

  g_free (write_file (fixture, "patch.sh", "echo patched\n"));
  plan = compile_and_plan (fixture, HEAD
    "  - {name: a, timeout: 1m, copy: {src: patch.sh, dest: /usr/local/bin/a, mode: 420}}\n"
    "  - {name: b, timeout: 1m, copy: {src: patch.sh, dest: /usr/local/bin/b, mode: \"4755\"}}\n");
  g_assert_nonnull (plan);

  g_assert_cmpuint (fleet_diagnostics_warning_count (fixture->diags), ==, 1);
  assert_warning (fixture, 0, 6, 80,
                  "\"mode\" 420 is 0420: some users may write or run the file but not read it, "
                  "which is rarely meant; if \"420\" is a decimal mode as Ansible reads "
                  "integers, write 0644");
  step = g_ptr_array_index (plan->steps, 0);
  g_assert_cmpuint (step->kind_data->mode, ==, 0420);
  step = g_ptr_array_index (plan->steps, 1);
  g_assert_cmpuint (step->kind_data->mode, ==, 04755);
}

/* Copies and templates may run again after a crash without a decision,
 * unless the step sets `idempotent: false`; other steps may not. */
static void
test_copy_idempotent_default (Fixture *fixture, gconstpointer data)
{
  g_autoptr (FleetPlan) plan = NULL;

  g_free (write_file (fixture, "patch.sh", "echo patched\n"));
  plan = compile_and_plan (fixture, HEAD
    "  - {name: a, timeout: 1m, copy: {src: patch.sh, dest: /etc/a}}\n"
    "  - {name: b, timeout: 1m, copy: {src: patch.sh, dest: /etc/b}, idempotent: false}\n"
    "  - {name: c, timeout: 1m, template: {src: patch.sh, dest: /etc/c}}\n"
    "  - {name: d, timeout: 1m, script: patch.sh}\n"
    "  - {name: e, timeout: 1m, run: \"true\"}\n");
  g_assert_nonnull (plan);

  g_assert_true (((FleetStep *) g_ptr_array_index (plan->steps, 0))->idempotent);
  g_assert_false (((FleetStep *) g_ptr_array_index (plan->steps, 1))->idempotent);
  g_assert_true (((FleetStep *) g_ptr_array_index (plan->steps, 2))->idempotent);
  g_assert_false (((FleetStep *) g_ptr_array_index (plan->steps, 3))->idempotent);
  g_assert_false (((FleetStep *) g_ptr_array_index (plan->steps, 4))->idempotent);
}

static void
test_step_content_digest_checked (Fixture *fixture, gconstpointer data)
{
  g_autoptr (FleetPlan) plan = NULL;
  g_autoptr (FleetPlan) read_back = NULL;
  g_autoptr (GBytes) bytes = NULL;
  g_autoptr (GError) error = NULL;
  FleetStep *step;

  g_free (write_file (fixture, "patch.sh", "echo patched\n"));
  plan = compile_and_plan (fixture, HEAD "  - {name: patch, timeout: 1m, script: patch.sh}\n");
  g_assert_nonnull (plan);

  /* A writer that stores other bytes than it digested makes a plan that
   * fleet-run must not run. */
  step = g_ptr_array_index (plan->steps, 0);
  g_bytes_unref (step->kind_data->content);
  step->kind_data->content = g_bytes_new_static ("rm -rf /\n", 9);
  bytes = fleet_plan_serialize (plan);
  read_back = fleet_plan_deserialize (bytes, &error);

  g_assert_null (read_back);
  g_assert_error (error, FLEET_PLAN_ERROR, FLEET_PLAN_ERROR_INVALID);
  g_assert_nonnull (strstr (error->message, "the content of step \"patch\" has SHA-256"));
}

static void
test_step_kind_errors (Fixture *fixture, gconstpointer data)
{
  g_autoptr (FleetPlan) plan = NULL;
  const FleetDiagnostic *diagnostic;

  g_free (write_file (fixture, "patch.sh", "echo patched\n"));
  plan = compile_and_plan (fixture, HEAD
    "  - {name: a, timeout: 1s, run: \"true\", script: patch.sh}\n"
    "  - {name: b, timeout: 1s, run: \"true\", interpreter: bash -s}\n"
    "  - {name: c, timeout: 1s, copy: {src: patch.sh, dest: relative/path, mode: \"0999\"}}\n"
    "  - {name: d, timeout: 1s, wait_for: {port: 22, path: /tmp/x}}\n"
    "  - {name: e, timeout: 1s, script: no-such-file.sh}\n"
    "  - {name: f, timeout: 1s, run: \"true\", env: {\"1BAD\": x}}\n"
    "  - {name: g, timeout: 1s, run: \"true\", changed_when: dc == \"fra\"}\n"
    "  - {name: h, timeout: 1s, copy: {src: patch.sh, dest: /a}, template: {src: patch.sh, "
    "dest: /b}}\n");

  g_assert_null (plan);
  g_assert_cmpuint (fleet_diagnostics_error_count (fixture->diags), ==, 9);
  assert_error (fixture, 0, 6, 49,
                "a step has one kind, but this one has both \"run\" (line 6) and \"script\"; "
                "split it into two steps");
  assert_error (fixture, 1, 7, 54, "\"interpreter\" applies only to \"script\" steps; remove it");
  assert_error (fixture, 2, 8, 56,
                "invalid value for \"dest\": \"relative/path\" is not an absolute file path; "
                "write the full path of the file, such as /etc/motd");
  assert_error (fixture, 3, 8, 77,
                "invalid value for \"mode\": \"0999\" is not an octal file mode; write three or "
                "four octal digits, such as 0644");
  assert_error (fixture, 4, 9, 38,
                "\"wait_for\" needs exactly one of \"port\", \"path\" and \"command\", found 2");
  diagnostic = fleet_diagnostics_get (fixture->diags, 5);
  g_assert_cmpuint (diagnostic->pos.line, ==, 10);
  g_assert_cmpuint (diagnostic->pos.column, ==, 36);
  g_assert_true (g_str_has_prefix (diagnostic->message, "cannot read file \"no-such-file.sh\": "));
  g_assert_true (g_str_has_suffix (diagnostic->message, "; check the path, which is relative to "
                                                        "this file's directory"));
  assert_error (fixture, 6, 11, 47,
                "invalid environment variable name \"1BAD\"; use letters, digits and '_', not "
                "starting with a digit");
  assert_error (fixture, 7, 12, 55,
                "invalid name \"dc\" in \"changed_when\"; the condition may use only rc, stdout "
                "and stderr");
  /* The second kind's keys must not write into the first kind's record:
   * under AddressSanitizer this step leaked its "dest". */
  assert_error (fixture, 8, 13, 71,
                "a step has one kind, but this one has both \"copy\" (line 13) and "
                "\"template\"; split it into two steps");
}

static void
test_facts_parse (void)
{
  g_autoptr (GHashTable) ubuntu = fleet_facts_parse ("os_id=ubuntu\nos_like=debian\n"
                                                     "os_version=24.04\narchitecture=x86_64\n"
                                                     "kernel=6.8.0\nfree_disk_mb=20480\n"
                                                     "os_family=forged\nunknown=x\n");
  g_autoptr (GHashTable) rocky = fleet_facts_parse ("os_id=rocky\nos_like=rhel centos fedora\n");
  g_autoptr (GHashTable) derived = fleet_facts_parse ("os_id=pop\nos_like=ubuntu debian\n");
  g_autoptr (GHashTable) other = fleet_facts_parse ("os_id=gentoo\nos_like=\nfree_disk_mb=\n");
  FleetValue value;

  g_assert_cmpstr (g_hash_table_lookup (ubuntu, "os_family"), ==, "Debian");
  g_assert_cmpstr (g_hash_table_lookup (ubuntu, "os_version"), ==, "24.04");
  g_assert_null (g_hash_table_lookup (ubuntu, "unknown"));
  g_assert_true (fleet_facts_lookup (ubuntu, "facts.free_disk_mb", &value));
  g_assert_cmpint (value.type, ==, FLEET_VALUE_NUMBER);
  g_assert_cmpfloat (value.number, ==, 20480);
  g_assert_true (fleet_facts_lookup (ubuntu, "facts.architecture", &value));
  g_assert_cmpstr (value.string, ==, "x86_64");
  g_assert_cmpstr (g_hash_table_lookup (rocky, "os_family"), ==, "RedHat");
  g_assert_cmpstr (g_hash_table_lookup (derived, "os_family"), ==, "Debian");
  g_assert_cmpstr (g_hash_table_lookup (other, "os_family"), ==, "gentoo");
  g_assert_false (fleet_facts_lookup (other, "facts.free_disk_mb", &value));
  g_assert_false (fleet_facts_lookup (other, "facts.kernel", &value));
}

/* Settings with references, rendered per host and carried by the plan
 * file; fleet-run puts them into the step with fleet_step_values_apply. */
static void
test_step_values_per_host (Fixture *fixture, gconstpointer data)
{
  g_autoptr (FleetPlan) plan = NULL;
  g_autoptr (FleetPlan) read_back = NULL;
  g_autoptr (GBytes) bytes = NULL;
  g_autoptr (GError) error = NULL;
  g_autoptr (FleetStepKindData) applied = NULL;
  g_autoptr (FleetStepPolicy) applied_policy = NULL;
  const FleetStep *step;

  g_free (write_file (fixture, "app.conf", "x\n"));
  plan = compile_and_plan (fixture, HEAD
    "  - {name: a, timeout: 1s, copy: {src: app.conf, dest: \"/etc/{{ dc }}/{{ name }}.conf\"},\n"
    "     workdir: \"/srv/{{ dc }}\", env: {DC: \"{{ dc }}\", FIXED: plain, EMPTY: \"{{ '' }}\"}}\n"
    "  - {name: b, timeout: 1s, wait_for: {command: \"test -e /run/{{ name }}\"}}\n"
    "  - {name: c, timeout: 1s, wait_for: {path: \"/run/{{ dc }}.pid\"}}\n"
    "  - {name: d, timeout: 1s, reboot: {command: \"echo {{ dc }} && reboot\",\n"
    "                                    boot_id_file: \"/var/{{ dc }}\"}}\n"
    "  - {name: e, timeout: 1s, run: \"true\", env: {A: \"$HOME\"}}\n");
  g_assert_nonnull (plan);

  bytes = fleet_plan_serialize (plan);
  read_back = fleet_plan_deserialize (bytes, &error);
  g_assert_no_error (error);

  /* Paths and env values go in verbatim: fleet-run quotes them whole. */
  step = g_ptr_array_index (read_back->steps, 0);
  g_assert_nonnull (step->values);
  g_assert_null (step->values->templates);
  g_assert_true (fleet_step_values_apply (step->values, "web1", step->kind_data, step->policy,
                                          &applied, &applied_policy, &error));
  g_assert_no_error (error);
  g_assert_cmpstr (applied->dest, ==, "/etc/fra/a; rm -rf /.conf");
  g_assert_cmpstr (step->kind_data->dest, ==, "/etc/{{ dc }}/{{ name }}.conf");
  g_assert_cmpstr (applied_policy->workdir, ==, "/srv/fra");
  g_assert_cmpstr (g_hash_table_lookup (applied_policy->env, "DC"), ==, "fra");
  g_assert_cmpstr (g_hash_table_lookup (applied_policy->env, "FIXED"), ==, "plain");
  g_assert_cmpstr (g_hash_table_lookup (applied_policy->env, "EMPTY"), ==, "");
  g_clear_pointer (&applied, fleet_step_kind_data_free);
  g_clear_pointer (&applied_policy, fleet_step_policy_free);
  g_assert_true (fleet_step_values_apply (step->values, "web2", step->kind_data, step->policy,
                                          &applied, &applied_policy, &error));
  g_assert_cmpstr (applied->dest, ==, "/etc/it's/web2.conf");
  g_clear_pointer (&applied, fleet_step_kind_data_free);
  g_clear_pointer (&applied_policy, fleet_step_policy_free);

  /* A host the plan has no values for fails rather than using the text
   * with its braces. */
  g_assert_false (fleet_step_values_apply (step->values, "web9", step->kind_data, step->policy,
                                           &applied, &applied_policy, &error));
  g_assert_error (error, FLEET_PLAN_ERROR, FLEET_PLAN_ERROR_INVALID);
  g_clear_error (&error);

  /* A command is shell input and is quoted as `run` is. */
  step = g_ptr_array_index (read_back->steps, 1);
  g_assert_true (fleet_step_values_apply (step->values, "web1", step->kind_data, step->policy,
                                          &applied, &applied_policy, &error));
  g_assert_cmpstr (applied->command, ==, "test -e /run/'a; rm -rf /'");
  g_assert_null (applied_policy);
  g_clear_pointer (&applied, fleet_step_kind_data_free);

  step = g_ptr_array_index (read_back->steps, 2);
  g_assert_true (fleet_step_values_apply (step->values, "web2", step->kind_data, step->policy,
                                          &applied, &applied_policy, &error));
  g_assert_cmpstr (applied->wait_path, ==, "/run/it's.pid");
  g_clear_pointer (&applied, fleet_step_kind_data_free);

  step = g_ptr_array_index (read_back->steps, 3);
  g_assert_true (fleet_step_values_apply (step->values, "web2", step->kind_data, step->policy,
                                          &applied, &applied_policy, &error));
  g_assert_cmpstr (applied->command, ==, "echo 'it'\\''s' && reboot");
  g_assert_cmpstr (applied->boot_id_file, ==, "/var/it's");
  g_clear_pointer (&applied, fleet_step_kind_data_free);

  /* A step without references has no values. */
  step = g_ptr_array_index (read_back->steps, 4);
  g_assert_null (step->values);
}

static void
test_step_values_errors (Fixture *fixture, gconstpointer data)
{
  g_autoptr (FleetPlan) plan = NULL;

  g_free (write_file (fixture, "app.conf", "x\n"));
  g_free (write_file (fixture, "patch.sh", "true\n"));
  plan = compile_and_plan (fixture, HEAD
    "  - {name: a, timeout: 1s, copy: {src: app.conf, dest: \"/etc/{{ role }}.conf\"}}\n"
    "  - {name: b, timeout: 1s, copy: {src: app.conf, dest: \"{{ dc }}/app.conf\"}}\n"
    "  - {name: c, timeout: 1s, run: \"true\", workdir: \"{{ role | raw }}\",\n"
    "     env: {KEY: \"{{ secret.key }}\"}}\n"
    "  - {name: d, timeout: 1s, script: patch.sh, interpreter: \"{{ dc }} -s\"}\n"
    "  - {name: e, timeout: 1s, wait_for: {path: \"/run/{{ dc }}/\"}}\n"
    "  - {name: f, timeout: 1s, copy: {src: app.conf, dest: \"/etc/{{ dc }}/\"}}\n");

  g_assert_null (plan);
  g_assert_cmpuint (fleet_diagnostics_error_count (fixture->diags), ==, 2);
  /* The compiler stops before planning: a secret and an interpreter. */
  assert_error (fixture, 0, 9, 18,
                "secret \"key\" cannot be used in a command; secrets only go to sudo and key "
                "passphrases (become_password_secret, key_passphrase_secret)");
  assert_error (fixture, 1, 10, 59,
                "\"interpreter\" does not replace {{ }} references; write the value out, or "
                "use a run step with the reference");

  /* Without those two, the per-host errors. */
  fleet_diagnostics_free (fixture->diags);
  fixture->diags = fleet_diagnostics_new ();
  plan = compile_and_plan (fixture, HEAD
    "  - {name: a, timeout: 1s, copy: {src: app.conf, dest: \"/etc/{{ role }}.conf\"}}\n"
    "  - {name: b, timeout: 1s, copy: {src: app.conf, dest: \"{{ dc }}/app.conf\"}}\n"
    "  - {name: c, timeout: 1s, run: \"true\", workdir: \"{{ role | raw }}\"}\n"
    "  - {name: e, timeout: 1s, wait_for: {path: \"/run/{{ dc }}/\"}}\n"
    "  - {name: f, timeout: 1s, copy: {src: app.conf, dest: \"/etc/{{ dc }}/\"}}\n"
    "  - {name: g, timeout: 1s, run: \"true\", workdir: \"{{ '' }}\"}\n");
  g_assert_null (plan);
  g_assert_cmpuint (fleet_diagnostics_error_count (fixture->diags), ==, 5);
  assert_error (fixture, 0, 6, 62,
                "undefined variable \"role\" on host \"web2\"; define it in the workflow's "
                "\"vars\" or as a host attribute");
  assert_error (fixture, 1, 7, 56,
                "invalid value for \"dest\" on host \"web1\": \"fra/app.conf\" is not an "
                "absolute path; check the variables it uses, which must give the absolute path "
                "of a file, such as /etc/motd");
  assert_error (fixture, 2, 8, 51,
                "undefined variable \"role\" on host \"web2\"; define it in the workflow's "
                "\"vars\" or as a host attribute");
  /* A path ending in "/" is fine for wait_for, not for a file to write. */
  assert_error (fixture, 3, 10, 56,
                "invalid value for \"dest\" on host \"web1\": \"/etc/fra/\" ends in \"/\", so "
                "it names a directory rather than a file; check the variables it uses, which "
                "must give the absolute path of a file, such as /etc/motd");
  assert_error (fixture, 4, 11, 50,
                "invalid value for \"workdir\" on host \"web1\": \"\" is empty; check the "
                "variables it uses, which must give a value that is not empty");
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/language/template/quoting", test_template_quoting);
  g_test_add_func ("/language/template/quoting-every-byte", test_template_quoting_every_byte);
  g_test_add_func ("/language/template/quoting-in-double-quotes",
                   test_template_quoting_in_double_quotes);
  g_test_add_func ("/language/template/syntax-errors", test_template_syntax_errors);
  g_test_add_func ("/language/facts/parse", test_facts_parse);
  g_test_add_func ("/language/errors/one-pass-golden", test_errors_one_pass_golden);

#define ADD(path, function) \
  g_test_add (path, Fixture, NULL, fixture_set_up, function, fixture_tear_down)

  ADD ("/language/plan/renders-per-host", test_plan_renders_per_host);
  ADD ("/language/plan/undefined-names-host", test_undefined_names_host);
  ADD ("/language/plan/undefined-positions", test_undefined_positions);
  ADD ("/language/plan/escaped-brace-position", test_escaped_brace_position);
  ADD ("/language/plan/secret-rejected", test_secret_rejected);
  ADD ("/language/plan/invalid-var-name", test_invalid_var_name);
  ADD ("/language/plan/file-round-trip", test_plan_file_round_trip);
  ADD ("/language/steps/kinds-in-plan", test_step_kinds_in_plan);
  ADD ("/language/copy-mode-warnings", test_copy_mode_warnings);
  ADD ("/language/copy-idempotent-default", test_copy_idempotent_default);
  ADD ("/language/steps/content-digest-checked", test_step_content_digest_checked);
  ADD ("/language/steps/kind-errors", test_step_kind_errors);
  ADD ("/language/steps/values-per-host", test_step_values_per_host);
  ADD ("/language/steps/values-errors", test_step_values_errors);
  ADD ("/language/when/compile-time", test_when_compile_time);
  ADD ("/language/when/unknown-name-suggestion", test_when_unknown_name_suggestion);
  ADD ("/language/when/run-time", test_when_run_time);
  ADD ("/language/when/unknown-fact", test_when_unknown_fact);
  ADD ("/language/when/no-facts-needed", test_plain_plan_gathers_no_facts);
  ADD ("/language/when/errors", test_when_errors);
  ADD ("/language/json/accepted", test_json_accepted);
  ADD ("/language/json/rejected", test_json_rejected);
  ADD ("/language/include/order", test_include_order);
  ADD ("/language/include/cycle", test_include_cycle);
  ADD ("/language/include/depth-limit", test_include_depth_limit);
  ADD ("/language/include/errors", test_include_errors);
  ADD ("/language/needs/order", test_needs_order);
  ADD ("/language/needs/errors", test_needs_errors);
  ADD ("/language/needs/cycle", test_needs_cycle);
  ADD ("/language/needs/group-in-plan", test_group_needs_in_plan);
  ADD ("/language/needs/group-errors", test_group_needs_errors);
  ADD ("/language/needs/group-cycle", test_group_needs_cycle);
  ADD ("/language/needs/group-waves", test_group_needs_waves);

  return g_test_run ();
}
