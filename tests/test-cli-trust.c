/* test-cli-trust.c: plan expiry, inventory checks and signatures as an
 * admin meets them: `fleetc compile --expires`, `fleetc sign`, `fleetc
 * show`, `fleetc check`, and fleet-run refusing a plan before it connects.
 *
 * Every refusal here happens before fleet-run opens a connection, so these
 * tests need no sandbox; the accepted runs use one.  Keys come from the
 * programs admins use: `openssl genpkey` and `ssh-keygen`.
 */
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include <glib/gstdio.h>

#include "tests/sandbox.h"

/* 2023-11-14T22:13:20Z, long past. */
#define OLD_EPOCH "1700000000"

typedef struct {
  char *dir;
  char *inventory;        /* a copy of tests/data/cli/inventory.yaml to edit */
} Fixture;

static void
fixture_set_up (Fixture *fixture, gconstpointer data)
{
  g_autofree char *source = fleet_test_source_path ("tests/data/cli/inventory.yaml");
  g_autofree char *text = NULL;
  fixture->dir = fleet_test_make_dir ("fleet-cli-trust-XXXXXX");
  fixture->inventory = g_build_filename (fixture->dir, "inventory.yaml", NULL);
  g_assert_true (g_file_get_contents (source, &text, NULL, NULL));
  g_assert_true (g_file_set_contents (fixture->inventory, text, -1, NULL));
}

static void
fixture_tear_down (Fixture *fixture, gconstpointer data)
{
  fleet_test_remove_tree (fixture->dir);
  g_free (fixture->inventory);
  g_free (fixture->dir);
}

static char *
fixture_path (const Fixture *fixture, const char *name)
{
  return g_build_filename (fixture->dir, name, NULL);
}

/* Run `name` (fleetc or fleet-run) with `args`, after setting the
 * environment variables of `environment` (NAME=VALUE, NULL-terminated, may
 * be NULL); returns its exit status. */
static int
run_program (const char *name, const char * const *environment, const char * const *args,
             char **out_stdout, char **out_stderr)
{
  return fleet_test_run_program_with_env (name, environment, args, out_stdout, out_stderr);
}

static int
fleetc (const char * const *args, char **out_stdout, char **out_stderr)
{
  return run_program ("fleetc", NULL, args, out_stdout, out_stderr);
}

static int
fleet_run (const char * const *args, char **out_stdout, char **out_stderr)
{
  return run_program ("fleet-run", NULL, args, out_stdout, out_stderr);
}

static void
assert_contains (const char *text, const char *fragment)
{
  if (text == NULL || strstr (text, fragment) == NULL)
    g_error ("output lacks \"%s\":\n%s", fragment, text != NULL ? text : "(null)");
}

static void
assert_lacks (const char *text, const char *fragment)
{
  if (text != NULL && strstr (text, fragment) != NULL)
    g_error ("output contains \"%s\":\n%s", fragment, text);
}

static char *
file_sha256 (const char *path)
{
  g_autoptr(GBytes) bytes = fleet_test_read_bytes (path);

  return g_compute_checksum_for_bytes (G_CHECKSUM_SHA256, bytes);
}

static void
append_text (const char *path, const char *text)
{
  g_autofree char *contents = NULL;
  g_autofree char *longer = NULL;

  g_assert_true (g_file_get_contents (path, &contents, NULL, NULL));
  longer = g_strconcat (contents, text, NULL);
  g_assert_true (g_file_set_contents (path, longer, -1, NULL));
}

/* Write workflow NAME.yaml with `steps` against `inventory`, compile it to
 * NAME.plan with `extra` options (NULL-terminated, may be NULL), and return
 * the plan's path. */
static char *
compile_plan (Fixture *fixture, const char *name, const char *inventory, const char *steps,
              const char * const *extra)
{
  g_autofree char *workflow_name = g_strconcat (name, ".yaml", NULL);
  g_autofree char *plan_name = g_strconcat (name, ".plan", NULL);
  g_autofree char *workflow = fixture_path (fixture, workflow_name);
  g_autofree char *text = g_strdup_printf ("name: %s\ninventory: %s\ntarget: {all: true}\n"
                                           "steps:\n%s", name, inventory, steps);
  char *plan = fixture_path (fixture, plan_name);
  g_autoptr(GPtrArray) args = g_ptr_array_new ();
  g_autofree char *err = NULL;

  g_assert_true (g_file_set_contents (workflow, text, -1, NULL));
  g_ptr_array_add (args, "compile");
  g_ptr_array_add (args, workflow);
  g_ptr_array_add (args, "-o");
  g_ptr_array_add (args, plan);
  for (const char * const *arg = extra; arg != NULL && *arg != NULL; arg++)
    g_ptr_array_add (args, (gpointer) *arg);
  g_ptr_array_add (args, NULL);

  if (fleetc ((const char * const *) args->pdata, NULL, &err) != 0)
    g_error ("compile failed: %s", err);
  return plan;
}

#define TRUE_STEP "  - {name: a, run: \"true\", timeout: 5s}\n"

