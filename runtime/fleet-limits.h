/* fleet-limits.h: the process limits a run needs, checked before it starts.
 *
 * Every pooled connection holds a socket, and every busy host two output
 * files, so a large wave needs more descriptors than the usual soft limit
 * of 1024.  fleet-run raises the soft limit up to the hard one, and refuses
 * to start, saying which limit to raise, when even that is too low, rather
 * than failing hosts halfway through a wave.
 */
#pragma once

#include <glib.h>

#include "schema/fleet-plan.h"

G_BEGIN_DECLS

/* Return how many file descriptors running `plan` may hold at once. */
guint64 fleet_plan_descriptors_needed (const FleetPlan *plan);

/* Raise RLIMIT_NOFILE's soft limit to at least `needed`.  Returns FALSE with
 * an error when the hard limit is lower; `out_limit` receives the soft limit
 * in force afterwards. */
gboolean fleet_raise_descriptor_limit (guint64 needed, guint64 *out_limit, GError **error);

G_END_DECLS
