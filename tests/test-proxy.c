/* test-proxy.c: hosts reached through jump hosts (proxy_jump), against real
 * sshd servers on 127.0.0.1.
 *
 * The jump hosts log at DEBUG1, where sshd records every direct-tcpip open
 * with its target port: that is how the tests see that a host was reached
 * through its jump host and not directly.  Every jump host login is an
 * "Accepted publickey" line in its log, which is how they count logins.
 */
#include <errno.h>
#include <netinet/in.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <unistd.h>

#include <glib/gstdio.h>

#include "runtime/fleet-executor.h"
#include "tests/sandbox.h"

#define SANDBOX_HOSTS 8

/* Roles in the shared sandbox (0-based indices). */
#define BASTION 0               /* jump host, LogLevel DEBUG1 */
#define SECOND_HOP 5            /* jump host behind BASTION, LogLevel DEBUG1 */
#define CHAINED_TARGET 6
#define NO_FORWARDING 7         /* jump host with AllowTcpForwarding no */

#define LOGIN_LINE "Accepted publickey for "

static FleetSandbox *shared_sandbox;

typedef struct {
  FleetPlan *plan;
  char *run_dir;
  FleetRunResult *result;
} Fixture;

static void
fixture_set_up (Fixture *fixture, gconstpointer data)
{
  g_autoptr(GError) error = NULL;

  fixture->plan = fleet_plan_new ();
  fixture->plan->workflow_name = g_strdup ("proxy-test");
  fixture->plan->parallelism = 10;
  fixture->run_dir = g_dir_make_tmp ("fleet-run-XXXXXX", &error);
  g_assert_no_error (error);
}

static void
fixture_tear_down (Fixture *fixture, gconstpointer data)
{
  fleet_run_result_free (fixture->result);
  fleet_plan_free (fixture->plan);
  fleet_test_remove_tree (fixture->run_dir);
  g_free (fixture->run_dir);
}

static char *
host_file (guint index, const char *name)
{
  g_autofree char *host = fleet_sandbox_host_name (shared_sandbox, index);
  g_autofree char *relative = g_build_filename ("hosts", host, name, NULL);

  return fleet_sandbox_path (shared_sandbox, relative);
}

static void
set_sshd_extra (guint index, const char *settings)
{
  g_autofree char *path = host_file (index, "sshd_config.extra");

  g_assert_true (g_file_set_contents (path, settings, -1, NULL));
  fleet_sandbox_control (shared_sandbox, "stop", index);
  fleet_sandbox_control (shared_sandbox, "start", index);
}

static gboolean
require_sandbox (void)
{
  g_autofree char *reason = NULL;

  if (shared_sandbox != NULL)
    return TRUE;
  if (!fleet_sandbox_available (&reason))
    {
      g_test_skip (reason);
      return FALSE;
    }

  shared_sandbox = fleet_sandbox_up (SANDBOX_HOSTS);
  set_sshd_extra (BASTION, "LogLevel DEBUG1\n");
  set_sshd_extra (SECOND_HOP, "LogLevel DEBUG1\n");
  set_sshd_extra (NO_FORWARDING, "AllowTcpForwarding no\n");
  return TRUE;
}

static guint
port_of (guint index)
{
  return GPOINTER_TO_UINT (g_ptr_array_index (shared_sandbox->ports, index));
}

/* Return how many lines of host `index`'s sshd log contain `needle`. */
static guint
count_log_lines (guint index, const char *needle)
{
  g_autofree char *path = host_file (index, "sshd.log");
  g_autofree char *log = NULL;
  g_auto(GStrv) lines = NULL;
  guint count = 0;

  g_assert_true (g_file_get_contents (path, &log, NULL, NULL));
  lines = g_strsplit (log, "\n", -1);
  for (char **line = lines; *line != NULL; line++)
    if (strstr (*line, needle) != NULL)
      count++;
  return count;
}

/* The text sshd logs at DEBUG1 for a direct-tcpip open to sandbox host
 * `index`. */
static char *
forward_line (guint index)
{
  return g_strdup_printf ("target 127.0.0.1 port %u", port_of (index));
}

/* Add sandbox host `index` as a jump host of the plan, itself reached
 * through `via` (NULL: directly).  Returns it, owned by the plan. */
static FleetHost *
add_jump_host (Fixture *fixture, guint index, const char *via)
{
  FleetHost *host = fleet_sandbox_host (shared_sandbox, index, "id_ed25519");

  host->proxy_jump = g_strdup (via);
  g_ptr_array_add (fixture->plan->jump_hosts, host);
  return host;
}

/* Add sandbox host `index` as a target reached through `via` (NULL:
 * directly).  Returns it, owned by the plan. */
static FleetHost *
add_target (Fixture *fixture, guint index, const char *via)
{
  FleetHost *host = fleet_sandbox_host (shared_sandbox, index, "id_ed25519");

  host->proxy_jump = g_strdup (via);
  g_ptr_array_add (fixture->plan->hosts, host);
  return host;
}

static void
add_step (Fixture *fixture, const char *name, const char *command, guint64 timeout_ms)
{
  FleetStep *step = fleet_step_new (name, command);

  step->timeout_ms = timeout_ms;
  g_ptr_array_add (fixture->plan->steps, step);
}

/* Put every host of the plan into one wave, which no failure halts, and run
 * it. */
static void
run_plan (Fixture *fixture)
{
  g_autoptr(GError) error = NULL;
  FleetRunOptions options = { .run_id = "proxy-run", .run_dir = fixture->run_dir };
  FleetWave *wave = fleet_wave_new ();

  for (guint32 i = 0; i < fixture->plan->hosts->len; i++)
    g_array_append_val (wave->host_indices, i);
  /* Each host's own outcome is under test, so no failure halts the run. */
  wave->halt_failed = FLEET_THRESHOLD_NEVER;
  wave->halt_unreachable = FLEET_THRESHOLD_NEVER;
  g_ptr_array_add (fixture->plan->waves, wave);

  fixture->result = fleet_execute_plan (fixture->plan, &options, &error);
  g_assert_no_error (error);
  g_assert_nonnull (fixture->result);

  for (guint i = 0; i < fixture->result->hosts->len; i++)
    {
      const FleetHostResult *host = g_ptr_array_index (fixture->result->hosts, i);

      if (host->message != NULL)
        g_test_message ("%s: %s", host->host->name, host->message);
    }
}

static const FleetHostResult *
host_result (const Fixture *fixture, guint plan_index)
{
  return g_ptr_array_index (fixture->result->hosts, plan_index);
}

static char *
read_run_file (const Fixture *fixture, const char *relative)
{
  g_autofree char *path = g_build_filename (fixture->run_dir, relative, NULL);
  g_autoptr(GError) error = NULL;
  char *contents = NULL;

  g_file_get_contents (path, &contents, NULL, &error);
  g_assert_no_error (error);
  return contents;
}

/* Return how many connections host `index`'s sshd closed: sshd logs
 * "Disconnected from user" when the client sent SSH_MSG_DISCONNECT first,
 * "Closing connection to" when the client only closed the socket, and
 * "Connection reset by" when the socket was reset.  One close may log more
 * than one of these, so callers compare with at least. */
