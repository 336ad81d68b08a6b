/* fleet-plan-show.c: render a plan for review. */
#include "cli/fleet-plan-show.h"

#include <string.h>

#include "cli/fleet-plan-show-private.h"
#include "cli/plan-describe.h"
#include "schema/fleet-json.h"
#include "schema/fleet-text.h"

/* Append each non-empty line of `command` after `prefix`, escaped. */
static void
append_command_lines (GString *out, const char *prefix, const char *command)
{
  g_auto(GStrv) lines = g_strsplit (command, "\n", -1);

  for (char **line = lines; *line != NULL; line++)
    if (**line != '\0')
      {
        g_autofree char *shown = fleet_escape_for_terminal (*line);
        g_string_append_printf (out, "%s$ %s\n", prefix, shown);
      }
}

/* Return the hosts of `value` in `groups` for the terminal:
 * "host01..host20 (20 hosts)" or "web1". */
static char *
describe_group_hosts (const FleetHostGroups *groups, const char *value)
{
  g_autofree char *list = fleet_host_groups_describe (groups, value);

  return fleet_escape_for_terminal (list);
}

/* Append the command as written, then, when it has `{{ }}` references,
 * the rendered command that runs on each host, once for all the hosts
 * that render it alike. */
static void
append_step_commands (GString *out, const FleetStep *step)
{
  g_autofree const char **hosts = fleet_step_sorted_command_hosts (step);
  FleetHostGroups groups;

  if (hosts == NULL)
    {
      append_command_lines (out, "       ", step->command);
      return;
    }

  g_string_append (out, "       template:\n");
  append_command_lines (out, "         ", step->command);

  fleet_host_groups_init (&groups);
  for (const char **host = hosts; *host != NULL; host++)
    fleet_host_groups_add (&groups, g_hash_table_lookup (step->host_commands, *host), *host);
  for (guint i = 0; i < groups.values->len; i++)
    {
      const char *command = g_ptr_array_index (groups.values, i);
      g_autofree char *on = describe_group_hosts (&groups, command);

      g_string_append_printf (out, "       on %s:\n", on);
      append_command_lines (out, "         ", command);
    }
  fleet_host_groups_clear (&groups);
}

/* Append the condition fleet-run evaluates, and the hosts the compiler
 * found skip the step, grouped by reason. */
