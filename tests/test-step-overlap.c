/* test-step-overlap.c: steps of one host that may run at the same time
 * (`concurrent_steps`): the compiler's checks, the pairs the planner lets
 * overlap, the plan key and its golden `fleetc show` form, `fleetc diff`,
 * and the schedule fleet-run starts steps from. */
#include <glib.h>
#include <glib/gstdio.h>
#include <string.h>

#include "cli/fleet-plan-show.h"
#include "cli/plan-diff.h"
#include "compiler/fleet-compiler.h"
#include "planner/fleet-planner.h"
#include "runtime/fleet-step-schedule.h"
#include "schema/fleet-plan.h"
#include "schema/fleet-step-overlap.h"

typedef struct {
  char *dir;
  FleetDiagnostics *diags;
} Fixture;

static const char inventory_text[] =
  "hosts:\n"
  "  web1: {address: 127.0.0.1, port: 2201, attributes: {role: web}}\n"
  "  web2: {address: 127.0.0.1, port: 2202, attributes: {role: web}}\n";

#define HEAD \
  "name: overlap\n" \
  "inventory: inventory.yaml\n" \
  "target: {all: true}\n"

static void
fixture_set_up (Fixture *fixture, gconstpointer data)
{
  g_autoptr (GError) error = NULL;

  fixture->dir = g_dir_make_tmp ("test-step-overlap-XXXXXX", &error);
  g_assert_no_error (error);
  fixture->diags = fleet_diagnostics_new ();
}

static void
fixture_tear_down (Fixture *fixture, gconstpointer data)
{
  g_autoptr (GDir) dir = g_dir_open (fixture->dir, 0, NULL);
  const char *name;

  while (dir != NULL && (name = g_dir_read_name (dir)) != NULL)
    {
      g_autofree char *path = g_build_filename (fixture->dir, name, NULL);

      g_assert_cmpint (g_unlink (path), ==, 0);
    }
  g_assert_cmpint (g_rmdir (fixture->dir), ==, 0);
  g_free (fixture->dir);
  fleet_diagnostics_free (fixture->diags);
}

/* Return the path of `relative` under tests/data of the source tree. */
static char *
data_path (const char *relative)
{
  return g_build_filename (g_getenv ("FLEET_SOURCE_ROOT"), "tests", "data", relative, NULL);
}

static char *
write_file (Fixture *fixture, const char *name, const char *contents)
{
  g_autoptr (GError) error = NULL;
  char *path = g_build_filename (fixture->dir, name, NULL);

  g_file_set_contents (path, contents, -1, &error);
  g_assert_no_error (error);
  return path;
}

/* Compile and plan `path`; NULL when a diagnostic is an error. */
static FleetPlan *
plan_file (Fixture *fixture, const char *path)
{
  g_autoptr (FleetWorkflow) workflow = fleet_compile_workflow_file (path, NULL, fixture->diags);
  g_autofree char *shown = NULL;
  FleetPlan *plan = NULL;

  if (workflow != NULL)
    plan = fleet_planner_build (workflow, fixture->diags);
  shown = fleet_diagnostics_format (fixture->diags);
  g_test_message ("diagnostics:\n%s", shown);
  return plan;
}

/* Compile `workflow_text` next to the inventory above and plan it. */
static FleetPlan *
compile_and_plan (Fixture *fixture, const char *workflow_text)
{
  g_autofree char *inventory = write_file (fixture, "inventory.yaml", inventory_text);
  g_autofree char *path = write_file (fixture, "workflow.yaml", workflow_text);

  return plan_file (fixture, path);
}

