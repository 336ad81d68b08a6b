/* ansible-ini.h: Ansible inventories in INI form.
 *
 *   # comment            ; comment (only at the start of a line)
 *   mail.example.com     hosts before any section are in `ungrouped`
 *   [web]                a group and its hosts, one host pattern per line,
 *   web[01:50].dc1 http_port=80 ansible_port=2222
 *   db1:2222             with an optional :PORT and key=value variables
 *   [web:vars]           variables of a group, one key=value per line
 *   http_port=8080
 *   [prod:children]      child groups, one per line
 *   web
 *
 * Host lines are split as ini-words.h describes, and every value, in host
 * lines and in :vars sections alike, is read as python-literal.h describes
 * (Ansible's code does the same in both places).  Host patterns expand as
 * host-range.h describes; a pattern [ADDRESS]:PORT or an address with two
 * or more colons is an IPv6 address and is not expanded.
 *
 * As in Ansible, [group:vars] and [parent:children] may refer to a group
 * only if some [group] or [group:children] section defines it, before or
 * after; `all` and `ungrouped` always exist.  Every error names the file,
 * line and column.
 */
#pragma once

#include <glib.h>

#include "compiler/ansible-inventory.h"
#include "schema/fleet-diagnostics.h"

G_BEGIN_DECLS

/* Read `text` (`length` bytes, the contents of `path`) into a new Ansible
 * inventory.  Returns NULL when an error was added to `diags`. */
FleetAnsibleInventory *fleet_ansible_ini_read (FleetDiagnostics *diags,
                                               const char *path,
                                               const char *text,
                                               gsize length);

G_END_DECLS
