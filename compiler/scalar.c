/* scalar.c: strict conversion of YAML scalars to typed values. */
#include "compiler/scalar.h"

#include <string.h>

#define SECOND_MS G_GUINT64_CONSTANT (1000)

typedef struct {
  const char *suffix;
  guint64 ms;
} DurationUnit;

/* Largest first: the units of one duration must appear in this order. */
static const DurationUnit duration_units[] = {
  { "d", 24 * 3600 * SECOND_MS },
  { "h", 3600 * SECOND_MS },
  { "m", 60 * SECOND_MS },
  { "s", SECOND_MS },
  { "ms", 1 },
};

#define DURATION_HELP "use whole seconds (30) or numbers with units d, h, m, s, ms (1h30m, 500ms)"

static char *
quote (const FleetYamlNode *node)
{
  return fleet_quote_value (node->value, FLEET_QUOTE_MAX_CHARS);
}

/* Check that `node` is a scalar, reporting "expected <expected>" if not. */
static gboolean
expect_scalar (FleetDiagnostics *diags,
               const FleetSchemaField *field,
               const FleetYamlNode *node,
               const char *expected)
{
  if (node->kind == FLEET_YAML_SCALAR)
    return TRUE;

  fleet_diagnostics_error (diags, &node->pos, "invalid value for \"%s\": expected %s, found %s",
                           field->key, expected, fleet_yaml_kind_description (node->kind));
  return FALSE;
}

/* Check that a typed value is written plain, because quotes make it a
 * string in YAML.  With `json_string_allowed`, a JSON string is accepted
 * too, for types that JSON can only write as strings. */
static gboolean
expect_plain (FleetDiagnostics *diags,
              const FleetSchemaField *field,
              const FleetYamlNode *node,
              const char *type,
              gboolean json_string_allowed)
{
  g_autofree char *quoted = NULL;

  if (node->plain || (json_string_allowed && node->json_string))
    return TRUE;

  quoted = quote (node);
  fleet_diagnostics_error (diags, &node->pos, "invalid %s %s for \"%s\": write it without quotes",
                           type, quoted, field->key);
  return FALSE;
}

/* Parse the digits at the start of `text` as an unsigned decimal number,
 * saturating at G_MAXUINT64.  Returns the number of digits read. */
static gsize
parse_digits (const char *text, guint64 *out)
{
  guint64 value = 0;
  gsize n = 0;

  for (; g_ascii_isdigit (text[n]); n++)
    {
      guint digit = (guint) (text[n] - '0');

      if (value > (G_MAXUINT64 - digit) / 10)
        value = G_MAXUINT64;
      else
        value = value * 10 + digit;
    }

  *out = value;
  return n;
}

/* Parse `text` as a whole decimal number without sign or leading zeros.
 * Returns FALSE and sets `leading_zero` when only the zeros are wrong. */
static gboolean
parse_decimal (const char *text, guint64 *out, gboolean *leading_zero)
{
  gsize n = parse_digits (text, out);

  *leading_zero = FALSE;
  if (n == 0 || text[n] != '\0')
    return FALSE;

  if (text[0] == '0' && n > 1)
    {
      *leading_zero = TRUE;
      return FALSE;
    }

  return TRUE;
}

gboolean
fleet_scalar_to_string (FleetDiagnostics *diags,
                        const FleetSchemaField *field,
                        const FleetYamlNode *node,
                        char **out)
{
  g_autofree char *quoted = NULL;

  if (!expect_scalar (diags, field, node, "a string"))
    return FALSE;

  if (fleet_yaml_node_is_null (node))
    {
      fleet_diagnostics_error (diags, &node->pos, "missing value for \"%s\"", field->key);
      return FALSE;
    }

  if ((gint64) node->length < field->min)
    {
      quoted = quote (node);
      fleet_diagnostics_error (diags, &node->pos, "invalid value %s for \"%s\": it must not be empty",
                               quoted, field->key);
      return FALSE;
    }

  if ((gint64) node->length > field->max)
    {
      fleet_diagnostics_error (diags, &node->pos,
                               "value for \"%s\" is too long: %" G_GSIZE_FORMAT
                               " bytes, the maximum is %" G_GINT64_FORMAT,
                               field->key, node->length, field->max);
      return FALSE;
    }

  *out = g_strndup (node->value, node->length);
  return TRUE;
}

