/* fleet-key-file.c: identity files, their passphrases and their OpenSSH
 * user certificates, loaded for fleet-auth.c.
 *
 * Identity files are read once per run and shared by every connection that
 * names them.  Before a key file is given to libssh, its envelope (OpenSSH
 * "openssh-key-v1", PEM, PKCS#8) is read here.  An encrypted key with no
 * passphrase, a cipher libssh cannot decrypt and a wrong passphrase are
 * thus three different errors instead of one "cannot load".  Every check
 * runs before a key is sent, so a file that cannot be used costs none of
 * the server's MaxAuthTries.
 */
#include "runtime/fleet-ssh-private.h"

#include <string.h>
#include <sys/stat.h>

#include <glib/gstdio.h>
#include <openssl/crypto.h>

#include "schema/fleet-clock.h"
#include "schema/fleet-diagnostics.h"

#define OPENSSH_KEY_BEGIN "-----BEGIN OPENSSH PRIVATE KEY-----"
#define OPENSSH_KEY_END "-----END OPENSSH PRIVATE KEY-----"
#define OPENSSH_KEY_MAGIC "openssh-key-v1"
#define CIPHER_NAME_MAX 64

/* Private key files are a few kilobytes.  A larger file is no key, so it
 * is not read whole, and neither is a device that never ends. */
#define KEY_FILE_MAX_BYTES (64 * 1024)

/* Ciphers of "openssh-key-v1" files that libssh 0.10.6 decrypts, measured
 * with every cipher of OpenSSH 9.2's ssh-keygen -Z.  libssh has no key-file
 * code for the AEAD ciphers (aes128-gcm@openssh.com, aes256-gcm@openssh.com,
 * chacha20-poly1305@openssh.com): given such a file, its import calls a NULL
 * function pointer and the process crashes, so those files must never reach
 * it. */
static const char *const supported_key_ciphers[] = {
  "aes128-ctr", "aes192-ctr", "aes256-ctr", "aes128-cbc", "aes192-cbc", "aes256-cbc", "3des-cbc",
};

/* How many length-prefixed fields the public key of each certificate type
 * has between the nonce and the serial (PROTOCOL.certkeys in OpenSSH). */
static const struct {
  const char *type;
  guint key_fields;
} certificate_types[] = {
  { "ssh-ed25519-cert-v01@openssh.com", 1 },
  { "ssh-rsa-cert-v01@openssh.com", 2 },
  { "ecdsa-sha2-nistp256-cert-v01@openssh.com", 2 },
  { "ecdsa-sha2-nistp384-cert-v01@openssh.com", 2 },
  { "ecdsa-sha2-nistp521-cert-v01@openssh.com", 2 },
  { "ssh-dss-cert-v01@openssh.com", 4 },
  { "sk-ssh-ed25519-cert-v01@openssh.com", 2 },
  { "sk-ecdsa-sha2-nistp256-cert-v01@openssh.com", 3 },
};


/* Text that held key material: wiped before it is freed. */
typedef char KeyText;

static void
key_text_free (KeyText *text)
{
  if (text != NULL)
    {
      OPENSSL_cleanse (text, strlen (text));
      g_free (text);
    }
}

G_DEFINE_AUTOPTR_CLEANUP_FUNC (KeyText, key_text_free)

void
fleet_key_error_free (FleetKeyError *error)
{
  if (error != NULL)
    {
      g_free (error->message);
      g_free (error);
    }
}

static FleetKeyError *
key_error_new (FleetFailure failure, char *message)
{
  FleetKeyError *error = g_new0 (FleetKeyError, 1);

  error->failure = failure;
  error->message = message;
  return error;
}

void
fleet_loaded_key_free (FleetLoadedKey *loaded)
{
  if (loaded != NULL)
    {
      ssh_key_free (loaded->key);
      ssh_key_free (loaded->certified);
      ssh_key_free (loaded->certificate);
      g_free (loaded->fingerprint);
      g_free (loaded->certificate_path);
      g_free (loaded->certificate_note);
      g_free (loaded);
    }
}

