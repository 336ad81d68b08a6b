/* fleet-host-key.c: the host key check that runs before any credential is
 * sent. */
#include "runtime/fleet-ssh-private.h"

#include <string.h>

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
    return g_strdup (fleet_connection_target (connection));
  return g_strdup_printf ("[%s]:%u", fleet_connection_target (connection), connection->host->port);
}

/* Return "TYPE SHA256:... (line N)" for the first line of `file` that
 * records a key for `name`, or NULL.  libssh 0.10 reports that a key changed
 * but not which recorded key it compared with, and the admin needs both. */
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

gboolean
fleet_host_key_verify (FleetConnection *connection)
{
  ssh_key server_key = NULL;
  struct ssh_knownhosts_entry *entry = NULL;
  enum ssh_known_hosts_e state;
  g_autofree char *presented = NULL;
  g_autofree char *recorded = NULL;
  g_autofree char *name = known_hosts_name (connection);
  g_autofree char *file = fleet_expand_home (fleet_host_primary_known_hosts_file (connection->host));

  if (ssh_get_server_publickey (connection->session, &server_key) != SSH_OK)
    {
      fleet_connection_fail (connection, FLEET_FAILURE_CONNECTION_FAILED,
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
      fleet_connection_fail (connection, FLEET_FAILURE_HOST_KEY_CHANGED,
                             g_strdup_printf ("host key for %s has changed: %s records %s, the "
                                              "server presents %s; if the host was reinstalled, "
                                              "verify the new key and replace the old one "
                                              "(ssh-keygen -R '%s' -f %s)",
                                              name, file, recorded != NULL ? recorded : "another key",
                                              presented, name, file));
      return FALSE;

    case SSH_KNOWN_HOSTS_NOT_FOUND:
      fleet_connection_fail (connection, FLEET_FAILURE_HOST_KEY_UNKNOWN,
                             g_strdup_printf ("known_hosts file %s not found or not readable, so "
                                              "the host key of %s (%s) cannot be verified; check "
                                              "the known_hosts_file setting", file, name, presented));
      return FALSE;

    case SSH_KNOWN_HOSTS_UNKNOWN:
      fleet_connection_fail (connection, FLEET_FAILURE_HOST_KEY_UNKNOWN,
                             g_strdup_printf ("host key for %s is not in %s: the server presents "
                                              "%s; verify it out of band and add it to that file",
                                              name, file, presented));
      return FALSE;

    case SSH_KNOWN_HOSTS_ERROR:
    default:
      fleet_connection_fail (connection, FLEET_FAILURE_HOST_KEY_UNKNOWN,
                             g_strdup_printf ("cannot check the host key for %s against %s: %s",
                                              name, file, ssh_get_error (connection->session)));
      return FALSE;
    }
}
