/* scalar-position.c: map a character of a scalar's value back to the file.
 *
 * The decoders follow YAML 1.1 as libyaml 0.2.5 implements it:
 * - Flow scalars (plain, single- and double-quoted): whitespace before a
 *   line break is dropped, and so is the indentation after it.  One line
 *   break becomes a space; n line breaks in a row become n - 1 newlines.
 *   In single quotes '' is one quote; in double quotes a backslash starts
 *   an escape, and a backslash before a line break joins the lines.
 * - Block scalars (| and >): the indentation is that of the first
 *   non-empty line (or more, when a leading empty line has more spaces).
 *   A literal keeps every line break; a folded scalar turns the break
 *   between two lines that do not start with a blank into a space, and
 *   keeps the breaks around such lines and of empty lines.
 * Every character produced is compared with the value, so a divergence
 * ends the walk without giving a wrong position.
 */
#include "compiler/scalar-position.h"

#include <string.h>

typedef struct {
  const char *p;                 /* the source still to read */
  const char *end;
  guint line;                    /* position of *p */
  guint column;

  const char *value;             /* what the decoding must reproduce */
  gsize value_length;
  gsize produced;                /* bytes of the value produced so far */
  guint produced_chars;

  guint target;                  /* index of the character wanted */
  FleetSourcePos found;
  gboolean finished;             /* found, or the value is complete */
  gboolean failed;               /* the decoding diverged from the value */
} Walk;

static gboolean
at_end (const Walk *walk)
{
  return walk->p >= walk->end;
}

static gboolean
is_break (const Walk *walk)
{
  return !at_end (walk) && (*walk->p == '\n' || *walk->p == '\r');
}

static gboolean
is_blank (const Walk *walk)
{
  return !at_end (walk) && (*walk->p == ' ' || *walk->p == '\t');
}

static gboolean
stopped (const Walk *walk)
{
  return walk->finished || walk->failed || at_end (walk);
}

/* Move past one character, or one line break ("\r\n" counts as one). */
static void
advance (Walk *walk)
{
  if (at_end (walk))
    return;

  if (*walk->p == '\r' && walk->p + 1 < walk->end && walk->p[1] == '\n')
    walk->p++;
  if (*walk->p == '\n' || *walk->p == '\r')
    {
      walk->p++;
      walk->line++;
      walk->column = 1;
      return;
    }

  walk->p = g_utf8_next_char (walk->p);
  if (walk->p > walk->end)
    walk->p = walk->end;
  walk->column++;
}

/* Record that the value continues with `bytes`, found at `line`, `column`. */
static void
emit (Walk *walk, const char *bytes, gsize length, guint line, guint column)
{
  if (walk->finished || walk->failed)
    return;

  if (walk->produced + length > walk->value_length
      || memcmp (walk->value + walk->produced, bytes, length) != 0)
    {
      walk->failed = TRUE;
      return;
    }

  if (walk->produced_chars == walk->target)
    {
      walk->found.line = line;
      walk->found.column = column;
      walk->finished = TRUE;
    }

  walk->produced += length;
  walk->produced_chars++;
  if (walk->produced == walk->value_length)
    walk->finished = TRUE;
}

/* Emit the character at the cursor and move past it. */
static void
emit_current (Walk *walk)
{
  const char *next = g_utf8_next_char (walk->p);

  emit (walk, walk->p, MIN (next, walk->end) - walk->p, walk->line, walk->column);
  advance (walk);
}

static void
skip_blanks (Walk *walk)
{
  while (is_blank (walk))
    advance (walk);
}

/* Anchors and tags precede the scalar itself. */
static void
skip_properties (Walk *walk)
{
  while (!at_end (walk) && (*walk->p == '&' || *walk->p == '!'))
    {
      while (!at_end (walk) && !is_blank (walk) && !is_break (walk))
        advance (walk);
      while (is_blank (walk) || is_break (walk))
        advance (walk);
    }
}

/* Fold the line breaks at the cursor, and the indentation after each. */
static void
fold_line_breaks (Walk *walk)
{
  guint line = walk->line;
  guint column = walk->column;
  guint n_breaks = 0;

  while (is_break (walk))
    {
      advance (walk);
      n_breaks++;
      skip_blanks (walk);
    }

  if (n_breaks == 1)
    emit (walk, " ", 1, line, column);
  for (guint i = 1; i < n_breaks; i++)
    emit (walk, "\n", 1, line + i, 1);
}

