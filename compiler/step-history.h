/* step-history.h: step run times learned from the journals of earlier runs.
 *
 * `fleetc compile --history PATH` reads each PATH: a run directory (with
 * journal.jsonl), a journal file, or a directory whose subdirectories are
 * run directories.  Every `step-end` record with status "ok" counts one run
 * of the step it names; failed steps are left out because a step that
 * stopped early tells little about how long it takes.
 */
#pragma once

#include "schema/fleet-diagnostics.h"
#include "schema/fleet-workflow.h"

G_BEGIN_DECLS

/* Journals larger than this are rejected, because each is read whole into
 * memory. */
#define FLEET_HISTORY_MAX_JOURNAL_BYTES (1024u * 1024 * 1024)

/* Return a new table of step name -> FleetStepHistory * (owned by the
 * table) over every journal under `paths` (NULL-terminated).  A path that
 * cannot be read is an error in `diags`; a line that is not a journal
 * record is a warning with its file and line.  Returns NULL after an
 * error. */
GHashTable *fleet_read_step_history (const char * const *paths, FleetDiagnostics *diags);

/* Return the median and the nearest-rank 95th percentile of `durations_ms`
 * (guint64, at least one), which is sorted in place. */
FleetStepHistory fleet_step_history_summarize (GArray *durations_ms);

G_END_DECLS
