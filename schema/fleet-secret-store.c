/* fleet-secret-store.c: opening, changing and atomically rewriting the
 * encrypted secret store file. */
#include "schema/fleet-secret-store.h"

#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <glib/gstdio.h>
#include <openssl/crypto.h>
#include <openssl/rand.h>

#include "schema/fleet-secret-file-private.h"

G_DEFINE_QUARK (fleet-secret-store-error-quark, fleet_secret_store_error)

struct FleetSecretStore {
  char *path;
  FleetSecretHeader header;      /* salt and KDF parameters; the nonce changes per write */
  FleetSecret *key;              /* derived from the master passphrase */
  GPtrArray *entries;            /* FleetSecretEntry *, sorted by name */
  dev_t file_device;             /* identity of the file last read or written */
  ino_t file_inode;
};

/* Names. */

gboolean
fleet_secret_name_validate (const char *name, GError **error)
{
  gsize length = strlen (name);
  gboolean valid = length >= 1 && length <= FLEET_SECRET_NAME_MAX;

  for (gsize i = 0; valid && i < length; i++)
    valid = g_ascii_isalnum (name[i]) || name[i] == '.' || name[i] == '_' || name[i] == '-';

  if (!valid)
    {
      /* The name is user input: escape it and bound its width. */
      g_autofree char *name_prefix = g_strndup (name, 64);
      g_autofree char *escaped = g_strescape (name_prefix, NULL);

      g_set_error (error, FLEET_SECRET_STORE_ERROR, FLEET_SECRET_STORE_ERROR_INVALID_NAME,
                   "invalid secret name \"%s%s\": a name is 1 to %d characters from A-Z, a-z, "
                   "0-9, '.', '_' and '-'", escaped, length > 64 ? "..." : "",
                   FLEET_SECRET_NAME_MAX);
      return FALSE;
    }
  return TRUE;
}

char *
fleet_secret_store_resolve_path (const char *option_path)
{
  const char *from_environment = g_getenv (FLEET_SECRET_STORE_PATH_ENV);

  if (option_path != NULL)
    return g_strdup (option_path);
  if (from_environment != NULL && from_environment[0] != '\0')
    return g_strdup (from_environment);
  return g_build_filename (g_get_user_config_dir (), "fleetc", "secrets", NULL);
}

/* KDF parameters. */

static gboolean
set_parameter_error (GError **error, const char *format, ...) G_GNUC_PRINTF (2, 3);

static gboolean
set_parameter_error (GError **error, const char *format, ...)
{
  va_list args;
  g_autofree char *message = NULL;

  va_start (args, format);
  message = g_strdup_vprintf (format, args);
  va_end (args);
  g_set_error_literal (error, FLEET_SECRET_STORE_ERROR, FLEET_SECRET_STORE_ERROR_PARAMETERS,
                       message);
  return FALSE;
}

gboolean
fleet_secret_kdf_params_validate (const FleetSecretKdfParams *params, GError **error)
{
  guint64 n = params->n;

  if (n < FLEET_SECRET_KDF_MIN_N || n > FLEET_SECRET_KDF_MAX_N || (n & (n - 1)) != 0)
    return set_parameter_error (error, "scrypt N=%" G_GUINT64_FORMAT " is out of bounds: N must "
                                "be a power of two from %u to %" G_GUINT64_FORMAT, n,
                                FLEET_SECRET_KDF_MIN_N, FLEET_SECRET_KDF_MAX_N);
  if (params->r < 1 || params->r > FLEET_SECRET_KDF_MAX_R)
    return set_parameter_error (error, "scrypt r=%u is out of bounds: r must be from 1 to %u",
                                params->r, FLEET_SECRET_KDF_MAX_R);
  if (params->p < 1 || params->p > FLEET_SECRET_KDF_MAX_P)
    return set_parameter_error (error, "scrypt p=%u is out of bounds: p must be from 1 to %u",
                                params->p, FLEET_SECRET_KDF_MAX_P);
  if (128 * n * params->r > FLEET_SECRET_KDF_MAX_MEMORY)
    return set_parameter_error (error, "scrypt N=%" G_GUINT64_FORMAT ", r=%u would need %"
                                G_GUINT64_FORMAT " MiB of memory; at most %" G_GUINT64_FORMAT
                                " MiB is allowed", n, params->r, (128 * n * params->r) >> 20,
                                FLEET_SECRET_KDF_MAX_MEMORY >> 20);
  if (n * params->r * params->p > FLEET_SECRET_KDF_MAX_WORK)
    return set_parameter_error (error, "scrypt N=%" G_GUINT64_FORMAT ", r=%u, p=%u would take "
                                "%" G_GUINT64_FORMAT " times the default work; at most %"
                                G_GUINT64_FORMAT " times is allowed", n, params->r, params->p,
                                n * params->r * params->p / (FLEET_SECRET_KDF_DEFAULT_N
                                                             * FLEET_SECRET_KDF_DEFAULT_R),
                                FLEET_SECRET_KDF_MAX_WORK / (FLEET_SECRET_KDF_DEFAULT_N
                                                             * FLEET_SECRET_KDF_DEFAULT_R));
  return TRUE;
}

