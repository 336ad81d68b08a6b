/* test-inventory.c: Ansible INI, YAML and dynamic inventories, host ranges,
 * and several inventory sources combined.
 *
 * Cases write their inventories, workflows and inventory programs (small
 * /bin/sh scripts) into a temporary directory, then pin the hosts, groups,
 * settings and attributes that fleetc resolves, or the exact message and
 * position of each diagnostic.  The host range case reads
 * tests/data/inventory/host-ranges.ini through FLEET_SOURCE_ROOT.
 */
#include <glib.h>
#include <glib/gstdio.h>
#include <string.h>

#include "compiler/dynamic-inventory.h"
#include "compiler/fleet-compiler.h"
#include "compiler/host-range.h"
#include "compiler/inventory-source.h"
#include "compiler/ini-words.h"
#include "compiler/python-literal.h"
#include "compiler/scalar.h"
#include "schema/fleet-plan.h"
#include "schema/workflow-schema.h"
#include "tests/test-helpers.h"

typedef struct {
  char *dir;                  /* temporary directory, removed on tear-down */
  FleetDiagnostics *diags;
} Fixture;

static void
fixture_set_up (Fixture *fixture, gconstpointer data)
{
  fixture->dir = fleet_test_make_dir ("test-inventory-XXXXXX");
  fixture->diags = fleet_diagnostics_new ();
}

static void
fixture_tear_down (Fixture *fixture, gconstpointer data)
{
  fleet_test_remove_tree (fixture->dir);
  g_free (fixture->dir);
  fleet_diagnostics_free (fixture->diags);
}

static char *
fixture_path (Fixture *fixture, const char *name)
{
  return g_build_filename (fixture->dir, name, NULL);
}

static char *
write_file (Fixture *fixture, const char *name, const char *contents)
{
  return fleet_test_write_file_in (fixture->dir, name, contents);
}

/* Write an executable /bin/sh script. */
static char *
write_script (Fixture *fixture, const char *name, const char *body)
{
  g_autofree char *text = g_strconcat ("#!/bin/sh\n", body, NULL);
  char *path = write_file (fixture, name, text);

  g_assert_cmpint (g_chmod (path, 0755), ==, 0);
  return path;
}

static void
show_diagnostics (Fixture *fixture)
{
  g_autofree char *text = fleet_diagnostics_format (fixture->diags);

  g_test_message ("diagnostics:\n%s", text);
}

static FleetInventory *
load_file (Fixture *fixture, const char *path)
{
  FleetInventory *inventory = fleet_load_inventory_file (path, NULL, fixture->diags);

  show_diagnostics (fixture);
  return inventory;
}

/* Write `contents` as `name` and load it as an inventory. */
static FleetInventory *
load_text (Fixture *fixture, const char *name, const char *contents)
{
  g_autofree char *path = write_file (fixture, name, contents);

  return load_file (fixture, path);
}

static void
assert_counts (Fixture *fixture, guint errors, guint warnings)
{
  g_assert_cmpuint (fleet_diagnostics_error_count (fixture->diags), ==, errors);
  g_assert_cmpuint (fleet_diagnostics_warning_count (fixture->diags), ==, warnings);
}

/* Assert that diagnostic `index` has `severity`, is in `file` (a path as
 * reported) at `line` and `column`, and reads exactly `message`. */
static void
assert_diagnostic (Fixture *fixture,
                   guint index,
                   FleetSeverity severity,
                   const char *file,
                   guint line,
                   guint column,
                   const char *message)
{
  const FleetDiagnostic *diagnostic;

  g_assert_cmpuint (index, <, fleet_diagnostics_length (fixture->diags));
  diagnostic = fleet_diagnostics_get (fixture->diags, index);
  g_assert_cmpint (diagnostic->severity, ==, severity);
  g_assert_cmpstr (diagnostic->pos.file, ==, file);
  g_assert_cmpuint (diagnostic->pos.line, ==, line);
  g_assert_cmpuint (diagnostic->pos.column, ==, column);
  g_assert_cmpstr (diagnostic->message, ==, message);
}

/* Assert an error in the fixture's file `name`. */
static void
assert_error (Fixture *fixture, guint index, const char *name, guint line, guint column,
              const char *message)
{
  g_autofree char *path = fixture_path (fixture, name);

  assert_diagnostic (fixture, index, FLEET_SEVERITY_ERROR, path, line, column, message);
}

static const FleetHost *
find_host (const FleetInventory *inventory, const char *name)
{
  const FleetHost *host = g_hash_table_lookup (inventory->hosts_by_name, name);

  if (host == NULL)
    g_error ("the inventory has no host \"%s\"", name);
  return host;
}

static const FleetGroup *
find_group (const FleetInventory *inventory, const char *name)
{
  const FleetGroup *group = g_hash_table_lookup (inventory->groups_by_name, name);

  if (group == NULL)
    g_error ("the inventory has no group \"%s\"", name);
  return group;
}

static const char *
attribute (const FleetInventory *inventory, const char *host, const char *name)
{
  return g_hash_table_lookup (find_host (inventory, host)->attributes, name);
}

/* Return the strings of `array` joined by spaces. */
static char *
join (const GPtrArray *array)
{
  GString *out = g_string_new (NULL);

  for (guint i = 0; i < array->len; i++)
    g_string_append_printf (out, "%s%s", i > 0 ? " " : "", (const char *) g_ptr_array_index (array, i));
  return g_string_free (out, FALSE);
}

static void
assert_members (const FleetInventory *inventory, const char *group, const char *expected)
{
  g_autofree char *members = join (find_group (inventory, group)->members);

  g_assert_cmpstr (members, ==, expected);
}

static void
assert_host_groups (const FleetInventory *inventory, const char *host, const char *expected)
{
  g_autofree char *groups = join (find_host (inventory, host)->groups);

  g_assert_cmpstr (groups, ==, expected);
}

static char *
data_path (const char *relative)
{
  const char *root = g_getenv ("FLEET_SOURCE_ROOT");

  g_assert_nonnull (root);
  return g_build_filename (root, "tests", "data", "inventory", relative, NULL);
}

/* Host ranges. */

static void
assert_expansion (const char *pattern, const char *expected)
{
  g_autoptr (GError) error = NULL;
  gsize offset = 0;
  g_autoptr (GPtrArray) names = fleet_expand_host_pattern (pattern, 1000, &offset, &error);
  g_autofree char *joined = NULL;

  g_assert_no_error (error);
  joined = join (names);
  g_assert_cmpstr (joined, ==, expected);
}

static void
test_range_expansion (void)
{
  assert_expansion ("web1.example.test", "web1.example.test");
  assert_expansion ("web[1:3]", "web1 web2 web3");
  assert_expansion ("web[08:11]", "web08 web09 web10 web11");
  assert_expansion ("web[001:003].dc1", "web001.dc1 web002.dc1 web003.dc1");
  assert_expansion ("www[01:09:4]", "www01 www05 www09");
  assert_expansion ("node[a:e:2]", "nodea nodec nodee");
  assert_expansion ("w[:3]", "w0 w1 w2 w3");
  assert_expansion ("cx[y:A]", "cxy cxz cxA");
  assert_expansion ("rack[1:2]-n[a:b]", "rack1-na rack1-nb rack2-na rack2-nb");
  assert_expansion ("192.0.2.[1:3]", "192.0.2.1 192.0.2.2 192.0.2.3");
  assert_expansion ("[5:5]x", "5x");
}

typedef struct {
  const char *pattern;
  FleetHostRangeError code;
  gsize offset;
  const char *message;
} RangeErrorCase;

static const RangeErrorCase range_errors[] = {
  { "web[01:100].example.test", FLEET_HOST_RANGE_ERROR_WIDTH, 4,
    "invalid host range \"[01:100]\": the zero-padded begin \"01\" and the end \"100\" must "
    "have the same number of digits" },
  { "host[0-1].example.test", FLEET_HOST_RANGE_ERROR_SYNTAX, 4,
    "invalid host range \"[0-1]\": write [begin:end] or [begin:end:step] with colons, for "
    "example [01:50] or [a:f]" },
  { "w[c:a].example.test", FLEET_HOST_RANGE_ERROR_ORDER, 2,
    "invalid host range \"[c:a]\": the begin \"c\" comes after the end \"a\" (letters run a to "
    "z, then A to Z)" },
  { "w[9:1]", FLEET_HOST_RANGE_ERROR_ORDER, 2,
    "invalid host range \"[9:1]\": the begin \"9\" comes after the end \"1\"" },
  { "w[1:3:0].example.test", FLEET_HOST_RANGE_ERROR_STEP, 6,
    "invalid host range \"[1:3:0]\": the step must be a whole number of at least 1" },
  { "w[1:3:x]", FLEET_HOST_RANGE_ERROR_STEP, 6,
    "invalid host range \"[1:3:x]\": the step must be a whole number of at least 1" },
  { "compute-[0]-[0-6].example.test", FLEET_HOST_RANGE_ERROR_SYNTAX, 8,
    "invalid host range \"[0]\": write [begin:end] or [begin:end:step] with colons, for "
    "example [01:50] or [a:f]" },
  { "big[1:99999999].example.test", FLEET_HOST_RANGE_ERROR_TOO_MANY, 3,
    "host pattern \"big[1:99999999].example.test\" expands to 99999999 names, more than the "
    "limit of 1000; split the hosts over several patterns or inventories" },
  { "a[1:9999999]b[1:9999999]c[1:9999999]", FLEET_HOST_RANGE_ERROR_TOO_MANY, 1,
    "host pattern \"a[1:9999999]b[1:9999999]c[1:9999999]\" expands to too many names, more than "
    "the limit of 1000; split the hosts over several patterns or inventories" },
  { "w[1:3", FLEET_HOST_RANGE_ERROR_SYNTAX, 1,
    "invalid host pattern \"w[1:3\": '[' is not closed by ']'" },
  { "w[1:[2:3]]", FLEET_HOST_RANGE_ERROR_SYNTAX, 1,
    "invalid host pattern \"w[1:[2:3]]\": '[' is not closed by ']'" },
  { "w1]", FLEET_HOST_RANGE_ERROR_SYNTAX, 2,
    "invalid host pattern \"w1]\": ']' without a matching '['" },
  { "w[1:]", FLEET_HOST_RANGE_ERROR_SYNTAX, 4, "invalid host range \"[1:]\": the end is missing" },
  { "w[a:5]", FLEET_HOST_RANGE_ERROR_SYNTAX, 2,
    "invalid host range \"[a:5]\": begin and end must both be numbers or both be single letters" },
  { "w[1:1234567890123456789]", FLEET_HOST_RANGE_ERROR_SYNTAX, 2,
    "invalid host range \"[1:1234567890123456789]\": numbers may have at most 18 digits" },
};

static void
test_range_errors (void)
{
  for (gsize i = 0; i < G_N_ELEMENTS (range_errors); i++)
    {
      const RangeErrorCase *error_case = &range_errors[i];
      g_autoptr (GError) error = NULL;
      gsize offset = 0;
      g_autoptr (GPtrArray) names = fleet_expand_host_pattern (error_case->pattern, 1000, &offset,
                                                               &error);

      g_test_message ("pattern %s", error_case->pattern);
      g_assert_null (names);
      g_assert_error (error, FLEET_HOST_RANGE_ERROR, (gint) error_case->code);
      g_assert_cmpuint (offset, ==, error_case->offset);
      g_assert_cmpstr (error->message, ==, error_case->message);
    }
}

static void
test_range_ports (void)
{
  const struct {
    const char *pattern;
    const char *names;
    const char *port;
  } cases[] = {
    { "web1", "web1", NULL },
    { "web1:2222", "web1", "2222" },
    { "web[1:2]:2222", "web1 web2", "2222" },
    { "[2001:db8::1]:2222", "2001:db8::1", "2222" },
    { "[2001:db8::1]", "2001:db8::1", NULL },
    { "fe80::1", "fe80::1", NULL },
    { "[1:2]web", "1web 2web", NULL },
  };

  for (gsize i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autoptr (GError) error = NULL;
      FleetHostPattern pattern = { 0 };
      gsize offset = 0;
      g_autofree char *names = NULL;

      g_test_message ("pattern %s", cases[i].pattern);
      g_assert_true (fleet_parse_host_pattern (cases[i].pattern, 100, &pattern, &offset, &error));
      g_assert_no_error (error);
      names = join (pattern.names);
      g_assert_cmpstr (names, ==, cases[i].names);
      g_assert_cmpstr (pattern.port, ==, cases[i].port);
      fleet_host_pattern_clear (&pattern);
    }
}

