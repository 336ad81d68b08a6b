/* fuzz-known-hosts.c: libFuzzer target for known_hosts files.
 *
 * The input is a known_hosts file.  It is loaded into a new table, and every
 * host of the seed file (tests/data/known-hosts/all-forms.known_hosts) is
 * checked with two of its keys.  Then an accept-new line is appended to the
 * file.  So plain, hashed, wildcard, negated, @revoked and @cert-authority
 * lines all reach the matching code.
 */
#include <string.h>

#include "fuzz/fuzz-common.h"
#include "runtime/fleet-known-hosts.h"

int LLVMFuzzerTestOneInput (const uint8_t *data, size_t size);

typedef struct {
  const char *host;
  guint16 port;
} LookupName;

static const LookupName lookup_names[] = {
  { "host01.example.test", 22 },
  { "192.0.2.11", 22 },
  { "web.dc1.example.test", 22 },
  { "bastion.dc1.example.test", 22 },
  { "host03.example.test", 2222 },
  { "192.0.2.14", 2200 },
  { "host05.example.test", 22 },
  { "db.dc2.example.test", 22 },
  { "host10.example.test", 22 },
  { "new.example.test", 2022 },
};

/* Keys K1 (Ed25519) and E9 (ECDSA P-256) of tests/data/known-hosts/keys.txt. */
static const char * const key_types[] = { "ssh-ed25519", "ecdsa-sha2-nistp256" };
static const char * const key_texts[] = {
  "AAAAC3NzaC1lZDI1NTE5AAAAILBslPnJi5POYlz2hFYcMHkebuiPI7AB0VDJEwrx2o8q",
  "AAAAE2VjZHNhLXNoYTItbmlzdHAyNTYAAAAIbmlzdHAyNTYAAABBBJ+TLH3Ii3rHZpQZlVlEEMlEGfyiOEbIOL2gpRev2"
  "eI2qd41VCnyrkvvY+vqJCLzSwBo+aM75ZRTQGrlP92wrpI=",
};

static void
check_every_name (FleetKnownHosts *table, const guint8 *blob, gsize blob_length,
                  const char *key_type)
{
  for (gsize i = 0; i < G_N_ELEMENTS (lookup_names); i++)
    {
      g_autoptr(GError) error = NULL;
      g_autoptr(FleetHostKeyCheck) check = fleet_known_hosts_check (table, lookup_names[i].host,
                                                                     lookup_names[i].port,
                                                                     key_type, blob, blob_length,
                                                                     &error);
      g_auto(GStrv) types = fleet_known_hosts_get_key_types (table, lookup_names[i].host,
                                                             lookup_names[i].port);

      if (types == NULL)
        fuzz_fail ("no key type list for %s", lookup_names[i].host);
      if (check == NULL)
        fuzz_fail ("checking a valid %s key failed: %s", key_type, error->message);
      if (check->verdict != FLEET_HOST_KEY_MATCH && check->message == NULL)
        fuzz_fail ("verdict %s without a message", fleet_host_key_verdict_name (check->verdict));
    }
}

int
LLVMFuzzerTestOneInput (const uint8_t *data, size_t size)
{
  const char *path = fuzz_write_file ("known_hosts", data, size);
  g_autoptr(FleetKnownHosts) table = fleet_known_hosts_new ();
  g_autoptr(GError) error = NULL;
  const GPtrArray *malformed;

  if (!fleet_known_hosts_load (table, path, &error))
    fuzz_fail ("loading a regular file failed: %s", error->message);

  malformed = fleet_known_hosts_get_malformed (table);
  for (guint i = 0; i < malformed->len; i++)
    {
      const FleetKnownHostsMalformedLine *line = g_ptr_array_index (malformed, i);

      if (line->reason == NULL || line->line == 0)
        fuzz_fail ("malformed line recorded without a reason or line number");
    }

  for (gsize k = 0; k < G_N_ELEMENTS (key_texts); k++)
    {
      gsize blob_length;
      g_autofree guint8 *blob = g_base64_decode (key_texts[k], &blob_length);

      check_every_name (table, blob, blob_length, key_types[k]);
      if (k == 0)
        fleet_known_hosts_add (table, path, "new.example.test", 2022, key_types[k], blob,
                               blob_length, FALSE, NULL);
    }

  return 0;
}
