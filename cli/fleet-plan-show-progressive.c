/* fleet-plan-show-progressive.c: the checks, the wait between waves and the
 * rollback of a plan, for `fleetc show` in text, JSON and Markdown. */
#include "cli/fleet-plan-show-private.h"

#include <string.h>

#include "schema/fleet-clock.h"
#include "schema/fleet-text.h"

static char *
format_ms (guint64 ms)
{
  return ms == 0 ? g_strdup ("0s") : fleet_format_duration (ms);
}

/* Return what check `check` runs, unescaped: the command, program or URL. */
static char *
describe_check_target (const FleetCheck *check)
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

/* Return what passes, how often it is tried and what a failure does,
 * unescaped. */
static char *
describe_check_rule (const FleetCheck *check)
{
  GString *out = g_string_new (NULL);
  g_autofree char *interval = format_ms (check->interval_ms);
  g_autofree char *bake = format_ms (check->bake_ms);
  g_autofree char *timeout = format_ms (check->timeout_ms);

  if (check->kind == FLEET_CHECK_HTTP)
    g_string_append_printf (out, "expect status %u", check->expect_status);
  else
    g_string_append_printf (out, "expect exit status %d", check->expect_exit);
  if (check->expect_contains != NULL)
    g_string_append_printf (out, ", containing \"%s\"", check->expect_contains);
  if (check->expect_match != NULL)
    g_string_append_printf (out, ", matching /%s/", check->expect_match);
  g_string_append_printf (out, "; bake %s, timeout %s, ", bake, timeout);
  if (check->retries == 0)
    g_string_append (out, "no retries");
  else
    g_string_append_printf (out, "%u retr%s %s apart", check->retries,
                            check->retries == 1 ? "y" : "ies", interval);
  g_string_append_printf (out, "; on failure %s",
                          check->on_fail == FLEET_CHECK_ON_FAIL_HALT
                            ? "halt the run" : "fail those hosts");
  return g_string_free (out, FALSE);
}

/* Return the wait between waves in words, unescaped, or NULL for none. */
static char *
describe_gate (const FleetWaveGate *gate)
{
  GString *out;

  if (!fleet_wave_gate_is_set (gate))
    return NULL;

  out = g_string_new (NULL);
  if (gate->pause_ms > 0)
    {
      g_autofree char *pause = format_ms (gate->pause_ms);

      g_string_append_printf (out, "pause %s", pause);
    }
  if (gate->approve)
    {
      g_string_append_printf (out, "%swait for `fleet-run --continue RUN` or `--abort RUN`",
                              out->len > 0 ? ", then " : "");
      if (gate->approve_timeout_ms > 0)
        {
          g_autofree char *timeout = format_ms (gate->approve_timeout_ms);

          g_string_append_printf (out, " for at most %s, then %s", timeout,
                                  gate->on_timeout == FLEET_GATE_ON_TIMEOUT_HALT
                                    ? "halt" : "continue");
        }
    }
  return g_string_free (out, FALSE);
}

static char *
describe_rollback_command (const FleetRollbackCommand *command, gboolean undo)
{
  g_autofree char *timeout = format_ms (command->timeout_ms);

  return g_strdup_printf ("%s \"%s\"%s (timeout %s): %s", undo ? "undo" : "step", command->name,
                          command->become ? " with sudo" : "", timeout, command->command);
}

static const char *
describe_on_halt (const FleetRollback *rollback)
{
  return rollback->on_halt ? "a halted run rolls back the changed hosts of its failed wave"
                           : "a halted run stops; roll back with `fleet-run --rollback RUN`";
}

