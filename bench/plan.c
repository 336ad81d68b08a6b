/* bench/plan.c: time the planner on a synthetic fleet with spread rules.
 *
 *   build/bench/bench-plan [HOSTS [RACKS [ROUNDS]]]
 *
 * Builds an inventory of HOSTS hosts (default 10000) in RACKS racks
 * (default 97) scattered through the inventory and 3 data centres, then
 * plans it ROUNDS times (default 5) with canary: 2, waves of 5% and the
 * spread rules {by: rack, max_per_wave: 2} and {by: dc, max_per_wave: 2%},
 * and prints the plan's shape and the fastest, median and slowest time.
 * The planner does no I/O and runs on one thread, so the times are that
 * thread's CPU time, which other load on the machine barely changes.
 */
#include <stdio.h>
#include <stdlib.h>
#include <time.h>

#include "planner/fleet-planner.h"

static FleetWorkflow *
make_workflow (guint n_hosts, guint n_racks)
{
  FleetWorkflow *workflow = fleet_workflow_new ();
  FleetSpread *rack_rule = fleet_spread_new ();
  FleetSpread *dc_rule = fleet_spread_new ();

  workflow->name = g_strdup ("bench");
  workflow->source = g_strdup ("bench.yaml");
  workflow->source_sha256 = g_strdup ("00");
  workflow->inventory = fleet_inventory_new ("bench-inventory.yaml");
  workflow->target.all = TRUE;
  workflow->canary.kind = FLEET_CANARY_COUNT;
  workflow->canary.count = 2;
  for (guint i = 0; i < 20; i++)
    g_array_append_val (workflow->batches, ((FleetBatch) { FLEET_BATCH_PERCENT, 5, { 0 } }));

  rack_rule->attribute = g_strdup ("rack");
  rack_rule->max_per_wave = (FleetThreshold) { FLEET_THRESHOLD_COUNT, 2 };
  dc_rule->attribute = g_strdup ("dc");
  dc_rule->max_per_wave = (FleetThreshold) { FLEET_THRESHOLD_PERCENT, 2 };
  g_ptr_array_add (workflow->spread, rack_rule);
  g_ptr_array_add (workflow->spread, dc_rule);
  g_ptr_array_add (workflow->steps, fleet_step_new ("patch", "true"));

  for (guint i = 0; i < n_hosts; i++)
    {
      g_autofree char *name = g_strdup_printf ("host%05u", i);
      FleetHost *host = fleet_host_new (name);
      guint rack = (i * 7919u + i / 13) % n_racks;

      host->address = g_strdup ("192.0.2.1");
      g_hash_table_insert (host->attributes, g_strdup ("rack"), g_strdup_printf ("r%u", rack));
      g_hash_table_insert (host->attributes, g_strdup ("dc"), g_strdup_printf ("dc%u", rack % 3));
      fleet_inventory_add_host (workflow->inventory, host);
    }
  return workflow;
}

static gint64
thread_cpu_us (void)
{
  struct timespec now;

  clock_gettime (CLOCK_THREAD_CPUTIME_ID, &now);
  return (gint64) now.tv_sec * G_USEC_PER_SEC + now.tv_nsec / 1000;
}

static int
compare_times (const void *a, const void *b)
{
  gint64 x = *(const gint64 *) a, y = *(const gint64 *) b;

  return (x > y) - (x < y);
}

int
main (int argc, char **argv)
{
  guint n_hosts = argc > 1 ? (guint) atoi (argv[1]) : 10000;
  guint n_racks = argc > 2 ? (guint) atoi (argv[2]) : 97;
  guint rounds = argc > 3 ? (guint) atoi (argv[3]) : 5;
  g_autoptr(FleetWorkflow) workflow = NULL;
  g_autofree gint64 *times = NULL;
  guint n_waves = 0;
  guint n_warnings = 0;

  if (n_hosts == 0 || n_racks == 0 || rounds == 0)
    {
      fprintf (stderr, "usage: %s [HOSTS [RACKS [ROUNDS]]], each at least 1\n", argv[0]);
      return 2;
    }

  workflow = make_workflow (n_hosts, n_racks);
  times = g_new (gint64, rounds);
  for (guint r = 0; r < rounds; r++)
    {
      g_autoptr(FleetDiagnostics) diags = fleet_diagnostics_new ();
      gint64 start = thread_cpu_us ();
      g_autoptr(FleetPlan) plan = fleet_planner_build (workflow, diags);

      times[r] = thread_cpu_us () - start;
      if (plan == NULL)
        {
          g_autofree char *text = fleet_diagnostics_format (diags);
          fprintf (stderr, "%s", text);
          return 1;
        }
      n_waves = plan->waves->len;
      n_warnings = fleet_diagnostics_warning_count (diags);
    }

  qsort (times, rounds, sizeof *times, compare_times);
  printf ("planned %u hosts in %u racks into %u waves (%u warning%s) with canary 2, "
          "waves of 5%%, spread rack <= 2 and dc <= 2%%\n", n_hosts, n_racks, n_waves, n_warnings,
          n_warnings == 1 ? "" : "s");
  printf ("%u rounds, CPU time: fastest %.1f ms, median %.1f ms, slowest %.1f ms\n", rounds,
          times[0] / 1000.0, times[rounds / 2] / 1000.0, times[rounds - 1] / 1000.0);
  return 0;
}
