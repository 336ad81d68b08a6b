/* fleet-executor.c: the wave scheduler and its poll() event loop. */
#include "runtime/fleet-executor.h"

#include "schema/fleet-condition.h"

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <string.h>
#include <unistd.h>

#include <gio/gio.h>
#include <glib/gstdio.h>

#include "runtime/fleet-check-run.h"
#include "runtime/fleet-barrier-gate.h"
#include "runtime/fleet-become.h"
#include "runtime/fleet-halt.h"
#include "runtime/fleet-journal.h"
#include "runtime/fleet-run-reports.h"
#include "runtime/fleet-rollback-run.h"
#include "runtime/fleet-wave-held.h"
#include "runtime/fleet-canary-stop.h"
#include "runtime/fleet-load-guard.h"
#include "runtime/fleet-pacer.h"
#include "runtime/fleet-resume.h"
#include "runtime/fleet-snapshot-run.h"
#include "runtime/fleet-window-abort.h"
#include "runtime/fleet-window-gate.h"
#include "runtime/fleet-wave-end.h"
#include "runtime/fleet-step-task.h"
#include "runtime/fleet-step-schedule.h"
#include "runtime/fleet-facts-run.h"
#include "schema/fleet-facts.h"
#include "schema/fleet-snapshot-store.h"

/* Even when no socket is ready, every busy connection is processed this
 * often, so that no deadline or buffered data waits on the poll. */
#define SWEEP_INTERVAL_US (200 * 1000)

/* Where one stream of one step goes: its first bytes straight into the
 * output file, and once the head limit is reached, the latest bytes into a
 * fixed ring that is appended to the file when the step ends.  A flood of
 * output thus costs a bounded amount of disk and memory, and what is kept is
 * what admins read: how it started and how it ended. */
typedef struct {
  int fd;
  guint64 head_limit;
  guint64 head_written;
  guint8 *ring;
  gsize ring_size;
  gsize ring_used;
  gsize ring_next;
  guint64 omitted;                /* bytes neither in the head nor the ring */
} OutputSink;

typedef struct HostRun HostRun;

/* One step of a host in flight: its command or task and output files.  A
 * host has one slot, or one per step the plan lets run at once
 * (fleet-step-overlap.h). */
typedef struct {
  HostRun *run;
  gboolean active;
  guint step;                    /* index in plan->steps */
  FleetCommand *command;
  FleetStepTask *task;           /* the running step when it is a task, or NULL */
  gboolean launch_pending;       /* the step waits for its journal line */
  guint64 launch_after;          /* ... whose sequence number is this */
  gint64 started_us;
  OutputSink stdout_sink;
  OutputSink stderr_sink;
} StepSlot;

/* A failed step of a host whose other steps were still running: the host
 * ends once they have finished (fleet-step-schedule.h). */
typedef struct {
  gboolean pending;
  gboolean after_snapshot;       /* end through host_fail_after_snapshot */
  FleetHostOutcome outcome;
  FleetFailure failure;
  char *message;
  GArray *in_flight;             /* guint, the steps running when it failed */
} HostStop;

struct HostRun {
  FleetHostResult *result;
  FleetConnection *connection;
  StepSlot *slots;
  guint n_slots;
  FleetStepSchedule *schedule;   /* which step may start next */
  HostStop stop;
  FleetFactsGathering *facts_gathering; /* running fact gathering, or NULL */
  GHashTable *facts;             /* the host's facts once gathered (fleet-facts.h) */
  guint reconnects;              /* connections reopened between steps */
  guint next_step;               /* the first step that has not ended well */
  gint64 started_us;
  FleetSnapshotCollection *snapshot_collection; /* running collector, or NULL */
  FleetSnapshot *snapshot_before;
  guint snapshots_taken;         /* 0, 1 (before) or 2 (after) */
  /* A step failed, and the host ends with this outcome once its after
   * snapshot is taken. */
  gboolean finish_pending;
  FleetHostOutcome pending_outcome;
  FleetFailure pending_failure;
  char *pending_message;
  gboolean *pty_retry;           /* per step: it runs again with a terminal */
  FleetLoadGuard *load_guard;    /* running load check, or NULL */
  gboolean guard_passed;
  gint64 guard_first_us;         /* when the first load check started */
  gint64 deferred_until_us;      /* a busy host waits until then */
  gboolean connected;
  gboolean busy;
  gboolean finished;
  guint index;                   /* in plan->hosts */
  gboolean started;              /* start_host ran */
  FleetHostWindow window;        /* maintenance window state (fleet-window-gate.h) */
  gboolean barrier_waiting;      /* the next step waits for other hosts; journaled */
};

typedef struct {
  const FleetPlan *plan;
  const FleetRunOptions *options;
  const FleetClock *clock;
  GPtrArray *hosts;              /* FleetHost *, plan hosts with overrides applied */
  FleetSshContext *ssh;
  FleetJournal *journal;
  GPtrArray *runs;               /* HostRun *, in plan host order */
  FleetRunResult *result;
  FleetHaltCounts halt_counts;
  gboolean stopping;
  gint64 abort_at_us;            /* after an interrupt: when the grace period ends */
  gboolean snapshot_halt;        /* on_unexpected or on_drift: halt fired; start no more hosts */
  FleetDriftReferences *drift_references; /* the store's latest snapshots; NULL unless
                                             the plan compares with them */
  FleetPacer *pacer;             /* when the next host may start */
  guint pacer_changes_journaled;
  GPtrArray *window_waiting;     /* HostRun *, hosts of the wave waiting for a window */
  GPtrArray *guard_deferred;     /* HostRun *, hosts the load guard deferred; they
                                    hold no concurrency slot while they wait */
  FleetBarrierGate *barriers;    /* steps that wait for other hosts (fleet-barrier-gate.h) */
} Executor;

static void
step_result_free (FleetStepResult *step)
{
  g_free (step->exit_signal);
  g_free (step->message);
  g_free (step->skip_reason);
  g_string_free (step->stdout_tail, TRUE);
  g_string_free (step->stderr_tail, TRUE);
  g_free (step);
}

static void
host_result_free (FleetHostResult *host)
{
  g_free (host->snapshot_before);
  g_free (host->snapshot_after);
  fleet_snapshot_diff_free (host->snapshot_diff);
  g_free (host->snapshot_error);
  fleet_drift_result_free (host->drift);
  g_free (host->message);
  g_ptr_array_unref (host->steps);
  g_free (host);
}

void
fleet_run_result_free (FleetRunResult *result)
{
  if (result == NULL)
    return;

  g_ptr_array_unref (result->hosts);
  g_array_unref (result->wave_durations_us);
  g_clear_pointer (&result->concurrency_history, g_array_unref);
  if (result->host_records != NULL)
    g_ptr_array_unref (result->host_records);
  g_ptr_array_unref (result->check_failures);
  g_free (result->stop_reason);
  if (result->rollback != NULL)
    g_ptr_array_unref (result->rollback);
  g_free (result);
}

int
fleet_run_result_exit_status (const FleetRunResult *result)
{
  if (result->interrupted)
    return 3;
  if (result->paused)
    return 4;
  if (result->check_failures->len > 0 || result->stop_reason != NULL)
    return 1;

  for (guint i = 0; i < result->hosts->len; i++)
    {
      const FleetHostResult *host = g_ptr_array_index (result->hosts, i);
      if (host->outcome != FLEET_HOST_SUCCEEDED)
        return 1;
    }
  return 0;
}

static gint64
now_us (const Executor *executor)
{
  return fleet_clock_monotonic_us (executor->clock);
}

static gint64
wall_us (const Executor *executor)
{
  return fleet_clock_wall_us (executor->clock);
}

/* The remote command line for `step` on the host `host_name`, under sudo
 * with become (fleet-become.h). */
static char *
build_command_line (const FleetStep *step, const char *host_name, gboolean with_password)
{
  return fleet_become_command_line (step, fleet_step_command_for_host (step, host_name),
                                    with_password);
}

/* Output files */

static guint64
output_cap (const Executor *executor)
{
  return executor->options->output_cap_bytes > 0 ? executor->options->output_cap_bytes
                                                 : FLEET_DEFAULT_OUTPUT_CAP_BYTES;
}

static gboolean
open_output_file (const Executor *executor, const FleetHost *host, guint step, const char *suffix,
                  OutputSink *sink, GError **error)
{
  g_autofree char *directory = g_build_filename (executor->options->run_dir, "output",
                                                 host->name, NULL);
  g_autofree char *name = g_strdup_printf ("%02u.%s", step + 1, suffix);
  g_autofree char *path = g_build_filename (directory, name, NULL);
  guint64 cap = output_cap (executor);

  if (g_mkdir_with_parents (directory, 0750) != 0)
    {
      int saved_errno = errno;
      g_set_error (error, G_IO_ERROR, g_io_error_from_errno (saved_errno),
                   "cannot create %s: %s", directory, g_strerror (saved_errno));
      return FALSE;
    }

  *sink = (OutputSink) { .fd = -1 };
  sink->ring_size = (gsize) MIN (cap / 4, (guint64) FLEET_OUTPUT_RING_BYTES);
  sink->head_limit = cap - sink->ring_size;
  sink->fd = open (path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0640);
  if (sink->fd < 0)
    {
      int saved_errno = errno;
      g_set_error (error, G_IO_ERROR, g_io_error_from_errno (saved_errno),
                   "cannot create %s: %s", path, g_strerror (saved_errno));
      return FALSE;
    }
  return TRUE;
}

static void
keep_tail (GString *tail, const char *data, gsize length)
{
  g_string_append_len (tail, data, length);
  if (tail->len > 2 * FLEET_OUTPUT_TAIL_BYTES)
    g_string_erase (tail, 0, tail->len - FLEET_OUTPUT_TAIL_BYTES);
}

static void
write_all (int fd, const char *data, gsize length)
{
  while (length > 0)
    {
      ssize_t written = write (fd, data, length);

      if (written < 0 && errno == EINTR)
        continue;
      if (written < 0)
        {
          g_warning ("cannot save command output: %s", g_strerror (errno));
          return;
        }
      data += written;
      length -= written;
    }
}

static void
sink_write (OutputSink *sink, const char *data, gsize length)
{
  gsize to_head = (gsize) MIN ((guint64) length, sink->head_limit - sink->head_written);

  write_all (sink->fd, data, to_head);
  sink->head_written += to_head;
  data += to_head;
  length -= to_head;
  if (length == 0)
    return;

  if (sink->ring_size == 0)
    {
      sink->omitted += length;
      return;
    }
  if (sink->ring == NULL)
    sink->ring = g_malloc (sink->ring_size);

  /* Only the last ring_size bytes of this chunk can survive. */
  if (length > sink->ring_size)
    {
      sink->omitted += length - sink->ring_size;
      data += length - sink->ring_size;
      length = sink->ring_size;
    }

  while (length > 0)
    {
      gsize room = MIN (length, sink->ring_size - sink->ring_next);

      if (sink->ring_used == sink->ring_size)
        sink->omitted += room;
      memcpy (sink->ring + sink->ring_next, data, room);
      sink->ring_next = (sink->ring_next + room) % sink->ring_size;
      sink->ring_used = MIN (sink->ring_used + room, sink->ring_size);
      data += room;
      length -= room;
    }
}

/* Append the ring to the file, after a line saying how much was left out,
 * and close it.  Returns the number of bytes left out. */
static guint64
sink_close (OutputSink *sink)
{
  guint64 omitted = sink->omitted;

  if (sink->fd < 0)
    return 0;

  if (sink->ring_used > 0)
    {
      gsize start = sink->ring_used < sink->ring_size ? 0 : sink->ring_next;

      if (omitted > 0)
        {
          g_autofree char *marker = g_strdup_printf ("\n[fleet-run: %" G_GUINT64_FORMAT
                                                     " bytes of output left out here]\n",
                                                     omitted);
          write_all (sink->fd, marker, strlen (marker));
        }
      write_all (sink->fd, (const char *) sink->ring + start, sink->ring_used - start);
      write_all (sink->fd, (const char *) sink->ring, start);
    }

  close (sink->fd);
  g_free (sink->ring);
  *sink = (OutputSink) { .fd = -1 };
  return omitted;
}

static void
on_output (const char *data, gsize length, gboolean is_stderr, gpointer user_data)
{
  StepSlot *slot = user_data;
  FleetStepResult *step = g_ptr_array_index (slot->run->result->steps, slot->step);

  keep_tail (is_stderr ? step->stderr_tail : step->stdout_tail, data, length);
  sink_write (is_stderr ? &slot->stderr_sink : &slot->stdout_sink, data, length);
}

static void
close_output_files (StepSlot *slot, FleetStepResult *result)
{
  guint64 stdout_omitted = sink_close (&slot->stdout_sink);
  guint64 stderr_omitted = sink_close (&slot->stderr_sink);

  if (result != NULL)
    {
      result->stdout_omitted_bytes += stdout_omitted;
      result->stderr_omitted_bytes += stderr_omitted;
    }
}

/* Journal records */

static void
journal_host_event (Executor *executor, const char *event, const HostRun *run)
{
  FleetJsonWriter *json = fleet_journal_begin (executor->journal, event, wall_us (executor));

  fleet_json_key (json, "host");
  fleet_json_string (json, run->result->host->name);
  fleet_json_key (json, "wave");
  fleet_json_int (json, run->result->wave + 1);
  fleet_journal_commit (executor->journal, FALSE);
}

