/* fleet-sim.c: the simulated fleet of fleet-sim.h. */
#include "tests/fleet-sim.h"

#include <errno.h>

#include <gio/gio.h>

#include "runtime/fleet-pacer.h"

typedef struct {
  gint64 time_us;
  guint host;
  guint64 order;               /* ties end in start order */
} Event;

typedef struct {
  guint next_unit;             /* 0: connect; 1..steps: steps */
  gint64 unit_started_us;
} SimHost;

static gint
compare_events (gconstpointer a, gconstpointer b, gpointer user_data)
{
  const Event *x = a, *y = b;

  if (x->time_us != y->time_us)
    return x->time_us < y->time_us ? -1 : 1;
  return x->order < y->order ? -1 : x->order > y->order;
}

FleetPlan *
fleet_sim_plan_new (const FleetSimParams *params, guint parallelism, FleetPacing *pacing)
{
  FleetPlan *plan = fleet_plan_new ();
  FleetWave *wave = g_new0 (FleetWave, 1);

  plan->parallelism = parallelism;
  plan->pacing = pacing;
  wave->host_indices = g_array_new (FALSE, FALSE, sizeof (guint32));
  for (guint i = 0; i < params->hosts; i++)
    {
      g_autofree char *name = g_strdup_printf ("sim%05u", i);
      FleetHost *host = fleet_host_new (name);

      if (params->cap_values > 0)
        g_hash_table_insert (host->attributes, g_strdup ("dc"),
                             g_strdup_printf ("dc%u", i % params->cap_values));
      g_ptr_array_add (plan->hosts, host);
      g_array_append_val (wave->host_indices, i);
    }
  g_ptr_array_add (plan->waves, wave);
  return plan;
}

/* The duration of the next unit of `host` with `busy` hosts busy. */
static gint64
unit_duration (const FleetSimParams *params, GRand *rand, guint host, guint unit, guint busy)
{
  double base = unit == 0 ? params->connect_us : params->step_us;
  double duration = base * (1.0 + params->jitter * g_rand_double (rand));

  if (params->slow_every > 0 && host % params->slow_every == 0)
    duration += params->slow_extra_us;
  if (params->capacity > 0 && busy > params->capacity)
    duration *= (double) busy / params->capacity;
  return (gint64) duration;
}

void
fleet_sim_run (const FleetSimParams *params, const FleetPlan *plan, FleetSimResult *out)
{
  g_autoptr (FleetPacer) pacer = fleet_pacer_new (plan, 0);
  g_autoptr (GRand) rand = g_rand_new_with_seed (params->seed);
  g_autoptr (GSequence) events = g_sequence_new (g_free);
  g_autoptr (GPtrArray) waiting = g_ptr_array_new ();
  g_autoptr (GHashTable) busy_by_value = g_hash_table_new (g_str_hash, g_str_equal);
  g_autofree SimHost *hosts = g_new0 (SimHost, params->hosts);
  guint64 order = 0;
  guint busy = 0;
  gint64 now = 0;

  *out = (FleetSimResult) { 0 };
  for (guint i = 0; i < plan->hosts->len; i++)
    g_ptr_array_add (waiting, g_ptr_array_index (plan->hosts, i));

  for (;;)
    {
      gint pick;
      GSequenceIter *first;
      Event *event;
      SimHost *sim;
      const FleetHost *host;
      const char *value;
      gboolean timed_out;
      double failure_rate;
      guint index;

      while ((pick = fleet_pacer_pick (pacer, waiting, busy)) >= 0)
        {
          Event *start = g_new0 (Event, 1);

          host = g_ptr_array_steal_index (waiting, pick);
          index = (guint) g_ascii_strtoull (host->name + 3, NULL, 10);
          fleet_pacer_host_started (pacer, host);
          busy++;
          value = g_hash_table_lookup (host->attributes, "dc");
          if (value != NULL)
            {
              guint count = GPOINTER_TO_UINT (g_hash_table_lookup (busy_by_value, value)) + 1;

              g_hash_table_insert (busy_by_value, (gpointer) value, GUINT_TO_POINTER (count));
              out->peak_busy_per_value = MAX (out->peak_busy_per_value, count);
            }
          out->peak_busy = MAX (out->peak_busy, busy);

          hosts[index].unit_started_us = now;
          *start = (Event) { now + unit_duration (params, rand, index, 0, busy), index, order++ };
          g_sequence_insert_sorted (events, start, compare_events, NULL);
        }

      first = g_sequence_get_begin_iter (events);
      if (g_sequence_iter_is_end (first))
        break;

      event = g_sequence_get (first);
      now = event->time_us;
      index = event->host;
      sim = &hosts[index];
      host = g_ptr_array_index (plan->hosts, index);

      failure_rate = out->hosts_finished >= params->spike_from
                     && out->hosts_finished < params->spike_to
                     ? params->spike_failure_rate : params->failure_rate;
      timed_out = sim->next_unit > 0 && g_rand_double (rand) < failure_rate;
      fleet_pacer_report (pacer, now, sim->next_unit == 0 ? G_MAXUINT : sim->next_unit - 1,
                          now - sim->unit_started_us,
                          timed_out ? FLEET_FAILURE_COMMAND_TIMEOUT : FLEET_FAILURE_NONE);
      g_sequence_remove (first);

      sim->next_unit++;
      if (timed_out || sim->next_unit > params->steps)
        {
          fleet_pacer_host_finished (pacer, host);
          busy--;
          value = g_hash_table_lookup (host->attributes, "dc");
          if (value != NULL)
            {
              guint count = GPOINTER_TO_UINT (g_hash_table_lookup (busy_by_value, value));

              g_hash_table_insert (busy_by_value, (gpointer) value, GUINT_TO_POINTER (count - 1));
            }
          out->hosts_finished++;
          out->hosts_timed_out += timed_out;
          if (out->hosts_finished == params->spike_from)
            out->limit_before_spike = fleet_pacer_limit (pacer);
          if (out->hosts_finished == params->spike_to)
            out->limit_at_spike_end = fleet_pacer_limit (pacer);
          continue;
        }

      {
        Event *next = g_new0 (Event, 1);

        sim->unit_started_us = now;
        *next = (Event) { now + unit_duration (params, rand, index, sim->next_unit, busy),
                          index, order++ };
        g_sequence_insert_sorted (events, next, compare_events, NULL);
      }
    }

  out->makespan_us = now;
  out->final_limit = fleet_pacer_limit (pacer);
  for (guint i = 0; i < fleet_pacer_history (pacer)->len; i++)
    {
      const FleetConcurrencyChange *change = &g_array_index (fleet_pacer_history (pacer),
                                                             FleetConcurrencyChange, i);

      out->peak_limit = MAX (out->peak_limit, change->limit);
      out->decreases += change->cause != FLEET_CONGESTION_NONE;
    }
}

