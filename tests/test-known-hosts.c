/* test-known-hosts.c: the known_hosts engine against every line form, files
 * written by ssh-keygen, accept-new appends and concurrent writers.
 *
 * tests/data/known-hosts/all-forms.known_hosts contains one line of each form
 * with throwaway keys, named in keys.txt (K1, K2, ...).  Other keys are
 * generated with ssh-keygen at test time or built from fixed bytes. */
#include <signal.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <unistd.h>

#include <glib/gstdio.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>

#include "runtime/fleet-known-hosts.h"
#include "runtime/fleet-known-hosts-private.h"
#include "tests/sandbox.h"

typedef struct {
  char *type;
  GBytes *blob;
} TestKey;

static void
test_key_free (TestKey *key)
{
  g_free (key->type);
  g_bytes_unref (key->blob);
  g_free (key);
}

G_DEFINE_AUTOPTR_CLEANUP_FUNC (TestKey, test_key_free)

typedef FleetTestDir Fixture;

/* ---- Keys ---- */

/* Parse "TYPE BASE64 [COMMENT]", the form of a .pub file. */
static TestKey *
parse_key_text (const char *text)
{
  g_auto(GStrv) fields = g_strsplit_set (text, " \t\n", 3);
  TestKey *key = g_new0 (TestKey, 1);
  guchar *data;
  gsize length = 0;

  g_assert_cmpuint (g_strv_length (fields), >=, 2);
  key->type = g_strdup (fields[0]);
  data = g_base64_decode (fields[1], &length);
  key->blob = g_bytes_new_take (data, length);
  return key;
}

static TestKey *
read_public_key (const char *path)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *text = NULL;

  g_file_get_contents (path, &text, NULL, &error);
  g_assert_no_error (error);
  return parse_key_text (text);
}

/* Generate a key pair of `type` at DIR/NAME and return its public key. */
static TestKey *
generate_key (const Fixture *fixture, const char *name, const char *type)
{
  g_autofree char *path = fleet_test_dir_path (fixture, name);
  g_autofree char *public_path = g_strconcat (path, ".pub", NULL);
  const char *argv[] = { "ssh-keygen", "-q", "-t", type, "-N", "", "-C", "test", "-f", path,
                         NULL };
  g_autofree char *err = NULL;

  if (fleet_test_spawn (argv, NULL, &err) != 0)
    g_error ("ssh-keygen -t %s failed: %s", type, err);
  return read_public_key (public_path);
}

/* Return a well-formed ssh-ed25519 blob with key bytes derived from `seed`. */
static TestKey *
synthetic_key (guint32 seed)
{
  static const char type[] = "ssh-ed25519";
  GByteArray *blob = g_byte_array_new ();
  guint32 length;
  TestKey *key = g_new0 (TestKey, 1);

  length = GUINT32_TO_BE (sizeof type - 1);
  g_byte_array_append (blob, (const guint8 *) &length, 4);
  g_byte_array_append (blob, (const guint8 *) type, sizeof type - 1);
  length = GUINT32_TO_BE (32);
  g_byte_array_append (blob, (const guint8 *) &length, 4);
  for (guint i = 0; i < 32; i++)
    {
      guint8 byte = (guint8) ((seed >> (8 * (i % 4))) ^ (i * 37));
      g_byte_array_append (blob, &byte, 1);
    }

  key->type = g_strdup (type);
  key->blob = g_byte_array_free_to_bytes (blob);
  return key;
}

static char *
key_line_text (const TestKey *key)
{
  g_autofree char *encoded = g_base64_encode (g_bytes_get_data (key->blob, NULL),
                                              g_bytes_get_size (key->blob));

  return g_strdup_printf ("%s %s", key->type, encoded);
}

static char *
fingerprint_of (const TestKey *key)
{
  return fleet_known_hosts_fingerprint (g_bytes_get_data (key->blob, NULL),
                                        g_bytes_get_size (key->blob));
}

/* The named keys of tests/data/known-hosts/keys.txt: name -> TestKey *. */
static GHashTable *
load_named_keys (void)
{
  g_autofree char *path = fleet_test_source_path ("tests/data/known-hosts/keys.txt");
  g_autofree char *text = NULL;
  g_auto(GStrv) lines = NULL;
  GHashTable *keys = g_hash_table_new_full (g_str_hash, g_str_equal, g_free,
                                            (GDestroyNotify) test_key_free);

  g_assert_true (g_file_get_contents (path, &text, NULL, NULL));
  lines = g_strsplit (text, "\n", -1);
  for (char **line = lines; *line != NULL; line++)
    {
      const char *space = strchr (*line, ' ');

      if ((*line)[0] == '#' || space == NULL)
        continue;
      g_hash_table_insert (keys, g_strndup (*line, space - *line), parse_key_text (space + 1));
    }
  return keys;
}

/* ---- Checks ---- */

static FleetHostKeyCheck *
check_key (FleetKnownHosts *table, const char *host, guint16 port, const TestKey *key)
{
  g_autoptr(GError) error = NULL;
  FleetHostKeyCheck *check;

  check = fleet_known_hosts_check (table, host, port, key->type,
                                   g_bytes_get_data (key->blob, NULL),
                                   g_bytes_get_size (key->blob), &error);
  g_assert_no_error (error);
  g_assert_nonnull (check);
  return check;
}

static gboolean
add_key (FleetKnownHosts *table, const char *path, const char *host, guint16 port,
         const TestKey *key, gboolean hash, GError **error)
{
  return fleet_known_hosts_add (table, path, host, port, key->type,
                                g_bytes_get_data (key->blob, NULL),
                                g_bytes_get_size (key->blob), hash, error);
}

static void
assert_verdict (const FleetHostKeyCheck *check, FleetHostKeyVerdict expected)
{
  if (check->verdict != expected)
    g_error ("%s: expected verdict %s, got %s (%s)", check->lookup_name,
             fleet_host_key_verdict_name (expected),
             fleet_host_key_verdict_name (check->verdict),
             check->message != NULL ? check->message : "no message");
}

static void
assert_contains (const char *text, const char *part)
{
  if (text == NULL || strstr (text, part) == NULL)
    g_error ("expected \"%s\" in \"%s\"", part, text != NULL ? text : "(null)");
}

static FleetKnownHosts *
load_table (const char * const *paths)
{
  FleetKnownHosts *table = fleet_known_hosts_new ();

  for (const char * const *path = paths; *path != NULL; path++)
    {
      g_autoptr(GError) error = NULL;

      fleet_known_hosts_load (table, *path, &error);
      g_assert_no_error (error);
    }
  return table;
}

static FleetKnownHosts *
load_one (const char *path)
{
  const char *paths[] = { path, NULL };

  return load_table (paths);
}

/* ---- Every line form: one test per expected verdict ---- */

typedef struct {
  const char *test_name;
  const char *host;
  guint16 port;
  const char *key_name;
  FleetHostKeyVerdict verdict;
  guint line;                    /* MATCH and REVOKED: the line reported;
                                  * CHANGED and CA: the one recorded line */
  gboolean other_types_only;
} FormCase;

static const FormCase form_cases[] = {
  { "plain-name", "host01.example.test", 22, "K1", FLEET_HOST_KEY_MATCH, 3, FALSE },
  { "address-in-list", "192.0.2.11", 22, "K1", FLEET_HOST_KEY_MATCH, 3, FALSE },
  { "changed-key", "host01.example.test", 22, "K7", FLEET_HOST_KEY_CHANGED, 3, FALSE },
  { "wildcard", "web1.dc1.example.test", 22, "K2", FLEET_HOST_KEY_MATCH, 4, FALSE },
  { "negated-pattern", "bastion.dc1.example.test", 22, "K2", FLEET_HOST_KEY_UNKNOWN, 0, FALSE },
  { "port-form", "host03.example.test", 2222, "K3", FLEET_HOST_KEY_MATCH, 5, FALSE },
  { "port-22-needs-plain-name", "host03.example.test", 22, "K3", FLEET_HOST_KEY_UNKNOWN, 0, FALSE },
  { "revoked", "192.0.2.14", 22, "K4", FLEET_HOST_KEY_REVOKED, 6, FALSE },
  { "revoked-on-any-port", "192.0.2.14", 2200, "K4", FLEET_HOST_KEY_REVOKED, 6, FALSE },
  { "hashed", "host05.example.test", 22, "K5", FLEET_HOST_KEY_MATCH, 8, FALSE },
  { "hashed-port-form", "host05.example.test", 2222, "K5p", FLEET_HOST_KEY_MATCH, 9, FALSE },
  { "hashed-other-key", "host05.example.test", 22, "K5p", FLEET_HOST_KEY_CHANGED, 8, FALSE },
  { "ca-key-is-not-host-key", "node1.dc2.example.test", 22, "KCA",
    FLEET_HOST_KEY_CERT_AUTHORITY_UNSUPPORTED, 10, FALSE },
  { "ca-only-host", "node1.dc2.example.test", 22, "K1",
    FLEET_HOST_KEY_CERT_AUTHORITY_UNSUPPORTED, 10, FALSE },
  { "unknown-marker-ignored", "host06.example.test", 22, "K6", FLEET_HOST_KEY_UNKNOWN, 0, FALSE },
  { "trailing-comment", "host07.example.test", 22, "K7", FLEET_HOST_KEY_MATCH, 12, FALSE },
  { "mixed-case-name", "HOST07.Example.TEST", 22, "K7", FLEET_HOST_KEY_MATCH, 12, FALSE },
  { "several-keys-first", "host08.example.test", 22, "K8a", FLEET_HOST_KEY_MATCH, 14, FALSE },
  { "several-keys-second", "host08.example.test", 22, "K8b", FLEET_HOST_KEY_MATCH, 15, FALSE },
  { "ecdsa-key", "host09.example.test", 22, "E9", FLEET_HOST_KEY_MATCH, 16, FALSE },
  { "other-type-only", "host09.example.test", 22, "K1", FLEET_HOST_KEY_CHANGED, 16, TRUE },
  { "question-mark", "host10.example.test", 22, "K1", FLEET_HOST_KEY_MATCH, 17, FALSE },
  { "question-mark-one-char", "host100.example.test", 22, "K1", FLEET_HOST_KEY_UNKNOWN, 0, FALSE },
};

