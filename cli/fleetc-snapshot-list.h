/* fleetc-snapshot-list.h: `fleetc snapshot list`, which prints the index of
 * a snapshot store (schema/fleet-snapshot-store.h): time, host, run, label
 * and digest of each snapshot, as text or JSON. */
#pragma once

/* Run `fleetc snapshot list ...` with argv[0] = "list".  Returns 0, or 2
 * for a usage error or a store that cannot be read. */
int fleetc_snapshot_list_main (int argc, char **argv);
