/* fleet-expr-check.c: the checks of a comparison that need no host.
 *
 * Operands whose type is known at parse time (literals, and conditions,
 * which are booleans) are checked against their operator, so that such type
 * errors are reported once when the expression is parsed instead of for
 * every host.  The patterns of `like` and `=~` are checked, and regular
 * expressions compiled, here as well.
 */
#include "schema/fleet-expr-private.h"

#include <string.h>

#include "schema/fleet-diagnostics.h"

/* Literal text quoted in messages is cut after this many characters. */
#define QUOTE_MAX_CHARS 40

/* Return a description of an operand whose type is known before evaluation,
 * for messages: the literal's value, or "a condition (true or false)". */
static char *
describe_static_operand (const FleetExprNode *node)
{
  if (node->kind == FLEET_EXPR_LITERAL)
    return fleet_value_describe (&node->value);
  return g_strdup ("a condition (true or false)");
}

/* Store in `out` a value with the type `node` will have when evaluated, if
 * that is known now: literals, and conditions (booleans). */
static gboolean
static_value (const FleetExprNode *node, FleetValue *out)
{
  switch (node->kind)
    {
    case FLEET_EXPR_LITERAL:
      *out = node->value;
      return TRUE;
    case FLEET_EXPR_NAME:
      return FALSE;
    case FLEET_EXPR_DEFINED:
    case FLEET_EXPR_NOT:
    case FLEET_EXPR_AND:
    case FLEET_EXPR_OR:
    case FLEET_EXPR_COMPARE:
      *out = fleet_value_boolean (TRUE);
      return TRUE;
    }
  g_return_val_if_reached (FALSE);
}

/* Return the text of a GRegex compile error after its "at char N: " prefix. */
static const char *
regex_error_reason (const char *message)
{
  const char *at = strstr (message, " at char ");
  const char *colon = at != NULL ? strstr (at, ": ") : NULL;

  return colon != NULL ? colon + 2 : message;
}

static gboolean
compile_pattern (FleetExprNode *compare, guint *out_error_column, GError **error)
{
  const FleetExprNode *pattern = compare->children[1];
  const char *text = pattern->value.string;
  g_autofree char *quoted = fleet_quote_value (text, QUOTE_MAX_CHARS);

  if (compare->op == FLEET_EXPR_OP_MATCH)
    {
      g_autoptr(GError) regex_error = NULL;

      /* DOLLAR_ENDONLY makes "$" match only at the very end, not also before
       * a final newline. */
      compare->regex = g_regex_new (text, G_REGEX_DOLLAR_ENDONLY, 0, &regex_error);
      if (compare->regex == NULL)
        return fleet_expr_fail (error, out_error_column, FLEET_EXPR_ERROR_PATTERN, pattern->column,
                                "invalid regular expression %s at column %u: %s", quoted,
                                pattern->column, regex_error_reason (regex_error->message));
      return TRUE;
    }

  {
    gsize length = strlen (text);
    gsize trailing_backslashes = 0;

    while (trailing_backslashes < length && text[length - 1 - trailing_backslashes] == '\\')
      trailing_backslashes++;

    /* fnmatch reports no error for such a pattern; it just never matches. */
    if (trailing_backslashes % 2 == 1)
      return fleet_expr_fail (error, out_error_column,
                              FLEET_EXPR_ERROR_PATTERN, pattern->column,
                              "glob pattern %s at column %u ends with a backslash that escapes "
                              "nothing, so it never matches", quoted, pattern->column);
  }
  return TRUE;
}

/* Fail with "'OP' at column N DETAIL, but its SIDE side is DESCRIPTION". */
static gboolean
fail_static_type (const FleetExprNode *compare, const char *detail, const char *side,
                  const FleetExprNode *operand, guint *out_error_column, GError **error)
{
  g_autofree char *description = describe_static_operand (operand);

  return fleet_expr_fail (error, out_error_column, FLEET_EXPR_ERROR_TYPE,
                          compare->column, "'%s' at column %u %s, but its %s side is %s",
                          fleet_expr_op_text (compare->op), compare->column, detail, side,
                          description);
}

/* Check that `other`, the other side of `in` or `contains`, can be compared
 * with every item of `list_node` (a literal list) when its type is known. */
