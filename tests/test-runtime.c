/* test-runtime.c: fleet-run's executor and SSH transport against real sshd
 * servers on 127.0.0.1. */
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include <gio/gio.h>
#include <glib/gstdio.h>

#include "runtime/fleet-executor.h"
#include "runtime/fleet-report.h"
#include "tests/runtime-fixture.h"

static void
test_run_all_hosts_succeed (Fixture *fixture, gconstpointer data)
{
  const guint sizes[] = { 1, 3, 6, 0 };
  g_autofree char *journal = NULL;
  g_autofree char *output = NULL;
  g_auto(GStrv) lines = NULL;

  if (!require_sandbox ())
    return;

  add_hosts (fixture, SANDBOX_HOSTS, "id_ed25519");
  add_step (fixture, "greet", "echo hello from $FLEET_HOST", 30000);
  add_step (fixture, "own home", "test \"$HOME\" = \"$FLEET_STATE_DIR\"", 30000);
  set_waves (fixture, sizes);
  run_plan (fixture);

  g_assert_cmpint (fleet_run_result_exit_status (fixture->result), ==, 0);
  g_assert_cmpuint (fixture->result->waves_run, ==, 3);
  g_assert_false (fixture->result->halted);
  for (guint i = 0; i < SANDBOX_HOSTS; i++)
    {
      g_assert_cmpint (host_result (fixture, i)->outcome, ==, FLEET_HOST_SUCCEEDED);
      g_assert_cmpint (step_result (fixture, i, 0)->exit_status, ==, 0);
      g_assert_cmpint (step_result (fixture, i, 1)->exit_status, ==, 0);
    }

  output = read_run_file (fixture, "output/host07/01.stdout");
  g_assert_cmpstr (output, ==, "hello from host07\n");

  journal = read_run_file (fixture, "journal.jsonl");
  lines = g_strsplit (journal, "\n", -1);
  g_assert_true (g_str_has_prefix (lines[0], "{\"time\":\""));
  g_assert_nonnull (strstr (lines[0], "\"event\":\"run-start\""));
  g_assert_nonnull (strstr (journal, "\"event\":\"run-end\",\"exit_status\":0,\"succeeded\":10"));
  /* 10 hosts x 2 steps, each with one start and one end record. */
  g_assert_cmpuint (g_strv_length (lines), >, 40);
}

static void
test_auth_key_types (Fixture *fixture, gconstpointer data)
{
  const char *keys[] = { "id_ed25519", "id_rsa", "id_ecdsa" };
  const guint sizes[] = { 3, 0 };

  if (!require_sandbox ())
    return;

  for (guint i = 0; i < G_N_ELEMENTS (keys); i++)
    g_ptr_array_add (fixture->plan->hosts, fleet_sandbox_host (shared_sandbox, i, keys[i]));
  add_step (fixture, "whoami", "true", 30000);
  set_waves (fixture, sizes);
  run_plan (fixture);

  for (guint i = 0; i < G_N_ELEMENTS (keys); i++)
    {
      const FleetHostResult *host = host_result (fixture, i);
      g_assert_cmpint (host->outcome, ==, FLEET_HOST_SUCCEEDED);
      g_assert_null (host->message);
    }
}

/* Start ssh-agent on a socket in the run directory, load the private key at
 * `key_path` into it (or nothing for NULL), and point SSH_AUTH_SOCK at it.
 * Returns its PID. */
static GPid
start_agent (Fixture *fixture, const char *key_path)
{
  g_autofree char *socket_path = g_build_filename (fixture->run_dir, "agent.sock", NULL);

  g_unlink (socket_path);
  const char *argv[] = { "ssh-agent", "-D", "-a", socket_path, NULL };
  g_autoptr(GError) error = NULL;
  GPid pid;

  g_spawn_async (NULL, (char **) argv, NULL,
                 G_SPAWN_SEARCH_PATH | G_SPAWN_DO_NOT_REAP_CHILD | G_SPAWN_STDOUT_TO_DEV_NULL,
                 NULL, NULL, &pid, &error);
  g_assert_no_error (error);

  for (guint i = 0; i < 200 && !g_file_test (socket_path, G_FILE_TEST_EXISTS); i++)
    g_usleep (10 * 1000);
  g_assert_true (g_file_test (socket_path, G_FILE_TEST_EXISTS));
  g_setenv ("SSH_AUTH_SOCK", socket_path, TRUE);

  if (key_path != NULL)
    {
      const char *add[] = { "ssh-add", "-q", key_path, NULL };

      g_assert_cmpint (fleet_test_spawn (add, NULL, NULL), ==, 0);
    }
  return pid;
}

static void
stop_agent (GPid pid)
{
  g_unsetenv ("SSH_AUTH_SOCK");
  kill (pid, SIGTERM);
  waitpid (pid, NULL, 0);
  g_spawn_close_pid (pid);
}

/* Run a one-host plan for host01 with `identity_file` (NULL: none) while an
 * ssh-agent holds the key at `agent_key` (NULL: no key). */
