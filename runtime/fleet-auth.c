/* fleet-auth.c: public key authentication through ssh-agent and identity
 * files, with OpenSSH user certificates.
 *
 * Identity files are read once per run and shared by every connection that
 * names them.  Before a key file is given to libssh its envelope is read
 * here (OpenSSH "openssh-key-v1", PEM, PKCS#8), so that an encrypted key
 * with no passphrase, a cipher libssh cannot decrypt and a wrong passphrase
 * are three different errors instead of one "cannot load".
 */
#include "runtime/fleet-ssh-private.h"

#include <string.h>

#include <openssl/crypto.h>

#define OPENSSH_KEY_BEGIN "-----BEGIN OPENSSH PRIVATE KEY-----"
#define OPENSSH_KEY_END "-----END OPENSSH PRIVATE KEY-----"
#define OPENSSH_KEY_MAGIC "openssh-key-v1"

/* Ciphers that libssh 0.10 can decrypt an "openssh-key-v1" file with.
 * OpenSSH also writes aes256-gcm@openssh.com and chacha20-poly1305@openssh.com
 * keys, which libssh rejects with the same error as a wrong passphrase. */
static const char *const supported_key_ciphers[] = {
  "none", "aes128-ctr", "aes192-ctr", "aes256-ctr", "aes128-cbc", "aes192-cbc", "aes256-cbc",
};

void
fleet_key_error_free (FleetKeyError *error)
{
  if (error == NULL)
    return;

  g_free (error->message);
  g_free (error);
}

static FleetKeyError *
key_error_new (FleetFailure failure, char *message)
{
  FleetKeyError *error = g_new0 (FleetKeyError, 1);

  error->failure = failure;
  error->message = message;
  return error;
}

static gboolean
read_uint32 (const guint8 **cursor, const guint8 *end, guint32 *out)
{
  if (end - *cursor < 4)
    return FALSE;
  *out = ((guint32) (*cursor)[0] << 24) | ((guint32) (*cursor)[1] << 16)
         | ((guint32) (*cursor)[2] << 8) | (guint32) (*cursor)[3];
  *cursor += 4;
  return TRUE;
}

/* Return the cipher name of an "openssh-key-v1" file, or NULL when the file
 * is not one or is damaged. */
static char *
openssh_key_cipher (const char *contents)
{
  const char *begin = strstr (contents, OPENSSH_KEY_BEGIN);
  const char *end;
  g_autofree char *base64 = NULL;
  g_autofree guint8 *blob = NULL;
  gsize blob_length = 0;
  const guint8 *cursor;
  const guint8 *blob_end;
  guint32 name_length;

  if (begin == NULL)
    return NULL;
  begin += strlen (OPENSSH_KEY_BEGIN);
  end = strstr (begin, OPENSSH_KEY_END);
  if (end == NULL)
    return NULL;

  base64 = g_strndup (begin, end - begin);
  blob = g_base64_decode (g_strstrip (base64), &blob_length);
  cursor = blob;
  blob_end = blob + blob_length;

  if (blob_length < sizeof OPENSSH_KEY_MAGIC
      || memcmp (blob, OPENSSH_KEY_MAGIC, sizeof OPENSSH_KEY_MAGIC) != 0)
    return NULL;
  cursor += sizeof OPENSSH_KEY_MAGIC;

  if (!read_uint32 (&cursor, blob_end, &name_length) || name_length > 64
      || (gsize) (blob_end - cursor) < name_length)
    return NULL;
  return g_strndup ((const char *) cursor, name_length);
}

/* Return how the key in `contents` is encrypted: NULL when it is not, else
 * the cipher name, or "PEM" or "PKCS#8" for those envelopes. */
static char *
key_encryption (const char *contents, gboolean *out_openssh)
{
  g_autofree char *cipher = openssh_key_cipher (contents);
  const char *dek_info;

  *out_openssh = cipher != NULL;
  if (cipher != NULL)
    return g_str_equal (cipher, "none") ? NULL : g_steal_pointer (&cipher);

  if (strstr (contents, "-----BEGIN ENCRYPTED PRIVATE KEY-----") != NULL)
    return g_strdup ("PKCS#8");

  dek_info = strstr (contents, "DEK-Info: ");
  if (strstr (contents, "Proc-Type: 4,ENCRYPTED") != NULL && dek_info != NULL)
    return g_strndup (dek_info + strlen ("DEK-Info: "), strcspn (dek_info + strlen ("DEK-Info: "), ",\r\n"));

  return NULL;
}

