/* fleet-host-record.c: the fields of a host, for plans and the inventory
 * digest (fleet-host-record.h). */
#include "schema/fleet-host-record.h"

#include <string.h>

#include <openssl/evp.h>

/* Names the digest encoding; a new encoding gets a new name. */
#define DIGEST_DOMAIN "fleetc resolved inventory, encoding 2\n"

/* Bytes gathered before each EVP_DigestUpdate call. */
#define DIGEST_BUFFER_BYTES 65536

void
fleet_host_visit_fields (const FleetHost *host, const FleetHostFieldVisitor *visitor,
                         gpointer data)
{
  g_autofree const char **keys = fleet_host_sorted_attribute_keys (host);

  visitor->string ("name", host->name, data);
  visitor->string ("address", host->address, data);
  visitor->uint16 ("port", host->port, data);
  visitor->string ("user", host->user, data);
  visitor->strings ("identity-files", host->identity_files, data);
  visitor->boolean ("identities-only", host->identities_only, data);
  visitor->strings ("known-hosts-files", host->known_hosts_files, data);
  visitor->string ("host-key-policy", fleet_host_key_policy_to_string (host->host_key_policy),
                   data);
  /* Only when set, so that plans and digests of hosts without it keep
   * their encoding. */
  if (host->hash_known_hosts)
    visitor->boolean ("hash-known-hosts", TRUE, data);
  visitor->string ("proxy-jump", host->proxy_jump, data);
  visitor->uint32 ("connect-timeout-ms", host->connect_timeout_ms, data);
  visitor->uint32 ("keepalive-interval-ms", host->keepalive_interval_ms, data);
  visitor->uint32 ("keepalive-count-max", host->keepalive_count_max, data);
  /* Only a limit other than sshd's default is a field, so the plan and the
   * digest of an inventory that does not set it lack the key. */
  if (host->max_sessions != FLEET_DEFAULT_MAX_SESSIONS)
    visitor->uint32 ("max-sessions", host->max_sessions, data);
  visitor->string ("key-passphrase-secret", host->key_passphrase_secret, data);
  visitor->string ("become-password-secret", host->become_password_secret, data);
  visitor->pairs ("attributes", (const char * const *) keys, host->attributes, data);
  visitor->strings ("groups", host->groups, data);
}

/* The plan form: a GVariantBuilder of type a{sv}. */

static void
variant_string (const char *key, const char *value, gpointer data)
{
  if (value != NULL)
    g_variant_builder_add (data, "{sv}", key, g_variant_new_string (value));
}

static void
variant_uint16 (const char *key, guint16 value, gpointer data)
{
  g_variant_builder_add (data, "{sv}", key, g_variant_new_uint16 (value));
}

static void
variant_uint32 (const char *key, guint32 value, gpointer data)
{
  g_variant_builder_add (data, "{sv}", key, g_variant_new_uint32 (value));
}

static void
variant_boolean (const char *key, gboolean value, gpointer data)
{
  g_variant_builder_add (data, "{sv}", key, g_variant_new_boolean (value));
}

static void
variant_strings (const char *key, const GPtrArray *values, gpointer data)
{
  g_variant_builder_add (data, "{sv}", key,
                         g_variant_new_strv ((const char * const *) values->pdata, values->len));
}

static void
variant_pairs (const char *key, const char * const *keys, GHashTable *table, gpointer data)
{
  GVariantBuilder pairs;

  g_variant_builder_init (&pairs, G_VARIANT_TYPE ("a{ss}"));
  for (const char * const *name = keys; *name != NULL; name++)
    g_variant_builder_add (&pairs, "{ss}", *name, (const char *) g_hash_table_lookup (table, *name));
  g_variant_builder_add (data, "{sv}", key, g_variant_builder_end (&pairs));
}

static const FleetHostFieldVisitor variant_visitor = {
  variant_string, variant_uint16, variant_uint32, variant_boolean, variant_strings, variant_pairs,
};

GVariant *
fleet_host_to_variant (const FleetHost *host)
{
  GVariantBuilder builder;

  g_variant_builder_init (&builder, G_VARIANT_TYPE_VARDICT);
  fleet_host_visit_fields (host, &variant_visitor, &builder);
  return g_variant_builder_end (&builder);
}

/* The digest: each field as its key, a kind letter and its value, every
 * string and count preceded by its length as 4 big-endian bytes, so that
 * no two different inventories encode to the same bytes. */

