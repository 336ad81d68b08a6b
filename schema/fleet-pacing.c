/* fleet-pacing.c: the pacing settings and their plan form; see
 * fleet-pacing.h. */
#include "schema/fleet-pacing.h"

#include "schema/fleet-plan.h"
#include "schema/fleet-template.h"

static void
cap_rule_free (FleetCapRule *rule)
{
  g_free (rule->attribute);
  g_free (rule);
}

FleetPacing *
fleet_pacing_new (void)
{
  FleetPacing *pacing = g_new0 (FleetPacing, 1);

  pacing->caps = g_ptr_array_new_with_free_func ((GDestroyNotify) cap_rule_free);
  pacing->defer_ms = FLEET_PACING_DEFAULT_DEFER_MS;
  pacing->max_wait_ms = FLEET_PACING_DEFAULT_MAX_WAIT_MS;
  pacing->nice = FLEET_PACING_NO_NICE;
  return pacing;
}

void
fleet_pacing_free (FleetPacing *pacing)
{
  if (pacing == NULL)
    return;

  g_ptr_array_unref (pacing->caps);
  g_free (pacing->max_load);
  g_free (pacing->guard_command);
  g_free (pacing->ionice);
  g_free (pacing);
}

gboolean
fleet_pacing_has_guard (const FleetPacing *pacing)
{
  return pacing->max_load != NULL || pacing->guard_command != NULL;
}

gboolean
fleet_pacing_is_default (const FleetPacing *pacing)
{
  return !pacing->fixed && pacing->initial == 0 && pacing->min == 0 && pacing->caps->len == 0
         && !fleet_pacing_has_guard (pacing) && pacing->nice == FLEET_PACING_NO_NICE
         && pacing->ionice == NULL;
}

void
fleet_pacing_add_cap (FleetPacing *pacing, const char *attribute, guint32 limit)
{
  FleetCapRule *rule = g_new0 (FleetCapRule, 1);

  rule->attribute = g_strdup (attribute);
  rule->limit = limit;
  g_ptr_array_add (pacing->caps, rule);
}

char *
fleet_pacing_wrap_command (const FleetPacing *pacing, const char *command_line)
{
  g_autoptr (GString) wrapped = NULL;
  g_autofree char *quoted = NULL;

  if (pacing == NULL || (pacing->nice == FLEET_PACING_NO_NICE && pacing->ionice == NULL))
    return g_strdup (command_line);

  wrapped = g_string_new (NULL);
  if (pacing->nice != FLEET_PACING_NO_NICE)
    g_string_append_printf (wrapped, "nice -n %d ", pacing->nice);
  if (pacing->ionice != NULL)
    g_string_append_printf (wrapped, "ionice -c %s ",
                            g_str_equal (pacing->ionice, "idle") ? "3" : "2");
  quoted = fleet_shell_quote (command_line);
  g_string_append_printf (wrapped, "sh -c %s", quoted);
  return g_string_free (g_steal_pointer (&wrapped), FALSE);
}

GVariant *
fleet_pacing_to_variant (const FleetPacing *pacing)
{
  GVariantBuilder builder;
  GVariantBuilder caps;

  g_variant_builder_init (&caps, G_VARIANT_TYPE ("a(su)"));
  for (guint i = 0; i < pacing->caps->len; i++)
    {
      const FleetCapRule *rule = g_ptr_array_index (pacing->caps, i);

      g_variant_builder_add (&caps, "(su)", rule->attribute, rule->limit);
    }

  g_variant_builder_init (&builder, G_VARIANT_TYPE ("a{sv}"));
  g_variant_builder_add (&builder, "{sv}", "fixed", g_variant_new_boolean (pacing->fixed));
  g_variant_builder_add (&builder, "{sv}", "initial", g_variant_new_uint32 (pacing->initial));
  g_variant_builder_add (&builder, "{sv}", "min", g_variant_new_uint32 (pacing->min));
  g_variant_builder_add (&builder, "{sv}", "caps", g_variant_builder_end (&caps));
  if (pacing->max_load != NULL)
    g_variant_builder_add (&builder, "{sv}", "max-load", g_variant_new_string (pacing->max_load));
  if (pacing->guard_command != NULL)
    g_variant_builder_add (&builder, "{sv}", "guard-command",
                           g_variant_new_string (pacing->guard_command));
  g_variant_builder_add (&builder, "{sv}", "defer-ms", g_variant_new_uint64 (pacing->defer_ms));
  g_variant_builder_add (&builder, "{sv}", "max-wait-ms",
                         g_variant_new_uint64 (pacing->max_wait_ms));
  g_variant_builder_add (&builder, "{sv}", "nice", g_variant_new_int32 (pacing->nice));
  if (pacing->ionice != NULL)
    g_variant_builder_add (&builder, "{sv}", "ionice", g_variant_new_string (pacing->ionice));
  return g_variant_builder_end (&builder);
}