static gboolean
cipher_supported (const char *cipher)
{
  for (guint i = 0; i < G_N_ELEMENTS (supported_key_ciphers); i++)
    if (g_str_equal (cipher, supported_key_ciphers[i]))
      return TRUE;
  return FALSE;
}

/* The public half in PATH.pub, when that file exists, must belong to the
 * private key: agents and servers are offered the public file by some
 * tools, and a stale one makes every login fail for a reason no server
 * message explains. */
static FleetKeyError *
check_public_file (const char *path, ssh_key private_key)
{
  g_autofree char *public_path = g_strconcat (path, ".pub", NULL);
  ssh_key public_key = NULL;
  FleetKeyError *error = NULL;

  if (!g_file_test (public_path, G_FILE_TEST_EXISTS))
    return NULL;

  if (ssh_pki_import_pubkey_file (public_path, &public_key) == SSH_OK
      && ssh_key_cmp (public_key, private_key, SSH_KEY_CMP_PUBLIC) != 0)
    error = key_error_new (FLEET_FAILURE_IDENTITY_FILE,
                           g_strdup_printf ("%s does not belong to the private key %s: the two "
                                            "files are not a key pair; regenerate the public "
                                            "file with ssh-keygen -y -f %s", public_path, path,
                                            path));
  ssh_key_free (public_key);
  return error;
}

/* Return the passphrase for `host`'s identity files, or NULL with an error
 * naming the secret. */
static char *
lookup_passphrase (FleetSshContext *context, const FleetHost *host, const char *path,
                   const char *cipher, FleetKeyError **out_error)
{
  g_autoptr(GError) error = NULL;
  char *passphrase;

  if (host->key_passphrase_secret == NULL)
    {
      *out_error = key_error_new (FLEET_FAILURE_KEY_PASSPHRASE,
                                  g_strdup_printf ("identity file %s is encrypted (%s) and no "
                                                   "passphrase secret is set for it; set "
                                                   "key_passphrase_secret in the inventory, or "
                                                   "load the key into ssh-agent", path, cipher));
      return NULL;
    }

  if (context->secret_func == NULL)
    {
      *out_error = key_error_new (FLEET_FAILURE_KEY_PASSPHRASE,
                                  g_strdup_printf ("identity file %s needs the passphrase secret "
                                                   "\"%s\", but no secret store is open; give "
                                                   "fleet-run --secrets", path,
                                                   host->key_passphrase_secret));
      return NULL;
    }

  passphrase = context->secret_func (host->key_passphrase_secret, context->secret_data, &error);
  if (passphrase == NULL)
    *out_error = key_error_new (FLEET_FAILURE_KEY_PASSPHRASE,
                                g_strdup_printf ("cannot read the passphrase of identity file %s: "
                                                 "%s", path, error->message));
  return passphrase;
}

/* Load the private key at `path` (expanded).  Returns the key, or NULL with
 * a new error. */
static ssh_key
load_key (FleetSshContext *context, const FleetHost *host, const char *path,
          FleetKeyError **out_error)
{
  g_autofree char *contents = NULL;
  g_autoptr(GError) read_error = NULL;
  g_autofree char *cipher = NULL;
  char *passphrase = NULL;
  gboolean openssh_format = FALSE;
  ssh_key key = NULL;
  int rc;

  if (!g_file_get_contents (path, &contents, NULL, &read_error))
    {
      *out_error = key_error_new (FLEET_FAILURE_IDENTITY_FILE,
                                  g_strdup_printf ("cannot read identity file %s: %s", path,
                                                   g_file_test (path, G_FILE_TEST_EXISTS)
                                                     ? read_error->message : "it does not exist"));
      return NULL;
    }

  cipher = key_encryption (contents, &openssh_format);
  OPENSSL_cleanse (contents, strlen (contents));

  if (cipher != NULL && openssh_format && !cipher_supported (cipher))
    {
      *out_error = key_error_new (FLEET_FAILURE_KEY_UNSUPPORTED,
                                  g_strdup_printf ("identity file %s is encrypted with %s, which "
                                                   "the SSH library (libssh %s) cannot decrypt; "
                                                   "re-encrypt it with ssh-keygen -p -Z "
                                                   "aes256-ctr -f %s, or load it into ssh-agent",
                                                   path, cipher, ssh_version (0), path));
      return NULL;
    }

  if (cipher != NULL)
    {
      passphrase = lookup_passphrase (context, host, path, cipher, out_error);
      if (passphrase == NULL)
        return NULL;
    }

  rc = ssh_pki_import_privkey_file (path, passphrase != NULL ? passphrase : "", NULL, NULL, &key);
  fleet_secret_value_free (passphrase);

  if (rc != SSH_OK)
    {
      if (cipher != NULL)
        *out_error = key_error_new (FLEET_FAILURE_KEY_PASSPHRASE,
                                    g_strdup_printf ("cannot decrypt identity file %s (%s): the "
                                                     "passphrase in secret \"%s\" is wrong", path,
                                                     cipher, host->key_passphrase_secret));
      else
        *out_error = key_error_new (FLEET_FAILURE_KEY_UNSUPPORTED,
                                    g_strdup_printf ("identity file %s is not a private key the "
                                                     "SSH library (libssh %s) can read; OpenSSH, "
                                                     "PEM and PKCS#8 files of ed25519, ECDSA and "
                                                     "RSA keys are supported", path,
                                                     ssh_version (0)));
      return NULL;
    }

  *out_error = check_public_file (path, key);
  if (*out_error != NULL)
    {
      ssh_key_free (key);
      return NULL;
    }
  return key;
}

