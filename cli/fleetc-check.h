/* fleetc-check.h: the `fleetc check` command, which resolves a plan's
 * inventory again and compares it with the inventory the plan was compiled
 * from. */
#pragma once

/* Run `fleetc check PLAN` with argv[0] = "check".  Returns the exit status:
 * 0 the resolved inventory is unchanged, 1 it changed, 2 the plan or the
 * inventory could not be read. */
int fleetc_check_main (int argc, char **argv);
