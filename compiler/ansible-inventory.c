/* ansible-inventory.c: Ansible's inventory model and its resolution.
 *
 * Resolution works on the group graph in topological order (Kahn's
 * algorithm), which needs no recursion however deep the nesting, gives each
 * group its depth, and leaves exactly the groups on or below a cycle
 * unvisited.
 */
#include "compiler/ansible-inventory.h"

#include <stdlib.h>
#include <string.h>

#include "compiler/ansible-host-vars.h"
#include "compiler/host-resolver.h"
#include "compiler/scalar.h"
#include "compiler/yaml-tree.h"
#include "schema/workflow-schema.h"

#define GROUP_ALL "all"
#define GROUP_UNGROUPED "ungrouped"
#define PRIORITY_VARIABLE "ansible_group_priority"
#define DEFAULT_GROUP_PRIORITY 1

static void
value_free (FleetAnsibleValue *value)
{
  g_free (value->text);
  g_free (value);
}

GHashTable *
fleet_ansible_vars_new (void)
{
  return g_hash_table_new_full (g_str_hash, g_str_equal, g_free, (GDestroyNotify) value_free);
}

static void
host_free (FleetAnsibleHost *host)
{
  g_free (host->name);
  g_hash_table_unref (host->vars);
  g_free (host);
}

static void
child_free (FleetAnsibleChild *child)
{
  g_free (child->name);
  g_free (child);
}

static void
group_free (FleetAnsibleGroup *group)
{
  g_free (group->name);
  g_hash_table_unref (group->vars);
  g_hash_table_unref (group->host_set);
  g_ptr_array_unref (group->hosts);
  g_ptr_array_unref (group->children);
  g_free (group);
}

FleetAnsibleInventory *
fleet_ansible_inventory_new (const char *path)
{
  FleetAnsibleInventory *inventory = g_new0 (FleetAnsibleInventory, 1);
  g_autofree char *directory = g_path_get_dirname (path);
  FleetSourcePos file_pos = { g_intern_string (path), 0, 0 };

  inventory->path = g_strdup (path);
  inventory->base_dir = g_canonicalize_filename (directory, NULL);
  inventory->hosts = g_ptr_array_new_with_free_func ((GDestroyNotify) host_free);
  inventory->hosts_by_name = g_hash_table_new (g_str_hash, g_str_equal);
  inventory->groups = g_ptr_array_new_with_free_func ((GDestroyNotify) group_free);
  inventory->groups_by_name = g_hash_table_new (g_str_hash, g_str_equal);

  fleet_ansible_inventory_ensure_group (inventory, GROUP_ALL, &file_pos);
  fleet_ansible_inventory_ensure_group (inventory, GROUP_UNGROUPED, &file_pos);
  return inventory;
}

void
fleet_ansible_inventory_free (FleetAnsibleInventory *inventory)
{
  if (inventory == NULL)
    return;

  g_hash_table_unref (inventory->hosts_by_name);
  g_hash_table_unref (inventory->groups_by_name);
  g_ptr_array_unref (inventory->hosts);
  g_ptr_array_unref (inventory->groups);
  g_free (inventory->path);
  g_free (inventory->base_dir);
  g_free (inventory);
}

FleetAnsibleGroup *
fleet_ansible_inventory_ensure_group (FleetAnsibleInventory *inventory,
                                      const char *name,
                                      const FleetSourcePos *pos)
{
  FleetAnsibleGroup *group = g_hash_table_lookup (inventory->groups_by_name, name);

  if (group != NULL)
    return group;

  group = g_new0 (FleetAnsibleGroup, 1);
  group->name = g_strdup (name);
  group->pos = *pos;
  group->vars = fleet_ansible_vars_new ();
  group->hosts = g_ptr_array_new_with_free_func (g_free);
  group->host_set = g_hash_table_new (g_str_hash, g_str_equal);
  group->children = g_ptr_array_new_with_free_func ((GDestroyNotify) child_free);

  g_ptr_array_add (inventory->groups, group);
  g_hash_table_insert (inventory->groups_by_name, group->name, group);
  return group;
}

