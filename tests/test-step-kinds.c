/* test-step-kinds.c: script, copy, template, reboot, wait_for and local
 * steps, and the per-step retries, env, workdir, changed_when and
 * failed_when, run by fleet-run against the sandbox fleet.
 *
 * The sandbox hosts are sshd servers on this machine, so the files a step
 * writes on a "host" are files under a temporary directory of the test.
 */
#include <glib.h>
#include <glib/gstdio.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/utsname.h>

#include "runtime-fixture.h"
#include "runtime/fleet-report.h"
#include "schema/fleet-step-kind.h"
#include "schema/fleet-step-values.h"
#include "tests/test-helpers.h"

/* A temporary directory for the files of one test, removed with its files. */
typedef struct {
  char *path;
} ScratchDir;

static void
scratch_dir_clear (ScratchDir *scratch)
{
  g_autoptr(GDir) dir = NULL;
  const char *name;

  if (scratch->path == NULL)
    return;

  dir = g_dir_open (scratch->path, 0, NULL);
  while (dir != NULL && (name = g_dir_read_name (dir)) != NULL)
    {
      g_autofree char *file = g_build_filename (scratch->path, name, NULL);
      g_unlink (file);
    }
  g_rmdir (scratch->path);
  g_clear_pointer (&scratch->path, g_free);
}
G_DEFINE_AUTO_CLEANUP_CLEAR_FUNC (ScratchDir, scratch_dir_clear)

static void
scratch_dir_init (ScratchDir *scratch)
{
  scratch->path = fleet_test_make_dir ("test-step-kinds-XXXXXX");
}

static char *
scratch_file (const ScratchDir *scratch, const char *name)
{
  return g_build_filename (scratch->path, name, NULL);
}

static FleetStepKindData *
set_kind (FleetStep *step, FleetStepKind kind)
{
  step->kind_data = fleet_step_kind_data_new (kind);
  return step->kind_data;
}

static void
set_content (FleetStepKindData *data, const char *text)
{
  data->source = g_strdup ("test-file");
  data->content = g_bytes_new (text, strlen (text));
  data->content_sha256 = fleet_sha256_hex (data->content);
}

static FleetStepPolicy *
policy_of (FleetStep *step)
{
  if (step->policy == NULL)
    step->policy = fleet_step_policy_new ();
  return step->policy;
}

/* Run the plan with all its hosts in one wave. */
static void
run_one_wave (Fixture *fixture)
{
  const guint sizes[] = { fixture->plan->hosts->len, 0 };

  set_waves (fixture, sizes);
  run_plan (fixture);
}

static char *
output_of (const Fixture *fixture, guint host, guint step, const char *stream)
{
  g_autofree char *name = fleet_sandbox_host_name (shared_sandbox, host);
  g_autofree char *relative = g_strdup_printf ("output/%s/%02u.%s", name, step + 1, stream);

  return read_run_file (fixture, relative);
}

static char *
read_text (const char *path)
{
  g_autoptr(GError) error = NULL;
  char *text = NULL;

  g_file_get_contents (path, &text, NULL, &error);
  g_assert_no_error (error);
  return text;
}

static void
test_script_over_stdin (Fixture *fixture, gconstpointer data)
{
  FleetStep *step;
  FleetStepKindData *kind;
  g_autofree char *output = NULL;

  if (!require_sandbox_hosts (2))
    return;

  add_hosts (fixture, 1, "id_ed25519");
  step = add_step (fixture, "script", "script test-file", 30000);
  kind = set_kind (step, FLEET_STEP_KIND_SCRIPT);
  kind->interpreter = g_strdup (FLEET_DEFAULT_SCRIPT_INTERPRETER);
  /* A script run from a file has that file's path in $0; one read from
   * standard input has the interpreter's. */
  set_content (kind, "echo \"zero=$0\"\n"
                     "x='quoted; $(not run)'\necho \"$x\"\n");
  run_one_wave (fixture);

  g_assert_cmpint (host_result (fixture, 0)->outcome, ==, FLEET_HOST_SUCCEEDED);
  output = output_of (fixture, 0, 0, "stdout");
  g_assert_cmpstr (output, ==, "zero=/bin/sh\nquoted; $(not run)\n");
  g_assert_cmpint (step_result (fixture, 0, 0)->changed, ==, 1);
}

static FleetStepKindData *
add_copy_step (Fixture *fixture, const char *dest, const char *text, guint32 mode)
{
  FleetStep *step = add_step (fixture, "copy", "copy test-file", 30000);
  FleetStepKindData *kind = set_kind (step, FLEET_STEP_KIND_COPY);

  set_content (kind, text);
  kind->dest = g_strdup (dest);
  kind->mode = mode;
  return kind;
}

