/* fleet-known-hosts.c: the known_hosts table, host key verdicts and
 * accept-new additions.
 *
 * Lines whose host patterns are all plain names are indexed by name in a
 * hash table.  Lines with a wildcard, a negated pattern or a hashed name
 * cannot be indexed, so each check scans them.  @revoked lines are indexed
 * by key, since they apply to every host.
 */
#include "runtime/fleet-known-hosts.h"

#include <pthread.h>
#include <string.h>

#include "runtime/fleet-known-hosts-private.h"
#include "schema/fleet-diagnostics.h"
#include "schema/fleet-model.h"

G_DEFINE_QUARK (fleet-known-hosts-error-quark, fleet_known_hosts_error)

struct FleetKnownHosts {
  pthread_rwlock_t lock;         /* see table_lock_init() */
  GPtrArray *files;              /* char * path, in load order */
  GPtrArray *lines;              /* FleetKnownHostsLine *, owned, in load order */
  GHashTable *by_name;           /* lowercase name -> GPtrArray of FleetKnownHostsLine * */
  GPtrArray *scanned;            /* FleetKnownHostsLine * that the index cannot hold */
  GHashTable *revoked;           /* GBytes key -> first @revoked FleetKnownHostsLine * */
  GPtrArray *malformed;          /* FleetKnownHostsMalformedLine * */
  guint next_sequence;
};

/* ---- Small helpers ---- */

const char *
fleet_host_key_verdict_name (FleetHostKeyVerdict verdict)
{
  switch (verdict)
    {
    case FLEET_HOST_KEY_MATCH:
      return "match";
    case FLEET_HOST_KEY_UNKNOWN:
      return "unknown";
    case FLEET_HOST_KEY_CHANGED:
      return "changed";
    case FLEET_HOST_KEY_REVOKED:
      return "revoked";
    case FLEET_HOST_KEY_CERT_AUTHORITY_UNSUPPORTED:
      return "cert-authority-unsupported";
    default:
      return "invalid";
    }
}

char *
fleet_known_hosts_fingerprint (const guint8 *blob, gsize blob_length)
{
  g_autoptr(GChecksum) checksum = g_checksum_new (G_CHECKSUM_SHA256);
  guint8 digest[32];
  gsize digest_length = sizeof digest;
  g_autofree char *encoded = NULL;
  gsize length;

  g_checksum_update (checksum, blob, blob_length);
  g_checksum_get_digest (checksum, digest, &digest_length);
  encoded = g_base64_encode (digest, digest_length);
  length = strlen (encoded);
  while (length > 0 && encoded[length - 1] == '=')
    encoded[--length] = '\0';
  return g_strconcat ("SHA256:", encoded, NULL);
}

static char *
make_lookup_name (const char *host, guint16 port)
{
  g_autofree char *lower = g_ascii_strdown (host, -1);

  if (port == FLEET_DEFAULT_SSH_PORT)
    return g_steal_pointer (&lower);
  return g_strdup_printf ("[%s]:%u", lower, port);
}

static void
malformed_line_free (FleetKnownHostsMalformedLine *malformed)
{
  g_free (malformed->file);
  g_free (malformed->reason);
  g_free (malformed);
}

static void
entry_free (FleetKnownHostsEntry *entry)
{
  if (entry == NULL)
    return;
  g_free (entry->file);
  g_free (entry->key_type);
  g_free (entry->fingerprint);
  g_free (entry);
}

static FleetKnownHostsEntry *
entry_new (const FleetKnownHostsLine *line)
{
  FleetKnownHostsEntry *entry = g_new0 (FleetKnownHostsEntry, 1);

  entry->file = g_strdup (line->file);
  entry->line = line->line;
  entry->key_type = g_strdup (line->key_type);
  entry->fingerprint = fleet_known_hosts_fingerprint (g_bytes_get_data (line->key, NULL),
                                                      g_bytes_get_size (line->key));
  return entry;
}

void
fleet_host_key_check_free (FleetHostKeyCheck *check)
{
  if (check == NULL)
    return;
  g_free (check->lookup_name);
  g_free (check->presented_key_type);
  g_free (check->presented_fingerprint);
  entry_free (check->entry);
  g_ptr_array_unref (check->recorded);
  g_free (check->message);
  g_free (check);
}

