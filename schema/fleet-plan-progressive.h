/* fleet-plan-progressive.h: the plan body keys of progressive execution.
 *
 * "checks" (fleet-check.h), "between-waves" (fleet-wave-gate.h) and
 * "rollback" (fleet-rollback.h) are optional keys of the plan body: a plan
 * without them has no checks, no waits and no rollback, and a reader that
 * predates them ignores them.
 */
#pragma once

#include "schema/fleet-plan.h"

G_BEGIN_DECLS

/* Add the keys `plan` uses to `builder`, an a{sv} builder. */
void fleet_plan_progressive_to_variant (const FleetPlan *plan, GVariantBuilder *builder);

/* Read the keys from `body` into `plan`; fails with FLEET_PLAN_ERROR_INVALID
 * when one is present but damaged. */
gboolean fleet_plan_progressive_from_variant (GVariant *body, FleetPlan *plan, GError **error);

G_END_DECLS
