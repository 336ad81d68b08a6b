/* fleet-journal.h: the append-only JSON-lines record of a run.
 *
 * One line per event (run, wave, connection and step starts and ends), each
 * with a UTC timestamp.  Lines are written whole with one write(2) call, so
 * a kill -9 of fleet-run loses no line.  Lines asked to be durable are
 * synced to disk by a background thread in groups, once the event loop
 * calls fleet_journal_start_sync() or asks fleet_journal_is_synced(); the
 * executor starts a remote command only once its step-start line is
 * durable, so that after a power cut the journal names every step that may
 * have run.
 */
#pragma once

#include <glib.h>

#include "schema/fleet-json.h"

G_BEGIN_DECLS

typedef struct FleetJournal FleetJournal;

/* Create the journal at `path`; fails if the file already exists, so a run
 * never writes into another run's journal.  The journal holds an exclusive
 * flock(2) on the file while it is open, so a resume cannot write into a
 * run that is still going. */
FleetJournal *fleet_journal_create (const char *path, GError **error);

/* Open the existing journal at `path` to append to it, for a resumed run.
 * Fails with G_IO_ERROR_BUSY when another fleet-run has it open.  When the
 * file ends in a torn line (no final newline), a newline is written first,
 * so the torn bytes stay a line of their own that readers skip
 * (fleet-journal-reader.h), and nothing already written is changed. */
FleetJournal *fleet_journal_open_append (const char *path, GError **error);

/* Close the journal after a final sync, and stop its sync thread. */
void fleet_journal_close (FleetJournal *journal);

/* Begin a record for `event` at `wall_us`; add members with the writer, then
 * finish it with fleet_journal_commit. */
FleetJsonWriter *fleet_journal_begin (FleetJournal *journal, const char *event, gint64 wall_us);

/* Write the record begun last and return its sequence number (from 1).
 * When `sync` is set, the file is synced in the background at the next
 * fleet_journal_start_sync() or fleet_journal_is_synced() call.  A write error is kept and reported by
 * fleet_journal_close's caller through fleet_journal_get_error, since a run
 * must not stop over its log. */
guint64 fleet_journal_commit (FleetJournal *journal, gboolean sync);

/* Start a background sync of every record committed with `sync` so far,
 * unless one is on its way.  The event loop calls it before it waits, so
 * that the records of one turn of the loop share one flush. */
void fleet_journal_start_sync (FleetJournal *journal);

/* Return whether the record `sequence`, and every record before it, is on
 * disk; when it is not, start a sync as fleet_journal_start_sync() does. */
gboolean fleet_journal_is_synced (FleetJournal *journal, guint64 sequence);

/* A descriptor that becomes readable after each background sync, for the
 * event loop to poll; drain it with fleet_journal_drain_notify. */
int fleet_journal_get_notify_fd (const FleetJournal *journal);
void fleet_journal_drain_notify (FleetJournal *journal);

/* Return the first write error, or NULL; borrowed. */
const GError *fleet_journal_get_error (const FleetJournal *journal);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (FleetJournal, fleet_journal_close)

G_END_DECLS
