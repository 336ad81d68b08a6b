/* fleet-baseline.c: desired-state rules and the check of a snapshot. */
#include "schema/fleet-baseline.h"

#include <stdlib.h>
#include <string.h>

#include "schema/fleet-snapshot-diff.h"
#include "schema/fleet-text.h"

/* Architectures rpm appends to package names as ".ARCH". */
static const char *const rpm_architectures[] = {
  "x86_64", "aarch64", "noarch", "i686", "i386", "ppc64le", "s390x", "armv7hl", "riscv64",
};

/* systemd's unit-file states that start a unit at boot. */
static const char *const enabled_states[] = { "enabled", "enabled-runtime" };

FleetBaselineRule *
fleet_baseline_rule_new (FleetSnapshotCategory category, const char *pattern)
{
  FleetBaselineRule *rule = g_new0 (FleetBaselineRule, 1);

  rule->category = category;
  rule->pattern = g_strdup (pattern);
  rule->state = FLEET_BASELINE_PRESENT;
  rule->enabled = FLEET_BASELINE_ANY;
  rule->active = FLEET_BASELINE_ANY;
  return rule;
}

void
fleet_baseline_rule_free (FleetBaselineRule *rule)
{
  if (rule == NULL)
    return;
  g_free (rule->pattern);
  g_free (rule->value);
  g_free (rule->sha256);
  g_free (rule->mode);
  g_free (rule->owner);
  g_free (rule->link);
  g_free (rule->origin);
  g_free (rule);
}

static FleetBaselineRule *
rule_copy (const FleetBaselineRule *rule)
{
  FleetBaselineRule *copy = fleet_baseline_rule_new (rule->category, rule->pattern);

  copy->state = rule->state;
  copy->value = g_strdup (rule->value);
  copy->sha256 = g_strdup (rule->sha256);
  copy->mode = g_strdup (rule->mode);
  copy->owner = g_strdup (rule->owner);
  copy->link = g_strdup (rule->link);
  copy->enabled = rule->enabled;
  copy->active = rule->active;
  copy->origin = g_strdup (rule->origin);
  return copy;
}

FleetBaseline *
fleet_baseline_new (const char *name)
{
  FleetBaseline *baseline = g_new0 (FleetBaseline, 1);

  baseline->name = g_strdup (name);
  baseline->rules = g_ptr_array_new_with_free_func ((GDestroyNotify) fleet_baseline_rule_free);
  return baseline;
}

void
fleet_baseline_free (FleetBaseline *baseline)
{
  if (baseline == NULL)
    return;
  g_free (baseline->name);
  g_ptr_array_unref (baseline->rules);
  g_free (baseline);
}

FleetBaseline *
fleet_baseline_copy (const FleetBaseline *baseline)
{
  FleetBaseline *copy = fleet_baseline_new (baseline->name);

  for (guint i = 0; i < baseline->rules->len; i++)
    g_ptr_array_add (copy->rules, rule_copy (g_ptr_array_index (baseline->rules, i)));
  return copy;
}

guint
fleet_baseline_categories (const FleetBaseline *baseline)
{
  guint categories = 0;

  for (guint i = 0; i < baseline->rules->len; i++)
    {
      const FleetBaselineRule *rule = g_ptr_array_index (baseline->rules, i);

      categories |= 1u << rule->category;
    }
  return categories;
}

/* Return the part of `pattern` a collector can read: all of it without a
 * glob character, else the directory before the first one, unquoted. */
static char *
collectable_path (const char *pattern)
{
  g_autoptr (GString) path = g_string_new (NULL);
  gsize last_slash = 0;

  for (const char *p = pattern; *p != '\0'; p++)
    {
      if (*p == '*' || *p == '?')
        {
          g_string_truncate (path, last_slash);
          return g_string_free (g_steal_pointer (&path), FALSE);
        }
      if (*p == '\\' && p[1] != '\0')
        p++;
      if (*p == '/')
        last_slash = path->len == 0 ? 1 : path->len;
      g_string_append_c (path, *p);
    }
  return g_string_free (g_steal_pointer (&path), FALSE);
}

