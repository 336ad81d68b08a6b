/* plan-checks.c: HTTP check URLs checked against the plan's hosts; the
 * rules are in plan-checks.h. */
#include "planner/plan-checks.h"

#include "schema/fleet-check.h"
#include "schema/fleet-template.h"

/* Maximum characters of a host name quoted in a message. */
#define QUOTE_MAX_CHARS 60

/* Return whether `name` is filled from the host itself on `host`, in the
 * order render_url of fleet-check-run.c looks it up. */
static gboolean
host_has_value (const FleetHost *host, const char *name)
{
  return g_str_equal (name, "name") || g_str_equal (name, "address")
         || g_hash_table_contains (host->attributes, name);
}

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

static void
report_undefined (FleetDiagnostics *diags, const FleetCheck *check, const FleetTemplateRef *ref,
                  const FleetSourcePos *pos, const char *first_host, guint n_hosts)
{
  g_autofree char *quoted_check = fleet_quote_value (check->name, QUOTE_MAX_CHARS);
  g_autofree char *quoted_host = fleet_quote_value (first_host, QUOTE_MAX_CHARS);
  g_autofree char *others = n_hosts > 1 ? g_strdup_printf (" and %u other host%s", n_hosts - 1,
                                                          n_hosts > 2 ? "s" : "")
                                        : g_strdup ("");

  fleet_diagnostics_error (diags, pos,
                           "undefined variable \"%s\" in the URL of check %s on host %s%s; "
                           "use name, address, a host attribute or one of the workflow's "
                           "\"vars\"",
                           ref->name, quoted_check, quoted_host, others);
}

/* Check the URL of `check` on every host, and set `uses_vars` when a
 * host needs a workflow variable.  Returns FALSE after reporting. */
static gboolean
check_url (const FleetPlan *plan, const FleetWorkflow *workflow, const FleetCheck *check,
           gboolean *uses_vars, FleetDiagnostics *diags)
{
  g_autoptr(GPtrArray) refs = fleet_template_parse (check->url, NULL, NULL);
  gboolean complete = TRUE;

  /* The compiler rejected URLs that do not parse. */
  if (refs == NULL || check->url_ref_positions == NULL)
    return TRUE;

  for (guint r = 0; r < refs->len; r++)
    {
      const FleetTemplateRef *ref = g_ptr_array_index (refs, r);
      const char *first_host = NULL;
      guint missing = 0;

      if (ref->name == NULL)
        continue;

      for (guint h = 0; h < plan->hosts->len; h++)
        {
          const FleetHost *host = g_ptr_array_index (plan->hosts, h);

          if (host_has_value (host, ref->name))
            continue;
          if (g_hash_table_contains (workflow->vars, ref->name))
            {
              *uses_vars = TRUE;
              continue;
            }
          if (missing++ == 0)
            first_host = host->name;
        }
      if (missing == 0)
        continue;

      report_undefined (diags, check, ref,
                        &g_array_index (check->url_ref_positions, FleetSourcePos, r),
                        first_host, missing);
      complete = FALSE;
    }
  return complete;
}

gboolean
fleet_planner_check_urls (FleetPlan *plan, const FleetWorkflow *workflow,
                          FleetDiagnostics *diags)
{
  gboolean complete = TRUE;
  gboolean uses_vars = FALSE;

  for (guint i = 0; i < plan->checks->len; i++)
    {
      FleetCheck *check = g_ptr_array_index (plan->checks, i);

      if (check->kind == FLEET_CHECK_HTTP && check->url != NULL
          && !check_url (plan, workflow, check, &uses_vars, diags))
        complete = FALSE;
      g_clear_pointer (&check->url_ref_positions, g_array_unref);
    }

  /* fleet-run reads the workflow's variables from the plan. */
  if (uses_vars && plan->vars == NULL)
    plan->vars = copy_vars (workflow->vars);
  return complete;
}
