/* fleet-plan-freezes.h: the change freezes a plan names per window set,
 * so that fleet-run can name the freeze that ended a window.
 *
 * A plan's window sets have freezes subtracted already; a window that ends
 * at a freeze's start looks like any other window end.  The optional
 * schedule key "window-set-freezes" (docs/plan-format.md) keeps, per
 * window set, each freeze instance that overlaps a window of the set
 * before the subtraction: its name and [start, end) in UTC microseconds.
 * Plans without the key read as window sets without freezes.
 */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

typedef struct {
  char *name;                  /* the freeze's name, or its iCalendar SUMMARY */
  gint64 start_us;
  gint64 end_us;
} FleetPlanFreeze;

/* Return a new, empty GArray of FleetPlanFreeze that frees the names. */
GArray *fleet_plan_freezes_new (void);

/* Append a copy of `name` with [start_us, end_us) to `freezes`. */
void fleet_plan_freezes_add (GArray *freezes, const char *name, gint64 start_us, gint64 end_us);

/* Return the freeze of `freezes` that contains `at_us`, or NULL; borrowed.
 * The first one in list order wins when freezes overlap. */
const FleetPlanFreeze *fleet_plan_freezes_at (const GArray *freezes, gint64 at_us);

/* Return `per_set` (GArray * of FleetPlanFreeze per window set) as a
 * floating GVariant of type aa(sxx). */
GVariant *fleet_plan_freezes_to_variant (const GPtrArray *per_set);

/* Read a value of type aa(sxx) into `per_set`, one GArray per window set.
 * Fails with FLEET_PLAN_SCHEDULE_ERROR_INVALID when it does not have
 * `n_sets` entries or a freeze ends before it starts. */
gboolean fleet_plan_freezes_from_variant (GVariant *array,
                                          guint n_sets,
                                          GPtrArray *per_set,
                                          GError **error);

G_END_DECLS
