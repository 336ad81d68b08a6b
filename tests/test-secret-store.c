/* test-secret-store.c: the encrypted secret store, its file format, and the
 * sources of the master passphrase. */
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stddef.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/syscall.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <termios.h>
#include <unistd.h>

#include <glib.h>
#include <glib/gstdio.h>
#include <linux/filter.h>
#include <linux/seccomp.h>

#include "schema/fleet-oom.h"
#include "schema/fleet-secret-file-private.h"
#include "schema/fleet-secret-key.h"
#include "schema/fleet-secret-key-private.h"
#include "schema/fleet-secret-store.h"
#include "tests/test-helpers.h"

/* Cheap scrypt parameters so that tests which open hundreds of stores stay
 * fast; one test checks the real defaults. */
static const FleetSecretKdfParams fast_params = { FLEET_SECRET_KDF_MIN_N, 8, 1 };

typedef struct {
  char *dir;
  char *path;              /* dir/secrets, not created */
  FleetSecret *master;
} Fixture;

static FleetSecret *
secret_from_string (const char *text)
{
  return fleet_secret_new_from_data (text, strlen (text));
}

static void
fixture_set_up (Fixture *fixture, gconstpointer data)
{
  fixture->dir = fleet_test_make_dir ("fleet-secrets-XXXXXX");
  fixture->path = g_build_filename (fixture->dir, "secrets", NULL);
  fixture->master = secret_from_string ("correct horse battery staple");

  g_unsetenv (FLEET_SECRET_TEST_KDF_N_ENV);
  g_unsetenv (FLEET_SECRET_STORE_PATH_ENV);
  g_unsetenv (FLEET_SECRET_KEY_FILE_ENV);
  g_unsetenv (FLEET_SECRET_PASSPHRASE_ENV);
}

static void
fixture_tear_down (Fixture *fixture, gconstpointer data)
{
  fleet_test_remove_tree (fixture->dir);
  g_free (fixture->dir);
  g_free (fixture->path);
  fleet_secret_free (fixture->master);
}

/* Create the fixture's store with two secrets, one of them binary. */
static void
create_sample_store (Fixture *fixture)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(FleetSecretStore) store = NULL;
  g_autoptr(FleetSecret) sudo = secret_from_string ("sudo password");
  g_autoptr(FleetSecret) binary = fleet_secret_new_from_data ("a\0b\n", 4);

  store = fleet_secret_store_create (fixture->path, fixture->master, &fast_params, &error);
  g_assert_no_error (error);
  g_assert_true (fleet_secret_store_set (store, "web-sudo", sudo, &error));
  g_assert_true (fleet_secret_store_set (store, "deploy.key", binary, &error));
  g_assert_true (fleet_secret_store_save (store, &error));
  g_assert_no_error (error);
}

/* Write a new file without syncing, because tests write hundreds of them.
 * Removing the old file first avoids ext4's flush on close of a truncated
 * file (auto_da_alloc). */
static void
write_file (const char *path, const void *data, gsize length, int mode)
{
  int fd;

  g_remove (path);
  fd = open (path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, mode);

  g_assert_cmpint (fd, >=, 0);
  g_assert_cmpint (write (fd, data, length), ==, (gssize) length);
  g_assert_cmpint (close (fd), ==, 0);
  g_assert_cmpint (g_chmod (path, mode), ==, 0);
}

/* Open the fixture's store and check that it fails with `code`, with
 * `fragment` in the message. */
static void
assert_open_fails (Fixture *fixture, const FleetSecret *master, int code, const char *fragment)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(FleetSecretStore) store = fleet_secret_store_open (fixture->path, master, &error);

  g_assert_null (store);
  g_assert_error (error, FLEET_SECRET_STORE_ERROR, code);
  if (fragment != NULL && strstr (error->message, fragment) == NULL)
    g_error ("message \"%s\" lacks \"%s\"", error->message, fragment);
}

static void
assert_secret_equals (const FleetSecret *secret, const void *data, gsize length)
{
  g_assert_nonnull (secret);
  g_assert_cmpmem (secret->data, secret->length, data, length);
  g_assert_cmpint (secret->data[secret->length], ==, '\0');
}

/* FleetSecret. */

static void
test_secret_nul_terminated (void)
{
  g_autoptr(FleetSecret) secret = fleet_secret_new_from_data ("abc\0def", 7);
  g_autoptr(FleetSecret) copy = fleet_secret_copy (secret);
  g_autoptr(FleetSecret) other = fleet_secret_new_from_data ("abc\0deg", 7);

  assert_secret_equals (secret, "abc\0def", 7);
  assert_secret_equals (copy, "abc\0def", 7);
  g_assert_true (fleet_secret_equal (secret, copy));
  g_assert_false (fleet_secret_equal (secret, other));

  fleet_secret_set_length (secret, 2);
  assert_secret_equals (secret, "ab", 2);
  /* The dropped bytes are wiped, not just hidden behind the new length. */
  for (gsize i = 2; i < 7; i++)
    g_assert_cmpint (secret->data[i], ==, 0);
  g_assert_false (fleet_secret_equal (secret, copy));
}

/* Store round trip. */

static void
test_round_trip (Fixture *fixture, gconstpointer data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(FleetSecretStore) store = NULL;
  g_autoptr(FleetSecret) value = NULL;
  g_autoptr(FleetSecret) longest = fleet_secret_new (FLEET_SECRET_VALUE_MAX);
  g_auto(GStrv) names = NULL;
  FleetSecretKdfParams params;

  memset (longest->data, 'x', longest->length);
  create_sample_store (fixture);

  store = fleet_secret_store_open (fixture->path, fixture->master, &error);
  g_assert_no_error (error);
  names = fleet_secret_store_list_names (store);
  g_assert_cmpuint (g_strv_length (names), ==, 2);
  g_assert_cmpstr (names[0], ==, "deploy.key");
  g_assert_cmpstr (names[1], ==, "web-sudo");
  value = fleet_secret_store_lookup (store, "web-sudo", &error);
  g_assert_no_error (error);
  assert_secret_equals (value, "sudo password", 13);
  g_clear_pointer (&value, fleet_secret_free);
  value = fleet_secret_store_lookup (store, "deploy.key", &error);
  assert_secret_equals (value, "a\0b\n", 4);
  g_clear_pointer (&value, fleet_secret_free);
  fleet_secret_store_get_kdf_params (store, &params);
  g_assert_cmpuint (params.n, ==, fast_params.n);
  g_assert_cmpuint (params.r, ==, fast_params.r);
  g_assert_cmpuint (params.p, ==, fast_params.p);

  /* Replace one value, add the longest allowed one, remove another. */
  value = secret_from_string ("new");
  g_assert_true (fleet_secret_store_set (store, "web-sudo", value, &error));
  g_assert_true (fleet_secret_store_set (store, "a-long-one", longest, &error));
  g_assert_true (fleet_secret_store_remove (store, "deploy.key", &error));
  g_assert_true (fleet_secret_store_save (store, &error));
  g_assert_no_error (error);
  g_clear_pointer (&store, fleet_secret_store_free);
  g_clear_pointer (&value, fleet_secret_free);
  g_clear_pointer (&names, g_strfreev);

  store = fleet_secret_store_open (fixture->path, fixture->master, &error);
  g_assert_no_error (error);
  names = fleet_secret_store_list_names (store);
  g_assert_cmpuint (g_strv_length (names), ==, 2);
  g_assert_cmpstr (names[0], ==, "a-long-one");
  g_assert_cmpstr (names[1], ==, "web-sudo");
  value = fleet_secret_store_lookup (store, "web-sudo", &error);
  assert_secret_equals (value, "new", 3);
  g_clear_pointer (&value, fleet_secret_free);
  value = fleet_secret_store_lookup (store, "a-long-one", &error);
  assert_secret_equals (value, longest->data, longest->length);
}

static void
test_empty_store_round_trip (Fixture *fixture, gconstpointer data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(FleetSecretStore) created = NULL;
  g_autoptr(FleetSecretStore) opened = NULL;
  g_auto(GStrv) names = NULL;
  g_autoptr(GBytes) bytes = NULL;

  created = fleet_secret_store_create (fixture->path, fixture->master, &fast_params, &error);
  g_assert_no_error (error);
  opened = fleet_secret_store_open (fixture->path, fixture->master, &error);
  g_assert_no_error (error);
  names = fleet_secret_store_list_names (opened);
  g_assert_cmpuint (g_strv_length (names), ==, 0);

  bytes = fleet_test_read_bytes (fixture->path);
  g_assert_cmpuint (g_bytes_get_size (bytes), ==, FLEET_SECRET_FILE_MIN_LENGTH);
}

/* Plaintext names and values appear nowhere in the file. */
static void
test_file_hides_names_and_values (Fixture *fixture, gconstpointer data)
{
  g_autoptr(GBytes) bytes = NULL;
  gsize size = 0;
  const char *contents;

  create_sample_store (fixture);
  bytes = fleet_test_read_bytes (fixture->path);
  contents = g_bytes_get_data (bytes, &size);

  g_assert_null (memmem (contents, size, "sudo password", 13));
  g_assert_null (memmem (contents, size, "web-sudo", 8));
  g_assert_null (memmem (contents, size, "deploy.key", 10));
  g_assert_cmpmem (contents, 8, "FLEETSEC", 8);
}

static void
test_wrong_passphrase (Fixture *fixture, gconstpointer data)
{
  g_autoptr(FleetSecret) wrong = secret_from_string ("correct horse battery stapler");

  create_sample_store (fixture);
  assert_open_fails (fixture, wrong, FLEET_SECRET_STORE_ERROR_WRONG_KEY_OR_TAMPERED,
                     "the master passphrase is wrong, or the file was damaged or tampered with");
}

/* Tampering. */

static void
test_every_flipped_byte_rejected (Fixture *fixture, gconstpointer data)
{
  g_autoptr(GBytes) bytes = NULL;
  gsize size = 0;
  const guint8 *original;
  const guint8 masks[] = { 0x01, 0x80, 0xff };

  create_sample_store (fixture);
  bytes = fleet_test_read_bytes (fixture->path);
  original = g_bytes_get_data (bytes, &size);
  g_assert_cmpuint (size, ==, FLEET_SECRET_FILE_MIN_LENGTH);

  for (gsize at = 0; at < size; at++)
    for (guint m = 0; m < G_N_ELEMENTS (masks); m++)
      {
        g_autofree guint8 *copy = g_memdup2 (original, size);
        g_autoptr(GError) error = NULL;
        g_autoptr(FleetSecretStore) store = NULL;

        copy[at] ^= masks[m];
        write_file (fixture->path, copy, size, 0600);
        store = fleet_secret_store_open (fixture->path, fixture->master, &error);
        if (store != NULL)
          g_error ("store opened with byte %" G_GSIZE_FORMAT " xor 0x%02x", at, masks[m]);
        g_assert_true (error->domain == FLEET_SECRET_STORE_ERROR);
        g_assert_true (error->code == FLEET_SECRET_STORE_ERROR_NOT_A_STORE
                       || error->code == FLEET_SECRET_STORE_ERROR_VERSION
                       || error->code == FLEET_SECRET_STORE_ERROR_PARAMETERS
                       || error->code == FLEET_SECRET_STORE_ERROR_WRONG_KEY_OR_TAMPERED);
        /* Past the magic and the version the header is only authenticated,
         * so a change there, too, must fail authentication or the bounds. */
        if (at >= 16 && at < FLEET_SECRET_HEADER_LENGTH)
          g_assert_true (error->code == FLEET_SECRET_STORE_ERROR_PARAMETERS
                         || error->code == FLEET_SECRET_STORE_ERROR_WRONG_KEY_OR_TAMPERED);
      }
}

