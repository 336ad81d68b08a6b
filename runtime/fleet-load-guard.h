/* fleet-load-guard.h: the check that defers a busy host before its first
 * step (the workflow's `protect: max_load` and `guard`).
 *
 * One check is one command on the host's pooled connection: it prints the
 * 1-minute load average from /proc/loadavg, then runs the guard command, if
 * any, whose exit status is the verdict.  The host passes when the load is
 * at most max_load (or no max_load is set) and the guard command exited 0.
 * A host without /proc/loadavg fails the check with an error rather than
 * passing silently.
 */
#pragma once

#include <glib.h>

#include "runtime/fleet-transport.h"
#include "schema/fleet-pacing.h"

G_BEGIN_DECLS

typedef enum {
  FLEET_GUARD_PASSED,
  FLEET_GUARD_BUSY,        /* the host should wait and be checked again */
  FLEET_GUARD_ERROR,       /* the check itself could not run */
} FleetGuardVerdict;

typedef struct FleetLoadGuard FleetLoadGuard;

/* Start a check on `connection`, which must be ready.  `pacing` must
 * outlive the check. */
FleetLoadGuard *fleet_load_guard_start (FleetConnection *connection, const FleetPacing *pacing,
                                        gint64 now_us);
gboolean fleet_load_guard_is_done (const FleetLoadGuard *guard);

/* The verdict of a finished check, with a sentence in `out_reason` for
 * BUSY and ERROR ("load 7.20 is above max_load 4"). */
FleetGuardVerdict fleet_load_guard_finish (FleetLoadGuard *guard, char **out_reason);

void fleet_load_guard_free (FleetLoadGuard *guard);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (FleetLoadGuard, fleet_load_guard_free)

G_END_DECLS
