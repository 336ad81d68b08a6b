/* test-halt.c: fleet-run's failure thresholds against real sshd servers.
 *
 * Each test builds a plan in C, sets its halt_at rules as a workflow would,
 * and runs it on the sandbox fleet.  A step fails on chosen hosts through
 * FLEET_HOST, which every sandbox host has in its environment; a host is
 * unreachable while its sshd is stopped.  The cases include the threshold
 * arithmetic cases of rolling upgrades: a threshold reached exactly, one
 * percent below it, waves of one host, an unreachable host, and an
 * explicit threshold against the default.
 */
#include <string.h>

#include "runtime/fleet-halt.h"
#include "runtime/fleet-report.h"
#include "tests/runtime-fixture.h"

/* Add a step that fails on the hosts named in `failing` ("host02 host03")
 * and succeeds elsewhere. */
static void
add_failing_step (Fixture *fixture, const char *failing)
{
  g_autofree char *command = g_strdup_printf ("case \" %s \" in *\" $FLEET_HOST \"*) "
                                              "echo failing on purpose >&2; exit 1;; esac",
                                              failing);

  add_step (fixture, "maybe fail", command, 30000);
}

static void
assert_outcomes (const Fixture *fixture, const char *expected)
{
  GString *outcomes = g_string_new (NULL);

  for (guint i = 0; i < fixture->result->hosts->len; i++)
    {
      const FleetHostResult *host = host_result (fixture, i);
      const char letters[] = { [FLEET_HOST_NOT_RUN] = '-', [FLEET_HOST_SUCCEEDED] = 'o',
                               [FLEET_HOST_FAILED] = 'F', [FLEET_HOST_INTERRUPTED] = 'I' };

      g_string_append_c (outcomes, fleet_host_result_is_unreachable (host)
                                     ? 'U' : letters[host->outcome]);
    }
  g_test_message ("outcomes: %s", outcomes->str);
  g_assert_cmpstr (outcomes->str, ==, expected);
  g_string_free (outcomes, TRUE);
}

static char *
halt_record (const Fixture *fixture)
{
  g_autofree char *journal = read_run_file (fixture, "journal.jsonl");
  g_auto(GStrv) lines = g_strsplit (journal, "\n", -1);

  for (char **line = lines; *line != NULL; line++)
    if (strstr (*line, "\"event\":\"halt\"") != NULL)
      return g_strdup (*line);
  return NULL;
}

/* 8 hosts in waves of 4 with failed_per_wave "50%": T = floor(50 * 4 /
 * 100) = 2, and 2 failed hosts reach it, so the run halts after wave 1. */
static void
test_percent_reached_exactly (Fixture *fixture, gconstpointer data)
{
  const guint sizes[] = { 4, 4, 0 };
  g_autofree char *record = NULL;

  if (!require_sandbox ())
    return;

  add_hosts (fixture, 8, "id_ed25519");
  add_failing_step (fixture, "host02 host03");
  set_waves (fixture, sizes);
  set_halt_at (fixture, FLEET_HALT_FAILED_PER_WAVE, "50%");
  run_plan (fixture);

  assert_outcomes (fixture, "oFFo----");
  g_assert_true (fixture->result->halted);
  g_assert_cmpint (fixture->result->halt.rule, ==, FLEET_HALT_FAILED_PER_WAVE);
  g_assert_cmpuint (fixture->result->halt.wave, ==, 0);
  g_assert_cmpuint (fixture->result->halt.count, ==, 2);
  g_assert_cmpuint (fixture->result->halt.threshold, ==, 2);
  g_assert_cmpuint (fixture->result->waves_run, ==, 1);
  g_assert_cmpint (fleet_run_result_exit_status (fixture->result), ==, 1);

  record = halt_record (fixture);
  g_assert_nonnull (record);
  g_assert_nonnull (strstr (record, "\"wave\":1,\"label\":\"wave 1\",\"rule\":\"failed_per_wave\","
                                    "\"count\":2,\"threshold\":2,\"wave_failed\":2,"
                                    "\"wave_unreachable\":0,\"total_failed\":2,"
                                    "\"total_unreachable\":0"));
}

