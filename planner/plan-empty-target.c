/* plan-empty-target.c: where a target lost its last host; see
 * plan-empty-target.h. */
#include "planner/plan-empty-target.h"

#include "schema/fleet-text.h"

/* Maximum characters of a value quoted in a message. */
#define QUOTE_MAX_CHARS 60

static gboolean
host_has_value (const FleetHost *host, const char *attribute, const char *value)
{
  return g_strcmp0 (g_hash_table_lookup (host->attributes, attribute), value) == 0;
}

gboolean
fleet_host_has_match_values (const FleetHost *host, GHashTable *match)
{
  GHashTableIter iter;
  gpointer attribute, value;

  g_hash_table_iter_init (&iter, match);
  while (g_hash_table_iter_next (&iter, &attribute, &value))
    if (!host_has_value (host, attribute, value))
      return FALSE;
  return TRUE;
}

/* Return where the value of `attribute` in `match` is, or the target's
 * position when it was not recorded. */
static const FleetSourcePos *
match_position (const FleetTarget *target, const char *attribute)
{
  const FleetSourcePos *pos = g_hash_table_lookup (target->match_positions, attribute);

  return pos != NULL ? pos : &target->pos;
}

static int
compare_positions (const FleetSourcePos *a, const FleetSourcePos *b)
{
  if (a->line != b->line)
    return a->line < b->line ? -1 : 1;
  if (a->column != b->column)
    return a->column < b->column ? -1 : 1;
  return 0;
}

/* Return the `match` attribute to blame: the first in file order that no
 * host of `hosts` has, else the first in file order.  Borrowed. */
static const char *
blamed_attribute (const FleetTarget *target, const GPtrArray *hosts)
{
  GHashTableIter iter;
  gpointer attribute, value;
  const char *first = NULL;
  const char *first_unmatched = NULL;

  g_hash_table_iter_init (&iter, target->match);
  while (g_hash_table_iter_next (&iter, &attribute, &value))
    {
      const FleetSourcePos *pos = match_position (target, attribute);
      gboolean any = FALSE;

      for (guint i = 0; i < hosts->len && !any; i++)
        any = host_has_value (g_ptr_array_index (hosts, i), attribute, value);

      if (first == NULL || compare_positions (pos, match_position (target, first)) < 0)
        first = attribute;
      if (!any && (first_unmatched == NULL
                   || compare_positions (pos, match_position (target, first_unmatched)) < 0))
        first_unmatched = attribute;
    }
  return first_unmatched != NULL ? first_unmatched : first;
}

static int
compare_strings (gconstpointer a, gconstpointer b, gpointer unused)
{
  return g_strcmp0 (*(const char * const *) a, *(const char * const *) b);
}

/* Return the distinct values of `attribute` among `hosts`, sorted and
 * joined by ", ", or "none" when no host has it. */
static char *
describe_values (const GPtrArray *hosts, const char *attribute)
{
  g_autoptr(GHashTable) seen = g_hash_table_new (g_str_hash, g_str_equal);
  g_autofree const char **values = NULL;

  for (guint i = 0; i < hosts->len; i++)
    {
      const char *value = g_hash_table_lookup (((const FleetHost *) g_ptr_array_index (hosts, i))
                                                 ->attributes, attribute);

      if (value != NULL)
        g_hash_table_add (seen, (gpointer) value);
    }
  if (g_hash_table_size (seen) == 0)
    return g_strdup ("none");

  values = (const char **) g_hash_table_get_keys_as_array (seen, NULL);
  g_qsort_with_data (values, g_hash_table_size (seen), sizeof (char *), compare_strings, NULL);
  return g_strjoinv (", ", (char **) values);
}

static void
report_match (const FleetWorkflow *workflow, const GPtrArray *named, FleetDiagnostics *diags)
{
  const FleetTarget *target = &workflow->target;
  const char *attribute = blamed_attribute (target, named);
  const char *value = g_hash_table_lookup (target->match, attribute);
  g_autofree char *quoted_value = fleet_quote_value (value, QUOTE_MAX_CHARS);
  g_autofree char *values = describe_values (named, attribute);
  gboolean alone = FALSE;

  for (guint i = 0; i < named->len && !alone; i++)
    alone = host_has_value (g_ptr_array_index (named, i), attribute, value);

  if (alone)
    fleet_diagnostics_error (diags, match_position (target, attribute),
                             "\"match\" keeps none of the %u host%s the target names: some have "
                             "%s = %s, but none has every value of \"match\"; check the values",
                             named->len, fleet_plural_s (named->len), attribute, quoted_value);
  else
    fleet_diagnostics_error (diags, match_position (target, attribute),
                             "\"match\" keeps none of the %u host%s the target names: none has "
                             "%s = %s (their %s values: %s); check the value", named->len,
                             fleet_plural_s (named->len), attribute, quoted_value, attribute, values);
}

void
fleet_planner_report_empty_target (const FleetWorkflow *workflow, const GPtrArray *named,
                                   FleetDiagnostics *diags)
{
  const FleetTarget *target = &workflow->target;
  gboolean matched = FALSE;

  for (guint i = 0; i < named->len && !matched; i++)
    matched = fleet_host_has_match_values (g_ptr_array_index (named, i), target->match);

  if (named->len > 0 && !matched && target->match_positions != NULL
      && g_hash_table_size (target->match) > 0)
    {
      report_match (workflow, named, diags);
      return;
    }

  if (matched && target->where != NULL)
    {
      fleet_diagnostics_error (diags, &target->where->pos,
                               "the target's \"where\" is true for none of the hosts the target "
                               "names%s; check the expression",
                               g_hash_table_size (target->match) > 0 ? " and \"match\" keeps"
                                                                     : "");
      return;
    }

  fleet_diagnostics_error (diags, &target->pos,
                           "the target selects no hosts from the %u in the inventory; "
                           "check the group names, the match values and the where "
                           "expression", workflow->inventory->hosts->len);
}
