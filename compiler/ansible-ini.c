/* ansible-ini.c: Ansible inventories in INI form; the format is described
 * in ansible-ini.h.
 *
 * The file is read line by line into a FleetAnsibleInventory.  References
 * that a later section may satisfy (a :vars section or a child group whose
 * group is not defined yet) are checked after the last line.
 */
#include "compiler/ansible-ini.h"

#include <string.h>

#include "compiler/host-range.h"
#include "compiler/ini-words.h"
#include "compiler/python-literal.h"
#include "compiler/yaml-tree.h"

typedef enum {
  SECTION_HOSTS,
  SECTION_CHILDREN,
  SECTION_VARS,
} SectionKind;

/* A group name that some [group] or [group:children] section must define. */
typedef struct {
  char *group;
  char *message;               /* the error if it is never defined */
  FleetSourcePos pos;
} Reference;

typedef struct {
  FleetDiagnostics *diags;
  const char *file;            /* interned path */
  FleetAnsibleInventory *inventory;
  FleetAnsibleGroup *group;    /* the group of the current section */
  SectionKind kind;
  GHashTable *defined;         /* char * group names with a [g] or [g:children] section */
  GPtrArray *references;       /* Reference * */
  const char *line;            /* the current line, NUL-terminated */
  guint line_number;
} IniReader;

static void
reference_free (Reference *reference)
{
  g_free (reference->group);
  g_free (reference->message);
  g_free (reference);
}

/* Return the position of byte `offset` of the current line; columns count
 * characters, as libyaml's do. */
static FleetSourcePos
position_at (const IniReader *reader, gsize offset)
{
  FleetSourcePos pos = { reader->file, reader->line_number, 1 };

  for (gsize i = 0; i < offset && reader->line[i] != '\0'; i++)
    if (((guchar) reader->line[i] & 0xC0) != 0x80)
      pos.column++;

  return pos;
}

static void G_GNUC_PRINTF (3, 4)
report (IniReader *reader, gsize offset, const char *format, ...)
{
  va_list args;
  g_autofree char *message = NULL;
  FleetSourcePos pos = position_at (reader, offset);

  va_start (args, format);
  message = g_strdup_vprintf (format, args);
  va_end (args);

  fleet_diagnostics_error (reader->diags, &pos, "%s", message);
}

static void
add_reference (IniReader *reader, const char *group, gsize offset, char *message)
{
  Reference *reference = g_new0 (Reference, 1);

  reference->group = g_strdup (group);
  reference->message = message;
  reference->pos = position_at (reader, offset);
  g_ptr_array_add (reader->references, reference);
}

static gboolean
is_space (char c)
{
  return c == ' ' || c == '\t' || c == '\r' || c == '\f' || c == '\v';
}

/* Return the length of `text` without trailing whitespace. */
static gsize
stripped_length (const char *text, gsize length)
{
  while (length > 0 && is_space (text[length - 1]))
    length--;
  return length;
}

static gboolean
is_group_name_char (char c)
{
  return c != '\0' && c != ':' && c != ']' && c != '[' && !is_space (c) && c != '\n';
}

/* Return whether only whitespace and an optional '#' comment follow
 * `offset`. */
static gboolean
only_comment_after (const char *line, gsize offset)
{
  while (is_space (line[offset]))
    offset++;
  return line[offset] == '\0' || line[offset] == '#';
}

/* Set the variable `name` (at `name_offset`) of `vars` from the value text
 * at `value_offset`. */
static void
set_variable (IniReader *reader,
              GHashTable *vars,
              const char *name,
              gsize name_offset,
              const char *value,
              gsize value_offset)
{
  FleetSourcePos name_pos = position_at (reader, name_offset);
  FleetSourcePos value_pos = position_at (reader, value_offset);
  char *text = NULL;
  FleetPythonLiteralKind kind = fleet_python_literal_parse (value, &text);

  if (kind == FLEET_PYTHON_LITERAL_INVALID)
    text = g_strdup (value);

  fleet_ansible_vars_set (reader->diags, vars, name, &name_pos, text,
                          kind == FLEET_PYTHON_LITERAL_COLLECTION, &value_pos);
}

static gboolean
check_variable_name (IniReader *reader, const char *name, gsize offset)
{
  g_autofree char *quoted = NULL;

  if (name[0] == '\0')
    {
      report (reader, offset, "variable name is missing before '='");
      return FALSE;
    }

  for (const char *p = name; *p != '\0'; p++)
    if (is_space (*p))
      {
        quoted = fleet_quote_value (name, FLEET_QUOTE_MAX_CHARS);
        report (reader, offset, "invalid variable name %s: it must not contain whitespace", quoted);
        return FALSE;
      }

  return TRUE;
}

