/* fleet-plan-signature.c: the signature block, signing, and the approval
 * check of fleet-run --require-signature. */
#include "schema/fleet-plan-signature.h"

#include <string.h>

G_DEFINE_QUARK (fleet-signature-error-quark, fleet_signature_error)

/* Public key, signature and comment length. */
#define RECORD_FIXED_LENGTH \
  (FLEET_ED25519_PUBLIC_KEY_LENGTH + FLEET_ED25519_SIGNATURE_LENGTH + 2)

/* Approver fingerprints listed in a message before "and N more". */
#define MAX_LISTED_APPROVERS 4

void
fleet_plan_signature_free (FleetPlanSignature *signature)
{
  if (signature == NULL)
    return;

  g_free (signature->comment);
  g_free (signature->fingerprint);
  g_free (signature);
}

const char *
fleet_signature_comment_problem (const char *comment)
{
  if (strlen (comment) > FLEET_SIGNATURE_MAX_COMMENT)
    return "it is longer than 256 bytes";
  if (!g_utf8_validate (comment, -1, NULL))
    return "it is not valid UTF-8";

  for (const char *p = comment; *p != '\0'; p = g_utf8_next_char (p))
    {
      gunichar c = g_utf8_get_char (p);

      if (c < 0x20 || c == 0x7f || (c >= 0x80 && c <= 0x9f) || c == 0x200e || c == 0x200f
          || (c >= 0x202a && c <= 0x202e) || (c >= 0x2066 && c <= 0x2069))
        return "it contains a control character or a bidirectional override";
    }

  return NULL;
}

/* Return the message that a signature with `comment` signs. */
static GBytes *
signed_message (const guint8 plan_digest[FLEET_PLAN_DIGEST_LENGTH], const char *comment)
{
  GByteArray *message = g_byte_array_new ();

  /* sizeof includes the context string's NUL, which ends it unambiguously. */
  g_byte_array_append (message, (const guint8 *) FLEET_SIGNATURE_CONTEXT,
                       sizeof FLEET_SIGNATURE_CONTEXT);
  g_byte_array_append (message, plan_digest, FLEET_PLAN_DIGEST_LENGTH);
  g_byte_array_append (message, (const guint8 *) comment, strlen (comment));
  return g_byte_array_free_to_bytes (message);
}

static void
check_signature (FleetPlanSignature *signature, const guint8 plan_digest[FLEET_PLAN_DIGEST_LENGTH])
{
  g_autoptr(GBytes) message = signed_message (plan_digest, signature->comment);

  signature->valid = fleet_ed25519_verify (signature->public_key,
                                           g_bytes_get_data (message, NULL),
                                           g_bytes_get_size (message), signature->signature);
}

/* Reading. */

static guint32
read_be32 (const guint8 *data)
{
  guint32 value;

  memcpy (&value, data, 4);
  return GUINT32_FROM_BE (value);
}

static gboolean
block_truncated (gsize length, GError **error)
{
  g_set_error (error, FLEET_PLAN_ERROR, FLEET_PLAN_ERROR_TRUNCATED,
               "plan file is truncated: its signature block ends after %" G_GSIZE_FORMAT
               " bytes, before the signatures it announces; copy it again from the signer",
               length);
  return FALSE;
}

static gboolean
block_corrupt (const char *problem, GError **error)
{
  g_set_error (error, FLEET_PLAN_ERROR, FLEET_PLAN_ERROR_CORRUPT,
               "plan file is corrupted: %s; copy it again from the signer", problem);
  return FALSE;
}

