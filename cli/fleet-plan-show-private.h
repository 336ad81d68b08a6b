/* fleet-plan-show-private.h: parts of `fleetc show` shared between its
 * source files. */
#pragma once

#include <glib.h>

#include "schema/fleet-json.h"
#include "schema/fleet-markdown.h"
#include "schema/fleet-plan.h"

G_BEGIN_DECLS

/* Append the concurrency, caps and target protection of `plan`: as summary
 * lines, as Markdown table rows, or as the JSON members concurrency and
 * protect (null when nothing protects the targets). */
void fleet_plan_show_pacing_text (GString *out, const FleetPlan *plan);
void fleet_plan_show_pacing_markdown (GString *out, const FleetPlan *plan);
void fleet_plan_show_pacing_json (FleetJsonWriter *json, const FleetPlan *plan);

/* Append the validity and the inventory files of `plan`, as lines of the
 * plan's summary. */
void fleet_plan_show_trust_text (GString *out, const FleetPlan *plan);

/* Append the section that lists the plan's signatures. */
void fleet_plan_show_signatures_text (GString *out, const FleetPlan *plan);

/* Write the members compiled_at, expires_at, expired and inventory_files. */
void fleet_plan_show_trust_json (FleetJsonWriter *json, const FleetPlan *plan);

/* Write the member signatures: fingerprint, comment and valid of each. */
void fleet_plan_show_signatures_json (FleetJsonWriter *json, const FleetPlan *plan);

/* Append the checks, the wait between waves and the rollback, each when
 * the plan has one. */
void fleet_plan_show_progressive_text (GString *out, const FleetPlan *plan);

/* Write the members checks, between_waves and rollback (null when none). */
void fleet_plan_show_progressive_json (FleetJsonWriter *json, const FleetPlan *plan);

/* Append the Markdown sections of the checks, the wait and the rollback. */
void fleet_plan_show_progressive_markdown (GString *out, const FleetPlan *plan);

/* Append the plan's windows and the schedule fitted into them, when it has
 * them: UTC times, each with the local time of the windows' zone. */
void fleet_plan_show_schedule_text (GString *out, const FleetPlan *plan);

/* Write the member schedule (null without windows): range, margin,
 * at_window_end, finish, lower_bound, step estimates, waves and the
 * windows of each group. */
void fleet_plan_show_schedule_json (FleetJsonWriter *json, const FleetPlan *plan);

/* Write the members kind ("script", "copy", ...) and kind_details (files
 * with their SHA-256, destinations, deadlines, argv) of a step that is not
 * a `run` step, and the step's retries, env, workdir, changed_when and
 * failed_when when it sets them; nothing for a plain `run` step. */
void fleet_plan_show_step_kind_json (FleetJsonWriter *json, const FleetStep *step);

/* Write the member host_values, or append one block per host, of the
 * step's settings rendered per host (fleet-step-values.h); nothing when
 * the step has none. */
void fleet_plan_show_step_values_json (FleetJsonWriter *json, const FleetStep *step);
void fleet_plan_show_step_values_text (GString *out, const FleetStep *step);
void fleet_plan_show_step_values_markdown (GString *out, const FleetStep *step);

/* Return the mode (with its setuid, setgid and sticky bits named), owner,
 * group and content digest of a copy or template step, for review, or NULL
 * for other steps.  Free with g_free. */
char *fleet_plan_show_file_settings (const FleetStep *step);

/* Write the member waits_for, or append one line per barrier, of a step
 * that waits for a step on the hosts of a group (fleet-step-barrier.h);
 * nothing when it waits for none. */
void fleet_plan_show_step_barriers_json (FleetJsonWriter *json, const FleetStep *step);
void fleet_plan_show_step_barriers_text (GString *out, const FleetStep *step);
void fleet_plan_show_step_barriers_markdown (GString *out, const FleetStep *step);

/* Return the route to `host`: "direct", or "via bastion
 * (root@192.0.2.1:22)" with every jump host in the order fleet-run
 * connects through them, joined by ", then ".  Not escaped.  Free with
 * g_free. */
char *fleet_plan_describe_route (const FleetPlan *plan, const FleetHost *host);

/* Return every connection setting of `host` except its name and address,
 * one line each, not escaped: user, route, connect timeout and
 * keepalive, host key policy and known_hosts files, identity files and
 * identities_only, the names of its secrets (when it has any) and, last,
 * its groups.  Free with g_ptr_array_unref. */
GPtrArray *fleet_plan_describe_host_settings (const FleetPlan *plan, const FleetHost *host);

/* Return the route of `host` escaped for Markdown.  Free with g_free. */
char *fleet_plan_describe_host_route_markdown (const FleetPlan *plan, const FleetHost *host);

/* Append the section of connection settings, hosts with equal settings
 * listed together, as text or as Markdown; the Markdown form also lists
 * the jump hosts. */
void fleet_plan_show_connections_text (GString *out, const FleetPlan *plan);
void fleet_plan_show_connections_markdown (GString *out, const FleetPlan *plan);

/* Append the section of jump hosts, each with its login, route and
 * settings, and whether it is a host of the plan too; nothing when the
 * plan has none. */
void fleet_plan_show_jump_hosts_text (GString *out, const FleetPlan *plan);

/* Append the validity (marked EXPIRED when it is) and the ssh_config files
 * as rows of the Markdown summary table. */
void fleet_plan_show_trust_markdown_rows (GString *out, const FleetPlan *plan);

/* Append the Markdown sections of the inventory files and the
 * signatures. */
void fleet_plan_show_trust_markdown (GString *out, const FleetPlan *plan);

/* Return the sentence under the steps' heading: how a host orders them,
 * as a Markdown sentence or a lower-case text clause. */
const char *fleet_plan_show_steps_heading (const FleetPlan *plan, gboolean markdown);

/* Append, when the plan lets steps overlap (fleet-step-overlap.h), the
 * summary line with the limit per host, and for step `step` (from 0) the
 * line that lists the steps that may run at the same time as it. */
void fleet_plan_show_overlap_summary_text (GString *out, const FleetPlan *plan);
void fleet_plan_show_step_overlap_text (GString *out, const FleetPlan *plan, guint step);
void fleet_plan_show_step_overlap_markdown (GString *out, const FleetPlan *plan, guint step);

/* Write the member step_overlap when the plan has one: max_steps, after
 * (per step, the step numbers that end before it starts) and pairs (the
 * step numbers that may overlap). */
void fleet_plan_show_overlap_json (FleetJsonWriter *json, const FleetPlan *plan);

G_END_DECLS
