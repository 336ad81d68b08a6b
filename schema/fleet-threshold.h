/* fleet-threshold.h: failure thresholds (halt_at) and their arithmetic.
 *
 * A threshold is written as a host count (`2`), a percentage (`"25%"`) or
 * `unlimited`.  The planner resolves it against a number of hosts n into a
 * count T, and fleet-run halts once the failures it counts REACH T
 * (failures >= T):
 *
 *   count N         T = N                                 (N >= 1)
 *   percentage P    T = max (1, floor (P * n / 100))       (1 <= P <= 100)
 *   unlimited       never halts (FLEET_THRESHOLD_NEVER)
 *
 * Rounding down and the floor of 1 both move the halt earlier, which is the
 * safe direction: a percentage never tolerates more failures than it says,
 * and never tolerates every failure.  n is the size of the wave for the
 * per-wave rules and the number of selected hosts for the totals.
 */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

typedef enum {
  FLEET_THRESHOLD_UNLIMITED,
  FLEET_THRESHOLD_COUNT,
  FLEET_THRESHOLD_PERCENT,
} FleetThresholdKind;

/* A threshold as written.  `value` is the host count (at least 1) for
 * COUNT, the percentage (1 to 100) for PERCENT, and 0 for UNLIMITED. */
typedef struct {
  FleetThresholdKind kind;
  guint32 value;
} FleetThreshold;

/* The resolved threshold of a rule that never halts. */
#define FLEET_THRESHOLD_NEVER 0u

/* The four rules of `halt_at`.  Unreachable hosts are counted apart from
 * failed ones: each host counts under exactly one of the two. */
typedef enum {
  FLEET_HALT_FAILED_PER_WAVE,
  FLEET_HALT_UNREACHABLE_PER_WAVE,
  FLEET_HALT_FAILED_TOTAL,
  FLEET_HALT_UNREACHABLE_TOTAL,
} FleetHaltRule;

#define FLEET_HALT_N_RULES 4

/* Return the workflow key of `rule`, such as "failed_per_wave". */
const char *fleet_halt_rule_name (FleetHaltRule rule);

/* Return whether `rule` counts per wave (TRUE) or over the whole run. */
gboolean fleet_halt_rule_is_per_wave (FleetHaltRule rule);

/* Return whether `rule` counts unreachable hosts (TRUE) or failed ones. */
gboolean fleet_halt_rule_counts_unreachable (FleetHaltRule rule);

/* Return the value `rule` has when the workflow does not set it: 1 for the
 * per-wave rules, so any failure halts after its wave as it always did,
 * and unlimited for the totals. */
FleetThreshold fleet_halt_rule_default (FleetHaltRule rule);

/* Return T for `threshold` over `n_hosts` hosts, or FLEET_THRESHOLD_NEVER
 * for unlimited.  See the table at the top of this file. */
guint32 fleet_threshold_resolve (const FleetThreshold *threshold, guint32 n_hosts);

/* Return whether `threshold` is a percentage that comes to less than one
 * host of `n_hosts` (P * n < 100), so that only the floor of 1 keeps it
 * from being 0: the first failure reaches it. */
gboolean fleet_threshold_is_raised_to_one (const FleetThreshold *threshold, guint32 n_hosts);

/* Return the threshold as written in a workflow: "2", "25%" or
 * "unlimited".  Free with g_free. */
char *fleet_threshold_to_string (const FleetThreshold *threshold);

/* Parse the text fleet_threshold_to_string writes, strictly: a count from 1
 * to G_MAXUINT32 without sign or leading zeros, a percentage from 1% to
 * 100%, or "unlimited".  Return FALSE, leaving `out` unset, for anything
 * else. */
gboolean fleet_threshold_from_string (const char *text, FleetThreshold *out);

G_END_DECLS
