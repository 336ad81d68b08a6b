/* fleet-snapshot-collect.c: collector output to snapshot. */
#include "schema/fleet-snapshot-collect.h"

#include <string.h>

typedef struct {
  const char *source;
  guint line;
  FleetSnapshot *snapshot;
  gboolean opened[FLEET_SNAPSHOT_N_CATEGORIES];  /* an A record was seen */
} Collect;

static gboolean G_GNUC_PRINTF (3, 4)
collect_fail (const Collect *collect, GError **error, const char *format, ...)
{
  va_list args;
  g_autofree char *message = NULL;

  va_start (args, format);
  message = g_strdup_vprintf (format, args);
  va_end (args);
  g_set_error (error, FLEET_SNAPSHOT_ERROR, FLEET_SNAPSHOT_ERROR_PARSE,
               "%s:%u: %s", collect->source, collect->line, message);
  return FALSE;
}

/* Split off the next space-separated token of `*rest` (length `*rest_length`),
 * or return FALSE when there is none.  With `last`, the token is the whole
 * remainder. */
static gboolean
next_token (const char **rest, gsize *rest_length, gboolean last, const char **out_token,
            gsize *out_length)
{
  const char *space;

  if (*rest == NULL)
    return FALSE;

  *out_token = *rest;
  space = last ? NULL : memchr (*rest, ' ', *rest_length);
  if (space == NULL)
    {
      *out_length = *rest_length;
      *rest = NULL;
      *rest_length = 0;
      return TRUE;
    }
  *out_length = space - *rest;
  *rest_length -= *out_length + 1;
  *rest = space + 1;
  return TRUE;
}

static gboolean
parse_category_token (const Collect *collect, const char *token, gsize length,
                      FleetSnapshotCategory *out_category, GError **error)
{
  g_autofree char *name = g_strndup (token, MIN (length, 32));

  if (fleet_snapshot_category_from_name (name, out_category))
    return TRUE;

  g_autofree char *shown = g_strescape (name, NULL);
  return collect_fail (collect, error, "unknown category \"%s\"", shown);
}

/* Decode hex digits; "-" is the empty string.  NULL for anything else or
 * for an encoded NUL byte. */
static char *
decode_hex (const char *text, gsize length)
{
  g_autoptr (GString) out = NULL;

  if (length == 1 && text[0] == '-')
    return g_strdup ("");
  if (length == 0 || length % 2 != 0)
    return NULL;

  out = g_string_sized_new (length / 2);
  for (gsize i = 0; i < length; i += 2)
    {
      int high = g_ascii_xdigit_value (text[i]);
      int low = g_ascii_xdigit_value (text[i + 1]);

      if (high < 0 || low < 0 || (high | low) == 0)
        return NULL;
      g_string_append_c (out, (char) (high << 4 | low));
    }
  return g_string_free (g_steal_pointer (&out), FALSE);
}

static gboolean
require_open (const Collect *collect, FleetSnapshotCategory category, GError **error)
{
  if (collect->opened[category])
    return TRUE;
  return collect_fail (collect, error, "item of category %s before its \"A %s\" record",
                       fleet_snapshot_category_name (category),
                       fleet_snapshot_category_name (category));
}

static gboolean
parse_header_record (Collect *collect, const char *rest, gsize rest_length, GError **error)
{
  const char *name, *value;
  gsize name_length, value_length;
  g_autofree char *copy = NULL;

  if (!next_token (&rest, &rest_length, FALSE, &name, &name_length)
      || !next_token (&rest, &rest_length, TRUE, &value, &value_length))
    return collect_fail (collect, error, "a header record needs a name and a value");

  copy = g_strndup (value, value_length);
  if (name_length == 9 && memcmp (name, "os-family", 9) == 0)
    fleet_snapshot_set_os_family (collect->snapshot, copy);
  else if (name_length == 9 && memcmp (name, "collector", 9) == 0)
    fleet_snapshot_set_collector (collect->snapshot, copy);
  /* Other header names are ignored, so newer collectors can add some. */
  return TRUE;
}

