/* test-faults.c: network and server faults between fleet-run and its hosts.
 *
 * Host 0 of each plan is reached through a fault-injecting proxy
 * (fault-proxy.h); the other hosts connect directly.  Every fault must end
 * in bounded time with the right cause on host 0, the other hosts must
 * finish their steps, and the journal must record exactly what happened.
 */
#include <string.h>

#include <glib/gstdio.h>

#include "runtime/fleet-journal-reader.h"
#include "tests/fault-proxy.h"
#include "tests/runtime-fixture.h"

#define N_HOSTS 3

/* Point host 0 of the plan at `proxy`, trusting the sandbox host key
 * under the proxy's port, with short connect and keepalive deadlines. */
static void
route_through_proxy (Fixture *fixture, FaultProxy *proxy, guint32 keepalive_interval_ms)
{
  FleetHost *host = g_ptr_array_index (fixture->plan->hosts, 0);
  g_autofree char *name = fleet_sandbox_host_name (shared_sandbox, 0);
  g_autofree char *relative = g_build_filename ("hosts", name, "ssh_host_ed25519_key.pub", NULL);
  g_autofree char *key_path = fleet_sandbox_path (shared_sandbox, relative);
  g_autofree char *known_hosts = g_build_filename (fixture->run_dir, "proxy_known_hosts", NULL);
  g_autofree char *key = NULL;
  g_autofree char *line = NULL;

  g_assert_true (g_file_get_contents (key_path, &key, NULL, NULL));
  line = g_strdup_printf ("[127.0.0.1]:%u %s", fault_proxy_get_port (proxy), key);
  g_assert_true (g_file_set_contents (known_hosts, line, -1, NULL));

  host->port = fault_proxy_get_port (proxy);
  fleet_host_set_known_hosts_file (host, known_hosts);
  host->connect_timeout_ms = 3000;
  host->keepalive_interval_ms = keepalive_interval_ms;
  host->keepalive_count_max = 2;
}

static FaultProxy *
set_up_plan (Fixture *fixture, guint32 keepalive_interval_ms)
{
  FaultProxy *proxy = fault_proxy_new (GPOINTER_TO_UINT (g_ptr_array_index (shared_sandbox->ports,
                                                                            0)));

  add_hosts (fixture, N_HOSTS, "id_ed25519");
  set_waves (fixture, (const guint[]) { N_HOSTS, 0 });
  set_halt_at (fixture, FLEET_HALT_FAILED_PER_WAVE, "unlimited");
  set_halt_at (fixture, FLEET_HALT_UNREACHABLE_PER_WAVE, "unlimited");
  route_through_proxy (fixture, proxy, keepalive_interval_ms);
  return proxy;
}

/* Return a name unique to this run, for files in the hosts' homes. */
static char *
unique_name (const Fixture *fixture, const char *suffix)
{
  g_autofree char *base = g_path_get_basename (fixture->run_dir);

  return g_strconcat (base, suffix, NULL);
}

/* Return the journal's records for host `index`, one word each:
 * "step-end:2:connection-lost", "host-end:failed", and so on. */
