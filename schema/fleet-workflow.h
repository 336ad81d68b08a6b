/* fleet-workflow.h: the intermediate representation (IR) of a workflow.
 *
 * The compiler builds a FleetWorkflow from a workflow file and the inventory
 * it names; the planner reads it and never changes it.  A FleetWorkflow owns
 * everything it points to, and fleet_workflow_free releases all of it.  Every
 * record keeps the position it came from, so the planner can report its own
 * diagnostics against the input files.
 */
#pragma once

#include <glib.h>

#include "schema/fleet-check.h"
#include "schema/fleet-expr.h"
#include "schema/fleet-inventory-file.h"
#include "schema/fleet-model.h"
#include "schema/fleet-rollback.h"
#include "schema/fleet-pacing.h"
#include "schema/fleet-plan-schedule.h"
#include "schema/fleet-snapshot-config.h"
#include "schema/fleet-threshold.h"
#include "schema/fleet-wave-gate.h"
#include "schema/fleet-window-calendar.h"

G_BEGIN_DECLS

typedef struct FleetSelector FleetSelector;

/* A named set of hosts from the inventory. */
typedef struct {
  char *name;
  GPtrArray *members;          /* char *, host names in inventory order */
  FleetSelector *where;        /* a dynamic group's selector, whose hosts join
                                  `members` once every source is combined
                                  (compiler/dynamic-groups.h); NULL for a
                                  group that only lists its hosts */
  FleetSourcePos pos;
} FleetGroup;

typedef enum {
  FLEET_HOST_PROBLEM_ERROR,          /* a setting fleetc cannot honour */
  FLEET_HOST_PROBLEM_UNUSED_SETTING, /* an ssh_config line fleetc does not use */
} FleetHostProblemKind;

/* A problem with how one host or jump host is reached.  It matters only
 * when the plan needs that host, so the compiler records it for every host
 * and the planner reports those of the hosts it selects. */
typedef struct {
  FleetHostProblemKind kind;
  char *host_name;             /* an inventory host, or a jump host when jump_host */
  gboolean jump_host;
  FleetSourcePos pos;          /* the setting at fault */
  char *text;                  /* ERROR: the message, without the host name;
                                  UNUSED_SETTING: the keyword as written */
} FleetHostProblem;

/* The resolved inventory: every host of every source, before selection,
 * with each connection setting already settled from the inventory, the
 * ssh_config and the built-in defaults. */
typedef struct {
  char *source;                /* path of the inventory file as given; with
                                  several sources, their paths joined by ", " */
  GPtrArray *sources;          /* char *, the path of each source, in order */
  GPtrArray *files;            /* FleetInventoryFile *, each source's file and
                                  digest, in order; set by the loader */
  GPtrArray *hosts;            /* FleetHost *, in file order */
  GHashTable *hosts_by_name;   /* char * -> FleetHost *, borrowed from hosts */
  GPtrArray *groups;           /* FleetGroup *, in file order */
  GHashTable *groups_by_name;  /* char * -> FleetGroup *, borrowed from groups */
  GPtrArray *jump_hosts;       /* FleetHost *, every jump host that a host's
                                  proxy_jump leads to, in the order first needed */
  char *ssh_config_path;       /* ssh_config file read, or NULL for none */
  GPtrArray *ssh_config_sources; /* FleetSourceFile *, every ssh_config file read */
  GPtrArray *host_problems;    /* FleetHostProblem *, in the order found */
  GHashTable *value_positions; /* char * "HOST\nKEY" -> FleetSourcePos *: where the
                                  value of a host's setting or attribute KEY is
                                  written, for messages; only what the readers
                                  record */
} FleetInventory;

/* A selector expression (docs/selectors.md), evaluated per host against
 * its attributes, `name` and `groups`. */
struct FleetSelector {
  FleetExpr *expr;
  char *text;                  /* as written */
  FleetSourcePos pos;          /* of the value; file "--limit" for the option */
  GHashTable *name_positions;  /* char * name -> FleetSourcePos * of its first use */
  GHashTable *group_positions; /* char * group -> FleetSourcePos * of its first
                                  membership test (`groups contains "web"`) */
};

