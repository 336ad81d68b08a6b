/* test-window-schedule.c: fitting waves into maintenance windows, step
 * estimates from run history, and the schedule in the plan file.
 *
 * Every instant is computed from given times; nothing reads the clock.
 */
#include <string.h>

#include <glib/gstdio.h>

#include "compiler/fleet-compiler.h"
#include "compiler/step-history.h"
#include "planner/fleet-planner.h"
#include "schema/fleet-clock.h"
#include "schema/fleet-timezone.h"
#include "tests/test-helpers.h"

#define MINUTE_US (G_GINT64_CONSTANT (60) * G_USEC_PER_SEC)

typedef struct {
  char *dir;
  FleetDiagnostics *diags;
} Fixture;

static void
fixture_set_up (Fixture *fixture, gconstpointer data)
{
  fixture->dir = fleet_test_make_dir ("fleet-schedule-XXXXXX");
  fixture->diags = fleet_diagnostics_new ();
}

static void
fixture_tear_down (Fixture *fixture, gconstpointer data)
{
  fleet_test_remove_tree (fixture->dir);
  g_free (fixture->dir);
  fleet_diagnostics_free (fixture->diags);
}

static char *
write_file (Fixture *fixture, const char *name, const char *text)
{
  return fleet_test_write_file_in (fixture->dir, name, text);
}

static gint64
instant_us (const char *text)
{
  g_autoptr (GError) error = NULL;
  gint64 seconds = 0;

  g_assert_true (fleet_parse_instant (text, &seconds, &error));
  g_assert_no_error (error);
  return seconds * G_USEC_PER_SEC;
}

static void
assert_instant (gint64 us, const char *expected)
{
  g_autofree char *text = fleet_format_utc_seconds (us / G_USEC_PER_SEC);

  g_assert_cmpstr (text, ==, expected);
}

/* Hosts b1 and b2 in New York, a1 and a2 in Frankfurt, listed with the
 * New York hosts first, so that ordering by window shows. */
static const char inventory_text[] =
  "hosts:\n"
  "  b1: {}\n"
  "  a1: {}\n"
  "  b2: {}\n"
  "  a2: {}\n"
  "groups:\n"
  "  dc1: [a1, a2]\n"
  "  dc2: [b1, b2]\n";

/* Daily 02:00-04:00 local windows: 01:00Z-03:00Z in Frankfurt (CET) and
 * 06:00Z-08:00Z in New York (EDT) on 2025-03-25. */
static const char daily_windows[] =
  "windows:\n"
  "  - {name: dc1-nightly, start: 2025-03-25T02:00, duration: 2h, rrule: FREQ=DAILY,\n"
  "     timezone: Europe/Berlin, applies_to: [dc1]}\n"
  "  - {name: dc2-nightly, start: 2025-03-25T02:00, duration: 2h, rrule: FREQ=DAILY,\n"
  "     timezone: America/New_York, applies_to: [dc2]}\n";

/* Compile and plan a workflow whose text after `target` is `body`, with
 * windows expanded over [from, to).  Returns the plan, or NULL after
 * errors in fixture->diags. */
static FleetPlan *
plan_with (Fixture *fixture, const char *body, const char *from, const char *to)
{
  g_autofree char *inventory = write_file (fixture, "inventory.yaml", inventory_text);
  g_autofree char *text = g_strdup_printf ("name: w\ninventory: inventory.yaml\n"
                                           "target: {all: true}\n%s", body);
  g_autofree char *path = write_file (fixture, "workflow.yaml", text);
  g_autofree char *history = g_build_filename (fixture->dir, "history", NULL);
  const char *history_paths[] = { history, NULL };
  FleetCompileOptions options = {
    .windows_from_us = instant_us (from),
    .windows_to_us = instant_us (to),
    .history = g_file_test (history, G_FILE_TEST_IS_DIR) ? history_paths : NULL,
  };
  g_autoptr (FleetWorkflow) workflow = fleet_compile_workflow (path, &options, fixture->diags);

  if (workflow == NULL)
    return NULL;
  return fleet_planner_build (workflow, fixture->diags);
}

static char *
wave_hosts (const FleetPlan *plan, guint wave_index)
{
  const FleetWave *wave = g_ptr_array_index (plan->waves, wave_index);
  GString *out = g_string_new (NULL);

  for (guint i = 0; i < wave->host_indices->len; i++)
    {
      const FleetHost *host = g_ptr_array_index (plan->hosts,
                                                 g_array_index (wave->host_indices, guint32, i));

      g_string_append_printf (out, "%s%s", i > 0 ? " " : "", host->name);
    }
  return g_string_free (out, FALSE);
}

