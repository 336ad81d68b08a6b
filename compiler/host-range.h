/* host-range.h: Ansible host patterns: ranges such as web[01:50].dc1 and
 * an optional :PORT.
 *
 * A host pattern is text with zero or more ranges in square brackets:
 *
 *   range   = "[" [begin] ":" end [":" step] "]"
 *   numeric = begin and end are decimal digits; an empty begin is 0
 *   letters = begin and end are single letters, ordered a..z then A..Z
 *
 * As in Ansible, a begin with a leading zero ("01") pads every number to
 * its width, and then the end must have the same width.  The step is a
 * whole number of at least 1 (default 1).  Several ranges give every
 * combination, the first range varying slowest, so rack[1:2]-n[1:2] gives
 * rack1-n1, rack1-n2, rack2-n1, rack2-n2.
 *
 * Unlike Ansible, a range whose begin is after its end is an error (Ansible
 * expands it to nothing), and so is an unclosed or stray bracket.
 */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

#define FLEET_HOST_RANGE_ERROR (fleet_host_range_error_quark ())
GQuark fleet_host_range_error_quark (void);

typedef enum {
  FLEET_HOST_RANGE_ERROR_SYNTAX,      /* brackets or the begin:end:step form */
  FLEET_HOST_RANGE_ERROR_ORDER,       /* begin is after end */
  FLEET_HOST_RANGE_ERROR_WIDTH,       /* zero-padded begin and end differ in width */
  FLEET_HOST_RANGE_ERROR_STEP,        /* step is not a whole number >= 1 */
  FLEET_HOST_RANGE_ERROR_TOO_MANY,    /* expansion exceeds the caller's limit */
} FleetHostRangeError;

/* Return whether `pattern` contains a range, that is a '[' or ']'. */
gboolean fleet_host_pattern_has_range (const char *pattern);

/* Expand every range of `pattern` into host names, in order.  The count is
 * computed before any name is built, so a pattern that would give more than
 * `max_names` names is rejected without allocating them.
 *
 * Returns a new array of new strings (free with g_ptr_array_unref), one
 * element (a copy of `pattern`) when there is no range.  On failure returns
 * NULL, sets `error` (FLEET_HOST_RANGE_ERROR) with a message that quotes the
 * range, and stores in `error_offset` the byte offset in `pattern` of the
 * part at fault. */
GPtrArray *fleet_expand_host_pattern (const char *pattern,
                                      guint64 max_names,
                                      gsize *error_offset,
                                      GError **error);

/* A host pattern split into its port and expanded host names. */
typedef struct {
  GPtrArray *names;            /* char *, the host names in order */
  char *port;                  /* the digits after ':', or NULL */
  gsize port_offset;           /* byte offset of the port in the pattern */
} FleetHostPattern;

/* Parse `pattern` as Ansible's inventory files do:
 *
 *   [ADDRESS]:PORT    an IPv6 address (two or more colons) with a port
 *   ADDRESS           an IPv6 address alone (two or more colons outside
 *                     brackets); neither form is expanded
 *   NAME:PORT         any other pattern, with an optional port of digits
 *
 * and expand the ranges of the name with fleet_expand_host_pattern.  A
 * pattern ending in ':' and "---" (the start of a YAML document) are
 * errors.  Returns FALSE with `error` and `error_offset` set as
 * fleet_expand_host_pattern does; `out` is filled only on success. */
gboolean fleet_parse_host_pattern (const char *pattern,
                                   guint64 max_names,
                                   FleetHostPattern *out,
                                   gsize *error_offset,
                                   GError **error);

void fleet_host_pattern_clear (FleetHostPattern *pattern);

G_END_DECLS