static void
test_range_port_errors (void)
{
  const struct {
    const char *pattern;
    gsize offset;
    const char *message;
  } cases[] = {
    { "web1:", 4, "invalid host pattern \"web1:\": it ends with ':'; write a port after it or remove it" },
    { "web1:ssh", 5, "invalid host pattern \"web1:ssh\": the port after ':' must be a number from 1 to 65535" },
    { "[2001:db8::1]x", 13, "invalid host pattern \"[2001:db8::1]x\": only :PORT may follow a "
                            "bracketed IPv6 address" },
    { "---", 0, "invalid host pattern \"---\": it starts a YAML document, so this file is probably "
                "YAML; give it a .yaml extension" },
  };

  for (gsize i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autoptr (GError) error = NULL;
      FleetHostPattern pattern = { 0 };
      gsize offset = 0;

      g_test_message ("pattern %s", cases[i].pattern);
      g_assert_false (fleet_parse_host_pattern (cases[i].pattern, 100, &pattern, &offset, &error));
      g_assert_error (error, FLEET_HOST_RANGE_ERROR, FLEET_HOST_RANGE_ERROR_SYNTAX);
      g_assert_cmpuint (offset, ==, cases[i].offset);
      g_assert_cmpstr (error->message, ==, cases[i].message);
    }
}

/* INI words and values. */

static void
test_ini_words (void)
{
  const struct {
    const char *line;
    const char *words;         /* joined by '|' */
  } cases[] = {
    { "web1 a=1 b=2", "web1|a=1|b=2" },
    { "  web1\tkey=\"two words\"  ", "web1|key=two words" },
    { "web1 key='single \"kept\"'", "web1|key=single \"kept\"" },
    { "web1 key=\"esc \\\" \\\\ \\n\"", "web1|key=esc \" \\ \\n" },
    { "web1 key=a\\ b", "web1|key=a b" },
    { "web1 # comment", "web1" },
    { "web1 a=b#c d=e", "web1|a=b" },
    { "web1 key=\"#not a comment\"", "web1|key=#not a comment" },
    { "web1 ''", "web1|" },
    { "# only a comment", "" },
  };

  for (gsize i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autoptr (GError) error = NULL;
      gsize offset = 0;
      g_autoptr (GPtrArray) words = fleet_ini_split_words (cases[i].line, &offset, &error);
      GString *joined = g_string_new (NULL);
      g_autofree char *text = NULL;

      g_test_message ("line %s", cases[i].line);
      g_assert_no_error (error);
      for (guint w = 0; w < words->len; w++)
        g_string_append_printf (joined, "%s%s", w > 0 ? "|" : "",
                                ((FleetIniWord *) g_ptr_array_index (words, w))->text);
      text = g_string_free (joined, FALSE);
      g_assert_cmpstr (text, ==, cases[i].words);
    }
}

static void
test_ini_word_offsets (void)
{
  g_autoptr (GError) error = NULL;
  gsize offset = 0;
  g_autoptr (GPtrArray) words = fleet_ini_split_words ("  h k=\"ab\"c", &offset, &error);
  const FleetIniWord *word;

  g_assert_no_error (error);
  g_assert_cmpuint (words->len, ==, 2);
  word = g_ptr_array_index (words, 1);
  g_assert_cmpstr (word->text, ==, "k=abc");
  g_assert_cmpuint (word->offsets[0], ==, 4);
  g_assert_cmpuint (word->offsets[2], ==, 7);
  g_assert_cmpuint (word->offsets[4], ==, 10);
  g_assert_cmpuint (word->offsets[5], ==, 11);
}

static void
test_ini_word_errors (void)
{
  g_autoptr (GError) quote_error = NULL;
  g_autoptr (GError) escape_error = NULL;
  gsize offset = 0;
  g_autoptr (GPtrArray) unclosed = fleet_ini_split_words ("web1 key=\"open", &offset, &quote_error);

  g_assert_null (unclosed);
  g_assert_error (quote_error, FLEET_INI_ERROR, FLEET_INI_ERROR_UNCLOSED_QUOTE);
  g_assert_cmpuint (offset, ==, 9);

  g_assert_null (fleet_ini_split_words ("web1 key=\\", &offset, &escape_error));
  g_assert_error (escape_error, FLEET_INI_ERROR, FLEET_INI_ERROR_DANGLING_ESCAPE);
  g_assert_cmpuint (offset, ==, 9);
}

static void
test_python_literals (void)
{
  const struct {
    const char *text;
    FleetPythonLiteralKind kind;
    const char *out;
  } cases[] = {
    { "plain text", FLEET_PYTHON_LITERAL_INVALID, NULL },
    { "'single'", FLEET_PYTHON_LITERAL_STRING, "single" },
    { "\"double\" # comment", FLEET_PYTHON_LITERAL_STRING, "double" },
    { "'a' \"b\"", FLEET_PYTHON_LITERAL_STRING, "ab" },
    { "'tab\\there\\x41\\u00e9\\101'", FLEET_PYTHON_LITERAL_STRING, "tab\there" "A\xc3\xa9" "A" },
    { "r'raw\\n'", FLEET_PYTHON_LITERAL_STRING, "raw\\n" },
    { "'unknown \\d kept'", FLEET_PYTHON_LITERAL_STRING, "unknown \\d kept" },
    { "'''triple'''", FLEET_PYTHON_LITERAL_STRING, "triple" },
    { "''", FLEET_PYTHON_LITERAL_STRING, "" },
    { "'NUL \\0'", FLEET_PYTHON_LITERAL_INVALID, NULL },
    { "'open", FLEET_PYTHON_LITERAL_INVALID, NULL },
    { "8080", FLEET_PYTHON_LITERAL_SCALAR, "8080" },
    { "8080 # a comment", FLEET_PYTHON_LITERAL_SCALAR, "8080" },
    { "-5", FLEET_PYTHON_LITERAL_SCALAR, "-5" },
    { "0x1F", FLEET_PYTHON_LITERAL_SCALAR, "0x1F" },
    { "1_000", FLEET_PYTHON_LITERAL_SCALAR, "1_000" },
    { "1.50", FLEET_PYTHON_LITERAL_SCALAR, "1.50" },
    { "007", FLEET_PYTHON_LITERAL_INVALID, NULL },
    { "1__0", FLEET_PYTHON_LITERAL_INVALID, NULL },
    { "1j", FLEET_PYTHON_LITERAL_INVALID, NULL },
    { "True", FLEET_PYTHON_LITERAL_SCALAR, "True" },
    { "FALSE", FLEET_PYTHON_LITERAL_INVALID, NULL },
    { "None", FLEET_PYTHON_LITERAL_NONE, NULL },
    { "8080 extra", FLEET_PYTHON_LITERAL_INVALID, NULL },
    { "[1, 'a', None, True]", FLEET_PYTHON_LITERAL_COLLECTION, "[1,\"a\",null,true]" },
    { "(1,)", FLEET_PYTHON_LITERAL_COLLECTION, "[1]" },
    { "('x')", FLEET_PYTHON_LITERAL_STRING, "x" },
    { "()", FLEET_PYTHON_LITERAL_COLLECTION, "[]" },
    { "{'k': (0x10, -2.5e3), 1: {}, 'k2': [] ,}",
      FLEET_PYTHON_LITERAL_COLLECTION, "{\"k\":[16,-2.5e3],\"1\":{},\"k2\":[]}" },
    { "{'a': 1, 'a': 2}", FLEET_PYTHON_LITERAL_COLLECTION, "{\"a\":2}" },
    { "{1, 2, 1}", FLEET_PYTHON_LITERAL_COLLECTION, "[1,2]" },
    { "[.5, 1., 00.5]", FLEET_PYTHON_LITERAL_COLLECTION, "[0.5,1.0,0.5]" },
    { "['quote \" and \\\\ back']", FLEET_PYTHON_LITERAL_COLLECTION, "[\"quote \\\" and \\\\ back\"]" },
    { "[1, 2", FLEET_PYTHON_LITERAL_INVALID, NULL },
    { "[[1], x]", FLEET_PYTHON_LITERAL_INVALID, NULL },
    { "{[1]: 2}", FLEET_PYTHON_LITERAL_INVALID, NULL },
  };

  for (gsize i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autofree char *out = NULL;

      g_test_message ("literal %s", cases[i].text);
      g_assert_cmpint (fleet_python_literal_parse (cases[i].text, &out), ==, cases[i].kind);
      g_assert_cmpstr (out, ==, cases[i].out);
    }
}

static void
test_python_literal_nesting (void)
{
  GString *deep = g_string_new (NULL);
  GString *deep_parens = g_string_new (NULL);
  g_autofree char *out = NULL;

  for (int i = 0; i < 100; i++)
    {
      g_string_prepend_c (deep, '[');
      g_string_append_c (deep, ']');
      g_string_append_c (deep_parens, '(');
    }

  g_assert_cmpint (fleet_python_literal_parse (deep->str, &out), ==, FLEET_PYTHON_LITERAL_INVALID);
  g_assert_null (out);

  /* Each parenthesis is read once, so this returns at once. */
  g_assert_cmpint (fleet_python_literal_parse (deep_parens->str, &out), ==,
                   FLEET_PYTHON_LITERAL_INVALID);

  g_string_free (deep, TRUE);
  g_string_free (deep_parens, TRUE);
}

/* INI inventories. */

/* Assert that `group` has `count` members, from `first` to `last`. */
static void
assert_group_span (const FleetInventory *inventory, const char *group, guint count,
                   const char *first, const char *last)
{
  const GPtrArray *members = find_group (inventory, group)->members;

  g_assert_cmpuint (members->len, ==, count);
  g_assert_cmpstr (g_ptr_array_index (members, 0), ==, first);
  g_assert_cmpstr (g_ptr_array_index (members, members->len - 1), ==, last);
}

static void
test_ini_host_ranges_file (Fixture *fixture, gconstpointer data)
{
  g_autofree char *path = data_path ("host-ranges.ini");
  g_autoptr (FleetInventory) inventory = load_file (fixture, path);
  const GPtrArray *webservers;

  g_assert_nonnull (inventory);
  assert_counts (fixture, 0, 0);

  assert_group_span (inventory, "web", 50, "web01.example.test", "web50.example.test");
  assert_group_span (inventory, "odd", 25, "www01.example.test", "www49.example.test");
  assert_members (inventory, "letters", "nodea.example.test nodec.example.test nodee.example.test");
  assert_members (inventory, "racks",
                  "rack1-node01.example.test rack1-node02.example.test rack1-node03.example.test "
                  "rack2-node01.example.test rack2-node02.example.test rack2-node03.example.test");
  assert_members (inventory, "addresses", "192.0.2.1 192.0.2.2 192.0.2.3");
  assert_members (inventory, "open_begin",
                  "w0.example.test w1.example.test w2.example.test w3.example.test");
  assert_members (inventory, "case_wrap", "cxy.example.test cxz.example.test cxA.example.test");
  assert_members (inventory, "both", "web01.example.test rack1-node01.example.test");

  /* Group members keep the inventory's host order, so web01 comes first. */
  webservers = find_group (inventory, "webservers")->members;
  g_assert_cmpuint (webservers->len, ==, 75);
  for (guint i = 0; i < webservers->len; i++)
    g_assert_cmpstr (attribute (inventory, g_ptr_array_index (webservers, i), "http_port"), ==, "8080");
  g_assert_null (attribute (inventory, "nodea.example.test", "http_port"));

  g_assert_cmpuint (inventory->hosts->len, ==, 94);
  assert_host_groups (inventory, "web01.example.test", "both web webservers");
  assert_host_groups (inventory, "rack1-node01.example.test", "both racks");
  assert_host_groups (inventory, "www49.example.test", "odd webservers");
  g_assert_null (g_hash_table_lookup (inventory->groups_by_name, "ungrouped"));
  g_assert_null (g_hash_table_lookup (inventory->groups_by_name, "all"));
}

