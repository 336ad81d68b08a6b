/* plan-diff.c: compare two plans section by section.
 *
 * Both plans are turned into their bodies (fleet_plan_to_variant), and each
 * body key is compared by the rule of its section.  Records (hosts, steps,
 * waves, files) are matched by name or position, and their dictionaries
 * compared key by key, so a key added to a record by a later plan version
 * is still reported.  Body keys that no rule claims end up in OTHER.
 */
#include "cli/plan-diff-private.h"

#include <stdlib.h>
#include <string.h>

#include "cli/plan-describe.h"
#include "cli/fleet-plan-show-private.h"
#include "schema/fleet-plan-signature.h"

/* The body keys whose changes do not alter a run, by section. */
static const char *const source_keys[] = {
  "workflow", "workflow-source", "workflow-sha256", "inventory-source", "inventory-sha256",
  "ssh-config-path", NULL,
};

/* Plan settings of the rollout compared as single values, in this order. */
static const char *const rollout_keys[] = {
  "parallelism", "limit", "order-by", "halt-failed-total", "halt-unreachable-total", NULL,
};

/* Every body key that a section rule compares; the rest go to OTHER. */
static const char *const claimed_keys[] = {
  "workflow", "workflow-source", "workflow-sha256", "inventory-source", "inventory-sha256",
  "ssh-config-path", "ssh-config-sources", "inventory-files", "compiled-at", "expires-at",
  "parallelism", "hosts", "jump-hosts", "steps", "vars", "waves", "wave-details", "limit",
  "order-by", "spread", "halt-at", "halt-failed-total", "halt-unreachable-total", "schedule",
  "pacing", "checks", "between-waves", "rollback", "step-overlap", NULL,
};

static const char *const section_names[FLEET_PLAN_DIFF_N_SECTIONS] = {
  [FLEET_PLAN_DIFF_SOURCES] = "sources",
  [FLEET_PLAN_DIFF_HOSTS] = "hosts",
  [FLEET_PLAN_DIFF_HOST_SETTINGS] = "host settings",
  [FLEET_PLAN_DIFF_JUMP_HOSTS] = "jump hosts",
  [FLEET_PLAN_DIFF_WAVES] = "waves",
  [FLEET_PLAN_DIFF_STEPS] = "steps",
  [FLEET_PLAN_DIFF_ROLLOUT] = "rollout",
  [FLEET_PLAN_DIFF_WINDOWS] = "windows",
  [FLEET_PLAN_DIFF_CHECKS] = "checks and rollback",
  [FLEET_PLAN_DIFF_OTHER] = "other",
  [FLEET_PLAN_DIFF_SCHEDULE] = "schedule",
  [FLEET_PLAN_DIFF_TRUST] = "trust",
};

const char *
fleet_plan_diff_section_name (FleetPlanDiffSection section)
{
  g_return_val_if_fail (section < FLEET_PLAN_DIFF_N_SECTIONS, "");
  return section_names[section];
}

const char *
fleet_plan_change_kind_name (FleetPlanChangeKind kind)
{
  switch (kind)
    {
    case FLEET_PLAN_CHANGE_ADDED: return "added";
    case FLEET_PLAN_CHANGE_REMOVED: return "removed";
    case FLEET_PLAN_CHANGE_CHANGED: return "changed";
    case FLEET_PLAN_CHANGE_MOVED: return "moved";
    default: g_return_val_if_reached ("");
    }
}

static void
change_free (FleetPlanChange *change)
{
  g_free (change->subject);
  g_free (change->field);
  g_free (change->old_value);
  g_free (change->new_value);
  g_free (change);
}

void
fleet_plan_diff_free (FleetPlanDiff *diff)
{
  if (diff == NULL)
    return;

  g_ptr_array_unref (diff->changes);
  g_free (diff);
}

gboolean
fleet_plan_diff_section_changes_run (FleetPlanDiffSection section)
{
  return section != FLEET_PLAN_DIFF_SOURCES && section != FLEET_PLAN_DIFF_SCHEDULE
         && section != FLEET_PLAN_DIFF_TRUST;
}

gboolean
fleet_plan_diff_changes_run (const FleetPlanDiff *diff)
{
  for (guint i = 0; i < diff->changes->len; i++)
    {
      const FleetPlanChange *change = g_ptr_array_index (diff->changes, i);

      if (fleet_plan_diff_section_changes_run (change->section))
        return TRUE;
    }
  return FALSE;
}

void
fleet_plan_diff_add_change (FleetPlanDiff *diff, FleetPlanDiffSection section,
                            FleetPlanChangeKind kind, const char *subject, const char *field,
                            const char *old_value, const char *new_value)
{
  FleetPlanChange *change = g_new0 (FleetPlanChange, 1);

  change->section = section;
  change->kind = kind;
  change->subject = g_strdup (subject);
  change->field = g_strdup (field);
  change->old_value = g_strdup (old_value);
  change->new_value = g_strdup (new_value);
  g_ptr_array_add (diff->changes, change);
}

static gboolean
key_in (const char *key, const char *const *keys)
{
  return g_strv_contains ((const char *const *) keys, key);
}

/* Order two `char *` elements of an array by strcmp. */
static int
compare_string_pointers (const void *a, const void *b)
{
  return strcmp (*(const char *const *) a, *(const char *const *) b);
}

/* Values */

static char *
format_instant (gint64 seconds)
{
  g_autoptr(GDateTime) time = g_date_time_new_from_unix_utc (seconds);

  if (time == NULL)
    return g_strdup_printf ("%" G_GINT64_FORMAT, seconds);
  return g_date_time_format (time, "%Y-%m-%dT%H:%M:%SZ");
}

