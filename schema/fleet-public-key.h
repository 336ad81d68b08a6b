/* fleet-public-key.h: the Ed25519 public keys of plan approvers: their
 * fingerprints, signature checks, and files that list them.
 *
 * A public key file lists one or more keys, in either form, mixed freely:
 *
 *   -----BEGIN PUBLIC KEY-----        as `openssl pkey -in KEY -pubout` writes
 *   MCowBQYDK2VwAyEA...
 *   -----END PUBLIC KEY-----
 *   ssh-ed25519 AAAAC3Nza... alice    as in an OpenSSH .pub or authorized_keys
 *
 * Blank lines and lines that start with '#' are ignored.  Any other line, a
 * key of another type, or a private key is an error that names the file and
 * line.  Like OpenSSH's StrictModes check of authorized_keys, a file that
 * its group or other users may write is rejected: whoever can write it
 * could make themselves an approver.
 *
 * A fingerprint is "SHA256:" and the unpadded base64 of the SHA-256 of the
 * key in SSH wire form, which is what `ssh-keygen -l -f KEY.pub` prints for
 * the same key.
 */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

#define FLEET_ED25519_PUBLIC_KEY_LENGTH 32
#define FLEET_ED25519_SIGNATURE_LENGTH 64

/* Key files larger than this are rejected unread. */
#define FLEET_KEY_FILE_MAX_BYTES (1024u * 1024)

#define FLEET_KEY_ERROR (fleet_key_error_quark ())

typedef enum {
  FLEET_KEY_ERROR_IO,            /* the file cannot be read */
  FLEET_KEY_ERROR_PERMISSIONS,   /* the file is open to other users */
  FLEET_KEY_ERROR_FORMAT,        /* not a key file this reader knows */
  FLEET_KEY_ERROR_UNSUPPORTED,   /* a key of another type, or an encryption it cannot undo */
  FLEET_KEY_ERROR_PASSPHRASE,    /* the passphrase is missing or wrong */
  FLEET_KEY_ERROR_SIGN,          /* OpenSSL failed to sign */
} FleetKeyError;

GQuark fleet_key_error_quark (void);

typedef struct {
  guint8 raw[FLEET_ED25519_PUBLIC_KEY_LENGTH];
  char *fingerprint;             /* "SHA256:..." */
  char *comment;                 /* from an OpenSSH key, or NULL */
} FleetPublicKey;

FleetPublicKey *fleet_public_key_new (const guint8 raw[FLEET_ED25519_PUBLIC_KEY_LENGTH],
                                      const char *comment);
void fleet_public_key_free (FleetPublicKey *key);

/* Return the fingerprint of the Ed25519 public key `raw`. */
char *fleet_ed25519_fingerprint (const guint8 raw[FLEET_ED25519_PUBLIC_KEY_LENGTH]);

/* Return whether `signature` is a valid Ed25519 signature of `message` by
 * the public key `raw`.  A malformed key or signature is just invalid. */
gboolean fleet_ed25519_verify (const guint8 raw[FLEET_ED25519_PUBLIC_KEY_LENGTH],
                               const guint8 *message,
                               gsize message_length,
                               const guint8 signature[FLEET_ED25519_SIGNATURE_LENGTH]);

/* Append every key of the public key file at `path` to `out`
 * (FleetPublicKey *).  Returns FALSE, leaving `out` as it was, on the first
 * problem; a file without keys is a FORMAT error. */
gboolean fleet_public_keys_read_file (const char *path, GPtrArray *out, GError **error);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (FleetPublicKey, fleet_public_key_free)

G_END_DECLS
