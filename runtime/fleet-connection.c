/* fleet-connection.c: one pooled SSH session per host, driven without
 * blocking.
 *
 * Each call to fleet_connection_process() calls the non-blocking libssh
 * function of the current stage again; libssh returns SSH_AGAIN until the
 * stage can finish and keeps its own state in between.
 */
#include "runtime/fleet-ssh-private.h"

#include <errno.h>
#include <poll.h>
#include <stdbool.h>
#include <string.h>
#include <unistd.h>
#include <sys/socket.h>

#include <libssh/server.h>  /* ssh_send_keepalive, which clients may use too */
#include <openssl/crypto.h>

#include "runtime/fleet-known-hosts.h"
#include "runtime/fleet-tunnel.h"

/* A server that closes the connection before its banner is usually at its
 * MaxStartups limit, which frees up as other logins finish: such
 * connections are retried this many times, with a doubling pause. */
#define EARLY_CLOSE_RETRIES 4
#define EARLY_CLOSE_FIRST_PAUSE_US (200 * 1000)

static const char *const failure_codes[] = {
  [FLEET_FAILURE_NONE] = "none",
  [FLEET_FAILURE_NAME_RESOLUTION] = "name-resolution",
  [FLEET_FAILURE_CONNECTION_REFUSED] = "connection-refused",
  [FLEET_FAILURE_CONNECTION_TIMEOUT] = "connection-timeout",
  [FLEET_FAILURE_CONNECTION_FAILED] = "connection-failed",
  [FLEET_FAILURE_HOST_KEY_UNKNOWN] = "host-key-unknown",
  [FLEET_FAILURE_HOST_KEY_CHANGED] = "host-key-changed",
  [FLEET_FAILURE_AUTH_FAILED] = "auth-failed",
  [FLEET_FAILURE_IDENTITY_FILE] = "identity-file",
  [FLEET_FAILURE_CHANNEL] = "channel-failure",
  [FLEET_FAILURE_CONNECTION_LOST] = "connection-lost",
  [FLEET_FAILURE_COMMAND_TIMEOUT] = "command-timeout",
  [FLEET_FAILURE_NO_EXIT_STATUS] = "no-exit-status",
  [FLEET_FAILURE_EXIT_SIGNAL] = "exit-signal",
  [FLEET_FAILURE_EXIT_CODE] = "exit-code",
  [FLEET_FAILURE_INTERRUPTED] = "interrupted",
  [FLEET_FAILURE_HOST_KEY_REVOKED] = "host-key-revoked",
  [FLEET_FAILURE_KEY_PASSPHRASE] = "key-passphrase",
  [FLEET_FAILURE_KEY_UNSUPPORTED] = "key-unsupported",
  [FLEET_FAILURE_BECOME_PASSWORD_REQUIRED] = "become-password-required",
  [FLEET_FAILURE_BECOME_PASSWORD_INCORRECT] = "become-password-incorrect",
  [FLEET_FAILURE_CONDITION] = "condition-error",
  [FLEET_FAILURE_TARGET_BUSY] = "target-busy",
  [FLEET_FAILURE_DEPENDENCY] = "dependency-failed",
  [FLEET_FAILURE_BECOME_USER_UNKNOWN] = "become-user-unknown",
};

const char *
fleet_failure_code (FleetFailure failure)
{
  g_return_val_if_fail ((guint) failure < G_N_ELEMENTS (failure_codes), "unknown");
  return failure_codes[failure];
}

gboolean
fleet_failure_from_code (const char *code, FleetFailure *out_failure)
{
  for (guint i = 0; i < G_N_ELEMENTS (failure_codes); i++)
    if (failure_codes[i] != NULL && g_strcmp0 (failure_codes[i], code) == 0)
      {
        *out_failure = (FleetFailure) i;
        return TRUE;
      }
  return FALSE;
}

void
fleet_secret_value_free (char *value)
{
  if (value == NULL)
    return;

  OPENSSL_cleanse (value, strlen (value));
  g_free (value);
}

char *
fleet_expand_home (const char *path)
{
  if (g_str_has_prefix (path, "~/"))
    return g_build_filename (g_get_home_dir (), path + 2, NULL);
  return g_strdup (path);
}

