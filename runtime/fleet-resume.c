/* fleet-resume.c: a run's journal folded into each host's state. */
#include "runtime/fleet-resume.h"

#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <gio/gio.h>
#include <glib/gstdio.h>

#include "runtime/fleet-journal-reader.h"
#include "runtime/fleet-resume-choice.h"
#include "schema/fleet-text.h"

/* How the last host-end record of a host, if any, ended it. */
typedef struct {
  gboolean started;
  char *outcome;                 /* "succeeded", "failed", "interrupted",
                                    "skipped", or NULL without a host-end */
  FleetFailure failure;
  char *message;
} HostFold;

static void
resume_step_free (FleetResumeStep *step)
{
  g_free (step->exit_signal);
  g_free (step->message);
  g_free (step);
}

static void
resume_host_free (FleetResumeHost *host)
{
  g_free (host->message);
  g_ptr_array_unref (host->steps);
  g_free (host);
}

void
fleet_resume_state_free (FleetResumeState *state)
{
  if (state == NULL)
    return;

  g_free (state->run_id);
  g_free (state->run_dir);
  g_free (state->journal_path);
  /* A state dropped before the journal was read has no warnings yet. */
  g_clear_pointer (&state->warnings, g_ptr_array_unref);
  g_clear_pointer (&state->hosts, g_ptr_array_unref);
  g_clear_pointer (&state->rolled_back_hosts, g_ptr_array_unref);
  g_clear_pointer (&state->choices, g_ptr_array_unref);
  g_free (state->overridden_stop);
  g_free (state);
}

static FleetResumeHost *
resume_host_new (guint n_steps)
{
  FleetResumeHost *host = g_new0 (FleetResumeHost, 1);

  host->in_flight_step = G_MAXUINT;
  host->failed_step = G_MAXUINT;
  host->steps = g_ptr_array_new_with_free_func ((GDestroyNotify) resume_step_free);
  for (guint i = 0; i < n_steps; i++)
    {
      FleetResumeStep *step = g_new0 (FleetResumeStep, 1);

      step->exit_status = -1;
      g_ptr_array_add (host->steps, step);
    }
  return host;
}

/* Journal records */

static gboolean
set_mismatch (GError **error, const FleetJournalContents *contents,
              const FleetJournalRecord *record, const char *format, ...) G_GNUC_PRINTF (4, 5);

static gboolean
set_mismatch (GError **error, const FleetJournalContents *contents,
              const FleetJournalRecord *record, const char *format, ...)
{
  g_autofree char *text = NULL;
  va_list args;

  va_start (args, format);
  text = g_strdup_vprintf (format, args);
  va_end (args);
  g_set_error (error, FLEET_JOURNAL_ERROR, FLEET_JOURNAL_ERROR_MISMATCH, "%s:%u: %s",
               contents->path, record->line, text);
  return FALSE;
}

/* Check the plan digest of a run-start or run-resume record. */
static gboolean
check_plan_digest (const FleetJournalContents *contents, const FleetJournalRecord *record,
                   const FleetPlan *plan, GError **error)
{
  const char *recorded = fleet_journal_record_get_string (record, "plan_sha256");

  if (g_strcmp0 (recorded, plan->file_sha256) == 0)
    return TRUE;
  return set_mismatch (error, contents, record,
                       "the run was started with the plan of sha256 %s, but the plan given has "
                       "sha256 %s; resume a run only with the plan file it started with",
                       recorded != NULL ? recorded : "(none)", plan->file_sha256);
}

/* Find the plan host a record names. */
static gboolean
record_host (const FleetJournalContents *contents, const FleetJournalRecord *record,
             GHashTable *host_indices, guint *out_index, GError **error)
{
  const char *name = fleet_journal_record_get_string (record, "host");
  gpointer value;

  if (name == NULL || !g_hash_table_lookup_extended (host_indices, name, NULL, &value))
    return set_mismatch (error, contents, record,
                         "the %s record names host \"%s\", which the plan does not have; the "
                         "journal is from another plan", record->event,
                         name != NULL ? name : "(none)");
  *out_index = GPOINTER_TO_UINT (value);
  return TRUE;
}

