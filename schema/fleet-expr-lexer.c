/* fleet-expr-lexer.c: the tokens of the expression language.
 *
 *   string   "..." with the escapes \" \\ \n \t; no raw control characters
 *   number   -?[0-9]+(\.[0-9]+)?
 *   name     [A-Za-z_][A-Za-z0-9_]* ("." [A-Za-z0-9_]+)*
 *   keyword  and or not in contains like defined true false (lower case only)
 *   operator == != < <= > >= =~ ( ) [ ] ,
 *
 * Spaces, tabs, carriage returns and newlines separate tokens.  Columns count
 * characters, so that a column maps onto the source line of an editor.
 */
#include "schema/fleet-expr-private.h"

#include <math.h>
#include <string.h>

#include "schema/fleet-diagnostics.h"

/* Token text quoted in messages is cut after this many characters. */
#define QUOTE_MAX_CHARS 40

typedef struct {
  const char *text;
  const char *p;             /* next byte to read */
  guint column;              /* column of `p` */
  GArray *tokens;
  guint *out_error_column;
} Lexer;

static const struct {
  const char *word;
  FleetTokenKind kind;
} keywords[] = {
  { "and", FLEET_TOKEN_AND },
  { "or", FLEET_TOKEN_OR },
  { "not", FLEET_TOKEN_NOT },
  { "in", FLEET_TOKEN_IN },
  { "contains", FLEET_TOKEN_CONTAINS },
  { "like", FLEET_TOKEN_LIKE },
  { "defined", FLEET_TOKEN_DEFINED },
  { "true", FLEET_TOKEN_TRUE },
  { "false", FLEET_TOKEN_FALSE },
};

/* Operators and punctuation, longest first so that "<=" wins over "<". */
static const struct {
  const char *text;
  FleetTokenKind kind;
} operators[] = {
  { "==", FLEET_TOKEN_EQ },
  { "!=", FLEET_TOKEN_NE },
  { "<=", FLEET_TOKEN_LE },
  { ">=", FLEET_TOKEN_GE },
  { "=~", FLEET_TOKEN_MATCH },
  { "<", FLEET_TOKEN_LT },
  { ">", FLEET_TOKEN_GT },
  { "(", FLEET_TOKEN_LPAREN },
  { ")", FLEET_TOKEN_RPAREN },
  { "[", FLEET_TOKEN_LBRACKET },
  { "]", FLEET_TOKEN_RBRACKET },
  { ",", FLEET_TOKEN_COMMA },
};

/* Characters that users bring from other languages, with what to write. */
static const struct {
  const char *text;
  const char *advice;
} lookalikes[] = {
  { "&&", "write 'and' instead of &&" },
  { "||", "write 'or' instead of ||" },
  { "!~", "write not (NAME =~ \"PATTERN\") instead of !~" },
  { "&", "write 'and' instead of &" },
  { "|", "write 'or' instead of |" },
  { "!", "write 'not' to negate a condition, or != to compare" },
  { "=", "write == to compare" },
  { "'", "strings use double quotes" },
  { "-", "a '-' must be followed by a digit, as in -1; names cannot contain '-'" },
};

static gboolean
is_name_char (char c)
{
  return g_ascii_isalnum (c) || c == '_' || c == '.';
}

/* Advance over `n_bytes` bytes, counting a column for each character start. */
static void
advance (Lexer *lexer, gsize n_bytes)
{
  for (gsize i = 0; i < n_bytes; i++, lexer->p++)
    if (((guchar) *lexer->p & 0xC0) != 0x80)
      lexer->column++;
}

static void
push_token (Lexer *lexer, FleetTokenKind kind, const char *start, guint column, char *text)
{
  FleetToken token = {
    .kind = kind,
    .column = column,
    .start = start,
    .length = lexer->p - start,
    .text = text,
  };

  g_array_append_val (lexer->tokens, token);
}

