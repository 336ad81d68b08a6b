/* fleet-threshold.c: failure thresholds and their arithmetic. */
#include "schema/fleet-threshold.h"

#include <string.h>

static const char * const rule_names[FLEET_HALT_N_RULES] = {
  [FLEET_HALT_FAILED_PER_WAVE] = "failed_per_wave",
  [FLEET_HALT_UNREACHABLE_PER_WAVE] = "unreachable_per_wave",
  [FLEET_HALT_FAILED_TOTAL] = "failed_total",
  [FLEET_HALT_UNREACHABLE_TOTAL] = "unreachable_total",
};

const char *
fleet_halt_rule_name (FleetHaltRule rule)
{
  g_return_val_if_fail ((guint) rule < FLEET_HALT_N_RULES, "rule");
  return rule_names[rule];
}

gboolean
fleet_halt_rule_is_per_wave (FleetHaltRule rule)
{
  return rule == FLEET_HALT_FAILED_PER_WAVE || rule == FLEET_HALT_UNREACHABLE_PER_WAVE;
}

gboolean
fleet_halt_rule_counts_unreachable (FleetHaltRule rule)
{
  return rule == FLEET_HALT_UNREACHABLE_PER_WAVE || rule == FLEET_HALT_UNREACHABLE_TOTAL;
}

FleetThreshold
fleet_halt_rule_default (FleetHaltRule rule)
{
  if (fleet_halt_rule_is_per_wave (rule))
    return (FleetThreshold) { FLEET_THRESHOLD_COUNT, 1 };
  return (FleetThreshold) { FLEET_THRESHOLD_UNLIMITED, 0 };
}

guint32
fleet_threshold_resolve (const FleetThreshold *threshold, guint32 n_hosts)
{
  guint64 share;

  switch (threshold->kind)
    {
    case FLEET_THRESHOLD_COUNT:
      return threshold->value;
    case FLEET_THRESHOLD_PERCENT:
      /* At most 100 * G_MAXUINT32, so the product fits in 64 bits. */
      share = (guint64) threshold->value * n_hosts / 100;
      return (guint32) MAX (share, 1);
    case FLEET_THRESHOLD_UNLIMITED:
    default:
      return FLEET_THRESHOLD_NEVER;
    }
}

gboolean
fleet_threshold_is_raised_to_one (const FleetThreshold *threshold, guint32 n_hosts)
{
  return threshold->kind == FLEET_THRESHOLD_PERCENT
         && (guint64) threshold->value * n_hosts < 100;
}

char *
fleet_threshold_to_string (const FleetThreshold *threshold)
{
  switch (threshold->kind)
    {
    case FLEET_THRESHOLD_COUNT:
      return g_strdup_printf ("%u", threshold->value);
    case FLEET_THRESHOLD_PERCENT:
      return g_strdup_printf ("%u%%", threshold->value);
    case FLEET_THRESHOLD_UNLIMITED:
    default:
      return g_strdup ("unlimited");
    }
}

/* Parse 1 to 10 digits without a leading zero into a value of at most
 * `max`.  Returns the number of bytes read, or 0. */
static gsize
parse_positive (const char *text, guint64 max, guint32 *out)
{
  guint64 value = 0;
  gsize n = 0;

  if (text[0] == '0')
    return 0;

  for (; g_ascii_isdigit (text[n]) && n < 10; n++)
    value = value * 10 + (guint64) (text[n] - '0');

  if (n == 0 || g_ascii_isdigit (text[n]) || value > max)
    return 0;

  *out = (guint32) value;
  return n;
}

gboolean
fleet_threshold_from_string (const char *text, FleetThreshold *out)
{
  guint32 value = 0;
  gsize n;

  if (text == NULL)
    return FALSE;

  if (strcmp (text, "unlimited") == 0)
    {
      *out = (FleetThreshold) { FLEET_THRESHOLD_UNLIMITED, 0 };
      return TRUE;
    }

  n = parse_positive (text, G_MAXUINT32, &value);
  if (n == 0)
    return FALSE;

  if (text[n] == '\0')
    {
      *out = (FleetThreshold) { FLEET_THRESHOLD_COUNT, value };
      return TRUE;
    }

  if (strcmp (text + n, "%") == 0 && value <= 100)
    {
      *out = (FleetThreshold) { FLEET_THRESHOLD_PERCENT, value };
      return TRUE;
    }

  return FALSE;
}
