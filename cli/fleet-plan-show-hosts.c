/* fleet-plan-show-hosts.c: how `fleetc show` presents the hosts of a plan
 * and the way fleet-run reaches them: each host's login user and route
 * through jump hosts, every connection setting the plan records (timeouts,
 * keepalives, host key policy, known_hosts and identity files, secret
 * names, never secret values) and the groups, in text and Markdown.
 *
 * Hosts whose settings are all equal are listed together, so that a plan
 * of 500 alike hosts shows one block and the odd host stands out.
 */
#include "cli/fleet-plan-show-private.h"

#include <string.h>

#include "cli/plan-describe.h"
#include "schema/fleet-markdown.h"
#include "schema/fleet-text.h"

static const FleetHost *
find_jump_host (const FleetPlan *plan, const char *name)
{
  for (guint i = 0; i < plan->jump_hosts->len; i++)
    {
      const FleetHost *host = g_ptr_array_index (plan->jump_hosts, i);

      if (g_str_equal (host->name, name))
        return host;
    }
  return NULL;
}

static gboolean
plan_has_host (const FleetPlan *plan, const char *name)
{
  for (guint i = 0; i < plan->hosts->len; i++)
    if (g_str_equal (((const FleetHost *) g_ptr_array_index (plan->hosts, i))->name, name))
      return TRUE;
  return FALSE;
}

/* Append "user@address:port", or "address:port" without a user. */
static void
append_login (GString *out, const FleetHost *host)
{
  if (host->user != NULL)
    g_string_append_printf (out, "%s@", host->user);
  g_string_append_printf (out, "%s:%u", host->address, host->port);
}

char *
fleet_plan_describe_route (const FleetPlan *plan, const FleetHost *host)
{
  g_autoptr(GPtrArray) hops = g_ptr_array_new_with_free_func (g_free);
  GString *out;
  guint walked = 0;

  if (host->proxy_jump == NULL)
    return g_strdup ("direct");

  /* A host names only its last jump host, and each jump host names the one
   * before it.  The walk is bounded because plan files are checked for
   * loops when read, but plans built in memory are not. */
  for (const char *name = host->proxy_jump; name != NULL && walked++ <= plan->jump_hosts->len; )
    {
      const FleetHost *jump_host = find_jump_host (plan, name);
      GString *hop = g_string_new (name);

      if (jump_host == NULL)
        {
          g_string_append (hop, " (not among the plan's jump hosts)");
          g_ptr_array_insert (hops, 0, g_string_free (hop, FALSE));
          break;
        }
      g_string_append (hop, " (");
      append_login (hop, jump_host);
      g_string_append_c (hop, ')');
      g_ptr_array_insert (hops, 0, g_string_free (hop, FALSE));
      name = jump_host->proxy_jump;
    }

  out = g_string_new ("via ");
  for (guint i = 0; i < hops->len; i++)
    g_string_append_printf (out, "%s%s", i > 0 ? ", then " : "",
                            (const char *) g_ptr_array_index (hops, i));
  return g_string_free (out, FALSE);
}

static void
append_joined (GString *out, const GPtrArray *strings)
{
  for (guint i = 0; i < strings->len; i++)
    g_string_append_printf (out, "%s%s", i > 0 ? ", " : "",
                            (const char *) g_ptr_array_index (strings, i));
}

