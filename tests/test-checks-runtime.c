/* test-checks-runtime.c: checks, gates and rollback between waves, against
 * the sandbox fleet, a local HTTP server and a test clock that moves
 * instead of sleeping. */
#include <string.h>

#include <gio/gio.h>
#include <glib/gstdio.h>

#include "runtime/fleet-check-run.h"
#include "runtime/fleet-journal-read.h"
#include "runtime/fleet-report.h"
#include "runtime/fleet-rollback-run.h"
#include "runtime/fleet-wave-wait.h"
#include "tests/runtime-fixture.h"

/* The test needs no more servers than this. */
#define CHECK_HOSTS 3

/* A clock that runs with real time plus an offset that each sleep adds
 * to, so that pauses and retry intervals take no real time.  The first
 * sleep can answer an approval gate, as another terminal would. */
typedef struct {
  FleetClock clock;
  gint64 offset_us;
  guint sleeps;
  const char *answer;            /* "continue", "abort" or NULL */
  const char *run_dir;
} TestClock;

static gint64
test_monotonic_us (const FleetClock *clock)
{
  return g_get_monotonic_time () + ((TestClock *) clock->data)->offset_us;
}

static gint64
test_wall_us (const FleetClock *clock)
{
  return g_get_real_time () + ((TestClock *) clock->data)->offset_us;
}

static void
test_sleep (gint64 duration_us, gpointer data)
{
  TestClock *clock = data;
  g_autoptr(GError) error = NULL;

  clock->offset_us += duration_us;
  clock->sleeps++;
  if (clock->answer != NULL && clock->sleeps == 1)
    {
      g_assert_true (fleet_approval_write (clock->run_dir, clock->answer, "tester", &error));
      g_assert_no_error (error);
    }
}

static void
use_test_clock (Fixture *fixture, TestClock *clock)
{
  clock->clock.monotonic_us = test_monotonic_us;
  clock->clock.wall_us = test_wall_us;
  clock->clock.data = clock;
  clock->run_dir = fixture->run_dir;
  fixture->options.clock = &clock->clock;
  fixture->options.sleep = test_sleep;
  fixture->options.sleep_data = clock;
}

/* A minimal HTTP/1.0 server on 127.0.0.1 for the HTTP checks:
 *   /ok                  200 "all good"
 *   /down                503 "maintenance"
 *   /alerts?host=NAME    200 "firing" for host02, else "none"
 *   /flaky               500 on the first request, then 200 "recovered"
 */
typedef struct {
  GSocket *socket;
  guint16 port;
  GThread *thread;
  gint stop;
  gint flaky_requests;
} HttpServer;

static void
http_respond (GSocket *client, HttpServer *server)
{
  char request[4096] = "";
  gssize length = g_socket_receive (client, request, sizeof request - 1, NULL, NULL);
  g_autofree char *path = NULL;
  g_autofree char *response = NULL;
  const char *body = "not found";
  int status = 404;
  char *end;

  if (length <= 0 || !g_str_has_prefix (request, "GET "))
    return;
  request[length] = '\0';
  end = strchr (request + 4, ' ');
  path = g_strndup (request + 4, end != NULL ? (gsize) (end - request - 4) : 0);

  if (g_str_equal (path, "/ok"))
    status = 200, body = "all good\n";
  else if (g_str_equal (path, "/down"))
    status = 503, body = "maintenance\n";
  else if (g_str_has_prefix (path, "/alerts?host="))
    status = 200, body = g_str_equal (path, "/alerts?host=host02") ? "firing\n" : "none\n";
  else if (g_str_equal (path, "/flaky"))
    {
      gboolean first = g_atomic_int_add (&server->flaky_requests, 1) == 0;

      status = first ? 500 : 200;
      body = first ? "starting\n" : "recovered\n";
    }

  response = g_strdup_printf ("HTTP/1.0 %d X\r\nContent-Length: %zu\r\nConnection: close\r\n\r\n%s",
                              status, strlen (body), body);
  g_socket_send_with_blocking (client, response, strlen (response), TRUE, NULL, NULL);
}

static gpointer
http_serve (gpointer data)
{
  HttpServer *server = data;

  while (!g_atomic_int_get (&server->stop))
    {
      g_autoptr(GSocket) client = NULL;

      if (!g_socket_condition_timed_wait (server->socket, G_IO_IN, 100000, NULL, NULL))
        continue;
      client = g_socket_accept (server->socket, NULL, NULL);
      if (client == NULL)
        continue;
      g_socket_set_blocking (client, TRUE);
      http_respond (client, server);
      g_socket_close (client, NULL);
    }
  return NULL;
}

