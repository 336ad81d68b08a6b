/* settings-rules.h: connection settings for the hosts a selector picks.
 *
 * An inventory in fleetc's own format may list `settings` entries, each a
 * selector (`where`) with connection settings, such as a jump host and a
 * user for the hosts of one data center.  For each setting the first value
 * obtained wins:
 *
 *   the host's own keys, then the entries of `settings` whose selector is
 *   true for the host in file order, then the inventory's `defaults`, then
 *   the ssh_config and the built-in defaults (host-resolver.h).
 *
 * The entries are folded into each host's own settings before the resolver
 * runs.  So an inventory host used as a jump host gets them too, and each
 * setting keeps the position of the entry that gave it for later messages.
 * The plan contains only the resolved values, so fleet-run never evaluates
 * a selector.  Jump hosts that are not inventory hosts get none.
 *
 * The selectors see a host's `name`, its attributes, and `groups` with the
 * groups this inventory file lists.  They do not see dynamic groups, which
 * are filled only after every source is combined.
 */
#pragma once

#include <glib.h>

#include "compiler/host-settings.h"
#include "schema/fleet-diagnostics.h"
#include "schema/fleet-workflow.h"

G_BEGIN_DECLS

/* One entry of `settings`; owns its selector and settings. */
typedef struct {
  FleetSelector *where;          /* NULL when the selector was invalid */
  FleetHostSettings settings;
  FleetSourcePos pos;            /* of the entry */
} FleetSettingsRule;

FleetSettingsRule *fleet_settings_rule_new (const FleetSourcePos *pos);
void fleet_settings_rule_free (FleetSettingsRule *rule);

/* Fill the own settings of each host of `inventory` from `rules`
 * (FleetSettingsRule *), in order, leaving the settings a host sets itself.
 * `own_settings` maps each host name to its FleetHostSettings, as
 * fleet_resolve_hosts takes it.  Warns about names a selector uses that no
 * host has, and about an entry that selects no host.  A selector that
 * cannot be evaluated on a host is an error at the selector that names the
 * host. */
void fleet_apply_settings_rules (FleetDiagnostics *diags,
                                 const FleetInventory *inventory,
                                 const GPtrArray *rules,
                                 GHashTable *own_settings);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (FleetSettingsRule, fleet_settings_rule_free)

G_END_DECLS
