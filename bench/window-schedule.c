/* bench/window-schedule.c: time fitting a fleet into maintenance windows.
 *
 *   build/bench/bench-window-schedule [HOSTS [ROUNDS [PARALLELISM]]]
 *
 * Writes a workflow and an inventory of HOSTS hosts (default 1000) in 10
 * data centers, groups dc0 to dc9, to a temporary directory.  The workflow
 * has 50 recurring windows, five per data center in one of five time zones
 * (daily, weekdays, or twice weekly, 2h to 4h long), a yearly freeze, three
 * steps estimated at 5m, 10m and 2m, a 5m margin, waves of 1%, 10% and the
 * rest, and parallelism PARALLELISM (default HOSTS / 20, at least 10).
 * It then compiles the
 * workflow with windows expanded over 42 days from 2025-03-03 and plans
 * it, ROUNDS times (default 3), and prints the fastest, median and slowest
 * CPU time of each phase: compiling (YAML, inventory, window expansion)
 * and planning (waves and the schedule).
 */
#include <stdio.h>
#include <stdlib.h>
#include <time.h>

#include <glib/gstdio.h>

#include "compiler/fleet-compiler.h"
#include "planner/fleet-planner.h"
#include "schema/fleet-clock.h"

#define N_DCS 10
#define WINDOWS_PER_DC 5

static const char *const zones[] = {
  "Europe/Berlin", "America/New_York", "Asia/Tokyo", "Australia/Sydney", "America/Los_Angeles",
};

static const char *const rules[] = {
  "FREQ=DAILY", "FREQ=WEEKLY;BYDAY=MO,TU,WE,TH,FR", "FREQ=WEEKLY;BYDAY=TU,TH",
};

