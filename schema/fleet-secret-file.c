/* fleet-secret-file.c: the secret store's header, key derivation, AES-GCM
 * sealing and map serialization, with no file I/O. */
#include "schema/fleet-secret-file-private.h"
#include "schema/fleet-oom.h"

#include <string.h>

#include <openssl/crypto.h>
#include <openssl/err.h>
#include <openssl/evp.h>

FleetSecretEntry *
fleet_secret_entry_new (const char *name, const FleetSecret *value)
{
  FleetSecretEntry *entry = g_new0 (FleetSecretEntry, 1);

  entry->name = g_strdup (name);
  entry->value = fleet_secret_copy (value);
  return entry;
}

void
fleet_secret_entry_free (FleetSecretEntry *entry)
{
  if (entry == NULL)
    return;

  OPENSSL_cleanse (entry->name, strlen (entry->name));
  g_free (entry->name);
  fleet_secret_free (entry->value);
  g_free (entry);
}

/* Big-endian integers. */

static void
put_u32 (guint8 *out, guint32 value)
{
  for (int i = 0; i < 4; i++)
    out[i] = (guint8) (value >> (24 - 8 * i));
}

static void
put_u64 (guint8 *out, guint64 value)
{
  for (int i = 0; i < 8; i++)
    out[i] = (guint8) (value >> (56 - 8 * i));
}

static guint32
get_u32 (const guint8 *in)
{
  return (guint32) in[0] << 24 | (guint32) in[1] << 16 | (guint32) in[2] << 8 | in[3];
}

static guint64
get_u64 (const guint8 *in)
{
  return (guint64) get_u32 (in) << 32 | get_u32 (in + 4);
}

/* Return the text of the oldest queued OpenSSL error, or a placeholder, and
 * clear the queue. */
static char *
openssl_error_text (void)
{
  char text[256] = "no detail from OpenSSL";
  unsigned long code = ERR_get_error ();

  if (code != 0)
    ERR_error_string_n (code, text, sizeof text);
  ERR_clear_error ();
  return g_strdup (text);
}

/* Header. */

void
fleet_secret_header_encode (const FleetSecretHeader *header, guint8 *out)
{
  memcpy (out, FLEET_SECRET_FILE_MAGIC, FLEET_SECRET_FILE_MAGIC_LENGTH);
  put_u32 (out + 8, header->version);
  put_u32 (out + 12, header->kdf);
  put_u64 (out + 16, header->kdf_params.n);
  put_u32 (out + 24, header->kdf_params.r);
  put_u32 (out + 28, header->kdf_params.p);
  memcpy (out + 32, header->salt, FLEET_SECRET_SALT_LENGTH);
  memcpy (out + 48, header->nonce, FLEET_SECRET_NONCE_LENGTH);
}

