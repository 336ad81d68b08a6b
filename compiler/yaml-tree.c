/* yaml-tree.c: build a FleetYamlNode tree from libyaml's event stream.
 *
 * libcyaml is not used, for two reasons found in its src/load.c.  Its
 * cyaml__read_bool reads a boolean field as false only for false, no,
 * disable or 0, and as true for every other string, typos, "~" and empty
 * values included.  Its cyaml__handle_alias replays the anchor's recorded
 * events for each alias, so a few hundred bytes of nested aliases cost
 * gigabytes, even under keys that the schema ignores.
 *
 * Here libyaml only tokenizes, and the parsers type each value by its key.
 * An alias becomes a pointer to the anchored node.  The expanded size of the
 * document is counted while building, so an alias bomb is rejected at the
 * first alias that crosses FLEET_YAML_MAX_EXPANDED_NODES.
 */
#include "compiler/yaml-tree.h"

#include <string.h>
#include <yaml.h>

#define TAG_STR "tag:yaml.org,2002:str"
#define TAG_SEQ "tag:yaml.org,2002:seq"
#define TAG_MAP "tag:yaml.org,2002:map"

struct FleetYamlDocument {
  GPtrArray *nodes;             /* FleetYamlNode *, owns every node */
  FleetYamlNode *root;
  char *text;                   /* copy of the parsed text, NUL-terminated */
  gsize text_length;
};

/* A sequence or mapping whose end event has not been seen yet. */
typedef struct {
  FleetYamlNode *node;
  FleetYamlNode *pending_key;   /* mapping: key waiting for its value */
  gboolean drop_value;          /* the pending key repeats an earlier key */
  GHashTable *first_keys;       /* mapping: key text -> first key node */
  guint64 count_at_start;       /* expanded_count before this node */
} Frame;

typedef struct {
  const char *file;
  const char *text;
  gsize length;
  FleetSourcePos end;           /* just after the last character, as libyaml counts */
  FleetDiagnostics *diags;
  FleetYamlDocument *document;
  const char *scan_text;        /* the text libyaml reads: after a byte order mark */
  gsize scan_length;
  gsize cursor_index;           /* a character index into scan_text ... */
  gsize cursor_offset;          /* ... and its byte offset, moved forward only */
  GArray *frames;               /* Frame, innermost last */
  GHashTable *anchors;          /* anchor name -> node */
  guint64 expanded_count;       /* nodes so far with aliases expanded */
  guint n_documents;
  gboolean failed;
} Builder;

static void
node_free (FleetYamlNode *node)
{
  g_free (node->value);
  g_free (node->source);
  if (node->items != NULL)
    g_ptr_array_unref (node->items);
  if (node->keys != NULL)
    g_ptr_array_unref (node->keys);
  g_free (node);
}

void
fleet_yaml_document_free (FleetYamlDocument *document)
{
  if (document == NULL)
    return;

  g_ptr_array_unref (document->nodes);
  g_free (document->text);
  g_free (document);
}

const FleetYamlNode *
fleet_yaml_document_root (const FleetYamlDocument *document)
{
  return document->root;
}

gboolean
fleet_yaml_node_is_null (const FleetYamlNode *node)
{
  static const char * const null_words[] = { "", "~", "null", "Null", "NULL" };

  if (node->kind != FLEET_YAML_SCALAR || !node->plain)
    return FALSE;

  for (gsize i = 0; i < G_N_ELEMENTS (null_words); i++)
    if (strcmp (node->value, null_words[i]) == 0)
      return TRUE;

  return FALSE;
}

const char *
fleet_yaml_kind_description (FleetYamlKind kind)
{
  switch (kind)
    {
    case FLEET_YAML_SCALAR:
      return "a scalar";
    case FLEET_YAML_SEQUENCE:
      return "a list";
    case FLEET_YAML_MAPPING:
      return "a mapping";
    default:
      g_return_val_if_reached ("a node");
    }
}

const FleetYamlNode *
fleet_yaml_mapping_lookup (const FleetYamlNode *mapping, const char *key)
{
  g_return_val_if_fail (mapping->kind == FLEET_YAML_MAPPING, NULL);

  for (guint i = 0; i < mapping->keys->len; i++)
    {
      const FleetYamlNode *key_node = g_ptr_array_index (mapping->keys, i);
      if (strcmp (key_node->value, key) == 0)
        return g_ptr_array_index (mapping->items, i);
    }

  return NULL;
}