static void
test_truncated_and_extended_rejected (Fixture *fixture, gconstpointer data)
{
  g_autoptr(GBytes) bytes = NULL;
  gsize size = 0;
  const guint8 *original;
  g_autofree guint8 *extended = NULL;

  create_sample_store (fixture);
  bytes = fleet_test_read_bytes (fixture->path);
  original = g_bytes_get_data (bytes, &size);

  for (gsize cut = 0; cut < size; cut++)
    {
      g_autoptr(GError) error = NULL;
      g_autoptr(FleetSecretStore) store = NULL;

      write_file (fixture->path, original, cut, 0600);
      store = fleet_secret_store_open (fixture->path, fixture->master, &error);
      g_assert_null (store);
      g_assert_true (error->domain == FLEET_SECRET_STORE_ERROR);
      if (cut >= 12)
        g_assert_cmpint (error->code, ==, FLEET_SECRET_STORE_ERROR_NOT_A_STORE);
    }

  /* One more padding block keeps the size valid, so only the tag can tell. */
  extended = g_malloc0 (size + FLEET_SECRET_PADDING);
  memcpy (extended, original, size);
  write_file (fixture->path, extended, size + FLEET_SECRET_PADDING, 0600);
  assert_open_fails (fixture, fixture->master, FLEET_SECRET_STORE_ERROR_WRONG_KEY_OR_TAMPERED,
                     NULL);

  write_file (fixture->path, extended, size + 1, 0600);
  assert_open_fails (fixture, fixture->master, FLEET_SECRET_STORE_ERROR_NOT_A_STORE,
                     "truncated or damaged");
}

/* Overwrite the big-endian 32-bit field at `offset` of the store file. */
static void
rewrite_u32 (Fixture *fixture, gsize offset, guint32 value)
{
  g_autoptr(GBytes) bytes = fleet_test_read_bytes (fixture->path);
  gsize size = g_bytes_get_size (bytes);
  g_autofree guint8 *copy = g_memdup2 (g_bytes_get_data (bytes, NULL), size);
  guint32 big_endian = GUINT32_TO_BE (value);

  memcpy (copy + offset, &big_endian, 4);
  write_file (fixture->path, copy, size, 0600);
}

/* Overwrite the scrypt fields of the fixture's store file. */
static void
rewrite_kdf_params (Fixture *fixture, guint64 n, guint32 r, guint32 p)
{
  rewrite_u32 (fixture, 16, (guint32) (n >> 32));
  rewrite_u32 (fixture, 20, (guint32) n);
  rewrite_u32 (fixture, 24, r);
  rewrite_u32 (fixture, 28, p);
}

/* Absurd parameters are rejected by the bounds check, which runs before any
 * key derivation: PARAMETERS is never raised after one. */
static void
test_absurd_kdf_params_rejected (Fixture *fixture, gconstpointer data)
{
  const struct {
    guint64 n;
    guint32 r;
    guint32 p;
    const char *fragment;
  } cases[] = {
    { G_GUINT64_CONSTANT (1) << 40, 8, 1, "N=1099511627776 is out of bounds" },
    { G_MAXUINT64, 8, 1, "N=18446744073709551615 is out of bounds" },
    { 0, 8, 1, "N=0 is out of bounds" },
    { 1000, 8, 1, "N=1000 is out of bounds" },
    { 8, 8, 1, "N=8 is out of bounds" },
    { 1024, 0, 1, "r=0 is out of bounds" },
    { 1024, G_MAXUINT32, 1, "r=4294967295 is out of bounds" },
    { 1024, 8, 0, "p=0 is out of bounds" },
    { 1024, 8, 1u << 30, "p=1073741824 is out of bounds" },
    { G_GUINT64_CONSTANT (1) << 22, 8, 1, "would need 4096 MiB of memory" },
    { G_GUINT64_CONSTANT (1) << 18, 8, 16, "would take 32 times the default work" },
  };

  create_sample_store (fixture);
  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      rewrite_kdf_params (fixture, cases[i].n, cases[i].r, cases[i].p);
      assert_open_fails (fixture, fixture->master, FLEET_SECRET_STORE_ERROR_PARAMETERS,
                         cases[i].fragment);
    }

  /* Parameters inside the bounds but changed fail authentication. */
  rewrite_kdf_params (fixture, fast_params.n * 2, fast_params.r, fast_params.p);
  assert_open_fails (fixture, fixture->master, FLEET_SECRET_STORE_ERROR_WRONG_KEY_OR_TAMPERED,
                     NULL);
}

static void
test_not_a_store (Fixture *fixture, gconstpointer data)
{
  write_file (fixture->path, "plain text\n", 11, 0600);
  assert_open_fails (fixture, fixture->master, FLEET_SECRET_STORE_ERROR_NOT_A_STORE,
                     "does not start with \"FLEETSEC\"");
  g_assert_cmpint (g_remove (fixture->path), ==, 0);

  create_sample_store (fixture);
  rewrite_u32 (fixture, 8, 2);
  assert_open_fails (fixture, fixture->master, FLEET_SECRET_STORE_ERROR_VERSION,
                     "format version 2 is not supported");
  rewrite_u32 (fixture, 8, FLEET_SECRET_FILE_VERSION);
  rewrite_u32 (fixture, 12, 7);
  assert_open_fails (fixture, fixture->master, FLEET_SECRET_STORE_ERROR_VERSION,
                     "key derivation function 7 is not supported");
}

static void
test_missing_store (Fixture *fixture, gconstpointer data)
{
  g_autoptr(GError) error = NULL;

  assert_open_fails (fixture, fixture->master, FLEET_SECRET_STORE_ERROR_NOT_FOUND,
                     "create it with `fleetc secrets init`");
  g_assert_false (fleet_secret_store_check_file (fixture->path, &error));
  g_assert_error (error, FLEET_SECRET_STORE_ERROR, FLEET_SECRET_STORE_ERROR_NOT_FOUND);
  g_assert_nonnull (strstr (error->message, fixture->path));
}

/* Files and permissions. */

static void
test_permissions_rejected (Fixture *fixture, gconstpointer data)
{
  const int too_open[] = { 0640, 0604, 0620, 0602, 0610, 0644, 0666 };
  g_autofree char *expected = NULL;

  create_sample_store (fixture);
  expected = g_strdup_printf ("run `chmod 600 %s`", fixture->path);

  for (guint i = 0; i < G_N_ELEMENTS (too_open); i++)
    {
      g_autoptr(GError) error = NULL;

      g_assert_cmpint (g_chmod (fixture->path, too_open[i]), ==, 0);
      assert_open_fails (fixture, fixture->master, FLEET_SECRET_STORE_ERROR_PERMISSIONS,
                         expected);
      g_assert_false (fleet_secret_store_check_file (fixture->path, &error));
      g_assert_error (error, FLEET_SECRET_STORE_ERROR, FLEET_SECRET_STORE_ERROR_PERMISSIONS);
    }

  g_assert_cmpint (g_chmod (fixture->path, 0400), ==, 0);
  {
    g_autoptr(GError) error = NULL;
    g_autoptr(FleetSecretStore) store = fleet_secret_store_open (fixture->path, fixture->master,
                                                                 &error);

    g_assert_no_error (error);
  }
}

static void
test_not_a_regular_file (Fixture *fixture, gconstpointer data)
{
  g_autofree char *real = g_build_filename (fixture->dir, "real", NULL);
  g_autofree char *loop = g_build_filename (fixture->dir, "loop", NULL);
  g_autofree char *through_loop = g_build_filename (loop, "secrets", NULL);
  g_autoptr(GError) error = NULL;

  g_assert_cmpint (g_mkdir (fixture->path, 0700), ==, 0);
  assert_open_fails (fixture, fixture->master, FLEET_SECRET_STORE_ERROR_NOT_A_STORE,
                     "is not a regular file");
  g_assert_cmpint (g_rmdir (fixture->path), ==, 0);

  g_assert_cmpint (mkfifo (fixture->path, 0600), ==, 0);
  assert_open_fails (fixture, fixture->master, FLEET_SECRET_STORE_ERROR_NOT_A_STORE,
                     "is not a regular file");
  g_assert_cmpint (g_remove (fixture->path), ==, 0);

  /* A symbolic link to a valid store is rejected: the next write would
   * replace the link with a file. */
  create_sample_store (fixture);
  g_assert_cmpint (g_rename (fixture->path, real), ==, 0);
  g_assert_cmpint (symlink (real, fixture->path), ==, 0);
  assert_open_fails (fixture, fixture->master, FLEET_SECRET_STORE_ERROR_NOT_A_STORE,
                     "is a symbolic link");
  g_assert_false (fleet_secret_store_check_file (fixture->path, &error));
  g_assert_error (error, FLEET_SECRET_STORE_ERROR, FLEET_SECRET_STORE_ERROR_NOT_A_STORE);
  g_assert_nonnull (strstr (error->message, "is a symbolic link; give the path of the file"));
  g_clear_error (&error);

  /* A directory that leads back to itself is rejected the same way. */
  g_assert_cmpint (symlink ("loop", loop), ==, 0);
  g_assert_false (fleet_secret_store_check_file (through_loop, &error));
  g_assert_error (error, FLEET_SECRET_STORE_ERROR, FLEET_SECRET_STORE_ERROR_NOT_A_STORE);
  g_assert_nonnull (strstr (error->message, "a loop of symbolic links leads to it"));
}

static void
test_created_modes (Fixture *fixture, gconstpointer data)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *parent = g_build_filename (fixture->dir, "config", NULL);
  g_autofree char *directory = g_build_filename (parent, "fleetc", NULL);
  g_autofree char *path = g_build_filename (directory, "secrets", NULL);
  g_autoptr(FleetSecretStore) store = NULL;
  g_autoptr(GDir) listing = NULL;
  struct stat info;
  mode_t saved_umask = umask (0);

  store = fleet_secret_store_create (path, fixture->master, &fast_params, &error);
  umask (saved_umask);
  g_assert_no_error (error);

  g_assert_cmpint (stat (parent, &info), ==, 0);
  g_assert_cmpint (info.st_mode & 07777, ==, 0700);
  g_assert_cmpint (stat (directory, &info), ==, 0);
  g_assert_cmpint (info.st_mode & 07777, ==, 0700);
  g_assert_cmpint (lstat (path, &info), ==, 0);
  g_assert_true (S_ISREG (info.st_mode));
  g_assert_cmpint (info.st_mode & 07777, ==, 0600);

  /* No temporary file is left beside the store. */
  listing = g_dir_open (directory, 0, &error);
  g_assert_no_error (error);
  g_assert_cmpstr (g_dir_read_name (listing), ==, "secrets");
  g_assert_null (g_dir_read_name (listing));
}

static void
test_create_over_existing_rejected (Fixture *fixture, gconstpointer data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(FleetSecretStore) store = NULL;
  g_autoptr(GBytes) before = NULL;
  g_autoptr(GBytes) after = NULL;

  create_sample_store (fixture);
  before = fleet_test_read_bytes (fixture->path);
  store = fleet_secret_store_create (fixture->path, fixture->master, &fast_params, &error);
  g_assert_null (store);
  g_assert_error (error, FLEET_SECRET_STORE_ERROR, FLEET_SECRET_STORE_ERROR_EXISTS);
  after = fleet_test_read_bytes (fixture->path);
  g_assert_true (g_bytes_equal (before, after));
}

