/* fleet-snapshot-report.c: configuration change reports. */
#include "runtime/fleet-snapshot-report.h"

#include "runtime/fleet-report-header.h"

#include "schema/fleet-json.h"
#include "schema/fleet-markdown.h"
#include "schema/fleet-text.h"

static const char *const kind_signs = "+-~";

/* Return the identity of a change across hosts; free with g_free. */
static char *
change_signature (const FleetSnapshotChange *change)
{
  return g_strdup_printf ("%c %s %s %s", kind_signs[change->kind],
                          fleet_snapshot_category_name (change->category), change->key,
                          change->new_value != NULL ? change->new_value : "");
}

typedef struct {
  guint compared;                                  /* hosts with a diff */
  guint hosts_changed[FLEET_SNAPSHOT_N_CATEGORIES];
  GPtrArray *changed_names[FLEET_SNAPSHOT_N_CATEGORIES]; /* host names, borrowed */
  gsize unexpected;                                /* unexpected changes, all hosts */
  GPtrArray *unexpected_hosts;                     /* host names, borrowed */
  GHashTable *signature_hosts;                     /* signature -> count */
  GPtrArray *deviating;                            /* host names, borrowed */
} FleetSummary;

static gboolean
host_matches_majority (const FleetSnapshotDiff *diff, const FleetSummary *summary)
{
  g_autoptr (GHashTable) own = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
  GHashTableIter iter;
  gpointer key, count;

  for (gsize i = 0; i < diff->n_changes; i++)
    {
      char *signature = change_signature (&diff->changes[i]);

      if (GPOINTER_TO_UINT (g_hash_table_lookup (summary->signature_hosts, signature)) * 2
          <= summary->compared)
        {
          g_free (signature);
          return FALSE;
        }
      g_hash_table_add (own, signature);
    }

  g_hash_table_iter_init (&iter, summary->signature_hosts);
  while (g_hash_table_iter_next (&iter, &key, &count))
    if (GPOINTER_TO_UINT (count) * 2 > summary->compared && !g_hash_table_contains (own, key))
      return FALSE;
  return TRUE;
}

static void
summarize (const FleetRunResult *result, FleetSummary *summary)
{
  summary->signature_hosts = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
  summary->deviating = g_ptr_array_new ();
  summary->unexpected_hosts = g_ptr_array_new ();
  for (guint c = 0; c < FLEET_SNAPSHOT_N_CATEGORIES; c++)
    summary->changed_names[c] = g_ptr_array_new ();

  for (guint h = 0; h < result->hosts->len; h++)
    {
      const FleetHostResult *host = g_ptr_array_index (result->hosts, h);
      const FleetSnapshotDiff *diff = host->snapshot_diff;

      if (diff == NULL)
        continue;
      summary->compared++;
      summary->unexpected += diff->n_unexpected;
      if (diff->n_unexpected > 0)
        g_ptr_array_add (summary->unexpected_hosts, host->host->name);
      for (guint c = 0; c < FLEET_SNAPSHOT_N_CATEGORIES; c++)
        if (diff->added[c] + diff->removed[c] + diff->changed[c] > 0)
          {
            summary->hosts_changed[c]++;
            g_ptr_array_add (summary->changed_names[c], host->host->name);
          }
      for (gsize i = 0; i < diff->n_changes; i++)
        {
          char *signature = change_signature (&diff->changes[i]);
          guint count = GPOINTER_TO_UINT (g_hash_table_lookup (summary->signature_hosts,
                                                               signature));

          g_hash_table_replace (summary->signature_hosts, signature, GUINT_TO_POINTER (count + 1));
        }
    }

  for (guint h = 0; h < result->hosts->len; h++)
    {
      const FleetHostResult *host = g_ptr_array_index (result->hosts, h);

      if (host->snapshot_diff != NULL && !host_matches_majority (host->snapshot_diff, summary))
        g_ptr_array_add (summary->deviating, host->host->name);
    }
}

static void
summary_clear (FleetSummary *summary)
{
  g_hash_table_unref (summary->signature_hosts);
  g_ptr_array_unref (summary->deviating);
  g_ptr_array_unref (summary->unexpected_hosts);
  for (guint c = 0; c < FLEET_SNAPSHOT_N_CATEGORIES; c++)
    g_ptr_array_unref (summary->changed_names[c]);
}

