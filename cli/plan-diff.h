/* plan-diff.h: the semantic difference between two plans, for `fleetc diff`.
 *
 * A plan diff is a list of changes, each one added, removed or changed
 * subject (a host, a step, a wave, a plan setting) in one section.  The
 * comparison works on the plan bodies as serialized (fleet-plan.h), so a
 * body key that this module has no special rule for is still compared, as
 * a whole, under FLEET_PLAN_DIFF_OTHER.  Sections come in the fixed order of
 * FleetPlanDiffSection, and changes within a section in a fixed order
 * (documented at each section), so the same two plans always give the same
 * diff.
 *
 * Changes under FLEET_PLAN_DIFF_SOURCES, FLEET_PLAN_DIFF_SCHEDULE and
 * FLEET_PLAN_DIFF_TRUST record how a plan was made and approved (workflow
 * and inventory digests, the compile time and the forecasts that follow
 * from it, expiry, signatures) and do not change what fleet-run executes.
 * Two plans whose only changes are there are "equivalent".
 *
 * Every string in a diff is owned by the diff and freed with it.  Values are
 * the plan's text as stored, not escaped: renderers escape them for their
 * output format (plan-diff-render.h).
 */
#pragma once

#include <glib.h>

#include "schema/fleet-plan.h"

G_BEGIN_DECLS

typedef enum {
  FLEET_PLAN_DIFF_SOURCES,       /* workflow, inventory digest and files, ssh_config */
  FLEET_PLAN_DIFF_HOSTS,         /* hosts added, removed or moved between waves */
  FLEET_PLAN_DIFF_HOST_SETTINGS, /* connection settings, attributes and groups per host */
  FLEET_PLAN_DIFF_JUMP_HOSTS,    /* bastions added, removed or changed */
  FLEET_PLAN_DIFF_WAVES,         /* wave sizes, stages, canaries and resolved thresholds */
  FLEET_PLAN_DIFF_STEPS,         /* steps added, removed, reordered or changed */
  FLEET_PLAN_DIFF_ROLLOUT,       /* parallelism, limit, order, spread, halt_at, vars */
  FLEET_PLAN_DIFF_WINDOWS,       /* maintenance windows, step estimates, margin */
  FLEET_PLAN_DIFF_CHECKS,        /* checks between waves, the wait between waves, rollback */
  FLEET_PLAN_DIFF_OTHER,         /* body keys without a rule of their own */
  FLEET_PLAN_DIFF_SCHEDULE,      /* the window range and the planned times */
  FLEET_PLAN_DIFF_TRUST,         /* compile time, expiry, signatures */
  FLEET_PLAN_DIFF_N_SECTIONS,
} FleetPlanDiffSection;

typedef enum {
  FLEET_PLAN_CHANGE_ADDED,
  FLEET_PLAN_CHANGE_REMOVED,
  FLEET_PLAN_CHANGE_CHANGED,
  FLEET_PLAN_CHANGE_MOVED,       /* a host in another wave: field "wave" */
} FleetPlanChangeKind;

typedef struct {
  FleetPlanDiffSection section;
  FleetPlanChangeKind kind;
  char *subject;                 /* host or step name, "wave 2", or a plan setting */
  char *field;                   /* the setting of `subject` that changed, or NULL
                                    when `subject` itself was added, removed or
                                    changed as a whole */
  char *old_value;               /* NULL for ADDED, and where the old plan has none */
  char *new_value;               /* NULL for REMOVED, and where the new plan has none */
} FleetPlanChange;

typedef struct {
  GPtrArray *changes;            /* FleetPlanChange *, by section, then in each
                                    section's order */
  guint hosts_added;
  guint hosts_removed;
  guint hosts_moved;             /* in both plans, in a wave with another label */
  guint hosts_changed;           /* in both plans, with a changed setting */
  guint steps_added;
  guint steps_removed;
  guint steps_changed;           /* in both plans, with a changed field */
  guint old_waves;
  guint new_waves;
} FleetPlanDiff;

/* Compare `old_plan` with `new_plan`.  Returns a new diff, never NULL. */
FleetPlanDiff *fleet_plan_diff (const FleetPlan *old_plan, const FleetPlan *new_plan);

void fleet_plan_diff_free (FleetPlanDiff *diff);

/* Return whether a change in `section` changes what fleet-run executes:
 * FALSE for SOURCES, SCHEDULE and TRUST. */
gboolean fleet_plan_diff_section_changes_run (FleetPlanDiffSection section);

/* Return whether any change of `diff` is in a section that changes the run,
 * so the two plans execute differently. */
gboolean fleet_plan_diff_changes_run (const FleetPlanDiff *diff);

/* Return the name of `section` in every output format: "sources", "hosts",
 * "host settings", "jump hosts", "waves", "steps", "rollout", "windows",
 * "checks and rollback", "other", "schedule" or "trust". */
const char *fleet_plan_diff_section_name (FleetPlanDiffSection section);

/* Return "added", "removed", "changed" or "moved". */
const char *fleet_plan_change_kind_name (FleetPlanChangeKind kind);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (FleetPlanDiff, fleet_plan_diff_free)

G_END_DECLS