void
fleet_plan_show_progressive_text (GString *out, const FleetPlan *plan)
{
  g_autofree char *gate = describe_gate (&plan->between_waves);

  if (plan->checks->len > 0)
    g_string_append (out, "\nChecks after each wave, before the next:\n");
  for (guint i = 0; i < plan->checks->len; i++)
    {
      const FleetCheck *check = g_ptr_array_index (plan->checks, i);
      g_autofree char *name = fleet_escape_for_terminal (check->name);
      g_autofree char *target = describe_check_target (check);
      g_autofree char *target_text = fleet_escape_for_terminal (target);
      g_autofree char *rule = describe_check_rule (check);
      g_autofree char *rule_text = fleet_escape_for_terminal (rule);

      g_string_append_printf (out, "  %u. %s (%s)\n       %s\n       %s\n", i + 1, name,
                              fleet_check_kind_name (check->kind), target_text, rule_text);
    }

  if (gate != NULL)
    g_string_append_printf (out, "\nBetween waves: %s\n", gate);

  if (plan->rollback == NULL)
    return;

  g_string_append_printf (out, "\nRollback (undo commands of the started steps, newest first, "
                               "then the rollback steps; %s):\n",
                          describe_on_halt (plan->rollback));
  for (guint i = 0; i < plan->rollback->undo->len; i++)
    {
      g_autofree char *line = describe_rollback_command (g_ptr_array_index (plan->rollback->undo,
                                                                            i), TRUE);
      g_autofree char *line_text = fleet_escape_for_terminal (line);

      g_string_append_printf (out, "  %s\n", line_text);
    }
  for (guint i = 0; i < plan->rollback->steps->len; i++)
    {
      g_autofree char *line = describe_rollback_command (g_ptr_array_index (plan->rollback->steps,
                                                                            i), FALSE);
      g_autofree char *line_text = fleet_escape_for_terminal (line);

      g_string_append_printf (out, "  %s\n", line_text);
    }
}

static void
write_check_json (FleetJsonWriter *json, const FleetCheck *check)
{
  fleet_json_begin_object (json);
  fleet_json_key (json, "name");
  fleet_json_string (json, check->name);
  fleet_json_key (json, "kind");
  fleet_json_string (json, fleet_check_kind_name (check->kind));
  if (check->kind == FLEET_CHECK_HOST)
    {
      fleet_json_key (json, "run");
      fleet_json_string (json, check->command);
      fleet_json_key (json, "sample");
      fleet_json_int (json, check->sample);
    }
  if (check->kind == FLEET_CHECK_LOCAL)
    {
      fleet_json_key (json, "local");
      fleet_json_begin_array (json);
      for (guint i = 0; i < check->argv->len; i++)
        fleet_json_string (json, g_ptr_array_index (check->argv, i));
      fleet_json_end_array (json);
      fleet_json_key (json, "shell");
      fleet_json_bool (json, check->shell);
    }
  if (check->kind == FLEET_CHECK_HTTP)
    {
      fleet_json_key (json, "http");
      fleet_json_string (json, check->url);
      fleet_json_key (json, "expect_status");
      fleet_json_int (json, check->expect_status);
    }
  else
    {
      fleet_json_key (json, "expect_exit");
      fleet_json_int (json, check->expect_exit);
    }
  fleet_json_key (json, "per_host");
  fleet_json_bool (json, fleet_check_is_per_host (check));
  fleet_json_key (json, "expect_contains");
  fleet_json_string (json, check->expect_contains);
  fleet_json_key (json, "expect_match");
  fleet_json_string (json, check->expect_match);
  fleet_json_key (json, "retries");
  fleet_json_int (json, check->retries);
  fleet_json_key (json, "interval_ms");
  fleet_json_int (json, (gint64) check->interval_ms);
  fleet_json_key (json, "bake_ms");
  fleet_json_int (json, (gint64) check->bake_ms);
  fleet_json_key (json, "timeout_ms");
  fleet_json_int (json, (gint64) check->timeout_ms);
  fleet_json_key (json, "on_fail");
  fleet_json_string (json, fleet_check_on_fail_name (check->on_fail));
  fleet_json_end_object (json);
}

