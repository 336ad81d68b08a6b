/* wave-builder.c: canaries, batches and spread within one stage. */
#include "planner/wave-builder.h"

#include "planner/fleet-planner.h"
#include "planner/spread.h"

/* Characters of a stage name shown in a message. */
#define VALUE_MAX_CHARS 60

void
fleet_planned_wave_free (FleetPlannedWave *wave)
{
  if (wave == NULL)
    return;

  g_ptr_array_unref (wave->hosts);
  g_free (wave->stage);
  g_free (wave);
}

/* Return " in stage \"db\"", or "" without stages, for messages. */
static char *
describe_stage (const FleetStage *stage)
{
  g_autofree char *quoted = NULL;

  if (stage->name == NULL)
    return g_strdup ("");
  quoted = fleet_quote_value (stage->name, VALUE_MAX_CHARS);
  return g_strdup_printf (" in stage %s", quoted);
}

/* Return the spread rules as "rack at most 1, dc at most 25%". */
static char *
describe_spread (const GPtrArray *rules)
{
  GString *out = g_string_new (NULL);

  for (guint i = 0; i < rules->len; i++)
    {
      const FleetSpread *rule = g_ptr_array_index (rules, i);
      g_autofree char *limit = fleet_threshold_to_string (&rule->max_per_wave);

      g_string_append_printf (out, "%s%s at most %s", i > 0 ? ", " : "", rule->attribute, limit);
    }
  return g_string_free (out, FALSE);
}

static void
append_wave (GPtrArray *out, const FleetStage *stage, const GArray *indices, gboolean canary)
{
  FleetPlannedWave *wave = g_new0 (FleetPlannedWave, 1);

  wave->hosts = g_ptr_array_sized_new (indices->len);
  wave->stage = g_strdup (stage->name);
  wave->canary = canary;
  for (guint i = 0; i < indices->len; i++)
    g_ptr_array_add (wave->hosts, g_ptr_array_index (stage->hosts,
                                                     g_array_index (indices, guint, i)));
  g_ptr_array_add (out, wave);
}

/* The canaries of a count: the first hosts that fit in one wave. */
static void
pick_canary_count (const FleetWorkflow *workflow, const FleetStage *stage, FleetSpreadCaps *caps,
                   GArray *pending, GPtrArray *out, FleetDiagnostics *diags)
{
  g_autoptr(GArray) canaries = fleet_spread_fill_wave (caps, pending, workflow->canary.count);
  guint requested = MIN (workflow->canary.count, stage->hosts->len);

  if (canaries->len < requested)
    {
      g_autofree char *where = describe_stage (stage);
      g_autofree char *spread = describe_spread (workflow->spread);

      fleet_diagnostics_warning (diags, &workflow->canary.pos,
                                 "canary: %u gets %u hosts%s, because spread (%s) allows no "
                                 "more of them in one wave", workflow->canary.count,
                                 canaries->len, where, spread);
    }
  append_wave (out, stage, canaries, TRUE);
}

/* The canaries named by `hosts` or `where`, which must respect the caps. */
static gboolean
pick_canary_set (const FleetWorkflow *workflow, const FleetStage *stage, FleetSpreadCaps *caps,
                 GHashTable *canary_hosts, GArray *pending, GPtrArray *out,
                 FleetDiagnostics *diags)
{
  g_autoptr(GArray) canaries = g_array_new (FALSE, FALSE, sizeof (guint));
  g_autofree char *problem = NULL;
  guint n_others = 0;

  for (guint i = 0; i < pending->len; i++)
    {
      guint host = g_array_index (pending, guint, i);

      if (g_hash_table_contains (canary_hosts, g_ptr_array_index (stage->hosts, host)))
        g_array_append_val (canaries, host);
      else
        g_array_index (pending, guint, n_others++) = host;
    }
  g_array_set_size (pending, n_others);

  if (canaries->len == 0)
    return TRUE;

  if (!fleet_spread_check_wave (caps, canaries, &problem))
    {
      g_autofree char *where = describe_stage (stage);

      fleet_diagnostics_error (diags, &workflow->canary.pos,
                               "the %u canaries%s break the spread: %s; pick canaries in "
                               "different domains, or raise max_per_wave",
                               canaries->len, where, problem);
      return FALSE;
    }

  append_wave (out, stage, canaries, TRUE);
  return TRUE;
}

