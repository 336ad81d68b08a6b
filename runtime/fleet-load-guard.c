/* fleet-load-guard.c: the load check before a host's first step; see
 * fleet-load-guard.h. */
#include "runtime/fleet-load-guard.h"

#include "schema/fleet-template.h"

#define GUARD_TIMEOUT_MS (60 * 1000)
#define GUARD_OUTPUT_BYTES 4096

struct FleetLoadGuard {
  const FleetPacing *pacing;
  FleetCommand *command;
  GString *output;
};

static void
on_guard_output (const char *data, gsize length, gboolean is_stderr, gpointer user_data)
{
  FleetLoadGuard *guard = user_data;

  if (!is_stderr && guard->output->len + length <= GUARD_OUTPUT_BYTES)
    g_string_append_len (guard->output, data, length);
}

FleetLoadGuard *
fleet_load_guard_start (FleetConnection *connection, const FleetPacing *pacing, gint64 now_us)
{
  FleetLoadGuard *guard = g_new0 (FleetLoadGuard, 1);
  g_autofree char *quoted = NULL;
  g_autofree char *command_line = NULL;
  FleetCommandSpec spec = { .timeout_ms = GUARD_TIMEOUT_MS };

  /* The load line comes first so the guard command's own output cannot be
   * mistaken for it; the guard runs in a subshell so it cannot end the
   * script before the exit status is taken. */
  if (pacing->guard_command != NULL)
    {
      quoted = fleet_shell_quote (pacing->guard_command);
      command_line = g_strdup_printf ("read load rest < /proc/loadavg || exit 125; "
                                      "echo \"load $load\"; sh -c %s >/dev/null 2>&1", quoted);
    }
  else
    {
      command_line = g_strdup ("read load rest < /proc/loadavg || exit 125; echo \"load $load\"");
    }

  spec.command_line = command_line;
  guard->pacing = pacing;
  guard->output = g_string_new (NULL);
  guard->command = fleet_command_start (connection, &spec, now_us, on_guard_output, guard);
  return guard;
}

gboolean
fleet_load_guard_is_done (const FleetLoadGuard *guard)
{
  return fleet_command_is_done (guard->command);
}

FleetGuardVerdict
fleet_load_guard_finish (FleetLoadGuard *guard, char **out_reason)
{
  FleetFailure failure = fleet_command_get_failure (guard->command);
  int status = fleet_command_get_exit_status (guard->command);
  const char *line = guard->output->str;
  double load;
  char *end = NULL;

  if (failure != FLEET_FAILURE_NONE)
    {
      *out_reason = g_strdup_printf ("the load check could not run (%s): %s",
                                     fleet_failure_code (failure),
                                     fleet_command_get_message (guard->command) != NULL
                                       ? fleet_command_get_message (guard->command)
                                       : "no message");
      return FLEET_GUARD_ERROR;
    }

  if (!g_str_has_prefix (line, "load "))
    {
      *out_reason = g_strdup ("the load check found no /proc/loadavg on the host; remove "
                              "max_load and use a guard command there");
      return FLEET_GUARD_ERROR;
    }

  load = g_ascii_strtod (line + 5, &end);
  if (end == line + 5)
    {
      *out_reason = g_strdup ("the load check read no number from /proc/loadavg");
      return FLEET_GUARD_ERROR;
    }

  if (guard->pacing->max_load != NULL && load > g_ascii_strtod (guard->pacing->max_load, NULL))
    {
      *out_reason = g_strdup_printf ("load %.2f is above max_load %s", load,
                                     guard->pacing->max_load);
      return FLEET_GUARD_BUSY;
    }

  if (status != 0)
    {
      *out_reason = g_strdup_printf ("the guard command exited with status %d (load %.2f)",
                                     status, load);
      return FLEET_GUARD_BUSY;
    }

  *out_reason = NULL;
  return FLEET_GUARD_PASSED;
}

void
fleet_load_guard_free (FleetLoadGuard *guard)
{
  if (guard == NULL)
    return;

  fleet_command_free (guard->command);
  g_string_free (guard->output, TRUE);
  g_free (guard);
}
