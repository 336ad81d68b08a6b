/* fleet-condition.h: step conditions (`when`) evaluated for one host.
 *
 * The compiler evaluates a condition that uses only inventory data and
 * records the hosts where it is false; fleet-run evaluates the rest on each
 * host before the step.  Both resolve names the same way:
 *
 *   name            the host's inventory name
 *   groups          the list of the host's groups
 *   steps.S.rc      exit status of the earlier step S on this host (run time)
 *   steps.S.stdout  its standard output, up to the kept tail, without the
 *                   final newline (run time)
 *   facts.*         facts gathered on the host (run time)
 *   anything else   the host attribute, else the workflow variable
 *
 * A name without a value makes the condition unknown, which counts as
 * false (fleet-expr.h); the reason then names the missing names.
 */
#pragma once

#include <glib.h>

#include "schema/fleet-expr.h"
#include "schema/fleet-model.h"

G_BEGIN_DECLS

/* Fill `out` with the value of a `steps.*` or `facts.*` name and return
 * TRUE, or return FALSE when it has none.  The string in `out` must stay
 * valid until the evaluation returns. */
typedef gboolean (*FleetConditionRunLookup) (const char *name, FleetValue *out, gpointer user_data);

/* Return whether `expr` uses a name that only fleet-run can resolve:
 * `facts.*` or `steps.*`. */
gboolean fleet_condition_needs_run_time (const FleetExpr *expr);

/* Evaluate `expr` (whose text is `text`) for `host`, with the workflow
 * variables `vars` (NULL: none) and `run_lookup` for run-time names (NULL:
 * none have values).  Returns FALSE with an error when the evaluation
 * fails.  Otherwise stores the result in `out_result`, and when it is false
 * a new sentence saying why in `out_reason`. */
gboolean fleet_condition_evaluate (const FleetExpr *expr,
                                   const char *text,
                                   const FleetHost *host,
                                   GHashTable *vars,
                                   FleetConditionRunLookup run_lookup,
                                   gpointer run_data,
                                   gboolean *out_result,
                                   char **out_reason,
                                   GError **error);

G_END_DECLS