/* To tolerate half of a wave of 4 failing, the threshold is 3: the same
 * failures then leave the run going, and wave 2 runs. */
static void
test_below_threshold_continues (Fixture *fixture, gconstpointer data)
{
  const guint sizes[] = { 4, 4, 0 };

  if (!require_sandbox ())
    return;

  add_hosts (fixture, 8, "id_ed25519");
  add_failing_step (fixture, "host02 host03");
  set_waves (fixture, sizes);
  set_halt_at (fixture, FLEET_HALT_FAILED_PER_WAVE, "3");
  run_plan (fixture);

  assert_outcomes (fixture, "oFFooooo");
  g_assert_false (fixture->result->halted);
  g_assert_cmpuint (fixture->result->waves_run, ==, 2);
  g_assert_null (halt_record (fixture));
  g_assert_cmpint (fleet_run_result_exit_status (fixture->result), ==, 1);
}

/* "49%" of 4 is 1.96 hosts, rounded down to 1: the first failure halts. */
static void
test_percent_rounds_down (Fixture *fixture, gconstpointer data)
{
  const guint sizes[] = { 4, 4, 0 };

  if (!require_sandbox ())
    return;

  add_hosts (fixture, 8, "id_ed25519");
  add_failing_step (fixture, "host02 host03");
  set_waves (fixture, sizes);
  set_halt_at (fixture, FLEET_HALT_FAILED_PER_WAVE, "49%");
  run_plan (fixture);

  assert_outcomes (fixture, "oFFo----");
  g_assert_true (fixture->result->halted);
  g_assert_cmpuint (fixture->result->halt.threshold, ==, 1);
  g_assert_cmpuint (fixture->result->waves_run, ==, 1);
}

/* Waves of one host with "99%": T = max(1, floor(0.99)) = 1, so the first
 * failure halts and host02 never starts. */
static void
test_single_host_waves (Fixture *fixture, gconstpointer data)
{
  const guint sizes[] = { 1, 1, 0 };

  if (!require_sandbox ())
    return;

  add_hosts (fixture, 2, "id_ed25519");
  add_failing_step (fixture, "host01");
  set_waves (fixture, sizes);
  set_halt_at (fixture, FLEET_HALT_FAILED_PER_WAVE, "99%");
  run_plan (fixture);

  assert_outcomes (fixture, "F-");
  g_assert_true (fixture->result->halted);
  g_assert_cmpuint (fixture->result->halt.threshold, ==, 1);
}

/* A host whose sshd is down is unreachable, counted apart from failed
 * hosts: the default unreachable_per_wave of 1 halts the run, and with
 * parallelism 1 the next host of the wave never starts. */
static void
test_unreachable_host_halts (Fixture *fixture, gconstpointer data)
{
  const guint sizes[] = { 3, 0 };
  g_autofree char *record = NULL;
  g_autofree char *journal = NULL;

  if (!require_sandbox ())
    return;

  add_hosts (fixture, 3, "id_ed25519");
  add_step (fixture, "noop", "true", 30000);
  set_waves (fixture, sizes);
  fixture->plan->parallelism = 1;

  fleet_sandbox_control (shared_sandbox, "stop", 1);
  run_plan (fixture);
  fleet_sandbox_control (shared_sandbox, "start", 1);

  assert_outcomes (fixture, "oU-");
  g_assert_cmpint (host_result (fixture, 1)->failure, ==, FLEET_FAILURE_CONNECTION_REFUSED);
  g_assert_true (fixture->result->halted);
  g_assert_cmpint (fixture->result->halt.rule, ==, FLEET_HALT_UNREACHABLE_PER_WAVE);
  record = halt_record (fixture);
  g_assert_nonnull (strstr (record, "\"wave_failed\":0,\"wave_unreachable\":1"));
  g_assert_nonnull (strstr (record, "\"not_started\":1"));
  journal = read_run_file (fixture, "journal.jsonl");
  g_assert_nonnull (strstr (journal, "\"event\":\"wave-end\",\"wave\":1,\"hosts\":3,"
                                     "\"succeeded\":1,\"failed\":1,\"unreachable\":1}"));
}

