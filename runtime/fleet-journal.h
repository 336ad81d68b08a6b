/* fleet-journal.h: the append-only JSON-lines record of a run.
 *
 * One line per event (run, wave, connection and step starts and ends), each
 * with a UTC timestamp.  Lines are written whole with one write(2) call, and
 * the file is synced to disk at every step end and at the end of the run, so
 * that after a crash the journal records exactly which steps finished.
 */
#pragma once

#include <glib.h>

#include "schema/fleet-json.h"

G_BEGIN_DECLS

typedef struct FleetJournal FleetJournal;

/* Create the journal at `path`; fails if the file already exists, so a run
 * never writes into another run's journal. */
FleetJournal *fleet_journal_create (const char *path, GError **error);

/* Close the journal after a final sync. */
void fleet_journal_close (FleetJournal *journal);

/* Begin a record for `event` at `wall_us`; add members with the writer, then
 * finish it with fleet_journal_commit. */
FleetJsonWriter *fleet_journal_begin (FleetJournal *journal, const char *event, gint64 wall_us);

/* Write the record begun last; sync the file when `sync` is set.  A write
 * error is kept and reported by fleet_journal_close's caller through
 * fleet_journal_get_error, since a run must not stop over its log. */
void fleet_journal_commit (FleetJournal *journal, gboolean sync);

/* Return the first write error, or NULL; borrowed. */
const GError *fleet_journal_get_error (const FleetJournal *journal);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (FleetJournal, fleet_journal_close)

G_END_DECLS
