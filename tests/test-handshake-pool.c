/* test-handshake-pool.c: SSH handshakes on worker threads, against the
 * sandbox fleet's real sshd servers.
 *
 * Each test drives connections the way fleet-run's event loop does: the
 * context's descriptors (which include the pool's notifier) and each
 * connection's socket in one poll().
 */
#include <string.h>
#include <unistd.h>

#include <gio/gio.h>
#include <glib/gstdio.h>

#include "runtime/fleet-transport.h"
#include "tests/runtime-fixture.h"

#define POOL_HOSTS 6
#define GIVE_UP_US (120 * G_USEC_PER_SEC)

/* Poll the connections and the context once, then process what is due. */
static void
drive_once (FleetSshContext *context, GPtrArray *connections)
{
  guint n_context = fleet_ssh_context_get_pollfds (context, NULL);
  g_autofree struct pollfd *fds = g_new0 (struct pollfd, connections->len + n_context);
  gint64 now;

  for (guint i = 0; i < connections->len; i++)
    {
      FleetConnection *connection = g_ptr_array_index (connections, i);

      fds[i].fd = fleet_connection_get_fd (connection);
      fds[i].events = fds[i].fd >= 0 ? fleet_connection_get_poll_events (connection) : 0;
    }
  fleet_ssh_context_get_pollfds (context, fds + connections->len);
  g_assert_cmpint (poll (fds, connections->len + n_context, 100), >=, 0);

  now = g_get_monotonic_time ();
  fleet_ssh_context_process (context, now, fds + connections->len, n_context);
  for (guint i = 0; i < connections->len; i++)
    {
      FleetConnection *connection = g_ptr_array_index (connections, i);

      if (fds[i].revents != 0 || now >= fleet_connection_deadline_us (connection))
        fleet_connection_process (connection, now, fds[i].revents);
    }
}

static gboolean
handshakes_ended (GPtrArray *connections)
{
  for (guint i = 0; i < connections->len; i++)
    {
      FleetConnectionState state = fleet_connection_get_state (g_ptr_array_index (connections, i));

      if (state != FLEET_CONNECTION_READY && state != FLEET_CONNECTION_FAILED)
        return FALSE;
    }
  return TRUE;
}

static void
drive_until_ended (FleetSshContext *context, GPtrArray *connections)
{
  gint64 give_up_us = g_get_monotonic_time () + GIVE_UP_US;

  while (!handshakes_ended (connections) && g_get_monotonic_time () < give_up_us)
    drive_once (context, connections);
  g_assert_true (handshakes_ended (connections));
}

static void
append_output (const char *data, gsize length, gboolean is_stderr, gpointer user_data)
{
  g_string_append_len (user_data, data, length);
}

/* Run `command_line` on a READY connection from this thread and return its
 * standard output. */
static char *
run_command (FleetSshContext *context, FleetConnection *connection, const char *command_line)
{
  g_autoptr(GPtrArray) connections = g_ptr_array_new ();
  g_autoptr(GString) output = g_string_new (NULL);
  FleetCommandSpec spec = { .command_line = command_line, .timeout_ms = 60000 };
  FleetCommand *command;
  gint64 give_up_us = g_get_monotonic_time () + GIVE_UP_US;

  g_ptr_array_add (connections, connection);
  command = fleet_command_start (connection, &spec, g_get_monotonic_time (), append_output, output);
  while (!fleet_command_is_done (command) && g_get_monotonic_time () < give_up_us)
    drive_once (context, connections);

  g_assert_true (fleet_command_is_done (command));
  g_assert_cmpint (fleet_command_get_failure (command), ==, FLEET_FAILURE_NONE);
  g_assert_cmpint (fleet_command_get_exit_status (command), ==, 0);
  fleet_command_free (command);
  return g_string_free (g_steal_pointer (&output), FALSE);
}

/* A listening socket on 127.0.0.1 that never accepts: the kernel completes
 * the TCP handshake, and no SSH banner ever comes. */
static GSocket *
silent_listener (guint16 *out_port)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GSocket) socket = g_socket_new (G_SOCKET_FAMILY_IPV4, G_SOCKET_TYPE_STREAM,
                                            G_SOCKET_PROTOCOL_TCP, &error);
  g_autoptr(GInetAddress) loopback = g_inet_address_new_loopback (G_SOCKET_FAMILY_IPV4);
  g_autoptr(GSocketAddress) address = g_inet_socket_address_new (loopback, 0);
  g_autoptr(GSocketAddress) bound = NULL;

  g_assert_no_error (error);
  g_assert_true (g_socket_bind (socket, address, FALSE, &error));
  g_assert_true (g_socket_listen (socket, &error));
  bound = g_socket_get_local_address (socket, &error);
  g_assert_no_error (error);
  *out_port = g_inet_socket_address_get_port (G_INET_SOCKET_ADDRESS (bound));
  return g_steal_pointer (&socket);
}

