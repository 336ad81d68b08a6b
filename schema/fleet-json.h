/* fleet-json.h: a small writer for JSON objects and JSON-lines records.
 *
 * Strings are escaped per RFC 8259; bytes that are not valid UTF-8 are
 * replaced by U+FFFD so the output always parses.  The writer appends to a
 * caller-owned GString and tracks only whether a comma is due.
 */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

/* Append `value` as a JSON string literal, quotes included. */
void fleet_json_append_string (GString *out, const char *value);

typedef struct {
  GString *out;
  guint depth;
  gboolean need_comma[32];
} FleetJsonWriter;

void fleet_json_writer_init (FleetJsonWriter *writer, GString *out);
void fleet_json_begin_object (FleetJsonWriter *writer);
void fleet_json_end_object (FleetJsonWriter *writer);
void fleet_json_begin_array (FleetJsonWriter *writer);
void fleet_json_end_array (FleetJsonWriter *writer);

/* Write the member name of the next value; only inside an object. */
void fleet_json_key (FleetJsonWriter *writer, const char *key);

void fleet_json_string (FleetJsonWriter *writer, const char *value); /* NULL writes null */
void fleet_json_int (FleetJsonWriter *writer, gint64 value);
void fleet_json_bool (FleetJsonWriter *writer, gboolean value);
void fleet_json_null (FleetJsonWriter *writer);

G_END_DECLS