/* Whitespace is content unless a line break follows it. */
static void
handle_blanks (Walk *walk)
{
  const char *after = walk->p;

  while (after < walk->end && (*after == ' ' || *after == '\t'))
    after++;

  if (after == walk->end || *after == '\n' || *after == '\r')
    {
      skip_blanks (walk);
      return;
    }

  while (is_blank (walk) && !walk->failed)
    emit_current (walk);
}

static gboolean
parse_hex (const char *text, guint digits, gunichar *out)
{
  gunichar value = 0;

  for (guint i = 0; i < digits; i++)
    {
      int digit = g_ascii_xdigit_value (text[i]);

      if (digit < 0)
        return FALSE;
      value = value * 16 + (gunichar) digit;
    }
  *out = value;
  return TRUE;
}

/* Decode the escape at the cursor, a backslash, into one character. */
static void
handle_escape (Walk *walk)
{
  static const char simple_from[] = "0abt\tnvfre \"/\\";
  static const char simple_to[] = "\0\a\b\t\t\n\v\f\r\x1b \"/\\";
  guint line = walk->line;
  guint column = walk->column;
  char utf8[8];
  gunichar c = 0;
  guint hex_digits = 0;
  const char *simple;

  advance (walk);
  if (at_end (walk))
    {
      walk->failed = TRUE;
      return;
    }

  if (is_break (walk))
    {
      advance (walk);
      skip_blanks (walk);
      return;
    }

  simple = strchr (simple_from, *walk->p);
  switch (*walk->p)
    {
    case 'N': c = 0x85; break;
    case '_': c = 0xa0; break;
    case 'L': c = 0x2028; break;
    case 'P': c = 0x2029; break;
    case 'x': hex_digits = 2; break;
    case 'u': hex_digits = 4; break;
    case 'U': hex_digits = 8; break;
    default:
      if (simple == NULL || *walk->p == '\0')
        {
          walk->failed = TRUE;
          return;
        }
      c = (guchar) simple_to[simple - simple_from];
      break;
    }

  if (hex_digits > 0
      && (walk->end - walk->p <= (gssize) hex_digits || !parse_hex (walk->p + 1, hex_digits, &c)))
    {
      walk->failed = TRUE;
      return;
    }

  for (guint i = 0; i <= hex_digits; i++)
    advance (walk);
  emit (walk, utf8, g_unichar_to_utf8 (c, utf8), line, column);
}

static void
walk_flow_scalar (Walk *walk, FleetYamlStyle style)
{
  char quote = style == FLEET_YAML_STYLE_SINGLE_QUOTED ? '\'' : '"';

  if (style != FLEET_YAML_STYLE_PLAIN)
    {
      if (at_end (walk) || *walk->p != quote)
        {
          walk->failed = TRUE;
          return;
        }
      advance (walk);
    }

  while (!stopped (walk))
    {
      if (style == FLEET_YAML_STYLE_SINGLE_QUOTED && *walk->p == '\'')
        {
          if (walk->p + 1 >= walk->end || walk->p[1] != '\'')
            return;
          emit (walk, "'", 1, walk->line, walk->column);
          advance (walk);
          advance (walk);
        }
      else if (style == FLEET_YAML_STYLE_DOUBLE_QUOTED && *walk->p == '"')
        return;
      else if (style == FLEET_YAML_STYLE_DOUBLE_QUOTED && *walk->p == '\\')
        handle_escape (walk);
      else if (is_blank (walk))
        handle_blanks (walk);
      else if (is_break (walk))
        fold_line_breaks (walk);
      else
        emit_current (walk);
    }
}

/* Read the block header (| or > and its indicators) up to its line break.
 * Returns FALSE for an explicit indentation indicator, which is relative to
 * the parent's indentation that this walk does not know. */
static gboolean
read_block_header (Walk *walk)
{
  advance (walk);
  while (!at_end (walk) && (*walk->p == '+' || *walk->p == '-' || g_ascii_isdigit (*walk->p)))
    {
      if (g_ascii_isdigit (*walk->p))
        return FALSE;
      advance (walk);
    }

  while (!at_end (walk) && !is_break (walk))
    advance (walk);
  advance (walk);
  return TRUE;
}

/* Return the indentation of the block content at the cursor: the spaces of
 * the first non-empty line, or more when an empty line before it has more. */
