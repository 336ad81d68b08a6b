/* fleet-auth.c: public key authentication through ssh-agent and identity
 * files, with OpenSSH user certificates.
 *
 * Methods are tried in this order: the keys of ssh-agent (with
 * identities_only, only those whose public key is an identity file's
 * PATH.pub, as OpenSSH does; see fleet-agent-filter.h), then each identity
 * file in the host's order, with
 * its certificate PATH-cert.pub first when there is one and then the key
 * alone.  When none is accepted, the connection fails with a message that
 * lists every method tried and what happened to it.  fleet-key-file.c loads
 * and checks the identity files.
 */
#include "runtime/fleet-ssh-private.h"

#include <string.h>

#include "schema/fleet-diagnostics.h"

/* Names of the methods in ssh_userauth_list()'s result, in RFC 4252 terms. */
static const struct {
  int method;
  const char *name;
} auth_method_names[] = {
  { SSH_AUTH_METHOD_PUBLICKEY, "publickey" },
  { SSH_AUTH_METHOD_PASSWORD, "password" },
  { SSH_AUTH_METHOD_INTERACTIVE, "keyboard-interactive" },
  { SSH_AUTH_METHOD_HOSTBASED, "hostbased" },
  { SSH_AUTH_METHOD_GSSAPI_MIC, "gssapi-with-mic" },
};

static gboolean
agent_available (void)
{
  const char *socket_path = g_getenv ("SSH_AUTH_SOCK");

  return socket_path != NULL && socket_path[0] != '\0';
}

static void
note_attempt (FleetConnection *connection, const char *text)
{
  if (connection->auth_attempts->len > 0)
    g_string_append (connection->auth_attempts, "; ");
  g_string_append (connection->auth_attempts, text);
}

static const char *
login_user (const FleetConnection *connection)
{
  return connection->host->user != NULL ? connection->host->user : g_get_user_name ();
}

/* Hand libssh an agent restricted to the keys of the host's identity
 * files.  Returns FALSE, leaving the agent out, when no public key of them
 * is known (fleet_key_public_file_blob) or the agent cannot be reached. */
static gboolean
restrict_agent (FleetConnection *connection)
{
  const GPtrArray *files = connection->host->identity_files;
  g_autoptr(GPtrArray) allowed = g_ptr_array_new_with_free_func ((GDestroyNotify) g_bytes_unref);
  g_autoptr(GError) error = NULL;

  for (guint i = 0; i < files->len; i++)
    {
      GBytes *blob = fleet_key_public_file_blob (g_ptr_array_index (files, i));

      if (blob != NULL)
        g_ptr_array_add (allowed, blob);
    }
  if (allowed->len == 0)
    return FALSE;

  g_clear_pointer (&connection->agent_filter, fleet_agent_filter_free);
  connection->agent_filter = fleet_agent_filter_new (g_getenv ("SSH_AUTH_SOCK"), allowed, &error);
  if (connection->agent_filter == NULL)
    {
      note_attempt (connection, error->message);
      return FALSE;
    }

  ssh_set_agent_socket (connection->session,
                        fleet_agent_filter_steal_fd (connection->agent_filter));
  return TRUE;
}

void
fleet_auth_begin (FleetConnection *connection)
{
  g_string_truncate (connection->auth_attempts, 0);
  if (!agent_available ())
    connection->auth_stage = AUTH_IDENTITY_FILES;
  else if (!connection->host->identities_only)
    connection->auth_stage = AUTH_AGENT;
  else
    connection->auth_stage = restrict_agent (connection) ? AUTH_AGENT : AUTH_IDENTITY_FILES;
  connection->next_identity = 0;
  connection->identity_started = FALSE;
  connection->offering_certificate = FALSE;
  connection->offered_identity = FALSE;
  connection->key_failure = FLEET_FAILURE_NONE;
}

static void
fail_with_attempts (FleetConnection *connection, FleetFailure failure)
{
  fleet_connection_fail (connection, failure,
                         g_strdup_printf ("authentication as %s failed; tried: %s",
                                          login_user (connection),
                                          connection->auth_attempts->str));
}