static void
write_rollback_commands_json (FleetJsonWriter *json, const char *key, const GPtrArray *commands)
{
  fleet_json_key (json, key);
  fleet_json_begin_array (json);
  for (guint i = 0; i < commands->len; i++)
    {
      const FleetRollbackCommand *command = g_ptr_array_index (commands, i);

      fleet_json_begin_object (json);
      fleet_json_key (json, "name");
      fleet_json_string (json, command->name);
      fleet_json_key (json, "run");
      fleet_json_string (json, command->command);
      fleet_json_key (json, "timeout_ms");
      fleet_json_int (json, (gint64) command->timeout_ms);
      fleet_json_key (json, "become");
      fleet_json_bool (json, command->become);
      fleet_json_end_object (json);
    }
  fleet_json_end_array (json);
}

void
fleet_plan_show_progressive_json (FleetJsonWriter *json, const FleetPlan *plan)
{
  const FleetWaveGate *gate = &plan->between_waves;

  fleet_json_key (json, "checks");
  fleet_json_begin_array (json);
  for (guint i = 0; i < plan->checks->len; i++)
    write_check_json (json, g_ptr_array_index (plan->checks, i));
  fleet_json_end_array (json);

  fleet_json_key (json, "between_waves");
  fleet_json_begin_object (json);
  fleet_json_key (json, "pause_ms");
  fleet_json_int (json, (gint64) gate->pause_ms);
  fleet_json_key (json, "approve");
  fleet_json_bool (json, gate->approve);
  fleet_json_key (json, "approve_timeout_ms");
  fleet_json_int (json, (gint64) gate->approve_timeout_ms);
  fleet_json_key (json, "on_timeout");
  fleet_json_string (json, fleet_gate_on_timeout_name (gate->on_timeout));
  fleet_json_end_object (json);

  fleet_json_key (json, "rollback");
  if (plan->rollback == NULL)
    {
      fleet_json_null (json);
      return;
    }
  fleet_json_begin_object (json);
  write_rollback_commands_json (json, "undo", plan->rollback->undo);
  write_rollback_commands_json (json, "steps", plan->rollback->steps);
  fleet_json_key (json, "on_halt");
  fleet_json_string (json, plan->rollback->on_halt ? "rollback" : "stop");
  fleet_json_end_object (json);
}

void
fleet_plan_show_progressive_markdown (GString *out, const FleetPlan *plan)
{
  g_autofree char *gate = describe_gate (&plan->between_waves);

  if (plan->checks->len > 0)
    g_string_append (out, "\n## Checks after each wave\n\n"
                          "| check | kind | what | passes when |\n|---|---|---|---|\n");
  for (guint i = 0; i < plan->checks->len; i++)
    {
      const FleetCheck *check = g_ptr_array_index (plan->checks, i);
      g_autofree char *name = fleet_plan_markdown_escape (check->name);
      g_autofree char *target = describe_check_target (check);
      g_autofree char *target_md = fleet_plan_markdown_escape (target);
      g_autofree char *rule = describe_check_rule (check);
      g_autofree char *rule_md = fleet_plan_markdown_escape (rule);

      g_string_append_printf (out, "| %s | %s | %s | %s |\n", name,
                              fleet_check_kind_name (check->kind), target_md, rule_md);
    }

  if (gate != NULL)
    {
      g_autofree char *gate_md = fleet_plan_markdown_escape (gate);

      g_string_append_printf (out, "\n## Between waves\n\n%s.\n", gate_md);
    }

  if (plan->rollback == NULL)
    return;

  g_string_append_printf (out, "\n## Rollback\n\nUndo commands of the started steps run newest "
                               "first, then the rollback steps; %s.\n\n",
                          describe_on_halt (plan->rollback));
  for (guint i = 0; i < plan->rollback->undo->len + plan->rollback->steps->len; i++)
    {
      gboolean undo = i < plan->rollback->undo->len;
      const FleetRollbackCommand *command =
        undo ? g_ptr_array_index (plan->rollback->undo, i)
             : g_ptr_array_index (plan->rollback->steps, i - plan->rollback->undo->len);
      g_autofree char *line = describe_rollback_command (command, undo);
      g_autofree char *line_md = fleet_plan_markdown_escape (line);

      g_string_append_printf (out, "- %s\n", line_md);
    }
}