static guint64
unsigned_value (GVariant *value)
{
  if (g_variant_is_of_type (value, G_VARIANT_TYPE_UINT16))
    return g_variant_get_uint16 (value);
  if (g_variant_is_of_type (value, G_VARIANT_TYPE_UINT32))
    return g_variant_get_uint32 (value);
  return g_variant_get_uint64 (value);
}

/* Return file contents (ay), or files per host (a{say}), as their size and
 * the start of their SHA-256, e.g. "20 hosts, 412 bytes, sha256 3f2a9c01d4e5". */
static char *
describe_contents (GVariant *value)
{
  g_autoptr (GChecksum) checksum = g_checksum_new (G_CHECKSUM_SHA256);
  g_autofree char *hosts = NULL;
  gsize total = 0;

  if (g_variant_is_of_type (value, G_VARIANT_TYPE_BYTESTRING))
    {
      gsize length = 0;
      const guint8 *data = g_variant_get_fixed_array (value, &length, 1);

      g_checksum_update (checksum, data, length);
      total = length;
    }
  else
    {
      GVariantIter iter;
      const char *host;
      GVariant *contents;

      /* The plan writes hosts in name order, so equal tables hash alike. */
      g_variant_iter_init (&iter, value);
      while (g_variant_iter_loop (&iter, "{&s@ay}", &host, &contents))
        {
          gsize length = 0;
          const guint8 *data = g_variant_get_fixed_array (contents, &length, 1);
          guint32 length_be = GUINT32_TO_BE ((guint32) length);

          g_checksum_update (checksum, (const guchar *) host, strlen (host) + 1);
          g_checksum_update (checksum, (const guchar *) &length_be, sizeof length_be);
          g_checksum_update (checksum, data, length);
          total += length;
        }
      hosts = g_strdup_printf ("%" G_GSIZE_FORMAT " host%s, ", g_variant_n_children (value),
                               g_variant_n_children (value) == 1 ? "" : "s");
    }

  return g_strdup_printf ("%s%" G_GSIZE_FORMAT " bytes, sha256 %.12s", hosts != NULL ? hosts : "",
                          total, g_checksum_get_string (checksum));
}

/* Return `value` of body or record key `key` as people read it.  Strings
 * stay as they are, and string lists are joined by ", ".  Durations (keys
 * ending in "-ms") read "30s", and resolved thresholds that never halt read
 * "never".  Any other type is in GVariant text format.  NULL gives NULL. */
static char *
render_value (const char *key, GVariant *value)
{
  if (value == NULL)
    return NULL;

  if (g_variant_is_of_type (value, G_VARIANT_TYPE_STRING))
    return g_variant_dup_string (value, NULL);

  if (g_variant_is_of_type (value, G_VARIANT_TYPE_STRING_ARRAY))
    {
      g_autofree const char **items = g_variant_get_strv (value, NULL);

      return items[0] == NULL ? g_strdup ("(none)") : g_strjoinv (", ", (char **) items);
    }

  if (g_variant_is_of_type (value, G_VARIANT_TYPE_BOOLEAN))
    return g_strdup (g_variant_get_boolean (value) ? "true" : "false");

  if (g_variant_is_of_type (value, G_VARIANT_TYPE_UINT16)
      || g_variant_is_of_type (value, G_VARIANT_TYPE_UINT32)
      || g_variant_is_of_type (value, G_VARIANT_TYPE_UINT64))
    {
      guint64 number = unsigned_value (value);

      if (g_str_has_suffix (key, "-ms"))
        {
          GString *out = g_string_new (NULL);

          fleet_append_duration (out, number);
          return g_string_free (out, FALSE);
        }
      if (g_str_has_prefix (key, "halt-") && number == FLEET_THRESHOLD_NEVER)
        return g_strdup ("never");
      return g_strdup_printf ("%" G_GUINT64_FORMAT, number);
    }

  if (g_variant_is_of_type (value, G_VARIANT_TYPE ("ai")))
    {
      GString *out = g_string_new (NULL);
      gsize n = 0;
      const gint32 *codes = g_variant_get_fixed_array (value, &n, sizeof (gint32));

      for (gsize i = 0; i < n; i++)
        g_string_append_printf (out, "%s%d", i > 0 ? "," : "", codes[i]);
      return g_string_free (out, FALSE);
    }

  /* File contents, and a template's rendered file per host: a digest, not
   * the bytes, which would bury the change in a dump. */
  if (g_variant_is_of_type (value, G_VARIANT_TYPE_BYTESTRING)
      || g_variant_is_of_type (value, G_VARIANT_TYPE ("a{say}")))
    return describe_contents (value);

  return g_variant_print (value, FALSE);
}

/* Dictionaries */

/* Return copies of the keys of the a{sv} or a{ss} `dict` in their stored
 * order.  Names are copied throughout this file, because comparing two
 * values may serialize them in place and free the children that a borrowed
 * string would point into. */
static GPtrArray *
dict_keys (GVariant *dict)
{
  GPtrArray *keys = g_ptr_array_new_with_free_func (g_free);
  gsize n = dict != NULL ? g_variant_n_children (dict) : 0;

  for (gsize i = 0; i < n; i++)
    {
      g_autoptr(GVariant) entry = g_variant_get_child_value (dict, i);
      g_autoptr(GVariant) key = g_variant_get_child_value (entry, 0);

      g_ptr_array_add (keys, g_variant_dup_string (key, NULL));
    }
  return keys;
}

/* Return the keys of both dictionaries: those of `new_dict` in order, then
 * those only `old_dict` has, in order. */
static GPtrArray *
union_keys (GVariant *old_dict, GVariant *new_dict)
{
  g_autoptr(GPtrArray) old_keys = dict_keys (old_dict);
  GPtrArray *keys = dict_keys (new_dict);

  for (guint i = 0; i < old_keys->len; i++)
    if (!g_ptr_array_find_with_equal_func (keys, g_ptr_array_index (old_keys, i), g_str_equal,
                                           NULL))
      g_ptr_array_add (keys, g_strdup (g_ptr_array_index (old_keys, i)));
  return keys;
}

