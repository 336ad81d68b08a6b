/* fleet-sim-transport.c: the simulated fleet of fleet-sim-transport.h. */
#include "runtime/fleet-sim-transport.h"

#include <math.h>
#include <poll.h>
#include <stdlib.h>
#include <string.h>

#include "runtime/fleet-transport-vtable.h"

#define OUTPUT_CHUNK_BYTES (64 * 1024)

struct FleetSimTransport {
  FleetTransport transport;     /* first, so the vtable's pointer is ours */
  FleetClock clock;
  FleetSimFleet fleet;
  GRand *rand;
  gint64 now_us;
  GHashTable *host_profiles;    /* host name -> FleetSimProfile * */
  FleetSimResponder responder;
  gpointer responder_data;
  gint64 *core_free_us;         /* controller_cores entries */
  guint handshakes;             /* connections in their handshake */
  guint in_flight;              /* handshakes and running commands */
  guint open_connections;
  FleetSimStats stats;
};

typedef struct {
  FleetSimTransport *sim;
  const FleetSimProfile *profile;
  double slow_factor;
  gint64 ready_at_us;           /* G_MAXINT64 once the handshake has ended */
  FleetFailure connect_failure;
  GPtrArray *commands;          /* SimCommand * */
} SimConnection;

typedef struct {
  FleetCommand *command;
  gint64 done_at_us;
  FleetFailure failure;         /* NONE, COMMAND_TIMEOUT or CONNECTION_LOST */
  int exit_status;
  char *stdout_text;
  guint64 output_bytes;         /* filler output from the profile */
} SimCommand;

static gint64
sim_monotonic_us (const FleetClock *clock)
{
  const FleetSimTransport *sim = clock->data;

  return sim->now_us;
}

static gint64
sim_wall_us (const FleetClock *clock)
{
  const FleetSimTransport *sim = clock->data;

  return sim->fleet.wall_start_us + sim->now_us;
}

void
fleet_sim_fleet_init (FleetSimFleet *fleet)
{
  FleetSimProfile healthy = {
    .connect = { FLEET_SIM_UNIFORM, 50 * G_TIME_SPAN_MILLISECOND, 0.25 },
    .command = { FLEET_SIM_UNIFORM, 200 * G_TIME_SPAN_MILLISECOND, 0.25 },
  };

  *fleet = (FleetSimFleet) {
    .normal = healthy,
    .slow_factor = 1.0,
    .spike = healthy,
    .handshake_slowdown = 1.0,
    .tick_us = G_TIME_SPAN_MILLISECOND,
    .seed = 1,
    .wall_start_us = G_GINT64_CONSTANT (1767225600) * G_USEC_PER_SEC,  /* 2026-01-01T00:00:00Z */
  };
}

/* Sampling */

static double
standard_normal (GRand *rand)
{
  /* Box-Muller; 1 - u keeps the logarithm's argument in (0, 1]. */
  double u = 1.0 - g_rand_double (rand);
  double v = g_rand_double (rand);

  return sqrt (-2.0 * log (u)) * cos (2.0 * G_PI * v);
}

static double
sample_latency (GRand *rand, const FleetSimLatency *latency)
{
  double median = (double) latency->median_us;

  switch (latency->distribution)
    {
    case FLEET_SIM_FIXED:
      return median;
    case FLEET_SIM_UNIFORM:
      return median * (1.0 + latency->spread * (2.0 * g_rand_double (rand) - 1.0));
    case FLEET_SIM_LOG_NORMAL:
      return median * exp (latency->spread * standard_normal (rand));
    }
  g_return_val_if_reached (median);
}

static gboolean
chance (GRand *rand, double rate)
{
  return rate > 0.0 && g_rand_double (rand) < rate;
}

static gint64
round_up_to_tick (const FleetSimTransport *sim, gint64 time_us)
{
  gint64 tick = sim->fleet.tick_us > 0 ? sim->fleet.tick_us : G_TIME_SPAN_MILLISECOND;

  if (time_us >= G_MAXINT64 - tick)
    return G_MAXINT64;
  return (time_us + tick - 1) / tick * tick;
}

/* The profile for a unit of `host` that starts now. */
static const FleetSimProfile *
profile_now (const FleetSimTransport *sim, const FleetHost *host)
{
  const FleetSimProfile *own = g_hash_table_lookup (sim->host_profiles, host->name);

  if (sim->now_us >= sim->fleet.spike_from_us && sim->now_us < sim->fleet.spike_to_us)
    return &sim->fleet.spike;
  return own != NULL ? own : &sim->fleet.normal;
}

