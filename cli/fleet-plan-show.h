/* fleet-plan-show.h: the text and JSON forms of a plan for `fleetc show`. */
#pragma once

#include <glib.h>

#include "schema/fleet-plan.h"

G_BEGIN_DECLS

/* Return `text` with everything that could change what a terminal shows
 * escaped: control characters, invalid UTF-8, C1 controls and the Unicode
 * bidirectional overrides.  NULL gives "".  Free with g_free. */
char *fleet_escape_for_terminal (const char *text);

/* Return `plan` as text for a change ticket.  Free with g_free. */
char *fleet_plan_show_text (const FleetPlan *plan);

/* Return `plan` as one JSON object with the members format_version, sha256,
 * workflow, inventory, compiled_at, expires_at, expired, inventory_files,
 * parallelism, steps, waves (with their hosts) and signatures.  Free with
 * g_free. */
char *fleet_plan_show_json (const FleetPlan *plan);

G_END_DECLS
