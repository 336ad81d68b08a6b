/* test-trust.c: plan expiry against a fixed clock, the inventory file
 * check, and the key files that approvers sign and verify with. */
#include <string.h>

#include <glib/gstdio.h>
#include <openssl/evp.h>
#include <openssl/pem.h>

#include "schema/fleet-inventory-file.h"
#include "schema/fleet-plan-expiry.h"
#include "schema/fleet-public-key.h"
#include "schema/fleet-signing-key.h"
#include "tests/sandbox.h"

typedef FleetTestDir Fixture;

static char *
write_file (Fixture *fixture, const char *name, const char *contents, int mode)
{
  g_autoptr(GError) error = NULL;
  char *path = g_build_filename (fixture->dir, name, NULL);

  g_file_set_contents_full (path, contents, -1, G_FILE_SET_CONTENTS_NONE, mode, &error);
  g_assert_no_error (error);
  g_assert_cmpint (g_chmod (path, mode), ==, 0);
  return path;
}

/* Expiry. */

#define COMPILED_AT G_GINT64_CONSTANT (1767225600)   /* 2026-01-01T00:00:00Z */

static void
test_expiry_boundary (void)
{
  g_autoptr(FleetPlan) plan = fleet_plan_new ();
  g_autoptr(GError) error = NULL;
  g_autofree char *validity = NULL;
  FleetFixedClock clock;

  /* Compile at 00:00:00.7: the compile time is whole seconds. */
  fleet_fixed_clock_init (&clock, COMPILED_AT * G_USEC_PER_SEC + 700000);
  fleet_plan_set_validity (plan, &clock.clock, 8 * 3600);
  g_assert_cmpint (plan->compiled_at, ==, COMPILED_AT);
  g_assert_cmpint (plan->expires_at, ==, COMPILED_AT + 8 * 3600);
  plan->format_version = FLEET_PLAN_FORMAT_VERSION;
  validity = fleet_plan_describe_validity (plan);
  g_assert_cmpstr (validity, ==, "compiled at 2026-01-01T00:00:00Z, expires at "
                                 "2026-01-01T08:00:00Z (valid for 8h)");

  /* One microsecond before the expiry the plan is still valid. */
  clock.wall_us = (COMPILED_AT + 8 * 3600) * G_USEC_PER_SEC - 1;
  g_assert_true (fleet_plan_check_expiry (plan, &clock.clock, &error));
  g_assert_no_error (error);

  clock.wall_us = (COMPILED_AT + 8 * 3600) * G_USEC_PER_SEC;
  g_assert_false (fleet_plan_check_expiry (plan, &clock.clock, &error));
  g_assert_error (error, FLEET_PLAN_ERROR, FLEET_PLAN_ERROR_EXPIRED);
  g_assert_cmpstr (error->message, ==, "the plan expired at 2026-01-01T08:00:00Z (compiled at "
                                       "2026-01-01T00:00:00Z, valid for 8h); compile it again");
}

static void
test_expiry_never (void)
{
  g_autoptr(FleetPlan) plan = fleet_plan_new ();
  g_autoptr(FleetPlan) old_plan = fleet_plan_new ();
  g_autofree char *validity = NULL;
  g_autofree char *old_validity = NULL;
  FleetFixedClock clock;

  fleet_fixed_clock_init (&clock, COMPILED_AT * G_USEC_PER_SEC);
  fleet_plan_set_validity (plan, &clock.clock, 0);
  plan->format_version = FLEET_PLAN_FORMAT_VERSION;
  g_assert_cmpint (plan->expires_at, ==, 0);

  clock.wall_us = G_MAXINT64;
  g_assert_true (fleet_plan_check_expiry (plan, &clock.clock, NULL));
  validity = fleet_plan_describe_validity (plan);
  g_assert_cmpstr (validity, ==, "compiled at 2026-01-01T00:00:00Z, never expires");

  old_plan->format_version = 2;
  g_assert_true (fleet_plan_check_expiry (old_plan, &clock.clock, NULL));
  old_validity = fleet_plan_describe_validity (old_plan);
  g_assert_cmpstr (old_validity, ==, "compile time not recorded (plan format 2), never expires");
}

/* Inventory files. */

