/* fuzz-secret-store.c: libFuzzer target for the secret store reader, up to
 * and including decryption and the parse of the decrypted map.
 *
 * Every store is opened with the fixed passphrase below.  New stores use
 * the store's test parameter FLEETC_SECRETS_TEST_SCRYPT_N=16, the smallest
 * N the reader accepts, so that one derivation takes microseconds.
 *
 * An input that starts with the magic "FLEETSEC" is a whole store file.
 * Its header is decoded first, and the file is opened only when its scrypt
 * parameters are as cheap as MAX_FUZZ_KDF_WORK allows.  The reader accepts
 * parameters that take seconds and hundreds of MiB by design, and these
 * would only show up as timeouts.  Changes to such a file rarely pass the
 * GCM tag.
 *
 * Any other input is the decrypted map (fleet-secret-file-private.h): the
 * target pads it with zero bytes to a multiple of 256, encrypts it into a
 * store file under the fixed passphrase and opens that, so that mutations
 * reach the map parser.  A map that opens must list, look up, save and open
 * again with the same names.
 */
#include <stdlib.h>
#include <string.h>

#include "fuzz/fuzz-common.h"
#include "schema/fleet-secret-file-private.h"
#include "schema/fleet-secret-store.h"

int LLVMFuzzerTestOneInput (const uint8_t *data, size_t size);

#define FUZZ_PASSPHRASE "fleetc fuzz passphrase"
#define FUZZ_KDF_N "16"

/* Largest n * r * p of a whole-file input that is opened: 16 times the cost
 * of N=16, r=8, p=1. */
#define MAX_FUZZ_KDF_WORK (16u * 16u * 8u)

static FleetSecret *master;
static FleetSecretHeader map_header;
static FleetSecret *map_key;

static void
initialize (void)
{
  g_autoptr(GError) error = NULL;

  if (master != NULL)
    return;

  g_setenv (FLEET_SECRET_TEST_KDF_N_ENV, FUZZ_KDF_N, TRUE);
  master = fleet_secret_new_from_data (FUZZ_PASSPHRASE, strlen (FUZZ_PASSPHRASE));

  map_header.version = FLEET_SECRET_FILE_VERSION;
  map_header.kdf = FLEET_SECRET_KDF_SCRYPT;
  if (!fleet_secret_kdf_params_for_new_store (&map_header.kdf_params, NULL, &error))
    fuzz_fail ("%s", error->message);
  memset (map_header.salt, 0x5a, sizeof map_header.salt);
  memset (map_header.nonce, 0xa5, sizeof map_header.nonce);

  map_key = fleet_secret_derive_key (master, &map_header, &error);
  if (map_key == NULL)
    fuzz_fail ("%s", error->message);
}

static void
check_names (FleetSecretStore *store, char **expected)
{
  g_auto(GStrv) names = fleet_secret_store_list_names (store);

  if (expected != NULL && !g_strv_equal ((const char * const *) names,
                                         (const char * const *) expected))
    fuzz_fail ("a store lists other names after it was saved and opened again");

  for (guint i = 0; names[i] != NULL; i++)
    {
      g_autoptr(GError) error = NULL;
      g_autoptr(FleetSecret) value = fleet_secret_store_lookup (store, names[i], &error);

      if (value == NULL)
        fuzz_fail ("listed secret %s cannot be looked up: %s", names[i], error->message);
    }
}

/* Save an opened store and open it again: the writer must produce what the
 * reader accepts. */
static void
check_save_and_reopen (FleetSecretStore *store, const char *path)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(FleetSecretStore) again = NULL;
  g_auto(GStrv) names = fleet_secret_store_list_names (store);

  if (!fleet_secret_store_save (store, &error))
    fuzz_fail ("saving a store that opened failed: %s", error->message);

  again = fleet_secret_store_open (path, master, &error);
  if (again == NULL)
    fuzz_fail ("a saved store does not open: %s", error->message);
  check_names (again, names);
}

static void
open_whole_file (const uint8_t *data, size_t size)
{
  FleetSecretHeader header;
  const FleetSecretKdfParams *params = &header.kdf_params;
  g_autoptr(FleetSecretStore) store = NULL;
  const char *path;

  if (!fleet_secret_header_decode (data, size, &header, NULL))
    return;
  if (params->n * params->r * params->p > MAX_FUZZ_KDF_WORK)
    return;

  path = fuzz_write_file ("secrets", data, size);
  store = fleet_secret_store_open (path, master, NULL);
  if (store != NULL)
    check_names (store, NULL);
}

static void
open_sealed_map (const uint8_t *data, size_t size)
{
  gsize padded = (size + FLEET_SECRET_PADDING - 1) / FLEET_SECRET_PADDING * FLEET_SECRET_PADDING;
  g_autoptr(FleetSecret) plaintext = NULL;
  g_autoptr(GBytes) file = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(FleetSecretStore) store = NULL;
  const char *path;
  gsize file_length;
  const guint8 *file_data;

  if (padded == 0)
    padded = FLEET_SECRET_PADDING;
  if (padded > FLEET_SECRET_STORE_MAX_PLAINTEXT)
    return;

  plaintext = fleet_secret_new (padded);
  memcpy (plaintext->data, data, size);
  file = fleet_secret_seal (map_key, &map_header, plaintext);

  file_data = g_bytes_get_data (file, &file_length);
  path = fuzz_write_file ("secrets", file_data, file_length);
  store = fleet_secret_store_open (path, master, &error);
  if (store == NULL)
    {
      if (!g_error_matches (error, FLEET_SECRET_STORE_ERROR, FLEET_SECRET_STORE_ERROR_NOT_A_STORE))
        fuzz_fail ("a map sealed with the right key failed other than as malformed: %s",
                   error->message);
      return;
    }

  check_names (store, NULL);
  check_save_and_reopen (store, path);
}

int
LLVMFuzzerTestOneInput (const uint8_t *data, size_t size)
{
  initialize ();

  if (size >= FLEET_SECRET_FILE_MAGIC_LENGTH
      && memcmp (data, FLEET_SECRET_FILE_MAGIC, FLEET_SECRET_FILE_MAGIC_LENGTH) == 0)
    open_whole_file (data, size);
  else
    open_sealed_map (data, size);
  return 0;
}
