/* fleet-run-resume.c: --resume arguments and the printed resume command. */
#include "cli/fleet-run-resume.h"

#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <sys/file.h>
#include <unistd.h>

#include <gio/gio.h>

#include "cli/fleet-run-registry.h"
#include "runtime/fleet-journal-reader.h"
#include "runtime/fleet-resume.h"
#include "runtime/fleet-rollback-done.h"
#include "runtime/fleet-rollback-run.h"
#include "schema/fleet-text.h"

char *
fleet_run_resume_find_dir (const char *run, const char *runs_dir, GError **error)
{
  g_autofree char *direct_journal = g_build_filename (run, "journal.jsonl", NULL);
  g_autofree char *by_id = NULL;
  g_autofree char *by_id_journal = NULL;

  if (g_file_test (direct_journal, G_FILE_TEST_IS_REGULAR))
    return g_canonicalize_filename (run, NULL);

  /* A run id is one path component, as make_run_id writes it. */
  if (strchr (run, '/') == NULL && strcmp (run, ".") != 0 && strcmp (run, "..") != 0)
    {
      by_id = g_build_filename (runs_dir, run, NULL);
      by_id_journal = g_build_filename (by_id, "journal.jsonl", NULL);
      if (g_file_test (by_id_journal, G_FILE_TEST_IS_REGULAR))
        return g_canonicalize_filename (by_id, NULL);
    }

  g_set_error (error, G_IO_ERROR, G_IO_ERROR_NOT_FOUND,
               "--resume \"%s\": no run found: %s does not exist, and there is no run of that "
               "id under %s; give a run directory or a run id (see --runs-dir)", run,
               direct_journal, runs_dir);
  return NULL;
}

/* Return the number of words of the original command line, from `arg`
 * on, that the printed resume command leaves out: 2 for "--resume X", 1 for
 * "--resume=X" or a flag, 0 for any other word.  Besides --resume itself,
 * these are the decisions one resume takes (which held hosts to retry or
 * skip, overriding a gate, going on after a rollback) and --new-run, which
 * would read as "start again": the next resume must decide them anew. */
static guint
resume_option_words (const char *arg)
{
  static const char *const options[] = { "--resume", "--retry-host", "--skip-host" };
  static const char *const flags[] = { "--new-run", "--override-wave-gate",
                                        "--resume-after-rollback" };

  for (guint i = 0; i < G_N_ELEMENTS (options); i++)
    {
      gsize length = strlen (options[i]);

      if (strcmp (arg, options[i]) == 0)
        return 2;
      if (strncmp (arg, options[i], length) == 0 && arg[length] == '=')
        return 1;
    }
  for (guint i = 0; i < G_N_ELEMENTS (flags); i++)
    if (strcmp (arg, flags[i]) == 0)
      return 1;
  return 0;
}

static void
append_word (GString *command, const char *word)
{
  g_autofree char *quoted = NULL;
  gboolean plain = word[0] != '\0';

  for (const char *p = word; *p != '\0' && plain; p++)
    plain = g_ascii_isalnum (*p) || strchr ("-_./=:,+@%", *p) != NULL;

  if (command->len > 0)
    g_string_append_c (command, ' ');
  if (plain)
    {
      g_string_append (command, word);
      return;
    }

  quoted = g_shell_quote (word);
  g_string_append (command, quoted);
}

char *
fleet_run_resume_command (const char * const *argv, const char *run_dir)
{
  GString *command = g_string_new (NULL);
  gboolean options_done = FALSE;

  append_word (command, argv[0]);
  append_word (command, "--resume");
  append_word (command, run_dir);

  for (guint i = 1; argv[i] != NULL; i++)
    {
      guint words = options_done ? 0 : resume_option_words (argv[i]);

      if (words > 0)
        {
          i += words - 1;
          if (argv[i] == NULL)
            break;
          continue;
        }
      if (strcmp (argv[i], "--") == 0)
        options_done = TRUE;
      append_word (command, argv[i]);
    }
  return g_string_free (command, FALSE);
}

gboolean
fleet_run_result_resumable (const FleetRunResult *result)
{
  for (guint i = 0; i < result->hosts->len; i++)
    {
      const FleetHostResult *host = g_ptr_array_index (result->hosts, i);

      if (host->outcome == FLEET_HOST_INTERRUPTED || host->outcome == FLEET_HOST_HELD)
        return TRUE;
      /* A resume would not run a host left out with --skip-host either. */
      if (host->outcome == FLEET_HOST_NOT_RUN
          && g_strcmp0 (host->message, FLEET_RESUME_SKIPPED_MESSAGE) != 0)
        return TRUE;
    }
  return FALSE;
}

/* Return whether a resume holds `host` for a decision. */
static gboolean
resume_holds (const FleetPlan *plan, const FleetHostResult *host)
{
  const FleetStep *step;

  if (host->outcome == FLEET_HOST_HELD)
    return TRUE;
  if (host->outcome != FLEET_HOST_INTERRUPTED || host->failed_step >= plan->steps->len)
    return FALSE;
  step = g_ptr_array_index (plan->steps, host->failed_step);
  return !step->idempotent;
}