FleetAnsibleHost *
fleet_ansible_inventory_ensure_host (FleetAnsibleInventory *inventory,
                                     FleetDiagnostics *diags,
                                     const char *name,
                                     const FleetSourcePos *pos)
{
  FleetAnsibleHost *host = g_hash_table_lookup (inventory->hosts_by_name, name);

  if (host != NULL)
    return host;

  if (inventory->hosts->len >= FLEET_MAX_HOSTS_PER_SOURCE)
    {
      fleet_diagnostics_error (diags, pos,
                               "the inventory defines more than %u hosts; split it into several "
                               "inventories",
                               FLEET_MAX_HOSTS_PER_SOURCE);
      return NULL;
    }

  host = g_new0 (FleetAnsibleHost, 1);
  host->name = g_strdup (name);
  host->pos = *pos;
  host->vars = fleet_ansible_vars_new ();

  g_ptr_array_add (inventory->hosts, host);
  g_hash_table_insert (inventory->hosts_by_name, host->name, host);
  return host;
}

void
fleet_ansible_group_add_host (FleetAnsibleGroup *group, const char *host)
{
  char *copy;

  if (g_hash_table_contains (group->host_set, host))
    return;

  copy = g_strdup (host);
  g_ptr_array_add (group->hosts, copy);
  g_hash_table_add (group->host_set, copy);
}

void
fleet_ansible_group_add_child (FleetAnsibleInventory *inventory,
                               FleetAnsibleGroup *group,
                               const char *child,
                               const FleetSourcePos *pos)
{
  FleetAnsibleChild *reference;

  fleet_ansible_inventory_ensure_group (inventory, child, pos);
  for (guint i = 0; i < group->children->len; i++)
    if (strcmp (((FleetAnsibleChild *) g_ptr_array_index (group->children, i))->name, child) == 0)
      return;

  reference = g_new0 (FleetAnsibleChild, 1);
  reference->name = g_strdup (child);
  reference->pos = *pos;
  g_ptr_array_add (group->children, reference);
}

void
fleet_ansible_vars_set (FleetDiagnostics *diags,
                        GHashTable *vars,
                        const char *name,
                        const FleetSourcePos *name_pos,
                        char *text,
                        gboolean structured,
                        const FleetSourcePos *pos)
{
  FleetAnsibleValue *value;
  g_autofree char *quoted = NULL;

  if (text != NULL && strlen (text) > FLEET_MAX_VARIABLE_BYTES)
    {
      quoted = fleet_quote_value (name, FLEET_QUOTE_MAX_CHARS);
      fleet_diagnostics_error (diags, pos,
                               "value of variable %s is longer than the maximum of %u bytes%s",
                               quoted, FLEET_MAX_VARIABLE_BYTES,
                               structured ? " when written as JSON" : "");
      g_free (text);
      return;
    }

  value = g_new0 (FleetAnsibleValue, 1);
  value->text = text;
  value->structured = structured;
  value->pos = *pos;
  value->name_pos = *name_pos;
  g_hash_table_replace (vars, g_strdup (name), value);
}

gboolean
fleet_ansible_check_name (FleetDiagnostics *diags,
                          const char *kind,
                          const char *name,
                          const FleetSourcePos *pos)
{
  const FleetSchemaField *field = fleet_schema_lookup (FLEET_SCHEMA_INVENTORY, "hosts");
  g_autofree char *quoted = fleet_quote_value (name, FLEET_QUOTE_MAX_CHARS);
  const char *problem = NULL;

  if (name[0] == '\0')
    problem = "it is empty";
  else if ((gint64) strlen (name) > field->max)
    problem = "it is longer than 253 bytes";
  else if (!g_utf8_validate (name, -1, NULL))
    problem = "it is not valid UTF-8";
  else
    problem = fleet_name_problem (name);

  if (problem == NULL)
    return TRUE;

  fleet_diagnostics_error (diags, pos, "invalid %s name %s: %s", kind, quoted, problem);
  return FALSE;
}

