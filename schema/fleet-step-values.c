/* fleet-step-values.c: a step's settings rendered per host; the contract is
 * in fleet-step-values.h. */
#include "schema/fleet-step-values.h"

#include <string.h>

#include "schema/fleet-plan.h"
#include "schema/fleet-template.h"

FleetStepValueTemplate *
fleet_step_value_template_new (const char *key, const char *text, FleetStepValueSyntax syntax)
{
  FleetStepValueTemplate *value = g_new0 (FleetStepValueTemplate, 1);

  value->key = g_strdup (key);
  value->text = g_strdup (text);
  value->syntax = syntax;
  return value;
}

void
fleet_step_value_template_free (FleetStepValueTemplate *value)
{
  if (value == NULL)
    return;

  g_free (value->key);
  g_free (value->text);
  g_clear_pointer (&value->refs, g_ptr_array_unref);
  g_clear_pointer (&value->ref_positions, g_array_unref);
  g_free (value);
}

FleetStepValues *
fleet_step_values_new (void)
{
  return g_new0 (FleetStepValues, 1);
}

static GHashTable *
new_string_table (void)
{
  return g_hash_table_new_full (g_str_hash, g_str_equal, g_free, g_free);
}

static GHashTable *
new_host_table (void)
{
  return g_hash_table_new_full (g_str_hash, g_str_equal, g_free,
                                (GDestroyNotify) g_hash_table_unref);
}

static GHashTable *
copy_string_table (GHashTable *table)
{
  GHashTable *copy = new_string_table ();
  GHashTableIter iter;
  gpointer key, value;

  g_hash_table_iter_init (&iter, table);
  while (g_hash_table_iter_next (&iter, &key, &value))
    g_hash_table_insert (copy, g_strdup (key), g_strdup (value));
  return copy;
}

FleetStepValues *
fleet_step_values_copy (const FleetStepValues *values)
{
  FleetStepValues *copy = fleet_step_values_new ();

  /* The templates never change once the compiler made them. */
  if (values->templates != NULL)
    copy->templates = g_ptr_array_ref (values->templates);
  if (values->host_values != NULL)
    {
      GHashTableIter iter;
      gpointer host, table;

      copy->host_values = new_host_table ();
      g_hash_table_iter_init (&iter, values->host_values);
      while (g_hash_table_iter_next (&iter, &host, &table))
        g_hash_table_insert (copy->host_values, g_strdup (host), copy_string_table (table));
    }
  return copy;
}

void
fleet_step_values_free (FleetStepValues *values)
{
  if (values == NULL)
    return;

  g_clear_pointer (&values->templates, g_ptr_array_unref);
  g_clear_pointer (&values->host_values, g_hash_table_unref);
  g_free (values);
}

/* Return the syntax of the value `key`; FALSE for an unknown key. */
static gboolean
syntax_of_key (const char *key, FleetStepValueSyntax *out_syntax)
{
  if (strcmp (key, FLEET_STEP_VALUE_DEST) == 0)
    *out_syntax = FLEET_STEP_VALUE_FILE_PATH;
  else if (strcmp (key, FLEET_STEP_VALUE_WAIT_PATH) == 0
           || strcmp (key, FLEET_STEP_VALUE_BOOT_ID_FILE) == 0)
    *out_syntax = FLEET_STEP_VALUE_ABSOLUTE_PATH;
  else if (strcmp (key, FLEET_STEP_VALUE_COMMAND) == 0)
    *out_syntax = FLEET_STEP_VALUE_SHELL_COMMAND;
  else if (strcmp (key, FLEET_STEP_VALUE_WORKDIR) == 0
           || (g_str_has_prefix (key, FLEET_STEP_VALUE_ENV_PREFIX)
               && fleet_template_is_name (key + strlen (FLEET_STEP_VALUE_ENV_PREFIX))))
    *out_syntax = FLEET_STEP_VALUE_TEXT;
  else
    return FALSE;
  return TRUE;
}

