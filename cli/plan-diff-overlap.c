/* plan-diff-overlap.c: a change of the steps of one host that may run at
 * the same time (fleet-step-overlap.h), for `fleetc diff`.
 *
 * The limit is the rollout setting "concurrent_steps" (1 in a plan without
 * overlap).  Then come the steps that both plans have, in the new plan's
 * order.  For each whose list changed, the field "may overlap with" lists
 * the names of the steps that may run at the same time as it.
 */
#include "cli/plan-diff-private.h"

#include <string.h>

/* Return the index of the step called `name` in `plan`, or G_MAXUINT. */
static guint
find_step (const FleetPlan *plan, const char *name)
{
  for (guint i = 0; i < plan->steps->len; i++)
    if (strcmp (((const FleetStep *) g_ptr_array_index (plan->steps, i))->name, name) == 0)
      return i;
  return G_MAXUINT;
}

/* Return the names of the steps that may overlap with step `index`, in
 * plan order and separated by ", ", or "none". */
static char *
overlapping_names (const FleetPlan *plan, guint index)
{
  GString *names = g_string_new (NULL);

  for (guint other = 0; plan->step_overlap != NULL && other < plan->steps->len; other++)
    {
      if (!fleet_step_overlap_may_overlap (plan->step_overlap, index, other))
        continue;
      if (names->len > 0)
        g_string_append (names, ", ");
      g_string_append (names, ((const FleetStep *) g_ptr_array_index (plan->steps, other))->name);
    }
  if (names->len == 0)
    g_string_append (names, "none");
  return g_string_free (names, FALSE);
}

void
fleet_plan_diff_compare_overlap (FleetPlanDiff *diff, const FleetPlan *old_plan,
                                 const FleetPlan *new_plan)
{
  guint old_limit = old_plan->step_overlap != NULL ? old_plan->step_overlap->max_steps : 1;
  guint new_limit = new_plan->step_overlap != NULL ? new_plan->step_overlap->max_steps : 1;

  if (old_plan->step_overlap == NULL && new_plan->step_overlap == NULL)
    return;

  if (old_limit != new_limit)
    {
      g_autofree char *old_text = g_strdup_printf ("%u", old_limit);
      g_autofree char *new_text = g_strdup_printf ("%u", new_limit);

      fleet_plan_diff_add_change (diff, FLEET_PLAN_DIFF_ROLLOUT, FLEET_PLAN_CHANGE_CHANGED,
                                  "concurrent_steps", NULL, old_text, new_text);
    }

  for (guint i = 0; i < new_plan->steps->len; i++)
    {
      const FleetStep *step = g_ptr_array_index (new_plan->steps, i);
      guint old_index = find_step (old_plan, step->name);
      g_autofree char *old_names = NULL;
      g_autofree char *new_names = NULL;

      if (old_index == G_MAXUINT)
        continue;
      old_names = overlapping_names (old_plan, old_index);
      new_names = overlapping_names (new_plan, i);
      if (strcmp (old_names, new_names) != 0)
        fleet_plan_diff_add_change (diff, FLEET_PLAN_DIFF_STEPS, FLEET_PLAN_CHANGE_CHANGED,
                                    step->name, "may overlap with", old_names, new_names);
    }
}
