/* fleet-secret-store.h: an encrypted file of named secrets.
 *
 * The store keeps SSH key passphrases, sudo passwords and similar values
 * under names such as "db-sudo".  One master passphrase protects the whole
 * file: scrypt turns it into an AES-256-GCM key, and the file contains the
 * KDF parameters, a random salt, a random nonce (new on every write), the
 * encrypted name->value map and the GCM tag.  The whole header is
 * authenticated, so changing any byte of the file makes opening fail.
 * fleet-secret-file-private.h gives the byte layout; docs/secrets.md the
 * administrator's view.
 *
 * The file must be a regular file (not a symbolic link) that only its owner
 * can access (mode 0600 or stricter).  Writes go to a temporary file in the
 * same directory, which is synced and then renamed over the store, so a
 * failed write leaves the previous store intact.
 *
 * An open store keeps the derived key and every value in FleetSecret memory,
 * and fleet_secret_store_free wipes all of it.  All errors are in the
 * FLEET_SECRET_STORE_ERROR domain and name the file.
 */
#pragma once

#include <glib.h>

#include "schema/fleet-secret.h"

G_BEGIN_DECLS

#define FLEET_SECRET_STORE_ERROR (fleet_secret_store_error_quark ())

typedef enum {
  FLEET_SECRET_STORE_ERROR_NOT_FOUND,     /* the store file does not exist */
  FLEET_SECRET_STORE_ERROR_EXISTS,        /* creating over an existing file */
  FLEET_SECRET_STORE_ERROR_NOT_A_STORE,   /* wrong magic, truncated, not a regular file,
                                             or malformed contents */
  FLEET_SECRET_STORE_ERROR_VERSION,       /* a format version or KDF this reader does not know */
  FLEET_SECRET_STORE_ERROR_PARAMETERS,    /* KDF parameters outside the accepted bounds */
  FLEET_SECRET_STORE_ERROR_WRONG_KEY_OR_TAMPERED, /* GCM authentication failed */
  FLEET_SECRET_STORE_ERROR_PERMISSIONS,   /* a store or key file others can access */
  FLEET_SECRET_STORE_ERROR_NO_SUCH_SECRET,
  FLEET_SECRET_STORE_ERROR_INVALID_NAME,
  FLEET_SECRET_STORE_ERROR_INVALID_VALUE, /* an empty or too long value or passphrase, or
                                             two entries that differ */
  FLEET_SECRET_STORE_ERROR_NO_KEY,        /* no source of the master passphrase */
  FLEET_SECRET_STORE_ERROR_NO_TERMINAL,   /* a prompt is needed but there is no terminal */
  FLEET_SECRET_STORE_ERROR_IO,            /* reading or writing failed, or the file
                                             changed since it was opened */
} FleetSecretStoreError;

GQuark fleet_secret_store_error_quark (void);

/* Secret names match [A-Za-z0-9._-]{1,128}. */
#define FLEET_SECRET_NAME_MAX 128

/* Values are 1 to 65536 bytes, and the decrypted map at most 16 MiB. */
#define FLEET_SECRET_VALUE_MAX (64u * 1024)
#define FLEET_SECRET_STORE_MAX_PLAINTEXT (16u * 1024 * 1024)

/* scrypt parameters.  The memory scrypt needs is about 128 * n * r bytes and
 * its running time grows with n * r * p. */
typedef struct {
  guint64 n;
  guint32 r;
  guint32 p;
} FleetSecretKdfParams;

/* Parameters for new stores: N = 2^17, r = 8, p = 1, 128 MiB of memory.  That
 * is the minimum the OWASP Password Storage Cheat Sheet gives for scrypt.
 * One derivation took 0.49 to 0.56 s on a 2-core x86-64 VM with OpenSSL 3.0. */
#define FLEET_SECRET_KDF_DEFAULT_N (G_GUINT64_CONSTANT (1) << 17)
#define FLEET_SECRET_KDF_DEFAULT_R 8u
#define FLEET_SECRET_KDF_DEFAULT_P 1u

/* Bounds on parameters read from a file or set for tests.  n is a power of
 * two from 16 to 2^22, r is 1 to 32 and p is 1 to 16.  The memory is at most
 * 512 MiB, and n * r * p at most 16 times the default.  A damaged or hostile
 * file therefore cannot make the reader allocate or compute without limit. */
#define FLEET_SECRET_KDF_MIN_N 16u
#define FLEET_SECRET_KDF_MAX_N (G_GUINT64_CONSTANT (1) << 22)
#define FLEET_SECRET_KDF_MAX_R 32u
#define FLEET_SECRET_KDF_MAX_P 16u
#define FLEET_SECRET_KDF_MAX_MEMORY (G_GUINT64_CONSTANT (512) * 1024 * 1024)
#define FLEET_SECRET_KDF_MAX_WORK (G_GUINT64_CONSTANT (16) << 20)

/* Test-only: a value of n for stores created with default parameters, so
 * test suites need not spend half a second per store.  Stores keep the
 * parameters they were created with. */
