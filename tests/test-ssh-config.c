/* test-ssh-config.c: the ssh_config reader and lookup.
 *
 * HOME points at a temporary directory for the whole program, set before
 * anything reads it, so no test reads the ~/.ssh/config of the machine and
 * relative Include paths resolve inside the test's own tree.  The
 * first-match cases are read from tests/data/ssh-config, one test per name
 * in the expectations file, and cross-checked with `ssh -G` when OpenSSH
 * is installed.
 */
#include <glib.h>
#include <glib/gstdio.h>
#include <string.h>
#include <unistd.h>

#include "compiler/proxy-jump.h"
#include "compiler/ssh-config.h"
#include "compiler/yaml-tree.h"
#include "tests/test-helpers.h"

typedef struct {
  char *dir;                  /* temporary directory, removed on tear-down */
  FleetDiagnostics *diags;
} Fixture;

static char *test_home;       /* HOME of the whole program */

static void
fixture_set_up (Fixture *fixture, gconstpointer data)
{
  fixture->dir = fleet_test_make_dir ("test-ssh-config-XXXXXX");
  fixture->diags = fleet_diagnostics_new ();
}

static void
fixture_tear_down (Fixture *fixture, gconstpointer data)
{
  g_autofree char *ssh_dir = g_build_filename (test_home, ".ssh", NULL);

  fleet_test_remove_tree (fixture->dir);
  fleet_test_remove_tree (ssh_dir);
  g_free (fixture->dir);
  fleet_diagnostics_free (fixture->diags);
}

/* Write `contents` to `path` with mode 0600, creating its directory. */
static void
write_path (const char *path, const char *contents)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *directory = g_path_get_dirname (path);

  g_assert_cmpint (g_mkdir_with_parents (directory, 0700), ==, 0);
  g_file_set_contents (path, contents, -1, &error);
  g_assert_no_error (error);
  g_assert_cmpint (g_chmod (path, 0600), ==, 0);
}

static char *
write_file (Fixture *fixture, const char *name, const char *contents)
{
  char *path = g_build_filename (fixture->dir, name, NULL);

  write_path (path, contents);
  return path;
}

static char *
write_home_file (const char *name, const char *contents)
{
  char *path = g_build_filename (test_home, name, NULL);

  write_path (path, contents);
  return path;
}

static void
show_diagnostics (Fixture *fixture)
{
  g_autofree char *text = fleet_diagnostics_format (fixture->diags);

  g_test_message ("diagnostics:\n%s", text);
}

/* Write `text` as `name` in the fixture directory and load it. */
static FleetSshConfig *
load (Fixture *fixture, const char *name, const char *text)
{
  g_autofree char *path = write_file (fixture, name, text);
  FleetSshConfig *config = fleet_ssh_config_load (path, FALSE, fixture->diags);

  show_diagnostics (fixture);
  return config;
}

static void
assert_counts (Fixture *fixture, guint errors, guint warnings)
{
  g_assert_cmpuint (fleet_diagnostics_error_count (fixture->diags), ==, errors);
  g_assert_cmpuint (fleet_diagnostics_warning_count (fixture->diags), ==, warnings);
}

/* Assert that diagnostic `index` has `severity`, is at `line` and `column`
 * of `path`, and reads exactly `message`. */
static void
assert_diagnostic (Fixture *fixture, guint index, FleetSeverity severity, const char *path,
                   guint line, guint column, const char *message)
{
  const FleetDiagnostic *diagnostic;

  g_assert_cmpuint (index, <, fleet_diagnostics_length (fixture->diags));
  diagnostic = fleet_diagnostics_get (fixture->diags, index);
  g_assert_cmpint (diagnostic->severity, ==, severity);
  g_assert_cmpstr (diagnostic->pos.file, ==, path);
  g_assert_cmpuint (diagnostic->pos.line, ==, line);
  g_assert_cmpuint (diagnostic->pos.column, ==, column);
  g_assert_cmpstr (diagnostic->message, ==, message);
}

/* Load `text`, expecting exactly one error at `line`, `column`. */
static void
assert_load_error (Fixture *fixture, const char *text, guint line, guint column,
                   const char *message)
{
  g_autofree char *path = g_build_filename (fixture->dir, "config", NULL);
  g_autoptr(FleetSshConfig) config = load (fixture, "config", text);

  g_assert_null (config);
  assert_counts (fixture, 1, 0);
  assert_diagnostic (fixture, 0, FLEET_SEVERITY_ERROR, path, line, column, message);
}

static void
assert_strings (const GPtrArray *strings, const char * const *expected)
{
  guint n = 0;

  g_assert_nonnull (strings);
  for (; expected[n] != NULL; n++)
    {
      g_assert_cmpuint (n, <, strings->len);
      g_assert_cmpstr (g_ptr_array_index (strings, n), ==, expected[n]);
    }
  g_assert_cmpuint (strings->len, ==, n);
}

/* Return the keywords of the lines in `lines` (FleetSshConfigLine *), with
 * their line numbers, as "Keyword:LINE Keyword:LINE". */
static char *
describe_lines (const GPtrArray *lines)
{
  GString *text = g_string_new (NULL);

  for (guint i = 0; i < lines->len; i++)
    {
      const FleetSshConfigLine *line = g_ptr_array_index (lines, i);

      g_string_append_printf (text, "%s%s:%u", i > 0 ? " " : "", line->keyword, line->pos.line);
    }
  return g_string_free (text, FALSE);
}

/* Return the rejections of `found` as "Keyword:LINE ..." */
static char *
describe_rejections (const FleetSshHostConfig *found)
{
  GString *text = g_string_new (NULL);

  for (guint i = 0; i < found->rejected->len; i++)
    {
      const FleetSshConfigRejection *rejection = g_ptr_array_index (found->rejected, i);

      g_string_append_printf (text, "%s%s:%u", i > 0 ? " " : "", rejection->line->keyword,
                              rejection->line->pos.line);
    }
  return g_string_free (text, FALSE);
}

static gboolean
has (const FleetSshHostConfig *found, FleetSetting setting)
{
  return fleet_host_settings_has (&found->settings, setting);
}

/* Expectations of the first-match case, one test per name. */

typedef struct {
  char *name;
  char *config_path;
  GHashTable *expected;       /* key -> char * value, or GPtrArray * for lists */
  GHashTable *lists;          /* keys whose values are lists */
} Expectation;