static GPtrArray *
record_files (Fixture *fixture, char **out_static, char **out_program)
{
  GPtrArray *files = g_ptr_array_new_with_free_func ((GDestroyNotify) fleet_inventory_file_free);
  g_autoptr(GError) error = NULL;
  g_autofree char *static_sha256 = NULL;
  g_autofree char *program_sha256 = NULL;

  *out_static = write_file (fixture, "inventory.yaml", "hosts:\n  web1: {address: 192.0.2.1}\n",
                            0644);
  *out_program = write_file (fixture, "cmdb.sh", "#!/bin/sh\necho '{}'\n", 0755);
  static_sha256 = fleet_file_sha256 (*out_static, &error);
  g_assert_no_error (error);
  program_sha256 = fleet_file_sha256 (*out_program, &error);
  g_assert_no_error (error);

  g_ptr_array_add (files, fleet_inventory_file_new (*out_static, FLEET_INVENTORY_FILE_STATIC,
                                                    static_sha256));
  g_ptr_array_add (files, fleet_inventory_file_new (*out_program, FLEET_INVENTORY_FILE_PROGRAM,
                                                    program_sha256));
  return files;
}

static void
test_inventory_unchanged (Fixture *fixture, gconstpointer data)
{
  g_autofree char *static_path = NULL;
  g_autofree char *program_path = NULL;
  g_autoptr(GPtrArray) files = record_files (fixture, &static_path, &program_path);
  g_autoptr(GPtrArray) changes = fleet_inventory_files_find_changes (files);
  const FleetInventoryFile *file = g_ptr_array_index (files, 0);
  g_autofree char *expected = g_compute_checksum_for_string (
    G_CHECKSUM_SHA256, "hosts:\n  web1: {address: 192.0.2.1}\n", -1);

  g_assert_cmpuint (changes->len, ==, 0);
  g_assert_cmpstr (file->sha256, ==, expected);
}

static void
test_inventory_edited (Fixture *fixture, gconstpointer data)
{
  g_autofree char *static_path = NULL;
  g_autofree char *program_path = NULL;
  g_autoptr(GPtrArray) files = record_files (fixture, &static_path, &program_path);
  g_autoptr(GPtrArray) changes = NULL;
  g_autofree char *edited = write_file (fixture, "inventory.yaml",
                                        "hosts:\n  web1: {address: 192.0.2.66}\n", 0644);
  g_autofree char *program_edited = write_file (fixture, "cmdb.sh", "#!/bin/sh\nexit 1\n", 0755);
  g_autofree char *edited_sha256 = g_compute_checksum_for_string (
    G_CHECKSUM_SHA256, "hosts:\n  web1: {address: 192.0.2.66}\n", -1);
  g_autofree char *description = NULL;
  g_autofree char *expected = NULL;
  const FleetInventoryChange *change;

  changes = fleet_inventory_files_find_changes (files);

  /* Programs are not checked here; `fleetc check` runs them. */
  g_assert_cmpuint (changes->len, ==, 1);
  change = g_ptr_array_index (changes, 0);
  g_assert_cmpstr (change->recorded->path, ==, static_path);
  g_assert_cmpstr (change->current_sha256, ==, edited_sha256);
  description = fleet_inventory_change_describe (change);
  expected = g_strdup_printf ("inventory file %s changed since the plan was compiled: its "
                              "sha256 was %s and is now %s", static_path,
                              change->recorded->sha256, change->current_sha256);
  g_assert_cmpstr (description, ==, expected);
}

static void
test_inventory_removed (Fixture *fixture, gconstpointer data)
{
  g_autofree char *static_path = NULL;
  g_autofree char *program_path = NULL;
  g_autoptr(GPtrArray) files = record_files (fixture, &static_path, &program_path);
  g_autoptr(GPtrArray) changes = NULL;
  g_autofree char *description = NULL;
  const FleetInventoryChange *change;

  g_assert_cmpint (g_unlink (static_path), ==, 0);
  g_assert_cmpint (g_mkdir (static_path, 0755), ==, 0);
  changes = fleet_inventory_files_find_changes (files);

  g_assert_cmpuint (changes->len, ==, 1);
  change = g_ptr_array_index (changes, 0);
  g_assert_null (change->current_sha256);
  description = fleet_inventory_change_describe (change);
  g_assert_nonnull (strstr (description, "cannot be checked"));
  g_assert_nonnull (strstr (description, "it is not a regular file"));
}

/* Key files. */

/* Return the PEM text of the Ed25519 key with a seed of `seed_byte`, the
 * private key or its public half. */
