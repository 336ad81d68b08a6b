/* fleet-window-gate.h: the maintenance windows of a plan at run time.
 *
 * fleet-run checks before every step whether the host's window still has the
 * step's estimate plus the plan's margin left (fleet-plan-schedule.h).  The
 * answer comes from the plan alone and the wall clock the caller passes, so
 * tests drive it with any clock.  Times are microseconds since the Unix
 * epoch, UTC.
 */
#pragma once

#include <glib.h>

#include "schema/fleet-plan-schedule.h"

G_BEGIN_DECLS

/* Marks "no window of the plan fits the step any more". */
#define FLEET_WINDOW_GATE_NEVER G_MAXINT64

typedef struct {
  gboolean allowed;        /* the step may start now */
  gint64 window_end_us;    /* when allowed: the end of the window it runs in */
  gint64 next_start_us;    /* when not: the first instant it may start, or
                              FLEET_WINDOW_GATE_NEVER */
  gint64 needed_us;        /* the step's estimate plus the margin */
} FleetWindowDecision;

/* The window state of one host during a run. */
typedef struct {
  gint64 end_us;           /* end of the window the current step started in; 0: none */
  gint64 wait_until_us;    /* while waiting: when its window allows the next step */
  gboolean waiting;        /* the next step waits for a window */
  gboolean aborted;        /* the running step is being killed at the window's end */
} FleetHostWindow;

/* Decide whether step `step` (from 0) of plan host `host_index` may start
 * at `now_us`, and fill `out`. */
void fleet_window_gate_decide (const FleetPlanSchedule *schedule,
                               guint host_index,
                               guint step,
                               gint64 now_us,
                               FleetWindowDecision *out);

/* Return why the step may not start now, for logs and the journal, such as
 * "no maintenance window of dc1 is open with 15m left (the step's estimate
 * plus the margin); the next one opens at 2025-03-26T01:00:00Z".  Free with
 * g_free. */
char *fleet_window_gate_describe (const FleetPlanSchedule *schedule,
                                  guint host_index,
                                  const FleetWindowDecision *decision);

G_END_DECLS