/* ---- The table ---- */

/* Initialize a lock that lets writers in ahead of waiting readers.  The
 * default glibc rwlock, and so GRWLock, lets new readers in while a writer
 * waits, so a few threads checking keys back to back can keep an
 * accept-new add waiting indefinitely.  The static initializer, unlike
 * pthread_rwlock_init(), cannot fail; glibc's lock needs no other set-up,
 * wherever it is stored. */
static void
table_lock_init (pthread_rwlock_t *lock)
{
#ifdef PTHREAD_RWLOCK_WRITER_NONRECURSIVE_INITIALIZER_NP
  const pthread_rwlock_t initial = PTHREAD_RWLOCK_WRITER_NONRECURSIVE_INITIALIZER_NP;
#else
  const pthread_rwlock_t initial = PTHREAD_RWLOCK_INITIALIZER;
#endif

  *lock = initial;
}

FleetKnownHosts *
fleet_known_hosts_new (void)
{
  FleetKnownHosts *table = g_new0 (FleetKnownHosts, 1);

  table_lock_init (&table->lock);
  table->files = g_ptr_array_new_with_free_func (g_free);
  table->lines = g_ptr_array_new_with_free_func ((GDestroyNotify) fleet_known_hosts_line_free);
  table->by_name = g_hash_table_new_full (g_str_hash, g_str_equal, g_free,
                                          (GDestroyNotify) g_ptr_array_unref);
  table->scanned = g_ptr_array_new ();
  table->revoked = g_hash_table_new (g_bytes_hash, g_bytes_equal);
  table->malformed = g_ptr_array_new_with_free_func ((GDestroyNotify) malformed_line_free);
  return table;
}

void
fleet_known_hosts_free (FleetKnownHosts *table)
{
  if (table == NULL)
    return;

  g_hash_table_unref (table->revoked);
  g_ptr_array_unref (table->scanned);
  g_hash_table_unref (table->by_name);
  g_ptr_array_unref (table->lines);
  g_ptr_array_unref (table->malformed);
  g_ptr_array_unref (table->files);
  pthread_rwlock_destroy (&table->lock);
  g_free (table);
}

const GPtrArray *
fleet_known_hosts_get_malformed (const FleetKnownHosts *table)
{
  return table->malformed;
}

/* Take ownership of `line` and make it visible to checks. */
static void
table_insert_line (FleetKnownHosts *table, FleetKnownHostsLine *line)
{
  line->sequence = table->next_sequence++;
  g_ptr_array_add (table->lines, line);

  if (line->marker == FLEET_KNOWN_HOSTS_MARKER_REVOKED)
    {
      if (!g_hash_table_contains (table->revoked, line->key))
        g_hash_table_insert (table->revoked, line->key, line);
      return;
    }

  if (!fleet_known_hosts_line_is_indexable (line))
    {
      g_ptr_array_add (table->scanned, line);
      return;
    }

  for (guint i = 0; i < line->patterns->len; i++)
    {
      const char *name = g_array_index (line->patterns, FleetHostPattern, i).text;
      GPtrArray *lines = g_hash_table_lookup (table->by_name, name);

      if (lines == NULL)
        {
          lines = g_ptr_array_new ();
          g_hash_table_insert (table->by_name, g_strdup (name), lines);
        }
      /* A line that lists one name twice is recorded once. */
      if (lines->len == 0 || g_ptr_array_index (lines, lines->len - 1) != line)
        g_ptr_array_add (lines, line);
    }
}

/* Return the table's copy of `path`, or NULL when the file is not loaded. */
static const char *
table_find_file (FleetKnownHosts *table, const char *path)
{
  guint index;

  if (!g_ptr_array_find_with_equal_func (table->files, path, g_str_equal, &index))
    return NULL;
  return g_ptr_array_index (table->files, index);
}

static void
record_malformed (FleetKnownHosts *table, const char *path, guint line_number, char *reason)
{
  FleetKnownHostsMalformedLine *malformed = g_new0 (FleetKnownHostsMalformedLine, 1);

  malformed->file = g_strdup (path);
  malformed->line = line_number;
  malformed->reason = reason;
  g_ptr_array_add (table->malformed, malformed);
}