static gint64
host_start (const FleetPlan *plan, const char *name)
{
  for (guint i = 0; i < plan->hosts->len; i++)
    if (g_str_equal (((FleetHost *) g_ptr_array_index (plan->hosts, i))->name, name))
      return g_array_index (plan->schedule->host_starts_us, gint64, i);
  g_assert_not_reached ();
}

static const char *
first_error (Fixture *fixture)
{
  for (guint i = 0; i < fleet_diagnostics_length (fixture->diags); i++)
    {
      const FleetDiagnostic *diagnostic = fleet_diagnostics_get (fixture->diags, i);

      if (diagnostic->severity == FLEET_SEVERITY_ERROR)
        return diagnostic->message;
    }
  return "";
}

/* One slot: the Frankfurt hosts go first because their window opens
 * first, one after the other, then the New York hosts. */
static void
test_schedule_orders_hosts_by_window (Fixture *fixture, gconstpointer data)
{
  g_autofree char *body = g_strdup_printf ("parallelism: 1\nschedule: {margin: 10m}\n%s"
                                           "steps:\n  - {name: patch, run: \"true\", estimate: 30m}\n",
                                           daily_windows);
  g_autoptr (FleetPlan) plan = plan_with (fixture, body, "2025-03-24", "2025-04-07");
  g_autofree char *hosts = NULL;
  const FleetWaveSchedule *wave;

  g_assert_cmpuint (fleet_diagnostics_error_count (fixture->diags), ==, 0);
  g_assert_nonnull (plan->schedule);
  hosts = wave_hosts (plan, 0);
  g_assert_cmpstr (hosts, ==, "a1 a2 b1 b2");

  assert_instant (host_start (plan, "a1"), "2025-03-25T01:00:00Z");
  assert_instant (host_start (plan, "a2"), "2025-03-25T01:30:00Z");
  assert_instant (host_start (plan, "b1"), "2025-03-25T06:00:00Z");
  assert_instant (host_start (plan, "b2"), "2025-03-25T06:30:00Z");

  wave = &g_array_index (plan->schedule->waves, FleetWaveSchedule, 0);
  assert_instant (wave->start_us, "2025-03-25T01:00:00Z");
  /* a2 and b2 have 50 minutes to spare: 30m of work and 10m of margin in
   * what is left of a 2h window. */
  assert_instant (wave->latest_start_us, "2025-03-25T01:50:00Z");
  assert_instant (wave->end_us, "2025-03-25T07:00:00Z");
  assert_instant (plan->schedule->finish_us, "2025-03-25T07:00:00Z");
  /* The two New York hosts share the one slot from 06:00Z, so no schedule
   * ends before 07:00Z: this one is optimal. */
  assert_instant (plan->schedule->lower_bound_us, "2025-03-25T07:00:00Z");
  g_assert_cmpstr (plan->schedule->step_estimate_sources->pdata[0], ==, "estimate");
}

/* One slot, and the Frankfurt window closes after an hour for a week while
 * New York's stays open four hours: the Frankfurt hosts go first although
 * a New York host comes first in the wave, or they would wait a week. */
static void
test_schedule_serves_closing_window_first (Fixture *fixture, gconstpointer data)
{
  const char *body =
    "parallelism: 1\nschedule: {margin: 0s}\n"
    "windows:\n"
    "  - {name: dc1-weekly, start: 2025-03-25T01:00, duration: 1h, rrule: FREQ=WEEKLY,\n"
    "     timezone: UTC, applies_to: [dc1]}\n"
    "  - {name: dc2-daily, start: 2025-03-25T01:00, duration: 4h, rrule: FREQ=DAILY,\n"
    "     timezone: UTC, applies_to: [dc2]}\n"
    "steps:\n  - {name: patch, run: \"true\", estimate: 30m}\n";
  g_autoptr (FleetPlan) plan = plan_with (fixture, body, "2025-03-24", "2025-04-07");
  g_autofree char *hosts = NULL;

  g_assert_cmpuint (fleet_diagnostics_error_count (fixture->diags), ==, 0);
  g_assert_nonnull (plan->schedule);
  hosts = wave_hosts (plan, 0);
  g_assert_cmpstr (hosts, ==, "a1 a2 b1 b2");
  assert_instant (host_start (plan, "a1"), "2025-03-25T01:00:00Z");
  assert_instant (host_start (plan, "a2"), "2025-03-25T01:30:00Z");
  assert_instant (host_start (plan, "b1"), "2025-03-25T02:00:00Z");
  assert_instant (host_start (plan, "b2"), "2025-03-25T02:30:00Z");
  assert_instant (plan->schedule->finish_us, "2025-03-25T03:00:00Z");
  /* Two hours of work in one slot from 01:00Z. */
  assert_instant (plan->schedule->lower_bound_us, "2025-03-25T03:00:00Z");
}

