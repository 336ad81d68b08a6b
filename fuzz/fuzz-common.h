/* fuzz-common.h: what the libFuzzer targets in fuzz/ share.
 *
 * Each target is one fuzz-NAME.c file that defines LLVMFuzzerTestOneInput
 * and feeds the input to one parser through the same entry point the
 * programs use.  Targets that need a file write the input into a private
 * directory that this module creates on first use and removes at exit, so
 * a target never reads or runs anything outside it.
 *
 * A target aborts (through fuzz_fail) when the code breaks a contract its
 * header states, such as a canonical text that does not parse again, so that
 * libFuzzer records the input as a crash.
 */
#pragma once

#include <stddef.h>
#include <stdint.h>

#include <glib.h>

#include "schema/fleet-diagnostics.h"

G_BEGIN_DECLS

/* Return the path of `name` in the private directory; borrowed, valid until
 * the next call with the same name. */
const char *fuzz_path (const char *name);

/* Replace the file `name` in the private directory with `size` bytes of
 * `data`, mode 0600, and return its path as fuzz_path does.  Aborts when
 * the file cannot be written, because every later result would be
 * meaningless. */
const char *fuzz_write_file (const char *name, const uint8_t *data, size_t size);

/* Format every diagnostic as fleetc prints them, because the formatter
 * quotes the input line under each position and is as exposed to hostile
 * input as the parsers. */
void fuzz_format_diagnostics (const FleetDiagnostics *diags);

/* Abort unless every diagnostic about `file` (an interned string) has no
 * position (line 0), or names a column from 1 and a line of the `size` bytes
 * of `data`.  Every \n, \r and Unicode line break counts as the end of a
 * line, so a file that ends with one has one more, empty line. */
void fuzz_check_positions (const FleetDiagnostics *diags,
                           const char *file,
                           const uint8_t *data,
                           size_t size);

/* Print the formatted message on standard error and abort. */
G_NORETURN void fuzz_fail (const char *format, ...) G_GNUC_PRINTF (1, 2);

G_END_DECLS