/* Find the plan step a record names, by number and name. */
static gboolean
record_step (const FleetJournalContents *contents, const FleetJournalRecord *record,
             const FleetPlan *plan, guint *out_index, GError **error)
{
  gint64 number = fleet_journal_record_get_int (record, "step", 0);
  const char *name = fleet_journal_record_get_string (record, "name");
  const FleetStep *step;

  if (number < 1 || number > plan->steps->len)
    return set_mismatch (error, contents, record,
                         "the %s record names step %" G_GINT64_FORMAT ", but the plan has %u "
                         "steps; the journal is from another plan", record->event, number,
                         plan->steps->len);

  step = g_ptr_array_index (plan->steps, number - 1);
  if (g_strcmp0 (name, step->name) != 0)
    return set_mismatch (error, contents, record,
                         "the %s record names step %" G_GINT64_FORMAT " \"%s\", but that step "
                         "of the plan is \"%s\"; the journal is from another plan",
                         record->event, number, name != NULL ? name : "(none)", step->name);
  *out_index = (guint) (number - 1);
  return TRUE;
}

static void
fold_step_end (FleetResumeStep *step, const FleetJournalRecord *record)
{
  const char *status = fleet_journal_record_get_string (record, "status");
  const char *code = fleet_journal_record_get_string (record, "error");

  step->failure = FLEET_FAILURE_NONE;
  if (code != NULL && !fleet_failure_from_code (code, &step->failure))
    step->failure = FLEET_FAILURE_CHANNEL;
  step->exit_status = (int) fleet_journal_record_get_int (record, "exit_status", -1);
  g_free (step->exit_signal);
  step->exit_signal = g_strdup (fleet_journal_record_get_string (record, "signal"));
  g_free (step->message);
  step->message = g_strdup (fleet_journal_record_get_string (record, "message"));
  step->duration_ms = fleet_journal_record_get_int (record, "duration_ms", 0);
  step->stdout_bytes = (guint64) fleet_journal_record_get_int (record, "stdout_bytes", 0);
  step->stderr_bytes = (guint64) fleet_journal_record_get_int (record, "stderr_bytes", 0);

  /* A command aborted by an interrupt may have run in part, like one that
   * never ended. */
  if (g_strcmp0 (status, "ok") == 0)
    step->state = FLEET_RESUME_STEP_OK;
  else if (step->failure == FLEET_FAILURE_INTERRUPTED)
    step->state = FLEET_RESUME_STEP_IN_FLIGHT;
  else
    step->state = FLEET_RESUME_STEP_FAILED;
}

static void
fold_host_end (HostFold *fold, const FleetJournalRecord *record)
{
  const char *code = fleet_journal_record_get_string (record, "error");

  g_free (fold->outcome);
  fold->outcome = g_strdup (fleet_journal_record_get_string (record, "outcome"));
  fold->failure = FLEET_FAILURE_NONE;
  if (code != NULL && !fleet_failure_from_code (code, &fold->failure))
    fold->failure = FLEET_FAILURE_CHANNEL;
  g_free (fold->message);
  fold->message = g_strdup (fleet_journal_record_get_string (record, "message"));
}

/* Apply one record to the host it names. */
static gboolean
fold_host_record (FleetResumeState *state, const FleetJournalContents *contents,
                  const FleetJournalRecord *record, const FleetPlan *plan,
                  GHashTable *host_indices, HostFold *folds, GError **error)
{
  guint host_index = 0;
  guint step_index = 0;
  FleetResumeHost *host;
  FleetResumeStep *step;

  if (!record_host (contents, record, host_indices, &host_index, error))
    return FALSE;
  host = g_ptr_array_index (state->hosts, host_index);

  if (strcmp (record->event, "host-start") == 0)
    {
      folds[host_index].started = TRUE;
      g_clear_pointer (&folds[host_index].outcome, g_free);
      return TRUE;
    }
  if (strcmp (record->event, "host-end") == 0)
    {
      fold_host_end (&folds[host_index], record);
      return TRUE;
    }

  if (!record_step (contents, record, plan, &step_index, error))
    return FALSE;
  step = g_ptr_array_index (host->steps, step_index);

  if (strcmp (record->event, "step-start") == 0)
    {
      step->state = FLEET_RESUME_STEP_IN_FLIGHT;
    }
  else if (strcmp (record->event, "step-aborted") == 0)
    {
      /* Killed at the end of its maintenance window under the plan's
       * at_window_end: abort, which declares it safe to run again. */
      step->state = FLEET_RESUME_STEP_NOT_STARTED;
    }
  else if (strcmp (record->event, "step-end") == 0)
    {
      fold_step_end (step, record);
    }
  else
    {
      step->state = FLEET_RESUME_STEP_SKIPPED;
      g_free (step->message);
      step->message = g_strdup (fleet_journal_record_get_string (record, "reason"));
    }
  return TRUE;
}