char *
fleet_run_resume_hint (const FleetPlan *plan, const FleetRunResult *result, const char *command)
{
  GString *hint = g_string_new (NULL);
  g_autoptr(GString) held = g_string_new (NULL);

  for (guint i = 0; i < result->hosts->len; i++)
    {
      const FleetHostResult *host = g_ptr_array_index (result->hosts, i);

      if (resume_holds (plan, host))
        g_string_append_printf (held, "%s%s", held->len > 0 ? ", " : "", host->host->name);
    }

  g_string_append_printf (hint, "Resume this run with:\n  %s\n", command);
  if (result->stop_reason != NULL && !result->held_stop)
    g_string_append_printf (hint, "The run stopped after wave %u, and resuming starts wave %u "
                            "without running that check or gate again: check the wave's hosts, "
                            "then add --override-wave-gate.\n", result->stop_wave + 1,
                            result->stop_wave + 2);
  if (held->len > 0)
    g_string_append_printf (hint, "Held hosts (%s) run again only when you add --retry-host "
                            "HOST for each, or --skip-host HOST to leave one out; "
                            "--retry-host held decides for all of them.\n",
                            held->str);
  return g_string_free (hint, FALSE);
}

char *
fleet_run_rolled_back_note (const FleetRunResult *result, const char *run_dir,
                            const char *plan_path)
{
  g_autofree char *quoted_plan = g_shell_quote (plan_path);
  g_autofree char *runs_dir = g_path_get_dirname (run_dir);
  g_autofree char *quoted_runs_dir = g_shell_quote (runs_dir);
  g_autofree char *run_id = g_path_get_basename (run_dir);
  guint rolled_back = 0;

  for (guint i = 0; result->rollback != NULL && i < result->rollback->len; i++)
    rolled_back += ((const FleetRollbackHostResult *) g_ptr_array_index (result->rollback, i))
                     ->succeeded;
  if (rolled_back == 0)
    return NULL;

  return g_strdup_printf ("\nThe run halted and rolled back %u host%s, so it is not offered for "
                          "resuming: a resume would start the later waves while these hosts are "
                          "undone.  Fix the change and compile a new plan.  To roll back the "
                          "hosts of the earlier waves too:\n"
                          "  fleet-run --runs-dir %s --rollback %s %s\n",
                          rolled_back, rolled_back == 1 ? "" : "s", quoted_runs_dir, run_id,
                          quoted_plan);
}

gboolean
fleet_run_resume_check_rollback (const FleetPlan *plan, const char *run_dir, gboolean allow,
                                 GPtrArray **out_hosts, GError **error)
{
  g_autofree char *runs_dir = g_path_get_dirname (run_dir);
  g_autofree char *run_id = g_path_get_basename (run_dir);
  g_autoptr(GHashTable) done = fleet_rollback_find_done (runs_dir, run_id, plan->file_sha256,
                                                         error);
  g_autoptr(GPtrArray) hosts = g_ptr_array_new_with_free_func (g_free);
  g_autoptr(GString) names = g_string_new (NULL);

  *out_hosts = NULL;
  if (done == NULL)
    return FALSE;

  /* In plan order, so the message reads like the summary. */
  for (guint i = 0; i < plan->hosts->len; i++)
    {
      const char *name = ((const FleetHost *) g_ptr_array_index (plan->hosts, i))->name;
      g_autofree char *escaped = NULL;

      if (!g_hash_table_contains (done, name))
        continue;
      escaped = fleet_escape_for_terminal (name);
      g_string_append_printf (names, "%s%s", names->len > 0 ? ", " : "", escaped);
      g_ptr_array_add (hosts, g_strdup (name));
    }
  if (hosts->len == 0)
    return TRUE;

  if (!allow)
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT,
                   "run %s was rolled back on %u host%s (%s): resuming it would start the later "
                   "waves while those hosts are undone, leaving the fleet half changed and half "
                   "rolled back.  Fix the change and compile a new plan; or, to continue this "
                   "run anyway, add --resume-after-rollback", run_id, hosts->len,
                   hosts->len == 1 ? "" : "s", names->str);
      return FALSE;
    }

  g_printerr ("fleet-run: WARNING: run %s was rolled back on %u host%s (%s).  Continuing it "
              "because of --resume-after-rollback: the later waves run while those hosts stay "
              "undone, and the journal records this.\n", run_id, hosts->len,
              hosts->len == 1 ? "" : "s", names->str);
  *out_hosts = g_steal_pointer (&hosts);
  return TRUE;
}