static guint
detect_block_indent (const Walk *walk)
{
  guint indent = 0;
  guint spaces = 0;

  for (const char *p = walk->p; p < walk->end; p++)
    {
      if (*p == ' ')
        {
          spaces++;
          continue;
        }
      indent = MAX (indent, spaces);
      if (*p != '\n' && *p != '\r')
        break;
      spaces = 0;
    }
  return MAX (indent, 1);
}

/* Move past up to `indent` spaces; return how many there were. */
static guint
skip_indent (Walk *walk, guint indent)
{
  guint spaces = 0;

  while (spaces < indent && !at_end (walk) && *walk->p == ' ')
    {
      advance (walk);
      spaces++;
    }
  return spaces;
}

/* Emit the breaks between two content lines, or before the first, by the
 * rules at the top of this file. */
static void
emit_block_breaks (Walk *walk, gboolean folded, gboolean first_line, gboolean previous_blank,
                   gboolean current_blank, guint n_empty, guint break_line, guint break_column)
{
  guint n_newlines = first_line ? n_empty : n_empty + 1;

  if (folded && !first_line && !previous_blank && !current_blank)
    {
      if (n_empty == 0)
        {
          emit (walk, " ", 1, break_line, break_column);
          return;
        }
      n_newlines = n_empty;
    }

  for (guint i = 0; i < n_newlines; i++)
    emit (walk, "\n", 1, break_line + i, i == 0 ? break_column : 1);
}

static void
walk_block_scalar (Walk *walk, FleetYamlStyle style)
{
  gboolean folded = style == FLEET_YAML_STYLE_FOLDED;
  gboolean first_line = TRUE;
  gboolean previous_blank = FALSE;
  guint break_line = walk->line;
  guint break_column = walk->column;
  guint n_empty = 0;
  guint indent;

  if (!read_block_header (walk))
    {
      walk->failed = TRUE;
      return;
    }

  indent = detect_block_indent (walk);
  while (!stopped (walk))
    {
      gboolean current_blank;

      if (skip_indent (walk, indent) < indent && !is_break (walk))
        break;

      if (is_break (walk))
        {
          n_empty++;
          advance (walk);
          continue;
        }

      current_blank = is_blank (walk);
      emit_block_breaks (walk, folded, first_line, previous_blank, current_blank, n_empty,
                         break_line, break_column);
      while (!stopped (walk) && !is_break (walk))
        emit_current (walk);

      break_line = walk->line;
      break_column = walk->column;
      advance (walk);
      first_line = FALSE;
      previous_blank = current_blank;
      n_empty = 0;
    }

  /* A literal's last line break is part of its value unless stripped. */
  if (!walk->finished && !walk->failed && !first_line)
    emit (walk, "\n", 1, break_line, break_column);
}

/* Map `index`, a character index below the value's length. */
static gboolean
map_inside (const FleetYamlNode *node, guint index, FleetSourcePos *out)
{
  const char *source = node->source != NULL ? node->source : node->value;
  Walk walk = {
    .p = source,
    .end = source + strlen (source),
    .line = node->pos.line,
    .column = node->pos.column,
    .value = node->value,
    .value_length = node->length,
    .target = index,
  };

  skip_properties (&walk);
  if (node->style == FLEET_YAML_STYLE_LITERAL || node->style == FLEET_YAML_STYLE_FOLDED)
    walk_block_scalar (&walk, node->style);
  else
    walk_flow_scalar (&walk, node->style);

  if (walk.failed || walk.found.line == 0)
    return FALSE;

  *out = (FleetSourcePos) { node->pos.file, walk.found.line, walk.found.column };
  return TRUE;
}

FleetSourcePos
fleet_scalar_char_position (const FleetYamlNode *node, guint index, gboolean *out_exact)
{
  glong n_chars = g_utf8_strlen (node->value, (gssize) node->length);
  FleetSourcePos pos = node->pos;
  gboolean exact = FALSE;

  g_return_val_if_fail (node->kind == FLEET_YAML_SCALAR, node->pos);

  if (index < (guint) n_chars)
    exact = map_inside (node, index, &pos);
  else if (n_chars > 0 && map_inside (node, (guint) n_chars - 1, &pos))
    {
      pos.column++;
      exact = TRUE;
    }

  if (!exact)
    pos = node->pos;
  if (out_exact != NULL)
    *out_exact = exact;
  return pos;
}
