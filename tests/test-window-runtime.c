/* test-window-runtime.c: fleet-run inside maintenance windows, against the
 * sandbox fleet.
 *
 * Each test builds a plan with a schedule in C and runs it with a test
 * clock.  Its wall time starts at a chosen instant and moves on with real
 * time.  The tests jump it forward where a run would wait for hours, in the
 * before-step observer and in the wait hook, so no test sleeps.
 */
#include <string.h>

#include <glib/gstdio.h>

#include "runtime/fleet-report.h"
#include "runtime/fleet-resume.h"
#include "runtime/fleet-window-gate.h"
#include "tests/runtime-fixture.h"

#define MINUTE_US (G_GINT64_CONSTANT (60) * G_USEC_PER_SEC)

/* 2025-03-25T00:00:00Z: every window below is relative to it. */
#define T0_US (G_GINT64_CONSTANT (1742860800) * G_USEC_PER_SEC)

typedef struct {
  FleetClock clock;
  gint64 base_us;            /* wall time at monotonic time base_monotonic_us */
  gint64 base_monotonic_us;
  guint waits;               /* calls of the wait hook */
  gint64 waited_until_us;    /* the last instant waited for */
  guint jump_at_call;        /* before_step call (from 1) that jumps the clock; 0: none */
  gint64 jump_to_us;
  gint64 jump_delay_us;      /* the jump comes this long after that call; 0: at once */
  gint64 jump_armed_at_us;   /* monotonic time of a delayed jump; 0: none */
  guint before_step_calls;
} TestClock;

static gint64
test_clock_monotonic (const FleetClock *clock)
{
  return g_get_monotonic_time ();
}

static void test_clock_set (TestClock *test, gint64 wall_us);

static gint64
test_clock_wall (const FleetClock *clock)
{
  TestClock *test = clock->data;

  if (test->jump_armed_at_us != 0 && g_get_monotonic_time () >= test->jump_armed_at_us)
    {
      test->jump_armed_at_us = 0;
      test_clock_set (test, test->jump_to_us);
    }

  return test->base_us + (g_get_monotonic_time () - test->base_monotonic_us);
}

static void
test_clock_set (TestClock *test, gint64 wall_us)
{
  test->base_us = wall_us;
  test->base_monotonic_us = g_get_monotonic_time ();
}

static void
test_clock_wait_until (gint64 wall_us, gpointer data)
{
  TestClock *test = data;

  test->waits++;
  test->waited_until_us = wall_us;
  if (fleet_clock_wall_us (&test->clock) < wall_us)
    test_clock_set (test, wall_us);
}

static void
test_clock_before_step (const FleetHost *host, guint step, gpointer data)
{
  TestClock *test = data;

  test->before_step_calls++;
  if (test->before_step_calls != test->jump_at_call)
    return;
  if (test->jump_delay_us > 0)
    test->jump_armed_at_us = g_get_monotonic_time () + test->jump_delay_us;
  else
    test_clock_set (test, test->jump_to_us);
}

static void
use_test_clock (Fixture *fixture, TestClock *test, gint64 wall_us)
{
  test->clock.monotonic_us = test_clock_monotonic;
  test->clock.wall_us = test_clock_wall;
  test->clock.data = test;
  test_clock_set (test, wall_us);
  fixture->options.clock = &test->clock;
  fixture->options.wait_until = test_clock_wait_until;
  fixture->options.wait_data = test;
  fixture->options.before_step = test_clock_before_step;
  fixture->options.observer_data = test;
}

/* Give the plan a schedule: every host in one window set with the windows
 * `[start, end)` in minutes after T0 (the list ends with -1), each step
 * estimated at `estimate_minutes`, and `margin_minutes`. */