static void
test_empty_master_rejected (Fixture *fixture, gconstpointer data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(FleetSecret) empty = fleet_secret_new (0);
  g_autoptr(FleetSecretStore) store = fleet_secret_store_create (fixture->path, empty,
                                                                 &fast_params, &error);

  g_assert_null (store);
  g_assert_error (error, FLEET_SECRET_STORE_ERROR, FLEET_SECRET_STORE_ERROR_INVALID_VALUE);
  g_assert_false (g_file_test (fixture->path, G_FILE_TEST_EXISTS));
}

/* Every write draws a new nonce; the salt stays. */
static void
test_fresh_nonce_per_write (Fixture *fixture, gconstpointer data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(FleetSecretStore) store = NULL;
  g_autoptr(GBytes) first = NULL;
  g_autoptr(GBytes) second = NULL;
  const guint8 *a;
  const guint8 *b;

  create_sample_store (fixture);
  first = fleet_test_read_bytes (fixture->path);
  store = fleet_secret_store_open (fixture->path, fixture->master, &error);
  g_assert_no_error (error);
  g_assert_true (fleet_secret_store_save (store, &error));
  second = fleet_test_read_bytes (fixture->path);

  a = g_bytes_get_data (first, NULL);
  b = g_bytes_get_data (second, NULL);
  g_assert_cmpuint (g_bytes_get_size (first), ==, g_bytes_get_size (second));
  g_assert_cmpmem (a + 32, FLEET_SECRET_SALT_LENGTH, b + 32, FLEET_SECRET_SALT_LENGTH);
  g_assert_true (memcmp (a + 48, b + 48, FLEET_SECRET_NONCE_LENGTH) != 0);
  g_assert_true (memcmp (a + FLEET_SECRET_HEADER_LENGTH, b + FLEET_SECRET_HEADER_LENGTH,
                         FLEET_SECRET_PADDING) != 0);
}

/* Change the fixture's store in memory and return it, open. */
static FleetSecretStore *
open_and_change (Fixture *fixture)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(FleetSecret) value = secret_from_string ("changed");
  FleetSecretStore *store = fleet_secret_store_open (fixture->path, fixture->master, &error);

  g_assert_no_error (error);
  g_assert_true (fleet_secret_store_set (store, "web-sudo", value, &error));
  g_assert_true (fleet_secret_store_remove (store, "deploy.key", &error));
  return store;
}

/* The old store survives a write that fails because the directory is read
 * only.  Root ignores directory permissions, so this needs another user. */
static void
test_failed_write_read_only_dir (Fixture *fixture, gconstpointer data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(FleetSecretStore) store = NULL;
  g_autoptr(GBytes) before = NULL;
  g_autoptr(GBytes) after = NULL;

  if (geteuid () == 0)
    {
      g_test_skip ("root can write into a read-only directory; the file size limit test "
                   "covers a failed write instead");
      return;
    }

  create_sample_store (fixture);
  before = fleet_test_read_bytes (fixture->path);
  store = open_and_change (fixture);

  g_assert_cmpint (g_chmod (fixture->dir, 0500), ==, 0);
  g_assert_false (fleet_secret_store_save (store, &error));
  g_assert_cmpint (g_chmod (fixture->dir, 0700), ==, 0);

  g_assert_error (error, FLEET_SECRET_STORE_ERROR, FLEET_SECRET_STORE_ERROR_IO);
  g_assert_nonnull (strstr (error->message, "the previous store, if any, is unchanged"));
  after = fleet_test_read_bytes (fixture->path);
  g_assert_true (g_bytes_equal (before, after));
}

/* The old store survives a write that fails halfway: a file size limit
 * (RLIMIT_FSIZE, which binds root too) makes write() fail with EFBIG. */
static void
test_failed_write_size_limit (Fixture *fixture, gconstpointer data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(FleetSecretStore) store = NULL;
  g_autoptr(FleetSecretStore) reopened = NULL;
  g_autoptr(FleetSecret) value = NULL;
  g_autoptr(GBytes) before = NULL;
  g_autoptr(GBytes) after = NULL;
  g_autoptr(GDir) listing = NULL;
  struct rlimit saved_limit;
  struct rlimit low_limit;
  void (*saved_handler) (int);
  gboolean saved;

  create_sample_store (fixture);
  before = fleet_test_read_bytes (fixture->path);
  store = open_and_change (fixture);

  /* Nothing may be written to a file while the limit is low: the test
   * prints no output between these two points. */
  g_assert_cmpint (getrlimit (RLIMIT_FSIZE, &saved_limit), ==, 0);
  low_limit = saved_limit;
  low_limit.rlim_cur = 100;
  saved_handler = signal (SIGXFSZ, SIG_IGN);
  g_assert_cmpint (setrlimit (RLIMIT_FSIZE, &low_limit), ==, 0);
  saved = fleet_secret_store_save (store, &error);
  g_assert_cmpint (setrlimit (RLIMIT_FSIZE, &saved_limit), ==, 0);
  signal (SIGXFSZ, saved_handler);

  g_assert_false (saved);
  g_assert_error (error, FLEET_SECRET_STORE_ERROR, FLEET_SECRET_STORE_ERROR_IO);
  g_assert_nonnull (strstr (error->message, g_strerror (EFBIG)));
  after = fleet_test_read_bytes (fixture->path);
  g_assert_true (g_bytes_equal (before, after));

  listing = g_dir_open (fixture->dir, 0, NULL);
  g_assert_nonnull (listing);
  g_assert_cmpstr (g_dir_read_name (listing), ==, "secrets");
  g_assert_null (g_dir_read_name (listing));

  /* The same store object can still be saved once the limit is gone. */
  g_clear_error (&error);
  g_assert_true (fleet_secret_store_save (store, &error));
  g_assert_no_error (error);
  reopened = fleet_secret_store_open (fixture->path, fixture->master, &error);
  g_assert_no_error (error);
  value = fleet_secret_store_lookup (reopened, "web-sudo", &error);
  assert_secret_equals (value, "changed", 7);
}

/* Two writers: the second one's save fails instead of silently dropping the
 * first one's change. */
/* In a test's child process: make the system calls `numbers` fail with
 * `errno_value` for the rest of the process's life, through a seccomp
 * filter, as a kernel or file system that rejects them would. */
static void
fail_system_calls (const long *numbers, guint n_numbers, int errno_value)
{
  g_autofree struct sock_filter *code = g_new0 (struct sock_filter, n_numbers + 3);
  struct sock_fprog program = { .len = n_numbers + 3, .filter = NULL };

  /* Load the call's number, jump to the last instruction (fail) on a
   * match, else reach the one before it (allow). */
  code[0] = (struct sock_filter) BPF_STMT (BPF_LD | BPF_W | BPF_ABS,
                                           offsetof (struct seccomp_data, nr));
  for (guint i = 0; i < n_numbers; i++)
    code[1 + i] = (struct sock_filter) BPF_JUMP (BPF_JMP | BPF_JEQ | BPF_K, numbers[i],
                                                 n_numbers - i, 0);
  code[n_numbers + 1] = (struct sock_filter) BPF_STMT (BPF_RET | BPF_K, SECCOMP_RET_ALLOW);
  code[n_numbers + 2] = (struct sock_filter) BPF_STMT (BPF_RET | BPF_K,
                                                       SECCOMP_RET_ERRNO | errno_value);
  program.filter = code;

  g_assert_cmpint (prctl (PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0), ==, 0);
  g_assert_cmpint (prctl (PR_SET_SECCOMP, SECCOMP_MODE_FILTER, &program), ==, 0);
}

/* A file system without hard links (vfat, some network file systems)
 * rejects the link() that puts a new store in place: the error names the
 * cause and no temporary file is left behind. */
static void
test_failed_link_on_create (Fixture *fixture, gconstpointer data)
{
  const long link_calls[] = {
#ifdef SYS_link
    SYS_link,
#endif
    SYS_linkat,
  };
  g_autoptr(FleetSecretStore) store = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(GDir) listing = NULL;

  if (!g_test_subprocess ())
    {
      g_test_trap_subprocess (NULL, 0, G_TEST_SUBPROCESS_DEFAULT);
      g_test_trap_assert_passed ();
      return;
    }

  fail_system_calls (link_calls, G_N_ELEMENTS (link_calls), EPERM);
  store = fleet_secret_store_create (fixture->path, fixture->master, &fast_params, &error);
  g_assert_null (store);
  g_assert_error (error, FLEET_SECRET_STORE_ERROR, FLEET_SECRET_STORE_ERROR_IO);
  g_assert_nonnull (strstr (error->message, g_strerror (EPERM)));

  listing = g_dir_open (fixture->dir, 0, NULL);
  g_assert_nonnull (listing);
  g_assert_null (g_dir_read_name (listing));
}

static void
test_save_after_other_writer_rejected (Fixture *fixture, gconstpointer data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(FleetSecretStore) first = NULL;
  g_autoptr(FleetSecretStore) second = NULL;
  g_autoptr(FleetSecretStore) reopened = NULL;
  g_autoptr(FleetSecret) value = secret_from_string ("second");
  g_auto(GStrv) names = NULL;

  create_sample_store (fixture);
  first = open_and_change (fixture);
  second = fleet_secret_store_open (fixture->path, fixture->master, &error);
  g_assert_no_error (error);

  g_assert_true (fleet_secret_store_save (first, &error));
  g_assert_true (fleet_secret_store_set (second, "other", value, &error));
  g_assert_false (fleet_secret_store_save (second, &error));
  g_assert_error (error, FLEET_SECRET_STORE_ERROR, FLEET_SECRET_STORE_ERROR_IO);
  g_assert_nonnull (strstr (error->message, "was replaced or removed since it was read"));

  reopened = fleet_secret_store_open (fixture->path, fixture->master, NULL);
  names = fleet_secret_store_list_names (reopened);
  g_assert_cmpuint (g_strv_length (names), ==, 1);
  g_assert_cmpstr (names[0], ==, "web-sudo");

  /* A store saves again after its own writes. */
  g_assert_true (fleet_secret_store_save (first, NULL));
}

/* KDF parameters for new stores. */

static void
test_default_kdf_params (Fixture *fixture, gconstpointer data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(FleetSecretStore) store = NULL;
  g_autoptr(GBytes) bytes = NULL;
  FleetSecretHeader header;
  FleetSecretKdfParams params;
  gboolean overridden = TRUE;

  g_assert_true (fleet_secret_kdf_params_for_new_store (&params, &overridden, &error));
  g_assert_false (overridden);
  g_assert_cmpuint (params.n, ==, G_GUINT64_CONSTANT (1) << 17);
  g_assert_cmpuint (params.r, ==, 8);
  g_assert_cmpuint (params.p, ==, 1);

  store = fleet_secret_store_create (fixture->path, fixture->master, NULL, &error);
  g_assert_no_error (error);
  bytes = fleet_test_read_bytes (fixture->path);
  g_assert_true (fleet_secret_header_decode (g_bytes_get_data (bytes, NULL),
                                             g_bytes_get_size (bytes), &header, &error));
  g_assert_cmpuint (header.kdf_params.n, ==, FLEET_SECRET_KDF_DEFAULT_N);
  g_assert_cmpuint (header.kdf_params.r, ==, FLEET_SECRET_KDF_DEFAULT_R);
  g_assert_cmpuint (header.kdf_params.p, ==, FLEET_SECRET_KDF_DEFAULT_P);
}

