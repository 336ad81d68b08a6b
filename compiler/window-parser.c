/* window-parser.c: the workflow's `windows` and `freezes` lists. */
#include "compiler/window-parser.h"

#include <string.h>

#include "compiler/ical-import.h"
#include "compiler/recurrence.h"
#include "compiler/scalar.h"
#include "compiler/schema-check.h"
#include "compiler/suggest.h"

/* One item of either list while its mapping is read. */
typedef struct {
  FleetWindowKind list_kind;
  const FleetYamlNode *item;
  char *name;
  char *start;
  guint64 duration_ms;
  char *rrule;
  char *timezone;
  gboolean applies_to_all;
  GPtrArray *applies_to;          /* char * */
  GHashTable *applies_to_nodes;   /* char * -> const FleetYamlNode *, borrowed keys */
  char *calendar;
  char *kind;
} EntryParse;

static void
entry_parse_clear (EntryParse *entry)
{
  g_free (entry->name);
  g_free (entry->start);
  g_free (entry->rrule);
  g_free (entry->timezone);
  g_ptr_array_unref (entry->applies_to);
  g_hash_table_unref (entry->applies_to_nodes);
  g_free (entry->calendar);
  g_free (entry->kind);
}

G_DEFINE_AUTO_CLEANUP_CLEAR_FUNC (EntryParse, entry_parse_clear)

static void
handle_name (FleetDiagnostics *diags, const FleetSchemaField *field, const FleetYamlNode *value, gpointer object)
{
  fleet_scalar_to_string (diags, field, value, &((EntryParse *) object)->name);
}

static void
handle_start (FleetDiagnostics *diags, const FleetSchemaField *field, const FleetYamlNode *value, gpointer object)
{
  fleet_scalar_to_string (diags, field, value, &((EntryParse *) object)->start);
}

static void
handle_duration (FleetDiagnostics *diags, const FleetSchemaField *field, const FleetYamlNode *value, gpointer object)
{
  EntryParse *entry = object;
  guint64 ms;

  if (!fleet_scalar_to_duration (diags, field, value, &ms))
    return;

  if (ms % 1000 != 0)
    {
      fleet_diagnostics_error (diags, &value->pos, "invalid value for \"%s\": windows are "
                               "counted in whole seconds; drop the milliseconds", field->key);
      return;
    }
  entry->duration_ms = ms;
}

static void
handle_rrule (FleetDiagnostics *diags, const FleetSchemaField *field, const FleetYamlNode *value, gpointer object)
{
  fleet_scalar_to_string (diags, field, value, &((EntryParse *) object)->rrule);
}

static void
handle_timezone (FleetDiagnostics *diags, const FleetSchemaField *field, const FleetYamlNode *value, gpointer object)
{
  fleet_scalar_to_name (diags, field, value, &((EntryParse *) object)->timezone);
}

static void
handle_applies_to (FleetDiagnostics *diags, const FleetSchemaField *field, const FleetYamlNode *value, gpointer object)
{
  EntryParse *entry = object;

  if (value->kind == FLEET_YAML_SCALAR)
    {
      g_autofree char *quoted = fleet_quote_value (value->value, FLEET_QUOTE_MAX_CHARS);

      if (!value->plain || !g_str_equal (value->value, "all"))
        fleet_diagnostics_error (diags, &value->pos, "invalid value %s for \"%s\": write all, "
                                 "or a list of inventory groups such as [web, db]",
                                 quoted, field->key);
      return;
    }

  if (value->items->len == 0)
    {
      fleet_diagnostics_error (diags, &value->pos, "empty \"%s\" list applies to no host; name "
                               "at least one group, or write all", field->key);
      return;
    }

  entry->applies_to_all = FALSE;
  for (guint i = 0; i < value->items->len; i++)
    {
      const FleetYamlNode *item = g_ptr_array_index (value->items, i);
      char *name = NULL;

      if (!fleet_scalar_to_name (diags, field, item, &name))
        continue;
      if (g_hash_table_contains (entry->applies_to_nodes, name))
        {
          g_free (name);
          continue;
        }
      g_ptr_array_add (entry->applies_to, name);
      g_hash_table_insert (entry->applies_to_nodes, name, (gpointer) item);
    }
}