/* A port on 127.0.0.1 that nothing listens on: bound, then closed. */
static guint16
closed_port (void)
{
  guint16 port;
  g_autoptr(GSocket) socket = silent_listener (&port);

  g_assert_true (g_socket_close (socket, NULL));
  return port;
}

/* Every accessor of a connection a worker drives describes a connection
 * that is still connecting. */
static void
assert_looks_connecting (FleetConnection *connection)
{
  g_assert_cmpint (fleet_connection_get_state (connection), ==, FLEET_CONNECTION_CONNECTING);
  g_assert_cmpint (fleet_connection_get_fd (connection), ==, -1);
  g_assert_cmpint (fleet_connection_get_poll_events (connection), ==, 0);
  g_assert_cmpint (fleet_connection_deadline_us (connection), ==, G_MAXINT64);
  g_assert_cmpint (fleet_connection_get_failure (connection), ==, FLEET_FAILURE_NONE);
  g_assert_null (fleet_connection_get_message (connection));
  g_assert_null (fleet_connection_get_recorded_key (connection));
  g_assert_cmpuint (fleet_connection_get_connect_retries (connection), ==, 0);
  g_assert_false (fleet_connection_has_helpers (connection));
  g_assert_true (fleet_connection_check_idle (connection));
}

/* Hosts connect on two workers; the sessions then run commands on the
 * caller's thread. */
static void
test_pool_connects_hosts (Fixture *fixture, gconstpointer data)
{
  g_autoptr(GPtrArray) hosts = g_ptr_array_new_with_free_func ((GDestroyNotify) fleet_host_free);
  g_autoptr(GPtrArray) connections = g_ptr_array_new ();
  FleetSshContext *context;

  if (!require_sandbox_hosts (POOL_HOSTS))
    return;

  context = fleet_ssh_context_new ();
  fleet_ssh_context_set_handshake_workers (context, 2, fleet_clock_system ());
  for (guint i = 0; i < POOL_HOSTS; i++)
    {
      g_ptr_array_add (hosts, fleet_sandbox_host (shared_sandbox, i, "id_ed25519"));
      g_ptr_array_add (connections, fleet_connection_new (g_ptr_array_index (hosts, i), context));
    }
  for (guint i = 0; i < connections->len; i++)
    {
      FleetConnection *connection = g_ptr_array_index (connections, i);

      fleet_connection_start (connection, g_get_monotonic_time ());
      assert_looks_connecting (connection);
    }

  drive_until_ended (context, connections);

  for (guint i = 0; i < connections->len; i++)
    {
      FleetConnection *connection = g_ptr_array_index (connections, i);
      g_autofree char *output = NULL;

      g_assert_cmpint (fleet_connection_get_state (connection), ==, FLEET_CONNECTION_READY);
      g_assert_cmpint (fleet_connection_get_fd (connection), >=, 0);
      output = run_command (context, connection, "echo pooled");
      g_assert_cmpstr (output, ==, "pooled\n");
    }

  for (guint i = 0; i < connections->len; i++)
    fleet_connection_free (g_ptr_array_index (connections, i));
  fleet_ssh_context_free (context);
}

/* Without polling the context, processing a pooled connection takes back
 * the handshakes that have ended. */
static void
test_process_collects_ended_handshakes (Fixture *fixture, gconstpointer data)
{
  g_autoptr(FleetHost) host = NULL;
  g_autoptr(FleetConnection) connection = NULL;
  g_autofree char *output = NULL;
  FleetSshContext *context;
  gint64 give_up_us = g_get_monotonic_time () + GIVE_UP_US;

  if (!require_sandbox_hosts (POOL_HOSTS))
    return;

  host = fleet_sandbox_host (shared_sandbox, 0, "id_ed25519");
  context = fleet_ssh_context_new ();
  fleet_ssh_context_set_handshake_workers (context, 1, fleet_clock_system ());
  connection = fleet_connection_new (host, context);
  fleet_connection_start (connection, g_get_monotonic_time ());

  while (fleet_connection_get_state (connection) == FLEET_CONNECTION_CONNECTING
         && g_get_monotonic_time () < give_up_us)
    {
      g_usleep (10 * 1000);
      fleet_connection_process (connection, g_get_monotonic_time (), 0);
    }

  g_assert_cmpint (fleet_connection_get_state (connection), ==, FLEET_CONNECTION_READY);
  output = run_command (context, connection, "echo collected");
  g_assert_cmpstr (output, ==, "collected\n");
  g_clear_pointer (&connection, fleet_connection_free);
  fleet_ssh_context_free (context);
}

