/* fleet-plan-signature.h: approvers' signatures on a plan file.
 *
 * From format 3 on, a signature block may follow the plan's digest and end
 * the file:
 *
 *   offset  size  field
 *   0       8     magic "FLEETSIG"
 *   8       4     block version, big-endian (FLEET_SIGNATURE_BLOCK_VERSION)
 *   12      4     number of signatures n, big-endian, 1 to FLEET_PLAN_MAX_SIGNATURES
 *   16      ...   n signatures, each:
 *                   32  Ed25519 public key of the signer
 *                   64  Ed25519 signature
 *                   2   comment length c, big-endian, at most FLEET_SIGNATURE_MAX_COMMENT
 *                   c   comment: UTF-8 without control characters
 *
 * Each signature is plain Ed25519 (RFC 8032) over the message
 *
 *   "fleetc plan signature v1" NUL, the 32-byte SHA-256 digest of the plan
 *   (header and body, as stored after the body), then the comment's bytes.
 *
 * The digest binds the signature to one plan; the leading context string
 * keeps a plan signature from passing as any other signature by the same
 * key, such as an SSH login; the comment is signed so nobody can reword it.
 * The block lies outside the digest, so adding a signature changes neither
 * the body nor the digest.  Anybody can strip signatures, so only
 * `fleet-run --require-signature` gives them force.
 */
#pragma once

#include <glib.h>

#include "schema/fleet-plan.h"
#include "schema/fleet-public-key.h"
#include "schema/fleet-signing-key.h"

G_BEGIN_DECLS

#define FLEET_SIGNATURE_MAGIC "FLEETSIG"
#define FLEET_SIGNATURE_MAGIC_LENGTH 8
#define FLEET_SIGNATURE_BLOCK_VERSION 1u
#define FLEET_SIGNATURE_BLOCK_HEADER_LENGTH 16
#define FLEET_PLAN_MAX_SIGNATURES 32
#define FLEET_SIGNATURE_MAX_COMMENT 256
#define FLEET_SIGNATURE_CONTEXT "fleetc plan signature v1"

#define FLEET_SIGNATURE_ERROR (fleet_signature_error_quark ())

/* Why a plan is not approved, for fleet-run --require-signature. */
typedef enum {
  FLEET_SIGNATURE_ERROR_UNSIGNED,     /* the plan carries no signature */
  FLEET_SIGNATURE_ERROR_NOT_APPROVER, /* signed, but by none of the approver keys */
  FLEET_SIGNATURE_ERROR_INVALID,      /* an approver's signature does not match the plan */
} FleetSignatureError;

GQuark fleet_signature_error_quark (void);

typedef struct FleetPlanSignature {
  guint8 public_key[FLEET_ED25519_PUBLIC_KEY_LENGTH];
  guint8 signature[FLEET_ED25519_SIGNATURE_LENGTH];
  char *comment;                 /* may be empty, never NULL */
  char *fingerprint;             /* of public_key, "SHA256:..." */
  gboolean valid;                /* verified against the plan's digest when read */
} FleetPlanSignature;

void fleet_plan_signature_free (FleetPlanSignature *signature);

/* Return why `comment` cannot be a signature comment (too long, invalid
 * UTF-8, a control character or a bidirectional override that could hide
 * text on a terminal), or NULL when it can. */
const char *fleet_signature_comment_problem (const char *comment);

/* Read the signature block of `length` bytes at `data`, which follows a
 * plan whose digest is `plan_digest`, and append its signatures to `out`
 * with `valid` set by checking each.  Returns FALSE with FLEET_PLAN_ERROR
 * TRUNCATED when the block is shorter than its counts say, CORRUPT for any
 * other damage (wrong magic, version or counts, a bad comment, bytes after
 * the last signature, a key that signs twice). */
gboolean fleet_plan_signatures_read (const guint8 *data,
                                     gsize length,
                                     const guint8 plan_digest[FLEET_PLAN_DIGEST_LENGTH],
                                     GPtrArray *out,
                                     GError **error);

/* Return the plan file `plan_file` with a signature by `key` added, its
 * header, body and digest copied unchanged.  An earlier signature by the
 * same key is replaced, and `out_replaced` is set to whether it was.  Errors: any error of
 * fleet_plan_deserialize; FLEET_PLAN_ERROR_VERSION for a plan of format 2,
 * which cannot carry signatures; FLEET_PLAN_ERROR_INVALID for a bad comment
 * or a plan that already has FLEET_PLAN_MAX_SIGNATURES; FLEET_KEY_ERROR_SIGN. */
GBytes *fleet_plan_sign (GBytes *plan_file,
                         const FleetSigningKey *key,
                         const char *comment,
                         gboolean *out_replaced,
                         GError **error);

/* Return the first valid signature of `plan` by a key of `approvers`
 * (FleetPublicKey *, at least one), borrowed from the plan.  Otherwise NULL
 * with an error in the FLEET_SIGNATURE_ERROR domain whose message names the
 * next step: INVALID when an approver signed but the signature does not match,
 * else NOT_APPROVER when others signed, else UNSIGNED. */
const FleetPlanSignature *fleet_plan_find_approval (const FleetPlan *plan,
                                                    const GPtrArray *approvers,
                                                    GError **error);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (FleetPlanSignature, fleet_plan_signature_free)

G_END_DECLS