static void
test_copy_then_unchanged (Fixture *fixture, gconstpointer data)
{
  g_auto(ScratchDir) scratch = { NULL };
  g_autofree char *dest = NULL;
  g_autofree char *written = NULL;
  g_autofree char *output = NULL;
  g_autofree char *summary = NULL;
  struct stat first, second;

  if (!require_sandbox_hosts (2))
    return;

  scratch_dir_init (&scratch);
  dest = scratch_file (&scratch, "motd");
  add_hosts (fixture, 1, "id_ed25519");
  add_copy_step (fixture, dest, "hello, fleet\n", 0640);
  run_one_wave (fixture);

  g_assert_cmpint (host_result (fixture, 0)->outcome, ==, FLEET_HOST_SUCCEEDED);
  g_assert_cmpint (step_result (fixture, 0, 0)->changed, ==, 1);
  written = read_text (dest);
  g_assert_cmpstr (written, ==, "hello, fleet\n");
  g_assert_cmpint (g_stat (dest, &first), ==, 0);
  g_assert_cmpint (first.st_mode & 07777, ==, 0640);

  /* The same plan again finds the file in place and leaves it alone. */
  fixture_reset (fixture);
  add_hosts (fixture, 1, "id_ed25519");
  add_copy_step (fixture, dest, "hello, fleet\n", 0640);
  run_one_wave (fixture);

  g_assert_cmpint (host_result (fixture, 0)->outcome, ==, FLEET_HOST_SUCCEEDED);
  g_assert_cmpint (step_result (fixture, 0, 0)->changed, ==, 0);
  g_assert_cmpint (g_stat (dest, &second), ==, 0);
  g_assert_cmpuint (second.st_ino, ==, first.st_ino);
  output = output_of (fixture, 0, 0, "stdout");
  g_assert_nonnull (strstr (output, "is up to date"));
  summary = fleet_report_format_summary (fixture->plan, fixture->result, fixture->run_dir);
  g_assert_nonnull (strstr (summary, "\nChanges:\n  1. copy: changed on 0 hosts, unchanged on 1\n"));
}

static void
test_copy_fixes_mode_only (Fixture *fixture, gconstpointer data)
{
  g_auto(ScratchDir) scratch = { NULL };
  g_autofree char *dest = NULL;
  struct stat before, after;

  if (!require_sandbox_hosts (2))
    return;

  scratch_dir_init (&scratch);
  dest = scratch_file (&scratch, "app.conf");
  g_assert_true (g_file_set_contents (dest, "same\n", -1, NULL));
  g_assert_cmpint (g_chmod (dest, 0666), ==, 0);
  g_assert_cmpint (g_stat (dest, &before), ==, 0);

  add_hosts (fixture, 1, "id_ed25519");
  add_copy_step (fixture, dest, "same\n", 0600);
  run_one_wave (fixture);

  g_assert_cmpint (host_result (fixture, 0)->outcome, ==, FLEET_HOST_SUCCEEDED);
  g_assert_cmpint (step_result (fixture, 0, 0)->changed, ==, 1);
  g_assert_cmpint (g_stat (dest, &after), ==, 0);
  g_assert_cmpint (after.st_mode & 07777, ==, 0600);
  g_assert_cmpuint (after.st_ino, ==, before.st_ino);
}

static void
test_copy_replaces_atomically (Fixture *fixture, gconstpointer data)
{
  g_auto(ScratchDir) scratch = { NULL };
  g_autofree char *dest = NULL;
  g_autofree char *written = NULL;
  g_autoptr(GDir) dir = NULL;
  struct stat before, after;
  guint n_files = 0;

  if (!require_sandbox_hosts (2))
    return;

  scratch_dir_init (&scratch);
  dest = scratch_file (&scratch, "app.conf");
  g_assert_true (g_file_set_contents (dest, "old\n", -1, NULL));
  g_assert_cmpint (g_chmod (dest, 0604), ==, 0);
  g_assert_cmpint (g_stat (dest, &before), ==, 0);

  add_hosts (fixture, 1, "id_ed25519");
  add_copy_step (fixture, dest, "new\n", FLEET_COPY_MODE_UNSET);
  run_one_wave (fixture);

  g_assert_cmpint (host_result (fixture, 0)->outcome, ==, FLEET_HOST_SUCCEEDED);
  written = read_text (dest);
  g_assert_cmpstr (written, ==, "new\n");
  g_assert_cmpint (g_stat (dest, &after), ==, 0);
  /* A rename puts a new inode in place, and the old mode is kept. */
  g_assert_cmpuint (after.st_ino, !=, before.st_ino);
  g_assert_cmpint (after.st_mode & 07777, ==, 0604);

  /* No temporary file is left next to it. */
  dir = g_dir_open (scratch.path, 0, NULL);
  while (g_dir_read_name (dir) != NULL)
    n_files++;
  g_assert_cmpuint (n_files, ==, 1);
}

static void
test_copy_missing_directory (Fixture *fixture, gconstpointer data)
{
  g_auto(ScratchDir) scratch = { NULL };
  g_autofree char *dest = NULL;
  const FleetStepResult *result;

  if (!require_sandbox_hosts (2))
    return;

  scratch_dir_init (&scratch);
  dest = scratch_file (&scratch, "no-such-dir/app.conf");
  add_hosts (fixture, 1, "id_ed25519");
  add_copy_step (fixture, dest, "x\n", 0644);
  run_one_wave (fixture);

  result = step_result (fixture, 0, 0);
  g_assert_cmpint (host_result (fixture, 0)->outcome, ==, FLEET_HOST_FAILED);
  g_assert_cmpint (result->failure, ==, FLEET_FAILURE_EXIT_CODE);
  g_assert_nonnull (strstr (result->message, "cannot put"));
  g_assert_nonnull (strstr (result->message, dest));
}

