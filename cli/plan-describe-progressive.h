/* plan-describe-progressive.h: a plan's checks, wait between waves and
 * rollback in words, as `fleetc show` prints them and `fleetc diff`
 * compares them.
 *
 * Every result is unescaped plan text: the caller escapes it for its
 * output format.  Free each returned string with g_free, except the
 * static strings of fleet_describe_on_halt and
 * fleet_describe_check_on_fail.
 */
#pragma once

#include <glib.h>

#include "schema/fleet-check.h"
#include "schema/fleet-rollback.h"
#include "schema/fleet-wave-gate.h"

G_BEGIN_DECLS

/* Return what `check` runs: "run on each host of the wave: CMD", "run on
 * the controller: ARGV" or "GET URL". */
char *fleet_describe_check_target (const FleetCheck *check);

/* Return `ms` as "0s", "30s", "2m" or "1h30m". */
char *fleet_describe_check_duration (guint64 ms);

/* Return what passes: "expect status 200", "expect exit status 0,
 * containing \"ok\"", with ", matching /RE/" for a pattern. */
char *fleet_describe_check_expectation (const FleetCheck *check);

/* Return "no retries" or "3 retries 5s apart". */
char *fleet_describe_check_retries (const FleetCheck *check);

/* Return "halt the run" or "fail those hosts"; a static string. */
const char *fleet_describe_check_on_fail (const FleetCheck *check);

/* Return what passes, how often the check is tried and what a failure
 * does: "expect status 200; bake 0s, timeout 30s, no retries; on failure
 * halt the run". */
char *fleet_describe_check_rule (const FleetCheck *check);

/* Return the wait between waves ("pause 10m, then wait for ..."), or NULL
 * when the plan does not wait. */
char *fleet_describe_gate (const FleetWaveGate *gate);

/* Return one rollback command: `undo "STEP" with sudo (timeout 2m): CMD`
 * for an undo command, or `step "NAME" ...` for a rollback step. */
char *fleet_describe_rollback_command (const FleetRollbackCommand *command, gboolean undo);

/* Return what a halted run does with `rollback`; a static string. */
const char *fleet_describe_on_halt (const FleetRollback *rollback);

/* Return what a rollback does with a command that was in flight when an
 * earlier rollback stopped, which `idempotent` decides; a static string. */
const char *fleet_describe_rollback_in_flight (const FleetRollback *rollback);

G_END_DECLS
