/* stages.c: the stages of `order`. */
#include "planner/stages.h"

#include <string.h>

#include "planner/host-list.h"

/* Characters of a stage value shown in a message. */
#define VALUE_MAX_CHARS 60

FleetStage *
fleet_stage_new (const char *name)
{
  FleetStage *stage = g_new0 (FleetStage, 1);

  stage->name = g_strdup (name);
  stage->hosts = g_ptr_array_new ();
  return stage;
}

void
fleet_stage_free (FleetStage *stage)
{
  if (stage == NULL)
    return;

  g_free (stage->name);
  g_ptr_array_unref (stage->hosts);
  g_free (stage);
}

static int
compare_strings (gconstpointer a, gconstpointer b)
{
  return strcmp (*(const char * const *) a, *(const char * const *) b);
}

/* Return the stage names: the sequence, or else every value of the hosts
 * (their groups, or their values of order->by, which each host has),
 * sorted. */
static GPtrArray *
stage_names (const FleetOrder *order, const GPtrArray *selected, gboolean by_group)
{
  g_autoptr(GHashTable) seen = NULL;
  GPtrArray *names = g_ptr_array_new ();

  if (order->sequence->len > 0)
    {
      for (guint i = 0; i < order->sequence->len; i++)
        g_ptr_array_add (names, g_ptr_array_index (order->sequence, i));
      return names;
    }

  seen = g_hash_table_new (g_str_hash, g_str_equal);
  for (guint i = 0; i < selected->len; i++)
    {
      const FleetHost *host = g_ptr_array_index (selected, i);

      if (by_group)
        for (guint g = 0; g < host->groups->len; g++)
          g_hash_table_add (seen, g_ptr_array_index (host->groups, g));
      else
        g_hash_table_add (seen, g_hash_table_lookup (host->attributes, order->by));
    }

  {
    GHashTableIter iter;
    gpointer name;

    g_hash_table_iter_init (&iter, seen);
    while (g_hash_table_iter_next (&iter, &name, NULL))
      g_ptr_array_add (names, name);
  }
  g_ptr_array_sort (names, compare_strings);
  return names;
}

/* Return the index in `names` of the stage of `host`, or -1. */
static gint
stage_of_host (const FleetHost *host, const char *by, gboolean by_group, GHashTable *index_of)
{
  gpointer index;

  if (!by_group)
    {
      const char *value = g_hash_table_lookup (host->attributes, by);

      if (value == NULL || !g_hash_table_lookup_extended (index_of, value, NULL, &index))
        return -1;
      return GPOINTER_TO_INT (index);
    }

  {
    gint best = -1;

    for (guint g = 0; g < host->groups->len; g++)
      if (g_hash_table_lookup_extended (index_of, g_ptr_array_index (host->groups, g), NULL,
                                        &index)
          && (best < 0 || GPOINTER_TO_INT (index) < best))
        best = GPOINTER_TO_INT (index);
    return best;
  }
}

static void
report_unstaged (FleetDiagnostics *diags, const FleetOrder *order, gboolean by_group,
                 const GPtrArray *unstaged, guint n_selected)
{
  g_autofree char *names = fleet_describe_hosts (unstaged);
  g_autofree char *by = fleet_quote_value (order->by, VALUE_MAX_CHARS);

  if (by_group && order->sequence->len == 0)
    fleet_diagnostics_error (diags, &order->pos,
                             "%u of the %u selected hosts are in no inventory group, so they "
                             "belong to no stage: %s; add them to a group, or leave them out of "
                             "the target", unstaged->len, n_selected, names);
  else if (by_group)
    fleet_diagnostics_error (diags, &order->pos,
                             "%u of the %u selected hosts are in no group of the order: %s; add "
                             "one of their groups to \"sequence\", or leave them out of the "
                             "target", unstaged->len, n_selected, names);
  else
    fleet_diagnostics_error (diags, &order->pos,
                             "%u of the %u selected hosts have a value of %s that \"sequence\" "
                             "does not list: %s; add their values to \"sequence\", or leave "
                             "them out of the target", unstaged->len, n_selected, by, names);
}

static void
warn_empty_stages (FleetDiagnostics *diags, const FleetOrder *order, const GPtrArray *stages)
{
  for (guint i = 0; i < stages->len; i++)
    {
      const FleetStage *stage = g_ptr_array_index (stages, i);
      g_autofree char *quoted = NULL;

      if (stage->hosts->len > 0)
        continue;

      quoted = fleet_quote_value (stage->name, VALUE_MAX_CHARS);
      fleet_diagnostics_warning (diags, g_hash_table_lookup (order->positions, stage->name),
                                 "no selected host belongs to stage %s, so the plan skips it",
                                 quoted);
    }
}

GPtrArray *
fleet_planner_split_stages (const FleetWorkflow *workflow,
                            const GPtrArray *selected,
                            FleetDiagnostics *diags)
{
  const FleetOrder *order = &workflow->order;
  gboolean by_group;
  g_autoptr(GPtrArray) stages = g_ptr_array_new_with_free_func ((GDestroyNotify) fleet_stage_free);
  g_autoptr(GPtrArray) names = NULL;
  g_autoptr(GHashTable) index_of = NULL;
  g_autoptr(GPtrArray) unstaged = g_ptr_array_new ();

  if (order->by == NULL)
    {
      FleetStage *only = fleet_stage_new (NULL);

      g_ptr_array_extend (only->hosts, (GPtrArray *) selected, NULL, NULL);
      g_ptr_array_add (stages, only);
      return g_steal_pointer (&stages);
    }

  by_group = g_str_equal (order->by, FLEET_ORDER_BY_GROUP);
  if (!by_group && !fleet_check_hosts_have_attribute (diags, &order->pos, selected, order->by,
                                                      "order"))
    return NULL;

  names = stage_names (order, selected, by_group);
  index_of = g_hash_table_new (g_str_hash, g_str_equal);
  for (guint i = 0; i < names->len; i++)
    {
      g_hash_table_insert (index_of, g_ptr_array_index (names, i), GINT_TO_POINTER (i));
      g_ptr_array_add (stages, fleet_stage_new (g_ptr_array_index (names, i)));
    }

  for (guint i = 0; i < selected->len; i++)
    {
      FleetHost *host = g_ptr_array_index (selected, i);
      gint stage = stage_of_host (host, order->by, by_group, index_of);

      if (stage < 0)
        g_ptr_array_add (unstaged, host);
      else
        g_ptr_array_add (((FleetStage *) g_ptr_array_index (stages, stage))->hosts, host);
    }

  if (unstaged->len > 0)
    {
      report_unstaged (diags, order, by_group, unstaged, selected->len);
      return NULL;
    }

  warn_empty_stages (diags, order, stages);
  for (guint i = stages->len; i > 0; i--)
    if (((FleetStage *) g_ptr_array_index (stages, i - 1))->hosts->len == 0)
      g_ptr_array_remove_index (stages, i - 1);
  return g_steal_pointer (&stages);
}
