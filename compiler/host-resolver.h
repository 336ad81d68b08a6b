/* host-resolver.h: every host's connection settings, settled from the
 * inventory, the ssh_config and the built-in defaults.
 *
 * Precedence, first value obtained wins:
 *
 *   inventory host:  its own keys, the inventory `defaults`, the ssh_config
 *                    blocks that match its name, the built-in defaults.
 *   jump host named in a jump list (proxy_jump or ProxyJump):
 *                    the user and port written in the list first.  Then,
 *                    when the name is an inventory host, that host's
 *                    settings as above.  Otherwise the ssh_config blocks
 *                    that match the name, the inventory `defaults` except
 *                    proxy_jump and become_password_secret, and the
 *                    built-in defaults.
 *
 * A jump list `a,b` on a host makes two jump hosts: `a`, reached as its own
 * settings say, and `a,b`, reached through `a`; the host then jumps through
 * `a,b`.  Jump hosts are named by their list prefix, so the same name always
 * means the same route.  A route that comes back to a host on it is a loop.
 *
 * Problems that depend on the host (a rejected ssh_config line, a loop)
 * become FleetHostProblem records rather than diagnostics, because they
 * matter only for the hosts that a workflow selects.
 */
#pragma once

#include <glib.h>

#include "compiler/host-settings.h"
#include "compiler/ssh-config.h"
#include "schema/fleet-workflow.h"

G_BEGIN_DECLS

/* Settle the connection settings of every host of `inventory`, in order.
 * `own_settings` maps each host name to the FleetHostSettings its inventory
 * entry writes, and a host without settings may be absent.  `defaults` is
 * the inventory's `defaults`, and `ssh_config` may be NULL.  Adds the jump
 * hosts to inventory->jump_hosts and the problems to
 * inventory->host_problems. */
void fleet_resolve_hosts (FleetInventory *inventory,
                          GHashTable *own_settings,
                          const FleetHostSettings *defaults,
                          const FleetSshConfig *ssh_config);

G_END_DECLS