/* Return the 1-based line and column (in characters) of byte `offset`, for
 * libyaml reader errors, which carry an offset but no mark. */
static FleetSourcePos
position_of_offset (const Builder *builder, gsize offset)
{
  FleetSourcePos pos = { builder->file, 1, 1 };

  for (gsize i = 0; i < offset && i < builder->length; i++)
    {
      guchar byte = (guchar) builder->text[i];

      if (byte == '\n')
        {
          pos.line++;
          pos.column = 1;
        }
      else if ((byte & 0xC0) != 0x80)
        pos.column++;
    }

  return pos;
}

/* Return the position just after the last character of the builder's
 * text.  Lines end as in libyaml: at \n, \r, \r\n, U+0085, U+2028 and
 * U+2029; a leading byte order mark takes no column. */
static FleetSourcePos
position_of_end (const Builder *builder)
{
  const guchar *text = (const guchar *) builder->text;
  FleetSourcePos pos = { builder->file, 1, 1 };
  gsize i = builder->length >= 3 && memcmp (text, "\xef\xbb\xbf", 3) == 0 ? 3 : 0;

  while (i < builder->length)
    {
      gsize rest = builder->length - i;
      gsize break_length = 0;

      if (text[i] == '\r' && rest >= 2 && text[i + 1] == '\n')
        break_length = 2;
      else if (text[i] == '\n' || text[i] == '\r')
        break_length = 1;
      else if (rest >= 2 && text[i] == 0xc2 && text[i + 1] == 0x85)
        break_length = 2;
      else if (rest >= 3 && text[i] == 0xe2 && text[i + 1] == 0x80
               && (text[i + 2] == 0xa8 || text[i + 2] == 0xa9))
        break_length = 3;

      if (break_length > 0)
        {
          pos.line++;
          pos.column = 1;
          i += break_length;
          continue;
        }
      if ((text[i] & 0xc0) != 0x80)
        pos.column++;
      i++;
    }

  return pos;
}

/* Return the position of `mark`.  At the end of an input that does not end
 * with a line break, libyaml moves its mark to the start of a line after the
 * last one; such a mark is reported just after the last character. */
static FleetSourcePos
position_of_mark (const Builder *builder, const yaml_mark_t *mark)
{
  FleetSourcePos pos = { builder->file, (guint) mark->line + 1, (guint) mark->column + 1 };

  if (pos.line > builder->end.line)
    return builder->end;
  return pos;
}

/* Return whether line `line` (from 1) of the text has a tab among the
 * blanks before its first other character.  libyaml then reports only that
 * a character "cannot start any token", which does not name the tab. */
static gboolean
line_indented_with_tab (const Builder *builder, guint line)
{
  const char *p = builder->text;
  const char *end = builder->text + builder->length;

  for (guint current = 1; current < line && p < end; current++)
    {
      const char *newline = memchr (p, '\n', (gsize) (end - p));

      if (newline == NULL)
        return FALSE;
      p = newline + 1;
    }

  for (; p < end && (*p == ' ' || *p == '\t'); p++)
    if (*p == '\t')
      return TRUE;
  return FALSE;
}

static void G_GNUC_PRINTF (3, 4)
fail (Builder *builder, const FleetSourcePos *pos, const char *format, ...)
{
  va_list args;
  g_autofree char *message = NULL;

  va_start (args, format);
  message = g_strdup_vprintf (format, args);
  va_end (args);

  fleet_diagnostics_error (builder->diags, pos, "%s", message);
  builder->failed = TRUE;
}