gboolean
fleet_run_resume_check_gate (const char *run_dir, gboolean allow, char **out_reason,
                             GError **error)
{
  g_autofree char *path = g_build_filename (run_dir, "journal.jsonl", NULL);
  g_autoptr(FleetJournalContents) contents = fleet_journal_read (path, error);
  const FleetJournalRecord *run_end = NULL;
  const char *reason;
  gint64 wave;

  *out_reason = NULL;
  if (contents == NULL)
    return FALSE;

  for (guint i = 0; i < contents->records->len; i++)
    {
      const FleetJournalRecord *record = g_ptr_array_index (contents->records, i);

      if (strcmp (record->event, "run-end") == 0)
        run_end = record;
      else if (strcmp (record->event, "run-start") == 0 || strcmp (record->event, "run-resume") == 0)
        run_end = NULL;
    }

  reason = run_end != NULL ? fleet_journal_record_get_string (run_end, "stop_reason") : NULL;
  if (reason == NULL
      || g_strcmp0 (fleet_journal_record_get_string (run_end, "stop_kind"), "held-hosts") == 0)
    return TRUE;
  wave = fleet_journal_record_get_int (run_end, "stop_wave", 0);

  if (!allow)
    {
      g_autofree char *escaped = fleet_escape_for_terminal (reason);

      g_set_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT,
                   "the run stopped after wave %" G_GINT64_FORMAT ": %s.  A resume starts the "
                   "next wave without running that check or gate again.  Check the wave's "
                   "hosts, then add --override-wave-gate to go on", wave, escaped);
      return FALSE;
    }

  {
    g_autofree char *escaped = fleet_escape_for_terminal (reason);

    g_printerr ("fleet-run: WARNING: the run stopped after wave %" G_GINT64_FORMAT ": %s.  "
                "Starting the next wave without running that check or gate again because of "
                "--override-wave-gate, and recording this in the journal.\n", wave, escaped);
  }
  *out_reason = g_strdup (reason);
  return TRUE;
}

/* Return whether the journal in `run_dir` belongs to the plan `plan_sha256`
 * and has no run-end record after its last run-start or run-resume. */
static gboolean
journal_unfinished (const char *run_dir, const char *plan_sha256)
{
  g_autofree char *path = g_build_filename (run_dir, "journal.jsonl", NULL);
  g_autoptr(FleetJournalContents) contents = NULL;
  gboolean ended = FALSE;
  const FleetJournalRecord *first;

  if (!g_file_test (path, G_FILE_TEST_IS_REGULAR))
    return FALSE;

  contents = fleet_journal_read (path, NULL);
  if (contents == NULL || contents->records->len == 0)
    return FALSE;

  first = g_ptr_array_index (contents->records, 0);
  if (g_strcmp0 (first->event, "run-start") != 0
      || g_strcmp0 (fleet_journal_record_get_string (first, "plan_sha256"), plan_sha256) != 0)
    return FALSE;

  for (guint i = 0; i < contents->records->len; i++)
    {
      const FleetJournalRecord *record = g_ptr_array_index (contents->records, i);

      if (g_str_equal (record->event, "run-end"))
        ended = TRUE;
      else if (g_str_equal (record->event, "run-resume"))
        ended = FALSE;
    }
  return !ended;
}

gboolean
fleet_run_journal_in_use (const char *run_dir)
{
  g_autofree char *path = g_build_filename (run_dir, "journal.jsonl", NULL);
  int fd = open (path, O_RDONLY | O_CLOEXEC);
  gboolean in_use;

  if (fd < 0)
    return FALSE;
  in_use = flock (fd, LOCK_SH | LOCK_NB) != 0 && errno == EWOULDBLOCK;
  close (fd);
  return in_use;
}

/* Keep in `newest` the newer of it and `run_dir` when `run_dir` is an
 * unfinished run of `plan_sha256`.  Run ids start with their UTC start
 * time, so the greatest base name is the newest. */
static void
keep_newest_unfinished (char **newest, const char *run_dir, const char *plan_sha256)
{
  g_autofree char *name = g_path_get_basename (run_dir);
  g_autofree char *newest_name = *newest != NULL ? g_path_get_basename (*newest) : NULL;

  if ((newest_name == NULL || strcmp (name, newest_name) > 0)
      && journal_unfinished (run_dir, plan_sha256))
    {
      g_free (*newest);
      *newest = g_strdup (run_dir);
    }
}

char *
fleet_run_find_unfinished (const char *runs_dir, const char *plan_sha256, gboolean *out_running)
{
  g_autoptr(GDir) dir = g_dir_open (runs_dir, 0, NULL);
  g_autoptr(GPtrArray) elsewhere = NULL;
  char *newest = NULL;
  const char *name;

  *out_running = FALSE;
  if (plan_sha256 == NULL)
    return NULL;

  while (dir != NULL && (name = g_dir_read_name (dir)) != NULL)
    {
      g_autofree char *run_dir = g_build_filename (runs_dir, name, NULL);

      keep_newest_unfinished (&newest, run_dir, plan_sha256);
    }

  elsewhere = fleet_run_registry_find (plan_sha256);
  for (guint i = 0; i < elsewhere->len; i++)
    keep_newest_unfinished (&newest, g_ptr_array_index (elsewhere, i), plan_sha256);

  if (newest != NULL)
    *out_running = fleet_run_journal_in_use (newest);
  return newest;
}
