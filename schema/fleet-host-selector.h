/* fleet-host-selector.h: evaluate a selector expression against one host,
 * for the planner's targets and --limit, and for the compiler's dynamic
 * groups and settings entries.
 *
 * The names an expression can use for a host are `name` (its inventory
 * name), `groups` (the list of groups it belongs to) and each of its
 * attributes.  `name` and `groups` come first: an attribute with either
 * name cannot be reached from an expression.
 */
#pragma once

#include <glib.h>

#include "schema/fleet-workflow.h"

G_BEGIN_DECLS

/* Store in `out_match` whether `selector` is true for `host`.  Returns
 * FALSE with `error` set (FLEET_EXPR_ERROR) when the evaluation fails, for
 * example on a value that an operator cannot compare. */
gboolean fleet_selector_matches_host (const FleetSelector *selector,
                                      const FleetHost *host,
                                      gboolean *out_match,
                                      GError **error);

/* The same for the expression `expr`, with the groups in `hidden_groups`
 * (a set of names, or NULL) left out of `groups`: a dynamic group's own
 * selector must not see the dynamic groups, which are still being filled. */
gboolean fleet_expr_matches_host (const FleetExpr *expr,
                                  const FleetHost *host,
                                  GHashTable *hidden_groups,
                                  gboolean *out_match,
                                  GError **error);

G_END_DECLS
