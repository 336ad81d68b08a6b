/* fleet-drift-report.c: drift and baseline reports. */
#include "runtime/fleet-drift-report.h"

#include <string.h>

#include "runtime/fleet-report-header.h"
#include "schema/fleet-baseline.h"
#include "schema/fleet-json.h"
#include "schema/fleet-markdown.h"
#include "schema/fleet-text.h"

typedef struct {
  char *line;                 /* a violation or change as the text report shows it */
  guint hosts;
  GPtrArray *names;           /* const char *, the hosts that have it, borrowed */
} LineCount;

typedef struct {
  guint checked;              /* hosts with a drift result */
  guint compliant;            /* ... with nothing found */
  guint missing;              /* hosts whose before snapshot failed */
  guint without_reference;    /* hosts with no stored snapshot to compare with */
  GPtrArray *violating;       /* names of hosts with baseline violations, borrowed */
  GPtrArray *drifted;         /* names of hosts changed since their stored snapshot */
  const char *baseline_name;  /* borrowed from the plan, or NULL */
  GArray *violations;         /* LineCount, most hosts first */
  GArray *changes;            /* LineCount, most hosts first */
} DriftSummary;

static void
line_count_clear (gpointer data)
{
  g_free (((LineCount *) data)->line);
  g_ptr_array_unref (((LineCount *) data)->names);
}

static char *
violation_line (const FleetBaselineViolation *violation)
{
  g_autoptr (GPtrArray) single = g_ptr_array_new ();
  GString *out = g_string_new (NULL);

  g_ptr_array_add (single, (gpointer) violation);
  fleet_baseline_violations_append_text (single, "", out);
  g_string_truncate (out, out->len - 1);
  return g_string_free (out, FALSE);
}

static char *
change_line (const FleetSnapshotChange *change)
{
  FleetSnapshotDiff single = { .changes = (FleetSnapshotChange *) change, .n_changes = 1 };
  GString *out = g_string_new (NULL);

  fleet_snapshot_diff_append_text (&single, out);
  g_string_truncate (out, out->len - 1);
  return g_string_free (out, FALSE);
}

/* Count `line` for host `host` in `counts` (line -> GPtrArray of host
 * names), which owns the key. */
static void
count_line (GHashTable *counts, char *line, const char *host)
{
  GPtrArray *names = g_hash_table_lookup (counts, line);

  if (names == NULL)
    {
      names = g_ptr_array_new ();
      g_hash_table_insert (counts, line, names);
    }
  else
    g_free (line);
  g_ptr_array_add (names, (gpointer) host);
}

static int
compare_counts (gconstpointer a, gconstpointer b)
{
  const LineCount *left = a, *right = b;

  if (left->hosts != right->hosts)
    return left->hosts > right->hosts ? -1 : 1;
  return strcmp (left->line, right->line);
}

static GArray *
sorted_counts (GHashTable *counts)
{
  GArray *sorted = g_array_new (FALSE, FALSE, sizeof (LineCount));
  GHashTableIter iter;
  gpointer key, names;

  g_array_set_clear_func (sorted, line_count_clear);
  g_hash_table_iter_init (&iter, counts);
  while (g_hash_table_iter_next (&iter, &key, &names))
    {
      LineCount entry = { g_strdup (key), ((GPtrArray *) names)->len,
                          g_ptr_array_ref (names) };

      g_array_append_val (sorted, entry);
    }
  g_array_sort (sorted, compare_counts);
  return sorted;
}

/* A line is counted once per host even when the host has it twice. */
static void
count_host (const FleetDriftResult *drift, const char *host, GHashTable *violations,
            GHashTable *changes)
{
  g_autoptr (GHashTable) seen = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);

  for (guint i = 0; drift->violations != NULL && i < drift->violations->len; i++)
    {
      char *line = violation_line (g_ptr_array_index (drift->violations, i));

      if (!g_hash_table_add (seen, g_strdup (line)))
        {
          g_free (line);
          continue;
        }
      count_line (violations, line, host);
    }
  for (gsize i = 0; drift->diff != NULL && i < drift->diff->n_changes; i++)
    count_line (changes, change_line (&drift->diff->changes[i]), host);
}