static gboolean
is_host_event (const char *event)
{
  static const char *const events[] = { "host-start", "host-end", "step-start", "step-end",
                                        "step-skipped", "step-aborted" };

  for (guint i = 0; i < G_N_ELEMENTS (events); i++)
    if (strcmp (event, events[i]) == 0)
      return TRUE;
  return FALSE;
}

static gboolean
fold_records (FleetResumeState *state, const FleetJournalContents *contents,
              const FleetPlan *plan, HostFold *folds, GError **error)
{
  g_autoptr(GHashTable) host_indices = g_hash_table_new (g_str_hash, g_str_equal);
  const FleetJournalRecord *first;

  for (guint i = 0; i < plan->hosts->len; i++)
    g_hash_table_insert (host_indices, ((FleetHost *) g_ptr_array_index (plan->hosts, i))->name,
                         GUINT_TO_POINTER (i));

  if (contents->records->len == 0)
    {
      g_set_error (error, FLEET_JOURNAL_ERROR, FLEET_JOURNAL_ERROR_MISMATCH,
                   "%s has no records; the run never started, so start it afresh",
                   contents->path);
      return FALSE;
    }

  first = g_ptr_array_index (contents->records, 0);
  if (strcmp (first->event, "run-start") != 0)
    return set_mismatch (error, contents, first,
                         "the journal starts with a %s record instead of run-start",
                         first->event);
  state->run_id = g_strdup (fleet_journal_record_get_string (first, "run"));

  for (guint i = 0; i < contents->records->len; i++)
    {
      const FleetJournalRecord *record = g_ptr_array_index (contents->records, i);

      if (strcmp (record->event, "run-start") == 0 && i > 0)
        return set_mismatch (error, contents, record, "a second run-start record");
      if (strcmp (record->event, "run-start") == 0 || strcmp (record->event, "run-resume") == 0)
        {
          if (!check_plan_digest (contents, record, plan, error))
            return FALSE;
          state->resumes += i > 0;
          continue;
        }
      if (is_host_event (record->event)
          && !fold_host_record (state, contents, record, plan, host_indices, folds, error))
        return FALSE;
    }
  return TRUE;
}

/* Host states */

static guint
first_step_in (const FleetResumeHost *host, FleetResumeStepState wanted)
{
  for (guint i = 0; i < host->steps->len; i++)
    if (((const FleetResumeStep *) g_ptr_array_index (host->steps, i))->state == wanted)
      return i;
  return G_MAXUINT;
}

/* The first step that has not ended well: not started, in flight or
 * failed. */
static guint
first_unfinished_step (const FleetResumeHost *host)
{
  for (guint i = 0; i < host->steps->len; i++)
    {
      const FleetResumeStep *step = g_ptr_array_index (host->steps, i);

      if (step->state != FLEET_RESUME_STEP_OK && step->state != FLEET_RESUME_STEP_SKIPPED)
        return i;
    }
  return host->steps->len;
}

/* The first step in flight that the workflow does not mark idempotent, or
 * G_MAXUINT. */
static guint
first_held_step (const FleetResumeHost *host, const FleetPlan *plan)
{
  for (guint i = 0; i < host->steps->len; i++)
    {
      const FleetResumeStep *step = g_ptr_array_index (host->steps, i);

      if (step->state == FLEET_RESUME_STEP_IN_FLIGHT
          && !((const FleetStep *) g_ptr_array_index (plan->steps, i))->idempotent)
        return i;
    }
  return G_MAXUINT;
}

static gboolean
step_ended_well (const FleetResumeStep *step)
{
  return step->state == FLEET_RESUME_STEP_OK || step->state == FLEET_RESUME_STEP_SKIPPED;
}

static void
settle_host (FleetResumeHost *host, HostFold *fold, const FleetPlan *plan)
{
  /* A host left out with --skip-host before it started has a host-end
   * record and no host-start. */
  if (!fold->started && g_strcmp0 (fold->outcome, "skipped") != 0)
    {
      host->state = FLEET_RESUME_HOST_PENDING;
      return;
    }

  if (g_strcmp0 (fold->outcome, "succeeded") == 0)
    {
      host->state = FLEET_RESUME_HOST_SUCCEEDED;
      return;
    }
  if (g_strcmp0 (fold->outcome, "skipped") == 0 || g_strcmp0 (fold->outcome, "failed") == 0)
    {
      host->state = g_strcmp0 (fold->outcome, "skipped") == 0 ? FLEET_RESUME_HOST_SKIPPED
                                                              : FLEET_RESUME_HOST_FAILED;
      host->failure = fold->failure;
      host->message = g_steal_pointer (&fold->message);
      host->failed_step = first_step_in (host, FLEET_RESUME_STEP_FAILED);
      return;
    }

  /* Interrupted, or stopped without a host-end record.  A plan that lets
   * steps overlap may leave several in flight.  The host is held when one
   * of them is not idempotent, and the held step is the first such. */
  host->in_flight_step = first_held_step (host, plan);
  if (host->in_flight_step == G_MAXUINT)
    {
      host->state = FLEET_RESUME_HOST_CONTINUE;
      host->next_step = first_unfinished_step (host);
      return;
    }
  host->state = FLEET_RESUME_HOST_HELD;
}

