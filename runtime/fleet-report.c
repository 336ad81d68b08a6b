/* fleet-report.c: text summary of a run. */
#include "runtime/fleet-report.h"

#include <string.h>

#include "runtime/fleet-halt.h"
#include "runtime/fleet-report-checks.h"
#include "runtime/fleet-rollback-run.h"
#include "schema/fleet-text.h"

static const char *
outcome_label (FleetHostOutcome outcome)
{
  switch (outcome)
    {
    case FLEET_HOST_SUCCEEDED:
      return "ok";
    case FLEET_HOST_FAILED:
      return "FAILED";
    case FLEET_HOST_INTERRUPTED:
      return "INTERRUPTED";
    case FLEET_HOST_HELD:
      return "HELD";
    case FLEET_HOST_NOT_RUN:
    default:
      return "not run";
    }
}

/* The last non-empty line of a command's output, bounded and with control
 * characters removed, so one line of the summary can show it. */
static char *
last_line (const GString *tail)
{
  /* Remote output is untrusted: invalid UTF-8 is replaced and control
   * characters, escape sequences included, become spaces. */
  g_autofree char *copy = g_utf8_make_valid (tail->str, tail->len);
  char *end;
  char *start;

  g_strchomp (copy);
  end = copy + strlen (copy);
  start = end;
  while (start > copy && start[-1] != '\n')
    start--;

  for (char *p = start; *p != '\0'; p++)
    if ((unsigned char) *p < 0x20 || *p == 0x7f)
      *p = ' ';

  if (g_utf8_strlen (start, -1) > 160)
    {
      g_autofree char *cut = g_utf8_substring (start, 0, 157);
      return g_strdup_printf ("%s...", cut);
    }
  return g_strdup (start);
}

static guint
steps_done (const FleetHostResult *host)
{
  guint done = 0;

  for (guint i = 0; i < host->steps->len; i++)
    {
      const FleetStepResult *step = g_ptr_array_index (host->steps, i);
      if (step->started && step->failure == FLEET_FAILURE_NONE)
        done++;
    }
  return done;
}

/* Append one line per step the host skipped, with the reason, so that no
 * step is passed over silently. */
static void
append_skipped_steps (GString *out, const FleetPlan *plan, const FleetHostResult *host)
{
  for (guint i = 0; i < host->steps->len; i++)
    {
      const FleetStepResult *result = g_ptr_array_index (host->steps, i);
      const FleetStep *step = g_ptr_array_index (plan->steps, i);
      g_autofree char *name = NULL;
      g_autofree char *reason = NULL;

      if (!result->skipped)
        continue;

      name = fleet_escape_for_terminal (step->name);
      reason = fleet_escape_for_terminal (result->skip_reason);
      g_string_append_printf (out, "      skipped step %u \"%s\": %s\n", i + 1, name, reason);
    }
}

/* Return whether `host` succeeded and a rollback then undid its steps,
 * which the summary counts as rolled back rather than succeeded. */
static gboolean
succeeded_then_rolled_back (const FleetHostResult *host, GHashTable *rolled_back)
{
  const FleetRollbackHostResult *rollback = g_hash_table_lookup (rolled_back, host->host->name);

  return host->outcome == FLEET_HOST_SUCCEEDED && rollback != NULL && rollback->succeeded;
}

/* The result column of a host: its outcome, except that a host that
 * succeeded and was rolled back reads "rolled back", or "rollback FAILED"
 * when its undo commands failed. */
static const char *
host_label (const FleetHostResult *host, GHashTable *rolled_back)
{
  const FleetRollbackHostResult *rollback = g_hash_table_lookup (rolled_back, host->host->name);

  /* Unreachable hosts count toward the unreachable_* thresholds, not the
   * failed_* ones, so the row shows which. */
  if (fleet_host_result_is_unreachable (host))
    return "UNREACHABLE";
  if (rollback == NULL || host->outcome != FLEET_HOST_SUCCEEDED)
    return outcome_label (host->outcome);
  return rollback->succeeded ? "rolled back" : "rollback FAILED";
}

