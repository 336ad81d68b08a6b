/* snapshot-diff: time parsing and diffing two snapshot text forms.
 *
 * Generates a "before" snapshot of about the requested size (default
 * 10 MB of text, split over packages, files, sysctl and facts) and an
 * "after" copy with 1% of items changed, 0.5% removed and 0.5% added, then
 * parses both and diffs them.  Prints wall and CPU time and the item rate
 * (items parsed, per second of wall time and of CPU time; each parsed item
 * is also compared once).  A
 * benchmark, not a test: it never fails on time.
 *
 * Usage: snapshot-diff [MEGABYTES]
 */
#include <stdio.h>
#include <stdlib.h>
#include <time.h>

#include "schema/fleet-snapshot-diff.h"
#include "schema/fleet-snapshot.h"

static double
cpu_seconds (void)
{
  return (double) clock () / CLOCKS_PER_SEC;
}

/* Fill `snapshot` with items until its text form is about `target_bytes`;
 * `variant` 1 changes, removes and adds a fixed share of them. */
static void
fill (FleetSnapshot *snapshot, gsize target_bytes, int variant)
{
  static const char sha[] = "0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef";
  gsize bytes = 0;
  char key[128], value[128];

  fleet_snapshot_set_host (snapshot, "bench-host");
  fleet_snapshot_set_collector (snapshot, "bench");
  fleet_snapshot_set_os_family (snapshot, "debian");

  for (guint i = 0; bytes < target_bytes; i++)
    {
      gboolean removed = variant == 1 && i % 200 == 7;
      gboolean changed = variant == 1 && i % 100 == 3;
      FleetSnapshotCategory category = i % 4 == 0 ? FLEET_SNAPSHOT_FILES
                                     : i % 4 == 1 ? FLEET_SNAPSHOT_PACKAGES
                                     : i % 4 == 2 ? FLEET_SNAPSHOT_SYSCTL
                                                  : FLEET_SNAPSHOT_FACTS;

      g_snprintf (key, sizeof key, "%s/item-%08u", fleet_snapshot_category_name (category), i);
      g_snprintf (value, sizeof value, "version-%u.%u%s", i % 13, i % 7, changed ? "-new" : "");

      if (variant == 1 && i % 200 == 11)
        {
          g_autofree char *extra = g_strconcat (key, "-added", NULL);

          fleet_snapshot_add (snapshot, FLEET_SNAPSHOT_PACKAGES, extra, value);
        }
      if (removed)
        continue;

      if (category == FLEET_SNAPSHOT_FILES)
        {
          FleetSnapshotFile file = { sha, changed ? 0100600 : 0100644, "root:root", i, "" };

          fleet_snapshot_add_file (snapshot, key, &file);
          bytes += 100 + strlen (key);
        }
      else
        {
          fleet_snapshot_add (snapshot, category, key, value);
          bytes += 8 + strlen (key) + strlen (value);
        }
    }
}

int
main (int argc, char **argv)
{
  double megabytes = argc > 1 ? g_ascii_strtod (argv[1], NULL) : 10.0;
  gsize target = (gsize) (megabytes * 1024 * 1024 / 2);
  g_autoptr (FleetSnapshot) before = fleet_snapshot_new ();
  g_autoptr (FleetSnapshot) after = fleet_snapshot_new ();
  g_autoptr (FleetSnapshot) parsed_before = NULL;
  g_autoptr (FleetSnapshot) parsed_after = NULL;
  g_autoptr (FleetSnapshotExpect) expect = fleet_snapshot_expect_new ();
  g_autoptr (FleetSnapshotDiff) diff = NULL;
  g_autoptr (GError) error = NULL;
  g_autofree char *before_text = NULL;
  g_autofree char *after_text = NULL;
  gsize before_length = 0, after_length = 0, items;
  gint64 start_us, end_us;
  double cpu_start, cpu_end, seconds;

  if (megabytes <= 0)
    {
      fprintf (stderr, "usage: snapshot-diff [MEGABYTES]; MEGABYTES must be positive\n");
      return 2;
    }

  fill (before, target, 0);
  fill (after, target, 1);
  before_text = fleet_snapshot_serialize (before, &before_length);
  after_text = fleet_snapshot_serialize (after, &after_length);
  fleet_snapshot_expect_add (expect, FLEET_SNAPSHOT_FILES, "files/item-0000*", NULL);

  start_us = g_get_monotonic_time ();
  cpu_start = cpu_seconds ();

  parsed_before = fleet_snapshot_parse (before_text, before_length, "before", &error);
  if (parsed_before != NULL)
    parsed_after = fleet_snapshot_parse (after_text, after_length, "after", &error);
  if (parsed_after == NULL)
    {
      fprintf (stderr, "snapshot-diff: %s\n", error->message);
      return 1;
    }
  diff = fleet_snapshot_diff (parsed_before, parsed_after, expect);

  end_us = g_get_monotonic_time ();
  cpu_end = cpu_seconds ();
  seconds = (double) (end_us - start_us) / G_USEC_PER_SEC;
  items = fleet_snapshot_count_items (parsed_before) + fleet_snapshot_count_items (parsed_after);

  printf ("input:   %.1f MB of text, %" G_GSIZE_FORMAT " items\n",
          (double) (before_length + after_length) / (1024 * 1024), items);
  printf ("changes: %" G_GSIZE_FORMAT " (%" G_GSIZE_FORMAT " unexpected)\n",
          diff->n_changes, diff->n_unexpected);
  printf ("time:    %.3f s wall, %.3f s CPU (parse both and diff)\n", seconds, cpu_end - cpu_start);
  printf ("rate:    %.0f items/s of wall time, %.0f items/s of CPU time\n",
          (double) items / seconds, (double) items / (cpu_end - cpu_start));
  return 0;
}
