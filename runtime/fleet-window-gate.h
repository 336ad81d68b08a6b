/* fleet-window-gate.h: the maintenance windows of a plan at run time.
 *
 * Before a host enters a window (its first step of the run, or its next
 * step after the window it ran in has closed), fleet-run checks that the
 * window has every step the host has left plus the plan's margin, as the
 * planner did, so that a host whose estimates hold never stops halfway
 * between two windows (fleet-plan-work.h).  Inside the window it entered,
 * each further step needs only its own estimate plus the margin, so a host
 * whose steps overran stops before the step that no longer fits.  The
 * answer comes from the plan alone and the wall clock the caller passes, so
 * tests drive it with any clock.  Times are microseconds since the Unix
 * epoch, UTC.
 */
#pragma once

#include <glib.h>

#include "schema/fleet-plan.h"

G_BEGIN_DECLS

/* Marks "no window of the plan fits the step any more". */
#define FLEET_WINDOW_GATE_NEVER G_MAXINT64

/* What the window must have left for the next step to start. */
typedef enum {
  FLEET_WINDOW_NEED_STEP,       /* the step's estimate: the host is inside its window */
  FLEET_WINDOW_NEED_REMAINING,  /* every step the host has left: it enters a window */
} FleetWindowNeed;

typedef struct {
  gboolean allowed;        /* the step may start now */
  gint64 window_end_us;    /* when allowed: the end of the window it runs in */
  gint64 next_start_us;    /* when not: the first instant it may start, or
                              FLEET_WINDOW_GATE_NEVER */
  gint64 needed_us;        /* the estimates counted plus the margin */
  FleetWindowNeed need;    /* which estimates were counted */
  guint steps_counted;     /* how many steps they are */
} FleetWindowDecision;

/* The window state of one host during a run. */
typedef struct {
  gint64 end_us;           /* end of the window the current step started in; 0: none */
  gint64 wait_until_us;    /* while waiting: when its window allows the next step */
  gboolean waiting;        /* the next step waits for a window */
  gboolean aborted;        /* the running step is being killed at the window's end */
  guint killed_step;       /* the last step killed at a window's end, from 1; 0: none
                              (fleet-window-abort.h) */
  gint64 killed_at_us;     /* ... the end of the window that killed it */
  gint64 killed_ran_us;    /* ... how long it had run */
} FleetHostWindow;

/* Decide whether step `step` (from 0) of plan host `host_index` may start
 * at `now_us`, counting the estimates `need` selects, and fill `out`.  `plan` must
 * carry a schedule. */
void fleet_window_gate_decide (const FleetPlan *plan,
                               guint host_index,
                               guint step,
                               FleetWindowNeed need,
                               gint64 now_us,
                               FleetWindowDecision *out);

/* Return why the step may not start now, for logs and the journal, such as
 * "no maintenance window of dc1 is open with 15m left (the step's estimate
 * plus the margin); the next one opens at 2025-03-26T01:00:00Z", or "(the
 * estimates of the host's 3 remaining steps plus the margin)".  Free with
 * g_free. */
char *fleet_window_gate_describe (const FleetPlanSchedule *schedule,
                                  guint host_index,
                                  const FleetWindowDecision *decision);

G_END_DECLS
