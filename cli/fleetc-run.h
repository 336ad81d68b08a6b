/* fleetc-run.h: the `fleetc run` command, which runs one ad-hoc command on
 * the hosts a selector picks, through the same planner and fleet-run as a
 * compiled workflow. */
#pragma once

/* Run `fleetc run [OPTIONS] --limit EXPR -- COMMAND [ARGS...]` with
 * argv[0] = "run".  On success the process becomes fleet-run (see
 * fleetc-launch.h), whose exit status is the command's.  Returns only on
 * failure, with 2 for invalid options, inventories or limits, or a plan
 * that could not be written or started. */
int fleetc_run_main (int argc, char **argv);