static void
set_schedule (Fixture *fixture, const gint64 *minutes, guint estimate_minutes,
              guint margin_minutes, FleetAtWindowEnd at_window_end)
{
  FleetPlanSchedule *schedule = fleet_plan_schedule_new ();
  GArray *windows = fleet_window_list_new ();
  guint32 set;

  for (const gint64 *m = minutes; *m >= 0; m += 2)
    fleet_window_list_append (windows, T0_US + m[0] * MINUTE_US, T0_US + m[1] * MINUTE_US,
                              FLEET_WINDOW_NO_SOURCE);
  fleet_window_list_normalize (windows);

  schedule->from_us = T0_US;
  schedule->to_us = T0_US + 24 * 60 * MINUTE_US;
  schedule->margin_ms = (guint64) margin_minutes * 60000;
  schedule->at_window_end = at_window_end;
  set = fleet_plan_schedule_add_window_set (schedule, "sandbox", "UTC", windows);
  for (guint i = 0; i < fixture->plan->steps->len; i++)
    {
      guint64 estimate = (guint64) estimate_minutes * 60000;

      g_array_append_val (schedule->step_estimates_ms, estimate);
      g_ptr_array_add (schedule->step_estimate_sources, g_strdup ("estimate"));
    }
  for (guint i = 0; i < fixture->plan->hosts->len; i++)
    {
      gint64 start = T0_US;

      g_array_append_val (schedule->host_window_set, set);
      g_array_append_val (schedule->host_starts_us, start);
    }
  for (guint i = 0; i < fixture->plan->waves->len; i++)
    g_array_append_val (schedule->waves, ((FleetWaveSchedule) { T0_US, T0_US, T0_US }));

  fleet_plan_schedule_free (fixture->plan->schedule);
  fixture->plan->schedule = schedule;
}

/* Return the journal lines of `event`, joined by newlines. */
static char *
journal_events (const Fixture *fixture, const char *event)
{
  g_autofree char *journal = read_run_file (fixture, "journal.jsonl");
  g_autofree char *needle = g_strdup_printf ("\"event\":\"%s\"", event);
  g_auto(GStrv) lines = g_strsplit (journal, "\n", -1);
  GString *out = g_string_new (NULL);

  for (char **line = lines; *line != NULL; line++)
    if (strstr (*line, needle) != NULL)
      g_string_append_printf (out, "%s\n", *line);
  return g_string_free (out, FALSE);
}

static guint
count_lines (const char *text, const char *needle)
{
  guint count = 0;

  for (const char *at = strstr (text, needle); at != NULL; at = strstr (at + 1, needle))
    count++;
  return count;
}

/* A plan whose last window has ended is rejected before anything runs,
 * with the time it expired. */
static void
test_expired_plan_rejected (Fixture *fixture, gconstpointer data)
{
  const gint64 minutes[] = { 60, 120, 180, 240, -1 };
  g_autoptr(GError) error = NULL;
  g_autofree char *journal = g_build_filename (fixture->run_dir, "journal.jsonl", NULL);
  TestClock test = { 0 };
  FleetRunResult *result;

  if (!require_sandbox ())
    return;

  add_hosts (fixture, 1, "id_ed25519");
  add_step (fixture, "hello", "true", 30000);
  set_waves (fixture, (const guint[]) { 1, 0 });
  set_schedule (fixture, minutes, 10, 5, FLEET_AT_WINDOW_END_FINISH);
  use_test_clock (fixture, &test, T0_US + 240 * MINUTE_US);
  fixture->options.run_id = "test-run";
  fixture->options.run_dir = fixture->run_dir;

  result = fleet_execute_plan (fixture->plan, &fixture->options, &error);
  g_assert_null (result);
  g_assert_error (error, FLEET_PLAN_SCHEDULE_ERROR, FLEET_PLAN_SCHEDULE_ERROR_EXPIRED);
  g_assert_nonnull (strstr (error->message, "the last one ended at 2025-03-25T04:00:00Z"));
  g_assert_false (g_file_test (journal, G_FILE_TEST_EXISTS));
}

/* Before the window opens, fleet-run without --wait-for-window starts
 * nothing, records where it stopped and pauses with exit status 4. */