static void
expectation_free (gpointer data)
{
  Expectation *expectation = data;

  g_free (expectation->name);
  g_free (expectation->config_path);
  g_hash_table_unref (expectation->expected);
  g_hash_table_unref (expectation->lists);
  g_free (expectation);
}

static char *
data_path (const char *name)
{
  const char *root = g_getenv ("FLEET_SOURCE_ROOT");

  g_assert_nonnull (root);
  return g_build_filename (root, "tests", "data", "ssh-config", name, NULL);
}

/* Return the value of ForwardAgent on the first unused ForwardAgent line
 * of `found`, read back from the file: the value OpenSSH would obtain. */
static char *
first_unused_value (const FleetSshHostConfig *found, const char *keyword)
{
  for (guint i = 0; i < found->unused->len; i++)
    {
      const FleetSshConfigLine *line = g_ptr_array_index (found->unused, i);
      g_autofree char *text = NULL;
      g_auto(GStrv) lines = NULL;
      g_auto(GStrv) words = NULL;

      if (g_ascii_strcasecmp (line->keyword, keyword) != 0)
        continue;

      g_assert_true (g_file_get_contents (line->pos.file, &text, NULL, NULL));
      lines = g_strsplit (text, "\n", -1);
      words = g_strsplit_set (g_strstrip (lines[line->pos.line - 1]), " \t=", -1);
      return g_strdup (words[g_strv_length (words) - 1]);
    }
  return NULL;
}

static void
check_expected_value (const Expectation *expectation, const FleetSshHostConfig *found,
                      const char *key, const char *value)
{
  const FleetHostSettings *settings = &found->settings;

  g_test_message ("%s: %s = %s", expectation->name, key, value);
  if (g_str_equal (key, "hostname"))
    g_assert_cmpstr (has (found, FLEET_SETTING_ADDRESS) ? settings->address : expectation->name,
                     ==, value);
  else if (g_str_equal (key, "user"))
    g_assert_cmpstr (settings->user, ==, value);
  else if (g_str_equal (key, "port"))
    g_assert_cmpuint (has (found, FLEET_SETTING_PORT) ? settings->port : 22, ==,
                      g_ascii_strtoull (value, NULL, 10));
  else if (g_str_equal (key, "proxyjump") && g_str_equal (value, "none"))
    g_assert_false (has (found, FLEET_SETTING_PROXY_JUMP));
  else if (g_str_equal (key, "proxyjump"))
    g_assert_cmpstr (settings->proxy_jump, ==, value);
  else if (g_str_equal (key, "serveraliveinterval"))
    {
      g_assert_true (has (found, FLEET_SETTING_KEEPALIVE_INTERVAL));
      g_assert_cmpuint (settings->keepalive_interval_ms, ==,
                        1000 * g_ascii_strtoull (value, NULL, 10));
    }
  else if (g_str_equal (key, "connecttimeout"))
    {
      g_assert_true (has (found, FLEET_SETTING_CONNECT_TIMEOUT));
      g_assert_cmpuint (settings->connect_timeout_ms, ==,
                        1000 * g_ascii_strtoull (value, NULL, 10));
    }
  else if (g_str_equal (key, "forwardagent"))
    {
      g_autofree char *obtained = first_unused_value (found, "ForwardAgent");

      g_assert_cmpstr (obtained, ==, value);
    }
  else if (!g_str_equal (key, "note"))
    g_error ("expectation key \"%s\" has no check; add one", key);
}

static void
test_first_match_expectation (gconstpointer data)
{
  const Expectation *expectation = data;
  g_autoptr(FleetDiagnostics) diags = fleet_diagnostics_new ();
  g_autoptr(FleetSshConfig) config = fleet_ssh_config_load (expectation->config_path, FALSE, diags);
  g_autoptr(FleetSshHostConfig) found = NULL;
  GHashTableIter iter;
  gpointer key, value;

  g_assert_nonnull (config);
  g_assert_cmpuint (fleet_diagnostics_length (diags), ==, 0);
  found = fleet_ssh_config_lookup (config, expectation->name);
  g_assert_cmpuint (found->rejected->len, ==, 0);

  g_hash_table_iter_init (&iter, expectation->expected);
  while (g_hash_table_iter_next (&iter, &key, &value))
    {
      if (g_hash_table_contains (expectation->lists, key))
        {
          g_assert_cmpstr (key, ==, "identityfile");
          assert_strings (found->settings.identity_files,
                          (const char * const *) ((GPtrArray *) value)->pdata);
        }
      else
        check_expected_value (expectation, found, key, value);
    }
}

static Expectation *
read_expectation (const char *name, const FleetYamlNode *mapping, const char *config_path)
{
  Expectation *expectation = g_new0 (Expectation, 1);

  expectation->name = g_strdup (name);
  expectation->config_path = g_strdup (config_path);
  expectation->expected = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
  expectation->lists = g_hash_table_new_full (g_str_hash, g_str_equal, g_free,
                                              (GDestroyNotify) g_ptr_array_unref);

  g_assert_cmpint (mapping->kind, ==, FLEET_YAML_MAPPING);
  for (guint i = 0; i < mapping->keys->len; i++)
    {
      const FleetYamlNode *key = g_ptr_array_index (mapping->keys, i);
      const FleetYamlNode *value = g_ptr_array_index (mapping->items, i);

      if (value->kind == FLEET_YAML_SEQUENCE)
        {
          GPtrArray *items = g_ptr_array_new ();

          for (guint j = 0; j < value->items->len; j++)
            g_ptr_array_add (items, ((FleetYamlNode *) g_ptr_array_index (value->items, j))->value);
          g_ptr_array_add (items, NULL);
          g_hash_table_insert (expectation->lists, g_strdup (key->value), items);
          g_hash_table_insert (expectation->expected, g_strdup (key->value), items);
        }
      else
        g_hash_table_insert (expectation->expected, g_strdup (key->value), value->value);
    }

  return expectation;
}

/* Register one test per name of the expectations file.  The YAML document
 * stays alive for the whole run because the expectations borrow its
 * strings. */