typedef struct {
  const char *text;            /* the inventory, written as inventory.ini */
  guint line;
  guint column;
  const char *message;
} IniErrorCase;

/* The invalid lines of the host range case, each alone in a group. */
static const IniErrorCase invalid_range_lines[] = {
  { "[bad]\nweb[01:100].example.test\n", 2, 5,
    "invalid host range \"[01:100]\": the zero-padded begin \"01\" and the end \"100\" must have "
    "the same number of digits" },
  { "[bad]\nhost[0-1].example.test\n", 2, 5,
    "invalid host range \"[0-1]\": write [begin:end] or [begin:end:step] with colons, for example "
    "[01:50] or [a:f]" },
  { "[bad]\nw[c:a].example.test\n", 2, 3,
    "invalid host range \"[c:a]\": the begin \"c\" comes after the end \"a\" (letters run a to z, "
    "then A to Z)" },
  { "[bad]\nw[1:3:0].example.test\n", 2, 7,
    "invalid host range \"[1:3:0]\": the step must be a whole number of at least 1" },
  { "[bad]\ncompute-[0]-[0-6].example.test\n", 2, 9,
    "invalid host range \"[0]\": write [begin:end] or [begin:end:step] with colons, for example "
    "[01:50] or [a:f]" },
  { "[bad]\nbig[1:99999999].example.test\n", 2, 4,
    "host pattern \"big[1:99999999].example.test\" expands to 99999999 names, more than the limit "
    "of 100000; split the hosts over several patterns or inventories" },
};

/* Every error of the INI reader and of the variables it maps, with its
 * position. */
static const IniErrorCase ini_errors[] = {
  { "[web prod]\n", 1, 1,
    "invalid section header; write [group], [group:children] or [group:vars] with no spaces "
    "inside the brackets" },
  { "[web:hosts:x]\n", 1, 1,
    "invalid section header; write [group], [group:children] or [group:vars] with no spaces "
    "inside the brackets" },
  { "[web:foo]\n", 1, 6, "unknown section type \"foo\"; use [web], [web:children] or [web:vars]" },
  { "[web] ; comment\n", 1, 7,
    "unexpected text after the section header; only a '#' comment may follow it (';' starts a "
    "comment only at the start of a line)" },
  { "[-web]\n", 1, 2, "invalid group name \"-web\": it must not start with '-'" },
  { "[web\n", 1, 1, "invalid host pattern \"[web\": '[' is not closed by ']'" },
  { "[web]\nweb1\n[wbe:vars]\nx=1\n", 3, 2,
    "section [wbe:vars] sets variables of group \"wbe\", which no [wbe] or [wbe:children] "
    "section defines; define the group or fix the name" },
  { "[prod:children]\nweb\n", 2, 1,
    "group \"web\" in [prod:children] is not defined; add a [web] or [web:children] section, or "
    "fix the name" },
  { "[prod:children]\nweb db\n", 2, 4, "expected one group name in [prod:children], found \"web db\"" },
  { "[prod:children]\nall\n", 2, 1,
    "group \"all\" cannot be a child group, because every group is already under it; remove it "
    "from the children of group \"prod\"" },
  { "[a:children]\nb\n[b:children]\nc\n[c:children]\na\n", 6, 1,
    "group \"a\" contains itself through its child groups: a -> b -> c -> a; remove one of these "
    "children" },
  { "[a:children]\na\n", 2, 1,
    "group \"a\" contains itself through its child groups: a -> a; remove one of these children" },
  { "[web]\nweb1 key='open\n", 2, 10, "the single quote is not closed" },
  { "[web]\nweb1 key=\"open\n", 2, 10, "the double quote is not closed" },
  { "[web]\nweb1 key=x\\\n", 2, 11, "a backslash ends the line; remove it or escape it as \\\\" },
  { "[web]\nweb1 novalue\n", 2, 6, "expected key=value after the host, found \"novalue\"" },
  { "[web]\nweb1 ;comment\n", 2, 6,
    "expected key=value after the host, found \";comment\"; ';' starts a comment only at the "
    "start of a line" },
  { "[web]\nweb1 =x\n", 2, 6, "variable name is missing before '='" },
  { "[web]\n-web1\n", 2, 1, "invalid host name \"-web1\": it must not start with '-'" },
  { "[web]\n  web1:\n", 2, 7, "invalid host pattern \"web1:\": it ends with ':'; write a port after it or remove it" },
  { "[web]\nweb1:ssh\n", 2, 6,
    "invalid host pattern \"web1:ssh\": the port after ':' must be a number from 1 to 65535" },
  { "---\n", 1, 1,
    "invalid host pattern \"---\": it starts a YAML document, so this file is probably YAML; give "
    "it a .yaml extension" },
  { "[web]\nweb1\n[web:vars]\nnovalue\n", 4, 1, "expected key=value in [web:vars], found \"novalue\"" },
  { "[web]\nweb1\n[web:vars]\nmy var = 1\n", 4, 1,
    "invalid variable name \"my var\": it must not contain whitespace" },
  { "[web]\nweb1 note=caf\xe9\n", 2, 14, "invalid UTF-8 byte 0xE9; save the file as UTF-8" },
  { "[web]\nweb1 ansible_port=ssh\n", 2, 19,
    "invalid value \"ssh\" for \"ansible_port\": expected a port number from 1 to 65535" },
  { "[web]\nweb1:70000\n", 2, 6,
    "invalid value \"70000\" for \"ansible_port\": expected a port number from 1 to 65535" },
  { "[web]\nweb1 ansible_ssh_timeout=0\n", 2, 26,
    "invalid value \"0\" for \"ansible_ssh_timeout\": expected whole seconds from 1 to 3600" },
  { "[web]\nweb1 ansible_user='deploy user'\n", 2, 20,
    "invalid value \"deploy user\" for \"ansible_user\": it must not contain whitespace" },
  { "[web]\nweb1 ansible_host=\"{{ inventory_hostname }}.lan\"\n", 2, 20,
    "invalid value \"{{ inventory_hostname }}.lan\" for \"ansible_host\": it is a Jinja2 template, "
    "which fleetc does not evaluate; write the value itself" },
  { "[web]\nweb1 ansible_port=\"[22]\"\n", 2, 20,
    "invalid value \"[22]\" for \"ansible_port\": expected a single value, found a list or mapping" },
  { "[web]\nweb1 ansible_host=a ansible_ssh_host=b\n", 2, 38,
    "\"ansible_host\" and \"ansible_ssh_host\" give host \"web1\" different values: \"a\" at "
    "@FILE@:2:19 and \"b\" here; remove one of them" },
  { "[web]\nlocalhost ansible_connection=local\n", 2, 30,
    "unsupported ansible_connection \"local\" for host \"localhost\": fleetc connects over SSH only; "
    "remove the host from this inventory or set ansible_connection to ssh" },
  { "[web]\nweb1\n[web:vars]\nansible_group_priority=high\n", 4, 24,
    "invalid value \"high\" for \"ansible_group_priority\" in group \"web\": expected a whole number" },
};

static void
check_ini_error (Fixture *fixture, const IniErrorCase *error_case)
{
  g_autofree char *path = write_file (fixture, "inventory.ini", error_case->text);
  g_auto (GStrv) parts = g_strsplit (error_case->message, "@FILE@", -1);
  g_autofree char *message = g_strjoinv (path, parts);
  g_autofree char *escaped = g_strescape (error_case->text, NULL);
  g_autoptr (FleetInventory) inventory = NULL;

  fleet_diagnostics_free (fixture->diags);
  fixture->diags = fleet_diagnostics_new ();
  g_test_message ("inventory: %s", escaped);
  inventory = load_file (fixture, path);

  g_assert_null (inventory);
  g_assert_cmpuint (fleet_diagnostics_error_count (fixture->diags), ==, 1);
  assert_error (fixture, 0, "inventory.ini", error_case->line, error_case->column, message);
}

static void
test_ini_invalid_range_lines (Fixture *fixture, gconstpointer data)
{
  for (gsize i = 0; i < G_N_ELEMENTS (invalid_range_lines); i++)
    check_ini_error (fixture, &invalid_range_lines[i]);
}

static void
test_ini_errors (Fixture *fixture, gconstpointer data)
{
  for (gsize i = 0; i < G_N_ELEMENTS (ini_errors); i++)
    check_ini_error (fixture, &ini_errors[i]);
}

static void
test_ini_several_errors (Fixture *fixture, gconstpointer data)
{
  g_autoptr (FleetInventory) inventory = load_text (fixture, "inventory.ini",
                                                    "[web]\n"
                                                    "web[3:1]\n"
                                                    "web1 broken\n"
                                                    "[web:bad]\n");

  g_assert_null (inventory);
  assert_counts (fixture, 3, 0);
  assert_error (fixture, 0, "inventory.ini", 2, 5,
                "invalid host range \"[3:1]\": the begin \"3\" comes after the end \"1\"");
  assert_error (fixture, 1, "inventory.ini", 3, 6, "expected key=value after the host, found \"broken\"");
  assert_error (fixture, 2, "inventory.ini", 4, 6,
                "unknown section type \"bad\"; use [web], [web:children] or [web:vars]");
}

static void
test_ini_nul_byte (Fixture *fixture, gconstpointer data)
{
  g_autofree char *path = fixture_path (fixture, "inventory.ini");
  g_autoptr (GError) error = NULL;
  g_autoptr (FleetInventory) inventory = NULL;

  g_file_set_contents (path, "[web]\nweb1\nweb\0002\n", 16, &error);
  g_assert_no_error (error);
  inventory = load_file (fixture, path);

  g_assert_null (inventory);
  assert_counts (fixture, 1, 0);
  assert_error (fixture, 0, "inventory.ini", 3, 4, "line contains a NUL byte; remove it");
}

static void
test_ini_values (Fixture *fixture, gconstpointer data)
{
  g_autoptr (FleetInventory) inventory = load_text (
    fixture, "inventory.ini",
    "[web]\n"
    "web1 a=1 b=\"two words\" c=\"'quoted # not a comment'\" d=True e=None f=\"[1, 'x', None]\" "
    "g=007 h=0x1F i=\"{'k': (1, 2)}\" empty=\n"
    "[web:vars]\n"
    "s = 'a string' # a comment\n"
    "t = plain text # kept, as Ansible keeps it\n"
    "u=8080 # a comment\n"
    "v=FALSE\n"
    "e=group value\n");

  g_assert_nonnull (inventory);
  assert_counts (fixture, 0, 0);
  g_assert_cmpstr (attribute (inventory, "web1", "a"), ==, "1");
  g_assert_cmpstr (attribute (inventory, "web1", "b"), ==, "two words");
  g_assert_cmpstr (attribute (inventory, "web1", "c"), ==, "quoted # not a comment");
  g_assert_cmpstr (attribute (inventory, "web1", "d"), ==, "True");
  g_assert_cmpstr (attribute (inventory, "web1", "f"), ==, "[1,\"x\",null]");
  g_assert_cmpstr (attribute (inventory, "web1", "g"), ==, "007");
  g_assert_cmpstr (attribute (inventory, "web1", "h"), ==, "0x1F");
  g_assert_cmpstr (attribute (inventory, "web1", "i"), ==, "{\"k\":[1,2]}");
  g_assert_cmpstr (attribute (inventory, "web1", "empty"), ==, "");
  g_assert_cmpstr (attribute (inventory, "web1", "s"), ==, "a string");
  g_assert_cmpstr (attribute (inventory, "web1", "t"), ==, "plain text # kept, as Ansible keeps it");
  g_assert_cmpstr (attribute (inventory, "web1", "u"), ==, "8080");
  g_assert_cmpstr (attribute (inventory, "web1", "v"), ==, "FALSE");

  /* The host's None overrides the group's value and sets no attribute. */
  g_assert_false (g_hash_table_contains (find_host (inventory, "web1")->attributes, "e"));
}