/* The connection ended while `method` was tried.  A server that sends a
 * disconnect message at this point has given up on the login, most often at
 * its MaxAuthTries limit, so that is an authentication failure.  Any other
 * end is a lost connection.  libssh 0.10 shows the difference only in its
 * error text. */
static void
auth_interrupted (FleetConnection *connection, const char *method)
{
  const char *error = ssh_get_error (connection->session);
  g_autofree char *reason = fleet_quote_value (error, 200);  /* may hold the server's text */
  g_autofree char *text = NULL;

  if (strstr (error, "SSH_MSG_DISCONNECT") == NULL)
    {
      fleet_connection_fail (connection, FLEET_FAILURE_CONNECTION_LOST,
                             g_strdup_printf ("connection lost during authentication, while "
                                              "trying %s: %s", method, reason));
      return;
    }

  text = g_strdup_printf ("%s: the server ended the login with %s; a server does so after "
                          "MaxAuthTries rejected keys, so offer fewer keys (the host's "
                          "identities_only keeps ssh-agent keys out)", method, reason);
  note_attempt (connection, text);
  fail_with_attempts (connection, FLEET_FAILURE_AUTH_FAILED);
}

/* Fail with every method tried.  When no identity file's key reached the
 * server because each was unusable, the first file's own cause is the
 * failure; otherwise the server refused us. */
static void
auth_failed (FleetConnection *connection)
{
  FleetFailure failure = connection->offered_identity
                             || connection->key_failure == FLEET_FAILURE_NONE
                           ? FLEET_FAILURE_AUTH_FAILED : connection->key_failure;

  /* An empty list means that ssh-agent was not tried either. */
  if (connection->host->identity_files->len == 0 && connection->auth_attempts->len > 0)
    note_attempt (connection, "no identity file is set for the host");
  else if (connection->host->identity_files->len == 0)
    note_attempt (connection, agent_available ()
                                ? "the host sets identities_only, which keeps ssh-agent out, "
                                  "and no identity file is set for it"
                                : "no ssh-agent is running and no identity file is set for "
                                  "the host");

  fail_with_attempts (connection, failure);
}

/* Return the note for a key the server accepted only as a first step:
 * its AuthenticationMethods require another method too. */
static char *
describe_partial_success (FleetConnection *connection, const char *method)
{
  int remaining = ssh_userauth_list (connection->session, NULL);
  g_autoptr(GString) names = g_string_new (NULL);

  for (guint i = 0; i < G_N_ELEMENTS (auth_method_names); i++)
    if ((remaining & auth_method_names[i].method) != 0)
      g_string_append_printf (names, "%s%s", names->len > 0 ? " or " : "",
                              auth_method_names[i].name);

  return g_strdup_printf ("%s: accepted as a first step, but the server's "
                          "AuthenticationMethods require another (%s); fleet-run completes only "
                          "publickey steps, each with another key the server accepts",
                          method, names->str);
}

static gboolean
agent_step (FleetConnection *connection)
{
  int rc = ssh_userauth_agent (connection->session, NULL);
  g_autofree char *partial = NULL;

  if (rc == SSH_AUTH_SUCCESS)
    {
      connection->state = FLEET_CONNECTION_READY;
      return TRUE;
    }
  if (!ssh_is_connected (connection->session))
    {
      auth_interrupted (connection, "ssh-agent");
      return TRUE;
    }
  if (rc == SSH_AUTH_AGAIN)
    return FALSE;

  if (rc == SSH_AUTH_PARTIAL)
    partial = describe_partial_success (connection, "ssh-agent");
  if (partial != NULL)
    note_attempt (connection, partial);
  else if (connection->agent_filter == NULL)
    note_attempt (connection, "ssh-agent: no key the server accepts");
  else if (fleet_agent_filter_get_matched (connection->agent_filter) > 0)
    note_attempt (connection, "ssh-agent (the identity files' keys only, as identities_only "
                              "says): no key the server accepts");
  connection->auth_stage = AUTH_IDENTITY_FILES;
  return FALSE;
}

