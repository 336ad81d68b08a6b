/* plan-barriers.c: barriers between the hosts of a plan; the rules are in
 * plan-barriers.h. */
#include "planner/plan-barriers.h"

#include <string.h>

#include "schema/fleet-step-barrier.h"

/* Maximum characters of a name quoted in a message. */
#define QUOTE_MAX_CHARS 60

/* Where the hosts of one barrier run: the latest wave, the second latest
 * (for a host that is itself the latest), and how many run in each wave. */
typedef struct {
  guint latest_wave;
  guint latest_host;           /* plan index of a host in latest_wave */
  guint second_wave;           /* latest wave of the hosts other than latest_host */
  gboolean has_second;
  guint *count_per_wave;
  gboolean *member;            /* per plan host: in the barrier */
} BarrierLayout;

static gboolean
host_skips (const FleetStep *step, const FleetHost *host)
{
  return step->skipped_hosts != NULL && g_hash_table_contains (step->skipped_hosts, host->name);
}

static gboolean
host_in_group (const FleetHost *host, const char *group)
{
  for (guint i = 0; host->groups != NULL && i < host->groups->len; i++)
    if (strcmp (g_ptr_array_index (host->groups, i), group) == 0)
      return TRUE;
  return FALSE;
}

static const FleetStep *
find_step (const FleetPlan *plan, const char *name)
{
  for (guint i = 0; i < plan->steps->len; i++)
    {
      const FleetStep *step = g_ptr_array_index (plan->steps, i);

      if (strcmp (step->name, name) == 0)
        return step;
    }
  return NULL;
}

/* Fill barrier->hosts and `layout` from the plan's hosts and `wave_of`
 * (plan host index -> wave index). */
static void
collect_hosts (const FleetPlan *plan, const guint *wave_of, const FleetStep *waited,
               FleetStepBarrier *barrier, BarrierLayout *layout)
{
  gboolean has_latest = FALSE;

  barrier->hosts = g_ptr_array_new_with_free_func (g_free);
  layout->count_per_wave = g_new0 (guint, plan->waves->len + 1);
  layout->member = g_new0 (gboolean, plan->hosts->len);
  for (guint i = 0; i < plan->hosts->len; i++)
    {
      const FleetHost *host = g_ptr_array_index (plan->hosts, i);
      guint wave = wave_of[i];

      if (!host_in_group (host, barrier->group) || host_skips (waited, host))
        continue;

      g_ptr_array_add (barrier->hosts, g_strdup (host->name));
      layout->member[i] = TRUE;
      layout->count_per_wave[wave]++;
      if (!has_latest || wave > layout->latest_wave)
        {
          if (has_latest)
            {
              layout->second_wave = layout->latest_wave;
              layout->has_second = TRUE;
            }
          layout->latest_wave = wave;
          layout->latest_host = i;
          has_latest = TRUE;
        }
      else if (!layout->has_second || wave > layout->second_wave)
        {
          layout->second_wave = wave;
          layout->has_second = TRUE;
        }
    }
}

/* Return whether every host of wave `wave` can be busy at once, so hosts
 * that wait cannot hold every slot while hosts they wait for cannot start. */
static gboolean
wave_runs_at_once (const FleetPlan *plan, guint wave)
{
  const FleetWave *planned = g_ptr_array_index (plan->waves, wave);

  return plan->pacing != NULL && plan->pacing->fixed
         && (plan->pacing->caps == NULL || plan->pacing->caps->len == 0)
         && plan->parallelism >= planned->host_indices->len;
}

/* Report the first host that waits at `barrier` of `step` while a host it
 * waits for runs in a later wave. */
static gboolean
check_later_waves (FleetDiagnostics *diags, const FleetPlan *plan, const guint *wave_of,
                   const FleetStep *step, const FleetStepBarrier *barrier,
                   const BarrierLayout *layout)
{
  for (guint i = 0; i < plan->hosts->len; i++)
    {
      const FleetHost *host = g_ptr_array_index (plan->hosts, i);
      gboolean other_exists = layout->latest_host != i || layout->has_second;
      guint latest = layout->latest_host != i ? layout->latest_wave : layout->second_wave;
      g_autofree char *quoted = NULL;

      if (host_skips (step, host) || !other_exists || latest <= wave_of[i])
        continue;

      quoted = fleet_quote_value (host->name, QUOTE_MAX_CHARS);
      fleet_diagnostics_error (diags, &barrier->pos,
                               "step \"%s\" waits for step \"%s\" on group \"%s\", but a host "
                               "of the group runs in wave %u, after host %s in wave %u, which "
                               "would wait for ever; run the group's hosts first, for example "
                               "with order: {by: group, sequence: [%s, ...]}",
                               step->name, barrier->step, barrier->group, latest + 1, quoted,
                               wave_of[i] + 1, barrier->group);
      return FALSE;
    }
  return TRUE;
}