static void
test_ini_settings (Fixture *fixture, gconstpointer data)
{
  g_autoptr (FleetInventory) inventory = load_text (
    fixture, "inventory.ini",
    "web1 ansible_host=192.0.2.11 ansible_port=2222 ansible_user=deploy "
    "ansible_ssh_private_key_file=keys/id_ed25519 ansible_ssh_timeout=30\n"
    "web2:2200 ansible_ssh_host=192.0.2.12 ansible_ssh_user=ops "
    "ansible_private_key_file=~/.ssh/id_web\n"
    "web3:2200 ansible_port=2300 ansible_connection=ssh\n"
    "[2001:db8::7]:2022\n");
  g_autofree char *real_dir = g_canonicalize_filename (fixture->dir, NULL);
  g_autofree char *key = g_build_filename (real_dir, "keys", "id_ed25519", NULL);
  const FleetHost *web1, *web2, *web3, *ipv6;

  g_assert_nonnull (inventory);
  assert_counts (fixture, 0, 0);

  web1 = find_host (inventory, "web1");
  g_assert_cmpstr (web1->address, ==, "192.0.2.11");
  g_assert_cmpuint (web1->port, ==, 2222);
  g_assert_cmpstr (web1->user, ==, "deploy");
  g_assert_cmpstr (fleet_strings_first (web1->identity_files), ==, key);
  g_assert_cmpuint (web1->connect_timeout_ms, ==, 30000);
  g_assert_cmpuint (g_hash_table_size (web1->attributes), ==, 0);

  web2 = find_host (inventory, "web2");
  g_assert_cmpstr (web2->address, ==, "192.0.2.12");
  g_assert_cmpuint (web2->port, ==, 2200);
  g_assert_cmpstr (web2->user, ==, "ops");
  g_assert_cmpstr (fleet_strings_first (web2->identity_files), ==, "~/.ssh/id_web");
  g_assert_cmpuint (web2->connect_timeout_ms, ==, FLEET_DEFAULT_CONNECT_TIMEOUT_MS);

  web3 = find_host (inventory, "web3");
  g_assert_cmpstr (web3->address, ==, "web3");
  g_assert_cmpuint (web3->port, ==, 2300);
  g_assert_null (web3->user);
  g_assert_cmpuint (web3->identity_files->len, ==, 0);
  g_assert_cmpuint (g_hash_table_size (web3->attributes), ==, 0);

  ipv6 = find_host (inventory, "2001:db8::7");
  g_assert_cmpstr (ipv6->address, ==, "2001:db8::7");
  g_assert_cmpuint (ipv6->port, ==, 2022);

  assert_host_groups (inventory, "web1", "ungrouped");
  assert_members (inventory, "ungrouped", "web1 web2 web3 2001:db8::7");
  g_assert_cmpstr (web1->pos.file, ==, inventory->source);
  g_assert_cmpuint (web1->pos.line, ==, 1);
  g_assert_cmpuint (web2->pos.line, ==, 2);
}

/* fleetc_ variables set the settings that Ansible has no variable for, from
 * group variables and host lines alike. */
static void
test_ini_fleetc_settings (Fixture *fixture, gconstpointer data)
{
  g_autoptr (FleetInventory) inventory = load_text (
    fixture, "inventory.ini",
    "bastion ansible_host=192.0.2.1 ansible_port=2201 ansible_user=jump\n"
    "[web]\n"
    "web1 fleetc_become_password_secret=web1-sudo\n"
    "web2 fleetc_proxy_jump=none\n"
    "[web:vars]\n"
    "fleetc_proxy_jump=bastion\n"
    "fleetc_key_passphrase_secret=deploy-key\n"
    "fleetc_become_password_secret=web-sudo\n"
    "fleetc_identities_only=yes\n"
    "fleetc_host_key_policy=accept-new\n"
    "fleetc_known_hosts_file=known_hosts\n"
    "fleetc_keepalive_interval=30s\n"
    "fleetc_keepalive_count_max=5\n"
    "fleetc_max_sessions=4\n");
  g_autofree char *real_dir = g_canonicalize_filename (fixture->dir, NULL);
  g_autofree char *known_hosts = g_build_filename (real_dir, "known_hosts", NULL);
  const FleetHost *web1, *web2, *bastion;

  g_assert_nonnull (inventory);
  assert_counts (fixture, 0, 0);

  web1 = find_host (inventory, "web1");
  g_assert_cmpstr (web1->key_passphrase_secret, ==, "deploy-key");
  g_assert_cmpstr (web1->become_password_secret, ==, "web1-sudo");
  g_assert_true (web1->identities_only);
  g_assert_cmpint (web1->host_key_policy, ==, FLEET_HOST_KEY_POLICY_ACCEPT_NEW);
  g_assert_cmpstr (fleet_strings_first (web1->known_hosts_files), ==, known_hosts);
  g_assert_cmpuint (web1->keepalive_interval_ms, ==, 30000);
  g_assert_cmpuint (web1->keepalive_count_max, ==, 5);
  g_assert_cmpuint (web1->max_sessions, ==, 4);
  g_assert_cmpstr (web1->proxy_jump, ==, "bastion");
  g_assert_cmpuint (g_hash_table_size (web1->attributes), ==, 0);

  web2 = find_host (inventory, "web2");
  g_assert_cmpstr (web2->become_password_secret, ==, "web-sudo");
  g_assert_null (web2->proxy_jump);

  /* The jump host is the inventory host of that name, with its settings. */
  g_assert_cmpuint (inventory->jump_hosts->len, ==, 1);
  bastion = fleet_inventory_find_jump_host (inventory, "bastion");
  g_assert_nonnull (bastion);
  g_assert_cmpstr (bastion->address, ==, "192.0.2.1");
  g_assert_cmpuint (bastion->port, ==, 2201);
  g_assert_cmpstr (bastion->user, ==, "jump");
  g_assert_null (find_host (inventory, "bastion")->proxy_jump);
}

static void
test_ini_fleetc_errors (Fixture *fixture, gconstpointer data)
{
  g_autoptr (FleetInventory) inventory = load_text (
    fixture, "inventory.ini",
    "web1 fleetc_key_passphrase_secret='two words'\n"
    "web2 fleetc_proxy_jump=a,,b\n"
    "web3 fleetc_identities_only=maybe\n"
    "web4 fleetc_host_key_policy=no\n"
    "web5 fleetc_proxy_jmp=bastion\n"
    "web6 fleetc_colour=blue\n");
  g_autofree char *path = fixture_path (fixture, "inventory.ini");
  const FleetDiagnostic *secret;

  g_assert_null (inventory);
  assert_counts (fixture, 6, 0);
  secret = fleet_diagnostics_get (fixture->diags, 0);
  g_assert_cmpuint (secret->pos.line, ==, 1);
  g_assert_true (g_str_has_prefix (secret->message, "invalid value \"two words\" for "
                                                    "\"fleetc_key_passphrase_secret\": "));
  g_assert_true (g_str_has_prefix (fleet_diagnostics_get (fixture->diags, 1)->message,
                                   "invalid value \"a,,b\" for \"fleetc_proxy_jump\": "));
  assert_diagnostic (fixture, 2, FLEET_SEVERITY_ERROR, path, 3, 29,
                     "invalid value \"maybe\" for \"fleetc_identities_only\": expected true or "
                     "false");
  assert_diagnostic (fixture, 3, FLEET_SEVERITY_ERROR, path, 4, 29,
                     "invalid value \"no\" for \"fleetc_host_key_policy\": use strict or "
                     "accept-new; fleetc never turns host key checking off");
  assert_diagnostic (fixture, 4, FLEET_SEVERITY_ERROR, path, 5, 6,
                     "unknown fleetc variable \"fleetc_proxy_jmp\"; did you mean "
                     "\"fleetc_proxy_jump\"?");
  g_assert_true (g_str_has_prefix (fleet_diagnostics_get (fixture->diags, 5)->message,
                                   "unknown fleetc variable \"fleetc_colour\"; the fleetc_ "
                                   "variables are: fleetc_identities_only, "));
}

/* A variable named like a fleetc setting is only an attribute: the warning
 * names the variable that sets the setting.  Password variables name the
 * secret variable that replaces them. */
static void
test_ini_setting_named_variables (Fixture *fixture, gconstpointer data)
{
  g_autoptr (FleetInventory) inventory = load_text (
    fixture, "inventory.ini",
    "e1 key_passphrase_secret=keypw port=2222 proxy_jump=bastion ansible_become_password=x\n");
  g_autofree char *path = fixture_path (fixture, "inventory.ini");
  const FleetHost *e1;

  g_assert_nonnull (inventory);
  assert_counts (fixture, 0, 4);
  assert_diagnostic (fixture, 0, FLEET_SEVERITY_WARNING, path, 1, 61,
                     "variable \"ansible_become_password\" is ignored and not stored: fleetc "
                     "reads the sudo password from its secret store; name the secret with "
                     "fleetc_become_password_secret");
  assert_diagnostic (fixture, 1, FLEET_SEVERITY_WARNING, path, 1, 4,
                     "variable \"key_passphrase_secret\" is only an attribute, not fleetc's "
                     "key_passphrase_secret setting; name it fleetc_key_passphrase_secret to set "
                     "the setting");
  assert_diagnostic (fixture, 2, FLEET_SEVERITY_WARNING, path, 1, 32,
                     "variable \"port\" is only an attribute, not fleetc's port setting; name it "
                     "ansible_port to set the setting");
  assert_diagnostic (fixture, 3, FLEET_SEVERITY_WARNING, path, 1, 42,
                     "variable \"proxy_jump\" is only an attribute, not fleetc's proxy_jump "
                     "setting; name it fleetc_proxy_jump to set the setting");

  e1 = find_host (inventory, "e1");
  g_assert_null (e1->key_passphrase_secret);
  g_assert_null (e1->proxy_jump);
  g_assert_cmpuint (e1->port, ==, FLEET_DEFAULT_SSH_PORT);
  g_assert_cmpstr (attribute (inventory, "e1", "key_passphrase_secret"), ==, "keypw");
}

/* ProxyJump in the SSH arguments is honoured, as ssh would go through it;
 * a ProxyCommand is an error, because connecting directly instead could
 * bypass a bastion. */
static void
test_ini_ssh_args_proxy (Fixture *fixture, gconstpointer data)
{
  g_autoptr (FleetInventory) inventory = load_text (
    fixture, "inventory.ini",
    "[web]\n"
    "web1 ansible_ssh_common_args='-o ProxyJump=ops@192.0.2.1:2201'\n"
    "web2 ansible_ssh_extra_args='-C -J 192.0.2.2'\n"
    "web3 ansible_ssh_common_args='-o \"ProxyCommand none\"'\n"
    "web4 ansible_ssh_common_args='-oProxyJump=192.0.2.1' fleetc_proxy_jump=192.0.2.1\n");
  const FleetHost *web1, *web2, *web3, *jump;

  g_assert_nonnull (inventory);
  assert_counts (fixture, 0, 1);
  g_assert_true (g_str_has_prefix (fleet_diagnostics_get (fixture->diags, 0)->message,
                                   "variable \"ansible_ssh_extra_args\" is kept as an attribute, "
                                   "and only its ProxyJump (-J) "));

  web1 = find_host (inventory, "web1");
  g_assert_cmpstr (web1->proxy_jump, ==, "ops@192.0.2.1:2201");
  jump = fleet_inventory_find_jump_host (inventory, "ops@192.0.2.1:2201");
  g_assert_nonnull (jump);
  g_assert_cmpstr (jump->address, ==, "192.0.2.1");
  g_assert_cmpuint (jump->port, ==, 2201);
  g_assert_cmpstr (jump->user, ==, "ops");
  g_assert_cmpstr (attribute (inventory, "web1", "ansible_ssh_common_args"), ==,
                   "-o ProxyJump=ops@192.0.2.1:2201");

  web2 = find_host (inventory, "web2");
  g_assert_cmpstr (web2->proxy_jump, ==, "192.0.2.2");
  web3 = find_host (inventory, "web3");
  g_assert_null (web3->proxy_jump);
  g_assert_cmpstr (find_host (inventory, "web4")->proxy_jump, ==, "192.0.2.1");
}

