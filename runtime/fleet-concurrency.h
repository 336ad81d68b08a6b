/* fleet-concurrency.h: how many hosts fleet-run keeps busy at once.
 *
 * The limit follows the additive-increase/multiplicative-decrease law of
 * TCP congestion control (RFC 5681), with units of work (a connection or
 * a step on one host) in place of segments and their ends in place of
 * acknowledgements:
 *
 *   slow start   each successful unit adds 1 to the limit, which doubles it
 *                per round of `limit` units, until the first congestion
 *                signal;
 *   avoidance    afterwards each successful unit adds 1/limit, so the limit
 *                grows by 1 per round;
 *   decrease     a congestion signal multiplies the limit by `decrease`
 *                (default 0.5), at most once per round: the hosts already
 *                in flight when the limit fell carry news of the old limit.
 *
 * Congestion signals are the ones that say the fleet or the controller is
 * overloaded, not that one host is broken: a connect timeout, a handshake
 * cut short, a lost connection, a command timeout, a refused channel, a
 * step whose median duration over its last 9 runs exceeds `latency_factor`
 * times the fastest seen for that step plus `latency_slack_us` (a median,
 * so a few slow hosts do not count), and pressure on the controller's own
 * file descriptors, memory or CPU (fleet_concurrency_pressure).  A command
 * that exits non-zero, a rejected key or a changed host key is no signal.
 *
 * Handshakes are not command latency.  Key exchange and the login signature
 * are CPU work on the controller and the servers.  When many hosts connect
 * at once, connections and the commands running beside them slow down
 * because of the connecting itself, not because the fleet is congested.
 * Therefore:
 *
 *   - the duration of a connection is never a latency signal (its timeout
 *     and its failures still are);
 *   - during a handshake burst, while at least half of the busy hosts are
 *     still connecting (fleet_concurrency_set_connecting), step durations
 *     are not recorded, nor are those of steps that started before the
 *     burst ended, and controller CPU pressure is ignored until
 *     `burst_settle_us` after the burst ends.  Descriptor and memory
 *     pressure always count.
 *
 * NOTE: on a fleet whose hosts spend most of their busy time connecting
 * (one short command per host), nearly every moment is a burst, so there
 * only timeouts, failures, descriptors and memory lower the limit.
 *
 * The limit never leaves [min, max]; max is the plan's parallelism, a hard
 * cap.  With `adaptive` FALSE the limit stays at max.  Every change of the
 * whole-number limit is recorded with its time and cause for the run report.
 *
 * The module does no I/O and reads no clock: callers pass times in.
 */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

typedef struct {
  gboolean adaptive;         /* FALSE: the limit is max, always */
  guint min;                 /* at least 1 */
  guint max;                 /* the plan's parallelism */
  guint initial;             /* start of slow start; clamped to [min, max] */
  double decrease;           /* factor on congestion, in (0, 1) */
  double latency_factor;     /* a step slower than this many times its
                                fastest is a congestion signal; 0: off */
  gint64 latency_slack_us;   /* added to the latency bound, so fast steps
                                do not signal on scheduling noise */
  gint64 burst_settle_us;    /* after a handshake burst, CPU pressure is
                                ignored this long: the controller's CPU
                                sample covers about a second */
} FleetConcurrencyParams;

/* The key of a connection in fleet_concurrency_report(). */
#define FLEET_CONCURRENCY_CONNECT_KEY G_MAXUINT

/* The defaults: adaptive, min 1, initial 16, decrease 0.5, latency factor
 * 3, slack 250 ms and burst settling 1 s; `max` is set by the caller. */
void fleet_concurrency_params_init (FleetConcurrencyParams *params, guint max);

typedef enum {
  FLEET_CONGESTION_NONE,
  FLEET_CONGESTION_TIMEOUT,     /* connect or command timeout */
  FLEET_CONGESTION_CONNECTION,  /* handshake cut short, connection lost,
                                   channel refused */
  FLEET_CONGESTION_LATENCY,     /* a step far slower than its fastest */
  FLEET_CONGESTION_CONTROLLER,  /* the controller's descriptors or memory */
} FleetCongestion;

/* Return a short word for `congestion`, as written in journals and reports. */
const char *fleet_congestion_name (FleetCongestion congestion);

/* One change of the whole-number limit. */
typedef struct {
  gint64 time_us;
  guint limit;
  FleetCongestion cause;        /* NONE for an increase */
} FleetConcurrencyChange;

typedef struct FleetConcurrency FleetConcurrency;

FleetConcurrency *fleet_concurrency_new (const FleetConcurrencyParams *params, gint64 now_us);
void fleet_concurrency_free (FleetConcurrency *concurrency);

/* The number of hosts that may be busy now. */
guint fleet_concurrency_limit (const FleetConcurrency *concurrency);

/* Report a finished unit of work: a connection (key
 * FLEET_CONCURRENCY_CONNECT_KEY) or step
 * `key` that took `duration_us` and ended with `signal` (NONE when it
 * succeeded or failed for a host-specific reason).  `succeeded` says
 * whether it counts towards growth.  Returns the congestion the call
 * acted on, LATENCY included, or NONE. */
FleetCongestion fleet_concurrency_report (FleetConcurrency *concurrency,
                                          gint64 now_us,
                                          guint key,
                                          gint64 duration_us,
                                          gboolean succeeded,
                                          FleetCongestion signal);

/* What the controller is short of. */
typedef enum {
  FLEET_PRESSURE_DESCRIPTORS,
  FLEET_PRESSURE_MEMORY,
  FLEET_PRESSURE_CPU,
} FleetPressure;

/* Report pressure on the controller itself: acts as a congestion signal,
 * except CPU pressure during and just after a handshake burst.  Returns
 * whether it was taken as one. */
gboolean fleet_concurrency_pressure (FleetConcurrency *concurrency, gint64 now_us,
                                     FleetPressure pressure);

/* Tell the limiter that `connecting` of the `busy` hosts are still in
 * their connection (TCP connect, handshake and login); call whenever either
 * changes. */
void fleet_concurrency_set_connecting (FleetConcurrency *concurrency, gint64 now_us,
                                       guint connecting, guint busy);

/* Return whether a handshake burst is on: at least half of the busy hosts
 * are still connecting. */
gboolean fleet_concurrency_in_handshake_burst (const FleetConcurrency *concurrency);

/* The changes so far, FleetConcurrencyChange in time order; the first
 * entry is the initial limit.  Borrowed. */
const GArray *fleet_concurrency_history (const FleetConcurrency *concurrency);

/* Return whether the limit adapts (params.adaptive). */
gboolean fleet_concurrency_adaptive (const FleetConcurrency *concurrency);

/* The highest limit reached so far. */
guint fleet_concurrency_peak (const FleetConcurrency *concurrency);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (FleetConcurrency, fleet_concurrency_free)

G_END_DECLS
