/* fleet-barrier-gate.c: barriers between hosts at run time; the contract
 * is in fleet-barrier-gate.h. */
#include "runtime/fleet-barrier-gate.h"

#include <string.h>

#include "schema/fleet-step-barrier.h"

/* One barrier of one step, resolved to plan indices. */
typedef struct {
  const FleetStepBarrier *barrier;
  guint waited_step;         /* index of the step waited for */
  GArray *hosts;             /* guint, plan indices of the hosts that run it */
  guint done;                /* hosts[0 .. done) are DONE, which never changes */
} Barrier;

struct FleetBarrierGate {
  const FleetPlan *plan;
  GPtrArray *by_step;        /* per step: GPtrArray of Barrier *, or NULL */
};

static void
barrier_free (Barrier *barrier)
{
  g_array_unref (barrier->hosts);
  g_free (barrier);
}

static void
barriers_free (GPtrArray *barriers)
{
  if (barriers != NULL)
    g_ptr_array_unref (barriers);
}

static guint
step_index_of (const FleetPlan *plan, const char *name)
{
  for (guint i = 0; i < plan->steps->len; i++)
    if (strcmp (((const FleetStep *) g_ptr_array_index (plan->steps, i))->name, name) == 0)
      return i;
  return G_MAXUINT;
}

FleetBarrierGate *
fleet_barrier_gate_new (const FleetPlan *plan)
{
  FleetBarrierGate *gate = g_new0 (FleetBarrierGate, 1);
  g_autoptr(GHashTable) index_of_host = g_hash_table_new (g_str_hash, g_str_equal);

  gate->plan = plan;
  gate->by_step = g_ptr_array_new_with_free_func ((GDestroyNotify) barriers_free);
  for (guint i = 0; i < plan->hosts->len; i++)
    g_hash_table_insert (index_of_host, ((FleetHost *) g_ptr_array_index (plan->hosts, i))->name,
                         GUINT_TO_POINTER (i + 1));

  for (guint s = 0; s < plan->steps->len; s++)
    {
      const FleetStep *step = g_ptr_array_index (plan->steps, s);
      GPtrArray *barriers = NULL;

      for (guint b = 0; step->barriers != NULL && b < step->barriers->len; b++)
        {
          const FleetStepBarrier *planned = g_ptr_array_index (step->barriers, b);
          Barrier *barrier = g_new0 (Barrier, 1);

          barrier->barrier = planned;
          barrier->waited_step = step_index_of (plan, planned->step);
          barrier->hosts = g_array_new (FALSE, FALSE, sizeof (guint));
          for (guint h = 0; planned->hosts != NULL && h < planned->hosts->len; h++)
            {
              guint index = GPOINTER_TO_UINT (g_hash_table_lookup (index_of_host,
                                                                   g_ptr_array_index (planned->hosts,
                                                                                      h)));

              /* A host the plan does not run cannot hold anyone back. */
              if (index == 0)
                continue;
              index--;
              g_array_append_val (barrier->hosts, index);
            }
          if (barriers == NULL)
            barriers = g_ptr_array_new_with_free_func ((GDestroyNotify) barrier_free);
          g_ptr_array_add (barriers, barrier);
        }
      g_ptr_array_add (gate->by_step, barriers);
    }
  return gate;
}

void
fleet_barrier_gate_free (FleetBarrierGate *gate)
{
  if (gate == NULL)
    return;

  g_ptr_array_unref (gate->by_step);
  g_free (gate);
}

FleetBarrierDecision
fleet_barrier_gate_decide (FleetBarrierGate *gate, guint host_index, guint step_index,
                           FleetHostStepFunc state_func, gpointer user_data, char **out_message)
{
  GPtrArray *barriers = step_index < gate->by_step->len
                          ? g_ptr_array_index (gate->by_step, step_index) : NULL;

  *out_message = NULL;
  for (guint b = 0; barriers != NULL && b < barriers->len; b++)
    {
      Barrier *barrier = g_ptr_array_index (barriers, b);

      /* A plan whose barrier names no step of the plan is not checked
       * further; the compiler never writes one. */
      if (barrier->waited_step == G_MAXUINT)
        continue;

      while (barrier->done < barrier->hosts->len)
        {
          guint other = g_array_index (barrier->hosts, guint, barrier->done);
          const FleetHost *host = g_ptr_array_index (gate->plan->hosts, other);
          FleetHostStepState state = other == host_index
                                       ? FLEET_HOST_STEP_DONE
                                       : state_func (other, barrier->waited_step, user_data);

          if (state == FLEET_HOST_STEP_DONE)
            {
              barrier->done++;
              continue;
            }

          *out_message = g_strdup_printf (
            state == FLEET_HOST_STEP_LOST
              ? "step \"%s\" waits for step \"%s\" on every host of group \"%s\", and host "
                "\"%s\" will not finish it (it failed, or the run stopped first)"
              : "step \"%s\" waits for step \"%s\" on every host of group \"%s\"; host \"%s\" "
                "has not finished it yet",
            ((const FleetStep *) g_ptr_array_index (gate->plan->steps, step_index))->name,
            barrier->barrier->step, barrier->barrier->group, host->name);
          return state == FLEET_HOST_STEP_LOST ? FLEET_BARRIER_BROKEN : FLEET_BARRIER_WAIT;
        }
    }
  return FLEET_BARRIER_OPEN;
}