/* Both data centers have the same hour each night and one slot: four
 * half-hour hosts need two nights, and the bound includes that, because the two
 * window sets together hold only two hosts a night. */
static void
test_schedule_bound_combines_window_sets (Fixture *fixture, gconstpointer data)
{
  const char *body =
    "parallelism: 1\nschedule: {margin: 0s}\n"
    "windows:\n"
    "  - {name: nightly, start: 2025-03-25T01:00, duration: 1h, rrule: FREQ=DAILY,\n"
    "     timezone: UTC, applies_to: [dc1, dc2]}\n"
    "steps:\n  - {name: patch, run: \"true\", estimate: 30m}\n";
  g_autoptr (FleetPlan) plan = plan_with (fixture, body, "2025-03-24", "2025-04-07");

  g_assert_cmpuint (fleet_diagnostics_error_count (fixture->diags), ==, 0);
  g_assert_nonnull (plan->schedule);
  assert_instant (plan->schedule->finish_us, "2025-03-26T02:00:00Z");
  assert_instant (plan->schedule->lower_bound_us, "2025-03-26T02:00:00Z");
}

/* Two waves: the second starts only when the first has ended, here in the
 * next night's window. */
static void
test_schedule_keeps_wave_order (Fixture *fixture, gconstpointer data)
{
  g_autofree char *body = g_strdup_printf ("parallelism: 4\nwaves: [2, 100%%]\n"
                                           "schedule: {margin: 10m}\n%s"
                                           "steps:\n  - {name: patch, run: \"true\", estimate: 90m}\n",
                                           daily_windows);
  g_autoptr (FleetPlan) plan = plan_with (fixture, body, "2025-03-24", "2025-04-07");
  const FleetWaveSchedule *first, *second;

  g_assert_cmpuint (fleet_diagnostics_error_count (fixture->diags), ==, 0);
  first = &g_array_index (plan->schedule->waves, FleetWaveSchedule, 0);
  second = &g_array_index (plan->schedule->waves, FleetWaveSchedule, 1);

  /* Wave 1 contains b1 and a1: a1 runs 01:00Z-02:30Z, b1 06:00Z-07:30Z. */
  assert_instant (first->start_us, "2025-03-25T01:00:00Z");
  assert_instant (first->end_us, "2025-03-25T07:30:00Z");
  /* Wave 2 (a2, b2) waits for the next night in Frankfurt. */
  assert_instant (host_start (plan, "a2"), "2025-03-26T01:00:00Z");
  assert_instant (host_start (plan, "b2"), "2025-03-26T06:00:00Z");
  assert_instant (second->start_us, "2025-03-26T01:00:00Z");
  g_assert_cmpint (second->start_us, >=, first->end_us);
  g_assert_cmpint (plan->schedule->lower_bound_us, <=, plan->schedule->finish_us);
}

/* A freeze wins over the window it covers: the first night is frozen in
 * Frankfurt. */
static void
test_schedule_skips_frozen_window (Fixture *fixture, gconstpointer data)
{
  g_autofree char *body = g_strdup_printf (
    "parallelism: 4\n%s"
    "freezes:\n"
    "  - {name: audit, start: 2025-03-25T00:00, duration: 1d, timezone: Europe/Berlin,\n"
    "     applies_to: [dc1]}\n"
    "steps:\n  - {name: patch, run: \"true\", estimate: 30m}\n", daily_windows);
  g_autoptr (FleetPlan) plan = plan_with (fixture, body, "2025-03-24", "2025-04-07");

  g_autoptr (GBytes) bytes = NULL;
  g_autoptr (FleetPlan) read = NULL;
  g_autoptr (GError) error = NULL;
  const FleetPlanSchedule *schedule;
  guint32 dc1_set, dc2_set;
  const GArray *dc1_freezes;

  g_assert_cmpuint (fleet_diagnostics_error_count (fixture->diags), ==, 0);
  assert_instant (host_start (plan, "a1"), "2025-03-26T01:00:00Z");
  assert_instant (host_start (plan, "b1"), "2025-03-25T06:00:00Z");

  /* The plan names the freeze per window set, for fleet-run's messages,
   * and keeps it through the plan file. */
  bytes = fleet_plan_serialize (plan);
  read = fleet_plan_deserialize (bytes, &error);
  g_assert_no_error (error);
  schedule = read->schedule;
  g_assert_cmpuint (schedule->window_set_freezes->len, ==, schedule->window_sets->len);
  dc1_set = g_array_index (schedule->host_window_set, guint32, 1);
  dc2_set = g_array_index (schedule->host_window_set, guint32, 0);
  dc1_freezes = g_ptr_array_index (schedule->window_set_freezes, dc1_set);
  g_assert_cmpuint (dc1_freezes->len, ==, 1);
  g_assert_cmpstr (g_array_index (dc1_freezes, FleetPlanFreeze, 0).name, ==, "audit");
  assert_instant (g_array_index (dc1_freezes, FleetPlanFreeze, 0).start_us,
                  "2025-03-24T23:00:00Z");
  g_assert_cmpuint (((GArray *) g_ptr_array_index (schedule->window_set_freezes, dc2_set))->len,
                    ==, 0);
  g_assert_nonnull (fleet_plan_freezes_at (dc1_freezes, instant_us ("2025-03-25T01:00:00Z")));
  g_assert_null (fleet_plan_freezes_at (dc1_freezes, instant_us ("2025-03-25T23:00:00Z")));
}

