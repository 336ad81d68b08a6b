/* fleet-planner.c: host selection, wave arithmetic, and the plan.
 *
 * Invariants of every plan built here: each selected host appears in exactly
 * one wave, and waves are non-empty.  The hosts of a plan are in inventory
 * order.  The waves are built from them by deterministic rules: stages in
 * order, then each stage's canaries and batches, filled in inventory order
 * under the spread caps.  So the same workflow and inventory always give
 * the same plan.
 */
#include "planner/fleet-planner.h"

#include "planner/plan-checks.h"
#include "planner/plan-commands.h"
#include "planner/plan-files.h"
#include "planner/plan-values.h"
#include "planner/plan-barriers.h"
#include "planner/step-overlap.h"
#include "planner/plan-conditions.h"
#include "planner/halt-thresholds.h"
#include "planner/host-list.h"
#include "planner/plan-clean-steps.h"
#include "planner/plan-empty-target.h"
#include "planner/plan-hosts.h"
#include "planner/stages.h"
#include "planner/wave-builder.h"
#include "planner/window-schedule.h"
#include "schema/fleet-host-selector.h"

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

/* Keep the hosts of `hosts` that `selector` is true for.  Returns NULL
 * after reporting the first host it cannot be evaluated on, with the number
 * of others. */
static GPtrArray *
filter_by_selector (const GPtrArray *hosts, const FleetSelector *selector, const char *what,
                    FleetDiagnostics *diags)
{
  g_autoptr(GPtrArray) kept = g_ptr_array_new ();
  g_autoptr(GError) first_error = NULL;
  const FleetHost *first_failing = NULL;
  guint n_failing = 0;

  for (guint i = 0; i < hosts->len; i++)
    {
      FleetHost *host = g_ptr_array_index (hosts, i);
      g_autoptr(GError) error = NULL;
      gboolean match = FALSE;

      if (!fleet_selector_matches_host (selector, host, &match, &error))
        {
          if (n_failing++ == 0)
            {
              first_failing = host;
              first_error = g_steal_pointer (&error);
            }
          continue;
        }
      if (match)
        g_ptr_array_add (kept, host);
    }

  if (n_failing > 0)
    {
      g_autofree char *name = fleet_quote_value (first_failing->name, 60);

      if (n_failing > 1)
        fleet_diagnostics_error (diags, &selector->pos,
                                 "%s cannot be evaluated on host %s: %s; nor on %u more hosts",
                                 what, name, first_error->message, n_failing - 1);
      else
        fleet_diagnostics_error (diags, &selector->pos, "%s cannot be evaluated on host %s: %s",
                                 what, name, first_error->message);
      return NULL;
    }
  return g_steal_pointer (&kept);
}

/* Return the hosts that the target's `all`, `groups` and `hosts` select,
 * before `match` and `where`, in inventory order. */
static GPtrArray *
named_hosts (const FleetWorkflow *workflow)
{
  const FleetTarget *target = &workflow->target;
  GPtrArray *named = g_ptr_array_new ();
  gboolean by_name = target->groups->len > 0 || target->hosts->len > 0;

  for (guint i = 0; i < workflow->inventory->hosts->len; i++)
    {
      FleetHost *host = g_ptr_array_index (workflow->inventory->hosts, i);
      gboolean chosen = target->all
                        || (by_name && (host_named (host, target->hosts)
                                        || host_in_named_group (host, target->groups)))
                        || (!target->all && !by_name);

      if (chosen)
        g_ptr_array_add (named, host);
    }
  return named;
}

