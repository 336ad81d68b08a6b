/* fleet-plan-work.h: how much work a plan gives one host.
 *
 * The planner fits each host's whole work (the estimates of the steps it
 * runs, plus the schedule's margin) into one window.  fleet-run checks the
 * same sum before a host enters a window, so a host whose estimates hold
 * never stops halfway between two windows.  Both count steps the same
 * way: a step the plan skips for the host at compile time is left out, and
 * a step whose `when:` is decided at run time counts.
 */
#pragma once

#include <glib.h>

#include "schema/fleet-plan.h"

G_BEGIN_DECLS

/* Return the summed estimates of `schedule`, in milliseconds, of the steps
 * of `plan` from index `from_step` on that `host` runs.  The schedule need
 * not be attached to the plan yet, as while the planner builds it. */
guint64 fleet_plan_host_work_ms (const FleetPlan *plan,
                                 const FleetPlanSchedule *schedule,
                                 const FleetHost *host,
                                 guint from_step);

G_END_DECLS