/* On the spring-forward night in Berlin a 2h window from 01:30 CET ends
 * at 04:30 CEST, two real hours later: 100 minutes of work and 10 of
 * margin fit.  On the autumn night 02:30 means its first occurrence
 * (CEST), and a window exactly as long as work plus margin fits. */
static void
test_schedule_dst_days (Fixture *fixture, gconstpointer data)
{
  g_autoptr (FleetPlan) spring = NULL;
  g_autoptr (FleetPlan) autumn = NULL;

  spring = plan_with (fixture,
    "parallelism: 1\nschedule: {margin: 10m}\nwaves: [100%]\n"
    "windows:\n"
    "  - {name: spring, start: 2025-03-30T01:30, duration: 2h, timezone: Europe/Berlin}\n"
    "steps:\n  - {name: patch, run: \"true\", estimate: 25m}\n",
    "2025-03-29", "2025-04-05");
  g_assert_cmpuint (fleet_diagnostics_error_count (fixture->diags), ==, 0);
  /* Four hosts of 25 minutes in one slot: 100 minutes of work, the last
   * host starting at 01:45Z with 45 minutes left of the window. */
  assert_instant (host_start (spring, "b1"), "2025-03-30T00:30:00Z");
  assert_instant (host_start (spring, "a2"), "2025-03-30T01:45:00Z");
  assert_instant (spring->schedule->finish_us, "2025-03-30T02:10:00Z");

  autumn = plan_with (fixture,
    "parallelism: 4\nschedule: {margin: 10m}\n"
    "windows:\n"
    "  - {name: autumn, start: 2025-10-26T02:30, duration: 1h, timezone: Europe/Berlin}\n"
    "steps:\n  - {name: patch, run: \"true\", estimate: 50m}\n",
    "2025-10-20", "2025-11-01");
  g_assert_cmpuint (fleet_diagnostics_error_count (fixture->diags), ==, 0);
  assert_instant (host_start (autumn, "b1"), "2025-10-26T00:30:00Z");
  assert_instant (autumn->schedule->finish_us, "2025-10-26T01:20:00Z");
  g_assert_cmpstr (autumn->schedule->window_set_zones->pdata[0], ==, "Europe/Berlin");
}

/* A margin that makes the work longer than every window is an error that
 * states how long the windows must be and how far the margin must go down. */
static void
test_schedule_margin_too_large (Fixture *fixture, gconstpointer data)
{
  const char *body =
    "schedule: {margin: 15m}\n"
    "windows:\n"
    "  - {name: short, start: 2025-03-25T02:00, duration: 1h, rrule: FREQ=DAILY,\n"
    "     timezone: Europe/Berlin}\n"
    "steps:\n  - {name: patch, run: \"true\", estimate: 50m}\n";
  g_autoptr (FleetPlan) plan = plan_with (fixture, body, "2025-03-24", "2025-04-07");
  const char *message = first_error (fixture);

  g_assert_null (plan);
  g_assert_cmpuint (fleet_diagnostics_error_count (fixture->diags), ==, 4);
  g_assert_nonnull (strstr (message, "host b1 (dc2) of wave 1 does not fit any window"));
  g_assert_nonnull (strstr (message, "needs 1h5m (steps 50m + margin 15m)"));
  g_assert_nonnull (strstr (message, "lasts 1h"));
  g_assert_nonnull (strstr (message, "lower schedule.margin to at most 10m"));
}

static void
test_schedule_margin_fits (Fixture *fixture, gconstpointer data)
{
  const char *body =
    "schedule: {margin: 10m}\n"
    "windows:\n"
    "  - {name: short, start: 2025-03-25T02:00, duration: 1h, rrule: FREQ=DAILY,\n"
    "     timezone: Europe/Berlin}\n"
    "steps:\n  - {name: patch, run: \"true\", estimate: 50m}\n";
  g_autoptr (FleetPlan) plan = plan_with (fixture, body, "2025-03-24", "2025-04-07");

  g_assert_cmpuint (fleet_diagnostics_error_count (fixture->diags), ==, 0);
  assert_instant (host_start (plan, "a1"), "2025-03-25T01:00:00Z");
  /* Nothing to spare: the latest start is the planned one. */
  assert_instant (g_array_index (plan->schedule->waves, FleetWaveSchedule, 0).latest_start_us,
                  "2025-03-25T01:00:00Z");
}

