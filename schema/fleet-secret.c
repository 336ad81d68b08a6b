/* fleet-secret.c: secret byte strings in locked, wiped memory mappings. */
#include "schema/fleet-secret.h"
#include "schema/fleet-oom.h"

#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include <openssl/crypto.h>

/* Return the size of the mapping for `capacity` bytes and a NUL. */
static gsize
mapping_size (gsize capacity)
{
  gsize page = (gsize) sysconf (_SC_PAGESIZE);

  /* No allocation can hold more, as g_malloc() aborts for such a size. */
  fleet_oom_check_status (capacity <= G_MAXSIZE - page, "mapping a secret");
  return (capacity + 1 + page - 1) / page * page;
}

FleetSecret *
fleet_secret_new (gsize length)
{
  FleetSecret *secret = g_new0 (FleetSecret, 1);
  gsize size = mapping_size (length);
  void *data;

  /* An anonymous private mapping of a valid size fails only when memory
   * (or the process's address space limit) runs out. */
  data = mmap (NULL, size, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
  fleet_oom_check_status (data != MAP_FAILED, "mmap of a secret");

  /* The kernel or its limits may reject each of these hardening steps, and
   * the secret is still wiped on free without them. */
  (void) mlock (data, size);
  (void) madvise (data, size, MADV_DONTDUMP);
#ifdef MADV_WIPEONFORK
  (void) madvise (data, size, MADV_WIPEONFORK);
#endif

  secret->data = data;
  secret->length = length;
  secret->capacity = length;
  return secret;
}

FleetSecret *
fleet_secret_new_from_data (const void *data, gsize length)
{
  FleetSecret *secret = fleet_secret_new (length);

  if (length > 0)
    memcpy (secret->data, data, length);
  return secret;
}

FleetSecret *
fleet_secret_copy (const FleetSecret *secret)
{
  return fleet_secret_new_from_data (secret->data, secret->length);
}

void
fleet_secret_set_length (FleetSecret *secret, gsize length)
{
  g_return_if_fail (length <= secret->capacity);

  if (length < secret->length)
    OPENSSL_cleanse (secret->data + length, secret->length - length);
  secret->length = length;
  secret->data[length] = '\0';
}

gboolean
fleet_secret_equal (const FleetSecret *a, const FleetSecret *b)
{
  return a->length == b->length && CRYPTO_memcmp (a->data, b->data, a->length) == 0;
}

void
fleet_secret_free (FleetSecret *secret)
{
  gsize size;

  if (secret == NULL)
    return;

  size = mapping_size (secret->capacity);
  OPENSSL_cleanse (secret->data, size);
  (void) munlock (secret->data, size);
  munmap (secret->data, size);
  g_free (secret);
}
