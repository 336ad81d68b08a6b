/* fleet-facts-run.c: facts gathered on a host's connection; the contract is
 * in fleet-facts-run.h. */
#include "runtime/fleet-facts-run.h"

#include <gio/gio.h>

#include "schema/fleet-facts.h"

struct FleetFactsGathering {
  FleetCommand *command;
  GString *output;
};

static void
on_output (const char *data, gsize length, gboolean is_stderr, gpointer user_data)
{
  FleetFactsGathering *gathering = user_data;

  if (is_stderr || gathering->output->len >= FLEET_FACTS_OUTPUT_MAX)
    return;
  g_string_append_len (gathering->output, data,
                       (gssize) MIN (length, FLEET_FACTS_OUTPUT_MAX - gathering->output->len));
}

FleetFactsGathering *
fleet_facts_gather_start (FleetConnection *connection, gint64 now_us)
{
  FleetFactsGathering *gathering = g_new0 (FleetFactsGathering, 1);
  FleetCommandSpec spec = {
    .command_line = fleet_facts_command (),
    .timeout_ms = FLEET_FACTS_TIMEOUT_MS,
  };

  gathering->output = g_string_new (NULL);
  gathering->command = fleet_command_start (connection, &spec, now_us, on_output, gathering);
  return gathering;
}

gboolean
fleet_facts_gathering_is_done (const FleetFactsGathering *gathering)
{
  return fleet_command_is_done (gathering->command);
}

void
fleet_facts_gathering_abort (FleetFactsGathering *gathering, const char *message)
{
  fleet_command_abort (gathering->command, FLEET_FAILURE_INTERRUPTED, message);
}

GHashTable *
fleet_facts_gathering_finish (FleetFactsGathering *gathering, GError **error)
{
  FleetFailure failure = fleet_command_get_failure (gathering->command);
  GHashTable *facts = NULL;

  if (failure == FLEET_FAILURE_NONE)
    facts = fleet_facts_parse (gathering->output->str);
  else
    g_set_error (error, G_IO_ERROR, G_IO_ERROR_FAILED, "cannot gather facts: %s",
                 fleet_command_get_message (gathering->command) != NULL
                   ? fleet_command_get_message (gathering->command)
                   : fleet_failure_code (failure));

  fleet_facts_gathering_free (gathering);
  return facts;
}

void
fleet_facts_gathering_free (FleetFactsGathering *gathering)
{
  if (gathering == NULL)
    return;

  fleet_command_free (gathering->command);
  g_string_free (gathering->output, TRUE);
  g_free (gathering);
}
