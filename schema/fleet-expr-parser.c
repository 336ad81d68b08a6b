/* fleet-expr-parser.c: recursive-descent parser from tokens to the syntax
 * tree of fleet-expr-private.h.
 *
 * Grammar, lowest precedence first:
 *
 *   expression = or
 *   or         = and { "or" and }
 *   and        = not { "and" not }
 *   not        = "not" not | comparison
 *   comparison = operand [ operator operand ]
 *   operator   = "==" | "!=" | "<" | "<=" | ">" | ">=" | "=~"
 *              | "in" | "not" "in" | "contains" | "like"
 *   operand    = STRING | NUMBER | "true" | "false" | list | NAME
 *              | "defined" "(" NAME ")" | "(" or ")"
 *   list       = "[" [ literal { "," literal } [ "," ] ] "]"
 *   literal    = STRING | NUMBER | "true" | "false"
 *
 * So `not` binds looser than a comparison, as in Python and SQL:
 * `not dc == "dc1"` is `not (dc == "dc1")`.  Further rules:
 * - A string, number or list cannot stand where a condition is expected.
 * - Comparisons do not chain: `a < b < c` is an error.
 * - `like` and `=~` take a string literal, compiled once by
 *   fleet_expr_check_comparison (fleet-expr-check.c), which also checks the
 *   operands whose type is known before evaluation.
 * - The items of a list literal all have one type.
 * - Nested `and` or `or` of the same kind are flattened into one node.
 */
#include "schema/fleet-expr-private.h"

#include <string.h>

typedef struct {
  const FleetToken *tokens;
  guint n_tokens;
  guint pos;
  guint depth;
  guint bare_operand_end;        /* index of the token after the last operand
                                    that had no comparison operator */
  guint *out_error_column;
  GError **error;
} Parser;

G_DEFINE_AUTOPTR_CLEANUP_FUNC (FleetExprNode, fleet_expr_node_free)

static FleetExprNode *parse_or (Parser *parser, const FleetToken *after);

static const FleetToken *
peek (const Parser *parser)
{
  return &parser->tokens[parser->pos];
}

static const FleetToken *
peek_second (const Parser *parser)
{
  guint index = MIN (parser->pos + 1, parser->n_tokens - 1);

  return &parser->tokens[index];
}

/* Consume the current token and return it; END is never consumed. */
static const FleetToken *
next (Parser *parser)
{
  const FleetToken *token = peek (parser);

  if (token->kind != FLEET_TOKEN_END)
    parser->pos++;
  return token;
}

static FleetExprNode *
node_new (FleetExprKind kind, guint column, guint n_children)
{
  FleetExprNode *node = g_new0 (FleetExprNode, 1);

  node->kind = kind;
  node->column = column;
  node->n_children = n_children;
  if (n_children > 0)
    node->children = g_new0 (FleetExprNode *, n_children);
  return node;
}

static gboolean
enter_nesting (Parser *parser, const FleetToken *token)
{
  if (parser->depth == FLEET_EXPR_MAX_DEPTH)
    return fleet_expr_fail (parser->error, parser->out_error_column, FLEET_EXPR_ERROR_LIMIT,
                            token->column,
                            "the expression nests parentheses and 'not' deeper than %u levels at "
                            "column %u; simplify it", FLEET_EXPR_MAX_DEPTH, token->column);
  parser->depth++;
  return TRUE;
}

/* Fail with "expected WHAT at column N[ CONTEXT], found TOKEN[; HINT]". */
static gboolean
fail_expected (Parser *parser, const char *what, const FleetToken *found, const char *context,
               const char *hint)
{
  g_autofree char *found_text = fleet_token_describe (found);

  return fleet_expr_fail (parser->error, parser->out_error_column, FLEET_EXPR_ERROR_SYNTAX,
                          found->column, "expected %s at column %u%s%s, found %s%s%s", what,
                          found->column, context != NULL ? " " : "", context != NULL ? context : "",
                          found_text, hint != NULL ? "; " : "", hint != NULL ? hint : "");
}

