/* fleet-planner.c: host selection and wave arithmetic.
 *
 * Invariants of every plan built here: each selected host appears in exactly
 * one wave; waves are non-empty; hosts keep inventory order inside and across
 * waves, so the same workflow and inventory always give the same plan.
 */
#include "planner/fleet-planner.h"

#include "planner/plan-commands.h"
#include "planner/plan-conditions.h"
#include "planner/plan-hosts.h"

static gboolean
host_in_named_group (const FleetHost *host, const GPtrArray *groups)
{
  for (guint i = 0; i < groups->len; i++)
    for (guint j = 0; j < host->groups->len; j++)
      if (g_str_equal (g_ptr_array_index (groups, i), g_ptr_array_index (host->groups, j)))
        return TRUE;

  return FALSE;
}

static gboolean
host_named (const FleetHost *host, const GPtrArray *names)
{
  for (guint i = 0; i < names->len; i++)
    if (g_str_equal (g_ptr_array_index (names, i), host->name))
      return TRUE;

  return FALSE;
}

static gboolean
host_matches_attributes (const FleetHost *host, GHashTable *match)
{
  GHashTableIter iter;
  gpointer key, expected;

  g_hash_table_iter_init (&iter, match);
  while (g_hash_table_iter_next (&iter, &key, &expected))
    {
      const char *actual = g_hash_table_lookup (host->attributes, key);

      if (actual == NULL || !g_str_equal (actual, expected))
        return FALSE;
    }

  return TRUE;
}

GPtrArray *
fleet_planner_select_hosts (const FleetWorkflow *workflow)
{
  const FleetTarget *target = &workflow->target;
  GPtrArray *selected = g_ptr_array_new ();
  gboolean by_name = target->groups->len > 0 || target->hosts->len > 0;

  for (guint i = 0; i < workflow->inventory->hosts->len; i++)
    {
      FleetHost *host = g_ptr_array_index (workflow->inventory->hosts, i);
      gboolean chosen = target->all
                        || (by_name && (host_named (host, target->hosts)
                                        || host_in_named_group (host, target->groups)))
                        || (!target->all && !by_name);

      if (chosen && host_matches_attributes (host, target->match))
        g_ptr_array_add (selected, host);
    }

  return selected;
}

/* Return the size of one batch over `n_hosts`: a count as given, a
 * percentage rounded up.  The product cannot overflow: n_hosts fits in guint
 * and value is at most 100, computed in 64 bits. */
static guint
batch_size (const FleetBatch *batch, guint n_hosts)
{
  if (batch->kind == FLEET_BATCH_COUNT)
    return batch->value;

  return (guint) (((guint64) n_hosts * batch->value + 99) / 100);
}

GArray *
fleet_planner_split_waves (const GArray *batches,
                           guint n_hosts,
                           const FleetSourcePos *waves_pos,
                           guint *out_n_dropped,
                           FleetDiagnostics *diags)
{
  g_autoptr(GArray) sizes = g_array_new (FALSE, FALSE, sizeof (guint));
  guint placed = 0;
  guint dropped = 0;

  for (guint i = 0; i < batches->len; i++)
    {
      const FleetBatch *batch = &g_array_index (batches, FleetBatch, i);
      guint size = MIN (batch_size (batch, n_hosts), n_hosts - placed);

      if (size == 0)
        {
          dropped++;
          continue;
        }

      g_array_append_val (sizes, size);
      placed += size;
    }

  if (placed < n_hosts)
    {
      fleet_diagnostics_error (diags, waves_pos,
                               "the waves place %u of the %u selected hosts, leaving %u "
                               "without a wave; end the list with 100%%",
                               placed, n_hosts, n_hosts - placed);
      return NULL;
    }

  if (out_n_dropped != NULL)
    *out_n_dropped = dropped;
  return g_steal_pointer (&sizes);
}

static FleetSourcePos
waves_position (const FleetWorkflow *workflow)
{
  if (workflow->batches->len > 0)
    return g_array_index (workflow->batches, FleetBatch, 0).pos;
  return workflow->pos;
}

FleetPlan *
fleet_planner_build (const FleetWorkflow *workflow, FleetDiagnostics *diags)
{
  g_autoptr(FleetPlan) plan = fleet_plan_new ();
  g_autoptr(GPtrArray) selected = fleet_planner_select_hosts (workflow);
  g_autoptr(GArray) sizes = NULL;
  FleetSourcePos waves_pos = waves_position (workflow);
  guint n_dropped = 0;
  guint next_host = 0;

  if (selected->len == 0)
    {
      fleet_diagnostics_error (diags, &workflow->target.pos,
                               "the target selects no hosts from the %u in the inventory; "
                               "check the group names and the match values",
                               workflow->inventory->hosts->len);
      return NULL;
    }

  sizes = fleet_planner_split_waves (workflow->batches, selected->len, &waves_pos,
                                     &n_dropped, diags);
  if (sizes == NULL)
    return NULL;

  if (n_dropped > 0)
    fleet_diagnostics_warning (diags, &waves_pos,
                               "%u of the %u wave sizes get no hosts because the earlier "
                               "waves already place all %u selected hosts",
                               n_dropped, workflow->batches->len, selected->len);

  plan->workflow_name = g_strdup (workflow->name);
  plan->workflow_source = g_strdup (workflow->source);
  plan->workflow_sha256 = g_strdup (workflow->source_sha256);
  plan->inventory_source = g_strdup (workflow->inventory->source);
  plan->inventory_sha256 = fleet_hosts_digest (workflow->inventory->hosts,
                                               workflow->inventory->jump_hosts);
  plan->ssh_config_path = g_strdup (workflow->inventory->ssh_config_path);
  for (guint i = 0; i < workflow->inventory->ssh_config_sources->len; i++)
    {
      const FleetSourceFile *file = g_ptr_array_index (workflow->inventory->ssh_config_sources, i);

      g_ptr_array_add (plan->ssh_config_sources, fleet_source_file_new (file->path, file->sha256));
    }
  for (guint i = 0; i < workflow->inventory->files->len; i++)
    g_ptr_array_add (plan->inventory_files,
                     fleet_inventory_file_copy (g_ptr_array_index (workflow->inventory->files, i)));
  plan->parallelism = workflow->parallelism;
  if (workflow->snapshot != NULL)
    plan->snapshot = fleet_snapshot_config_copy (workflow->snapshot);

  for (guint i = 0; i < selected->len; i++)
    g_ptr_array_add (plan->hosts, fleet_host_copy (g_ptr_array_index (selected, i)));

  fleet_planner_add_jump_hosts (plan, workflow->inventory);
  if (!fleet_planner_report_host_problems (plan, workflow->inventory, diags))
    return NULL;

  for (guint i = 0; i < workflow->steps->len; i++)
    g_ptr_array_add (plan->steps, fleet_step_copy (g_ptr_array_index (workflow->steps, i)));
  /* Conditions first: a host that skips a step needs no values for its
   * command. */
  if (!fleet_planner_decide_conditions (plan, workflow, diags)
      || !fleet_planner_render_commands (plan, workflow, diags))
    return NULL;

  for (guint i = 0; i < sizes->len; i++)
    {
      FleetWave *wave = fleet_wave_new ();

      for (guint j = 0; j < g_array_index (sizes, guint, i); j++)
        {
          guint32 index = next_host++;
          g_array_append_val (wave->host_indices, index);
        }
      g_ptr_array_add (plan->waves, wave);
    }

  return g_steal_pointer (&plan);
}
