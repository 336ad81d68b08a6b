/* fleet-snapshot.c: the snapshot model and its text form. */
#include "schema/fleet-snapshot.h"

#include <string.h>

G_DEFINE_QUARK (fleet-snapshot-error-quark, fleet_snapshot_error)

typedef enum {
  TABLE_NOT_COLLECTED,
  TABLE_AVAILABLE,
  TABLE_UNAVAILABLE,
} TableState;

typedef struct {
  TableState state;
  char *reason;
  GArray *items;      /* FleetSnapshotItem */
  gboolean sorted;    /* items sorted by key, no duplicate keys */
} Table;

struct _FleetSnapshot {
  char *host;
  gint64 time_us;
  char *collector;
  char *os_family;
  GStringChunk *strings;   /* every key and value */
  GPtrArray *files;        /* FleetSnapshotFile, owned */
  Table tables[FLEET_SNAPSHOT_N_CATEGORIES];
};

static const char *const category_names[FLEET_SNAPSHOT_N_CATEGORIES] = {
  "os", "packages", "services", "files", "sysctl",
  "ports", "users", "groups", "mounts", "facts",
};

const char *
fleet_snapshot_category_name (FleetSnapshotCategory category)
{
  g_return_val_if_fail (category < FLEET_SNAPSHOT_N_CATEGORIES, NULL);
  return category_names[category];
}

gboolean
fleet_snapshot_category_from_name (const char *name, FleetSnapshotCategory *out_category)
{
  for (guint i = 0; i < FLEET_SNAPSHOT_N_CATEGORIES; i++)
    if (g_strcmp0 (name, category_names[i]) == 0)
      {
        *out_category = i;
        return TRUE;
      }
  return FALSE;
}

FleetSnapshot *
fleet_snapshot_new (void)
{
  FleetSnapshot *snapshot = g_new0 (FleetSnapshot, 1);

  snapshot->host = g_strdup ("");
  snapshot->collector = g_strdup ("");
  snapshot->os_family = g_strdup ("");
  snapshot->strings = g_string_chunk_new (64 * 1024);
  snapshot->files = g_ptr_array_new_with_free_func (g_free);
  for (guint i = 0; i < FLEET_SNAPSHOT_N_CATEGORIES; i++)
    {
      snapshot->tables[i].items = g_array_new (FALSE, FALSE, sizeof (FleetSnapshotItem));
      snapshot->tables[i].sorted = TRUE;
    }
  return snapshot;
}

void
fleet_snapshot_free (FleetSnapshot *snapshot)
{
  if (snapshot == NULL)
    return;

  for (guint i = 0; i < FLEET_SNAPSHOT_N_CATEGORIES; i++)
    {
      g_free (snapshot->tables[i].reason);
      g_array_unref (snapshot->tables[i].items);
    }
  g_ptr_array_unref (snapshot->files);
  g_string_chunk_free (snapshot->strings);
  g_free (snapshot->host);
  g_free (snapshot->collector);
  g_free (snapshot->os_family);
  g_free (snapshot);
}

void
fleet_snapshot_set_host (FleetSnapshot *snapshot, const char *host)
{
  g_free (snapshot->host);
  snapshot->host = g_strdup (host != NULL ? host : "");
}

void
fleet_snapshot_set_time_us (FleetSnapshot *snapshot, gint64 time_us)
{
  snapshot->time_us = time_us;
}

void
fleet_snapshot_set_collector (FleetSnapshot *snapshot, const char *version)
{
  g_free (snapshot->collector);
  snapshot->collector = g_strdup (version != NULL ? version : "");
}

void
fleet_snapshot_set_os_family (FleetSnapshot *snapshot, const char *family)
{
  g_free (snapshot->os_family);
  snapshot->os_family = g_strdup (family != NULL ? family : "");
}

const char *
fleet_snapshot_get_host (const FleetSnapshot *snapshot)
{
  return snapshot->host;
}

gint64
fleet_snapshot_get_time_us (const FleetSnapshot *snapshot)
{
  return snapshot->time_us;
}

const char *
fleet_snapshot_get_collector (const FleetSnapshot *snapshot)
{
  return snapshot->collector;
}

const char *
fleet_snapshot_get_os_family (const FleetSnapshot *snapshot)
{
  return snapshot->os_family;
}

