/* fleet-workflow.c: ownership of the workflow IR. */
#include "schema/fleet-workflow.h"

FleetInventory *
fleet_inventory_new (const char *source)
{
  FleetInventory *inventory = g_new0 (FleetInventory, 1);

  inventory->source = g_strdup (source);
  inventory->sources = g_ptr_array_new_with_free_func (g_free);
  g_ptr_array_add (inventory->sources, g_strdup (source));
  inventory->files = g_ptr_array_new_with_free_func ((GDestroyNotify) fleet_inventory_file_free);
  inventory->hosts = g_ptr_array_new_with_free_func ((GDestroyNotify) fleet_host_free);
  inventory->hosts_by_name = g_hash_table_new (g_str_hash, g_str_equal);
  inventory->groups = g_ptr_array_new_with_free_func ((GDestroyNotify) fleet_group_free);
  inventory->groups_by_name = g_hash_table_new (g_str_hash, g_str_equal);
  inventory->jump_hosts = g_ptr_array_new_with_free_func ((GDestroyNotify) fleet_host_free);
  inventory->ssh_config_sources = g_ptr_array_new_with_free_func (
    (GDestroyNotify) fleet_source_file_free);
  inventory->host_problems = g_ptr_array_new_with_free_func (
    (GDestroyNotify) fleet_host_problem_free);
  inventory->value_positions = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, g_free);

  return inventory;
}

void
fleet_inventory_free (FleetInventory *inventory)
{
  if (inventory == NULL)
    return;

  g_hash_table_unref (inventory->hosts_by_name);
  g_hash_table_unref (inventory->groups_by_name);
  g_ptr_array_unref (inventory->hosts);
  g_ptr_array_unref (inventory->groups);
  g_ptr_array_unref (inventory->sources);
  g_ptr_array_unref (inventory->jump_hosts);
  g_free (inventory->ssh_config_path);
  g_ptr_array_unref (inventory->ssh_config_sources);
  g_ptr_array_unref (inventory->host_problems);
  g_hash_table_unref (inventory->value_positions);
  g_ptr_array_unref (inventory->files);
  g_free (inventory->source);
  g_free (inventory);
}

FleetHost *
fleet_inventory_find_jump_host (const FleetInventory *inventory, const char *name)
{
  for (guint i = 0; i < inventory->jump_hosts->len; i++)
    {
      FleetHost *jump_host = g_ptr_array_index (inventory->jump_hosts, i);

      if (g_strcmp0 (jump_host->name, name) == 0)
        return jump_host;
    }
  return NULL;
}

void
fleet_inventory_add_host_problem (FleetInventory *inventory,
                                  FleetHostProblemKind kind,
                                  const char *host_name,
                                  gboolean jump_host,
                                  const FleetSourcePos *pos,
                                  const char *text)
{
  FleetHostProblem *problem = g_new0 (FleetHostProblem, 1);

  problem->kind = kind;
  problem->host_name = g_strdup (host_name);
  problem->jump_host = jump_host;
  if (pos != NULL)
    problem->pos = *pos;
  problem->text = g_strdup (text);
  g_ptr_array_add (inventory->host_problems, problem);
}

void
fleet_inventory_set_value_pos (FleetInventory *inventory,
                               const char *host_name,
                               const char *key,
                               const FleetSourcePos *pos)
{
  g_hash_table_replace (inventory->value_positions, g_strconcat (host_name, "\n", key, NULL),
                        g_memdup2 (pos, sizeof *pos));
}

const FleetSourcePos *
fleet_inventory_value_pos (const FleetInventory *inventory,
                           const char *host_name,
                           const char *key)
{
  g_autofree char *lookup = g_strconcat (host_name, "\n", key, NULL);

  return g_hash_table_lookup (inventory->value_positions, lookup);
}

void
fleet_host_problem_free (FleetHostProblem *problem)
{
  if (problem == NULL)
    return;

  g_free (problem->host_name);
  g_free (problem->text);
  g_free (problem);
}

gboolean
fleet_inventory_add_host (FleetInventory *inventory, FleetHost *host)
{
  if (g_hash_table_contains (inventory->hosts_by_name, host->name))
    {
      fleet_host_free (host);
      return FALSE;
    }

  g_ptr_array_add (inventory->hosts, host);
  g_hash_table_insert (inventory->hosts_by_name, host->name, host);
  return TRUE;
}

gboolean
fleet_inventory_add_group (FleetInventory *inventory, FleetGroup *group)
{
  if (g_hash_table_contains (inventory->groups_by_name, group->name))
    {
      fleet_group_free (group);
      return FALSE;
    }

  g_ptr_array_add (inventory->groups, group);
  g_hash_table_insert (inventory->groups_by_name, group->name, group);
  return TRUE;
}