static gboolean
fail_expected_after (Parser *parser, const char *what, const FleetToken *after,
                     const FleetToken *found)
{
  g_autofree char *after_text = NULL;
  g_autofree char *expected = NULL;

  if (after == NULL)
    return fail_expected (parser, what, found, NULL, NULL);

  after_text = fleet_token_describe (after);
  expected = g_strdup_printf ("%s after %s", what, after_text);
  return fail_expected (parser, expected, found, NULL, NULL);
}

static gboolean
check_condition (Parser *parser, const FleetExprNode *node)
{
  g_autofree char *found = NULL;

  if (node->kind != FLEET_EXPR_LITERAL || node->value.type == FLEET_VALUE_BOOLEAN)
    return TRUE;

  found = fleet_value_describe (&node->value);
  return fleet_expr_fail (parser->error, parser->out_error_column, FLEET_EXPR_ERROR_SYNTAX,
                          node->column, "expected a condition at column %u, found %s; compare "
                          "it with a name, as in dc == \"dc1\"", node->column, found);
}

static void
literal_from_token (const FleetToken *token, FleetValue *out)
{
  switch (token->kind)
    {
    case FLEET_TOKEN_STRING:
      *out = fleet_value_string (g_strdup (token->text));
      return;
    case FLEET_TOKEN_NUMBER:
      *out = fleet_value_number (token->number);
      return;
    case FLEET_TOKEN_TRUE:
    case FLEET_TOKEN_FALSE:
      *out = fleet_value_boolean (token->kind == FLEET_TOKEN_TRUE);
      return;
    default:
      g_return_if_reached ();
    }
}

static gboolean
token_is_literal (const FleetToken *token)
{
  return token->kind == FLEET_TOKEN_STRING || token->kind == FLEET_TOKEN_NUMBER
         || token->kind == FLEET_TOKEN_TRUE || token->kind == FLEET_TOKEN_FALSE;
}

static const char *
value_type_name (FleetValueType type)
{
  switch (type)
    {
    case FLEET_VALUE_STRING:
      return "a string";
    case FLEET_VALUE_NUMBER:
      return "a number";
    case FLEET_VALUE_BOOLEAN:
      return "a boolean";
    case FLEET_VALUE_LIST:
      return "a list";
    }
  g_return_val_if_reached ("a value");
}

static void
list_item_clear (gpointer data)
{
  FleetValue *item = data;

  if (item->type == FLEET_VALUE_STRING)
    g_free ((char *) item->string);
}

/* Parse a list literal; the current token is its "[". */
static FleetExprNode *
parse_list (Parser *parser)
{
  const FleetToken *open = next (parser);
  g_autoptr(GArray) items = g_array_new (FALSE, TRUE, sizeof (FleetValue));
  FleetValueType first_type = FLEET_VALUE_STRING;
  FleetValue *stolen;
  gsize n_items;
  FleetExprNode *node;

  g_array_set_clear_func (items, list_item_clear);

  while (peek (parser)->kind != FLEET_TOKEN_RBRACKET)
    {
      const FleetToken *item = peek (parser);
      const FleetToken *separator;
      FleetValue value;

      if (!token_is_literal (item))
        {
          g_autofree char *context = g_strdup_printf ("in the list that starts at column %u",
                                                      open->column);

          fail_expected (parser, "a string, number or boolean", item, context,
                         item->kind == FLEET_TOKEN_NAME
                           ? "list items are literal values, not names" : NULL);
          return NULL;
        }

      if (items->len == FLEET_EXPR_MAX_LIST_ITEMS)
        {
          fleet_expr_fail (parser->error, parser->out_error_column, FLEET_EXPR_ERROR_LIMIT,
                           item->column, "the list that starts at column %u has more than %u "
                           "items; the next one is at column %u", open->column,
                           FLEET_EXPR_MAX_LIST_ITEMS, item->column);
          return NULL;
        }

      next (parser);
      literal_from_token (item, &value);
      g_array_append_val (items, value);

      if (items->len == 1)
        first_type = value.type;
      else if (value.type != first_type)
        {
          fleet_expr_fail (parser->error, parser->out_error_column, FLEET_EXPR_ERROR_SYNTAX,
                           item->column, "the list item at column %u is %s, but the list that "
                           "starts at column %u begins with %s; the items of a list must have "
                           "one type", item->column, value_type_name (value.type), open->column,
                           value_type_name (first_type));
          return NULL;
        }

      separator = peek (parser);
      if (separator->kind == FLEET_TOKEN_COMMA)
        next (parser);
      else if (separator->kind != FLEET_TOKEN_RBRACKET)
        {
          g_autofree char *context = g_strdup_printf ("in the list that starts at column %u",
                                                      open->column);

          fail_expected (parser, "',' or ']'", separator, context, NULL);
          return NULL;
        }
    }
  next (parser);

  /* g_array_steal hands over the items without running the clear function,
   * so the node takes ownership of their strings. */
  stolen = g_array_steal (items, &n_items);
  if (n_items == 0)
    g_clear_pointer (&stolen, g_free);

  node = node_new (FLEET_EXPR_LITERAL, open->column, 0);
  node->value = fleet_value_list (stolen, n_items);
  node->set = fleet_expr_set_new (&node->value);
  return node;
}

