/* test-snapshot.c: the snapshot model, its text form, diffs, expected-change
 * patterns and the content-addressed store. */
#include <string.h>
#include <sys/wait.h>

#include <glib/gstdio.h>

#include "schema/fleet-snapshot-collect.h"
#include "schema/fleet-snapshot-diff.h"
#include "schema/fleet-snapshot-store.h"
#include "schema/fleet-snapshot.h"
#include "tests/test-helpers.h"

#define SHA_A "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa"
#define SHA_B "bbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbb"

/* A small snapshot with every kind of record, including awkward names. */
static FleetSnapshot *
make_snapshot (void)
{
  FleetSnapshot *snapshot = fleet_snapshot_new ();
  FleetSnapshotFile config = { SHA_A, 0100644, "root:root", 120, "" };
  FleetSnapshotFile link = { "", 0120777, "root:root", 11, "/etc/target file" };

  fleet_snapshot_set_host (snapshot, "web-1");
  fleet_snapshot_set_time_us (snapshot, G_GINT64_CONSTANT (1764800000000000));
  fleet_snapshot_set_collector (snapshot, "fleet-snapshot 1");
  fleet_snapshot_set_os_family (snapshot, "debian");
  fleet_snapshot_add (snapshot, FLEET_SNAPSHOT_PACKAGES, "openssl", "3.0.15-1~deb12u1");
  fleet_snapshot_add (snapshot, FLEET_SNAPSHOT_PACKAGES, "linux-image-6.1.0-27-amd64", "6.1.115-1");
  fleet_snapshot_add (snapshot, FLEET_SNAPSHOT_SERVICES, "nginx.service", "active running");
  fleet_snapshot_add_file (snapshot, "/etc/nginx/nginx.conf", &config);
  fleet_snapshot_add_file (snapshot, "/etc/odd name\nwith newline", &config);
  fleet_snapshot_add_file (snapshot, "/etc/link", &link);
  fleet_snapshot_add (snapshot, FLEET_SNAPSHOT_FACTS, "motd", "");
  fleet_snapshot_add (snapshot, FLEET_SNAPSHOT_FACTS, "back\\slash", "tab\there");
  fleet_snapshot_mark_unavailable (snapshot, FLEET_SNAPSHOT_PORTS, "ss and netstat not found");
  return snapshot;
}

static void
test_escape_round_trip (void)
{
  const char *values[] = { "plain", "", "with space", "line\nbreak", "back\\slash", "\\e",
                           "\x7f\x01", "caf\xc3\xa9", "-" };

  for (guint i = 0; i < G_N_ELEMENTS (values); i++)
    {
      g_autoptr (GString) escaped = g_string_new (NULL);
      g_autofree char *back = NULL;

      fleet_snapshot_escape (escaped, values[i]);
      g_assert_null (strchr (escaped->str, ' '));
      g_assert_null (strchr (escaped->str, '\n'));
      g_assert_cmpuint (escaped->len, >, 0);
      back = fleet_snapshot_unescape (escaped->str, escaped->len);
      g_assert_cmpstr (back, ==, values[i]);
    }
}

static void
test_escape_rejects_invalid (void)
{
  const char *invalid[] = { "\\", "\\x", "\\x4", "\\xzz", "\\x00", "a\\qb" };

  for (guint i = 0; i < G_N_ELEMENTS (invalid); i++)
    g_assert_null (fleet_snapshot_unescape (invalid[i], strlen (invalid[i])));
  g_assert_null (fleet_snapshot_unescape ("a\0b", 3));
}

static void
test_text_round_trip (void)
{
  g_autoptr (FleetSnapshot) snapshot = make_snapshot ();
  g_autoptr (FleetSnapshot) parsed = NULL;
  g_autoptr (GError) error = NULL;
  g_autofree char *text = NULL;
  g_autofree char *again = NULL;
  gsize length = 0, again_length = 0, n_items = 0;
  const FleetSnapshotItem *files;

  text = fleet_snapshot_serialize (snapshot, &length);
  parsed = fleet_snapshot_parse (text, length, "round-trip", &error);
  g_assert_no_error (error);

  g_assert_cmpstr (fleet_snapshot_get_host (parsed), ==, "web-1");
  g_assert_cmpint (fleet_snapshot_get_time_us (parsed), ==, G_GINT64_CONSTANT (1764800000000000));
  g_assert_cmpstr (fleet_snapshot_get_collector (parsed), ==, "fleet-snapshot 1");
  g_assert_cmpstr (fleet_snapshot_get_os_family (parsed), ==, "debian");
  g_assert_cmpstr (fleet_snapshot_lookup (parsed, FLEET_SNAPSHOT_FACTS, "motd"), ==, "");
  g_assert_cmpstr (fleet_snapshot_lookup (parsed, FLEET_SNAPSHOT_FACTS, "back\\slash"), ==,
                   "tab\there");
  g_assert_false (fleet_snapshot_is_available (parsed, FLEET_SNAPSHOT_PORTS));
  g_assert_cmpstr (fleet_snapshot_unavailable_reason (parsed, FLEET_SNAPSHOT_PORTS), ==,
                   "ss and netstat not found");
  g_assert_false (fleet_snapshot_is_available (parsed, FLEET_SNAPSHOT_SYSCTL));
  g_assert_null (fleet_snapshot_unavailable_reason (parsed, FLEET_SNAPSHOT_SYSCTL));

  files = fleet_snapshot_items (parsed, FLEET_SNAPSHOT_FILES, &n_items);
  g_assert_cmpuint (n_items, ==, 3);
  g_assert_cmpstr (files[0].key, ==, "/etc/link");
  g_assert_cmpstr (files[0].file->link_target, ==, "/etc/target file");
  g_assert_cmpuint (files[0].file->mode, ==, 0120777);
  g_assert_cmpstr (files[2].key, ==, "/etc/odd name\nwith newline");
  g_assert_cmpstr (files[2].file->sha256, ==, SHA_A);
  g_assert_cmpint (files[2].file->size, ==, 120);

  again = fleet_snapshot_serialize (parsed, &again_length);
  g_assert_cmpmem (text, length, again, again_length);
}

