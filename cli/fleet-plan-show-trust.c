/* fleet-plan-show-trust.c: the parts of `fleetc show` that a reviewer and
 * an approver check before signing: when the plan expires, which inventory
 * files it came from, and who signed it. */
#include "cli/fleet-plan-show-private.h"

#include "schema/fleet-markdown.h"
#include "schema/fleet-plan-expiry.h"
#include "schema/fleet-plan-signature.h"
#include "schema/fleet-text.h"

/* The column of the values in the plan summary. */
#define VALUE_INDENT "                    "

void
fleet_plan_show_trust_text (GString *out, const FleetPlan *plan)
{
  g_autofree char *validity = fleet_plan_describe_validity (plan);
  g_autoptr(GError) expired = NULL;

  g_string_append_printf (out, "  validity:         %s\n", validity);
  if (!fleet_plan_check_expiry (plan, fleet_clock_system (), &expired))
    g_string_append_printf (out, VALUE_INDENT "EXPIRED: fleet-run refuses it\n");

  for (guint i = 0; i < plan->inventory_files->len; i++)
    {
      const FleetInventoryFile *file = g_ptr_array_index (plan->inventory_files, i);
      g_autofree char *path = fleet_escape_for_terminal (file->path);

      g_string_append_printf (out, "%s%s (%s, sha256 %s)\n",
                              i == 0 ? "  inventory files:  " : VALUE_INDENT, path,
                              fleet_inventory_file_kind_to_string (file->kind), file->sha256);
      if (file->kind == FLEET_INVENTORY_FILE_PROGRAM)
        g_string_append (out, VALUE_INDENT "  fleet-run cannot check this program's output "
                              "without running it; `fleetc check PLAN` does\n");
    }
}

void
fleet_plan_show_signatures_text (GString *out, const FleetPlan *plan)
{
  g_string_append (out, "\nSignatures (fleet-run --require-signature KEY runs the plan only "
                        "with a valid one by KEY):\n");
  if (plan->signatures->len == 0)
    {
      g_string_append (out, "  none; an approver signs with `fleetc sign PLAN --key KEY`\n");
      return;
    }

  for (guint i = 0; i < plan->signatures->len; i++)
    {
      const FleetPlanSignature *signature = g_ptr_array_index (plan->signatures, i);
      g_autofree char *comment = fleet_escape_for_terminal (signature->comment);

      g_string_append_printf (out, "  %s  %s  \"%s\"%s\n", signature->fingerprint,
                              signature->valid ? "valid  " : "INVALID", comment,
                              signature->valid ? "" : "  (does not match this plan)");
    }
}

void
fleet_plan_show_trust_markdown_rows (GString *out, const FleetPlan *plan)
{
  g_autofree char *validity = fleet_plan_describe_validity (plan);

  g_string_append_printf (out, "| Validity | %s", validity);
  if (!fleet_plan_check_expiry (plan, fleet_clock_system (), NULL))
    g_string_append (out, "; **EXPIRED: fleet-run refuses it**");
  g_string_append (out, " |\n");

  if (plan->ssh_config_sources->len == 0)
    g_string_append (out, "| ssh_config | none |\n");
  for (guint i = 0; i < plan->ssh_config_sources->len; i++)
    {
      const FleetSourceFile *file = g_ptr_array_index (plan->ssh_config_sources, i);
      g_autofree char *path = fleet_markdown_escape (file->path);

      g_string_append_printf (out, "| %s | %s (SHA-256 `%s`) |\n",
                              i == 0 ? "ssh_config" : "ssh_config include", path, file->sha256);
    }
}