static void
journal_step_end (Executor *executor, const HostRun *run, guint index,
                  const FleetStepResult *result)
{
  const FleetStep *step = g_ptr_array_index (executor->plan->steps, index);
  FleetJsonWriter *json = fleet_journal_begin (executor->journal, "step-end", wall_us (executor));

  fleet_json_key (json, "host");
  fleet_json_string (json, run->result->host->name);
  fleet_json_key (json, "step");
  fleet_json_int (json, index + 1);
  fleet_json_key (json, "name");
  fleet_json_string (json, step->name);
  fleet_json_key (json, "status");
  fleet_json_string (json, result->failure == FLEET_FAILURE_NONE ? "ok" : "failed");
  fleet_json_key (json, "error");
  fleet_json_string (json, result->failure == FLEET_FAILURE_NONE
                             ? NULL : fleet_failure_code (result->failure));
  fleet_json_key (json, "exit_status");
  if (result->exit_status >= 0)
    fleet_json_int (json, result->exit_status);
  else
    fleet_json_null (json);
  fleet_json_key (json, "signal");
  fleet_json_string (json, result->exit_signal);
  fleet_json_key (json, "message");
  fleet_json_string (json, result->message);
  fleet_json_key (json, "stdout_bytes");
  fleet_json_int (json, (gint64) result->stdout_bytes);
  fleet_json_key (json, "stderr_bytes");
  fleet_json_int (json, (gint64) result->stderr_bytes);
  fleet_json_key (json, "stdout_omitted_bytes");
  fleet_json_int (json, (gint64) result->stdout_omitted_bytes);
  fleet_json_key (json, "stderr_omitted_bytes");
  fleet_json_int (json, (gint64) result->stderr_omitted_bytes);
  fleet_json_key (json, "duration_ms");
  fleet_json_int (json, result->duration_us / 1000);
  /* Without changed_when a successful step counts as a change
   * (docs/workflow.md), and `changed_assumed` records that no test
   * decided it. */
  fleet_json_key (json, "changed");
  if (result->changed >= 0)
    fleet_json_bool (json, result->changed == 1);
  else if (result->failure == FLEET_FAILURE_NONE)
    fleet_json_bool (json, TRUE);
  else
    fleet_json_null (json);
  fleet_json_key (json, "changed_assumed");
  fleet_json_bool (json, result->changed < 0 && result->failure == FLEET_FAILURE_NONE);
  fleet_json_key (json, "attempts");
  fleet_json_int (json, MAX (result->attempts, 1));
  /* Synced by the next flush, at the latest before the loop next waits;
   * usually the one of the host's next step-start line. */
  fleet_journal_commit_batched (executor->journal);
}

/* Host state machine */

static void
host_finish (Executor *executor, HostRun *run, FleetHostOutcome outcome, FleetFailure failure,
             const char *message)
{
  FleetJsonWriter *json;

  run->finished = TRUE;
  run->busy = FALSE;
  run->result->outcome = outcome;
  run->result->failure = failure;
  run->result->message = g_strdup (message);
  run->result->duration_us = now_us (executor) - run->started_us;
  fleet_halt_counts_add (&executor->halt_counts, run->result);
  if (executor->options->observer != NULL && executor->options->observer->host_finished != NULL)
    executor->options->observer->host_finished (run->result, executor->options->observer->data);

  json = fleet_journal_begin (executor->journal, "host-end", wall_us (executor));
  fleet_json_key (json, "host");
  fleet_json_string (json, run->result->host->name);
  fleet_json_key (json, "outcome");
  fleet_json_string (json, outcome == FLEET_HOST_SUCCEEDED ? "succeeded"
                             : outcome == FLEET_HOST_FAILED ? "failed" : "interrupted");
  fleet_json_key (json, "error");
  fleet_json_string (json, failure == FLEET_FAILURE_NONE ? NULL : fleet_failure_code (failure));
  fleet_json_key (json, "message");
  fleet_json_string (json, message);
  fleet_journal_commit (executor->journal, TRUE);
}

static void host_fail_after_snapshot (Executor *executor, HostRun *run, FleetHostOutcome outcome,
                                      FleetFailure failure, const char *message);

static char *
describe_step_failure (const FleetStep *step, const FleetStepResult *result)
{
  if (result->failure == FLEET_FAILURE_EXIT_CODE)
    {
      g_autoptr(GString) expected = g_string_new (NULL);

      for (guint i = 0; i < step->expected_exit_codes->len; i++)
        g_string_append_printf (expected, "%s%d", i > 0 ? ", " : "",
                                g_array_index (step->expected_exit_codes, int, i));
      return g_strdup_printf ("exited with status %d (expected %s)", result->exit_status,
                              expected->str);
    }
  return g_strdup (result->message);
}

static void
journal_pty_retry (Executor *executor, const HostRun *run, guint index, const FleetStep *step)
{
  FleetJsonWriter *json = fleet_journal_begin (executor->journal, "step-retry-with-terminal",
                                               wall_us (executor));

  fleet_json_key (json, "host");
  fleet_json_string (json, run->result->host->name);
  fleet_json_key (json, "step");
  fleet_json_int (json, index + 1);
  fleet_json_key (json, "name");
  fleet_json_string (json, step->name);
  fleet_journal_commit (executor->journal, TRUE);
}

static void
reset_step_result (FleetStepResult *result)
{
  g_clear_pointer (&result->exit_signal, g_free);
  g_clear_pointer (&result->message, g_free);
  result->failure = FLEET_FAILURE_NONE;
  result->exit_status = -1;
  g_string_truncate (result->stdout_tail, 0);
  g_string_truncate (result->stderr_tail, 0);
}

static void conclude_step (Executor *executor, HostRun *run, guint index,
                           FleetStepResult *result);

/* Free the slot of a step that ended. */
static void
release_slot (StepSlot *slot)
{
  slot->active = FALSE;
  slot->launch_pending = FALSE;
}

static void
finish_step (Executor *executor, HostRun *run, StepSlot *slot)
{
  guint index = slot->step;
  const FleetStep *step = g_ptr_array_index (executor->plan->steps, index);
  FleetStepResult *result = g_ptr_array_index (run->result->steps, index);
  FleetCommand *command = g_steal_pointer (&slot->command);
  FleetBecomeVerdict verdict;

  result->failure = fleet_command_get_failure (command);
  result->exit_status = fleet_command_get_exit_status (command);
  result->exit_signal = g_strdup (fleet_command_get_exit_signal (command));
  result->message = g_strdup (fleet_command_get_message (command));
  result->stdout_bytes = fleet_command_get_stdout_bytes (command);
  result->stderr_bytes = fleet_command_get_stderr_bytes (command);
  result->duration_us = now_us (executor) - slot->started_us;
  fleet_command_free (command);
  close_output_files (slot, result);
  release_slot (slot);

  verdict = fleet_become_judge (step, result->failure, result->exit_status,
                                result->stderr_tail->str);
  /* sudo refused before running anything, so running the step again with
   * a terminal cannot run it twice.  A password is never typed into a
   * terminal: the terminal would echo it into the output. */
  if (verdict == FLEET_BECOME_NEEDS_TERMINAL && !run->pty_retry[index]
      && run->result->host->become_password_secret == NULL)
    {
      journal_pty_retry (executor, run, index, step);
      run->pty_retry[index] = TRUE;
      reset_step_result (result);
      fleet_step_schedule_set_pending (run->schedule, index);
      return;
    }

  if (verdict != FLEET_BECOME_RAN)
    {
      g_free (result->message);
      result->failure = fleet_become_refusal (verdict, step, run->result->host,
                                                &result->message);
    }
  else if (result->failure == FLEET_FAILURE_NONE
           && !fleet_step_expects_exit_code (step, result->exit_status))
    {
      result->failure = FLEET_FAILURE_EXIT_CODE;
      g_free (result->message);
      result->message = describe_step_failure (step, result);
    }
  run->pty_retry[index] = FALSE;
  conclude_step (executor, run, index, result);
}

/* Record that step `index` ended well (succeeded or skipped). */
static void
step_done (HostRun *run, guint index)
{
  fleet_step_schedule_set_done (run->schedule, index);
  run->next_step = fleet_step_schedule_first_unfinished (run->schedule);
}

/* Return the number of steps of `run` in flight. */
static guint
running_steps (const HostRun *run)
{
  guint running = 0;

  for (guint i = 0; i < run->n_slots; i++)
    running += run->slots[i].active;
  return running;
}

/* End the host after step `index` failed: at once, or once the other
 * steps in flight have finished (host_stop_conclude).  Only the first
 * failure of a host counts; `after_snapshot` ends it through
 * host_fail_after_snapshot, else through host_finish. */
static void
host_fail_step (Executor *executor, HostRun *run, guint index, gboolean after_snapshot,
                FleetHostOutcome outcome, FleetFailure failure, const char *message)
{
  fleet_step_schedule_set_failed (run->schedule, index);
  if (run->stop.pending)
    return;

  run->result->failed_step = index;
  if (running_steps (run) == 0)
    {
      if (after_snapshot)
        host_fail_after_snapshot (executor, run, outcome, failure, message);
      else
        host_finish (executor, run, outcome, failure, message);
      return;
    }

  run->stop = (HostStop) { .pending = TRUE, .after_snapshot = after_snapshot,
                           .outcome = outcome, .failure = failure,
                           .message = g_strdup (message),
                           .in_flight = g_array_new (FALSE, FALSE, sizeof (guint)) };
  for (guint i = 0; i < run->n_slots; i++)
    if (run->slots[i].active)
      g_array_append_val (run->stop.in_flight, run->slots[i].step);
}

/* End a host whose failed step waited for its other steps in flight,
 * naming them and how each ended. */
static void
host_stop_conclude (Executor *executor, HostRun *run)
{
  HostStop stop = run->stop;
  g_autoptr(GString) message = g_string_new (stop.message);

  run->stop = (HostStop) { 0 };
  g_string_append (message, "; no further step started, and the steps in flight finished:");
  for (guint i = 0; i < stop.in_flight->len; i++)
    {
      guint index = g_array_index (stop.in_flight, guint, i);
      const FleetStep *step = g_ptr_array_index (executor->plan->steps, index);
      const FleetStepResult *result = g_ptr_array_index (run->result->steps, index);

      if (result->failure == FLEET_FAILURE_NONE)
        g_string_append_printf (message, "%s \"%s\" succeeded", i > 0 ? "," : "", step->name);
      else
        g_string_append_printf (message, "%s \"%s\" failed (%s)", i > 0 ? "," : "", step->name,
                                fleet_failure_code (result->failure));
    }

  if (stop.after_snapshot)
    host_fail_after_snapshot (executor, run, stop.outcome, stop.failure, message->str);
  else
    host_finish (executor, run, stop.outcome, stop.failure, message->str);
  g_free (stop.message);
  g_array_unref (stop.in_flight);
}

/* Journal the end of step `index` and move on, or end the host when the
 * step failed. */
static void
conclude_step (Executor *executor, HostRun *run, guint index, FleetStepResult *result)
{
  const FleetStep *step = g_ptr_array_index (executor->plan->steps, index);

  journal_step_end (executor, run, index, result);
  fleet_pacer_report (executor->pacer, now_us (executor), index, result->duration_us,
                      result->failure);

  if (result->failure != FLEET_FAILURE_NONE)
    {
      g_autofree char *message = g_strdup_printf ("step \"%s\": %s", step->name, result->message);

      FleetHostOutcome outcome = result->failure == FLEET_FAILURE_INTERRUPTED
                                   ? FLEET_HOST_INTERRUPTED : FLEET_HOST_FAILED;

      host_fail_step (executor, run, index, TRUE, outcome, result->failure, message);
      return;
    }

  step_done (run, index);
}

/* Return the host's sudo password followed by a newline, as sudo -S reads
 * it, or NULL with an error naming the secret. */
static char *
read_become_password (Executor *executor, const FleetHost *host, GError **error)
{
  g_autoptr(GError) lookup_error = NULL;
  char *password;
  char *line;

  if (executor->options->secret_func == NULL)
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_FAILED,
                   "the sudo password is in secret \"%s\", but no secret store is open; "
                   "give fleet-run --secrets", host->become_password_secret);
      return NULL;
    }

  password = executor->options->secret_func (host->become_password_secret,
                                             executor->options->secret_data, &lookup_error);
  if (password == NULL)
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_FAILED,
                   "cannot read the sudo password secret \"%s\": %s",
                   host->become_password_secret, lookup_error->message);
      return NULL;
    }

  line = g_strconcat (password, "\n", NULL);
  fleet_secret_value_free (password);
  return line;
}

static void launch_step (Executor *executor, HostRun *run, StepSlot *slot, gboolean hold);

/* Open the step's output files and journal its start.  Nothing that starts
 * the step reaches the host before that journal line is on disk, so that
 * after a power cut the journal names every step that may have run.  A
 * step of one command opens its channel while the line is synced, and its
 * exec request waits for the sync (fleet_command_release); other steps
 * start with launch_step once the line is synced. */
