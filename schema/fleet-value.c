/* fleet-value.c: conversions, equality and text forms of expression values. */
#include "schema/fleet-value.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "schema/fleet-diagnostics.h"

/* Strings in messages are cut after this many characters. */
#define DESCRIBE_MAX_CHARS 60

gboolean
fleet_number_syntax_is_valid (const char *text, gsize length)
{
  gsize i = 0;
  gsize digits_start;

  if (i < length && text[i] == '-')
    i++;

  digits_start = i;
  while (i < length && g_ascii_isdigit (text[i]))
    i++;
  if (i == digits_start)
    return FALSE;

  if (i < length && text[i] == '.')
    {
      gsize fraction_start = ++i;

      while (i < length && g_ascii_isdigit (text[i]))
        i++;
      if (i == fraction_start)
        return FALSE;
    }

  return i == length;
}

gboolean
fleet_value_to_number (const FleetValue *value, double *out)
{
  double number;

  if (value->type == FLEET_VALUE_NUMBER)
    {
      *out = value->number;
      return TRUE;
    }

  if (value->type != FLEET_VALUE_STRING
      || !fleet_number_syntax_is_valid (value->string, strlen (value->string)))
    return FALSE;

  /* The syntax check leaves no room for a locale's decimal comma, hex or
   * exponents, so g_ascii_strtod reads exactly the digits that were checked. */
  number = g_ascii_strtod (value->string, NULL);
  if (isinf (number))
    return FALSE;

  *out = number;
  return TRUE;
}

gboolean
fleet_value_to_boolean (const FleetValue *value, gboolean *out)
{
  static const char *const true_spellings[] = { "true", "True", "TRUE" };
  static const char *const false_spellings[] = { "false", "False", "FALSE" };

  if (value->type == FLEET_VALUE_BOOLEAN)
    {
      *out = value->boolean != FALSE;
      return TRUE;
    }

  if (value->type != FLEET_VALUE_STRING)
    return FALSE;

  for (guint i = 0; i < G_N_ELEMENTS (true_spellings); i++)
    {
      if (strcmp (value->string, true_spellings[i]) == 0)
        {
          *out = TRUE;
          return TRUE;
        }
      if (strcmp (value->string, false_spellings[i]) == 0)
        {
          *out = FALSE;
          return TRUE;
        }
    }
  return FALSE;
}

static gboolean
lists_equal (const FleetValue *a, const FleetValue *b, guint nesting, gboolean *out_equal);

static gboolean
values_equal (const FleetValue *a, const FleetValue *b, guint nesting, gboolean *out_equal)
{
  const FleetValue *string_side;
  const FleetValue *other_side;

  if (a->type == b->type)
    {
      switch (a->type)
        {
        case FLEET_VALUE_STRING:
          *out_equal = strcmp (a->string, b->string) == 0;
          return TRUE;
        case FLEET_VALUE_NUMBER:
          *out_equal = a->number == b->number;
          return TRUE;
        case FLEET_VALUE_BOOLEAN:
          *out_equal = (a->boolean != FALSE) == (b->boolean != FALSE);
          return TRUE;
        case FLEET_VALUE_LIST:
          return lists_equal (a, b, nesting, out_equal);
        }
      g_return_val_if_reached (FALSE);
    }

  /* Of the mixed pairs only a string against a number or a boolean
   * converts, and only when the string's text is such a value. */
  if (a->type == FLEET_VALUE_STRING)
    {
      string_side = a;
      other_side = b;
    }
  else if (b->type == FLEET_VALUE_STRING)
    {
      string_side = b;
      other_side = a;
    }
  else
    return FALSE;

  if (other_side->type == FLEET_VALUE_NUMBER)
    {
      double number;

      if (!fleet_value_to_number (string_side, &number))
        return FALSE;
      *out_equal = number == other_side->number;
      return TRUE;
    }

  if (other_side->type == FLEET_VALUE_BOOLEAN)
    {
      gboolean boolean;

      if (!fleet_value_to_boolean (string_side, &boolean))
        return FALSE;
      *out_equal = boolean == (other_side->boolean != FALSE);
      return TRUE;
    }

  return FALSE;
}

/* Every item pair is checked, even after a difference, so whether two lists
 * can be compared does not depend on where they first differ. */
static gboolean
lists_equal (const FleetValue *a, const FleetValue *b, guint nesting, gboolean *out_equal)
{
  gboolean all_equal = TRUE;

  if (nesting >= FLEET_VALUE_MAX_NESTING)
    return FALSE;

  if (a->list.length != b->list.length)
    {
      *out_equal = FALSE;
      return TRUE;
    }

  for (gsize i = 0; i < a->list.length; i++)
    {
      gboolean item_equal;

      if (!values_equal (&a->list.items[i], &b->list.items[i], nesting + 1, &item_equal))
        return FALSE;
      all_equal = all_equal && item_equal;
    }

  *out_equal = all_equal;
  return TRUE;
}

