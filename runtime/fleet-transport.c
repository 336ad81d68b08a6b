/* fleet-transport.c: libssh sessions and channels driven without blocking.
 *
 * Every libssh call of the product is in this file.  Each public entry point
 * calls the non-blocking libssh function for the current stage again; libssh
 * returns SSH_AGAIN until the stage can finish, and keeps its own state in
 * between.
 */
#include "runtime/fleet-transport.h"

#include <errno.h>
#include <poll.h>
#include <stdbool.h>
#include <string.h>

#include <libssh/callbacks.h>
#include <libssh/libssh.h>

#define READ_CHUNK_BYTES (64 * 1024)

typedef enum {
  AUTH_AGENT,
  AUTH_IDENTITY_FILE,
} AuthStage;

typedef enum {
  COMMAND_OPENING,
  COMMAND_EXECUTING,
  COMMAND_RUNNING,
  COMMAND_DONE,
} CommandStage;

struct FleetKeyCache {
  GHashTable *keys;              /* identity file path -> ssh_key */
  GHashTable *errors;            /* identity file path -> char * message */
};

struct FleetConnection {
  const FleetHost *host;
  FleetKeyCache *keys;
  ssh_session session;
  FleetConnectionState state;
  FleetFailure failure;
  char *message;
  gint64 connect_deadline_us;
  AuthStage auth_stage;
  gboolean agent_tried;
  GPtrArray *commands;           /* FleetCommand *, running, borrowed */
};

struct FleetCommand {
  FleetConnection *connection;   /* NULL once the connection is gone */
  ssh_channel channel;
  struct ssh_channel_callbacks_struct callbacks;
  char *command_line;
  CommandStage stage;
  gint64 deadline_us;            /* G_MAXINT64: no timeout */
  gboolean has_exit_status;
  int exit_status;
  char *exit_signal;
  gboolean core_dumped;
  FleetFailure failure;
  char *message;
  guint64 stdout_bytes;
  guint64 stderr_bytes;
  FleetOutputFunc output_func;
  gpointer user_data;
};

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
};

const char *
fleet_failure_code (FleetFailure failure)
{
  g_return_val_if_fail ((guint) failure < G_N_ELEMENTS (failure_codes), "unknown");
  return failure_codes[failure];
}

/* Paths in plans may start with "~/", meaning the home directory of the user
 * who runs fleet-run. */
static char *
expand_home (const char *path)
{
  if (g_str_has_prefix (path, "~/"))
    return g_build_filename (g_get_home_dir (), path + 2, NULL);
  return g_strdup (path);
}

/* Key cache */

FleetKeyCache *
fleet_key_cache_new (void)
{
  FleetKeyCache *cache = g_new0 (FleetKeyCache, 1);

  cache->keys = g_hash_table_new_full (g_str_hash, g_str_equal, g_free,
                                       (GDestroyNotify) ssh_key_free);
  cache->errors = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, g_free);
  return cache;
}

void
fleet_key_cache_free (FleetKeyCache *cache)
{
  if (cache == NULL)
    return;

  g_hash_table_unref (cache->keys);
  g_hash_table_unref (cache->errors);
  g_free (cache);
}

/* Return the private key at `path`, loading it on first use; or NULL with a
 * borrowed message in `out_message`. */
static ssh_key
key_cache_lookup (FleetKeyCache *cache, const char *path, const char **out_message)
{
  g_autofree char *expanded = expand_home (path);
  ssh_key key = g_hash_table_lookup (cache->keys, expanded);
  char *message;

  if (key != NULL)
    return key;

  message = g_hash_table_lookup (cache->errors, expanded);
  if (message == NULL)
    {
      if (!g_file_test (expanded, G_FILE_TEST_EXISTS))
        message = g_strdup_printf ("identity file %s not found", expanded);
      else if (ssh_pki_import_privkey_file (expanded, NULL, NULL, NULL, &key) != SSH_OK)
        message = g_strdup_printf ("cannot load identity file %s: it is not a private key "
                                   "or it is encrypted; load an encrypted key into ssh-agent",
                                   expanded);

      if (key != NULL)
        {
          g_hash_table_insert (cache->keys, g_steal_pointer (&expanded), key);
          return key;
        }
      g_hash_table_insert (cache->errors, g_steal_pointer (&expanded), message);
    }

  *out_message = message;
  return NULL;
}

