/* fleet-plan-schedule.h: the maintenance windows a plan carries and the
 * schedule the planner fitted into them.
 *
 * A plan compiled from a workflow with `windows` or `freezes` carries, under
 * the optional body key "schedule" (docs/plan-format.md):
 *   - the effective windows of each host as concrete UTC intervals, freezes
 *     already subtracted, shared between hosts with the same groups;
 *   - each step's estimated duration, the safety margin and what happens to
 *     a step still running when its window closes;
 *   - the planned start of each host, and each wave's start, latest start
 *     and end;
 *   - the planned finishing time and a lower bound on it.
 * fleet-run decides whether a step may start from these alone.
 *
 * Times are microseconds since the Unix epoch, UTC (fleet-window.h);
 * durations are milliseconds.  The schedule owns everything it points to.
 */
#pragma once

#include <glib.h>

#include "schema/fleet-plan-freezes.h"
#include "schema/fleet-window.h"

G_BEGIN_DECLS

/* What fleet-run does with a step still running when its window closes. */
typedef enum {
  FLEET_AT_WINDOW_END_FINISH,  /* let it finish; start no further step */
  FLEET_AT_WINDOW_END_ABORT,   /* kill it; the host resumes at that step */
} FleetAtWindowEnd;

/* One wave's place in time.  latest_start_us is the last instant the wave
 * may begin with every host still fitting the window it was placed in,
 * assuming every host start moves by the same delay. */
typedef struct {
  gint64 start_us;
  gint64 latest_start_us;
  gint64 end_us;
} FleetWaveSchedule;

typedef struct {
  gint64 from_us;              /* the range the windows were computed for */
  gint64 to_us;
  guint64 margin_ms;           /* time a window must have left beyond the estimate */
  FleetAtWindowEnd at_window_end;
  GArray *step_estimates_ms;   /* guint64, one per plan step */
  GPtrArray *step_estimate_sources; /* char *, one per plan step: where the
                                       estimate came from, for people */
  GPtrArray *window_set_names; /* char *, the groups a window set belongs to ("dc1+web") */
  GPtrArray *window_set_zones; /* char *, parallel: the IANA time zone of the
                                  definitions, for showing local times */
  GPtrArray *window_sets;      /* GArray * of FleetWindowInterval, normalized,
                                  parallel to window_set_names */
  GPtrArray *window_set_freezes; /* GArray * of FleetPlanFreeze, parallel to
                                    window_sets: the freezes that overlap the
                                    set's windows (fleet-plan-freezes.h); empty
                                    when the plan names none */
  GArray *host_window_set;     /* guint32 per plan host: index into window_sets */
  GArray *host_starts_us;      /* gint64 per plan host: planned start */
  GArray *waves;               /* FleetWaveSchedule, one per plan wave */
  gint64 finish_us;            /* planned end of the last wave */
  gint64 lower_bound_us;       /* no schedule of these waves finishes earlier */
} FleetPlanSchedule;

#define FLEET_PLAN_SCHEDULE_ERROR (fleet_plan_schedule_error_quark ())

typedef enum {
  FLEET_PLAN_SCHEDULE_ERROR_INVALID,  /* a missing, mistyped or inconsistent key */
  FLEET_PLAN_SCHEDULE_ERROR_EXPIRED,  /* every window has passed */
} FleetPlanScheduleError;

GQuark fleet_plan_schedule_error_quark (void);

FleetPlanSchedule *fleet_plan_schedule_new (void);
void fleet_plan_schedule_free (FleetPlanSchedule *schedule);

/* Return "finish" or "abort". */
const char *fleet_at_window_end_to_string (FleetAtWindowEnd value);
gboolean fleet_at_window_end_from_string (const char *text, FleetAtWindowEnd *out_value);

/* Add a window set called `name` in time zone `zone`, taking ownership of
 * `windows`; returns its index. */
guint fleet_plan_schedule_add_window_set (FleetPlanSchedule *schedule,
                                          const char *name,
                                          const char *zone,
                                          GArray *windows);

/* Return the effective windows of plan host `host_index`; borrowed. */
const GArray *fleet_plan_schedule_host_windows (const FleetPlanSchedule *schedule,
                                                guint host_index);

/* Return the window set name of plan host `host_index`; borrowed. */
const char *fleet_plan_schedule_host_window_name (const FleetPlanSchedule *schedule,
                                                  guint host_index);

/* Return the end of the last window of any host, or from_us when no host
 * has a window. */
gint64 fleet_plan_schedule_last_window_end (const FleetPlanSchedule *schedule);

/* Fail with FLEET_PLAN_SCHEDULE_ERROR_EXPIRED, saying when the last window
 * ended, when no window of any host is open at or after `now_us`. */
gboolean fleet_plan_schedule_check_expiry (const FleetPlanSchedule *schedule,
                                           gint64 now_us,
                                           GError **error);

/* Return the schedule as a floating GVariant of type a{sv}. */
GVariant *fleet_plan_schedule_to_variant (const FleetPlanSchedule *schedule);

/* Read a schedule written by fleet_plan_schedule_to_variant for a plan of
 * `n_hosts` hosts, `n_steps` steps and `n_waves` waves; fails with
 * FLEET_PLAN_SCHEDULE_ERROR_INVALID on a missing or mistyped key, a count
 * that does not match the plan, or windows that are not normalized. */
FleetPlanSchedule *fleet_plan_schedule_from_variant (GVariant *dict,
                                                     guint n_hosts,
                                                     guint n_steps,
                                                     guint n_waves,
                                                     GError **error);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (FleetPlanSchedule, fleet_plan_schedule_free)

G_END_DECLS