/* Read the signature at `*offset`, moving it past the record. */
static FleetPlanSignature *
read_record (const guint8 *data, gsize length, gsize *offset, GError **error)
{
  g_autoptr(FleetPlanSignature) signature = g_new0 (FleetPlanSignature, 1);
  const guint8 *record = data + *offset;
  gsize comment_length;
  const char *problem;

  if (length - *offset < RECORD_FIXED_LENGTH)
    {
      block_truncated (length, error);
      return NULL;
    }

  memcpy (signature->public_key, record, FLEET_ED25519_PUBLIC_KEY_LENGTH);
  memcpy (signature->signature, record + FLEET_ED25519_PUBLIC_KEY_LENGTH,
          FLEET_ED25519_SIGNATURE_LENGTH);
  comment_length = ((gsize) record[RECORD_FIXED_LENGTH - 2] << 8) | record[RECORD_FIXED_LENGTH - 1];
  if (comment_length > FLEET_SIGNATURE_MAX_COMMENT)
    {
      block_corrupt ("a signature comment is longer than 256 bytes", error);
      return NULL;
    }
  if (length - *offset - RECORD_FIXED_LENGTH < comment_length)
    {
      block_truncated (length, error);
      return NULL;
    }

  signature->comment = g_strndup ((const char *) record + RECORD_FIXED_LENGTH, comment_length);
  problem = strlen (signature->comment) != comment_length
              ? "it contains a NUL byte"
              : fleet_signature_comment_problem (signature->comment);
  if (problem != NULL)
    {
      g_autofree char *message = g_strdup_printf ("a signature comment is invalid: %s", problem);
      block_corrupt (message, error);
      return NULL;
    }

  signature->fingerprint = fleet_ed25519_fingerprint (signature->public_key);
  *offset += RECORD_FIXED_LENGTH + comment_length;
  return g_steal_pointer (&signature);
}

static gboolean
has_key (const GPtrArray *signatures, const guint8 public_key[FLEET_ED25519_PUBLIC_KEY_LENGTH])
{
  for (guint i = 0; i < signatures->len; i++)
    {
      const FleetPlanSignature *signature = g_ptr_array_index (signatures, i);

      if (memcmp (signature->public_key, public_key, FLEET_ED25519_PUBLIC_KEY_LENGTH) == 0)
        return TRUE;
    }
  return FALSE;
}

gboolean
fleet_plan_signatures_read (const guint8 *data,
                            gsize length,
                            const guint8 plan_digest[FLEET_PLAN_DIGEST_LENGTH],
                            GPtrArray *out,
                            GError **error)
{
  g_autoptr(GPtrArray) signatures = g_ptr_array_new_with_free_func (
    (GDestroyNotify) fleet_plan_signature_free);
  gsize offset = FLEET_SIGNATURE_BLOCK_HEADER_LENGTH;
  guint32 count;

  if (length < FLEET_SIGNATURE_MAGIC_LENGTH
      || memcmp (data, FLEET_SIGNATURE_MAGIC, FLEET_SIGNATURE_MAGIC_LENGTH) != 0)
    {
      g_set_error (error, FLEET_PLAN_ERROR, FLEET_PLAN_ERROR_CORRUPT,
                   "plan file has %" G_GSIZE_FORMAT " unexpected bytes after its digest, which "
                   "are not a signature block; it was modified after it was written", length);
      return FALSE;
    }
  if (length < FLEET_SIGNATURE_BLOCK_HEADER_LENGTH)
    return block_truncated (length, error);

  if (read_be32 (data + 8) != FLEET_SIGNATURE_BLOCK_VERSION)
    return block_corrupt ("its signature block has an unknown version", error);

  count = read_be32 (data + 12);
  if (count == 0 || count > FLEET_PLAN_MAX_SIGNATURES)
    return block_corrupt ("its signature block announces no signatures or more than 32", error);

  for (guint32 i = 0; i < count; i++)
    {
      FleetPlanSignature *signature = read_record (data, length, &offset, error);

      if (signature == NULL)
        return FALSE;
      if (has_key (signatures, signature->public_key))
        {
          fleet_plan_signature_free (signature);
          return block_corrupt ("its signature block lists one key twice", error);
        }
      check_signature (signature, plan_digest);
      g_ptr_array_add (signatures, signature);
    }

  if (offset != length)
    return block_corrupt ("bytes follow the last signature", error);

  g_ptr_array_extend_and_steal (out, g_steal_pointer (&signatures));
  return TRUE;
}

/* Writing. */

static void
append_be32 (GByteArray *out, guint32 value)
{
  guint32 value_be = GUINT32_TO_BE (value);

  g_byte_array_append (out, (const guint8 *) &value_be, 4);
}

