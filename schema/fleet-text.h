/* fleet-text.h: untrusted text made safe to print on a terminal. */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

/* Return `text` with everything that could change what a terminal shows
 * escaped: control characters, invalid UTF-8, C1 controls and the Unicode
 * bidirectional overrides, as \xNN or \uNNNN.  NULL gives "".  A plan under
 * review must display exactly the command it runs, so none of these may
 * reach the terminal raw.  Free with g_free. */
char *fleet_escape_for_terminal (const char *text);

/* Return "" when `count` is 1 and "s" otherwise, for "%u host%s". */
const char *fleet_plural_s (guint count);

/* Return `text`, a message of GLib, with the curly quotes GLib puts around
 * values replaced by plain double quotes, as fleetc's own messages quote.
 * Free with g_free. */
char *fleet_text_plain_quotes (const char *text);

/* Parse the options of `context` as g_option_context_parse does, with the
 * message of a parse error quoted as by fleet_text_plain_quotes. */
gboolean fleet_text_parse_options (GOptionContext *context, int *argc, char ***argv,
                                   GError **error);

G_END_DECLS