static int
compare_strings (gconstpointer a, gconstpointer b)
{
  return strcmp (*(const char *const *) a, *(const char *const *) b);
}

GPtrArray *
fleet_baseline_file_paths (const FleetBaseline *baseline)
{
  g_autoptr (GPtrArray) paths = g_ptr_array_new_with_free_func (g_free);
  GPtrArray *unique = g_ptr_array_new_with_free_func (g_free);

  for (guint i = 0; i < baseline->rules->len; i++)
    {
      const FleetBaselineRule *rule = g_ptr_array_index (baseline->rules, i);
      char *path;

      if (rule->category != FLEET_SNAPSHOT_FILES)
        continue;
      path = collectable_path (rule->pattern);
      if (path[0] == '\0')
        g_free (path);
      else
        g_ptr_array_add (paths, path);
    }

  g_ptr_array_sort (paths, compare_strings);
  for (guint i = 0; i < paths->len; i++)
    if (i == 0 || strcmp (g_ptr_array_index (paths, i), g_ptr_array_index (paths, i - 1)) != 0)
      g_ptr_array_add (unique, g_strdup (g_ptr_array_index (paths, i)));
  return unique;
}

void
fleet_baseline_violation_free (FleetBaselineViolation *violation)
{
  if (violation == NULL)
    return;
  g_free (violation->key);
  g_free (violation->field);
  g_free (violation->expected);
  g_free (violation->actual);
  g_free (violation->origin);
  g_free (violation);
}

static void
add_violation (GPtrArray *violations, const FleetBaselineRule *rule, const char *key,
               const char *field, const char *expected, const char *actual)
{
  FleetBaselineViolation *violation = g_new0 (FleetBaselineViolation, 1);

  violation->category = rule->category;
  violation->key = g_strdup (key);
  violation->field = g_strdup (field);
  violation->expected = g_strdup (expected);
  violation->actual = g_strdup (actual);
  violation->origin = g_strdup (rule->origin);
  g_ptr_array_add (violations, violation);
}

/* Return `key` without the architecture a package manager appends, or NULL
 * when it has none. */
static char *
package_name_without_arch (const char *key)
{
  const char *colon = strrchr (key, ':');
  const char *dot = strrchr (key, '.');

  if (colon != NULL && colon != key)
    return g_strndup (key, colon - key);
  if (dot == NULL || dot == key)
    return NULL;
  for (guint i = 0; i < G_N_ELEMENTS (rpm_architectures); i++)
    if (strcmp (dot + 1, rpm_architectures[i]) == 0)
      return g_strndup (key, dot - key);
  return NULL;
}

static gboolean
rule_matches_key (const FleetBaselineRule *rule, const char *key)
{
  g_autofree char *name = NULL;

  if (fleet_snapshot_glob_match (rule->pattern, key))
    return TRUE;
  if (rule->category != FLEET_SNAPSHOT_PACKAGES)
    return FALSE;
  name = package_name_without_arch (key);
  return name != NULL && fleet_snapshot_glob_match (rule->pattern, name);
}

/* Return `value` with leading and trailing blanks removed and each inner
 * run of blanks turned into one space. */
static char *
normalize_blanks (const char *value)
{
  GString *out = g_string_new (NULL);
  gboolean pending_space = FALSE;

  for (const char *p = value; *p != '\0'; p++)
    {
      if (*p == ' ' || *p == '\t')
        {
          pending_space = out->len > 0;
          continue;
        }
      if (pending_space)
        g_string_append_c (out, ' ');
      pending_space = FALSE;
      g_string_append_c (out, *p);
    }
  return g_string_free (out, FALSE);
}

static gboolean
values_equal (const char *expected, const char *actual)
{
  g_autofree char *normal_expected = normalize_blanks (expected);
  g_autofree char *normal_actual = normalize_blanks (actual);

  return strcmp (normal_expected, normal_actual) == 0;
}