/* With unreachable hosts tolerated, the same run goes on, and the
 * unreachable host does not count as failed. */
static void
test_unreachable_tolerated (Fixture *fixture, gconstpointer data)
{
  const guint sizes[] = { 3, 0 };

  if (!require_sandbox ())
    return;

  add_hosts (fixture, 3, "id_ed25519");
  add_step (fixture, "noop", "true", 30000);
  set_waves (fixture, sizes);
  fixture->plan->parallelism = 1;
  set_halt_at (fixture, FLEET_HALT_UNREACHABLE_PER_WAVE, "unlimited");

  fleet_sandbox_control (shared_sandbox, "stop", 1);
  run_plan (fixture);
  fleet_sandbox_control (shared_sandbox, "start", 1);

  assert_outcomes (fixture, "oUo");
  g_assert_false (fixture->result->halted);
  g_assert_cmpint (fleet_run_result_exit_status (fixture->result), ==, 1);
}

/* A canary wave in which no host succeeded stops the run, although the
 * thresholds tolerate unreachable hosts.  The same wave without the canary
 * mark lets the run go on. */
static void
test_canary_without_success_stops (Fixture *fixture, gconstpointer data)
{
  const guint sizes[] = { 1, 2, 0 };

  if (!require_sandbox ())
    return;

  add_hosts (fixture, 3, "id_ed25519");
  add_step (fixture, "noop", "true", 30000);
  set_waves (fixture, sizes);
  ((FleetWave *) g_ptr_array_index (fixture->plan->waves, 0))->canary = TRUE;
  set_halt_at (fixture, FLEET_HALT_UNREACHABLE_PER_WAVE, "unlimited");

  fleet_sandbox_control (shared_sandbox, "stop", 0);
  run_plan (fixture);
  fleet_sandbox_control (shared_sandbox, "start", 0);

  assert_outcomes (fixture, "U--");
  g_assert_nonnull (fixture->result->stop_reason);
  g_assert_nonnull (strstr (fixture->result->stop_reason, "no host of the canary wave "
                                                          "succeeded (0 failed, 1 unreachable, "
                                                          "0 not run)"));
  g_assert_cmpuint (fixture->result->stop_wave, ==, 0);
}

/* The summary marks an unreachable host UNREACHABLE, escapes a host's
 * bidirectional override, and the journal records a plain step that
 * succeeded as a change that no test decided. */
static void
test_summary_and_journal_rows (Fixture *fixture, gconstpointer data)
{
  const guint sizes[] = { 3, 0 };
  g_autofree char *summary = NULL;
  g_autofree char *journal = NULL;

  if (!require_sandbox ())
    return;

  add_hosts (fixture, 3, "id_ed25519");
  add_step (fixture, "mark", "case \"$FLEET_HOST\" in host02) printf '\\342\\200\\256reversed\\n' >&2; "
            "exit 1;; esac", 30000);
  set_waves (fixture, sizes);
  set_halt_at (fixture, FLEET_HALT_UNREACHABLE_PER_WAVE, "unlimited");
  set_halt_at (fixture, FLEET_HALT_FAILED_PER_WAVE, "unlimited");

  fleet_sandbox_control (shared_sandbox, "stop", 2);
  run_plan (fixture);
  fleet_sandbox_control (shared_sandbox, "start", 2);

  summary = fleet_report_format_summary (fixture->plan, fixture->result, "RUN_DIR");
  g_test_message ("%s", summary);
  g_assert_nonnull (strstr (summary, "  UNREACHABLE  "));
  g_assert_nonnull (strstr (summary, "last output: \\u202ereversed"));
  g_assert_null (strstr (summary, "\342\200\256"));

  journal = read_run_file (fixture, "journal.jsonl");
  g_assert_nonnull (strstr (journal, "\"changed\":true,\"changed_assumed\":true"));
}