static gboolean
check_rendering (FleetStepValueSyntax syntax, gboolean may_be_empty, const char *rendered,
                 const char **out_problem)
{
  if (rendered[0] == '\0' && !may_be_empty)
    {
      *out_problem = "is empty";
      return FALSE;
    }
  if ((syntax == FLEET_STEP_VALUE_ABSOLUTE_PATH || syntax == FLEET_STEP_VALUE_FILE_PATH)
      && rendered[0] != '/')
    {
      *out_problem = "is not an absolute path";
      return FALSE;
    }
  if (syntax == FLEET_STEP_VALUE_FILE_PATH && g_str_has_suffix (rendered, "/"))
    {
      *out_problem = "ends in \"/\", so it names a directory rather than a file";
      return FALSE;
    }
  return TRUE;
}

gboolean
fleet_step_value_check (const FleetStepValueTemplate *value, const char *rendered,
                        const char **out_problem)
{
  return check_rendering (value->syntax, value->may_be_empty, rendered, out_problem);
}

void
fleet_step_values_to_variant (GVariantBuilder *builder, const FleetStepValues *values)
{
  g_autofree const char **hosts = NULL;
  GVariantBuilder by_host;

  if (values == NULL || values->host_values == NULL)
    return;

  hosts = fleet_sorted_string_keys (values->host_values);
  g_variant_builder_init (&by_host, G_VARIANT_TYPE ("a{sa{ss}}"));
  for (guint i = 0; hosts[i] != NULL; i++)
    {
      GHashTable *table = g_hash_table_lookup (values->host_values, hosts[i]);
      g_autofree const char **keys = fleet_sorted_string_keys (table);
      GVariantBuilder host;

      g_variant_builder_init (&host, G_VARIANT_TYPE ("a{ss}"));
      for (guint k = 0; keys[k] != NULL; k++)
        g_variant_builder_add (&host, "{ss}", keys[k], g_hash_table_lookup (table, keys[k]));
      g_variant_builder_add (&by_host, "{s@a{ss}}", hosts[i], g_variant_builder_end (&host));
    }
  g_variant_builder_add (builder, "{sv}", "host-values", g_variant_builder_end (&by_host));
}

gboolean
fleet_step_values_from_variant (GVariant *dict, const char *step_name,
                                FleetStepValues **out, GError **error)
{
  g_autoptr(GVariant) by_host = g_variant_lookup_value (dict, "host-values",
                                                        G_VARIANT_TYPE ("a{sa{ss}}"));
  g_autoptr(FleetStepValues) values = NULL;
  GVariantIter hosts;
  const char *host;
  GVariant *table;

  *out = NULL;
  if (by_host == NULL)
    return TRUE;

  values = fleet_step_values_new ();
  values->host_values = new_host_table ();
  g_variant_iter_init (&hosts, by_host);
  while (g_variant_iter_next (&hosts, "{&s@a{ss}}", &host, &table))
    {
      g_autoptr(GVariant) owned = table;
      GHashTable *rendered = new_string_table ();
      GVariantIter entries;
      const char *key;
      const char *text;

      g_hash_table_insert (values->host_values, g_strdup (host), rendered);
      g_variant_iter_init (&entries, owned);
      while (g_variant_iter_next (&entries, "{&s&s}", &key, &text))
        {
          FleetStepValueSyntax syntax;

          if (!syntax_of_key (key, &syntax))
            {
              g_set_error (error, FLEET_PLAN_ERROR, FLEET_PLAN_ERROR_INVALID,
                           "step \"%s\" has a value \"%s\" for host \"%s\" that fleet-run does "
                           "not know; compile the plan with this version of fleetc",
                           step_name, key, host);
              return FALSE;
            }
          g_hash_table_insert (rendered, g_strdup (key), g_strdup (text));
        }
    }

  *out = g_steal_pointer (&values);
  return TRUE;
}