static gboolean
lookup (GVariant *dict, const char *key, const char *type, GVariant **out, GError **error)
{
  *out = g_variant_lookup_value (dict, key, G_VARIANT_TYPE (type));
  if (*out != NULL)
    return TRUE;

  g_set_error (error, FLEET_PLAN_ERROR, FLEET_PLAN_ERROR_INVALID,
               "pacing settings lack the field \"%s\" of type %s", key, type);
  return FALSE;
}

static char *
lookup_optional_string (GVariant *dict, const char *key)
{
  g_autoptr (GVariant) value = g_variant_lookup_value (dict, key, G_VARIANT_TYPE_STRING);

  return value != NULL ? g_variant_dup_string (value, NULL) : NULL;
}

FleetPacing *
fleet_pacing_from_variant (GVariant *dict, GError **error)
{
  g_autoptr (FleetPacing) pacing = fleet_pacing_new ();
  g_autoptr (GVariant) fixed = NULL, initial = NULL, min = NULL, caps = NULL;
  g_autoptr (GVariant) defer_ms = NULL, max_wait_ms = NULL, nice = NULL;
  GVariantIter iter;
  const char *attribute;
  guint32 limit;

  if (!lookup (dict, "fixed", "b", &fixed, error)
      || !lookup (dict, "initial", "u", &initial, error)
      || !lookup (dict, "min", "u", &min, error)
      || !lookup (dict, "caps", "a(su)", &caps, error)
      || !lookup (dict, "defer-ms", "t", &defer_ms, error)
      || !lookup (dict, "max-wait-ms", "t", &max_wait_ms, error)
      || !lookup (dict, "nice", "i", &nice, error))
    return NULL;

  pacing->fixed = g_variant_get_boolean (fixed);
  pacing->initial = g_variant_get_uint32 (initial);
  pacing->min = g_variant_get_uint32 (min);
  pacing->defer_ms = g_variant_get_uint64 (defer_ms);
  pacing->max_wait_ms = g_variant_get_uint64 (max_wait_ms);
  pacing->nice = g_variant_get_int32 (nice);
  pacing->max_load = lookup_optional_string (dict, "max-load");
  pacing->guard_command = lookup_optional_string (dict, "guard-command");
  pacing->ionice = lookup_optional_string (dict, "ionice");

  g_variant_iter_init (&iter, caps);
  while (g_variant_iter_next (&iter, "(&su)", &attribute, &limit))
    {
      if (limit == 0)
        {
          g_set_error (error, FLEET_PLAN_ERROR, FLEET_PLAN_ERROR_INVALID,
                       "pacing cap for \"%s\" is 0", attribute);
          return NULL;
        }
      fleet_pacing_add_cap (pacing, attribute, limit);
    }

  if ((pacing->nice != FLEET_PACING_NO_NICE && (pacing->nice < -20 || pacing->nice > 19))
      || (pacing->ionice != NULL && !g_str_equal (pacing->ionice, "idle")
          && !g_str_equal (pacing->ionice, "best-effort"))
      || (pacing->max_load != NULL && g_ascii_strtod (pacing->max_load, NULL) <= 0.0))
    {
      g_set_error (error, FLEET_PLAN_ERROR, FLEET_PLAN_ERROR_INVALID,
                   "pacing settings hold an invalid nice, ionice or max-load value");
      return NULL;
    }

  return g_steal_pointer (&pacing);
}