gboolean
fleet_value_equal (const FleetValue *a, const FleetValue *b, gboolean *out_equal)
{
  gboolean equal;

  if (!values_equal (a, b, 0, &equal))
    return FALSE;

  *out_equal = equal;
  return TRUE;
}

void
fleet_number_append (GString *out, double number)
{
  char buffer[G_ASCII_DTOSTR_BUF_SIZE];
  char digits[32];
  gsize n_digits = 0;
  const char *p;
  int exponent;
  int precision;

  if (isnan (number))
    {
      g_string_append (out, "nan");
      return;
    }
  if (isinf (number))
    {
      g_string_append (out, number > 0 ? "inf" : "-inf");
      return;
    }
  if (number == 0)
    {
      g_string_append_c (out, '0');
      return;
    }

  /* Find the shortest scientific form that reads back as the same double;
   * 17 significant digits always do. */
  for (precision = 0; precision < 17; precision++)
    {
      char format[8];

      g_snprintf (format, sizeof format, "%%.%de", precision);
      g_ascii_formatd (buffer, sizeof buffer, format, number);
      if (g_ascii_strtod (buffer, NULL) == number)
        break;
    }

  /* Split "-d.ddde+XX" into its digits and decimal exponent, then lay the
   * digits out in positional notation so the text needs no exponent syntax. */
  p = buffer;
  if (*p == '-')
    {
      g_string_append_c (out, '-');
      p++;
    }
  for (; *p != 'e'; p++)
    if (g_ascii_isdigit (*p))
      digits[n_digits++] = *p;
  exponent = atoi (p + 1);

  while (n_digits > 1 && digits[n_digits - 1] == '0')
    n_digits--;

  if (exponent < 0)
    {
      g_string_append (out, "0.");
      for (int i = -1; i > exponent; i--)
        g_string_append_c (out, '0');
      g_string_append_len (out, digits, n_digits);
      return;
    }

  for (int i = 0; i <= exponent; i++)
    g_string_append_c (out, (gsize) i < n_digits ? digits[i] : '0');
  if (n_digits > (gsize) exponent + 1)
    {
      g_string_append_c (out, '.');
      g_string_append_len (out, digits + exponent + 1, n_digits - exponent - 1);
    }
}

static void
append_quoted_string (GString *out, const char *string)
{
  g_string_append_c (out, '"');
  for (const char *p = string; *p != '\0'; p++)
    {
      if (*p == '"' || *p == '\\')
        {
          g_string_append_c (out, '\\');
          g_string_append_c (out, *p);
        }
      else if (*p == '\n')
        g_string_append (out, "\\n");
      else if (*p == '\t')
        g_string_append (out, "\\t");
      else
        g_string_append_c (out, *p);
    }
  g_string_append_c (out, '"');
}

void
fleet_value_append_literal (GString *out, const FleetValue *value)
{
  switch (value->type)
    {
    case FLEET_VALUE_STRING:
      append_quoted_string (out, value->string);
      return;
    case FLEET_VALUE_NUMBER:
      fleet_number_append (out, value->number);
      return;
    case FLEET_VALUE_BOOLEAN:
      g_string_append (out, value->boolean ? "true" : "false");
      return;
    case FLEET_VALUE_LIST:
      g_string_append_c (out, '[');
      for (gsize i = 0; i < value->list.length; i++)
        {
          if (i > 0)
            g_string_append (out, ", ");
          fleet_value_append_literal (out, &value->list.items[i]);
        }
      g_string_append_c (out, ']');
      return;
    }
  g_return_if_reached ();
}

char *
fleet_value_describe (const FleetValue *value)
{
  GString *out = g_string_new (NULL);

  switch (value->type)
    {
    case FLEET_VALUE_STRING:
      {
        g_autofree char *quoted = fleet_quote_value (value->string, DESCRIBE_MAX_CHARS);

        g_string_append_printf (out, "the string %s", quoted);
        break;
      }
    case FLEET_VALUE_NUMBER:
      g_string_append (out, "the number ");
      fleet_number_append (out, value->number);
      break;
    case FLEET_VALUE_BOOLEAN:
      g_string_append_printf (out, "the boolean %s", value->boolean ? "true" : "false");
      break;
    case FLEET_VALUE_LIST:
      g_string_append_printf (out, "a list of %" G_GSIZE_FORMAT " item%s", value->list.length,
                              value->list.length == 1 ? "" : "s");
      break;
    }
  return g_string_free (out, FALSE);
}
