/* fleet-snapshot-store.c: content-addressed, compressed snapshot files. */
#include "schema/fleet-snapshot-store.h"

#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <unistd.h>

#include <gio/gio.h>
#include <glib/gstdio.h>

#include "schema/fleet-file.h"

/* Decompressed snapshots larger than this are rejected, so a small damaged
 * or hostile file cannot exhaust memory. */
#define MAX_SNAPSHOT_BYTES (512u * 1024 * 1024)

#define DIGEST_HEX_LENGTH 64
#define MIN_PREFIX_LENGTH 8

void
fleet_snapshot_index_entry_free (FleetSnapshotIndexEntry *entry)
{
  if (entry == NULL)
    return;
  g_free (entry->digest);
  g_free (entry->host);
  g_free (entry->run_id);
  g_free (entry->collector);
  g_free (entry->label);
  g_free (entry);
}

/* Run `converter` over the whole input. */
static GBytes *
convert_all (GConverter *converter, const void *data, gsize length, GError **error)
{
  g_autoptr (GByteArray) out = g_byte_array_new ();
  const guint8 *in = data;
  gsize in_left = length;
  guint8 buffer[64 * 1024];

  for (;;)
    {
      gsize read = 0, written = 0;
      GConverterResult result;

      result = g_converter_convert (converter, in, in_left, buffer, sizeof buffer,
                                    G_CONVERTER_INPUT_AT_END, &read, &written, error);
      if (result == G_CONVERTER_ERROR)
        return NULL;

      in += read;
      in_left -= read;
      g_byte_array_append (out, buffer, written);
      if (out->len > MAX_SNAPSHOT_BYTES)
        {
          g_set_error (error, FLEET_SNAPSHOT_ERROR, FLEET_SNAPSHOT_ERROR_CORRUPT,
                       "snapshot larger than %u bytes after decompression", MAX_SNAPSHOT_BYTES);
          return NULL;
        }
      if (result == G_CONVERTER_FINISHED)
        break;
      if (read == 0 && written == 0 && in_left == 0)
        {
          g_set_error (error, FLEET_SNAPSHOT_ERROR, FLEET_SNAPSHOT_ERROR_CORRUPT,
                       "compressed data ends early");
          return NULL;
        }
    }
  return g_byte_array_free_to_bytes (g_steal_pointer (&out));
}

GBytes *
fleet_snapshot_gzip (const void *data, gsize length, GError **error)
{
  g_autoptr (GZlibCompressor) compressor = g_zlib_compressor_new (G_ZLIB_COMPRESSOR_FORMAT_GZIP, 6);

  return convert_all (G_CONVERTER (compressor), data, length, error);
}

GBytes *
fleet_snapshot_gunzip (const void *data, gsize length, GError **error)
{
  g_autoptr (GZlibDecompressor) decompressor =
    g_zlib_decompressor_new (G_ZLIB_COMPRESSOR_FORMAT_GZIP);

  return convert_all (G_CONVERTER (decompressor), data, length, error);
}

static char *
snapshot_path (const char *dir, const char *digest)
{
  g_autofree char *name = g_strconcat (digest, ".snapshot.gz", NULL);

  return g_build_filename (dir, name, NULL);
}

static gboolean
append_index_line (const char *dir, const char *line, GError **error)
{
  g_autofree char *path = g_build_filename (dir, FLEET_SNAPSHOT_INDEX_NAME, NULL);
  gsize length = strlen (line);
  int fd;

  /* One write per line with O_APPEND keeps lines whole when several hosts
   * store snapshots at once. */
  fd = g_open (path, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0600);
  if (fd < 0)
    {
      int saved = errno;

      g_set_error (error, G_IO_ERROR, g_io_error_from_errno (saved),
                   "cannot open snapshot index %s: %s", path, g_strerror (saved));
      return FALSE;
    }
  if (write (fd, line, length) != (gssize) length)
    {
      int saved = errno;

      close (fd);
      g_set_error (error, G_IO_ERROR, g_io_error_from_errno (saved),
                   "cannot write snapshot index %s: %s", path, g_strerror (saved));
      return FALSE;
    }
  return g_close (fd, error);
}