static void
test_form_case (gconstpointer data)
{
  const FormCase *form = data;
  g_autofree char *path = fleet_test_source_path ("tests/data/known-hosts/all-forms.known_hosts");
  g_autoptr(GHashTable) keys = load_named_keys ();
  g_autoptr(FleetKnownHosts) table = load_one (path);
  const TestKey *key = g_hash_table_lookup (keys, form->key_name);
  g_autoptr(FleetHostKeyCheck) check = NULL;
  g_autofree char *fingerprint = NULL;
  g_autofree char *line_text = g_strdup_printf ("line %u of %s", form->line, path);

  g_assert_nonnull (key);
  fingerprint = fingerprint_of (key);
  check = check_key (table, form->host, form->port, key);
  assert_verdict (check, form->verdict);
  g_assert_cmpstr (check->presented_fingerprint, ==, fingerprint);

  switch (form->verdict)
    {
    case FLEET_HOST_KEY_MATCH:
      g_assert_null (check->message);
      g_assert_nonnull (check->entry);
      g_assert_cmpstr (check->entry->file, ==, path);
      g_assert_cmpuint (check->entry->line, ==, form->line);
      g_assert_cmpstr (check->entry->fingerprint, ==, fingerprint);
      break;

    case FLEET_HOST_KEY_REVOKED:
      g_assert_nonnull (check->entry);
      g_assert_cmpuint (check->entry->line, ==, form->line);
      assert_contains (check->message, "revoked");
      assert_contains (check->message, line_text);
      assert_contains (check->message, fingerprint);
      break;

    case FLEET_HOST_KEY_CHANGED:
      g_assert_null (check->entry);
      g_assert_cmpuint (check->recorded->len, ==, 1);
      g_assert_cmpuint (((FleetKnownHostsEntry *) check->recorded->pdata[0])->line, ==,
                        form->line);
      g_assert_cmpint (check->other_types_only, ==, form->other_types_only);
      assert_contains (check->message, fingerprint);
      assert_contains (check->message,
                       ((FleetKnownHostsEntry *) check->recorded->pdata[0])->fingerprint);
      assert_contains (check->message, line_text);
      break;

    case FLEET_HOST_KEY_CERT_AUTHORITY_UNSUPPORTED:
      g_assert_cmpuint (check->recorded->len, ==, 1);
      g_assert_cmpuint (((FleetKnownHostsEntry *) check->recorded->pdata[0])->line, ==,
                        form->line);
      assert_contains (check->message, "host certificates are not supported");
      assert_contains (check->message, "add it to known_hosts");
      break;

    case FLEET_HOST_KEY_UNKNOWN:
      g_assert_null (check->entry);
      g_assert_cmpuint (check->recorded->len, ==, 0);
      assert_contains (check->message, fingerprint);
      assert_contains (check->message, path);
      break;
    }
}

static void
test_forms_lookup_name (void)
{
  g_autofree char *path = fleet_test_source_path ("tests/data/known-hosts/all-forms.known_hosts");
  g_autoptr(GHashTable) keys = load_named_keys ();
  g_autoptr(FleetKnownHosts) table = load_one (path);
  g_autoptr(FleetHostKeyCheck) on_port = check_key (table, "Host03.example.test", 2222,
                                                    g_hash_table_lookup (keys, "K3"));
  g_autoptr(FleetHostKeyCheck) on_22 = check_key (table, "Host03.example.test", 22,
                                                  g_hash_table_lookup (keys, "K3"));

  g_assert_cmpstr (on_port->lookup_name, ==, "[host03.example.test]:2222");
  g_assert_cmpstr (on_22->lookup_name, ==, "host03.example.test");
}

/* The unknown marker is the one malformed line; comments are not. */
static void
test_forms_malformed_line (void)
{
  g_autofree char *path = fleet_test_source_path ("tests/data/known-hosts/all-forms.known_hosts");
  g_autoptr(FleetKnownHosts) table = load_one (path);
  const GPtrArray *malformed = fleet_known_hosts_get_malformed (table);
  const FleetKnownHostsMalformedLine *line;

  g_assert_cmpuint (malformed->len, ==, 1);
  line = g_ptr_array_index (malformed, 0);
  g_assert_cmpstr (line->file, ==, path);
  g_assert_cmpuint (line->line, ==, 11);
  assert_contains (line->reason, "\"@weird-marker\"");
}

static void
test_forms_key_types (void)
{
  g_autofree char *path = fleet_test_source_path ("tests/data/known-hosts/all-forms.known_hosts");
  g_autoptr(FleetKnownHosts) table = load_one (path);
  g_auto(GStrv) ecdsa_host = fleet_known_hosts_get_key_types (table, "host09.example.test", 22);
  g_auto(GStrv) two_keys = fleet_known_hosts_get_key_types (table, "host08.example.test", 22);
  g_auto(GStrv) ca_only = fleet_known_hosts_get_key_types (table, "node1.dc2.example.test", 22);
  g_auto(GStrv) unknown = fleet_known_hosts_get_key_types (table, "nowhere.example.test", 22);

  g_assert_cmpuint (g_strv_length (ecdsa_host), ==, 1);
  g_assert_cmpstr (ecdsa_host[0], ==, "ecdsa-sha2-nistp256");
  g_assert_cmpuint (g_strv_length (two_keys), ==, 1);
  g_assert_cmpstr (two_keys[0], ==, "ssh-ed25519");
  g_assert_cmpuint (g_strv_length (ca_only), ==, 0);
  g_assert_cmpuint (g_strv_length (unknown), ==, 0);
}

/* ---- Certificates ---- */

/* A host that presents a certificate signed by its @cert-authority key is
 * rejected as unsupported, never as changed or matching.  A @revoked line
 * with a certificate key type parses and revokes that certificate. */
static void
test_cert_authority_certificate (Fixture *fixture, gconstpointer data)
{
  g_autoptr(TestKey) ca = generate_key (fixture, "ca", "ed25519");
  g_autoptr(TestKey) host_key = generate_key (fixture, "host", "ed25519");
  g_autofree char *ca_path = fleet_test_dir_path (fixture, "ca");
  g_autofree char *host_public = fleet_test_dir_path (fixture, "host.pub");
  g_autofree char *cert_path = fleet_test_dir_path (fixture, "host-cert.pub");
  const char *sign[] = { "ssh-keygen", "-q", "-s", ca_path, "-I", "node1", "-h", "-n",
                         "node1.dc2.example.test", host_public, NULL };
  g_autoptr(TestKey) cert = NULL;
  g_autofree char *ca_line = NULL;
  g_autofree char *ca_text = key_line_text (ca);
  g_autofree char *cert_text = NULL;
  g_autofree char *revoked_line = NULL;
  g_autofree char *ca_file = fleet_test_dir_path (fixture, "ca_known_hosts");
  g_autofree char *revoked_file = fleet_test_dir_path (fixture, "revoked_known_hosts");
  g_autoptr(FleetKnownHosts) ca_table = NULL;
  g_autoptr(FleetKnownHosts) revoked_table = NULL;
  g_autoptr(FleetHostKeyCheck) certified = NULL;
  g_autoptr(FleetHostKeyCheck) plain = NULL;
  g_autoptr(FleetHostKeyCheck) revoked = NULL;
  g_autofree char *pinned_file = fleet_test_dir_path (fixture, "pinned_known_hosts");
  g_autofree char *pinned_line = NULL;
  g_autoptr(FleetKnownHosts) pinned_table = NULL;
  g_autoptr(FleetHostKeyCheck) pinned = NULL;
  g_autofree char *new_file = fleet_test_dir_path (fixture, "new_known_hosts");
  g_autoptr(GError) error = NULL;

  g_assert_cmpint (fleet_test_spawn (sign, NULL, NULL), ==, 0);
  cert = read_public_key (cert_path);
  g_assert_cmpstr (cert->type, ==, "ssh-ed25519-cert-v01@openssh.com");
  cert_text = key_line_text (cert);

  ca_line = g_strdup_printf ("@cert-authority *.dc2.example.test %s\n", ca_text);
  fleet_test_write_file (ca_file, ca_line, -1);
  ca_table = load_one (ca_file);
  certified = check_key (ca_table, "node1.dc2.example.test", 22, cert);
  assert_verdict (certified, FLEET_HOST_KEY_CERT_AUTHORITY_UNSUPPORTED);
  g_assert_cmpuint (certified->recorded->len, ==, 1);
  assert_contains (certified->message, "host certificates are not supported");
  plain = check_key (ca_table, "node1.dc2.example.test", 22, host_key);
  assert_verdict (plain, FLEET_HOST_KEY_CERT_AUTHORITY_UNSUPPORTED);

  /* A plain line with the very same certificate does not make it trusted,
   * and accept-new never records a certificate. */
  pinned_line = g_strdup_printf ("node1.dc2.example.test %s\n", cert_text);
  fleet_test_write_file (pinned_file, pinned_line, -1);
  pinned_table = load_one (pinned_file);
  pinned = check_key (pinned_table, "node1.dc2.example.test", 22, cert);
  assert_verdict (pinned, FLEET_HOST_KEY_CHANGED);
  g_assert_false (add_key (pinned_table, new_file, "node9.example.test", 22, cert, FALSE,
                           &error));
  g_assert_error (error, FLEET_KNOWN_HOSTS_ERROR, FLEET_KNOWN_HOSTS_ERROR_INVALID_KEY);
  assert_contains (error->message, "host certificates are not supported");
  g_assert_false (g_file_test (new_file, G_FILE_TEST_EXISTS));

  revoked_line = g_strdup_printf ("%s@revoked * %s\n", ca_line, cert_text);
  fleet_test_write_file (revoked_file, revoked_line, -1);
  revoked_table = load_one (revoked_file);
  g_assert_cmpuint (fleet_known_hosts_get_malformed (revoked_table)->len, ==, 0);
  revoked = check_key (revoked_table, "node1.dc2.example.test", 22, cert);
  assert_verdict (revoked, FLEET_HOST_KEY_REVOKED);
  g_assert_cmpuint (revoked->entry->line, ==, 2);
}