static void
append_record (GByteArray *out, const FleetPlanSignature *signature)
{
  gsize comment_length = strlen (signature->comment);
  guint8 length_be[2] = { (guint8) (comment_length >> 8), (guint8) (comment_length & 0xff) };

  g_byte_array_append (out, signature->public_key, FLEET_ED25519_PUBLIC_KEY_LENGTH);
  g_byte_array_append (out, signature->signature, FLEET_ED25519_SIGNATURE_LENGTH);
  g_byte_array_append (out, length_be, 2);
  g_byte_array_append (out, (const guint8 *) signature->comment, comment_length);
}

/* Return the length of the header, body and digest of a plan file that
 * fleet_plan_deserialize accepted. */
static gsize
unsigned_length (const guint8 *data)
{
  guint64 body_length_be;

  memcpy (&body_length_be, data + 16, 8);
  return FLEET_PLAN_HEADER_LENGTH + (gsize) GUINT64_FROM_BE (body_length_be)
         + FLEET_PLAN_DIGEST_LENGTH;
}

static FleetPlanSignature *
make_signature (const FleetSigningKey *key, const guint8 *plan_digest, const char *comment,
                GError **error)
{
  g_autoptr(FleetPlanSignature) signature = g_new0 (FleetPlanSignature, 1);
  const FleetPublicKey *public_key = fleet_signing_key_get_public_key (key);
  g_autoptr(GBytes) message = signed_message (plan_digest, comment);

  memcpy (signature->public_key, public_key->raw, FLEET_ED25519_PUBLIC_KEY_LENGTH);
  signature->comment = g_strdup (comment);
  signature->fingerprint = g_strdup (public_key->fingerprint);
  if (!fleet_signing_key_sign (key, g_bytes_get_data (message, NULL), g_bytes_get_size (message),
                               signature->signature, error))
    return NULL;

  signature->valid = TRUE;
  return g_steal_pointer (&signature);
}

GBytes *
fleet_plan_sign (GBytes *plan_file,
                 const FleetSigningKey *key,
                 const char *comment,
                 gboolean *out_replaced,
                 GError **error)
{
  g_autoptr(FleetPlan) plan = fleet_plan_deserialize (plan_file, error);
  g_autoptr(FleetPlanSignature) signature = NULL;
  g_autoptr(GByteArray) out = NULL;
  const guint8 *data = g_bytes_get_data (plan_file, NULL);
  const char *problem = fleet_signature_comment_problem (comment);
  gboolean replaced;
  guint32 count;
  gsize prefix;

  if (plan == NULL)
    return NULL;
  if (plan->format_version < 3)
    {
      g_set_error (error, FLEET_PLAN_ERROR, FLEET_PLAN_ERROR_VERSION,
                   "plan format %u cannot carry signatures; compile the plan again with this "
                   "version of fleetc", plan->format_version);
      return NULL;
    }
  if (problem != NULL)
    {
      g_set_error (error, FLEET_PLAN_ERROR, FLEET_PLAN_ERROR_INVALID,
                   "the signature comment cannot be used: %s", problem);
      return NULL;
    }

  prefix = unsigned_length (data);
  signature = make_signature (key, data + prefix - FLEET_PLAN_DIGEST_LENGTH, comment, error);
  if (signature == NULL)
    return NULL;

  replaced = has_key (plan->signatures, signature->public_key);
  count = plan->signatures->len + (replaced ? 0 : 1);
  if (count > FLEET_PLAN_MAX_SIGNATURES)
    {
      g_set_error (error, FLEET_PLAN_ERROR, FLEET_PLAN_ERROR_INVALID,
                   "the plan already carries %d signatures, the most a plan can carry",
                   FLEET_PLAN_MAX_SIGNATURES);
      return NULL;
    }

  out = g_byte_array_sized_new (prefix + 1024);
  g_byte_array_append (out, data, prefix);
  g_byte_array_append (out, (const guint8 *) FLEET_SIGNATURE_MAGIC, FLEET_SIGNATURE_MAGIC_LENGTH);
  append_be32 (out, FLEET_SIGNATURE_BLOCK_VERSION);
  append_be32 (out, count);

  /* Earlier signatures keep their order; a new signature by the same key
   * takes the place of the old one at the end. */
  for (guint i = 0; i < plan->signatures->len; i++)
    {
      const FleetPlanSignature *earlier = g_ptr_array_index (plan->signatures, i);

      if (memcmp (earlier->public_key, signature->public_key, FLEET_ED25519_PUBLIC_KEY_LENGTH) != 0)
        append_record (out, earlier);
    }
  append_record (out, signature);

  if (out_replaced != NULL)
    *out_replaced = replaced;
  return g_byte_array_free_to_bytes (g_steal_pointer (&out));
}