static char *
host_events (const Fixture *fixture, guint index)
{
  g_autofree char *path = g_build_filename (fixture->run_dir, "journal.jsonl", NULL);
  g_autoptr(FleetJournalContents) contents = NULL;
  g_autoptr(GError) error = NULL;
  const FleetHost *host = g_ptr_array_index (fixture->plan->hosts, index);
  GString *events = g_string_new (NULL);

  contents = fleet_journal_read (path, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (contents->warnings->len, ==, 0);

  for (guint i = 0; i < contents->records->len; i++)
    {
      const FleetJournalRecord *record = g_ptr_array_index (contents->records, i);
      gint64 step = fleet_journal_record_get_int (record, "step", 0);
      gint64 before_step = fleet_journal_record_get_int (record, "before_step", 0);
      const char *detail = fleet_journal_record_get_string (record, "error");

      if (g_strcmp0 (fleet_journal_record_get_string (record, "host"), host->name) != 0)
        continue;

      if (events->len > 0)
        g_string_append_c (events, ' ');
      g_string_append (events, record->event);
      if (step > 0 || before_step > 0)
        g_string_append_printf (events, ":%" G_GINT64_FORMAT, step > 0 ? step : before_step);
      if (g_str_equal (record->event, "host-end"))
        detail = fleet_journal_record_get_string (record, "outcome");
      else if (g_str_equal (record->event, "step-end") && detail == NULL)
        detail = "ok";
      if (detail != NULL && !g_str_equal (record->event, "host-connected"))
        g_string_append_printf (events, ":%s", detail);
    }
  return g_string_free (events, FALSE);
}

/* The hosts reached directly run every step once, whatever host 0 does. */
static void
assert_direct_hosts_succeeded (const Fixture *fixture, const char *expected_events)
{
  for (guint i = 1; i < N_HOSTS; i++)
    {
      g_autofree char *events = host_events (fixture, i);

      g_assert_cmpint (host_result (fixture, i)->outcome, ==, FLEET_HOST_SUCCEEDED);
      g_assert_cmpstr (events, ==, expected_events);
    }
}

/* Run a plan whose first step marks that it runs, then sleeps; the proxy
 * applies `kind` once the mark exists on host 0. */
static void
run_with_fault_mid_command (Fixture *fixture, FaultProxy *proxy, FaultKind kind)
{
  g_autofree char *mark = unique_name (fixture, ".running");
  g_autofree char *mark_path = host_home_path (0, mark);
  g_autofree char *command = g_strdup_printf ("touch \"$HOME/%s\"; sleep 8", mark);

  add_step (fixture, "work", command, 60000);
  fault_proxy_set_fault_when_file (proxy, kind, mark_path);
  run_plan (fixture);
  g_assert_true (fault_proxy_fault_started (proxy));
}

/* A connection reset during a command fails that host with
 * connection-lost, not with the step's timeout. */
static void
test_cut_mid_command (Fixture *fixture, gconstpointer data)
{
  g_autoptr(FaultProxy) proxy = NULL;
  g_autofree char *events = NULL;

  if (!require_sandbox_hosts (N_HOSTS))
    return;
  proxy = set_up_plan (fixture, 15000);
  run_with_fault_mid_command (fixture, proxy, FAULT_CUT);

  g_assert_cmpint (host_result (fixture, 0)->outcome, ==, FLEET_HOST_FAILED);
  g_assert_cmpint (host_result (fixture, 0)->failure, ==, FLEET_FAILURE_CONNECTION_LOST);
  g_assert_cmpuint (host_result (fixture, 0)->failed_step, ==, 0);
  g_assert_cmpint (step_result (fixture, 0, 0)->failure, ==, FLEET_FAILURE_CONNECTION_LOST);

  events = host_events (fixture, 0);
  g_assert_cmpstr (events, ==, "host-start host-connected step-start:1 "
                               "step-end:1:connection-lost host-end:failed");
  assert_direct_hosts_succeeded (fixture, "host-start host-connected step-start:1 step-end:1:ok "
                                          "host-end:succeeded");
}

/* A host that stops responding during a command, without closing the
 * connection, is declared lost by the keepalives, not by the timeout. */
static void
test_silent_mid_command (Fixture *fixture, gconstpointer data)
{
  g_autoptr(FaultProxy) proxy = NULL;
  g_autofree char *events = NULL;

  if (!require_sandbox_hosts (N_HOSTS))
    return;
  proxy = set_up_plan (fixture, 1000);
  run_with_fault_mid_command (fixture, proxy, FAULT_SILENT);

  g_assert_cmpint (host_result (fixture, 0)->outcome, ==, FLEET_HOST_FAILED);
  g_assert_cmpint (host_result (fixture, 0)->failure, ==, FLEET_FAILURE_CONNECTION_LOST);
  g_assert_cmpint (step_result (fixture, 0, 0)->failure, ==, FLEET_FAILURE_CONNECTION_LOST);
  g_assert_nonnull (strstr (step_result (fixture, 0, 0)->message, "keepalive"));

  events = host_events (fixture, 0);
  g_assert_cmpstr (events, ==, "host-start host-connected step-start:1 "
                               "step-end:1:connection-lost host-end:failed");
  assert_direct_hosts_succeeded (fixture, "host-start host-connected step-start:1 step-end:1:ok "
                                          "host-end:succeeded");
}

/* A host that accepts TCP and then sends nothing fails at the connect
 * deadline, before any step, and counts as unreachable. */
static void
test_silent_before_login (Fixture *fixture, gconstpointer data)
{
  g_autoptr(FaultProxy) proxy = NULL;
  g_autofree char *events = NULL;

  if (!require_sandbox_hosts (N_HOSTS))
    return;
  proxy = set_up_plan (fixture, 1000);
  fault_proxy_set_fault (proxy, FAULT_SILENT, 0);
  add_step (fixture, "work", "true", 60000);
  run_plan (fixture);

  g_assert_cmpuint (fault_proxy_get_accepted (proxy), >=, 1);
  g_assert_cmpint (host_result (fixture, 0)->outcome, ==, FLEET_HOST_FAILED);
  g_assert_cmpint (host_result (fixture, 0)->failure, ==, FLEET_FAILURE_CONNECTION_TIMEOUT);
  g_assert_cmpuint (host_result (fixture, 0)->failed_step, ==, G_MAXUINT);
  g_assert_false (step_result (fixture, 0, 0)->started);

  events = host_events (fixture, 0);
  g_assert_cmpstr (events, ==, "host-start host-end:failed");
  assert_direct_hosts_succeeded (fixture, "host-start host-connected step-start:1 step-end:1:ok "
                                          "host-end:succeeded");
}

static volatile sig_atomic_t interrupt_level;

/* Interrupt the run, as a first Ctrl-C would, when a host reached directly
 * starts its step. */
static void
interrupt_at_first_step (const FleetHost *host, guint step, gpointer data)
{
  interrupt_level = 1;
}

/* An interrupt gives up a host that is still in its handshake: no step
 * would start on it, so the run does not wait for its connect deadline.
 * The steps already running finish within the grace period. */
static void
test_interrupt_while_connecting (Fixture *fixture, gconstpointer data)
{
  g_autoptr(FaultProxy) proxy = NULL;
  g_autofree char *events = NULL;
  guint succeeded = 0;

  if (!require_sandbox_hosts (N_HOSTS))
    return;
  proxy = set_up_plan (fixture, 1000);
  /* Long enough that waiting for it would show as a connection timeout. */
  ((FleetHost *) g_ptr_array_index (fixture->plan->hosts, 0))->connect_timeout_ms = 120000;
  fault_proxy_set_fault (proxy, FAULT_SILENT, 0);
  add_step (fixture, "work", "sleep 1", 60000);
  interrupt_level = 0;
  fixture->options.interrupt_level = &interrupt_level;
  fixture->options.before_step = interrupt_at_first_step;
  run_plan (fixture);

  g_assert_true (fixture->result->interrupted);
  g_assert_cmpint (host_result (fixture, 0)->outcome, ==, FLEET_HOST_INTERRUPTED);
  g_assert_cmpint (host_result (fixture, 0)->failure, ==, FLEET_FAILURE_INTERRUPTED);
  g_assert_nonnull (strstr (host_result (fixture, 0)->message,
                            "interrupted while the host was connecting, before its first step"));
  g_assert_false (step_result (fixture, 0, 0)->started);
  events = host_events (fixture, 0);
  g_assert_cmpstr (events, ==, "host-start host-end:interrupted");

  /* A direct host whose step had started finishes it; one still logging
   * in is given up like host 0.  The first step start interrupted the run,
   * so at least one host finished its step. */
  for (guint i = 1; i < N_HOSTS; i++)
    {
      const FleetHostResult *host = host_result (fixture, i);

      if (step_result (fixture, i, 0)->started)
        {
          g_assert_cmpint (host->outcome, ==, FLEET_HOST_SUCCEEDED);
          succeeded++;
        }
      else
        {
          g_assert_cmpint (host->outcome, ==, FLEET_HOST_INTERRUPTED);
          g_assert_nonnull (strstr (host->message, "while the host was connecting"));
        }
    }
  g_assert_cmpuint (succeeded, >=, 1);
}

/* Over a slow link every byte of the output arrives; a step whose output
 * cannot arrive within its timeout ends with command-timeout. */
static void
test_slow_link (Fixture *fixture, gconstpointer data)
{
  g_autoptr(FaultProxy) proxy = NULL;
  g_autofree char *events = NULL;

  if (!require_sandbox_hosts (N_HOSTS))
    return;
  proxy = set_up_plan (fixture, 15000);
  fault_proxy_set_fault (proxy, FAULT_SLOW, 64 * 1024);
  add_step (fixture, "output", "head -c 100000 /dev/zero | tr '\\0' x", 60000);
  add_step (fixture, "too-slow", "head -c 400000 /dev/zero | tr '\\0' y", 1000);
  run_plan (fixture);

  g_assert_cmpint (step_result (fixture, 0, 0)->failure, ==, FLEET_FAILURE_NONE);
  g_assert_cmpuint (step_result (fixture, 0, 0)->stdout_bytes, ==, 100000);
  g_assert_cmpint (host_result (fixture, 0)->outcome, ==, FLEET_HOST_FAILED);
  g_assert_cmpint (host_result (fixture, 0)->failure, ==, FLEET_FAILURE_COMMAND_TIMEOUT);
  g_assert_cmpuint (host_result (fixture, 0)->failed_step, ==, 1);

  events = host_events (fixture, 0);
  g_assert_cmpstr (events, ==, "host-start host-connected step-start:1 step-end:1:ok "
                               "step-start:2 step-end:2:command-timeout host-end:failed");
  for (guint i = 1; i < N_HOSTS; i++)
    g_assert_cmpuint (step_result (fixture, i, 1)->stdout_bytes, ==, 400000);
  assert_direct_hosts_succeeded (fixture, "host-start host-connected step-start:1 step-end:1:ok "
                                          "step-start:2 step-end:2:ok host-end:succeeded");
}

typedef struct {
  FaultProxy *proxy;
  const char *host_name;
  gboolean restarted;
} RestartData;

/* Before host 0's second step, drop its connection and restart its sshd,
 * as a package upgrade of OpenSSH does. */
static void
restart_before_second_step (const FleetHost *host, guint step, gpointer user_data)
{
  RestartData *restart = user_data;

  if (step != 1 || strcmp (host->name, restart->host_name) != 0 || restart->restarted)
    return;

  restart->restarted = TRUE;
  fault_proxy_set_fault (restart->proxy, FAULT_CUT, 0);
  fleet_sandbox_control (shared_sandbox, "stop", 0);
  fleet_sandbox_control (shared_sandbox, "start", 0);
  fault_proxy_set_fault (restart->proxy, FAULT_NONE, 0);
}

/* An sshd restart between two steps costs one reconnect, which the journal
 * records, and no step runs twice. */
static void
test_sshd_restart_between_steps (Fixture *fixture, gconstpointer data)
{
  g_autoptr(FaultProxy) proxy = NULL;
  g_autofree char *events = NULL;
  g_autofree char *log = NULL;
  g_autofree char *log_path = NULL;
  g_autofree char *first = NULL;
  g_autofree char *second = NULL;
  g_autofree char *text = NULL;
  g_autofree char *host_name = NULL;
  RestartData restart = { 0 };

  if (!require_sandbox_hosts (N_HOSTS))
    return;
  proxy = set_up_plan (fixture, 15000);
  log = unique_name (fixture, ".log");
  log_path = host_home_path (0, log);
  first = g_strdup_printf ("echo first >> \"$HOME/%s\"", log);
  second = g_strdup_printf ("echo second >> \"$HOME/%s\"", log);
  add_step (fixture, "first", first, 60000);
  add_step (fixture, "second", second, 60000);

  host_name = fleet_sandbox_host_name (shared_sandbox, 0);
  restart = (RestartData) { proxy, host_name, FALSE };
  fixture->options.before_step = restart_before_second_step;
  fixture->options.observer_data = &restart;
  run_plan (fixture);

  g_assert_true (restart.restarted);
  g_assert_cmpint (host_result (fixture, 0)->outcome, ==, FLEET_HOST_SUCCEEDED);
  g_assert_true (g_file_get_contents (log_path, &text, NULL, NULL));
  g_assert_cmpstr (text, ==, "first\nsecond\n");

  events = host_events (fixture, 0);
  g_assert_cmpstr (events, ==, "host-start host-connected step-start:1 step-end:1:ok "
                               "host-reconnect:2:connection-lost host-connected step-start:2 "
                               "step-end:2:ok host-end:succeeded");
  assert_direct_hosts_succeeded (fixture, "host-start host-connected step-start:1 step-end:1:ok "
                                          "step-start:2 step-end:2:ok host-end:succeeded");
}

int
main (int argc, char **argv)
{
  int status;

  g_test_init (&argc, &argv, NULL);

#define ADD(path, func) \
  g_test_add (path, Fixture, NULL, fixture_set_up, func, fixture_tear_down)

  ADD ("/faults/cut-mid-command", test_cut_mid_command);
  ADD ("/faults/silent-mid-command", test_silent_mid_command);
  ADD ("/faults/silent-before-login", test_silent_before_login);
  ADD ("/faults/interrupt-while-connecting", test_interrupt_while_connecting);
  ADD ("/faults/slow-link", test_slow_link);
  ADD ("/faults/sshd-restart-between-steps", test_sshd_restart_between_steps);

  status = g_test_run ();
  release_sandbox ();
  return status;
}