static void
start_step (Executor *executor, HostRun *run, guint index)
{
  const FleetStep *step = g_ptr_array_index (executor->plan->steps, index);
  g_autoptr(GError) error = NULL;
  StepSlot *slot = NULL;
  FleetJsonWriter *json;

  for (guint i = 0; i < run->n_slots && slot == NULL; i++)
    if (!run->slots[i].active)
      slot = &run->slots[i];
  g_return_if_fail (slot != NULL);

  if (!open_output_file (executor, run->result->host, index, "stdout",
                         &slot->stdout_sink, &error)
      || !open_output_file (executor, run->result->host, index, "stderr",
                            &slot->stderr_sink, &error))
    {
      close_output_files (slot, NULL);
      host_fail_step (executor, run, index, FALSE, FLEET_HOST_FAILED, FLEET_FAILURE_NONE,
                      error->message);
      return;
    }

  slot->active = TRUE;
  slot->step = index;
  fleet_step_schedule_set_running (run->schedule, index);
  json = fleet_journal_begin (executor->journal, "step-start", wall_us (executor));
  fleet_json_key (json, "host");
  fleet_json_string (json, run->result->host->name);
  fleet_json_key (json, "step");
  fleet_json_int (json, index + 1);
  fleet_json_key (json, "name");
  fleet_json_string (json, step->name);
  slot->launch_after = fleet_journal_commit (executor->journal, TRUE);
  slot->launch_pending = TRUE;
  if (!fleet_step_needs_task (step))
    launch_step (executor, run, slot, TRUE);
}

/* Steps that are more than one command (fleet-step-task.h). */

static void
start_task (Executor *executor, HostRun *run, StepSlot *slot, const FleetStep *step,
            const char *password)
{
  FleetStepTaskSetup setup = {
    .step = step,
    .host = run->result->host,
    .ssh = executor->ssh,
    .connection = &run->connection,
    .become_password = password,
    .output_func = on_output,
    .output_data = slot,
  };

  slot->task = fleet_step_task_start (&setup, slot->started_us);
}

static void
finish_task (Executor *executor, HostRun *run, StepSlot *slot)
{
  guint index = slot->step;
  FleetStepResult *result = g_ptr_array_index (run->result->steps, index);
  FleetStepTask *task = g_steal_pointer (&slot->task);

  result->failure = fleet_step_task_get_failure (task);
  result->exit_status = fleet_step_task_get_exit_status (task);
  result->exit_signal = g_strdup (fleet_step_task_get_exit_signal (task));
  result->message = g_strdup (fleet_step_task_get_message (task));
  result->changed = fleet_step_task_get_changed (task) ? 1 : 0;
  result->attempts = fleet_step_task_get_attempts (task);
  result->stdout_bytes = fleet_step_task_get_output_bytes (task, FALSE);
  result->stderr_bytes = fleet_step_task_get_output_bytes (task, TRUE);
  result->duration_us = now_us (executor) - slot->started_us;
  fleet_step_task_free (task);
  close_output_files (slot, result);
  release_slot (slot);
  conclude_step (executor, run, index, result);
}

/* Start the step; with `hold`, its command waits for fleet_command_release
 * before it is sent. */
static void
launch_step (Executor *executor, HostRun *run, StepSlot *slot, gboolean hold)
{
  const FleetStep *step = g_ptr_array_index (executor->plan->steps, slot->step);
  FleetStepResult *result = g_ptr_array_index (run->result->steps, slot->step);
  const FleetHost *host = run->result->host;
  gboolean with_password = step->become && host->become_password_secret != NULL;
  g_autofree char *sudo_line = build_command_line (step, host->name, with_password);
  g_autofree char *command_line = fleet_pacing_wrap_command (executor->plan->pacing, sudo_line);
  FleetCommandSpec spec = { .command_line = command_line, .timeout_ms = step->timeout_ms,
                            .pty = run->pty_retry[slot->step], .hold = hold };
  g_autoptr(GError) error = NULL;
  g_autoptr(GByteArray) input = g_byte_array_new ();
  char *password = NULL;

  if (with_password)
    {
      password = read_become_password (executor, host, &error);
      if (password == NULL)
        {
          guint index = slot->step;

          close_output_files (slot, NULL);
          release_slot (slot);
          host_fail_step (executor, run, index, FALSE, FLEET_HOST_FAILED,
                          FLEET_FAILURE_BECOME_PASSWORD_REQUIRED, error->message);
          return;
        }
      fleet_become_append_stdin (input, password);
      spec.stdin_data = (const char *) input->data;
      spec.stdin_length = input->len;
    }

  result->started = TRUE;
  slot->started_us = now_us (executor);
  if (fleet_step_needs_task (step))
    start_task (executor, run, slot, step, password);
  else
    slot->command = fleet_command_start (run->connection, &spec, slot->started_us, on_output,
                                         slot);
  fleet_secret_value_free (password);
}

static void
journal_connected (Executor *executor, const HostRun *run)
{
  FleetJsonWriter *json = fleet_journal_begin (executor->journal, "host-connected",
                                               wall_us (executor));

  fleet_json_key (json, "host");
  fleet_json_string (json, run->result->host->name);
  fleet_json_key (json, "duration_ms");
  fleet_json_int (json, (now_us (executor) - run->started_us) / 1000);
  fleet_json_key (json, "reconnected");
  fleet_json_bool (json, run->reconnects > 0);
  fleet_json_key (json, "connect_retries");
  fleet_json_int (json, fleet_connection_get_connect_retries (run->connection));
  fleet_json_key (json, "host_key_recorded");
  fleet_json_string (json, fleet_connection_get_recorded_key (run->connection));
  fleet_journal_commit (executor->journal, FALSE);
}

/* A connection that died between two steps of a host, while no command ran
 * on it, is opened again once: nothing can have run twice.  The journal
 * records why.  Returns FALSE when the host must fail instead. */
static gboolean
reconnect (Executor *executor, HostRun *run)
{
  FleetJsonWriter *json;

  if (!run->connected || run->reconnects > 0 || run->next_step == 0
      || run->next_step >= executor->plan->steps->len || executor->stopping)
    return FALSE;

  json = fleet_journal_begin (executor->journal, "host-reconnect", wall_us (executor));
  fleet_json_key (json, "host");
  fleet_json_string (json, run->result->host->name);
  fleet_json_key (json, "before_step");
  fleet_json_int (json, run->next_step + 1);
  fleet_json_key (json, "error");
  fleet_json_string (json, fleet_failure_code (fleet_connection_get_failure (run->connection)));
  fleet_json_key (json, "message");
  fleet_json_string (json, fleet_connection_get_message (run->connection));
  fleet_journal_commit (executor->journal, TRUE);

  run->reconnects++;
  run->connected = FALSE;
  fleet_connection_free (run->connection);
  run->connection = fleet_connection_new (run->result->host, executor->ssh);
  fleet_pacer_connection_started (executor->pacer, now_us (executor));
  fleet_connection_start (run->connection, now_us (executor));
  return TRUE;
}

/* Configuration snapshots.  The collector runs on the pooled connection
 * before the first step and after the last, like a step whose output is
 * kept in memory (runtime/fleet-snapshot-run.h). */

/* A host with a load guard is checked once before its first step (and
 * before its before-snapshot, which is work on the host too). */
static gboolean
load_guard_due (const Executor *executor, const HostRun *run)
{
  return executor->plan->pacing != NULL && fleet_pacing_has_guard (executor->plan->pacing)
         && !run->guard_passed && !executor->stopping;
}

static void
journal_guard (Executor *executor, const HostRun *run, const char *event, const char *reason)
{
  FleetJsonWriter *json = fleet_journal_begin (executor->journal, event, wall_us (executor));

  fleet_json_key (json, "host");
  fleet_json_string (json, run->result->host->name);
  fleet_json_key (json, "reason");
  fleet_json_string (json, reason);
  if (run->deferred_until_us > 0 && g_str_equal (event, "host-deferred"))
    {
      fleet_json_key (json, "retry_in_ms");
      fleet_json_int (json, executor->plan->pacing->defer_ms);
    }
  fleet_journal_commit (executor->journal, FALSE);
}

/* Act on a finished load check: go on, wait `defer`, or fail the host once
 * it has waited `max_wait`. */
static void
finish_load_guard (Executor *executor, HostRun *run)
{
  g_autoptr (FleetLoadGuard) guard = g_steal_pointer (&run->load_guard);
  const FleetPacing *pacing = executor->plan->pacing;
  g_autofree char *reason = NULL;
  gint64 now = now_us (executor);

  switch (fleet_load_guard_finish (guard, &reason))
    {
    case FLEET_GUARD_PASSED:
      run->guard_passed = TRUE;
      journal_guard (executor, run, "host-guard-passed", NULL);
      return;

    case FLEET_GUARD_ERROR:
      host_finish (executor, run, FLEET_HOST_FAILED, FLEET_FAILURE_TARGET_BUSY, reason);
      return;

    case FLEET_GUARD_BUSY:
      if (now - run->guard_first_us >= (gint64) pacing->max_wait_ms * 1000)
        {
          g_autofree char *message = g_strdup_printf ("the host was still too busy after "
                                                      "waiting %" G_GUINT64_FORMAT " s: %s",
                                                      pacing->max_wait_ms / 1000, reason);

          host_finish (executor, run, FLEET_HOST_FAILED, FLEET_FAILURE_TARGET_BUSY, message);
          return;
        }
      run->deferred_until_us = now + (gint64) pacing->defer_ms * 1000;
      journal_guard (executor, run, "host-deferred", reason);
      run->busy = FALSE;
      g_ptr_array_add (executor->guard_deferred, run);
      return;
    }
}

/* The snapshot after the steps is due once every step ran, or at once
 * after a failed step (finish_pending), so that the report shows what the
 * failed step changed. */
static gboolean
snapshot_due (const Executor *executor, const HostRun *run)
{
  if (executor->plan->snapshot == NULL || run->snapshot_collection != NULL)
    return FALSE;
  if (run->snapshots_taken == 0)
    return run->next_step == 0 && !executor->stopping;
  /* A plan without steps only takes the before snapshot. */
  return run->snapshots_taken == 1 && executor->plan->steps->len > 0
         && (run->finish_pending || run->next_step >= executor->plan->steps->len);
}

/* End the host after a failed step.  When the host had its before snapshot
 * and its connection still works, the after snapshot is taken first and
 * advance_host ends the host when it is done; a connection that broke, or
 * an interrupted run, ends the host at once. */
static void
host_fail_after_snapshot (Executor *executor, HostRun *run, FleetHostOutcome outcome,
                          FleetFailure failure, const char *message)
{
  if (executor->plan->snapshot == NULL || run->snapshots_taken != 1 || executor->stopping
      || outcome != FLEET_HOST_FAILED
      || fleet_connection_get_state (run->connection) != FLEET_CONNECTION_READY)
    {
      host_finish (executor, run, outcome, failure, message);
      return;
    }

  run->finish_pending = TRUE;
  run->pending_outcome = outcome;
  run->pending_failure = failure;
  run->pending_message = g_strdup (message);
}

static const char *
snapshot_store_dir (const Executor *executor, char **owned)
{
  if (executor->options->snapshot_store != NULL)
    return executor->options->snapshot_store;
  *owned = g_build_filename (executor->options->run_dir, "snapshots", NULL);
  return *owned;
}

static void
journal_snapshot_diff (Executor *executor, const HostRun *run)
{
  const FleetHostResult *result = run->result;
  const FleetSnapshotDiff *diff = result->snapshot_diff;
  FleetJsonWriter *json = fleet_journal_begin (executor->journal, "snapshot-diff",
                                               wall_us (executor));

  fleet_json_key (json, "host");
  fleet_json_string (json, result->host->name);
  fleet_json_key (json, "before");
  fleet_json_string (json, result->snapshot_before);
  fleet_json_key (json, "after");
  fleet_json_string (json, result->snapshot_after);
  fleet_json_key (json, "error");
  fleet_json_string (json, result->snapshot_error);
  if (diff != NULL)
    {
      gsize added = 0, removed = 0, changed = 0;

      for (guint i = 0; i < FLEET_SNAPSHOT_N_CATEGORIES; i++)
        {
          added += diff->added[i];
          removed += diff->removed[i];
          changed += diff->changed[i];
        }
      fleet_json_key (json, "added");
      fleet_json_int (json, (gint64) added);
      fleet_json_key (json, "removed");
      fleet_json_int (json, (gint64) removed);
      fleet_json_key (json, "changed");
      fleet_json_int (json, (gint64) changed);
      fleet_json_key (json, "unexpected");
      fleet_json_int (json, (gint64) diff->n_unexpected);
    }
  fleet_journal_commit (executor->journal, TRUE);
}

/* Compare the host's two snapshots, journal the counts, and act on
 * unexpected changes.  Under halt, hosts already running finish, but no
 * other host starts, in this wave or later ones. */
static void
compare_snapshots (Executor *executor, HostRun *run, FleetSnapshot *after)
{
  const FleetSnapshotConfig *config = executor->plan->snapshot;
  g_autoptr (GError) error = NULL;
  g_autoptr (FleetSnapshotExpect) expect = fleet_snapshot_config_build_expect (config, &error);
  const FleetSnapshotDiff *diff;

  if (expect == NULL)
    g_warning ("%s: invalid expected-change pattern, every change counts as unexpected: %s",
               run->result->host->name, error->message);

  run->result->snapshot_diff = fleet_snapshot_diff (run->snapshot_before, after, expect);
  diff = run->result->snapshot_diff;
  journal_snapshot_diff (executor, run);

  if (diff->n_unexpected > 0 && config->on_unexpected != FLEET_SNAPSHOT_ON_UNEXPECTED_WARN)
    {
      g_autofree char *message = g_strdup_printf (
        "%" G_GSIZE_FORMAT " unexpected configuration changes (on_unexpected: %s); see "
        "snapshot-report.txt", diff->n_unexpected,
        fleet_snapshot_on_unexpected_to_string (config->on_unexpected));

      /* A host whose step failed keeps that failure as its message. */
      if (!run->finish_pending)
        host_finish (executor, run, FLEET_HOST_FAILED, FLEET_FAILURE_NONE, message);
      if (config->on_unexpected == FLEET_SNAPSHOT_ON_UNEXPECTED_HALT)
        executor->snapshot_halt = TRUE;
    }
}