static void
append_host_line (GString *out, const FleetPlan *plan, const FleetHostResult *host,
                  guint name_width, GHashTable *rolled_back)
{
  const FleetRollbackHostResult *rollback = g_hash_table_lookup (rolled_back, host->host->name);

  g_autofree char *name = fleet_escape_for_terminal (host->host->name);

  /* Host names come from inventories and messages from hosts: both are
   * escaped so they cannot change how the terminal shows the table. */
  g_string_append_printf (out, "  %-*s  %4u  %-11s  %u/%u  ", (int) name_width,
                          name, host->wave + 1, host_label (host, rolled_back),
                          steps_done (host), host->steps->len);
  /* A host that did not run in this resume spent no time in it. */
  if (host->settled_before_resume)
    g_string_append (out, "before resume");
  else
    g_string_append_printf (out, "%7.2fs", host->duration_us / 1e6);

  if (host->message != NULL)
    {
      g_autofree char *message = fleet_escape_for_terminal (host->message);

      g_string_append_printf (out, "  %s", message);
    }
  if (rollback != NULL && host->outcome != FLEET_HOST_SUCCEEDED)
    g_string_append_printf (out, "; %s", rollback->succeeded ? "rolled back"
                                                              : "rollback FAILED");

  if (host->failed_step != G_MAXUINT)
    {
      const FleetStepResult *step = g_ptr_array_index (host->steps, host->failed_step);
      g_autofree char *line = last_line (step->stderr_tail->len > 0 ? step->stderr_tail
                                                                    : step->stdout_tail);
      g_autofree char *escaped = fleet_escape_for_terminal (line);

      if (line[0] != '\0')
        g_string_append_printf (out, "; last output: %s", escaped);
    }
  g_string_append_c (out, '\n');
  append_skipped_steps (out, plan, host);
}

/* Return "wave 2", "wave 1 (canary)" or "wave 3 (stage web, wave 1,
 * canary)", with the stage name escaped for a terminal. */
static char *
wave_name (const FleetPlan *plan, guint index)
{
  const FleetWave *wave = g_ptr_array_index (plan->waves, index);
  g_autofree char *stage = NULL;

  if (wave->stage == NULL)
    return g_strdup_printf ("wave %u%s", index + 1, wave->canary ? " (canary)" : "");

  stage = fleet_escape_for_terminal (wave->stage);
  return g_strdup_printf ("wave %u (stage %s, wave %u%s)", index + 1, stage,
                          fleet_plan_stage_wave_number (plan, index),
                          wave->canary ? ", canary" : "");
}

static void
append_waves (GString *out, const FleetPlan *plan, const FleetRunResult *result,
              GHashTable *rolled_back)
{
  for (guint w = 0; w < plan->waves->len; w++)
    {
      const FleetWave *wave = g_ptr_array_index (plan->waves, w);
      guint counts[FLEET_HOST_N_OUTCOMES] = { 0 };
      guint unreachable = 0;
      guint undone = 0;
      g_autofree char *name = NULL;

      for (guint i = 0; i < wave->host_indices->len; i++)
        {
          const FleetHostResult *host = g_ptr_array_index (result->hosts,
                                                           g_array_index (wave->host_indices,
                                                                          guint32, i));
          counts[host->outcome]++;
          unreachable += fleet_host_result_is_unreachable (host);
          undone += succeeded_then_rolled_back (host, rolled_back);
        }

      name = wave_name (plan, w);
      g_string_append_printf (out, "%s: %u host%s", name, wave->host_indices->len,
                              wave->host_indices->len == 1 ? "" : "s");
      if (w >= result->waves_run)
        {
          g_string_append (out, ", not run\n");
          continue;
        }
      if (g_array_index (result->wave_durations_us, gint64, w) < 0)
        {
          g_string_append (out, ", finished before the resume\n");
          continue;
        }
      g_string_append_printf (out, ", %u succeeded, %u failed",
                              counts[FLEET_HOST_SUCCEEDED] - undone,
                              counts[FLEET_HOST_FAILED] - unreachable);
      if (unreachable > 0)
        g_string_append_printf (out, ", %u unreachable", unreachable);
      if (undone > 0)
        g_string_append_printf (out, ", %u succeeded and rolled back", undone);
      if (counts[FLEET_HOST_INTERRUPTED] > 0)
        g_string_append_printf (out, ", %u interrupted", counts[FLEET_HOST_INTERRUPTED]);
      if (counts[FLEET_HOST_NOT_RUN] > 0)
        g_string_append_printf (out, ", %u not run", counts[FLEET_HOST_NOT_RUN]);
      if (counts[FLEET_HOST_HELD] > 0)
        g_string_append_printf (out, ", %u held", counts[FLEET_HOST_HELD]);
      g_string_append_printf (out, " in %.2fs\n",
                              g_array_index (result->wave_durations_us, gint64, w) / 1e6);
    }
}

static gint
compare_durations (gconstpointer a, gconstpointer b)
{
  gint64 x = *(const gint64 *) a, y = *(const gint64 *) b;

  return x < y ? -1 : x > y;
}

/* One line per step that reports whether it changed the host, which the
 * step kinds and steps with changed_when do.  The line counts the hosts it
 * changed and those it left as they were, such as a copy whose file was
 * already in place. */