/* One window and one slot: the second Frankfurt host finds no window
 * left in the planned range, and the error names it, the wave and the
 * cause. */
static void
test_schedule_range_ends (Fixture *fixture, gconstpointer data)
{
  const char *body =
    "parallelism: 1\n"
    "schedule: {margin: 5m}\n"
    "windows:\n"
    "  - {name: once, start: 2025-03-25T02:00, duration: 3h, timezone: Europe/Berlin,\n"
    "     applies_to: [dc1]}\n"
    "target: {groups: [dc1]}\n"
    "steps:\n  - {name: patch, run: \"true\", estimate: 2h}\n";
  g_autoptr (FleetPlan) plan = NULL;
  g_autofree char *inventory = write_file (fixture, "inventory.yaml", inventory_text);
  g_autofree char *text = g_strdup_printf ("name: w\ninventory: inventory.yaml\n%s", body);
  g_autofree char *path = write_file (fixture, "workflow.yaml", text);
  FleetCompileOptions options = {
    .windows_from_us = instant_us ("2025-03-24"),
    .windows_to_us = instant_us ("2025-04-07"),
  };
  g_autoptr (FleetWorkflow) workflow = fleet_compile_workflow (path, &options, fixture->diags);
  const char *message;

  g_assert_nonnull (workflow);
  plan = fleet_planner_build (workflow, fixture->diags);
  g_assert_null (plan);
  g_assert_cmpuint (fleet_diagnostics_error_count (fixture->diags), ==, 1);
  message = first_error (fixture);
  g_assert_nonnull (strstr (message, "host a2 (dc1) of wave 1 does not fit before the planned "
                                     "range ends at 2025-04-07T00:00:00Z"));
  g_assert_nonnull (strstr (message, "with 2h5m left (steps 2h + margin 5m)"));

  /* Two slots fit both hosts into the one window. */
  workflow->parallelism = 2;
  g_clear_pointer (&fixture->diags, fleet_diagnostics_free);
  fixture->diags = fleet_diagnostics_new ();
  plan = fleet_planner_build (workflow, fixture->diags);
  g_assert_nonnull (plan);
  assert_instant (host_start (plan, "a2"), "2025-03-25T01:00:00Z");
}

static void
test_schedule_no_window (Fixture *fixture, gconstpointer data)
{
  const char *body =
    "windows:\n"
    "  - {name: dc1-only, start: 2025-03-25T02:00, duration: 3h, timezone: Europe/Berlin,\n"
    "     applies_to: [dc1]}\n"
    "steps:\n  - {name: patch, run: \"true\", estimate: 10m}\n";
  g_autoptr (FleetPlan) plan = plan_with (fixture, body, "2025-03-24", "2025-04-07");

  g_assert_null (plan);
  g_assert_nonnull (strstr (first_error (fixture), "host b1 (dc2) of wave 1 has no maintenance "
                                                   "window between 2025-03-24T00:00:00Z and "
                                                   "2025-04-07T00:00:00Z"));
  /* No freeze is defined, so none is blamed. */
  g_assert_null (strstr (first_error (fixture), "freeze"));
  g_assert_nonnull (strstr (first_error (fixture), "add a window that applies to one of its "
                                                   "groups, or, when its windows come later, "
                                                   "compile with a longer --window-days"));
}

/* A freeze over every window of a host's groups is named in the error. */
static void
test_schedule_frozen_out (Fixture *fixture, gconstpointer data)
{
  const char *body =
    "windows:\n"
    "  - {name: once, start: 2025-03-25T02:00, duration: 3h, timezone: UTC}\n"
    "freezes:\n"
    "  - {name: audit, start: 2025-03-25T00:00, duration: 1d, timezone: UTC, applies_to: [dc2]}\n"
    "  - {name: unrelated, start: 2025-03-30T00:00, duration: 1d, timezone: UTC}\n"
    "steps:\n  - {name: patch, run: \"true\", estimate: 10m}\n";
  g_autoptr (FleetPlan) plan = plan_with (fixture, body, "2025-03-24", "2025-04-07");
  const char *message = first_error (fixture);

  g_assert_null (plan);
  g_assert_nonnull (strstr (message, "host b1 (dc2) of wave 1 has no maintenance window between "
                                     "2025-03-24T00:00:00Z and 2025-04-07T00:00:00Z: the freezes "
                                     "that apply to it (\"audit\") cover every window of its "
                                     "groups; shorten a freeze, or add a window outside them"));
  g_assert_null (strstr (message, "unrelated"));
  /* The Frankfurt hosts keep their window. */
  g_assert_cmpuint (fleet_diagnostics_error_count (fixture->diags), ==, 2);
}