void
fleet_plan_show_trust_markdown (GString *out, const FleetPlan *plan)
{
  g_string_append (out, "\n## Inventory files\n\n");
  if (plan->inventory_files->len == 0)
    g_string_append (out, "None recorded.\n");
  else
    g_string_append (out, "| file | kind | SHA-256 |\n|---|---|---|\n");
  for (guint i = 0; i < plan->inventory_files->len; i++)
    {
      const FleetInventoryFile *file = g_ptr_array_index (plan->inventory_files, i);
      g_autofree char *path = fleet_markdown_escape (file->path);

      g_string_append_printf (out, "| %s | %s | `%s` |\n", path,
                              fleet_inventory_file_kind_to_string (file->kind), file->sha256);
    }
  for (guint i = 0; i < plan->inventory_files->len; i++)
    {
      const FleetInventoryFile *file = g_ptr_array_index (plan->inventory_files, i);

      if (file->kind == FLEET_INVENTORY_FILE_PROGRAM)
        {
          g_string_append (out, "\nfleet-run cannot check a program's output without running "
                                "it; `fleetc check PLAN` does.\n");
          break;
        }
    }

  g_string_append (out, "\n## Signatures\n\n`fleet-run --require-signature KEY` runs the plan "
                        "only with a valid signature by KEY.\n\n");
  if (plan->signatures->len == 0)
    {
      g_string_append (out, "None. An approver signs with `fleetc sign PLAN --key KEY`.\n");
      return;
    }

  g_string_append (out, "| key fingerprint | comment | valid |\n|---|---|---|\n");
  for (guint i = 0; i < plan->signatures->len; i++)
    {
      const FleetPlanSignature *signature = g_ptr_array_index (plan->signatures, i);
      g_autofree char *comment = fleet_markdown_escape (signature->comment);

      g_string_append_printf (out, "| `%s` | %s | %s |\n", signature->fingerprint, comment,
                              signature->valid ? "valid" : "**INVALID**: does not match this plan");
    }
}

static void
write_time_json (FleetJsonWriter *json, const char *key, gint64 unix_seconds)
{
  g_autofree char *text = NULL;

  fleet_json_key (json, key);
  if (unix_seconds == 0)
    {
      fleet_json_null (json);
      return;
    }

  text = fleet_format_utc_seconds (unix_seconds);
  fleet_json_string (json, text);
}

void
fleet_plan_show_trust_json (FleetJsonWriter *json, const FleetPlan *plan)
{
  write_time_json (json, "compiled_at", plan->format_version == 2 ? 0 : plan->compiled_at);
  write_time_json (json, "expires_at", plan->expires_at);
  fleet_json_key (json, "expired");
  fleet_json_bool (json, !fleet_plan_check_expiry (plan, fleet_clock_system (), NULL));

  fleet_json_key (json, "inventory_files");
  fleet_json_begin_array (json);
  for (guint i = 0; i < plan->inventory_files->len; i++)
    {
      const FleetInventoryFile *file = g_ptr_array_index (plan->inventory_files, i);

      fleet_json_begin_object (json);
      fleet_json_key (json, "path");
      fleet_json_string (json, file->path);
      fleet_json_key (json, "kind");
      fleet_json_string (json, fleet_inventory_file_kind_to_string (file->kind));
      fleet_json_key (json, "sha256");
      fleet_json_string (json, file->sha256);
      fleet_json_end_object (json);
    }
  fleet_json_end_array (json);
}

void
fleet_plan_show_signatures_json (FleetJsonWriter *json, const FleetPlan *plan)
{
  fleet_json_key (json, "signatures");
  fleet_json_begin_array (json);
  for (guint i = 0; i < plan->signatures->len; i++)
    {
      const FleetPlanSignature *signature = g_ptr_array_index (plan->signatures, i);

      fleet_json_begin_object (json);
      fleet_json_key (json, "fingerprint");
      fleet_json_string (json, signature->fingerprint);
      fleet_json_key (json, "comment");
      fleet_json_string (json, signature->comment);
      fleet_json_key (json, "valid");
      fleet_json_bool (json, signature->valid);
      fleet_json_end_object (json);
    }
  fleet_json_end_array (json);
}
