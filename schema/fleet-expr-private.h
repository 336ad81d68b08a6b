/* fleet-expr-private.h: tokens, syntax tree and list index shared by the
 * lexer, parser, checks, evaluator and printer of fleet-expr.h.
 *
 * The tree owns everything it points to: node names, literal strings and list
 * items, compiled regular expressions and list indexes.  fleet_expr_node_free
 * releases a node and its children.
 */
#pragma once

#include <glib.h>

#include "schema/fleet-expr.h"

G_BEGIN_DECLS

typedef enum {
  FLEET_TOKEN_END,
  FLEET_TOKEN_STRING,
  FLEET_TOKEN_NUMBER,
  FLEET_TOKEN_NAME,
  FLEET_TOKEN_TRUE,
  FLEET_TOKEN_FALSE,
  FLEET_TOKEN_AND,
  FLEET_TOKEN_OR,
  FLEET_TOKEN_NOT,
  FLEET_TOKEN_IN,
  FLEET_TOKEN_CONTAINS,
  FLEET_TOKEN_LIKE,
  FLEET_TOKEN_DEFINED,
  FLEET_TOKEN_EQ,
  FLEET_TOKEN_NE,
  FLEET_TOKEN_LT,
  FLEET_TOKEN_LE,
  FLEET_TOKEN_GT,
  FLEET_TOKEN_GE,
  FLEET_TOKEN_MATCH,
  FLEET_TOKEN_LPAREN,
  FLEET_TOKEN_RPAREN,
  FLEET_TOKEN_LBRACKET,
  FLEET_TOKEN_RBRACKET,
  FLEET_TOKEN_COMMA,
} FleetTokenKind;

typedef struct {
  FleetTokenKind kind;
  guint column;              /* 1-based, in characters */
  const char *start;         /* the token's text inside the parsed string */
  gsize length;              /* in bytes */
  char *text;                /* STRING: the decoded value; NAME: the name */
  double number;             /* NUMBER */
} FleetToken;

/* Split `text` into tokens ending with one FLEET_TOKEN_END.  Return a GArray
 * of FleetToken that frees each token's `text`, or NULL with `error` set and
 * the error's column stored in `out_error_column`.  `text` must be valid
 * UTF-8 and outlive the tokens. */
GArray *fleet_expr_tokenize (const char *text, guint *out_error_column, GError **error);

/* Return how a message should name `token`: "end of expression", "'=='",
 * "name dc", "string \"dc1\"" (escaped and shortened).  Free with g_free. */
char *fleet_token_describe (const FleetToken *token);

typedef enum {
  FLEET_EXPR_LITERAL,
  FLEET_EXPR_NAME,
  FLEET_EXPR_DEFINED,
  FLEET_EXPR_NOT,
  FLEET_EXPR_AND,
  FLEET_EXPR_OR,
  FLEET_EXPR_COMPARE,
} FleetExprKind;

typedef enum {
  FLEET_EXPR_OP_EQ,
  FLEET_EXPR_OP_NE,
  FLEET_EXPR_OP_LT,
  FLEET_EXPR_OP_LE,
  FLEET_EXPR_OP_GT,
  FLEET_EXPR_OP_GE,
  FLEET_EXPR_OP_IN,
  FLEET_EXPR_OP_NOT_IN,
  FLEET_EXPR_OP_CONTAINS,
  FLEET_EXPR_OP_LIKE,
  FLEET_EXPR_OP_MATCH,
} FleetExprOp;

/* Return the operator as written, e.g. "==" or "not in". */
const char *fleet_expr_op_text (FleetExprOp op);

typedef struct FleetExprSet FleetExprSet;
typedef struct FleetExprNode FleetExprNode;

struct FleetExprNode {
  FleetExprKind kind;
  guint column;              /* where the node's first token, or its operator, starts */
  FleetExprOp op;            /* COMPARE */
  char *name;                /* NAME, DEFINED */
  FleetValue value;          /* LITERAL; its strings and items belong to the node */
  FleetExprSet *set;         /* LITERAL lists: index for membership tests */
  GRegex *regex;             /* COMPARE with MATCH: the compiled right side */
  FleetExprNode **children;  /* NOT: 1, COMPARE: 2 (left, right), AND and OR: 2 or more */
  guint n_children;
};

struct FleetExpr {
  FleetExprNode *root;
};

void fleet_expr_node_free (FleetExprNode *node);

/* Set `error` to a FLEET_EXPR_ERROR with `code` and store `column` in
 * `out_column` when it is not NULL.  Return FALSE so that callers can write
 * `return fleet_expr_fail (...)`. */
gboolean fleet_expr_fail (GError **error,
                          guint *out_column,
                          FleetExprError code,
                          guint column,
                          const char *format,
                          ...) G_GNUC_PRINTF (5, 6);

/* Check the operands of `compare` whose type is known before evaluation
 * against its operator, and compile the pattern of `like` and `=~` into
 * `compare`.  Return FALSE with `error` set and the column stored in
 * `out_error_column` when a check fails. */
gboolean fleet_expr_check_comparison (FleetExprNode *compare, guint *out_error_column,
                                      GError **error);

/* Build the membership index of `list`, a literal list whose items all have
 * one type.  The index borrows the strings of `list`. */
FleetExprSet *fleet_expr_set_new (const FleetValue *list);
void fleet_expr_set_free (FleetExprSet *set);

/* Store in `out_found` whether `value` equals an item of the indexed list
 * under fleet_value_equal.  Return FALSE when `value` cannot be compared with
 * some item, as a scan with fleet_value_equal would. */
gboolean fleet_expr_set_contains (const FleetExprSet *set, const FleetValue *value,
                                  gboolean *out_found);

G_END_DECLS
