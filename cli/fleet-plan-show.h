/* fleet-plan-show.h: the text, JSON and Markdown forms of a plan for
 * `fleetc show`. */
#pragma once

#include <glib.h>

#include "schema/fleet-plan.h"
#include "schema/fleet-text.h"

G_BEGIN_DECLS

/* Return `plan` as text for a change ticket.  Free with g_free. */
char *fleet_plan_show_text (const FleetPlan *plan);

/* Return `plan` as one JSON object with the members format_version, sha256,
 * workflow, inventory, ssh_config, compiled_at, expires_at, expired,
 * inventory_files, parallelism, steps, limit, order_by, spread, halt_at,
 * waves, jump_hosts and signatures.  Each wave has its label, stage, canary
 * flag, host_count, domains, halt_at thresholds (null: never) and hosts.
 * Free with g_free. */
char *fleet_plan_show_json (const FleetPlan *plan);

/* Return `plan` as Markdown for a change ticket: its digests and sources,
 * validity (marked EXPIRED when it is), ssh_config files, inventory files
 * with their SHA-256, signatures, halt rules, steps, a table of the waves,
 * a table of each wave's hosts with their login user and route, the
 * connection settings and the jump hosts.  Everything docs/trust.md asks a
 * reviewer to read is in it.  Untrusted text is escaped.  Free with
 * g_free. */
char *fleet_plan_show_markdown (const FleetPlan *plan);

G_END_DECLS
