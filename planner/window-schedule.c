/* window-schedule.c: fitting a plan's waves into its maintenance windows
 * (the model is in window-schedule.h). */
#include "planner/window-schedule.h"

#include "schema/fleet-clock.h"

/* Hosts that do not fit are reported one by one up to this many, then
 * counted, so that a fleet of thousands does not bury the first cause. */
#define MAX_UNFIT_REPORTS 20

#define MS_US G_GINT64_CONSTANT (1000)

/* Step names quoted in messages are cut to this many characters. */
#define QUOTE_MAX_CHARS 60

typedef enum {
  FIT_OK,
  FIT_NO_WINDOW,       /* no window at all in the range */
  FIT_TOO_SHORT,       /* every window is shorter than work + margin */
  FIT_RANGE_ENDS,      /* long windows exist, but none opens after the wave's start */
} FitResult;

typedef struct {
  guint32 host;        /* plan host index */
  guint position;      /* in the wave as built, to keep ties stable */
  gint64 work_us;      /* sum of the estimates of the steps it runs */
  gint64 need_us;      /* work plus margin: what its window must have left */
  gint64 earliest_us;  /* first instant its window allows it from the wave start */
  FitResult fit;
} HostWork;

typedef struct {
  const FleetWorkflow *workflow;
  FleetPlan *plan;
  FleetPlanSchedule *schedule;
  FleetDiagnostics *diags;
  guint unfit;         /* hosts reported so far */
} Scheduler;

/* Step estimates */

static char *
describe_history (const FleetStepHistory *history)
{
  g_autofree char *median = fleet_format_duration (history->median_ms);
  g_autofree char *p95 = fleet_format_duration (history->p95_ms);

  return g_strdup_printf ("history: p95 of %u run%s (median %s, p95 %s)", history->runs,
                          history->runs == 1 ? "" : "s", median, p95);
}

/* Resolve each step's estimate: `estimate`, then the 95th percentile of
 * earlier runs, then the timeout, the longest the step may take. */
static gboolean
resolve_estimates (Scheduler *scheduler)
{
  const FleetWorkflow *workflow = scheduler->workflow;
  gboolean ok = TRUE;

  for (guint i = 0; i < scheduler->plan->steps->len; i++)
    {
      const FleetStep *step = g_ptr_array_index (workflow->steps, i);
      const FleetStepHistory *history = workflow->step_history != NULL
                                          ? g_hash_table_lookup (workflow->step_history, step->name)
                                          : NULL;
      guint64 estimate = 0;
      char *source = NULL;

      if (step->estimate_ms > 0)
        {
          estimate = step->estimate_ms;
          source = g_strdup ("estimate");
        }
      else if (history != NULL)
        {
          estimate = MAX (history->p95_ms, 1);
          source = describe_history (history);
        }
      else if (step->timeout_ms > 0)
        {
          estimate = step->timeout_ms;
          source = g_strdup ("timeout");
        }
      else
        {
          g_autofree char *quoted = fleet_quote_value (step->name, QUOTE_MAX_CHARS);

          fleet_diagnostics_error (scheduler->diags, &step->pos,
                                   "step %s has no estimated duration, which the workflow's "
                                   "windows need; add `estimate: 10m` (its usual run time on "
                                   "one host), give earlier runs with --history, or set a "
                                   "timeout", quoted);
          ok = FALSE;
        }

      g_array_append_val (scheduler->schedule->step_estimates_ms, estimate);
      g_ptr_array_add (scheduler->schedule->step_estimate_sources, source != NULL ? source : g_strdup (""));
    }
  return ok;
}

/* Window sets: hosts with the same groups share one list. */

static char *
groups_key (const FleetHost *host)
{
  if (host->groups->len == 0)
    return g_strdup ("(no group)");
  g_ptr_array_add (host->groups, NULL);
  g_autofree char *key = g_strjoinv ("+", (char **) host->groups->pdata);
  g_ptr_array_remove_index (host->groups, host->groups->len - 1);
  return g_steal_pointer (&key);
}

/* Return the time zone of the definition behind the first interval of
 * `windows`, so that people see local times near the ones they wrote. */
static const char *
window_set_zone (const FleetWindowCalendar *calendar, const GArray *windows)
{
  for (guint i = 0; i < windows->len; i++)
    {
      guint source = g_array_index (windows, FleetWindowInterval, i).source;

      const FleetWindowSource *definition;

      if (source == FLEET_WINDOW_NO_SOURCE)
        continue;
      definition = g_ptr_array_index (calendar->sources, source);
      if (definition->zone != NULL)
        return fleet_time_zone_get_identifier (definition->zone);
    }
  return "UTC";
}

