/* fleet-diagnostics.h: errors and warnings tied to positions in input files.
 *
 * The compiler and the planner report every problem they find here instead of
 * stopping at the first one.  The CLI prints them all, each as
 * `FILE:LINE:COLUMN: error: message` followed by the source line and a caret
 * under the offending column, then a count.
 */
#pragma once

#include <glib.h>

#include "schema/fleet-model.h"

G_BEGIN_DECLS

typedef enum {
  FLEET_SEVERITY_ERROR,
  FLEET_SEVERITY_WARNING,
} FleetSeverity;

typedef struct {
  FleetSeverity severity;
  FleetSourcePos pos;
  char *message;
} FleetDiagnostic;

/* Past this many errors further ones are counted but not stored, so one
 * broken file cannot flood the terminal. */
#define FLEET_DIAGNOSTICS_MAX_STORED 50

typedef struct FleetDiagnostics FleetDiagnostics;

FleetDiagnostics *fleet_diagnostics_new (void);
void fleet_diagnostics_free (FleetDiagnostics *diags);

/* Register the text of `file` (an interned string) so that formatted
 * diagnostics can quote its lines.  The text is copied. */
void fleet_diagnostics_add_source (FleetDiagnostics *diags,
                                   const char *file,
                                   const char *text,
                                   gsize length);

void fleet_diagnostics_error (FleetDiagnostics *diags,
                              const FleetSourcePos *pos,
                              const char *format,
                              ...) G_GNUC_PRINTF (3, 4);
void fleet_diagnostics_warning (FleetDiagnostics *diags,
                                const FleetSourcePos *pos,
                                const char *format,
                                ...) G_GNUC_PRINTF (3, 4);

guint fleet_diagnostics_error_count (const FleetDiagnostics *diags);
guint fleet_diagnostics_warning_count (const FleetDiagnostics *diags);

/* Stored diagnostics in the order they were reported; borrowed. */
guint fleet_diagnostics_length (const FleetDiagnostics *diags);
const FleetDiagnostic *fleet_diagnostics_get (const FleetDiagnostics *diags, guint index);

/* Return all diagnostics as text for a terminal, sorted by file, line and
 * column (those without a file last), each with its source line and caret,
 * ending with a summary line when there are errors.  Free with
 * g_free. */
char *fleet_diagnostics_format (const FleetDiagnostics *diags);

/* Return `value` in double quotes with control and non-ASCII bytes escaped and
 * at most `max_chars` characters kept (an ellipsis marks the cut), so that
 * untrusted input can be printed safely.  Free with g_free. */
char *fleet_quote_value (const char *value, gsize max_chars);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (FleetDiagnostics, fleet_diagnostics_free)

G_END_DECLS
