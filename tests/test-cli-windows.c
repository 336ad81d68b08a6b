/* test-cli-windows.c: maintenance windows through the programs: the
 * schedule `fleetc show` prints, the earliest schedule `fleetc compile`
 * suggests, and fleet-run pausing before a window or rejecting a plan whose
 * windows have passed.
 *
 * fleet-run stops before it connects to any host in these tests, so they
 * need no sandbox fleet.
 */
#include <string.h>

#include <glib/gstdio.h>

#include "tests/sandbox.h"

typedef FleetTestDir Fixture;

static char *
write_file (const Fixture *fixture, const char *name, const char *text)
{
  return fleet_test_write_file_in (fixture->dir, name, text);
}

/* Run build/cli/`name` with `args`, and SOURCE_DATE_EPOCH=`epoch` unless
 * it is NULL; returns the exit status. */
static int
run (const char *name, const char *epoch, const char * const *args, char **out_stdout,
     char **out_stderr)
{
  g_autofree char *setting = epoch != NULL ? g_strconcat ("SOURCE_DATE_EPOCH=", epoch, NULL)
                                           : NULL;
  const char *environment[] = { setting, NULL };

  return fleet_test_run_program_with_env (name, environment, args, out_stdout, out_stderr);
}

static const char inventory_text[] =
  "hosts:\n"
  "  web01: {address: 127.0.0.1, port: 1}\n"
  "  web02: {address: 127.0.0.1, port: 1}\n"
  "groups:\n"
  "  fra: [web01, web02]\n";

/* Write the inventory and a workflow whose text after `target` is `body`;
 * returns the workflow's path. */
static char *
write_workflow (const Fixture *fixture, const char *body)
{
  g_autofree char *inventory = write_file (fixture, "inventory.yaml", inventory_text);
  g_autofree char *text = g_strconcat ("name: w\ninventory: inventory.yaml\n"
                                       "target: {all: true}\n", body, NULL);

  return write_file (fixture, "workflow.yaml", text);
}

/* 2025-10-20T00:00:00Z: the autumn change in Berlin is six days later. */
#define AUTUMN_EPOCH "1760918400"

/* The schedule and the windows show UTC and the local time with its
 * offset, and the night the clocks go back has one window, at the first
 * 02:30. */
static void
test_show_schedule_local_times (Fixture *fixture, gconstpointer data)
{
  g_autofree char *workflow = write_workflow (fixture,
    "parallelism: 1\n"
    "schedule: {margin: 10m}\n"
    "windows:\n"
    "  - {name: nightly, start: 2025-10-25T02:30, duration: 1h, rrule: FREQ=DAILY,\n"
    "     timezone: Europe/Berlin}\n"
    "steps:\n  - {name: patch, run: \"true\", estimate: 20m, timeout: 30m}\n");
  g_autofree char *plan = g_build_filename (fixture->dir, "w.plan", NULL);
  const char *compile[] = { "compile", workflow, "-o", plan, "-F", "none", NULL };
  const char *show[] = { "show", plan, NULL };
  const char *show_json[] = { "show", plan, "--format", "json", NULL };
  const char *show_markdown[] = { "show", plan, "--format", "markdown", NULL };
  g_autofree char *out = NULL;
  g_autofree char *err = NULL;
  g_autofree char *json = NULL;
  g_autofree char *markdown = NULL;

  g_assert_cmpint (run ("fleetc", AUTUMN_EPOCH, compile, NULL, &err), ==, 0);
  g_assert_cmpint (run ("fleetc", NULL, show, &out, NULL), ==, 0);

  g_assert_nonnull (strstr (out, "windows from 2025-10-20T00:00:00Z to 2025-12-01T00:00:00Z; "
                                 "margin 10m; at window end: finish"));
  g_assert_nonnull (strstr (out, "1 patch: 20m (estimate)"));
  /* Two hosts of 20 minutes in one slot, in the first window. */
  g_assert_nonnull (strstr (out, "starts   2025-10-25T00:30:00Z (2025-10-25T02:30:00+02:00 "
                                 "Europe/Berlin)"));
  g_assert_nonnull (strstr (out, "ends     2025-10-25T01:10:00Z (2025-10-25T03:10:00+02:00 "
                                 "Europe/Berlin)"));
  g_assert_nonnull (strstr (out, "2025-10-26T00:30:00Z (2025-10-26T02:30:00+02:00 Europe/Berlin) "
                                 "to 2025-10-26T01:30:00Z (2025-10-26T02:30:00+01:00 "
                                 "Europe/Berlin)"));
  g_assert_null (strstr (out, "2025-10-26T01:30:00Z (2025-10-26T02:30:00+01:00 Europe/Berlin) to"));
  g_assert_nonnull (strstr (out, "2025-10-27T01:30:00Z (2025-10-27T02:30:00+01:00 Europe/Berlin)"));

  g_assert_cmpint (run ("fleetc", NULL, show_json, &json, NULL), ==, 0);
  g_assert_nonnull (strstr (json, "\"schedule\":{\"from\":\"2025-10-20T00:00:00Z\""));
  g_assert_nonnull (strstr (json, "\"at_window_end\":\"finish\""));
  g_assert_nonnull (strstr (json, "{\"groups\":\"fra\",\"timezone\":\"Europe/Berlin\""));

  /* The Markdown form for change tickets has the same schedule in a code
   * block. */
  g_assert_cmpint (run ("fleetc", NULL, show_markdown, &markdown, NULL), ==, 0);
  g_assert_nonnull (strstr (markdown, "\n## Schedule\n\n```\nSchedule (each host runs within one "
                                      "window:"));
  g_assert_nonnull (strstr (markdown, "starts   2025-10-25T00:30:00Z (2025-10-25T02:30:00+02:00 "
                                      "Europe/Berlin)"));
}

