/* plan-clean-steps.c: the steps of a rejected workflow without errors;
 * see plan-clean-steps.h. */
#include "planner/plan-clean-steps.h"

#include "schema/fleet-model.h"

static gboolean
position_before_or_at (const FleetSourcePos *a, const FleetSourcePos *b)
{
  return a->line < b->line || (a->line == b->line && a->column <= b->column);
}

/* Return the index of the step of `pos`'s file that starts last at or
 * before `pos`, or G_MAXUINT. */
static guint
step_of_position (const GPtrArray *steps, const FleetSourcePos *pos)
{
  guint found = G_MAXUINT;

  for (guint i = 0; i < steps->len; i++)
    {
      const FleetStep *step = g_ptr_array_index (steps, i);
      const FleetStep *best = found != G_MAXUINT ? g_ptr_array_index (steps, found) : NULL;

      if (step->pos.file == NULL || g_strcmp0 (step->pos.file, pos->file) != 0
          || !position_before_or_at (&step->pos, pos))
        continue;
      if (best == NULL || position_before_or_at (&best->pos, &step->pos))
        found = i;
    }
  return found;
}

GPtrArray *
fleet_planner_clean_steps (const GPtrArray *steps, const FleetDiagnostics *diags)
{
  g_autofree gboolean *in_error = g_new0 (gboolean, steps->len + 1);
  GPtrArray *clean;
  guint stored_errors = 0;

  for (guint i = 0; i < fleet_diagnostics_length (diags); i++)
    {
      const FleetDiagnostic *diagnostic = fleet_diagnostics_get (diags, i);
      guint index;

      if (diagnostic->severity != FLEET_SEVERITY_ERROR)
        continue;
      stored_errors++;
      if (diagnostic->pos.file == NULL)
        continue;
      index = step_of_position (steps, &diagnostic->pos);
      if (index != G_MAXUINT)
        in_error[index] = TRUE;
    }
  if (stored_errors < fleet_diagnostics_error_count (diags))
    return NULL;

  clean = g_ptr_array_new ();
  for (guint i = 0; i < steps->len; i++)
    if (!in_error[i])
      g_ptr_array_add (clean, g_ptr_array_index (steps, i));
  return clean;
}