/* Note why the identity file that failed to load was skipped, and move on. */
static void
skip_identity (FleetConnection *connection, const FleetKeyError *error)
{
  note_attempt (connection, error->message);
  if (connection->key_failure == FLEET_FAILURE_NONE)
    connection->key_failure = error->failure;
  connection->next_identity++;
}

/* Note how the server replied to the offer of `loaded` from `path`, and move
 * to the next offer, which after the certificate is the same key alone. */
static void
note_refusal (FleetConnection *connection, const char *path, const FleetLoadedKey *loaded,
              int rc)
{
  g_autofree char *method = NULL;
  g_autofree char *text = NULL;

  if (connection->offering_certificate)
    method = g_strdup_printf ("certificate %s of %s (%s)", loaded->certificate_path, path,
                              loaded->fingerprint);
  else
    method = g_strdup_printf ("%s (%s)", path, loaded->fingerprint);

  if (rc == SSH_AUTH_PARTIAL)
    text = describe_partial_success (connection, method);
  else if (connection->offering_certificate)
    {
      g_autofree char *reason = fleet_key_explain_certificate_rejection (loaded,
                                                                         login_user (connection));
      text = g_strdup_printf ("%s: %s", method, reason);
    }
  else
    text = g_strdup_printf ("%s: rejected by the server", method);

  note_attempt (connection, text);
  connection->offered_identity = TRUE;

  if (connection->offering_certificate)
    connection->offering_certificate = FALSE;
  else
    {
      connection->identity_started = FALSE;
      connection->next_identity++;
    }
}

/* Offer identity file number next_identity, with its certificate first when
 * it has one, as OpenSSH does.  Returns TRUE when authentication has
 * finished. */
static gboolean
identity_step (FleetConnection *connection)
{
  const GPtrArray *files = connection->host->identity_files;
  const FleetKeyError *error = NULL;
  const FleetLoadedKey *loaded;
  const char *path;
  g_autofree char *method = NULL;
  int rc;

  if (connection->next_identity >= files->len)
    {
      auth_failed (connection);
      return TRUE;
    }

  path = g_ptr_array_index (files, connection->next_identity);
  loaded = fleet_key_lookup (connection->context, connection->host, path, &error);
  if (loaded == NULL)
    {
      skip_identity (connection, error);
      return FALSE;
    }

  if (!connection->identity_started)
    {
      connection->identity_started = TRUE;
      connection->offering_certificate = loaded->certified != NULL;
      if (loaded->certificate_note != NULL)
        note_attempt (connection, loaded->certificate_note);
    }

  rc = ssh_userauth_publickey (connection->session, NULL,
                               connection->offering_certificate ? loaded->certified : loaded->key);
  if (rc == SSH_AUTH_SUCCESS)
    {
      connection->state = FLEET_CONNECTION_READY;
      return TRUE;
    }

  /* Checked before SSH_AUTH_AGAIN: after the server disconnects, libssh
   * 0.10.6 goes on returning SSH_AUTH_AGAIN, and the login would wait for
   * its deadline. */
  if (!ssh_is_connected (connection->session))
    {
      method = g_strdup_printf ("%s (%s)", path, loaded->fingerprint);
      auth_interrupted (connection, method);
      return TRUE;
    }
  if (rc == SSH_AUTH_AGAIN)
    return FALSE;

  note_refusal (connection, path, loaded, rc);
  return FALSE;
}

static gboolean
auth_step (FleetConnection *connection)
{
  for (;;)
    {
      guint identity = connection->next_identity;
      gboolean certificate = connection->offering_certificate;
      gboolean done;

      if (connection->auth_stage == AUTH_AGENT)
        {
          done = agent_step (connection);
          if (done || connection->auth_stage == AUTH_AGENT)
            return done;
          continue;
        }

      done = identity_step (connection);
      if (done || (connection->next_identity == identity
                   && connection->offering_certificate == certificate))
        return done;
    }
}

gboolean
fleet_auth_continue (FleetConnection *connection)
{
  gboolean done = auth_step (connection);

  /* libssh sends the agent no request after authentication. */
  if (done)
    g_clear_pointer (&connection->agent_filter, fleet_agent_filter_free);
  return done;
}