static ssh_key key_with_certificate (const char *path, ssh_key key);

void
fleet_loaded_key_free (FleetLoadedKey *loaded)
{
  if (loaded == NULL)
    return;

  ssh_key_free (loaded->key);
  ssh_key_free (loaded->certified);
  g_free (loaded);
}

/* Return the key for `path`, from the context's cache or loaded now; or NULL
 * with a borrowed error. */
static const FleetLoadedKey *
lookup_key (FleetConnection *connection, const char *path, const FleetKeyError **out_error)
{
  FleetSshContext *context = connection->context;
  g_autofree char *expanded = fleet_expand_home (path);
  FleetLoadedKey *loaded = g_hash_table_lookup (context->keys, expanded);
  FleetKeyError *error = NULL;
  ssh_key key;

  if (loaded != NULL)
    return loaded;

  error = g_hash_table_lookup (context->key_errors, expanded);
  if (error == NULL)
    {
      key = load_key (context, connection->host, expanded, &error);
      if (key != NULL)
        {
          loaded = g_new0 (FleetLoadedKey, 1);
          loaded->key = key;
          loaded->certified = key_with_certificate (expanded, key);
          g_hash_table_insert (context->keys, g_steal_pointer (&expanded), loaded);
          return loaded;
        }
      g_hash_table_insert (context->key_errors, g_strdup (expanded), error);
    }

  *out_error = error;
  return NULL;
}

/* Return a copy of `key` that carries the certificate in PATH-cert.pub, or
 * NULL when there is none.  libssh attaches a certificate to a private key
 * in place, so the key is duplicated first, through an unencrypted export
 * that is wiped after use. */
static ssh_key
key_with_certificate (const char *path, ssh_key key)
{
  g_autofree char *certificate_path = g_strconcat (path, "-cert.pub", NULL);
  ssh_key certificate = NULL;
  ssh_key copy = NULL;
  char *exported = NULL;

  if (!g_file_test (certificate_path, G_FILE_TEST_EXISTS)
      || ssh_pki_import_cert_file (certificate_path, &certificate) != SSH_OK)
    return NULL;

  if (ssh_pki_export_privkey_base64 (key, NULL, NULL, NULL, &exported) == SSH_OK)
    {
      if (ssh_pki_import_privkey_base64 (exported, NULL, NULL, NULL, &copy) != SSH_OK
          || ssh_pki_copy_cert_to_privkey (certificate, copy) != SSH_OK)
        g_clear_pointer (&copy, ssh_key_free);
      OPENSSL_cleanse (exported, strlen (exported));
      ssh_string_free_char (exported);
    }

  ssh_key_free (certificate);
  return copy;
}

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

void
fleet_auth_begin (FleetConnection *connection)
{
  connection->auth_stage = agent_available () && !connection->host->identities_only
                             ? AUTH_AGENT : AUTH_IDENTITY_FILES;
  connection->next_identity = 0;
  connection->identity_started = FALSE;
  connection->offering_certificate = FALSE;
  connection->offered_key = FALSE;
  connection->key_failure = FLEET_FAILURE_NONE;
  g_string_truncate (connection->auth_attempts, 0);
}

