/* scalar-position.h: map a character of a scalar's value back to its place
 * in the file.
 *
 * The value of a quoted or block scalar differs from its source text:
 * quotes, escapes, indentation and line folding come and go.  To point a
 * diagnostic at the right character of, say, a selector expression, the
 * source of the scalar is decoded again character by character, following
 * the YAML rules for its style, and each character produced is checked
 * against the value libyaml returned.  Plain scalars on one line map
 * directly.  When the decoding does not reproduce the value (a block scalar
 * with an explicit indentation indicator, or a rule this decoder lacks), the
 * position falls back to the scalar's first character and is marked
 * inexact, so a position is never wrong, only less precise.
 */
#pragma once

#include <glib.h>

#include "compiler/yaml-tree.h"

G_BEGIN_DECLS

/* Return the file position of character `index` (0-based, in characters) of
 * the value of scalar `node`.  An `index` at or past the end of the value
 * gives the position just after its last character.  `out_exact`, when not
 * NULL, is set to FALSE when the position is the fallback described above. */
FleetSourcePos fleet_scalar_char_position (const FleetYamlNode *node,
                                           guint index,
                                           gboolean *out_exact);

G_END_DECLS
