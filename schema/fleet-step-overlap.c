/* fleet-step-overlap.c: which steps of one host may run at the same time. */
#include "schema/fleet-step-overlap.h"

#include "schema/fleet-plan.h"

#include <string.h>

#define BODY_KEY "step-overlap"
#define VARIANT_TYPE "(uaau)"

FleetStepOverlap *
fleet_step_overlap_new (guint max_steps, guint n_steps)
{
  FleetStepOverlap *overlap = g_new0 (FleetStepOverlap, 1);

  overlap->max_steps = max_steps;
  overlap->after = g_ptr_array_new_with_free_func ((GDestroyNotify) g_array_unref);
  for (guint i = 0; i < n_steps; i++)
    g_ptr_array_add (overlap->after, g_array_new (FALSE, FALSE, sizeof (guint32)));
  return overlap;
}

void
fleet_step_overlap_free (FleetStepOverlap *overlap)
{
  if (overlap == NULL)
    return;
  g_ptr_array_unref (overlap->after);
  g_free (overlap);
}

void
fleet_step_overlap_add_edge (FleetStepOverlap *overlap, guint before, guint step)
{
  GArray *after;
  guint at = 0;

  g_return_if_fail (before < step && step < overlap->after->len);

  after = g_ptr_array_index (overlap->after, step);
  while (at < after->len && g_array_index (after, guint32, at) < before)
    at++;
  if (at < after->len && g_array_index (after, guint32, at) == before)
    return;
  g_array_insert_val (after, at, (guint32) { before });
}

const GArray *
fleet_step_overlap_get_after (const FleetStepOverlap *overlap, guint step)
{
  return g_ptr_array_index (overlap->after, step);
}

/* Predecessors always have lower indices, so a walk down from `b` that
 * never goes below `a` visits every step that can reach `b` through `a`. */
gboolean
fleet_step_overlap_precedes (const FleetStepOverlap *overlap, guint a, guint b)
{
  g_autofree gboolean *reaches = NULL;

  if (a >= b || b >= overlap->after->len)
    return FALSE;

  reaches = g_new0 (gboolean, b + 1);
  reaches[b] = TRUE;
  for (guint step = b + 1; step-- > a;)
    {
      const GArray *after = g_ptr_array_index (overlap->after, step);

      if (!reaches[step])
        continue;
      for (guint i = 0; i < after->len; i++)
        {
          guint32 before = g_array_index (after, guint32, i);

          if (before == a)
            return TRUE;
          if (before > a)
            reaches[before] = TRUE;
        }
    }
  return FALSE;
}

gboolean
fleet_step_overlap_may_overlap (const FleetStepOverlap *overlap, guint a, guint b)
{
  if (a == b)
    return FALSE;
  return !fleet_step_overlap_precedes (overlap, MIN (a, b), MAX (a, b));
}

GArray *
fleet_step_overlap_pairs (const FleetStepOverlap *overlap)
{
  GArray *pairs = g_array_new (FALSE, FALSE, sizeof (guint32));

  for (guint a = 0; a < overlap->after->len; a++)
    for (guint b = a + 1; b < overlap->after->len; b++)
      if (fleet_step_overlap_may_overlap (overlap, a, b))
        {
          g_array_append_val (pairs, (guint32) { a });
          g_array_append_val (pairs, (guint32) { b });
        }
  return pairs;
}

gboolean
fleet_step_overlap_equal (const FleetStepOverlap *a, const FleetStepOverlap *b)
{
  if (a == NULL || b == NULL)
    return a == b;
  if (a->max_steps != b->max_steps || a->after->len != b->after->len)
    return FALSE;

  for (guint i = 0; i < a->after->len; i++)
    {
      const GArray *left = g_ptr_array_index (a->after, i);
      const GArray *right = g_ptr_array_index (b->after, i);

      /* An empty GArray may have no data, which memcmp must not get. */
      if (left->len != right->len
          || (left->len > 0
              && memcmp (left->data, right->data, left->len * sizeof (guint32)) != 0))
        return FALSE;
    }
  return TRUE;
}

void
fleet_step_overlap_to_variant (const FleetStepOverlap *overlap, GVariantBuilder *builder)
{
  GVariantBuilder after;

  if (overlap == NULL)
    return;

  g_variant_builder_init (&after, G_VARIANT_TYPE ("aau"));
  for (guint i = 0; i < overlap->after->len; i++)
    {
      const GArray *step_after = g_ptr_array_index (overlap->after, i);

      g_variant_builder_add_value (&after,
                                   g_variant_new_fixed_array (G_VARIANT_TYPE_UINT32,
                                                              step_after->data, step_after->len,
                                                              sizeof (guint32)));
    }
  g_variant_builder_add (builder, "{sv}", BODY_KEY,
                         g_variant_new ("(u@aau)", overlap->max_steps,
                                        g_variant_builder_end (&after)));
}

static gboolean
damaged (GError **error, const char *reason)
{
  g_set_error (error, FLEET_PLAN_ERROR, FLEET_PLAN_ERROR_INVALID,
               "plan key \"" BODY_KEY "\" is damaged: %s; compile the plan again with "
               "`fleetc compile`", reason);
  return FALSE;
}

gboolean
fleet_step_overlap_from_variant (GVariant *body, guint n_steps, FleetStepOverlap **out,
                                 GError **error)
{
  g_autoptr(GVariant) value = g_variant_lookup_value (body, BODY_KEY, NULL);
  g_autoptr(GVariant) after = NULL;
  g_autoptr(FleetStepOverlap) overlap = NULL;
  guint32 max_steps;

  *out = NULL;
  if (value == NULL)
    return TRUE;
  if (!g_variant_is_of_type (value, G_VARIANT_TYPE (VARIANT_TYPE)))
    return damaged (error, "it has the wrong type");

  g_variant_get (value, "(u@aau)", &max_steps, &after);
  if (max_steps < 2 || max_steps > FLEET_STEP_OVERLAP_MAX_SESSIONS)
    return damaged (error, "its step limit is out of range");
  if (g_variant_n_children (after) != n_steps)
    return damaged (error, "it does not list every step");

  overlap = fleet_step_overlap_new (max_steps, n_steps);
  for (guint step = 0; step < n_steps; step++)
    {
      g_autoptr(GVariant) list = g_variant_get_child_value (after, step);
      gsize n_before = 0;
      const guint32 *before = g_variant_get_fixed_array (list, &n_before, sizeof (guint32));

      for (gsize i = 0; i < n_before; i++)
        {
          if (before[i] >= step)
            return damaged (error, "a step follows a later step");
          fleet_step_overlap_add_edge (overlap, before[i], step);
        }
    }

  *out = g_steal_pointer (&overlap);
  return TRUE;
}