static guint
count_closed_connections (guint index)
{
  return count_log_lines (index, "Disconnected from user ")
         + count_log_lines (index, "Closing connection to ")
         + count_log_lines (index, "Connection reset by ");
}

/* Wait, for at most 10 seconds, until host `index`'s sshd has closed
 * `expected` connections: sshd writes its log on its own schedule. */
static guint
wait_for_closed_connections (guint index, guint expected)
{
  guint count = count_closed_connections (index);

  for (guint i = 0; i < 200 && count < expected; i++)
    {
      g_usleep (50 * 1000);
      count = count_closed_connections (index);
    }
  return count;
}

/* Four hosts behind one jump host run their steps, the jump host is logged
 * into once, it opened one direct-tcpip channel per host, and its
 * connection closes once the run is over.  Megabytes of output through the
 * tunnels at once exercise the bounded relay. */
static void
test_shared_bastion (Fixture *fixture, gconstpointer data)
{
  const guint targets[] = { 1, 2, 3, 4 };
  g_autofree char *bastion = NULL;
  guint logins_before;
  guint disconnects_before;
  guint forwards_before[G_N_ELEMENTS (targets)];

  if (!require_sandbox ())
    return;

  bastion = fleet_sandbox_host_name (shared_sandbox, BASTION);
  add_jump_host (fixture, BASTION, NULL);
  for (guint i = 0; i < G_N_ELEMENTS (targets); i++)
    {
      g_autofree char *line = forward_line (targets[i]);

      add_target (fixture, targets[i], bastion);
      forwards_before[i] = count_log_lines (BASTION, line);
    }
  add_step (fixture, "greet", "echo hello from $FLEET_HOST", 30000);
  add_step (fixture, "bulk", "head -c 3145728 /dev/zero | tr '\\0' x", 60000);
  logins_before = count_log_lines (BASTION, LOGIN_LINE);
  disconnects_before = count_closed_connections (BASTION);

  run_plan (fixture);

  g_assert_cmpint (fleet_run_result_exit_status (fixture->result), ==, 0);
  for (guint i = 0; i < G_N_ELEMENTS (targets); i++)
    {
      g_autofree char *name = fleet_sandbox_host_name (shared_sandbox, targets[i]);
      g_autofree char *relative = g_build_filename ("output", name, "01.stdout", NULL);
      g_autofree char *output = read_run_file (fixture, relative);
      g_autofree char *expected = g_strdup_printf ("hello from %s\n", name);
      g_autofree char *line = forward_line (targets[i]);
      const FleetStepResult *bulk = g_ptr_array_index (host_result (fixture, i)->steps, 1);

      g_assert_cmpint (host_result (fixture, i)->outcome, ==, FLEET_HOST_SUCCEEDED);
      g_assert_cmpstr (output, ==, expected);
      g_assert_cmpuint (bulk->stdout_bytes, ==, 3145728);
      g_assert_cmpuint (count_log_lines (BASTION, line) - forwards_before[i], ==, 1);
    }

  g_assert_cmpuint (count_log_lines (BASTION, LOGIN_LINE) - logins_before, ==, 1);
  g_assert_cmpuint (wait_for_closed_connections (BASTION, disconnects_before + 1), >=,
                    disconnects_before + 1);
}

/* A host behind a jump host that is itself behind another: each hop opens
 * a channel to the next one, and the first jump host's one connection also
 * serves a host directly behind it. */
static void
test_two_hop_chain (Fixture *fixture, gconstpointer data)
{
  g_autofree char *first_hop = NULL;
  g_autofree char *second_hop = NULL;
  g_autofree char *to_second_hop = forward_line (SECOND_HOP);
  g_autofree char *to_target = forward_line (CHAINED_TARGET);
  g_autofree char *output = NULL;
  guint first_logins, second_logins, first_forwards, second_forwards;

  if (!require_sandbox ())
    return;

  first_hop = fleet_sandbox_host_name (shared_sandbox, BASTION);
  second_hop = fleet_sandbox_host_name (shared_sandbox, SECOND_HOP);
  add_jump_host (fixture, SECOND_HOP, first_hop);
  add_jump_host (fixture, BASTION, NULL);
  add_target (fixture, CHAINED_TARGET, second_hop);
  add_target (fixture, 1, first_hop);
  add_step (fixture, "greet", "echo hello from $FLEET_HOST", 30000);

  first_logins = count_log_lines (BASTION, LOGIN_LINE);
  second_logins = count_log_lines (SECOND_HOP, LOGIN_LINE);
  first_forwards = count_log_lines (BASTION, to_second_hop);
  second_forwards = count_log_lines (SECOND_HOP, to_target);

  run_plan (fixture);

  g_assert_cmpint (host_result (fixture, 0)->outcome, ==, FLEET_HOST_SUCCEEDED);
  g_assert_cmpint (host_result (fixture, 1)->outcome, ==, FLEET_HOST_SUCCEEDED);
  output = read_run_file (fixture, "output/host07/01.stdout");
  g_assert_cmpstr (output, ==, "hello from host07\n");

  g_assert_cmpuint (count_log_lines (BASTION, to_second_hop) - first_forwards, ==, 1);
  g_assert_cmpuint (count_log_lines (SECOND_HOP, to_target) - second_forwards, ==, 1);
  g_assert_cmpuint (count_log_lines (BASTION, LOGIN_LINE) - first_logins, ==, 1);
  g_assert_cmpuint (count_log_lines (SECOND_HOP, LOGIN_LINE) - second_logins, ==, 1);
}

/* When the first jump host of a chain is down, the host at the end fails
 * with its code and a message that names both hops. */
static void
test_chain_first_hop_down (Fixture *fixture, gconstpointer data)
{
  g_autofree char *first_hop = NULL;
  g_autofree char *second_hop = NULL;
  g_autofree char *expected = NULL;
  const FleetHostResult *result;

  if (!require_sandbox ())
    return;

  first_hop = fleet_sandbox_host_name (shared_sandbox, BASTION);
  second_hop = fleet_sandbox_host_name (shared_sandbox, SECOND_HOP);
  add_jump_host (fixture, BASTION, NULL);
  add_jump_host (fixture, SECOND_HOP, first_hop);
  add_target (fixture, CHAINED_TARGET, second_hop);
  add_step (fixture, "noop", "true", 30000);

  fleet_sandbox_control (shared_sandbox, "stop", BASTION);
  run_plan (fixture);
  fleet_sandbox_control (shared_sandbox, "start", BASTION);

  result = host_result (fixture, 0);
  expected = g_strdup_printf ("via jump host %s: via jump host %s: cannot connect to 127.0.0.1 "
                              "port %u: ", second_hop, first_hop, port_of (BASTION));
  g_assert_cmpint (result->outcome, ==, FLEET_HOST_FAILED);
  g_assert_cmpint (result->failure, ==, FLEET_FAILURE_CONNECTION_REFUSED);
  g_assert_true (g_str_has_prefix (result->message, expected));
}

/* The host's key is checked against the host's own known_hosts entry, by
 * its address and port, even though the TCP connection is the jump
 * host's. */
