/* plan-describe-progressive.c: the wording of a plan's checks, wait
 * between waves and rollback, shared by `fleetc show` and `fleetc diff`. */
#include "cli/plan-describe-progressive.h"

#include <string.h>

#include "schema/fleet-clock.h"

char *
fleet_describe_check_duration (guint64 ms)
{
  return ms == 0 ? g_strdup ("0s") : fleet_format_duration (ms);
}

/* Return what check `check` runs, unescaped: the command, program or URL. */
char *
fleet_describe_check_target (const FleetCheck *check)
{
  switch (check->kind)
    {
    case FLEET_CHECK_HOST:
      if (check->sample > 0)
        return g_strdup_printf ("run on at most %u hosts of the wave: %s", check->sample,
                                check->command);
      return g_strdup_printf ("run on each host of the wave: %s", check->command);
    case FLEET_CHECK_LOCAL:
      {
        g_autoptr(GString) joined_text = g_string_new (NULL);
        g_autofree char *joined = NULL;

        /* argv is not NULL-terminated, so it is joined by count. */
        for (guint i = 0; i < check->argv->len; i++)
          {
            const char *word = g_ptr_array_index (check->argv, i);
            gboolean plain = word[0] != '\0'
                             && strspn (word, "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz"
                                              "0123456789_./:=@%+,-") == strlen (word);
            g_autofree char *quoted = plain ? g_strdup (word) : g_shell_quote (word);

            g_string_append_printf (joined_text, "%s%s", i > 0 ? " " : "", quoted);
          }
        joined = g_string_free (g_steal_pointer (&joined_text), FALSE);

        return g_strdup_printf ("run on the controller%s: %s",
                                check->shell ? " by /bin/sh -c" : "", joined);
      }
    case FLEET_CHECK_HTTP:
    default:
      return g_strdup_printf ("GET %s%s", check->url,
                              fleet_check_is_per_host (check) ? " for each host of the wave" : "");
    }
}

char *
fleet_describe_check_expectation (const FleetCheck *check)
{
  GString *out = g_string_new (NULL);

  if (check->kind == FLEET_CHECK_HTTP)
    g_string_append_printf (out, "expect status %u", check->expect_status);
  else
    g_string_append_printf (out, "expect exit status %d", check->expect_exit);
  if (check->expect_contains != NULL)
    g_string_append_printf (out, ", containing \"%s\"", check->expect_contains);
  if (check->expect_match != NULL)
    g_string_append_printf (out, ", matching /%s/", check->expect_match);
  return g_string_free (out, FALSE);
}

char *
fleet_describe_check_retries (const FleetCheck *check)
{
  g_autofree char *interval = fleet_describe_check_duration (check->interval_ms);

  if (check->retries == 0)
    return g_strdup ("no retries");
  return g_strdup_printf ("%u retr%s %s apart", check->retries,
                          check->retries == 1 ? "y" : "ies", interval);
}

const char *
fleet_describe_check_on_fail (const FleetCheck *check)
{
  return check->on_fail == FLEET_CHECK_ON_FAIL_HALT ? "halt the run" : "fail those hosts";
}

char *
fleet_describe_check_rule (const FleetCheck *check)
{
  g_autofree char *expectation = fleet_describe_check_expectation (check);
  g_autofree char *bake = fleet_describe_check_duration (check->bake_ms);
  g_autofree char *timeout = fleet_describe_check_duration (check->timeout_ms);
  g_autofree char *retries = fleet_describe_check_retries (check);

  return g_strdup_printf ("%s; bake %s, timeout %s, %s; on failure %s", expectation, bake,
                          timeout, retries, fleet_describe_check_on_fail (check));
}

/* Return the wait between waves in words, unescaped, or NULL for none. */
char *
fleet_describe_gate (const FleetWaveGate *gate)
{
  GString *out;

  if (!fleet_wave_gate_is_set (gate))
    return NULL;

  out = g_string_new (NULL);
  if (gate->pause_ms > 0)
    {
      g_autofree char *pause = fleet_describe_check_duration (gate->pause_ms);

      g_string_append_printf (out, "pause %s", pause);
    }
  if (gate->approve)
    {
      g_string_append_printf (out, "%swait for `fleet-run --continue RUN` or `--abort RUN`",
                              out->len > 0 ? ", then " : "");
      if (gate->approve_timeout_ms > 0)
        {
          g_autofree char *timeout = fleet_describe_check_duration (gate->approve_timeout_ms);

          g_string_append_printf (out, " for at most %s, then %s", timeout,
                                  gate->on_timeout == FLEET_GATE_ON_TIMEOUT_HALT
                                    ? "halt" : "continue");
        }
    }
  return g_string_free (out, FALSE);
}

char *
fleet_describe_rollback_command (const FleetRollbackCommand *command, gboolean undo)
{
  g_autofree char *timeout = fleet_describe_check_duration (command->timeout_ms);

  return g_strdup_printf ("%s \"%s\"%s (timeout %s): %s", undo ? "undo" : "step", command->name,
                          command->become ? " with sudo" : "", timeout, command->command);
}

const char *
fleet_describe_on_halt (const FleetRollback *rollback)
{
  return rollback->on_halt ? "a halted run rolls back the changed hosts of its failed wave"
                           : "a halted run stops; roll back with `fleet-run --rollback RUN`";
}

const char *
fleet_describe_rollback_in_flight (const FleetRollback *rollback)
{
  return rollback->idempotent
           ? "a command in flight when a rollback stopped runs again, because the "
             "rollback is idempotent"
           : "a host whose command was in flight when a rollback stopped is held until "
             "--retry-host or --skip-host";
}
