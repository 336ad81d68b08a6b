/* scalar.h: strict conversion of YAML scalars to typed values.
 *
 * libyaml never types scalars.  These functions type them by the schema row
 * of the key, never by what the text looks like.  So a string field keeps
 * `NO` or `on` verbatim, and a boolean field accepts only plain true or
 * false.  Booleans, integers, durations and wave sizes must be written plain
 * (unquoted), because a quoted value is a string in YAML.
 *
 * Each function checks the node's kind, converts it and checks the bounds
 * of `field`.  On failure it reports an error at the node that names
 * `field->key` and the offending text, and returns FALSE without writing
 * the output.  List items are converted with the row of their list.
 */
#pragma once

#include <glib.h>

#include "compiler/yaml-tree.h"
#include "schema/fleet-clock.h"
#include "schema/fleet-diagnostics.h"
#include "schema/fleet-workflow.h"
#include "schema/workflow-schema.h"

G_BEGIN_DECLS

/* Any non-null scalar, with its length within the field's bounds.  The
 * result is a new string. */
gboolean fleet_scalar_to_string (FleetDiagnostics *diags,
                                 const FleetSchemaField *field,
                                 const FleetYamlNode *node,
                                 char **out);

/* A string that is also safe as a host, group or user name: printable, no
 * whitespace, and no leading '-' that a command would read as an option. */
gboolean fleet_scalar_to_name (FleetDiagnostics *diags,
                               const FleetSchemaField *field,
                               const FleetYamlNode *node,
                               char **out);

/* Return why `name` cannot be a host, group or user name, or NULL when it
 * can: it must be printable, without whitespace, and must not start with
 * '-'.  `name` must be valid UTF-8, which libyaml guarantees for scalars. */
const char *fleet_name_problem (const char *name);

/* The name of a secret: ASCII letters, digits, '.', '_' and '-', with the
 * length within the field's bounds.  A secret's value never appears in an
 * input file or a plan, only its name. */
gboolean fleet_scalar_to_secret_name (FleetDiagnostics *diags,
                                      const FleetSchemaField *field,
                                      const FleetYamlNode *node,
                                      char **out);

/* Plain true, True, TRUE, false, False or FALSE. */
gboolean fleet_scalar_to_bool (FleetDiagnostics *diags,
                               const FleetSchemaField *field,
                               const FleetYamlNode *node,
                               gboolean *out);

/* Plain decimal digits without sign or leading zeros. */
gboolean fleet_scalar_to_int (FleetDiagnostics *diags,
                              const FleetSchemaField *field,
                              const FleetYamlNode *node,
                              gint64 *out);

/* Plain whole seconds (`30`) or numbers with units in decreasing order
 * (`1h30m`, `90s`, `500ms`; units d, h, m, s, ms), in milliseconds. */
gboolean fleet_scalar_to_duration (FleetDiagnostics *diags,
                                   const FleetSchemaField *field,
                                   const FleetYamlNode *node,
                                   guint64 *out_ms);

/* Parse `text` in the duration forms above into milliseconds, saturating
 * at G_MAXUINT64.  Returns FALSE, leaving `out_ms` alone, when it is not a
 * duration.  For command-line options such as `fleetc compile --expires`. */
gboolean fleet_parse_duration (const char *text, guint64 *out_ms);

/* A plain host count within the field's bounds, or a percentage from 1% to
 * 100%.  The position of `out` is set to the node's. */
gboolean fleet_scalar_to_batch (FleetDiagnostics *diags,
                                const FleetSchemaField *field,
                                const FleetYamlNode *node,
                                FleetBatch *out);

/* A failure threshold of `halt_at`: a plain host count within the field's
 * bounds, a percentage from 1% to 100%, or `unlimited`.  The percentage and
 * `unlimited` may be quoted.  0 and 0% are errors whose message explains
 * that 1 already halts at the first failure. */
gboolean fleet_scalar_to_threshold (FleetDiagnostics *diags,
                                    const FleetSchemaField *field,
                                    const FleetYamlNode *node,
                                    FleetThreshold *out);

/* A plain host count within the field's bounds, or a percentage from 1% to
 * 100%, plain or quoted: FLEET_THRESHOLD_COUNT or FLEET_THRESHOLD_PERCENT. */
gboolean fleet_scalar_to_count_or_percent (FleetDiagnostics *diags,
                                           const FleetSchemaField *field,
                                           const FleetYamlNode *node,
                                           FleetThreshold *out);

/* Copy a mapping of attribute names to scalars into `out` (char * to
 * char *), the values kept verbatim as strings.  A null or non-scalar value
 * and an empty or null name are errors.  When `positions` is not NULL it receives a
 * new FleetSourcePos of each name's key, unless it already has the name. */
void fleet_mapping_to_strings (FleetDiagnostics *diags,
                               const FleetSchemaField *field,
                               const FleetYamlNode *mapping,
                               GHashTable *out,
                               GHashTable *positions);

G_END_DECLS