static void
assert_error (Fixture *fixture, guint line, guint column, const char *message)
{
  g_autofree char *path = g_build_filename (fixture->dir, "workflow.yaml", NULL);
  const FleetDiagnostic *diagnostic;

  g_assert_cmpuint (fleet_diagnostics_error_count (fixture->diags), ==, 1);
  for (guint i = 0; i < fleet_diagnostics_length (fixture->diags); i++)
    {
      diagnostic = fleet_diagnostics_get (fixture->diags, i);
      if (diagnostic->severity != FLEET_SEVERITY_ERROR)
        continue;
      g_assert_cmpstr (diagnostic->pos.file, ==, path);
      g_assert_cmpuint (diagnostic->pos.line, ==, line);
      g_assert_cmpuint (diagnostic->pos.column, ==, column);
      g_assert_cmpstr (diagnostic->message, ==, message);
      return;
    }
}

/* Return the text "1-2 1-3 ..." of the step numbers that may overlap. */
static char *
pairs_text (const FleetPlan *plan)
{
  g_autoptr (GArray) pairs = fleet_step_overlap_pairs (plan->step_overlap);
  GString *text = g_string_new (NULL);

  for (guint i = 0; i < pairs->len; i += 2)
    g_string_append_printf (text, "%s%u-%u", i > 0 ? " " : "",
                            g_array_index (pairs, guint32, i) + 1,
                            g_array_index (pairs, guint32, i + 1) + 1);
  return g_string_free (text, FALSE);
}

/* Without concurrent_steps, or with 1, the plan has no overlap key, so
 * its body and every golden file stay as they were. */
static void
test_compile_default_one_at_a_time (Fixture *fixture, gconstpointer data)
{
  const char *const workflows[] = {
    HEAD "steps:\n  - {name: a, timeout: 1s, run: 'true'}\n  - {name: b, timeout: 1s, run: 'true'}\n",
    HEAD "concurrent_steps: 1\nsteps:\n  - {name: a, timeout: 1s, run: 'true'}\n"
    "  - {name: b, timeout: 1s, run: 'true'}\n",
  };

  for (guint i = 0; i < G_N_ELEMENTS (workflows); i++)
    {
      g_autoptr (FleetPlan) plan = compile_and_plan (fixture, workflows[i]);
      g_autoptr (GVariant) body = NULL;
      g_autoptr (GVariant) key = NULL;

      g_assert_nonnull (plan);
      g_assert_null (plan->step_overlap);
      body = fleet_plan_to_variant (plan);
      key = g_variant_lookup_value (body, "step-overlap", NULL);
      g_assert_null (key);
    }
}

static void
test_compile_accepts_limit (Fixture *fixture, gconstpointer data)
{
  g_autoptr (FleetPlan) plan = compile_and_plan (fixture, HEAD "concurrent_steps: 10\nsteps:\n"
                                                 "  - {name: a, timeout: 1s, run: 'true'}\n"
                                                 "  - {name: b, timeout: 1s, run: 'true'}\n");

  g_assert_nonnull (plan);
  g_assert_cmpuint (fleet_diagnostics_length (fixture->diags), ==, 0);
  g_assert_nonnull (plan->step_overlap);
  g_assert_cmpuint (plan->step_overlap->max_steps, ==, 10);
}

/* Each rejected value is reported at its own line and column. */
static void
test_compile_rejects_shapes (Fixture *fixture, gconstpointer data)
{
  static const struct {
    const char *value;
    guint column;
    const char *message;
  } cases[] = {
    { "0", 19, "invalid integer \"0\" for \"concurrent_steps\": use a value from 1 to 10" },
    { "11", 19, "invalid integer \"11\" for \"concurrent_steps\": use a value from 1 to 10" },
    { "yes", 19, "invalid integer \"yes\" for \"concurrent_steps\": use decimal digits only, "
                 "for a value from 1 to 10" },
    { "[2]", 19, "invalid value for \"concurrent_steps\": expected an integer, found a list" },
  };

  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autofree char *text = g_strdup_printf (HEAD "concurrent_steps: %s\nsteps:\n"
                                               "  - {name: a, timeout: 1s, run: 'true'}\n",
                                               cases[i].value);
      g_autoptr (FleetPlan) plan = NULL;

      fleet_diagnostics_free (fixture->diags);
      fixture->diags = fleet_diagnostics_new ();
      plan = compile_and_plan (fixture, text);
      g_assert_null (plan);
      assert_error (fixture, 4, cases[i].column, cases[i].message);
    }
}