const char *
fleet_name_problem (const char *name)
{
  if (name[0] == '-')
    return "it must not start with '-'";

  for (const char *p = name; *p != '\0'; p = g_utf8_next_char (p))
    {
      gunichar c = g_utf8_get_char (p);

      if (g_unichar_isspace (c))
        return "it must not contain whitespace";
      if (!g_unichar_isprint (c))
        return "it must not contain control characters";
    }

  return NULL;
}

gboolean
fleet_scalar_to_name (FleetDiagnostics *diags,
                      const FleetSchemaField *field,
                      const FleetYamlNode *node,
                      char **out)
{
  g_autofree char *name = NULL;
  g_autofree char *quoted = NULL;
  const char *problem;

  if (!expect_scalar (diags, field, node, "a name"))
    return FALSE;

  /* Mapping keys such as host names reach here without the walk's null
   * check, so `null` or `~` written as a key is caught here. */
  if (fleet_yaml_node_is_null (node) && node->length > 0)
    {
      quoted = quote (node);
      fleet_diagnostics_error (diags, &node->pos,
                               "invalid name %s in \"%s\": it is a YAML null; quote it to use it "
                               "as a name",
                               quoted, field->key);
      return FALSE;
    }

  if (!fleet_scalar_to_string (diags, field, node, &name))
    return FALSE;

  problem = fleet_name_problem (name);
  if (problem != NULL)
    {
      quoted = quote (node);
      fleet_diagnostics_error (diags, &node->pos, "invalid name %s in \"%s\": %s",
                               quoted, field->key, problem);
      return FALSE;
    }

  *out = g_steal_pointer (&name);
  return TRUE;
}

gboolean
fleet_scalar_to_secret_name (FleetDiagnostics *diags,
                             const FleetSchemaField *field,
                             const FleetYamlNode *node,
                             char **out)
{
  g_autofree char *name = NULL;
  g_autofree char *quoted = NULL;

  if (!expect_scalar (diags, field, node, "a secret name")
      || !fleet_scalar_to_string (diags, field, node, &name))
    return FALSE;

  for (const char *p = name; *p != '\0'; p++)
    if (!g_ascii_isalnum (*p) && *p != '.' && *p != '_' && *p != '-')
      {
        quoted = quote (node);
        fleet_diagnostics_error (diags, &node->pos,
                                 "invalid secret name %s in \"%s\": use only letters, digits, "
                                 "'.', '_' and '-'; write the name of the secret, never its value",
                                 quoted, field->key);
        return FALSE;
      }

  *out = g_steal_pointer (&name);
  return TRUE;
}

gboolean
fleet_scalar_to_bool (FleetDiagnostics *diags,
                      const FleetSchemaField *field,
                      const FleetYamlNode *node,
                      gboolean *out)
{
  static const char * const true_words[] = { "true", "True", "TRUE" };
  static const char * const false_words[] = { "false", "False", "FALSE" };
  g_autofree char *quoted = NULL;

  if (!expect_scalar (diags, field, node, "true or false")
      || !expect_plain (diags, field, node, "boolean", FALSE))
    return FALSE;

  for (gsize i = 0; i < G_N_ELEMENTS (true_words); i++)
    {
      if (strcmp (node->value, true_words[i]) == 0)
        {
          *out = TRUE;
          return TRUE;
        }
      if (strcmp (node->value, false_words[i]) == 0)
        {
          *out = FALSE;
          return TRUE;
        }
    }

  quoted = quote (node);
  fleet_diagnostics_error (diags, &node->pos, "invalid boolean %s for \"%s\": use true or false",
                           quoted, field->key);
  return FALSE;
}

