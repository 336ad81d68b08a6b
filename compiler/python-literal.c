/* python-literal.c: a recursive-descent parser for the Python literals in
 * python-literal.h.  Every parse function returns FALSE when the text is not
 * a literal of its kind, and the caller then keeps the text unchanged, so
 * no error leaves this file. */
#include "compiler/python-literal.h"

#include <string.h>

#define MAX_NESTING 64

typedef enum {
  KIND_STRING,
  KIND_NUMBER,
  KIND_BOOLEAN,
  KIND_NONE,
  KIND_COLLECTION,
} Kind;

typedef struct {
  const char *text;
  gsize pos;
  guint depth;
} Parser;

/* One parsed literal: its JSON form, and for strings the contents. */
typedef struct {
  Kind kind;
  GString *json;
  GString *contents;
} Literal;

static gboolean parse_literal (Parser *parser, Literal *literal);

static void
literal_init (Literal *literal)
{
  literal->kind = KIND_NONE;
  literal->json = g_string_new (NULL);
  literal->contents = g_string_new (NULL);
}

static void
literal_clear (Literal *literal)
{
  g_string_free (literal->json, TRUE);
  g_string_free (literal->contents, TRUE);
}

/* Return the character `ahead` places on, or '\0' past the end. */
static char
peek (const Parser *parser, gsize ahead)
{
  for (gsize i = 0; i < ahead; i++)
    if (parser->text[parser->pos + i] == '\0')
      return '\0';

  return parser->text[parser->pos + ahead];
}

static void
skip_spaces (Parser *parser)
{
  while (parser->text[parser->pos] == ' ' || parser->text[parser->pos] == '\t'
         || parser->text[parser->pos] == '\f')
    parser->pos++;
}

static gboolean
is_identifier_char (char c)
{
  return g_ascii_isalnum (c) || c == '_' || (unsigned char) c >= 0x80;
}

static void
append_json_string (GString *json, const char *text, gsize length)
{
  g_string_append_c (json, '"');
  for (gsize i = 0; i < length; i++)
    {
      unsigned char c = (unsigned char) text[i];

      if (c == '"' || c == '\\')
        g_string_append_printf (json, "\\%c", c);
      else if (c == '\n')
        g_string_append (json, "\\n");
      else if (c == '\t')
        g_string_append (json, "\\t");
      else if (c < 0x20 || c == 0x7f)
        g_string_append_printf (json, "\\u%04x", c);
      else
        g_string_append_c (json, (char) c);
    }
  g_string_append_c (json, '"');
}

/* Return the length of a string prefix (r, u, b, rb, br in any case)
 * followed by a quote at the parser's position, or -1. */
static int
string_prefix_length (const Parser *parser)
{
  for (int length = 0; length <= 2; length++)
    {
      char c = peek (parser, (gsize) length);

      if (c == '\'' || c == '"')
        return length;
      if (strchr ("rRuUbB", c) == NULL || c == '\0')
        return -1;
    }

  return -1;
}

static int
hex_value (char c)
{
  if (g_ascii_isdigit (c))
    return c - '0';
  if (c >= 'a' && c <= 'f')
    return c - 'a' + 10;
  if (c >= 'A' && c <= 'F')
    return c - 'A' + 10;
  return -1;
}

/* Read `n_digits` hex digits at `text` into a code point. */
static gboolean
read_hex (const char *text, int n_digits, gunichar *out)
{
  gunichar value = 0;

  for (int i = 0; i < n_digits; i++)
    {
      int digit = hex_value (text[i]);

      if (digit < 0)
        return FALSE;
      value = value * 16 + (gunichar) digit;
    }

  *out = value;
  return TRUE;
}

static const struct {
  char escape;
  char value;
} simple_escapes[] = {
  { '\\', '\\' }, { '\'', '\'' }, { '"', '"' }, { 'a', '\a' }, { 'b', '\b' },
  { 'f', '\f' }, { 'n', '\n' }, { 'r', '\r' }, { 't', '\t' }, { 'v', '\v' },
};

/* Decode the escape after a backslash at text[*pos] into `out`, advancing
 * `pos` past it.  An unknown escape keeps its backslash, as Python does. */