static gboolean
package_version_matches (const char *expected, const char *actual)
{
  g_auto (GStrv) versions = g_strsplit (actual, ",", -1);

  for (guint i = 0; versions[i] != NULL; i++)
    {
      const char *version = versions[i];

      if (strcmp (version, expected) == 0)
        return TRUE;
      if (g_str_has_prefix (version, "0:") && strcmp (version + 2, expected) == 0)
        return TRUE;
    }
  return FALSE;
}

/* Read a service value into its active and enabled states.  systemd items
 * are "ACTIVE SUB UNIT-FILE-STATE"; OpenRC items are the runlevels or
 * "disabled"; BSD rc items are "enabled".  A state the service manager
 * does not report comes back as unknown (its *_known flag FALSE). */
static void
read_service_states (const char *value, const char **out_active, gboolean *out_active_known,
                     gboolean *out_enabled, gboolean *out_enabled_known, char ***words_out)
{
  char **words = g_strsplit (value, " ", -1);
  guint n_words = g_strv_length (words);

  *out_active_known = FALSE;
  *out_enabled_known = FALSE;
  *out_active = NULL;
  *out_enabled = FALSE;
  *words_out = words;

  if (n_words == 3)
    {
      *out_active = words[0];
      *out_active_known = TRUE;
      *out_enabled_known = strcmp (words[2], "-") != 0;
      *out_enabled = g_strv_contains (enabled_states, words[2]);
      return;
    }
  if (n_words == 2)
    {
      /* Items of collector version 1 carry no unit-file state. */
      *out_active = words[0];
      *out_active_known = TRUE;
      return;
    }
  if (n_words == 1)
    {
      *out_enabled_known = TRUE;
      *out_enabled = strcmp (words[0], "disabled") != 0;
    }
}

static void
check_service (GPtrArray *violations, const FleetBaselineRule *rule, const FleetSnapshotItem *item)
{
  g_auto (GStrv) words = NULL;
  const char *active_state;
  gboolean active_known, enabled, enabled_known;

  read_service_states (item->value, &active_state, &active_known, &enabled, &enabled_known,
                       &words);
  if (rule->active != FLEET_BASELINE_ANY)
    {
      const char *expected = rule->active == FLEET_BASELINE_YES ? "active" : "inactive";

      if (!active_known)
        add_violation (violations, rule, item->key, "active", expected, NULL);
      else if ((strcmp (active_state, "active") == 0) != (rule->active == FLEET_BASELINE_YES))
        add_violation (violations, rule, item->key, "active", expected, active_state);
    }
  if (rule->enabled != FLEET_BASELINE_ANY)
    {
      const char *expected = rule->enabled == FLEET_BASELINE_YES ? "enabled" : "disabled";

      if (!enabled_known)
        add_violation (violations, rule, item->key, "enabled", expected, NULL);
      else if (enabled != (rule->enabled == FLEET_BASELINE_YES))
        add_violation (violations, rule, item->key, "enabled", expected,
                       g_strv_length (words) == 3 ? words[2] : item->value);
    }
}

static void
check_file (GPtrArray *violations, const FleetBaselineRule *rule, const FleetSnapshotItem *item)
{
  const FleetSnapshotFile *file = item->file;

  if (file == NULL)
    return;

  if (rule->sha256 != NULL && g_ascii_strcasecmp (rule->sha256, file->sha256) != 0)
    add_violation (violations, rule, item->key, "sha256", rule->sha256,
                   file->sha256[0] != '\0' ? file->sha256 : NULL);
  if (rule->mode != NULL)
    {
      guint64 expected = g_ascii_strtoull (rule->mode, NULL, 8);
      guint actual = file->mode & 07777;

      if (expected != actual)
        {
          g_autofree char *actual_text = g_strdup_printf ("%04o", actual);

          add_violation (violations, rule, item->key, "mode", rule->mode, actual_text);
        }
    }
  if (rule->owner != NULL && strcmp (rule->owner, file->owner) != 0)
    add_violation (violations, rule, item->key, "owner", rule->owner, file->owner);
  if (rule->link != NULL && strcmp (rule->link, file->link_target) != 0)
    add_violation (violations, rule, item->key, "link", rule->link,
                   file->link_target[0] != '\0' ? file->link_target : NULL);
}

