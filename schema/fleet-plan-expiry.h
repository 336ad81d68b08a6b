/* fleet-plan-expiry.h: how long a plan stays valid.
 *
 * `fleetc compile` records in the plan the time it was compiled and the
 * instant it expires, both in whole seconds since the Unix epoch, UTC.
 * fleet-run refuses a plan from its expiry instant on, so an approved change
 * cannot be replayed weeks later against a fleet that has moved on.  A plan
 * without an expiry (format 2, or compiled with `--expires never`) does not
 * expire.  Every time comes from a FleetClock, so tests and reproducible
 * builds can fix it.
 */
#pragma once

#include <glib.h>

#include "schema/fleet-clock.h"
#include "schema/fleet-plan.h"

G_BEGIN_DECLS

/* How long a plan stays valid when `fleetc compile` is given no --expires. */
#define FLEET_PLAN_DEFAULT_VALIDITY_SECONDS (7 * 24 * 3600)

/* The longest --expires; longer would be `never` in all but name. */
#define FLEET_PLAN_MAX_VALIDITY_SECONDS ((gint64) 3650 * 24 * 3600)

/* Record the time of `clock`, in whole seconds, as the compile time, and
 * an expiry `valid_for_seconds` (1 to FLEET_PLAN_MAX_VALIDITY_SECONDS)
 * later, or no expiry when `valid_for_seconds` is 0. */
void fleet_plan_set_validity (FleetPlan *plan, const FleetClock *clock, gint64 valid_for_seconds);

/* Return TRUE when `plan` has not expired at the time of `clock`.
 * Otherwise FALSE with FLEET_PLAN_ERROR_EXPIRED and the message "the plan
 * expired at T (compiled at T0, valid for D); compile it again". */
gboolean fleet_plan_check_expiry (const FleetPlan *plan, const FleetClock *clock, GError **error);

/* Return the compile time and expiry for review, such as "compiled at
 * 2026-03-01T09:00:00Z, expires at 2026-03-08T09:00:00Z (valid for 7d)". */
char *fleet_plan_describe_validity (const FleetPlan *plan);

G_END_DECLS
