/* fleet-canary-stop.h: a canary wave must be seen to work.
 *
 * A canary wave exists so that a change is seen to work somewhere before it
 * spreads.  When a canary wave ends with no succeeded host (every host
 * failed, was unreachable or was left out), the run stops after it,
 * whatever the halt thresholds are.  Otherwise a threshold above the
 * canary's size, or one that counts only failed hosts while the canary was
 * unreachable, would let the next wave start.  The stop is a stop between waves like
 * a failed check: later waves do not start, `on_halt: rollback` rolls the
 * wave back, and a resume needs --override-wave-gate.
 */
#pragma once

#include <glib.h>

#include "runtime/fleet-executor.h"

G_BEGIN_DECLS

/* Return the stop reason when wave `wave` (0-based) of `result` is a
 * canary wave in which no host succeeded and a later wave exists.
 * Otherwise return NULL.  Free with g_free. */
char *fleet_canary_stop_reason (const FleetPlan *plan, const FleetRunResult *result, guint wave);

G_END_DECLS