/* Keys as approvers make them: alice with openssl, bob with ssh-keygen. */
typedef struct {
  char *alice_key;
  char *alice_pub;
  char *bob_key;
  char *bob_pub;
} Keys;

static void
keys_clear (Keys *keys)
{
  g_free (keys->alice_key);
  g_free (keys->alice_pub);
  g_free (keys->bob_key);
  g_free (keys->bob_pub);
}

G_DEFINE_AUTO_CLEANUP_CLEAR_FUNC (Keys, keys_clear)

/* Make the keys, or skip the test when the tools are missing. */
static gboolean
make_keys (Fixture *fixture, Keys *keys)
{
  g_autofree char *openssl = g_find_program_in_path ("openssl");
  g_autofree char *keygen = g_find_program_in_path ("ssh-keygen");

  if (openssl == NULL || keygen == NULL)
    {
      g_test_skip ("openssl or ssh-keygen is not installed (apt install openssl openssh-client)");
      return FALSE;
    }

  keys->alice_key = fixture_path (fixture, "alice.pem");
  keys->alice_pub = fixture_path (fixture, "alice.pub.pem");
  keys->bob_key = fixture_path (fixture, "id_bob");
  keys->bob_pub = fixture_path (fixture, "id_bob.pub");
  g_assert_cmpint (fleet_test_spawn ((const char *[]) { openssl, "genpkey", "-algorithm", "ed25519",
                                                        "-out", keys->alice_key, NULL },
                                     NULL, NULL), ==, 0);
  g_assert_cmpint (fleet_test_spawn ((const char *[]) { openssl, "pkey", "-in", keys->alice_key,
                                                        "-pubout", "-out", keys->alice_pub, NULL },
                                     NULL, NULL), ==, 0);
  g_assert_cmpint (fleet_test_spawn ((const char *[]) { keygen, "-q", "-t", "ed25519", "-N", "",
                                                        "-C", "bob@example.test", "-f",
                                                        keys->bob_key, NULL }, NULL, NULL), ==, 0);
  return TRUE;
}

/* Sign `plan` with `key`; returns the signer's fingerprint. */
static char *
sign_plan (const char *plan, const char *key, const char *comment)
{
  g_autofree char *out = NULL;
  g_autofree char *err = NULL;
  const char *start;

  if (fleetc ((const char *[]) { "sign", plan, "--key", key, "--comment", comment, NULL },
              &out, &err) != 0)
    g_error ("sign failed: %s", err);

  start = strstr (out, "SHA256:");
  g_assert_nonnull (start);
  return g_strndup (start, strcspn (start, " "));
}

/* fleet-run --require-signature runs only a plan that an approver signed,
 * and says why not otherwise; signing leaves the plan's digest alone. */
static void
test_require_signature (Fixture *fixture, gconstpointer data)
{
  g_auto(Keys) keys = { 0 };
  g_autofree char *plan = NULL;
  g_autofree char *runs = fixture_path (fixture, "runs");
  g_autoptr(GBytes) unsigned_bytes = NULL;
  g_autoptr(GBytes) signed_bytes = NULL;
  g_autofree char *alice = NULL;
  g_autofree char *shown = NULL;
  g_autofree char *line = NULL;
  g_autofree char *out = NULL;
  g_autofree char *err = NULL;

  if (!make_keys (fixture, &keys))
    return;

  plan = compile_plan (fixture, "web", fixture->inventory, TRUE_STEP, NULL);
  unsigned_bytes = fleet_test_read_bytes (plan);

  g_assert_cmpint (fleet_run ((const char *[]) { "-d", runs, "--require-signature",
                                                 keys.alice_pub, plan, NULL }, NULL, &err), ==, 2);
  assert_contains (err, "the plan is not signed, but a signature by SHA256:");
  g_clear_pointer (&err, g_free);

  alice = sign_plan (plan, keys.alice_key, "alice: CHG-1234");
  signed_bytes = fleet_test_read_bytes (plan);
  g_assert_cmpuint (g_bytes_get_size (signed_bytes), >, g_bytes_get_size (unsigned_bytes));
  g_assert_cmpmem (g_bytes_get_data (signed_bytes, NULL), g_bytes_get_size (unsigned_bytes),
                   g_bytes_get_data (unsigned_bytes, NULL), g_bytes_get_size (unsigned_bytes));

  g_assert_cmpint (fleetc ((const char *[]) { "show", plan, NULL }, &shown, NULL), ==, 0);
  line = g_strdup_printf ("  %s  valid    \"alice: CHG-1234\"\n", alice);
  assert_contains (shown, line);

  /* Signed, but not by the approver bob. */
  g_assert_cmpint (fleet_run ((const char *[]) { "-d", runs, "--require-signature", keys.bob_pub,
                                                 plan, NULL }, NULL, &err), ==, 2);
  assert_contains (err, "the plan is signed only by ");
  assert_contains (err, alice);
  assert_contains (err, "which is not among the approver keys (SHA256:");
  g_clear_pointer (&err, g_free);

  /* With alice among the approvers the signature passes, and the run stops
   * at the next check instead: the inventory, edited on purpose so that no
   * connection is made. */
  append_text (fixture->inventory, "# edited\n");
  g_assert_cmpint (fleet_run ((const char *[]) { "-d", runs, "--require-signature", keys.bob_pub,
                                                 "--require-signature", keys.alice_pub, plan,
                                                 NULL }, &out, &err), ==, 2);
  assert_contains (err, "changed since the plan was compiled");
  assert_lacks (err, "signature");
  g_assert_false (g_file_test (runs, G_FILE_TEST_EXISTS));
}

