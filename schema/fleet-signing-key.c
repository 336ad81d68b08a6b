/* fleet-signing-key.c: reading Ed25519 private keys in PEM and OpenSSH
 * form, and signing with them. */
#include "schema/fleet-signing-key.h"

#include <string.h>

#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/pem.h>

#include "schema/fleet-key-private.h"
#include "schema/fleet-secret-key.h"

#define OPENSSH_BEGIN "-----BEGIN OPENSSH PRIVATE KEY-----"
#define OPENSSH_END "-----END OPENSSH PRIVATE KEY-----"
/* PROTOCOL.key in OpenSSH: the magic, with its NUL. */
#define OPENSSH_MAGIC "openssh-key-v1"
#define OPENSSH_MAGIC_LENGTH 15
#define ED25519_SEED_LENGTH 32

struct FleetSigningKey {
  EVP_PKEY *key;
  FleetPublicKey *public_key;
};

void
fleet_signing_key_free (FleetSigningKey *key)
{
  if (key == NULL)
    return;

  EVP_PKEY_free (key->key);
  fleet_public_key_free (key->public_key);
  g_free (key);
}

/* Wrap `pkey`, taking it, with its public half and `comment`. */
static FleetSigningKey *
signing_key_new (const char *path, EVP_PKEY *pkey, const char *comment, GError **error)
{
  guint8 raw[FLEET_ED25519_PUBLIC_KEY_LENGTH];
  size_t raw_length = sizeof raw;
  FleetSigningKey *key;

  if (EVP_PKEY_get_raw_public_key (pkey, raw, &raw_length) != 1
      || raw_length != FLEET_ED25519_PUBLIC_KEY_LENGTH)
    {
      g_set_error (error, FLEET_KEY_ERROR, FLEET_KEY_ERROR_FORMAT,
                   "cannot derive the public key of %s", path);
      EVP_PKEY_free (pkey);
      return NULL;
    }

  key = g_new0 (FleetSigningKey, 1);
  key->key = pkey;
  key->public_key = fleet_public_key_new (raw, comment);
  return key;
}

/* PEM through OpenSSL. */

typedef struct {
  const char *path;
  gboolean prompted;
  GError *error;
} PassphraseRequest;

static int
read_passphrase (char *buffer, int size, int rwflag, void *data)
{
  PassphraseRequest *request = data;
  g_autofree char *prompt = NULL;
  g_autoptr(FleetSecret) passphrase = NULL;

  /* OpenSSL may ask again after a failure; one prompt is enough. */
  if (request->prompted || size <= 1)
    return -1;

  request->prompted = TRUE;
  prompt = g_strdup_printf ("Passphrase for %s: ", request->path);
  passphrase = fleet_secret_read_terminal (prompt, (gsize) size - 1, &request->error);
  if (passphrase == NULL)
    return -1;

  memcpy (buffer, passphrase->data, passphrase->length);
  return (int) passphrase->length;
}

static FleetSigningKey *
read_pem_key (const char *path, const FleetSecret *content, GError **error)
{
  PassphraseRequest request = { path, FALSE, NULL };
  BIO *bio = BIO_new_mem_buf (content->data, (int) content->length);
  EVP_PKEY *pkey = bio != NULL ? PEM_read_bio_PrivateKey (bio, NULL, read_passphrase, &request)
                               : NULL;

  BIO_free (bio);
  if (pkey == NULL && request.error != NULL)
    {
      g_set_error (error, FLEET_KEY_ERROR, FLEET_KEY_ERROR_PASSPHRASE,
                   "private key %s is encrypted, and its passphrase cannot be read: %s", path,
                   request.error->message);
      g_clear_error (&request.error);
      return NULL;
    }
  if (pkey == NULL && request.prompted)
    {
      g_set_error (error, FLEET_KEY_ERROR, FLEET_KEY_ERROR_PASSPHRASE,
                   "cannot decrypt private key %s: the passphrase is wrong or the file is "
                   "damaged", path);
      return NULL;
    }
  if (pkey == NULL)
    {
      g_set_error (error, FLEET_KEY_ERROR, FLEET_KEY_ERROR_FORMAT,
                   "cannot decode private key %s as PEM", path);
      return NULL;
    }

  if (EVP_PKEY_get_base_id (pkey) != EVP_PKEY_ED25519)
    {
      g_set_error (error, FLEET_KEY_ERROR, FLEET_KEY_ERROR_UNSUPPORTED,
                   "private key %s is of type %s, but only Ed25519 keys can sign plans; make "
                   "one with `openssl genpkey -algorithm ed25519 -out KEY`", path,
                   EVP_PKEY_get0_type_name (pkey));
      EVP_PKEY_free (pkey);
      return NULL;
    }

  return signing_key_new (path, pkey, NULL, error);
}

