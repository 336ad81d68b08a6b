/* fleet-journal-reader.h: reading a run journal back, for resuming a run.
 *
 * The journal is JSON lines (fleet-journal.h).  fleet-run writes each line
 * with one write(2) call, so the only damage a crash leaves is a torn last
 * line: the start of a record without its end, when the process or the
 * machine stopped during the write.  The reader ignores such a line and
 * reports its byte offset as a warning.  A line that does not parse
 * anywhere else is an error, because fleet-run never writes one: the file
 * was changed by something else.  The exception is a line directly before a
 * run-resume record, which is the torn end of the session that the resume
 * continued (fleet_journal_open_append ends that line first).
 *
 * Ownership: the contents own their records; each record holds a reference
 * to its JSON object.  Errors are in G_IO_ERROR (reading) and
 * FLEET_JOURNAL_ERROR (contents).
 */
#pragma once

#include <glib.h>
#include <json-glib/json-glib.h>

G_BEGIN_DECLS

#define FLEET_JOURNAL_ERROR (fleet_journal_error_quark ())

typedef enum {
  FLEET_JOURNAL_ERROR_DAMAGED,   /* a line other than a torn one is not a record */
  FLEET_JOURNAL_ERROR_MISMATCH,  /* the records do not fit the plan or the run */
} FleetJournalError;

GQuark fleet_journal_error_quark (void);

/* One journal line. */
typedef struct {
  guint64 offset;                /* byte offset of the line in the file */
  guint line;                    /* line number, from 1 */
  const char *event;             /* the "event" member; borrowed from `object` */
  JsonObject *object;
} FleetJournalRecord;

typedef struct {
  char *path;
  GPtrArray *records;            /* FleetJournalRecord *, in file order */
  GPtrArray *warnings;           /* char *, one per torn line ignored, each
                                    naming the file and the byte offset */
  gint64 torn_offset;            /* offset of a torn last line, or -1 */
  gboolean ends_without_newline; /* the last byte is not '\n' */
} FleetJournalContents;

/* Read and parse the journal at `path`.  Returns NULL with an error when it
 * cannot be read or is damaged. */
FleetJournalContents *fleet_journal_read (const char *path, GError **error);

/* Parse `length` bytes of journal text; `path` names the file in messages.
 * The bytes need not end with a NUL byte, and may contain one, which makes
 * its line invalid. */
FleetJournalContents *fleet_journal_parse (const char *path, const char *data, gsize length,
                                           GError **error);

void fleet_journal_contents_free (FleetJournalContents *contents);

/* Return the string member `name` of `record`, or NULL when it is missing,
 * null or not a string; borrowed. */
const char *fleet_journal_record_get_string (const FleetJournalRecord *record, const char *name);

/* Return the integer member `name` of `record`, or `fallback` when it is
 * missing or not an integer. */
gint64 fleet_journal_record_get_int (const FleetJournalRecord *record, const char *name,
                                     gint64 fallback);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (FleetJournalContents, fleet_journal_contents_free)

G_END_DECLS