/* Parse defined(NAME); the current token is "defined". */
static FleetExprNode *
parse_defined (Parser *parser)
{
  const FleetToken *keyword = next (parser);
  const FleetToken *name;
  FleetExprNode *node;

  if (peek (parser)->kind != FLEET_TOKEN_LPAREN)
    {
      fail_expected (parser, "'(' after 'defined'", peek (parser), NULL, NULL);
      return NULL;
    }
  next (parser);

  name = peek (parser);
  if (name->kind != FLEET_TOKEN_NAME)
    {
      fail_expected (parser, "a name inside defined()", name, NULL, NULL);
      return NULL;
    }
  next (parser);

  if (peek (parser)->kind != FLEET_TOKEN_RPAREN)
    {
      fail_expected (parser, "')' to close defined(", peek (parser), NULL, NULL);
      return NULL;
    }
  next (parser);

  node = node_new (FLEET_EXPR_DEFINED, keyword->column, 0);
  node->name = g_strdup (name->text);
  return node;
}

static FleetExprNode *
parse_parenthesized (Parser *parser)
{
  const FleetToken *open = next (parser);
  g_autoptr(FleetExprNode) inner = NULL;

  if (!enter_nesting (parser, open))
    return NULL;

  inner = parse_or (parser, open);
  if (inner == NULL)
    return NULL;

  if (peek (parser)->kind != FLEET_TOKEN_RPAREN)
    {
      g_autofree char *context = g_strdup_printf ("to close the '(' at column %u", open->column);

      fail_expected (parser, parser->pos == parser->bare_operand_end
                               ? "an operator, 'and', 'or' or ')'" : "'and', 'or' or ')'",
                     peek (parser), context, NULL);
      return NULL;
    }
  next (parser);

  parser->depth--;
  return g_steal_pointer (&inner);
}

/* Parse one operand; `what` names it for messages ("a condition" or "a
 * value") and `after` is the token before it, NULL at the start. */
static FleetExprNode *
parse_operand (Parser *parser, const char *what, const FleetToken *after)
{
  const FleetToken *token = peek (parser);
  FleetExprNode *node;

  switch (token->kind)
    {
    case FLEET_TOKEN_STRING:
    case FLEET_TOKEN_NUMBER:
    case FLEET_TOKEN_TRUE:
    case FLEET_TOKEN_FALSE:
      next (parser);
      node = node_new (FLEET_EXPR_LITERAL, token->column, 0);
      literal_from_token (token, &node->value);
      return node;

    case FLEET_TOKEN_NAME:
      next (parser);
      node = node_new (FLEET_EXPR_NAME, token->column, 0);
      node->name = g_strdup (token->text);
      return node;

    case FLEET_TOKEN_LBRACKET:
      return parse_list (parser);

    case FLEET_TOKEN_DEFINED:
      return parse_defined (parser);

    case FLEET_TOKEN_LPAREN:
      return parse_parenthesized (parser);

    default:
      fail_expected_after (parser, what, after, token);
      return NULL;
    }
}

