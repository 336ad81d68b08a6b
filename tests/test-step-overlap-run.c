/* test-step-overlap-run.c: fleet-run runs the steps of one host that the
 * plan lets overlap (fleet-step-overlap.h) at the same time, on channels
 * of the host's one connection, against the sandbox fleet.
 *
 * The tests judge overlap by the order of the journal's step-start and
 * step-end records, never by how long a run took.
 */
#include <glib.h>
#include <string.h>

#include "runtime-fixture.h"
#include "schema/fleet-step-overlap.h"

/* Return the line number of the first journal record of `event` for step
 * `step` (from 1) of host `host`, or -1. */
static gint
journal_line (const char *journal, const char *event, const char *host, guint step)
{
  g_auto(GStrv) lines = g_strsplit (journal, "\n", -1);
  g_autofree char *needle = g_strdup_printf ("\"event\":\"%s\",\"host\":\"%s\",\"step\":%u,",
                                             event, host, step);

  for (guint i = 0; lines[i] != NULL; i++)
    if (strstr (lines[i], needle) != NULL)
      return (gint) i;
  return -1;
}

/* Return how many journal records of `event` name host `host`. */
static guint
count_records (const char *journal, const char *event, const char *host)
{
  g_autofree char *needle = g_strdup_printf ("\"event\":\"%s\",\"host\":\"%s\"", event, host);
  guint count = 0;

  for (const char *p = strstr (journal, needle); p != NULL; p = strstr (p + 1, needle))
    count++;
  return count;
}

/* One host, the steps given, and an overlap of `max_steps` without edges;
 * the caller adds them. */
static FleetStepOverlap *
build_plan (Fixture *fixture, guint max_steps, const char *const *commands)
{
  const guint sizes[] = { 1, 0 };
  guint n_steps = 0;

  add_hosts (fixture, 1, "id_ed25519");
  for (; commands[n_steps] != NULL; n_steps++)
    {
      g_autofree char *name = g_strdup_printf ("s%u", n_steps + 1);

      add_step (fixture, name, commands[n_steps], 30000);
    }
  set_waves (fixture, sizes);
  fixture->plan->step_overlap = fleet_step_overlap_new (max_steps, n_steps);
  return fixture->plan->step_overlap;
}

/* Two independent `sleep 1` steps run at once on the host's one
 * connection: the second starts before the first ends. */
static void
test_independent_steps_overlap (Fixture *fixture, gconstpointer data)
{
  g_autofree char *host = NULL;
  g_autofree char *journal = NULL;

  if (!require_sandbox_hosts (1))
    return;

  build_plan (fixture, 2, (const char *[]) { "sleep 1", "sleep 1", NULL });
  run_plan (fixture);

  g_assert_cmpint (host_result (fixture, 0)->outcome, ==, FLEET_HOST_SUCCEEDED);
  host = fleet_sandbox_host_name (shared_sandbox, 0);
  journal = read_run_file (fixture, "journal.jsonl");
  g_assert_cmpint (journal_line (journal, "step-start", host, 1), >=, 0);
  g_assert_cmpint (journal_line (journal, "step-start", host, 2), >=, 0);
  g_assert_cmpint (journal_line (journal, "step-start", host, 2), <,
                   journal_line (journal, "step-end", host, 1));
  g_assert_cmpint (journal_line (journal, "step-end", host, 2), >=, 0);
  g_assert_cmpuint (count_records (journal, "host-connected", host), ==, 1);
}

/* Step 2 comes after step 1 and reads its output in its condition, so it
 * starts only once step 1 has ended, while step 3 runs next to step 1.
 * The limit of two keeps step 4 from starting until a slot is free. */
static void
test_dependent_step_waits (Fixture *fixture, gconstpointer data)
{
  g_autofree char *host = NULL;
  g_autofree char *journal = NULL;
  FleetStepOverlap *overlap;

  if (!require_sandbox_hosts (1))
    return;

  overlap = build_plan (fixture, 2, (const char *[]) { "sleep 1; echo ready", "echo second",
                                                       "sleep 2", "true", NULL });
  fleet_step_overlap_add_edge (overlap, 0, 1);
  ((FleetStep *) g_ptr_array_index (fixture->plan->steps, 1))->when =
    g_strdup ("steps.s1.stdout == \"ready\"");
  run_plan (fixture);

  g_assert_cmpint (host_result (fixture, 0)->outcome, ==, FLEET_HOST_SUCCEEDED);
  g_assert_false (step_result (fixture, 0, 1)->skipped);
  g_assert_true (step_result (fixture, 0, 1)->started);
  host = fleet_sandbox_host_name (shared_sandbox, 0);
  journal = read_run_file (fixture, "journal.jsonl");
  g_assert_cmpint (journal_line (journal, "step-start", host, 3), <,
                   journal_line (journal, "step-end", host, 1));
  g_assert_cmpint (journal_line (journal, "step-start", host, 2), >,
                   journal_line (journal, "step-end", host, 1));
  /* Steps 1 and 3 fill both slots, so step 4 waits for one of them. */
  g_assert_cmpint (journal_line (journal, "step-start", host, 4), >,
                   journal_line (journal, "step-end", host, 1));
}