/* Slow hosts are chosen by the number their name ends in ("web0100"), so
 * that the choice does not depend on the order hosts start in. */
static double
slow_factor_of (const FleetSimTransport *sim, const char *name)
{
  gsize length = strlen (name);
  gsize digits = 0;

  if (sim->fleet.slow_every == 0)
    return 1.0;
  while (digits < length && g_ascii_isdigit (name[length - digits - 1]))
    digits++;
  if (digits == 0)
    return 1.0;
  return g_ascii_strtoull (name + length - digits, NULL, 10) % sim->fleet.slow_every == 0
           ? sim->fleet.slow_factor : 1.0;
}

/* Units in flight beyond the capacity slow every new unit in proportion. */
static double
load_factor (const FleetSimTransport *sim)
{
  if (sim->fleet.capacity == 0 || sim->in_flight <= sim->fleet.capacity)
    return 1.0;
  return (double) sim->in_flight / sim->fleet.capacity;
}

static void
unit_started (FleetSimTransport *sim)
{
  sim->in_flight++;
  sim->stats.peak_in_flight = MAX (sim->stats.peak_in_flight, sim->in_flight);
}

/* Connections */

/* Queue the handshake's CPU time on the controller core that frees up
 * first, and return when it is done. */
static gint64
handshake_cpu_done_us (FleetSimTransport *sim)
{
  guint earliest = 0;
  gint64 done;

  if (sim->fleet.controller_cores == 0)
    return sim->now_us;

  for (guint i = 1; i < sim->fleet.controller_cores; i++)
    if (sim->core_free_us[i] < sim->core_free_us[earliest])
      earliest = i;
  done = MAX (sim->now_us, sim->core_free_us[earliest]) + sim->fleet.handshake_cpu_us;
  sim->core_free_us[earliest] = done;
  return done;
}

static void
sim_connection_start (FleetTransport *transport, FleetConnection *connection, gint64 now_us)
{
  FleetSimTransport *sim = (FleetSimTransport *) transport;
  const FleetHost *host = fleet_connection_get_host (connection);
  SimConnection *state = g_new0 (SimConnection, 1);
  gint64 timeout_us = (gint64) host->connect_timeout_ms * 1000;
  gint64 duration;

  state->sim = sim;
  state->profile = profile_now (sim, host);
  state->slow_factor = slow_factor_of (sim, host->name);
  state->commands = g_ptr_array_new ();
  fleet_connection_set_transport_data (connection, state);

  sim->stats.connections++;
  sim->open_connections++;
  sim->stats.peak_open_connections = MAX (sim->stats.peak_open_connections,
                                          sim->open_connections);
  sim->handshakes++;
  unit_started (sim);

  duration = (gint64) (sample_latency (sim->rand, &state->profile->connect) * state->slow_factor
                       * load_factor (sim));
  duration += handshake_cpu_done_us (sim) - now_us;

  if (chance (sim->rand, state->profile->connect_refused_rate))
    state->connect_failure = FLEET_FAILURE_CONNECTION_REFUSED;
  else if (chance (sim->rand, state->profile->connect_timeout_rate)
           || (timeout_us > 0 && duration > timeout_us))
    {
      state->connect_failure = FLEET_FAILURE_CONNECTION_TIMEOUT;
      duration = timeout_us;
    }
  state->ready_at_us = round_up_to_tick (sim, now_us + MAX (duration, 0));
}

static void
end_handshake (SimConnection *state, FleetConnection *connection)
{
  const FleetHost *host = fleet_connection_get_host (connection);

  state->ready_at_us = G_MAXINT64;
  state->sim->handshakes--;
  state->sim->in_flight--;

  switch (state->connect_failure)
    {
    case FLEET_FAILURE_NONE:
      fleet_connection_set_ready (connection);
      return;

    case FLEET_FAILURE_CONNECTION_REFUSED:
      fleet_connection_fail (connection, FLEET_FAILURE_CONNECTION_REFUSED,
                             g_strdup_printf ("%s port %u refused the connection (simulated)",
                                              host->name, host->port));
      return;

    default:
      fleet_connection_fail (connection, FLEET_FAILURE_CONNECTION_TIMEOUT,
                             g_strdup_printf ("%s port %u did not complete the SSH connection "
                                              "and handshake within %u ms (simulated)",
                                              host->name, host->port, host->connect_timeout_ms));
      return;
    }
}

static void
sim_command_free (SimCommand *state)
{
  g_free (state->stdout_text);
  g_free (state);
}