static void
check_item (GPtrArray *violations, const FleetBaselineRule *rule, const FleetSnapshotItem *item)
{
  if (rule->value != NULL)
    {
      gboolean equal = rule->category == FLEET_SNAPSHOT_PACKAGES
                         ? package_version_matches (rule->value, item->value)
                         : values_equal (rule->value, item->value);

      if (!equal)
        add_violation (violations, rule, item->key,
                       rule->category == FLEET_SNAPSHOT_PACKAGES ? "version" : "value",
                       rule->value, item->value);
    }
  if (rule->category == FLEET_SNAPSHOT_FILES)
    check_file (violations, rule, item);
  if (rule->category == FLEET_SNAPSHOT_SERVICES)
    check_service (violations, rule, item);
}

static void
check_rule (GPtrArray *violations, const FleetBaselineRule *rule, FleetSnapshot *snapshot)
{
  const FleetSnapshotItem *items;
  gsize n_items = 0;
  guint matched = 0;

  if (!fleet_snapshot_is_available (snapshot, rule->category))
    {
      const char *reason = fleet_snapshot_unavailable_reason (snapshot, rule->category);
      g_autofree char *actual = g_strdup_printf ("unavailable: %s",
                                                 reason != NULL ? reason : "not collected");

      add_violation (violations, rule, rule->pattern, "category", "collected", actual);
      return;
    }

  items = fleet_snapshot_items (snapshot, rule->category, &n_items);
  for (gsize i = 0; i < n_items; i++)
    {
      if (!rule_matches_key (rule, items[i].key))
        continue;
      matched++;
      if (rule->state == FLEET_BASELINE_ABSENT)
        add_violation (violations, rule, items[i].key, "state", "absent", "present");
      else
        check_item (violations, rule, &items[i]);
    }

  if (matched == 0 && rule->state == FLEET_BASELINE_PRESENT)
    add_violation (violations, rule, rule->pattern, "state", "present", NULL);
}

GPtrArray *
fleet_baseline_check (const FleetBaseline *baseline, FleetSnapshot *snapshot)
{
  GPtrArray *violations = g_ptr_array_new_with_free_func (
    (GDestroyNotify) fleet_baseline_violation_free);

  for (guint i = 0; i < baseline->rules->len; i++)
    check_rule (violations, g_ptr_array_index (baseline->rules, i), snapshot);
  return violations;
}

void
fleet_baseline_violations_append_text (const GPtrArray *violations, const char *indent,
                                       GString *out)
{
  for (guint i = 0; i < violations->len; i++)
    {
      const FleetBaselineViolation *violation = g_ptr_array_index (violations, i);
      g_autofree char *key = fleet_escape_for_terminal (violation->key);
      g_autofree char *expected = fleet_escape_for_terminal (violation->expected);
      g_autofree char *actual = fleet_escape_for_terminal (violation->actual);

      g_string_append_printf (out, "%s%s %s: ", indent,
                              fleet_snapshot_category_name (violation->category), key);
      /* A category the host could not report is a violation because the
       * rule went unchecked, not because a value differs. */
      if (g_str_equal (violation->field, "category"))
        g_string_append_printf (out, "not checked because the category is %s", actual);
      else if (violation->actual == NULL)
        g_string_append_printf (out, "%s missing, baseline requires %s", violation->field,
                                expected);
      else
        g_string_append_printf (out, "%s is %s, baseline requires %s", violation->field, actual,
                                expected);
      if (violation->origin != NULL)
        {
          g_autofree char *origin = fleet_escape_for_terminal (violation->origin);

          g_string_append_printf (out, " (%s)", origin);
        }
      g_string_append_c (out, '\n');
    }
}