static void
test_target_host_key_checked (Fixture *fixture, gconstpointer data)
{
  g_autofree char *bastion = NULL;
  g_autofree char *only_bastion = g_build_filename (fixture->run_dir, "only-bastion", NULL);
  g_autofree char *known_hosts = NULL;
  g_autofree char *known_hosts_text = NULL;
  g_autofree char *bastion_prefix = NULL;
  g_autofree char *target_name = NULL;
  g_auto(GStrv) lines = NULL;
  FleetHost *target;
  const FleetHostResult *result;

  if (!require_sandbox ())
    return;

  known_hosts = fleet_sandbox_path (shared_sandbox, "known_hosts");
  g_assert_true (g_file_get_contents (known_hosts, &known_hosts_text, NULL, NULL));
  bastion_prefix = g_strdup_printf ("[127.0.0.1]:%u ", port_of (BASTION));
  lines = g_strsplit (known_hosts_text, "\n", -1);
  for (char **line = lines; *line != NULL; line++)
    if (g_str_has_prefix (*line, bastion_prefix))
      {
        g_autofree char *entry = g_strconcat (*line, "\n", NULL);
        g_assert_true (g_file_set_contents (only_bastion, entry, -1, NULL));
      }
  g_assert_true (g_file_test (only_bastion, G_FILE_TEST_EXISTS));

  bastion = fleet_sandbox_host_name (shared_sandbox, BASTION);
  add_jump_host (fixture, BASTION, NULL);
  target = add_target (fixture, 1, bastion);
  fleet_host_set_known_hosts_file (target, only_bastion);
  add_step (fixture, "noop", "true", 30000);

  run_plan (fixture);

  result = host_result (fixture, 0);
  g_assert_cmpint (result->outcome, ==, FLEET_HOST_FAILED);
  g_assert_cmpint (result->failure, ==, FLEET_FAILURE_HOST_KEY_UNKNOWN);
  target_name = g_strdup_printf ("host key for [127.0.0.1]:%u is not in known_hosts file %s",
                                 port_of (1), only_bastion);
  g_assert_nonnull (strstr (result->message, target_name));
}

/* A jump host whose sshd forbids TCP forwarding fails each host behind it
 * with a message that says so, after a single login; a direct host of the
 * same wave goes on. */
static void
test_forwarding_refused (Fixture *fixture, gconstpointer data)
{
  g_autofree char *bastion = NULL;
  guint logins_before;

  if (!require_sandbox ())
    return;

  bastion = fleet_sandbox_host_name (shared_sandbox, NO_FORWARDING);
  add_jump_host (fixture, NO_FORWARDING, NULL);
  add_target (fixture, 1, bastion);
  add_target (fixture, 2, bastion);
  add_target (fixture, 3, NULL);
  add_step (fixture, "noop", "true", 30000);
  logins_before = count_log_lines (NO_FORWARDING, LOGIN_LINE);

  run_plan (fixture);

  for (guint i = 0; i < 2; i++)
    {
      const FleetHostResult *result = host_result (fixture, i);
      g_autofree char *expected = g_strdup_printf ("jump host %s refused to forward a connection "
                                                   "to 127.0.0.1 port %u", bastion,
                                                   port_of (i + 1));

      g_assert_cmpint (result->outcome, ==, FLEET_HOST_FAILED);
      g_assert_cmpint (result->failure, ==, FLEET_FAILURE_CHANNEL);
      g_assert_cmpuint (result->failed_step, ==, G_MAXUINT);
      g_assert_nonnull (strstr (result->message, expected));
      g_assert_nonnull (strstr (result->message, "AllowTcpForwarding"));
    }
  g_assert_cmpint (host_result (fixture, 2)->outcome, ==, FLEET_HOST_SUCCEEDED);
  g_assert_cmpuint (count_log_lines (NO_FORWARDING, LOGIN_LINE) - logins_before, ==, 1);
}

/* A jump host that refuses connections fails every host behind it with
 * its own cause and journal code, naming it; a direct host goes on. */
static void
test_unreachable_bastion (Fixture *fixture, gconstpointer data)
{
  const guint down = 4;
  g_autofree char *bastion = NULL;
  g_autofree char *journal = NULL;
  g_autofree char *expected = NULL;

  if (!require_sandbox ())
    return;

  bastion = fleet_sandbox_host_name (shared_sandbox, down);
  add_jump_host (fixture, down, NULL);
  add_target (fixture, 1, bastion);
  add_target (fixture, 2, bastion);
  add_target (fixture, 3, NULL);
  add_step (fixture, "noop", "true", 30000);

  fleet_sandbox_control (shared_sandbox, "stop", down);
  run_plan (fixture);
  fleet_sandbox_control (shared_sandbox, "start", down);

  expected = g_strdup_printf ("via jump host %s: cannot connect to 127.0.0.1 port %u: ", bastion,
                              port_of (down));
  for (guint i = 0; i < 2; i++)
    {
      const FleetHostResult *result = host_result (fixture, i);

      g_assert_cmpint (result->outcome, ==, FLEET_HOST_FAILED);
      g_assert_cmpint (result->failure, ==, FLEET_FAILURE_CONNECTION_REFUSED);
      g_assert_true (g_str_has_prefix (result->message, expected));
      g_assert_nonnull (strstr (result->message, "refused"));
    }
  g_assert_cmpint (host_result (fixture, 2)->outcome, ==, FLEET_HOST_SUCCEEDED);

  journal = read_run_file (fixture, "journal.jsonl");
  g_assert_nonnull (strstr (journal, "\"host\":\"host02\",\"outcome\":\"failed\","
                                     "\"error\":\"connection-refused\","
                                     "\"message\":\"via jump host host05: "));
}

/* A jump host that rejects our key fails the hosts behind it with
 * auth-failed, the jump host's cause. */
static void
test_bastion_auth_failed (Fixture *fixture, gconstpointer data)
{
  g_autofree char *bastion = NULL;
  g_autofree char *stranger_key = g_build_filename (fixture->run_dir, "stranger", NULL);
  const char *keygen[] = { "ssh-keygen", "-q", "-t", "ed25519", "-N", "", "-f", stranger_key,
                           NULL };
  g_autofree char *expected = NULL;
  FleetHost *jump;

  if (!require_sandbox ())
    return;

  g_assert_cmpint (fleet_test_spawn (keygen, NULL, NULL), ==, 0);
  bastion = fleet_sandbox_host_name (shared_sandbox, BASTION);
  jump = add_jump_host (fixture, BASTION, NULL);
  fleet_host_set_identity_file (jump, stranger_key);
  jump->identities_only = TRUE;
  add_target (fixture, 1, bastion);
  add_step (fixture, "noop", "true", 30000);

  run_plan (fixture);

  expected = g_strdup_printf ("via jump host %s: authentication as ", bastion);
  g_assert_cmpint (host_result (fixture, 0)->failure, ==, FLEET_FAILURE_AUTH_FAILED);
  g_assert_true (g_str_has_prefix (host_result (fixture, 0)->message, expected));
  g_assert_nonnull (strstr (host_result (fixture, 0)->message, "rejected by the server"));
}

/* A host whose port is closed behind a reachable jump host fails on its
 * own with connection-refused, naming the jump host; its neighbour behind
 * the same jump host goes on. */