static void
append_step_changes (GString *out, const FleetPlan *plan, const FleetRunResult *result)
{
  gboolean heading = FALSE;

  for (guint s = 0; s < plan->steps->len; s++)
    {
      const FleetStep *step = g_ptr_array_index (plan->steps, s);
      g_autofree char *name = NULL;
      guint counts[2] = { 0, 0 };
      guint assumed = 0;

      for (guint h = 0; h < result->hosts->len; h++)
        {
          const FleetHostResult *host = g_ptr_array_index (result->hosts, h);
          const FleetStepResult *step_result = g_ptr_array_index (host->steps, s);

          if (!step_result->started || step_result->failure != FLEET_FAILURE_NONE)
            continue;
          if (step_result->changed >= 0)
            counts[step_result->changed]++;
          else
            assumed++;
        }
      if (counts[0] + counts[1] + assumed == 0)
        continue;

      if (!heading)
        {
          g_string_append (out, "\nChanges:\n");
          heading = TRUE;
        }
      name = fleet_escape_for_terminal (step->name);
      if (assumed > 0 && counts[0] + counts[1] == 0)
        g_string_append_printf (out, "  %u. %s: changed on %u host%s (no changed_when, so every "
                                "successful run counts as a change)\n", s + 1, name, assumed,
                                assumed == 1 ? "" : "s");
      else
        g_string_append_printf (out, "  %u. %s: changed on %u host%s, unchanged on %u\n",
                                s + 1, name, counts[1] + assumed,
                                counts[1] + assumed == 1 ? "" : "s", counts[0]);
    }
}

/* One line per step that ran anywhere: on how many hosts, the median and
 * 95th percentile duration (nearest rank), and the slowest host. */
static void
append_step_timings (GString *out, const FleetPlan *plan, const FleetRunResult *result)
{
  gboolean heading = FALSE;

  for (guint s = 0; s < plan->steps->len; s++)
    {
      const FleetStep *step = g_ptr_array_index (plan->steps, s);
      g_autoptr (GArray) durations = g_array_new (FALSE, FALSE, sizeof (gint64));
      g_autofree char *name = fleet_escape_for_terminal (step->name);
      g_autofree char *slowest_host = NULL;
      gint64 slowest = -1;
      guint n;

      for (guint h = 0; h < result->hosts->len; h++)
        {
          const FleetHostResult *host = g_ptr_array_index (result->hosts, h);
          const FleetStepResult *step_result = g_ptr_array_index (host->steps, s);

          /* A step in flight when an earlier run stopped has no duration. */
          if (!step_result->started || step_result->never_ended)
            continue;
          g_array_append_val (durations, step_result->duration_us);
          if (step_result->duration_us > slowest)
            {
              slowest = step_result->duration_us;
              g_free (slowest_host);
              slowest_host = fleet_escape_for_terminal (host->host->name);
            }
        }

      n = durations->len;
      if (n == 0)
        continue;
      if (!heading)
        {
          g_string_append (out, "\nStep timings:\n");
          heading = TRUE;
        }
      g_array_sort (durations, compare_durations);
      g_string_append_printf (out, "  %u. %s: %u host%s, median %.2fs, p95 %.2fs, slowest "
                              "%.2fs (%s)\n",
                              s + 1, name, n, n == 1 ? "" : "s",
                              g_array_index (durations, gint64, (n - 1) / 2) / 1e6,
                              g_array_index (durations, gint64, (n * 95 + 99) / 100 - 1) / 1e6,
                              slowest / 1e6, slowest_host);
    }
}

/* Say how the concurrency limit moved: where it started, its peak, where
 * it ended, and how often and why it fell. */
static void
append_concurrency (GString *out, const FleetRunResult *result)
{
  const GArray *history = result->concurrency_history;
  guint decreases[FLEET_CONGESTION_CONTROLLER + 1] = { 0 };
  guint n_decreases = 0;
  guint peak = 0;
  guint previous = 0;

  if (!result->concurrency_adaptive || history == NULL || history->len == 0)
    return;

  for (guint i = 0; i < history->len; i++)
    {
      const FleetConcurrencyChange *change = &g_array_index (history, FleetConcurrencyChange, i);

      peak = MAX (peak, change->limit);
      if (i > 0 && change->limit < previous)
        {
          decreases[change->cause]++;
          n_decreases++;
        }
      previous = change->limit;
    }

  g_string_append_printf (out, "Concurrency: started at %u, peaked at %u, ended at %u",
                          g_array_index (history, FleetConcurrencyChange, 0).limit, peak,
                          previous);
  if (n_decreases > 0)
    {
      const char *sep = "";

      g_string_append_printf (out, "; lowered %u time%s (", n_decreases,
                              n_decreases == 1 ? "" : "s");
      for (guint cause = FLEET_CONGESTION_TIMEOUT; cause <= FLEET_CONGESTION_CONTROLLER; cause++)
        if (decreases[cause] > 0)
          {
            g_string_append_printf (out, "%s%s %u", sep, fleet_congestion_name (cause),
                                    decreases[cause]);
            sep = ", ";
          }
      g_string_append (out, ")");
    }
  g_string_append (out, ".\n");
}