gboolean
fleet_scalar_to_int (FleetDiagnostics *diags,
                     const FleetSchemaField *field,
                     const FleetYamlNode *node,
                     gint64 *out)
{
  g_autofree char *quoted = NULL;
  guint64 value;
  gboolean leading_zero;

  if (!expect_scalar (diags, field, node, "an integer")
      || !expect_plain (diags, field, node, "integer", FALSE))
    return FALSE;

  quoted = quote (node);
  if (!parse_decimal (node->value, &value, &leading_zero))
    {
      if (leading_zero)
        fleet_diagnostics_error (diags, &node->pos,
                                 "invalid integer %s for \"%s\": remove the leading zeros, "
                                 "which YAML 1.1 reads as octal",
                                 quoted, field->key);
      else
        fleet_diagnostics_error (diags, &node->pos,
                                 "invalid integer %s for \"%s\": use decimal digits only, "
                                 "for a value from %" G_GINT64_FORMAT " to %" G_GINT64_FORMAT,
                                 quoted, field->key, field->min, field->max);
      return FALSE;
    }

  if (value > (guint64) field->max || (gint64) value < field->min)
    {
      fleet_diagnostics_error (diags, &node->pos,
                               "invalid integer %s for \"%s\": use a value from %" G_GINT64_FORMAT
                               " to %" G_GINT64_FORMAT,
                               quoted, field->key, field->min, field->max);
      return FALSE;
    }

  *out = (gint64) value;
  return TRUE;
}

/* Multiply and add without wrapping: results past G_MAXUINT64 saturate,
 * which is above every bound. */
static guint64
add_scaled (guint64 total, guint64 value, guint64 scale)
{
  guint64 scaled = value > G_MAXUINT64 / scale ? G_MAXUINT64 : value * scale;

  return scaled > G_MAXUINT64 - total ? G_MAXUINT64 : total + scaled;
}

/* Return the index in duration_units of the unit at the start of `text`
 * (the longest that matches), or -1. */
static int
match_unit (const char *text, gsize *length)
{
  int best = -1;

  for (gsize i = 0; i < G_N_ELEMENTS (duration_units); i++)
    {
      gsize n = strlen (duration_units[i].suffix);

      if (strncmp (text, duration_units[i].suffix, n) == 0 && !g_ascii_isalpha (text[n])
          && (best < 0 || n > *length))
        {
          best = (int) i;
          *length = n;
        }
    }

  return best;
}

/* Parse "1h30m" style text into milliseconds.  The units must decrease. */
static gboolean
parse_duration_with_units (const char *text, guint64 *out_ms)
{
  guint64 total = 0;
  int previous_unit = -1;

  if (*text == '\0')
    return FALSE;

  while (*text != '\0')
    {
      guint64 value;
      gsize unit_length = 0;
      gsize digits = parse_digits (text, &value);
      int unit;

      if (digits == 0)
        return FALSE;

      unit = match_unit (text + digits, &unit_length);
      if (unit <= previous_unit)
        return FALSE;

      total = add_scaled (total, value, duration_units[unit].ms);
      previous_unit = unit;
      text += digits + unit_length;
    }

  *out_ms = total;
  return TRUE;
}

gboolean
fleet_parse_duration (const char *text, guint64 *out_ms)
{
  guint64 seconds;
  gboolean leading_zero;

  if (parse_decimal (text, &seconds, &leading_zero))
    {
      *out_ms = add_scaled (0, seconds, SECOND_MS);
      return TRUE;
    }

  return !leading_zero && parse_duration_with_units (text, out_ms);
}

static void
report_duration_range (FleetDiagnostics *diags,
                       const FleetSchemaField *field,
                       const FleetYamlNode *node)
{
  g_autofree char *quoted = quote (node);
  g_autofree char *min = fleet_format_duration ((guint64) field->min);
  g_autofree char *max = fleet_format_duration ((guint64) field->max);

  fleet_diagnostics_error (diags, &node->pos, "invalid duration %s for \"%s\": use a value from %s to %s",
                           quoted, field->key, min, max);
}

gboolean
fleet_scalar_to_duration (FleetDiagnostics *diags,
                          const FleetSchemaField *field,
                          const FleetYamlNode *node,
                          guint64 *out_ms)
{
  g_autofree char *quoted = NULL;
  guint64 seconds;
  guint64 ms;
  gboolean leading_zero;

  if (!expect_scalar (diags, field, node, "a duration")
      || !expect_plain (diags, field, node, "duration", TRUE))
    return FALSE;

  quoted = quote (node);
  if (parse_decimal (node->value, &seconds, &leading_zero))
    ms = add_scaled (0, seconds, SECOND_MS);
  else if (leading_zero || !parse_duration_with_units (node->value, &ms))
    {
      fleet_diagnostics_error (diags, &node->pos, "invalid duration %s for \"%s\": %s",
                               quoted, field->key, DURATION_HELP);
      return FALSE;
    }

  if (ms < (guint64) field->min || ms > (guint64) field->max)
    {
      report_duration_range (diags, field, node);
      return FALSE;
    }

  *out_ms = ms;
  return TRUE;
}

