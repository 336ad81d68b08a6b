/* fleetc-snapshot.h: the `fleetc snapshot diff` command, which compares
 * two stored configuration snapshots (schema/fleet-snapshot-store.h). */
#pragma once

/* Run `fleetc snapshot diff ...` with argv[0] = "snapshot".  Returns the
 * exit status, as diff(1) does: 0 no change, 1 changes, 2 usage or input
 * errors. */
int fleetc_snapshot_main (int argc, char **argv);