static void
test_target_port_closed (Fixture *fixture, gconstpointer data)
{
  const guint closed = 2;
  g_autofree char *bastion = NULL;
  g_autofree char *expected = NULL;
  const FleetHostResult *result;

  if (!require_sandbox ())
    return;

  bastion = fleet_sandbox_host_name (shared_sandbox, BASTION);
  add_jump_host (fixture, BASTION, NULL);
  add_target (fixture, 1, bastion);
  add_target (fixture, closed, bastion);
  add_step (fixture, "noop", "true", 30000);

  fleet_sandbox_control (shared_sandbox, "stop", closed);
  run_plan (fixture);
  fleet_sandbox_control (shared_sandbox, "start", closed);

  g_assert_cmpint (host_result (fixture, 0)->outcome, ==, FLEET_HOST_SUCCEEDED);

  result = host_result (fixture, 1);
  expected = g_strdup_printf ("jump host %s cannot connect to 127.0.0.1 port %u: ", bastion,
                              port_of (closed));
  g_assert_cmpint (result->outcome, ==, FLEET_HOST_FAILED);
  g_assert_cmpint (result->failure, ==, FLEET_FAILURE_CONNECTION_REFUSED);
  g_assert_true (g_str_has_prefix (result->message, expected));
  g_assert_nonnull (strstr (result->message, "refused"));
}

/* Jump hosts that lead back to themselves fail the host behind them with
 * the cycle named, instead of waiting on each other forever. */
static void
test_jump_cycle (Fixture *fixture, gconstpointer data)
{
  g_autofree char *first = NULL;
  g_autofree char *second = NULL;
  g_autofree char *expected = NULL;

  if (!require_sandbox ())
    return;

  first = fleet_sandbox_host_name (shared_sandbox, 5);
  second = fleet_sandbox_host_name (shared_sandbox, 6);
  add_jump_host (fixture, 5, second);
  add_jump_host (fixture, 6, first);
  add_target (fixture, 1, first);
  add_step (fixture, "noop", "true", 30000);
  run_plan (fixture);

  expected = g_strdup_printf ("the jump hosts from \"%s\" lead back to themselves (a proxy_jump "
                              "cycle)", first);
  g_assert_cmpint (host_result (fixture, 0)->failure, ==, FLEET_FAILURE_CONNECTION_FAILED);
  g_assert_cmpstr (host_result (fixture, 0)->message, ==, expected);
}

/* A jump host named by proxy_jump that the plan does not carry is a clear
 * error for the host, not a crash or a hang. */
static void
test_unknown_jump_host (Fixture *fixture, gconstpointer data)
{
  if (!require_sandbox ())
    return;

  add_target (fixture, 1, "bastion-nowhere");
  add_step (fixture, "noop", "true", 30000);
  run_plan (fixture);

  g_assert_cmpint (host_result (fixture, 0)->failure, ==, FLEET_FAILURE_CONNECTION_FAILED);
  g_assert_cmpstr (host_result (fixture, 0)->message, ==,
                   "jump host \"bastion-nowhere\" is not among the plan's jump hosts; add it "
                   "to the inventory");
}

/* A jump host that accepts TCP connections but never answers fails the
 * hosts behind it at its own connect timeout, instead of leaving them to
 * wait for a tunnel that never opens. */
static void
test_silent_bastion (Fixture *fixture, gconstpointer data)
{
  struct sockaddr_in address = { .sin_family = AF_INET, .sin_port = 0 };
  socklen_t length = sizeof address;
  g_autofree char *expected = NULL;
  FleetHost *silent;
  int listener;

  if (!require_sandbox ())
    return;

  /* The kernel completes connections to a listening socket that never
   * accepts them, so the client connects and then hears nothing. */
  address.sin_addr.s_addr = htonl (INADDR_LOOPBACK);
  listener = socket (AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  g_assert_cmpint (listener, >=, 0);
  g_assert_cmpint (bind (listener, (struct sockaddr *) &address, sizeof address), ==, 0);
  g_assert_cmpint (listen (listener, 16), ==, 0);
  g_assert_cmpint (getsockname (listener, (struct sockaddr *) &address, &length), ==, 0);

  silent = add_jump_host (fixture, BASTION, NULL);
  g_free (silent->name);
  silent->name = g_strdup ("bastion-silent");
  silent->port = ntohs (address.sin_port);
  silent->connect_timeout_ms = 1000;
  add_target (fixture, 1, "bastion-silent");
  add_target (fixture, 2, "bastion-silent");
  add_step (fixture, "noop", "true", 30000);

  run_plan (fixture);
  close (listener);

  expected = g_strdup_printf ("via jump host bastion-silent: 127.0.0.1 port %u did not complete "
                              "the SSH connection and handshake within 1000 ms",
                              ntohs (address.sin_port));
  for (guint i = 0; i < 2; i++)
    {
      g_assert_cmpint (host_result (fixture, i)->failure, ==, FLEET_FAILURE_CONNECTION_TIMEOUT);
      g_assert_cmpstr (host_result (fixture, i)->message, ==, expected);
    }
}

/* Process `connections` and `context` once, waiting at most 100 ms. */
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
  poll (fds, connections->len + n_context, 100);

  now = g_get_monotonic_time ();
  fleet_ssh_context_process (context, now, fds + connections->len, n_context);
  for (guint i = 0; i < connections->len; i++)
    fleet_connection_process (g_ptr_array_index (connections, i), now, fds[i].revents);
}

static gboolean
all_connected (GPtrArray *connections)
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
append_output (const char *data, gsize length, gboolean is_stderr, gpointer user_data)
{
  g_string_append_len (user_data, data, length);
}

/* The pooled jump connection outlives the first host's connection, still
 * carrying the second host's commands, and closes once the second is
 * freed, before the context is. */