static gboolean
decode_escape (const char *text, gsize *pos, GString *out)
{
  char c = text[*pos];
  gunichar code_point = 0;
  int n_hex = 0;

  if (c == 'x')
    n_hex = 2;
  else if (c == 'u')
    n_hex = 4;
  else if (c == 'U')
    n_hex = 8;

  for (gsize i = 0; i < G_N_ELEMENTS (simple_escapes); i++)
    if (simple_escapes[i].escape == c)
      {
        g_string_append_c (out, simple_escapes[i].value);
        (*pos)++;
        return TRUE;
      }

  if (c >= '0' && c <= '7')
    {
      for (int i = 0; i < 3 && text[*pos] >= '0' && text[*pos] <= '7'; i++)
        code_point = code_point * 8 + (gunichar) (text[(*pos)++] - '0');
    }
  else if (n_hex > 0)
    {
      if (strlen (text + *pos + 1) < (gsize) n_hex || !read_hex (text + *pos + 1, n_hex, &code_point))
        return FALSE;
      *pos += 1 + (gsize) n_hex;
    }
  else
    {
      /* \N{name} needs Unicode's name table; leave such text unparsed. */
      if (c == 'N' || c == '\0')
        return FALSE;
      g_string_append_c (out, '\\');
      return TRUE;
    }

  /* NUL cannot be stored in a C string, and surrogates are not characters. */
  if (code_point == 0 || !g_unichar_validate (code_point))
    return FALSE;

  g_string_append_unichar (out, code_point);
  return TRUE;
}

/* Parse one string literal, appending its contents to `contents`. */
static gboolean
parse_one_string (Parser *parser, GString *contents)
{
  int prefix = string_prefix_length (parser);
  gboolean raw = FALSE;
  char quote;
  gsize quote_length;

  if (prefix < 0)
    return FALSE;
  for (int i = 0; i < prefix; i++)
    raw = raw || g_ascii_tolower (parser->text[parser->pos + (gsize) i]) == 'r';
  parser->pos += (gsize) prefix;

  quote = parser->text[parser->pos];
  quote_length = peek (parser, 1) == quote && peek (parser, 2) == quote ? 3 : 1;
  parser->pos += quote_length;

  while (TRUE)
    {
      char c = parser->text[parser->pos];

      if (c == '\0')
        return FALSE;
      if (c == quote && (quote_length == 1 || (peek (parser, 1) == quote && peek (parser, 2) == quote)))
        {
          parser->pos += quote_length;
          return TRUE;
        }
      if (c == '\\' && raw)
        {
          if (parser->text[parser->pos + 1] == '\0')
            return FALSE;
          g_string_append_len (contents, parser->text + parser->pos, 2);
          parser->pos += 2;
          continue;
        }
      if (c == '\\')
        {
          parser->pos++;
          if (!decode_escape (parser->text, &parser->pos, contents))
            return FALSE;
          continue;
        }

      g_string_append_c (contents, c);
      parser->pos++;
    }
}

/* Parse adjacent string literals, which Python joins. */
static gboolean
parse_strings (Parser *parser, Literal *literal)
{
  do
    {
      if (!parse_one_string (parser, literal->contents))
        return FALSE;
      skip_spaces (parser);
    }
  while (string_prefix_length (parser) >= 0);

  literal->kind = KIND_STRING;
  append_json_string (literal->json, literal->contents->str, literal->contents->len);
  return TRUE;
}

/* Read digits of `base` with Python's underscore rule (one underscore
 * between two digits) into `digits`, without the underscores. */
static gboolean
read_digits (Parser *parser, int base, GString *digits)
{
  gboolean after_digit = FALSE;

  while (TRUE)
    {
      char c = parser->text[parser->pos];
      int value = hex_value (c);

      if (c == '_' && after_digit && value < 0)
        {
          int next = hex_value (parser->text[parser->pos + 1]);
          if (next < 0 || next >= base)
            return FALSE;
          after_digit = FALSE;
          parser->pos++;
          continue;
        }
      if (value < 0 || value >= base)
        return TRUE;

      g_string_append_c (digits, c);
      after_digit = TRUE;
      parser->pos++;
    }
}