void
fleet_snapshot_mark_available (FleetSnapshot *snapshot, FleetSnapshotCategory category)
{
  Table *table = &snapshot->tables[category];

  g_return_if_fail (category < FLEET_SNAPSHOT_N_CATEGORIES);

  table->state = TABLE_AVAILABLE;
  g_clear_pointer (&table->reason, g_free);
}

void
fleet_snapshot_mark_unavailable (FleetSnapshot *snapshot, FleetSnapshotCategory category,
                                 const char *reason)
{
  Table *table = &snapshot->tables[category];

  g_return_if_fail (category < FLEET_SNAPSHOT_N_CATEGORIES);

  table->state = TABLE_UNAVAILABLE;
  g_free (table->reason);
  table->reason = g_strdup (reason != NULL ? reason : "");
  g_array_set_size (table->items, 0);
  table->sorted = TRUE;
}

gboolean
fleet_snapshot_is_available (const FleetSnapshot *snapshot, FleetSnapshotCategory category)
{
  g_return_val_if_fail (category < FLEET_SNAPSHOT_N_CATEGORIES, FALSE);
  return snapshot->tables[category].state == TABLE_AVAILABLE;
}

const char *
fleet_snapshot_unavailable_reason (const FleetSnapshot *snapshot, FleetSnapshotCategory category)
{
  g_return_val_if_fail (category < FLEET_SNAPSHOT_N_CATEGORIES, NULL);
  return snapshot->tables[category].reason;
}

/* Append an item whose strings the snapshot already owns. */
static void
table_append (Table *table, const char *key, const char *value, const FleetSnapshotFile *file)
{
  FleetSnapshotItem item = { key, value, file };

  if (table->sorted && table->items->len > 0)
    {
      const FleetSnapshotItem *last = &g_array_index (table->items, FleetSnapshotItem,
                                                      table->items->len - 1);

      if (strcmp (last->key, key) >= 0)
        table->sorted = FALSE;
    }
  g_array_append_val (table->items, item);
  table->state = TABLE_AVAILABLE;
}

void
fleet_snapshot_add (FleetSnapshot *snapshot, FleetSnapshotCategory category,
                    const char *key, const char *value)
{
  g_return_if_fail (category < FLEET_SNAPSHOT_N_CATEGORIES);
  g_return_if_fail (key != NULL && value != NULL);

  table_append (&snapshot->tables[category],
                g_string_chunk_insert (snapshot->strings, key),
                g_string_chunk_insert (snapshot->strings, value), NULL);
}

/* Copy `file` into the snapshot's storage and return the copy. */
static const FleetSnapshotFile *
snapshot_own_file (FleetSnapshot *snapshot, const FleetSnapshotFile *file)
{
  FleetSnapshotFile *copy = g_new (FleetSnapshotFile, 1);

  copy->sha256 = g_string_chunk_insert_const (snapshot->strings, file->sha256 ? file->sha256 : "");
  copy->mode = file->mode;
  copy->owner = g_string_chunk_insert_const (snapshot->strings, file->owner ? file->owner : "");
  copy->size = file->size;
  copy->link_target = g_string_chunk_insert (snapshot->strings,
                                             file->link_target ? file->link_target : "");
  g_ptr_array_add (snapshot->files, copy);
  return copy;
}

void
fleet_snapshot_add_file (FleetSnapshot *snapshot, const char *path, const FleetSnapshotFile *file)
{
  const FleetSnapshotFile *owned;
  g_autofree char *value = NULL;

  g_return_if_fail (path != NULL && file != NULL);

  owned = snapshot_own_file (snapshot, file);
  value = fleet_snapshot_file_format (owned);
  table_append (&snapshot->tables[FLEET_SNAPSHOT_FILES],
                g_string_chunk_insert (snapshot->strings, path),
                g_string_chunk_insert (snapshot->strings, value), owned);
}

static gint
compare_items (gconstpointer a, gconstpointer b, gpointer user_data)
{
  return strcmp (((const FleetSnapshotItem *) a)->key, ((const FleetSnapshotItem *) b)->key);
}

/* Sort by key and keep the last of equal keys.  g_qsort_with_data is a
 * stable sort, so "last" means last added. */
