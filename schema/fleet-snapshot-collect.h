/* fleet-snapshot-collect.h: parse the output of the snapshot collector
 * script (runtime/fleet-snapshot-collector.sh) into a snapshot.
 *
 * The output is line oriented, one record per line:
 *
 *   fleet-collector 1
 *   H NAME VALUE                   os-family or collector
 *   A CATEGORY                     the category was collected
 *   U CATEGORY REASON              the category could not be collected
 *   I CATEGORY KEY VALUE           KEY has no space; VALUE is the rest of
 *                                  the line and may be empty
 *   X CATEGORY HEXKEY HEXVALUE     hex-encoded key and value, "-" if empty
 *   F HEXPATH SHA256 MODE OWNER SIZE HEXLINK   a file; SHA256 and HEXLINK
 *                                  are "-" when there is none
 *   end
 *
 * Items must follow the A record of their category.  The parser accepts
 * any bytes without crashing: invalid input, a NUL byte or a missing "end"
 * (a truncated output) fails with FLEET_SNAPSHOT_ERROR_PARSE naming the
 * line.
 */
#pragma once

#include <glib.h>

#include "schema/fleet-snapshot.h"

G_BEGIN_DECLS

/* Parse collector output into a new snapshot, whose host and time the
 * caller sets.  `source` names the input in error messages. */
FleetSnapshot *fleet_snapshot_parse_collector (const char *text, gsize length,
                                               const char *source, GError **error);

G_END_DECLS