/* Parse 0x, 0o or 0b digits into a decimal JSON number. */
static gboolean
parse_prefixed_integer (Parser *parser, Literal *literal)
{
  char marker = g_ascii_tolower (parser->text[parser->pos + 1]);
  int base = 2;

  if (marker == 'x')
    base = 16;
  else if (marker == 'o')
    base = 8;
  g_autoptr (GString) digits = g_string_new (NULL);
  guint64 value = 0;

  parser->pos += 2;
  if (parser->text[parser->pos] == '_')
    parser->pos++;
  if (!read_digits (parser, base, digits) || digits->len == 0)
    return FALSE;

  for (gsize i = 0; i < digits->len; i++)
    {
      guint64 digit = (guint64) hex_value (digits->str[i]);

      if (value > (G_MAXUINT64 - digit) / (guint64) base)
        return FALSE;
      value = value * (guint64) base + digit;
    }

  g_string_append_printf (literal->json, "%" G_GUINT64_FORMAT, value);
  return TRUE;
}

/* Append `digits` without leading zeros, or "0". */
static void
append_without_leading_zeros (GString *json, const GString *digits)
{
  gsize first = 0;

  while (first + 1 < digits->len && digits->str[first] == '0')
    first++;
  g_string_append (json, digits->len > 0 ? digits->str + first : "0");
}

/* Parse a decimal integer or float into a JSON number. */
static gboolean
parse_decimal (Parser *parser, Literal *literal)
{
  g_autoptr (GString) whole = g_string_new (NULL);
  g_autoptr (GString) fraction = g_string_new (NULL);
  g_autoptr (GString) exponent = g_string_new (NULL);
  gboolean is_float = FALSE;
  char sign = '\0';

  if (!read_digits (parser, 10, whole))
    return FALSE;

  if (parser->text[parser->pos] == '.')
    {
      is_float = TRUE;
      parser->pos++;
      if (!read_digits (parser, 10, fraction) || (whole->len == 0 && fraction->len == 0))
        return FALSE;
    }

  if (g_ascii_tolower (parser->text[parser->pos]) == 'e')
    {
      is_float = TRUE;
      parser->pos++;
      if (parser->text[parser->pos] == '+' || parser->text[parser->pos] == '-')
        sign = parser->text[parser->pos++];
      if (!read_digits (parser, 10, exponent) || exponent->len == 0)
        return FALSE;
    }

  /* Python rejects 007 but accepts 000 and 007.5. */
  if (!is_float && whole->len > 1 && whole->str[0] == '0' && strspn (whole->str, "0") != whole->len)
    return FALSE;

  append_without_leading_zeros (literal->json, whole);
  if (is_float)
    g_string_append_printf (literal->json, ".%s", fraction->len > 0 ? fraction->str : "0");
  if (exponent->len > 0)
    g_string_append_printf (literal->json, "e%s%s", sign == '-' ? "-" : "", exponent->str);
  return TRUE;
}

static gboolean
parse_number (Parser *parser, Literal *literal)
{
  char first = parser->text[parser->pos];
  char second = g_ascii_tolower (peek (parser, 1));
  gboolean parsed;

  if (first == '0' && (second == 'x' || second == 'o' || second == 'b'))
    parsed = parse_prefixed_integer (parser, literal);
  else
    parsed = parse_decimal (parser, literal);

  /* "1j" is complex and "1abc" no literal at all. */
  if (!parsed || is_identifier_char (parser->text[parser->pos]))
    return FALSE;

  literal->kind = KIND_NUMBER;
  return TRUE;
}

static gboolean
parse_signed_number (Parser *parser, Literal *literal)
{
  char sign = parser->text[parser->pos++];

  skip_spaces (parser);
  if (!g_ascii_isdigit (parser->text[parser->pos])
      && !(parser->text[parser->pos] == '.' && g_ascii_isdigit (peek (parser, 1))))
    return FALSE;

  if (sign == '-')
    g_string_append_c (literal->json, '-');
  return parse_number (parser, literal);
}

