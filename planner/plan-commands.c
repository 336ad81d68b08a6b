/* plan-commands.c: `{{ name }}` references rendered per host; the rules
 * are in plan-commands.h and fleet-template.h. */
#include "planner/plan-commands.h"

#include "schema/fleet-template.h"

/* Maximum characters of a host name quoted in a message. */
#define QUOTE_MAX_CHARS 60

GHashTable *
fleet_planner_host_variables (const FleetWorkflow *workflow, const FleetHost *host)
{
  GHashTable *variables = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, g_free);
  GHashTableIter iter;
  gpointer key, value;

  g_hash_table_insert (variables, g_strdup (FLEET_INVENTORY_HOSTNAME_VARIABLE),
                       g_strdup (host->name));

  g_hash_table_iter_init (&iter, workflow->vars);
  while (g_hash_table_iter_next (&iter, &key, &value))
    g_hash_table_replace (variables, g_strdup (key), g_strdup (value));

  g_hash_table_iter_init (&iter, host->attributes);
  while (g_hash_table_iter_next (&iter, &key, &value))
    g_hash_table_replace (variables, g_strdup (key), g_strdup (value));

  return variables;
}

/* Report that reference `index` of `step` has no value on `n_hosts` hosts,
 * the first being `first_host`. */
static void
report_undefined (FleetDiagnostics *diags, const FleetStep *step, guint index,
                  const char *first_host, guint n_hosts)
{
  const FleetTemplateRef *ref = g_ptr_array_index (step->command_refs, index);
  const FleetSourcePos *pos = &g_array_index (step->command_ref_positions, FleetSourcePos, index);
  g_autofree char *quoted_host = fleet_quote_value (first_host, QUOTE_MAX_CHARS);
  g_autofree char *others = n_hosts > 1 ? g_strdup_printf (" and %u other host%s", n_hosts - 1,
                                                          n_hosts > 2 ? "s" : "")
                                        : g_strdup ("");

  fleet_diagnostics_error (diags, pos,
                           "undefined variable \"%s\" on host %s%s; define it in the "
                           "workflow's \"vars\" or as a host attribute",
                           ref->name, quoted_host, others);
}

/* Render `step` for every host, whose variables are `host_variables`
 * (GHashTable *, in plan->hosts order).  Returns FALSE after reporting
 * undefined variables. */
static gboolean
render_step (FleetDiagnostics *diags, const FleetPlan *plan, GPtrArray *host_variables,
             FleetStep *step)
{
  guint n_refs = step->command_refs->len;
  g_autofree guint *missing_counts = g_new0 (guint, n_refs);
  g_autofree const char **first_missing = g_new0 (const char *, n_refs);
  gboolean complete = TRUE;

  step->host_commands = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, g_free);
  for (guint i = 0; i < plan->hosts->len; i++)
    {
      const FleetHost *host = g_ptr_array_index (plan->hosts, i);
      GHashTable *variables = g_ptr_array_index (host_variables, i);
      g_autofree char *command = NULL;
      gboolean defined = TRUE;

      if (step->skipped_hosts != NULL && g_hash_table_contains (step->skipped_hosts, host->name))
        continue;

      /* Every reference counts, not only the first missing one, so that
       * one run reports each undefined variable. */
      for (guint r = 0; r < n_refs; r++)
        {
          const FleetTemplateRef *ref = g_ptr_array_index (step->command_refs, r);

          if (ref->name == NULL || g_hash_table_contains (variables, ref->name))
            continue;
          if (missing_counts[r]++ == 0)
            first_missing[r] = host->name;
          defined = FALSE;
        }
      if (!defined)
        {
          complete = FALSE;
          continue;
        }

      command = fleet_template_render (step->command, step->command_refs, variables, &(guint) { 0 },
                                       NULL);
      g_hash_table_insert (step->host_commands, g_strdup (host->name), g_steal_pointer (&command));
    }

  for (guint r = 0; r < n_refs; r++)
    if (missing_counts[r] > 0)
      report_undefined (diags, step, r, first_missing[r], missing_counts[r]);

  return complete;
}

gboolean
fleet_planner_render_commands (FleetPlan *plan,
                               const FleetWorkflow *workflow,
                               FleetDiagnostics *diags)
{
  g_autoptr (GPtrArray) host_variables = g_ptr_array_new_with_free_func (
    (GDestroyNotify) g_hash_table_unref);
  gboolean complete = TRUE;

  for (guint i = 0; i < plan->hosts->len; i++)
    g_ptr_array_add (host_variables,
                     fleet_planner_host_variables (workflow, g_ptr_array_index (plan->hosts, i)));

  for (guint i = 0; i < plan->steps->len; i++)
    {
      FleetStep *step = g_ptr_array_index (plan->steps, i);

      if (step->command_refs != NULL && !render_step (diags, plan, host_variables, step))
        complete = FALSE;

      g_clear_pointer (&step->command_refs, g_ptr_array_unref);
      g_clear_pointer (&step->command_ref_positions, g_array_unref);
    }

  return complete;
}
