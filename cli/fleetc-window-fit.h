/* fleetc-window-fit.h: what makes every host fit, after a compile failed
 * because hosts do not fit their maintenance windows. */
#pragma once

#include "compiler/fleet-compiler.h"

G_BEGIN_DECLS

/* Compile and plan `workflow_path` again with `options`, and print a note
 * on standard error with the smallest change that fits and the schedule it
 * gives: the fewest days of windows up to a year (--window-days), else
 * the least parallelism, else one wave.  When none fits, the note says so
 * and that other windows are needed.  Prints nothing when the workflow
 * fails to compile, or fails to plan even without its windows: its errors
 * then have other causes.  Assumes that a range, or a parallelism, that
 * fits stays fitting when it grows; the search halves between a failing
 * and a fitting value on that assumption. */
void fleetc_report_earliest_fit (const char *workflow_path, const FleetCompileOptions *options);

G_END_DECLS
