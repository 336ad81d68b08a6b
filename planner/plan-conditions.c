/* plan-conditions.c: step conditions decided at compile time; the rules
 * are in plan-conditions.h. */
#include "planner/plan-conditions.h"

#include <string.h>

#include "schema/fleet-condition.h"
#include "schema/fleet-facts.h"
#include "schema/fleet-suggest.h"

/* Maximum characters of a step name quoted in a message. */
#define QUOTE_MAX_CHARS 60

static GHashTable *
copy_vars (GHashTable *vars)
{
  GHashTable *copy = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, g_free);
  GHashTableIter iter;
  gpointer key, value;

  g_hash_table_iter_init (&iter, vars);
  while (g_hash_table_iter_next (&iter, &key, &value))
    g_hash_table_insert (copy, g_strdup (key), g_strdup (value));
  return copy;
}

/* Evaluate the condition of `step` on every host of `plan`.  Returns FALSE
 * after reporting an error. */
static gboolean
decide_step (FleetDiagnostics *diags, const FleetPlan *plan, const FleetWorkflow *workflow,
             FleetStep *step, const FleetExpr *expr)
{
  g_autofree char *quoted_name = fleet_quote_value (step->name, QUOTE_MAX_CHARS);

  step->skipped_hosts = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, g_free);
  for (guint i = 0; i < plan->hosts->len; i++)
    {
      const FleetHost *host = g_ptr_array_index (plan->hosts, i);
      g_autoptr (GError) error = NULL;
      g_autofree char *reason = NULL;
      gboolean result = FALSE;

      if (!fleet_condition_evaluate (expr, step->when, host, workflow->vars, NULL, NULL,
                                     &result, &reason, &error))
        {
          g_autofree char *quoted_host = fleet_quote_value (host->name, QUOTE_MAX_CHARS);

          fleet_diagnostics_error (diags, &step->when_pos,
                                   "condition of step %s failed on host %s: %s",
                                   quoted_name, quoted_host, error->message);
          return FALSE;
        }

      if (!result)
        g_hash_table_insert (step->skipped_hosts, g_strdup (host->name), g_steal_pointer (&reason));
    }

  if (g_hash_table_size (step->skipped_hosts) == plan->hosts->len)
    fleet_diagnostics_warning (diags, &step->when_pos,
                               "the condition of step %s is false for every selected host, "
                               "so the step runs nowhere",
                               quoted_name);

  if (g_hash_table_size (step->skipped_hosts) == 0)
    g_clear_pointer (&step->skipped_hosts, g_hash_table_unref);
  g_clear_pointer (&step->when, g_free);
  return TRUE;
}

/* Warn about each name of `expr` that no selected host has as an attribute
 * and no workflow variable defines: it is unknown on every host, so every
 * comparison with it is false, which is almost always a misspelling. */

/* GCompareFunc for a GPtrArray of strings: it is given pointers to the
 * elements. */
static int
compare_names (gconstpointer a, gconstpointer b)
{
  return strcmp (*(const char * const *) a, *(const char * const *) b);
}

