/* fleet-snapshot-run.c: the collector command on a pooled connection. */
#include "runtime/fleet-snapshot-run.h"

#include "runtime/fleet-snapshot-script.h"
#include "schema/fleet-snapshot-collect.h"

struct FleetSnapshotCollection {
  FleetCommand *command;
  GString *output;
  guint64 omitted_bytes;     /* stdout beyond the limit */
  GString *stderr_tail;
};

static void
on_collector_output (const char *data, gsize length, gboolean is_stderr, gpointer user_data)
{
  FleetSnapshotCollection *collection = user_data;

  if (is_stderr)
    {
      g_string_append_len (collection->stderr_tail, data, length);
      if (collection->stderr_tail->len > 4096)
        g_string_erase (collection->stderr_tail, 0, collection->stderr_tail->len - 4096);
      return;
    }
  if (collection->output->len + length > FLEET_SNAPSHOT_MAX_OUTPUT_BYTES)
    {
      collection->omitted_bytes += length;
      return;
    }
  g_string_append_len (collection->output, data, length);
}

FleetSnapshotCollection *
fleet_snapshot_collection_start (FleetConnection *connection, const FleetSnapshotConfig *config,
                                 gint64 now_us)
{
  FleetSnapshotCollection *collection = g_new0 (FleetSnapshotCollection, 1);
  g_autoptr (GPtrArray) files = g_ptr_array_copy (config->files, NULL, NULL);
  g_autoptr (GPtrArray) names = g_ptr_array_copy (config->fact_names, NULL, NULL);
  g_autoptr (GPtrArray) commands = g_ptr_array_copy (config->fact_commands, NULL, NULL);
  FleetSnapshotRequest request = { .categories = config->categories };
  g_autofree char *command_line = NULL;
  FleetCommandSpec spec = { .timeout_ms = FLEET_SNAPSHOT_TIMEOUT_MS };

  /* The copies borrow the config's strings, so they must not free them. */
  g_ptr_array_set_free_func (files, NULL);
  g_ptr_array_set_free_func (names, NULL);
  g_ptr_array_set_free_func (commands, NULL);
  g_ptr_array_add (files, NULL);
  g_ptr_array_add (names, NULL);
  g_ptr_array_add (commands, NULL);
  request.files = (const char *const *) files->pdata;
  request.fact_names = (const char *const *) names->pdata;
  request.fact_commands = (const char *const *) commands->pdata;
  command_line = fleet_snapshot_collector_command (&request);
  spec.command_line = command_line;

  collection->output = g_string_new (NULL);
  collection->stderr_tail = g_string_new (NULL);
  collection->command = fleet_command_start (connection, &spec, now_us, on_collector_output,
                                             collection);
  return collection;
}

gboolean
fleet_snapshot_collection_is_done (const FleetSnapshotCollection *collection)
{
  return fleet_command_is_done (collection->command);
}

void
fleet_snapshot_collection_abort (FleetSnapshotCollection *collection, const char *message)
{
  fleet_command_abort (collection->command, FLEET_FAILURE_INTERRUPTED, message);
}

FleetSnapshot *
fleet_snapshot_collection_finish (FleetSnapshotCollection *collection, const char *host,
                                  gint64 time_us, GError **error)
{
  FleetCommand *command = collection->command;
  g_autofree char *source = g_strdup_printf ("snapshot collector output of %s", host);
  FleetSnapshot *snapshot;

  if (fleet_command_get_failure (command) != FLEET_FAILURE_NONE)
    {
      g_set_error (error, FLEET_SNAPSHOT_ERROR, FLEET_SNAPSHOT_ERROR_PARSE,
                   "snapshot collector on %s failed (%s): %s", host,
                   fleet_failure_code (fleet_command_get_failure (command)),
                   fleet_command_get_message (command) != NULL
                     ? fleet_command_get_message (command) : "no message");
      return NULL;
    }
  if (collection->omitted_bytes > 0)
    {
      g_set_error (error, FLEET_SNAPSHOT_ERROR, FLEET_SNAPSHOT_ERROR_PARSE,
                   "snapshot collector on %s printed more than %u bytes; request fewer files",
                   host, FLEET_SNAPSHOT_MAX_OUTPUT_BYTES);
      return NULL;
    }

  snapshot = fleet_snapshot_parse_collector (collection->output->str, collection->output->len,
                                             source, error);
  if (snapshot == NULL)
    {
      if (collection->stderr_tail->len > 0)
        {
          g_autofree char *shown = g_strescape (collection->stderr_tail->str, NULL);

          g_prefix_error (error, "collector stderr ends with \"%.200s\": ", shown);
        }
      return NULL;
    }
  fleet_snapshot_set_host (snapshot, host);
  fleet_snapshot_set_time_us (snapshot, time_us);
  return snapshot;
}

void
fleet_snapshot_collection_free (FleetSnapshotCollection *collection)
{
  if (collection == NULL)
    return;
  fleet_command_free (collection->command);
  g_string_free (collection->output, TRUE);
  g_string_free (collection->stderr_tail, TRUE);
  g_free (collection);
}
