/* fleet-host-key.c: the host key check that runs before any credential is
 * sent.
 *
 * Keys are checked by fleetc's own known_hosts engine (fleet-known-hosts.h),
 * not by libssh, which accepts a key that a @revoked line names.  The files
 * of each host are read once per run and shared by every connection that
 * names the same list.
 */
#include "runtime/fleet-ssh-private.h"

#include <string.h>

#include "runtime/fleet-known-hosts.h"
#include "schema/fleet-oom.h"

/* Host key algorithms offered after the ones known_hosts records for the
 * host, strongest first; libssh 0.10 signs with none of the others. */
static const char default_host_key_algorithms[] =
  "ssh-ed25519,ecdsa-sha2-nistp521,ecdsa-sha2-nistp384,ecdsa-sha2-nistp256,"
  "rsa-sha2-512,rsa-sha2-256";

static char *
expanded_file_list (const FleetHost *host)
{
  g_autoptr(GString) key = g_string_new (NULL);

  if (host->known_hosts_files->len == 0)
    return fleet_expand_home (FLEET_DEFAULT_KNOWN_HOSTS_FILE);

  for (guint i = 0; i < host->known_hosts_files->len; i++)
    {
      g_autofree char *path = fleet_expand_home (g_ptr_array_index (host->known_hosts_files, i));

      if (i > 0)
        g_string_append_c (key, '\n');
      g_string_append (key, path);
    }
  return g_string_free (g_steal_pointer (&key), FALSE);
}

/* Return the table for the host's known_hosts files, loading them on first
 * use; or NULL with an error. */
static FleetKnownHosts *
host_table (FleetConnection *connection, GError **error)
{
  FleetSshContext *context = connection->context;
  g_autofree char *files = expanded_file_list (connection->host);
  g_autoptr(FleetKnownHosts) table = NULL;
  g_auto(GStrv) paths = NULL;
  FleetKnownHosts *cached = g_hash_table_lookup (context->known_hosts, files);

  if (cached != NULL)
    return cached;

  table = fleet_known_hosts_new ();
  paths = g_strsplit (files, "\n", -1);
  for (guint i = 0; paths[i] != NULL; i++)
    if (!fleet_known_hosts_load (table, paths[i], error))
      return NULL;

  cached = g_steal_pointer (&table);
  g_hash_table_insert (context->known_hosts, g_steal_pointer (&files), cached);
  return cached;
}

/* The name known_hosts records the host under: the address the admin
 * wrote for it, which is what fleet-run connects to. */
static const char *
lookup_name (const FleetConnection *connection)
{
  return fleet_connection_target (connection);
}

char *
fleet_host_key_algorithms (FleetConnection *connection)
{
  g_autoptr(GError) error = NULL;
  FleetKnownHosts *table;
  g_auto(GStrv) recorded = NULL;
  g_autoptr(GString) algorithms = g_string_new (NULL);
  g_auto(GStrv) defaults = g_strsplit (default_host_key_algorithms, ",", -1);

  /* A table that cannot be loaded fails the check later, with its error. */
  g_mutex_lock (&connection->context->lock);
  table = host_table (connection, &error);
  if (table != NULL)
    recorded = fleet_known_hosts_get_key_types (table, lookup_name (connection),
                                                connection->host->port);
  g_mutex_unlock (&connection->context->lock);

  for (guint i = 0; recorded != NULL && recorded[i] != NULL; i++)
    {
      /* known_hosts writes RSA keys as ssh-rsa; they sign with SHA-2. */
      const char *algorithm = g_str_equal (recorded[i], "ssh-rsa")
                                ? "rsa-sha2-512,rsa-sha2-256" : recorded[i];

      if (!g_strv_contains ((const char * const *) defaults, recorded[i])
          && !g_str_equal (recorded[i], "ssh-rsa"))
        continue;
      if (strstr (algorithms->str, algorithm) == NULL)
        g_string_append_printf (algorithms, "%s%s", algorithms->len > 0 ? "," : "", algorithm);
    }

  for (guint i = 0; defaults[i] != NULL; i++)
    if (strstr (algorithms->str, defaults[i]) == NULL)
      g_string_append_printf (algorithms, "%s%s", algorithms->len > 0 ? "," : "", defaults[i]);

  return g_string_free (g_steal_pointer (&algorithms), FALSE);
}