static void
table_sort (Table *table)
{
  FleetSnapshotItem *items = (FleetSnapshotItem *) table->items->data;
  guint kept = 0;

  if (table->sorted)
    return;

  g_qsort_with_data (items, table->items->len, sizeof (FleetSnapshotItem), compare_items, NULL);
  for (guint i = 0; i < table->items->len; i++)
    {
      if (kept > 0 && strcmp (items[kept - 1].key, items[i].key) == 0)
        items[kept - 1] = items[i];
      else
        items[kept++] = items[i];
    }
  g_array_set_size (table->items, kept);
  table->sorted = TRUE;
}

const FleetSnapshotItem *
fleet_snapshot_items (FleetSnapshot *snapshot, FleetSnapshotCategory category, gsize *out_n_items)
{
  Table *table;

  g_return_val_if_fail (category < FLEET_SNAPSHOT_N_CATEGORIES, NULL);

  table = &snapshot->tables[category];
  table_sort (table);
  *out_n_items = table->items->len;
  return (const FleetSnapshotItem *) table->items->data;
}

const char *
fleet_snapshot_lookup (FleetSnapshot *snapshot, FleetSnapshotCategory category, const char *key)
{
  gsize n_items = 0;
  const FleetSnapshotItem *items = fleet_snapshot_items (snapshot, category, &n_items);
  gsize low = 0, high = n_items;

  while (low < high)
    {
      gsize middle = low + (high - low) / 2;
      int order = strcmp (items[middle].key, key);

      if (order == 0)
        return items[middle].value;
      if (order < 0)
        low = middle + 1;
      else
        high = middle;
    }
  return NULL;
}

gsize
fleet_snapshot_count_items (const FleetSnapshot *snapshot)
{
  gsize total = 0;

  for (guint i = 0; i < FLEET_SNAPSHOT_N_CATEGORIES; i++)
    total += snapshot->tables[i].items->len;
  return total;
}

/* The file type of a raw st_mode, in the words ls and find use. Snapshots
 * store st_mode whole, so a regular file that became a link is a change. */
static const char *
file_type_name (guint32 mode)
{
  switch (mode & 0170000)
    {
    case 0100000: return "file";
    case 0040000: return "directory";
    case 0120000: return "symlink";
    case 0010000: return "fifo";
    case 0140000: return "socket";
    case 0020000: return "char-device";
    case 0060000: return "block-device";
    default: return "unknown";
    }
}

char *
fleet_snapshot_file_format (const FleetSnapshotFile *file)
{
  GString *out = g_string_new (NULL);

  g_string_append_printf (out, "sha256=%s type=%s mode=%04o owner=%s size=%" G_GINT64_FORMAT,
                          file->sha256[0] != '\0' ? file->sha256 : "-",
                          file_type_name (file->mode), file->mode & 07777, file->owner,
                          file->size);
  if (file->link_target[0] != '\0')
    g_string_append_printf (out, " link=%s", file->link_target);
  return g_string_free (out, FALSE);
}

void
fleet_snapshot_escape (GString *out, const char *value)
{
  static const char hex[] = "0123456789abcdef";
  const guchar *p = (const guchar *) value;
  const guchar *run = p;

  if (*p == '\0')
    {
      g_string_append (out, "\\e");
      return;
    }

  for (; *p != '\0'; p++)
    {
      if (*p > 0x20 && *p != 0x7f && *p != '\\')
        continue;
      g_string_append_len (out, (const char *) run, p - run);
      g_string_append_c (out, '\\');
      g_string_append_c (out, 'x');
      g_string_append_c (out, hex[*p >> 4]);
      g_string_append_c (out, hex[*p & 0xf]);
      run = p + 1;
    }
  g_string_append_len (out, (const char *) run, p - run);
}

/* Unescape into `out`, which is cleared first; FALSE on an invalid escape. */
static gboolean
unescape_into (GString *out, const char *text, gsize length)
{
  g_string_truncate (out, 0);

  if (length == 2 && text[0] == '\\' && text[1] == 'e')
    return TRUE;

  for (gsize i = 0; i < length; i++)
    {
      int high, low;

      if (text[i] != '\\')
        {
          g_string_append_c (out, text[i]);
          continue;
        }
      if (length - i < 4 || text[i + 1] != 'x')
        return FALSE;
      high = g_ascii_xdigit_value (text[i + 2]);
      low = g_ascii_xdigit_value (text[i + 3]);
      if (high < 0 || low < 0 || (high == 0 && low == 0))
        return FALSE;
      g_string_append_c (out, (char) (high << 4 | low));
      i += 3;
    }
  return TRUE;
}