/* A dest that is a directory on the host fails the step, and nothing is
 * written into the directory. */
static void
test_copy_dest_is_directory (Fixture *fixture, gconstpointer data)
{
  g_auto(ScratchDir) scratch = { NULL };
  g_autoptr(GDir) dir = NULL;
  const FleetStepResult *result;

  if (!require_sandbox_hosts (2))
    return;

  scratch_dir_init (&scratch);
  add_hosts (fixture, 1, "id_ed25519");
  add_copy_step (fixture, scratch.path, "x\n", 0644);
  run_one_wave (fixture);

  result = step_result (fixture, 0, 0);
  g_assert_cmpint (host_result (fixture, 0)->outcome, ==, FLEET_HOST_FAILED);
  g_assert_cmpint (result->failure, ==, FLEET_FAILURE_EXIT_CODE);
  g_assert_nonnull (strstr (result->message, "is a directory on the host; give the path of the "
                                             "file itself as dest, such as "));
  dir = g_dir_open (scratch.path, 0, NULL);
  g_assert_nonnull (dir);
  g_assert_null (g_dir_read_name (dir));
}

static void
test_template_per_host (Fixture *fixture, gconstpointer data)
{
  g_auto(ScratchDir) scratch = { NULL };
  g_autofree char *dest = NULL;
  g_autofree char *written = NULL;
  FleetStep *step;
  FleetStepKindData *kind;

  if (!require_sandbox_hosts (2))
    return;

  scratch_dir_init (&scratch);
  dest = scratch_file (&scratch, "motd");
  add_hosts (fixture, 1, "id_ed25519");
  step = add_step (fixture, "template", "template test-file", 30000);
  kind = set_kind (step, FLEET_STEP_KIND_TEMPLATE);
  set_content (kind, "{{ name }}\n");
  kind->dest = g_strdup (dest);
  kind->host_contents = g_hash_table_new_full (g_str_hash, g_str_equal, g_free,
                                               (GDestroyNotify) g_bytes_unref);
  g_hash_table_insert (kind->host_contents, fleet_sandbox_host_name (shared_sandbox, 0),
                       g_bytes_new_static ("rendered for host01\n", 20));
  run_one_wave (fixture);

  g_assert_cmpint (host_result (fixture, 0)->outcome, ==, FLEET_HOST_SUCCEEDED);
  written = read_text (dest);
  g_assert_cmpstr (written, ==, "rendered for host01\n");
}

static void
test_wait_for_path_deadline (Fixture *fixture, gconstpointer data)
{
  g_auto(ScratchDir) scratch = { NULL };
  FleetStep *step;
  FleetStepKindData *kind;
  const FleetStepResult *result;

  if (!require_sandbox_hosts (2))
    return;

  scratch_dir_init (&scratch);
  add_hosts (fixture, 1, "id_ed25519");
  step = add_step (fixture, "wait", "wait_for path", 30000);
  kind = set_kind (step, FLEET_STEP_KIND_WAIT_FOR);
  kind->wait_path = scratch_file (&scratch, "never");
  kind->deadline_ms = 1000;
  kind->interval_ms = 200;
  run_one_wave (fixture);

  result = step_result (fixture, 0, 0);
  g_assert_cmpint (host_result (fixture, 0)->outcome, ==, FLEET_HOST_FAILED);
  g_assert_cmpint (result->failure, ==, FLEET_FAILURE_COMMAND_TIMEOUT);
  g_assert_nonnull (strstr (result->message, "did not exist within the deadline of 1 s"));
}

static void
test_wait_for_port_and_command (Fixture *fixture, gconstpointer data)
{
  FleetStep *step;
  FleetStepKindData *kind;
  g_autofree char *marker = NULL;
  g_autofree char *command = NULL;
  g_auto(ScratchDir) scratch = { NULL };

  if (!require_sandbox_hosts (2))
    return;

  scratch_dir_init (&scratch);
  add_hosts (fixture, 1, "id_ed25519");

  /* The host's own sshd port accepts connections. */
  step = add_step (fixture, "port", "wait_for port", 30000);
  kind = set_kind (step, FLEET_STEP_KIND_WAIT_FOR);
  kind->wait_host = g_strdup ("127.0.0.1");
  kind->wait_port = (guint16) GPOINTER_TO_UINT (g_ptr_array_index (shared_sandbox->ports, 0));
  kind->deadline_ms = 5000;
  kind->interval_ms = 200;

  /* The command succeeds on its third check. */
  marker = scratch_file (&scratch, "count");
  command = g_strdup_printf ("n=$(cat %s 2>/dev/null || echo 0); n=$((n + 1)); echo $n > %s; "
                             "[ $n -ge 3 ]", marker, marker);
  step = add_step (fixture, "command", "wait_for command", 30000);
  kind = set_kind (step, FLEET_STEP_KIND_WAIT_FOR);
  kind->command = g_strdup (command);
  kind->deadline_ms = 10000;
  kind->interval_ms = 100;
  run_one_wave (fixture);

  g_assert_cmpint (host_result (fixture, 0)->outcome, ==, FLEET_HOST_SUCCEEDED);
  g_assert_cmpint (step_result (fixture, 0, 0)->changed, ==, 0);
  g_assert_cmpint (step_result (fixture, 0, 1)->changed, ==, 0);
  g_free (command);
  command = read_text (marker);
  g_assert_cmpstr (command, ==, "3\n");
}

