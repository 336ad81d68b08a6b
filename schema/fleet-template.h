/* fleet-template.h: `{{ name }}` references in step commands.
 *
 * A template is command text with references in double braces:
 *
 *   reference := "{{" ws* ( name ws* ( "|" ws* "raw" ws* )? | "'" text "'" ws* ) "}}"
 *   name      := [A-Za-z_] [A-Za-z0-9_]*
 *
 * A name is replaced by its value in single quotes, with every ' written as
 * '\'' (POSIX sh quoting, which passes every byte but NUL through as data).
 * Inside a double-quoted string of the command the value is inserted with a
 * backslash before each $, `, " and \ instead, so `echo "{{ name }}"` also
 * prints the value exactly.
 * `| raw` inserts the value verbatim, for values that are shell syntax on
 * purpose.  A quoted text, such as {{ '{{' }}, is inserted verbatim; it is
 * the way to write literal double braces.  `{{ secret.NAME }}` is rejected:
 * secrets reach only sudo and key passphrases, never a command line.
 *
 * The module performs no I/O.  Offsets are byte offsets into the template.
 */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

#define FLEET_TEMPLATE_ERROR (fleet_template_error_quark ())

typedef enum {
  FLEET_TEMPLATE_ERROR_SYNTAX,    /* malformed reference */
  FLEET_TEMPLATE_ERROR_SECRET,    /* {{ secret.NAME }} in a command */
  FLEET_TEMPLATE_ERROR_UNDEFINED, /* a name with no value */
} FleetTemplateError;

GQuark fleet_template_error_quark (void);

/* One reference of a template. */
typedef struct {
  char *name;            /* variable name; NULL for a quoted text */
  char *text;            /* quoted text; NULL for a variable */
  gboolean raw;          /* `| raw`: insert the value without quoting */
  gsize offset;          /* offset of the opening "{{" */
  gsize length;          /* bytes from "{{" to "}}" inclusive */
} FleetTemplateRef;

void fleet_template_ref_free (FleetTemplateRef *ref);

/* Parse the references of `text`.  Returns a new array of
 * FleetTemplateRef * in text order (empty when there are none), or NULL
 * with a FLEET_TEMPLATE_ERROR and the offset of the faulty "{{" in
 * `out_error_offset`. */
GPtrArray *fleet_template_parse (const char *text, gsize *out_error_offset, GError **error);

/* Return whether `text` is a valid variable name. */
gboolean fleet_template_is_name (const char *text);

/* Return whether `text` contains a reference start "{{". */
gboolean fleet_template_has_refs (const char *text);

/* Return whether byte `offset` of the shell command `text` lies inside a
 * double-quoted string, following POSIX sh quoting: single quotes, double
 * quotes and backslash escapes.  A quoted value inserted there keeps its
 * single quotes as literal characters, which is almost never what the
 * author meant.  Here-documents and $(...) nesting are not followed. */
gboolean fleet_shell_offset_in_double_quotes (const char *text, gsize offset);

/* Return `value` quoted for a POSIX shell: in single quotes, with each '
 * written as '\''.  The empty string gives ''. */
char *fleet_shell_quote (const char *value);

/* Render `text`, whose references `refs` came from fleet_template_parse,
 * with the values in `values` (char * name -> char * value).  Returns the
 * new string, or NULL with FLEET_TEMPLATE_ERROR_UNDEFINED and the index of
 * the first reference without a value in `out_missing_index`. */
char *fleet_template_render (const char *text,
                             const GPtrArray *refs,
                             GHashTable *values,
                             guint *out_missing_index,
                             GError **error);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (FleetTemplateRef, fleet_template_ref_free)

G_END_DECLS