static HttpServer *
http_server_start (void)
{
  HttpServer *server = g_new0 (HttpServer, 1);
  g_autoptr(GInetAddress) loopback = g_inet_address_new_loopback (G_SOCKET_FAMILY_IPV4);
  g_autoptr(GSocketAddress) address = g_inet_socket_address_new (loopback, 0);
  g_autoptr(GSocketAddress) bound = NULL;
  g_autoptr(GError) error = NULL;

  server->socket = g_socket_new (G_SOCKET_FAMILY_IPV4, G_SOCKET_TYPE_STREAM,
                                 G_SOCKET_PROTOCOL_TCP, &error);
  g_assert_no_error (error);
  g_assert_true (g_socket_bind (server->socket, address, TRUE, &error));
  g_assert_true (g_socket_listen (server->socket, &error));
  bound = g_socket_get_local_address (server->socket, &error);
  g_assert_no_error (error);
  server->port = g_inet_socket_address_get_port (G_INET_SOCKET_ADDRESS (bound));
  g_socket_set_blocking (server->socket, FALSE);
  server->thread = g_thread_new ("http-server", http_serve, server);
  return server;
}

static void
http_server_stop (HttpServer *server)
{
  g_atomic_int_set (&server->stop, 1);
  g_thread_join (server->thread);
  g_socket_close (server->socket, NULL);
  g_object_unref (server->socket);
  g_free (server);
}

G_DEFINE_AUTOPTR_CLEANUP_FUNC (HttpServer, http_server_stop)

static char *
server_url (const HttpServer *server, const char *path)
{
  return g_strdup_printf ("http://127.0.0.1:%u%s", server->port, path);
}

/* Plan helpers */

/* Hosts 0 .. CHECK_HOSTS-1 in waves of 1 and 2, one step that succeeds. */
static void
two_waves (Fixture *fixture)
{
  static const guint sizes[] = { 1, 2, 0 };

  add_hosts (fixture, CHECK_HOSTS, "id_ed25519");
  add_step (fixture, "work", "echo worked", 10000);
  set_waves (fixture, sizes);
}

static FleetCheck *
add_check (Fixture *fixture, const char *name, FleetCheckKind kind)
{
  FleetCheck *check = fleet_check_new (name, kind);

  check->timeout_ms = 10000;
  g_ptr_array_add (fixture->plan->checks, check);
  return check;
}

/* Return the journal records of `event`, as parsed tables. */
static GPtrArray *
journal_records (const Fixture *fixture, const char *event)
{
  g_autofree char *journal = read_run_file (fixture, "journal.jsonl");
  g_auto(GStrv) lines = g_strsplit (journal, "\n", -1);
  GPtrArray *records = g_ptr_array_new_with_free_func ((GDestroyNotify) g_hash_table_unref);

  for (char **line = lines; *line != NULL; line++)
    {
      GHashTable *record = fleet_journal_parse_line (*line);

      if (record != NULL && g_strcmp0 (g_hash_table_lookup (record, "event"), event) == 0)
        g_ptr_array_add (records, record);
      else if (record != NULL)
        g_hash_table_unref (record);
    }
  return records;
}

static const char *
field (GPtrArray *records, guint index, const char *name)
{
  g_assert_cmpuint (index, <, records->len);
  return g_hash_table_lookup (g_ptr_array_index (records, index), name);
}

static void
assert_outcome (const Fixture *fixture, guint host, FleetHostOutcome outcome)
{
  g_assert_cmpint (host_result (fixture, host)->outcome, ==, outcome);
}

/* Host checks */

static void
test_host_check_passes (Fixture *fixture, gconstpointer data)
{
  FleetCheck *check;
  g_autoptr(GPtrArray) ends = NULL;

  if (!require_sandbox_hosts (CHECK_HOSTS))
    return;
  two_waves (fixture);
  check = add_check (fixture, "healthy", FLEET_CHECK_HOST);
  check->command = g_strdup ("echo \"service on $FLEET_HOST is healthy\"");
  check->expect_match = g_strdup ("^service on host0[1-3] is healthy$");
  run_plan (fixture);

  g_assert_cmpuint (fixture->result->check_failures->len, ==, 0);
  g_assert_null (fixture->result->stop_reason);
  g_assert_cmpint (fleet_run_result_exit_status (fixture->result), ==, 0);
  ends = journal_records (fixture, "check-end");
  g_assert_cmpuint (ends->len, ==, 2);
  g_assert_cmpstr (field (ends, 0, "passed"), ==, "true");
  g_assert_cmpstr (field (ends, 1, "wave"), ==, "2");
}

/* A failed halting check after the first wave keeps the second from
 * starting, and the summary names the check, the host and the output. */
