/* fleetc-check.c: `fleetc check`, whether a plan's inventory still
 * resolves to the hosts it was compiled with.
 *
 * fleet-run can re-hash static inventory files, but not the output of an
 * inventory program without running it.  This command has the compiler, so
 * it loads every inventory source of the plan again, programs included, and
 * compares the digest of the resolved inventory with the plan's.
 */
#include "cli/fleetc-check.h"

#include <glib.h>

#include "compiler/dynamic-inventory.h"
#include "compiler/host-differences.h"
#include "compiler/inventory-source.h"
#include "schema/fleet-plan.h"
#include "schema/fleet-text.h"

#define EXIT_CHANGED 1
#define EXIT_BAD_INPUT 2

static int
check_usage_error (const char *message)
{
  g_printerr ("fleetc check: %s\nUsage: fleetc check PLAN\n", message);
  return EXIT_BAD_INPUT;
}

/* Print `diags` to standard error unless it is empty. */
static void
print_diagnostics (FleetDiagnostics *diags)
{
  g_autofree char *text = fleet_diagnostics_format (diags);

  if (text[0] != '\0')
    g_printerr ("%s", text);
}

/* Read the ssh_config file the plan was compiled with, which settles the
 * hosts again, so that a changed ssh_config shows up as a changed
 * inventory too.  Returns FALSE after printing why it cannot be read;
 * `out_config` stays NULL when the plan names no ssh_config. */
static gboolean
load_ssh_config_again (const FleetPlan *plan, const char *plan_path, FleetSshConfig **out_config)
{
  g_autoptr(FleetDiagnostics) diags = fleet_diagnostics_new ();

  if (plan->ssh_config_path == NULL)
    return TRUE;

  *out_config = fleet_ssh_config_load (plan->ssh_config_path, FALSE, diags);
  print_diagnostics (diags);
  if (*out_config != NULL)
    return TRUE;

  g_printerr ("fleetc: cannot read the ssh_config file %s that %s was compiled with; restore it, "
              "or compile the plan again\n", plan->ssh_config_path, plan_path);
  return FALSE;
}

/* Load the plan's inventory sources again, in order.  Returns NULL after
 * printing the diagnostics. */
static FleetInventory *
load_inventory_again (const FleetPlan *plan, const FleetSshConfig *ssh_config)
{
  g_autoptr(FleetDiagnostics) diags = fleet_diagnostics_new ();
  g_autoptr(GPtrArray) refs = g_ptr_array_new_with_free_func (
    (GDestroyNotify) fleet_inventory_ref_free);
  FleetInventory *inventory;

  for (guint i = 0; i < plan->inventory_files->len; i++)
    {
      const FleetInventoryFile *file = g_ptr_array_index (plan->inventory_files, i);

      g_ptr_array_add (refs, fleet_inventory_ref_new (file->path, NULL));
    }

  /* NOTE: the workflow's inventory_timeout is not in the plan, so programs
   * get the default timeout here. */
  inventory = fleet_load_inventory_sources (diags, refs, FLEET_DEFAULT_DYNAMIC_INVENTORY_TIMEOUT_MS,
                                            ssh_config);
  print_diagnostics (diags);
  return inventory;
}

static const FleetSourceFile *
find_source_file (const GPtrArray *files, const char *path)
{
  for (guint i = 0; i < files->len; i++)
    {
      const FleetSourceFile *file = g_ptr_array_index (files, i);

      if (g_str_equal (file->path, path))
        return file;
    }

  return NULL;
}

/* Print which ssh_config files have other bytes now, or are read or no
 * longer read (an Include that matches other files). */
static void
print_changed_ssh_config (const FleetPlan *plan, const FleetSshConfig *ssh_config)
{
  const GPtrArray *current = ssh_config != NULL ? fleet_ssh_config_sources (ssh_config) : NULL;

  if (current == NULL)
    return;

  for (guint i = 0; i < plan->ssh_config_sources->len; i++)
    {
      const FleetSourceFile *recorded = g_ptr_array_index (plan->ssh_config_sources, i);
      const FleetSourceFile *now = find_source_file (current, recorded->path);

      if (now == NULL)
        g_print ("  ssh_config %s is no longer read\n", recorded->path);
      else if (!g_str_equal (recorded->sha256, now->sha256))
        g_print ("  ssh_config %s changed: sha256 was %s, is now %s\n", recorded->path,
                 recorded->sha256, now->sha256);
    }

  for (guint i = 0; i < current->len; i++)
    {
      const FleetSourceFile *now = g_ptr_array_index (current, i);

      if (find_source_file (plan->ssh_config_sources, now->path) == NULL)
        g_print ("  ssh_config %s is read now too\n", now->path);
    }
}

/* Print which of the plan's source files have other bytes now, and
 * return how many. */
static guint
print_changed_files (const FleetPlan *plan, const FleetInventory *inventory)
{
  guint changed = 0;

  for (guint i = 0; i < plan->inventory_files->len && i < inventory->files->len; i++)
    {
      const FleetInventoryFile *recorded = g_ptr_array_index (plan->inventory_files, i);
      const FleetInventoryFile *current = g_ptr_array_index (inventory->files, i);

      if (g_str_equal (recorded->sha256, current->sha256))
        continue;

      g_print ("  inventory %s %s changed: sha256 was %s, is now %s\n",
               fleet_inventory_file_kind_to_string (recorded->kind), recorded->path,
               recorded->sha256, current->sha256);
      changed++;
    }

  return changed;
}