/* Forget `state`'s command without finishing it. */
static void
drop_command (SimConnection *owner, SimCommand *state)
{
  g_ptr_array_remove (owner->commands, state);
  fleet_command_set_transport_data (state->command, NULL);
  owner->sim->in_flight--;
  sim_command_free (state);
}

static void
deliver_filler (FleetCommand *command, guint64 bytes)
{
  static char filler[OUTPUT_CHUNK_BYTES];

  if (filler[0] == '\0')
    {
      memset (filler, 'x', sizeof filler);
      filler[sizeof filler - 1] = '\n';
    }
  while (bytes > 0)
    {
      gsize chunk = (gsize) MIN (bytes, (guint64) sizeof filler);

      fleet_command_deliver_output (command, filler, chunk, FALSE);
      bytes -= chunk;
    }
}

/* End a command whose time has come: its output first, then its result. */
static void
complete_command (SimConnection *owner, SimCommand *state, FleetConnection *connection)
{
  FleetCommand *command = state->command;
  FleetFailure failure = state->failure;
  int status = state->exit_status;
  g_autofree char *text = g_steal_pointer (&state->stdout_text);
  guint64 filler = state->output_bytes;

  drop_command (owner, state);
  if (failure == FLEET_FAILURE_NONE)
    {
      if (text != NULL)
        fleet_command_deliver_output (command, text, strlen (text), FALSE);
      deliver_filler (command, filler);
      fleet_command_finish_with_status (command, status);
      return;
    }

  if (failure == FLEET_FAILURE_COMMAND_TIMEOUT)
    {
      fleet_command_finish (command, FLEET_FAILURE_COMMAND_TIMEOUT,
                            g_strdup ("the command timed out"));
      return;
    }

  /* The connection's loss ends its other commands too. */
  while (owner->commands->len > 0)
    drop_command (owner, g_ptr_array_index (owner->commands, 0));
  fleet_connection_fail (connection, FLEET_FAILURE_CONNECTION_LOST,
                         g_strdup ("connection lost while the command ran (simulated)"));
}

static void
sim_connection_process (FleetTransport *transport, FleetConnection *connection, gint64 now_us)
{
  SimConnection *state = fleet_connection_get_transport_data (connection);

  if (state == NULL)
    return;

  if (now_us >= state->ready_at_us)
    end_handshake (state, connection);

  for (guint i = 0; i < state->commands->len;)
    {
      SimCommand *command = g_ptr_array_index (state->commands, i);

      if (now_us < command->done_at_us)
        {
          i++;
          continue;
        }
      complete_command (state, command, connection);
      if (fleet_connection_get_state (connection) == FLEET_CONNECTION_FAILED)
        return;
      i = 0;
    }
}

static gint64
sim_connection_deadline_us (FleetTransport *transport, const FleetConnection *connection)
{
  const SimConnection *state = fleet_connection_get_transport_data (connection);
  gint64 deadline;

  if (state == NULL)
    return G_MAXINT64;

  deadline = state->ready_at_us;
  for (guint i = 0; i < state->commands->len; i++)
    deadline = MIN (deadline, ((SimCommand *) g_ptr_array_index (state->commands, i))->done_at_us);
  return deadline;
}

static void
sim_connection_close (FleetTransport *transport, FleetConnection *connection)
{
  SimConnection *state = fleet_connection_get_transport_data (connection);

  if (state == NULL)
    return;

  while (state->commands->len > 0)
    drop_command (state, g_ptr_array_index (state->commands, 0));
  if (state->ready_at_us != G_MAXINT64)
    {
      state->sim->handshakes--;
      state->sim->in_flight--;
    }
  state->sim->open_connections--;
  g_ptr_array_unref (state->commands);
  fleet_connection_set_transport_data (connection, NULL);
  g_free (state);
}

/* Commands */