static gboolean
lex_string (Lexer *lexer, GError **error)
{
  const char *start = lexer->p;
  guint column = lexer->column;
  g_autoptr(GString) value = g_string_new (NULL);

  advance (lexer, 1);
  for (;;)
    {
      guchar c = (guchar) *lexer->p;

      if (c == '\0')
        return fleet_expr_fail (error, lexer->out_error_column, FLEET_EXPR_ERROR_SYNTAX, column,
                                "unterminated string starting at column %u; end it with \"",
                                column);

      if (c == '"')
        break;

      if (c < 0x20 || c == 0x7f)
        return fleet_expr_fail (error, lexer->out_error_column, FLEET_EXPR_ERROR_SYNTAX,
                                lexer->column,
                                "control character 0x%02x in the string at column %u; write \\n "
                                "for a newline, \\t for a tab", c, lexer->column);

      if (c == '\\')
        {
          char escaped = lexer->p[1];
          const char *decoded = escaped == '"' ? "\""
                              : escaped == '\\' ? "\\"
                              : escaped == 'n' ? "\n"
                              : escaped == 't' ? "\t"
                              : NULL;

          if (decoded == NULL)
            {
              if (escaped == '\0')
                return fleet_expr_fail (error, lexer->out_error_column, FLEET_EXPR_ERROR_SYNTAX,
                                        column, "unterminated string starting at column %u; end "
                                        "it with \"", column);
              if (g_ascii_isgraph (escaped))
                return fleet_expr_fail (error, lexer->out_error_column, FLEET_EXPR_ERROR_SYNTAX,
                                        lexer->column,
                                        "unknown escape sequence \\%c at column %u; the escapes "
                                        "are \\\" \\\\ \\n \\t, so write \\\\%c for a backslash "
                                        "followed by %c", escaped, lexer->column, escaped, escaped);
              return fleet_expr_fail (error, lexer->out_error_column, FLEET_EXPR_ERROR_SYNTAX,
                                      lexer->column,
                                      "unknown escape sequence at column %u; the escapes are "
                                      "\\\" \\\\ \\n \\t", lexer->column);
            }

          g_string_append (value, decoded);
          advance (lexer, 2);
          continue;
        }

      g_string_append_c (value, (char) c);
      advance (lexer, 1);
    }

  advance (lexer, 1);
  push_token (lexer, FLEET_TOKEN_STRING, start, column, g_string_free (g_steal_pointer (&value), FALSE));
  return TRUE;
}

static gboolean
lex_number (Lexer *lexer, GError **error)
{
  const char *start = lexer->p;
  guint column = lexer->column;
  gsize length = (*start == '-') ? 1 : 0;
  g_autofree char *text = NULL;
  g_autofree char *quoted = NULL;
  double number;

  /* Take letters and dots too, so that "1e5" and "10.0.0.1" are reported as
   * one bad number instead of a number followed by a puzzling name. */
  while (is_name_char (start[length]))
    length++;

  text = g_strndup (start, length);
  quoted = fleet_quote_value (text, QUOTE_MAX_CHARS);
  if (!fleet_number_syntax_is_valid (text, length))
    return fleet_expr_fail (error, lexer->out_error_column, FLEET_EXPR_ERROR_SYNTAX, column,
                            "invalid number %s at column %u; a number is digits with an optional "
                            "'-' and decimal part, such as 16 or -0.5, and text such as a version "
                            "or an address goes in double quotes", quoted, column);

  number = g_ascii_strtod (text, NULL);
  if (!isfinite (number))
    return fleet_expr_fail (error, lexer->out_error_column, FLEET_EXPR_ERROR_SYNTAX, column,
                            "number %s at column %u is too large", quoted, column);

  advance (lexer, length);
  push_token (lexer, FLEET_TOKEN_NUMBER, start, column, NULL);
  g_array_index (lexer->tokens, FleetToken, lexer->tokens->len - 1).number = number;
  return TRUE;
}

static gboolean
lex_word (Lexer *lexer, GError **error)
{
  const char *start = lexer->p;
  guint column = lexer->column;
  gsize length = 0;
  g_autofree char *word = NULL;

  while (is_name_char (start[length]))
    length++;
  word = g_strndup (start, length);

  for (guint i = 0; i < G_N_ELEMENTS (keywords); i++)
    {
      if (strcmp (word, keywords[i].word) == 0)
        {
          advance (lexer, length);
          push_token (lexer, keywords[i].kind, start, column, NULL);
          return TRUE;
        }

      /* A capitalized keyword would otherwise be a name that no host has,
       * and the expression would silently select nothing. */
      if (g_ascii_strcasecmp (word, keywords[i].word) == 0)
        return fleet_expr_fail (error, lexer->out_error_column, FLEET_EXPR_ERROR_SYNTAX, column,
                                "%s at column %u is not a keyword; keywords are lower case: %s",
                                word, column, keywords[i].word);
    }

  if (word[length - 1] == '.' || strstr (word, "..") != NULL)
    {
      g_autofree char *quoted = fleet_quote_value (word, QUOTE_MAX_CHARS);

      return fleet_expr_fail (error, lexer->out_error_column, FLEET_EXPR_ERROR_SYNTAX, column,
                              "invalid name %s at column %u; a dot must join two parts of a name, "
                              "as in facts.os_family", quoted, column);
    }

  advance (lexer, length);
  push_token (lexer, FLEET_TOKEN_NAME, start, column, g_steal_pointer (&word));
  return TRUE;
}