/* Context */

FleetSshContext *
fleet_ssh_context_new (void)
{
  FleetSshContext *context = g_new0 (FleetSshContext, 1);

  context->keys = g_hash_table_new_full (g_str_hash, g_str_equal, g_free,
                                         (GDestroyNotify) fleet_loaded_key_free);
  context->key_errors = g_hash_table_new_full (g_str_hash, g_str_equal, g_free,
                                               (GDestroyNotify) fleet_key_error_free);
  context->known_hosts = g_hash_table_new_full (g_str_hash, g_str_equal, g_free,
                                                (GDestroyNotify) fleet_known_hosts_free);
  context->jumps = g_ptr_array_new ();
  g_mutex_init (&context->lock);
  return context;
}

void
fleet_ssh_context_free (FleetSshContext *context)
{
  if (context == NULL)
    return;

  fleet_jump_pool_free (context);
  g_clear_pointer (&context->handshakes, fleet_handshake_pool_free);
  g_ptr_array_unref (context->jumps);
  g_clear_pointer (&context->jump_hosts, g_ptr_array_unref);
  g_hash_table_unref (context->keys);
  g_hash_table_unref (context->key_errors);
  g_hash_table_unref (context->known_hosts);
  g_mutex_clear (&context->lock);
  g_free (context);
}

void
fleet_ssh_context_set_secret_func (FleetSshContext *context, FleetSecretFunc func,
                                   gpointer user_data)
{
  context->secret_func = func;
  context->secret_data = user_data;
}

void
fleet_ssh_context_set_transport (FleetSshContext *context, FleetTransport *transport)
{
  g_return_if_fail (context->handshakes == NULL);

  context->transport = transport;
}

int
fleet_ssh_context_wait (FleetSshContext *context, struct pollfd *fds, guint n_fds,
                        int timeout_ms, gint64 wake_us, gboolean block)
{
  if (context->transport != NULL)
    return context->transport->vtable->wait (context->transport, fds, n_fds, timeout_ms, wake_us,
                                             block);
  return poll (fds, n_fds, timeout_ms);
}

void
fleet_ssh_context_set_handshake_workers (FleetSshContext *context, guint n_workers,
                                         const FleetClock *clock)
{
  g_return_if_fail (context->handshakes == NULL);

  if (n_workers > 0)
    context->handshakes = fleet_handshake_pool_new (n_workers, clock);
}

/* Connections */

FleetConnection *
fleet_connection_new (const FleetHost *host, FleetSshContext *context)
{
  FleetConnection *connection = g_new0 (FleetConnection, 1);

  connection->host = host;
  connection->context = context;
  connection->state = FLEET_CONNECTION_IDLE;
  connection->auth_attempts = g_string_new (NULL);
  connection->commands = g_ptr_array_new ();
  return connection;
}

/* Let libssh process whatever has arrived on the socket, without waiting. */
static void
take_pending_input (FleetConnection *connection)
{
  ssh_event event = ssh_event_new ();

  if (event != NULL && ssh_event_add_session (event, connection->session) == SSH_OK)
    {
      ssh_event_dopoll (event, 0);
      ssh_event_remove_session (event, connection->session);
    }
  ssh_event_free (event);
}

static void
close_session (FleetConnection *connection)
{
  if (connection->session != NULL)
    {
      /* Input still unread when the socket closes makes the kernel reset
       * the connection, and the server then logs a read error instead of
       * our disconnect: take in what has arrived first. */
      if (ssh_is_connected (connection->session))
        take_pending_input (connection);
      if (ssh_is_connected (connection->session))
        ssh_disconnect (connection->session);
      ssh_free (connection->session);
      connection->session = NULL;
    }

  g_clear_pointer (&connection->tunnel, fleet_tunnel_free);
}

