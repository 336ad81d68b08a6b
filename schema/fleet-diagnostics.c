/* fleet-diagnostics.c: collected, position-tagged compiler messages. */
#include "schema/fleet-diagnostics.h"

#include <string.h>

struct FleetDiagnostics {
  GPtrArray *items;          /* FleetDiagnostic * */
  GHashTable *sources;       /* interned file name -> GBytes of its text */
  guint n_errors;
  guint n_warnings;
};

static void
diagnostic_free (FleetDiagnostic *diagnostic)
{
  g_free (diagnostic->message);
  g_free (diagnostic);
}

FleetDiagnostics *
fleet_diagnostics_new (void)
{
  FleetDiagnostics *diags = g_new0 (FleetDiagnostics, 1);

  diags->items = g_ptr_array_new_with_free_func ((GDestroyNotify) diagnostic_free);
  diags->sources = g_hash_table_new_full (g_direct_hash, g_direct_equal, NULL,
                                          (GDestroyNotify) g_bytes_unref);
  return diags;
}

void
fleet_diagnostics_free (FleetDiagnostics *diags)
{
  if (diags == NULL)
    return;

  g_ptr_array_unref (diags->items);
  g_hash_table_unref (diags->sources);
  g_free (diags);
}

void
fleet_diagnostics_add_source (FleetDiagnostics *diags,
                              const char *file,
                              const char *text,
                              gsize length)
{
  g_hash_table_replace (diags->sources, (gpointer) g_intern_string (file),
                        g_bytes_new (text, length));
}

static void G_GNUC_PRINTF (4, 0)
add_diagnostic (FleetDiagnostics *diags,
                FleetSeverity severity,
                const FleetSourcePos *pos,
                const char *format,
                va_list args)
{
  FleetDiagnostic *diagnostic;

  if (severity == FLEET_SEVERITY_ERROR)
    diags->n_errors++;
  else
    diags->n_warnings++;

  if (diags->items->len >= FLEET_DIAGNOSTICS_MAX_STORED)
    return;

  diagnostic = g_new0 (FleetDiagnostic, 1);
  diagnostic->severity = severity;
  if (pos != NULL)
    diagnostic->pos = *pos;
  diagnostic->message = g_strdup_vprintf (format, args);
  g_ptr_array_add (diags->items, diagnostic);
}

void
fleet_diagnostics_error (FleetDiagnostics *diags,
                         const FleetSourcePos *pos,
                         const char *format,
                         ...)
{
  va_list args;

  va_start (args, format);
  add_diagnostic (diags, FLEET_SEVERITY_ERROR, pos, format, args);
  va_end (args);
}

void
fleet_diagnostics_warning (FleetDiagnostics *diags,
                           const FleetSourcePos *pos,
                           const char *format,
                           ...)
{
  va_list args;

  va_start (args, format);
  add_diagnostic (diags, FLEET_SEVERITY_WARNING, pos, format, args);
  va_end (args);
}

guint
fleet_diagnostics_error_count (const FleetDiagnostics *diags)
{
  return diags->n_errors;
}

guint
fleet_diagnostics_warning_count (const FleetDiagnostics *diags)
{
  return diags->n_warnings;
}

guint
fleet_diagnostics_length (const FleetDiagnostics *diags)
{
  return diags->items->len;
}

const FleetDiagnostic *
fleet_diagnostics_get (const FleetDiagnostics *diags, guint index)
{
  g_return_val_if_fail (index < diags->items->len, NULL);
  return g_ptr_array_index (diags->items, index);
}

/* Append line `line` (1-based) of `text` and a caret under `column`, with tabs
 * kept so that the caret lines up in a terminal. */
static void
append_source_excerpt (GString *out, GBytes *text, guint line, guint column)
{
  gsize length;
  const char *data = g_bytes_get_data (text, &length);
  const char *end = data + length;
  const char *start = data;
  const char *stop;
  g_autofree char *printable = NULL;

  if (length == 0)
    return;

  for (guint current = 1; current < line && start < end; current++)
    {
      const char *newline = memchr (start, '\n', end - start);
      if (newline == NULL)
        return;
      start = newline + 1;
    }

  stop = memchr (start, '\n', end - start);
  if (stop == NULL)
    stop = end;
  if (stop > start && stop[-1] == '\r')
    stop--;
  if (stop - start > 200)
    return;

  /* Input files are untrusted: invalid UTF-8 is replaced, and control
   * characters other than tabs (which keep the caret aligned) must not reach
   * the terminal. */
  printable = g_utf8_make_valid (start, stop - start);
  for (char *p = printable; *p != '\0'; p++)
    if (((unsigned char) *p < 0x20 && *p != '\t') || *p == 0x7f)
      *p = '?';
  g_string_append_printf (out, "  %s\n  ", printable);
  for (guint i = 1; i < column && i <= (guint) (stop - start); i++)
    g_string_append_c (out, start[i - 1] == '\t' ? '\t' : ' ');
  g_string_append (out, "^\n");
}

