/* fleet-remote-batch.c: command lists on many hosts, one poll() loop. */
#include "runtime/fleet-remote-batch.h"

#include <errno.h>
#include <poll.h>

/* Busy connections are processed at least this often, so that no deadline
 * waits on the poll. */
#define SWEEP_INTERVAL_US (200 * 1000)

typedef struct {
  FleetRemoteJob *job;
  FleetConnection *connection;
  FleetCommand *command;
  guint next;                    /* index of the next command to start */
  gint64 started_us;
  gboolean done;
} JobRun;

FleetRemoteJob *
fleet_remote_job_new (const FleetHost *host)
{
  FleetRemoteJob *job = g_new0 (FleetRemoteJob, 1);

  job->host = host;
  job->commands = g_array_new (FALSE, TRUE, sizeof (FleetRemoteCommand));
  job->exit_status = -1;
  job->stdout_head = g_string_new (NULL);
  job->stderr_tail = g_string_new (NULL);
  return job;
}

void
fleet_remote_job_free (FleetRemoteJob *job)
{
  if (job == NULL)
    return;

  g_array_unref (job->commands);
  g_free (job->message);
  g_string_free (job->stdout_head, TRUE);
  g_string_free (job->stderr_tail, TRUE);
  g_free (job);
}

char *
fleet_remote_sudo_command (const char *command)
{
  g_autofree char *quoted = g_shell_quote (command);

  return g_strdup_printf ("sudo -n -- sh -c %s", quoted);
}

static void
on_output (const char *data, gsize length, gboolean is_stderr, gpointer user_data)
{
  FleetRemoteJob *job = user_data;

  if (!is_stderr)
    {
      gsize room = FLEET_REMOTE_STDOUT_MAX_BYTES - MIN (job->stdout_head->len,
                                                        FLEET_REMOTE_STDOUT_MAX_BYTES);

      g_string_append_len (job->stdout_head, data, MIN (length, room));
      return;
    }

  g_string_append_len (job->stderr_tail, data, length);
  if (job->stderr_tail->len > FLEET_REMOTE_STDERR_TAIL_BYTES)
    g_string_erase (job->stderr_tail, 0,
                    job->stderr_tail->len - FLEET_REMOTE_STDERR_TAIL_BYTES);
}

static void
finish_job (JobRun *run, gint64 now_us, gboolean succeeded, FleetFailure failure,
            const char *message)
{
  run->done = TRUE;
  run->job->succeeded = succeeded;
  run->job->failure = failure;
  run->job->message = g_strdup (message);
  run->job->duration_us = now_us - run->started_us;
}

static void
start_next_command (JobRun *run, const FleetRemoteBatchOptions *options, gint64 now_us)
{
  const FleetRemoteCommand *command = &g_array_index (run->job->commands, FleetRemoteCommand,
                                                      run->next);
  FleetCommandSpec spec = { .command_line = command->command_line,
                            .timeout_ms = command->timeout_ms };

  g_string_truncate (run->job->stdout_head, 0);
  g_string_truncate (run->job->stderr_tail, 0);
  run->job->exit_status = -1;
  run->job->commands_run++;
  if (options->on_event != NULL)
    options->on_event (run->job, run->next, FALSE, options->user_data);
  run->command = fleet_command_start (run->connection, &spec, now_us, on_output, run->job);
}

/* Judge the command that ended, then start the next one or finish. */
static void
command_done (JobRun *run, const FleetRemoteBatchOptions *options, gint64 now_us,
              gboolean stopping)
{
  const FleetRemoteCommand *command = &g_array_index (run->job->commands, FleetRemoteCommand,
                                                      run->next);
  FleetFailure failure = fleet_command_get_failure (run->command);
  int exit_status = fleet_command_get_exit_status (run->command);
  g_autofree char *message = NULL;

  run->job->exit_status = exit_status;
  if (failure == FLEET_FAILURE_NONE && exit_status != command->expected_exit)
    {
      failure = FLEET_FAILURE_EXIT_CODE;
      message = g_strdup_printf ("\"%s\" exited with status %d, expected %d", command->name,
                                 exit_status, command->expected_exit);
    }
  else if (failure != FLEET_FAILURE_NONE)
    message = g_strdup_printf ("\"%s\" failed: %s", command->name,
                               fleet_command_get_message (run->command) != NULL
                                 ? fleet_command_get_message (run->command)
                                 : fleet_failure_code (failure));

  g_clear_pointer (&run->command, fleet_command_free);
  run->job->failure = failure;
  if (options->on_event != NULL)
    options->on_event (run->job, run->next, TRUE, options->user_data);

  run->next++;
  if (failure != FLEET_FAILURE_NONE)
    finish_job (run, now_us, FALSE, failure, message);
  else if (run->next == run->job->commands->len)
    finish_job (run, now_us, TRUE, FLEET_FAILURE_NONE, NULL);
  else if (stopping)
    finish_job (run, now_us, FALSE, FLEET_FAILURE_INTERRUPTED,
                "not finished: fleet-run was interrupted");
  else
    start_next_command (run, options, now_us);
}