static void
add_local_step (Fixture *fixture, const char * const *argv)
{
  FleetStep *step = add_step (fixture, "local", "local", 30000);
  FleetStepKindData *kind = set_kind (step, FLEET_STEP_KIND_LOCAL);
  g_autoptr(GByteArray) rendered = g_byte_array_new ();

  kind->argv = g_ptr_array_new_with_free_func (g_free);
  for (guint i = 0; argv[i] != NULL; i++)
    {
      g_ptr_array_add (kind->argv, g_strdup (argv[i]));
      g_byte_array_append (rendered, (const guint8 *) argv[i], strlen (argv[i]) + 1);
    }
  kind->host_contents = g_hash_table_new_full (g_str_hash, g_str_equal, g_free,
                                               (GDestroyNotify) g_bytes_unref);
  for (guint i = 0; i < fixture->plan->hosts->len; i++)
    g_hash_table_insert (kind->host_contents, fleet_sandbox_host_name (shared_sandbox, i),
                         g_bytes_new (rendered->data, rendered->len));
}

static void
test_local_argv_without_shell (Fixture *fixture, gconstpointer data)
{
  const char * const argv[] = { "printf", "%s|", "a; echo injected", "$(id)", NULL };
  g_autofree char *output = NULL;

  if (!require_sandbox_hosts (2))
    return;

  add_hosts (fixture, 1, "id_ed25519");
  add_local_step (fixture, argv);
  run_one_wave (fixture);

  g_assert_cmpint (host_result (fixture, 0)->outcome, ==, FLEET_HOST_SUCCEEDED);
  output = output_of (fixture, 0, 0, "stdout");
  g_assert_cmpstr (output, ==, "a; echo injected|$(id)|");
}

static void
test_local_exit_status (Fixture *fixture, gconstpointer data)
{
  const char * const argv[] = { "sh", "-c", "echo draining >&2; exit 4", NULL };
  const FleetStepResult *result;

  if (!require_sandbox_hosts (2))
    return;

  add_hosts (fixture, 1, "id_ed25519");
  add_local_step (fixture, argv);
  run_one_wave (fixture);

  result = step_result (fixture, 0, 0);
  g_assert_cmpint (host_result (fixture, 0)->outcome, ==, FLEET_HOST_FAILED);
  g_assert_cmpint (result->failure, ==, FLEET_FAILURE_EXIT_CODE);
  g_assert_cmpint (result->exit_status, ==, 4);
  g_assert_cmpstr (result->message, ==, "exited with status 4 (expected 0)");
}

static void
test_local_timeout_kills_group (Fixture *fixture, gconstpointer data)
{
  const char * const argv[] = { "sh", "-c", "sleep 30 & sleep 30; echo not-reached", NULL };
  const FleetStepResult *result;

  if (!require_sandbox_hosts (2))
    return;

  add_hosts (fixture, 1, "id_ed25519");
  add_local_step (fixture, argv);
  ((FleetStep *) g_ptr_array_index (fixture->plan->steps, 0))->timeout_ms = 300;
  run_one_wave (fixture);

  result = step_result (fixture, 0, 0);
  g_assert_cmpint (host_result (fixture, 0)->outcome, ==, FLEET_HOST_FAILED);
  g_assert_cmpint (result->failure, ==, FLEET_FAILURE_COMMAND_TIMEOUT);
  g_assert_cmpstr (result->exit_signal, ==, "KILL");
  g_assert_nonnull (strstr (result->message, "did not end within its timeout"));
}

static void
test_local_program_missing (Fixture *fixture, gconstpointer data)
{
  const char * const argv[] = { "fleetc-test-no-such-program", NULL };
  const FleetStepResult *result;

  if (!require_sandbox_hosts (2))
    return;

  add_hosts (fixture, 1, "id_ed25519");
  add_local_step (fixture, argv);
  run_one_wave (fixture);

  result = step_result (fixture, 0, 0);
  g_assert_cmpint (host_result (fixture, 0)->outcome, ==, FLEET_HOST_FAILED);
  g_assert_cmpint (result->failure, ==, FLEET_FAILURE_CHANNEL);
  g_assert_nonnull (strstr (result->message, "fleetc-test-no-such-program"));
}

static void
test_retries_until_success (Fixture *fixture, gconstpointer data)
{
  g_auto(ScratchDir) scratch = { NULL };
  g_autofree char *marker = NULL;
  g_autofree char *command = NULL;
  FleetStep *step;

  if (!require_sandbox_hosts (2))
    return;

  scratch_dir_init (&scratch);
  marker = scratch_file (&scratch, "count");
  command = g_strdup_printf ("n=$(cat %s 2>/dev/null || echo 0); n=$((n + 1)); echo $n > %s; "
                             "echo attempt $n; [ $n -ge 3 ]", marker, marker);
  add_hosts (fixture, 1, "id_ed25519");
  step = add_step (fixture, "flaky", command, 30000);
  policy_of (step)->retries = 3;
  policy_of (step)->retry_delay_ms = 10;
  run_one_wave (fixture);

  g_assert_cmpint (host_result (fixture, 0)->outcome, ==, FLEET_HOST_SUCCEEDED);
  g_assert_cmpuint (step_result (fixture, 0, 0)->attempts, ==, 3);
}

