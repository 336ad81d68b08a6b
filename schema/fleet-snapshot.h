/* fleet-snapshot.h: a host's configuration at one instant, and its text form.
 *
 * A snapshot has a header (host, time, collector version, OS family) and one
 * table per category.  A table is either available, holding items sorted by
 * key with no duplicates, or unavailable with a reason (the tool it needs was
 * missing on the host).  Every item has a key and a string value; items of
 * the files category also carry a FleetSnapshotFile record, and their value
 * is that record rendered by fleet_snapshot_file_format.
 *
 * Ownership: a snapshot owns every string it contains; the pointers that the
 * accessors return stay valid until the snapshot is freed.
 *
 * Text form (fleet_snapshot_serialize), one record per line, fields
 * separated by one space, every field escaped by fleet_snapshot_escape:
 *
 *   fleet-snapshot 1
 *   host NAME
 *   time MICROSECONDS-SINCE-EPOCH
 *   collector VERSION
 *   os-family FAMILY
 *   category NAME available
 *   item KEY VALUE
 *   file PATH SHA256 MODE-OCTAL OWNER SIZE LINK-TARGET
 *   category NAME unavailable REASON
 *   end
 *
 * Categories appear in enum order, items in key order, so equal snapshots
 * serialize to equal bytes.  The parser accepts any input without crashing
 * and reports the line of the first invalid record.
 */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

#define FLEET_SNAPSHOT_FORMAT_VERSION 1

#define FLEET_SNAPSHOT_ERROR (fleet_snapshot_error_quark ())

typedef enum {
  FLEET_SNAPSHOT_ERROR_PARSE,      /* invalid text form or collector output */
  FLEET_SNAPSHOT_ERROR_NOT_FOUND,  /* no such snapshot in a store */
  FLEET_SNAPSHOT_ERROR_CORRUPT,    /* stored bytes do not match their digest */
  FLEET_SNAPSHOT_ERROR_INVALID,    /* invalid argument, such as a bad pattern */
} FleetSnapshotError;

GQuark fleet_snapshot_error_quark (void);

typedef enum {
  FLEET_SNAPSHOT_OS,
  FLEET_SNAPSHOT_PACKAGES,
  FLEET_SNAPSHOT_SERVICES,
  FLEET_SNAPSHOT_FILES,
  FLEET_SNAPSHOT_SYSCTL,
  FLEET_SNAPSHOT_PORTS,
  FLEET_SNAPSHOT_USERS,
  FLEET_SNAPSHOT_GROUPS,
  FLEET_SNAPSHOT_MOUNTS,
  FLEET_SNAPSHOT_FACTS,
  FLEET_SNAPSHOT_N_CATEGORIES,
} FleetSnapshotCategory;

/* Return the category's name as used in workflows and the text form. */
const char *fleet_snapshot_category_name (FleetSnapshotCategory category);

/* Look up a category by name; FALSE when there is none. */
gboolean fleet_snapshot_category_from_name (const char *name, FleetSnapshotCategory *out_category);

/* The state of one file: what a collector records instead of the content. */
typedef struct {
  const char *sha256;       /* 64 lowercase hex digits; "" for a directory,
                             * a symbolic link or an unreadable file */
  guint32 mode;             /* permission and type bits, as stat's st_mode */
  const char *owner;        /* "user:group" */
  gint64 size;              /* bytes */
  const char *link_target;  /* "" unless the file is a symbolic link */
} FleetSnapshotFile;

typedef struct {
  const char *key;
  const char *value;
  const FleetSnapshotFile *file;  /* files category only, else NULL */
} FleetSnapshotItem;

typedef struct _FleetSnapshot FleetSnapshot;

FleetSnapshot *fleet_snapshot_new (void);
void fleet_snapshot_free (FleetSnapshot *snapshot);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (FleetSnapshot, fleet_snapshot_free)

/* Header setters copy their argument. */
void fleet_snapshot_set_host (FleetSnapshot *snapshot, const char *host);
void fleet_snapshot_set_time_us (FleetSnapshot *snapshot, gint64 time_us);
void fleet_snapshot_set_collector (FleetSnapshot *snapshot, const char *version);
void fleet_snapshot_set_os_family (FleetSnapshot *snapshot, const char *family);

const char *fleet_snapshot_get_host (const FleetSnapshot *snapshot);
gint64 fleet_snapshot_get_time_us (const FleetSnapshot *snapshot);
const char *fleet_snapshot_get_collector (const FleetSnapshot *snapshot);
const char *fleet_snapshot_get_os_family (const FleetSnapshot *snapshot);

/* Add an item to `category`, copying both strings, and mark the category
 * available.  A later item with the same key replaces the earlier one. */
void fleet_snapshot_add (FleetSnapshot *snapshot, FleetSnapshotCategory category,
                         const char *key, const char *value);

/* Add a file record under `path` (files category); `file`'s strings are
 * copied. */
void fleet_snapshot_add_file (FleetSnapshot *snapshot, const char *path,
                              const FleetSnapshotFile *file);

/* Mark `category` available with no items yet. */
void fleet_snapshot_mark_available (FleetSnapshot *snapshot, FleetSnapshotCategory category);

/* Mark `category` unavailable, dropping its items; `reason` is copied. */
void fleet_snapshot_mark_unavailable (FleetSnapshot *snapshot, FleetSnapshotCategory category,
                                      const char *reason);

/* Whether `category` was collected.  A category never added or marked is
 * neither available nor unavailable: the collector was not asked for it. */
gboolean fleet_snapshot_is_available (const FleetSnapshot *snapshot, FleetSnapshotCategory category);

/* Return the reason a category is unavailable, or NULL. */
const char *fleet_snapshot_unavailable_reason (const FleetSnapshot *snapshot,
                                               FleetSnapshotCategory category);

/* Return the items of `category` sorted by key (byte order) and
 * `out_n_items` their number.  Sorting happens lazily after additions, so
 * this is not safe to call from two threads at once. */
const FleetSnapshotItem *fleet_snapshot_items (FleetSnapshot *snapshot,
                                               FleetSnapshotCategory category,
                                               gsize *out_n_items);

/* Return the value of `key` in `category`, or NULL. */
const char *fleet_snapshot_lookup (FleetSnapshot *snapshot, FleetSnapshotCategory category,
                                   const char *key);

/* Return the total number of items over all categories. */
gsize fleet_snapshot_count_items (const FleetSnapshot *snapshot);

/* Render a file record as "sha256=HEX type=file mode=0644 owner=U:G size=N",
 * with " link=TARGET" appended for links.  The type is one of file,
 * directory, symlink, fifo, socket, char-device, block-device or unknown.
 * Free with g_free. */
char *fleet_snapshot_file_format (const FleetSnapshotFile *file);

/* Append `value` escaped to `out`: bytes up to 0x20, 0x7f and the backslash
 * become \xHH, and the empty string becomes "\e".  The result never
 * contains a space or a line break. */
void fleet_snapshot_escape (GString *out, const char *value);

/* Undo fleet_snapshot_escape on `length` bytes at `text`.  Returns a new
 * string, or NULL for an invalid escape or an escaped NUL byte. */
char *fleet_snapshot_unescape (const char *text, gsize length);

/* Return the text form of `snapshot`.  Free with g_free. */
char *fleet_snapshot_serialize (FleetSnapshot *snapshot, gsize *out_length);

/* Parse a text form; `source` names the input in error messages. */
FleetSnapshot *fleet_snapshot_parse (const char *text, gsize length, const char *source,
                                     GError **error);

G_END_DECLS