GPtrArray *
fleet_planner_select_hosts (const FleetWorkflow *workflow, FleetDiagnostics *diags)
{
  const FleetTarget *target = &workflow->target;
  g_autoptr(GPtrArray) named = named_hosts (workflow);
  g_autoptr(GPtrArray) selected = g_ptr_array_new ();

  for (guint i = 0; i < named->len; i++)
    {
      FleetHost *host = g_ptr_array_index (named, i);

      if (fleet_host_has_match_values (host, target->match))
        g_ptr_array_add (selected, host);
    }

  if (target->where != NULL)
    return filter_by_selector (selected, target->where, "the target's \"where\"", diags);
  return g_steal_pointer (&selected);
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

/* Return the selected hosts after --limit, or NULL after an error.  After
 * compile errors an empty selection is not reported, because the errors in
 * the target usually cause it. */
static GPtrArray *
select_and_limit (const FleetWorkflow *workflow, gboolean after_errors, FleetDiagnostics *diags)
{
  g_autoptr(GPtrArray) selected = fleet_planner_select_hosts (workflow, diags);
  g_autoptr(GPtrArray) limited = NULL;

  if (selected == NULL)
    return NULL;

  if (selected->len == 0 && after_errors)
    return NULL;
  if (selected->len == 0)
    {
      g_autoptr(GPtrArray) named = named_hosts (workflow);

      fleet_planner_report_empty_target (workflow, named, diags);
      return NULL;
    }

  if (workflow->limit == NULL)
    return g_steal_pointer (&selected);

  limited = filter_by_selector (selected, workflow->limit, "the --limit expression", diags);
  if (limited != NULL && limited->len == 0)
    {
      fleet_diagnostics_error (diags, &workflow->limit->pos,
                               "the --limit expression keeps none of the %u hosts the target "
                               "selects", selected->len);
      return NULL;
    }
  return g_steal_pointer (&limited);
}

/* Return the set (FleetHost *) of canaries named by `hosts` or `where`, or
 * NULL for a count or no canary; sets *out_failed after an error. */
static GHashTable *
find_canary_hosts (const FleetWorkflow *workflow, const GPtrArray *selected,
                   FleetDiagnostics *diags, gboolean *out_failed)
{
  const FleetCanary *canary = &workflow->canary;
  g_autoptr(GHashTable) set = g_hash_table_new (g_direct_hash, g_direct_equal);
  g_autoptr(GPtrArray) matched = NULL;

  *out_failed = FALSE;
  if (canary->kind == FLEET_CANARY_HOSTS)
    {
      g_autoptr(GHashTable) by_name = g_hash_table_new (g_str_hash, g_str_equal);

      for (guint i = 0; i < selected->len; i++)
        g_hash_table_insert (by_name, ((FleetHost *) g_ptr_array_index (selected, i))->name,
                             g_ptr_array_index (selected, i));
      for (guint i = 0; i < canary->hosts->len; i++)
        {
          const char *name = g_ptr_array_index (canary->hosts, i);
          FleetHost *host = g_hash_table_lookup (by_name, name);
          g_autofree char *quoted = NULL;

          if (host != NULL)
            {
              g_hash_table_add (set, host);
              continue;
            }
          quoted = fleet_quote_value (name, 60);
          fleet_diagnostics_error (diags, g_hash_table_lookup (canary->positions, name),
                                   "canary host %s is not one of the %u selected hosts; "
                                   "select it in the target, or pick another canary",
                                   quoted, selected->len);
          *out_failed = TRUE;
        }
      return *out_failed ? NULL : g_steal_pointer (&set);
    }

  if (canary->kind != FLEET_CANARY_WHERE)
    return NULL;

  matched = filter_by_selector (selected, canary->where, "the canary's \"where\"", diags);
  if (matched == NULL || matched->len == 0)
    {
      if (matched != NULL)
        fleet_diagnostics_error (diags, &canary->where->pos,
                                 "the canary's \"where\" is true for none of the %u selected "
                                 "hosts", selected->len);
      *out_failed = TRUE;
      return NULL;
    }
  for (guint i = 0; i < matched->len; i++)
    g_hash_table_add (set, g_ptr_array_index (matched, i));
  return g_steal_pointer (&set);
}

static gboolean
check_spread_attributes (const FleetWorkflow *workflow, const GPtrArray *selected,
                         FleetDiagnostics *diags)
{
  gboolean ok = TRUE;

  for (guint i = 0; i < workflow->spread->len; i++)
    {
      const FleetSpread *rule = g_ptr_array_index (workflow->spread, i);

      ok &= fleet_check_hosts_have_attribute (diags, &rule->pos, selected, rule->attribute,
                                              "spread");
    }
  return ok;
}

/* Plan every stage, in order.  Returns the waves (FleetPlannedWave *), or
 * NULL after an error. */
static GPtrArray *
plan_waves (const FleetWorkflow *workflow, const GPtrArray *selected, FleetDiagnostics *diags)
{
  g_autoptr(GPtrArray) waves = g_ptr_array_new_with_free_func ((GDestroyNotify) fleet_planned_wave_free);
  g_autoptr(GPtrArray) stages = NULL;
  g_autoptr(GHashTable) canary_hosts = NULL;
  FleetSourcePos waves_pos = waves_position (workflow);
  gboolean failed = FALSE;

  if (!check_spread_attributes (workflow, selected, diags))
    return NULL;

  canary_hosts = find_canary_hosts (workflow, selected, diags, &failed);
  if (failed)
    return NULL;

  stages = fleet_planner_split_stages (workflow, selected, diags);
  if (stages == NULL)
    return NULL;

  for (guint i = 0; i < stages->len; i++)
    if (!fleet_planner_plan_stage (workflow, g_ptr_array_index (stages, i), canary_hosts,
                                   &waves_pos, waves, diags))
      return NULL;

  return g_steal_pointer (&waves);
}

static void
copy_rollout_rules (const FleetWorkflow *workflow, FleetPlan *plan)
{
  if (workflow->limit != NULL)
    plan->limit = fleet_expr_to_string (workflow->limit->expr);
  plan->order_by = g_strdup (workflow->order.by);

  for (guint i = 0; i < workflow->spread->len; i++)
    {
      const FleetSpread *rule = g_ptr_array_index (workflow->spread, i);

      g_ptr_array_add (plan->spread, fleet_spread_rule_new (rule->attribute, rule->max_per_wave));
    }
}

static FleetPlan *
build_plan (const FleetWorkflow *workflow, gboolean after_errors, FleetDiagnostics *diags)
{
  g_autoptr(FleetPlan) plan = fleet_plan_new ();
  g_autoptr(GPtrArray) selected = select_and_limit (workflow, after_errors, diags);
  g_autoptr(GPtrArray) waves = NULL;
  g_autoptr(GHashTable) index_of = g_hash_table_new (g_direct_hash, g_direct_equal);
  gboolean valid;

  if (selected == NULL)
    return NULL;

  /* Without waves the checks per host and step below still run, so that
   * one compile reports their problems too. */
  waves = plan_waves (workflow, selected, diags);
  valid = waves != NULL;

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
  copy_rollout_rules (workflow, plan);
  if (workflow->snapshot != NULL)
    plan->snapshot = fleet_snapshot_config_copy (workflow->snapshot);
  for (guint i = 0; i < workflow->checks->len; i++)
    g_ptr_array_add (plan->checks, fleet_check_copy (g_ptr_array_index (workflow->checks, i)));
  plan->between_waves = workflow->between_waves;
  if (workflow->rollback != NULL)
    plan->rollback = fleet_rollback_copy (workflow->rollback);
  if (!fleet_pacing_is_default (workflow->pacing))
    {
      g_autoptr (GVariant) pacing = g_variant_ref_sink (fleet_pacing_to_variant (workflow->pacing));

      plan->pacing = fleet_pacing_from_variant (pacing, NULL);
    }

  for (guint i = 0; i < selected->len; i++)
    {
      g_hash_table_insert (index_of, g_ptr_array_index (selected, i), GUINT_TO_POINTER (i));
      g_ptr_array_add (plan->hosts, fleet_host_copy (g_ptr_array_index (selected, i)));
    }

  fleet_planner_add_jump_hosts (plan, workflow->inventory);
  valid &= fleet_planner_report_host_problems (plan, workflow->inventory, diags);

  for (guint i = 0; i < workflow->steps->len; i++)
    g_ptr_array_add (plan->steps, fleet_step_copy (g_ptr_array_index (workflow->steps, i)));
  /* Conditions first: a host that skips a step needs no values for its
   * command.  Each check after them runs even when an earlier one failed,
   * because they report problems of different keys. */
  valid &= fleet_planner_decide_conditions (plan, workflow, diags);
  valid &= fleet_planner_render_commands (plan, workflow, diags);
  valid &= fleet_planner_render_files (plan, workflow, diags);
  valid &= fleet_planner_render_values (plan, workflow, diags);
  valid &= fleet_planner_check_urls (plan, workflow, diags);
  /* The barriers name steps that a check after compile errors may have
   * left out, so that check ends here. */
  if (!valid || after_errors)
    return NULL;

  for (guint w = 0; w < waves->len; w++)
    {
      const FleetPlannedWave *planned = g_ptr_array_index (waves, w);
      FleetWave *wave = fleet_wave_new ();

      for (guint i = 0; i < planned->hosts->len; i++)
        {
          guint32 index = GPOINTER_TO_UINT (g_hash_table_lookup (index_of,
                                                                 g_ptr_array_index (planned->hosts, i)));
          g_array_append_val (wave->host_indices, index);
        }
      wave->stage = g_strdup (planned->stage);
      wave->canary = planned->canary;
      g_ptr_array_add (plan->waves, wave);
    }

  if (!fleet_planner_resolve_barriers (plan, workflow, diags)
      || !fleet_planner_plan_step_overlap (plan, workflow, diags))
    return NULL;
  fleet_planner_apply_halt_at (workflow, plan, diags);
  if (!fleet_planner_schedule_windows (plan, workflow, diags))
    return NULL;
  return g_steal_pointer (&plan);
}

FleetPlan *
fleet_planner_build (const FleetWorkflow *workflow, FleetDiagnostics *diags)
{
  return build_plan (workflow, FALSE, diags);
}

void
fleet_planner_check (const FleetWorkflow *workflow, FleetDiagnostics *diags)
{
  g_autoptr(FleetPlan) plan = NULL;
  g_autoptr(GPtrArray) clean_steps = NULL;
  FleetWorkflow view;

  if (workflow->inventory == NULL)
    return;
  clean_steps = fleet_planner_clean_steps (workflow->steps, diags);
  if (clean_steps == NULL)
    return;

  /* A shallow copy that borrows everything from `workflow` and contains
   * only the steps without errors.  It is never freed. */
  view = *workflow;
  view.steps = clean_steps;
  plan = build_plan (&view, TRUE, diags);
}
