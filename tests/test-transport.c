/* test-transport.c: the SSH transport (fleet-transport.h) driven directly,
 * without the executor, against real sshd servers on 127.0.0.1.
 *
 * These tests reach what a plan run does not: commands freed while they
 * run, connections freed under their commands, servers whose ForceCommand
 * replaces the command, host key files that cannot be read or written, and
 * the accessors the executor does not use.
 */
#include <poll.h>
#include <signal.h>
#include <string.h>
#include <unistd.h>
#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/resource.h>
#include <sys/socket.h>

#include <glib/gstdio.h>

#include "runtime/fleet-ssh-private.h"
#include "runtime/fleet-transport.h"
#include "runtime/fleet-tunnel.h"
#include "tests/fault-proxy.h"
#include "tests/sandbox.h"

#define TRANSPORT_HOSTS 3

/* Hosts: 0 is left as the sandbox starts it; 1 runs every command through
 * a ForceCommand script; 2 refuses terminals. */
#define PLAIN_HOST 0
#define FORCED_HOST 1
#define NO_TTY_HOST 2

/* The jump host of the tunnel tests. */
#define JUMP_HOST PLAIN_HOST

/* Every wait ends here at the latest, so a broken transport fails the test
 * instead of hanging it. */
#define DRIVE_LIMIT_US (30 * G_USEC_PER_SEC)

static char *home_dir;
static FleetSandbox *shared_sandbox;

/* Start the sandbox on first use.  Returns FALSE, after g_test_skip(), when
 * the machine cannot run one. */
static gboolean
require_sandbox_hosts (guint n_hosts)
{
  g_autofree char *reason = NULL;

  if (shared_sandbox != NULL)
    return TRUE;
  if (!fleet_sandbox_available (&reason))
    {
      g_test_skip (reason);
      return FALSE;
    }
  shared_sandbox = fleet_sandbox_up (n_hosts);
  return TRUE;
}

/* Give sandbox host `index` the sshd settings `text` (NULL: none) and
 * restart it. */
static void
set_host_sshd_extra (guint index, const char *text)
{
  g_autofree char *name = fleet_sandbox_host_name (shared_sandbox, index);
  g_autofree char *relative = g_build_filename ("hosts", name, "sshd_config.extra", NULL);
  g_autofree char *extra = fleet_sandbox_path (shared_sandbox, relative);

  if (text != NULL)
    g_assert_true (g_file_set_contents (extra, text, -1, NULL));
  else
    g_unlink (extra);
  fleet_sandbox_control (shared_sandbox, "stop", index);
  fleet_sandbox_control (shared_sandbox, "start", index);
}

typedef struct {
  GString *stdout_text;
  GString *stderr_text;
} Output;

static void
collect_output (const char *data, gsize length, gboolean is_stderr, gpointer user_data)
{
  Output *output = user_data;

  g_string_append_len (is_stderr ? output->stderr_text : output->stdout_text, data, length);
}

static void
output_init (Output *output)
{
  output->stdout_text = g_string_new (NULL);
  output->stderr_text = g_string_new (NULL);
}

static void
output_clear (Output *output)
{
  g_string_free (output->stdout_text, TRUE);
  g_string_free (output->stderr_text, TRUE);
}

G_DEFINE_AUTO_CLEANUP_CLEAR_FUNC (Output, output_clear)

typedef gboolean (*DoneFunc) (gconstpointer data);

/* Poll and process `connection` until `done` returns TRUE. */
static void
drive (FleetConnection *connection, DoneFunc done, gconstpointer data)
{
  gint64 limit = g_get_monotonic_time () + DRIVE_LIMIT_US;

  while (!done (data))
    {
      struct pollfd ready = { fleet_connection_get_fd (connection),
                              fleet_connection_get_poll_events (connection), 0 };

      g_assert_cmpint (g_get_monotonic_time (), <, limit);
      poll (&ready, ready.fd >= 0 ? 1 : 0, 20);
      fleet_connection_process (connection, g_get_monotonic_time (), ready.revents);
    }
}

static gboolean
connection_settled (gconstpointer data)
{
  FleetConnectionState state = fleet_connection_get_state (data);

  return state == FLEET_CONNECTION_READY || state == FLEET_CONNECTION_FAILED;
}

static gboolean
command_done (gconstpointer data)
{
  return fleet_command_is_done (data);
}

static gboolean
command_reported_pid (gconstpointer data)
{
  return fleet_command_get_remote_pid (data) > 0;
}

static gboolean
command_started_or_done (gconstpointer data)
{
  return fleet_command_get_remote_pid (data) > 0 || fleet_command_is_done (data);
}

static gboolean
command_has_output (gconstpointer data)
{
  const Output *output = data;

  return output->stdout_text->len > 0;
}

static gboolean
helpers_done (gconstpointer data)
{
  return !fleet_connection_has_helpers ((FleetConnection *) data);
}

static FleetConnection *
connect_host (const FleetHost *host, FleetSshContext *context)
{
  FleetConnection *connection = fleet_connection_new (host, context);

  fleet_connection_start (connection, g_get_monotonic_time ());
  drive (connection, connection_settled, connection);
  return connection;
}

static FleetConnection *
connect_ready (const FleetHost *host, FleetSshContext *context)
{
  FleetConnection *connection = connect_host (host, context);

  if (fleet_connection_get_state (connection) != FLEET_CONNECTION_READY)
    g_error ("%s did not connect: %s", host->name, fleet_connection_get_message (connection));
  return connection;
}

static FleetCommand *
start_command (FleetConnection *connection, const char *command_line, Output *output)
{
  FleetCommandSpec spec = { .command_line = command_line };

  return fleet_command_start (connection, &spec, g_get_monotonic_time (), collect_output, output);
}

static void
assert_contains (const char *text, const char *part)
{
  if (text == NULL || strstr (text, part) == NULL)
    g_error ("expected \"%s\" in \"%s\"", part, text != NULL ? text : "(null)");
}

/* ---- Commands ---- */

/* Input, both output streams, the exit status and the process id. */
static void
test_command_results (void)
{
  g_autoptr(FleetHost) host = NULL;
  g_autoptr(FleetSshContext) context = fleet_ssh_context_new ();
  g_autoptr(FleetConnection) connection = NULL;
  g_auto(Output) output = { 0 };
  FleetCommandSpec spec = { .command_line = "cat; printf err >&2; exit 3",
                            .stdin_data = "hello", .stdin_length = 5 };
  FleetCommand *command;

  if (!require_sandbox_hosts (TRANSPORT_HOSTS))
    return;

  host = fleet_sandbox_host (shared_sandbox, PLAIN_HOST, "id_ed25519");
  output_init (&output);
  connection = connect_ready (host, context);
  command = fleet_command_start (connection, &spec, g_get_monotonic_time (), collect_output,
                                 &output);
  drive (connection, command_done, command);

  g_assert_cmpint (fleet_command_get_failure (command), ==, FLEET_FAILURE_NONE);
  g_assert_cmpint (fleet_command_get_exit_status (command), ==, 3);
  g_assert_null (fleet_command_get_exit_signal (command));
  g_assert_false (fleet_command_get_core_dumped (command));
  g_assert_cmpint (fleet_command_get_remote_pid (command), >, 1);
  g_assert_cmpstr (output.stdout_text->str, ==, "hello");
  g_assert_cmpstr (output.stderr_text->str, ==, "err");
  g_assert_cmpuint (fleet_command_get_stdout_bytes (command), ==, 5);
  g_assert_cmpuint (fleet_command_get_stderr_bytes (command), ==, 3);
  fleet_command_free (command);
  fleet_command_free (NULL);
}

/* A command that floods its output is read at most
 * FLEET_COMMAND_READ_BUDGET_BYTES per stream per processing of its
 * connection; a connection that stopped at the budget is due again at
 * once, and no byte is lost. */
static void
test_command_read_budget (void)
{
  g_autoptr(FleetHost) host = NULL;
  g_autoptr(FleetSshContext) context = fleet_ssh_context_new ();
  g_autoptr(FleetConnection) connection = NULL;
  g_auto(Output) output = { 0 };
  gint64 limit = g_get_monotonic_time () + DRIVE_LIMIT_US;
  gsize largest_read = 0;
  FleetCommand *command;

  if (!require_sandbox_hosts (TRANSPORT_HOSTS))
    return;

  host = fleet_sandbox_host (shared_sandbox, PLAIN_HOST, "id_ed25519");
  output_init (&output);
  connection = connect_ready (host, context);
  command = start_command (connection, "head -c 8388608 /dev/zero | tr '\\0' x", &output);

  while (!fleet_command_is_done (command))
    {
      struct pollfd ready = { fleet_connection_get_fd (connection),
                              fleet_connection_get_poll_events (connection), 0 };
      gsize before = output.stdout_text->len;
      gint64 now;

      g_assert_cmpint (g_get_monotonic_time (), <, limit);
      poll (&ready, 1, 20);
      now = g_get_monotonic_time ();
      fleet_connection_process (connection, now, ready.revents);

      largest_read = MAX (largest_read, output.stdout_text->len - before);
      g_assert_cmpuint (output.stdout_text->len - before, <=, FLEET_COMMAND_READ_BUDGET_BYTES);
      if (output.stdout_text->len - before == FLEET_COMMAND_READ_BUDGET_BYTES
          && !fleet_command_is_done (command))
        g_assert_cmpint (fleet_connection_deadline_us (connection), <=, now);
    }

  g_assert_cmpuint (largest_read, >, 0);
  g_assert_cmpint (fleet_command_get_exit_status (command), ==, 0);
  g_assert_cmpuint (output.stdout_text->len, ==, 8388608);
  fleet_command_free (command);
}