static void
add_first_match_tests (GPtrArray *keep_alive)
{
  g_autofree char *path = data_path ("first-match-expected.yaml");
  g_autofree char *config_path = data_path ("first-match.config");
  g_autoptr(FleetDiagnostics) diags = fleet_diagnostics_new ();
  g_autofree char *text = NULL;
  gsize length = 0;
  FleetYamlDocument *document;
  const FleetYamlNode *resolve;

  g_assert_true (g_file_get_contents (path, &text, &length, NULL));
  document = fleet_yaml_parse (g_intern_string (path), text, length, diags);
  g_assert_nonnull (document);
  g_ptr_array_add (keep_alive, document);

  resolve = fleet_yaml_mapping_lookup (fleet_yaml_document_root (document), "resolve");
  g_assert_nonnull (resolve);
  for (guint i = 0; i < resolve->keys->len; i++)
    {
      const char *name = ((FleetYamlNode *) g_ptr_array_index (resolve->keys, i))->value;
      Expectation *expectation = read_expectation (name, g_ptr_array_index (resolve->items, i),
                                                   config_path);
      g_autofree char *test_path = g_strdup_printf ("/ssh-config/first-match/%s", name);

      g_test_add_data_func_full (test_path, expectation, test_first_match_expectation,
                                 expectation_free);
    }
}

/* Run `ssh -G` for `name` and return its output as keyword -> value, with
 * repeated keywords joined by spaces. */
static GHashTable *
run_ssh_g (const char *ssh, const char *config_path, const char *name)
{
  const char *argv[] = { ssh, "-G", "-F", config_path, name, NULL };
  g_autofree char *out = NULL;
  g_autoptr(GError) error = NULL;
  g_auto(GStrv) lines = NULL;
  GHashTable *values = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, g_free);
  int status = 0;

  g_spawn_sync (NULL, (char **) argv, NULL, G_SPAWN_STDERR_TO_DEV_NULL, NULL, NULL, &out, NULL,
                &status, &error);
  g_assert_no_error (error);
  g_assert_true (g_spawn_check_wait_status (status, NULL));

  lines = g_strsplit (out, "\n", -1);
  for (char **line = lines; *line != NULL; line++)
    {
      char *space = strchr (*line, ' ');
      g_autofree char *key = NULL;
      const char *previous;

      if (space == NULL)
        continue;
      key = g_strndup (*line, space - *line);
      previous = g_hash_table_lookup (values, key);
      g_hash_table_replace (values, g_strdup (key),
                            previous != NULL ? g_strdup_printf ("%s %s", previous, space + 1)
                                             : g_strdup (space + 1));
    }
  return values;
}

/* The reader agrees with OpenSSH itself on every name of the case. */
static void
test_first_match_same_as_ssh (void)
{
  g_autofree char *ssh = g_find_program_in_path ("ssh");
  g_autofree char *config_path = data_path ("first-match.config");
  g_autoptr(FleetDiagnostics) diags = fleet_diagnostics_new ();
  g_autoptr(FleetSshConfig) config = NULL;
  const char *names[] = { "bastion.example.test", "web1.prod.example.test",
                          "db1.prod.example.test", "example1", "example2", "other.example.test" };

  if (ssh == NULL)
    {
      g_test_skip ("ssh is not installed (apt install openssh-client)");
      return;
    }

  config = fleet_ssh_config_load (config_path, FALSE, diags);
  g_assert_nonnull (config);
  for (gsize i = 0; i < G_N_ELEMENTS (names); i++)
    {
      g_autoptr(GHashTable) expected = run_ssh_g (ssh, config_path, names[i]);
      g_autoptr(FleetSshHostConfig) found = fleet_ssh_config_lookup (config, names[i]);
      const FleetHostSettings *settings = &found->settings;
      g_autofree char *identity_files = NULL;
      g_autofree char *port = g_strdup_printf ("%u", has (found, FLEET_SETTING_PORT)
                                                       ? settings->port : 22);
      g_autofree char *interval = g_strdup_printf ("%u", settings->keepalive_interval_ms / 1000);
      g_autofree char *timeout = g_strdup_printf ("%u", settings->connect_timeout_ms / 1000);

      g_test_message ("ssh -G %s", names[i]);
      g_ptr_array_add (settings->identity_files, NULL);
      identity_files = g_strjoinv (" ", (char **) settings->identity_files->pdata);
      g_ptr_array_set_size (settings->identity_files, settings->identity_files->len - 1);

      g_assert_cmpstr (g_hash_table_lookup (expected, "hostname"), ==,
                       has (found, FLEET_SETTING_ADDRESS) ? settings->address : names[i]);
      g_assert_cmpstr (g_hash_table_lookup (expected, "user"), ==, settings->user);
      g_assert_cmpstr (g_hash_table_lookup (expected, "port"), ==, port);
      g_assert_cmpstr (g_hash_table_lookup (expected, "identityfile"), ==, identity_files);
      g_assert_cmpstr (g_hash_table_lookup (expected, "proxyjump"), ==, settings->proxy_jump);
      g_assert_cmpstr (g_hash_table_lookup (expected, "serveraliveinterval"), ==, interval);
      g_assert_cmpstr (g_hash_table_lookup (expected, "connecttimeout"), ==, timeout);
    }
}

/* Syntax */

static void
test_syntax_forms (Fixture *fixture, gconstpointer data)
{
  g_autoptr(FleetSshConfig) config = load (fixture, "config",
    "# comment\n"
    "\n"
    "  HOST web1   # a trailing comment\n"
    "hostname=192.0.2.1\n"
    "PORT = 2201\n"
    "\tuSeR \"deploy\"\n"
    "IdentityFile \"/keys/with space\"\n"
    "IdentityFile '/keys/single quoted'\n"
    "IdentityFile /keys/escaped\\ space\n"
    "UserKnownHostsFile /kh/one \"/kh/two three\"\r\n");
  g_autoptr(FleetSshHostConfig) found = NULL;

  g_assert_nonnull (config);
  assert_counts (fixture, 0, 0);
  found = fleet_ssh_config_lookup (config, "web1");
  g_assert_cmpstr (found->settings.address, ==, "192.0.2.1");
  g_assert_cmpuint (found->settings.port, ==, 2201);
  g_assert_cmpstr (found->settings.user, ==, "deploy");
  assert_strings (found->settings.identity_files,
                  (const char *[]) { "/keys/with space", "/keys/single quoted",
                                     "/keys/escaped space", NULL });
  assert_strings (found->settings.known_hosts_files,
                  (const char *[]) { "/kh/one", "/kh/two three", NULL });
  g_assert_cmpuint (found->unused->len, ==, 0);
}