/* Sections. */

static void
open_section (IniReader *reader, const char *name, gsize name_offset, SectionKind kind)
{
  FleetSourcePos pos = position_at (reader, name_offset);

  reader->group = fleet_ansible_inventory_ensure_group (reader->inventory, name, &pos);
  reader->kind = kind;

  if (kind != SECTION_VARS)
    g_hash_table_add (reader->defined, g_strdup (name));
  else
    add_reference (reader, name, name_offset,
                   g_strdup_printf ("section [%s:vars] sets variables of group \"%s\", which no "
                                    "[%s] or [%s:children] section defines; define the group or "
                                    "fix the name",
                                    name, name, name, name));
}

static gboolean
parse_section_kind (IniReader *reader, const char *tag, gsize tag_offset, const char *name,
                    SectionKind *kind)
{
  g_autofree char *quoted = NULL;

  if (tag[0] == '\0' || strcmp (tag, "hosts") == 0)
    *kind = SECTION_HOSTS;
  else if (strcmp (tag, "children") == 0)
    *kind = SECTION_CHILDREN;
  else if (strcmp (tag, "vars") == 0)
    *kind = SECTION_VARS;
  else
    {
      quoted = fleet_quote_value (tag, FLEET_QUOTE_MAX_CHARS);
      report (reader, tag_offset,
              "unknown section type %s; use [%s], [%s:children] or [%s:vars]",
              quoted, name, name, name);
      return FALSE;
    }

  return TRUE;
}

/* Read a section header at `start` ('['), as Ansible's pattern
 * ^\[([^:\]\s]+)(?::(\w+))?\]\s*(#.*)?$ does.  Returns FALSE, reporting
 * nothing, when the line is no section header. */
static gboolean
read_section (IniReader *reader, gsize start)
{
  const char *line = reader->line;
  gsize name_start = start + 1;
  gsize i = name_start;
  gsize tag_start;
  g_autofree char *name = NULL;
  g_autofree char *tag = NULL;
  SectionKind kind;
  FleetSourcePos pos;

  while (is_group_name_char (line[i]))
    i++;
  if (i == name_start)
    return FALSE;
  name = g_strndup (line + name_start, i - name_start);

  tag_start = i + 1;
  if (line[i] == ':')
    {
      for (i = tag_start; g_ascii_isalnum (line[i]) || line[i] == '_'; i++)
        ;
      tag = g_strndup (line + tag_start, i - tag_start);
    }
  if (line[i] != ']' || (tag != NULL && tag[0] == '\0'))
    return FALSE;

  if (!only_comment_after (line, i + 1))
    {
      i++;
      while (is_space (line[i]))
        i++;
      report (reader, i,
              "unexpected text after the section header; only a '#' comment may follow it "
              "(';' starts a comment only at the start of a line)");
      reader->group = NULL;
      return TRUE;
    }

  pos = position_at (reader, name_start);
  if (!fleet_ansible_check_name (reader->diags, "group", name, &pos)
      || !parse_section_kind (reader, tag != NULL ? tag : "", tag_start, name, &kind))
    {
      /* Lines up to the next section would be read into the wrong group. */
      reader->group = NULL;
      return TRUE;
    }

  open_section (reader, name, name_start, kind);
  return TRUE;
}

/* Host lines. */

/* Return the byte offset in the line of byte `index` of `word`. */
static gsize
word_offset (const FleetIniWord *word, gsize index)
{
  return word->offsets[MIN (index, word->length)];
}

/* Read the key=value words after the host pattern into `vars`, a table
 * owned by the caller that is applied to every host of the pattern. */
static gboolean
read_host_variables (IniReader *reader, const GPtrArray *words, GHashTable *vars)
{
  gboolean valid = TRUE;

  for (guint w = 1; w < words->len; w++)
    {
      const FleetIniWord *word = g_ptr_array_index (words, w);
      const char *equals = strchr (word->text, '=');
      g_autofree char *name = NULL;
      g_autofree char *quoted = NULL;
      gsize value_index;

      if (equals == NULL)
        {
          quoted = fleet_quote_value (word->text, FLEET_QUOTE_MAX_CHARS);
          report (reader, word_offset (word, 0), "expected key=value after the host, found %s%s",
                  quoted,
                  word->text[0] == ';' ? "; ';' starts a comment only at the start of a line" : "");
          valid = FALSE;
          continue;
        }

      name = g_strndup (word->text, (gsize) (equals - word->text));
      if (!check_variable_name (reader, name, word_offset (word, 0)))
        {
          valid = FALSE;
          continue;
        }

      value_index = (gsize) (equals - word->text) + 1;
      set_variable (reader, vars, name, word_offset (word, 0), word->text + value_index,
                    word_offset (word, value_index));
    }

  return valid;
}

