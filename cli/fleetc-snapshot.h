/* fleetc-snapshot.h: the `fleetc snapshot` commands: `diff` compares two
 * stored configuration snapshots (schema/fleet-snapshot-store.h), `take`
 * collects new ones (cli/fleetc-verify.h) and `list` shows what a store
 * holds (cli/fleetc-snapshot-list.h). */
#pragma once

/* Run `fleetc snapshot diff|take|list ...` with argv[0] = "snapshot".  For
 * diff, returns the exit status as diff(1) does: 0 no change, 1 changes, 2
 * usage or input errors; take returns only on errors. */
int fleetc_snapshot_main (int argc, char **argv);