static void
test_test_kdf_override (Fixture *fixture, gconstpointer data)
{
  const char *invalid[] = { "", "abc", "1000", "8", "0", "-16", "8388608" };
  g_autoptr(GError) error = NULL;
  g_autoptr(FleetSecretStore) store = NULL;
  FleetSecretKdfParams params;
  gboolean overridden = FALSE;

  g_setenv (FLEET_SECRET_TEST_KDF_N_ENV, "1024", TRUE);
  g_assert_true (fleet_secret_kdf_params_for_new_store (&params, &overridden, &error));
  g_assert_true (overridden);
  g_assert_cmpuint (params.n, ==, 1024);
  g_assert_cmpuint (params.r, ==, FLEET_SECRET_KDF_DEFAULT_R);

  store = fleet_secret_store_create (fixture->path, fixture->master, NULL, &error);
  g_assert_no_error (error);
  fleet_secret_store_get_kdf_params (store, &params);
  g_assert_cmpuint (params.n, ==, 1024);

  for (guint i = 0; i < G_N_ELEMENTS (invalid); i++)
    {
      g_autoptr(GError) invalid_error = NULL;

      g_setenv (FLEET_SECRET_TEST_KDF_N_ENV, invalid[i], TRUE);
      g_assert_false (fleet_secret_kdf_params_for_new_store (&params, NULL, &invalid_error));
      g_assert_error (invalid_error, FLEET_SECRET_STORE_ERROR,
                      FLEET_SECRET_STORE_ERROR_PARAMETERS);
      g_assert_nonnull (strstr (invalid_error->message, FLEET_SECRET_TEST_KDF_N_ENV));
    }
  g_unsetenv (FLEET_SECRET_TEST_KDF_N_ENV);
}

/* Names and values. */

static void
test_names_validated (Fixture *fixture, gconstpointer data)
{
  g_autofree char *longest = g_strnfill (FLEET_SECRET_NAME_MAX, 'n');
  g_autofree char *too_long = g_strnfill (FLEET_SECRET_NAME_MAX + 1, 'n');
  const char *valid[] = { "a", "db-sudo", "A.b_c-9", "..", "-", longest };
  const char *invalid[] = { "", "a b", "a/b", "a=b", "caf\xc3\xa9", "x\n", too_long };
  g_autoptr(GError) error = NULL;
  g_autoptr(FleetSecretStore) store = NULL;
  g_autoptr(FleetSecret) value = secret_from_string ("v");

  for (guint i = 0; i < G_N_ELEMENTS (valid); i++)
    g_assert_true (fleet_secret_name_validate (valid[i], NULL));
  for (guint i = 0; i < G_N_ELEMENTS (invalid); i++)
    g_assert_false (fleet_secret_name_validate (invalid[i], NULL));

  store = fleet_secret_store_create (fixture->path, fixture->master, &fast_params, &error);
  g_assert_no_error (error);
  for (guint i = 0; i < G_N_ELEMENTS (valid); i++)
    g_assert_true (fleet_secret_store_set (store, valid[i], value, NULL));

  g_assert_false (fleet_secret_store_set (store, "x\n\033[2J", value, &error));
  g_assert_error (error, FLEET_SECRET_STORE_ERROR, FLEET_SECRET_STORE_ERROR_INVALID_NAME);
  g_assert_nonnull (strstr (error->message, "\"x\\n\\033[2J\""));
  g_clear_error (&error);
  g_assert_null (fleet_secret_store_lookup (store, "a b", &error));
  g_assert_error (error, FLEET_SECRET_STORE_ERROR, FLEET_SECRET_STORE_ERROR_INVALID_NAME);
  g_clear_error (&error);
  g_assert_false (fleet_secret_store_remove (store, too_long, &error));
  g_assert_error (error, FLEET_SECRET_STORE_ERROR, FLEET_SECRET_STORE_ERROR_INVALID_NAME);
  g_assert_nonnull (strstr (error->message, "...\""));
}

static void
test_no_such_secret (Fixture *fixture, gconstpointer data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(FleetSecretStore) store = NULL;

  create_sample_store (fixture);
  store = fleet_secret_store_open (fixture->path, fixture->master, &error);
  g_assert_no_error (error);

  g_assert_null (fleet_secret_store_lookup (store, "db-sudo", &error));
  g_assert_error (error, FLEET_SECRET_STORE_ERROR, FLEET_SECRET_STORE_ERROR_NO_SUCH_SECRET);
  g_assert_nonnull (strstr (error->message, "no secret named \"db-sudo\""));
  g_assert_nonnull (strstr (error->message, "`fleetc secrets list` shows the names"));
  g_clear_error (&error);

  g_assert_false (fleet_secret_store_remove (store, "db-sudo", &error));
  g_assert_error (error, FLEET_SECRET_STORE_ERROR, FLEET_SECRET_STORE_ERROR_NO_SUCH_SECRET);
}

static void
test_value_bounds (Fixture *fixture, gconstpointer data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(FleetSecretStore) store = NULL;
  g_autoptr(FleetSecret) empty = fleet_secret_new (0);
  g_autoptr(FleetSecret) too_long = fleet_secret_new (FLEET_SECRET_VALUE_MAX + 1);
  g_autoptr(FleetSecret) longest = fleet_secret_new (FLEET_SECRET_VALUE_MAX);

  store = fleet_secret_store_create (fixture->path, fixture->master, &fast_params, &error);
  g_assert_no_error (error);

  g_assert_false (fleet_secret_store_set (store, "empty", empty, &error));
  g_assert_error (error, FLEET_SECRET_STORE_ERROR, FLEET_SECRET_STORE_ERROR_INVALID_VALUE);
  g_clear_error (&error);
  g_assert_false (fleet_secret_store_set (store, "long", too_long, &error));
  g_assert_error (error, FLEET_SECRET_STORE_ERROR, FLEET_SECRET_STORE_ERROR_INVALID_VALUE);
  g_assert_nonnull (strstr (error->message, "65537 bytes"));
  g_clear_error (&error);

  /* The map as a whole is bounded too: 255 values of 64 KiB fit, 256 do not. */
  for (guint i = 0; i < 256; i++)
    {
      g_autofree char *name = g_strdup_printf ("v%03u", i);

      if (!fleet_secret_store_set (store, name, longest, &error))
        break;
    }
  g_assert_error (error, FLEET_SECRET_STORE_ERROR, FLEET_SECRET_STORE_ERROR_INVALID_VALUE);
  g_assert_nonnull (strstr (error->message, "would exceed 16 MiB"));
  g_assert_true (fleet_secret_store_save (store, NULL));
}

/* The plaintext map parser. */

static FleetSecret *
plaintext_from (const guint8 *bytes, gsize length)
{
  gsize padded = (length + FLEET_SECRET_PADDING - 1) / FLEET_SECRET_PADDING * FLEET_SECRET_PADDING;
  FleetSecret *plaintext = fleet_secret_new (padded);

  memcpy (plaintext->data, bytes, length);
  return plaintext;
}

/* A case of the table below; the length of the bytes excludes the
 * literal's terminating NUL. */
#define PLAINTEXT_CASE(case_name, bytes, fragment) { case_name, bytes, sizeof bytes - 1, fragment }

static void
test_malformed_plaintext_rejected (void)
{
  const struct {
    const char *case_name;
    const char *bytes;
    gsize length;
    const char *fragment;
  } cases[] = {
    PLAINTEXT_CASE ("count too large", "\0\0\0\2\1a\0\0\0\1x", "a name length is 0"),
    PLAINTEXT_CASE ("empty name", "\0\0\0\1\0\0\0\0\1x", "a name length is 0"),
    PLAINTEXT_CASE ("bad name", "\0\0\0\1\1/\0\0\0\1x", "characters outside"),
    PLAINTEXT_CASE ("NUL in name", "\0\0\0\1\2a\0\0\0\0\1x", "characters outside"),
    PLAINTEXT_CASE ("unsorted", "\0\0\0\2\1b\0\0\0\1x\1a\0\0\0\1y", "unique and sorted"),
    PLAINTEXT_CASE ("duplicate", "\0\0\0\2\1a\0\0\0\1x\1a\0\0\0\1y", "unique and sorted"),
    PLAINTEXT_CASE ("empty value", "\0\0\0\1\1a\0\0\0\0", "a value length is 0"),
    PLAINTEXT_CASE ("value past end", "\0\0\0\1\1a\0\0\1\0x", "runs past the end"),
    PLAINTEXT_CASE ("huge value", "\0\0\0\1\1a\xff\xff\xff\xffx", "too large"),
    PLAINTEXT_CASE ("padding", "\0\0\0\1\1a\0\0\0\1x\0\0\7", "the padding is not zero"),
  };

  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autoptr(FleetSecret) plaintext = plaintext_from ((const guint8 *) cases[i].bytes,
                                                         cases[i].length);
      g_autoptr(GError) error = NULL;
      g_autoptr(GPtrArray) entries = fleet_secret_map_parse (plaintext, &error);

      if (entries != NULL)
        g_error ("case \"%s\" was accepted", cases[i].case_name);
      g_assert_error (error, FLEET_SECRET_STORE_ERROR, FLEET_SECRET_STORE_ERROR_NOT_A_STORE);
      if (strstr (error->message, cases[i].fragment) == NULL)
        g_error ("case \"%s\": message \"%s\" lacks \"%s\"", cases[i].case_name,
                 error->message, cases[i].fragment);
    }

  /* Two entries announced, and the first fills the whole padded length. */
  {
    g_autoptr(FleetSecret) plaintext = fleet_secret_new (FLEET_SECRET_PADDING);
    g_autoptr(GError) error = NULL;
    const gsize value_length = FLEET_SECRET_PADDING - 4 - 1 - 1 - 4;

    plaintext->data[3] = 2;
    plaintext->data[4] = 1;
    plaintext->data[5] = 'a';
    plaintext->data[8] = (guint8) (value_length >> 8);
    plaintext->data[9] = (guint8) (value_length & 0xff);
    memset (plaintext->data + 10, 'x', value_length);

    g_assert_null (fleet_secret_map_parse (plaintext, &error));
    g_assert_error (error, FLEET_SECRET_STORE_ERROR, FLEET_SECRET_STORE_ERROR_NOT_A_STORE);
    g_assert_nonnull (strstr (error->message, "an entry is cut off"));
  }

  {
    g_autoptr(FleetSecret) unpadded = fleet_secret_new_from_data ("\0\0\0\0", 4);
    g_autoptr(GError) error = NULL;

    g_assert_null (fleet_secret_map_parse (unpadded, &error));
    g_assert_error (error, FLEET_SECRET_STORE_ERROR, FLEET_SECRET_STORE_ERROR_NOT_A_STORE);
  }
}

/* A library object that could not be allocated aborts the process with
 * the call named, as g_malloc() does; one that was allocated is returned. */
static void
test_oom_check (void)
{
  int object = 0;

  if (g_test_subprocess ())
    {
      fleet_oom_check (NULL, "EVP_CIPHER_CTX_new");
      return;
    }

  g_assert_true (fleet_oom_check (&object, "a call") == &object);
  fleet_oom_check_status (TRUE, "a call");
  g_test_trap_subprocess (NULL, 0, G_TEST_SUBPROCESS_DEFAULT);
  g_test_trap_assert_failed ();
  g_test_trap_assert_stderr ("*EVP_CIPHER_CTX_new failed: out of memory*");
}