static gboolean
parse_name (Parser *parser, Literal *literal)
{
  static const struct {
    const char *python;
    const char *json;
    Kind kind;
  } names[] = {
    { "True", "true", KIND_BOOLEAN },
    { "False", "false", KIND_BOOLEAN },
    { "None", "null", KIND_NONE },
  };
  gsize start = parser->pos;

  while (is_identifier_char (parser->text[parser->pos]))
    parser->pos++;

  for (gsize i = 0; i < G_N_ELEMENTS (names); i++)
    if (parser->pos - start == strlen (names[i].python)
        && strncmp (parser->text + start, names[i].python, parser->pos - start) == 0)
      {
        g_string_append (literal->json, names[i].json);
        literal->kind = names[i].kind;
        return TRUE;
      }

  return FALSE;
}

/* Return the text a dict key becomes in JSON, as json.dumps converts it. */
static char *
key_text (const Literal *key)
{
  if (key->kind == KIND_STRING)
    return g_strdup (key->contents->str);

  return g_strdup (key->json->str);
}

/* The items of a list, tuple, set or dict while it is read. */
typedef struct {
  gboolean is_dict;
  gboolean is_set;
  GPtrArray *keys;             /* char *, dicts only */
  GPtrArray *values;           /* char *, JSON of each item */
} Items;

static void
items_clear (Items *items)
{
  g_ptr_array_unref (items->keys);
  g_ptr_array_unref (items->values);
}

static void
add_item (Items *items, const char *key, const char *json)
{
  for (guint i = 0; i < items->values->len; i++)
    {
      if (items->is_dict && strcmp (g_ptr_array_index (items->keys, i), key) == 0)
        {
          g_free (g_ptr_array_index (items->values, i));
          items->values->pdata[i] = g_strdup (json);
          return;
        }
      if (items->is_set && strcmp (g_ptr_array_index (items->values, i), json) == 0)
        return;
    }

  if (items->is_dict)
    g_ptr_array_add (items->keys, g_strdup (key));
  g_ptr_array_add (items->values, g_strdup (json));
}

static void
write_items (const Items *items, GString *json)
{
  g_string_append_c (json, items->is_dict ? '{' : '[');
  for (guint i = 0; i < items->values->len; i++)
    {
      const char *key = items->is_dict ? g_ptr_array_index (items->keys, i) : NULL;

      if (i > 0)
        g_string_append_c (json, ',');
      if (key != NULL)
        {
          append_json_string (json, key, strlen (key));
          g_string_append_c (json, ':');
        }
      g_string_append (json, g_ptr_array_index (items->values, i));
    }
  g_string_append_c (json, items->is_dict ? '}' : ']');
}

/* Add `first`, already parsed, to `items`; for a dict, also read ": value". */
static gboolean
add_parsed_item (Parser *parser, Items *items, const Literal *first)
{
  Literal value;
  g_autofree char *key = NULL;
  gboolean parsed;

  skip_spaces (parser);
  if (!items->is_dict)
    {
      add_item (items, NULL, first->json->str);
      return TRUE;
    }

  /* Only scalars can be keys: Python cannot hash lists and dicts, and
   * json.dumps rejects tuple keys. */
  if (first->kind == KIND_COLLECTION || parser->text[parser->pos] != ':')
    return FALSE;

  parser->pos++;
  skip_spaces (parser);
  literal_init (&value);
  parsed = parse_literal (parser, &value);
  if (parsed)
    {
      key = key_text (first);
      add_item (items, key, value.json->str);
    }
  literal_clear (&value);
  return parsed;
}

static gboolean
parse_item (Parser *parser, Items *items)
{
  Literal first;
  gboolean parsed;

  literal_init (&first);
  parsed = parse_literal (parser, &first) && add_parsed_item (parser, items, &first);
  literal_clear (&first);
  return parsed;
}

/* Parse ", item" repeatedly up to `close`, after the first item. */
static gboolean
parse_more_items (Parser *parser, Items *items, char close)
{
  while (TRUE)
    {
      skip_spaces (parser);
      if (parser->text[parser->pos] == close)
        break;
      if (parser->text[parser->pos] != ',')
        return FALSE;

      parser->pos++;
      skip_spaces (parser);
      if (parser->text[parser->pos] == close)
        break;
      if (!parse_item (parser, items))
        return FALSE;
    }

  parser->pos++;
  return TRUE;
}

