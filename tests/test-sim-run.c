/* test-sim-run.c: the executor, unchanged, over the simulated transport:
 * 10,000 hosts, caps, and the adaptive limit on healthy and troubled
 * fleets. */
#include <string.h>

#include <glib.h>

#include "runtime/fleet-executor.h"
#include "runtime/fleet-journal-reader.h"
#include "runtime/fleet-sim-transport.h"
#include "schema/fleet-pacing.h"
#include "tests/fleet-sim.h"

#define MS G_TIME_SPAN_MILLISECOND

/* A run over a simulated fleet, with its result and journal. */
typedef struct {
  char *run_dir;
  FleetRunResult *result;
  FleetSimObserved observed;
  FleetJournalContents *journal;
} SimRun;

static void
sim_run_clear (SimRun *run)
{
  fleet_run_result_free (run->result);
  if (run->journal != NULL)
    fleet_journal_contents_free (run->journal);
  fleet_sim_remove_run_dir (run->run_dir);
  g_free (run->run_dir);
}

static void
sim_run_execute (SimRun *run, const FleetPlan *plan, FleetSimTransport *sim)
{
  g_autofree char *journal_path = NULL;
  g_autoptr (GError) error = NULL;

  run->run_dir = fleet_sim_make_run_dir ();
  run->result = fleet_sim_execute (plan, sim, run->run_dir, &run->observed);
  journal_path = g_build_filename (run->run_dir, "journal.jsonl", NULL);
  run->journal = fleet_journal_read (journal_path, &error);
  g_assert_no_error (error);
}

static guint
count_events (const SimRun *run, const char *event)
{
  guint count = 0;

  for (guint i = 0; i < run->journal->records->len; i++)
    {
      const FleetJournalRecord *record = g_ptr_array_index (run->journal->records, i);

      count += g_strcmp0 (record->event, event) == 0;
    }
  return count;
}

static guint
count_outcome (const FleetRunResult *result, FleetHostOutcome outcome)
{
  guint count = 0;

  for (guint i = 0; i < result->hosts->len; i++)
    count += ((const FleetHostResult *) g_ptr_array_index (result->hosts, i))->outcome == outcome;
  return count;
}

static guint
peak_limit (const FleetRunResult *result)
{
  guint peak = 0;

  for (guint i = 0; i < result->concurrency_history->len; i++)
    peak = MAX (peak, g_array_index (result->concurrency_history, FleetConcurrencyChange, i).limit);
  return peak;
}

static guint
decreases_for (const FleetRunResult *result, FleetCongestion cause)
{
  guint count = 0;

  for (guint i = 0; i < result->concurrency_history->len; i++)
    count += g_array_index (result->concurrency_history, FleetConcurrencyChange, i).cause == cause;
  return count;
}

/* The limit in force at simulated time `time_us`. */
static guint
limit_at (const FleetRunResult *result, gint64 time_us)
{
  guint limit = 0;

  for (guint i = 0; i < result->concurrency_history->len; i++)
    {
      const FleetConcurrencyChange *change = &g_array_index (result->concurrency_history,
                                                             FleetConcurrencyChange, i);

      if (change->time_us > time_us)
        break;
      limit = change->limit;
    }
  return limit;
}

static guint
final_limit (const FleetRunResult *result)
{
  return limit_at (result, G_MAXINT64);
}

static FleetPlan *
sim_plan_new (guint hosts, guint cap_values, guint parallelism, FleetPacing *pacing)
{
  FleetSimParams params = { .hosts = hosts, .cap_values = cap_values };
  FleetPlan *plan = fleet_sim_plan_new (&params, parallelism, pacing);

  fleet_sim_plan_add_steps (plan, 4, 10 * 1000);
  return plan;
}

/* 10,000 hosts in 10 data centers, at most 25 busy per data center, every
 * 50th host 20 times slower: every host finishes and is journaled, and no
 * cap is exceeded. */
static void
test_ten_thousand_hosts (void)
{
  g_autoptr (FleetPacing) pacing = fleet_pacing_new ();
  g_autoptr (FleetPlan) plan = NULL;
  g_autoptr (FleetSimTransport) sim = NULL;
  FleetSimFleet fleet;
  FleetSimStats stats;
  SimRun run = { 0 };

  fleet_sim_fleet_init (&fleet);
  fleet.slow_every = 50;
  fleet.slow_factor = 20.0;
  sim = fleet_sim_transport_new (&fleet);
  fleet_pacing_add_cap (pacing, "dc", 25);
  plan = sim_plan_new (10000, 10, 1000, g_steal_pointer (&pacing));

  sim_run_execute (&run, plan, sim);
  fleet_sim_transport_get_stats (sim, &stats);

  g_assert_cmpuint (count_outcome (run.result, FLEET_HOST_SUCCEEDED), ==, 10000);
  g_assert_cmpuint (count_events (&run, "host-start"), ==, 10000);
  g_assert_cmpuint (count_events (&run, "host-end"), ==, 10000);
  g_assert_cmpuint (count_events (&run, "step-end"), ==, 40000);
  g_assert_cmpuint (stats.connections, ==, 10000);
  g_assert_cmpuint (stats.commands, ==, 40000);
  g_assert_cmpuint (run.observed.peak_busy_per_value, ==, 25);
  g_assert_cmpuint (run.observed.peak_busy, <=, 250);
  g_assert_cmpuint (stats.peak_in_flight, <=, 250);
  sim_run_clear (&run);
}

