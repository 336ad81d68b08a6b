/* fleet-wave-gate.h: what fleet-run waits for between two waves.
 *
 * After a wave and its checks pass, and before the next wave starts,
 * fleet-run pauses for `pause_ms`, then, with `approve`, waits for
 * `fleet-run --continue RUN` or `--abort RUN`.  An approval wait with a
 * timeout ends at the timeout as `on_timeout` sets.  Nothing is awaited
 * after the last wave.  Plans carry the gate under the optional body key
 * "between-waves" (docs/plan-format.md).
 */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

typedef enum {
  FLEET_GATE_ON_TIMEOUT_HALT,     /* the run halts: later waves do not start */
  FLEET_GATE_ON_TIMEOUT_CONTINUE, /* the next wave starts */
} FleetGateOnTimeout;

typedef struct {
  guint64 pause_ms;              /* 0: no pause */
  gboolean approve;              /* wait for --continue or --abort */
  guint64 approve_timeout_ms;    /* 0: wait without limit */
  FleetGateOnTimeout on_timeout;
} FleetWaveGate;

/* Return "halt" or "continue". */
const char *fleet_gate_on_timeout_name (FleetGateOnTimeout value);
gboolean fleet_gate_on_timeout_from_name (const char *text, FleetGateOnTimeout *out_value);

/* Return whether the gate waits at all. */
gboolean fleet_wave_gate_is_set (const FleetWaveGate *gate);

/* Return `gate` as a floating GVariant of type a{sv}. */
GVariant *fleet_wave_gate_to_variant (const FleetWaveGate *gate);

/* Read a gate written by fleet_wave_gate_to_variant into `out_gate`;
 * returns FALSE, leaving it unchanged, on a missing or mistyped key. */
gboolean fleet_wave_gate_from_variant (GVariant *dict, FleetWaveGate *out_gate);

G_END_DECLS