static void
test_syntax_errors (Fixture *fixture, gconstpointer data)
{
  const struct {
    const char *text;
    guint line;
    guint column;
    const char *message;
  } cases[] = {
    { "Host a\n  User \"deploy\n", 2, 8,
      "the quote that starts here is not closed; close it before the end of the line" },
    { "Port\n", 1, 1, "missing value after Port; write Port value" },
    { "=value\n", 1, 1, "missing keyword before the value; write Keyword value" },
    { "Port 0\n", 1, 6, "invalid Port \"0\": use a number from 1 to 65535" },
    { "Port 65536\n", 1, 6, "invalid Port \"65536\": use a number from 1 to 65535" },
    { "Port 22 23\n", 1, 9,
      "Port takes one value; remove the rest of the line, or quote a value that contains "
      "spaces" },
    { "User -oops\n", 1, 6, "invalid User \"-oops\": it must not start with '-'" },
    { "HostName \"a b\"\n", 1, 10,
      "invalid HostName \"a b\": it must not contain whitespace or control characters" },
    { "HostName %p.example\n", 1, 10,
      "unsupported token %p in HostName \"%p.example\"; fleetc supports %% and %h here "
      "(write %% for a percent sign)" },
    { "IdentityFile ~/.ssh/%C\n", 1, 14,
      "unsupported token %C in IdentityFile \"~/.ssh/%C\"; fleetc supports %%, %d, %h, %n, "
      "%p, %r and %u here (write %% for a percent sign)" },
    { "IdentityFile ~/.ssh/id_%\n", 1, 14,
      "unsupported token % in IdentityFile \"~/.ssh/id_%\"; fleetc supports %%, %d, %h, %n, "
      "%p, %r and %u here (write %% for a percent sign)" },
    { "IdentityFile ${KEYS}/id\n", 1, 14,
      "environment variables are not supported in IdentityFile \"${KEYS}/id\"; write the path "
      "out" },
    { "UserKnownHostsFile ~/kh ~op/kh\n", 1, 25,
      "invalid UserKnownHostsFile \"~op/kh\": only ~/ may start a path; write the path from / "
      "or from ~/" },
    { "IdentitiesOnly maybe\n", 1, 16, "invalid IdentitiesOnly \"maybe\": use yes or no" },
    { "StrictHostKeyChecking sometimes\n", 1, 23,
      "invalid StrictHostKeyChecking \"sometimes\": use yes or accept-new" },
    { "ConnectTimeout 0\n", 1, 16,
      "invalid ConnectTimeout \"0\": use a number of seconds from 1 to 3600, or a time such as "
      "30s or 1m" },
    { "ConnectTimeout 2h\n", 1, 16,
      "invalid ConnectTimeout \"2h\": use a number of seconds from 1 to 3600, or a time such as "
      "30s or 1m" },
    { "ServerAliveInterval 10x\n", 1, 21,
      "invalid ServerAliveInterval \"10x\": use a number of seconds from 0 to 86400, or a time "
      "such as 30s or 1m" },
    { "ServerAliveCountMax 0\n", 1, 21,
      "invalid ServerAliveCountMax \"0\": use a number from 1 to 1000" },
    { "ProxyJump bastion:ssh\n", 1, 11,
      "invalid value for ProxyJump: jump host \"bastion:ssh\": the port must be a number from 1 "
      "to 65535" },
    { "ProxyJump a,,b\n", 1, 11,
      "invalid value for ProxyJump: jump host \"\": the list has an empty entry; remove the "
      "extra comma" },
    { "Host \"\"\n", 1, 6, "empty pattern in Host; remove it or write a host name pattern" },
    { "Include ~op/config\n", 1, 9,
      "invalid Include path \"~op/config\": only ~/ may start a path; write the path from / or "
      "from ~/" },
  };

  for (gsize i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_test_message ("case %" G_GSIZE_FORMAT ": %s", i, cases[i].text);
      fleet_diagnostics_free (fixture->diags);
      fixture->diags = fleet_diagnostics_new ();
      assert_load_error (fixture, cases[i].text, cases[i].line, cases[i].column,
                         cases[i].message);
    }
}

static void
test_nul_byte_rejected (Fixture *fixture, gconstpointer data)
{
  g_autofree char *path = g_build_filename (fixture->dir, "config", NULL);
  g_autoptr(FleetSshConfig) config = NULL;

  g_assert_true (g_file_set_contents (path, "Host a\nUser de\0ploy\n", 20, NULL));
  config = fleet_ssh_config_load (path, FALSE, fixture->diags);
  show_diagnostics (fixture);

  g_assert_null (config);
  assert_counts (fixture, 1, 0);
  assert_diagnostic (fixture, 0, FLEET_SEVERITY_ERROR, path, 2, 8,
                     "the line contains a NUL byte; is this a text file?");
}

static void
test_missing_file (Fixture *fixture, gconstpointer data)
{
  g_autofree char *path = g_build_filename (fixture->dir, "absent", NULL);
  g_autoptr(FleetSshConfig) config = fleet_ssh_config_load (path, FALSE, fixture->diags);
  g_autofree char *message = g_strdup_printf ("failed to read ssh_config file \"%s\": No such "
                                              "file or directory", path);

  g_assert_null (config);
  assert_counts (fixture, 1, 0);
  assert_diagnostic (fixture, 0, FLEET_SEVERITY_ERROR, path, 0, 0, message);
}

/* Matching */

static void
test_host_patterns (Fixture *fixture, gconstpointer data)
{
  g_autoptr(FleetSshConfig) config = load (fixture, "config",
    "Host web? !web9 db*.example.test\n"
    "  User matched\n"
    "Host *.Example.test\n"
    "  User case\n"
    "Host *\n"
    "  User fallback\n");
  const struct {
    const char *name;
    const char *user;
  } cases[] = {
    { "web1", "matched" },
    { "web9", "fallback" },     /* negated */
    { "web10", "fallback" },    /* ? is one character */
    { "web", "fallback" },
    { "db1.example.test", "matched" },
    { "db.example.test", "matched" }, /* * matches nothing too */
    { "x.Example.test", "case" },
    { "x.example.TEST", "fallback" }, /* matching is case-sensitive */
  };

  g_assert_nonnull (config);
  for (gsize i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autoptr(FleetSshHostConfig) found = fleet_ssh_config_lookup (config, cases[i].name);

      g_test_message ("%s", cases[i].name);
      g_assert_cmpstr (found->settings.user, ==, cases[i].user);
    }
}

/* A negated pattern excludes the block even when another pattern of the
 * same line matches first. */