/* Input larger than the channel window (2 MiB from OpenSSH) reaches the
 * command whole and in order, sent as the command reads it. */
static void
test_command_large_input (void)
{
  const gsize input_length = 8 * 1024 * 1024 + 3;
  g_autoptr(FleetHost) host = NULL;
  g_autoptr(FleetSshContext) context = fleet_ssh_context_new ();
  g_autoptr(FleetConnection) connection = NULL;
  g_auto(Output) output = { 0 };
  g_autofree char *input = g_malloc (input_length);
  g_autofree char *checksum = NULL;
  g_autofree char *expected = NULL;
  FleetCommandSpec spec = { .command_line = "sha256sum | cut -d' ' -f1" };
  FleetCommand *command;

  if (!require_sandbox_hosts (TRANSPORT_HOSTS))
    return;

  for (gsize i = 0; i < input_length; i++)
    input[i] = (char) (i * 7 + i / 4096);
  checksum = g_compute_checksum_for_data (G_CHECKSUM_SHA256, (const guchar *) input,
                                          input_length);
  expected = g_strdup_printf ("%s\n", checksum);
  spec.stdin_data = input;
  spec.stdin_length = input_length;

  host = fleet_sandbox_host (shared_sandbox, PLAIN_HOST, "id_ed25519");
  output_init (&output);
  connection = connect_ready (host, context);
  command = fleet_command_start (connection, &spec, g_get_monotonic_time (), collect_output,
                                 &output);
  drive (connection, command_done, command);

  g_assert_cmpint (fleet_command_get_failure (command), ==, FLEET_FAILURE_NONE);
  g_assert_cmpint (fleet_command_get_exit_status (command), ==, 0);
  g_assert_cmpstr (output.stdout_text->str, ==, expected);
  fleet_command_free (command);
}

/* A command that exits without reading its large input ends with its own
 * exit status; the input it did not read is dropped. */
static void
test_command_input_not_read (void)
{
  const gsize input_length = 8 * 1024 * 1024;
  g_autoptr(FleetHost) host = NULL;
  g_autoptr(FleetSshContext) context = fleet_ssh_context_new ();
  g_autoptr(FleetConnection) connection = NULL;
  g_auto(Output) output = { 0 };
  g_autofree char *input = g_malloc0 (input_length);
  FleetCommandSpec spec = { .command_line = "exit 4", .stdin_data = input,
                            .stdin_length = input_length };
  FleetCommand *command;

  if (!require_sandbox_hosts (TRANSPORT_HOSTS))
    return;

  host = fleet_sandbox_host (shared_sandbox, PLAIN_HOST, "id_ed25519");
  output_init (&output);
  connection = connect_ready (host, context);
  command = fleet_command_start (connection, &spec, g_get_monotonic_time (), collect_output,
                                 &output);
  drive (connection, command_done, command);

  g_assert_cmpint (fleet_command_get_failure (command), ==, FLEET_FAILURE_NONE);
  g_assert_cmpint (fleet_command_get_exit_status (command), ==, 4);
  g_assert_cmpint (fleet_connection_get_state (connection), ==, FLEET_CONNECTION_READY);
  fleet_command_free (command);
}

/* Aborting a command that already ended changes nothing: it keeps its exit
 * status and has no failure. */
static void
test_command_abort_after_end (void)
{
  g_autoptr(FleetHost) host = NULL;
  g_autoptr(FleetSshContext) context = fleet_ssh_context_new ();
  g_autoptr(FleetConnection) connection = NULL;
  g_auto(Output) output = { 0 };
  FleetCommand *command;

  if (!require_sandbox_hosts (TRANSPORT_HOSTS))
    return;

  host = fleet_sandbox_host (shared_sandbox, PLAIN_HOST, "id_ed25519");
  output_init (&output);
  connection = connect_ready (host, context);
  command = start_command (connection, "exit 5", &output);
  drive (connection, command_done, command);
  fleet_command_abort (command, FLEET_FAILURE_COMMAND_TIMEOUT, "too late");

  g_assert_true (fleet_command_is_done (command));
  g_assert_cmpint (fleet_command_get_failure (command), ==, FLEET_FAILURE_NONE);
  g_assert_cmpint (fleet_command_get_exit_status (command), ==, 5);
  g_assert_null (fleet_command_get_message (command));
  fleet_command_free (command);
}

/* Drive `connection` for `duration_us`, whatever happens. */
static void
drive_for (FleetConnection *connection, gint64 duration_us)
{
  gint64 end = g_get_monotonic_time () + duration_us;

  while (g_get_monotonic_time () < end)
    {
      struct pollfd ready = { fleet_connection_get_fd (connection),
                              fleet_connection_get_poll_events (connection), 0 };

      poll (&ready, ready.fd >= 0 ? 1 : 0, 20);
      fleet_connection_process (connection, g_get_monotonic_time (), ready.revents);
    }
}

/* A held command opens its channel but does not run until it is released;
 * then it runs as any other. */
static void
test_command_held_until_released (void)
{
  g_autoptr(FleetHost) host = NULL;
  g_autoptr(FleetSshContext) context = fleet_ssh_context_new ();
  g_autoptr(FleetConnection) connection = NULL;
  g_auto(Output) output = { 0 };
  g_autofree char *marker_dir = g_dir_make_tmp ("fleet-held-XXXXXX", NULL);
  g_autofree char *marker = g_build_filename (marker_dir, "ran", NULL);
  g_autofree char *command_line = g_strdup_printf ("touch '%s'; echo ran", marker);
  FleetCommandSpec spec = { .command_line = command_line, .hold = TRUE };
  FleetCommand *command;

  if (!require_sandbox_hosts (TRANSPORT_HOSTS))
    return;

  host = fleet_sandbox_host (shared_sandbox, PLAIN_HOST, "id_ed25519");
  output_init (&output);
  connection = connect_ready (host, context);
  command = fleet_command_start (connection, &spec, g_get_monotonic_time (), collect_output,
                                 &output);
  drive_for (connection, 500 * 1000);

  g_assert_false (fleet_command_is_done (command));
  g_assert_false (g_file_test (marker, G_FILE_TEST_EXISTS));
  g_assert_cmpuint (output.stdout_text->len, ==, 0);

  fleet_command_release (command);
  drive (connection, command_done, command);
  g_assert_cmpint (fleet_command_get_failure (command), ==, FLEET_FAILURE_NONE);
  g_assert_cmpint (fleet_command_get_exit_status (command), ==, 0);
  g_assert_cmpstr (output.stdout_text->str, ==, "ran\n");
  g_assert_true (g_file_test (marker, G_FILE_TEST_EXISTS));
  fleet_command_free (command);

  g_unlink (marker);
  g_rmdir (marker_dir);
}

/* A command aborted while held ends at once with the abort's cause, and
 * never runs on the host, even once released. */
static void
test_command_aborted_while_held (void)
{
  g_autoptr(FleetHost) host = NULL;
  g_autoptr(FleetSshContext) context = fleet_ssh_context_new ();
  g_autoptr(FleetConnection) connection = NULL;
  g_auto(Output) output = { 0 };
  g_autofree char *marker_dir = g_dir_make_tmp ("fleet-held-XXXXXX", NULL);
  g_autofree char *marker = g_build_filename (marker_dir, "ran", NULL);
  g_autofree char *command_line = g_strdup_printf ("touch '%s'", marker);
  FleetCommandSpec spec = { .command_line = command_line, .hold = TRUE };
  FleetCommand *command;

  if (!require_sandbox_hosts (TRANSPORT_HOSTS))
    return;

  host = fleet_sandbox_host (shared_sandbox, PLAIN_HOST, "id_ed25519");
  output_init (&output);
  connection = connect_ready (host, context);
  command = fleet_command_start (connection, &spec, g_get_monotonic_time (), collect_output,
                                 &output);
  drive_for (connection, 300 * 1000);
  fleet_command_abort (command, FLEET_FAILURE_COMMAND_TIMEOUT, "stopped before it ran");

  g_assert_true (fleet_command_is_done (command));
  g_assert_cmpint (fleet_command_get_failure (command), ==, FLEET_FAILURE_COMMAND_TIMEOUT);
  g_assert_cmpstr (fleet_command_get_message (command), ==, "stopped before it ran");
  fleet_command_release (command);
  drive_for (connection, 300 * 1000);
  g_assert_false (g_file_test (marker, G_FILE_TEST_EXISTS));
  fleet_command_free (command);

  g_rmdir (marker_dir);
}

/* Every failure's journal code reads back as that failure, and an unknown
 * code is rejected. */
static void
test_failure_codes_round_trip (void)
{
  FleetFailure parsed = FLEET_FAILURE_NONE;

  for (guint failure = FLEET_FAILURE_NONE; failure <= FLEET_FAILURE_BECOME_USER_UNKNOWN; failure++)
    {
      g_assert_true (fleet_failure_from_code (fleet_failure_code (failure), &parsed));
      g_assert_cmpint (parsed, ==, failure);
    }
  g_assert_false (fleet_failure_from_code ("no-such-failure", &parsed));
  g_assert_cmpint (parsed, ==, FLEET_FAILURE_BECOME_USER_UNKNOWN);
}

/* Return whether a refused command waits for its next try to open a
 * channel, with no open request in flight. */
static gboolean
command_waiting_to_retry (gconstpointer data)
{
  const FleetCommand *command = data;

  return command->open_retries > 0 && command->channel == NULL;
}

/* A command that closes its output long before it exits: both streams end
 * first, and the exit status that follows still decides the outcome. */
