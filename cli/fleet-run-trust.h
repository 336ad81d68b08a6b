/* fleet-run-trust.h: the checks fleet-run makes on a plan before it
 * connects to any host (docs/trust.md).
 *
 * The checks, in order:
 *   1. With --require-signature, the plan must carry a valid signature by
 *      one of the approver keys.
 *   2. The plan must not have expired, except for a rollback: undoing what
 *      the plan already did stays possible after its expiry, with a warning.
 *   3. Every static inventory file it was compiled from must still have the
 *      bytes it had.  --allow-changed-inventory accepts changed files, and
 *      the journal then records them.  Inventory programs cannot be checked without
 * running them, so fleet-run names them and points to `fleetc check`.
 */
#pragma once

#include <glib.h>

#include "schema/fleet-plan.h"
#include "schema/fleet-plan-signature.h"

G_BEGIN_DECLS

#define FLEET_RUN_TRUST_ERROR (fleet_run_trust_error_quark ())

typedef enum {
  FLEET_RUN_TRUST_ERROR_INVENTORY_CHANGED,  /* static inventory files changed */
} FleetRunTrustError;

GQuark fleet_run_trust_error_quark (void);

/* What fleet-run is about to do with the plan. */
typedef enum {
  FLEET_RUN_TRUST_NEW_RUN,
  FLEET_RUN_TRUST_RESUME,
  FLEET_RUN_TRUST_ROLLBACK,
} FleetRunTrustAction;

typedef struct {
  GPtrArray *approvers;                  /* FleetPublicKey *, from --require-signature */
  const FleetPlanSignature *approval;    /* borrowed from the plan; NULL without approvers */
  GPtrArray *inventory_changes;          /* FleetInventoryChange *, accepted ones */
  gboolean expired;                      /* a rollback of an expired plan goes ahead */
} FleetRunTrust;

/* Check `plan` before `action`, with approver keys from each file of
 * `approver_files` (NULL or empty: no signature required).  Returns the outcome, or NULL with an
 * error whose message names the next step: FLEET_KEY_ERROR for an approver file,
 * FLEET_SIGNATURE_ERROR, FLEET_PLAN_ERROR_EXPIRED, or INVENTORY_CHANGED.
 * Warnings and notes go to standard error. */
FleetRunTrust *fleet_run_trust_check (const FleetPlan *plan, FleetRunTrustAction action,
                                      const char * const *approver_files,
                                      gboolean allow_changed_inventory,
                                      GError **error);

void fleet_run_trust_free (FleetRunTrust *trust);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (FleetRunTrust, fleet_run_trust_free)

G_END_DECLS
