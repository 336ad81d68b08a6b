/* fleet-known-hosts-private.h: the line parser and the file I/O behind
 * fleet-known-hosts.h.
 *
 * fleet-known-hosts-line.c parses one line and matches lookup names against
 * it.  fleet-known-hosts-file.c reads files and appends lines to them.
 * fleet-known-hosts.c keeps the table, decides verdicts and takes the lock,
 * which covers every call declared here.
 */
#pragma once

#include <glib.h>

#include "runtime/fleet-known-hosts.h"

G_BEGIN_DECLS

#define FLEET_KNOWN_HOSTS_MAX_QUOTED_CHARS 60

typedef enum {
  FLEET_KNOWN_HOSTS_MARKER_NONE,
  FLEET_KNOWN_HOSTS_MARKER_REVOKED,
  FLEET_KNOWN_HOSTS_MARKER_CERT_AUTHORITY,
} FleetKnownHostsMarker;

typedef struct {
  gboolean negated;
  char *text;                    /* lowercase, without the leading '!' */
  GPatternSpec *wildcard;        /* NULL when text has no '*' or '?' */
} FleetHostPattern;

typedef struct FleetHashedName FleetHashedName;

/* One parsed line.  The line owns its patterns, hashed name and key. */
typedef struct {
  FleetKnownHostsMarker marker;
  const char *file;              /* the table's copy of the path */
  guint line;
  guint sequence;                /* load order across files */
  GArray *patterns;              /* FleetHostPattern; NULL when hashed or revoked */
  FleetHashedName *hashed;       /* NULL unless the host field is "|1|SALT|HASH" */
  const char *key_type;          /* interned */
  GBytes *key;                   /* wire-format public key */
} FleetKnownHostsLine;

/* Parse `text`, a line without its newline, leading whitespace or comment
 * marker.  Returns a new line with `file`, `line` and `sequence` unset, or
 * NULL with a reason for the administrator in `*out_reason` (free with
 * g_free).  The host field of a @revoked line is not parsed, because a
 * revoked key is rejected for every host. */
FleetKnownHostsLine *fleet_known_hosts_line_parse (const char *text, char **out_reason);

/* Return a new line for `lookup_name` and `key`, plain or hashed with a
 * random salt, and its text, ending with a newline, in `*out_text`. */
FleetKnownHostsLine *fleet_known_hosts_line_new_for_host (const char *lookup_name,
                                                          const char *key_type,
                                                          GBytes *key,
                                                          gboolean hash,
                                                          char **out_text);

void fleet_known_hosts_line_free (FleetKnownHostsLine *line);

/* Return whether every host pattern of `line` is a plain name, so that the
 * line can be found by name instead of by a scan. */
gboolean fleet_known_hosts_line_is_indexable (const FleetKnownHostsLine *line);

/* Return whether `line` applies to the lowercase lookup `name`: some
 * pattern matches and no negated one does, or the hashed name is the
 * HMAC-SHA1 of `name`.  Threads may match at once. */
gboolean fleet_known_hosts_line_applies (const FleetKnownHostsLine *line,
                                         const char *name);

/* Fail with FLEET_KNOWN_HOSTS_ERROR_INVALID_KEY unless `blob` is an SSH
 * wire-format public key whose type name is `key_type`. */
gboolean fleet_known_hosts_validate_key (const char *key_type,
                                         const guint8 *blob,
                                         gsize blob_length,
                                         GError **error);

/* Return the contents of the file at `path`; a file that does not exist
 * reads as empty.  Fails with FLEET_KNOWN_HOSTS_ERROR_IO, naming the path. */
GString *fleet_known_hosts_file_read (const char *path, GError **error);

/* Append `text`, one line ending with a newline, to the file at `path` with
 * a single write(2) and sync it, as fleet_known_hosts_add() describes.  Sets
 * `*out_line_number` to the line the text starts on in the file as it is
 * now, whatever other programs did to it since it was loaded. */
gboolean fleet_known_hosts_file_append (const char *path,
                                        const char *text,
                                        guint *out_line_number,
                                        GError **error);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (FleetKnownHostsLine, fleet_known_hosts_line_free)

G_END_DECLS