char *
fleet_snapshot_unescape (const char *text, gsize length)
{
  g_autoptr (GString) out = g_string_new (NULL);

  if (memchr (text, '\0', length) != NULL || !unescape_into (out, text, length))
    return NULL;
  return g_string_free (g_steal_pointer (&out), FALSE);
}

static void
append_field (GString *out, const char *value)
{
  g_string_append_c (out, ' ');
  fleet_snapshot_escape (out, value);
}

static void
serialize_table (GString *out, FleetSnapshot *snapshot, FleetSnapshotCategory category)
{
  Table *table = &snapshot->tables[category];
  gsize n_items = 0;
  const FleetSnapshotItem *items;

  if (table->state == TABLE_NOT_COLLECTED)
    return;

  g_string_append_printf (out, "category %s", category_names[category]);
  if (table->state == TABLE_UNAVAILABLE)
    {
      g_string_append (out, " unavailable");
      append_field (out, table->reason);
      g_string_append_c (out, '\n');
      return;
    }
  g_string_append (out, " available\n");

  items = fleet_snapshot_items (snapshot, category, &n_items);
  for (gsize i = 0; i < n_items; i++)
    {
      const FleetSnapshotFile *file = items[i].file;

      if (file == NULL)
        {
          g_string_append (out, "item");
          append_field (out, items[i].key);
          append_field (out, items[i].value);
          g_string_append_c (out, '\n');
          continue;
        }
      g_string_append (out, "file");
      append_field (out, items[i].key);
      append_field (out, file->sha256);
      g_string_append_printf (out, " %o", file->mode);
      append_field (out, file->owner);
      g_string_append_printf (out, " %" G_GINT64_FORMAT, file->size);
      append_field (out, file->link_target);
      g_string_append_c (out, '\n');
    }
}

char *
fleet_snapshot_serialize (FleetSnapshot *snapshot, gsize *out_length)
{
  GString *out = g_string_sized_new (4096);

  g_string_append_printf (out, "fleet-snapshot %d\n", FLEET_SNAPSHOT_FORMAT_VERSION);
  g_string_append (out, "host");
  append_field (out, snapshot->host);
  g_string_append_printf (out, "\ntime %" G_GINT64_FORMAT "\n", snapshot->time_us);
  g_string_append (out, "collector");
  append_field (out, snapshot->collector);
  g_string_append (out, "\nos-family");
  append_field (out, snapshot->os_family);
  g_string_append_c (out, '\n');

  for (guint i = 0; i < FLEET_SNAPSHOT_N_CATEGORIES; i++)
    serialize_table (out, snapshot, i);
  g_string_append (out, "end\n");

  if (out_length != NULL)
    *out_length = out->len;
  return g_string_free (out, FALSE);
}

/* Parsing. */

#define MAX_FIELDS 8

typedef struct {
  const char *source;
  guint line;
  const char *fields[MAX_FIELDS];
  gsize lengths[MAX_FIELDS];
  guint n_fields;
  GString *scratch;
} LineReader;

static void
split_fields (LineReader *reader, const char *line, gsize length)
{
  gsize start = 0;

  reader->n_fields = 0;
  for (gsize i = 0; i <= length; i++)
    {
      if (i < length && line[i] != ' ')
        continue;
      if (reader->n_fields == MAX_FIELDS)
        {
          reader->n_fields = MAX_FIELDS + 1;
          return;
        }
      reader->fields[reader->n_fields] = line + start;
      reader->lengths[reader->n_fields] = i - start;
      reader->n_fields++;
      start = i + 1;
    }
}

static gboolean
field_is (const LineReader *reader, guint index, const char *word)
{
  gsize length = strlen (word);

  return reader->lengths[index] == length && memcmp (reader->fields[index], word, length) == 0;
}

static gboolean G_GNUC_PRINTF (3, 4)
parse_fail (const LineReader *reader, GError **error, const char *format, ...)
{
  va_list args;
  g_autofree char *message = NULL;

  va_start (args, format);
  message = g_strdup_vprintf (format, args);
  va_end (args);
  g_set_error (error, FLEET_SNAPSHOT_ERROR, FLEET_SNAPSHOT_ERROR_PARSE,
               "%s:%u: %s", reader->source, reader->line, message);
  return FALSE;
}