/* Put the rendered value `key` into the copies. */
static gboolean
apply_value (const char *key, const char *text, FleetStepKindData *data, FleetStepPolicy **policy,
             GError **error)
{
  char **field = NULL;

  if (strcmp (key, FLEET_STEP_VALUE_DEST) == 0 && data != NULL)
    field = &data->dest;
  else if (strcmp (key, FLEET_STEP_VALUE_COMMAND) == 0 && data != NULL)
    field = &data->command;
  else if (strcmp (key, FLEET_STEP_VALUE_WAIT_PATH) == 0 && data != NULL)
    field = &data->wait_path;
  else if (strcmp (key, FLEET_STEP_VALUE_BOOT_ID_FILE) == 0 && data != NULL)
    field = &data->boot_id_file;

  if (field != NULL)
    {
      g_free (*field);
      *field = g_strdup (text);
      return TRUE;
    }

  if (*policy == NULL)
    *policy = fleet_step_policy_new ();
  if (strcmp (key, FLEET_STEP_VALUE_WORKDIR) == 0)
    {
      g_free ((*policy)->workdir);
      (*policy)->workdir = g_strdup (text);
      return TRUE;
    }
  if (g_str_has_prefix (key, FLEET_STEP_VALUE_ENV_PREFIX))
    {
      if ((*policy)->env == NULL)
        (*policy)->env = new_string_table ();
      g_hash_table_replace ((*policy)->env, g_strdup (key + strlen (FLEET_STEP_VALUE_ENV_PREFIX)),
                            g_strdup (text));
      return TRUE;
    }

  g_set_error (error, FLEET_PLAN_ERROR, FLEET_PLAN_ERROR_INVALID,
               "the value \"%s\" does not apply to this kind of step", key);
  return FALSE;
}

gboolean
fleet_step_values_apply (const FleetStepValues *values, const char *host_name,
                         const FleetStepKindData *data, const FleetStepPolicy *policy,
                         FleetStepKindData **out_data, FleetStepPolicy **out_policy,
                         GError **error)
{
  g_autoptr(FleetStepKindData) data_copy = data != NULL ? fleet_step_kind_data_copy (data) : NULL;
  g_autoptr(FleetStepPolicy) policy_copy = policy != NULL ? fleet_step_policy_copy (policy) : NULL;
  GHashTable *rendered = NULL;
  GHashTableIter iter;
  gpointer key, text;

  if (values != NULL && values->host_values != NULL)
    {
      rendered = g_hash_table_lookup (values->host_values, host_name);
      if (rendered == NULL)
        {
          g_set_error (error, FLEET_PLAN_ERROR, FLEET_PLAN_ERROR_INVALID,
                       "the plan has no values of this step for host \"%s\"; compile the plan "
                       "again", host_name);
          return FALSE;
        }

      g_hash_table_iter_init (&iter, rendered);
      while (g_hash_table_iter_next (&iter, &key, &text))
        {
          FleetStepValueSyntax syntax = FLEET_STEP_VALUE_TEXT;
          const char *problem = NULL;

          /* The compiler checked the renderings; a plan written otherwise
           * must still not send a relative path to the host. */
          if (!syntax_of_key (key, &syntax)
              || !check_rendering (syntax, syntax == FLEET_STEP_VALUE_TEXT, text, &problem))
            {
              g_set_error (error, FLEET_PLAN_ERROR, FLEET_PLAN_ERROR_INVALID,
                           "the value of \"%s\" for host \"%s\", \"%s\", %s; compile the plan "
                           "again", (const char *) key, host_name, (const char *) text,
                           problem != NULL ? problem : "is unknown");
              return FALSE;
            }
          if (!apply_value (key, text, data_copy, &policy_copy, error))
            return FALSE;
        }
    }

  *out_data = g_steal_pointer (&data_copy);
  *out_policy = g_steal_pointer (&policy_copy);
  return TRUE;
}
