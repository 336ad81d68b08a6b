/* test-progress.c: fleet-run's progress lines, live and plain, driven by a
 * fixed clock and the executor's observer calls. */
#include <stdio.h>
#include <string.h>

#include <glib.h>

#include "cli/fleet-run-progress.h"

#define WALL_US G_GINT64_CONSTANT (1796454187000000)  /* 2026-12-05T07:03:07Z */

typedef struct {
  FleetFixedClock clock;
  FleetPlan *plan;
  GPtrArray *hosts;
  char *buffer;
  size_t size;
  FILE *stream;
} Fixture;

static void
fixture_set_up (Fixture *fixture, gconstpointer data)
{
  fleet_fixed_clock_init (&fixture->clock, WALL_US);
  fixture->plan = fleet_plan_new ();
  for (guint w = 0; w < 2; w++)
    {
      FleetWave *wave = g_new0 (FleetWave, 1);

      wave->host_indices = g_array_new (FALSE, FALSE, sizeof (guint32));
      g_ptr_array_add (fixture->plan->waves, wave);
    }
  fixture->hosts = g_ptr_array_new_with_free_func ((GDestroyNotify) fleet_host_free);
  for (guint i = 0; i < 20; i++)
    {
      g_autofree char *name = g_strdup_printf ("h%02u", i);

      g_ptr_array_add (fixture->hosts, fleet_host_new (name));
    }
  fixture->stream = open_memstream (&fixture->buffer, &fixture->size);
}

static void
fixture_tear_down (Fixture *fixture, gconstpointer data)
{
  fclose (fixture->stream);
  g_free (fixture->buffer);
  g_ptr_array_unref (fixture->hosts);
  fleet_plan_free (fixture->plan);
}

/* Start `n` hosts, finish them after `step_us` each, `failing` of them
 * failed. */
static void
run_hosts (Fixture *fixture, const FleetRunObserver *observer, guint n, guint failing,
           gint64 step_us)
{
  for (guint i = 0; i < n; i++)
    observer->host_started (g_ptr_array_index (fixture->hosts, i), observer->data);
  for (guint i = 0; i < n; i++)
    {
      FleetHostResult result = { .host = g_ptr_array_index (fixture->hosts, i),
                                 .outcome = i < failing ? FLEET_HOST_FAILED
                                                        : FLEET_HOST_SUCCEEDED };

      fixture->clock.monotonic_us += step_us;
      fixture->clock.wall_us += step_us;
      observer->host_finished (&result, observer->data);
    }
}

/* Without a terminal: a line at the wave's start, at each tenth of it, and
 * at its end, each with the UTC time, the counts, the rate and time left. */
static void
test_plain_lines (Fixture *fixture, gconstpointer data)
{
  g_autoptr (FleetRunProgress) progress = fleet_run_progress_new (fixture->plan,
                                                                  fixture->stream, FALSE,
                                                                  &fixture->clock.clock);
  const FleetRunObserver *observer = fleet_run_progress_observer (progress);
  g_auto (GStrv) lines = NULL;

  observer->wave_started (0, 20, observer->data);
  run_hosts (fixture, observer, 20, 1, G_USEC_PER_SEC / 2);
  observer->wave_finished (0, observer->data);
  fflush (fixture->stream);

  lines = g_strsplit (fixture->buffer, "\n", -1);
  g_assert_cmpstr (lines[0], ==, "07:03:07Z start wave 1/2: 0/20 done, 0 failed, 0 in flight");
  g_assert_cmpstr (lines[1], ==, "07:03:08Z wave 1/2: 2/20 done, 1 failed, 18 in flight, "
                                 "2.0 hosts/s, about 9 s left");
  g_assert_cmpstr (lines[10], ==, "07:03:17Z wave 1/2: 20/20 done, 1 failed, 0 in flight, "
                                  "2.0 hosts/s");
  g_assert_cmpstr (lines[11], ==, "07:03:17Z end wave 1/2: 20/20 done, 1 failed, 0 in flight, "
                                  "2.0 hosts/s");
  g_assert_cmpstr (lines[12], ==, "");
  g_assert_null (lines[13]);
}

/* A slow wave still prints a line every 10 s. */
static void
test_plain_heartbeat (Fixture *fixture, gconstpointer data)
{
  g_autoptr (FleetRunProgress) progress = fleet_run_progress_new (fixture->plan,
                                                                  fixture->stream, FALSE,
                                                                  &fixture->clock.clock);
  const FleetRunObserver *observer = fleet_run_progress_observer (progress);

  observer->wave_started (1, 20, observer->data);
  run_hosts (fixture, observer, 1, 0, 11 * G_USEC_PER_SEC);
  fflush (fixture->stream);

  g_assert_nonnull (strstr (fixture->buffer, "07:03:18Z wave 2/2: 1/20 done, 0 failed, "
                                             "0 in flight, 0.1 hosts/s, about 209 s left\n"));
}

/* A host stopped by an interrupt is counted apart from failed ones. */
static void
test_interrupted_counted (Fixture *fixture, gconstpointer data)
{
  g_autoptr (FleetRunProgress) progress = fleet_run_progress_new (fixture->plan,
                                                                  fixture->stream, FALSE,
                                                                  &fixture->clock.clock);
  const FleetRunObserver *observer = fleet_run_progress_observer (progress);
  FleetHostResult result = { .host = g_ptr_array_index (fixture->hosts, 0),
                             .outcome = FLEET_HOST_INTERRUPTED };

  observer->wave_started (0, 1, observer->data);
  observer->host_started (result.host, observer->data);
  observer->host_finished (&result, observer->data);
  observer->wave_finished (0, observer->data);
  fflush (fixture->stream);

  g_assert_nonnull (strstr (fixture->buffer, "end wave 1/2: 1/1 done, 0 failed, 1 interrupted, "
                                             "0 in flight\n"));
}

/* On a terminal one line is redrawn, at most five times a second, and
 * cleared when the progress ends. */
static void
test_live_line (Fixture *fixture, gconstpointer data)
{
  FleetRunProgress *progress = fleet_run_progress_new (fixture->plan, fixture->stream, TRUE,
                                                       &fixture->clock.clock);
  const FleetRunObserver *observer = fleet_run_progress_observer (progress);
  guint redraws = 0;

  observer->wave_started (0, 20, observer->data);
  run_hosts (fixture, observer, 20, 0, G_USEC_PER_SEC / 10);
  fleet_run_progress_free (progress);
  fflush (fixture->stream);

  for (const char *p = fixture->buffer; (p = strstr (p, "\r\033[K")) != NULL; p++)
    redraws++;
  /* The wave start, every second finished host (200 ms apart), the end. */
  g_assert_cmpuint (redraws, ==, 1 + 10 + 1);
  g_assert_nonnull (strstr (fixture->buffer, "\r\033[Kwave 1/2: 20/20 done"));
  g_assert_true (g_str_has_suffix (fixture->buffer, "\r\033[K"));
  g_assert_null (strchr (fixture->buffer, '\n'));
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);

  g_test_add ("/progress/plain-lines", Fixture, NULL, fixture_set_up, test_plain_lines,
              fixture_tear_down);
  g_test_add ("/progress/plain-heartbeat", Fixture, NULL, fixture_set_up, test_plain_heartbeat,
              fixture_tear_down);
  g_test_add ("/progress/interrupted-counted", Fixture, NULL, fixture_set_up,
              test_interrupted_counted, fixture_tear_down);
  g_test_add ("/progress/live-line", Fixture, NULL, fixture_set_up, test_live_line,
              fixture_tear_down);

  return g_test_run ();
}