/* A signature copied onto another plan does not count, and neither does a
 * plan changed and signed again by someone who is not an approver. */
static void
test_copied_signature (Fixture *fixture, gconstpointer data)
{
  g_auto(Keys) keys = { 0 };
  g_autofree char *reviewed = NULL;
  g_autofree char *other = NULL;
  g_autofree char *forged = fixture_path (fixture, "forged.plan");
  g_autoptr(GBytes) reviewed_unsigned = NULL;
  g_autoptr(GBytes) reviewed_signed = NULL;
  g_autoptr(GBytes) other_bytes = NULL;
  g_autoptr(GByteArray) forged_bytes = g_byte_array_new ();
  g_autofree char *alice = NULL;
  g_autofree char *bob = NULL;
  g_autofree char *shown = NULL;
  g_autofree char *err = NULL;
  gsize block_start;

  if (!make_keys (fixture, &keys))
    return;

  reviewed = compile_plan (fixture, "reviewed", fixture->inventory, TRUE_STEP, NULL);
  other = compile_plan (fixture, "other", fixture->inventory,
                        "  - {name: wipe, run: \"rm -rf /srv/data\", timeout: 5s}\n", NULL);
  reviewed_unsigned = fleet_test_read_bytes (reviewed);
  block_start = g_bytes_get_size (reviewed_unsigned);
  alice = sign_plan (reviewed, keys.alice_key, "alice");
  reviewed_signed = fleet_test_read_bytes (reviewed);
  other_bytes = fleet_test_read_bytes (other);

  g_byte_array_append (forged_bytes, g_bytes_get_data (other_bytes, NULL),
                       g_bytes_get_size (other_bytes));
  g_byte_array_append (forged_bytes,
                       (const guint8 *) g_bytes_get_data (reviewed_signed, NULL) + block_start,
                       g_bytes_get_size (reviewed_signed) - block_start);
  g_assert_true (g_file_set_contents (forged, (const char *) forged_bytes->data, forged_bytes->len,
                                      NULL));

  g_assert_cmpint (fleetc ((const char *[]) { "show", forged, NULL }, &shown, NULL), ==, 0);
  assert_contains (shown, "INVALID  \"alice\"  (does not match this plan)");
  g_assert_cmpint (fleet_run ((const char *[]) { "--require-signature", keys.alice_pub, forged,
                                                 NULL }, NULL, &err), ==, 2);
  assert_contains (err, "does not match this plan: the plan changed after it was signed, or the "
                        "signature was copied from another plan");
  g_clear_pointer (&err, g_free);

  /* bob signs the changed plan too; alice's signature still does not match. */
  bob = sign_plan (forged, keys.bob_key, "bob");
  g_assert_cmpint (fleet_run ((const char *[]) { "--require-signature", keys.alice_pub, forged,
                                                 NULL }, NULL, &err), ==, 2);
  assert_contains (err, alice);
  assert_contains (err, "does not match this plan");
  g_clear_pointer (&err, g_free);

  /* bob's own signature is valid, so with bob as approver the run gets to
   * the inventory check, which the edit makes fail before any connection. */
  append_text (fixture->inventory, "# edited\n");
  g_assert_cmpint (fleet_run ((const char *[]) { "--require-signature", keys.bob_pub, forged,
                                                 NULL }, NULL, &err), ==, 2);
  assert_contains (err, "changed since the plan was compiled");
}

/* Spawn `argv` in a new session, without a controlling terminal, so no
 * prompt can be shown. */
static void
start_new_session (gpointer data)
{
  setsid ();
}

static int
spawn_without_terminal (const char * const *argv, char **out_stderr)
{
  g_autoptr(GError) error = NULL;
  int wait_status = 0;

  g_spawn_sync (NULL, (char **) argv, NULL, G_SPAWN_SEARCH_PATH | G_SPAWN_STDOUT_TO_DEV_NULL,
                start_new_session, NULL, NULL, out_stderr, &wait_status, &error);
  g_assert_no_error (error);
  g_assert_true (WIFEXITED (wait_status));
  return WEXITSTATUS (wait_status);
}

/* `fleetc sign` refuses keys others may read, keys it cannot decrypt, plans
 * other than the reviewed one, and expired plans; it never prints a key. */
