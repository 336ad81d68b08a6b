/* fleet-plan-show-steps.c: the kind and settings of a step in `fleetc show
 * --format json`, so that a reviewer sees what a step other than `run`
 * does, with the digest of every file it writes or runs, and the settings
 * rendered per host and the steps waited for on other hosts in text, JSON
 * and Markdown. */
#include "cli/fleet-plan-show-private.h"

#include <string.h>

#include "cli/plan-describe.h"
#include "schema/fleet-markdown.h"
#include "schema/fleet-model.h"
#include "schema/fleet-step-barrier.h"
#include "schema/fleet-step-values.h"
#include "schema/fleet-text.h"

static void
write_optional_string (FleetJsonWriter *json, const char *key, const char *value)
{
  if (value == NULL)
    return;
  fleet_json_key (json, key);
  fleet_json_string (json, value);
}

/* Write the SHA-256 of each host's rendering of a template, by host name. */
static void
write_host_digests (FleetJsonWriter *json, GHashTable *host_contents)
{
  g_autofree const char **hosts = fleet_sorted_string_keys (host_contents);

  if (hosts == NULL)
    return;

  fleet_json_key (json, "host_sha256");
  fleet_json_begin_object (json);
  for (guint i = 0; hosts[i] != NULL; i++)
    {
      g_autofree char *digest = fleet_sha256_hex (g_hash_table_lookup (host_contents, hosts[i]));

      fleet_json_key (json, hosts[i]);
      fleet_json_string (json, digest);
    }
  fleet_json_end_object (json);
}

/* Write the argv rendered for each host, by host name. */
static void
write_host_argv (FleetJsonWriter *json, GHashTable *host_contents)
{
  g_autofree const char **hosts = fleet_sorted_string_keys (host_contents);

  if (hosts == NULL)
    return;

  fleet_json_key (json, "host_argv");
  fleet_json_begin_object (json);
  for (guint i = 0; hosts[i] != NULL; i++)
    {
      gsize length = 0;
      const char *bytes = g_bytes_get_data (g_hash_table_lookup (host_contents, hosts[i]), &length);

      fleet_json_key (json, hosts[i]);
      fleet_json_begin_array (json);
      for (gsize offset = 0; offset < length; offset += strlen (bytes + offset) + 1)
        fleet_json_string (json, bytes + offset);
      fleet_json_end_array (json);
    }
  fleet_json_end_object (json);
}

static void
write_kind_details (FleetJsonWriter *json, const FleetStepKindData *data)
{
  fleet_json_key (json, "kind_details");
  fleet_json_begin_object (json);
  write_optional_string (json, "source", data->source);
  write_optional_string (json, "content_sha256", data->content_sha256);
  if (data->kind == FLEET_STEP_KIND_LOCAL)
    write_host_argv (json, data->host_contents);
  else
    write_host_digests (json, data->host_contents);
  write_optional_string (json, "interpreter", data->interpreter);
  write_optional_string (json, "dest", data->dest);
  if (data->mode != FLEET_COPY_MODE_UNSET)
    {
      g_autofree char *mode = g_strdup_printf ("%04o", data->mode);

      write_optional_string (json, "mode", mode);
    }
  write_optional_string (json, "owner", data->owner);
  write_optional_string (json, "group", data->group);
  write_optional_string (json, "command", data->command);
  write_optional_string (json, "boot_id_file", data->boot_id_file);
  if (data->deadline_ms > 0)
    {
      fleet_json_key (json, "deadline_ms");
      fleet_json_int (json, (gint64) data->deadline_ms);
    }
  if (data->interval_ms > 0)
    {
      fleet_json_key (json, "interval_ms");
      fleet_json_int (json, (gint64) data->interval_ms);
    }
  if (data->wait_port > 0)
    {
      write_optional_string (json, "address", data->wait_host);
      fleet_json_key (json, "port");
      fleet_json_int (json, data->wait_port);
    }
  write_optional_string (json, "path", data->wait_path);
  if (data->argv != NULL)
    {
      fleet_json_key (json, "argv");
      fleet_json_begin_array (json);
      for (guint i = 0; i < data->argv->len; i++)
        fleet_json_string (json, g_ptr_array_index (data->argv, i));
      fleet_json_end_array (json);
    }
  fleet_json_end_object (json);
}