/* ---- Hashed names ---- */

/* Lines hashed by ssh-keygen -H match on their own port only. */
static void
test_hashed_by_ssh_keygen (Fixture *fixture, gconstpointer data)
{
  g_autoptr(TestKey) first = generate_key (fixture, "first", "ed25519");
  g_autoptr(TestKey) second = generate_key (fixture, "second", "ecdsa");
  g_autofree char *first_text = key_line_text (first);
  g_autofree char *second_text = key_line_text (second);
  g_autofree char *known_hosts = fleet_test_dir_path (fixture, "known_hosts");
  g_autofree char *contents = g_strdup_printf ("alpha.example.test %s\n"
                                               "[beta.example.test]:2222 %s\n",
                                               first_text, second_text);
  const char *hash[] = { "ssh-keygen", "-H", "-f", known_hosts, NULL };
  g_autofree char *hashed = NULL;
  g_autoptr(FleetKnownHosts) table = NULL;
  g_autoptr(FleetHostKeyCheck) alpha = NULL;
  g_autoptr(FleetHostKeyCheck) beta = NULL;
  g_autoptr(FleetHostKeyCheck) beta_on_22 = NULL;
  g_autoptr(FleetHostKeyCheck) alpha_on_2222 = NULL;

  fleet_test_write_file (known_hosts, contents, -1);
  g_assert_cmpint (fleet_test_spawn (hash, NULL, NULL), ==, 0);
  hashed = fleet_test_read_file (known_hosts);
  g_assert_true (g_str_has_prefix (hashed, "|1|"));
  g_assert_null (strstr (hashed, "example.test"));

  table = load_one (known_hosts);
  g_assert_cmpuint (fleet_known_hosts_get_malformed (table)->len, ==, 0);
  alpha = check_key (table, "alpha.example.test", 22, first);
  beta = check_key (table, "BETA.example.test", 2222, second);
  beta_on_22 = check_key (table, "beta.example.test", 22, second);
  alpha_on_2222 = check_key (table, "alpha.example.test", 2222, first);

  assert_verdict (alpha, FLEET_HOST_KEY_MATCH);
  g_assert_cmpuint (alpha->entry->line, ==, 1);
  assert_verdict (beta, FLEET_HOST_KEY_MATCH);
  g_assert_cmpuint (beta->entry->line, ==, 2);
  assert_verdict (beta_on_22, FLEET_HOST_KEY_UNKNOWN);
  assert_verdict (alpha_on_2222, FLEET_HOST_KEY_UNKNOWN);
}

/* Hashed lines that fleetc appends are found by ssh-keygen -F. */
static void
test_hashed_add_found_by_ssh_keygen (Fixture *fixture, gconstpointer data)
{
  g_autoptr(TestKey) key = synthetic_key (7);
  g_autofree char *known_hosts = fleet_test_dir_path (fixture, "known_hosts");
  g_autoptr(FleetKnownHosts) table = fleet_known_hosts_new ();
  g_autoptr(GError) error = NULL;
  const char *find_plain[] = { "ssh-keygen", "-F", "gamma.example.test", "-f", known_hosts,
                               NULL };
  const char *find_port[] = { "ssh-keygen", "-F", "[gamma.example.test]:2222", "-f",
                              known_hosts, NULL };
  g_autofree char *contents = NULL;
  g_autofree char *found = NULL;

  add_key (table, known_hosts, "Gamma.example.test", 22, key, TRUE, &error);
  g_assert_no_error (error);
  add_key (table, known_hosts, "gamma.example.test", 2222, key, TRUE, &error);
  g_assert_no_error (error);

  contents = fleet_test_read_file (known_hosts);
  g_assert_true (g_str_has_prefix (contents, "|1|"));
  g_assert_null (strstr (contents, "gamma"));
  g_assert_cmpint (fleet_test_spawn (find_plain, &found, NULL), ==, 0);
  assert_contains (found, "found: line 1");
  g_clear_pointer (&found, g_free);
  g_assert_cmpint (fleet_test_spawn (find_port, &found, NULL), ==, 0);
  assert_contains (found, "found: line 2");
}

/* The hashed form of a name matches OpenSSL's own HMAC-SHA1. */
static void
test_hashed_matches_openssl_hmac (Fixture *fixture, gconstpointer data)
{
  g_autoptr(TestKey) key = synthetic_key (11);
  g_autofree char *key_text = key_line_text (key);
  g_autofree char *known_hosts = fleet_test_dir_path (fixture, "known_hosts");
  guint8 salt[20];
  guint8 digest[EVP_MAX_MD_SIZE];
  unsigned int digest_length = 0;
  const char *name = "[delta.example.test]:2200";
  g_autofree char *salt_text = NULL;
  g_autofree char *hash_text = NULL;
  g_autofree char *contents = NULL;
  g_autoptr(FleetKnownHosts) table = NULL;
  g_autoptr(FleetHostKeyCheck) check = NULL;

  for (guint i = 0; i < sizeof salt; i++)
    salt[i] = (guint8) (i * 13 + 5);
  g_assert_nonnull (HMAC (EVP_sha1 (), salt, sizeof salt, (const guint8 *) name, strlen (name),
                          digest, &digest_length));
  salt_text = g_base64_encode (salt, sizeof salt);
  hash_text = g_base64_encode (digest, digest_length);
  contents = g_strdup_printf ("|1|%s|%s %s\n", salt_text, hash_text, key_text);
  fleet_test_write_file (known_hosts, contents, -1);

  table = load_one (known_hosts);
  check = check_key (table, "delta.example.test", 2200, key);
  assert_verdict (check, FLEET_HOST_KEY_MATCH);
}

/* ---- Negation and wildcards ---- */

static void
test_negation (Fixture *fixture, gconstpointer data)
{
  g_autoptr(TestKey) k1 = synthetic_key (1);
  g_autoptr(TestKey) k2 = synthetic_key (2);
  g_autoptr(TestKey) k3 = synthetic_key (3);
  g_autofree char *text1 = key_line_text (k1);
  g_autofree char *text2 = key_line_text (k2);
  g_autofree char *text3 = key_line_text (k3);
  g_autofree char *known_hosts = fleet_test_dir_path (fixture, "known_hosts");
  g_autofree char *contents = g_strdup_printf (
    "*.example.test,!db?.example.test %s\n"
    "self.example.test,!self.example.test %s\n"
    "!nobody.example.test %s\n"
    "db1.example.test %s\n"
    "[*.example.test]:2222,![secret.example.test]:2222 %s\n",
    text1, text2, text3, text2, text3);
  g_autoptr(FleetKnownHosts) table = NULL;
  struct {
    const char *host;
    guint16 port;
    const TestKey *key;
    FleetHostKeyVerdict verdict;
  } cases[] = {
    { "web.example.test", 22, k1, FLEET_HOST_KEY_MATCH },
    { "db1.example.test", 22, k1, FLEET_HOST_KEY_CHANGED },  /* only line 4 applies */
    { "db1.example.test", 22, k2, FLEET_HOST_KEY_MATCH },
    { "db10.example.test", 22, k1, FLEET_HOST_KEY_MATCH },  /* ? is one character */
    { "self.example.test", 22, k2, FLEET_HOST_KEY_CHANGED }, /* line 1 only */
    { "other.test", 22, k3, FLEET_HOST_KEY_UNKNOWN },       /* a negation alone never matches */
    { "web.example.test", 2222, k3, FLEET_HOST_KEY_MATCH },
    { "secret.example.test", 2222, k3, FLEET_HOST_KEY_UNKNOWN },
  };

  fleet_test_write_file (known_hosts, contents, -1);
  table = load_one (known_hosts);
  g_assert_cmpuint (fleet_known_hosts_get_malformed (table)->len, ==, 0);

  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autoptr(FleetHostKeyCheck) check = check_key (table, cases[i].host, cases[i].port,
                                                      cases[i].key);
      assert_verdict (check, cases[i].verdict);
    }
}