static const char *
state_phrase (FleetResumeHostState state)
{
  switch (state)
    {
    case FLEET_RESUME_HOST_SUCCEEDED:
      return "succeeded";
    case FLEET_RESUME_HOST_FAILED:
      return "failed";
    case FLEET_RESUME_HOST_SKIPPED:
      return "was left out with --skip-host";
    case FLEET_RESUME_HOST_HELD:
      return "is held";
    case FLEET_RESUME_HOST_PENDING:
      return "has not started";
    case FLEET_RESUME_HOST_CONTINUE:
    default:
      return "has steps left";
    }
}

/* Decisions */

static gboolean
apply_retry (FleetResumeHost *host, const char *subject, GError **error)
{
  switch (host->state)
    {
    case FLEET_RESUME_HOST_HELD:
      /* Every step in flight runs again.  Without overlap the held step is
       * the only one, and the first that has not ended. */
      host->next_step = first_unfinished_step (host);
      break;
    case FLEET_RESUME_HOST_FAILED:
    case FLEET_RESUME_HOST_SKIPPED:
      host->next_step = first_unfinished_step (host);
      break;
    case FLEET_RESUME_HOST_SUCCEEDED:
    case FLEET_RESUME_HOST_PENDING:
    case FLEET_RESUME_HOST_CONTINUE:
    default:
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT,
                   "%s %s, so there is nothing to retry; "
                   "--retry-host applies to held, failed and skipped hosts", subject,
                   state_phrase (host->state));
      return FALSE;
    }

  host->state = FLEET_RESUME_HOST_CONTINUE;
  host->decision = FLEET_RESUME_DECISION_RETRY;
  return TRUE;
}

static gboolean
apply_skip (FleetResumeHost *host, const char *subject, GError **error)
{
  if (host->state != FLEET_RESUME_HOST_HELD && host->state != FLEET_RESUME_HOST_PENDING
      && host->state != FLEET_RESUME_HOST_CONTINUE)
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT,
                   "%s %s already; --skip-host applies to hosts "
                   "with steps left", subject, state_phrase (host->state));
      return FALSE;
    }

  host->state = FLEET_RESUME_HOST_SKIPPED;
  host->decision = FLEET_RESUME_DECISION_SKIP;
  g_free (host->message);
  host->message = g_strdup (FLEET_RESUME_SKIPPED_MESSAGE);
  return TRUE;
}

/* One argument of --retry-host or --skip-host with the hosts it chose. */
typedef struct {
  const char *option;
  const char *argument;
  FleetResumeChoiceKind kind;
  GArray *hosts;                 /* guint plan indices */
} Choice;

static void
choice_clear (Choice *choice)
{
  g_clear_pointer (&choice->hosts, g_array_unref);
}

/* Choose the hosts of every argument against the journal's held hosts,
 * before any decision changes a host's state. */
static gboolean
choose_all (const FleetResumeState *state, const FleetPlan *plan,
            const char * const *retry_hosts, const char * const *skip_hosts, GArray *choices,
            GError **error)
{
  g_autofree gboolean *held = g_new0 (gboolean, plan->hosts->len);

  for (guint i = 0; i < plan->hosts->len; i++)
    held[i] = ((const FleetResumeHost *) g_ptr_array_index (state->hosts, i))->state
              == FLEET_RESUME_HOST_HELD;

  for (guint pass = 0; pass < 2; pass++)
    {
      const char *option = pass == 0 ? "--retry-host" : "--skip-host";
      const char * const *arguments = pass == 0 ? retry_hosts : skip_hosts;

      for (guint i = 0; arguments != NULL && arguments[i] != NULL; i++)
        {
          Choice choice = { option, arguments[i], FLEET_RESUME_CHOICE_NAME, NULL };

          if (!fleet_resume_choose_hosts (plan, held, option, arguments[i], &choice.kind,
                                          &choice.hosts, error))
            return FALSE;
          g_array_append_val (choices, choice);
        }
    }
  return TRUE;
}

