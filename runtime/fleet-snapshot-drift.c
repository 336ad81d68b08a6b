/* fleet-snapshot-drift.c: compare a before snapshot with the stored one
 * and the baseline. */
#include "runtime/fleet-snapshot-drift.h"

#include "schema/fleet-baseline.h"
#include "schema/fleet-snapshot-store.h"

struct FleetDriftReferences {
  GHashTable *latest;         /* host name -> FleetSnapshotIndexEntry *, borrowed from entries */
  GPtrArray *entries;
  char *problem;              /* why the index could not be read, or NULL */
};

FleetDriftReferences *
fleet_drift_references_load (const char *store_dir)
{
  FleetDriftReferences *references = g_new0 (FleetDriftReferences, 1);
  g_autoptr (GError) error = NULL;

  references->latest = g_hash_table_new (g_str_hash, g_str_equal);
  references->entries = fleet_snapshot_store_list (store_dir, &error);
  if (references->entries == NULL)
    {
      references->problem = g_strdup_printf ("cannot read the snapshot index of %s: %s",
                                             store_dir, error->message);
      references->entries = g_ptr_array_new ();
      return references;
    }

  /* The index lists snapshots in the order they were stored, so among
   * equal times the later line wins. */
  for (guint i = 0; i < references->entries->len; i++)
    {
      FleetSnapshotIndexEntry *entry = g_ptr_array_index (references->entries, i);
      FleetSnapshotIndexEntry *known = g_hash_table_lookup (references->latest, entry->host);

      if (known == NULL || entry->time_us >= known->time_us)
        g_hash_table_insert (references->latest, entry->host, entry);
    }
  return references;
}

void
fleet_drift_references_free (FleetDriftReferences *references)
{
  if (references == NULL)
    return;
  g_hash_table_unref (references->latest);
  g_ptr_array_unref (references->entries);
  g_free (references->problem);
  g_free (references);
}

void
fleet_drift_result_free (FleetDriftResult *result)
{
  if (result == NULL)
    return;
  g_free (result->reference);
  g_free (result->reference_problem);
  fleet_snapshot_diff_free (result->diff);
  if (result->violations != NULL)
    g_ptr_array_unref (result->violations);
  g_free (result);
}

static void
compare_with_latest (FleetDriftResult *result, const FleetDriftReferences *references,
                     const char *store_dir, const char *host, FleetSnapshot *snapshot)
{
  const FleetSnapshotIndexEntry *entry = NULL;
  g_autoptr (FleetSnapshot) stored = NULL;
  g_autoptr (GError) error = NULL;

  if (references != NULL && references->problem != NULL)
    {
      result->reference_problem = g_strdup (references->problem);
      return;
    }
  if (references != NULL)
    entry = g_hash_table_lookup (references->latest, host);
  if (entry == NULL)
    {
      result->reference_problem = g_strdup_printf ("no earlier snapshot of %s in %s; drift "
                                                   "since the last run was not checked",
                                                   host, store_dir);
      return;
    }

  stored = fleet_snapshot_store_get (store_dir, entry->digest, &error);
  if (stored == NULL)
    {
      result->reference_problem = g_strdup_printf ("cannot read the earlier snapshot %s of %s: "
                                                   "%s", entry->digest, host, error->message);
      return;
    }
  result->reference = g_strdup (entry->digest);
  result->diff = fleet_snapshot_diff (stored, snapshot, NULL);
}

FleetDriftResult *
fleet_drift_check (const FleetSnapshotConfig *config, const FleetDriftReferences *references,
                   const char *store_dir, const char *host, FleetSnapshot *snapshot)
{
  FleetDriftResult *result = g_new0 (FleetDriftResult, 1);

  if (config->drift == FLEET_SNAPSHOT_DRIFT_LATEST)
    compare_with_latest (result, references, store_dir, host, snapshot);
  if (config->baseline != NULL)
    result->violations = fleet_baseline_check (config->baseline, snapshot);
  return result;
}

gsize
fleet_drift_result_count (const FleetDriftResult *result)
{
  gsize count = 0;

  if (result->diff != NULL)
    count += result->diff->n_changes;
  if (result->violations != NULL)
    count += result->violations->len;
  return count;
}

char *
fleet_drift_result_describe (const FleetDriftResult *result)
{
  GString *out = g_string_new (NULL);

  if (result->violations != NULL)
    g_string_append_printf (out, "%u baseline violation%s", result->violations->len,
                            result->violations->len == 1 ? "" : "s");
  if (result->diff != NULL)
    g_string_append_printf (out, "%s%" G_GSIZE_FORMAT " change%s since snapshot %.12s",
                            out->len > 0 ? " and " : "", result->diff->n_changes,
                            result->diff->n_changes == 1 ? "" : "s", result->reference);
  if (result->reference_problem != NULL)
    g_string_append_printf (out, "%s%s", out->len > 0 ? "; " : "", result->reference_problem);
  return g_string_free (out, FALSE);
}

void
fleet_drift_result_write_json (const FleetDriftResult *result, FleetJsonWriter *json)
{
  fleet_json_begin_object (json);
  fleet_json_key (json, "reference");
  fleet_json_string (json, result->reference);
  fleet_json_key (json, "reference_problem");
  fleet_json_string (json, result->reference_problem);
  fleet_json_key (json, "changes");
  if (result->diff != NULL)
    fleet_snapshot_diff_write_json (result->diff, json);
  else
    fleet_json_null (json);
  fleet_json_key (json, "violations");
  if (result->violations != NULL)
    fleet_baseline_violations_write_json (result->violations, json);
  else
    fleet_json_null (json);
  fleet_json_end_object (json);
}
