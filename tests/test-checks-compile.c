/* test-checks-compile.c: the workflow keys `checks`, `between_waves` and
 * `rollback`, from YAML through the plan file to `fleetc show`. */
#include <glib.h>
#include <glib/gstdio.h>
#include <string.h>

#include "cli/fleet-plan-show.h"
#include "compiler/fleet-compiler.h"
#include "planner/fleet-planner.h"
#include "tests/test-helpers.h"

typedef struct {
  char *dir;
  FleetDiagnostics *diags;
  FleetWorkflow *workflow;
} Fixture;

static const char inventory[] =
  "hosts:\n"
  "  web1: {address: 127.0.0.1, attributes: {dc: dc1}}\n"
  "  web2: {address: 127.0.0.1, attributes: {dc: dc2}}\n"
  "groups:\n"
  "  first: [web1]\n"
  "  second: [web2]\n";

/* Workflows below start with these lines; the keys under test follow on
 * line 6. */
#define HEAD "name: demo\n" \
             "inventory: inventory.yaml\n" \
             "target: {all: true}\n" \
             "steps:\n" \
             "  - {name: install, run: \"true\", timeout: 5s}\n"

static void
fixture_set_up (Fixture *fixture, gconstpointer data)
{
  fixture->dir = fleet_test_make_dir ("test-checks-compile-XXXXXX");
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

static FleetWorkflow *
compile (Fixture *fixture, const char *text)
{
  g_autofree char *inventory_path = g_build_filename (fixture->dir, "inventory.yaml", NULL);
  g_autofree char *path = g_build_filename (fixture->dir, "workflow.yaml", NULL);
  g_autofree char *formatted = NULL;

  g_assert_true (g_file_set_contents (inventory_path, inventory, -1, NULL));
  g_assert_true (g_file_set_contents (path, text, -1, NULL));
  fixture->workflow = fleet_compile_workflow_file (path, NULL, fixture->diags);
  formatted = fleet_diagnostics_format (fixture->diags);
  g_test_message ("diagnostics:\n%s", formatted);
  return fixture->workflow;
}

/* Compile `text`, which must fail with an error at `line`:`column` whose
 * message is `message`, among possibly others. */
static void
assert_error (Fixture *fixture, const char *text, guint line, guint column, const char *message)
{
  g_assert_null (compile (fixture, text));
  for (guint i = 0; i < fleet_diagnostics_length (fixture->diags); i++)
    {
      const FleetDiagnostic *diagnostic = fleet_diagnostics_get (fixture->diags, i);

      if (diagnostic->severity == FLEET_SEVERITY_ERROR && g_str_equal (diagnostic->message, message))
        {
          g_assert_cmpuint (diagnostic->pos.line, ==, line);
          g_assert_cmpuint (diagnostic->pos.column, ==, column);
          return;
        }
    }
  g_error ("no error \"%s\"", message);
}

/* Compile, plan, write and read back `text`. */
static FleetPlan *
compile_to_plan (Fixture *fixture, const char *text)
{
  g_autoptr(FleetPlan) plan = NULL;
  g_autoptr(GBytes) bytes = NULL;
  g_autoptr(GError) error = NULL;
  FleetPlan *read;

  g_assert_nonnull (compile (fixture, text));
  plan = fleet_planner_build (fixture->workflow, fixture->diags);
  g_assert_nonnull (plan);
  bytes = fleet_plan_serialize (plan);
  read = fleet_plan_deserialize (bytes, &error);
  g_assert_no_error (error);
  return read;
}

static const char full_workflow[] =
  HEAD
  "checks:\n"
  "  - name: service up\n"
  "    run: systemctl is-active nginx\n"
  "    sample: 1\n"
  "    expect_contains: active\n"
  "    retries: 3\n"
  "    interval: 2s\n"
  "    bake: 1m\n"
  "    timeout: 10s\n"
  "  - name: load balancer\n"
  "    local: [/usr/local/bin/lb-check, --pool, web]\n"
  "    expect_exit: 3\n"
  "  - name: alerts\n"
  "    http: \"http://127.0.0.1:9/alerts?host={{ name }}\"\n"
  "    expect_status: 204\n"
  "    expect_match: \"^none$\"\n"
  "    on_fail: fail_hosts\n"
  "between_waves:\n"
  "  pause: 10m\n"
  "  approve: true\n"
  "  approve_timeout: 1h\n"
  "  on_timeout: continue\n"
  "rollback:\n"
  "  undo:\n"
  "    install: apt-get remove -y nginx\n"
  "  timeout: 2m\n"
  "  become: true\n"
  "  steps:\n"
  "    - {name: restore, run: cp a b}\n"
  "  on_halt: rollback\n"
  "  idempotent: true\n";

static void
test_plan_round_trip (Fixture *fixture, gconstpointer data)
{
  g_autoptr(FleetPlan) plan = compile_to_plan (fixture, full_workflow);
  const FleetCheck *host, *local, *http;
  const FleetRollbackCommand *undo, *step;

  g_assert_cmpuint (plan->checks->len, ==, 3);
  host = g_ptr_array_index (plan->checks, 0);
  local = g_ptr_array_index (plan->checks, 1);
  http = g_ptr_array_index (plan->checks, 2);

  g_assert_cmpint (host->kind, ==, FLEET_CHECK_HOST);
  g_assert_cmpstr (host->command, ==, "systemctl is-active nginx");
  g_assert_cmpuint (host->sample, ==, 1);
  g_assert_cmpstr (host->expect_contains, ==, "active");
  g_assert_cmpuint (host->retries, ==, 3);
  g_assert_cmpuint (host->interval_ms, ==, 2000);
  g_assert_cmpuint (host->bake_ms, ==, 60000);
  g_assert_cmpuint (host->timeout_ms, ==, 10000);
  g_assert_cmpint (host->on_fail, ==, FLEET_CHECK_ON_FAIL_HALT);

  g_assert_cmpint (local->kind, ==, FLEET_CHECK_LOCAL);
  g_assert_cmpuint (local->argv->len, ==, 3);
  g_assert_cmpstr (g_ptr_array_index (local->argv, 2), ==, "web");
  g_assert_cmpint (local->expect_exit, ==, 3);
  g_assert_cmpuint (local->interval_ms, ==, FLEET_CHECK_DEFAULT_INTERVAL_MS);
  g_assert_cmpuint (local->timeout_ms, ==, FLEET_CHECK_DEFAULT_TIMEOUT_MS);

  g_assert_cmpint (http->kind, ==, FLEET_CHECK_HTTP);
  g_assert_cmpstr (http->url, ==, "http://127.0.0.1:9/alerts?host={{ name }}");
  g_assert_true (fleet_check_is_per_host (http));
  g_assert_cmpuint (http->expect_status, ==, 204);
  g_assert_cmpstr (http->expect_match, ==, "^none$");
  g_assert_cmpint (http->on_fail, ==, FLEET_CHECK_ON_FAIL_FAIL_HOSTS);

  g_assert_cmpuint (plan->between_waves.pause_ms, ==, 600000);
  g_assert_true (plan->between_waves.approve);
  g_assert_cmpuint (plan->between_waves.approve_timeout_ms, ==, 3600000);
  g_assert_cmpint (plan->between_waves.on_timeout, ==, FLEET_GATE_ON_TIMEOUT_CONTINUE);

  g_assert_nonnull (plan->rollback);
  g_assert_true (plan->rollback->on_halt);
  g_assert_true (plan->rollback->idempotent);
  g_assert_cmpuint (plan->rollback->undo->len, ==, 1);
  undo = g_ptr_array_index (plan->rollback->undo, 0);
  g_assert_cmpstr (undo->name, ==, "install");
  g_assert_cmpstr (undo->command, ==, "apt-get remove -y nginx");
  g_assert_cmpuint (undo->timeout_ms, ==, 120000);
  g_assert_true (undo->become);
  g_assert_cmpuint (plan->rollback->steps->len, ==, 1);
  step = g_ptr_array_index (plan->rollback->steps, 0);
  g_assert_cmpstr (step->name, ==, "restore");
  g_assert_cmpuint (step->timeout_ms, ==, FLEET_ROLLBACK_DEFAULT_TIMEOUT_MS);
  g_assert_false (step->become);
}

/* A plan without the keys has none of them after a round trip. */
static void
test_plan_without_keys (Fixture *fixture, gconstpointer data)
{
  g_autoptr(FleetPlan) plan = compile_to_plan (fixture, HEAD);

  g_assert_cmpuint (plan->checks->len, ==, 0);
  g_assert_false (fleet_wave_gate_is_set (&plan->between_waves));
  g_assert_null (plan->rollback);
}

static void
test_show_lists_checks (Fixture *fixture, gconstpointer data)
{
  g_autoptr(FleetPlan) plan = compile_to_plan (fixture, full_workflow);
  g_autofree char *text = fleet_plan_show_text (plan);
  g_autofree char *json = fleet_plan_show_json (plan);
  g_autofree char *markdown = fleet_plan_show_markdown (plan);

  g_assert_nonnull (strstr (text, "  1. service up (host)\n"
                                  "       run on at most 1 hosts of the wave: "
                                  "systemctl is-active nginx\n"
                                  "       expect exit status 0, containing \"active\"; bake 1m, "
                                  "timeout 10s, 3 retries 2s apart; on failure halt the run\n"));
  g_assert_nonnull (strstr (text, "GET http://127.0.0.1:9/alerts?host={{ name }} for each host"));
  g_assert_nonnull (strstr (text, "run on the controller: /usr/local/bin/lb-check --pool web\n"));
  g_assert_nonnull (strstr (text, "Between waves: pause 10m, then wait for `fleet-run --continue "
                                  "RUN` or `--abort RUN` for at most 1h, then continue\n"));
  g_assert_nonnull (strstr (text, "  undo \"install\" with sudo (timeout 2m): "
                                  "apt-get remove -y nginx\n"));
  g_assert_nonnull (strstr (text, "  step \"restore\" (timeout 10m): cp a b\n"));
  g_assert_nonnull (strstr (text, "; a command in flight when a rollback stopped runs again, "
                                  "because the rollback is idempotent):\n"));

  g_assert_nonnull (strstr (json, "\"on_fail\":\"fail_hosts\""));
  g_assert_nonnull (strstr (json, "\"between_waves\":{\"pause_ms\":600000,\"approve\":true"));
  g_assert_nonnull (strstr (json, "\"on_halt\":\"rollback\",\"idempotent\":true}"));

  g_assert_nonnull (strstr (markdown, "\n## Checks after each wave\n"));
  g_assert_nonnull (strstr (markdown, "| load balancer | local |"));
  g_assert_nonnull (strstr (markdown, "\n## Rollback\n"));
  g_assert_nonnull (strstr (markdown, "; a command in flight when a rollback stopped runs again, "
                                      "because the rollback is idempotent.\n"));
  /* The list of rollback commands ends before the wave table starts. */
  g_assert_nonnull (strstr (markdown, "cp a b\n\n## Waves\n"));
}

/* A rollback not marked idempotent holds the hosts, in every format. */
static void
test_show_rollback_not_idempotent (Fixture *fixture, gconstpointer data)
{
  g_autoptr(FleetPlan) plan = compile_to_plan (fixture, HEAD "rollback:\n"
                                                       "  undo: {install: apt-get remove -y nginx}\n");
  g_autofree char *text = fleet_plan_show_text (plan);
  g_autofree char *json = fleet_plan_show_json (plan);
  g_autofree char *markdown = fleet_plan_show_markdown (plan);
  const char *held = "a host whose command was in flight when a rollback stopped is held until "
                     "--retry-host or --skip-host";

  g_assert_nonnull (strstr (text, held));
  g_assert_nonnull (strstr (json, "\"on_halt\":\"stop\",\"idempotent\":false}"));
  g_assert_nonnull (strstr (markdown, held));
}

/* Settings rendered per host and the steps waited for on a group's hosts
 * are shown in every format. */
static void
test_show_values_and_barriers (Fixture *fixture, gconstpointer data)
{
  g_autoptr(FleetPlan) plan = compile_to_plan (fixture,
                                               "name: demo\n"
                                               "inventory: inventory.yaml\n"
                                               "target: {all: true}\n"
                                               "order: {by: group, sequence: [first, second]}\n"
                                               "steps:\n"
                                               "  - {name: migrate, run: \"true\", timeout: 5s}\n"
                                               "  - name: restart\n"
                                               "    run: \"true\"\n"
                                               "    timeout: 5s\n"
                                               "    workdir: \"/srv/{{ dc }}\"\n"
                                               "    needs: [{step: migrate, on: first}]\n");
  g_autofree char *text = fleet_plan_show_text (plan);
  g_autofree char *json = fleet_plan_show_json (plan);
  g_autofree char *markdown = fleet_plan_show_markdown (plan);
  const char *barrier = "waits until migrate finished on every host of group first "
                        "(1 host: web1)";

  g_assert_nonnull (strstr (text, "       values on web1:\n         workdir: /srv/dc1\n"));
  g_assert_nonnull (strstr (text, "       values on web2:\n         workdir: /srv/dc2\n"));
  g_assert_nonnull (strstr (text, barrier));

  g_assert_nonnull (strstr (json, "\"host_values\":{\"web1\":{\"workdir\":\"/srv/dc1\"},"
                                  "\"web2\":{\"workdir\":\"/srv/dc2\"}}"));
  g_assert_nonnull (strstr (json, "\"waits_for\":[{\"step\":\"migrate\",\"group\":\"first\","
                                  "\"hosts\":[\"web1\"]}]"));

  g_assert_nonnull (strstr (markdown, "   Values per host:\n\n"
                                      "   - web1: workdir = /srv/dc1\n"
                                      "   - web2: workdir = /srv/dc2\n\n"));
  g_assert_nonnull (strstr (markdown, "   The step waits until migrate finished on every host "
                                      "of group first (1 host: web1).\n"));
}

static void
test_check_needs_one_kind (Fixture *fixture, gconstpointer data)
{
  assert_error (fixture, HEAD "checks:\n  - name: two\n    run: \"true\"\n    http: http://x/\n",
                7, 5, "check two needs exactly one of \"run\" (a command on each host), \"local\" "
                "(a program on the controller) or \"http\" (a URL)");
  fleet_workflow_free (g_steal_pointer (&fixture->workflow));
  fleet_diagnostics_free (fixture->diags);
  fixture->diags = fleet_diagnostics_new ();
  assert_error (fixture, HEAD "checks:\n  - name: none\n",
                7, 5, "check none needs exactly one of \"run\" (a command on each host), "
                "\"local\" (a program on the controller) or \"http\" (a URL)");
}

static void
test_check_key_of_other_kind (Fixture *fixture, gconstpointer data)
{
  assert_error (fixture, HEAD "checks:\n  - name: lb\n    local: [/bin/true]\n    sample: 2\n",
                9, 13, "\"sample\" applies only to \"run\" checks; remove it");
}

static void
test_fail_hosts_needs_per_host (Fixture *fixture, gconstpointer data)
{
  assert_error (fixture,
                HEAD "checks:\n  - name: lb\n    http: http://127.0.0.1/\n    on_fail: fail_hosts\n",
                9, 14, "\"on_fail: fail_hosts\" needs a check that runs per host (\"run\", or "
                "\"http\" with a {{ name }} reference); use halt");
}

static void
test_invalid_url_and_regex (Fixture *fixture, gconstpointer data)
{
  assert_error (fixture,
                HEAD "checks:\n  - name: a\n    http: ftp://x/\n    expect_match: \"(\"\n",
                8, 11, "invalid URL \"ftp://x/\" for \"http\"; it must start with http:// or "
                "https://");
  g_assert_cmpuint (fleet_diagnostics_error_count (fixture->diags), ==, 2);
}

static void
test_duplicate_check_name (Fixture *fixture, gconstpointer data)
{
  assert_error (fixture,
                HEAD "checks:\n  - {name: a, run: \"true\"}\n  - {name: a, run: \"true\"}\n",
                8, 5, "duplicate check name \"a\"; give each check its own name");
}

static void
test_shell_takes_one_item (Fixture *fixture, gconstpointer data)
{
  assert_error (fixture,
                HEAD "checks:\n  - name: s\n    local: [echo, hi]\n    shell: true\n",
                8, 12, "with \"shell: true\", \"local\" holds one item, the script for /bin/sh "
                "-c; join the 2 items into one");
}

static void
test_gate_timeout_needs_approve (Fixture *fixture, gconstpointer data)
{
  assert_error (fixture, HEAD "between_waves:\n  pause: 1m\n  approve_timeout: 1h\n",
                8, 20, "\"approve_timeout\" applies only with \"approve: true\"; add it or "
                "remove \"approve_timeout\"");
}

static void
test_undo_unknown_step (Fixture *fixture, gconstpointer data)
{
  assert_error (fixture, HEAD "rollback:\n  undo:\n    instal: \"false\"\n",
                8, 5, "\"undo\" names step \"instal\", which the workflow does not have; use the "
                "name of a step");
}

static void
test_rollback_rejects_references (Fixture *fixture, gconstpointer data)
{
  assert_error (fixture, HEAD "rollback:\n  steps:\n    - {name: r, run: \"rm {{ path }}\"}\n",
                8, 22, "rollback commands run as written and do not render {{ }} references; "
                "write the value out instead");
}

static void
test_rollback_needs_commands (Fixture *fixture, gconstpointer data)
{
  assert_error (fixture, HEAD "rollback:\n  on_halt: rollback\n",
                7, 3, "\"rollback\" has no commands; give \"undo\" commands for steps or a list "
                "of rollback \"steps\"");
}

/* Plan `text`, which must compile and then fail planning with an error at
 * `line`:`column` whose message is `message`.  Returns the number of
 * errors. */
static guint
assert_plan_error (Fixture *fixture, const char *text, guint line, guint column,
                   const char *message)
{
  g_autoptr(FleetPlan) plan = NULL;
  g_autofree char *formatted = NULL;

  g_assert_nonnull (compile (fixture, text));
  plan = fleet_planner_build (fixture->workflow, fixture->diags);
  formatted = fleet_diagnostics_format (fixture->diags);
  g_test_message ("planner diagnostics:\n%s", formatted);
  g_assert_null (plan);
  for (guint i = 0; i < fleet_diagnostics_length (fixture->diags); i++)
    {
      const FleetDiagnostic *diagnostic = fleet_diagnostics_get (fixture->diags, i);

      if (diagnostic->severity == FLEET_SEVERITY_ERROR && g_str_equal (diagnostic->message, message))
        {
          g_assert_cmpstr (diagnostic->pos.file, !=, NULL);
          g_assert_true (g_str_has_suffix (diagnostic->pos.file, "workflow.yaml"));
          g_assert_cmpuint (diagnostic->pos.line, ==, line);
          g_assert_cmpuint (diagnostic->pos.column, ==, column);
          return fleet_diagnostics_error_count (fixture->diags);
        }
    }
  g_error ("no error \"%s\"", message);
}

/* A URL reference that no host can fill fails the compile at the
 * reference, not the run after the first wave. */
static void
test_url_undefined_reference (Fixture *fixture, gconstpointer data)
{
  guint errors = assert_plan_error (
    fixture,
    HEAD "vars: {region: eu}\n"
    "checks:\n"
    "  - name: alerts\n"
    "    http: http://127.0.0.1:9/a?dc={{ dc }}&r={{ rack }}&v={{ region }}\n",
    9, 46, "undefined variable \"rack\" in the URL of check \"alerts\" on host \"web1\" and "
    "1 other host; use name, address, a host attribute or one of the workflow's \"vars\"");

  g_assert_cmpuint (errors, ==, 1);
}

/* A quoted URL keeps the column of the reference inside the quotes. */
static void
test_url_undefined_reference_quoted (Fixture *fixture, gconstpointer data)
{
  assert_plan_error (fixture,
                     HEAD "checks:\n"
                     "  - name: alerts\n"
                     "    http: \"http://127.0.0.1:9/{{ name }}/{{ role|raw }}\"\n",
                     8, 42, "undefined variable \"role\" in the URL of check \"alerts\" on "
                     "host \"web1\" and 1 other host; use name, address, a host attribute or "
                     "one of the workflow's \"vars\"");
}

/* A URL that names a workflow variable carries the variables in the plan,
 * where fleet-run looks them up. */
static void
test_url_vars_reach_plan (Fixture *fixture, gconstpointer data)
{
  g_autoptr(FleetPlan) plan = compile_to_plan (
    fixture,
    HEAD "vars: {region: eu}\n"
    "checks:\n"
    "  - name: alerts\n"
    "    http: http://127.0.0.1:9/a?dc={{ dc }}&h={{ address }}&v={{ region }}\n");
  const FleetCheck *check = g_ptr_array_index (plan->checks, 0);

  g_assert_nonnull (plan->vars);
  g_assert_cmpstr (g_hash_table_lookup (plan->vars, "region"), ==, "eu");
  g_assert_null (check->url_ref_positions);
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);

#define ADD(path, func) g_test_add (path, Fixture, NULL, fixture_set_up, func, fixture_tear_down)
  ADD ("/checks-compile/plan-round-trip", test_plan_round_trip);
  ADD ("/checks-compile/show-rollback-not-idempotent", test_show_rollback_not_idempotent);
  ADD ("/checks-compile/show-values-and-barriers", test_show_values_and_barriers);
  ADD ("/checks-compile/plan-without-keys", test_plan_without_keys);
  ADD ("/checks-compile/show", test_show_lists_checks);
  ADD ("/checks-compile/one-kind", test_check_needs_one_kind);
  ADD ("/checks-compile/key-of-other-kind", test_check_key_of_other_kind);
  ADD ("/checks-compile/fail-hosts-per-host", test_fail_hosts_needs_per_host);
  ADD ("/checks-compile/invalid-url-regex", test_invalid_url_and_regex);
  ADD ("/checks-compile/duplicate-name", test_duplicate_check_name);
  ADD ("/checks-compile/shell-one-item", test_shell_takes_one_item);
  ADD ("/checks-compile/gate-timeout-needs-approve", test_gate_timeout_needs_approve);
  ADD ("/checks-compile/undo-unknown-step", test_undo_unknown_step);
  ADD ("/checks-compile/rollback-references", test_rollback_rejects_references);
  ADD ("/checks-compile/rollback-needs-commands", test_rollback_needs_commands);
  ADD ("/checks-compile/url-undefined-reference", test_url_undefined_reference);
  ADD ("/checks-compile/url-undefined-quoted", test_url_undefined_reference_quoted);
  ADD ("/checks-compile/url-vars-reach-plan", test_url_vars_reach_plan);
#undef ADD

  return g_test_run ();
}