static void
test_ini_ssh_args_errors (Fixture *fixture, gconstpointer data)
{
  g_autoptr (FleetInventory) inventory = load_text (
    fixture, "inventory.ini",
    "[web]\n"
    "web1\n"
    "web2 ansible_ssh_extra_args='-J'\n"
    "web3 ansible_ssh_common_args='-o ProxyJump=a' fleetc_proxy_jump=b\n"
    "[web:vars]\n"
    "ansible_ssh_common_args='-o ProxyCommand=\"ssh -W %h:%p bastion\"'\n");
  g_autofree char *path = fixture_path (fixture, "inventory.ini");

  g_assert_null (inventory);
  assert_counts (fixture, 3, 0);
  assert_diagnostic (fixture, 0, FLEET_SEVERITY_ERROR, path, 6, 25,
                     "invalid value \"-o ProxyCommand=\\\"ssh -W %h:%p bastion\\\"\" for "
                     "\"ansible_ssh_common_args\": ProxyCommand is not supported: fleet-run does "
                     "not run proxy commands, and connecting directly instead could bypass a "
                     "bastion; use -o ProxyJump=HOST or -J HOST, or set fleetc_proxy_jump");
  assert_diagnostic (fixture, 1, FLEET_SEVERITY_ERROR, path, 3, 30,
                     "invalid value \"-J\" for \"ansible_ssh_extra_args\": option -J has no "
                     "argument");
  assert_diagnostic (fixture, 2, FLEET_SEVERITY_ERROR, path, 4, 31,
                     "invalid value \"-o ProxyJump=a\" for \"ansible_ssh_common_args\": its jump "
                     "host \"a\" differs from fleetc_proxy_jump \"b\"; remove one of them");
}

/* The trial's dynamic inventory: a --host answer with a ProxyCommand. */
static void
test_dynamic_proxy_command (Fixture *fixture, gconstpointer data)
{
  g_autofree char *path = write_script (
    fixture, "inventory",
    "case \"$1\" in\n"
    "  --list) echo '{\"web\": [\"b7\"]}' ;;\n"
    "  --host) echo '{\"ansible_ssh_common_args\": \"-o ProxyCommand=nc %h %p\"}' ;;\n"
    "esac\n");
  g_autoptr (FleetInventory) inventory = load_file (fixture, path);
  const FleetDiagnostic *diagnostic;

  g_assert_null (inventory);
  assert_counts (fixture, 1, 0);
  diagnostic = fleet_diagnostics_get (fixture->diags, 0);
  g_assert_true (g_str_has_suffix (diagnostic->pos.file, "inventory --host b7"));
  g_assert_nonnull (strstr (diagnostic->message, "ProxyCommand is not supported"));
}

/* Variables by precedence: all < parent group < child group < host; groups
 * at one depth by ansible_group_priority, then by name. */
static const char precedence_ini[] =
  "[all:vars]\n"
  "level=all\n"
  "from_all=yes\n"
  "[dc:children]\n"
  "rack\n"
  "[dc:vars]\n"
  "level=dc\n"
  "from_dc=yes\n"
  "[rack:children]\n"
  "node\n"
  "[rack:vars]\n"
  "level=rack\n"
  "[node]\n"
  "n1\n"
  "n2 level=host\n"
  "[node:vars]\n"
  "level=node\n"
  "[alpha]\n"
  "n1\n"
  "[beta]\n"
  "n1\n"
  "[alpha:vars]\n"
  "sibling=alpha\n"
  "[beta:vars]\n"
  "sibling=beta\n"
  "[low]\n"
  "n2\n"
  "[high]\n"
  "n2\n"
  "[low:vars]\n"
  "ansible_group_priority=10\n"
  "sibling=low\n"
  "[high:vars]\n"
  "sibling=high\n";

static void
test_ini_precedence (Fixture *fixture, gconstpointer data)
{
  g_autoptr (FleetInventory) inventory = load_text (fixture, "inventory.ini", precedence_ini);

  g_assert_nonnull (inventory);
  assert_counts (fixture, 0, 0);

  g_assert_cmpstr (attribute (inventory, "n1", "level"), ==, "node");
  g_assert_cmpstr (attribute (inventory, "n2", "level"), ==, "host");
  g_assert_cmpstr (attribute (inventory, "n1", "from_all"), ==, "yes");
  g_assert_cmpstr (attribute (inventory, "n1", "from_dc"), ==, "yes");

  /* alpha and beta are both at depth 1: beta sorts later and wins. */
  g_assert_cmpstr (attribute (inventory, "n1", "sibling"), ==, "beta");

  /* low's priority 10 beats high's default 1, whatever the names. */
  g_assert_cmpstr (attribute (inventory, "n2", "sibling"), ==, "low");
  g_assert_false (g_hash_table_contains (find_host (inventory, "n2")->attributes,
                                         "ansible_group_priority"));

  /* Three levels deep: a host in node is in rack and dc too. */
  assert_host_groups (inventory, "n1", "alpha beta dc node rack");
  assert_members (inventory, "dc", "n1 n2");
  assert_members (inventory, "rack", "n1 n2");
}

static void
test_ini_children_before_definition (Fixture *fixture, gconstpointer data)
{
  g_autoptr (FleetInventory) inventory = load_text (fixture, "inventory.ini",
                                                    "[prod:vars]\n"
                                                    "env=prod\n"
                                                    "[prod:children]\n"
                                                    "web\n"
                                                    "[web]\n"
                                                    "web1\n");

  g_assert_nonnull (inventory);
  assert_counts (fixture, 0, 0);
  assert_members (inventory, "prod", "web1");
  g_assert_cmpstr (attribute (inventory, "web1", "env"), ==, "prod");
}

static void
test_ini_repeated_host (Fixture *fixture, gconstpointer data)
{
  g_autoptr (FleetInventory) inventory = load_text (fixture, "inventory.ini",
                                                    "web1 role=first\n"
                                                    "[web]\n"
                                                    "web1 role=second tier=front\n"
                                                    "[db]\n"
                                                    "web1\n");

  g_assert_nonnull (inventory);
  assert_counts (fixture, 0, 0);
  g_assert_cmpuint (inventory->hosts->len, ==, 1);
  g_assert_cmpstr (attribute (inventory, "web1", "role"), ==, "second");
  g_assert_cmpstr (attribute (inventory, "web1", "tier"), ==, "front");
  assert_host_groups (inventory, "web1", "db web");
  g_assert_null (g_hash_table_lookup (inventory->groups_by_name, "ungrouped"));
}

static void
test_ini_warnings (Fixture *fixture, gconstpointer data)
{
  g_autoptr (FleetInventory) inventory = load_text (fixture, "inventory.ini",
                                                    "[web]\n"
                                                    "web1\n"
                                                    "web2\n"
                                                    "[web:vars]\n"
                                                    "ansible_password=secret\n"
                                                    "ansible_become=true\n");
  g_autofree char *path = fixture_path (fixture, "inventory.ini");

  g_assert_nonnull (inventory);
  assert_counts (fixture, 0, 2);
  assert_diagnostic (fixture, 0, FLEET_SEVERITY_WARNING, path, 6, 1,
                     "variable \"ansible_become\" is kept as an attribute but not applied: fleetc "
                     "sets privilege escalation per step with become and become_user");
  assert_diagnostic (fixture, 1, FLEET_SEVERITY_WARNING, path, 5, 1,
                     "variable \"ansible_password\" is ignored and not stored: fleetc "
                     "authenticates with ssh-agent or an identity file only");
  g_assert_false (g_hash_table_contains (find_host (inventory, "web1")->attributes, "ansible_password"));
  g_assert_false (g_hash_table_contains (find_host (inventory, "web2")->attributes, "ansible_password"));
  g_assert_cmpstr (attribute (inventory, "web2", "ansible_become"), ==, "true");
}

static void
test_ini_empty (Fixture *fixture, gconstpointer data)
{
  g_autoptr (FleetInventory) inventory = load_text (fixture, "hosts", "# no hosts yet\n");

  g_assert_nonnull (inventory);
  assert_counts (fixture, 0, 0);
  g_assert_cmpuint (inventory->hosts->len, ==, 0);
  g_assert_cmpuint (inventory->groups->len, ==, 0);
}

/* YAML inventories. */

static const char nested_yaml[] =
  "all:\n"
  "  vars:\n"
  "    level: all\n"
  "    ntp: 192.0.2.1\n"
  "  hosts:\n"
  "    mail.example.test:\n"
  "  children:\n"
  "    dc1:\n"
  "      vars: {level: dc1}\n"
  "      children:\n"
  "        rack1:\n"
  "          vars: {level: rack1}\n"
  "          children:\n"
  "            compute:\n"
  "              vars: {level: compute}\n"
  "              hosts:\n"
  "                node[1:3].dc1:\n"
  "                node4.dc1: {level: host, ansible_port: 2222}\n"
  "    monitored:\n"
  "      hosts: node1.dc1\n"
  "    web:\n"
  "      hosts:\n"
  "        web1: {tags: [a, 1, true, \"2\", ~], limits: {cpu: 2.5, name: x}}\n"
  "dc1:\n"
  "  hosts:\n"
  "    direct.dc1:\n";

static void
test_yaml_nested_children (Fixture *fixture, gconstpointer data)
{
  g_autoptr (FleetInventory) inventory = load_text (fixture, "inventory.yml", nested_yaml);

  g_assert_nonnull (inventory);
  assert_counts (fixture, 0, 0);

  assert_members (inventory, "dc1", "node1.dc1 node2.dc1 node3.dc1 node4.dc1 direct.dc1");
  assert_members (inventory, "rack1", "node1.dc1 node2.dc1 node3.dc1 node4.dc1");
  assert_members (inventory, "compute", "node1.dc1 node2.dc1 node3.dc1 node4.dc1");
  assert_members (inventory, "ungrouped", "mail.example.test");
  assert_host_groups (inventory, "node1.dc1", "compute dc1 monitored rack1");
  assert_host_groups (inventory, "direct.dc1", "dc1");

  g_assert_cmpstr (attribute (inventory, "node1.dc1", "level"), ==, "compute");
  g_assert_cmpstr (attribute (inventory, "node4.dc1", "level"), ==, "host");
  g_assert_cmpstr (attribute (inventory, "direct.dc1", "level"), ==, "dc1");
  g_assert_cmpstr (attribute (inventory, "mail.example.test", "level"), ==, "all");
  g_assert_cmpstr (attribute (inventory, "node2.dc1", "ntp"), ==, "192.0.2.1");
  g_assert_cmpuint (find_host (inventory, "node4.dc1")->port, ==, 2222);
  g_assert_cmpstr (attribute (inventory, "web1", "tags"), ==, "[\"a\",1,true,\"2\",null]");
  g_assert_cmpstr (attribute (inventory, "web1", "limits"), ==, "{\"cpu\":2.5,\"name\":\"x\"}");
}

static void
test_yaml_positions (Fixture *fixture, gconstpointer data)
{
  g_autoptr (FleetInventory) inventory = load_text (fixture, "inventory.yml", nested_yaml);
  g_autofree char *path = fixture_path (fixture, "inventory.yml");
  const FleetHost *node4 = find_host (inventory, "node4.dc1");
  const FleetGroup *compute = find_group (inventory, "compute");

  g_assert_cmpstr (node4->pos.file, ==, path);
  g_assert_cmpuint (node4->pos.line, ==, 18);
  g_assert_cmpuint (node4->pos.column, ==, 17);
  g_assert_cmpuint (compute->pos.line, ==, 14);
  g_assert_cmpuint (compute->pos.column, ==, 13);
}

typedef struct {
  const char *text;
  guint line;
  guint column;
  const char *message;
} YamlErrorCase;