/* OpenSSH's own format. */

/* Return the base64 text between the OpenSSH BEGIN and END lines, without
 * line breaks, in wiped memory; NULL when the armour is missing. */
static FleetSecret *
openssh_base64 (const FleetSecret *content)
{
  const char *text = (const char *) content->data;
  const char *begin = strstr (text, OPENSSH_BEGIN);
  const char *end = begin != NULL ? strstr (begin, OPENSSH_END) : NULL;
  g_autoptr(FleetSecret) base64 = NULL;
  gsize length = 0;

  if (end == NULL)
    return NULL;

  base64 = fleet_secret_new (content->length);
  for (const char *p = begin + strlen (OPENSSH_BEGIN); p < end; p++)
    if (!g_ascii_isspace (*p))
      base64->data[length++] = (guint8) *p;
  fleet_secret_set_length (base64, length);
  return g_steal_pointer (&base64);
}

/* Decode strict base64 into wiped memory, or return NULL. */
static FleetSecret *
decode_base64_secret (const FleetSecret *base64)
{
  g_autoptr(FleetSecret) decoded = NULL;
  gint state = 0;
  guint save = 0;
  gsize length;

  /* fleet_base64_decode_strict would leave the key in the heap, so the
   * characters are checked here and decoded into wiped memory. */
  if (base64->length == 0 || base64->length % 4 != 0)
    return NULL;
  for (gsize i = 0; i < base64->length; i++)
    {
      guint8 c = base64->data[i];
      gboolean padding = c == '=' && i + 2 >= base64->length
                         && (i + 1 == base64->length || base64->data[i + 1] == '=');

      if (!g_ascii_isalnum (c) && c != '+' && c != '/' && !padding)
        return NULL;
    }

  decoded = fleet_secret_new (base64->length / 4 * 3 + 3);
  length = g_base64_decode_step ((const char *) base64->data, base64->length, decoded->data,
                                 &state, &save);
  fleet_secret_set_length (decoded, length);
  return g_steal_pointer (&decoded);
}

static gboolean
openssh_format_error (const char *path, const char *problem, GError **error)
{
  g_set_error (error, FLEET_KEY_ERROR, FLEET_KEY_ERROR_FORMAT,
               "cannot read OpenSSH private key %s: %s", path, problem);
  return FALSE;
}

/* Check the unencrypted header of an OpenSSH key and leave `reader` at its
 * private section. */
