/* fleet-secret-file-private.h: the secret store's byte layout and crypto.
 *
 * A store file is a fixed header, the AES-256-GCM ciphertext and the tag:
 *
 *   offset  size  field
 *   0       8     magic "FLEETSEC"
 *   8       4     format version, big-endian (1)
 *   12      4     KDF id, big-endian (1 = scrypt)
 *   16      8     scrypt N, big-endian
 *   24      4     scrypt r, big-endian
 *   28      4     scrypt p, big-endian
 *   32      16    salt, random, chosen when the store is created
 *   48      12    GCM nonce, random, new on every write
 *   60      c     ciphertext of the plaintext below (c = plaintext length)
 *   60+c    16    GCM tag
 *
 * The key is scrypt(master passphrase, salt, N, r, p), 32 bytes.  The 60
 * header bytes are the GCM additional authenticated data.  The magic and
 * the version keep their place in every future version.
 *
 * The plaintext is the name->value map, entries sorted by name with strcmp
 * and names unique:
 *
 *   4     entry count, big-endian
 *   per entry:
 *     1   name length (1 to 128)
 *     n   name, [A-Za-z0-9._-]
 *     4   value length, big-endian (1 to FLEET_SECRET_VALUE_MAX)
 *     v   value bytes
 *   zero bytes up to the next multiple of 256, so the file size shows only
 *   a rough total size of the secrets.
 *
 * These functions report errors without the file name; the store module
 * adds it.
 */
#pragma once

#include <glib.h>

#include "schema/fleet-secret-store.h"

G_BEGIN_DECLS

#define FLEET_SECRET_FILE_MAGIC "FLEETSEC"
#define FLEET_SECRET_FILE_MAGIC_LENGTH 8
#define FLEET_SECRET_FILE_VERSION 1u
#define FLEET_SECRET_KDF_SCRYPT 1u
#define FLEET_SECRET_SALT_LENGTH 16
#define FLEET_SECRET_NONCE_LENGTH 12
#define FLEET_SECRET_TAG_LENGTH 16
#define FLEET_SECRET_KEY_LENGTH 32
#define FLEET_SECRET_HEADER_LENGTH 60
#define FLEET_SECRET_PADDING 256u

/* The smallest file: a header, an empty map padded to 256 bytes, a tag. */
#define FLEET_SECRET_FILE_MIN_LENGTH \
  (FLEET_SECRET_HEADER_LENGTH + FLEET_SECRET_PADDING + FLEET_SECRET_TAG_LENGTH)
#define FLEET_SECRET_FILE_MAX_LENGTH \
  (FLEET_SECRET_HEADER_LENGTH + FLEET_SECRET_STORE_MAX_PLAINTEXT + FLEET_SECRET_TAG_LENGTH)

typedef struct {
  guint32 version;
  guint32 kdf;
  FleetSecretKdfParams kdf_params;
  guint8 salt[FLEET_SECRET_SALT_LENGTH];
  guint8 nonce[FLEET_SECRET_NONCE_LENGTH];
} FleetSecretHeader;

/* One map entry; the map is a GPtrArray of these, sorted by name. */
typedef struct {
  char *name;
  FleetSecret *value;
} FleetSecretEntry;

FleetSecretEntry *fleet_secret_entry_new (const char *name, const FleetSecret *value);

/* Wipe the name, free the value and the entry. */
void fleet_secret_entry_free (FleetSecretEntry *entry);

/* Write `header` as the first FLEET_SECRET_HEADER_LENGTH bytes of `out`. */
void fleet_secret_header_encode (const FleetSecretHeader *header, guint8 *out);

/* Parse and check the header of a whole file of `length` bytes: NOT_A_STORE
 * (magic, or shorter than FLEET_SECRET_FILE_MIN_LENGTH), VERSION (format
 * version or KDF id), PARAMETERS (out of bounds).  Checking the parameters
 * before any derivation keeps a damaged header from costing memory or
 * time. */
gboolean fleet_secret_header_decode (const guint8 *data,
                                     gsize length,
                                     FleetSecretHeader *header,
                                     GError **error);

/* Return the 32-byte key for `master` under the header's salt and
 * parameters, which must have been validated. */
FleetSecret *fleet_secret_derive_key (const FleetSecret *master,
                                      const FleetSecretHeader *header,
                                      GError **error);

/* Return the whole file: `header` (its nonce must be fresh), the ciphertext
 * of `plaintext` under `key`, and the tag.  Encryption cannot fail once the
 * key is derived; an allocation failure aborts (fleet-oom.h). */
GBytes *fleet_secret_seal (const FleetSecret *key,
                           const FleetSecretHeader *header,
                           const FleetSecret *plaintext);

/* Authenticate and decrypt the whole file `data`, whose header was decoded
 * into `header`.  WRONG_KEY_OR_TAMPERED when the tag does not match. */
FleetSecret *fleet_secret_unseal (const FleetSecret *key,
                                  const guint8 *data,
                                  gsize length,
                                  GError **error);

/* Return the plaintext for `entries` (FleetSecretEntry *, sorted by name). */
FleetSecret *fleet_secret_map_serialize (const GPtrArray *entries);

/* Parse a plaintext into a new array of FleetSecretEntry *, or NOT_A_STORE
 * saying what is malformed. */
GPtrArray *fleet_secret_map_parse (const FleetSecret *plaintext, GError **error);

G_END_DECLS
