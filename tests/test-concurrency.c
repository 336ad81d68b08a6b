/* test-concurrency.c: the adaptive limit, the caps per attribute value, and
 * the pacer driven by a simulated fleet of up to 10,000 hosts. */
#include <glib.h>

#include "runtime/fleet-admission.h"
#include "runtime/fleet-concurrency.h"
#include "runtime/fleet-pacer.h"
#include "schema/fleet-pacing.h"
#include "tests/fleet-sim.h"

#define MS G_TIME_SPAN_MILLISECOND

static FleetConcurrency *
new_limiter (guint max, guint initial)
{
  FleetConcurrencyParams params;

  fleet_concurrency_params_init (&params, max);
  params.initial = initial;
  return fleet_concurrency_new (&params, 0);
}

/* Slow start adds 1 per success, which doubles the limit per round. */
static void
test_slow_start_doubles (void)
{
  g_autoptr (FleetConcurrency) limiter = new_limiter (1000, 4);

  g_assert_cmpuint (fleet_concurrency_limit (limiter), ==, 4);
  for (guint i = 0; i < 4; i++)
    fleet_concurrency_report (limiter, i, 0, 100 * MS, TRUE, FLEET_CONGESTION_NONE);
  g_assert_cmpuint (fleet_concurrency_limit (limiter), ==, 8);
  for (guint i = 0; i < 8; i++)
    fleet_concurrency_report (limiter, i, 0, 100 * MS, TRUE, FLEET_CONGESTION_NONE);
  g_assert_cmpuint (fleet_concurrency_limit (limiter), ==, 16);
}

/* A timeout halves the limit once per round; afterwards growth is 1 per
 * round of `limit` successes. */
static void
test_decrease_once_per_round (void)
{
  g_autoptr (FleetConcurrency) limiter = new_limiter (1000, 40);
  const GArray *history;

  g_assert_cmpint (fleet_concurrency_report (limiter, 1, 0, 100 * MS, FALSE,
                                             FLEET_CONGESTION_TIMEOUT),
                   ==, FLEET_CONGESTION_TIMEOUT);
  g_assert_cmpuint (fleet_concurrency_limit (limiter), ==, 20);

  /* The rest of the round carries news of the old limit. */
  for (guint i = 0; i < 39; i++)
    fleet_concurrency_report (limiter, 2, 0, 100 * MS, FALSE, FLEET_CONGESTION_TIMEOUT);
  g_assert_cmpuint (fleet_concurrency_limit (limiter), ==, 20);

  fleet_concurrency_report (limiter, 3, 0, 100 * MS, FALSE, FLEET_CONGESTION_CONNECTION);
  g_assert_cmpuint (fleet_concurrency_limit (limiter), ==, 10);

  for (guint i = 0; i < 10; i++)
    fleet_concurrency_report (limiter, 4, 0, 100 * MS, TRUE, FLEET_CONGESTION_NONE);
  g_assert_cmpuint (fleet_concurrency_limit (limiter), ==, 10);
  fleet_concurrency_report (limiter, 5, 0, 100 * MS, TRUE, FLEET_CONGESTION_NONE);
  g_assert_cmpuint (fleet_concurrency_limit (limiter), ==, 11);

  history = fleet_concurrency_history (limiter);
  g_assert_cmpuint (g_array_index (history, FleetConcurrencyChange, 1).limit, ==, 20);
  g_assert_cmpint (g_array_index (history, FleetConcurrencyChange, 1).cause, ==,
                   FLEET_CONGESTION_TIMEOUT);
  g_assert_cmpuint (fleet_concurrency_peak (limiter), ==, 40);
}

/* When most recent runs of a step are far slower than its fastest, that is
 * a latency signal; a few slow hosts are not, and a slow run of another
 * step is not compared with this one. */