static void
handle_calendar (FleetDiagnostics *diags, const FleetSchemaField *field, const FleetYamlNode *value, gpointer object)
{
  fleet_scalar_to_string (diags, field, value, &((EntryParse *) object)->calendar);
}

static void
handle_kind (FleetDiagnostics *diags, const FleetSchemaField *field, const FleetYamlNode *value, gpointer object)
{
  EntryParse *entry = object;
  g_autofree char *kind = NULL;
  g_autofree char *quoted = NULL;

  if (!fleet_scalar_to_name (diags, field, value, &kind))
    return;

  if (g_str_equal (kind, "window") || g_str_equal (kind, "freeze"))
    {
      entry->kind = g_steal_pointer (&kind);
      return;
    }

  quoted = fleet_quote_value (kind, FLEET_QUOTE_MAX_CHARS);
  fleet_diagnostics_error (diags, &value->pos, "invalid value %s for \"%s\": use window or freeze",
                           quoted, field->key);
}

static const FleetFieldHandlerEntry window_handlers[] = {
  { "name", handle_name },
  { "start", handle_start },
  { "duration", handle_duration },
  { "rrule", handle_rrule },
  { "timezone", handle_timezone },
  { "applies_to", handle_applies_to },
  { "calendar", handle_calendar },
  { "kind", handle_kind },
};

/* The compilation of both lists. */
typedef struct {
  FleetDiagnostics *diags;
  FleetWindowCalendar *calendar;
  const FleetInventory *inventory;
  const char *workflow_path;
  GHashTable *first_names;        /* char * -> const FleetYamlNode *, borrowed */
  gboolean any_window_for_all;
  GHashTable *groups_with_window; /* char * group names, owned */
} WindowsCompile;

static const FleetYamlNode *
entry_node (const EntryParse *entry, const char *key)
{
  return fleet_yaml_mapping_lookup (entry->item, key);
}

/* Return the names of the zones in the database's tzdata.zi, for
 * suggestions; an empty array when it cannot be read. */
static GPtrArray *
zone_names (void)
{
  const char *directory = g_getenv ("TZDIR");
  g_autofree char *path = g_build_filename (directory != NULL && directory[0] != '\0'
                                              ? directory : "/usr/share/zoneinfo",
                                            "tzdata.zi", NULL);
  g_autofree char *text = NULL;
  g_auto (GStrv) lines = NULL;
  GPtrArray *names = g_ptr_array_new_with_free_func (g_free);

  if (!g_file_get_contents (path, &text, NULL, NULL))
    return names;

  lines = g_strsplit (text, "\n", -1);
  for (char **line = lines; *line != NULL; line++)
    {
      g_auto (GStrv) fields = g_strsplit (*line, " ", 4);

      if (g_strv_length (fields) >= 2 && g_str_equal (fields[0], "Z"))
        g_ptr_array_add (names, g_strdup (fields[1]));
      else if (g_strv_length (fields) >= 3 && g_str_equal (fields[0], "L"))
        g_ptr_array_add (names, g_strdup (fields[2]));
    }
  return names;
}

/* Return the zone of the entry's `timezone`, or NULL after an error at it. */
static FleetTimeZone *
load_zone (FleetDiagnostics *diags, const EntryParse *entry)
{
  const FleetYamlNode *node = entry_node (entry, "timezone");
  g_autoptr (GError) error = NULL;
  g_autoptr (GPtrArray) names = NULL;
  FleetTimeZone *zone = fleet_time_zone_new_system (entry->timezone, &error);
  const char *suggestion;

  if (zone != NULL)
    return zone;

  names = zone_names ();
  suggestion = fleet_suggest_name (entry->timezone, (const char * const *) names->pdata,
                                   names->len);
  if (suggestion != NULL)
    fleet_diagnostics_error (diags, &node->pos, "%s; did you mean \"%s\"?", error->message,
                             suggestion);
  else
    fleet_diagnostics_error (diags, &node->pos, "%s", error->message);
  return NULL;
}

