/* test-sim-run.c: the executor, unchanged, over the simulated transport:
 * 10,000 hosts, caps, and the adaptive limit on healthy and troubled
 * fleets. */
#include <signal.h>
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

/* A burst of command timeouts pulls the limit down, and the limit grows
 * back once the burst is over.  The hosts that timed out fail with that
 * cause.  A hang started in the spike ends at the step timeout, 10 s later. */
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

static const FleetHostResult *
host_result (const SimRun *run, guint index)
{
  return g_ptr_array_index (run->result->hosts, index);
}

/* Each simulated failure reaches the host's result with its own cause, and
 * only the ones that mean congestion (a connect timeout, a lost
 * connection) lower the limit: refused connections and failed exits do
 * not. */
static void
test_host_failures_classified (void)
{
  g_autoptr (FleetPlan) plan = sim_plan_new (300, 0, 50, NULL);
  g_autoptr (FleetSimTransport) sim = NULL;
  FleetSimFleet fleet;
  FleetSimProfile lost, hung, chatty;
  SimRun run = { 0 };
  guint refused = 0, exited = 0, other = 0;

  fleet_sim_fleet_init (&fleet);
  fleet.normal.connect_refused_rate = 0.05;
  fleet.normal.exit_failure_rate = 0.05;
  sim = fleet_sim_transport_new (&fleet);
  lost = fleet.normal;
  lost.connect_refused_rate = 0.0;
  lost.exit_failure_rate = 0.0;
  hung = lost;
  chatty = lost;
  lost.connection_lost_rate = 1.0;
  hung.connect_timeout_rate = 1.0;
  chatty.output_bytes = 100000;
  fleet_sim_transport_set_host_profile (sim, "sim00007", &lost);
  fleet_sim_transport_set_host_profile (sim, "sim00008", &hung);
  fleet_sim_transport_set_host_profile (sim, "sim00009", &chatty);

  sim_run_execute (&run, plan, sim);

  g_assert_cmpint (host_result (&run, 7)->failure, ==, FLEET_FAILURE_CONNECTION_LOST);
  g_assert_cmpuint (host_result (&run, 7)->failed_step, ==, 0);
  g_assert_cmpint (host_result (&run, 8)->failure, ==, FLEET_FAILURE_CONNECTION_TIMEOUT);
  g_assert_cmpint (host_result (&run, 9)->outcome, ==, FLEET_HOST_SUCCEEDED);
  for (guint step = 0; step < 4; step++)
    g_assert_cmpuint (((const FleetStepResult *) g_ptr_array_index (host_result (&run, 9)->steps,
                                                                     step))->stdout_bytes,
                      ==, 100000);

  for (guint i = 0; i < 300; i++)
    {
      FleetFailure failure = host_result (&run, i)->failure;

      if (i == 7 || i == 8)
        continue;
      refused += failure == FLEET_FAILURE_CONNECTION_REFUSED;
      exited += failure == FLEET_FAILURE_EXIT_CODE;
      other += failure != FLEET_FAILURE_NONE && failure != FLEET_FAILURE_CONNECTION_REFUSED
               && failure != FLEET_FAILURE_EXIT_CODE;
    }
  g_assert_cmpuint (refused, >, 0);
  g_assert_cmpuint (exited, >, 0);
  g_assert_cmpuint (other, ==, 0);
  g_assert_cmpuint (count_outcome (run.result, FLEET_HOST_FAILED), ==, refused + exited + 2);
  g_assert_cmpuint (decreases_for (run.result, FLEET_CONGESTION_TIMEOUT)
                    + decreases_for (run.result, FLEET_CONGESTION_CONNECTION), >, 0);
  g_assert_cmpuint (decreases_for (run.result, FLEET_CONGESTION_LATENCY), ==, 0);
  g_assert_cmpuint (decreases_for (run.result, FLEET_CONGESTION_CONTROLLER), ==, 0);
  sim_run_clear (&run);
}

/* Raise the interrupt level to 2 (abort the running steps) once the
 * fourth step of the run is about to start, when four hosts are busy. */
static void
interrupt_at_fourth_step (const FleetHost *host, guint step, gpointer data)
{
  volatile sig_atomic_t *level = data;
  static guint steps_started;

  if (++steps_started == 4)
    *level = 2;
}

/* A second interrupt aborts the simulated commands in flight: their hosts
 * end as interrupted, and hosts not started stay not run. */
static void
test_interrupt_aborts_commands (void)
{
  g_autoptr (FleetPlan) plan = sim_plan_new (20, 0, 4, NULL);
  g_autoptr (FleetSimTransport) sim = NULL;
  g_autoptr (FleetRunResult) result = NULL;
  g_autoptr (GError) error = NULL;
  g_autofree char *run_dir = fleet_sim_make_run_dir ();
  volatile sig_atomic_t level = 0;
  FleetSimFleet fleet;
  FleetRunOptions options = { 0 };
  guint interrupted;

  fleet_sim_fleet_init (&fleet);
  fleet.normal.command_hang_rate = 1.0;
  sim = fleet_sim_transport_new (&fleet);
  options = (FleetRunOptions) {
    .run_id = "sim-interrupt",
    .run_dir = run_dir,
    .clock = fleet_sim_transport_get_clock (sim),
    .transport = fleet_sim_transport_get_transport (sim),
    .before_step = interrupt_at_fourth_step,
    .observer_data = (gpointer) &level,
    .interrupt_level = &level,
  };

  result = fleet_execute_plan (plan, &options, &error);
  g_assert_no_error (error);

  interrupted = count_outcome (result, FLEET_HOST_INTERRUPTED);
  g_assert_true (result->interrupted);
  g_assert_cmpint (fleet_run_result_exit_status (result), ==, 3);
  g_assert_cmpuint (interrupted, ==, 4);
  g_assert_cmpuint (count_outcome (result, FLEET_HOST_NOT_RUN), ==, 16);
  for (guint i = 0; i < result->hosts->len; i++)
    {
      const FleetHostResult *host = g_ptr_array_index (result->hosts, i);

      if (host->outcome == FLEET_HOST_INTERRUPTED)
        g_assert_cmpint (host->failure, ==, FLEET_FAILURE_INTERRUPTED);
    }
  fleet_sim_remove_run_dir (run_dir);
}

/* Reply "load 9.00" to the first two load checks of the first host, and a
 * light load to every other one. */
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
  g_test_add_func ("/sim-run/host-failures-classified", test_host_failures_classified);
  g_test_add_func ("/sim-run/interrupt-aborts-commands", test_interrupt_aborts_commands);
  g_test_add_func ("/sim-run/deferred-host-releases-slot", test_deferred_host_releases_slot);
  g_test_add_func ("/sim-run/handshake-burst-not-congestion",
                   test_handshake_burst_not_congestion);

  return g_test_run ();
}