static void
test_negation_wins (Fixture *fixture, gconstpointer data)
{
  g_autoptr(FleetSshConfig) config = load (fixture, "config",
    "Host * !bastion\n"
    "  ProxyJump bastion\n");
  g_autoptr(FleetSshHostConfig) bastion = NULL;
  g_autoptr(FleetSshHostConfig) web = NULL;

  g_assert_nonnull (config);
  bastion = fleet_ssh_config_lookup (config, "bastion");
  web = fleet_ssh_config_lookup (config, "web1");
  g_assert_false (has (bastion, FLEET_SETTING_PROXY_JUMP));
  g_assert_cmpstr (web->settings.proxy_jump, ==, "bastion");
}

static void
test_hostname_token (Fixture *fixture, gconstpointer data)
{
  g_autoptr(FleetSshConfig) config = load (fixture, "config",
    "Host *.short\n"
    "  HostName %h.example.test\n"
    "Host pct\n"
    "  HostName 100%%.example.test\n");
  g_autoptr(FleetSshHostConfig) web = NULL;
  g_autoptr(FleetSshHostConfig) pct = NULL;

  g_assert_nonnull (config);
  web = fleet_ssh_config_lookup (config, "web1.short");
  pct = fleet_ssh_config_lookup (config, "pct");
  g_assert_cmpstr (web->settings.address, ==, "web1.short.example.test");
  g_assert_cmpstr (pct->settings.address, ==, "100%.example.test");
}

static void
test_known_hosts_and_policy (Fixture *fixture, gconstpointer data)
{
  g_autoptr(FleetSshConfig) config = load (fixture, "config",
    "Host new\n"
    "  StrictHostKeyChecking ACCEPT-NEW\n"
    "  HashKnownHosts yes\n"
    "  UserKnownHostsFile ~/.ssh/kh_%h_%p /etc/fleet/kh\n"
    "  UserKnownHostsFile /never/used\n"
    "Host *\n"
    "  StrictHostKeyChecking yes\n"
    "  IdentitiesOnly yes\n"
    "  ConnectTimeout 1m30s\n"
    "  ServerAliveInterval 0\n"
    "  ServerAliveCountMax 7\n");
  g_autoptr(FleetSshHostConfig) found = NULL;
  g_autoptr(FleetSshHostConfig) other = NULL;

  g_assert_nonnull (config);
  found = fleet_ssh_config_lookup (config, "new");
  other = fleet_ssh_config_lookup (config, "other");

  g_assert_cmpint (found->settings.host_key_policy, ==, FLEET_HOST_KEY_POLICY_ACCEPT_NEW);
  g_assert_true (has (found, FLEET_SETTING_HASH_KNOWN_HOSTS));
  g_assert_true (found->settings.hash_known_hosts);
  g_assert_false (has (other, FLEET_SETTING_HASH_KNOWN_HOSTS));
  assert_strings (found->settings.known_hosts_files,
                  (const char *[]) { "~/.ssh/kh_%h_%p", "/etc/fleet/kh", NULL });
  g_assert_true (found->settings.identities_only);
  g_assert_cmpuint (found->settings.connect_timeout_ms, ==, 90000);
  g_assert_true (has (found, FLEET_SETTING_KEEPALIVE_INTERVAL));
  g_assert_cmpuint (found->settings.keepalive_interval_ms, ==, 0);
  g_assert_cmpuint (found->settings.keepalive_count_max, ==, 7);

  g_assert_cmpint (other->settings.host_key_policy, ==, FLEET_HOST_KEY_POLICY_STRICT);
  g_assert_true (has (other, FLEET_SETTING_HOST_KEY_POLICY));
  g_assert_false (has (other, FLEET_SETTING_KNOWN_HOSTS_FILES));
}

/* Unused and rejected keywords */

static void
test_unused_keywords_listed (Fixture *fixture, gconstpointer data)
{
  g_autoptr(FleetSshConfig) config = load (fixture, "config",
    "ForwardAgent yes\n"
    "Host web*\n"
    "  SendEnv LANG\n"
    "  Ciphers +aes128-cbc\n"
    "  CanonicalizeHostname no\n"
    "  NoSuchKeyword 1\n"
    "Host db*\n"
    "  ControlMaster auto\n");
  g_autoptr(FleetSshHostConfig) web = NULL;
  g_autofree char *lines = NULL;

  g_assert_nonnull (config);
  assert_counts (fixture, 0, 0);
  web = fleet_ssh_config_lookup (config, "web1");
  lines = describe_lines (web->unused);
  g_assert_cmpstr (lines, ==, "ForwardAgent:1 SendEnv:3 Ciphers:4 CanonicalizeHostname:5 "
                              "NoSuchKeyword:6");
  g_assert_cmpuint (web->rejected->len, ==, 0);
}

static void
test_rejected_lines (Fixture *fixture, gconstpointer data)
{
  g_autoptr(FleetSshConfig) config = load (fixture, "config",
    "Host legacy\n"
    "  StrictHostKeyChecking no\n"
    "  ProxyCommand ssh -W %h:%p gateway\n"
    "  ProxyJump never-obtained\n"
    "  UserKnownHostsFile none\n"
    "  KexAlgorithms curve25519-sha256\n"
    "  KexAlgorithms -diffie-hellman-group14-sha1\n"
    "  HostKeyAlias other\n"
    "  CanonicalizeHostname yes\n"
    "Host *\n"
    "  StrictHostKeyChecking yes\n"
    "  RevokedHostKeys /etc/ssh/revoked\n");
  g_autoptr(FleetSshHostConfig) legacy = NULL;
  g_autofree char *rejected = NULL;
  g_autofree char *unused = NULL;
  const FleetSshConfigRejection *first;

  g_assert_nonnull (config);
  legacy = fleet_ssh_config_lookup (config, "legacy");
  rejected = describe_rejections (legacy);
  unused = describe_lines (legacy->unused);

  g_assert_cmpstr (rejected, ==, "StrictHostKeyChecking:2 ProxyCommand:3 UserKnownHostsFile:5 "
                                "KexAlgorithms:6 HostKeyAlias:8 CanonicalizeHostname:9 "
                                "RevokedHostKeys:12");
  /* OpenSSH obtains no second line of a keyword, so a second KexAlgorithms
   * is unused.  The ProxyJump and the later StrictHostKeyChecking lose to
   * the rejected lines before them. */
  g_assert_cmpstr (unused, ==, "KexAlgorithms:7");
  g_assert_false (has (legacy, FLEET_SETTING_PROXY_JUMP));
  g_assert_false (has (legacy, FLEET_SETTING_HOST_KEY_POLICY));
  g_assert_false (has (legacy, FLEET_SETTING_KNOWN_HOSTS_FILES));

  first = g_ptr_array_index (legacy->rejected, 0);
  g_assert_cmpint (first->replaced_by, ==, FLEET_SETTING_HOST_KEY_POLICY);
  g_assert_cmpstr (first->message, ==,
                   "StrictHostKeyChecking \"no\" is not supported: fleetc never turns host key "
                   "checking off and fleet-run never asks; use yes, or accept-new to record the "
                   "key of a host seen for the first time (a changed key is still rejected), or "
                   "set host_key_policy in the inventory");
  g_assert_cmpint (((FleetSshConfigRejection *) g_ptr_array_index (legacy->rejected, 1))->replaced_by,
                   ==, FLEET_SETTING_PROXY_JUMP);
  g_assert_cmpint (((FleetSshConfigRejection *) g_ptr_array_index (legacy->rejected, 3))->replaced_by,
                   ==, FLEET_SETTING_COUNT);
}

