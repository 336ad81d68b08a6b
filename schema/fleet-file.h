/* fleet-file.h: the reason a GLib file function failed, in the words of
 * fleetc's own messages, a file read that reports it so, and the write of
 * an output file that a user names.
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

/* Write `size` bytes of `data` to the output file `path`.  A regular file,
 * or a path that does not exist yet, is replaced atomically and synced, as
 * g_file_set_contents_full does with CONSISTENT and DURABLE, with `mode`.
 * An existing path that is not a regular file or a directory, such as
 * /dev/null, /dev/stdout or a named pipe, is written through as it is:
 * replacing it would put a regular file in place of a device, which as
 * root breaks every program that uses it.  Errors are G_FILE_ERROR with
 * the message "REASON" alone (fleet_file_error_reason); the caller names
 * the path. */
gboolean fleet_file_write_output (const char *path, const char *data, gsize size, int mode,
                                  GError **error);

G_END_DECLS