/* Return the value of `key` in the dictionary `dict`, a{sv} or a{ss}, or
 * NULL. */
static GVariant *
dict_lookup (GVariant *dict, const char *key)
{
  if (dict == NULL)
    return NULL;
  return g_variant_lookup_value (dict, key, NULL);
}

/* Return whether the values are tables keyed by name, compared entry by
 * entry: strings (a{ss}, such as per-host commands) or contents (a{say},
 * the files a template renders per host).  Either may be NULL. */
static gboolean
is_host_table (GVariant *old_value, GVariant *new_value)
{
  GVariant *values[] = { old_value, new_value };
  const GVariantType *type = NULL;

  for (guint i = 0; i < G_N_ELEMENTS (values); i++)
    {
      if (values[i] == NULL)
        continue;
      if (!g_variant_is_of_type (values[i], G_VARIANT_TYPE ("a{ss}"))
          && !g_variant_is_of_type (values[i], G_VARIANT_TYPE ("a{say}")))
        return FALSE;
      if (type != NULL && !g_variant_type_equal (type, g_variant_get_type (values[i])))
        return FALSE;
      type = g_variant_get_type (values[i]);
    }
  return TRUE;
}

/* Compare the tables of is_host_table under `key` entry by entry, sorted,
 * as fields "KEY[NAME]".  Returns the number of changes. */
static guint
compare_string_tables (FleetPlanDiff *diff, FleetPlanDiffSection section, const char *subject,
                       const char *key, GVariant *old_table, GVariant *new_table)
{
  g_autoptr(GPtrArray) names = union_keys (old_table, new_table);
  guint changes = 0;

  g_ptr_array_sort (names, compare_string_pointers);
  for (guint i = 0; i < names->len; i++)
    {
      const char *name = g_ptr_array_index (names, i);
      g_autoptr(GVariant) old_value = dict_lookup (old_table, name);
      g_autoptr(GVariant) new_value = dict_lookup (new_table, name);
      g_autofree char *field = NULL;
      g_autofree char *old_text = NULL;
      g_autofree char *new_text = NULL;

      if (old_value != NULL && new_value != NULL && g_variant_equal (old_value, new_value))
        continue;

      field = g_strdup_printf ("%s[%s]", key, name);
      old_text = render_value (name, old_value);
      new_text = render_value (name, new_value);
      fleet_plan_diff_add_change (diff, section, FLEET_PLAN_CHANGE_CHANGED, subject, field,
                                  old_text, new_text);
      changes++;
    }
  return changes;
}

/* Compare the record dictionaries (a{sv}) of `subject` key by key, in the
 * order of union_keys, except `skip_keys`.  Returns the number of
 * changes. */
static guint
compare_records (FleetPlanDiff *diff, FleetPlanDiffSection section, const char *subject,
                 GVariant *old_record, GVariant *new_record, const char *const *skip_keys)
{
  g_autoptr(GPtrArray) keys = NULL;
  guint changes = 0;

  /* Most records of two related plans are equal, and comparing the
   * serialized bytes is much cheaper than the walk below. */
  if (old_record != NULL && new_record != NULL && g_variant_equal (old_record, new_record))
    return 0;

  keys = union_keys (old_record, new_record);
  for (guint i = 0; i < keys->len; i++)
    {
      const char *key = g_ptr_array_index (keys, i);
      g_autoptr(GVariant) old_value = dict_lookup (old_record, key);
      g_autoptr(GVariant) new_value = dict_lookup (new_record, key);
      g_autofree char *old_text = NULL;
      g_autofree char *new_text = NULL;
      guint member_changes = 0;

      if (skip_keys != NULL && key_in (key, skip_keys))
        continue;
      if (old_value != NULL && new_value != NULL && g_variant_equal (old_value, new_value))
        continue;

      if (fleet_plan_diff_compare_step_member (diff, section, subject, key, old_record,
                                               new_record, &member_changes))
        {
          changes += member_changes;
          continue;
        }
      if (is_host_table (old_value, new_value))
        {
          changes += compare_string_tables (diff, section, subject, key, old_value, new_value);
          continue;
        }

      old_text = render_value (key, old_value);
      new_text = render_value (key, new_value);
      fleet_plan_diff_add_change (diff, section, FLEET_PLAN_CHANGE_CHANGED, subject, key, old_text,
                                  new_text);
      changes++;
    }
  return changes;
}

/* Compare the body values of `key` as one setting named `key`: ADDED or
 * REMOVED when one plan lacks it, CHANGED when they differ. */
static void
compare_setting (FleetPlanDiff *diff, FleetPlanDiffSection section, const char *key,
                 GVariant *old_body, GVariant *new_body)
{
  g_autoptr(GVariant) old_value = dict_lookup (old_body, key);
  g_autoptr(GVariant) new_value = dict_lookup (new_body, key);
  g_autofree char *old_text = render_value (key, old_value);
  g_autofree char *new_text = render_value (key, new_value);
  FleetPlanChangeKind kind = FLEET_PLAN_CHANGE_CHANGED;

  if (old_value != NULL && new_value != NULL && g_variant_equal (old_value, new_value))
    return;
  if (old_value == NULL && new_value == NULL)
    return;

  if (old_value == NULL)
    kind = FLEET_PLAN_CHANGE_ADDED;
  else if (new_value == NULL)
    kind = FLEET_PLAN_CHANGE_REMOVED;
  fleet_plan_diff_add_change (diff, section, kind, key, NULL, old_text, new_text);
}

