/* fleet-secret.h: a secret byte string in memory that is wiped when freed.
 *
 * FleetSecret contains master passphrases, derived keys, decrypted store
 * contents and stored values.  Its bytes live in an anonymous memory mapping
 * of their own, never in the malloc heap, so no realloc or free can leave a
 * copy behind.  The mapping is locked into RAM where RLIMIT_MEMLOCK allows
 * it (mlock, best effort), left out of core dumps (MADV_DONTDUMP), zeroed in
 * forked children (MADV_WIPEONFORK), and overwritten with OPENSSL_cleanse
 * before it is unmapped.
 *
 * The bytes may contain NUL.  One NUL always follows them, so a text secret
 * can be passed as a C string.
 *
 * Never print a secret, log it, or pass it to a child in argv or the
 * environment.
 */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

typedef struct {
  guint8 *data;      /* `length` bytes, then a NUL; callers may change the bytes */
  gsize length;
  gsize capacity;    /* private: the largest length this secret can take */
} FleetSecret;

/* Return a new secret of `length` zero bytes.  Aborts when the system has no
 * memory left, like g_malloc.  Free with fleet_secret_free. */
FleetSecret *fleet_secret_new (gsize length);

/* Return a new secret containing a copy of `length` bytes at `data`. */
FleetSecret *fleet_secret_new_from_data (const void *data, gsize length);

FleetSecret *fleet_secret_copy (const FleetSecret *secret);

/* Shorten `secret` to `length` bytes (at most its capacity), wiping the bytes
 * that are dropped and writing the trailing NUL. */
void fleet_secret_set_length (FleetSecret *secret, gsize length);

/* Compare two secrets in time that depends only on their lengths. */
gboolean fleet_secret_equal (const FleetSecret *a, const FleetSecret *b);

/* Wipe and release `secret`; NULL is ignored. */
void fleet_secret_free (FleetSecret *secret);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (FleetSecret, fleet_secret_free)

G_END_DECLS