static char *
write_inputs (const char *dir, guint n_hosts, guint parallelism)
{
  GString *inventory = g_string_new ("hosts:\n");
  GString *workflow = g_string_new (NULL);
  g_autofree char *inventory_path = g_build_filename (dir, "inventory.yaml", NULL);
  char *workflow_path = g_build_filename (dir, "bench.yaml", NULL);

  for (guint i = 0; i < n_hosts; i++)
    g_string_append_printf (inventory, "  h%06u: {address: 192.0.2.1}\n", i);
  g_string_append (inventory, "groups:\n");
  for (guint dc = 0; dc < N_DCS; dc++)
    {
      g_string_append_printf (inventory, "  dc%u: [", dc);
      for (guint i = dc; i < n_hosts; i += N_DCS)
        g_string_append_printf (inventory, "%sh%06u", i == dc ? "" : ", ", i);
      g_string_append (inventory, "]\n");
    }

  g_string_append_printf (workflow,
                          "name: bench\ninventory: inventory.yaml\ntarget: {all: true}\n"
                          "parallelism: %u\nwaves: [1%%, 10%%, 100%%]\nschedule: {margin: 5m}\n"
                          "steps:\n"
                          "  - {name: drain, run: \"true\", estimate: 5m}\n"
                          "  - {name: patch, run: \"true\", estimate: 10m}\n"
                          "  - {name: undrain, run: \"true\", estimate: 2m}\n"
                          "windows:\n", parallelism);
  for (guint dc = 0; dc < N_DCS; dc++)
    for (guint k = 0; k < WINDOWS_PER_DC; k++)
      g_string_append_printf (workflow,
                              "  - {name: dc%u-w%u, start: 2025-01-06T%02u:%02u, duration: %uh, "
                              "rrule: \"%s\", timezone: %s, applies_to: [dc%u]}\n",
                              dc, k, (k * 4 + dc % 4) % 24, (dc * 10) % 60, 2 + k % 3,
                              rules[(dc + k) % G_N_ELEMENTS (rules)],
                              zones[dc % G_N_ELEMENTS (zones)], dc);
  g_string_append (workflow, "freezes:\n  - {name: year-end, start: 2025-12-20T00:00, "
                             "duration: 15d, rrule: FREQ=YEARLY, timezone: Europe/Berlin}\n");

  g_assert_true (g_file_set_contents (inventory_path, inventory->str, -1, NULL));
  g_assert_true (g_file_set_contents (workflow_path, workflow->str, -1, NULL));
  g_string_free (inventory, TRUE);
  g_string_free (workflow, TRUE);
  return workflow_path;
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

static void
print_times (const char *phase, gint64 *times, guint rounds)
{
  qsort (times, rounds, sizeof *times, compare_times);
  printf ("  %-8s fastest %8.1f ms, median %8.1f ms, slowest %8.1f ms\n", phase,
          times[0] / 1000.0, times[rounds / 2] / 1000.0, times[rounds - 1] / 1000.0);
}

static void
remove_dir (const char *dir)
{
  g_autofree char *inventory = g_build_filename (dir, "inventory.yaml", NULL);
  g_autofree char *workflow = g_build_filename (dir, "bench.yaml", NULL);

  g_remove (inventory);
  g_remove (workflow);
  g_rmdir (dir);
}

int
main (int argc, char **argv)
{
  guint n_hosts = argc > 1 ? (guint) atoi (argv[1]) : 1000;
  guint rounds = argc > 2 ? (guint) atoi (argv[2]) : 3;
  guint parallelism = argc > 3 ? (guint) atoi (argv[3]) : MAX (n_hosts / 20, 10);
  g_autofree char *dir = NULL;
  g_autofree char *path = NULL;
  g_autofree gint64 *compile_times = NULL;
  g_autofree gint64 *plan_times = NULL;
  g_autofree gint64 *total_times = NULL;
  g_autofree char *finish = NULL;
  g_autofree char *bound = NULL;
  gint64 finish_us = 0, bound_us = 0;
  guint n_waves = 0;
  gint64 from_seconds = 0;

  if (n_hosts < N_DCS || rounds == 0 || parallelism == 0)
    {
      fprintf (stderr, "usage: %s [HOSTS [ROUNDS [PARALLELISM]]], at least %u hosts, 1 round "
               "and parallelism 1\n", argv[0], N_DCS);
      return 2;
    }

  dir = g_dir_make_tmp ("bench-window-schedule-XXXXXX", NULL);
  path = write_inputs (dir, n_hosts, parallelism);
  g_assert_true (fleet_parse_instant ("2025-03-03", &from_seconds, NULL));
  compile_times = g_new (gint64, rounds);
  plan_times = g_new (gint64, rounds);
  total_times = g_new (gint64, rounds);

  for (guint r = 0; r < rounds; r++)
    {
      g_autoptr(FleetDiagnostics) diags = fleet_diagnostics_new ();
      FleetCompileOptions options = {
        .windows_from_us = from_seconds * G_USEC_PER_SEC,
        .windows_to_us = (from_seconds + 42 * 86400) * G_USEC_PER_SEC,
      };
      gint64 start = thread_cpu_us ();
      g_autoptr(FleetWorkflow) workflow = fleet_compile_workflow (path, &options, diags);
      gint64 compiled = thread_cpu_us ();
      g_autoptr(FleetPlan) plan = workflow != NULL ? fleet_planner_build (workflow, diags) : NULL;
      gint64 planned = thread_cpu_us ();

      if (plan == NULL)
        {
          g_autofree char *text = fleet_diagnostics_format (diags);

          fprintf (stderr, "%s", text);
          remove_dir (dir);
          return 1;
        }
      compile_times[r] = compiled - start;
      plan_times[r] = planned - compiled;
      total_times[r] = planned - start;
      n_waves = plan->waves->len;
      finish_us = plan->schedule->finish_us;
      bound_us = plan->schedule->lower_bound_us;
    }
  remove_dir (dir);

  finish = fleet_format_utc_seconds (finish_us / G_USEC_PER_SEC);
  bound = fleet_format_utc_seconds (bound_us / G_USEC_PER_SEC);
  printf ("%u hosts in %d data centers, %d windows, %u waves: finishes %s, lower bound %s "
          "(%.1f h above it)\n", n_hosts, N_DCS, N_DCS * WINDOWS_PER_DC, n_waves, finish, bound,
          (finish_us - bound_us) / 3600e6);
  printf ("%u rounds, CPU time:\n", rounds);
  print_times ("compile", compile_times, rounds);
  print_times ("plan", plan_times, rounds);
  print_times ("total", total_times, rounds);
  return 0;
}