/* Return the groups of `host` joined by ", ", or "none". */
static char *
join_groups (const FleetHost *host)
{
  g_autoptr(GString) joined = g_string_new (NULL);

  for (guint i = 0; i < host->groups->len; i++)
    g_string_append_printf (joined, "%s%s", i > 0 ? ", " : "",
                            (const char *) g_ptr_array_index (host->groups, i));
  return host->groups->len > 0 ? g_string_free (g_steal_pointer (&joined), FALSE)
                               : g_strdup ("none");
}

/* Print each setting, attribute and the groups that differ between the
 * planned and the current record of a host, one per line. */
static void
print_host_differences (const FleetHost *planned, const FleetHost *current)
{
  g_autoptr(GPtrArray) differences = fleet_host_differences (planned, current);
  g_autofree char *planned_groups = join_groups (planned);
  g_autofree char *current_groups = join_groups (current);

  for (guint i = 0; i < differences->len; i++)
    {
      const FleetHostDifference *difference = g_ptr_array_index (differences, i);

      g_print ("    %s %s: %s -> %s\n", difference->attribute ? "attribute" : "setting",
               difference->key, difference->first, difference->second);
    }

  if (!g_str_equal (planned_groups, current_groups))
    g_print ("    groups: %s -> %s\n", planned_groups, current_groups);
}

/* Print which of the plan's hosts are gone from the inventory or have other
 * settings now, and what changed. */
static void
print_changed_hosts (const FleetPlan *plan, const FleetInventory *inventory)
{
  for (guint i = 0; i < plan->hosts->len; i++)
    {
      const FleetHost *planned = g_ptr_array_index (plan->hosts, i);
      FleetHost *current = g_hash_table_lookup (inventory->hosts_by_name, planned->name);
      g_autoptr(GPtrArray) one_planned = g_ptr_array_new ();
      g_autoptr(GPtrArray) one_current = g_ptr_array_new ();
      g_autoptr(GPtrArray) no_jump_hosts = g_ptr_array_new ();
      g_autofree char *planned_digest = NULL;
      g_autofree char *current_digest = NULL;

      if (current == NULL)
        {
          g_print ("  host %s is no longer in the inventory\n", planned->name);
          continue;
        }

      g_ptr_array_add (one_planned, (gpointer) planned);
      g_ptr_array_add (one_current, current);
      planned_digest = fleet_hosts_digest (one_planned, no_jump_hosts);
      current_digest = fleet_hosts_digest (one_current, no_jump_hosts);
      if (g_str_equal (planned_digest, current_digest))
        continue;

      g_print ("  host %s has other settings, attributes or groups now:\n", planned->name);
      print_host_differences (planned, current);
    }
}

int
fleetc_check_main (int argc, char **argv)
{
  g_autoptr(GOptionContext) context = g_option_context_new ("PLAN");
  g_autoptr(GError) error = NULL;
  g_autoptr(FleetPlan) plan = NULL;
  g_autoptr(FleetInventory) inventory = NULL;
  g_autofree char *digest = NULL;
  g_autoptr(GPtrArray) static_changes = NULL;
  g_autoptr(FleetSshConfig) ssh_config = NULL;

  g_option_context_set_summary (context, "Resolve the plan's inventory again and compare it "
                                         "with the one the plan was compiled from.\nExit status: "
                                         "0 unchanged, 1 changed (or fleet-run would refuse the plan), "
                                         "2 error.");
  if (!fleet_text_parse_options (context, &argc, &argv, &error))
    return check_usage_error (error->message);
  if (argc != 2)
    return check_usage_error ("expected exactly one plan file");

  plan = fleet_plan_read_file (argv[1], &error);
  if (plan == NULL)
    {
      g_printerr ("fleetc: %s\n", error->message);
      return EXIT_BAD_INPUT;
    }
  if (plan->inventory_files->len == 0 || plan->inventory_sha256 == NULL)
    {
      g_printerr ("fleetc: %s records no inventory files (plan format %u); compile it again "
                  "with this version of fleetc\n", argv[1], plan->format_version);
      return EXIT_BAD_INPUT;
    }

  if (!load_ssh_config_again (plan, argv[1], &ssh_config))
    return EXIT_BAD_INPUT;

  inventory = load_inventory_again (plan, ssh_config);
  if (inventory == NULL)
    {
      g_printerr ("fleetc: cannot resolve the inventory of %s again\n", argv[1]);
      return EXIT_BAD_INPUT;
    }

  digest = fleet_hosts_digest (inventory->hosts, inventory->jump_hosts);
  static_changes = fleet_inventory_files_find_changes (plan->inventory_files);
  if (g_str_equal (digest, plan->inventory_sha256) && static_changes->len > 0)
    {
      /* Scripts test the exit status before a change window, so it must be
       * non-zero when fleet-run will not run the plan as it is. */
      g_print ("%s: fleet-run will refuse this plan: its static inventory files changed since "
               "it was compiled, although they resolve to the same %u hosts (digest %s); "
               "compile the plan again, or run it with --allow-changed-inventory\n",
               argv[1], inventory->hosts->len, digest);
      print_changed_files (plan, inventory);
      return EXIT_CHANGED;
    }
  if (g_str_equal (digest, plan->inventory_sha256))
    {
      g_print ("%s: inventory unchanged: it resolves to the same %u hosts (digest %s)\n",
               argv[1], inventory->hosts->len, digest);
      print_changed_files (plan, inventory);
      return 0;
    }

  g_print ("%s: inventory changed since the plan was compiled: its digest was %s and is now "
           "%s; compile the plan again\n", argv[1], plan->inventory_sha256, digest);
  print_changed_files (plan, inventory);
  print_changed_ssh_config (plan, ssh_config);
  print_changed_hosts (plan, inventory);
  return EXIT_CHANGED;
}
