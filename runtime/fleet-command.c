/* fleet-command.c: remote commands, one session channel each.
 *
 * Every command line is prefixed with a line that makes the remote shell
 * print its process id first on standard output.  sshd starts each command
 * in a session of its own, so that id is also the process group of the
 * command and its children: aborting a command kills that group through a
 * second channel, because "signal" channel requests reach only the shell,
 * and OpenSSH ignores them altogether for root logins without privilege
 * separation.
 */
#include "runtime/fleet-ssh-private.h"

#include "schema/fleet-oom.h"

#include <poll.h>
#include <string.h>

#include <openssl/crypto.h>

#define READ_CHUNK_BYTES (64 * 1024)

/* Standard input goes out in chunks of at most one SSH packet's payload. */
#define STDIN_CHUNK_BYTES (32 * 1024)
#define PID_LINE_PREFIX "FLEETPID "

/* How long an abort waits for the process id of a command that is just
 * starting before it gives up killing it. */
#define PID_WAIT_US (5 * G_USEC_PER_SEC)
#define PID_LINE_MAX 64

/* How long a refused channel open (the server's MaxSessions) is retried
 * when the command has no timeout of its own. */
#define CHANNEL_RETRY_WINDOW_US (30 * G_USEC_PER_SEC)
#define CHANNEL_RETRY_PAUSE_US (100 * 1000)

/* The kill sent for an aborted command: SIGTERM to its process group, then
 * SIGKILL when it is still there after about two seconds.  sudo passes
 * SIGTERM on to the command it runs. */
#define KILL_TIMEOUT_MS 5000
#define KILL_SCRIPT \
  "kill -TERM -- -%" G_GINT64_FORMAT " 2>/dev/null || exit 0; i=0; " \
  "while kill -0 -- -%" G_GINT64_FORMAT " 2>/dev/null && [ $i -lt 20 ]; do sleep 0.1; i=$((i+1)); done; " \
  "kill -KILL -- -%" G_GINT64_FORMAT " 2>/dev/null; exit 0"

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

static FleetCommand *
command_new (FleetConnection *connection, const FleetCommandSpec *spec, gboolean announce_pid,
             gint64 now_us, FleetOutputFunc output_func, gpointer user_data)
{
  FleetCommand *command = g_new0 (FleetCommand, 1);

  command->connection = connection;
  command->command_line = announce_pid
                            ? g_strdup_printf ("printf '" PID_LINE_PREFIX "%%d\\n' \"$$\"\n%s",
                                               spec->command_line)
                            : g_strdup (spec->command_line);
  command->pid_line = g_string_new (NULL);
  command->pid_line_done = !announce_pid;
  command->exit_status = -1;
  command->deadline_us = spec->timeout_ms > 0 ? now_us + (gint64) spec->timeout_ms * 1000
                                              : G_MAXINT64;
  command->open_deadline_us = spec->timeout_ms > 0 ? command->deadline_us
                                                   : now_us + CHANNEL_RETRY_WINDOW_US;
  command->pty = spec->pty;
  command->held = spec->hold;
  if (spec->stdin_data != NULL)
    {
      command->stdin_data = g_malloc (spec->stdin_length + 1);
      memcpy (command->stdin_data, spec->stdin_data, spec->stdin_length);
      command->stdin_length = spec->stdin_length;
    }
  command->output_func = output_func;
  command->user_data = user_data;
  command->stage = COMMAND_OPENING;
  return command;
}

static void
command_create_channel (FleetCommand *command)
{
  FleetConnection *connection = command->connection;

  /* On an authenticated session, libssh 0.10 returns NULL only when memory
   * runs out. */
  command->channel = fleet_oom_check (ssh_channel_new (connection->session), "ssh_channel_new");

  command->callbacks = (struct ssh_channel_callbacks_struct) {
    .userdata = command,
    .channel_exit_status_function = on_exit_status,
    .channel_exit_signal_function = on_exit_signal,
  };
  ssh_callbacks_init (&command->callbacks);
  ssh_set_channel_callbacks (command->channel, &command->callbacks);
}