static void
test_strict_host_key_checking_values (Fixture *fixture, gconstpointer data)
{
  const char *rejected[] = { "no", "off", "false", "ask", "No" };

  for (gsize i = 0; i < G_N_ELEMENTS (rejected); i++)
    {
      g_autofree char *text = g_strdup_printf ("StrictHostKeyChecking %s\n", rejected[i]);
      g_autoptr(FleetSshConfig) config = load (fixture, "config", text);
      g_autoptr(FleetSshHostConfig) found = NULL;

      g_assert_nonnull (config);
      found = fleet_ssh_config_lookup (config, "any");
      g_test_message ("%s", rejected[i]);
      g_assert_cmpuint (found->rejected->len, ==, 1);
      g_assert_nonnull (strstr (((FleetSshConfigRejection *) g_ptr_array_index (found->rejected, 0))
                                  ->message, "accept-new"));
    }
}

/* ProxyCommand and ProxyJump share a setting: the first one obtained wins,
 * and "ProxyCommand none" turns off a later ProxyJump. */
static void
test_proxy_command_none (Fixture *fixture, gconstpointer data)
{
  g_autoptr(FleetSshConfig) config = load (fixture, "config",
    "Host direct\n"
    "  ProxyCommand none\n"
    "Host jumped\n"
    "  ProxyJump jump@bastion:2222,inner\n"
    "  ProxyCommand nc %h %p\n"
    "Host *\n"
    "  ProxyJump bastion\n");
  g_autoptr(FleetSshHostConfig) direct = NULL;
  g_autoptr(FleetSshHostConfig) jumped = NULL;

  g_assert_nonnull (config);
  direct = fleet_ssh_config_lookup (config, "direct");
  jumped = fleet_ssh_config_lookup (config, "jumped");
  g_assert_cmpstr (direct->settings.proxy_jump, ==, "none");
  g_assert_cmpstr (jumped->settings.proxy_jump, ==, "jump@bastion:2222,inner");
  g_assert_cmpuint (jumped->rejected->len, ==, 0);
}

/* Match */

static void
test_match_warned_and_skipped (Fixture *fixture, gconstpointer data)
{
  g_autofree char *path = g_build_filename (fixture->dir, "config", NULL);
  g_autoptr(FleetSshConfig) config = load (fixture, "config",
    "Match host web1\n"
    "  User from-match\n"
    "  ProxyCommand nc %h %p\n"
    "Host web1\n"
    "  Port 2201\n"
    "  match exec \"true\"\n"
    "  Port 2202\n");
  g_autoptr(FleetSshHostConfig) found = NULL;

  g_assert_nonnull (config);
  assert_counts (fixture, 0, 2);
  assert_diagnostic (fixture, 0, FLEET_SEVERITY_WARNING, path, 1, 1,
                     "Match blocks are not supported; their settings were not applied");
  assert_diagnostic (fixture, 1, FLEET_SEVERITY_WARNING, path, 6, 3,
                     "Match blocks are not supported; their settings were not applied");

  found = fleet_ssh_config_lookup (config, "web1");
  g_assert_null (found->settings.user);
  g_assert_cmpuint (found->settings.port, ==, 2201);
  g_assert_cmpuint (found->rejected->len, ==, 0);
  g_assert_cmpuint (found->unused->len, ==, 0);
}

/* Include */

static void
test_include_relative_to_ssh_dir (Fixture *fixture, gconstpointer data)
{
  g_autofree char *second = write_home_file (".ssh/conf.d/20-second", "Host web1\n  Port 2202\n");
  g_autofree char *first = write_home_file (".ssh/conf.d/10-first",
                                            "Host web1\n  User first\n  IdentityFile ~/a\n");
  g_autofree char *ignored = write_home_file (".ssh/conf.d/README", "Host web1\n  User readme\n");
  g_autofree char *top = write_file (fixture, "config",
                                     "Include conf.d/[0-9]* missing/*.conf\n"
                                     "Host web1\n"
                                     "  IdentityFile ~/b\n");
  g_autoptr(FleetSshConfig) config = fleet_ssh_config_load (top, FALSE, fixture->diags);
  g_autoptr(FleetSshHostConfig) found = NULL;
  const GPtrArray *sources;
  g_autofree char *top_text = NULL;
  g_autofree char *top_sha256 = NULL;

  show_diagnostics (fixture);
  g_assert_nonnull (config);
  assert_counts (fixture, 0, 0);
  found = fleet_ssh_config_lookup (config, "web1");
  g_assert_cmpstr (found->settings.user, ==, "first");
  g_assert_cmpuint (found->settings.port, ==, 2202);
  assert_strings (found->settings.identity_files, (const char *[]) { "~/a", "~/b", NULL });

  /* Every file read is recorded once, in reading order, with its digest. */
  sources = fleet_ssh_config_sources (config);
  g_assert_cmpuint (sources->len, ==, 3);
  g_assert_cmpstr (((FleetSourceFile *) g_ptr_array_index (sources, 0))->path, ==, top);
  g_assert_cmpstr (((FleetSourceFile *) g_ptr_array_index (sources, 1))->path, ==, first);
  g_assert_cmpstr (((FleetSourceFile *) g_ptr_array_index (sources, 2))->path, ==, second);
  g_assert_true (g_file_get_contents (top, &top_text, NULL, NULL));
  top_sha256 = g_compute_checksum_for_string (G_CHECKSUM_SHA256, top_text, -1);
  g_assert_cmpstr (((FleetSourceFile *) g_ptr_array_index (sources, 0))->sha256, ==, top_sha256);
  g_assert_cmpstr (fleet_ssh_config_path (config), ==, top);
}