/* When the hosts fit only windows beyond the planned range, the compile
 * fails and names the fewest days of windows that fit and the schedule
 * they give. */
static void
test_compile_suggests_longer_range (Fixture *fixture, gconstpointer data)
{
  g_autofree char *workflow = write_workflow (fixture,
    "parallelism: 1\n"
    "windows:\n"
    "  - {name: bimonthly, start: 2025-10-21T02:00, duration: 3h,\n"
    "     rrule: \"FREQ=MONTHLY;INTERVAL=2\",\n"
    "     timezone: Europe/Berlin}\n"
    "steps:\n  - {name: patch, run: \"true\", estimate: 2h, timeout: 3h}\n");
  g_autofree char *plan = g_build_filename (fixture->dir, "w.plan", NULL);
  const char *compile[] = { "compile", workflow, "-o", plan, "-F", "none", NULL };
  const char *shortest[] = { "compile", workflow, "-o", plan, "-F", "none", "--window-days", "63",
                             NULL };
  const char *one_less[] = { "compile", workflow, "-o", plan, "-F", "none", "--window-days", "62",
                             NULL };
  g_autofree char *err = NULL;
  g_autofree char *out = NULL;

  g_assert_cmpint (run ("fleetc", AUTUMN_EPOCH, compile, NULL, &err), ==, 2);
  g_assert_nonnull (strstr (err, "error: host web02 (fra) of wave 1 does not fit before the "
                                 "planned range ends at 2025-12-01T00:00:00Z"));
  /* The second host ends at 03:00Z on 21 December, and its 5 minutes of
   * margin need the range to reach into the 63rd day. */
  g_assert_nonnull (strstr (err, "note: the smallest range of windows that fits is 63 days "
                                 "(now 42); compile with --window-days 63, and the plan finishes "
                                 "at 2025-12-21T03:00:00Z"));
  g_assert_nonnull (strstr (err, "wave 1: 2025-10-21T00:00:00Z to 2025-12-21T03:00:00Z"));
  /* Two hosts at once fit the first window of the current range. */
  g_assert_nonnull (strstr (err, "note: or keep the range of 42 days and raise parallelism to 2 "
                                 "(now 1); the plan then finishes at 2025-10-21T02:00:00Z:\n"
                                 "  wave 1: 2025-10-21T00:00:00Z to 2025-10-21T02:00:00Z"));
  g_assert_false (g_file_test (plan, G_FILE_TEST_EXISTS));

  g_clear_pointer (&err, g_free);
  g_assert_cmpint (run ("fleetc", AUTUMN_EPOCH, one_less, NULL, &err), ==, 2);
  g_assert_nonnull (strstr (err, "--window-days 63"));
  g_assert_false (g_file_test (plan, G_FILE_TEST_EXISTS));

  g_assert_cmpint (run ("fleetc", AUTUMN_EPOCH, shortest, &out, NULL), ==, 0);
  g_assert_true (g_file_test (plan, G_FILE_TEST_EXISTS));
}

/* Windows only after the range: the error blames no freeze, and the note
 * gives the time the first window opens and the range that reaches it. */