/* Parse "N%" with N from 1 to 100. */
static gboolean
parse_percentage (const char *text, guint *out)
{
  g_autofree char *number = NULL;
  gsize length = strlen (text);
  guint64 value;
  gboolean leading_zero;

  if (length < 2 || text[length - 1] != '%')
    return FALSE;

  number = g_strndup (text, length - 1);
  if (!parse_decimal (number, &value, &leading_zero) || value < 1 || value > 100)
    return FALSE;

  *out = (guint) value;
  return TRUE;
}

gboolean
fleet_scalar_to_batch (FleetDiagnostics *diags,
                       const FleetSchemaField *field,
                       const FleetYamlNode *node,
                       FleetBatch *out)
{
  g_autofree char *quoted = NULL;
  guint64 count;
  guint percent;
  gboolean leading_zero;

  if (!expect_scalar (diags, field, node, "a wave size")
      || !expect_plain (diags, field, node, "wave size", TRUE))
    return FALSE;

  if (parse_percentage (node->value, &percent))
    {
      out->kind = FLEET_BATCH_PERCENT;
      out->value = percent;
      out->pos = node->pos;
      return TRUE;
    }

  if (parse_decimal (node->value, &count, &leading_zero)
      && (gint64) count >= field->min && count <= (guint64) field->max)
    {
      out->kind = FLEET_BATCH_COUNT;
      out->value = (guint) count;
      out->pos = node->pos;
      return TRUE;
    }

  quoted = quote (node);
  if (parse_decimal (node->value, &count, &leading_zero) && count > (guint64) field->max)
    {
      fleet_diagnostics_error (diags, &node->pos,
                               "invalid wave size %s: use a host count of at most %" G_GINT64_FORMAT
                               " or a percentage from 1%% to 100%%",
                               quoted, field->max);
      return FALSE;
    }

  fleet_diagnostics_error (diags, &node->pos,
                           "invalid wave size %s: use a host count of at least %" G_GINT64_FORMAT
                           " or a percentage from 1%% to 100%%",
                           quoted, field->min);
  return FALSE;
}

/* Convert a count, a percentage or, when `unlimited_allowed`, the word
 * unlimited.  `zero_hint` completes the message for 0 and 0%. */
static gboolean
scalar_to_threshold (FleetDiagnostics *diags,
                     const FleetSchemaField *field,
                     const FleetYamlNode *node,
                     gboolean unlimited_allowed,
                     const char *zero_hint,
                     FleetThreshold *out)
{
  g_autofree char *quoted = quote (node);
  const char *forms = unlimited_allowed
                        ? "a host count such as 2, a percentage such as \"25%\", or unlimited"
                        : "a host count such as 2 or a percentage such as \"25%\"";
  guint64 count;
  guint percent;
  gboolean leading_zero;

  if (unlimited_allowed && strcmp (node->value, "unlimited") == 0)
    {
      *out = (FleetThreshold) { FLEET_THRESHOLD_UNLIMITED, 0 };
      return TRUE;
    }

  if (parse_percentage (node->value, &percent))
    {
      *out = (FleetThreshold) { FLEET_THRESHOLD_PERCENT, percent };
      return TRUE;
    }

  if (strcmp (node->value, "0") == 0 || strcmp (node->value, "0%") == 0)
    {
      fleet_diagnostics_error (diags, &node->pos, "invalid value %s for \"%s\": %s", quoted,
                               field->key, zero_hint);
      return FALSE;
    }

  if (!parse_decimal (node->value, &count, &leading_zero))
    {
      fleet_diagnostics_error (diags, &node->pos, "invalid value %s for \"%s\": write %s%s",
                               quoted, field->key, forms,
                               g_str_has_suffix (node->value, "%")
                                 ? "; a percentage is from 1% to 100%" : "");
      return FALSE;
    }

  if (!expect_plain (diags, field, node, "host count", TRUE))
    return FALSE;

  if ((gint64) count < field->min || count > (guint64) field->max)
    {
      fleet_diagnostics_error (diags, &node->pos,
                               "invalid host count %s for \"%s\": use a value from %"
                               G_GINT64_FORMAT " to %" G_GINT64_FORMAT, quoted, field->key,
                               field->min, field->max);
      return FALSE;
    }

  *out = (FleetThreshold) { FLEET_THRESHOLD_COUNT, (guint32) count };
  return TRUE;
}