static void
test_pause_before_window (Fixture *fixture, gconstpointer data)
{
  const gint64 minutes[] = { 60, 180, -1 };
  g_autofree char *pause = NULL;
  g_autofree char *expected_command = NULL;
  g_autofree char *journal = NULL;
  TestClock test = { 0 };

  if (!require_sandbox ())
    return;

  add_hosts (fixture, 2, "id_ed25519");
  add_step (fixture, "hello", "true", 30000);
  set_waves (fixture, (const guint[]) { 2, 0 });
  set_schedule (fixture, minutes, 10, 5, FLEET_AT_WINDOW_END_FINISH);
  use_test_clock (fixture, &test, T0_US);
  run_plan (fixture);

  g_assert_true (fixture->result->paused);
  g_assert_cmpint (fixture->result->resume_at_us, ==, T0_US + 60 * MINUTE_US);
  g_assert_cmpint (fleet_run_result_exit_status (fixture->result), ==, 4);
  g_assert_cmpint (host_result (fixture, 0)->outcome, ==, FLEET_HOST_NOT_RUN);
  g_assert_cmpint (host_result (fixture, 1)->outcome, ==, FLEET_HOST_NOT_RUN);
  g_assert_false (step_result (fixture, 0, 0)->started);
  g_assert_cmpuint (test.waits, ==, 0);

  pause = journal_events (fixture, "window-pause");
  expected_command = g_strdup_printf ("\"resume_command\":\"fleet-run --resume %s\"",
                                      fixture->run_dir);
  g_assert_nonnull (strstr (pause, expected_command));
  g_assert_nonnull (strstr (pause, "\"resume_at\":\"2025-03-25T01:00:00.000Z\""));
  g_assert_nonnull (strstr (pause, "{\"host\":\"host01\",\"next_step\":1"));
  g_assert_nonnull (strstr (pause, "{\"host\":\"host02\",\"next_step\":1"));
  journal = read_run_file (fixture, "journal.jsonl");
  g_assert_cmpuint (count_lines (journal, "\"event\":\"step-start\""), ==, 0);
}

/* A window with room for the first step but not for all of a host's steps
 * is not entered: the host waits for a window with room for its whole work,
 * rather than stopping between two steps until the next window. */
static void
test_window_too_short_for_all_steps (Fixture *fixture, gconstpointer data)
{
  const gint64 minutes[] = { 0, 17, 120, 180, -1 };
  g_autofree char *wait = NULL;
  g_autofree char *journal = NULL;
  TestClock test = { 0 };

  if (!require_sandbox ())
    return;

  add_hosts (fixture, 1, "id_ed25519");
  add_step (fixture, "drain", "true", 30000);
  add_step (fixture, "patch", "true", 30000);
  set_waves (fixture, (const guint[]) { 1, 0 });
  set_schedule (fixture, minutes, 10, 5, FLEET_AT_WINDOW_END_FINISH);
  use_test_clock (fixture, &test, T0_US);
  /* Were the first step started, it would take 10 minutes, as estimated,
   * and leave 7 minutes: too few for the second step. */
  test.jump_at_call = 1;
  test.jump_to_us = T0_US + 10 * MINUTE_US;
  run_plan (fixture);

  g_assert_true (fixture->result->paused);
  g_assert_cmpint (fixture->result->resume_at_us, ==, T0_US + 120 * MINUTE_US);
  g_assert_cmpint (host_result (fixture, 0)->outcome, ==, FLEET_HOST_NOT_RUN);
  g_assert_false (step_result (fixture, 0, 0)->started);

  wait = journal_events (fixture, "window-wait");
  g_assert_nonnull (strstr (wait, "25m left (the estimates of the host's 2 remaining steps"));
  journal = read_run_file (fixture, "journal.jsonl");
  g_assert_cmpuint (count_lines (journal, "\"event\":\"step-start\""), ==, 0);
}

/* With --wait-for-window the run waits in place for the window, once,
 * then runs every host. */
