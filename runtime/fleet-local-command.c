/* fleet-local-command.c: a program on the controller, with a deadline. */
#include "runtime/fleet-local-command.h"

#include <errno.h>
#include <poll.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

void
fleet_local_result_clear (FleetLocalResult *result)
{
  if (result->stdout_head != NULL)
    g_string_free (result->stdout_head, TRUE);
  if (result->stderr_tail != NULL)
    g_string_free (result->stderr_tail, TRUE);
  result->stdout_head = NULL;
  result->stderr_tail = NULL;
}

/* Runs in the child: a process group of its own lets a timeout kill the
 * program's children too. */
static void
child_setup (gpointer user_data)
{
  setpgid (0, 0);
}

static char **
build_environment (const char * const *extra)
{
  char **environment = g_get_environ ();

  for (guint i = 0; extra != NULL && extra[i] != NULL; i++)
    {
      g_auto (GStrv) pair = g_strsplit (extra[i], "=", 2);

      if (pair[0] != NULL && pair[1] != NULL)
        environment = g_environ_setenv (environment, pair[0], pair[1], TRUE);
    }
  return environment;
}

/* Read what is available on `fd` into `out`; returns FALSE at end of file. */
static gboolean
read_stream (int fd, GString *out, gboolean keep_head, gsize limit)
{
  char buffer[8192];
  ssize_t n = read (fd, buffer, sizeof buffer);

  if (n < 0)
    return errno == EINTR || errno == EAGAIN;
  if (n == 0)
    return FALSE;

  if (keep_head)
    g_string_append_len (out, buffer, MIN ((gsize) n, limit - MIN (out->len, limit)));
  else
    {
      g_string_append_len (out, buffer, n);
      if (out->len > limit)
        g_string_erase (out, 0, out->len - limit);
    }
  return TRUE;
}

gboolean
fleet_local_command_run (const char * const *argv, const char * const *environment,
                         guint64 timeout_ms, FleetLocalResult *result, GError **error)
{
  g_auto (GStrv) envp = build_environment (environment);
  gint64 deadline_us = g_get_monotonic_time () + (gint64) MIN (timeout_ms, G_MAXINT64 / 2000) * 1000;
  int out_fd = -1, err_fd = -1;
  gboolean out_open = TRUE, err_open = TRUE;
  GPid pid;
  int status = 0;

  result->exit_status = -1;
  result->timed_out = FALSE;
  result->signal_number = 0;
  result->stdout_head = g_string_new (NULL);
  result->stderr_tail = g_string_new (NULL);

  if (!g_spawn_async_with_pipes (NULL, (char **) argv, envp,
                                 G_SPAWN_SEARCH_PATH | G_SPAWN_DO_NOT_REAP_CHILD
                                   | G_SPAWN_STDIN_FROM_DEV_NULL,
                                 child_setup, NULL, &pid, NULL, &out_fd, &err_fd, error))
    return FALSE;

  while (out_open || err_open)
    {
      struct pollfd fds[2] = { { out_open ? out_fd : -1, POLLIN, 0 },
                               { err_open ? err_fd : -1, POLLIN, 0 } };
      gint64 left_us = deadline_us - g_get_monotonic_time ();

      if (left_us <= 0)
        {
          result->timed_out = TRUE;
          break;
        }
      if (poll (fds, 2, (int) MIN ((left_us + 999) / 1000, 1000)) < 0 && errno != EINTR)
        break;
      if (out_open && fds[0].revents != 0)
        out_open = read_stream (out_fd, result->stdout_head, TRUE, FLEET_LOCAL_STDOUT_MAX_BYTES);
      if (err_open && fds[1].revents != 0)
        err_open = read_stream (err_fd, result->stderr_tail, FALSE, FLEET_LOCAL_STDERR_TAIL_BYTES);
    }

  if (result->timed_out)
    kill (-pid, SIGKILL);
  close (out_fd);
  close (err_fd);

  while (waitpid (pid, &status, 0) < 0 && errno == EINTR)
    ;
  g_spawn_close_pid (pid);

  if (WIFEXITED (status))
    result->exit_status = WEXITSTATUS (status);
  else if (WIFSIGNALED (status))
    result->signal_number = WTERMSIG (status);
  return TRUE;
}
