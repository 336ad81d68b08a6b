/* fleetc-verify.h: on-demand snapshots and compliance checks.
 *
 * `fleetc snapshot take` and `fleetc verify` select hosts from inventories
 * with --limit, as `fleetc run` does, build a plan without steps whose
 * snapshot settings collect each host's configuration once, and hand it to
 * fleet-run (cli/fleetc-launch.h).  fleet-run stores the snapshots and,
 * for verify, checks each one against the baseline, writes
 * drift-report.txt, .json and .md in the run directory and lists each
 * violation per host in its summary.
 *
 * Both return only on errors (exit status 2); otherwise the process
 * becomes fleet-run, whose exit status is 0 when every host was reached
 * (and, for verify, complies), 1 otherwise.
 */
#pragma once

/* Run `fleetc verify BASELINE ...` with argv[0] = "verify". */
int fleetc_verify_main (int argc, char **argv);

/* Run `fleetc snapshot take ...` with argv[0] = "take". */
int fleetc_snapshot_take_main (int argc, char **argv);