static void
run_with_agent (Fixture *fixture, const char *agent_key, const char *identity_file)
{
  const guint one[] = { 1, 0 };
  g_autofree char *journal = g_build_filename (fixture->run_dir, "journal.jsonl", NULL);
  FleetHost *host = fleet_sandbox_host (shared_sandbox, 0, "id_ed25519");
  GPid agent;

  g_clear_pointer (&fixture->result, fleet_run_result_free);
  g_ptr_array_set_size (fixture->plan->waves, 0);
  g_ptr_array_set_size (fixture->plan->hosts, 0);
  g_unlink (journal);

  fleet_host_set_identity_file (host, identity_file);
  g_ptr_array_add (fixture->plan->hosts, host);
  set_waves (fixture, one);

  agent = start_agent (fixture, agent_key);
  run_plan (fixture);
  stop_agent (agent);
}

/* ssh-agent is tried first: a host with no identity file logs in with the
 * agent's key, and when the agent offers only keys the server rejects, the
 * identity file is offered next. */
static void
test_auth_agent_then_identity_file (Fixture *fixture, gconstpointer data)
{
  g_autofree char *rsa_key = NULL;
  g_autofree char *ed25519_key = NULL;
  g_autofree char *stranger_key = g_build_filename (fixture->run_dir, "stranger", NULL);
  const char *keygen[] = { "ssh-keygen", "-q", "-t", "ed25519", "-N", "", "-f", stranger_key,
                           NULL };

  if (!require_sandbox ())
    return;

  rsa_key = fleet_sandbox_path (shared_sandbox, "client/id_rsa");
  ed25519_key = fleet_sandbox_path (shared_sandbox, "client/id_ed25519");
  g_assert_cmpint (fleet_test_spawn (keygen, NULL, NULL), ==, 0);
  add_step (fixture, "noop", "true", 30000);

  run_with_agent (fixture, rsa_key, NULL);
  g_assert_cmpint (host_result (fixture, 0)->outcome, ==, FLEET_HOST_SUCCEEDED);

  run_with_agent (fixture, stranger_key, ed25519_key);
  g_assert_cmpint (host_result (fixture, 0)->outcome, ==, FLEET_HOST_SUCCEEDED);

  run_with_agent (fixture, NULL, NULL);
  g_assert_cmpint (host_result (fixture, 0)->failure, ==, FLEET_FAILURE_AUTH_FAILED);
  g_assert_nonnull (strstr (host_result (fixture, 0)->message,
                            "tried: ssh-agent: no key the server accepts; "
                            "no identity file is set for the host"));

  run_with_agent (fixture, stranger_key, stranger_key);
  g_assert_cmpint (host_result (fixture, 0)->failure, ==, FLEET_FAILURE_AUTH_FAILED);
  g_assert_nonnull (strstr (host_result (fixture, 0)->message,
                            "tried: ssh-agent: no key the server accepts; "));
  g_assert_nonnull (strstr (host_result (fixture, 0)->message, "/stranger (ssh-ed25519 SHA256:"));
  g_assert_nonnull (strstr (host_result (fixture, 0)->message, "): rejected by the server"));
}

static void
test_host_failures_classified (Fixture *fixture, gconstpointer data)
{
  const guint sizes[] = { 5, 0 };
  g_autofree char *empty_known_hosts = g_build_filename (fixture->run_dir, "empty", NULL);
  g_autofree char *stranger_key = g_build_filename (fixture->run_dir, "stranger", NULL);
  g_autofree char *missing_key = g_build_filename (fixture->run_dir, "no-such-key", NULL);
  const char *keygen[] = { "ssh-keygen", "-q", "-t", "ed25519", "-N", "", "-f", stranger_key,
                           NULL };
  FleetHost *unknown_key_host;
  FleetHost *rejected_key_host;
  FleetHost *missing_key_host;
  g_autofree char *summary = NULL;

  if (!require_sandbox ())
    return;

  g_assert_cmpint (fleet_test_spawn (keygen, NULL, NULL), ==, 0);
  g_assert_true (g_file_set_contents (empty_known_hosts, "", 0, NULL));

  add_hosts (fixture, 5, "id_ed25519");
  unknown_key_host = g_ptr_array_index (fixture->plan->hosts, 1);
  fleet_host_set_known_hosts_file (unknown_key_host, empty_known_hosts);
  rejected_key_host = g_ptr_array_index (fixture->plan->hosts, 2);
  fleet_host_set_identity_file (rejected_key_host, stranger_key);
  missing_key_host = g_ptr_array_index (fixture->plan->hosts, 4);
  fleet_host_set_identity_file (missing_key_host, missing_key);

  add_step (fixture, "noop", "true", 30000);
  set_waves (fixture, sizes);
  /* Every host must run, whatever fails first. */
  set_halt_at (fixture, FLEET_HALT_FAILED_PER_WAVE, "unlimited");
  set_halt_at (fixture, FLEET_HALT_UNREACHABLE_PER_WAVE, "unlimited");

  fleet_sandbox_control (shared_sandbox, "stop", 3);
  run_plan (fixture);
  fleet_sandbox_control (shared_sandbox, "start", 3);

  g_assert_cmpint (host_result (fixture, 0)->outcome, ==, FLEET_HOST_SUCCEEDED);

  g_assert_cmpint (host_result (fixture, 1)->outcome, ==, FLEET_HOST_FAILED);
  g_assert_cmpint (host_result (fixture, 1)->failure, ==, FLEET_FAILURE_HOST_KEY_UNKNOWN);
  g_assert_nonnull (strstr (host_result (fixture, 1)->message, "SHA256:"));

  g_assert_cmpint (host_result (fixture, 2)->failure, ==, FLEET_FAILURE_AUTH_FAILED);
  g_assert_nonnull (strstr (host_result (fixture, 2)->message, "rejected by the server"));

  g_assert_cmpint (host_result (fixture, 3)->failure, ==, FLEET_FAILURE_CONNECTION_REFUSED);
  g_assert_nonnull (strstr (host_result (fixture, 3)->message, "refused"));

  g_assert_cmpint (host_result (fixture, 4)->failure, ==, FLEET_FAILURE_IDENTITY_FILE);
  g_assert_nonnull (strstr (host_result (fixture, 4)->message, "it does not exist"));

  g_assert_cmpint (fleet_run_result_exit_status (fixture->result), ==, 1);

  /* The summary counts the refused host as unreachable, not as failed, in
   * the wave line and in the total alike. */
  summary = fleet_report_format_summary (fixture->plan, fixture->result, fixture->run_dir);
  g_assert_nonnull (strstr (summary, "wave 1: 5 hosts, 1 succeeded, 3 failed, 1 unreachable in "));
  g_assert_nonnull (strstr (summary, "\n1 of 5 hosts succeeded, 3 failed, 1 unreachable in "));
}