typedef struct {
  EVP_MD_CTX *context;
  GByteArray *buffer;
} DigestStream;

static void
stream_flush (DigestStream *stream)
{
  if (stream->buffer->len == 0)
    return;
  if (!EVP_DigestUpdate (stream->context, stream->buffer->data, stream->buffer->len))
    g_error ("OpenSSL SHA-256 update failed");
  g_byte_array_set_size (stream->buffer, 0);
}

static void
stream_bytes (DigestStream *stream, const void *bytes, gsize length)
{
  g_byte_array_append (stream->buffer, bytes, length);
  if (stream->buffer->len >= DIGEST_BUFFER_BYTES)
    stream_flush (stream);
}

static void
stream_count (DigestStream *stream, gsize count)
{
  guint32 big_endian;

  g_assert (count <= G_MAXUINT32);
  big_endian = GUINT32_TO_BE ((guint32) count);
  stream_bytes (stream, &big_endian, sizeof big_endian);
}

static void
stream_text (DigestStream *stream, const char *text)
{
  gsize length = strlen (text);

  stream_count (stream, length);
  stream_bytes (stream, text, length);
}

static void
stream_field (DigestStream *stream, const char *key, char kind)
{
  stream_text (stream, key);
  stream_bytes (stream, &kind, 1);
}

static void
digest_string (const char *key, const char *value, gpointer data)
{
  stream_field (data, key, value != NULL ? 's' : 'n');
  if (value != NULL)
    stream_text (data, value);
}

static void
digest_uint16 (const char *key, guint16 value, gpointer data)
{
  stream_field (data, key, 'q');
  stream_count (data, value);
}

static void
digest_uint32 (const char *key, guint32 value, gpointer data)
{
  stream_field (data, key, 'u');
  stream_count (data, value);
}

static void
digest_boolean (const char *key, gboolean value, gpointer data)
{
  stream_field (data, key, 'b');
  stream_count (data, value ? 1 : 0);
}

static void
digest_strings (const char *key, const GPtrArray *values, gpointer data)
{
  stream_field (data, key, 'a');
  stream_count (data, values->len);
  for (guint i = 0; i < values->len; i++)
    stream_text (data, g_ptr_array_index (values, i));
}

static void
digest_pairs (const char *key, const char * const *keys, GHashTable *table, gpointer data)
{
  guint n = 0;

  while (keys[n] != NULL)
    n++;
  stream_field (data, key, 'm');
  stream_count (data, n);
  for (guint i = 0; i < n; i++)
    {
      stream_text (data, keys[i]);
      stream_text (data, g_hash_table_lookup (table, keys[i]));
    }
}

static const FleetHostFieldVisitor digest_visitor = {
  digest_string, digest_uint16, digest_uint32, digest_boolean, digest_strings, digest_pairs,
};

static void
stream_hosts (DigestStream *stream, const GPtrArray *hosts)
{
  stream_count (stream, hosts->len);
  for (guint i = 0; i < hosts->len; i++)
    {
      stream_bytes (stream, "H", 1);
      fleet_host_visit_fields (g_ptr_array_index (hosts, i), &digest_visitor, stream);
    }
}

char *
fleet_hosts_digest (const GPtrArray *hosts, const GPtrArray *jump_hosts)
{
  DigestStream stream = { EVP_MD_CTX_new (), g_byte_array_sized_new (DIGEST_BUFFER_BYTES) };
  unsigned char digest[EVP_MAX_MD_SIZE];
  unsigned int length = 0;
  GString *hex = g_string_new (NULL);

  if (stream.context == NULL || !EVP_DigestInit_ex (stream.context, EVP_sha256 (), NULL))
    g_error ("OpenSSL SHA-256 is not available");

  stream_bytes (&stream, DIGEST_DOMAIN, strlen (DIGEST_DOMAIN));
  stream_hosts (&stream, hosts);
  stream_hosts (&stream, jump_hosts);
  stream_flush (&stream);

  if (!EVP_DigestFinal_ex (stream.context, digest, &length))
    g_error ("OpenSSL SHA-256 final failed");
  EVP_MD_CTX_free (stream.context);
  g_byte_array_unref (stream.buffer);

  for (unsigned int i = 0; i < length; i++)
    g_string_append_printf (hex, "%02x", digest[i]);
  return g_string_free (hex, FALSE);
}
