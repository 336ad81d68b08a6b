/* fleet-wave-held.h: waves keep their order when a resumed run holds
 * hosts.
 *
 * A host held by a resume (a step was in flight when the run stopped and
 * the workflow does not mark it idempotent) is in an unknown state, so its
 * wave has not been validated.  A wave with held hosts therefore blocks
 * every later wave until each held host is decided with --retry-host or
 * --skip-host.  The run stops after that wave with a stop reason naming
 * the held hosts; it is not a halt, so `on_halt: rollback` does not run.
 */
#pragma once

#include <glib.h>

#include "runtime/fleet-executor.h"

G_BEGIN_DECLS

/* Return the stop reason when hosts of wave `wave` (0-based) of `result`
 * are held and a later wave exists, or NULL.  Free with g_free. */
char *fleet_wave_held_stop_reason (const FleetPlan *plan, const FleetRunResult *result,
                                   guint wave);

G_END_DECLS
