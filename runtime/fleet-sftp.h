/* fleet-sftp.h: writing one file to a host over SFTP.
 *
 * Part of the SSH layer (fleet-transport.h): this module calls libssh's
 * sftp API on the session of a READY connection.  That API only blocks, so
 * the session is switched to blocking mode for the transfer and back
 * afterwards, with `timeout_ms` bounding each wait for the server.
 *
 * NOTE: the transfer blocks fleet-run's event loop, so other hosts make no
 * progress while a file is written; files in a plan are at most a few MiB.
 * A host behind a jump host is rejected, because its tunnel is relayed by
 * that same loop and the transfer would wait for itself.
 */
#pragma once

#include <glib.h>

#include "runtime/fleet-transport.h"

G_BEGIN_DECLS

/* Create `remote_path` on the connection's host, which must not exist yet,
 * with permission bits `mode`, and write `content` to it.  A relative path
 * is relative to the login directory.  Sets `out_absolute_path` to the
 * server's absolute form of the path (free with g_free).  Returns FALSE
 * with `error` set (G_IO_ERROR) naming the path and the server's reason;
 * a partly written file is removed. */
gboolean fleet_sftp_write_new_file (FleetConnection *connection,
                                    const char *remote_path,
                                    GBytes *content,
                                    guint32 mode,
                                    guint64 timeout_ms,
                                    char **out_absolute_path,
                                    GError **error);

G_END_DECLS