static void
test_command_output_closed_before_exit (void)
{
  g_autoptr(FleetHost) host = NULL;
  g_autoptr(FleetSshContext) context = fleet_ssh_context_new ();
  g_autoptr(FleetConnection) connection = NULL;
  g_auto(Output) output = { 0 };
  FleetCommand *command;

  if (!require_sandbox_hosts (TRANSPORT_HOSTS))
    return;

  host = fleet_sandbox_host (shared_sandbox, PLAIN_HOST, "id_ed25519");
  output_init (&output);
  connection = connect_ready (host, context);
  command = start_command (connection, "echo before; exec >/dev/null 2>&1; sleep 0.5; exit 7",
                           &output);
  drive (connection, command_done, command);

  g_assert_cmpint (fleet_command_get_failure (command), ==, FLEET_FAILURE_NONE);
  g_assert_cmpint (fleet_command_get_exit_status (command), ==, 7);
  g_assert_cmpstr (output.stdout_text->str, ==, "before\n");
  fleet_command_free (command);
}

/* A command whose channel the server keeps refusing (MaxSessions 1, taken
 * by another command) and whose deadline passes while it waits for the
 * next try ends with the refusal and the number of retries.  The clock
 * jumps past the deadline, as a loop that wakes late sees it. */
static void
test_command_refused_until_deadline (void)
{
  g_autoptr(FleetHost) host = NULL;
  g_autoptr(FleetSshContext) context = fleet_ssh_context_new ();
  g_autoptr(FleetConnection) connection = NULL;
  g_auto(Output) first_output = { 0 };
  g_auto(Output) second_output = { 0 };
  FleetCommandSpec spec = { .command_line = "true", .timeout_ms = 2000 };
  FleetCommand *first;
  FleetCommand *second;

  if (!require_sandbox_hosts (TRANSPORT_HOSTS))
    return;

  set_host_sshd_extra (PLAIN_HOST, "MaxSessions 1\n");
  host = fleet_sandbox_host (shared_sandbox, PLAIN_HOST, "id_ed25519");
  /* The clock jump must not count as missed keepalives. */
  host->keepalive_interval_ms = 0;
  output_init (&first_output);
  output_init (&second_output);
  connection = connect_ready (host, context);
  first = start_command (connection, "sleep 30", &first_output);
  drive (connection, command_reported_pid, first);

  second = fleet_command_start (connection, &spec, g_get_monotonic_time (), collect_output,
                                &second_output);
  drive (connection, command_waiting_to_retry, second);
  g_assert_false (fleet_command_is_done (second));

  fleet_connection_process (connection, g_get_monotonic_time () + 10 * G_USEC_PER_SEC, 0);
  g_assert_true (fleet_command_is_done (second));
  g_assert_cmpint (fleet_command_get_failure (second), ==, FLEET_FAILURE_CHANNEL);
  assert_contains (fleet_command_get_message (second), "the server refused to open a session "
                                                       "channel");
  assert_contains (fleet_command_get_message (second), "check the server's MaxSessions setting");
  fleet_command_free (second);

  fleet_command_free (first);
  drive (connection, helpers_done, connection);
  set_host_sshd_extra (PLAIN_HOST, NULL);
}

/* Freeing no tunnel is allowed, as fleet-tunnel.h promises. */
static void
test_tunnel_free_null (void)
{
  fleet_tunnel_free (NULL);
}

/* A command freed while it runs is killed on the host by a helper command
 * that the connection owns; freeing the connection ends the helper too. */
static void
test_command_freed_while_running (void)
{
  g_autoptr(FleetHost) host = NULL;
  g_autoptr(FleetSshContext) context = fleet_ssh_context_new ();
  FleetConnection *connection;
  g_auto(Output) output = { 0 };
  FleetCommand *command;

  if (!require_sandbox_hosts (TRANSPORT_HOSTS))
    return;

  host = fleet_sandbox_host (shared_sandbox, PLAIN_HOST, "id_ed25519");
  output_init (&output);
  connection = connect_ready (host, context);
  command = start_command (connection, "sleep 30", &output);
  drive (connection, command_reported_pid, command);

  fleet_command_free (command);
  g_assert_true (fleet_connection_has_helpers (connection));
  fleet_connection_free (connection);
}

static gboolean
command_started_without_pid (gconstpointer data)
{
  const FleetCommand *command = data;

  return command->pid_line_done
         || (command->stage == COMMAND_EXECUTING || command->stage == COMMAND_RUNNING);
}

/* A command aborted while it starts, before its process id came back,
 * waits for the id and is then killed, instead of being left running. */
static void
test_command_aborted_before_pid (void)
{
  g_autoptr(FleetHost) host = NULL;
  g_autoptr(FleetSshContext) context = fleet_ssh_context_new ();
  g_autoptr(FleetConnection) connection = NULL;
  g_auto(Output) output = { 0 };
  FleetCommand *command;

  if (!require_sandbox_hosts (TRANSPORT_HOSTS))
    return;

  host = fleet_sandbox_host (shared_sandbox, PLAIN_HOST, "id_ed25519");
  output_init (&output);
  connection = connect_ready (host, context);
  command = start_command (connection, "sleep 30", &output);
  drive (connection, command_started_without_pid, command);
  g_assert_false (command->pid_line_done);

  fleet_command_abort (command, FLEET_FAILURE_INTERRUPTED, "stopped at the window's end");
  g_assert_true (command->abort_pending);
  g_assert_false (fleet_command_is_done (command));
  drive (connection, command_done, command);

  g_assert_cmpint (fleet_command_get_failure (command), ==, FLEET_FAILURE_INTERRUPTED);
  g_assert_cmpint (fleet_command_get_remote_pid (command), >, 1);
  assert_contains (fleet_command_get_message (command), "stopped at the window's end");
  assert_contains (fleet_command_get_message (command), "was killed");
  fleet_command_free (command);
}

/* The same, but the helper runs to its end: the connection stays usable. */
static void
test_command_freed_helper_finishes (void)
{
  g_autoptr(FleetHost) host = NULL;
  g_autoptr(FleetSshContext) context = fleet_ssh_context_new ();
  g_autoptr(FleetConnection) connection = NULL;
  g_auto(Output) output = { 0 };
  FleetCommand *command;

  if (!require_sandbox_hosts (TRANSPORT_HOSTS))
    return;

  host = fleet_sandbox_host (shared_sandbox, PLAIN_HOST, "id_ed25519");
  output_init (&output);
  connection = connect_ready (host, context);
  command = start_command (connection, "sleep 30", &output);
  drive (connection, command_reported_pid, command);

  fleet_command_free (command);
  drive (connection, helpers_done, connection);

  command = start_command (connection, "echo after", &output);
  drive (connection, command_done, command);
  g_assert_cmpint (fleet_command_get_exit_status (command), ==, 0);
  g_assert_cmpstr (output.stdout_text->str, ==, "after\n");
  fleet_command_free (command);
}

/* A command freed before its channel opened never sent its input, which is
 * wiped with it; the connection goes on. */
static void
test_command_freed_before_channel (void)
{
  g_autoptr(FleetHost) host = NULL;
  g_autoptr(FleetSshContext) context = fleet_ssh_context_new ();
  g_autoptr(FleetConnection) connection = NULL;
  g_auto(Output) output = { 0 };
  FleetCommandSpec spec = { .command_line = "cat", .stdin_data = "secret", .stdin_length = 6 };
  FleetCommand *command;

  if (!require_sandbox_hosts (TRANSPORT_HOSTS))
    return;

  host = fleet_sandbox_host (shared_sandbox, PLAIN_HOST, "id_ed25519");
  output_init (&output);
  connection = connect_ready (host, context);
  command = fleet_command_start (connection, &spec, g_get_monotonic_time (), collect_output,
                                 &output);
  g_assert_false (fleet_command_is_done (command));
  fleet_command_free (command);

  command = start_command (connection, "echo next", &output);
  drive (connection, command_done, command);
  g_assert_cmpstr (output.stdout_text->str, ==, "next\n");
  fleet_command_free (command);
}

/* Freeing the connection ends its running commands as lost connections;
 * the caller still owns and frees them. */
static void
test_connection_freed_under_command (void)
{
  g_autoptr(FleetHost) host = NULL;
  g_autoptr(FleetSshContext) context = fleet_ssh_context_new ();
  FleetConnection *connection;
  g_auto(Output) output = { 0 };
  FleetCommand *command;

  if (!require_sandbox_hosts (TRANSPORT_HOSTS))
    return;

  host = fleet_sandbox_host (shared_sandbox, PLAIN_HOST, "id_ed25519");
  output_init (&output);
  connection = connect_ready (host, context);
  command = start_command (connection, "sleep 30", &output);
  drive (connection, command_reported_pid, command);

  fleet_connection_free (connection);
  g_assert_true (fleet_command_is_done (command));
  g_assert_cmpint (fleet_command_get_failure (command), ==, FLEET_FAILURE_CONNECTION_LOST);
  assert_contains (fleet_command_get_message (command), "the connection was closed");
  fleet_command_free (command);
}

/* ---- A server that replaces every command ---- */

/* The ForceCommand script of FORCED_HOST picks its behaviour from a word
 * in the command the client sent, which it never runs. */
static const char force_command_script[] =
  "#!/bin/sh\n"
  "case \"$SSH_ORIGINAL_COMMAND\" in\n"
  "  *short-output*) printf ok ;;\n"
  "  *split-line*) printf ab; sleep 0.3; printf 'cd\\n' ;;\n"
  "  *) echo waiting; sleep 30 ;;\n"
  "esac\n";

static void
set_up_forced_host (void)
{
  g_autofree char *script = fleet_sandbox_path (shared_sandbox, "force-command.sh");
  g_autofree char *extra = g_strdup_printf ("ForceCommand %s\n", script);

  g_assert_true (g_file_set_contents (script, force_command_script, -1, NULL));
  g_assert_cmpint (g_chmod (script, 0755), ==, 0);
  set_host_sshd_extra (FORCED_HOST, extra);
}

