/* fleet-step-barrier.h: a step that waits for a step on other hosts.
 *
 * `needs: [{step: migrate, on: db}]` on a step Y means: no host starts Y
 * before every selected host of the inventory group `db` has finished
 * `migrate` (run it with success, or skipped it).  The compiler records the
 * step and the group.  The planner resolves the group to the hosts that run
 * the step and checks that they run before or with the waiting hosts.  The
 * plan stores the result under the optional step key "barriers".
 * fleet-run holds a host at the barrier until it opens, and fails it when a
 * host of the group can no longer finish the step.
 *
 * The record owns its strings and array.  Errors of
 * fleet_step_barriers_from_variant are FLEET_PLAN_ERROR_INVALID.
 */
#pragma once

#include <glib.h>

#include "schema/fleet-model.h"

G_BEGIN_DECLS

struct FleetStepBarrier {
  char *step;                /* name of the step waited for */
  char *group;               /* inventory group whose hosts run it first */
  GPtrArray *hosts;          /* plan only: char *, the selected hosts of the group
                                that run the step, in plan order; NULL in the IR */
  FleetSourcePos pos;        /* IR only: the `needs` entry */
};

FleetStepBarrier *fleet_step_barrier_new (const char *step, const char *group);
FleetStepBarrier *fleet_step_barrier_copy (const FleetStepBarrier *barrier);
void fleet_step_barrier_free (FleetStepBarrier *barrier);

/* Return a new array (FleetStepBarrier *, freed with it) that copies
 * `barriers`, or NULL for NULL. */
GPtrArray *fleet_step_barriers_copy (const GPtrArray *barriers);

/* Add "barriers" for `barriers` (FleetStepBarrier *) to `builder`, a
 * vardict builder of one step; nothing for NULL or an empty array. */
void fleet_step_barriers_to_variant (GVariantBuilder *builder, const GPtrArray *barriers);

/* Read "barriers" of the step dictionary `dict`; `out` is NULL when the
 * step has none. */
gboolean fleet_step_barriers_from_variant (GVariant *dict, const char *step_name,
                                           GPtrArray **out, GError **error);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (FleetStepBarrier, fleet_step_barrier_free)

G_END_DECLS
