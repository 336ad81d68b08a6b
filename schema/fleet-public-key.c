/* fleet-public-key.c: approver public keys, fingerprints and signature
 * checks, and the helpers of fleet-key-private.h. */
#include "schema/fleet-public-key.h"

#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <openssl/evp.h>
#include <openssl/pem.h>

#include "schema/fleet-key-private.h"

G_DEFINE_QUARK (fleet-key-error-quark, fleet_key_error)

#define SSH_ED25519 "ssh-ed25519"
#define PEM_BEGIN "-----BEGIN "
#define PEM_PUBLIC_KEY_END "-----END PUBLIC KEY-----"

/* Checked file reads. */

static gboolean
check_key_file_mode (const char *path, const struct stat *info, FleetKeyFileKind kind,
                     GError **error)
{
  mode_t mode = info->st_mode & 07777;

  if (kind == FLEET_KEY_FILE_PRIVATE && (mode & 077) != 0)
    {
      g_set_error (error, FLEET_KEY_ERROR, FLEET_KEY_ERROR_PERMISSIONS,
                   "permissions %04o for private key %s are too open: other users must not "
                   "be able to read a signing key; run `chmod 600 %s`",
                   (unsigned) mode, path, path);
      return FALSE;
    }

  if (kind == FLEET_KEY_FILE_PUBLIC && (mode & 022) != 0)
    {
      g_set_error (error, FLEET_KEY_ERROR, FLEET_KEY_ERROR_PERMISSIONS,
                   "permissions %04o for public key file %s are too open: whoever may write "
                   "it can add an approver key; run `chmod go-w %s`",
                   (unsigned) mode, path, path);
      return FALSE;
    }

  return TRUE;
}

static gboolean
read_all (int fd, const char *path, FleetSecret *content, gsize *out_length, GError **error)
{
  gsize length = 0;

  while (length < content->length)
    {
      ssize_t got = read (fd, content->data + length, content->length - length);

      if (got < 0 && errno == EINTR)
        continue;
      if (got < 0)
        {
          g_set_error (error, FLEET_KEY_ERROR, FLEET_KEY_ERROR_IO, "cannot read key file %s: %s",
                       path, g_strerror (errno));
          return FALSE;
        }
      if (got == 0)
        break;
      length += got;
    }

  *out_length = length;
  return TRUE;
}

FleetSecret *
fleet_key_file_read (const char *path, FleetKeyFileKind kind, GError **error)
{
  g_autoptr(FleetSecret) content = NULL;
  struct stat info;
  gsize length = 0;
  gboolean ok;
  int fd;

  fd = open (path, O_RDONLY | O_CLOEXEC | O_NOCTTY | O_NONBLOCK);
  if (fd < 0)
    {
      g_set_error (error, FLEET_KEY_ERROR, FLEET_KEY_ERROR_IO, "cannot read key file %s: %s",
                   path, g_strerror (errno));
      return NULL;
    }

  /* The checks use the open file, so the file cannot be swapped after them. */
  if (fstat (fd, &info) != 0 || !S_ISREG (info.st_mode))
    {
      g_set_error (error, FLEET_KEY_ERROR, FLEET_KEY_ERROR_IO,
                   "cannot read key file %s: it is not a regular file", path);
      close (fd);
      return NULL;
    }
  if (!check_key_file_mode (path, &info, kind, error))
    {
      close (fd);
      return NULL;
    }

  /* Reading one byte past the maximum distinguishes a too large file from
   * one at the limit. */
  content = fleet_secret_new (FLEET_KEY_FILE_MAX_BYTES + 1);
  ok = read_all (fd, path, content, &length, error);
  close (fd);
  if (!ok)
    return NULL;

  if (length > FLEET_KEY_FILE_MAX_BYTES)
    {
      g_set_error (error, FLEET_KEY_ERROR, FLEET_KEY_ERROR_FORMAT,
                   "key file %s is larger than %u bytes, so it is not a key file", path,
                   FLEET_KEY_FILE_MAX_BYTES);
      return NULL;
    }

  fleet_secret_set_length (content, length);
  return g_steal_pointer (&content);
}

/* Encodings. */

