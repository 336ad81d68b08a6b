/* fleet-known-hosts.c: known_hosts parsing, host matching and accept-new
 * appends.
 *
 * Lines whose host patterns are all literal names are indexed by name in a
 * hash table.  Lines with a wildcard, a negated pattern or a hashed name
 * cannot be indexed, so each check scans them.  @revoked lines are indexed
 * by key, since they apply to every host.
 */
#include "runtime/fleet-known-hosts.h"

#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <openssl/evp.h>
#include <openssl/rand.h>

#include "schema/fleet-diagnostics.h"
#include "schema/fleet-model.h"

#define HASH_MAGIC "|1|"
#define HASH_BYTES 20              /* SHA-1 digest; OpenSSH requires salts of this length too */
#define SHA1_BLOCK_BYTES 64
#define MAX_KEY_TYPE_LENGTH 64
#define MAX_QUOTED_CHARS 60
#define READ_CHUNK_BYTES (64 * 1024)

G_DEFINE_QUARK (fleet-known-hosts-error-quark, fleet_known_hosts_error)

typedef enum {
  MARKER_NONE,
  MARKER_REVOKED,
  MARKER_CERT_AUTHORITY,
} Marker;

typedef struct {
  gboolean negated;
  char *text;                    /* lowercase, without the leading '!' */
  GPatternSpec *wildcard;        /* NULL when text has no '*' or '?' */
} HostPattern;

/* A hashed host name with the HMAC-SHA1 key already absorbed (RFC 2104):
 * `inner` has hashed (salt XOR ipad) and `outer` (salt XOR opad).  Copying
 * these states costs about a fifth of keying a new HMAC, and every check
 * computes one HMAC per hashed line. */
typedef struct {
  EVP_MD_CTX *inner;
  EVP_MD_CTX *outer;
  guint8 hash[HASH_BYTES];
} HashedName;

typedef struct {
  Marker marker;
  const char *file;              /* owned by the table's file record */
  guint line;
  guint sequence;                /* load order across files */
  GArray *patterns;              /* HostPattern; NULL when hashed or revoked */
  HashedName *hashed;            /* NULL unless the host field is "|1|SALT|HASH" */
  const char *key_type;          /* interned */
  GBytes *key;                   /* wire-format public key */
} KnownHostsLine;

/* What the table knows of a file's bytes, to number the lines it appends. */
typedef struct {
  char *path;
  guint64 size;
  guint64 newlines;
} KnownHostsFile;

struct FleetKnownHosts {
  pthread_rwlock_t lock;         /* see table_lock_init() */
  GPtrArray *files;              /* KnownHostsFile *, in load order */
  GPtrArray *lines;              /* KnownHostsLine *, owned, in load order */
  GHashTable *by_name;           /* lowercase name -> GPtrArray of KnownHostsLine * */
  GPtrArray *scanned;            /* KnownHostsLine * that the index cannot hold */
  GHashTable *revoked;           /* GBytes key -> first @revoked KnownHostsLine * */
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
  guint8 digest[EVP_MAX_MD_SIZE];
  unsigned int digest_length = 0;
  g_autofree char *encoded = NULL;
  gsize length;

