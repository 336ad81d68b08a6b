/* ssh-config.c: reading ssh_config files into lines, blocks and includes.
 *
 * Each line is split as OpenSSH's strdelim and argv_split split it: the
 * keyword ends at whitespace, '=' or a quote, one '=' may separate it from
 * the value, and the value is words with " and ' quoting and backslash
 * escapes of quotes, backslashes and spaces.
 */
#include "compiler/ssh-config-private.h"

#include <glob.h>
#include <stdlib.h>
#include <string.h>

#include "compiler/source-file.h"
#include "compiler/yaml-tree.h"

typedef struct {
  FleetDiagnostics *diags;
  FleetSshConfig *config;
  GPtrArray *stack;           /* char *, real paths of the files being read,
                                 outermost first */
  GHashTable *warned;         /* "file:line" of each Match already reported */
} Reader;

static void read_file (Reader *reader,
                       const char *path,
                       gboolean check_owner,
                       const FleetSourcePos *reference,
                       guint condition);

static void
ssh_condition_free (SshCondition *condition)
{
  if (condition->patterns != NULL)
    g_ptr_array_unref (condition->patterns);
  g_free (condition);
}

static guint
add_condition (FleetSshConfig *config, GPtrArray *patterns, gboolean never, guint parent)
{
  SshCondition *condition = g_new0 (SshCondition, 1);

  condition->patterns = patterns;
  condition->never = never;
  condition->parent = parent;
  g_ptr_array_add (config->conditions, condition);
  return config->conditions->len - 1;
}

static FleetSshConfig *
ssh_config_new (const char *path)
{
  FleetSshConfig *config = g_new0 (FleetSshConfig, 1);

  /* Absolute, because the plan records it for `fleetc check`, which may run
   * from another directory. */
  config->path = g_canonicalize_filename (path, NULL);
  config->sources = g_ptr_array_new_with_free_func ((GDestroyNotify) fleet_source_file_free);
  config->conditions = g_ptr_array_new_with_free_func ((GDestroyNotify) ssh_condition_free);
  config->lines = g_ptr_array_new_with_free_func ((GDestroyNotify) ssh_line_free);
  add_condition (config, NULL, FALSE, SSH_CONDITION_ALWAYS);
  return config;
}

void
fleet_ssh_config_free (FleetSshConfig *config)
{
  if (config == NULL)
    return;

  g_free (config->path);
  g_ptr_array_unref (config->sources);
  g_ptr_array_unref (config->conditions);
  g_ptr_array_unref (config->lines);
  g_free (config);
}

const char *
fleet_ssh_config_path (const FleetSshConfig *config)
{
  return config->path;
}

const GPtrArray *
fleet_ssh_config_sources (const FleetSshConfig *config)
{
  return config->sources;
}

/* Words */

static void
ssh_words_free (SshWords *words)
{
  if (words == NULL)
    return;

  g_free (words->keyword);
  g_ptr_array_unref (words->args);
  g_array_unref (words->arg_columns);
  g_free (words);
}

G_DEFINE_AUTOPTR_CLEANUP_FUNC (SshWords, ssh_words_free)

FleetSourcePos
ssh_words_arg_pos (const SshWords *words, guint index)
{
  FleetSourcePos pos = { words->file, words->line, words->keyword_column };

  if (index < words->arg_columns->len)
    pos.column = g_array_index (words->arg_columns, guint, index);
  return pos;
}

static gboolean
is_blank (char c)
{
  return c == ' ' || c == '\t' || c == '\f' || c == '\r';
}

/* Read one word of the value starting at text[*i], per OpenSSH's
 * argv_split.  Returns NULL with *i at the opening quote when a quote is
 * not closed. */
static char *
read_word (const char *text, gsize *i)
{
  GString *word = g_string_new (NULL);
  gsize start = *i;
  char quote = '\0';

  for (; text[*i] != '\0'; (*i)++)
    {
      char c = text[*i];
      char next = text[*i + 1];

      if (c == '\\' && (next == '\'' || next == '"' || next == '\\'
                        || (quote == '\0' && next == ' ')))
        g_string_append_c (word, text[++(*i)]);
      else if (quote == '\0' && is_blank (c))
        break;
      else if (quote == '\0' && (c == '"' || c == '\''))
        {
          quote = c;
          start = *i;
        }
      else if (quote != '\0' && c == quote)
        quote = '\0';
      else
        g_string_append_c (word, c);
    }

  if (quote != '\0')
    {
      *i = start;
      g_string_free (word, TRUE);
      return NULL;
    }
  return g_string_free (word, FALSE);
}

/* Split line `number` of `file`, `text`, into words.  Sets *out to NULL for
 * a blank or comment line.  Returns FALSE after reporting an error. */