/* If the current tokens are a comparison operator, consume them, store the
 * operator and return TRUE.  Return FALSE otherwise; `error` is set when the
 * tokens are "not" without "in". */
static gboolean
take_operator (Parser *parser, FleetExprOp *out_op)
{
  static const struct {
    FleetTokenKind token;
    FleetExprOp op;
  } table[] = {
    { FLEET_TOKEN_EQ, FLEET_EXPR_OP_EQ },
    { FLEET_TOKEN_NE, FLEET_EXPR_OP_NE },
    { FLEET_TOKEN_LT, FLEET_EXPR_OP_LT },
    { FLEET_TOKEN_LE, FLEET_EXPR_OP_LE },
    { FLEET_TOKEN_GT, FLEET_EXPR_OP_GT },
    { FLEET_TOKEN_GE, FLEET_EXPR_OP_GE },
    { FLEET_TOKEN_MATCH, FLEET_EXPR_OP_MATCH },
    { FLEET_TOKEN_IN, FLEET_EXPR_OP_IN },
    { FLEET_TOKEN_CONTAINS, FLEET_EXPR_OP_CONTAINS },
    { FLEET_TOKEN_LIKE, FLEET_EXPR_OP_LIKE },
  };
  FleetTokenKind kind = peek (parser)->kind;

  if (kind == FLEET_TOKEN_NOT)
    {
      if (peek_second (parser)->kind != FLEET_TOKEN_IN)
        {
          fail_expected (parser, "'in' after 'not'", peek_second (parser), NULL,
                         "to negate a comparison, put 'not' before it, as in "
                         "not (NAME like \"PATTERN\")");
          return FALSE;
        }
      next (parser);
      next (parser);
      *out_op = FLEET_EXPR_OP_NOT_IN;
      return TRUE;
    }

  for (guint i = 0; i < G_N_ELEMENTS (table); i++)
    {
      if (table[i].token == kind)
        {
          next (parser);
          *out_op = table[i].op;
          return TRUE;
        }
    }
  return FALSE;
}

static gboolean
at_operator (const Parser *parser)
{
  switch (peek (parser)->kind)
    {
    case FLEET_TOKEN_EQ:
    case FLEET_TOKEN_NE:
    case FLEET_TOKEN_LT:
    case FLEET_TOKEN_LE:
    case FLEET_TOKEN_GT:
    case FLEET_TOKEN_GE:
    case FLEET_TOKEN_MATCH:
    case FLEET_TOKEN_IN:
    case FLEET_TOKEN_CONTAINS:
    case FLEET_TOKEN_LIKE:
      return TRUE;
    case FLEET_TOKEN_NOT:
      return peek_second (parser)->kind == FLEET_TOKEN_IN;
    default:
      return FALSE;
    }
}

/* Parse the pattern string after `like` or `=~`; fleet_expr_check_comparison
 * compiles it once the comparison node exists. */
static FleetExprNode *
parse_pattern (Parser *parser, FleetExprOp op)
{
  const FleetToken *token = peek (parser);
  g_autoptr(FleetExprNode) node = NULL;

  if (token->kind != FLEET_TOKEN_STRING)
    {
      g_autofree char *what = g_strdup_printf ("a pattern string after '%s'", fleet_expr_op_text (op));

      fail_expected (parser, what, token, NULL, NULL);
      return NULL;
    }
  next (parser);

  node = node_new (FLEET_EXPR_LITERAL, token->column, 0);
  literal_from_token (token, &node->value);
  return g_steal_pointer (&node);
}

