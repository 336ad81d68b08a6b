/* plan-diff-private.h: what the section comparisons of plan-diff.c share
 * with the modules that compare single sections. */
#pragma once

#include "cli/plan-diff.h"

G_BEGIN_DECLS

/* Append a change to `diff`; the strings are copied, and any may be NULL
 * as FleetPlanChange allows. */
void fleet_plan_diff_add_change (FleetPlanDiff *diff,
                                 FleetPlanDiffSection section,
                                 FleetPlanChangeKind kind,
                                 const char *subject,
                                 const char *field,
                                 const char *old_value,
                                 const char *new_value);

/* Compare the maintenance windows (FLEET_PLAN_DIFF_WINDOWS) and the planned
 * schedule (FLEET_PLAN_DIFF_SCHEDULE) of two plans: the "schedule" body key.
 * plan-diff-windows.c describes the rules. */
void fleet_plan_diff_compare_windows (FleetPlanDiff *diff,
                                      const FleetPlan *old_plan,
                                      const FleetPlan *new_plan);

/* Compare the checks, the wait between waves and the rollback of two
 * plans (FLEET_PLAN_DIFF_CHECKS); plan-diff-progressive.c describes the
 * rules. */
void fleet_plan_diff_compare_progressive (FleetPlanDiff *diff,
                                          const FleetPlan *old_plan,
                                          const FleetPlan *new_plan);

/* Compare the member `key` of two step records (a{sv}, either may be NULL)
 * in words when it is one that plan-diff-steps.c words, adding the changes
 * under `subject` and storing their number in `out_changes`.  Returns FALSE,
 * adding nothing, for any other member and for a member that does not read
 * back. */
gboolean fleet_plan_diff_compare_step_member (FleetPlanDiff *diff,
                                              FleetPlanDiffSection section,
                                              const char *subject,
                                              const char *key,
                                              GVariant *old_record,
                                              GVariant *new_record,
                                              guint *out_changes);

/* Compare the steps of one host that may run at the same time
 * (FLEET_PLAN_DIFF_ROLLOUT and FLEET_PLAN_DIFF_STEPS): the "step-overlap"
 * body key.  plan-diff-overlap.c describes the rules. */
void fleet_plan_diff_compare_overlap (FleetPlanDiff *diff,
                                      const FleetPlan *old_plan,
                                      const FleetPlan *new_plan);

G_END_DECLS
