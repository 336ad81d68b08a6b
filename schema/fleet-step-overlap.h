/* fleet-step-overlap.h: which steps of one host may run at the same time.
 *
 * A workflow with `concurrent_steps: N` (N >= 2) lets independent steps of a
 * host overlap.  The planner records, for every step, the steps that must
 * end on the host before it starts (its predecessors): the steps it needs,
 * directly or through other steps, and the steps whose results its `when`
 * names.  A step that must run alone (a reboot, or a step that waits for
 * other hosts) has every earlier step as a predecessor and is a
 * predecessor of every later step.  Two steps may overlap when neither
 * precedes the other.  The same relation holds on every host: a step that
 * a host skips still orders the steps around it, as `needs` does.
 *
 * The plan stores this under the optional body key "step-overlap".  A plan
 * without it runs each host's steps one after the other.  A reader that
 * predates the key ignores it and so runs them in order, which is always
 * valid.
 *
 * Ownership: a FleetStepOverlap owns its arrays.  Errors of
 * fleet_step_overlap_from_variant are FLEET_PLAN_ERROR_INVALID.
 */
#pragma once

#include <glib.h>

#include "schema/fleet-model.h"

G_BEGIN_DECLS

/* Each step in flight takes one session (channel) of the host's pooled
 * connection, so the limit is sshd's default MaxSessions.  A host whose
 * sshd allows fewer sets max_sessions (FleetHost), which caps it further. */
#define FLEET_STEP_OVERLAP_MAX_SESSIONS FLEET_DEFAULT_MAX_SESSIONS

typedef struct {
  guint max_steps;           /* steps of one host in flight at once, 2 to
                                FLEET_STEP_OVERLAP_MAX_SESSIONS */
  GPtrArray *after;          /* GArray of guint32, one per plan step: the
                                indices of its direct predecessors, each
                                lower than the step's own, ascending */
} FleetStepOverlap;

/* Return an overlap of `n_steps` steps without predecessors. */
FleetStepOverlap *fleet_step_overlap_new (guint max_steps, guint n_steps);
void fleet_step_overlap_free (FleetStepOverlap *overlap);

/* Record that step `before` ends before step `step` starts; `before` must
 * be lower than `step`.  A repeated edge is recorded once. */
void fleet_step_overlap_add_edge (FleetStepOverlap *overlap, guint before, guint step);

/* Return the predecessors of `step` (guint32), borrowed. */
const GArray *fleet_step_overlap_get_after (const FleetStepOverlap *overlap, guint step);

/* Return whether step `a` precedes step `b` directly or through other
 * steps. */
gboolean fleet_step_overlap_precedes (const FleetStepOverlap *overlap, guint a, guint b);

/* Return whether steps `a` and `b` may run at the same time on one host:
 * they differ and neither precedes the other. */
gboolean fleet_step_overlap_may_overlap (const FleetStepOverlap *overlap, guint a, guint b);

/* Return the pairs of steps that may overlap as a new array of guint32
 * pairs (a, b) with a < b, in ascending order of a, then b. */
GArray *fleet_step_overlap_pairs (const FleetStepOverlap *overlap);

/* Return whether the two overlaps record the same relation (NULL: none). */
gboolean fleet_step_overlap_equal (const FleetStepOverlap *a, const FleetStepOverlap *b);

/* Add "step-overlap" to `builder`, an a{sv} builder; nothing for NULL. */
void fleet_step_overlap_to_variant (const FleetStepOverlap *overlap, GVariantBuilder *builder);

/* Read "step-overlap" from the plan body `body` of a plan with `n_steps`
 * steps into `out` (NULL when the key is absent).  Fails when the key is
 * damaged, counts other steps, or names a predecessor that is not an
 * earlier step. */
gboolean fleet_step_overlap_from_variant (GVariant *body, guint n_steps,
                                          FleetStepOverlap **out, GError **error);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (FleetStepOverlap, fleet_step_overlap_free)

G_END_DECLS