/* Copy every variable of `vars` into the variables of `host`, replacing
 * what an earlier line set. */
static void
copy_variables (IniReader *reader, GHashTable *vars, FleetAnsibleHost *host)
{
  GHashTableIter iter;
  gpointer name, value;

  g_hash_table_iter_init (&iter, vars);
  while (g_hash_table_iter_next (&iter, &name, &value))
    {
      const FleetAnsibleValue *source = value;

      fleet_ansible_vars_set (reader->diags, host->vars, name, &source->name_pos,
                              g_strdup (source->text), source->structured, &source->pos);
    }
}

/* Check every expanded name, reporting the first invalid one only. */
static gboolean
check_host_names (IniReader *reader, const GPtrArray *names, const FleetSourcePos *pos)
{
  for (guint i = 0; i < names->len; i++)
    if (!fleet_ansible_check_name (reader->diags, "host", g_ptr_array_index (names, i), pos))
      return FALSE;

  return TRUE;
}

static void
add_hosts (IniReader *reader, const FleetHostPattern *pattern, const FleetSourcePos *pos,
           GHashTable *vars)
{
  for (guint i = 0; i < pattern->names->len; i++)
    {
      const char *name = g_ptr_array_index (pattern->names, i);
      FleetAnsibleHost *host = fleet_ansible_inventory_ensure_host (reader->inventory,
                                                                    reader->diags, name, pos);

      if (host == NULL)
        return;

      fleet_ansible_group_add_host (reader->group, name);
      copy_variables (reader, vars, host);
    }
}

static void
read_host_line (IniReader *reader)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (GPtrArray) words = NULL;
  g_autoptr (GHashTable) vars = fleet_ansible_vars_new ();
  FleetHostPattern pattern = { 0 };
  const FleetIniWord *first;
  FleetSourcePos pos;
  gsize error_offset = 0;

  words = fleet_ini_split_words (reader->line, &error_offset, &error);
  if (words == NULL)
    {
      report (reader, error_offset, "%s", error->message);
      return;
    }
  if (words->len == 0)
    return;

  first = g_ptr_array_index (words, 0);
  pos = position_at (reader, word_offset (first, 0));
  if (!fleet_parse_host_pattern (first->text, FLEET_MAX_HOSTS_PER_SOURCE, &pattern, &error_offset,
                                 &error))
    {
      report (reader, word_offset (first, error_offset), "%s", error->message);
      return;
    }

  /* A port in the pattern is Ansible's ansible_port, so an explicit
   * ansible_port later on the line replaces it. */
  if (pattern.port != NULL)
    {
      FleetSourcePos port_pos = position_at (reader, word_offset (first, pattern.port_offset));

      fleet_ansible_vars_set (reader->diags, vars, "ansible_port", &port_pos,
                              g_strdup (pattern.port), FALSE, &port_pos);
    }

  if (read_host_variables (reader, words, vars) && check_host_names (reader, pattern.names, &pos))
    add_hosts (reader, &pattern, &pos, vars);

  fleet_host_pattern_clear (&pattern);
}

/* Read a line of a [group:children] section: one group name and an
 * optional '#' comment. */
static void
read_child_line (IniReader *reader, gsize start)
{
  const char *line = reader->line;
  gsize end = start;
  g_autofree char *child = NULL;
  g_autofree char *quoted = NULL;
  FleetSourcePos pos = position_at (reader, start);

  while (is_group_name_char (line[end]))
    end++;
  child = g_strndup (line + start, end - start);

  if (end == start || !only_comment_after (line, end))
    {
      quoted = fleet_quote_value (line + start, FLEET_QUOTE_MAX_CHARS);
      report (reader, end == start ? start : end,
              "expected one group name in [%s:children], found %s", reader->group->name, quoted);
      return;
    }

  if (!fleet_ansible_check_name (reader->diags, "group", child, &pos))
    return;

  fleet_ansible_group_add_child (reader->inventory, reader->group, child, &pos);
  add_reference (reader, child, start,
                 g_strdup_printf ("group \"%s\" in [%s:children] is not defined; add a [%s] or "
                                  "[%s:children] section, or fix the name",
                                  child, reader->group->name, child, child));
}

/* Read a line of a [group:vars] section: key=value, where the value is the
 * rest of the line. */