static gboolean
check_static_membership (const FleetExprNode *compare, const FleetExprNode *list_node,
                         const FleetExprNode *other, guint *out_error_column, GError **error)
{
  FleetValue other_value;
  gboolean found;

  if (!static_value (other, &other_value)
      || fleet_expr_set_contains (list_node->set, &other_value, &found))
    return TRUE;

  for (gsize i = 0; i < list_node->value.list.length; i++)
    {
      const FleetValue *item = &list_node->value.list.items[i];
      g_autofree char *item_text = NULL;
      g_autofree char *other_text = NULL;
      gboolean equal;

      if (fleet_value_equal (&other_value, item, &equal))
        continue;

      item_text = fleet_value_describe (item);
      other_text = describe_static_operand (other);
      return fleet_expr_fail (error, out_error_column, FLEET_EXPR_ERROR_TYPE,
                              compare->column, "'%s' at column %u cannot compare %s with item "
                              "%" G_GSIZE_FORMAT " of the list, %s",
                              fleet_expr_op_text (compare->op), compare->column, other_text,
                              i + 1, item_text);
    }
  return TRUE;
}

static gboolean
check_static_types (const FleetExprNode *compare, guint *out_error_column, GError **error)
{
  const FleetExprNode *left = compare->children[0];
  const FleetExprNode *right = compare->children[1];
  FleetValue left_value;
  FleetValue right_value;
  gboolean left_known = static_value (left, &left_value);
  gboolean right_known = static_value (right, &right_value);
  double number;
  gboolean equal;

  switch (compare->op)
    {
    case FLEET_EXPR_OP_EQ:
    case FLEET_EXPR_OP_NE:
      if (left_known && right_known && !fleet_value_equal (&left_value, &right_value, &equal))
        {
          g_autofree char *left_text = describe_static_operand (left);
          g_autofree char *right_text = describe_static_operand (right);

          return fleet_expr_fail (error, out_error_column,
                                  FLEET_EXPR_ERROR_TYPE, compare->column,
                                  "'%s' at column %u cannot compare %s with %s",
                                  fleet_expr_op_text (compare->op), compare->column, left_text,
                                  right_text);
        }
      return TRUE;

    case FLEET_EXPR_OP_LT:
    case FLEET_EXPR_OP_LE:
    case FLEET_EXPR_OP_GT:
    case FLEET_EXPR_OP_GE:
      if (left_known && !fleet_value_to_number (&left_value, &number))
        return fail_static_type (compare, "compares numbers", "left", left, out_error_column, error);
      if (right_known && !fleet_value_to_number (&right_value, &number))
        return fail_static_type (compare, "compares numbers", "right", right, out_error_column, error);
      return TRUE;

    case FLEET_EXPR_OP_IN:
    case FLEET_EXPR_OP_NOT_IN:
      if (right_known && right_value.type != FLEET_VALUE_LIST)
        return fail_static_type (compare, "needs a list on its right", "right", right, out_error_column, error);
      if (right->kind == FLEET_EXPR_LITERAL)
        return check_static_membership (compare, right, left, out_error_column, error);
      return TRUE;

    case FLEET_EXPR_OP_CONTAINS:
      if (left_known && left_value.type != FLEET_VALUE_LIST)
        return fail_static_type (compare, "needs a list on its left", "left", left, out_error_column, error);
      if (left->kind == FLEET_EXPR_LITERAL)
        return check_static_membership (compare, left, right, out_error_column, error);
      return TRUE;

    case FLEET_EXPR_OP_LIKE:
    case FLEET_EXPR_OP_MATCH:
      if (left_known && left_value.type != FLEET_VALUE_STRING)
        return fail_static_type (compare, "matches strings", "left", left, out_error_column, error);
      return TRUE;
    }
  g_return_val_if_reached (FALSE);
}

gboolean
fleet_expr_check_comparison (FleetExprNode *compare, guint *out_error_column, GError **error)
{
  if (!check_static_types (compare, out_error_column, error))
    return FALSE;

  if (compare->op == FLEET_EXPR_OP_LIKE || compare->op == FLEET_EXPR_OP_MATCH)
    return compile_pattern (compare, out_error_column, error);
  return TRUE;
}
