/* step-overlap.c: the steps of one host that may run at the same time. */
#include "planner/step-overlap.h"

#include <string.h>

#include "schema/fleet-expr.h"

/* Return the index of the step called `name` among the first `before`
 * steps, or G_MAXUINT. */
static guint
find_earlier_step (const GPtrArray *steps, guint before, const char *name)
{
  for (guint i = 0; i < before; i++)
    if (strcmp (((const FleetStep *) g_ptr_array_index (steps, i))->name, name) == 0)
      return i;
  return G_MAXUINT;
}

/* Order `step` after every step its `when` reads a result of.  A name
 * `steps.S.rc` splits as fleet-run splits it: S ends at the next dot. */
static void
add_condition_edges (FleetStepOverlap *overlap, const GPtrArray *steps, guint index)
{
  const FleetStep *step = g_ptr_array_index (steps, index);
  g_autoptr(FleetExpr) expr = NULL;
  g_autoptr(GPtrArray) names = NULL;

  if (step->when == NULL || (expr = fleet_expr_parse (step->when, NULL)) == NULL)
    return;

  names = g_ptr_array_new_with_free_func (g_free);
  fleet_expr_collect_names (expr, names);
  for (guint i = 0; i < names->len; i++)
    {
      g_auto(GStrv) parts = g_strsplit (g_ptr_array_index (names, i), ".", 3);
      guint before;

      if (g_strv_length (parts) != 3 || strcmp (parts[0], "steps") != 0)
        continue;
      before = find_earlier_step (steps, index, parts[1]);
      if (before != G_MAXUINT)
        fleet_step_overlap_add_edge (overlap, before, index);
    }
}

/* A reboot drops the connection that every other step's channel runs on.
 * A step that waits for other hosts is judged by the barrier gate, which
 * counts a host done with a step once every step before it has ended. */
static gboolean
runs_alone (const FleetStep *step)
{
  return (step->kind_data != NULL && step->kind_data->kind == FLEET_STEP_KIND_REBOOT)
         || (step->barriers != NULL && step->barriers->len > 0);
}

static FleetStepOverlap *
build_overlap (const GPtrArray *steps, guint max_steps)
{
  FleetStepOverlap *overlap = fleet_step_overlap_new (max_steps, steps->len);

  for (guint index = 0; index < steps->len; index++)
    {
      const FleetStep *step = g_ptr_array_index (steps, index);

      for (guint i = 0; step->needs != NULL && i < step->needs->len; i++)
        {
          guint before = find_earlier_step (steps, index, g_ptr_array_index (step->needs, i));

          if (before != G_MAXUINT)
            fleet_step_overlap_add_edge (overlap, before, index);
        }
      add_condition_edges (overlap, steps, index);
    }

  for (guint index = 0; index < steps->len; index++)
    {
      if (!runs_alone (g_ptr_array_index (steps, index)))
        continue;
      for (guint i = 0; i < index; i++)
        fleet_step_overlap_add_edge (overlap, i, index);
      for (guint i = index + 1; i < steps->len; i++)
        fleet_step_overlap_add_edge (overlap, index, i);
    }
  return overlap;
}

gboolean
fleet_planner_plan_step_overlap (FleetPlan *plan, const FleetWorkflow *workflow,
                                 FleetDiagnostics *diags)
{
  g_autoptr(FleetStepOverlap) overlap = NULL;
  g_autoptr(GArray) pairs = NULL;

  if (workflow->concurrent_steps <= 1)
    return TRUE;

  if (workflow->windows != NULL)
    {
      fleet_diagnostics_error (diags, &workflow->concurrent_steps_pos,
                               "\"concurrent_steps\" cannot be combined with \"windows\" or "
                               "\"freezes\", which fit each host's steps into its windows one "
                               "after the other; remove concurrent_steps or the windows");
      return FALSE;
    }

  /* The conditions and needs are those of the workflow: the plan's steps
   * drop a `when` the compiler decided. */
  overlap = build_overlap (workflow->steps, workflow->concurrent_steps);
  pairs = fleet_step_overlap_pairs (overlap);
  if (pairs->len == 0)
    fleet_diagnostics_warning (diags, &workflow->concurrent_steps_pos,
                               "\"concurrent_steps\" is %u, but every step depends on another "
                               "or runs alone, so no two steps of a host run at the same time",
                               workflow->concurrent_steps);

  g_assert (plan->steps->len == workflow->steps->len);
  plan->step_overlap = g_steal_pointer (&overlap);
  return TRUE;
}
