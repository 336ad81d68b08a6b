/* suggest.h: "did you mean" suggestions and name lists for messages. */
#pragma once

#include <glib.h>

#include "schema/fleet-diagnostics.h"
#include "schema/fleet-suggest.h"

G_BEGIN_DECLS

/* Return the first `max_shown` of `names` joined by ", ", followed by
 * "and N more" when some are left out.  Free with g_free. */
char *fleet_join_names (const char * const *names, gsize n_names, gsize max_shown);

/* Return the keys of `table` (strings) sorted, as a new array of borrowed
 * strings. */
GPtrArray *fleet_sorted_names (GHashTable *table);

/* Report `name`, an unknown `kind` ("group" or "host"), at `pos`, with a
 * close name from `defined` (sorted) as suggestion and the first of them
 * listed.  `where` follows the name in the message, for example
 * " in group \"web\"", or is "". */
void fleet_report_unknown_name (FleetDiagnostics *diags,
                                const FleetSourcePos *pos,
                                const char *kind,
                                const char *name,
                                const char *where,
                                const GPtrArray *defined);

G_END_DECLS