/* Apply one choice.  A host that a name decided already is left to that
 * decision when `held` or a selector chooses it too, so that
 * `--retry-host held --skip-host web03` retries every held host but web03;
 * any other second decision for a host is an error.  Appends the hosts it
 * decided to `applied`. */
static gboolean
apply_choice (FleetResumeState *state, const FleetPlan *plan, const Choice *choice,
              const gboolean *decided_by_name, GArray *applied, GError **error)
{
  g_autofree char *shown = fleet_resume_quote_argument (choice->argument);
  gboolean retry = strcmp (choice->option, "--retry-host") == 0;

  for (guint i = 0; i < choice->hosts->len; i++)
    {
      guint index = g_array_index (choice->hosts, guint, i);
      FleetResumeHost *host = g_ptr_array_index (state->hosts, index);
      g_autofree char *name
        = fleet_escape_for_terminal (((const FleetHost *) g_ptr_array_index (plan->hosts,
                                                                             index))->name);
      g_autofree char *subject = NULL;

      if (host->decision != FLEET_RESUME_DECISION_NONE)
        {
          if (choice->kind != FLEET_RESUME_CHOICE_NAME && decided_by_name[index])
            continue;
          g_set_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT,
                       "%s %s: the host %s is chosen by another --retry-host or "
                       "--skip-host already; give one decision per host", choice->option,
                       shown, name);
          return FALSE;
        }

      subject = choice->kind == FLEET_RESUME_CHOICE_NAME
                  ? g_strdup_printf ("%s %s: the host", choice->option, shown)
                  : g_strdup_printf ("%s %s chose host %s, but the host", choice->option,
                                     shown, name);
      if (retry ? !apply_retry (host, subject, error) : !apply_skip (host, subject, error))
        return FALSE;
      g_array_append_val (applied, index);
    }
  return TRUE;
}

/* Apply the decisions, names first, and record in state->choices the
 * hosts that each `held` or selector argument chose. */
static gboolean
apply_decisions (FleetResumeState *state, const FleetPlan *plan,
                 const char * const *retry_hosts, const char * const *skip_hosts,
                 GError **error)
{
  g_autoptr(GArray) choices = g_array_new (FALSE, TRUE, sizeof (Choice));
  g_autofree gboolean *decided_by_name = g_new0 (gboolean, plan->hosts->len);

  g_array_set_clear_func (choices, (GDestroyNotify) choice_clear);
  if (!choose_all (state, plan, retry_hosts, skip_hosts, choices, error))
    return FALSE;

  for (guint pass = 0; pass < 2; pass++)
    for (guint i = 0; i < choices->len; i++)
      {
        const Choice *choice = &g_array_index (choices, Choice, i);
        gboolean by_name = choice->kind == FLEET_RESUME_CHOICE_NAME;
        g_autoptr(GArray) applied = NULL;

        if (by_name != (pass == 0))
          continue;
        applied = g_array_new (FALSE, FALSE, sizeof (guint));
        if (!apply_choice (state, plan, choice, decided_by_name, applied, error))
          return FALSE;
        if (by_name)
          decided_by_name[g_array_index (choice->hosts, guint, 0)] = TRUE;
        else
          g_ptr_array_add (state->choices,
                           fleet_resume_describe_choice (plan, choice->option, choice->argument,
                                                         applied));
      }
  return TRUE;
}

/* Fail when the resume would run nothing and decide nothing. */
static gboolean
check_work_left (const FleetResumeState *state, const FleetPlan *plan,
                 const char * const *retry_hosts, const char * const *skip_hosts,
                 GError **error)
{
  g_autoptr(GString) held = g_string_new (NULL);

  if ((retry_hosts != NULL && retry_hosts[0] != NULL)
      || (skip_hosts != NULL && skip_hosts[0] != NULL))
    return TRUE;

  for (guint i = 0; i < state->hosts->len; i++)
    {
      const FleetResumeHost *host = g_ptr_array_index (state->hosts, i);

      if (fleet_resume_host_runs (state, i))
        return TRUE;
      if (host->state == FLEET_RESUME_HOST_HELD)
        g_string_append_printf (held, "%s%s", held->len > 0 ? ", " : "",
                                ((const FleetHost *) g_ptr_array_index (plan->hosts, i))->name);
    }

  if (held->len > 0)
    g_set_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT,
                 "run %s has only held hosts left (%s): decide for each with --retry-host HOST "
                 "to run its interrupted step again, or --skip-host HOST to leave it out; "
                 "--retry-host held or --skip-host held decides for all of them",
                 state->run_id, held->str);
  else
    g_set_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT,
                 "run %s has nothing left to run: every host has finished; give --retry-host "
                 "HOST to run a failed host again", state->run_id);
  return FALSE;
}

