/* halt-thresholds.c: resolve the halt_at rules and warn about surprises. */
#include "planner/halt-thresholds.h"

/* Waves a warning names before it only counts the rest. */
#define LISTED_WAVES_MAX 5

typedef enum {
  SURPRISE_NONE,
  SURPRISE_FIRST_FAILURE,        /* a percentage below one host */
  SURPRISE_NEVER_REACHED,        /* a count above the number of hosts */
} Surprise;

static Surprise
find_surprise (const FleetThreshold *threshold, guint32 n_hosts)
{
  if (fleet_threshold_is_raised_to_one (threshold, n_hosts))
    return SURPRISE_FIRST_FAILURE;
  if (threshold->kind == FLEET_THRESHOLD_COUNT && threshold->value > n_hosts)
    return SURPRISE_NEVER_REACHED;
  return SURPRISE_NONE;
}

static const char *
counted_hosts (FleetHaltRule rule)
{
  return fleet_halt_rule_counts_unreachable (rule) ? "unreachable" : "failed";
}

/* Return the labels of the waves where `threshold` has `surprise`, the
 * first LISTED_WAVES_MAX of them, and their number and size range. */
static char *
list_surprised_waves (const FleetPlan *plan, const FleetThreshold *threshold, Surprise surprise,
                      guint *out_n_waves, guint *out_smallest, guint *out_largest)
{
  GString *labels = g_string_new (NULL);
  guint n_waves = 0;

  *out_smallest = G_MAXUINT;
  *out_largest = 0;
  for (guint w = 0; w < plan->waves->len; w++)
    {
      const FleetWave *wave = g_ptr_array_index (plan->waves, w);
      guint size = wave->host_indices->len;

      if (find_surprise (threshold, size) != surprise)
        continue;

      if (n_waves < LISTED_WAVES_MAX)
        {
          g_autofree char *label = fleet_plan_wave_label (plan, w);
          g_string_append_printf (labels, "%s%s", n_waves > 0 ? "; " : "", label);
        }
      n_waves++;
      *out_smallest = MIN (*out_smallest, size);
      *out_largest = MAX (*out_largest, size);
    }

  if (n_waves > LISTED_WAVES_MAX)
    g_string_append_printf (labels, "; and %u more", n_waves - LISTED_WAVES_MAX);
  *out_n_waves = n_waves;
  return g_string_free (labels, FALSE);
}

/* Warn once for a per-wave rule, naming the waves it surprises in. */
static void
warn_per_wave (const FleetWorkflow *workflow, const FleetPlan *plan, FleetHaltRule rule,
               Surprise surprise, FleetDiagnostics *diags)
{
  const FleetThreshold *threshold = &workflow->halt_at.rules[rule];
  const FleetSourcePos *pos = &workflow->halt_at.positions[rule];
  g_autofree char *text = fleet_threshold_to_string (threshold);
  g_autofree char *waves = NULL;
  g_autofree char *sizes = NULL;
  guint n_waves, smallest, largest;

  waves = list_surprised_waves (plan, threshold, surprise, &n_waves, &smallest, &largest);
  if (n_waves == 0)
    return;

  sizes = smallest == largest ? g_strdup_printf ("%u host%s", smallest, smallest == 1 ? "" : "s")
                              : g_strdup_printf ("%u to %u hosts", smallest, largest);
  if (surprise == SURPRISE_FIRST_FAILURE)
    fleet_diagnostics_warning (diags, pos,
                               "%s: %s comes to less than one host in %u of the %u waves (%s; "
                               "%s), so there the first %s host halts the run; write a count "
                               "such as 2 to tolerate a %s host in every wave",
                               fleet_halt_rule_name (rule), text, n_waves, plan->waves->len,
                               waves, sizes, counted_hosts (rule), counted_hosts (rule));
  else
    fleet_diagnostics_warning (diags, pos,
                               "%s: %s is more than the hosts of %u of the %u waves (%s; %s), "
                               "so %s hosts there never halt the run; write a smaller count or "
                               "a percentage", fleet_halt_rule_name (rule), text, n_waves,
                               plan->waves->len, waves, sizes, counted_hosts (rule));
}

static void
warn_total (const FleetWorkflow *workflow, const FleetPlan *plan, FleetHaltRule rule,
            FleetDiagnostics *diags)
{
  const FleetThreshold *threshold = &workflow->halt_at.rules[rule];
  const FleetSourcePos *pos = &workflow->halt_at.positions[rule];
  g_autofree char *text = fleet_threshold_to_string (threshold);
  guint n_hosts = plan->hosts->len;

  switch (find_surprise (threshold, n_hosts))
    {
    case SURPRISE_FIRST_FAILURE:
      fleet_diagnostics_warning (diags, pos,
                                 "%s: %s of the %u selected hosts is less than one host, so the "
                                 "first %s host halts the run", fleet_halt_rule_name (rule), text,
                                 n_hosts, counted_hosts (rule));
      break;
    case SURPRISE_NEVER_REACHED:
      fleet_diagnostics_warning (diags, pos,
                                 "%s: %s is more than the %u selected hosts, so it never halts "
                                 "the run; write a smaller count, or unlimited",
                                 fleet_halt_rule_name (rule), text, n_hosts);
      break;
    case SURPRISE_NONE:
    default:
      break;
    }
}

void
fleet_planner_apply_halt_at (const FleetWorkflow *workflow, FleetPlan *plan,
                             FleetDiagnostics *diags)
{
  for (guint rule = 0; rule < FLEET_HALT_N_RULES; rule++)
    {
      plan->halt_at[rule] = workflow->halt_at.rules[rule];
      plan->halt_at_default[rule] = !workflow->halt_at.is_set[rule];
    }
  fleet_plan_resolve_thresholds (plan);

  for (guint rule = 0; rule < FLEET_HALT_N_RULES; rule++)
    {
      if (!workflow->halt_at.is_set[rule])
        continue;

      if (!fleet_halt_rule_is_per_wave (rule))
        warn_total (workflow, plan, rule, diags);
      else
        {
          warn_per_wave (workflow, plan, rule, SURPRISE_FIRST_FAILURE, diags);
          warn_per_wave (workflow, plan, rule, SURPRISE_NEVER_REACHED, diags);
        }
    }
}