/* Order diagnostics by file name, line and column; those without a file
 * come last.  g_ptr_array_sort is stable, so diagnostics at one position
 * keep the order they were reported in.  It passes pointers to elements. */
static int
compare_positions (gconstpointer a, gconstpointer b)
{
  const FleetSourcePos *left = &(*(const FleetDiagnostic * const *) a)->pos;
  const FleetSourcePos *right = &(*(const FleetDiagnostic * const *) b)->pos;
  int files;

  if (left->file == NULL || right->file == NULL)
    return (left->file == NULL) - (right->file == NULL);

  files = strcmp (left->file, right->file);
  if (files != 0)
    return files;
  if (left->line != right->line)
    return left->line < right->line ? -1 : 1;
  if (left->column != right->column)
    return left->column < right->column ? -1 : 1;
  return 0;
}

char *
fleet_diagnostics_format (const FleetDiagnostics *diags)
{
  GString *out = g_string_new (NULL);
  guint not_shown = (diags->n_errors + diags->n_warnings) - diags->items->len;
  g_autoptr(GPtrArray) sorted = g_ptr_array_sized_new (diags->items->len);

  /* `sorted` borrows the diagnostics, so it has no free function. */
  for (guint i = 0; i < diags->items->len; i++)
    g_ptr_array_add (sorted, g_ptr_array_index (diags->items, i));
  g_ptr_array_sort (sorted, compare_positions);
  for (guint i = 0; i < sorted->len; i++)
    {
      const FleetDiagnostic *diagnostic = g_ptr_array_index (sorted, i);
      const char *label = diagnostic->severity == FLEET_SEVERITY_ERROR ? "error" : "warning";
      GBytes *text;

      if (diagnostic->pos.file != NULL && diagnostic->pos.line > 0)
        g_string_append_printf (out, "%s:%u:%u: %s: %s\n", diagnostic->pos.file,
                                diagnostic->pos.line, diagnostic->pos.column,
                                label, diagnostic->message);
      else if (diagnostic->pos.file != NULL)
        g_string_append_printf (out, "%s: %s: %s\n", diagnostic->pos.file, label,
                                diagnostic->message);
      else
        g_string_append_printf (out, "fleetc: %s: %s\n", label, diagnostic->message);

      text = diagnostic->pos.file != NULL
               ? g_hash_table_lookup (diags->sources, diagnostic->pos.file)
               : NULL;
      if (text != NULL && diagnostic->pos.line > 0)
        append_source_excerpt (out, text, diagnostic->pos.line, diagnostic->pos.column);
    }

  if (not_shown > 0)
    g_string_append_printf (out, "(%u more not shown)\n", not_shown);
  if (diags->n_errors > 0)
    g_string_append_printf (out, "%u error%s, %u warning%s\n", diags->n_errors,
                            diags->n_errors == 1 ? "" : "s", diags->n_warnings,
                            diags->n_warnings == 1 ? "" : "s");

  return g_string_free (out, FALSE);
}

char *
fleet_quote_value (const char *value, gsize max_chars)
{
  GString *out;
  gsize kept = 0;

  if (value == NULL)
    return g_strdup ("(null)");

  out = g_string_new ("\"");
  for (const unsigned char *p = (const unsigned char *) value; *p != '\0'; p++)
    {
      if (kept == max_chars)
        {
          g_string_append (out, "...");
          break;
        }

      if (*p == '"' || *p == '\\')
        g_string_append_printf (out, "\\%c", *p);
      else if (*p == '\n')
        g_string_append (out, "\\n");
      else if (*p == '\t')
        g_string_append (out, "\\t");
      else if (*p < 0x20 || *p >= 0x7f)
        g_string_append_printf (out, "\\x%02x", *p);
      else
        g_string_append_c (out, *p);
      kept++;
    }

  g_string_append_c (out, '"');
  return g_string_free (out, FALSE);
}