static void
summarize (const FleetRunResult *result, DriftSummary *summary)
{
  g_autoptr (GHashTable) violations = g_hash_table_new_full (g_str_hash, g_str_equal, g_free,
                                                             (GDestroyNotify) g_ptr_array_unref);
  g_autoptr (GHashTable) changes = g_hash_table_new_full (g_str_hash, g_str_equal, g_free,
                                                          (GDestroyNotify) g_ptr_array_unref);

  summary->violating = g_ptr_array_new ();
  summary->drifted = g_ptr_array_new ();
  for (guint h = 0; h < result->hosts->len; h++)
    {
      const FleetHostResult *host = g_ptr_array_index (result->hosts, h);

      if (host->drift == NULL)
        {
          summary->missing += host->snapshot_error != NULL && host->snapshot_before == NULL;
          continue;
        }
      summary->checked++;
      summary->compliant += fleet_drift_result_count (host->drift) == 0;
      summary->without_reference += host->drift->reference_problem != NULL;
      if (host->drift->violations != NULL && host->drift->violations->len > 0)
        g_ptr_array_add (summary->violating, host->host->name);
      if (host->drift->diff != NULL && host->drift->diff->n_changes > 0)
        g_ptr_array_add (summary->drifted, host->host->name);
      count_host (host->drift, host->host->name, violations, changes);
    }
  summary->violations = sorted_counts (violations);
  summary->changes = sorted_counts (changes);
}

static void
summary_clear (DriftSummary *summary)
{
  g_array_unref (summary->violations);
  g_array_unref (summary->changes);
  g_ptr_array_unref (summary->violating);
  g_ptr_array_unref (summary->drifted);
}

static void
append_counts (GString *out, const char *title, GArray *counts, gboolean markdown)
{
  if (counts->len == 0)
    return;
  g_string_append_printf (out, markdown ? "\n## %s\n\n" : "\n%s\n", title);
  for (guint i = 0; i < counts->len; i++)
    {
      const LineCount *entry = &g_array_index (counts, LineCount, i);
      g_autofree char *line = fleet_markdown_text (entry->line, markdown);

      g_string_append_printf (out, "%s%u %s: %s\n%son ", markdown ? "- " : "  ", entry->hosts,
                              entry->hosts == 1 ? "host" : "hosts", line,
                              markdown ? "  " : "    ");
      fleet_report_append_host_names (out, entry->names, markdown);
      g_string_append_c (out, '\n');
    }
}

/* Return the report text for `host` under its heading. */
static char *
describe_host (const FleetHostResult *host, gboolean markdown)
{
  const FleetDriftResult *drift = host->drift;
  GString *out = g_string_new (NULL);
  g_autoptr (GString) details = g_string_new (NULL);

  if (drift == NULL)
    {
      g_autofree char *reason = fleet_markdown_text (host->snapshot_error != NULL
                                               ? host->snapshot_error
                                               : "no before snapshot was taken", markdown);

      g_string_append_printf (out, "not checked: %s\n", reason);
      return g_string_free (out, FALSE);
    }
  if (fleet_drift_result_count (drift) == 0)
    g_string_append (out, "no drift and no violations\n");
  if (drift->reference_problem != NULL)
    {
      g_autofree char *problem = fleet_markdown_text (drift->reference_problem, markdown);

      g_string_append_printf (out, "%s\n", problem);
    }

  if (drift->violations != NULL && drift->violations->len > 0)
    {
      g_string_append_printf (details, "%u baseline violation%s:\n", drift->violations->len,
                              fleet_plural_s (drift->violations->len));
      fleet_baseline_violations_append_text (drift->violations, "  ", details);
    }
  if (drift->diff != NULL && drift->diff->n_changes > 0)
    {
      g_string_append_printf (details, "%" G_GSIZE_FORMAT " change%s since snapshot %s:\n",
                              drift->diff->n_changes, drift->diff->n_changes == 1 ? "" : "s",
                              drift->reference);
      fleet_snapshot_diff_append_text (drift->diff, details);
    }
  if (markdown)
    fleet_markdown_append_code_block (out, details->str);
  else
    g_string_append_len (out, details->str, details->len);
  return g_string_free (out, FALSE);
}

/* Append one section per distinct host description, headed by every host
 * it describes, so that 500 hosts with the same violations give one
 * section instead of 500 equal ones. */
