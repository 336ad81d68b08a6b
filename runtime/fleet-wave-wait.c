/* fleet-wave-wait.c: the waits between waves, and the approval gate. */
#include "runtime/fleet-wave-wait.h"

#include <errno.h>
#include <poll.h>
#include <stdlib.h>

#include <glib/gstdio.h>

#define WAIT_FILE "approval-wait"
#define ANSWER_FILE "approval"

static void
default_sleep (gint64 duration_us, gpointer data)
{
  /* A signal ends poll() early with EINTR, which is the point. */
  poll (NULL, 0, (int) MAX ((duration_us + 999) / 1000, 1));
}

static sig_atomic_t
interrupt_level (const FleetWaiter *waiter)
{
  return waiter->interrupt_level != NULL ? *waiter->interrupt_level : 0;
}

/* Sleep at most `duration_us`, in slices of at most a second, so that an
 * interrupt is seen within a second even when no signal wakes the sleep. */
static void
sleep_slice (const FleetWaiter *waiter, gint64 duration_us)
{
  gint64 slice = MIN (duration_us, G_USEC_PER_SEC);

  if (waiter->sleep != NULL)
    waiter->sleep (slice, waiter->sleep_data);
  else
    default_sleep (slice, NULL);
}

gboolean
fleet_waiter_wait (const FleetWaiter *waiter, gint64 duration_us)
{
  gint64 end_us = fleet_clock_monotonic_us (waiter->clock) + duration_us;

  for (;;)
    {
      gint64 left_us;

      if (interrupt_level (waiter) >= 1)
        return FALSE;
      left_us = end_us - fleet_clock_monotonic_us (waiter->clock);
      if (left_us <= 0)
        return TRUE;
      sleep_slice (waiter, left_us);
    }
}

void
fleet_gate_result_clear (FleetGateResult *result)
{
  g_clear_pointer (&result->approver, g_free);
  g_clear_pointer (&result->message, g_free);
}

static char *
run_file (const char *run_dir, const char *name)
{
  return g_build_filename (run_dir, name, NULL);
}

/* Read RUN_DIR/approval: "DECISION WAVE SECONDS APPROVER".  Returns FALSE
 * when there is none for `wave` (1-based). */
static gboolean
read_answer (const char *run_dir, guint wave, char **out_decision, char **out_approver)
{
  g_autofree char *path = run_file (run_dir, ANSWER_FILE);
  g_autofree char *contents = NULL;
  g_auto (GStrv) fields = NULL;

  if (!g_file_get_contents (path, &contents, NULL, NULL))
    return FALSE;

  g_strchomp (contents);
  fields = g_strsplit (contents, " ", 4);
  if (g_strv_length (fields) != 4 || strtoul (fields[1], NULL, 10) != wave
      || (!g_str_equal (fields[0], "continue") && !g_str_equal (fields[0], "abort")))
    return FALSE;

  *out_decision = g_strdup (fields[0]);
  *out_approver = g_strdup (fields[3]);
  return TRUE;
}

static void
journal_gate_start (FleetJournal *journal, const FleetClock *clock, const FleetWaveGate *gate,
                    guint wave)
{
  FleetJsonWriter *json = fleet_journal_begin (journal, "gate-start",
                                               fleet_clock_wall_us (clock));

  fleet_json_key (json, "wave");
  fleet_json_int (json, wave + 1);
  fleet_json_key (json, "pause_ms");
  fleet_json_int (json, (gint64) gate->pause_ms);
  fleet_json_key (json, "approve");
  fleet_json_bool (json, gate->approve);
  fleet_json_key (json, "approve_timeout_ms");
  fleet_json_int (json, (gint64) gate->approve_timeout_ms);
  fleet_journal_commit (journal, TRUE);
}

static const char * const outcome_names[] = {
  [FLEET_GATE_PASSED] = "passed",
  [FLEET_GATE_ABORTED] = "aborted",
  [FLEET_GATE_TIMED_OUT] = "timed-out",
  [FLEET_GATE_INTERRUPTED] = "interrupted",
};

static void
journal_gate_end (FleetJournal *journal, const FleetClock *clock, guint wave,
                  const FleetGateResult *result, const char *decision, gint64 waited_us)
{
  FleetJsonWriter *json = fleet_journal_begin (journal, "gate-end", fleet_clock_wall_us (clock));

  fleet_json_key (json, "wave");
  fleet_json_int (json, wave + 1);
  fleet_json_key (json, "outcome");
  fleet_json_string (json, outcome_names[result->outcome]);
  fleet_json_key (json, "decision");
  fleet_json_string (json, decision);
  fleet_json_key (json, "approver");
  fleet_json_string (json, result->approver);
  fleet_json_key (json, "waited_ms");
  fleet_json_int (json, waited_us / 1000);
  fleet_journal_commit (journal, TRUE);
}

/* Wait for an answer to the approval of wave `wave` (0-based).  Returns
 * the decision: "continue", "abort", "timeout" or NULL when interrupted. */