static const YamlErrorCase yaml_errors[] = {
  { "all:\n  hostz:\n    web1:\n", 2, 3, "unknown key \"hostz\" in group \"all\"; did you mean \"hosts\"?" },
  { "all:\n  members: [web1]\n", 2, 3,
    "unknown key \"members\" in group \"all\"; a group has only hosts, children and vars" },
  { "all:\n  hosts: [web1, web2]\n", 2, 10,
    "invalid \"hosts\" of group \"all\": expected a mapping of host patterns (write web1: for a host "
    "without variables), found a list" },
  { "all:\n  hosts:\n    web[3:1]:\n", 3, 9,
    "invalid host range \"[3:1]\": the begin \"3\" comes after the end \"1\"" },
  { "all:\n  hosts:\n    \"web[1:0x]\":\n", 3, 10,
    "invalid host range \"[1:0x]\": begin and end must both be numbers or both be single letters" },
  { "all:\n  hosts:\n    web1: [a]\n", 3, 11,
    "invalid variables of host \"web1\": expected a mapping of variable names to values, found a list" },
  { "all:\n  vars: [a]\n", 2, 9,
    "invalid \"vars\" of group \"all\": expected a mapping of variable names to values, found a list" },
  { "all:\n  children:\n    -web:\n", 3, 5, "invalid group name \"-web\": it must not start with '-'" },
  { "all:\n  children:\n    ~:\n", 3, 5,
    "invalid group name \"~\": it is a YAML null; quote it to use it as a name" },
  { "web: [web1]\n", 1, 6, "invalid group \"web\": expected a mapping with hosts, children or vars, found a list" },
  { "plugin: amazon.aws.aws_ec2\nregions: [eu-west-1]\n", 1, 9,
    "this file configures the Ansible inventory plugin \"amazon.aws.aws_ec2\", which fleetc cannot "
    "run; export its hosts with `ansible-inventory -i FILE --list > inventory.json` and use that "
    "file" },
  { "all:\n  children:\n    a:\n      children:\n        b:\n          children:\n            a:\n",
    7, 13, "group \"a\" contains itself through its child groups: a -> b -> a; remove one of these "
           "children" },
  { "all:\n  hosts:\n    web1: {ansible_port: 0}\n", 3, 26,
    "invalid value \"0\" for \"ansible_port\": expected a port number from 1 to 65535" },
  { "all:\n  hosts:\n    web1:\n      ~: x\n", 4, 7,
    "invalid variable name \"~\": it is empty or a YAML null" },
};

static void
test_yaml_errors (Fixture *fixture, gconstpointer data)
{
  for (gsize i = 0; i < G_N_ELEMENTS (yaml_errors); i++)
    {
      g_autofree char *path = write_file (fixture, "inventory.yaml", yaml_errors[i].text);
      g_autoptr (FleetInventory) inventory = NULL;

      fleet_diagnostics_free (fixture->diags);
      fixture->diags = fleet_diagnostics_new ();
      g_test_message ("inventory:\n%s", yaml_errors[i].text);
      inventory = load_file (fixture, path);

      g_assert_null (inventory);
      g_assert_cmpuint (fleet_diagnostics_error_count (fixture->diags), ==, 1);
      assert_error (fixture, 0, "inventory.yaml", yaml_errors[i].line, yaml_errors[i].column,
                    yaml_errors[i].message);
    }
}

/* The YAML tree's alias limit applies to Ansible inventories too. */
static void
test_yaml_alias_bomb (Fixture *fixture, gconstpointer data)
{
  GString *text = g_string_new ("all:\n  vars:\n    a0: &a0 [x, x, x, x, x, x, x, x, x, x]\n");
  g_autoptr (FleetInventory) inventory = NULL;

  for (int i = 1; i < 8; i++)
    {
      g_string_append_printf (text, "    a%d: &a%d [", i, i);
      for (int j = 0; j < 10; j++)
        g_string_append_printf (text, "%s*a%d", j > 0 ? ", " : "", i - 1);
      g_string_append (text, "]\n");
    }

  inventory = load_text (fixture, "inventory.yaml", text->str);
  g_string_free (text, TRUE);

  g_assert_null (inventory);
  assert_counts (fixture, 1, 0);
  g_assert_true (g_str_has_prefix (fleet_diagnostics_get (fixture->diags, 0)->message,
                                   "YAML aliases expand to more than 1000000 nodes"));
}

static void
test_yaml_long_value (Fixture *fixture, gconstpointer data)
{
  GString *text = g_string_new ("all:\n  vars:\n    big: &big [");
  g_autoptr (FleetInventory) inventory = NULL;

  for (int i = 0; i < 20000; i++)
    g_string_append_printf (text, "%sitem", i > 0 ? ", " : "");
  g_string_append (text, "]\n  hosts:\n    web1:\n");

  inventory = load_text (fixture, "inventory.yaml", text->str);
  g_string_free (text, TRUE);

  g_assert_null (inventory);
  assert_counts (fixture, 1, 0);
  assert_error (fixture, 0, "inventory.yaml", 3, 10,
                "value of variable \"big\" is longer than the maximum of 65536 bytes when written "
                "as JSON");
}

/* Dynamic inventories. */

static const char list_output[] =
  "cat <<'JSON'\n"
  "{\n"
  "  \"web\": {\"hosts\": [\"web1\", \"web2\"], \"vars\": {\"http_port\": 80},\n"
  "          \"children\": [\"web_dc1\"]},\n"
  "  \"web_dc1\": {\"hosts\": [\"web3\"]},\n"
  "  \"db\": [\"db1\"],\n"
  "  \"empty\": {},\n"
  "  \"_meta\": {\"hostvars\": {\n"
  "    \"web1\": {\"ansible_host\": \"192.0.2.11\", \"tags\": {\"env\": \"prod\", \"n\": 3},\n"
  "             \"emoji\": \"\\ud83d\\ude00\", \"slash\": \"a\\/b\"},\n"
  "    \"db1\": {\"ansible_port\": 2201},\n"
  "    \"unlisted\": {\"x\": 1}\n"
  "  }}\n"
  "}\n"
  "JSON\n";

static void
check_list_inventory (const FleetInventory *inventory)
{
  g_autofree char *hosts = NULL;
  GPtrArray *names = g_ptr_array_new ();

  for (guint i = 0; i < inventory->hosts->len; i++)
    g_ptr_array_add (names, ((FleetHost *) g_ptr_array_index (inventory->hosts, i))->name);
  hosts = join (names);
  g_ptr_array_unref (names);

  g_assert_cmpstr (hosts, ==, "web1 web2 web3 db1");
  assert_members (inventory, "web", "web1 web2 web3");
  assert_members (inventory, "empty", "");
  assert_host_groups (inventory, "web3", "web web_dc1");
  g_assert_cmpstr (find_host (inventory, "web1")->address, ==, "192.0.2.11");
  g_assert_cmpstr (attribute (inventory, "web3", "http_port"), ==, "80");
  g_assert_cmpstr (attribute (inventory, "web1", "tags"), ==, "{\"env\":\"prod\",\"n\":3}");
  g_assert_cmpstr (attribute (inventory, "web1", "emoji"), ==, "\xf0\x9f\x98\x80");
  g_assert_cmpstr (attribute (inventory, "web1", "slash"), ==, "a/b");
  g_assert_cmpuint (find_host (inventory, "db1")->port, ==, 2201);
  g_assert_null (g_hash_table_lookup (inventory->hosts_by_name, "unlisted"));
}

/* Assert that `file` records `path` of `kind` with the digest of the
 * file's bytes. */
static void
assert_file_record (const FleetInventoryFile *file, const char *path, FleetInventoryFileKind kind)
{
  g_autofree char *contents = NULL;
  gsize length = 0;
  g_autofree char *expected = NULL;

  g_assert_true (g_file_get_contents (path, &contents, &length, NULL));
  expected = g_compute_checksum_for_data (G_CHECKSUM_SHA256, (const guchar *) contents, length);
  g_assert_cmpstr (file->path, ==, path);
  g_assert_cmpint (file->kind, ==, kind);
  g_assert_cmpstr (file->sha256, ==, expected);
}

static void
test_dynamic_list (Fixture *fixture, gconstpointer data)
{
  g_autofree char *path = write_script (fixture, "inventory.sh", list_output);
  g_autoptr (FleetInventory) inventory = load_file (fixture, path);

  g_assert_nonnull (inventory);
  assert_counts (fixture, 0, 0);
  check_list_inventory (inventory);
  g_assert_cmpstr (inventory->source, ==, path);

  /* The program's own bytes are recorded; its output cannot be. */
  g_assert_cmpuint (inventory->files->len, ==, 1);
  assert_file_record (g_ptr_array_index (inventory->files, 0), path,
                      FLEET_INVENTORY_FILE_PROGRAM);
}

/* The output of `ansible-inventory --list` saved to a file reads the same. */
static void
test_dynamic_static_list (Fixture *fixture, gconstpointer data)
{
  g_autofree char *script = write_script (fixture, "print.sh", list_output);
  g_autofree char *json_path = fixture_path (fixture, "inventory.json");
  g_autofree char *json = NULL;
  g_autoptr (GError) error = NULL;
  g_autoptr (FleetInventory) inventory = NULL;
  const char *argv[] = { script, NULL };

  g_spawn_sync (NULL, (char **) argv, NULL, G_SPAWN_DEFAULT, NULL, NULL, &json, NULL, NULL, &error);
  g_assert_no_error (error);
  g_free (write_file (fixture, "inventory.json", json));

  inventory = load_file (fixture, json_path);
  g_assert_nonnull (inventory);
  assert_counts (fixture, 0, 0);
  check_list_inventory (inventory);
}

/* Without _meta, fleetc runs --host for each host, and passes arguments
 * without a shell. */
static void
test_dynamic_host_queries (Fixture *fixture, gconstpointer data)
{
  g_autofree char *log = fixture_path (fixture, "calls.log");
  g_autofree char *body = g_strdup_printf (
    "printf '%%s|' \"$#\" \"$@\" >> '%s'\n"
    "echo >> '%s'\n"
    "case \"$1\" in\n"
    "  --list) echo '{\"web\": [\"web1\", \"web2\"]}' ;;\n"
    "  --host) if [ \"$2\" = web1 ]; then echo '{\"ansible_port\": 2222, \"role\": \"front\"}'; fi ;;\n"
    "esac\n",
    log, log);
  g_autofree char *path = write_script (fixture, "inventory", body);
  g_autoptr (FleetInventory) inventory = load_file (fixture, path);
  g_autofree char *calls = NULL;

  g_assert_nonnull (inventory);
  assert_counts (fixture, 0, 0);
  g_assert_cmpuint (find_host (inventory, "web1")->port, ==, 2222);
  g_assert_cmpstr (attribute (inventory, "web1", "role"), ==, "front");
  g_assert_cmpuint (g_hash_table_size (find_host (inventory, "web2")->attributes), ==, 0);

  g_assert_true (g_file_get_contents (log, &calls, NULL, NULL));
  g_assert_cmpstr (calls, ==, "1|--list|\n2|--host|web1|\n2|--host|web2|\n");
}

/* Run the inventory program `body` through a workflow whose
 * inventory_timeout is `timeout`, and return the single error's message. */
static char *
failed_program_message (Fixture *fixture, const char *timeout, const char *body)
{
  g_autofree char *script = write_script (fixture, "inventory.sh", body);
  g_autofree char *workflow_text = g_strdup_printf ("name: demo\n"
                                                    "inventory: inventory.sh\n"
                                                    "inventory_timeout: %s\n"
                                                    "target: {all: true}\n"
                                                    "steps:\n"
                                                    "  - {name: a, run: \"true\", timeout: 5s}\n",
                                                    timeout);
  g_autofree char *workflow_path = write_file (fixture, "workflow.yaml", workflow_text);
  g_autoptr (FleetWorkflow) workflow = fleet_compile_workflow_file (workflow_path, NULL,
                                                                    fixture->diags);
  const FleetDiagnostic *diagnostic;

  show_diagnostics (fixture);
  g_assert_null (workflow);
  g_assert_cmpuint (fleet_diagnostics_error_count (fixture->diags), ==, 1);
  diagnostic = fleet_diagnostics_get (fixture->diags, 0);

  /* Errors about running the program point at its name in the workflow. */
  g_assert_cmpstr (diagnostic->pos.file, ==, workflow_path);
  g_assert_cmpuint (diagnostic->pos.line, ==, 2);
  g_assert_cmpuint (diagnostic->pos.column, ==, 12);
  return g_strdup (diagnostic->message);
}

static void
test_dynamic_timeout (Fixture *fixture, gconstpointer data)
{
  g_autofree char *path = fixture_path (fixture, "inventory.sh");
  g_autofree char *message = failed_program_message (fixture, "1s",
                                                     "echo 'still working' >&2\n"
                                                     "sleep 30\n"
                                                     "echo '{}'\n");
  g_autofree char *expected = g_strdup_printf (
    "inventory program `%s --list` did not finish within the inventory timeout of 1s and was "
    "killed; make it faster or raise inventory_timeout in the workflow; its standard error ends "
    "with:\n  | still working",
    path);

  g_assert_cmpstr (message, ==, expected);
}