/* Which hosts a workflow targets.  A host is selected when `all` is set, or
 * when it is named in `hosts` or belongs to one of `groups`.  When none of
 * these is given, `where` alone selects.  `match` then keeps only the hosts
 * whose attributes equal every given value, and `where` only those it is
 * true for. */
typedef struct {
  gboolean all;
  GPtrArray *groups;           /* char * */
  GPtrArray *hosts;            /* char * */
  GHashTable *match;           /* char * attribute -> char * value */
  FleetSelector *where;        /* or NULL */
  GHashTable *positions;       /* char * group, host or attribute name -> FleetSourcePos * */
  GHashTable *match_positions; /* char * attribute -> FleetSourcePos * of its value in
                                  `match`; NULL in a target built without one */
  FleetSourcePos pos;
} FleetTarget;

typedef enum {
  FLEET_CANARY_NONE,
  FLEET_CANARY_COUNT,          /* the first `count` hosts of each stage that spread
                                  allows in one wave */
  FLEET_CANARY_HOSTS,          /* the hosts named in `hosts` */
  FLEET_CANARY_WHERE,          /* the hosts `where` is true for */
} FleetCanaryKind;

/* The hosts of each stage that run first, in a wave of their own. */
typedef struct {
  FleetCanaryKind kind;
  guint count;
  GPtrArray *hosts;            /* char * */
  GHashTable *positions;       /* char * host name -> FleetSourcePos * */
  FleetSelector *where;        /* or NULL */
  FleetSourcePos pos;
} FleetCanary;

/* One `spread` rule: no wave contains more than `max_per_wave` hosts that
 * share a value of `attribute`. */
typedef struct {
  char *attribute;
  FleetThreshold max_per_wave; /* COUNT or PERCENT */
  FleetSourcePos pos;          /* of the `by` value */
} FleetSpread;

/* The value of `order.by` that orders by inventory group, not attribute. */
#define FLEET_ORDER_BY_GROUP "group"

/* `order`: hosts are planned stage by stage, one stage per value of `by` (an
 * attribute, or "group" for the host's groups). */
typedef struct {
  char *by;                    /* NULL when the workflow has no order */
  GPtrArray *sequence;         /* char *, the stages in order; empty: the values sorted */
  GHashTable *positions;       /* char * sequence item -> FleetSourcePos * */
  FleetSourcePos pos;          /* of the `by` value */
} FleetOrder;

/* `halt_at`: the four failure thresholds, by FleetHaltRule. */
typedef struct {
  FleetThreshold rules[FLEET_HALT_N_RULES];
  gboolean is_set[FLEET_HALT_N_RULES];        /* written in the workflow */
  FleetSourcePos positions[FLEET_HALT_N_RULES];
  FleetSourcePos pos;
} FleetHaltAt;

typedef enum {
  FLEET_BATCH_COUNT,
  FLEET_BATCH_PERCENT,
} FleetBatchKind;

/* One entry of the `waves` list: a number of hosts, or a percentage of the
 * selected hosts (1 to 100). */
typedef struct {
  FleetBatchKind kind;
  guint value;
  FleetSourcePos pos;
} FleetBatch;

#define FLEET_DEFAULT_PARALLELISM 10u

#define FLEET_DEFAULT_WINDOW_MARGIN_MS (5u * 60 * 1000)

/* `schedule`: how steps fit into the windows. */
typedef struct {
  guint64 margin_ms;           /* a window must have this long left beyond the estimate */
  FleetAtWindowEnd at_window_end;
  FleetSourcePos pos;          /* of the mapping; no position when absent */
} FleetScheduleSettings;

/* Run times of one step in earlier runs (`fleetc compile --history`). */
typedef struct {
  guint runs;                  /* step ends counted */
  guint64 median_ms;
  guint64 p95_ms;              /* 95th percentile, nearest-rank */
} FleetStepHistory;