/* Approval. */

static const FleetPublicKey *
find_approver (const GPtrArray *approvers, const FleetPlanSignature *signature)
{
  for (guint i = 0; i < approvers->len; i++)
    {
      const FleetPublicKey *approver = g_ptr_array_index (approvers, i);

      if (memcmp (approver->raw, signature->public_key, FLEET_ED25519_PUBLIC_KEY_LENGTH) == 0)
        return approver;
    }
  return NULL;
}

/* Return "SHA256:a, SHA256:b and 3 more" for the fingerprints of `keys`,
 * whose items are FleetPublicKey * or, with `signatures` set,
 * FleetPlanSignature *. */
static char *
list_fingerprints (const GPtrArray *keys, gboolean signatures)
{
  GString *text = g_string_new (NULL);

  for (guint i = 0; i < keys->len && i < MAX_LISTED_APPROVERS; i++)
    {
      const char *fingerprint = signatures
        ? ((const FleetPlanSignature *) g_ptr_array_index (keys, i))->fingerprint
        : ((const FleetPublicKey *) g_ptr_array_index (keys, i))->fingerprint;

      g_string_append_printf (text, "%s%s", i > 0 ? ", " : "", fingerprint);
    }
  if (keys->len > MAX_LISTED_APPROVERS)
    g_string_append_printf (text, " and %u more", keys->len - MAX_LISTED_APPROVERS);

  return g_string_free (text, FALSE);
}

const FleetPlanSignature *
fleet_plan_find_approval (const FleetPlan *plan, const GPtrArray *approvers, GError **error)
{
  const FleetPlanSignature *invalid = NULL;
  g_autofree char *approver_list = list_fingerprints (approvers, FALSE);
  g_autofree char *signers = NULL;

  g_return_val_if_fail (approvers->len > 0, NULL);

  for (guint i = 0; i < plan->signatures->len; i++)
    {
      const FleetPlanSignature *signature = g_ptr_array_index (plan->signatures, i);

      if (find_approver (approvers, signature) == NULL)
        continue;
      if (signature->valid)
        return signature;
      invalid = signature;
    }

  if (invalid != NULL)
    {
      g_set_error (error, FLEET_SIGNATURE_ERROR, FLEET_SIGNATURE_ERROR_INVALID,
                   "the signature by approver %s (\"%s\") does not match this plan: the plan "
                   "changed after it was signed, or the signature was copied from another "
                   "plan; compile the plan again, review it, and have it signed again",
                   invalid->fingerprint, invalid->comment);
      return NULL;
    }

  if (plan->signatures->len == 0)
    {
      g_set_error (error, FLEET_SIGNATURE_ERROR, FLEET_SIGNATURE_ERROR_UNSIGNED,
                   "the plan is not signed, but a signature by %s%s is required; have an "
                   "approver review it with `fleetc show` and sign it with `fleetc sign`",
                   approvers->len > 1 ? "one of " : "", approver_list);
      return NULL;
    }

  signers = list_fingerprints (plan->signatures, TRUE);
  g_set_error (error, FLEET_SIGNATURE_ERROR, FLEET_SIGNATURE_ERROR_NOT_APPROVER,
               "the plan is signed only by %s, which %s not among the approver keys (%s); have "
               "an approver review it with `fleetc show` and sign it with `fleetc sign`",
               signers, plan->signatures->len > 1 ? "are" : "is", approver_list);
  return NULL;
}
