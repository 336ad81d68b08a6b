/* fleet-inventory-file.h: the inventory source files a plan was compiled
 * from, with the SHA-256 of each file's bytes, and the check that they have
 * not changed since.
 *
 * A static inventory (a YAML, INI or JSON file) is hashed from the bytes the
 * compiler parsed, so fleet-run can re-hash the file and notice an edit.  An
 * inventory program is hashed too, but what matters is its output.
 * fleet-run cannot see that output without running the program, so `fleetc
 * check` runs it and compares the resolved inventory instead.
 *
 * Paths are absolute, so the check finds the file from any working
 * directory.  Errors are in the FLEET_PLAN_ERROR domain.
 */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

typedef enum {
  FLEET_INVENTORY_FILE_STATIC,   /* data that the compiler read */
  FLEET_INVENTORY_FILE_PROGRAM,  /* an executable that printed the inventory */
} FleetInventoryFileKind;

typedef struct {
  char *path;                    /* absolute */
  FleetInventoryFileKind kind;
  char *sha256;                  /* lowercase hex SHA-256 of the file's bytes */
} FleetInventoryFile;

FleetInventoryFile *fleet_inventory_file_new (const char *path,
                                              FleetInventoryFileKind kind,
                                              const char *sha256);
FleetInventoryFile *fleet_inventory_file_copy (const FleetInventoryFile *file);
void fleet_inventory_file_free (FleetInventoryFile *file);

/* Return "file" or "program", the names the plan body uses. */
const char *fleet_inventory_file_kind_to_string (FleetInventoryFileKind kind);

/* Return the lowercase hex SHA-256 of the bytes of the regular file at
 * `path`, read in blocks, so a large inventory program needs no large
 * buffer.  Returns NULL with FLEET_PLAN_ERROR_IO when it cannot be read. */
char *fleet_file_sha256 (const char *path, GError **error);

/* Return `files` (FleetInventoryFile *) as the plan body's
 * `inventory-files` value, of type aa{sv}; a new floating reference. */
GVariant *fleet_inventory_files_to_variant (const GPtrArray *files);

/* Append the records of an `inventory-files` value to `out`.  Returns FALSE
 * with FLEET_PLAN_ERROR_INVALID when a record lacks a key, names an unknown
 * kind, or has a digest that is not 64 lowercase hex digits. */
gboolean fleet_inventory_files_from_variant (GVariant *files, GPtrArray *out, GError **error);

/* A static inventory file whose bytes differ from the plan's record, or
 * that can no longer be read. */
typedef struct {
  FleetInventoryFile *recorded;  /* a copy of the plan's record */
  char *current_sha256;          /* NULL when the file cannot be read */
  char *read_error;              /* why it cannot be read, or NULL */
} FleetInventoryChange;

void fleet_inventory_change_free (FleetInventoryChange *change);

/* Re-hash every static inventory file of `files` (FleetInventoryFile *).
 * Returns the changes, in the order of `files`: empty when every file is as
 * recorded.  Programs are skipped (see above). */
GPtrArray *fleet_inventory_files_find_changes (const GPtrArray *files);

/* Return one sentence for `change` that names the file and both digests. */
char *fleet_inventory_change_describe (const FleetInventoryChange *change);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (FleetInventoryFile, fleet_inventory_file_free)
G_DEFINE_AUTOPTR_CLEANUP_FUNC (FleetInventoryChange, fleet_inventory_change_free)

G_END_DECLS
