/* fleet-run-output.h: each host's command output printed after a run, for
 * `fleet-run --print-output` and `fleetc run`.
 *
 * The output comes from the files the run wrote (RUN_DIR/output/HOST/
 * NN.stdout and NN.stderr), so it is complete up to the output cap and
 * never interleaves between hosts.  Every line is prefixed with the host's
 * name, as `pssh -i` and `clush` print it: standard output lines go to
 * `out` and standard error lines to `err`.  Hosts come in plan order,
 * steps in order.  Remote output is untrusted, so control characters,
 * invalid UTF-8 and bidirectional overrides are escaped (fleet-text.h).
 */
#pragma once

#include <stdio.h>

#include <glib.h>

#include "runtime/fleet-executor.h"

G_BEGIN_DECLS

/* Print the output of every step that started on a host of `result`,
 * read from `run_dir`.  A file that is missing (a step that printed
 * nothing) is passed over. */
void fleet_run_print_output (FILE *out, FILE *err, const FleetPlan *plan,
                             const FleetRunResult *result, const char *run_dir);

G_END_DECLS
