/* schema-check.h: walk a YAML mapping along the schema table.
 *
 * The walk rejects keys that the schema does not define for the context and
 * suggests a close one.  It rejects values of the wrong kind and hands each
 * remaining value to the handler of its key.  Finally it reports the
 * required keys that are missing.  It reports every problem it finds instead
 * of stopping at the first.
 */
#pragma once

#include <glib.h>

#include "compiler/yaml-tree.h"
#include "schema/fleet-diagnostics.h"
#include "schema/workflow-schema.h"

G_BEGIN_DECLS

/* Convert `value`, the value of a key described by `field`, into `object`.
 * The walk has already checked that the value has the kind the field's type
 * needs, and that it is not null unless the type reports nulls itself
 * (booleans, integers and durations print them as invalid values). */
typedef void (*FleetFieldHandler) (FleetDiagnostics *diags,
                                   const FleetSchemaField *field,
                                   const FleetYamlNode *value,
                                   gpointer object);

typedef struct {
  const char *key;
  FleetFieldHandler handle;
} FleetFieldHandlerEntry;

/* Walk `mapping`, which must be a mapping node, with the rows of `context`.
 * Every row of the context needs an entry in `handlers`. */
void fleet_walk_mapping (FleetDiagnostics *diags,
                         const FleetYamlNode *mapping,
                         FleetSchemaContext context,
                         const FleetFieldHandlerEntry *handlers,
                         gsize n_handlers,
                         gpointer object);

/* Report an error unless `node` is a mapping.  `what` names the node in the
 * message "invalid <what>: expected a mapping, found a list", for example
 * "workflow file" or "item in \"steps\"". */
gboolean fleet_expect_mapping (FleetDiagnostics *diags, const FleetYamlNode *node, const char *what);

G_END_DECLS
