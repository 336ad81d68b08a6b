/* fleetc-snapshot-list.c: `fleetc snapshot list` prints the snapshots of a
 * store, oldest first, so that an admin can pick the two to compare. */
#include "cli/fleetc-snapshot-list.h"

#include <stdio.h>

#include <glib.h>

#include "schema/fleet-json.h"
#include "schema/fleet-snapshot-store.h"
#include "schema/fleet-text.h"

#define EXIT_BAD_INPUT 2

static const char list_usage[] =
  "Usage: fleetc snapshot list --store DIR [--host PATTERN] [--run RUN] [--format text|json]\n";

static int
list_usage_error (const char *message)
{
  g_printerr ("fleetc snapshot list: %s\n%s", message, list_usage);
  return EXIT_BAD_INPUT;
}

static gboolean
entry_selected (const FleetSnapshotIndexEntry *entry, GPatternSpec *host_pattern,
                const char *run_id)
{
  if (host_pattern != NULL && !g_pattern_spec_match_string (host_pattern, entry->host))
    return FALSE;
  if (run_id != NULL && g_strcmp0 (entry->run_id, run_id) != 0)
    return FALSE;
  return TRUE;
}

static char *
format_time (gint64 time_us)
{
  g_autoptr (GDateTime) time = g_date_time_new_from_unix_utc (time_us / G_USEC_PER_SEC);

  return time != NULL ? g_date_time_format (time, "%Y-%m-%dT%H:%M:%SZ") : g_strdup ("-");
}

static void
print_text (GPtrArray *entries)
{
  g_print ("%-20s  %-24s  %-22s  %-9s  %s\n", "TIME (UTC)", "HOST", "RUN", "LABEL", "DIGEST");
  for (guint i = 0; i < entries->len; i++)
    {
      const FleetSnapshotIndexEntry *entry = g_ptr_array_index (entries, i);
      g_autofree char *time = format_time (entry->time_us);
      g_autofree char *host = fleet_escape_for_terminal (entry->host);
      g_autofree char *run = fleet_escape_for_terminal (entry->run_id != NULL ? entry->run_id
                                                                              : "-");
      g_autofree char *label = fleet_escape_for_terminal (entry->label != NULL ? entry->label
                                                                               : "-");

      g_print ("%-20s  %-24s  %-22s  %-9s  %s\n", time, host, run, label, entry->digest);
    }
}

static void
print_json (GPtrArray *entries)
{
  g_autoptr (GString) out = g_string_new (NULL);
  FleetJsonWriter json;

  fleet_json_writer_init (&json, out);
  fleet_json_begin_array (&json);
  for (guint i = 0; i < entries->len; i++)
    {
      const FleetSnapshotIndexEntry *entry = g_ptr_array_index (entries, i);

      fleet_json_begin_object (&json);
      fleet_json_key (&json, "digest");
      fleet_json_string (&json, entry->digest);
      fleet_json_key (&json, "host");
      fleet_json_string (&json, entry->host);
      fleet_json_key (&json, "run");
      fleet_json_string (&json, entry->run_id);
      fleet_json_key (&json, "label");
      fleet_json_string (&json, entry->label);
      fleet_json_key (&json, "time_us");
      fleet_json_int (&json, entry->time_us);
      fleet_json_key (&json, "collector");
      fleet_json_string (&json, entry->collector);
      fleet_json_end_object (&json);
    }
  fleet_json_end_array (&json);
  g_print ("%s\n", out->str);
}

int
fleetc_snapshot_list_main (int argc, char **argv)
{
  g_autoptr (GOptionContext) context = g_option_context_new (NULL);
  g_autoptr (GError) error = NULL;
  g_autofree char *store = NULL;
  g_autofree char *host = NULL;
  g_autofree char *run_id = NULL;
  g_autofree char *format = NULL;
  g_autoptr (GPatternSpec) host_pattern = NULL;
  g_autoptr (GPtrArray) entries = NULL;
  g_autoptr (GPtrArray) selected = g_ptr_array_new ();
  GOptionEntry option_entries[] = {
    { "store", 0, 0, G_OPTION_ARG_FILENAME, &store,
      "The snapshot store: fleet-run's --snapshot-store, or RUN_DIR/snapshots", "DIR" },
    { "host", 0, 0, G_OPTION_ARG_STRING, &host,
      "Only snapshots of hosts whose name matches this shell glob", "PATTERN" },
    { "run", 0, 0, G_OPTION_ARG_STRING, &run_id, "Only snapshots taken by this run", "RUN" },
    { "format", 0, 0, G_OPTION_ARG_STRING, &format, "text (default) or json", "FORMAT" },
    { NULL }
  };

  g_option_context_add_main_entries (context, option_entries, NULL);
  g_option_context_set_summary (context, "List the snapshots of a store, oldest first.");
  if (!fleet_text_parse_options (context, &argc, &argv, &error))
    return list_usage_error (error->message);
  if (argc > 1)
    return list_usage_error ("unexpected argument; give the store with --store DIR");
  if (store == NULL)
    return list_usage_error ("missing --store DIR");
  if (format != NULL && !g_str_equal (format, "text") && !g_str_equal (format, "json"))
    return list_usage_error ("--format takes text or json");
  if (!g_file_test (store, G_FILE_TEST_IS_DIR))
    {
      g_printerr ("fleetc snapshot list: %s is not a directory; give the --snapshot-store of "
                  "the run, or its RUN_DIR/snapshots\n", store);
      return EXIT_BAD_INPUT;
    }

  entries = fleet_snapshot_store_list (store, &error);
  if (entries == NULL)
    {
      g_printerr ("fleetc snapshot list: %s\n", error->message);
      return EXIT_BAD_INPUT;
    }

  if (host != NULL)
    host_pattern = g_pattern_spec_new (host);
  for (guint i = 0; i < entries->len; i++)
    if (entry_selected (g_ptr_array_index (entries, i), host_pattern, run_id))
      g_ptr_array_add (selected, g_ptr_array_index (entries, i));

  if (format != NULL && g_str_equal (format, "json"))
    print_json (selected);
  else
    print_text (selected);
  return 0;
}
