/* test-dynamic-groups.c: inventory groups defined by a selector. */
#include <string.h>

#include <glib/gstdio.h>

#include "compiler/fleet-compiler.h"
#include "compiler/inventory-source.h"
#include "tests/test-helpers.h"

typedef struct {
  char *dir;
} Fixture;

static void
fixture_set_up (Fixture *fixture, gconstpointer data)
{
  fixture->dir = fleet_test_make_dir ("fleet-dynamic-groups-XXXXXX");
}

static void
fixture_tear_down (Fixture *fixture, gconstpointer data)
{
  g_autoptr(GDir) dir = g_dir_open (fixture->dir, 0, NULL);
  const char *name;

  while (dir != NULL && (name = g_dir_read_name (dir)) != NULL)
    {
      g_autofree char *path = g_build_filename (fixture->dir, name, NULL);

      g_remove (path);
    }
  g_rmdir (fixture->dir);
  g_free (fixture->dir);
}

static char *
write_file (const Fixture *fixture, const char *name, const char *text)
{
  return fleet_test_write_file_in (fixture->dir, name, text);
}

/* Load `paths` (NULL-terminated) as one combined inventory. */
static FleetInventory *
load (const char *const *paths, FleetDiagnostics *diags)
{
  g_autoptr(GPtrArray) refs = g_ptr_array_new_with_free_func (
    (GDestroyNotify) fleet_inventory_ref_free);

  for (const char *const *path = paths; *path != NULL; path++)
    g_ptr_array_add (refs, fleet_inventory_ref_new (*path, NULL));
  return fleet_load_inventory_sources (diags, refs, 10000, NULL);
}

/* Return the members of group `name` joined by spaces. */
static char *
members (const FleetInventory *inventory, const char *name)
{
  const FleetGroup *group = g_hash_table_lookup (inventory->groups_by_name, name);

  g_assert_nonnull (group);
  g_ptr_array_add (group->members, NULL);
  {
    char *joined = g_strjoinv (" ", (char **) group->members->pdata);

    g_ptr_array_remove_index (group->members, group->members->len - 1);
    return joined;
  }
}

static char *
host_groups (const FleetInventory *inventory, const char *name)
{
  const FleetHost *host = g_hash_table_lookup (inventory->hosts_by_name, name);
  GString *out = g_string_new (NULL);

  g_assert_nonnull (host);
  for (guint i = 0; i < host->groups->len; i++)
    g_string_append_printf (out, "%s%s", i > 0 ? " " : "",
                            (const char *) g_ptr_array_index (host->groups, i));
  return g_string_free (out, FALSE);
}

static const char static_inventory[] =
  "hosts:\n"
  "  a: {address: 192.0.2.1, attributes: {role: db, dc: dc1}}\n"
  "  b: {address: 192.0.2.2, attributes: {role: web, dc: dc1}}\n"
  "groups:\n"
  "  listed: [b]\n"
  "  dbs: {where: 'role == \"db\" or groups contains \"listed\"'}\n"
  "  dc2: {where: 'dc == \"dc2\"'}\n"
  "  second: {where: 'groups contains \"dbs\"'}\n";

static const char ansible_inventory[] =
  "[x]\n"
  "c ansible_host=192.0.2.3 role=db dc=dc2\n"
  "d ansible_host=192.0.2.4 role=web dc=dc2\n";

static void
test_select_across_sources (Fixture *fixture, gconstpointer data)
{
  g_autofree char *first = write_file (fixture, "static.yaml", static_inventory);
  g_autofree char *second = write_file (fixture, "ansible.ini", ansible_inventory);
  g_autoptr(FleetDiagnostics) diags = fleet_diagnostics_new ();
  g_autoptr(FleetInventory) inventory = load ((const char *[]) { first, second, NULL }, diags);
  g_autofree char *dbs = NULL;
  g_autofree char *dc2 = NULL;
  g_autofree char *later = NULL;
  g_autofree char *groups_of_c = NULL;
  g_autofree char *groups_of_b = NULL;

  g_assert_nonnull (inventory);
  dbs = members (inventory, "dbs");
  dc2 = members (inventory, "dc2");
  later = members (inventory, "second");
  g_assert_cmpstr (dbs, ==, "a b c");
  g_assert_cmpstr (dc2, ==, "c d");
  /* Dynamic groups do not see each other. */
  g_assert_cmpstr (later, ==, "");

  groups_of_c = host_groups (inventory, "c");
  groups_of_b = host_groups (inventory, "b");
  g_assert_cmpstr (groups_of_c, ==, "dbs dc2 x");
  g_assert_cmpstr (groups_of_b, ==, "dbs listed");
}

static void
test_adds_to_listed_group (Fixture *fixture, gconstpointer data)
{
  g_autofree char *first = write_file (fixture, "one.yaml",
                                       "hosts:\n  a: {attributes: {role: db}}\n  b: {}\n"
                                       "groups:\n  db: [b]\n");
  g_autofree char *second = write_file (fixture, "two.yaml",
                                        "hosts:\n  c: {attributes: {role: db}}\n"
                                        "groups:\n  db: {where: 'role == \"db\"'}\n");
  g_autoptr(FleetDiagnostics) diags = fleet_diagnostics_new ();
  g_autoptr(FleetInventory) inventory = load ((const char *[]) { first, second, NULL }, diags);
  g_autofree char *db = NULL;

  g_assert_nonnull (inventory);
  db = members (inventory, "db");
  g_assert_cmpstr (db, ==, "b a c");
  g_assert_cmpuint (fleet_diagnostics_length (diags), ==, 0);
}

