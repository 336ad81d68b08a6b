/* fleet-expr-set.c: membership index of a literal list, so that `in` over a
 * list of thousands of items costs one hash or binary search per host.
 *
 * Literal lists have items of one type, which keeps the index exact.  A
 * string list becomes a hash set of its strings.  When every item is a
 * number written as text, the index also keeps the sorted numbers, and when
 * every item spells a boolean, the booleans.  A value that cannot be compared
 * with some item is reported as incomparable, as a scan with
 * fleet_value_equal would report it.
 */
#include "schema/fleet-expr-private.h"

#include <math.h>
#include <stdlib.h>

struct FleetExprSet {
  FleetValueType item_type;
  gsize length;
  GHashTable *strings;         /* STRING lists: set of borrowed item strings */
  double *numbers;             /* sorted; NULL unless every item converts to a number */
  gboolean has_false;          /* valid when every item converts to a boolean */
  gboolean has_true;
  gboolean booleans_valid;
};

static int
compare_doubles (const void *a, const void *b)
{
  double x = *(const double *) a;
  double y = *(const double *) b;

  return (x > y) - (x < y);
}

FleetExprSet *
fleet_expr_set_new (const FleetValue *list)
{
  FleetExprSet *set = g_new0 (FleetExprSet, 1);
  gboolean all_numbers = TRUE;
  gboolean all_booleans = TRUE;

  g_return_val_if_fail (list->type == FLEET_VALUE_LIST, set);

  set->length = list->list.length;
  if (set->length == 0)
    return set;

  set->item_type = list->list.items[0].type;
  if (set->item_type == FLEET_VALUE_STRING)
    set->strings = g_hash_table_new (g_str_hash, g_str_equal);
  set->numbers = g_new (double, set->length);

  for (gsize i = 0; i < set->length; i++)
    {
      const FleetValue *item = &list->list.items[i];
      gboolean boolean;

      g_return_val_if_fail (item->type == set->item_type, set);

      if (set->strings != NULL)
        g_hash_table_add (set->strings, (gpointer) item->string);

      if (all_numbers && !fleet_value_to_number (item, &set->numbers[i]))
        all_numbers = FALSE;

      if (all_booleans && fleet_value_to_boolean (item, &boolean))
        {
          set->has_true = set->has_true || boolean;
          set->has_false = set->has_false || !boolean;
        }
      else
        all_booleans = FALSE;
    }

  if (all_numbers)
    qsort (set->numbers, set->length, sizeof (double), compare_doubles);
  else
    g_clear_pointer (&set->numbers, g_free);
  set->booleans_valid = all_booleans;
  return set;
}

void
fleet_expr_set_free (FleetExprSet *set)
{
  if (set == NULL)
    return;

  if (set->strings != NULL)
    g_hash_table_unref (set->strings);
  g_free (set->numbers);
  g_free (set);
}

static gboolean
contains_number (const FleetExprSet *set, double number, gboolean *out_found)
{
  if (set->numbers == NULL)
    return FALSE;

  /* NaN compares equal to nothing, but compare_doubles would call it equal
   * to whatever item the search lands on. */
  *out_found = !isnan (number)
               && bsearch (&number, set->numbers, set->length, sizeof (double),
                           compare_doubles) != NULL;
  return TRUE;
}

static gboolean
contains_boolean (const FleetExprSet *set, gboolean boolean, gboolean *out_found)
{
  if (!set->booleans_valid)
    return FALSE;

  *out_found = boolean ? set->has_true : set->has_false;
  return TRUE;
}

gboolean
fleet_expr_set_contains (const FleetExprSet *set, const FleetValue *value, gboolean *out_found)
{
  double number;
  gboolean boolean;

  if (set->length == 0)
    {
      *out_found = FALSE;
      return TRUE;
    }

  switch (value->type)
    {
    case FLEET_VALUE_STRING:
      if (set->item_type == FLEET_VALUE_STRING)
        {
          *out_found = g_hash_table_contains (set->strings, value->string);
          return TRUE;
        }
      if (set->item_type == FLEET_VALUE_NUMBER)
        return fleet_value_to_number (value, &number)
               && contains_number (set, number, out_found);
      return fleet_value_to_boolean (value, &boolean)
             && contains_boolean (set, boolean, out_found);

    case FLEET_VALUE_NUMBER:
      return set->item_type != FLEET_VALUE_BOOLEAN
             && contains_number (set, value->number, out_found);

    case FLEET_VALUE_BOOLEAN:
      return set->item_type != FLEET_VALUE_NUMBER
             && contains_boolean (set, value->boolean != FALSE, out_found);

    case FLEET_VALUE_LIST:
      return FALSE;
    }
  g_return_val_if_reached (FALSE);
}