static void
parse_contents (FleetKnownHosts *table, const char *file, const char *contents, gsize length)
{
  const char *start = contents;
  const char *end = contents + length;
  guint line_number = 0;

  while (start < end)
    {
      const char *newline = memchr (start, '\n', end - start);
      gsize line_length = (newline != NULL ? newline : end) - start;
      g_autofree char *text = NULL;
      const char *first;
      FleetKnownHostsLine *line;
      char *reason = NULL;

      line_number++;
      if (memchr (start, '\0', line_length) != NULL)
        {
          record_malformed (table, file, line_number, g_strdup ("the line contains a NUL byte"));
          start += line_length + 1;
          continue;
        }
      text = g_strndup (start, line_length);
      start += line_length + 1;

      g_strchomp (text);
      first = text + strspn (text, " \t");
      if (first[0] == '\0' || first[0] == '#')
        continue;

      line = fleet_known_hosts_line_parse (first, &reason);
      if (line == NULL)
        {
          record_malformed (table, file, line_number, reason);
          continue;
        }
      line->file = file;
      line->line = line_number;
      table_insert_line (table, line);
    }
}

static gboolean
table_load_locked (FleetKnownHosts *table, const char *path, GError **error)
{
  g_autoptr(GString) contents = NULL;
  char *file;

  if (table_find_file (table, path) != NULL)
    return TRUE;

  contents = fleet_known_hosts_file_read (path, error);
  if (contents == NULL)
    return FALSE;
  file = g_strdup (path);
  g_ptr_array_add (table->files, file);

  parse_contents (table, file, contents->str, contents->len);
  return TRUE;
}

gboolean
fleet_known_hosts_load (FleetKnownHosts *table, const char *path, GError **error)
{
  gboolean loaded;

  g_return_val_if_fail (table != NULL && path != NULL, FALSE);

  pthread_rwlock_wrlock (&table->lock);
  loaded = table_load_locked (table, path, error);
  pthread_rwlock_unlock (&table->lock);
  return loaded;
}

/* ---- Verdicts ---- */

static gint
compare_load_order (gconstpointer a, gconstpointer b)
{
  const FleetKnownHostsLine *first = *(const FleetKnownHostsLine * const *) a;
  const FleetKnownHostsLine *second = *(const FleetKnownHostsLine * const *) b;

  return (first->sequence > second->sequence) - (first->sequence < second->sequence);
}

/* Return the plain and @cert-authority lines that apply to the lookup name
 * `name`, in load order; the lines are borrowed. */
static GPtrArray *
find_host_lines (FleetKnownHosts *table, const char *name)
{
  GPtrArray *found = g_ptr_array_new ();
  GPtrArray *indexed = g_hash_table_lookup (table->by_name, name);

  if (indexed != NULL)
    g_ptr_array_extend (found, indexed, NULL, NULL);

  for (guint i = 0; i < table->scanned->len; i++)
    {
      FleetKnownHostsLine *line = g_ptr_array_index (table->scanned, i);

      if (fleet_known_hosts_line_applies (line, name))
        g_ptr_array_add (found, line);
    }

  g_ptr_array_sort (found, compare_load_order);
  return found;
}

static gboolean
is_certificate_type (const char *key_type)
{
  return g_str_has_suffix (key_type, "-cert-v01@openssh.com");
}