GPtrArray *
fleet_plan_describe_host_settings (const FleetPlan *plan, const FleetHost *host)
{
  GPtrArray *lines = g_ptr_array_new_with_free_func (g_free);
  g_autofree char *route = fleet_plan_describe_route (plan, host);
  GString *line;

  g_ptr_array_add (lines, host->user != NULL
                          ? g_strdup_printf ("user: %s", host->user)
                          : g_strdup ("user: the local user that runs fleet-run"));
  g_ptr_array_add (lines, g_strdup_printf ("route: %s", route));

  line = g_string_new ("connect timeout: ");
  fleet_append_duration (line, host->connect_timeout_ms);
  g_string_append (line, "; keepalive: ");
  if (host->keepalive_interval_ms == 0)
    g_string_append (line, "off");
  else
    {
      g_string_append (line, "every ");
      fleet_append_duration (line, host->keepalive_interval_ms);
      g_string_append_printf (line, ", connection lost after %u unanswered",
                              host->keepalive_count_max);
    }
  g_ptr_array_add (lines, g_string_free (line, FALSE));

  line = g_string_new ("host keys: ");
  g_string_append (line, host->host_key_policy == FLEET_HOST_KEY_POLICY_STRICT
                         ? "strict (an unknown key is rejected)"
                         : "accept-new (an unknown key is recorded and trusted)");
  g_string_append (line, "; known_hosts files: ");
  if (host->known_hosts_files->len == 0)
    g_string_append (line, FLEET_DEFAULT_KNOWN_HOSTS_FILE " (default)");
  else
    append_joined (line, host->known_hosts_files);
  g_ptr_array_add (lines, g_string_free (line, FALSE));

  line = g_string_new ("identity files: ");
  if (host->identity_files->len == 0)
    g_string_append (line, "none named");
  else
    append_joined (line, host->identity_files);
  g_string_append (line, host->identities_only ? "; identities_only: yes (no other agent keys)"
                                               : "; identities_only: no");
  g_ptr_array_add (lines, g_string_free (line, FALSE));

  if (host->key_passphrase_secret != NULL || host->become_password_secret != NULL)
    {
      line = g_string_new ("secret names: ");
      if (host->key_passphrase_secret != NULL)
        g_string_append_printf (line, "key passphrase %s", host->key_passphrase_secret);
      if (host->become_password_secret != NULL)
        g_string_append_printf (line, "%ssudo password %s",
                                host->key_passphrase_secret != NULL ? ", " : "",
                                host->become_password_secret);
      g_ptr_array_add (lines, g_string_free (line, FALSE));
    }

  line = g_string_new ("groups: ");
  if (host->groups->len == 0)
    g_string_append (line, "none");
  else
    append_joined (line, host->groups);
  g_ptr_array_add (lines, g_string_free (line, FALSE));

  return lines;
}

/* Group `hosts` by their settings: the key of each group is the settings
 * joined by "\n", kept alive by `keys`. */
static void
group_by_settings (const FleetPlan *plan, const GPtrArray *hosts, FleetHostGroups *groups,
                   GPtrArray *keys)
{
  fleet_host_groups_init (groups);
  for (guint i = 0; i < hosts->len; i++)
    {
      const FleetHost *host = g_ptr_array_index (hosts, i);
      g_autoptr(GPtrArray) lines = fleet_plan_describe_host_settings (plan, host);
      char *key;

      g_ptr_array_add (lines, NULL);
      key = g_strjoinv ("\n", (char **) lines->pdata);
      g_ptr_array_add (keys, key);
      fleet_host_groups_add (groups, key, host->name);
    }
}

/* Host names sorted, as fleet_host_groups_describe expects them to come. */
static int
compare_host_names (gconstpointer a, gconstpointer b)
{
  const FleetHost *host_a = *(const FleetHost * const *) a;
  const FleetHost *host_b = *(const FleetHost * const *) b;

  return strcmp (host_a->name, host_b->name);
}

static GPtrArray *
sorted_hosts (const GPtrArray *hosts)
{
  GPtrArray *sorted = g_ptr_array_sized_new (hosts->len);

  /* Not g_ptr_array_copy: the copy would free the hosts with the array. */
  for (guint i = 0; i < hosts->len; i++)
    g_ptr_array_add (sorted, g_ptr_array_index (hosts, i));
  g_ptr_array_sort (sorted, compare_host_names);
  return sorted;
}

void
fleet_plan_show_connections_text (GString *out, const FleetPlan *plan)
{
  g_autoptr(GPtrArray) hosts = sorted_hosts (plan->hosts);
  g_autoptr(GPtrArray) keys = g_ptr_array_new_with_free_func (g_free);
  FleetHostGroups groups;

  g_string_append (out, "\nConnection settings (hosts with equal settings are listed "
                        "together):\n");
  group_by_settings (plan, hosts, &groups, keys);
  for (guint i = 0; i < groups.values->len; i++)
    {
      const char *key = g_ptr_array_index (groups.values, i);
      g_autofree char *on = fleet_host_groups_describe (&groups, key);
      g_autofree char *shown_on = fleet_escape_for_terminal (on);
      g_auto(GStrv) lines = g_strsplit (key, "\n", -1);

      g_string_append_printf (out, "  %s:\n", shown_on);
      for (char **line = lines; *line != NULL; line++)
        {
          g_autofree char *shown = fleet_escape_for_terminal (*line);

          g_string_append_printf (out, "    %s\n", shown);
        }
    }
  fleet_host_groups_clear (&groups);
}

