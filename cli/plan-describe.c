/* plan-describe.c: the wording of a plan shared by every `fleetc show`
 * format. */
#include "cli/plan-describe.h"

#include <string.h>

static int
compare_strings (gconstpointer a, gconstpointer b)
{
  return strcmp (*(const char * const *) a, *(const char * const *) b);
}

GPtrArray *
fleet_wave_domain_values (const FleetPlan *plan, const FleetWave *wave, const char *attribute)
{
  g_autoptr(GHashTable) seen = g_hash_table_new (g_str_hash, g_str_equal);
  GPtrArray *values = g_ptr_array_new ();

  for (guint i = 0; i < wave->host_indices->len; i++)
    {
      const FleetHost *host = g_ptr_array_index (plan->hosts,
                                                 g_array_index (wave->host_indices, guint32, i));
      const char *value = g_hash_table_lookup (host->attributes, attribute);

      if (value != NULL && g_hash_table_add (seen, (gpointer) value))
        g_ptr_array_add (values, (gpointer) value);
    }
  g_ptr_array_sort (values, compare_strings);
  return values;
}

char *
fleet_describe_wave_domains (const FleetPlan *plan, const FleetWave *wave)
{
  GString *out = g_string_new (NULL);

  for (guint r = 0; r < plan->spread->len; r++)
    {
      const FleetSpreadRule *rule = g_ptr_array_index (plan->spread, r);
      g_autoptr(GPtrArray) values = fleet_wave_domain_values (plan, wave, rule->attribute);
      g_autofree char *attribute = fleet_escape_for_terminal (rule->attribute);
      guint shown = MIN (values->len, FLEET_SHOWN_DOMAINS_MAX);

      g_string_append_printf (out, "%s%s%s", r > 0 ? "; " : "", attribute,
                              values->len == 1 ? "" : "s");
      for (guint i = 0; i < shown; i++)
        {
          g_autofree char *value = fleet_escape_for_terminal (g_ptr_array_index (values, i));
          g_string_append_printf (out, " %s", value);
        }
      if (values->len > shown)
        g_string_append_printf (out, " and %u more", values->len - shown);
    }
  return g_string_free (out, FALSE);
}

char *
fleet_describe_halt (guint32 failed, guint32 unreachable)
{
  if (failed == FLEET_THRESHOLD_NEVER && unreachable == FLEET_THRESHOLD_NEVER)
    return g_strdup ("never halts on failures");
  if (failed == FLEET_THRESHOLD_NEVER)
    return g_strdup_printf ("halts at %u unreachable", unreachable);
  if (unreachable == FLEET_THRESHOLD_NEVER)
    return g_strdup_printf ("halts at %u failed", failed);
  return g_strdup_printf ("halts at %u failed or %u unreachable", failed, unreachable);
}

char *
fleet_describe_halt_rule (const FleetPlan *plan, FleetHaltRule rule)
{
  g_autofree char *threshold = fleet_threshold_to_string (&plan->halt_at[rule]);

  return g_strdup_printf ("%s%s", threshold, plan->halt_at_default[rule] ? " (default)" : "");
}

char *
fleet_describe_spread_rule (const FleetSpreadRule *rule, const char *attribute)
{
  guint32 value = rule->max_per_wave.value;

  if (rule->max_per_wave.kind == FLEET_THRESHOLD_PERCENT)
    return g_strdup_printf ("at most %u%% of the hosts of each %s in a wave (at least 1)", value,
                            attribute);
  return g_strdup_printf ("at most %u host%s per %s in a wave", value, value == 1 ? "" : "s",
                          attribute);
}

char *
fleet_describe_count (guint n, const char *noun)
{
  return g_strdup_printf ("%u %s%s", n, noun, n == 1 ? "" : "s");
}

void
fleet_append_duration (GString *out, guint64 ms)
{
  if (ms == 0)
    g_string_append (out, "none");
  else if (ms % 3600000 == 0)
    g_string_append_printf (out, "%" G_GUINT64_FORMAT "h", ms / 3600000);
  else if (ms % 60000 == 0)
    g_string_append_printf (out, "%" G_GUINT64_FORMAT "m", ms / 60000);
  else if (ms % 1000 == 0)
    g_string_append_printf (out, "%" G_GUINT64_FORMAT "s", ms / 1000);
  else
    g_string_append_printf (out, "%" G_GUINT64_FORMAT "ms", ms);
}