static void
decide_verdict (FleetKnownHosts *table, FleetHostKeyCheck *check, GBytes *key)
{
  const FleetKnownHostsLine *revoking = g_hash_table_lookup (table->revoked, key);
  gboolean certificate = is_certificate_type (check->presented_key_type);
  g_autoptr(GPtrArray) lines = NULL;
  g_autoptr(GPtrArray) authorities = NULL;
  gboolean same_type_recorded = FALSE;

  if (revoking != NULL)
    {
      check->verdict = FLEET_HOST_KEY_REVOKED;
      check->entry = entry_new (revoking);
      return;
    }

  /* A certificate never matches a plain line: fleetc cannot check its
   * signature, validity period or principals. */
  lines = find_host_lines (table, check->lookup_name);
  for (guint i = 0; i < lines->len && !certificate; i++)
    {
      const FleetKnownHostsLine *line = g_ptr_array_index (lines, i);

      if (line->marker == FLEET_KNOWN_HOSTS_MARKER_NONE && g_bytes_equal (line->key, key))
        {
          check->verdict = FLEET_HOST_KEY_MATCH;
          check->entry = entry_new (line);
          return;
        }
    }

  authorities = g_ptr_array_new_with_free_func ((GDestroyNotify) entry_free);
  for (guint i = 0; i < lines->len; i++)
    {
      const FleetKnownHostsLine *line = g_ptr_array_index (lines, i);

      if (line->marker == FLEET_KNOWN_HOSTS_MARKER_CERT_AUTHORITY)
        {
          g_ptr_array_add (authorities, entry_new (line));
          continue;
        }
      g_ptr_array_add (check->recorded, entry_new (line));
      same_type_recorded = same_type_recorded
                           || strcmp (line->key_type, check->presented_key_type) == 0;
    }

  /* A @cert-authority key is never a host key itself: it only signs
   * certificates, which fleetc cannot verify. */
  if (authorities->len > 0 && (certificate || check->recorded->len == 0))
    {
      check->verdict = FLEET_HOST_KEY_CERT_AUTHORITY_UNSUPPORTED;
      g_ptr_array_unref (check->recorded);
      check->recorded = g_steal_pointer (&authorities);
    }
  else if (check->recorded->len > 0)
    {
      check->verdict = FLEET_HOST_KEY_CHANGED;
      check->other_types_only = !same_type_recorded;
    }
  else
    check->verdict = FLEET_HOST_KEY_UNKNOWN;
}

/* ---- Messages ---- */

/* Append "line N of FILE" for each entry, joined with commas and "and". */
static void
append_line_list (GString *text, const GPtrArray *entries)
{
  for (guint i = 0; i < entries->len; i++)
    {
      const FleetKnownHostsEntry *entry = g_ptr_array_index (entries, i);

      if (i > 0)
        g_string_append (text, i + 1 == entries->len ? " and " : ", ");
      g_string_append_printf (text, "line %u of %s", entry->line, entry->file);
    }
}

static void
append_recorded_keys (GString *text, const GPtrArray *entries)
{
  for (guint i = 0; i < entries->len; i++)
    {
      const FleetKnownHostsEntry *entry = g_ptr_array_index (entries, i);

      g_string_append_printf (text, "%sline %u of %s records %s %s", i > 0 ? "; " : "",
                              entry->line, entry->file, entry->key_type, entry->fingerprint);
    }
}

static void
append_unknown_message (GString *text, const FleetHostKeyCheck *check, const GPtrArray *files)
{
  g_string_append_printf (text, "host key for %s ", check->lookup_name);
  if (files->len == 0)
    g_string_append (text, "cannot be verified because no known_hosts file is loaded");
  else
    g_string_append (text, files->len == 1 ? "is not in known_hosts file "
                                           : "is not in the known_hosts files ");
  for (guint i = 0; i < files->len; i++)
    g_string_append_printf (text, "%s%s", i > 0 ? ", " : "",
                            (const char *) g_ptr_array_index (files, i));
  g_string_append_printf (text, ": the server presents %s %s; verify the key out of band and "
                          "add it to %s", check->presented_key_type,
                          check->presented_fingerprint,
                          files->len == 1 ? "that file" : "the known_hosts file");
}

static void
append_changed_message (GString *text, const FleetHostKeyCheck *check)
{
  if (check->other_types_only)
    g_string_append_printf (text, "host key for %s does not match: the server presents %s %s, "
                            "but known_hosts records only keys of other types for this host: ",
                            check->lookup_name, check->presented_key_type,
                            check->presented_fingerprint);
  else
    g_string_append_printf (text, "host key for %s has changed: the server presents %s %s, "
                            "but ", check->lookup_name, check->presented_key_type,
                            check->presented_fingerprint);
  append_recorded_keys (text, check->recorded);
  g_string_append (text, ". If the host was reinstalled, verify the new key out of band, "
                         "then remove the old key (");
  append_line_list (text, check->recorded);
  g_string_append (text, ") and add the new one");
}

