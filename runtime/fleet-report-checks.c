/* fleet-report-checks.c: summary lines about what happened between waves. */
#include "runtime/fleet-report-checks.h"

#include "runtime/fleet-check-run.h"
#include "runtime/fleet-rollback-run.h"
#include "schema/fleet-text.h"

void
fleet_report_append_between_waves (GString *out, const FleetPlan *plan,
                                   const FleetRunResult *result)
{
  if (result->check_failures->len > 0)
    g_string_append (out, "\nChecks that failed:\n");
  for (guint i = 0; i < result->check_failures->len; i++)
    {
      const FleetCheckFailure *failure = g_ptr_array_index (result->check_failures, i);
      g_autofree char *name = fleet_escape_for_terminal (failure->check->name);
      g_autofree char *host = fleet_escape_for_terminal (failure->host);
      g_autofree char *reason = fleet_escape_for_terminal (failure->reason);

      g_string_append_printf (out, "  wave %u  \"%s\"%s%s after %u tr%s (%s): %s\n",
                              failure->wave + 1, name, failure->host != NULL ? " on " : "",
                              failure->host != NULL ? host : "", failure->tries,
                              failure->tries == 1 ? "y" : "ies",
                              failure->check->on_fail == FLEET_CHECK_ON_FAIL_HALT
                                ? "halts the run" : "fails the host",
                              reason);
    }

  if (result->stop_reason != NULL)
    {
      g_autofree char *reason = fleet_escape_for_terminal (result->stop_reason);

      g_string_append_printf (out, "The run stopped after wave %u: %s%s.\n",
                              result->stop_wave + 1, reason,
                              result->stop_wave + 1 < plan->waves->len
                                ? "; later waves did not start" : "");
    }

  if (result->rollback != NULL)
    fleet_rollback_append_summary (out, result->rollback);
}

GHashTable *
fleet_report_rolled_back_hosts (const FleetRunResult *result)
{
  GHashTable *hosts = g_hash_table_new (g_str_hash, g_str_equal);

  for (guint i = 0; result->rollback != NULL && i < result->rollback->len; i++)
    {
      FleetRollbackHostResult *rollback = g_ptr_array_index (result->rollback, i);

      g_hash_table_insert (hosts, rollback->host, rollback);
    }
  return hosts;
}