FleetResumeState *
fleet_resume_load (const FleetPlan *plan, const char *run_dir, const char * const *retry_hosts,
                   const char * const *skip_hosts, GError **error)
{
  g_autoptr(FleetResumeState) state = g_new0 (FleetResumeState, 1);
  g_autoptr(FleetJournalContents) contents = NULL;
  g_autofree HostFold *folds = g_new0 (HostFold, plan->hosts->len);
  gboolean folded;

  g_return_val_if_fail (plan->file_sha256 != NULL, NULL);

  state->run_dir = g_strdup (run_dir);
  state->journal_path = g_build_filename (run_dir, "journal.jsonl", NULL);
  state->hosts = g_ptr_array_new_with_free_func ((GDestroyNotify) resume_host_free);
  state->choices = g_ptr_array_new_with_free_func (g_free);
  for (guint i = 0; i < plan->hosts->len; i++)
    g_ptr_array_add (state->hosts, resume_host_new (plan->steps->len));

  contents = fleet_journal_read (state->journal_path, error);
  if (contents == NULL)
    return NULL;
  state->torn_offset = contents->torn_offset;
  state->warnings = g_ptr_array_ref (contents->warnings);

  folded = fold_records (state, contents, plan, folds, error);
  for (guint i = 0; i < plan->hosts->len; i++)
    {
      if (folded)
        settle_host (g_ptr_array_index (state->hosts, i), &folds[i], plan);
      g_free (folds[i].outcome);
      g_free (folds[i].message);
    }
  if (!folded)
    return NULL;

  if (!apply_decisions (state, plan, retry_hosts, skip_hosts, error)
      || !check_work_left (state, plan, retry_hosts, skip_hosts, error))
    return NULL;

  return g_steal_pointer (&state);
}

char *
fleet_resume_recorded_plan_path (const char *run_dir, GError **error)
{
  g_autofree char *journal_path = g_build_filename (run_dir, "journal.jsonl", NULL);
  g_autoptr(FleetJournalContents) contents = fleet_journal_read (journal_path, error);
  const FleetJournalRecord *first;
  const char *path;

  if (contents == NULL)
    return NULL;

  first = contents->records->len > 0 ? g_ptr_array_index (contents->records, 0) : NULL;
  path = first != NULL && strcmp (first->event, "run-start") == 0
           ? fleet_journal_record_get_string (first, "plan_path") : NULL;
  if (path == NULL)
    {
      g_set_error (error, FLEET_JOURNAL_ERROR, FLEET_JOURNAL_ERROR_MISMATCH,
                   "%s does not record the plan file of the run; give it: fleet-run --resume "
                   "%s PLAN", journal_path, run_dir);
      return NULL;
    }
  return g_strdup (path);
}

gboolean
fleet_resume_host_runs (const FleetResumeState *state, guint index)
{
  const FleetResumeHost *host = g_ptr_array_index (state->hosts, index);

  return host->state == FLEET_RESUME_HOST_PENDING || host->state == FLEET_RESUME_HOST_CONTINUE;
}

/* Results for the executor */

static char *
output_path (const char *run_dir, const FleetHost *host, guint step, const char *suffix)
{
  g_autofree char *name = g_strdup_printf ("%02u.%s", step + 1, suffix);

  return g_build_filename (run_dir, "output", host->name, name, NULL);
}

/* Replace `tail` by the last FLEET_OUTPUT_TAIL_BYTES of the file; a file
 * that cannot be read leaves it empty. */
static void
read_output_tail (const char *path, GString *tail)
{
  char buffer[FLEET_OUTPUT_TAIL_BYTES];
  struct stat st;
  off_t start;
  ssize_t got;
  int fd = open (path, O_RDONLY | O_CLOEXEC);

  g_string_truncate (tail, 0);
  if (fd < 0)
    return;
  if (fstat (fd, &st) == 0)
    {
      start = st.st_size > (off_t) sizeof buffer ? st.st_size - (off_t) sizeof buffer : 0;
      got = pread (fd, buffer, sizeof buffer, start);
      if (got > 0)
        g_string_append_len (tail, buffer, got);
    }
  close (fd);
}