void
fleet_connection_free (FleetConnection *connection)
{
  if (connection == NULL)
    return;

  if (connection->pooled)
    fleet_handshake_pool_reclaim (connection->context->handshakes, connection);
  if (connection->context->transport != NULL)
    connection->context->transport->vtable->connection_close (connection->context->transport,
                                                              connection);

  fleet_commands_free_helpers (connection);
  for (guint i = 0; i < connection->commands->len; i++)
    {
      FleetCommand *command = g_ptr_array_index (connection->commands, i);

      if (command->stage != COMMAND_DONE)
        fleet_command_finish (command, FLEET_FAILURE_CONNECTION_LOST,
                              g_strdup ("the connection was closed while the command ran"));
      command->connection = NULL;
    }
  g_ptr_array_unref (connection->commands);

  close_session (connection);
  g_clear_pointer (&connection->agent_filter, fleet_agent_filter_free);
  g_string_free (connection->auth_attempts, TRUE);
  g_free (connection->recorded_key);
  g_free (connection->message);
  g_free (connection);
}

void
fleet_connection_fail (FleetConnection *connection, FleetFailure failure, char *message)
{
  /* Commands finish first, with the connection's cause in their message,
   * and remove themselves from the list. */
  g_autoptr(GPtrArray) running = g_ptr_array_copy (connection->commands, NULL, NULL);

  connection->state = FLEET_CONNECTION_FAILED;
  connection->failure = failure;
  g_free (connection->message);
  connection->message = message;

  for (guint i = 0; i < running->len; i++)
    {
      FleetCommand *command = g_ptr_array_index (running, i);

      if (command->stage != COMMAND_DONE)
        fleet_command_finish (command, FLEET_FAILURE_CONNECTION_LOST,
                              g_strdup_printf ("connection lost while the command ran: %s",
                                               message));
    }

  /* A failed connection is kept until its owner frees it, but its tunnel
   * is released now, so that the jump connection can close once no live
   * connection uses it. */
  g_clear_pointer (&connection->tunnel, fleet_tunnel_free);
}

FleetFailure
fleet_classify_connect_error (const char *text)
{
  if (strstr (text, "resolve") != NULL || strstr (text, "not known") != NULL)
    return FLEET_FAILURE_NAME_RESOLUTION;
  if (strstr (text, "refused") != NULL)
    return FLEET_FAILURE_CONNECTION_REFUSED;
  if (strstr (text, "timed out") != NULL || strstr (text, "Timeout") != NULL)
    return FLEET_FAILURE_CONNECTION_TIMEOUT;
  return FLEET_FAILURE_CONNECTION_FAILED;
}

/* A server at its MaxStartups limit accepts the TCP connection and closes it
 * before sending its banner; libssh then reports a socket error while it
 * waits for the banner. */
static gboolean
is_early_close (const FleetConnection *connection, const char *text)
{
  return ssh_get_serverbanner (connection->session) == NULL
         && (strstr (text, "disconnected") != NULL || strstr (text, "closed") != NULL
             || strstr (text, "reset") != NULL);
}

const char *
fleet_connection_target (const FleetConnection *connection)
{
  return connection->host->address != NULL ? connection->host->address : connection->host->name;
}

static gboolean
configure_session (FleetConnection *connection)
{
  const FleetHost *host = connection->host;
  unsigned int port = host->port;
  int no_delay = 1;
  int log_level = SSH_LOG_NOLOG;
  bool process_config = false;
  ssh_session session = connection->session;
  g_autofree char *host_keys = fleet_host_key_algorithms (connection);

  /* The plan carries every setting; reading ~/.ssh/config here would make a
   * run depend on the machine it runs on.  Host keys are checked by
   * fleet-host-key.c, so libssh's own known_hosts files are turned off. */
  return ssh_options_set (session, SSH_OPTIONS_PROCESS_CONFIG, &process_config) == SSH_OK
         && ssh_options_set (session, SSH_OPTIONS_HOST, fleet_connection_target (connection)) == SSH_OK
         && ssh_options_set (session, SSH_OPTIONS_PORT, &port) == SSH_OK
         && (host->user == NULL
             || ssh_options_set (session, SSH_OPTIONS_USER, host->user) == SSH_OK)
         && ssh_options_set (session, SSH_OPTIONS_KNOWNHOSTS, "/dev/null") == SSH_OK
         && ssh_options_set (session, SSH_OPTIONS_GLOBAL_KNOWNHOSTS, "/dev/null") == SSH_OK
         && ssh_options_set (session, SSH_OPTIONS_HOSTKEYS, host_keys) == SSH_OK
         && ssh_options_set (session, SSH_OPTIONS_NODELAY, &no_delay) == SSH_OK
         && ssh_options_set (session, SSH_OPTIONS_LOG_VERBOSITY, &log_level) == SSH_OK;
}

