/* host-range.c: expansion of Ansible host ranges such as web[01:50].dc1.
 *
 * The grammar and its differences from Ansible are in host-range.h.  The
 * pattern is parsed into ranges first, their product is checked against the
 * caller's limit, and only then are names built, with an odometer over the
 * ranges (the last range turns fastest).
 */
#include "compiler/host-range.h"

#include <string.h>

#include "compiler/yaml-tree.h"
#include "schema/fleet-diagnostics.h"

G_DEFINE_QUARK (fleet-host-range-error-quark, fleet_host_range_error)

/* Ansible takes letter ranges from Python's string.ascii_letters. */
static const char range_letters[] = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ";

/* Numbers larger than this are rejected, so that arithmetic on them cannot
 * overflow. */
#define MAX_RANGE_NUMBER G_GUINT64_CONSTANT (999999999999999999)

/* One [begin:end:step] of a pattern. */
typedef struct {
  gsize open;                 /* offset of '[' */
  gsize close;                /* offset of ']' */
  gboolean letters;           /* begin and end index range_letters */
  guint64 begin;
  guint64 step;
  guint64 count;              /* values in the range, >= 1 */
  guint width;                /* zero-padded width, or 0 */
} Range;

/* The text between two '[' ... ']' of a range, split at ':'. */
typedef struct {
  char *text;                 /* the range with its brackets, quoted for messages */
  char **parts;
  guint n_parts;
  gsize parts_offset[3];      /* offset of each part in the pattern */
} RangeText;

static void
range_text_clear (RangeText *range_text)
{
  g_free (range_text->text);
  g_strfreev (range_text->parts);
}

gboolean
fleet_host_pattern_has_range (const char *pattern)
{
  return strchr (pattern, '[') != NULL || strchr (pattern, ']') != NULL;
}

static gboolean G_GNUC_PRINTF (5, 6)
fail (GError **error, gsize *error_offset, gsize offset, FleetHostRangeError code,
      const char *format, ...)
{
  va_list args;
  g_autofree char *message = NULL;

  va_start (args, format);
  message = g_strdup_vprintf (format, args);
  va_end (args);

  *error_offset = offset;
  g_set_error_literal (error, FLEET_HOST_RANGE_ERROR, code, message);
  return FALSE;
}

/* Parse decimal digits into `out`; FALSE unless the text is 1 to 18 digits. */
static gboolean
parse_number (const char *text, guint64 *out)
{
  guint64 value = 0;
  gsize length = strlen (text);

  if (length == 0 || length > 18)
    return FALSE;

  for (gsize i = 0; i < length; i++)
    {
      if (!g_ascii_isdigit (text[i]))
        return FALSE;
      value = value * 10 + (guint64) (text[i] - '0');
    }

  *out = value;
  return value <= MAX_RANGE_NUMBER;
}

static gboolean
is_all_digits (const char *text)
{
  if (text[0] == '\0')
    return FALSE;

  for (const char *p = text; *p != '\0'; p++)
    if (!g_ascii_isdigit (*p))
      return FALSE;

  return TRUE;
}

/* Return the index of `text` in range_letters, or -1 unless it is exactly
 * one ASCII letter. */
static int
letter_index (const char *text)
{
  const char *found;

  if (text[0] == '\0' || text[1] != '\0' || !g_ascii_isalpha (text[0]))
    return -1;

  found = strchr (range_letters, text[0]);
  return (int) (found - range_letters);
}

static gboolean
parse_step (const RangeText *range_text, Range *range, gsize *error_offset, GError **error)
{
  const char *step = range_text->n_parts == 3 ? range_text->parts[2] : "1";

  range->step = 0;
  if (!parse_number (step, &range->step) || range->step == 0)
    return fail (error, error_offset, range_text->parts_offset[2], FLEET_HOST_RANGE_ERROR_STEP,
                 "invalid host range %s: the step must be a whole number of at least 1",
                 range_text->text);

  return TRUE;
}