/* The group graph while it is resolved. */
typedef struct {
  const FleetAnsibleInventory *inventory;
  FleetDiagnostics *diags;
  GHashTable *parents;         /* group name -> GPtrArray of FleetAnsibleChild * (borrowed) */
  GHashTable *depths;          /* group name -> GUINT_TO_POINTER (depth) */
  GHashTable *priorities;      /* group name -> GINT_TO_POINTER (priority) */
  GHashTable *ancestors;       /* group name -> GHashTable set of names, itself included */
  GPtrArray *order;            /* FleetAnsibleGroup *, topological order */
} Resolver;

static void
resolver_clear (Resolver *resolver)
{
  g_hash_table_unref (resolver->parents);
  g_hash_table_unref (resolver->depths);
  g_hash_table_unref (resolver->priorities);
  g_hash_table_unref (resolver->ancestors);
  g_ptr_array_unref (resolver->order);
}

static FleetAnsibleGroup *
lookup_group (const Resolver *resolver, const char *name)
{
  return g_hash_table_lookup (resolver->inventory->groups_by_name, name);
}

/* Record each group's parents, keyed by the child reference, and reject
 * `all` as a child. */
static gboolean
collect_parents (Resolver *resolver)
{
  const GPtrArray *groups = resolver->inventory->groups;
  gboolean valid = TRUE;

  for (guint i = 0; i < groups->len; i++)
    {
      const FleetAnsibleGroup *group = g_ptr_array_index (groups, i);

      for (guint c = 0; c < group->children->len; c++)
        {
          const FleetAnsibleChild *child = g_ptr_array_index (group->children, c);
          GPtrArray *parents = g_hash_table_lookup (resolver->parents, child->name);

          if (strcmp (child->name, GROUP_ALL) == 0)
            {
              fleet_diagnostics_error (resolver->diags, &child->pos,
                                       "group \"all\" cannot be a child group, because every "
                                       "group is already under it; remove it from the children "
                                       "of group \"%s\"",
                                       group->name);
              valid = FALSE;
              continue;
            }

          if (parents == NULL)
            {
              parents = g_ptr_array_new ();
              g_hash_table_insert (resolver->parents, child->name, parents);
            }
          g_ptr_array_add (parents, (gpointer) group->name);
        }
    }

  return valid;
}

static guint
parent_count (const Resolver *resolver, const char *name)
{
  GPtrArray *parents = g_hash_table_lookup (resolver->parents, name);

  return parents != NULL ? parents->len : 0;
}

/* Order the groups topologically and give each its depth: 0 for `all`, 1
 * for a group without parents, else one more than its deepest parent. */
static void
sort_topologically (Resolver *resolver)
{
  const GPtrArray *groups = resolver->inventory->groups;
  g_autoptr (GHashTable) waiting = g_hash_table_new (g_str_hash, g_str_equal);
  g_autoptr (GQueue) ready = g_queue_new ();

  for (guint i = 0; i < groups->len; i++)
    {
      FleetAnsibleGroup *group = g_ptr_array_index (groups, i);
      guint n_parents = parent_count (resolver, group->name);

      g_hash_table_insert (resolver->depths, group->name,
                           GUINT_TO_POINTER (strcmp (group->name, GROUP_ALL) == 0 ? 0 : 1));
      g_hash_table_insert (waiting, group->name, GUINT_TO_POINTER (n_parents));
      if (n_parents == 0)
        g_queue_push_tail (ready, group);
    }

  while (!g_queue_is_empty (ready))
    {
      FleetAnsibleGroup *group = g_queue_pop_head (ready);
      guint depth = GPOINTER_TO_UINT (g_hash_table_lookup (resolver->depths, group->name));

      g_ptr_array_add (resolver->order, group);
      for (guint c = 0; c < group->children->len; c++)
        {
          const FleetAnsibleChild *child = g_ptr_array_index (group->children, c);
          guint child_depth = GPOINTER_TO_UINT (g_hash_table_lookup (resolver->depths, child->name));
          guint left = GPOINTER_TO_UINT (g_hash_table_lookup (waiting, child->name)) - 1;

          g_hash_table_insert (resolver->depths, child->name,
                               GUINT_TO_POINTER (MAX (child_depth, depth + 1)));
          g_hash_table_insert (waiting, child->name, GUINT_TO_POINTER (left));
          if (left == 0)
            g_queue_push_tail (ready, lookup_group (resolver, child->name));
        }
    }
}

