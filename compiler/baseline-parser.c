/* baseline-parser.c: baseline files into FleetBaseline rules. */
#include "compiler/baseline-parser.h"

#include <string.h>

#include "compiler/source-file.h"
#include "schema/fleet-snapshot-diff.h"

/* Checks a rule mapping may hold, and the categories each applies to
 * (a bit set of 1 << FleetSnapshotCategory; 0: every category). */
typedef struct {
  const char *key;
  guint categories;
} CheckKey;

#define FILES_ONLY (1u << FLEET_SNAPSHOT_FILES)
#define SERVICES_ONLY (1u << FLEET_SNAPSHOT_SERVICES)
#define PACKAGES_ONLY (1u << FLEET_SNAPSHOT_PACKAGES)

static const CheckKey check_keys[] = {
  { "state", 0 },
  { "value", 0 },
  { "version", PACKAGES_ONLY },
  { "sha256", FILES_ONLY },
  { "mode", FILES_ONLY },
  { "owner", FILES_ONLY },
  { "link", FILES_ONLY },
  { "enabled", SERVICES_ONLY },
  { "active", SERVICES_ONLY },
};

static char *
format_origin (const FleetSourcePos *pos)
{
  return g_strdup_printf ("%s:%u:%u", pos->file != NULL ? pos->file : "baseline", pos->line,
                          pos->column);
}

/* Return the text of a scalar, or NULL after reporting `what` as invalid. */
static const char *
scalar_text (FleetDiagnostics *diags, const FleetYamlNode *node, const char *what)
{
  if (node->kind == FLEET_YAML_SCALAR && !fleet_yaml_node_is_null (node))
    return node->value;

  fleet_diagnostics_error (diags, &node->pos, "invalid %s: expected a string, found %s", what,
                           fleet_yaml_node_is_null (node) ? "null"
                             : fleet_yaml_kind_description (node->kind));
  return NULL;
}

static gboolean
read_flag (FleetDiagnostics *diags, const FleetYamlNode *node, const char *key,
           FleetBaselineFlag *out)
{
  if (node->kind == FLEET_YAML_SCALAR && node->plain
      && (strcmp (node->value, "true") == 0 || strcmp (node->value, "false") == 0))
    {
      *out = strcmp (node->value, "true") == 0 ? FLEET_BASELINE_YES : FLEET_BASELINE_NO;
      return TRUE;
    }
  fleet_diagnostics_error (diags, &node->pos, "invalid value for \"%s\": expected true or false",
                           key);
  return FALSE;
}

static gboolean
is_sha256 (const char *text)
{
  if (strlen (text) != 64)
    return FALSE;
  for (const char *p = text; *p != '\0'; p++)
    if (!g_ascii_isxdigit (*p))
      return FALSE;
  return TRUE;
}

static gboolean
is_octal_mode (const char *text)
{
  gsize length = strlen (text);

  if (length == 0 || length > 5)
    return FALSE;
  for (gsize i = 0; i < length; i++)
    if (text[i] < '0' || text[i] > '7')
      return FALSE;
  return g_ascii_strtoull (text, NULL, 8) <= 07777;
}

static gboolean
read_state (FleetDiagnostics *diags, const FleetYamlNode *node, FleetBaselineRule *rule)
{
  const char *text = scalar_text (diags, node, "value for \"state\"");

  if (text == NULL)
    return FALSE;
  if (strcmp (text, "present") == 0 || strcmp (text, "absent") == 0)
    {
      rule->state = text[0] == 'a' ? FLEET_BASELINE_ABSENT : FLEET_BASELINE_PRESENT;
      return TRUE;
    }
  fleet_diagnostics_error (diags, &node->pos,
                           "invalid value \"%s\" for \"state\"; use present or absent", text);
  return FALSE;
}

