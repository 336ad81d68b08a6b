/* fleet-snapshot-run.h: collect one snapshot of a host on its pooled
 * connection, and compare a host's two snapshots.
 *
 * A FleetSnapshotCollection runs the collector command
 * (fleet-snapshot-script.h) as one command on a READY connection, keeps its
 * standard output in memory up to FLEET_SNAPSHOT_MAX_OUTPUT_BYTES, and
 * parses it when the command is done.  The connection drives the command,
 * so the owner only polls the connection as for a step.
 */
#pragma once

#include <glib.h>

#include "runtime/fleet-transport.h"
#include "schema/fleet-snapshot-config.h"
#include "schema/fleet-snapshot.h"

G_BEGIN_DECLS

/* Collector output beyond this fails the collection, so a host cannot
 * exhaust fleet-run's memory. */
#define FLEET_SNAPSHOT_MAX_OUTPUT_BYTES (256u * 1024 * 1024)

/* Time the collector may run on one host. */
#define FLEET_SNAPSHOT_TIMEOUT_MS (10u * 60 * 1000)

typedef struct FleetSnapshotCollection FleetSnapshotCollection;

/* Start the collector for `config` on `connection`, which must be READY
 * and outlive the collection. */
FleetSnapshotCollection *fleet_snapshot_collection_start (FleetConnection *connection,
                                                          const FleetSnapshotConfig *config,
                                                          gint64 now_us);

gboolean fleet_snapshot_collection_is_done (const FleetSnapshotCollection *collection);

/* Abort the collector command, as for an interrupted step. */
void fleet_snapshot_collection_abort (FleetSnapshotCollection *collection, const char *message);

/* Return the snapshot of a done collection for `host` at `time_us`, or
 * NULL with `error` set when the command failed or its output is invalid. */
FleetSnapshot *fleet_snapshot_collection_finish (FleetSnapshotCollection *collection,
                                                 const char *host, gint64 time_us,
                                                 GError **error);

void fleet_snapshot_collection_free (FleetSnapshotCollection *collection);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (FleetSnapshotCollection, fleet_snapshot_collection_free)

G_END_DECLS