/* On a healthy fleet the limit climbs to the plan's parallelism and
 * never falls. */
static void
test_rises_on_healthy_fleet (void)
{
  g_autoptr (FleetPlan) plan = sim_plan_new (2000, 0, 300, NULL);
  g_autoptr (FleetSimTransport) sim = NULL;
  FleetSimFleet fleet;
  SimRun run = { 0 };

  fleet_sim_fleet_init (&fleet);
  fleet.normal.command.distribution = FLEET_SIM_LOG_NORMAL;
  fleet.normal.command.spread = 0.3;
  sim = fleet_sim_transport_new (&fleet);

  sim_run_execute (&run, plan, sim);

  g_assert_cmpuint (count_outcome (run.result, FLEET_HOST_SUCCEEDED), ==, 2000);
  g_assert_true (run.result->concurrency_adaptive);
  g_assert_cmpuint (peak_limit (run.result), ==, 300);
  g_assert_cmpuint (run.observed.peak_busy, ==, 300);
  g_assert_cmpuint (run.result->concurrency_history->len, >, 1);
  for (guint i = 0; i < run.result->concurrency_history->len; i++)
    g_assert_cmpint (g_array_index (run.result->concurrency_history, FleetConcurrencyChange,
                                    i).cause, ==, FLEET_CONGESTION_NONE);
  sim_run_clear (&run);
}

/* A burst of command timeouts pulls the limit down; it grows back once the
 * burst is over, and the hosts that timed out fail with that cause. */
static void
test_falls_on_failure_spike (void)
{
  g_autoptr (FleetPlan) plan = sim_plan_new (6000, 0, 400, NULL);
  g_autoptr (FleetSimTransport) sim = NULL;
  FleetSimFleet fleet;
  SimRun run = { 0 };
  guint timed_out = 0;

  fleet_sim_fleet_init (&fleet);
  fleet.spike_from_us = 5 * G_USEC_PER_SEC;
  fleet.spike_to_us = 8 * G_USEC_PER_SEC;
  fleet.spike.command_hang_rate = 0.2;
  sim = fleet_sim_transport_new (&fleet);

  sim_run_execute (&run, plan, sim);

  for (guint i = 0; i < run.result->hosts->len; i++)
    timed_out += ((const FleetHostResult *) g_ptr_array_index (run.result->hosts, i))->failure
                 == FLEET_FAILURE_COMMAND_TIMEOUT;
  g_assert_cmpuint (timed_out, >, 0);
  g_assert_cmpuint (count_outcome (run.result, FLEET_HOST_SUCCEEDED) + timed_out, ==, 6000);
  g_assert_cmpuint (limit_at (run.result, fleet.spike_from_us), ==, 400);
  g_assert_cmpuint (decreases_for (run.result, FLEET_CONGESTION_TIMEOUT), >=, 3);
  g_assert_cmpuint (limit_at (run.result, fleet.spike_to_us + 10 * 1000 * MS), <, 100);
  g_assert_cmpuint (final_limit (run.result), >,
                    limit_at (run.result, fleet.spike_to_us + 10 * 1000 * MS));
  sim_run_clear (&run);
}

/* Past the fleet's capacity every unit slows down: latency signals keep
 * the limit near the capacity rather than at the plan's parallelism. */
static void
test_falls_on_latency (void)
{
  g_autoptr (FleetPlan) plan = sim_plan_new (4000, 0, 1000, NULL);
  g_autoptr (FleetSimTransport) sim = NULL;
  FleetSimFleet fleet;
  SimRun run = { 0 };

  fleet_sim_fleet_init (&fleet);
  fleet.capacity = 100;
  sim = fleet_sim_transport_new (&fleet);

  sim_run_execute (&run, plan, sim);

  g_assert_cmpuint (count_outcome (run.result, FLEET_HOST_SUCCEEDED), ==, 4000);
  g_assert_cmpuint (decreases_for (run.result, FLEET_CONGESTION_LATENCY), >, 0);
  g_assert_cmpuint (final_limit (run.result), <=, 4 * fleet.capacity);
  sim_run_clear (&run);
}

/* 500 hosts connecting at once on a controller of two cores: key exchange
 * queues for the cores, and the first commands run slower while it does.
 * That is the controller's own handshake burst, not a congested fleet, so
 * the limit keeps rising to the plan's parallelism. */
