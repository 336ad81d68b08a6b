/* fleet-snapshot-diff.c: per-category merge of two snapshots and
 * expected-change patterns. */
#include "schema/fleet-snapshot-diff.h"

#include <string.h>

struct _FleetSnapshotExpect {
  GPtrArray *patterns[FLEET_SNAPSHOT_N_CATEGORIES];  /* char *, owned */
};

FleetSnapshotExpect *
fleet_snapshot_expect_new (void)
{
  FleetSnapshotExpect *expect = g_new0 (FleetSnapshotExpect, 1);

  for (guint i = 0; i < FLEET_SNAPSHOT_N_CATEGORIES; i++)
    expect->patterns[i] = g_ptr_array_new_with_free_func (g_free);
  return expect;
}

void
fleet_snapshot_expect_free (FleetSnapshotExpect *expect)
{
  if (expect == NULL)
    return;
  for (guint i = 0; i < FLEET_SNAPSHOT_N_CATEGORIES; i++)
    g_ptr_array_unref (expect->patterns[i]);
  g_free (expect);
}

gboolean
fleet_snapshot_expect_add (FleetSnapshotExpect *expect, FleetSnapshotCategory category,
                           const char *pattern, GError **error)
{
  gsize length = strlen (pattern);
  gsize backslashes = 0;

  g_return_val_if_fail (category < FLEET_SNAPSHOT_N_CATEGORIES, FALSE);

  if (length == 0)
    {
      g_set_error (error, FLEET_SNAPSHOT_ERROR, FLEET_SNAPSHOT_ERROR_INVALID,
                   "empty %s pattern; write \"**\" to expect every change",
                   fleet_snapshot_category_name (category));
      return FALSE;
    }
  while (backslashes < length && pattern[length - 1 - backslashes] == '\\')
    backslashes++;
  if (backslashes % 2 == 1)
    {
      g_set_error (error, FLEET_SNAPSHOT_ERROR, FLEET_SNAPSHOT_ERROR_INVALID,
                   "%s pattern \"%s\" ends in a lone \"\\\"; write \"\\\\\" for a backslash",
                   fleet_snapshot_category_name (category), pattern);
      return FALSE;
    }

  g_ptr_array_add (expect->patterns[category], g_strdup (pattern));
  return TRUE;
}

/* NOTE: matching backtracks, so a pattern with many stars can take time
 * exponential in their number; patterns come from the workflow's author,
 * not from hosts. */
gboolean
fleet_snapshot_glob_match (const char *pattern, const char *text)
{
  while (*pattern != '\0')
    {
      if (pattern[0] == '*' && pattern[1] == '*')
        {
          while (*pattern == '*')
            pattern++;
          for (const char *rest = text;; rest++)
            {
              if (fleet_snapshot_glob_match (pattern, rest))
                return TRUE;
              if (*rest == '\0')
                return FALSE;
            }
        }
      if (pattern[0] == '*')
        {
          pattern++;
          for (const char *rest = text;; rest++)
            {
              if (fleet_snapshot_glob_match (pattern, rest))
                return TRUE;
              if (*rest == '\0' || *rest == '/')
                return FALSE;
            }
        }
      if (pattern[0] == '?')
        {
          if (*text == '\0' || *text == '/')
            return FALSE;
          pattern++;
          text++;
          continue;
        }
      if (pattern[0] == '\\' && pattern[1] != '\0')
        pattern++;
      if (*pattern != *text)
        return FALSE;
      pattern++;
      text++;
    }
  return *text == '\0';
}

gboolean
fleet_snapshot_expect_matches (const FleetSnapshotExpect *expect, FleetSnapshotCategory category,
                               const char *key)
{
  GPtrArray *patterns;

  if (expect == NULL || category >= FLEET_SNAPSHOT_N_CATEGORIES)
    return FALSE;

  patterns = expect->patterns[category];
  for (guint i = 0; i < patterns->len; i++)
    if (fleet_snapshot_glob_match (g_ptr_array_index (patterns, i), key))
      return TRUE;
  return FALSE;
}

