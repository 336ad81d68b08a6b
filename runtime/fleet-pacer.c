/* fleet-pacer.c: the limit, the caps and the controller's load together;
 * see fleet-pacer.h. */
#include "runtime/fleet-pacer.h"

#include <dirent.h>
#include <stdio.h>
#include <sys/resource.h>
#include <unistd.h>

#include "runtime/fleet-admission.h"

#define DESCRIPTOR_PRESSURE 0.9
#define CPU_PRESSURE 0.95
#define CPU_SAMPLE_US G_USEC_PER_SEC

struct FleetPacer {
  FleetConcurrency *concurrency;
  FleetAdmission *admission;
  gint64 memory_budget_bytes;
  gboolean sample_cpu;            /* the controller's CPU use is a signal */
  gint64 cpu_sample_started_us;  /* real monotonic time, not the run's clock */
  gint64 cpu_sample_started_cpu_us;
  guint busy;                     /* hosts started and not finished */
  guint connecting;               /* connections started and not reported */
  gint64 last_now_us;             /* the run's clock at the latest call */
};

static gint64
thread_cpu_us (void)
{
  struct rusage usage;

  if (getrusage (RUSAGE_THREAD, &usage) != 0)
    return 0;
  return (gint64) (usage.ru_utime.tv_sec + usage.ru_stime.tv_sec) * G_USEC_PER_SEC
         + usage.ru_utime.tv_usec + usage.ru_stime.tv_usec;
}

FleetPacer *
fleet_pacer_new (const FleetPlan *plan, gint64 now_us)
{
  FleetPacer *pacer = g_new0 (FleetPacer, 1);
  FleetConcurrencyParams params;
  long pages = sysconf (_SC_PHYS_PAGES);
  long page_size = sysconf (_SC_PAGESIZE);

  fleet_concurrency_params_init (&params, plan->parallelism);
  if (plan->pacing != NULL)
    {
      params.adaptive = !plan->pacing->fixed;
      if (plan->pacing->initial > 0)
        params.initial = plan->pacing->initial;
      if (plan->pacing->min > 0)
        params.min = plan->pacing->min;
    }

  pacer->concurrency = fleet_concurrency_new (&params, now_us);
  pacer->admission = fleet_admission_new (plan->pacing, plan->hosts);
  pacer->memory_budget_bytes = pages > 0 && page_size > 0 ? (gint64) pages * page_size / 2
                                                          : G_MAXINT64;
  pacer->sample_cpu = TRUE;
  pacer->cpu_sample_started_us = g_get_monotonic_time ();
  pacer->cpu_sample_started_cpu_us = thread_cpu_us ();
  pacer->last_now_us = now_us;
  return pacer;
}

void
fleet_pacer_free (FleetPacer *pacer)
{
  if (pacer == NULL)
    return;

  fleet_concurrency_free (pacer->concurrency);
  fleet_admission_free (pacer->admission);
  g_free (pacer);
}

FleetCongestion
fleet_congestion_from_failure (FleetFailure failure)
{
  switch (failure)
    {
    case FLEET_FAILURE_CONNECTION_TIMEOUT:
    case FLEET_FAILURE_COMMAND_TIMEOUT:
      return FLEET_CONGESTION_TIMEOUT;

    case FLEET_FAILURE_CONNECTION_FAILED:
    case FLEET_FAILURE_CONNECTION_LOST:
    case FLEET_FAILURE_CHANNEL:
      return FLEET_CONGESTION_CONNECTION;

    default:
      return FLEET_CONGESTION_NONE;
    }
}

gint
fleet_pacer_pick (const FleetPacer *pacer, const GPtrArray *waiting, guint busy)
{
  if (waiting->len == 0 || busy >= fleet_concurrency_limit (pacer->concurrency))
    return -1;

  return fleet_admission_pick (pacer->admission, waiting);
}

static void
update_connecting (FleetPacer *pacer)
{
  fleet_concurrency_set_connecting (pacer->concurrency, pacer->last_now_us, pacer->connecting,
                                    pacer->busy);
}

