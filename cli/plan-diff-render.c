/* plan-diff-render.c: text, JSON and Markdown forms of a plan diff. */
#include "cli/plan-diff-render.h"

#include <string.h>

#include "cli/plan-describe.h"
#include "schema/fleet-json.h"
#include "schema/fleet-markdown.h"
#include "schema/fleet-text.h"

/* Written where a plan has no value for a changed setting. */
#define UNSET "(unset)"

static void
append_count (GString *out, guint n, const char *noun, const char *what)
{
  if (n == 0)
    return;

  if (out->len > 0)
    g_string_append (out, ", ");
  g_string_append_printf (out, "%u %s%s %s", n, noun, n == 1 ? "" : "s", what);
}

char *
fleet_plan_diff_summary (const FleetPlanDiff *diff)
{
  g_autoptr(GString) parts = g_string_new (NULL);
  guint run_changes = 0;

  if (diff->changes->len == 0)
    return g_strdup ("The plans are identical.");

  if (!fleet_plan_diff_changes_run (diff))
    return g_strdup ("The plans are equivalent: they run the same steps on the same hosts in "
                     "the same waves, and differ only in how they were made or approved.");

  append_count (parts, diff->hosts_added, "host", "added");
  append_count (parts, diff->hosts_removed, "host", "removed");
  append_count (parts, diff->hosts_moved, "host", "moved to another wave");
  append_count (parts, diff->hosts_changed, "host", "with changed settings");
  append_count (parts, diff->steps_added, "step", "added");
  append_count (parts, diff->steps_removed, "step", "removed");
  append_count (parts, diff->steps_changed, "step", "changed");
  if (diff->old_waves != diff->new_waves)
    g_string_append_printf (parts, "%s%u wave%s instead of %u", parts->len > 0 ? ", " : "",
                            diff->new_waves, diff->new_waves == 1 ? "" : "s", diff->old_waves);

  for (guint i = 0; i < diff->changes->len; i++)
    {
      const FleetPlanChange *change = g_ptr_array_index (diff->changes, i);

      run_changes += fleet_plan_diff_section_changes_run (change->section);
    }
  if (parts->len == 0)
    g_string_append_printf (parts, "%u change%s", run_changes, run_changes == 1 ? "" : "s");

  return g_strdup_printf ("The plans differ: %s.", parts->str);
}

/* Text */

static gsize
display_width (const char *text)
{
  return g_utf8_strlen (text, -1);
}

static void
append_padded (GString *out, const char *text, gsize width)
{
  g_string_append (out, text);
  for (gsize i = display_width (text); i < width; i++)
    g_string_append_c (out, ' ');
}

/* Return the value column of `change` for a terminal: "OLD -> NEW" for a
 * change, the one value for an addition or removal. */
static char *
text_values (const FleetPlanChange *change)
{
  g_autofree char *old_text = fleet_escape_for_terminal (change->old_value);
  g_autofree char *new_text = fleet_escape_for_terminal (change->new_value);

  switch (change->kind)
    {
    case FLEET_PLAN_CHANGE_ADDED:
      return g_steal_pointer (&new_text);
    case FLEET_PLAN_CHANGE_REMOVED:
      return g_steal_pointer (&old_text);
    case FLEET_PLAN_CHANGE_CHANGED:
    case FLEET_PLAN_CHANGE_MOVED:
    default:
      if (change->old_value == NULL && change->new_value == NULL)
        return g_strdup ("");
      return g_strdup_printf ("%s -> %s", change->old_value != NULL ? old_text : UNSET,
                              change->new_value != NULL ? new_text : UNSET);
    }
}

/* Append the changes of `section`, with the subject and field columns as
 * wide as their widest entry. */
