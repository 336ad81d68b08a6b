/* fleet-expr.c: ownership, canonical text and names of parsed expressions.
 * Parsing is in fleet-expr-parser.c, evaluation in fleet-expr-eval.c. */
#include "schema/fleet-expr-private.h"

#include <string.h>

G_DEFINE_QUARK (fleet-expr-error-quark, fleet_expr_error)

gboolean
fleet_expr_fail (GError **error,
                 guint *out_column,
                 FleetExprError code,
                 guint column,
                 const char *format,
                 ...)
{
  g_autofree char *message = NULL;
  va_list args;

  if (out_column != NULL)
    *out_column = column;

  va_start (args, format);
  message = g_strdup_vprintf (format, args);
  va_end (args);

  g_set_error_literal (error, FLEET_EXPR_ERROR, code, message);
  return FALSE;
}

const char *
fleet_expr_op_text (FleetExprOp op)
{
  static const char *const texts[] = {
    [FLEET_EXPR_OP_EQ] = "==",
    [FLEET_EXPR_OP_NE] = "!=",
    [FLEET_EXPR_OP_LT] = "<",
    [FLEET_EXPR_OP_LE] = "<=",
    [FLEET_EXPR_OP_GT] = ">",
    [FLEET_EXPR_OP_GE] = ">=",
    [FLEET_EXPR_OP_IN] = "in",
    [FLEET_EXPR_OP_NOT_IN] = "not in",
    [FLEET_EXPR_OP_CONTAINS] = "contains",
    [FLEET_EXPR_OP_LIKE] = "like",
    [FLEET_EXPR_OP_MATCH] = "=~",
  };

  g_return_val_if_fail ((guint) op < G_N_ELEMENTS (texts), "?");
  return texts[op];
}

static void
literal_clear (FleetValue *value)
{
  if (value->type == FLEET_VALUE_STRING)
    g_free ((char *) value->string);

  if (value->type == FLEET_VALUE_LIST)
    {
      for (gsize i = 0; i < value->list.length; i++)
        literal_clear ((FleetValue *) &value->list.items[i]);
      g_free ((FleetValue *) value->list.items);
    }
}

void
fleet_expr_node_free (FleetExprNode *node)
{
  if (node == NULL)
    return;

  for (guint i = 0; i < node->n_children; i++)
    fleet_expr_node_free (node->children[i]);
  g_free (node->children);

  if (node->kind == FLEET_EXPR_LITERAL)
    literal_clear (&node->value);
  fleet_expr_set_free (node->set);
  g_clear_pointer (&node->regex, g_regex_unref);
  g_free (node->name);
  g_free (node);
}

void
fleet_expr_free (FleetExpr *expr)
{
  if (expr == NULL)
    return;

  fleet_expr_node_free (expr->root);
  g_free (expr);
}

static void append_node (GString *out, const FleetExprNode *node);

static gboolean
is_condition (const FleetExprNode *node)
{
  return node->kind == FLEET_EXPR_NOT || node->kind == FLEET_EXPR_AND
         || node->kind == FLEET_EXPR_OR || node->kind == FLEET_EXPR_COMPARE;
}

static void
append_parenthesized (GString *out, const FleetExprNode *node, gboolean parenthesize)
{
  if (parenthesize)
    g_string_append_c (out, '(');
  append_node (out, node);
  if (parenthesize)
    g_string_append_c (out, ')');
}

