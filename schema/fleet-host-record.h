/* fleet-host-record.h: the fields of a host as a plan records them.
 *
 * One list of fields, walked by fleet_host_visit_fields, serves both the
 * plan writer (fleet_host_to_variant) and the inventory digest
 * (fleet_hosts_digest), so a field added for one is in the other.
 */
#pragma once

#include <glib.h>

#include "schema/fleet-model.h"

G_BEGIN_DECLS

/* Callbacks for each kind of field, in the order the fields are listed. */
typedef struct {
  void (*string) (const char *key, const char *value, gpointer data); /* value NULL: absent */
  void (*uint16) (const char *key, guint16 value, gpointer data);
  void (*uint32) (const char *key, guint32 value, gpointer data);
  void (*boolean) (const char *key, gboolean value, gpointer data);
  void (*strings) (const char *key, const GPtrArray *values, gpointer data);
  /* `keys` is sorted and NULL-terminated; the values are in `table`. */
  void (*pairs) (const char *key, const char * const *keys, GHashTable *table, gpointer data);
} FleetHostFieldVisitor;

/* Call `visitor` once per field of `host`, always in the same order. */
void fleet_host_visit_fields (const FleetHost *host, const FleetHostFieldVisitor *visitor,
                              gpointer data);

/* Return `host` as the a{sv} dictionary of a plan body (floating). */
GVariant *fleet_host_to_variant (const FleetHost *host);

/* Return the SHA-256, in hex, of `hosts` and `jump_hosts` (FleetHost *):
 * the digest of a resolved inventory.  Every field is hashed with its key,
 * its kind and its length, streamed without building the plan form.  Free
 * with g_free. */
char *fleet_hosts_digest (const GPtrArray *hosts, const GPtrArray *jump_hosts);

G_END_DECLS