static void
start_snapshot (Executor *executor, HostRun *run)
{
  run->snapshot_collection = fleet_snapshot_collection_start (run->connection,
                                                              executor->plan->snapshot,
                                                              now_us (executor));
}

static gboolean
checks_drift (const FleetSnapshotConfig *config)
{
  return config->drift != FLEET_SNAPSHOT_DRIFT_NONE || config->baseline != NULL;
}

/* Record a missing snapshot.  The host fails unless unexpected changes are
 * only warned about, because its changes cannot be checked; a missing
 * before snapshot also fails it when drift is not only warned about. */
static void
snapshot_failed (Executor *executor, HostRun *run, const char *message)
{
  const FleetSnapshotConfig *config = executor->plan->snapshot;
  FleetSnapshotOnUnexpected action = config->on_unexpected;

  if (run->snapshots_taken == 1 && checks_drift (config))
    action = MAX (action, config->on_drift);

  run->result->snapshot_error = g_strdup (message);
  journal_snapshot_diff (executor, run);
  g_printerr ("fleet-run: %s: %s\n", run->result->host->name, message);
  if (action != FLEET_SNAPSHOT_ON_UNEXPECTED_WARN && !run->finish_pending)
    host_finish (executor, run, FLEET_HOST_FAILED, FLEET_FAILURE_NONE, message);
  if (action == FLEET_SNAPSHOT_ON_UNEXPECTED_HALT)
    executor->snapshot_halt = TRUE;
}

static void
journal_drift (Executor *executor, const HostRun *run)
{
  const FleetDriftResult *drift = run->result->drift;
  FleetJsonWriter *json = fleet_journal_begin (executor->journal, "snapshot-drift",
                                               wall_us (executor));

  fleet_json_key (json, "host");
  fleet_json_string (json, run->result->host->name);
  fleet_json_key (json, "reference");
  fleet_json_string (json, drift->reference);
  fleet_json_key (json, "reference_problem");
  fleet_json_string (json, drift->reference_problem);
  fleet_json_key (json, "changes");
  if (drift->diff != NULL)
    fleet_json_int (json, (gint64) drift->diff->n_changes);
  else
    fleet_json_null (json);
  fleet_json_key (json, "violations");
  if (drift->violations != NULL)
    fleet_json_int (json, drift->violations->len);
  else
    fleet_json_null (json);
  fleet_journal_commit (executor->journal, TRUE);
}

/* Check the before snapshot for drift (fleet-snapshot-drift.h) and act on
 * on_drift: under fail_host and halt, a host with drift runs no step. */
static void
check_drift (Executor *executor, HostRun *run, FleetSnapshot *snapshot)
{
  const FleetSnapshotConfig *config = executor->plan->snapshot;
  g_autofree char *owned_store = NULL;
  g_autofree char *description = NULL;
  g_autofree char *message = NULL;

  if (!checks_drift (config))
    return;

  run->result->drift = fleet_drift_check (config, executor->drift_references,
                                          snapshot_store_dir (executor, &owned_store),
                                          run->result->host->name, snapshot);
  journal_drift (executor, run);
  if (fleet_drift_result_count (run->result->drift) == 0
      || config->on_drift == FLEET_SNAPSHOT_ON_UNEXPECTED_WARN)
    return;

  description = fleet_drift_result_describe (run->result->drift);
  message = g_strdup_printf ("%s in the before snapshot (on_drift: %s); see drift-report.txt",
                             description, fleet_snapshot_on_unexpected_to_string (config->on_drift));
  host_finish (executor, run, FLEET_HOST_FAILED, FLEET_FAILURE_NONE, message);
  if (config->on_drift == FLEET_SNAPSHOT_ON_UNEXPECTED_HALT)
    executor->snapshot_halt = TRUE;
}

static void
finish_snapshot (Executor *executor, HostRun *run)
{
  g_autoptr (FleetSnapshotCollection) collection = g_steal_pointer (&run->snapshot_collection);
  g_autoptr (GError) error = NULL;
  g_autoptr (FleetSnapshot) snapshot = NULL;
  g_autofree char *owned_store = NULL;
  const char *label = executor->plan->steps->len == 0 ? "on-demand"
                      : run->snapshots_taken == 0 ? "before" : "after";
  char *digest;

  run->snapshots_taken++;
  snapshot = fleet_snapshot_collection_finish (collection, run->result->host->name,
                                               fleet_clock_wall_us (executor->clock), &error);
  if (snapshot == NULL)
    {
      snapshot_failed (executor, run, error->message);
      return;
    }

  digest = fleet_snapshot_store_put (snapshot_store_dir (executor, &owned_store), snapshot,
                                     executor->options->run_id, label, &error);
  if (digest == NULL)
    {
      snapshot_failed (executor, run, error->message);
      return;
    }

  if (run->snapshots_taken == 1)
    {
      run->result->snapshot_before = digest;
      check_drift (executor, run, snapshot);
      run->snapshot_before = g_steal_pointer (&snapshot);
      return;
    }
  run->result->snapshot_after = digest;
  if (run->snapshot_before != NULL)
    compare_snapshots (executor, run, snapshot);
}

/* Move `run` as far as it can go without waiting. */
/* Facts, gathered before the host's first step when a condition of the
 * plan names one (fleet-facts-run.h). */

static void
journal_facts (Executor *executor, const HostRun *run)
{
  FleetJsonWriter *json = fleet_journal_begin (executor->journal, "host-facts", wall_us (executor));
  const char * const *names = fleet_facts_names ();

  fleet_json_key (json, "host");
  fleet_json_string (json, run->result->host->name);
  for (guint i = 0; names[i] != NULL; i++)
    {
      fleet_json_key (json, names[i]);
      fleet_json_string (json, g_hash_table_lookup (run->facts, names[i]));
    }
  fleet_journal_commit (executor->journal, FALSE);
}

static void
finish_facts (Executor *executor, HostRun *run)
{
  g_autoptr(GError) error = NULL;

  run->facts = fleet_facts_gathering_finish (g_steal_pointer (&run->facts_gathering), &error);
  if (run->facts == NULL)
    {
      host_finish (executor, run, FLEET_HOST_FAILED, FLEET_FAILURE_CHANNEL, error->message);
      return;
    }
  journal_facts (executor, run);
}

/* The values of `steps.*` and `facts.*` names for one host's condition. */
typedef struct {
  const Executor *executor;
  const HostRun *run;
  GPtrArray *strings;            /* char *, values handed to the evaluation */
} RunNames;

/* Resolve steps.NAME.rc and steps.NAME.stdout from the results of the
 * earlier steps on this host.  A skipped or failed-to-start step has
 * neither.  facts.* come from the host's gathered facts. */
static gboolean
lookup_run_name (const char *name, FleetValue *out, gpointer user_data)
{
  RunNames *names = user_data;
  const FleetPlan *plan = names->executor->plan;
  g_auto(GStrv) parts = g_strsplit (name, ".", 3);

  if (fleet_facts_lookup (names->run->facts, name, out))
    return TRUE;

  if (g_strv_length (parts) != 3 || strcmp (parts[0], "steps") != 0)
    return FALSE;

  for (guint i = 0; i < plan->steps->len; i++)
    {
      const FleetStep *step = g_ptr_array_index (plan->steps, i);
      const FleetStepResult *result = g_ptr_array_index (names->run->result->steps, i);
      char *text;

      if (strcmp (step->name, parts[1]) != 0 || !result->started || result->skipped
          || !fleet_step_schedule_is_done (names->run->schedule, i))
        continue;

      if (strcmp (parts[2], "rc") == 0 && result->exit_status >= 0)
        {
          *out = fleet_value_number (result->exit_status);
          return TRUE;
        }
      if (strcmp (parts[2], "stdout") != 0)
        return FALSE;

      text = g_strndup (result->stdout_tail->str, result->stdout_tail->len);
      if (g_str_has_suffix (text, "\n"))
        text[strlen (text) - 1] = '\0';
      g_ptr_array_add (names->strings, text);
      *out = fleet_value_string (text);
      return TRUE;
    }

  return FALSE;
}

static void
journal_step_skipped (Executor *executor, const HostRun *run, guint index, const char *reason)
{
  const FleetStep *step = g_ptr_array_index (executor->plan->steps, index);
  FleetJsonWriter *json = fleet_journal_begin (executor->journal, "step-skipped",
                                               wall_us (executor));

  fleet_json_key (json, "host");
  fleet_json_string (json, run->result->host->name);
  fleet_json_key (json, "step");
  fleet_json_int (json, index + 1);
  fleet_json_key (json, "name");
  fleet_json_string (json, step->name);
  fleet_json_key (json, "reason");
  fleet_json_string (json, reason);
  fleet_journal_commit (executor->journal, TRUE);
}

/* Decide whether the host skips step `index`: the plan lists it, or the
 * step's condition is false here.  A skipped step is journaled and counted
 * as skipped, never silently passed over.  Returns TRUE when the step was
 * skipped or the host failed on its condition. */
static gboolean
skip_step (Executor *executor, HostRun *run, guint index)
{
  const FleetStep *step = g_ptr_array_index (executor->plan->steps, index);
  FleetStepResult *result = g_ptr_array_index (run->result->steps, index);
  const char *planned = NULL;
  g_autofree char *reason = NULL;

  if (step->skipped_hosts != NULL)
    planned = g_hash_table_lookup (step->skipped_hosts, run->result->host->name);

  if (planned != NULL)
    {
      reason = g_strdup (planned);
    }
  else if (step->when != NULL)
    {
      g_autoptr(FleetExpr) expr = NULL;
      g_autoptr(GError) error = NULL;
      g_autoptr(GPtrArray) strings = g_ptr_array_new_with_free_func (g_free);
      RunNames names = { executor, run, strings };
      gboolean holds = FALSE;

      expr = fleet_expr_parse (step->when, &error);
      if (expr == NULL
          || !fleet_condition_evaluate (expr, step->when, run->result->host, executor->plan->vars,
                                        lookup_run_name, &names, &holds, &reason, &error))
        {
          g_autofree char *message = g_strdup_printf ("step \"%s\": condition `%s` failed: %s",
                                                      step->name, step->when, error->message);

          result->failure = FLEET_FAILURE_CONDITION;
          result->message = g_strdup (message);
          host_fail_step (executor, run, index, TRUE, FLEET_HOST_FAILED,
                          FLEET_FAILURE_CONDITION, message);
          return TRUE;
        }
      if (holds)
        return FALSE;
    }
  else
    {
      return FALSE;
    }

  result->skipped = TRUE;
  result->skip_reason = g_strdup (reason);
  journal_step_skipped (executor, run, index, reason);
  step_done (run, index);
  return TRUE;
}

/* Maintenance windows (fleet-window-gate.h) */

static void
journal_time_or_null (FleetJsonWriter *json, const char *key, gint64 us)
{
  g_autofree char *text = us != FLEET_WINDOW_GATE_NEVER ? fleet_format_wall_time (us) : NULL;

  fleet_json_key (json, key);
  fleet_json_string (json, text);
}

/* Return whether the next step of `run` may start now by the plan's
 * windows.  When it may not, the host stops being busy and joins
 * executor->window_waiting, and the journal records why and until when. */
static gboolean
window_allows_next_step (Executor *executor, HostRun *run)
{
  const FleetPlanSchedule *schedule = executor->plan->schedule;
  FleetWindowDecision decision;
  FleetWindowNeed need;
  g_autofree char *reason = NULL;
  FleetJsonWriter *json;
  gint64 now;

  if (schedule == NULL)
    return TRUE;

  /* A host that is not inside a window it entered must have room for all
   * its remaining steps before it starts one (fleet-window-gate.h). */
  now = wall_us (executor);
  need = run->window.end_us != 0 && now < run->window.end_us ? FLEET_WINDOW_NEED_STEP
                                                             : FLEET_WINDOW_NEED_REMAINING;
  fleet_window_gate_decide (executor->plan, run->index, run->next_step, need, now, &decision);
  if (decision.allowed)
    {
      run->window.end_us = decision.window_end_us;
      return TRUE;
    }

  reason = fleet_window_gate_describe (schedule, run->index, &decision);
  if (fleet_window_abort_is_next (&run->window, run->next_step))
    {
      g_autofree char *killed = fleet_window_abort_describe (executor->plan, run->index,
                                                             &run->window);
      g_autofree char *waits = g_steal_pointer (&reason);

      reason = g_strdup_printf ("%s; %s", killed, waits);
    }
  json = fleet_journal_begin (executor->journal, "window-wait", wall_us (executor));
  fleet_json_key (json, "host");
  fleet_json_string (json, run->result->host->name);
  fleet_json_key (json, "step");
  fleet_json_int (json, run->next_step + 1);
  journal_time_or_null (json, "until", decision.next_start_us);
  fleet_json_key (json, "reason");
  fleet_json_string (json, reason);
  fleet_journal_commit (executor->journal, TRUE);

  run->busy = FALSE;
  run->window.waiting = TRUE;
  run->window.wait_until_us = decision.next_start_us;
  g_ptr_array_add (executor->window_waiting, run);
  return FALSE;
}

