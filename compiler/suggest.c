/* suggest.c: "did you mean" suggestions and name lists for messages. */
#include "compiler/suggest.h"

#include <string.h>

#include "compiler/yaml-tree.h"

char *
fleet_join_names (const char * const *names, gsize n_names, gsize max_shown)
{
  GString *text = g_string_new (NULL);

  for (gsize i = 0; i < n_names && i < max_shown; i++)
    {
      if (i > 0)
        g_string_append (text, ", ");
      g_string_append (text, names[i]);
    }

  if (n_names > max_shown)
    g_string_append_printf (text, " and %" G_GSIZE_FORMAT " more", n_names - max_shown);

  return g_string_free (text, FALSE);
}

/* At most this many defined names are listed after an unknown one. */
#define MAX_LISTED_NAMES 10

static int
compare_names (gconstpointer a, gconstpointer b)
{
  return strcmp (*(const char * const *) a, *(const char * const *) b);
}

GPtrArray *
fleet_sorted_names (GHashTable *table)
{
  GPtrArray *names = g_ptr_array_new ();
  GHashTableIter iter;
  gpointer key;

  g_hash_table_iter_init (&iter, table);
  while (g_hash_table_iter_next (&iter, &key, NULL))
    g_ptr_array_add (names, key);

  g_ptr_array_sort (names, compare_names);
  return names;
}

void
fleet_report_unknown_name (FleetDiagnostics *diags,
                           const FleetSourcePos *pos,
                           const char *kind,
                           const char *name,
                           const char *where,
                           const GPtrArray *defined)
{
  g_autofree char *quoted = fleet_quote_value (name, FLEET_QUOTE_MAX_CHARS);
  g_autofree char *quoted_suggestion = NULL;
  g_autofree char *listed = NULL;
  const char *suggestion = NULL;
  const char * const *names = (const char * const *) defined->pdata;

  if (defined->len == 0)
    {
      fleet_diagnostics_error (diags, pos, "unknown %s %s%s; the inventory defines no %ss",
                               kind, quoted, where, kind);
      return;
    }

  /* Errors past the stored maximum are only counted, so skip the search. */
  if (fleet_diagnostics_length (diags) < FLEET_DIAGNOSTICS_MAX_STORED)
    suggestion = fleet_suggest_name (name, names, defined->len);

  listed = fleet_join_names (names, defined->len, MAX_LISTED_NAMES);
  if (suggestion != NULL)
    {
      quoted_suggestion = fleet_quote_value (suggestion, FLEET_QUOTE_MAX_CHARS);
      fleet_diagnostics_error (diags, pos, "unknown %s %s%s; did you mean %s? The inventory defines: %s",
                               kind, quoted, where, quoted_suggestion, listed);
    }
  else
    fleet_diagnostics_error (diags, pos, "unknown %s %s%s; the inventory defines: %s",
                             kind, quoted, where, listed);
}
