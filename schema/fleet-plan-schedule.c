/* fleet-plan-schedule.c: a plan's windows and schedule, and their form in
 * the plan body. */
#include "schema/fleet-plan-schedule.h"

#include "schema/fleet-clock.h"

static const char *const at_window_end_names[] = { "finish", "abort" };

G_DEFINE_QUARK (fleet-plan-schedule-error-quark, fleet_plan_schedule_error)

FleetPlanSchedule *
fleet_plan_schedule_new (void)
{
  FleetPlanSchedule *schedule = g_new0 (FleetPlanSchedule, 1);

  schedule->step_estimates_ms = g_array_new (FALSE, TRUE, sizeof (guint64));
  schedule->step_estimate_sources = g_ptr_array_new_with_free_func (g_free);
  schedule->window_set_names = g_ptr_array_new_with_free_func (g_free);
  schedule->window_set_zones = g_ptr_array_new_with_free_func (g_free);
  schedule->window_sets = g_ptr_array_new_with_free_func ((GDestroyNotify) g_array_unref);
  schedule->window_set_freezes = g_ptr_array_new_with_free_func ((GDestroyNotify) g_array_unref);
  schedule->host_window_set = g_array_new (FALSE, TRUE, sizeof (guint32));
  schedule->host_starts_us = g_array_new (FALSE, TRUE, sizeof (gint64));
  schedule->waves = g_array_new (FALSE, TRUE, sizeof (FleetWaveSchedule));
  return schedule;
}

void
fleet_plan_schedule_free (FleetPlanSchedule *schedule)
{
  if (schedule == NULL)
    return;
  g_array_unref (schedule->step_estimates_ms);
  g_ptr_array_unref (schedule->step_estimate_sources);
  g_ptr_array_unref (schedule->window_set_names);
  g_ptr_array_unref (schedule->window_set_zones);
  g_ptr_array_unref (schedule->window_sets);
  g_ptr_array_unref (schedule->window_set_freezes);
  g_array_unref (schedule->host_window_set);
  g_array_unref (schedule->host_starts_us);
  g_array_unref (schedule->waves);
  g_free (schedule);
}

const char *
fleet_at_window_end_to_string (FleetAtWindowEnd value)
{
  g_return_val_if_fail (value < G_N_ELEMENTS (at_window_end_names), NULL);
  return at_window_end_names[value];
}

gboolean
fleet_at_window_end_from_string (const char *text, FleetAtWindowEnd *out_value)
{
  for (guint i = 0; i < G_N_ELEMENTS (at_window_end_names); i++)
    if (g_str_equal (text, at_window_end_names[i]))
      {
        *out_value = (FleetAtWindowEnd) i;
        return TRUE;
      }
  return FALSE;
}

guint
fleet_plan_schedule_add_window_set (FleetPlanSchedule *schedule,
                                    const char *name,
                                    const char *zone,
                                    GArray *windows)
{
  g_ptr_array_add (schedule->window_set_names, g_strdup (name));
  g_ptr_array_add (schedule->window_set_zones, g_strdup (zone));
  g_ptr_array_add (schedule->window_sets, windows);
  return schedule->window_sets->len - 1;
}

const GArray *
fleet_plan_schedule_host_windows (const FleetPlanSchedule *schedule, guint host_index)
{
  g_return_val_if_fail (host_index < schedule->host_window_set->len, NULL);
  return g_ptr_array_index (schedule->window_sets,
                            g_array_index (schedule->host_window_set, guint32, host_index));
}

const char *
fleet_plan_schedule_host_window_name (const FleetPlanSchedule *schedule, guint host_index)
{
  g_return_val_if_fail (host_index < schedule->host_window_set->len, NULL);
  return g_ptr_array_index (schedule->window_set_names,
                            g_array_index (schedule->host_window_set, guint32, host_index));
}

gint64
fleet_plan_schedule_last_window_end (const FleetPlanSchedule *schedule)
{
  gint64 last = schedule->from_us;

  for (guint i = 0; i < schedule->window_sets->len; i++)
    {
      const GArray *windows = g_ptr_array_index (schedule->window_sets, i);

      if (windows->len > 0)
        last = MAX (last, g_array_index (windows, FleetWindowInterval, windows->len - 1).end_us);
    }
  return last;
}

