/* fleet-rollback-done.c: hosts already rolled back, from run journals. */
#include "runtime/fleet-rollback-done.h"

#include <stdio.h>
#include <string.h>

#include "runtime/fleet-journal-read.h"
#include "schema/fleet-file.h"

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

static int
compare_names (gconstpointer a, gconstpointer b)
{
  return strcmp (*(const char * const *) a, *(const char * const *) b);
}

GPtrArray *
fleet_rollback_journal_paths (const char *runs_dir, const char *run_id, const char *plan_sha256)
{
  GPtrArray *paths = g_ptr_array_new_with_free_func (g_free);
  g_autoptr (GPtrArray) names = g_ptr_array_new_with_free_func (g_free);
  g_autoptr (GDir) dir = g_dir_open (runs_dir, 0, NULL);
  const char *name;

  g_ptr_array_add (paths, g_build_filename (runs_dir, run_id, "journal.jsonl", NULL));

  while (dir != NULL && (name = g_dir_read_name (dir)) != NULL)
    if (!g_str_equal (name, run_id))
      g_ptr_array_add (names, g_strdup (name));
  /* Run ids start with their UTC start time, so name order is start order. */
  g_ptr_array_sort (names, compare_names);

  for (guint i = 0; i < names->len; i++)
    {
      g_autofree char *path = g_build_filename (runs_dir, g_ptr_array_index (names, i),
                                                "journal.jsonl", NULL);
      g_autoptr (GHashTable) start = read_run_start (path);

      if (start != NULL && g_strcmp0 (g_hash_table_lookup (start, "rollback_of"), run_id) == 0
          && g_strcmp0 (g_hash_table_lookup (start, "plan_sha256"), plan_sha256) == 0)
        g_ptr_array_add (paths, g_steal_pointer (&path));
    }
  return paths;
}

GHashTable *
fleet_rollback_find_done (const char *runs_dir, const char *run_id, const char *plan_sha256,
                          GError **error)
{
  g_autoptr (GHashTable) done = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, g_free);
  g_autoptr (GPtrArray) paths = fleet_rollback_journal_paths (runs_dir, run_id, plan_sha256);
  g_autofree char *contents = NULL;

  if (!fleet_file_get_contents (g_ptr_array_index (paths, 0), &contents, NULL, error))
    return NULL;
  collect_rolled_back (contents, run_id, done);

  for (guint i = 1; i < paths->len; i++)
    {
      g_autofree char *other = NULL;
      g_autofree char *dir = g_path_get_dirname (g_ptr_array_index (paths, i));
      g_autofree char *name = g_path_get_basename (dir);

      if (g_file_get_contents (g_ptr_array_index (paths, i), &other, NULL, NULL))
        collect_rolled_back (other, name, done);
    }
  return g_steal_pointer (&done);
}