static void
test_host_check_halts (Fixture *fixture, gconstpointer data)
{
  FleetCheck *check;
  const FleetCheckFailure *failure;
  g_autofree char *summary = NULL;

  if (!require_sandbox_hosts (CHECK_HOSTS))
    return;
  two_waves (fixture);
  check = add_check (fixture, "config valid", FLEET_CHECK_HOST);
  check->command = g_strdup ("echo 'syntax error at line 3' >&2; exit 4");
  run_plan (fixture);

  assert_outcome (fixture, 0, FLEET_HOST_SUCCEEDED);
  assert_outcome (fixture, 1, FLEET_HOST_NOT_RUN);
  assert_outcome (fixture, 2, FLEET_HOST_NOT_RUN);
  g_assert_cmpuint (fixture->result->waves_run, ==, 1);
  g_assert_cmpstr (fixture->result->stop_reason, ==, "check \"config valid\" failed on host01");
  g_assert_cmpuint (fixture->result->stop_wave, ==, 0);
  g_assert_cmpint (fleet_run_result_exit_status (fixture->result), ==, 1);

  g_assert_cmpuint (fixture->result->check_failures->len, ==, 1);
  failure = g_ptr_array_index (fixture->result->check_failures, 0);
  g_assert_cmpstr (failure->host, ==, "host01");
  g_assert_cmpstr (failure->reason, ==, "\"config valid\" exited with status 4, expected 0; "
                                        "stderr: syntax error at line 3");

  summary = fleet_report_format_summary (fixture->plan, fixture->result, fixture->run_dir);
  g_test_message ("%s", summary);
  g_assert_nonnull (strstr (summary, "\nChecks that failed:\n  wave 1  \"config valid\" on host01 "
                                     "after 1 try (halts the run): \"config valid\" exited with "
                                     "status 4"));
  g_assert_nonnull (strstr (summary, "The run stopped after wave 1: check \"config valid\" "
                                     "failed on host01; later waves did not start.\n"));
}

/* The retry waits 10 minutes by the test clock, which a real sleep would
 * not finish within the test's timeout. */
static void
test_host_check_retries (Fixture *fixture, gconstpointer data)
{
  TestClock clock = { 0 };
  FleetCheck *check;
  g_autoptr(GPtrArray) tries = NULL;

  if (!require_sandbox_hosts (CHECK_HOSTS))
    return;
  use_test_clock (fixture, &clock);
  two_waves (fixture);
  check = add_check (fixture, "warms up", FLEET_CHECK_HOST);
  check->command = g_strdup ("if [ -e \"$HOME/warm\" ]; then echo ready; "
                             "else touch \"$HOME/warm\"; echo cold; fi");
  check->expect_contains = g_strdup ("ready");
  check->retries = 2;
  check->interval_ms = 10 * 60 * 1000;
  check->bake_ms = 60 * 1000;
  run_plan (fixture);

  for (guint i = 0; i < CHECK_HOSTS; i++)
    {
      g_autofree char *marker = host_home_path (i, "warm");
      g_unlink (marker);
    }

  g_assert_cmpuint (fixture->result->check_failures->len, ==, 0);
  tries = journal_records (fixture, "check-try");
  g_assert_cmpuint (tries->len, ==, 6);
  g_assert_cmpstr (field (tries, 0, "passed"), ==, "false");
  g_assert_cmpstr (field (tries, 0, "reason"), ==,
                   "standard output does not contain \"ready\"; it ends: cold");
  g_assert_cmpstr (field (tries, 1, "try"), ==, "2");
  g_assert_cmpstr (field (tries, 1, "passed"), ==, "true");
  /* Two bakes and two intervals went through the test clock; the real
   * time that passed meanwhile counts toward each wait, hence the margin. */
  g_assert_cmpint (clock.offset_us, >, 2 * (60 + 600 - 10) * G_USEC_PER_SEC);
}

/* fail_hosts fails only the host the check failed on, and the default
 * failed_per_wave of 1 then halts the run. */