gboolean
fleet_plan_schedule_check_expiry (const FleetPlanSchedule *schedule, gint64 now_us, GError **error)
{
  gint64 last_end = fleet_plan_schedule_last_window_end (schedule);
  g_autofree char *last_text = NULL;
  g_autofree char *to_text = NULL;

  if (now_us < last_end)
    return TRUE;

  last_text = fleet_format_utc_seconds (last_end / G_USEC_PER_SEC);
  to_text = fleet_format_utc_seconds (schedule->to_us / G_USEC_PER_SEC);
  g_set_error (error, FLEET_PLAN_SCHEDULE_ERROR, FLEET_PLAN_SCHEDULE_ERROR_EXPIRED,
               "every maintenance window of the plan has passed: the last one ended at %s "
               "(the plan knows windows up to %s); compile the workflow again to plan "
               "into later windows", last_text, to_text);
  return FALSE;
}

static GVariant *
windows_to_variant (const GArray *windows)
{
  GVariantBuilder builder;

  g_variant_builder_init (&builder, G_VARIANT_TYPE ("a(xx)"));
  for (guint i = 0; i < windows->len; i++)
    {
      const FleetWindowInterval *interval = &g_array_index (windows, FleetWindowInterval, i);

      g_variant_builder_add (&builder, "(xx)", interval->start_us, interval->end_us);
    }
  return g_variant_builder_end (&builder);
}

static GVariant *
window_sets_to_variant (const FleetPlanSchedule *schedule)
{
  GVariantBuilder builder;

  g_variant_builder_init (&builder, G_VARIANT_TYPE ("a(ssa(xx))"));
  for (guint i = 0; i < schedule->window_sets->len; i++)
    g_variant_builder_add (&builder, "(ss@a(xx))",
                           (const char *) g_ptr_array_index (schedule->window_set_names, i),
                           (const char *) g_ptr_array_index (schedule->window_set_zones, i),
                           windows_to_variant (g_ptr_array_index (schedule->window_sets, i)));
  return g_variant_builder_end (&builder);
}

static GVariant *
waves_to_variant (const GArray *waves)
{
  GVariantBuilder builder;

  g_variant_builder_init (&builder, G_VARIANT_TYPE ("a(xxx)"));
  for (guint i = 0; i < waves->len; i++)
    {
      const FleetWaveSchedule *wave = &g_array_index (waves, FleetWaveSchedule, i);

      g_variant_builder_add (&builder, "(xxx)", wave->start_us, wave->latest_start_us,
                             wave->end_us);
    }
  return g_variant_builder_end (&builder);
}

static GVariant *
fixed_array (const GVariantType *element, const GArray *array, gsize element_size)
{
  return g_variant_new_fixed_array (element, array->data, array->len, element_size);
}

GVariant *
fleet_plan_schedule_to_variant (const FleetPlanSchedule *schedule)
{
  GVariantBuilder builder;

  g_variant_builder_init (&builder, G_VARIANT_TYPE ("a{sv}"));
  g_variant_builder_add (&builder, "{sv}", "from", g_variant_new_int64 (schedule->from_us));
  g_variant_builder_add (&builder, "{sv}", "to", g_variant_new_int64 (schedule->to_us));
  g_variant_builder_add (&builder, "{sv}", "margin-ms", g_variant_new_uint64 (schedule->margin_ms));
  g_variant_builder_add (&builder, "{sv}", "at-window-end",
                         g_variant_new_string (fleet_at_window_end_to_string (schedule->at_window_end)));
  g_variant_builder_add (&builder, "{sv}", "step-estimates-ms",
                         fixed_array (G_VARIANT_TYPE_UINT64, schedule->step_estimates_ms,
                                      sizeof (guint64)));
  g_variant_builder_add (&builder, "{sv}", "step-estimate-sources",
                         g_variant_new_strv ((const char * const *) schedule->step_estimate_sources->pdata,
                                             schedule->step_estimate_sources->len));
  g_variant_builder_add (&builder, "{sv}", "window-sets", window_sets_to_variant (schedule));
  if (schedule->window_set_freezes->len > 0)
    g_variant_builder_add (&builder, "{sv}", "window-set-freezes",
                           fleet_plan_freezes_to_variant (schedule->window_set_freezes));
  g_variant_builder_add (&builder, "{sv}", "host-window-set",
                         fixed_array (G_VARIANT_TYPE_UINT32, schedule->host_window_set,
                                      sizeof (guint32)));
  g_variant_builder_add (&builder, "{sv}", "host-starts",
                         fixed_array (G_VARIANT_TYPE_INT64, schedule->host_starts_us,
                                      sizeof (gint64)));
  g_variant_builder_add (&builder, "{sv}", "waves", waves_to_variant (schedule->waves));
  g_variant_builder_add (&builder, "{sv}", "finish", g_variant_new_int64 (schedule->finish_us));
  g_variant_builder_add (&builder, "{sv}", "lower-bound",
                         g_variant_new_int64 (schedule->lower_bound_us));
  return g_variant_builder_end (&builder);
}