static void
warn_about_unknown_names (FleetDiagnostics *diags, const FleetPlan *plan,
                          const FleetWorkflow *workflow, const FleetStep *step,
                          const FleetExpr *expr)
{
  g_autoptr (GPtrArray) used = g_ptr_array_new_with_free_func (g_free);
  g_autoptr (GHashTable) known = g_hash_table_new (g_str_hash, g_str_equal);
  g_autoptr (GPtrArray) candidates = g_ptr_array_new ();
  GHashTableIter iter;
  gpointer key;

  fleet_expr_collect_names (expr, used);
  g_hash_table_add (known, (gpointer) "name");
  g_hash_table_add (known, (gpointer) "groups");
  for (guint i = 0; i < plan->hosts->len; i++)
    {
      const FleetHost *host = g_ptr_array_index (plan->hosts, i);

      g_hash_table_iter_init (&iter, host->attributes);
      while (g_hash_table_iter_next (&iter, &key, NULL))
        g_hash_table_add (known, key);
    }
  if (workflow->vars != NULL)
    {
      g_hash_table_iter_init (&iter, workflow->vars);
      while (g_hash_table_iter_next (&iter, &key, NULL))
        g_hash_table_add (known, key);
    }

  g_hash_table_iter_init (&iter, known);
  while (g_hash_table_iter_next (&iter, &key, NULL))
    g_ptr_array_add (candidates, key);
  g_ptr_array_sort (candidates, compare_names);

  for (guint i = 0; i < used->len; i++)
    {
      const char *name = g_ptr_array_index (used, i);
      g_autofree char *quoted_step = NULL;
      g_autofree char *quoted_name = NULL;
      const char *suggestion;

      if (g_str_has_prefix (name, "steps.") || g_str_has_prefix (name, "facts.")
          || g_hash_table_contains (known, name))
        continue;

      quoted_step = fleet_quote_value (step->name, QUOTE_MAX_CHARS);
      quoted_name = fleet_quote_value (name, QUOTE_MAX_CHARS);
      /* "host.role" or "vars.pkg": attributes and variables take no prefix. */
      suggestion = strrchr (name, '.');
      if (suggestion != NULL && g_hash_table_contains (known, suggestion + 1))
        suggestion++;
      else
        suggestion = fleet_suggest_name (name, (const char * const *) candidates->pdata,
                                         candidates->len);
      if (suggestion != NULL)
        {
          g_autofree char *quoted_suggestion = fleet_quote_value (suggestion, QUOTE_MAX_CHARS);

          fleet_diagnostics_warning (diags, &step->when_pos,
                                     "the condition of step %s names %s, which no selected host "
                                     "has as an attribute and no variable defines, so every "
                                     "comparison with it is false; did you mean %s?",
                                     quoted_step, quoted_name, quoted_suggestion);
        }
      else
        fleet_diagnostics_warning (diags, &step->when_pos,
                                   "the condition of step %s names %s, which no selected host "
                                   "has as an attribute and no variable defines, so every "
                                   "comparison with it is false",
                                   quoted_step, quoted_name);
    }
}

/* Mark the plan for fact gathering when the condition names a fact, and
 * report each `facts.NAME` that fleet-run does not gather: it would be
 * unknown on every host, so its step would be skipped everywhere.
 * Returns FALSE when it reported an error. */
static gboolean
check_facts (FleetDiagnostics *diags, FleetPlan *plan, const FleetStep *step, const FleetExpr *expr)
{
  g_autoptr (GPtrArray) names = g_ptr_array_new_with_free_func (g_free);
  gboolean valid = TRUE;

  fleet_expr_collect_names (expr, names);
  for (guint i = 0; i < names->len; i++)
    {
      const char *name = g_ptr_array_index (names, i);
      g_autofree char *quoted_step = NULL;
      g_autofree char *known = NULL;

      if (!g_str_has_prefix (name, "facts."))
        continue;

      plan->gather_facts = TRUE;
      if (fleet_facts_is_name (name + strlen ("facts.")))
        continue;

      quoted_step = fleet_quote_value (step->name, QUOTE_MAX_CHARS);
      known = g_strjoinv (", facts.", (char **) fleet_facts_names ());
      fleet_diagnostics_error (diags, &step->when_pos,
                               "the condition of step %s names %s, which is not a fact "
                               "fleet-run gathers; use one of facts.%s",
                               quoted_step, name, known);
      valid = FALSE;
    }
  return valid;
}

gboolean
fleet_planner_decide_conditions (FleetPlan *plan,
                                 const FleetWorkflow *workflow,
                                 FleetDiagnostics *diags)
{
  gboolean ok = TRUE;
  gboolean run_time = FALSE;

  for (guint i = 0; i < plan->steps->len; i++)
    {
      FleetStep *step = g_ptr_array_index (plan->steps, i);
      g_autoptr (FleetExpr) expr = NULL;

      if (step->when == NULL)
        continue;

      /* A condition that does not parse is a compile error.  The planner
       * meets one only when it checks a rejected workflow
       * (fleet_planner_check). */
      expr = fleet_expr_parse (step->when, NULL);
      if (expr == NULL)
        {
          ok = FALSE;
          continue;
        }

      warn_about_unknown_names (diags, plan, workflow, step, expr);

      if (fleet_condition_needs_run_time (expr))
        {
          if (!check_facts (diags, plan, step, expr))
            ok = FALSE;
          run_time = TRUE;
          continue;
        }

      if (!decide_step (diags, plan, workflow, step, expr))
        ok = FALSE;
    }

  if (run_time && g_hash_table_size (workflow->vars) > 0)
    plan->vars = copy_vars (workflow->vars);
  return ok;
}
