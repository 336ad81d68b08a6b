/* fleet-journal-read.h: read back the records of a run's journal.
 *
 * Each journal line is one flat JSON object written by fleet-journal.c.
 * The reader keeps the members whose values are strings, numbers, true or
 * false, as text, and skips nested objects and arrays; that is all that
 * `fleet-run --rollback` needs from a journal.
 */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

/* Parse one journal line.  Returns a new table of member name to value
 * text (numbers as written, true and false as words; null members are
 * left out), or NULL when the line is not a JSON object. */
GHashTable *fleet_journal_parse_line (const char *line);

G_END_DECLS