static void
assign_window_sets (Scheduler *scheduler)
{
  const FleetWindowCalendar *calendar = scheduler->workflow->windows;
  g_autoptr(GHashTable) index_of = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);

  for (guint i = 0; i < scheduler->plan->hosts->len; i++)
    {
      const FleetHost *host = g_ptr_array_index (scheduler->plan->hosts, i);
      g_autofree char *key = groups_key (host);
      gpointer found = NULL;
      guint32 index;

      if (g_hash_table_lookup_extended (index_of, key, NULL, &found))
        index = GPOINTER_TO_UINT (found);
      else
        {
          GArray *windows = fleet_window_calendar_host_effective (
            calendar, (const char * const *) host->groups->pdata, host->groups->len,
            calendar->from_us, calendar->to_us);

          index = fleet_plan_schedule_add_window_set (scheduler->schedule, key,
                                                      window_set_zone (calendar, windows),
                                                      windows);
          g_hash_table_insert (index_of, g_steal_pointer (&key), GUINT_TO_POINTER (index));
        }
      g_array_append_val (scheduler->schedule->host_window_set, index);
    }
}

/* The slots of a wave: a binary min-heap of the times they become free. */

static void
heap_push (GArray *heap, gint64 value)
{
  guint i = heap->len;

  g_array_append_val (heap, value);
  while (i > 0 && g_array_index (heap, gint64, (i - 1) / 2) > value)
    {
      g_array_index (heap, gint64, i) = g_array_index (heap, gint64, (i - 1) / 2);
      i = (i - 1) / 2;
    }
  g_array_index (heap, gint64, i) = value;
}

static gint64
heap_pop (GArray *heap)
{
  gint64 top = g_array_index (heap, gint64, 0);
  gint64 last = g_array_index (heap, gint64, heap->len - 1);
  guint i = 0;

  g_array_set_size (heap, heap->len - 1);
  if (heap->len == 0)
    return top;

  for (;;)
    {
      guint child = 2 * i + 1;

      if (child >= heap->len)
        break;
      if (child + 1 < heap->len
          && g_array_index (heap, gint64, child + 1) < g_array_index (heap, gint64, child))
        child++;
      if (g_array_index (heap, gint64, child) >= last)
        break;
      g_array_index (heap, gint64, i) = g_array_index (heap, gint64, child);
      i = child;
    }
  g_array_index (heap, gint64, i) = last;
  return top;
}

/* Hosts */

static gint64
host_work_us (const FleetPlan *plan, const FleetPlanSchedule *schedule, const FleetHost *host)
{
  gint64 work = 0;

  for (guint s = 0; s < plan->steps->len; s++)
    {
      const FleetStep *step = g_ptr_array_index (plan->steps, s);

      if (step->skipped_hosts != NULL && g_hash_table_contains (step->skipped_hosts, host->name))
        continue;
      work += (gint64) g_array_index (schedule->step_estimates_ms, guint64, s) * MS_US;
    }
  return work;
}

static gint64
longest_window_us (const GArray *windows)
{
  gint64 longest = 0;

  for (guint i = 0; i < windows->len; i++)
    {
      const FleetWindowInterval *interval = &g_array_index (windows, FleetWindowInterval, i);

      longest = MAX (longest, interval->end_us - interval->start_us);
    }
  return longest;
}

/* Find the first instant at or after `at_us` at which the host fits, or
 * why it never does. */
static FitResult
fit_host (const GArray *windows, gint64 at_us, gint64 need_us, gint64 *out_start_us)
{
  if (windows->len == 0)
    return FIT_NO_WINDOW;
  if (longest_window_us (windows) < need_us)
    return FIT_TOO_SHORT;
  if (!fleet_window_list_next_start (windows, at_us, need_us, out_start_us))
    return FIT_RANGE_ENDS;
  return FIT_OK;
}

static int
compare_host_work (gconstpointer a, gconstpointer b)
{
  const HostWork *x = a;
  const HostWork *y = b;

  if ((x->fit == FIT_OK) != (y->fit == FIT_OK))
    return x->fit == FIT_OK ? -1 : 1;
  if (x->fit == FIT_OK && x->earliest_us != y->earliest_us)
    return x->earliest_us < y->earliest_us ? -1 : 1;
  return x->position < y->position ? -1 : x->position > y->position;
}

/* Diagnostics */

static char *
format_time (gint64 us)
{
  return fleet_format_utc_seconds (us / G_USEC_PER_SEC);
}

static char *
format_span (gint64 us)
{
  return fleet_format_duration ((guint64) MAX (us, 0) / MS_US);
}

