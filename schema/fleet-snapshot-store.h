/* fleet-snapshot-store.h: a content-addressed directory of snapshots.
 *
 * Each snapshot is stored as DIR/HEX.snapshot.gz, where HEX is the SHA-256
 * of its text form (fleet_snapshot_serialize) and the file is that text
 * compressed with GZlibCompressor in gzip format.  Equal snapshots share a
 * file.  DIR/index.tsv lists one stored snapshot per line, tab separated,
 * every text field escaped with fleet_snapshot_escape:
 *
 *   DIGEST HOST RUN-ID TIME-US COLLECTOR LABEL
 *
 * where LABEL says which snapshot of the run it is ("before", "after", or
 * "on-demand" for a plan without steps).
 * Loading checks the digest, so a damaged file is reported, not parsed.
 */
#pragma once

#include <glib.h>

#include "schema/fleet-snapshot.h"

G_BEGIN_DECLS

#define FLEET_SNAPSHOT_INDEX_NAME "index.tsv"

typedef struct {
  char *digest;      /* 64 lowercase hex digits */
  char *host;
  char *run_id;
  gint64 time_us;
  char *collector;
  char *label;
} FleetSnapshotIndexEntry;

void fleet_snapshot_index_entry_free (FleetSnapshotIndexEntry *entry);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (FleetSnapshotIndexEntry, fleet_snapshot_index_entry_free)

/* Store `snapshot` under `dir` (created with mode 0700 if missing), append
 * an index line, and return the digest (free with g_free), or NULL with
 * `error` set.  `run_id` and `label` may be NULL. */
char *fleet_snapshot_store_put (const char *dir, FleetSnapshot *snapshot, const char *run_id,
                                const char *label, GError **error);

/* Load the snapshot with `digest` from `dir`.  A digest prefix of at least
 * 8 hex digits is accepted when exactly one stored snapshot has it.  Fails
 * with FLEET_SNAPSHOT_ERROR_NOT_FOUND, _CORRUPT or _PARSE. */
FleetSnapshot *fleet_snapshot_store_get (const char *dir, const char *digest, GError **error);

/* Return the index of `dir` as FleetSnapshotIndexEntry pointers, in the
 * order they were stored; an empty array when there is no index.  Lines
 * that do not parse are skipped with a warning. */
GPtrArray *fleet_snapshot_store_list (const char *dir, GError **error);

/* Gzip-compress or decompress a buffer in memory with GZlibCompressor and
 * GZlibDecompressor. */
GBytes *fleet_snapshot_gzip (const void *data, gsize length, GError **error);
GBytes *fleet_snapshot_gunzip (const void *data, gsize length, GError **error);

G_END_DECLS
