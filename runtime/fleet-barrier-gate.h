/* fleet-barrier-gate.h: whether a host may start a step that waits for a
 * step on the hosts of a group (fleet-step-barrier.h).
 *
 * The gate reads the plan's barriers once.  For a host about to start a
 * step, it then decides from the state of the hosts the step waits for,
 * which the caller reports through a FleetHostStepFunc.  A barrier, once open,
 * stays open.  The gate borrows the plan, which must outlive it.
 */
#pragma once

#include <glib.h>

#include "schema/fleet-plan.h"

G_BEGIN_DECLS

/* Where a host is with one step. */
typedef enum {
  FLEET_HOST_STEP_PENDING,   /* it may still finish the step */
  FLEET_HOST_STEP_DONE,      /* it ran the step with success, or skipped it */
  FLEET_HOST_STEP_LOST,      /* it will not finish the step: it failed, or the run
                                stopped before it got there */
} FleetHostStepState;

typedef FleetHostStepState (*FleetHostStepFunc) (guint host_index, guint step_index,
                                                 gpointer user_data);

typedef enum {
  FLEET_BARRIER_OPEN,        /* the step may start */
  FLEET_BARRIER_WAIT,        /* a host of a group has not finished the step waited for */
  FLEET_BARRIER_BROKEN,      /* a host of a group will never finish it */
} FleetBarrierDecision;

typedef struct FleetBarrierGate FleetBarrierGate;

FleetBarrierGate *fleet_barrier_gate_new (const FleetPlan *plan);
void fleet_barrier_gate_free (FleetBarrierGate *gate);

/* Decide whether host `host_index` (in plan->hosts) may start step
 * `step_index`.  For WAIT and BROKEN, sets `out_message` to a sentence
 * that names the step, the group and the first host that is not done;
 * free it with g_free. */
FleetBarrierDecision fleet_barrier_gate_decide (FleetBarrierGate *gate, guint host_index,
                                                guint step_index, FleetHostStepFunc state_func,
                                                gpointer user_data, char **out_message);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (FleetBarrierGate, fleet_barrier_gate_free)

G_END_DECLS
