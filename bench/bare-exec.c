/* bare-exec.c: the cost of one remote command over an open SSH connection,
 * written directly against libssh, as the floor that fleet-run's
 * per-command overhead is compared with (bench/command-overhead).
 *
 * Connects and authenticates once, checking the host key against the
 * given known_hosts file, then N times: opens a session channel, executes
 * the command, reads its output until end of file, reads its exit status
 * and closes the channel.  Blocking libssh calls, one command at a time.
 * Prints the median, mean, minimum and maximum time per command in
 * milliseconds, measured with the monotonic clock around each command.
 *
 * Usage: bare-exec HOST PORT USER KEY_FILE KNOWN_HOSTS N [COMMAND]
 */
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <glib.h>
#include <libssh/libssh.h>

static int
compare_durations (gconstpointer a, gconstpointer b)
{
  gint64 left = *(const gint64 *) a;
  gint64 right = *(const gint64 *) b;

  return (left > right) - (left < right);
}

static ssh_session
connect_session (const char *host, unsigned int port, const char *user, const char *key_file,
                 const char *known_hosts)
{
  ssh_session session = ssh_new ();
  ssh_key key = NULL;
  int no_delay = 1;
  bool process_config = false;

  ssh_options_set (session, SSH_OPTIONS_PROCESS_CONFIG, &process_config);
  ssh_options_set (session, SSH_OPTIONS_HOST, host);
  ssh_options_set (session, SSH_OPTIONS_PORT, &port);
  ssh_options_set (session, SSH_OPTIONS_USER, user);
  ssh_options_set (session, SSH_OPTIONS_KNOWNHOSTS, known_hosts);
  ssh_options_set (session, SSH_OPTIONS_NODELAY, &no_delay);

  if (ssh_connect (session) != SSH_OK)
    {
      fprintf (stderr, "bare-exec: cannot connect to %s port %u: %s\n", host, port,
               ssh_get_error (session));
      exit (1);
    }
  if (ssh_session_is_known_server (session) != SSH_KNOWN_HOSTS_OK)
    {
      fprintf (stderr, "bare-exec: the host key of %s port %u is not in %s\n", host, port,
               known_hosts);
      exit (1);
    }
  if (ssh_pki_import_privkey_file (key_file, NULL, NULL, NULL, &key) != SSH_OK)
    {
      fprintf (stderr, "bare-exec: cannot read the private key %s\n", key_file);
      exit (1);
    }
  if (ssh_userauth_publickey (session, NULL, key) != SSH_AUTH_SUCCESS)
    {
      fprintf (stderr, "bare-exec: authentication as %s failed: %s\n", user,
               ssh_get_error (session));
      exit (1);
    }
  ssh_key_free (key);
  return session;
}

/* Run `command` on a new channel; returns its exit status. */
static int
run_command (ssh_session session, const char *command)
{
  ssh_channel channel = ssh_channel_new (session);
  char buffer[4096];
  int status;

  if (channel == NULL || ssh_channel_open_session (channel) != SSH_OK
      || ssh_channel_request_exec (channel, command) != SSH_OK)
    {
      fprintf (stderr, "bare-exec: cannot run the command: %s\n", ssh_get_error (session));
      exit (1);
    }

  while (ssh_channel_read (channel, buffer, sizeof buffer, 0) > 0
         || ssh_channel_read (channel, buffer, sizeof buffer, 1) > 0)
    ;
  status = ssh_channel_get_exit_status (channel);
  ssh_channel_close (channel);
  ssh_channel_free (channel);
  return status;
}

int
main (int argc, char **argv)
{
  const char *command;
  ssh_session session;
  g_autoptr(GArray) durations = g_array_new (FALSE, FALSE, sizeof (gint64));
  gint64 total_us = 0;
  guint n;

  if (argc < 7 || argc > 8)
    {
      fprintf (stderr, "usage: bare-exec HOST PORT USER KEY_FILE KNOWN_HOSTS N [COMMAND]\n");
      return 2;
    }
  n = (guint) g_ascii_strtoull (argv[6], NULL, 10);
  command = argc == 8 ? argv[7] : "true";
  if (n == 0)
    {
      fprintf (stderr, "bare-exec: N must be a positive number of commands\n");
      return 2;
    }

  session = connect_session (argv[1], (unsigned int) g_ascii_strtoull (argv[2], NULL, 10),
                             argv[3], argv[4], argv[5]);

  for (guint i = 0; i < n; i++)
    {
      gint64 started_us = g_get_monotonic_time ();
      gint64 duration_us;
      int status = run_command (session, command);

      duration_us = g_get_monotonic_time () - started_us;
      if (status != 0)
        {
          fprintf (stderr, "bare-exec: `%s` exited with %d\n", command, status);
          return 1;
        }
      g_array_append_val (durations, duration_us);
      total_us += duration_us;
    }

  g_array_sort (durations, compare_durations);
  printf ("bare libssh exec of `%s`, %u commands: median %.3f ms, mean %.3f ms, "
          "min %.3f ms, max %.3f ms\n", command, n,
          g_array_index (durations, gint64, n / 2) / 1000.0, total_us / 1000.0 / n,
          g_array_index (durations, gint64, 0) / 1000.0,
          g_array_index (durations, gint64, n - 1) / 1000.0);

  ssh_disconnect (session);
  ssh_free (session);
  return 0;
}
