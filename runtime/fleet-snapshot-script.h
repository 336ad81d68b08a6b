/* fleet-snapshot-script.h: the command that collects a host's snapshot.
 *
 * The collector is one POSIX sh script (runtime/fleet-snapshot-collector.sh,
 * embedded at build time).  fleet_snapshot_collector_command appends the
 * calls for the requested categories, files and facts and wraps it all in
 * `sh -c`, so one command on the host's pooled connection collects
 * everything; schema/fleet-snapshot-collect.h parses its standard output.
 */
#pragma once

#include <glib.h>

#include "schema/fleet-snapshot.h"

G_BEGIN_DECLS

/* The embedded script, which defines the collect_* functions and runs
 * nothing by itself. */
extern const char fleet_snapshot_collector_script[];

typedef struct {
  guint categories;                   /* 1 << FleetSnapshotCategory bits;
                                       * 0: every category */
  const char *const *files;           /* paths or globs, NULL-terminated;
                                       * NULL: none */
  const char *const *fact_names;      /* NULL-terminated, parallel to */
  const char *const *fact_commands;   /* fact_commands; NULL: none */
} FleetSnapshotRequest;

/* Return the shell command for `request`.  Free with g_free. */
char *fleet_snapshot_collector_command (const FleetSnapshotRequest *request);

G_END_DECLS
