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

#include "schema/fleet-check.h"
#include "schema/fleet-inventory-file.h"
#include "schema/fleet-host-record.h"
#include "schema/fleet-model.h"
#include "schema/fleet-rollback.h"
#include "schema/fleet-step-overlap.h"
#include "schema/fleet-plan-schedule.h"
#include "schema/fleet-threshold.h"
#include "schema/fleet-pacing.h"
#include "schema/fleet-snapshot-config.h"
#include "schema/fleet-wave-gate.h"

G_BEGIN_DECLS

#define FLEET_PLAN_MAGIC "FLEETPLN"
#define FLEET_PLAN_MAGIC_LENGTH 8
/* Version 3 added the compile time, the expiry, the inventory files,
 * signatures, per-host commands and step conditions; a version 2 reader
 * would ignore them and run an expired plan, the wrong command or a skipped
 * step. */
#define FLEET_PLAN_FORMAT_VERSION 4u
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

/* One wave: indices into FleetPlan.hosts, in execution order, and what
 * fleet-run needs to judge it.  The waves of one stage are consecutive, and
 * a canary wave is the first wave of its stage (of the plan when there are
 * no stages). */
typedef struct {
  GArray *host_indices;          /* guint32 */
  char *stage;                   /* value of FleetPlan.order_by the wave's hosts
                                    share, or NULL when the plan has no order */
  gboolean canary;
  guint32 halt_failed;           /* failed_per_wave resolved for this wave:
                                    failed hosts that halt the run, or
                                    FLEET_THRESHOLD_NEVER */
  guint32 halt_unreachable;      /* unreachable_per_wave resolved likewise */
} FleetWave;

/* At most `max_per_wave` hosts of a wave share one value of `attribute`.
 * A percentage is of the hosts with that value in the stage, rounded down
 * and at least 1. */
typedef struct {
  char *attribute;
  FleetThreshold max_per_wave;   /* COUNT or PERCENT */
} FleetSpreadRule;

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
  char *limit;                   /* canonical text of `fleetc compile --limit`,
                                    or NULL */
  char *order_by;                /* the attribute, or "group", whose values
                                    name the stages; NULL: no stages */
  GPtrArray *spread;             /* FleetSpreadRule * */
  FleetThreshold halt_at[FLEET_HALT_N_RULES]; /* as written, by FleetHaltRule */
  gboolean halt_at_default[FLEET_HALT_N_RULES]; /* the workflow left it unset */
  guint32 halt_failed_total;     /* failed_total resolved over all hosts, or
                                    FLEET_THRESHOLD_NEVER */
  guint32 halt_unreachable_total;
  FleetSnapshotConfig *snapshot; /* configuration snapshots before and after
                                    the steps; NULL: none */
  FleetPacing *pacing;           /* adaptive limit, caps, load guard, nice;
                                    NULL: the defaults (fleet-pacing.h) */
  FleetPlanSchedule *schedule;   /* maintenance windows and the schedule fitted
                                    into them; NULL: the hosts may run at any time */
  gboolean gather_facts;         /* a step condition names facts.*: fleet-run
                                    gathers facts (fleet-facts.h) on each host */
  FleetStepOverlap *step_overlap; /* steps of one host that may run at once
                                    (fleet-step-overlap.h); NULL: one at a time */
  char *file_sha256;             /* hex digest from the file; NULL until
                                    serialized or read */

  /* Between waves (fleet-plan-progressive.h); optional body keys. */
  GPtrArray *checks;             /* FleetCheck *, run after each wave */
  FleetWaveGate between_waves;   /* all zero: no wait */
  FleetRollback *rollback;       /* NULL: the plan cannot be rolled back */

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

/* Return an empty plan whose halt rules are the defaults, resolved:
 * totals never halt. */
FleetPlan *fleet_plan_new (void);
void fleet_plan_free (FleetPlan *plan);

/* Return an empty wave without a stage that halts at the first failed or
 * unreachable host, the default rules. */
FleetWave *fleet_wave_new (void);
void fleet_wave_free (FleetWave *wave);

FleetSpreadRule *fleet_spread_rule_new (const char *attribute, FleetThreshold max_per_wave);
void fleet_spread_rule_free (FleetSpreadRule *rule);

/* Return the number of wave `index` (0-based) of `plan` within its stage,
 * from 1; without stages, its number in the plan. */
guint fleet_plan_stage_wave_number (const FleetPlan *plan, guint index);

/* Return the label of wave `index` (0-based) of `plan` for people: "wave 3",
 * or "stage db, wave 2" when the plan has stages, the wave counted within
 * its stage, followed by " (canary)" for a canary wave.  Free with g_free. */
char *fleet_plan_wave_label (const FleetPlan *plan, guint index);

/* Return the jump host called `name`, or NULL; borrowed. */
const FleetHost *fleet_plan_find_jump_host (const FleetPlan *plan, const char *name);

/* Set the halt thresholds of every wave and the totals from plan->halt_at,
 * the wave sizes and the number of hosts (fleet-threshold.h).  The reader
 * rejects a plan whose stored thresholds differ from these. */
void fleet_plan_resolve_thresholds (FleetPlan *plan);

/* Return the plan body as a GVariant of FLEET_PLAN_BODY_TYPE in normal form
 * (a new, non-floating reference). */
GVariant *fleet_plan_to_variant (const FleetPlan *plan);

/* fleet_hosts_digest, the digest of a resolved inventory, is in
 * schema/fleet-host-record.h. */

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

/* Read and check the plan file at `path`.  Every error message names
 * `path`. */
FleetPlan *fleet_plan_read_file (const char *path, GError **error);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (FleetPlan, fleet_plan_free)
G_DEFINE_AUTOPTR_CLEANUP_FUNC (FleetWave, fleet_wave_free)
G_DEFINE_AUTOPTR_CLEANUP_FUNC (FleetSpreadRule, fleet_spread_rule_free)

G_END_DECLS