static char *
ed25519_pem (guint8 seed_byte, gboolean private_key)
{
  guint8 seed[32];
  EVP_PKEY *pkey;
  BIO *bio = BIO_new (BIO_s_mem ());
  char *data = NULL;
  long length;
  char *pem;

  memset (seed, seed_byte, sizeof seed);
  pkey = EVP_PKEY_new_raw_private_key (EVP_PKEY_ED25519, NULL, seed, sizeof seed);
  if (private_key)
    g_assert_cmpint (PEM_write_bio_PrivateKey (bio, pkey, NULL, NULL, 0, NULL, NULL), ==, 1);
  else
    g_assert_cmpint (PEM_write_bio_PUBKEY (bio, pkey), ==, 1);
  length = BIO_get_mem_data (bio, &data);
  pem = g_strndup (data, length);
  BIO_free (bio);
  EVP_PKEY_free (pkey);
  return pem;
}

static void
test_pem_keys (Fixture *fixture, gconstpointer data)
{
  g_autofree char *private_pem = ed25519_pem (0xa1, TRUE);
  g_autofree char *public_pem = ed25519_pem (0xa1, FALSE);
  g_autofree char *other_pem = ed25519_pem (0xb0, FALSE);
  g_autofree char *listing = g_strdup_printf ("# approvers for the web fleet\n\n%s\n%s",
                                              public_pem, other_pem);
  g_autofree char *key_path = write_file (fixture, "alice.pem", private_pem, 0600);
  g_autofree char *list_path = write_file (fixture, "approvers", listing, 0644);
  g_autoptr(FleetSigningKey) key = NULL;
  g_autoptr(GPtrArray) keys = g_ptr_array_new_with_free_func ((GDestroyNotify) fleet_public_key_free);
  g_autoptr(GError) error = NULL;
  guint8 signature[FLEET_ED25519_SIGNATURE_LENGTH];
  const FleetPublicKey *public_key;

  key = fleet_signing_key_read_file (key_path, &error);
  g_assert_no_error (error);
  public_key = fleet_signing_key_get_public_key (key);
  g_assert_null (public_key->comment);
  g_assert_true (g_str_has_prefix (public_key->fingerprint, "SHA256:"));
  g_assert_cmpuint (strlen (public_key->fingerprint), ==, strlen ("SHA256:") + 43);

  g_assert_true (fleet_public_keys_read_file (list_path, keys, &error));
  g_assert_no_error (error);
  g_assert_cmpuint (keys->len, ==, 2);
  g_assert_cmpmem (((FleetPublicKey *) g_ptr_array_index (keys, 0))->raw, 32, public_key->raw, 32);
  g_assert_cmpstr (((FleetPublicKey *) g_ptr_array_index (keys, 1))->fingerprint, !=,
                   public_key->fingerprint);

  g_assert_true (fleet_signing_key_sign (key, (const guint8 *) "plan", 4, signature, &error));
  g_assert_true (fleet_ed25519_verify (public_key->raw, (const guint8 *) "plan", 4, signature));
  g_assert_false (fleet_ed25519_verify (public_key->raw, (const guint8 *) "plan!", 5, signature));
  g_assert_false (fleet_ed25519_verify (((FleetPublicKey *) g_ptr_array_index (keys, 1))->raw,
                                        (const guint8 *) "plan", 4, signature));
}

/* A private key file that others may read, and an approver list that
 * others may write, are refused, as OpenSSH refuses them. */
static void
test_key_permissions (Fixture *fixture, gconstpointer data)
{
  g_autofree char *private_pem = ed25519_pem (0xa1, TRUE);
  g_autofree char *public_pem = ed25519_pem (0xa1, FALSE);
  const int open_private_modes[] = { 0640, 0604, 0644, 0660, 0610 };
  const int open_public_modes[] = { 0664, 0646, 0666 };

  for (guint i = 0; i < G_N_ELEMENTS (open_private_modes); i++)
    {
      g_autofree char *path = write_file (fixture, "key.pem", private_pem, open_private_modes[i]);
      g_autoptr(GError) error = NULL;

      g_assert_null (fleet_signing_key_read_file (path, &error));
      g_assert_error (error, FLEET_KEY_ERROR, FLEET_KEY_ERROR_PERMISSIONS);
      g_assert_nonnull (strstr (error->message, "are too open"));
      g_assert_nonnull (strstr (error->message, "chmod 600"));
      g_assert_null (strstr (error->message, "PRIVATE KEY"));
    }

  for (guint i = 0; i < G_N_ELEMENTS (open_public_modes); i++)
    {
      g_autofree char *path = write_file (fixture, "key.pub", public_pem, open_public_modes[i]);
      g_autoptr(GPtrArray) keys = g_ptr_array_new ();
      g_autoptr(GError) error = NULL;

      g_assert_false (fleet_public_keys_read_file (path, keys, &error));
      g_assert_error (error, FLEET_KEY_ERROR, FLEET_KEY_ERROR_PERMISSIONS);
      g_assert_nonnull (strstr (error->message, "can add an approver key"));
    }
}