/* Route the session through a tunnel to the host's jump host.  The host
 * name and port stay set, so the host key is still looked up under the
 * host's own known_hosts name. */
static gboolean
open_tunnel (FleetConnection *connection)
{
  int fd = -1;
  int rc;

  connection->tunnel = fleet_tunnel_new (connection->context, connection->host,
                                         connection->now_us, &fd);
  if (fleet_tunnel_get_failure (connection->tunnel) != FLEET_FAILURE_NONE)
    {
      fleet_connection_fail (connection, fleet_tunnel_get_failure (connection->tunnel),
                             g_strdup (fleet_tunnel_get_message (connection->tunnel)));
      return FALSE;
    }

  /* libssh 0.10 rejects only a negative descriptor, and a tunnel without a
   * failure always has its socket. */
  rc = ssh_options_set (connection->session, SSH_OPTIONS_FD, &fd);
  g_assert (rc == SSH_OK);
  return TRUE;
}

/* Create the session.  The caller calls ssh_connect() right after, which
 * gives libssh the tunnel's descriptor to close. */
static gboolean
open_session (FleetConnection *connection)
{
  connection->session = ssh_new ();
  if (connection->session == NULL || !configure_session (connection))
    {
      /* libssh 0.10.6 rejects an invalid host name without an error text. */
      const char *reason = connection->session != NULL ? ssh_get_error (connection->session)
                                                      : "out of memory";

      fleet_connection_fail (connection, FLEET_FAILURE_CONNECTION_FAILED,
                             g_strdup_printf ("cannot set up an SSH session to %s port %u: %s",
                                              fleet_connection_target (connection),
                                              connection->host->port,
                                              reason[0] != '\0'
                                                ? reason
                                                : "the SSH library rejected the host name or "
                                                  "another setting; check the host's address"));
      return FALSE;
    }

  if (connection->host->proxy_jump != NULL && !open_tunnel (connection))
    return FALSE;

  ssh_set_blocking (connection->session, 0);
  return TRUE;
}

/* Return when connecting times out.  Through a jump host the connect
 * timeout counts from the moment the first tunnel's channel open was sent:
 * the wait for the jump connection is bounded by the jump host's own
 * timeout.  schedule_retry() fixes the deadline before the first retry. */
static gint64
connect_deadline_us (const FleetConnection *connection)
{
  gint64 opening_us;

  if (connection->tunnel == NULL || connection->connect_retries > 0)
    return connection->connect_deadline_us;

  opening_us = fleet_tunnel_get_opening_us (connection->tunnel);
  if (opening_us == 0)
    return G_MAXINT64;
  return MAX (connection->connect_deadline_us,
              opening_us + (gint64) connection->host->connect_timeout_ms * 1000);
}

/* " through jump host NAME", or "" for a direct connection. */
static char *
describe_route (const FleetConnection *connection)
{
  if (connection->host->proxy_jump == NULL)
    return g_strdup ("");
  return g_strdup_printf (" through jump host %s", connection->host->proxy_jump);
}

/* Jump connections and the connections through them stay on the owner's
 * loop: their tunnels are relayed there. */
static gboolean
handshake_may_be_pooled (const FleetConnection *connection)
{
  const FleetSshContext *context = connection->context;

  return context->handshakes != NULL && connection->host->proxy_jump == NULL
         && (context->jump_hosts == NULL
             || !g_ptr_array_find (context->jump_hosts, connection->host, NULL));
}

