/* fleet-admission.h: which waiting host may start now.
 *
 * A host may start when the busy hosts are below the current concurrency
 * limit (fleet-concurrency.h) and, for every cap rule of the plan's pacing,
 * fewer than the rule's limit of busy hosts share the host's value of the
 * rule's attribute.  A host without the attribute is not bound by that
 * rule.  The rule "group" caps the busy hosts of each inventory group, for
 * every group a host is in.  Waiting hosts start in plan order; a host held back by a cap lets
 * later hosts of other domains pass it, so one full data center never
 * idles the others.
 */
#pragma once

#include <glib.h>

#include "schema/fleet-model.h"
#include "schema/fleet-pacing.h"

G_BEGIN_DECLS

typedef struct FleetAdmission FleetAdmission;

/* `pacing` may be NULL (no caps); it and `hosts` (FleetHost *, every host
 * that may start) must outlive the result. */
FleetAdmission *fleet_admission_new (const FleetPacing *pacing, const GPtrArray *hosts);
void fleet_admission_free (FleetAdmission *admission);

/* Return whether `host` fits under every cap now. */
gboolean fleet_admission_allows (const FleetAdmission *admission, const FleetHost *host);

/* Return the position in `waiting` (FleetHost *, in start order) of the
 * first host every cap allows, or -1 when none fits. */
gint fleet_admission_pick (const FleetAdmission *admission, const GPtrArray *waiting);

/* Count `host` as busy, or no longer busy. */
void fleet_admission_start (FleetAdmission *admission, const FleetHost *host);
void fleet_admission_finish (FleetAdmission *admission, const FleetHost *host);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (FleetAdmission, fleet_admission_free)

G_END_DECLS