static void
report_parser_error (Builder *builder, const yaml_parser_t *parser)
{
  FleetSourcePos pos;
  FleetSourcePos context_pos;

  if (parser->error == YAML_MEMORY_ERROR)
    {
      FleetSourcePos file_pos = { builder->file, 0, 0 };
      fail (builder, &file_pos, "out of memory while parsing YAML");
      return;
    }

  if (parser->error == YAML_READER_ERROR)
    {
      pos = position_of_offset (builder, parser->problem_offset);
      if (parser->problem_value != -1)
        fail (builder, &pos, "invalid YAML: %s (character 0x%X)", parser->problem,
              (unsigned) parser->problem_value);
      else
        fail (builder, &pos, "invalid YAML: %s", parser->problem);
      return;
    }

  pos = position_of_mark (builder, &parser->problem_mark);
  if (line_indented_with_tab (builder, pos.line))
    {
      fail (builder, &pos, "invalid YAML: a tab character indents this line (%s); YAML "
            "indents with spaces only, so replace the tab with spaces", parser->problem);
      return;
    }
  if (parser->context == NULL)
    {
      fail (builder, &pos, "invalid YAML: %s", parser->problem);
      return;
    }

  context_pos = position_of_mark (builder, &parser->context_mark);
  fail (builder, &pos, "invalid YAML: %s (%s started at line %u, column %u)",
        parser->problem, parser->context, context_pos.line, context_pos.column);
}

/* Add `n` expanded nodes to the document's total, and reject the document
 * once the total passes the limit.  `alias` names the alias responsible, or
 * is NULL for a node written in the text. */
static gboolean
count_expanded_nodes (Builder *builder,
                      guint64 n,
                      const char *alias,
                      const FleetSourcePos *pos)
{
  builder->expanded_count += MIN (n, (guint64) FLEET_YAML_MAX_EXPANDED_NODES + 1);
  if (builder->expanded_count <= FLEET_YAML_MAX_EXPANDED_NODES)
    return TRUE;

  if (alias != NULL)
    fail (builder, pos,
          "YAML aliases expand to more than %u nodes at alias *%s; "
          "use fewer aliases or anchor smaller nodes",
          FLEET_YAML_MAX_EXPANDED_NODES, alias);
  else
    fail (builder, pos, "YAML document has more than %u nodes",
          FLEET_YAML_MAX_EXPANDED_NODES);
  return FALSE;
}

/* Check the explicit tag of a node.  Only the tags that agree with the
 * node's kind are accepted, because values are typed by key, not by tag. */
static gboolean
check_tag (Builder *builder, const char *tag, FleetYamlKind kind, const FleetSourcePos *pos)
{
  const char *accepted = TAG_MAP;
  g_autofree char *quoted = NULL;

  if (tag == NULL || strcmp (tag, "!") == 0)
    return TRUE;

  if (kind == FLEET_YAML_SCALAR)
    accepted = TAG_STR;
  else if (kind == FLEET_YAML_SEQUENCE)
    accepted = TAG_SEQ;

  if (strcmp (tag, accepted) == 0)
    return TRUE;

  quoted = fleet_quote_value (tag, FLEET_QUOTE_MAX_CHARS);
  fail (builder, pos, "unsupported YAML tag %s: remove it, because fleetc types values by key",
        quoted);
  return FALSE;
}

static FleetYamlNode *
node_new (Builder *builder, FleetYamlKind kind, const yaml_mark_t *mark)
{
  FleetYamlNode *node = g_new0 (FleetYamlNode, 1);

  node->kind = kind;
  node->pos = position_of_mark (builder, mark);
  if (kind == FLEET_YAML_SEQUENCE || kind == FLEET_YAML_MAPPING)
    node->items = g_ptr_array_new ();
  if (kind == FLEET_YAML_MAPPING)
    node->keys = g_ptr_array_new ();

  g_ptr_array_add (builder->document->nodes, node);
  return node;
}

static void
register_anchor (Builder *builder, const yaml_char_t *anchor, FleetYamlNode *node)
{
  if (anchor != NULL)
    g_hash_table_replace (builder->anchors, g_strdup ((const char *) anchor), node);
}

static Frame *
innermost_frame (Builder *builder)
{
  if (builder->frames->len == 0)
    return NULL;

  return &g_array_index (builder->frames, Frame, builder->frames->len - 1);
}

/* Record `key` as the pending key of the mapping in `frame`, reporting it
 * when the mapping already has it. */