/* Steps that wait for other hosts (fleet-barrier-gate.h) */

static FleetHostStepState
host_step_state (guint host_index, guint step_index, gpointer user_data)
{
  Executor *executor = user_data;
  const HostRun *run = g_ptr_array_index (executor->runs, host_index);

  if (run->next_step > step_index)
    return FLEET_HOST_STEP_DONE;
  /* A finished host, this run's or one a resume found settled, is judged by
   * its result of the step, since a resume does not advance next_step for a
   * host that does not run again. */
  if (run->finished)
    {
      const FleetStepResult *result = g_ptr_array_index (run->result->steps, step_index);

      return result->skipped || (result->started && result->failure == FLEET_FAILURE_NONE)
               ? FLEET_HOST_STEP_DONE : FLEET_HOST_STEP_LOST;
    }
  /* A host in flight finishes its step even when the run halts; one that
   * has not started will not start then. */
  if (!run->started && (executor->stopping || executor->result->halted
                        || executor->snapshot_halt))
    return FLEET_HOST_STEP_LOST;
  return FLEET_HOST_STEP_PENDING;
}

/* Return whether the next step of `run` may start by its barriers.  A
 * waiting host stays busy and is checked again on the loop's next pass; the
 * journal records the first wait.  A host of the group that can no longer
 * finish the step fails the waiting host. */
static gboolean
barrier_allows_next_step (Executor *executor, HostRun *run)
{
  const FleetStep *step = g_ptr_array_index (executor->plan->steps, run->next_step);
  FleetStepResult *result = g_ptr_array_index (run->result->steps, run->next_step);
  g_autofree char *message = NULL;
  FleetBarrierDecision decision;
  FleetJsonWriter *json;

  if (step->barriers == NULL)
    return TRUE;

  decision = fleet_barrier_gate_decide (executor->barriers, run->index, run->next_step,
                                        host_step_state, executor, &message);
  if (decision == FLEET_BARRIER_OPEN)
    {
      run->barrier_waiting = FALSE;
      return TRUE;
    }

  if (decision == FLEET_BARRIER_WAIT)
    {
      if (!run->barrier_waiting)
        {
          json = fleet_journal_begin (executor->journal, "barrier-wait", wall_us (executor));
          fleet_json_key (json, "host");
          fleet_json_string (json, run->result->host->name);
          fleet_json_key (json, "step");
          fleet_json_int (json, run->next_step + 1);
          fleet_json_key (json, "reason");
          fleet_json_string (json, message);
          fleet_journal_commit (executor->journal, FALSE);
          run->barrier_waiting = TRUE;
        }
      return FALSE;
    }

  run->barrier_waiting = FALSE;
  result->failure = FLEET_FAILURE_DEPENDENCY;
  result->message = g_strdup (message);
  {
    g_autofree char *host_message = g_strdup_printf ("step \"%s\": %s", step->name, message);

    host_fail_step (executor, run, run->next_step, TRUE, FLEET_HOST_FAILED,
                    FLEET_FAILURE_DEPENDENCY, host_message);
  }
  return FALSE;
}

/* Clean up after a step killed at the end of its window: the step counts
 * as not run, so the host runs it again when its next window opens. */
static void
requeue_aborted_step (Executor *executor, HostRun *run, StepSlot *slot)
{
  const FleetStep *step = g_ptr_array_index (executor->plan->steps, slot->step);
  FleetStepResult *result = g_ptr_array_index (run->result->steps, slot->step);
  FleetCommand *command = g_steal_pointer (&slot->command);
  FleetJsonWriter *json;

  result->duration_us = now_us (executor) - slot->started_us;
  fleet_command_free (command);
  close_output_files (slot, result);
  release_slot (slot);
  fleet_step_schedule_set_pending (run->schedule, slot->step);

  json = fleet_journal_begin (executor->journal, "step-aborted", wall_us (executor));
  fleet_json_key (json, "host");
  fleet_json_string (json, run->result->host->name);
  fleet_json_key (json, "step");
  fleet_json_int (json, slot->step + 1);
  fleet_json_key (json, "name");
  fleet_json_string (json, step->name);
  fleet_json_key (json, "reason");
  fleet_json_string (json, "window-end");
  journal_time_or_null (json, "window_end", run->window.end_us);
  fleet_json_key (json, "duration_ms");
  fleet_json_int (json, result->duration_us / 1000);
  fleet_window_abort_record (&run->window, slot->step, result->duration_us);
  fleet_window_abort_journal (json, executor->plan, run->index, &run->window);
  fleet_journal_commit (executor->journal, TRUE);

  reset_step_result (result);
  result->started = FALSE;
  run->window.aborted = FALSE;
  run->window.end_us = 0;
}

/* Move the step in `slot` on.  Returns TRUE when it ended or launched,
 * FALSE when it waits for its command, its task or the journal. */
static gboolean
process_slot (Executor *executor, HostRun *run, StepSlot *slot)
{
  if (slot->command != NULL)
    {
      /* A held command is sent once its step-start line is durable. */
      if (slot->launch_pending && fleet_journal_is_synced (executor->journal, slot->launch_after))
        {
          slot->launch_pending = FALSE;
          fleet_command_release (slot->command);
        }
      if (!fleet_command_is_done (slot->command))
        return FALSE;
      slot->launch_pending = FALSE;
      if (run->window.aborted)
        requeue_aborted_step (executor, run, slot);
      else
        finish_step (executor, run, slot);
      return TRUE;
    }

  if (slot->task != NULL)
    {
      fleet_step_task_process (slot->task, now_us (executor));
      if (!fleet_step_task_is_done (slot->task))
        return FALSE;
      finish_task (executor, run, slot);
      return TRUE;
    }

  if (slot->launch_pending)
    {
      if (!fleet_journal_is_synced (executor->journal, slot->launch_after))
        return FALSE;
      slot->launch_pending = FALSE;
      launch_step (executor, run, slot, FALSE);
      return TRUE;
    }
  return FALSE;
}

/* Move every step of `run` in flight on.  Returns TRUE when one of them
 * ended or launched. */
static gboolean
process_running_steps (Executor *executor, HostRun *run)
{
  gboolean moved = FALSE;

  for (guint i = 0; i < run->n_slots && !run->finished; i++)
    if (run->slots[i].active)
      moved |= process_slot (executor, run, &run->slots[i]);
  return moved;
}

/* Start another step next to the ones in flight when the plan lets it
 * overlap them.  A step that waits for other hosts starts only when no
 * other step runs, so it waits in advance_host.  Returns TRUE when it
 * started or skipped a step. */
static gboolean
start_overlapping_step (Executor *executor, HostRun *run)
{
  guint index = fleet_step_schedule_next_ready (run->schedule);

  if (index == G_MAXUINT || executor->stopping || run->stop.pending
      || ((const FleetStep *) g_ptr_array_index (executor->plan->steps, index))->barriers != NULL)
    return FALSE;

  if (skip_step (executor, run, index))
    return TRUE;

  if (executor->options->before_step != NULL)
    executor->options->before_step (run->result->host, index, executor->options->observer_data);
  start_step (executor, run, index);
  return TRUE;
}

static void
advance_host (Executor *executor, HostRun *run)
{
  while (!run->finished)
    {
      FleetConnectionState state;

      if (process_running_steps (executor, run))
        continue;
      if (run->finished)
        return;
      if (running_steps (run) > 0)
        {
          if (start_overlapping_step (executor, run))
            continue;
          return;
        }

      if (run->stop.pending)
        {
          host_stop_conclude (executor, run);
          continue;
        }

      state = fleet_connection_get_state (run->connection);

      if (run->snapshot_collection != NULL)
        {
          if (!fleet_snapshot_collection_is_done (run->snapshot_collection))
            return;
          finish_snapshot (executor, run);
          if (run->finish_pending && !run->finished && run->snapshot_collection == NULL)
            host_finish (executor, run, run->pending_outcome, run->pending_failure,
                         run->pending_message);
          continue;
        }

      if (run->facts_gathering != NULL)
        {
          if (!fleet_facts_gathering_is_done (run->facts_gathering))
            return;
          finish_facts (executor, run);
          continue;
        }

      if (run->load_guard != NULL)
        {
          if (!fleet_load_guard_is_done (run->load_guard))
            return;
          finish_load_guard (executor, run);
          continue;
        }

      if (state == FLEET_CONNECTION_FAILED && run->finish_pending)
        {
          host_finish (executor, run, run->pending_outcome, run->pending_failure,
                       run->pending_message);
          return;
        }

      if (state == FLEET_CONNECTION_FAILED && reconnect (executor, run))
        continue;

      if (state == FLEET_CONNECTION_FAILED)
        {
          if (!run->connected)
            fleet_pacer_report (executor->pacer, now_us (executor), G_MAXUINT,
                                now_us (executor) - run->started_us,
                                fleet_connection_get_failure (run->connection));
          host_finish (executor, run, FLEET_HOST_FAILED,
                       fleet_connection_get_failure (run->connection),
                       fleet_connection_get_message (run->connection));
          return;
        }

      if (state != FLEET_CONNECTION_READY)
        return;

      if (!run->connected)
        {
          run->connected = TRUE;
          journal_connected (executor, run);
          fleet_pacer_report (executor->pacer, now_us (executor), G_MAXUINT,
                              now_us (executor) - run->started_us, FLEET_FAILURE_NONE);
        }

      if (load_guard_due (executor, run))
        {
          if (now_us (executor) < run->deferred_until_us)
            return;
          if (run->guard_first_us == 0)
            run->guard_first_us = now_us (executor);
          run->load_guard = fleet_load_guard_start (run->connection, executor->plan->pacing,
                                                    now_us (executor));
          continue;
        }

      if (snapshot_due (executor, run))
        {
          start_snapshot (executor, run);
          continue;
        }

      if (executor->plan->gather_facts && run->facts == NULL && !run->finished)
        {
          run->facts_gathering = fleet_facts_gather_start (run->connection, now_us (executor));
          continue;
        }

      if (run->next_step >= executor->plan->steps->len)
        {
          host_finish (executor, run, FLEET_HOST_SUCCEEDED, FLEET_FAILURE_NONE, NULL);
          return;
        }

      if (executor->stopping)
        {
          host_finish (executor, run, FLEET_HOST_INTERRUPTED, FLEET_FAILURE_INTERRUPTED,
                       "fleet-run was interrupted before the next step");
          return;
        }

      if (skip_step (executor, run, run->next_step))
        continue;

      if (!window_allows_next_step (executor, run))
        return;

      if (!barrier_allows_next_step (executor, run))
        {
          /* A waiting host is checked again on the next pass; a failed one
           * goes on to its after snapshot and end. */
          if (run->barrier_waiting)
            return;
          continue;
        }

      if (executor->options->before_step != NULL)
        executor->options->before_step (run->result->host, run->next_step,
                                        executor->options->observer_data);

      /* A connection the server closed since the last step is found here,
       * before a command is sent, so it can be reopened safely. */
      if (run->next_step > 0 && !fleet_connection_check_idle (run->connection))
        continue;

      start_step (executor, run, run->next_step);
    }
}

static void
start_host (Executor *executor, HostRun *run)
{
  run->started = TRUE;
  run->busy = TRUE;
  run->started_us = now_us (executor);
  journal_host_event (executor, "host-start", run);

  if (fleet_connection_get_state (run->connection) == FLEET_CONNECTION_IDLE)
    {
      fleet_pacer_connection_started (executor->pacer, run->started_us);
      fleet_connection_start (run->connection, run->started_us);
    }
  advance_host (executor, run);
}

static void
abort_busy_hosts (GPtrArray *busy, const char *message)
{
  for (guint i = 0; i < busy->len; i++)
    {
      HostRun *run = g_ptr_array_index (busy, i);

      for (guint s = 0; s < run->n_slots; s++)
        {
          StepSlot *slot = &run->slots[s];

          if (slot->command != NULL)
            fleet_command_abort (slot->command, FLEET_FAILURE_INTERRUPTED, message);
          if (slot->task != NULL)
            fleet_step_task_abort (slot->task, FLEET_FAILURE_INTERRUPTED, message);
        }
      if (run->facts_gathering != NULL)
        fleet_facts_gathering_abort (run->facts_gathering, message);
      if (run->snapshot_collection != NULL)
        fleet_snapshot_collection_abort (run->snapshot_collection, message);
    }
}

/* Give up the busy hosts that are still connecting, with no step, facts or
 * snapshot in flight: no step will start on them, so waiting for their
 * handshake (up to connect_timeout) would only delay the end of an
 * interrupted run.  Their connections are cancelled when the wave closes
 * its connections. */
static void
give_up_connecting_hosts (Executor *executor, GPtrArray *busy)
{
  for (guint i = 0; i < busy->len; i++)
    {
      HostRun *run = g_ptr_array_index (busy, i);

      if (!run->busy || running_steps (run) > 0 || run->facts_gathering != NULL
          || run->snapshot_collection != NULL
          || fleet_connection_get_state (run->connection) != FLEET_CONNECTION_CONNECTING)
        continue;

      host_finish (executor, run, FLEET_HOST_INTERRUPTED, FLEET_FAILURE_INTERRUPTED,
                   run->next_step == 0
                     ? "fleet-run was interrupted while the host was connecting, before its "
                       "first step"
                     : "fleet-run was interrupted while the host was reconnecting, before "
                       "its next step");
    }
}

