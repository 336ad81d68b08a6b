/* window-schedule.c: fitting a plan's waves into its maintenance windows
 * (the model is in window-schedule.h). */
#include "planner/window-schedule.h"

#include <string.h>

#include "planner/window-freezes.h"
#include "schema/fleet-clock.h"
#include "schema/fleet-plan-work.h"

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
  FIT_RANGE_ENDS,      /* long windows exist, but none is left once earlier hosts have slots */
} FitResult;

typedef struct {
  guint32 host;        /* plan host index */
  guint position;      /* in the wave as built, to keep ties stable */
  gint64 work_us;      /* sum of the estimates of the steps it runs */
  gint64 need_us;      /* work plus margin: what its window must have left */
  FitResult fit;
} HostWork;

typedef struct {
  const FleetWorkflow *workflow;
  FleetPlan *plan;
  FleetPlanSchedule *schedule;
  FleetDiagnostics *diags;
  guint unfit;         /* hosts reported so far */
  gboolean trial;      /* placing to compare targets: report nothing */
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
          g_ptr_array_add (scheduler->schedule->window_set_freezes,
                           fleet_window_host_freezes (calendar, host));
          g_hash_table_insert (index_of, g_steal_pointer (&key), GUINT_TO_POINTER (index));
        }
      g_array_append_val (scheduler->schedule->host_window_set, index);
    }
}

/* A binary min-heap of fixed-size elements in a GArray, for the slots of
 * a wave (gint64 free times) and the candidates of the host groups. */

typedef int (*HeapCompare) (const void *a, const void *b);

static void *
heap_at (GArray *heap, guint i)
{
  return heap->data + (gsize) i * g_array_get_element_size (heap);
}

static void
heap_swap (GArray *heap, guint i, guint j)
{
  guint size = g_array_get_element_size (heap);
  guint8 tmp[64];

  g_assert (size <= sizeof tmp);
  memcpy (tmp, heap_at (heap, i), size);
  memcpy (heap_at (heap, i), heap_at (heap, j), size);
  memcpy (heap_at (heap, j), tmp, size);
}

static void
heap_push (GArray *heap, const void *element, HeapCompare compare)
{
  guint i = heap->len;

  g_array_append_vals (heap, element, 1);
  while (i > 0 && compare (heap_at (heap, (i - 1) / 2), heap_at (heap, i)) > 0)
    {
      heap_swap (heap, i, (i - 1) / 2);
      i = (i - 1) / 2;
    }
}

/* Copy the least element to `out` and remove it. */
static void
heap_pop (GArray *heap, void *out, HeapCompare compare)
{
  guint i = 0;

  memcpy (out, heap_at (heap, 0), g_array_get_element_size (heap));
  heap_swap (heap, 0, heap->len - 1);
  g_array_set_size (heap, heap->len - 1);

  for (;;)
    {
      guint child = 2 * i + 1;

      if (child >= heap->len)
        break;
      if (child + 1 < heap->len && compare (heap_at (heap, child + 1), heap_at (heap, child)) < 0)
        child++;
      if (compare (heap_at (heap, i), heap_at (heap, child)) <= 0)
        break;
      heap_swap (heap, i, child);
      i = child;
    }
}

static int
compare_times (const void *a, const void *b)
{
  gint64 x = *(const gint64 *) a;
  gint64 y = *(const gint64 *) b;

  return (x > y) - (x < y);
}

/* Hosts */

