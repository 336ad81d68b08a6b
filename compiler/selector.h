/* selector.h: selector expressions in workflows and on the command line.
 *
 * A selector is parsed once here, while the YAML node it comes from is at
 * hand, so that a syntax error points at the character of the file that
 * the expression's message names (scalar-position.h).  Inside the message,
 * columns still count within the expression.  After the inventory is
 * loaded, the names a selector uses are checked against the attributes its
 * hosts have: an unknown name is a warning, because it makes every
 * comparison with it false, which is legal but rarely meant.
 */
#pragma once

#include <glib.h>

#include "compiler/yaml-tree.h"
#include "schema/fleet-diagnostics.h"
#include "schema/fleet-workflow.h"
#include "schema/workflow-schema.h"

G_BEGIN_DECLS

/* The file name that diagnostics about `fleetc compile --limit` carry. */
#define FLEET_LIMIT_SOURCE "--limit"

/* Parse the scalar `node`, the value of `field`, as a selector.  Returns a
 * new selector whose name positions point into the file, or NULL after
 * reporting an error at the mapped position. */
FleetSelector *fleet_parse_selector (FleetDiagnostics *diags,
                                     const FleetSchemaField *field,
                                     const FleetYamlNode *node);

/* Parse `text`, the argument of --limit.  Errors and warnings carry the
 * file name FLEET_LIMIT_SOURCE, line 1 and the column in `text`, and
 * `text` is registered with `diags` so they quote it.  Returns a new
 * selector, or NULL after reporting an error. */
FleetSelector *fleet_parse_limit (FleetDiagnostics *diags, const char *text);

/* Warn about each name `selector` uses that is neither `name`, `groups`
 * nor an attribute of some host of `inventory`, and about each group it
 * tests membership of (`groups contains "web"`, `"web" in groups`) that
 * `inventory` lacks, with the closest known name as a suggestion.  `key`
 * names the selector in the message. */
void fleet_check_selector_names (FleetDiagnostics *diags,
                                 const FleetSelector *selector,
                                 const char *key,
                                 const FleetInventory *inventory);

G_END_DECLS
