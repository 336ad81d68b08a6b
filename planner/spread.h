/* spread.h: failure-domain caps on the hosts of one wave.
 *
 * For each `spread` rule, every host of a stage belongs to a domain (its
 * value of the rule's attribute), and each domain has a cap: max_per_wave
 * when it is a count, or that percentage of the domain's hosts in the
 * stage, rounded down and at least 1.  A wave respects the rules when, for
 * every rule, no domain has more hosts in the wave than its cap.
 *
 * Hosts are named by their index in the stage's host array.
 */
#pragma once

#include <glib.h>

#include "schema/fleet-workflow.h"

G_BEGIN_DECLS

typedef struct FleetSpreadCaps FleetSpreadCaps;

/* Compute the domains and caps of `rules` (FleetSpread *) over `hosts`
 * (FleetHost *), which must all have every rule's attribute.  Both arrays
 * are borrowed and must outlive the result. */
FleetSpreadCaps *fleet_spread_caps_new (const GPtrArray *rules, const GPtrArray *hosts);
void fleet_spread_caps_free (FleetSpreadCaps *caps);

/* Fill one wave of at most `size` hosts from `pending` (guint host
 * indices): each host, in order, joins the wave when every one of its
 * domains still has room, and the others stay in `pending`, in order.
 * Returns the wave's host indices, in order. */
GArray *fleet_spread_fill_wave (FleetSpreadCaps *caps, GArray *pending, guint size);

/* Return TRUE when the hosts of `wave` (guint host indices) respect every
 * cap.  Otherwise return FALSE and, in `out_problem`, a description of the
 * first domain over its cap with its hosts; free it with g_free. */
gboolean fleet_spread_check_wave (FleetSpreadCaps *caps, const GArray *wave, char **out_problem);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (FleetSpreadCaps, fleet_spread_caps_free)

G_END_DECLS