/* Return what happens on jump host `host`: a host of the plan runs steps
 * there on its own connection as well. */
static const char *
describe_jump_use (const FleetPlan *plan, const FleetHost *host)
{
  return plan_has_host (plan, host->name) ? "also a host of this plan: its steps run there"
                                          : "no steps run there";
}

void
fleet_plan_show_jump_hosts_text (GString *out, const FleetPlan *plan)
{
  if (plan->jump_hosts->len == 0)
    return;

  g_string_append (out, "\nJump hosts (connections to the hosts behind them go through them):\n");
  for (guint i = 0; i < plan->jump_hosts->len; i++)
    {
      const FleetHost *host = g_ptr_array_index (plan->jump_hosts, i);
      g_autoptr(GString) login = g_string_new (NULL);
      g_autofree char *route = fleet_plan_describe_route (plan, host);
      g_autoptr(GPtrArray) settings = fleet_plan_describe_host_settings (plan, host);
      g_autofree char *shown_name = fleet_escape_for_terminal (host->name);
      g_autofree char *shown_login = NULL;
      g_autofree char *shown_route = NULL;

      append_login (login, host);
      shown_login = fleet_escape_for_terminal (login->str);
      shown_route = fleet_escape_for_terminal (route);
      g_string_append_printf (out, "  %s  %s  %s; %s\n", shown_name, shown_login, shown_route,
                              describe_jump_use (plan, host));
      /* The user and route are on the line above, and jump hosts have no
       * groups, the last line. */
      for (guint s = 2; s + 1 < settings->len; s++)
        {
          g_autofree char *shown = fleet_escape_for_terminal (g_ptr_array_index (settings, s));

          g_string_append_printf (out, "    %s\n", shown);
        }
    }
}

char *
fleet_plan_describe_host_route_markdown (const FleetPlan *plan, const FleetHost *host)
{
  g_autofree char *route = fleet_plan_describe_route (plan, host);

  return fleet_markdown_escape (route);
}

void
fleet_plan_show_connections_markdown (GString *out, const FleetPlan *plan)
{
  g_autoptr(GPtrArray) hosts = sorted_hosts (plan->hosts);
  g_autoptr(GPtrArray) keys = g_ptr_array_new_with_free_func (g_free);
  FleetHostGroups groups;

  g_string_append (out, "\n## Connection settings\n\nHosts with equal settings are listed "
                        "together. Secrets are named, never shown.\n\n");
  group_by_settings (plan, hosts, &groups, keys);
  for (guint i = 0; i < groups.values->len; i++)
    {
      const char *key = g_ptr_array_index (groups.values, i);
      g_autofree char *on = fleet_host_groups_describe (&groups, key);
      g_autofree char *shown_on = fleet_markdown_escape (on);
      g_auto(GStrv) lines = g_strsplit (key, "\n", -1);

      g_string_append_printf (out, "- **%s**\n", shown_on);
      for (char **line = lines; *line != NULL; line++)
        {
          g_autofree char *shown = fleet_markdown_escape (*line);

          g_string_append_printf (out, "  - %s\n", shown);
        }
    }
  fleet_host_groups_clear (&groups);

  if (plan->jump_hosts->len == 0)
    return;

  g_string_append (out, "\n## Jump hosts\n\nConnections to the hosts behind a jump host go "
                        "through it.\n\n| jump host | login | route | steps |\n"
                        "|---|---|---|---|\n");
  for (guint i = 0; i < plan->jump_hosts->len; i++)
    {
      const FleetHost *host = g_ptr_array_index (plan->jump_hosts, i);
      g_autoptr(GString) login = g_string_new (NULL);
      g_autofree char *name = fleet_markdown_escape (host->name);
      g_autofree char *shown_login = NULL;
      g_autofree char *route = fleet_plan_describe_host_route_markdown (plan, host);

      append_login (login, host);
      shown_login = fleet_markdown_escape (login->str);
      g_string_append_printf (out, "| %s | %s | %s | %s |\n", name, shown_login, route,
                              describe_jump_use (plan, host));
    }
}
