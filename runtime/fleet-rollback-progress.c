/* fleet-rollback-progress.c: rollback command records folded per host. */
#include "runtime/fleet-rollback-progress.h"

#include <stdlib.h>

#include "runtime/fleet-journal-read.h"
#include "runtime/fleet-rollback-done.h"

typedef enum {
  COMMAND_NOT_STARTED,
  COMMAND_IN_FLIGHT,
  COMMAND_OK,
  COMMAND_FAILED,
} CommandState;

/* Set command `index` (0-based) of `states` (a GArray of CommandState),
 * growing the array as needed. */
static void
set_state (GArray *states, guint index, CommandState state)
{
  if (index >= states->len)
    g_array_set_size (states, index + 1);
  g_array_index (states, CommandState, index) = state;
}

static void
fold_record (GHashTable *record, GHashTable *by_host)
{
  const char *event = g_hash_table_lookup (record, "event");
  const char *host = g_hash_table_lookup (record, "host");
  const char *number = g_hash_table_lookup (record, "step");
  GArray *states;
  guint64 step;
  gboolean ok;
  gboolean aborted;

  if (host == NULL || number == NULL
      || (g_strcmp0 (event, "rollback-step-start") != 0
          && g_strcmp0 (event, "rollback-step-end") != 0))
    return;
  step = g_ascii_strtoull (number, NULL, 10);
  if (step == 0 || step > G_MAXUINT)
    return;

  states = g_hash_table_lookup (by_host, host);
  if (states == NULL)
    {
      states = g_array_new (FALSE, TRUE, sizeof (CommandState));
      g_hash_table_insert (by_host, g_strdup (host), states);
    }

  if (g_str_equal (event, "rollback-step-start"))
    {
      set_state (states, step - 1, COMMAND_IN_FLIGHT);
      return;
    }

  /* A command aborted by an interrupt may have run in part, like one
   * that never ended. */
  ok = g_strcmp0 (g_hash_table_lookup (record, "status"), "ok") == 0;
  aborted = g_strcmp0 (g_hash_table_lookup (record, "error"), "interrupted") == 0;
  if (ok)
    set_state (states, step - 1, COMMAND_OK);
  else if (aborted)
    set_state (states, step - 1, COMMAND_IN_FLIGHT);
  else
    set_state (states, step - 1, COMMAND_FAILED);
}

static void
fold_journal (const char *path, GHashTable *by_host)
{
  g_autofree char *contents = NULL;
  g_auto (GStrv) lines = NULL;

  if (!g_file_get_contents (path, &contents, NULL, NULL))
    return;

  lines = g_strsplit (contents, "\n", -1);
  for (guint i = 0; lines[i] != NULL; i++)
    {
      g_autoptr (GHashTable) record = fleet_journal_parse_line (lines[i]);

      if (record != NULL)
        fold_record (record, by_host);
    }
}

static FleetRollbackProgress *
progress_from_states (const GArray *states)
{
  FleetRollbackProgress *progress = g_new0 (FleetRollbackProgress, 1);

  while (progress->next_command < states->len
         && g_array_index (states, CommandState, progress->next_command) == COMMAND_OK)
    progress->next_command++;
  progress->commands_done = progress->next_command;
  progress->in_flight = progress->next_command < states->len
                        && g_array_index (states, CommandState, progress->next_command)
                             == COMMAND_IN_FLIGHT;
  return progress;
}

GHashTable *
fleet_rollback_progress_load (const char *runs_dir, const char *run_id, const char *plan_sha256)
{
  g_autoptr (GPtrArray) paths = fleet_rollback_journal_paths (runs_dir, run_id, plan_sha256);
  g_autoptr (GHashTable) by_host = g_hash_table_new_full (g_str_hash, g_str_equal, g_free,
                                                          (GDestroyNotify) g_array_unref);
  GHashTable *progress = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, g_free);
  GHashTableIter iter;
  gpointer host, states;

  for (guint i = 0; i < paths->len; i++)
    fold_journal (g_ptr_array_index (paths, i), by_host);

  g_hash_table_iter_init (&iter, by_host);
  while (g_hash_table_iter_next (&iter, &host, &states))
    g_hash_table_insert (progress, g_strdup (host), progress_from_states (states));
  return progress;
}