static gint64
host_work_us (const FleetPlan *plan, const FleetPlanSchedule *schedule, const FleetHost *host)
{
  return (gint64) fleet_plan_host_work_ms (plan, schedule, host, 0) * MS_US;
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

/* Report a host without any window in the range: a freeze is named only
 * when one covers the windows its groups have. */
static void
report_no_window (Scheduler *scheduler, const FleetHost *host, const char *groups,
                  const char *label, const char *from, const char *to)
{
  g_autofree char *freezes = fleet_window_covering_freezes (scheduler->workflow->windows, host);

  if (freezes != NULL)
    fleet_diagnostics_error (scheduler->diags, &host->pos,
                             "host %s (%s) of %s has no maintenance window between %s and %s: "
                             "the freezes that apply to it (%s) cover every window of its "
                             "groups; shorten a freeze, or add a window outside them",
                             host->name, groups, label, from, to, freezes);
  else
    fleet_diagnostics_error (scheduler->diags, &host->pos,
                             "host %s (%s) of %s has no maintenance window between %s and %s; "
                             "add a window that applies to one of its groups, or, when its "
                             "windows come later, compile with a longer --window-days",
                             host->name, groups, label, from, to);
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

  if (scheduler->trial)
    return;
  scheduler->unfit++;
  if (scheduler->unfit > MAX_UNFIT_REPORTS)
    return;

  switch (work->fit)
    {
    case FIT_NO_WINDOW:
      report_no_window (scheduler, host, groups, label, from, to);
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
                               "at %s: after the wave starts at %s and the hosts before it take "
                               "the slots, no window of its groups with %s left (steps %s + "
                               "margin %s) remains; raise parallelism or use fewer waves, or, "
                               "when its windows recur after the range, compile with a longer "
                               "--window-days",
                               host->name, groups, label, to, start, need, steps, margin);
      break;
    case FIT_OK:
      g_assert_not_reached ();
    }
}

/* Waves */

/* The hosts of a wave that share their windows and their need: they fit
 * the same windows, so only the first one not yet placed competes for a
 * slot. */
typedef struct {
  GArray *members;     /* guint, indices into the wave's HostWork array, in wave order */
  guint next;          /* the first member not yet placed */
  const GArray *windows;
  gint64 need_us;
} HostGroup;

/* The earliest start of a group's next member, as last computed.  Starts
 * only move later as slots fill, so a stale candidate is a lower bound. */
typedef struct {
  gint64 start_us;
  guint position;      /* of the member in the wave, to break ties in wave order */
  guint group;
} Candidate;

static int
compare_candidates (const void *a, const void *b)
{
  const Candidate *x = a;
  const Candidate *y = b;

  if (x->start_us != y->start_us)
    return x->start_us < y->start_us ? -1 : 1;
  return (x->position > y->position) - (x->position < y->position);
}

static void
host_group_clear (gpointer data)
{
  HostGroup *group = data;

  g_array_unref (group->members);
}

/* Sort the hosts of a wave into groups of the same window set and need. */
static GArray *
group_hosts (const FleetPlanSchedule *schedule, const HostWork *works, guint n)
{
  g_autoptr(GHashTable) index_of = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
  GArray *groups = g_array_new (FALSE, TRUE, sizeof (HostGroup));

  g_array_set_clear_func (groups, host_group_clear);
  for (guint i = 0; i < n; i++)
    {
      guint32 set = g_array_index (schedule->host_window_set, guint32, works[i].host);
      g_autofree char *key = g_strdup_printf ("%u/%" G_GINT64_FORMAT, set, works[i].need_us);
      gpointer found = NULL;
      HostGroup *group;

      if (!g_hash_table_lookup_extended (index_of, key, NULL, &found))
        {
          HostGroup fresh = { g_array_new (FALSE, FALSE, sizeof (guint)), 0,
                              g_ptr_array_index (schedule->window_sets, set), works[i].need_us };

          found = GUINT_TO_POINTER (groups->len);
          g_array_append_val (groups, fresh);
          g_hash_table_insert (index_of, g_steal_pointer (&key), found);
        }
      group = &g_array_index (groups, HostGroup, GPOINTER_TO_UINT (found));
      g_array_append_val (group->members, i);
    }
  return groups;
}

/* Report every member of `group` not yet placed as not fitting. */
static void
report_group_unfit (Scheduler *scheduler, guint wave_index, HostWork *works, HostGroup *group,
                    FitResult fit, gint64 wave_start_us, GArray *unfit)
{
  for (; group->next < group->members->len; group->next++)
    {
      guint member = g_array_index (group->members, guint, group->next);

      works[member].fit = fit;
      report_unfit (scheduler, wave_index, &works[member], wave_start_us);
      g_array_append_val (unfit, works[member].host);
    }
}

