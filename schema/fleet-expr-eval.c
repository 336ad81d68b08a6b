/* fleet-expr-eval.c: evaluation of a parsed expression against one host.
 *
 * Conditions evaluate to true, false or unknown.  A comparison is unknown
 * when one of its operands is a name that the lookup does not find, or is
 * itself an unknown condition.  `not` keeps unknown.  `and` is false as soon
 * as one operand is false, and `or` true as soon as one is true; otherwise
 * an unknown operand makes the result unknown.  The evaluator itself allocates memory only
 * for errors and missing names; GRegex allocates for each match.
 */
#include "schema/fleet-expr-private.h"

#include <fnmatch.h>
#include <string.h>

typedef enum {
  TRUTH_FALSE,
  TRUTH_TRUE,
  TRUTH_UNKNOWN,
} Truth;

typedef struct {
  FleetExprLookup lookup;
  gpointer user_data;
  GPtrArray *missing_names;      /* NULL when the caller does not want them */
} Evaluation;

/* The value of one side of a comparison; `known` is FALSE for a name that
 * is not defined or a condition that is unknown. */
typedef struct {
  gboolean known;
  FleetValue value;
} Operand;

static gboolean eval_condition (const Evaluation *evaluation, const FleetExprNode *node,
                                Truth *out, GError **error);

static void
note_missing (const Evaluation *evaluation, const char *name)
{
  if (evaluation->missing_names == NULL
      || g_ptr_array_find_with_equal_func (evaluation->missing_names, name, g_str_equal, NULL))
    return;

  g_ptr_array_add (evaluation->missing_names, g_strdup (name));
}

static gboolean
look_up (const Evaluation *evaluation, const char *name, FleetValue *out)
{
  if (evaluation->lookup (name, out, evaluation->user_data))
    return TRUE;

  note_missing (evaluation, name);
  return FALSE;
}

/* Return a description of an operand and its value for messages:
 * `cores (the string "many")`, `the number 16`, or a condition's value. */
static char *
describe_operand (const FleetExprNode *node, const FleetValue *value)
{
  g_autofree char *value_text = fleet_value_describe (value);

  switch (node->kind)
    {
    case FLEET_EXPR_NAME:
      return g_strdup_printf ("%s (%s)", node->name, value_text);
    case FLEET_EXPR_LITERAL:
      return g_steal_pointer (&value_text);
    default:
      return g_strdup_printf ("the condition at column %u (%s)", node->column,
                              value->boolean ? "true" : "false");
    }
}

/* Fail with "'OP' at column N DETAIL, but its SIDE side is OPERAND". */
static gboolean
fail_operand_type (const FleetExprNode *compare, const char *detail, const char *side,
                   const FleetExprNode *operand, const FleetValue *value, GError **error)
{
  g_autofree char *description = describe_operand (operand, value);

  return fleet_expr_fail (error, NULL, FLEET_EXPR_ERROR_TYPE, compare->column,
                          "'%s' at column %u %s, but its %s side is %s",
                          fleet_expr_op_text (compare->op), compare->column, detail, side,
                          description);
}

static gboolean
eval_operand (const Evaluation *evaluation, const FleetExprNode *node, Operand *out,
              GError **error)
{
  Truth truth;

  switch (node->kind)
    {
    case FLEET_EXPR_LITERAL:
      out->known = TRUE;
      out->value = node->value;
      return TRUE;

    case FLEET_EXPR_NAME:
      out->known = look_up (evaluation, node->name, &out->value);
      return TRUE;

    default:
      if (!eval_condition (evaluation, node, &truth, error))
        return FALSE;
      out->known = truth != TRUTH_UNKNOWN;
      out->value = fleet_value_boolean (truth == TRUTH_TRUE);
      return TRUE;
    }
}

/* Store in `out_found` whether `value` equals an item of `list`, the value of
 * `list_node`.  Every item must be comparable with `value`, found or not. */
static gboolean
eval_membership (const FleetExprNode *compare,
                 const FleetExprNode *list_node, const FleetValue *list, const char *list_side,
                 const FleetExprNode *value_node, const FleetValue *value,
                 gboolean *out_found, GError **error)
{
  gboolean found = FALSE;

  if (list->type != FLEET_VALUE_LIST)
    {
      g_autofree char *detail = g_strdup_printf ("needs a list on its %s", list_side);

      return fail_operand_type (compare, detail, list_side, list_node, list, error);
    }

  if (list_node->set != NULL && fleet_expr_set_contains (list_node->set, value, out_found))
    return TRUE;

  /* Lists from a lookup, and the error of a literal list's index, take the
   * scan, which names the first item that cannot be compared. */
  for (gsize i = 0; i < list->list.length; i++)
    {
      const FleetValue *item = &list->list.items[i];
      gboolean equal;

      if (!fleet_value_equal (value, item, &equal))
        {
          g_autofree char *value_text = describe_operand (value_node, value);
          g_autofree char *item_text = fleet_value_describe (item);

          return fleet_expr_fail (error, NULL, FLEET_EXPR_ERROR_TYPE, compare->column,
                                  "'%s' at column %u cannot compare %s with item %"
                                  G_GSIZE_FORMAT " of the list, %s",
                                  fleet_expr_op_text (compare->op), compare->column, value_text,
                                  i + 1, item_text);
        }
      found = found || equal;
    }

  *out_found = found;
  return TRUE;
}