static char *
describe_check (const FleetHostKeyCheck *check, const GPtrArray *files)
{
  GString *text = g_string_new (NULL);

  switch (check->verdict)
    {
    case FLEET_HOST_KEY_MATCH:
      g_string_free (text, TRUE);
      return NULL;

    case FLEET_HOST_KEY_UNKNOWN:
      append_unknown_message (text, check, files);
      break;

    case FLEET_HOST_KEY_CHANGED:
      append_changed_message (text, check);
      break;

    case FLEET_HOST_KEY_REVOKED:
      g_string_append_printf (text, "host key for %s is revoked: the server presents %s %s, "
                              "which line %u of %s marks @revoked. fleetc never accepts a "
                              "revoked key; find out why it was revoked before you trust this "
                              "host again", check->lookup_name, check->presented_key_type,
                              check->presented_fingerprint, check->entry->line,
                              check->entry->file);
      break;

    case FLEET_HOST_KEY_CERT_AUTHORITY_UNSUPPORTED:
      g_string_append_printf (text, "host key for %s cannot be verified: known_hosts has no key "
                              "for this host, only %s (", check->lookup_name,
                              check->recorded->len == 1 ? "a @cert-authority line"
                                                        : "@cert-authority lines");
      append_line_list (text, check->recorded);
      g_string_append_printf (text, "), and host certificates are not supported by fleetc. "
                              "Verify the host's own key out of band (the server presents "
                              "%s %s) and add it to known_hosts", check->presented_key_type,
                              check->presented_fingerprint);
      break;
    }
  return g_string_free (text, FALSE);
}

/* ---- Checks ---- */

/* Check `key` for `host` on `port`; the caller holds the table's lock and
 * has validated the key. */
static FleetHostKeyCheck *
table_check_locked (FleetKnownHosts *table, const char *host, guint16 port,
                    const char *key_type, GBytes *key)
{
  FleetHostKeyCheck *check = g_new0 (FleetHostKeyCheck, 1);

  check->lookup_name = make_lookup_name (host, port);
  check->presented_key_type = g_strdup (key_type);
  check->presented_fingerprint = fleet_known_hosts_fingerprint (g_bytes_get_data (key, NULL),
                                                                g_bytes_get_size (key));
  check->recorded = g_ptr_array_new_with_free_func ((GDestroyNotify) entry_free);

  decide_verdict (table, check, key);
  check->message = describe_check (check, table->files);
  return check;
}

FleetHostKeyCheck *
fleet_known_hosts_check (FleetKnownHosts *table,
                         const char *host,
                         guint16 port,
                         const char *key_type,
                         const guint8 *blob,
                         gsize blob_length,
                         GError **error)
{
  g_autoptr(GBytes) key = NULL;
  FleetHostKeyCheck *check;

  g_return_val_if_fail (table != NULL && host != NULL && key_type != NULL && blob != NULL, NULL);

  if (!fleet_known_hosts_validate_key (key_type, blob, blob_length, error))
    {
      g_prefix_error (error, "cannot check the host key of %s: ", host);
      return NULL;
    }
  key = g_bytes_new (blob, blob_length);

  pthread_rwlock_rdlock (&table->lock);
  check = table_check_locked (table, host, port, key_type, key);
  pthread_rwlock_unlock (&table->lock);
  return check;
}

char **
fleet_known_hosts_get_key_types (FleetKnownHosts *table, const char *host, guint16 port)
{
  g_autofree char *name = NULL;
  g_autoptr(GPtrArray) lines = NULL;
  g_autoptr(GPtrArray) types = g_ptr_array_new ();
  char **result;

  g_return_val_if_fail (table != NULL && host != NULL, NULL);

  name = make_lookup_name (host, port);
  pthread_rwlock_rdlock (&table->lock);
  lines = find_host_lines (table, name);
  for (guint i = 0; i < lines->len; i++)
    {
      const FleetKnownHostsLine *line = g_ptr_array_index (lines, i);

      /* Key types are interned, so equal names are equal pointers. */
      if (line->marker == FLEET_KNOWN_HOSTS_MARKER_NONE
          && !g_ptr_array_find (types, line->key_type, NULL))
        g_ptr_array_add (types, (gpointer) line->key_type);
    }
  pthread_rwlock_unlock (&table->lock);

  result = g_new0 (char *, types->len + 1);
  for (guint i = 0; i < types->len; i++)
    result[i] = g_strdup (g_ptr_array_index (types, i));
  return result;
}