static void
test_handshake_burst_not_congestion (void)
{
  g_autoptr (FleetPlan) plan = sim_plan_new (500, 0, 500, NULL);
  g_autoptr (FleetSimTransport) sim = NULL;
  FleetSimFleet fleet;
  SimRun run = { 0 };

  fleet_sim_fleet_init (&fleet);
  fleet.controller_cores = 2;
  fleet.handshake_cpu_us = 10 * MS;
  fleet.handshake_slowdown = 4.0;
  fleet.normal.command.median_us = 50 * MS;
  sim = fleet_sim_transport_new (&fleet);

  sim_run_execute (&run, plan, sim);

  g_assert_cmpuint (count_outcome (run.result, FLEET_HOST_SUCCEEDED), ==, 500);
  g_assert_cmpuint (decreases_for (run.result, FLEET_CONGESTION_LATENCY), ==, 0);
  g_assert_cmpuint (decreases_for (run.result, FLEET_CONGESTION_CONTROLLER), ==, 0);
  g_assert_cmpuint (peak_limit (run.result), ==, 500);
  sim_run_clear (&run);
}

/* The load check answers "load 9.00" for the first two checks of the
 * first host, and a light load otherwise. */
static gboolean
answer_load_check (const char *host, const char *command_line, FleetSimReply *reply,
                   gpointer user_data)
{
  guint *busy_checks_left = user_data;
  gboolean busy = g_str_equal (host, "sim00000") && *busy_checks_left > 0;

  if (strstr (command_line, "/proc/loadavg") == NULL)
    return FALSE;

  if (busy)
    (*busy_checks_left)--;
  reply->exit_status = 0;
  reply->stdout_text = g_strdup (busy ? "load 9.00\n" : "load 0.10\n");
  reply->duration_us = 20 * MS;
  return TRUE;
}

/* The journal position of the first `event` record of `host`, or -1. */
static gint
first_event (const SimRun *run, const char *event, const char *host)
{
  for (guint i = 0; i < run->journal->records->len; i++)
    {
      const FleetJournalRecord *record = g_ptr_array_index (run->journal->records, i);

      if (g_strcmp0 (record->event, event) == 0
          && g_strcmp0 (json_object_get_string_member_with_default (record->object, "host", ""),
                        host) == 0)
        return (gint) i;
    }
  return -1;
}

/* With room for one busy host, a host the load guard defers gives its slot
 * to the next host while it waits, and takes a slot again when its wait
 * is over. */
static void
test_deferred_host_releases_slot (void)
{
  g_autoptr (FleetPacing) pacing = fleet_pacing_new ();
  g_autoptr (FleetPlan) plan = NULL;
  g_autoptr (FleetSimTransport) sim = NULL;
  FleetSimFleet fleet;
  SimRun run = { 0 };
  guint busy_checks_left = 2;

  pacing->fixed = TRUE;
  pacing->max_load = g_strdup ("4");
  pacing->defer_ms = 5000;
  plan = sim_plan_new (3, 0, 1, g_steal_pointer (&pacing));
  fleet_sim_fleet_init (&fleet);
  sim = fleet_sim_transport_new (&fleet);
  fleet_sim_transport_set_responder (sim, answer_load_check, &busy_checks_left);

  sim_run_execute (&run, plan, sim);

  g_assert_cmpuint (count_outcome (run.result, FLEET_HOST_SUCCEEDED), ==, 3);
  g_assert_cmpuint (busy_checks_left, ==, 0);
  g_assert_cmpuint (count_events (&run, "host-deferred"), ==, 2);
  g_assert_cmpuint (count_events (&run, "host-guard-passed"), ==, 3);

  /* The second host started, and finished, while the first waited. */
  g_assert_cmpint (first_event (&run, "host-deferred", "sim00000"), <,
                   first_event (&run, "host-start", "sim00001"));
  g_assert_cmpint (first_event (&run, "host-end", "sim00001"), <,
                   first_event (&run, "step-start", "sim00000"));
  g_assert_cmpuint (run.observed.peak_busy, >=, 2);
  sim_run_clear (&run);
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/sim-run/ten-thousand-hosts", test_ten_thousand_hosts);
  g_test_add_func ("/sim-run/rises-on-healthy-fleet", test_rises_on_healthy_fleet);
  g_test_add_func ("/sim-run/falls-on-failure-spike", test_falls_on_failure_spike);
  g_test_add_func ("/sim-run/falls-on-latency", test_falls_on_latency);
  g_test_add_func ("/sim-run/deferred-host-releases-slot", test_deferred_host_releases_slot);
  g_test_add_func ("/sim-run/handshake-burst-not-congestion",
                   test_handshake_burst_not_congestion);

  return g_test_run ();
}
