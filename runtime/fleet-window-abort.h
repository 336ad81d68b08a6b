/* fleet-window-abort.h: what fleet-run reports about a step killed at the
 * end of its maintenance window (schedule.at_window_end: abort).
 *
 * The executor records the kill in the host's FleetHostWindow, and this
 * module words it.  The text names the step, how long it ran, and whether
 * a window ended or a freeze began, by the freezes the plan names
 * (fleet-plan-freezes.h).  It ends with the step running again from the
 * start in the next window.  A killed
 * step counts as not started, so the run (with --wait-for-window) and
 * `fleet-run --resume` both run it again from the start, idempotent or
 * not: `at_window_end: abort` declares that safe.
 */
#pragma once

#include <glib.h>

#include "runtime/fleet-window-gate.h"
#include "schema/fleet-json.h"
#include "schema/fleet-plan.h"

G_BEGIN_DECLS

/* Record in `window` that step `step` (from 0) was killed after running
 * `ran_us`, at the end of the window in window->end_us. */
void fleet_window_abort_record (FleetHostWindow *window, guint step, gint64 ran_us);

/* Return TRUE when the step the host goes on with, `next_step` (from 0),
 * is the one last killed at a window's end. */
gboolean fleet_window_abort_is_next (const FleetHostWindow *window, guint next_step);

/* Return what happened to the killed step of plan host `host_index`, such
 * as 'step 1 "long" was killed after 59.9s at the start of freeze "audit"
 * at 2026-12-05T07:05:02Z; it runs again from the start in the next
 * maintenance window'.  Free with g_free. */
char *fleet_window_abort_describe (const FleetPlan *plan,
                                   guint host_index,
                                   const FleetHostWindow *window);

/* Add the keys "freeze" (the freeze's name, or null when the window
 * itself ended) and "message" (fleet_window_abort_describe) to a journal
 * record being written. */
void fleet_window_abort_journal (FleetJsonWriter *json,
                                 const FleetPlan *plan,
                                 guint host_index,
                                 const FleetHostWindow *window);

G_END_DECLS
