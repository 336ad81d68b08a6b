/* fleet-snapshot-config.c: the snapshot settings of a plan. */
#include "schema/fleet-snapshot-config.h"

static const char *const on_unexpected_names[] = { "warn", "fail_host", "halt" };
static const char *const drift_names[] = { "none", "latest" };

FleetSnapshotConfig *
fleet_snapshot_config_new (void)
{
  FleetSnapshotConfig *config = g_new0 (FleetSnapshotConfig, 1);

  config->files = g_ptr_array_new_with_free_func (g_free);
  config->fact_names = g_ptr_array_new_with_free_func (g_free);
  config->fact_commands = g_ptr_array_new_with_free_func (g_free);
  for (guint i = 0; i < FLEET_SNAPSHOT_N_CATEGORIES; i++)
    config->expect[i] = g_ptr_array_new_with_free_func (g_free);
  return config;
}

void
fleet_snapshot_config_free (FleetSnapshotConfig *config)
{
  if (config == NULL)
    return;
  g_ptr_array_unref (config->files);
  g_ptr_array_unref (config->fact_names);
  g_ptr_array_unref (config->fact_commands);
  for (guint i = 0; i < FLEET_SNAPSHOT_N_CATEGORIES; i++)
    g_ptr_array_unref (config->expect[i]);
  fleet_baseline_free (config->baseline);
  g_free (config);
}

static void
copy_strings (GPtrArray *to, const GPtrArray *from)
{
  for (guint i = 0; i < from->len; i++)
    g_ptr_array_add (to, g_strdup (g_ptr_array_index (from, i)));
}

FleetSnapshotConfig *
fleet_snapshot_config_copy (const FleetSnapshotConfig *config)
{
  FleetSnapshotConfig *copy = fleet_snapshot_config_new ();

  copy->categories = config->categories;
  copy->on_unexpected = config->on_unexpected;
  copy_strings (copy->files, config->files);
  copy_strings (copy->fact_names, config->fact_names);
  copy_strings (copy->fact_commands, config->fact_commands);
  for (guint i = 0; i < FLEET_SNAPSHOT_N_CATEGORIES; i++)
    copy_strings (copy->expect[i], config->expect[i]);
  copy->drift = config->drift;
  copy->on_drift = config->on_drift;
  if (config->baseline != NULL)
    copy->baseline = fleet_baseline_copy (config->baseline);
  return copy;
}

const char *
fleet_snapshot_on_unexpected_to_string (FleetSnapshotOnUnexpected value)
{
  g_return_val_if_fail (value < G_N_ELEMENTS (on_unexpected_names), NULL);
  return on_unexpected_names[value];
}

gboolean
fleet_snapshot_on_unexpected_from_string (const char *text, FleetSnapshotOnUnexpected *out_value)
{
  for (guint i = 0; i < G_N_ELEMENTS (on_unexpected_names); i++)
    if (g_strcmp0 (text, on_unexpected_names[i]) == 0)
      {
        *out_value = i;
        return TRUE;
      }
  return FALSE;
}

const char *
fleet_snapshot_drift_to_string (FleetSnapshotDrift value)
{
  g_return_val_if_fail (value < G_N_ELEMENTS (drift_names), NULL);
  return drift_names[value];
}

gboolean
fleet_snapshot_drift_from_string (const char *text, FleetSnapshotDrift *out_value)
{
  for (guint i = 0; i < G_N_ELEMENTS (drift_names); i++)
    if (g_strcmp0 (text, drift_names[i]) == 0)
      {
        *out_value = i;
        return TRUE;
      }
  return FALSE;
}

FleetSnapshotExpect *
fleet_snapshot_config_build_expect (const FleetSnapshotConfig *config, GError **error)
{
  g_autoptr (FleetSnapshotExpect) expect = fleet_snapshot_expect_new ();

  for (guint category = 0; category < FLEET_SNAPSHOT_N_CATEGORIES; category++)
    for (guint i = 0; i < config->expect[category]->len; i++)
      if (!fleet_snapshot_expect_add (expect, category,
                                      g_ptr_array_index (config->expect[category], i), error))
        return NULL;
  return g_steal_pointer (&expect);
}

static GVariant *
strings_to_variant (const GPtrArray *strings)
{
  GVariantBuilder builder;

  g_variant_builder_init (&builder, G_VARIANT_TYPE ("as"));
  for (guint i = 0; i < strings->len; i++)
    g_variant_builder_add (&builder, "s", (const char *) g_ptr_array_index (strings, i));
  return g_variant_builder_end (&builder);
}

GVariant *
fleet_snapshot_config_to_variant (const FleetSnapshotConfig *config)
{
  GVariantBuilder builder;
  GVariantBuilder expect;

  g_variant_builder_init (&expect, G_VARIANT_TYPE ("a(ss)"));
  for (guint category = 0; category < FLEET_SNAPSHOT_N_CATEGORIES; category++)
    for (guint i = 0; i < config->expect[category]->len; i++)
      g_variant_builder_add (&expect, "(ss)", fleet_snapshot_category_name (category),
                             (const char *) g_ptr_array_index (config->expect[category], i));

  g_variant_builder_init (&builder, G_VARIANT_TYPE ("a{sv}"));
  g_variant_builder_add (&builder, "{sv}", "categories", g_variant_new_uint32 (config->categories));
  g_variant_builder_add (&builder, "{sv}", "files", strings_to_variant (config->files));
  g_variant_builder_add (&builder, "{sv}", "fact-names", strings_to_variant (config->fact_names));
  g_variant_builder_add (&builder, "{sv}", "fact-commands",
                         strings_to_variant (config->fact_commands));
  g_variant_builder_add (&builder, "{sv}", "expect", g_variant_builder_end (&expect));
  g_variant_builder_add (&builder, "{sv}", "on-unexpected",
                         g_variant_new_string (on_unexpected_names[config->on_unexpected]));

  /* Plans that check no drift omit these keys, so older readers accept
   * them. */
  if (config->drift != FLEET_SNAPSHOT_DRIFT_NONE)
    g_variant_builder_add (&builder, "{sv}", "drift",
                           g_variant_new_string (drift_names[config->drift]));
  if (config->baseline != NULL)
    g_variant_builder_add (&builder, "{sv}", "baseline",
                           fleet_baseline_to_variant (config->baseline));
  if (config->drift != FLEET_SNAPSHOT_DRIFT_NONE || config->baseline != NULL)
    g_variant_builder_add (&builder, "{sv}", "on-drift",
                           g_variant_new_string (on_unexpected_names[config->on_drift]));
  return g_variant_builder_end (&builder);
}