static void
add_key (Builder *builder, Frame *frame, FleetYamlNode *key)
{
  const FleetYamlNode *first = g_hash_table_lookup (frame->first_keys, key->value);
  g_autofree char *quoted = NULL;

  frame->pending_key = key;
  frame->drop_value = first != NULL;
  if (first == NULL)
    {
      g_hash_table_insert (frame->first_keys, key->value, key);
      return;
    }

  quoted = fleet_quote_value (key->value, FLEET_QUOTE_MAX_CHARS);
  fleet_diagnostics_error (builder->diags, &key->pos,
                           "duplicate key %s; it is first defined at line %u, column %u",
                           quoted, first->pos.line, first->pos.column);
}

/* Attach a complete node to the innermost open sequence or mapping, or make
 * it the root. */
static void
attach (Builder *builder, FleetYamlNode *node)
{
  Frame *frame = innermost_frame (builder);

  if (frame == NULL)
    {
      builder->document->root = node;
      return;
    }

  if (frame->node->kind == FLEET_YAML_SEQUENCE)
    {
      g_ptr_array_add (frame->node->items, node);
      return;
    }

  if (frame->pending_key == NULL)
    {
      if (node->kind != FLEET_YAML_SCALAR)
        {
          fail (builder, &node->pos, "mapping key is %s; keys must be scalars",
                fleet_yaml_kind_description (node->kind));
          return;
        }
      add_key (builder, frame, node);
      return;
    }

  if (!frame->drop_value)
    {
      g_ptr_array_add (frame->node->keys, frame->pending_key);
      g_ptr_array_add (frame->node->items, node);
    }
  frame->pending_key = NULL;
  frame->drop_value = FALSE;
}

/* Reject a sequence or mapping where a mapping expects a key, before its
 * contents are read. */
static gboolean
check_not_a_key (Builder *builder, const FleetSourcePos *pos)
{
  Frame *frame = innermost_frame (builder);

  if (frame == NULL || frame->node->kind != FLEET_YAML_MAPPING || frame->pending_key != NULL)
    return TRUE;

  fail (builder, pos, "mapping key is a collection; keys must be scalars");
  return FALSE;
}

/* Return the byte offset in scan_text of libyaml's character index
 * `index`.  Events come in document order, so the cursor only moves
 * forward and the whole document costs one pass. */
static gsize
byte_offset_of_index (Builder *builder, gsize index)
{
  if (index < builder->cursor_index)
    {
      builder->cursor_index = 0;
      builder->cursor_offset = 0;
    }

  while (builder->cursor_index < index && builder->cursor_offset < builder->scan_length)
    {
      builder->cursor_offset++;
      while (builder->cursor_offset < builder->scan_length
             && ((guchar) builder->scan_text[builder->cursor_offset] & 0xC0) == 0x80)
        builder->cursor_offset++;
      builder->cursor_index++;
    }
  return builder->cursor_offset;
}

static FleetYamlStyle
style_of_event (const yaml_event_t *event)
{
  switch (event->data.scalar.style)
    {
    case YAML_SINGLE_QUOTED_SCALAR_STYLE:
      return FLEET_YAML_STYLE_SINGLE_QUOTED;
    case YAML_DOUBLE_QUOTED_SCALAR_STYLE:
      return FLEET_YAML_STYLE_DOUBLE_QUOTED;
    case YAML_LITERAL_SCALAR_STYLE:
      return FLEET_YAML_STYLE_LITERAL;
    case YAML_FOLDED_SCALAR_STYLE:
      return FLEET_YAML_STYLE_FOLDED;
    case YAML_PLAIN_SCALAR_STYLE:
    case YAML_ANY_SCALAR_STYLE:
    default:
      return FLEET_YAML_STYLE_PLAIN;
    }
}

/* Keep the source text of a scalar whose value differs from it. */
static void
keep_scalar_source (Builder *builder, FleetYamlNode *node, const yaml_event_t *event)
{
  gsize start;
  gsize end;

  if (node->style == FLEET_YAML_STYLE_PLAIN && event->start_mark.line == event->end_mark.line
      && event->data.scalar.anchor == NULL && event->data.scalar.tag == NULL)
    return;

  start = byte_offset_of_index (builder, event->start_mark.index);
  end = byte_offset_of_index (builder, event->end_mark.index);
  if (end > start)
    node->source = g_strndup (builder->scan_text + start, end - start);
}

