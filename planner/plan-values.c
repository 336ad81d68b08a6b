/* plan-values.c: step settings rendered per host; the rules are in
 * plan-values.h and fleet-step-values.h. */
#include "planner/plan-values.h"

#include "planner/plan-commands.h"
#include "schema/fleet-step-values.h"
#include "schema/fleet-template.h"

/* Maximum characters of a host name or a rendered value quoted in a
 * message. */
#define QUOTE_MAX_CHARS 60

/* Problems of one value template over all hosts, each reported once. */
typedef struct {
  guint *missing_counts;        /* per reference: hosts without its variable */
  const char **first_missing;   /* per reference: the first such host */
  const char *invalid_host;     /* the first host whose rendering is invalid */
  char *invalid_rendering;
  const char *invalid_problem;
} ValueProblems;

static const char *
describe_syntax (FleetStepValueSyntax syntax)
{
  switch (syntax)
    {
    case FLEET_STEP_VALUE_ABSOLUTE_PATH:
      return "an absolute path, starting with /";
    case FLEET_STEP_VALUE_FILE_PATH:
      return "the absolute path of a file, such as /etc/motd";
    case FLEET_STEP_VALUE_TEXT:
    case FLEET_STEP_VALUE_SHELL_COMMAND:
    default:
      return "a value that is not empty";
    }
}

static void
report_problems (FleetDiagnostics *diags, const FleetStepValueTemplate *value,
                 const ValueProblems *problems)
{
  for (guint r = 0; r < value->refs->len; r++)
    {
      const FleetTemplateRef *ref = g_ptr_array_index (value->refs, r);
      const FleetSourcePos *pos = &g_array_index (value->ref_positions, FleetSourcePos, r);
      guint n_hosts = problems->missing_counts[r];
      g_autofree char *quoted_host = NULL;
      g_autofree char *others = NULL;

      if (n_hosts == 0)
        continue;
      quoted_host = fleet_quote_value (problems->first_missing[r], QUOTE_MAX_CHARS);
      others = n_hosts > 1 ? g_strdup_printf (" and %u other host%s", n_hosts - 1,
                                              n_hosts > 2 ? "s" : "")
                           : g_strdup ("");
      fleet_diagnostics_error (diags, pos,
                               "undefined variable \"%s\" on host %s%s; define it in the "
                               "workflow's \"vars\" or as a host attribute",
                               ref->name, quoted_host, others);
    }

  if (problems->invalid_host != NULL)
    {
      g_autofree char *quoted_host = fleet_quote_value (problems->invalid_host, QUOTE_MAX_CHARS);
      g_autofree char *quoted_value = fleet_quote_value (problems->invalid_rendering,
                                                         QUOTE_MAX_CHARS);

      fleet_diagnostics_error (diags, &value->pos,
                               "invalid value for \"%s\" on host %s: %s %s; check the variables "
                               "it uses, which must give %s",
                               value->key, quoted_host, quoted_value, problems->invalid_problem,
                               describe_syntax (value->syntax));
    }
}

/* Render `value` with `variables`, the host's, into `out_values`, or note
 * what is wrong in `problems`.  Returns FALSE on a problem. */
static gboolean
render_value (const FleetStepValueTemplate *value, const char *host_name, GHashTable *variables,
              GHashTable *out_values, ValueProblems *problems)
{
  g_autofree char *rendered = NULL;
  const char *problem = NULL;
  gboolean defined = TRUE;

  /* Every reference counts, so that one compile reports each undefined
   * variable. */
  for (guint r = 0; r < value->refs->len; r++)
    {
      const FleetTemplateRef *ref = g_ptr_array_index (value->refs, r);

      if (ref->name == NULL || g_hash_table_contains (variables, ref->name))
        continue;
      if (problems->missing_counts[r]++ == 0)
        problems->first_missing[r] = host_name;
      defined = FALSE;
    }
  if (!defined)
    return FALSE;

  rendered = fleet_template_render (value->text, value->refs, variables, &(guint) { 0 }, NULL);
  if (!fleet_step_value_check (value, rendered, &problem))
    {
      if (problems->invalid_host == NULL)
        {
          problems->invalid_host = host_name;
          problems->invalid_rendering = g_steal_pointer (&rendered);
          problems->invalid_problem = problem;
        }
      return FALSE;
    }

  g_hash_table_replace (out_values, g_strdup (value->key), g_steal_pointer (&rendered));
  return TRUE;
}

static gboolean
render_step (FleetDiagnostics *diags, const FleetPlan *plan, GPtrArray *host_variables,
             FleetStep *step)
{
  GPtrArray *templates = step->values->templates;
  g_autofree ValueProblems *problems = g_new0 (ValueProblems, templates->len);
  gboolean complete = TRUE;

  for (guint t = 0; t < templates->len; t++)
    {
      const FleetStepValueTemplate *value = g_ptr_array_index (templates, t);

      problems[t].missing_counts = g_new0 (guint, value->refs->len);
      problems[t].first_missing = g_new0 (const char *, value->refs->len);
    }

  step->values->host_values = g_hash_table_new_full (g_str_hash, g_str_equal, g_free,
                                                     (GDestroyNotify) g_hash_table_unref);
  for (guint i = 0; i < plan->hosts->len; i++)
    {
      const FleetHost *host = g_ptr_array_index (plan->hosts, i);
      GHashTable *values;

      if (step->skipped_hosts != NULL && g_hash_table_contains (step->skipped_hosts, host->name))
        continue;

      values = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, g_free);
      g_hash_table_insert (step->values->host_values, g_strdup (host->name), values);
      for (guint t = 0; t < templates->len; t++)
        if (!render_value (g_ptr_array_index (templates, t), host->name,
                           g_ptr_array_index (host_variables, i), values, &problems[t]))
          complete = FALSE;
    }

  for (guint t = 0; t < templates->len; t++)
    {
      report_problems (diags, g_ptr_array_index (templates, t), &problems[t]);
      g_free (problems[t].missing_counts);
      g_free (problems[t].first_missing);
      g_free (problems[t].invalid_rendering);
    }
  return complete;
}

gboolean
fleet_planner_render_values (FleetPlan *plan, const FleetWorkflow *workflow,
                             FleetDiagnostics *diags)
{
  g_autoptr(GPtrArray) host_variables = g_ptr_array_new_with_free_func (
    (GDestroyNotify) g_hash_table_unref);
  gboolean complete = TRUE;

  for (guint i = 0; i < plan->hosts->len; i++)
    g_ptr_array_add (host_variables,
                     fleet_planner_host_variables (workflow, g_ptr_array_index (plan->hosts, i)));

  for (guint i = 0; i < plan->steps->len; i++)
    {
      FleetStep *step = g_ptr_array_index (plan->steps, i);

      if (step->values == NULL || step->values->templates == NULL)
        continue;
      if (!render_step (diags, plan, host_variables, step))
        complete = FALSE;
      g_clear_pointer (&step->values->templates, g_ptr_array_unref);
    }

  return complete;
}