/* Output from a command that is not the shell fleet-run started carries no
 * process id line: output shorter than one, a line that arrives in pieces,
 * and an abort that cannot kill what it cannot name all say so. */
static void
test_forced_command_output (void)
{
  g_autoptr(FleetHost) host = NULL;
  g_autoptr(FleetSshContext) context = fleet_ssh_context_new ();
  g_autoptr(FleetConnection) connection = NULL;
  g_auto(Output) output = { 0 };
  FleetCommand *command;

  if (!require_sandbox_hosts (TRANSPORT_HOSTS))
    return;

  set_up_forced_host ();
  host = fleet_sandbox_host (shared_sandbox, FORCED_HOST, "id_ed25519");
  output_init (&output);
  connection = connect_ready (host, context);

  command = start_command (connection, "true short-output", &output);
  drive (connection, command_done, command);
  g_assert_cmpstr (output.stdout_text->str, ==, "ok");
  g_assert_cmpint (fleet_command_get_remote_pid (command), ==, 0);
  fleet_command_free (command);

  g_string_truncate (output.stdout_text, 0);
  command = start_command (connection, "true split-line", &output);
  drive (connection, command_done, command);
  g_assert_cmpstr (output.stdout_text->str, ==, "abcd\n");
  fleet_command_free (command);

  g_string_truncate (output.stdout_text, 0);
  command = start_command (connection, "true wait", &output);
  drive (connection, command_has_output, &output);
  g_assert_cmpstr (output.stdout_text->str, ==, "waiting\n");
  fleet_command_abort (command, FLEET_FAILURE_COMMAND_TIMEOUT, "timed out");
  g_assert_true (fleet_command_is_done (command));
  g_assert_cmpint (fleet_command_get_failure (command), ==, FLEET_FAILURE_COMMAND_TIMEOUT);
  assert_contains (fleet_command_get_message (command), "did not report its process id");
  fleet_command_free (command);

  set_host_sshd_extra (FORCED_HOST, NULL);
}

/* A server that refuses terminals refuses a command that requests one,
 * after the retries meant for a server at its session limit. */
static void
test_terminal_refused (void)
{
  g_autoptr(FleetHost) host = NULL;
  g_autoptr(FleetSshContext) context = fleet_ssh_context_new ();
  g_autoptr(FleetConnection) connection = NULL;
  g_auto(Output) output = { 0 };
  FleetCommandSpec spec = { .command_line = "true", .timeout_ms = 1500, .pty = TRUE };
  FleetCommand *command;

  if (!require_sandbox_hosts (TRANSPORT_HOSTS))
    return;

  set_host_sshd_extra (NO_TTY_HOST, "PermitTTY no\n");
  host = fleet_sandbox_host (shared_sandbox, NO_TTY_HOST, "id_ed25519");
  output_init (&output);
  connection = connect_ready (host, context);

  command = fleet_command_start (connection, &spec, g_get_monotonic_time (), collect_output,
                                 &output);
  drive (connection, command_done, command);
  g_assert_cmpint (fleet_command_get_failure (command), ==, FLEET_FAILURE_CHANNEL);
  assert_contains (fleet_command_get_message (command), "a terminal for the command");
  fleet_command_free (command);

  set_host_sshd_extra (NO_TTY_HOST, NULL);
}

/* A kill helper that does not end by its own deadline ends the killed
 * command with a message that the command may still run.  The clock jumps
 * past that deadline, and past the keepalive interval of a host that allows
 * no unanswered keepalive, so the connection is given up on too. */
static void
test_kill_helper_times_out (void)
{
  g_autoptr(FleetHost) host = NULL;
  g_autoptr(FleetSshContext) context = fleet_ssh_context_new ();
  g_autoptr(FleetConnection) connection = NULL;
  g_auto(Output) output = { 0 };
  FleetCommand *command;

  if (!require_sandbox_hosts (TRANSPORT_HOSTS))
    return;

  host = fleet_sandbox_host (shared_sandbox, PLAIN_HOST, "id_ed25519");
  host->keepalive_interval_ms = 60000;
  host->keepalive_count_max = 0;
  output_init (&output);
  connection = connect_ready (host, context);
  command = start_command (connection, "sleep 30", &output);
  drive (connection, command_reported_pid, command);

  fleet_command_abort (command, FLEET_FAILURE_COMMAND_TIMEOUT, "the command timed out");
  g_assert_false (fleet_command_is_done (command));
  g_assert_true (fleet_connection_has_helpers (connection));

  fleet_connection_process (connection, g_get_monotonic_time () + 120 * G_USEC_PER_SEC, 0);
  g_assert_cmpint (fleet_connection_get_state (connection), ==, FLEET_CONNECTION_FAILED);
  g_assert_cmpint (fleet_connection_get_failure (connection), ==, FLEET_FAILURE_CONNECTION_LOST);
  g_assert_true (fleet_command_is_done (command));
  g_assert_cmpint (fleet_command_get_failure (command), ==, FLEET_FAILURE_COMMAND_TIMEOUT);
  assert_contains (fleet_command_get_message (command), "killing its remote process group");
  assert_contains (fleet_command_get_message (command), "so it may still be running on the host");
  fleet_command_free (command);
}

/* A connection lost while a kill helper runs ends the killed command with
 * the connection's cause.  The clock jumps past the keepalive interval of a
 * host that allows no unanswered keepalive, but not past the helper's own
 * deadline. */
static void
test_connection_lost_during_kill (void)
{
  g_autoptr(FleetHost) host = NULL;
  g_autoptr(FleetSshContext) context = fleet_ssh_context_new ();
  g_autoptr(FleetConnection) connection = NULL;
  g_auto(Output) output = { 0 };
  FleetCommand *command;

  if (!require_sandbox_hosts (TRANSPORT_HOSTS))
    return;

  host = fleet_sandbox_host (shared_sandbox, PLAIN_HOST, "id_ed25519");
  host->keepalive_interval_ms = 1000;
  host->keepalive_count_max = 0;
  output_init (&output);
  connection = connect_ready (host, context);
  command = start_command (connection, "sleep 30", &output);
  drive (connection, command_reported_pid, command);

  fleet_command_abort (command, FLEET_FAILURE_COMMAND_TIMEOUT, "the command timed out");
  g_assert_true (fleet_connection_has_helpers (connection));
  fleet_connection_process (connection, connection->now_us + 3 * G_USEC_PER_SEC, 0);

  g_assert_cmpint (fleet_connection_get_state (connection), ==, FLEET_CONNECTION_FAILED);
  g_assert_true (fleet_command_is_done (command));
  g_assert_cmpint (fleet_command_get_failure (command), ==, FLEET_FAILURE_CONNECTION_LOST);
  assert_contains (fleet_command_get_message (command), "stopped answering");
  fleet_command_free (command);
}

/* Return a record of sandbox host `index` reached through `proxy`, which
 * is trusted with the host's key under the proxy's port (known_hosts file
 * `known_hosts`). */
static FleetHost *
host_through_proxy (guint index, FaultProxy *proxy, const char *known_hosts)
{
  FleetHost *host = fleet_sandbox_host (shared_sandbox, index, "id_ed25519");
  g_autofree char *name = fleet_sandbox_host_name (shared_sandbox, index);
  g_autofree char *relative = g_build_filename ("hosts", name, "ssh_host_ed25519_key.pub", NULL);
  g_autofree char *key_path = fleet_sandbox_path (shared_sandbox, relative);
  g_autofree char *key = NULL;
  g_autofree char *line = NULL;

  g_assert_true (g_file_get_contents (key_path, &key, NULL, NULL));
  line = g_strdup_printf ("[127.0.0.1]:%u %s", fault_proxy_get_port (proxy), key);
  g_assert_true (g_file_set_contents (known_hosts, line, -1, NULL));
  host->port = fault_proxy_get_port (proxy);
  fleet_host_set_known_hosts_file (host, known_hosts);
  host->keepalive_interval_ms = 0;
  return host;
}

/* A connection reset while a channel open is on its way is a lost
 * connection, not a refusal: the command may have started. */
static void
test_command_cut_while_opening (void)
{
  g_autoptr(FaultProxy) proxy = NULL;
  g_autoptr(FleetHost) host = NULL;
  g_autoptr(FleetSshContext) context = fleet_ssh_context_new ();
  g_autoptr(FleetConnection) connection = NULL;
  g_autofree char *known_hosts = g_build_filename (home_dir, "cut_known_hosts", NULL);
  g_auto(Output) output = { 0 };
  FleetCommand *command;

  if (!require_sandbox_hosts (TRANSPORT_HOSTS))
    return;

  proxy = fault_proxy_new (GPOINTER_TO_UINT (g_ptr_array_index (shared_sandbox->ports,
                                                                PLAIN_HOST)));
  host = host_through_proxy (PLAIN_HOST, proxy, known_hosts);
  output_init (&output);
  connection = connect_ready (host, context);

  fault_proxy_set_fault (proxy, FAULT_SILENT, 0);
  command = start_command (connection, "true", &output);
  g_assert_cmpint (command->stage, ==, COMMAND_OPENING);
  fault_proxy_set_fault (proxy, FAULT_CUT, 0);
  drive (connection, command_done, command);

  g_assert_cmpint (fleet_command_get_failure (command), ==, FLEET_FAILURE_CONNECTION_LOST);
  assert_contains (fleet_command_get_message (command),
                   "connection lost while the command started");
  fleet_command_free (command);
}

/* A byte damaged on the way from the server makes libssh reject the
 * packet and the session, while the command's channel is still open: the
 * command ends as a lost connection. */
