/* host-selector.h: evaluate a selector expression against one host.
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

G_END_DECLS