static void
test_wait_for_window (Fixture *fixture, gconstpointer data)
{
  const gint64 minutes[] = { 60, 180, -1 };
  g_autofree char *waits = NULL;
  TestClock test = { 0 };

  if (!require_sandbox ())
    return;

  add_hosts (fixture, 2, "id_ed25519");
  add_step (fixture, "hello", "true", 30000);
  set_waves (fixture, (const guint[]) { 2, 0 });
  set_schedule (fixture, minutes, 10, 5, FLEET_AT_WINDOW_END_FINISH);
  use_test_clock (fixture, &test, T0_US);
  fixture->options.wait_for_window = TRUE;
  run_plan (fixture);

  g_assert_false (fixture->result->paused);
  g_assert_cmpint (fleet_run_result_exit_status (fixture->result), ==, 0);
  g_assert_cmpuint (test.waits, ==, 1);
  g_assert_cmpint (test.waited_until_us, ==, T0_US + 60 * MINUTE_US);
  waits = journal_events (fixture, "window-wait");
  g_assert_cmpuint (count_lines (waits, "\"event\":\"window-wait\""), ==, 2);
  g_assert_nonnull (strstr (waits, "\"until\":\"2025-03-25T01:00:00.000Z\""));
}

/* The window closes in the middle of the wave: host02 has too little of it
 * left for its second step, so it stops before that step, and host03 does
 * not start.  Without waiting, the run pauses; with waiting, both finish
 * in the next window and host02 resumes at its second step. */
static void
run_window_closes_mid_wave (Fixture *fixture, gboolean wait)
{
  const gint64 minutes[] = { 0, 60, 120, 180, -1 };
  TestClock test = { 0 };

  if (!require_sandbox ())
    return;

  add_hosts (fixture, 3, "id_ed25519");
  add_step (fixture, "first", "true", 30000);
  add_step (fixture, "second", "true", 30000);
  set_waves (fixture, (const guint[]) { 3, 0 });
  fixture->plan->parallelism = 1;
  set_schedule (fixture, minutes, 10, 5, FLEET_AT_WINDOW_END_FINISH);
  use_test_clock (fixture, &test, T0_US);
  /* host01 runs both steps, then host02's first step starts at 00:50:
   * 10 minutes are left, and its second step needs 15. */
  test.jump_at_call = 3;
  test.jump_to_us = T0_US + 50 * MINUTE_US;
  fixture->options.wait_for_window = wait;
  run_plan (fixture);
}

static void
test_window_closes_mid_wave_pause (Fixture *fixture, gconstpointer data)
{
  g_autofree char *pause = NULL;

  run_window_closes_mid_wave (fixture, FALSE);
  if (fixture->result == NULL)
    return;

  g_assert_true (fixture->result->paused);
  g_assert_cmpint (fixture->result->resume_at_us, ==, T0_US + 120 * MINUTE_US);
  g_assert_cmpint (host_result (fixture, 0)->outcome, ==, FLEET_HOST_SUCCEEDED);
  g_assert_cmpint (host_result (fixture, 1)->outcome, ==, FLEET_HOST_INTERRUPTED);
  g_assert_nonnull (strstr (host_result (fixture, 1)->message, "before step 2 \"second\""));
  g_assert_true (step_result (fixture, 1, 0)->started);
  g_assert_false (step_result (fixture, 1, 1)->started);
  g_assert_cmpint (host_result (fixture, 2)->outcome, ==, FLEET_HOST_NOT_RUN);

  pause = journal_events (fixture, "window-pause");
  g_assert_nonnull (strstr (pause, "{\"host\":\"host02\",\"next_step\":2"));
  g_assert_nonnull (strstr (pause, "{\"host\":\"host03\",\"next_step\":1"));
}

static void
test_window_closes_mid_wave_wait (Fixture *fixture, gconstpointer data)
{
  g_autofree char *journal = NULL;

  run_window_closes_mid_wave (fixture, TRUE);
  if (fixture->result == NULL)
    return;

  g_assert_false (fixture->result->paused);
  for (guint i = 0; i < 3; i++)
    g_assert_cmpint (host_result (fixture, i)->outcome, ==, FLEET_HOST_SUCCEEDED);

  /* host02's first step ran once, before the pause. */
  journal = read_run_file (fixture, "journal.jsonl");
  g_assert_cmpuint (count_lines (journal, "\"event\":\"step-start\",\"host\":\"host02\",\"step\":1,"),
                    ==, 1);
  g_assert_cmpuint (count_lines (journal, "\"event\":\"step-start\",\"host\":\"host02\",\"step\":2,"),
                    ==, 1);
}