static void
test_schedule_needs_estimate (Fixture *fixture, gconstpointer data)
{
  g_autofree char *body = g_strdup_printf ("%ssteps:\n  - {name: patch, run: \"true\"}\n",
                                           daily_windows);
  g_autoptr (FleetPlan) plan = plan_with (fixture, body, "2025-03-24", "2025-04-07");
  const FleetDiagnostic *diagnostic = NULL;

  g_assert_null (plan);
  for (guint i = 0; i < fleet_diagnostics_length (fixture->diags); i++)
    if (fleet_diagnostics_get (fixture->diags, i)->severity == FLEET_SEVERITY_ERROR)
      diagnostic = fleet_diagnostics_get (fixture->diags, i);
  g_assert_nonnull (diagnostic);
  g_assert_nonnull (strstr (diagnostic->message, "step \"patch\" has no estimated duration"));
  g_assert_cmpuint (diagnostic->pos.line, ==, 10);
}

/* Without `estimate`, a step takes the 95th percentile of its successful
 * runs in the history; failed runs do not count. */
static void
test_schedule_history_estimate (Fixture *fixture, gconstpointer data)
{
  GString *journal = g_string_new ("{\"time\":\"2025-03-01T00:00:00.000Z\",\"event\":\"run-start\"}\n");
  g_autofree char *journal_path = NULL;
  g_autofree char *body = g_strdup_printf ("%ssteps:\n  - {name: patch, run: \"true\", "
                                           "timeout: 1h}\n", daily_windows);
  g_autoptr (FleetPlan) plan = NULL;

  for (guint i = 1; i <= 20; i++)
    g_string_append_printf (journal, "{\"time\":\"2025-03-01T00:00:00.000Z\",\"event\":\"step-end\","
                                     "\"host\":\"h%u\",\"step\":1,\"name\":\"patch\",\"status\":\"ok\","
                                     "\"duration_ms\":%u}\n", i, i * 60000);
  g_string_append (journal, "{\"time\":\"2025-03-01T00:00:00.000Z\",\"event\":\"step-end\","
                            "\"name\":\"patch\",\"status\":\"failed\",\"duration_ms\":99999999}\n");
  g_string_append (journal, "not json at all\n");
  journal_path = write_file (fixture, "history/run-1/journal.jsonl", journal->str);
  g_string_free (journal, TRUE);

  plan = plan_with (fixture, body, "2025-03-24", "2025-04-07");
  g_assert_cmpuint (fleet_diagnostics_error_count (fixture->diags), ==, 0);
  /* The dropped spring-forward instance, and the line that is not JSON. */
  g_assert_cmpuint (fleet_diagnostics_warning_count (fixture->diags), ==, 2);
  g_assert_cmpstr (fleet_diagnostics_get (fixture->diags, 1)->message, ==,
                   "skipped a line that is not a journal record");
  g_assert_cmpuint (fleet_diagnostics_get (fixture->diags, 1)->pos.line, ==, 23);
  /* Nearest rank: the 19th of 20 sorted runs, 19 minutes. */
  g_assert_cmpuint (g_array_index (plan->schedule->step_estimates_ms, guint64, 0), ==, 19 * 60000);
  g_assert_cmpstr (plan->schedule->step_estimate_sources->pdata[0], ==,
                   "history: p95 of 20 runs (median 10m, p95 19m)");
}

static void
test_history_summarize (void)
{
  g_autoptr (GArray) one = g_array_new (FALSE, FALSE, sizeof (guint64));
  g_autoptr (GArray) unsorted = g_array_new (FALSE, FALSE, sizeof (guint64));
  const guint64 values[] = { 500, 100, 400, 200, 300 };
  FleetStepHistory summary;

  g_array_append_val (one, (guint64) { 42 });
  summary = fleet_step_history_summarize (one);
  g_assert_cmpuint (summary.runs, ==, 1);
  g_assert_cmpuint (summary.median_ms, ==, 42);
  g_assert_cmpuint (summary.p95_ms, ==, 42);

  g_array_append_vals (unsorted, values, G_N_ELEMENTS (values));
  summary = fleet_step_history_summarize (unsorted);
  g_assert_cmpuint (summary.median_ms, ==, 300);
  g_assert_cmpuint (summary.p95_ms, ==, 500);
}

/* The schedule survives the plan file unchanged, and a plan whose windows
 * have passed is expired with the time the last one ended. */
