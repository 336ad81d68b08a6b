/* fleetc-diff.h: the `fleetc diff` command, which compares two plan files
 * for a change ticket (plan-diff.h). */
#pragma once

/* Exit statuses of `fleetc diff`, as for diff(1). */
#define FLEETC_DIFF_EQUIVALENT 0
#define FLEETC_DIFF_DIFFERENT 1
#define FLEETC_DIFF_ERROR 2

/* Run `fleetc diff OLD NEW [--format text|json|markdown]` with argv[0] =
 * "diff".  Returns FLEETC_DIFF_EQUIVALENT when the plans run the same (even
 * if their sources or signatures differ), FLEETC_DIFF_DIFFERENT when they
 * do not, and FLEETC_DIFF_ERROR when a plan cannot be read, fails its
 * integrity check, or the options are invalid. */
int fleetc_diff_main (int argc, char **argv);