/* A re-imaged host presents a new key: the run refuses it and names both
 * fingerprints, while the other hosts go on. */
static void
test_host_key_changed (Fixture *fixture, gconstpointer data)
{
  const guint sizes[] = { 3, 0 };
  g_autofree char *known_hosts = NULL;
  g_autofree char *known_hosts_after = NULL;
  const FleetHostResult *changed;

  if (!require_sandbox ())
    return;

  known_hosts = fleet_sandbox_path (shared_sandbox, "known_hosts");
  g_assert_true (g_file_get_contents (known_hosts, &known_hosts_after, NULL, NULL));

  add_hosts (fixture, 3, "id_ed25519");
  add_step (fixture, "noop", "true", 30000);
  set_waves (fixture, sizes);

  fleet_sandbox_control (shared_sandbox, "rekey", 1);
  run_plan (fixture);

  changed = host_result (fixture, 1);
  g_assert_cmpint (changed->outcome, ==, FLEET_HOST_FAILED);
  g_assert_cmpint (changed->failure, ==, FLEET_FAILURE_HOST_KEY_CHANGED);
  g_assert_cmpuint (changed->failed_step, ==, G_MAXUINT);
  /* Both the recorded and the presented fingerprint are named. */
  g_assert_nonnull (strstr (changed->message, "records ssh-ed25519 SHA256:"));
  g_assert_nonnull (strstr (changed->message, "presents ssh-ed25519 SHA256:"));
  g_assert_false (step_result (fixture, 1, 0)->started);
  g_assert_cmpint (host_result (fixture, 0)->outcome, ==, FLEET_HOST_SUCCEEDED);
  g_assert_cmpint (host_result (fixture, 2)->outcome, ==, FLEET_HOST_SUCCEEDED);

  /* known_hosts is never rewritten behind the admin's back. */
  {
    g_autofree char *now = NULL;
    g_assert_true (g_file_get_contents (known_hosts, &now, NULL, NULL));
    g_assert_cmpstr (now, ==, known_hosts_after);
  }

  /* Restore the key the other tests expect by re-adding the new key line. */
  {
    g_autofree char *name = fleet_sandbox_host_name (shared_sandbox, 1);
    g_autofree char *relative = g_build_filename ("hosts", name, "ssh_host_ed25519_key.pub", NULL);
    g_autofree char *pub_path = fleet_sandbox_path (shared_sandbox, relative);
    g_autofree char *pub = NULL;
    g_auto(GStrv) fields = NULL;
    g_autoptr(GString) updated = g_string_new (NULL);
    g_auto(GStrv) lines = g_strsplit (known_hosts_after, "\n", -1);
    guint port = GPOINTER_TO_UINT (g_ptr_array_index (shared_sandbox->ports, 1));
    g_autofree char *prefix = g_strdup_printf ("[127.0.0.1]:%u ", port);

    g_assert_true (g_file_get_contents (pub_path, &pub, NULL, NULL));
    fields = g_strsplit (g_strstrip (pub), " ", 3);
    for (char **line = lines; *line != NULL; line++)
      {
        if (**line == '\0')
          continue;
        if (g_str_has_prefix (*line, prefix))
          g_string_append_printf (updated, "%s%s %s\n", prefix, fields[0], fields[1]);
        else
          g_string_append_printf (updated, "%s\n", *line);
      }
    g_assert_true (g_file_set_contents (known_hosts, updated->str, -1, NULL));
  }
}