static void
report_missing (FleetDiagnostics *diags, const EntryParse *entry, const char *key)
{
  fleet_diagnostics_error (diags, &entry->item->pos,
                           "missing required key \"%s\" in %s; an entry without \"calendar\" "
                           "needs name, start, duration and timezone",
                           key, fleet_window_kind_to_string (entry->list_kind));
}

static void
report_not_with_calendar (FleetDiagnostics *diags, const EntryParse *entry, const char *key)
{
  const FleetYamlNode *node = entry_node (entry, key);

  if (node != NULL)
    fleet_diagnostics_error (diags, &node->pos,
                             "\"%s\" does not go with \"calendar\": the calendar's events give "
                             "their own times; remove one of them", key);
}

/* Check the keys that only make sense together.  Returns FALSE after an
 * error. */
static gboolean
check_combination (FleetDiagnostics *diags, const EntryParse *entry)
{
  guint errors_before = fleet_diagnostics_error_count (diags);
  const FleetYamlNode *kind_node = entry_node (entry, "kind");

  if (entry_node (entry, "calendar") != NULL)
    {
      report_not_with_calendar (diags, entry, "start");
      report_not_with_calendar (diags, entry, "duration");
      report_not_with_calendar (diags, entry, "rrule");
      if (entry->kind != NULL
          && !g_str_equal (entry->kind, fleet_window_kind_to_string (entry->list_kind)))
        fleet_diagnostics_error (diags, &kind_node->pos,
                                 "this calendar has kind %s but is listed under \"%s\"; move "
                                 "it to \"%s\" or correct \"kind\"", entry->kind,
                                 entry->list_kind == FLEET_WINDOW_KIND_FREEZE ? "freezes"
                                                                              : "windows",
                                 entry->list_kind == FLEET_WINDOW_KIND_FREEZE ? "windows"
                                                                              : "freezes");
    }
  else
    {
      const char *required[] = { "name", "start", "duration", "timezone" };

      for (guint i = 0; i < G_N_ELEMENTS (required); i++)
        if (entry_node (entry, required[i]) == NULL)
          report_missing (diags, entry, required[i]);
      if (kind_node != NULL)
        fleet_diagnostics_error (diags, &kind_node->pos,
                                 "\"kind\" applies only to calendar entries; the list an entry "
                                 "is in gives its kind");
    }

  return fleet_diagnostics_error_count (diags) == errors_before;
}

static void
check_unique_name (WindowsCompile *compile, const EntryParse *entry)
{
  const FleetYamlNode *node = entry_node (entry, "name");
  const FleetYamlNode *first;
  g_autofree char *quoted = NULL;

  if (entry->name == NULL)
    return;

  first = g_hash_table_lookup (compile->first_names, entry->name);
  if (first == NULL)
    {
      g_hash_table_insert (compile->first_names, node->value, (gpointer) node);
      return;
    }

  quoted = fleet_quote_value (entry->name, FLEET_QUOTE_MAX_CHARS);
  fleet_diagnostics_error (compile->diags, &node->pos,
                           "duplicate window or freeze name %s; the first is at line %u, "
                           "column %u", quoted, first->pos.line, first->pos.column);
}

static void
check_groups (WindowsCompile *compile, const EntryParse *entry)
{
  g_autoptr (GPtrArray) sorted = NULL;

  if (compile->inventory == NULL)
    return;

  for (guint i = 0; i < entry->applies_to->len; i++)
    {
      const char *name = g_ptr_array_index (entry->applies_to, i);
      const FleetYamlNode *node = g_hash_table_lookup (entry->applies_to_nodes, name);

      if (g_hash_table_contains (compile->inventory->groups_by_name, name))
        continue;
      if (sorted == NULL)
        sorted = fleet_sorted_names (compile->inventory->groups_by_name);
      fleet_report_unknown_name (compile->diags, &node->pos, "group", name, "", sorted);
    }
}