static void
write_policy (FleetJsonWriter *json, const FleetStepPolicy *policy)
{
  g_autofree const char **names = fleet_sorted_string_keys (policy->env);

  fleet_json_key (json, "retries");
  fleet_json_int (json, policy->retries);
  fleet_json_key (json, "retry_delay_ms");
  fleet_json_int (json, (gint64) policy->retry_delay_ms);
  if (names != NULL)
    {
      fleet_json_key (json, "env");
      fleet_json_begin_object (json);
      for (guint i = 0; names[i] != NULL; i++)
        {
          fleet_json_key (json, names[i]);
          fleet_json_string (json, g_hash_table_lookup (policy->env, names[i]));
        }
      fleet_json_end_object (json);
    }
  write_optional_string (json, "workdir", policy->workdir);
  write_optional_string (json, "changed_when", policy->changed_when);
  write_optional_string (json, "failed_when", policy->failed_when);
}

void
fleet_plan_show_step_kind_json (FleetJsonWriter *json, const FleetStep *step)
{
  if (step->kind_data != NULL)
    {
      fleet_json_key (json, "kind");
      fleet_json_string (json, fleet_step_kind_name (step->kind_data->kind));
      write_kind_details (json, step->kind_data);
    }
  if (step->policy != NULL)
    write_policy (json, step->policy);
  fleet_plan_show_step_values_json (json, step);
  fleet_plan_show_step_barriers_json (json, step);
}

void
fleet_plan_show_step_barriers_json (FleetJsonWriter *json, const FleetStep *step)
{
  if (step->barriers == NULL)
    return;

  fleet_json_key (json, "waits_for");
  fleet_json_begin_array (json);
  for (guint i = 0; i < step->barriers->len; i++)
    {
      const FleetStepBarrier *barrier = g_ptr_array_index (step->barriers, i);

      fleet_json_begin_object (json);
      fleet_json_key (json, "step");
      fleet_json_string (json, barrier->step);
      fleet_json_key (json, "group");
      fleet_json_string (json, barrier->group);
      fleet_json_key (json, "hosts");
      fleet_json_begin_array (json);
      for (guint h = 0; barrier->hosts != NULL && h < barrier->hosts->len; h++)
        fleet_json_string (json, g_ptr_array_index (barrier->hosts, h));
      fleet_json_end_array (json);
      fleet_json_end_object (json);
    }
  fleet_json_end_array (json);
}

void
fleet_plan_show_step_barriers_text (GString *out, const FleetStep *step)
{
  for (guint i = 0; step->barriers != NULL && i < step->barriers->len; i++)
    {
      g_autofree char *line = fleet_describe_barrier (g_ptr_array_index (step->barriers, i));
      g_autofree char *shown = fleet_escape_for_terminal (line);

      g_string_append_printf (out, "       %s\n", shown);
    }
}

void
fleet_plan_show_step_barriers_markdown (GString *out, const FleetStep *step)
{
  for (guint i = 0; step->barriers != NULL && i < step->barriers->len; i++)
    {
      g_autofree char *line = fleet_describe_barrier (g_ptr_array_index (step->barriers, i));
      g_autofree char *shown = fleet_markdown_escape (line);

      g_string_append_printf (out, "   The step %s.\n\n", shown);
    }
}