/* Say which threshold halted the run, where, and what did not start. */
static void
append_halt (GString *out, const FleetPlan *plan, const FleetRunResult *result)
{
  const FleetHaltReason *halt = &result->halt;
  const FleetWave *wave = g_ptr_array_index (plan->waves, halt->wave);
  g_autofree char *name = wave_name (plan, halt->wave);
  const char *counted = fleet_halt_rule_counts_unreachable (halt->rule) ? "unreachable" : "failed";
  const char *scope = fleet_halt_rule_is_per_wave (halt->rule) ? "in the wave" : "in the run";
  guint not_started = 0;
  guint later_waves = plan->waves->len - halt->wave - 1;

  for (guint i = 0; i < wave->host_indices->len; i++)
    {
      const FleetHostResult *host = g_ptr_array_index (result->hosts,
                                                       g_array_index (wave->host_indices,
                                                                      guint32, i));
      not_started += host->outcome == FLEET_HOST_NOT_RUN;
    }

  g_string_append_printf (out, "The run halted in %s: %u %s host%s %s reached "
                          "%s, which halts at %u.", name, halt->count, counted,
                          halt->count == 1 ? "" : "s", scope, fleet_halt_rule_name (halt->rule),
                          halt->threshold);
  if (not_started == 0 && later_waves == 0)
    g_string_append (out, " Every host of the plan had already started.\n");
  else
    g_string_append_printf (out, " %u host%s of the wave and %u later wave%s were not started.\n",
                            not_started, not_started == 1 ? "" : "s", later_waves,
                            later_waves == 1 ? "" : "s");
}

char *
fleet_report_format_summary (const FleetPlan *plan,
                             const FleetRunResult *result,
                             const char *run_dir)
{
  GString *out = g_string_new (NULL);
  g_autoptr (GHashTable) rolled_back = fleet_report_rolled_back_hosts (result);
  guint counts[FLEET_HOST_N_OUTCOMES] = { 0 };
  guint unreachable = 0;
  guint undone = 0;
  guint name_width = 4;

  for (guint i = 0; i < result->hosts->len; i++)
    {
      const FleetHostResult *host = g_ptr_array_index (result->hosts, i);
      counts[host->outcome]++;
      unreachable += fleet_host_result_is_unreachable (host);
      undone += succeeded_then_rolled_back (host, rolled_back);
      g_autofree char *name = fleet_escape_for_terminal (host->host->name);

      name_width = MAX (name_width, strlen (name));
    }

  append_waves (out, plan, result, rolled_back);

  g_string_append_printf (out, "\n  %-*s  wave  result       steps  time\n", (int) name_width,
                          "host");
  for (guint i = 0; i < result->hosts->len; i++)
    append_host_line (out, plan, g_ptr_array_index (result->hosts, i), name_width, rolled_back);

  g_string_append_printf (out, "\n%u of %u host%s succeeded",
                          counts[FLEET_HOST_SUCCEEDED] - undone,
                          result->hosts->len, result->hosts->len == 1 ? "" : "s");
  if (undone > 0)
    g_string_append_printf (out, ", %u succeeded and then rolled back", undone);
  if (counts[FLEET_HOST_FAILED] > unreachable)
    g_string_append_printf (out, ", %u failed", counts[FLEET_HOST_FAILED] - unreachable);
  if (unreachable > 0)
    g_string_append_printf (out, ", %u unreachable", unreachable);
  if (counts[FLEET_HOST_INTERRUPTED] > 0)
    g_string_append_printf (out, ", %u interrupted", counts[FLEET_HOST_INTERRUPTED]);
  if (counts[FLEET_HOST_NOT_RUN] > 0)
    g_string_append_printf (out, ", %u not run", counts[FLEET_HOST_NOT_RUN]);
  if (counts[FLEET_HOST_HELD] > 0)
    g_string_append_printf (out, ", %u held for a decision", counts[FLEET_HOST_HELD]);
  g_string_append_printf (out, " in %.2fs.\n", result->duration_us / 1e6);

  if (result->halted)
    append_halt (out, plan, result);
  if (result->interrupted)
    g_string_append (out, "The run was interrupted.\n");
  fleet_report_append_between_waves (out, plan, result);
  append_step_timings (out, plan, result);
  append_step_changes (out, plan, result);
  append_concurrency (out, result);

  g_string_append_printf (out, "Journal and output: %s\n", run_dir);
  return g_string_free (out, FALSE);
}
