/* fleet-wave-gate.c: pauses and approval gates between waves. */
#include "schema/fleet-wave-gate.h"

static const char * const on_timeout_names[] = {
  [FLEET_GATE_ON_TIMEOUT_HALT] = "halt",
  [FLEET_GATE_ON_TIMEOUT_CONTINUE] = "continue",
};

const char *
fleet_gate_on_timeout_name (FleetGateOnTimeout value)
{
  g_return_val_if_fail ((gsize) value < G_N_ELEMENTS (on_timeout_names), "halt");
  return on_timeout_names[value];
}

gboolean
fleet_gate_on_timeout_from_name (const char *text, FleetGateOnTimeout *out_value)
{
  for (guint i = 0; i < G_N_ELEMENTS (on_timeout_names); i++)
    if (g_strcmp0 (text, on_timeout_names[i]) == 0)
      {
        *out_value = i;
        return TRUE;
      }
  return FALSE;
}

gboolean
fleet_wave_gate_is_set (const FleetWaveGate *gate)
{
  return gate->pause_ms > 0 || gate->approve;
}

GVariant *
fleet_wave_gate_to_variant (const FleetWaveGate *gate)
{
  GVariantBuilder builder;

  g_variant_builder_init (&builder, G_VARIANT_TYPE ("a{sv}"));
  g_variant_builder_add (&builder, "{sv}", "pause-ms", g_variant_new_uint64 (gate->pause_ms));
  g_variant_builder_add (&builder, "{sv}", "approve", g_variant_new_boolean (gate->approve));
  g_variant_builder_add (&builder, "{sv}", "approve-timeout-ms",
                         g_variant_new_uint64 (gate->approve_timeout_ms));
  g_variant_builder_add (&builder, "{sv}", "on-timeout",
                         g_variant_new_string (on_timeout_names[gate->on_timeout]));
  return g_variant_builder_end (&builder);
}

gboolean
fleet_wave_gate_from_variant (GVariant *dict, FleetWaveGate *out_gate)
{
  FleetWaveGate gate = { 0 };
  g_autofree char *on_timeout = NULL;

  if (!g_variant_lookup (dict, "pause-ms", "t", &gate.pause_ms)
      || !g_variant_lookup (dict, "approve", "b", &gate.approve)
      || !g_variant_lookup (dict, "approve-timeout-ms", "t", &gate.approve_timeout_ms)
      || !g_variant_lookup (dict, "on-timeout", "s", &on_timeout)
      || !fleet_gate_on_timeout_from_name (on_timeout, &gate.on_timeout))
    return FALSE;

  *out_gate = gate;
  return TRUE;
}