/* A run paused at the end of its window is resumed in the next one: no
 * completed step runs again, host02 goes on at its second step and host03
 * starts, all without sleeping. */
static void
test_resume_in_next_window (Fixture *fixture, gconstpointer data)
{
  const gint64 minutes[] = { 0, 60, 120, 180, -1 };
  TestClock test = { 0 };
  g_autoptr(FleetResumeState) resume = NULL;
  g_autoptr(FleetRunResult) resumed = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *journal = NULL;

  if (!require_sandbox ())
    return;

  add_hosts (fixture, 3, "id_ed25519");
  add_step (fixture, "first", "true", 30000);
  add_step (fixture, "second", "true", 30000);
  set_waves (fixture, (const guint[]) { 3, 0 });
  fixture->plan->parallelism = 1;
  fixture->plan->file_sha256 = g_strdup ("resume-in-next-window");
  set_schedule (fixture, minutes, 10, 5, FLEET_AT_WINDOW_END_FINISH);
  use_test_clock (fixture, &test, T0_US);
  test.jump_at_call = 3;
  test.jump_to_us = T0_US + 50 * MINUTE_US;
  run_plan (fixture);
  g_assert_true (fixture->result->paused);
  g_assert_cmpint (fixture->result->resume_at_us, ==, T0_US + 120 * MINUTE_US);

  test.jump_at_call = 0;
  test_clock_set (&test, fixture->result->resume_at_us);
  resume = fleet_resume_load (fixture->plan, fixture->run_dir, NULL, NULL, &error);
  g_assert_no_error (error);
  fixture->options.resume = resume;
  resumed = fleet_execute_plan (fixture->plan, &fixture->options, &error);
  g_assert_no_error (error);
  g_assert_nonnull (resumed);

  g_assert_false (resumed->paused);
  g_assert_cmpint (fleet_run_result_exit_status (resumed), ==, 0);
  for (guint i = 1; i < 3; i++)
    {
      const FleetHostResult *host = g_ptr_array_index (resumed->hosts, i);

      g_assert_cmpint (host->outcome, ==, FLEET_HOST_SUCCEEDED);
    }

  journal = read_run_file (fixture, "journal.jsonl");
  g_assert_cmpuint (count_lines (journal, "\"event\":\"run-resume\""), ==, 1);
  for (guint i = 1; i <= 3; i++)
    for (guint step = 1; step <= 2; step++)
      {
        g_autofree char *start = g_strdup_printf ("\"event\":\"step-start\",\"host\":\"host%02u\","
                                                  "\"step\":%u,", i, step);

        g_assert_cmpuint (count_lines (journal, start), ==, 1);
      }
}

/* With at_window_end: abort, a step still running when its window closes
 * is killed and runs again in the next window.  The command sleeps only
 * on its first run, which a marker file in the host's home records. */