static void
append_host_sections (GString *out, const FleetRunResult *result, gboolean markdown)
{
  g_autoptr (GPtrArray) descriptions = g_ptr_array_new_with_free_func (g_free);
  g_autoptr (GHashTable) hosts_by_description =
    g_hash_table_new_full (g_str_hash, g_str_equal, NULL, (GDestroyNotify) g_ptr_array_unref);

  for (guint h = 0; h < result->hosts->len; h++)
    {
      const FleetHostResult *host = g_ptr_array_index (result->hosts, h);
      char *description;
      GPtrArray *names;

      if (host->drift == NULL && host->snapshot_error == NULL)
        continue;
      description = describe_host (host, markdown);
      names = g_hash_table_lookup (hosts_by_description, description);
      if (names == NULL)
        {
          names = g_ptr_array_new ();
          g_ptr_array_add (descriptions, description);
          g_hash_table_insert (hosts_by_description, description, names);
        }
      else
        g_free (description);
      g_ptr_array_add (names, host->host->name);
    }

  for (guint i = 0; i < descriptions->len; i++)
    {
      const char *description = g_ptr_array_index (descriptions, i);
      const GPtrArray *names = g_hash_table_lookup (hosts_by_description, description);

      if (markdown)
        g_string_append (out, "\n### ");
      else
        g_string_append (out, names->len == 1 ? "\nHost " : "\nHosts ");
      for (guint n = 0; n < names->len; n++)
        {
          g_autofree char *name = fleet_markdown_text (g_ptr_array_index (names, n), markdown);

          g_string_append_printf (out, "%s%s", n > 0 ? ", " : "", name);
        }
      if (names->len > 1)
        g_string_append_printf (out, " (%u hosts)", names->len);
      g_string_append (out, markdown ? "\n\n" : "\n");
      g_string_append (out, description);
    }
}

/* Append "N hosts VERB: names" when `names` is not empty. */
static void
append_hosts_line (GString *out, const char *item, const GPtrArray *names, const char *one,
                   const char *many, gboolean markdown)
{
  if (names->len == 0)
    return;
  g_string_append_printf (out, "%s%u host%s %s: ", item, names->len, fleet_plural_s (names->len),
                          names->len == 1 ? one : many);
  fleet_report_append_host_names (out, names, markdown);
  g_string_append_c (out, '\n');
}

static void
append_text (GString *out, const FleetRunResult *result, const FleetReportHeader *header,
             const DriftSummary *summary, gboolean markdown)
{
  const char *item = markdown ? "- " : "";

  g_string_append (out, markdown ? "# Drift and baseline check\n\n" : "Drift and baseline check\n\n");
  if (header != NULL)
    fleet_report_header_append (out, header, markdown);
  if (summary->baseline_name != NULL)
    {
      g_autofree char *baseline = fleet_markdown_text (summary->baseline_name, markdown);

      g_string_append_printf (out, "%sbaseline: %s\n", item, baseline);
    }
  g_string_append_printf (out, "%s%u host%s checked, %u without drift or violations\n", item,
                          summary->checked, fleet_plural_s (summary->checked),
                          summary->compliant);
  append_hosts_line (out, item, summary->violating, "violates the baseline",
                     "violate the baseline", markdown);
  append_hosts_line (out, item, summary->drifted, "changed since its stored snapshot",
                     "changed since their stored snapshots", markdown);
  if (summary->missing > 0)
    g_string_append_printf (out, "%s%u host%s not checked: the before snapshot failed\n", item,
                            summary->missing, fleet_plural_s (summary->missing));
  if (summary->without_reference > 0)
    g_string_append_printf (out, "%s%u host%s had no stored snapshot to compare with\n", item,
                            summary->without_reference, fleet_plural_s (summary->without_reference));

  append_counts (out, "Violations by number of hosts", summary->violations, markdown);
  append_counts (out, "Changes since the stored snapshot, by number of hosts", summary->changes,
                 markdown);

  g_string_append (out, markdown ? "\n## Hosts\n" : "");
  append_host_sections (out, result, markdown);
}

static void
write_names_json (FleetJsonWriter *json, const char *key, const GPtrArray *names)
{
  fleet_json_key (json, key);
  fleet_json_begin_array (json);
  for (guint i = 0; i < names->len; i++)
    fleet_json_string (json, g_ptr_array_index (names, i));
  fleet_json_end_array (json);
}

static void
write_counts_json (FleetJsonWriter *json, const char *key, GArray *counts)
{
  fleet_json_key (json, key);
  fleet_json_begin_array (json);
  for (guint i = 0; i < counts->len; i++)
    {
      const LineCount *entry = &g_array_index (counts, LineCount, i);

      fleet_json_begin_object (json);
      fleet_json_key (json, "hosts");
      fleet_json_int (json, entry->hosts);
      fleet_json_key (json, "text");
      fleet_json_string (json, entry->line);
      write_names_json (json, "host_names", entry->names);
      fleet_json_end_object (json);
    }
  fleet_json_end_array (json);
}