/* Put `candidate` of `group` back among the waiting candidates with its
 * start recomputed from `at_us`, or report the group's hosts left as not
 * fitting when no window has room for them any more. */
static void
requeue_group (Scheduler *scheduler, guint wave_index, HostWork *works, HostGroup *group,
               Candidate *candidate, gint64 at_us, gint64 wave_start_us, GArray *candidates,
               GArray *unfit)
{
  FitResult fit = fit_host (group->windows, at_us, group->need_us, &candidate->start_us);

  if (fit != FIT_OK)
    {
      report_group_unfit (scheduler, wave_index, works, group, fit, wave_start_us, unfit);
      return;
    }
  heap_push (candidates, candidate, compare_candidates);
}

/* Added to the ready key of a group that may wait for its next window
 * without ending after the target, so that it comes after every group
 * that may not.  Window times stay far below it. */
#define NOT_URGENT_OFFSET (G_GINT64_CONSTANT (1) << 60)

/* A target for ready_key that keeps the wave's order among the groups
 * that may start. */
#define TARGET_WAVE_ORDER G_MAXINT64

/* Return the order of a group that may start at `at_us` among the others
 * that may: a group that would end after `target_us` if it had to wait for
 * its next window (or has none) is urgent, and urgent groups come first;
 * within each kind, the group whose window closes first comes first.  With
 * TARGET_WAVE_ORDER, all are equal, so the earlier host of the wave wins. */
static gint64
ready_key (const HostGroup *group, gint64 at_us, gint64 margin_us, gint64 target_us)
{
  gint64 window_end_us = 0;
  gint64 next_start_us = 0;
  gint64 work_us = group->need_us - margin_us;

  if (target_us == TARGET_WAVE_ORDER)
    return 0;

  fleet_window_list_allows (group->windows, at_us, group->need_us, &window_end_us);
  if (!fleet_window_list_next_start (group->windows, window_end_us, group->need_us,
                                     &next_start_us)
      || next_start_us + work_us > target_us)
    return window_end_us;
  return window_end_us + NOT_URGENT_OFFSET;
}

/* Move every candidate that may start at `at_us` from `candidates` (by
 * start) to `ready` (by ready_key, kept in the candidate's start_us
 * field). */
static void
promote_ready (Scheduler *scheduler, guint wave_index, HostWork *works, GArray *groups,
               GArray *candidates, GArray *ready, gint64 at_us, gint64 wave_start_us,
               gint64 target_us, GArray *unfit)
{
  gint64 margin_us = (gint64) scheduler->schedule->margin_ms * MS_US;

  while (candidates->len > 0 && ((const Candidate *) heap_at (candidates, 0))->start_us <= at_us)
    {
      Candidate candidate;
      HostGroup *group;

      heap_pop (candidates, &candidate, compare_candidates);
      group = &g_array_index (groups, HostGroup, candidate.group);
      if (fleet_window_list_allows (group->windows, at_us, group->need_us, NULL))
        {
          candidate.start_us = ready_key (group, at_us, margin_us, target_us);
          heap_push (ready, &candidate, compare_candidates);
          continue;
        }
      requeue_group (scheduler, wave_index, works, group, &candidate, at_us, wave_start_us,
                     candidates, unfit);
    }
}

/* Place the hosts of wave `wave_index`, starting at `start_us`, by list
 * scheduling.  The slot that frees first goes to a host that may start in
 * it then, in ready_key order.  When none may, the slot idles until the
 * first host that can start later.  Records each host's start and, unless
 * scheduler->trial, reorders the wave's hosts by planned start, hosts that
 * do not fit last.  Returns the wave's schedule, and the number of hosts
 * that do not fit in `out_unfit`. */
