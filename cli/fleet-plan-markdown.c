/* fleet-plan-markdown.c: a plan as Markdown for a change ticket.
 *
 * The output is CommonMark with GitHub-style tables.  Every value that
 * comes from the workflow or the inventory is escaped twice.  Control and
 * bidirectional characters become visible escapes, as in the text form.
 * Then Markdown punctuation gets a backslash, so that a host name or
 * attribute cannot break a table or inject a link.  Commands go into fenced code
 * blocks whose fence is longer than any run of backticks in them.
 */
#include "cli/fleet-plan-show.h"

#include <string.h>

#include "cli/fleet-plan-show-private.h"
#include "cli/plan-describe.h"
#include "schema/fleet-markdown.h"

static void
append_summary (GString *out, const FleetPlan *plan)
{
  g_autofree char *name = fleet_markdown_escape (plan->workflow_name);
  g_autofree char *workflow = fleet_markdown_escape (plan->workflow_source);
  g_autofree char *inventory = fleet_markdown_escape (plan->inventory_source);
  g_autofree char *hosts = fleet_describe_count (plan->hosts->len, "host");
  g_autofree char *waves = fleet_describe_count (plan->waves->len, "wave");

  g_string_append_printf (out, "# Plan: %s\n\n", name);
  g_string_append (out, "| | |\n|---|---|\n");
  g_string_append_printf (out, "| Plan SHA-256 | `%s` |\n", plan->file_sha256 ? plan->file_sha256 : "");
  g_string_append_printf (out, "| Workflow | %s (SHA-256 `%s`) |\n", workflow,
                          plan->workflow_sha256 ? plan->workflow_sha256 : "");
  g_string_append_printf (out, "| Inventory | %s (digest `%s`) |\n", inventory,
                          plan->inventory_sha256 ? plan->inventory_sha256 : "");
  if (plan->limit != NULL)
    {
      g_autofree char *limit = fleet_markdown_escape (plan->limit);
      g_string_append_printf (out, "| Limit | %s |\n", limit);
    }
  g_string_append_printf (out, "| Hosts | %s in %s, at most %u at once |\n", hosts, waves,
                          plan->parallelism);
  fleet_plan_show_pacing_markdown (out, plan);
  if (plan->order_by != NULL)
    {
      g_autofree char *by = fleet_markdown_escape (plan->order_by);
      g_string_append_printf (out, "| Order | stage by stage, by %s |\n", by);
    }
  for (guint i = 0; i < plan->spread->len; i++)
    {
      const FleetSpreadRule *rule = g_ptr_array_index (plan->spread, i);
      g_autofree char *attribute = fleet_markdown_escape (rule->attribute);
      g_autofree char *text = fleet_describe_spread_rule (rule, attribute);

      g_string_append_printf (out, "| Spread | %s |\n", text);
    }
  g_string_append_printf (out, "| Format version | %u |\n", plan->format_version);
  fleet_plan_show_trust_markdown_rows (out, plan);
}

static void
append_halt_rules (GString *out, const FleetPlan *plan)
{
  const guint32 totals[FLEET_HALT_N_RULES] = {
    [FLEET_HALT_FAILED_TOTAL] = plan->halt_failed_total,
    [FLEET_HALT_UNREACHABLE_TOTAL] = plan->halt_unreachable_total,
  };

  g_string_append (out, "\n## Halt rules\n\n"
                        "The run halts when a count reaches its threshold; hosts in flight "
                        "finish, and no later wave starts.\n\n"
                        "| rule | threshold | halts at |\n|---|---|---|\n");
  for (guint rule = 0; rule < FLEET_HALT_N_RULES; rule++)
    {
      g_autofree char *text = fleet_describe_halt_rule (plan, rule);

      g_string_append_printf (out, "| %s | %s | ", fleet_halt_rule_name (rule), text);
      if (fleet_halt_rule_is_per_wave (rule))
        g_string_append (out, "per wave, below |\n");
      else if (totals[rule] == FLEET_THRESHOLD_NEVER)
        g_string_append (out, "never |\n");
      else
        g_string_append_printf (out, "%u of %u hosts |\n", totals[rule], plan->hosts->len);
    }
}