/* A first interrupt stops new work and starts the grace period; steps in
 * flight are aborted when it ends or at a second interrupt. */
static void
apply_interrupt_level (Executor *executor, GPtrArray *busy)
{
  sig_atomic_t level = executor->options->interrupt_level != NULL
                         ? *executor->options->interrupt_level : 0;
  guint64 grace_ms = executor->options->grace_period_ms > 0
                       ? executor->options->grace_period_ms : FLEET_DEFAULT_GRACE_PERIOD_MS;

  if (level >= 1 && !executor->stopping)
    {
      g_autofree char *grace = fleet_format_duration (grace_ms);

      executor->stopping = TRUE;
      executor->result->interrupted = TRUE;
      executor->abort_at_us = now_us (executor) + (gint64) grace_ms * 1000;
      g_printerr ("fleet-run: interrupted; waiting up to %s for the running steps to finish "
                  "(interrupt again to abort them now)\n", grace);
    }

  if (executor->stopping)
    give_up_connecting_hosts (executor, busy);

  if (level >= 2)
    {
      abort_busy_hosts (busy, "aborted because fleet-run was interrupted twice");
    }
  else if (executor->abort_at_us > 0 && now_us (executor) >= executor->abort_at_us)
    {
      g_autofree char *grace = fleet_format_duration (grace_ms);
      g_autofree char *message = g_strdup_printf ("aborted because it did not finish within "
                                                  "the grace period of %s after fleet-run was "
                                                  "interrupted", grace);

      abort_busy_hosts (busy, message);
    }
}

/* Return whether a step of `run` waits for its step-start line. */
static gboolean
host_launch_pending (const HostRun *run)
{
  for (guint i = 0; i < run->n_slots; i++)
    if (run->slots[i].active && run->slots[i].launch_pending)
      return TRUE;
  return FALSE;
}

/* Wait until a busy connection has something to do, or its deadline or the
 * next sweep comes, then process the connections that are due.  The SSH
 * context's own descriptors (jump host connections and their tunnels)
 * follow the hosts' in the poll set.  The context is processed before the
 * hosts, whose processing may free connections and so change the context's
 * descriptors. */
static void
wait_and_process (Executor *executor, GPtrArray *busy, gint64 *next_sweep_us)
{
  guint n_jump_fds = fleet_ssh_context_get_pollfds (executor->ssh, NULL);
  guint journal_index = busy->len + n_jump_fds;
  g_autofree struct pollfd *fds = g_new0 (struct pollfd, journal_index + 1);
  gint64 wake_us = MIN (*next_sweep_us, fleet_ssh_context_deadline_us (executor->ssh));
  gboolean journal_synced;
  gboolean launch_waiting = FALSE;
  gint64 current;
  int timeout_ms;

  for (guint i = 0; i < busy->len; i++)
    {
      HostRun *run = g_ptr_array_index (busy, i);

      launch_waiting |= host_launch_pending (run);
      fds[i].fd = fleet_connection_get_fd (run->connection);
      fds[i].events = fds[i].fd >= 0 ? fleet_connection_get_poll_events (run->connection) : 0;
      wake_us = MIN (wake_us, fleet_connection_deadline_us (run->connection));
    }

  fleet_ssh_context_get_pollfds (executor->ssh, fds + busy->len);

  /* Hosts waiting for their step-start line wake when a sync ends. */
  fds[journal_index].fd = fleet_journal_get_notify_fd (executor->journal);
  fds[journal_index].events = POLLIN;

  current = now_us (executor);
  timeout_ms = wake_us <= current ? 0 : (int) MIN ((wake_us - current + 999) / 1000, 1000);
  fleet_journal_start_sync (executor->journal);
  if (fleet_ssh_context_wait (executor->ssh, fds, journal_index + 1, timeout_ms, wake_us,
                              launch_waiting) < 0 && errno != EINTR)
    g_warning ("poll failed: %s", g_strerror (errno));

  journal_synced = fds[journal_index].revents != 0;
  if (journal_synced)
    fleet_journal_drain_notify (executor->journal);

  current = now_us (executor);
  fleet_ssh_context_process (executor->ssh, current, fds + busy->len, n_jump_fds);
  for (guint i = 0; i < busy->len; i++)
    {
      HostRun *run = g_ptr_array_index (busy, i);
      gboolean due = fds[i].revents != 0 || current >= *next_sweep_us
                     || current >= fleet_connection_deadline_us (run->connection);

      if (due)
        fleet_connection_process (run->connection, current, fds[i].revents);
      if (due || (journal_synced && host_launch_pending (run)))
        advance_host (executor, run);
    }

  if (current >= *next_sweep_us)
    {
      fleet_pacer_sweep (executor->pacer, current);
      *next_sweep_us = current + SWEEP_INTERVAL_US;
    }
}

/* Journal each change of the concurrency limit since the last call. */
static void
journal_pacer_changes (Executor *executor)
{
  const GArray *history = fleet_pacer_history (executor->pacer);

  for (; executor->pacer_changes_journaled < history->len; executor->pacer_changes_journaled++)
    {
      const FleetConcurrencyChange *change = &g_array_index (history, FleetConcurrencyChange,
                                                             executor->pacer_changes_journaled);
      FleetJsonWriter *json = fleet_journal_begin (executor->journal, "concurrency",
                                                   wall_us (executor));

      fleet_json_key (json, "limit");
      fleet_json_int (json, change->limit);
      fleet_json_key (json, "cause");
      fleet_json_string (json, change->cause == FLEET_CONGESTION_NONE
                                 ? (executor->pacer_changes_journaled == 0 ? "start" : "increase")
                                 : fleet_congestion_name (change->cause));
      fleet_journal_commit (executor->journal, FALSE);
    }
}

static void
journal_wave (Executor *executor, const char *event, guint wave_index)
{
  const FleetWave *wave = g_ptr_array_index (executor->plan->waves, wave_index);
  FleetJsonWriter *json = fleet_journal_begin (executor->journal, event, wall_us (executor));
  guint succeeded = 0, failed = 0, unreachable = 0;

  fleet_json_key (json, "wave");
  fleet_json_int (json, wave_index + 1);
  fleet_json_key (json, "hosts");
  fleet_json_int (json, wave->host_indices->len);
  if (g_str_equal (event, "wave-end"))
    {
      for (guint i = 0; i < wave->host_indices->len; i++)
        {
          const HostRun *run = g_ptr_array_index (executor->runs,
                                                  g_array_index (wave->host_indices, guint32, i));
          succeeded += run->result->outcome == FLEET_HOST_SUCCEEDED;
          failed += run->result->outcome == FLEET_HOST_FAILED;
          unreachable += fleet_host_result_is_unreachable (run->result);
        }
      fleet_json_key (json, "succeeded");
      fleet_json_int (json, succeeded);
      fleet_json_key (json, "failed");
      fleet_json_int (json, failed);
      /* `failed` counts every failed host, and `unreachable` the ones among
       * them that never got to their first step (fleet-halt.h). */
      fleet_json_key (json, "unreachable");
      fleet_json_int (json, unreachable);
    }
  fleet_journal_commit (executor->journal, TRUE);
}

/* A wave's connections are closed cleanly once the wave is over, so that
 * the descriptors a run holds grow with its largest wave, not its fleet. */
static void
close_wave_connections (Executor *executor, const FleetWave *wave)
{
  for (guint i = 0; i < wave->host_indices->len; i++)
    {
      HostRun *run = g_ptr_array_index (executor->runs,
                                        g_array_index (wave->host_indices, guint32, i));

      g_clear_pointer (&run->connection, fleet_connection_free);
    }
}

static void
journal_halt (Executor *executor, const FleetHaltReason *reason, guint not_started)
{
  FleetJsonWriter *json = fleet_journal_begin (executor->journal, "halt", wall_us (executor));
  g_autofree char *label = fleet_plan_wave_label (executor->plan, reason->wave);

  fleet_json_key (json, "wave");
  fleet_json_int (json, reason->wave + 1);
  fleet_json_key (json, "label");
  fleet_json_string (json, label);
  fleet_json_key (json, "rule");
  fleet_json_string (json, fleet_halt_rule_name (reason->rule));
  fleet_json_key (json, "count");
  fleet_json_int (json, reason->count);
  fleet_json_key (json, "threshold");
  fleet_json_int (json, reason->threshold);
  fleet_json_key (json, "wave_failed");
  fleet_json_int (json, executor->halt_counts.wave_failed);
  fleet_json_key (json, "wave_unreachable");
  fleet_json_int (json, executor->halt_counts.wave_unreachable);
  fleet_json_key (json, "total_failed");
  fleet_json_int (json, executor->halt_counts.total_failed);
  fleet_json_key (json, "total_unreachable");
  fleet_json_int (json, executor->halt_counts.total_unreachable);
  fleet_json_key (json, "not_started");
  fleet_json_int (json, not_started);
  /* Not synced here: the hosts in flight are still running, and the
   * wave-end record that follows is synced. */
  fleet_journal_commit (executor->journal, FALSE);
}

/* Return whether the run has halted.  When wave `wave_index` has just
 * reached a threshold, record the halt and journal it, with `not_started`,
 * the number of the wave's hosts not started yet. */
static gboolean
check_halt (Executor *executor, guint wave_index, guint not_started)
{
  FleetHaltReason reason;

  if (executor->result->halted)
    return TRUE;
  if (!fleet_halt_check (&executor->halt_counts, executor->plan, wave_index, &reason))
    return FALSE;

  executor->result->halted = TRUE;
  executor->result->halt = reason;
  journal_halt (executor, &reason, not_started);
  return TRUE;
}

/* Kill the commands whose window has closed, when the plan asks for it. */
static void
apply_window_end (Executor *executor, GPtrArray *busy)
{
  const FleetPlanSchedule *schedule = executor->plan->schedule;
  gint64 now;

  if (schedule == NULL || schedule->at_window_end != FLEET_AT_WINDOW_END_ABORT)
    return;

  now = wall_us (executor);
  for (guint i = 0; i < busy->len; i++)
    {
      HostRun *run = g_ptr_array_index (busy, i);
      /* Plans with windows run one step of a host at a time. */
      StepSlot *slot = &run->slots[0];
      g_autofree char *end = NULL;
      g_autofree char *message = NULL;

      if (slot->command == NULL || run->window.aborted || run->window.end_us == 0
          || now < run->window.end_us)
        continue;

      end = fleet_format_utc_seconds (run->window.end_us / G_USEC_PER_SEC);
      message = g_strdup_printf ("aborted at the end of its maintenance window at %s", end);
      run->window.aborted = TRUE;
      fleet_command_abort (slot->command, FLEET_FAILURE_INTERRUPTED, message);
    }
}

/* Put the waiting hosts whose window has opened back to work, as long as
 * slots are free. */
static void
resume_waiting_hosts (Executor *executor, GPtrArray *busy)
{
  gint64 now = wall_us (executor);
  guint i = 0;

  while (i < executor->window_waiting->len && busy->len < fleet_pacer_limit (executor->pacer)
         && !executor->stopping && !executor->result->halted && !executor->snapshot_halt)
    {
      HostRun *run = g_ptr_array_index (executor->window_waiting, i);

      if (run->window.wait_until_us > now)
        {
          i++;
          continue;
        }

      g_ptr_array_remove_index (executor->window_waiting, i);
      run->window.waiting = FALSE;
      if (!window_allows_next_step (executor, run))
        continue;

      if (!run->started)
        {
          const FleetRunObserver *observer = executor->options->observer;

          if (observer != NULL && observer->host_started != NULL)
            observer->host_started (run->result->host, observer->data);
          start_host (executor, run);
        }
      else
        {
          run->busy = TRUE;
          advance_host (executor, run);
        }
      if (run->busy)
        {
          g_ptr_array_add (busy, run);
          fleet_pacer_host_started (executor->pacer, run->result->host);
        }
    }
}

/* Put the hosts the load guard deferred back to work once their wait is
 * over, ahead of hosts not started yet, as far as the limit and the caps
 * allow.  When the run is stopping, all of them go at once, so they end. */
static void
resume_deferred_hosts (Executor *executor, GPtrArray *busy)
{
  g_autoptr(GPtrArray) due_runs = g_ptr_array_new ();
  g_autoptr(GPtrArray) due_hosts = g_ptr_array_new ();
  gint64 now = now_us (executor);
  gint pick;

  for (guint i = 0; i < executor->guard_deferred->len; i++)
    {
      HostRun *run = g_ptr_array_index (executor->guard_deferred, i);

      if (now < run->deferred_until_us && !executor->stopping)
        continue;
      g_ptr_array_add (due_runs, run);
      g_ptr_array_add (due_hosts, (gpointer) run->result->host);
    }

  while (due_runs->len > 0
         && (pick = executor->stopping ? 0
                    : fleet_pacer_pick (executor->pacer, due_hosts, busy->len)) >= 0)
    {
      HostRun *run = g_ptr_array_steal_index (due_runs, pick);

      g_ptr_array_remove_index (due_hosts, pick);
      g_ptr_array_remove (executor->guard_deferred, run);
      run->busy = TRUE;
      g_ptr_array_add (busy, run);
      fleet_pacer_host_started (executor->pacer, run->result->host);
      advance_host (executor, run);
    }
}

