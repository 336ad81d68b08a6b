/* test-scale.c: fleet-run with 500 authenticated SSH connections open at
 * once, against a sandbox fleet of 500 real sshd servers on 127.0.0.1.
 *
 * The first step is a barrier: every host leaves a file in a directory they
 * all see and waits until all of them have, so the step can only succeed
 * when every host's connection is authenticated and running a command at
 * the same time.  The second step checks, on the server side, that it runs
 * on the same TCP connection as the first.
 */
#include <string.h>

#include <glib/gstdio.h>

#include "runtime/fleet-executor.h"
#include "tests/runtime-fixture.h"

#define SCALE_HOSTS 500

/* Return how many lines of `lines` record `event` for host `name`. */
static guint
count_host_events (char **lines, const char *event, const char *name)
{
  g_autofree char *event_member = g_strdup_printf ("\"event\":\"%s\"", event);
  g_autofree char *host_member = g_strdup_printf ("\"host\":\"%s\"", name);
  guint count = 0;

  for (char **line = lines; *line != NULL; line++)
    if (strstr (*line, event_member) != NULL && strstr (*line, host_member) != NULL)
      count++;
  return count;
}

static void
test_500_hosts_at_once (Fixture *fixture, gconstpointer data)
{
  const guint sizes[] = { SCALE_HOSTS, 0 };
  g_autofree char *barrier_dir = NULL;
  g_autofree char *barrier = NULL;
  g_autofree char *journal = NULL;
  g_auto(GStrv) lines = NULL;

  if (!require_sandbox_hosts (SCALE_HOSTS))
    return;

  barrier_dir = g_build_filename (fixture->run_dir, "barrier", NULL);
  g_assert_cmpint (g_mkdir (barrier_dir, 0700), ==, 0);

  /* The loop uses only shell builtins besides sleep, so 500 waiting hosts
   * cost little CPU.  The step timeout ends the wait when some host never
   * arrives, which fails the test. */
  barrier = g_strdup_printf ("touch '%s'/\"$FLEET_HOST\" && "
                             "while set -- '%s'/*; [ $# -lt %u ]; do sleep 1; done && "
                             "echo \"$SSH_CONNECTION\" > \"$FLEET_STATE_DIR/connection\"",
                             barrier_dir, barrier_dir, SCALE_HOSTS);

  add_hosts (fixture, SCALE_HOSTS, "id_ed25519");
  add_step (fixture, "all connected at once", barrier, 50000);
  add_step (fixture, "same connection",
            "test \"$SSH_CONNECTION\" = \"$(cat \"$FLEET_STATE_DIR/connection\")\"", 30000);
  set_waves (fixture, sizes);
  fixture->plan->parallelism = SCALE_HOSTS;
  /* The barrier needs every host busy at once: an adaptive limit would
   * start fewer and wait for hosts that cannot finish until all started. */
  fixture->plan->pacing = fleet_pacing_new ();
  fixture->plan->pacing->fixed = TRUE;
  run_plan (fixture);

  g_assert_cmpint (fleet_run_result_exit_status (fixture->result), ==, 0);
  g_assert_cmpuint (fixture->result->hosts->len, ==, SCALE_HOSTS);
  for (guint i = 0; i < SCALE_HOSTS; i++)
    {
      const FleetHostResult *host = host_result (fixture, i);

      g_assert_cmpint (host->outcome, ==, FLEET_HOST_SUCCEEDED);
      g_assert_cmpint (step_result (fixture, i, 0)->exit_status, ==, 0);
      g_assert_cmpint (step_result (fixture, i, 1)->exit_status, ==, 0);
    }

  journal = read_run_file (fixture, "journal.jsonl");
  lines = g_strsplit (journal, "\n", -1);
  g_assert_nonnull (strstr (journal, "\"event\":\"run-end\",\"exit_status\":0,\"succeeded\":500"));
  g_assert_null (strstr (journal, "\"event\":\"host-reconnect\""));
  for (guint i = 0; i < SCALE_HOSTS; i++)
    {
      g_autofree char *name = fleet_sandbox_host_name (shared_sandbox, i);

      g_assert_cmpuint (count_host_events (lines, "host-connected", name), ==, 1);
      g_assert_cmpuint (count_host_events (lines, "step-end", name), ==, 2);
      g_assert_cmpuint (count_host_events (lines, "host-end", name), ==, 1);
    }
}

int
main (int argc, char **argv)
{
  int status;

  g_test_init (&argc, &argv, NULL);

  g_test_add ("/scale/500-hosts-at-once", Fixture, NULL, fixture_set_up, test_500_hosts_at_once,
              fixture_tear_down);

  status = g_test_run ();
  release_sandbox ();
  return status;
}