/* Return the reference to `child` among the children of `parent`. */
static const FleetAnsibleChild *
find_child (const Resolver *resolver, const char *parent, const char *child)
{
  const FleetAnsibleGroup *group = lookup_group (resolver, parent);

  for (guint c = 0; c < group->children->len; c++)
    {
      const FleetAnsibleChild *reference = g_ptr_array_index (group->children, c);
      if (strcmp (reference->name, child) == 0)
        return reference;
    }

  g_return_val_if_reached (NULL);
}

/* Report the cycle reached by walking parents up from `start`, a group that
 * the topological sort left unvisited, unless one of its groups is in
 * `reported` already.  Every unvisited group has an unvisited parent, so
 * the walk always comes back to a group it has seen. */
static void
report_cycle_above (Resolver *resolver, const char *start, GHashTable *visited, GHashTable *reported)
{
  g_autoptr (GPtrArray) path = g_ptr_array_new ();
  g_autoptr (GHashTable) index_of = g_hash_table_new (g_str_hash, g_str_equal);
  g_autoptr (GString) chain = g_string_new (NULL);
  const char *current = start;
  guint first;
  const FleetAnsibleChild *closing;

  while (!g_hash_table_contains (index_of, current))
    {
      GPtrArray *parents = g_hash_table_lookup (resolver->parents, current);

      g_hash_table_insert (index_of, (gpointer) current, GUINT_TO_POINTER (path->len));
      g_ptr_array_add (path, (gpointer) current);
      for (guint p = 0; p < parents->len; p++)
        if (!g_hash_table_contains (visited, g_ptr_array_index (parents, p)))
          {
            current = g_ptr_array_index (parents, p);
            break;
          }
    }

  /* path[first..] walks up the cycle, each entry a parent of the one before,
   * and path[first] is a parent of the last entry.  So the cycle read
   * downwards from path[first] visits the entries in reverse. */
  first = GPOINTER_TO_UINT (g_hash_table_lookup (index_of, current));
  for (guint i = first; i < path->len; i++)
    if (g_hash_table_contains (reported, g_ptr_array_index (path, i)))
      return;

  g_string_append (chain, current);
  for (guint i = path->len; i > first; i--)
    {
      const char *name = g_ptr_array_index (path, i - 1);

      g_hash_table_add (reported, (gpointer) name);
      g_string_append_printf (chain, " -> %s", name);
    }

  /* The error goes on the entry that closes the cycle: `current` as a child
   * of its parent on the walk. */
  closing = find_child (resolver, first + 1 < path->len ? g_ptr_array_index (path, first + 1) : current,
                        current);
  fleet_diagnostics_error (resolver->diags, &closing->pos,
                           "group \"%s\" contains itself through its child groups: %s; remove "
                           "one of these children",
                           current, chain->str);
}

static gboolean
report_cycles (Resolver *resolver)
{
  const GPtrArray *groups = resolver->inventory->groups;
  g_autoptr (GHashTable) visited = g_hash_table_new (g_str_hash, g_str_equal);
  g_autoptr (GHashTable) reported = g_hash_table_new (g_str_hash, g_str_equal);

  if (resolver->order->len == groups->len)
    return TRUE;

  for (guint i = 0; i < resolver->order->len; i++)
    g_hash_table_add (visited, ((FleetAnsibleGroup *) g_ptr_array_index (resolver->order, i))->name);

  for (guint i = 0; i < groups->len; i++)
    {
      const FleetAnsibleGroup *group = g_ptr_array_index (groups, i);

      if (!g_hash_table_contains (visited, group->name))
        report_cycle_above (resolver, group->name, visited, reported);
    }

  return FALSE;
}

/* Parse ansible_group_priority as Ansible's int() does, without spaces. */
static gboolean
parse_priority (const char *text, int *out)
{
  gint64 value;
  char *end = NULL;

  if (text == NULL || text[0] == '\0' || g_ascii_isspace (text[0]))
    return FALSE;

  value = g_ascii_strtoll (text, &end, 10);
  if (*end != '\0' || value < G_MININT || value > G_MAXINT)
    return FALSE;

  *out = (int) value;
  return TRUE;
}