static FleetWaveSchedule
place_wave (Scheduler *scheduler, guint wave_index, gint64 start_us, gint64 target_us,
            guint *out_unfit)
{
  FleetPlan *plan = scheduler->plan;
  FleetPlanSchedule *schedule = scheduler->schedule;
  FleetWave *wave = g_ptr_array_index (plan->waves, wave_index);
  guint n = wave->host_indices->len;
  g_autofree HostWork *works = g_new0 (HostWork, n);
  g_autoptr(GArray) slots = g_array_new (FALSE, FALSE, sizeof (gint64));
  g_autoptr(GArray) candidates = g_array_new (FALSE, FALSE, sizeof (Candidate));
  g_autoptr(GArray) ready = g_array_new (FALSE, FALSE, sizeof (Candidate));
  g_autoptr(GArray) groups = NULL;
  g_autoptr(GArray) order = g_array_new (FALSE, FALSE, sizeof (guint32));
  g_autoptr(GArray) unfit = g_array_new (FALSE, FALSE, sizeof (guint32));
  FleetWaveSchedule placed = { G_MAXINT64, G_MAXINT64, start_us };
  gint64 margin_us = (gint64) schedule->margin_ms * MS_US;
  gint64 slack_us = G_MAXINT64;

  for (guint i = 0; i < n; i++)
    {
      HostWork *work = &works[i];
      const FleetHost *host;

      work->host = g_array_index (wave->host_indices, guint32, i);
      work->position = i;
      host = g_ptr_array_index (plan->hosts, work->host);
      work->work_us = host_work_us (plan, schedule, host);
      work->need_us = MAX (work->work_us + margin_us, 1);
    }
  groups = group_hosts (schedule, works, n);

  for (guint i = 0; i < MIN (n, plan->parallelism); i++)
    heap_push (slots, &start_us, compare_times);

  for (guint g = 0; g < groups->len; g++)
    {
      HostGroup *group = &g_array_index (groups, HostGroup, g);
      Candidate candidate = { 0, g_array_index (group->members, guint, 0), g };
      FitResult fit = fit_host (group->windows, start_us, group->need_us, &candidate.start_us);

      if (fit != FIT_OK)
        report_group_unfit (scheduler, wave_index, works, group, fit, start_us, unfit);
      else
        heap_push (candidates, &candidate, compare_candidates);
    }

  while (candidates->len > 0 || ready->len > 0)
    {
      Candidate candidate;
      HostGroup *group;
      HostWork *work;
      gint64 host_start_us = MAX (*(gint64 *) heap_at (slots, 0), start_us);
      gint64 window_end_us = 0;

      /* The slot that frees first goes to a group that may start then, or
       * idles until the first group that may start later. */
      promote_ready (scheduler, wave_index, works, groups, candidates, ready, host_start_us,
                     start_us, target_us, unfit);
      if (ready->len == 0)
        {
          if (candidates->len == 0)
            break;
          host_start_us = ((const Candidate *) heap_at (candidates, 0))->start_us;
          promote_ready (scheduler, wave_index, works, groups, candidates, ready, host_start_us,
                         start_us, target_us, unfit);
          if (ready->len == 0)
            continue;
        }

      heap_pop (ready, &candidate, compare_candidates);
      group = &g_array_index (groups, HostGroup, candidate.group);
      if (!fleet_window_list_allows (group->windows, host_start_us, group->need_us, NULL))
        {
          /* Its window no longer has room at this time: wait for the next one. */
          requeue_group (scheduler, wave_index, works, group, &candidate, host_start_us,
                         start_us, candidates, unfit);
          continue;
        }

      work = &works[g_array_index (group->members, guint, group->next++)];
      heap_pop (slots, &(gint64) { 0 }, compare_times);
      heap_push (slots, &(gint64) { host_start_us + work->work_us }, compare_times);
      g_array_index (schedule->host_starts_us, gint64, work->host) = host_start_us;
      g_array_append_val (order, work->host);

      fleet_window_list_allows (group->windows, host_start_us, work->need_us, &window_end_us);
      placed.start_us = MIN (placed.start_us, host_start_us);
      placed.end_us = MAX (placed.end_us, host_start_us + work->work_us);
      slack_us = MIN (slack_us, window_end_us - work->need_us - host_start_us);

      if (group->next < group->members->len)
        {
          candidate.position = g_array_index (group->members, guint, group->next);
          candidate.start_us = host_start_us;
          heap_push (candidates, &candidate, compare_candidates);
        }
    }

  *out_unfit = unfit->len;
  g_array_append_vals (order, unfit->data, unfit->len);
  if (!scheduler->trial)
    memcpy (wave->host_indices->data, order->data, (gsize) n * sizeof (guint32));

  /* A wave without a placed host starts and ends where the last one ended. */
  if (placed.start_us == G_MAXINT64)
    placed.start_us = start_us;
  placed.latest_start_us = slack_us == G_MAXINT64 ? placed.start_us : placed.start_us + slack_us;
  return placed;
}