static void
test_latency_signal (void)
{
  g_autoptr (FleetConcurrency) limiter = new_limiter (100, 20);
  guint limit_before;

  for (guint i = 0; i < 9; i++)
    fleet_concurrency_report (limiter, i, 0, 100 * MS, TRUE, FLEET_CONGESTION_NONE);
  fleet_concurrency_report (limiter, 10, 1, 2000 * MS, TRUE, FLEET_CONGESTION_NONE);

  /* 4 slow runs in a window of 9: the median is still fast. */
  for (guint i = 0; i < 4; i++)
    g_assert_cmpint (fleet_concurrency_report (limiter, 20 + i, 0, 5000 * MS, TRUE,
                                               FLEET_CONGESTION_NONE),
                     ==, FLEET_CONGESTION_NONE);
  limit_before = fleet_concurrency_limit (limiter);
  g_assert_cmpuint (limit_before, ==, 34);

  /* The fifth makes the median 5 s, above 3 x 100 ms + 250 ms. */
  g_assert_cmpint (fleet_concurrency_report (limiter, 30, 0, 5000 * MS, TRUE,
                                             FLEET_CONGESTION_NONE),
                   ==, FLEET_CONGESTION_LATENCY);
  g_assert_cmpuint (fleet_concurrency_limit (limiter), ==, limit_before / 2);
}

/* A median exactly at the bound is no signal: 3 x 100 ms + 250 ms. */
static void
test_latency_bound (void)
{
  g_autoptr (FleetConcurrency) limiter = new_limiter (100, 20);

  fleet_concurrency_report (limiter, 0, 0, 100 * MS, TRUE, FLEET_CONGESTION_NONE);
  for (guint i = 0; i < 8; i++)
    g_assert_cmpint (fleet_concurrency_report (limiter, 1 + i, 0, 550 * MS, TRUE,
                                               FLEET_CONGESTION_NONE),
                     ==, FLEET_CONGESTION_NONE);
  fleet_concurrency_report (limiter, 10, 0, 551 * MS, TRUE, FLEET_CONGESTION_NONE);
  g_assert_cmpint (fleet_concurrency_report (limiter, 11, 0, 551 * MS, TRUE,
                                             FLEET_CONGESTION_NONE),
                   ==, FLEET_CONGESTION_NONE);
  for (guint i = 0; i < 3; i++)
    fleet_concurrency_report (limiter, 12 + i, 0, 551 * MS, TRUE, FLEET_CONGESTION_NONE);
  g_assert_cmpint (fleet_concurrency_report (limiter, 20, 0, 551 * MS, TRUE,
                                             FLEET_CONGESTION_NONE),
                   ==, FLEET_CONGESTION_LATENCY);
}

/* The limit stays within [min, max]; a fixed limit never moves; controller
 * pressure lowers an adaptive one. */
static void
test_bounds_fixed_and_pressure (void)
{
  FleetConcurrencyParams params;
  g_autoptr (FleetConcurrency) bounded = NULL;
  g_autoptr (FleetConcurrency) fixed = NULL;

  fleet_concurrency_params_init (&params, 6);
  params.min = 4;
  params.initial = 100;
  bounded = fleet_concurrency_new (&params, 0);
  g_assert_cmpuint (fleet_concurrency_limit (bounded), ==, 6);
  for (guint i = 0; i < 10; i++)
    fleet_concurrency_report (bounded, i, 0, MS, TRUE, FLEET_CONGESTION_NONE);
  g_assert_cmpuint (fleet_concurrency_limit (bounded), ==, 6);
  g_assert_true (fleet_concurrency_pressure (bounded, 20, FLEET_PRESSURE_DESCRIPTORS));
  g_assert_cmpuint (fleet_concurrency_limit (bounded), ==, 4);
  for (guint i = 0; i < 20; i++)
    fleet_concurrency_report (bounded, 30 + i, 0, MS, FALSE, FLEET_CONGESTION_TIMEOUT);
  g_assert_cmpuint (fleet_concurrency_limit (bounded), ==, 4);

  params.adaptive = FALSE;
  params.min = 1;
  fixed = fleet_concurrency_new (&params, 0);
  g_assert_cmpuint (fleet_concurrency_limit (fixed), ==, 6);
  fleet_concurrency_report (fixed, 1, 0, MS, FALSE, FLEET_CONGESTION_TIMEOUT);
  g_assert_false (fleet_concurrency_pressure (fixed, 2, FLEET_PRESSURE_MEMORY));
  g_assert_cmpuint (fleet_concurrency_limit (fixed), ==, 6);
  g_assert_cmpuint (fleet_concurrency_history (fixed)->len, ==, 1);
}

/* Connections take longer when many hosts connect at once, through key
 * exchange on the controller and the servers: their durations are never a
 * latency signal, while their timeouts are. */