void
fleet_sim_plan_add_steps (FleetPlan *plan, guint steps, guint64 timeout_ms)
{
  for (guint i = 0; i < steps; i++)
    {
      g_autofree char *name = g_strdup_printf ("step %u", i + 1);
      FleetStep *step = fleet_step_new (name, "true");

      step->timeout_ms = timeout_ms;
      g_ptr_array_add (plan->steps, step);
    }
}

static void
observe_host_started (const FleetHost *host, gpointer data)
{
  FleetSimObserved *observed = data;
  const char *value = g_hash_table_lookup (host->attributes, "dc");

  observed->started++;
  observed->busy++;
  observed->peak_busy = MAX (observed->peak_busy, observed->busy);
  if (value != NULL)
    {
      guint count = GPOINTER_TO_UINT (g_hash_table_lookup (observed->busy_by_value, value)) + 1;

      g_hash_table_insert (observed->busy_by_value, (gpointer) value, GUINT_TO_POINTER (count));
      observed->peak_busy_per_value = MAX (observed->peak_busy_per_value, count);
    }
}

static void
observe_host_finished (const FleetHostResult *result, gpointer data)
{
  FleetSimObserved *observed = data;
  const char *value = g_hash_table_lookup (result->host->attributes, "dc");

  observed->finished++;
  observed->busy--;
  if (value != NULL)
    {
      guint count = GPOINTER_TO_UINT (g_hash_table_lookup (observed->busy_by_value, value));

      g_hash_table_insert (observed->busy_by_value, (gpointer) value, GUINT_TO_POINTER (count - 1));
    }
}

FleetRunResult *
fleet_sim_execute (const FleetPlan *plan, FleetSimTransport *sim, const char *run_dir,
                   FleetSimObserved *observed)
{
  g_autoptr (GHashTable) busy_by_value = g_hash_table_new (g_str_hash, g_str_equal);
  FleetRunObserver observer = {
    .host_started = observe_host_started,
    .host_finished = observe_host_finished,
    .data = observed,
  };
  FleetRunOptions options = {
    .run_id = "sim-run",
    .run_dir = run_dir,
    .clock = fleet_sim_transport_get_clock (sim),
    .observer = &observer,
    .transport = fleet_sim_transport_get_transport (sim),
  };
  g_autoptr (GError) error = NULL;
  FleetRunResult *result;

  *observed = (FleetSimObserved) { .busy_by_value = busy_by_value };
  result = fleet_execute_plan (plan, &options, &error);
  g_assert_no_error (error);
  observed->busy_by_value = NULL;
  return result;
}

/* Runs go to /dev/shm when it exists: the simulation measures the
 * controller's scheduling, and on a disk the journal's fdatasync calls
 * would dominate it. */
char *
fleet_sim_make_run_dir (void)
{
  const char *parent = g_file_test ("/dev/shm", G_FILE_TEST_IS_DIR) ? "/dev/shm" : g_get_tmp_dir ();
  char *run_dir = g_build_filename (parent, "fleet-sim-XXXXXX", NULL);

  if (g_mkdtemp (run_dir) == NULL)
    g_error ("cannot create a run directory in %s: %s", parent, g_strerror (errno));
  return run_dir;
}

static void
remove_tree (GFile *file)
{
  g_autoptr (GFileEnumerator) children = g_file_enumerate_children (
    file, G_FILE_ATTRIBUTE_STANDARD_NAME "," G_FILE_ATTRIBUTE_STANDARD_TYPE, G_FILE_QUERY_INFO_NOFOLLOW_SYMLINKS, NULL, NULL);
  GFileInfo *info;

  while (children != NULL
         && (info = g_file_enumerator_next_file (children, NULL, NULL)) != NULL)
    {
      g_autoptr (GFile) child = g_file_get_child (file, g_file_info_get_name (info));

      if (g_file_info_get_file_type (info) == G_FILE_TYPE_DIRECTORY)
        remove_tree (child);
      else
        g_file_delete (child, NULL, NULL);
      g_object_unref (info);
    }
  g_file_delete (file, NULL, NULL);
}

void
fleet_sim_remove_run_dir (const char *run_dir)
{
  g_autoptr (GFile) file = g_file_new_for_path (run_dir);

  remove_tree (file);
}