/* ---- Loading ---- */

static void
test_load_multiple_files (Fixture *fixture, gconstpointer data)
{
  g_autoptr(TestKey) k1 = synthetic_key (1);
  g_autoptr(TestKey) k2 = synthetic_key (2);
  g_autoptr(TestKey) k3 = synthetic_key (3);
  g_autofree char *text1 = key_line_text (k1);
  g_autofree char *text2 = key_line_text (k2);
  g_autofree char *user = fleet_test_dir_path (fixture, "user_known_hosts");
  g_autofree char *missing_user = fleet_test_dir_path (fixture, "user_known_hosts2");
  g_autofree char *global = fleet_test_dir_path (fixture, "global_known_hosts");
  g_autofree char *user_text = g_strdup_printf ("a.example.test %s\nc.example.test %s\n", text1,
                                                text1);
  g_autofree char *global_text = g_strdup_printf ("# global\nb.example.test %s\n"
                                                  "c.example.test %s\n", text2, text2);
  const char *paths[] = { user, missing_user, global, user, NULL };
  g_autoptr(FleetKnownHosts) table = NULL;
  g_autoptr(FleetHostKeyCheck) host_a = NULL;
  g_autoptr(FleetHostKeyCheck) host_b = NULL;
  g_autoptr(FleetHostKeyCheck) host_c = NULL;
  const FleetKnownHostsEntry *first;
  const FleetKnownHostsEntry *second;
  g_autofree char *remove_text = NULL;

  fleet_test_write_file (user, user_text, -1);
  fleet_test_write_file (global, global_text, -1);
  table = load_table (paths);

  host_a = check_key (table, "a.example.test", 22, k1);
  assert_verdict (host_a, FLEET_HOST_KEY_MATCH);
  g_assert_cmpstr (host_a->entry->file, ==, user);
  host_b = check_key (table, "b.example.test", 22, k2);
  assert_verdict (host_b, FLEET_HOST_KEY_MATCH);
  g_assert_cmpstr (host_b->entry->file, ==, global);
  g_assert_cmpuint (host_b->entry->line, ==, 2);

  /* Loading `user` twice added nothing: c has exactly two recorded keys. */
  host_c = check_key (table, "c.example.test", 22, k3);
  assert_verdict (host_c, FLEET_HOST_KEY_CHANGED);
  g_assert_cmpuint (host_c->recorded->len, ==, 2);
  first = g_ptr_array_index (host_c->recorded, 0);
  second = g_ptr_array_index (host_c->recorded, 1);
  g_assert_cmpstr (first->file, ==, user);
  g_assert_cmpuint (first->line, ==, 2);
  g_assert_cmpstr (second->file, ==, global);
  g_assert_cmpuint (second->line, ==, 3);
  remove_text = g_strdup_printf ("line 2 of %s and line 3 of %s", user, global);
  assert_contains (host_c->message, remove_text);
}

static void
test_load_missing_file (Fixture *fixture, gconstpointer data)
{
  g_autoptr(TestKey) key = synthetic_key (1);
  g_autofree char *missing = fleet_test_dir_path (fixture, "no/such/known_hosts");
  g_autoptr(FleetKnownHosts) table = load_one (missing);
  g_autoptr(FleetHostKeyCheck) check = check_key (table, "a.example.test", 22, key);

  assert_verdict (check, FLEET_HOST_KEY_UNKNOWN);
  assert_contains (check->message, missing);
  g_assert_cmpuint (fleet_known_hosts_get_malformed (table)->len, ==, 0);
}

static void
test_load_directory_error (Fixture *fixture, gconstpointer data)
{
  g_autoptr(FleetKnownHosts) table = fleet_known_hosts_new ();
  g_autoptr(GError) error = NULL;

  g_assert_false (fleet_known_hosts_load (table, fixture->dir, &error));
  g_assert_error (error, FLEET_KNOWN_HOSTS_ERROR, FLEET_KNOWN_HOSTS_ERROR_IO);
  assert_contains (error->message, fixture->dir);
  assert_contains (error->message, "directory");
}

/* Only a missing file counts as empty: a path through a regular file is an
 * error, whoever runs the test. */
static void
test_load_path_through_file_error (Fixture *fixture, gconstpointer data)
{
  g_autofree char *regular = fleet_test_dir_path (fixture, "regular");
  g_autofree char *path = fleet_test_dir_path (fixture, "regular/known_hosts");
  g_autoptr(FleetKnownHosts) table = fleet_known_hosts_new ();
  g_autoptr(GError) error = NULL;

  fleet_test_write_file (regular, "", -1);
  g_assert_false (fleet_known_hosts_load (table, path, &error));
  g_assert_error (error, FLEET_KNOWN_HOSTS_ERROR, FLEET_KNOWN_HOSTS_ERROR_IO);
  assert_contains (error->message, path);
  assert_contains (error->message, "Not a directory");
}

static void
test_load_unreadable_error (Fixture *fixture, gconstpointer data)
{
  g_autofree char *path = fleet_test_dir_path (fixture, "known_hosts");
  g_autoptr(FleetKnownHosts) table = fleet_known_hosts_new ();
  g_autoptr(GError) error = NULL;

  fleet_test_write_file (path, "", -1);
  g_assert_cmpint (g_chmod (path, 0), ==, 0);
  if (access (path, R_OK) == 0)
    {
      g_test_skip ("file permissions do not stop this user (root) from reading");
      return;
    }

  g_assert_false (fleet_known_hosts_load (table, path, &error));
  g_assert_error (error, FLEET_KNOWN_HOSTS_ERROR, FLEET_KNOWN_HOSTS_ERROR_IO);
  assert_contains (error->message, path);
  assert_contains (error->message, "Permission denied");
}

/* Malformed lines are skipped and listed; the lines around them load. */
static void
test_load_malformed_lines (Fixture *fixture, gconstpointer data)
{
  g_autoptr(TestKey) good = synthetic_key (1);
  g_autofree char *text = key_line_text (good);
  g_autofree char *base64 = g_strdup (strchr (text, ' ') + 1);
  g_autofree char *path = fleet_test_dir_path (fixture, "known_hosts");
  GString *contents = g_string_new (NULL);
  const GPtrArray *malformed;
  g_autoptr(FleetKnownHosts) table = NULL;
  const guint expected_lines[] = { 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12 };
  const char *good_hosts[] = { "good1.example.test", "good2.example.test",
                               "good3.example.test", "good4.example.test" };

  g_string_append_printf (contents, "good1.example.test %s\n", text);            /* 1 */
  g_string_append (contents, "lonely-host\n");                                   /* 2 */
  g_string_append (contents, "host-b.example.test ssh-ed25519\n");               /* 3 */
  g_string_append (contents, "host-c.example.test ssh-ed25519 !!!!\n");          /* 4 */
  g_string_append_printf (contents, "host-d.example.test ssh-rsa %s\n", base64); /* 5 */
  g_string_append_printf (contents, "|1|abc|def %s\n", text);                    /* 6 */
  g_string_append_printf (contents, "|2|AAAA|AAAA %s\n", text);                  /* 7 */
  g_string_append_printf (contents, "host-e.example.test,,x %s\n", text);        /* 8 */
  g_string_append_printf (contents, "@weird host-f.example.test %s\n", text);    /* 9 */
  g_string_append (contents, "host-g.example.test 2048 65537 12345\n");          /* 10 */
  g_string_append_printf (contents, "host-h.example.test ssh-ed25519 %sAB\n", base64); /* 11 */
  g_string_append_printf (contents, "host-i.example.test %s", text);             /* 12 */
  g_string_append_c (contents, '\0');
  g_string_append (contents, "\n");
  g_string_append_printf (contents, "good2.example.test %s\r\n", text);          /* 13 */
  g_string_append_printf (contents, "good3.example.test\t%s  trailing words\n", text); /* 14 */
  g_string_append_printf (contents, "  good4.example.test %s", text);            /* 15 */

  g_assert_true (g_file_set_contents (path, contents->str, contents->len, NULL));
  g_string_free (contents, TRUE);
  table = load_one (path);

  malformed = fleet_known_hosts_get_malformed (table);
  g_assert_cmpuint (malformed->len, ==, G_N_ELEMENTS (expected_lines));
  for (guint i = 0; i < malformed->len; i++)
    {
      const FleetKnownHostsMalformedLine *line = g_ptr_array_index (malformed, i);

      g_assert_cmpuint (line->line, ==, expected_lines[i]);
      g_assert_cmpstr (line->file, ==, path);
      g_assert_cmpuint (strlen (line->reason), >, 0);
    }
  assert_contains (((FleetKnownHostsMalformedLine *) malformed->pdata[3])->reason, "ssh-rsa");
  assert_contains (((FleetKnownHostsMalformedLine *) malformed->pdata[7])->reason, "\"@weird\"");

  for (guint i = 0; i < G_N_ELEMENTS (good_hosts); i++)
    {
      g_autoptr(FleetHostKeyCheck) check = check_key (table, good_hosts[i], 22, good);
      assert_verdict (check, FLEET_HOST_KEY_MATCH);
    }
}