/* Binary parsing of the SSH wire encoding (RFC 4251 section 5) */

typedef struct {
  const guint8 *cursor;
  const guint8 *end;
} BlobReader;

static gboolean
read_uint32 (BlobReader *reader, guint32 *out)
{
  if (reader->end - reader->cursor < 4)
    return FALSE;
  *out = ((guint32) reader->cursor[0] << 24) | ((guint32) reader->cursor[1] << 16)
         | ((guint32) reader->cursor[2] << 8) | (guint32) reader->cursor[3];
  reader->cursor += 4;
  return TRUE;
}

static gboolean
read_uint64 (BlobReader *reader, guint64 *out)
{
  guint32 high = 0;
  guint32 low = 0;
  gboolean ok = read_uint32 (reader, &high) && read_uint32 (reader, &low);

  *out = ((guint64) high << 32) | low;
  return ok;
}

static gboolean
read_string (BlobReader *reader, const guint8 **out_data, guint32 *out_length)
{
  guint32 length;

  if (!read_uint32 (reader, &length) || (gsize) (reader->end - reader->cursor) < length)
    return FALSE;
  *out_data = reader->cursor;
  *out_length = length;
  reader->cursor += length;
  return TRUE;
}

static gboolean
skip_strings (BlobReader *reader, guint count)
{
  const guint8 *data;
  guint32 length;
  gboolean ok = TRUE;

  for (guint i = 0; i < count && ok; i++)
    ok = read_string (reader, &data, &length);
  return ok;
}

/* Read `count` strings and return them as they are encoded, length
 * prefixes included. */
static gboolean
read_fields (BlobReader *reader, guint count, GBytes **out)
{
  const guint8 *start = reader->cursor;
  gboolean ok = skip_strings (reader, count);

  *out = ok ? g_bytes_new (start, reader->cursor - start) : NULL;
  return ok;
}

static gboolean
read_text (BlobReader *reader, char **out)
{
  const guint8 *data;
  guint32 length;
  gboolean ok = read_string (reader, &data, &length);

  *out = ok ? g_strndup ((const char *) data, length) : NULL;
  return ok;
}

static BlobReader
blob_reader (GBytes *bytes)
{
  gsize size = 0;
  const guint8 *data = g_bytes_get_data (bytes, &size);

  return (BlobReader) { data, data + size };
}

/* Private key envelopes */

/* Return the cipher name of an "openssh-key-v1" file (PROTOCOL.key in
 * OpenSSH: magic, cipher name, KDF, ...), or NULL when the file is not one
 * or is damaged.  The decoded file contains the private key when it is not
 * encrypted, so it is wiped. */
static char *
openssh_key_cipher (const char *contents)
{
  const char *begin = strstr (contents, OPENSSH_KEY_BEGIN);
  const char *end = begin != NULL ? strstr (begin, OPENSSH_KEY_END) : NULL;
  g_autoptr(KeyText) base64 = NULL;
  guint8 *blob;
  gsize blob_length = 0;
  BlobReader reader = { 0 };
  const guint8 *name;
  guint32 name_length;
  char *cipher = NULL;

  if (end == NULL)
    return NULL;

  begin += strlen (OPENSSH_KEY_BEGIN);
  base64 = g_strndup (begin, end - begin);
  blob = g_base64_decode (g_strstrip (base64), &blob_length);

  if (blob_length >= sizeof OPENSSH_KEY_MAGIC
      && memcmp (blob, OPENSSH_KEY_MAGIC, sizeof OPENSSH_KEY_MAGIC) == 0)
    reader = (BlobReader) { blob + sizeof OPENSSH_KEY_MAGIC, blob + blob_length };
  if (read_string (&reader, &name, &name_length) && name_length <= CIPHER_NAME_MAX)
    cipher = g_strndup ((const char *) name, name_length);

  OPENSSL_cleanse (blob, blob_length);
  g_free (blob);
  return cipher;
}

/* Return the first public key blob of an "openssh-key-v1" file, which
 * the format keeps unencrypted after the cipher name, the KDF name and the
 * KDF options, or NULL when the file is not one or is damaged. */
