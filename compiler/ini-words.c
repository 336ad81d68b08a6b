/* ini-words.c: shlex-style splitting of INI host lines; the rules are in
 * ini-words.h.  The line is read byte by byte, which is safe for UTF-8
 * because every delimiter is ASCII. */
#include "compiler/ini-words.h"

#include <string.h>

G_DEFINE_QUARK (fleet-ini-error-quark, fleet_ini_error)

typedef enum {
  STATE_BETWEEN,
  STATE_WORD,
  STATE_SINGLE_QUOTE,
  STATE_DOUBLE_QUOTE,
} State;

typedef enum {
  STEP_CONTINUE,
  STEP_END,
  STEP_ERROR,
} Step;

/* The word being read. */
typedef struct {
  GString *text;
  GArray *offsets;             /* gsize */
  gboolean started;            /* a quote starts a word even if it stays empty */
} Builder;

void
fleet_ini_word_free (FleetIniWord *word)
{
  if (word == NULL)
    return;

  g_free (word->text);
  g_free (word->offsets);
  g_free (word);
}

static void
append (Builder *builder, char c, gsize offset)
{
  g_string_append_c (builder->text, c);
  g_array_append_val (builder->offsets, offset);
  builder->started = TRUE;
}

/* Move the word being read, ending at `end`, to `words`. */
static void
finish_word (Builder *builder, gsize end, GPtrArray *words)
{
  FleetIniWord *word;

  if (!builder->started)
    return;

  word = g_new0 (FleetIniWord, 1);
  word->length = builder->text->len;
  word->text = g_strndup (builder->text->str, builder->text->len);
  g_array_append_val (builder->offsets, end);
  word->offsets = g_memdup2 (builder->offsets->data, builder->offsets->len * sizeof (gsize));
  g_ptr_array_add (words, word);

  g_string_truncate (builder->text, 0);
  g_array_set_size (builder->offsets, 0);
  builder->started = FALSE;
}

static gboolean
is_space (char c)
{
  return c == ' ' || c == '\t' || c == '\r' || c == '\n';
}

static Step
fail (GError **error, gsize *error_offset, gsize offset, FleetIniError code, const char *message)
{
  *error_offset = offset;
  g_set_error_literal (error, FLEET_INI_ERROR, code, message);
  return STEP_ERROR;
}

/* Handle `line[*i]` outside quotes. */
static Step
read_unquoted (const char *line, gsize *i, State *state, gsize *quote_start, Builder *builder,
               GPtrArray *words, gsize *error_offset, GError **error)
{
  char c = line[*i];

  if (c == '\0' || c == '#')
    {
      finish_word (builder, *i, words);
      return STEP_END;
    }
  if (is_space (c))
    {
      finish_word (builder, *i, words);
      *state = STATE_BETWEEN;
      return STEP_CONTINUE;
    }

  *state = STATE_WORD;
  if (c == '\'' || c == '"')
    {
      *state = c == '\'' ? STATE_SINGLE_QUOTE : STATE_DOUBLE_QUOTE;
      *quote_start = *i;
      builder->started = TRUE;
    }
  else if (c == '\\')
    {
      if (line[*i + 1] == '\0')
        return fail (error, error_offset, *i, FLEET_INI_ERROR_DANGLING_ESCAPE,
                     "a backslash ends the line; remove it or escape it as \\\\");
      (*i)++;
      append (builder, line[*i], *i);
    }
  else
    append (builder, c, *i);

  return STEP_CONTINUE;
}

/* Handle `line[*i]` inside quotes. */
static Step
read_quoted (const char *line, gsize *i, State *state, gsize quote_start, Builder *builder,
             gsize *error_offset, GError **error)
{
  char c = line[*i];
  char quote = *state == STATE_SINGLE_QUOTE ? '\'' : '"';

  if (c == '\0')
    return fail (error, error_offset, quote_start, FLEET_INI_ERROR_UNCLOSED_QUOTE,
                 quote == '\'' ? "the single quote is not closed" : "the double quote is not closed");

  if (c == quote)
    *state = STATE_WORD;
  else if (quote == '"' && c == '\\' && (line[*i + 1] == '"' || line[*i + 1] == '\\'))
    {
      (*i)++;
      append (builder, line[*i], *i);
    }
  else
    append (builder, c, *i);

  return STEP_CONTINUE;
}

GPtrArray *
fleet_ini_split_words (const char *line, gsize *error_offset, GError **error)
{
  g_autoptr (GPtrArray) words = g_ptr_array_new_with_free_func ((GDestroyNotify) fleet_ini_word_free);
  Builder builder = { g_string_new (NULL), g_array_new (FALSE, FALSE, sizeof (gsize)), FALSE };
  State state = STATE_BETWEEN;
  gsize quote_start = 0;
  Step step = STEP_CONTINUE;

  for (gsize i = 0; step == STEP_CONTINUE; i++)
    {
      if (state == STATE_SINGLE_QUOTE || state == STATE_DOUBLE_QUOTE)
        step = read_quoted (line, &i, &state, quote_start, &builder, error_offset, error);
      else
        step = read_unquoted (line, &i, &state, &quote_start, &builder, words, error_offset, error);
    }

  g_string_free (builder.text, TRUE);
  g_array_unref (builder.offsets);
  if (step == STEP_ERROR)
    return NULL;

  return g_steal_pointer (&words);
}
