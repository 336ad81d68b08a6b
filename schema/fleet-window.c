/* fleet-window.c: interval list algebra and queries. */
#include "schema/fleet-window.h"

GArray *
fleet_window_list_new (void)
{
  return g_array_new (FALSE, FALSE, sizeof (FleetWindowInterval));
}

void
fleet_window_list_append (GArray *list, gint64 start_us, gint64 end_us, guint source)
{
  FleetWindowInterval interval = { .start_us = start_us, .end_us = end_us, .source = source };

  if (end_us > start_us)
    g_array_append_val (list, interval);
}

static gint
compare_intervals (gconstpointer a, gconstpointer b)
{
  const FleetWindowInterval *left = a;
  const FleetWindowInterval *right = b;

  if (left->start_us != right->start_us)
    return left->start_us < right->start_us ? -1 : 1;
  if (left->end_us != right->end_us)
    return left->end_us > right->end_us ? -1 : 1;
  return (left->source > right->source) - (left->source < right->source);
}

void
fleet_window_list_normalize (GArray *list)
{
  FleetWindowInterval *items = (FleetWindowInterval *) list->data;
  guint kept = 0;

  if (list->len == 0)
    return;

  g_array_sort (list, compare_intervals);
  for (guint i = 1; i < list->len; i++)
    {
      if (items[i].start_us <= items[kept].end_us)
        items[kept].end_us = MAX (items[kept].end_us, items[i].end_us);
      else
        items[++kept] = items[i];
    }

  g_array_set_size (list, kept + 1);
}

static GArray *
copy_list (const GArray *list)
{
  GArray *copy = fleet_window_list_new ();

  g_array_append_vals (copy, list->data, list->len);
  return copy;
}

GArray *
fleet_window_list_union (const GArray *a, const GArray *b)
{
  GArray *result = copy_list (a);

  if (b != NULL)
    g_array_append_vals (result, b->data, b->len);
  fleet_window_list_normalize (result);
  return result;
}

GArray *
fleet_window_list_subtract (const GArray *windows, const GArray *freezes)
{
  g_autoptr (GArray) sorted = copy_list (windows);
  g_autoptr (GArray) cuts = copy_list (freezes);
  GArray *result = fleet_window_list_new ();
  guint next_cut = 0;

  fleet_window_list_normalize (sorted);
  fleet_window_list_normalize (cuts);
  for (guint i = 0; i < sorted->len; i++)
    {
      const FleetWindowInterval *window = &g_array_index (sorted, FleetWindowInterval, i);
      gint64 start = window->start_us;

      /* Windows are sorted, so cuts that end before this window end before
       * every later one too. */
      while (next_cut < cuts->len
             && g_array_index (cuts, FleetWindowInterval, next_cut).end_us <= start)
        next_cut++;

      for (guint c = next_cut; c < cuts->len && start < window->end_us; c++)
        {
          const FleetWindowInterval *cut = &g_array_index (cuts, FleetWindowInterval, c);

          if (cut->start_us >= window->end_us)
            break;
          fleet_window_list_append (result, start, MIN (cut->start_us, window->end_us),
                                    window->source);
          start = MAX (start, cut->end_us);
        }

      fleet_window_list_append (result, start, window->end_us, window->source);
    }

  fleet_window_list_normalize (result);
  return result;
}

GArray *
fleet_window_list_clip (const GArray *list, gint64 from_us, gint64 to_us)
{
  GArray *result = fleet_window_list_new ();

  for (guint i = 0; i < list->len; i++)
    {
      const FleetWindowInterval *interval = &g_array_index (list, FleetWindowInterval, i);

      fleet_window_list_append (result, MAX (interval->start_us, from_us),
                                MIN (interval->end_us, to_us), interval->source);
    }

  fleet_window_list_normalize (result);
  return result;
}

gint64
fleet_window_list_total_us (const GArray *list)
{
  gint64 total = 0;

  for (guint i = 0; i < list->len; i++)
    total += g_array_index (list, FleetWindowInterval, i).end_us
             - g_array_index (list, FleetWindowInterval, i).start_us;

  return total;
}

/* Return the index of the first interval that ends after `at_us`, or the
 * list's length when none does. */
static guint
first_ending_after (const GArray *list, gint64 at_us)
{
  guint low = 0;
  guint high = list->len;

  while (low < high)
    {
      guint middle = low + (high - low) / 2;

      if (g_array_index (list, FleetWindowInterval, middle).end_us <= at_us)
        low = middle + 1;
      else
        high = middle;
    }

  return low;
}

gboolean
fleet_window_list_allows (const GArray *list, gint64 at_us, gint64 min_left_us, gint64 *out_end_us)
{
  guint index = first_ending_after (list, at_us);
  const FleetWindowInterval *interval;

  if (index == list->len)
    return FALSE;

  interval = &g_array_index (list, FleetWindowInterval, index);
  if (interval->start_us > at_us || interval->end_us - at_us < MAX (min_left_us, 1))
    return FALSE;

  if (out_end_us != NULL)
    *out_end_us = interval->end_us;
  return TRUE;
}

gboolean
fleet_window_list_next_start (const GArray *list,
                              gint64 at_us,
                              gint64 min_left_us,
                              gint64 *out_start_us)
{
  if (fleet_window_list_allows (list, at_us, min_left_us, NULL))
    {
      *out_start_us = at_us;
      return TRUE;
    }

  for (guint i = first_ending_after (list, at_us); i < list->len; i++)
    {
      const FleetWindowInterval *interval = &g_array_index (list, FleetWindowInterval, i);

      if (interval->start_us > at_us && interval->end_us - interval->start_us >= min_left_us)
        {
          *out_start_us = interval->start_us;
          return TRUE;
        }
    }

  return FALSE;
}
