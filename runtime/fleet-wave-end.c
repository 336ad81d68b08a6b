/* fleet-wave-end.c: checks and gates between waves. */
#include "runtime/fleet-wave-end.h"

#include "runtime/fleet-check-run.h"

static void
journal_host_failed (const FleetWaveEnd *end, const FleetHostResult *host,
                     const FleetCheckFailure *failure)
{
  FleetJsonWriter *json = fleet_journal_begin (end->journal, "host-failed",
                                               fleet_clock_wall_us (end->waiter->clock));

  fleet_json_key (json, "host");
  fleet_json_string (json, host->host->name);
  fleet_json_key (json, "wave");
  fleet_json_int (json, end->wave + 1);
  fleet_json_key (json, "check");
  fleet_json_string (json, failure->check->name);
  fleet_json_key (json, "message");
  fleet_json_string (json, host->message);
  fleet_journal_commit (end->journal, TRUE);
}

/* Fail the succeeded hosts that a fail_hosts check failed on. */
static void
fail_hosts (const FleetWaveEnd *end, FleetRunResult *result, const GPtrArray *failures,
            GPtrArray *out_failed_hosts)
{
  for (guint i = 0; i < failures->len; i++)
    {
      const FleetCheckFailure *failure = g_ptr_array_index (failures, i);

      if (failure->check->on_fail != FLEET_CHECK_ON_FAIL_FAIL_HOSTS || failure->host == NULL)
        continue;

      for (guint h = 0; h < result->hosts->len; h++)
        {
          FleetHostResult *host = g_ptr_array_index (result->hosts, h);

          if (host->outcome != FLEET_HOST_SUCCEEDED
              || g_strcmp0 (host->host->name, failure->host) != 0)
            continue;

          host->outcome = FLEET_HOST_FAILED;
          g_free (host->message);
          host->message = g_strdup_printf ("check \"%s\" failed: %s", failure->check->name,
                                           failure->reason);
          journal_host_failed (end, host, failure);
          g_ptr_array_add (out_failed_hosts, host);
        }
    }
}

static void
stop_run (FleetRunResult *result, guint wave, char *reason)
{
  g_free (result->stop_reason);
  result->stop_reason = reason;
  result->stop_wave = wave;
}

gboolean
fleet_wave_end_run (const FleetWaveEnd *end, FleetRunResult *result, GPtrArray *out_failed_hosts)
{
  g_autoptr (GPtrArray) succeeded = g_ptr_array_new ();
  g_autoptr (GPtrArray) failures = NULL;
  g_auto (FleetGateResult) gate = { 0 };
  const FleetWave *wave = g_ptr_array_index (end->plan->waves, end->wave);
  FleetCheckRun run = {
    .plan = end->plan,
    .wave = end->wave,
    .hosts = succeeded,
    .run_id = end->run_id,
    .journal = end->journal,
    .ssh = end->ssh,
    .waiter = end->waiter,
  };
  gboolean interrupted = FALSE;

  for (guint i = 0; i < wave->host_indices->len; i++)
    {
      const FleetHostResult *host = g_ptr_array_index (result->hosts,
                                                       g_array_index (wave->host_indices,
                                                                      guint32, i));

      if (host->outcome == FLEET_HOST_SUCCEEDED)
        g_ptr_array_add (succeeded, (gpointer) host->host);
    }

  if (end->plan->checks->len > 0)
    {
      failures = fleet_check_run_wave (&run, &interrupted);
      fail_hosts (end, result, failures, out_failed_hosts);
      if (fleet_check_failures_halt (failures))
        {
          const FleetCheckFailure *halting = g_ptr_array_index (failures, failures->len - 1);

          stop_run (result, end->wave,
                    g_strdup_printf ("check \"%s\" failed%s%s", halting->check->name,
                                     halting->host != NULL ? " on " : "",
                                     halting->host != NULL ? halting->host : ""));
        }
      g_ptr_array_extend_and_steal (result->check_failures, g_steal_pointer (&failures));
    }

  if (interrupted || result->stop_reason != NULL || end->wave + 1 >= end->plan->waves->len)
    return !interrupted;

  fleet_gate_wait (&end->plan->between_waves, end->wave, end->run_dir, end->journal,
                   end->waiter, &gate);
  if (gate.outcome == FLEET_GATE_ABORTED || gate.outcome == FLEET_GATE_TIMED_OUT)
    stop_run (result, end->wave, g_steal_pointer (&gate.message));
  return gate.outcome != FLEET_GATE_INTERRUPTED;
}