  if (EVP_Digest (blob, blob_length, digest, &digest_length, EVP_sha256 (), NULL) != 1)
    g_error ("OpenSSL failed to compute a SHA-256 digest");

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

static gboolean
is_key_type_char (char c)
{
  return g_ascii_isalnum (c) || c == '-' || c == '_' || c == '.' || c == '@';
}

static gboolean
is_valid_key_type (const char *key_type)
{
  gsize length = strlen (key_type);

  if (length == 0 || length > MAX_KEY_TYPE_LENGTH)
    return FALSE;
  for (gsize i = 0; i < length; i++)
    if (!is_key_type_char (key_type[i]))
      return FALSE;
  return TRUE;
}

/* Return the key type name that a wire-format public key starts with (an
 * SSH string: a 32-bit big-endian length, then the name), or NULL when the
 * blob is too short to hold a name and some key material.  The key material
 * itself is not checked: a damaged key matches no server's key. */
static char *
blob_key_type (const guint8 *blob, gsize blob_length)
{
  guint32 name_length;

  if (blob_length < 4)
    return NULL;

  memcpy (&name_length, blob, 4);
  name_length = GUINT32_FROM_BE (name_length);
  if (name_length == 0 || name_length > MAX_KEY_TYPE_LENGTH || name_length >= blob_length - 4)
    return NULL;
  return g_strndup ((const char *) blob + 4, name_length);
}

static gboolean
validate_key (const char *key_type, const guint8 *blob, gsize blob_length, GError **error)
{
  g_autofree char *blob_type = blob_key_type (blob, blob_length);

  if (blob_type == NULL || !is_valid_key_type (key_type) || strcmp (blob_type, key_type) != 0)
    {
      g_autofree char *quoted = fleet_quote_value (key_type, MAX_QUOTED_CHARS);
      g_set_error (error, FLEET_KNOWN_HOSTS_ERROR, FLEET_KNOWN_HOSTS_ERROR_INVALID_KEY,
                   "the host key is not a valid %s public key", quoted);
      return FALSE;
    }
  return TRUE;
}

/* Decode standard base64 with padding, rejecting any other character;
 * g_base64_decode() alone skips characters outside the alphabet. */
static GBytes *
decode_base64_strict (const char *text, gsize length)
{
  gsize padding = 0;
  g_autofree char *copy = NULL;
  guchar *data;
  gsize data_length = 0;

  if (length == 0 || length % 4 != 0)
    return NULL;

  for (gsize i = 0; i < length; i++)
    {
      char c = text[i];

      if (c == '=' && i >= length - 2)
        padding++;
      else if (padding > 0 || !(g_ascii_isalnum (c) || c == '+' || c == '/'))
        return NULL;
    }

  copy = g_strndup (text, length);
  data = g_base64_decode (copy, &data_length);
  return g_bytes_new_take (data, data_length);
}

static void
host_pattern_clear (gpointer data)
{
  HostPattern *pattern = data;

  g_free (pattern->text);
  if (pattern->wildcard != NULL)
    g_pattern_spec_free (pattern->wildcard);
}

static void
hashed_name_free (HashedName *hashed)
{
  if (hashed == NULL)
    return;
  EVP_MD_CTX_free (hashed->inner);
  EVP_MD_CTX_free (hashed->outer);
  g_free (hashed);
}

static gboolean
absorb_key_pad (EVP_MD_CTX *context, const guint8 *salt, guint8 pad_byte)
{
  guint8 block[SHA1_BLOCK_BYTES];

  memset (block, pad_byte, sizeof block);
  for (gsize i = 0; i < HASH_BYTES; i++)
    block[i] ^= salt[i];
  return EVP_DigestInit_ex (context, EVP_sha1 (), NULL) == 1
         && EVP_DigestUpdate (context, block, sizeof block) == 1;
}

/* Return the HMAC state for `salt` (HASH_BYTES long), or NULL when OpenSSL
 * fails. */
static HashedName *
hashed_name_new (const guint8 *salt, const guint8 *hash)
{
  HashedName *hashed = g_new0 (HashedName, 1);

  hashed->inner = EVP_MD_CTX_new ();
  hashed->outer = EVP_MD_CTX_new ();
  if (hashed->inner == NULL || hashed->outer == NULL
      || !absorb_key_pad (hashed->inner, salt, 0x36)
      || !absorb_key_pad (hashed->outer, salt, 0x5c))
    {
      hashed_name_free (hashed);
      return NULL;
    }
  if (hash != NULL)
    memcpy (hashed->hash, hash, HASH_BYTES);
  return hashed;
}

/* Compute HMAC-SHA1 of `name` into `out`, using `work` as scratch space.
 * Returns FALSE when OpenSSL fails. */
static gboolean
hashed_name_compute (const HashedName *hashed, EVP_MD_CTX *work, const char *name,
                     guint8 out[HASH_BYTES])
{
  guint8 inner_digest[HASH_BYTES];

  return EVP_MD_CTX_copy_ex (work, hashed->inner) == 1
         && EVP_DigestUpdate (work, name, strlen (name)) == 1
         && EVP_DigestFinal_ex (work, inner_digest, NULL) == 1
         && EVP_MD_CTX_copy_ex (work, hashed->outer) == 1
         && EVP_DigestUpdate (work, inner_digest, sizeof inner_digest) == 1
         && EVP_DigestFinal_ex (work, out, NULL) == 1;
}

static gboolean
hashed_name_matches (const HashedName *hashed, EVP_MD_CTX *work, const char *name)
{
  guint8 computed[HASH_BYTES];

  return hashed_name_compute (hashed, work, name, computed)
         && memcmp (computed, hashed->hash, HASH_BYTES) == 0;
}

static void
known_hosts_line_free (KnownHostsLine *line)
{
  if (line->patterns != NULL)
    g_array_unref (line->patterns);
  hashed_name_free (line->hashed);
  g_bytes_unref (line->key);
  g_free (line);
}

G_DEFINE_AUTOPTR_CLEANUP_FUNC (KnownHostsLine, known_hosts_line_free)

static void
known_hosts_file_free (KnownHostsFile *file)
{
  g_free (file->path);
  g_free (file);
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
entry_new (const KnownHostsLine *line)
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

/* ---- Parsing ---- */

/* Return the next whitespace-separated field at `*cursor` and move the
 * cursor past it, or NULL at the end of the line. */
static char *
next_field (const char **cursor)
{
  const char *start = *cursor;
  const char *end;

  while (*start == ' ' || *start == '\t')
    start++;
  if (*start == '\0')
    {
      *cursor = start;
      return NULL;
    }

  end = start;
  while (*end != '\0' && *end != ' ' && *end != '\t')
    end++;
  *cursor = end;
  return g_strndup (start, end - start);
}

static gboolean
parse_marker (const char *field, Marker *out_marker, char **out_reason)
{
  if (strcmp (field, "@revoked") == 0)
    *out_marker = MARKER_REVOKED;
  else if (strcmp (field, "@cert-authority") == 0)
    *out_marker = MARKER_CERT_AUTHORITY;
  else
    {
      g_autofree char *quoted = fleet_quote_value (field, MAX_QUOTED_CHARS);
      *out_reason = g_strdup_printf ("unknown marker %s; the known markers are @revoked and "
                                     "@cert-authority", quoted);
      return FALSE;
    }
  return TRUE;
}

/* Parse "|1|SALT|HASH", where SALT and HASH are base64 of HASH_BYTES each. */
static HashedName *
parse_hashed_name (const char *field, char **out_reason)
{
  const char *salt_text = field + strlen (HASH_MAGIC);
  const char *separator;
  g_autoptr(GBytes) salt = NULL;
  g_autoptr(GBytes) hash = NULL;
  HashedName *hashed;

  separator = g_str_has_prefix (field, HASH_MAGIC) ? strchr (salt_text, '|') : NULL;
  if (separator != NULL)
    {
      salt = decode_base64_strict (salt_text, separator - salt_text);
      hash = decode_base64_strict (separator + 1, strlen (separator + 1));
    }
  if (salt == NULL || hash == NULL || g_bytes_get_size (salt) != HASH_BYTES
      || g_bytes_get_size (hash) != HASH_BYTES)
    {
      *out_reason = g_strdup ("invalid hashed host name; the form is |1|SALT|HASH with a "
                              "20-byte salt and hash in base64, as ssh-keygen -H writes it");
      return NULL;
    }

  hashed = hashed_name_new (g_bytes_get_data (salt, NULL), g_bytes_get_data (hash, NULL));
  if (hashed == NULL)
    *out_reason = g_strdup ("OpenSSL failed to set up HMAC-SHA1 for the hashed host name");
  return hashed;
}

static GArray *
parse_host_patterns (const char *field, char **out_reason)
{
  g_autoptr(GArray) patterns = g_array_new (FALSE, TRUE, sizeof (HostPattern));
  g_auto(GStrv) parts = g_strsplit (field, ",", -1);

  g_array_set_clear_func (patterns, host_pattern_clear);
  for (char **part = parts; *part != NULL; part++)
    {
      HostPattern pattern = { 0 };
      const char *text = *part;

      pattern.negated = text[0] == '!';
      if (pattern.negated)
        text++;
      if (text[0] == '\0')
        {
          g_autofree char *quoted = fleet_quote_value (field, MAX_QUOTED_CHARS);
          *out_reason = g_strdup_printf ("empty host pattern in %s", quoted);
          return NULL;
        }

      pattern.text = g_ascii_strdown (text, -1);
      if (strpbrk (pattern.text, "*?") != NULL)
        pattern.wildcard = g_pattern_spec_new (pattern.text);
      g_array_append_val (patterns, pattern);
    }
  return g_steal_pointer (&patterns);
}

/* Parse the key type and base64 key fields into `line`. */
static gboolean
parse_key (const char *type_field, const char *key_field, KnownHostsLine *line,
           char **out_reason)
{
  g_autofree char *quoted_type = fleet_quote_value (type_field, MAX_QUOTED_CHARS);
  g_autoptr(GBytes) key = NULL;
  g_autofree char *blob_type = NULL;

  if (!is_valid_key_type (type_field))
    {
      *out_reason = g_strdup_printf ("invalid key type %s", quoted_type);
      return FALSE;
    }

  key = decode_base64_strict (key_field, strlen (key_field));
  if (key == NULL)
    {
      *out_reason = g_strdup ("the key is not valid base64");
      return FALSE;
    }

  blob_type = blob_key_type (g_bytes_get_data (key, NULL), g_bytes_get_size (key));
  if (blob_type == NULL || strcmp (blob_type, type_field) != 0)
    {
      g_autofree char *quoted_blob_type = fleet_quote_value (blob_type != NULL ? blob_type : "",
                                                             MAX_QUOTED_CHARS);
      *out_reason = g_strdup_printf ("the key type field is %s but the key is of type %s",
                                     quoted_type, quoted_blob_type);
      return FALSE;
    }

  line->key_type = g_intern_string (type_field);
  line->key = g_steal_pointer (&key);
  return TRUE;
}

/* Parse one non-comment line into a new KnownHostsLine, or return NULL with
 * the reason it is malformed. */
static KnownHostsLine *
parse_line (const char *text, char **out_reason)
{
  const char *cursor = text;
  g_autofree char *first = next_field (&cursor);
  g_autofree char *hosts = NULL;
  g_autofree char *key_type = NULL;
  g_autofree char *key = NULL;
  KnownHostsLine *line = g_new0 (KnownHostsLine, 1);
  gboolean ok = TRUE;

  if (first[0] == '@')
    {
      ok = parse_marker (first, &line->marker, out_reason);
      hosts = next_field (&cursor);
    }
  else
    hosts = g_steal_pointer (&first);

  if (ok)
    {
      key_type = next_field (&cursor);
      key = next_field (&cursor);
      if (hosts == NULL || key_type == NULL || key == NULL)
        {
          *out_reason = g_strdup ("missing fields; the form is [MARKER] HOSTS KEYTYPE KEY "
                                  "[COMMENT]");
          ok = FALSE;
        }
    }

  ok = ok && parse_key (key_type, key, line, out_reason);

  /* A revoked key is rejected for every host, so the host field of a
   * @revoked line is never matched and need not parse. */
  if (ok && line->marker != MARKER_REVOKED)
    {
      if (hosts[0] == '|')
        ok = (line->hashed = parse_hashed_name (hosts, out_reason)) != NULL;
      else
        ok = (line->patterns = parse_host_patterns (hosts, out_reason)) != NULL;
    }

  if (!ok)
    {
      known_hosts_line_free (line);
      return NULL;
    }
  return line;
}

/* ---- The table ---- */

/* Initialize a lock that lets writers in ahead of waiting readers.  The
 * default glibc rwlock, and so GRWLock, lets new readers in while a writer
 * waits, so a few threads checking keys back to back can keep an
 * accept-new add waiting indefinitely. */
static void
table_lock_init (pthread_rwlock_t *lock)
{
  pthread_rwlockattr_t attributes;

  pthread_rwlockattr_init (&attributes);
#ifdef __GLIBC__
  pthread_rwlockattr_setkind_np (&attributes, PTHREAD_RWLOCK_PREFER_WRITER_NONRECURSIVE_NP);
#endif
  if (pthread_rwlock_init (lock, &attributes) != 0)
    g_error ("cannot initialize a read-write lock");
  pthread_rwlockattr_destroy (&attributes);
}

FleetKnownHosts *
fleet_known_hosts_new (void)
{
  FleetKnownHosts *table = g_new0 (FleetKnownHosts, 1);

  table_lock_init (&table->lock);
  table->files = g_ptr_array_new_with_free_func ((GDestroyNotify) known_hosts_file_free);
  table->lines = g_ptr_array_new_with_free_func ((GDestroyNotify) known_hosts_line_free);
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

static gboolean
line_is_indexable (const KnownHostsLine *line)
{
  if (line->hashed != NULL)
    return FALSE;

  for (guint i = 0; i < line->patterns->len; i++)
    {
      const HostPattern *pattern = &g_array_index (line->patterns, HostPattern, i);

      if (pattern->negated || pattern->wildcard != NULL)
        return FALSE;
    }
  return TRUE;
}

/* Take ownership of `line` and make it visible to checks. */
static void
table_insert_line (FleetKnownHosts *table, KnownHostsLine *line)
{
  line->sequence = table->next_sequence++;
  g_ptr_array_add (table->lines, line);

  if (line->marker == MARKER_REVOKED)
    {
      if (!g_hash_table_contains (table->revoked, line->key))
        g_hash_table_insert (table->revoked, line->key, line);
      return;
    }

  if (!line_is_indexable (line))
    {
      g_ptr_array_add (table->scanned, line);
      return;
    }

  for (guint i = 0; i < line->patterns->len; i++)
    {
      const char *name = g_array_index (line->patterns, HostPattern, i).text;
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

static KnownHostsFile *
table_find_file (FleetKnownHosts *table, const char *path)
{
  for (guint i = 0; i < table->files->len; i++)
    {
      KnownHostsFile *file = g_ptr_array_index (table->files, i);

      if (strcmp (file->path, path) == 0)
        return file;
    }
  return NULL;
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
parse_contents (FleetKnownHosts *table, const KnownHostsFile *file, const char *contents,
                gsize length)
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
      KnownHostsLine *line;
      char *reason = NULL;

      line_number++;
      if (memchr (start, '\0', line_length) != NULL)
        {
          record_malformed (table, file->path, line_number,
                            g_strdup ("the line contains a NUL byte"));
          start += line_length + 1;
          continue;
        }
      text = g_strndup (start, line_length);
      start += line_length + 1;

      g_strchomp (text);
      first = text + strspn (text, " \t");
      if (first[0] == '\0' || first[0] == '#')
        continue;

      line = parse_line (first, &reason);
      if (line == NULL)
        {
          record_malformed (table, file->path, line_number, reason);
          continue;
        }
      line->file = file->path;
      line->line = line_number;
      table_insert_line (table, line);
    }
}

static gboolean
set_io_error (GError **error, const char *what, const char *path, int saved_errno)
{
  g_set_error (error, FLEET_KNOWN_HOSTS_ERROR, FLEET_KNOWN_HOSTS_ERROR_IO,
               "cannot %s known_hosts file %s: %s", what, path, g_strerror (saved_errno));
  return FALSE;
}

/* Read the whole file at `path` into `*out_contents`.  A file that does not
 * exist reads as empty. */
static gboolean
read_known_hosts_file (const char *path, GString **out_contents, GError **error)
{
  g_autoptr(GString) contents = g_string_new (NULL);
  struct stat info;
  int fd = open (path, O_RDONLY | O_CLOEXEC | O_NOCTTY);

  if (fd < 0 && errno == ENOENT)
    {
      *out_contents = g_steal_pointer (&contents);
      return TRUE;
    }
  if (fd < 0)
    return set_io_error (error, "read", path, errno);

  if (fstat (fd, &info) != 0 || S_ISDIR (info.st_mode))
    {
      int saved_errno = S_ISDIR (info.st_mode) ? EISDIR : errno;
      close (fd);
      return set_io_error (error, "read", path, saved_errno);
    }

  for (;;)
    {
      gsize old_length = contents->len;
      ssize_t count;

      g_string_set_size (contents, old_length + READ_CHUNK_BYTES);
      count = read (fd, contents->str + old_length, READ_CHUNK_BYTES);
      g_string_set_size (contents, old_length + MAX (count, 0));
      if (count < 0 && errno == EINTR)
        continue;
      if (count < 0)
        {
          int saved_errno = errno;
          close (fd);
          return set_io_error (error, "read", path, saved_errno);
        }
      if (count == 0)
        break;
      if (contents->len > FLEET_KNOWN_HOSTS_MAX_FILE_BYTES)
        {
          close (fd);
          g_set_error (error, FLEET_KNOWN_HOSTS_ERROR, FLEET_KNOWN_HOSTS_ERROR_IO,
                       "cannot read known_hosts file %s: it is larger than %u MiB, which no "
                       "known_hosts file needs; check the known_hosts_file setting", path,
                       FLEET_KNOWN_HOSTS_MAX_FILE_BYTES / (1024 * 1024));
          return FALSE;
        }
    }

  close (fd);
  *out_contents = g_steal_pointer (&contents);
  return TRUE;
}

static guint64
count_newlines (const char *data, gsize length)
{
  guint64 count = 0;
  const char *end = data + length;

  while ((data = memchr (data, '\n', end - data)) != NULL)
    {
      count++;
      data++;
    }
  return count;
}

static gboolean
table_load_locked (FleetKnownHosts *table, const char *path, GError **error)
{
  g_autoptr(GString) contents = NULL;
  KnownHostsFile *file;

  if (table_find_file (table, path) != NULL)
    return TRUE;
  if (!read_known_hosts_file (path, &contents, error))
    return FALSE;

  file = g_new0 (KnownHostsFile, 1);
  file->path = g_strdup (path);
  file->size = contents->len;
  file->newlines = count_newlines (contents->str, contents->len);
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

/* ---- Matching ---- */

static gboolean
line_applies (const KnownHostsLine *line, const char *name, EVP_MD_CTX *work)
{
  gboolean positive = FALSE;

  if (line->hashed != NULL)
    return hashed_name_matches (line->hashed, work, name);

  for (guint i = 0; i < line->patterns->len; i++)
    {
      HostPattern *pattern = &g_array_index (line->patterns, HostPattern, i);
      gboolean matched = pattern->wildcard != NULL
                           ? g_pattern_spec_match_string (pattern->wildcard, name)
                           : strcmp (pattern->text, name) == 0;

      if (matched && pattern->negated)
        return FALSE;
      positive = positive || matched;
    }
  return positive;
}

static gint
compare_load_order (gconstpointer a, gconstpointer b)
{
  const KnownHostsLine *first = *(const KnownHostsLine * const *) a;
  const KnownHostsLine *second = *(const KnownHostsLine * const *) b;

  return (first->sequence > second->sequence) - (first->sequence < second->sequence);
}

/* Return the plain and @cert-authority lines that apply to the lookup name
 * `name`, in load order; the lines are borrowed. */
static GPtrArray *
find_host_lines (FleetKnownHosts *table, const char *name)
{
  GPtrArray *found = g_ptr_array_new ();
  GPtrArray *indexed = g_hash_table_lookup (table->by_name, name);
  EVP_MD_CTX *work = EVP_MD_CTX_new ();

  if (work == NULL)
    g_error ("OpenSSL failed to allocate a digest context");

  if (indexed != NULL)
    g_ptr_array_extend (found, indexed, NULL, NULL);

  for (guint i = 0; i < table->scanned->len; i++)
    {
      KnownHostsLine *line = g_ptr_array_index (table->scanned, i);

      if (line_applies (line, name, work))
        g_ptr_array_add (found, line);
    }

  EVP_MD_CTX_free (work);
  g_ptr_array_sort (found, compare_load_order);
  return found;
}

static void
decide_verdict (FleetKnownHosts *table, FleetHostKeyCheck *check, GBytes *key)
{
  const KnownHostsLine *revoking = g_hash_table_lookup (table->revoked, key);
  g_autoptr(GPtrArray) lines = NULL;
  gboolean same_type_recorded = FALSE;

  if (revoking != NULL)
    {
      check->verdict = FLEET_HOST_KEY_REVOKED;
      check->entry = entry_new (revoking);
      return;
    }

  lines = find_host_lines (table, check->lookup_name);
  for (guint i = 0; i < lines->len; i++)
    {
      const KnownHostsLine *line = g_ptr_array_index (lines, i);

      if (line->marker == MARKER_NONE && g_bytes_equal (line->key, key))
        {
          check->verdict = FLEET_HOST_KEY_MATCH;
          check->entry = entry_new (line);
          return;
        }
    }

  for (guint i = 0; i < lines->len; i++)
    {
      const KnownHostsLine *line = g_ptr_array_index (lines, i);

      if (line->marker != MARKER_NONE)
        continue;
      g_ptr_array_add (check->recorded, entry_new (line));
      same_type_recorded = same_type_recorded
                           || strcmp (line->key_type, check->presented_key_type) == 0;
    }
  if (check->recorded->len > 0)
    {
      check->verdict = FLEET_HOST_KEY_CHANGED;
      check->other_types_only = !same_type_recorded;
      return;
    }

  /* A @cert-authority key is never a host key: it only signs certificates,
   * which fleetc cannot verify. */
  for (guint i = 0; i < lines->len; i++)
    {
      const KnownHostsLine *line = g_ptr_array_index (lines, i);

      if (line->marker == MARKER_CERT_AUTHORITY)
        g_ptr_array_add (check->recorded, entry_new (line));
    }
  check->verdict = check->recorded->len > 0 ? FLEET_HOST_KEY_CERT_AUTHORITY_UNSUPPORTED
                                            : FLEET_HOST_KEY_UNKNOWN;
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
                            ((const KnownHostsFile *) g_ptr_array_index (files, i))->path);
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

  if (!validate_key (key_type, blob, blob_length, error))
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
      const KnownHostsLine *line = g_ptr_array_index (lines, i);

      /* Key types are interned, so equal names are equal pointers. */
      if (line->marker == MARKER_NONE && !g_ptr_array_find (types, line->key_type, NULL))
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

/* Return the table record for a new line that names `lookup_name`, and its
 * text, ending with a newline, in `*out_text`. */
static KnownHostsLine *
new_line_for_host (const char *lookup_name, const char *key_type, GBytes *key, gboolean hash,
                   char **out_text, GError **error)
{
  KnownHostsLine *line = g_new0 (KnownHostsLine, 1);
  g_autofree char *key_text = g_base64_encode (g_bytes_get_data (key, NULL),
                                               g_bytes_get_size (key));
  g_autofree char *name_text = NULL;

  line->key_type = g_intern_string (key_type);
  line->key = g_bytes_ref (key);

  if (hash)
    {
      guint8 salt[HASH_BYTES];
      g_autofree char *salt_text = NULL;
      g_autofree char *hash_text = NULL;
      EVP_MD_CTX *work = EVP_MD_CTX_new ();
      gboolean computed;

      computed = work != NULL && RAND_bytes (salt, sizeof salt) == 1
                 && (line->hashed = hashed_name_new (salt, NULL)) != NULL
                 && hashed_name_compute (line->hashed, work, lookup_name, line->hashed->hash);
      EVP_MD_CTX_free (work);
      if (!computed)
        {
          known_hosts_line_free (line);
          g_set_error (error, FLEET_KNOWN_HOSTS_ERROR, FLEET_KNOWN_HOSTS_ERROR_IO,
                       "OpenSSL failed to hash the host name %s", lookup_name);
          return NULL;
        }

      salt_text = g_base64_encode (salt, sizeof salt);
      hash_text = g_base64_encode (line->hashed->hash, HASH_BYTES);
      name_text = g_strconcat (HASH_MAGIC, salt_text, "|", hash_text, NULL);
    }
  else
    {
      HostPattern pattern = { .text = g_strdup (lookup_name) };

      line->patterns = g_array_new (FALSE, TRUE, sizeof (HostPattern));
      g_array_set_clear_func (line->patterns, host_pattern_clear);
      g_array_append_val (line->patterns, pattern);
      name_text = g_strdup (lookup_name);
    }

  *out_text = g_strdup_printf ("%s %s %s\n", name_text, key_type, key_text);
  return line;
}

/* Count the newlines in bytes [start, end) of `fd` into `*out_count`. */
static gboolean
count_file_newlines (int fd, const char *path, guint64 start, guint64 end, guint64 *out_count,
                     GError **error)
{
  g_autofree char *buffer = g_malloc (READ_CHUNK_BYTES);
  guint64 count = 0;

  while (start < end)
    {
      ssize_t length = pread (fd, buffer, MIN (READ_CHUNK_BYTES, end - start), start);

      if (length < 0 && errno == EINTR)
        continue;
      if (length <= 0)
        return set_io_error (error, "read", path, length < 0 ? errno : EIO);
      count += count_newlines (buffer, length);
      start += length;
    }
  *out_count = count;
  return TRUE;
}

/* Return whether the file open as `fd` is non-empty and does not end with
 * a newline, so that an appended line needs one in front. */
static gboolean
needs_leading_newline (int fd)
{
  struct stat info;
  char last = '\n';

  if (fstat (fd, &info) != 0 || info.st_size == 0)
    return FALSE;
  return pread (fd, &last, 1, info.st_size - 1) == 1 && last != '\n';
}

/* Sync the directory that holds a file just created, so that its entry
 * survives a crash.  The line is already written, so a failure is only
 * logged. */
static void
sync_parent_directory (const char *path)
{
  g_autofree char *directory = g_path_get_dirname (path);
  int fd = open (directory, O_RDONLY | O_DIRECTORY | O_CLOEXEC);

  if (fd < 0 || fsync (fd) != 0)
    g_warning ("cannot sync directory %s after creating %s: %s", directory, path,
               g_strerror (errno));
  if (fd >= 0)
    close (fd);
}

/* Append `text` to `file` with one write(2) and sync it.  Sets
 * `*out_line_number` to the line the text starts on. */
static gboolean
append_line (KnownHostsFile *file, const char *text, guint *out_line_number, GError **error)
{
  g_autofree char *directory = g_path_get_dirname (file->path);
  g_autofree char *data = NULL;
  gboolean existed = g_file_test (file->path, G_FILE_TEST_EXISTS);
  gboolean leading_newline;
  gsize length;
  ssize_t written;
  off_t end;
  guint64 newlines_before = 0;
  int fd;

  if (g_mkdir_with_parents (directory, 0700) != 0)
    return set_io_error (error, "create the directory of", file->path, errno);

  /* O_RDWR rather than O_WRONLY: the line number is found with pread(). */
  fd = open (file->path, O_RDWR | O_CREAT | O_APPEND | O_CLOEXEC | O_NOCTTY, 0600);
  if (fd < 0)
    return set_io_error (error, "open", file->path, errno);

  leading_newline = needs_leading_newline (fd);
  data = g_strconcat (leading_newline ? "\n" : "", text, NULL);
  length = strlen (data);

  /* One write(2) with O_APPEND puts the whole line at the end of the file
   * even when other writers append at the same time; retrying a short write
   * could let their lines in between. */
  do
    written = write (fd, data, length);
  while (written < 0 && errno == EINTR);
  if (written != (ssize_t) length)
    {
      int saved_errno = written < 0 ? errno : EIO;
      close (fd);
      if (written > 0)
        g_set_error (error, FLEET_KNOWN_HOSTS_ERROR, FLEET_KNOWN_HOSTS_ERROR_IO,
                     "cannot append to known_hosts file %s: only %zd of %zu bytes were "
                     "written; remove the incomplete last line", file->path, written, length);
      else
        set_io_error (error, "append to", file->path, saved_errno);
      return FALSE;
    }

  end = lseek (fd, 0, SEEK_CUR);
  if (fsync (fd) != 0 || end < 0)
    {
      int saved_errno = errno;
      close (fd);
      return set_io_error (error, "sync", file->path, saved_errno);
    }

  /* Other processes may have appended since the table last saw the file,
   * or rewritten it (ssh-keygen -R); count the newlines the table has not
   * seen. */
  if ((guint64) end - length >= file->size)
    {
      if (!count_file_newlines (fd, file->path, file->size, end - length, &newlines_before, error))
        {
          close (fd);
          return FALSE;
        }
      newlines_before += file->newlines;
    }
  else if (!count_file_newlines (fd, file->path, 0, end - length, &newlines_before, error))
    {
      close (fd);
      return FALSE;
    }
  close (fd);

  if (!existed)
    sync_parent_directory (file->path);

  file->size = end;
  file->newlines = newlines_before + (leading_newline ? 1 : 0) + 1;
  *out_line_number = file->newlines;
  return TRUE;
}

/* Add the line `text` for `key` to the file at `path` unless the host has
 * lines already; the caller holds the table's lock. */
static gboolean
table_add_locked (FleetKnownHosts *table, const char *path, const char *host, guint16 port,
                  GBytes *key, KnownHostsLine *new_line, const char *text, GError **error)
{
  g_autoptr(KnownHostsLine) line = new_line;
  g_autoptr(FleetHostKeyCheck) check = NULL;
  KnownHostsFile *file;

  if (!table_load_locked (table, path, error))
    return FALSE;
  file = table_find_file (table, path);

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

  if (!append_line (file, text, &line->line, error))
    return FALSE;
  line->file = file->path;
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
  KnownHostsLine *line;
  gboolean added;

  g_return_val_if_fail (table != NULL && path != NULL && host != NULL && key_type != NULL
                          && blob != NULL, FALSE);

  if (!is_valid_host_name (host))
    {
      g_autofree char *quoted = fleet_quote_value (host, MAX_QUOTED_CHARS);
      g_set_error (error, FLEET_KNOWN_HOSTS_ERROR, FLEET_KNOWN_HOSTS_ERROR_INVALID_HOST,
                   "cannot add host %s to known_hosts file %s: a host name there may contain "
                   "only letters, digits and the characters .-_:%%", quoted, path);
      return FALSE;
    }
  if (!validate_key (key_type, blob, blob_length, error))
    {
      g_prefix_error (error, "cannot add the host key of %s to %s: ", host, path);
      return FALSE;
    }

  key = g_bytes_new (blob, blob_length);
  lookup_name = make_lookup_name (host, port);
  line = new_line_for_host (lookup_name, key_type, key, hash, &text, error);
  if (line == NULL)
    return FALSE;

  pthread_rwlock_wrlock (&table->lock);
  added = table_add_locked (table, path, host, port, key, line, text, error);
  pthread_rwlock_unlock (&table->lock);
  return added;
}