static void
test_command_corrupt_packet (void)
{
  g_autoptr(FaultProxy) proxy = NULL;
  g_autoptr(FleetHost) host = NULL;
  g_autoptr(FleetSshContext) context = fleet_ssh_context_new ();
  g_autoptr(FleetConnection) connection = NULL;
  g_autofree char *known_hosts = g_build_filename (home_dir, "corrupt_known_hosts", NULL);
  g_auto(Output) output = { 0 };
  FleetCommand *command;

  if (!require_sandbox_hosts (TRANSPORT_HOSTS))
    return;

  proxy = fault_proxy_new (GPOINTER_TO_UINT (g_ptr_array_index (shared_sandbox->ports,
                                                                PLAIN_HOST)));
  host = host_through_proxy (PLAIN_HOST, proxy, known_hosts);
  output_init (&output);
  connection = connect_ready (host, context);
  command = start_command (connection, "while :; do echo output; sleep 0.01; done", &output);
  drive (connection, command_has_output, &output);

  fault_proxy_set_fault (proxy, FAULT_CORRUPT, 0);
  drive (connection, command_done, command);

  g_assert_cmpint (fault_proxy_get_fault (proxy), ==, FAULT_NONE);
  g_assert_cmpint (fleet_command_get_failure (command), ==, FLEET_FAILURE_CONNECTION_LOST);
  assert_contains (fleet_command_get_message (command), "connection lost while the command ran");
  fleet_command_free (command);
}

/* Set the open file limit of the running sshd of sandbox host `index`;
 * the sessions it starts from now on inherit it. */
static void
limit_sshd_files (guint index, rlim_t limit)
{
  g_autofree char *name = fleet_sandbox_host_name (shared_sandbox, index);
  g_autofree char *relative = g_build_filename ("hosts", name, "sshd.pid", NULL);
  g_autofree char *pid_path = fleet_sandbox_path (shared_sandbox, relative);
  g_autofree char *pid_text = NULL;
  struct rlimit files = { .rlim_cur = limit, .rlim_max = limit };

  g_assert_true (g_file_get_contents (pid_path, &pid_text, NULL, NULL));
  g_assert_cmpint (prlimit ((pid_t) g_ascii_strtoll (pid_text, NULL, 10), RLIMIT_NOFILE, &files,
                            NULL), ==, 0);
}

/* An sshd that cannot create the pipes of one more command refuses its
 * exec request: that command fails with the refusal, and the commands
 * already running go on. */
static void
test_command_exec_refused (void)
{
  g_autoptr(FleetHost) host = NULL;
  g_autoptr(FleetSshContext) context = fleet_ssh_context_new ();
  g_autoptr(FleetConnection) connection = NULL;
  g_autoptr(GPtrArray) running = g_ptr_array_new ();
  g_auto(Output) output = { 0 };
  FleetCommand *refused = NULL;

  if (!require_sandbox_hosts (TRANSPORT_HOSTS))
    return;

  set_host_sshd_extra (PLAIN_HOST, "MaxSessions 100\n");
  limit_sshd_files (PLAIN_HOST, 40);
  host = fleet_sandbox_host (shared_sandbox, PLAIN_HOST, "id_ed25519");
  output_init (&output);
  connection = connect_ready (host, context);

  while (refused == NULL)
    {
      FleetCommand *command = start_command (connection, "sleep 30", &output);

      g_assert_cmpuint (running->len, <, 40);
      drive (connection, command_started_or_done, command);
      if (fleet_command_is_done (command))
        refused = command;
      else
        g_ptr_array_add (running, command);
    }

  g_assert_cmpuint (running->len, >, 0);
  g_assert_cmpint (fleet_command_get_failure (refused), ==, FLEET_FAILURE_CHANNEL);
  assert_contains (fleet_command_get_message (refused), "the server refused to run the command");
  g_assert_cmpint (fleet_connection_get_state (connection), ==, FLEET_CONNECTION_READY);
  fleet_command_free (refused);

  for (guint i = 0; i < running->len; i++)
    {
      g_assert_false (fleet_command_is_done (g_ptr_array_index (running, i)));
      fleet_command_free (g_ptr_array_index (running, i));
    }
  drive (connection, helpers_done, connection);
  g_clear_pointer (&connection, fleet_connection_free);
  set_host_sshd_extra (PLAIN_HOST, NULL);
}

/* ---- Connections ---- */

static void
test_connection_invalid_address (void)
{
  g_autoptr(FleetHost) host = fleet_host_new ("bad");
  g_autoptr(FleetSshContext) context = fleet_ssh_context_new ();
  g_autoptr(FleetConnection) connection = fleet_connection_new (host, context);

  host->address = g_strdup ("bad host!");
  host->port = 22;
  host->connect_timeout_ms = 1000;

  g_assert_cmpint (fleet_connection_get_poll_events (connection), ==, 0);
  fleet_connection_start (connection, g_get_monotonic_time ());
  g_assert_cmpint (fleet_connection_get_state (connection), ==, FLEET_CONNECTION_FAILED);
  g_assert_cmpint (fleet_connection_get_failure (connection), ==,
                   FLEET_FAILURE_CONNECTION_FAILED);
  assert_contains (fleet_connection_get_message (connection),
                   "cannot set up an SSH session to bad host! port 22");
  g_assert_cmpint (fleet_connection_deadline_us (connection), ==, G_MAXINT64);
  g_assert_false (fleet_connection_check_idle (connection));
}

/* Connection errors are sorted by the text libssh gives them. */
static void
test_connection_error_classes (void)
{
  g_assert_cmpint (fleet_classify_connect_error ("Failed to resolve hostname x (Name or "
                                                 "service not known)"), ==,
                   FLEET_FAILURE_NAME_RESOLUTION);
  g_assert_cmpint (fleet_classify_connect_error ("Connection refused"), ==,
                   FLEET_FAILURE_CONNECTION_REFUSED);
  g_assert_cmpint (fleet_classify_connect_error ("Timeout connecting to x"), ==,
                   FLEET_FAILURE_CONNECTION_TIMEOUT);
  g_assert_cmpint (fleet_classify_connect_error ("Socket error: disconnected"), ==,
                   FLEET_FAILURE_CONNECTION_FAILED);

  fleet_ssh_context_free (NULL);
}

static gboolean
socket_readable (FleetConnection *connection)
{
  struct pollfd ready = { fleet_connection_get_fd (connection), POLLIN, 0 };

  return poll (&ready, 1, 5000) == 1;
}

/* Without keepalives a quiet connection stays up.  With them, the idle
 * check reads the reply to a keepalive and finds the connection alive.  An
 * idle check before the connection starts finds nothing to check. */
static void
test_connection_keepalive_and_idle (void)
{
  g_autoptr(FleetHost) host = NULL;
  g_autoptr(FleetSshContext) context = fleet_ssh_context_new ();
  g_autoptr(FleetConnection) idle = NULL;
  g_autoptr(FleetConnection) connection = NULL;
  gint64 now;

  if (!require_sandbox_hosts (TRANSPORT_HOSTS))
    return;

  host = fleet_sandbox_host (shared_sandbox, PLAIN_HOST, "id_ed25519");
  idle = fleet_connection_new (host, context);
  g_assert_true (fleet_connection_check_idle (idle));

  host->keepalive_interval_ms = 0;
  connection = connect_ready (host, context);
  fleet_connection_process (connection, g_get_monotonic_time () + G_USEC_PER_SEC, 0);
  g_assert_cmpint (fleet_connection_get_state (connection), ==, FLEET_CONNECTION_READY);
  g_clear_pointer (&connection, fleet_connection_free);

  host->keepalive_interval_ms = 100;
  host->keepalive_count_max = 3;
  connection = connect_ready (host, context);
  now = g_get_monotonic_time ();
  fleet_connection_process (connection, now, 0);
  fleet_connection_process (connection, now + 200 * 1000, 0);
  g_assert_true (socket_readable (connection));
  g_assert_true (fleet_connection_check_idle (connection));
  g_assert_cmpint (fleet_connection_get_state (connection), ==, FLEET_CONNECTION_READY);
}

/* A TCP server on 127.0.0.1 that accepts every connection and closes it at
 * once, before any SSH banner, as sshd does at its MaxStartups limit. */
typedef struct {
  int listen_fd;
  guint16 port;
  GThread *thread;
} ClosingServer;

static gpointer
serve_closing (gpointer data)
{
  ClosingServer *server = data;
  int fd;

  while ((fd = accept (server->listen_fd, NULL, NULL)) >= 0)
    close (fd);
  return NULL;
}