/* Records matched by name */

/* Return the record of `list` (aa{sv}) whose string `key_field` is `name`,
 * or NULL.  `index` maps names to positions. */
static GVariant *
record_named (GVariant *list, GHashTable *index, const char *name)
{
  gpointer position;

  if (list == NULL || !g_hash_table_lookup_extended (index, name, NULL, &position))
    return NULL;
  return g_variant_get_child_value (list, GPOINTER_TO_UINT (position));
}

/* Return a copy of the record's name: its string `key_field`, or its first
 * member when `key_field` is NULL; "" when it has none. */
static char *
record_name (GVariant *record, const char *key_field)
{
  g_autoptr(GVariant) key = key_field != NULL
                              ? g_variant_lookup_value (record, key_field, G_VARIANT_TYPE_STRING)
                              : g_variant_get_child_value (record, 0);

  return key != NULL ? g_variant_dup_string (key, NULL) : g_strdup ("");
}

/* Return a table from the name (record_name) of each record of `list`,
 * aa{sv} or an array of tuples, to its position.  The names are copies. */
static GHashTable *
index_records (GVariant *list, const char *key_field)
{
  GHashTable *index = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
  gsize n = list != NULL ? g_variant_n_children (list) : 0;

  for (gsize i = 0; i < n; i++)
    {
      g_autoptr(GVariant) record = g_variant_get_child_value (list, i);

      g_hash_table_insert (index, record_name (record, key_field), GUINT_TO_POINTER (i));
    }
  return index;
}

/* Return the value a whole record shows when it is added or removed: the
 * string `summary_field`, or the tuple's members after the key. */
static char *
record_summary (GVariant *record, const char *summary_field)
{
  g_autoptr(GVariant) value = NULL;

  if (summary_field == NULL)
    {
      GString *out = g_string_new (NULL);

      for (gsize i = 1; i < g_variant_n_children (record); i++)
        {
          g_autoptr(GVariant) member = g_variant_get_child_value (record, i);
          g_autofree char *text = render_value ("", member);

          g_string_append_printf (out, "%s%s", i > 1 ? " " : "", text);
        }
      return g_string_free (out, FALSE);
    }

  value = g_variant_lookup_value (record, summary_field, NULL);
  return render_value (summary_field, value);
}

/* Compare two record lists matched by `key_field`: changed and added
 * records in the new list's order, then removed ones in the old list's
 * order.  Added and removed records show `summary_field`.  Tuple records
 * (key_field NULL) are compared as a whole.  `on_changed` counts each
 * record with changes. */
static void
compare_record_lists (FleetPlanDiff *diff, FleetPlanDiffSection section,
                      GVariant *old_list, GVariant *new_list, const char *key_field,
                      const char *summary_field, const char *const *skip_keys,
                      guint *out_added, guint *out_removed, guint *out_changed)
{
  g_autoptr(GHashTable) old_index = index_records (old_list, key_field);
  g_autoptr(GHashTable) new_index = index_records (new_list, key_field);
  gsize n_old = old_list != NULL ? g_variant_n_children (old_list) : 0;
  gsize n_new = new_list != NULL ? g_variant_n_children (new_list) : 0;

  for (gsize i = 0; i < n_new; i++)
    {
      g_autoptr(GVariant) record = g_variant_get_child_value (new_list, i);
      g_autofree char *name = record_name (record, key_field);
      g_autoptr(GVariant) old_record = record_named (old_list, old_index, name);

      if (old_record == NULL)
        {
          g_autofree char *summary = record_summary (record, summary_field);

          fleet_plan_diff_add_change (diff, section, FLEET_PLAN_CHANGE_ADDED, name, NULL, NULL,
                                      summary);
          if (out_added != NULL)
            (*out_added)++;
          continue;
        }

      if (key_field == NULL)
        {
          if (!g_variant_equal (old_record, record))
            {
              g_autofree char *old_summary = record_summary (old_record, NULL);
              g_autofree char *new_summary = record_summary (record, NULL);

              fleet_plan_diff_add_change (diff, section, FLEET_PLAN_CHANGE_CHANGED, name, NULL,
                                          old_summary, new_summary);
            }
          continue;
        }

      if (compare_records (diff, section, name, old_record, record, skip_keys) > 0
          && out_changed != NULL)
        (*out_changed)++;
    }

  for (gsize i = 0; i < n_old; i++)
    {
      g_autoptr(GVariant) record = g_variant_get_child_value (old_list, i);
      g_autofree char *name = record_name (record, key_field);
      g_autofree char *summary = NULL;

      if (g_hash_table_contains (new_index, name))
        continue;

      summary = record_summary (record, summary_field);
      fleet_plan_diff_add_change (diff, section, FLEET_PLAN_CHANGE_REMOVED, name, NULL, summary,
                                  NULL);
      if (out_removed != NULL)
        (*out_removed)++;
    }
}

/* Sections */

static void
compare_sources (FleetPlanDiff *diff, GVariant *old_body, GVariant *new_body)
{
  g_autoptr(GVariant) old_files = dict_lookup (old_body, "inventory-files");
  g_autoptr(GVariant) new_files = dict_lookup (new_body, "inventory-files");
  g_autoptr(GVariant) old_ssh = dict_lookup (old_body, "ssh-config-sources");
  g_autoptr(GVariant) new_ssh = dict_lookup (new_body, "ssh-config-sources");

  for (const char *const *key = source_keys; *key != NULL; key++)
    compare_setting (diff, FLEET_PLAN_DIFF_SOURCES, *key, old_body, new_body);

  compare_record_lists (diff, FLEET_PLAN_DIFF_SOURCES, old_files, new_files, "path", "sha256",
                        (const char *const[]) { "path", NULL }, NULL, NULL, NULL);
  compare_record_lists (diff, FLEET_PLAN_DIFF_SOURCES, old_ssh, new_ssh, NULL, NULL, NULL,
                        NULL, NULL, NULL);
}