static void
test_sign_checks (Fixture *fixture, gconstpointer data)
{
  g_auto(Keys) keys = { 0 };
  g_autofree char *openssl = g_find_program_in_path ("openssl");
  g_autofree char *keygen = g_find_program_in_path ("ssh-keygen");
  g_autofree char *fleetc_path = fleet_test_program ("fleetc");
  g_autofree char *plan = NULL;
  g_autofree char *expired = NULL;
  g_autofree char *encrypted = fixture_path (fixture, "encrypted.pem");
  g_autofree char *locked = fixture_path (fixture, "id_locked");
  g_autofree char *late_workflow = fixture_path (fixture, "late.yaml");
  g_autofree char *key_text = NULL;
  g_autofree char *key_body = NULL;
  g_autofree char *show = NULL;
  g_autofree char *digest = NULL;
  g_autofree char *prefix = NULL;
  g_autofree char *expected = NULL;
  const char *other_digest = "00ff00ff00ff00ff00ff00ff00ff00ff00ff00ff00ff00ff00ff00ff00ff00ff";
  g_autofree char *out = NULL;
  g_autofree char *err = NULL;
  const char *start;

  if (!make_keys (fixture, &keys))
    return;

  plan = compile_plan (fixture, "web", fixture->inventory, TRUE_STEP, NULL);

  g_assert_cmpint (g_chmod (keys.alice_key, 0644), ==, 0);
  g_assert_cmpint (fleetc ((const char *[]) { "sign", plan, "--key", keys.alice_key, NULL },
                           &out, &err), ==, 2);
  assert_contains (err, "permissions 0644 for private key");
  assert_contains (err, "chmod 600");
  g_assert_true (g_file_get_contents (keys.alice_key, &key_text, NULL, NULL));
  key_body = g_strndup (strchr (key_text, '\n') + 1, 20);
  assert_lacks (err, key_body);
  assert_lacks (out, key_body);
  g_assert_cmpint (g_chmod (keys.alice_key, 0600), ==, 0);
  g_clear_pointer (&err, g_free);

  /* An encrypted key needs its passphrase from a terminal. */
  g_assert_cmpint (fleet_test_spawn ((const char *[]) { openssl, "genpkey", "-algorithm", "ed25519",
                                                        "-aes256", "-pass", "pass:correct horse",
                                                        "-out", encrypted, NULL }, NULL, NULL), ==, 0);
  g_assert_cmpint (spawn_without_terminal ((const char *[]) { fleetc_path, "sign", plan, "--key",
                                                              encrypted, NULL }, &err), ==, 2);
  assert_contains (err, "is encrypted, and its passphrase cannot be read");
  g_clear_pointer (&err, g_free);

  g_assert_cmpint (fleet_test_spawn ((const char *[]) { keygen, "-q", "-t", "ed25519", "-N",
                                                        "correct horse", "-f", locked, NULL },
                                     NULL, NULL), ==, 0);
  g_assert_cmpint (fleetc ((const char *[]) { "sign", plan, "--key", locked, NULL }, NULL, &err),
                   ==, 2);
  assert_contains (err, "has a passphrase, and fleetc cannot decrypt OpenSSH keys");
  g_clear_pointer (&err, g_free);

  /* --expect-sha256 binds the signature to the plan that was reviewed. */
  g_assert_cmpint (fleetc ((const char *[]) { "show", plan, NULL }, &show, NULL), ==, 0);
  start = strstr (show, "plan sha256:      ") + strlen ("plan sha256:      ");
  digest = g_strndup (start, 64);
  g_assert_cmpint (fleetc ((const char *[]) { "sign", plan, "--key", keys.alice_key,
                                              "--expect-sha256", other_digest, NULL }, NULL, &err),
                   ==, 2);
  assert_contains (err, "it is not the plan you reviewed");
  g_clear_pointer (&err, g_free);

  /* A prefix, even of the right digest, is rejected before the plan is read. */
  prefix = g_strndup (digest, 16);
  g_assert_cmpint (fleetc ((const char *[]) { "sign", plan, "--key", keys.alice_key,
                                              "--expect-sha256", prefix, NULL }, NULL, &err), ==, 2);
  expected = g_strdup_printf ("--expect-sha256 needs all 64 hex digits of the plan's sha256, as "
                              "`fleetc show` prints it; \"%s\" has 16 characters", prefix);
  assert_contains (err, expected);
  g_clear_pointer (&err, g_free);
  g_clear_pointer (&out, g_free);
  g_assert_cmpint (fleetc ((const char *[]) { "sign", plan, "--key", keys.bob_key,
                                              "--expect-sha256", digest, NULL }, &out, NULL), ==, 0);
  assert_contains (out, "(\"bob@example.test\")");

  g_assert_cmpint (fleetc ((const char *[]) { "sign", plan, NULL }, NULL, &err), ==, 2);
  assert_contains (err, "sign needs the private key file: --key KEY");
  g_clear_pointer (&err, g_free);

  expired = compile_plan (fixture, "late", fixture->inventory, TRUE_STEP,
                         (const char *[]) { "--expires", "1h", NULL });
  g_assert_cmpint (run_program ("fleetc", (const char *[]) { "SOURCE_DATE_EPOCH=" OLD_EPOCH, NULL },
                                (const char *[]) { "compile", late_workflow, "-o", expired,
                                                   "--expires", "1h", NULL }, NULL, NULL), ==, 0);
  g_assert_cmpint (fleetc ((const char *[]) { "sign", expired, "--key", keys.alice_key, NULL },
                           NULL, &err), ==, 2);
  assert_contains (err, "the plan expired at 2023-11-14T23:13:20Z");
}

