/* fleetc-window-fit.h: the earliest schedule that fits, after a compile
 * failed because hosts do not fit their maintenance windows. */
#pragma once

#include "compiler/fleet-compiler.h"

G_BEGIN_DECLS

/* Compile and plan `workflow_path` again with `options` over ever longer
 * ranges of windows, up to 366 days, and print the first schedule that
 * fits, with the --window-days that gives it.  Prints nothing when none of
 * the ranges fits; the compile's errors then give the reasons. */
void fleetc_report_earliest_fit (const char *workflow_path, const FleetCompileOptions *options);

G_END_DECLS