/* Placements tried per wave after the first. */
#define MAX_TARGET_PASSES 6

/* Targets tried, at most, when the passes leave hosts of a wave out.
 * Each target places the whole wave again, so a large wave gets fewer:
 * at most FALLBACK_PLACEMENTS host placements in all, and at least
 * MIN_FALLBACK_TARGETS targets.
 * NOTE: when a wave has more breakpoints than it gets targets, they are
 * sampled evenly, and a range that contains a fitting schedule may then
 * still fail for that wave. */
#define MAX_FALLBACK_TARGETS 256
#define MIN_FALLBACK_TARGETS 8
#define FALLBACK_PLACEMENTS 2000000

/* Return the end that the target search aims below.  A placement that
 * leaves hosts out counts as ending at the range's end at the earliest:
 * the hosts it left out would end after it.  Taking the end of the hosts
 * it placed instead makes the targets, and so the placement, depend on
 * how many hosts the range happened to contain, so that a range that contains a
 * fitting schedule could still fail. */
static gint64
search_end (const Scheduler *scheduler, const FleetWaveSchedule *placed, guint unfit)
{
  if (unfit == 0)
    return placed->end_us;
  return MAX (placed->end_us, scheduler->schedule->to_us);
}

static int
compare_instants (gconstpointer a, gconstpointer b)
{
  return compare_times (a, b);
}

/* Return the targets at which ready_key can change its mind for the hosts
 * of wave `wave_index` placed from `start_us`: each window's first start
 * of each window set at or after `start_us`, plus the work of a host of
 * that set.  Between two of them every placement is the same.  Sorted,
 * without repeats, and spread evenly when there are more than the wave's
 * share of FALLBACK_PLACEMENTS allows. */
static GArray *
breakpoint_targets (const Scheduler *scheduler, guint wave_index, gint64 start_us)
{
  const FleetPlan *plan = scheduler->plan;
  const FleetPlanSchedule *schedule = scheduler->schedule;
  const FleetWave *wave = g_ptr_array_index (plan->waves, wave_index);
  g_autoptr(GHashTable) seen = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
  g_autoptr(GArray) all = g_array_new (FALSE, FALSE, sizeof (gint64));
  GArray *targets = g_array_new (FALSE, FALSE, sizeof (gint64));
  guint limit;

  for (guint i = 0; i < wave->host_indices->len; i++)
    {
      guint32 index = g_array_index (wave->host_indices, guint32, i);
      guint32 set = g_array_index (schedule->host_window_set, guint32, index);
      gint64 work = host_work_us (plan, schedule, g_ptr_array_index (plan->hosts, index));
      const GArray *windows = g_ptr_array_index (schedule->window_sets, set);
      char *key = g_strdup_printf ("%u/%" G_GINT64_FORMAT, set, work);

      if (!g_hash_table_add (seen, key))
        continue;
      for (guint w = 0; w < windows->len; w++)
        {
          const FleetWindowInterval *window = &g_array_index (windows, FleetWindowInterval, w);
          gint64 target;

          if (window->end_us <= start_us)
            continue;
          target = MAX (window->start_us, start_us) + work;
          g_array_append_val (all, target);
        }
    }

  g_array_sort (all, compare_instants);
  for (guint i = 0; i < all->len; i++)
    {
      gint64 target = g_array_index (all, gint64, i);

      if (i == 0 || target != g_array_index (all, gint64, i - 1))
        g_array_append_val (targets, target);
    }
  limit = CLAMP (FALLBACK_PLACEMENTS / MAX (wave->host_indices->len, 1), MIN_FALLBACK_TARGETS,
                 MAX_FALLBACK_TARGETS);
  if (targets->len > limit)
    {
      for (guint i = 0; i < limit; i++)
        g_array_index (targets, gint64, i) =
          g_array_index (targets, gint64, (gsize) i * targets->len / limit);
      g_array_set_size (targets, limit);
    }
  return targets;
}

