/* fleet-run-progress.c: the live line and the plain progress lines; see
 * fleet-run-progress.h. */
#include "cli/fleet-run-progress.h"

#define LIVE_INTERVAL_US (200 * 1000)
#define PLAIN_INTERVAL_US (10 * G_USEC_PER_SEC)
#define PLAIN_PARTS 10

struct FleetRunProgress {
  const FleetPlan *plan;
  FILE *stream;
  gboolean live;
  const FleetClock *clock;
  FleetRunObserver observer;

  guint wave;
  guint wave_hosts;
  guint started;
  guint done;
  guint failed;
  guint interrupted;
  gint64 wave_started_us;
  gint64 last_print_us;
  guint last_part;
  gboolean line_shown;
};

/* Append the wave's counts, its rate and the estimated time left. */
static void
append_counts (GString *out, const FleetRunProgress *progress, gint64 now_us)
{
  double elapsed_s = (now_us - progress->wave_started_us) / 1e6;
  guint in_flight = progress->started - progress->done;

  g_string_append_printf (out, "wave %u/%u: %u/%u done, %u failed, ", progress->wave + 1,
                          progress->plan->waves->len, progress->done, progress->wave_hosts,
                          progress->failed);
  if (progress->interrupted > 0)
    g_string_append_printf (out, "%u interrupted, ", progress->interrupted);
  g_string_append_printf (out, "%u in flight", in_flight);
  if (progress->done > 0 && elapsed_s > 0)
    {
      double rate = progress->done / elapsed_s;
      double left_s = (progress->wave_hosts - progress->done) / rate;

      g_string_append_printf (out, ", %.1f hosts/s", rate);
      if (progress->done < progress->wave_hosts)
        g_string_append_printf (out, ", about %.0f s left", left_s);
    }
}

static void
print_plain (FleetRunProgress *progress, gint64 now_us, const char *event)
{
  g_autoptr (GDateTime) time = g_date_time_new_from_unix_utc (
    fleet_clock_wall_us (progress->clock) / G_USEC_PER_SEC);
  g_autofree char *stamp = g_date_time_format (time, "%H:%M:%SZ");
  g_autoptr (GString) line = g_string_new (NULL);

  g_string_append_printf (line, "%s %s", stamp, event);
  append_counts (line, progress, now_us);
  fprintf (progress->stream, "%s\n", line->str);
  fflush (progress->stream);
  progress->last_print_us = now_us;
}

static void
draw_live (FleetRunProgress *progress, gint64 now_us, gboolean force)
{
  g_autoptr (GString) line = g_string_new ("\r\033[K");

  if (!force && now_us - progress->last_print_us < LIVE_INTERVAL_US)
    return;

  append_counts (line, progress, now_us);
  fputs (line->str, progress->stream);
  fflush (progress->stream);
  progress->last_print_us = now_us;
  progress->line_shown = TRUE;
}

/* Print what changed: redraw the live line, or print a plain line at each
 * tenth of the wave and at least every PLAIN_INTERVAL_US. */
static void
update (FleetRunProgress *progress)
{
  gint64 now_us = fleet_clock_monotonic_us (progress->clock);
  guint part;

  if (progress->live)
    {
      draw_live (progress, now_us, FALSE);
      return;
    }

  part = progress->wave_hosts > 0 ? progress->done * PLAIN_PARTS / progress->wave_hosts : 0;
  if (part > progress->last_part || now_us - progress->last_print_us >= PLAIN_INTERVAL_US)
    {
      progress->last_part = part;
      print_plain (progress, now_us, "");
    }
}

static void
on_wave_started (guint wave, guint n_hosts, gpointer data)
{
  FleetRunProgress *progress = data;

  progress->wave = wave;
  progress->wave_hosts = n_hosts;
  progress->started = progress->done = progress->failed = progress->interrupted = 0;
  progress->last_part = 0;
  progress->wave_started_us = fleet_clock_monotonic_us (progress->clock);
  if (progress->live)
    draw_live (progress, progress->wave_started_us, TRUE);
  else
    print_plain (progress, progress->wave_started_us, "start ");
}

static void
on_host_started (const FleetHost *host, gpointer data)
{
  FleetRunProgress *progress = data;

  progress->started++;
  update (progress);
}

static void
on_host_finished (const FleetHostResult *result, gpointer data)
{
  FleetRunProgress *progress = data;

  progress->done++;
  progress->failed += result->outcome == FLEET_HOST_FAILED;
  progress->interrupted += result->outcome == FLEET_HOST_INTERRUPTED;
  update (progress);
}

static void
on_wave_finished (guint wave, gpointer data)
{
  FleetRunProgress *progress = data;
  gint64 now_us = fleet_clock_monotonic_us (progress->clock);

  if (progress->live)
    {
      draw_live (progress, now_us, TRUE);
      fputc ('\n', progress->stream);
      progress->line_shown = FALSE;
      return;
    }
  print_plain (progress, now_us, "end ");
}

FleetRunProgress *
fleet_run_progress_new (const FleetPlan *plan, FILE *stream, gboolean live,
                        const FleetClock *clock)
{
  FleetRunProgress *progress = g_new0 (FleetRunProgress, 1);

  progress->plan = plan;
  progress->stream = stream;
  progress->live = live;
  progress->clock = clock;
  progress->observer = (FleetRunObserver) {
    .wave_started = on_wave_started,
    .host_started = on_host_started,
    .host_finished = on_host_finished,
    .wave_finished = on_wave_finished,
    .data = progress,
  };
  return progress;
}

const FleetRunObserver *
fleet_run_progress_observer (FleetRunProgress *progress)
{
  return &progress->observer;
}

void
fleet_run_progress_free (FleetRunProgress *progress)
{
  if (progress == NULL)
    return;

  if (progress->line_shown)
    {
      fputs ("\r\033[K", progress->stream);
      fflush (progress->stream);
    }
  g_free (progress);
}
