/* fleet-rollback-done.c: hosts already rolled back, from run journals. */
#include "runtime/fleet-rollback-done.h"

#include <stdio.h>

#include "runtime/fleet-journal-read.h"

/* Bytes of a journal's first line read to find its run-start record.  The
 * record contains ids and a digest, far below this. */
#define RUN_START_MAX_BYTES 65536

/* Add to `done` each host that the journal text `contents` records as
 * rolled back, with a description naming the run `run_id` of the
 * journal. */
static void
collect_rolled_back (const char *contents, const char *run_id, GHashTable *done)
{
  g_auto (GStrv) lines = g_strsplit (contents, "\n", -1);
  g_autofree char *description = NULL;

  for (guint i = 0; lines[i] != NULL; i++)
    {
      g_autoptr (GHashTable) record = fleet_journal_parse_line (lines[i]);
      const char *event;
      const char *host;

      if (record == NULL)
        continue;
      event = g_hash_table_lookup (record, "event");

      if (g_strcmp0 (event, "rollback-start") == 0)
        {
          g_free (description);
          description = g_strcmp0 (g_hash_table_lookup (record, "reason"), "on_halt") == 0
                          ? g_strdup_printf ("the automatic rollback when run %s halted", run_id)
                          : g_strdup_printf ("rollback run %s", run_id);
          continue;
        }

      host = g_hash_table_lookup (record, "host");
      if (g_strcmp0 (event, "rollback-host-end") != 0 || host == NULL
          || g_strcmp0 (g_hash_table_lookup (record, "outcome"), "rolled-back") != 0)
        continue;

      if (!g_hash_table_contains (done, host))
        g_hash_table_insert (done, g_strdup (host),
                             g_strdup (description != NULL ? description : run_id));
    }
}

/* Return the run-start record of the journal at `path`, or NULL when the
 * file cannot be read or does not start with one. */
static GHashTable *
read_run_start (const char *path)
{
  g_autofree char *line = g_malloc (RUN_START_MAX_BYTES);
  g_autoptr (GHashTable) record = NULL;
  FILE *file = fopen (path, "re");
  gboolean read;

  if (file == NULL)
    return NULL;
  read = fgets (line, RUN_START_MAX_BYTES, file) != NULL;
  fclose (file);
  if (!read)
    return NULL;

  g_strchomp (line);
  record = fleet_journal_parse_line (line);
  if (record == NULL || g_strcmp0 (g_hash_table_lookup (record, "event"), "run-start") != 0)
    return NULL;
  return g_steal_pointer (&record);
}

/* Add the hosts rolled back by the rollback run in directory `name` of
 * `runs_dir`, when it is a rollback of `run_id` with the same plan. */
static void
collect_rollback_run (const char *runs_dir, const char *name, const char *run_id,
                      const char *plan_sha256, GHashTable *done)
{
  g_autofree char *path = g_build_filename (runs_dir, name, "journal.jsonl", NULL);
  g_autoptr (GHashTable) start = read_run_start (path);
  g_autofree char *contents = NULL;

  if (start == NULL || g_strcmp0 (g_hash_table_lookup (start, "rollback_of"), run_id) != 0
      || g_strcmp0 (g_hash_table_lookup (start, "plan_sha256"), plan_sha256) != 0)
    return;

  if (g_file_get_contents (path, &contents, NULL, NULL))
    collect_rolled_back (contents, name, done);
}

GHashTable *
fleet_rollback_find_done (const char *runs_dir, const char *run_id, const char *plan_sha256,
                          GError **error)
{
  g_autoptr (GHashTable) done = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, g_free);
  g_autofree char *journal_path = g_build_filename (runs_dir, run_id, "journal.jsonl", NULL);
  g_autofree char *contents = NULL;
  g_autoptr (GDir) dir = NULL;
  const char *name;

  if (!g_file_get_contents (journal_path, &contents, NULL, error))
    return NULL;
  collect_rolled_back (contents, run_id, done);

  dir = g_dir_open (runs_dir, 0, NULL);
  while (dir != NULL && (name = g_dir_read_name (dir)) != NULL)
    if (!g_str_equal (name, run_id))
      collect_rollback_run (runs_dir, name, run_id, plan_sha256, done);

  return g_steal_pointer (&done);
}
