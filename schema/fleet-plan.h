/* fleet-plan.h: the execution plan and its file format.
 *
 * A plan contains everything `fleet-run` needs: the hosts with their connection
 * settings, the steps, and the waves.  The file is a fixed header, a body,
 * a SHA-256 digest, and from format 3 on an optional signature block:
 *
 *   offset  size  field
 *   0       8     magic "FLEETPLN"
 *   8       4     format version, big-endian (FLEET_PLAN_FORMAT_VERSION)
 *   12      4     flags, big-endian, 0 in versions 2 and 3
 *   16      8     body length in bytes, big-endian
 *   24      n     body: a GVariant of type FLEET_PLAN_BODY_TYPE in normal form
 *   24+n    32    SHA-256 of bytes 0 to 24+n
 *   56+n    ...   signatures (fleet-plan-signature.h), format 3 and later
 *
 * The magic and the version keep their place in every future version, so an
 * older reader can always tell a newer file from a damaged one.  The same
 * plan always serializes to the same bytes.  Signatures lie outside the
 * digest, so adding one never changes the body or the digest.
 * docs/plan-format.md lists the body's keys.
 */
#pragma once

#include <glib.h>

#include "schema/fleet-inventory-file.h"
#include "schema/fleet-model.h"
#include "schema/fleet-snapshot-config.h"

G_BEGIN_DECLS

#define FLEET_PLAN_MAGIC "FLEETPLN"
#define FLEET_PLAN_MAGIC_LENGTH 8
/* Version 3 added the compile time, the expiry, the inventory files,
 * signatures, per-host commands and step conditions; a version 2 reader
 * would ignore them and run an expired plan, the wrong command or a skipped
 * step. */
#define FLEET_PLAN_FORMAT_VERSION 3u
/* The oldest format the reader accepts.  Format 2 lacks everything above. */
#define FLEET_PLAN_MIN_FORMAT_VERSION 2u
#define FLEET_PLAN_HEADER_LENGTH 24
#define FLEET_PLAN_DIGEST_LENGTH 32
#define FLEET_PLAN_BODY_TYPE "a{sv}"

/* Plans larger than this are rejected by the reader. */
#define FLEET_PLAN_MAX_BYTES (256u * 1024 * 1024)

#define FLEET_PLAN_ERROR (fleet_plan_error_quark ())

typedef enum {
  FLEET_PLAN_ERROR_IO,           /* the file could not be read or written */
  FLEET_PLAN_ERROR_NOT_A_PLAN,   /* wrong magic: some other kind of file */
  FLEET_PLAN_ERROR_TRUNCATED,    /* shorter than its header says */
  FLEET_PLAN_ERROR_VERSION,      /* a format version this reader does not know */
  FLEET_PLAN_ERROR_CORRUPT,      /* digest mismatch or trailing bytes */
  FLEET_PLAN_ERROR_INVALID,      /* intact, but the body breaks the schema */
  FLEET_PLAN_ERROR_EXPIRED,      /* intact, but past its expiry (fleet-plan-expiry.h) */
} FleetPlanError;

GQuark fleet_plan_error_quark (void);

/* One wave: indices into FleetPlan.hosts, in execution order. */
typedef struct {
  GArray *host_indices;          /* guint32 */
} FleetWave;

typedef struct {
  char *workflow_name;
  char *workflow_source;         /* workflow path as given to the compiler */
  char *workflow_sha256;         /* hex SHA-256 of the workflow file */
  char *inventory_source;
  char *inventory_sha256;        /* hex SHA-256 of the resolved inventory */
  char *ssh_config_path;         /* ssh_config file the compiler read, or NULL
                                    when it read none */
  GPtrArray *ssh_config_sources; /* FleetSourceFile *, every ssh_config file
                                    read, includes too, in reading order */
  guint32 parallelism;           /* maximum hosts busy at once */
  GPtrArray *hosts;              /* FleetHost *, the selected hosts */
  GPtrArray *jump_hosts;         /* FleetHost *, bastions named by proxy_jump,
                                    never targets of steps */
  GPtrArray *steps;              /* FleetStep * */
  GHashTable *vars;              /* char * -> char *, the workflow's `vars`,
                                    for conditions evaluated by fleet-run */
  GPtrArray *waves;              /* FleetWave * */
  FleetSnapshotConfig *snapshot; /* configuration snapshots before and after
                                    the steps; NULL: none */
  char *file_sha256;             /* hex digest from the file; NULL until
                                    serialized or read */

  /* Trust (docs/trust.md); 0 and empty in plans of format 2. */
  gint64 compiled_at;            /* seconds since the Unix epoch, UTC */
  gint64 expires_at;             /* seconds since the Unix epoch, UTC; 0: never */
  GPtrArray *inventory_files;    /* FleetInventoryFile *, one per inventory source */

  /* Set by the reader and never written by fleet_plan_serialize: a plan
   * built in memory is unsigned, and fleet_plan_sign adds signatures to the
   * bytes of a file. */
  guint32 format_version;        /* of the file read; 0 for a plan built in memory */
  GPtrArray *signatures;         /* FleetPlanSignature * (fleet-plan-signature.h),
                                    each checked against the digest */
} FleetPlan;

FleetPlan *fleet_plan_new (void);
void fleet_plan_free (FleetPlan *plan);

FleetWave *fleet_wave_new (void);
void fleet_wave_free (FleetWave *wave);

/* Return the jump host called `name`, or NULL; borrowed. */
const FleetHost *fleet_plan_find_jump_host (const FleetPlan *plan, const char *name);

/* Return the plan body as a GVariant of FLEET_PLAN_BODY_TYPE in normal form
 * (a new, non-floating reference). */
GVariant *fleet_plan_to_variant (const FleetPlan *plan);

/* Return the SHA-256, in hex, of the normal form of `hosts` and
 * `jump_hosts` (FleetHost *) serialized as in a plan body: the digest of a
 * resolved inventory. */
char *fleet_hosts_digest (const GPtrArray *hosts, const GPtrArray *jump_hosts);

/* Return the complete file contents for `plan`, in the current format and
 * without signatures, and store the file's digest in plan->file_sha256. */
GBytes *fleet_plan_serialize (FleetPlan *plan);

/* Parse complete file contents.  Returns a new plan, or NULL with an error in
 * the FLEET_PLAN_ERROR domain saying what is wrong.  A signature block with
 * a damaged structure is an error.  A signature that does not verify is not
 * an error: it is kept with `valid` unset. */
FleetPlan *fleet_plan_deserialize (GBytes *bytes, GError **error);

/* Write `plan` to `path` through a temporary file in the same directory that
 * is synced and renamed over `path` only when complete, so a failure never
 * leaves a partial plan. */
gboolean fleet_plan_write_file (FleetPlan *plan, const char *path, GError **error);

/* Write the complete file contents `bytes` to `path` in the same way. */
gboolean fleet_plan_write_bytes (GBytes *bytes, const char *path, GError **error);

/* Return the bytes of the plan file at `path`, unchecked, or NULL with
 * FLEET_PLAN_ERROR_IO when it is not a regular file or cannot be read. */
GBytes *fleet_plan_read_bytes (const char *path, GError **error);

FleetPlan *fleet_plan_read_file (const char *path, GError **error);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (FleetPlan, fleet_plan_free)
G_DEFINE_AUTOPTR_CLEANUP_FUNC (FleetWave, fleet_wave_free)

G_END_DECLS