/* Every public key file problem names the file and line. */
static void
test_public_key_file_errors (Fixture *fixture, gconstpointer data)
{
  g_autofree char *private_pem = ed25519_pem (0xa1, TRUE);
  g_autofree char *public_pem = ed25519_pem (0xa1, FALSE);
  g_autofree char *unterminated = g_strndup (public_pem, strstr (public_pem, "-----END") - public_pem);
  g_autofree char *private_listing = g_strdup_printf ("# keys\n%s", private_pem);
  struct {
    const char *contents;
    int code;
    const char *fragment;
  } cases[] = {
    { "", FLEET_KEY_ERROR_FORMAT, "contains no public key" },
    { "# only a comment\n", FLEET_KEY_ERROR_FORMAT, "contains no public key" },
    { private_listing, FLEET_KEY_ERROR_FORMAT, ":2: this is a private key" },
    { "ssh-rsa AAAAB3NzaC1yc2EAAAADAQABAAABAQ alice\n", FLEET_KEY_ERROR_UNSUPPORTED,
      ":1: the key is of type \"ssh-rsa\", but only Ed25519 keys" },
    { "\nssh-ed25519 AAAA!!!! alice\n", FLEET_KEY_ERROR_FORMAT, ":2: the ssh-ed25519 key data" },
    /* The blob of an ssh-rsa key under the ssh-ed25519 name. */
    { "ssh-ed25519 AAAAB3NzaC1yc2EAAAADAQAB\n", FLEET_KEY_ERROR_FORMAT, ":1: the ssh-ed25519 key" },
    { "from=\"10.0.0.1\" ssh-ed25519 AAAA\n", FLEET_KEY_ERROR_FORMAT, ":1: \"from=\\\"10.0.0.1\\\"\" is not a key type" },
    { unterminated, FLEET_KEY_ERROR_FORMAT, ":1: the PUBLIC KEY block has no END line" },
  };

  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autofree char *path = write_file (fixture, "approvers", cases[i].contents, 0644);
      g_autoptr(GPtrArray) keys = g_ptr_array_new ();
      g_autoptr(GError) error = NULL;

      g_assert_false (fleet_public_keys_read_file (path, keys, &error));
      g_assert_error (error, FLEET_KEY_ERROR, cases[i].code);
      if (strstr (error->message, cases[i].fragment) == NULL)
        g_error ("case %u: message \"%s\" lacks \"%s\"", i, error->message, cases[i].fragment);
      g_assert_true (g_str_has_prefix (error->message, path));
      g_assert_cmpuint (keys->len, ==, 0);
    }
}

static void
test_private_key_file_errors (Fixture *fixture, gconstpointer data)
{
  g_autofree char *public_pem = ed25519_pem (0xa1, FALSE);
  g_autofree char *rsa_pem = NULL;
  EVP_PKEY *rsa = EVP_PKEY_Q_keygen (NULL, NULL, "RSA", (size_t) 1024);
  BIO *bio = BIO_new (BIO_s_mem ());
  char *pem = NULL;
  long length;

  g_assert_cmpint (PEM_write_bio_PrivateKey (bio, rsa, NULL, NULL, 0, NULL, NULL), ==, 1);
  length = BIO_get_mem_data (bio, &pem);
  rsa_pem = g_strndup (pem, length);
  BIO_free (bio);
  EVP_PKEY_free (rsa);

  {
    struct {
      const char *contents;
      int code;
      const char *fragment;
    } cases[] = {
      { public_pem, FLEET_KEY_ERROR_FORMAT, "is a public key; sign with the private key file" },
      { "hello\n", FLEET_KEY_ERROR_FORMAT, "is not a PEM or OpenSSH private key file" },
      { rsa_pem, FLEET_KEY_ERROR_UNSUPPORTED, "is of type RSA, but only Ed25519 keys" },
      { "-----BEGIN PRIVATE KEY-----\nAAAA\n-----END PRIVATE KEY-----\n", FLEET_KEY_ERROR_FORMAT,
        "cannot decode private key" },
      { "-----BEGIN OPENSSH PRIVATE KEY-----\nb3BlbnNzaC1rZXktdjEAAAAABG5vbmU=\n",
        FLEET_KEY_ERROR_FORMAT, "the END line is missing" },
      { "-----BEGIN OPENSSH PRIVATE KEY-----\nb3BlbnNzaC1rZXktdjEAAAAABG5vbmU=\n"
        "-----END OPENSSH PRIVATE KEY-----\n", FLEET_KEY_ERROR_FORMAT, "the header is truncated" },
    };

    for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
      {
        g_autofree char *path = write_file (fixture, "key", cases[i].contents, 0600);
        g_autoptr(GError) error = NULL;

        g_assert_null (fleet_signing_key_read_file (path, &error));
        g_assert_error (error, FLEET_KEY_ERROR, cases[i].code);
        if (strstr (error->message, cases[i].fragment) == NULL)
          g_error ("case %u: message \"%s\" lacks \"%s\"", i, error->message, cases[i].fragment);
      }
  }
}