static void
test_abort_at_window_end (Fixture *fixture, gconstpointer data)
{
  const gint64 minutes[] = { 0, 60, 120, 180, -1 };
  g_autofree char *marker = NULL;
  g_autofree char *aborted = NULL;
  g_autofree char *journal = NULL;
  TestClock test = { 0 };

  if (!require_sandbox ())
    return;

  marker = host_home_path (0, "window-abort-marker");
  g_remove (marker);
  add_hosts (fixture, 1, "id_ed25519");
  add_step (fixture, "slow", "if [ -e \"$HOME/window-abort-marker\" ]; then exit 0; fi; "
                             "touch \"$HOME/window-abort-marker\"; sleep 60", 120000);
  set_waves (fixture, (const guint[]) { 1, 0 });
  set_schedule (fixture, minutes, 10, 5, FLEET_AT_WINDOW_END_ABORT);
  use_test_clock (fixture, &test, T0_US);
  /* The step is allowed at 00:00; the clock passes the window's end a
   * second after it starts, while it sleeps. */
  test.jump_at_call = 1;
  test.jump_to_us = T0_US + 61 * MINUTE_US;
  test.jump_delay_us = G_USEC_PER_SEC;
  fixture->options.wait_for_window = TRUE;
  run_plan (fixture);
  g_remove (marker);

  g_assert_cmpint (host_result (fixture, 0)->outcome, ==, FLEET_HOST_SUCCEEDED);
  g_assert_cmpuint (test.waits, ==, 1);
  g_assert_cmpint (test.waited_until_us, ==, T0_US + 120 * MINUTE_US);
  aborted = journal_events (fixture, "step-aborted");
  g_assert_nonnull (strstr (aborted, "\"host\":\"host01\",\"step\":1,\"name\":\"slow\","
                                     "\"reason\":\"window-end\","
                                     "\"window_end\":\"2025-03-25T01:00:00.000Z\""));
  /* No freeze: the window itself ended. */
  g_assert_nonnull (strstr (aborted, "\"freeze\":null,\"message\":\"step 1 \\\"slow\\\" was "
                                     "killed after "));
  g_assert_nonnull (strstr (aborted, "s at the end of its maintenance window at "
                                     "2025-03-25T01:00:00Z; it runs again from the start in the "
                                     "next maintenance window\""));
  journal = read_run_file (fixture, "journal.jsonl");
  g_assert_cmpuint (count_lines (journal, "\"event\":\"step-start\""), ==, 2);
  g_assert_cmpuint (count_lines (journal, "\"event\":\"step-end\""), ==, 1);
}

/* A freeze that starts inside the window kills the step like a window
 * end, and the summary, the journal and the wait reason name the freeze,
 * the step and that it runs again from the start. */
static void
test_freeze_kill_reported (Fixture *fixture, gconstpointer data)
{
  const gint64 minutes[] = { 0, 60, 120, 180, -1 };
  const FleetHostResult *result;
  g_autofree char *marker = NULL;
  g_autofree char *aborted = NULL;
  g_autofree char *waits = NULL;
  g_autofree char *summary = NULL;
  GArray *freezes;
  TestClock test = { 0 };

  if (!require_sandbox ())
    return;

  marker = host_home_path (0, "window-abort-marker");
  g_remove (marker);
  add_hosts (fixture, 1, "id_ed25519");
  add_step (fixture, "slow", "if [ -e \"$HOME/window-abort-marker\" ]; then exit 0; fi; "
                             "touch \"$HOME/window-abort-marker\"; sleep 60", 120000);
  set_waves (fixture, (const guint[]) { 1, 0 });
  /* One window from 00:00 to 03:00, cut by the freeze "sudden" from 01:00
   * to 02:00. */
  set_schedule (fixture, minutes, 10, 5, FLEET_AT_WINDOW_END_ABORT);
  freezes = fleet_plan_freezes_new ();
  fleet_plan_freezes_add (freezes, "sudden", T0_US + 60 * MINUTE_US, T0_US + 120 * MINUTE_US);
  g_ptr_array_add (fixture->plan->schedule->window_set_freezes, freezes);
  use_test_clock (fixture, &test, T0_US);
  test.jump_at_call = 1;
  test.jump_to_us = T0_US + 61 * MINUTE_US;
  test.jump_delay_us = G_USEC_PER_SEC;
  run_plan (fixture);
  g_remove (marker);

  result = host_result (fixture, 0);
  g_assert_cmpint (result->outcome, ==, FLEET_HOST_INTERRUPTED);
  g_assert_true (g_str_has_prefix (result->message, "step 1 \"slow\" was killed after "));
  g_assert_true (g_str_has_suffix (result->message, "s at the start of freeze \"sudden\" at "
                                                    "2025-03-25T01:00:00Z; it runs again from "
                                                    "the start in the next maintenance window"));
  summary = fleet_report_format_summary (fixture->plan, fixture->result, fixture->run_dir);
  g_test_message ("summary:\n%s", summary);
  g_assert_nonnull (strstr (summary, "at the start of freeze \"sudden\""));

  aborted = journal_events (fixture, "step-aborted");
  g_assert_nonnull (strstr (aborted, "\"freeze\":\"sudden\""));
  g_assert_nonnull (strstr (aborted, "at the start of freeze \\\"sudden\\\" at "
                                     "2025-03-25T01:00:00Z"));
  waits = journal_events (fixture, "window-wait");
  g_assert_nonnull (strstr (waits, "\"reason\":\"step 1 \\\"slow\\\" was killed after "));
  g_assert_nonnull (strstr (waits, "runs again from the start in the next maintenance window; "
                                   "no maintenance window of sandbox is open"));
}