static void
closing_server_start (ClosingServer *server)
{
  struct sockaddr_in address = { .sin_family = AF_INET };
  socklen_t length = sizeof address;

  address.sin_addr.s_addr = htonl (INADDR_LOOPBACK);
  server->listen_fd = socket (AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  g_assert_cmpint (server->listen_fd, >=, 0);
  g_assert_cmpint (bind (server->listen_fd, (struct sockaddr *) &address, sizeof address), ==, 0);
  g_assert_cmpint (listen (server->listen_fd, 16), ==, 0);
  g_assert_cmpint (getsockname (server->listen_fd, (struct sockaddr *) &address, &length), ==, 0);
  server->port = ntohs (address.sin_port);
  server->thread = g_thread_new ("closing-server", serve_closing, server);
}

static void
closing_server_stop (ClosingServer *server)
{
  /* shutdown() wakes the thread from accept(). */
  shutdown (server->listen_fd, SHUT_RDWR);
  g_thread_join (server->thread);
  close (server->listen_fd);
}

/* A server that closes every connection before its banner is retried with
 * growing pauses, until the retries run out or the next pause would pass
 * the connect deadline; the message then points at MaxStartups. */
static void
test_connection_closed_before_banner (void)
{
  g_autoptr(FleetHost) host = fleet_host_new ("closing");
  g_autoptr(FleetSshContext) context = fleet_ssh_context_new ();
  g_autoptr(FleetConnection) patient = NULL;
  g_autoptr(FleetConnection) hurried = NULL;
  ClosingServer server = { 0 };

  closing_server_start (&server);
  host->address = g_strdup ("127.0.0.1");
  host->port = server.port;

  /* The four pauses take at most 4.5 s, well inside 20 s. */
  host->connect_timeout_ms = 20000;
  patient = connect_host (host, context);
  g_assert_cmpint (fleet_connection_get_state (patient), ==, FLEET_CONNECTION_FAILED);
  g_assert_cmpuint (fleet_connection_get_connect_retries (patient), ==, 4);
  assert_contains (fleet_connection_get_message (patient), "check its MaxStartups setting");

  /* The first two pauses alone take at least 600 ms of 700. */
  host->connect_timeout_ms = 700;
  hurried = connect_host (host, context);
  g_assert_cmpint (fleet_connection_get_state (hurried), ==, FLEET_CONNECTION_FAILED);
  g_assert_cmpuint (fleet_connection_get_connect_retries (hurried), <, 4);

  closing_server_stop (&server);
}

/* ---- Host keys ---- */

static char *
sandbox_known_hosts (void)
{
  g_autofree char *path = fleet_sandbox_path (shared_sandbox, "known_hosts");
  char *contents = NULL;

  g_assert_true (g_file_get_contents (path, &contents, NULL, NULL));
  return contents;
}

/* With no known_hosts file set, ~/.ssh/known_hosts is used.  Several files
 * are read together, and a recorded key type that libssh cannot verify is
 * not offered. */
static void
test_host_key_files (void)
{
  g_autoptr(FleetHost) host = NULL;
  g_autoptr(FleetSshContext) context = fleet_ssh_context_new ();
  g_autoptr(FleetConnection) by_default = NULL;
  g_autoptr(FleetConnection) by_two = NULL;
  g_autofree char *known = sandbox_known_hosts ();
  g_autofree char *ssh_dir = g_build_filename (home_dir, ".ssh", NULL);
  g_autofree char *default_file = g_build_filename (ssh_dir, "known_hosts", NULL);
  g_autofree char *extra_file = g_build_filename (home_dir, "extra_known_hosts", NULL);
  g_autofree char *dss_blob = NULL;
  g_autofree char *extra = NULL;
  GByteArray *blob = g_byte_array_new ();
  const guint8 dss_name[] = { 0, 0, 0, 7, 's', 's', 'h', '-', 'd', 's', 's' };
  guint8 filler[32] = { 0 };

  if (!require_sandbox_hosts (TRANSPORT_HOSTS))
    return;

  g_assert_cmpint (g_mkdir_with_parents (ssh_dir, 0700), ==, 0);
  g_assert_true (g_file_set_contents (default_file, known, -1, NULL));

  host = fleet_sandbox_host (shared_sandbox, PLAIN_HOST, "id_ed25519");
  g_ptr_array_set_size (host->known_hosts_files, 0);
  by_default = connect_ready (host, context);

  g_byte_array_append (blob, dss_name, sizeof dss_name);
  g_byte_array_append (blob, filler, sizeof filler);
  dss_blob = g_base64_encode (blob->data, blob->len);
  g_byte_array_unref (blob);
  extra = g_strdup_printf ("[127.0.0.1]:%u ssh-dss %s\n", host->port, dss_blob);
  g_assert_true (g_file_set_contents (extra_file, extra, -1, NULL));

  g_ptr_array_add (host->known_hosts_files, g_strdup (extra_file));
  g_ptr_array_add (host->known_hosts_files, g_strdup ("~/.ssh/known_hosts"));
  by_two = connect_ready (host, context);
}

/* A known_hosts file that cannot be read fails the host before any
 * credential is sent, and so does an accept-new key that cannot be
 * recorded. */
static void
test_host_key_file_errors (void)
{
  g_autoptr(FleetHost) host = NULL;
  g_autoptr(FleetSshContext) context = fleet_ssh_context_new ();
  g_autoptr(FleetConnection) unreadable = NULL;
  g_autoptr(FleetConnection) unrecorded = NULL;

  if (!require_sandbox_hosts (TRANSPORT_HOSTS))
    return;

  host = fleet_sandbox_host (shared_sandbox, PLAIN_HOST, "id_ed25519");
  g_ptr_array_set_size (host->known_hosts_files, 0);
  g_ptr_array_add (host->known_hosts_files, g_strdup (home_dir));
  unreadable = connect_host (host, context);
  g_assert_cmpint (fleet_connection_get_failure (unreadable), ==, FLEET_FAILURE_HOST_KEY_UNKNOWN);
  assert_contains (fleet_connection_get_message (unreadable), "cannot read the known_hosts files");

  /* procfs lets the file be loaded as missing, but not created. */
  g_ptr_array_set_size (host->known_hosts_files, 0);
  g_ptr_array_add (host->known_hosts_files, g_strdup ("/proc/self/fleet-test-known-hosts"));
  host->host_key_policy = FLEET_HOST_KEY_POLICY_ACCEPT_NEW;
  unrecorded = connect_host (host, context);
  g_assert_cmpint (fleet_connection_get_failure (unrecorded), ==, FLEET_FAILURE_HOST_KEY_UNKNOWN);
  assert_contains (fleet_connection_get_message (unrecorded), "cannot record the new host key");
}

/* The public key of an identity file comes from its .pub file, else from
 * the file itself when it is openssh-key-v1; a key file in another format
 * without a .pub file, a damaged one and a missing one give none, so the
 * agent is not limited to a key that cannot be named. */
static void
test_identity_public_blob (void)
{
  g_autofree char *dir = g_dir_make_tmp ("fleet-identity-XXXXXX", NULL);
  g_autofree char *pem = g_build_filename (dir, "id_pem", NULL);
  g_autofree char *damaged = g_build_filename (dir, "id_damaged", NULL);
  g_autofree char *missing = g_build_filename (dir, "id_missing", NULL);
  GBytes *blob;

  g_assert_nonnull (dir);
  g_assert_true (g_file_set_contents (pem, "-----BEGIN RSA PRIVATE KEY-----\nAAAA\n"
                                           "-----END RSA PRIVATE KEY-----\n", -1, NULL));
  g_assert_true (g_file_set_contents (damaged, "-----BEGIN OPENSSH PRIVATE KEY-----\n"
                                               "bm90IGEga2V5\n"
                                               "-----END OPENSSH PRIVATE KEY-----\n", -1, NULL));

  blob = fleet_key_public_file_blob (pem);
  g_assert_null (blob);
  blob = fleet_key_public_file_blob (damaged);
  g_assert_null (blob);
  blob = fleet_key_public_file_blob (missing);
  g_assert_null (blob);

  g_unlink (pem);
  g_unlink (damaged);
  g_rmdir (dir);
}

/* ---- Tunnels driven directly, to a TCP server of the test ---- */

/* Send `signal_number` to the sshd processes that serve connections of
 * sandbox host `index`: the sshd descendants of its listening sshd, found
 * through procfs.  Returns how many were signalled. */
static guint
signal_sshd_sessions (guint index, int signal_number)
{
  g_autofree char *name = fleet_sandbox_host_name (shared_sandbox, index);
  g_autofree char *relative = g_build_filename ("hosts", name, "sshd.pid", NULL);
  g_autofree char *pid_path = fleet_sandbox_path (shared_sandbox, relative);
  g_autofree char *pid_text = NULL;
  g_autoptr(GHashTable) parents = g_hash_table_new (NULL, NULL);
  g_autoptr(GPtrArray) daemons = g_ptr_array_new ();
  g_autoptr(GDir) proc = g_dir_open ("/proc", 0, NULL);
  const char *entry;
  guint signalled = 0;
  int listener;

  g_assert_true (g_file_get_contents (pid_path, &pid_text, NULL, NULL));
  listener = (int) g_ascii_strtoll (pid_text, NULL, 10);
  g_assert_cmpint (listener, >, 1);
  g_assert_nonnull (proc);
  while ((entry = g_dir_read_name (proc)) != NULL)
    {
      g_autofree char *stat_path = g_build_filename ("/proc", entry, "stat", NULL);
      g_autofree char *stat = NULL;
      const char *after_name;
      int pid = (int) g_ascii_strtoll (entry, NULL, 10);

      /* "PID (NAME) STATE PPID ...": NAME may hold spaces and parentheses. */
      if (pid <= 0 || !g_file_get_contents (stat_path, &stat, NULL, NULL)
          || (after_name = strrchr (stat, ')')) == NULL)
        continue;
      g_hash_table_insert (parents, GINT_TO_POINTER (pid),
                           GINT_TO_POINTER ((int) g_ascii_strtoll (after_name + 4, NULL, 10)));
      if (g_str_has_prefix (strchr (stat, '(') + 1, "sshd"))
        g_ptr_array_add (daemons, GINT_TO_POINTER (pid));
    }

  for (guint i = 0; i < daemons->len; i++)
    {
      int pid = GPOINTER_TO_INT (g_ptr_array_index (daemons, i));
      int ancestor = GPOINTER_TO_INT (g_hash_table_lookup (parents, GINT_TO_POINTER (pid)));

      for (guint depth = 0; depth < 8 && ancestor > 1; depth++)
        {
          if (ancestor == listener)
            {
              kill (pid, signal_number);
              signalled++;
              break;
            }
          ancestor = GPOINTER_TO_INT (g_hash_table_lookup (parents, GINT_TO_POINTER (ancestor)));
        }
    }
  return signalled;
}

/* A TCP server on 127.0.0.1 that a tunnel reaches instead of an sshd: it
 * accepts one connection and sends one byte.  Then it echoes what it reads
 * until end of file, or, when `stream` is set, sends without reading until
 * the connection breaks. */
typedef struct {
  int listen_fd;
  guint16 port;
  gboolean stream;
  GThread *thread;
  guint64 echoed;                /* set when the thread ends */
} EchoServer;

static gpointer
serve_echo (gpointer data)
{
  EchoServer *server = data;
  char buffer[65536] = { 0 };
  int fd = accept (server->listen_fd, NULL, NULL);
  ssize_t got;

  g_assert_cmpint (fd, >=, 0);
  g_assert_cmpint (send (fd, "G", 1, MSG_NOSIGNAL), ==, 1);
  if (server->stream)
    while (send (fd, buffer, sizeof buffer, MSG_NOSIGNAL) > 0)
      ;
  while (!server->stream && (got = read (fd, buffer, sizeof buffer)) > 0)
    {
      for (ssize_t done = 0; done < got; )
        {
          ssize_t written = send (fd, buffer + done, got - done, MSG_NOSIGNAL);

          g_assert_cmpint (written, >, 0);
          done += written;
        }
      server->echoed += got;
    }
  close (fd);
  return NULL;
}

static void
echo_server_start (EchoServer *server)
{
  struct sockaddr_in address = { .sin_family = AF_INET };
  socklen_t length = sizeof address;

  address.sin_addr.s_addr = htonl (INADDR_LOOPBACK);
  server->listen_fd = socket (AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  g_assert_cmpint (server->listen_fd, >=, 0);
  g_assert_cmpint (bind (server->listen_fd, (struct sockaddr *) &address, sizeof address), ==, 0);
  g_assert_cmpint (listen (server->listen_fd, 4), ==, 0);
  g_assert_cmpint (getsockname (server->listen_fd, (struct sockaddr *) &address, &length), ==, 0);
  server->port = ntohs (address.sin_port);
  server->thread = g_thread_new ("echo-server", serve_echo, server);
}

/* Wait for the server's thread, which ends at the end of its connection. */
static void
echo_server_join (EchoServer *server)
{
  g_thread_join (server->thread);
  close (server->listen_fd);
}

/* Poll the jump connections and tunnels of `context` for at most
 * `timeout_ms`, then process them. */
static void
drive_context (FleetSshContext *context, int timeout_ms)
{
  guint n = fleet_ssh_context_get_pollfds (context, NULL);
  g_autofree struct pollfd *fds = g_new0 (struct pollfd, n);

  fleet_ssh_context_get_pollfds (context, fds);
  poll (fds, n, timeout_ms);
  fleet_ssh_context_process (context, g_get_monotonic_time (), fds, n);
}

static gboolean
fd_ready (int fd, short events)
{
  struct pollfd ready = { .fd = fd, .events = events };

  return poll (&ready, 1, 0) == 1;
}

/* Give `context` the jump host `jump` (owned by the context's list), and
 * return a tunnel through it to `server`.  `out_fd` receives the session's
 * end of the tunnel once the server's first byte came through it. */
static FleetTunnel *
open_tunnel_to_server (FleetSshContext *context, FleetHost *jump, EchoServer *server,
                       FleetHost **out_target, int *out_fd)
{
  g_autoptr(GPtrArray) jump_hosts = g_ptr_array_new_with_free_func ((GDestroyNotify) fleet_host_free);
  FleetHost *target = fleet_host_new ("echo");
  gint64 give_up_us = g_get_monotonic_time () + 60 * G_USEC_PER_SEC;
  FleetTunnel *tunnel;
  char greeting = 0;

  g_ptr_array_add (jump_hosts, jump);
  fleet_ssh_context_set_jump_hosts (context, jump_hosts);
  target->address = g_strdup ("127.0.0.1");
  target->port = server->port;
  target->proxy_jump = g_strdup (jump->name);

  tunnel = fleet_tunnel_new (context, target, g_get_monotonic_time (), out_fd);
  g_assert_cmpint (*out_fd, >=, 0);
  while (!fd_ready (*out_fd, POLLIN))
    {
      g_assert_cmpint (g_get_monotonic_time (), <, give_up_us);
      drive_context (context, 20);
    }
  g_assert_cmpint (read (*out_fd, &greeting, 1), ==, 1);
  g_assert_cmpint (greeting, ==, 'G');
  *out_target = target;
  return tunnel;
}

/* Drive `context` until it waits on `n` descriptors, for at most 60 s. */
static void
drive_until_pollfds (FleetSshContext *context, guint n)
{
  gint64 give_up_us = g_get_monotonic_time () + 60 * G_USEC_PER_SEC;

  while (fleet_ssh_context_get_pollfds (context, NULL) != n)
    {
      g_assert_cmpint (g_get_monotonic_time (), <, give_up_us);
      drive_context (context, 20);
    }
}

/* While the jump host reads nothing (its sshd is stopped), the tunnel
 * fills the jump channel's window (2 MiB) and then keeps the rest, taking
 * no more from the session.  Once the jump host reads again, every byte
 * arrives and comes back; the session closing its end ends the tunnel. */
static void
test_tunnel_jump_window_full (void)
{
  const gsize window = 2 * 1024 * 1024;
  const gsize total = 3 * 1024 * 1024;
  g_autofree char *chunk = g_malloc (65536);
  g_autoptr(FleetHost) target = NULL;
  EchoServer server = { 0 };
  FleetSshContext *context;
  FleetTunnel *tunnel;
  gsize written = 0;
  gsize echoed = 0;
  guint passes_full = 0;
  gint64 give_up_us;
  int fd;

  if (!require_sandbox_hosts (TRANSPORT_HOSTS))
    return;

  memset (chunk, 'w', 65536);
  echo_server_start (&server);
  context = fleet_ssh_context_new ();
  tunnel = open_tunnel_to_server (context, fleet_sandbox_host (shared_sandbox, JUMP_HOST,
                                                               "id_ed25519"),
                                  &server, &target, &fd);

  /* Past the window, every byte written is waiting in the tunnel or its
   * socket pair; the passes after it find the window full. */
  g_assert_cmpuint (signal_sshd_sessions (JUMP_HOST, SIGSTOP), >, 0);
  give_up_us = g_get_monotonic_time () + 60 * G_USEC_PER_SEC;
  while (written <= window || passes_full++ < 100)
    {
      ssize_t sent = send (fd, chunk, MIN (65536, total - written), MSG_DONTWAIT);

      g_assert_cmpint (g_get_monotonic_time (), <, give_up_us);
      if (sent > 0)
        written += sent;
      drive_context (context, 20);
    }
  g_assert_cmpuint (written, <, total);
  signal_sshd_sessions (JUMP_HOST, SIGCONT);

  give_up_us = g_get_monotonic_time () + 60 * G_USEC_PER_SEC;
  while (echoed < total)
    {
      ssize_t sent = written < total ? send (fd, chunk, MIN (65536, total - written),
                                             MSG_DONTWAIT) : 0;
      ssize_t got = recv (fd, chunk, 65536, MSG_DONTWAIT);

      g_assert_cmpint (g_get_monotonic_time (), <, give_up_us);
      if (sent > 0)
        written += sent;
      if (got > 0)
        echoed += got;
      drive_context (context, 20);
    }
  g_assert_cmpuint (echoed, ==, total);

  /* The session's end closes: the tunnel ends and stops waiting on it. */
  close (fd);
  drive_until_pollfds (context, 1);
  fleet_tunnel_free (tunnel);
  fleet_ssh_context_free (context);
  echo_server_join (&server);
  g_assert_cmpuint (server.echoed, ==, total);
}

/* Channel data that arrives after the session closed its end cannot be
 * passed on: the tunnel ends.  The loop's poll results are from before the
 * close, as when the close happens between the poll and the processing. */
static void
test_tunnel_session_gone_with_data (void)
{
  g_autoptr(FleetHost) target = NULL;
  g_autofree struct pollfd *fds = NULL;
  EchoServer server = { 0 };
  FleetSshContext *context;
  FleetTunnel *tunnel;
  gint64 give_up_us;
  guint n;
  int fd;

  if (!require_sandbox_hosts (TRANSPORT_HOSTS))
    return;

  echo_server_start (&server);
  context = fleet_ssh_context_new ();
  tunnel = open_tunnel_to_server (context, fleet_sandbox_host (shared_sandbox, JUMP_HOST,
                                                               "id_ed25519"),
                                  &server, &target, &fd);

  /* Send a byte for the server to echo, and let the tunnel pass it on. */
  g_assert_cmpint (write (fd, "e", 1), ==, 1);
  n = fleet_ssh_context_get_pollfds (context, NULL);
  g_assert_cmpuint (n, ==, 2);
  fds = g_new0 (struct pollfd, n);
  do
    drive_context (context, 20);
  while (fd_ready (fd, POLLIN) == FALSE && fleet_ssh_context_get_pollfds (context, NULL) == 2);
  g_assert_cmpint (read (fd, fds, 1), ==, 1);

  /* Send another, and poll until its echo reaches the jump connection. */
  g_assert_cmpint (write (fd, "e", 1), ==, 1);
  give_up_us = g_get_monotonic_time () + 60 * G_USEC_PER_SEC;
  for (;;)
    {
      g_assert_cmpint (g_get_monotonic_time (), <, give_up_us);
      fleet_ssh_context_get_pollfds (context, fds);
      poll (fds, n, 20);
      if ((fds[0].revents & POLLIN) != 0 && fds[1].revents == 0)
        break;
      fleet_ssh_context_process (context, g_get_monotonic_time (), fds, n);
    }

  close (fd);
  fleet_ssh_context_process (context, g_get_monotonic_time (), fds, n);
  g_assert_cmpuint (fleet_ssh_context_get_pollfds (context, NULL), ==, 1);

  fleet_tunnel_free (tunnel);
  fleet_ssh_context_free (context);
  echo_server_join (&server);
}

/* A jump connection reset between the loop's poll and its processing is
 * found by the tunnel's write: the tunnel fails at once with the jump
 * host's cause, in the same pass. */
static void
test_tunnel_jump_reset_while_relaying (void)
{
  g_autoptr(FaultProxy) proxy = NULL;
  g_autoptr(FleetHost) target = NULL;
  g_autofree char *known_hosts = g_build_filename (home_dir, "jump_reset_known_hosts", NULL);
  struct pollfd fds[2];
  EchoServer server = { 0 };
  FleetSshContext *context;
  FleetTunnel *tunnel;
  gint64 give_up_us;
  int fd;

  if (!require_sandbox_hosts (TRANSPORT_HOSTS))
    return;

  echo_server_start (&server);
  proxy = fault_proxy_new (GPOINTER_TO_UINT (g_ptr_array_index (shared_sandbox->ports,
                                                                JUMP_HOST)));
  context = fleet_ssh_context_new ();
  tunnel = open_tunnel_to_server (context, host_through_proxy (JUMP_HOST, proxy, known_hosts),
                                  &server, &target, &fd);
  g_assert_cmpuint (fleet_ssh_context_get_pollfds (context, NULL), ==, 2);

  /* Settle until a poll finds nothing to do and libssh has nothing to
   * send; then the session's byte is all that waits. */
  give_up_us = g_get_monotonic_time () + 60 * G_USEC_PER_SEC;
  for (;;)
    {
      g_assert_cmpint (g_get_monotonic_time (), <, give_up_us);
      fleet_ssh_context_get_pollfds (context, fds);
      if (poll (fds, 2, 50) == 0 && (fds[0].events & POLLOUT) == 0)
        break;
      fleet_ssh_context_process (context, g_get_monotonic_time (), fds, 2);
    }
  g_assert_cmpint (write (fd, "x", 1), ==, 1);
  fleet_ssh_context_get_pollfds (context, fds);
  g_assert_cmpint (poll (fds, 2, 10000), ==, 1);
  g_assert_cmpint (fds[0].revents, ==, 0);
  g_assert_cmpint (fds[1].revents & POLLIN, ==, POLLIN);

  fault_proxy_set_fault (proxy, FAULT_CUT, 0);
  {
    struct pollfd reset = { .fd = fds[0].fd, .events = POLLIN };

    g_assert_cmpint (poll (&reset, 1, 10000), ==, 1);
  }
  fleet_ssh_context_process (context, g_get_monotonic_time (), fds, 2);

  g_assert_cmpint (fleet_tunnel_get_failure (tunnel), ==, FLEET_FAILURE_CONNECTION_LOST);
  assert_contains (fleet_tunnel_get_message (tunnel), "via jump host");
  fleet_tunnel_free (tunnel);
  fleet_ssh_context_free (context);
  close (fd);
  echo_server_join (&server);
}

/* A packet from the jump host damaged on the way breaks the jump session
 * while the tunnel relays: the tunnel's next write fails, and the tunnel
 * ends, so the session behind it reads end of file.  The server streams,
 * so that the damaged packet is followed by enough bytes for libssh to
 * check it whatever length it now claims. */
static void
test_tunnel_jump_corrupt_while_relaying (void)
{
  g_autoptr(FaultProxy) proxy = NULL;
  g_autoptr(FleetHost) target = NULL;
  g_autofree char *known_hosts = g_build_filename (home_dir, "jump_corrupt_known_hosts", NULL);
  g_autofree char *chunk = g_malloc0 (4096);
  EchoServer server = { 0 };
  FleetSshContext *context;
  FleetTunnel *tunnel;
  gsize received = 0;
  gboolean corrupted = FALSE;
  gboolean session_eof = FALSE;
  gint64 give_up_us;
  int fd;

  if (!require_sandbox_hosts (TRANSPORT_HOSTS))
    return;

  server.stream = TRUE;
  echo_server_start (&server);
  proxy = fault_proxy_new (GPOINTER_TO_UINT (g_ptr_array_index (shared_sandbox->ports,
                                                                JUMP_HOST)));
  context = fleet_ssh_context_new ();
  tunnel = open_tunnel_to_server (context, host_through_proxy (JUMP_HOST, proxy, known_hosts),
                                  &server, &target, &fd);

  give_up_us = g_get_monotonic_time () + 60 * G_USEC_PER_SEC;
  while (!session_eof)
    {
      ssize_t got;

      /* One byte a pass keeps a write waiting without filling the jump
       * channel's window. */
      g_assert_cmpint (g_get_monotonic_time (), <, give_up_us);
      send (fd, "u", 1, MSG_DONTWAIT | MSG_NOSIGNAL);
      got = recv (fd, chunk, 4096, MSG_DONTWAIT);
      if (got > 0)
        received += got;
      session_eof = got == 0;
      if (!corrupted && received >= 65536)
        {
          fault_proxy_set_fault (proxy, FAULT_CORRUPT, 0);
          corrupted = TRUE;
        }
      drive_context (context, 20);
    }

  g_assert_true (corrupted);
  g_assert_cmpint (fault_proxy_get_fault (proxy), ==, FAULT_NONE);
  fleet_tunnel_free (tunnel);
  fleet_ssh_context_free (context);
  close (fd);
  echo_server_join (&server);
}

int
main (int argc, char **argv)
{
  g_autoptr(GError) error = NULL;
  const char *argv_rm[] = { "rm", "-rf", NULL, NULL };
  int status;

  /* ~/.ssh/known_hosts is the default file; give the tests their own. */
  home_dir = g_dir_make_tmp ("fleet-transport-home-XXXXXX", &error);
  g_assert_no_error (error);
  g_setenv ("HOME", home_dir, TRUE);
  g_unsetenv ("SSH_AUTH_SOCK");
  /* As in fleet-run: a write to a closed socket fails with EPIPE instead of
   * ending the process. */
  signal (SIGPIPE, SIG_IGN);

  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/transport/command/results", test_command_results);
  g_test_add_func ("/transport/command/read-budget", test_command_read_budget);
  g_test_add_func ("/transport/command/large-input", test_command_large_input);
  g_test_add_func ("/transport/command/input-not-read", test_command_input_not_read);
  g_test_add_func ("/transport/command/abort-after-end", test_command_abort_after_end);
  g_test_add_func ("/transport/command/output-closed-before-exit",
                   test_command_output_closed_before_exit);
  g_test_add_func ("/transport/tunnel/free-null", test_tunnel_free_null);
  g_test_add_func ("/transport/failure/codes-round-trip", test_failure_codes_round_trip);
  g_test_add_func ("/transport/command/refused-until-deadline",
                   test_command_refused_until_deadline);
  g_test_add_func ("/transport/command/held-until-released", test_command_held_until_released);
  g_test_add_func ("/transport/command/aborted-while-held", test_command_aborted_while_held);
  g_test_add_func ("/transport/command/freed-while-running", test_command_freed_while_running);
  g_test_add_func ("/transport/command/aborted-before-pid", test_command_aborted_before_pid);
  g_test_add_func ("/transport/command/freed-helper-finishes", test_command_freed_helper_finishes);
  g_test_add_func ("/transport/command/freed-before-channel", test_command_freed_before_channel);
  g_test_add_func ("/transport/command/forced-command-output", test_forced_command_output);
  g_test_add_func ("/transport/command/terminal-refused", test_terminal_refused);
  g_test_add_func ("/transport/connection/freed-under-command", test_connection_freed_under_command);
  g_test_add_func ("/transport/command/kill-helper-times-out", test_kill_helper_times_out);
  g_test_add_func ("/transport/command/connection-lost-during-kill",
                   test_connection_lost_during_kill);
  g_test_add_func ("/transport/command/cut-while-opening", test_command_cut_while_opening);
  g_test_add_func ("/transport/command/corrupt-packet", test_command_corrupt_packet);
  g_test_add_func ("/transport/command/exec-refused", test_command_exec_refused);
  g_test_add_func ("/transport/connection/invalid-address", test_connection_invalid_address);
  g_test_add_func ("/transport/connection/error-classes", test_connection_error_classes);
  g_test_add_func ("/transport/connection/keepalive-and-idle", test_connection_keepalive_and_idle);
  g_test_add_func ("/transport/connection/closed-before-banner",
                   test_connection_closed_before_banner);
  g_test_add_func ("/transport/tunnel/jump-window-full", test_tunnel_jump_window_full);
  g_test_add_func ("/transport/tunnel/session-gone-with-data",
                   test_tunnel_session_gone_with_data);
  g_test_add_func ("/transport/tunnel/jump-reset-while-relaying",
                   test_tunnel_jump_reset_while_relaying);
  g_test_add_func ("/transport/tunnel/jump-corrupt-while-relaying",
                   test_tunnel_jump_corrupt_while_relaying);
  g_test_add_func ("/transport/host-key/files", test_host_key_files);
  g_test_add_func ("/transport/host-key/file-errors", test_host_key_file_errors);
  g_test_add_func ("/transport/identity/public-blob", test_identity_public_blob);

  status = g_test_run ();
  g_clear_pointer (&shared_sandbox, fleet_sandbox_free);
  argv_rm[2] = home_dir;
  fleet_test_spawn (argv_rm, NULL, NULL);
  g_free (home_dir);
  return status;
}