GBytes *
fleet_base64_decode_strict (const char *text, gsize length)
{
  g_autofree char *copy = NULL;
  gsize padding = 0;
  guchar *decoded;
  gsize decoded_length = 0;

  if (length == 0 || length % 4 != 0)
    return NULL;

  for (gsize i = 0; i < length; i++)
    {
      char c = text[i];

      if (c == '=' && i + 2 >= length)
        padding++;
      else if (padding > 0 || !(g_ascii_isalnum (c) || c == '+' || c == '/'))
        return NULL;
    }

  copy = g_strndup (text, length);
  decoded = g_base64_decode (copy, &decoded_length);
  return g_bytes_new_take (decoded, decoded_length);
}

GBytes *
fleet_ed25519_ssh_blob (const guint8 raw[FLEET_ED25519_PUBLIC_KEY_LENGTH])
{
  GByteArray *blob = g_byte_array_new ();
  guint32 type_length = GUINT32_TO_BE ((guint32) strlen (SSH_ED25519));
  guint32 key_length = GUINT32_TO_BE (FLEET_ED25519_PUBLIC_KEY_LENGTH);

  g_byte_array_append (blob, (const guint8 *) &type_length, 4);
  g_byte_array_append (blob, (const guint8 *) SSH_ED25519, strlen (SSH_ED25519));
  g_byte_array_append (blob, (const guint8 *) &key_length, 4);
  g_byte_array_append (blob, raw, FLEET_ED25519_PUBLIC_KEY_LENGTH);
  return g_byte_array_free_to_bytes (blob);
}

gboolean
fleet_wire_read_u32 (FleetWireReader *reader, guint32 *out)
{
  guint32 value_be;

  if (reader->length < 4)
    return FALSE;

  memcpy (&value_be, reader->data, 4);
  *out = GUINT32_FROM_BE (value_be);
  reader->data += 4;
  reader->length -= 4;
  return TRUE;
}

gboolean
fleet_wire_read_string (FleetWireReader *reader, const guint8 **out, gsize *out_length)
{
  guint32 length;
  FleetWireReader start = *reader;

  if (!fleet_wire_read_u32 (reader, &length) || length > reader->length)
    {
      *reader = start;
      return FALSE;
    }

  *out = reader->data;
  *out_length = length;
  reader->data += length;
  reader->length -= length;
  return TRUE;
}

gboolean
fleet_wire_read_expected (FleetWireReader *reader, const char *expected)
{
  const guint8 *value;
  gsize length;

  return fleet_wire_read_string (reader, &value, &length) && length == strlen (expected)
         && memcmp (value, expected, length) == 0;
}

/* Keys, fingerprints, signatures. */

FleetPublicKey *
fleet_public_key_new (const guint8 raw[FLEET_ED25519_PUBLIC_KEY_LENGTH], const char *comment)
{
  FleetPublicKey *key = g_new0 (FleetPublicKey, 1);

  memcpy (key->raw, raw, FLEET_ED25519_PUBLIC_KEY_LENGTH);
  key->fingerprint = fleet_ed25519_fingerprint (raw);
  key->comment = comment != NULL && comment[0] != '\0' ? g_strdup (comment) : NULL;
  return key;
}

void
fleet_public_key_free (FleetPublicKey *key)
{
  if (key == NULL)
    return;

  g_free (key->fingerprint);
  g_free (key->comment);
  g_free (key);
}

char *
fleet_ed25519_fingerprint (const guint8 raw[FLEET_ED25519_PUBLIC_KEY_LENGTH])
{
  g_autoptr(GBytes) blob = fleet_ed25519_ssh_blob (raw);
  guint8 digest[32];
  gsize digest_length = sizeof digest;
  g_autoptr(GChecksum) checksum = g_checksum_new (G_CHECKSUM_SHA256);
  g_autofree char *encoded = NULL;
  char *end;

  g_checksum_update (checksum, g_bytes_get_data (blob, NULL), g_bytes_get_size (blob));
  g_checksum_get_digest (checksum, digest, &digest_length);
  encoded = g_base64_encode (digest, digest_length);

  /* ssh-keygen drops the padding. */
  end = strchr (encoded, '=');
  if (end != NULL)
    *end = '\0';
  return g_strconcat ("SHA256:", encoded, NULL);
}

