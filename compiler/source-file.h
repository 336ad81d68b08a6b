/* source-file.h: reading input files within the size limit. */
#pragma once

#include <glib.h>

#include "schema/fleet-diagnostics.h"

G_BEGIN_DECLS

/* Read the regular file at `path` whole and register its text, unless it
 * is empty, with `diags` under the interned `path`, so that diagnostics can
 * quote it.  `kind`
 * names the file in messages ("workflow", "inventory").  Returns NULL after
 * reporting an error when the file cannot be read or is larger than
 * FLEET_MAX_INPUT_BYTES; the error is reported at `reference` (the key that
 * named the file) when not NULL, else at the file without a line. */
GBytes *fleet_read_source_file (FleetDiagnostics *diags,
                                const char *path,
                                const char *kind,
                                const FleetSourcePos *reference);

/* Read the file at `path` as fleet_read_source_file does, but first reject
 * it, as OpenSSH rejects its user configuration, when its owner is neither
 * the user running fleetc nor root, or when its group or others may write
 * it, because another user who can change the file can change where
 * fleetc connects. */
GBytes *fleet_read_trusted_source_file (FleetDiagnostics *diags,
                                        const char *path,
                                        const char *kind,
                                        const FleetSourcePos *reference);

G_END_DECLS