static gboolean
lex_operator (Lexer *lexer, GError **error)
{
  const char *start = lexer->p;
  guint column = lexer->column;
  gunichar c;
  char utf8[8] = { 0 };
  g_autofree char *quoted = NULL;

  for (guint i = 0; i < G_N_ELEMENTS (operators); i++)
    {
      gsize length = strlen (operators[i].text);

      if (strncmp (start, operators[i].text, length) == 0)
        {
          advance (lexer, length);
          push_token (lexer, operators[i].kind, start, column, NULL);
          return TRUE;
        }
    }

  c = g_utf8_get_char (start);
  g_unichar_to_utf8 (c, utf8);
  quoted = fleet_quote_value (utf8, QUOTE_MAX_CHARS);

  for (guint i = 0; i < G_N_ELEMENTS (lookalikes); i++)
    if (g_str_has_prefix (start, lookalikes[i].text))
      return fleet_expr_fail (error, lexer->out_error_column, FLEET_EXPR_ERROR_SYNTAX, column,
                              "unexpected character %s at column %u; %s", quoted, column,
                              lookalikes[i].advice);

  return fleet_expr_fail (error, lexer->out_error_column, FLEET_EXPR_ERROR_SYNTAX, column,
                          "unexpected character %s at column %u", quoted, column);
}

static gboolean
lex_token (Lexer *lexer, GError **error)
{
  char c = *lexer->p;

  if (c == '"')
    return lex_string (lexer, error);
  if (g_ascii_isdigit (c) || (c == '-' && g_ascii_isdigit (lexer->p[1])))
    return lex_number (lexer, error);
  if (g_ascii_isalpha (c) || c == '_')
    return lex_word (lexer, error);
  return lex_operator (lexer, error);
}

static void
token_clear (gpointer data)
{
  FleetToken *token = data;

  g_free (token->text);
}

GArray *
fleet_expr_tokenize (const char *text, guint *out_error_column, GError **error)
{
  Lexer lexer = { .text = text, .p = text, .column = 1, .out_error_column = out_error_column };
  g_autoptr(GArray) tokens = g_array_new (FALSE, TRUE, sizeof (FleetToken));

  g_array_set_clear_func (tokens, token_clear);
  lexer.tokens = tokens;

  for (;;)
    {
      while (*lexer.p == ' ' || *lexer.p == '\t' || *lexer.p == '\n' || *lexer.p == '\r')
        advance (&lexer, 1);

      if (*lexer.p == '\0')
        break;

      if (!lex_token (&lexer, error))
        return NULL;
    }

  push_token (&lexer, FLEET_TOKEN_END, lexer.p, lexer.column, NULL);
  return g_steal_pointer (&tokens);
}

char *
fleet_token_describe (const FleetToken *token)
{
  g_autofree char *source = NULL;
  g_autofree char *quoted = NULL;

  switch (token->kind)
    {
    case FLEET_TOKEN_END:
      return g_strdup ("end of expression");
    case FLEET_TOKEN_STRING:
      quoted = fleet_quote_value (token->text, QUOTE_MAX_CHARS);
      return g_strdup_printf ("string %s", quoted);
    case FLEET_TOKEN_NUMBER:
      source = g_strndup (token->start, token->length);
      return g_strdup_printf ("number %.*s%s", QUOTE_MAX_CHARS, source,
                              token->length > QUOTE_MAX_CHARS ? "..." : "");
    case FLEET_TOKEN_NAME:
      return g_strdup_printf ("name %.*s%s", QUOTE_MAX_CHARS, token->text,
                              token->length > QUOTE_MAX_CHARS ? "..." : "");
    default:
      source = g_strndup (token->start, token->length);
      return g_strdup_printf ("'%s'", source);
    }
}