/* Connections */

FleetConnection *
fleet_connection_new (const FleetHost *host, FleetKeyCache *keys)
{
  FleetConnection *connection = g_new0 (FleetConnection, 1);

  connection->host = host;
  connection->keys = keys;
  connection->state = FLEET_CONNECTION_IDLE;
  connection->commands = g_ptr_array_new ();
  return connection;
}

static void command_finish (FleetCommand *command, FleetFailure failure, char *message);

void
fleet_connection_free (FleetConnection *connection)
{
  if (connection == NULL)
    return;

  for (guint i = 0; i < connection->commands->len; i++)
    {
      FleetCommand *command = g_ptr_array_index (connection->commands, i);

      if (command->stage != COMMAND_DONE)
        command_finish (command, FLEET_FAILURE_CONNECTION_LOST,
                        g_strdup ("the connection was closed while the command ran"));
      command->connection = NULL;
    }
  g_ptr_array_unref (connection->commands);

  if (connection->session != NULL)
    {
      if (ssh_is_connected (connection->session))
        ssh_disconnect (connection->session);
      ssh_free (connection->session);
    }

  g_free (connection->message);
  g_free (connection);
}

static void
connection_fail (FleetConnection *connection, FleetFailure failure, char *message)
{
  connection->state = FLEET_CONNECTION_FAILED;
  connection->failure = failure;
  g_free (connection->message);
  connection->message = message;

  for (guint i = 0; i < connection->commands->len; i++)
    {
      FleetCommand *command = g_ptr_array_index (connection->commands, i);

      if (command->stage != COMMAND_DONE)
        command_finish (command, FLEET_FAILURE_CONNECTION_LOST,
                        g_strdup_printf ("connection lost while the command ran: %s", message));
    }
}

/* Sort a libssh connection error into a failure class by its text, which is
 * all libssh 0.10 offers: it has no error codes for these cases. */
static FleetFailure
classify_connect_error (const char *text)
{
  if (strstr (text, "resolve") != NULL || strstr (text, "not known") != NULL)
    return FLEET_FAILURE_NAME_RESOLUTION;
  if (strstr (text, "refused") != NULL)
    return FLEET_FAILURE_CONNECTION_REFUSED;
  if (strstr (text, "timed out") != NULL || strstr (text, "Timeout") != NULL)
    return FLEET_FAILURE_CONNECTION_TIMEOUT;
  return FLEET_FAILURE_CONNECTION_FAILED;
}

static const char *
connection_target (const FleetConnection *connection)
{
  return connection->host->address != NULL ? connection->host->address : connection->host->name;
}

static gboolean
configure_session (FleetConnection *connection)
{
  const FleetHost *host = connection->host;
  g_autofree char *known_hosts = expand_home (host->known_hosts_file != NULL
                                                ? host->known_hosts_file
                                                : "~/.ssh/known_hosts");
  unsigned int port = host->port;
  int no_delay = 1;
  int log_level = SSH_LOG_NOLOG;
  bool process_config = false;
  ssh_session session = connection->session;

  /* The plan carries every setting; reading ~/.ssh/config here would make a
   * run depend on the machine it runs on. */
  return ssh_options_set (session, SSH_OPTIONS_PROCESS_CONFIG, &process_config) == SSH_OK
         && ssh_options_set (session, SSH_OPTIONS_HOST, connection_target (connection)) == SSH_OK
         && ssh_options_set (session, SSH_OPTIONS_PORT, &port) == SSH_OK
         && (host->user == NULL
             || ssh_options_set (session, SSH_OPTIONS_USER, host->user) == SSH_OK)
         && ssh_options_set (session, SSH_OPTIONS_KNOWNHOSTS, known_hosts) == SSH_OK
         && ssh_options_set (session, SSH_OPTIONS_GLOBAL_KNOWNHOSTS, "/dev/null") == SSH_OK
         && ssh_options_set (session, SSH_OPTIONS_NODELAY, &no_delay) == SSH_OK
         && ssh_options_set (session, SSH_OPTIONS_LOG_VERBOSITY, &log_level) == SSH_OK;
}