static GBytes *
openssh_key_public_blob (const char *contents)
{
  const char *begin = strstr (contents, OPENSSH_KEY_BEGIN);
  const char *end = begin != NULL ? strstr (begin, OPENSSH_KEY_END) : NULL;
  g_autoptr(KeyText) base64 = NULL;
  guint8 *blob;
  gsize blob_length = 0;
  BlobReader reader = { 0 };
  const guint8 *public_key;
  guint32 public_length;
  guint32 count;
  GBytes *result = NULL;

  if (end == NULL)
    return NULL;

  begin += strlen (OPENSSH_KEY_BEGIN);
  base64 = g_strndup (begin, end - begin);
  blob = g_base64_decode (g_strstrip (base64), &blob_length);

  if (blob_length >= sizeof OPENSSH_KEY_MAGIC
      && memcmp (blob, OPENSSH_KEY_MAGIC, sizeof OPENSSH_KEY_MAGIC) == 0)
    reader = (BlobReader) { blob + sizeof OPENSSH_KEY_MAGIC, blob + blob_length };
  if (skip_strings (&reader, 3) && read_uint32 (&reader, &count) && count >= 1
      && read_string (&reader, &public_key, &public_length))
    result = g_bytes_new (public_key, public_length);

  OPENSSL_cleanse (blob, blob_length);
  g_free (blob);
  return result;
}

/* Return how the key in `contents` is encrypted: NULL when it is not, else
 * the cipher name, or "PKCS#8" for that envelope, whose cipher is inside its
 * ASN.1 structure.  `out_openssh` is set to TRUE for an "openssh-key-v1"
 * file. */