void
fleet_append_exit_codes (GString *out, const FleetStep *step)
{
  for (guint i = 0; i < step->expected_exit_codes->len; i++)
    g_string_append_printf (out, "%s%d", i > 0 ? "," : "",
                            g_array_index (step->expected_exit_codes, int, i));
}

/* Split `name` into the part before its trailing digits and their value.
 * Returns FALSE when it does not end with digits, or they do not fit. */
static gboolean
split_number (const char *name, gsize *out_prefix_length, guint64 *out_number,
              gsize *out_digits)
{
  gsize length = strlen (name);
  gsize start = length;

  while (start > 0 && g_ascii_isdigit (name[start - 1]))
    start--;
  if (start == length || length - start > 18)
    return FALSE;

  *out_prefix_length = start;
  *out_digits = length - start;
  *out_number = g_ascii_strtoull (name + start, NULL, 10);
  return TRUE;
}

/* Return whether `next` follows `previous` in a run: the same prefix, as
 * many digits, and the number one higher. */
static gboolean
follows (const char *previous, const char *next)
{
  gsize previous_prefix, next_prefix, previous_digits, next_digits;
  guint64 previous_number, next_number;

  return split_number (previous, &previous_prefix, &previous_number, &previous_digits)
         && split_number (next, &next_prefix, &next_number, &next_digits)
         && previous_prefix == next_prefix && previous_digits == next_digits
         && strncmp (previous, next, previous_prefix) == 0
         && next_number == previous_number + 1;
}

char *
fleet_describe_host_list (const char * const *names, guint n)
{
  GString *out = g_string_new (NULL);
  guint i = 0;

  while (i < n)
    {
      guint last = i;

      while (last + 1 < n && follows (names[last], names[last + 1]))
        last++;

      if (out->len > 0)
        g_string_append (out, ", ");
      g_string_append (out, names[i]);
      if (last > i)
        g_string_append_printf (out, "%s%s", last == i + 1 ? ", " : "..", names[last]);
      i = last + 1;
    }
  return g_string_free (out, FALSE);
}

char *
fleet_describe_barrier (const FleetStepBarrier *barrier)
{
  guint n_hosts = barrier->hosts != NULL ? barrier->hosts->len : 0;
  GString *out = g_string_new (NULL);

  g_string_append_printf (out, "waits until %s finished on every host of group %s (%u host%s",
                          barrier->step, barrier->group, n_hosts, fleet_plural_s (n_hosts));
  for (guint h = 0; h < n_hosts && h < FLEET_SHOWN_BARRIER_HOSTS_MAX; h++)
    g_string_append_printf (out, "%s%s", h == 0 ? ": " : " ",
                            (const char *) g_ptr_array_index (barrier->hosts, h));
  g_string_append (out, n_hosts > FLEET_SHOWN_BARRIER_HOSTS_MAX ? " ...)" : ")");
  return g_string_free (out, FALSE);
}

void
fleet_host_groups_init (FleetHostGroups *groups)
{
  groups->values = g_ptr_array_new ();
  groups->hosts_by_value = g_hash_table_new_full (g_str_hash, g_str_equal, NULL,
                                                  (GDestroyNotify) g_ptr_array_unref);
}

void
fleet_host_groups_clear (FleetHostGroups *groups)
{
  g_clear_pointer (&groups->values, g_ptr_array_unref);
  g_clear_pointer (&groups->hosts_by_value, g_hash_table_unref);
}

void
fleet_host_groups_add (FleetHostGroups *groups, const char *value, const char *host)
{
  GPtrArray *hosts = g_hash_table_lookup (groups->hosts_by_value, value);

  if (hosts == NULL)
    {
      hosts = g_ptr_array_new ();
      g_hash_table_insert (groups->hosts_by_value, (gpointer) value, hosts);
      g_ptr_array_add (groups->values, (gpointer) value);
    }
  g_ptr_array_add (hosts, (gpointer) host);
}

char *
fleet_host_groups_describe (const FleetHostGroups *groups, const char *value)
{
  GPtrArray *hosts = g_hash_table_lookup (groups->hosts_by_value, value);
  g_autofree char *list = fleet_describe_host_list ((const char * const *) hosts->pdata,
                                                    hosts->len);

  if (hosts->len == 1)
    return g_steal_pointer (&list);
  return g_strdup_printf ("%s (%u hosts)", list, hosts->len);
}