static void
report_unfit (Scheduler *scheduler, guint wave_index, const HostWork *work, gint64 wave_start_us)
{
  const FleetPlanSchedule *schedule = scheduler->schedule;
  const FleetHost *host = g_ptr_array_index (scheduler->plan->hosts, work->host);
  const GArray *windows = fleet_plan_schedule_host_windows (schedule, work->host);
  const char *groups = fleet_plan_schedule_host_window_name (schedule, work->host);
  g_autofree char *label = fleet_plan_wave_label (scheduler->plan, wave_index);
  g_autofree char *need = format_span (work->need_us);
  g_autofree char *steps = format_span (work->work_us);
  g_autofree char *margin = fleet_format_duration (schedule->margin_ms);
  g_autofree char *from = format_time (schedule->from_us);
  g_autofree char *to = format_time (schedule->to_us);
  g_autofree char *longest = format_span (longest_window_us (windows));
  g_autofree char *start = format_time (wave_start_us);
  g_autofree char *margin_left = format_span (longest_window_us (windows) - work->work_us);

  scheduler->unfit++;
  if (scheduler->unfit > MAX_UNFIT_REPORTS)
    return;

  switch (work->fit)
    {
    case FIT_NO_WINDOW:
      fleet_diagnostics_error (scheduler->diags, &host->pos,
                               "host %s (%s) of %s has no maintenance window between %s and %s; "
                               "add a window that applies to one of its groups, or end the "
                               "freeze that covers them",
                               host->name, groups, label, from, to);
      break;
    case FIT_TOO_SHORT:
      if (work->work_us <= longest_window_us (windows))
        fleet_diagnostics_error (scheduler->diags, &host->pos,
                                 "host %s (%s) of %s does not fit any window: it needs %s "
                                 "(steps %s + margin %s) in one window, but the longest window "
                                 "of its groups between %s and %s lasts %s; lengthen the "
                                 "windows to at least %s, or lower schedule.margin to at most %s",
                                 host->name, groups, label, need, steps, margin, from, to,
                                 longest, need, margin_left);
      else
        fleet_diagnostics_error (scheduler->diags, &host->pos,
                                 "host %s (%s) of %s does not fit any window: its steps alone "
                                 "take %s, but the longest window of its groups between %s and "
                                 "%s lasts %s; lengthen the windows to at least %s, or lower "
                                 "the step estimates",
                                 host->name, groups, label, steps, from, to, longest, need);
      break;
    case FIT_RANGE_ENDS:
      fleet_diagnostics_error (scheduler->diags, &host->pos,
                               "host %s (%s) of %s does not fit before the planned range ends "
                               "at %s: the wave can start at %s at the earliest, and no window "
                               "of its groups of at least %s (steps %s + margin %s) opens after "
                               "that; raise parallelism, use fewer waves, or compile with a "
                               "longer --window-days",
                               host->name, groups, label, to, start, need, steps, margin);
      break;
    case FIT_OK:
      g_assert_not_reached ();
    }
}

/* Waves */

/* Reorder the hosts of wave `wave_index` by the time their windows open and
 * place them, starting at `start_us`.  Returns the wave's schedule. */