/* ---- Accept-new ---- */

static gboolean
is_valid_host_name (const char *host)
{
  if (host[0] == '\0')
    return FALSE;
  for (const char *c = host; *c != '\0'; c++)
    if (!g_ascii_isalnum (*c) && strchr (".-_:%", *c) == NULL)
      return FALSE;
  return TRUE;
}

/* Add the line `text` for `key` to the file at `path` unless the host has
 * lines already; the caller holds the table's lock. */
static gboolean
table_add_locked (FleetKnownHosts *table, const char *path, const char *host, guint16 port,
                  GBytes *key, FleetKnownHostsLine *new_line, const char *text, GError **error)
{
  g_autoptr(FleetKnownHostsLine) line = new_line;
  g_autoptr(FleetHostKeyCheck) check = NULL;

  if (!table_load_locked (table, path, error))
    return FALSE;

  check = table_check_locked (table, host, port, line->key_type, key);
  if (check->verdict == FLEET_HOST_KEY_MATCH)
    return TRUE;
  if (check->verdict != FLEET_HOST_KEY_UNKNOWN)
    {
      g_set_error (error, FLEET_KNOWN_HOSTS_ERROR,
                   check->verdict == FLEET_HOST_KEY_REVOKED ? FLEET_KNOWN_HOSTS_ERROR_REVOKED
                                                            : FLEET_KNOWN_HOSTS_ERROR_HOST_KNOWN,
                   "cannot add the host key of %s to %s: %s", check->lookup_name, path,
                   check->message);
      return FALSE;
    }

  if (!fleet_known_hosts_file_append (path, text, &line->line, error))
    return FALSE;
  line->file = table_find_file (table, path);
  table_insert_line (table, g_steal_pointer (&line));
  return TRUE;
}

gboolean
fleet_known_hosts_add (FleetKnownHosts *table,
                       const char *path,
                       const char *host,
                       guint16 port,
                       const char *key_type,
                       const guint8 *blob,
                       gsize blob_length,
                       gboolean hash,
                       GError **error)
{
  g_autoptr(GBytes) key = NULL;
  g_autofree char *lookup_name = NULL;
  g_autofree char *text = NULL;
  FleetKnownHostsLine *line;
  gboolean added;

  g_return_val_if_fail (table != NULL && path != NULL && host != NULL && key_type != NULL
                          && blob != NULL, FALSE);

  if (!is_valid_host_name (host))
    {
      g_autofree char *quoted = fleet_quote_value (host, FLEET_KNOWN_HOSTS_MAX_QUOTED_CHARS);
      g_set_error (error, FLEET_KNOWN_HOSTS_ERROR, FLEET_KNOWN_HOSTS_ERROR_INVALID_HOST,
                   "cannot add host %s to known_hosts file %s: a host name there may contain "
                   "only letters, digits and the characters .-_:%%", quoted, path);
      return FALSE;
    }
  if (!fleet_known_hosts_validate_key (key_type, blob, blob_length, error))
    {
      g_prefix_error (error, "cannot add the host key of %s to %s: ", host, path);
      return FALSE;
    }
  if (is_certificate_type (key_type))
    {
      g_set_error (error, FLEET_KNOWN_HOSTS_ERROR, FLEET_KNOWN_HOSTS_ERROR_INVALID_KEY,
                   "cannot add the host key of %s to %s: the server presents a %s host "
                   "certificate, and host certificates are not supported by fleetc; add the "
                   "host's own key instead", host, path, key_type);
      return FALSE;
    }

  key = g_bytes_new (blob, blob_length);
  lookup_name = make_lookup_name (host, port);
  line = fleet_known_hosts_line_new_for_host (lookup_name, key_type, key, hash, &text);

  pthread_rwlock_wrlock (&table->lock);
  added = table_add_locked (table, path, host, port, key, line, text, error);
  pthread_rwlock_unlock (&table->lock);
  return added;
}