static void
auth_lost (FleetConnection *connection)
{
  fleet_connection_fail (connection, FLEET_FAILURE_CONNECTION_LOST,
                         g_strdup_printf ("connection lost during authentication: %s",
                                          ssh_get_error (connection->session)));
}

/* Fail with every method tried.  When no key reached the server because
 * every identity file was unusable, the file's own cause is the failure;
 * otherwise the server refused us. */
static void
auth_failed (FleetConnection *connection)
{
  const char *user = connection->host->user != NULL ? connection->host->user : g_get_user_name ();
  FleetFailure failure = connection->offered_key || connection->key_failure == FLEET_FAILURE_NONE
                           ? FLEET_FAILURE_AUTH_FAILED : connection->key_failure;

  if (connection->host->identity_files->len == 0)
    note_attempt (connection, connection->auth_stage == AUTH_IDENTITY_FILES
                                && connection->auth_attempts->len == 0
                                ? "no ssh-agent is running and no identity file is set for "
                                  "the host"
                                : "no identity file is set for the host");

  fleet_connection_fail (connection, failure,
                         g_strdup_printf ("authentication as %s failed; tried: %s", user,
                                          connection->auth_attempts->str));
}

static gboolean
agent_step (FleetConnection *connection)
{
  int rc = ssh_userauth_agent (connection->session, NULL);

  if (rc == SSH_AUTH_AGAIN)
    return FALSE;
  if (rc == SSH_AUTH_SUCCESS)
    {
      connection->state = FLEET_CONNECTION_READY;
      return TRUE;
    }
  if (rc == SSH_AUTH_ERROR && !ssh_is_connected (connection->session))
    {
      auth_lost (connection);
      return TRUE;
    }

  note_attempt (connection, "ssh-agent: no key the server accepts");
  connection->offered_key = TRUE;
  connection->auth_stage = AUTH_IDENTITY_FILES;
  return FALSE;
}

/* Offer identity file number next_identity, with its certificate first when
 * it has one, as OpenSSH does.  Returns TRUE when authentication has
 * finished. */
static gboolean
identity_step (FleetConnection *connection)
{
  const GPtrArray *files = connection->host->identity_files;
  const char *path;
  const FleetKeyError *error = NULL;
  const FleetLoadedKey *loaded;
  g_autofree char *fingerprint = NULL;
  g_autofree char *text = NULL;
  int rc;

  if (connection->next_identity >= files->len)
    {
      auth_failed (connection);
      return TRUE;
    }

  path = g_ptr_array_index (files, connection->next_identity);
  loaded = lookup_key (connection, path, &error);
  if (loaded == NULL)
    {
      text = g_strdup_printf ("%s: %s", path, error->message);
      note_attempt (connection, text);
      if (connection->key_failure == FLEET_FAILURE_NONE)
        connection->key_failure = error->failure;
      connection->next_identity++;
      return FALSE;
    }

  if (!connection->identity_started)
    {
      connection->identity_started = TRUE;
      connection->offering_certificate = loaded->certified != NULL;
    }

  rc = ssh_userauth_publickey (connection->session, NULL,
                               connection->offering_certificate ? loaded->certified : loaded->key);
  if (rc == SSH_AUTH_AGAIN)
    return FALSE;
  if (rc == SSH_AUTH_SUCCESS)
    {
      connection->state = FLEET_CONNECTION_READY;
      return TRUE;
    }
  if (rc == SSH_AUTH_ERROR && !ssh_is_connected (connection->session))
    {
      auth_lost (connection);
      return TRUE;
    }

  fingerprint = key_fingerprint (loaded->key);
  text = g_strdup_printf ("%s (%s%s): rejected by the server", path, fingerprint,
                          connection->offering_certificate ? ", with its certificate" : "");
  note_attempt (connection, text);
  connection->offered_key = TRUE;

  /* After the certificate, the same key is offered on its own. */
  if (connection->offering_certificate)
    connection->offering_certificate = FALSE;
  else
    {
      connection->identity_started = FALSE;
      connection->next_identity++;
    }
  return FALSE;
}

gboolean
fleet_auth_continue (FleetConnection *connection)
{
  for (;;)
    {
      gboolean done;

      if (connection->auth_stage == AUTH_AGENT)
        {
          done = agent_step (connection);
          if (done || connection->auth_stage == AUTH_AGENT)
            return done;
          continue;
        }

      {
        guint identity = connection->next_identity;

        done = identity_step (connection);
        if (done || connection->next_identity == identity)
          return done;
      }
    }
}