void
fleet_connection_start (FleetConnection *connection, gint64 now_us)
{
  g_return_if_fail (connection->state == FLEET_CONNECTION_IDLE);

  connection->session = ssh_new ();
  if (connection->session == NULL || !configure_session (connection))
    {
      connection_fail (connection, FLEET_FAILURE_CONNECTION_FAILED,
                       g_strdup_printf ("cannot set up an SSH session: %s",
                                        connection->session != NULL
                                          ? ssh_get_error (connection->session)
                                          : "out of memory"));
      return;
    }

  ssh_set_blocking (connection->session, 0);
  connection->state = FLEET_CONNECTION_CONNECTING;
  connection->connect_deadline_us = now_us + (gint64) connection->host->connect_timeout_ms * 1000;
  fleet_connection_process (connection, now_us);
}

static char *
key_fingerprint (ssh_key key)
{
  unsigned char *hash = NULL;
  size_t hash_length = 0;
  char *fingerprint;
  char *result;

  if (ssh_get_publickey_hash (key, SSH_PUBLICKEY_HASH_SHA256, &hash, &hash_length) != SSH_OK)
    return g_strdup ("(unknown fingerprint)");

  fingerprint = ssh_get_fingerprint_hash (SSH_PUBLICKEY_HASH_SHA256, hash, hash_length);
  result = g_strdup_printf ("%s %s", ssh_key_type_to_char (ssh_key_type (key)), fingerprint);
  ssh_string_free_char (fingerprint);
  ssh_clean_pubkey_hash (&hash);
  return result;
}

/* The name OpenSSH writes in known_hosts for this host and port. */
static char *
known_hosts_name (const FleetConnection *connection)
{
  if (connection->host->port == FLEET_DEFAULT_SSH_PORT)
    return g_strdup (connection_target (connection));
  return g_strdup_printf ("[%s]:%u", connection_target (connection), connection->host->port);
}

/* Return "LINE: TYPE SHA256:..." for the first line of `file` that records a
 * key for `name`, or NULL.  libssh 0.10 reports that a key changed but not
 * which recorded key it compared with, and the admin needs both. */
static char *
find_recorded_key (const char *file, const char *name)
{
  g_autofree char *contents = NULL;
  g_auto(GStrv) lines = NULL;

  if (!g_file_get_contents (file, &contents, NULL, NULL))
    return NULL;

  lines = g_strsplit (contents, "\n", -1);
  for (guint i = 0; lines[i] != NULL; i++)
    {
      struct ssh_knownhosts_entry *entry = NULL;
      char *result = NULL;

      if (lines[i][0] == '\0' || lines[i][0] == '#')
        continue;
      if (ssh_known_hosts_parse_line (name, lines[i], &entry) == SSH_OK && entry != NULL
          && entry->publickey != NULL)
        {
          g_autofree char *fingerprint = key_fingerprint (entry->publickey);
          result = g_strdup_printf ("%s (line %u)", fingerprint, i + 1);
        }
      ssh_knownhosts_entry_free (entry);
      if (result != NULL)
        return result;
    }
  return NULL;
}

static gboolean
verify_host_key (FleetConnection *connection)
{
  ssh_key server_key = NULL;
  struct ssh_knownhosts_entry *entry = NULL;
  enum ssh_known_hosts_e state;
  g_autofree char *presented = NULL;
  g_autofree char *recorded = NULL;
  g_autofree char *name = known_hosts_name (connection);
  g_autofree char *file = expand_home (connection->host->known_hosts_file != NULL
                                         ? connection->host->known_hosts_file
                                         : "~/.ssh/known_hosts");

  if (ssh_get_server_publickey (connection->session, &server_key) != SSH_OK)
    {
      connection_fail (connection, FLEET_FAILURE_CONNECTION_FAILED,
                       g_strdup_printf ("the server sent no host key: %s",
                                        ssh_get_error (connection->session)));
      return FALSE;
    }
  presented = key_fingerprint (server_key);
  ssh_key_free (server_key);

  state = ssh_session_get_known_hosts_entry (connection->session, &entry);
  ssh_knownhosts_entry_free (entry);
  if (state == SSH_KNOWN_HOSTS_CHANGED || state == SSH_KNOWN_HOSTS_OTHER)
    recorded = find_recorded_key (file, name);

  switch (state)
    {
    case SSH_KNOWN_HOSTS_OK:
      return TRUE;

    case SSH_KNOWN_HOSTS_CHANGED:
    case SSH_KNOWN_HOSTS_OTHER:
      connection_fail (connection, FLEET_FAILURE_HOST_KEY_CHANGED,
                       g_strdup_printf ("host key for %s has changed: %s records %s, the server "
                                        "presents %s; if the host was reinstalled, verify the new "
                                        "key and replace the old one (ssh-keygen -R '%s' -f %s)",
                                        name, file, recorded != NULL ? recorded : "another key",
                                        presented, name, file));
      return FALSE;

    case SSH_KNOWN_HOSTS_NOT_FOUND:
      connection_fail (connection, FLEET_FAILURE_HOST_KEY_UNKNOWN,
                       g_strdup_printf ("known_hosts file %s not found or not readable, so the "
                                        "host key of %s (%s) cannot be verified; check the "
                                        "known_hosts_file setting", file, name, presented));
      return FALSE;

    case SSH_KNOWN_HOSTS_UNKNOWN:
      connection_fail (connection, FLEET_FAILURE_HOST_KEY_UNKNOWN,
                       g_strdup_printf ("host key for %s is not in %s: the server presents %s; "
                                        "verify it out of band and add it to that file",
                                        name, file, presented));
      return FALSE;

    case SSH_KNOWN_HOSTS_ERROR:
    default:
      connection_fail (connection, FLEET_FAILURE_HOST_KEY_UNKNOWN,
                       g_strdup_printf ("cannot check the host key for %s against %s: %s",
                                        name, file, ssh_get_error (connection->session)));
      return FALSE;
    }
}