/* Place wave `wave_index` as well as a few targets allow.  Which group may
 * wait for its next window depends on the end the wave aims at (ready_key).
 * The wave is placed in wave order, then with every group urgent, then
 * aiming at the lower bound of its end, then at ends halfway between the
 * latest target that gave no better end and the best end found
 * (search_end).  When hosts are still left out, every target at which the
 * placement changes is tried (breakpoint_targets), so that the result
 * does not hang on where the halving lands.  The earliest end wins, fewer
 * hosts that do not fit first, and the earlier placement on a tie.
 * `bound_us` is the lower bound of the wave's end (wave_lower_bound
 * without combinations). */
static FleetWaveSchedule
place_wave_best (Scheduler *scheduler, guint wave_index, gint64 start_us, gint64 bound_us)
{
  gint64 best_target_us = TARGET_WAVE_ORDER;
  gint64 low_us = bound_us;
  guint best_unfit = 0;
  guint unfit = 0;
  FleetWaveSchedule best;

  scheduler->trial = TRUE;
  best = place_wave (scheduler, wave_index, start_us, best_target_us, &best_unfit);
  for (guint pass = 0; pass < MAX_TARGET_PASSES + 1; pass++)
    {
      gint64 best_end_us = search_end (scheduler, &best, best_unfit);
      gint64 target_us;
      FleetWaveSchedule placed;

      if (pass == 0)
        target_us = G_MININT64;
      else if (low_us >= best_end_us)
        break;
      else
        target_us = pass == 1 ? low_us : low_us + (best_end_us - low_us) / 2;
      placed = place_wave (scheduler, wave_index, start_us, target_us, &unfit);

      if (unfit < best_unfit || (unfit == best_unfit && placed.end_us < best.end_us))
        {
          best = placed;
          best_unfit = unfit;
          best_target_us = target_us;
        }
      else if (pass > 0)
        low_us = target_us + 1;
    }

  if (best_unfit > 0)
    {
      g_autoptr(GArray) targets = breakpoint_targets (scheduler, wave_index, start_us);

      for (guint i = 0; i < targets->len && best_unfit > 0; i++)
        {
          gint64 target_us = g_array_index (targets, gint64, i);
          FleetWaveSchedule placed = place_wave (scheduler, wave_index, start_us, target_us,
                                                 &unfit);

          if (unfit < best_unfit)
            {
              best = placed;
              best_unfit = unfit;
              best_target_us = target_us;
            }
        }
    }
  scheduler->trial = FALSE;

  return place_wave (scheduler, wave_index, start_us, best_target_us, &unfit);
}

/* The hosts of one window set in a wave, for the lower bound. */
typedef struct {
  const GArray *windows;
  guint hosts;
  gint64 min_work_us;
  gint64 work_us;      /* of all its hosts */
} SetDemand;