static void
append_json (GString *out, const FleetRunResult *result, const FleetReportHeader *header,
             const DriftSummary *summary)
{
  FleetJsonWriter json;

  fleet_json_writer_init (&json, out);
  fleet_json_begin_object (&json);
  if (header != NULL)
    fleet_report_header_write_json (&json, header);
  fleet_json_key (&json, "baseline");
  fleet_json_string (&json, summary->baseline_name);
  fleet_json_key (&json, "hosts_checked");
  fleet_json_int (&json, summary->checked);
  fleet_json_key (&json, "hosts_without_drift");
  fleet_json_int (&json, summary->compliant);
  fleet_json_key (&json, "hosts_not_checked");
  fleet_json_int (&json, summary->missing);
  write_names_json (&json, "hosts_violating_baseline", summary->violating);
  write_names_json (&json, "hosts_changed_since_snapshot", summary->drifted);
  write_counts_json (&json, "violations_by_hosts", summary->violations);
  write_counts_json (&json, "changes_by_hosts", summary->changes);
  fleet_json_key (&json, "hosts");
  fleet_json_begin_array (&json);
  for (guint h = 0; h < result->hosts->len; h++)
    {
      const FleetHostResult *host = g_ptr_array_index (result->hosts, h);

      if (host->drift == NULL && host->snapshot_error == NULL)
        continue;
      fleet_json_begin_object (&json);
      fleet_json_key (&json, "host");
      fleet_json_string (&json, host->host->name);
      fleet_json_key (&json, "snapshot");
      fleet_json_string (&json, host->snapshot_before);
      fleet_json_key (&json, "error");
      fleet_json_string (&json, host->snapshot_error);
      fleet_json_key (&json, "drift");
      if (host->drift != NULL)
        fleet_drift_result_write_json (host->drift, &json);
      else
        fleet_json_null (&json);
      fleet_json_end_object (&json);
    }
  fleet_json_end_array (&json);
  fleet_json_end_object (&json);
  g_string_append_c (out, '\n');
}

static gboolean
write_report_file (const char *run_dir, const char *suffix, const GString *text, GError **error)
{
  g_autofree char *name = g_strconcat (FLEET_DRIFT_REPORT_NAME, suffix, NULL);
  g_autofree char *path = g_build_filename (run_dir, name, NULL);

  return g_file_set_contents_full (path, text->str, text->len, G_FILE_SET_CONTENTS_CONSISTENT,
                                   0600, error);
}

gboolean
fleet_drift_report_write (const FleetRunResult *result, const FleetReportHeader *header,
                          const char *baseline_name, const char *run_dir, GError **error)
{
  DriftSummary summary = { 0 };
  g_autoptr (GString) text = g_string_new (NULL);
  g_autoptr (GString) markdown = g_string_new (NULL);
  g_autoptr (GString) json = g_string_new (NULL);
  gboolean ok;

  summary.baseline_name = baseline_name;
  summarize (result, &summary);
  append_text (text, result, header, &summary, FALSE);
  append_text (markdown, result, header, &summary, TRUE);
  append_json (json, result, header, &summary);
  summary_clear (&summary);

  ok = write_report_file (run_dir, ".txt", text, error)
       && write_report_file (run_dir, ".md", markdown, error)
       && write_report_file (run_dir, ".json", json, error);
  return ok;
}

char *
fleet_drift_report_format_summary (const FleetRunResult *result)
{
  GString *out = g_string_new (NULL);
  guint checked = 0, violating = 0, drifted = 0;

  for (guint h = 0; h < result->hosts->len; h++)
    {
      const FleetHostResult *host = g_ptr_array_index (result->hosts, h);
      const FleetDriftResult *drift = host->drift;
      g_autofree char *description = NULL;

      if (drift == NULL)
        continue;
      checked++;
      if (fleet_drift_result_count (drift) == 0)
        continue;
      violating += drift->violations != NULL && drift->violations->len > 0;
      drifted += drift->diff != NULL && drift->diff->n_changes > 0;
      description = fleet_drift_result_describe (drift);
      g_string_append_printf (out, "!! %s: %s:\n", host->host->name, description);
      if (drift->violations != NULL)
        fleet_baseline_violations_append_text (drift->violations, "   ", out);
      for (gsize i = 0; drift->diff != NULL && i < drift->diff->n_changes; i++)
        {
          g_autofree char *line = change_line (&drift->diff->changes[i]);

          g_string_append_printf (out, "   %s\n", line);
        }
    }
  if (checked > 0 && violating > 0)
    g_string_append_printf (out, "baseline: %u of %u host%s checked %s it; see "
                            "drift-report.txt\n", violating, checked, fleet_plural_s (checked),
                            violating == 1 ? "violates" : "violate");
  if (checked > 0 && drifted > 0)
    g_string_append_printf (out, "drift: %u of %u host%s checked changed since the stored "
                            "snapshot; see drift-report.txt\n", drifted, checked,
                            fleet_plural_s (checked));
  if (checked > 0 && violating == 0 && drifted == 0)
    g_string_append_printf (out, "checked %u host%s: no baseline violation and no change since "
                            "the stored snapshot; see drift-report.txt\n", checked,
                            fleet_plural_s (checked));
  return g_string_free (out, FALSE);
}