static gboolean
agent_available (void)
{
  const char *socket_path = g_getenv ("SSH_AUTH_SOCK");

  return socket_path != NULL && socket_path[0] != '\0';
}

static void
auth_failed (FleetConnection *connection, const char *reason)
{
  const char *user = connection->host->user != NULL ? connection->host->user : g_get_user_name ();

  connection_fail (connection, FLEET_FAILURE_AUTH_FAILED,
                   g_strdup_printf ("authentication as %s failed: %s; tried %s%s%s", user, reason,
                                    connection->agent_tried ? "ssh-agent" : "",
                                    connection->agent_tried && connection->host->identity_file
                                      ? " and " : "",
                                    connection->host->identity_file != NULL
                                      ? connection->host->identity_file : ""));
}

/* Offer the host's identity file.  Returns TRUE when authentication has
 * finished, successfully or not. */
static gboolean
authenticate_with_identity_file (FleetConnection *connection)
{
  const char *message = NULL;
  ssh_key key = key_cache_lookup (connection->keys, connection->host->identity_file, &message);
  g_autofree char *fingerprint = NULL;
  g_autofree char *reason = NULL;
  int rc;

  if (key == NULL)
    {
      connection_fail (connection, FLEET_FAILURE_IDENTITY_FILE, g_strdup (message));
      return TRUE;
    }

  rc = ssh_userauth_publickey (connection->session, NULL, key);
  if (rc == SSH_AUTH_AGAIN)
    return FALSE;
  if (rc == SSH_AUTH_SUCCESS)
    {
      connection->state = FLEET_CONNECTION_READY;
      return TRUE;
    }
  if (rc == SSH_AUTH_ERROR)
    {
      connection_fail (connection, FLEET_FAILURE_CONNECTION_LOST,
                       g_strdup_printf ("connection lost during authentication: %s",
                                        ssh_get_error (connection->session)));
      return TRUE;
    }

  fingerprint = key_fingerprint (key);
  reason = g_strdup_printf ("the server rejected the key %s", fingerprint);
  auth_failed (connection, reason);
  return TRUE;
}

/* Return TRUE when authentication has finished, successfully or not. */
static gboolean
authenticate (FleetConnection *connection)
{
  int rc;

  if (connection->auth_stage == AUTH_AGENT)
    {
      connection->agent_tried = TRUE;
      rc = ssh_userauth_agent (connection->session, NULL);
      if (rc == SSH_AUTH_AGAIN)
        return FALSE;
      if (rc == SSH_AUTH_SUCCESS)
        {
          connection->state = FLEET_CONNECTION_READY;
          return TRUE;
        }
      if (rc == SSH_AUTH_ERROR && !ssh_is_connected (connection->session))
        {
          connection_fail (connection, FLEET_FAILURE_CONNECTION_LOST,
                           g_strdup_printf ("connection lost during authentication: %s",
                                            ssh_get_error (connection->session)));
          return TRUE;
        }
      connection->auth_stage = AUTH_IDENTITY_FILE;
    }

  if (connection->host->identity_file == NULL)
    {
      auth_failed (connection, connection->agent_tried
                                 ? "the agent offered no key the server accepts, and the "
                                   "inventory names no identity file"
                                 : "no ssh-agent is running and the inventory names no "
                                   "identity file");
      return TRUE;
    }

  return authenticate_with_identity_file (connection);
}