static void
sim_command_start (FleetTransport *transport, FleetCommand *command, const FleetCommandSpec *spec,
                   gint64 now_us)
{
  FleetSimTransport *sim = (FleetSimTransport *) transport;
  FleetConnection *connection = fleet_command_get_connection (command);
  SimConnection *owner = fleet_connection_get_transport_data (connection);
  const FleetHost *host = fleet_connection_get_host (connection);
  const FleetSimProfile *profile = profile_now (sim, host);
  SimCommand *state = g_new0 (SimCommand, 1);
  FleetSimReply reply = { .duration_us = -1 };
  gint64 timeout_us = spec->timeout_ms > 0 ? (gint64) spec->timeout_ms * 1000 : G_MAXINT64;
  gint64 duration;
  gboolean hangs = FALSE;

  state->command = command;
  g_ptr_array_add (owner->commands, state);
  fleet_command_set_transport_data (command, state);
  sim->stats.commands++;
  unit_started (sim);

  if (sim->responder != NULL
      && sim->responder (host->name, spec->command_line, &reply, sim->responder_data))
    {
      state->exit_status = reply.exit_status;
      state->stdout_text = reply.stdout_text;
      duration = reply.duration_us >= 0 ? reply.duration_us
                                        : (gint64) sample_latency (sim->rand, &profile->command);
    }
  else
    {
      double factor = owner->slow_factor * load_factor (sim);

      if (sim->fleet.controller_cores > 0 && sim->handshakes >= sim->fleet.controller_cores
          && sim->fleet.handshake_slowdown > 1.0)
        factor *= sim->fleet.handshake_slowdown;
      duration = (gint64) (sample_latency (sim->rand, &profile->command) * factor);
      state->exit_status = chance (sim->rand, profile->exit_failure_rate) ? 1 : 0;
      state->output_bytes = profile->output_bytes;
      hangs = chance (sim->rand, profile->command_hang_rate);
      if (chance (sim->rand, profile->connection_lost_rate))
        state->failure = FLEET_FAILURE_CONNECTION_LOST;
    }

  if (hangs || duration > timeout_us)
    {
      state->failure = timeout_us != G_MAXINT64 ? FLEET_FAILURE_COMMAND_TIMEOUT
                                                : FLEET_FAILURE_NONE;
      duration = timeout_us;
    }
  state->done_at_us = round_up_to_tick (sim, now_us + MAX (duration, 0));
}

static void
sim_command_close (FleetTransport *transport, FleetCommand *command)
{
  SimCommand *state = fleet_command_get_transport_data (command);
  FleetConnection *connection = fleet_command_get_connection (command);

  if (state == NULL || connection == NULL)
    return;
  drop_command (fleet_connection_get_transport_data (connection), state);
}

/* Real descriptors (the journal's) are checked without waiting; when none
 * is ready, simulated time jumps to the loop's next deadline. */
static int
sim_wait (FleetTransport *transport, struct pollfd *fds, guint n_fds, int timeout_ms,
          gint64 wake_us, gboolean block)
{
  FleetSimTransport *sim = (FleetSimTransport *) transport;
  int ready;

  if (block)
    return poll (fds, n_fds, timeout_ms);

  ready = poll (fds, n_fds, 0);
  if (ready == 0 && wake_us > sim->now_us && wake_us != G_MAXINT64)
    sim->now_us = wake_us;
  return ready;
}

static const FleetTransportVTable sim_vtable = {
  .connection_start = sim_connection_start,
  .connection_process = sim_connection_process,
  .connection_deadline_us = sim_connection_deadline_us,
  .connection_close = sim_connection_close,
  .command_start = sim_command_start,
  .command_close = sim_command_close,
  .wait = sim_wait,
};

/* Construction */

FleetSimTransport *
fleet_sim_transport_new (const FleetSimFleet *fleet)
{
  FleetSimTransport *sim = g_new0 (FleetSimTransport, 1);

  sim->transport.vtable = &sim_vtable;
  sim->fleet = *fleet;
  sim->clock = (FleetClock) { sim_monotonic_us, sim_wall_us, sim };
  sim->rand = g_rand_new_with_seed (fleet->seed);
  sim->host_profiles = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, g_free);
  sim->core_free_us = g_new0 (gint64, MAX (fleet->controller_cores, 1));
  return sim;
}

void
fleet_sim_transport_free (FleetSimTransport *sim)
{
  if (sim == NULL)
    return;

  g_rand_free (sim->rand);
  g_hash_table_unref (sim->host_profiles);
  g_free (sim->core_free_us);
  g_free (sim);
}

FleetTransport *
fleet_sim_transport_get_transport (FleetSimTransport *sim)
{
  return &sim->transport;
}

const FleetClock *
fleet_sim_transport_get_clock (FleetSimTransport *sim)
{
  return &sim->clock;
}

void
fleet_sim_transport_set_host_profile (FleetSimTransport *sim, const char *host,
                                      const FleetSimProfile *profile)
{
  g_hash_table_insert (sim->host_profiles, g_strdup (host), g_memdup2 (profile, sizeof *profile));
}

void
fleet_sim_transport_set_responder (FleetSimTransport *sim, FleetSimResponder responder,
                                   gpointer user_data)
{
  sim->responder = responder;
  sim->responder_data = user_data;
}

void
fleet_sim_transport_get_stats (const FleetSimTransport *sim, FleetSimStats *out)
{
  *out = sim->stats;
}