/* A wildcard pattern with bytes that are not UTF-8 made GPatternSpec
 * abort the process; the line is now skipped as malformed. */
static void
test_load_wildcard_not_utf8 (Fixture *fixture, gconstpointer data)
{
  g_autoptr(TestKey) key = synthetic_key (1);
  g_autofree char *text = key_line_text (key);
  g_autofree char *path = fleet_test_dir_path (fixture, "known_hosts");
  g_autofree char *contents = g_strdup_printf ("web\xff*.example.test %s\n"
                                               "good.example.test,?\xc3.example.test %s\n"
                                               "good.example.test %s\n",
                                               text, text, text);
  g_autoptr(FleetKnownHosts) table = NULL;
  g_autoptr(FleetHostKeyCheck) unknown = NULL;
  g_autoptr(FleetHostKeyCheck) good = NULL;
  const GPtrArray *malformed;

  g_assert_true (g_file_set_contents (path, contents, -1, NULL));
  table = load_one (path);

  malformed = fleet_known_hosts_get_malformed (table);
  g_assert_cmpuint (malformed->len, ==, 2);
  g_assert_cmpuint (((FleetKnownHostsMalformedLine *) malformed->pdata[0])->line, ==, 1);
  g_assert_cmpuint (((FleetKnownHostsMalformedLine *) malformed->pdata[1])->line, ==, 2);
  assert_contains (((FleetKnownHostsMalformedLine *) malformed->pdata[0])->reason,
                   "not valid UTF-8");
  assert_contains (((FleetKnownHostsMalformedLine *) malformed->pdata[0])->reason,
                   "\"web\\xff*.example.test\"");

  unknown = check_key (table, "web1.example.test", 22, key);
  assert_verdict (unknown, FLEET_HOST_KEY_UNKNOWN);
  good = check_key (table, "good.example.test", 22, key);
  assert_verdict (good, FLEET_HOST_KEY_MATCH);
  g_assert_cmpuint (good->entry->line, ==, 3);
}

/* ---- Checks ---- */

static void
test_check_invalid_key (void)
{
  g_autoptr(TestKey) key = synthetic_key (1);
  g_autoptr(FleetKnownHosts) table = fleet_known_hosts_new ();
  g_autoptr(GError) error = NULL;
  const guint8 truncated[] = { 0, 0, 0, 11, 's', 's', 'h' };

  g_assert_null (fleet_known_hosts_check (table, "a.example.test", 22, "ssh-rsa",
                                          g_bytes_get_data (key->blob, NULL),
                                          g_bytes_get_size (key->blob), &error));
  g_assert_error (error, FLEET_KNOWN_HOSTS_ERROR, FLEET_KNOWN_HOSTS_ERROR_INVALID_KEY);
  assert_contains (error->message, "a.example.test");
  g_clear_error (&error);

  g_assert_null (fleet_known_hosts_check (table, "a.example.test", 22, "ssh-ed25519",
                                          truncated, sizeof truncated, &error));
  g_assert_error (error, FLEET_KNOWN_HOSTS_ERROR, FLEET_KNOWN_HOSTS_ERROR_INVALID_KEY);
}

/* Fingerprints read exactly as ssh-keygen -l prints them. */
static void
test_fingerprint_matches_ssh_keygen (Fixture *fixture, gconstpointer data)
{
  const char *types[] = { "ed25519", "ecdsa", "rsa" };

  for (guint i = 0; i < G_N_ELEMENTS (types); i++)
    {
      g_autoptr(TestKey) key = generate_key (fixture, types[i], types[i]);
      g_autofree char *public_path = g_strdup_printf ("%s/%s.pub", fixture->dir, types[i]);
      const char *argv[] = { "ssh-keygen", "-l", "-E", "sha256", "-f", public_path, NULL };
      g_autofree char *out = NULL;
      g_auto(GStrv) fields = NULL;
      g_autofree char *fingerprint = fingerprint_of (key);

      g_assert_cmpint (fleet_test_spawn (argv, &out, NULL), ==, 0);
      fields = g_strsplit (out, " ", 3);
      g_assert_cmpstr (fingerprint, ==, fields[1]);
    }
}

/* ---- Accept-new ---- */

static void
test_add_creates_file (Fixture *fixture, gconstpointer data)
{
  g_autoptr(TestKey) key = synthetic_key (5);
  g_autofree char *key_text = key_line_text (key);
  g_autofree char *directory = fleet_test_dir_path (fixture, "home/.ssh");
  g_autofree char *path = fleet_test_dir_path (fixture, "home/.ssh/known_hosts");
  g_autoptr(FleetKnownHosts) table = fleet_known_hosts_new ();
  g_autoptr(FleetKnownHosts) reloaded = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *contents = NULL;
  g_autofree char *expected = NULL;
  struct stat info;

  g_assert_true (add_key (table, path, "New.example.test", 22, key, FALSE, &error));
  g_assert_no_error (error);
  g_assert_true (add_key (table, path, "new.example.test", 2222, key, FALSE, &error));
  g_assert_no_error (error);

  g_assert_cmpint (g_stat (directory, &info), ==, 0);
  g_assert_cmpuint (info.st_mode & 0777, ==, 0700);
  g_assert_cmpint (g_stat (path, &info), ==, 0);
  g_assert_cmpuint (info.st_mode & 0777, ==, 0600);

  contents = fleet_test_read_file (path);
  expected = g_strdup_printf ("new.example.test %s\n[new.example.test]:2222 %s\n", key_text,
                              key_text);
  g_assert_cmpstr (contents, ==, expected);

  for (guint pass = 0; pass < 2; pass++)
    {
      FleetKnownHosts *source = pass == 0 ? table : (reloaded = load_one (path));
      g_autoptr(FleetHostKeyCheck) on_22 = check_key (source, "new.example.test", 22, key);
      g_autoptr(FleetHostKeyCheck) on_2222 = check_key (source, "new.example.test", 2222, key);

      assert_verdict (on_22, FLEET_HOST_KEY_MATCH);
      g_assert_cmpuint (on_22->entry->line, ==, 1);
      g_assert_cmpstr (on_22->entry->file, ==, path);
      assert_verdict (on_2222, FLEET_HOST_KEY_MATCH);
      g_assert_cmpuint (on_2222->entry->line, ==, 2);
    }
}

/* A file without a final newline gets one before the new line. */
static void
test_add_after_unterminated_line (Fixture *fixture, gconstpointer data)
{
  g_autoptr(TestKey) k1 = synthetic_key (1);
  g_autoptr(TestKey) k2 = synthetic_key (2);
  g_autofree char *text1 = key_line_text (k1);
  g_autofree char *text2 = key_line_text (k2);
  g_autofree char *path = fleet_test_dir_path (fixture, "known_hosts");
  g_autofree char *initial = g_strdup_printf ("# first\na.example.test %s", text1);
  g_autofree char *expected = g_strdup_printf ("%s\nb.example.test %s\n", initial, text2);
  g_autofree char *contents = NULL;
  g_autoptr(FleetKnownHosts) table = NULL;
  g_autoptr(FleetKnownHosts) reloaded = NULL;
  g_autoptr(FleetHostKeyCheck) check = NULL;
  g_autoptr(GError) error = NULL;

  fleet_test_write_file (path, initial, -1);
  table = load_one (path);
  g_assert_true (add_key (table, path, "b.example.test", 22, k2, FALSE, &error));
  g_assert_no_error (error);

  contents = fleet_test_read_file (path);
  g_assert_cmpstr (contents, ==, expected);
  check = check_key (table, "b.example.test", 22, k2);
  assert_verdict (check, FLEET_HOST_KEY_MATCH);
  g_assert_cmpuint (check->entry->line, ==, 3);

  reloaded = load_one (path);
  g_assert_cmpuint (fleet_known_hosts_get_malformed (reloaded)->len, ==, 0);
}

/* The line number of an added line counts lines that another program
 * appended after the table loaded the file. */
static void
test_add_after_foreign_append (Fixture *fixture, gconstpointer data)
{
  g_autoptr(TestKey) k1 = synthetic_key (1);
  g_autoptr(TestKey) k2 = synthetic_key (2);
  g_autoptr(TestKey) k3 = synthetic_key (3);
  g_autofree char *text1 = key_line_text (k1);
  g_autofree char *text2 = key_line_text (k2);
  g_autofree char *path = fleet_test_dir_path (fixture, "known_hosts");
  g_autofree char *initial = g_strdup_printf ("a.example.test %s\n", text1);
  g_autofree char *appended = g_strdup_printf ("%sb.example.test %s\n# note\n", initial, text2);
  g_autoptr(FleetKnownHosts) table = NULL;
  g_autoptr(FleetHostKeyCheck) check = NULL;
  g_autoptr(GError) error = NULL;

  fleet_test_write_file (path, initial, -1);
  table = load_one (path);
  fleet_test_write_file (path, appended, -1);

  g_assert_true (add_key (table, path, "c.example.test", 22, k3, FALSE, &error));
  g_assert_no_error (error);
  check = check_key (table, "c.example.test", 22, k3);
  assert_verdict (check, FLEET_HOST_KEY_MATCH);
  g_assert_cmpuint (check->entry->line, ==, 4);
}