static void process_commands (FleetConnection *connection, gint64 now_us);

void
fleet_connection_process (FleetConnection *connection, gint64 now_us)
{
  int rc;

  if (connection->state == FLEET_CONNECTION_CONNECTING)
    {
      rc = ssh_connect (connection->session);
      if (rc == SSH_ERROR)
        {
          const char *text = ssh_get_error (connection->session);
          connection_fail (connection, classify_connect_error (text),
                           g_strdup_printf ("cannot connect to %s port %u: %s",
                                            connection_target (connection),
                                            connection->host->port, text));
          return;
        }
      if (rc == SSH_AGAIN)
        goto check_deadline;

      if (!verify_host_key (connection))
        return;
      connection->state = FLEET_CONNECTION_AUTHENTICATING;
      connection->auth_stage = agent_available () ? AUTH_AGENT : AUTH_IDENTITY_FILE;
    }

  if (connection->state == FLEET_CONNECTION_AUTHENTICATING)
    {
      if (!authenticate (connection))
        goto check_deadline;
    }

  if (connection->state == FLEET_CONNECTION_READY)
    process_commands (connection, now_us);
  return;

check_deadline:
  if (now_us >= connection->connect_deadline_us)
    connection_fail (connection, FLEET_FAILURE_CONNECTION_TIMEOUT,
                     g_strdup_printf ("%s port %u did not complete the SSH %s within %u ms",
                                      connection_target (connection), connection->host->port,
                                      connection->state == FLEET_CONNECTION_CONNECTING
                                        ? "connection and handshake" : "authentication",
                                      connection->host->connect_timeout_ms));
}

FleetConnectionState
fleet_connection_get_state (const FleetConnection *connection)
{
  return connection->state;
}

FleetFailure
fleet_connection_get_failure (const FleetConnection *connection)
{
  return connection->failure;
}

const char *
fleet_connection_get_message (const FleetConnection *connection)
{
  return connection->message;
}

int
fleet_connection_get_fd (const FleetConnection *connection)
{
  if (connection->session == NULL || connection->state == FLEET_CONNECTION_FAILED)
    return -1;
  return ssh_get_fd (connection->session);
}

short
fleet_connection_get_poll_events (const FleetConnection *connection)
{
  int flags;

  if (connection->session == NULL)
    return 0;

  flags = ssh_get_poll_flags (connection->session);
  return POLLIN | ((flags & SSH_WRITE_PENDING) ? POLLOUT : 0);
}

gint64
fleet_connection_deadline_us (const FleetConnection *connection)
{
  gint64 deadline = G_MAXINT64;

  if (connection->state == FLEET_CONNECTION_CONNECTING
      || connection->state == FLEET_CONNECTION_AUTHENTICATING)
    return connection->connect_deadline_us;

  for (guint i = 0; i < connection->commands->len; i++)
    {
      const FleetCommand *command = g_ptr_array_index (connection->commands, i);
      deadline = MIN (deadline, command->deadline_us);
    }
  return deadline;
}

/* Commands */

static void
on_exit_status (ssh_session session, ssh_channel channel, int exit_status, void *user_data)
{
  FleetCommand *command = user_data;

  command->has_exit_status = TRUE;
  command->exit_status = exit_status;
}

static void
on_exit_signal (ssh_session session, ssh_channel channel, const char *signal_name, int core,
                const char *errmsg, const char *lang, void *user_data)
{
  FleetCommand *command = user_data;

  g_free (command->exit_signal);
  command->exit_signal = g_strdup (signal_name != NULL && signal_name[0] != '\0'
                                     ? signal_name : "UNKNOWN");
  command->core_dumped = core != 0;
}