/* Return a table from each host name of `plan` to the label of its wave
 * (fleet_plan_wave_label).  Free with g_hash_table_unref. */
static GHashTable *
wave_labels_by_host (const FleetPlan *plan)
{
  GHashTable *labels = g_hash_table_new_full (g_str_hash, g_str_equal, NULL, g_free);

  for (guint w = 0; w < plan->waves->len; w++)
    {
      const FleetWave *wave = g_ptr_array_index (plan->waves, w);

      for (guint i = 0; i < wave->host_indices->len; i++)
        {
          guint32 index = g_array_index (wave->host_indices, guint32, i);
          const FleetHost *host = g_ptr_array_index (plan->hosts, index);

          g_hash_table_insert (labels, host->name, fleet_plan_wave_label (plan, w));
        }
    }
  return labels;
}

/* Hosts added, then moved, in the new plan's order; removed hosts in the
 * old plan's order.  Settings of the hosts in both plans follow under
 * HOST_SETTINGS, in the new plan's order. */
static void
compare_hosts (FleetPlanDiff *diff, const FleetPlan *old_plan, const FleetPlan *new_plan,
               GVariant *old_body, GVariant *new_body)
{
  g_autoptr(GHashTable) old_labels = wave_labels_by_host (old_plan);
  g_autoptr(GHashTable) new_labels = wave_labels_by_host (new_plan);
  g_autoptr(GVariant) old_hosts = dict_lookup (old_body, "hosts");
  g_autoptr(GVariant) new_hosts = dict_lookup (new_body, "hosts");
  g_autoptr(GHashTable) old_index = index_records (old_hosts, "name");
  g_autoptr(GHashTable) new_index = index_records (new_hosts, "name");
  static const char *const skip_name[] = { "name", NULL };

  for (guint i = 0; i < new_plan->hosts->len; i++)
    {
      const FleetHost *host = g_ptr_array_index (new_plan->hosts, i);
      const char *new_label = g_hash_table_lookup (new_labels, host->name);
      const char *old_label = g_hash_table_lookup (old_labels, host->name);

      if (!g_hash_table_contains (old_index, host->name))
        {
          fleet_plan_diff_add_change (diff, FLEET_PLAN_DIFF_HOSTS, FLEET_PLAN_CHANGE_ADDED,
                                      host->name, "wave", NULL, new_label);
          diff->hosts_added++;
        }
      else if (g_strcmp0 (old_label, new_label) != 0)
        {
          fleet_plan_diff_add_change (diff, FLEET_PLAN_DIFF_HOSTS, FLEET_PLAN_CHANGE_MOVED,
                                      host->name, "wave", old_label, new_label);
          diff->hosts_moved++;
        }
    }

  for (guint i = 0; i < old_plan->hosts->len; i++)
    {
      const FleetHost *host = g_ptr_array_index (old_plan->hosts, i);

      if (g_hash_table_contains (new_index, host->name))
        continue;

      fleet_plan_diff_add_change (diff, FLEET_PLAN_DIFF_HOSTS, FLEET_PLAN_CHANGE_REMOVED,
                                  host->name, "wave", g_hash_table_lookup (old_labels, host->name),
                                  NULL);
      diff->hosts_removed++;
    }

  for (guint i = 0; i < new_plan->hosts->len; i++)
    {
      const FleetHost *host = g_ptr_array_index (new_plan->hosts, i);
      g_autoptr(GVariant) new_record = g_variant_get_child_value (new_hosts, i);
      g_autoptr(GVariant) old_record = record_named (old_hosts, old_index, host->name);

      if (old_record != NULL
          && compare_records (diff, FLEET_PLAN_DIFF_HOST_SETTINGS, host->name, old_record,
                              new_record, skip_name) > 0)
        diff->hosts_changed++;
    }
}

static void
compare_jump_hosts (FleetPlanDiff *diff, GVariant *old_body, GVariant *new_body)
{
  g_autoptr(GVariant) old_list = dict_lookup (old_body, "jump-hosts");
  g_autoptr(GVariant) new_list = dict_lookup (new_body, "jump-hosts");

  compare_record_lists (diff, FLEET_PLAN_DIFF_JUMP_HOSTS, old_list, new_list, "name", "address",
                        (const char *const[]) { "name", NULL }, NULL, NULL, NULL);
}

static char *
wave_sizes (const FleetPlan *plan)
{
  GString *out = g_string_new (NULL);

  for (guint i = 0; i < plan->waves->len; i++)
    {
      const FleetWave *wave = g_ptr_array_index (plan->waves, i);

      g_string_append_printf (out, "%s%u", i > 0 ? ", " : "", wave->host_indices->len);
    }
  if (plan->waves->len == 0)
    g_string_append (out, "(none)");
  return g_string_free (out, FALSE);
}

/* Return the host names of wave `index` of `plan`, in order, as a
 * NULL-terminated array of borrowed strings.  Free with g_free. */
static const char **
wave_host_names (const FleetPlan *plan, guint index)
{
  const FleetWave *wave = g_ptr_array_index (plan->waves, index);
  const char **names = g_new0 (const char *, wave->host_indices->len + 1);

  for (guint i = 0; i < wave->host_indices->len; i++)
    {
      guint32 host_index = g_array_index (wave->host_indices, guint32, i);

      names[i] = ((const FleetHost *) g_ptr_array_index (plan->hosts, host_index))->name;
    }
  return names;
}

/* Report wave `index` when it has the same hosts in both plans but in
 * another order, which decides the hosts that start first when the wave is
 * larger than the parallelism.  Moves already report other differences. */