static void
test_connect_latency_no_signal (void)
{
  g_autoptr (FleetConcurrency) limiter = new_limiter (100, 20);
  const guint key = FLEET_CONCURRENCY_CONNECT_KEY;

  for (guint i = 0; i < 9; i++)
    fleet_concurrency_report (limiter, i, key, 10 * MS, TRUE, FLEET_CONGESTION_NONE);
  for (guint i = 0; i < 9; i++)
    g_assert_cmpint (fleet_concurrency_report (limiter, 10 + i, key, 5000 * MS, TRUE,
                                               FLEET_CONGESTION_NONE),
                     ==, FLEET_CONGESTION_NONE);
  g_assert_cmpuint (fleet_concurrency_limit (limiter), ==, 38);
  g_assert_cmpint (fleet_concurrency_report (limiter, 30, key, 5000 * MS, FALSE,
                                             FLEET_CONGESTION_TIMEOUT),
                   ==, FLEET_CONGESTION_TIMEOUT);
  g_assert_cmpuint (fleet_concurrency_limit (limiter), ==, 19);
}

/* While at least half of the busy hosts are connecting, slow steps are not
 * recorded, nor are steps that started before the burst ended; steps that
 * start afterwards are judged again. */
static void
test_handshake_burst_latency (void)
{
  g_autoptr (FleetConcurrency) limiter = new_limiter (100, 20);
  gint64 now = 0;

  for (guint i = 0; i < 9; i++)
    fleet_concurrency_report (limiter, now += MS, 0, 100 * MS, TRUE, FLEET_CONGESTION_NONE);

  fleet_concurrency_set_connecting (limiter, now, 10, 20);
  g_assert_true (fleet_concurrency_in_handshake_burst (limiter));
  for (guint i = 0; i < 9; i++)
    g_assert_cmpint (fleet_concurrency_report (limiter, now += MS, 0, 5000 * MS, TRUE,
                                               FLEET_CONGESTION_NONE),
                     ==, FLEET_CONGESTION_NONE);

  /* Started during the burst, ended after it. */
  fleet_concurrency_set_connecting (limiter, now += 100 * MS, 9, 20);
  g_assert_false (fleet_concurrency_in_handshake_burst (limiter));
  for (guint i = 0; i < 9; i++)
    g_assert_cmpint (fleet_concurrency_report (limiter, now += MS, 0, 5000 * MS, TRUE,
                                               FLEET_CONGESTION_NONE),
                     ==, FLEET_CONGESTION_NONE);

  /* Started after the burst: a real slowdown still signals. */
  now += 10000 * MS;
  for (guint i = 0; i < 4; i++)
    fleet_concurrency_report (limiter, now += MS, 0, 5000 * MS, TRUE, FLEET_CONGESTION_NONE);
  g_assert_cmpint (fleet_concurrency_report (limiter, now += MS, 0, 5000 * MS, TRUE,
                                             FLEET_CONGESTION_NONE),
                   ==, FLEET_CONGESTION_LATENCY);
}

/* CPU pressure during a handshake burst, and for burst_settle_us after it,
 * leaves the limit alone; descriptor and memory pressure never do. */
static void
test_handshake_burst_cpu (void)
{
  g_autoptr (FleetConcurrency) limiter = new_limiter (100, 40);
  guint limit_before;

  fleet_concurrency_set_connecting (limiter, 0, 30, 40);
  g_assert_false (fleet_concurrency_pressure (limiter, 10, FLEET_PRESSURE_CPU));
  g_assert_cmpuint (fleet_concurrency_limit (limiter), ==, 40);
  g_assert_true (fleet_concurrency_pressure (limiter, 20, FLEET_PRESSURE_DESCRIPTORS));
  g_assert_cmpuint (fleet_concurrency_limit (limiter), ==, 20);

  fleet_concurrency_set_connecting (limiter, 1000 * MS, 0, 40);
  g_assert_false (fleet_concurrency_pressure (limiter, 1999 * MS, FLEET_PRESSURE_CPU));
  for (guint i = 0; i < 40; i++)
    fleet_concurrency_report (limiter, 2000 * MS, 0, 100 * MS, TRUE, FLEET_CONGESTION_NONE);
  limit_before = fleet_concurrency_limit (limiter);
  g_assert_true (fleet_concurrency_pressure (limiter, 2000 * MS, FLEET_PRESSURE_CPU));
  g_assert_cmpuint (fleet_concurrency_limit (limiter), ==, limit_before / 2);
  g_assert_cmpint (g_array_index (fleet_concurrency_history (limiter), FleetConcurrencyChange,
                                  fleet_concurrency_history (limiter)->len - 1).cause,
                   ==, FLEET_CONGESTION_CONTROLLER);
}