FleetCommand *
fleet_command_start (FleetConnection *connection,
                     const char *command_line,
                     guint64 timeout_ms,
                     gint64 now_us,
                     FleetOutputFunc output_func,
                     gpointer user_data)
{
  FleetCommand *command;

  g_return_val_if_fail (connection->state == FLEET_CONNECTION_READY, NULL);

  command = g_new0 (FleetCommand, 1);
  command->connection = connection;
  command->command_line = g_strdup (command_line);
  command->exit_status = -1;
  command->deadline_us = timeout_ms > 0 ? now_us + (gint64) timeout_ms * 1000 : G_MAXINT64;
  command->output_func = output_func;
  command->user_data = user_data;
  command->stage = COMMAND_OPENING;

  command->channel = ssh_channel_new (connection->session);
  if (command->channel == NULL)
    {
      command_finish (command, FLEET_FAILURE_CHANNEL,
                      g_strdup_printf ("cannot create a channel: %s",
                                       ssh_get_error (connection->session)));
      return command;
    }

  command->callbacks = (struct ssh_channel_callbacks_struct) {
    .userdata = command,
    .channel_exit_status_function = on_exit_status,
    .channel_exit_signal_function = on_exit_signal,
  };
  ssh_callbacks_init (&command->callbacks);
  ssh_set_channel_callbacks (command->channel, &command->callbacks);

  g_ptr_array_add (connection->commands, command);
  process_commands (connection, now_us);
  return command;
}

/* Free the channel and record the outcome.  A command with a transport
 * failure keeps it; otherwise the exit status or signal decides. */
static void
command_finish (FleetCommand *command, FleetFailure failure, char *message)
{
  if (command->channel != NULL)
    {
      ssh_remove_channel_callbacks (command->channel, &command->callbacks);
      ssh_channel_free (command->channel);
      command->channel = NULL;
    }

  command->stage = COMMAND_DONE;
  command->failure = failure;
  g_free (command->message);
  command->message = message;

  if (command->connection != NULL)
    g_ptr_array_remove (command->connection->commands, command);
}

/* Read what is buffered on one stream.  Returns FALSE at end of stream or on
 * error, with `out_error` set for an error. */
static gboolean
drain_stream (FleetCommand *command, gboolean is_stderr, gboolean *out_error)
{
  char buffer[READ_CHUNK_BYTES];

  for (;;)
    {
      int n = ssh_channel_read_nonblocking (command->channel, buffer, sizeof buffer, is_stderr);

      if (n == SSH_EOF)
        return FALSE;
      if (n == SSH_ERROR)
        {
          *out_error = TRUE;
          return FALSE;
        }
      if (n == 0)
        return TRUE;

      if (is_stderr)
        command->stderr_bytes += n;
      else
        command->stdout_bytes += n;
      if (command->output_func != NULL)
        command->output_func (buffer, n, is_stderr, command->user_data);
    }
}

static void
finish_with_status (FleetCommand *command)
{
  if (command->exit_signal != NULL)
    command_finish (command, FLEET_FAILURE_EXIT_SIGNAL,
                    g_strdup_printf ("killed by signal %s%s", command->exit_signal,
                                     command->core_dumped ? " (core dumped)" : ""));
  else if (command->has_exit_status)
    command_finish (command, FLEET_FAILURE_NONE, NULL);
  else
    command_finish (command, FLEET_FAILURE_NO_EXIT_STATUS,
                    g_strdup ("the server closed the channel without an exit status; the "
                              "command may still be running (a server-side channel timeout "
                              "does this)"));
}

static void
process_running (FleetCommand *command)
{
  gboolean error = FALSE;
  gboolean stdout_open = drain_stream (command, FALSE, &error);
  gboolean stderr_open = !error && drain_stream (command, TRUE, &error);
  ssh_session session = command->connection->session;

  if (error && !ssh_channel_is_closed (command->channel))
    {
      command_finish (command, FLEET_FAILURE_CONNECTION_LOST,
                      g_strdup_printf ("connection lost while the command ran: %s",
                                       ssh_get_error (session)));
      return;
    }

  if (stdout_open || stderr_open)
    {
      if (!ssh_channel_is_closed (command->channel) && !error)
        return;
    }

  /* Both streams ended.  Reads no longer process incoming packets once a
   * channel is at EOF, so the exit status and the close still waiting in the
   * socket are processed here: in non-blocking mode
   * ssh_channel_get_exit_status handles what has arrived and returns at once
   * (libssh 0.10). */
  if (!command->has_exit_status && command->exit_signal == NULL
      && !ssh_channel_is_closed (command->channel))
    ssh_channel_get_exit_status (command->channel);

  /* OpenSSH sends the exit status before EOF and CLOSE, so waiting for
   * either the status or the close is enough. */
  if (command->has_exit_status || command->exit_signal != NULL
      || ssh_channel_is_closed (command->channel))
    finish_with_status (command);
}