gboolean
fleet_secret_kdf_params_for_new_store (FleetSecretKdfParams *params,
                                       gboolean *out_overridden,
                                       GError **error)
{
  const char *test_n = g_getenv (FLEET_SECRET_TEST_KDF_N_ENV);
  FleetSecretKdfParams chosen = {
    FLEET_SECRET_KDF_DEFAULT_N, FLEET_SECRET_KDF_DEFAULT_R, FLEET_SECRET_KDF_DEFAULT_P
  };
  g_autoptr(GError) local_error = NULL;

  if (test_n != NULL
      && !g_ascii_string_to_unsigned (test_n, 10, 1, G_MAXUINT64, &chosen.n, &local_error))
    return set_parameter_error (error, "%s=\"%s\" is not a number: %s",
                                FLEET_SECRET_TEST_KDF_N_ENV, test_n, local_error->message);
  if (test_n != NULL && !fleet_secret_kdf_params_validate (&chosen, &local_error))
    return set_parameter_error (error, "%s: %s", FLEET_SECRET_TEST_KDF_N_ENV,
                                local_error->message);

  *params = chosen;
  if (out_overridden != NULL)
    *out_overridden = test_n != NULL;
  return TRUE;
}

/* Files. */

/* Check the status of a store file: a regular file that only its owner can
 * access.  Its size is checked on the bytes read (read_store_file), because
 * a file can grow after fstat(). */
static gboolean
check_file_status (const char *path, const struct stat *info, GError **error)
{
  if (S_ISLNK (info->st_mode))
    {
      /* A store behind a symbolic link would be replaced by a regular file on
       * the next write, silently cutting the link. */
      g_set_error (error, FLEET_SECRET_STORE_ERROR, FLEET_SECRET_STORE_ERROR_NOT_A_STORE,
                   "secret store %s is a symbolic link; give the path of the file itself",
                   path);
      return FALSE;
    }
  if (!S_ISREG (info->st_mode))
    {
      g_set_error (error, FLEET_SECRET_STORE_ERROR, FLEET_SECRET_STORE_ERROR_NOT_A_STORE,
                   "secret store %s is not a regular file", path);
      return FALSE;
    }
  if ((info->st_mode & 077) != 0)
    {
      g_set_error (error, FLEET_SECRET_STORE_ERROR, FLEET_SECRET_STORE_ERROR_PERMISSIONS,
                   "permissions %04o on secret store %s are too open: other users could copy "
                   "it and guess the master passphrase offline; run `chmod 600 %s`",
                   (unsigned) (info->st_mode & 07777), path, path);
      return FALSE;
    }
  return TRUE;
}

/* Set the error for a store path that lstat() or open() with O_NOFOLLOW
 * failed on with `saved_errno`.  Both fail with ELOOP for a loop of
 * symbolic links on the way to the file, and open() also for a store that
 * is a symbolic link itself. */