/* Unescape field `index` into the snapshot's strings.  Fields without a
 * backslash, the common case, are copied without a scratch pass. */
static const char *
intern_field (FleetSnapshot *snapshot, LineReader *reader, guint index, GError **error)
{
  const char *text = reader->fields[index];
  gsize length = reader->lengths[index];

  if (length == 0)
    {
      parse_fail (reader, error, "empty field %u; write the empty string as \\e", index + 1);
      return NULL;
    }
  if (memchr (text, '\\', length) == NULL)
    {
      if (memchr (text, '\0', length) != NULL)
        {
          parse_fail (reader, error, "NUL byte in field %u", index + 1);
          return NULL;
        }
      return g_string_chunk_insert_len (snapshot->strings, text, length);
    }
  if (!unescape_into (reader->scratch, text, length))
    {
      parse_fail (reader, error, "invalid escape in field %u; use \\xHH (not \\x00) or \\e",
                  index + 1);
      return NULL;
    }
  return g_string_chunk_insert_len (snapshot->strings, reader->scratch->str, reader->scratch->len);
}

static gboolean
parse_number (const LineReader *reader, guint index, guint base, guint64 max, guint64 *out_value)
{
  g_autofree char *text = g_strndup (reader->fields[index], reader->lengths[index]);

  return g_ascii_string_to_unsigned (text, base, 0, max, out_value, NULL);
}

static gboolean
parse_file_record (FleetSnapshot *snapshot, LineReader *reader, Table *table, GError **error)
{
  FleetSnapshotFile file;
  const char *path;
  guint64 mode, size;

  if (reader->n_fields != 7)
    return parse_fail (reader, error, "a file record has 6 fields after \"file\", found %u",
                       reader->n_fields - 1);
  if ((path = intern_field (snapshot, reader, 1, error)) == NULL
      || (file.sha256 = intern_field (snapshot, reader, 2, error)) == NULL
      || (file.owner = intern_field (snapshot, reader, 4, error)) == NULL
      || (file.link_target = intern_field (snapshot, reader, 6, error)) == NULL)
    return FALSE;
  if (!parse_number (reader, 3, 8, 0177777, &mode))
    return parse_fail (reader, error, "invalid file mode; expected octal up to 177777");
  if (!parse_number (reader, 5, 10, G_MAXINT64, &size))
    return parse_fail (reader, error, "invalid file size; expected a decimal byte count");
  file.mode = (guint32) mode;
  file.size = (gint64) size;

  {
    const FleetSnapshotFile *owned = snapshot_own_file (snapshot, &file);
    g_autofree char *value = fleet_snapshot_file_format (owned);

    table_append (table, path, g_string_chunk_insert (snapshot->strings, value), owned);
  }
  return TRUE;
}

static gboolean
parse_category (FleetSnapshot *snapshot, LineReader *reader, Table **out_table, GError **error)
{
  FleetSnapshotCategory category;
  g_autofree char *name = NULL;
  g_autofree char *shown = NULL;
  const char *reason;

  if (reader->n_fields < 3)
    return parse_fail (reader, error, "a category record needs a name and a state");

  name = g_strndup (reader->fields[1], MIN (reader->lengths[1], 32));
  if (!fleet_snapshot_category_from_name (name, &category))
    {
      shown = g_strescape (name, NULL);
      return parse_fail (reader, error, "unknown category \"%s\"", shown);
    }
  if (snapshot->tables[category].state != TABLE_NOT_COLLECTED)
    return parse_fail (reader, error, "category \"%s\" appears twice", name);

  if (field_is (reader, 2, "available") && reader->n_fields == 3)
    {
      fleet_snapshot_mark_available (snapshot, category);
      *out_table = &snapshot->tables[category];
      return TRUE;
    }
  if (field_is (reader, 2, "unavailable") && reader->n_fields == 4)
    {
      if ((reason = intern_field (snapshot, reader, 3, error)) == NULL)
        return FALSE;
      fleet_snapshot_mark_unavailable (snapshot, category, reason);
      *out_table = NULL;
      return TRUE;
    }
  return parse_fail (reader, error, "expected \"available\" or \"unavailable REASON\"");
}

