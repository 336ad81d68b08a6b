/* fleet-facts.h: facts about a host that step conditions may test as
 * `facts.NAME`.
 *
 * fleet-run gathers them once per host, before its first step, with the
 * POSIX sh command of fleet_facts_command(), and only when a condition of
 * the plan names a fact.  The command prints NAME=VALUE lines, which
 * fleet_facts_parse() turns into a table; os_family is derived from the
 * ID and ID_LIKE fields of /etc/os-release as Ansible names families
 * (Debian, RedHat, Suse, Archlinux, Alpine), else the ID as written.
 * A fact the host could not provide has no value, so a condition on it is
 * unknown.  Tables are char * -> char *, owned by the caller.
 */
#pragma once

#include <glib.h>

#include "schema/fleet-value.h"

G_BEGIN_DECLS

/* Return the names of the facts, NULL-terminated: os_family, os_id,
 * os_version, architecture, kernel, free_disk_mb. */
const char * const *fleet_facts_names (void);

/* Return whether `name` (without "facts.") is one of them. */
gboolean fleet_facts_is_name (const char *name);

/* Return the shell command that prints a host's facts; static. */
const char *fleet_facts_command (void);

/* Parse the command's output into a new table of the known facts with a
 * non-empty value. */
GHashTable *fleet_facts_parse (const char *output);

/* Resolve `name` ("facts.NAME") in `facts`: free_disk_mb as a number, the
 * others as strings borrowed from the table.  Returns FALSE when the name
 * is no fact or the host has no value for it. */
gboolean fleet_facts_lookup (GHashTable *facts, const char *name, FleetValue *out);

G_END_DECLS