static void
compare_wave_order (FleetPlanDiff *diff, const char *subject, const FleetPlan *old_plan,
                    const FleetPlan *new_plan, guint index)
{
  g_autofree const char **old_names = wave_host_names (old_plan, index);
  g_autofree const char **new_names = wave_host_names (new_plan, index);
  g_autofree const char **old_sorted = NULL;
  g_autofree const char **new_sorted = NULL;
  guint n = g_strv_length ((char **) old_names);

  if (n != g_strv_length ((char **) new_names)
      || g_strv_equal ((const char *const *) old_names, (const char *const *) new_names))
    return;

  old_sorted = g_memdup2 (old_names, (n + 1) * sizeof (char *));
  new_sorted = g_memdup2 (new_names, (n + 1) * sizeof (char *));
  qsort (old_sorted, n, sizeof (char *), compare_string_pointers);
  qsort (new_sorted, n, sizeof (char *), compare_string_pointers);
  if (g_strv_equal ((const char *const *) old_sorted, (const char *const *) new_sorted))
    fleet_plan_diff_add_change (diff, FLEET_PLAN_DIFF_WAVES, FLEET_PLAN_CHANGE_CHANGED, subject,
                                "host order", NULL, NULL);
}

/* The sizes of all waves first, then each wave by position: added and
 * removed waves, and changes of its details (stage, canary, resolved
 * thresholds). */
static void
compare_waves (FleetPlanDiff *diff, const FleetPlan *old_plan, const FleetPlan *new_plan,
               GVariant *old_body, GVariant *new_body)
{
  g_autofree char *old_sizes = wave_sizes (old_plan);
  g_autofree char *new_sizes = wave_sizes (new_plan);
  g_autoptr(GVariant) old_details = dict_lookup (old_body, "wave-details");
  g_autoptr(GVariant) new_details = dict_lookup (new_body, "wave-details");
  guint n = MAX (old_plan->waves->len, new_plan->waves->len);

  diff->old_waves = old_plan->waves->len;
  diff->new_waves = new_plan->waves->len;
  if (!g_str_equal (old_sizes, new_sizes))
    fleet_plan_diff_add_change (diff, FLEET_PLAN_DIFF_WAVES, FLEET_PLAN_CHANGE_CHANGED, "sizes",
                                NULL, old_sizes, new_sizes);

  for (guint i = 0; i < n; i++)
    {
      g_autofree char *subject = g_strdup_printf ("wave %u", i + 1);

      if (i >= old_plan->waves->len)
        {
          g_autofree char *label = fleet_plan_wave_label (new_plan, i);
          const FleetWave *wave = g_ptr_array_index (new_plan->waves, i);
          g_autofree char *summary = g_strdup_printf ("%s, %u host%s", label,
                                                      wave->host_indices->len,
                                                      wave->host_indices->len == 1 ? "" : "s");

          fleet_plan_diff_add_change (diff, FLEET_PLAN_DIFF_WAVES, FLEET_PLAN_CHANGE_ADDED, subject,
                                      NULL, NULL, summary);
        }
      else if (i >= new_plan->waves->len)
        {
          g_autofree char *label = fleet_plan_wave_label (old_plan, i);
          const FleetWave *wave = g_ptr_array_index (old_plan->waves, i);
          g_autofree char *summary = g_strdup_printf ("%s, %u host%s", label,
                                                      wave->host_indices->len,
                                                      wave->host_indices->len == 1 ? "" : "s");

          fleet_plan_diff_add_change (diff, FLEET_PLAN_DIFF_WAVES, FLEET_PLAN_CHANGE_REMOVED,
                                      subject, NULL, summary, NULL);
        }
      else
        {
          g_autoptr(GVariant) old_record = g_variant_get_child_value (old_details, i);
          g_autoptr(GVariant) new_record = g_variant_get_child_value (new_details, i);

          compare_records (diff, FLEET_PLAN_DIFF_WAVES, subject, old_record, new_record, NULL);
          compare_wave_order (diff, subject, old_plan, new_plan, i);
        }
    }
}

/* Return the names of `steps` (aa{sv}) that `other` also has, in order. */
static char *
common_step_order (GVariant *steps, GHashTable *other)
{
  GString *out = g_string_new (NULL);
  gsize n = g_variant_n_children (steps);
  gboolean first = TRUE;

  for (gsize i = 0; i < n; i++)
    {
      g_autoptr(GVariant) record = g_variant_get_child_value (steps, i);
      g_autofree char *name = record_name (record, "name");

      if (!g_hash_table_contains (other, name))
        continue;
      g_string_append_printf (out, "%s%s", first ? "" : ", ", name);
      first = FALSE;
    }
  return g_string_free (out, FALSE);
}

/* A change of the order of the steps both plans have first, then the
 * steps as compare_record_lists orders them. */
static void
compare_steps (FleetPlanDiff *diff, GVariant *old_body, GVariant *new_body)
{
  g_autoptr(GVariant) old_steps = dict_lookup (old_body, "steps");
  g_autoptr(GVariant) new_steps = dict_lookup (new_body, "steps");
  g_autoptr(GHashTable) old_index = index_records (old_steps, "name");
  g_autoptr(GHashTable) new_index = index_records (new_steps, "name");
  g_autofree char *old_order = common_step_order (old_steps, new_index);
  g_autofree char *new_order = common_step_order (new_steps, old_index);

  if (!g_str_equal (old_order, new_order))
    fleet_plan_diff_add_change (diff, FLEET_PLAN_DIFF_STEPS, FLEET_PLAN_CHANGE_CHANGED, "order",
                                NULL, old_order, new_order);

  /* A step's file bytes change exactly when their content-sha256 does,
   * which is what the diff shows in their place. */
  compare_record_lists (diff, FLEET_PLAN_DIFF_STEPS, old_steps, new_steps, "name", "command",
                        (const char *const[]) { "name", "content", NULL }, &diff->steps_added,
                        &diff->steps_removed, &diff->steps_changed);
}

