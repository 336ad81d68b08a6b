/* fleet-admission.c: caps on busy hosts per attribute value; see
 * fleet-admission.h. */
#include "runtime/fleet-admission.h"

struct FleetAdmission {
  const FleetPacing *pacing;
  GPtrArray *busy_by_value;     /* per cap rule: GHashTable value -> count */
};

FleetAdmission *
fleet_admission_new (const FleetPacing *pacing)
{
  FleetAdmission *admission = g_new0 (FleetAdmission, 1);
  guint n_rules = pacing != NULL ? pacing->caps->len : 0;

  admission->pacing = pacing;
  admission->busy_by_value = g_ptr_array_new_with_free_func ((GDestroyNotify) g_hash_table_unref);
  for (guint i = 0; i < n_rules; i++)
    g_ptr_array_add (admission->busy_by_value, g_hash_table_new (g_str_hash, g_str_equal));
  return admission;
}

void
fleet_admission_free (FleetAdmission *admission)
{
  if (admission == NULL)
    return;

  g_ptr_array_unref (admission->busy_by_value);
  g_free (admission);
}

static const FleetCapRule *
rule_at (const FleetAdmission *admission, guint index)
{
  return g_ptr_array_index (admission->pacing->caps, index);
}

gboolean
fleet_admission_allows (const FleetAdmission *admission, const FleetHost *host)
{
  for (guint i = 0; i < admission->busy_by_value->len; i++)
    {
      const FleetCapRule *rule = rule_at (admission, i);
      const char *value = g_hash_table_lookup (host->attributes, rule->attribute);
      GHashTable *busy = g_ptr_array_index (admission->busy_by_value, i);

      if (value != NULL && GPOINTER_TO_UINT (g_hash_table_lookup (busy, value)) >= rule->limit)
        return FALSE;
    }

  return TRUE;
}

gint
fleet_admission_pick (const FleetAdmission *admission, const GPtrArray *waiting)
{
  for (guint i = 0; i < waiting->len; i++)
    if (fleet_admission_allows (admission, g_ptr_array_index (waiting, i)))
      return (gint) i;

  return -1;
}

static void
count (FleetAdmission *admission, const FleetHost *host, gint delta)
{
  for (guint i = 0; i < admission->busy_by_value->len; i++)
    {
      const FleetCapRule *rule = rule_at (admission, i);
      const char *value = g_hash_table_lookup (host->attributes, rule->attribute);
      GHashTable *busy = g_ptr_array_index (admission->busy_by_value, i);
      guint current;

      if (value == NULL)
        continue;

      current = GPOINTER_TO_UINT (g_hash_table_lookup (busy, value));
      g_return_if_fail (delta > 0 || current > 0);
      /* The keys are borrowed from the host, which outlives the run. */
      g_hash_table_insert (busy, (gpointer) value, GUINT_TO_POINTER (current + delta));
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