static void
test_fail_hosts (Fixture *fixture, gconstpointer data)
{
  static const guint sizes[] = { 2, 1, 0 };
  g_autofree char *flag = NULL;
  g_autoptr(GPtrArray) failed = NULL;
  FleetCheck *check;

  if (!require_sandbox_hosts (CHECK_HOSTS))
    return;
  add_hosts (fixture, CHECK_HOSTS, "id_ed25519");
  add_step (fixture, "work", "true", 10000);
  set_waves (fixture, sizes);
  check = add_check (fixture, "no flag", FLEET_CHECK_HOST);
  check->command = g_strdup ("test ! -e \"$HOME/bad-flag\"");
  check->on_fail = FLEET_CHECK_ON_FAIL_FAIL_HOSTS;
  flag = host_home_path (1, "bad-flag");
  g_assert_true (g_file_set_contents (flag, "", 0, NULL));
  run_plan (fixture);
  g_unlink (flag);

  assert_outcome (fixture, 0, FLEET_HOST_SUCCEEDED);
  assert_outcome (fixture, 1, FLEET_HOST_FAILED);
  assert_outcome (fixture, 2, FLEET_HOST_NOT_RUN);
  g_assert_nonnull (strstr (host_result (fixture, 1)->message, "check \"no flag\" failed: "));
  g_assert_true (fixture->result->halted);
  g_assert_null (fixture->result->stop_reason);
  failed = journal_records (fixture, "host-failed");
  g_assert_cmpuint (failed->len, ==, 1);
  g_assert_cmpstr (field (failed, 0, "host"), ==, "host02");
}

/* `sample` checks only the first hosts of the wave. */
static void
test_host_check_sample (Fixture *fixture, gconstpointer data)
{
  static const guint sizes[] = { 3, 0 };
  g_autoptr(GPtrArray) tries = NULL;
  FleetCheck *check;

  if (!require_sandbox_hosts (CHECK_HOSTS))
    return;
  add_hosts (fixture, CHECK_HOSTS, "id_ed25519");
  add_step (fixture, "work", "true", 10000);
  set_waves (fixture, sizes);
  check = add_check (fixture, "sampled", FLEET_CHECK_HOST);
  check->command = g_strdup ("true");
  check->sample = 2;
  run_plan (fixture);

  tries = journal_records (fixture, "check-try");
  g_assert_cmpuint (tries->len, ==, 2);
}

/* Local checks */

static void
test_local_check_environment (Fixture *fixture, gconstpointer data)
{
  FleetCheck *check;

  if (!require_sandbox_hosts (CHECK_HOSTS))
    return;
  two_waves (fixture);
  check = add_check (fixture, "lb pool", FLEET_CHECK_LOCAL);
  g_ptr_array_add (check->argv, g_strdup ("test \"$FLEET_RUN_ID $FLEET_WAVE $FLEET_CHECK\" = "
                                          "\"test-run 1 lb pool\" && "
                                          "test \"$FLEET_WAVE_HOSTS\" = host01"));
  check->shell = TRUE;
  run_plan (fixture);

  /* The second wave has other hosts, so the same check fails there. */
  g_assert_cmpuint (fixture->result->check_failures->len, ==, 1);
  g_assert_cmpuint (((FleetCheckFailure *) g_ptr_array_index (fixture->result->check_failures,
                                                              0))->wave, ==, 1);
  g_assert_cmpstr (fixture->result->stop_reason, ==, "check \"lb pool\" failed");
  g_assert_cmpint (fleet_run_result_exit_status (fixture->result), ==, 1);
}

/* Without a shell, arguments reach the program as they are. */
static void
test_local_check_argv (Fixture *fixture, gconstpointer data)
{
  FleetCheck *check;

  if (!require_sandbox_hosts (CHECK_HOSTS))
    return;
  two_waves (fixture);
  check = add_check (fixture, "argv", FLEET_CHECK_LOCAL);
  /* A bare program name is found on the controller's PATH, as for a local
   * step. */
  g_ptr_array_add (check->argv, g_strdup ("echo"));
  g_ptr_array_add (check->argv, g_strdup ("$HOME; not expanded"));
  check->expect_contains = g_strdup ("$HOME; not expanded");
  run_plan (fixture);

  g_assert_cmpuint (fixture->result->check_failures->len, ==, 0);
}

static void
test_local_check_timeout (Fixture *fixture, gconstpointer data)
{
  FleetCheck *check;
  const FleetCheckFailure *failure;

  if (!require_sandbox_hosts (CHECK_HOSTS))
    return;
  two_waves (fixture);
  check = add_check (fixture, "hangs", FLEET_CHECK_LOCAL);
  g_ptr_array_add (check->argv, g_strdup ("/bin/sleep"));
  g_ptr_array_add (check->argv, g_strdup ("30"));
  check->timeout_ms = 200;
  run_plan (fixture);

  g_assert_cmpuint (fixture->result->check_failures->len, ==, 1);
  failure = g_ptr_array_index (fixture->result->check_failures, 0);
  g_assert_cmpstr (failure->reason, ==, "timed out after 200 ms");
  g_assert_null (failure->host);
}

/* HTTP checks */