static guint
compare_files (const FleetSnapshotFile *a, const FleetSnapshotFile *b)
{
  guint fields = 0;

  if (strcmp (a->sha256, b->sha256) != 0)
    fields |= FLEET_SNAPSHOT_FILE_CONTENT;
  if (a->mode != b->mode)
    fields |= FLEET_SNAPSHOT_FILE_MODE;
  if (strcmp (a->owner, b->owner) != 0)
    fields |= FLEET_SNAPSHOT_FILE_OWNER;
  if (a->size != b->size)
    fields |= FLEET_SNAPSHOT_FILE_SIZE;
  if (strcmp (a->link_target, b->link_target) != 0)
    fields |= FLEET_SNAPSHOT_FILE_LINK;
  return fields;
}

static void
add_change (FleetSnapshotDiff *diff, GArray *changes, const FleetSnapshotExpect *expect,
            FleetSnapshotCategory category, FleetSnapshotChangeKind kind,
            const FleetSnapshotItem *old_item, const FleetSnapshotItem *new_item,
            guint file_fields)
{
  FleetSnapshotChange change = {
    .category = category,
    .kind = kind,
    .key = g_strdup (new_item != NULL ? new_item->key : old_item->key),
    .old_value = old_item != NULL ? g_strdup (old_item->value) : NULL,
    .new_value = new_item != NULL ? g_strdup (new_item->value) : NULL,
    .file_fields = file_fields,
  };

  change.expected = fleet_snapshot_expect_matches (expect, category, change.key);
  if (!change.expected)
    diff->n_unexpected++;
  if (kind == FLEET_SNAPSHOT_ADDED)
    diff->added[category]++;
  else if (kind == FLEET_SNAPSHOT_REMOVED)
    diff->removed[category]++;
  else
    diff->changed[category]++;
  g_array_append_val (changes, change);
}

static void
diff_category (FleetSnapshotDiff *diff, GArray *changes, FleetSnapshot *before,
               FleetSnapshot *after, const FleetSnapshotExpect *expect,
               FleetSnapshotCategory category)
{
  gsize n_old = 0, n_new = 0, i = 0, j = 0;
  const FleetSnapshotItem *old_items = fleet_snapshot_items (before, category, &n_old);
  const FleetSnapshotItem *new_items = fleet_snapshot_items (after, category, &n_new);

  while (i < n_old || j < n_new)
    {
      int order = i == n_old ? 1 : j == n_new ? -1 : strcmp (old_items[i].key, new_items[j].key);

      if (order < 0)
        {
          add_change (diff, changes, expect, category, FLEET_SNAPSHOT_REMOVED,
                      &old_items[i++], NULL, 0);
          continue;
        }
      if (order > 0)
        {
          add_change (diff, changes, expect, category, FLEET_SNAPSHOT_ADDED,
                      NULL, &new_items[j++], 0);
          continue;
        }

      if (old_items[i].file != NULL && new_items[j].file != NULL)
        {
          guint fields = compare_files (old_items[i].file, new_items[j].file);

          if (fields != 0)
            add_change (diff, changes, expect, category, FLEET_SNAPSHOT_CHANGED,
                        &old_items[i], &new_items[j], fields);
        }
      else if (strcmp (old_items[i].value, new_items[j].value) != 0)
        add_change (diff, changes, expect, category, FLEET_SNAPSHOT_CHANGED,
                    &old_items[i], &new_items[j], 0);
      i++;
      j++;
    }
}

FleetSnapshotDiff *
fleet_snapshot_diff (FleetSnapshot *before, FleetSnapshot *after,
                     const FleetSnapshotExpect *expect)
{
  FleetSnapshotDiff *diff = g_new0 (FleetSnapshotDiff, 1);
  GArray *changes = g_array_new (FALSE, FALSE, sizeof (FleetSnapshotChange));

  for (guint category = 0; category < FLEET_SNAPSHOT_N_CATEGORIES; category++)
    {
      if (!fleet_snapshot_is_available (before, category)
          || !fleet_snapshot_is_available (after, category))
        {
          diff->skipped[category] = TRUE;
          continue;
        }
      diff_category (diff, changes, before, after, expect, category);
    }

  diff->n_changes = changes->len;
  diff->changes = (FleetSnapshotChange *) g_array_free (changes, FALSE);
  return diff;
}

void
fleet_snapshot_diff_free (FleetSnapshotDiff *diff)
{
  if (diff == NULL)
    return;
  for (gsize i = 0; i < diff->n_changes; i++)
    {
      g_free (diff->changes[i].key);
      g_free (diff->changes[i].old_value);
      g_free (diff->changes[i].new_value);
    }
  g_free (diff->changes);
  g_free (diff);
}