/* Give every waiting host its final outcome: interrupted before its next
 * step when it had started, not run otherwise. */
static void
settle_waiting_hosts (Executor *executor, const char *why)
{
  for (guint i = 0; i < executor->window_waiting->len; i++)
    {
      HostRun *run = g_ptr_array_index (executor->window_waiting, i);
      const FleetStep *step = g_ptr_array_index (executor->plan->steps, run->next_step);
      g_autofree char *message = g_strdup_printf ("%s before step %u \"%s\"", why,
                                                  run->next_step + 1, step->name);

      /* A step killed at its window's end is reported as killed, not only
       * as waiting. */
      if (fleet_window_abort_is_next (&run->window, run->next_step))
        {
          g_free (message);
          message = fleet_window_abort_describe (executor->plan, run->index, &run->window);
        }

      run->window.waiting = FALSE;
      if (run->started)
        host_finish (executor, run, FLEET_HOST_INTERRUPTED, FLEET_FAILURE_INTERRUPTED, message);
      else
        run->result->message = g_steal_pointer (&message);
    }
  g_ptr_array_set_size (executor->window_waiting, 0);
}

/* Record where the run stopped to wait for `until_us`, and stop it. */
static void
pause_for_window (Executor *executor, gint64 until_us)
{
  FleetJsonWriter *json = fleet_journal_begin (executor->journal, "window-pause",
                                               wall_us (executor));
  g_autofree char *command = g_strdup_printf ("fleet-run --resume %s", executor->options->run_dir);

  journal_time_or_null (json, "resume_at", until_us);
  fleet_json_key (json, "resume_command");
  fleet_json_string (json, command);
  fleet_json_key (json, "hosts");
  fleet_json_begin_array (json);
  for (guint i = 0; i < executor->window_waiting->len; i++)
    {
      const HostRun *run = g_ptr_array_index (executor->window_waiting, i);

      fleet_json_begin_object (json);
      fleet_json_key (json, "host");
      fleet_json_string (json, run->result->host->name);
      fleet_json_key (json, "next_step");
      fleet_json_int (json, run->next_step + 1);
      journal_time_or_null (json, "until", run->window.wait_until_us);
      fleet_json_end_object (json);
    }
  fleet_json_end_array (json);
  fleet_journal_commit (executor->journal, TRUE);

  executor->result->paused = TRUE;
  executor->result->resume_at_us = until_us;
  settle_waiting_hosts (executor, "paused for the next maintenance window");
}

/* Sleep on the system clock until `until_us` or an interrupt. */
static void
sleep_until (Executor *executor, gint64 until_us)
{
  volatile sig_atomic_t *interrupt_level = executor->options->interrupt_level;

  while (wall_us (executor) < until_us && (interrupt_level == NULL || *interrupt_level == 0))
    g_usleep (MIN (until_us - wall_us (executor), G_USEC_PER_SEC));
}

/* Called when no host of the wave is busy.  Returns TRUE after waiting for
 * the next window of a waiting host; FALSE when none waits, when the run is
 * stopping, or after pausing the run. */
static gboolean
wait_for_window (Executor *executor)
{
  gint64 until_us = FLEET_WINDOW_GATE_NEVER;
  g_autofree char *until = NULL;

  if (executor->window_waiting->len == 0)
    return FALSE;
  if (executor->stopping || executor->result->halted || executor->snapshot_halt)
    {
      settle_waiting_hosts (executor, "stopped while waiting for a maintenance window");
      return FALSE;
    }

  for (guint i = 0; i < executor->window_waiting->len; i++)
    until_us = MIN (until_us, ((HostRun *) g_ptr_array_index (executor->window_waiting, i))->window.wait_until_us);

  if (!executor->options->wait_for_window || until_us == FLEET_WINDOW_GATE_NEVER)
    {
      pause_for_window (executor, until_us);
      return FALSE;
    }

  until = fleet_format_utc_seconds (until_us / G_USEC_PER_SEC);
  g_printerr ("fleet-run: waiting until %s for the next maintenance window\n", until);
  if (executor->options->wait_until != NULL)
    executor->options->wait_until (until_us, executor->options->wait_data);
  else
    sleep_until (executor, until_us);
  return TRUE;
}

/* Run one wave until every started host is done.  No host starts once a
 * halt threshold is reached. */
static void
run_wave (Executor *executor, guint wave_index)
{
  const FleetWave *wave = g_ptr_array_index (executor->plan->waves, wave_index);
  g_autoptr(GPtrArray) busy = g_ptr_array_new ();
  g_autoptr(GPtrArray) waiting = g_ptr_array_new ();
  g_autoptr(GPtrArray) waiting_hosts = g_ptr_array_new ();
  const FleetRunObserver *observer = executor->options->observer;
  gint64 wave_started_us = now_us (executor);
  gint64 next_sweep_us = wave_started_us + SWEEP_INTERVAL_US;

  for (guint i = 0; i < wave->host_indices->len; i++)
    {
      HostRun *run = g_ptr_array_index (executor->runs,
                                        g_array_index (wave->host_indices, guint32, i));

      /* Settled before a resume (fleet-resume.h). */
      if (run->finished)
        continue;
      g_ptr_array_add (waiting, run);
      g_ptr_array_add (waiting_hosts, (gpointer) run->result->host);
    }

  journal_wave (executor, "wave-start", wave_index);
  if (observer != NULL && observer->wave_started != NULL)
    observer->wave_started (wave_index, wave->host_indices->len, observer->data);
  fleet_halt_counts_start_wave (&executor->halt_counts);

  for (;;)
    {
      gint pick;

      apply_interrupt_level (executor, busy);
      apply_window_end (executor, busy);
      if (!executor->stopping)
        check_halt (executor, wave_index, waiting->len);
      resume_waiting_hosts (executor, busy);
      resume_deferred_hosts (executor, busy);

      while (!executor->stopping && !executor->result->halted && !executor->snapshot_halt
             && (pick = fleet_pacer_pick (executor->pacer, waiting_hosts, busy->len)) >= 0)
        {
          HostRun *run = g_ptr_array_steal_index (waiting, pick);

          g_ptr_array_remove_index (waiting_hosts, pick);
          if (!window_allows_next_step (executor, run))
            continue;
          if (observer != NULL && observer->host_started != NULL)
            observer->host_started (run->result->host, observer->data);
          start_host (executor, run);
          if (run->busy)
            {
              g_ptr_array_add (busy, run);
              fleet_pacer_host_started (executor->pacer, run->result->host);
            }
          check_halt (executor, wave_index, waiting->len);
        }

      /* A finished host stays polled while the kill of an aborted command
       * is still on its way to the server. */
      for (guint i = busy->len; i > 0; i--)
        {
          HostRun *run = g_ptr_array_index (busy, i - 1);

          if (!run->busy && !fleet_connection_has_helpers (run->connection))
            {
              fleet_pacer_host_finished (executor->pacer, run->result->host);
              g_ptr_array_remove_index (busy, i - 1);
            }
        }
      journal_pacer_changes (executor);

      if (busy->len == 0 && executor->guard_deferred->len == 0
          && (executor->stopping || executor->result->halted
              || executor->snapshot_halt || waiting->len == 0))
        {
          if (!wait_for_window (executor))
            break;
          continue;
        }
      if (busy->len > 0 || executor->guard_deferred->len > 0)
        wait_and_process (executor, busy, &next_sweep_us);
    }

  /* The last hosts to finish may reach a threshold after the last start. */
  if (!executor->stopping)
    check_halt (executor, wave_index, waiting->len);

  g_array_append_val (executor->result->wave_durations_us,
                      (gint64) { now_us (executor) - wave_started_us });
  journal_wave (executor, "wave-end", wave_index);
  if (observer != NULL && observer->wave_finished != NULL)
    observer->wave_finished (wave_index, observer->data);
  close_wave_connections (executor, wave);
}

/* Return whether every host of wave `wave_index` finished before a resume,
 * so the wave has nothing to run. */
static gboolean
wave_settled (const Executor *executor, guint wave_index)
{
  const FleetWave *wave = g_ptr_array_index (executor->plan->waves, wave_index);

  for (guint i = 0; i < wave->host_indices->len; i++)
    {
      const HostRun *run = g_ptr_array_index (executor->runs,
                                              g_array_index (wave->host_indices, guint32, i));

      if (!run->finished)
        return FALSE;
    }
  return TRUE;
}

/* Run the checks and the gate after wave `wave_index` (fleet-wave-end.h).
 * Hosts that a check failed count toward the halt thresholds. */
static void
end_wave (Executor *executor, guint wave_index)
{
  g_autoptr(GPtrArray) failed_hosts = g_ptr_array_new ();
  FleetWaiter waiter = { executor->clock, executor->options->sleep, executor->options->sleep_data,
                         executor->options->interrupt_level };
  FleetWaveEnd end = { executor->plan, wave_index, executor->options->run_id,
                       executor->options->run_dir, executor->journal, executor->ssh, &waiter };

  if (!fleet_wave_end_run (&end, executor->result, failed_hosts))
    {
      executor->stopping = TRUE;
      executor->result->interrupted = TRUE;
    }

  for (guint i = 0; i < failed_hosts->len; i++)
    fleet_halt_counts_add (&executor->halt_counts, g_ptr_array_index (failed_hosts, i));
  if (failed_hosts->len > 0)
    check_halt (executor, wave_index, 0);
}

/* Stop the run after wave `wave_index` when hosts of it are held, and
 * return whether it stopped (fleet-wave-held.h). */
static gboolean
stop_for_held_hosts (Executor *executor, guint wave_index)
{
  char *reason = fleet_wave_held_stop_reason (executor->plan, executor->result, wave_index);

  if (reason == NULL)
    return FALSE;
  g_free (executor->result->stop_reason);
  executor->result->stop_reason = reason;
  executor->result->stop_wave = wave_index;
  executor->result->held_stop = TRUE;
  return TRUE;
}

/* Stop the run after canary wave `wave_index` when none of its hosts
 * succeeded, and return whether it stopped (fleet-canary-stop.h). */
static gboolean
stop_for_failed_canary (Executor *executor, guint wave_index)
{
  char *reason = fleet_canary_stop_reason (executor->plan, executor->result, wave_index);

  if (reason == NULL)
    return FALSE;
  g_free (executor->result->stop_reason);
  executor->result->stop_reason = reason;
  executor->result->stop_wave = wave_index;
  return TRUE;
}

/* With `on_halt: rollback`, roll back the hosts of the wave where a halted
 * run stopped on which a step started. */
static void
roll_back_halted_wave (Executor *executor)
{
  const FleetRunResult *result = executor->result;
  guint wave = result->halted ? result->halt.wave : result->stop_wave;
  g_autoptr(GPtrArray) targets = NULL;
  FleetRollbackRun run = { executor->plan, executor->journal, executor->ssh, executor->clock,
                           executor->options->interrupt_level };

  if (executor->plan->rollback == NULL || !executor->plan->rollback->on_halt
      || executor->stopping || (!result->halted && result->stop_reason == NULL)
      || result->held_stop)
    return;

  targets = fleet_rollback_targets_from_result (executor->plan, result, wave);
  executor->result->rollback = fleet_rollback_run (&run, targets, "on_halt");
}

static FleetHostResult *
host_result_new (const FleetHost *host, guint n_steps)
{
  FleetHostResult *result = g_new0 (FleetHostResult, 1);

  result->host = host;
  result->outcome = FLEET_HOST_NOT_RUN;
  result->failed_step = G_MAXUINT;
  result->steps = g_ptr_array_new_with_free_func ((GDestroyNotify) step_result_free);
  for (guint i = 0; i < n_steps; i++)
    {
      FleetStepResult *step = g_new0 (FleetStepResult, 1);

      step->exit_status = -1;
      step->changed = -1;
      step->stdout_tail = g_string_new (NULL);
      step->stderr_tail = g_string_new (NULL);
      g_ptr_array_add (result->steps, step);
    }
  return result;
}

/* Give the SSH context the jump hosts, with the same overrides as the
 * hosts.  The context owns these copies and frees them after the last jump
 * connection. */
static void
share_jump_hosts (Executor *executor)
{
  g_autoptr(GPtrArray) jump_hosts = NULL;

  jump_hosts = g_ptr_array_new_with_free_func ((GDestroyNotify) fleet_host_free);

  for (guint i = 0; i < executor->plan->jump_hosts->len; i++)
    {
      FleetHost *host = fleet_host_copy (g_ptr_array_index (executor->plan->jump_hosts, i));

      if (executor->options->known_hosts_override != NULL)
        fleet_host_set_known_hosts_file (host, executor->options->known_hosts_override);
      g_ptr_array_add (jump_hosts, host);
    }
  fleet_ssh_context_set_jump_hosts (executor->ssh, jump_hosts);
}

/* Give `run` its step slots and schedule: one slot, or one per step the
 * plan lets run at once, at most the host's max_sessions.  A plan with
 * maintenance windows runs one step of a host at a time, because the
 * window gate and the abort at a window's end judge one step per host. */
