/* settings-rules.c: `settings` entries applied to the hosts they select;
 * the rules are in settings-rules.h. */
#include "compiler/settings-rules.h"

#include "compiler/selector.h"
#include "schema/fleet-expr.h"
#include "schema/fleet-host-selector.h"
#include "schema/fleet-value.h"

FleetSettingsRule *
fleet_settings_rule_new (const FleetSourcePos *pos)
{
  FleetSettingsRule *rule = g_new0 (FleetSettingsRule, 1);

  fleet_host_settings_init (&rule->settings);
  rule->pos = *pos;
  return rule;
}

void
fleet_settings_rule_free (FleetSettingsRule *rule)
{
  if (rule == NULL)
    return;

  g_clear_pointer (&rule->where, fleet_selector_free);
  fleet_host_settings_clear (&rule->settings);
  g_free (rule);
}

/* Evaluate the selector of `rule` on `host` into `out_match`.  Returns
 * FALSE after reporting an evaluation error. */
static gboolean
rule_selects (FleetDiagnostics *diags, const FleetSettingsRule *rule, guint index,
              const FleetHost *host, gboolean *out_match)
{
  g_autoptr(GError) error = NULL;
  gboolean ok = fleet_selector_matches_host (rule->where, host, out_match, &error);

  if (!ok)
    {
      g_autofree char *quoted_host = fleet_quote_value (host->name, FLEET_QUOTE_MAX_CHARS);

      fleet_diagnostics_error (diags, &rule->where->pos,
                               "the selector of settings entry %u fails on host %s: %s; "
                               "change the selector so it can be evaluated on every host",
                               index + 1, quoted_host, error->message);
    }
  return ok;
}

/* Apply `rule`, entry `index` of the list, to every host it selects.  An
 * evaluation error stops the rule after it was reported. */
static void
apply_rule (FleetDiagnostics *diags, const FleetInventory *inventory,
            const FleetSettingsRule *rule, guint index, GHashTable *own_settings)
{
  g_autofree char *key = g_strdup_printf ("settings[%u].where", index + 1);
  guint selected = 0;

  fleet_check_selector_names (diags, rule->where, key, inventory);

  for (guint i = 0; i < inventory->hosts->len; i++)
    {
      const FleetHost *host = g_ptr_array_index (inventory->hosts, i);
      FleetHostSettings *own = g_hash_table_lookup (own_settings, host->name);
      gboolean match = FALSE;

      if (!rule_selects (diags, rule, index, host, &match))
        return;
      if (!match || own == NULL)
        continue;

      fleet_host_settings_fill (own, &rule->settings, FLEET_SETTING_ALL);
      selected++;
    }

  if (selected == 0)
    fleet_diagnostics_warning (diags, &rule->where->pos,
                               "settings entry %u selects no host of this inventory; check "
                               "its selector", index + 1);
}

void
fleet_apply_settings_rules (FleetDiagnostics *diags,
                            const FleetInventory *inventory,
                            const GPtrArray *rules,
                            GHashTable *own_settings)
{
  for (guint r = 0; r < rules->len; r++)
    {
      const FleetSettingsRule *rule = g_ptr_array_index (rules, r);

      if (rule->where != NULL)
        apply_rule (diags, inventory, rule, r, own_settings);
    }
}
