/* fleet-check.c: validation checks and their plan records. */
#include "schema/fleet-check.h"

#include "schema/fleet-template.h"

G_DEFINE_QUARK (fleet-check-error-quark, fleet_check_error)

static const char * const kind_names[] = {
  [FLEET_CHECK_HOST] = "host",
  [FLEET_CHECK_LOCAL] = "local",
  [FLEET_CHECK_HTTP] = "http",
};

static const char * const on_fail_names[] = {
  [FLEET_CHECK_ON_FAIL_HALT] = "halt",
  [FLEET_CHECK_ON_FAIL_FAIL_HOSTS] = "fail_hosts",
};

FleetCheck *
fleet_check_new (const char *name, FleetCheckKind kind)
{
  FleetCheck *check = g_new0 (FleetCheck, 1);

  check->name = g_strdup (name);
  check->kind = kind;
  check->argv = g_ptr_array_new_with_free_func (g_free);
  check->expect_status = 200;
  check->interval_ms = FLEET_CHECK_DEFAULT_INTERVAL_MS;
  check->timeout_ms = FLEET_CHECK_DEFAULT_TIMEOUT_MS;
  return check;
}

void
fleet_check_free (FleetCheck *check)
{
  if (check == NULL)
    return;

  g_free (check->name);
  g_free (check->command);
  g_ptr_array_unref (check->argv);
  g_free (check->url);
  g_clear_pointer (&check->url_ref_positions, g_array_unref);
  g_free (check->expect_contains);
  g_free (check->expect_match);
  g_free (check);
}

FleetCheck *
fleet_check_copy (const FleetCheck *check)
{
  FleetCheck *copy = g_memdup2 (check, sizeof *check);

  copy->name = g_strdup (check->name);
  copy->command = g_strdup (check->command);
  copy->argv = g_ptr_array_copy (check->argv, (GCopyFunc) (void (*) (void)) g_strdup, NULL);
  g_ptr_array_set_free_func (copy->argv, g_free);
  copy->url = g_strdup (check->url);
  if (check->url_ref_positions != NULL)
    copy->url_ref_positions = g_array_ref (check->url_ref_positions);
  copy->expect_contains = g_strdup (check->expect_contains);
  copy->expect_match = g_strdup (check->expect_match);
  return copy;
}

const char *
fleet_check_kind_name (FleetCheckKind kind)
{
  g_return_val_if_fail ((gsize) kind < G_N_ELEMENTS (kind_names), "host");
  return kind_names[kind];
}

const char *
fleet_check_on_fail_name (FleetCheckOnFail on_fail)
{
  g_return_val_if_fail ((gsize) on_fail < G_N_ELEMENTS (on_fail_names), "halt");
  return on_fail_names[on_fail];
}

gboolean
fleet_check_on_fail_from_name (const char *text, FleetCheckOnFail *out_value)
{
  for (guint i = 0; i < G_N_ELEMENTS (on_fail_names); i++)
    if (g_strcmp0 (text, on_fail_names[i]) == 0)
      {
        *out_value = i;
        return TRUE;
      }
  return FALSE;
}

gboolean
fleet_check_is_per_host (const FleetCheck *check)
{
  if (check->kind == FLEET_CHECK_HOST)
    return TRUE;
  return check->kind == FLEET_CHECK_HTTP && fleet_template_has_refs (check->url);
}

static void
add_string (GVariantBuilder *builder, const char *key, const char *value)
{
  if (value != NULL)
    g_variant_builder_add (builder, "{sv}", key, g_variant_new_string (value));
}

static GVariant *
check_to_variant (const FleetCheck *check)
{
  GVariantBuilder builder;

  g_variant_builder_init (&builder, G_VARIANT_TYPE ("a{sv}"));
  add_string (&builder, "name", check->name);
  add_string (&builder, "kind", kind_names[check->kind]);
  add_string (&builder, "command", check->command);
  if (check->kind == FLEET_CHECK_LOCAL)
    {
      g_variant_builder_add (&builder, "{sv}", "argv",
                             g_variant_new_strv ((const char * const *) check->argv->pdata,
                                                 check->argv->len));
      g_variant_builder_add (&builder, "{sv}", "shell", g_variant_new_boolean (check->shell));
    }
  add_string (&builder, "url", check->url);
  g_variant_builder_add (&builder, "{sv}", "sample", g_variant_new_uint32 (check->sample));
  g_variant_builder_add (&builder, "{sv}", "expect-exit", g_variant_new_int32 (check->expect_exit));
  g_variant_builder_add (&builder, "{sv}", "expect-status",
                         g_variant_new_uint32 (check->expect_status));
  add_string (&builder, "expect-contains", check->expect_contains);
  add_string (&builder, "expect-match", check->expect_match);
  g_variant_builder_add (&builder, "{sv}", "retries", g_variant_new_uint32 (check->retries));
  g_variant_builder_add (&builder, "{sv}", "interval-ms", g_variant_new_uint64 (check->interval_ms));
  g_variant_builder_add (&builder, "{sv}", "bake-ms", g_variant_new_uint64 (check->bake_ms));
  g_variant_builder_add (&builder, "{sv}", "timeout-ms", g_variant_new_uint64 (check->timeout_ms));
  add_string (&builder, "on-fail", on_fail_names[check->on_fail]);
  return g_variant_builder_end (&builder);
}