/* Append `command` as a shell code block indented under a list item. */
static void
append_command_block (GString *out, const char *command)
{
  g_autofree char *fence = fleet_markdown_code_fence (command);
  g_auto(GStrv) lines = g_strsplit (command, "\n", -1);

  /* Line by line, so that only the other control characters are escaped;
   * a trailing line break adds no empty line. */
  g_string_append_printf (out, "   %ssh\n", fence);
  for (char **line = lines; *line != NULL; line++)
    {
      g_autofree char *shown = fleet_escape_for_terminal (*line);

      if (**line != '\0' || line[1] != NULL)
        g_string_append_printf (out, "   %s\n", shown);
    }
  g_string_append_printf (out, "   %s\n\n", fence);
}

/* Append the command each host runs when the step has `{{ }}` references,
 * once for all the hosts that render it alike. */
static void
append_rendered_commands (GString *out, const FleetStep *step)
{
  g_autofree const char **hosts = fleet_step_sorted_command_hosts (step);
  FleetHostGroups groups;

  if (hosts == NULL)
    return;

  fleet_host_groups_init (&groups);
  for (const char **host = hosts; *host != NULL; host++)
    fleet_host_groups_add (&groups, g_hash_table_lookup (step->host_commands, *host), *host);
  for (guint i = 0; i < groups.values->len; i++)
    {
      const char *command = g_ptr_array_index (groups.values, i);
      g_autofree char *on = fleet_host_groups_describe (&groups, command);
      g_autofree char *shown = fleet_markdown_escape (on);

      g_string_append_printf (out, "   On %s:\n\n", shown);
      append_command_block (out, command);
    }
  fleet_host_groups_clear (&groups);
}

/* Append what a copy or template step sets on the file it writes. */
static void
append_file_settings (GString *out, const FleetStep *step)
{
  g_autofree char *settings = fleet_plan_show_file_settings (step);
  g_autofree char *shown = NULL;

  if (settings == NULL)
    return;
  shown = fleet_markdown_escape (settings);
  g_string_append_printf (out, "   File: %s\n\n", shown);
}

static void
append_steps (GString *out, const FleetPlan *plan)
{
  g_string_append_printf (out, "\n## Steps\n\n%s\n\n", fleet_plan_show_steps_heading (plan, TRUE));
  for (guint i = 0; i < plan->steps->len; i++)
    {
      const FleetStep *step = g_ptr_array_index (plan->steps, i);
      g_autofree char *name = fleet_markdown_escape (step->name);

      g_string_append_printf (out, "%u. **%s** (timeout ", i + 1, name);
      fleet_append_duration (out, step->timeout_ms);
      g_string_append (out, ", expected exit ");
      fleet_append_exit_codes (out, step);
      if (step->become)
        {
          g_autofree char *user = fleet_markdown_escape (step->become_user != NULL ? step->become_user
                                                                              : "root");
          g_string_append_printf (out, ", as %s via sudo", user);
        }
      g_string_append (out, ")\n\n");
      append_command_block (out, step->command);
      append_rendered_commands (out, step);
      append_file_settings (out, step);
      fleet_plan_show_step_values_markdown (out, step);
      fleet_plan_show_step_barriers_markdown (out, step);
      fleet_plan_show_step_overlap_markdown (out, plan, i);
    }
}

/* The failure domains of `wave` for Markdown: "racks r1 r2". */
static char *
describe_domains (const FleetPlan *plan, const FleetWave *wave)
{
  GString *out = g_string_new (NULL);

  for (guint r = 0; r < plan->spread->len; r++)
    {
      const FleetSpreadRule *rule = g_ptr_array_index (plan->spread, r);
      g_autoptr(GPtrArray) values = fleet_wave_domain_values (plan, wave, rule->attribute);
      g_autofree char *attribute = fleet_markdown_escape (rule->attribute);
      guint shown = MIN (values->len, FLEET_SHOWN_DOMAINS_MAX);

      g_string_append_printf (out, "%s%s%s", r > 0 ? "; " : "", attribute,
                              values->len == 1 ? "" : "s");
      for (guint i = 0; i < shown; i++)
        {
          g_autofree char *value = fleet_markdown_escape (g_ptr_array_index (values, i));
          g_string_append_printf (out, " %s", value);
        }
      if (values->len > shown)
        g_string_append_printf (out, " and %u more", values->len - shown);
    }
  if (out->len == 0)
    g_string_append (out, "-");
  return g_string_free (out, FALSE);
}

