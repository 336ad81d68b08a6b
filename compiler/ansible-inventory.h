/* ansible-inventory.h: Ansible's inventory model, shared by the INI, YAML
 * and dynamic inventory readers, and its resolution into a FleetInventory.
 *
 * A reader fills a FleetAnsibleInventory with what the source says: hosts
 * with their own variables, groups with their direct hosts, child groups and
 * variables, each with the position where it is written.  Resolution then
 * applies Ansible's rules:
 *
 *   - every group is under `all`; a host in no group other than `all` is in
 *     `ungrouped`;
 *   - a host in a child group is also in each ancestor group;
 *   - variables combine in the order all < groups by depth (a parent before
 *     its children), then by ansible_group_priority, then by group name <
 *     the host's own variables, the later value replacing the earlier one;
 *   - the result maps onto the host's settings and attributes as described
 *     in ansible-host-vars.h.
 *
 * The inventory owns every string and table it holds.
 */
#pragma once

#include <glib.h>

#include "schema/fleet-diagnostics.h"
#include "schema/fleet-workflow.h"

G_BEGIN_DECLS

/* Maximum number of hosts one source may define, and of names one host
 * pattern may expand to.  The YAML node limit allows about 50,000 hosts; INI
 * files and range patterns have no other bound. */
#define FLEET_MAX_HOSTS_PER_SOURCE 100000u

/* Maximum length in bytes of one variable value, after lists and mappings
 * are written as JSON.  Group variables are copied into every member host,
 * so a long value costs its length times the number of hosts. */
#define FLEET_MAX_VARIABLE_BYTES 65536u

/* The value of one variable.  `text` is NULL for a null value (Python's
 * None, YAML's ~).  A list or mapping is stored as compact JSON text with
 * `structured` set. */
typedef struct {
  char *text;
  gboolean structured;
  FleetSourcePos pos;          /* where the value is written */
  FleetSourcePos name_pos;     /* where the variable name is written */
} FleetAnsibleValue;

typedef struct {
  char *name;
  FleetSourcePos pos;          /* first place the host is written */
  GHashTable *vars;            /* char * -> FleetAnsibleValue * */
} FleetAnsibleHost;

/* A reference to a child group, where it is written. */
typedef struct {
  char *name;
  FleetSourcePos pos;
} FleetAnsibleChild;

typedef struct {
  char *name;
  FleetSourcePos pos;          /* first place the group is written */
  GHashTable *vars;            /* char * -> FleetAnsibleValue * */
  GPtrArray *hosts;            /* char *, direct members, unique, in order */
  GHashTable *host_set;        /* char * (borrowed from hosts) -> itself */
  GPtrArray *children;         /* FleetAnsibleChild *, unique by name */
} FleetAnsibleGroup;

typedef struct {
  char *path;                  /* source path as given */
  char *base_dir;              /* absolute directory for relative key paths */
  GPtrArray *hosts;            /* FleetAnsibleHost *, in order of first appearance */
  GHashTable *hosts_by_name;   /* borrowed from hosts */
  GPtrArray *groups;           /* FleetAnsibleGroup *, in order of first appearance */
  GHashTable *groups_by_name;  /* borrowed from groups */
} FleetAnsibleInventory;

/* Create an inventory for the source at `path`, with the groups `all` and
 * `ungrouped` already defined. */
FleetAnsibleInventory *fleet_ansible_inventory_new (const char *path);
void fleet_ansible_inventory_free (FleetAnsibleInventory *inventory);

/* Return the group `name`, creating it at `pos` when it is new. */
FleetAnsibleGroup *fleet_ansible_inventory_ensure_group (FleetAnsibleInventory *inventory,
                                                         const char *name,
                                                         const FleetSourcePos *pos);

/* Return the host `name`, creating it at `pos` when it is new.  Returns NULL
 * after reporting an error at `pos` when creating it would pass
 * FLEET_MAX_HOSTS_PER_SOURCE. */
FleetAnsibleHost *fleet_ansible_inventory_ensure_host (FleetAnsibleInventory *inventory,
                                                       FleetDiagnostics *diags,
                                                       const char *name,
                                                       const FleetSourcePos *pos);

/* Make `host` a direct member of `group`; a repeat changes nothing. */
void fleet_ansible_group_add_host (FleetAnsibleGroup *group, const char *host);

/* Make the group `child` a child of `group`, creating it at `pos` when it is
 * new; a repeat changes nothing. */
void fleet_ansible_group_add_child (FleetAnsibleInventory *inventory,
                                    FleetAnsibleGroup *group,
                                    const char *child,
                                    const FleetSourcePos *pos);

/* Return a new, empty table of variables (char * -> FleetAnsibleValue *). */
GHashTable *fleet_ansible_vars_new (void);

/* Set variable `name` in `vars` (of a host or group) to `text` (NULL for
 * null), replacing an earlier value.  Takes ownership of `text`.  Reports
 * an error and leaves `vars` unchanged when `text` is longer than
 * FLEET_MAX_VARIABLE_BYTES. */
void fleet_ansible_vars_set (FleetDiagnostics *diags,
                             GHashTable *vars,
                             const char *name,
                             const FleetSourcePos *name_pos,
                             char *text,
                             gboolean structured,
                             const FleetSourcePos *pos);

/* Check that `name` can be a host or group name, reporting an error at
 * `pos` that calls it a `kind` ("host" or "group") when it cannot. */
gboolean fleet_ansible_check_name (FleetDiagnostics *diags,
                                   const char *kind,
                                   const char *name,
                                   const FleetSourcePos *pos);

/* Resolve `inventory` as the header describes.  Returns a new inventory
 * whose source is inventory->path, or NULL when an error was reported. */
FleetInventory *fleet_ansible_inventory_resolve (FleetDiagnostics *diags,
                                                 const FleetAnsibleInventory *inventory);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (FleetAnsibleInventory, fleet_ansible_inventory_free)

G_END_DECLS
