/* test-scale.c: fleet-run with 500 authenticated SSH connections open at
 * once, against a sandbox fleet of 500 real sshd servers on 127.0.0.1.
 *
 * The first step is a barrier.  Every host leaves a file in a directory
 * they all see and waits until all 500 files are there, so the step can only
 * succeed when every host's connection is authenticated and running a
 * command at the same time.  The second step checks, on the server side, that it runs
 * on the same TCP connection as the first.
 */
#include <fcntl.h>
#include <string.h>
#include <unistd.h>
#include <sys/file.h>

#include <glib/gstdio.h>

#include "runtime/fleet-executor.h"
#include "tests/runtime-fixture.h"

#define SCALE_HOSTS 500
#define BARRIER_TIMEOUT_MS (240 * 1000)

/* The test runs only when this variable is "1": 500 sshd servers load a
 * small machine for a minute, too much for every test run of a developer
 * who shares it. */
#define SCALE_ENV "FLEET_TEST_SCALE"

/* Test runs of several checkouts on one machine take turns with this test:
 * two fleets of 500 sshd servers at once overload a small machine. */
#define SCALE_LOCK_PATH "/tmp/fleetc-scale-test.lock"

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

/* Check that every host succeeded on one connection, in the results and
 * in the journal.  Assertions here do not abort (the caller makes them
 * non-fatal), so each check guards what the next one reads. */
static void
check_run (Fixture *fixture)
{
  g_autofree char *journal = NULL;
  g_auto(GStrv) lines = NULL;

  g_assert_nonnull (fixture->result);
  if (fixture->result == NULL)
    return;

  g_assert_cmpint (fleet_run_result_exit_status (fixture->result), ==, 0);
  g_assert_cmpuint (fixture->result->hosts->len, ==, SCALE_HOSTS);
  for (guint i = 0; i < fixture->result->hosts->len; i++)
    {
      g_assert_cmpint (host_result (fixture, i)->outcome, ==, FLEET_HOST_SUCCEEDED);
      g_assert_cmpint (step_result (fixture, i, 0)->exit_status, ==, 0);
      g_assert_cmpint (step_result (fixture, i, 1)->exit_status, ==, 0);
    }

  journal = read_run_file (fixture, "journal.jsonl");
  if (journal == NULL)
    return;
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

static void
test_500_hosts_at_once (Fixture *fixture, gconstpointer data)
{
  const guint sizes[] = { SCALE_HOSTS, 0 };
  g_autofree char *barrier_dir = NULL;
  g_autofree char *barrier = NULL;
  int lock_fd;

  if (g_strcmp0 (g_getenv (SCALE_ENV), "1") != 0)
    {
      g_test_skip ("set " SCALE_ENV "=1 to run the 500-host test; scripts/test does in its "
                   "coverage run");
      return;
    }

  lock_fd = open (SCALE_LOCK_PATH, O_RDWR | O_CREAT | O_CLOEXEC, 0666);
  g_assert_cmpint (lock_fd, >=, 0);
  g_assert_cmpint (flock (lock_fd, LOCK_EX), ==, 0);

  if (!require_sandbox_hosts (SCALE_HOSTS))
    {
      close (lock_fd);
      return;
    }

  /* A failed check must not leave 500 servers running: from here on
   * assertions only mark the test failed, and the fleet is always stopped
   * before the next test run may start its own. */
  g_test_set_nonfatal_assertions ();

  barrier_dir = g_build_filename (fixture->run_dir, "barrier", NULL);
  g_assert_cmpint (g_mkdir (barrier_dir, 0700), ==, 0);

  /* The loop uses only shell builtins besides sleep, so 500 waiting hosts
   * cost little CPU: about 170 short sleep processes a second.  The step
   * timeout ends the wait when some host never arrives, which fails the
   * test. */
  barrier = g_strdup_printf ("touch '%s'/\"$FLEET_HOST\" && "
                             "while set -- '%s'/*; [ $# -lt %u ]; do sleep 3; done && "
                             "echo \"$SSH_CONNECTION\" > \"$FLEET_STATE_DIR/connection\"",
                             barrier_dir, barrier_dir, SCALE_HOSTS);

  /* Generous limits: on a machine that other work shares, 500 logins can
   * take minutes, and a slow login must not fail the test. */
  add_hosts (fixture, SCALE_HOSTS, "id_ed25519");
  for (guint i = 0; i < SCALE_HOSTS; i++)
    ((FleetHost *) g_ptr_array_index (fixture->plan->hosts, i))->connect_timeout_ms =
      BARRIER_TIMEOUT_MS;
  add_step (fixture, "all connected at once", barrier, BARRIER_TIMEOUT_MS);
  add_step (fixture, "same connection",
            "test \"$SSH_CONNECTION\" = \"$(cat \"$FLEET_STATE_DIR/connection\")\"", 30000);
  set_waves (fixture, sizes);
  fixture->plan->parallelism = SCALE_HOSTS;

  /* All 500 at once, as a workflow's fixed concurrency requests.  The
   * adaptive limit would read the barrier's long first step as congestion. */
  fixture->plan->pacing = fleet_pacing_new ();
  fixture->plan->pacing->fixed = TRUE;
  run_plan (fixture);
  check_run (fixture);

  release_sandbox ();
  close (lock_fd);
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
