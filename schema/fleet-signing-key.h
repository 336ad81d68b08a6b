/* fleet-signing-key.h: an approver's Ed25519 private key, which `fleetc
 * sign` signs plans with.
 *
 * The key file is one of:
 *   - PEM PKCS#8 ("BEGIN PRIVATE KEY"), as `openssl genpkey -algorithm
 *     ed25519 -out KEY` writes it;
 *   - encrypted PEM PKCS#8 ("BEGIN ENCRYPTED PRIVATE KEY", from genpkey with
 *     -aes256), whose passphrase is read from /dev/tty with echo off;
 *   - an OpenSSH ed25519 key without a passphrase ("BEGIN OPENSSH PRIVATE
 *     KEY", from `ssh-keygen -t ed25519 -N ''`).  OpenSSH encrypts keys with
 *     bcrypt_pbkdf, which OpenSSL 3 does not provide, so an OpenSSH key with
 *     a passphrase is rejected as UNSUPPORTED.
 *
 * Like OpenSSH, a key file that its group or other users may access is
 * rejected (PERMISSIONS).  The file's bytes are held in wiped memory; the
 * key itself is held by OpenSSL, which clears it when freed.  Nothing here
 * prints or logs key material.  Errors are in the FLEET_KEY_ERROR domain.
 */
#pragma once

#include <glib.h>

#include "schema/fleet-public-key.h"

G_BEGIN_DECLS

typedef struct FleetSigningKey FleetSigningKey;

/* Read the private key at `path`.  Returns NULL with IO, PERMISSIONS,
 * FORMAT, UNSUPPORTED or PASSPHRASE. */
FleetSigningKey *fleet_signing_key_read_file (const char *path, GError **error);

/* Return the key's public half; its comment is the OpenSSH key's comment,
 * or NULL.  Borrowed from `key`. */
const FleetPublicKey *fleet_signing_key_get_public_key (const FleetSigningKey *key);

/* Sign `message` with Ed25519 (RFC 8032, no prehash).  Returns FALSE with
 * FLEET_KEY_ERROR_SIGN when OpenSSL fails. */
gboolean fleet_signing_key_sign (const FleetSigningKey *key,
                                 const guint8 *message,
                                 gsize message_length,
                                 guint8 out_signature[FLEET_ED25519_SIGNATURE_LENGTH],
                                 GError **error);

void fleet_signing_key_free (FleetSigningKey *key);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (FleetSigningKey, fleet_signing_key_free)

G_END_DECLS