static gboolean
parse_state_record (Collect *collect, char tag, const char *rest, gsize rest_length,
                    GError **error)
{
  const char *token, *reason;
  gsize length, reason_length;
  FleetSnapshotCategory category;
  g_autofree char *copy = NULL;

  if (!next_token (&rest, &rest_length, tag == 'A', &token, &length))
    return collect_fail (collect, error, "record %c needs a category", tag);
  if (!parse_category_token (collect, token, length, &category, error))
    return FALSE;

  if (tag == 'A')
    {
      collect->opened[category] = TRUE;
      fleet_snapshot_mark_available (collect->snapshot, category);
      return TRUE;
    }

  if (!next_token (&rest, &rest_length, TRUE, &reason, &reason_length))
    return collect_fail (collect, error, "record U needs a reason");
  copy = g_strndup (reason, reason_length);
  collect->opened[category] = FALSE;
  fleet_snapshot_mark_unavailable (collect->snapshot, category, copy);
  return TRUE;
}

/* Kernel values that change on every read, or with every process, file or
 * connection opened, whatever the admin does: counters, random values and
 * the last process id.  Recording them would make every snapshot differ
 * from the one before.  Linux names, then the BSD names of the same kind. */
static const char *const volatile_sysctls[] = {
  "kernel.random.*", "kernel.ns_last_pid", "kernel.pty.nr",
  "fs.dentry-state", "fs.file-nr", "fs.inode-nr", "fs.inode-state", "fs.aio-nr",
  "fs.quota.*", "net.netfilter.nf_conntrack_count",
  "kern.lastpid", "kern.openfiles", "kern.arandom", "kern.cp_time", "kern.cp_times",
  "vm.stats.*",
};

static gboolean
is_volatile_sysctl (const char *key)
{
  for (guint i = 0; i < G_N_ELEMENTS (volatile_sysctls); i++)
    if (g_pattern_match_simple (volatile_sysctls[i], key))
      return TRUE;
  return FALSE;
}

static gboolean
parse_item_record (Collect *collect, gboolean hex, const char *rest, gsize rest_length,
                   GError **error)
{
  const char *token, *key, *value;
  gsize length, key_length, value_length;
  FleetSnapshotCategory category;
  g_autofree char *key_copy = NULL;
  g_autofree char *value_copy = NULL;

  if (!next_token (&rest, &rest_length, FALSE, &token, &length))
    return collect_fail (collect, error, "an item record needs a category");
  if (!parse_category_token (collect, token, length, &category, error))
    return FALSE;
  if (!require_open (collect, category, error))
    return FALSE;
  if (!next_token (&rest, &rest_length, FALSE, &key, &key_length) || key_length == 0
      || !next_token (&rest, &rest_length, !hex, &value, &value_length))
    return collect_fail (collect, error, "an item record needs a key and a value");
  if (hex && rest != NULL)
    return collect_fail (collect, error, "an X record has exactly a key and a value");

  if (hex)
    {
      key_copy = decode_hex (key, key_length);
      value_copy = decode_hex (value, value_length);
      if (key_copy == NULL || value_copy == NULL || key_copy[0] == '\0')
        return collect_fail (collect, error, "invalid hex in an X record; expected pairs of "
                             "hex digits (not 00) or \"-\"");
    }
  else
    {
      key_copy = g_strndup (key, key_length);
      value_copy = g_strndup (value, value_length);
    }

  if (category == FLEET_SNAPSHOT_SYSCTL && is_volatile_sysctl (key_copy))
    return TRUE;
  fleet_snapshot_add (collect->snapshot, category, key_copy, value_copy);
  return TRUE;
}

static gboolean
is_sha256_hex (const char *text, gsize length)
{
  if (length != 64)
    return FALSE;
  for (gsize i = 0; i < length; i++)
    if (!g_ascii_isxdigit (text[i]))
      return FALSE;
  return TRUE;
}