gboolean
fleet_secret_header_decode (const guint8 *data,
                            gsize length,
                            FleetSecretHeader *header,
                            GError **error)
{
  FleetSecretHeader parsed = { 0 };
  g_autoptr(GError) params_error = NULL;

  if (length < FLEET_SECRET_FILE_MAGIC_LENGTH
      || memcmp (data, FLEET_SECRET_FILE_MAGIC, FLEET_SECRET_FILE_MAGIC_LENGTH) != 0)
    {
      g_set_error (error, FLEET_SECRET_STORE_ERROR, FLEET_SECRET_STORE_ERROR_NOT_A_STORE,
                   "not a fleetc secret store: it does not start with \"%s\"",
                   FLEET_SECRET_FILE_MAGIC);
      return FALSE;
    }
  if (length < 12)
    {
      g_set_error (error, FLEET_SECRET_STORE_ERROR, FLEET_SECRET_STORE_ERROR_NOT_A_STORE,
                   "truncated: %" G_GSIZE_FORMAT " bytes, at least %d needed", length,
                   FLEET_SECRET_FILE_MIN_LENGTH);
      return FALSE;
    }

  parsed.version = get_u32 (data + 8);
  if (parsed.version != FLEET_SECRET_FILE_VERSION)
    {
      g_set_error (error, FLEET_SECRET_STORE_ERROR, FLEET_SECRET_STORE_ERROR_VERSION,
                   "format version %u is not supported: this fleetc reads version %u; "
                   "use the fleetc that wrote the store", parsed.version,
                   FLEET_SECRET_FILE_VERSION);
      return FALSE;
    }
  if (length < FLEET_SECRET_FILE_MIN_LENGTH)
    {
      g_set_error (error, FLEET_SECRET_STORE_ERROR, FLEET_SECRET_STORE_ERROR_NOT_A_STORE,
                   "truncated: %" G_GSIZE_FORMAT " bytes, at least %d needed", length,
                   FLEET_SECRET_FILE_MIN_LENGTH);
      return FALSE;
    }
  if ((length - FLEET_SECRET_HEADER_LENGTH - FLEET_SECRET_TAG_LENGTH) % FLEET_SECRET_PADDING != 0)
    {
      g_set_error (error, FLEET_SECRET_STORE_ERROR, FLEET_SECRET_STORE_ERROR_NOT_A_STORE,
                   "truncated or damaged: its size, %" G_GSIZE_FORMAT " bytes, is not "
                   "%d plus a multiple of %u", length,
                   FLEET_SECRET_HEADER_LENGTH + FLEET_SECRET_TAG_LENGTH, FLEET_SECRET_PADDING);
      return FALSE;
    }

  parsed.kdf = get_u32 (data + 12);
  if (parsed.kdf != FLEET_SECRET_KDF_SCRYPT)
    {
      g_set_error (error, FLEET_SECRET_STORE_ERROR, FLEET_SECRET_STORE_ERROR_VERSION,
                   "key derivation function %u is not supported: this fleetc knows only "
                   "scrypt (%u)", parsed.kdf, FLEET_SECRET_KDF_SCRYPT);
      return FALSE;
    }

  parsed.kdf_params.n = get_u64 (data + 16);
  parsed.kdf_params.r = get_u32 (data + 24);
  parsed.kdf_params.p = get_u32 (data + 28);
  if (!fleet_secret_kdf_params_validate (&parsed.kdf_params, &params_error))
    {
      g_set_error (error, FLEET_SECRET_STORE_ERROR, FLEET_SECRET_STORE_ERROR_PARAMETERS,
                   "%s; the file is damaged or was tampered with", params_error->message);
      return FALSE;
    }

  memcpy (parsed.salt, data + 32, FLEET_SECRET_SALT_LENGTH);
  memcpy (parsed.nonce, data + 48, FLEET_SECRET_NONCE_LENGTH);
  *header = parsed;
  return TRUE;
}

/* Key derivation. */

FleetSecret *
fleet_secret_derive_key (const FleetSecret *master,
                         const FleetSecretHeader *header,
                         GError **error)
{
  const FleetSecretKdfParams *params = &header->kdf_params;
  g_autoptr(FleetSecret) key = fleet_secret_new (FLEET_SECRET_KEY_LENGTH);
  /* OpenSSL rejects a derivation that needs more than `max_memory`.  It
   * counts 128 * r * (n + 2) bytes for V and 128 * r * p bytes for B. */
  guint64 max_memory = 128 * (guint64) params->r * (params->n + 2)
                       + 128 * (guint64) params->r * params->p + 65536;

  g_return_val_if_fail (fleet_secret_kdf_params_validate (params, NULL), NULL);

  if (EVP_PBE_scrypt ((const char *) master->data, master->length, header->salt,
                      FLEET_SECRET_SALT_LENGTH, params->n, params->r, params->p, max_memory,
                      key->data, FLEET_SECRET_KEY_LENGTH) != 1)
    {
      g_autofree char *detail = openssl_error_text ();

      g_set_error (error, FLEET_SECRET_STORE_ERROR, FLEET_SECRET_STORE_ERROR_IO,
                   "scrypt key derivation with N=%" G_GUINT64_FORMAT ", r=%u, p=%u failed "
                   "(%s); it needs about %" G_GUINT64_FORMAT " MiB of memory",
                   params->n, params->r, params->p, detail, max_memory >> 20);
      return NULL;
    }

  return g_steal_pointer (&key);
}

/* AES-256-GCM.
 *
 * The cipher, key length, nonce
 * length and tag length are fixed and valid, and every caller derived the
 * key with scrypt from the same OpenSSL default provider first.  OpenSSL 3.0
 * therefore fails the calls below only when memory runs out, and they abort
 * as g_malloc() does.  Only EVP_DecryptFinal_ex() has a real failure: the
 * tag does not match. */

G_DEFINE_AUTOPTR_CLEANUP_FUNC (EVP_CIPHER_CTX, EVP_CIPHER_CTX_free)

