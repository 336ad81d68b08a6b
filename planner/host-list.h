/* host-list.h: hosts named in planner messages. */
#pragma once

#include <glib.h>

#include "schema/fleet-diagnostics.h"

G_BEGIN_DECLS

/* Hosts a message names before it only counts the rest. */
#define FLEET_LISTED_HOSTS_MAX 10

/* Return the names of `hosts` (FleetHost *), each quoted and escaped, the
 * first FLEET_LISTED_HOSTS_MAX joined by ", " and the rest counted: "\"a\",
 * \"b\" and 3 more".  Free with g_free. */
char *fleet_describe_hosts (const GPtrArray *hosts);

G_END_DECLS

G_BEGIN_DECLS

/* Report an error at `pos` when some of `hosts` (FleetHost *) lack
 * `attribute`, naming them; `user` says what needs the attribute, such as
 * "spread". Returns whether every host has it. */
gboolean fleet_check_hosts_have_attribute (FleetDiagnostics *diags,
                                           const FleetSourcePos *pos,
                                           const GPtrArray *hosts,
                                           const char *attribute,
                                           const char *user);

G_END_DECLS
