/* python-literal.h: the Python literals that Ansible's INI inventory reader
 * accepts through ast.literal_eval, for the uses fleetc has for them.
 *
 * Supported: string literals with the prefixes r, u and b (also joined when
 * adjacent), integers (decimal, 0x, 0o, 0b, with underscores), floats,
 * True, False, None, an optional + or - sign on a number, and lists,
 * tuples, sets and dicts of these, nested at most 64 deep.  Complex
 * numbers, the Ellipsis, f-strings and \N{...} escapes are not literals
 * here, so text that uses them is kept as written.
 */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

typedef enum {
  FLEET_PYTHON_LITERAL_INVALID,     /* not one literal; `out` is NULL */
  FLEET_PYTHON_LITERAL_STRING,      /* `out` holds the string's contents */
  FLEET_PYTHON_LITERAL_SCALAR,      /* number, True or False; `out` holds the text as written */
  FLEET_PYTHON_LITERAL_NONE,        /* `out` is NULL */
  FLEET_PYTHON_LITERAL_COLLECTION,  /* `out` holds compact JSON */
} FleetPythonLiteralKind;

/* Parse `text` as one literal, optionally surrounded by spaces and followed
 * by a '#' comment, as Python's ast.literal_eval does.  Stores a new string
 * or NULL in `out`, as the kind says.  In the JSON of a collection, True,
 * False and None are true, false and null, tuples and sets are arrays (a
 * set keeps its first occurrence of each item, in written order), and dict
 * keys become strings as Python's json.dumps writes them; a repeated dict
 * key keeps its first place and its last value. */
FleetPythonLiteralKind fleet_python_literal_parse (const char *text, char **out);

G_END_DECLS