void
fleet_connection_start (FleetConnection *connection, gint64 now_us)
{
  g_return_if_fail (connection->state == FLEET_CONNECTION_IDLE);

  connection->now_us = now_us;
  if (connection->context->transport != NULL)
    {
      connection->state = FLEET_CONNECTION_CONNECTING;
      connection->context->transport->vtable->connection_start (connection->context->transport,
                                                                connection, now_us);
      return;
    }

  if (!open_session (connection))
    return;

  connection->state = FLEET_CONNECTION_CONNECTING;
  connection->connect_deadline_us = now_us + (gint64) connection->host->connect_timeout_ms * 1000;
  if (handshake_may_be_pooled (connection))
    fleet_handshake_pool_submit (connection->context->handshakes, connection);
  else
    fleet_connection_advance (connection, now_us, 0);
}

/* Connect again after an early close, if the retries and the connect
 * deadline allow.  Returns FALSE when the caller should fail. */
static gboolean
schedule_retry (FleetConnection *connection, gint64 now_us)
{
  gint64 pause_us;

  if (connection->connect_retries >= EARLY_CLOSE_RETRIES)
    return FALSE;

  pause_us = EARLY_CLOSE_FIRST_PAUSE_US << connection->connect_retries;
  pause_us += g_random_int_range (0, (gint32) (pause_us / 2) + 1);
  if (now_us + pause_us >= connect_deadline_us (connection))
    return FALSE;

  connection->connect_deadline_us = connect_deadline_us (connection);
  connection->connect_retries++;
  connection->retry_at_us = now_us + pause_us;
  close_session (connection);
  return TRUE;
}

static void
connect_step (FleetConnection *connection, gint64 now_us)
{
  g_autofree char *route = NULL;
  const char *text;
  int rc;

  if (connection->session == NULL)
    {
      if (now_us < connection->retry_at_us || !open_session (connection))
        return;
    }

  rc = ssh_connect (connection->session);
  if (rc == SSH_AGAIN)
    return;

  if (rc == SSH_ERROR)
    {
      text = ssh_get_error (connection->session);
      if (is_early_close (connection, text) && schedule_retry (connection, now_us))
        return;

      route = describe_route (connection);
      fleet_connection_fail (connection, fleet_classify_connect_error (text),
                             g_strdup_printf ("cannot connect to %s port %u%s: %s%s",
                                              fleet_connection_target (connection),
                                              connection->host->port, route, text,
                                              connection->connect_retries > 0
                                                ? " (the server closed the connection before "
                                                  "its banner after every retry; check its "
                                                  "MaxStartups setting)"
                                                : ""));
      return;
    }

  if (!fleet_host_key_verify (connection))
    return;

  connection->state = FLEET_CONNECTION_AUTHENTICATING;
  fleet_auth_begin (connection);
}

/* Send keepalives while the peer is silent, and give up on it when
 * keepalive_count_max of them go unanswered.  The server answers every
 * keepalive, so any readable data resets the count. */
static void
check_keepalive (FleetConnection *connection, gint64 now_us, short revents)
{
  gint64 interval_us = (gint64) connection->host->keepalive_interval_ms * 1000;

  if (interval_us == 0)
    return;

  if ((revents & POLLIN) != 0 || connection->last_receive_us == 0)
    {
      connection->last_receive_us = now_us;
      connection->unanswered_keepalives = 0;
      connection->next_keepalive_us = now_us + interval_us;
      return;
    }

  if (now_us < connection->next_keepalive_us)
    return;

  if (connection->unanswered_keepalives >= connection->host->keepalive_count_max)
    {
      fleet_connection_fail (connection, FLEET_FAILURE_CONNECTION_LOST,
                             g_strdup_printf ("%s stopped answering: nothing came back for "
                                              "%u keepalive intervals of %u ms; the host or "
                                              "the network path to it is down",
                                              connection->host->name,
                                              connection->unanswered_keepalives,
                                              connection->host->keepalive_interval_ms));
      return;
    }

  /* libssh sends a new keepalive only once the previous one is answered,
   * so silence is counted in intervals rather than in packets. */
  ssh_send_keepalive (connection->session);
  connection->unanswered_keepalives++;
  connection->next_keepalive_us = now_us + interval_us;
}

/* A tunnel fails before the session notices the closed socket, with the
 * cause the session cannot know: the jump host's failure, or its refusal
 * to open the channel.  Returns TRUE after failing the connection. */
