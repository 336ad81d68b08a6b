/* fleet-oom.h: aborting when a library's allocator runs out of memory.
 *
 * fleetc follows GLib's policy for memory: g_malloc() aborts when memory
 * runs out instead of returning NULL, so no caller has an out-of-memory
 * path.  These helpers apply the same policy to objects that OpenSSL,
 * libssh and the kernel allocate for us.  Use them only where the call
 * can fail for no other reason than an allocation failure (a contract the
 * call site states); a failure with another cause, such as a bad key or a
 * closed socket, is an error for the caller to report.
 */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

/* Return `object`, or abort the process naming `what` (the call that
 * allocated it) when it is NULL. */
gpointer fleet_oom_check (gpointer object, const char *what);

/* Abort the process naming `what` unless `succeeded`: for calls that
 * report an allocation failure with a status instead of a NULL pointer. */
void fleet_oom_check_status (gboolean succeeded, const char *what);

G_END_DECLS
