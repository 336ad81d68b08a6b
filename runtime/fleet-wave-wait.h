/* fleet-wave-wait.h: the waits between waves, and the approval gate.
 *
 * Every wait between waves (a check's bake time and retry interval, a
 * pause, an approval) goes through a FleetWaiter, which measures time with
 * the injected clock and sleeps through an injected function, so tests
 * drive these waits without sleeping.  A wait ends early when the
 * interrupt level becomes 1 or more.
 *
 * An approval is a file in the run directory.  While fleet-run waits it
 * keeps RUN_DIR/approval-wait, which contains the awaited wave number;
 * `fleet-run --continue RUN` or `--abort RUN` (fleet_approval_write)
 * answers with RUN_DIR/approval, which names the decision, the wave, the
 * user who made it and when.  fleet-run removes both files when the wait
 * ends, so each gate needs its own answer.
 */
#pragma once

#include <signal.h>

#include <glib.h>

#include "runtime/fleet-journal.h"
#include "schema/fleet-clock.h"
#include "schema/fleet-wave-gate.h"

G_BEGIN_DECLS

/* How often fleet-run looks for an approval file. */
#define FLEET_APPROVAL_POLL_US (G_USEC_PER_SEC)

typedef struct {
  const FleetClock *clock;
  /* Sleep for about `duration_us` (at most one second is asked at a time)
   * and return early on a signal; NULL: poll() with no descriptors. */
  void (*sleep) (gint64 duration_us, gpointer data);
  gpointer sleep_data;
  volatile sig_atomic_t *interrupt_level; /* NULL: never interrupted */
} FleetWaiter;

/* Wait `duration_us` by the waiter's clock.  Returns FALSE when an
 * interrupt ended the wait early. */
gboolean fleet_waiter_wait (const FleetWaiter *waiter, gint64 duration_us);

typedef enum {
  FLEET_GATE_PASSED,             /* no wait, a pause, an approval, or a timeout
                                    whose on_timeout is continue */
  FLEET_GATE_ABORTED,            /* fleet-run --abort */
  FLEET_GATE_TIMED_OUT,          /* the approval timeout, with on_timeout halt */
  FLEET_GATE_INTERRUPTED,
} FleetGateOutcome;

typedef struct {
  FleetGateOutcome outcome;
  char *approver;                /* who continued or aborted, or NULL */
  char *message;                 /* for the summary when the run stops here, or NULL */
} FleetGateResult;

void fleet_gate_result_clear (FleetGateResult *result);
G_DEFINE_AUTO_CLEANUP_CLEAR_FUNC (FleetGateResult, fleet_gate_result_clear)

/* Wait as `gate` specifies after wave `wave` (0-based), writing gate-start and
 * gate-end records to `journal`, and fill in `result`. */
void fleet_gate_wait (const FleetWaveGate *gate, guint wave, const char *run_dir,
                      FleetJournal *journal, const FleetWaiter *waiter,
                      FleetGateResult *result);

/* Answer the approval wait of the run in `run_dir`: `decision` is
 * "continue" or "abort", `approver` who decides.  Fails when the run is
 * not waiting for an approval. */
gboolean fleet_approval_write (const char *run_dir, const char *decision, const char *approver,
                               GError **error);

G_END_DECLS
