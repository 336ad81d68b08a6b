/* fleet-concurrency.c: the AIMD limit of busy hosts; the law and its
 * parameters are in fleet-concurrency.h. */
#include "runtime/fleet-concurrency.h"

#include <stdlib.h>
#include <string.h>

/* Durations per key whose median is compared with the fastest. */
#define LATENCY_WINDOW 9

struct FleetConcurrency {
  FleetConcurrencyParams params;
  double limit;
  gboolean slow_start;
  guint64 completions;
  guint64 round_end;            /* no second decrease before this many
                                   completions */
  GHashTable *fastest_us;       /* GUINT_TO_POINTER (key) -> KeyLatency * */
  GArray *history;              /* FleetConcurrencyChange */
  guint peak;
  gboolean in_burst;            /* at least half of the busy hosts are connecting */
  gint64 burst_ended_us;        /* when the last burst ended; G_MININT64: never */
};

void
fleet_concurrency_params_init (FleetConcurrencyParams *params, guint max)
{
  *params = (FleetConcurrencyParams) {
    .adaptive = TRUE,
    .min = 1,
    .max = MAX (max, 1),
    .initial = 16,
    .decrease = 0.5,
    .latency_factor = 3.0,
    .latency_slack_us = 250 * G_TIME_SPAN_MILLISECOND,
    .burst_settle_us = G_USEC_PER_SEC,
  };
}

const char *
fleet_congestion_name (FleetCongestion congestion)
{
  switch (congestion)
    {
    case FLEET_CONGESTION_NONE:
      return "none";
    case FLEET_CONGESTION_TIMEOUT:
      return "timeout";
    case FLEET_CONGESTION_CONNECTION:
      return "connection";
    case FLEET_CONGESTION_LATENCY:
      return "latency";
    case FLEET_CONGESTION_CONTROLLER:
      return "controller";
    }
  g_return_val_if_reached ("none");
}

static void
record (FleetConcurrency *concurrency, gint64 now_us, FleetCongestion cause)
{
  guint limit = fleet_concurrency_limit (concurrency);
  const GArray *history = concurrency->history;

  if (history->len > 0
      && g_array_index (history, FleetConcurrencyChange, history->len - 1).limit == limit)
    return;

  g_array_append_val (concurrency->history,
                      ((FleetConcurrencyChange) { .time_us = now_us, .limit = limit,
                                                  .cause = cause }));
  concurrency->peak = MAX (concurrency->peak, limit);
}

FleetConcurrency *
fleet_concurrency_new (const FleetConcurrencyParams *params, gint64 now_us)
{
  FleetConcurrency *concurrency = g_new0 (FleetConcurrency, 1);

  concurrency->params = *params;
  concurrency->params.max = MAX (params->max, 1);
  concurrency->params.min = CLAMP (params->min, 1, concurrency->params.max);
  if (params->decrease <= 0.0 || params->decrease >= 1.0)
    concurrency->params.decrease = 0.5;

  concurrency->limit = params->adaptive
                       ? CLAMP (params->initial, concurrency->params.min, concurrency->params.max)
                       : concurrency->params.max;
  concurrency->slow_start = TRUE;
  concurrency->burst_ended_us = G_MININT64;
  concurrency->fastest_us = g_hash_table_new_full (NULL, NULL, NULL, g_free);
  concurrency->history = g_array_new (FALSE, FALSE, sizeof (FleetConcurrencyChange));
  record (concurrency, now_us, FLEET_CONGESTION_NONE);
  return concurrency;
}

void
fleet_concurrency_free (FleetConcurrency *concurrency)
{
  if (concurrency == NULL)
    return;

  g_hash_table_unref (concurrency->fastest_us);
  g_array_unref (concurrency->history);
  g_free (concurrency);
}

guint
fleet_concurrency_limit (const FleetConcurrency *concurrency)
{
  return (guint) concurrency->limit;
}

static void
decrease (FleetConcurrency *concurrency, gint64 now_us, FleetCongestion cause)
{
  guint in_flight = fleet_concurrency_limit (concurrency);

  if (concurrency->completions < concurrency->round_end)
    return;

  concurrency->limit = MAX (concurrency->limit * concurrency->params.decrease,
                            (double) concurrency->params.min);
  concurrency->slow_start = FALSE;
  concurrency->round_end = concurrency->completions + in_flight;
  record (concurrency, now_us, cause);
}

static void
increase (FleetConcurrency *concurrency, gint64 now_us)
{
  if (concurrency->slow_start)
    concurrency->limit += 1.0;
  else
    concurrency->limit += 1.0 / concurrency->limit;

  concurrency->limit = MIN (concurrency->limit, (double) concurrency->params.max);
  record (concurrency, now_us, FLEET_CONGESTION_NONE);
}