static void
test_http_status_and_body (Fixture *fixture, gconstpointer data)
{
  g_autoptr(HttpServer) server = http_server_start ();
  FleetCheck *ok, *down;
  const FleetCheckFailure *failure;
  g_autofree char *down_url = server_url (server, "/down");

  if (!require_sandbox_hosts (CHECK_HOSTS))
    return;
  two_waves (fixture);
  ok = add_check (fixture, "ok", FLEET_CHECK_HTTP);
  ok->url = server_url (server, "/ok");
  ok->expect_match = g_strdup ("^all good$");
  down = add_check (fixture, "down", FLEET_CHECK_HTTP);
  down->url = g_strdup (down_url);
  run_plan (fixture);

  g_assert_cmpuint (fixture->result->check_failures->len, ==, 1);
  failure = g_ptr_array_index (fixture->result->check_failures, 0);
  g_assert_cmpstr (failure->check->name, ==, "down");
  g_assert_true (g_str_has_prefix (failure->reason, "GET "));
  g_assert_nonnull (strstr (failure->reason, "/down returned status 503, expected 200; "
                                             "body: maintenance"));
  assert_outcome (fixture, 1, FLEET_HOST_NOT_RUN);
}

/* A URL with a reference is requested per host, URL-encoded, and
 * fail_hosts fails just the host whose alert fires. */
static void
test_http_per_host (Fixture *fixture, gconstpointer data)
{
  static const guint sizes[] = { 3, 0 };
  g_autoptr(HttpServer) server = http_server_start ();
  g_autoptr(GPtrArray) tries = NULL;
  FleetCheck *check;

  if (!require_sandbox_hosts (CHECK_HOSTS))
    return;
  add_hosts (fixture, CHECK_HOSTS, "id_ed25519");
  add_step (fixture, "work", "true", 10000);
  set_waves (fixture, sizes);
  set_halt_at (fixture, FLEET_HALT_FAILED_PER_WAVE, "unlimited");
  check = add_check (fixture, "alerts", FLEET_CHECK_HTTP);
  check->url = g_strdup_printf ("http://127.0.0.1:%u/alerts?host={{ name }}", server->port);
  check->expect_match = g_strdup ("^none$");
  check->on_fail = FLEET_CHECK_ON_FAIL_FAIL_HOSTS;
  run_plan (fixture);

  assert_outcome (fixture, 0, FLEET_HOST_SUCCEEDED);
  assert_outcome (fixture, 1, FLEET_HOST_FAILED);
  assert_outcome (fixture, 2, FLEET_HOST_SUCCEEDED);
  g_assert_false (fixture->result->halted);
  tries = journal_records (fixture, "check-try");
  g_assert_cmpuint (tries->len, ==, 3);
}

static void
test_http_retry_recovers (Fixture *fixture, gconstpointer data)
{
  g_autoptr(HttpServer) server = http_server_start ();
  TestClock clock = { 0 };
  FleetCheck *check;

  if (!require_sandbox_hosts (CHECK_HOSTS))
    return;
  use_test_clock (fixture, &clock);
  two_waves (fixture);
  check = add_check (fixture, "flaky", FLEET_CHECK_HTTP);
  check->url = server_url (server, "/flaky");
  check->retries = 1;
  run_plan (fixture);

  g_assert_cmpuint (fixture->result->check_failures->len, ==, 0);
  g_assert_cmpint (g_atomic_int_get (&server->flaky_requests), ==, 3);
}

/* Nothing listens on port 9 of the loopback address in the test. */
static void
test_http_no_response (Fixture *fixture, gconstpointer data)
{
  FleetCheck *check;
  const FleetCheckFailure *failure;

  if (!require_sandbox_hosts (CHECK_HOSTS))
    return;
  two_waves (fixture);
  check = add_check (fixture, "gone", FLEET_CHECK_HTTP);
  check->url = g_strdup ("http://127.0.0.1:9/");
  run_plan (fixture);

  failure = g_ptr_array_index (fixture->result->check_failures, 0);
  g_assert_true (g_str_has_prefix (failure->reason, "GET http://127.0.0.1:9/ failed: "));
}

/* Gates */

static void
test_pause_uses_clock (Fixture *fixture, gconstpointer data)
{
  TestClock clock = { 0 };
  g_autoptr(GPtrArray) ends = NULL;

  if (!require_sandbox_hosts (CHECK_HOSTS))
    return;
  use_test_clock (fixture, &clock);
  two_waves (fixture);
  fixture->plan->between_waves.pause_ms = 3600 * 1000;
  run_plan (fixture);

  assert_outcome (fixture, 2, FLEET_HOST_SUCCEEDED);
  ends = journal_records (fixture, "gate-end");
  g_assert_cmpuint (ends->len, ==, 1);
  g_assert_cmpstr (field (ends, 0, "outcome"), ==, "passed");
  g_assert_cmpint (g_ascii_strtoll (field (ends, 0, "waited_ms"), NULL, 10), >=, 3600 * 1000);
}

