/* fleet-journal-reader.c: JSON-lines journal to records, torn lines found. */
#include "runtime/fleet-journal-reader.h"

#include <string.h>

#include <gio/gio.h>

#include "schema/fleet-file.h"

G_DEFINE_QUARK (fleet-journal-error-quark, fleet_journal_error)

static void
record_free (FleetJournalRecord *record)
{
  json_object_unref (record->object);
  g_free (record);
}

void
fleet_journal_contents_free (FleetJournalContents *contents)
{
  if (contents == NULL)
    return;

  g_ptr_array_unref (contents->records);
  g_ptr_array_unref (contents->warnings);
  g_free (contents->path);
  g_free (contents);
}

/* Parse one line into a record, or return NULL with `out_reason` set. */
/* Return whether `text` is "{", then anything with balanced braces and
 * brackets outside strings, then the matching "}" as its last byte. */
static gboolean
is_one_object (const char *text, gsize length)
{
  gboolean in_string = FALSE;
  guint depth = 0;

  if (length < 2 || text[0] != '{')
    return FALSE;

  for (gsize i = 0; i < length; i++)
    {
      char c = text[i];

      if (in_string)
        {
          if (c == '\\')
            i++;
          else if (c == '"')
            in_string = FALSE;
          continue;
        }

      if (c == '"')
        in_string = TRUE;
      else if (c == '{' || c == '[')
        depth++;
      else if (c == '}' || c == ']')
        {
          if (depth == 0)
            return FALSE;
          depth--;
          if (depth == 0 && i + 1 != length)
            return FALSE;
        }
    }

  return depth == 0 && !in_string;
}

static FleetJournalRecord *
parse_line (JsonParser *parser, const char *text, gsize length, char **out_reason)
{
  g_autoptr(GError) error = NULL;
  JsonNode *root;
  JsonObject *object;
  JsonNode *event;
  FleetJournalRecord *record;

  if (length == 0)
    {
      *out_reason = g_strdup ("the line is empty");
      return NULL;
    }
  /* Every record is one object.  Checking that here also keeps json-glib
   * 1.6 away from input it leaks nodes on: a scalar followed by junk, or
   * two objects on one line. */
  if (!is_one_object (text, length))
    {
      *out_reason = g_strdup ("the line is not a JSON object");
      return NULL;
    }
  if (!json_parser_load_from_data (parser, text, (gssize) length, &error))
    {
      *out_reason = g_strdup (error->message);
      return NULL;
    }

  root = json_parser_get_root (parser);
  if (root == NULL || !JSON_NODE_HOLDS_OBJECT (root))
    {
      *out_reason = g_strdup ("the line is not a JSON object");
      return NULL;
    }

  object = json_node_get_object (root);
  event = json_object_get_member (object, "event");
  if (event == NULL || json_node_get_value_type (event) != G_TYPE_STRING)
    {
      *out_reason = g_strdup ("the record has no \"event\" string");
      return NULL;
    }

  record = g_new0 (FleetJournalRecord, 1);
  record->object = json_object_ref (object);
  record->event = json_node_get_string (event);
  return record;
}

/* A line that did not parse, kept until the next line shows whether it is
 * the torn end of a session. */
typedef struct {
  guint64 offset;
  guint line;
  gsize length;
  char *reason;
} BadLine;

static void
warn_torn (FleetJournalContents *contents, const BadLine *bad)
{
  g_ptr_array_add (contents->warnings,
                   g_strdup_printf ("%s: ignoring the torn line %u at byte %" G_GUINT64_FORMAT
                                    " (%" G_GSIZE_FORMAT " bytes): fleet-run stopped while "
                                    "writing it", contents->path, bad->line, bad->offset,
                                    bad->length));
}

static void
set_damaged (GError **error, const FleetJournalContents *contents, const BadLine *bad)
{
  g_set_error (error, FLEET_JOURNAL_ERROR, FLEET_JOURNAL_ERROR_DAMAGED,
               "%s:%u: invalid journal record at byte %" G_GUINT64_FORMAT ": %s; fleet-run "
               "never writes such a line, so the journal was changed after the run and "
               "cannot be resumed", contents->path, bad->line, bad->offset, bad->reason);
}

FleetJournalContents *
fleet_journal_read (const char *path, GError **error)
{
  g_autofree char *data = NULL;
  gsize length = 0;

  if (!fleet_file_get_contents (path, &data, &length, error))
    return NULL;
  return fleet_journal_parse (path, data, length, error);
}

FleetJournalContents *
fleet_journal_parse (const char *path, const char *data, gsize length, GError **error)
{
  g_autoptr(FleetJournalContents) contents = g_new0 (FleetJournalContents, 1);
  g_autoptr(JsonParser) parser = json_parser_new ();
  gsize position = 0;
  guint line = 0;
  BadLine bad = { 0 };
  gboolean have_bad = FALSE;

  contents->path = g_strdup (path);
  contents->records = g_ptr_array_new_with_free_func ((GDestroyNotify) record_free);
  contents->warnings = g_ptr_array_new_with_free_func (g_free);
  contents->torn_offset = -1;
  contents->ends_without_newline = length > 0 && data[length - 1] != '\n';

  while (position < length)
    {
      const char *start = data + position;
      const char *newline = memchr (start, '\n', length - position);
      gsize line_length = newline != NULL ? (gsize) (newline - start) : length - position;
      g_autofree char *reason = NULL;
      FleetJournalRecord *record;

      line++;
      record = parse_line (parser, start, line_length, &reason);
      if (record != NULL)
        {
          record->offset = position;
          record->line = line;
          if (have_bad && strcmp (record->event, "run-resume") != 0)
            {
              set_damaged (error, contents, &bad);
              g_free (bad.reason);
              record_free (record);
              return NULL;
            }
          if (have_bad)
            warn_torn (contents, &bad);
          g_clear_pointer (&bad.reason, g_free);
          have_bad = FALSE;
          g_ptr_array_add (contents->records, record);
        }
      else if (have_bad)
        {
          set_damaged (error, contents, &bad);
          g_free (bad.reason);
          return NULL;
        }
      else
        {
          bad = (BadLine) { position, line, line_length, g_steal_pointer (&reason) };
          have_bad = TRUE;
        }

      position += line_length + (newline != NULL ? 1 : 0);
    }

  /* Only the last line of the file may be torn without a resume after it. */
  if (have_bad)
    {
      contents->torn_offset = (gint64) bad.offset;
      warn_torn (contents, &bad);
      g_free (bad.reason);
    }

  return g_steal_pointer (&contents);
}

const char *
fleet_journal_record_get_string (const FleetJournalRecord *record, const char *name)
{
  JsonNode *node = json_object_get_member (record->object, name);

  if (node == NULL || json_node_get_value_type (node) != G_TYPE_STRING)
    return NULL;
  return json_node_get_string (node);
}

gint64
fleet_journal_record_get_int (const FleetJournalRecord *record, const char *name,
                              gint64 fallback)
{
  JsonNode *node = json_object_get_member (record->object, name);

  if (node == NULL || json_node_get_value_type (node) != G_TYPE_INT64)
    return fallback;
  return json_node_get_int (node);
}