/* Included lines belong to the block of the Include line until the
 * included file starts a block, and the blocks of a file included from a
 * block that does not apply never apply either. */
static void
test_include_inside_block (Fixture *fixture, gconstpointer data)
{
  g_autofree char *inner = write_file (fixture, "inner",
                                       "User from-inner\n"
                                       "Host *\n"
                                       "  Port 2200\n");
  g_autofree char *top_text = g_strdup_printf ("Host web*\n"
                                               "  Include %s\n"
                                               "Host *\n"
                                               "  User fallback\n"
                                               "  Port 22\n", inner);
  g_autoptr(FleetSshConfig) config = load (fixture, "config", top_text);
  g_autoptr(FleetSshHostConfig) web = NULL;
  g_autoptr(FleetSshHostConfig) db = NULL;

  g_assert_nonnull (config);
  web = fleet_ssh_config_lookup (config, "web1");
  db = fleet_ssh_config_lookup (config, "db1");
  g_assert_cmpstr (web->settings.user, ==, "from-inner");
  g_assert_cmpuint (web->settings.port, ==, 2200);
  g_assert_cmpstr (db->settings.user, ==, "fallback");
  g_assert_cmpuint (db->settings.port, ==, 22);
}

static void
test_include_cycle (Fixture *fixture, gconstpointer data)
{
  g_autofree char *a = g_build_filename (fixture->dir, "a", NULL);
  g_autofree char *b = g_build_filename (fixture->dir, "b", NULL);
  g_autofree char *a_text = g_strdup_printf ("Port 2200\nInclude %s\n", b);
  g_autofree char *b_text = g_strdup_printf ("User x\nInclude %s\n", a);
  g_autoptr(FleetSshConfig) config = NULL;
  g_autofree char *message = g_strdup_printf ("ssh_config file \"%s\" includes itself, through "
                                              "2 Include lines; remove one of them", a);

  g_free (write_file (fixture, "a", a_text));
  g_free (write_file (fixture, "b", b_text));
  config = fleet_ssh_config_load (a, FALSE, fixture->diags);
  show_diagnostics (fixture);

  g_assert_null (config);
  assert_counts (fixture, 1, 0);
  assert_diagnostic (fixture, 0, FLEET_SEVERITY_ERROR, b, 2, 9, message);
}

static void
test_include_depth_limit (Fixture *fixture, gconstpointer data)
{
  g_autoptr(FleetSshConfig) config = NULL;
  g_autofree char *top = NULL;
  g_autofree char *deepest_includer = NULL;
  g_autofree char *deepest = NULL;
  g_autofree char *message = NULL;

  /* Files 0 to 17 each include the next: 17 levels of nesting. */
  for (guint i = 0; i <= FLEET_SSH_CONFIG_MAX_INCLUDE_DEPTH + 1; i++)
    {
      g_autofree char *name = g_strdup_printf ("level%02u", i);
      g_autofree char *next = g_strdup_printf ("%s/level%02u", fixture->dir, i + 1);
      g_autofree char *text = i <= FLEET_SSH_CONFIG_MAX_INCLUDE_DEPTH
                                ? g_strdup_printf ("Include %s\n", next) : g_strdup ("Port 1\n");

      g_free (write_file (fixture, name, text));
    }

  top = g_build_filename (fixture->dir, "level00", NULL);
  deepest_includer = g_strdup_printf ("%s/level%02u", fixture->dir,
                                      FLEET_SSH_CONFIG_MAX_INCLUDE_DEPTH);
  deepest = g_strdup_printf ("%s/level%02u", fixture->dir, FLEET_SSH_CONFIG_MAX_INCLUDE_DEPTH + 1);
  message = g_strdup_printf ("Include nests ssh_config files more than 16 deep at \"%s\"; "
                             "OpenSSH stops there too, so flatten the includes", deepest);
  config = fleet_ssh_config_load (top, FALSE, fixture->diags);
  show_diagnostics (fixture);

  g_assert_null (config);
  assert_counts (fixture, 1, 0);
  assert_diagnostic (fixture, 0, FLEET_SEVERITY_ERROR, deepest_includer, 1, 9, message);
}

/* OpenSSH rejects included files that others may change; so does fleetc,
 * and for the top file only when asked, as OpenSSH does for -F. */
static void
test_include_permissions (Fixture *fixture, gconstpointer data)
{
  g_autofree char *shared = write_file (fixture, "shared", "User x\n");
  g_autofree char *top_text = g_strdup_printf ("Include %s\n", shared);
  g_autofree char *top = write_file (fixture, "config", top_text);
  g_autofree char *message = g_strdup_printf ("ssh_config file \"%s\" is writable by its group "
                                              "or others, so OpenSSH would reject it too; run "
                                              "chmod go-w on it", shared);
  g_autofree char *top_message = g_strdup_printf ("ssh_config file \"%s\" is writable by its "
                                                  "group or others, so OpenSSH would reject it "
                                                  "too; run chmod go-w on it", top);
  g_autoptr(FleetSshConfig) config = NULL;
  g_autoptr(FleetSshConfig) unchecked = NULL;

  g_assert_cmpint (g_chmod (shared, 0664), ==, 0);
  config = fleet_ssh_config_load (top, FALSE, fixture->diags);
  show_diagnostics (fixture);
  g_assert_null (config);
  assert_counts (fixture, 1, 0);
  assert_diagnostic (fixture, 0, FLEET_SEVERITY_ERROR, top, 1, 9, message);

  g_assert_cmpint (g_chmod (shared, 0644), ==, 0);
  g_assert_cmpint (g_chmod (top, 0666), ==, 0);
  fleet_diagnostics_free (fixture->diags);
  fixture->diags = fleet_diagnostics_new ();
  unchecked = fleet_ssh_config_load (top, FALSE, fixture->diags);
  g_assert_nonnull (unchecked);

  g_clear_pointer (&config, fleet_ssh_config_free);
  config = fleet_ssh_config_load (top, TRUE, fixture->diags);
  show_diagnostics (fixture);
  g_assert_null (config);
  assert_counts (fixture, 1, 0);
  assert_diagnostic (fixture, 0, FLEET_SEVERITY_ERROR, top, 0, 0, top_message);
}

/* Tokens */