static void
test_retries_exhausted (Fixture *fixture, gconstpointer data)
{
  FleetStep *step;
  const FleetStepResult *result;

  if (!require_sandbox_hosts (2))
    return;

  add_hosts (fixture, 1, "id_ed25519");
  step = add_step (fixture, "always-fails", "exit 7", 30000);
  policy_of (step)->retries = 2;
  policy_of (step)->retry_delay_ms = 10;
  run_one_wave (fixture);

  result = step_result (fixture, 0, 0);
  g_assert_cmpint (host_result (fixture, 0)->outcome, ==, FLEET_HOST_FAILED);
  g_assert_cmpuint (result->attempts, ==, 3);
  g_assert_cmpint (result->exit_status, ==, 7);
}

static void
test_failed_and_changed_when (Fixture *fixture, gconstpointer data)
{
  FleetStep *step;
  const FleetStepResult *result;

  if (!require_sandbox_hosts (2))
    return;

  add_hosts (fixture, 1, "id_ed25519");

  /* grep's 1 (no match) is no failure here, and it changed nothing. */
  step = add_step (fixture, "grep", "echo nothing; exit 1", 30000);
  policy_of (step)->failed_when = g_strdup ("rc > 1");
  policy_of (step)->changed_when = g_strdup ("rc == 0");

  step = add_step (fixture, "reports-error", "echo 'ERROR: disk full'", 30000);
  policy_of (step)->failed_when = g_strdup ("stdout =~ \"^ERROR\"");
  run_one_wave (fixture);

  result = step_result (fixture, 0, 0);
  g_assert_cmpint (result->failure, ==, FLEET_FAILURE_NONE);
  g_assert_cmpint (result->changed, ==, 0);

  result = step_result (fixture, 0, 1);
  g_assert_cmpint (result->failure, ==, FLEET_FAILURE_EXIT_CODE);
  g_assert_cmpstr (result->message, ==, "failed_when `stdout =~ \"^ERROR\"` is true (exit status 0)");
}

static void
test_env_and_workdir (Fixture *fixture, gconstpointer data)
{
  g_auto(ScratchDir) scratch = { NULL };
  FleetStep *step;
  g_autofree char *output = NULL;
  g_autofree char *expected = NULL;

  if (!require_sandbox_hosts (2))
    return;

  scratch_dir_init (&scratch);
  add_hosts (fixture, 1, "id_ed25519");
  step = add_step (fixture, "env", "pwd; printf '%s\\n' \"$HOSTILE\"", 30000);
  policy_of (step)->workdir = g_strdup (scratch.path);
  policy_of (step)->env = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, g_free);
  g_hash_table_insert (policy_of (step)->env, g_strdup ("HOSTILE"),
                       g_strdup ("a'; touch pwned; echo '$(id)"));
  run_one_wave (fixture);

  g_assert_cmpint (host_result (fixture, 0)->outcome, ==, FLEET_HOST_SUCCEEDED);
  output = output_of (fixture, 0, 0, "stdout");
  expected = g_strdup_printf ("%s\na'; touch pwned; echo '$(id)\n", scratch.path);
  g_assert_cmpstr (output, ==, expected);
}

static void
test_workdir_missing_fails (Fixture *fixture, gconstpointer data)
{
  FleetStep *step;

  if (!require_sandbox_hosts (2))
    return;

  add_hosts (fixture, 1, "id_ed25519");
  step = add_step (fixture, "workdir", "echo should-not-run", 30000);
  policy_of (step)->workdir = g_strdup ("/nonexistent/fleetc-test");
  run_one_wave (fixture);

  g_assert_cmpint (host_result (fixture, 0)->outcome, ==, FLEET_HOST_FAILED);
  g_assert_cmpint (step_result (fixture, 0, 0)->exit_status, ==, 1);
}

/* Set the value `key` of `step` for the host called `host_name`, as the
 * planner renders it from a `{{ }}` reference. */
static void
set_host_value (FleetStep *step, const char *host_name, const char *key, const char *value)
{
  GHashTable *values;

  if (step->values == NULL)
    {
      step->values = fleet_step_values_new ();
      step->values->host_values = g_hash_table_new_full (g_str_hash, g_str_equal, g_free,
                                                         (GDestroyNotify) g_hash_table_unref);
    }
  values = g_hash_table_lookup (step->values->host_values, host_name);
  if (values == NULL)
    {
      values = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, g_free);
      g_hash_table_insert (step->values->host_values, g_strdup (host_name), values);
    }
  g_hash_table_replace (values, g_strdup (key), g_strdup (value));
}

/* Values rendered per host replace the step's text on each host: a copy's
 * destination, the workdir, an env value and a wait_for command, with
 * hostile bytes that must stay data. */