static gboolean
read_openssh_header (const char *path, FleetWireReader *reader, GError **error)
{
  const guint8 *cipher;
  gsize cipher_length;
  const guint8 *ignored;
  gsize ignored_length;
  guint32 n_keys;

  if (reader->length < OPENSSH_MAGIC_LENGTH
      || memcmp (reader->data, OPENSSH_MAGIC, OPENSSH_MAGIC_LENGTH) != 0)
    return openssh_format_error (path, "the openssh-key-v1 magic is missing", error);
  reader->data += OPENSSH_MAGIC_LENGTH;
  reader->length -= OPENSSH_MAGIC_LENGTH;

  if (!fleet_wire_read_string (reader, &cipher, &cipher_length))
    return openssh_format_error (path, "it ends before the cipher name", error);
  if (cipher_length != 4 || memcmp (cipher, "none", 4) != 0)
    {
      g_set_error (error, FLEET_KEY_ERROR, FLEET_KEY_ERROR_UNSUPPORTED,
                   "OpenSSH private key %s has a passphrase, and fleetc cannot decrypt OpenSSH "
                   "keys (bcrypt_pbkdf is not in OpenSSL); sign with a PEM key made by "
                   "`openssl genpkey -algorithm ed25519 -aes256 -out KEY`", path);
      return FALSE;
    }

  if (!fleet_wire_read_string (reader, &ignored, &ignored_length)      /* kdf name */
      || !fleet_wire_read_string (reader, &ignored, &ignored_length)   /* kdf options */
      || !fleet_wire_read_u32 (reader, &n_keys))
    return openssh_format_error (path, "the header is truncated", error);
  if (n_keys != 1)
    return openssh_format_error (path, "it holds more than one key", error);
  if (!fleet_wire_read_string (reader, &ignored, &ignored_length))    /* public key */
    return openssh_format_error (path, "the public key is truncated", error);

  return TRUE;
}

static FleetSigningKey *
read_openssh_private_section (const char *path, FleetWireReader *section, GError **error)
{
  guint32 check_1, check_2;
  const guint8 *type;
  gsize type_length;
  const guint8 *public_key, *private_key, *comment;
  gsize public_length, private_length, comment_length;
  g_autofree char *comment_text = NULL;
  EVP_PKEY *pkey;
  FleetSigningKey *key;

  if (!fleet_wire_read_u32 (section, &check_1) || !fleet_wire_read_u32 (section, &check_2)
      || check_1 != check_2)
    {
      openssh_format_error (path, "its check numbers differ", error);
      return NULL;
    }

  if (!fleet_wire_read_string (section, &type, &type_length))
    {
      openssh_format_error (path, "the key type is truncated", error);
      return NULL;
    }
  if (type_length != strlen ("ssh-ed25519") || memcmp (type, "ssh-ed25519", type_length) != 0)
    {
      g_autofree char *type_text = g_strndup ((const char *) type, MIN (type_length, 64));
      g_autofree char *escaped = g_strescape (type_text, NULL);

      g_set_error (error, FLEET_KEY_ERROR, FLEET_KEY_ERROR_UNSUPPORTED,
                   "OpenSSH private key %s is of type \"%s\", but only Ed25519 keys can sign "
                   "plans", path, escaped);
      return NULL;
    }

  /* The private key string is the 32-byte seed followed by the public key. */
  if (!fleet_wire_read_string (section, &public_key, &public_length)
      || !fleet_wire_read_string (section, &private_key, &private_length)
      || !fleet_wire_read_string (section, &comment, &comment_length)
      || public_length != FLEET_ED25519_PUBLIC_KEY_LENGTH
      || private_length != ED25519_SEED_LENGTH + FLEET_ED25519_PUBLIC_KEY_LENGTH
      || memcmp (private_key + ED25519_SEED_LENGTH, public_key, public_length) != 0)
    {
      openssh_format_error (path, "the Ed25519 key data is damaged", error);
      return NULL;
    }

  pkey = EVP_PKEY_new_raw_private_key (EVP_PKEY_ED25519, NULL, private_key, ED25519_SEED_LENGTH);
  if (pkey == NULL)
    {
      openssh_format_error (path, "OpenSSL rejects the Ed25519 key", error);
      return NULL;
    }

  comment_text = g_strndup ((const char *) comment, comment_length);
  if (!g_utf8_validate (comment_text, -1, NULL))
    g_clear_pointer (&comment_text, g_free);

  key = signing_key_new (path, pkey, comment_text, error);
  if (key != NULL && memcmp (key->public_key->raw, public_key, public_length) != 0)
    {
      fleet_signing_key_free (key);
      openssh_format_error (path, "its public key does not belong to its private key", error);
      return NULL;
    }
  return key;
}