GBytes *
fleet_secret_seal (const FleetSecret *key,
                   const FleetSecretHeader *header,
                   const FleetSecret *plaintext)
{
  g_autoptr(EVP_CIPHER_CTX) context = fleet_oom_check (EVP_CIPHER_CTX_new (),
                                                      "EVP_CIPHER_CTX_new");
  gsize file_length = FLEET_SECRET_HEADER_LENGTH + plaintext->length + FLEET_SECRET_TAG_LENGTH;
  g_autofree guint8 *file = g_malloc (file_length);
  guint8 *ciphertext = file + FLEET_SECRET_HEADER_LENGTH;
  int written = 0;
  int final_written = 0;

  g_return_val_if_fail (key->length == FLEET_SECRET_KEY_LENGTH, NULL);
  g_return_val_if_fail (plaintext->length <= FLEET_SECRET_STORE_MAX_PLAINTEXT, NULL);

  fleet_secret_header_encode (header, file);

  /* These calls fail only when memory runs out (see above). */
  fleet_oom_check_status (
    EVP_EncryptInit_ex (context, EVP_aes_256_gcm (), NULL, NULL, NULL) == 1
      && EVP_CIPHER_CTX_ctrl (context, EVP_CTRL_GCM_SET_IVLEN, FLEET_SECRET_NONCE_LENGTH,
                              NULL) == 1
      && EVP_EncryptInit_ex (context, NULL, NULL, key->data, header->nonce) == 1
      && EVP_EncryptUpdate (context, NULL, &written, file, FLEET_SECRET_HEADER_LENGTH) == 1
      && EVP_EncryptUpdate (context, ciphertext, &written, plaintext->data,
                            (int) plaintext->length) == 1
      && EVP_EncryptFinal_ex (context, ciphertext + written, &final_written) == 1
      && EVP_CIPHER_CTX_ctrl (context, EVP_CTRL_GCM_GET_TAG, FLEET_SECRET_TAG_LENGTH,
                              ciphertext + plaintext->length) == 1,
    "AES-256-GCM encryption");
  g_assert ((gsize) written + (gsize) final_written == plaintext->length);

  return g_bytes_new_take (g_steal_pointer (&file), file_length);
}

FleetSecret *
fleet_secret_unseal (const FleetSecret *key, const guint8 *data, gsize length, GError **error)
{
  g_autoptr(EVP_CIPHER_CTX) context = fleet_oom_check (EVP_CIPHER_CTX_new (),
                                                      "EVP_CIPHER_CTX_new");
  gsize ciphertext_length = length - FLEET_SECRET_HEADER_LENGTH - FLEET_SECRET_TAG_LENGTH;
  g_autoptr(FleetSecret) plaintext = NULL;
  guint8 tag[FLEET_SECRET_TAG_LENGTH];
  int written = 0;
  int final_written = 0;

  g_return_val_if_fail (length >= FLEET_SECRET_FILE_MIN_LENGTH, NULL);
  g_return_val_if_fail (length <= FLEET_SECRET_FILE_MAX_LENGTH, NULL);

  plaintext = fleet_secret_new (ciphertext_length);
  memcpy (tag, data + length - FLEET_SECRET_TAG_LENGTH, FLEET_SECRET_TAG_LENGTH);

  /* These calls fail only when memory runs out (see above). */
  fleet_oom_check_status (
    EVP_DecryptInit_ex (context, EVP_aes_256_gcm (), NULL, NULL, NULL) == 1
      && EVP_CIPHER_CTX_ctrl (context, EVP_CTRL_GCM_SET_IVLEN, FLEET_SECRET_NONCE_LENGTH,
                              NULL) == 1
      && EVP_DecryptInit_ex (context, NULL, NULL, key->data, data + 48) == 1
      && EVP_DecryptUpdate (context, NULL, &written, data, FLEET_SECRET_HEADER_LENGTH) == 1
      && EVP_DecryptUpdate (context, plaintext->data, &written,
                            data + FLEET_SECRET_HEADER_LENGTH, (int) ciphertext_length) == 1
      && EVP_CIPHER_CTX_ctrl (context, EVP_CTRL_GCM_SET_TAG, FLEET_SECRET_TAG_LENGTH, tag) == 1,
    "AES-256-GCM decryption");

  /* The final step checks the tag over the header and the ciphertext. */
  if (EVP_DecryptFinal_ex (context, plaintext->data + written, &final_written) != 1)
    {
      ERR_clear_error ();
      g_set_error (error, FLEET_SECRET_STORE_ERROR,
                   FLEET_SECRET_STORE_ERROR_WRONG_KEY_OR_TAMPERED,
                   "cannot decrypt: the master passphrase is wrong, or the file was damaged "
                   "or tampered with (AES-GCM authentication cannot tell these apart)");
      return NULL;
    }

  return g_steal_pointer (&plaintext);
}

/* Map serialization. */

