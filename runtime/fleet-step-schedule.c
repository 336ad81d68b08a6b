/* fleet-step-schedule.c: which step of one host may start next. */
#include "runtime/fleet-step-schedule.h"

typedef enum {
  STEP_PENDING,
  STEP_RUNNING,
  STEP_DONE,
  STEP_FAILED,
} StepState;

struct FleetStepSchedule {
  const FleetStepOverlap *overlap; /* NULL: one step at a time, in order */
  guint max_running;
  guint n_steps;
  StepState *states;
  guint n_running;
  gboolean stopped;
};

FleetStepSchedule *
fleet_step_schedule_new (const FleetStepOverlap *overlap, guint n_steps, guint max_sessions)
{
  FleetStepSchedule *schedule = g_new0 (FleetStepSchedule, 1);

  g_return_val_if_fail (overlap == NULL || overlap->after->len == n_steps, schedule);

  schedule->overlap = overlap;
  schedule->max_running = overlap != NULL ? CLAMP (max_sessions, 1, overlap->max_steps) : 1;
  schedule->n_steps = n_steps;
  schedule->states = g_new0 (StepState, MAX (n_steps, 1));
  return schedule;
}

void
fleet_step_schedule_free (FleetStepSchedule *schedule)
{
  if (schedule == NULL)
    return;
  g_free (schedule->states);
  g_free (schedule);
}

guint
fleet_step_schedule_max_running (const FleetStepSchedule *schedule)
{
  return schedule->max_running;
}

static gboolean
may_start (const FleetStepSchedule *schedule, guint step)
{
  const GArray *after;

  if (schedule->overlap == NULL)
    return fleet_step_schedule_first_unfinished (schedule) == step;

  after = fleet_step_overlap_get_after (schedule->overlap, step);
  for (guint i = 0; i < after->len; i++)
    if (schedule->states[g_array_index (after, guint32, i)] != STEP_DONE)
      return FALSE;
  return TRUE;
}

guint
fleet_step_schedule_next_ready (const FleetStepSchedule *schedule)
{
  if (schedule->stopped || schedule->n_running >= fleet_step_schedule_max_running (schedule))
    return G_MAXUINT;

  for (guint step = 0; step < schedule->n_steps; step++)
    if (schedule->states[step] == STEP_PENDING && may_start (schedule, step))
      return step;
  return G_MAXUINT;
}

static void
set_state (FleetStepSchedule *schedule, guint step, StepState state)
{
  g_return_if_fail (step < schedule->n_steps);

  if (schedule->states[step] == STEP_RUNNING)
    schedule->n_running--;
  if (state == STEP_RUNNING)
    schedule->n_running++;
  schedule->states[step] = state;
}

void
fleet_step_schedule_set_running (FleetStepSchedule *schedule, guint step)
{
  set_state (schedule, step, STEP_RUNNING);
}

void
fleet_step_schedule_set_done (FleetStepSchedule *schedule, guint step)
{
  set_state (schedule, step, STEP_DONE);
}

void
fleet_step_schedule_set_failed (FleetStepSchedule *schedule, guint step)
{
  set_state (schedule, step, STEP_FAILED);
  schedule->stopped = TRUE;
}

void
fleet_step_schedule_set_pending (FleetStepSchedule *schedule, guint step)
{
  set_state (schedule, step, STEP_PENDING);
}

void
fleet_step_schedule_stop (FleetStepSchedule *schedule)
{
  schedule->stopped = TRUE;
}

gboolean
fleet_step_schedule_is_stopped (const FleetStepSchedule *schedule)
{
  return schedule->stopped;
}

gboolean
fleet_step_schedule_is_done (const FleetStepSchedule *schedule, guint step)
{
  return step < schedule->n_steps && schedule->states[step] == STEP_DONE;
}

guint
fleet_step_schedule_n_running (const FleetStepSchedule *schedule)
{
  return schedule->n_running;
}

guint
fleet_step_schedule_first_unfinished (const FleetStepSchedule *schedule)
{
  for (guint step = 0; step < schedule->n_steps; step++)
    if (schedule->states[step] != STEP_DONE)
      return step;
  return schedule->n_steps;
}