static void
append_wave_table (GString *out, const FleetPlan *plan)
{
  g_string_append (out, "## Waves\n\n| wave | label | hosts | failure domains | thresholds |\n"
                        "|---|---|---|---|---|\n");
  for (guint w = 0; w < plan->waves->len; w++)
    {
      const FleetWave *wave = g_ptr_array_index (plan->waves, w);
      g_autofree char *raw_label = fleet_plan_wave_label (plan, w);
      g_autofree char *label = fleet_markdown_escape (raw_label);
      g_autofree char *domains = describe_domains (plan, wave);
      g_autofree char *halt = fleet_describe_halt (wave->halt_failed, wave->halt_unreachable);

      g_string_append_printf (out, "| %u | %s | %u | %s | %s |\n", w + 1, label,
                              wave->host_indices->len, domains, halt);
    }
}

static void
append_wave_hosts (GString *out, const FleetPlan *plan, guint index)
{
  const FleetWave *wave = g_ptr_array_index (plan->waves, index);
  g_autofree char *raw_label = fleet_plan_wave_label (plan, index);
  g_autofree char *label = fleet_markdown_escape (raw_label);
  g_autofree char *count = fleet_describe_count (wave->host_indices->len, "host");
  g_autofree char *domains = describe_domains (plan, wave);
  g_autofree char *halt = fleet_describe_halt (wave->halt_failed, wave->halt_unreachable);

  g_string_append_printf (out, "\n### Wave %u: %s\n\n%s; failure domains: %s; %s.\n\n",
                          index + 1, label, count, domains, halt);
  g_string_append (out, "| host | address | user | route |");
  for (guint r = 0; r < plan->spread->len; r++)
    {
      const FleetSpreadRule *rule = g_ptr_array_index (plan->spread, r);
      g_autofree char *attribute = fleet_markdown_escape (rule->attribute);

      g_string_append_printf (out, " %s |", attribute);
    }
  g_string_append (out, "\n|---|---|---|---|");
  for (guint r = 0; r < plan->spread->len; r++)
    g_string_append (out, "---|");
  g_string_append_c (out, '\n');

  for (guint i = 0; i < wave->host_indices->len; i++)
    {
      const FleetHost *host = g_ptr_array_index (plan->hosts,
                                                 g_array_index (wave->host_indices, guint32, i));
      g_autofree char *name = fleet_markdown_escape (host->name);
      g_autofree char *address = fleet_markdown_escape (host->address);
      g_autofree char *user = fleet_markdown_escape (host->user != NULL ? host->user
                                                                        : "(local user)");
      g_autofree char *route = fleet_plan_describe_host_route_markdown (plan, host);

      g_string_append_printf (out, "| %s | %s:%u | %s | %s |", name, address, host->port, user,
                              route);
      for (guint r = 0; r < plan->spread->len; r++)
        {
          const FleetSpreadRule *rule = g_ptr_array_index (plan->spread, r);
          g_autofree char *value = fleet_markdown_escape (g_hash_table_lookup (host->attributes,
                                                                         rule->attribute));
          g_string_append_printf (out, " %s |", value);
        }
      g_string_append_c (out, '\n');
    }
}

/* The schedule and windows as `fleetc show` prints them, in a code block:
 * its columns line up there, and its values are already made visible. */
static void
append_schedule (GString *out, const FleetPlan *plan)
{
  g_autoptr(GString) text = g_string_new (NULL);
  g_autofree char *fence = NULL;

  fleet_plan_show_schedule_text (text, plan);
  if (text->len == 0)
    return;

  fence = fleet_markdown_code_fence (text->str);
  g_string_append_printf (out, "\n## Schedule\n\n%s\n%s%s\n", fence,
                          text->str[0] == '\n' ? text->str + 1 : text->str, fence);
}

char *
fleet_plan_show_markdown (const FleetPlan *plan)
{
  GString *out = g_string_new (NULL);

  append_summary (out, plan);
  fleet_plan_show_trust_markdown (out, plan);
  append_halt_rules (out, plan);
  append_steps (out, plan);
  fleet_plan_show_progressive_markdown (out, plan);
  /* A list ends without a blank line, and a table must not continue it. */
  if (!g_str_has_suffix (out->str, "\n\n"))
    g_string_append_c (out, '\n');
  append_wave_table (out, plan);
  append_schedule (out, plan);
  for (guint w = 0; w < plan->waves->len; w++)
    append_wave_hosts (out, plan, w);
  fleet_plan_show_connections_markdown (out, plan);
  return g_string_free (out, FALSE);
}