/* Return the earliest instant by which the `demand->hosts` hosts of one
 * window set can all have finished when none starts before `from_us`, or
 * G_MAXINT64 when their windows cannot take them all.  Each host runs in
 * one window and needs `margin_us` of it left after its work, so in a
 * window of length L one slot fits at most floor((L - need) / work) + 1
 * hosts back to back.  The bound lets all `parallelism` slots serve this
 * set alone, and the hosts left for the last window end no earlier than
 * its opening plus their rounds of the shortest work. */
static gint64
set_finish_bound (const SetDemand *demand, gint64 from_us, gint64 margin_us, guint parallelism)
{
  gint64 work_us = MAX (demand->min_work_us, 1);
  gint64 need_us = MAX (demand->min_work_us + margin_us, 1);
  guint64 left = demand->hosts;

  for (guint i = 0; i < demand->windows->len && left > 0; i++)
    {
      const FleetWindowInterval *window = &g_array_index (demand->windows, FleetWindowInterval, i);
      gint64 start_us = MAX (window->start_us, from_us);
      gint64 length_us = window->end_us - start_us;
      guint64 per_slot, capacity, rounds;

      if (length_us < need_us)
        continue;

      per_slot = (guint64) ((length_us - need_us) / work_us) + 1;
      capacity = per_slot * parallelism;
      if (capacity < left)
        {
          left -= capacity;
          continue;
        }

      rounds = (left + parallelism - 1) / parallelism;
      return start_us + (gint64) rounds * work_us;
    }
  return G_MAXINT64;
}

/* The most window sets whose every combination is bounded (2^n - 1 of
 * them).  With more sets, only each set alone and all of them together are. */
#define MAX_SETS_COMBINED 12

/* Return the earliest instant T such that `parallelism` slots, open only
 * while a window of `windows` (a normalized list) is, hold `work_us` of
 * work between `from_us` and T, or G_MAXINT64 when they never do. */
static gint64
union_finish_bound (const GArray *windows, gint64 from_us, gint64 work_us, guint parallelism)
{
  gint64 left_us = work_us;

  for (guint i = 0; i < windows->len; i++)
    {
      const FleetWindowInterval *window = &g_array_index (windows, FleetWindowInterval, i);
      gint64 start_us = MAX (window->start_us, from_us);
      gint64 capacity_us;

      if (window->end_us <= start_us)
        continue;
      capacity_us = (window->end_us - start_us) * (gint64) parallelism;
      if (capacity_us >= left_us)
        return start_us + (left_us + parallelism - 1) / parallelism;
      left_us -= capacity_us;
    }
  return G_MAXINT64;
}

/* Append the intervals of `windows` that overlap [from_us, to_us) to `out`. */
static void
append_windows_between (GArray *out, const GArray *windows, gint64 from_us, gint64 to_us)
{
  for (guint i = 0; i < windows->len; i++)
    {
      const FleetWindowInterval *window = &g_array_index (windows, FleetWindowInterval, i);

      if (window->end_us > from_us && window->start_us < to_us)
        g_array_append_vals (out, window, 1);
    }
}

/* Return the bound of the window sets in `demands` taken together: the
 * hosts of the sets of a combination run only while one of their windows
 * is open, and share the slots.  Every combination is tried when there
 * are at most MAX_SETS_COMBINED sets, else only all of them together.
 * Windows after `horizon_us` (an end some schedule reaches) are left out,
 * because a bound never lies after a reachable end. */