static void
test_conflicting_selectors (Fixture *fixture, gconstpointer data)
{
  g_autofree char *first = write_file (fixture, "one.yaml",
                                       "hosts:\n  a: {}\ngroups:\n  g: {where: 'name == \"a\"'}\n");
  g_autofree char *second = write_file (fixture, "two.yaml",
                                        "hosts:\n  b: {}\ngroups:\n  g: {where: 'name == \"b\"'}\n");
  g_autoptr(FleetDiagnostics) diags = fleet_diagnostics_new ();
  g_autoptr(FleetInventory) inventory = load ((const char *[]) { first, second, NULL }, diags);
  const FleetDiagnostic *error;
  g_autofree char *place = NULL;

  g_assert_null (inventory);
  g_assert_cmpuint (fleet_diagnostics_error_count (diags), ==, 1);
  error = fleet_diagnostics_get (diags, 0);
  g_assert_true (g_str_has_suffix (error->pos.file, "two.yaml"));
  g_assert_cmpuint (error->pos.line, ==, 4);
  place = g_strdup_printf ("%s:4:", first);
  g_assert_nonnull (strstr (error->message, place));
}

static void
test_selector_errors (Fixture *fixture, gconstpointer data)
{
  const struct {
    const char *group;
    guint line;
    guint column;
    const char *message;
  } cases[] = {
    { "  g: {where: 'role =='}\n", 4, 22, "invalid expression for \"where\"" },
    { "  g: {where: 'name > 3'}\n", 4, 14, "the selector of group \"g\" fails on host \"a\"" },
    { "  g: {where: 'true', also: 1}\n", 4, 22, "a dynamic group has only \"where\"" },
    { "  g: {}\n", 4, 6, "expected a list of host names or {where: EXPR}" },
    { "  g: 3\n", 4, 6, "expected a list of host names or {where: EXPR}" },
  };

  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autofree char *text = g_strconcat ("hosts:\n  a: {}\ngroups:\n", cases[i].group, NULL);
      g_autofree char *path = write_file (fixture, "bad.yaml", text);
      g_autoptr(FleetDiagnostics) diags = fleet_diagnostics_new ();
      g_autoptr(FleetInventory) inventory = load ((const char *[]) { path, NULL }, diags);
      const FleetDiagnostic *error;

      g_assert_null (inventory);
      g_assert_cmpuint (fleet_diagnostics_error_count (diags), ==, 1);
      error = fleet_diagnostics_get (diags, 0);
      g_assert_cmpuint (error->pos.line, ==, cases[i].line);
      g_assert_cmpuint (error->pos.column, ==, cases[i].column);
      g_assert_nonnull (strstr (error->message, cases[i].message));
    }
}

static void
test_unknown_name_warns (Fixture *fixture, gconstpointer data)
{
  g_autofree char *path = write_file (fixture, "warn.yaml",
                                      "hosts:\n  a: {attributes: {role: db}}\n"
                                      "groups:\n  g: {where: 'rol == \"db\"'}\n");
  g_autoptr(FleetDiagnostics) diags = fleet_diagnostics_new ();
  g_autoptr(FleetInventory) inventory = load ((const char *[]) { path, NULL }, diags);
  const FleetDiagnostic *warning;
  g_autofree char *g = NULL;

  g_assert_nonnull (inventory);
  g_assert_cmpuint (fleet_diagnostics_warning_count (diags), ==, 1);
  warning = fleet_diagnostics_get (diags, 0);
  g_assert_nonnull (strstr (warning->message, "\"rol\" in groups.g.where"));
  g_assert_nonnull (strstr (warning->message, "did you mean \"role\""));
  g = members (inventory, "g");
  g_assert_cmpstr (g, ==, "");
}

/* A workflow can target a dynamic group by name and order by it, and the
 * single-inventory path (-i) resolves it too. */
static void
test_workflow_targets_group (Fixture *fixture, gconstpointer data)
{
  g_autofree char *inventory_path = write_file (fixture, "static.yaml", static_inventory);
  g_autofree char *workflow_path = write_file (fixture, "w.yaml",
                                               "name: w\n"
                                               "target: {groups: [dbs]}\n"
                                               "steps:\n  - name: x\n    run: 'true'\n"
                                               "    timeout: 10s\n");
  FleetCompileOptions options = { .inventory_override = inventory_path };
  g_autoptr(FleetDiagnostics) diags = fleet_diagnostics_new ();
  g_autoptr(FleetWorkflow) workflow = fleet_compile_workflow_file (workflow_path, &options, diags);
  g_autofree char *dbs = NULL;

  g_assert_nonnull (workflow);
  dbs = members (workflow->inventory, "dbs");
  g_assert_cmpstr (dbs, ==, "a b");
}

#define ADD(path, func) \
  g_test_add (path, Fixture, NULL, fixture_set_up, func, fixture_tear_down)

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);

  ADD ("/dynamic-groups/across-sources", test_select_across_sources);
  ADD ("/dynamic-groups/adds-to-listed", test_adds_to_listed_group);
  ADD ("/dynamic-groups/conflicting-selectors", test_conflicting_selectors);
  ADD ("/dynamic-groups/selector-errors", test_selector_errors);
  ADD ("/dynamic-groups/unknown-name-warns", test_unknown_name_warns);
  ADD ("/dynamic-groups/workflow-target", test_workflow_targets_group);

  return g_test_run ();
}