FleetGroup *
fleet_group_new (const char *name)
{
  FleetGroup *group = g_new0 (FleetGroup, 1);

  group->name = g_strdup (name);
  group->members = g_ptr_array_new_with_free_func (g_free);
  return group;
}

void
fleet_group_free (FleetGroup *group)
{
  if (group == NULL)
    return;

  g_free (group->name);
  g_ptr_array_unref (group->members);
  fleet_selector_free (group->where);
  g_free (group);
}

FleetSelector *
fleet_selector_new (FleetExpr *expr, const char *text, const FleetSourcePos *pos)
{
  FleetSelector *selector = g_new0 (FleetSelector, 1);

  selector->expr = expr;
  selector->text = g_strdup (text);
  selector->pos = *pos;
  selector->name_positions = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, g_free);
  selector->group_positions = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, g_free);
  return selector;
}

void
fleet_selector_free (FleetSelector *selector)
{
  if (selector == NULL)
    return;

  fleet_expr_free (selector->expr);
  g_free (selector->text);
  g_hash_table_unref (selector->name_positions);
  g_hash_table_unref (selector->group_positions);
  g_free (selector);
}

FleetSpread *
fleet_spread_new (void)
{
  return g_new0 (FleetSpread, 1);
}

void
fleet_spread_free (FleetSpread *spread)
{
  if (spread == NULL)
    return;

  g_free (spread->attribute);
  g_free (spread);
}

static GHashTable *
positions_new (void)
{
  return g_hash_table_new_full (g_str_hash, g_str_equal, g_free, g_free);
}

FleetWorkflow *
fleet_workflow_new (void)
{
  FleetWorkflow *workflow = g_new0 (FleetWorkflow, 1);

  workflow->target.groups = g_ptr_array_new_with_free_func (g_free);
  workflow->target.hosts = g_ptr_array_new_with_free_func (g_free);
  workflow->target.match = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, g_free);
  workflow->target.positions = positions_new ();
  workflow->target.match_positions = positions_new ();
  workflow->steps = g_ptr_array_new_with_free_func ((GDestroyNotify) fleet_step_free);
  workflow->batches = g_array_new (FALSE, TRUE, sizeof (FleetBatch));
  workflow->vars = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, g_free);
  workflow->parallelism = FLEET_DEFAULT_PARALLELISM;
  workflow->concurrent_steps = 1;
  workflow->schedule.margin_ms = FLEET_DEFAULT_WINDOW_MARGIN_MS;
  workflow->canary.hosts = g_ptr_array_new_with_free_func (g_free);
  workflow->canary.positions = positions_new ();
  workflow->spread = g_ptr_array_new_with_free_func ((GDestroyNotify) fleet_spread_free);
  workflow->order.sequence = g_ptr_array_new_with_free_func (g_free);
  workflow->order.positions = positions_new ();
  for (guint rule = 0; rule < FLEET_HALT_N_RULES; rule++)
    workflow->halt_at.rules[rule] = fleet_halt_rule_default (rule);
  workflow->checks = g_ptr_array_new_with_free_func ((GDestroyNotify) fleet_check_free);
  workflow->pacing = fleet_pacing_new ();
  workflow->cap_positions = g_array_new (FALSE, FALSE, sizeof (FleetSourcePos));

  return workflow;
}

void
fleet_workflow_free (FleetWorkflow *workflow)
{
  if (workflow == NULL)
    return;

  g_free (workflow->name);
  g_free (workflow->source);
  g_free (workflow->source_sha256);
  fleet_inventory_free (workflow->inventory);
  g_ptr_array_unref (workflow->target.groups);
  g_ptr_array_unref (workflow->target.hosts);
  g_hash_table_unref (workflow->target.match);
  fleet_selector_free (workflow->target.where);
  g_hash_table_unref (workflow->target.positions);
  g_clear_pointer (&workflow->target.match_positions, g_hash_table_unref);
  g_ptr_array_unref (workflow->steps);
  g_hash_table_unref (workflow->vars);
  g_array_unref (workflow->batches);
  fleet_selector_free (workflow->limit);
  g_ptr_array_unref (workflow->canary.hosts);
  g_hash_table_unref (workflow->canary.positions);
  fleet_selector_free (workflow->canary.where);
  g_ptr_array_unref (workflow->spread);
  g_free (workflow->order.by);
  g_ptr_array_unref (workflow->order.sequence);
  g_hash_table_unref (workflow->order.positions);
  fleet_window_calendar_free (workflow->windows);
  fleet_snapshot_config_free (workflow->snapshot);
  g_ptr_array_unref (workflow->checks);
  fleet_rollback_free (workflow->rollback);
  fleet_pacing_free (workflow->pacing);
  g_array_unref (workflow->cap_positions);
  if (workflow->step_history != NULL)
    g_hash_table_unref (workflow->step_history);
  g_free (workflow);
}