gboolean
fleet_scalar_to_threshold (FleetDiagnostics *diags,
                           const FleetSchemaField *field,
                           const FleetYamlNode *node,
                           FleetThreshold *out)
{
  if (!expect_scalar (diags, field, node, "a threshold"))
    return FALSE;

  return scalar_to_threshold (diags, field, node, TRUE,
                              "the run halts when the count of hosts reaches the threshold, so 1 "
                              "already halts at the first one; write 1 for that, or unlimited "
                              "to never halt", out);
}

gboolean
fleet_scalar_to_count_or_percent (FleetDiagnostics *diags,
                                  const FleetSchemaField *field,
                                  const FleetYamlNode *node,
                                  FleetThreshold *out)
{
  if (!expect_scalar (diags, field, node, "a host count or percentage"))
    return FALSE;

  return scalar_to_threshold (diags, field, node, FALSE,
                              "every wave must be able to take at least 1 host of each domain; "
                              "write 1 or more, or a percentage", out);
}

/* Check one attribute of a string map, and return whether to keep it. */
static gboolean
check_attribute (FleetDiagnostics *diags,
                 const FleetSchemaField *field,
                 const FleetYamlNode *key,
                 const FleetYamlNode *value)
{
  g_autofree char *quoted = fleet_quote_value (key->value, FLEET_QUOTE_MAX_CHARS);

  if (key->length == 0)
    {
      fleet_diagnostics_error (diags, &key->pos, "attribute name in \"%s\" is empty", field->key);
      return FALSE;
    }

  if (fleet_yaml_node_is_null (key))
    {
      fleet_diagnostics_error (diags, &key->pos,
                               "invalid attribute name %s in \"%s\": it is a YAML null; quote it "
                               "to use it as a name",
                               quoted, field->key);
      return FALSE;
    }

  if (value->kind != FLEET_YAML_SCALAR)
    {
      fleet_diagnostics_error (diags, &value->pos,
                               "invalid value for attribute %s in \"%s\": expected a scalar, found %s",
                               quoted, field->key, fleet_yaml_kind_description (value->kind));
      return FALSE;
    }

  /* Nothing after the colon reads as null in YAML, but the author meant
   * an empty text more often than the word "null". */
  if (fleet_yaml_node_is_null (value) && value->length == 0)
    {
      fleet_diagnostics_error (diags, &value->pos,
                               "attribute %s in \"%s\" has no value; write \"\" for an empty "
                               "value, or remove the attribute",
                               quoted, field->key);
      return FALSE;
    }
  if (fleet_yaml_node_is_null (value))
    {
      g_autofree char *written = fleet_quote_value (value->value, FLEET_QUOTE_MAX_CHARS);

      fleet_diagnostics_error (diags, &value->pos,
                               "attribute %s in \"%s\" is null (%s); quote it to keep %s as "
                               "text, or write \"\" for an empty value",
                               quoted, field->key, value->value, written);
      return FALSE;
    }

  return TRUE;
}

void
fleet_mapping_to_strings (FleetDiagnostics *diags,
                          const FleetSchemaField *field,
                          const FleetYamlNode *mapping,
                          GHashTable *out,
                          GHashTable *positions)
{
  for (guint i = 0; i < mapping->keys->len; i++)
    {
      const FleetYamlNode *key = g_ptr_array_index (mapping->keys, i);
      const FleetYamlNode *value = g_ptr_array_index (mapping->items, i);

      if (!check_attribute (diags, field, key, value))
        continue;

      g_hash_table_replace (out, g_strdup (key->value), g_strdup (value->value));
      if (positions != NULL && !g_hash_table_contains (positions, key->value))
        g_hash_table_insert (positions, g_strdup (key->value), g_memdup2 (&key->pos, sizeof key->pos));
    }
}
