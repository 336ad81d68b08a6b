/* fuzz-expr.c: libFuzzer target for selector and condition expressions.
 *
 * The input is the text of an expression, up to its first NUL byte.  An
 * expression that parses is evaluated against one host with attributes of
 * every value type, and its canonical text must parse again into an
 * expression with the same text, as fleet-expr.h promises.
 */
#include <string.h>

#include "fuzz/fuzz-common.h"
#include "schema/fleet-expr.h"

int LLVMFuzzerTestOneInput (const uint8_t *data, size_t size);

static const FleetValue group_names[] = {
  { .type = FLEET_VALUE_STRING, .string = "web" },
  { .type = FLEET_VALUE_STRING, .string = "dc1" },
};

static const FleetValue empty_list[] = { { .type = FLEET_VALUE_NUMBER, .number = 0 } };

/* One host: the attributes that docs/selectors.md uses in its examples,
 * and one of each value type. */
static gboolean
lookup_attribute (const char *name, FleetValue *out, gpointer user_data)
{
  if (strcmp (name, "name") == 0)
    *out = fleet_value_string ("web01.example.test");
  else if (strcmp (name, "dc") == 0)
    *out = fleet_value_string ("dc1");
  else if (strcmp (name, "version") == 0)
    *out = fleet_value_string ("3.0.15");
  else if (strcmp (name, "cores") == 0)
    *out = fleet_value_string ("16");
  else if (strcmp (name, "port") == 0)
    *out = fleet_value_number (22);
  else if (strcmp (name, "enabled") == 0)
    *out = fleet_value_boolean (TRUE);
  else if (strcmp (name, "groups") == 0)
    *out = fleet_value_list (group_names, G_N_ELEMENTS (group_names));
  else if (strcmp (name, "tags") == 0)
    *out = fleet_value_list (empty_list, 0);
  else
    return FALSE;
  return TRUE;
}

static void
check_canonical_text (const FleetExpr *expr)
{
  g_autofree char *text = fleet_expr_to_string (expr);
  g_autoptr(GError) error = NULL;
  g_autoptr(FleetExpr) again = fleet_expr_parse (text, &error);
  g_autofree char *text_again = NULL;

  if (again == NULL)
    fuzz_fail ("the canonical text %s does not parse: %s", text, error->message);

  text_again = fleet_expr_to_string (again);
  if (strcmp (text, text_again) != 0)
    fuzz_fail ("the canonical text %s parses into %s", text, text_again);
}

/* fleet-expr.h: every message names the 1-based column of the problem, in
 * characters, and fleet_expr_parse_full stores that column. */
static void
check_error_column (const char *text, const GError *error, guint column)
{
  g_autofree char *column_text = g_strdup_printf ("column %u", column);
  glong characters = g_utf8_validate (text, -1, NULL) ? g_utf8_strlen (text, -1)
                                                      : (glong) strlen (text);

  if (column < 1 || column > (guint) characters + 1)
    fuzz_fail ("error column %u is outside the %ld characters of the text", column, characters);
  if (strstr (error->message, column_text) == NULL)
    fuzz_fail ("the message \"%s\" does not name column %u", error->message, column);
}

int
LLVMFuzzerTestOneInput (const uint8_t *data, size_t size)
{
  g_autofree char *text = g_strndup ((const char *) data, size);
  g_autoptr(GError) error = NULL;
  g_autoptr(FleetExpr) expr = NULL;
  g_autoptr(GPtrArray) names = g_ptr_array_new_with_free_func (g_free);
  g_autoptr(GPtrArray) missing = g_ptr_array_new_with_free_func (g_free);
  gboolean result;
  guint error_column = 0;

  expr = fleet_expr_parse_full (text, &error_column, &error);
  if (expr == NULL)
    {
      if (error == NULL)
        fuzz_fail ("the parser returned NULL without an error");
      check_error_column (text, error, error_column);
      return 0;
    }

  check_canonical_text (expr);
  fleet_expr_collect_names (expr, names);
  fleet_expr_eval_full (expr, lookup_attribute, NULL, missing, &result, NULL);
  return 0;
}
