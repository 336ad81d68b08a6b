/* command-output.c: run a program with a deadline and an output limit.
 *
 * One poll() loop reads both pipes, so a program that fills one pipe while
 * fleetc waits on the other cannot deadlock.  The program's exit is awaited
 * with WNOHANG until the deadline, because it may close its output and keep
 * running.
 */
#include "compiler/command-output.h"

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <glib-unix.h>

#include "schema/fleet-clock.h"

/* How long to sleep between checks for the exit once the pipes are closed. */
#define EXIT_POLL_US 10000

typedef struct {
  GPid pid;
  gint64 deadline_us;
  gsize max_stdout;
  GByteArray *stdout_buffer;
  GByteArray *stderr_buffer;
  FleetCommandOutput *output;
} Run;

void
fleet_command_output_clear (FleetCommandOutput *output)
{
  g_clear_pointer (&output->stdout_bytes, g_bytes_unref);
  g_clear_pointer (&output->stderr_tail, g_bytes_unref);
}

static gint64
now_us (void)
{
  return fleet_clock_monotonic_us (fleet_clock_system ());
}

/* Runs in the child between fork and exec, so it may only make
 * async-signal-safe calls. */
static void
enter_own_process_group (gpointer data)
{
  setpgid (0, 0);
}

/* Kill the program's process group and reap the program. */
static void
kill_group (Run *run)
{
  int status;

  kill (-run->pid, SIGKILL);
  kill (run->pid, SIGKILL);
  while (waitpid (run->pid, &status, 0) < 0 && errno == EINTR)
    ;
  run->output->wait_status = status;
}

/* Keep only the last FLEET_COMMAND_STDERR_KEEP bytes, trimming in batches
 * so that a chatty program costs linear time. */
static void
trim_stderr (GByteArray *buffer)
{
  if (buffer->len > 2 * FLEET_COMMAND_STDERR_KEEP)
    g_byte_array_remove_range (buffer, 0, buffer->len - FLEET_COMMAND_STDERR_KEEP);
}

/* Read what `fd` has into `buffer`.  Returns FALSE at end of file. */
static gboolean
drain (int fd, GByteArray *buffer)
{
  guint8 chunk[65536];
  ssize_t n = read (fd, chunk, sizeof chunk);

  if (n < 0)
    return errno == EINTR || errno == EAGAIN;
  if (n == 0)
    return FALSE;

  g_byte_array_append (buffer, chunk, (guint) n);
  return TRUE;
}

static int
poll_timeout_ms (const Run *run)
{
  gint64 left = run->deadline_us - now_us ();

  if (left <= 0)
    return 0;
  return (int) MIN ((left + 999) / 1000, G_MAXINT);
}

/* Read both pipes until both are closed.  Returns FALSE after killing the
 * program at the deadline or the output limit. */
static gboolean
read_pipes (Run *run, int stdout_fd, int stderr_fd)
{
  struct pollfd fds[2] = { { stdout_fd, POLLIN, 0 }, { stderr_fd, POLLIN, 0 } };

  while (fds[0].fd >= 0 || fds[1].fd >= 0)
    {
      int ready = poll (fds, 2, poll_timeout_ms (run));

      if (ready < 0 && errno == EINTR)
        continue;
      if (ready <= 0 && now_us () >= run->deadline_us)
        {
          run->output->timed_out = TRUE;
          return FALSE;
        }

      for (int i = 0; i < 2; i++)
        {
          GByteArray *buffer = i == 0 ? run->stdout_buffer : run->stderr_buffer;

          if (fds[i].fd < 0 || fds[i].revents == 0)
            continue;
          if (!drain (fds[i].fd, buffer))
            fds[i].fd = -1;
        }

      trim_stderr (run->stderr_buffer);
      if (run->stdout_buffer->len > run->max_stdout)
        {
          run->output->stdout_too_large = TRUE;
          return FALSE;
        }
    }

  return TRUE;
}

/* Wait for the program to exit.  Returns FALSE when the deadline passes
 * first. */
static gboolean
wait_for_exit (Run *run)
{
  while (TRUE)
    {
      int status;
      pid_t done = waitpid (run->pid, &status, WNOHANG);

      if (done == run->pid)
        {
          run->output->wait_status = status;
          return TRUE;
        }
      if (done < 0 && errno != EINTR)
        return TRUE;
      if (now_us () >= run->deadline_us)
        {
          run->output->timed_out = TRUE;
          return FALSE;
        }

      g_usleep (MIN (EXIT_POLL_US, (gulong) MAX (run->deadline_us - now_us (), 0)));
    }
}

gboolean
fleet_command_run (const char * const *argv,
                   gint64 deadline_us,
                   gsize max_stdout,
                   FleetCommandOutput *output,
                   GError **error)
{
  Run run = { .deadline_us = deadline_us, .max_stdout = max_stdout, .output = output };
  int stdout_fd = -1;
  int stderr_fd = -1;

  *output = (FleetCommandOutput) { 0 };
  if (!g_spawn_async_with_pipes_and_fds (NULL, argv, NULL,
                                         G_SPAWN_DO_NOT_REAP_CHILD | G_SPAWN_STDIN_FROM_DEV_NULL
                                         | G_SPAWN_CLOEXEC_PIPES,
                                         enter_own_process_group, NULL, -1, -1, -1, NULL, NULL, 0,
                                         &run.pid, NULL, &stdout_fd, &stderr_fd, error))
    return FALSE;

  /* Also from the parent, so that the group exists before any kill(). */
  setpgid (run.pid, run.pid);
  g_unix_set_fd_nonblocking (stdout_fd, TRUE, NULL);
  g_unix_set_fd_nonblocking (stderr_fd, TRUE, NULL);
  run.stdout_buffer = g_byte_array_new ();
  run.stderr_buffer = g_byte_array_new ();

  if (!read_pipes (&run, stdout_fd, stderr_fd) || !wait_for_exit (&run))
    kill_group (&run);

  close (stdout_fd);
  close (stderr_fd);
  trim_stderr (run.stderr_buffer);
  if (run.stderr_buffer->len > FLEET_COMMAND_STDERR_KEEP)
    g_byte_array_remove_range (run.stderr_buffer, 0, run.stderr_buffer->len - FLEET_COMMAND_STDERR_KEEP);

  output->stdout_bytes = g_byte_array_free_to_bytes (run.stdout_buffer);
  output->stderr_tail = g_byte_array_free_to_bytes (run.stderr_buffer);
  return TRUE;
}