static void
test_expand_path_tokens (void)
{
  FleetSshTokenValues values = { "web1", "192.0.2.1", 2222, "deploy" };
  FleetSshTokenValues no_user = { "web1", "192.0.2.1", 22, NULL };
  g_autofree char *cwd = g_get_current_dir ();
  const struct {
    const char *path;
    const FleetSshTokenValues *values;
    char *expected;
  } cases[] = {
    { "~/.ssh/%n_%h_%p_%r", &values, g_strdup ("~/.ssh/web1_192.0.2.1_2222_deploy") },
    { "%d/keys/%u", &values, g_build_filename (g_get_home_dir (), "keys", g_get_user_name (),
                                               NULL) },
    { "/keys/100%%_%r", &no_user, g_strdup_printf ("/keys/100%%_%s", g_get_user_name ()) },
    { "keys/../id", &values, g_build_filename (cwd, "id", NULL) },
  };

  for (gsize i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autofree char *expanded = fleet_ssh_config_expand_path (cases[i].path, cases[i].values);

      g_assert_cmpstr (expanded, ==, cases[i].expected);
      g_free (cases[i].expected);
    }
}

/* Jump host lists */

/* Return the hops of `text` in canonical form, joined by " | ", or the
 * error message. */
static char *
parse_jump_list (const char *text)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GPtrArray) hops = fleet_proxy_jump_parse (text, &error);
  GString *out = g_string_new (NULL);

  if (hops == NULL)
    {
      g_assert_error (error, FLEET_PROXY_JUMP_ERROR, FLEET_PROXY_JUMP_ERROR_INVALID);
      g_string_append (out, error->message);
      return g_string_free (out, FALSE);
    }

  for (guint i = 0; i < hops->len; i++)
    {
      const FleetJumpHop *hop = g_ptr_array_index (hops, i);

      g_string_append_printf (out, "%s%s [%s|%s|%u]", i > 0 ? " | " : "", hop->text,
                              hop->user != NULL ? hop->user : "", hop->host, hop->port);
    }
  return g_string_free (out, FALSE);
}

static void
test_proxy_jump_parse (void)
{
  const struct {
    const char *text;
    const char *expected;
  } cases[] = {
    { "none", "" },
    { "NONE", "" },
    { "bastion", "bastion [|bastion|0]" },
    { "jump@bastion:2222,inner", "jump@bastion:2222 [jump|bastion|2222] | inner [|inner|0]" },
    { "ssh://ops@gw.example.test:2200/", "ops@gw.example.test:2200 [ops|gw.example.test|2200]" },
    { "a@b@gw", "a@b@gw [a@b|gw|0]" },
    { "[2001:db8::1]:2222", "[2001:db8::1]:2222 [|2001:db8::1|2222]" },
    { "root@[2001:db8::1]", "root@[2001:db8::1] [root|2001:db8::1|0]" },
    { "", "jump host \"\": it is empty; write none for no jump host" },
    { "gw,", "jump host \"\": the list has an empty entry; remove the extra comma" },
    { "2001:db8::1", "jump host \"2001:db8::1\": put an IPv6 address in brackets, as in "
                     "[2001:db8::1]:22" },
    { "[2001:db8::1", "jump host \"[2001:db8::1\": the '[' before the address has no ']'" },
    { "[2001:db8::1]x", "jump host \"[2001:db8::1]x\": only :port may follow the ']'" },
    { "gw:0", "jump host \"gw:0\": the port must be a number from 1 to 65535" },
    { "gw:", "jump host \"gw:\": the port must be a number from 1 to 65535" },
    { "@gw", "jump host \"@gw\": the user name is invalid: it is empty; write "
             "[user@]host[:port]" },
    { "-oProxyCommand=x", "jump host \"-oProxyCommand=x\": the host name is invalid: it must "
                          "not start with '-'; write [user@]host[:port]" },
    { "ops@", "jump host \"ops@\": the host name is invalid: it is empty; write "
              "[user@]host[:port]" },
  };

  for (gsize i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autofree char *parsed = parse_jump_list (cases[i].text);

      g_test_message ("%s", cases[i].text);
      g_assert_cmpstr (parsed, ==, cases[i].expected);
    }
}

static void
add_test (const char *path, void (*test) (Fixture *, gconstpointer))
{
  g_test_add (path, Fixture, NULL, fixture_set_up, test, fixture_tear_down);
}

int
main (int argc, char **argv)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GPtrArray) documents = g_ptr_array_new_with_free_func (
    (GDestroyNotify) fleet_yaml_document_free);
  int status;

  test_home = g_dir_make_tmp ("test-ssh-config-home-XXXXXX", &error);
  g_assert_no_error (error);
  g_setenv ("HOME", test_home, TRUE);

  g_test_init (&argc, &argv, NULL);

  add_first_match_tests (documents);
  g_test_add_func ("/ssh-config/first-match/same-as-ssh", test_first_match_same_as_ssh);

  add_test ("/ssh-config/syntax/forms", test_syntax_forms);
  add_test ("/ssh-config/syntax/errors", test_syntax_errors);
  add_test ("/ssh-config/syntax/nul-byte", test_nul_byte_rejected);
  add_test ("/ssh-config/file/missing", test_missing_file);

  add_test ("/ssh-config/match/host-patterns", test_host_patterns);
  add_test ("/ssh-config/match/negation-wins", test_negation_wins);
  add_test ("/ssh-config/match/hostname-token", test_hostname_token);
  add_test ("/ssh-config/match/known-hosts-and-policy", test_known_hosts_and_policy);

  add_test ("/ssh-config/keywords/unused", test_unused_keywords_listed);
  add_test ("/ssh-config/keywords/rejected", test_rejected_lines);
  add_test ("/ssh-config/keywords/strict-host-key-checking", test_strict_host_key_checking_values);
  add_test ("/ssh-config/keywords/proxy-command-none", test_proxy_command_none);
  add_test ("/ssh-config/keywords/match-block", test_match_warned_and_skipped);

  add_test ("/ssh-config/include/relative-to-ssh-dir", test_include_relative_to_ssh_dir);
  add_test ("/ssh-config/include/inside-block", test_include_inside_block);
  add_test ("/ssh-config/include/cycle", test_include_cycle);
  add_test ("/ssh-config/include/depth-limit", test_include_depth_limit);
  add_test ("/ssh-config/include/permissions", test_include_permissions);

  g_test_add_func ("/ssh-config/tokens/expand-path", test_expand_path_tokens);
  g_test_add_func ("/ssh-config/proxy-jump/parse", test_proxy_jump_parse);

  status = g_test_run ();
  fleet_test_remove_tree (test_home);
  g_free (test_home);
  return status;
}