static void
test_schedule_plan_file (Fixture *fixture, gconstpointer data)
{
  g_autofree char *body = g_strdup_printf ("schedule: {margin: 10m, at_window_end: abort}\n%s"
                                           "steps:\n  - {name: patch, run: \"true\", estimate: 30m}\n",
                                           daily_windows);
  g_autoptr (FleetPlan) plan = plan_with (fixture, body, "2025-03-24", "2025-03-27");
  g_autoptr (GBytes) bytes = NULL;
  g_autoptr (FleetPlan) read = NULL;
  g_autoptr (GError) error = NULL;
  const FleetPlanSchedule *schedule;

  g_assert_nonnull (plan);
  bytes = fleet_plan_serialize (plan);
  read = fleet_plan_deserialize (bytes, &error);
  g_assert_no_error (error);
  schedule = read->schedule;
  g_assert_nonnull (schedule);
  g_assert_cmpint (schedule->at_window_end, ==, FLEET_AT_WINDOW_END_ABORT);
  g_assert_cmpuint (schedule->margin_ms, ==, 10 * 60000);
  g_assert_cmpint (schedule->finish_us, ==, plan->schedule->finish_us);
  g_assert_cmpint (schedule->lower_bound_us, ==, plan->schedule->lower_bound_us);
  g_assert_cmpuint (schedule->window_sets->len, ==, 2);
  g_assert_cmpuint (((GArray *) schedule->window_sets->pdata[0])->len, ==, 2);
  for (guint i = 0; i < read->hosts->len; i++)
    g_assert_cmpint (g_array_index (schedule->host_starts_us, gint64, i), ==,
                     g_array_index (plan->schedule->host_starts_us, gint64, i));

  g_assert_true (fleet_plan_schedule_check_expiry (schedule, instant_us ("2025-03-26T07:59:59Z"),
                                                   &error));
  g_assert_false (fleet_plan_schedule_check_expiry (schedule, instant_us ("2025-03-26T08:00:00Z"),
                                                    &error));
  g_assert_error (error, FLEET_PLAN_SCHEDULE_ERROR, FLEET_PLAN_SCHEDULE_ERROR_EXPIRED);
  g_assert_nonnull (strstr (error->message, "the last one ended at 2025-03-26T08:00:00Z"));
}

/* Eight hosts, each in one data center and in db or web, so that every
 * host has the windows of two groups. */
static const char two_group_inventory[] =
  "hosts:\n"
  "  h1: {address: 192.0.2.1}\n"
  "  h2: {address: 192.0.2.2}\n"
  "  h3: {address: 192.0.2.3}\n"
  "  h4: {address: 192.0.2.4}\n"
  "  h5: {address: 192.0.2.5}\n"
  "  h6: {address: 192.0.2.6}\n"
  "  h7: {address: 192.0.2.7}\n"
  "  h8: {address: 192.0.2.8}\n"
  "groups:\n"
  "  dc1: [h1, h3, h5, h7]\n"
  "  dc2: [h2, h4, h6, h8]\n"
  "  db: [h1, h2, h3, h4]\n"
  "  web: [h5, h6, h7, h8]\n";

/* Compile and plan the workflow at `path` with windows expanded over
 * `days` days from `from`.  Returns NULL after errors, which are dropped. */
static FleetPlan *
plan_days (const char *path, const char *from, guint days)
{
  g_autoptr (FleetDiagnostics) diags = fleet_diagnostics_new ();
  FleetCompileOptions options = { .windows_from_us = instant_us (from), .windows_days = days };
  g_autoptr (FleetWorkflow) workflow = fleet_compile_workflow_file (path, &options, diags);

  if (workflow == NULL)
    return NULL;
  return fleet_planner_build (workflow, diags);
}

/* A one-hour weekly window in dc1, a one-hour daily window in dc2 that
 * ends after `dc2_days` days, and a weekly hour for db and web. */
static char *
range_body (guint parallelism, const char *waves, guint dc2_days, const char *estimate)
{
  return g_strdup_printf (
    "name: w\ninventory: fleet.yaml\ntarget: {all: true}\n"
    "parallelism: %u\nwaves: %s\n"
    "windows:\n"
    "  - {name: dc1, start: 2027-03-25T01:00, duration: 1h, rrule: FREQ=WEEKLY, timezone: UTC,\n"
    "     applies_to: [dc1]}\n"
    "  - {name: dc2, start: 2027-03-25T00:00, duration: 1h, rrule: \"FREQ=DAILY;COUNT=%u\",\n"
    "     timezone: UTC, applies_to: [dc2]}\n"
    "  - {name: dbweb, start: 2027-03-25T03:00, duration: 1h, rrule: FREQ=WEEKLY,\n"
    "     timezone: UTC, applies_to: [db, web]}\n"
    "steps:\n  - {name: patch, run: \"true\", estimate: %s}\n",
    parallelism, waves, dc2_days, estimate);
}