static void
test_failed_step_halts_before_next_wave (Fixture *fixture, gconstpointer data)
{
  const guint sizes[] = { 2, 3, 0 };
  const FleetHostResult *failed;

  if (!require_sandbox ())
    return;

  add_hosts (fixture, 5, "id_ed25519");
  add_step (fixture, "check", "if [ \"$FLEET_HOST\" = host02 ]; then echo disk full >&2; exit 4; fi",
            30000);
  add_step (fixture, "after", "true", 30000);
  set_waves (fixture, sizes);
  run_plan (fixture);

  failed = host_result (fixture, 1);
  g_assert_cmpint (failed->outcome, ==, FLEET_HOST_FAILED);
  g_assert_cmpint (failed->failure, ==, FLEET_FAILURE_EXIT_CODE);
  g_assert_cmpuint (failed->failed_step, ==, 0);
  g_assert_cmpstr (failed->message, ==, "step \"check\": exited with status 4 (expected 0)");
  g_assert_cmpstr (step_result (fixture, 1, 0)->stderr_tail->str, ==, "disk full\n");
  g_assert_false (step_result (fixture, 1, 1)->started);

  g_assert_cmpint (host_result (fixture, 0)->outcome, ==, FLEET_HOST_SUCCEEDED);
  for (guint i = 2; i < 5; i++)
    g_assert_cmpint (host_result (fixture, i)->outcome, ==, FLEET_HOST_NOT_RUN);
  g_assert_true (fixture->result->halted);
  g_assert_cmpuint (fixture->result->waves_run, ==, 1);
  g_assert_cmpint (fleet_run_result_exit_status (fixture->result), ==, 1);
}

/* Megabytes on stderr before stdout must drain both streams without a
 * window deadlock, and every byte must reach the output files. */
static void
test_large_output_both_streams (Fixture *fixture, gconstpointer data)
{
  const guint sizes[] = { 1, 0 };
  g_autofree char *stdout_path = NULL;
  g_autofree char *stderr_path = NULL;
  g_autofree char *interleaved = NULL;
  FleetStep *first;
  GStatBuf info;

  if (!require_sandbox ())
    return;

  add_hosts (fixture, 1, "id_ed25519");
  first = add_step (fixture, "stderr first",
            "head -c 3145728 /dev/zero | tr '\\0' e >&2; head -c 5242880 /dev/zero | tr '\\0' o; "
            "exit 3", 120000);
  add_step (fixture, "interleaved",
            "i=0; while [ $i -lt 20000 ]; do echo \"out $i\"; echo \"err $i\" >&2; i=$((i+1)); done",
            120000);
  g_array_index (first->expected_exit_codes, int, 0) = 3;
  set_waves (fixture, sizes);
  run_plan (fixture);

  g_assert_cmpint (step_result (fixture, 0, 0)->exit_status, ==, 3);
  g_assert_cmpint (step_result (fixture, 0, 0)->failure, ==, FLEET_FAILURE_NONE);
  g_assert_cmpuint (step_result (fixture, 0, 0)->stderr_bytes, ==, 3145728);
  g_assert_cmpuint (step_result (fixture, 0, 0)->stdout_bytes, ==, 5242880);

  stdout_path = g_build_filename (fixture->run_dir, "output/host01/01.stdout", NULL);
  stderr_path = g_build_filename (fixture->run_dir, "output/host01/01.stderr", NULL);
  g_assert_cmpint (g_stat (stdout_path, &info), ==, 0);
  g_assert_cmpint (info.st_size, ==, 5242880);
  g_assert_cmpint (g_stat (stderr_path, &info), ==, 0);
  g_assert_cmpint (info.st_size, ==, 3145728);

  g_assert_cmpint (step_result (fixture, 0, 1)->exit_status, ==, 0);
  interleaved = read_run_file (fixture, "output/host01/02.stderr");
  g_assert_true (g_str_has_prefix (interleaved, "err 0\nerr 1\n"));
  g_assert_true (g_str_has_suffix (interleaved, "err 19999\n"));
  g_assert_cmpuint (step_result (fixture, 0, 1)->stdout_bytes, ==,
                    step_result (fixture, 0, 1)->stderr_bytes);
}

/* Samples the process's resident memory until `stop` is set, keeping the
 * highest value seen. */
typedef struct {
  gint stop;
  gint64 peak_bytes;
} MemorySampler;

static gint64
resident_bytes (void)
{
  g_autofree char *statm = NULL;
  long size = 0, resident = 0;

  if (!g_file_get_contents ("/proc/self/statm", &statm, NULL, NULL)
      || sscanf (statm, "%ld %ld", &size, &resident) != 2)
    return 0;
  return (gint64) resident * sysconf (_SC_PAGESIZE);
}

static gpointer
sample_memory (gpointer data)
{
  MemorySampler *sampler = data;

  while (!g_atomic_int_get (&sampler->stop))
    {
      sampler->peak_bytes = MAX (sampler->peak_bytes, resident_bytes ());
      g_usleep (5000);
    }
  return NULL;
}

/* One host writes 50 MB to standard output while three others run short
 * steps.  The others finish, every byte of the flood is counted, and the
 * controller's memory stays far below the flood's size, because reads of
 * the flooding host yield each turn and the SSH channel window keeps the
 * rest on the server. */