static void
test_approval_continue (Fixture *fixture, gconstpointer data)
{
  TestClock clock = { .answer = "continue" };
  g_autoptr(GPtrArray) ends = NULL;
  g_autofree char *wait_file = NULL;

  if (!require_sandbox_hosts (CHECK_HOSTS))
    return;
  use_test_clock (fixture, &clock);
  two_waves (fixture);
  fixture->plan->between_waves.approve = TRUE;
  run_plan (fixture);

  assert_outcome (fixture, 2, FLEET_HOST_SUCCEEDED);
  ends = journal_records (fixture, "gate-end");
  g_assert_cmpstr (field (ends, 0, "decision"), ==, "continue");
  g_assert_cmpstr (field (ends, 0, "approver"), ==, "tester");
  wait_file = g_build_filename (fixture->run_dir, "approval-wait", NULL);
  g_assert_false (g_file_test (wait_file, G_FILE_TEST_EXISTS));
}

static void
test_approval_abort (Fixture *fixture, gconstpointer data)
{
  TestClock clock = { .answer = "abort" };

  if (!require_sandbox_hosts (CHECK_HOSTS))
    return;
  use_test_clock (fixture, &clock);
  two_waves (fixture);
  fixture->plan->between_waves.approve = TRUE;
  run_plan (fixture);

  assert_outcome (fixture, 1, FLEET_HOST_NOT_RUN);
  g_assert_cmpstr (fixture->result->stop_reason, ==, "aborted after wave 1 by tester");
  g_assert_cmpint (fleet_run_result_exit_status (fixture->result), ==, 1);
}

static void
test_approval_timeout (Fixture *fixture, gconstpointer data)
{
  const FleetGateOnTimeout cases[] = { FLEET_GATE_ON_TIMEOUT_HALT,
                                       FLEET_GATE_ON_TIMEOUT_CONTINUE };

  if (!require_sandbox_hosts (CHECK_HOSTS))
    return;

  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      TestClock clock = { 0 };
      g_autoptr(GPtrArray) ends = NULL;

      fixture_reset (fixture);
      use_test_clock (fixture, &clock);
      two_waves (fixture);
      fixture->plan->between_waves.approve = TRUE;
      fixture->plan->between_waves.approve_timeout_ms = 2 * 3600 * 1000;
      fixture->plan->between_waves.on_timeout = cases[i];
      run_plan (fixture);

      ends = journal_records (fixture, "gate-end");
      g_assert_cmpstr (field (ends, 0, "decision"), ==, "timeout");
      if (cases[i] == FLEET_GATE_ON_TIMEOUT_HALT)
        {
          assert_outcome (fixture, 1, FLEET_HOST_NOT_RUN);
          g_assert_cmpstr (fixture->result->stop_reason, ==,
                           "no approval within 2h after wave 1");
        }
      else
        {
          assert_outcome (fixture, 1, FLEET_HOST_SUCCEEDED);
          g_assert_null (fixture->result->stop_reason);
        }
    }
}

/* An answer needs a run that waits. */
static void
test_approval_needs_waiting_run (Fixture *fixture, gconstpointer data)
{
  g_autoptr(GError) error = NULL;

  g_assert_false (fleet_approval_write (fixture->run_dir, "continue", "tester", &error));
  g_assert_error (error, G_FILE_ERROR, G_FILE_ERROR_NOENT);
  g_assert_nonnull (strstr (error->message, "is not waiting for an approval"));
}

/* Rollback */

static FleetRollback *
rollback_to_log (void)
{
  FleetRollback *rollback = fleet_rollback_new ();

  g_ptr_array_add (rollback->undo,
                   fleet_rollback_command_new ("first", "echo undo-first >> \"$HOME/rb.log\""));
  g_ptr_array_add (rollback->undo,
                   fleet_rollback_command_new ("second", "echo undo-second >> \"$HOME/rb.log\""));
  g_ptr_array_add (rollback->steps,
                   fleet_rollback_command_new ("final", "echo final >> \"$HOME/rb.log\""));
  return rollback;
}

static char *
take_host_file (guint index, const char *name)
{
  g_autofree char *path = host_home_path (index, name);
  char *contents = NULL;

  if (!g_file_get_contents (path, &contents, NULL, NULL))
    return NULL;
  g_unlink (path);
  return contents;
}