gboolean
fleet_ed25519_verify (const guint8 raw[FLEET_ED25519_PUBLIC_KEY_LENGTH],
                      const guint8 *message,
                      gsize message_length,
                      const guint8 signature[FLEET_ED25519_SIGNATURE_LENGTH])
{
  EVP_PKEY *key = EVP_PKEY_new_raw_public_key (EVP_PKEY_ED25519, NULL, raw,
                                               FLEET_ED25519_PUBLIC_KEY_LENGTH);
  EVP_MD_CTX *context = NULL;
  gboolean valid = FALSE;

  if (key == NULL)
    return FALSE;

  context = EVP_MD_CTX_new ();
  if (context != NULL && EVP_DigestVerifyInit (context, NULL, NULL, NULL, key) == 1)
    valid = EVP_DigestVerify (context, signature, FLEET_ED25519_SIGNATURE_LENGTH, message,
                              message_length) == 1;

  EVP_MD_CTX_free (context);
  EVP_PKEY_free (key);
  return valid;
}

/* Public key files. */

static FleetPublicKey *
key_from_pem (const char *path, guint line, const char *block, gsize length, GError **error)
{
  BIO *bio = BIO_new_mem_buf (block, (int) length);
  EVP_PKEY *key = bio != NULL ? PEM_read_bio_PUBKEY (bio, NULL, NULL, NULL) : NULL;
  guint8 raw[FLEET_ED25519_PUBLIC_KEY_LENGTH];
  size_t raw_length = sizeof raw;
  FleetPublicKey *result = NULL;

  BIO_free (bio);
  if (key == NULL)
    g_set_error (error, FLEET_KEY_ERROR, FLEET_KEY_ERROR_FORMAT,
                 "%s:%u: the PUBLIC KEY block cannot be decoded", path, line);
  else if (EVP_PKEY_get_base_id (key) != EVP_PKEY_ED25519)
    g_set_error (error, FLEET_KEY_ERROR, FLEET_KEY_ERROR_UNSUPPORTED,
                 "%s:%u: the key is of type %s, but only Ed25519 keys can sign plans", path, line,
                 EVP_PKEY_get0_type_name (key));
  else if (EVP_PKEY_get_raw_public_key (key, raw, &raw_length) != 1
           || raw_length != FLEET_ED25519_PUBLIC_KEY_LENGTH)
    g_set_error (error, FLEET_KEY_ERROR, FLEET_KEY_ERROR_FORMAT,
                 "%s:%u: the Ed25519 key cannot be read", path, line);
  else
    result = fleet_public_key_new (raw, NULL);

  EVP_PKEY_free (key);
  return result;
}

/* Parse the key blob of an OpenSSH public key line. */
static FleetPublicKey *
key_from_openssh (const char *path, guint line, const char *base64, gsize base64_length,
                  const char *comment, GError **error)
{
  g_autoptr(GBytes) blob = fleet_base64_decode_strict (base64, base64_length);
  FleetWireReader reader = { 0 };
  const guint8 *raw = NULL;
  gsize raw_length = 0;

  if (blob != NULL)
    reader = (FleetWireReader) { g_bytes_get_data (blob, NULL), g_bytes_get_size (blob) };

  if (blob == NULL || !fleet_wire_read_expected (&reader, SSH_ED25519)
      || !fleet_wire_read_string (&reader, &raw, &raw_length)
      || raw_length != FLEET_ED25519_PUBLIC_KEY_LENGTH || reader.length != 0)
    {
      g_set_error (error, FLEET_KEY_ERROR, FLEET_KEY_ERROR_FORMAT,
                   "%s:%u: the ssh-ed25519 key data is not valid base64 of an Ed25519 key",
                   path, line);
      return NULL;
    }

  return fleet_public_key_new (raw, comment);
}

static gboolean
is_private_key_label (const char *line)
{
  return g_str_has_prefix (line, PEM_BEGIN) && strstr (line, "PRIVATE KEY-----") != NULL;
}