static void
test_failure_classes (void)
{
  g_assert_cmpint (fleet_congestion_from_failure (FLEET_FAILURE_COMMAND_TIMEOUT), ==,
                   FLEET_CONGESTION_TIMEOUT);
  g_assert_cmpint (fleet_congestion_from_failure (FLEET_FAILURE_CONNECTION_TIMEOUT), ==,
                   FLEET_CONGESTION_TIMEOUT);
  g_assert_cmpint (fleet_congestion_from_failure (FLEET_FAILURE_CONNECTION_LOST), ==,
                   FLEET_CONGESTION_CONNECTION);
  g_assert_cmpint (fleet_congestion_from_failure (FLEET_FAILURE_CHANNEL), ==,
                   FLEET_CONGESTION_CONNECTION);
  g_assert_cmpint (fleet_congestion_from_failure (FLEET_FAILURE_EXIT_CODE), ==,
                   FLEET_CONGESTION_NONE);
  g_assert_cmpint (fleet_congestion_from_failure (FLEET_FAILURE_HOST_KEY_CHANGED), ==,
                   FLEET_CONGESTION_NONE);
  g_assert_cmpstr (fleet_congestion_name (FLEET_CONGESTION_LATENCY), ==, "latency");
  g_assert_cmpstr (fleet_congestion_name (FLEET_CONGESTION_CONTROLLER), ==, "controller");
}

/* A full data center holds back its own hosts only. */
static void
test_caps_per_value (void)
{
  g_autoptr (FleetPacing) pacing = fleet_pacing_new ();
  g_autoptr (FleetAdmission) admission = NULL;
  g_autoptr (GPtrArray) hosts = g_ptr_array_new_with_free_func ((GDestroyNotify) fleet_host_free);
  const char *dcs[] = { "a", "a", "a", "b", NULL };

  fleet_pacing_add_cap (pacing, "dc", 2);
  for (guint i = 0; i < G_N_ELEMENTS (dcs); i++)
    {
      g_autofree char *name = g_strdup_printf ("h%u", i);
      FleetHost *host = fleet_host_new (name);

      if (dcs[i] != NULL)
        g_hash_table_insert (host->attributes, g_strdup ("dc"), g_strdup (dcs[i]));
      g_ptr_array_add (hosts, host);
    }
  admission = fleet_admission_new (pacing, hosts);

  fleet_admission_start (admission, g_ptr_array_index (hosts, 0));
  fleet_admission_start (admission, g_ptr_array_index (hosts, 1));
  g_assert_false (fleet_admission_allows (admission, g_ptr_array_index (hosts, 2)));
  g_assert_true (fleet_admission_allows (admission, g_ptr_array_index (hosts, 3)));
  g_assert_true (fleet_admission_allows (admission, g_ptr_array_index (hosts, 4)));

  {
    g_autoptr (GPtrArray) waiting = g_ptr_array_new ();

    g_ptr_array_add (waiting, g_ptr_array_index (hosts, 2));
    g_ptr_array_add (waiting, g_ptr_array_index (hosts, 3));
    g_assert_cmpint (fleet_admission_pick (admission, waiting), ==, 1);
    g_ptr_array_remove_index (waiting, 1);
    g_assert_cmpint (fleet_admission_pick (admission, waiting), ==, -1);
    fleet_admission_finish (admission, g_ptr_array_index (hosts, 0));
    g_assert_cmpint (fleet_admission_pick (admission, waiting), ==, 0);
  }
}

/* The cap "group" counts busy hosts per inventory group, for every group a
 * host is in: a host in two groups is held back when either is full. */