typedef struct {
  char *name;
  char *source;                /* workflow path as given */
  char *source_sha256;         /* hex SHA-256 of the workflow file's bytes */
  FleetInventory *inventory;
  FleetTarget target;
  GPtrArray *steps;            /* FleetStep * */
  GHashTable *vars;            /* char * name -> char * value, the workflow's `vars` */
  GArray *batches;             /* FleetBatch */
  guint parallelism;           /* maximum hosts busy at once, >= 1 */
  guint concurrent_steps;      /* steps of one host in flight at once; 1: one
                                  after the other (fleet-step-overlap.h) */
  FleetSourcePos concurrent_steps_pos; /* the `concurrent_steps` value; line 0: not given */
  FleetSelector *limit;        /* `fleetc compile --limit`, or NULL */
  FleetCanary canary;
  GPtrArray *spread;           /* FleetSpread * */
  FleetOrder order;
  FleetHaltAt halt_at;         /* unset rules hold their defaults */
  FleetWindowCalendar *windows; /* windows and freezes expanded per group over the compile
                                 * range; NULL when the workflow defines neither */
  FleetSnapshotConfig *snapshot; /* NULL: no snapshots */
  GPtrArray *checks;           /* FleetCheck *, run after each wave */
  FleetWaveGate between_waves; /* all zero: no wait between waves */
  FleetRollback *rollback;     /* NULL: no rollback */
  FleetPacing *pacing;         /* `concurrency` and `protect`; never NULL */
  GArray *cap_positions;       /* FleetSourcePos of each pacing cap, in order */
  FleetScheduleSettings schedule;
  GHashTable *step_history;    /* char * step name -> FleetStepHistory *, from
                                * earlier run journals; NULL when none was given */
  FleetSourcePos pos;
} FleetWorkflow;

FleetInventory *fleet_inventory_new (const char *source);
void fleet_inventory_free (FleetInventory *inventory);

/* Add `host` to the inventory, taking ownership.  Returns FALSE and leaves
 * the inventory unchanged (the host is freed) when the name is taken. */
gboolean fleet_inventory_add_host (FleetInventory *inventory, FleetHost *host);

/* Add `group`, taking ownership; FALSE (and the group freed) on a duplicate. */
gboolean fleet_inventory_add_group (FleetInventory *inventory, FleetGroup *group);

/* Return the jump host called `name`, or NULL; borrowed. */
FleetHost *fleet_inventory_find_jump_host (const FleetInventory *inventory, const char *name);

/* Record a problem of host `host_name` (a jump host when `jump_host`),
 * copying the strings. */
void fleet_inventory_add_host_problem (FleetInventory *inventory,
                                       FleetHostProblemKind kind,
                                       const char *host_name,
                                       gboolean jump_host,
                                       const FleetSourcePos *pos,
                                       const char *text);

void fleet_host_problem_free (FleetHostProblem *problem);

/* Record that the value of setting or attribute `key` of host `host_name`
 * is written at `pos`, replacing an earlier record. */
void fleet_inventory_set_value_pos (FleetInventory *inventory,
                                    const char *host_name,
                                    const char *key,
                                    const FleetSourcePos *pos);

/* Return where the value of `key` of host `host_name` is written, or NULL
 * when no reader recorded it; borrowed. */
const FleetSourcePos *fleet_inventory_value_pos (const FleetInventory *inventory,
                                                 const char *host_name,
                                                 const char *key);

FleetGroup *fleet_group_new (const char *name);
void fleet_group_free (FleetGroup *group);

/* Return a selector owning `expr` and a copy of `text`. */
FleetSelector *fleet_selector_new (FleetExpr *expr, const char *text, const FleetSourcePos *pos);
void fleet_selector_free (FleetSelector *selector);

FleetSpread *fleet_spread_new (void);
void fleet_spread_free (FleetSpread *spread);

FleetWorkflow *fleet_workflow_new (void);
void fleet_workflow_free (FleetWorkflow *workflow);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (FleetInventory, fleet_inventory_free)
G_DEFINE_AUTOPTR_CLEANUP_FUNC (FleetGroup, fleet_group_free)
G_DEFINE_AUTOPTR_CLEANUP_FUNC (FleetSelector, fleet_selector_free)
G_DEFINE_AUTOPTR_CLEANUP_FUNC (FleetSpread, fleet_spread_free)
G_DEFINE_AUTOPTR_CLEANUP_FUNC (FleetWorkflow, fleet_workflow_free)

G_END_DECLS
