/* yaml-tree.h: a YAML document as a small tree of positioned nodes.
 *
 * The tree keeps what strict typing needs and nothing more: each node's kind,
 * its position, and for scalars the text and whether it was written plain.
 * An alias is a pointer to the anchored node, so one node can appear at
 * several places in the tree.  The document owns every node.
 */
#pragma once

#include <glib.h>

#include "schema/fleet-diagnostics.h"

G_BEGIN_DECLS

/* Maximum number of nodes in a document with every alias expanded.  A
 * 10,000-host inventory takes about 200,000, at some 20 nodes per host.  The
 * limit stops alias bombs, in which a few hundred bytes expand to billions
 * of nodes for any consumer that walks the tree. */
#define FLEET_YAML_MAX_EXPANDED_NODES 1000000u

/* Maximum nesting of sequences and mappings; real files need fewer than 10. */
#define FLEET_YAML_MAX_DEPTH 64u

/* Maximum characters of input text quoted in one message. */
#define FLEET_QUOTE_MAX_CHARS 60

typedef enum {
  FLEET_YAML_SCALAR,
  FLEET_YAML_SEQUENCE,
  FLEET_YAML_MAPPING,
} FleetYamlKind;

/* How a scalar was written, as libyaml reports it. */
typedef enum {
  FLEET_YAML_STYLE_PLAIN,
  FLEET_YAML_STYLE_SINGLE_QUOTED,
  FLEET_YAML_STYLE_DOUBLE_QUOTED,
  FLEET_YAML_STYLE_LITERAL,       /* | block */
  FLEET_YAML_STYLE_FOLDED,        /* > block */
} FleetYamlStyle;

typedef struct FleetYamlNode FleetYamlNode;

struct FleetYamlNode {
  FleetYamlKind kind;
  FleetSourcePos pos;         /* first character of the node, 1-based */

  /* Scalars: the text, NUL-terminated and free of other NUL bytes.  `plain`
   * is FALSE for quoted, literal and folded scalars and for the tags !!str
   * and !, which all make the text a string whatever it looks like. */
  char *value;
  gsize length;
  gboolean plain;
  FleetYamlStyle style;

  /* Scalars not written as plain text on one line: the source text from the
   * node's first character (`pos`) to its end, quotes and block header
   * included.  scalar-position.h maps a position inside the value back to
   * the file with it.  NULL for other nodes, whose value is their source
   * text. */
  char *source;

  /* A double-quoted scalar in a file whose name ends in ".json".  JSON can
   * write a duration or a wave size only as a string, so those types
   * accept it as if it were plain. */
  gboolean json_string;

  /* Sequences: the items.  Mappings: the values, with the scalar key of
   * values[i] in keys[i].  Both hold borrowed FleetYamlNode pointers. */
  GPtrArray *items;
  GPtrArray *keys;

  /* Number of nodes in this subtree with aliases expanded, at least 1. */
  guint64 expanded_size;

  /* Scalars: the position just after the node, and the document's text
   * (owned by the document, `text_length` bytes), which
   * fleet_yaml_scalar_locate reads. */
  FleetSourcePos end_pos;
  const char *text;
  gsize text_length;
};

typedef struct FleetYamlDocument FleetYamlDocument;

/* Parse `text` (`length` bytes, the contents of `file`, an interned string)
 * into a tree.  Returns NULL after reporting an error in `diags` when the
 * text is not one well-formed YAML document within the limits above.  A
 * duplicate mapping key is reported as an error but does not stop the parse:
 * the first value is kept and later ones are dropped. */
FleetYamlDocument *fleet_yaml_parse (const char *file,
                                     const char *text,
                                     gsize length,
                                     FleetDiagnostics *diags);

void fleet_yaml_document_free (FleetYamlDocument *document);

/* Return the root node; borrowed from the document. */
const FleetYamlNode *fleet_yaml_document_root (const FleetYamlDocument *document);

/* Return whether `node` is a YAML null: a plain empty scalar, `~`, `null`,
 * `Null` or `NULL`.  The parsers never turn a null into a string, so a
 * missing value cannot become the text "~". */
gboolean fleet_yaml_node_is_null (const FleetYamlNode *node);

/* Return "a scalar", "a list" or "a mapping", for messages. */
const char *fleet_yaml_kind_description (FleetYamlKind kind);

/* Return the value of `key` in `mapping`, or NULL when it is absent. */
const FleetYamlNode *fleet_yaml_mapping_lookup (const FleetYamlNode *mapping, const char *key);

/* Find the position in the source file of the byte at `value_offset` of a
 * scalar's value, when that byte starts the substring `needle` (such as
 * "{{").  The n-th occurrence of `needle` in the value is matched with the
 * n-th occurrence in the scalar's source text, which holds for plain,
 * single-quoted, double-quoted and block scalars alike because folding and
 * quoting never create or split the needle.  Returns FALSE, leaving `out`
 * alone, when the counts differ: a needle written with escapes such as
 * "\x7b{" in a double-quoted scalar, or also present in a block scalar's
 * header comment. */
gboolean fleet_yaml_scalar_locate (const FleetYamlNode *node,
                                   const char *needle,
                                   gsize value_offset,
                                   FleetSourcePos *out);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (FleetYamlDocument, fleet_yaml_document_free)

G_END_DECLS
