/* fleet-local-process.c: a `local` step's program; the contract is in
 * fleet-local-process.h. */
#include "runtime/fleet-local-process.h"

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

struct FleetLocalProcess {
  GPid pid;
  int out_fd;                    /* -1 once at end of file */
  int err_fd;
  gint64 deadline_us;            /* G_MAXINT64: no timeout */
  gboolean exited;               /* reaped */
  int exit_status;
  char *exit_signal;
  FleetFailure failure;
  char *message;
  FleetOutputFunc output_func;
  gpointer user_data;
};

static void
enter_own_process_group (gpointer user_data)
{
  setpgid (0, 0);
}

static void
set_nonblocking (int fd)
{
  fcntl (fd, F_SETFL, fcntl (fd, F_GETFL) | O_NONBLOCK);
}

FleetLocalProcess *
fleet_local_process_start (const char * const *argv,
                           guint64 timeout_ms,
                           gint64 now_us,
                           FleetOutputFunc output_func,
                           gpointer user_data,
                           GError **error)
{
  FleetLocalProcess *process = g_new0 (FleetLocalProcess, 1);

  if (!g_spawn_async_with_pipes (NULL, (char **) argv, NULL,
                                 G_SPAWN_SEARCH_PATH | G_SPAWN_DO_NOT_REAP_CHILD
                                   | G_SPAWN_STDIN_FROM_DEV_NULL,
                                 enter_own_process_group, NULL, &process->pid, NULL,
                                 &process->out_fd, &process->err_fd, error))
    {
      g_free (process);
      return NULL;
    }

  set_nonblocking (process->out_fd);
  set_nonblocking (process->err_fd);
  process->deadline_us = timeout_ms > 0 ? now_us + (gint64) timeout_ms * 1000 : G_MAXINT64;
  process->exit_status = -1;
  process->output_func = output_func;
  process->user_data = user_data;
  return process;
}

/* Read what `*fd` has; close it at end of file. */
static void
drain (FleetLocalProcess *process, int *fd, gboolean is_stderr)
{
  char buffer[16384];

  while (*fd >= 0)
    {
      ssize_t n = read (*fd, buffer, sizeof buffer);

      if (n > 0)
        {
          process->output_func (buffer, (gsize) n, is_stderr, process->user_data);
          continue;
        }
      if (n < 0 && (errno == EAGAIN || errno == EINTR))
        return;
      close (*fd);
      *fd = -1;
    }
}

static void
close_pipe (int *fd)
{
  if (*fd >= 0)
    close (*fd);
  *fd = -1;
}

static void
record_wait_status (FleetLocalProcess *process, int status)
{
  process->exited = TRUE;
  if (WIFEXITED (status))
    {
      process->exit_status = WEXITSTATUS (status);
      return;
    }
  if (WIFSIGNALED (status))
    {
      const char *name = sigabbrev_np (WTERMSIG (status));

      process->exit_signal = g_strdup (name != NULL ? name : "UNKNOWN");
      if (process->failure == FLEET_FAILURE_NONE)
        {
          process->failure = FLEET_FAILURE_EXIT_SIGNAL;
          process->message = g_strdup_printf ("killed by signal %s", process->exit_signal);
        }
    }
}

void
fleet_local_process_poll (FleetLocalProcess *process, gint64 now_us)
{
  int status = 0;

  drain (process, &process->out_fd, FALSE);
  drain (process, &process->err_fd, TRUE);

  if (!process->exited && now_us >= process->deadline_us)
    fleet_local_process_abort (process, FLEET_FAILURE_COMMAND_TIMEOUT,
                               "the local program did not end within its timeout and was killed");

  if (!process->exited && waitpid (process->pid, &status, WNOHANG) == process->pid)
    {
      record_wait_status (process, status);
      g_spawn_close_pid (process->pid);

      /* Read what the program wrote before it ended.  A background child
       * that keeps the pipes open must not hold the step, so its later
       * output is not read. */
      drain (process, &process->out_fd, FALSE);
      drain (process, &process->err_fd, TRUE);
      close_pipe (&process->out_fd);
      close_pipe (&process->err_fd);
    }
}

void
fleet_local_process_abort (FleetLocalProcess *process, FleetFailure failure, const char *message)
{
  if (process->exited)
    return;

  if (process->failure == FLEET_FAILURE_NONE)
    {
      process->failure = failure;
      process->message = g_strdup (message);
    }
  kill (-process->pid, SIGKILL);
  process->deadline_us = G_MAXINT64;
}

gboolean
fleet_local_process_is_done (const FleetLocalProcess *process)
{
  return process->exited && process->out_fd < 0 && process->err_fd < 0;
}

int
fleet_local_process_get_exit_status (const FleetLocalProcess *process)
{
  return process->exit_status;
}

const char *
fleet_local_process_get_exit_signal (const FleetLocalProcess *process)
{
  return process->exit_signal;
}

FleetFailure
fleet_local_process_get_failure (const FleetLocalProcess *process)
{
  return process->failure;
}

const char *
fleet_local_process_get_message (const FleetLocalProcess *process)
{
  return process->message;
}

void
fleet_local_process_free (FleetLocalProcess *process)
{
  int status;

  if (process == NULL)
    return;

  if (!process->exited)
    {
      kill (-process->pid, SIGKILL);
      waitpid (process->pid, &status, 0);
      g_spawn_close_pid (process->pid);
    }
  if (process->out_fd >= 0)
    close (process->out_fd);
  if (process->err_fd >= 0)
    close (process->err_fd);
  g_free (process->exit_signal);
  g_free (process->message);
  g_free (process);
}