static void
append_text_section (GString *out, const FleetPlanDiff *diff, FleetPlanDiffSection section)
{
  g_autoptr(GPtrArray) subjects = g_ptr_array_new_with_free_func (g_free);
  g_autoptr(GPtrArray) fields = g_ptr_array_new_with_free_func (g_free);
  g_autoptr(GPtrArray) changes = g_ptr_array_new ();
  gsize subject_width = 0;
  gsize field_width = 0;

  for (guint i = 0; i < diff->changes->len; i++)
    {
      const FleetPlanChange *change = g_ptr_array_index (diff->changes, i);
      char *subject;
      char *field;

      if (change->section != section)
        continue;

      subject = fleet_escape_for_terminal (change->subject);
      field = fleet_escape_for_terminal (change->field);
      subject_width = MAX (subject_width, display_width (subject));
      field_width = MAX (field_width, display_width (field));
      g_ptr_array_add (subjects, subject);
      g_ptr_array_add (fields, field);
      g_ptr_array_add (changes, (gpointer) change);
    }

  if (changes->len == 0)
    return;

  g_string_append_printf (out, "\n%s%s\n", fleet_plan_diff_section_name (section),
                          fleet_plan_diff_section_changes_run (section)
                            ? "" : " (does not change the run)");
  for (guint i = 0; i < changes->len; i++)
    {
      const FleetPlanChange *change = g_ptr_array_index (changes, i);
      g_autofree char *values = text_values (change);
      gsize before = out->len;

      g_string_append (out, "  ");
      append_padded (out, fleet_plan_change_kind_name (change->kind), strlen ("removed") + 2);
      append_padded (out, g_ptr_array_index (subjects, i), subject_width + 2);
      if (field_width > 0)
        append_padded (out, g_ptr_array_index (fields, i), field_width + 2);
      g_string_append (out, values);

      /* Padding is not left at the end of a line. */
      while (out->len > before && out->str[out->len - 1] == ' ')
        g_string_truncate (out, out->len - 1);
      g_string_append_c (out, '\n');
    }
}

char *
fleet_plan_diff_format_text (const FleetPlanDiff *diff, const FleetPlanDiffFiles *files)
{
  GString *out = g_string_new (NULL);
  g_autofree char *old_path = fleet_escape_for_terminal (files->old_path);
  g_autofree char *new_path = fleet_escape_for_terminal (files->new_path);
  g_autofree char *summary = fleet_plan_diff_summary (diff);

  g_string_append_printf (out, "old: %s (sha256 %s)\nnew: %s (sha256 %s)\n%s\n", old_path,
                          files->old_sha256, new_path, files->new_sha256, summary);
  for (guint section = 0; section < FLEET_PLAN_DIFF_N_SECTIONS; section++)
    append_text_section (out, diff, section);
  return g_string_free (out, FALSE);
}

/* JSON */

static void
write_json_file (FleetJsonWriter *json, const char *key, const char *path, const char *sha256)
{
  fleet_json_key (json, key);
  fleet_json_begin_object (json);
  fleet_json_key (json, "path");
  fleet_json_string (json, path);
  fleet_json_key (json, "sha256");
  fleet_json_string (json, sha256);
  fleet_json_end_object (json);
}

static void
write_json_count (FleetJsonWriter *json, const char *key, guint value)
{
  fleet_json_key (json, key);
  fleet_json_int (json, value);
}

char *
fleet_plan_diff_format_json (const FleetPlanDiff *diff, const FleetPlanDiffFiles *files)
{
  GString *out = g_string_new (NULL);
  g_autofree char *summary = fleet_plan_diff_summary (diff);
  FleetJsonWriter json;

  fleet_json_writer_init (&json, out);
  fleet_json_begin_object (&json);
  write_json_count (&json, "diff_format", FLEET_PLAN_DIFF_JSON_FORMAT);
  write_json_file (&json, "old", files->old_path, files->old_sha256);
  write_json_file (&json, "new", files->new_path, files->new_sha256);
  fleet_json_key (&json, "identical");
  fleet_json_bool (&json, diff->changes->len == 0);
  fleet_json_key (&json, "equivalent");
  fleet_json_bool (&json, !fleet_plan_diff_changes_run (diff));
  fleet_json_key (&json, "summary");
  fleet_json_string (&json, summary);

  fleet_json_key (&json, "counts");
  fleet_json_begin_object (&json);
  write_json_count (&json, "hosts_added", diff->hosts_added);
  write_json_count (&json, "hosts_removed", diff->hosts_removed);
  write_json_count (&json, "hosts_moved", diff->hosts_moved);
  write_json_count (&json, "hosts_changed", diff->hosts_changed);
  write_json_count (&json, "steps_added", diff->steps_added);
  write_json_count (&json, "steps_removed", diff->steps_removed);
  write_json_count (&json, "steps_changed", diff->steps_changed);
  write_json_count (&json, "old_waves", diff->old_waves);
  write_json_count (&json, "new_waves", diff->new_waves);
  write_json_count (&json, "changes", diff->changes->len);
  fleet_json_end_object (&json);

  fleet_json_key (&json, "changes");
  fleet_json_begin_array (&json);
  for (guint i = 0; i < diff->changes->len; i++)
    {
      const FleetPlanChange *change = g_ptr_array_index (diff->changes, i);

      fleet_json_begin_object (&json);
      fleet_json_key (&json, "section");
      fleet_json_string (&json, fleet_plan_diff_section_name (change->section));
      fleet_json_key (&json, "change");
      fleet_json_string (&json, fleet_plan_change_kind_name (change->kind));
      fleet_json_key (&json, "subject");
      fleet_json_string (&json, change->subject);
      fleet_json_key (&json, "field");
      fleet_json_string (&json, change->field);
      fleet_json_key (&json, "old");
      fleet_json_string (&json, change->old_value);
      fleet_json_key (&json, "new");
      fleet_json_string (&json, change->new_value);
      fleet_json_key (&json, "changes_run");
      fleet_json_bool (&json, fleet_plan_diff_section_changes_run (change->section));
      fleet_json_end_object (&json);
    }
  fleet_json_end_array (&json);
  fleet_json_end_object (&json);
  g_string_append_c (out, '\n');
  return g_string_free (out, FALSE);
}