static gboolean
check_tunnel (FleetConnection *connection)
{
  FleetFailure failure;

  if (connection->tunnel == NULL || connection->state == FLEET_CONNECTION_FAILED)
    return FALSE;

  failure = fleet_tunnel_get_failure (connection->tunnel);
  if (failure == FLEET_FAILURE_NONE)
    return FALSE;

  fleet_connection_fail (connection,
                         connection->state == FLEET_CONNECTION_READY
                           ? FLEET_FAILURE_CONNECTION_LOST : failure,
                         g_strdup (fleet_tunnel_get_message (connection->tunnel)));
  return TRUE;
}

gboolean
fleet_connection_handshake_ended (const FleetConnection *connection)
{
  return connection->state == FLEET_CONNECTION_READY
         || connection->state == FLEET_CONNECTION_FAILED;
}

void
fleet_connection_process (FleetConnection *connection, gint64 now_us, short revents)
{
  /* The owner may process a pooled connection at any time (a sweep), and
   * the notification of its return may not have been polled yet. */
  if (connection->pooled)
    fleet_handshake_pool_collect (connection->context->handshakes);
  if (connection->pooled)
    return;

  connection->now_us = now_us;
  if (connection->context->transport != NULL)
    {
      connection->context->transport->vtable->connection_process (connection->context->transport,
                                                                  connection, now_us);
      return;
    }

  connection->landed = FALSE;
  fleet_connection_advance (connection, now_us, revents);
}

void
fleet_connection_advance (FleetConnection *connection, gint64 now_us, short revents)
{
  g_autofree char *route = NULL;

  connection->now_us = now_us;
  if (check_tunnel (connection))
    return;

  if (connection->state == FLEET_CONNECTION_CONNECTING)
    connect_step (connection, now_us);

  if (connection->state == FLEET_CONNECTION_AUTHENTICATING)
    fleet_auth_continue (connection);

  if (connection->state == FLEET_CONNECTION_READY)
    {
      /* libssh asks for POLLOUT after every write and clears the request
       * only when its own poll sees the socket writable.  Without this,
       * an idle connection would wake the loop at once, again and again. */
      if ((revents & POLLOUT) != 0)
        take_pending_input (connection);
      fleet_commands_process (connection, now_us);
      if (connection->state == FLEET_CONNECTION_READY && !ssh_is_connected (connection->session))
        fleet_connection_fail (connection, FLEET_FAILURE_CONNECTION_LOST,
                               g_strdup_printf ("connection lost: %s",
                                                ssh_get_error (connection->session)));
      if (connection->state == FLEET_CONNECTION_READY)
        check_keepalive (connection, now_us, revents);
      return;
    }

  if ((connection->state == FLEET_CONNECTION_CONNECTING
       || connection->state == FLEET_CONNECTION_AUTHENTICATING)
      && now_us >= connect_deadline_us (connection))
    {
      route = describe_route (connection);
      fleet_connection_fail (connection, FLEET_FAILURE_CONNECTION_TIMEOUT,
                             g_strdup_printf ("%s port %u%s did not complete the SSH %s within "
                                              "%u ms", fleet_connection_target (connection),
                                              connection->host->port, route,
                                              connection->state == FLEET_CONNECTION_CONNECTING
                                                ? "connection and handshake" : "authentication",
                                              connection->host->connect_timeout_ms));
    }
}

gboolean
fleet_connection_check_idle (FleetConnection *connection)
{
  struct pollfd pfd = { .events = POLLIN };
  FleetConnectionState state = fleet_connection_get_state (connection);

  if (state != FLEET_CONNECTION_READY || connection->context->transport != NULL)
    return state != FLEET_CONNECTION_FAILED;

  pfd.fd = ssh_get_fd (connection->session);
  if (pfd.fd < 0 || poll (&pfd, 1, 0) <= 0)
    return TRUE;

  /* Let libssh take in what arrived (a keepalive reply, the end of a
   * channel, or the end of the stream). */
  take_pending_input (connection);

  if (ssh_is_connected (connection->session))
    return TRUE;

  fleet_connection_fail (connection, FLEET_FAILURE_CONNECTION_LOST,
                         g_strdup_printf ("the server closed the connection while it was idle: %s",
                                          ssh_get_error (connection->session)));
  return FALSE;
}

