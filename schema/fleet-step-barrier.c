/* fleet-step-barrier.c: steps that wait for a step on other hosts; the
 * contract is in fleet-step-barrier.h. */
#include "schema/fleet-step-barrier.h"

#include "schema/fleet-plan.h"

FleetStepBarrier *
fleet_step_barrier_new (const char *step, const char *group)
{
  FleetStepBarrier *barrier = g_new0 (FleetStepBarrier, 1);

  barrier->step = g_strdup (step);
  barrier->group = g_strdup (group);
  return barrier;
}

FleetStepBarrier *
fleet_step_barrier_copy (const FleetStepBarrier *barrier)
{
  FleetStepBarrier *copy = fleet_step_barrier_new (barrier->step, barrier->group);

  if (barrier->hosts != NULL)
    {
      copy->hosts = g_ptr_array_new_with_free_func (g_free);
      for (guint i = 0; i < barrier->hosts->len; i++)
        g_ptr_array_add (copy->hosts, g_strdup (g_ptr_array_index (barrier->hosts, i)));
    }
  copy->pos = barrier->pos;
  return copy;
}

void
fleet_step_barrier_free (FleetStepBarrier *barrier)
{
  if (barrier == NULL)
    return;

  g_free (barrier->step);
  g_free (barrier->group);
  g_clear_pointer (&barrier->hosts, g_ptr_array_unref);
  g_free (barrier);
}

GPtrArray *
fleet_step_barriers_copy (const GPtrArray *barriers)
{
  GPtrArray *copy;

  if (barriers == NULL)
    return NULL;

  copy = g_ptr_array_new_with_free_func ((GDestroyNotify) fleet_step_barrier_free);
  for (guint i = 0; i < barriers->len; i++)
    g_ptr_array_add (copy, fleet_step_barrier_copy (g_ptr_array_index (barriers, i)));
  return copy;
}

void
fleet_step_barriers_to_variant (GVariantBuilder *builder, const GPtrArray *barriers)
{
  GVariantBuilder list;

  if (barriers == NULL || barriers->len == 0)
    return;

  g_variant_builder_init (&list, G_VARIANT_TYPE ("aa{sv}"));
  for (guint i = 0; i < barriers->len; i++)
    {
      const FleetStepBarrier *barrier = g_ptr_array_index (barriers, i);
      GVariantBuilder entry;

      g_variant_builder_init (&entry, G_VARIANT_TYPE_VARDICT);
      g_variant_builder_add (&entry, "{sv}", "step", g_variant_new_string (barrier->step));
      g_variant_builder_add (&entry, "{sv}", "group", g_variant_new_string (barrier->group));
      g_variant_builder_add (&entry, "{sv}", "hosts",
                             g_variant_new_strv (barrier->hosts != NULL
                                                   ? (const char * const *) barrier->hosts->pdata
                                                   : NULL,
                                                 barrier->hosts != NULL ? barrier->hosts->len : 0));
      g_variant_builder_add (&list, "@a{sv}", g_variant_builder_end (&entry));
    }
  g_variant_builder_add (builder, "{sv}", "barriers", g_variant_builder_end (&list));
}

gboolean
fleet_step_barriers_from_variant (GVariant *dict, const char *step_name, GPtrArray **out,
                                  GError **error)
{
  g_autoptr(GVariant) list = g_variant_lookup_value (dict, "barriers", G_VARIANT_TYPE ("aa{sv}"));
  g_autoptr(GPtrArray) barriers = NULL;
  GVariantIter iter;
  GVariant *entry;

  *out = NULL;
  if (list == NULL)
    return TRUE;

  barriers = g_ptr_array_new_with_free_func ((GDestroyNotify) fleet_step_barrier_free);
  g_variant_iter_init (&iter, list);
  while ((entry = g_variant_iter_next_value (&iter)) != NULL)
    {
      g_autoptr(GVariant) owned = entry;
      g_autofree char *step = NULL;
      g_autofree char *group = NULL;
      g_autofree const char **hosts = NULL;
      FleetStepBarrier *barrier;

      if (!g_variant_lookup (owned, "step", "s", &step)
          || !g_variant_lookup (owned, "group", "s", &group)
          || !g_variant_lookup (owned, "hosts", "^a&s", &hosts))
        {
          g_set_error (error, FLEET_PLAN_ERROR, FLEET_PLAN_ERROR_INVALID,
                       "a barrier of step \"%s\" lacks \"step\", \"group\" or \"hosts\"",
                       step_name);
          return FALSE;
        }

      barrier = fleet_step_barrier_new (step, group);
      barrier->hosts = g_ptr_array_new_with_free_func (g_free);
      for (guint i = 0; hosts[i] != NULL; i++)
        g_ptr_array_add (barrier->hosts, g_strdup (hosts[i]));
      g_ptr_array_add (barriers, barrier);
    }

  *out = g_steal_pointer (&barriers);
  return TRUE;
}