static void
test_pool_closes_after_last_host (Fixture *fixture, gconstpointer data)
{
  g_autoptr(GPtrArray) jump_hosts = g_ptr_array_new_with_free_func ((GDestroyNotify) fleet_host_free);
  g_autoptr(GPtrArray) connections = g_ptr_array_new ();
  g_autoptr(FleetHost) first = NULL;
  g_autoptr(FleetHost) second = NULL;
  g_autoptr(GString) output = g_string_new (NULL);
  g_autofree char *bastion = NULL;
  FleetCommandSpec spec = { .command_line = "echo still here", .timeout_ms = 30000 };
  FleetSshContext *context;
  FleetConnection *remaining;
  FleetCommand *command;
  guint logins_before, closes_before;
  gint64 give_up_us;

  if (!require_sandbox ())
    return;

  bastion = fleet_sandbox_host_name (shared_sandbox, BASTION);
  g_ptr_array_add (jump_hosts, fleet_sandbox_host (shared_sandbox, BASTION, "id_ed25519"));
  first = fleet_sandbox_host (shared_sandbox, 1, "id_ed25519");
  first->proxy_jump = g_strdup (bastion);
  second = fleet_sandbox_host (shared_sandbox, 2, "id_ed25519");
  second->proxy_jump = g_strdup (bastion);
  logins_before = count_log_lines (BASTION, LOGIN_LINE);

  context = fleet_ssh_context_new ();
  fleet_ssh_context_set_jump_hosts (context, jump_hosts);
  g_ptr_array_add (connections, fleet_connection_new (first, context));
  g_ptr_array_add (connections, fleet_connection_new (second, context));
  for (guint i = 0; i < connections->len; i++)
    fleet_connection_start (g_ptr_array_index (connections, i), g_get_monotonic_time ());
  give_up_us = g_get_monotonic_time () + 60 * G_USEC_PER_SEC;
  while (!all_connected (connections) && g_get_monotonic_time () < give_up_us)
    drive_once (context, connections);
  for (guint i = 0; i < connections->len; i++)
    g_assert_cmpint (fleet_connection_get_state (g_ptr_array_index (connections, i)), ==,
                     FLEET_CONNECTION_READY);

  closes_before = count_closed_connections (BASTION);
  fleet_connection_free (g_ptr_array_steal_index (connections, 0));
  remaining = g_ptr_array_index (connections, 0);
  drive_once (context, connections);

  command = fleet_command_start (remaining, &spec, g_get_monotonic_time (), append_output, output);
  give_up_us = g_get_monotonic_time () + 60 * G_USEC_PER_SEC;
  while (!fleet_command_is_done (command) && g_get_monotonic_time () < give_up_us)
    drive_once (context, connections);
  g_assert_true (fleet_command_is_done (command));
  g_assert_cmpint (fleet_command_get_failure (command), ==, FLEET_FAILURE_NONE);
  g_assert_cmpint (fleet_command_get_exit_status (command), ==, 0);
  g_assert_cmpstr (output->str, ==, "still here\n");
  fleet_command_free (command);
  g_assert_cmpuint (count_closed_connections (BASTION), ==, closes_before);

  fleet_connection_free (g_ptr_array_steal_index (connections, 0));
  drive_once (context, connections);
  g_assert_cmpuint (wait_for_closed_connections (BASTION, closes_before + 1), >=,
                    closes_before + 1);
  fleet_ssh_context_free (context);

  g_assert_cmpuint (count_log_lines (BASTION, LOGIN_LINE) - logins_before, ==, 1);
}

/* Process `context` on every pass but `connections` only on every
 * `reader_interval`th, so the host sessions behind the tunnels read slower
 * than the jump host delivers. */
static void
drive_with_slow_reader (FleetSshContext *context, GPtrArray *connections, guint pass,
                        guint reader_interval)
{
  guint n_context = fleet_ssh_context_get_pollfds (context, NULL);
  g_autofree struct pollfd *fds = g_new0 (struct pollfd, connections->len + n_context);
  gboolean readers_run = pass % reader_interval == 0;
  gint64 now;

  for (guint i = 0; i < connections->len; i++)
    {
      FleetConnection *connection = g_ptr_array_index (connections, i);

      fds[i].fd = readers_run ? fleet_connection_get_fd (connection) : -1;
      fds[i].events = fds[i].fd >= 0 ? fleet_connection_get_poll_events (connection) : 0;
    }
  fleet_ssh_context_get_pollfds (context, fds + connections->len);
  poll (fds, connections->len + n_context, 20);

  now = g_get_monotonic_time ();
  fleet_ssh_context_process (context, now, fds + connections->len, n_context);
  if (readers_run)
    for (guint i = 0; i < connections->len; i++)
      fleet_connection_process (g_ptr_array_index (connections, i), now, fds[i].revents);
}

typedef struct {
  guint64 bytes;
  guint64 unexpected_bytes;      /* bytes other than 'x', or on stderr */
} StreamCount;

static void
count_stream (const char *data, gsize length, gboolean is_stderr, gpointer user_data)
{
  StreamCount *count = user_data;

  count->bytes += length;
  for (gsize i = 0; i < length; i++)
    if (is_stderr || data[i] != 'x')
      count->unexpected_bytes++;
}

/* Start the connections not started yet, failing the test unless all of
 * `connections` become READY within a minute. */
static void
connect_all (FleetSshContext *context, GPtrArray *connections)
{
  gint64 give_up_us = g_get_monotonic_time () + 60 * G_USEC_PER_SEC;

  for (guint i = 0; i < connections->len; i++)
    {
      FleetConnection *connection = g_ptr_array_index (connections, i);

      if (fleet_connection_get_state (connection) == FLEET_CONNECTION_IDLE)
        fleet_connection_start (connection, g_get_monotonic_time ());
    }
  while (!all_connected (connections) && g_get_monotonic_time () < give_up_us)
    drive_once (context, connections);
  for (guint i = 0; i < connections->len; i++)
    g_assert_cmpint (fleet_connection_get_state (g_ptr_array_index (connections, i)), ==,
                     FLEET_CONNECTION_READY);
}

/* Two hosts behind one jump host print 16 MiB each while their sessions
 * read slowly: the relay buffers fill, the tunnels stop taking channel data
 * until the sessions catch up, and every byte arrives once and in order. */
static void
test_tunnel_slow_reader (Fixture *fixture, gconstpointer data)
{
  const guint64 stream_bytes = 16 * 1024 * 1024;
  g_autoptr(GPtrArray) jump_hosts = g_ptr_array_new_with_free_func ((GDestroyNotify) fleet_host_free);
  g_autoptr(GPtrArray) hosts = g_ptr_array_new_with_free_func ((GDestroyNotify) fleet_host_free);
  g_autoptr(GPtrArray) connections = g_ptr_array_new_with_free_func ((GDestroyNotify) fleet_connection_free);
  g_autofree char *bastion = NULL;
  g_autofree char *command_line = g_strdup_printf ("head -c %" G_GUINT64_FORMAT " /dev/zero "
                                                   "| tr '\\0' x", stream_bytes);
  FleetCommandSpec spec = { .command_line = command_line, .timeout_ms = 300000 };
  StreamCount counts[2] = { { 0 } };
  FleetCommand *commands[2];
  FleetSshContext *context;
  gint64 give_up_us;
  guint pass = 0;

  if (!require_sandbox ())
    return;

  bastion = fleet_sandbox_host_name (shared_sandbox, BASTION);
  g_ptr_array_add (jump_hosts, fleet_sandbox_host (shared_sandbox, BASTION, "id_ed25519"));
  context = fleet_ssh_context_new ();
  fleet_ssh_context_set_jump_hosts (context, jump_hosts);
  for (guint i = 0; i < 2; i++)
    {
      FleetHost *host = fleet_sandbox_host (shared_sandbox, 1 + i, "id_ed25519");

      host->proxy_jump = g_strdup (bastion);
      g_ptr_array_add (hosts, host);
      g_ptr_array_add (connections, fleet_connection_new (host, context));
    }
  connect_all (context, connections);

  for (guint i = 0; i < 2; i++)
    commands[i] = fleet_command_start (g_ptr_array_index (connections, i), &spec,
                                       g_get_monotonic_time (), count_stream, &counts[i]);
  give_up_us = g_get_monotonic_time () + 300 * G_USEC_PER_SEC;
  while ((!fleet_command_is_done (commands[0]) || !fleet_command_is_done (commands[1]))
         && g_get_monotonic_time () < give_up_us)
    drive_with_slow_reader (context, connections, pass++, 8);

  for (guint i = 0; i < 2; i++)
    {
      g_assert_true (fleet_command_is_done (commands[i]));
      g_assert_cmpint (fleet_command_get_failure (commands[i]), ==, FLEET_FAILURE_NONE);
      g_assert_cmpint (fleet_command_get_exit_status (commands[i]), ==, 0);
      g_assert_cmpuint (counts[i].bytes, ==, stream_bytes);
      g_assert_cmpuint (counts[i].unexpected_bytes, ==, 0);
      fleet_command_free (commands[i]);
    }

  g_ptr_array_set_size (connections, 0);
  fleet_ssh_context_free (context);
}

