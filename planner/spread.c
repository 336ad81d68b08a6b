/* spread.c: failure-domain caps and the greedy wave filler.
 *
 * Filling scans the pending hosts once per wave, so planning n hosts into
 * w waves costs O(n * w) cap checks at most; bench/plan measures it.
 */
#include "planner/spread.h"

#include "planner/host-list.h"
#include "schema/fleet-diagnostics.h"

/* Characters of an attribute value shown in a message. */
#define VALUE_MAX_CHARS 60

typedef struct {
  const FleetSpread *rule;
  guint *domain_of_host;         /* host index -> domain index */
  GPtrArray *domain_values;      /* const char *, borrowed from the hosts */
  guint *cap;                    /* domain index -> most hosts in one wave */
  guint *count;                  /* domain index -> hosts in the wave being built */
} RuleCaps;

struct FleetSpreadCaps {
  const GPtrArray *hosts;
  GArray *rules;                 /* RuleCaps */
};

static void
rule_caps_init (RuleCaps *caps, const FleetSpread *rule, const GPtrArray *hosts)
{
  g_autoptr(GHashTable) domains = g_hash_table_new (g_str_hash, g_str_equal);
  g_autofree guint *domain_sizes = NULL;

  caps->rule = rule;
  caps->domain_of_host = g_new (guint, MAX (hosts->len, 1));
  caps->domain_values = g_ptr_array_new ();

  for (guint i = 0; i < hosts->len; i++)
    {
      const FleetHost *host = g_ptr_array_index (hosts, i);
      const char *value = g_hash_table_lookup (host->attributes, rule->attribute);
      gpointer index;

      g_return_if_fail (value != NULL);
      if (!g_hash_table_lookup_extended (domains, value, NULL, &index))
        {
          index = GUINT_TO_POINTER (caps->domain_values->len);
          g_hash_table_insert (domains, (gpointer) value, index);
          g_ptr_array_add (caps->domain_values, (gpointer) value);
        }
      caps->domain_of_host[i] = GPOINTER_TO_UINT (index);
    }

  domain_sizes = g_new0 (guint, MAX (caps->domain_values->len, 1));
  for (guint i = 0; i < hosts->len; i++)
    domain_sizes[caps->domain_of_host[i]]++;

  caps->cap = g_new (guint, MAX (caps->domain_values->len, 1));
  caps->count = g_new0 (guint, MAX (caps->domain_values->len, 1));
  for (guint d = 0; d < caps->domain_values->len; d++)
    caps->cap[d] = fleet_threshold_resolve (&rule->max_per_wave, domain_sizes[d]);
}

static void
rule_caps_clear (RuleCaps *caps)
{
  g_free (caps->domain_of_host);
  g_ptr_array_unref (caps->domain_values);
  g_free (caps->cap);
  g_free (caps->count);
}

FleetSpreadCaps *
fleet_spread_caps_new (const GPtrArray *rules, const GPtrArray *hosts)
{
  FleetSpreadCaps *caps = g_new0 (FleetSpreadCaps, 1);

  caps->hosts = hosts;
  caps->rules = g_array_sized_new (FALSE, TRUE, sizeof (RuleCaps), rules->len);
  g_array_set_size (caps->rules, rules->len);
  for (guint r = 0; r < rules->len; r++)
    rule_caps_init (&g_array_index (caps->rules, RuleCaps, r), g_ptr_array_index (rules, r),
                    hosts);
  return caps;
}

void
fleet_spread_caps_free (FleetSpreadCaps *caps)
{
  if (caps == NULL)
    return;

  for (guint r = 0; r < caps->rules->len; r++)
    rule_caps_clear (&g_array_index (caps->rules, RuleCaps, r));
  g_array_unref (caps->rules);
  g_free (caps);
}

static gboolean
host_fits (const FleetSpreadCaps *caps, guint host)
{
  for (guint r = 0; r < caps->rules->len; r++)
    {
      const RuleCaps *rule = &g_array_index (caps->rules, RuleCaps, r);
      guint domain = rule->domain_of_host[host];

      if (rule->count[domain] >= rule->cap[domain])
        return FALSE;
    }
  return TRUE;
}

static void
count_host (FleetSpreadCaps *caps, guint host, int delta)
{
  for (guint r = 0; r < caps->rules->len; r++)
    {
      RuleCaps *rule = &g_array_index (caps->rules, RuleCaps, r);

      rule->count[rule->domain_of_host[host]] += delta;
    }
}

static void
uncount_wave (FleetSpreadCaps *caps, const GArray *wave)
{
  for (guint i = 0; i < wave->len; i++)
    count_host (caps, g_array_index (wave, guint, i), -1);
}

GArray *
fleet_spread_fill_wave (FleetSpreadCaps *caps, GArray *pending, guint size)
{
  GArray *wave = g_array_new (FALSE, FALSE, sizeof (guint));
  guint kept = 0;
  guint i = 0;

  for (; i < pending->len && wave->len < size; i++)
    {
      guint host = g_array_index (pending, guint, i);

      if (host_fits (caps, host))
        {
          g_array_append_val (wave, host);
          count_host (caps, host, +1);
        }
      else
        g_array_index (pending, guint, kept++) = host;
    }

  /* The hosts after the last one scanned keep their order behind the ones
   * that did not fit. */
  for (; i < pending->len; i++)
    g_array_index (pending, guint, kept++) = g_array_index (pending, guint, i);
  g_array_set_size (pending, kept);

  uncount_wave (caps, wave);
  return wave;
}

static char *
describe_excess (const FleetSpreadCaps *caps, const RuleCaps *rule, guint domain,
                 const GArray *wave)
{
  g_autoptr(GPtrArray) members = g_ptr_array_new ();
  g_autofree char *names = NULL;
  g_autofree char *value = fleet_quote_value (g_ptr_array_index (rule->domain_values, domain),
                                              VALUE_MAX_CHARS);
  g_autofree char *limit = fleet_threshold_to_string (&rule->rule->max_per_wave);

  for (guint i = 0; i < wave->len; i++)
    {
      guint host = g_array_index (wave, guint, i);

      if (rule->domain_of_host[host] == domain)
        g_ptr_array_add (members, g_ptr_array_index (caps->hosts, host));
    }
  names = fleet_describe_hosts (members);
  return g_strdup_printf ("%u of them have %s %s (%s), but spread by %s allows %u per wave "
                          "(max_per_wave %s)", members->len, rule->rule->attribute, value,
                          names, rule->rule->attribute, rule->cap[domain], limit);
}

gboolean
fleet_spread_check_wave (FleetSpreadCaps *caps, const GArray *wave, char **out_problem)
{
  gboolean fits = TRUE;

  for (guint i = 0; i < wave->len; i++)
    count_host (caps, g_array_index (wave, guint, i), +1);

  for (guint r = 0; r < caps->rules->len && fits; r++)
    {
      const RuleCaps *rule = &g_array_index (caps->rules, RuleCaps, r);

      for (guint i = 0; i < wave->len && fits; i++)
        {
          guint domain = rule->domain_of_host[g_array_index (wave, guint, i)];

          if (rule->count[domain] > rule->cap[domain])
            {
              *out_problem = describe_excess (caps, rule, domain, wave);
              fits = FALSE;
            }
        }
    }

  uncount_wave (caps, wave);
  return fits;
}