/* Markdown */

/* Return a value cell: the escaped `value`, "(unset)" when only the other
 * side of a change has a value, or "". */
static char *
markdown_value (const FleetPlanChange *change, const char *value, const char *other)
{
  if (value != NULL)
    return fleet_markdown_escape (value);
  if (change->kind != FLEET_PLAN_CHANGE_ADDED && change->kind != FLEET_PLAN_CHANGE_REMOVED
      && other != NULL)
    return g_strdup (UNSET);
  return g_strdup ("");
}

static char *
markdown_title (FleetPlanDiffSection section)
{
  const char *name = fleet_plan_diff_section_name (section);

  return g_strdup_printf ("%c%s", g_ascii_toupper (name[0]), name + 1);
}

static void
append_markdown_section (GString *out, const FleetPlanDiff *diff, FleetPlanDiffSection section)
{
  gboolean any = FALSE;
  g_autofree char *title = markdown_title (section);

  for (guint i = 0; i < diff->changes->len; i++)
    {
      const FleetPlanChange *change = g_ptr_array_index (diff->changes, i);
      g_autofree char *subject = NULL;
      g_autofree char *field = NULL;
      g_autofree char *old_value = NULL;
      g_autofree char *new_value = NULL;

      if (change->section != section)
        continue;

      if (!any)
        {
          g_string_append_printf (out, "\n### %s\n\n", title);
          if (!fleet_plan_diff_section_changes_run (section))
            g_string_append (out, "These changes do not change what runs.\n\n");
          g_string_append (out, "| Change | Subject | Field | Old | New |\n"
                                "|---|---|---|---|---|\n");
          any = TRUE;
        }

      subject = fleet_markdown_escape (change->subject);
      field = fleet_markdown_escape (change->field);
      old_value = markdown_value (change, change->old_value, change->new_value);
      new_value = markdown_value (change, change->new_value, change->old_value);
      g_string_append_printf (out, "| %s | %s | %s | %s | %s |\n",
                              fleet_plan_change_kind_name (change->kind), subject, field,
                              old_value, new_value);
    }
}

char *
fleet_plan_diff_format_markdown (const FleetPlanDiff *diff, const FleetPlanDiffFiles *files)
{
  GString *out = g_string_new (NULL);
  g_autofree char *old_path = fleet_markdown_escape (files->old_path);
  g_autofree char *new_path = fleet_markdown_escape (files->new_path);
  g_autofree char *summary = fleet_plan_diff_summary (diff);

  g_string_append (out, "## Plan changes\n\n| | Old | New |\n|---|---|---|\n");
  g_string_append_printf (out, "| Plan file | %s | %s |\n", old_path, new_path);
  g_string_append_printf (out, "| Plan SHA-256 | `%s` | `%s` |\n", files->old_sha256,
                          files->new_sha256);
  g_string_append_printf (out, "\n**%s**\n", summary);
  for (guint section = 0; section < FLEET_PLAN_DIFF_N_SECTIONS; section++)
    append_markdown_section (out, diff, section);
  return g_string_free (out, FALSE);
}