static void
test_values_per_host (Fixture *fixture, gconstpointer data)
{
  g_auto(ScratchDir) scratch = { NULL };
  g_autofree char *host0 = NULL;
  g_autofree char *host1 = NULL;
  FleetStepKindData *kind;
  FleetStep *step;

  if (!require_sandbox_hosts (2))
    return;

  scratch_dir_init (&scratch);
  add_hosts (fixture, 2, "id_ed25519");
  host0 = fleet_sandbox_host_name (shared_sandbox, 0);
  host1 = fleet_sandbox_host_name (shared_sandbox, 1);

  kind = add_copy_step (fixture, "/{{ dir }}/{{ name }}.conf", "per host\n", 0600);
  step = g_ptr_array_index (fixture->plan->steps, 0);
  {
    g_autofree char *dest0 = scratch_file (&scratch, "a; touch pwned.conf");
    g_autofree char *dest1 = scratch_file (&scratch, "$(id).conf");

    set_host_value (step, host0, "dest", dest0);
    set_host_value (step, host1, "dest", dest1);
  }

  step = add_step (fixture, "env", "pwd; printf '%s\\n' \"$NAME\"", 30000);
  policy_of (step)->workdir = g_strdup ("/{{ dir }}");
  policy_of (step)->env = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, g_free);
  g_hash_table_insert (policy_of (step)->env, g_strdup ("NAME"), g_strdup ("{{ name }}"));
  set_host_value (step, host0, "workdir", scratch.path);
  set_host_value (step, host0, "env.NAME", "it's; $(id)");
  set_host_value (step, host1, "workdir", "/");
  set_host_value (step, host1, "env.NAME", "plain");

  step = add_step (fixture, "wait", "wait_for command", 30000);
  kind = set_kind (step, FLEET_STEP_KIND_WAIT_FOR);
  kind->command = g_strdup ("test -e {{ file }}");
  kind->deadline_ms = 5000;
  kind->interval_ms = 100;
  {
    g_autofree char *file = scratch_file (&scratch, "$(id).conf");
    g_autofree char *quoted = g_shell_quote (file);
    g_autofree char *command = g_strdup_printf ("test -e %s", quoted);

    set_host_value (step, host0, "command", command);
    set_host_value (step, host1, "command", command);
  }
  run_one_wave (fixture);

  for (guint h = 0; h < 2; h++)
    g_assert_cmpint (host_result (fixture, h)->outcome, ==, FLEET_HOST_SUCCEEDED);
  {
    g_autofree char *written0 = scratch_file (&scratch, "a; touch pwned.conf");
    g_autofree char *written1 = scratch_file (&scratch, "$(id).conf");
    g_autofree char *text0 = read_text (written0);
    g_autofree char *text1 = read_text (written1);
    g_autofree char *pwned = scratch_file (&scratch, "pwned.conf");
    g_autofree char *output0 = output_of (fixture, 0, 1, "stdout");
    g_autofree char *output1 = output_of (fixture, 1, 1, "stdout");
    g_autofree char *expected0 = g_strdup_printf ("%s\nit's; $(id)\n", scratch.path);

    g_assert_cmpstr (text0, ==, "per host\n");
    g_assert_cmpstr (text1, ==, "per host\n");
    g_assert_false (g_file_test (pwned, G_FILE_TEST_EXISTS));
    g_assert_cmpstr (output0, ==, expected0);
    g_assert_cmpstr (output1, ==, "/\nplain\n");
  }
}

/* Return `length` bytes that differ from one offset to the next, so a
 * misplaced chunk shows. */
static GBytes *
patterned_bytes (gsize length)
{
  guint8 *data = g_malloc (length);

  for (gsize i = 0; i < length; i++)
    data[i] = (guint8) ((i * 7 + i / 4096) & 0xff);
  return g_bytes_new_take (data, length);
}

/* Return an sshd SetEnv line for sandbox host `index` that puts `directory`
 * first on PATH.  sshd uses the first SetEnv it reads, and the extra
 * settings come before the sandbox's own, so the line repeats the
 * sandbox's variables (HOME and others). */
static char *
setenv_with_path (guint index, const char *directory)
{
  g_autofree char *name = fleet_sandbox_host_name (shared_sandbox, index);
  g_autofree char *relative = g_build_filename ("hosts", name, "sshd_config", NULL);
  g_autofree char *config_path = fleet_sandbox_path (shared_sandbox, relative);
  g_autofree char *config = read_text (config_path);
  g_auto(GStrv) lines = g_strsplit (config, "\n", -1);

  for (char **line = lines; *line != NULL; line++)
    if (g_str_has_prefix (*line, "SetEnv "))
      return g_strdup_printf ("%s PATH=%s:/usr/bin:/bin\n", *line, directory);
  return g_strdup_printf ("SetEnv PATH=%s:/usr/bin:/bin\n", directory);
}

/* A copy whose file the host does not read yet leaves the event loop free.
 * Host 0's `cat` waits for a file that only host 1's second step creates.
 * So host 0's copy can finish only if host 1 ran while host 0's file was
 * still on its way.  The file is larger than the channel's window (2 MiB
 * in OpenSSH), so the transfer itself is held back, not only a command. */
