/* fleet-concurrency.c: the AIMD limit of busy hosts; the law and its
 * parameters are in fleet-concurrency.h. */
#include "runtime/fleet-concurrency.h"

struct FleetConcurrency {
  FleetConcurrencyParams params;
  double limit;
  gboolean slow_start;
  guint64 completions;
  guint64 round_end;            /* no second decrease before this many
                                   completions */
  GHashTable *fastest_us;       /* GUINT_TO_POINTER (key) -> gint64 * */
  GArray *history;              /* FleetConcurrencyChange */
  guint peak;
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

/* Return whether `duration_us` is far above the fastest run of `key`, and
 * remember it when it is the fastest. */
static gboolean
latency_inflated (FleetConcurrency *concurrency, guint key, gint64 duration_us)
{
  gint64 *fastest = g_hash_table_lookup (concurrency->fastest_us, GUINT_TO_POINTER (key));
  gboolean inflated = FALSE;

  if (fastest == NULL)
    {
      fastest = g_new (gint64, 1);
      *fastest = duration_us;
      g_hash_table_insert (concurrency->fastest_us, GUINT_TO_POINTER (key), fastest);
      return FALSE;
    }

  if (concurrency->params.latency_factor > 0.0)
    inflated = duration_us > *fastest * concurrency->params.latency_factor
                             + concurrency->params.latency_slack_us;
  *fastest = MIN (*fastest, duration_us);
  return inflated;
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
  if (signal == FLEET_CONGESTION_NONE && succeeded
      && latency_inflated (concurrency, key, duration_us))
    signal = FLEET_CONGESTION_LATENCY;

  if (signal != FLEET_CONGESTION_NONE)
    decrease (concurrency, now_us, signal);
  else if (succeeded)
    increase (concurrency, now_us);
  return signal;
}

void
fleet_concurrency_pressure (FleetConcurrency *concurrency, gint64 now_us)
{
  if (concurrency->params.adaptive)
    decrease (concurrency, now_us, FLEET_CONGESTION_CONTROLLER);
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