static gboolean
parse_numeric_bounds (const RangeText *range_text,
                      const char *begin,
                      const char *end,
                      Range *range,
                      guint64 *last,
                      gsize *error_offset,
                      GError **error)
{
  gsize begin_offset = range_text->parts_offset[0];

  if (!parse_number (begin, &range->begin) || !parse_number (end, last))
    return fail (error, error_offset, begin_offset, FLEET_HOST_RANGE_ERROR_SYNTAX,
                 "invalid host range %s: numbers may have at most 18 digits", range_text->text);

  if (begin[0] == '0' && strlen (begin) > 1)
    {
      range->width = (guint) strlen (begin);
      if (strlen (end) != range->width)
        return fail (error, error_offset, begin_offset, FLEET_HOST_RANGE_ERROR_WIDTH,
                     "invalid host range %s: the zero-padded begin \"%s\" and the end \"%s\" "
                     "must have the same number of digits",
                     range_text->text, begin, end);
    }

  return TRUE;
}

/* Fill `range` from the parts of `range_text`. */
static gboolean
parse_bounds (const RangeText *range_text, Range *range, gsize *error_offset, GError **error)
{
  const char *begin = range_text->parts[0][0] != '\0' ? range_text->parts[0] : "0";
  const char *end = range_text->parts[1];
  gsize begin_offset = range_text->parts_offset[0];
  guint64 last = 0;

  if (end[0] == '\0')
    return fail (error, error_offset, range_text->parts_offset[1], FLEET_HOST_RANGE_ERROR_SYNTAX,
                 "invalid host range %s: the end is missing", range_text->text);

  if (is_all_digits (begin) && is_all_digits (end))
    {
      if (!parse_numeric_bounds (range_text, begin, end, range, &last, error_offset, error))
        return FALSE;
    }
  else if (letter_index (begin) >= 0 && letter_index (end) >= 0)
    {
      range->letters = TRUE;
      range->begin = (guint64) letter_index (begin);
      last = (guint64) letter_index (end);
    }
  else
    return fail (error, error_offset, begin_offset, FLEET_HOST_RANGE_ERROR_SYNTAX,
                 "invalid host range %s: begin and end must both be numbers or both be "
                 "single letters",
                 range_text->text);

  if (range->begin > last)
    return fail (error, error_offset, begin_offset, FLEET_HOST_RANGE_ERROR_ORDER,
                 "invalid host range %s: the begin \"%s\" comes after the end \"%s\"%s",
                 range_text->text, begin, end,
                 range->letters ? " (letters run a to z, then A to Z)" : "");

  if (!parse_step (range_text, range, error_offset, error))
    return FALSE;

  range->count = (last - range->begin) / range->step + 1;
  return TRUE;
}

/* Split the range between `open` and `close` at its colons. */
static gboolean
split_range (const char *pattern,
             gsize open,
             gsize close,
             RangeText *range_text,
             gsize *error_offset,
             GError **error)
{
  g_autofree char *inner = g_strndup (pattern + open + 1, close - open - 1);
  g_autofree char *raw = g_strndup (pattern + open, close - open + 1);
  gsize offset = open + 1;

  range_text->text = fleet_quote_value (raw, FLEET_QUOTE_MAX_CHARS);
  range_text->parts = g_strsplit (inner, ":", -1);
  range_text->n_parts = g_strv_length (range_text->parts);

  if (range_text->n_parts == 2 || range_text->n_parts == 3)
    {
      for (guint i = 0; i < range_text->n_parts; i++)
        {
          range_text->parts_offset[i] = offset;
          offset += strlen (range_text->parts[i]) + 1;
        }
      return TRUE;
    }

  return fail (error, error_offset, open, FLEET_HOST_RANGE_ERROR_SYNTAX,
               "invalid host range %s: write [begin:end] or [begin:end:step] with colons, "
               "for example [01:50] or [a:f]",
               range_text->text);
}