static void
append_text (GString *out, const FleetRunResult *result, const FleetReportHeader *header,
             const FleetSummary *summary, gboolean markdown)
{
  const char *item = markdown ? "- " : "";

  g_string_append_printf (out, markdown ? "# Configuration changes\n\n" : "Configuration changes\n\n");
  if (header != NULL)
    fleet_report_header_append (out, header, markdown);

  if (summary->unexpected == 0)
    g_string_append_printf (out, "%sno unexpected change\n", item);
  else
    {
      g_string_append_printf (out, "%s%" G_GSIZE_FORMAT " UNEXPECTED change%s on %u host%s (",
                              item, summary->unexpected, summary->unexpected == 1 ? "" : "s",
                              summary->unexpected_hosts->len,
                              fleet_plural_s (summary->unexpected_hosts->len));
      fleet_report_append_host_names (out, summary->unexpected_hosts, markdown);
      g_string_append (out, ")\n");
    }
  g_string_append_printf (out, "%s%u host%s compared\n", item, summary->compared,
                          fleet_plural_s (summary->compared));
  for (guint c = 0; c < FLEET_SNAPSHOT_N_CATEGORIES; c++)
    if (summary->hosts_changed[c] > 0)
      {
        g_string_append_printf (out, "%s%u host%s changed %s: ", item, summary->hosts_changed[c],
                                fleet_plural_s (summary->hosts_changed[c]),
                                fleet_snapshot_category_name (c));
        fleet_report_append_host_names (out, summary->changed_names[c], markdown);
        g_string_append_c (out, '\n');
      }
  g_string_append_printf (out, "%shosts deviating from the majority: ", item);
  if (summary->deviating->len == 0)
    g_string_append (out, "none");
  fleet_report_append_host_names (out, summary->deviating, markdown);
  g_string_append (out, "\n");

  for (guint h = 0; h < result->hosts->len; h++)
    {
      const FleetHostResult *host = g_ptr_array_index (result->hosts, h);
      g_autofree char *name = NULL;
      g_autoptr (GString) changes = NULL;

      if (host->snapshot_diff == NULL && host->snapshot_error == NULL)
        continue;

      name = fleet_markdown_text (host->host->name, markdown);
      g_string_append_printf (out, markdown ? "\n## %s\n\n" : "\nHost %s\n", name);
      if (host->snapshot_error != NULL)
        {
          g_autofree char *error = fleet_markdown_text (host->snapshot_error, markdown);

          g_string_append_printf (out, "snapshot failed: %s\n", error);
        }
      if (host->snapshot_diff == NULL)
        continue;

      g_string_append_printf (out, "before %s, after %s: %" G_GSIZE_FORMAT " change%s, %"
                              G_GSIZE_FORMAT " unexpected\n",
                              host->snapshot_before, host->snapshot_after,
                              host->snapshot_diff->n_changes,
                              host->snapshot_diff->n_changes == 1 ? "" : "s",
                              host->snapshot_diff->n_unexpected);
      changes = g_string_new (NULL);
      fleet_snapshot_diff_append_text (host->snapshot_diff, changes);
      if (!markdown)
        {
          g_string_append_len (out, changes->str, changes->len);
          continue;
        }
      g_string_append_c (out, '\n');
      fleet_markdown_append_code_block (out, changes->str);
    }
}