static void
test_text_deterministic (void)
{
  g_autoptr (FleetSnapshot) forward = fleet_snapshot_new ();
  g_autoptr (FleetSnapshot) backward = fleet_snapshot_new ();
  g_autofree char *forward_text = NULL;
  g_autofree char *backward_text = NULL;
  const char *names[] = { "zlib1g", "bash", "curl", "apt" };

  for (guint i = 0; i < G_N_ELEMENTS (names); i++)
    {
      fleet_snapshot_add (forward, FLEET_SNAPSHOT_PACKAGES, names[i], "1");
      fleet_snapshot_add (backward, FLEET_SNAPSHOT_PACKAGES, names[G_N_ELEMENTS (names) - 1 - i],
                          "1");
    }
  fleet_snapshot_add (forward, FLEET_SNAPSHOT_PACKAGES, "curl", "2");
  fleet_snapshot_add (backward, FLEET_SNAPSHOT_PACKAGES, "curl", "2");

  forward_text = fleet_snapshot_serialize (forward, NULL);
  backward_text = fleet_snapshot_serialize (backward, NULL);
  g_assert_cmpstr (forward_text, ==, backward_text);
  g_assert_cmpstr (fleet_snapshot_lookup (forward, FLEET_SNAPSHOT_PACKAGES, "curl"), ==, "2");
  g_assert_cmpuint (fleet_snapshot_count_items (forward), ==, 4);
}

typedef struct {
  const char *text;
  guint line;
  const char *message_part;
} ParseErrorCase;

static void
test_parse_errors (void)
{
  static const ParseErrorCase cases[] = {
    { "", 1, "missing \"end\"" },
    { "fleet-snapshot 2\nend\n", 1, "format version" },
    { "fleet-snapshot 1\nhost a\n", 3, "missing \"end\"" },
    { "fleet-snapshot 1\nhost a", 2, "no line break" },
    { "fleet-snapshot 1\nitem a b\nend\n", 2, "outside an available category" },
    { "fleet-snapshot 1\ncategory packages available\nitem a\nend\n", 3, "key and a value" },
    { "fleet-snapshot 1\ncategory packages available\nitem a \\x0\nend\n", 3, "invalid escape" },
    { "fleet-snapshot 1\ncategory packages available\nitem  b\nend\n", 3, "empty field" },
    { "fleet-snapshot 1\ncategory nope available\nend\n", 2, "unknown category" },
    { "fleet-snapshot 1\ncategory os available\ncategory os available\nend\n", 3, "twice" },
    { "fleet-snapshot 1\ncategory os available\nfile /a " SHA_A " 644 r 1 \\e\nend\n", 3,
      "outside the files category" },
    { "fleet-snapshot 1\ncategory files available\nfile /a " SHA_A " 9z r 1 \\e\nend\n", 3,
      "file mode" },
    { "fleet-snapshot 1\ncategory files available\nfile /a " SHA_A " 644 r -1 \\e\nend\n", 3,
      "file size" },
    { "fleet-snapshot 1\ntime soon\nend\n", 2, "invalid time" },
    { "fleet-snapshot 1\nbogus\nend\n", 2, "unknown record" },
    { "fleet-snapshot 1\nend\nend\n", 3, "after \"end\"" },
  };

  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autoptr (GError) error = NULL;
      g_autoptr (FleetSnapshot) snapshot = NULL;
      g_autofree char *where = g_strdup_printf ("case.txt:%u:", cases[i].line);

      snapshot = fleet_snapshot_parse (cases[i].text, strlen (cases[i].text), "case.txt", &error);
      g_assert_null (snapshot);
      g_assert_error (error, FLEET_SNAPSHOT_ERROR, FLEET_SNAPSHOT_ERROR_PARSE);
      g_test_message ("message: %s", error->message);
      g_assert_true (g_str_has_prefix (error->message, where));
      g_assert_nonnull (strstr (error->message, cases[i].message_part));
    }
}

/* Damage a valid text form at random and parse it: the parser must either
 * accept or report an error, never crash or leak (run under ASan). */
static void
test_parse_mutations (void)
{
  g_autoptr (FleetSnapshot) snapshot = make_snapshot ();
  gsize length = 0;
  g_autofree char *text = fleet_snapshot_serialize (snapshot, &length);
  static const char replacements[] = { ' ', '\n', '\\', 'x', '0', '\0', '\t', 'e' };

  for (guint round = 0; round < 3000; round++)
    {
      g_autofree char *mutated = g_memdup2 (text, length);
      gsize mutated_length = g_test_rand_int_range (1, (gint32) length + 1);
      guint n_edits = g_test_rand_int_range (1, 4);
      g_autoptr (GError) error = NULL;
      g_autoptr (FleetSnapshot) parsed = NULL;

      for (guint edit = 0; edit < n_edits; edit++)
        mutated[g_test_rand_int_range (0, (gint32) mutated_length)] =
          replacements[g_test_rand_int_range (0, G_N_ELEMENTS (replacements))];

      parsed = fleet_snapshot_parse (mutated, mutated_length, "mutated", &error);
      g_assert_true ((parsed == NULL) != (error == NULL));
      if (parsed != NULL)
        g_free (fleet_snapshot_serialize (parsed, NULL));
    }
}

typedef struct {
  const char *pattern;
  const char *text;
  gboolean matches;
} GlobCase;

static void
test_glob_match (void)
{
  static const GlobCase cases[] = {
    { "linux-image-*", "linux-image-6.1.0-27-amd64", TRUE },
    { "linux-image-*", "linux-headers-6.1.0", FALSE },
    { "/etc/nginx/**", "/etc/nginx/sites-enabled/default", TRUE },
    { "/etc/nginx/**", "/etc/nginx/", TRUE },
    { "/etc/nginx/**", "/etc/nginx", FALSE },
    { "/etc/nginx/*", "/etc/nginx/sites-enabled/default", FALSE },
    { "/etc/nginx/*", "/etc/nginx/nginx.conf", TRUE },
    { "/etc/*.conf", "/etc/a.conf", TRUE },
    { "/etc/?.conf", "/etc/a.conf", TRUE },
    { "/etc/?.conf", "/etc/ab.conf", FALSE },
    { "/etc/?conf", "/etc//conf", FALSE },
    { "**/authorized_keys", "/root/.ssh/authorized_keys", TRUE },
    { "a\\*b", "a*b", TRUE },
    { "a\\*b", "axb", FALSE },
    { "*", "", TRUE },
    { "exact", "exact", TRUE },
    { "exact", "exactly", FALSE },
  };

  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_test_message ("pattern %s, text %s", cases[i].pattern, cases[i].text);
      g_assert_cmpint (fleet_snapshot_glob_match (cases[i].pattern, cases[i].text), ==,
                       cases[i].matches);
    }
}