static gboolean
read_priorities (Resolver *resolver)
{
  const GPtrArray *groups = resolver->inventory->groups;
  gboolean valid = TRUE;

  for (guint i = 0; i < groups->len; i++)
    {
      const FleetAnsibleGroup *group = g_ptr_array_index (groups, i);
      const FleetAnsibleValue *value = g_hash_table_lookup (group->vars, PRIORITY_VARIABLE);
      int priority = DEFAULT_GROUP_PRIORITY;

      if (value != NULL && (value->structured || !parse_priority (value->text, &priority)))
        {
          g_autofree char *quoted = fleet_quote_value (value->text != NULL ? value->text : "null",
                                                       FLEET_QUOTE_MAX_CHARS);
          fleet_diagnostics_error (resolver->diags, &value->pos,
                                   "invalid value %s for \"%s\" in group \"%s\": expected a whole "
                                   "number",
                                   quoted, PRIORITY_VARIABLE, group->name);
          valid = FALSE;
        }

      g_hash_table_insert (resolver->priorities, group->name, GINT_TO_POINTER (priority));
    }

  return valid;
}

/* Give each group the set of its ancestors and itself, in topological order
 * so that every parent's set is complete before its children need it. */
static void
collect_ancestors (Resolver *resolver)
{
  for (guint i = 0; i < resolver->order->len; i++)
    {
      const FleetAnsibleGroup *group = g_ptr_array_index (resolver->order, i);
      GPtrArray *parents = g_hash_table_lookup (resolver->parents, group->name);
      GHashTable *set = g_hash_table_new (g_str_hash, g_str_equal);

      g_hash_table_add (set, group->name);
      g_hash_table_add (set, (gpointer) GROUP_ALL);
      for (guint p = 0; parents != NULL && p < parents->len; p++)
        {
          GHashTable *parent_set = g_hash_table_lookup (resolver->ancestors,
                                                        g_ptr_array_index (parents, p));
          GHashTableIter iter;
          gpointer name;

          g_hash_table_iter_init (&iter, parent_set);
          while (g_hash_table_iter_next (&iter, &name, NULL))
            g_hash_table_add (set, name);
        }

      g_hash_table_insert (resolver->ancestors, group->name, set);
    }
}

static int
compare_groups (gconstpointer a, gconstpointer b, gpointer data)
{
  const Resolver *resolver = data;
  const char *name_a = *(const char * const *) a;
  const char *name_b = *(const char * const *) b;
  guint depth_a = GPOINTER_TO_UINT (g_hash_table_lookup (resolver->depths, name_a));
  guint depth_b = GPOINTER_TO_UINT (g_hash_table_lookup (resolver->depths, name_b));
  int priority_a = GPOINTER_TO_INT (g_hash_table_lookup (resolver->priorities, name_a));
  int priority_b = GPOINTER_TO_INT (g_hash_table_lookup (resolver->priorities, name_b));

  if (depth_a != depth_b)
    return depth_a < depth_b ? -1 : 1;
  if (priority_a != priority_b)
    return priority_a < priority_b ? -1 : 1;
  return strcmp (name_a, name_b);
}

/* Return the groups `host` belongs to, `all` included, as a set of
 * borrowed names.  `direct` lists the groups that name the host. */
static GHashTable *
host_groups (const Resolver *resolver, const GPtrArray *direct)
{
  GHashTable *set = g_hash_table_new (g_str_hash, g_str_equal);

  for (guint i = 0; direct != NULL && i < direct->len; i++)
    {
      GHashTable *ancestors = g_hash_table_lookup (resolver->ancestors, g_ptr_array_index (direct, i));
      GHashTableIter iter;
      gpointer name;

      g_hash_table_iter_init (&iter, ancestors);
      while (g_hash_table_iter_next (&iter, &name, NULL))
        g_hash_table_add (set, name);
    }

  /* As in Ansible's reconcile step, `ungrouped` contains exactly the hosts
   * that are in no other group besides `all`. */
  g_hash_table_add (set, (gpointer) GROUP_ALL);
  g_hash_table_remove (set, GROUP_UNGROUPED);
  if (g_hash_table_size (set) == 1)
    g_hash_table_add (set, (gpointer) GROUP_UNGROUPED);

  return set;
}