static gboolean
lookup (GVariant *dict, const char *key, const char *type, GVariant **out, GError **error)
{
  *out = g_variant_lookup_value (dict, key, G_VARIANT_TYPE (type));
  if (*out != NULL)
    return TRUE;
  g_set_error (error, FLEET_SNAPSHOT_ERROR, FLEET_SNAPSHOT_ERROR_INVALID,
               "snapshot settings: key \"%s\" of type %s is missing", key, type);
  return FALSE;
}

static void
read_strings (GVariant *array, GPtrArray *out)
{
  gsize n = g_variant_n_children (array);

  for (gsize i = 0; i < n; i++)
    {
      const char *value;

      g_variant_get_child (array, i, "&s", &value);
      g_ptr_array_add (out, g_strdup (value));
    }
}

/* Read the optional drift keys. */
static gboolean
read_drift (GVariant *dict, FleetSnapshotConfig *config, GError **error)
{
  const char *drift = NULL, *on_drift = NULL;
  g_autoptr (GVariant) baseline = g_variant_lookup_value (dict, "baseline",
                                                          G_VARIANT_TYPE ("a{sv}"));

  if (g_variant_lookup (dict, "drift", "&s", &drift)
      && !fleet_snapshot_drift_from_string (drift, &config->drift))
    {
      g_set_error (error, FLEET_SNAPSHOT_ERROR, FLEET_SNAPSHOT_ERROR_INVALID,
                   "snapshot settings: invalid drift \"%s\"; expected none or latest", drift);
      return FALSE;
    }
  if (g_variant_lookup (dict, "on-drift", "&s", &on_drift)
      && !fleet_snapshot_on_unexpected_from_string (on_drift, &config->on_drift))
    {
      g_set_error (error, FLEET_SNAPSHOT_ERROR, FLEET_SNAPSHOT_ERROR_INVALID,
                   "snapshot settings: invalid on-drift \"%s\"; expected warn, fail_host or "
                   "halt", on_drift);
      return FALSE;
    }
  if (baseline != NULL)
    {
      config->baseline = fleet_baseline_from_variant (baseline, error);
      if (config->baseline == NULL)
        {
          g_prefix_error (error, "snapshot settings: ");
          return FALSE;
        }
    }
  return TRUE;
}

FleetSnapshotConfig *
fleet_snapshot_config_from_variant (GVariant *dict, GError **error)
{
  g_autoptr (FleetSnapshotConfig) config = fleet_snapshot_config_new ();
  g_autoptr (GVariant) categories = NULL;
  g_autoptr (GVariant) files = NULL;
  g_autoptr (GVariant) fact_names = NULL;
  g_autoptr (GVariant) fact_commands = NULL;
  g_autoptr (GVariant) expect = NULL;
  g_autoptr (GVariant) on_unexpected = NULL;
  GVariantIter iter;
  const char *category_name, *pattern;

  if (!lookup (dict, "categories", "u", &categories, error)
      || !lookup (dict, "files", "as", &files, error)
      || !lookup (dict, "fact-names", "as", &fact_names, error)
      || !lookup (dict, "fact-commands", "as", &fact_commands, error)
      || !lookup (dict, "expect", "a(ss)", &expect, error)
      || !lookup (dict, "on-unexpected", "s", &on_unexpected, error))
    return NULL;

  config->categories = g_variant_get_uint32 (categories);
  if (!fleet_snapshot_on_unexpected_from_string (g_variant_get_string (on_unexpected, NULL),
                                                 &config->on_unexpected)
      || g_variant_n_children (fact_names) != g_variant_n_children (fact_commands))
    {
      g_set_error (error, FLEET_SNAPSHOT_ERROR, FLEET_SNAPSHOT_ERROR_INVALID,
                   "snapshot settings: invalid on-unexpected or unpaired facts");
      return NULL;
    }
  read_strings (files, config->files);
  read_strings (fact_names, config->fact_names);
  read_strings (fact_commands, config->fact_commands);

  g_variant_iter_init (&iter, expect);
  while (g_variant_iter_next (&iter, "(&s&s)", &category_name, &pattern))
    {
      FleetSnapshotCategory category;

      if (!fleet_snapshot_category_from_name (category_name, &category))
        {
          g_set_error (error, FLEET_SNAPSHOT_ERROR, FLEET_SNAPSHOT_ERROR_INVALID,
                       "snapshot settings: unknown category \"%s\" in expect", category_name);
          return NULL;
        }
      g_ptr_array_add (config->expect[category], g_strdup (pattern));
    }

  if (!read_drift (dict, config, error))
    return NULL;
  return g_steal_pointer (&config);
}
