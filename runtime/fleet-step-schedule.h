/* fleet-step-schedule.h: which step of one host may start next.
 *
 * Without an overlap (fleet-step-overlap.h) a host runs its steps one
 * after the other in plan order.  With one, a step may start once every
 * step it comes after has ended well (succeeded or skipped), as long as
 * fewer than the overlap's max_steps steps of the host are running.  Among
 * the steps that may start, the lowest index starts first.  After a failure
 * the schedule is stopped and offers no further step, so a host starts
 * nothing new while the steps already running finish.
 *
 * The schedule only keeps the state; the executor journals, runs and ends
 * the steps.  Ownership: the schedule borrows the overlap, which must
 * outlive it.
 */
#pragma once

#include <glib.h>

#include "schema/fleet-step-overlap.h"

G_BEGIN_DECLS

typedef struct FleetStepSchedule FleetStepSchedule;

/* Return the schedule of `n_steps` steps, all pending; `overlap` NULL:
 * one step at a time, in order.  At most `max_sessions` steps (at least
 * one) run at once, the sessions the host's sshd allows. */
FleetStepSchedule *fleet_step_schedule_new (const FleetStepOverlap *overlap, guint n_steps,
                                            guint max_sessions);
void fleet_step_schedule_free (FleetStepSchedule *schedule);

/* Return how many steps may run at once: 1 without an overlap, else the
 * overlap's max_steps or max_sessions, whichever is lower. */
guint fleet_step_schedule_max_running (const FleetStepSchedule *schedule);

/* Return the lowest pending step that may start now, or G_MAXUINT when
 * none may: the schedule is stopped, max_running steps are running, or
 * every pending step waits for a step that has not ended well. */
guint fleet_step_schedule_next_ready (const FleetStepSchedule *schedule);

/* Record that `step` started, ended well (succeeded or skipped), failed,
 * or returns to pending (it was aborted and counts as not run).  A failure
 * stops the schedule. */
void fleet_step_schedule_set_running (FleetStepSchedule *schedule, guint step);
void fleet_step_schedule_set_done (FleetStepSchedule *schedule, guint step);
void fleet_step_schedule_set_failed (FleetStepSchedule *schedule, guint step);
void fleet_step_schedule_set_pending (FleetStepSchedule *schedule, guint step);

/* Offer no further step, for a host that stops. */
void fleet_step_schedule_stop (FleetStepSchedule *schedule);
gboolean fleet_step_schedule_is_stopped (const FleetStepSchedule *schedule);

gboolean fleet_step_schedule_is_done (const FleetStepSchedule *schedule, guint step);
guint fleet_step_schedule_n_running (const FleetStepSchedule *schedule);

/* Return the lowest step that has not ended well, or the number of steps
 * when every step has.  Every lower step has ended well. */
guint fleet_step_schedule_first_unfinished (const FleetStepSchedule *schedule);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (FleetStepSchedule, fleet_step_schedule_free)

G_END_DECLS
