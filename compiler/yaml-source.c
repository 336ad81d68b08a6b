/* yaml-source.c: positions inside a scalar's source text, for diagnostics
 * that point into a value (fleet_yaml_scalar_locate in yaml-tree.h). */
#include "compiler/yaml-tree.h"

#include <string.h>

/* Return the length of the line break at `p`, or 0.  libyaml counts these
 * as line breaks: LF, CR, CR LF, NEL (U+0085), LS (U+2028), PS (U+2029). */
static gsize
line_break_length (const char *p, const char *end)
{
  if (p[0] == '\r')
    return p + 1 < end && p[1] == '\n' ? 2 : 1;
  if (p[0] == '\n')
    return 1;
  if (p + 1 < end && (guchar) p[0] == 0xc2 && (guchar) p[1] == 0x85)
    return 2;
  if (p + 2 < end && (guchar) p[0] == 0xe2 && (guchar) p[1] == 0x80
      && ((guchar) p[2] == 0xa8 || (guchar) p[2] == 0xa9))
    return 3;
  return 0;
}

/* Return the text after a UTF-8 byte order mark, which columns skip. */
static const char *
skip_bom (const char *text, const char *end)
{
  if (end - text >= 3 && memcmp (text, "\xef\xbb\xbf", 3) == 0)
    return text + 3;
  return text;
}

/* Return the address of the character at `pos` (1-based line and column in
 * characters), or `end` when the text is shorter. */
static const char *
address_of_position (const char *text, const char *end, const FleetSourcePos *pos)
{
  const char *p = skip_bom (text, end);
  guint line = 1;
  guint column = 1;

  while (p < end && (line < pos->line || (line == pos->line && column < pos->column)))
    {
      gsize break_length = line_break_length (p, end);

      if (break_length > 0)
        {
          p += break_length;
          line++;
          column = 1;
          continue;
        }

      p = g_utf8_next_char (p);
      column++;
    }

  return MIN (p, end);
}

/* Return the position of `target`, counting from `start` at `start_pos`. */
static FleetSourcePos
position_of_address (const char *start, const FleetSourcePos *start_pos, const char *target)
{
  FleetSourcePos pos = *start_pos;
  const char *p = start;

  while (p < target)
    {
      gsize break_length = line_break_length (p, target);

      if (break_length > 0)
        {
          p += break_length;
          pos.line++;
          pos.column = 1;
          continue;
        }

      p = g_utf8_next_char (p);
      pos.column++;
    }

  return pos;
}

/* Return the number of non-overlapping occurrences of `needle` in
 * [start, end), and the `wanted`-th (0-based) in `out_match` when it
 * exists. */
static guint
count_occurrences (const char *start, const char *end, const char *needle, guint wanted,
                   const char **out_match)
{
  gsize needle_length = strlen (needle);
  guint count = 0;

  for (const char *p = start; p + needle_length <= end; )
    {
      if (memcmp (p, needle, needle_length) != 0)
        {
          p++;
          continue;
        }

      if (count == wanted)
        *out_match = p;
      count++;
      p += needle_length;
    }

  return count;
}

gboolean
fleet_yaml_scalar_locate (const FleetYamlNode *node,
                          const char *needle,
                          gsize value_offset,
                          FleetSourcePos *out)
{
  const char *value_end = node->value + node->length;
  const char *text_end;
  const char *source_start;
  const char *source_end;
  const char *value_match = NULL;
  const char *source_match = NULL;
  guint index = 0;
  guint value_count;

  g_return_val_if_fail (node->kind == FLEET_YAML_SCALAR, FALSE);
  if (node->text == NULL || value_offset >= node->length)
    return FALSE;

  /* The index of the needle at `value_offset` among the value's needles;
   * the value is NUL-free, so strstr sees all of it. */
  value_count = count_occurrences (node->value, value_end, needle, G_MAXUINT, &value_match);
  for (const char *p = node->value; ; index++)
    {
      const char *match = strstr (p, needle);

      if (match == NULL || match > node->value + value_offset)
        return FALSE;
      if (match == node->value + value_offset)
        break;
      p = match + strlen (needle);
    }

  text_end = node->text + node->text_length;
  source_start = address_of_position (node->text, text_end, &node->pos);
  source_end = address_of_position (source_start, text_end, &(FleetSourcePos) {
    .line = node->end_pos.line - node->pos.line + 1,
    .column = node->end_pos.line == node->pos.line
                ? node->end_pos.column - node->pos.column + 1 : node->end_pos.column,
  });

  if (count_occurrences (source_start, source_end, needle, index, &source_match) != value_count
      || source_match == NULL)
    return FALSE;

  *out = position_of_address (source_start, &node->pos, source_match);
  return TRUE;
}