/* 8 MiB of input through a jump host reach the command whole and in
 * order: the tunnel passes them on within the jump channel's window. */
static void
test_tunnel_large_input (Fixture *fixture, gconstpointer data)
{
  const gsize input_length = 8 * 1024 * 1024 + 5;
  g_autoptr(GPtrArray) jump_hosts = g_ptr_array_new_with_free_func ((GDestroyNotify) fleet_host_free);
  g_autoptr(GPtrArray) connections = g_ptr_array_new_with_free_func ((GDestroyNotify) fleet_connection_free);
  g_autoptr(FleetHost) host = NULL;
  g_autoptr(GString) output = g_string_new (NULL);
  g_autofree char *bastion = NULL;
  g_autofree char *input = g_malloc (input_length);
  g_autofree char *checksum = NULL;
  g_autofree char *expected = NULL;
  FleetCommandSpec spec = { .command_line = "sha256sum | cut -d' ' -f1", .timeout_ms = 120000 };
  FleetSshContext *context;
  FleetCommand *command;
  gint64 give_up_us;

  if (!require_sandbox ())
    return;

  for (gsize i = 0; i < input_length; i++)
    input[i] = (char) (i * 13 + i / 1000);
  checksum = g_compute_checksum_for_data (G_CHECKSUM_SHA256, (const guchar *) input,
                                          input_length);
  expected = g_strdup_printf ("%s\n", checksum);
  spec.stdin_data = input;
  spec.stdin_length = input_length;

  bastion = fleet_sandbox_host_name (shared_sandbox, BASTION);
  g_ptr_array_add (jump_hosts, fleet_sandbox_host (shared_sandbox, BASTION, "id_ed25519"));
  host = fleet_sandbox_host (shared_sandbox, 1, "id_ed25519");
  host->proxy_jump = g_strdup (bastion);
  context = fleet_ssh_context_new ();
  fleet_ssh_context_set_jump_hosts (context, jump_hosts);
  g_ptr_array_add (connections, fleet_connection_new (host, context));
  connect_all (context, connections);

  command = fleet_command_start (g_ptr_array_index (connections, 0), &spec,
                                 g_get_monotonic_time (), append_output, output);
  give_up_us = g_get_monotonic_time () + 120 * G_USEC_PER_SEC;
  while (!fleet_command_is_done (command) && g_get_monotonic_time () < give_up_us)
    drive_once (context, connections);

  g_assert_true (fleet_command_is_done (command));
  g_assert_cmpint (fleet_command_get_failure (command), ==, FLEET_FAILURE_NONE);
  g_assert_cmpint (fleet_command_get_exit_status (command), ==, 0);
  g_assert_cmpstr (output->str, ==, expected);
  fleet_command_free (command);

  g_ptr_array_set_size (connections, 0);
  fleet_ssh_context_free (context);
}

/* A host whose tunnel cannot get a socket pair, because the process is at
 * its limit of open files, fails with the system's reason; once the limit
 * allows it, the next host goes through the jump host that is already up. */
static void
test_tunnel_out_of_descriptors (Fixture *fixture, gconstpointer data)
{
  g_autoptr(GPtrArray) jump_hosts = g_ptr_array_new_with_free_func ((GDestroyNotify) fleet_host_free);
  g_autoptr(GPtrArray) hosts = g_ptr_array_new_with_free_func ((GDestroyNotify) fleet_host_free);
  g_autoptr(GPtrArray) connections = g_ptr_array_new_with_free_func ((GDestroyNotify) fleet_connection_free);
  g_autoptr(FleetConnection) starved = NULL;
  g_autofree char *bastion = NULL;
  g_autofree char *expected = NULL;
  struct rlimit saved_limit;
  struct rlimit low_limit;
  FleetSshContext *context;
  int lowest_free_fd;

  if (!require_sandbox ())
    return;

  bastion = fleet_sandbox_host_name (shared_sandbox, BASTION);
  g_ptr_array_add (jump_hosts, fleet_sandbox_host (shared_sandbox, BASTION, "id_ed25519"));
  for (guint i = 0; i < 3; i++)
    {
      FleetHost *host = fleet_sandbox_host (shared_sandbox, 1 + i, "id_ed25519");

      host->proxy_jump = g_strdup (bastion);
      g_ptr_array_add (hosts, host);
    }
  context = fleet_ssh_context_new ();
  fleet_ssh_context_set_jump_hosts (context, jump_hosts);
  g_ptr_array_add (connections, fleet_connection_new (g_ptr_array_index (hosts, 0), context));
  connect_all (context, connections);

  /* With the soft limit at the lowest free descriptor, no new one can be
   * created. */
  lowest_free_fd = dup (STDIN_FILENO);
  g_assert_cmpint (lowest_free_fd, >=, 0);
  close (lowest_free_fd);
  g_assert_cmpint (getrlimit (RLIMIT_NOFILE, &saved_limit), ==, 0);
  low_limit = saved_limit;
  low_limit.rlim_cur = lowest_free_fd;
  g_assert_cmpint (setrlimit (RLIMIT_NOFILE, &low_limit), ==, 0);
  starved = fleet_connection_new (g_ptr_array_index (hosts, 1), context);
  fleet_connection_start (starved, g_get_monotonic_time ());
  fleet_connection_process (starved, g_get_monotonic_time (), 0);
  g_assert_cmpint (setrlimit (RLIMIT_NOFILE, &saved_limit), ==, 0);

  expected = g_strdup_printf ("cannot create a socket pair for the tunnel through jump host %s: "
                              "%s", bastion, g_strerror (EMFILE));
  g_assert_cmpint (fleet_connection_get_state (starved), ==, FLEET_CONNECTION_FAILED);
  g_assert_cmpint (fleet_connection_get_failure (starved), ==, FLEET_FAILURE_CONNECTION_FAILED);
  g_assert_cmpstr (fleet_connection_get_message (starved), ==, expected);

  g_ptr_array_add (connections, fleet_connection_new (g_ptr_array_index (hosts, 2), context));
  connect_all (context, connections);

  g_clear_pointer (&starved, fleet_connection_free);
  g_ptr_array_set_size (connections, 0);
  fleet_ssh_context_free (context);
}

/* A host with proxy_jump on a context that was never given jump hosts
 * fails at once, naming the jump host. */