/* The window schedule fits a host's steps one after the other, so the two
 * cannot be combined; the error points at concurrent_steps. */
static void
test_compile_rejects_windows (Fixture *fixture, gconstpointer data)
{
  g_autoptr (FleetPlan) plan = compile_and_plan (fixture, HEAD "concurrent_steps: 2\n"
                                                 "windows:\n"
                                                 "  - name: nightly\n"
                                                 "    start: 2025-01-07T02:00\n"
                                                 "    duration: 3h\n"
                                                 "    rrule: FREQ=DAILY\n"
                                                 "    timezone: UTC\n"
                                                 "steps:\n"
                                                 "  - {name: a, timeout: 1s, estimate: 1s, "
                                                 "run: 'true'}\n");

  g_assert_null (plan);
  assert_error (fixture, 4, 19, "\"concurrent_steps\" cannot be combined with \"windows\" or "
                "\"freezes\", which fit each host's steps into its windows one after the "
                "other; remove concurrent_steps or the windows");
}

/* needs, a `when` that reads a result, and a reboot decide the pairs: see
 * the comment in tests/data/overlap/workflow.yaml. */
static void
test_planner_pairs (Fixture *fixture, gconstpointer data)
{
  g_autofree char *path = data_path ("overlap/workflow.yaml");
  g_autoptr (FleetPlan) plan = plan_file (fixture, path);
  g_autofree char *pairs = NULL;

  g_assert_nonnull (plan);
  g_assert_nonnull (plan->step_overlap);
  pairs = pairs_text (plan);
  /* fetch backup unpack report notes restart check */
  g_assert_cmpstr (pairs, ==, "1-2 1-5 2-3 2-4 2-5 3-5 4-5");
  g_assert_true (fleet_step_overlap_precedes (plan->step_overlap, 0, 2));
  g_assert_true (fleet_step_overlap_precedes (plan->step_overlap, 0, 3));
  g_assert_true (fleet_step_overlap_precedes (plan->step_overlap, 4, 6));
  g_assert_false (fleet_step_overlap_may_overlap (plan->step_overlap, 1, 1));
}

/* A `when` that reads no step result orders nothing; one that reads a
 * step's output orders the step after it. */
static void
test_planner_condition_edges (Fixture *fixture, gconstpointer data)
{
  g_autoptr (FleetPlan) plan = compile_and_plan (fixture, HEAD "concurrent_steps: 4\nsteps:\n"
                                                 "  - {name: a, timeout: 1s, run: 'true'}\n"
                                                 "  - {name: b, timeout: 1s, run: 'true', "
                                                 "when: 'role == \"web\"'}\n"
                                                 "  - {name: c, timeout: 1s, run: 'true', "
                                                 "when: 'steps.a.stdout == \"x\"'}\n"
                                                 "  - {name: d, timeout: 1s, run: 'true'}\n");
  g_autofree char *pairs = NULL;

  g_assert_nonnull (plan);
  pairs = pairs_text (plan);
  g_assert_cmpstr (pairs, ==, "1-2 1-4 2-3 2-4 3-4");
}

/* max_sessions comes from the inventory's layers like any connection
 * setting, is written to the plan only when it is not sshd's default of
 * 10, and survives the plan file. */