static void
test_caps_per_group (void)
{
  g_autoptr (FleetPacing) pacing = fleet_pacing_new ();
  g_autoptr (FleetAdmission) admission = NULL;
  g_autoptr (GPtrArray) hosts = g_ptr_array_new_with_free_func ((GDestroyNotify) fleet_host_free);
  const char *groups[][2] = { { "db", NULL }, { "db", "web" }, { "web", NULL }, { "app", NULL } };

  fleet_pacing_add_cap (pacing, FLEET_CAP_GROUP, 1);
  for (guint i = 0; i < G_N_ELEMENTS (groups); i++)
    {
      g_autofree char *name = g_strdup_printf ("h%u", i);
      FleetHost *host = fleet_host_new (name);

      for (guint g = 0; g < 2 && groups[i][g] != NULL; g++)
        g_ptr_array_add (host->groups, g_strdup (groups[i][g]));
      g_ptr_array_add (hosts, host);
    }
  admission = fleet_admission_new (pacing, hosts);

  fleet_admission_start (admission, g_ptr_array_index (hosts, 2));
  g_assert_true (fleet_admission_allows (admission, g_ptr_array_index (hosts, 0)));
  g_assert_false (fleet_admission_allows (admission, g_ptr_array_index (hosts, 1)));
  fleet_admission_start (admission, g_ptr_array_index (hosts, 0));
  fleet_admission_start (admission, g_ptr_array_index (hosts, 3));
  fleet_admission_finish (admission, g_ptr_array_index (hosts, 2));
  g_assert_false (fleet_admission_allows (admission, g_ptr_array_index (hosts, 1)));
  fleet_admission_finish (admission, g_ptr_array_index (hosts, 0));
  g_assert_true (fleet_admission_allows (admission, g_ptr_array_index (hosts, 1)));
}

