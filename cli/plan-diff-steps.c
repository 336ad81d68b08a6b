/* plan-diff-steps.c: the members of a step that `fleetc diff` compares in
 * words instead of as stored values.
 *
 * "host-values" (the settings of a step rendered per host) is compared
 * host by host and setting by setting, as field "KEY on HOST".
 * "barriers" (the steps waited for on the hosts of a group) is compared
 * barrier by barrier, matched by the step and the group, as field
 * "barrier" worded as `fleetc show` words it (plan-describe.h).  A member
 * that does not read back as the plan format defines it is compared as
 * stored, by the caller.
 */
#include "cli/plan-diff-private.h"

#include <string.h>

#include "cli/plan-describe.h"
#include "schema/fleet-step-barrier.h"
#include "schema/fleet-step-values.h"

static int
compare_strings (gconstpointer a, gconstpointer b)
{
  return strcmp (*(const char * const *) a, *(const char * const *) b);
}

/* Add each key of `table` (char * keys, or NULL) to `names` once. */
static void
add_keys (GPtrArray *names, GHashTable *table)
{
  GHashTableIter iter;
  gpointer key;

  if (table == NULL)
    return;
  g_hash_table_iter_init (&iter, table);
  while (g_hash_table_iter_next (&iter, &key, NULL))
    if (!g_ptr_array_find_with_equal_func (names, key, g_str_equal, NULL))
      g_ptr_array_add (names, key);
}

static gboolean
read_values (GVariant *record, FleetStepValues **out)
{
  g_autoptr(GError) error = NULL;

  *out = NULL;
  return record == NULL || fleet_step_values_from_variant (record, "", out, &error);
}

static guint
compare_host_values (FleetPlanDiff *diff, FleetPlanDiffSection section, const char *subject,
                     const FleetStepValues *old_values, const FleetStepValues *new_values)
{
  GHashTable *old_hosts = old_values != NULL ? old_values->host_values : NULL;
  GHashTable *new_hosts = new_values != NULL ? new_values->host_values : NULL;
  g_autoptr(GPtrArray) hosts = g_ptr_array_new ();
  guint changes = 0;

  add_keys (hosts, old_hosts);
  add_keys (hosts, new_hosts);
  g_ptr_array_sort (hosts, compare_strings);
  for (guint h = 0; h < hosts->len; h++)
    {
      const char *host = g_ptr_array_index (hosts, h);
      GHashTable *old_table = old_hosts != NULL ? g_hash_table_lookup (old_hosts, host) : NULL;
      GHashTable *new_table = new_hosts != NULL ? g_hash_table_lookup (new_hosts, host) : NULL;
      g_autoptr(GPtrArray) keys = g_ptr_array_new ();

      add_keys (keys, old_table);
      add_keys (keys, new_table);
      g_ptr_array_sort (keys, compare_strings);
      for (guint k = 0; k < keys->len; k++)
        {
          const char *key = g_ptr_array_index (keys, k);
          const char *old_text = old_table != NULL ? g_hash_table_lookup (old_table, key) : NULL;
          const char *new_text = new_table != NULL ? g_hash_table_lookup (new_table, key) : NULL;
          g_autofree char *field = NULL;

          if (g_strcmp0 (old_text, new_text) == 0)
            continue;
          field = g_strdup_printf ("%s on %s", key, host);
          fleet_plan_diff_add_change (diff, section, FLEET_PLAN_CHANGE_CHANGED, subject, field,
                                      old_text, new_text);
          changes++;
        }
    }
  return changes;
}

static gboolean
read_barriers (GVariant *record, GPtrArray **out)
{
  g_autoptr(GError) error = NULL;

  *out = NULL;
  return record == NULL || fleet_step_barriers_from_variant (record, "", out, &error);
}

static const FleetStepBarrier *
find_barrier (const GPtrArray *barriers, const FleetStepBarrier *like)
{
  for (guint i = 0; barriers != NULL && i < barriers->len; i++)
    {
      const FleetStepBarrier *barrier = g_ptr_array_index (barriers, i);

      if (strcmp (barrier->step, like->step) == 0 && strcmp (barrier->group, like->group) == 0)
        return barrier;
    }
  return NULL;
}

/* Changed and added barriers in the new order, then removed ones in the
 * old order. */
static guint
compare_barriers (FleetPlanDiff *diff, FleetPlanDiffSection section, const char *subject,
                  const GPtrArray *old_barriers, const GPtrArray *new_barriers)
{
  guint changes = 0;

  for (guint i = 0; new_barriers != NULL && i < new_barriers->len; i++)
    {
      const FleetStepBarrier *barrier = g_ptr_array_index (new_barriers, i);
      const FleetStepBarrier *old_barrier = find_barrier (old_barriers, barrier);
      g_autofree char *new_text = fleet_describe_barrier (barrier);
      g_autofree char *old_text = old_barrier != NULL ? fleet_describe_barrier (old_barrier)
                                                      : NULL;

      if (g_strcmp0 (old_text, new_text) == 0)
        continue;
      fleet_plan_diff_add_change (diff, section, FLEET_PLAN_CHANGE_CHANGED, subject, "barrier",
                                  old_text, new_text);
      changes++;
    }

  for (guint i = 0; old_barriers != NULL && i < old_barriers->len; i++)
    {
      const FleetStepBarrier *barrier = g_ptr_array_index (old_barriers, i);
      g_autofree char *old_text = NULL;

      if (find_barrier (new_barriers, barrier) != NULL)
        continue;
      old_text = fleet_describe_barrier (barrier);
      fleet_plan_diff_add_change (diff, section, FLEET_PLAN_CHANGE_CHANGED, subject, "barrier",
                                  old_text, NULL);
      changes++;
    }
  return changes;
}

gboolean
fleet_plan_diff_compare_step_member (FleetPlanDiff *diff, FleetPlanDiffSection section,
                                     const char *subject, const char *key,
                                     GVariant *old_record, GVariant *new_record,
                                     guint *out_changes)
{
  if (strcmp (key, "host-values") == 0)
    {
      g_autoptr(FleetStepValues) old_values = NULL;
      g_autoptr(FleetStepValues) new_values = NULL;

      if (!read_values (old_record, &old_values) || !read_values (new_record, &new_values))
        return FALSE;
      *out_changes = compare_host_values (diff, section, subject, old_values, new_values);
      return TRUE;
    }

  if (strcmp (key, "barriers") == 0)
    {
      g_autoptr(GPtrArray) old_barriers = NULL;
      g_autoptr(GPtrArray) new_barriers = NULL;

      if (!read_barriers (old_record, &old_barriers) || !read_barriers (new_record, &new_barriers))
        return FALSE;
      *out_changes = compare_barriers (diff, section, subject, old_barriers, new_barriers);
      return TRUE;
    }

  return FALSE;
}
