/* step-order.c: a stable topological order of the steps; the rules are in
 * step-order.h. */
#include "compiler/step-order.h"

#include "compiler/yaml-tree.h"
#include "schema/fleet-model.h"

/* Maximum characters of a step name quoted in a message. */
#define QUOTE_MAX_CHARS FLEET_QUOTE_MAX_CHARS

/* Fill `edges` (one GArray of guint per step: the indices of the steps it
 * needs) and return FALSE after reporting unknown names.  The edges of the
 * known names are filled either way, so that a cycle among them is
 * reported in the same pass. */
static gboolean
collect_edges (FleetDiagnostics *diags, GPtrArray *steps, GPtrArray *edges)
{
  g_autoptr (GHashTable) index_by_name = g_hash_table_new (g_str_hash, g_str_equal);
  gboolean ok = TRUE;

  for (guint i = 0; i < steps->len; i++)
    {
      FleetStep *step = g_ptr_array_index (steps, i);

      if (step->name != NULL && !g_hash_table_contains (index_by_name, step->name))
        g_hash_table_insert (index_by_name, step->name, GUINT_TO_POINTER (i + 1));
    }

  for (guint i = 0; i < steps->len; i++)
    {
      FleetStep *step = g_ptr_array_index (steps, i);
      GArray *needed = g_array_new (FALSE, FALSE, sizeof (guint));

      g_ptr_array_add (edges, needed);
      for (guint n = 0; step->needs != NULL && n < step->needs->len; n++)
        {
          const char *name = g_ptr_array_index (step->needs, n);
          guint index = GPOINTER_TO_UINT (g_hash_table_lookup (index_by_name, name));
          g_autofree char *quoted = fleet_quote_value (name, QUOTE_MAX_CHARS);

          if (index == 0)
            {
              fleet_diagnostics_error (diags, &step->needs_pos,
                                       "\"needs\" names step %s, which does not exist; name a "
                                       "step of this workflow",
                                       quoted);
              ok = FALSE;
              continue;
            }
          if (index - 1 == i)
            {
              fleet_diagnostics_error (diags, &step->needs_pos,
                                       "step %s needs itself; remove its own name from "
                                       "\"needs\"",
                                       quoted);
              ok = FALSE;
              continue;
            }
          index--;
          g_array_append_val (needed, index);
        }
    }

  return ok;
}

/* Report one cycle among the steps not `placed`: follow the first unplaced
 * need from an unplaced step until a step repeats. */
static void
report_cycle (FleetDiagnostics *diags, GPtrArray *steps, GPtrArray *edges, const gboolean *placed)
{
  g_autofree guint *seen_at = g_new0 (guint, steps->len);
  g_autoptr (GArray) path = g_array_new (FALSE, FALSE, sizeof (guint));
  g_autoptr (GString) names = g_string_new (NULL);
  const FleetStep *first;
  guint current = 0;

  while (placed[current])
    current++;

  while (seen_at[current] == 0)
    {
      GArray *needed = g_ptr_array_index (edges, current);

      g_array_append_val (path, current);
      seen_at[current] = path->len;
      for (guint n = 0; n < needed->len; n++)
        if (!placed[g_array_index (needed, guint, n)])
          {
            current = g_array_index (needed, guint, n);
            break;
          }
    }

  /* The cycle runs from the repeated step's first visit to the end of the
   * path, each step needing the next. */
  for (guint i = seen_at[current] - 1; i < path->len; i++)
    {
      const FleetStep *step = g_ptr_array_index (steps, g_array_index (path, guint, i));

      g_string_append_printf (names, "%s -> ", step->name);
    }
  first = g_ptr_array_index (steps, current);
  g_string_append (names, first->name);

  fleet_diagnostics_error (diags, &first->needs_pos,
                           "steps need each other in a cycle: %s (each needs the next); "
                           "remove one of these needs",
                           names->str);
}

void
fleet_order_steps (FleetDiagnostics *diags, GPtrArray *steps)
{
  g_autoptr (GPtrArray) edges = g_ptr_array_new_with_free_func ((GDestroyNotify) g_array_unref);
  g_autofree gboolean *placed = g_new0 (gboolean, steps->len + 1);
  g_autoptr (GPtrArray) ordered = g_ptr_array_new ();
  gboolean names_known = collect_edges (diags, steps, edges);

  /* Kahn's algorithm, always taking the first ready step in written order.
   * Each pick scans every step, which is quadratic but steps are few. */
  while (ordered->len < steps->len)
    {
      guint ready = steps->len;

      for (guint i = 0; i < steps->len && ready == steps->len; i++)
        {
          GArray *needed = g_ptr_array_index (edges, i);
          gboolean met = !placed[i];

          for (guint n = 0; met && n < needed->len; n++)
            met = placed[g_array_index (needed, guint, n)];
          if (met)
            ready = i;
        }

      if (ready == steps->len)
        {
          report_cycle (diags, steps, edges, placed);
          return;
        }

      placed[ready] = TRUE;
      g_ptr_array_add (ordered, g_ptr_array_index (steps, ready));
    }

  /* `steps` owns the steps: move them without freeing.  With an unknown
   * name the order is incomplete, and the workflow is rejected anyway. */
  if (!names_known)
    return;
  for (guint i = 0; i < ordered->len; i++)
    steps->pdata[i] = g_ptr_array_index (ordered, i);
}
