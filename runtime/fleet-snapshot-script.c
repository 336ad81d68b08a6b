/* fleet-snapshot-script.c: build the snapshot collector command. */
#include "runtime/fleet-snapshot-script.h"

static const char *const category_functions[FLEET_SNAPSHOT_N_CATEGORIES] = {
  [FLEET_SNAPSHOT_OS] = "collect_os",
  [FLEET_SNAPSHOT_PACKAGES] = "collect_packages",
  [FLEET_SNAPSHOT_SERVICES] = "collect_services",
  [FLEET_SNAPSHOT_SYSCTL] = "collect_sysctl",
  [FLEET_SNAPSHOT_PORTS] = "collect_ports",
  [FLEET_SNAPSHOT_USERS] = "collect_users",
  [FLEET_SNAPSHOT_GROUPS] = "collect_groups",
  [FLEET_SNAPSHOT_MOUNTS] = "collect_mounts",
  /* files and facts take arguments; see below. */
};

static gboolean
wants (const FleetSnapshotRequest *request, FleetSnapshotCategory category)
{
  return request->categories == 0 || (request->categories & (1u << category)) != 0;
}

static void
append_call (GString *script, const char *function, const char *first, const char *second)
{
  g_autofree char *quoted_first = first != NULL ? g_shell_quote (first) : NULL;
  g_autofree char *quoted_second = second != NULL ? g_shell_quote (second) : NULL;

  g_string_append (script, function);
  if (quoted_first != NULL)
    g_string_append_printf (script, " %s", quoted_first);
  if (quoted_second != NULL)
    g_string_append_printf (script, " %s", quoted_second);
  g_string_append_c (script, '\n');
}

char *
fleet_snapshot_collector_command (const FleetSnapshotRequest *request)
{
  g_autoptr (GString) script = g_string_new (fleet_snapshot_collector_script);
  g_autofree char *quoted = NULL;

  g_string_append (script, "\nbegin\n");
  for (guint category = 0; category < FLEET_SNAPSHOT_N_CATEGORIES; category++)
    if (category_functions[category] != NULL && wants (request, category))
      append_call (script, category_functions[category], NULL, NULL);

  if (wants (request, FLEET_SNAPSHOT_FILES))
    {
      append_call (script, "files_begin", NULL, NULL);
      for (guint i = 0; request->files != NULL && request->files[i] != NULL; i++)
        append_call (script, "collect_files", request->files[i], NULL);
    }

  if (wants (request, FLEET_SNAPSHOT_FACTS))
    {
      append_call (script, "facts_begin", NULL, NULL);
      for (guint i = 0; request->fact_names != NULL && request->fact_names[i] != NULL; i++)
        append_call (script, "collect_fact", request->fact_names[i], request->fact_commands[i]);
    }
  append_call (script, "finish", NULL, NULL);

  quoted = g_shell_quote (script->str);
  return g_strconcat ("sh -c ", quoted, NULL);
}