static void
test_dynamic_exit_status (Fixture *fixture, gconstpointer data)
{
  g_autofree char *path = fixture_path (fixture, "inventory.sh");
  g_autofree char *message = failed_program_message (fixture, "1m",
                                                     "echo '{\"web\": [\"web1\"]}'\n"
                                                     "printf 'Traceback\\n  bad \\033[31mred\\033[0m\\n' >&2\n"
                                                     "exit 1\n");
  g_autofree char *expected = g_strdup_printf (
    "inventory program `%s --list` exited with status 1; its standard error ends with:\n"
    "  | Traceback\n"
    "  |   bad ?[31mred?[0m",
    path);

  g_assert_cmpstr (message, ==, expected);
}

static void
test_dynamic_signal (Fixture *fixture, gconstpointer data)
{
  g_autofree char *path = fixture_path (fixture, "inventory.sh");
  g_autofree char *message = failed_program_message (fixture, "1m", "kill -9 $$\n");
  g_autofree char *expected = g_strdup_printf ("inventory program `%s --list` was killed by "
                                               "signal SIGKILL",
                                               path);

  g_assert_cmpstr (message, ==, expected);
}

static void
test_dynamic_too_large (Fixture *fixture, gconstpointer data)
{
  g_autofree char *path = fixture_path (fixture, "inventory.sh");
  g_autofree char *message = failed_program_message (fixture, "1m",
                                                     "printf '{\"web\": \"'\n"
                                                     "head -c 104857600 /dev/zero | tr '\\000' x\n"
                                                     "printf '\"}'\n");
  g_autofree char *expected = g_strdup_printf ("inventory program `%s --list` printed more than "
                                               "64 MiB and was killed",
                                               path);

  g_assert_cmpstr (message, ==, expected);
}

static void
test_dynamic_not_json (Fixture *fixture, gconstpointer data)
{
  g_autofree char *path = fixture_path (fixture, "inventory.sh");
  g_autofree char *message = failed_program_message (fixture, "1m",
                                                     "echo 'usage: inventory [--list]'\n");
  g_autofree char *expected = g_strdup_printf ("output of inventory program `%s --list` is not a "
                                               "JSON object: it starts with \"usage: inventory "
                                               "[--list]\\n\"",
                                               path);

  g_assert_cmpstr (message, ==, expected);
}

static void
test_dynamic_invalid_json (Fixture *fixture, gconstpointer data)
{
  g_autofree char *path = write_script (fixture, "inventory.sh",
                                        "echo '{\"web\": {\"hosts\": [\"web1\",'\n"
                                        "echo '  \"web2\"'\n"
                                        "echo '}'\n");
  g_autofree char *label = g_strdup_printf ("%s --list", path);
  g_autoptr (FleetInventory) inventory = load_file (fixture, path);
  g_autofree char *text = NULL;

  g_assert_null (inventory);
  assert_counts (fixture, 1, 0);
  assert_diagnostic (fixture, 0, FLEET_SEVERITY_ERROR, label, 3, 1,
                     "invalid YAML: did not find expected ',' or ']' (while parsing a flow "
                     "sequence started at line 1, column 19)");

  /* The output is registered, so the message quotes the line. */
  text = fleet_diagnostics_format (fixture->diags);
  g_assert_nonnull (strstr (text, "\n  }\n  ^\n"));
}

static void
test_dynamic_output_errors (Fixture *fixture, gconstpointer data)
{
  g_autofree char *path = write_script (fixture, "inventory.sh",
                                        "cat <<'JSON'\n"
                                        "{\"web\": {\"hosts\": \"web1\", \"varz\": {}},\n"
                                        " \"db\": {\"hosts\": [\"-db1\"]},\n"
                                        " \"_meta\": {\"hostvars\": []}}\n"
                                        "JSON\n");
  g_autofree char *label = g_strdup_printf ("%s --list", path);
  g_autoptr (FleetInventory) inventory = load_file (fixture, path);

  g_assert_null (inventory);
  assert_counts (fixture, 4, 0);
  assert_diagnostic (fixture, 0, FLEET_SEVERITY_ERROR, label, 1, 19,
                     "invalid \"hosts\" of group \"web\": expected a list of names, found a scalar");
  assert_diagnostic (fixture, 1, FLEET_SEVERITY_ERROR, label, 1, 27,
                     "unknown key \"varz\" in group \"web\"; did you mean \"vars\"?");
  assert_diagnostic (fixture, 2, FLEET_SEVERITY_ERROR, label, 2, 19,
                     "invalid host name \"-db1\": it must not start with '-'");
  assert_diagnostic (fixture, 3, FLEET_SEVERITY_ERROR, label, 3, 24,
                     "invalid \"hostvars\": expected a mapping of host names, found a list");
}

static void
test_dynamic_stderr_warning (Fixture *fixture, gconstpointer data)
{
  g_autofree char *path = write_script (fixture, "inventory.sh",
                                        "echo 'cache is stale' >&2\n"
                                        "echo '{\"web\": [\"web1\"], \"_meta\": {}}'\n");
  g_autoptr (FleetInventory) inventory = load_file (fixture, path);
  g_autofree char *message = g_strdup_printf ("inventory program `%s --list` wrote to standard "
                                              "error:\n  | cache is stale",
                                              path);

  g_assert_nonnull (inventory);
  assert_counts (fixture, 0, 1);
  assert_diagnostic (fixture, 0, FLEET_SEVERITY_WARNING, path, 0, 0, message);
}

static void
test_dynamic_not_executable (Fixture *fixture, gconstpointer data)
{
  g_autofree char *path = write_file (fixture, "inventory", "#!/bin/sh\necho '{}'\n");
  g_autoptr (FleetInventory) inventory = load_file (fixture, path);
  g_autofree char *message = g_strdup_printf ("inventory file \"%s\" starts with #! like an "
                                              "inventory program, but you may not execute it; make "
                                              "it executable (chmod +x) to run it, or remove the #! "
                                              "line",
                                              path);

  g_assert_null (inventory);
  assert_counts (fixture, 1, 0);
  assert_diagnostic (fixture, 0, FLEET_SEVERITY_ERROR, path, 1, 1, message);
}

static void
test_dynamic_run_failure (Fixture *fixture, gconstpointer data)
{
  g_autofree char *path = write_file (fixture, "inventory", "#!/nonexistent/interpreter\n");
  g_autoptr (FleetInventory) inventory = NULL;
  const FleetDiagnostic *diagnostic;
  g_autofree char *prefix = g_strdup_printf ("failed to run inventory program `%s --list`: ", path);

  g_assert_cmpint (g_chmod (path, 0755), ==, 0);
  inventory = load_file (fixture, path);

  g_assert_null (inventory);
  assert_counts (fixture, 1, 0);
  diagnostic = fleet_diagnostics_get (fixture->diags, 0);
  g_assert_true (g_str_has_prefix (diagnostic->message, prefix));
  g_assert_true (g_str_has_suffix (diagnostic->message,
                                   "; check that it exists, is executable and names an installed "
                                   "interpreter after #!"));
}

/* Format detection. */

static void
test_format_detection (Fixture *fixture, gconstpointer data)
{
  const struct {
    const char *name;
    const char *text;
    const char *groups;        /* groups of host h1 */
  } cases[] = {
    { "hosts", "; INI without an extension\n[web]\nh1\n", "web" },
    { "inventory", "# Ansible YAML without an extension\nall:\n  children:\n    web:\n      hosts:\n        h1:\n", "web" },
    { "fleet", "hosts:\n  h1:\ngroups:\n  web: [h1]\n", "web" },
    { "listed", "{\"web\": [\"h1\"], \"_meta\": {\"hostvars\": {}}}\n", "web" },
    { "inventory.yml", "---\nweb:\n  hosts: {h1: }\n", "web" },
    { "inventory.ini", "h1:22\n", "ungrouped" },
    { "plain", "h1 ansible_host=192.0.2.1\n", "ungrouped" },
  };

  for (gsize i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autoptr (FleetInventory) inventory = NULL;

      g_test_message ("file %s", cases[i].name);
      inventory = load_text (fixture, cases[i].name, cases[i].text);
      g_assert_nonnull (inventory);
      assert_counts (fixture, 0, 0);
      assert_host_groups (inventory, "h1", cases[i].groups);
    }
}

/* Several sources. */

static FleetWorkflow *
compile_with_inventories (Fixture *fixture, const char *inventory_value)
{
  g_autofree char *text = g_strdup_printf ("name: demo\n"
                                           "inventory: %s\n"
                                           "target: {all: true}\n"
                                           "steps:\n"
                                           "  - {name: a, run: \"true\", timeout: 5s}\n",
                                           inventory_value);
  g_autofree char *path = write_file (fixture, "workflow.yaml", text);
  FleetWorkflow *workflow = fleet_compile_workflow_file (path, NULL, fixture->diags);

  show_diagnostics (fixture);
  return workflow;
}

static void
test_sources_combined (Fixture *fixture, gconstpointer data)
{
  g_autofree char *ini = write_file (fixture, "a.ini",
                                     "web1\n"
                                     "[web]\n"
                                     "web2 ansible_port=2222\n");
  g_autofree char *yaml = write_file (fixture, "b.yaml",
                                      "hosts:\n"
                                      "  web1:\n"
                                      "  web2: {port: 2222}\n"
                                      "  db1:\n"
                                      "groups:\n"
                                      "  web: [db1]\n"
                                      "  front: [web1, web2]\n");
  g_autoptr (FleetWorkflow) workflow = compile_with_inventories (fixture, "[a.ini, b.yaml]");
  g_autofree char *joined = NULL;
  FleetInventory *inventory;

  g_assert_nonnull (workflow);
  assert_counts (fixture, 0, 0);
  inventory = workflow->inventory;

  g_assert_cmpuint (inventory->sources->len, ==, 2);
  g_assert_cmpstr (g_ptr_array_index (inventory->sources, 0), ==, ini);
  g_assert_cmpstr (g_ptr_array_index (inventory->sources, 1), ==, yaml);
  joined = g_strdup_printf ("%s, %s", ini, yaml);
  g_assert_cmpstr (inventory->source, ==, joined);

  g_assert_cmpuint (inventory->files->len, ==, 2);
  assert_file_record (g_ptr_array_index (inventory->files, 0), ini, FLEET_INVENTORY_FILE_STATIC);
  assert_file_record (g_ptr_array_index (inventory->files, 1), yaml, FLEET_INVENTORY_FILE_STATIC);

  g_assert_cmpuint (inventory->hosts->len, ==, 3);
  assert_members (inventory, "web", "web2 db1");
  assert_members (inventory, "front", "web1 web2");
  assert_host_groups (inventory, "web2", "front web");

  /* web1 was ungrouped in a.ini but is in front in b.yaml. */
  assert_host_groups (inventory, "web1", "front");
  g_assert_null (g_hash_table_lookup (inventory->groups_by_name, "ungrouped"));
}

static void
test_sources_conflict (Fixture *fixture, gconstpointer data)
{
  g_autofree char *ini = write_file (fixture, "a.ini",
                                     "[web]\n"
                                     "web1 ansible_port=2222 dc=dc1\n");
  g_autofree char *yaml = write_file (fixture, "b.yaml",
                                      "hosts:\n"
                                      "  db1:\n"
                                      "  web1: {port: 22, attributes: {dc: dc1}}\n");
  g_autofree char *other = write_file (fixture, "c.ini", "web1 ansible_port=2222 dc=dc2\n");
  g_autoptr (FleetWorkflow) workflow = compile_with_inventories (fixture, "[a.ini, b.yaml, c.ini]");
  g_autofree char *port_message = g_strdup_printf (
    "host \"web1\" is defined by two inventories with different setting \"port\": \"2222\" at "
    "%s:2:19 and \"22\" at %s:3:16; make the definitions agree or remove the host from one "
    "inventory",
    ini, yaml);
  g_autofree char *attribute_message = g_strdup_printf (
    "host \"web1\" is defined by two inventories with different attribute \"dc\": \"dc1\" at "
    "%s:2:27 and \"dc2\" at %s:1:27; make the definitions agree or remove the host from one "
    "inventory",
    ini, other);

  g_assert_null (workflow);
  assert_counts (fixture, 2, 0);
  assert_error (fixture, 0, "b.yaml", 3, 16, port_message);
  assert_error (fixture, 1, "c.ini", 1, 27, attribute_message);
}

/* A host defined by a range on one line and given a value on a later line
 * is reported where the value is written, and every differing value gets
 * its own error. */