/* Record a first-seen key under the accept-new policy.  Returns FALSE after
 * failing the connection. */
static gboolean
accept_new_key (FleetConnection *connection, FleetKnownHosts *table, const char *key_type,
                const guint8 *blob, gsize blob_length, const FleetHostKeyCheck *check)
{
  g_autofree char *file = fleet_expand_home (fleet_host_primary_known_hosts_file (connection->host));
  g_autoptr(GError) error = NULL;

  if (!fleet_known_hosts_add (table, file, lookup_name (connection), connection->host->port,
                              key_type, blob, blob_length, connection->host->hash_known_hosts,
                              &error))
    {
      fleet_connection_fail (connection, FLEET_FAILURE_HOST_KEY_UNKNOWN,
                             g_strdup_printf ("cannot record the new host key of %s (%s %s) in "
                                              "%s: %s", check->lookup_name, key_type,
                                              check->presented_fingerprint, file,
                                              error->message));
      return FALSE;
    }

  g_free (connection->recorded_key);
  connection->recorded_key = g_strdup_printf ("%s %s in %s", key_type,
                                              check->presented_fingerprint, file);
  return TRUE;
}

static gboolean
verify_locked (FleetConnection *connection)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(FleetHostKeyCheck) check = NULL;
  FleetKnownHosts *table;
  ssh_key server_key = NULL;
  char *base64 = NULL;
  g_autofree guint8 *blob = NULL;
  gsize blob_length = 0;
  const char *key_type;

  table = host_table (connection, &error);
  if (table == NULL)
    {
      fleet_connection_fail (connection, FLEET_FAILURE_HOST_KEY_UNKNOWN,
                             g_strdup_printf ("cannot read the known_hosts files of %s: %s",
                                              connection->host->name, error->message));
      return FALSE;
    }

  /* After the key exchange, libssh 0.10 holds the server's key, so copying
   * and exporting it fail only when memory runs out.  It exports a public
   * key's wire form only as base64. */
  fleet_oom_check_status (ssh_get_server_publickey (connection->session, &server_key) == SSH_OK,
                          "ssh_get_server_publickey");
  fleet_oom_check_status (ssh_pki_export_pubkey_base64 (server_key, &base64) == SSH_OK,
                          "ssh_pki_export_pubkey_base64");

  blob = g_base64_decode (base64, &blob_length);
  ssh_string_free_char (base64);
  key_type = ssh_key_type_to_char (ssh_key_type (server_key));
  check = fleet_known_hosts_check (table, lookup_name (connection), connection->host->port,
                                   key_type, blob, blob_length,
                                   &error);
  /* The check rejects only a key whose blob does not start with its type
   * name, and libssh names the type of the key it exported itself. */
  g_assert (check != NULL);

  if (check->verdict == FLEET_HOST_KEY_UNKNOWN
           && connection->host->host_key_policy == FLEET_HOST_KEY_POLICY_ACCEPT_NEW)
    {
      accept_new_key (connection, table, key_type, blob, blob_length, check);
    }
  else if (check->verdict != FLEET_HOST_KEY_MATCH)
    {
      FleetFailure failure = check->verdict == FLEET_HOST_KEY_CHANGED
                               ? FLEET_FAILURE_HOST_KEY_CHANGED
                               : check->verdict == FLEET_HOST_KEY_REVOKED
                                   ? FLEET_FAILURE_HOST_KEY_REVOKED
                                   : FLEET_FAILURE_HOST_KEY_UNKNOWN;

      fleet_connection_fail (connection, failure, g_strdup (check->message));
    }

  ssh_key_free (server_key);
  return connection->state != FLEET_CONNECTION_FAILED;
}

/* The known_hosts tables, and the files accept-new writes, are shared by
 * every connection of the context, which handshake threads drive at once. */
gboolean
fleet_host_key_verify (FleetConnection *connection)
{
  gboolean verified;

  g_mutex_lock (&connection->context->lock);
  verified = verify_locked (connection);
  g_mutex_unlock (&connection->context->lock);
  return verified;
}
