/* fleet-snapshot-diff.h: what changed between two snapshots of a host, and
 * whether each change was expected.
 *
 * A diff walks the sorted tables of both snapshots side by side and lists,
 * per category, the keys added, removed and changed (old value -> new
 * value).  For files it also names the attributes that changed (content,
 * mode, owner, size, link).  A category that is unavailable or not
 * collected in either snapshot yields no changes and is listed as skipped.
 *
 * Expected-change patterns are globs per category: "*" matches any run of
 * bytes except "/", "**" any run including "/", "?" one byte except "/",
 * and "\" quotes the next byte.  A change whose key matches a pattern of its
 * category is expected; every other change is unexpected.
 *
 * Ownership: a diff copies every string it needs, so it outlives both
 * snapshots.  Free it with fleet_snapshot_diff_free.
 */
#pragma once

#include <glib.h>

#include "schema/fleet-json.h"
#include "schema/fleet-snapshot.h"

G_BEGIN_DECLS

typedef enum {
  FLEET_SNAPSHOT_ADDED,
  FLEET_SNAPSHOT_REMOVED,
  FLEET_SNAPSHOT_CHANGED,
} FleetSnapshotChangeKind;

/* File attributes that can differ; bits of FleetSnapshotChange.file_fields. */
typedef enum {
  FLEET_SNAPSHOT_FILE_CONTENT = 1 << 0,
  FLEET_SNAPSHOT_FILE_MODE = 1 << 1,
  FLEET_SNAPSHOT_FILE_OWNER = 1 << 2,
  FLEET_SNAPSHOT_FILE_SIZE = 1 << 3,
  FLEET_SNAPSHOT_FILE_LINK = 1 << 4,
} FleetSnapshotFileField;

typedef struct {
  FleetSnapshotCategory category;
  FleetSnapshotChangeKind kind;
  char *key;
  char *old_value;        /* NULL when added */
  char *new_value;        /* NULL when removed */
  guint file_fields;      /* FleetSnapshotFileField bits; changed files only */
  gboolean expected;
} FleetSnapshotChange;

/* Patterns of expected changes. */
typedef struct _FleetSnapshotExpect FleetSnapshotExpect;

FleetSnapshotExpect *fleet_snapshot_expect_new (void);
void fleet_snapshot_expect_free (FleetSnapshotExpect *expect);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (FleetSnapshotExpect, fleet_snapshot_expect_free)

/* Add `pattern` for `category`.  Fails with FLEET_SNAPSHOT_ERROR_INVALID
 * for an empty pattern or one that ends in a lone "\". */
gboolean fleet_snapshot_expect_add (FleetSnapshotExpect *expect, FleetSnapshotCategory category,
                                    const char *pattern, GError **error);

/* Whether `key` matches a pattern of `category`. */
gboolean fleet_snapshot_expect_matches (const FleetSnapshotExpect *expect,
                                        FleetSnapshotCategory category, const char *key);

/* Whether `text` matches the glob `pattern` (syntax above). */
gboolean fleet_snapshot_glob_match (const char *pattern, const char *text);

typedef struct {
  FleetSnapshotChange *changes;   /* sorted by category, then key */
  gsize n_changes;
  gsize added[FLEET_SNAPSHOT_N_CATEGORIES];
  gsize removed[FLEET_SNAPSHOT_N_CATEGORIES];
  gsize changed[FLEET_SNAPSHOT_N_CATEGORIES];
  gsize n_unexpected;
  gboolean skipped[FLEET_SNAPSHOT_N_CATEGORIES];  /* not comparable */
} FleetSnapshotDiff;

/* Compare `before` with `after`; `expect` may be NULL (every change is then
 * unexpected).  Both snapshots are sorted in place if needed. */
FleetSnapshotDiff *fleet_snapshot_diff (FleetSnapshot *before, FleetSnapshot *after,
                                        const FleetSnapshotExpect *expect);

void fleet_snapshot_diff_free (FleetSnapshotDiff *diff);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (FleetSnapshotDiff, fleet_snapshot_diff_free)

/* Return the names of the bits in `file_fields`, comma separated ("content,
 * mode").  Free with g_free. */
char *fleet_snapshot_file_fields_describe (guint file_fields);

/* Append a readable listing of `diff` to `out`: one line per change,
 * unexpected changes marked "UNEXPECTED".  Control bytes and backslashes
 * in keys and values are written as \xHH, so the listing is one line per
 * change even for file names with line breaks. */
void fleet_snapshot_diff_append_text (const FleetSnapshotDiff *diff, GString *out);

/* Append `diff` to an open JSON writer as one object: the counts per
 * category, the skipped categories and every change. */
void fleet_snapshot_diff_write_json (const FleetSnapshotDiff *diff, FleetJsonWriter *json);

G_END_DECLS