char *
fleet_snapshot_store_put (const char *dir, FleetSnapshot *snapshot, const char *run_id,
                          const char *label, GError **error)
{
  gsize length = 0;
  g_autofree char *text = fleet_snapshot_serialize (snapshot, &length);
  g_autofree char *digest = g_compute_checksum_for_data (G_CHECKSUM_SHA256, (const guchar *) text,
                                                         length);
  g_autofree char *path = snapshot_path (dir, digest);
  g_autoptr (GBytes) compressed = NULL;
  g_autoptr (GString) line = g_string_new (digest);

  if (g_mkdir_with_parents (dir, 0700) != 0)
    {
      int saved = errno;

      g_set_error (error, G_IO_ERROR, g_io_error_from_errno (saved),
                   "cannot create snapshot store %s: %s", dir, g_strerror (saved));
      return NULL;
    }

  if (!g_file_test (path, G_FILE_TEST_EXISTS))
    {
      compressed = fleet_snapshot_gzip (text, length, error);
      if (compressed == NULL)
        return NULL;
      if (!g_file_set_contents_full (path, g_bytes_get_data (compressed, NULL),
                                     g_bytes_get_size (compressed),
                                     G_FILE_SET_CONTENTS_CONSISTENT, 0600, error))
        return NULL;
    }

  g_string_append_c (line, '\t');
  fleet_snapshot_escape (line, fleet_snapshot_get_host (snapshot));
  g_string_append_c (line, '\t');
  fleet_snapshot_escape (line, run_id != NULL ? run_id : "");
  g_string_append_printf (line, "\t%" G_GINT64_FORMAT "\t", fleet_snapshot_get_time_us (snapshot));
  fleet_snapshot_escape (line, fleet_snapshot_get_collector (snapshot));
  g_string_append_c (line, '\t');
  fleet_snapshot_escape (line, label != NULL ? label : "");
  g_string_append_c (line, '\n');
  if (!append_index_line (dir, line->str, error))
    return NULL;

  return g_steal_pointer (&digest);
}

static gboolean
is_hex_digest_prefix (const char *text)
{
  gsize length = strlen (text);

  if (length < MIN_PREFIX_LENGTH || length > DIGEST_HEX_LENGTH)
    return FALSE;
  for (gsize i = 0; i < length; i++)
    if (!g_ascii_isxdigit (text[i]) || g_ascii_isupper (text[i]))
      return FALSE;
  return TRUE;
}

/* Resolve a digest or a unique prefix to a full digest by listing `dir`. */
static char *
resolve_digest (const char *dir, const char *digest, GError **error)
{
  g_autoptr (GDir) listing = NULL;
  g_autofree char *found = NULL;
  gsize prefix_length = strlen (digest);
  const char *name;

  if (!is_hex_digest_prefix (digest))
    {
      g_set_error (error, FLEET_SNAPSHOT_ERROR, FLEET_SNAPSHOT_ERROR_NOT_FOUND,
                   "invalid snapshot digest \"%.64s\"; expected %d to %d lowercase hex digits",
                   digest, MIN_PREFIX_LENGTH, DIGEST_HEX_LENGTH);
      return NULL;
    }
  if (prefix_length == DIGEST_HEX_LENGTH)
    return g_strdup (digest);

  listing = g_dir_open (dir, 0, NULL);
  while (listing != NULL && (name = g_dir_read_name (listing)) != NULL)
    {
      if (!g_str_has_suffix (name, ".snapshot.gz") || strncmp (name, digest, prefix_length) != 0)
        continue;
      if (found != NULL)
        {
          g_set_error (error, FLEET_SNAPSHOT_ERROR, FLEET_SNAPSHOT_ERROR_NOT_FOUND,
                       "snapshot digest prefix %s is ambiguous in %s; give more digits",
                       digest, dir);
          return NULL;
        }
      found = g_strndup (name, DIGEST_HEX_LENGTH);
    }
  if (found == NULL)
    g_set_error (error, FLEET_SNAPSHOT_ERROR, FLEET_SNAPSHOT_ERROR_NOT_FOUND,
                 "no snapshot %s in %s", digest, dir);
  return g_steal_pointer (&found);
}