static void
set_path_error (const char *path, int saved_errno, GError **error)
{
  if (saved_errno == ENOENT)
    g_set_error (error, FLEET_SECRET_STORE_ERROR, FLEET_SECRET_STORE_ERROR_NOT_FOUND,
                 "secret store %s does not exist; create it with `fleetc secrets init`, "
                 "or name another store with --secrets or FLEETC_SECRETS", path);
  else if (saved_errno == ELOOP)
    g_set_error (error, FLEET_SECRET_STORE_ERROR, FLEET_SECRET_STORE_ERROR_NOT_A_STORE,
                 "secret store %s is a symbolic link, or a loop of symbolic links leads to "
                 "it; give the path of the file itself", path);
  else
    g_set_error (error, FLEET_SECRET_STORE_ERROR, FLEET_SECRET_STORE_ERROR_IO,
                 "cannot read secret store %s: %s", path, g_strerror (saved_errno));
}

gboolean
fleet_secret_store_check_file (const char *path, GError **error)
{
  struct stat info;

  if (lstat (path, &info) != 0)
    {
      set_path_error (path, errno, error);
      return FALSE;
    }
  return check_file_status (path, &info, error);
}

/* Open the store file, check it with check_file_status, and read it whole.
 * The checks apply to the descriptor that is read, not to the path, so a
 * file swapped in after a check is never read.  Reading stops at end of file or
 * one byte past the largest store, whatever size fstat() reported.
 * `info` receives its fstat. */
static GBytes *
read_store_file (const char *path, struct stat *info, GError **error)
{
  g_autoptr(GByteArray) data = g_byte_array_new ();
  guint8 chunk[64 * 1024];
  int status;
  int fd;

  /* O_NONBLOCK keeps the open of a FIFO from waiting for a writer; the
   * status check then rejects it. */
  fd = open (path, O_RDONLY | O_NOFOLLOW | O_CLOEXEC | O_NOCTTY | O_NONBLOCK);
  if (fd < 0)
    {
      set_path_error (path, errno, error);
      return NULL;
    }
  /* fstat fails only for an invalid descriptor or buffer. */
  status = fstat (fd, info);
  g_assert (status == 0);
  if (!check_file_status (path, info, error))
    {
      close (fd);
      return NULL;
    }

  while (data->len <= FLEET_SECRET_FILE_MAX_LENGTH)
    {
      /* A read of a regular file is not interrupted by signals (Linux). */
      gsize wanted = MIN (sizeof chunk, FLEET_SECRET_FILE_MAX_LENGTH + 1 - data->len);
      ssize_t got = read (fd, chunk, wanted);

      if (got < 0)
        {
          g_set_error (error, FLEET_SECRET_STORE_ERROR, FLEET_SECRET_STORE_ERROR_IO,
                       "cannot read secret store %s: %s", path, g_strerror (errno));
          close (fd);
          return NULL;
        }
      if (got == 0)
        break;
      g_byte_array_append (data, chunk, got);
    }
  close (fd);

  if (data->len > FLEET_SECRET_FILE_MAX_LENGTH)
    {
      g_set_error (error, FLEET_SECRET_STORE_ERROR, FLEET_SECRET_STORE_ERROR_NOT_A_STORE,
                   "secret store %s is larger than any store (at most %d bytes)", path,
                   FLEET_SECRET_FILE_MAX_LENGTH);
      return NULL;
    }
  return g_byte_array_free_to_bytes (g_steal_pointer (&data));
}

static gboolean
write_all (int fd, const guint8 *data, gsize length)
{
  while (length > 0)
    {
      /* A write to a regular file is not interrupted by signals (Linux). */
      ssize_t written = write (fd, data, length);

      if (written < 0)
        return FALSE;
      data += written;
      length -= written;
    }
  return TRUE;
}

/* Write `contents` to a new temporary file beside `path`, sync it, and move
 * it to `path`: with rename when `replace`, else with link, which fails when
 * `path` exists.  On failure the temporary file is removed and `path` is
 * unchanged.  `info` receives the new file's fstat. */