static void
test_flood_output_bounded (Fixture *fixture, gconstpointer data)
{
  const guint sizes[] = { 4, 0 };
  const guint64 flood_bytes = 50u * 1024 * 1024;
  MemorySampler sampler = { 0 };
  g_autoptr (GThread) thread = NULL;
  g_autofree char *stdout_path = NULL;
  gint64 baseline;
  GStatBuf info;

  if (!require_sandbox ())
    return;

  add_hosts (fixture, 4, "id_ed25519");
  add_step (fixture, "flood or short",
            "case $FLEET_HOST in host01) head -c 52428800 /dev/zero | tr '\\0' x;; "
            "*) echo short;; esac", 120000);
  add_step (fixture, "second", "echo second", 120000);
  add_step (fixture, "third", "echo third", 120000);
  set_waves (fixture, sizes);

  baseline = resident_bytes ();
  sampler.peak_bytes = baseline;
  thread = g_thread_new ("memory-sampler", sample_memory, &sampler);
  run_plan (fixture);
  g_atomic_int_set (&sampler.stop, 1);
  g_thread_join (g_steal_pointer (&thread));

  for (guint host = 0; host < 4; host++)
    g_assert_cmpint (((FleetHostResult *) g_ptr_array_index (fixture->result->hosts, host))->outcome,
                     ==, FLEET_HOST_SUCCEEDED);
  g_assert_cmpuint (step_result (fixture, 0, 0)->stdout_bytes, ==, flood_bytes);
  g_assert_cmpuint (step_result (fixture, 0, 0)->stdout_omitted_bytes, ==,
                    flood_bytes - FLEET_DEFAULT_OUTPUT_CAP_BYTES);
  g_assert_cmpstr (step_result (fixture, 1, 0)->stdout_tail->str, ==, "short\n");
  g_assert_cmpstr (step_result (fixture, 3, 2)->stdout_tail->str, ==, "third\n");

  stdout_path = g_build_filename (fixture->run_dir, "output/host01/01.stdout", NULL);
  g_assert_cmpint (g_stat (stdout_path, &info), ==, 0);
  g_assert_cmpint (info.st_size, <, FLEET_DEFAULT_OUTPUT_CAP_BYTES + 4096);
  /* AddressSanitizer's quarantine keeps freed memory resident, so the
   * process's memory grows with every allocation there and says nothing
   * about what the run holds. */
#ifndef __SANITIZE_ADDRESS__
  g_assert_cmpint (sampler.peak_bytes - baseline, <, 24 * 1024 * 1024);
#endif
}

/* A command killed by a signal is never a success, and its signal is
 * distinguished from a command that exits 137 on its own. */
static void
test_exit_signal_reported (Fixture *fixture, gconstpointer data)
{
  const guint sizes[] = { 3, 0 };
  const FleetStepResult *killed;
  const FleetStepResult *terminated;
  const FleetStepResult *exited;

  if (!require_sandbox ())
    return;

  add_hosts (fixture, 3, "id_ed25519");
  add_step (fixture, "self-kill",
            "case $FLEET_HOST in "
            "host01) exec sh -c 'echo before; kill -KILL $$; echo after';; "
            "host02) exec sh -c 'kill -TERM $$';; "
            "*) sh -c 'exit 137';; esac", 20000);
  set_waves (fixture, sizes);
  run_plan (fixture);

  killed = step_result (fixture, 0, 0);
  g_assert_cmpint (killed->failure, ==, FLEET_FAILURE_EXIT_SIGNAL);
  g_assert_cmpstr (killed->exit_signal, ==, "KILL");
  g_assert_cmpint (killed->exit_status, ==, -1);
  g_assert_cmpstr (killed->stdout_tail->str, ==, "before\n");

  terminated = step_result (fixture, 1, 0);
  g_assert_cmpint (terminated->failure, ==, FLEET_FAILURE_EXIT_SIGNAL);
  g_assert_cmpstr (terminated->exit_signal, ==, "TERM");

  exited = step_result (fixture, 2, 0);
  g_assert_cmpint (exited->failure, ==, FLEET_FAILURE_EXIT_CODE);
  g_assert_null (exited->exit_signal);
  g_assert_cmpint (exited->exit_status, ==, 137);
}

/* sshd's ChannelTimeout closes an idle channel without sending an exit
 * status while the command goes on; that must never read as exit 0. */
static void
test_channel_closed_without_exit_status (Fixture *fixture, gconstpointer data)
{
  const guint sizes[] = { 1, 0 };
  const guint host_index = SANDBOX_HOSTS - 1;
  const FleetStepResult *step;

  if (!require_sandbox ())
    return;

  set_host_sshd_extra (host_index, "ChannelTimeout session:*=1s\n");

  g_ptr_array_add (fixture->plan->hosts, fleet_sandbox_host (shared_sandbox, host_index,
                                                             "id_ed25519"));
  add_step (fixture, "outlives channel", "sleep 4; exit 7", 30000);
  set_waves (fixture, sizes);
  run_plan (fixture);

  set_host_sshd_extra (host_index, NULL);

  step = step_result (fixture, 0, 0);
  g_assert_cmpint (step->failure, ==, FLEET_FAILURE_NO_EXIT_STATUS);
  g_assert_cmpint (step->exit_status, ==, -1);
  g_assert_null (step->exit_signal);
  g_assert_cmpint (host_result (fixture, 0)->outcome, ==, FLEET_HOST_FAILED);
  g_assert_nonnull (strstr (host_result (fixture, 0)->message, "without an exit status"));
}