/* Report the first host that waits at `barrier` of `step` in the same wave
 * as a host it waits for, unless every host of that wave can be busy at
 * once. */
static gboolean
check_shared_waves (FleetDiagnostics *diags, const FleetPlan *plan, const guint *wave_of,
                    const FleetStep *step, const FleetStepBarrier *barrier,
                    const BarrierLayout *layout)
{
  for (guint i = 0; i < plan->hosts->len; i++)
    {
      const FleetHost *host = g_ptr_array_index (plan->hosts, i);
      guint wave = wave_of[i];
      const FleetWave *planned = g_ptr_array_index (plan->waves, wave);
      gboolean others_in_wave = layout->count_per_wave[wave] > (layout->member[i] ? 1u : 0u);
      g_autofree char *quoted = NULL;

      if (host_skips (step, host) || !others_in_wave || wave_runs_at_once (plan, wave))
        continue;

      quoted = fleet_quote_value (host->name, QUOTE_MAX_CHARS);
      fleet_diagnostics_error (diags, &barrier->pos,
                               "step \"%s\" waits for step \"%s\" on group \"%s\", whose hosts "
                               "share wave %u with host %s; a waiting host keeps its place "
                               "among the busy hosts, so the wave could stop with every place "
                               "taken by waiting hosts.  Run the group's hosts in earlier waves "
                               "(order: {by: group, sequence: [%s, ...]}), or set concurrency: "
                               "{adaptive: false} without caps and parallelism at least %u",
                               step->name, barrier->step, barrier->group, wave + 1, quoted,
                               barrier->group, planned->host_indices->len);
      return FALSE;
    }
  return TRUE;
}

gboolean
fleet_planner_resolve_barriers (FleetPlan *plan, const FleetWorkflow *workflow,
                                FleetDiagnostics *diags)
{
  g_autofree guint *wave_of = g_new0 (guint, plan->hosts->len);
  gboolean complete = TRUE;

  for (guint w = 0; w < plan->waves->len; w++)
    {
      const FleetWave *wave = g_ptr_array_index (plan->waves, w);

      for (guint i = 0; i < wave->host_indices->len; i++)
        wave_of[g_array_index (wave->host_indices, guint32, i)] = w;
    }

  for (guint s = 0; s < plan->steps->len; s++)
    {
      FleetStep *step = g_ptr_array_index (plan->steps, s);

      for (guint b = 0; step->barriers != NULL && b < step->barriers->len; b++)
        {
          FleetStepBarrier *barrier = g_ptr_array_index (step->barriers, b);
          const FleetStep *waited = find_step (plan, barrier->step);
          BarrierLayout layout = { 0 };

          if (!g_hash_table_contains (workflow->inventory->groups_by_name, barrier->group))
            {
              g_autofree char *quoted = fleet_quote_value (barrier->group, QUOTE_MAX_CHARS);

              fleet_diagnostics_error (diags, &barrier->pos,
                                       "\"needs\" waits on group %s, which the inventory does "
                                       "not have; name one of its groups", quoted);
              complete = FALSE;
              continue;
            }
          /* The compiler reported a step name that does not exist. */
          if (waited == NULL)
            continue;

          collect_hosts (plan, wave_of, waited, barrier, &layout);
          if (barrier->hosts->len == 0)
            fleet_diagnostics_warning (diags, &barrier->pos,
                                       "no selected host of group \"%s\" runs step \"%s\", so "
                                       "step \"%s\" does not wait for it",
                                       barrier->group, barrier->step, step->name);
          else if (!check_later_waves (diags, plan, wave_of, step, barrier, &layout)
                   || !check_shared_waves (diags, plan, wave_of, step, barrier, &layout))
            complete = FALSE;
          g_free (layout.count_per_wave);
          g_free (layout.member);
        }
    }

  return complete;
}