/* Return the spread rules (aa{sv}) of `body` as "rack: 1; dc: 25%", or
 * NULL when there are none. */
static char *
spread_text (GVariant *body)
{
  g_autoptr(GVariant) rules = dict_lookup (body, "spread");
  GString *out = NULL;
  gsize n = rules != NULL ? g_variant_n_children (rules) : 0;

  if (n == 0)
    return NULL;

  out = g_string_new (NULL);
  for (gsize i = 0; i < n; i++)
    {
      g_autoptr(GVariant) rule = g_variant_get_child_value (rules, i);
      const char *by = NULL;
      const char *max_per_wave = NULL;

      g_variant_lookup (rule, "by", "&s", &by);
      g_variant_lookup (rule, "max-per-wave", "&s", &max_per_wave);
      g_string_append_printf (out, "%s%s: %s", i > 0 ? "; " : "", by != NULL ? by : "",
                              max_per_wave != NULL ? max_per_wave : "");
    }
  return g_string_free (out, FALSE);
}

/* Return rule `rule` (aa{sv} records with "rule", "threshold", "default")
 * of `body`'s halt_at as "25%" or "1 (default)", or NULL. */
static char *
halt_rule_text (GVariant *body, const char *rule)
{
  g_autoptr(GVariant) rules = dict_lookup (body, "halt-at");
  gsize n = rules != NULL ? g_variant_n_children (rules) : 0;

  for (gsize i = 0; i < n; i++)
    {
      g_autoptr(GVariant) entry = g_variant_get_child_value (rules, i);
      const char *name = NULL;
      const char *threshold = NULL;
      gboolean is_default = FALSE;

      if (!g_variant_lookup (entry, "rule", "&s", &name) || !g_str_equal (name, rule))
        continue;
      g_variant_lookup (entry, "threshold", "&s", &threshold);
      g_variant_lookup (entry, "default", "b", &is_default);
      return g_strdup_printf ("%s%s", threshold != NULL ? threshold : "",
                              is_default ? " (default)" : "");
    }
  return NULL;
}

static void
compare_text (FleetPlanDiff *diff, FleetPlanDiffSection section, const char *subject,
              const char *field, const char *old_text, const char *new_text)
{
  FleetPlanChangeKind kind = FLEET_PLAN_CHANGE_CHANGED;

  if (g_strcmp0 (old_text, new_text) == 0)
    return;

  if (old_text == NULL)
    kind = FLEET_PLAN_CHANGE_ADDED;
  else if (new_text == NULL)
    kind = FLEET_PLAN_CHANGE_REMOVED;
  fleet_plan_diff_add_change (diff, section, kind, subject, field, old_text, new_text);
}

/* Return the `label:` line of fleetc show's pacing lines, without the
 * label, or NULL when the plan has no such line. */
static char *
pacing_line (const FleetPlan *plan, const char *label)
{
  g_autoptr(GString) text = g_string_new (NULL);
  g_autofree char *prefix = g_strdup_printf ("  %s:", label);
  const char *start;
  const char *end;

  fleet_plan_show_pacing_text (text, plan);
  start = strstr (text->str, prefix);
  if (start == NULL)
    return NULL;

  start += strlen (prefix);
  while (*start == ' ')
    start++;
  end = strchr (start, '\n');
  return g_strndup (start, end - start);
}

/* Concurrency, caps and target protection, in the words of fleetc show. */
static void
compare_pacing (FleetPlanDiff *diff, const FleetPlan *old_plan, const FleetPlan *new_plan)
{
  const char *labels[] = { "concurrency", "caps", "protect" };

  /* Without pacing the concurrency line says only what parallelism says. */
  if (old_plan->pacing == NULL && new_plan->pacing == NULL)
    return;

  for (guint i = 0; i < G_N_ELEMENTS (labels); i++)
    {
      g_autofree char *old_text = pacing_line (old_plan, labels[i]);
      g_autofree char *new_text = pacing_line (new_plan, labels[i]);

      compare_text (diff, FLEET_PLAN_DIFF_ROLLOUT, labels[i], NULL, old_text, new_text);
    }
}

/* The settings of rollout_keys, spread, halt_at by rule, then vars by
 * name. */
static void
compare_rollout (FleetPlanDiff *diff, GVariant *old_body, GVariant *new_body)
{
  g_autofree char *old_spread = spread_text (old_body);
  g_autofree char *new_spread = spread_text (new_body);
  g_autoptr(GVariant) old_vars = dict_lookup (old_body, "vars");
  g_autoptr(GVariant) new_vars = dict_lookup (new_body, "vars");

  for (const char *const *key = rollout_keys; *key != NULL; key++)
    compare_setting (diff, FLEET_PLAN_DIFF_ROLLOUT, *key, old_body, new_body);

  compare_text (diff, FLEET_PLAN_DIFF_ROLLOUT, "spread", NULL, old_spread, new_spread);

  for (guint rule = 0; rule < FLEET_HALT_N_RULES; rule++)
    {
      const char *name = fleet_halt_rule_name (rule);
      g_autofree char *old_text = halt_rule_text (old_body, name);
      g_autofree char *new_text = halt_rule_text (new_body, name);

      if (g_strcmp0 (old_text, new_text) != 0)
        fleet_plan_diff_add_change (diff, FLEET_PLAN_DIFF_ROLLOUT, FLEET_PLAN_CHANGE_CHANGED,
                                    "halt_at", name, old_text, new_text);
    }

  compare_string_tables (diff, FLEET_PLAN_DIFF_ROLLOUT, "vars", "vars", old_vars, new_vars);
}