void
fleet_plan_show_step_values_json (FleetJsonWriter *json, const FleetStep *step)
{
  g_autofree const char **hosts = NULL;

  if (step->values == NULL || step->values->host_values == NULL)
    return;

  hosts = fleet_sorted_string_keys (step->values->host_values);
  fleet_json_key (json, "host_values");
  fleet_json_begin_object (json);
  for (guint i = 0; hosts[i] != NULL; i++)
    {
      GHashTable *values = g_hash_table_lookup (step->values->host_values, hosts[i]);
      g_autofree const char **keys = fleet_sorted_string_keys (values);

      fleet_json_key (json, hosts[i]);
      fleet_json_begin_object (json);
      for (guint k = 0; keys[k] != NULL; k++)
        {
          fleet_json_key (json, keys[k]);
          fleet_json_string (json, g_hash_table_lookup (values, keys[k]));
        }
      fleet_json_end_object (json);
    }
  fleet_json_end_object (json);
}

void
fleet_plan_show_step_values_text (GString *out, const FleetStep *step)
{
  g_autofree const char **hosts = NULL;

  if (step->values == NULL || step->values->host_values == NULL)
    return;

  hosts = fleet_sorted_string_keys (step->values->host_values);
  for (guint i = 0; hosts[i] != NULL; i++)
    {
      GHashTable *values = g_hash_table_lookup (step->values->host_values, hosts[i]);
      g_autofree const char **keys = fleet_sorted_string_keys (values);
      g_autofree char *shown_host = fleet_escape_for_terminal (hosts[i]);

      g_string_append_printf (out, "       values on %s:\n", shown_host);
      for (guint k = 0; keys[k] != NULL; k++)
        {
          g_autofree char *escaped_value = fleet_escape_for_terminal (
            g_hash_table_lookup (values, keys[k]));

          g_string_append_printf (out, "         %s: %s\n", keys[k], escaped_value);
        }
    }
}

void
fleet_plan_show_step_values_markdown (GString *out, const FleetStep *step)
{
  g_autofree const char **hosts = NULL;

  if (step->values == NULL || step->values->host_values == NULL)
    return;

  hosts = fleet_sorted_string_keys (step->values->host_values);
  g_string_append (out, "   Values per host:\n\n");
  for (guint i = 0; hosts[i] != NULL; i++)
    {
      GHashTable *values = g_hash_table_lookup (step->values->host_values, hosts[i]);
      g_autofree const char **keys = fleet_sorted_string_keys (values);
      g_autofree char *shown_host = fleet_markdown_escape (hosts[i]);

      g_string_append_printf (out, "   - %s:", shown_host);
      for (guint k = 0; keys[k] != NULL; k++)
        {
          g_autofree char *shown_key = fleet_markdown_escape (keys[k]);
          g_autofree char *shown_value = fleet_markdown_escape (g_hash_table_lookup (values,
                                                                                     keys[k]));

          g_string_append_printf (out, "%s %s = %s", k == 0 ? "" : ";", shown_key, shown_value);
        }
      g_string_append_c (out, '\n');
    }
  g_string_append_c (out, '\n');
}

/* Return the words for the special bits of `mode`, e.g. " (setuid)", or
 * "" when it has none. */
static const char *
special_bits (guint32 mode)
{
  static const char *const words[] = {
    "", " (sticky)", " (setgid)", " (setgid, sticky)", " (setuid)", " (setuid, sticky)",
    " (setuid, setgid)", " (setuid, setgid, sticky)",
  };

  return words[(mode >> 9) & 07];
}

char *
fleet_plan_show_file_settings (const FleetStep *step)
{
  const FleetStepKindData *data = step->kind_data;
  GString *out;

  if (data == NULL
      || (data->kind != FLEET_STEP_KIND_COPY && data->kind != FLEET_STEP_KIND_TEMPLATE))
    return NULL;

  out = g_string_new (NULL);
  if (data->mode != FLEET_COPY_MODE_UNSET)
    g_string_append_printf (out, "mode %04o%s", data->mode, special_bits (data->mode));
  else
    g_string_append (out, "mode 0644 for a new file, an existing file keeps its own");

  g_string_append_printf (out, ", owner %s, group %s", data->owner != NULL ? data->owner
                                                                           : "unchanged",
                          data->group != NULL ? data->group : "unchanged");
  if (data->content_sha256 != NULL)
    g_string_append_printf (out, ", content sha256 %s", data->content_sha256);
  return g_string_free (out, FALSE);
}