typedef struct {
  const char *name;
  FleetFailure expected;
} FailureCase;

/* Return a host record that fails as `name` says.  `listener` keeps a
 * silent port open for the "silent" case. */
static FleetHost *
failing_host (const char *name, const char *temp_dir, GSocket **listener)
{
  FleetHost *host = fleet_sandbox_host (shared_sandbox, 1, "id_ed25519");

  if (g_str_equal (name, "refused"))
    {
      host->port = closed_port ();
    }
  else if (g_str_equal (name, "silent"))
    {
      *listener = silent_listener (&host->port);
      host->connect_timeout_ms = 500;
    }
  else if (g_str_equal (name, "unknown-key"))
    {
      g_autofree char *empty = g_build_filename (temp_dir, "known_hosts", NULL);

      g_assert_true (g_file_set_contents (empty, "", 0, NULL));
      g_ptr_array_set_size (host->known_hosts_files, 0);
      g_ptr_array_add (host->known_hosts_files, g_steal_pointer (&empty));
    }
  else if (g_str_equal (name, "no-identity"))
    {
      g_ptr_array_set_size (host->identity_files, 0);
      host->identities_only = TRUE;
    }
  else
    {
      g_assert_cmpstr (name, ==, "missing-key-file");
      g_ptr_array_set_size (host->identity_files, 0);
      g_ptr_array_add (host->identity_files, g_build_filename (temp_dir, "no-such-key", NULL));
      host->identities_only = TRUE;
    }
  return host;
}

/* Connect `host` with `n_workers` handshake threads (0: on this thread)
 * and return the failure, with its message in `out_message`. */
static FleetFailure
connect_and_fail (const FleetHost *host, guint n_workers, char **out_message)
{
  g_autoptr(GPtrArray) connections = g_ptr_array_new ();
  FleetSshContext *context = fleet_ssh_context_new ();
  FleetConnection *connection;
  FleetFailure failure;

  fleet_ssh_context_set_handshake_workers (context, n_workers, fleet_clock_system ());
  connection = fleet_connection_new (host, context);
  g_ptr_array_add (connections, connection);
  fleet_connection_start (connection, g_get_monotonic_time ());
  drive_until_ended (context, connections);

  g_assert_cmpint (fleet_connection_get_state (connection), ==, FLEET_CONNECTION_FAILED);
  failure = fleet_connection_get_failure (connection);
  *out_message = g_strdup (fleet_connection_get_message (connection));
  fleet_connection_free (connection);
  fleet_ssh_context_free (context);
  return failure;
}

/* A handshake that fails on a worker fails with the same code and message
 * as on the caller's thread. */
static void
test_pool_keeps_failures (Fixture *fixture, gconstpointer data)
{
  static const FailureCase cases[] = {
    { "refused", FLEET_FAILURE_CONNECTION_REFUSED },
    { "silent", FLEET_FAILURE_CONNECTION_TIMEOUT },
    { "unknown-key", FLEET_FAILURE_HOST_KEY_UNKNOWN },
    { "no-identity", FLEET_FAILURE_AUTH_FAILED },
    { "missing-key-file", FLEET_FAILURE_IDENTITY_FILE },
  };
  g_autoptr(GError) error = NULL;
  g_autofree char *temp_dir = NULL;

  if (!require_sandbox_hosts (POOL_HOSTS))
    return;

  temp_dir = g_dir_make_tmp ("handshake-pool-XXXXXX", &error);
  g_assert_no_error (error);

  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autoptr(GSocket) listener = NULL;
      g_autoptr(FleetHost) host = failing_host (cases[i].name, temp_dir, &listener);
      g_autofree char *loop_message = NULL;
      g_autofree char *pool_message = NULL;
      FleetFailure on_loop = connect_and_fail (host, 0, &loop_message);
      FleetFailure on_pool = connect_and_fail (host, 2, &pool_message);

      g_test_message ("%s: %s", cases[i].name, pool_message);
      g_assert_cmpstr (fleet_failure_code (on_loop), ==, fleet_failure_code (cases[i].expected));
      g_assert_cmpstr (fleet_failure_code (on_pool), ==, fleet_failure_code (cases[i].expected));
      g_assert_cmpstr (pool_message, ==, loop_message);
    }

  {
    g_autofree char *known_hosts = g_build_filename (temp_dir, "known_hosts", NULL);

    g_assert_cmpint (g_remove (known_hosts), ==, 0);
    g_assert_cmpint (g_rmdir (temp_dir), ==, 0);
  }
}