static void
test_copy_large_other_host_progresses (Fixture *fixture, gconstpointer data)
{
  g_auto(ScratchDir) scratch = { NULL };
  g_autoptr(GBytes) content = patterned_bytes (6 * 1024 * 1024);
  g_autofree char *gate = NULL;
  g_autofree char *wrapper = NULL;
  g_autofree char *wrapper_text = NULL;
  g_autofree char *sshd_extra = NULL;
  g_autofree char *host0 = NULL;
  g_autofree char *host1 = NULL;
  g_autofree char *dest0 = NULL;
  g_autofree char *dest1 = NULL;
  g_autofree char *touch = NULL;
  g_autofree char *written = NULL;
  gsize written_length = 0;
  FleetStepKindData *kind;
  FleetStep *step;

  if (!require_sandbox_hosts (2))
    return;

  scratch_dir_init (&scratch);
  gate = scratch_file (&scratch, "gate");
  wrapper = scratch_file (&scratch, "cat");
  wrapper_text = g_strdup_printf ("#!/bin/sh\n"
                                  "while [ ! -e '%s' ]; do sleep 0.05; done\n"
                                  "exec /bin/cat \"$@\"\n", gate);
  g_assert_true (g_file_set_contents (wrapper, wrapper_text, -1, NULL));
  g_assert_cmpint (g_chmod (wrapper, 0755), ==, 0);
  sshd_extra = setenv_with_path (0, scratch.path);
  set_host_sshd_extra (0, sshd_extra);

  add_hosts (fixture, 2, "id_ed25519");
  host0 = fleet_sandbox_host_name (shared_sandbox, 0);
  host1 = fleet_sandbox_host_name (shared_sandbox, 1);
  dest0 = scratch_file (&scratch, "big0.bin");
  dest1 = scratch_file (&scratch, "big1.bin");

  step = add_step (fixture, "copy", "copy test-file", 60000);
  kind = set_kind (step, FLEET_STEP_KIND_COPY);
  kind->source = g_strdup ("test-file");
  kind->content = g_bytes_ref (content);
  kind->content_sha256 = fleet_sha256_hex (content);
  kind->dest = g_strdup ("{{ dest }}");
  kind->mode = 0600;
  set_host_value (step, host0, "dest", dest0);
  set_host_value (step, host1, "dest", dest1);

  touch = g_strdup_printf ("touch '%s'", gate);
  add_step (fixture, "open gate", touch, 30000);
  run_one_wave (fixture);
  set_host_sshd_extra (0, NULL);

  g_assert_cmpint (host_result (fixture, 1)->outcome, ==, FLEET_HOST_SUCCEEDED);
  g_assert_cmpint (host_result (fixture, 0)->outcome, ==, FLEET_HOST_SUCCEEDED);
  g_assert_cmpint (step_result (fixture, 0, 0)->changed, ==, 1);
  g_assert_true (g_file_get_contents (dest0, &written, &written_length, NULL));
  g_assert_cmpmem (written, written_length, g_bytes_get_data (content, NULL),
                   g_bytes_get_size (content));
}

/* A plan whose values lack a host fails that host's step instead of
 * sending the text with its braces. */
static void
test_values_missing_host (Fixture *fixture, gconstpointer data)
{
  FleetStep *step;

  if (!require_sandbox_hosts (2))
    return;

  add_hosts (fixture, 1, "id_ed25519");
  step = add_step (fixture, "env", "echo \"$NAME\"", 30000);
  policy_of (step)->env = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, g_free);
  g_hash_table_insert (policy_of (step)->env, g_strdup ("NAME"), g_strdup ("{{ name }}"));
  set_host_value (step, "another-host", "env.NAME", "x");
  run_one_wave (fixture);

  g_assert_cmpint (host_result (fixture, 0)->outcome, ==, FLEET_HOST_FAILED);
  g_assert_nonnull (strstr (step_result (fixture, 0, 0)->message,
                            "the plan has no values of this step for host"));
}

/* The sandbox cannot reboot, so the reboot command restarts the host's
 * sshd in the background and writes a new id into a fake boot id file,
 * as a reboot would. */
static void
test_reboot_waits_for_new_boot_id (Fixture *fixture, gconstpointer data)
{
  g_auto(ScratchDir) scratch = { NULL };
  g_autofree char *boot_id = NULL;
  g_autofree char *script = fleet_test_source_path ("scripts/sandbox-fleet");
  g_autofree char *host = fleet_sandbox_host_name (shared_sandbox, 0);
  g_autofree char *command = NULL;
  g_autofree char *output = NULL;
  FleetStep *step;
  FleetStepKindData *kind;

  if (!require_sandbox_hosts (2))
    return;

  scratch_dir_init (&scratch);
  boot_id = scratch_file (&scratch, "boot_id");
  g_assert_true (g_file_set_contents (boot_id, "boot-1\n", -1, NULL));
  command = g_strdup_printf ("setsid sh -c '%s stop %s %s; echo boot-2 > %s; %s start %s %s' "
                             ">/dev/null 2>&1 </dev/null &",
                             script, shared_sandbox->dir, host, boot_id,
                             script, shared_sandbox->dir, host);

  add_hosts (fixture, 1, "id_ed25519");
  step = add_step (fixture, "reboot", "reboot", 30000);
  kind = set_kind (step, FLEET_STEP_KIND_REBOOT);
  kind->command = g_strdup (command);
  kind->boot_id_file = g_strdup (boot_id);
  kind->deadline_ms = 60000;
  add_step (fixture, "after", "echo still-here", 30000);
  run_one_wave (fixture);

  g_assert_cmpint (host_result (fixture, 0)->outcome, ==, FLEET_HOST_SUCCEEDED);
  g_assert_cmpint (step_result (fixture, 0, 0)->changed, ==, 1);
  output = output_of (fixture, 0, 0, "stdout");
  g_assert_nonnull (strstr (output, "back with boot id boot-2"));
  g_free (output);
  output = output_of (fixture, 0, 1, "stdout");
  g_assert_cmpstr (output, ==, "still-here\n");
}