static FleetExprNode *
parse_comparison (Parser *parser, const FleetToken *after)
{
  g_autoptr(FleetExprNode) left = parse_operand (parser, "a condition", after);
  g_autoptr(FleetExprNode) node = NULL;
  const FleetToken *op_token;
  FleetExprNode *right;
  FleetExprOp op;

  if (left == NULL)
    return NULL;

  op_token = peek (parser);
  if (!take_operator (parser, &op))
    {
      if (*parser->error != NULL)
        return NULL;
      parser->bare_operand_end = parser->pos;
      return g_steal_pointer (&left);
    }

  if (op == FLEET_EXPR_OP_LIKE || op == FLEET_EXPR_OP_MATCH)
    right = parse_pattern (parser, op);
  else
    right = parse_operand (parser, "a value", op_token);
  if (right == NULL)
    return NULL;

  node = node_new (FLEET_EXPR_COMPARE, op_token->column, 2);
  node->op = op;
  node->children[0] = g_steal_pointer (&left);
  node->children[1] = right;

  if (!fleet_expr_check_comparison (node, parser->out_error_column, parser->error))
    return NULL;

  if (at_operator (parser))
    {
      const FleetToken *second = peek (parser);
      g_autofree char *second_text = fleet_token_describe (second);

      fleet_expr_fail (parser->error, parser->out_error_column, FLEET_EXPR_ERROR_SYNTAX,
                       second->column, "comparisons cannot be chained: found %s at column %u "
                       "after the comparison at column %u; join two comparisons with 'and'",
                       second_text, second->column, op_token->column);
      return NULL;
    }

  return g_steal_pointer (&node);
}

static FleetExprNode *
parse_not (Parser *parser, const FleetToken *after)
{
  const FleetToken *not_token = peek (parser);
  g_autoptr(FleetExprNode) operand = NULL;
  FleetExprNode *node;

  if (not_token->kind != FLEET_TOKEN_NOT)
    return parse_comparison (parser, after);

  next (parser);
  if (!enter_nesting (parser, not_token))
    return NULL;

  operand = parse_not (parser, not_token);
  if (operand == NULL || !check_condition (parser, operand))
    return NULL;
  parser->depth--;

  node = node_new (FLEET_EXPR_NOT, not_token->column, 1);
  node->children[0] = g_steal_pointer (&operand);
  return node;
}

typedef FleetExprNode *(*ParseLevel) (Parser *parser, const FleetToken *after);

/* Append `operand` to `operands`, or its children when it is a node of the
 * same `kind`, so that `a or (b or c)` becomes one three-way `or`. */
static void
add_flattened (GPtrArray *operands, FleetExprNode *operand, FleetExprKind kind)
{
  if (operand->kind != kind)
    {
      g_ptr_array_add (operands, operand);
      return;
    }

  for (guint i = 0; i < operand->n_children; i++)
    g_ptr_array_add (operands, operand->children[i]);
  operand->n_children = 0;
  fleet_expr_node_free (operand);
}

/* Parse `operand { joiner operand }` into one node of `kind`. */
static FleetExprNode *
parse_chain (Parser *parser, FleetTokenKind joiner, FleetExprKind kind, ParseLevel parse_level,
             const FleetToken *after)
{
  g_autoptr(FleetExprNode) first = parse_level (parser, after);
  g_autoptr(GPtrArray) operands = NULL;
  FleetExprNode *node;
  guint column;

  if (first == NULL || peek (parser)->kind != joiner)
    return g_steal_pointer (&first);

  column = peek (parser)->column;
  operands = g_ptr_array_new_with_free_func ((GDestroyNotify) fleet_expr_node_free);
  add_flattened (operands, g_steal_pointer (&first), kind);

  while (peek (parser)->kind == joiner)
    {
      const FleetToken *joiner_token = next (parser);
      FleetExprNode *operand = parse_level (parser, joiner_token);

      if (operand == NULL)
        return NULL;
      add_flattened (operands, operand, kind);
    }

  for (guint i = 0; i < operands->len; i++)
    if (!check_condition (parser, operands->pdata[i]))
      return NULL;

  node = node_new (kind, column, 0);
  node->n_children = operands->len;
  node->children = (FleetExprNode **) g_ptr_array_steal (operands, NULL);
  return node;
}