/* With at_window_end: finish, the same step runs to its end after the
 * window has closed. */
static void
test_finish_at_window_end (Fixture *fixture, gconstpointer data)
{
  const gint64 minutes[] = { 0, 60, -1 };
  g_autofree char *journal = NULL;
  TestClock test = { 0 };

  if (!require_sandbox ())
    return;

  add_hosts (fixture, 1, "id_ed25519");
  add_step (fixture, "short", "sleep 1", 30000);
  set_waves (fixture, (const guint[]) { 1, 0 });
  set_schedule (fixture, minutes, 10, 5, FLEET_AT_WINDOW_END_FINISH);
  use_test_clock (fixture, &test, T0_US);
  test.jump_at_call = 1;
  test.jump_to_us = T0_US + 61 * MINUTE_US;
  run_plan (fixture);

  journal = read_run_file (fixture, "journal.jsonl");
  g_assert_cmpint (host_result (fixture, 0)->outcome, ==, FLEET_HOST_SUCCEEDED);
  g_assert_cmpuint (count_lines (journal, "\"event\":\"step-aborted\""), ==, 0);
}

/* The gate on its own: the estimate plus the margin must fit in what is
 * left of the window. */
static FleetPlan *
gate_plan (guint n_steps)
{
  FleetPlan *plan = fleet_plan_new ();
  FleetPlanSchedule *schedule = fleet_plan_schedule_new ();
  GArray *windows = fleet_window_list_new ();
  guint64 estimate = 10 * 60000;
  guint32 set = 0;

  fleet_window_list_append (windows, T0_US, T0_US + 60 * MINUTE_US, FLEET_WINDOW_NO_SOURCE);
  fleet_plan_schedule_add_window_set (schedule, "dc1", "UTC", windows);
  schedule->margin_ms = 5 * 60000;
  schedule->to_us = T0_US + 24 * 60 * MINUTE_US;
  for (guint i = 0; i < n_steps; i++)
    {
      g_autofree char *name = g_strdup_printf ("step%u", i + 1);

      g_ptr_array_add (plan->steps, fleet_step_new (name, "true"));
      g_array_append_val (schedule->step_estimates_ms, estimate);
    }
  g_ptr_array_add (plan->hosts, fleet_host_new ("host01"));
  g_array_append_val (schedule->host_window_set, set);
  plan->schedule = schedule;
  return plan;
}

static void
test_gate_decisions (void)
{
  g_autoptr(FleetPlan) plan = gate_plan (1);
  FleetWindowDecision decision;
  g_autofree char *reason = NULL;

  fleet_window_gate_decide (plan, 0, 0, FLEET_WINDOW_NEED_STEP, T0_US + 45 * MINUTE_US,
                            &decision);
  g_assert_true (decision.allowed);
  g_assert_cmpint (decision.window_end_us, ==, T0_US + 60 * MINUTE_US);

  fleet_window_gate_decide (plan, 0, 0, FLEET_WINDOW_NEED_STEP, T0_US + 45 * MINUTE_US + 1,
                            &decision);
  g_assert_false (decision.allowed);
  g_assert_cmpint (decision.next_start_us, ==, FLEET_WINDOW_GATE_NEVER);
  reason = fleet_window_gate_describe (plan->schedule, 0, &decision);
  g_assert_nonnull (strstr (reason, "no maintenance window of dc1 with 15m left"));

  fleet_window_gate_decide (plan, 0, 0, FLEET_WINDOW_NEED_STEP, T0_US - 1, &decision);
  g_assert_false (decision.allowed);
  g_assert_cmpint (decision.next_start_us, ==, T0_US);
}