static void
test_reboot_deadline (Fixture *fixture, gconstpointer data)
{
  g_auto(ScratchDir) scratch = { NULL };
  g_autofree char *boot_id = NULL;
  FleetStep *step;
  FleetStepKindData *kind;
  const FleetStepResult *result;

  if (!require_sandbox_hosts (2))
    return;

  scratch_dir_init (&scratch);
  boot_id = scratch_file (&scratch, "boot_id");
  g_assert_true (g_file_set_contents (boot_id, "boot-1\n", -1, NULL));

  /* A reboot command that does nothing: the boot id never changes. */
  add_hosts (fixture, 1, "id_ed25519");
  step = add_step (fixture, "reboot", "reboot", 30000);
  kind = set_kind (step, FLEET_STEP_KIND_REBOOT);
  kind->command = g_strdup ("true");
  kind->boot_id_file = g_strdup (boot_id);
  kind->deadline_ms = 3000;
  run_one_wave (fixture);

  result = step_result (fixture, 0, 0);
  g_assert_cmpint (host_result (fixture, 0)->outcome, ==, FLEET_HOST_FAILED);
  g_assert_cmpint (result->failure, ==, FLEET_FAILURE_CONNECTION_TIMEOUT);
  g_assert_nonnull (strstr (result->message, "did not come back with a new boot id"));
}

static void
test_facts_in_conditions (Fixture *fixture, gconstpointer data)
{
  struct utsname machine;
  g_autofree char *expected = NULL;
  g_autofree char *journal = NULL;
  FleetStep *step;

  if (!require_sandbox_hosts (2))
    return;

  g_assert_cmpint (uname (&machine), ==, 0);
  expected = g_strdup_printf ("facts.architecture == \"%s\" and facts.free_disk_mb > 0 "
                              "and defined(facts.os_family)", machine.machine);
  add_hosts (fixture, 1, "id_ed25519");
  fixture->plan->gather_facts = TRUE;
  step = add_step (fixture, "matches", "echo ran", 30000);
  step->when = g_strdup (expected);
  step = add_step (fixture, "other-family", "echo ran", 30000);
  step->when = g_strdup ("facts.os_family == \"NoSuchFamily\"");
  run_one_wave (fixture);

  g_assert_cmpint (host_result (fixture, 0)->outcome, ==, FLEET_HOST_SUCCEEDED);
  g_assert_false (step_result (fixture, 0, 0)->skipped);
  g_assert_true (step_result (fixture, 0, 1)->skipped);
  journal = read_run_file (fixture, "journal.jsonl");
  g_assert_nonnull (strstr (journal, "\"event\":\"host-facts\""));
}

int
main (int argc, char **argv)
{
  int status;

  g_test_init (&argc, &argv, NULL);

#define ADD(path, func) \
  g_test_add (path, Fixture, NULL, fixture_set_up, func, fixture_tear_down)

  ADD ("/step-kinds/script/over-stdin", test_script_over_stdin);
  ADD ("/step-kinds/copy/then-unchanged", test_copy_then_unchanged);
  ADD ("/step-kinds/copy/fixes-mode-only", test_copy_fixes_mode_only);
  ADD ("/step-kinds/copy/replaces-atomically", test_copy_replaces_atomically);
  ADD ("/step-kinds/copy/missing-directory", test_copy_missing_directory);
  ADD ("/step-kinds/copy/dest-is-directory", test_copy_dest_is_directory);
  ADD ("/step-kinds/template/per-host", test_template_per_host);
  ADD ("/step-kinds/wait-for/path-deadline", test_wait_for_path_deadline);
  ADD ("/step-kinds/wait-for/port-and-command", test_wait_for_port_and_command);
  ADD ("/step-kinds/local/argv-without-shell", test_local_argv_without_shell);
  ADD ("/step-kinds/local/exit-status", test_local_exit_status);
  ADD ("/step-kinds/local/timeout-kills-group", test_local_timeout_kills_group);
  ADD ("/step-kinds/local/program-missing", test_local_program_missing);
  ADD ("/step-kinds/retries/until-success", test_retries_until_success);
  ADD ("/step-kinds/retries/exhausted", test_retries_exhausted);
  ADD ("/step-kinds/conditions/failed-and-changed", test_failed_and_changed_when);
  ADD ("/step-kinds/policy/env-and-workdir", test_env_and_workdir);
  ADD ("/step-kinds/policy/workdir-missing", test_workdir_missing_fails);
  ADD ("/step-kinds/values/per-host", test_values_per_host);
  ADD ("/step-kinds/values/missing-host", test_values_missing_host);
  ADD ("/step-kinds/copy/large-other-host-progresses", test_copy_large_other_host_progresses);
  ADD ("/step-kinds/reboot/new-boot-id", test_reboot_waits_for_new_boot_id);
  ADD ("/step-kinds/reboot/deadline", test_reboot_deadline);
  ADD ("/step-kinds/facts/in-conditions", test_facts_in_conditions);

  status = g_test_run ();
  release_sandbox ();
  return status;
}