static void
merge_vars (GHashTable *merged, GHashTable *vars, gboolean skip_priority)
{
  GHashTableIter iter;
  gpointer name, value;

  g_hash_table_iter_init (&iter, vars);
  while (g_hash_table_iter_next (&iter, &name, &value))
    if (!skip_priority || strcmp (name, PRIORITY_VARIABLE) != 0)
      g_hash_table_insert (merged, name, value);
}

/* Return the variables of `host` after precedence, as borrowed name ->
 * FleetAnsibleValue pointers. */
static GHashTable *
resolve_vars (const Resolver *resolver, const FleetAnsibleHost *host, GHashTable *groups)
{
  g_autofree const char **names = (const char **) g_hash_table_get_keys_as_array (groups, NULL);
  guint n_names = g_hash_table_size (groups);
  GHashTable *merged = g_hash_table_new (g_str_hash, g_str_equal);

  g_qsort_with_data (names, (gint) n_names, sizeof (char *), compare_groups, (gpointer) resolver);
  for (guint i = 0; i < n_names; i++)
    merge_vars (merged, lookup_group (resolver, names[i])->vars, TRUE);
  merge_vars (merged, host->vars, FALSE);

  return merged;
}

static int
compare_names (gconstpointer a, gconstpointer b)
{
  return strcmp (*(const char * const *) a, *(const char * const *) b);
}

/* Map each host name to the groups that list it directly. */
static GHashTable *
collect_direct_groups (const FleetAnsibleInventory *inventory)
{
  GHashTable *direct = g_hash_table_new_full (g_str_hash, g_str_equal, NULL,
                                              (GDestroyNotify) g_ptr_array_unref);

  for (guint i = 0; i < inventory->groups->len; i++)
    {
      const FleetAnsibleGroup *group = g_ptr_array_index (inventory->groups, i);

      for (guint h = 0; h < group->hosts->len; h++)
        {
          const char *host = g_ptr_array_index (group->hosts, h);
          GPtrArray *list = g_hash_table_lookup (direct, host);

          if (list == NULL)
            {
              list = g_ptr_array_new ();
              g_hash_table_insert (direct, (gpointer) host, list);
            }
          g_ptr_array_add (list, group->name);
        }
    }

  return direct;
}

/* Create the FleetGroup of every group but `all`, in source order. */
static void
add_groups (const Resolver *resolver, FleetInventory *result)
{
  const GPtrArray *groups = resolver->inventory->groups;

  for (guint i = 0; i < groups->len; i++)
    {
      const FleetAnsibleGroup *group = g_ptr_array_index (groups, i);
      FleetGroup *fleet_group;

      if (strcmp (group->name, GROUP_ALL) == 0)
        continue;

      fleet_group = fleet_group_new (group->name);
      fleet_group->pos = group->pos;
      fleet_inventory_add_group (result, fleet_group);
    }
}

/* Record where each attribute of `host` is written, for messages about
 * two sources that disagree. */
static void
record_attribute_positions (GHashTable *vars, const FleetHost *host, FleetInventory *result)
{
  GHashTableIter iter;
  gpointer name, value;

  g_hash_table_iter_init (&iter, vars);
  while (g_hash_table_iter_next (&iter, &name, &value))
    if (g_hash_table_contains (host->attributes, name))
      fleet_inventory_set_value_pos (result, host->name, name,
                                     &((const FleetAnsibleValue *) value)->pos);
}