/* Keep the output of an attempt that is run again. */
static void
keep_partial_output (const char *run_dir, const FleetHost *host, guint step)
{
  static const char *const suffixes[] = { "stdout", "stderr" };

  for (guint i = 0; i < G_N_ELEMENTS (suffixes); i++)
    {
      g_autofree char *path = output_path (run_dir, host, step, suffixes[i]);
      g_autofree char *partial = g_strconcat (path, ".partial", NULL);

      if (g_rename (path, partial) != 0 && errno != ENOENT)
        g_warning ("cannot keep the partial output %s: %s", path, g_strerror (errno));
    }
}

static void
fill_step_result (FleetStepResult *result, const FleetResumeStep *step, const char *run_dir,
                  const FleetHost *host, guint index)
{
  g_autofree char *stdout_path = NULL;
  g_autofree char *stderr_path = NULL;

  if (step->state == FLEET_RESUME_STEP_NOT_STARTED)
    return;

  if (step->state == FLEET_RESUME_STEP_SKIPPED)
    {
      result->skipped = TRUE;
      result->skip_reason = g_strdup (step->message);
      return;
    }

  result->started = TRUE;
  if (step->state == FLEET_RESUME_STEP_IN_FLIGHT)
    {
      result->never_ended = TRUE;
      result->failure = FLEET_FAILURE_INTERRUPTED;
      result->message = g_strdup ("in flight when the run stopped");
      return;
    }

  result->failure = step->failure;
  result->exit_status = step->exit_status;
  result->exit_signal = g_strdup (step->exit_signal);
  result->message = g_strdup (step->message);
  result->duration_us = step->duration_ms * 1000;
  result->stdout_bytes = step->stdout_bytes;
  result->stderr_bytes = step->stderr_bytes;

  stdout_path = output_path (run_dir, host, index, "stdout");
  stderr_path = output_path (run_dir, host, index, "stderr");
  read_output_tail (stdout_path, result->stdout_tail);
  read_output_tail (stderr_path, result->stderr_tail);
}

char *
fleet_resume_held_message (const FleetPlan *plan, const FleetHost *host, guint step)
{
  const FleetStep *held = g_ptr_array_index (plan->steps, step);

  return g_strdup_printf ("held: step %u \"%s\" was in flight when the run stopped and may "
                          "have run in part, and the workflow does not mark it idempotent; "
                          "resume with --retry-host %s to run it again or --skip-host %s to "
                          "leave the host out", step + 1, held->name, host->name, host->name);
}

guint
fleet_resume_apply_host (const FleetResumeState *state, const FleetPlan *plan, guint index,
                         FleetHostResult *result)
{
  const FleetResumeHost *host = g_ptr_array_index (state->hosts, index);
  gboolean runs = fleet_resume_host_runs (state, index);
  guint filled = runs ? host->next_step : host->steps->len;

  /* Steps at or after next_step that ended well ran next to a step in
   * flight (fleet-step-overlap.h); they count as done.  The others run
   * again, and the output of each that started is kept as partial. */
  for (guint i = 0; i < host->steps->len; i++)
    {
      const FleetResumeStep *step = g_ptr_array_index (host->steps, i);

      if (i < filled || step_ended_well (step))
        fill_step_result (g_ptr_array_index (result->steps, i), step, state->run_dir,
                          result->host, i);
      else if (runs && step->state != FLEET_RESUME_STEP_NOT_STARTED)
        keep_partial_output (state->run_dir, result->host, i);
    }
  /* A host left out by a decision of this resume was settled by it. */
  result->settled_before_resume = !runs && host->decision == FLEET_RESUME_DECISION_NONE;

  switch (host->state)
    {
    case FLEET_RESUME_HOST_SUCCEEDED:
      result->outcome = FLEET_HOST_SUCCEEDED;
      break;
    case FLEET_RESUME_HOST_FAILED:
      result->outcome = FLEET_HOST_FAILED;
      result->failure = host->failure;
      result->failed_step = host->failed_step;
      result->message = g_strdup (host->message);
      break;
    case FLEET_RESUME_HOST_HELD:
      result->outcome = FLEET_HOST_HELD;
      result->failure = FLEET_FAILURE_INTERRUPTED;
      result->message = fleet_resume_held_message (plan, result->host, host->in_flight_step);
      break;
    case FLEET_RESUME_HOST_SKIPPED:
      result->outcome = FLEET_HOST_NOT_RUN;
      result->message = g_strdup (host->message);
      break;
    case FLEET_RESUME_HOST_PENDING:
    case FLEET_RESUME_HOST_CONTINUE:
    default:
      break;
    }
  return runs ? host->next_step : 0;
}

