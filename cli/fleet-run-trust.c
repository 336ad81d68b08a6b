/* fleet-run-trust.c: signature, expiry and inventory checks before a run. */
#include "cli/fleet-run-trust.h"

#include "schema/fleet-clock.h"
#include "schema/fleet-inventory-file.h"
#include "schema/fleet-plan-expiry.h"
#include "schema/fleet-public-key.h"

G_DEFINE_QUARK (fleet-run-trust-error-quark, fleet_run_trust_error)

void
fleet_run_trust_free (FleetRunTrust *trust)
{
  if (trust == NULL)
    return;

  g_ptr_array_unref (trust->approvers);
  g_ptr_array_unref (trust->inventory_changes);
  g_free (trust);
}

static gboolean
check_signature (const FleetPlan *plan, const char * const *approver_files, FleetRunTrust *trust,
                 GError **error)
{
  for (const char * const *path = approver_files; path != NULL && *path != NULL; path++)
    if (!fleet_public_keys_read_file (*path, trust->approvers, error))
      return FALSE;

  if (trust->approvers->len == 0)
    return TRUE;

  trust->approval = fleet_plan_find_approval (plan, trust->approvers, error);
  return trust->approval != NULL;
}

static gboolean
check_inventory (const FleetPlan *plan, gboolean allow_changed_inventory, FleetRunTrust *trust,
                 GError **error)
{
  g_autoptr(GString) message = NULL;

  g_ptr_array_unref (trust->inventory_changes);
  trust->inventory_changes = fleet_inventory_files_find_changes (plan->inventory_files);

  for (guint i = 0; i < plan->inventory_files->len; i++)
    {
      const FleetInventoryFile *file = g_ptr_array_index (plan->inventory_files, i);

      if (file->kind == FLEET_INVENTORY_FILE_PROGRAM)
        g_printerr ("fleet-run: note: the output of inventory program %s is not checked, "
                    "because that needs running it; `fleetc check PLAN` runs it and compares\n",
                    file->path);
    }

  if (trust->inventory_changes->len == 0)
    return TRUE;

  message = g_string_new (NULL);
  for (guint i = 0; i < trust->inventory_changes->len; i++)
    {
      g_autofree char *text = fleet_inventory_change_describe (
        g_ptr_array_index (trust->inventory_changes, i));

      if (allow_changed_inventory)
        g_printerr ("fleet-run: warning: %s; running the hosts as compiled because of "
                    "--allow-changed-inventory, and recording this in the journal\n", text);
      else
        g_string_append_printf (message, "%s%s", i > 0 ? "; " : "", text);
    }

  if (allow_changed_inventory)
    return TRUE;

  g_set_error (error, FLEET_RUN_TRUST_ERROR, FLEET_RUN_TRUST_ERROR_INVENTORY_CHANGED,
               "%s; compile the plan again so that it targets the inventory as it is now, or "
               "pass --allow-changed-inventory to run the hosts as compiled", message->str);
  return FALSE;
}

/* Check the expiry for `action`.  A rollback of an expired plan goes
 * ahead with a warning.  The error for a resume names what works, because
 * a plan compiled again has another digest than the run's journal. */
static gboolean
check_expiry (const FleetPlan *plan, FleetRunTrustAction action, FleetRunTrust *trust,
              GError **error)
{
  g_autoptr(GError) expired = NULL;
  g_autofree char *expired_at = NULL;

  if (fleet_plan_check_expiry (plan, fleet_clock_system (), &expired))
    return TRUE;
  expired_at = fleet_format_utc_seconds (plan->expires_at);

  switch (action)
    {
    case FLEET_RUN_TRUST_ROLLBACK:
      trust->expired = TRUE;
      g_printerr ("fleet-run: warning: the plan expired at %s; rolling back anyway, because "
                  "a rollback only undoes what the plan already did, and recording the expiry "
                  "in the rollback's journal\n", expired_at);
      return TRUE;
    case FLEET_RUN_TRUST_RESUME:
      g_set_error (error, FLEET_PLAN_ERROR, FLEET_PLAN_ERROR_EXPIRED,
                   "the plan expired at %s. An expired plan does not resume, and a plan compiled "
                   "again cannot "
                   "resume this run because its digest differs from the run's journal. Either "
                   "roll the run back (fleet-run --rollback RUN PLAN works after the expiry), "
                   "or compile the workflow again and start a new run of the new plan, with "
                   "fleetc compile --limit for the hosts the journal shows unfinished",
                   expired_at);
      return FALSE;
    case FLEET_RUN_TRUST_NEW_RUN:
    default:
      g_propagate_error (error, g_steal_pointer (&expired));
      return FALSE;
    }
}

FleetRunTrust *
fleet_run_trust_check (const FleetPlan *plan, FleetRunTrustAction action,
                       const char * const *approver_files,
                       gboolean allow_changed_inventory,
                       GError **error)
{
  g_autoptr(FleetRunTrust) trust = g_new0 (FleetRunTrust, 1);

  trust->approvers = g_ptr_array_new_with_free_func ((GDestroyNotify) fleet_public_key_free);
  trust->inventory_changes = g_ptr_array_new ();

  if (!check_signature (plan, approver_files, trust, error)
      || !check_expiry (plan, action, trust, error)
      || !check_inventory (plan, allow_changed_inventory, trust, error))
    return NULL;

  return g_steal_pointer (&trust);
}