/* --expires and SOURCE_DATE_EPOCH set the validity; fleet-run refuses an
 * expired plan with the times, and passes one that has not expired. */
static void
test_expiry (Fixture *fixture, gconstpointer data)
{
  g_autofree char *plan = compile_plan (fixture, "web", fixture->inventory, TRUE_STEP, NULL);
  g_autofree char *workflow = fixture_path (fixture, "web.yaml");
  g_autofree char *old = fixture_path (fixture, "old.plan");
  g_autofree char *expected = NULL;
  const char *bad_values[] = { "0", "500ms", "1.5h", "3651d", "soon", "-1h", "1h30", "" };
  struct {
    const char *value;
    const char *shown;
  } good_values[] = {
    { "8h", "(valid for 8h)" },
    { "2d", "(valid for 2d)" },
    { "1d12h", "(valid for 1d12h)" },
    { "90", "(valid for 1m30s)" },
    { "never", "never expires" },
  };
  g_autofree char *out = NULL;
  g_autofree char *err = NULL;

  g_assert_cmpint (fleetc ((const char *[]) { "show", plan, NULL }, &out, NULL), ==, 0);
  assert_contains (out, "(valid for 7d)");
  assert_lacks (out, "EXPIRED");
  g_clear_pointer (&out, g_free);

  for (guint i = 0; i < G_N_ELEMENTS (good_values); i++)
    {
      g_autofree char *good_out = NULL;

      g_assert_cmpint (fleetc ((const char *[]) { "compile", workflow, "-o", old, "--expires",
                                                  good_values[i].value, NULL }, &good_out, NULL),
                       ==, 0);
      assert_contains (good_out, good_values[i].shown);
    }

  for (guint i = 0; i < G_N_ELEMENTS (bad_values); i++)
    {
      g_autofree char *bad_err = NULL;

      g_assert_cmpint (fleetc ((const char *[]) { "compile", workflow, "-o", old, "--expires",
                                                  bad_values[i], NULL }, NULL, &bad_err), ==, 2);
      assert_contains (bad_err, "invalid --expires");
    }

  g_assert_cmpint (fleetc ((const char *[]) { "validate", workflow, "--expires", "1h", NULL },
                           NULL, &err), ==, 2);
  assert_contains (err, "validate writes no plan, so it takes no --expires");
  g_clear_pointer (&err, g_free);

  g_assert_cmpint (run_program ("fleetc", (const char *[]) { "SOURCE_DATE_EPOCH=yesterday", NULL },
                                (const char *[]) { "compile", workflow, "-o", old, NULL },
                                NULL, &err), ==, 2);
  assert_contains (err, "SOURCE_DATE_EPOCH \"yesterday\" is not a number of seconds");
  g_clear_pointer (&err, g_free);

  /* Compiled long ago for 8 hours: fleetc warns, show marks it, fleet-run
   * refuses it with the exact times. */
  g_assert_cmpint (run_program ("fleetc", (const char *[]) { "SOURCE_DATE_EPOCH=" OLD_EPOCH, NULL },
                                (const char *[]) { "compile", workflow, "-o", old, "--expires", "8h",
                                                   NULL }, &out, &err), ==, 0);
  assert_contains (out, "compiled at 2023-11-14T22:13:20Z, expires at 2023-11-15T06:13:20Z "
                        "(valid for 8h)");
  assert_contains (err, "warning: the plan expired at 2023-11-15T06:13:20Z");
  g_clear_pointer (&out, g_free);
  g_clear_pointer (&err, g_free);

  g_assert_cmpint (fleetc ((const char *[]) { "show", old, NULL }, &out, NULL), ==, 0);
  assert_contains (out, "EXPIRED: fleet-run refuses it");
  g_clear_pointer (&out, g_free);

  g_assert_cmpint (fleet_run ((const char *[]) { old, NULL }, NULL, &err), ==, 2);
  expected = g_strdup_printf ("fleet-run: %s: the plan expired at 2023-11-15T06:13:20Z (compiled "
                              "at 2023-11-14T22:13:20Z, valid for 8h); compile it again\n", old);
  g_assert_cmpstr (err, ==, expected);
  g_clear_pointer (&err, g_free);

  /* A plan that has not expired passes the expiry check and stops at the
   * inventory check, edited so that no connection is made. */
  g_assert_cmpint (fleetc ((const char *[]) { "compile", workflow, "-o", old, "--expires", "1h",
                                              NULL }, NULL, NULL), ==, 0);
  append_text (fixture->inventory, "# edited\n");
  g_assert_cmpint (fleet_run ((const char *[]) { old, NULL }, NULL, &err), ==, 2);
  assert_contains (err, "changed since the plan was compiled");
  assert_lacks (err, "expired");
}

/* An inventory file edited or removed after the compile makes fleet-run
 * refuse the plan, naming the file and both digests. */