static FleetExprNode *
parse_and (Parser *parser, const FleetToken *after)
{
  return parse_chain (parser, FLEET_TOKEN_AND, FLEET_EXPR_AND, parse_not, after);
}

static FleetExprNode *
parse_or (Parser *parser, const FleetToken *after)
{
  return parse_chain (parser, FLEET_TOKEN_OR, FLEET_EXPR_OR, parse_and, after);
}

static FleetExprNode *
parse_tokens (Parser *parser)
{
  g_autoptr(FleetExprNode) root = NULL;
  const FleetToken *rest;

  if (peek (parser)->kind == FLEET_TOKEN_END)
    {
      fleet_expr_fail (parser->error, parser->out_error_column, FLEET_EXPR_ERROR_SYNTAX, 1,
                       "the expression is empty at column 1; write a condition such as "
                       "dc == \"dc1\"");
      return NULL;
    }

  root = parse_or (parser, NULL);
  if (root == NULL)
    return NULL;

  rest = peek (parser);
  if (rest->kind == FLEET_TOKEN_RPAREN)
    {
      fleet_expr_fail (parser->error, parser->out_error_column, FLEET_EXPR_ERROR_SYNTAX,
                       rest->column, "unmatched ')' at column %u", rest->column);
      return NULL;
    }
  if (rest->kind != FLEET_TOKEN_END)
    {
      fail_expected (parser, parser->pos == parser->bare_operand_end
                               ? "an operator, 'and', 'or' or end of expression"
                               : "'and', 'or' or end of expression", rest, NULL, NULL);
      return NULL;
    }

  if (!check_condition (parser, root))
    return NULL;
  return g_steal_pointer (&root);
}

FleetExpr *
fleet_expr_parse_full (const char *text, guint *out_error_column, GError **error)
{
  gsize length;
  const char *valid_end;
  g_autoptr(GArray) tokens = NULL;
  g_autoptr(GError) local_error = NULL;
  Parser parser = { 0 };
  FleetExprNode *root;
  FleetExpr *expr;

  g_return_val_if_fail (text != NULL, NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  length = strlen (text);
  if (length > FLEET_EXPR_MAX_LENGTH)
    {
      fleet_expr_fail (error, out_error_column, FLEET_EXPR_ERROR_LIMIT, 1,
                       "the expression is %" G_GSIZE_FORMAT " bytes long at column 1; the "
                       "maximum is %u", length, FLEET_EXPR_MAX_LENGTH);
      return NULL;
    }

  if (!g_utf8_validate (text, length, &valid_end))
    {
      guint column = (guint) g_utf8_strlen (text, valid_end - text) + 1;

      fleet_expr_fail (error, out_error_column, FLEET_EXPR_ERROR_SYNTAX, column,
                       "the expression is not valid UTF-8 at column %u", column);
      return NULL;
    }

  tokens = fleet_expr_tokenize (text, out_error_column, error);
  if (tokens == NULL)
    return NULL;

  parser.tokens = (const FleetToken *) tokens->data;
  parser.n_tokens = tokens->len;
  parser.bare_operand_end = G_MAXUINT;
  parser.out_error_column = out_error_column;
  /* The parser tests its own error to tell a failed match from no match,
   * so it needs one even when the caller passes NULL. */
  parser.error = &local_error;

  root = parse_tokens (&parser);
  if (root == NULL)
    {
      g_propagate_error (error, g_steal_pointer (&local_error));
      return NULL;
    }

  expr = g_new0 (FleetExpr, 1);
  expr->root = root;
  return expr;
}

FleetExpr *
fleet_expr_parse (const char *text, GError **error)
{
  return fleet_expr_parse_full (text, NULL, error);
}