FleetCommand *
fleet_command_start (FleetConnection *connection,
                     const FleetCommandSpec *spec,
                     gint64 now_us,
                     FleetOutputFunc output_func,
                     gpointer user_data)
{
  FleetCommand *command;

  g_return_val_if_fail (connection->state == FLEET_CONNECTION_READY, NULL);

  if (connection->context->transport != NULL)
    {
      FleetTransport *transport = connection->context->transport;

      command = command_new (connection, spec, FALSE, now_us, output_func, user_data);
      command->stage = COMMAND_RUNNING;
      g_ptr_array_add (connection->commands, command);
      transport->vtable->command_start (transport, command, spec, now_us);
      return command;
    }

  command = command_new (connection, spec, TRUE, now_us, output_func, user_data);
  g_ptr_array_add (connection->commands, command);
  command_create_channel (command);
  fleet_commands_process (connection, now_us);
  return command;
}

/* Start the kill of `command`'s process group on a channel of its own.  The
 * helper belongs to the connection, which frees it when it ends; the
 * command is done once the helper is. */
static void
start_kill (FleetCommand *command, gint64 now_us)
{
  FleetConnection *connection = command->connection;
  gint64 pid = command->remote_pid;
  g_autofree char *script = g_strdup_printf (KILL_SCRIPT, pid, pid, pid);
  FleetCommandSpec spec = { .command_line = script, .timeout_ms = KILL_TIMEOUT_MS };
  FleetCommand *helper = command_new (connection, &spec, FALSE, now_us, NULL, NULL);

  helper->is_helper = TRUE;
  helper->killed = command;
  command->killer = helper;
  g_ptr_array_add (connection->commands, helper);
  command_create_channel (helper);
}

/* The kill helper ended: the command it was for is done now, and its
 * message says whether the kill reached the host. */
static void
kill_finished (FleetCommand *helper)
{
  FleetCommand *command = helper->killed;
  g_autofree char *base = NULL;

  helper->killed = NULL;
  if (command == NULL)
    return;

  command->killer = NULL;
  base = g_steal_pointer (&command->message);
  if (helper->failure == FLEET_FAILURE_NONE && helper->exit_status == 0)
    fleet_command_finish (command, command->failure,
                          g_strdup_printf ("%s; its remote process group %" G_GINT64_FORMAT
                                           " was killed", base, command->remote_pid));
  else
    fleet_command_finish (command, command->failure,
                          g_strdup_printf ("%s; killing its remote process group %"
                                           G_GINT64_FORMAT " failed (%s), so it may still be "
                                           "running on the host", base, command->remote_pid,
                                           helper->message != NULL ? helper->message
                                                                   : "the kill command failed"));
}

/* Free the channel and record the outcome.  A command with a transport
 * failure keeps it; otherwise the exit status or signal decides. */
void
fleet_command_finish (FleetCommand *command, FleetFailure failure, char *message)
{
  if (command->killer != NULL)
    {
      command->killer->killed = NULL;
      command->killer = NULL;
    }

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

  if (command->connection != NULL && !command->is_helper)
    g_ptr_array_remove (command->connection->commands, command);
}

static void
deliver_output (FleetCommand *command, const char *data, gsize length, gboolean is_stderr)
{
  if (length == 0)
    return;

  if (is_stderr)
    command->stderr_bytes += length;
  else
    command->stdout_bytes += length;
  if (command->output_func != NULL)
    command->output_func (data, length, is_stderr, command->user_data);
}

/* Take the process id line off the front of standard output.  Output that
 * does not start with it (a login shell that printed first, or a command
 * that failed to parse) is passed on untouched, and the command then cannot
 * be killed by process group. */
static void
deliver_stdout (FleetCommand *command, const char *data, gsize length)
{
  const char *newline;
  gsize needed;

  if (command->pid_line_done)
    {
      deliver_output (command, data, length, FALSE);
      return;
    }

  newline = memchr (data, '\n', length);
  needed = newline != NULL ? (gsize) (newline - data) + 1 : length;
  g_string_append_len (command->pid_line, data, needed);

  if (newline == NULL && command->pid_line->len < PID_LINE_MAX)
    return;

  command->pid_line_done = TRUE;
  if (newline != NULL && g_str_has_prefix (command->pid_line->str, PID_LINE_PREFIX))
    {
      command->remote_pid = g_ascii_strtoll (command->pid_line->str + strlen (PID_LINE_PREFIX),
                                             NULL, 10);
      deliver_output (command, data + needed, length - needed, FALSE);
      return;
    }

  /* Not our line: hand over everything held back, then the rest. */
  {
    g_autofree char *held = g_strndup (command->pid_line->str, command->pid_line->len);
    gsize held_length = command->pid_line->len;

    deliver_output (command, held, held_length, FALSE);
    deliver_output (command, data + needed, length - needed, FALSE);
  }
}