void
fleet_baseline_violations_write_json (const GPtrArray *violations, FleetJsonWriter *json)
{
  fleet_json_begin_array (json);
  for (guint i = 0; i < violations->len; i++)
    {
      const FleetBaselineViolation *violation = g_ptr_array_index (violations, i);

      fleet_json_begin_object (json);
      fleet_json_key (json, "category");
      fleet_json_string (json, fleet_snapshot_category_name (violation->category));
      fleet_json_key (json, "key");
      fleet_json_string (json, violation->key);
      fleet_json_key (json, "field");
      fleet_json_string (json, violation->field);
      fleet_json_key (json, "expected");
      fleet_json_string (json, violation->expected);
      fleet_json_key (json, "actual");
      fleet_json_string (json, violation->actual);
      fleet_json_key (json, "rule");
      fleet_json_string (json, violation->origin);
      fleet_json_end_object (json);
    }
  fleet_json_end_array (json);
}

/* Plan form */

static const char *const state_names[] = { "present", "absent" };

static void
add_optional_string (GVariantBuilder *builder, const char *key, const char *value)
{
  if (value != NULL)
    g_variant_builder_add (builder, "{sv}", key, g_variant_new_string (value));
}

static void
add_optional_flag (GVariantBuilder *builder, const char *key, FleetBaselineFlag flag)
{
  if (flag != FLEET_BASELINE_ANY)
    g_variant_builder_add (builder, "{sv}", key, g_variant_new_boolean (flag == FLEET_BASELINE_YES));
}

static GVariant *
rule_to_variant (const FleetBaselineRule *rule)
{
  GVariantBuilder builder;

  g_variant_builder_init (&builder, G_VARIANT_TYPE ("a{sv}"));
  g_variant_builder_add (&builder, "{sv}", "category",
                         g_variant_new_string (fleet_snapshot_category_name (rule->category)));
  g_variant_builder_add (&builder, "{sv}", "pattern", g_variant_new_string (rule->pattern));
  g_variant_builder_add (&builder, "{sv}", "state",
                         g_variant_new_string (state_names[rule->state]));
  add_optional_string (&builder, "value", rule->value);
  add_optional_string (&builder, "sha256", rule->sha256);
  add_optional_string (&builder, "mode", rule->mode);
  add_optional_string (&builder, "owner", rule->owner);
  add_optional_string (&builder, "link", rule->link);
  add_optional_flag (&builder, "enabled", rule->enabled);
  add_optional_flag (&builder, "active", rule->active);
  add_optional_string (&builder, "origin", rule->origin);
  return g_variant_builder_end (&builder);
}

GVariant *
fleet_baseline_to_variant (const FleetBaseline *baseline)
{
  GVariantBuilder builder;
  GVariantBuilder rules;

  g_variant_builder_init (&rules, G_VARIANT_TYPE ("aa{sv}"));
  for (guint i = 0; i < baseline->rules->len; i++)
    g_variant_builder_add_value (&rules, rule_to_variant (g_ptr_array_index (baseline->rules, i)));

  g_variant_builder_init (&builder, G_VARIANT_TYPE ("a{sv}"));
  g_variant_builder_add (&builder, "{sv}", "name",
                         g_variant_new_string (baseline->name != NULL ? baseline->name : ""));
  g_variant_builder_add (&builder, "{sv}", "rules", g_variant_builder_end (&rules));
  return g_variant_builder_end (&builder);
}

static char *
lookup_optional_string (GVariant *dict, const char *key)
{
  const char *value = NULL;

  if (!g_variant_lookup (dict, key, "&s", &value))
    return NULL;
  return g_strdup (value);
}

static FleetBaselineFlag
lookup_optional_flag (GVariant *dict, const char *key)
{
  gboolean value;

  if (!g_variant_lookup (dict, key, "b", &value))
    return FLEET_BASELINE_ANY;
  return value ? FLEET_BASELINE_YES : FLEET_BASELINE_NO;
}