/* Advance `run` as far as its connection allows. */
static void
advance (JobRun *run, const FleetRemoteBatchOptions *options, gint64 now_us, gboolean stopping)
{
  FleetConnectionState state = fleet_connection_get_state (run->connection);

  if (run->done)
    return;

  if (state == FLEET_CONNECTION_FAILED && run->command == NULL)
    {
      const char *cause = fleet_connection_get_message (run->connection);

      finish_job (run, now_us, FALSE, fleet_connection_get_failure (run->connection),
                  cause != NULL ? cause : fleet_failure_code (fleet_connection_get_failure (
                                                                run->connection)));
      return;
    }

  if (run->command != NULL && fleet_command_is_done (run->command))
    command_done (run, options, now_us, stopping);
  else if (run->command == NULL && state == FLEET_CONNECTION_READY)
    start_next_command (run, options, now_us);
}

static void
wait_and_process (GPtrArray *busy, const FleetRemoteBatchOptions *options, gboolean stopping)
{
  guint n_jump_fds = fleet_ssh_context_get_pollfds (options->ssh, NULL);
  g_autofree struct pollfd *fds = g_new0 (struct pollfd, busy->len + n_jump_fds);
  gint64 now_us = fleet_clock_monotonic_us (options->clock);
  gint64 wake_us = MIN (now_us + SWEEP_INTERVAL_US, fleet_ssh_context_deadline_us (options->ssh));
  int timeout_ms;

  for (guint i = 0; i < busy->len; i++)
    {
      JobRun *run = g_ptr_array_index (busy, i);

      fds[i].fd = fleet_connection_get_fd (run->connection);
      fds[i].events = fds[i].fd >= 0 ? fleet_connection_get_poll_events (run->connection) : 0;
      wake_us = MIN (wake_us, fleet_connection_deadline_us (run->connection));
    }
  fleet_ssh_context_get_pollfds (options->ssh, fds + busy->len);

  timeout_ms = wake_us <= now_us ? 0 : (int) MIN ((wake_us - now_us + 999) / 1000, 1000);
  if (poll (fds, busy->len + n_jump_fds, timeout_ms) < 0 && errno != EINTR)
    g_warning ("poll failed: %s", g_strerror (errno));

  now_us = fleet_clock_monotonic_us (options->clock);
  fleet_ssh_context_process (options->ssh, now_us, fds + busy->len, n_jump_fds);
  for (guint i = 0; i < busy->len; i++)
    {
      JobRun *run = g_ptr_array_index (busy, i);

      fleet_connection_process (run->connection, now_us, fds[i].revents);
      advance (run, options, now_us, stopping);
    }
}

static sig_atomic_t
interrupt_level (const FleetRemoteBatchOptions *options)
{
  return options->interrupt_level != NULL ? *options->interrupt_level : 0;
}

void
fleet_remote_batch_run (GPtrArray *jobs, const FleetRemoteBatchOptions *options)
{
  g_autoptr (GPtrArray) busy = g_ptr_array_new ();
  g_autoptr (GPtrArray) runs = g_ptr_array_new_with_free_func (g_free);
  guint next_job = 0;
  gboolean aborted = FALSE;

  g_return_if_fail (options->parallelism > 0);

  for (;;)
    {
      gboolean stopping = interrupt_level (options) >= 1;
      gint64 now_us = fleet_clock_monotonic_us (options->clock);

      if (interrupt_level (options) >= 2 && !aborted)
        {
          aborted = TRUE;
          for (guint i = 0; i < busy->len; i++)
            {
              JobRun *run = g_ptr_array_index (busy, i);

              if (run->command != NULL)
                fleet_command_abort (run->command, FLEET_FAILURE_INTERRUPTED,
                                     "aborted because fleet-run was interrupted twice");
            }
        }

      while (!stopping && busy->len < options->parallelism && next_job < jobs->len)
        {
          JobRun *run = g_new0 (JobRun, 1);

          run->job = g_ptr_array_index (jobs, next_job++);
          run->started_us = now_us;
          g_ptr_array_add (runs, run);
          if (run->job->commands->len == 0)
            {
              finish_job (run, now_us, TRUE, FLEET_FAILURE_NONE, NULL);
              continue;
            }
          run->connection = fleet_connection_new (run->job->host, options->ssh);
          fleet_connection_start (run->connection, now_us);
          g_ptr_array_add (busy, run);
        }

      for (guint i = busy->len; i > 0; i--)
        {
          JobRun *run = g_ptr_array_index (busy, i - 1);

          if (run->done && !fleet_connection_has_helpers (run->connection))
            {
              g_clear_pointer (&run->connection, fleet_connection_free);
              g_ptr_array_remove_index (busy, i - 1);
            }
        }

      if (busy->len == 0 && (stopping || next_job == jobs->len))
        break;
      if (busy->len > 0)
        wait_and_process (busy, options, stopping);
    }

  for (guint i = next_job; i < jobs->len; i++)
    {
      FleetRemoteJob *job = g_ptr_array_index (jobs, i);

      job->failure = FLEET_FAILURE_INTERRUPTED;
      job->message = g_strdup ("not started: fleet-run was interrupted");
    }
}
