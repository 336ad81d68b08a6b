/* fuzz-ics.c: libFuzzer target for iCalendar window and freeze files.
 *
 * The input is the text of an .ics file.  It is imported as a workflow's
 * `calendar:` entry is, once as windows in UTC for every group and once
 * as freezes for two named groups with Europe/Berlin as the zone of
 * floating times, into calendars that span 2025 and 2026.  The target
 * checks that every diagnostic points inside the input.
 */
#include "compiler/ical-import.h"
#include "fuzz/fuzz-common.h"

int LLVMFuzzerTestOneInput (const uint8_t *data, size_t size);

/* 2025-01-01T00:00:00Z and 2027-01-01T00:00:00Z. */
#define RANGE_FROM_US (G_GINT64_CONSTANT (1735689600) * G_USEC_PER_SEC)
#define RANGE_TO_US (G_GINT64_CONSTANT (1798761600) * G_USEC_PER_SEC)

int
LLVMFuzzerTestOneInput (const uint8_t *data, size_t size)
{
  static FleetTimeZone *berlin;
  static GPtrArray *groups;
  const char *path = fuzz_write_file ("fuzz.ics", data, size);
  g_autoptr(FleetDiagnostics) diags = fleet_diagnostics_new ();
  g_autoptr(FleetWindowCalendar) calendar = fleet_window_calendar_new (RANGE_FROM_US,
                                                                       RANGE_TO_US);
  FleetSourcePos reference = { .file = "workflow.yaml", .line = 1, .column = 1 };
  FleetIcalImport windows = { .kind = FLEET_WINDOW_KIND_WINDOW, .applies_to_all = TRUE,
                              .reference = &reference };
  FleetIcalImport freezes = { .kind = FLEET_WINDOW_KIND_FREEZE, .reference = &reference };

  if (berlin == NULL)
    {
      berlin = fleet_time_zone_new_system ("Europe/Berlin", NULL);
      groups = g_ptr_array_new ();
      g_ptr_array_add (groups, (gpointer) "dc1");
      g_ptr_array_add (groups, (gpointer) "dc2");
    }

  if (size > 0)
    fleet_diagnostics_add_source (diags, path, (const char *) data, size);

  fleet_ical_import_file (path, &windows, calendar, diags);
  freezes.applies_to = groups;
  freezes.default_zone = berlin;
  fleet_ical_import_file (path, &freezes, calendar, diags);

  fuzz_check_positions (diags, path, data, size);
  fuzz_format_diagnostics (diags);
  return 0;
}