static void
test_inventory_max_sessions (Fixture *fixture, gconstpointer data)
{
  g_autofree char *inventory = write_file (fixture, "inventory.yaml",
                                           "defaults: {max_sessions: 2}\n"
                                           "hosts:\n"
                                           "  web1: {address: 127.0.0.1, port: 2201}\n"
                                           "  web2: {address: 127.0.0.1, port: 2202, "
                                           "max_sessions: 10}\n");
  g_autofree char *path = write_file (fixture, "workflow.yaml", HEAD "concurrent_steps: 3\n"
                                      "steps:\n  - {name: a, timeout: 1s, run: 'true'}\n");
  g_autoptr (FleetPlan) plan = plan_file (fixture, path);
  g_autoptr (GBytes) bytes = NULL;
  g_autoptr (FleetPlan) read_back = NULL;
  g_autoptr (GError) error = NULL;
  g_autoptr (GVariant) body = NULL;
  g_autoptr (GVariant) hosts = NULL;
  g_autoptr (GVariant) first = NULL;
  g_autoptr (GVariant) second = NULL;
  g_autoptr (GVariant) value = NULL;

  g_assert_nonnull (plan);
  g_assert_cmpuint (((const FleetHost *) g_ptr_array_index (plan->hosts, 0))->max_sessions, ==, 2);
  g_assert_cmpuint (((const FleetHost *) g_ptr_array_index (plan->hosts, 1))->max_sessions, ==, 10);

  body = fleet_plan_to_variant (plan);
  hosts = g_variant_lookup_value (body, "hosts", NULL);
  first = g_variant_get_child_value (hosts, 0);
  second = g_variant_get_child_value (hosts, 1);
  value = g_variant_lookup_value (first, "max-sessions", G_VARIANT_TYPE_UINT32);
  g_assert_nonnull (value);
  g_assert_cmpuint (g_variant_get_uint32 (value), ==, 2);
  g_clear_pointer (&value, g_variant_unref);
  value = g_variant_lookup_value (second, "max-sessions", NULL);
  g_assert_null (value);

  bytes = fleet_plan_serialize (plan);
  read_back = fleet_plan_deserialize (bytes, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (((const FleetHost *) g_ptr_array_index (read_back->hosts, 0))->max_sessions,
                    ==, 2);
  g_assert_cmpuint (((const FleetHost *) g_ptr_array_index (read_back->hosts, 1))->max_sessions,
                    ==, 10);
}

/* When every step depends on the one before, the opt-in changes nothing,
 * and the compiler warns about it. */
static void
test_planner_warns_without_pairs (Fixture *fixture, gconstpointer data)
{
  g_autoptr (FleetPlan) plan = compile_and_plan (fixture, HEAD "concurrent_steps: 2\nsteps:\n"
                                                 "  - {name: a, timeout: 1s, run: 'true'}\n"
                                                 "  - {name: b, timeout: 1s, run: 'true', "
                                                 "needs: [a]}\n");
  const FleetDiagnostic *warning;

  g_assert_nonnull (plan);
  g_assert_cmpuint (fleet_diagnostics_warning_count (fixture->diags), ==, 1);
  warning = fleet_diagnostics_get (fixture->diags, 0);
  g_assert_cmpuint (warning->pos.line, ==, 4);
  g_assert_cmpstr (warning->message, ==, "\"concurrent_steps\" is 2, but every step depends on "
                   "another or runs alone, so no two steps of a host run at the same time");
}

/* The plan key survives the file format, and a reader rejects a damaged
 * one: a step that follows a later step, or a list of the wrong length. */
static void
test_plan_key_round_trip (Fixture *fixture, gconstpointer data)
{
  g_autofree char *path = data_path ("overlap/workflow.yaml");
  g_autoptr (FleetPlan) plan = plan_file (fixture, path);
  g_autoptr (GBytes) bytes = NULL;
  g_autoptr (FleetPlan) read_back = NULL;
  g_autoptr (GError) error = NULL;
  g_autoptr (FleetStepOverlap) damaged = NULL;
  g_autoptr (FleetStepOverlap) out = NULL;
  GVariantBuilder builder;
  g_autoptr (GVariant) body = NULL;

  g_assert_nonnull (plan);
  bytes = fleet_plan_serialize (plan);
  read_back = fleet_plan_deserialize (bytes, &error);
  g_assert_no_error (error);
  g_assert_true (fleet_step_overlap_equal (plan->step_overlap, read_back->step_overlap));

  damaged = fleet_step_overlap_new (2, 2);
  g_array_append_val ((GArray *) g_ptr_array_index (damaged->after, 0), (guint32) { 1 });
  g_variant_builder_init (&builder, G_VARIANT_TYPE ("a{sv}"));
  fleet_step_overlap_to_variant (damaged, &builder);
  body = g_variant_ref_sink (g_variant_builder_end (&builder));
  g_assert_false (fleet_step_overlap_from_variant (body, 2, &out, &error));
  g_assert_error (error, FLEET_PLAN_ERROR, FLEET_PLAN_ERROR_INVALID);
  g_assert_nonnull (strstr (error->message, "a step follows a later step"));
  g_clear_error (&error);
  g_assert_false (fleet_step_overlap_from_variant (body, 3, &out, &error));
  g_assert_error (error, FLEET_PLAN_ERROR, FLEET_PLAN_ERROR_INVALID);
  g_assert_nonnull (strstr (error->message, "it does not list every step"));
}

/* A key of another type, or with a limit out of range, is damaged too. */
static void
test_plan_key_damaged_shape (void)
{
  const char *const bodies[] = {
    "{'step-overlap': <(uint32 3, [[uint32 0]])>}",
    "{'step-overlap': <'three'>}",
    "{'step-overlap': <(uint32 1, @aau [[]])>}",
    "{'step-overlap': <(uint32 11, @aau [[]])>}",
  };
  const char *const reasons[] = {
    "a step follows a later step", "it has the wrong type",
    "its step limit is out of range", "its step limit is out of range",
  };

  for (guint i = 0; i < G_N_ELEMENTS (bodies); i++)
    {
      g_autoptr (GError) error = NULL;
      g_autoptr (FleetStepOverlap) out = NULL;
      g_autoptr (GVariant) body = g_variant_parse (G_VARIANT_TYPE ("a{sv}"), bodies[i], NULL,
                                                   NULL, &error);

      g_assert_no_error (error);
      g_assert_false (fleet_step_overlap_from_variant (body, 1, &out, &error));
      g_assert_error (error, FLEET_PLAN_ERROR, FLEET_PLAN_ERROR_INVALID);
      g_assert_nonnull (strstr (error->message, reasons[i]));
      g_assert_null (out);
    }
}

/* Two overlaps are equal only with the same limit and the same edges. */
static void
test_overlap_equal (void)
{
  g_autoptr (FleetStepOverlap) a = fleet_step_overlap_new (2, 3);
  g_autoptr (FleetStepOverlap) b = fleet_step_overlap_new (2, 3);
  g_autoptr (FleetStepOverlap) c = fleet_step_overlap_new (3, 3);
  g_autoptr (FleetStepOverlap) d = fleet_step_overlap_new (2, 2);

  fleet_step_overlap_add_edge (a, 0, 2);
  fleet_step_overlap_add_edge (a, 0, 2);
  g_assert_cmpuint (fleet_step_overlap_get_after (a, 2)->len, ==, 1);
  g_assert_false (fleet_step_overlap_equal (a, b));
  fleet_step_overlap_add_edge (b, 1, 2);
  g_assert_false (fleet_step_overlap_equal (a, b));
  fleet_step_overlap_add_edge (a, 1, 2);
  fleet_step_overlap_add_edge (b, 0, 2);
  g_assert_true (fleet_step_overlap_equal (a, b));
  g_assert_false (fleet_step_overlap_equal (a, c));
  g_assert_false (fleet_step_overlap_equal (a, d));
  g_assert_false (fleet_step_overlap_equal (a, NULL));
  g_assert_true (fleet_step_overlap_equal (NULL, NULL));
  g_assert_false (fleet_step_overlap_precedes (a, 2, 0));
}

/* `fleetc show --format json` prints the overlap of tests/data/overlap
 * as tests/data/overlap/expected-overlap.json, byte for byte, and the text
 * form lists the steps each step may overlap with. */
static void
test_show_golden (Fixture *fixture, gconstpointer data)
{
  g_autofree char *path = data_path ("overlap/workflow.yaml");
  g_autofree char *golden_path = data_path ("overlap/expected-overlap.json");
  g_autoptr (FleetPlan) plan = plan_file (fixture, path);
  g_autofree char *json = NULL;
  g_autofree char *text = NULL;
  g_autofree char *golden = NULL;
  g_autofree char *member = NULL;
  const char *start;
  const char *end;

  g_assert_nonnull (plan);
  json = fleet_plan_show_json (plan);
  start = strstr (json, "\"step_overlap\":");
  g_assert_nonnull (start);
  end = strstr (start, "]]}");
  g_assert_nonnull (end);
  member = g_strdup_printf ("%.*s\n", (int) (end + 3 - start), start);
  g_assert_true (g_file_get_contents (golden_path, &golden, NULL, NULL));
  g_assert_cmpstr (member, ==, golden);

  text = fleet_plan_show_text (plan);
  g_assert_nonnull (strstr (text, "  steps at once:    at most 3 per host, on channels of its "
                                  "one connection\n"));
  g_assert_nonnull (strstr (text, "  2. backup  (timeout 5m, expected exit 0, idempotent)\n"
                                  "       $ tar czf /tmp/backup.tgz /srv/app\n"
                                  "       may overlap with: 1. fetch, 3. unpack, 4. report, "
                                  "5. notes\n"));
  g_assert_nonnull (strstr (text, "       may overlap with: none\n"));
}

/* Turning the opt-in on is a change of the rollout and, per step, of the
 * steps it may overlap with. */
static void
test_diff_reports_overlap (Fixture *fixture, gconstpointer data)
{
  const char *steps = "steps:\n"
                      "  - {name: a, timeout: 1s, run: 'true'}\n"
                      "  - {name: b, timeout: 1s, run: 'true'}\n"
                      "  - {name: c, timeout: 1s, run: 'true', needs: [a]}\n";
  g_autofree char *old_text = g_strconcat (HEAD, steps, NULL);
  g_autofree char *new_text = g_strconcat (HEAD, "concurrent_steps: 2\n", steps, NULL);
  g_autoptr (FleetPlan) old_plan = compile_and_plan (fixture, old_text);
  g_autoptr (FleetPlan) new_plan = compile_and_plan (fixture, new_text);
  g_autoptr (FleetPlanDiff) diff = NULL;
  g_autoptr (GString) changes = g_string_new (NULL);

  g_assert_nonnull (old_plan);
  g_assert_nonnull (new_plan);
  diff = fleet_plan_diff (old_plan, new_plan);
  for (guint i = 0; i < diff->changes->len; i++)
    {
      const FleetPlanChange *change = g_ptr_array_index (diff->changes, i);

      if (change->section != FLEET_PLAN_DIFF_ROLLOUT && change->section != FLEET_PLAN_DIFF_STEPS)
        continue;
      g_string_append_printf (changes, "%s|%s|%s|%s\n", change->subject,
                              change->field != NULL ? change->field : "",
                              change->old_value, change->new_value);
    }
  g_assert_cmpstr (changes->str, ==,
                   "a|may overlap with|none|b\n"
                   "b|may overlap with|none|a, c\n"
                   "c|may overlap with|none|b\n"
                   "concurrent_steps||1|2\n");
  g_assert_true (fleet_plan_diff_changes_run (diff));
}

/* Without an overlap the schedule offers the steps one at a time, in
 * order; a failure stops it. */
static void
test_schedule_in_order (void)
{
  g_autoptr (FleetStepSchedule) schedule = fleet_step_schedule_new (NULL, 3, FLEET_DEFAULT_MAX_SESSIONS);

  g_assert_cmpuint (fleet_step_schedule_max_running (schedule), ==, 1);
  g_assert_cmpuint (fleet_step_schedule_next_ready (schedule), ==, 0);
  fleet_step_schedule_set_running (schedule, 0);
  g_assert_cmpuint (fleet_step_schedule_next_ready (schedule), ==, G_MAXUINT);
  fleet_step_schedule_set_done (schedule, 0);
  g_assert_cmpuint (fleet_step_schedule_next_ready (schedule), ==, 1);
  fleet_step_schedule_set_running (schedule, 1);
  fleet_step_schedule_set_failed (schedule, 1);
  g_assert_true (fleet_step_schedule_is_stopped (schedule));
  g_assert_cmpuint (fleet_step_schedule_next_ready (schedule), ==, G_MAXUINT);
  g_assert_cmpuint (fleet_step_schedule_first_unfinished (schedule), ==, 1);
}

/* With an overlap, a step starts once its predecessors ended well, up to
 * the limit; a step that ran after a later one was done keeps the first
 * unfinished step where it is. */
static void
test_schedule_overlap (void)
{
  g_autoptr (FleetStepOverlap) overlap = fleet_step_overlap_new (2, 4);
  g_autoptr (FleetStepSchedule) schedule = NULL;

  fleet_step_overlap_add_edge (overlap, 0, 2);
  fleet_step_overlap_add_edge (overlap, 1, 3);
  schedule = fleet_step_schedule_new (overlap, 4, FLEET_DEFAULT_MAX_SESSIONS);

  g_assert_cmpuint (fleet_step_schedule_next_ready (schedule), ==, 0);
  fleet_step_schedule_set_running (schedule, 0);
  g_assert_cmpuint (fleet_step_schedule_next_ready (schedule), ==, 1);
  fleet_step_schedule_set_running (schedule, 1);
  /* Two running: the limit. */
  g_assert_cmpuint (fleet_step_schedule_next_ready (schedule), ==, G_MAXUINT);
  fleet_step_schedule_set_done (schedule, 1);
  /* Step 3 needs step 1 only; step 2 still waits for step 0. */
  g_assert_cmpuint (fleet_step_schedule_next_ready (schedule), ==, 3);
  fleet_step_schedule_set_running (schedule, 3);
  fleet_step_schedule_set_done (schedule, 3);
  g_assert_cmpuint (fleet_step_schedule_first_unfinished (schedule), ==, 0);
  g_assert_true (fleet_step_schedule_is_done (schedule, 3));
  fleet_step_schedule_set_pending (schedule, 0);
  g_assert_cmpuint (fleet_step_schedule_n_running (schedule), ==, 0);
  g_assert_cmpuint (fleet_step_schedule_next_ready (schedule), ==, 0);
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);

#define ADD(path, func) g_test_add (path, Fixture, NULL, fixture_set_up, func, fixture_tear_down)
  ADD ("/step-overlap/compile/default-one-at-a-time", test_compile_default_one_at_a_time);
  ADD ("/step-overlap/compile/accepts-limit", test_compile_accepts_limit);
  ADD ("/step-overlap/compile/rejects-shapes", test_compile_rejects_shapes);
  ADD ("/step-overlap/compile/rejects-windows", test_compile_rejects_windows);
  ADD ("/step-overlap/planner/pairs", test_planner_pairs);
  ADD ("/step-overlap/planner/condition-edges", test_planner_condition_edges);
  ADD ("/step-overlap/planner/warns-without-pairs", test_planner_warns_without_pairs);
  ADD ("/step-overlap/plan/round-trip", test_plan_key_round_trip);
  ADD ("/step-overlap/plan/inventory-max-sessions", test_inventory_max_sessions);
  ADD ("/step-overlap/show/golden", test_show_golden);
  ADD ("/step-overlap/diff/reports-overlap", test_diff_reports_overlap);
#undef ADD
  g_test_add_func ("/step-overlap/plan/damaged-shape", test_plan_key_damaged_shape);
  g_test_add_func ("/step-overlap/plan/equal", test_overlap_equal);
  g_test_add_func ("/step-overlap/schedule/in-order", test_schedule_in_order);
  g_test_add_func ("/step-overlap/schedule/overlap", test_schedule_overlap);

  return g_test_run ();
}