static void
host_run_init_steps (HostRun *run, const FleetPlan *plan)
{
  const FleetStepOverlap *overlap = plan->schedule == NULL ? plan->step_overlap : NULL;

  run->schedule = fleet_step_schedule_new (overlap, plan->steps->len,
                                           run->result->host->max_sessions);
  run->n_slots = fleet_step_schedule_max_running (run->schedule);
  run->slots = g_new0 (StepSlot, run->n_slots);
  for (guint i = 0; i < run->n_slots; i++)
    run->slots[i] = (StepSlot) { .run = run, .stdout_sink.fd = -1, .stderr_sink.fd = -1 };
  run->pty_retry = g_new0 (gboolean, MAX (plan->steps->len, 1));
}

/* Mark the steps that a resumed host ended well before the resume, as
 * fleet_resume_apply_host filled them: succeeded or skipped. */
static void
host_run_resume_steps (HostRun *run)
{
  for (guint i = 0; i < run->result->steps->len; i++)
    {
      const FleetStepResult *result = g_ptr_array_index (run->result->steps, i);

      if (result->skipped || (result->started && result->failure == FLEET_FAILURE_NONE))
        fleet_step_schedule_set_done (run->schedule, i);
    }
}

static void
executor_init (Executor *executor, const FleetPlan *plan, const FleetRunOptions *options)
{
  executor->plan = plan;
  executor->options = options;
  executor->clock = options->clock != NULL ? options->clock : fleet_clock_system ();
  executor->ssh = fleet_ssh_context_new ();
  if (options->transport != NULL)
    fleet_ssh_context_set_transport (executor->ssh, options->transport);
  else
    fleet_ssh_context_set_handshake_workers (executor->ssh,
                                             options->handshake_workers > 0
                                               ? options->handshake_workers
                                               : g_get_num_processors (),
                                             executor->clock);
  executor->pacer = fleet_pacer_new (plan, now_us (executor));
  fleet_pacer_set_cpu_sampling (executor->pacer, options->transport == NULL);
  executor->barriers = fleet_barrier_gate_new (plan);
  if (options->secret_func != NULL)
    fleet_ssh_context_set_secret_func (executor->ssh, options->secret_func,
                                       options->secret_data);
  share_jump_hosts (executor);
  executor->hosts = g_ptr_array_new_with_free_func ((GDestroyNotify) fleet_host_free);
  executor->runs = g_ptr_array_new ();
  executor->window_waiting = g_ptr_array_new ();
  executor->guard_deferred = g_ptr_array_new ();
  executor->result = g_new0 (FleetRunResult, 1);
  executor->result->hosts = g_ptr_array_new_with_free_func ((GDestroyNotify) host_result_free);
  executor->result->wave_durations_us = g_array_new (FALSE, FALSE, sizeof (gint64));
  executor->result->check_failures = g_ptr_array_new_with_free_func (
    (GDestroyNotify) fleet_check_failure_free);
  executor->result->concurrency_history = g_array_new (FALSE, FALSE,
                                                       sizeof (FleetConcurrencyChange));

  for (guint i = 0; i < plan->hosts->len; i++)
    {
      FleetHost *host = fleet_host_copy (g_ptr_array_index (plan->hosts, i));
      HostRun *run = g_new0 (HostRun, 1);

      if (options->known_hosts_override != NULL)
        {
          fleet_host_set_known_hosts_file (host, options->known_hosts_override);
        }
      g_ptr_array_add (executor->hosts, host);

      run->result = host_result_new (host, plan->steps->len);
      run->connection = fleet_connection_new (host, executor->ssh);
      run->index = i;
      host_run_init_steps (run, plan);
      if (options->resume != NULL)
        {
          run->next_step = fleet_resume_apply_host (options->resume, plan, i, run->result);
          run->finished = !fleet_resume_host_runs (options->resume, i);
          host_run_resume_steps (run);
        }
      g_ptr_array_add (executor->result->hosts, run->result);
      g_ptr_array_add (executor->runs, run);
    }

  for (guint w = 0; w < plan->waves->len; w++)
    {
      const FleetWave *wave = g_ptr_array_index (plan->waves, w);

      for (guint i = 0; i < wave->host_indices->len; i++)
        {
          HostRun *run = g_ptr_array_index (executor->runs,
                                            g_array_index (wave->host_indices, guint32, i));
          run->result->wave = w;
        }
    }
}

/* Close every pooled connection and release the executor, but not the
 * result, which owns the host records. */
static void
executor_clear (Executor *executor)
{
  for (guint i = 0; i < executor->runs->len; i++)
    {
      HostRun *run = g_ptr_array_index (executor->runs, i);

      for (guint s = 0; s < run->n_slots; s++)
        {
          if (run->slots[s].command != NULL)
            fleet_command_free (run->slots[s].command);
          fleet_step_task_free (run->slots[s].task);
          close_output_files (&run->slots[s], NULL);
        }
      g_free (run->slots);
      g_free (run->pty_retry);
      fleet_step_schedule_free (run->schedule);
      g_free (run->stop.message);
      g_clear_pointer (&run->stop.in_flight, g_array_unref);
      fleet_facts_gathering_free (run->facts_gathering);
      g_clear_pointer (&run->facts, g_hash_table_unref);
      fleet_snapshot_collection_free (run->snapshot_collection);
      fleet_load_guard_free (run->load_guard);
      fleet_snapshot_free (run->snapshot_before);
      g_free (run->pending_message);
      fleet_connection_free (run->connection);
      g_free (run);
    }
  g_ptr_array_unref (executor->runs);
  fleet_drift_references_free (executor->drift_references);
  g_ptr_array_unref (executor->window_waiting);
  g_ptr_array_unref (executor->guard_deferred);
  fleet_ssh_context_free (executor->ssh);
  fleet_pacer_free (executor->pacer);
  fleet_barrier_gate_free (executor->barriers);
  if (executor->journal != NULL)
    fleet_journal_close (executor->journal);
}

/* Add the plan's expiry and the signature that approved it to the
 * run-start record. */
static void
journal_plan_trust (Executor *executor, FleetJsonWriter *json)
{
  const FleetPlanSignature *approval = executor->options->approval;

  if (executor->plan->expires_at != 0)
    {
      g_autofree char *expires_at = fleet_format_utc_seconds (executor->plan->expires_at);

      fleet_json_key (json, "plan_expires_at");
      fleet_json_string (json, expires_at);
    }

  if (approval != NULL)
    {
      fleet_json_key (json, "approved_by");
      fleet_json_begin_object (json);
      fleet_json_key (json, "fingerprint");
      fleet_json_string (json, approval->fingerprint);
      fleet_json_key (json, "comment");
      fleet_json_string (json, approval->comment);
      fleet_json_end_object (json);
    }
}

/* Record each inventory file that changed since the compile and that the
 * run goes ahead without. */
static void
journal_inventory_changes (Executor *executor)
{
  const GPtrArray *changes = executor->options->inventory_changes;

  for (guint i = 0; changes != NULL && i < changes->len; i++)
    {
      const FleetInventoryChange *change = g_ptr_array_index (changes, i);
      FleetJsonWriter *json = fleet_journal_begin (executor->journal, "inventory-changed",
                                                   wall_us (executor));

      fleet_json_key (json, "path");
      fleet_json_string (json, change->recorded->path);
      fleet_json_key (json, "compiled_sha256");
      fleet_json_string (json, change->recorded->sha256);
      fleet_json_key (json, "current_sha256");
      fleet_json_string (json, change->current_sha256);
      fleet_json_key (json, "error");
      fleet_json_string (json, change->read_error);
      fleet_json_key (json, "allowed_by");
      fleet_json_string (json, "--allow-changed-inventory");
      fleet_journal_commit (executor->journal, TRUE);
    }
}

static void
journal_run_start (Executor *executor)
{
  const FleetPlan *plan = executor->plan;
  FleetJsonWriter *json = fleet_journal_begin (executor->journal, "run-start", wall_us (executor));

  fleet_json_key (json, "run");
  fleet_json_string (json, executor->options->run_id);
  fleet_json_key (json, "workflow");
  fleet_json_string (json, plan->workflow_name);
  fleet_json_key (json, "plan_sha256");
  fleet_json_string (json, plan->file_sha256);
  if (executor->options->plan_path != NULL)
    {
      fleet_json_key (json, "plan_path");
      fleet_json_string (json, executor->options->plan_path);
    }
  fleet_json_key (json, "hosts");
  fleet_json_int (json, plan->hosts->len);
  fleet_json_key (json, "steps");
  fleet_json_int (json, plan->steps->len);
  fleet_json_key (json, "waves");
  fleet_json_int (json, plan->waves->len);
  fleet_json_key (json, "parallelism");
  fleet_json_int (json, plan->parallelism);
  journal_plan_trust (executor, json);
  fleet_journal_commit (executor->journal, TRUE);

  journal_inventory_changes (executor);
}

static void
journal_run_end (Executor *executor)
{
  FleetRunResult *result = executor->result;
  FleetJsonWriter *json = fleet_journal_begin (executor->journal, "run-end", wall_us (executor));
  guint counts[FLEET_HOST_N_OUTCOMES] = { 0 };

  for (guint i = 0; i < result->hosts->len; i++)
    counts[((FleetHostResult *) g_ptr_array_index (result->hosts, i))->outcome]++;

  fleet_json_key (json, "exit_status");
  fleet_json_int (json, fleet_run_result_exit_status (result));
  fleet_json_key (json, "succeeded");
  fleet_json_int (json, counts[FLEET_HOST_SUCCEEDED]);
  fleet_json_key (json, "failed");
  fleet_json_int (json, counts[FLEET_HOST_FAILED]);
  fleet_json_key (json, "interrupted");
  fleet_json_int (json, counts[FLEET_HOST_INTERRUPTED]);
  fleet_json_key (json, "not_run");
  fleet_json_int (json, counts[FLEET_HOST_NOT_RUN]);
  fleet_json_key (json, "held");
  fleet_json_int (json, counts[FLEET_HOST_HELD]);
  fleet_json_key (json, "halted");
  fleet_json_bool (json, result->halted);
  fleet_json_key (json, "stop_reason");
  fleet_json_string (json, result->stop_reason);
  /* A resume reads these to tell a gate it would pass over from hosts held
   * for a decision (fleet-run-resume.h). */
  fleet_json_key (json, "stop_wave");
  if (result->stop_reason != NULL)
    fleet_json_int (json, result->stop_wave + 1);
  else
    fleet_json_null (json);
  fleet_json_key (json, "stop_kind");
  fleet_json_string (json, result->stop_reason == NULL ? NULL
                           : result->held_stop ? "held-hosts" : "between-waves");
  fleet_json_key (json, "duration_ms");
  fleet_json_int (json, result->duration_us / 1000);
  fleet_journal_commit (executor->journal, TRUE);
}

FleetRunResult *
fleet_execute_plan (const FleetPlan *plan, const FleetRunOptions *options, GError **error)
{
  Executor executor = { 0 };
  g_autofree char *journal_path = g_build_filename (options->run_dir, "journal.jsonl", NULL);
  FleetJournal *journal;
  FleetRunResult *result;
  gint64 started_us;

  /* Only a plan that takes snapshots may have no steps: it checks hosts. */
  g_return_val_if_fail (plan->steps->len > 0 || plan->snapshot != NULL, NULL);

  if (plan->schedule != NULL
      && !fleet_plan_schedule_check_expiry (plan->schedule,
                                            fleet_clock_wall_us (options->clock != NULL
                                                                   ? options->clock
                                                                   : fleet_clock_system ()),
                                            error))
    return NULL;

  /* The journal's lock is taken first: a resume changes the run directory
   * (fleet_resume_apply_host) only once no other fleet-run writes it. */
  journal = options->resume != NULL ? fleet_journal_open_append (journal_path, error)
                                    : fleet_journal_create (journal_path, error);
  if (journal == NULL)
    return NULL;
  executor_init (&executor, plan, options);
  executor.journal = journal;

  started_us = now_us (&executor);
  if (options->resume != NULL)
    fleet_resume_journal (options->resume, plan, executor.journal, wall_us (&executor));
  else
    journal_run_start (&executor);
  if (plan->snapshot != NULL && plan->snapshot->drift == FLEET_SNAPSHOT_DRIFT_LATEST)
    {
      g_autofree char *owned_store = NULL;

      executor.drift_references = fleet_drift_references_load (
        snapshot_store_dir (&executor, &owned_store));
    }

  for (guint w = 0; w < plan->waves->len && !executor.stopping && !executor.result->halted
                   && !executor.result->paused && executor.result->stop_reason == NULL; w++)
    {
      executor.result->waves_run++;
      /* A wave settled before a resume ran its checks then. */
      if (wave_settled (&executor, w))
        {
          g_array_append_val (executor.result->wave_durations_us, (gint64) { -1 });
          stop_for_held_hosts (&executor, w);
          continue;
        }
      run_wave (&executor, w);
      if (!executor.stopping && !executor.result->halted && !executor.result->paused
          && !stop_for_held_hosts (&executor, w) && !stop_for_failed_canary (&executor, w))
        end_wave (&executor, w);
    }
  roll_back_halted_wave (&executor);

  executor.result->duration_us = now_us (&executor) - started_us;
  executor.result->concurrency_adaptive = fleet_pacer_is_adaptive (executor.pacer);
  g_array_append_vals (executor.result->concurrency_history,
                       fleet_pacer_history (executor.pacer)->data,
                       fleet_pacer_history (executor.pacer)->len);
  journal_run_end (&executor);
  fleet_run_reports_write (plan, options, executor.result);

  result = g_steal_pointer (&executor.result);
  result->host_records = g_steal_pointer (&executor.hosts);
  executor_clear (&executor);
  return result;
}