static void
test_compile_names_first_window (Fixture *fixture, gconstpointer data)
{
  g_autofree char *workflow = write_workflow (fixture,
    "windows:\n"
    "  - {name: january, start: 2026-01-10T02:00, duration: 1h, timezone: UTC}\n"
    "steps:\n  - {name: patch, run: \"true\", estimate: 10m, timeout: 1h}\n");
  g_autofree char *plan = g_build_filename (fixture->dir, "w.plan", NULL);
  const char *compile[] = { "compile", workflow, "-o", plan, "-F", "none", NULL };
  g_autofree char *err = NULL;

  g_assert_cmpint (run ("fleetc", AUTUMN_EPOCH, compile, NULL, &err), ==, 2);
  g_assert_nonnull (strstr (err, "error: host web01 (fra) of wave 1 has no maintenance window "
                                 "between 2025-10-20T00:00:00Z and 2025-12-01T00:00:00Z; add a "
                                 "window that applies to one of its groups, or, when its windows "
                                 "come later, compile with a longer --window-days"));
  g_assert_null (strstr (err, "freeze"));
  /* Both hosts end at 02:10 on 10 January, and the margin needs 5 more
   * minutes of the range: 82 days and 2h15m. */
  g_assert_nonnull (strstr (err, "note: the first window opens at 2026-01-10T02:00:00Z, after "
                                 "the current range of 42 days ends; the smallest range of "
                                 "windows that fits is 83 days (now 42)"));
  g_assert_false (g_file_test (plan, G_FILE_TEST_EXISTS));
}

/* A window that never recurs: no range helps, the note states that, and it
 * names the least parallelism that fits instead. */
static void
test_compile_suggests_parallelism (Fixture *fixture, gconstpointer data)
{
  g_autofree char *workflow = write_workflow (fixture,
    "parallelism: 1\n"
    "schedule: {margin: 0s}\n"
    "windows:\n"
    "  - {name: once, start: 2025-10-21T02:00, duration: 1h, timezone: UTC}\n"
    "steps:\n  - {name: patch, run: \"true\", estimate: 40m, timeout: 1h}\n");
  g_autofree char *plan = g_build_filename (fixture->dir, "w.plan", NULL);
  const char *compile[] = { "compile", workflow, "-o", plan, "-F", "none", NULL };
  const char *one_day[] = { "compile", workflow, "-o", plan, "-F", "none", "--window-days", "1",
                            NULL };
  g_autofree char *err = NULL;

  g_assert_cmpint (run ("fleetc", AUTUMN_EPOCH, compile, NULL, &err), ==, 2);
  g_assert_nonnull (strstr (err, "error: host web02 (fra) of wave 1 does not fit"));
  g_assert_nonnull (strstr (err, "note: no range of windows up to 366 days makes every host "
                                 "fit with parallelism 1, so a longer --window-days alone does "
                                 "not help; with parallelism 2 the plan fits and finishes at "
                                 "2025-10-21T02:40:00Z"));
  g_assert_null (strstr (err, "smallest range"));

  /* A range that ends before the window needs both changes. */
  g_clear_pointer (&err, g_free);
  g_assert_cmpint (run ("fleetc", AUTUMN_EPOCH, one_day, NULL, &err), ==, 2);
  g_assert_nonnull (strstr (err, "with parallelism 2 and --window-days 2 the plan fits and "
                                 "finishes at 2025-10-21T02:40:00Z"));
}

/* One host longer than the only window: neither range, parallelism nor a
 * single wave helps, and the note requests other windows. */
static void
test_compile_needs_other_windows (Fixture *fixture, gconstpointer data)
{
  g_autofree char *workflow = write_workflow (fixture,
    "parallelism: 2\n"
    "waves: [1, 1]\n"
    "schedule: {margin: 0s}\n"
    "windows:\n"
    "  - {name: once, start: 2025-10-21T02:00, duration: 1h, timezone: UTC}\n"
    "steps:\n  - {name: patch, run: \"true\", estimate: 40m, timeout: 1h}\n");
  g_autofree char *plan = g_build_filename (fixture->dir, "w.plan", NULL);
  const char *compile[] = { "compile", workflow, "-o", plan, "-F", "none", NULL };
  g_autofree char *err = NULL;

  g_assert_cmpint (run ("fleetc", AUTUMN_EPOCH, compile, NULL, &err), ==, 2);
  g_assert_nonnull (strstr (err, "note: no range of windows up to 366 days makes every host "
                                 "fit with parallelism 2, so a longer --window-days alone does "
                                 "not help; nor does more parallelism; with every host in one "
                                 "wave (waves: [100%]) and parallelism 2 the plan fits"));
}

/* Before its window, fleet-run starts no host: it pauses with exit status
 * 4 and prints how to resume. */
