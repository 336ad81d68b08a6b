/* fleet-sim.h: a simulated fleet that drives fleet-run's pacer (limit,
 * caps) without SSH, for tests and benchmarks at 10,000 hosts.
 *
 * Each host connects, then runs `steps` steps one after another; every unit
 * of work takes its base time times a random factor in [1, 1 + jitter],
 * plus `slow_extra_us` on every `slow_every`-th host.  When more than
 * `capacity` hosts are busy, every unit is slowed in proportion, as a
 * shared package mirror or a saturated controller would; a unit times out
 * with probability `failure_rate`, or `spike_failure_rate` between
 * `spike_from` and `spike_to` hosts finished.  Time is simulated: a run of
 * hours takes milliseconds, and the same seed gives the same run.
 */
#pragma once

#include <glib.h>

#include "runtime/fleet-executor.h"
#include "runtime/fleet-journal-reader.h"
#include "runtime/fleet-sim-transport.h"
#include "schema/fleet-plan.h"

G_BEGIN_DECLS

typedef struct {
  guint hosts;
  guint steps;
  gint64 connect_us;
  gint64 step_us;
  double jitter;
  guint slow_every;            /* 0: no slow hosts */
  gint64 slow_extra_us;
  guint capacity;              /* 0: unlimited */
  double failure_rate;
  double spike_failure_rate;
  guint spike_from;
  guint spike_to;
  guint cap_values;            /* hosts get attribute "dc" = dc<i % cap_values>; 0: none */
  guint32 seed;
} FleetSimParams;

typedef struct {
  gint64 makespan_us;          /* simulated time until the last host ended */
  guint peak_busy;
  guint peak_busy_per_value;   /* the most busy hosts sharing one "dc" value */
  guint peak_limit;
  guint final_limit;
  guint limit_at_spike_end;    /* the limit when the spike ended */
  guint limit_before_spike;
  guint decreases;
  guint hosts_finished;
  guint hosts_timed_out;
} FleetSimResult;

/* A plan of `hosts` hosts in one wave with the given parallelism and
 * pacing (NULL: defaults), for fleet_sim_run. */
FleetPlan *fleet_sim_plan_new (const FleetSimParams *params, guint parallelism,
                               FleetPacing *pacing);

void fleet_sim_run (const FleetSimParams *params, const FleetPlan *plan, FleetSimResult *out);

/* The same fleet run by the executor itself, over the simulated transport
 * of fleet-sim-transport.h, with its event loop, journal, output files,
 * pacer and summary. */

/* Add `steps` steps to `plan`, each running "true" with a timeout of
 * `timeout_ms` (0: none). */
void fleet_sim_plan_add_steps (FleetPlan *plan, guint steps, guint64 timeout_ms);

/* What the executor's observer saw: hosts started and not yet finished. */
typedef struct {
  guint started;
  guint finished;
  guint busy;
  guint peak_busy;
  guint peak_busy_per_value;     /* the most busy hosts sharing one "dc" value */
  GHashTable *busy_by_value;     /* internal */
} FleetSimObserved;

/* Run `plan` over `sim` in `run_dir` (an existing empty directory), with
 * the transport's clock.  Fills `observed` and returns the run's result. */
FleetRunResult *fleet_sim_execute (const FleetPlan *plan, FleetSimTransport *sim,
                                   const char *run_dir, FleetSimObserved *observed);

/* Create an empty directory for a run under the temporary directory, and
 * remove it with everything in it. */
char *fleet_sim_make_run_dir (void);
void fleet_sim_remove_run_dir (const char *run_dir);

G_END_DECLS