static FleetSigningKey *
read_openssh_key (const char *path, const FleetSecret *content, GError **error)
{
  g_autoptr(FleetSecret) base64 = openssh_base64 (content);
  g_autoptr(FleetSecret) decoded = NULL;
  FleetWireReader reader;
  FleetWireReader section;
  const guint8 *private_section;
  gsize private_length;

  if (base64 == NULL)
    {
      openssh_format_error (path, "the END line is missing", error);
      return NULL;
    }
  decoded = decode_base64_secret (base64);
  if (decoded == NULL)
    {
      openssh_format_error (path, "the key is not valid base64", error);
      return NULL;
    }

  reader = (FleetWireReader) { decoded->data, decoded->length };
  if (!read_openssh_header (path, &reader, error))
    return NULL;
  if (!fleet_wire_read_string (&reader, &private_section, &private_length))
    {
      openssh_format_error (path, "the private section is truncated", error);
      return NULL;
    }

  section = (FleetWireReader) { private_section, private_length };
  return read_openssh_private_section (path, &section, error);
}

FleetSigningKey *
fleet_signing_key_read_file (const char *path, GError **error)
{
  g_autoptr(FleetSecret) content = fleet_key_file_read (path, FLEET_KEY_FILE_PRIVATE, error);
  const char *text;

  if (content == NULL)
    return NULL;

  text = (const char *) content->data;
  if (memchr (text, '\0', content->length) != NULL)
    {
      g_set_error (error, FLEET_KEY_ERROR, FLEET_KEY_ERROR_FORMAT,
                   "%s is not a PEM or OpenSSH private key file: it contains NUL bytes", path);
      return NULL;
    }

  if (strstr (text, OPENSSH_BEGIN) != NULL)
    return read_openssh_key (path, content, error);
  if (strstr (text, "-----BEGIN ") != NULL && strstr (text, "PRIVATE KEY-----") != NULL)
    return read_pem_key (path, content, error);

  if (strstr (text, "-----BEGIN PUBLIC KEY-----") != NULL || strstr (text, "ssh-ed25519 ") != NULL)
    g_set_error (error, FLEET_KEY_ERROR, FLEET_KEY_ERROR_FORMAT,
                 "%s is a public key; sign with the private key file", path);
  else
    g_set_error (error, FLEET_KEY_ERROR, FLEET_KEY_ERROR_FORMAT,
                 "%s is not a PEM or OpenSSH private key file; make a key with "
                 "`openssl genpkey -algorithm ed25519 -out KEY`", path);
  return NULL;
}

const FleetPublicKey *
fleet_signing_key_get_public_key (const FleetSigningKey *key)
{
  return key->public_key;
}

gboolean
fleet_signing_key_sign (const FleetSigningKey *key,
                        const guint8 *message,
                        gsize message_length,
                        guint8 out_signature[FLEET_ED25519_SIGNATURE_LENGTH],
                        GError **error)
{
  EVP_MD_CTX *context = EVP_MD_CTX_new ();
  size_t length = FLEET_ED25519_SIGNATURE_LENGTH;
  gboolean ok;

  /* Ed25519 hashes the message itself, so no digest is named. */
  ok = context != NULL && EVP_DigestSignInit (context, NULL, NULL, NULL, key->key) == 1
       && EVP_DigestSign (context, out_signature, &length, message, message_length) == 1
       && length == FLEET_ED25519_SIGNATURE_LENGTH;
  EVP_MD_CTX_free (context);

  if (!ok)
    g_set_error_literal (error, FLEET_KEY_ERROR, FLEET_KEY_ERROR_SIGN,
                         "OpenSSL failed to make an Ed25519 signature");
  return ok;
}