static void
test_command_timeout (Fixture *fixture, gconstpointer data)
{
  const guint sizes[] = { 1, 0 };
  gint64 started = g_get_monotonic_time ();

  if (!require_sandbox ())
    return;

  add_hosts (fixture, 1, "id_ed25519");
  add_step (fixture, "hang", "sleep 60", 500);
  set_waves (fixture, sizes);
  run_plan (fixture);

  g_assert_cmpint (step_result (fixture, 0, 0)->failure, ==, FLEET_FAILURE_COMMAND_TIMEOUT);
  g_assert_cmpint (host_result (fixture, 0)->outcome, ==, FLEET_HOST_FAILED);
  /* A generous bound: the point is that the run did not wait for sleep 60. */
  g_assert_cmpint (g_get_monotonic_time () - started, <, 30 * G_USEC_PER_SEC);
}

static void
test_become_runs_through_sudo (Fixture *fixture, gconstpointer data)
{
  const guint sizes[] = { 1, 0 };
  FleetStep *as_root;
  FleetStep *as_nobody;
  g_autofree char *root_output = NULL;
  g_autofree char *nobody_output = NULL;
  g_autofree char *sudo = g_find_program_in_path ("sudo");

  if (!require_sandbox ())
    return;
  if (sudo == NULL)
    {
      g_test_skip ("sudo is not installed (apt install sudo)");
      return;
    }

  add_hosts (fixture, 1, "id_ed25519");
  as_root = add_step (fixture, "as root", "id -un; echo \"quoted 'arg'\"", 30000);
  as_root->become = TRUE;
  as_nobody = add_step (fixture, "as nobody", "id -un", 30000);
  as_nobody->become = TRUE;
  as_nobody->become_user = g_strdup ("nobody");
  set_waves (fixture, sizes);
  run_plan (fixture);

  g_assert_cmpint (host_result (fixture, 0)->outcome, ==, FLEET_HOST_SUCCEEDED);
  root_output = read_run_file (fixture, "output/host01/01.stdout");
  g_assert_cmpstr (root_output, ==, "root\nquoted 'arg'\n");
  nobody_output = read_run_file (fixture, "output/host01/02.stdout");
  g_assert_cmpstr (nobody_output, ==, "nobody\n");
}

/* A become_user that the host lacks is reported as such, not by whatever
 * line sudo writes last (an audit plugin's on some systems). */
static void
test_become_unknown_user (Fixture *fixture, gconstpointer data)
{
  const guint sizes[] = { 1, 0 };
  FleetStep *ghost;
  const FleetStepResult *result;
  g_autofree char *sudo = g_find_program_in_path ("sudo");

  if (!require_sandbox ())
    return;
  if (sudo == NULL)
    {
      g_test_skip ("sudo is not installed (apt install sudo)");
      return;
    }

  add_hosts (fixture, 1, "id_ed25519");
  ghost = add_step (fixture, "ghost", "id -un", 30000);
  ghost->become = TRUE;
  ghost->become_user = g_strdup ("fleetc-no-such-user");
  set_waves (fixture, sizes);
  run_plan (fixture);

  g_assert_cmpint (host_result (fixture, 0)->outcome, ==, FLEET_HOST_FAILED);
  result = g_ptr_array_index (host_result (fixture, 0)->steps, 0);
  g_assert_cmpint (result->failure, ==, FLEET_FAILURE_BECOME_USER_UNKNOWN);
  g_assert_cmpstr (result->message, ==,
                   "sudo has no user \"fleetc-no-such-user\" on this host (\"sudo: unknown "
                   "user\"); fix become_user of step \"ghost\", or create the user");
}

/* A become command that exits with 1 after a line starting "sudo: " that
 * is none of sudo's refusals ran: it fails on its exit code, and its own
 * message is kept. */
static void
test_become_command_fails_itself (Fixture *fixture, gconstpointer data)
{
  const guint sizes[] = { 1, 0 };
  FleetStep *step;
  const FleetStepResult *result;
  g_autofree char *sudo = g_find_program_in_path ("sudo");

  if (!require_sandbox ())
    return;
  if (sudo == NULL)
    {
      g_test_skip ("sudo is not installed (apt install sudo)");
      return;
    }

  add_hosts (fixture, 1, "id_ed25519");
  step = add_step (fixture, "own message", "echo 'sudo: not a refusal' >&2; exit 1", 30000);
  step->become = TRUE;
  set_waves (fixture, sizes);
  run_plan (fixture);

  g_assert_cmpint (host_result (fixture, 0)->outcome, ==, FLEET_HOST_FAILED);
  result = g_ptr_array_index (host_result (fixture, 0)->steps, 0);
  g_assert_cmpint (result->failure, ==, FLEET_FAILURE_EXIT_CODE);
  g_assert_cmpint (result->exit_status, ==, 1);
  g_assert_nonnull (strstr (result->stderr_tail->str, "sudo: not a refusal"));
}