static gboolean
split_line (Reader *reader, const char *file, guint number, const char *text, SshWords **out)
{
  g_autoptr(SshWords) words = NULL;
  gsize i = 0;
  gsize start;

  *out = NULL;
  while (is_blank (text[i]))
    i++;
  if (text[i] == '\0' || text[i] == '#')
    return TRUE;

  words = g_new0 (SshWords, 1);
  words->file = file;
  words->line = number;
  words->keyword_column = (guint) i + 1;
  words->args = g_ptr_array_new_with_free_func (g_free);
  words->arg_columns = g_array_new (FALSE, FALSE, sizeof (guint));

  start = i;
  while (text[i] != '\0' && !is_blank (text[i]) && text[i] != '=' && text[i] != '"'
         && text[i] != '\'')
    i++;
  words->keyword = g_strndup (text + start, i - start);

  while (is_blank (text[i]))
    i++;
  if (text[i] == '=')
    i++;

  for (;;)
    {
      guint column;
      char *word;

      while (is_blank (text[i]))
        i++;
      if (text[i] == '\0' || text[i] == '#')
        break;

      column = (guint) i + 1;
      word = read_word (text, &i);
      if (word == NULL)
        {
          FleetSourcePos pos = { file, number, (guint) i + 1 };

          fleet_diagnostics_error (reader->diags, &pos,
                                   "the quote that starts here is not closed; close it before "
                                   "the end of the line");
          return FALSE;
        }
      g_ptr_array_add (words->args, word);
      g_array_append_val (words->arg_columns, column);
    }

  *out = g_steal_pointer (&words);
  return TRUE;
}

/* Blocks and includes */

static void
start_host_block (Reader *reader, const SshWords *words, guint file_condition, guint *condition)
{
  GPtrArray *patterns = g_ptr_array_new_with_free_func (g_free);

  for (guint i = 0; i < words->args->len; i++)
    {
      const char *pattern = g_ptr_array_index (words->args, i);

      if (pattern[0] == '\0' || g_str_equal (pattern, "!"))
        {
          FleetSourcePos pos = ssh_words_arg_pos (words, i);

          fleet_diagnostics_error (reader->diags, &pos,
                                   "empty pattern in %s; remove it or write a host name pattern",
                                   words->keyword);
          continue;
        }
      g_ptr_array_add (patterns, g_strdup (pattern));
    }

  *condition = add_condition (reader->config, patterns, FALSE, file_condition);
}

static void
start_match_block (Reader *reader, const SshWords *words, guint file_condition, guint *condition)
{
  g_autofree char *key = g_strdup_printf ("%s:%u", words->file, words->line);
  FleetSourcePos pos = { words->file, words->line, words->keyword_column };

  if (!g_hash_table_contains (reader->warned, key))
    {
      fleet_diagnostics_warning (reader->diags, &pos,
                                 "Match blocks are not supported; their settings were not "
                                 "applied");
      g_hash_table_add (reader->warned, g_steal_pointer (&key));
    }

  *condition = add_condition (reader->config, NULL, TRUE, file_condition);
}

/* Return the glob pattern of Include argument `arg`: "~/" and relative
 * paths start from ~/.ssh as in OpenSSH's user configuration, or NULL when
 * the argument names another user's home directory. */
static char *
include_pattern (const char *arg)
{
  if (g_str_equal (arg, "~"))
    return g_strdup (g_get_home_dir ());
  if (g_str_has_prefix (arg, "~/"))
    return g_build_filename (g_get_home_dir (), arg + 2, NULL);
  if (arg[0] == '~')
    return NULL;
  if (g_path_is_absolute (arg))
    return g_strdup (arg);
  return g_build_filename (g_get_home_dir (), ".ssh", arg, NULL);
}

static void
include_files (Reader *reader, const SshWords *words, guint condition)
{
  for (guint i = 0; i < words->args->len; i++)
    {
      FleetSourcePos pos = ssh_words_arg_pos (words, i);
      g_autofree char *quoted = fleet_quote_value (g_ptr_array_index (words->args, i),
                                                   FLEET_QUOTE_MAX_CHARS);
      g_autofree char *pattern = include_pattern (g_ptr_array_index (words->args, i));
      glob_t matches = { 0 };
      int status;

      if (pattern == NULL)
        {
          fleet_diagnostics_error (reader->diags, &pos,
                                   "invalid Include path %s: only ~/ may start a path; write the "
                                   "path from / or from ~/", quoted);
          continue;
        }

      status = glob (pattern, 0, NULL, &matches);
      if (status != 0 && status != GLOB_NOMATCH)
        fleet_diagnostics_error (reader->diags, &pos,
                                 "failed to expand Include pattern %s; check that its "
                                 "directories are readable", quoted);

      for (gsize m = 0; status == 0 && m < matches.gl_pathc; m++)
        read_file (reader, matches.gl_pathv[m], TRUE, &pos, condition);
      globfree (&matches);
    }
}

static void
handle_words (Reader *reader, const SshWords *words, guint file_condition, guint *condition)
{
  FleetSourcePos pos = { words->file, words->line, words->keyword_column };
  SshLine *line;

  if (words->keyword[0] == '\0')
    {
      fleet_diagnostics_error (reader->diags, &pos,
                               "missing keyword before the value; write Keyword value");
      return;
    }

  if (words->args->len == 0)
    {
      fleet_diagnostics_error (reader->diags, &pos,
                               "missing value after %s; write %s value", words->keyword,
                               words->keyword);
      return;
    }

  if (g_ascii_strcasecmp (words->keyword, "Host") == 0)
    start_host_block (reader, words, file_condition, condition);
  else if (g_ascii_strcasecmp (words->keyword, "Match") == 0)
    start_match_block (reader, words, file_condition, condition);
  else if (g_ascii_strcasecmp (words->keyword, "Include") == 0)
    include_files (reader, words, *condition);
  else if ((line = ssh_line_parse (words, *condition, reader->diags)) != NULL)
    g_ptr_array_add (reader->config->lines, line);
}