void
fleet_pacer_host_started (FleetPacer *pacer, const FleetHost *host)
{
  fleet_admission_start (pacer->admission, host);
  pacer->busy++;
  update_connecting (pacer);
}

void
fleet_pacer_host_finished (FleetPacer *pacer, const FleetHost *host)
{
  fleet_admission_finish (pacer->admission, host);
  if (pacer->busy > 0)
    pacer->busy--;
  update_connecting (pacer);
}

void
fleet_pacer_connection_started (FleetPacer *pacer, gint64 now_us)
{
  pacer->last_now_us = now_us;
  pacer->connecting++;
  update_connecting (pacer);
}

void
fleet_pacer_report (FleetPacer *pacer, gint64 now_us, guint step, gint64 duration_us,
                    FleetFailure failure)
{
  pacer->last_now_us = now_us;
  if (step == FLEET_CONCURRENCY_CONNECT_KEY && pacer->connecting > 0)
    {
      pacer->connecting--;
      update_connecting (pacer);
    }
  fleet_concurrency_report (pacer->concurrency, now_us, step, duration_us,
                            failure == FLEET_FAILURE_NONE,
                            fleet_congestion_from_failure (failure));
}

static guint64
open_descriptors (void)
{
  DIR *dir = opendir ("/proc/self/fd");
  guint64 count = 0;

  if (dir == NULL)
    return 0;
  while (readdir (dir) != NULL)
    count++;
  closedir (dir);
  return count > 2 ? count - 2 : 0;  /* "." and ".." */
}

static gint64
resident_bytes (void)
{
  FILE *statm = fopen ("/proc/self/statm", "r");
  long size = 0, resident = 0;

  if (statm == NULL)
    return 0;
  if (fscanf (statm, "%ld %ld", &size, &resident) != 2)
    resident = 0;
  fclose (statm);
  return (gint64) resident * sysconf (_SC_PAGESIZE);
}

/* CPU use is compared with real time, not the run's clock, which a
 * simulated fleet moves faster than real time. */
void
fleet_pacer_sweep (FleetPacer *pacer, gint64 now_us)
{
  struct rlimit limit;
  gint64 real_now_us = g_get_monotonic_time ();
  gint64 wall = real_now_us - pacer->cpu_sample_started_us;

  pacer->last_now_us = now_us;
  if (getrlimit (RLIMIT_NOFILE, &limit) == 0 && limit.rlim_cur != RLIM_INFINITY
      && open_descriptors () > limit.rlim_cur * DESCRIPTOR_PRESSURE)
    {
      fleet_concurrency_pressure (pacer->concurrency, now_us, FLEET_PRESSURE_DESCRIPTORS);
      return;
    }

  if (resident_bytes () > pacer->memory_budget_bytes)
    {
      fleet_concurrency_pressure (pacer->concurrency, now_us, FLEET_PRESSURE_MEMORY);
      return;
    }

  if (pacer->sample_cpu && wall >= CPU_SAMPLE_US)
    {
      gint64 cpu = thread_cpu_us ();

      if (cpu - pacer->cpu_sample_started_cpu_us > wall * CPU_PRESSURE)
        fleet_concurrency_pressure (pacer->concurrency, now_us, FLEET_PRESSURE_CPU);
      pacer->cpu_sample_started_us = real_now_us;
      pacer->cpu_sample_started_cpu_us = cpu;
    }
}

void
fleet_pacer_set_cpu_sampling (FleetPacer *pacer, gboolean sample_cpu)
{
  pacer->sample_cpu = sample_cpu;
}

guint
fleet_pacer_limit (const FleetPacer *pacer)
{
  return fleet_concurrency_limit (pacer->concurrency);
}

const GArray *
fleet_pacer_history (const FleetPacer *pacer)
{
  return fleet_concurrency_history (pacer->concurrency);
}

gboolean
fleet_pacer_is_adaptive (const FleetPacer *pacer)
{
  return fleet_concurrency_adaptive (pacer->concurrency);
}
