/* fleet-file.h: the reason a GLib file function failed, in the words of
 * fleetc's own messages, and a file read that reports it so.
 *
 * GLib's file errors read "Failed to open file “PATH”: open() failed: No
 * such file or directory": the path in curly quotes and the system call,
 * inside messages that already name the path in plain quotes.  Messages of
 * fleetc and fleet-run name the path themselves and add only the reason.
 */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

/* Return why `error` failed.  For a G_FILE_ERROR with a system error code
 * that is the system's text for it ("No such file or directory").  For
 * any other error it is the message with curly quotes replaced by plain
 * double quotes.  Free with g_free. */
char *fleet_file_error_reason (const GError *error);

/* Read the file at `path` as g_file_get_contents does, with the same
 * error domain and code, but the message "cannot read PATH: REASON". */
gboolean fleet_file_get_contents (const char *path, char **out_contents, gsize *out_length,
                                  GError **error);

G_END_DECLS