static void
test_expect_rejects_invalid (void)
{
  g_autoptr (FleetSnapshotExpect) expect = fleet_snapshot_expect_new ();
  g_autoptr (GError) error = NULL;

  g_assert_false (fleet_snapshot_expect_add (expect, FLEET_SNAPSHOT_FILES, "", &error));
  g_assert_error (error, FLEET_SNAPSHOT_ERROR, FLEET_SNAPSHOT_ERROR_INVALID);
  g_clear_error (&error);

  g_assert_false (fleet_snapshot_expect_add (expect, FLEET_SNAPSHOT_FILES, "/etc/a\\", &error));
  g_assert_error (error, FLEET_SNAPSHOT_ERROR, FLEET_SNAPSHOT_ERROR_INVALID);
  g_assert_nonnull (strstr (error->message, "/etc/a\\"));
  g_clear_error (&error);

  g_assert_true (fleet_snapshot_expect_add (expect, FLEET_SNAPSHOT_FILES, "/etc/a\\\\", &error));
  g_assert_no_error (error);
  g_assert_true (fleet_snapshot_expect_matches (expect, FLEET_SNAPSHOT_FILES, "/etc/a\\"));
  g_assert_false (fleet_snapshot_expect_matches (expect, FLEET_SNAPSHOT_PACKAGES, "/etc/a\\"));
}

static const FleetSnapshotChange *
find_change (const FleetSnapshotDiff *diff, FleetSnapshotCategory category, const char *key)
{
  for (gsize i = 0; i < diff->n_changes; i++)
    if (diff->changes[i].category == category && strcmp (diff->changes[i].key, key) == 0)
      return &diff->changes[i];
  return NULL;
}

static void
test_diff_kinds (void)
{
  g_autoptr (FleetSnapshot) before = make_snapshot ();
  g_autoptr (FleetSnapshot) after = make_snapshot ();
  g_autoptr (FleetSnapshotExpect) expect = fleet_snapshot_expect_new ();
  g_autoptr (FleetSnapshotDiff) diff = NULL;
  FleetSnapshotFile changed = { SHA_B, 0100600, "root:root", 130, "" };
  const FleetSnapshotChange *change;
  g_autofree char *fields = NULL;
  g_autoptr (GString) listing = g_string_new (NULL);

  g_assert_true (fleet_snapshot_expect_add (expect, FLEET_SNAPSHOT_PACKAGES, "linux-image-*", NULL));
  g_assert_true (fleet_snapshot_expect_add (expect, FLEET_SNAPSHOT_FILES, "/etc/nginx/**", NULL));

  fleet_snapshot_add (after, FLEET_SNAPSHOT_PACKAGES, "linux-image-6.1.0-28-amd64", "6.1.119-1");
  fleet_snapshot_add (after, FLEET_SNAPSHOT_PACKAGES, "openssl", "3.0.16-1~deb12u1");
  fleet_snapshot_add (after, FLEET_SNAPSHOT_SERVICES, "nginx.service", "active running");
  fleet_snapshot_add_file (after, "/etc/nginx/nginx.conf", &changed);
  fleet_snapshot_add_file (after, "/etc/odd name\nwith newline", &changed);
  fleet_snapshot_mark_available (before, FLEET_SNAPSHOT_USERS);
  fleet_snapshot_add (after, FLEET_SNAPSHOT_USERS, "deploy", "1001:1001:/home/deploy:/bin/sh");

  diff = fleet_snapshot_diff (before, after, expect);

  g_assert_cmpuint (diff->n_changes, ==, 5);
  g_assert_cmpuint (diff->added[FLEET_SNAPSHOT_PACKAGES], ==, 1);
  g_assert_cmpuint (diff->changed[FLEET_SNAPSHOT_PACKAGES], ==, 1);
  g_assert_cmpuint (diff->changed[FLEET_SNAPSHOT_FILES], ==, 2);
  g_assert_cmpuint (diff->added[FLEET_SNAPSHOT_USERS], ==, 1);
  g_assert_cmpuint (diff->changed[FLEET_SNAPSHOT_SERVICES], ==, 0);
  g_assert_cmpuint (diff->n_unexpected, ==, 3);
  g_assert_true (diff->skipped[FLEET_SNAPSHOT_PORTS]);
  g_assert_true (diff->skipped[FLEET_SNAPSHOT_SYSCTL]);
  g_assert_false (diff->skipped[FLEET_SNAPSHOT_USERS]);

  change = find_change (diff, FLEET_SNAPSHOT_PACKAGES, "linux-image-6.1.0-28-amd64");
  g_assert_nonnull (change);
  g_assert_cmpint (change->kind, ==, FLEET_SNAPSHOT_ADDED);
  g_assert_true (change->expected);
  g_assert_null (change->old_value);

  change = find_change (diff, FLEET_SNAPSHOT_PACKAGES, "openssl");
  g_assert_nonnull (change);
  g_assert_cmpint (change->kind, ==, FLEET_SNAPSHOT_CHANGED);
  g_assert_false (change->expected);
  g_assert_cmpstr (change->old_value, ==, "3.0.15-1~deb12u1");
  g_assert_cmpstr (change->new_value, ==, "3.0.16-1~deb12u1");

  change = find_change (diff, FLEET_SNAPSHOT_FILES, "/etc/nginx/nginx.conf");
  g_assert_nonnull (change);
  g_assert_true (change->expected);
  fields = fleet_snapshot_file_fields_describe (change->file_fields);
  g_assert_cmpstr (fields, ==, "content,mode,size");

  change = find_change (diff, FLEET_SNAPSHOT_FILES, "/etc/odd name\nwith newline");
  g_assert_nonnull (change);
  g_assert_false (change->expected);

  fleet_snapshot_diff_append_text (diff, listing);
  g_assert_nonnull (strstr (listing->str, "~ UNEXPECTED packages openssl: 3.0.15-1~deb12u1 -> "
                                          "3.0.16-1~deb12u1\n"));
  g_assert_nonnull (strstr (listing->str, "+ packages linux-image-6.1.0-28-amd64: 6.1.119-1\n"));
  g_assert_nonnull (strstr (listing->str, "/etc/odd name\\x0awith newline"));
}