static void
note_window_groups (WindowsCompile *compile, const EntryParse *entry)
{
  if (entry->list_kind != FLEET_WINDOW_KIND_WINDOW)
    return;

  if (entry->applies_to_all)
    compile->any_window_for_all = TRUE;
  for (guint i = 0; i < entry->applies_to->len; i++)
    g_hash_table_add (compile->groups_with_window,
                      g_strdup (g_ptr_array_index (entry->applies_to, i)));
}

static FleetWindowSource *
new_source (const EntryParse *entry, const char *name, FleetTimeZone *zone)
{
  FleetWindowSource *source = fleet_window_source_new (name, entry->list_kind);

  source->pos = entry->item->pos;
  source->zone = zone != NULL ? fleet_time_zone_ref (zone) : NULL;
  source->applies_to_all = entry->applies_to_all;
  for (guint i = 0; i < entry->applies_to->len; i++)
    g_ptr_array_add (source->applies_to, g_strdup (g_ptr_array_index (entry->applies_to, i)));
  return source;
}

/* Return the position of byte `offset` of a scalar's text. */
static FleetSourcePos
offset_in_scalar (const FleetYamlNode *node, gsize offset)
{
  FleetSourcePos pos = node->pos;

  pos.column += (guint) offset + (node->plain ? 0 : 1);
  return pos;
}

/* Parse the entry's `rrule` into `rule`; reports an invalid rule at the
 * column of the part that is wrong and returns FALSE. */
static gboolean
parse_rrule (FleetDiagnostics *diags, const EntryParse *entry, struct icalrecurrencetype *rule)
{
  g_autofree char *message = NULL;
  gsize offset = 0;
  FleetSourcePos pos;

  if (fleet_recurrence_parse_rule (entry->rrule, rule, &message, &offset))
    return TRUE;

  pos = offset_in_scalar (entry_node (entry, "rrule"), offset);
  fleet_diagnostics_error (diags, &pos, "%s", message);
  return FALSE;
}

static void
expand_inline (WindowsCompile *compile, const EntryParse *entry)
{
  FleetDiagnostics *diags = compile->diags;
  g_autoptr (FleetTimeZone) zone = load_zone (diags, entry);
  g_autoptr (GError) error = NULL;
  g_autofree char *label = NULL;
  g_autofree char *quoted = NULL;
  FleetRecurrence recurrence = { 0 };

  if (!fleet_parse_local_date_time (entry->start, &recurrence.start_local, &error))
    {
      g_autofree char *value = fleet_quote_value (entry->start, FLEET_QUOTE_MAX_CHARS);

      fleet_diagnostics_error (diags, &entry_node (entry, "start")->pos,
                               "invalid value %s for \"start\": %s", value, error->message);
    }

  if (entry->rrule != NULL)
    {
      if (!parse_rrule (diags, entry, &recurrence.rule))
        return;
      recurrence.has_rule = TRUE;
    }

  if (zone == NULL || error != NULL)
    return;

  quoted = fleet_quote_value (entry->name, FLEET_QUOTE_MAX_CHARS);
  label = g_strdup_printf ("%s %s", fleet_window_kind_to_string (entry->list_kind), quoted);
  recurrence.label = label;
  recurrence.zone = zone;
  recurrence.duration_seconds = (gint64) (entry->duration_ms / 1000);
  recurrence.pos = entry->item->pos;
  recurrence.source = fleet_window_calendar_add_source (compile->calendar,
                                                        new_source (entry, entry->name, zone));
  fleet_recurrence_expand (&recurrence, compile->calendar, diags);
}

/* Return the path of a calendar named `value` in the workflow. */
static char *
resolve_calendar_path (const char *workflow_path, const char *value)
{
  g_autofree char *directory = NULL;

  if (g_path_is_absolute (value))
    return g_strdup (value);

  directory = g_path_get_dirname (workflow_path);
  return g_strcmp0 (directory, ".") == 0 ? g_strdup (value)
                                          : g_build_filename (directory, value, NULL);
}