FleetSecret *
fleet_secret_map_serialize (const GPtrArray *entries)
{
  gsize length = 4;
  g_autoptr(FleetSecret) plaintext = NULL;
  guint8 *out;

  for (guint i = 0; i < entries->len; i++)
    {
      const FleetSecretEntry *entry = g_ptr_array_index (entries, i);

      length += 1 + strlen (entry->name) + 4 + entry->value->length;
    }
  length = (length + FLEET_SECRET_PADDING - 1) / FLEET_SECRET_PADDING * FLEET_SECRET_PADDING;

  /* A new secret is zero-filled, which writes the padding. */
  plaintext = fleet_secret_new (length);
  out = plaintext->data;
  put_u32 (out, entries->len);
  out += 4;
  for (guint i = 0; i < entries->len; i++)
    {
      const FleetSecretEntry *entry = g_ptr_array_index (entries, i);
      gsize name_length = strlen (entry->name);

      *out++ = (guint8) name_length;
      memcpy (out, entry->name, name_length);
      out += name_length;
      put_u32 (out, (guint32) entry->value->length);
      out += 4;
      memcpy (out, entry->value->data, entry->value->length);
      out += entry->value->length;
    }

  return g_steal_pointer (&plaintext);
}

static void
set_malformed_error (GError **error, gsize offset, const char *what)
{
  g_set_error (error, FLEET_SECRET_STORE_ERROR, FLEET_SECRET_STORE_ERROR_NOT_A_STORE,
               "decrypted contents are malformed at byte %" G_GSIZE_FORMAT " of the plaintext: "
               "%s; the store was written by a faulty program", offset, what);
}

/* Parse one entry at `*offset`, checking that its name sorts after
 * `previous_name` (NULL for the first). */
static FleetSecretEntry *
parse_entry (const FleetSecret *plaintext,
             gsize *offset,
             const char *previous_name,
             GError **error)
{
  const guint8 *data = plaintext->data;
  gsize at = *offset;
  gsize name_length;
  guint32 value_length;
  g_autofree char *name = NULL;
  FleetSecretEntry *entry;

  if (plaintext->length - at < 1)
    {
      set_malformed_error (error, at, "an entry is cut off");
      return NULL;
    }
  name_length = data[at++];
  if (name_length == 0 || plaintext->length - at < name_length + 4)
    {
      set_malformed_error (error, at - 1, "a name length is 0 or runs past the end");
      return NULL;
    }

  name = g_strndup ((const char *) data + at, name_length);
  if (strlen (name) != name_length || !fleet_secret_name_validate (name, NULL))
    {
      set_malformed_error (error, at, "a name has characters outside [A-Za-z0-9._-]");
      return NULL;
    }
  if (previous_name != NULL && strcmp (previous_name, name) >= 0)
    {
      set_malformed_error (error, at, "names are not unique and sorted");
      return NULL;
    }
  at += name_length;

  value_length = get_u32 (data + at);
  at += 4;
  if (value_length == 0 || value_length > FLEET_SECRET_VALUE_MAX
      || plaintext->length - at < value_length)
    {
      set_malformed_error (error, at - 4, "a value length is 0, too large or runs past the end");
      return NULL;
    }

  entry = g_new0 (FleetSecretEntry, 1);
  entry->name = g_steal_pointer (&name);
  entry->value = fleet_secret_new_from_data (data + at, value_length);
  *offset = at + value_length;
  return entry;
}

GPtrArray *
fleet_secret_map_parse (const FleetSecret *plaintext, GError **error)
{
  g_autoptr(GPtrArray) entries =
    g_ptr_array_new_with_free_func ((GDestroyNotify) fleet_secret_entry_free);
  gsize offset = 4;
  guint32 count;

  if (plaintext->length < 4 || plaintext->length % FLEET_SECRET_PADDING != 0)
    {
      set_malformed_error (error, 0, "its length is not a multiple of 256");
      return NULL;
    }

  count = get_u32 (plaintext->data);
  for (guint32 i = 0; i < count; i++)
    {
      const char *previous_name =
        i > 0 ? ((FleetSecretEntry *) g_ptr_array_index (entries, i - 1))->name : NULL;
      FleetSecretEntry *entry = parse_entry (plaintext, &offset, previous_name, error);

      if (entry == NULL)
        return NULL;
      g_ptr_array_add (entries, entry);
    }

  for (gsize at = offset; at < plaintext->length; at++)
    if (plaintext->data[at] != 0)
      {
        set_malformed_error (error, at, "the padding is not zero");
        return NULL;
      }

  return g_steal_pointer (&entries);
}
