/* fleetc-snapshot.c: compare two stored snapshots. */
#include "cli/fleetc-snapshot.h"

#include "cli/fleetc-snapshot-list.h"
#include "cli/fleetc-verify.h"

#include <stdio.h>
#include <string.h>

#include <glib.h>

#include "schema/fleet-file.h"
#include "schema/fleet-json.h"
#include "schema/fleet-snapshot-diff.h"
#include "schema/fleet-snapshot-store.h"
#include "schema/fleet-text.h"

#define EXIT_UNEXPECTED_CHANGES 1
#define EXIT_BAD_INPUT 2

static const char snapshot_usage[] =
  "Usage: fleetc snapshot diff BEFORE AFTER [--store DIR] [--expect CATEGORY:PATTERN]...\n"
  "                            [--format text|json]\n"
  "BEFORE and AFTER are snapshot digests (or unique prefixes of 8 or more hex digits)\n"
  "in DIR, or without --store, paths of .snapshot.gz or text snapshot files.\n";

static const char snapshot_overview[] =
  "Usage: fleetc snapshot COMMAND [OPTION...]\n"
  "\n"
  "Commands:\n"
  "  take -i INVENTORY... --limit EXPR [--store DIR] [--categories LIST] [--file PATH]...\n"
  "       [--drift]\n"
  "      Collect a snapshot of each selected host now and store it.\n"
  "  list --store DIR [--host PATTERN] [--run RUN] [--format text|json]\n"
  "      List the snapshots of a store, oldest first.\n"
  "  diff BEFORE AFTER [--store DIR] [--expect CATEGORY:PATTERN]... [--format text|json]\n"
  "      Compare two snapshots.  Exit status 0: nothing unexpected changed; 1: an\n"
  "      unexpected change; 2: error.\n"
  "\n"
  "Run fleetc snapshot COMMAND --help for the options of one command.\n";

static int snapshot_diff_main (int argc, char **argv);

static int
snapshot_usage_error (const char *message)
{
  g_printerr ("fleetc snapshot: %s\n%s", message, snapshot_usage);
  return EXIT_BAD_INPUT;
}

/* Load a snapshot from the store, or from a file when `store` is NULL. */
static FleetSnapshot *
load_snapshot (const char *store, const char *name, GError **error)
{
  g_autofree char *contents = NULL;
  g_autoptr (GBytes) text = NULL;
  gsize length = 0;

  if (store != NULL)
    return fleet_snapshot_store_get (store, name, error);

  if (!fleet_file_get_contents (name, &contents, &length, error))
    return NULL;
  if (length >= 2 && (guchar) contents[0] == 0x1f && (guchar) contents[1] == 0x8b)
    {
      text = fleet_snapshot_gunzip (contents, length, error);
      if (text == NULL)
        {
          g_prefix_error (error, "%s: ", name);
          return NULL;
        }
      return fleet_snapshot_parse (g_bytes_get_data (text, NULL), g_bytes_get_size (text), name,
                                   error);
    }
  return fleet_snapshot_parse (contents, length, name, error);
}

/* Add patterns given as CATEGORY:PATTERN. */
static gboolean
add_expectations (FleetSnapshotExpect *expect, char **specs, GError **error)
{
  for (guint i = 0; specs != NULL && specs[i] != NULL; i++)
    {
      const char *colon = strchr (specs[i], ':');
      g_autofree char *name = NULL;
      FleetSnapshotCategory category;

      if (colon == NULL)
        {
          g_set_error (error, FLEET_SNAPSHOT_ERROR, FLEET_SNAPSHOT_ERROR_INVALID,
                       "invalid --expect \"%s\"; write CATEGORY:PATTERN, e.g. files:/etc/nginx/**",
                       specs[i]);
          return FALSE;
        }
      name = g_strndup (specs[i], colon - specs[i]);
      if (!fleet_snapshot_category_from_name (name, &category))
        {
          g_set_error (error, FLEET_SNAPSHOT_ERROR, FLEET_SNAPSHOT_ERROR_INVALID,
                       "unknown category \"%s\" in --expect; use os, packages, services, files, "
                       "sysctl, ports, users, groups, mounts or facts", name);
          return FALSE;
        }
      if (!fleet_snapshot_expect_add (expect, category, colon + 1, error))
        return FALSE;
    }
  return TRUE;
}

/* Return why `snapshot` has no `category` to compare, or NULL when it has
 * one. */
static char *
describe_missing (const FleetSnapshot *snapshot, FleetSnapshotCategory category,
                  const char *which)
{
  const char *reason = fleet_snapshot_unavailable_reason (snapshot, category);

  if (fleet_snapshot_is_available (snapshot, category))
    return NULL;
  if (reason != NULL)
    return g_strdup_printf ("unavailable in the %s snapshot: %s", which, reason);
  return g_strdup_printf ("not collected in the %s snapshot", which);
}

/* Append a line for each category that one snapshot has and the other does
 * not, so that a category left out of the comparison is never taken for
 * one without changes.  Categories that neither snapshot has were not
 * requested, so they are left out. */