/* Reading */

static gboolean
lookup (GVariant *dict, const char *key, const char *type, GVariant **out, GError **error)
{
  *out = g_variant_lookup_value (dict, key, G_VARIANT_TYPE (type));
  if (*out != NULL)
    return TRUE;

  g_set_error (error, FLEET_PLAN_SCHEDULE_ERROR, FLEET_PLAN_SCHEDULE_ERROR_INVALID,
               "plan schedule key \"%s\" is missing or not of type %s", key, type);
  return FALSE;
}

static gboolean
check_count (const char *key, gsize found, guint expected, GError **error)
{
  if (found == expected)
    return TRUE;

  g_set_error (error, FLEET_PLAN_SCHEDULE_ERROR, FLEET_PLAN_SCHEDULE_ERROR_INVALID,
               "plan schedule key \"%s\" has %" G_GSIZE_FORMAT " entries, but the plan "
               "has %u", key, found, expected);
  return FALSE;
}

/* Read one window set and check that it is normalized, since fleet-run
 * searches it by bisection. */
static GArray *
windows_from_variant (const char *name, GVariant *array, GError **error)
{
  g_autoptr(GArray) windows = fleet_window_list_new ();
  gsize n = g_variant_n_children (array);

  for (gsize i = 0; i < n; i++)
    {
      FleetWindowInterval interval = { .source = FLEET_WINDOW_NO_SOURCE };

      g_variant_get_child (array, i, "(xx)", &interval.start_us, &interval.end_us);
      if (interval.end_us <= interval.start_us
          || (i > 0 && interval.start_us
                         <= g_array_index (windows, FleetWindowInterval, i - 1).end_us))
        {
          g_set_error (error, FLEET_PLAN_SCHEDULE_ERROR, FLEET_PLAN_SCHEDULE_ERROR_INVALID,
                       "plan windows of \"%s\" are not sorted, separate intervals "
                       "(interval %" G_GSIZE_FORMAT ")", name, i + 1);
          return NULL;
        }
      g_array_append_val (windows, interval);
    }
  return g_steal_pointer (&windows);
}

static gboolean
read_window_sets (GVariant *array, FleetPlanSchedule *schedule, GError **error)
{
  gsize n = g_variant_n_children (array);

  for (gsize i = 0; i < n; i++)
    {
      g_autoptr(GVariant) windows = NULL;
      const char *name = NULL;
      const char *zone = NULL;
      GArray *list;

      g_variant_get_child (array, i, "(&s&s@a(xx))", &name, &zone, &windows);
      list = windows_from_variant (name, windows, error);
      if (list == NULL)
        return FALSE;
      fleet_plan_schedule_add_window_set (schedule, name, zone, list);
    }
  return TRUE;
}

static void
append_fixed (GArray *to, GVariant *array, gsize element_size)
{
  gsize n = 0;
  gconstpointer data = g_variant_get_fixed_array (array, &n, element_size);

  g_array_append_vals (to, data, n);
}

static gboolean
read_host_window_sets (GVariant *array, FleetPlanSchedule *schedule, guint n_hosts, GError **error)
{
  append_fixed (schedule->host_window_set, array, sizeof (guint32));
  if (!check_count ("host-window-set", schedule->host_window_set->len, n_hosts, error))
    return FALSE;

  for (guint i = 0; i < schedule->host_window_set->len; i++)
    if (g_array_index (schedule->host_window_set, guint32, i) >= schedule->window_sets->len)
      {
        g_set_error (error, FLEET_PLAN_SCHEDULE_ERROR, FLEET_PLAN_SCHEDULE_ERROR_INVALID,
                     "plan host %u names window set %u, but the plan has %u", i + 1,
                     g_array_index (schedule->host_window_set, guint32, i) + 1,
                     schedule->window_sets->len);
        return FALSE;
      }
  return TRUE;
}