static void
handle_scalar (Builder *builder, const yaml_event_t *event)
{
  FleetYamlNode *node;
  const char *tag = (const char *) event->data.scalar.tag;
  FleetSourcePos pos = position_of_mark (builder, &event->start_mark);

  if (!check_tag (builder, tag, FLEET_YAML_SCALAR, &pos))
    return;

  if (memchr (event->data.scalar.value, '\0', event->data.scalar.length) != NULL)
    {
      fail (builder, &pos, "scalar contains a NUL byte; remove the \\0 escape");
      return;
    }

  if (!count_expanded_nodes (builder, 1, NULL, &pos))
    return;

  node = node_new (builder, FLEET_YAML_SCALAR, &event->start_mark);
  node->value = g_strndup ((const char *) event->data.scalar.value, event->data.scalar.length);
  node->length = event->data.scalar.length;
  node->plain = event->data.scalar.style == YAML_PLAIN_SCALAR_STYLE && tag == NULL;
  node->json_string = event->data.scalar.style == YAML_DOUBLE_QUOTED_SCALAR_STYLE && tag == NULL
                      && g_str_has_suffix (builder->file, ".json");
  node->expanded_size = 1;
  node->end_pos = position_of_mark (builder, &event->end_mark);
  node->text = builder->document->text;
  node->text_length = builder->document->text_length;
  node->style = style_of_event (event);
  keep_scalar_source (builder, node, event);

  register_anchor (builder, event->data.scalar.anchor, node);
  attach (builder, node);
}

static void
open_collection (Builder *builder,
                 FleetYamlKind kind,
                 const yaml_event_t *event,
                 const yaml_char_t *anchor,
                 const yaml_char_t *tag)
{
  FleetSourcePos pos = position_of_mark (builder, &event->start_mark);
  Frame frame = { 0 };

  if (builder->frames->len >= FLEET_YAML_MAX_DEPTH)
    {
      fail (builder, &pos, "YAML nesting is deeper than %u levels", FLEET_YAML_MAX_DEPTH);
      return;
    }

  if (!check_tag (builder, (const char *) tag, kind, &pos) || !check_not_a_key (builder, &pos))
    return;

  frame.count_at_start = builder->expanded_count;
  if (!count_expanded_nodes (builder, 1, NULL, &pos))
    return;

  frame.node = node_new (builder, kind, &event->start_mark);
  if (kind == FLEET_YAML_MAPPING)
    frame.first_keys = g_hash_table_new (g_str_hash, g_str_equal);

  register_anchor (builder, anchor, frame.node);
  g_array_append_val (builder->frames, frame);
}

static void
close_collection (Builder *builder)
{
  Frame frame = *innermost_frame (builder);

  g_array_set_size (builder->frames, builder->frames->len - 1);
  if (frame.first_keys != NULL)
    g_hash_table_unref (frame.first_keys);

  frame.node->expanded_size = builder->expanded_count - frame.count_at_start;
  attach (builder, frame.node);
}

static void
handle_alias (Builder *builder, const yaml_event_t *event)
{
  const char *anchor = (const char *) event->data.alias.anchor;
  FleetSourcePos pos = position_of_mark (builder, &event->start_mark);
  FleetYamlNode *target = g_hash_table_lookup (builder->anchors, anchor);
  g_autofree char *quoted = fleet_quote_value (anchor, FLEET_QUOTE_MAX_CHARS);

  if (target == NULL)
    {
      fail (builder, &pos, "undefined alias %s: define the anchor &%s before its first use",
            quoted, anchor);
      return;
    }

  /* A node still being read has no expanded size yet: it is an ancestor. */
  if (target->expanded_size == 0)
    {
      fail (builder, &pos, "alias %s refers to a node that contains it", quoted);
      return;
    }

  if (target->kind != FLEET_YAML_SCALAR && !check_not_a_key (builder, &pos))
    return;

  if (!count_expanded_nodes (builder, target->expanded_size, anchor, &pos))
    return;

  attach (builder, target);
}

static void
handle_document_start (Builder *builder, const yaml_event_t *event)
{
  FleetSourcePos pos = position_of_mark (builder, &event->start_mark);

  builder->n_documents++;
  if (builder->n_documents > 1)
    fail (builder, &pos, "file contains more than one YAML document; keep only the first");
}

