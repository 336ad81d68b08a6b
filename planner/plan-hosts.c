/* plan-hosts.c: the jump hosts a plan needs, and the problems of its hosts. */
#include "planner/plan-hosts.h"

#include <string.h>

/* Errors name at most this many hosts, then count the rest. */
#define NAMED_HOSTS_MAX 3

/* Maximum characters of a host name quoted in a message. */
#define QUOTE_MAX_CHARS 60

void
fleet_planner_add_jump_hosts (FleetPlan *plan, const FleetInventory *inventory)
{
  g_autoptr(GHashTable) needed = g_hash_table_new (g_str_hash, g_str_equal);

  for (guint i = 0; i < plan->hosts->len; i++)
    {
      const FleetHost *host = g_ptr_array_index (plan->hosts, i);
      const char *name = host->proxy_jump;

      /* The set also stops the walk at a loop, which the compiler rejects
       * before it gets here. */
      while (name != NULL && !g_hash_table_contains (needed, name))
        {
          const FleetHost *jump_host = fleet_inventory_find_jump_host (inventory, name);

          g_hash_table_add (needed, (gpointer) name);
          name = jump_host != NULL ? jump_host->proxy_jump : NULL;
        }
    }

  for (guint i = 0; i < inventory->jump_hosts->len; i++)
    {
      const FleetHost *jump_host = g_ptr_array_index (inventory->jump_hosts, i);

      if (g_hash_table_contains (needed, jump_host->name))
        g_ptr_array_add (plan->jump_hosts, fleet_host_copy (jump_host));
    }
}

static gboolean
plan_has_host (const FleetPlan *plan, const FleetHostProblem *problem)
{
  const GPtrArray *hosts = problem->jump_host ? plan->jump_hosts : plan->hosts;

  for (guint i = 0; i < hosts->len; i++)
    if (g_str_equal (((const FleetHost *) g_ptr_array_index (hosts, i))->name, problem->host_name))
      return TRUE;

  return FALSE;
}

/* One error and the hosts it concerns. */
typedef struct {
  const FleetHostProblem *first;
  GPtrArray *hosts;           /* const FleetHostProblem *, one per host */
} ErrorGroup;

static void
error_group_free (ErrorGroup *group)
{
  g_ptr_array_unref (group->hosts);
  g_free (group);
}

static char *
describe_hosts (const GPtrArray *problems)
{
  GString *text = g_string_new ("for ");

  for (guint i = 0; i < problems->len && i < NAMED_HOSTS_MAX; i++)
    {
      const FleetHostProblem *problem = g_ptr_array_index (problems, i);
      g_autofree char *quoted = fleet_quote_value (problem->host_name, QUOTE_MAX_CHARS);

      if (i > 0)
        g_string_append (text, i + 1 == problems->len ? " and " : ", ");
      g_string_append_printf (text, "%s %s", problem->jump_host ? "jump host" : "host", quoted);
    }

  if (problems->len > NAMED_HOSTS_MAX)
    g_string_append_printf (text, " and %u more", problems->len - NAMED_HOSTS_MAX);
  return g_string_free (text, FALSE);
}

static guint
report_errors (const FleetPlan *plan, const FleetInventory *inventory, FleetDiagnostics *diags)
{
  g_autoptr(GHashTable) by_key = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
  g_autoptr(GPtrArray) groups = g_ptr_array_new_with_free_func ((GDestroyNotify) error_group_free);

  for (guint i = 0; i < inventory->host_problems->len; i++)
    {
      const FleetHostProblem *problem = g_ptr_array_index (inventory->host_problems, i);
      g_autofree char *key = NULL;
      ErrorGroup *group;

      if (problem->kind != FLEET_HOST_PROBLEM_ERROR || !plan_has_host (plan, problem))
        continue;

      key = g_strdup_printf ("%s:%u:%u:%s", problem->pos.file != NULL ? problem->pos.file : "",
                             problem->pos.line, problem->pos.column, problem->text);
      group = g_hash_table_lookup (by_key, key);
      if (group == NULL)
        {
          group = g_new0 (ErrorGroup, 1);
          group->first = problem;
          group->hosts = g_ptr_array_new ();
          g_ptr_array_add (groups, group);
          g_hash_table_insert (by_key, g_steal_pointer (&key), group);
        }
      g_ptr_array_add (group->hosts, (gpointer) problem);
    }

  for (guint i = 0; i < groups->len; i++)
    {
      const ErrorGroup *group = g_ptr_array_index (groups, i);
      g_autofree char *hosts = describe_hosts (group->hosts);

      fleet_diagnostics_error (diags, &group->first->pos, "%s (%s)", group->first->text, hosts);
    }

  return groups->len;
}

/* One unused keyword and its lines. */
typedef struct {
  const char *keyword;        /* as first written */
  GString *lines;             /* "FILE:LINE, FILE:LINE" */
} UnusedKeyword;

static void
unused_keyword_free (UnusedKeyword *unused)
{
  g_string_free (unused->lines, TRUE);
  g_free (unused);
}

static void
report_unused (const FleetPlan *plan, const FleetInventory *inventory, FleetDiagnostics *diags)
{
  g_autoptr(GHashTable) lines_seen = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
  g_autoptr(GHashTable) by_keyword = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
  g_autoptr(GPtrArray) keywords = g_ptr_array_new_with_free_func (
    (GDestroyNotify) unused_keyword_free);
  const FleetHostProblem *first = NULL;
  g_autoptr(GString) message = NULL;

  for (guint i = 0; i < inventory->host_problems->len; i++)
    {
      const FleetHostProblem *problem = g_ptr_array_index (inventory->host_problems, i);
      char *line = NULL;
      g_autofree char *keyword = NULL;
      UnusedKeyword *unused;

      if (problem->kind != FLEET_HOST_PROBLEM_UNUSED_SETTING || !plan_has_host (plan, problem))
        continue;

      line = g_strdup_printf ("%s:%u", problem->pos.file, problem->pos.line);
      if (!g_hash_table_add (lines_seen, line))
        continue;

      keyword = g_ascii_strdown (problem->text, -1);
      unused = g_hash_table_lookup (by_keyword, keyword);
      if (unused == NULL)
        {
          unused = g_new0 (UnusedKeyword, 1);
          unused->keyword = problem->text;
          unused->lines = g_string_new (line);
          g_ptr_array_add (keywords, unused);
          g_hash_table_insert (by_keyword, g_steal_pointer (&keyword), unused);
        }
      else
        g_string_append_printf (unused->lines, ", %s", line);

      if (first == NULL)
        first = problem;
    }

  if (first == NULL)
    return;

  message = g_string_new ("ssh_config keywords fleetc does not use: ");
  for (guint i = 0; i < keywords->len; i++)
    {
      const UnusedKeyword *unused = g_ptr_array_index (keywords, i);

      g_string_append_printf (message, "%s%s (%s)", i > 0 ? ", " : "", unused->keyword,
                              unused->lines->str);
    }
  fleet_diagnostics_warning (diags, &first->pos, "%s", message->str);
}

gboolean
fleet_planner_report_host_problems (const FleetPlan *plan,
                                    const FleetInventory *inventory,
                                    FleetDiagnostics *diags)
{
  guint errors = report_errors (plan, inventory, diags);

  report_unused (plan, inventory, diags);
  return errors == 0;
}