/* A host with lines already is never added to, and nothing is written. */
static void
test_add_rejects_known_host (Fixture *fixture, gconstpointer data)
{
  g_autoptr(TestKey) k1 = synthetic_key (1);
  g_autoptr(TestKey) k2 = synthetic_key (2);
  g_autoptr(TestKey) k3 = synthetic_key (3);
  g_autofree char *text1 = key_line_text (k1);
  g_autofree char *text2 = key_line_text (k2);
  g_autofree char *text3 = key_line_text (k3);
  g_autofree char *path = fleet_test_dir_path (fixture, "known_hosts");
  g_autofree char *initial = g_strdup_printf ("a.example.test %s\n"
                                              "@revoked * %s\n"
                                              "@cert-authority *.ca.example.test %s\n",
                                              text1, text2, text3);
  g_autoptr(FleetKnownHosts) table = fleet_known_hosts_new ();
  g_autoptr(GError) error = NULL;
  g_autofree char *after = NULL;
  g_autofree char *line_text = g_strdup_printf ("line 1 of %s", path);

  fleet_test_write_file (path, initial, -1);

  /* The table loads the file itself before adding to it. */
  g_assert_false (add_key (table, path, "a.example.test", 22, k3, FALSE, &error));
  g_assert_error (error, FLEET_KNOWN_HOSTS_ERROR, FLEET_KNOWN_HOSTS_ERROR_HOST_KNOWN);
  assert_contains (error->message, "has changed");
  assert_contains (error->message, line_text);
  g_clear_error (&error);

  g_assert_true (add_key (table, path, "a.example.test", 22, k1, FALSE, &error));
  g_assert_no_error (error);

  g_assert_false (add_key (table, path, "new.example.test", 22, k2, FALSE, &error));
  g_assert_error (error, FLEET_KNOWN_HOSTS_ERROR, FLEET_KNOWN_HOSTS_ERROR_REVOKED);
  g_clear_error (&error);

  g_assert_false (add_key (table, path, "node.ca.example.test", 22, k1, FALSE, &error));
  g_assert_error (error, FLEET_KNOWN_HOSTS_ERROR, FLEET_KNOWN_HOSTS_ERROR_HOST_KNOWN);
  assert_contains (error->message, "host certificates are not supported");
  g_clear_error (&error);

  g_assert_false (add_key (table, path, "bad host", 22, k1, FALSE, &error));
  g_assert_error (error, FLEET_KNOWN_HOSTS_ERROR, FLEET_KNOWN_HOSTS_ERROR_INVALID_HOST);
  g_clear_error (&error);

  g_assert_false (add_key (table, path, "*.example.test", 22, k1, FALSE, &error));
  g_assert_error (error, FLEET_KNOWN_HOSTS_ERROR, FLEET_KNOWN_HOSTS_ERROR_INVALID_HOST);
  g_clear_error (&error);

  g_assert_false (fleet_known_hosts_add (table, path, "b.example.test", 22, "ssh-rsa",
                                         g_bytes_get_data (k1->blob, NULL),
                                         g_bytes_get_size (k1->blob), FALSE, &error));
  g_assert_error (error, FLEET_KNOWN_HOSTS_ERROR, FLEET_KNOWN_HOSTS_ERROR_INVALID_KEY);

  after = fleet_test_read_file (path);
  g_assert_cmpstr (after, ==, initial);
}

/* ---- Errors of the files themselves ---- */

/* /proc/self/mem opens and stats as an empty regular file, but reading its
 * first page fails with EIO. */
static void
test_load_read_error (Fixture *fixture, gconstpointer data)
{
  g_autoptr(FleetKnownHosts) table = fleet_known_hosts_new ();
  g_autoptr(GError) error = NULL;

  if (!g_file_test ("/proc/self/mem", G_FILE_TEST_EXISTS))
    {
      g_test_skip ("/proc/self/mem is missing (no Linux procfs)");
      return;
    }

  g_assert_false (fleet_known_hosts_load (table, "/proc/self/mem", &error));
  g_assert_error (error, FLEET_KNOWN_HOSTS_ERROR, FLEET_KNOWN_HOSTS_ERROR_IO);
  assert_contains (error->message, "/proc/self/mem");
  assert_contains (error->message, "Input/output error");
}

/* A sparse file one byte over the limit is rejected after reading the
 * limit, without holding the rest. */
static void
test_load_too_large (Fixture *fixture, gconstpointer data)
{
  g_autofree char *path = fleet_test_dir_path (fixture, "known_hosts");
  g_autoptr(FleetKnownHosts) table = fleet_known_hosts_new ();
  g_autoptr(GError) error = NULL;

  fleet_test_write_file (path, "", -1);
  g_assert_cmpint (truncate (path, FLEET_KNOWN_HOSTS_MAX_FILE_BYTES + 1), ==, 0);

  g_assert_false (fleet_known_hosts_load (table, path, &error));
  g_assert_error (error, FLEET_KNOWN_HOSTS_ERROR, FLEET_KNOWN_HOSTS_ERROR_IO);
  assert_contains (error->message, path);
  assert_contains (error->message, "larger than 64 MiB");
}

/* A file at the size limit loads, but not once a line is added to it, so
 * the append reports the error of reading it back. */
static void
test_add_to_file_at_limit (Fixture *fixture, gconstpointer data)
{
  g_autoptr(TestKey) key = synthetic_key (26);
  g_autofree char *path = fleet_test_dir_path (fixture, "known_hosts");
  g_autoptr(FleetKnownHosts) table = fleet_known_hosts_new ();
  g_autoptr(GError) error = NULL;

  fleet_test_write_file (path, "", -1);
  g_assert_cmpint (truncate (path, FLEET_KNOWN_HOSTS_MAX_FILE_BYTES - 1), ==, 0);

  g_assert_false (add_key (table, path, "a.example.test", 22, key, FALSE, &error));
  g_assert_error (error, FLEET_KNOWN_HOSTS_ERROR, FLEET_KNOWN_HOSTS_ERROR_IO);
  assert_contains (error->message, "larger than 64 MiB");
}

/* Every way an accept-new append can fail leaves an error that names the
 * file.  The paths in /proc fail for root too. */
static void
test_add_file_errors (Fixture *fixture, gconstpointer data)
{
  const char comment[] = "# a comment line\n";
  g_autoptr(TestKey) key = synthetic_key (21);
  g_autofree char *path = fleet_test_dir_path (fixture, "known_hosts");
  g_autoptr(FleetKnownHosts) table = fleet_known_hosts_new ();
  g_autoptr(GError) error = NULL;
  struct rlimit saved;
  struct rlimit limit;
  gboolean added;

  /* A directory cannot be loaded, so nothing is appended to it. */
  g_assert_false (add_key (table, fixture->dir, "a.example.test", 22, key, FALSE, &error));
  g_assert_error (error, FLEET_KNOWN_HOSTS_ERROR, FLEET_KNOWN_HOSTS_ERROR_IO);
  assert_contains (error->message, "Is a directory");
  g_clear_error (&error);

  /* The missing file loads as empty, but its directory cannot be created. */
  g_assert_false (add_key (table, "/proc/self/fleet-test/known_hosts", "a.example.test", 22,
                           key, FALSE, &error));
  g_assert_error (error, FLEET_KNOWN_HOSTS_ERROR, FLEET_KNOWN_HOSTS_ERROR_IO);
  assert_contains (error->message, "cannot create the directory of known_hosts file "
                                   "/proc/self/fleet-test/known_hosts");
  g_clear_error (&error);

  /* The missing file loads as empty, but procfs creates no files. */
  g_assert_false (add_key (table, "/proc/self/fleet-test-known-hosts", "a.example.test", 22,
                           key, FALSE, &error));
  g_assert_error (error, FLEET_KNOWN_HOSTS_ERROR, FLEET_KNOWN_HOSTS_ERROR_IO);
  assert_contains (error->message, "cannot open known_hosts file "
                                   "/proc/self/fleet-test-known-hosts");
  g_clear_error (&error);

  /* /dev/null loads as empty and takes the line, but cannot be synced. */
  g_assert_false (add_key (table, "/dev/null", "a.example.test", 22, key, FALSE, &error));
  g_assert_error (error, FLEET_KNOWN_HOSTS_ERROR, FLEET_KNOWN_HOSTS_ERROR_IO);
  assert_contains (error->message, "cannot sync known_hosts file /dev/null");
  g_clear_error (&error);

  /* With SIGXFSZ ignored, a write past RLIMIT_FSIZE fails with EFBIG. */
  fleet_test_write_file (path, comment, -1);
  g_assert_cmpint (getrlimit (RLIMIT_FSIZE, &saved), ==, 0);
  limit = saved;
  limit.rlim_cur = sizeof comment - 1;
  signal (SIGXFSZ, SIG_IGN);
  g_assert_cmpint (setrlimit (RLIMIT_FSIZE, &limit), ==, 0);
  added = add_key (table, path, "a.example.test", 22, key, FALSE, &error);
  g_assert_cmpint (setrlimit (RLIMIT_FSIZE, &saved), ==, 0);
  signal (SIGXFSZ, SIG_DFL);

  g_assert_false (added);
  g_assert_error (error, FLEET_KNOWN_HOSTS_ERROR, FLEET_KNOWN_HOSTS_ERROR_IO);
  assert_contains (error->message, "cannot append to known_hosts file");
  assert_contains (error->message, "File too large");
  assert_contains (error->message, "0 of");
}

