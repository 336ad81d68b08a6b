/* fleet-facts-run.h: gathering a host's facts (fleet-facts.h) on its
 * pooled connection, in one round trip before its first step.
 *
 * The gathering is a remote command whose output is kept in memory (at
 * most FLEET_FACTS_OUTPUT_MAX bytes) and parsed when it ends.  It belongs
 * to the connection like any command: the owner processes the connection
 * until fleet_facts_gathering_is_done(), then calls
 * fleet_facts_gathering_finish().
 */
#pragma once

#include <glib.h>

#include "runtime/fleet-transport.h"

G_BEGIN_DECLS

#define FLEET_FACTS_OUTPUT_MAX (64 * 1024)

/* Gathering runs at most this long on a host. */
#define FLEET_FACTS_TIMEOUT_MS 60000u

typedef struct FleetFactsGathering FleetFactsGathering;

/* Start the facts command on a READY connection. */
FleetFactsGathering *fleet_facts_gather_start (FleetConnection *connection, gint64 now_us);

gboolean fleet_facts_gathering_is_done (const FleetFactsGathering *gathering);

/* Stop the command; finish then reports `message`. */
void fleet_facts_gathering_abort (FleetFactsGathering *gathering, const char *message);

/* Return the facts (char * -> char *, fleet_facts_parse) once done, or NULL
 * with `error` set (G_IO_ERROR) when the command could not run or was
 * killed.  A host that lacks a tool just lacks that fact.  Frees the
 * gathering in both cases. */
GHashTable *fleet_facts_gathering_finish (FleetFactsGathering *gathering, GError **error);

void fleet_facts_gathering_free (FleetFactsGathering *gathering);

G_END_DECLS