FleetSnapshot *
fleet_snapshot_store_get (const char *dir, const char *digest, GError **error)
{
  g_autofree char *full = resolve_digest (dir, digest, error);
  g_autofree char *path = NULL;
  g_autofree char *compressed = NULL;
  g_autofree char *actual = NULL;
  g_autoptr (GBytes) text = NULL;
  g_autoptr (GError) local_error = NULL;
  gsize compressed_length = 0;

  if (full == NULL)
    return NULL;

  path = snapshot_path (dir, full);
  if (!fleet_file_get_contents (path, &compressed, &compressed_length, &local_error))
    {
      g_set_error (error, FLEET_SNAPSHOT_ERROR, FLEET_SNAPSHOT_ERROR_NOT_FOUND,
                   "%s", local_error->message);
      return NULL;
    }

  text = fleet_snapshot_gunzip (compressed, compressed_length, &local_error);
  if (text == NULL)
    {
      g_set_error (error, FLEET_SNAPSHOT_ERROR, FLEET_SNAPSHOT_ERROR_CORRUPT,
                   "%s: cannot decompress: %s", path, local_error->message);
      return NULL;
    }

  actual = g_compute_checksum_for_bytes (G_CHECKSUM_SHA256, text);
  if (strcmp (actual, full) != 0)
    {
      g_set_error (error, FLEET_SNAPSHOT_ERROR, FLEET_SNAPSHOT_ERROR_CORRUPT,
                   "%s: content has digest %s, not the one in its name; the file is damaged",
                   path, actual);
      return NULL;
    }

  return fleet_snapshot_parse (g_bytes_get_data (text, NULL), g_bytes_get_size (text), path, error);
}

static FleetSnapshotIndexEntry *
parse_index_line (const char *line)
{
  g_auto (GStrv) fields = g_strsplit (line, "\t", -1);
  g_autoptr (FleetSnapshotIndexEntry) entry = g_new0 (FleetSnapshotIndexEntry, 1);
  guint64 time_us;

  if (g_strv_length (fields) != 6 || strlen (fields[0]) != DIGEST_HEX_LENGTH
      || !is_hex_digest_prefix (fields[0])
      || !g_ascii_string_to_unsigned (fields[3], 10, 0, G_MAXINT64, &time_us, NULL))
    return NULL;

  entry->digest = g_strdup (fields[0]);
  entry->host = fleet_snapshot_unescape (fields[1], strlen (fields[1]));
  entry->run_id = fleet_snapshot_unescape (fields[2], strlen (fields[2]));
  entry->time_us = (gint64) time_us;
  entry->collector = fleet_snapshot_unescape (fields[4], strlen (fields[4]));
  entry->label = fleet_snapshot_unescape (fields[5], strlen (fields[5]));
  if (entry->host == NULL || entry->run_id == NULL || entry->collector == NULL
      || entry->label == NULL)
    return NULL;
  return g_steal_pointer (&entry);
}

GPtrArray *
fleet_snapshot_store_list (const char *dir, GError **error)
{
  g_autofree char *path = g_build_filename (dir, FLEET_SNAPSHOT_INDEX_NAME, NULL);
  g_autofree char *contents = NULL;
  g_auto (GStrv) lines = NULL;
  g_autoptr (GError) local_error = NULL;
  GPtrArray *entries = g_ptr_array_new_with_free_func (
    (GDestroyNotify) fleet_snapshot_index_entry_free);

  if (!fleet_file_get_contents (path, &contents, NULL, &local_error))
    {
      if (g_error_matches (local_error, G_FILE_ERROR, G_FILE_ERROR_NOENT))
        return entries;
      g_ptr_array_unref (entries);
      g_propagate_error (error, g_steal_pointer (&local_error));
      return NULL;
    }

  lines = g_strsplit (contents, "\n", -1);
  for (guint i = 0; lines[i] != NULL; i++)
    {
      FleetSnapshotIndexEntry *entry;

      if (lines[i][0] == '\0')
        continue;
      entry = parse_index_line (lines[i]);
      if (entry == NULL)
        {
          g_warning ("%s:%u: invalid snapshot index line, skipped", path, i + 1);
          continue;
        }
      g_ptr_array_add (entries, entry);
    }
  return entries;
}