#define FLEET_SECRET_TEST_KDF_N_ENV "FLEETC_SECRETS_TEST_SCRYPT_N"

/* Environment variable naming the store file, read by
 * fleet_secret_store_resolve_path. */
#define FLEET_SECRET_STORE_PATH_ENV "FLEETC_SECRETS"

typedef struct FleetSecretStore FleetSecretStore;

/* Check that `name` is a valid secret name; INVALID_NAME otherwise, with the
 * name (escaped) in the message. */
gboolean fleet_secret_name_validate (const char *name, GError **error);

/* Return the store path to use: `option_path` when not NULL, else the
 * FLEETC_SECRETS variable when set and not empty, else
 * $XDG_CONFIG_HOME/fleetc/secrets (~/.config/fleetc/secrets when
 * XDG_CONFIG_HOME is unset).  Free with g_free. */
char *fleet_secret_store_resolve_path (const char *option_path);

/* Fill `params` with the parameters for a new store: the defaults, or n from
 * FLEETC_SECRETS_TEST_SCRYPT_N when that is set.  Returns FALSE with
 * PARAMETERS when the variable is not a valid n.  `out_overridden` (nullable)
 * is set to whether the test variable was used. */
gboolean fleet_secret_kdf_params_for_new_store (FleetSecretKdfParams *params,
                                                gboolean *out_overridden,
                                                GError **error);

/* Check `params` against the bounds above; PARAMETERS names the first value
 * out of bounds. */
gboolean fleet_secret_kdf_params_validate (const FleetSecretKdfParams *params, GError **error);

/* Create an empty store at `path` and write it.  `params` NULL means
 * fleet_secret_kdf_params_for_new_store.  Creates the parent directory with
 * mode 0700 when it is missing (existing directories are left as they are)
 * and the file with mode 0600.  Fails with EXISTS, and changes nothing, when
 * `path` already exists.  The master passphrase is only read, never kept.
 * Returns the open store; free with fleet_secret_store_free. */
FleetSecretStore *fleet_secret_store_create (const char *path,
                                             const FleetSecret *master,
                                             const FleetSecretKdfParams *params,
                                             GError **error);

/* Check, without reading it, that `path` exists and is a regular file that
 * only its owner can access: NOT_FOUND (saying how to create a store),
 * NOT_A_STORE, PERMISSIONS or IO.  Callers check before asking for the
 * master passphrase, so the user never types it for a store that cannot be
 * used. */
gboolean fleet_secret_store_check_file (const char *path, GError **error);

/* Read and decrypt the store at `path`, after the checks of
 * fleet_secret_store_check_file.  Fails with NOT_FOUND (saying how to
 * create one), PERMISSIONS, NOT_A_STORE, VERSION, PARAMETERS,
 * WRONG_KEY_OR_TAMPERED or IO.  The master passphrase is only read, never
 * kept. */
FleetSecretStore *fleet_secret_store_open (const char *path,
                                           const FleetSecret *master,
                                           GError **error);

/* Return a copy of the value named `name` (free with fleet_secret_free), or
 * NULL with NO_SUCH_SECRET or INVALID_NAME. */
FleetSecret *fleet_secret_store_lookup (FleetSecretStore *store,
                                        const char *name,
                                        GError **error);

/* Add or replace `name` in memory with a copy of `value`; call
 * fleet_secret_store_save to write the file.  INVALID_NAME or INVALID_VALUE
 * (empty, longer than FLEET_SECRET_VALUE_MAX, or a map that would exceed
 * FLEET_SECRET_STORE_MAX_PLAINTEXT). */
gboolean fleet_secret_store_set (FleetSecretStore *store,
                                 const char *name,
                                 const FleetSecret *value,
                                 GError **error);

/* Remove `name` in memory; NO_SUCH_SECRET or INVALID_NAME. */
gboolean fleet_secret_store_remove (FleetSecretStore *store, const char *name, GError **error);

/* Return the names in strcmp order, NULL-terminated.  Free with g_strfreev. */
char **fleet_secret_store_list_names (FleetSecretStore *store);

/* The KDF parameters of the file, as read or created. */
void fleet_secret_store_get_kdf_params (FleetSecretStore *store, FleetSecretKdfParams *params);

/* The path the store was opened or created with; borrowed. */
const char *fleet_secret_store_get_path (FleetSecretStore *store);

/* Encrypt the map under a new nonce and replace the file atomically.  Fails
 * with IO, writing nothing, when the file at the path is no longer the one
 * that was opened, because another process wrote it in between.
 * NOTE: the check and the rename are two steps, so two writers that save
 * within that window can still lose one update. */
gboolean fleet_secret_store_save (FleetSecretStore *store, GError **error);

/* Wipe the key and every value, then free the store; NULL is ignored. */
void fleet_secret_store_free (FleetSecretStore *store);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (FleetSecretStore, fleet_secret_store_free)

G_END_DECLS