static void
test_context_without_jump_hosts (Fixture *fixture, gconstpointer data)
{
  g_autoptr(FleetHost) host = fleet_host_new ("behind-bastion");
  g_autoptr(FleetSshContext) context = fleet_ssh_context_new ();
  g_autoptr(FleetConnection) connection = NULL;

  host->proxy_jump = g_strdup ("bastion-nowhere");
  connection = fleet_connection_new (host, context);
  fleet_connection_start (connection, g_get_monotonic_time ());
  fleet_connection_process (connection, g_get_monotonic_time (), 0);

  g_assert_cmpint (fleet_connection_get_state (connection), ==, FLEET_CONNECTION_FAILED);
  g_assert_cmpint (fleet_connection_get_failure (connection), ==, FLEET_FAILURE_CONNECTION_FAILED);
  g_assert_cmpstr (fleet_connection_get_message (connection), ==,
                   "jump host \"bastion-nowhere\" is not among the plan's jump hosts; add it "
                   "to the inventory");
}

/* A host behind a healthy jump host that accepts the tunnel's TCP
 * connection but never speaks SSH fails at its connect timeout, with the
 * route in the message. */
static void
test_silent_target (Fixture *fixture, gconstpointer data)
{
  struct sockaddr_in address = { .sin_family = AF_INET, .sin_port = 0 };
  socklen_t length = sizeof address;
  g_autofree char *bastion = NULL;
  g_autofree char *expected = NULL;
  FleetHost *silent;
  int listener;

  if (!require_sandbox ())
    return;

  address.sin_addr.s_addr = htonl (INADDR_LOOPBACK);
  listener = socket (AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  g_assert_cmpint (listener, >=, 0);
  g_assert_cmpint (bind (listener, (struct sockaddr *) &address, sizeof address), ==, 0);
  g_assert_cmpint (listen (listener, 16), ==, 0);
  g_assert_cmpint (getsockname (listener, (struct sockaddr *) &address, &length), ==, 0);

  bastion = fleet_sandbox_host_name (shared_sandbox, BASTION);
  add_jump_host (fixture, BASTION, NULL);
  silent = add_target (fixture, 1, bastion);
  silent->port = ntohs (address.sin_port);
  silent->connect_timeout_ms = 1000;
  add_step (fixture, "noop", "true", 30000);

  run_plan (fixture);
  close (listener);

  expected = g_strdup_printf ("127.0.0.1 port %u through jump host %s did not complete the SSH "
                              "connection and handshake within 1000 ms",
                              ntohs (address.sin_port), bastion);
  g_assert_cmpint (host_result (fixture, 0)->failure, ==, FLEET_FAILURE_CONNECTION_TIMEOUT);
  g_assert_cmpstr (host_result (fixture, 0)->message, ==, expected);
}

/* Kill the processes that serve connections of sandbox host `index`: the
 * sshd descendants of its listening sshd, found through procfs.  Commands
 * that the sessions run are left alone: a command killed before its sshd
 * would be reported by that sshd as killed by a signal, not as a lost
 * connection.  Returns how many were killed. */
static guint
kill_connection_processes (guint index)
{
  g_autofree char *pid_file = host_file (index, "sshd.pid");
  g_autofree char *pid_text = NULL;
  g_autoptr(GHashTable) parents = g_hash_table_new (NULL, NULL);
  g_autoptr(GHashTable) daemons = g_hash_table_new (NULL, NULL);
  g_autoptr(GDir) proc = g_dir_open ("/proc", 0, NULL);
  const char *entry;
  guint killed = 0;
  gint64 listener;

  g_assert_true (g_file_get_contents (pid_file, &pid_text, NULL, NULL));
  listener = g_ascii_strtoll (pid_text, NULL, 10);
  g_assert_cmpint (listener, >, 1);

  g_assert_nonnull (proc);
  while ((entry = g_dir_read_name (proc)) != NULL)
    {
      g_autofree char *stat_path = g_build_filename ("/proc", entry, "stat", NULL);
      g_autofree char *stat = NULL;
      const char *after_name;
      gint64 pid = g_ascii_strtoll (entry, NULL, 10);

      if (pid <= 0 || !g_file_get_contents (stat_path, &stat, NULL, NULL))
        continue;
      /* "PID (NAME) STATE PPID ...": NAME may hold spaces and parentheses. */
      after_name = strrchr (stat, ')');
      if (after_name == NULL)
        continue;
      g_hash_table_insert (parents, GINT_TO_POINTER ((int) pid),
                           GINT_TO_POINTER ((int) g_ascii_strtoll (after_name + 4, NULL, 10)));
      if (g_str_has_prefix (strchr (stat, '(') + 1, "sshd"))
        g_hash_table_add (daemons, GINT_TO_POINTER ((int) pid));
    }

  {
    GHashTableIter iter;
    gpointer pid, parent;

    g_hash_table_iter_init (&iter, parents);
    while (g_hash_table_iter_next (&iter, &pid, &parent))
      {
        int ancestor = GPOINTER_TO_INT (parent);

        if (!g_hash_table_contains (daemons, pid))
          continue;
        for (guint depth = 0; depth < 8 && ancestor > 1; depth++)
          {
            if (ancestor == listener)
              {
                kill (GPOINTER_TO_INT (pid), SIGKILL);
                killed++;
                break;
              }
            ancestor = GPOINTER_TO_INT (g_hash_table_lookup (parents, GINT_TO_POINTER (ancestor)));
          }
      }
  }
  return killed;
}

typedef struct {
  char *started[2];              /* files the steps create once they run */
  guint killed;
} KillerData;

/* Wait, for at most 2 minutes, until both steps run, then kill the jump
 * host's connection. */
static gpointer
kill_bastion_when_running (gpointer user_data)
{
  KillerData *killer = user_data;

  for (guint i = 0; i < 2400; i++)
    {
      if (g_file_test (killer->started[0], G_FILE_TEST_EXISTS)
          && g_file_test (killer->started[1], G_FILE_TEST_EXISTS))
        {
          killer->killed = kill_connection_processes (BASTION);
          return NULL;
        }
      g_usleep (50 * 1000);
    }
  return NULL;
}

/* A jump host whose connection dies while commands run through it fails
 * those commands with connection-lost, naming the jump host. */
static void
test_bastion_dies_mid_run (Fixture *fixture, gconstpointer data)
{
  g_autofree char *bastion = NULL;
  KillerData killer = { 0 };
  GThread *thread;

  if (!require_sandbox ())
    return;

  bastion = fleet_sandbox_host_name (shared_sandbox, BASTION);
  add_jump_host (fixture, BASTION, NULL);
  add_target (fixture, 1, bastion);
  add_target (fixture, 2, bastion);
  add_step (fixture, "long", "touch \"$FLEET_STATE_DIR/started\"; sleep 20", 60000);
  for (guint i = 0; i < 2; i++)
    {
      killer.started[i] = host_file (i + 1, "home/started");
      g_unlink (killer.started[i]);
    }

  thread = g_thread_new ("kill-bastion", kill_bastion_when_running, &killer);
  run_plan (fixture);
  g_thread_join (thread);

  g_assert_cmpuint (killer.killed, >, 0);
  for (guint i = 0; i < 2; i++)
    {
      const FleetHostResult *result = host_result (fixture, i);
      const FleetStepResult *step = g_ptr_array_index (result->steps, 0);
      g_autofree char *expected = g_strdup_printf ("via jump host %s: ", bastion);

      g_assert_cmpint (result->outcome, ==, FLEET_HOST_FAILED);
      g_assert_cmpint (result->failure, ==, FLEET_FAILURE_CONNECTION_LOST);
      g_assert_cmpint (step->failure, ==, FLEET_FAILURE_CONNECTION_LOST);
      g_assert_nonnull (strstr (step->message, expected));
      g_unlink (killer.started[i]);
      g_free (killer.started[i]);
    }
}

typedef struct {
  char *started;                 /* file the step creates once it runs */
  guint index;                   /* sandbox host whose connection is killed */
  guint killed;
} TargetKiller;

/* Wait, for at most 2 minutes, until the step runs, then kill the host's
 * connection processes. */
static gpointer
kill_target_when_running (gpointer user_data)
{
  TargetKiller *killer = user_data;

  for (guint i = 0; i < 2400; i++)
    {
      if (g_file_test (killer->started, G_FILE_TEST_EXISTS))
        {
          killer->killed = kill_connection_processes (killer->index);
          return NULL;
        }
      g_usleep (50 * 1000);
    }
  return NULL;
}

/* A host behind a jump host whose sshd dies in the middle of a command:
 * the jump host ends the tunnel's channel, the host fails with
 * connection-lost, and its neighbour behind the same jump host finishes. */
static void
test_target_dies_mid_run (Fixture *fixture, gconstpointer data)
{
  g_autofree char *bastion = NULL;
  TargetKiller killer = { .index = 1 };
  g_autofree char *neighbour_started = NULL;
  const FleetHostResult *result;
  GThread *thread;

  if (!require_sandbox ())
    return;

  bastion = fleet_sandbox_host_name (shared_sandbox, BASTION);
  add_jump_host (fixture, BASTION, NULL);
  add_target (fixture, 1, bastion);
  add_target (fixture, 2, bastion);
  add_step (fixture, "long", "touch \"$FLEET_STATE_DIR/started\"; sleep 5", 60000);
  killer.started = host_file (1, "home/started");
  neighbour_started = host_file (2, "home/started");
  g_unlink (killer.started);

  thread = g_thread_new ("kill-target", kill_target_when_running, &killer);
  run_plan (fixture);
  g_thread_join (thread);

  g_assert_cmpuint (killer.killed, >, 0);
  result = host_result (fixture, 0);
  g_assert_cmpint (result->outcome, ==, FLEET_HOST_FAILED);
  g_assert_cmpint (result->failure, ==, FLEET_FAILURE_CONNECTION_LOST);
  g_assert_cmpint (host_result (fixture, 1)->outcome, ==, FLEET_HOST_SUCCEEDED);
  g_unlink (killer.started);
  g_unlink (neighbour_started);
  g_free (killer.started);
}

/* A copy reaches a host behind a jump host through the tunnel, whole and
 * with its mode. */
static void
test_copy_through_bastion (Fixture *fixture, gconstpointer data)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *bastion = NULL;
  g_autofree char *line = NULL;
  g_autofree char *directory = NULL;
  g_autofree char *dest = NULL;
  g_autofree char *written = NULL;
  gsize written_length = 0;
  const gsize length = 3 * 1024 * 1024;
  g_autofree guint8 *bytes = g_malloc (length);
  g_autoptr(GBytes) content = NULL;
  FleetStepKindData *kind;
  FleetStep *step;
  GStatBuf info;
  guint forwards_before;

  if (!require_sandbox ())
    return;

  for (gsize i = 0; i < length; i++)
    bytes[i] = (guint8) ((i * 13 + i / 1000) & 0xff);
  content = g_bytes_new (bytes, length);
  directory = g_dir_make_tmp ("test-proxy-copy-XXXXXX", &error);
  g_assert_no_error (error);
  dest = g_build_filename (directory, "app.bin", NULL);

  bastion = fleet_sandbox_host_name (shared_sandbox, BASTION);
  line = forward_line (1);
  forwards_before = count_log_lines (BASTION, line);
  add_jump_host (fixture, BASTION, NULL);
  add_target (fixture, 1, bastion);
  add_step (fixture, "copy", "copy app.bin", 60000);
  step = g_ptr_array_index (fixture->plan->steps, 0);
  kind = step->kind_data = fleet_step_kind_data_new (FLEET_STEP_KIND_COPY);
  kind->source = g_strdup ("app.bin");
  kind->content = g_bytes_ref (content);
  kind->content_sha256 = fleet_sha256_hex (content);
  kind->dest = g_strdup (dest);
  kind->mode = 0640;
  run_plan (fixture);

  g_assert_cmpint (host_result (fixture, 0)->outcome, ==, FLEET_HOST_SUCCEEDED);
  g_assert_cmpuint (count_log_lines (BASTION, line), >, forwards_before);
  g_assert_true (g_file_get_contents (dest, &written, &written_length, NULL));
  g_assert_cmpmem (written, written_length, bytes, length);
  g_assert_cmpint (g_stat (dest, &info), ==, 0);
  g_assert_cmpint (info.st_mode & 07777, ==, 0640);

  g_assert_cmpint (g_unlink (dest), ==, 0);
  g_assert_cmpint (g_rmdir (directory), ==, 0);
}