GVariant *
fleet_checks_to_variant (const GPtrArray *checks)
{
  GVariantBuilder builder;

  g_variant_builder_init (&builder, G_VARIANT_TYPE ("aa{sv}"));
  for (guint i = 0; i < checks->len; i++)
    g_variant_builder_add_value (&builder, check_to_variant (g_ptr_array_index (checks, i)));
  return g_variant_builder_end (&builder);
}

static gboolean
missing_key (const char *key, const char *type, GError **error)
{
  g_set_error (error, FLEET_CHECK_ERROR, FLEET_CHECK_ERROR_INVALID,
               "check: key \"%s\" of type %s is missing", key, type);
  return FALSE;
}

#define LOOKUP_REQUIRED(dict, key, format, type, out) \
  (g_variant_lookup ((dict), (key), (format), (out)) || missing_key ((key), (type), error))

static FleetCheck *
check_from_variant (GVariant *dict, GError **error)
{
  g_autoptr (FleetCheck) check = fleet_check_new (NULL, FLEET_CHECK_HOST);
  g_autofree const char **argv = NULL;
  g_autofree char *kind = NULL;
  g_autofree char *on_fail = NULL;
  guint kind_index;

  if (!LOOKUP_REQUIRED (dict, "name", "s", "string", &check->name)
      || !LOOKUP_REQUIRED (dict, "kind", "s", "string", &kind)
      || !LOOKUP_REQUIRED (dict, "sample", "u", "uint32", &check->sample)
      || !LOOKUP_REQUIRED (dict, "expect-exit", "i", "int32", &check->expect_exit)
      || !LOOKUP_REQUIRED (dict, "expect-status", "u", "uint32", &check->expect_status)
      || !LOOKUP_REQUIRED (dict, "retries", "u", "uint32", &check->retries)
      || !LOOKUP_REQUIRED (dict, "interval-ms", "t", "uint64", &check->interval_ms)
      || !LOOKUP_REQUIRED (dict, "bake-ms", "t", "uint64", &check->bake_ms)
      || !LOOKUP_REQUIRED (dict, "timeout-ms", "t", "uint64", &check->timeout_ms)
      || !LOOKUP_REQUIRED (dict, "on-fail", "s", "string", &on_fail))
    return NULL;

  g_variant_lookup (dict, "command", "s", &check->command);
  g_variant_lookup (dict, "url", "s", &check->url);
  g_variant_lookup (dict, "expect-contains", "s", &check->expect_contains);
  g_variant_lookup (dict, "expect-match", "s", &check->expect_match);
  g_variant_lookup (dict, "shell", "b", &check->shell);
  if (g_variant_lookup (dict, "argv", "^a&s", &argv))
    for (guint i = 0; argv[i] != NULL; i++)
      g_ptr_array_add (check->argv, g_strdup (argv[i]));

  for (kind_index = 0; kind_index < G_N_ELEMENTS (kind_names); kind_index++)
    if (g_str_equal (kind, kind_names[kind_index]))
      break;
  check->kind = (FleetCheckKind) kind_index;

  if (kind_index == G_N_ELEMENTS (kind_names)
      || !fleet_check_on_fail_from_name (on_fail, &check->on_fail)
      || (check->kind == FLEET_CHECK_HOST && check->command == NULL)
      || (check->kind == FLEET_CHECK_LOCAL && check->argv->len == 0)
      || (check->kind == FLEET_CHECK_HTTP && check->url == NULL))
    {
      g_set_error (error, FLEET_CHECK_ERROR, FLEET_CHECK_ERROR_INVALID,
                   "check \"%s\": invalid kind \"%s\" or on-fail \"%s\", or its command, "
                   "program or URL is missing", check->name, kind, on_fail);
      return NULL;
    }
  return g_steal_pointer (&check);
}

gboolean
fleet_checks_from_variant (GVariant *array, GPtrArray *out, GError **error)
{
  gsize n = g_variant_n_children (array);

  for (gsize i = 0; i < n; i++)
    {
      g_autoptr (GVariant) dict = g_variant_get_child_value (array, i);
      FleetCheck *check = check_from_variant (dict, error);

      if (check == NULL)
        return FALSE;
      g_ptr_array_add (out, check);
    }
  return TRUE;
}
