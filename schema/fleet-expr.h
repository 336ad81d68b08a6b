/* fleet-expr.h: the expression language of host selectors and step
 * conditions.
 *
 * An expression such as `dc == "dc1" and groups contains "web"` is parsed
 * once into a FleetExpr, then evaluated any number of times against the
 * attributes of one host, which a lookup callback supplies.  docs/selectors.md
 * describes the language for users; the grammar is at the top of
 * fleet-expr-parser.c and the comparison rules in fleet-value.h.
 *
 * A name that the lookup does not find makes every comparison that uses it
 * unknown instead of true or false.  `not` keeps an unknown unknown, `and` and
 * `or` follow three-valued (Kleene) logic, and an expression that ends up
 * unknown evaluates to FALSE.  So a missing attribute never selects a host,
 * whether the expression uses `==`, `!=`, `not in` or `not (...)`.
 *
 * A FleetExpr is immutable after parsing: it owns its text, compiled regular
 * expressions and list indexes, and may be evaluated from several threads at
 * once.
 */
#pragma once

#include <glib.h>

#include "schema/fleet-value.h"

G_BEGIN_DECLS

#define FLEET_EXPR_ERROR (fleet_expr_error_quark ())

typedef enum {
  FLEET_EXPR_ERROR_SYNTAX,   /* the text is not a valid expression */
  FLEET_EXPR_ERROR_LIMIT,    /* too long, nested too deep, or a list too long */
  FLEET_EXPR_ERROR_PATTERN,  /* an invalid regular expression or glob pattern, or a regular
                                expression that hit its backtracking limit on a value */
  FLEET_EXPR_ERROR_TYPE,     /* an operator applied to values it cannot compare */
} FleetExprError;

GQuark fleet_expr_error_quark (void);

/* Maximum length of an expression, in bytes. */
#define FLEET_EXPR_MAX_LENGTH 65536
/* Maximum nesting of parentheses and `not`. */
#define FLEET_EXPR_MAX_DEPTH 64
/* Maximum number of items in one list literal. */
#define FLEET_EXPR_MAX_LIST_ITEMS 10000

typedef struct FleetExpr FleetExpr;

/* Fill `out` with the value of `name` and return TRUE, or return FALSE when
 * the name is not defined.  `out` may point to memory that `user_data` owns;
 * it must stay valid until the fleet_expr_eval call returns. */
typedef gboolean (*FleetExprLookup) (const char *name, FleetValue *out, gpointer user_data);

/* Parse `text` (NUL-terminated UTF-8).  Return a new expression, or NULL with
 * `error` set in the FLEET_EXPR_ERROR domain.  Every message names the
 * 1-based column of the problem, counted in characters from the start of
 * `text`, and the offending token or character where there is one. */
FleetExpr *fleet_expr_parse (const char *text, GError **error);

/* Parse `text` as fleet_expr_parse does.  On failure, also store the column
 * that the message names in `out_error_column`, so that a caller can map it
 * to a position in a file. */
FleetExpr *fleet_expr_parse_full (const char *text, guint *out_error_column, GError **error);

void fleet_expr_free (FleetExpr *expr);

/* Evaluate `expr`, calling `lookup` for each name it needs, and store in
 * `out_result` whether it is true (an unknown result is FALSE).  `and` and
 * `or` stop at the first operand that decides them.
 *
 * Return FALSE with FLEET_EXPR_ERROR_TYPE when an operator meets values it
 * cannot compare, or FLEET_EXPR_ERROR_PATTERN when a regular expression hits
 * its backtracking limit.  The message names the operator's column, the
 * name and its value. */
gboolean fleet_expr_eval (const FleetExpr *expr,
                          FleetExprLookup lookup,
                          gpointer user_data,
                          gboolean *out_result,
                          GError **error);

/* Same as fleet_expr_eval, and when `missing_names` is not NULL append a copy
 * of each name that the evaluation looked up and did not find, once each and
 * only if not already in the array.  Names that appear only in defined(...)
 * are not reported.  Create the array with g_ptr_array_new_with_free_func
 * (g_free). */
gboolean fleet_expr_eval_full (const FleetExpr *expr,
                               FleetExprLookup lookup,
                               gpointer user_data,
                               GPtrArray *missing_names,
                               gboolean *out_result,
                               GError **error);

/* Return the canonical text of `expr`.  It has single spaces around
 * operators, strings in double quotes with only \" \\ \n \t escaped, and
 * numbers in their shortest exact decimal form.  `and` and `or` chains are
 * flattened, and parentheses appear only where precedence needs them and
 * around a comparison that follows `not`.  Parsing the result gives an
 * expression with the same text.  Free with g_free. */
char *fleet_expr_to_string (const FleetExpr *expr);

/* Append a copy of each name `expr` uses (including inside defined(...)) in
 * order of first use, skipping names already in `out`.  Create `out` with
 * g_ptr_array_new_with_free_func (g_free). */
void fleet_expr_collect_names (const FleetExpr *expr, GPtrArray *out);

/* A group name that an expression tests membership of. */
typedef struct {
  char *group;
  guint column;              /* 1-based character column of the string literal */
} FleetExprGroupUse;

void fleet_expr_group_use_free (FleetExprGroupUse *use);

/* Append to `out` (FleetExprGroupUse *, created with
 * g_ptr_array_new_with_free_func (fleet_expr_group_use_free)) each string
 * that `expr` tests membership of `groups` with: `groups contains "web"`,
 * `"web" in groups` and `"web" not in groups`, in order of use. */
void fleet_expr_collect_group_uses (const FleetExpr *expr, GPtrArray *out);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (FleetExpr, fleet_expr_free)

G_END_DECLS