/* Read one check of a rule mapping; FALSE after an error. */
static gboolean
read_check (FleetDiagnostics *diags, const char *key, const FleetYamlNode *node,
            FleetBaselineRule *rule)
{
  const char *text;

  if (strcmp (key, "state") == 0)
    return read_state (diags, node, rule);
  if (strcmp (key, "enabled") == 0)
    return read_flag (diags, node, key, &rule->enabled);
  if (strcmp (key, "active") == 0)
    return read_flag (diags, node, key, &rule->active);

  text = scalar_text (diags, node, "check value");
  if (text == NULL)
    return FALSE;

  if (strcmp (key, "sha256") == 0)
    {
      if (!is_sha256 (text))
        {
          fleet_diagnostics_error (diags, &node->pos,
                                   "invalid sha256 \"%.80s\"; expected 64 hex digits", text);
          return FALSE;
        }
      rule->sha256 = g_ascii_strdown (text, -1);
    }
  else if (strcmp (key, "mode") == 0)
    {
      if (!is_octal_mode (text))
        {
          fleet_diagnostics_error (diags, &node->pos,
                                   "invalid mode \"%.40s\"; expected octal permission bits such "
                                   "as 0644", text);
          return FALSE;
        }
      rule->mode = g_strdup (text);
    }
  else if (strcmp (key, "owner") == 0)
    {
      if (strchr (text, ':') == NULL)
        {
          fleet_diagnostics_error (diags, &node->pos,
                                   "invalid owner \"%.80s\"; expected user:group", text);
          return FALSE;
        }
      rule->owner = g_strdup (text);
    }
  else if (strcmp (key, "link") == 0)
    rule->link = g_strdup (text);
  else
    rule->value = g_strdup (text);
  return TRUE;
}

static const CheckKey *
find_check_key (const char *key)
{
  for (guint i = 0; i < G_N_ELEMENTS (check_keys); i++)
    if (strcmp (check_keys[i].key, key) == 0)
      return &check_keys[i];
  return NULL;
}

static gboolean
read_rule_mapping (FleetDiagnostics *diags, const FleetYamlNode *mapping, FleetBaselineRule *rule)
{
  const char *category = fleet_snapshot_category_name (rule->category);
  gboolean ok = TRUE;
  gboolean has_check = FALSE;

  for (guint i = 0; i < mapping->items->len; i++)
    {
      const FleetYamlNode *key = g_ptr_array_index (mapping->keys, i);
      const FleetYamlNode *value = g_ptr_array_index (mapping->items, i);
      const CheckKey *check = find_check_key (key->value);

      if (check == NULL || (check->categories != 0
                            && (check->categories & (1u << rule->category)) == 0))
        {
          fleet_diagnostics_error (diags, &key->pos,
                                   "unknown check \"%.60s\" for %s; use state and value%s",
                                   key->value, category,
                                   rule->category == FLEET_SNAPSHOT_FILES
                                     ? ", sha256, mode, owner or link"
                                   : rule->category == FLEET_SNAPSHOT_SERVICES
                                     ? ", enabled or active"
                                   : rule->category == FLEET_SNAPSHOT_PACKAGES ? " or version"
                                   : "");
          ok = FALSE;
          continue;
        }
      if (!read_check (diags, key->value, value, rule))
        ok = FALSE;
      has_check = has_check || strcmp (key->value, "state") != 0;
    }

  if (ok && has_check && rule->state == FLEET_BASELINE_ABSENT)
    {
      fleet_diagnostics_error (diags, &mapping->pos,
                               "a rule with state absent cannot check anything else; remove the "
                               "other checks or the state");
      ok = FALSE;
    }
  return ok;
}

/* Read the rule for `key` in `category`: a scalar or a mapping. */
static FleetBaselineRule *
read_rule (FleetDiagnostics *diags, FleetSnapshotCategory category, const FleetYamlNode *key,
           const FleetYamlNode *value)
{
  g_autoptr (FleetBaselineRule) rule = NULL;
  g_autoptr (FleetSnapshotExpect) check = fleet_snapshot_expect_new ();
  g_autoptr (GError) error = NULL;

  if (key->value == NULL || key->value[0] == '\0')
    {
      fleet_diagnostics_error (diags, &key->pos, "empty key in %s; name an item or a glob",
                               fleet_snapshot_category_name (category));
      return NULL;
    }
  if (!fleet_snapshot_expect_add (check, category, key->value, &error))
    {
      fleet_diagnostics_error (diags, &key->pos, "invalid pattern: %s", error->message);
      return NULL;
    }

  rule = fleet_baseline_rule_new (category, key->value);
  rule->origin = format_origin (&key->pos);

  if (value->kind == FLEET_YAML_MAPPING)
    return read_rule_mapping (diags, value, rule) ? g_steal_pointer (&rule) : NULL;
  if (value->kind == FLEET_YAML_SEQUENCE)
    {
      fleet_diagnostics_error (diags, &value->pos,
                               "invalid rule for \"%.60s\": expected present, absent, a value or "
                               "a mapping of checks, found a list", key->value);
      return NULL;
    }
  if (fleet_yaml_node_is_null (value) || strcmp (value->value, "present") == 0)
    return g_steal_pointer (&rule);
  if (strcmp (value->value, "absent") == 0)
    {
      rule->state = FLEET_BASELINE_ABSENT;
      return g_steal_pointer (&rule);
    }
  if (category == FLEET_SNAPSHOT_FILES || category == FLEET_SNAPSHOT_SERVICES)
    {
      fleet_diagnostics_error (diags, &value->pos,
                               "invalid rule \"%.60s\" for %s; use present, absent or a mapping "
                               "of checks such as {%s}", value->value,
                               fleet_snapshot_category_name (category),
                               category == FLEET_SNAPSHOT_FILES ? "sha256: ..., mode: \"0644\""
                                                                : "enabled: true, active: true");
      return NULL;
    }
  rule->value = g_strdup (value->value);
  return g_steal_pointer (&rule);
}

