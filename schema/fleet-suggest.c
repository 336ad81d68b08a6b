/* fleet-suggest.c: the closest known name to a misspelt one. */
#include "schema/fleet-suggest.h"

#include <string.h>

#define MAX_DISTANCE 2
#define MAX_WORD_BYTES 64

/* Return the optimal string alignment distance between `a` and `b`, or
 * MAX_DISTANCE + 1 as soon as it is known to exceed MAX_DISTANCE.  Both
 * strings are at most MAX_WORD_BYTES long. */
static gsize
bounded_edit_distance (const char *a, gsize length_a, const char *b, gsize length_b)
{
  gsize rows[3][MAX_WORD_BYTES + 1];
  gsize *before = rows[0], *previous = rows[1], *current = rows[2];

  for (gsize j = 0; j <= length_b; j++)
    previous[j] = j;

  for (gsize i = 1; i <= length_a; i++)
    {
      gsize row_minimum = current[0] = i;

      for (gsize j = 1; j <= length_b; j++)
        {
          gsize cost = a[i - 1] == b[j - 1] ? 0 : 1;
          gsize best = MIN (MIN (previous[j] + 1, current[j - 1] + 1), previous[j - 1] + cost);

          if (i > 1 && j > 1 && a[i - 1] == b[j - 2] && a[i - 2] == b[j - 1])
            best = MIN (best, before[j - 2] + 1);

          current[j] = best;
          row_minimum = MIN (row_minimum, best);
        }

      if (row_minimum > MAX_DISTANCE)
        return MAX_DISTANCE + 1;

      gsize *recycled = before;
      before = previous;
      previous = current;
      current = recycled;
    }

  return previous[length_b];
}

const char *
fleet_suggest_name (const char *word, const char * const *candidates, gsize n_candidates)
{
  gsize length = strlen (word);
  gsize best_distance = MIN (MAX_DISTANCE, length > 0 ? length - 1 : 0);
  const char *best = NULL;

  if (length > MAX_WORD_BYTES)
    return NULL;

  for (gsize i = 0; i < n_candidates; i++)
    {
      gsize candidate_length = strlen (candidates[i]);
      gsize distance;

      if (candidate_length > MAX_WORD_BYTES
          || MAX (candidate_length, length) - MIN (candidate_length, length) > best_distance)
        continue;

      distance = bounded_edit_distance (word, length, candidates[i], candidate_length);
      if (distance <= best_distance && (best == NULL || distance < best_distance))
        {
          best = candidates[i];
          best_distance = distance;
        }
    }

  return best;
}