static gboolean
eval_order (const FleetExprNode *compare, const Operand *left, const Operand *right,
            gboolean *out_result, GError **error)
{
  double a;
  double b;

  if (!fleet_value_to_number (&left->value, &a))
    return fail_operand_type (compare, "compares numbers", "left", compare->children[0],
                              &left->value, error);
  if (!fleet_value_to_number (&right->value, &b))
    return fail_operand_type (compare, "compares numbers", "right", compare->children[1],
                              &right->value, error);

  switch (compare->op)
    {
    case FLEET_EXPR_OP_LT:
      *out_result = a < b;
      return TRUE;
    case FLEET_EXPR_OP_LE:
      *out_result = a <= b;
      return TRUE;
    case FLEET_EXPR_OP_GT:
      *out_result = a > b;
      return TRUE;
    case FLEET_EXPR_OP_GE:
      *out_result = a >= b;
      return TRUE;
    default:
      g_return_val_if_reached (FALSE);
    }
}

static gboolean
eval_match (const FleetExprNode *compare, const Operand *left, const Operand *right,
            gboolean *out_result, GError **error)
{
  const FleetExprNode *left_node = compare->children[0];
  const char *subject = left->value.string;
  g_autoptr(GError) match_error = NULL;

  if (left->value.type != FLEET_VALUE_STRING)
    return fail_operand_type (compare, "matches strings", "left", left_node, &left->value, error);

  if (compare->op == FLEET_EXPR_OP_LIKE)
    {
      *out_result = fnmatch (right->value.string, subject, 0) == 0;
      return TRUE;
    }

  if (!g_utf8_validate (subject, -1, NULL))
    return fail_operand_type (compare, "matches UTF-8 text", "left", left_node, &left->value,
                              error);

  *out_result = g_regex_match_full (compare->regex, subject, -1, 0, 0, NULL, &match_error);
  if (match_error != NULL)
    {
      g_autofree char *description = describe_operand (left_node, &left->value);
      const char *reason = strrchr (match_error->message, ':');

      return fleet_expr_fail (error, NULL, FLEET_EXPR_ERROR_PATTERN, compare->column,
                              "'=~' at column %u failed on %s: %s; simplify the regular "
                              "expression", compare->column, description,
                              reason != NULL ? reason + 2 : match_error->message);
    }
  return TRUE;
}

static gboolean
eval_compare (const Evaluation *evaluation, const FleetExprNode *compare, Truth *out,
              GError **error)
{
  const FleetExprNode *left_node = compare->children[0];
  const FleetExprNode *right_node = compare->children[1];
  Operand left;
  Operand right;
  gboolean result = FALSE;

  /* Both sides are looked up before deciding, so that every missing name
   * of the comparison is reported. */
  if (!eval_operand (evaluation, left_node, &left, error)
      || !eval_operand (evaluation, right_node, &right, error))
    return FALSE;

  if (!left.known || !right.known)
    {
      *out = TRUTH_UNKNOWN;
      return TRUE;
    }

  switch (compare->op)
    {
    case FLEET_EXPR_OP_EQ:
    case FLEET_EXPR_OP_NE:
      if (!fleet_value_equal (&left.value, &right.value, &result))
        {
          g_autofree char *left_text = describe_operand (left_node, &left.value);
          g_autofree char *right_text = describe_operand (right_node, &right.value);

          return fleet_expr_fail (error, NULL, FLEET_EXPR_ERROR_TYPE, compare->column,
                                  "'%s' at column %u cannot compare %s with %s",
                                  fleet_expr_op_text (compare->op), compare->column, left_text,
                                  right_text);
        }
      if (compare->op == FLEET_EXPR_OP_NE)
        result = !result;
      break;

    case FLEET_EXPR_OP_LT:
    case FLEET_EXPR_OP_LE:
    case FLEET_EXPR_OP_GT:
    case FLEET_EXPR_OP_GE:
      if (!eval_order (compare, &left, &right, &result, error))
        return FALSE;
      break;

    case FLEET_EXPR_OP_IN:
    case FLEET_EXPR_OP_NOT_IN:
      if (!eval_membership (compare, right_node, &right.value, "right", left_node, &left.value,
                            &result, error))
        return FALSE;
      if (compare->op == FLEET_EXPR_OP_NOT_IN)
        result = !result;
      break;

    case FLEET_EXPR_OP_CONTAINS:
      if (!eval_membership (compare, left_node, &left.value, "left", right_node, &right.value,
                            &result, error))
        return FALSE;
      break;

    case FLEET_EXPR_OP_LIKE:
    case FLEET_EXPR_OP_MATCH:
      if (!eval_match (compare, &left, &right, &result, error))
        return FALSE;
      break;
    }

  *out = result ? TRUTH_TRUE : TRUTH_FALSE;
  return TRUE;
}