static void
read_variable_line (IniReader *reader, gsize start)
{
  const char *line = reader->line;
  const char *equals = strchr (line + start, '=');
  gsize equals_offset;
  gsize value_start;
  g_autofree char *name = NULL;
  g_autofree char *value = NULL;
  g_autofree char *quoted = NULL;

  if (equals == NULL)
    {
      quoted = fleet_quote_value (line + start, FLEET_QUOTE_MAX_CHARS);
      report (reader, start, "expected key=value in [%s:vars], found %s", reader->group->name,
              quoted);
      return;
    }

  equals_offset = (gsize) (equals - line);
  name = g_strndup (line + start, stripped_length (line + start, equals_offset - start));
  if (!check_variable_name (reader, name, start))
    return;

  value_start = equals_offset + 1;
  while (is_space (line[value_start]))
    value_start++;
  value = g_strndup (line + value_start, stripped_length (line + value_start, strlen (line + value_start)));
  set_variable (reader, reader->group->vars, name, start, value, value_start);
}

/* Report the first invalid UTF-8 byte of the current line. */
static gboolean
check_utf8 (IniReader *reader, gsize length)
{
  const char *end = NULL;

  if (g_utf8_validate_len (reader->line, length, &end))
    return TRUE;

  report (reader, (gsize) (end - reader->line),
          "invalid UTF-8 byte 0x%02X; save the file as UTF-8", (guchar) *end);
  return FALSE;
}

static void
read_line (IniReader *reader, gsize length)
{
  const char *line = reader->line;
  gsize start = 0;

  while (is_space (line[start]))
    start++;

  /* Ansible accepts any bytes in comments, so only other lines are checked. */
  if (line[start] == '\0' || line[start] == '#' || line[start] == ';' || !check_utf8 (reader, length))
    return;

  if (line[start] == '[' && read_section (reader, start))
    return;

  if (line[start] == '[' && line[stripped_length (line, length) - 1] == ']')
    {
      report (reader, start,
              "invalid section header; write [group], [group:children] or [group:vars] with no "
              "spaces inside the brackets");
      reader->group = NULL;
      return;
    }

  /* After an invalid header, its lines are skipped: they were reported
   * with the header. */
  if (reader->group == NULL)
    return;

  if (reader->kind == SECTION_HOSTS)
    read_host_line (reader);
  else if (reader->kind == SECTION_CHILDREN)
    read_child_line (reader, start);
  else
    read_variable_line (reader, start);
}

/* Report the references to groups that no section defines. */
static void
check_references (IniReader *reader)
{
  for (guint i = 0; i < reader->references->len; i++)
    {
      const Reference *reference = g_ptr_array_index (reader->references, i);

      if (strcmp (reference->group, "all") == 0 || strcmp (reference->group, "ungrouped") == 0
          || g_hash_table_contains (reader->defined, reference->group))
        continue;

      fleet_diagnostics_error (reader->diags, &reference->pos, "%s", reference->message);
    }
}

/* Call read_line for each line of `text`. */
static void
read_lines (IniReader *reader, const char *text, gsize length)
{
  gsize start = 0;

  /* Skip a UTF-8 byte order mark, as Python's utf-8-sig codec would. */
  if (length >= 3 && memcmp (text, "\xef\xbb\xbf", 3) == 0)
    start = 3;

  while (start < length || (start == length && length == 0))
    {
      const char *newline = memchr (text + start, '\n', length - start);
      gsize end = newline != NULL ? (gsize) (newline - text) : length;
      g_autofree char *line = g_strndup (text + start, end - start);
      gsize line_length = end - start;

      reader->line_number++;
      reader->line = line;
      if (memchr (text + start, '\0', line_length) != NULL)
        report (reader, strlen (line), "line contains a NUL byte; remove it");
      else
        read_line (reader, line_length);
      reader->line = NULL;

      if (newline == NULL)
        break;
      start = end + 1;
    }
}

FleetAnsibleInventory *
fleet_ansible_ini_read (FleetDiagnostics *diags, const char *path, const char *text, gsize length)
{
  guint errors_before = fleet_diagnostics_error_count (diags);
  g_autoptr (FleetAnsibleInventory) inventory = fleet_ansible_inventory_new (path);
  IniReader reader = {
    .diags = diags,
    .file = g_intern_string (path),
    .inventory = inventory,
    .kind = SECTION_HOSTS,
    .defined = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL),
    .references = g_ptr_array_new_with_free_func ((GDestroyNotify) reference_free),
  };

  reader.group = g_hash_table_lookup (inventory->groups_by_name, "ungrouped");
  read_lines (&reader, text, length);
  check_references (&reader);

  g_hash_table_unref (reader.defined);
  g_ptr_array_unref (reader.references);
  if (fleet_diagnostics_error_count (diags) > errors_before)
    return NULL;

  return g_steal_pointer (&inventory);
}