/* A run-time condition is evaluated on each host before its step, and every
 * skipped step, run-time or planned, is journaled with its reason. */
static void
test_conditions_skip_steps (Fixture *fixture, gconstpointer data)
{
  const guint sizes[] = { 2, 0 };
  const int also_one = 1;
  FleetStep *check;
  FleetStep *on_zero;
  FleetStep *planned;
  g_autofree char *journal = NULL;
  g_autofree char *ran = NULL;
  g_autofree char *summary = NULL;

  if (!require_sandbox ())
    return;

  add_hosts (fixture, 2, "id_ed25519");
  check = add_step (fixture, "check", "test \"$FLEET_HOST\" = host01", 30000);
  g_array_append_val (check->expected_exit_codes, also_one);
  on_zero = add_step (fixture, "on zero", "echo ran", 30000);
  on_zero->when = g_strdup ("steps.check.rc == 0");
  planned = add_step (fixture, "planned", "echo planned", 30000);
  planned->skipped_hosts = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, g_free);
  g_hash_table_insert (planned->skipped_hosts, g_strdup ("host01"),
                       g_strdup ("condition `dc == \"dc2\"` is false"));
  set_waves (fixture, sizes);
  run_plan (fixture);

  for (guint i = 0; i < 2; i++)
    g_assert_cmpint (host_result (fixture, i)->outcome, ==, FLEET_HOST_SUCCEEDED);

  g_assert_false (step_result (fixture, 0, 1)->skipped);
  g_assert_true (step_result (fixture, 0, 1)->started);
  ran = read_run_file (fixture, "output/host01/02.stdout");
  g_assert_cmpstr (ran, ==, "ran\n");
  g_assert_true (step_result (fixture, 1, 1)->skipped);
  g_assert_false (step_result (fixture, 1, 1)->started);
  g_assert_cmpstr (step_result (fixture, 1, 1)->skip_reason, ==,
                   "condition `steps.check.rc == 0` is false");

  g_assert_true (step_result (fixture, 0, 2)->skipped);
  g_assert_false (step_result (fixture, 1, 2)->skipped);

  journal = read_run_file (fixture, "journal.jsonl");
  g_assert_nonnull (strstr (journal, "\"event\":\"step-skipped\",\"host\":\"host02\",\"step\":2,"
                                     "\"name\":\"on zero\",\"reason\":\"condition "
                                     "`steps.check.rc == 0` is false\""));
  g_assert_nonnull (strstr (journal, "\"event\":\"step-skipped\",\"host\":\"host01\",\"step\":3,"
                                     "\"name\":\"planned\",\"reason\":\"condition "
                                     "`dc == \\\"dc2\\\"` is false\""));

  summary = fleet_report_format_summary (fixture->plan, fixture->result, fixture->run_dir);
  g_assert_nonnull (strstr (summary, "      skipped step 3 \"planned\": condition "
                                     "`dc == \"dc2\"` is false\n"));
  g_assert_nonnull (strstr (summary, "      skipped step 2 \"on zero\": condition "
                                     "`steps.check.rc == 0` is false\n"));
}

/* The journal's host-start and host-end records never show more hosts
 * busy than the parallelism cap. */
static void
test_parallelism_cap_respected (Fixture *fixture, gconstpointer data)
{
  const guint sizes[] = { SANDBOX_HOSTS, 0 };
  g_autofree char *journal = NULL;
  g_auto(GStrv) lines = NULL;
  int busy = 0;
  int max_busy = 0;

  if (!require_sandbox ())
    return;

  add_hosts (fixture, SANDBOX_HOSTS, "id_ed25519");
  add_step (fixture, "nap", "sleep 0.2", 30000);
  fixture->plan->parallelism = 3;
  set_waves (fixture, sizes);
  run_plan (fixture);

  g_assert_cmpint (fleet_run_result_exit_status (fixture->result), ==, 0);
  journal = read_run_file (fixture, "journal.jsonl");
  lines = g_strsplit (journal, "\n", -1);
  for (char **line = lines; *line != NULL; line++)
    {
      if (strstr (*line, "\"event\":\"host-start\"") != NULL)
        busy++;
      if (strstr (*line, "\"event\":\"host-end\"") != NULL)
        busy--;
      max_busy = MAX (max_busy, busy);
    }
  g_assert_cmpint (max_busy, ==, 3);
  g_assert_cmpint (busy, ==, 0);
}

/* The load guard holds back a busy host, checks it again after `defer`,
 * and fails it once it has waited `max_wait`; the other hosts pass and
 * run their steps under nice.  The journal shows each deferral and the
 * concurrency limit the run started with. */