/* Evaluate a name used on its own as a condition. */
static gboolean
eval_name (const Evaluation *evaluation, const FleetExprNode *node, Truth *out, GError **error)
{
  FleetValue value;
  gboolean boolean;
  g_autofree char *description = NULL;

  if (!look_up (evaluation, node->name, &value))
    {
      *out = TRUTH_UNKNOWN;
      return TRUE;
    }

  if (fleet_value_to_boolean (&value, &boolean))
    {
      *out = boolean ? TRUTH_TRUE : TRUTH_FALSE;
      return TRUE;
    }

  description = fleet_value_describe (&value);
  return fleet_expr_fail (error, NULL, FLEET_EXPR_ERROR_TYPE, node->column,
                          "%s at column %u is used as a condition, but it is %s, not true or "
                          "false; compare it with a value, as in %s == \"...\"", node->name,
                          node->column, description, node->name);
}

/* Evaluate the `and` or `or` of `node->children`, left to right, stopping at
 * the first operand that decides the result. */
static gboolean
eval_chain (const Evaluation *evaluation, const FleetExprNode *node, Truth *out, GError **error)
{
  Truth deciding = node->kind == FLEET_EXPR_AND ? TRUTH_FALSE : TRUTH_TRUE;
  Truth result = node->kind == FLEET_EXPR_AND ? TRUTH_TRUE : TRUTH_FALSE;

  for (guint i = 0; i < node->n_children; i++)
    {
      Truth operand;

      if (!eval_condition (evaluation, node->children[i], &operand, error))
        return FALSE;
      if (operand == deciding)
        {
          *out = deciding;
          return TRUE;
        }
      if (operand == TRUTH_UNKNOWN)
        result = TRUTH_UNKNOWN;
    }

  *out = result;
  return TRUE;
}

static gboolean
eval_condition (const Evaluation *evaluation, const FleetExprNode *node, Truth *out,
                GError **error)
{
  FleetValue value;
  Truth operand;

  switch (node->kind)
    {
    case FLEET_EXPR_LITERAL:
      g_return_val_if_fail (node->value.type == FLEET_VALUE_BOOLEAN, FALSE);
      *out = node->value.boolean ? TRUTH_TRUE : TRUTH_FALSE;
      return TRUE;

    case FLEET_EXPR_NAME:
      return eval_name (evaluation, node, out, error);

    case FLEET_EXPR_DEFINED:
      *out = evaluation->lookup (node->name, &value, evaluation->user_data)
               ? TRUTH_TRUE : TRUTH_FALSE;
      return TRUE;

    case FLEET_EXPR_NOT:
      if (!eval_condition (evaluation, node->children[0], &operand, error))
        return FALSE;
      *out = operand == TRUTH_UNKNOWN ? TRUTH_UNKNOWN
           : operand == TRUTH_TRUE ? TRUTH_FALSE
           : TRUTH_TRUE;
      return TRUE;

    case FLEET_EXPR_AND:
    case FLEET_EXPR_OR:
      return eval_chain (evaluation, node, out, error);

    case FLEET_EXPR_COMPARE:
      return eval_compare (evaluation, node, out, error);
    }
  g_return_val_if_reached (FALSE);
}

gboolean
fleet_expr_eval_full (const FleetExpr *expr,
                      FleetExprLookup lookup,
                      gpointer user_data,
                      GPtrArray *missing_names,
                      gboolean *out_result,
                      GError **error)
{
  Evaluation evaluation = { lookup, user_data, missing_names };
  Truth truth;

  g_return_val_if_fail (expr != NULL, FALSE);
  g_return_val_if_fail (lookup != NULL, FALSE);
  g_return_val_if_fail (out_result != NULL, FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  if (!eval_condition (&evaluation, expr->root, &truth, error))
    return FALSE;

  *out_result = truth == TRUTH_TRUE;
  return TRUE;
}

gboolean
fleet_expr_eval (const FleetExpr *expr,
                 FleetExprLookup lookup,
                 gpointer user_data,
                 gboolean *out_result,
                 GError **error)
{
  return fleet_expr_eval_full (expr, lookup, user_data, NULL, out_result, error);
}