/* A run that halts in its second wave rolls back that wave's hosts on
 * which a step started: the undo commands of the started steps, newest
 * first, then the rollback steps.  The first wave stays as it is. */
static void
test_rollback_on_halt (Fixture *fixture, gconstpointer data)
{
  static const guint sizes[] = { 1, 2, 0 };
  g_autofree char *first_wave = NULL;
  g_autofree char *failed_host = NULL;
  g_autofree char *other_host = NULL;
  g_autofree char *summary = NULL;

  if (!require_sandbox_hosts (CHECK_HOSTS))
    return;
  add_hosts (fixture, CHECK_HOSTS, "id_ed25519");
  add_step (fixture, "first", "true", 10000);
  add_step (fixture, "second", "test \"$FLEET_HOST\" != host02", 10000);
  add_step (fixture, "third", "true", 10000);
  set_waves (fixture, sizes);
  fixture->plan->rollback = rollback_to_log ();
  fixture->plan->rollback->on_halt = TRUE;
  run_plan (fixture);

  first_wave = take_host_file (0, "rb.log");
  failed_host = take_host_file (1, "rb.log");
  other_host = take_host_file (2, "rb.log");

  g_assert_true (fixture->result->halted);
  g_assert_null (first_wave);
  g_assert_cmpstr (failed_host, ==, "undo-second\nundo-first\nfinal\n");
  g_assert_cmpstr (other_host, ==, "undo-second\nundo-first\nfinal\n");
  g_assert_nonnull (fixture->result->rollback);
  g_assert_cmpuint (fixture->result->rollback->len, ==, 2);

  /* The summary tells the rolled-back hosts from those that stayed
   * changed: host03 succeeded but is no longer "ok". */
  summary = fleet_report_format_summary (fixture->plan, fixture->result, fixture->run_dir);
  g_test_message ("%s", summary);
  g_assert_nonnull (strstr (summary, "wave 2: 2 hosts, 0 succeeded, 1 failed, 1 succeeded and "
                                     "rolled back in "));
  g_assert_nonnull (strstr (summary, "\n  host03     2  rolled back  "));
  g_assert_null (strstr (summary, "\n  host03     2  ok "));
  g_assert_nonnull (strstr (summary, "\n  host01     1  ok "));
  g_assert_true (g_regex_match_simple ("\n  host02     2  FAILED .*; rolled back", summary,
                                       0, 0));
  g_assert_nonnull (strstr (summary, "\n1 of 3 hosts succeeded, 1 succeeded and then rolled "
                                     "back, 1 failed in "));
}

/* Without on_halt, nothing is rolled back, and a later rollback reads the
 * started steps from the journal, newest wave first. */