static void
import_calendar (WindowsCompile *compile, const EntryParse *entry)
{
  g_autoptr (FleetTimeZone) zone = NULL;
  g_autofree char *path = resolve_calendar_path (compile->workflow_path, entry->calendar);
  FleetIcalImport import = {
    .kind = entry->list_kind,
    .applies_to_all = entry->applies_to_all,
    .applies_to = entry->applies_to,
    .reference = &entry_node (entry, "calendar")->pos,
  };

  if (entry->timezone != NULL && (zone = load_zone (compile->diags, entry)) == NULL)
    return;

  import.default_zone = zone;
  fleet_ical_import_file (path, &import, compile->calendar, compile->diags);
}

static void
compile_entry (WindowsCompile *compile, const FleetYamlNode *item, FleetWindowKind list_kind)
{
  g_auto (EntryParse) entry = {
    .list_kind = list_kind,
    .item = item,
    .applies_to_all = TRUE,
    .applies_to = g_ptr_array_new_with_free_func (g_free),
    .applies_to_nodes = g_hash_table_new (g_str_hash, g_str_equal),
  };
  guint errors_before = fleet_diagnostics_error_count (compile->diags);

  fleet_walk_mapping (compile->diags, item, FLEET_SCHEMA_WINDOW, window_handlers,
                      G_N_ELEMENTS (window_handlers), &entry);
  check_unique_name (compile, &entry);
  check_groups (compile, &entry);
  note_window_groups (compile, &entry);
  if (!check_combination (compile->diags, &entry)
      || fleet_diagnostics_error_count (compile->diags) > errors_before)
    {
      /* The entry is not expanded, but its rule is checked all the same,
       * so that one pass reports every error of the entry. */
      struct icalrecurrencetype rule;

      if (entry.calendar == NULL && entry.rrule != NULL)
        parse_rrule (compile->diags, &entry, &rule);
      return;
    }

  if (entry.calendar != NULL)
    import_calendar (compile, &entry);
  else
    expand_inline (compile, &entry);
}

static void
compile_list (WindowsCompile *compile, const FleetYamlNode *list, FleetWindowKind kind)
{
  const char *what = kind == FLEET_WINDOW_KIND_FREEZE ? "item in \"freezes\""
                                                     : "item in \"windows\"";

  if (list == NULL || list->kind != FLEET_YAML_SEQUENCE)
    return;

  if (kind == FLEET_WINDOW_KIND_WINDOW && list->items->len == 0)
    fleet_diagnostics_error (compile->diags, &list->pos,
                             "empty \"windows\" list: it would allow no time at all; add a "
                             "window, or remove the key to run at any time");

  for (guint i = 0; i < list->items->len; i++)
    {
      const FleetYamlNode *item = g_ptr_array_index (list->items, i);

      if (fleet_expect_mapping (compile->diags, item, what))
        compile_entry (compile, item, kind);
    }
}

/* Hosts named in one warning about hosts without a window; the rest are
 * counted. */
#define MAX_HOSTS_NAMED 5

/* Return TRUE when a window applies to one of `host`'s groups. */
static gboolean
host_has_window (const WindowsCompile *compile, const FleetHost *host)
{
  for (guint g = 0; g < host->groups->len; g++)
    if (g_hash_table_contains (compile->groups_with_window, g_ptr_array_index (host->groups, g)))
      return TRUE;
  return FALSE;
}

static char *
join_groups (const FleetHost *host)
{
  GString *text = g_string_new (NULL);

  for (guint g = 0; g < host->groups->len; g++)
    {
      g_autofree char *quoted = fleet_quote_value (g_ptr_array_index (host->groups, g),
                                                   FLEET_QUOTE_MAX_CHARS);

      g_string_append_printf (text, "%s%s", g > 0 ? ", " : "", quoted);
    }
  return g_string_free (text, FALSE);
}

/* Warn about the inventory hosts that no window applies to: with windows
 * defined, they never run.  A host gets the windows of all its groups, so
 * a group without a window of its own is no problem while each of its
 * hosts has a window through another group.  Hosts with the same groups
 * share one warning that names their groups. */