/* Journal */

static void
journal_names (FleetJsonWriter *json, const char *key, const FleetResumeState *state,
               const FleetPlan *plan, FleetResumeDecision decision)
{
  fleet_json_key (json, key);
  fleet_json_begin_array (json);
  for (guint i = 0; i < state->hosts->len; i++)
    if (((const FleetResumeHost *) g_ptr_array_index (state->hosts, i))->decision == decision)
      fleet_json_string (json, ((const FleetHost *) g_ptr_array_index (plan->hosts, i))->name);
  fleet_json_end_array (json);
}

static void
journal_host_record (FleetJournal *journal, gint64 wall_us, const char *event,
                     const FleetHost *host, const FleetPlan *plan, guint step,
                     const char *member, const char *value)
{
  FleetJsonWriter *json = fleet_journal_begin (journal, event, wall_us);

  fleet_json_key (json, "host");
  fleet_json_string (json, host->name);
  fleet_json_key (json, "step");
  if (step < plan->steps->len)
    fleet_json_int (json, step + 1);
  else
    fleet_json_null (json);
  fleet_json_key (json, member);
  fleet_json_string (json, value);
  fleet_journal_commit (journal, FALSE);
}

void
fleet_resume_journal (const FleetResumeState *state, const FleetPlan *plan,
                      FleetJournal *journal, gint64 wall_us)
{
  FleetJsonWriter *json = fleet_journal_begin (journal, "run-resume", wall_us);
  guint to_run = 0;

  for (guint i = 0; i < state->hosts->len; i++)
    to_run += fleet_resume_host_runs (state, i);

  fleet_json_key (json, "run");
  fleet_json_string (json, state->run_id);
  fleet_json_key (json, "plan_sha256");
  fleet_json_string (json, plan->file_sha256);
  fleet_json_key (json, "resume");
  fleet_json_int (json, state->resumes + 1);
  fleet_json_key (json, "torn_line_offset");
  if (state->torn_offset >= 0)
    fleet_json_int (json, state->torn_offset);
  else
    fleet_json_null (json);
  journal_names (json, "retry_hosts", state, plan, FLEET_RESUME_DECISION_RETRY);
  journal_names (json, "skip_hosts", state, plan, FLEET_RESUME_DECISION_SKIP);
  fleet_json_key (json, "hosts_to_run");
  fleet_json_int (json, to_run);
  if (state->overridden_stop != NULL)
    {
      fleet_json_key (json, "overrode_stop");
      fleet_json_string (json, state->overridden_stop);
    }
  if (state->rolled_back_hosts != NULL)
    {
      fleet_json_key (json, "resumed_after_rollback_of");
      fleet_json_begin_array (json);
      for (guint i = 0; i < state->rolled_back_hosts->len; i++)
        fleet_json_string (json, g_ptr_array_index (state->rolled_back_hosts, i));
      fleet_json_end_array (json);
    }
  /* Not synced here: the first step-start record is synced before its
   * command runs, and that sync covers these records too. */
  fleet_journal_commit (journal, FALSE);

  for (guint i = 0; i < state->hosts->len; i++)
    {
      const FleetResumeHost *host = g_ptr_array_index (state->hosts, i);
      const FleetHost *plan_host = g_ptr_array_index (plan->hosts, i);

      if (host->decision == FLEET_RESUME_DECISION_RETRY)
        journal_host_record (journal, wall_us, "host-decision", plan_host, plan,
                             host->next_step, "decision", "retry");

      if (host->decision == FLEET_RESUME_DECISION_SKIP)
        {
          json = fleet_journal_begin (journal, "host-end", wall_us);
          fleet_json_key (json, "host");
          fleet_json_string (json, plan_host->name);
          fleet_json_key (json, "outcome");
          fleet_json_string (json, "skipped");
          fleet_json_key (json, "error");
          fleet_json_null (json);
          fleet_json_key (json, "message");
          fleet_json_string (json, host->message);
          fleet_journal_commit (journal, FALSE);
        }

      if (host->state == FLEET_RESUME_HOST_HELD)
        {
          g_autofree char *message = fleet_resume_held_message (plan, plan_host,
                                                                 host->in_flight_step);

          journal_host_record (journal, wall_us, "host-held", plan_host, plan,
                               host->in_flight_step, "message", message);
        }
    }
}
