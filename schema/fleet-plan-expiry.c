/* fleet-plan-expiry.c: the compile time and expiry of a plan. */
#include "schema/fleet-plan-expiry.h"

void
fleet_plan_set_validity (FleetPlan *plan, const FleetClock *clock, gint64 valid_for_seconds)
{
  g_return_if_fail (valid_for_seconds >= 0 && valid_for_seconds <= FLEET_PLAN_MAX_VALIDITY_SECONDS);

  plan->compiled_at = fleet_clock_wall_us (clock) / G_USEC_PER_SEC;
  plan->expires_at = valid_for_seconds > 0 ? plan->compiled_at + valid_for_seconds : 0;
}

static char *
format_validity_period (const FleetPlan *plan)
{
  return fleet_format_duration ((guint64) (plan->expires_at - plan->compiled_at) * 1000);
}

gboolean
fleet_plan_check_expiry (const FleetPlan *plan, const FleetClock *clock, GError **error)
{
  g_autofree char *expired_at = NULL;
  g_autofree char *compiled_at = NULL;
  g_autofree char *period = NULL;

  /* Whole seconds, compared in microseconds: the plan is expired from the
   * first instant of its expiry second. */
  if (plan->expires_at == 0
      || fleet_clock_wall_us (clock) < plan->expires_at * G_USEC_PER_SEC)
    return TRUE;

  expired_at = fleet_format_utc_seconds (plan->expires_at);
  compiled_at = fleet_format_utc_seconds (plan->compiled_at);
  period = format_validity_period (plan);
  g_set_error (error, FLEET_PLAN_ERROR, FLEET_PLAN_ERROR_EXPIRED,
               "the plan expired at %s (compiled at %s, valid for %s); compile it again",
               expired_at, compiled_at, period);
  return FALSE;
}

char *
fleet_plan_describe_validity (const FleetPlan *plan)
{
  g_autofree char *compiled_at = NULL;
  g_autofree char *expires_at = NULL;
  g_autofree char *period = NULL;

  if (plan->format_version == 2)
    return g_strdup ("compile time not recorded (plan format 2), never expires");

  compiled_at = fleet_format_utc_seconds (plan->compiled_at);
  if (plan->expires_at == 0)
    return g_strdup_printf ("compiled at %s, never expires", compiled_at);

  expires_at = fleet_format_utc_seconds (plan->expires_at);
  period = format_validity_period (plan);
  return g_strdup_printf ("compiled at %s, expires at %s (valid for %s)", compiled_at,
                          expires_at, period);
}
