/* fleet-model.h: the host and step records shared by the workflow IR and the
 * plan.
 *
 * The compiler fills these from the workflow and inventory files, the planner
 * copies them into the plan, and the runtime reads them back from the plan
 * file.  Every string and container is owned by the record that holds it and
 * is released by the matching _free function.
 */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

/* A position in an input file.  `file` is an interned string (never freed);
 * line and column count from 1, and 0 means "no position" (records read back
 * from a plan file have none). */
typedef struct {
  const char *file;
  guint line;
  guint column;
} FleetSourcePos;

#define FLEET_DEFAULT_SSH_PORT 22
#define FLEET_DEFAULT_CONNECT_TIMEOUT_MS 10000u

/* One managed server and the settings needed to reach it. */
typedef struct {
  char *name;               /* inventory name, unique within a plan */
  char *address;            /* host name or IP address to connect to */
  guint16 port;
  char *user;               /* remote login user */
  char *identity_file;      /* private key path; may start with "~/" */
  char *known_hosts_file;   /* NULL: "~/.ssh/known_hosts" at run time */
  guint32 connect_timeout_ms;
  GHashTable *attributes;   /* char * -> char *, free-form (dc, rack, role) */
  GPtrArray *groups;        /* char *, sorted names of the groups it is in */
  FleetSourcePos pos;
} FleetHost;

/* One shell command run on every target host. */
typedef struct {
  char *name;
  char *command;
  guint64 timeout_ms;       /* 0: no timeout */
  GArray *expected_exit_codes; /* int; never empty, defaults to {0} */
  gboolean become;          /* run through `sudo -n` */
  char *become_user;        /* NULL: root */
  FleetSourcePos pos;
} FleetStep;

FleetHost *fleet_host_new (const char *name);
FleetHost *fleet_host_copy (const FleetHost *host);
void fleet_host_free (FleetHost *host);

/* Return the attribute keys of `host`, sorted, as a NULL-terminated array of
 * borrowed strings; free the array (not the strings) with g_free. */
const char **fleet_host_sorted_attribute_keys (const FleetHost *host);

FleetStep *fleet_step_new (const char *name, const char *command);
FleetStep *fleet_step_copy (const FleetStep *step);
void fleet_step_free (FleetStep *step);

/* Return whether `exit_code` is one of the step's expected exit codes. */
gboolean fleet_step_expects_exit_code (const FleetStep *step, int exit_code);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (FleetHost, fleet_host_free)
G_DEFINE_AUTOPTR_CLEANUP_FUNC (FleetStep, fleet_step_free)

G_END_DECLS