/* A failed step stops the host from starting new steps.  The step in
 * flight next to it finishes, and the host's message names it. */
static void
test_failure_stops_host (Fixture *fixture, gconstpointer data)
{
  g_autofree char *host = NULL;
  g_autofree char *journal = NULL;
  const FleetHostResult *result;

  if (!require_sandbox_hosts (1))
    return;

  build_plan (fixture, 2, (const char *[]) { "sleep 0.5; exit 3", "sleep 1.5", "true", NULL });
  run_plan (fixture);

  result = host_result (fixture, 0);
  g_assert_cmpint (result->outcome, ==, FLEET_HOST_FAILED);
  g_assert_cmpint (result->failure, ==, FLEET_FAILURE_EXIT_CODE);
  g_assert_cmpuint (result->failed_step, ==, 0);
  g_assert_cmpstr (result->message, ==, "step \"s1\": exited with status 3 (expected 0); no "
                   "further step started, and the steps in flight finished: \"s2\" succeeded");
  g_assert_true (step_result (fixture, 0, 1)->started);
  g_assert_cmpint (step_result (fixture, 0, 1)->failure, ==, FLEET_FAILURE_NONE);
  g_assert_false (step_result (fixture, 0, 2)->started);

  host = fleet_sandbox_host_name (shared_sandbox, 0);
  journal = read_run_file (fixture, "journal.jsonl");
  g_assert_cmpint (journal_line (journal, "step-end", host, 2), >=, 0);
  g_assert_cmpint (journal_line (journal, "step-start", host, 3), ==, -1);
}

/* A server whose MaxSessions is below the limit refuses the extra
 * channel, and fleet-run opens it once the other step's channel closes:
 * both steps succeed on the host's one connection. */
static void
test_server_session_limit (Fixture *fixture, gconstpointer data)
{
  if (!require_sandbox_hosts (1))
    return;

  set_host_sshd_extra (0, "MaxSessions 1\n");
  build_plan (fixture, 2, (const char *[]) { "sleep 1", "sleep 1", NULL });
  run_plan (fixture);
  set_host_sshd_extra (0, NULL);

  g_assert_cmpint (host_result (fixture, 0)->outcome, ==, FLEET_HOST_SUCCEEDED);
  g_assert_cmpint (step_result (fixture, 0, 0)->failure, ==, FLEET_FAILURE_NONE);
  g_assert_cmpint (step_result (fixture, 0, 1)->failure, ==, FLEET_FAILURE_NONE);
}

/* A host whose inventory sets max_sessions: 1 runs its steps one after
 * the other, whatever the plan lets overlap. */
static void
test_host_max_sessions (Fixture *fixture, gconstpointer data)
{
  g_autofree char *host = NULL;
  g_autofree char *journal = NULL;

  if (!require_sandbox_hosts (1))
    return;

  build_plan (fixture, 2, (const char *[]) { "sleep 0.5", "sleep 0.5", NULL });
  ((FleetHost *) g_ptr_array_index (fixture->plan->hosts, 0))->max_sessions = 1;
  run_plan (fixture);

  g_assert_cmpint (host_result (fixture, 0)->outcome, ==, FLEET_HOST_SUCCEEDED);
  host = fleet_sandbox_host_name (shared_sandbox, 0);
  journal = read_run_file (fixture, "journal.jsonl");
  g_assert_cmpint (journal_line (journal, "step-end", host, 1), >=, 0);
  g_assert_cmpint (journal_line (journal, "step-start", host, 2), >,
                   journal_line (journal, "step-end", host, 1));
}

int
main (int argc, char **argv)
{
  int status;

  g_test_init (&argc, &argv, NULL);

#define ADD(path, func) g_test_add (path, Fixture, NULL, fixture_set_up, func, fixture_tear_down)
  ADD ("/step-overlap-run/independent-steps-overlap", test_independent_steps_overlap);
  ADD ("/step-overlap-run/dependent-step-waits", test_dependent_step_waits);
  ADD ("/step-overlap-run/failure-stops-host", test_failure_stops_host);
  ADD ("/step-overlap-run/server-session-limit", test_server_session_limit);
  ADD ("/step-overlap-run/host-max-sessions", test_host_max_sessions);
#undef ADD

  status = g_test_run ();
  release_sandbox ();
  return status;
}