static void
append_node (GString *out, const FleetExprNode *node)
{
  switch (node->kind)
    {
    case FLEET_EXPR_LITERAL:
      fleet_value_append_literal (out, &node->value);
      return;

    case FLEET_EXPR_NAME:
      g_string_append (out, node->name);
      return;

    case FLEET_EXPR_DEFINED:
      g_string_append_printf (out, "defined(%s)", node->name);
      return;

    case FLEET_EXPR_NOT:
      /* A comparison after `not` gets parentheses although the grammar does
       * not need them: `not (a == b)` cannot be misread as `(not a) == b`. */
      g_string_append (out, "not ");
      append_parenthesized (out, node->children[0],
                            is_condition (node->children[0])
                            && node->children[0]->kind != FLEET_EXPR_NOT);
      return;

    case FLEET_EXPR_AND:
    case FLEET_EXPR_OR:
      for (guint i = 0; i < node->n_children; i++)
        {
          if (i > 0)
            g_string_append (out, node->kind == FLEET_EXPR_AND ? " and " : " or ");
          append_parenthesized (out, node->children[i], node->children[i]->kind == FLEET_EXPR_OR);
        }
      return;

    case FLEET_EXPR_COMPARE:
      append_parenthesized (out, node->children[0], is_condition (node->children[0]));
      g_string_append_printf (out, " %s ", fleet_expr_op_text (node->op));
      append_parenthesized (out, node->children[1], is_condition (node->children[1]));
      return;
    }
  g_return_if_reached ();
}

char *
fleet_expr_to_string (const FleetExpr *expr)
{
  GString *out = g_string_new (NULL);

  g_return_val_if_fail (expr != NULL, g_string_free (out, FALSE));

  append_node (out, expr->root);
  return g_string_free (out, FALSE);
}

/* `seen` contains the strings of `out`, borrowed, so that long expressions
 * do not cost a scan of `out` per name. */
static void
collect_node_names (const FleetExprNode *node, GPtrArray *out, GHashTable *seen)
{
  if (node->name != NULL && !g_hash_table_contains (seen, node->name))
    {
      char *copy = g_strdup (node->name);

      g_ptr_array_add (out, copy);
      g_hash_table_add (seen, copy);
    }

  for (guint i = 0; i < node->n_children; i++)
    collect_node_names (node->children[i], out, seen);
}

void
fleet_expr_collect_names (const FleetExpr *expr, GPtrArray *out)
{
  g_autoptr(GHashTable) seen = g_hash_table_new (g_str_hash, g_str_equal);

  g_return_if_fail (expr != NULL);
  g_return_if_fail (out != NULL);

  for (guint i = 0; i < out->len; i++)
    g_hash_table_add (seen, out->pdata[i]);
  collect_node_names (expr->root, out, seen);
}

void
fleet_expr_group_use_free (FleetExprGroupUse *use)
{
  g_free (use->group);
  g_free (use);
}

static gboolean
is_groups_name (const FleetExprNode *node)
{
  return node->kind == FLEET_EXPR_NAME && g_strcmp0 (node->name, "groups") == 0;
}

static gboolean
is_string_literal (const FleetExprNode *node)
{
  return node->kind == FLEET_EXPR_LITERAL && node->value.type == FLEET_VALUE_STRING;
}

static void
collect_node_group_uses (const FleetExprNode *node, GPtrArray *out)
{
  const FleetExprNode *literal = NULL;

  if (node->kind == FLEET_EXPR_COMPARE && node->op == FLEET_EXPR_OP_CONTAINS
      && is_groups_name (node->children[0]) && is_string_literal (node->children[1]))
    literal = node->children[1];
  else if (node->kind == FLEET_EXPR_COMPARE
           && (node->op == FLEET_EXPR_OP_IN || node->op == FLEET_EXPR_OP_NOT_IN)
           && is_groups_name (node->children[1]) && is_string_literal (node->children[0]))
    literal = node->children[0];

  if (literal != NULL)
    {
      FleetExprGroupUse *use = g_new0 (FleetExprGroupUse, 1);

      use->group = g_strdup (literal->value.string);
      use->column = literal->column;
      g_ptr_array_add (out, use);
    }

  for (guint i = 0; i < node->n_children; i++)
    collect_node_group_uses (node->children[i], out);
}

void
fleet_expr_collect_group_uses (const FleetExpr *expr, GPtrArray *out)
{
  g_return_if_fail (expr != NULL);
  g_return_if_fail (out != NULL);

  collect_node_group_uses (expr->root, out);
}
