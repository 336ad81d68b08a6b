/* fleet-plan-progressive.c: the plan body keys of progressive execution. */
#include "schema/fleet-plan-progressive.h"

void
fleet_plan_progressive_to_variant (const FleetPlan *plan, GVariantBuilder *builder)
{
  if (plan->checks->len > 0)
    g_variant_builder_add (builder, "{sv}", "checks", fleet_checks_to_variant (plan->checks));
  if (fleet_wave_gate_is_set (&plan->between_waves))
    g_variant_builder_add (builder, "{sv}", "between-waves",
                           fleet_wave_gate_to_variant (&plan->between_waves));
  if (plan->rollback != NULL)
    g_variant_builder_add (builder, "{sv}", "rollback",
                           fleet_rollback_to_variant (plan->rollback));
}

static gboolean
invalid_key (const char *key, GError **error)
{
  g_set_error (error, FLEET_PLAN_ERROR, FLEET_PLAN_ERROR_INVALID,
               "plan key \"%s\" is damaged; compile the plan again with `fleetc compile`", key);
  return FALSE;
}

gboolean
fleet_plan_progressive_from_variant (GVariant *body, FleetPlan *plan, GError **error)
{
  g_autoptr (GVariant) checks = g_variant_lookup_value (body, "checks", NULL);
  g_autoptr (GVariant) gate = g_variant_lookup_value (body, "between-waves", NULL);
  g_autoptr (GVariant) rollback = g_variant_lookup_value (body, "rollback", NULL);

  if (checks != NULL)
    {
      g_autoptr (GError) check_error = NULL;

      if (!g_variant_is_of_type (checks, G_VARIANT_TYPE ("aa{sv}")))
        return invalid_key ("checks", error);
      if (!fleet_checks_from_variant (checks, plan->checks, &check_error))
        {
          g_set_error (error, FLEET_PLAN_ERROR, FLEET_PLAN_ERROR_INVALID, "%s",
                       check_error->message);
          return FALSE;
        }
    }

  if (gate != NULL
      && (!g_variant_is_of_type (gate, G_VARIANT_TYPE ("a{sv}"))
          || !fleet_wave_gate_from_variant (gate, &plan->between_waves)))
    return invalid_key ("between-waves", error);

  if (rollback != NULL)
    {
      if (!g_variant_is_of_type (rollback, G_VARIANT_TYPE ("a{sv}")))
        return invalid_key ("rollback", error);
      plan->rollback = fleet_rollback_from_variant (rollback);
      if (plan->rollback == NULL)
        return invalid_key ("rollback", error);
    }
  return TRUE;
}