static void
test_plain_wave_without_success_goes_on (Fixture *fixture, gconstpointer data)
{
  const guint sizes[] = { 1, 2, 0 };

  if (!require_sandbox ())
    return;

  add_hosts (fixture, 3, "id_ed25519");
  add_step (fixture, "noop", "true", 30000);
  set_waves (fixture, sizes);
  set_halt_at (fixture, FLEET_HALT_UNREACHABLE_PER_WAVE, "unlimited");

  fleet_sandbox_control (shared_sandbox, "stop", 0);
  run_plan (fixture);
  fleet_sandbox_control (shared_sandbox, "start", 0);

  assert_outcomes (fixture, "Uoo");
  g_assert_null (fixture->result->stop_reason);
}

/* A rejected key is a failure, not an unreachable host: it needs an
 * admin.  With only unreachable hosts limited, it does not halt. */
static void
test_auth_failure_is_failed (Fixture *fixture, gconstpointer data)
{
  const guint sizes[] = { 2, 0 };
  g_autofree char *stranger_key = g_build_filename (fixture->run_dir, "stranger", NULL);
  const char *keygen[] = { "ssh-keygen", "-q", "-t", "ed25519", "-N", "", "-f", stranger_key,
                           NULL };

  if (!require_sandbox ())
    return;

  g_assert_cmpint (fleet_test_spawn (keygen, NULL, NULL), ==, 0);
  add_hosts (fixture, 2, "id_ed25519");
  fleet_host_set_identity_file (g_ptr_array_index (fixture->plan->hosts, 0), stranger_key);
  add_step (fixture, "noop", "true", 30000);
  set_waves (fixture, sizes);
  set_halt_at (fixture, FLEET_HALT_FAILED_PER_WAVE, "unlimited");
  run_plan (fixture);

  assert_outcomes (fixture, "Fo");
  g_assert_cmpint (host_result (fixture, 0)->failure, ==, FLEET_FAILURE_AUTH_FAILED);
  g_assert_false (fixture->result->halted);
}

/* 6 hosts in waves of 3 and host02 failing: an explicit threshold of 1
 * halts after wave 1, and unlimited lets the other 5 succeed. */
static void
test_explicit_one_against_unlimited (Fixture *fixture, gconstpointer data)
{
  const guint sizes[] = { 3, 3, 0 };

  if (!require_sandbox ())
    return;

  add_hosts (fixture, 6, "id_ed25519");
  add_failing_step (fixture, "host02");
  set_waves (fixture, sizes);
  set_halt_at (fixture, FLEET_HALT_FAILED_PER_WAVE, "1");
  run_plan (fixture);

  assert_outcomes (fixture, "oFo---");
  g_assert_true (fixture->result->halted);
  g_assert_cmpuint (fixture->result->waves_run, ==, 1);

  fixture_reset (fixture);
  add_hosts (fixture, 6, "id_ed25519");
  add_failing_step (fixture, "host02");
  set_waves (fixture, sizes);
  set_halt_at (fixture, FLEET_HALT_FAILED_PER_WAVE, "unlimited");
  run_plan (fixture);

  assert_outcomes (fixture, "oFoooo");
  g_assert_false (fixture->result->halted);
  g_assert_cmpuint (fixture->result->waves_run, ==, 2);
}

/* Once a wave reaches its threshold, no new host of it starts, but the
 * hosts in flight finish: with parallelism 2, host02 is still running
 * when host01 fails, and hosts 3 and 4 never start. */
static void
test_no_new_host_after_threshold (Fixture *fixture, gconstpointer data)
{
  const guint sizes[] = { 4, 0 };

  if (!require_sandbox ())
    return;

  add_hosts (fixture, 4, "id_ed25519");
  add_step (fixture, "slow or fail",
            "if [ \"$FLEET_HOST\" = host01 ]; then exit 1; fi; sleep 5", 30000);
  set_waves (fixture, sizes);
  fixture->plan->parallelism = 2;
  run_plan (fixture);

  assert_outcomes (fixture, "Fo--");
  g_assert_true (fixture->result->halted);
  g_assert_cmpuint (fixture->result->halt.count, ==, 1);
}

/* failed_total counts across waves: 1 failure per wave stays below a
 * per-wave threshold of 2, and the second one reaches the total of 2. */