static void
append_not_compared (GString *out, const FleetSnapshotDiff *diff, const FleetSnapshot *before,
                     const FleetSnapshot *after)
{
  for (guint category = 0; category < FLEET_SNAPSHOT_N_CATEGORIES; category++)
    {
      g_autofree char *before_missing = describe_missing (before, category, "before");
      g_autofree char *after_missing = describe_missing (after, category, "after");

      if (!diff->skipped[category])
        continue;
      if (before_missing != NULL && after_missing != NULL
          && fleet_snapshot_unavailable_reason (before, category) == NULL
          && fleet_snapshot_unavailable_reason (after, category) == NULL)
        continue;

      g_string_append_printf (out, "not compared: %s (%s%s%s)\n",
                              fleet_snapshot_category_name (category),
                              before_missing != NULL ? before_missing : "",
                              before_missing != NULL && after_missing != NULL ? "; " : "",
                              after_missing != NULL ? after_missing : "");
    }
}

int
fleetc_snapshot_main (int argc, char **argv)
{
  if (argc < 2)
    {
      g_printerr ("fleetc snapshot: expected a command: take, list or diff\n%s",
                  snapshot_overview);
      return EXIT_BAD_INPUT;
    }
  if (g_str_equal (argv[1], "--help") || g_str_equal (argv[1], "-h")
      || g_str_equal (argv[1], "help"))
    {
      fputs (snapshot_overview, stdout);
      return 0;
    }
  if (argc >= 2 && g_str_equal (argv[1], "take"))
    return fleetc_snapshot_take_main (argc - 1, argv + 1);
  if (argc >= 2 && g_str_equal (argv[1], "list"))
    return fleetc_snapshot_list_main (argc - 1, argv + 1);
  return snapshot_diff_main (argc, argv);
}

static int
snapshot_diff_main (int argc, char **argv)
{
  g_autoptr (GOptionContext) context = g_option_context_new ("diff BEFORE AFTER");
  g_autoptr (GError) error = NULL;
  g_autofree char *store = NULL;
  g_autofree char *format = NULL;
  g_auto (GStrv) expect_specs = NULL;
  g_autoptr (FleetSnapshotExpect) expect = fleet_snapshot_expect_new ();
  g_autoptr (FleetSnapshot) before = NULL;
  g_autoptr (FleetSnapshot) after = NULL;
  g_autoptr (FleetSnapshotDiff) diff = NULL;
  g_autoptr (GString) out = g_string_new (NULL);
  GOptionEntry entries[] = {
    { "store", 's', 0, G_OPTION_ARG_FILENAME, &store,
      "Snapshot store directory; BEFORE and AFTER are then digests", "DIR" },
    { "expect", 'e', 0, G_OPTION_ARG_STRING_ARRAY, &expect_specs,
      "Mark changes whose key matches PATTERN in CATEGORY as expected; repeatable",
      "CATEGORY:PATTERN" },
    { "format", 'f', 0, G_OPTION_ARG_STRING, &format, "Output format: text (default) or json",
      "FORMAT" },
    { NULL }
  };

  g_option_context_add_main_entries (context, entries, NULL);
  g_option_context_set_summary (context,
                                "Compare two configuration snapshots, category by category.  "
                                "Exit status 0: nothing unexpected changed (no change, or only "
                                "changes that --expect matches); 1: an unexpected change; 2: "
                                "error.");
  if (!fleet_text_parse_options (context, &argc, &argv, &error))
    return snapshot_usage_error (error->message);
  if (argc != 4 || !g_str_equal (argv[1], "diff"))
    return snapshot_usage_error ("expected: diff BEFORE AFTER");
  if (format != NULL && !g_str_equal (format, "text") && !g_str_equal (format, "json"))
    return snapshot_usage_error ("unknown format; use text or json");
  if (!add_expectations (expect, expect_specs, &error))
    return snapshot_usage_error (error->message);

  before = load_snapshot (store, argv[2], &error);
  if (before != NULL)
    after = load_snapshot (store, argv[3], &error);
  if (after == NULL)
    {
      g_printerr ("fleetc snapshot: %s\n", error->message);
      return EXIT_BAD_INPUT;
    }

  diff = fleet_snapshot_diff (before, after, expect);
  if (format != NULL && g_str_equal (format, "json"))
    {
      FleetJsonWriter json;

      fleet_json_writer_init (&json, out);
      fleet_snapshot_diff_write_json (diff, &json);
      g_string_append_c (out, '\n');
    }
  else
    {
      g_string_append_printf (out, "%" G_GSIZE_FORMAT " change%s, %" G_GSIZE_FORMAT
                              " unexpected\n", diff->n_changes, diff->n_changes == 1 ? "" : "s",
                              diff->n_unexpected);
      append_not_compared (out, diff, before, after);
      fleet_snapshot_diff_append_text (diff, out);
    }
  fwrite (out->str, 1, out->len, stdout);
  return diff->n_unexpected == 0 ? 0 : EXIT_UNEXPECTED_CHANGES;
}
