/* plan-files.c: template files and `local` argv rendered per host; the
 * rules are in plan-files.h. */
#include "planner/plan-files.h"

#include <string.h>

#include "planner/plan-commands.h"
#include "schema/fleet-template.h"

/* Maximum characters of a host name quoted in a message. */
#define QUOTE_MAX_CHARS 60

/* Render `text` verbatim with `variables`.  Returns NULL and sets
 * `out_missing` to the first undefined name (borrowed from the refs)
 * when a variable is missing. */
static char *
render_verbatim (const char *text, GHashTable *variables, const char **out_missing)
{
  g_autoptr(GPtrArray) refs = fleet_template_parse (text, &(gsize) { 0 }, NULL);
  g_autoptr(GError) error = NULL;
  guint missing_index = 0;
  char *rendered;

  /* The compiler reported syntax errors already. */
  if (refs == NULL)
    return g_strdup (text);

  for (guint i = 0; i < refs->len; i++)
    ((FleetTemplateRef *) g_ptr_array_index (refs, i))->raw = TRUE;

  rendered = fleet_template_render (text, refs, variables, &missing_index, &error);
  if (rendered == NULL)
    {
      const FleetTemplateRef *ref = g_ptr_array_index (refs, missing_index);

      *out_missing = g_intern_string (ref->name);
    }
  return rendered;
}

/* Return the file or argv of `data` rendered with `variables`, or NULL
 * with `out_missing` set. */
static GBytes *
render_for_host (const FleetStepKindData *data, GHashTable *variables, const char **out_missing)
{
  if (data->kind == FLEET_STEP_KIND_TEMPLATE)
    {
      gsize length = 0;
      const char *bytes = g_bytes_get_data (data->content, &length);
      g_autofree char *text = g_strndup (bytes != NULL ? bytes : "", length);
      char *rendered = render_verbatim (text, variables, out_missing);

      return rendered != NULL ? g_bytes_new_take (rendered, strlen (rendered)) : NULL;
    }

  {
    g_autoptr(GByteArray) argv = g_byte_array_new ();

    for (guint i = 0; i < data->argv->len; i++)
      {
        g_autofree char *rendered = render_verbatim (g_ptr_array_index (data->argv, i),
                                                     variables, out_missing);

        if (rendered == NULL)
          return NULL;
        g_byte_array_append (argv, (const guint8 *) rendered, strlen (rendered) + 1);
      }
    return g_byte_array_free_to_bytes (g_steal_pointer (&argv));
  }
}

static gboolean
render_step (FleetDiagnostics *diags, const FleetPlan *plan, GPtrArray *host_variables,
             FleetStep *step)
{
  FleetStepKindData *data = step->kind_data;
  g_autoptr(GHashTable) reported = g_hash_table_new (g_str_hash, g_str_equal);

  data->host_contents = g_hash_table_new_full (g_str_hash, g_str_equal, g_free,
                                               (GDestroyNotify) g_bytes_unref);
  for (guint i = 0; i < plan->hosts->len; i++)
    {
      const FleetHost *host = g_ptr_array_index (plan->hosts, i);
      const char *missing = NULL;
      GBytes *rendered;

      if (step->skipped_hosts != NULL && g_hash_table_contains (step->skipped_hosts, host->name))
        continue;

      rendered = render_for_host (data, g_ptr_array_index (host_variables, i), &missing);
      if (rendered != NULL)
        {
          g_hash_table_insert (data->host_contents, g_strdup (host->name), rendered);
          continue;
        }

      if (!g_hash_table_add (reported, (gpointer) missing))
        continue;
      {
        g_autofree char *quoted_host = fleet_quote_value (host->name, QUOTE_MAX_CHARS);

        fleet_diagnostics_error (diags, &step->pos,
                                 "undefined variable \"%s\" in the %s of step \"%s\" on host %s; "
                                 "define it in the workflow's \"vars\" or as a host attribute",
                                 missing,
                                 data->kind == FLEET_STEP_KIND_TEMPLATE ? "template" : "arguments",
                                 step->name, quoted_host);
      }
    }
  return g_hash_table_size (reported) == 0;
}

gboolean
fleet_planner_render_files (FleetPlan *plan, const FleetWorkflow *workflow, FleetDiagnostics *diags)
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
      FleetStepKind kind = step->kind_data != NULL ? step->kind_data->kind : FLEET_STEP_KIND_SHELL;

      if ((kind == FLEET_STEP_KIND_TEMPLATE || kind == FLEET_STEP_KIND_LOCAL)
          && !render_step (diags, plan, host_variables, step))
        complete = FALSE;
    }

  return complete;
}