/* Build the host, record its groups, and add it to the members of each. */
static void
add_host (const Resolver *resolver,
          FleetAnsibleVarsContext *context,
          const FleetAnsibleHost *ansible_host,
          const GPtrArray *direct,
          GHashTable *own_settings,
          FleetInventory *result)
{
  g_autoptr (GHashTable) groups = host_groups (resolver, direct);
  g_autoptr (GHashTable) vars = resolve_vars (resolver, ansible_host, groups);
  g_autofree const char **names = NULL;
  guint n_names = 0;
  FleetHost *host = fleet_host_new (ansible_host->name);
  FleetHostSettings *settings = g_new0 (FleetHostSettings, 1);

  host->pos = ansible_host->pos;
  fleet_host_settings_init (settings);
  fleet_ansible_apply_vars (resolver->diags, context, vars, host, settings);
  g_hash_table_replace (own_settings, g_strdup (host->name), settings);
  record_attribute_positions (vars, host, result);

  g_hash_table_remove (groups, GROUP_ALL);
  names = (const char **) g_hash_table_get_keys_as_array (groups, &n_names);
  qsort (names, n_names, sizeof (char *), compare_names);
  for (guint i = 0; i < n_names; i++)
    {
      FleetGroup *group = g_hash_table_lookup (result->groups_by_name, names[i]);

      g_ptr_array_add (host->groups, g_strdup (names[i]));
      g_ptr_array_add (group->members, g_strdup (host->name));
    }

  fleet_inventory_add_host (result, host);
}

/* Drop `ungrouped` when no host ended up in it, because every Ansible
 * inventory has it and an empty one only adds noise to plans. */
static void
drop_empty_ungrouped (FleetInventory *result)
{
  FleetGroup *ungrouped = g_hash_table_lookup (result->groups_by_name, GROUP_UNGROUPED);

  if (ungrouped == NULL || ungrouped->members->len > 0)
    return;

  g_hash_table_remove (result->groups_by_name, GROUP_UNGROUPED);
  g_ptr_array_remove (result->groups, ungrouped);
}

static void
free_settings (FleetHostSettings *settings)
{
  fleet_host_settings_clear (settings);
  g_free (settings);
}

/* Build every host, then settle its connection settings with the host
 * resolver, which also builds the jump hosts its proxy_jump names.  The
 * ssh_config is not consulted, because an Ansible inventory carries its
 * connection settings in its variables. */
static void
build_hosts (const Resolver *resolver, FleetInventory *result)
{
  const FleetAnsibleInventory *inventory = resolver->inventory;
  g_autoptr (GHashTable) direct = collect_direct_groups (inventory);
  g_autoptr (GHashTable) own_settings = g_hash_table_new_full (g_str_hash, g_str_equal, g_free,
                                                               (GDestroyNotify) free_settings);
  FleetAnsibleVarsContext *context = fleet_ansible_vars_context_new (inventory->base_dir);
  FleetHostSettings no_defaults;

  add_groups (resolver, result);
  for (guint i = 0; i < inventory->hosts->len; i++)
    {
      const FleetAnsibleHost *host = g_ptr_array_index (inventory->hosts, i);

      add_host (resolver, context, host, g_hash_table_lookup (direct, host->name), own_settings,
                result);
    }

  fleet_host_settings_init (&no_defaults);
  fleet_resolve_hosts (result, own_settings, &no_defaults, NULL);

  drop_empty_ungrouped (result);
  fleet_ansible_vars_context_free (context);
}

FleetInventory *
fleet_ansible_inventory_resolve (FleetDiagnostics *diags, const FleetAnsibleInventory *inventory)
{
  guint errors_before = fleet_diagnostics_error_count (diags);
  g_autoptr (FleetInventory) result = fleet_inventory_new (inventory->path);
  Resolver resolver = {
    .inventory = inventory,
    .diags = diags,
    .parents = g_hash_table_new_full (g_str_hash, g_str_equal, NULL,
                                      (GDestroyNotify) g_ptr_array_unref),
    .depths = g_hash_table_new (g_str_hash, g_str_equal),
    .priorities = g_hash_table_new (g_str_hash, g_str_equal),
    .ancestors = g_hash_table_new_full (g_str_hash, g_str_equal, NULL,
                                        (GDestroyNotify) g_hash_table_unref),
    .order = g_ptr_array_new (),
  };
  gboolean valid = collect_parents (&resolver);

  if (valid)
    {
      sort_topologically (&resolver);
      valid = report_cycles (&resolver);
    }
  if (valid && read_priorities (&resolver))
    {
      collect_ancestors (&resolver);
      build_hosts (&resolver, result);
    }

  resolver_clear (&resolver);
  if (fleet_diagnostics_error_count (diags) > errors_before)
    return NULL;

  return g_steal_pointer (&result);
}