/* The recent durations of one key (a step, or connecting). */
typedef struct {
  gint64 fastest_us;
  gint64 recent_us[LATENCY_WINDOW];
  guint n_recent;
  guint next;
} KeyLatency;

static gint
compare_us (gconstpointer a, gconstpointer b)
{
  gint64 x = *(const gint64 *) a, y = *(const gint64 *) b;

  return x < y ? -1 : x > y;
}

/* Record `duration_us` for `key` and return whether the median of the last
 * LATENCY_WINDOW durations is far above the fastest ever seen.  The median
 * ignores a few slow hosts; only a slowdown of most hosts moves it. */
static gboolean
latency_inflated (FleetConcurrency *concurrency, guint key, gint64 duration_us)
{
  KeyLatency *latency = g_hash_table_lookup (concurrency->fastest_us, GUINT_TO_POINTER (key));
  gint64 sorted[LATENCY_WINDOW];
  gint64 median;

  if (latency == NULL)
    {
      latency = g_new0 (KeyLatency, 1);
      latency->fastest_us = duration_us;
      g_hash_table_insert (concurrency->fastest_us, GUINT_TO_POINTER (key), latency);
    }

  latency->fastest_us = MIN (latency->fastest_us, duration_us);
  latency->recent_us[latency->next] = duration_us;
  latency->next = (latency->next + 1) % LATENCY_WINDOW;
  latency->n_recent = MIN (latency->n_recent + 1, LATENCY_WINDOW);
  if (concurrency->params.latency_factor <= 0.0 || latency->n_recent < LATENCY_WINDOW)
    return FALSE;

  memcpy (sorted, latency->recent_us, sizeof sorted);
  qsort (sorted, LATENCY_WINDOW, sizeof sorted[0], compare_us);
  median = sorted[LATENCY_WINDOW / 2];
  return median > latency->fastest_us * concurrency->params.latency_factor
                  + concurrency->params.latency_slack_us;
}

/* Return whether a unit's duration may be taken as a latency sample: never
 * a connection's, and no step that overlapped a handshake burst. */
static gboolean
judges_latency (const FleetConcurrency *concurrency, gint64 now_us, guint key,
                gint64 duration_us)
{
  if (key == FLEET_CONCURRENCY_CONNECT_KEY || concurrency->in_burst)
    return FALSE;
  return now_us - duration_us >= concurrency->burst_ended_us;
}

FleetCongestion
fleet_concurrency_report (FleetConcurrency *concurrency,
                          gint64 now_us,
                          guint key,
                          gint64 duration_us,
                          gboolean succeeded,
                          FleetCongestion signal)
{
  if (!concurrency->params.adaptive)
    return FLEET_CONGESTION_NONE;

  concurrency->completions++;
  if (signal == FLEET_CONGESTION_NONE && succeeded && judges_latency (concurrency, now_us, key,
                                                                      duration_us)
      && latency_inflated (concurrency, key, duration_us))
    signal = FLEET_CONGESTION_LATENCY;

  if (signal != FLEET_CONGESTION_NONE)
    decrease (concurrency, now_us, signal);
  else if (succeeded)
    increase (concurrency, now_us);
  return signal;
}

gboolean
fleet_concurrency_pressure (FleetConcurrency *concurrency, gint64 now_us, FleetPressure pressure)
{
  if (!concurrency->params.adaptive)
    return FALSE;

  /* The handshake threads are busy by design during a burst, and the CPU
   * sample reaches back about a second. */
  if (pressure == FLEET_PRESSURE_CPU
      && (concurrency->in_burst
          || (concurrency->burst_ended_us != G_MININT64
              && now_us - concurrency->burst_ended_us < concurrency->params.burst_settle_us)))
    return FALSE;

  decrease (concurrency, now_us, FLEET_CONGESTION_CONTROLLER);
  return TRUE;
}

void
fleet_concurrency_set_connecting (FleetConcurrency *concurrency, gint64 now_us, guint connecting,
                                  guint busy)
{
  gboolean in_burst = connecting > 0 && 2 * (guint64) connecting >= busy;

  if (concurrency->in_burst && !in_burst)
    concurrency->burst_ended_us = now_us;
  concurrency->in_burst = in_burst;
}

gboolean
fleet_concurrency_in_handshake_burst (const FleetConcurrency *concurrency)
{
  return concurrency->in_burst;
}

const GArray *
fleet_concurrency_history (const FleetConcurrency *concurrency)
{
  return concurrency->history;
}

gboolean
fleet_concurrency_adaptive (const FleetConcurrency *concurrency)
{
  return concurrency->params.adaptive;
}

guint
fleet_concurrency_peak (const FleetConcurrency *concurrency)
{
  return concurrency->peak;
}
