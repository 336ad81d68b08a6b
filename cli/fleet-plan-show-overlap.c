/* fleet-plan-show-overlap.c: the steps of one host that may run at the
 * same time (fleet-step-overlap.h), for `fleetc show`. */
#include "cli/fleet-plan-show-private.h"

#include "schema/fleet-text.h"

const char *
fleet_plan_show_steps_heading (const FleetPlan *plan, gboolean markdown)
{
  if (plan->step_overlap == NULL)
    return markdown ? "In order on each host; a host stops at its first failed step."
                    : "in order on each host; a host stops at its first failed step";
  return markdown ? "In order on each host, except that steps which may overlap run at the "
                    "same time; after a failed step a host starts no further step, and the "
                    "steps already running finish."
                  : "in order on each host, except that steps which may overlap run at the "
                    "same time; after a failed step a host starts no further step";
}

void
fleet_plan_show_overlap_summary_text (GString *out, const FleetPlan *plan)
{
  if (plan->step_overlap == NULL)
    return;
  g_string_append_printf (out, "  steps at once:    at most %u per host, on channels of its "
                               "one connection\n", plan->step_overlap->max_steps);
}

/* Append "2. b, 3. c", the steps that may run at the same time as `step`,
 * or "none". */
static void
append_overlapping_steps (GString *out, const FleetPlan *plan, guint step, gboolean markdown)
{
  gboolean any = FALSE;

  for (guint other = 0; other < plan->steps->len; other++)
    {
      const FleetStep *other_step = g_ptr_array_index (plan->steps, other);
      g_autofree char *name = NULL;

      if (!fleet_step_overlap_may_overlap (plan->step_overlap, step, other))
        continue;
      name = markdown ? fleet_markdown_escape (other_step->name)
                      : fleet_escape_for_terminal (other_step->name);
      g_string_append_printf (out, "%s%u. %s", any ? ", " : "", other + 1, name);
      any = TRUE;
    }
  if (!any)
    g_string_append (out, "none");
}

void
fleet_plan_show_step_overlap_text (GString *out, const FleetPlan *plan, guint step)
{
  if (plan->step_overlap == NULL)
    return;
  g_string_append (out, "       may overlap with: ");
  append_overlapping_steps (out, plan, step, FALSE);
  g_string_append_c (out, '\n');
}

void
fleet_plan_show_step_overlap_markdown (GString *out, const FleetPlan *plan, guint step)
{
  if (plan->step_overlap == NULL)
    return;
  g_string_append (out, "   May overlap with: ");
  append_overlapping_steps (out, plan, step, TRUE);
  g_string_append (out, "\n\n");
}

void
fleet_plan_show_overlap_json (FleetJsonWriter *json, const FleetPlan *plan)
{
  const FleetStepOverlap *overlap = plan->step_overlap;
  g_autoptr(GArray) pairs = NULL;

  if (overlap == NULL)
    return;

  pairs = fleet_step_overlap_pairs (overlap);
  fleet_json_key (json, "step_overlap");
  fleet_json_begin_object (json);
  fleet_json_key (json, "max_steps");
  fleet_json_int (json, overlap->max_steps);
  fleet_json_key (json, "after");
  fleet_json_begin_array (json);
  for (guint step = 0; step < overlap->after->len; step++)
    {
      const GArray *after = fleet_step_overlap_get_after (overlap, step);

      fleet_json_begin_array (json);
      for (guint i = 0; i < after->len; i++)
        fleet_json_int (json, g_array_index (after, guint32, i) + 1);
      fleet_json_end_array (json);
    }
  fleet_json_end_array (json);
  fleet_json_key (json, "pairs");
  fleet_json_begin_array (json);
  for (guint i = 0; i < pairs->len; i += 2)
    {
      fleet_json_begin_array (json);
      fleet_json_int (json, g_array_index (pairs, guint32, i) + 1);
      fleet_json_int (json, g_array_index (pairs, guint32, i + 1) + 1);
      fleet_json_end_array (json);
    }
  fleet_json_end_array (json);
  fleet_json_end_object (json);
}