/* ---- Invalid input to the API ---- */

static void
test_api_invalid_input (Fixture *fixture, gconstpointer data)
{
  g_autoptr(TestKey) key = synthetic_key (24);
  g_autofree char *path = fleet_test_dir_path (fixture, "known_hosts");
  g_autoptr(FleetKnownHosts) table = fleet_known_hosts_new ();
  g_autoptr(GError) error = NULL;
  const guint8 short_blob[] = { 0, 0, 0 };
  g_autofree char *long_type = g_strnfill (65, 'a');
  g_autoptr(FleetHostKeyCheck) check = NULL;

  g_assert_false (add_key (table, path, "", 22, key, FALSE, &error));
  g_assert_error (error, FLEET_KNOWN_HOSTS_ERROR, FLEET_KNOWN_HOSTS_ERROR_INVALID_HOST);
  g_clear_error (&error);

  g_assert_null (fleet_known_hosts_check (table, "a.example.test", 22, "ssh-ed25519",
                                          short_blob, sizeof short_blob, &error));
  g_assert_error (error, FLEET_KNOWN_HOSTS_ERROR, FLEET_KNOWN_HOSTS_ERROR_INVALID_KEY);
  g_clear_error (&error);

  g_assert_null (fleet_known_hosts_check (table, "a.example.test", 22, long_type,
                                          g_bytes_get_data (key->blob, NULL),
                                          g_bytes_get_size (key->blob), &error));
  g_assert_error (error, FLEET_KNOWN_HOSTS_ERROR, FLEET_KNOWN_HOSTS_ERROR_INVALID_KEY);
  g_clear_error (&error);

  /* Nothing loaded: the key cannot be verified, and the message says why. */
  check = check_key (table, "a.example.test", 22, key);
  assert_verdict (check, FLEET_HOST_KEY_UNKNOWN);
  assert_contains (check->message, "no known_hosts file is loaded");

  fleet_known_hosts_free (NULL);
  fleet_host_key_check_free (NULL);
  fleet_known_hosts_line_free (NULL);
}

/* Key type fields that no key type can have are malformed lines. */
static void
test_load_invalid_key_types (Fixture *fixture, gconstpointer data)
{
  g_autoptr(TestKey) key = synthetic_key (25);
  g_autofree char *text = key_line_text (key);
  g_autofree char *base64 = g_strdup (strchr (text, ' ') + 1);
  g_autofree char *long_type = g_strnfill (65, 'a');
  g_autofree char *path = fleet_test_dir_path (fixture, "known_hosts");
  g_autofree char *contents = g_strdup_printf ("a.example.test ssh$ed25519 %s\n"
                                               "b.example.test %s %s\n",
                                               base64, long_type, base64);
  g_autoptr(FleetKnownHosts) table = NULL;
  const GPtrArray *malformed;

  fleet_test_write_file (path, contents, -1);
  table = load_one (path);

  malformed = fleet_known_hosts_get_malformed (table);
  g_assert_cmpuint (malformed->len, ==, 2);
  assert_contains (((FleetKnownHostsMalformedLine *) malformed->pdata[0])->reason,
                   "invalid key type \"ssh$ed25519\"");
  assert_contains (((FleetKnownHostsMalformedLine *) malformed->pdata[1])->reason,
                   "invalid key type");
}

static void
test_verdict_names (void)
{
  g_assert_cmpstr (fleet_host_key_verdict_name (FLEET_HOST_KEY_MATCH), ==, "match");
  g_assert_cmpstr (fleet_host_key_verdict_name (FLEET_HOST_KEY_UNKNOWN), ==, "unknown");
  g_assert_cmpstr (fleet_host_key_verdict_name (FLEET_HOST_KEY_CHANGED), ==, "changed");
  g_assert_cmpstr (fleet_host_key_verdict_name (FLEET_HOST_KEY_REVOKED), ==, "revoked");
  g_assert_cmpstr (fleet_host_key_verdict_name (FLEET_HOST_KEY_CERT_AUTHORITY_UNSUPPORTED), ==,
                   "cert-authority-unsupported");
  g_assert_cmpstr (fleet_host_key_verdict_name ((FleetHostKeyVerdict) 99), ==, "invalid");
}

/* ---- Threads ---- */

#define THREADS 8
#define ADDS_PER_THREAD 40

typedef struct {
  FleetKnownHosts *table;        /* shared, or NULL for a table of its own */
  const char *path;
  guint index;
} AddJob;

static char *
thread_host_name (guint thread, guint i)
{
  return g_strdup_printf ("t%u-h%u.example.test", thread, i);
}

static gpointer
add_hosts_thread (gpointer data)
{
  AddJob *job = data;
  g_autoptr(FleetKnownHosts) own = job->table == NULL ? fleet_known_hosts_new () : NULL;
  FleetKnownHosts *table = job->table != NULL ? job->table : own;

  for (guint i = 0; i < ADDS_PER_THREAD; i++)
    {
      g_autoptr(TestKey) key = synthetic_key (job->index * 1000 + i);
      g_autofree char *host = thread_host_name (job->index, i);
      g_autoptr(GError) error = NULL;

      /* The same shared host from every thread: one line only. */
      if (!add_key (table, job->path, "shared.example.test", 22, key, FALSE, &error))
        g_assert_error (error, FLEET_KNOWN_HOSTS_ERROR, FLEET_KNOWN_HOSTS_ERROR_HOST_KNOWN);
      g_clear_error (&error);

      add_key (table, job->path, host, 22, key, i % 2 == 0, &error);
      g_assert_no_error (error);
    }
  return NULL;
}

/* Threads on one table and threads with tables of their own (as separate
 * processes would have) append to one file; every line arrives whole. */
static void
test_concurrent_adds (Fixture *fixture, gconstpointer data)
{
  g_autofree char *path = fleet_test_dir_path (fixture, "known_hosts");
  g_autoptr(FleetKnownHosts) shared = fleet_known_hosts_new ();
  g_autoptr(FleetKnownHosts) reloaded = NULL;
  AddJob jobs[THREADS];
  GThread *threads[THREADS];
  g_autofree char *contents = NULL;
  g_auto(GStrv) lines = NULL;
  guint shared_lines = 0;

  for (guint t = 0; t < THREADS; t++)
    {
      jobs[t] = (AddJob) { .table = t % 2 == 0 ? shared : NULL, .path = path, .index = t };
      threads[t] = g_thread_new ("add", add_hosts_thread, &jobs[t]);
    }
  for (guint t = 0; t < THREADS; t++)
    g_thread_join (threads[t]);

  contents = fleet_test_read_file (path);
  g_assert_true (g_str_has_suffix (contents, "\n"));
  lines = g_strsplit (contents, "\n", -1);
  for (char **line = lines; **line != '\0'; line++)
    {
      g_auto(GStrv) fields = g_strsplit (*line, " ", -1);

      g_assert_cmpuint (g_strv_length (fields), ==, 3);
      g_assert_cmpstr (fields[1], ==, "ssh-ed25519");
      if (strcmp (fields[0], "shared.example.test") == 0)
        shared_lines++;
    }

  reloaded = load_one (path);
  g_assert_cmpuint (fleet_known_hosts_get_malformed (reloaded)->len, ==, 0);
  for (guint t = 0; t < THREADS; t++)
    for (guint i = 0; i < ADDS_PER_THREAD; i++)
      {
        g_autoptr(TestKey) key = synthetic_key (t * 1000 + i);
        g_autofree char *host = thread_host_name (t, i);
        g_autoptr(FleetHostKeyCheck) check = check_key (reloaded, host, 22, key);

        assert_verdict (check, FLEET_HOST_KEY_MATCH);
        if (t % 2 == 0)
          {
            g_autoptr(FleetHostKeyCheck) in_memory = check_key (shared, host, 22, key);
            assert_verdict (in_memory, FLEET_HOST_KEY_MATCH);
            g_assert_cmpuint (in_memory->entry->line, ==, check->entry->line);
          }
      }

  /* A thread with a table of its own does not see lines that others add
   * after its first add.  So the shared host appears at most once for the
   * shared table and once for each separate table. */
  g_assert_cmpuint (shared_lines, >=, 1);
  g_assert_cmpuint (shared_lines, <=, 1 + THREADS / 2);
  g_assert_cmpuint (g_strv_length (lines) - 1, ==, THREADS * ADDS_PER_THREAD + shared_lines);
}

typedef struct {
  FleetKnownHosts *table;
  const TestKey *key;
  gint *stop;
} ReaderJob;

static gpointer
check_hosts_thread (gpointer data)
{
  ReaderJob *job = data;

  while (!g_atomic_int_get (job->stop))
    {
      g_autoptr(FleetHostKeyCheck) check = check_key (job->table, "stable.example.test", 22,
                                                      job->key);
      assert_verdict (check, FLEET_HOST_KEY_MATCH);
    }
  return NULL;
}