/* The pacing settings survive the plan form, and bad values are refused. */
static void
test_pacing_round_trip (void)
{
  g_autoptr (FleetPacing) pacing = fleet_pacing_new ();
  g_autoptr (FleetPacing) copy = NULL;
  g_autoptr (GVariant) variant = NULL;
  g_autoptr (GError) error = NULL;
  g_autofree char *wrapped = NULL;
  GVariantDict dict;

  g_assert_true (fleet_pacing_is_default (pacing));
  pacing->initial = 8;
  pacing->max_load = g_strdup ("2.5");
  pacing->nice = 10;
  pacing->ionice = g_strdup ("idle");
  fleet_pacing_add_cap (pacing, "mirror", 20);
  g_assert_false (fleet_pacing_is_default (pacing));

  variant = g_variant_ref_sink (fleet_pacing_to_variant (pacing));
  copy = fleet_pacing_from_variant (variant, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (copy->initial, ==, 8);
  g_assert_cmpstr (copy->max_load, ==, "2.5");
  g_assert_cmpint (copy->nice, ==, 10);
  g_assert_cmpuint (copy->caps->len, ==, 1);
  g_assert_true (fleet_pacing_has_guard (copy));

  wrapped = fleet_pacing_wrap_command (copy, "echo 'a b'");
  g_assert_cmpstr (wrapped, ==, "nice -n 10 ionice -c 3 sh -c 'echo '\\''a b'\\'''");

  g_variant_dict_init (&dict, variant);
  g_variant_dict_insert (&dict, "nice", "i", 42);
  g_clear_pointer (&variant, g_variant_unref);
  variant = g_variant_ref_sink (g_variant_dict_end (&dict));
  g_clear_pointer (&copy, fleet_pacing_free);
  copy = fleet_pacing_from_variant (variant, &error);
  g_assert_null (copy);
  g_assert_error (error, FLEET_PLAN_ERROR, FLEET_PLAN_ERROR_INVALID);
}

static FleetSimParams
healthy_fleet (guint hosts)
{
  return (FleetSimParams) {
    .hosts = hosts, .steps = 4, .connect_us = 50 * MS, .step_us = 200 * MS, .jitter = 0.5,
    .seed = 7,
  };
}

/* On a healthy fleet the limit climbs to the plan's parallelism. */
static void
test_sim_rises_on_healthy_fleet (void)
{
  FleetSimParams params = healthy_fleet (2000);
  g_autoptr (FleetPlan) plan = fleet_sim_plan_new (&params, 500, NULL);
  FleetSimResult result;

  fleet_sim_run (&params, plan, &result);
  g_assert_cmpuint (result.hosts_finished, ==, 2000);
  g_assert_cmpuint (result.peak_limit, ==, 500);
  g_assert_cmpuint (result.peak_busy, ==, 500);
  g_assert_cmpuint (result.decreases, ==, 0);
}

/* A burst of timeouts pulls the limit down, and it grows back after. */
static void
test_sim_falls_on_failure_spike (void)
{
  FleetSimParams params = healthy_fleet (10000);
  g_autoptr (FleetPlan) plan = NULL;
  FleetSimResult result;

  params.spike_from = 3000;
  params.spike_to = 3500;
  params.spike_failure_rate = 0.2;
  plan = fleet_sim_plan_new (&params, 400, NULL);
  fleet_sim_run (&params, plan, &result);

  g_assert_cmpuint (result.hosts_finished, ==, 10000);
  g_assert_cmpuint (result.limit_before_spike, ==, 400);
  g_assert_cmpuint (result.limit_at_spike_end, <, 100);
  g_assert_cmpuint (result.decreases, >=, 3);
  g_assert_cmpuint (result.final_limit, >, result.limit_at_spike_end);
}

/* Past the fleet's capacity every unit slows down: latency signals keep the
 * limit near the capacity rather than at the cap. */
static void
test_sim_falls_on_latency (void)
{
  FleetSimParams params = healthy_fleet (5000);
  g_autoptr (FleetPlan) plan = NULL;
  FleetSimResult result;

  params.capacity = 100;
  plan = fleet_sim_plan_new (&params, 1000, NULL);
  fleet_sim_run (&params, plan, &result);

  g_assert_cmpuint (result.hosts_finished, ==, 5000);
  g_assert_cmpuint (result.decreases, >, 0);
  g_assert_cmpuint (result.final_limit, <=, 4 * params.capacity);
}

/* Caps per data center hold at 10,000 hosts, with slow hosts mixed in. */
static void
test_sim_respects_caps (void)
{
  FleetSimParams params = healthy_fleet (10000);
  g_autoptr (FleetPacing) pacing = fleet_pacing_new ();
  g_autoptr (FleetPlan) plan = NULL;
  FleetSimResult result;

  params.cap_values = 10;
  params.slow_every = 50;
  params.slow_extra_us = 5000 * MS;
  fleet_pacing_add_cap (pacing, "dc", 25);
  plan = fleet_sim_plan_new (&params, 1000, g_steal_pointer (&pacing));
  fleet_sim_run (&params, plan, &result);

  g_assert_cmpuint (result.hosts_finished, ==, 10000);
  g_assert_cmpuint (result.peak_busy_per_value, ==, 25);
  g_assert_cmpuint (result.peak_busy, <=, 250);
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/concurrency/slow-start-doubles", test_slow_start_doubles);
  g_test_add_func ("/concurrency/decrease-once-per-round", test_decrease_once_per_round);
  g_test_add_func ("/concurrency/latency-signal", test_latency_signal);
  g_test_add_func ("/concurrency/latency-bound", test_latency_bound);
  g_test_add_func ("/concurrency/bounds-fixed-and-pressure", test_bounds_fixed_and_pressure);
  g_test_add_func ("/concurrency/connect-latency-no-signal", test_connect_latency_no_signal);
  g_test_add_func ("/concurrency/handshake-burst-latency", test_handshake_burst_latency);
  g_test_add_func ("/concurrency/handshake-burst-cpu", test_handshake_burst_cpu);
  g_test_add_func ("/concurrency/failure-classes", test_failure_classes);
  g_test_add_func ("/concurrency/caps-per-value", test_caps_per_value);
  g_test_add_func ("/concurrency/caps-per-group", test_caps_per_group);
  g_test_add_func ("/concurrency/pacing-round-trip", test_pacing_round_trip);
  g_test_add_func ("/concurrency/sim/rises-on-healthy-fleet", test_sim_rises_on_healthy_fleet);
  g_test_add_func ("/concurrency/sim/falls-on-failure-spike", test_sim_falls_on_failure_spike);
  g_test_add_func ("/concurrency/sim/falls-on-latency", test_sim_falls_on_latency);
  g_test_add_func ("/concurrency/sim/respects-caps", test_sim_respects_caps);

  return g_test_run ();
}
