/* fleet-pacer.h: decides when fleet-run starts the next host.
 *
 * It joins the adaptive limit (fleet-concurrency.h), the caps per
 * attribute value (fleet-admission.h) and the controller's own load: at
 * each sweep it counts the process's open descriptors against
 * RLIMIT_NOFILE, its resident memory against half the machine's, and the
 * event loop thread's CPU time against the wall clock, and reports
 * pressure when descriptors pass 90%, memory passes the budget or the loop
 * was busy 95% of the last second of real time.
 *
 * Failures map to congestion signals here: connect timeouts and command
 * timeouts are TIMEOUT; a failed handshake, a lost connection and a refused
 * channel are CONNECTION; every other failure belongs to its host and is no
 * signal.
 */
#pragma once

#include <glib.h>

#include "runtime/fleet-concurrency.h"
#include "runtime/fleet-transport.h"
#include "schema/fleet-plan.h"

G_BEGIN_DECLS

typedef struct FleetPacer FleetPacer;

/* `plan` must outlive the pacer. */
FleetPacer *fleet_pacer_new (const FleetPlan *plan, gint64 now_us);
void fleet_pacer_free (FleetPacer *pacer);

/* Take the controller's CPU use as a congestion signal (the default) or
 * not.  A simulated fleet never waits for a network, so its loop runs flat
 * out whatever the limit, and its CPU use does not measure load. */
void fleet_pacer_set_cpu_sampling (FleetPacer *pacer, gboolean sample_cpu);

/* The congestion signal of a unit of work that ended with `failure`. */
FleetCongestion fleet_congestion_from_failure (FleetFailure failure);

/* Return the position in `waiting` (FleetHost *, in plan order) of the
 * host to start now, with `busy` hosts busy, or -1 to start none. */
gint fleet_pacer_pick (const FleetPacer *pacer, const GPtrArray *waiting, guint busy);

void fleet_pacer_host_started (FleetPacer *pacer, const FleetHost *host);
void fleet_pacer_host_finished (FleetPacer *pacer, const FleetHost *host);

/* Note that a busy host began connecting; its end is the fleet_pacer_report
 * with `step` G_MAXUINT.  The share of busy hosts still connecting tells a
 * handshake burst from congestion (fleet-concurrency.h). */
void fleet_pacer_connection_started (FleetPacer *pacer, gint64 now_us);

/* Report a connection attempt (`step` G_MAXUINT) or a step that ended
 * after `duration_us` with `failure`. */
void fleet_pacer_report (FleetPacer *pacer, gint64 now_us, guint step, gint64 duration_us,
                         FleetFailure failure);

/* Measure the controller's load; call about once a second. */
void fleet_pacer_sweep (FleetPacer *pacer, gint64 now_us);

/* The limit now, and its history (FleetConcurrencyChange; borrowed). */
guint fleet_pacer_limit (const FleetPacer *pacer);
const GArray *fleet_pacer_history (const FleetPacer *pacer);
gboolean fleet_pacer_is_adaptive (const FleetPacer *pacer);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (FleetPacer, fleet_pacer_free)

G_END_DECLS