static void
test_load_guard_and_nice (Fixture *fixture, gconstpointer data)
{
  const guint sizes[] = { 3, 0 };
  g_autofree char *journal = NULL;
  g_autofree char *niceness = NULL;
  FleetPacing *pacing;
  guint deferrals = 0;
  const char *cursor;

  if (!require_sandbox ())
    return;

  add_hosts (fixture, 3, "id_ed25519");
  add_step (fixture, "niceness", "nice", 30000);
  set_waves (fixture, sizes);
  set_halt_at (fixture, FLEET_HALT_FAILED_PER_WAVE, "unlimited");
  pacing = fleet_pacing_new ();
  pacing->max_load = g_strdup ("1000");
  pacing->guard_command = g_strdup ("test \"$FLEET_HOST\" != host02");
  pacing->defer_ms = 1000;
  pacing->max_wait_ms = 1500;
  pacing->nice = 10;
  fixture->plan->pacing = pacing;
  fixture->plan->parallelism = 3;
  run_plan (fixture);

  g_assert_cmpint (host_result (fixture, 0)->outcome, ==, FLEET_HOST_SUCCEEDED);
  g_assert_cmpint (host_result (fixture, 2)->outcome, ==, FLEET_HOST_SUCCEEDED);
  g_assert_cmpint (host_result (fixture, 1)->failure, ==, FLEET_FAILURE_TARGET_BUSY);
  g_assert_nonnull (strstr (host_result (fixture, 1)->message,
                            "the host was still too busy after waiting 1 s: the guard command "
                            "exited with status 1 (load "));
  g_assert_false (step_result (fixture, 1, 0)->started);

  niceness = read_run_file (fixture, "output/host01/01.stdout");
  g_assert_cmpstr (niceness, ==, "10\n");

  journal = read_run_file (fixture, "journal.jsonl");
  for (cursor = journal; (cursor = strstr (cursor, "\"event\":\"host-deferred\",\"host\":\"host02\"")) != NULL;
       cursor++)
    deferrals++;
  /* How many checks fit in max_wait depends on how long each takes. */
  g_assert_cmpuint (deferrals, >=, 1);
  g_assert_nonnull (strstr (journal, "\"event\":\"host-guard-passed\",\"host\":\"host01\""));
  g_assert_nonnull (strstr (journal, "\"event\":\"concurrency\",\"limit\":3,\"cause\":\"start\""));
}

/* A load above max_load keeps the host waiting, and past max_wait fails
 * it with the load in the message; its step never starts. */
static void
test_load_guard_over_max_load (Fixture *fixture, gconstpointer data)
{
  const guint sizes[] = { 1, 0 };
  FleetPacing *pacing;

  if (!require_sandbox ())
    return;

  add_hosts (fixture, 1, "id_ed25519");
  add_step (fixture, "never", "true", 30000);
  set_waves (fixture, sizes);
  pacing = fleet_pacing_new ();
  pacing->max_load = g_strdup ("0.000001");
  pacing->defer_ms = 1000;
  pacing->max_wait_ms = 1000;
  fixture->plan->pacing = pacing;

  /* Some load is always above a millionth on a machine running sshd and
   * this test; should the load read 0.00, the host passes and the message
   * check below fails loudly rather than silently. */
  run_plan (fixture);

  g_assert_cmpint (host_result (fixture, 0)->failure, ==, FLEET_FAILURE_TARGET_BUSY);
  g_assert_nonnull (strstr (host_result (fixture, 0)->message, "is above max_load 0.000001"));
  g_assert_false (step_result (fixture, 0, 0)->started);
}

int
main (int argc, char **argv)
{
  int status;

  g_test_init (&argc, &argv, NULL);

#define ADD(path, func) \
  g_test_add (path, Fixture, NULL, fixture_set_up, func, fixture_tear_down)

  ADD ("/runtime/run/all-hosts-succeed", test_run_all_hosts_succeed);
  ADD ("/runtime/auth/key-types", test_auth_key_types);
  ADD ("/runtime/auth/agent-then-identity-file", test_auth_agent_then_identity_file);
  ADD ("/runtime/failure/classified-per-host", test_host_failures_classified);
  ADD ("/runtime/failure/host-key-changed", test_host_key_changed);
  ADD ("/runtime/waves/failed-step-halts", test_failed_step_halts_before_next_wave);
  ADD ("/runtime/output/large-both-streams", test_large_output_both_streams);
  ADD ("/runtime/output/flood-bounded", test_flood_output_bounded);
  ADD ("/runtime/output/exit-signal", test_exit_signal_reported);
  ADD ("/runtime/command/timeout", test_command_timeout);
  ADD ("/runtime/command/no-exit-status", test_channel_closed_without_exit_status);
  ADD ("/runtime/command/become", test_become_runs_through_sudo);
  ADD ("/runtime/command/become-unknown-user", test_become_unknown_user);
  ADD ("/runtime/command/become-command-fails-itself", test_become_command_fails_itself);
  ADD ("/runtime/run/parallelism-cap", test_parallelism_cap_respected);
  ADD ("/runtime/run/conditions-skip-steps", test_conditions_skip_steps);
  ADD ("/runtime/run/load-guard-and-nice", test_load_guard_and_nice);
  ADD ("/runtime/run/load-guard-over-max-load", test_load_guard_over_max_load);

  status = g_test_run ();
  release_sandbox ();
  return status;
}