/* Parse the `length` bytes of `text`, the contents of `file`, whose lines
 * apply under `file_condition` until its first block. */
static void
parse_text (Reader *reader, const char *file, const char *text, gsize length, guint file_condition)
{
  const char *end = text + length;
  guint condition = file_condition;
  guint number = 0;

  for (const char *start = text; start < end; )
    {
      const char *newline = memchr (start, '\n', end - start);
      const char *stop = newline != NULL ? newline : end;
      gsize line_length = stop - start;
      g_autofree char *line = g_strndup (start, line_length);
      g_autoptr(SshWords) words = NULL;

      number++;
      start = stop + 1;

      if (strlen (line) != line_length)
        {
          FleetSourcePos pos = { file, number, (guint) strlen (line) + 1 };

          fleet_diagnostics_error (reader->diags, &pos,
                                   "the line contains a NUL byte; is this a text file?");
          continue;
        }

      if (split_line (reader, file, number, line, &words) && words != NULL)
        handle_words (reader, words, file_condition, &condition);
    }
}

static gboolean
check_nesting (Reader *reader, const char *path, const char *real_path,
               const FleetSourcePos *reference)
{
  g_autofree char *quoted = fleet_quote_value (path, FLEET_QUOTE_MAX_CHARS * 4);

  for (guint i = 0; i < reader->stack->len; i++)
    if (g_str_equal (g_ptr_array_index (reader->stack, i), real_path))
      {
        fleet_diagnostics_error (reader->diags, reference,
                                 "ssh_config file %s includes itself, through %u Include "
                                 "line%s; remove one of them",
                                 quoted, reader->stack->len - i,
                                 reader->stack->len - i == 1 ? "" : "s");
        return FALSE;
      }

  if (reader->stack->len > FLEET_SSH_CONFIG_MAX_INCLUDE_DEPTH)
    {
      fleet_diagnostics_error (reader->diags, reference,
                               "Include nests ssh_config files more than %u deep at %s; "
                               "OpenSSH stops there too, so flatten the includes",
                               FLEET_SSH_CONFIG_MAX_INCLUDE_DEPTH, quoted);
      return FALSE;
    }

  return TRUE;
}

/* Record the file read at `path` by its absolute path, which the plan
 * keeps for `fleetc check`. */
static void
record_source (FleetSshConfig *config, const char *path, GBytes *text)
{
  g_autofree char *sha256 = NULL;
  g_autofree char *absolute = g_canonicalize_filename (path, NULL);
  gsize length;
  const guchar *data = g_bytes_get_data (text, &length);

  for (guint i = 0; i < config->sources->len; i++)
    if (g_str_equal (((FleetSourceFile *) g_ptr_array_index (config->sources, i))->path, absolute))
      return;

  sha256 = g_compute_checksum_for_data (G_CHECKSUM_SHA256, data, length);
  g_ptr_array_add (config->sources, fleet_source_file_new (absolute, sha256));
}

static void
read_file (Reader *reader,
           const char *path,
           gboolean check_owner,
           const FleetSourcePos *reference,
           guint condition)
{
  g_autofree char *real_path = realpath (path, NULL);
  g_autoptr(GBytes) text = NULL;
  gsize length;
  const char *data;

  if (real_path == NULL)
    real_path = g_strdup (path);

  if (!check_nesting (reader, path, real_path, reference))
    return;

  text = check_owner ? fleet_read_trusted_source_file (reader->diags, path, "ssh_config", reference)
                     : fleet_read_source_file (reader->diags, path, "ssh_config", reference);
  if (text == NULL)
    return;

  record_source (reader->config, path, text);
  data = g_bytes_get_data (text, &length);

  g_ptr_array_add (reader->stack, g_steal_pointer (&real_path));
  parse_text (reader, g_intern_string (path), data, length, condition);
  g_ptr_array_remove_index (reader->stack, reader->stack->len - 1);
}

FleetSshConfig *
fleet_ssh_config_load (const char *path, gboolean check_owner, FleetDiagnostics *diags)
{
  g_autoptr(FleetSshConfig) config = ssh_config_new (path);
  g_autoptr(GPtrArray) stack = g_ptr_array_new_with_free_func (g_free);
  g_autoptr(GHashTable) warned = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
  Reader reader = { diags, config, stack, warned };
  guint errors_before = fleet_diagnostics_error_count (diags);

  read_file (&reader, path, check_owner, NULL, SSH_CONDITION_ALWAYS);

  if (fleet_diagnostics_error_count (diags) > errors_before)
    return NULL;
  return g_steal_pointer (&config);
}