static FleetWaveSchedule
place_wave (Scheduler *scheduler, guint wave_index, gint64 start_us)
{
  FleetPlan *plan = scheduler->plan;
  FleetPlanSchedule *schedule = scheduler->schedule;
  FleetWave *wave = g_ptr_array_index (plan->waves, wave_index);
  guint n = wave->host_indices->len;
  g_autofree HostWork *works = g_new0 (HostWork, n);
  g_autoptr(GArray) slots = g_array_new (FALSE, FALSE, sizeof (gint64));
  FleetWaveSchedule placed = { G_MAXINT64, G_MAXINT64, start_us };
  gint64 slack_us = G_MAXINT64;
  gint64 margin_us = (gint64) schedule->margin_ms * MS_US;

  for (guint i = 0; i < n; i++)
    {
      HostWork *work = &works[i];
      const FleetHost *host;

      work->host = g_array_index (wave->host_indices, guint32, i);
      work->position = i;
      host = g_ptr_array_index (plan->hosts, work->host);
      work->work_us = host_work_us (plan, schedule, host);
      work->need_us = MAX (work->work_us + margin_us, 1);
      work->fit = fit_host (fleet_plan_schedule_host_windows (schedule, work->host), start_us,
                            work->need_us, &work->earliest_us);
    }
  qsort (works, n, sizeof (HostWork), compare_host_work);

  for (guint i = 0; i < MIN (n, plan->parallelism); i++)
    heap_push (slots, start_us);

  for (guint i = 0; i < n; i++)
    {
      HostWork *work = &works[i];
      const GArray *windows = fleet_plan_schedule_host_windows (schedule, work->host);
      gint64 slot_free_us, host_start_us, window_end_us = 0;

      g_array_index (wave->host_indices, guint32, i) = work->host;
      if (work->fit != FIT_OK)
        {
          report_unfit (scheduler, wave_index, work, start_us);
          continue;
        }

      slot_free_us = heap_pop (slots);
      work->fit = fit_host (windows, MAX (slot_free_us, start_us), work->need_us, &host_start_us);
      if (work->fit != FIT_OK)
        {
          heap_push (slots, slot_free_us);
          report_unfit (scheduler, wave_index, work, start_us);
          continue;
        }

      fleet_window_list_allows (windows, host_start_us, work->need_us, &window_end_us);
      g_array_index (schedule->host_starts_us, gint64, work->host) = host_start_us;
      heap_push (slots, host_start_us + work->work_us);
      placed.start_us = MIN (placed.start_us, host_start_us);
      placed.end_us = MAX (placed.end_us, host_start_us + work->work_us);
      slack_us = MIN (slack_us, window_end_us - work->need_us - host_start_us);
    }

  /* A wave without a placed host starts and ends where the last one ended. */
  if (placed.start_us == G_MAXINT64)
    placed.start_us = start_us;
  placed.latest_start_us = slack_us == G_MAXINT64 ? placed.start_us : placed.start_us + slack_us;
  return placed;
}

/* The lower bound on the end of wave `wave_index` when no earlier wave can
 * end before `previous_us`: every host needs a window from then on, and the
 * slots must hold the wave's total work. */
static gint64
wave_lower_bound (Scheduler *scheduler, guint wave_index, gint64 previous_us)
{
  const FleetPlan *plan = scheduler->plan;
  const FleetPlanSchedule *schedule = scheduler->schedule;
  const FleetWave *wave = g_ptr_array_index (plan->waves, wave_index);
  gint64 margin_us = (gint64) schedule->margin_ms * MS_US;
  gint64 total_us = 0;
  gint64 bound = previous_us;

  for (guint i = 0; i < wave->host_indices->len; i++)
    {
      guint32 index = g_array_index (wave->host_indices, guint32, i);
      const FleetHost *host = g_ptr_array_index (plan->hosts, index);
      gint64 work = host_work_us (plan, schedule, host);
      gint64 start = 0;

      total_us += work;
      if (fit_host (fleet_plan_schedule_host_windows (schedule, index), previous_us,
                    MAX (work + margin_us, 1), &start) == FIT_OK)
        bound = MAX (bound, start + work);
    }

  return MAX (bound, previous_us + (total_us + plan->parallelism - 1) / plan->parallelism);
}

gboolean
fleet_planner_schedule_windows (FleetPlan *plan,
                                const FleetWorkflow *workflow,
                                FleetDiagnostics *diags)
{
  g_autoptr(FleetPlanSchedule) schedule = NULL;
  Scheduler scheduler = { workflow, plan, NULL, diags, 0 };
  gint64 start_us, bound_us;

  if (workflow->windows == NULL)
    return TRUE;

  schedule = fleet_plan_schedule_new ();
  scheduler.schedule = schedule;
  schedule->from_us = workflow->windows->from_us;
  schedule->to_us = workflow->windows->to_us;
  schedule->margin_ms = workflow->schedule.margin_ms;
  schedule->at_window_end = workflow->schedule.at_window_end;
  g_array_set_size (schedule->host_starts_us, plan->hosts->len);

  if (!resolve_estimates (&scheduler))
    return FALSE;
  assign_window_sets (&scheduler);

  start_us = bound_us = schedule->from_us;
  for (guint w = 0; w < plan->waves->len; w++)
    {
      FleetWaveSchedule placed;

      bound_us = wave_lower_bound (&scheduler, w, bound_us);
      placed = place_wave (&scheduler, w, start_us);
      g_array_append_val (schedule->waves, placed);
      start_us = placed.end_us;
    }
  schedule->finish_us = start_us;
  schedule->lower_bound_us = MIN (bound_us, schedule->finish_us);

  if (scheduler.unfit > MAX_UNFIT_REPORTS)
    fleet_diagnostics_error (diags, NULL, "%u more hosts do not fit their windows",
                             scheduler.unfit - MAX_UNFIT_REPORTS);
  if (scheduler.unfit > 0)
    return FALSE;

  plan->schedule = g_steal_pointer (&schedule);
  return TRUE;
}