/* Checks from several threads run while another thread adds lines. */
static void
test_concurrent_checks_during_adds (Fixture *fixture, gconstpointer data)
{
  g_autofree char *path = fleet_test_dir_path (fixture, "known_hosts");
  g_autoptr(TestKey) stable = synthetic_key (99);
  g_autofree char *stable_text = key_line_text (stable);
  g_autofree char *contents = g_strdup_printf ("stable.example.test %s\n", stable_text);
  g_autoptr(FleetKnownHosts) table = NULL;
  gint stop = 0;
  ReaderJob job;
  GThread *readers[3];

  fleet_test_write_file (path, contents, -1);
  table = load_one (path);
  job = (ReaderJob) { .table = table, .key = stable, .stop = &stop };
  for (guint i = 0; i < G_N_ELEMENTS (readers); i++)
    readers[i] = g_thread_new ("check", check_hosts_thread, &job);

  for (guint i = 0; i < 100; i++)
    {
      g_autoptr(TestKey) key = synthetic_key (i);
      g_autofree char *host = g_strdup_printf ("added%u.example.test", i);
      g_autoptr(GError) error = NULL;

      add_key (table, path, host, 2200, key, i % 3 == 0, &error);
      g_assert_no_error (error);
    }

  g_atomic_int_set (&stop, 1);
  for (guint i = 0; i < G_N_ELEMENTS (readers); i++)
    g_thread_join (readers[i]);
}

/* ---- Scale ---- */

#define LARGE_PLAIN_LINES 9000
#define LARGE_HASHED_LINES 500
#define LARGE_WILDCARD_LINES 500

static char *
hashed_host_field (const char *name, guint seed)
{
  guint8 salt[20];
  guint8 digest[EVP_MAX_MD_SIZE];
  unsigned int digest_length = 0;
  g_autofree char *salt_text = NULL;
  g_autofree char *hash_text = NULL;

  for (guint i = 0; i < sizeof salt; i++)
    salt[i] = (guint8) (seed * 31 + i);
  g_assert_nonnull (HMAC (EVP_sha1 (), salt, sizeof salt, (const guint8 *) name, strlen (name),
                          digest, &digest_length));
  salt_text = g_base64_encode (salt, sizeof salt);
  hash_text = g_base64_encode (digest, digest_length);
  return g_strdup_printf ("|1|%s|%s", salt_text, hash_text);
}

/* A 10,000-line file of plain, hashed and wildcard lines, checked for 1,000
 * hosts of each kind and with wrong keys. */
static void
test_large_file (Fixture *fixture, gconstpointer data)
{
  g_autofree char *path = fleet_test_dir_path (fixture, "known_hosts");
  GString *contents = g_string_new (NULL);
  g_autoptr(FleetKnownHosts) table = NULL;

  for (guint i = 0; i < LARGE_PLAIN_LINES; i++)
    {
      g_autoptr(TestKey) key = synthetic_key (i);
      g_autofree char *text = key_line_text (key);
      g_string_append_printf (contents, "plain%u.example.test,192.0.2.%u %s\n", i, i % 250,
                              text);
    }
  for (guint i = 0; i < LARGE_HASHED_LINES; i++)
    {
      g_autoptr(TestKey) key = synthetic_key (100000 + i);
      g_autofree char *text = key_line_text (key);
      g_autofree char *name = g_strdup_printf ("hashed%u.example.test", i);
      g_autofree char *field = hashed_host_field (name, i);
      g_string_append_printf (contents, "%s %s\n", field, text);
    }
  for (guint i = 0; i < LARGE_WILDCARD_LINES; i++)
    {
      g_autoptr(TestKey) key = synthetic_key (200000 + i);
      g_autofree char *text = key_line_text (key);
      g_string_append_printf (contents, "*.zone%u.example.test %s\n", i, text);
    }
  g_assert_true (g_file_set_contents (path, contents->str, contents->len, NULL));
  g_string_free (contents, TRUE);

  table = load_one (path);
  g_assert_cmpuint (fleet_known_hosts_get_malformed (table)->len, ==, 0);

  for (guint i = 0; i < 1000; i++)
    {
      guint plain = i * 9;
      guint other = i % LARGE_HASHED_LINES;
      g_autoptr(TestKey) plain_key = synthetic_key (plain);
      g_autoptr(TestKey) hashed_key = synthetic_key (100000 + other);
      g_autoptr(TestKey) zone_key = synthetic_key (200000 + other);
      g_autofree char *plain_host = g_strdup_printf ("plain%u.example.test", plain);
      g_autofree char *hashed_host = g_strdup_printf ("hashed%u.example.test", other);
      g_autofree char *zone_host = g_strdup_printf ("node%u.zone%u.example.test", i, other);
      g_autofree char *unknown_host = g_strdup_printf ("absent%u.example.test", i);
      g_autoptr(FleetHostKeyCheck) plain_check = check_key (table, plain_host, 22, plain_key);
      g_autoptr(FleetHostKeyCheck) hashed_check = check_key (table, hashed_host, 22, hashed_key);
      g_autoptr(FleetHostKeyCheck) zone_check = check_key (table, zone_host, 22, zone_key);
      g_autoptr(FleetHostKeyCheck) wrong_check = check_key (table, plain_host, 22, zone_key);
      g_autoptr(FleetHostKeyCheck) unknown_check = check_key (table, unknown_host, 22,
                                                              plain_key);

      assert_verdict (plain_check, FLEET_HOST_KEY_MATCH);
      g_assert_cmpuint (plain_check->entry->line, ==, plain + 1);
      assert_verdict (hashed_check, FLEET_HOST_KEY_MATCH);
      g_assert_cmpuint (hashed_check->entry->line, ==, LARGE_PLAIN_LINES + other + 1);
      assert_verdict (zone_check, FLEET_HOST_KEY_MATCH);
      assert_verdict (wrong_check, FLEET_HOST_KEY_CHANGED);
      assert_verdict (unknown_check, FLEET_HOST_KEY_UNKNOWN);
    }
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);

  for (guint i = 0; i < G_N_ELEMENTS (form_cases); i++)
    {
      g_autofree char *path = g_strdup_printf ("/known-hosts/forms/%s", form_cases[i].test_name);
      g_test_add_data_func (path, &form_cases[i], test_form_case);
    }
  g_test_add_func ("/known-hosts/forms/lookup-name", test_forms_lookup_name);
  g_test_add_func ("/known-hosts/forms/malformed-line", test_forms_malformed_line);
  g_test_add_func ("/known-hosts/forms/key-types", test_forms_key_types);
  g_test_add_func ("/known-hosts/check/invalid-key", test_check_invalid_key);
  g_test_add_func ("/known-hosts/check/verdict-names", test_verdict_names);

#define ADD(path, func) \
  g_test_add (path, Fixture, NULL, fleet_test_dir_set_up, func, fleet_test_dir_tear_down)

  ADD ("/known-hosts/cert/host-certificate", test_cert_authority_certificate);
  ADD ("/known-hosts/hashed/ssh-keygen-hashed-file", test_hashed_by_ssh_keygen);
  ADD ("/known-hosts/hashed/added-line-found-by-ssh-keygen", test_hashed_add_found_by_ssh_keygen);
  ADD ("/known-hosts/hashed/matches-openssl-hmac", test_hashed_matches_openssl_hmac);
  ADD ("/known-hosts/patterns/negation", test_negation);
  ADD ("/known-hosts/load/multiple-files", test_load_multiple_files);
  ADD ("/known-hosts/load/missing-file", test_load_missing_file);
  ADD ("/known-hosts/load/directory-error", test_load_directory_error);
  ADD ("/known-hosts/load/path-through-file-error", test_load_path_through_file_error);
  ADD ("/known-hosts/load/unreadable-error", test_load_unreadable_error);
  ADD ("/known-hosts/load/malformed-lines", test_load_malformed_lines);
  ADD ("/known-hosts/load/wildcard-not-utf8", test_load_wildcard_not_utf8);
  ADD ("/known-hosts/fingerprint/matches-ssh-keygen", test_fingerprint_matches_ssh_keygen);
  ADD ("/known-hosts/add/creates-file", test_add_creates_file);
  ADD ("/known-hosts/add/after-unterminated-line", test_add_after_unterminated_line);
  ADD ("/known-hosts/add/after-foreign-append", test_add_after_foreign_append);
  ADD ("/known-hosts/add/rejects-known-host", test_add_rejects_known_host);
  ADD ("/known-hosts/threads/concurrent-adds", test_concurrent_adds);
  ADD ("/known-hosts/threads/checks-during-adds", test_concurrent_checks_during_adds);
  ADD ("/known-hosts/scale/large-file", test_large_file);
  ADD ("/known-hosts/load/read-error", test_load_read_error);
  ADD ("/known-hosts/load/too-large", test_load_too_large);
  ADD ("/known-hosts/load/invalid-key-types", test_load_invalid_key_types);
  ADD ("/known-hosts/add/file-errors", test_add_file_errors);
  ADD ("/known-hosts/add/file-at-limit", test_add_to_file_at_limit);
  ADD ("/known-hosts/api/invalid-input", test_api_invalid_input);

  return g_test_run ();
}
