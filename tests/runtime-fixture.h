/* runtime-fixture.h: what the integration tests of fleet-run share.
 *
 * One sandbox fleet of SANDBOX_HOSTS sshd servers serves every test of a
 * test program: starting servers is the slow part, and each test leaves the
 * fleet as it found it.  A Fixture is one plan, built in C, and the run
 * directory it executes in.
 */
#pragma once

#include <glib.h>

#include "runtime/fleet-executor.h"
#include "tests/sandbox.h"

#define SANDBOX_HOSTS 10

extern FleetSandbox *shared_sandbox;

typedef struct {
  FleetPlan *plan;
  char *run_dir;
  FleetRunOptions options;       /* run_id and run_dir are filled in */
  FleetRunResult *result;
} Fixture;

void fixture_set_up (Fixture *fixture, gconstpointer data);
void fixture_tear_down (Fixture *fixture, gconstpointer data);

/* For a Fixture on the stack: g_auto(Fixture) tears it down. */
void fixture_clear (Fixture *fixture);
G_DEFINE_AUTO_CLEANUP_CLEAR_FUNC (Fixture, fixture_clear)

/* Forget the result, the plan's hosts, steps and waves, and the run's
 * journal and output, so the fixture can run a new plan. */
void fixture_reset (Fixture *fixture);

/* Start the shared sandbox on first use.  Returns FALSE, after
 * g_test_skip(), when the machine cannot run one. */
gboolean require_sandbox (void);

/* Like require_sandbox, but a fleet started here has only `n_hosts`
 * servers, for test programs that use no more: each server takes seconds
 * to start on a loaded machine. */
gboolean require_sandbox_hosts (guint n_hosts);

/* Stop the shared sandbox; call once at the end of main(). */
void release_sandbox (void);

/* Add sandbox hosts 0 .. n_hosts-1 to the plan, logging in with `key_name`. */
void add_hosts (Fixture *fixture, guint n_hosts, const char *key_name);

FleetStep *add_step (Fixture *fixture, const char *name, const char *command,
                     guint64 timeout_ms);

/* Put the plan's hosts into waves of the given sizes, in host order; the
 * list ends with 0. */
void set_waves (Fixture *fixture, const guint *sizes);

/* Set halt rule `rule` of the plan to `threshold` ("2", "50%",
 * "unlimited"), as a workflow's halt_at would. */
void set_halt_at (Fixture *fixture, FleetHaltRule rule, const char *threshold);

/* Resolve the plan's halt thresholds for its waves (as the planner does),
 * then run it with fixture->options; every host message goes to the test
 * log. */
void run_plan (Fixture *fixture);

const FleetHostResult *host_result (const Fixture *fixture, guint index);
const FleetStepResult *step_result (const Fixture *fixture, guint host, guint step);

/* Return the contents of a file under the run directory; free with g_free. */
char *read_run_file (const Fixture *fixture, const char *relative);

/* Give sandbox host `index` the sshd settings `text` (NULL: none) and
 * restart it. */
void set_host_sshd_extra (guint index, const char *text);

/* Return the path of a file in the home directory of sandbox host `index`;
 * free with g_free. */
char *host_home_path (guint index, const char *name);
