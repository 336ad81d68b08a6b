/* fleet-step-policy.c: per-step settings, their shell prologue and plan keys. */
#include "schema/fleet-step-policy.h"

#include "schema/fleet-model.h"
#include "schema/fleet-plan.h"
#include "schema/fleet-template.h"

FleetStepPolicy *
fleet_step_policy_new (void)
{
  FleetStepPolicy *policy = g_new0 (FleetStepPolicy, 1);

  policy->retry_delay_ms = FLEET_DEFAULT_RETRY_DELAY_MS;
  return policy;
}

static GHashTable *
copy_strings (GHashTable *table)
{
  GHashTable *copy = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, g_free);
  GHashTableIter iter;
  gpointer key, value;

  g_hash_table_iter_init (&iter, table);
  while (g_hash_table_iter_next (&iter, &key, &value))
    g_hash_table_insert (copy, g_strdup (key), g_strdup (value));
  return copy;
}

FleetStepPolicy *
fleet_step_policy_copy (const FleetStepPolicy *policy)
{
  FleetStepPolicy *copy = fleet_step_policy_new ();

  copy->retries = policy->retries;
  copy->retry_delay_ms = policy->retry_delay_ms;
  if (policy->env != NULL)
    copy->env = copy_strings (policy->env);
  copy->workdir = g_strdup (policy->workdir);
  copy->changed_when = g_strdup (policy->changed_when);
  copy->failed_when = g_strdup (policy->failed_when);
  return copy;
}

void
fleet_step_policy_free (FleetStepPolicy *policy)
{
  if (policy == NULL)
    return;

  g_clear_pointer (&policy->env, g_hash_table_unref);
  g_free (policy->workdir);
  g_free (policy->changed_when);
  g_free (policy->failed_when);
  g_free (policy);
}

char *
fleet_step_policy_wrap_command (const FleetStepPolicy *policy, const char *command)
{
  g_autoptr(GString) text = g_string_new (NULL);
  g_autofree const char **names = NULL;

  if (policy == NULL || (policy->workdir == NULL && policy->env == NULL))
    return g_strdup (command);

  /* A directory that cannot be entered ends the command before it runs,
   * with the shell's message on stderr. */
  if (policy->workdir != NULL)
    {
      g_autofree char *quoted = fleet_shell_quote (policy->workdir);

      g_string_append_printf (text, "cd -- %s || exit 1\n", quoted);
    }

  names = fleet_sorted_string_keys (policy->env);
  for (guint i = 0; names != NULL && names[i] != NULL; i++)
    {
      g_autofree char *quoted = fleet_shell_quote (g_hash_table_lookup (policy->env, names[i]));

      g_string_append_printf (text, "%s=%s; export %s\n", names[i], quoted, names[i]);
    }

  g_string_append (text, command);
  return g_string_free (g_steal_pointer (&text), FALSE);
}

void
fleet_step_policy_to_variant (GVariantBuilder *builder, const FleetStepPolicy *policy)
{
  if (policy == NULL)
    return;

  g_variant_builder_add (builder, "{sv}", "retries", g_variant_new_uint32 (policy->retries));
  g_variant_builder_add (builder, "{sv}", "retry-delay-ms",
                         g_variant_new_uint64 (policy->retry_delay_ms));
  if (policy->env != NULL)
    {
      g_autofree const char **names = fleet_sorted_string_keys (policy->env);
      GVariantBuilder env;

      g_variant_builder_init (&env, G_VARIANT_TYPE ("a{ss}"));
      for (guint i = 0; names[i] != NULL; i++)
        g_variant_builder_add (&env, "{ss}", names[i], g_hash_table_lookup (policy->env, names[i]));
      g_variant_builder_add (builder, "{sv}", "env", g_variant_builder_end (&env));
    }
  if (policy->workdir != NULL)
    g_variant_builder_add (builder, "{sv}", "workdir", g_variant_new_string (policy->workdir));
  if (policy->changed_when != NULL)
    g_variant_builder_add (builder, "{sv}", "changed-when",
                           g_variant_new_string (policy->changed_when));
  if (policy->failed_when != NULL)
    g_variant_builder_add (builder, "{sv}", "failed-when",
                           g_variant_new_string (policy->failed_when));
}

gboolean
fleet_step_policy_from_variant (GVariant *dict, const char *step_name,
                                FleetStepPolicy **out, GError **error)
{
  g_autoptr(FleetStepPolicy) policy = NULL;
  g_autoptr(GVariant) env = NULL;
  guint32 retries;

  *out = NULL;
  if (!g_variant_lookup (dict, "retries", "u", &retries))
    return TRUE;

  policy = fleet_step_policy_new ();
  policy->retries = retries;
  if (!g_variant_lookup (dict, "retry-delay-ms", "t", &policy->retry_delay_ms))
    {
      g_set_error (error, FLEET_PLAN_ERROR, FLEET_PLAN_ERROR_INVALID,
                   "step \"%s\" has retries but lacks the field \"retry-delay-ms\"", step_name);
      return FALSE;
    }

  env = g_variant_lookup_value (dict, "env", G_VARIANT_TYPE ("a{ss}"));
  if (env != NULL)
    {
      GVariantIter iter;
      const char *name;
      const char *value;

      policy->env = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, g_free);
      g_variant_iter_init (&iter, env);
      while (g_variant_iter_next (&iter, "{&s&s}", &name, &value))
        {
          if (!fleet_template_is_name (name))
            {
              g_set_error (error, FLEET_PLAN_ERROR, FLEET_PLAN_ERROR_INVALID,
                           "step \"%s\" has the invalid environment variable name \"%s\"",
                           step_name, name);
              return FALSE;
            }
          g_hash_table_insert (policy->env, g_strdup (name), g_strdup (value));
        }
    }
  g_variant_lookup (dict, "workdir", "s", &policy->workdir);
  g_variant_lookup (dict, "changed-when", "s", &policy->changed_when);
  g_variant_lookup (dict, "failed-when", "s", &policy->failed_when);

  *out = g_steal_pointer (&policy);
  return TRUE;
}
