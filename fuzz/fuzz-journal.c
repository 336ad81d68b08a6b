/* fuzz-journal.c: libFuzzer target for run journals and resume state.
 *
 * The input is a journal file.  It is parsed as fleet-run --resume reads
 * it, then folded into host states for a fixed plan of hosts "a" and "b"
 * and steps "one" and "two" (idempotent), whose digest is "fuzz".  The
 * target checks the contracts of fleet-journal-reader.h and
 * fleet-resume.h: a torn line lies inside the input, and each host's next
 * step and step in flight are steps of the plan.
 */
#include <string.h>

#include "fuzz/fuzz-common.h"
#include "runtime/fleet-journal-reader.h"
#include "runtime/fleet-resume.h"

int LLVMFuzzerTestOneInput (const uint8_t *data, size_t size);

static FleetPlan *
fuzz_plan (void)
{
  FleetPlan *plan = fleet_plan_new ();
  FleetStep *two = fleet_step_new ("two", "true");

  g_ptr_array_add (plan->hosts, fleet_host_new ("a"));
  g_ptr_array_add (plan->hosts, fleet_host_new ("b"));
  g_ptr_array_add (plan->steps, fleet_step_new ("one", "true"));
  two->idempotent = TRUE;
  g_ptr_array_add (plan->steps, two);
  plan->file_sha256 = g_strdup ("fuzz");
  return plan;
}

static void
check_contents (const FleetJournalContents *contents, size_t size)
{
  if (contents->torn_offset >= (gint64) size)
    fuzz_fail ("torn line offset %" G_GINT64_FORMAT " is past the input's %zu bytes",
               contents->torn_offset, size);
  for (guint i = 0; i < contents->records->len; i++)
    {
      const FleetJournalRecord *record = g_ptr_array_index (contents->records, i);

      if (record->offset >= size || record->event == NULL)
        fuzz_fail ("record %u has offset %" G_GUINT64_FORMAT " or no event", i, record->offset);
    }
}

static void
check_state (const FleetResumeState *state, const FleetPlan *plan)
{
  for (guint i = 0; i < state->hosts->len; i++)
    {
      const FleetResumeHost *host = g_ptr_array_index (state->hosts, i);

      if (host->next_step > plan->steps->len)
        fuzz_fail ("host %u resumes at step %u of %u", i, host->next_step, plan->steps->len);
      if (host->state == FLEET_RESUME_HOST_HELD
          && (host->in_flight_step >= plan->steps->len
              || ((const FleetStep *) g_ptr_array_index (plan->steps,
                                                         host->in_flight_step))->idempotent))
        fuzz_fail ("host %u is held at step %u", i, host->in_flight_step);
    }
}

int
LLVMFuzzerTestOneInput (const uint8_t *data, size_t size)
{
  static FleetPlan *plan;
  g_autoptr(FleetJournalContents) contents = NULL;
  g_autoptr(FleetResumeState) state = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *run_dir = NULL;
  const char *path;

  if (plan == NULL)
    plan = fuzz_plan ();

  contents = fleet_journal_parse ("fuzz.jsonl", (const char *) data, size, &error);
  if (contents != NULL)
    check_contents (contents, size);
  g_clear_error (&error);

  path = fuzz_write_file ("journal.jsonl", data, size);
  run_dir = g_path_get_dirname (path);
  state = fleet_resume_load (plan, run_dir, NULL, NULL, &error);
  if (state != NULL)
    check_state (state, plan);
  return 0;
}