static void
process_command (FleetCommand *command, gint64 now_us)
{
  ssh_session session = command->connection->session;
  int rc;

  if (command->stage == COMMAND_OPENING)
    {
      rc = ssh_channel_open_session (command->channel);
      if (rc == SSH_AGAIN)
        goto check_deadline;
      if (rc != SSH_OK)
        {
          command_finish (command, FLEET_FAILURE_CHANNEL,
                          g_strdup_printf ("the server refused to open a session channel: %s",
                                           ssh_get_error (session)));
          return;
        }
      command->stage = COMMAND_EXECUTING;
    }

  if (command->stage == COMMAND_EXECUTING)
    {
      rc = ssh_channel_request_exec (command->channel, command->command_line);
      if (rc == SSH_AGAIN)
        goto check_deadline;
      if (rc != SSH_OK)
        {
          command_finish (command, FLEET_FAILURE_CHANNEL,
                          g_strdup_printf ("the server refused to run the command: %s",
                                           ssh_get_error (session)));
          return;
        }
      command->stage = COMMAND_RUNNING;
    }

  if (command->stage == COMMAND_RUNNING)
    process_running (command);

check_deadline:
  if (command->stage != COMMAND_DONE && now_us >= command->deadline_us)
    fleet_command_abort (command, FLEET_FAILURE_COMMAND_TIMEOUT,
                         "the command timed out; SIGKILL was requested and the channel "
                         "closed, but the command may still be running on the host");
}

static void
process_commands (FleetConnection *connection, gint64 now_us)
{
  /* Iterate over a copy: finished commands remove themselves. */
  g_autoptr(GPtrArray) running = g_ptr_array_copy (connection->commands, NULL, NULL);

  for (guint i = 0; i < running->len; i++)
    process_command (g_ptr_array_index (running, i), now_us);

  if (connection->state == FLEET_CONNECTION_READY && !ssh_is_connected (connection->session))
    connection_fail (connection, FLEET_FAILURE_CONNECTION_LOST,
                     g_strdup_printf ("connection lost: %s", ssh_get_error (connection->session)));
}

void
fleet_command_abort (FleetCommand *command, FleetFailure failure, const char *message)
{
  if (command->stage == COMMAND_DONE)
    return;

  /* OpenSSH 7.9 and later deliver "signal" requests only to the session's
   * own process, and OpenSSH 9.2 ignores them for root logins without
   * privilege separation.  Closing the channel does not end a command
   * either.
   * TODO: kill the remote process group through a second channel, so that a
   * timeout really ends the command and its children. */
  if (command->stage == COMMAND_RUNNING && command->channel != NULL)
    ssh_channel_request_send_signal (command->channel, "KILL");
  command_finish (command, failure, g_strdup (message));
}

gboolean
fleet_command_is_done (const FleetCommand *command)
{
  return command->stage == COMMAND_DONE;
}

int
fleet_command_get_exit_status (const FleetCommand *command)
{
  return command->has_exit_status && command->exit_signal == NULL ? command->exit_status : -1;
}

const char *
fleet_command_get_exit_signal (const FleetCommand *command)
{
  return command->exit_signal;
}

gboolean
fleet_command_get_core_dumped (const FleetCommand *command)
{
  return command->core_dumped;
}

FleetFailure
fleet_command_get_failure (const FleetCommand *command)
{
  return command->failure;
}

const char *
fleet_command_get_message (const FleetCommand *command)
{
  return command->message;
}

guint64
fleet_command_get_stdout_bytes (const FleetCommand *command)
{
  return command->stdout_bytes;
}

guint64
fleet_command_get_stderr_bytes (const FleetCommand *command)
{
  return command->stderr_bytes;
}

void
fleet_command_free (FleetCommand *command)
{
  if (command == NULL)
    return;

  if (command->stage != COMMAND_DONE)
    fleet_command_abort (command, FLEET_FAILURE_INTERRUPTED, "the command was abandoned");

  g_free (command->command_line);
  g_free (command->exit_signal);
  g_free (command->message);
  g_free (command);
}