static void
test_plaintext_round_trip (void)
{
  g_autoptr(GPtrArray) entries =
    g_ptr_array_new_with_free_func ((GDestroyNotify) fleet_secret_entry_free);
  g_autoptr(FleetSecret) one = fleet_secret_new_from_data ("\0\1\2", 3);
  g_autoptr(FleetSecret) two = secret_from_string ("two");
  g_autoptr(FleetSecret) plaintext = NULL;
  g_autoptr(GPtrArray) parsed = NULL;
  g_autoptr(GError) error = NULL;
  const FleetSecretEntry *entry;

  g_ptr_array_add (entries, fleet_secret_entry_new ("a", one));
  g_ptr_array_add (entries, fleet_secret_entry_new ("b", two));
  plaintext = fleet_secret_map_serialize (entries);
  g_assert_cmpuint (plaintext->length, ==, FLEET_SECRET_PADDING);
  g_assert_cmpmem (plaintext->data, 9, "\0\0\0\2\1a\0\0\0", 9);

  parsed = fleet_secret_map_parse (plaintext, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (parsed->len, ==, 2);
  entry = g_ptr_array_index (parsed, 0);
  g_assert_cmpstr (entry->name, ==, "a");
  assert_secret_equals (entry->value, "\0\1\2", 3);
  entry = g_ptr_array_index (parsed, 1);
  g_assert_cmpstr (entry->name, ==, "b");
  assert_secret_equals (entry->value, "two", 3);
}

/* Store path. */

static void
test_resolve_path (Fixture *fixture, gconstpointer data)
{
  g_autofree char *from_option = NULL;
  g_autofree char *from_environment = NULL;
  g_autofree char *from_empty = NULL;
  g_autofree char *fallback = NULL;
  g_autofree char *expected_fallback = g_build_filename (g_get_user_config_dir (), "fleetc",
                                                         "secrets", NULL);

  g_setenv (FLEET_SECRET_STORE_PATH_ENV, "/from/env", TRUE);
  from_option = fleet_secret_store_resolve_path ("/from/option");
  from_environment = fleet_secret_store_resolve_path (NULL);
  g_setenv (FLEET_SECRET_STORE_PATH_ENV, "", TRUE);
  from_empty = fleet_secret_store_resolve_path (NULL);
  g_unsetenv (FLEET_SECRET_STORE_PATH_ENV);
  fallback = fleet_secret_store_resolve_path (NULL);

  g_assert_cmpstr (from_option, ==, "/from/option");
  g_assert_cmpstr (from_environment, ==, "/from/env");
  g_assert_cmpstr (from_empty, ==, expected_fallback);
  g_assert_cmpstr (fallback, ==, expected_fallback);
}

/* Master passphrase sources. */

static char *
write_key_file (Fixture *fixture, const char *name, const char *content, gsize length, int mode)
{
  char *path = g_build_filename (fixture->dir, name, NULL);

  write_file (path, content, length, mode);
  return path;
}

static FleetSecret *
read_key (const char *key_file, GError **error)
{
  FleetSecretKeyOptions options = { .key_file = key_file, .store_path = "/store" };

  return fleet_secret_key_read (&options, error);
}

static void
test_key_file (Fixture *fixture, gconstpointer data)
{
  g_autofree char *simple = write_key_file (fixture, "simple", "phrase\n", 7, 0600);
  g_autofree char *two_newlines = write_key_file (fixture, "two", "phrase\n\n", 8, 0400);
  g_autofree char *binary = write_key_file (fixture, "binary", "\0\xff\n\r", 4, 0600);
  g_autoptr(FleetSecret) key = NULL;
  g_autoptr(GError) error = NULL;

  key = read_key (simple, &error);
  g_assert_no_error (error);
  assert_secret_equals (key, "phrase", 6);
  g_clear_pointer (&key, fleet_secret_free);

  key = read_key (two_newlines, &error);
  assert_secret_equals (key, "phrase\n", 7);
  g_clear_pointer (&key, fleet_secret_free);

  key = read_key (binary, &error);
  assert_secret_equals (key, "\0\xff\n\r", 4);
}

static void
test_key_file_rejected (Fixture *fixture, gconstpointer data)
{
  g_autofree char *longest_text = g_strnfill (FLEET_SECRET_PASSPHRASE_MAX, 'k');
  g_autofree char *too_long_text = g_strnfill (FLEET_SECRET_PASSPHRASE_MAX + 1, 'k');
  g_autofree char *group = write_key_file (fixture, "group", "phrase", 6, 0640);
  g_autofree char *other = write_key_file (fixture, "other", "phrase", 6, 0604);
  g_autofree char *empty = write_key_file (fixture, "empty", "\n", 1, 0600);
  g_autofree char *longest = write_key_file (fixture, "longest", longest_text,
                                             FLEET_SECRET_PASSPHRASE_MAX, 0600);
  g_autofree char *too_long = write_key_file (fixture, "too-long", too_long_text,
                                              FLEET_SECRET_PASSPHRASE_MAX + 1, 0600);
  g_autofree char *missing = g_build_filename (fixture->dir, "missing", NULL);
  g_autofree char *expected = g_strdup_printf ("run `chmod 600 %s`", group);
  g_autoptr(FleetSecret) key = NULL;
  g_autoptr(GError) error = NULL;

  g_assert_null (read_key (group, &error));
  g_assert_error (error, FLEET_SECRET_STORE_ERROR, FLEET_SECRET_STORE_ERROR_PERMISSIONS);
  g_assert_nonnull (strstr (error->message, "permissions 0640 for key file"));
  g_assert_nonnull (strstr (error->message, expected));
  g_clear_error (&error);

  g_assert_null (read_key (other, &error));
  g_assert_error (error, FLEET_SECRET_STORE_ERROR, FLEET_SECRET_STORE_ERROR_PERMISSIONS);
  g_clear_error (&error);

  g_assert_null (read_key (empty, &error));
  g_assert_error (error, FLEET_SECRET_STORE_ERROR, FLEET_SECRET_STORE_ERROR_INVALID_VALUE);
  g_assert_nonnull (strstr (error->message, "is empty"));
  g_clear_error (&error);

  g_assert_null (read_key (too_long, &error));
  g_assert_error (error, FLEET_SECRET_STORE_ERROR, FLEET_SECRET_STORE_ERROR_INVALID_VALUE);
  g_clear_error (&error);

  g_assert_null (read_key (missing, &error));
  g_assert_error (error, FLEET_SECRET_STORE_ERROR, FLEET_SECRET_STORE_ERROR_NO_KEY);
  g_assert_nonnull (strstr (error->message, missing));
  g_clear_error (&error);

  g_assert_null (read_key (fixture->dir, &error));
  g_assert_error (error, FLEET_SECRET_STORE_ERROR, FLEET_SECRET_STORE_ERROR_NO_KEY);
  g_clear_error (&error);

  key = read_key (longest, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (key->length, ==, FLEET_SECRET_PASSPHRASE_MAX);
}

/* The option beats the key file variable, which beats the passphrase
 * variable. */
static void
test_key_source_order (Fixture *fixture, gconstpointer data)
{
  g_autofree char *option_file = write_key_file (fixture, "option", "from option", 11, 0600);
  g_autofree char *env_file = write_key_file (fixture, "env", "from env file", 13, 0600);
  g_autoptr(FleetSecret) key = NULL;
  g_autoptr(GError) error = NULL;

  g_setenv (FLEET_SECRET_KEY_FILE_ENV, env_file, TRUE);
  g_setenv (FLEET_SECRET_PASSPHRASE_ENV, "from variable", TRUE);

  key = read_key (option_file, &error);
  g_assert_no_error (error);
  assert_secret_equals (key, "from option", 11);
  g_clear_pointer (&key, fleet_secret_free);

  key = read_key (NULL, &error);
  assert_secret_equals (key, "from env file", 13);
  g_clear_pointer (&key, fleet_secret_free);
  g_assert_cmpstr (g_getenv (FLEET_SECRET_PASSPHRASE_ENV), ==, "from variable");

  g_unsetenv (FLEET_SECRET_KEY_FILE_ENV);
  key = read_key (NULL, &error);
  assert_secret_equals (key, "from variable", 13);
  g_clear_pointer (&key, fleet_secret_free);
}

/* The passphrase variable opens the store and is removed from the
 * environment, so child processes do not inherit it. */
static void
test_env_passphrase (Fixture *fixture, gconstpointer data)
{
  g_autoptr(FleetSecret) key = NULL;
  g_autoptr(FleetSecretStore) store = NULL;
  g_autoptr(GError) error = NULL;

  create_sample_store (fixture);
  g_setenv (FLEET_SECRET_PASSPHRASE_ENV, "correct horse battery staple", TRUE);
  key = read_key (NULL, &error);
  g_assert_no_error (error);
  g_assert_null (g_getenv (FLEET_SECRET_PASSPHRASE_ENV));

  store = fleet_secret_store_open (fixture->path, key, &error);
  g_assert_no_error (error);

  g_setenv (FLEET_SECRET_PASSPHRASE_ENV, "", TRUE);
  g_assert_null (read_key (NULL, &error));
  g_assert_error (error, FLEET_SECRET_STORE_ERROR, FLEET_SECRET_STORE_ERROR_INVALID_VALUE);
  g_assert_nonnull (strstr (error->message, "is set but empty"));
  g_unsetenv (FLEET_SECRET_PASSPHRASE_ENV);
}

/* With no key file, no variable and no controlling terminal the error names
 * every option.  The check runs in a child in a new session, which has no
 * controlling terminal even when the tests run from one. */
static void
test_no_key_source (Fixture *fixture, gconstpointer data)
{
  if (g_test_subprocess ())
    {
      g_autoptr(GError) error = NULL;
      g_autoptr(FleetSecret) key = NULL;

      g_assert_cmpint (setsid (), !=, -1);
      key = read_key (NULL, &error);
      g_assert_null (key);
      g_assert_error (error, FLEET_SECRET_STORE_ERROR, FLEET_SECRET_STORE_ERROR_NO_KEY);
      g_assert_nonnull (strstr (error->message, "no master passphrase for secret store /store"));
      g_assert_nonnull (strstr (error->message, "--secrets-key-file FILE"));
      g_assert_nonnull (strstr (error->message, FLEET_SECRET_KEY_FILE_ENV));
      g_assert_nonnull (strstr (error->message, FLEET_SECRET_PASSPHRASE_ENV));
      g_clear_error (&error);

      g_assert_null (fleet_secret_read_terminal ("prompt: ", 10, &error));
      g_assert_error (error, FLEET_SECRET_STORE_ERROR, FLEET_SECRET_STORE_ERROR_NO_TERMINAL);
      return;
    }

  g_test_trap_subprocess (NULL, 0, G_TEST_SUBPROCESS_DEFAULT);
  g_test_trap_assert_passed ();
}

/* docs/secrets.md names the variables and the default parameters the code
 * uses. */
static void
test_docs_match_code (void)
{
  g_autofree char *path = g_build_filename (g_getenv ("FLEET_SOURCE_ROOT"), "docs",
                                            "secrets.md", NULL);
  g_autofree char *doc = NULL;
  g_autofree char *defaults = g_strdup_printf ("N = 2^%d, r = %u, p = %u",
                                               g_bit_nth_lsf (FLEET_SECRET_KDF_DEFAULT_N, -1),
                                               FLEET_SECRET_KDF_DEFAULT_R,
                                               FLEET_SECRET_KDF_DEFAULT_P);
  g_autofree char *value_max = g_strdup_printf ("%u,%03u bytes", FLEET_SECRET_VALUE_MAX / 1000,
                                                FLEET_SECRET_VALUE_MAX % 1000);
  const char *names[] = {
    FLEET_SECRET_STORE_PATH_ENV, FLEET_SECRET_KEY_FILE_ENV, FLEET_SECRET_PASSPHRASE_ENV,
    FLEET_SECRET_TEST_KDF_N_ENV, "--secrets-key-file", "--secrets FILE", defaults, value_max,
  };

  g_assert_true (g_file_get_contents (path, &doc, NULL, NULL));
  for (guint i = 0; i < G_N_ELEMENTS (names); i++)
    if (strstr (doc, names[i]) == NULL)
      g_error ("docs/secrets.md does not mention \"%s\"", names[i]);
}

/* Store files that cannot be read or written, with paths in /proc that fail
 * for root too. */
static void
test_store_file_errors (Fixture *fixture, gconstpointer data)
{
  g_autofree char *regular = g_build_filename (fixture->dir, "regular", NULL);
  g_autofree char *through_file = g_build_filename (regular, "secrets", NULL);
  g_autoptr(FleetSecretStore) store = NULL;
  g_autoptr(GError) error = NULL;
  int fd;

  /* A sparse file one byte larger than any store is rejected once that
   * many bytes are read. */
  fd = open (fixture->path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
  g_assert_cmpint (fd, >=, 0);
  g_assert_cmpint (ftruncate (fd, FLEET_SECRET_FILE_MAX_LENGTH + 1), ==, 0);
  g_assert_cmpint (close (fd), ==, 0);
  assert_open_fails (fixture, fixture->master, FLEET_SECRET_STORE_ERROR_NOT_A_STORE,
                     "larger than any store");

  /* /proc/self/mem is a regular file of mode 0600 whose first page cannot
   * be read. */
  if (g_file_test ("/proc/self/mem", G_FILE_TEST_EXISTS))
    {
      store = fleet_secret_store_open ("/proc/self/mem", fixture->master, &error);
      g_assert_null (store);
      g_assert_error (error, FLEET_SECRET_STORE_ERROR, FLEET_SECRET_STORE_ERROR_IO);
      g_assert_nonnull (strstr (error->message, "cannot read secret store /proc/self/mem"));
      g_assert_nonnull (strstr (error->message, g_strerror (EIO)));
      g_clear_error (&error);
    }

  /* A path through a regular file is an error, not a missing store. */
  write_file (regular, "", 0, 0600);
  store = fleet_secret_store_open (through_file, fixture->master, &error);
  g_assert_null (store);
  g_assert_error (error, FLEET_SECRET_STORE_ERROR, FLEET_SECRET_STORE_ERROR_IO);
  g_assert_nonnull (strstr (error->message, g_strerror (ENOTDIR)));
  g_clear_error (&error);

  /* procfs has no room for a new directory ... */
  store = fleet_secret_store_create ("/proc/self/fleet-test/secrets", fixture->master,
                                     &fast_params, &error);
  g_assert_null (store);
  g_assert_error (error, FLEET_SECRET_STORE_ERROR, FLEET_SECRET_STORE_ERROR_IO);
  g_assert_nonnull (strstr (error->message, "cannot create directory /proc/self/fleet-test"));
  g_clear_error (&error);

  /* ... nor for the temporary file of a new store. */
  store = fleet_secret_store_create ("/proc/self/fleet-test-secrets", fixture->master,
                                     &fast_params, &error);
  g_assert_null (store);
  g_assert_error (error, FLEET_SECRET_STORE_ERROR, FLEET_SECRET_STORE_ERROR_IO);
  g_assert_nonnull (strstr (error->message, "cannot create a temporary file in /proc/self"));
}

/* Parameters given to create, or set for tests in the environment, are
 * checked before anything is written. */
static void
test_create_rejects_bad_params (Fixture *fixture, gconstpointer data)
{
  const FleetSecretKdfParams bad_params = { 3, 8, 1 };
  g_autoptr(FleetSecretStore) store = NULL;
  g_autoptr(GError) error = NULL;

  store = fleet_secret_store_create (fixture->path, fixture->master, &bad_params, &error);
  g_assert_null (store);
  g_assert_error (error, FLEET_SECRET_STORE_ERROR, FLEET_SECRET_STORE_ERROR_PARAMETERS);
  g_clear_error (&error);

  g_setenv (FLEET_SECRET_TEST_KDF_N_ENV, "3", TRUE);
  store = fleet_secret_store_create (fixture->path, fixture->master, NULL, &error);
  g_unsetenv (FLEET_SECRET_TEST_KDF_N_ENV);
  g_assert_null (store);
  g_assert_error (error, FLEET_SECRET_STORE_ERROR, FLEET_SECRET_STORE_ERROR_PARAMETERS);
  g_assert_false (g_file_test (fixture->path, G_FILE_TEST_EXISTS));
}

/* A store encrypted with the right key whose plaintext a faulty program
 * wrote is rejected after decryption. */
static void
test_malformed_map_in_store (Fixture *fixture, gconstpointer data)
{
  g_autoptr(FleetSecret) plaintext = fleet_secret_new (FLEET_SECRET_PADDING);
  g_autoptr(FleetSecret) key = NULL;
  g_autoptr(GBytes) sealed = NULL;
  g_autoptr(GError) error = NULL;
  FleetSecretHeader header = { 0 };

  header.version = FLEET_SECRET_FILE_VERSION;
  header.kdf = FLEET_SECRET_KDF_SCRYPT;
  header.kdf_params = fast_params;
  memset (header.salt, 7, sizeof header.salt);
  memset (header.nonce, 9, sizeof header.nonce);
  /* One entry announced, none present. */
  plaintext->data[3] = 1;

  key = fleet_secret_derive_key (fixture->master, &header, &error);
  g_assert_no_error (error);
  sealed = fleet_secret_seal (key, &header, plaintext);
  write_file (fixture->path, g_bytes_get_data (sealed, NULL), g_bytes_get_size (sealed), 0600);

  assert_open_fails (fixture, fixture->master, FLEET_SECRET_STORE_ERROR_NOT_A_STORE,
                     "decrypted contents are malformed");
}

/* Return the address space this process uses now, in bytes. */
static guint64
address_space_bytes (void)
{
  g_autofree char *statm = NULL;
  guint64 pages;

  g_assert_true (g_file_get_contents ("/proc/self/statm", &statm, NULL, NULL));
  pages = g_ascii_strtoull (statm, NULL, 10);
  return pages * (guint64) sysconf (_SC_PAGESIZE);
}

/* scrypt that cannot get its memory fails with an error that says how much
 * it needs, when a store is created and when one is opened.  The child runs
 * under an address space limit (RLIMIT_AS), which AddressSanitizer's shadow
 * memory cannot live with. */
static void
test_scrypt_out_of_memory (Fixture *fixture, gconstpointer data)
{
  const FleetSecretKdfParams hungry_params = { FLEET_SECRET_KDF_MAX_N / 8, 8, 1 };
  g_autoptr(FleetSecretStore) store = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(GBytes) contents = NULL;
  g_autofree guint8 *patched = NULL;
  struct rlimit limit;
  gsize length;

#if defined(__SANITIZE_ADDRESS__)
  g_test_skip ("an address space limit breaks AddressSanitizer");
  return;
#endif

  if (!g_test_subprocess ())
    {
      g_test_trap_subprocess (NULL, 0, G_TEST_SUBPROCESS_DEFAULT);
      g_test_trap_assert_passed ();
      return;
    }

  /* A store whose header asks for 512 MiB: a fast store with N patched. */
  create_sample_store (fixture);
  contents = fleet_test_read_bytes (fixture->path);
  patched = g_memdup2 (g_bytes_get_data (contents, &length), g_bytes_get_size (contents));
  /* N = 2^19, big-endian at bytes 16-23. */
  memcpy (patched + 16, "\0\0\0\0\0\x08\0\0", 8);
  write_file (fixture->path, patched, length, 0600);

  limit.rlim_cur = limit.rlim_max = address_space_bytes () + 128 * 1024 * 1024;
  g_assert_cmpint (setrlimit (RLIMIT_AS, &limit), ==, 0);

  assert_open_fails (fixture, fixture->master, FLEET_SECRET_STORE_ERROR_IO,
                     "scrypt key derivation with N=524288, r=8, p=1 failed");

  g_remove (fixture->path);
  store = fleet_secret_store_create (fixture->path, fixture->master, &hungry_params, &error);
  g_assert_null (store);
  g_assert_error (error, FLEET_SECRET_STORE_ERROR, FLEET_SECRET_STORE_ERROR_IO);
  g_assert_nonnull (strstr (error->message, "it needs about 512 MiB of memory"));
}

/* Small accessors and frees of NULL. */
static void
test_store_accessors (Fixture *fixture, gconstpointer data)
{
  g_autoptr(FleetSecretStore) store = NULL;
  g_autoptr(GError) error = NULL;

  create_sample_store (fixture);
  store = fleet_secret_store_open (fixture->path, fixture->master, &error);
  g_assert_no_error (error);
  g_assert_cmpstr (fleet_secret_store_get_path (store), ==, fixture->path);

  fleet_secret_store_free (NULL);
  fleet_secret_entry_free (NULL);
  fleet_secret_free (NULL);
}

/* /proc/self/mem is a regular file of mode 0600 whose first page cannot be
 * read. */
static void
test_key_file_read_error (Fixture *fixture, gconstpointer data)
{
  g_autoptr(GError) error = NULL;

  if (!g_file_test ("/proc/self/mem", G_FILE_TEST_EXISTS))
    {
      g_test_skip ("/proc/self/mem is missing (no Linux procfs)");
      return;
    }

  g_assert_null (read_key ("/proc/self/mem", &error));
  g_assert_error (error, FLEET_SECRET_STORE_ERROR, FLEET_SECRET_STORE_ERROR_NO_KEY);
  g_assert_nonnull (strstr (error->message, "cannot read key file /proc/self/mem"));
  g_assert_nonnull (strstr (error->message, g_strerror (EIO)));
}

static void
test_env_passphrase_too_long (Fixture *fixture, gconstpointer data)
{
  g_autofree char *too_long = g_strnfill (FLEET_SECRET_PASSPHRASE_MAX + 1, 'k');
  g_autoptr(GError) error = NULL;

  g_setenv (FLEET_SECRET_PASSPHRASE_ENV, too_long, TRUE);
  g_assert_null (read_key (NULL, &error));
  g_unsetenv (FLEET_SECRET_PASSPHRASE_ENV);
  g_assert_error (error, FLEET_SECRET_STORE_ERROR, FLEET_SECRET_STORE_ERROR_INVALID_VALUE);
  g_assert_nonnull (strstr (error->message, "is longer than"));
}

/* Terminal prompts.  Each case runs in a child that starts a new session
 * and opens a pseudo-terminal as its controlling terminal, so /dev/tty is
 * the pseudo-terminal; a thread of the parent plays the user on its master
 * side, replying to each prompt once it appears. */

#define PTY_PATH_ENV "FLEET_TEST_PTY"

typedef struct {
  const char *prompt;        /* text to wait for on the terminal */
  const char *reply;         /* then typed; "\003" (^C) sends SIGINT, "\032" (^Z) SIGTSTP */
} PtyTurn;

typedef struct {
  int master_fd;
  const PtyTurn *turns;
  gsize n_turns;
} PtyUser;

static gpointer
play_user (gpointer data)
{
  PtyUser *user = data;
  g_autoptr(GString) screen = g_string_new (NULL);
  gsize seen = 0;

  for (gsize i = 0; i < user->n_turns; i++)
    {
      const PtyTurn *turn = &user->turns[i];
      char *found;

      while ((found = strstr (screen->str + seen, turn->prompt)) == NULL)
        {
          char chunk[256];
          ssize_t got = read (user->master_fd, chunk, sizeof chunk);

          if (got <= 0)
            return NULL;
          g_string_append_len (screen, chunk, got);
        }
      seen = found - screen->str + strlen (turn->prompt);

      g_assert_cmpint (write (user->master_fd, turn->reply, strlen (turn->reply)), ==,
                       (gssize) strlen (turn->reply));
    }
  return NULL;
}

/* Run the current test's child with the terminal user `turns`. */
static void
run_with_terminal (const PtyTurn *turns, gsize n_turns)
{
  PtyUser user = { .turns = turns, .n_turns = n_turns };
  GThread *thread;

  user.master_fd = posix_openpt (O_RDWR | O_NOCTTY | O_CLOEXEC);
  g_assert_cmpint (user.master_fd, >=, 0);
  g_assert_cmpint (grantpt (user.master_fd), ==, 0);
  g_assert_cmpint (unlockpt (user.master_fd), ==, 0);
  g_setenv (PTY_PATH_ENV, ptsname (user.master_fd), TRUE);

  thread = g_thread_new ("terminal-user", play_user, &user);
  g_test_trap_subprocess (NULL, 0, G_TEST_SUBPROCESS_DEFAULT);
  close (user.master_fd);
  g_thread_join (thread);
  g_unsetenv (PTY_PATH_ENV);
}

/* In the child: make the pseudo-terminal the controlling terminal. */
static void
take_terminal (void)
{
  int fd;

  g_assert_cmpint (setsid (), !=, -1);
  fd = open (g_getenv (PTY_PATH_ENV), O_RDWR | O_CLOEXEC);
  g_assert_cmpint (fd, >=, 0);
}

static FleetSecret *
prompt_key (gboolean confirm, GError **error)
{
  FleetSecretKeyOptions options = { .store_path = "/store", .confirm = confirm };

  return fleet_secret_key_read (&options, error);
}

static void
test_prompt_confirmed (Fixture *fixture, gconstpointer data)
{
  const PtyTurn turns[] = {
    { "Master passphrase for secret store /store: ", "typed secret\n" },
    { "Repeat the master passphrase: ", "typed secret\n" },
  };

  if (g_test_subprocess ())
    {
      g_autoptr(GError) error = NULL;
      g_autoptr(FleetSecret) key = NULL;

      take_terminal ();
      key = prompt_key (TRUE, &error);
      g_assert_no_error (error);
      assert_secret_equals (key, "typed secret", 12);
      return;
    }

  run_with_terminal (turns, G_N_ELEMENTS (turns));
  g_test_trap_assert_passed ();
}

static void
test_prompt_entries_differ (Fixture *fixture, gconstpointer data)
{
  const PtyTurn turns[] = {
    { "Master passphrase", "one\n" },
    { "Repeat the master passphrase: ", "two\n" },
  };

  if (g_test_subprocess ())
    {
      g_autoptr(GError) error = NULL;

      take_terminal ();
      g_assert_null (prompt_key (TRUE, &error));
      g_assert_error (error, FLEET_SECRET_STORE_ERROR, FLEET_SECRET_STORE_ERROR_INVALID_VALUE);
      g_assert_nonnull (strstr (error->message, "the two passphrases differ"));
      return;
    }

  run_with_terminal (turns, G_N_ELEMENTS (turns));
  g_test_trap_assert_passed ();
}

static void
test_prompt_empty (Fixture *fixture, gconstpointer data)
{
  const PtyTurn turns[] = { { "Master passphrase", "\n" } };

  if (g_test_subprocess ())
    {
      g_autoptr(GError) error = NULL;

      take_terminal ();
      g_assert_null (prompt_key (TRUE, &error));
      g_assert_error (error, FLEET_SECRET_STORE_ERROR, FLEET_SECRET_STORE_ERROR_INVALID_VALUE);
      g_assert_nonnull (strstr (error->message, "is empty"));
      return;
    }

  run_with_terminal (turns, G_N_ELEMENTS (turns));
  g_test_trap_assert_passed ();
}

/* An entry longer than the limit is rejected whole, not cut.  The limit of
 * master passphrases is above what a Linux terminal passes in one line, so
 * a smaller limit shows it. */
static void
test_prompt_too_long (Fixture *fixture, gconstpointer data)
{
  const PtyTurn turns[] = { { "Value: ", "123456789\n" } };

  if (g_test_subprocess ())
    {
      g_autoptr(GError) error = NULL;

      take_terminal ();
      g_assert_null (fleet_secret_read_terminal ("Value: ", 8, &error));
      g_assert_error (error, FLEET_SECRET_STORE_ERROR, FLEET_SECRET_STORE_ERROR_INVALID_VALUE);
      g_assert_nonnull (strstr (error->message, "longer than 8 bytes"));
      return;
    }

  run_with_terminal (turns, G_N_ELEMENTS (turns));
  g_test_trap_assert_passed ();
}

static volatile sig_atomic_t caller_saw_sigint;

static void
on_caller_sigint (int number)
{
  caller_saw_sigint = 1;
}

/* ^C at the prompt restores the terminal, then reaches the caller's own
 * SIGINT handler, and the prompt fails; at the second prompt too. */
static void
test_prompt_interrupted (Fixture *fixture, gconstpointer data)
{
  const PtyTurn turns[] = {
    { "Master passphrase", "\003" },
    { "Master passphrase", "typed secret\n" },
    { "Repeat the master passphrase: ", "\003" },
  };

  if (g_test_subprocess ())
    {
      g_autoptr(GError) error = NULL;

      signal (SIGINT, on_caller_sigint);
      take_terminal ();
      g_assert_null (prompt_key (FALSE, &error));
      g_assert_error (error, FLEET_SECRET_STORE_ERROR, FLEET_SECRET_STORE_ERROR_IO);
      g_assert_nonnull (strstr (error->message, "interrupted by signal"));
      g_assert_cmpint (caller_saw_sigint, ==, 1);
      g_clear_error (&error);

      caller_saw_sigint = 0;
      g_assert_null (prompt_key (TRUE, &error));
      g_assert_error (error, FLEET_SECRET_STORE_ERROR, FLEET_SECRET_STORE_ERROR_IO);
      g_assert_cmpint (caller_saw_sigint, ==, 1);
      return;
    }

  run_with_terminal (turns, G_N_ELEMENTS (turns));
  g_test_trap_assert_passed ();
}

/* ^Z at the prompt restores the terminal and delivers SIGTSTP, then
 * prompts again.  The child's process group is orphaned (it leads a new
 * session), so the kernel discards the stop and the prompt returns at
 * once. */
static void
test_prompt_suspended (Fixture *fixture, gconstpointer data)
{
  const PtyTurn turns[] = {
    { "Master passphrase", "\032" },
    { "Master passphrase", "after resume\n" },
  };

  if (g_test_subprocess ())
    {
      g_autoptr(GError) error = NULL;
      g_autoptr(FleetSecret) key = NULL;

      take_terminal ();
      key = prompt_key (FALSE, &error);
      g_assert_no_error (error);
      assert_secret_equals (key, "after resume", 12);
      return;
    }

  run_with_terminal (turns, G_N_ELEMENTS (turns));
  g_test_trap_assert_passed ();
}

/* A device that opens but is not a terminal, as /dev/tty is in a sandbox
 * that binds /dev/null in its place, is no terminal to prompt on. */
static void
test_prompt_not_a_terminal (Fixture *fixture, gconstpointer data)
{
  g_autoptr(GError) error = NULL;

  g_assert_null (fleet_secret_read_terminal_on ("/dev/null", "Value: ", 8, &error));
  g_assert_error (error, FLEET_SECRET_STORE_ERROR, FLEET_SECRET_STORE_ERROR_NO_TERMINAL);
  g_assert_nonnull (strstr (error->message, "cannot prompt on /dev/null"));
  g_assert_nonnull (strstr (error->message, g_strerror (ENOTTY)));
}

/* Return the number of the system call that thread `tid` of this process
 * is in, or -1 while it runs outside one. */
static long
thread_system_call (pid_t tid)
{
  g_autofree char *path = g_strdup_printf ("/proc/self/task/%d/syscall", (int) tid);
  g_autofree char *text = NULL;

  g_assert_true (g_file_get_contents (path, &text, NULL, NULL));
  if (g_str_has_prefix (text, "running"))
    return -1;
  return strtol (text, NULL, 10);
}

/* The system call of glibc's poll(). */
#ifdef SYS_poll
#define POLL_SYSTEM_CALL SYS_poll
#else
#define POLL_SYSTEM_CALL SYS_ppoll
#endif

/* Wait until thread `tid` is in system call `number`, for at most 10 s. */
static void
wait_for_system_call (pid_t tid, long number)
{
  gint64 limit = g_get_monotonic_time () + 10 * G_USEC_PER_SEC;

  while (thread_system_call (tid) != number)
    {
      g_assert_cmpint (g_get_monotonic_time (), <, limit);
      g_usleep (1000);
    }
}

static volatile sig_atomic_t interruptions;

static void
on_test_interruption (int number)
{
  interruptions++;
}

/* Send SIGUSR1 to thread `tid` and wait until its handler ran. */
static void
interrupt_thread (pid_t tid)
{
  gint64 limit = g_get_monotonic_time () + 10 * G_USEC_PER_SEC;
  sig_atomic_t before = interruptions;

  g_assert_cmpint (syscall (SYS_tgkill, getpid (), tid, SIGUSR1), ==, 0);
  while (interruptions == before)
    {
      g_assert_cmpint (g_get_monotonic_time (), <, limit);
      g_usleep (1000);
    }
}

typedef struct {
  pid_t prompt_tid;              /* the thread that prompts */
  int terminal_fd;               /* /dev/tty, with output suspended */
} Interrupter;

/* In the child: interrupt the prompt's write while the terminal's output is
 * suspended (as by ^S), resume the output, interrupt the wait for input,
 * then tell the user to type. */
static gpointer
interrupt_prompt (gpointer data)
{
  Interrupter *interrupter = data;

  wait_for_system_call (interrupter->prompt_tid, SYS_write);
  interrupt_thread (interrupter->prompt_tid);
  g_assert_cmpint (tcflow (interrupter->terminal_fd, TCOON), ==, 0);

  wait_for_system_call (interrupter->prompt_tid, POLL_SYSTEM_CALL);
  interrupt_thread (interrupter->prompt_tid);
  g_assert_cmpint (write (interrupter->terminal_fd, "type now", 8), ==, 8);
  return NULL;
}

/* A signal whose handler returns, and which is not one the prompt handles,
 * interrupts the prompt's write and its wait for input; both go on. */
static void
test_prompt_calls_interrupted (Fixture *fixture, gconstpointer data)
{
  const PtyTurn turns[] = { { "type now", "typed\n" } };

  if (g_test_subprocess ())
    {
      g_autoptr(GError) error = NULL;
      g_autoptr(FleetSecret) value = NULL;
      struct sigaction action = { .sa_handler = on_test_interruption };
      Interrupter interrupter;
      GThread *thread;

      take_terminal ();
      interrupter.prompt_tid = (pid_t) syscall (SYS_gettid);
      interrupter.terminal_fd = open ("/dev/tty", O_RDWR | O_NOCTTY | O_CLOEXEC);
      g_assert_cmpint (interrupter.terminal_fd, >=, 0);
      /* No SA_RESTART: the interrupted calls return EINTR. */
      sigemptyset (&action.sa_mask);
      g_assert_cmpint (sigaction (SIGUSR1, &action, NULL), ==, 0);
      g_assert_cmpint (tcflow (interrupter.terminal_fd, TCOOFF), ==, 0);

      thread = g_thread_new ("interrupter", interrupt_prompt, &interrupter);
      value = fleet_secret_read_terminal ("Value: ", 16, &error);
      g_thread_join (thread);

      g_assert_no_error (error);
      assert_secret_equals (value, "typed", 5);
      g_assert_cmpint (interruptions, ==, 2);
      return;
    }

  run_with_terminal (turns, G_N_ELEMENTS (turns));
  g_test_trap_assert_passed ();
}

static struct rlimit saved_descriptor_limit;

static gpointer
drop_descriptor_limit (gpointer data)
{
  struct rlimit limit;

  wait_for_system_call (GPOINTER_TO_INT (data), POLL_SYSTEM_CALL);
  g_assert_cmpint (getrlimit (RLIMIT_NOFILE, &saved_descriptor_limit), ==, 0);
  limit = saved_descriptor_limit;
  limit.rlim_cur = 0;
  g_assert_cmpint (setrlimit (RLIMIT_NOFILE, &limit), ==, 0);
  return NULL;
}

/* poll() fails once the open file limit is below the one descriptor it
 * waits on; the prompt reports the failure. */
static void
test_prompt_wait_fails (Fixture *fixture, gconstpointer data)
{
  if (g_test_subprocess ())
    {
      g_autoptr(GError) error = NULL;
      pid_t tid;
      GThread *thread;

      take_terminal ();
      tid = (pid_t) syscall (SYS_gettid);
      thread = g_thread_new ("limiter", drop_descriptor_limit, GINT_TO_POINTER (tid));
      g_assert_null (fleet_secret_read_terminal ("Value: ", 16, &error));
      g_thread_join (thread);
      g_assert_cmpint (setrlimit (RLIMIT_NOFILE, &saved_descriptor_limit), ==, 0);

      g_assert_error (error, FLEET_SECRET_STORE_ERROR, FLEET_SECRET_STORE_ERROR_IO);
      g_assert_nonnull (strstr (error->message, "cannot read from /dev/tty"));
      g_assert_nonnull (strstr (error->message, g_strerror (EINVAL)));
      return;
    }

  run_with_terminal (NULL, 0);
  g_test_trap_assert_passed ();
}

/* In the child: start a process in a process group of its own in this
 * session, make that group the terminal's foreground group, and return
 * the process's id.  This process is then a background job.  Its own group
 * is orphaned, because its parent is in another session, so the terminal
 * fails its reads with EIO instead of stopping it, and its writes too when
 * TOSTOP is set. */
static pid_t
move_to_background (int terminal_fd)
{
  pid_t foreground = fork ();

  g_assert_cmpint (foreground, >=, 0);
  if (foreground == 0)
    {
      setpgid (0, 0);
      for (;;)
        pause ();
    }
  g_assert_cmpint (setpgid (foreground, foreground), ==, 0);
  g_assert_cmpint (tcsetpgrp (terminal_fd, foreground), ==, 0);
  return foreground;
}

static void
stop_process (pid_t pid)
{
  int status;

  g_assert_cmpint (kill (pid, SIGKILL), ==, 0);
  g_assert_cmpint (waitpid (pid, &status, 0), ==, pid);
}

/* A prompt from a background job of an orphaned process group cannot read
 * the terminal. */
static void
test_prompt_background_read (Fixture *fixture, gconstpointer data)
{
  const PtyTurn turns[] = { { "Value: ", "typed\n" } };

  if (g_test_subprocess ())
    {
      g_autoptr(GError) error = NULL;
      int fd;
      pid_t foreground;

      take_terminal ();
      fd = open ("/dev/tty", O_RDWR | O_NOCTTY | O_CLOEXEC);
      g_assert_cmpint (fd, >=, 0);
      foreground = move_to_background (fd);
      g_assert_null (fleet_secret_read_terminal ("Value: ", 16, &error));
      stop_process (foreground);

      g_assert_error (error, FLEET_SECRET_STORE_ERROR, FLEET_SECRET_STORE_ERROR_IO);
      g_assert_nonnull (strstr (error->message, "cannot read from /dev/tty"));
      g_assert_nonnull (strstr (error->message, g_strerror (EIO)));
      return;
    }

  run_with_terminal (turns, G_N_ELEMENTS (turns));
  g_test_trap_assert_passed ();
}

/* With TOSTOP set, the same job cannot even write the prompt. */
static void
test_prompt_background_write (Fixture *fixture, gconstpointer data)
{
  if (g_test_subprocess ())
    {
      g_autoptr(GError) error = NULL;
      struct termios mode;
      int fd;
      pid_t foreground;

      take_terminal ();
      fd = open ("/dev/tty", O_RDWR | O_NOCTTY | O_CLOEXEC);
      g_assert_cmpint (fd, >=, 0);
      g_assert_cmpint (tcgetattr (fd, &mode), ==, 0);
      mode.c_lflag |= TOSTOP;
      g_assert_cmpint (tcsetattr (fd, TCSANOW, &mode), ==, 0);
      foreground = move_to_background (fd);
      g_assert_null (fleet_secret_read_terminal ("Value: ", 16, &error));
      stop_process (foreground);

      g_assert_error (error, FLEET_SECRET_STORE_ERROR, FLEET_SECRET_STORE_ERROR_IO);
      g_assert_nonnull (strstr (error->message, g_strerror (EIO)));
      return;
    }

  run_with_terminal (NULL, 0);
  g_test_trap_assert_passed ();
}

static int job_terminal_fd = -1;

/* The job's own SIGTTIN handler, in place of a shell's `fg`: take the
 * terminal's foreground.  SIGTTOU is blocked, so the background job may. */
static void
on_job_sigttin (int number)
{
  tcsetpgrp (job_terminal_fd, getpgrp ());
}

/* A background job whose process group is not orphaned gets SIGTTIN when
 * it reads the terminal: the read is interrupted, the job's own handler
 * runs with the terminal restored, and the prompt starts again, this time
 * in the foreground.  The first line typed is discarded with the rest of
 * the unread input. */
static void
test_prompt_background_job_resumes (Fixture *fixture, gconstpointer data)
{
  const PtyTurn turns[] = {
    { "Value: ", "first\n" },
    { "Value: ", "second\n" },
  };

  if (g_test_subprocess ())
    {
      int status;
      pid_t job;

      take_terminal ();
      job_terminal_fd = open ("/dev/tty", O_RDWR | O_NOCTTY | O_CLOEXEC);
      g_assert_cmpint (job_terminal_fd, >=, 0);

      job = fork ();
      g_assert_cmpint (job, >=, 0);
      if (job == 0)
        {
          g_autoptr(GError) error = NULL;
          g_autoptr(FleetSecret) value = NULL;
          sigset_t blocked;

          setpgid (0, 0);
          sigemptyset (&blocked);
          sigaddset (&blocked, SIGTTOU);
          sigprocmask (SIG_BLOCK, &blocked, NULL);
          signal (SIGTTIN, on_job_sigttin);

          value = fleet_secret_read_terminal ("Value: ", 16, &error);
          g_assert_no_error (error);
          assert_secret_equals (value, "second", 6);
          /* exit(), not _exit(): a coverage build writes its counts at exit. */
          exit (0);
        }

      setpgid (job, job);
      g_assert_cmpint (waitpid (job, &status, 0), ==, job);
      g_assert_true (WIFEXITED (status));
      g_assert_cmpint (WEXITSTATUS (status), ==, 0);
      return;
    }

  run_with_terminal (turns, G_N_ELEMENTS (turns));
  g_test_trap_assert_passed ();
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);

#define ADD(path, func) \
  g_test_add (path, Fixture, NULL, fixture_set_up, func, fixture_tear_down)

  g_test_add_func ("/secrets/secret/nul-terminated", test_secret_nul_terminated);
  ADD ("/secrets/store/round-trip", test_round_trip);
  ADD ("/secrets/store/empty-round-trip", test_empty_store_round_trip);
  ADD ("/secrets/store/file-hides-names-and-values", test_file_hides_names_and_values);
  ADD ("/secrets/store/wrong-passphrase", test_wrong_passphrase);
  ADD ("/secrets/store/every-flipped-byte-rejected", test_every_flipped_byte_rejected);
  ADD ("/secrets/store/truncated-and-extended-rejected", test_truncated_and_extended_rejected);
  ADD ("/secrets/store/absurd-kdf-params-rejected", test_absurd_kdf_params_rejected);
  ADD ("/secrets/store/not-a-store", test_not_a_store);
  ADD ("/secrets/store/missing", test_missing_store);
  ADD ("/secrets/store/permissions-rejected", test_permissions_rejected);
  ADD ("/secrets/store/not-a-regular-file", test_not_a_regular_file);
  ADD ("/secrets/store/created-modes", test_created_modes);
  ADD ("/secrets/store/create-over-existing", test_create_over_existing_rejected);
  ADD ("/secrets/store/empty-master-rejected", test_empty_master_rejected);
  ADD ("/secrets/store/fresh-nonce-per-write", test_fresh_nonce_per_write);
  ADD ("/secrets/store/failed-write/read-only-dir", test_failed_write_read_only_dir);
  ADD ("/secrets/store/failed-write/size-limit", test_failed_write_size_limit);
  ADD ("/secrets/store/failed-write/link-refused", test_failed_link_on_create);
  ADD ("/secrets/store/save-after-other-writer", test_save_after_other_writer_rejected);
  ADD ("/secrets/store/default-kdf-params", test_default_kdf_params);
  ADD ("/secrets/store/test-kdf-override", test_test_kdf_override);
  ADD ("/secrets/store/names-validated", test_names_validated);
  ADD ("/secrets/store/no-such-secret", test_no_such_secret);
  ADD ("/secrets/store/value-bounds", test_value_bounds);
  ADD ("/secrets/store/resolve-path", test_resolve_path);
  g_test_add_func ("/secrets/file/malformed-plaintext", test_malformed_plaintext_rejected);
  g_test_add_func ("/secrets/file/plaintext-round-trip", test_plaintext_round_trip);
  g_test_add_func ("/secrets/oom/check", test_oom_check);
  ADD ("/secrets/key/file", test_key_file);
  ADD ("/secrets/key/file-rejected", test_key_file_rejected);
  ADD ("/secrets/key/source-order", test_key_source_order);
  ADD ("/secrets/key/env-passphrase", test_env_passphrase);
  ADD ("/secrets/key/no-source", test_no_key_source);
  ADD ("/secrets/store/file-errors", test_store_file_errors);
  ADD ("/secrets/store/create-rejects-bad-params", test_create_rejects_bad_params);
  ADD ("/secrets/store/malformed-map", test_malformed_map_in_store);
  ADD ("/secrets/store/scrypt-out-of-memory", test_scrypt_out_of_memory);
  ADD ("/secrets/store/accessors", test_store_accessors);
  ADD ("/secrets/key/file-read-error", test_key_file_read_error);
  ADD ("/secrets/key/env-too-long", test_env_passphrase_too_long);
  ADD ("/secrets/key/prompt/confirmed", test_prompt_confirmed);
  ADD ("/secrets/key/prompt/entries-differ", test_prompt_entries_differ);
  ADD ("/secrets/key/prompt/empty", test_prompt_empty);
  ADD ("/secrets/key/prompt/too-long", test_prompt_too_long);
  ADD ("/secrets/key/prompt/interrupted", test_prompt_interrupted);
  ADD ("/secrets/key/prompt/suspended", test_prompt_suspended);
  ADD ("/secrets/key/prompt/not-a-terminal", test_prompt_not_a_terminal);
  ADD ("/secrets/key/prompt/calls-interrupted", test_prompt_calls_interrupted);
  ADD ("/secrets/key/prompt/wait-fails", test_prompt_wait_fails);
  ADD ("/secrets/key/prompt/background-read", test_prompt_background_read);
  ADD ("/secrets/key/prompt/background-write", test_prompt_background_write);
  ADD ("/secrets/key/prompt/background-job-resumes", test_prompt_background_job_resumes);
  g_test_add_func ("/secrets/docs/match-code", test_docs_match_code);

  return g_test_run ();
}
