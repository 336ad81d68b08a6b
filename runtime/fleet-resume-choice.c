/* fleet-resume-choice.c: the hosts that one argument of --retry-host or
 * --skip-host chooses.  See fleet-resume-choice.h. */
#include "runtime/fleet-resume-choice.h"

#include <string.h>

#include <gio/gio.h>

#include "schema/fleet-expr.h"
#include "schema/fleet-host-selector.h"
#include "schema/fleet-text.h"

#define HELD_WORD "held"

char *
fleet_resume_quote_argument (const char *argument)
{
  g_autofree char *escaped = fleet_escape_for_terminal (argument);

  return g_shell_quote (escaped);
}

static gboolean
choose_by_name (const FleetPlan *plan, const char *argument, GArray *hosts)
{
  for (guint i = 0; i < plan->hosts->len; i++)
    if (strcmp (((const FleetHost *) g_ptr_array_index (plan->hosts, i))->name, argument) == 0)
      {
        g_array_append_val (hosts, i);
        return TRUE;
      }
  return FALSE;
}

static gboolean
choose_held (const FleetPlan *plan, const gboolean *held, const char *option, GArray *hosts,
             GError **error)
{
  for (guint i = 0; i < plan->hosts->len; i++)
    if (held[i])
      g_array_append_val (hosts, i);

  if (hosts->len == 0)
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT,
                   "%s " HELD_WORD ": no host of the run is held; name the hosts to decide for "
                   "instead", option);
      return FALSE;
    }
  return TRUE;
}

static gboolean
choose_by_selector (const FleetPlan *plan, const char *option, const char *argument,
                    GArray *hosts, GError **error)
{
  g_autoptr(GError) parse_error = NULL;
  g_autoptr(FleetExpr) expr = NULL;
  g_autofree char *quoted = fleet_resume_quote_argument (argument);
  guint column = 0;

  expr = fleet_expr_parse_full (argument, &column, &parse_error);
  if (expr == NULL)
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT,
                   "%s %s: the plan has no host of that name, and it is not a valid "
                   "selector either (%s); give a host name, the word " HELD_WORD " or a "
                   "selector such as 'dc == \"dc1\"'", option, quoted, parse_error->message);
      return FALSE;
    }

  for (guint i = 0; i < plan->hosts->len; i++)
    {
      const FleetHost *host = g_ptr_array_index (plan->hosts, i);
      g_autoptr(GError) eval_error = NULL;
      gboolean match = FALSE;

      if (!fleet_expr_matches_host (expr, host, NULL, &match, &eval_error))
        {
          g_autofree char *name = fleet_escape_for_terminal (host->name);

          g_set_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT,
                       "%s %s: the selector cannot be evaluated for host %s: %s", option,
                       quoted, name, eval_error->message);
          return FALSE;
        }
      if (match)
        g_array_append_val (hosts, i);
    }

  if (hosts->len == 0)
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT,
                   "%s %s: the plan has no host of that name, and as a selector it "
                   "matches no host of the plan; check the name or the selector", option,
                   quoted);
      return FALSE;
    }
  return TRUE;
}

gboolean
fleet_resume_choose_hosts (const FleetPlan *plan, const gboolean *held, const char *option,
                           const char *argument, FleetResumeChoiceKind *out_kind,
                           GArray **out_hosts, GError **error)
{
  g_autoptr(GArray) hosts = g_array_new (FALSE, FALSE, sizeof (guint));
  FleetResumeChoiceKind kind;

  if (choose_by_name (plan, argument, hosts))
    kind = FLEET_RESUME_CHOICE_NAME;
  else if (strcmp (argument, HELD_WORD) == 0)
    {
      if (!choose_held (plan, held, option, hosts, error))
        return FALSE;
      kind = FLEET_RESUME_CHOICE_HELD;
    }
  else
    {
      if (!choose_by_selector (plan, option, argument, hosts, error))
        return FALSE;
      kind = FLEET_RESUME_CHOICE_SELECTOR;
    }

  *out_kind = kind;
  *out_hosts = g_steal_pointer (&hosts);
  return TRUE;
}

char *
fleet_resume_describe_choice (const FleetPlan *plan, const char *option, const char *argument,
                              const GArray *hosts)
{
  g_autofree char *quoted = fleet_resume_quote_argument (argument);
  GString *text = g_string_new (NULL);

  if (hosts->len == 0)
    {
      g_string_append_printf (text, "%s %s chose no host that its name does not decide "
                              "already", option, quoted);
      return g_string_free (text, FALSE);
    }

  g_string_append_printf (text, "%s %s chose %u host%s:", option, quoted, hosts->len,
                          fleet_plural_s (hosts->len));
  for (guint i = 0; i < hosts->len; i++)
    {
      const FleetHost *host = g_ptr_array_index (plan->hosts, g_array_index (hosts, guint, i));
      g_autofree char *name = fleet_escape_for_terminal (host->name);

      g_string_append_printf (text, "%s %s", i == 0 ? "" : ",", name);
    }
  return g_string_free (text, FALSE);
}