static void
handle_stream_end (Builder *builder)
{
  FleetSourcePos pos = { builder->file, 1, 1 };

  if (builder->n_documents == 0)
    fail (builder, &pos, "file is empty; expected a YAML mapping");
}

static void
handle_event (Builder *builder, const yaml_event_t *event)
{
  switch (event->type)
    {
    case YAML_DOCUMENT_START_EVENT:
      handle_document_start (builder, event);
      break;
    case YAML_STREAM_END_EVENT:
      handle_stream_end (builder);
      break;
    case YAML_SCALAR_EVENT:
      handle_scalar (builder, event);
      break;
    case YAML_ALIAS_EVENT:
      handle_alias (builder, event);
      break;
    case YAML_SEQUENCE_START_EVENT:
      open_collection (builder, FLEET_YAML_SEQUENCE, event,
                       event->data.sequence_start.anchor, event->data.sequence_start.tag);
      break;
    case YAML_MAPPING_START_EVENT:
      open_collection (builder, FLEET_YAML_MAPPING, event,
                       event->data.mapping_start.anchor, event->data.mapping_start.tag);
      break;
    case YAML_SEQUENCE_END_EVENT:
    case YAML_MAPPING_END_EVENT:
      close_collection (builder);
      break;
    case YAML_NO_EVENT:
    case YAML_STREAM_START_EVENT:
    case YAML_DOCUMENT_END_EVENT:
    default:
      break;
    }
}

static void
clear_frames (GArray *frames)
{
  for (guint i = 0; i < frames->len; i++)
    {
      Frame *frame = &g_array_index (frames, Frame, i);
      if (frame->first_keys != NULL)
        g_hash_table_unref (frame->first_keys);
    }

  g_array_unref (frames);
}

/* Feed libyaml's events to `builder` until the stream ends or an error
 * stops the parse. */
static void
run_parser (Builder *builder)
{
  yaml_parser_t parser;
  gboolean done = FALSE;

  const char *text = builder->text;
  gsize length = builder->length;

  /* Editors on Windows start UTF-8 files with a byte order mark, which
   * libyaml skips only when it detects the encoding itself.  Columns still
   * count from the first character after the mark. */
  if (length >= 3 && memcmp (text, "\xef\xbb\xbf", 3) == 0)
    {
      text += 3;
      length -= 3;
    }

  builder->scan_text = text;
  builder->scan_length = length;

  yaml_parser_initialize (&parser);
  yaml_parser_set_input_string (&parser, (const unsigned char *) text, length);

  /* UTF-16 input would be accepted by libyaml, but diagnostics quote source
   * lines as bytes, so every input must be UTF-8. */
  yaml_parser_set_encoding (&parser, YAML_UTF8_ENCODING);

  while (!done && !builder->failed)
    {
      yaml_event_t event;

      if (!yaml_parser_parse (&parser, &event))
        {
          report_parser_error (builder, &parser);
          break;
        }

      handle_event (builder, &event);
      done = event.type == YAML_STREAM_END_EVENT;
      yaml_event_delete (&event);
    }

  yaml_parser_delete (&parser);
}

FleetYamlDocument *
fleet_yaml_parse (const char *file, const char *text, gsize length, FleetDiagnostics *diags)
{
  g_autoptr (FleetYamlDocument) document = g_new0 (FleetYamlDocument, 1);
  Builder builder = {
    .file = file,
    .text = text != NULL ? text : "",
    .length = length,
    .diags = diags,
    .document = document,
  };

  builder.end = position_of_end (&builder);

  document->nodes = g_ptr_array_new_with_free_func ((GDestroyNotify) node_free);
  document->text = g_malloc (length + 1);
  if (length > 0)
    memcpy (document->text, builder.text, length);
  document->text[length] = '\0';
  document->text_length = length;
  builder.frames = g_array_new (FALSE, FALSE, sizeof (Frame));
  builder.anchors = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);

  run_parser (&builder);

  clear_frames (builder.frames);
  g_hash_table_unref (builder.anchors);

  if (builder.failed || document->root == NULL)
    return NULL;

  return g_steal_pointer (&document);
}
