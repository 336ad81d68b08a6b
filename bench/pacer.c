/* pacer.c: the scheduling cost of fleet-run's pacer (adaptive limit and
 * caps) per host, on a simulated fleet of 10,000 hosts with no SSH.
 *
 * Usage: build/bench/bench-pacer [HOSTS [REPEATS]].  Prints, for a fleet
 * without caps and one with a cap per data center, the wall time of the
 * whole simulated run divided by the hosts: every pick, start, report and
 * finish the pacer does for a host, plus the simulator's own event queue,
 * which makes the figure an upper bound. */
#include <stdio.h>
#include <stdlib.h>

#include <glib.h>

#include "tests/fleet-sim.h"

static double
measure (const FleetSimParams *params, guint parallelism, FleetPacing *pacing, guint repeats,
         FleetSimResult *result)
{
  double best_us = G_MAXDOUBLE;

  for (guint r = 0; r < repeats; r++)
    {
      FleetPacing *copy = NULL;
      FleetPlan *plan;
      gint64 started;

      if (pacing != NULL)
        {
          g_autoptr (GVariant) form = g_variant_ref_sink (fleet_pacing_to_variant (pacing));

          copy = fleet_pacing_from_variant (form, NULL);
        }
      plan = fleet_sim_plan_new (params, parallelism, copy);
      started = g_get_monotonic_time ();
      fleet_sim_run (params, plan, result);
      best_us = MIN (best_us, (double) (g_get_monotonic_time () - started));
      fleet_plan_free (plan);
    }

  return best_us / params->hosts;
}

int
main (int argc, char **argv)
{
  guint hosts = argc > 1 ? (guint) atoi (argv[1]) : 10000;
  guint repeats = argc > 2 ? (guint) atoi (argv[2]) : 5;
  FleetSimParams params = {
    .hosts = hosts, .steps = 4, .connect_us = 50000, .step_us = 200000, .jitter = 0.5,
    .slow_every = 100, .slow_extra_us = 5000000, .failure_rate = 0.001, .seed = 1,
  };
  g_autoptr (FleetPacing) caps = fleet_pacing_new ();
  FleetSimResult result;
  double per_host_us;

  per_host_us = measure (&params, 1000, NULL, repeats, &result);
  printf ("%u hosts, no caps:      %.2f us per host (peak limit %u, %u decreases, "
          "simulated makespan %.1f s)\n",
          hosts, per_host_us, result.peak_limit, result.decreases, result.makespan_us / 1e6);

  params.cap_values = 10;
  fleet_pacing_add_cap (caps, "dc", 50);
  per_host_us = measure (&params, 1000, caps, repeats, &result);
  printf ("%u hosts, cap 50 per dc: %.2f us per host (peak busy in one dc %u, simulated "
          "makespan %.1f s)\n",
          hosts, per_host_us, result.peak_busy_per_value, result.makespan_us / 1e6);
  return 0;
}