static gint64
combined_sets_bound (const SetDemand *demands, guint n_sets, gint64 from_us, gint64 horizon_us,
                     guint parallelism)
{
  g_autofree guint *used = g_new (guint, n_sets);
  guint n_used = 0;
  guint64 first_mask, last_mask;
  gint64 bound = from_us;

  for (guint set = 0; set < n_sets; set++)
    if (demands[set].hosts > 0)
      used[n_used++] = set;
  if (n_used < 2)
    return bound;

  last_mask = n_used <= MAX_SETS_COMBINED ? (G_GUINT64_CONSTANT (1) << n_used) - 1 : G_MAXUINT64;
  first_mask = n_used <= MAX_SETS_COMBINED ? 3 : G_MAXUINT64;
  for (guint64 mask = first_mask; mask <= last_mask && mask != 0; mask++)
    {
      g_autoptr(GArray) windows = g_array_new (FALSE, FALSE, sizeof (FleetWindowInterval));
      gint64 work_us = 0;
      gint64 finish;

      /* A single set has its own, tighter bound. */
      if ((mask & (mask - 1)) == 0)
        continue;

      for (guint k = 0; k < n_used; k++)
        if (k >= 64 || (mask >> k) & 1)
          {
            const SetDemand *demand = &demands[used[k]];

            append_windows_between (windows, demand->windows, from_us, horizon_us);
            work_us += demand->work_us;
          }
      fleet_window_list_normalize (windows);

      finish = union_finish_bound (windows, from_us, work_us, parallelism);
      if (finish != G_MAXINT64)
        bound = MAX (bound, finish);
      if (mask == G_MAXUINT64)
        break;
    }
  return bound;
}

/* Return the lower bound on the end of wave `wave_index` when no earlier
 * wave can end before `previous_us`.  Every host needs a window from then
 * on, the slots must hold the wave's total work, and the hosts of each
 * window set must fit that set's windows (set_finish_bound).  Unless
 * `horizon_us` is G_MAXINT64, combinations of window sets must also fit
 * their windows before it (combined_sets_bound). */
static gint64
wave_lower_bound (Scheduler *scheduler, guint wave_index, gint64 previous_us, gint64 horizon_us)
{
  const FleetPlan *plan = scheduler->plan;
  const FleetPlanSchedule *schedule = scheduler->schedule;
  const FleetWave *wave = g_ptr_array_index (plan->waves, wave_index);
  gint64 margin_us = (gint64) schedule->margin_ms * MS_US;
  g_autofree SetDemand *demands = g_new0 (SetDemand, schedule->window_sets->len);
  gint64 total_us = 0;
  gint64 bound = previous_us;

  for (guint i = 0; i < wave->host_indices->len; i++)
    {
      guint32 index = g_array_index (wave->host_indices, guint32, i);
      const FleetHost *host = g_ptr_array_index (plan->hosts, index);
      guint32 set = g_array_index (schedule->host_window_set, guint32, index);
      SetDemand *demand = &demands[set];
      gint64 work = host_work_us (plan, schedule, host);
      gint64 start = 0;

      total_us += work;
      if (fit_host (fleet_plan_schedule_host_windows (schedule, index), previous_us,
                    MAX (work + margin_us, 1), &start) == FIT_OK)
        bound = MAX (bound, start + work);

      demand->windows = g_ptr_array_index (schedule->window_sets, set);
      demand->min_work_us = demand->hosts == 0 ? work : MIN (demand->min_work_us, work);
      demand->work_us += work;
      demand->hosts++;
    }

  if (horizon_us != G_MAXINT64)
    bound = MAX (bound, combined_sets_bound (demands, schedule->window_sets->len, previous_us,
                                             horizon_us, plan->parallelism));

  for (guint set = 0; set < schedule->window_sets->len; set++)
    {
      gint64 finish;

      if (demands[set].hosts == 0)
        continue;
      finish = set_finish_bound (&demands[set], previous_us, margin_us, plan->parallelism);
      if (finish != G_MAXINT64)
        bound = MAX (bound, finish);
    }

  return MAX (bound, previous_us + (total_us + plan->parallelism - 1) / plan->parallelism);
}

gboolean
fleet_planner_schedule_windows (FleetPlan *plan,
                                const FleetWorkflow *workflow,
                                FleetDiagnostics *diags)
{
  g_autoptr(FleetPlanSchedule) schedule = NULL;
  Scheduler scheduler = { workflow, plan, NULL, diags, 0, FALSE };
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

      placed = place_wave_best (&scheduler, w, start_us,
                                wave_lower_bound (&scheduler, w, start_us, G_MAXINT64));
      bound_us = wave_lower_bound (&scheduler, w, bound_us, placed.end_us);
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
