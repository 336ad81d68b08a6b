/* plan-describe.h: the wording of a plan that `fleetc show` prints in each
 * of its formats: wave domains, halt thresholds, escaping of untrusted
 * text. */
#pragma once

#include <glib.h>

#include "schema/fleet-plan.h"
#include "schema/fleet-step-barrier.h"
#include "schema/fleet-text.h"

G_BEGIN_DECLS

/* Values of one domain attribute listed per wave before the rest are only
 * counted, in text and Markdown. */
#define FLEET_SHOWN_DOMAINS_MAX 20

/* Return the sorted distinct values (borrowed strings) that the hosts of
 * `wave` have for `attribute`. */
GPtrArray *fleet_wave_domain_values (const FleetPlan *plan, const FleetWave *wave,
                                     const char *attribute);

/* Return the failure domains of `wave` for every spread attribute of the
 * plan, escaped for a terminal: "racks r1 r2 r3; dc dc1", or "" without
 * spread rules.  At most FLEET_SHOWN_DOMAINS_MAX values are listed per
 * attribute.  Free with g_free. */
char *fleet_describe_wave_domains (const FleetPlan *plan, const FleetWave *wave);

/* Return "halts at 2 failed or 1 unreachable", "halts at 2 failed",
 * "halts at 1 unreachable" or "never halts on failures" for the resolved
 * thresholds (FLEET_THRESHOLD_NEVER for none).  Free with g_free. */
char *fleet_describe_halt (guint32 failed, guint32 unreachable);

/* Return rule `rule` of the plan as written, with " (default)" when the
 * workflow left it unset: "25%", "1 (default)".  Free with g_free. */
char *fleet_describe_halt_rule (const FleetPlan *plan, FleetHaltRule rule);

/* Return `rule` for people, with `attribute` (the rule's attribute, escaped
 * for the output format) in it: "at most 1 host per rack in a wave", or
 * "at most 25% of the hosts of each rack in a wave (at least 1)".  Free
 * with g_free. */
char *fleet_describe_spread_rule (const FleetSpreadRule *rule, const char *attribute);

/* Return "10 hosts" or "1 host".  Free with g_free. */
char *fleet_describe_count (guint n, const char *noun);

/* Append `ms` as "none", "30s", "2m", "1h" or "500ms". */
void fleet_append_duration (GString *out, guint64 ms);

/* Append the expected exit codes of `step` as "0,2". */
void fleet_append_exit_codes (GString *out, const FleetStep *step);

/* Return `names` (sorted, `n` of them) as a list in which runs of names
 * that differ only in a trailing number, counting up by one with the same
 * number of digits, are written first..last: "host01..host20, web1".
 * Free with g_free. */
char *fleet_describe_host_list (const char * const *names, guint n);

/* Hosts of a barrier named before the rest are left out as "...". */
#define FLEET_SHOWN_BARRIER_HOSTS_MAX 5

/* Return what a step with `barrier` waits for, unescaped: "waits until
 * migrate finished on every host of group db (2 hosts: db1 db2)", with at
 * most FLEET_SHOWN_BARRIER_HOSTS_MAX host names.  Free with g_free. */
char *fleet_describe_barrier (const FleetStepBarrier *barrier);

/* Hosts that share one value, such as a rendered command or a skip reason,
 * kept in the order the first host of each value came.  Values and host
 * names are borrowed. */
typedef struct {
  GPtrArray *values;          /* const char *, distinct */
  GHashTable *hosts_by_value; /* value -> GPtrArray of const char * host names */
} FleetHostGroups;

void fleet_host_groups_init (FleetHostGroups *groups);
void fleet_host_groups_clear (FleetHostGroups *groups);
void fleet_host_groups_add (FleetHostGroups *groups, const char *value, const char *host);

/* Return the hosts that share `value`, not escaped: "host01..host20 (20
 * hosts)", or the one name.  Free with g_free. */
char *fleet_host_groups_describe (const FleetHostGroups *groups, const char *value);

G_END_DECLS