static void
test_sources_conflict_value_lines (Fixture *fixture, gconstpointer data)
{
  g_autofree char *ini = write_file (fixture, "hosts.ini",
                                     "[nodes]\n"
                                     "node[1:2]\n"
                                     "[nodes:vars]\n"
                                     "tier=back\n"
                                     "[extra]\n"
                                     "node1 ansible_port=23401 ansible_become=yes\n");
  g_autofree char *yaml = write_file (fixture, "hosts2.yml",
                                      "all:\n"
                                      "  hosts:\n"
                                      "    node1:\n"
                                      "      ansible_port: 23408\n"
                                      "      tier: front\n"
                                      "      ansible_become: yes\n");
  g_autoptr (FleetWorkflow) workflow = compile_with_inventories (fixture,
                                                                 "[hosts.ini, hosts2.yml]");
  g_autofree char *port_message = g_strdup_printf (
    "host \"node1\" is defined by two inventories with different setting \"port\": \"23401\" "
    "at %s:6:20 and \"23408\" at %s:4:21; make the definitions agree or remove the host from "
    "one inventory",
    ini, yaml);
  g_autofree char *tier_message = g_strdup_printf (
    "host \"node1\" is defined by two inventories with different attribute \"tier\": \"back\" "
    "at %s:4:6 and \"front\" at %s:5:13; make the definitions agree or remove the host from "
    "one inventory",
    ini, yaml);

  g_assert_null (workflow);
  assert_counts (fixture, 2, 2);
  assert_error (fixture, 2, "hosts2.yml", 4, 21, port_message);
  assert_error (fixture, 3, "hosts2.yml", 5, 13, tier_message);
}

static void
test_sources_errors_in_each (Fixture *fixture, gconstpointer data)
{
  g_autoptr (FleetWorkflow) workflow = NULL;

  g_free (write_file (fixture, "a.ini", "[web]\nweb[2:1]\n"));
  g_free (write_file (fixture, "b.yaml", "all:\n  hostz:\n"));
  workflow = compile_with_inventories (fixture, "[a.ini, b.yaml, missing.ini]");

  g_assert_null (workflow);
  assert_counts (fixture, 3, 0);
  assert_error (fixture, 0, "a.ini", 2, 5,
                "invalid host range \"[2:1]\": the begin \"2\" comes after the end \"1\"");
  assert_error (fixture, 1, "b.yaml", 2, 3, "unknown key \"hostz\" in group \"all\"; did you mean \"hosts\"?");
  g_assert_cmpuint (fleet_diagnostics_get (fixture->diags, 2)->pos.line, ==, 2);
  g_assert_cmpuint (fleet_diagnostics_get (fixture->diags, 2)->pos.column, ==, 28);
}

static void
test_sources_empty_list (Fixture *fixture, gconstpointer data)
{
  g_autoptr (FleetWorkflow) workflow = compile_with_inventories (fixture, "[]");

  g_assert_null (workflow);
  assert_counts (fixture, 1, 0);
  assert_error (fixture, 0, "workflow.yaml", 2, 12,
                "invalid value for \"inventory\": the list is empty; name at least one inventory "
                "file");
}

/* The digest of the resolved inventory is stable and covers every source. */
static void
test_sources_digest (Fixture *fixture, gconstpointer data)
{
  g_autoptr (FleetWorkflow) first = NULL;
  g_autoptr (FleetWorkflow) again = NULL;
  g_autoptr (FleetWorkflow) changed = NULL;
  g_autoptr (FleetWorkflow) alone = NULL;
  g_autofree char *first_digest = NULL;
  g_autofree char *again_digest = NULL;
  g_autofree char *changed_digest = NULL;
  g_autofree char *alone_digest = NULL;

  g_free (write_file (fixture, "a.ini", "[web]\nweb[1:3] dc=dc1\n[web:vars]\nrole=web\n"));
  g_free (write_file (fixture, "b.yaml", "all:\n  hosts:\n    db1: {ansible_port: 2201, dc: dc2}\n"));
  first = compile_with_inventories (fixture, "[a.ini, b.yaml]");
  again = compile_with_inventories (fixture, "[a.ini, b.yaml]");
  alone = compile_with_inventories (fixture, "a.ini");
  g_free (write_file (fixture, "b.yaml", "all:\n  hosts:\n    db1: {ansible_port: 2202, dc: dc2}\n"));
  changed = compile_with_inventories (fixture, "[a.ini, b.yaml]");

  g_assert_nonnull (first);
  g_assert_nonnull (again);
  g_assert_nonnull (changed);
  g_assert_nonnull (alone);
  first_digest = fleet_hosts_digest (first->inventory->hosts, first->inventory->jump_hosts);
  again_digest = fleet_hosts_digest (again->inventory->hosts, again->inventory->jump_hosts);
  changed_digest = fleet_hosts_digest (changed->inventory->hosts, changed->inventory->jump_hosts);
  alone_digest = fleet_hosts_digest (alone->inventory->hosts, alone->inventory->jump_hosts);

  g_assert_cmpstr (first_digest, ==, again_digest);
  g_assert_cmpstr (first_digest, !=, changed_digest);
  g_assert_cmpstr (first_digest, !=, alone_digest);
}

static void
test_workflow_inventory_timeout (void)
{
  const FleetSchemaField *field = fleet_schema_lookup (FLEET_SCHEMA_WORKFLOW, "inventory_timeout");
  g_autofree char *default_text = fleet_format_duration (FLEET_DEFAULT_DYNAMIC_INVENTORY_TIMEOUT_MS);

  g_assert_nonnull (field);
  g_assert_cmpuint (FLEET_DEFAULT_DYNAMIC_INVENTORY_TIMEOUT_MS, ==, 60000);
  g_assert_cmpstr (default_text, ==, "1m");
  g_assert_cmpstr (field->default_text, ==, "60s");
}

/* Two names for one server, one from each source, get a warning naming
 * both; the same address on another port is another server. */
static void
test_same_server_warning (Fixture *fixture, gconstpointer data)
{
  g_autofree char *native = write_file (fixture, "hosts.yaml",
                                        "hosts:\n"
                                        "  web1: {address: 10.0.0.1}\n"
                                        "  web2: {address: 10.0.0.1, port: 2222}\n");
  g_autofree char *ansible = write_file (fixture, "more.ini",
                                         "[web]\nweb1-alias ansible_host=10.0.0.1\n");
  g_autoptr (GPtrArray) refs = g_ptr_array_new_with_free_func (
    (GDestroyNotify) fleet_inventory_ref_free);
  g_autoptr (FleetInventory) inventory = NULL;
  const FleetDiagnostic *diagnostic;

  g_ptr_array_add (refs, fleet_inventory_ref_new (native, NULL));
  g_ptr_array_add (refs, fleet_inventory_ref_new (ansible, NULL));
  inventory = fleet_load_inventory_sources (fixture->diags, refs, 10000, NULL);
  show_diagnostics (fixture);

  g_assert_nonnull (inventory);
  assert_counts (fixture, 0, 1);
  diagnostic = fleet_diagnostics_get (fixture->diags, 0);
  g_assert_cmpstr (diagnostic->message, ==,
                   "hosts web1 and web1-alias both connect to 10.0.0.1 port 22, so every step "
                   "would run twice on that server; remove one of them, or give it its own "
                   "address");
  g_assert_true (g_str_has_suffix (diagnostic->pos.file, "more.ini"));
}

static void
add_fixture_test (const char *path, void (*test) (Fixture *, gconstpointer))
{
  g_test_add (path, Fixture, NULL, fixture_set_up, test, fixture_tear_down);
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/inventory/range/expansion", test_range_expansion);
  g_test_add_func ("/inventory/range/errors", test_range_errors);
  g_test_add_func ("/inventory/range/ports", test_range_ports);
  g_test_add_func ("/inventory/range/port-errors", test_range_port_errors);

  g_test_add_func ("/inventory/ini/words", test_ini_words);
  g_test_add_func ("/inventory/ini/word-offsets", test_ini_word_offsets);
  g_test_add_func ("/inventory/ini/word-errors", test_ini_word_errors);
  g_test_add_func ("/inventory/ini/python-literals", test_python_literals);
  g_test_add_func ("/inventory/ini/python-literal-nesting", test_python_literal_nesting);
  add_fixture_test ("/inventory/ini/host-ranges-file", test_ini_host_ranges_file);
  add_fixture_test ("/inventory/sources/same-server-warning", test_same_server_warning);
  add_fixture_test ("/inventory/ini/invalid-range-lines", test_ini_invalid_range_lines);
  add_fixture_test ("/inventory/ini/errors", test_ini_errors);
  add_fixture_test ("/inventory/ini/several-errors", test_ini_several_errors);
  add_fixture_test ("/inventory/ini/nul-byte", test_ini_nul_byte);
  add_fixture_test ("/inventory/ini/values", test_ini_values);
  add_fixture_test ("/inventory/ini/settings", test_ini_settings);
  add_fixture_test ("/inventory/ini/fleetc-settings", test_ini_fleetc_settings);
  add_fixture_test ("/inventory/ini/fleetc-errors", test_ini_fleetc_errors);
  add_fixture_test ("/inventory/ini/setting-named-variables", test_ini_setting_named_variables);
  add_fixture_test ("/inventory/ini/ssh-args-proxy", test_ini_ssh_args_proxy);
  add_fixture_test ("/inventory/ini/ssh-args-errors", test_ini_ssh_args_errors);
  add_fixture_test ("/inventory/dynamic/proxy-command", test_dynamic_proxy_command);
  add_fixture_test ("/inventory/ini/precedence", test_ini_precedence);
  add_fixture_test ("/inventory/ini/children-before-definition", test_ini_children_before_definition);
  add_fixture_test ("/inventory/ini/repeated-host", test_ini_repeated_host);
  add_fixture_test ("/inventory/ini/warnings", test_ini_warnings);
  add_fixture_test ("/inventory/ini/empty", test_ini_empty);

  add_fixture_test ("/inventory/yaml/nested-children", test_yaml_nested_children);
  add_fixture_test ("/inventory/yaml/positions", test_yaml_positions);
  add_fixture_test ("/inventory/yaml/errors", test_yaml_errors);
  add_fixture_test ("/inventory/yaml/alias-bomb", test_yaml_alias_bomb);
  add_fixture_test ("/inventory/yaml/long-value", test_yaml_long_value);

  add_fixture_test ("/inventory/dynamic/list", test_dynamic_list);
  add_fixture_test ("/inventory/dynamic/static-list", test_dynamic_static_list);
  add_fixture_test ("/inventory/dynamic/host-queries", test_dynamic_host_queries);
  add_fixture_test ("/inventory/dynamic/timeout", test_dynamic_timeout);
  add_fixture_test ("/inventory/dynamic/exit-status", test_dynamic_exit_status);
  add_fixture_test ("/inventory/dynamic/signal", test_dynamic_signal);
  add_fixture_test ("/inventory/dynamic/too-large", test_dynamic_too_large);
  add_fixture_test ("/inventory/dynamic/not-json", test_dynamic_not_json);
  add_fixture_test ("/inventory/dynamic/invalid-json", test_dynamic_invalid_json);
  add_fixture_test ("/inventory/dynamic/output-errors", test_dynamic_output_errors);
  add_fixture_test ("/inventory/dynamic/stderr-warning", test_dynamic_stderr_warning);
  add_fixture_test ("/inventory/dynamic/not-executable", test_dynamic_not_executable);
  add_fixture_test ("/inventory/dynamic/run-failure", test_dynamic_run_failure);

  add_fixture_test ("/inventory/format/detection", test_format_detection);

  add_fixture_test ("/inventory/sources/combined", test_sources_combined);
  add_fixture_test ("/inventory/sources/conflict", test_sources_conflict);
  add_fixture_test ("/inventory/sources/conflict-value-lines", test_sources_conflict_value_lines);
  add_fixture_test ("/inventory/sources/errors-in-each", test_sources_errors_in_each);
  add_fixture_test ("/inventory/sources/empty-list", test_sources_empty_list);
  add_fixture_test ("/inventory/sources/digest", test_sources_digest);
  g_test_add_func ("/inventory/sources/timeout-default", test_workflow_inventory_timeout);

  return g_test_run ();
}
