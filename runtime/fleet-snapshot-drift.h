/* fleet-snapshot-drift.h: changes made to a host between planning and
 * running, found in its before snapshot.
 *
 * Two references are possible, and a plan may ask for both
 * (FleetSnapshotConfig.drift and .baseline): the host's latest snapshot in
 * the snapshot store, taken before this run started, and a baseline of
 * desired state.  Every difference from the stored snapshot counts as
 * drift, and so does every baseline violation.
 *
 * Ownership: FleetDriftReferences owns its index; a FleetDriftResult owns
 * its diff, violations and strings.
 */
#pragma once

#include <glib.h>

#include "schema/fleet-json.h"
#include "schema/fleet-snapshot-config.h"
#include "schema/fleet-snapshot-diff.h"

G_BEGIN_DECLS

/* The latest stored snapshot of each host, as the store's index lists
 * them when a run starts. */
typedef struct FleetDriftReferences FleetDriftReferences;

/* Read the index of `store_dir`; a store without an index has no
 * references.  When the index cannot be read, every host's result says
 * why, as its reference_problem. */
FleetDriftReferences *fleet_drift_references_load (const char *store_dir);
void fleet_drift_references_free (FleetDriftReferences *references);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (FleetDriftReferences, fleet_drift_references_free)

typedef struct {
  char *reference;            /* digest of the stored snapshot compared with, or NULL */
  char *reference_problem;    /* why no stored snapshot was compared, or NULL */
  FleetSnapshotDiff *diff;    /* changes since `reference`, or NULL */
  GPtrArray *violations;      /* FleetBaselineViolation *; NULL without a baseline */
} FleetDriftResult;

void fleet_drift_result_free (FleetDriftResult *result);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (FleetDriftResult, fleet_drift_result_free)

/* Check the before snapshot `snapshot` of `host` as `config` asks.
 * `references` may be NULL when config->drift is NONE; `store_dir` names
 * the store in messages and is where stored snapshots are read from. */
FleetDriftResult *fleet_drift_check (const FleetSnapshotConfig *config,
                                     const FleetDriftReferences *references,
                                     const char *store_dir, const char *host,
                                     FleetSnapshot *snapshot);

/* Return the number of differences and violations found. */
gsize fleet_drift_result_count (const FleetDriftResult *result);

/* Return a one-line description for the host's message, such as "2
 * baseline violations and 1 change since snapshot 1a2b3c4d"; free with
 * g_free. */
char *fleet_drift_result_describe (const FleetDriftResult *result);

/* Append the result to an open JSON writer as one object. */
void fleet_drift_result_write_json (const FleetDriftResult *result, FleetJsonWriter *json);

G_END_DECLS