static void
test_total_threshold_across_waves (Fixture *fixture, gconstpointer data)
{
  const guint sizes[] = { 2, 2, 2, 0 };

  if (!require_sandbox ())
    return;

  add_hosts (fixture, 6, "id_ed25519");
  add_failing_step (fixture, "host01 host03");
  set_waves (fixture, sizes);
  set_halt_at (fixture, FLEET_HALT_FAILED_PER_WAVE, "2");
  set_halt_at (fixture, FLEET_HALT_FAILED_TOTAL, "2");
  run_plan (fixture);

  assert_outcomes (fixture, "FoFo--");
  g_assert_true (fixture->result->halted);
  g_assert_cmpint (fixture->result->halt.rule, ==, FLEET_HALT_FAILED_TOTAL);
  g_assert_cmpuint (fixture->result->halt.wave, ==, 1);
  g_assert_cmpuint (fixture->result->waves_run, ==, 2);
}

/* "100%" of a wave is reached only when every host of it fails, and then
 * the run halts; a wave with some successes goes on. */
static void
test_whole_wave_failing (Fixture *fixture, gconstpointer data)
{
  const guint sizes[] = { 2, 2, 2, 0 };

  if (!require_sandbox ())
    return;

  add_hosts (fixture, 6, "id_ed25519");
  add_failing_step (fixture, "host01 host03 host04");
  set_waves (fixture, sizes);
  set_halt_at (fixture, FLEET_HALT_FAILED_PER_WAVE, "100%");
  run_plan (fixture);

  assert_outcomes (fixture, "FoFF--");
  g_assert_true (fixture->result->halted);
  g_assert_cmpuint (fixture->result->halt.wave, ==, 1);
  g_assert_cmpuint (fixture->result->halt.threshold, ==, 2);
}

/* A threshold reached by the last host of the last wave halts nothing that
 * was still to start, and the summary says so instead of counting zeros. */
static void
test_halt_with_nothing_left (Fixture *fixture, gconstpointer data)
{
  const guint sizes[] = { 2, 0 };
  g_autofree char *summary = NULL;

  if (!require_sandbox ())
    return;

  add_hosts (fixture, 2, "id_ed25519");
  add_failing_step (fixture, "host02");
  set_waves (fixture, sizes);
  fixture->plan->parallelism = 1;
  set_halt_at (fixture, FLEET_HALT_FAILED_PER_WAVE, "1");
  run_plan (fixture);

  assert_outcomes (fixture, "oF");
  g_assert_true (fixture->result->halted);
  summary = fleet_report_format_summary (fixture->plan, fixture->result, fixture->run_dir);
  g_assert_nonnull (strstr (summary, "which halts at 1. Every host of the plan had already "
                                     "started.\n"));
  g_assert_null (strstr (summary, "were not started"));
}

int
main (int argc, char **argv)
{
  int status;

  g_test_init (&argc, &argv, NULL);

#define ADD(path, func) \
  g_test_add (path, Fixture, NULL, fixture_set_up, func, fixture_tear_down)

  ADD ("/halt/percent-reached-exactly", test_percent_reached_exactly);
  ADD ("/halt/below-threshold-continues", test_below_threshold_continues);
  ADD ("/halt/percent-rounds-down", test_percent_rounds_down);
  ADD ("/halt/single-host-waves", test_single_host_waves);
  ADD ("/halt/unreachable-halts", test_unreachable_host_halts);
  ADD ("/halt/unreachable-tolerated", test_unreachable_tolerated);
  ADD ("/halt/canary-without-success-stops", test_canary_without_success_stops);
  ADD ("/halt/summary-and-journal-rows", test_summary_and_journal_rows);
  ADD ("/halt/plain-wave-without-success-goes-on", test_plain_wave_without_success_goes_on);
  ADD ("/halt/auth-failure-is-failed", test_auth_failure_is_failed);
  ADD ("/halt/explicit-one-against-unlimited", test_explicit_one_against_unlimited);
  ADD ("/halt/no-new-host-after-threshold", test_no_new_host_after_threshold);
  ADD ("/halt/total-across-waves", test_total_threshold_across_waves);
  ADD ("/halt/whole-wave-failing", test_whole_wave_failing);
  ADD ("/halt/halt-with-nothing-left", test_halt_with_nothing_left);

  status = g_test_run ();
  release_sandbox ();
  return status;
}