static void
append_json (GString *out, const FleetRunResult *result, const FleetReportHeader *header,
             const FleetSummary *summary)
{
  FleetJsonWriter json;

  fleet_json_writer_init (&json, out);
  fleet_json_begin_object (&json);
  if (header != NULL)
    fleet_report_header_write_json (&json, header);
  fleet_json_key (&json, "unexpected_changes");
  fleet_json_int (&json, (gint64) summary->unexpected);
  fleet_json_key (&json, "hosts_with_unexpected_changes");
  fleet_json_begin_array (&json);
  for (guint i = 0; i < summary->unexpected_hosts->len; i++)
    fleet_json_string (&json, g_ptr_array_index (summary->unexpected_hosts, i));
  fleet_json_end_array (&json);
  fleet_json_key (&json, "hosts_compared");
  fleet_json_int (&json, summary->compared);
  fleet_json_key (&json, "hosts_changed");
  fleet_json_begin_object (&json);
  for (guint c = 0; c < FLEET_SNAPSHOT_N_CATEGORIES; c++)
    {
      fleet_json_key (&json, fleet_snapshot_category_name (c));
      fleet_json_int (&json, summary->hosts_changed[c]);
    }
  fleet_json_end_object (&json);
  fleet_json_key (&json, "deviating_hosts");
  fleet_json_begin_array (&json);
  for (guint i = 0; i < summary->deviating->len; i++)
    fleet_json_string (&json, g_ptr_array_index (summary->deviating, i));
  fleet_json_end_array (&json);

  fleet_json_key (&json, "hosts");
  fleet_json_begin_array (&json);
  for (guint h = 0; h < result->hosts->len; h++)
    {
      const FleetHostResult *host = g_ptr_array_index (result->hosts, h);

      fleet_json_begin_object (&json);
      fleet_json_key (&json, "host");
      fleet_json_string (&json, host->host->name);
      fleet_json_key (&json, "before");
      fleet_json_string (&json, host->snapshot_before);
      fleet_json_key (&json, "after");
      fleet_json_string (&json, host->snapshot_after);
      fleet_json_key (&json, "error");
      fleet_json_string (&json, host->snapshot_error);
      fleet_json_key (&json, "diff");
      if (host->snapshot_diff != NULL)
        fleet_snapshot_diff_write_json (host->snapshot_diff, &json);
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
  g_autofree char *name = g_strconcat (FLEET_SNAPSHOT_REPORT_NAME, suffix, NULL);
  g_autofree char *path = g_build_filename (run_dir, name, NULL);

  return g_file_set_contents_full (path, text->str, text->len, G_FILE_SET_CONTENTS_CONSISTENT,
                                   0600, error);
}

gboolean
fleet_snapshot_report_write (const FleetRunResult *result, const FleetReportHeader *header,
                             const char *run_dir, GError **error)
{
  FleetSummary summary = { 0 };
  g_autoptr (GString) text = g_string_new (NULL);
  g_autoptr (GString) markdown = g_string_new (NULL);
  g_autoptr (GString) json = g_string_new (NULL);
  gboolean ok;

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
fleet_snapshot_report_format_summary (const FleetRunResult *result)
{
  GString *out = g_string_new (NULL);

  for (guint h = 0; h < result->hosts->len; h++)
    {
      const FleetHostResult *host = g_ptr_array_index (result->hosts, h);
      const FleetSnapshotDiff *diff = host->snapshot_diff;

      if (host->snapshot_error != NULL)
        g_string_append_printf (out, "!! %s: configuration snapshot failed: %s\n",
                                host->host->name, host->snapshot_error);
      if (diff == NULL || diff->n_unexpected == 0)
        continue;
      g_string_append_printf (out, "!! %s: %" G_GSIZE_FORMAT " UNEXPECTED configuration "
                              "change%s:\n", host->host->name, diff->n_unexpected,
                              diff->n_unexpected == 1 ? "" : "s");
      for (gsize i = 0; i < diff->n_changes; i++)
        {
          FleetSnapshotDiff single_change = { .changes = &diff->changes[i], .n_changes = 1 };

          if (diff->changes[i].expected)
            continue;
          g_string_append (out, "   ");
          fleet_snapshot_diff_append_text (&single_change, out);
        }
    }
  return g_string_free (out, FALSE);
}

char *
fleet_snapshot_report_format_stored (const FleetRunResult *result, guint n_steps,
                                     const char *store_dir, const char *run_id)
{
  GString *out = g_string_new (NULL);
  g_autofree char *quoted_store = g_shell_quote (store_dir);
  guint stored = 0;

  for (guint h = 0; h < result->hosts->len; h++)
    {
      const FleetHostResult *host = g_ptr_array_index (result->hosts, h);

      if (host->snapshot_before == NULL && host->snapshot_after == NULL)
        continue;
      stored++;
      if (n_steps == 0)
        g_string_append_printf (out, "   %s: snapshot %s\n", host->host->name,
                                host->snapshot_before != NULL ? host->snapshot_before
                                                              : host->snapshot_after);
    }
  if (stored == 0)
    return g_string_free (out, FALSE);

  if (n_steps == 0)
    {
      g_autofree char *heading = g_strdup_printf ("Snapshots (compare two with `fleetc snapshot "
                                                  "diff A B --store %s`):\n", quoted_store);

      g_string_prepend (out, heading);
    }
  g_string_append_printf (out, "Snapshots of %u host%s stored in %s; list them with "
                          "`fleetc snapshot list --store %s --run %s`\n",
                          stored, fleet_plural_s (stored), store_dir, quoted_store, run_id);
  return g_string_free (out, FALSE);
}