/* Find the ranges of `pattern`, checking the brackets. */
static GArray *
parse_ranges (const char *pattern, gsize *error_offset, GError **error)
{
  g_autoptr (GArray) ranges = g_array_new (FALSE, TRUE, sizeof (Range));
  g_autofree char *quoted = fleet_quote_value (pattern, FLEET_QUOTE_MAX_CHARS);
  gsize length = strlen (pattern);

  for (gsize i = 0; i < length; i++)
    {
      Range range = { .open = i };
      RangeText range_text = { 0 };
      gsize close = i + 1;
      gboolean parsed;

      if (pattern[i] == ']')
        {
          fail (error, error_offset, i, FLEET_HOST_RANGE_ERROR_SYNTAX,
                "invalid host pattern %s: ']' without a matching '['", quoted);
          return NULL;
        }
      if (pattern[i] != '[')
        continue;

      while (close < length && pattern[close] != ']' && pattern[close] != '[')
        close++;
      if (close == length || pattern[close] == '[')
        {
          fail (error, error_offset, i, FLEET_HOST_RANGE_ERROR_SYNTAX,
                "invalid host pattern %s: '[' is not closed by ']'", quoted);
          return NULL;
        }

      parsed = split_range (pattern, i, close, &range_text, error_offset, error)
               && parse_bounds (&range_text, &range, error_offset, error);
      range_text_clear (&range_text);
      if (!parsed)
        return NULL;

      range.close = close;
      g_array_append_val (ranges, range);
      i = close;
    }

  return g_steal_pointer (&ranges);
}

/* Append the value at `index` of `range` to `name`. */
static void
append_value (GString *name, const Range *range, guint64 index)
{
  guint64 value = range->begin + index * range->step;

  if (range->letters)
    g_string_append_c (name, range_letters[value]);
  else
    g_string_append_printf (name, "%0*" G_GUINT64_FORMAT, (int) range->width, value);
}

static char *
build_name (const char *pattern, const GArray *ranges, const guint64 *indices)
{
  GString *name = g_string_new (NULL);
  gsize literal_start = 0;

  for (guint r = 0; r < ranges->len; r++)
    {
      const Range *range = &g_array_index (ranges, Range, r);

      g_string_append_len (name, pattern + literal_start, (gssize) (range->open - literal_start));
      append_value (name, range, indices[r]);
      literal_start = range->close + 1;
    }

  g_string_append (name, pattern + literal_start);
  return g_string_free (name, FALSE);
}

/* Return the number of names, saturated at G_MAXUINT64. */
static guint64
count_names (const GArray *ranges)
{
  guint64 total = 1;

  for (guint r = 0; r < ranges->len; r++)
    {
      guint64 count = g_array_index (ranges, Range, r).count;

      if (total > G_MAXUINT64 / count)
        return G_MAXUINT64;
      total *= count;
    }

  return total;
}

GPtrArray *
fleet_expand_host_pattern (const char *pattern,
                           guint64 max_names,
                           gsize *error_offset,
                           GError **error)
{
  g_autoptr (GArray) ranges = parse_ranges (pattern, error_offset, error);
  g_autofree guint64 *indices = NULL;
  g_autofree char *quoted = NULL;
  GPtrArray *names;
  guint64 total;

  if (ranges == NULL)
    return NULL;

  total = count_names (ranges);
  if (total > max_names)
    {
      g_autofree char *count = total == G_MAXUINT64
                                 ? g_strdup ("too many")
                                 : g_strdup_printf ("%" G_GUINT64_FORMAT, total);

      quoted = fleet_quote_value (pattern, FLEET_QUOTE_MAX_CHARS);
      fail (error, error_offset, g_array_index (ranges, Range, 0).open,
            FLEET_HOST_RANGE_ERROR_TOO_MANY,
            "host pattern %s expands to %s names, more than the limit of %" G_GUINT64_FORMAT
            "; split the hosts over several patterns or inventories",
            quoted, count, max_names);
      return NULL;
    }

  names = g_ptr_array_new_full ((guint) total, g_free);
  indices = g_new0 (guint64, ranges->len + 1);
  for (guint64 n = 0; n < total; n++)
    {
      g_ptr_array_add (names, build_name (pattern, ranges, indices));

      for (guint r = ranges->len; r > 0; r--)
        {
          if (++indices[r - 1] < g_array_index (ranges, Range, r - 1).count)
            break;
          indices[r - 1] = 0;
        }
    }

  return names;
}

void
fleet_host_pattern_clear (FleetHostPattern *pattern)
{
  if (pattern->names != NULL)
    g_ptr_array_unref (pattern->names);
  g_free (pattern->port);
  pattern->names = NULL;
  pattern->port = NULL;
}

/* Return the number of ':' in `pattern` outside square brackets, and the
 * offset of the last one. */
