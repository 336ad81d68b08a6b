/* test-scalar-position.c: characters of quoted, folded and block scalars
 * mapped back to their line and column in the file. */
#include <string.h>

#include "compiler/scalar-position.h"
#include "compiler/yaml-tree.h"

/* Return line `line` (1-based) of `text`, without its line break. */
static char *
source_line (const char *text, guint line)
{
  g_auto(GStrv) lines = g_strsplit (text, "\n", -1);

  g_assert_cmpuint (line, <=, g_strv_length (lines));
  return g_strdup (lines[line - 1]);
}

/* Return the character at 1-based `column` of `line_text`, as UTF-8. */
static char *
char_at (const char *line_text, guint column)
{
  const char *p = line_text;

  for (guint i = 1; i < column && *p != '\0'; i++)
    p = g_utf8_next_char (p);
  if (*p == '\0')
    return g_strdup ("");
  return g_strndup (p, g_utf8_next_char (p) - p);
}

static const FleetYamlNode *
value_of (const FleetYamlDocument *document, const char *key)
{
  const FleetYamlNode *node = fleet_yaml_mapping_lookup (fleet_yaml_document_root (document), key);

  g_assert_nonnull (node);
  g_assert_cmpint (node->kind, ==, FLEET_YAML_SCALAR);
  return node;
}

/* Assert that the mapping of every character of the value of `key` is
 * exact, and that it points at that same character in the source, or at
 * the backslash of the escape that produces it. */
static void
assert_maps_every_character (const char *text, const char *key)
{
  g_autoptr(FleetDiagnostics) diags = fleet_diagnostics_new ();
  g_autoptr(FleetYamlDocument) document = fleet_yaml_parse ("t.yaml", text, strlen (text), diags);
  const FleetYamlNode *node;
  const char *p;
  guint index = 0;

  g_assert_nonnull (document);
  node = value_of (document, key);
  g_test_message ("value of %s: \"%s\"", key, node->value);

  for (p = node->value; *p != '\0'; p = g_utf8_next_char (p), index++)
    {
      g_autofree char *expected = g_strndup (p, g_utf8_next_char (p) - p);
      g_autofree char *line = NULL;
      g_autofree char *found = NULL;
      gboolean exact = FALSE;
      FleetSourcePos pos = fleet_scalar_char_position (node, index, &exact);

      g_assert_true (exact);
      if (strchr (" \n'\\", *p) != NULL)
        continue;
      line = source_line (text, pos.line);
      found = char_at (line, pos.column);
      g_test_message ("  %u '%s' -> %u:%u '%s'", index, expected, pos.line, pos.column, found);
      if (!g_str_equal (found, "\\"))
        g_assert_cmpstr (found, ==, expected);
    }
}

static void
test_plain_one_line (void)
{
  assert_maps_every_character ("where: dc == \"dc2\" and role == \"db\"\n", "where");
}

static void
test_single_quoted (void)
{
  assert_maps_every_character ("where: 'dc == \"dc2\" and name like ''web*'''\n", "where");
}

static void
test_double_quoted_escapes (void)
{
  assert_maps_every_character ("where: \"dc == \\\"d\\u00e9\\\" and\\trole == \\x22db\\x22\"\n",
                               "where");
}

static void
test_plain_multi_line (void)
{
  assert_maps_every_character ("where: dc == \"dc2\"\n"
                               "  and role == \"db\"\n"
                               "\n"
                               "  or rack == \"r1\"\n"
                               "next: 1\n", "where");
}

static void
test_double_quoted_multi_line (void)
{
  assert_maps_every_character ("where: \"dc == \\\"dc2\\\"   \n"
                               "    and role == \\\n"
                               "    \\\"db\\\"\"\n", "where");
}

static void
test_folded_block (void)
{
  assert_maps_every_character ("where: >-\n"
                               "  dc == \"dc2\"\n"
                               "  and role == \"db\"\n"
                               "\n"
                               "  or rack == \"r1\"\n"
                               "next: 1\n", "where");
}

static void
test_literal_block (void)
{
  assert_maps_every_character ("where: |\n"
                               "    dc == \"dc2\"\n"
                               "      and role == \"db\"\n"
                               "\n"
                               "    or rack == \"r1\"\n"
                               "next: 1\n", "where");
}

static void
test_anchor_before_plain (void)
{
  assert_maps_every_character ("where: &selector dc == \"dc2\"\n", "where");
}

static void
test_non_ascii_columns (void)
{
  assert_maps_every_character ("where: 'city == \"Zürich\" and dc == \"dc2\"'\n", "where");
}

/* The end of the value maps just after its last character. */
static void
test_end_of_value (void)
{
  const char *text = "where: 'dc =='\n";
  g_autoptr(FleetDiagnostics) diags = fleet_diagnostics_new ();
  g_autoptr(FleetYamlDocument) document = fleet_yaml_parse ("t.yaml", text, strlen (text), diags);
  gboolean exact = FALSE;
  FleetSourcePos pos = fleet_scalar_char_position (value_of (document, "where"), 5, &exact);

  g_assert_true (exact);
  g_assert_cmpuint (pos.line, ==, 1);
  g_assert_cmpuint (pos.column, ==, 14);
}

/* An explicit indentation indicator depends on the parent's indentation, so
 * the position falls back to the start of the scalar. */
static void
test_indentation_indicator_falls_back (void)
{
  const char *text = "where: |2\n  dc == \"dc2\"\n";
  g_autoptr(FleetDiagnostics) diags = fleet_diagnostics_new ();
  g_autoptr(FleetYamlDocument) document = fleet_yaml_parse ("t.yaml", text, strlen (text), diags);
  const FleetYamlNode *node = value_of (document, "where");
  gboolean exact = TRUE;
  FleetSourcePos pos = fleet_scalar_char_position (node, 3, &exact);

  g_assert_false (exact);
  g_assert_cmpuint (pos.line, ==, node->pos.line);
  g_assert_cmpuint (pos.column, ==, node->pos.column);
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/scalar-position/plain-one-line", test_plain_one_line);
  g_test_add_func ("/scalar-position/single-quoted", test_single_quoted);
  g_test_add_func ("/scalar-position/double-quoted-escapes", test_double_quoted_escapes);
  g_test_add_func ("/scalar-position/plain-multi-line", test_plain_multi_line);
  g_test_add_func ("/scalar-position/double-quoted-multi-line", test_double_quoted_multi_line);
  g_test_add_func ("/scalar-position/folded-block", test_folded_block);
  g_test_add_func ("/scalar-position/literal-block", test_literal_block);
  g_test_add_func ("/scalar-position/anchor-before-plain", test_anchor_before_plain);
  g_test_add_func ("/scalar-position/non-ascii-columns", test_non_ascii_columns);
  g_test_add_func ("/scalar-position/end-of-value", test_end_of_value);
  g_test_add_func ("/scalar-position/indentation-indicator", test_indentation_indicator_falls_back);

  return g_test_run ();
}
