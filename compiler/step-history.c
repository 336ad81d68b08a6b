/* step-history.c: step run times from earlier run journals. */
#include "compiler/step-history.h"

#include <string.h>

#include "compiler/yaml-tree.h"
#include "schema/fleet-file.h"

static int
compare_u64 (gconstpointer a, gconstpointer b)
{
  guint64 x = *(const guint64 *) a;
  guint64 y = *(const guint64 *) b;

  return x < y ? -1 : x > y;
}

FleetStepHistory
fleet_step_history_summarize (GArray *durations_ms)
{
  FleetStepHistory summary = { .runs = durations_ms->len };
  guint rank;

  g_return_val_if_fail (durations_ms->len > 0, summary);

  g_array_sort (durations_ms, compare_u64);
  summary.median_ms = g_array_index (durations_ms, guint64, (durations_ms->len - 1) / 2);
  /* Nearest rank: the smallest value with at least 95% of the runs at or
   * below it. */
  rank = (durations_ms->len * 95 + 99) / 100;
  summary.p95_ms = g_array_index (durations_ms, guint64, rank - 1);
  return summary;
}

/* Add the duration of one journal line when it is a successful step end. */
static void
read_line (const char *file, guint line_number, const char *line, gsize length,
           GHashTable *durations, FleetDiagnostics *diags)
{
  g_autoptr(FleetDiagnostics) scratch = fleet_diagnostics_new ();
  g_autoptr(FleetYamlDocument) document = NULL;
  const FleetYamlNode *root;
  const FleetYamlNode *event, *status, *name, *duration;
  GArray *list;
  guint64 ms;
  char *end = NULL;

  document = fleet_yaml_parse (file, line, length, scratch);
  root = document != NULL ? fleet_yaml_document_root (document) : NULL;
  if (root == NULL || root->kind != FLEET_YAML_MAPPING)
    {
      FleetSourcePos pos = { file, line_number, 1 };

      fleet_diagnostics_warning (diags, &pos, "skipped a line that is not a journal record");
      return;
    }

  event = fleet_yaml_mapping_lookup (root, "event");
  status = fleet_yaml_mapping_lookup (root, "status");
  name = fleet_yaml_mapping_lookup (root, "name");
  duration = fleet_yaml_mapping_lookup (root, "duration_ms");
  if (event == NULL || event->kind != FLEET_YAML_SCALAR || g_strcmp0 (event->value, "step-end") != 0
      || status == NULL || status->kind != FLEET_YAML_SCALAR || g_strcmp0 (status->value, "ok") != 0
      || name == NULL || name->kind != FLEET_YAML_SCALAR
      || duration == NULL || duration->kind != FLEET_YAML_SCALAR)
    return;

  ms = g_ascii_strtoull (duration->value, &end, 10);
  if (end == duration->value || *end != '\0')
    return;

  list = g_hash_table_lookup (durations, name->value);
  if (list == NULL)
    {
      list = g_array_new (FALSE, FALSE, sizeof (guint64));
      g_hash_table_insert (durations, g_strdup (name->value), list);
    }
  g_array_append_val (list, ms);
}

static gboolean
read_journal (const char *path, GHashTable *durations, FleetDiagnostics *diags)
{
  g_autofree char *contents = NULL;
  g_autoptr(GError) error = NULL;
  const char *file = g_intern_string (path);
  gsize length = 0;
  const char *line;
  guint line_number = 0;

  if (!g_file_get_contents (path, &contents, &length, &error))
    {
      g_autofree char *reason = fleet_file_error_reason (error);

      fleet_diagnostics_error (diags, NULL, "cannot read the run journal %s: %s", path, reason);
      return FALSE;
    }
  if (length > FLEET_HISTORY_MAX_JOURNAL_BYTES)
    {
      fleet_diagnostics_error (diags, NULL, "run journal %s is larger than %u bytes; give "
                               "fewer or smaller runs to --history", path,
                               FLEET_HISTORY_MAX_JOURNAL_BYTES);
      return FALSE;
    }

  for (line = contents; line < contents + length;)
    {
      const char *end = memchr (line, '\n', contents + length - line);
      gsize line_length = (end != NULL ? end : contents + length) - line;

      line_number++;
      if (line_length > 0)
        read_line (file, line_number, line, line_length, durations, diags);
      line += line_length + 1;
    }
  return TRUE;
}

/* Read `path` as a journal, a run directory, or a directory of run
 * directories. */
static gboolean
read_path (const char *path, GHashTable *durations, FleetDiagnostics *diags)
{
  g_autofree char *journal = g_build_filename (path, "journal.jsonl", NULL);
  g_autoptr(GDir) dir = NULL;
  g_autoptr(GError) error = NULL;
  const char *entry;
  guint found = 0;

  if (!g_file_test (path, G_FILE_TEST_IS_DIR))
    return read_journal (path, durations, diags);
  if (g_file_test (journal, G_FILE_TEST_IS_REGULAR))
    return read_journal (journal, durations, diags);

  dir = g_dir_open (path, 0, &error);
  if (dir == NULL)
    {
      g_autofree char *reason = fleet_file_error_reason (error);

      fleet_diagnostics_error (diags, NULL, "cannot read the run history %s: %s", path, reason);
      return FALSE;
    }

  while ((entry = g_dir_read_name (dir)) != NULL)
    {
      g_autofree char *run_journal = g_build_filename (path, entry, "journal.jsonl", NULL);

      if (!g_file_test (run_journal, G_FILE_TEST_IS_REGULAR))
        continue;
      found++;
      if (!read_journal (run_journal, durations, diags))
        return FALSE;
    }

  if (found == 0)
    {
      fleet_diagnostics_error (diags, NULL, "--history %s: no journal.jsonl in it or in its "
                               "subdirectories; give a fleet-run run directory", path);
      return FALSE;
    }
  return TRUE;
}

GHashTable *
fleet_read_step_history (const char * const *paths, FleetDiagnostics *diags)
{
  g_autoptr(GHashTable) durations = g_hash_table_new_full (g_str_hash, g_str_equal, g_free,
                                                           (GDestroyNotify) g_array_unref);
  g_autoptr(GHashTable) history = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, g_free);
  GHashTableIter iter;
  gpointer key, value;

  for (guint i = 0; paths[i] != NULL; i++)
    if (!read_path (paths[i], durations, diags))
      return NULL;

  g_hash_table_iter_init (&iter, durations);
  while (g_hash_table_iter_next (&iter, &key, &value))
    {
      FleetStepHistory summary = fleet_step_history_summarize (value);

      g_hash_table_insert (history, g_strdup (key), g_memdup2 (&summary, sizeof summary));
    }

  return g_steal_pointer (&history);
}
