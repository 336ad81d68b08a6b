/* connection-memory.c: resident memory of fleet-run's SSH layer per open,
 * authenticated connection.
 *
 * Reads the hosts of a sandbox fleet (scripts/sandbox-fleet up N DIR).
 * Then it opens connections to its first hosts in steps, through the
 * runtime calls fleet-run uses: a FleetSshContext with its handshake
 * threads, and one FleetConnection per host driven by one poll() loop.
 * After each step, with every connection READY and idle, it prints the
 * process's resident set size (VmRSS of /proc/self/status) and the growth
 * per connection since before the first connection.
 *
 * Usage: connection-memory SANDBOX_DIR COUNT...   e.g. connection-memory DIR 100 500 1000
 */
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <glib.h>

#include "runtime/fleet-limits.h"
#include "runtime/fleet-transport.h"

/* Return VmRSS of this process in KiB. */
static guint64
resident_kib (void)
{
  g_autofree char *status = NULL;
  const char *line;

  if (!g_file_get_contents ("/proc/self/status", &status, NULL, NULL)
      || (line = strstr (status, "VmRSS:")) == NULL)
    {
      fprintf (stderr, "connection-memory: cannot read VmRSS from /proc/self/status\n");
      exit (1);
    }
  return g_ascii_strtoull (line + strlen ("VmRSS:"), NULL, 10);
}

/* Return the sandbox's hosts in inventory order, from the "port:" lines of
 * DIR/inventory.yaml that scripts/sandbox-fleet writes. */
static GPtrArray *
read_sandbox_hosts (const char *dir)
{
  g_autofree char *inventory = g_build_filename (dir, "inventory.yaml", NULL);
  g_autofree char *text = NULL;
  g_auto(GStrv) lines = NULL;
  GPtrArray *hosts = g_ptr_array_new_with_free_func ((GDestroyNotify) fleet_host_free);

  if (!g_file_get_contents (inventory, &text, NULL, NULL))
    {
      fprintf (stderr, "connection-memory: cannot read %s\n", inventory);
      exit (1);
    }

  lines = g_strsplit (text, "\n", -1);
  for (guint i = 0; lines[i] != NULL; i++)
    {
      const char *port = strstr (lines[i], "port: ");
      g_autofree char *name = NULL;
      FleetHost *host;

      if (port == NULL)
        continue;
      name = g_strdup_printf ("host%u", hosts->len + 1);
      host = fleet_host_new (name);
      host->address = g_strdup ("127.0.0.1");
      host->port = (guint16) g_ascii_strtoull (port + strlen ("port: "), NULL, 10);
      host->user = g_strdup ("root");
      host->connect_timeout_ms = 600000;
      host->identities_only = TRUE;
      g_ptr_array_add (host->identity_files, g_build_filename (dir, "client", "id_ed25519", NULL));
      g_ptr_array_add (host->known_hosts_files, g_build_filename (dir, "known_hosts", NULL));
      g_ptr_array_add (hosts, host);
    }
  return hosts;
}

static gboolean
handshakes_ended (GPtrArray *connections)
{
  for (guint i = 0; i < connections->len; i++)
    {
      FleetConnectionState state = fleet_connection_get_state (g_ptr_array_index (connections, i));

      if (state != FLEET_CONNECTION_READY && state != FLEET_CONNECTION_FAILED)
        return FALSE;
    }
  return TRUE;
}

/* Drive every connection and the context until no handshake is left. */
static void
drive (FleetSshContext *context, GPtrArray *connections)
{
  while (!handshakes_ended (connections))
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
      poll (fds, connections->len + n_context, 200);

      now = g_get_monotonic_time ();
      fleet_ssh_context_process (context, now, fds + connections->len, n_context);
      for (guint i = 0; i < connections->len; i++)
        fleet_connection_process (g_ptr_array_index (connections, i), now, fds[i].revents);
    }
}

int
main (int argc, char **argv)
{
  g_autoptr(GPtrArray) hosts = NULL;
  g_autoptr(GPtrArray) connections = g_ptr_array_new ();
  g_autoptr(GError) error = NULL;
  FleetSshContext *context;
  guint64 before_kib;
  guint64 limit = 0;
  guint64 largest = 0;

  if (argc < 3)
    {
      fprintf (stderr, "usage: connection-memory SANDBOX_DIR COUNT...\n");
      return 2;
    }

  hosts = read_sandbox_hosts (argv[1]);
  for (int i = 2; i < argc; i++)
    largest = MAX (largest, g_ascii_strtoull (argv[i], NULL, 10));
  if (largest > hosts->len)
    {
      fprintf (stderr, "connection-memory: the sandbox has %u hosts, fewer than %" G_GUINT64_FORMAT
               "\n", hosts->len, largest);
      return 2;
    }
  if (!fleet_raise_descriptor_limit (largest + 64, &limit, &error))
    {
      fprintf (stderr, "connection-memory: %s\n", error->message);
      return 1;
    }

  context = fleet_ssh_context_new ();
  fleet_ssh_context_set_handshake_workers (context, g_get_num_processors (), fleet_clock_system ());
  before_kib = resident_kib ();
  printf ("before connecting: RSS %" G_GUINT64_FORMAT " KiB, %u handshake threads\n", before_kib,
          g_get_num_processors ());

  for (int i = 2; i < argc; i++)
    {
      guint target = (guint) g_ascii_strtoull (argv[i], NULL, 10);
      guint ready = 0;
      guint64 rss_kib;

      while (connections->len < target)
        {
          FleetConnection *connection = fleet_connection_new (g_ptr_array_index (hosts,
                                                                                 connections->len),
                                                              context);

          g_ptr_array_add (connections, connection);
          fleet_connection_start (connection, g_get_monotonic_time ());
        }
      drive (context, connections);

      for (guint c = 0; c < connections->len; c++)
        {
          FleetConnection *connection = g_ptr_array_index (connections, c);

          if (fleet_connection_get_state (connection) == FLEET_CONNECTION_READY)
            ready++;
          else
            fprintf (stderr, "connection-memory: %s: %s\n",
                     fleet_failure_code (fleet_connection_get_failure (connection)),
                     fleet_connection_get_message (connection));
        }

      rss_kib = resident_kib ();
      printf ("%u connections open (%u authenticated): RSS %" G_GUINT64_FORMAT " KiB, "
              "%.1f KiB per connection\n", connections->len, ready, rss_kib,
              (double) (rss_kib - before_kib) / connections->len);
      fflush (stdout);
    }

  for (guint c = 0; c < connections->len; c++)
    fleet_connection_free (g_ptr_array_index (connections, c));
  fleet_ssh_context_free (context);
  return 0;
}