static void
warn_hosts_without_window (WindowsCompile *compile, const FleetYamlNode *windows)
{
  g_autoptr (GHashTable) by_groups = NULL;
  g_autoptr (GPtrArray) keys = NULL;

  if (compile->inventory == NULL || compile->any_window_for_all || windows == NULL)
    return;

  by_groups = g_hash_table_new_full (g_str_hash, g_str_equal, g_free,
                                     (GDestroyNotify) g_ptr_array_unref);
  keys = g_ptr_array_new ();
  for (guint i = 0; i < compile->inventory->hosts->len; i++)
    {
      const FleetHost *host = g_ptr_array_index (compile->inventory->hosts, i);
      char *key;
      GPtrArray *hosts;

      if (host_has_window (compile, host))
        continue;
      key = join_groups (host);
      hosts = g_hash_table_lookup (by_groups, key);
      if (hosts == NULL)
        {
          hosts = g_ptr_array_new ();
          g_hash_table_insert (by_groups, key, hosts);
          g_ptr_array_add (keys, key);
        }
      else
        g_free (key);
      g_ptr_array_add (hosts, host->name);
    }

  for (guint k = 0; k < keys->len; k++)
    {
      const char *groups = g_ptr_array_index (keys, k);
      GPtrArray *hosts = g_hash_table_lookup (by_groups, groups);
      g_autoptr (GString) names = g_string_new (NULL);

      for (guint i = 0; i < MIN (hosts->len, MAX_HOSTS_NAMED); i++)
        g_string_append_printf (names, "%s%s", i > 0 ? ", " : "",
                                (const char *) g_ptr_array_index (hosts, i));
      if (hosts->len > MAX_HOSTS_NAMED)
        g_string_append_printf (names, " and %u more", hosts->len - MAX_HOSTS_NAMED);

      if (groups[0] == '\0')
        fleet_diagnostics_warning (compile->diags, &windows->pos,
                                   "no window applies to host%s %s, in no group, so %s can "
                                   "never run; add a window with applies_to: all, or put %s "
                                   "in a group that a window applies to",
                                   hosts->len == 1 ? "" : "s", names->str,
                                   hosts->len == 1 ? "it" : "they",
                                   hosts->len == 1 ? "it" : "them");
      else
        fleet_diagnostics_warning (compile->diags, &windows->pos,
                                   "no window applies to host%s %s, in group%s %s, so %s can "
                                   "never run; add one of %s groups to a window's applies_to",
                                   hosts->len == 1 ? "" : "s", names->str,
                                   strchr (groups, ',') != NULL ? "s" : "", groups,
                                   hosts->len == 1 ? "it" : "they",
                                   hosts->len == 1 ? "its" : "their");
    }
}

FleetWindowCalendar *
fleet_compile_windows (FleetDiagnostics *diags,
                       const FleetYamlNode *windows,
                       const FleetYamlNode *freezes,
                       const char *workflow_path,
                       const FleetInventory *inventory,
                       gint64 from_us,
                       gint64 to_us)
{
  g_autoptr (GHashTable) first_names = g_hash_table_new (g_str_hash, g_str_equal);
  g_autoptr (GHashTable) groups_with_window = g_hash_table_new_full (g_str_hash, g_str_equal,
                                                                     g_free, NULL);
  g_autoptr (GPtrArray) group_names = g_ptr_array_new ();
  WindowsCompile compile = {
    .diags = diags,
    .inventory = inventory,
    .workflow_path = workflow_path,
    .first_names = first_names,
    .groups_with_window = groups_with_window,
  };

  if (windows == NULL && freezes == NULL)
    return NULL;

  compile.calendar = fleet_window_calendar_new (from_us, to_us);
  compile.calendar->restricted = windows != NULL;
  compile_list (&compile, windows, FLEET_WINDOW_KIND_WINDOW);
  compile_list (&compile, freezes, FLEET_WINDOW_KIND_FREEZE);
  warn_hosts_without_window (&compile, windows);

  for (guint i = 0; inventory != NULL && i < inventory->groups->len; i++)
    g_ptr_array_add (group_names, ((FleetGroup *) g_ptr_array_index (inventory->groups, i))->name);
  fleet_window_calendar_build (compile.calendar, group_names);
  return compile.calendar;
}