/* Read what is buffered on one stream, up to FLEET_COMMAND_READ_BUDGET_BYTES; a stream
 * with more to read sets command->output_pending.  Returns FALSE at end of
 * stream or on error, with `out_error` set for an error. */
static gboolean
drain_stream (FleetCommand *command, gboolean is_stderr, gboolean *out_error)
{
  char buffer[READ_CHUNK_BYTES];
  gsize budget = FLEET_COMMAND_READ_BUDGET_BYTES;

  for (;;)
    {
      int n;

      if (budget == 0)
        {
          command->output_pending = TRUE;
          return TRUE;
        }

      n = ssh_channel_read_nonblocking (command->channel, buffer,
                                            (uint32_t) MIN (sizeof buffer, budget), is_stderr);

      if (n == SSH_EOF)
        return FALSE;
      if (n == SSH_ERROR)
        {
          *out_error = TRUE;
          return FALSE;
        }
      if (n == 0)
        return TRUE;

      budget -= MIN (budget, (gsize) n);
      if (is_stderr)
        deliver_output (command, buffer, n, TRUE);
      else
        deliver_stdout (command, buffer, n);
    }
}

static void
finish_with_status (FleetCommand *command)
{
  /* Output shorter than a whole process id line is still output. */
  if (!command->pid_line_done)
    {
      command->pid_line_done = TRUE;
      deliver_output (command, command->pid_line->str, command->pid_line->len, FALSE);
    }

  if (command->exit_signal != NULL)
    fleet_command_finish (command, FLEET_FAILURE_EXIT_SIGNAL,
                          g_strdup_printf ("killed by signal %s%s", command->exit_signal,
                                           command->core_dumped ? " (core dumped)" : ""));
  else if (command->has_exit_status)
    fleet_command_finish (command, FLEET_FAILURE_NONE, NULL);
  /* libssh closes every channel of a session whose socket failed, so a
   * closed channel is the connection's loss, not the server's choice. */
  else if (!ssh_is_connected (command->connection->session))
    fleet_command_finish (command, FLEET_FAILURE_CONNECTION_LOST,
                          g_strdup_printf ("connection lost while the command ran: %s",
                                           ssh_get_error (command->connection->session)));
  else
    fleet_command_finish (command, FLEET_FAILURE_NO_EXIT_STATUS,
                          g_strdup ("the server closed the channel without an exit status; the "
                                    "command may still be running (a server-side channel "
                                    "timeout does this)"));
}

