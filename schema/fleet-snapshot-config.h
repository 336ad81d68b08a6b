/* fleet-snapshot-config.h: what a workflow asks fleet-run to snapshot on
 * each host before the first step and after the last, and what to do about
 * unexpected changes.  Plans carry it under the body key "snapshot"
 * (docs/plan-format.md); a plan without the key takes no snapshots.
 *
 * Ownership: the config owns every string and array it contains.
 */
#pragma once

#include <glib.h>

#include "schema/fleet-baseline.h"
#include "schema/fleet-snapshot-diff.h"

G_BEGIN_DECLS

typedef enum {
  FLEET_SNAPSHOT_ON_UNEXPECTED_WARN,       /* report them; the host's outcome stands */
  FLEET_SNAPSHOT_ON_UNEXPECTED_FAIL_HOST,  /* the host fails */
  FLEET_SNAPSHOT_ON_UNEXPECTED_HALT,       /* the host fails and no further host starts */
} FleetSnapshotOnUnexpected;

/* What the before snapshot of each host is compared with, to find changes
 * made since the plan was made (drift). */
typedef enum {
  FLEET_SNAPSHOT_DRIFT_NONE,
  FLEET_SNAPSHOT_DRIFT_LATEST,   /* the host's latest snapshot in the store */
} FleetSnapshotDrift;

typedef struct {
  guint categories;              /* 1 << FleetSnapshotCategory bits; 0: all */
  GPtrArray *files;              /* char *, paths or globs */
  GPtrArray *fact_names;         /* char *, parallel to fact_commands */
  GPtrArray *fact_commands;      /* char * */
  GPtrArray *expect[FLEET_SNAPSHOT_N_CATEGORIES];  /* char *, glob patterns */
  FleetSnapshotOnUnexpected on_unexpected;
  /* Drift: differences of the before snapshot from the host's latest
   * stored snapshot, and violations of the baseline, are handled as
   * `on_drift` says, before the first step. */
  FleetSnapshotDrift drift;
  FleetBaseline *baseline;       /* NULL: none */
  FleetSnapshotOnUnexpected on_drift;
} FleetSnapshotConfig;

FleetSnapshotConfig *fleet_snapshot_config_new (void);
void fleet_snapshot_config_free (FleetSnapshotConfig *config);
FleetSnapshotConfig *fleet_snapshot_config_copy (const FleetSnapshotConfig *config);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (FleetSnapshotConfig, fleet_snapshot_config_free)

/* Return "warn", "fail_host" or "halt". */
const char *fleet_snapshot_on_unexpected_to_string (FleetSnapshotOnUnexpected value);
gboolean fleet_snapshot_on_unexpected_from_string (const char *text,
                                                   FleetSnapshotOnUnexpected *out_value);

/* Return "none" or "latest". */
const char *fleet_snapshot_drift_to_string (FleetSnapshotDrift value);
gboolean fleet_snapshot_drift_from_string (const char *text, FleetSnapshotDrift *out_value);

/* Build the expected-change patterns; fails on an invalid pattern. */
FleetSnapshotExpect *fleet_snapshot_config_build_expect (const FleetSnapshotConfig *config,
                                                         GError **error);

/* Return the config as a floating GVariant of type a{sv}. */
GVariant *fleet_snapshot_config_to_variant (const FleetSnapshotConfig *config);

/* Read a config written by fleet_snapshot_config_to_variant; fails with
 * FLEET_SNAPSHOT_ERROR_INVALID on a missing or mistyped key.  The drift
 * keys are optional: plans without them compare nothing before the first
 * step. */
FleetSnapshotConfig *fleet_snapshot_config_from_variant (GVariant *dict, GError **error);

G_END_DECLS