static void
read_category (FleetDiagnostics *diags, FleetSnapshotCategory category,
               const FleetYamlNode *mapping, FleetBaseline *baseline)
{
  if (fleet_yaml_node_is_null (mapping))
    return;
  if (mapping->kind != FLEET_YAML_MAPPING)
    {
      fleet_diagnostics_error (diags, &mapping->pos,
                               "invalid %s: expected a mapping of item keys to rules, found %s",
                               fleet_snapshot_category_name (category),
                               fleet_yaml_kind_description (mapping->kind));
      return;
    }

  for (guint i = 0; i < mapping->items->len; i++)
    {
      FleetBaselineRule *rule = read_rule (diags, category, g_ptr_array_index (mapping->keys, i),
                                           g_ptr_array_index (mapping->items, i));

      if (rule != NULL)
        g_ptr_array_add (baseline->rules, rule);
    }
}

FleetBaseline *
fleet_parse_baseline (FleetDiagnostics *diags, const FleetYamlNode *root, const char *default_name)
{
  g_autoptr (FleetBaseline) baseline = fleet_baseline_new (default_name);
  guint errors_before = fleet_diagnostics_error_count (diags);

  if (root->kind != FLEET_YAML_MAPPING)
    {
      fleet_diagnostics_error (diags, &root->pos,
                               "invalid baseline file: expected a mapping of categories, found %s",
                               fleet_yaml_kind_description (root->kind));
      return NULL;
    }

  for (guint i = 0; i < root->items->len; i++)
    {
      const FleetYamlNode *key = g_ptr_array_index (root->keys, i);
      const FleetYamlNode *value = g_ptr_array_index (root->items, i);
      FleetSnapshotCategory category;

      if (strcmp (key->value, "name") == 0)
        {
          const char *name = scalar_text (diags, value, "value for \"name\"");

          if (name != NULL)
            {
              g_free (baseline->name);
              baseline->name = g_strdup (name);
            }
          continue;
        }
      if (!fleet_snapshot_category_from_name (key->value, &category))
        {
          fleet_diagnostics_error (diags, &key->pos,
                                   "unknown key \"%.60s\" in baseline; use name, os, packages, "
                                   "services, files, sysctl, ports, users, groups, mounts or "
                                   "facts", key->value);
          continue;
        }
      read_category (diags, category, value, baseline);
    }

  if (fleet_diagnostics_error_count (diags) > errors_before)
    return NULL;
  if (baseline->rules->len == 0)
    {
      fleet_diagnostics_error (diags, &root->pos,
                               "baseline has no rules; add at least one category with an item");
      return NULL;
    }
  return g_steal_pointer (&baseline);
}

FleetBaseline *
fleet_parse_baseline_file (FleetDiagnostics *diags, const char *path,
                           const FleetSourcePos *reference)
{
  g_autoptr (GBytes) text = fleet_read_source_file (diags, path, "baseline", reference);
  g_autoptr (FleetYamlDocument) document = NULL;
  g_autofree char *name = NULL;
  gsize length;
  const char *data;

  if (text == NULL)
    return NULL;

  data = g_bytes_get_data (text, &length);
  document = fleet_yaml_parse (g_intern_string (path), data, length, diags);
  if (document == NULL)
    return NULL;

  name = g_path_get_basename (path);
  return fleet_parse_baseline (diags, fleet_yaml_document_root (document), name);
}