static char *
await_approval (const FleetWaveGate *gate, guint wave, const char *run_dir,
                const FleetWaiter *waiter, char **out_approver)
{
  g_autofree char *wait_path = run_file (run_dir, WAIT_FILE);
  g_autofree char *answer_path = run_file (run_dir, ANSWER_FILE);
  g_autofree char *wave_text = g_strdup_printf ("%u\n", wave + 1);
  g_autofree char *run_id = g_path_get_basename (run_dir);
  g_autoptr (GError) error = NULL;
  gint64 start_us = fleet_clock_monotonic_us (waiter->clock);
  char *decision = NULL;

  g_unlink (answer_path);
  if (!g_file_set_contents (wait_path, wave_text, -1, &error))
    g_warning ("cannot write %s, so `fleet-run --continue` cannot answer: %s", wait_path,
               error->message);
  g_printerr ("fleet-run: wave %u is done; waiting for `fleet-run --continue %s` "
              "or `fleet-run --abort %s`\n", wave + 1, run_id, run_id);

  while (decision == NULL)
    {
      gint64 waited_us = fleet_clock_monotonic_us (waiter->clock) - start_us;
      gint64 timeout_us = (gint64) gate->approve_timeout_ms * 1000;
      gint64 step_us = FLEET_APPROVAL_POLL_US;

      if (read_answer (run_dir, wave + 1, &decision, out_approver))
        break;
      if (gate->approve_timeout_ms > 0 && waited_us >= timeout_us)
        {
          decision = g_strdup ("timeout");
          break;
        }
      if (gate->approve_timeout_ms > 0)
        step_us = MIN (step_us, timeout_us - waited_us);
      if (!fleet_waiter_wait (waiter, step_us))
        break;
    }

  g_unlink (wait_path);
  g_unlink (answer_path);
  return decision;
}

void
fleet_gate_wait (const FleetWaveGate *gate, guint wave, const char *run_dir,
                 FleetJournal *journal, const FleetWaiter *waiter, FleetGateResult *result)
{
  gint64 start_us = fleet_clock_monotonic_us (waiter->clock);
  g_autofree char *decision = NULL;

  result->outcome = FLEET_GATE_PASSED;
  if (!fleet_wave_gate_is_set (gate))
    return;

  journal_gate_start (journal, waiter->clock, gate, wave);

  if (gate->pause_ms > 0 && !fleet_waiter_wait (waiter, (gint64) gate->pause_ms * 1000))
    result->outcome = FLEET_GATE_INTERRUPTED;

  if (result->outcome == FLEET_GATE_PASSED && gate->approve)
    {
      decision = await_approval (gate, wave, run_dir, waiter, &result->approver);
      if (decision == NULL)
        result->outcome = FLEET_GATE_INTERRUPTED;
      else if (g_str_equal (decision, "abort"))
        {
          result->outcome = FLEET_GATE_ABORTED;
          result->message = g_strdup_printf ("aborted after wave %u by %s", wave + 1,
                                             result->approver);
        }
      else if (g_str_equal (decision, "timeout")
               && gate->on_timeout == FLEET_GATE_ON_TIMEOUT_HALT)
        {
          g_autofree char *timeout = fleet_format_duration (gate->approve_timeout_ms);

          result->outcome = FLEET_GATE_TIMED_OUT;
          result->message = g_strdup_printf ("no approval within %s after wave %u", timeout,
                                             wave + 1);
        }
    }

  journal_gate_end (journal, waiter->clock, wave, result, decision,
                    fleet_clock_monotonic_us (waiter->clock) - start_us);
}

gboolean
fleet_approval_write (const char *run_dir, const char *decision, const char *approver,
                      GError **error)
{
  g_autofree char *wait_path = run_file (run_dir, WAIT_FILE);
  g_autofree char *answer_path = run_file (run_dir, ANSWER_FILE);
  g_autofree char *wave_text = NULL;
  g_autofree char *answer = NULL;
  g_autoptr (GDateTime) now = g_date_time_new_now_utc ();

  if (!g_file_get_contents (wait_path, &wave_text, NULL, NULL))
    {
      g_set_error (error, G_FILE_ERROR, G_FILE_ERROR_NOENT,
                   "run %s is not waiting for an approval (%s is missing); check the run id "
                   "and --runs-dir", run_dir, wait_path);
      return FALSE;
    }

  if (g_file_test (answer_path, G_FILE_TEST_EXISTS))
    {
      g_set_error (error, G_FILE_ERROR, G_FILE_ERROR_EXIST,
                   "run %s already has an answer for wave %s (%s); it takes effect within a "
                   "second", run_dir, g_strchomp (wave_text), answer_path);
      return FALSE;
    }

  g_strchomp (wave_text);
  answer = g_strdup_printf ("%s %s %" G_GINT64_FORMAT " %s\n", decision, wave_text,
                            g_date_time_to_unix (now), approver);
  return g_file_set_contents (answer_path, answer, -1, error);
}