static char *
key_encryption (const char *contents, gboolean *out_openssh)
{
  g_autofree char *cipher = openssh_key_cipher (contents);
  const char *dek_info = strstr (contents, "DEK-Info: ");

  *out_openssh = cipher != NULL;
  if (cipher != NULL)
    return g_str_equal (cipher, "none") ? NULL : g_steal_pointer (&cipher);

  if (strstr (contents, "-----BEGIN ENCRYPTED PRIVATE KEY-----") != NULL)
    return g_strdup ("PKCS#8");

  /* Traditional PEM: "Proc-Type: 4,ENCRYPTED" and "DEK-Info: CIPHER,IV". */
  if (strstr (contents, "Proc-Type: 4,ENCRYPTED") != NULL && dek_info != NULL)
    {
      dek_info += strlen ("DEK-Info: ");
      return g_strndup (dek_info, strcspn (dek_info, ",\r\n"));
    }

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

/* Return the SSH wire encoding of the public half of `key`, decoded from
 * libssh's base64 export; empty when libssh cannot export it. */
static GBytes *
public_key_blob (ssh_key key)
{
  char *base64 = NULL;
  guint8 *blob = NULL;
  gsize length = 0;

  if (ssh_pki_export_pubkey_base64 (key, &base64) == SSH_OK)
    blob = g_base64_decode (base64, &length);
  ssh_string_free_char (base64);
  return g_bytes_new_take (blob, length);
}

/* Return "TYPE SHA256:..." for `key`, as ssh-keygen -l prints it, or NULL. */
static char *
key_fingerprint (ssh_key key)
{
  unsigned char *hash = NULL;
  size_t hash_length = 0;
  char *fingerprint;
  char *result = NULL;

  if (ssh_get_publickey_hash (key, SSH_PUBLICKEY_HASH_SHA256, &hash, &hash_length) == SSH_OK)
    {
      fingerprint = ssh_get_fingerprint_hash (SSH_PUBLICKEY_HASH_SHA256, hash, hash_length);
      result = g_strdup_printf ("%s %s", ssh_key_type_to_char (ssh_key_type (key)), fingerprint);
      ssh_string_free_char (fingerprint);
      ssh_clean_pubkey_hash (&hash);
    }
  return result;
}

/* The public half in PATH.pub, when that file exists, must belong to the
 * private key: a stale one makes tools that read it (ssh-add, ssh-copy-id,
 * an agent's list) disagree with what is sent, for a reason no server
 * message explains. */
static FleetKeyError *
check_public_file (const char *path, ssh_key private_key)
{
  g_autofree char *public_path = g_strconcat (path, ".pub", NULL);
  ssh_key public_key = NULL;
  FleetKeyError *error = NULL;

  if (ssh_pki_import_pubkey_file (public_path, &public_key) == SSH_OK
      && ssh_key_cmp (public_key, private_key, SSH_KEY_CMP_PUBLIC) != 0)
    error = key_error_new (FLEET_FAILURE_IDENTITY_FILE,
                           g_strdup_printf ("identity file %s and its public file %s are not a "
                                            "key pair: the public file holds another key; "
                                            "regenerate it with ssh-keygen -y -f %s > %s",
                                            path, public_path, path, public_path));
  ssh_key_free (public_key);
  return error;
}

/* Return the passphrase for `host`'s identity file `path`, or NULL with an
 * error that names the setting to fix. */
static char *
lookup_passphrase (FleetSshContext *context, const FleetHost *host, const char *path,
                   const char *cipher, FleetKeyError **out_error)
{
  g_autoptr(GError) error = NULL;
  char *passphrase;

  if (host->key_passphrase_secret == NULL)
    {
      *out_error = key_error_new (FLEET_FAILURE_KEY_PASSPHRASE,
                                  g_strdup_printf ("identity file %s is encrypted (%s) and host "
                                                   "%s names no passphrase secret for it; set "
                                                   "the host's key_passphrase_secret "
                                                   "(fleetc_key_passphrase_secret in an Ansible "
                                                   "inventory) to the name of a secret that "
                                                   "holds the passphrase, or load the key into "
                                                   "ssh-agent", path, cipher,
                                                   host->name));
      return NULL;
    }

  if (context->secret_func == NULL)
    {
      *out_error = key_error_new (FLEET_FAILURE_KEY_PASSPHRASE,
                                  g_strdup_printf ("identity file %s needs the passphrase secret "
                                                   "\"%s\", but fleet-run was given no secret "
                                                   "store to read it from", path,
                                                   host->key_passphrase_secret));
      return NULL;
    }

  passphrase = context->secret_func (host->key_passphrase_secret, context->secret_data, &error);
  if (passphrase == NULL)
    *out_error = key_error_new (FLEET_FAILURE_KEY_PASSPHRASE,
                                g_strdup_printf ("cannot read secret \"%s\", the passphrase of "
                                                 "identity file %s: %s",
                                                 host->key_passphrase_secret, path,
                                                 error->message));
  return passphrase;
}

/* Read the key file at `path` whole into `out_contents`.  Returns FALSE
 * with a new IDENTITY_FILE error when it cannot. */
static gboolean
read_key_file (const char *path, KeyText **out_contents, FleetKeyError **out_error)
{
  g_autoptr(GError) error = NULL;
  GStatBuf info;
  gboolean found = g_stat (path, &info) == 0;
  const char *problem = NULL;

  if (found && !S_ISREG (info.st_mode))
    problem = "it is not a regular file";
  else if (found && info.st_size > KEY_FILE_MAX_BYTES)
    problem = "it is larger than 64 KiB, too large for a private key";
  else if (!g_file_get_contents (path, out_contents, NULL, &error))
    problem = g_error_matches (error, G_FILE_ERROR, G_FILE_ERROR_NOENT) ? "it does not exist"
                                                                        : error->message;

  if (problem != NULL)
    *out_error = key_error_new (FLEET_FAILURE_IDENTITY_FILE,
                                g_strdup_printf ("cannot read identity file %s: %s", path,
                                                 problem));
  return problem == NULL;
}

/* Certificates */

/* The fields of an OpenSSH certificate that decide who may use it and when. */
typedef struct {
  GBytes *key;                   /* the certified public key's fields */
  char *key_id;
  GPtrArray *principals;         /* char *; empty: any user */
  guint64 valid_after;           /* seconds since the epoch */
  guint64 valid_before;
} CertificateFacts;

static void
certificate_facts_clear (CertificateFacts *facts)
{
  g_clear_pointer (&facts->key, g_bytes_unref);
  g_clear_pointer (&facts->key_id, g_free);
  g_clear_pointer (&facts->principals, g_ptr_array_unref);
}

G_DEFINE_AUTO_CLEANUP_CLEAR_FUNC (CertificateFacts, certificate_facts_clear)

/* Read the certificate type and return in `out_key_fields` how many
 * fields its public key has; FALSE for a type that is not a certificate. */
static gboolean
read_certificate_type (BlobReader *reader, guint *out_key_fields)
{
  const guint8 *type;
  guint32 length;

  *out_key_fields = 0;
  if (read_string (reader, &type, &length))
    for (guint i = 0; i < G_N_ELEMENTS (certificate_types); i++)
      if (strlen (certificate_types[i].type) == length
          && memcmp (certificate_types[i].type, type, length) == 0)
        *out_key_fields = certificate_types[i].key_fields;
  return *out_key_fields > 0;
}

/* Read the principals, a string of strings, into `out`. */
static gboolean
read_principals (BlobReader *reader, GPtrArray *out)
{
  const guint8 *data = NULL;
  guint32 length = 0;
  gboolean ok = read_string (reader, &data, &length);
  BlobReader names = { data, data + length };
  char *name;

  while (ok && names.cursor < names.end)
    {
      ok = read_text (&names, &name);
      if (ok)
        g_ptr_array_add (out, name);
    }
  return ok;
}

/* Read the fields of `certificate` that decide whether a server takes it:
 * type, nonce, the public key, serial, certificate type, key ID,
 * principals, valid after, valid before (PROTOCOL.certkeys).  Returns
 * FALSE when it is not a certificate, as a plain public key in
 * PATH-cert.pub is not: libssh 0.10.6 imports one as a "certificate". */
static gboolean
parse_certificate (ssh_key certificate, CertificateFacts *facts)
{
  g_autoptr(GBytes) blob = public_key_blob (certificate);
  BlobReader reader = blob_reader (blob);
  guint key_fields;
  guint64 serial;
  guint32 certificate_type;

  facts->principals = g_ptr_array_new_with_free_func (g_free);
  return read_certificate_type (&reader, &key_fields)
         && skip_strings (&reader, 1)
         && read_fields (&reader, key_fields, &facts->key)
         && read_uint64 (&reader, &serial)
         && read_uint32 (&reader, &certificate_type)
         && read_text (&reader, &facts->key_id)
         && read_principals (&reader, facts->principals)
         && read_uint64 (&reader, &facts->valid_after)
         && read_uint64 (&reader, &facts->valid_before);
}

/* Return whether the certificate's public key is `key`'s: libssh 0.10.6
 * attaches any certificate to any private key, and the server would then
 * only report that it rejected the login. */
static gboolean
certificate_matches_key (const CertificateFacts *facts, ssh_key key)
{
  g_autoptr(GBytes) blob = public_key_blob (key);
  BlobReader reader = blob_reader (blob);
  const guint8 *type;
  guint32 type_length;
  gsize key_size = 0;
  const guint8 *key_data = g_bytes_get_data (facts->key, &key_size);

  /* A public key blob is the type name followed by the same fields. */
  return read_string (&reader, &type, &type_length)
         && (gsize) (reader.end - reader.cursor) == key_size
         && memcmp (reader.cursor, key_data, key_size) == 0;
}

static gboolean
principals_include (const GPtrArray *principals, const char *user)
{
  for (guint i = 0; i < principals->len; i++)
    if (g_str_equal (g_ptr_array_index (principals, i), user))
      return TRUE;
  return FALSE;
}

static char *
format_certificate_time (guint64 seconds)
{
  return fleet_format_wall_time ((gint64) MIN (seconds, (guint64) (G_MAXINT64 / G_USEC_PER_SEC))
                                 * G_USEC_PER_SEC);
}

char *
fleet_key_explain_certificate_rejection (const FleetLoadedKey *loaded, const char *user)
{
  g_auto(CertificateFacts) facts = { 0 };
  guint64 now = (guint64) (g_get_real_time () / G_USEC_PER_SEC);
  gboolean parsed = parse_certificate (loaded->certificate, &facts);
  g_autofree char *key_id = fleet_quote_value (parsed ? facts.key_id : "", 128);
  g_autofree char *reason = NULL;
  g_autofree char *time = NULL;

  if (parsed && now >= facts.valid_before)
    {
      time = format_certificate_time (facts.valid_before);
      reason = g_strdup_printf ("it expired at %s; have its CA sign the key again", time);
    }
  else if (parsed && now < facts.valid_after)
    {
      time = format_certificate_time (facts.valid_after);
      reason = g_strdup_printf ("it is not valid before %s", time);
    }
  else if (parsed && facts.principals->len > 0 && !principals_include (facts.principals, user))
    reason = g_strdup_printf ("its principals do not include the login user %s", user);
  else
    reason = g_strdup_printf ("check that the server trusts the CA that signed it "
                              "(TrustedUserCAKeys); ssh-keygen -L -f %s shows its principals "
                              "and validity", loaded->certificate_path);

  return g_strdup_printf ("the server rejected the certificate (key ID %s); %s", key_id, reason);
}

/* Read PATH-cert.pub into `loaded`: the certificate, and `certified`, which
 * must be a second import of the same private key.  A certificate that
 * cannot be used is dropped with a note that gives the reason, and the key
 * is then offered alone. */
static void
attach_certificate (FleetLoadedKey *loaded, const char *path, ssh_key certified)
{
  g_autofree char *certificate_path = g_strconcat (path, "-cert.pub", NULL);
  g_auto(CertificateFacts) facts = { 0 };
  ssh_key certificate = NULL;

  if (ssh_pki_import_cert_file (certificate_path, &certificate) != SSH_OK
      || !parse_certificate (certificate, &facts))
    loaded->certificate_note = g_strdup_printf ("%s is not an OpenSSH certificate; the key "
                                                "was offered without it", certificate_path);
  else if (!certificate_matches_key (&facts, loaded->key)
           || ssh_pki_copy_cert_to_privkey (certificate, certified) != SSH_OK)
    loaded->certificate_note = g_strdup_printf ("%s certifies another key, not the one in %s; "
                                                "the key was offered without it",
                                                certificate_path, path);
  else
    {
      loaded->certified = g_steal_pointer (&certified);
      loaded->certificate = g_steal_pointer (&certificate);
      loaded->certificate_path = g_steal_pointer (&certificate_path);
    }

  ssh_key_free (certificate);
  ssh_key_free (certified);
}

/* Loading */

/* Load the private key at `path` (expanded) and its certificate.  Returns
 * the key, or NULL with a new error in `*out_error`, which must be NULL on
 * entry. */
static FleetLoadedKey *
load_key (FleetSshContext *context, const FleetHost *host, const char *path,
          FleetKeyError **out_error)
{
  g_autoptr(KeyText) contents = NULL;
  g_autofree char *cipher = NULL;
  char *passphrase = NULL;
  g_autofree char *certificate_path = g_strconcat (path, "-cert.pub", NULL);
  gboolean has_certificate = g_file_test (certificate_path, G_FILE_TEST_EXISTS);
  gboolean openssh_format = FALSE;
  FleetLoadedKey *loaded;
  ssh_key certified = NULL;
  int rc;

  if (!read_key_file (path, &contents, out_error))
    return NULL;

  cipher = key_encryption (contents, &openssh_format);
  if (cipher != NULL && openssh_format && !cipher_supported (cipher))
    {
      g_autofree char *quoted = fleet_quote_value (cipher, CIPHER_NAME_MAX);

      *out_error = key_error_new (FLEET_FAILURE_KEY_UNSUPPORTED,
                                  g_strdup_printf ("identity file %s is encrypted with cipher %s, "
                                                   "which the SSH library (libssh %s) cannot "
                                                   "decrypt; re-encrypt it with ssh-keygen -p "
                                                   "-Z aes256-ctr -f %s, or load it into "
                                                   "ssh-agent", path, quoted, ssh_version (0),
                                                   path));
      return NULL;
    }

  if (cipher != NULL)
    {
      passphrase = lookup_passphrase (context, host, path, cipher, out_error);
      if (passphrase == NULL)
        return NULL;
    }

  /* An empty passphrase, never NULL: with NULL, OpenSSL would prompt on
   * the terminal for an encrypted PEM key. */
  loaded = g_new0 (FleetLoadedKey, 1);
  rc = ssh_pki_import_privkey_base64 (contents, passphrase != NULL ? passphrase : "", NULL, NULL,
                                      &loaded->key);
  if (rc == SSH_OK && has_certificate)
    rc = ssh_pki_import_privkey_base64 (contents, passphrase != NULL ? passphrase : "", NULL,
                                        NULL, &certified);
  fleet_secret_value_free (passphrase);
  if (rc == SSH_OK)
    loaded->fingerprint = key_fingerprint (loaded->key);

  if (loaded->fingerprint == NULL && cipher != NULL)
    *out_error = key_error_new (FLEET_FAILURE_KEY_PASSPHRASE,
                                g_strdup_printf ("cannot decrypt identity file %s (%s): the "
                                                 "passphrase in secret \"%s\" is wrong, or the "
                                                 "file is damaged", path, cipher,
                                                 host->key_passphrase_secret));
  else if (loaded->fingerprint == NULL)
    *out_error = key_error_new (FLEET_FAILURE_KEY_UNSUPPORTED,
                                g_strdup_printf ("identity file %s is not a private key the SSH "
                                                 "library (libssh %s) can read; it reads "
                                                 "OpenSSH, PEM and PKCS#8 files of ed25519, "
                                                 "ECDSA, RSA and DSA keys", path,
                                                 ssh_version (0)));
  else
    *out_error = check_public_file (path, loaded->key);

  if (*out_error != NULL)
    {
      ssh_key_free (certified);
      fleet_loaded_key_free (loaded);
      return NULL;
    }

  if (has_certificate)
    attach_certificate (loaded, path, certified);
  return loaded;
}

GBytes *
fleet_key_public_file_blob (const char *path)
{
  g_autofree char *expanded = fleet_expand_home (path);
  g_autofree char *public_path = g_strconcat (expanded, ".pub", NULL);
  g_autoptr(KeyText) contents = NULL;
  FleetKeyError *error = NULL;
  ssh_key public_key = NULL;
  GBytes *blob = NULL;

  if (ssh_pki_import_pubkey_file (public_path, &public_key) == SSH_OK)
    blob = public_key_blob (public_key);
  else if (read_key_file (expanded, &contents, &error))
    blob = openssh_key_public_blob (contents);
  else
    fleet_key_error_free (error);

  ssh_key_free (public_key);
  return blob;
}

const FleetLoadedKey *
fleet_key_lookup (FleetSshContext *context, const FleetHost *host, const char *path,
                  const FleetKeyError **out_error)
{
  g_autofree char *expanded = fleet_expand_home (path);
  g_autofree char *cache_key = g_strdup_printf ("%s\n%s", expanded,
                                                host->key_passphrase_secret != NULL
                                                  ? host->key_passphrase_secret : "");
  FleetLoadedKey *loaded;
  FleetKeyError *error;

  /* Handshake threads look keys up at once; the first of them loads the
   * file while the others wait.  Entries stay until the context is freed,
   * so the pointers stay valid after the lock is released. */
  g_mutex_lock (&context->lock);
  loaded = g_hash_table_lookup (context->keys, cache_key);
  error = g_hash_table_lookup (context->key_errors, cache_key);
  if (loaded == NULL && error == NULL)
    {
      loaded = load_key (context, host, expanded, &error);
      if (loaded != NULL)
        g_hash_table_insert (context->keys, g_strdup (cache_key), loaded);
      else
        g_hash_table_insert (context->key_errors, g_strdup (cache_key), error);
    }
  g_mutex_unlock (&context->lock);

  *out_error = error;
  return loaded;
}