/* A host entering a window needs room for every step it has left, except
 * those the plan skips for it.  Inside the window, one step is enough. */
static void
test_gate_remaining_steps (void)
{
  g_autoptr(FleetPlan) plan = gate_plan (3);
  FleetStep *skipped = g_ptr_array_index (plan->steps, 2);
  FleetWindowDecision decision;
  g_autofree char *reason = NULL;

  /* 35m left: three steps of 10m plus 5m of margin fit exactly. */
  fleet_window_gate_decide (plan, 0, 0, FLEET_WINDOW_NEED_REMAINING, T0_US + 25 * MINUTE_US,
                            &decision);
  g_assert_true (decision.allowed);
  g_assert_cmpint (decision.needed_us, ==, 35 * MINUTE_US);
  g_assert_cmpuint (decision.steps_counted, ==, 3);

  fleet_window_gate_decide (plan, 0, 0, FLEET_WINDOW_NEED_REMAINING,
                            T0_US + 25 * MINUTE_US + 1, &decision);
  g_assert_false (decision.allowed);
  reason = fleet_window_gate_describe (plan->schedule, 0, &decision);
  g_assert_nonnull (strstr (reason, "35m left (the estimates of the host's 3 remaining steps "
                                    "plus the margin, so that it does not stop halfway)"));

  /* The same instant allows a single step inside the window. */
  fleet_window_gate_decide (plan, 0, 0, FLEET_WINDOW_NEED_STEP, T0_US + 25 * MINUTE_US + 1,
                            &decision);
  g_assert_true (decision.allowed);

  /* From the second step on, two steps are left. */
  fleet_window_gate_decide (plan, 0, 1, FLEET_WINDOW_NEED_REMAINING, T0_US + 35 * MINUTE_US,
                            &decision);
  g_assert_true (decision.allowed);
  g_assert_cmpuint (decision.steps_counted, ==, 2);

  /* A step the plan skips for the host takes no time. */
  skipped->skipped_hosts = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, g_free);
  g_hash_table_insert (skipped->skipped_hosts, g_strdup ("host01"), g_strdup ("not a db host"));
  fleet_window_gate_decide (plan, 0, 0, FLEET_WINDOW_NEED_REMAINING, T0_US + 35 * MINUTE_US,
                            &decision);
  g_assert_true (decision.allowed);
  g_assert_cmpint (decision.needed_us, ==, 25 * MINUTE_US);
  g_assert_cmpuint (decision.steps_counted, ==, 2);
}

int
main (int argc, char **argv)
{
  int status;

  g_test_init (&argc, &argv, NULL);

#define ADD(path, func) \
  g_test_add (path, Fixture, NULL, fixture_set_up, func, fixture_tear_down)
  ADD ("/window-runtime/expired-plan-rejected", test_expired_plan_rejected);
  ADD ("/window-runtime/pause-before-window", test_pause_before_window);
  ADD ("/window-runtime/wait-for-window", test_wait_for_window);
  ADD ("/window-runtime/too-short-for-all-steps", test_window_too_short_for_all_steps);
  ADD ("/window-runtime/closes-mid-wave-pause", test_window_closes_mid_wave_pause);
  ADD ("/window-runtime/closes-mid-wave-wait", test_window_closes_mid_wave_wait);
  ADD ("/window-runtime/resume-in-next-window", test_resume_in_next_window);
  ADD ("/window-runtime/abort-at-window-end", test_abort_at_window_end);
  ADD ("/window-runtime/finish-at-window-end", test_finish_at_window_end);
  ADD ("/window-runtime/freeze-kill-reported", test_freeze_kill_reported);
#undef ADD
  g_test_add_func ("/window-runtime/gate-decisions", test_gate_decisions);
  g_test_add_func ("/window-runtime/gate-remaining-steps", test_gate_remaining_steps);

  status = g_test_run ();
  release_sandbox ();
  return status;
}
