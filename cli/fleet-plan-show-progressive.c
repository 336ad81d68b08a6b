/* fleet-plan-show-progressive.c: the checks, the wait between waves and the
 * rollback of a plan, for `fleetc show` in text, JSON and Markdown. */
#include "cli/fleet-plan-show-private.h"
#include "cli/plan-describe-progressive.h"

#include <string.h>

#include "schema/fleet-clock.h"
#include "schema/fleet-text.h"

void
fleet_plan_show_progressive_text (GString *out, const FleetPlan *plan)
{
  g_autofree char *gate = fleet_describe_gate (&plan->between_waves);

  if (plan->checks->len > 0)
    g_string_append (out, "\nChecks after each wave, before the next:\n");
  for (guint i = 0; i < plan->checks->len; i++)
    {
      const FleetCheck *check = g_ptr_array_index (plan->checks, i);
      g_autofree char *name = fleet_escape_for_terminal (check->name);
      g_autofree char *target = fleet_describe_check_target (check);
      g_autofree char *target_text = fleet_escape_for_terminal (target);
      g_autofree char *rule = fleet_describe_check_rule (check);
      g_autofree char *rule_text = fleet_escape_for_terminal (rule);

      g_string_append_printf (out, "  %u. %s (%s)\n       %s\n       %s\n", i + 1, name,
                              fleet_check_kind_name (check->kind), target_text, rule_text);
    }

  if (gate != NULL)
    g_string_append_printf (out, "\nBetween waves: %s\n", gate);

  if (plan->rollback == NULL)
    return;

  g_string_append_printf (out, "\nRollback (undo commands of the started steps, newest first, "
                               "then the rollback steps; %s; %s):\n",
                          fleet_describe_on_halt (plan->rollback),
                          fleet_describe_rollback_in_flight (plan->rollback));
  for (guint i = 0; i < plan->rollback->undo->len; i++)
    {
      g_autofree char *line = fleet_describe_rollback_command (g_ptr_array_index (plan->rollback->undo,
                                                                            i), TRUE);
      g_autofree char *line_text = fleet_escape_for_terminal (line);

      g_string_append_printf (out, "  %s\n", line_text);
    }
  for (guint i = 0; i < plan->rollback->steps->len; i++)
    {
      g_autofree char *line = fleet_describe_rollback_command (g_ptr_array_index (plan->rollback->steps,
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
  fleet_json_key (json, "idempotent");
  fleet_json_bool (json, plan->rollback->idempotent);
  fleet_json_end_object (json);
}

void
fleet_plan_show_progressive_markdown (GString *out, const FleetPlan *plan)
{
  g_autofree char *gate = fleet_describe_gate (&plan->between_waves);

  if (plan->checks->len > 0)
    g_string_append (out, "\n## Checks after each wave\n\n"
                          "| check | kind | what | passes when |\n|---|---|---|---|\n");
  for (guint i = 0; i < plan->checks->len; i++)
    {
      const FleetCheck *check = g_ptr_array_index (plan->checks, i);
      g_autofree char *name = fleet_markdown_escape (check->name);
      g_autofree char *target = fleet_describe_check_target (check);
      g_autofree char *target_md = fleet_markdown_escape (target);
      g_autofree char *rule = fleet_describe_check_rule (check);
      g_autofree char *rule_md = fleet_markdown_escape (rule);

      g_string_append_printf (out, "| %s | %s | %s | %s |\n", name,
                              fleet_check_kind_name (check->kind), target_md, rule_md);
    }

  if (gate != NULL)
    {
      g_autofree char *gate_md = fleet_markdown_escape (gate);

      g_string_append_printf (out, "\n## Between waves\n\n%s.\n", gate_md);
    }

  if (plan->rollback == NULL)
    return;

  g_string_append_printf (out, "\n## Rollback\n\nUndo commands of the started steps run newest "
                               "first, then the rollback steps; %s; %s.\n\n",
                          fleet_describe_on_halt (plan->rollback),
                          fleet_describe_rollback_in_flight (plan->rollback));
  for (guint i = 0; i < plan->rollback->undo->len + plan->rollback->steps->len; i++)
    {
      gboolean undo = i < plan->rollback->undo->len;
      const FleetRollbackCommand *command =
        undo ? g_ptr_array_index (plan->rollback->undo, i)
             : g_ptr_array_index (plan->rollback->steps, i - plan->rollback->undo->len);
      g_autofree char *line = fleet_describe_rollback_command (command, undo);
      g_autofree char *line_md = fleet_markdown_escape (line);

      g_string_append_printf (out, "- %s\n", line_md);
    }
}