char *
fleet_snapshot_file_fields_describe (guint file_fields)
{
  static const char *const names[] = { "content", "mode", "owner", "size", "link" };
  GString *out = g_string_new (NULL);

  for (guint bit = 0; bit < G_N_ELEMENTS (names); bit++)
    {
      if ((file_fields & (1u << bit)) == 0)
        continue;
      if (out->len > 0)
        g_string_append_c (out, ',');
      g_string_append (out, names[bit]);
    }
  return g_string_free (out, FALSE);
}

/* Append `value` with control bytes and backslashes as \xHH, so that a
 * change stays on one line but spaces stay readable. */
static void
append_display (GString *out, const char *value)
{
  for (const guchar *p = (const guchar *) value; *p != '\0'; p++)
    {
      if (*p < 0x20 || *p == 0x7f || *p == '\\')
        g_string_append_printf (out, "\\x%02x", *p);
      else
        g_string_append_c (out, (char) *p);
    }
}

void
fleet_snapshot_diff_append_text (const FleetSnapshotDiff *diff, GString *out)
{
  static const char signs[] = { '+', '-', '~' };

  for (gsize i = 0; i < diff->n_changes; i++)
    {
      const FleetSnapshotChange *change = &diff->changes[i];

      g_string_append_printf (out, "%c %s%s ", signs[change->kind],
                              change->expected ? "" : "UNEXPECTED ",
                              fleet_snapshot_category_name (change->category));
      append_display (out, change->key);
      if (change->old_value != NULL)
        {
          g_string_append (out, ": ");
          append_display (out, change->old_value);
        }
      if (change->new_value != NULL)
        {
          g_string_append (out, change->old_value != NULL ? " -> " : ": ");
          append_display (out, change->new_value);
        }
      if (change->file_fields != 0)
        {
          g_autofree char *fields = fleet_snapshot_file_fields_describe (change->file_fields);

          g_string_append_printf (out, " (%s)", fields);
        }
      g_string_append_c (out, '\n');
    }
}

static const char *const kind_names[] = { "added", "removed", "changed" };

static void
write_counts (const FleetSnapshotDiff *diff, FleetJsonWriter *json)
{
  fleet_json_key (json, "categories");
  fleet_json_begin_object (json);
  for (guint category = 0; category < FLEET_SNAPSHOT_N_CATEGORIES; category++)
    {
      fleet_json_key (json, fleet_snapshot_category_name (category));
      fleet_json_begin_object (json);
      fleet_json_key (json, "skipped");
      fleet_json_bool (json, diff->skipped[category]);
      fleet_json_key (json, "added");
      fleet_json_int (json, (gint64) diff->added[category]);
      fleet_json_key (json, "removed");
      fleet_json_int (json, (gint64) diff->removed[category]);
      fleet_json_key (json, "changed");
      fleet_json_int (json, (gint64) diff->changed[category]);
      fleet_json_end_object (json);
    }
  fleet_json_end_object (json);
}

void
fleet_snapshot_diff_write_json (const FleetSnapshotDiff *diff, FleetJsonWriter *json)
{
  fleet_json_begin_object (json);
  fleet_json_key (json, "changes_total");
  fleet_json_int (json, (gint64) diff->n_changes);
  fleet_json_key (json, "unexpected_total");
  fleet_json_int (json, (gint64) diff->n_unexpected);
  write_counts (diff, json);

  fleet_json_key (json, "changes");
  fleet_json_begin_array (json);
  for (gsize i = 0; i < diff->n_changes; i++)
    {
      const FleetSnapshotChange *change = &diff->changes[i];

      fleet_json_begin_object (json);
      fleet_json_key (json, "category");
      fleet_json_string (json, fleet_snapshot_category_name (change->category));
      fleet_json_key (json, "kind");
      fleet_json_string (json, kind_names[change->kind]);
      fleet_json_key (json, "key");
      fleet_json_string (json, change->key);
      fleet_json_key (json, "old");
      fleet_json_string (json, change->old_value);
      fleet_json_key (json, "new");
      fleet_json_string (json, change->new_value);
      if (change->file_fields != 0)
        {
          g_autofree char *fields = fleet_snapshot_file_fields_describe (change->file_fields);

          fleet_json_key (json, "file_fields");
          fleet_json_string (json, fields);
        }
      fleet_json_key (json, "expected");
      fleet_json_bool (json, change->expected);
      fleet_json_end_object (json);
    }
  fleet_json_end_array (json);
  fleet_json_end_object (json);
}