int
main (int argc, char **argv)
{
  int status;

  g_test_init (&argc, &argv, NULL);

#define ADD(path, func) \
  g_test_add (path, Fixture, NULL, fixture_set_up, func, fixture_tear_down)

  ADD ("/proxy/bastion/shared-login", test_shared_bastion);
  ADD ("/proxy/chain/two-hops", test_two_hop_chain);
  ADD ("/proxy/chain/first-hop-down", test_chain_first_hop_down);
  ADD ("/proxy/chain/cycle", test_jump_cycle);
  ADD ("/proxy/target/host-key-checked", test_target_host_key_checked);
  ADD ("/proxy/bastion/forwarding-refused", test_forwarding_refused);
  ADD ("/proxy/bastion/unreachable", test_unreachable_bastion);
  ADD ("/proxy/bastion/auth-failed", test_bastion_auth_failed);
  ADD ("/proxy/target/port-closed", test_target_port_closed);
  ADD ("/proxy/target/unknown-jump-host", test_unknown_jump_host);
  ADD ("/proxy/bastion/dies-mid-run", test_bastion_dies_mid_run);
  ADD ("/proxy/bastion/silent", test_silent_bastion);
  ADD ("/proxy/pool/closes-after-last-host", test_pool_closes_after_last_host);
  ADD ("/proxy/pool/no-jump-hosts", test_context_without_jump_hosts);
  ADD ("/proxy/tunnel/slow-reader", test_tunnel_slow_reader);
  ADD ("/proxy/tunnel/out-of-descriptors", test_tunnel_out_of_descriptors);
  ADD ("/proxy/tunnel/large-input", test_tunnel_large_input);
  ADD ("/proxy/target/silent", test_silent_target);
  ADD ("/proxy/target/dies-mid-run", test_target_dies_mid_run);
  ADD ("/proxy/bastion/copy", test_copy_through_bastion);

  status = g_test_run ();
  fleet_sandbox_free (shared_sandbox);
  return status;
}