static void
test_changed_inventory_refused (Fixture *fixture, gconstpointer data)
{
  g_autofree char *plan = compile_plan (fixture, "web", fixture->inventory, TRUE_STEP, NULL);
  g_autofree char *runs = fixture_path (fixture, "runs");
  g_autofree char *compiled_sha256 = file_sha256 (fixture->inventory);
  g_autofree char *current_sha256 = NULL;
  g_autofree char *expected = NULL;
  g_autofree char *err = NULL;

  append_text (fixture->inventory, "  # a comment changes the bytes, not the hosts\n");
  current_sha256 = file_sha256 (fixture->inventory);
  g_assert_cmpint (fleet_run ((const char *[]) { "-d", runs, plan, NULL }, NULL, &err), ==, 2);
  expected = g_strdup_printf ("inventory file %s changed since the plan was compiled: its sha256 "
                              "was %s and is now %s; compile the plan again", fixture->inventory,
                              compiled_sha256, current_sha256);
  assert_contains (err, expected);
  assert_contains (err, "or pass --allow-changed-inventory to run the hosts as compiled");
  g_assert_false (g_file_test (runs, G_FILE_TEST_EXISTS));
  g_clear_pointer (&err, g_free);

  g_assert_cmpint (g_unlink (fixture->inventory), ==, 0);
  g_assert_cmpint (fleet_run ((const char *[]) { "-d", runs, plan, NULL }, NULL, &err), ==, 2);
  assert_contains (err, "cannot be checked: cannot read");
  assert_contains (err, "No such file or directory");
  g_assert_false (g_file_test (runs, G_FILE_TEST_EXISTS));
}

/* `fleetc check` resolves the inventory again: 0 when it resolves to the
 * same hosts from the same files, 1 when it changed or fleet-run would
 * refuse the plan, 2 when it cannot be resolved. */
static void
test_check_static (Fixture *fixture, gconstpointer data)
{
  g_autofree char *plan = compile_plan (fixture, "web", fixture->inventory, TRUE_STEP, NULL);
  g_autofree char *text = NULL;
  g_auto(GStrv) parts = NULL;
  g_autofree char *moved = NULL;
  g_autofree char *not_plan = fixture_path (fixture, "notes.txt");
  g_autofree char *out = NULL;
  g_autofree char *err = NULL;

  g_assert_cmpint (fleetc ((const char *[]) { "check", plan, NULL }, &out, NULL), ==, 0);
  assert_contains (out, "inventory unchanged: it resolves to the same 20 hosts");
  g_clear_pointer (&out, g_free);

  /* Same hosts, but fleet-run refuses a changed static file: not 0. */
  append_text (fixture->inventory, "# reviewed\n");
  g_assert_cmpint (fleetc ((const char *[]) { "check", plan, NULL }, &out, NULL), ==, 1);
  assert_contains (out, "fleet-run will refuse this plan: its static inventory files changed "
                        "since it was compiled, although they resolve to the same 20 hosts");
  assert_contains (out, "inventory file ");
  assert_lacks (out, "inventory unchanged");
  g_clear_pointer (&out, g_free);

  g_assert_true (g_file_get_contents (fixture->inventory, &text, NULL, NULL));
  parts = g_strsplit (text, "address: 192.0.2.2\n", 2);
  g_assert_cmpuint (g_strv_length (parts), ==, 2);
  moved = g_strjoinv ("address: 192.0.2.99\n", parts);
  g_assert_true (g_file_set_contents (fixture->inventory, moved, -1, NULL));
  g_assert_cmpint (fleetc ((const char *[]) { "check", plan, NULL }, &out, NULL), ==, 1);
  assert_contains (out, "inventory changed since the plan was compiled: its digest was ");
  assert_contains (out, "host db02 has other settings, attributes or groups now:\n"
                        "    setting address: \"192.0.2.2\" -> \"192.0.2.99\"\n");
  assert_lacks (out, "host db01");
  g_clear_pointer (&out, g_free);

  g_assert_cmpint (g_unlink (fixture->inventory), ==, 0);
  g_assert_cmpint (fleetc ((const char *[]) { "check", plan, NULL }, NULL, &err), ==, 2);
  assert_contains (err, "cannot resolve the inventory of");
  g_clear_pointer (&err, g_free);

  g_assert_true (g_file_set_contents (not_plan, "hello\n", -1, NULL));
  g_assert_cmpint (fleetc ((const char *[]) { "check", not_plan, NULL }, NULL, &err), ==, 2);
  assert_contains (err, "not a fleetc plan file");
}

/* A relative -F file is recorded by its absolute path, so `fleetc check`
 * finds it from another directory; a missing one cannot be read (2), and a
 * changed one is named with the host values it changes. */
