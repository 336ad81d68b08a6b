/* fleet-json.c: JSON output with correct escaping. */
#include "schema/fleet-json.h"

#include <string.h>

void
fleet_json_append_string (GString *out, const char *value)
{
  const char *p = value;
  const char *end = value + strlen (value);

  g_string_append_c (out, '"');
  while (p < end)
    {
      gunichar c = g_utf8_get_char_validated (p, end - p);

      if (c == (gunichar) -1 || c == (gunichar) -2)
        {
          g_string_append (out, "\\ufffd");
          p++;
          continue;
        }

      if (c == '"' || c == '\\')
        g_string_append_printf (out, "\\%c", (char) c);
      else if (c == '\n')
        g_string_append (out, "\\n");
      else if (c == '\r')
        g_string_append (out, "\\r");
      else if (c == '\t')
        g_string_append (out, "\\t");
      else if (c < 0x20 || c == 0x7f)
        g_string_append_printf (out, "\\u%04x", c);
      else
        g_string_append_len (out, p, g_utf8_next_char (p) - p);
      p = g_utf8_next_char (p);
    }
  g_string_append_c (out, '"');
}

void
fleet_json_writer_init (FleetJsonWriter *writer, GString *out)
{
  *writer = (FleetJsonWriter) { .out = out };
}

/* Write the comma that separates this value from the previous sibling. */
static void
before_value (FleetJsonWriter *writer)
{
  if (writer->need_comma[writer->depth])
    g_string_append_c (writer->out, ',');
  writer->need_comma[writer->depth] = TRUE;
}

static void
open_container (FleetJsonWriter *writer, char bracket)
{
  before_value (writer);
  g_string_append_c (writer->out, bracket);
  g_assert (writer->depth + 1 < G_N_ELEMENTS (writer->need_comma));
  writer->depth++;
  writer->need_comma[writer->depth] = FALSE;
}

static void
close_container (FleetJsonWriter *writer, char bracket)
{
  g_assert (writer->depth > 0);
  writer->depth--;
  g_string_append_c (writer->out, bracket);
}

void
fleet_json_begin_object (FleetJsonWriter *writer)
{
  open_container (writer, '{');
}

void
fleet_json_end_object (FleetJsonWriter *writer)
{
  close_container (writer, '}');
}

void
fleet_json_begin_array (FleetJsonWriter *writer)
{
  open_container (writer, '[');
}

void
fleet_json_end_array (FleetJsonWriter *writer)
{
  close_container (writer, ']');
}

void
fleet_json_key (FleetJsonWriter *writer, const char *key)
{
  before_value (writer);
  fleet_json_append_string (writer->out, key);
  g_string_append_c (writer->out, ':');
  /* The value that follows the key needs no comma of its own. */
  writer->need_comma[writer->depth] = FALSE;
}

/* After a keyed value, the next key needs a comma again. */
static void
after_scalar (FleetJsonWriter *writer)
{
  writer->need_comma[writer->depth] = TRUE;
}

void
fleet_json_string (FleetJsonWriter *writer, const char *value)
{
  before_value (writer);
  if (value == NULL)
    g_string_append (writer->out, "null");
  else
    fleet_json_append_string (writer->out, value);
  after_scalar (writer);
}

void
fleet_json_int (FleetJsonWriter *writer, gint64 value)
{
  before_value (writer);
  g_string_append_printf (writer->out, "%" G_GINT64_FORMAT, value);
  after_scalar (writer);
}

void
fleet_json_bool (FleetJsonWriter *writer, gboolean value)
{
  before_value (writer);
  g_string_append (writer->out, value ? "true" : "false");
  after_scalar (writer);
}

void
fleet_json_null (FleetJsonWriter *writer)
{
  before_value (writer);
  g_string_append (writer->out, "null");
  after_scalar (writer);
}
