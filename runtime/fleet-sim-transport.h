/* fleet-sim-transport.h: a simulated fleet behind FleetConnection and
 * FleetCommand, for tests and benchmarks of the executor without SSH.
 *
 * Given to a FleetSshContext (through FleetRunOptions.transport), it
 * replaces libssh.  Connections and commands take simulated time drawn from
 * per-host latency distributions, and fail at configured rates.  Time is the
 * transport's own clock (fleet_sim_transport_get_clock), which the
 * executor's wait moves forward to its next deadline, so an hour of fleet
 * time runs in the time the controller needs to schedule it.  The same seed
 * and the same calls give the same run.
 *
 * The model, per unit of work (a connection, or a command):
 *   latency       drawn from the host's profile: fixed, uniform, or
 *                 log-normal; slow hosts multiply it by `slow_factor`;
 *   capacity      with more than `capacity` units in flight fleet-wide,
 *                 every new unit takes in_flight / capacity times longer, as
 *                 behind a shared package mirror;
 *   handshakes    each connection first needs `handshake_cpu_us` of one of
 *                 `controller_cores` simulated controller cores, queued in
 *                 start order; a command that starts while every core is
 *                 taken by handshakes takes `handshake_slowdown` times longer;
 *   failures      a connection is refused, or hangs until the host's connect
 *                 timeout; a command exits 1, hangs until its timeout, or
 *                 loses its connection, each with its own probability;
 *   spike         units that start in [spike_from_us, spike_to_us) use the
 *                 `spike` profile instead of the host's.
 *
 * A responder may reply to chosen commands itself, such as the load guard's
 * check.  Jump hosts are not simulated: a host with
 * proxy_jump connects directly.
 *
 * Ownership: the transport outlives every context it is given to.  It is
 * driven from one thread.
 */
#pragma once

#include <glib.h>

#include "runtime/fleet-transport.h"
#include "schema/fleet-clock.h"

G_BEGIN_DECLS

typedef enum {
  FLEET_SIM_FIXED,       /* always median_us */
  FLEET_SIM_UNIFORM,     /* uniform in median_us * [1 - spread, 1 + spread] */
  FLEET_SIM_LOG_NORMAL,  /* median_us * exp(spread * N(0, 1)) */
} FleetSimDistribution;

typedef struct {
  FleetSimDistribution distribution;
  gint64 median_us;
  double spread;         /* see FleetSimDistribution; 0 for FIXED */
} FleetSimLatency;

/* How one host behaves.  Rates are probabilities per unit, in [0, 1]. */
typedef struct {
  FleetSimLatency connect;       /* TCP connect, handshake and login on the network */
  FleetSimLatency command;
  double connect_refused_rate;
  double connect_timeout_rate;
  double exit_failure_rate;      /* the command exits with status 1 */
  double command_hang_rate;      /* the command runs until its timeout */
  double connection_lost_rate;   /* the connection breaks at the command's end */
  guint64 output_bytes;          /* standard output of each command */
} FleetSimProfile;

typedef struct {
  FleetSimProfile normal;
  guint slow_every;              /* hosts whose name ends in a number divisible
                                    by this are slow; 0: none */
  double slow_factor;
  FleetSimProfile spike;
  gint64 spike_from_us;          /* simulated time; from == to: no spike */
  gint64 spike_to_us;
  guint capacity;                /* 0: unlimited */
  guint controller_cores;        /* 0: handshakes cost no controller time */
  gint64 handshake_cpu_us;
  double handshake_slowdown;     /* 1: none */
  gint64 tick_us;                /* completion times are rounded up to a
                                    multiple, so that units ending close
                                    together share a turn of the loop */
  guint32 seed;
  gint64 wall_start_us;          /* the wall clock at simulated time 0 */
} FleetSimFleet;

/* A healthy fleet: connections of 50 ms and commands of 200 ms, each
 * uniform within +-25%, no failures, no slow hosts, no spike, unlimited
 * capacity, no handshake cost, ticks of 1 ms, seed 1. */
void fleet_sim_fleet_init (FleetSimFleet *fleet);

/* The answer of a responder: an exit status, standard output, and a
 * duration (-1: drawn from the host's profile). */
typedef struct {
  int exit_status;
  char *stdout_text;             /* owned; NULL: none */
  gint64 duration_us;
} FleetSimReply;

/* Return TRUE and fill `reply` to answer `command_line` on `host` in place
 * of the profile, or FALSE to leave the command to the profile. */
typedef gboolean (*FleetSimResponder) (const char *host, const char *command_line,
                                       FleetSimReply *reply, gpointer user_data);

typedef struct FleetSimTransport FleetSimTransport;

FleetSimTransport *fleet_sim_transport_new (const FleetSimFleet *fleet);
void fleet_sim_transport_free (FleetSimTransport *sim);

/* The transport to give a context, and the clock the executor must use;
 * both borrowed from `sim`. */
FleetTransport *fleet_sim_transport_get_transport (FleetSimTransport *sim);
const FleetClock *fleet_sim_transport_get_clock (FleetSimTransport *sim);

/* Give `host` its own profile in place of fleet->normal (copied). */
void fleet_sim_transport_set_host_profile (FleetSimTransport *sim, const char *host,
                                           const FleetSimProfile *profile);

/* `user_data` is borrowed and must outlive the transport. */
void fleet_sim_transport_set_responder (FleetSimTransport *sim, FleetSimResponder responder,
                                        gpointer user_data);

typedef struct {
  guint64 connections;           /* connections started */
  guint64 commands;              /* commands started */
  guint peak_in_flight;          /* the most units in flight at once */
  guint peak_open_connections;   /* the most connections open at once */
} FleetSimStats;

void fleet_sim_transport_get_stats (const FleetSimTransport *sim, FleetSimStats *out);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (FleetSimTransport, fleet_sim_transport_free)

G_END_DECLS
