/* fleet-admission.c: caps on busy hosts per attribute value; see
 * fleet-admission.h. */
#include "runtime/fleet-admission.h"

/* Per cap rule: the busy hosts per value, and how many values are full,
 * so that a pick can answer "none fits" without scanning the waiting
 * hosts when every value of a rule every host has is full. */
typedef struct {
  GHashTable *busy_by_value;    /* value -> count */
  guint values_total;           /* distinct values among the plan's hosts */
  guint values_full;            /* values whose count reached the limit */
  gboolean every_host_has_it;
} RuleState;

struct FleetAdmission {
  const FleetPacing *pacing;
  GArray *rules;                /* RuleState, one per cap rule */
};

/* Return how many values `host` has for `rule`: 0 or 1 for an attribute,
 * one per inventory group for the rule "group". */
static guint
host_value_count (const FleetHost *host, const FleetCapRule *rule)
{
  if (g_str_equal (rule->attribute, FLEET_CAP_GROUP))
    return host->groups->len;
  return g_hash_table_contains (host->attributes, rule->attribute) ? 1 : 0;
}

static const char *
host_value (const FleetHost *host, const FleetCapRule *rule, guint index)
{
  if (g_str_equal (rule->attribute, FLEET_CAP_GROUP))
    return g_ptr_array_index (host->groups, index);
  return g_hash_table_lookup (host->attributes, rule->attribute);
}

static void
rule_state_clear (RuleState *state)
{
  g_hash_table_unref (state->busy_by_value);
}

FleetAdmission *
fleet_admission_new (const FleetPacing *pacing, const GPtrArray *hosts)
{
  FleetAdmission *admission = g_new0 (FleetAdmission, 1);
  guint n_rules = pacing != NULL ? pacing->caps->len : 0;

  admission->pacing = pacing;
  admission->rules = g_array_sized_new (FALSE, TRUE, sizeof (RuleState), n_rules);
  g_array_set_clear_func (admission->rules, (GDestroyNotify) rule_state_clear);
  for (guint i = 0; i < n_rules; i++)
    {
      const FleetCapRule *rule = g_ptr_array_index (pacing->caps, i);
      g_autoptr (GHashTable) values = g_hash_table_new (g_str_hash, g_str_equal);
      RuleState state = { .busy_by_value = g_hash_table_new (g_str_hash, g_str_equal),
                          .every_host_has_it = TRUE };

      for (guint h = 0; h < hosts->len; h++)
        {
          const FleetHost *host = g_ptr_array_index (hosts, h);
          guint n_values = host_value_count (host, rule);

          if (n_values == 0)
            state.every_host_has_it = FALSE;
          for (guint v = 0; v < n_values; v++)
            g_hash_table_add (values, (gpointer) host_value (host, rule, v));
        }
      state.values_total = g_hash_table_size (values);
      g_array_append_val (admission->rules, state);
    }
  return admission;
}

void
fleet_admission_free (FleetAdmission *admission)
{
  if (admission == NULL)
    return;

  g_array_unref (admission->rules);
  g_free (admission);
}

static const FleetCapRule *
rule_at (const FleetAdmission *admission, guint index)
{
  return g_ptr_array_index (admission->pacing->caps, index);
}

static RuleState *
state_at (const FleetAdmission *admission, guint index)
{
  return &g_array_index (admission->rules, RuleState, index);
}

gboolean
fleet_admission_allows (const FleetAdmission *admission, const FleetHost *host)
{
  for (guint i = 0; i < admission->rules->len; i++)
    {
      const FleetCapRule *rule = rule_at (admission, i);
      GHashTable *busy = state_at (admission, i)->busy_by_value;
      guint n_values = host_value_count (host, rule);

      for (guint v = 0; v < n_values; v++)
        if (GPOINTER_TO_UINT (g_hash_table_lookup (busy, host_value (host, rule, v)))
            >= rule->limit)
          return FALSE;
    }

  return TRUE;
}

gint
fleet_admission_pick (const FleetAdmission *admission, const GPtrArray *waiting)
{
  for (guint r = 0; r < admission->rules->len; r++)
    {
      const RuleState *state = state_at (admission, r);

      if (state->every_host_has_it && state->values_full == state->values_total)
        return -1;
    }

  for (guint i = 0; i < waiting->len; i++)
    if (fleet_admission_allows (admission, g_ptr_array_index (waiting, i)))
      return (gint) i;

  return -1;
}

static void
count (FleetAdmission *admission, const FleetHost *host, gint delta)
{
  for (guint i = 0; i < admission->rules->len; i++)
    {
      const FleetCapRule *rule = rule_at (admission, i);
      RuleState *state = state_at (admission, i);
      guint n_values = host_value_count (host, rule);

      for (guint v = 0; v < n_values; v++)
        {
          const char *value = host_value (host, rule, v);
          guint current = GPOINTER_TO_UINT (g_hash_table_lookup (state->busy_by_value, value));
          guint updated;

          g_return_if_fail (delta > 0 || current > 0);
          updated = current + delta;
          if (current < rule->limit && updated >= rule->limit)
            state->values_full++;
          else if (current >= rule->limit && updated < rule->limit)
            state->values_full--;
          /* The keys are borrowed from the host, which outlives the run. */
          g_hash_table_insert (state->busy_by_value, (gpointer) value,
                               GUINT_TO_POINTER (updated));
        }
    }
}

void
fleet_admission_start (FleetAdmission *admission, const FleetHost *host)
{
  count (admission, host, 1);
}

void
fleet_admission_finish (FleetAdmission *admission, const FleetHost *host)
{
  count (admission, host, -1);
}