static void
read_waves (GVariant *array, FleetPlanSchedule *schedule)
{
  gsize n = g_variant_n_children (array);

  for (gsize i = 0; i < n; i++)
    {
      FleetWaveSchedule wave;

      g_variant_get_child (array, i, "(xxx)", &wave.start_us, &wave.latest_start_us, &wave.end_us);
      g_array_append_val (schedule->waves, wave);
    }
}

FleetPlanSchedule *
fleet_plan_schedule_from_variant (GVariant *dict,
                                  guint n_hosts,
                                  guint n_steps,
                                  guint n_waves,
                                  GError **error)
{
  g_autoptr(FleetPlanSchedule) schedule = fleet_plan_schedule_new ();
  g_autoptr(GVariant) from = NULL, to = NULL, margin = NULL, at_end = NULL;
  g_autoptr(GVariant) estimates = NULL, sources = NULL, window_sets = NULL;
  g_autoptr(GVariant) host_sets = NULL, host_starts = NULL, waves = NULL;
  g_autoptr(GVariant) finish = NULL, lower_bound = NULL, freezes = NULL;
  g_autofree const char **source_strings = NULL;
  gsize n_sources = 0;

  if (!lookup (dict, "from", "x", &from, error)
      || !lookup (dict, "to", "x", &to, error)
      || !lookup (dict, "margin-ms", "t", &margin, error)
      || !lookup (dict, "at-window-end", "s", &at_end, error)
      || !lookup (dict, "step-estimates-ms", "at", &estimates, error)
      || !lookup (dict, "step-estimate-sources", "as", &sources, error)
      || !lookup (dict, "window-sets", "a(ssa(xx))", &window_sets, error)
      || !lookup (dict, "host-window-set", "au", &host_sets, error)
      || !lookup (dict, "host-starts", "ax", &host_starts, error)
      || !lookup (dict, "waves", "a(xxx)", &waves, error)
      || !lookup (dict, "finish", "x", &finish, error)
      || !lookup (dict, "lower-bound", "x", &lower_bound, error))
    return NULL;

  schedule->from_us = g_variant_get_int64 (from);
  schedule->to_us = g_variant_get_int64 (to);
  schedule->margin_ms = g_variant_get_uint64 (margin);
  schedule->finish_us = g_variant_get_int64 (finish);
  schedule->lower_bound_us = g_variant_get_int64 (lower_bound);
  if (!fleet_at_window_end_from_string (g_variant_get_string (at_end, NULL),
                                        &schedule->at_window_end))
    {
      g_set_error (error, FLEET_PLAN_SCHEDULE_ERROR, FLEET_PLAN_SCHEDULE_ERROR_INVALID,
                   "plan schedule at-window-end \"%s\" is neither finish nor abort",
                   g_variant_get_string (at_end, NULL));
      return NULL;
    }

  append_fixed (schedule->step_estimates_ms, estimates, sizeof (guint64));
  source_strings = g_variant_get_strv (sources, &n_sources);
  for (gsize i = 0; i < n_sources; i++)
    g_ptr_array_add (schedule->step_estimate_sources, g_strdup (source_strings[i]));
  append_fixed (schedule->host_starts_us, host_starts, sizeof (gint64));
  read_waves (waves, schedule);

  if (!check_count ("step-estimates-ms", schedule->step_estimates_ms->len, n_steps, error)
      || !check_count ("step-estimate-sources", n_sources, n_steps, error)
      || !check_count ("host-starts", schedule->host_starts_us->len, n_hosts, error)
      || !check_count ("waves", schedule->waves->len, n_waves, error)
      || !read_window_sets (window_sets, schedule, error)
      || !read_host_window_sets (host_sets, schedule, n_hosts, error))
    return NULL;

  /* Optional: plans from before it name no freezes. */
  freezes = g_variant_lookup_value (dict, "window-set-freezes", G_VARIANT_TYPE ("aa(sxx)"));
  if (freezes != NULL
      && !fleet_plan_freezes_from_variant (freezes, schedule->window_sets->len,
                                           schedule->window_set_freezes, error))
    return NULL;

  return g_steal_pointer (&schedule);
}
