/* fleet-key-private.h: helpers shared by the public and private key
 * readers: checked file reads, strict base64, and the SSH wire format
 * (RFC 4251 section 5) that OpenSSH keys use. */
#pragma once

#include <glib.h>

#include "schema/fleet-public-key.h"
#include "schema/fleet-secret.h"

G_BEGIN_DECLS

typedef enum {
  FLEET_KEY_FILE_PUBLIC,         /* rejected when its group or others may write it */
  FLEET_KEY_FILE_PRIVATE,        /* rejected when its group or others may access it */
} FleetKeyFileKind;

/* Return the bytes of the regular file at `path`, at most
 * FLEET_KEY_FILE_MAX_BYTES, after the permission check for `kind`.  The
 * bytes are in wiped memory because a private key file is a secret. */
FleetSecret *fleet_key_file_read (const char *path, FleetKeyFileKind kind, GError **error);

/* Decode standard base64 with padding, rejecting any other character, or
 * return NULL. */
GBytes *fleet_base64_decode_strict (const char *text, gsize length);

/* Return the SSH wire form of an Ed25519 public key: the string
 * "ssh-ed25519" and the string of its 32 bytes. */
GBytes *fleet_ed25519_ssh_blob (const guint8 raw[FLEET_ED25519_PUBLIC_KEY_LENGTH]);

/* A cursor over SSH wire data. */
typedef struct {
  const guint8 *data;
  gsize length;
} FleetWireReader;

/* Read a big-endian uint32.  Returns FALSE at the end of the data. */
gboolean fleet_wire_read_u32 (FleetWireReader *reader, guint32 *out);

/* Read a string: a uint32 length and that many bytes, borrowed from the
 * reader's data.  Returns FALSE when the data ends first. */
gboolean fleet_wire_read_string (FleetWireReader *reader, const guint8 **out, gsize *out_length);

/* Read a string and return whether it equals the C string `expected`. */
gboolean fleet_wire_read_expected (FleetWireReader *reader, const char *expected);

G_END_DECLS