static void
test_diff_removed_and_identical (void)
{
  g_autoptr (FleetSnapshot) before = make_snapshot ();
  g_autoptr (FleetSnapshot) same = make_snapshot ();
  g_autoptr (FleetSnapshot) after = fleet_snapshot_new ();
  g_autoptr (FleetSnapshotDiff) none = NULL;
  g_autoptr (FleetSnapshotDiff) removed = NULL;

  none = fleet_snapshot_diff (before, same, NULL);
  g_assert_cmpuint (none->n_changes, ==, 0);
  g_assert_cmpuint (none->n_unexpected, ==, 0);

  fleet_snapshot_mark_available (after, FLEET_SNAPSHOT_PACKAGES);
  removed = fleet_snapshot_diff (before, after, NULL);
  g_assert_cmpuint (removed->n_changes, ==, 2);
  g_assert_cmpuint (removed->removed[FLEET_SNAPSHOT_PACKAGES], ==, 2);
  g_assert_cmpuint (removed->n_unexpected, ==, 2);
  g_assert_true (removed->skipped[FLEET_SNAPSHOT_FILES]);
  g_assert_cmpstr (removed->changes[0].key, ==, "linux-image-6.1.0-27-amd64");
  g_assert_null (removed->changes[0].new_value);
}

static void
test_gzip_round_trip (void)
{
  g_autoptr (GString) text = g_string_new (NULL);
  g_autoptr (GBytes) compressed = NULL;
  g_autoptr (GBytes) back = NULL;
  g_autoptr (GError) error = NULL;

  for (guint i = 0; i < 20000; i++)
    g_string_append_printf (text, "item package-%u %u.0\n", i, i % 7);

  compressed = fleet_snapshot_gzip (text->str, text->len, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (g_bytes_get_size (compressed), <, text->len / 4);

  back = fleet_snapshot_gunzip (g_bytes_get_data (compressed, NULL), g_bytes_get_size (compressed),
                                &error);
  g_assert_no_error (error);
  g_assert_cmpmem (g_bytes_get_data (back, NULL), g_bytes_get_size (back), text->str, text->len);

  g_clear_pointer (&back, g_bytes_unref);
  back = fleet_snapshot_gunzip (g_bytes_get_data (compressed, NULL),
                                g_bytes_get_size (compressed) / 2, &error);
  g_assert_null (back);
  g_assert_nonnull (error);
}

static void
test_store_round_trip (void)
{
  g_autofree char *dir = g_dir_make_tmp ("fleet-snapshot-XXXXXX", NULL);
  g_autofree char *store = g_build_filename (dir, "store", NULL);
  g_autoptr (FleetSnapshot) snapshot = make_snapshot ();
  g_autoptr (FleetSnapshot) loaded = NULL;
  g_autoptr (GPtrArray) entries = NULL;
  g_autoptr (GError) error = NULL;
  g_autofree char *digest = NULL;
  g_autofree char *again = NULL;
  g_autofree char *prefix = NULL;
  g_autofree char *text = fleet_snapshot_serialize (snapshot, NULL);
  g_autofree char *loaded_text = NULL;
  FleetSnapshotIndexEntry *entry;

  digest = fleet_snapshot_store_put (store, snapshot, "run 1", "before", &error);
  g_assert_no_error (error);
  g_assert_cmpuint (strlen (digest), ==, 64);
  again = fleet_snapshot_store_put (store, snapshot, "run 1", "after", &error);
  g_assert_no_error (error);
  g_assert_cmpstr (digest, ==, again);

  prefix = g_strndup (digest, 12);
  loaded = fleet_snapshot_store_get (store, prefix, &error);
  g_assert_no_error (error);
  loaded_text = fleet_snapshot_serialize (loaded, NULL);
  g_assert_cmpstr (loaded_text, ==, text);

  entries = fleet_snapshot_store_list (store, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (entries->len, ==, 2);
  entry = g_ptr_array_index (entries, 1);
  g_assert_cmpstr (entry->digest, ==, digest);
  g_assert_cmpstr (entry->host, ==, "web-1");
  g_assert_cmpstr (entry->run_id, ==, "run 1");
  g_assert_cmpstr (entry->collector, ==, "fleet-snapshot 1");
  g_assert_cmpstr (entry->label, ==, "after");
  g_assert_cmpint (entry->time_us, ==, G_GINT64_CONSTANT (1764800000000000));

  fleet_test_remove_tree (store);
  g_rmdir (dir);
}

static void
test_store_errors (void)
{
  g_autofree char *dir = g_dir_make_tmp ("fleet-snapshot-XXXXXX", NULL);
  g_autoptr (FleetSnapshot) snapshot = make_snapshot ();
  g_autoptr (FleetSnapshot) loaded = NULL;
  g_autoptr (GError) error = NULL;
  g_autofree char *digest = fleet_snapshot_store_put (dir, snapshot, NULL, NULL, &error);
  g_autofree char *name = g_strconcat (digest, ".snapshot.gz", NULL);
  g_autofree char *path = g_build_filename (dir, name, NULL);
  g_autoptr (GBytes) other = NULL;

  g_assert_no_error (error);

  loaded = fleet_snapshot_store_get (dir, "0000000000000000", &error);
  g_assert_null (loaded);
  g_assert_error (error, FLEET_SNAPSHOT_ERROR, FLEET_SNAPSHOT_ERROR_NOT_FOUND);
  g_clear_error (&error);

  loaded = fleet_snapshot_store_get (dir, "../../etc/passwd", &error);
  g_assert_null (loaded);
  g_assert_error (error, FLEET_SNAPSHOT_ERROR, FLEET_SNAPSHOT_ERROR_NOT_FOUND);
  g_clear_error (&error);

  /* Valid gzip of different text under the first digest's name. */
  other = fleet_snapshot_gzip ("fleet-snapshot 1\nend\n", 21, &error);
  g_assert_no_error (error);
  g_assert_true (g_file_set_contents (path, g_bytes_get_data (other, NULL),
                                      g_bytes_get_size (other), NULL));
  loaded = fleet_snapshot_store_get (dir, digest, &error);
  g_assert_null (loaded);
  g_assert_error (error, FLEET_SNAPSHOT_ERROR, FLEET_SNAPSHOT_ERROR_CORRUPT);
  g_assert_nonnull (strstr (error->message, path));
  g_clear_error (&error);

  g_assert_true (g_file_set_contents (path, "not gzip", -1, NULL));
  loaded = fleet_snapshot_store_get (dir, digest, &error);
  g_assert_null (loaded);
  g_assert_error (error, FLEET_SNAPSHOT_ERROR, FLEET_SNAPSHOT_ERROR_CORRUPT);

  fleet_test_remove_tree (dir);
}

static FleetSnapshot *
parse_fixture (const char *name)
{
  g_autofree char *path = g_build_filename (g_getenv ("FLEET_SOURCE_ROOT"), "tests", "data",
                                            "snapshot", name, NULL);
  g_autofree char *text = NULL;
  g_autoptr (GError) error = NULL;
  FleetSnapshot *snapshot;
  gsize length = 0;

  g_assert_true (g_file_get_contents (path, &text, &length, &error));
  snapshot = fleet_snapshot_parse_collector (text, length, path, &error);
  g_assert_no_error (error);
  return snapshot;
}

static void
test_collector_debian (void)
{
  g_autoptr (FleetSnapshot) snapshot = parse_fixture ("debian.txt");
  gsize n_items = 0;
  const FleetSnapshotItem *files;

  g_assert_cmpstr (fleet_snapshot_get_os_family (snapshot), ==, "debian");
  g_assert_cmpstr (fleet_snapshot_get_collector (snapshot), ==, "fleet-snapshot-collector/1");
  g_assert_cmpstr (fleet_snapshot_lookup (snapshot, FLEET_SNAPSHOT_OS, "PRETTY_NAME"), ==,
                   "Debian GNU/Linux 12 (bookworm)");
  g_assert_cmpstr (fleet_snapshot_lookup (snapshot, FLEET_SNAPSHOT_PACKAGES, "libc6:i386"), ==,
                   "2.36-9+deb12u9");
  g_assert_cmpstr (fleet_snapshot_lookup (snapshot, FLEET_SNAPSHOT_PACKAGES,
                                          "openssh-server:amd64"), ==, "1:9.2p1-2+deb12u3");
  g_assert_cmpstr (fleet_snapshot_lookup (snapshot, FLEET_SNAPSHOT_SERVICES, "nginx.service"), ==,
                   "active running");
  g_assert_cmpstr (fleet_snapshot_lookup (snapshot, FLEET_SNAPSHOT_SYSCTL,
                                          "net.ipv4.ip_local_port_range"), ==, "32768\t60999");
  g_assert_cmpstr (fleet_snapshot_lookup (snapshot, FLEET_SNAPSHOT_SYSCTL,
                                          "fs.binfmt_misc.status"), ==, "");
  /* Values that change on every read are left out. */
  g_assert_null (fleet_snapshot_lookup (snapshot, FLEET_SNAPSHOT_SYSCTL, "kernel.random.uuid"));
  g_assert_null (fleet_snapshot_lookup (snapshot, FLEET_SNAPSHOT_SYSCTL, "fs.file-nr"));
  g_assert_null (fleet_snapshot_lookup (snapshot, FLEET_SNAPSHOT_SYSCTL, "kernel.ns_last_pid"));
  g_assert_cmpstr (fleet_snapshot_lookup (snapshot, FLEET_SNAPSHOT_MOUNTS, "/mnt/my\\040disk"), ==,
                   "/dev/vdb1 xfs rw,relatime");
  g_assert_cmpstr (fleet_snapshot_lookup (snapshot, FLEET_SNAPSHOT_FACTS, "nginx-version"), ==,
                   "nginx version: nginx/1.22.1");
  g_assert_cmpstr (fleet_snapshot_lookup (snapshot, FLEET_SNAPSHOT_FACTS, "empty"), ==, "");

  files = fleet_snapshot_items (snapshot, FLEET_SNAPSHOT_FILES, &n_items);
  g_assert_cmpuint (n_items, ==, 5);
  g_assert_cmpstr (files[1].key, ==, "/etc/nginx/sites-enabled/default");
  g_assert_cmpstr (files[1].file->link_target, ==, "/etc/nginx/sites-available/default");
  g_assert_cmpstr (files[1].file->sha256, ==, "");
  g_assert_cmpstr (files[3].key, ==, "/srv/upload/report final.pdf");
  g_assert_cmpuint (files[3].file->mode, ==, 0100640);
  g_assert_cmpstr (files[3].file->owner, ==, "www-data:www-data");
  g_assert_cmpint (files[3].file->size, ==, 52311);
  g_assert_cmpstr (files[4].key, ==, "/srv/upload/two\nlines");
}

static void
test_collector_rhel (void)
{
  g_autoptr (FleetSnapshot) snapshot = parse_fixture ("rhel.txt");

  g_assert_cmpstr (fleet_snapshot_get_os_family (snapshot), ==, "rhel");
  g_assert_cmpstr (fleet_snapshot_lookup (snapshot, FLEET_SNAPSHOT_PACKAGES, "kernel.x86_64"), ==,
                   "0:5.14.0-427.40.1.el9_4,0:5.14.0-427.42.1.el9_4");
  g_assert_cmpstr (fleet_snapshot_lookup (snapshot, FLEET_SNAPSHOT_PACKAGES, "openssl.x86_64"), ==,
                   "1:3.0.7-27.el9");
  g_assert_cmpstr (fleet_snapshot_lookup (snapshot, FLEET_SNAPSHOT_GROUPS, "wheel"), ==,
                   "10:admin,deploy");
  g_assert_cmpstr (fleet_snapshot_lookup (snapshot, FLEET_SNAPSHOT_FILES, "/etc/sysconfig/selinux"),
                   ==, "sha256=- type=symlink mode=0777 owner=root:root size=17 link=../selinux/config");
  g_assert_cmpstr (fleet_snapshot_lookup (snapshot, FLEET_SNAPSHOT_FACTS, "selinux"), ==,
                   "Enforcing");
}

static void
test_collector_alpine (void)
{
  g_autoptr (FleetSnapshot) snapshot = parse_fixture ("alpine.txt");

  g_assert_cmpstr (fleet_snapshot_get_os_family (snapshot), ==, "alpine");
  g_assert_cmpstr (fleet_snapshot_lookup (snapshot, FLEET_SNAPSHOT_PACKAGES, "busybox"), ==,
                   "1.36.1-r29");
  g_assert_cmpstr (fleet_snapshot_lookup (snapshot, FLEET_SNAPSHOT_SERVICES, "local"), ==,
                   "disabled");
  g_assert_cmpstr (fleet_snapshot_lookup (snapshot, FLEET_SNAPSHOT_PORTS, "tcp/:::22"), ==,
                   "listening");
  g_assert_cmpstr (fleet_snapshot_lookup (snapshot, FLEET_SNAPSHOT_FACTS, "apk-repositories"), ==,
                   "https://dl-cdn.alpinelinux.org/alpine/v3.20/main\n"
                   "https://dl-cdn.alpinelinux.org/alpine/v3.20/community");
}

static void
test_collector_freebsd (void)
{
  g_autoptr (FleetSnapshot) snapshot = parse_fixture ("freebsd.txt");
  g_autoptr (FleetSnapshot) debian = parse_fixture ("debian.txt");
  g_autoptr (FleetSnapshotDiff) diff = NULL;

  g_assert_cmpstr (fleet_snapshot_get_os_family (snapshot), ==, "bsd");
  g_assert_cmpstr (fleet_snapshot_lookup (snapshot, FLEET_SNAPSHOT_SYSCTL, "kern.securelevel"), ==,
                   "-1");
  g_assert_null (fleet_snapshot_lookup (snapshot, FLEET_SNAPSHOT_SYSCTL, "kern.lastpid"));
  g_assert_null (fleet_snapshot_lookup (snapshot, FLEET_SNAPSHOT_SYSCTL, "vm.stats.sys.v_swtch"));
  g_assert_cmpstr (fleet_snapshot_lookup (snapshot, FLEET_SNAPSHOT_PACKAGES, "nginx"), ==,
                   "1.26.2_11,3");
  g_assert_false (fleet_snapshot_is_available (snapshot, FLEET_SNAPSHOT_MOUNTS));
  g_assert_cmpstr (fleet_snapshot_unavailable_reason (snapshot, FLEET_SNAPSHOT_MOUNTS), ==,
                   "/proc/mounts and mount not found");

  /* An unavailable category is skipped by a diff, not reported as removed. */
  diff = fleet_snapshot_diff (debian, snapshot, NULL);
  g_assert_true (diff->skipped[FLEET_SNAPSHOT_MOUNTS]);
  g_assert_cmpuint (diff->removed[FLEET_SNAPSHOT_MOUNTS], ==, 0);
  g_assert_cmpuint (diff->added[FLEET_SNAPSHOT_PACKAGES], ==, 3);
}

static void
test_collector_errors (void)
{
  static const ParseErrorCase cases[] = {
    { "", 1, "truncated" },
    { "sh: 1: fleet: not found\n", 1, "collector format 1" },
    { "fleet-collector 1\nA packages\nI packages bash 5.2\n", 4, "truncated" },
    { "fleet-collector 1\nA packages\nI packages bash 5.2\nend", 4, "truncated" },
    { "fleet-collector 1\nI packages bash 5.2\nend\n", 2, "before its \"A packages\"" },
    { "fleet-collector 1\nA nope\nend\n", 2, "unknown category" },
    { "fleet-collector 1\nA packages\nI packages\nend\n", 3, "key and a value" },
    { "fleet-collector 1\nA facts\nX facts 6 61\nend\n", 3, "invalid hex" },
    { "fleet-collector 1\nA facts\nX facts 61 6100\nend\n", 3, "invalid hex" },
    { "fleet-collector 1\nA facts\nX facts 61 62 63\nend\n", 3, "exactly" },
    { "fleet-collector 1\nA files\nF 2f61 - 644 r:r 1\nend\n", 3, "6 fields" },
    { "fleet-collector 1\nA files\nF 2f61 abc 644 r:r 1 -\nend\n", 3, "SHA-256" },
    { "fleet-collector 1\nA files\nF 2f61 - 999 r:r 1 -\nend\n", 3, "file mode" },
    { "fleet-collector 1\nA files\nF 2f61 - 644 r:r x -\nend\n", 3, "file size" },
    { "fleet-collector 1\nA files\nF - - 644 r:r 1 -\nend\n", 3, "hex path" },
    { "fleet-collector 1\nQ what\nend\n", 2, "unknown record type" },
    { "fleet-collector 1\nU packages\nend\n", 2, "reason" },
  };

  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autoptr (GError) error = NULL;
      g_autoptr (FleetSnapshot) snapshot = NULL;
      g_autofree char *where = g_strdup_printf ("out:%u:", cases[i].line);

      g_test_message ("case %u: %s", i, cases[i].text);
      snapshot = fleet_snapshot_parse_collector (cases[i].text, strlen (cases[i].text), "out",
                                                 &error);
      g_assert_null (snapshot);
      g_assert_error (error, FLEET_SNAPSHOT_ERROR, FLEET_SNAPSHOT_ERROR_PARSE);
      g_test_message ("message: %s", error->message);
      g_assert_true (g_str_has_prefix (error->message, where));
      g_assert_nonnull (strstr (error->message, cases[i].message_part));
    }
}

static void
test_collector_rejects_nul (void)
{
  static const char text[] = "fleet-collector 1\nA os\nI os a b\0c\nend\n";
  g_autoptr (GError) error = NULL;
  g_autoptr (FleetSnapshot) snapshot = NULL;

  snapshot = fleet_snapshot_parse_collector (text, sizeof text - 1, "out", &error);
  g_assert_null (snapshot);
  g_assert_error (error, FLEET_SNAPSHOT_ERROR, FLEET_SNAPSHOT_ERROR_PARSE);
  g_assert_true (g_str_has_prefix (error->message, "out:3:"));
}

/* Damage each fixture at random: the parser either accepts or reports an
 * error, never crashes (run under ASan). */
static void
test_collector_mutations (void)
{
  const char *names[] = { "debian.txt", "rhel.txt", "alpine.txt", "freebsd.txt" };
  static const char replacements[] = { ' ', '\n', '-', 'F', 'X', '0', '\0', 'A', 'g' };

  for (guint n = 0; n < G_N_ELEMENTS (names); n++)
    {
      g_autofree char *path = g_build_filename (g_getenv ("FLEET_SOURCE_ROOT"), "tests", "data",
                                                "snapshot", names[n], NULL);
      g_autofree char *text = NULL;
      gsize length = 0;

      g_assert_true (g_file_get_contents (path, &text, &length, NULL));
      for (guint round = 0; round < 1000; round++)
        {
          g_autofree char *mutated = g_memdup2 (text, length);
          gsize mutated_length = g_test_rand_int_range (1, (gint32) length + 1);
          g_autoptr (GError) error = NULL;
          g_autoptr (FleetSnapshot) parsed = NULL;

          for (guint edit = 0; edit < 3; edit++)
            mutated[g_test_rand_int_range (0, (gint32) mutated_length)] =
              replacements[g_test_rand_int_range (0, G_N_ELEMENTS (replacements))];
          parsed = fleet_snapshot_parse_collector (mutated, mutated_length, "mutated", &error);
          g_assert_true ((parsed == NULL) != (error == NULL));
        }
    }
}

/* Run the built fleetc with `args`; returns its exit status. */
static int
run_fleetc (const char *const *args, char **out_stdout, char **out_stderr)
{
  return fleet_test_run_program ("fleetc", args, out_stdout, out_stderr);
}

static void
test_cli_diff (void)
{
  g_autofree char *dir = g_dir_make_tmp ("fleet-snapshot-XXXXXX", NULL);
  g_autoptr (FleetSnapshot) before = make_snapshot ();
  g_autoptr (FleetSnapshot) after = make_snapshot ();
  g_autofree char *before_digest = NULL;
  g_autofree char *after_digest = NULL;
  g_autofree char *out = NULL;
  g_autofree char *err = NULL;
  g_autofree char *short_before = NULL;

  fleet_snapshot_add (after, FLEET_SNAPSHOT_PACKAGES, "linux-image-6.1.0-28-amd64", "6.1.119-1");
  fleet_snapshot_add (after, FLEET_SNAPSHOT_PACKAGES, "openssl", "3.0.16-1~deb12u1");
  before_digest = fleet_snapshot_store_put (dir, before, "run-1", "before", NULL);
  after_digest = fleet_snapshot_store_put (dir, after, "run-1", "after", NULL);
  g_assert_nonnull (before_digest);
  g_assert_nonnull (after_digest);
  short_before = g_strndup (before_digest, 10);

  {
    const char *args[] = { "snapshot", "diff", "--store", dir, short_before, after_digest,
                           "--expect", "packages:linux-image-*", NULL };

    g_assert_cmpint (run_fleetc (args, &out, &err), ==, 1);
    g_assert_cmpstr (err, ==, "");
    g_assert_true (g_str_has_prefix (out, "2 changes, 1 unexpected\n"));
    g_assert_nonnull (strstr (out, "+ packages linux-image-6.1.0-28-amd64: 6.1.119-1\n"));
    g_assert_nonnull (strstr (out, "~ UNEXPECTED packages openssl: "));
  }

  g_clear_pointer (&out, g_free);
  g_clear_pointer (&err, g_free);
  {
    const char *args[] = { "snapshot", "diff", "--store", dir, before_digest, before_digest,
                           "--format", "json", NULL };

    g_assert_cmpint (run_fleetc (args, &out, &err), ==, 0);
    g_assert_true (g_str_has_prefix (out, "{\"changes_total\":0,\"unexpected_total\":0,"));
  }

  g_clear_pointer (&out, g_free);
  g_clear_pointer (&err, g_free);
  {
    const char *args[] = { "snapshot", "diff", "--store", dir, before_digest, after_digest,
                           "--expect", "nope:x", NULL };

    g_assert_cmpint (run_fleetc (args, &out, &err), ==, 2);
    g_assert_nonnull (strstr (err, "unknown category \"nope\""));
  }

  g_clear_pointer (&out, g_free);
  g_clear_pointer (&err, g_free);
  {
    const char *args[] = { "snapshot", "diff", "--store", dir, "deadbeefdeadbeef", after_digest,
                           NULL };

    g_assert_cmpint (run_fleetc (args, &out, &err), ==, 2);
    g_assert_nonnull (strstr (err, "no snapshot deadbeefdeadbeef"));
  }

  fleet_test_remove_tree (dir);
}

/* Only expected changes exit 0; an unexpected one exits 1, so that a
 * script can tell the two apart. */
static void
test_cli_diff_exit_status (void)
{
  g_autofree char *dir = g_dir_make_tmp ("fleet-snapshot-XXXXXX", NULL);
  g_autoptr (FleetSnapshot) before = make_snapshot ();
  g_autoptr (FleetSnapshot) after = make_snapshot ();
  g_autofree char *before_digest = NULL;
  g_autofree char *after_digest = NULL;
  g_autofree char *out = NULL;
  g_autofree char *err = NULL;

  fleet_snapshot_add (after, FLEET_SNAPSHOT_PACKAGES, "linux-image-6.1.0-28-amd64", "6.1.119-1");
  before_digest = fleet_snapshot_store_put (dir, before, "run-1", "before", NULL);
  after_digest = fleet_snapshot_store_put (dir, after, "run-1", "after", NULL);

  {
    const char *args[] = { "snapshot", "diff", "--store", dir, before_digest, after_digest,
                           "--expect", "packages:linux-image-*", NULL };

    g_assert_cmpint (run_fleetc (args, &out, &err), ==, 0);
    g_assert_true (g_str_has_prefix (out, "1 change, 0 unexpected\n"));
  }

  g_clear_pointer (&out, g_free);
  g_clear_pointer (&err, g_free);
  {
    const char *args[] = { "snapshot", "diff", "--store", dir, before_digest, after_digest, NULL };

    g_assert_cmpint (run_fleetc (args, &out, &err), ==, 1);
    g_assert_true (g_str_has_prefix (out, "1 change, 1 unexpected\n"));
  }

  g_clear_pointer (&out, g_free);
  g_clear_pointer (&err, g_free);
  {
    const char *args[] = { "snapshot", "diff", "--help", NULL };

    g_assert_cmpint (run_fleetc (args, &out, &err), ==, 0);
    g_assert_nonnull (strstr (out, "Exit status 0: nothing unexpected changed"));
  }

  fleet_test_remove_tree (dir);
}

/* A category that only one snapshot has is named as not compared, so that
 * it is not taken for a category without changes. */
static void
test_cli_diff_names_skipped (void)
{
  g_autofree char *dir = g_dir_make_tmp ("fleet-snapshot-XXXXXX", NULL);
  g_autoptr (FleetSnapshot) before = make_snapshot ();
  g_autoptr (FleetSnapshot) after = fleet_snapshot_new ();
  FleetSnapshotFile config = { SHA_B, 0100644, "root:root", 120, "" };
  g_autofree char *before_digest = NULL;
  g_autofree char *after_digest = NULL;
  g_autofree char *out = NULL;
  g_autofree char *err = NULL;
  const char *args[] = { "snapshot", "diff", "--store", dir, NULL, NULL, NULL };

  fleet_snapshot_set_host (after, "web-1");
  fleet_snapshot_add_file (after, "/etc/nginx/nginx.conf", &config);
  before_digest = fleet_snapshot_store_put (dir, before, "run-1", "before", NULL);
  after_digest = fleet_snapshot_store_put (dir, after, "run-1", "after", NULL);
  args[4] = before_digest;
  args[5] = after_digest;

  g_assert_cmpint (run_fleetc (args, &out, &err), ==, 1);
  g_assert_nonnull (strstr (out, "not compared: packages (not collected in the after "
                                 "snapshot)\n"));
  g_assert_nonnull (strstr (out, "not compared: services (not collected in the after "
                                 "snapshot)\n"));
  g_assert_nonnull (strstr (out, "not compared: ports (unavailable in the before snapshot: ss "
                                 "and netstat not found; not collected in the after "
                                 "snapshot)\n"));
  /* Neither snapshot has sysctl, because it was not requested. */
  g_assert_null (strstr (out, "sysctl"));
  g_assert_nonnull (strstr (out, "~ UNEXPECTED files /etc/nginx/nginx.conf"));

  fleet_test_remove_tree (dir);
}

/* `fleetc snapshot --help` lists every command, not only diff. */
static void
test_cli_help_lists_commands (void)
{
  const char *args[] = { "snapshot", "--help", NULL };
  const char *no_command[] = { "snapshot", NULL };
  g_autofree char *out = NULL;
  g_autofree char *err = NULL;

  g_assert_cmpint (run_fleetc (args, &out, &err), ==, 0);
  g_assert_nonnull (strstr (out, "\n  take -i INVENTORY..."));
  g_assert_nonnull (strstr (out, "\n  list --store DIR"));
  g_assert_nonnull (strstr (out, "\n  diff BEFORE AFTER"));

  g_clear_pointer (&out, g_free);
  g_clear_pointer (&err, g_free);
  g_assert_cmpint (run_fleetc (no_command, &out, &err), ==, 2);
  g_assert_nonnull (strstr (err, "expected a command: take, list or diff"));
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/snapshot/escape/round-trip", test_escape_round_trip);
  g_test_add_func ("/snapshot/escape/invalid", test_escape_rejects_invalid);
  g_test_add_func ("/snapshot/text/round-trip", test_text_round_trip);
  g_test_add_func ("/snapshot/text/deterministic", test_text_deterministic);
  g_test_add_func ("/snapshot/text/parse-errors", test_parse_errors);
  g_test_add_func ("/snapshot/text/mutations", test_parse_mutations);
  g_test_add_func ("/snapshot/expect/glob", test_glob_match);
  g_test_add_func ("/snapshot/expect/invalid", test_expect_rejects_invalid);
  g_test_add_func ("/snapshot/diff/kinds", test_diff_kinds);
  g_test_add_func ("/snapshot/diff/removed-and-identical", test_diff_removed_and_identical);
  g_test_add_func ("/snapshot/store/gzip", test_gzip_round_trip);
  g_test_add_func ("/snapshot/store/round-trip", test_store_round_trip);
  g_test_add_func ("/snapshot/store/errors", test_store_errors);
  g_test_add_func ("/snapshot/cli/diff-exit-status", test_cli_diff_exit_status);
  g_test_add_func ("/snapshot/cli/diff-names-skipped", test_cli_diff_names_skipped);
  g_test_add_func ("/snapshot/cli/help-lists-commands", test_cli_help_lists_commands);
  g_test_add_func ("/snapshot/collector/debian", test_collector_debian);
  g_test_add_func ("/snapshot/collector/rhel", test_collector_rhel);
  g_test_add_func ("/snapshot/collector/alpine", test_collector_alpine);
  g_test_add_func ("/snapshot/collector/freebsd", test_collector_freebsd);
  g_test_add_func ("/snapshot/collector/errors", test_collector_errors);
  g_test_add_func ("/snapshot/collector/nul-byte", test_collector_rejects_nul);
  g_test_add_func ("/snapshot/collector/mutations", test_collector_mutations);
  g_test_add_func ("/snapshot/cli/diff", test_cli_diff);

  return g_test_run ();
}
