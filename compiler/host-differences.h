/* host-differences.h: the settings and attributes in which two records of
 * one host differ, for messages that show both values: two inventories that
 * define a host differently, and `fleetc check` after an inventory change.
 */
#pragma once

#include <glib.h>

#include "schema/fleet-model.h"

G_BEGIN_DECLS

/* One setting or attribute with different values in the two records. */
typedef struct {
  gboolean attribute;          /* `key` names an attribute */
  const char *key;             /* a static setting name, or borrowed from a record */
  char *first;                 /* quoted value, or "not set" */
  char *second;
} FleetHostDifference;

void fleet_host_difference_free (FleetHostDifference *difference);

/* Return every difference between `first` and `second`
 * (FleetHostDifference *): the connection settings in a fixed order, with
 * the inventory key names ("port", "identity_file"), then the attributes in
 * name order.  Groups are not compared.  Attribute keys are borrowed from
 * the records, which must outlive the result. */
GPtrArray *fleet_host_differences (const FleetHost *first, const FleetHost *second);

G_END_DECLS