static gboolean
parse_header (FleetSnapshot *snapshot, LineReader *reader, GError **error)
{
  const char *value;
  guint64 time_us;

  if (reader->n_fields != 2)
    return parse_fail (reader, error, "a header record has exactly one value");

  if (field_is (reader, 0, "time"))
    {
      if (!parse_number (reader, 1, 10, G_MAXINT64, &time_us))
        return parse_fail (reader, error, "invalid time; expected microseconds since 1970");
      snapshot->time_us = (gint64) time_us;
      return TRUE;
    }

  if ((value = intern_field (snapshot, reader, 1, error)) == NULL)
    return FALSE;
  if (field_is (reader, 0, "host"))
    fleet_snapshot_set_host (snapshot, value);
  else if (field_is (reader, 0, "collector"))
    fleet_snapshot_set_collector (snapshot, value);
  else
    fleet_snapshot_set_os_family (snapshot, value);
  return TRUE;
}

static gboolean
parse_record (FleetSnapshot *snapshot, LineReader *reader, Table **table, GError **error)
{
  const char *key, *value;

  if (reader->n_fields > MAX_FIELDS)
    return parse_fail (reader, error, "too many fields");

  if (field_is (reader, 0, "item"))
    {
      if (*table == NULL)
        return parse_fail (reader, error, "item outside an available category");
      if (reader->n_fields != 3)
        return parse_fail (reader, error, "an item record has a key and a value, found %u fields",
                           reader->n_fields - 1);
      if ((key = intern_field (snapshot, reader, 1, error)) == NULL
          || (value = intern_field (snapshot, reader, 2, error)) == NULL)
        return FALSE;
      table_append (*table, key, value, NULL);
      return TRUE;
    }
  if (field_is (reader, 0, "file"))
    {
      if (*table != &snapshot->tables[FLEET_SNAPSHOT_FILES])
        return parse_fail (reader, error, "file record outside the files category");
      return parse_file_record (snapshot, reader, *table, error);
    }
  if (field_is (reader, 0, "category"))
    return parse_category (snapshot, reader, table, error);
  if (field_is (reader, 0, "host") || field_is (reader, 0, "time")
      || field_is (reader, 0, "collector") || field_is (reader, 0, "os-family"))
    return parse_header (snapshot, reader, error);

  {
    g_autofree char *name = g_strndup (reader->fields[0], MIN (reader->lengths[0], 32));
    g_autofree char *shown = g_strescape (name, NULL);

    return parse_fail (reader, error, "unknown record \"%s\"", shown);
  }
}

FleetSnapshot *
fleet_snapshot_parse (const char *text, gsize length, const char *source, GError **error)
{
  g_autoptr (FleetSnapshot) snapshot = fleet_snapshot_new ();
  g_autoptr (GString) scratch = g_string_new (NULL);
  LineReader reader = { .source = source, .scratch = scratch };
  Table *table = NULL;
  gboolean ended = FALSE;
  gsize offset = 0;

  while (offset < length)
    {
      const char *line = text + offset;
      const char *newline = memchr (line, '\n', length - offset);
      gsize line_length = newline != NULL ? (gsize) (newline - line) : length - offset;

      offset += line_length + 1;
      reader.line++;

      if (ended)
        return parse_fail (&reader, error, "text after \"end\""), NULL;
      if (newline == NULL)
        return parse_fail (&reader, error, "last line has no line break; the text is truncated"),
               NULL;

      split_fields (&reader, line, line_length);
      if (reader.line == 1)
        {
          if (!(reader.n_fields == 2 && field_is (&reader, 0, "fleet-snapshot")
                && field_is (&reader, 1, G_STRINGIFY (FLEET_SNAPSHOT_FORMAT_VERSION))))
            return parse_fail (&reader, error, "not a snapshot of format version %d",
                               FLEET_SNAPSHOT_FORMAT_VERSION), NULL;
          continue;
        }
      if (reader.n_fields == 1 && field_is (&reader, 0, "end"))
        {
          ended = TRUE;
          continue;
        }
      if (!parse_record (snapshot, &reader, &table, error))
        return NULL;
    }

  if (!ended)
    {
      reader.line++;
      return parse_fail (&reader, error, "missing \"end\"; the text is truncated"), NULL;
    }
  return g_steal_pointer (&snapshot);
}