/* A range that contains the schedule a longer range found plans too,
 * because the placement must not depend on windows after the schedule's
 * end.  With waves [2, 6], 20m and dc2 open for 3 days, the schedule
 * ends on day 4 and needs the 4-day range to plan. */
static void
test_schedule_shorter_range_fits (Fixture *fixture, gconstpointer data)
{
  const char *waves[] = { "[2, 6]", "[1, 3, 100%]", "[100%]" };
  const char *estimates[] = { "20m", "25m", "15m" };
  g_autofree char *inventory = write_file (fixture, "fleet.yaml", two_group_inventory);
  guint cases = 0;

  for (guint w = 0; w < G_N_ELEMENTS (waves); w++)
    for (guint e = 0; e < G_N_ELEMENTS (estimates); e++)
      for (guint parallelism = 1; parallelism <= 2; parallelism++)
        for (guint dc2_days = 2; dc2_days <= 4; dc2_days++)
          {
            g_autofree char *body = range_body (parallelism, waves[w], dc2_days, estimates[e]);
            g_autofree char *path = write_file (fixture, "range.yaml", body);
            g_autoptr (FleetPlan) longer = plan_days (path, "2027-03-24", 30);
            gint64 margin_us, needed_us;
            guint tried = 0;

            if (longer == NULL)
              continue;
            cases++;
            margin_us = (gint64) longer->schedule->margin_ms * 1000;
            needed_us = longer->schedule->finish_us + margin_us - instant_us ("2027-03-24");

            /* The shortest ranges that contain the schedule are where a
             * placement that looks past the schedule's end would fail. */
            for (guint days = 1; days < 30 && tried < 3; days++)
              {
                g_autoptr (FleetPlan) shorter = NULL;

                if ((gint64) days * G_TIME_SPAN_DAY < needed_us)
                  continue;
                tried++;
                shorter = plan_days (path, "2027-03-24", days);
                if (shorter == NULL)
                  g_test_message ("waves %s, estimate %s, parallelism %u, dc2 for %u days: "
                                  "%u days fail", waves[w], estimates[e], parallelism, dc2_days,
                                  days);
                g_assert_nonnull (shorter);
                g_assert_cmpint (shorter->schedule->finish_us, <=, longer->schedule->finish_us);
              }
          }
  /* Most combinations fit within 30 days; the check above ran for them. */
  g_assert_cmpuint (cases, >=, 30);
}

/* A plan without windows carries no schedule. */
static void
test_schedule_absent_without_windows (Fixture *fixture, gconstpointer data)
{
  g_autoptr (FleetPlan) plan = plan_with (fixture,
                                          "steps:\n  - {name: patch, run: \"true\", timeout: 1m}\n",
                                          "2025-03-24", "2025-04-07");

  g_assert_nonnull (plan);
  g_assert_null (plan->schedule);
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);

#define ADD(path, func) \
  g_test_add (path, Fixture, NULL, fixture_set_up, func, fixture_tear_down)
  ADD ("/window-schedule/serves-closing-window-first", test_schedule_serves_closing_window_first);
  ADD ("/window-schedule/bound-combines-window-sets", test_schedule_bound_combines_window_sets);
  ADD ("/window-schedule/orders-hosts-by-window", test_schedule_orders_hosts_by_window);
  ADD ("/window-schedule/keeps-wave-order", test_schedule_keeps_wave_order);
  ADD ("/window-schedule/skips-frozen-window", test_schedule_skips_frozen_window);
  ADD ("/window-schedule/dst-days", test_schedule_dst_days);
  ADD ("/window-schedule/margin-too-large", test_schedule_margin_too_large);
  ADD ("/window-schedule/margin-fits", test_schedule_margin_fits);
  ADD ("/window-schedule/range-ends", test_schedule_range_ends);
  ADD ("/window-schedule/shorter-range-fits", test_schedule_shorter_range_fits);
  ADD ("/window-schedule/no-window", test_schedule_no_window);
  ADD ("/window-schedule/frozen-out", test_schedule_frozen_out);
  ADD ("/window-schedule/needs-estimate", test_schedule_needs_estimate);
  ADD ("/window-schedule/history-estimate", test_schedule_history_estimate);
  ADD ("/window-schedule/plan-file", test_schedule_plan_file);
  ADD ("/window-schedule/absent-without-windows", test_schedule_absent_without_windows);
#undef ADD
  g_test_add_func ("/window-schedule/history-summarize", test_history_summarize);

  return g_test_run ();
}