static void
test_run_pauses_before_window (Fixture *fixture, gconstpointer data)
{
  g_autoptr(GDateTime) tomorrow = g_date_time_add_days (g_date_time_new_now_utc (), 1);
  g_autofree char *day = g_date_time_format (tomorrow, "%Y-%m-%d");
  g_autofree char *body = g_strdup_printf (
    "windows:\n"
    "  - {name: tomorrow, start: %sT12:00, duration: 2h, timezone: UTC}\n"
    "steps:\n  - {name: patch, run: \"true\", estimate: 10m, timeout: 30m}\n", day);
  g_autofree char *workflow = write_workflow (fixture, body);
  g_autofree char *plan = g_build_filename (fixture->dir, "w.plan", NULL);
  g_autofree char *runs = g_build_filename (fixture->dir, "runs", NULL);
  g_autofree char *expected = g_strdup_printf ("Paused until the next maintenance window opens "
                                               "at %sT12:00:00Z", day);
  const char *compile[] = { "compile", workflow, "-o", plan, "-F", "none", NULL };
  const char *fleet_run[] = { plan, "--runs-dir", runs, NULL };
  g_autofree char *out = NULL;
  g_autofree char *err = NULL;

  g_assert_cmpint (run ("fleetc", NULL, compile, NULL, NULL), ==, 0);
  g_assert_cmpint (run ("fleet-run", NULL, fleet_run, &out, &err), ==, 4);
  g_assert_nonnull (strstr (out, expected));
  g_assert_nonnull (strstr (out, "fleet-run --resume "));
  g_assert_nonnull (strstr (out, "or run with --wait-for-window to wait in place"));
}

/* A plan whose windows have all passed is rejected with the time the last
 * one ended. */
static void
test_run_rejects_passed_windows (Fixture *fixture, gconstpointer data)
{
  g_autofree char *workflow = write_workflow (fixture,
    "windows:\n"
    "  - {name: once, start: 2025-10-21T02:00, duration: 3h, timezone: Europe/Berlin}\n"
    "steps:\n  - {name: patch, run: \"true\", estimate: 10m, timeout: 30m}\n");
  g_autofree char *plan = g_build_filename (fixture->dir, "w.plan", NULL);
  g_autofree char *runs = g_build_filename (fixture->dir, "runs", NULL);
  const char *compile[] = { "compile", workflow, "-o", plan, "-F", "none", "--expires", "never",
                            NULL };
  const char *fleet_run[] = { plan, "--runs-dir", runs, NULL };
  g_autofree char *err = NULL;

  g_assert_cmpint (run ("fleetc", AUTUMN_EPOCH, compile, NULL, NULL), ==, 0);
  g_assert_cmpint (run ("fleet-run", NULL, fleet_run, NULL, &err), ==, 2);
  g_assert_nonnull (strstr (err, "every maintenance window of the plan has passed: the last one "
                                 "ended at 2025-10-21T03:00:00Z"));
}

/* A window cut by the compile time is summed in whole minutes from one hour
 * up, rounded down, not to the second or millisecond. */
static void
test_show_open_time_rounded (Fixture *fixture, gconstpointer data)
{
  g_autofree char *workflow = write_workflow (fixture,
    "parallelism: 1\n"
    "windows:\n"
    "  - {name: weekly, start: 2025-10-20T00:00, duration: 3h, rrule: FREQ=WEEKLY,\n"
    "     timezone: UTC}\n"
    "steps:\n  - {name: patch, run: \"true\", estimate: 20m, timeout: 30m}\n");
  g_autofree char *plan = g_build_filename (fixture->dir, "w.plan", NULL);
  const char *compile[] = { "compile", workflow, "-o", plan, "-F", "none", "--window-days", "2",
                            NULL };
  const char *show[] = { "show", plan, NULL };
  g_autofree char *out = NULL;

  /* 33 seconds into the only window of the two days: 2h59m27s remain. */
  g_assert_cmpint (run ("fleetc", "1760918433", compile, NULL, NULL), ==, 0);
  g_assert_cmpint (run ("fleetc", NULL, show, &out, NULL), ==, 0);
  g_assert_nonnull (strstr (out, "  fra: 1 window, 2h59m open\n"));
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);

#define ADD(path, func) \
  g_test_add (path, Fixture, NULL, fleet_test_dir_set_up, func, fleet_test_dir_tear_down)
  ADD ("/cli-windows/show-schedule-local-times", test_show_schedule_local_times);
  ADD ("/cli-windows/show-open-time-rounded", test_show_open_time_rounded);
  ADD ("/cli-windows/compile-suggests-longer-range", test_compile_suggests_longer_range);
  ADD ("/cli-windows/compile-suggests-parallelism", test_compile_suggests_parallelism);
  ADD ("/cli-windows/compile-names-first-window", test_compile_names_first_window);
  ADD ("/cli-windows/compile-needs-other-windows", test_compile_needs_other_windows);
  ADD ("/cli-windows/run-pauses-before-window", test_run_pauses_before_window);
  ADD ("/cli-windows/run-rejects-passed-windows", test_run_rejects_passed_windows);
#undef ADD

  return g_test_run ();
}
