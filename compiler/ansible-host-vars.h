/* ansible-host-vars.h: how a host's resolved Ansible variables map onto its
 * fleetc settings and attributes.
 *
 *   ansible_host, ansible_ssh_host             -> address (a name)
 *   ansible_port, ansible_ssh_port             -> port, 1 to 65535
 *   ansible_user, ansible_ssh_user             -> user (a name)
 *   ansible_ssh_private_key_file,
 *   ansible_private_key_file                   -> identity_file, relative to
 *                                                 the inventory's directory
 *                                                 unless it starts with ~/
 *   ansible_ssh_timeout                        -> connect_timeout, whole
 *                                                 seconds from 1 to 3600
 *   fleetc_identities_only                     -> identities_only (true,
 *                                                 false, yes, no, on, off)
 *   fleetc_known_hosts_file                    -> known_hosts_file, a path
 *                                                 as for the identity file
 *   fleetc_host_key_policy                     -> host_key_policy
 *   fleetc_hash_known_hosts                    -> hash_known_hosts
 *   fleetc_proxy_jump                          -> proxy_jump, a jump list
 *   fleetc_keepalive_interval                  -> keepalive_interval
 *   fleetc_keepalive_count_max                 -> keepalive_count_max
 *   fleetc_key_passphrase_secret               -> key_passphrase_secret
 *   fleetc_become_password_secret              -> become_password_secret
 *   ansible_ssh_common_args,
 *   ansible_ssh_extra_args                     -> proxy_jump from their
 *                                                 ProxyJump or -J option
 *                                                 (ansible-ssh-args.h),
 *                                                 unless fleetc_proxy_jump
 *                                                 is set; a ProxyCommand
 *                                                 is an error
 *
 * Any other variable whose name starts with fleetc_ is an error.  A
 * variable named like a fleetc setting (key_passphrase_secret, proxy_jump,
 * port...) stays an attribute, with a warning that names the variable that
 * sets it.
 *
 * Two names of one setting that resolve to different values are an error.
 * A setting whose value is null keeps fleetc's default.  A setting written
 * as a Jinja2 template ("{{" or "{%") is an error, because fleetc does not
 * evaluate templates.
 *
 * ansible_connection must be ssh, smart or paramiko (or null); any other
 * connection (local, winrm, docker...) is an error.  Password variables
 * (ansible_password, ansible_become_password and their older names) are
 * dropped with a warning and never stored.  Every other variable becomes
 * an attribute with its text (lists and mappings as JSON); a null value
 * sets no attribute.  A few variables that change how Ansible connects or
 * escalates privileges (ansible_become, ansible_ssh_common_args...) become
 * attributes too, with a warning that fleetc does not apply them.  The
 * SSH argument variables stay attributes as well.
 *
 * Warnings and errors about a definition are reported once per source, at
 * the place the value is written, not once per host.
 */
#pragma once

#include <glib.h>

#include "compiler/host-settings.h"
#include "schema/fleet-diagnostics.h"
#include "schema/fleet-model.h"

G_BEGIN_DECLS

/* What one source has already reported, so that a group variable shared by
 * a thousand hosts gives one message. */
typedef struct FleetAnsibleVarsContext FleetAnsibleVarsContext;

/* Create the context of a source whose relative key paths resolve against
 * `base_dir`, an absolute directory. */
FleetAnsibleVarsContext *fleet_ansible_vars_context_new (const char *base_dir);
void fleet_ansible_vars_context_free (FleetAnsibleVarsContext *context);

/* Apply `vars` (borrowed char * name -> const FleetAnsibleValue *, the
 * variables of `host` after precedence): attributes to `host`, and the
 * connection settings to `settings`, each marked with the position of the
 * value that set it.  The host resolver (host-resolver.h) then writes the
 * settings over the built-in defaults.  Problems are added to `diags`. */
void fleet_ansible_apply_vars (FleetDiagnostics *diags,
                               FleetAnsibleVarsContext *context,
                               GHashTable *vars,
                               FleetHost *host,
                               FleetHostSettings *settings);

G_END_DECLS
