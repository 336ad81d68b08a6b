/* fleet-plan-freezes.c: the change freezes a plan names per window set. */
#include "schema/fleet-plan-freezes.h"

#include "schema/fleet-plan-schedule.h"

static void
clear_freeze (gpointer data)
{
  FleetPlanFreeze *freeze = data;

  g_free (freeze->name);
}

GArray *
fleet_plan_freezes_new (void)
{
  GArray *freezes = g_array_new (FALSE, TRUE, sizeof (FleetPlanFreeze));

  g_array_set_clear_func (freezes, clear_freeze);
  return freezes;
}

void
fleet_plan_freezes_add (GArray *freezes, const char *name, gint64 start_us, gint64 end_us)
{
  FleetPlanFreeze freeze = { g_strdup (name), start_us, end_us };

  g_array_append_val (freezes, freeze);
}

const FleetPlanFreeze *
fleet_plan_freezes_at (const GArray *freezes, gint64 at_us)
{
  for (guint i = 0; freezes != NULL && i < freezes->len; i++)
    {
      const FleetPlanFreeze *freeze = &g_array_index (freezes, FleetPlanFreeze, i);

      if (freeze->start_us <= at_us && at_us < freeze->end_us)
        return freeze;
    }
  return NULL;
}

GVariant *
fleet_plan_freezes_to_variant (const GPtrArray *per_set)
{
  GVariantBuilder builder;

  g_variant_builder_init (&builder, G_VARIANT_TYPE ("aa(sxx)"));
  for (guint s = 0; s < per_set->len; s++)
    {
      const GArray *freezes = g_ptr_array_index (per_set, s);

      g_variant_builder_open (&builder, G_VARIANT_TYPE ("a(sxx)"));
      for (guint i = 0; i < freezes->len; i++)
        {
          const FleetPlanFreeze *freeze = &g_array_index (freezes, FleetPlanFreeze, i);

          g_variant_builder_add (&builder, "(sxx)", freeze->name, freeze->start_us,
                                 freeze->end_us);
        }
      g_variant_builder_close (&builder);
    }
  return g_variant_builder_end (&builder);
}

gboolean
fleet_plan_freezes_from_variant (GVariant *array, guint n_sets, GPtrArray *per_set, GError **error)
{
  gsize n = g_variant_n_children (array);

  if (n != n_sets)
    {
      g_set_error (error, FLEET_PLAN_SCHEDULE_ERROR, FLEET_PLAN_SCHEDULE_ERROR_INVALID,
                   "plan schedule key \"window-set-freezes\" has %" G_GSIZE_FORMAT " entries, "
                   "but the plan has %u window sets", n, n_sets);
      return FALSE;
    }

  for (gsize s = 0; s < n; s++)
    {
      g_autoptr(GVariant) set = g_variant_get_child_value (array, s);
      GArray *freezes = fleet_plan_freezes_new ();
      gsize count = g_variant_n_children (set);

      g_ptr_array_add (per_set, freezes);
      for (gsize i = 0; i < count; i++)
        {
          const char *name = NULL;
          gint64 start_us = 0;
          gint64 end_us = 0;

          g_variant_get_child (set, i, "(&sxx)", &name, &start_us, &end_us);
          if (end_us <= start_us)
            {
              g_set_error (error, FLEET_PLAN_SCHEDULE_ERROR, FLEET_PLAN_SCHEDULE_ERROR_INVALID,
                           "plan freeze \"%s\" of window set %" G_GSIZE_FORMAT " ends before "
                           "it starts", name, s + 1);
              return FALSE;
            }
          fleet_plan_freezes_add (freezes, name, start_us, end_us);
        }
    }
  return TRUE;
}