/* Freeing a connection whose handshake a worker drives takes it back from
 * the worker, whether the worker has picked it up yet or not. */
static void
test_free_while_pooled (Fixture *fixture, gconstpointer data)
{
  g_autoptr(GSocket) listener = NULL;
  g_autoptr(GPtrArray) connections = g_ptr_array_new ();
  g_autoptr(FleetHost) host = NULL;
  FleetSshContext *context;
  FleetConnection *driven;

  if (!require_sandbox_hosts (POOL_HOSTS))
    return;

  host = fleet_sandbox_host (shared_sandbox, 0, "id_ed25519");
  listener = silent_listener (&host->port);
  host->connect_timeout_ms = 600000;
  context = fleet_ssh_context_new ();
  fleet_ssh_context_set_handshake_workers (context, 2, fleet_clock_system ());

  /* Freed right after the start: most likely still in the worker's inbox. */
  {
    FleetConnection *fresh = fleet_connection_new (host, context);

    fleet_connection_start (fresh, g_get_monotonic_time ());
    assert_looks_connecting (fresh);
    fleet_connection_free (fresh);
  }

  /* Freed after the worker has waited on its socket for a while. */
  driven = fleet_connection_new (host, context);
  g_ptr_array_add (connections, driven);
  fleet_connection_start (driven, g_get_monotonic_time ());
  for (guint i = 0; i < 5; i++)
    drive_once (context, connections);
  assert_looks_connecting (driven);
  fleet_connection_free (driven);

  fleet_ssh_context_free (context);
}

/* fleet_execute_plan runs the handshakes on the threads the options ask
 * for, and every host connects and runs its step. */
static void
test_executor_uses_pool (Fixture *fixture, gconstpointer data)
{
  const guint sizes[] = { POOL_HOSTS, 0 };
  g_autofree char *journal = NULL;

  if (!require_sandbox_hosts (POOL_HOSTS))
    return;

  add_hosts (fixture, POOL_HOSTS, "id_ed25519");
  add_step (fixture, "hello", "echo hello", 30000);
  set_waves (fixture, sizes);
  fixture->options.handshake_workers = 1;
  run_plan (fixture);

  journal = read_run_file (fixture, "journal.jsonl");
  for (guint i = 0; i < POOL_HOSTS; i++)
    {
      g_autofree char *name = fleet_sandbox_host_name (shared_sandbox, i);
      g_autofree char *connected = g_strdup_printf ("\"event\":\"host-connected\",\"host\":\"%s\"",
                                                    name);

      g_assert_cmpint (host_result (fixture, i)->outcome, ==, FLEET_HOST_SUCCEEDED);
      g_assert_cmpstr (step_result (fixture, i, 0)->stdout_tail->str, ==, "hello\n");
      g_assert_nonnull (strstr (journal, connected));
    }
}

/* fleet-run rejects a thread count out of range before it reads the plan. */
static void
test_cli_rejects_thread_count (void)
{
  g_autofree char *fleet_run = g_build_filename (g_getenv ("FLEET_BUILD_ROOT"), "cli",
                                                 "fleet-run", NULL);
  const char *argv[] = { fleet_run, "--handshake-threads", "257", "no-such.plan", NULL };
  g_autofree char *out = NULL;
  g_autofree char *err = NULL;

  g_assert_cmpint (fleet_test_spawn (argv, &out, &err), ==, 2);
  g_assert_cmpstr (err, ==, "fleet-run: --handshake-threads 257 is out of range; give 1 to 256 "
                            "threads, or 0 for one per online CPU\n");
}

int
main (int argc, char **argv)
{
  int status;

  g_test_init (&argc, &argv, NULL);

#define ADD(path, func) \
  g_test_add (path, Fixture, NULL, fixture_set_up, func, fixture_tear_down)

  ADD ("/handshake-pool/connects-hosts", test_pool_connects_hosts);
  ADD ("/handshake-pool/process-collects", test_process_collects_ended_handshakes);
  ADD ("/handshake-pool/keeps-failures", test_pool_keeps_failures);
  ADD ("/handshake-pool/free-while-pooled", test_free_while_pooled);
  ADD ("/handshake-pool/executor", test_executor_uses_pool);
  g_test_add_func ("/handshake-pool/cli-thread-count", test_cli_rejects_thread_count);

  status = g_test_run ();
  release_sandbox ();
  return status;
}