static void
test_rollback_from_journal (Fixture *fixture, gconstpointer data)
{
  static const guint sizes[] = { 1, 2, 0 };
  g_autofree char *journal_path = NULL;
  g_autofree char *rollback_dir = NULL;
  g_autofree char *rollback_journal = NULL;
  g_autoptr(GPtrArray) targets = NULL;
  g_autoptr(GPtrArray) results = NULL;
  g_autoptr(FleetSshContext) ssh = fleet_ssh_context_new ();
  g_autoptr(FleetJournal) journal = NULL;
  g_autoptr(GError) error = NULL;
  FleetRollbackRun run = { NULL };

  if (!require_sandbox_hosts (CHECK_HOSTS))
    return;
  add_hosts (fixture, CHECK_HOSTS, "id_ed25519");
  add_step (fixture, "first", "true", 10000);
  add_step (fixture, "second", "test \"$FLEET_HOST\" != host03", 10000);
  set_waves (fixture, sizes);
  set_halt_at (fixture, FLEET_HALT_FAILED_PER_WAVE, "unlimited");
  fixture->plan->rollback = rollback_to_log ();
  fixture->plan->file_sha256 = g_strdup ("not-serialized");
  run_plan (fixture);
  g_assert_null (fixture->result->rollback);

  journal_path = g_build_filename (fixture->run_dir, "journal.jsonl", NULL);
  targets = fleet_rollback_targets_from_journal (fixture->plan->hosts, "not-serialized",
                                                 journal_path, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (targets->len, ==, 3);
  g_assert_cmpuint (((FleetRollbackTarget *) g_ptr_array_index (targets, 2))->wave, ==, 1);
  g_assert_cmpuint (((FleetRollbackTarget *) g_ptr_array_index (targets, 2))->started_steps->len,
                    ==, 2);

  rollback_dir = g_dir_make_tmp ("fleet-rollback-XXXXXX", &error);
  g_assert_no_error (error);
  rollback_journal = g_build_filename (rollback_dir, "journal.jsonl", NULL);
  journal = fleet_journal_create (rollback_journal, &error);
  g_assert_no_error (error);
  run = (FleetRollbackRun) { fixture->plan, journal, ssh, fleet_clock_system (), NULL };
  results = fleet_rollback_run (&run, targets, "test");

  g_assert_cmpuint (results->len, ==, 3);
  g_assert_cmpstr (((FleetRollbackHostResult *) g_ptr_array_index (results, 0))->host, ==,
                   "host02");
  g_assert_cmpstr (((FleetRollbackHostResult *) g_ptr_array_index (results, 2))->host, ==,
                   "host01");
  for (guint i = 0; i < CHECK_HOSTS; i++)
    {
      g_autofree char *log = take_host_file (i, "rb.log");

      g_assert_cmpstr (log, ==, "undo-second\nundo-first\nfinal\n");
    }

  g_clear_pointer (&journal, fleet_journal_close);
  g_unlink (rollback_journal);
  g_rmdir (rollback_dir);
}

/* A journal of another plan is rejected. */
static void
test_rollback_other_plan (Fixture *fixture, gconstpointer data)
{
  g_autofree char *path = g_build_filename (fixture->run_dir, "journal.jsonl", NULL);
  g_autoptr(GError) error = NULL;
  g_autoptr(GPtrArray) targets = NULL;

  g_assert_true (g_file_set_contents (path, "{\"event\":\"run-start\",\"plan_sha256\":\"aa\"}\n",
                                      -1, NULL));
  targets = fleet_rollback_targets_from_journal (fixture->plan->hosts, "bb", path, &error);
  g_assert_null (targets);
  g_assert_nonnull (strstr (error->message, "records plan sha256 aa, but this plan is bb"));
}

static void
test_journal_line_parse (void)
{
  g_autoptr(GHashTable) record = fleet_journal_parse_line (
    "{\"event\":\"step-start\",\"host\":\"h\\u00e9\\\"x\",\"step\":2,\"nested\":{\"a\":[1,\"}\"]},"
    "\"ok\":true,\"none\":null}");

  g_assert_nonnull (record);
  g_assert_cmpstr (g_hash_table_lookup (record, "host"), ==, "h\xc3\xa9\"x");
  g_assert_cmpstr (g_hash_table_lookup (record, "step"), ==, "2");
  g_assert_cmpstr (g_hash_table_lookup (record, "ok"), ==, "true");
  g_assert_false (g_hash_table_contains (record, "nested"));
  g_assert_false (g_hash_table_contains (record, "none"));
  g_assert_null (fleet_journal_parse_line ("not json"));
  g_assert_null (fleet_journal_parse_line ("{\"unterminated"));
}

int
main (int argc, char **argv)
{
  int status;

  g_test_init (&argc, &argv, NULL);

#define ADD(path, func) \
  g_test_add (path, Fixture, NULL, fixture_set_up, func, fixture_tear_down)

  ADD ("/checks-runtime/host-check-passes", test_host_check_passes);
  ADD ("/checks-runtime/host-check-halts", test_host_check_halts);
  ADD ("/checks-runtime/host-check-retries", test_host_check_retries);
  ADD ("/checks-runtime/fail-hosts", test_fail_hosts);
  ADD ("/checks-runtime/host-check-sample", test_host_check_sample);
  ADD ("/checks-runtime/local-environment", test_local_check_environment);
  ADD ("/checks-runtime/local-argv", test_local_check_argv);
  ADD ("/checks-runtime/local-timeout", test_local_check_timeout);
  ADD ("/checks-runtime/http-status-body", test_http_status_and_body);
  ADD ("/checks-runtime/http-per-host", test_http_per_host);
  ADD ("/checks-runtime/http-retry", test_http_retry_recovers);
  ADD ("/checks-runtime/http-no-response", test_http_no_response);
  ADD ("/checks-runtime/pause-uses-clock", test_pause_uses_clock);
  ADD ("/checks-runtime/approval-continue", test_approval_continue);
  ADD ("/checks-runtime/approval-abort", test_approval_abort);
  ADD ("/checks-runtime/approval-timeout", test_approval_timeout);
  ADD ("/checks-runtime/approval-needs-wait", test_approval_needs_waiting_run);
  ADD ("/checks-runtime/rollback-on-halt", test_rollback_on_halt);
  ADD ("/checks-runtime/rollback-from-journal", test_rollback_from_journal);
  ADD ("/checks-runtime/rollback-other-plan", test_rollback_other_plan);
  g_test_add_func ("/checks-runtime/journal-line", test_journal_line_parse);
#undef ADD

  status = g_test_run ();
  release_sandbox ();
  return status;
}