static gboolean
parse_file_record (Collect *collect, const char *rest, gsize rest_length, GError **error)
{
  const char *fields[6];
  gsize lengths[6];
  g_autofree char *path = NULL;
  g_autofree char *sha256 = NULL;
  g_autofree char *mode_text = NULL;
  g_autofree char *owner = NULL;
  g_autofree char *size_text = NULL;
  g_autofree char *link = NULL;
  guint64 mode, size;
  FleetSnapshotFile file;

  if (!require_open (collect, FLEET_SNAPSHOT_FILES, error))
    return FALSE;
  for (guint i = 0; i < 6; i++)
    if (!next_token (&rest, &rest_length, FALSE, &fields[i], &lengths[i]) || lengths[i] == 0)
      return collect_fail (collect, error, "a file record has 6 fields, found %u", i);
  if (rest != NULL)
    return collect_fail (collect, error, "a file record has 6 fields, found more");

  path = decode_hex (fields[0], lengths[0]);
  link = decode_hex (fields[5], lengths[5]);
  if (path == NULL || path[0] == '\0' || link == NULL)
    return collect_fail (collect, error, "invalid hex path or link target in a file record");

  if (lengths[1] == 1 && fields[1][0] == '-')
    sha256 = g_strdup ("");
  else if (is_sha256_hex (fields[1], lengths[1]))
    sha256 = g_ascii_strdown (fields[1], lengths[1]);
  else
    return collect_fail (collect, error, "invalid SHA-256 in a file record; expected 64 hex "
                         "digits or \"-\"");

  mode_text = g_strndup (fields[2], lengths[2]);
  size_text = g_strndup (fields[4], lengths[4]);
  if (!g_ascii_string_to_unsigned (mode_text, 8, 0, 0177777, &mode, NULL))
    return collect_fail (collect, error, "invalid file mode \"%.16s\"; expected octal", mode_text);
  if (!g_ascii_string_to_unsigned (size_text, 10, 0, G_MAXINT64, &size, NULL))
    return collect_fail (collect, error, "invalid file size; expected a decimal byte count");
  owner = g_strndup (fields[3], lengths[3]);

  file = (FleetSnapshotFile) { sha256, (guint32) mode, owner, (gint64) size, link };
  fleet_snapshot_add_file (collect->snapshot, path, &file);
  return TRUE;
}

static gboolean
parse_line (Collect *collect, const char *line, gsize length, GError **error)
{
  const char *rest = line + 2;
  gsize rest_length = length - 2;

  if (length < 3 || line[1] != ' ')
    return collect_fail (collect, error, "invalid record; expected a letter, a space and fields");

  switch (line[0])
    {
    case 'H':
      return parse_header_record (collect, rest, rest_length, error);
    case 'A':
    case 'U':
      return parse_state_record (collect, line[0], rest, rest_length, error);
    case 'I':
      return parse_item_record (collect, FALSE, rest, rest_length, error);
    case 'X':
      return parse_item_record (collect, TRUE, rest, rest_length, error);
    case 'F':
      return parse_file_record (collect, rest, rest_length, error);
    default:
      return collect_fail (collect, error, "unknown record type '%c'",
                           g_ascii_isprint (line[0]) ? line[0] : '?');
    }
}

FleetSnapshot *
fleet_snapshot_parse_collector (const char *text, gsize length, const char *source,
                                GError **error)
{
  g_autoptr (FleetSnapshot) snapshot = fleet_snapshot_new ();
  Collect collect = { .source = source, .snapshot = snapshot };
  gboolean ended = FALSE;
  gsize offset = 0;

  if (memchr (text, '\0', length) != NULL)
    {
      collect.line = 1;
      for (const char *p = text; *p != '\0'; p++)
        collect.line += *p == '\n';
      collect_fail (&collect, error, "NUL byte in collector output");
      return NULL;
    }

  while (offset < length && !ended)
    {
      const char *line = text + offset;
      const char *newline = memchr (line, '\n', length - offset);
      gsize line_length = newline != NULL ? (gsize) (newline - line) : length - offset;

      offset += line_length + 1;
      collect.line++;

      if (newline == NULL)
        {
          collect_fail (&collect, error, "last line has no line break; the collector output "
                        "is truncated");
          return NULL;
        }
      if (collect.line == 1)
        {
          if (line_length != 17 || memcmp (line, "fleet-collector 1", 17) != 0)
            {
              collect_fail (&collect, error, "not the output of collector format 1; "
                            "check that the host runs a POSIX sh");
              return NULL;
            }
          continue;
        }
      if (line_length == 3 && memcmp (line, "end", 3) == 0)
        {
          ended = TRUE;
          continue;
        }
      if (!parse_line (&collect, line, line_length, error))
        return NULL;
    }

  if (!ended)
    {
      collect.line++;
      collect_fail (&collect, error, "missing \"end\"; the collector output is truncated");
      return NULL;
    }
  return g_steal_pointer (&snapshot);
}