gboolean
fleet_planner_plan_stage (const FleetWorkflow *workflow,
                          const FleetStage *stage,
                          GHashTable *canary_hosts,
                          const FleetSourcePos *waves_pos,
                          GPtrArray *out,
                          FleetDiagnostics *diags)
{
  g_autoptr(FleetSpreadCaps) caps = fleet_spread_caps_new (workflow->spread, stage->hosts);
  g_autoptr(GArray) pending = g_array_sized_new (FALSE, FALSE, sizeof (guint), stage->hosts->len);
  g_autoptr(GArray) sizes = NULL;
  g_autofree char *where = describe_stage (stage);
  guint n_dropped = 0;
  guint n_batch_waves;
  guint n_added = 0;
  guint n_batch_hosts = 0;
  guint n_batch_total;

  for (guint i = 0; i < stage->hosts->len; i++)
    g_array_append_val (pending, i);

  if (workflow->canary.kind == FLEET_CANARY_COUNT)
    pick_canary_count (workflow, stage, caps, pending, out, diags);
  else if (canary_hosts != NULL
           && !pick_canary_set (workflow, stage, caps, canary_hosts, pending, out, diags))
    return FALSE;

  if (workflow->canary.kind != FLEET_CANARY_NONE && pending->len == 0)
    fleet_diagnostics_warning (diags, &workflow->canary.pos,
                               "the canaries are all %u hosts%s, so no wave follows them there",
                               stage->hosts->len, where);
  if (pending->len == 0)
    return TRUE;

  n_batch_total = pending->len;
  sizes = fleet_planner_split_waves (workflow->batches, pending->len, waves_pos, &n_dropped, diags);
  if (sizes == NULL)
    return FALSE;

  if (n_dropped > 0)
    fleet_diagnostics_warning (diags, waves_pos,
                               "%u of the %u wave sizes get no hosts%s because the earlier "
                               "waves already place %s %u host%s", n_dropped,
                               workflow->batches->len, where, n_batch_total == 1 ? "its" : "all",
                               n_batch_total, n_batch_total == 1 ? "" : "s");

  n_batch_waves = sizes->len;
  for (guint i = 0; pending->len > 0; i++)
    {
      guint size = g_array_index (sizes, guint, MIN (i, sizes->len - 1));
      g_autoptr(GArray) wave = fleet_spread_fill_wave (caps, pending, size);

      append_wave (out, stage, wave, FALSE);
      if (i < n_batch_waves)
        n_batch_hosts += wave->len;
      else
        n_added++;
    }

  if (n_added > 0 && workflow->spread->len > 0)
    {
      const FleetSpread *first = g_ptr_array_index (workflow->spread, 0);
      g_autofree char *spread = describe_spread (workflow->spread);
      guint n_left_over = n_batch_total - n_batch_hosts;

      fleet_diagnostics_warning (diags, &first->pos,
                                 "spread (%s) fits %u of the %u hosts%s into the %u wave%s that "
                                 "\"waves\" gives; %u more wave%s take%s the other %u host%s, "
                                 "%u waves in all",
                                 spread, n_batch_hosts, n_batch_total, where, n_batch_waves,
                                 n_batch_waves == 1 ? "" : "s", n_added, n_added == 1 ? "" : "s",
                                 n_added == 1 ? "s" : "", n_left_over,
                                 n_left_over == 1 ? "" : "s", n_batch_waves + n_added);
    }
  return TRUE;
}
