/* fleetc-snapshot.h: the `fleetc snapshot` commands: `diff` compares two
 * stored configuration snapshots (schema/fleet-snapshot-store.h), `take`
 * collects new ones (cli/fleetc-verify.h) and `list` shows what a store
 * holds (cli/fleetc-snapshot-list.h). */
#pragma once

/* Run `fleetc snapshot diff|take|list ...` with argv[0] = "snapshot".  For
 * diff, returns 0 when nothing unexpected changed (no change, or only
 * changes the --expect patterns match), 1 for an unexpected change and 2
 * for usage or input errors; take returns only on errors.  `--help` alone
 * prints every command and returns 0. */
int fleetc_snapshot_main (int argc, char **argv);
