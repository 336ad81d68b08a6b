/* fleet-value.h: the values that expressions compare (strings, numbers,
 * booleans and lists) and the rules for comparing them.
 *
 * A FleetValue borrows its data: `string` and `list.items` point into memory
 * that the code filling the value owns and keeps alive while the value is in
 * use.  The constructors below copy nothing.
 *
 * Comparison rules, shared by every operator of the expression language:
 * - Two strings are equal when their bytes are equal.
 * - A string counts as a number where a number is expected when its whole
 *   text is a decimal number: an optional '-', digits, and an optional '.'
 *   followed by digits ("16", "-2", "0.5", "007").  " 16", "+1", "1e3",
 *   "0x10", "1." and ".5" are not numbers.
 * - A string counts as a boolean where a boolean is expected when it is
 *   true, True, TRUE, false, False or FALSE (the spellings YAML files use).
 * - Numbers are IEEE 754 doubles: integers up to 2^53 are exact.
 * - Lists are equal when they have the same length and equal items.
 * - Any other pair of types cannot be compared, which is a type error.
 */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

typedef enum {
  FLEET_VALUE_STRING,
  FLEET_VALUE_NUMBER,
  FLEET_VALUE_BOOLEAN,
  FLEET_VALUE_LIST,
} FleetValueType;

typedef struct FleetValue FleetValue;

struct FleetValue {
  FleetValueType type;
  union {
    const char *string;          /* NUL-terminated; never NULL */
    double number;               /* finite */
    gboolean boolean;
    struct {
      const FleetValue *items;   /* NULL only when length is 0 */
      gsize length;
    } list;
  };
};

/* Lists nested deeper than this cannot be compared. */
#define FLEET_VALUE_MAX_NESTING 64

static inline FleetValue
fleet_value_string (const char *string)
{
  return (FleetValue) { .type = FLEET_VALUE_STRING, .string = string };
}

static inline FleetValue
fleet_value_number (double number)
{
  return (FleetValue) { .type = FLEET_VALUE_NUMBER, .number = number };
}

static inline FleetValue
fleet_value_boolean (gboolean boolean)
{
  return (FleetValue) { .type = FLEET_VALUE_BOOLEAN, .boolean = boolean != FALSE };
}

static inline FleetValue
fleet_value_list (const FleetValue *items, gsize length)
{
  return (FleetValue) { .type = FLEET_VALUE_LIST, .list = { items, length } };
}

/* Return whether the `length` bytes at `text` are a decimal number in the
 * syntax described above (the range is not checked). */
gboolean fleet_number_syntax_is_valid (const char *text, gsize length);

/* Store the number that `value` is or contains in `out`: a number, or a
 * string whose text is a decimal number within the range of a double.
 * Return FALSE, leaving `out` unset, for anything else. */
gboolean fleet_value_to_number (const FleetValue *value, double *out);

/* Store the boolean that `value` is or spells in `out`; return FALSE,
 * leaving `out` unset, for anything else. */
gboolean fleet_value_to_boolean (const FleetValue *value, gboolean *out);

/* Compare `a` and `b` by the rules above and store whether they are equal in
 * `out_equal`.  Return FALSE when they cannot be compared: different types
 * that no rule converts, or lists that contain such a pair at any position
 * or nest deeper than FLEET_VALUE_MAX_NESTING. */
gboolean fleet_value_equal (const FleetValue *a, const FleetValue *b, gboolean *out_equal);

/* Append `number` in plain decimal notation (no exponent) with the fewest
 * digits that read back as the same double, e.g. "16", "-0.5", "0.1".
 * Negative zero prints as "0"; infinities and NaN as "inf", "-inf", "nan". */
void fleet_number_append (GString *out, double number);

/* Append `value` in expression syntax: strings in double quotes with \" \\
 * \n and \t escaped, numbers as fleet_number_append, lists as
 * [item, item].  Other bytes are copied unchanged, so the text is only as
 * safe to print as the value. */
void fleet_value_append_literal (GString *out, const FleetValue *value);

/* Return a description of `value` for messages, such as `the string "dc1"`,
 * `the number 16`, `the boolean true` or `a list of 3 items`.  Strings are
 * escaped and shortened with fleet_quote_value.  Free with g_free. */
char *fleet_value_describe (const FleetValue *value);

G_END_DECLS