static void
append_step_conditions (GString *out, const FleetStep *step)
{
  g_autofree const char **hosts = fleet_sorted_string_keys (step->skipped_hosts);
  FleetHostGroups groups;

  if (step->when != NULL)
    {
      g_autofree char *shown = fleet_escape_for_terminal (step->when);

      g_string_append_printf (out, "       only when (checked by fleet-run): %s\n", shown);
    }

  fleet_host_groups_init (&groups);
  for (const char **host = hosts; host != NULL && *host != NULL; host++)
    fleet_host_groups_add (&groups, g_hash_table_lookup (step->skipped_hosts, *host), *host);
  for (guint i = 0; i < groups.values->len; i++)
    {
      const char *reason = g_ptr_array_index (groups.values, i);
      g_autofree char *on = describe_group_hosts (&groups, reason);
      g_autofree char *shown_reason = fleet_escape_for_terminal (reason);

      g_string_append_printf (out, "       skipped on %s: %s\n", on, shown_reason);
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
  shown = fleet_escape_for_terminal (settings);
  g_string_append_printf (out, "       file: %s\n", shown);
}

static void
append_steps_text (GString *out, const FleetPlan *plan)
{
  g_string_append_printf (out, "\nSteps (%s):\n", fleet_plan_show_steps_heading (plan, FALSE));
  for (guint i = 0; i < plan->steps->len; i++)
    {
      const FleetStep *step = g_ptr_array_index (plan->steps, i);
      g_autofree char *name = fleet_escape_for_terminal (step->name);

      g_string_append_printf (out, "  %u. %s  (timeout ", i + 1, name);
      fleet_append_duration (out, step->timeout_ms);
      g_string_append (out, ", expected exit ");
      fleet_append_exit_codes (out, step);
      if (step->become)
        {
          g_autofree char *user = fleet_escape_for_terminal (step->become_user != NULL
                                                         ? step->become_user : "root");
          g_string_append_printf (out, ", as %s via sudo", user);
        }
      if (step->idempotent)
        g_string_append (out, ", idempotent");
      g_string_append (out, ")\n");
      append_step_commands (out, step);
      append_file_settings (out, step);
      fleet_plan_show_step_values_text (out, step);
      fleet_plan_show_step_barriers_text (out, step);
      fleet_plan_show_step_overlap_text (out, plan, i);
      append_step_conditions (out, step);
    }
}

/* Append the connection settings a reviewer must notice: the jump host
 * and a host key policy other than strict. */
static void
append_route_text (GString *out, const FleetHost *host)
{
  if (host->proxy_jump != NULL)
    {
      g_autofree char *jump = fleet_escape_for_terminal (host->proxy_jump);

      g_string_append_printf (out, "  via %s", jump);
    }

  if (host->host_key_policy != FLEET_HOST_KEY_POLICY_STRICT)
    g_string_append_printf (out, "  host keys %s",
                            fleet_host_key_policy_to_string (host->host_key_policy));

  if (host->max_sessions != FLEET_DEFAULT_MAX_SESSIONS)
    g_string_append_printf (out, "  max sessions %u", host->max_sessions);
}

static void
append_host_text (GString *out, const FleetHost *host)
{
  g_autofree const char **keys = fleet_host_sorted_attribute_keys (host);
  g_autofree char *name = fleet_escape_for_terminal (host->name);
  g_autofree char *user = fleet_escape_for_terminal (host->user);
  g_autofree char *address = fleet_escape_for_terminal (host->address);

  g_string_append_printf (out, "  %s  %s%s%s:%u", name, user, host->user != NULL ? "@" : "",
                          address, host->port);
  append_route_text (out, host);
  for (const char **key = keys; *key != NULL; key++)
    {
      g_autofree char *shown_key = fleet_escape_for_terminal (*key);
      g_autofree char *value = fleet_escape_for_terminal (g_hash_table_lookup (host->attributes, *key));

      g_string_append_printf (out, "  %s=%s", shown_key, value);
    }
  g_string_append_c (out, '\n');
}

/* The order and spread rules, one header line each. */
static void
append_rollout_text (GString *out, const FleetPlan *plan)
{
  if (plan->order_by != NULL)
    {
      g_autofree char *by = fleet_escape_for_terminal (plan->order_by);
      g_string_append_printf (out, "  order:            stage by stage, by %s\n", by);
    }

  for (guint i = 0; i < plan->spread->len; i++)
    {
      const FleetSpreadRule *rule = g_ptr_array_index (plan->spread, i);
      g_autofree char *attribute = fleet_escape_for_terminal (rule->attribute);
      g_autofree char *text = fleet_describe_spread_rule (rule, attribute);

      g_string_append_printf (out, "  spread:           %s\n", text);
    }
}

static void
append_halt_rules_text (GString *out, const FleetPlan *plan)
{
  const guint32 totals[FLEET_HALT_N_RULES] = {
    [FLEET_HALT_FAILED_TOTAL] = plan->halt_failed_total,
    [FLEET_HALT_UNREACHABLE_TOTAL] = plan->halt_unreachable_total,
  };

  g_string_append (out, "\nHalt rules (the run halts when a count reaches its threshold; "
                        "hosts in flight finish):\n");
  for (guint rule = 0; rule < FLEET_HALT_N_RULES; rule++)
    {
      g_autofree char *text = fleet_describe_halt_rule (plan, rule);

      g_string_append_printf (out, "  %-21s %s", fleet_halt_rule_name (rule), text);
      if (fleet_halt_rule_is_per_wave (rule))
        g_string_append (out, ", resolved per wave below");
      else if (totals[rule] == FLEET_THRESHOLD_NEVER)
        g_string_append (out, ", never halts");
      else
        g_string_append_printf (out, ", halts at %u of the %u hosts", totals[rule],
                                plan->hosts->len);
      g_string_append_c (out, '\n');
    }
}

static void
append_waves_text (GString *out, const FleetPlan *plan)
{
  g_string_append (out, "\nWaves (in order):\n");
  for (guint w = 0; w < plan->waves->len; w++)
    {
      const FleetWave *wave = g_ptr_array_index (plan->waves, w);
      g_autofree char *label = fleet_plan_wave_label (plan, w);
      g_autofree char *shown_label = fleet_escape_for_terminal (label);
      g_autofree char *count = fleet_describe_count (wave->host_indices->len, "host");
      g_autofree char *domains = fleet_describe_wave_domains (plan, wave);
      g_autofree char *halt = fleet_describe_halt (wave->halt_failed, wave->halt_unreachable);

      g_string_append_printf (out, "  %s", shown_label);
      if (wave->stage != NULL)
        g_string_append_printf (out, " [wave %u of the run]", w + 1);
      g_string_append_printf (out, ": %s%s%s; %s\n   ", count, domains[0] != '\0' ? "; " : "",
                              domains, halt);
      for (guint i = 0; i < wave->host_indices->len; i++)
        {
          const FleetHost *host = g_ptr_array_index (plan->hosts,
                                                     g_array_index (wave->host_indices, guint32, i));
          g_autofree char *name = fleet_escape_for_terminal (host->name);
          g_string_append_printf (out, " %s", name);
        }
      g_string_append_c (out, '\n');
    }
}

static void
append_ssh_config_text (GString *out, const FleetPlan *plan)
{
  if (plan->ssh_config_sources->len == 0)
    {
      g_string_append (out, "  ssh_config:       none\n");
      return;
    }

  for (guint i = 0; i < plan->ssh_config_sources->len; i++)
    {
      const FleetSourceFile *file = g_ptr_array_index (plan->ssh_config_sources, i);
      g_autofree char *path = fleet_escape_for_terminal (file->path);

      g_string_append_printf (out, "  %-18s%s (sha256 %s)\n", i == 0 ? "ssh_config:" : "", path,
                              file->sha256);
    }
}

char *
fleet_plan_show_text (const FleetPlan *plan)
{
  GString *out = g_string_new (NULL);
  g_autofree char *workflow_name = fleet_escape_for_terminal (plan->workflow_name);
  g_autofree char *workflow_source = fleet_escape_for_terminal (plan->workflow_source);
  g_autofree char *inventory_source = fleet_escape_for_terminal (plan->inventory_source);

  g_string_append_printf (out, "Plan for workflow \"%s\"\n", workflow_name);
  g_string_append_printf (out, "  plan sha256:      %s\n", plan->file_sha256 ? plan->file_sha256 : "");
  g_string_append_printf (out, "  format version:   %u\n", plan->format_version);
  g_string_append_printf (out, "  workflow:         %s (sha256 %s)\n",
                          workflow_source,
                          plan->workflow_sha256 ? plan->workflow_sha256 : "");
  g_string_append_printf (out, "  inventory:        %s (digest %s)\n",
                          inventory_source,
                          plan->inventory_sha256 ? plan->inventory_sha256 : "");
  append_ssh_config_text (out, plan);
  if (plan->limit != NULL)
    {
      g_autofree char *limit = fleet_escape_for_terminal (plan->limit);
      g_string_append_printf (out, "  limit:            %s\n", limit);
    }
  g_string_append_printf (out, "  hosts:            %u in %u wave%s\n", plan->hosts->len,
                          plan->waves->len, plan->waves->len == 1 ? "" : "s");
  g_string_append_printf (out, "  parallelism:      at most %u hosts at once\n",
                          plan->parallelism);
  fleet_plan_show_overlap_summary_text (out, plan);
  fleet_plan_show_pacing_text (out, plan);
  append_rollout_text (out, plan);
  fleet_plan_show_trust_text (out, plan);

  append_steps_text (out, plan);

  append_halt_rules_text (out, plan);
  fleet_plan_show_progressive_text (out, plan);
  append_waves_text (out, plan);
  fleet_plan_show_schedule_text (out, plan);

  g_string_append (out, "\nHosts:\n");
  for (guint i = 0; i < plan->hosts->len; i++)
    append_host_text (out, g_ptr_array_index (plan->hosts, i));

  fleet_plan_show_connections_text (out, plan);
  fleet_plan_show_jump_hosts_text (out, plan);
  fleet_plan_show_signatures_text (out, plan);

  return g_string_free (out, FALSE);
}

static void
write_strings_json (FleetJsonWriter *json, const char *key, const GPtrArray *strings)
{
  fleet_json_key (json, key);
  fleet_json_begin_array (json);
  for (guint i = 0; i < strings->len; i++)
    fleet_json_string (json, g_ptr_array_index (strings, i));
  fleet_json_end_array (json);
}

static void
write_host_json (FleetJsonWriter *json, const FleetHost *host)
{
  g_autofree const char **keys = fleet_host_sorted_attribute_keys (host);

  fleet_json_begin_object (json);
  fleet_json_key (json, "name");
  fleet_json_string (json, host->name);
  fleet_json_key (json, "address");
  fleet_json_string (json, host->address);
  fleet_json_key (json, "port");
  fleet_json_int (json, host->port);
  fleet_json_key (json, "user");
  fleet_json_string (json, host->user);
  write_strings_json (json, "identity_files", host->identity_files);
  fleet_json_key (json, "identities_only");
  fleet_json_bool (json, host->identities_only);
  write_strings_json (json, "known_hosts_files", host->known_hosts_files);
  fleet_json_key (json, "host_key_policy");
  fleet_json_string (json, fleet_host_key_policy_to_string (host->host_key_policy));
  fleet_json_key (json, "hash_known_hosts");
  fleet_json_bool (json, host->hash_known_hosts);
  fleet_json_key (json, "proxy_jump");
  fleet_json_string (json, host->proxy_jump);
  fleet_json_key (json, "connect_timeout_ms");
  fleet_json_int (json, host->connect_timeout_ms);
  fleet_json_key (json, "keepalive_interval_ms");
  fleet_json_int (json, host->keepalive_interval_ms);
  fleet_json_key (json, "keepalive_count_max");
  fleet_json_int (json, host->keepalive_count_max);
  if (host->max_sessions != FLEET_DEFAULT_MAX_SESSIONS)
    {
      fleet_json_key (json, "max_sessions");
      fleet_json_int (json, host->max_sessions);
    }
  fleet_json_key (json, "key_passphrase_secret");
  fleet_json_string (json, host->key_passphrase_secret);
  fleet_json_key (json, "become_password_secret");
  fleet_json_string (json, host->become_password_secret);
  fleet_json_key (json, "attributes");
  fleet_json_begin_object (json);
  for (const char **key = keys; *key != NULL; key++)
    {
      fleet_json_key (json, *key);
      fleet_json_string (json, g_hash_table_lookup (host->attributes, *key));
    }
  fleet_json_end_object (json);
  write_strings_json (json, "groups", host->groups);
  fleet_json_end_object (json);
}

/* Write "host_commands", host name to rendered command in name order, for
 * a step whose command has references. */
static void
write_host_commands_json (FleetJsonWriter *json, const FleetStep *step)
{
  g_autofree const char **hosts = fleet_step_sorted_command_hosts (step);

  if (hosts == NULL)
    return;

  fleet_json_key (json, "host_commands");
  fleet_json_begin_object (json);
  for (const char **host = hosts; *host != NULL; host++)
    {
      fleet_json_key (json, *host);
      fleet_json_string (json, g_hash_table_lookup (step->host_commands, *host));
    }
  fleet_json_end_object (json);
}

static void
write_skipped_hosts_json (FleetJsonWriter *json, const FleetStep *step)
{
  g_autofree const char **hosts = fleet_sorted_string_keys (step->skipped_hosts);

  if (hosts == NULL)
    return;

  fleet_json_key (json, "skipped_hosts");
  fleet_json_begin_object (json);
  for (const char **host = hosts; *host != NULL; host++)
    {
      fleet_json_key (json, *host);
      fleet_json_string (json, g_hash_table_lookup (step->skipped_hosts, *host));
    }
  fleet_json_end_object (json);
}

static void
write_step_json (FleetJsonWriter *json, const FleetStep *step, guint index)
{
  fleet_json_begin_object (json);
  fleet_json_key (json, "index");
  fleet_json_int (json, index);
  fleet_json_key (json, "name");
  fleet_json_string (json, step->name);
  fleet_json_key (json, "command");
  fleet_json_string (json, step->command);
  fleet_json_key (json, "timeout_ms");
  fleet_json_int (json, (gint64) step->timeout_ms);
  fleet_json_key (json, "expect_exit");
  fleet_json_begin_array (json);
  for (guint i = 0; i < step->expected_exit_codes->len; i++)
    fleet_json_int (json, g_array_index (step->expected_exit_codes, int, i));
  fleet_json_end_array (json);
  fleet_json_key (json, "become");
  fleet_json_bool (json, step->become);
  fleet_json_key (json, "become_user");
  fleet_json_string (json, step->become_user);
  if (step->idempotent)
    {
      fleet_json_key (json, "idempotent");
      fleet_json_bool (json, TRUE);
    }
  fleet_plan_show_step_kind_json (json, step);
  write_host_commands_json (json, step);
  if (step->when != NULL)
    {
      fleet_json_key (json, "when");
      fleet_json_string (json, step->when);
    }
  write_skipped_hosts_json (json, step);
  fleet_json_end_object (json);
}

static void
write_source_json (FleetJsonWriter *json, const char *key, const char *name,
                   const char *source, const char *sha256)
{
  fleet_json_key (json, key);
  fleet_json_begin_object (json);
  if (name != NULL)
    {
      fleet_json_key (json, "name");
      fleet_json_string (json, name);
    }
  fleet_json_key (json, "source");
  fleet_json_string (json, source);
  fleet_json_key (json, "sha256");
  fleet_json_string (json, sha256);
  fleet_json_end_object (json);
}

static void
write_threshold_json (FleetJsonWriter *json, const char *key, guint32 threshold)
{
  fleet_json_key (json, key);
  if (threshold == FLEET_THRESHOLD_NEVER)
    fleet_json_null (json);
  else
    fleet_json_int (json, threshold);
}

/* The limit, order, spread and halt rules of the plan. */
static void
write_rollout_json (FleetJsonWriter *json, const FleetPlan *plan)
{
  const guint32 totals[FLEET_HALT_N_RULES] = {
    [FLEET_HALT_FAILED_TOTAL] = plan->halt_failed_total,
    [FLEET_HALT_UNREACHABLE_TOTAL] = plan->halt_unreachable_total,
  };

  fleet_json_key (json, "limit");
  fleet_json_string (json, plan->limit);
  fleet_json_key (json, "order_by");
  fleet_json_string (json, plan->order_by);

  fleet_json_key (json, "spread");
  fleet_json_begin_array (json);
  for (guint i = 0; i < plan->spread->len; i++)
    {
      const FleetSpreadRule *rule = g_ptr_array_index (plan->spread, i);
      g_autofree char *limit = fleet_threshold_to_string (&rule->max_per_wave);

      fleet_json_begin_object (json);
      fleet_json_key (json, "by");
      fleet_json_string (json, rule->attribute);
      fleet_json_key (json, "max_per_wave");
      fleet_json_string (json, limit);
      fleet_json_end_object (json);
    }
  fleet_json_end_array (json);

  fleet_json_key (json, "halt_at");
  fleet_json_begin_object (json);
  for (guint rule = 0; rule < FLEET_HALT_N_RULES; rule++)
    {
      g_autofree char *threshold = fleet_threshold_to_string (&plan->halt_at[rule]);

      fleet_json_key (json, fleet_halt_rule_name (rule));
      fleet_json_begin_object (json);
      fleet_json_key (json, "threshold");
      fleet_json_string (json, threshold);
      fleet_json_key (json, "default");
      fleet_json_bool (json, plan->halt_at_default[rule]);
      if (!fleet_halt_rule_is_per_wave (rule))
        write_threshold_json (json, "halts_at", totals[rule]);
      fleet_json_end_object (json);
    }
  fleet_json_end_object (json);
}

/* The label, stage, domains and thresholds of wave `index`. */
static void
write_wave_summary_json (FleetJsonWriter *json, const FleetPlan *plan, guint index)
{
  const FleetWave *wave = g_ptr_array_index (plan->waves, index);
  g_autofree char *label = fleet_plan_wave_label (plan, index);

  fleet_json_key (json, "label");
  fleet_json_string (json, label);
  fleet_json_key (json, "stage");
  fleet_json_string (json, wave->stage);
  fleet_json_key (json, "canary");
  fleet_json_bool (json, wave->canary);
  fleet_json_key (json, "host_count");
  fleet_json_int (json, wave->host_indices->len);

  fleet_json_key (json, "domains");
  fleet_json_begin_object (json);
  for (guint r = 0; r < plan->spread->len; r++)
    {
      const FleetSpreadRule *rule = g_ptr_array_index (plan->spread, r);
      g_autoptr(GPtrArray) values = fleet_wave_domain_values (plan, wave, rule->attribute);

      fleet_json_key (json, rule->attribute);
      fleet_json_begin_array (json);
      for (guint i = 0; i < values->len; i++)
        fleet_json_string (json, g_ptr_array_index (values, i));
      fleet_json_end_array (json);
    }
  fleet_json_end_object (json);

  fleet_json_key (json, "halt_at");
  fleet_json_begin_object (json);
  write_threshold_json (json, "failed", wave->halt_failed);
  write_threshold_json (json, "unreachable", wave->halt_unreachable);
  fleet_json_end_object (json);
}

static void
write_ssh_config_json (FleetJsonWriter *json, const FleetPlan *plan)
{
  fleet_json_key (json, "ssh_config");
  fleet_json_begin_object (json);
  fleet_json_key (json, "path");
  fleet_json_string (json, plan->ssh_config_path);
  fleet_json_key (json, "sources");
  fleet_json_begin_array (json);
  for (guint i = 0; i < plan->ssh_config_sources->len; i++)
    {
      const FleetSourceFile *file = g_ptr_array_index (plan->ssh_config_sources, i);

      fleet_json_begin_object (json);
      fleet_json_key (json, "path");
      fleet_json_string (json, file->path);
      fleet_json_key (json, "sha256");
      fleet_json_string (json, file->sha256);
      fleet_json_end_object (json);
    }
  fleet_json_end_array (json);
  fleet_json_end_object (json);
}

char *
fleet_plan_show_json (const FleetPlan *plan)
{
  GString *out = g_string_new (NULL);
  FleetJsonWriter json;

  fleet_json_writer_init (&json, out);
  fleet_json_begin_object (&json);
  fleet_json_key (&json, "format_version");
  fleet_json_int (&json, plan->format_version);
  fleet_json_key (&json, "sha256");
  fleet_json_string (&json, plan->file_sha256);
  write_source_json (&json, "workflow", plan->workflow_name, plan->workflow_source,
                     plan->workflow_sha256);
  write_source_json (&json, "inventory", NULL, plan->inventory_source, plan->inventory_sha256);
  write_ssh_config_json (&json, plan);
  fleet_plan_show_trust_json (&json, plan);
  fleet_json_key (&json, "parallelism");
  fleet_json_int (&json, plan->parallelism);
  fleet_plan_show_pacing_json (&json, plan);

  fleet_json_key (&json, "steps");
  fleet_json_begin_array (&json);
  for (guint i = 0; i < plan->steps->len; i++)
    write_step_json (&json, g_ptr_array_index (plan->steps, i), i + 1);
  fleet_json_end_array (&json);
  fleet_plan_show_overlap_json (&json, plan);

  write_rollout_json (&json, plan);
  fleet_plan_show_progressive_json (&json, plan);

  fleet_json_key (&json, "waves");
  fleet_json_begin_array (&json);
  for (guint w = 0; w < plan->waves->len; w++)
    {
      const FleetWave *wave = g_ptr_array_index (plan->waves, w);

      fleet_json_begin_object (&json);
      fleet_json_key (&json, "index");
      fleet_json_int (&json, w + 1);
      write_wave_summary_json (&json, plan, w);
      fleet_json_key (&json, "hosts");
      fleet_json_begin_array (&json);
      for (guint i = 0; i < wave->host_indices->len; i++)
        write_host_json (&json, g_ptr_array_index (plan->hosts,
                                                   g_array_index (wave->host_indices, guint32, i)));
      fleet_json_end_array (&json);
      fleet_json_end_object (&json);
    }
  fleet_json_end_array (&json);
  fleet_plan_show_schedule_json (&json, plan);

  fleet_json_key (&json, "jump_hosts");
  fleet_json_begin_array (&json);
  for (guint i = 0; i < plan->jump_hosts->len; i++)
    write_host_json (&json, g_ptr_array_index (plan->jump_hosts, i));
  fleet_json_end_array (&json);
  fleet_plan_show_signatures_json (&json, plan);
  fleet_json_end_object (&json);

  g_string_append_c (out, '\n');
  return g_string_free (out, FALSE);
}