static void
test_check_ssh_config (Fixture *fixture, gconstpointer data)
{
  g_autofree char *chdir_fixture = g_strconcat ("--chdir=", fixture->dir, NULL);
  g_autofree char *config = fixture_path (fixture, "cfg.conf");
  g_autofree char *hidden = fixture_path (fixture, "cfg.conf.away");
  g_autofree char *plan = fixture_path (fixture, "web.plan");
  g_autofree char *workflow = fixture_path (fixture, "web.yaml");
  g_autofree char *workflow_text = g_strdup_printf ("name: web\ninventory: %s\n"
                                                    "target: {all: true}\nsteps:\n" TRUE_STEP,
                                                    fixture->inventory);
  g_autofree char *expected = NULL;
  g_autofree char *out = NULL;
  g_autofree char *err = NULL;

  g_assert_true (g_file_set_contents (config, "Host db01\n  Port 2201\n", -1, NULL));
  g_assert_true (g_file_set_contents (workflow, workflow_text, -1, NULL));
  g_assert_cmpint (run_program ("fleetc", (const char *[]) { chdir_fixture, NULL },
                                (const char *[]) { "compile", "web.yaml", "-F", "cfg.conf",
                                                   "-o", "web.plan", NULL }, NULL, &err), ==, 0);
  g_clear_pointer (&err, g_free);

  g_assert_cmpint (run_program ("fleetc", (const char *[]) { "--chdir=/", NULL },
                                (const char *[]) { "check", plan, NULL }, &out, &err), ==, 0);
  assert_contains (out, "inventory unchanged");
  g_clear_pointer (&out, g_free);
  g_clear_pointer (&err, g_free);

  g_assert_true (g_file_set_contents (config, "Host db01\n  Port 2202\n", -1, NULL));
  g_assert_cmpint (fleetc ((const char *[]) { "check", plan, NULL }, &out, NULL), ==, 1);
  expected = g_strdup_printf ("  ssh_config %s changed: sha256 was ", config);
  assert_contains (out, expected);
  assert_contains (out, "  host db01 has other settings, attributes or groups now:\n"
                        "    setting port: \"2201\" -> \"2202\"\n");
  g_clear_pointer (&out, g_free);

  g_assert_cmpint (g_rename (config, hidden), ==, 0);
  g_assert_cmpint (fleetc ((const char *[]) { "check", plan, NULL }, &out, &err), ==, 2);
  g_free (expected);
  expected = g_strdup_printf ("cannot read the ssh_config file %s that %s was compiled with",
                              config, plan);
  assert_contains (err, expected);
  assert_lacks (out, "inventory changed");
}

/* An inventory program is run again by `fleetc check`, which sees a change
 * in its output that re-hashing the program could not; `fleetc show` says
 * that fleet-run cannot check it. */
static void
test_check_program (Fixture *fixture, gconstpointer data)
{
  g_autofree char *hosts = fixture_path (fixture, "hosts.json");
  g_autofree char *script = fixture_path (fixture, "cmdb.sh");
  g_autofree char *script_text = g_strdup_printf ("#!/bin/sh\nexec cat '%s'\n", hosts);
  g_autofree char *plan = NULL;
  g_autofree char *out = NULL;
  g_autofree char *err = NULL;

  g_assert_true (g_file_set_contents (hosts, "{\"web\": [\"web1\", \"web2\"], \"_meta\": "
                                             "{\"hostvars\": {\"web1\": {\"ansible_host\": "
                                             "\"192.0.2.1\"}}}}\n", -1, NULL));
  g_assert_true (g_file_set_contents (script, script_text, -1, NULL));
  g_assert_cmpint (g_chmod (script, 0755), ==, 0);
  plan = compile_plan (fixture, "web", script, TRUE_STEP, NULL);

  g_assert_cmpint (fleetc ((const char *[]) { "show", plan, NULL }, &out, NULL), ==, 0);
  assert_contains (out, "cmdb.sh (program, sha256 ");
  assert_contains (out, "fleet-run cannot check this program's output without running it; "
                        "`fleetc check PLAN` does");
  g_clear_pointer (&out, g_free);

  g_assert_cmpint (fleetc ((const char *[]) { "check", plan, NULL }, &out, NULL), ==, 0);
  assert_contains (out, "inventory unchanged: it resolves to the same 2 hosts");
  g_clear_pointer (&out, g_free);

  g_assert_true (g_file_set_contents (hosts, "{\"web\": [\"web1\"], \"_meta\": "
                                             "{\"hostvars\": {}}}\n", -1, NULL));
  g_assert_cmpint (fleetc ((const char *[]) { "check", plan, NULL }, &out, NULL), ==, 1);
  assert_contains (out, "inventory changed since the plan was compiled");
  assert_contains (out, "host web1 has other settings");
  assert_contains (out, "host web2 is no longer in the inventory");
  g_clear_pointer (&out, g_free);

  g_assert_cmpint (g_unlink (hosts), ==, 0);
  g_assert_cmpint (fleetc ((const char *[]) { "check", plan, NULL }, NULL, &err), ==, 2);
  assert_contains (err, "cannot resolve the inventory of");
}

static FleetSandbox *
sandbox_or_skip (guint n_hosts)
{
  g_autofree char *reason = NULL;

  if (!fleet_sandbox_available (&reason))
    {
      g_test_skip (reason);
      return NULL;
    }
  return fleet_sandbox_up (n_hosts);
}

