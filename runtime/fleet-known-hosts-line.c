/* fleet-known-hosts-line.c: one known_hosts line: parsing it, and matching
 * a lookup name against its host patterns or hashed name. */
#include "runtime/fleet-known-hosts-private.h"

#include <string.h>

#include "schema/fleet-diagnostics.h"

#define HASH_MAGIC "|1|"
#define HASH_BYTES 20              /* SHA-1 digest length, which OpenSSH also requires of salts */
#define SHA1_BLOCK_BYTES 64
#define MAX_KEY_TYPE_LENGTH 64

/* A hashed host name with the HMAC-SHA1 key already absorbed (RFC 2104):
 * `inner` has hashed (salt XOR ipad) and `outer` (salt XOR opad), so every
 * check copies these states rather than keying an HMAC per hashed line.
 * GChecksum, unlike OpenSSL's digest contexts, cannot fail, and the
 * states are only read after set-up, so threads may match at once. */
struct FleetHashedName {
  GChecksum *inner;
  GChecksum *outer;
  guint8 hash[HASH_BYTES];
};

/* ---- Keys ---- */

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

gboolean
fleet_known_hosts_validate_key (const char *key_type, const guint8 *blob, gsize blob_length,
                                GError **error)
{
  g_autofree char *blob_type = blob_key_type (blob, blob_length);

  if (blob_type == NULL || !is_valid_key_type (key_type) || strcmp (blob_type, key_type) != 0)
    {
      g_autofree char *quoted = fleet_quote_value (key_type, FLEET_KNOWN_HOSTS_MAX_QUOTED_CHARS);
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
  FleetHostPattern *pattern = data;

  g_free (pattern->text);
  if (pattern->wildcard != NULL)
    g_pattern_spec_free (pattern->wildcard);
}

static void
hashed_name_free (FleetHashedName *hashed)
{
  if (hashed == NULL)
    return;
  g_checksum_free (hashed->inner);
  g_checksum_free (hashed->outer);
  g_free (hashed);
}

static GChecksum *
absorb_key_pad (const guint8 *salt, guint8 pad_byte)
{
  GChecksum *context = g_checksum_new (G_CHECKSUM_SHA1);
  guint8 block[SHA1_BLOCK_BYTES];

  memset (block, pad_byte, sizeof block);
  for (gsize i = 0; i < HASH_BYTES; i++)
    block[i] ^= salt[i];
  g_checksum_update (context, block, sizeof block);
  return context;
}

/* Return the HMAC state for `salt` (HASH_BYTES long) and, unless it is
 * NULL, the expected `hash`. */
static FleetHashedName *
hashed_name_new (const guint8 *salt, const guint8 *hash)
{
  FleetHashedName *hashed = g_new0 (FleetHashedName, 1);

  hashed->inner = absorb_key_pad (salt, 0x36);
  hashed->outer = absorb_key_pad (salt, 0x5c);
  if (hash != NULL)
    memcpy (hashed->hash, hash, HASH_BYTES);
  return hashed;
}

/* Compute HMAC-SHA1 of `name` into `out`. */
static void
hashed_name_compute (const FleetHashedName *hashed, const char *name, guint8 out[HASH_BYTES])
{
  g_autoptr(GChecksum) inner = g_checksum_copy (hashed->inner);
  g_autoptr(GChecksum) outer = g_checksum_copy (hashed->outer);
  guint8 inner_digest[HASH_BYTES];
  gsize length = HASH_BYTES;

  g_checksum_update (inner, (const guchar *) name, strlen (name));
  g_checksum_get_digest (inner, inner_digest, &length);
  g_checksum_update (outer, inner_digest, sizeof inner_digest);
  length = HASH_BYTES;
  g_checksum_get_digest (outer, out, &length);
}

static gboolean
hashed_name_matches (const FleetHashedName *hashed, const char *name)
{
  guint8 computed[HASH_BYTES];

  hashed_name_compute (hashed, name, computed);
  return memcmp (computed, hashed->hash, HASH_BYTES) == 0;
}

void
fleet_known_hosts_line_free (FleetKnownHostsLine *line)
{
  if (line == NULL)
    return;
  if (line->patterns != NULL)
    g_array_unref (line->patterns);
  hashed_name_free (line->hashed);
  g_bytes_unref (line->key);
  g_free (line);
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
parse_marker (const char *field, FleetKnownHostsMarker *out_marker, char **out_reason)
{
  if (strcmp (field, "@revoked") == 0)
    *out_marker = FLEET_KNOWN_HOSTS_MARKER_REVOKED;
  else if (strcmp (field, "@cert-authority") == 0)
    *out_marker = FLEET_KNOWN_HOSTS_MARKER_CERT_AUTHORITY;
  else
    {
      g_autofree char *quoted = fleet_quote_value (field, FLEET_KNOWN_HOSTS_MAX_QUOTED_CHARS);
      *out_reason = g_strdup_printf ("unknown marker %s; the known markers are @revoked and "
                                     "@cert-authority", quoted);
      return FALSE;
    }
  return TRUE;
}

/* Parse "|1|SALT|HASH", where SALT and HASH are base64 of HASH_BYTES each. */
static FleetHashedName *
parse_hashed_name (const char *field, char **out_reason)
{
  const char *salt_text = field + strlen (HASH_MAGIC);
  const char *separator;
  g_autoptr(GBytes) salt = NULL;
  g_autoptr(GBytes) hash = NULL;

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

  return hashed_name_new (g_bytes_get_data (salt, NULL), g_bytes_get_data (hash, NULL));
}

static GArray *
parse_host_patterns (const char *field, char **out_reason)
{
  g_autoptr(GArray) patterns = g_array_new (FALSE, TRUE, sizeof (FleetHostPattern));
  g_auto(GStrv) parts = g_strsplit (field, ",", -1);

  g_array_set_clear_func (patterns, host_pattern_clear);
  for (char **part = parts; *part != NULL; part++)
    {
      FleetHostPattern pattern = { 0 };
      const char *text = *part;

      pattern.negated = text[0] == '!';
      if (pattern.negated)
        text++;
      if (text[0] == '\0')
        {
          g_autofree char *quoted = fleet_quote_value (field, FLEET_KNOWN_HOSTS_MAX_QUOTED_CHARS);
          *out_reason = g_strdup_printf ("empty host pattern in %s", quoted);
          return NULL;
        }

      /* GPatternSpec works on UTF-8 and aborts on anything else. */
      if (strpbrk (text, "*?") != NULL && !g_utf8_validate (text, -1, NULL))
        {
          g_autofree char *quoted = fleet_quote_value (text, FLEET_KNOWN_HOSTS_MAX_QUOTED_CHARS);
          *out_reason = g_strdup_printf ("host pattern %s has a wildcard but is not valid UTF-8",
                                         quoted);
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
parse_key (const char *type_field, const char *key_field, FleetKnownHostsLine *line,
           char **out_reason)
{
  g_autofree char *quoted_type = fleet_quote_value (type_field,
                                                    FLEET_KNOWN_HOSTS_MAX_QUOTED_CHARS);
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
                                                             FLEET_KNOWN_HOSTS_MAX_QUOTED_CHARS);
      *out_reason = g_strdup_printf ("the key type field is %s but the key is of type %s",
                                     quoted_type, quoted_blob_type);
      return FALSE;
    }

  line->key_type = g_intern_string (type_field);
  line->key = g_steal_pointer (&key);
  return TRUE;
}

FleetKnownHostsLine *
fleet_known_hosts_line_parse (const char *text, char **out_reason)
{
  const char *cursor = text;
  g_autofree char *first = next_field (&cursor);
  g_autofree char *hosts = NULL;
  g_autofree char *key_type = NULL;
  g_autofree char *key = NULL;
  g_autoptr(FleetKnownHostsLine) line = g_new0 (FleetKnownHostsLine, 1);

  g_return_val_if_fail (first != NULL, NULL);

  if (first[0] == '@' && !parse_marker (first, &line->marker, out_reason))
    return NULL;
  hosts = first[0] == '@' ? next_field (&cursor) : g_steal_pointer (&first);
  key_type = next_field (&cursor);
  key = next_field (&cursor);
  if (hosts == NULL || key_type == NULL || key == NULL)
    {
      *out_reason = g_strdup ("missing fields; the form is [MARKER] HOSTS KEYTYPE KEY [COMMENT]");
      return NULL;
    }

  if (!parse_key (key_type, key, line, out_reason))
    return NULL;

  /* A revoked key is rejected for every host, so the host field of a
   * @revoked line is never matched and need not parse. */
  if (line->marker == FLEET_KNOWN_HOSTS_MARKER_REVOKED)
    return g_steal_pointer (&line);

  if (hosts[0] == '|')
    line->hashed = parse_hashed_name (hosts, out_reason);
  else
    line->patterns = parse_host_patterns (hosts, out_reason);
  if (line->hashed == NULL && line->patterns == NULL)
    return NULL;
  return g_steal_pointer (&line);
}

gboolean
fleet_known_hosts_line_is_indexable (const FleetKnownHostsLine *line)
{
  if (line->hashed != NULL)
    return FALSE;

  for (guint i = 0; i < line->patterns->len; i++)
    {
      const FleetHostPattern *pattern = &g_array_index (line->patterns, FleetHostPattern, i);

      if (pattern->negated || pattern->wildcard != NULL)
        return FALSE;
    }
  return TRUE;
}

/* ---- Matching ---- */

gboolean
fleet_known_hosts_line_applies (const FleetKnownHostsLine *line, const char *name)
{
  gboolean positive = FALSE;

  if (line->hashed != NULL)
    return hashed_name_matches (line->hashed, name);

  for (guint i = 0; i < line->patterns->len; i++)
    {
      FleetHostPattern *pattern = &g_array_index (line->patterns, FleetHostPattern, i);
      gboolean matched = pattern->wildcard != NULL
                           ? g_pattern_spec_match_string (pattern->wildcard, name)
                           : strcmp (pattern->text, name) == 0;

      if (matched && pattern->negated)
        return FALSE;
      positive = positive || matched;
    }
  return positive;
}

FleetKnownHostsLine *
fleet_known_hosts_line_new_for_host (const char *lookup_name, const char *key_type, GBytes *key,
                                     gboolean hash, char **out_text)
{
  FleetKnownHostsLine *line = g_new0 (FleetKnownHostsLine, 1);
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

      /* A salt must differ between lines, not stay secret: the file stores
       * it next to the hash. */
      for (gsize i = 0; i < sizeof salt; i++)
        salt[i] = (guint8) g_random_int_range (0, 256);
      line->hashed = hashed_name_new (salt, NULL);
      hashed_name_compute (line->hashed, lookup_name, line->hashed->hash);

      salt_text = g_base64_encode (salt, sizeof salt);
      hash_text = g_base64_encode (line->hashed->hash, HASH_BYTES);
      name_text = g_strconcat (HASH_MAGIC, salt_text, "|", hash_text, NULL);
    }
  else
    {
      FleetHostPattern pattern = { .text = g_strdup (lookup_name) };

      line->patterns = g_array_new (FALSE, TRUE, sizeof (FleetHostPattern));
      g_array_set_clear_func (line->patterns, host_pattern_clear);
      g_array_append_val (line->patterns, pattern);
      name_text = g_strdup (lookup_name);
    }

  *out_text = g_strdup_printf ("%s %s %s\n", name_text, key_type, key_text);
  return line;
}