/* Body keys no rule claims, in the order of union_keys, compared whole. */
static void
compare_other (FleetPlanDiff *diff, GVariant *old_body, GVariant *new_body)
{
  g_autoptr(GPtrArray) keys = union_keys (old_body, new_body);

  for (guint i = 0; i < keys->len; i++)
    {
      const char *key = g_ptr_array_index (keys, i);

      if (!key_in (key, claimed_keys))
        compare_setting (diff, FLEET_PLAN_DIFF_OTHER, key, old_body, new_body);
    }
}

static char *
expiry_text (const FleetPlan *plan)
{
  return plan->expires_at == 0 ? g_strdup ("never") : format_instant (plan->expires_at);
}

static char *
signature_text (const FleetPlanSignature *signature)
{
  return g_strdup_printf ("\"%s\"%s", signature->comment,
                          signature->valid ? "" : " (does not verify)");
}

static const FleetPlanSignature *
find_signature (const FleetPlan *plan, const char *fingerprint)
{
  for (guint i = 0; plan->signatures != NULL && i < plan->signatures->len; i++)
    {
      const FleetPlanSignature *signature = g_ptr_array_index (plan->signatures, i);

      if (g_str_equal (signature->fingerprint, fingerprint))
        return signature;
    }
  return NULL;
}

/* Format version, compile time and expiry, then signatures by key
 * fingerprint: the new plan's in order, then those only the old plan has. */
static void
compare_trust (FleetPlanDiff *diff, const FleetPlan *old_plan, const FleetPlan *new_plan)
{
  g_autofree char *old_version = g_strdup_printf ("%u", old_plan->format_version);
  g_autofree char *new_version = g_strdup_printf ("%u", new_plan->format_version);
  g_autofree char *old_compiled = format_instant (old_plan->compiled_at);
  g_autofree char *new_compiled = format_instant (new_plan->compiled_at);
  g_autofree char *old_expiry = expiry_text (old_plan);
  g_autofree char *new_expiry = expiry_text (new_plan);

  compare_text (diff, FLEET_PLAN_DIFF_TRUST, "format version", NULL, old_version, new_version);
  compare_text (diff, FLEET_PLAN_DIFF_TRUST, "compiled at", NULL, old_compiled, new_compiled);
  compare_text (diff, FLEET_PLAN_DIFF_TRUST, "expires at", NULL, old_expiry, new_expiry);

  for (guint i = 0; new_plan->signatures != NULL && i < new_plan->signatures->len; i++)
    {
      const FleetPlanSignature *signature = g_ptr_array_index (new_plan->signatures, i);
      const FleetPlanSignature *old_signature = find_signature (old_plan, signature->fingerprint);
      g_autofree char *subject = g_strdup_printf ("signature %s", signature->fingerprint);
      g_autofree char *new_text = signature_text (signature);
      g_autofree char *old_text = old_signature != NULL ? signature_text (old_signature) : NULL;

      compare_text (diff, FLEET_PLAN_DIFF_TRUST, subject, NULL, old_text, new_text);
    }

  for (guint i = 0; old_plan->signatures != NULL && i < old_plan->signatures->len; i++)
    {
      const FleetPlanSignature *signature = g_ptr_array_index (old_plan->signatures, i);
      g_autofree char *subject = NULL;
      g_autofree char *old_text = NULL;

      if (find_signature (new_plan, signature->fingerprint) != NULL)
        continue;

      subject = g_strdup_printf ("signature %s", signature->fingerprint);
      old_text = signature_text (signature);
      fleet_plan_diff_add_change (diff, FLEET_PLAN_DIFF_TRUST, FLEET_PLAN_CHANGE_REMOVED, subject,
                                  NULL, old_text, NULL);
    }
}

/* Sort changes by section, keeping each section's order. */
static void
sort_by_section (FleetPlanDiff *diff)
{
  g_autoptr(GPtrArray) sorted = g_ptr_array_new_with_free_func ((GDestroyNotify) change_free);

  for (guint section = 0; section < FLEET_PLAN_DIFF_N_SECTIONS; section++)
    for (guint i = 0; i < diff->changes->len; i++)
      {
        FleetPlanChange *change = g_ptr_array_index (diff->changes, i);

        if (change->section == section)
          g_ptr_array_add (sorted, change);
      }

  g_ptr_array_set_free_func (diff->changes, NULL);
  g_ptr_array_unref (diff->changes);
  diff->changes = g_steal_pointer (&sorted);
}

FleetPlanDiff *
fleet_plan_diff (const FleetPlan *old_plan, const FleetPlan *new_plan)
{
  FleetPlanDiff *diff = g_new0 (FleetPlanDiff, 1);
  g_autoptr(GVariant) old_body = fleet_plan_to_variant (old_plan);
  g_autoptr(GVariant) new_body = fleet_plan_to_variant (new_plan);

  diff->changes = g_ptr_array_new_with_free_func ((GDestroyNotify) change_free);

  compare_sources (diff, old_body, new_body);
  compare_hosts (diff, old_plan, new_plan, old_body, new_body);
  compare_jump_hosts (diff, old_body, new_body);
  compare_waves (diff, old_plan, new_plan, old_body, new_body);
  compare_steps (diff, old_body, new_body);
  compare_rollout (diff, old_body, new_body);
  compare_pacing (diff, old_plan, new_plan);
  fleet_plan_diff_compare_overlap (diff, old_plan, new_plan);
  fleet_plan_diff_compare_windows (diff, old_plan, new_plan);
  fleet_plan_diff_compare_progressive (diff, old_plan, new_plan);
  compare_other (diff, old_body, new_body);
  compare_trust (diff, old_plan, new_plan);

  sort_by_section (diff);
  return diff;
}