/* While a worker drives a connection, its other fields are the worker's:
 * the accessors describe a connection that is still connecting. */

FleetConnectionState
fleet_connection_get_state (const FleetConnection *connection)
{
  return connection->pooled ? FLEET_CONNECTION_CONNECTING : connection->state;
}

const char *
fleet_connection_get_recorded_key (const FleetConnection *connection)
{
  return connection->pooled ? NULL : connection->recorded_key;
}

guint
fleet_connection_get_connect_retries (const FleetConnection *connection)
{
  return connection->pooled ? 0 : connection->connect_retries;
}

FleetFailure
fleet_connection_get_failure (const FleetConnection *connection)
{
  return connection->pooled ? FLEET_FAILURE_NONE : connection->failure;
}

const char *
fleet_connection_get_message (const FleetConnection *connection)
{
  return connection->pooled ? NULL : connection->message;
}

int
fleet_connection_get_fd (const FleetConnection *connection)
{
  return connection->pooled ? -1 : fleet_connection_session_fd (connection);
}

short
fleet_connection_get_poll_events (const FleetConnection *connection)
{
  return connection->pooled ? 0 : fleet_connection_session_events (connection);
}

/* A connection back from the pool is due at once. */
gint64
fleet_connection_deadline_us (const FleetConnection *connection)
{
  if (connection->pooled)
    return G_MAXINT64;
  if (connection->context->transport != NULL)
    return connection->context->transport->vtable->connection_deadline_us (
      connection->context->transport, connection);
  if (connection->landed)
    return G_MININT64;
  return fleet_connection_session_deadline_us (connection);
}

int
fleet_connection_session_fd (const FleetConnection *connection)
{
  if (connection->session == NULL || connection->state == FLEET_CONNECTION_FAILED)
    return -1;
  return ssh_get_fd (connection->session);
}

short
fleet_connection_session_events (const FleetConnection *connection)
{
  int flags;

  if (connection->session == NULL)
    return 0;

  flags = ssh_get_poll_flags (connection->session);
  return POLLIN | ((flags & SSH_WRITE_PENDING) || fleet_commands_want_write (connection)
                     ? POLLOUT : 0);
}

gint64
fleet_connection_session_deadline_us (const FleetConnection *connection)
{
  gint64 deadline = G_MAXINT64;

  if (connection->state == FLEET_CONNECTION_CONNECTING && connection->session == NULL)
    return MIN (connection->retry_at_us, connect_deadline_us (connection));

  if (connection->state == FLEET_CONNECTION_CONNECTING
      || connection->state == FLEET_CONNECTION_AUTHENTICATING)
    return connect_deadline_us (connection);

  if (connection->state != FLEET_CONNECTION_READY)
    return G_MAXINT64;

  if (connection->host->keepalive_interval_ms > 0)
    deadline = connection->next_keepalive_us;

  for (guint i = 0; i < connection->commands->len; i++)
    {
      const FleetCommand *command = g_ptr_array_index (connection->commands, i);

      /* Output left in libssh's buffer makes the socket look idle. */
      if (command->output_pending && command->stage == COMMAND_RUNNING)
        return connection->now_us;
      deadline = MIN (deadline, command->deadline_us);
    }
  return deadline;
}

/* Helpers for other transports (fleet-transport-vtable.h) */

const FleetHost *
fleet_connection_get_host (const FleetConnection *connection)
{
  return connection->host;
}

gpointer
fleet_connection_get_transport_data (const FleetConnection *connection)
{
  return connection->transport_data;
}

void
fleet_connection_set_transport_data (FleetConnection *connection, gpointer data)
{
  connection->transport_data = data;
}

void
fleet_connection_set_ready (FleetConnection *connection)
{
  g_return_if_fail (connection->state == FLEET_CONNECTION_CONNECTING);

  connection->state = FLEET_CONNECTION_READY;
}