static void
process_running (FleetCommand *command)
{
  ssh_session session = command->connection->session;
  gboolean error = FALSE;
  gboolean stdout_open;
  gboolean stderr_open;

  command->output_pending = FALSE;
  stdout_open = drain_stream (command, FALSE, &error);
  stderr_open = !error && drain_stream (command, TRUE, &error);

  if (error && !ssh_channel_is_closed (command->channel))
    {
      fleet_command_finish (command, FLEET_FAILURE_CONNECTION_LOST,
                            g_strdup_printf ("connection lost while the command ran: %s",
                                             ssh_get_error (session)));
      return;
    }

  /* Output still buffered is read on the next turn, even from a channel
   * the server has closed since. */
  if (command->output_pending && !error)
    return;

  if ((stdout_open || stderr_open) && !ssh_channel_is_closed (command->channel) && !error)
    return;

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

/* Return whether a chunk of standard input can be written without
 * waiting.  For a host behind a jump host the session's socket is a socket
 * pair that only this process's loop drains, so nothing goes out while it
 * is full.  libssh keeps what the socket does not take at once in its own
 * buffer, at most the channel's window (2 MiB from OpenSSH).
 * NOTE: this does not wait for that buffer to empty (SSH_WRITE_PENDING).
 * libssh 0.10 sets that flag after every write and clears it only on the
 * loop's next pass, so waiting for it made a 6 MiB copy on this machine's
 * loopback take 30 s instead of 0.5 s. */
static gboolean
stdin_writable (FleetCommand *command)
{
  struct pollfd socket_state = { .fd = ssh_get_fd (command->connection->session),
                                 .events = POLLOUT };

  return poll (&socket_state, 1, 0) == 1 && (socket_state.revents & POLLOUT) != 0;
}

/* Send as much of the command's standard input as the channel's window
 * and the socket take without waiting, and end of file once all of it is
 * sent.  Called on every
 * pass of the loop, so a large input (a file to copy) flows as the command
 * reads it while other hosts make progress. */
static void
send_stdin (FleetCommand *command)
{
  gsize chunk;
  int written;

  if (command->stdin_closed)
    return;

  while (command->stdin_data != NULL && command->stdin_sent < command->stdin_length)
    {
      chunk = MIN (command->stdin_length - command->stdin_sent,
                   MIN (STDIN_CHUNK_BYTES, ssh_channel_window_size (command->channel)));
      written = chunk > 0 && stdin_writable (command)
                  ? ssh_channel_write (command->channel,
                                       command->stdin_data + command->stdin_sent,
                                       (uint32_t) chunk)
                  : 0;

      /* Nothing went out: the window or the socket is full, libssh takes
       * nothing during a key re-exchange, or the write failed because the
       * command closed its channel (it exited without reading all of its
       * input) or the connection broke.  The input waits for the next
       * pass.  process_running(), called next, ends a command whose channel
       * closed or whose connection broke, and the rest of its input is then
       * dropped, as OpenSSH's client does. */
      if (written <= 0)
        return;
      command->stdin_sent += (gsize) written;
    }

  if (command->stdin_data != NULL)
    OPENSSL_cleanse (command->stdin_data, command->stdin_length);
  g_clear_pointer (&command->stdin_data, g_free);
  command->stdin_closed = TRUE;
  (void) ssh_channel_send_eof (command->channel);
}

static void
channel_refused (FleetCommand *command, gint64 now_us, const char *what)
{
  ssh_session session = command->connection->session;
  const char *text = ssh_get_error (session);

  /* A server at its MaxSessions limit refuses the channel; another channel
   * of ours will close soon, so opening is tried again until the command's
   * deadline. */
  if (command->stage == COMMAND_OPENING && ssh_is_connected (session)
      && now_us + CHANNEL_RETRY_PAUSE_US < command->open_deadline_us)
    {
      g_free (command->refusal);
      command->refusal = g_strdup_printf ("the server refused %s: %s", what, text);
      ssh_remove_channel_callbacks (command->channel, &command->callbacks);
      ssh_channel_free (command->channel);
      command->channel = NULL;
      command->retry_at_us = now_us + CHANNEL_RETRY_PAUSE_US;
      command->open_retries++;
      return;
    }

  /* A request that failed because the connection broke was not refused:
   * the command may even have started before the connection ended. */
  if (!ssh_is_connected (session))
    {
      fleet_command_finish (command, FLEET_FAILURE_CONNECTION_LOST,
                            g_strdup_printf ("connection lost while the command started: %s",
                                             text));
      return;
    }

  fleet_command_finish (command, FLEET_FAILURE_CHANNEL,
                        g_strdup_printf ("the server refused %s: %s%s", what, text,
                                         command->open_retries > 0
                                           ? " (retried while other channels closed; check the "
                                             "server's MaxSessions setting)" : ""));
}

static void
process_command (FleetCommand *command, gint64 now_us)
{
  int rc;

  if (command->stage == COMMAND_OPENING)
    {
      if (command->channel == NULL)
        {
          if (now_us < command->retry_at_us)
            goto check_deadline;
          command_create_channel (command);
        }

      rc = ssh_channel_open_session (command->channel);
      if (rc == SSH_AGAIN)
        goto check_deadline;
      if (rc != SSH_OK)
        {
          channel_refused (command, now_us, "to open a session channel");
          if (command->stage == COMMAND_DONE)
            return;
          goto check_deadline;
        }
      command->stage = command->pty ? COMMAND_PTY : COMMAND_EXECUTING;
    }

  if (command->stage == COMMAND_PTY)
    {
      rc = ssh_channel_request_pty (command->channel);
      if (rc == SSH_AGAIN)
        goto check_deadline;
      if (rc != SSH_OK)
        {
          channel_refused (command, now_us, "a terminal for the command");
          return;
        }
      command->stage = COMMAND_EXECUTING;
    }

  if (command->stage == COMMAND_EXECUTING && !command->held)
    {
      rc = ssh_channel_request_exec (command->channel, command->command_line);
      if (rc == SSH_AGAIN)
        goto check_deadline;
      if (rc != SSH_OK)
        {
          channel_refused (command, now_us, "to run the command");
          return;
        }
      command->stage = COMMAND_RUNNING;
    }

  if (command->stage == COMMAND_RUNNING)
    {
      send_stdin (command);
      process_running (command);
    }

check_deadline:
  /* An abort that waited for the process id kills the command now; it is
   * not done from the channel's callbacks, which must not free it. */
  if (command->abort_pending && command->stage == COMMAND_RUNNING
      && (command->remote_pid > 1 || command->pid_line_done))
    {
      fleet_command_abort (command, command->abort_failure, command->abort_message);
      return;
    }

  /* A command still waiting for its channel reports why it never got one. */
  if (command->stage == COMMAND_OPENING && command->refusal != NULL
      && now_us >= MIN (command->deadline_us, command->open_deadline_us))
    {
      fleet_command_finish (command, FLEET_FAILURE_CHANNEL,
                            g_strdup_printf ("%s (retried %u times while other channels "
                                             "closed; check the server's MaxSessions setting)",
                                             command->refusal, command->open_retries));
      return;
    }

  if (command->stage != COMMAND_DONE && now_us >= command->deadline_us)
    fleet_command_abort (command, FLEET_FAILURE_COMMAND_TIMEOUT, "the command timed out");
}

static void
command_free_fields (FleetCommand *command)
{
  g_free (command->command_line);
  g_free (command->exit_signal);
  g_free (command->message);
  if (command->stdin_data != NULL)
    OPENSSL_cleanse (command->stdin_data, command->stdin_length);
  g_free (command->stdin_data);
  g_free (command->refusal);
  g_free (command->abort_message);
  g_string_free (command->pid_line, TRUE);
  g_free (command);
}

void
fleet_commands_process (FleetConnection *connection, gint64 now_us)
{
  /* Iterate over a copy: finished commands remove themselves. */
  g_autoptr(GPtrArray) running = g_ptr_array_copy (connection->commands, NULL, NULL);

  for (guint i = 0; i < running->len; i++)
    {
      FleetCommand *command = g_ptr_array_index (running, i);

      if (command->stage != COMMAND_DONE && command->stage != COMMAND_KILLING)
        process_command (command, now_us);

      if (command->is_helper && command->stage == COMMAND_DONE)
        {
          kill_finished (command);
          g_ptr_array_remove (connection->commands, command);
          command_free_fields (command);
        }
    }
}

void
fleet_commands_free_helpers (FleetConnection *connection)
{
  for (guint i = connection->commands->len; i > 0; i--)
    {
      FleetCommand *command = g_ptr_array_index (connection->commands, i - 1);

      if (!command->is_helper)
        continue;
      g_ptr_array_remove_index (connection->commands, i - 1);
      if (command->stage != COMMAND_DONE)
        fleet_command_finish (command, FLEET_FAILURE_CONNECTION_LOST,
                              g_strdup ("the connection was closed"));
      kill_finished (command);
      command_free_fields (command);
    }
}

gboolean
fleet_commands_want_write (const FleetConnection *connection)
{
  for (guint i = 0; i < connection->commands->len; i++)
    {
      const FleetCommand *command = g_ptr_array_index (connection->commands, i);

      if (command->stage == COMMAND_RUNNING && !command->stdin_closed
          && ssh_channel_window_size (command->channel) > 0)
        return TRUE;
    }
  return FALSE;
}

void
fleet_command_release (FleetCommand *command)
{
  FleetConnection *connection = command->connection;

  /* Other transports run a command at once (fleet-transport-vtable.h). */
  command->held = FALSE;
  if (connection != NULL && connection->context->transport == NULL
      && command->stage != COMMAND_DONE)
    fleet_commands_process (connection, connection->now_us);
}

void
fleet_command_abort (FleetCommand *command, FleetFailure failure, const char *message)
{
  FleetConnection *connection = command->connection;

  if (command->stage == COMMAND_DONE || command->stage == COMMAND_KILLING)
    return;

  /* Another transport ends its commands at once. */
  if (connection != NULL && connection->context->transport != NULL)
    {
      connection->context->transport->vtable->command_close (connection->context->transport,
                                                             command);
      fleet_command_finish (command, failure, g_strdup (message));
      return;
    }

  /* The command may be starting on the host while its process id is still
   * on the way: wait for it a little, so the kill can reach the command
   * instead of leaving it running. */
  if ((command->stage == COMMAND_EXECUTING || command->stage == COMMAND_RUNNING)
      && !command->held
      && command->remote_pid <= 1 && !command->pid_line_done && !command->abort_pending
      && connection != NULL && connection->state == FLEET_CONNECTION_READY)
    {
      command->abort_pending = TRUE;
      command->abort_failure = failure;
      command->abort_message = g_strdup (message);
      command->deadline_us = MIN (command->deadline_us, connection->now_us + PID_WAIT_US);
      return;
    }
  if (command->abort_pending)
    {
      failure = command->abort_failure;
      message = command->abort_message;
    }

  if (command->stage != COMMAND_RUNNING || connection == NULL
      || connection->state != FLEET_CONNECTION_READY)
    {
      fleet_command_finish (command, failure, g_strdup (message));
      return;
    }

  if (command->remote_pid <= 1)
    {
      fleet_command_finish (command, failure,
                            g_strdup_printf ("%s; the remote shell did not report its process "
                                             "id, so the command may still be running on the "
                                             "host", message));
      return;
    }

  /* The channel is closed now, so no more output is taken; the command
   * stays in the connection's list until its kill has run. */
  ssh_remove_channel_callbacks (command->channel, &command->callbacks);
  ssh_channel_free (command->channel);
  command->channel = NULL;
  command->stage = COMMAND_KILLING;
  command->failure = failure;
  g_free (command->message);
  command->message = g_strdup (message);
  start_kill (command, connection->now_us);
}

gboolean
fleet_connection_has_helpers (const FleetConnection *connection)
{
  if (connection->state != FLEET_CONNECTION_READY)
    return FALSE;

  for (guint i = 0; i < connection->commands->len; i++)
    if (((const FleetCommand *) g_ptr_array_index (connection->commands, i))->is_helper)
      return TRUE;
  return FALSE;
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

gint64
fleet_command_get_remote_pid (const FleetCommand *command)
{
  return command->remote_pid;
}

void
fleet_command_free (FleetCommand *command)
{
  if (command == NULL)
    return;

  if (command->stage != COMMAND_DONE && command->stage != COMMAND_KILLING)
    fleet_command_abort (command, FLEET_FAILURE_INTERRUPTED, "the command was abandoned");

  /* A kill still on its way goes on without the command. */
  if (command->killer != NULL)
    command->killer->killed = NULL;
  if (command->stage == COMMAND_KILLING && command->connection != NULL)
    g_ptr_array_remove (command->connection->commands, command);

  command_free_fields (command);
}

/* Helpers for other transports (fleet-transport-vtable.h) */

FleetConnection *
fleet_command_get_connection (const FleetCommand *command)
{
  return command->connection;
}

gpointer
fleet_command_get_transport_data (const FleetCommand *command)
{
  return command->transport_data;
}

void
fleet_command_set_transport_data (FleetCommand *command, gpointer data)
{
  command->transport_data = data;
}

void
fleet_command_deliver_output (FleetCommand *command, const char *data, gsize length,
                              gboolean is_stderr)
{
  deliver_output (command, data, length, is_stderr);
}

void
fleet_command_finish_with_status (FleetCommand *command, int status)
{
  command->has_exit_status = TRUE;
  command->exit_status = status;
  fleet_command_finish (command, FLEET_FAILURE_NONE, NULL);
}