static guint
count_outer_colons (const char *pattern, gsize *last)
{
  guint count = 0;
  guint depth = 0;

  for (gsize i = 0; pattern[i] != '\0'; i++)
    {
      if (pattern[i] == '[')
        depth++;
      else if (pattern[i] == ']' && depth > 0)
        depth--;
      else if (pattern[i] == ':' && depth == 0)
        {
          count++;
          *last = i;
        }
    }

  return count;
}

/* Check the port text after the ':' at `colon`, and store it. */
static gboolean
take_port (const char *pattern, gsize colon, FleetHostPattern *out, gsize *error_offset,
           GError **error)
{
  const char *port = pattern + colon + 1;
  g_autofree char *quoted = fleet_quote_value (pattern, FLEET_QUOTE_MAX_CHARS);

  if (port[0] == '\0')
    return fail (error, error_offset, colon, FLEET_HOST_RANGE_ERROR_SYNTAX,
                 "invalid host pattern %s: it ends with ':'; write a port after it or remove it",
                 quoted);

  if (!is_all_digits (port) || strlen (port) > 5)
    return fail (error, error_offset, colon + 1, FLEET_HOST_RANGE_ERROR_SYNTAX,
                 "invalid host pattern %s: the port after ':' must be a number from 1 to 65535",
                 quoted);

  out->port = g_strdup (port);
  out->port_offset = colon + 1;
  return TRUE;
}

/* Handle "[ADDRESS]" and "[ADDRESS]:PORT" with an IPv6 address inside. */
static gboolean
parse_bracketed_address (const char *pattern, gsize close, FleetHostPattern *out,
                         gsize *error_offset, GError **error)
{
  const char *rest = pattern + close + 1;
  g_autofree char *quoted = NULL;

  if (rest[0] == ':' && !take_port (pattern, close + 1, out, error_offset, error))
    return FALSE;

  if (rest[0] != '\0' && rest[0] != ':')
    {
      quoted = fleet_quote_value (pattern, FLEET_QUOTE_MAX_CHARS);
      return fail (error, error_offset, close + 1, FLEET_HOST_RANGE_ERROR_SYNTAX,
                   "invalid host pattern %s: only :PORT may follow a bracketed IPv6 address",
                   quoted);
    }

  out->names = g_ptr_array_new_with_free_func (g_free);
  g_ptr_array_add (out->names, g_strndup (pattern + 1, close - 1));
  return TRUE;
}

gboolean
fleet_parse_host_pattern (const char *pattern,
                          guint64 max_names,
                          FleetHostPattern *out,
                          gsize *error_offset,
                          GError **error)
{
  FleetHostPattern result = { 0 };
  const char *close = pattern[0] == '[' ? strchr (pattern, ']') : NULL;
  g_autofree char *host = NULL;
  gsize last_colon = 0;
  guint colons;

  if (strcmp (pattern, "---") == 0)
    return fail (error, error_offset, 0, FLEET_HOST_RANGE_ERROR_SYNTAX,
                 "invalid host pattern \"---\": it starts a YAML document, so this file is "
                 "probably YAML; give it a .yaml extension");

  if (close != NULL)
    {
      g_autofree char *inner = g_strndup (pattern + 1, (gsize) (close - pattern) - 1);
      gsize ignored = 0;

      if (count_outer_colons (inner, &ignored) >= 2)
        {
          if (!parse_bracketed_address (pattern, (gsize) (close - pattern), &result, error_offset,
                                        error))
            {
              fleet_host_pattern_clear (&result);
              return FALSE;
            }
          *out = result;
          return TRUE;
        }
    }

  colons = count_outer_colons (pattern, &last_colon);
  if (colons >= 2)
    {
      result.names = g_ptr_array_new_with_free_func (g_free);
      g_ptr_array_add (result.names, g_strdup (pattern));
      *out = result;
      return TRUE;
    }

  if (colons == 1 && !take_port (pattern, last_colon, &result, error_offset, error))
    return FALSE;

  host = colons == 1 ? g_strndup (pattern, last_colon) : g_strdup (pattern);
  result.names = fleet_expand_host_pattern (host, max_names, error_offset, error);
  if (result.names == NULL)
    {
      fleet_host_pattern_clear (&result);
      return FALSE;
    }

  *out = result;
  return TRUE;
}