static gboolean
mode_is_valid (const char *mode)
{
  gsize length = strlen (mode);

  if (length == 0 || length > 5)
    return FALSE;
  for (gsize i = 0; i < length; i++)
    if (mode[i] < '0' || mode[i] > '7')
      return FALSE;
  return g_ascii_strtoull (mode, NULL, 8) <= 07777;
}

static FleetBaselineRule *
rule_from_variant (GVariant *dict, guint index, GError **error)
{
  const char *category_name = NULL, *pattern = NULL, *state = NULL;
  FleetSnapshotCategory category;
  g_autoptr (FleetBaselineRule) rule = NULL;

  if (!g_variant_lookup (dict, "category", "&s", &category_name)
      || !g_variant_lookup (dict, "pattern", "&s", &pattern)
      || !g_variant_lookup (dict, "state", "&s", &state))
    {
      g_set_error (error, FLEET_SNAPSHOT_ERROR, FLEET_SNAPSHOT_ERROR_INVALID,
                   "baseline rule %u: category, pattern or state is missing", index + 1);
      return NULL;
    }
  if (!fleet_snapshot_category_from_name (category_name, &category))
    {
      g_set_error (error, FLEET_SNAPSHOT_ERROR, FLEET_SNAPSHOT_ERROR_INVALID,
                   "baseline rule %u: unknown category \"%s\"", index + 1, category_name);
      return NULL;
    }

  rule = fleet_baseline_rule_new (category, pattern);
  if (strcmp (state, "absent") == 0)
    rule->state = FLEET_BASELINE_ABSENT;
  else if (strcmp (state, "present") != 0)
    {
      g_set_error (error, FLEET_SNAPSHOT_ERROR, FLEET_SNAPSHOT_ERROR_INVALID,
                   "baseline rule %u: invalid state \"%s\"; expected present or absent",
                   index + 1, state);
      return NULL;
    }
  rule->value = lookup_optional_string (dict, "value");
  rule->sha256 = lookup_optional_string (dict, "sha256");
  rule->mode = lookup_optional_string (dict, "mode");
  rule->owner = lookup_optional_string (dict, "owner");
  rule->link = lookup_optional_string (dict, "link");
  rule->enabled = lookup_optional_flag (dict, "enabled");
  rule->active = lookup_optional_flag (dict, "active");
  rule->origin = lookup_optional_string (dict, "origin");
  if (rule->mode != NULL && !mode_is_valid (rule->mode))
    {
      g_set_error (error, FLEET_SNAPSHOT_ERROR, FLEET_SNAPSHOT_ERROR_INVALID,
                   "baseline rule %u: invalid mode \"%s\"; expected octal digits such as 0644",
                   index + 1, rule->mode);
      return NULL;
    }
  return g_steal_pointer (&rule);
}

FleetBaseline *
fleet_baseline_from_variant (GVariant *dict, GError **error)
{
  const char *name = NULL;
  g_autoptr (GVariant) rules = NULL;
  g_autoptr (FleetBaseline) baseline = NULL;
  gsize n_rules;

  rules = g_variant_lookup_value (dict, "rules", G_VARIANT_TYPE ("aa{sv}"));
  if (!g_variant_lookup (dict, "name", "&s", &name) || rules == NULL)
    {
      g_set_error (error, FLEET_SNAPSHOT_ERROR, FLEET_SNAPSHOT_ERROR_INVALID,
                   "baseline: key \"name\" (s) or \"rules\" (aa{sv}) is missing");
      return NULL;
    }

  baseline = fleet_baseline_new (name);
  n_rules = g_variant_n_children (rules);
  for (gsize i = 0; i < n_rules; i++)
    {
      g_autoptr (GVariant) child = g_variant_get_child_value (rules, i);
      FleetBaselineRule *rule = rule_from_variant (child, (guint) i, error);

      if (rule == NULL)
        return NULL;
      g_ptr_array_add (baseline->rules, rule);
    }
  return g_steal_pointer (&baseline);
}