/* Return the text of the journal of the one run under `runs`. */
static char *
read_journal (const char *runs)
{
  g_autoptr(GDir) dir = g_dir_open (runs, 0, NULL);
  const char *name;
  g_autofree char *path = NULL;
  char *text = NULL;

  g_assert_nonnull (dir);
  name = g_dir_read_name (dir);
  g_assert_nonnull (name);
  g_assert_null (g_dir_read_name (dir));
  path = g_build_filename (runs, name, "journal.jsonl", NULL);
  g_assert_true (g_file_get_contents (path, &text, NULL, NULL));
  return text;
}

/* The accepted runs: a signed plan runs with --require-signature and the
 * journal names the approver; after an inventory edit it is refused, and
 * --allow-changed-inventory runs it anyway and journals the change. */
static void
test_signed_run_on_sandbox (Fixture *fixture, gconstpointer data)
{
  g_autoptr(FleetSandbox) sandbox = NULL;
  g_auto(Keys) keys = { 0 };
  g_autofree char *inventory = NULL;
  g_autofree char *plan = NULL;
  g_autofree char *alice = NULL;
  g_autofree char *runs = fixture_path (fixture, "runs");
  g_autofree char *allowed_runs = fixture_path (fixture, "allowed-runs");
  g_autofree char *journal = NULL;
  g_autofree char *compiled_sha256 = NULL;
  g_autofree char *current_sha256 = NULL;
  g_autofree char *approved = NULL;
  g_autofree char *changed = NULL;
  g_autofree char *out = NULL;
  g_autofree char *err = NULL;

  if (!make_keys (fixture, &keys))
    return;
  sandbox = sandbox_or_skip (2);
  if (sandbox == NULL)
    return;

  inventory = fleet_sandbox_path (sandbox, "inventory.yaml");
  plan = compile_plan (fixture, "signed", inventory, TRUE_STEP, NULL);
  alice = sign_plan (plan, keys.alice_key, "alice: CHG-1234");

  g_assert_cmpint (fleet_run ((const char *[]) { "-d", runs, "--require-signature",
                                                 keys.alice_pub, plan, NULL }, &out, &err), ==, 0);
  approved = g_strdup_printf ("Approved by %s (\"alice: CHG-1234\")\n", alice);
  assert_contains (out, approved);
  assert_contains (out, "2 of 2 hosts succeeded");
  journal = read_journal (runs);
  g_free (approved);
  approved = g_strdup_printf ("\"approved_by\":{\"fingerprint\":\"%s\",\"comment\":"
                              "\"alice: CHG-1234\"}", alice);
  assert_contains (journal, approved);
  assert_contains (journal, "\"plan_expires_at\":\"");
  assert_lacks (journal, "inventory-changed");
  g_clear_pointer (&out, g_free);
  g_clear_pointer (&err, g_free);
  g_clear_pointer (&journal, g_free);

  compiled_sha256 = file_sha256 (inventory);
  append_text (inventory, "# edited after review\n");
  current_sha256 = file_sha256 (inventory);
  g_assert_cmpint (fleet_run ((const char *[]) { "-d", allowed_runs, "--require-signature",
                                                 keys.alice_pub, plan, NULL }, NULL, &err), ==, 2);
  assert_contains (err, "changed since the plan was compiled");
  g_assert_false (g_file_test (allowed_runs, G_FILE_TEST_EXISTS));
  g_clear_pointer (&err, g_free);

  g_assert_cmpint (fleet_run ((const char *[]) { "-d", allowed_runs, "--require-signature",
                                                 keys.alice_pub, "--allow-changed-inventory", plan,
                                                 NULL }, &out, &err), ==, 0);
  assert_contains (err, "warning: inventory file ");
  assert_contains (err, "running the hosts as compiled because of --allow-changed-inventory");
  assert_contains (out, "2 of 2 hosts succeeded");
  journal = read_journal (allowed_runs);
  changed = g_strdup_printf ("\"event\":\"inventory-changed\",\"path\":\"%s\",\"compiled_sha256\":"
                             "\"%s\",\"current_sha256\":\"%s\",\"error\":null,\"allowed_by\":"
                             "\"--allow-changed-inventory\"}", inventory, compiled_sha256,
                             current_sha256);
  assert_contains (journal, changed);
  assert_contains (journal, approved);
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);

#define ADD(path, func) \
  g_test_add (path, Fixture, NULL, fixture_set_up, func, fixture_tear_down)

  ADD ("/cli-trust/run/require-signature", test_require_signature);
  ADD ("/cli-trust/run/copied-signature", test_copied_signature);
  ADD ("/cli-trust/sign/checks", test_sign_checks);
  ADD ("/cli-trust/compile/expires", test_expiry);
  ADD ("/cli-trust/run/changed-inventory", test_changed_inventory_refused);
  ADD ("/cli-trust/check/static", test_check_static);
  ADD ("/cli-trust/check/program", test_check_program);
  ADD ("/cli-trust/check/ssh-config", test_check_ssh_config);
  ADD ("/cli-trust/run/signed-on-sandbox", test_signed_run_on_sandbox);

  return g_test_run ();
}