/* OpenSSH keys from ssh-keygen: the fingerprint is the one ssh-keygen
 * prints, the .pub line is an approver key, and a key with a passphrase is
 * refused with the reason. */
static void
test_openssh_keys (Fixture *fixture, gconstpointer data)
{
  g_autofree char *keygen = g_find_program_in_path ("ssh-keygen");
  g_autofree char *key_path = g_build_filename (fixture->dir, "id_ed25519", NULL);
  g_autofree char *public_path = g_strconcat (key_path, ".pub", NULL);
  g_autofree char *locked_path = g_build_filename (fixture->dir, "id_locked", NULL);
  g_autofree char *listing = NULL;
  g_autofree char *printed = NULL;
  g_autoptr(FleetSigningKey) key = NULL;
  g_autoptr(GPtrArray) keys = g_ptr_array_new_with_free_func ((GDestroyNotify) fleet_public_key_free);
  g_autoptr(GError) error = NULL;
  const FleetPublicKey *public_key;

  if (keygen == NULL)
    {
      g_test_skip ("ssh-keygen is not installed (apt install openssh-client)");
      return;
    }

  g_assert_cmpint (fleet_test_spawn ((const char *[]) { keygen, "-q", "-t", "ed25519", "-N", "",
                                                        "-C", "alice@example.test", "-f",
                                                        key_path, NULL }, NULL, NULL), ==, 0);
  g_assert_cmpint (fleet_test_spawn ((const char *[]) { keygen, "-q", "-t", "ed25519", "-N",
                                                        "correct horse", "-f", locked_path, NULL },
                                     NULL, NULL), ==, 0);
  g_assert_cmpint (fleet_test_spawn ((const char *[]) { keygen, "-l", "-f", public_path, NULL },
                                     &printed, NULL), ==, 0);

  key = fleet_signing_key_read_file (key_path, &error);
  g_assert_no_error (error);
  public_key = fleet_signing_key_get_public_key (key);
  g_assert_cmpstr (public_key->comment, ==, "alice@example.test");
  listing = g_strdup_printf ("256 %s alice@example.test (ED25519)\n", public_key->fingerprint);
  g_assert_cmpstr (printed, ==, listing);

  g_assert_true (fleet_public_keys_read_file (public_path, keys, &error));
  g_assert_no_error (error);
  g_assert_cmpuint (keys->len, ==, 1);
  g_assert_cmpstr (((FleetPublicKey *) g_ptr_array_index (keys, 0))->fingerprint, ==,
                   public_key->fingerprint);
  g_assert_cmpstr (((FleetPublicKey *) g_ptr_array_index (keys, 0))->comment, ==,
                   "alice@example.test");

  g_assert_null (fleet_signing_key_read_file (locked_path, &error));
  g_assert_error (error, FLEET_KEY_ERROR, FLEET_KEY_ERROR_UNSUPPORTED);
  g_assert_nonnull (strstr (error->message, "has a passphrase"));
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);

#define ADD(path, func) \
  g_test_add (path, Fixture, NULL, fleet_test_dir_set_up, func, fleet_test_dir_tear_down)

  g_test_add_func ("/trust/expiry/boundary", test_expiry_boundary);
  g_test_add_func ("/trust/expiry/never", test_expiry_never);
  ADD ("/trust/inventory/unchanged", test_inventory_unchanged);
  ADD ("/trust/inventory/edited", test_inventory_edited);
  ADD ("/trust/inventory/removed", test_inventory_removed);
  ADD ("/trust/keys/pem", test_pem_keys);
  ADD ("/trust/keys/permissions", test_key_permissions);
  ADD ("/trust/keys/public-file-errors", test_public_key_file_errors);
  ADD ("/trust/keys/private-file-errors", test_private_key_file_errors);
  ADD ("/trust/keys/openssh", test_openssh_keys);

  return g_test_run ();
}
