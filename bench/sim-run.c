/* sim-run.c: the controller's scheduling cost per host, measured by running
 * the executor itself over the simulated transport.
 *
 * Usage: bench-sim-run [HOSTS [REPEATS]] (defaults 10000 and 3).
 *
 * Each round runs a plan of HOSTS hosts in one wave, four steps each, with
 * parallelism 1,000 and the adaptive limit.  The fleet has log-normal
 * latencies (connect 50 ms, commands 200 ms, sigma 0.5).  Every 100th host
 * is 10 times slower, and 0.1% of commands hang until their 10 s timeout.
 * Everything the executor does for a real run happens: its poll loop, the
 * journal with its fdatasync calls, two output files per step, the pacer
 * and the summary; only the network is simulated, and simulated time costs
 * nothing.  The process's CPU time (user and system, the journal's sync
 * thread included) divided by the hosts is the controller's scheduling
 * cost per host.  The run directory is on /dev/shm when it exists
 * (tests/fleet-sim.c).
 */
#include <stdio.h>
#include <stdlib.h>
#include <sys/resource.h>

#include "runtime/fleet-sim-transport.h"
#include "tests/fleet-sim.h"

static gint64
process_cpu_us (void)
{
  struct rusage usage;

  getrusage (RUSAGE_SELF, &usage);
  return (gint64) (usage.ru_utime.tv_sec + usage.ru_stime.tv_sec) * G_USEC_PER_SEC
         + usage.ru_utime.tv_usec + usage.ru_stime.tv_usec;
}

static int
compare_doubles (const void *a, const void *b)
{
  double x = *(const double *) a, y = *(const double *) b;

  return x < y ? -1 : x > y;
}

int
main (int argc, char **argv)
{
  guint hosts = argc > 1 ? (guint) g_ascii_strtoull (argv[1], NULL, 10) : 10000;
  guint repeats = argc > 2 ? (guint) g_ascii_strtoull (argv[2], NULL, 10) : 3;
  g_autofree double *cpu_per_host_ms = NULL;
  g_autofree double *wall_per_host_ms = NULL;

  if (hosts == 0 || repeats == 0)
    {
      fprintf (stderr, "usage: bench-sim-run [HOSTS [REPEATS]], both at least 1\n");
      return 2;
    }

  cpu_per_host_ms = g_new0 (double, repeats);
  wall_per_host_ms = g_new0 (double, repeats);
  for (guint round = 0; round < repeats; round++)
    {
      FleetSimParams params = { .hosts = hosts };
      g_autoptr (FleetPlan) plan = fleet_sim_plan_new (&params, 1000, NULL);
      g_autoptr (FleetSimTransport) sim = NULL;
      g_autoptr (FleetRunResult) result = NULL;
      g_autofree char *run_dir = fleet_sim_make_run_dir ();
      FleetSimFleet fleet;
      FleetSimObserved observed;
      guint succeeded = 0;
      guint peak = 0;
      gint64 cpu_started, wall_started;

      fleet_sim_fleet_init (&fleet);
      fleet.normal.connect = (FleetSimLatency) { FLEET_SIM_LOG_NORMAL, 50 * 1000, 0.5 };
      fleet.normal.command = (FleetSimLatency) { FLEET_SIM_LOG_NORMAL, 200 * 1000, 0.5 };
      fleet.normal.command_hang_rate = 0.001;
      fleet.slow_every = 100;
      fleet.slow_factor = 10.0;
      fleet.seed = round + 1;
      sim = fleet_sim_transport_new (&fleet);
      fleet_sim_plan_add_steps (plan, 4, 10 * 1000);

      cpu_started = process_cpu_us ();
      wall_started = g_get_monotonic_time ();
      result = fleet_sim_execute (plan, sim, run_dir, &observed);
      cpu_per_host_ms[round] = (process_cpu_us () - cpu_started) / 1000.0 / hosts;
      wall_per_host_ms[round] = (g_get_monotonic_time () - wall_started) / 1000.0 / hosts;

      for (guint i = 0; i < result->hosts->len; i++)
        succeeded += ((FleetHostResult *) g_ptr_array_index (result->hosts, i))->outcome
                     == FLEET_HOST_SUCCEEDED;
      for (guint i = 0; i < result->concurrency_history->len; i++)
        peak = MAX (peak, g_array_index (result->concurrency_history,
                                         FleetConcurrencyChange, i).limit);
      printf ("round %u: %u hosts, %u succeeded, simulated end %.1f s, peak limit %u, "
              "CPU %.3f ms per host, elapsed %.3f ms per host\n",
              round + 1, hosts, succeeded, result->duration_us / 1e6, peak,
              cpu_per_host_ms[round], wall_per_host_ms[round]);
      fleet_sim_remove_run_dir (run_dir);
    }

  qsort (cpu_per_host_ms, repeats, sizeof (double), compare_doubles);
  qsort (wall_per_host_ms, repeats, sizeof (double), compare_doubles);
  printf ("median over %u rounds: CPU %.3f ms per host, elapsed %.3f ms per host\n", repeats,
          cpu_per_host_ms[repeats / 2], wall_per_host_ms[repeats / 2]);
  return 0;
}