static gboolean
write_store_file (const char *path,
                  GBytes *contents,
                  gboolean replace,
                  struct stat *info,
                  GError **error)
{
  g_autofree char *directory = g_path_get_dirname (path);
  g_autofree char *base = g_path_get_basename (path);
  g_autofree char *temporary = g_strdup_printf ("%s/.%s.XXXXXX", directory, base);
  gsize length = 0;
  const guint8 *data = g_bytes_get_data (contents, &length);
  gboolean written;
  gboolean closed;
  int saved_errno;
  int fd;
  int directory_fd;

  fd = g_mkstemp_full (temporary, O_WRONLY | O_CLOEXEC, 0600);
  if (fd < 0)
    {
      g_set_error (error, FLEET_SECRET_STORE_ERROR, FLEET_SECRET_STORE_ERROR_IO,
                   "cannot write secret store %s: cannot create a temporary file in %s: %s",
                   path, directory, g_strerror (errno));
      return FALSE;
    }

  /* close() reports a write error that the file system deferred. */
  written = write_all (fd, data, length) && fsync (fd) == 0 && fstat (fd, info) == 0;
  saved_errno = errno;
  closed = close (fd) == 0;
  if (!written || !closed)
    {
      saved_errno = written ? errno : saved_errno;
      goto failed;
    }

  if (replace ? rename (temporary, path) != 0 : link (temporary, path) != 0)
    {
      saved_errno = errno;
      if (!replace && saved_errno == EEXIST)
        {
          unlink (temporary);
          g_set_error (error, FLEET_SECRET_STORE_ERROR, FLEET_SECRET_STORE_ERROR_EXISTS,
                       "secret store %s already exists; nothing was changed", path);
          return FALSE;
        }
      goto failed;
    }
  if (!replace)
    unlink (temporary);

  /* Make the rename itself durable.  Some file systems cannot sync a
   * directory; the store is already in place, so that is not an error. */
  directory_fd = open (directory, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (directory_fd >= 0)
    {
      (void) fsync (directory_fd);
      close (directory_fd);
    }
  return TRUE;

failed:
  unlink (temporary);
  g_set_error (error, FLEET_SECRET_STORE_ERROR, FLEET_SECRET_STORE_ERROR_IO,
               "cannot write secret store %s: %s; the previous store, if any, is unchanged",
               path, g_strerror (saved_errno));
  return FALSE;
}

/* Encrypt the map under a fresh nonce and write it, replacing the file when
 * `replace`. */
static gboolean
write_store (FleetSecretStore *store, gboolean replace, GError **error)
{
  FleetSecretHeader header = store->header;
  g_autoptr(FleetSecret) plaintext = NULL;
  g_autoptr(GBytes) contents = NULL;
  struct stat info;

  if (RAND_bytes (header.nonce, FLEET_SECRET_NONCE_LENGTH) != 1)
    {
      g_set_error (error, FLEET_SECRET_STORE_ERROR, FLEET_SECRET_STORE_ERROR_IO,
                   "cannot write secret store %s: the random number generator failed",
                   store->path);
      return FALSE;
    }

  plaintext = fleet_secret_map_serialize (store->entries);
  contents = fleet_secret_seal (store->key, &header, plaintext);

  if (!write_store_file (store->path, contents, replace, &info, error))
    return FALSE;

  store->header = header;
  store->file_device = info.st_dev;
  store->file_inode = info.st_ino;
  return TRUE;
}

/* Store. */

static FleetSecretStore *
store_new (const char *path)
{
  FleetSecretStore *store = g_new0 (FleetSecretStore, 1);

  store->path = g_strdup (path);
  store->entries = g_ptr_array_new_with_free_func ((GDestroyNotify) fleet_secret_entry_free);
  return store;
}

FleetSecretStore *
fleet_secret_store_create (const char *path,
                           const FleetSecret *master,
                           const FleetSecretKdfParams *params,
                           GError **error)
{
  g_autoptr(FleetSecretStore) store = store_new (path);
  g_autofree char *directory = g_path_get_dirname (path);

  if (master->length == 0)
    {
      g_set_error (error, FLEET_SECRET_STORE_ERROR, FLEET_SECRET_STORE_ERROR_INVALID_VALUE,
                   "cannot create secret store %s: the master passphrase is empty", path);
      return NULL;
    }

  /* An existing store is found by link() in write_store_file(), which fails
   * when the path exists: a check of the path here could not exclude a
   * store that appears meanwhile. */
  store->header.version = FLEET_SECRET_FILE_VERSION;
  store->header.kdf = FLEET_SECRET_KDF_SCRYPT;
  if (params != NULL && !fleet_secret_kdf_params_validate (params, error))
    return NULL;
  if (params != NULL)
    store->header.kdf_params = *params;
  else if (!fleet_secret_kdf_params_for_new_store (&store->header.kdf_params, NULL, error))
    return NULL;

  if (RAND_bytes (store->header.salt, FLEET_SECRET_SALT_LENGTH) != 1)
    {
      g_set_error (error, FLEET_SECRET_STORE_ERROR, FLEET_SECRET_STORE_ERROR_IO,
                   "cannot create secret store %s: the random number generator failed", path);
      return NULL;
    }

  if (g_mkdir_with_parents (directory, 0700) != 0)
    {
      g_set_error (error, FLEET_SECRET_STORE_ERROR, FLEET_SECRET_STORE_ERROR_IO,
                   "cannot create directory %s for the secret store: %s", directory,
                   g_strerror (errno));
      return NULL;
    }

  store->key = fleet_secret_derive_key (master, &store->header, error);
  if (store->key == NULL)
    return NULL;

  if (!write_store (store, FALSE, error))
    return NULL;
  return g_steal_pointer (&store);
}

FleetSecretStore *
fleet_secret_store_open (const char *path, const FleetSecret *master, GError **error)
{
  g_autoptr(FleetSecretStore) store = store_new (path);
  g_autoptr(GBytes) contents = NULL;
  g_autoptr(FleetSecret) plaintext = NULL;
  GPtrArray *entries;
  gsize length = 0;
  const guint8 *data;
  struct stat info;

  contents = read_store_file (path, &info, error);
  if (contents == NULL)
    return NULL;
  data = g_bytes_get_data (contents, &length);

  if (!fleet_secret_header_decode (data, length, &store->header, error))
    {
      g_prefix_error (error, "secret store %s: ", path);
      return NULL;
    }

  store->key = fleet_secret_derive_key (master, &store->header, error);
  if (store->key == NULL)
    {
      g_prefix_error (error, "secret store %s: ", path);
      return NULL;
    }

  plaintext = fleet_secret_unseal (store->key, data, length, error);
  if (plaintext == NULL)
    {
      g_prefix_error (error, "secret store %s: ", path);
      return NULL;
    }

  entries = fleet_secret_map_parse (plaintext, error);
  if (entries == NULL)
    {
      g_prefix_error (error, "secret store %s: ", path);
      return NULL;
    }
  g_ptr_array_unref (store->entries);
  store->entries = entries;

  store->file_device = info.st_dev;
  store->file_inode = info.st_ino;
  return g_steal_pointer (&store);
}

/* Find `name` by binary search.  Returns whether it is present; `out_index`
 * receives its index, or where it would be inserted. */
static gboolean
find_entry (FleetSecretStore *store, const char *name, guint *out_index)
{
  guint low = 0;
  guint high = store->entries->len;

  while (low < high)
    {
      guint middle = low + (high - low) / 2;
      const FleetSecretEntry *entry = g_ptr_array_index (store->entries, middle);
      int order = strcmp (entry->name, name);

      if (order == 0)
        {
          *out_index = middle;
          return TRUE;
        }
      if (order < 0)
        low = middle + 1;
      else
        high = middle;
    }

  *out_index = low;
  return FALSE;
}

static gboolean
set_no_such_secret_error (FleetSecretStore *store, const char *name, GError **error)
{
  g_set_error (error, FLEET_SECRET_STORE_ERROR, FLEET_SECRET_STORE_ERROR_NO_SUCH_SECRET,
               "no secret named \"%s\" in %s; `fleetc secrets list` shows the names", name,
               store->path);
  return FALSE;
}

FleetSecret *
fleet_secret_store_lookup (FleetSecretStore *store, const char *name, GError **error)
{
  guint index = 0;

  if (!fleet_secret_name_validate (name, error))
    return NULL;
  if (!find_entry (store, name, &index))
    {
      set_no_such_secret_error (store, name, error);
      return NULL;
    }

  return fleet_secret_copy (((FleetSecretEntry *) g_ptr_array_index (store->entries,
                                                                     index))->value);
}

/* Return the plaintext length of the map with entry `name` holding a value of
 * `value_length` bytes, before padding. */
static gsize
map_length_with (FleetSecretStore *store, const char *name, gsize value_length)
{
  gsize length = 4 + 1 + strlen (name) + 4 + value_length;

  for (guint i = 0; i < store->entries->len; i++)
    {
      const FleetSecretEntry *entry = g_ptr_array_index (store->entries, i);

      if (strcmp (entry->name, name) != 0)
        length += 1 + strlen (entry->name) + 4 + entry->value->length;
    }
  return length;
}

gboolean
fleet_secret_store_set (FleetSecretStore *store,
                        const char *name,
                        const FleetSecret *value,
                        GError **error)
{
  guint index = 0;

  if (!fleet_secret_name_validate (name, error))
    return FALSE;
  if (value->length == 0 || value->length > FLEET_SECRET_VALUE_MAX)
    {
      g_set_error (error, FLEET_SECRET_STORE_ERROR, FLEET_SECRET_STORE_ERROR_INVALID_VALUE,
                   "the value for secret \"%s\" is %" G_GSIZE_FORMAT " bytes; a value is 1 to "
                   "%u bytes", name, value->length, FLEET_SECRET_VALUE_MAX);
      return FALSE;
    }
  if (map_length_with (store, name, value->length) > FLEET_SECRET_STORE_MAX_PLAINTEXT
                                                     - FLEET_SECRET_PADDING)
    {
      g_set_error (error, FLEET_SECRET_STORE_ERROR, FLEET_SECRET_STORE_ERROR_INVALID_VALUE,
                   "cannot add secret \"%s\": the store would exceed %u MiB", name,
                   FLEET_SECRET_STORE_MAX_PLAINTEXT >> 20);
      return FALSE;
    }

  if (find_entry (store, name, &index))
    {
      FleetSecretEntry *entry = g_ptr_array_index (store->entries, index);

      fleet_secret_free (entry->value);
      entry->value = fleet_secret_copy (value);
    }
  else
    g_ptr_array_insert (store->entries, index, fleet_secret_entry_new (name, value));
  return TRUE;
}

gboolean
fleet_secret_store_remove (FleetSecretStore *store, const char *name, GError **error)
{
  guint index = 0;

  if (!fleet_secret_name_validate (name, error))
    return FALSE;
  if (!find_entry (store, name, &index))
    return set_no_such_secret_error (store, name, error);

  g_ptr_array_remove_index (store->entries, index);
  return TRUE;
}

char **
fleet_secret_store_list_names (FleetSecretStore *store)
{
  char **names = g_new0 (char *, store->entries->len + 1);

  for (guint i = 0; i < store->entries->len; i++)
    names[i] = g_strdup (((FleetSecretEntry *) g_ptr_array_index (store->entries, i))->name);
  return names;
}

void
fleet_secret_store_get_kdf_params (FleetSecretStore *store, FleetSecretKdfParams *params)
{
  *params = store->header.kdf_params;
}

const char *
fleet_secret_store_get_path (FleetSecretStore *store)
{
  return store->path;
}

gboolean
fleet_secret_store_save (FleetSecretStore *store, GError **error)
{
  struct stat info;

  if (lstat (store->path, &info) != 0 || info.st_dev != store->file_device
      || info.st_ino != store->file_inode)
    {
      g_set_error (error, FLEET_SECRET_STORE_ERROR, FLEET_SECRET_STORE_ERROR_IO,
                   "secret store %s was replaced or removed since it was read, probably by "
                   "another fleetc command; nothing was written: run the command again",
                   store->path);
      return FALSE;
    }

  return write_store (store, TRUE, error);
}

void
fleet_secret_store_free (FleetSecretStore *store)
{
  if (store == NULL)
    return;

  fleet_secret_free (store->key);
  g_ptr_array_unref (store->entries);
  OPENSSL_cleanse (&store->header, sizeof store->header);
  g_free (store->path);
  g_free (store);
}