/* Parse one OpenSSH public key line: TYPE BASE64 [COMMENT]. */
static FleetPublicKey *
parse_openssh_line (const char *path, guint line_number, const char *line, GError **error)
{
  g_auto(GStrv) fields = g_strsplit_set (line, " \t", 3);
  g_autofree char *comment = NULL;

  if (g_strv_length (fields) < 2 || fields[0][0] == '\0')
    {
      g_set_error (error, FLEET_KEY_ERROR, FLEET_KEY_ERROR_FORMAT,
                   "%s:%u: expected an \"ssh-ed25519 KEY\" line or a PEM PUBLIC KEY block",
                   path, line_number);
      return NULL;
    }

  if (!g_str_equal (fields[0], SSH_ED25519))
    {
      gboolean other_ssh_type = g_str_has_prefix (fields[0], "ssh-")
                                || g_str_has_prefix (fields[0], "ecdsa-")
                                || g_str_has_prefix (fields[0], "sk-");
      g_autofree char *escaped_type = g_strescape (fields[0], NULL);

      g_set_error (error, FLEET_KEY_ERROR,
                   other_ssh_type ? FLEET_KEY_ERROR_UNSUPPORTED : FLEET_KEY_ERROR_FORMAT,
                   other_ssh_type
                     ? "%s:%u: the key is of type \"%.64s\", but only Ed25519 keys can sign plans"
                     : "%s:%u: \"%.64s\" is not a key type; expected an \"ssh-ed25519 KEY\" line "
                       "or a PEM PUBLIC KEY block",
                   path, line_number, escaped_type);
      return NULL;
    }

  if (fields[2] != NULL)
    comment = g_strstrip (g_strdup (fields[2]));
  return key_from_openssh (path, line_number, fields[1], strlen (fields[1]), comment, error);
}

gboolean
fleet_public_keys_read_file (const char *path, GPtrArray *out, GError **error)
{
  g_autoptr(FleetSecret) content = fleet_key_file_read (path, FLEET_KEY_FILE_PUBLIC, error);
  g_autoptr(GPtrArray) keys = g_ptr_array_new_with_free_func ((GDestroyNotify) fleet_public_key_free);
  g_autoptr(GString) pem = NULL;
  g_auto(GStrv) lines = NULL;
  guint pem_start = 0;

  if (content == NULL)
    return FALSE;

  if (memchr (content->data, '\0', content->length) != NULL)
    {
      g_set_error (error, FLEET_KEY_ERROR, FLEET_KEY_ERROR_FORMAT,
                   "%s is not a public key file: it contains NUL bytes", path);
      return FALSE;
    }

  lines = g_strsplit ((const char *) content->data, "\n", -1);
  for (guint i = 0; lines[i] != NULL; i++)
    {
      char *line = g_strstrip (lines[i]);
      FleetPublicKey *key = NULL;

      if (pem != NULL)
        {
          g_string_append_printf (pem, "%s\n", line);
          if (!g_str_equal (line, PEM_PUBLIC_KEY_END))
            continue;
          key = key_from_pem (path, pem_start, pem->str, pem->len, error);
          g_string_free (g_steal_pointer (&pem), TRUE);
        }
      else if (line[0] == '\0' || line[0] == '#')
        continue;
      else if (is_private_key_label (line))
        {
          g_set_error (error, FLEET_KEY_ERROR, FLEET_KEY_ERROR_FORMAT,
                       "%s:%u: this is a private key; give the public key instead, made with "
                       "`openssl pkey -in KEY -pubout` or `ssh-keygen -y -f KEY`", path, i + 1);
          return FALSE;
        }
      else if (g_str_equal (line, "-----BEGIN PUBLIC KEY-----"))
        {
          pem = g_string_new (NULL);
          g_string_append_printf (pem, "%s\n", line);
          pem_start = i + 1;
          continue;
        }
      else
        key = parse_openssh_line (path, i + 1, line, error);

      if (key == NULL)
        return FALSE;
      g_ptr_array_add (keys, key);
    }

  if (pem != NULL)
    {
      g_set_error (error, FLEET_KEY_ERROR, FLEET_KEY_ERROR_FORMAT,
                   "%s:%u: the PUBLIC KEY block has no END line", path, pem_start);
      return FALSE;
    }
  if (keys->len == 0)
    {
      g_set_error (error, FLEET_KEY_ERROR, FLEET_KEY_ERROR_FORMAT,
                   "%s contains no public key; expected \"ssh-ed25519 KEY\" lines or PEM "
                   "PUBLIC KEY blocks", path);
      return FALSE;
    }

  g_ptr_array_extend_and_steal (out, g_steal_pointer (&keys));
  return TRUE;
}