/* Parse the items of a collection up to `close`.  The first item is read
 * once and then decides the form: "(" with one item and no comma is a
 * parenthesized literal, and "{" with a ':' after the first item is a dict.
 * So every character is read once, however deep the nesting. */
static gboolean
parse_collection_items (Parser *parser, Literal *literal, Items *items, char close)
{
  Literal first;
  gboolean parsed;

  skip_spaces (parser);
  if (parser->text[parser->pos] == close)
    {
      parser->pos++;
      items->is_dict = close == '}';
      return TRUE;
    }

  literal_init (&first);
  parsed = parse_literal (parser, &first);
  skip_spaces (parser);

  if (parsed && close == ')' && parser->text[parser->pos] == ')')
    {
      parser->pos++;
      literal->kind = first.kind;
      g_string_assign (literal->json, first.json->str);
      g_string_assign (literal->contents, first.contents->str);
    }
  else if (parsed)
    {
      items->is_dict = close == '}' && parser->text[parser->pos] == ':';
      items->is_set = close == '}' && !items->is_dict;
      parsed = add_parsed_item (parser, items, &first) && parse_more_items (parser, items, close);
    }

  literal_clear (&first);
  return parsed;
}

static gboolean
parse_collection (Parser *parser, Literal *literal)
{
  char open = parser->text[parser->pos++];
  char close = '}';
  Items items = {
    .keys = g_ptr_array_new_with_free_func (g_free),
    .values = g_ptr_array_new_with_free_func (g_free),
  };
  gboolean parsed;

  if (open == '[')
    close = ']';
  else if (open == '(')
    close = ')';

  literal->kind = KIND_COLLECTION;
  parsed = parse_collection_items (parser, literal, &items, close);
  if (parsed && literal->kind == KIND_COLLECTION)
    write_items (&items, literal->json);

  items_clear (&items);
  return parsed;
}

static gboolean
parse_literal (Parser *parser, Literal *literal)
{
  char c = parser->text[parser->pos];
  gboolean parsed;

  if (parser->depth >= MAX_NESTING)
    return FALSE;

  parser->depth++;
  if (string_prefix_length (parser) >= 0)
    parsed = parse_strings (parser, literal);
  else if (c == '+' || c == '-')
    parsed = parse_signed_number (parser, literal);
  else if (g_ascii_isdigit (c) || (c == '.' && g_ascii_isdigit (peek (parser, 1))))
    parsed = parse_number (parser, literal);
  else if (c == '[' || c == '(' || c == '{')
    parsed = parse_collection (parser, literal);
  else if (g_ascii_isalpha (c) || c == '_')
    parsed = parse_name (parser, literal);
  else
    parsed = FALSE;
  parser->depth--;

  return parsed;
}

FleetPythonLiteralKind
fleet_python_literal_parse (const char *text, char **out)
{
  Parser parser = { .text = text };
  Literal literal;
  FleetPythonLiteralKind kind = FLEET_PYTHON_LITERAL_INVALID;
  gsize start;
  gsize end;

  *out = NULL;
  literal_init (&literal);
  skip_spaces (&parser);
  start = parser.pos;

  if (parse_literal (&parser, &literal))
    {
      end = parser.pos;
      skip_spaces (&parser);
      if (parser.text[parser.pos] == '\0' || parser.text[parser.pos] == '#')
        kind = literal.kind == KIND_STRING ? FLEET_PYTHON_LITERAL_STRING
             : literal.kind == KIND_NONE ? FLEET_PYTHON_LITERAL_NONE
             : literal.kind == KIND_COLLECTION ? FLEET_PYTHON_LITERAL_COLLECTION
             : FLEET_PYTHON_LITERAL_SCALAR;

      if (kind == FLEET_PYTHON_LITERAL_STRING)
        *out = g_strdup (literal.contents->str);
      else if (kind == FLEET_PYTHON_LITERAL_SCALAR)
        *out = g_strndup (text + start, end - start);
      else if (kind == FLEET_PYTHON_LITERAL_COLLECTION)
        *out = g_strdup (literal.json->str);
    }

  literal_clear (&literal);
  return kind;
}
