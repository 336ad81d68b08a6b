/* fleet-step-kind.c: the kind data of a step, its copies and its plan keys. */
#include "schema/fleet-step-kind.h"

#include <string.h>

#include <openssl/evp.h>

#include "schema/fleet-plan.h"

static const char * const kind_names[] = {
  [FLEET_STEP_KIND_SHELL] = "run",
  [FLEET_STEP_KIND_SCRIPT] = "script",
  [FLEET_STEP_KIND_COPY] = "copy",
  [FLEET_STEP_KIND_TEMPLATE] = "template",
  [FLEET_STEP_KIND_REBOOT] = "reboot",
  [FLEET_STEP_KIND_WAIT_FOR] = "wait_for",
  [FLEET_STEP_KIND_LOCAL] = "local",
};

FleetStepKindData *
fleet_step_kind_data_new (FleetStepKind kind)
{
  FleetStepKindData *data = g_new0 (FleetStepKindData, 1);

  data->kind = kind;
  data->mode = FLEET_COPY_MODE_UNSET;
  return data;
}

static GHashTable *
copy_content_table (GHashTable *table)
{
  GHashTable *copy = g_hash_table_new_full (g_str_hash, g_str_equal, g_free,
                                            (GDestroyNotify) g_bytes_unref);
  GHashTableIter iter;
  gpointer key, value;

  g_hash_table_iter_init (&iter, table);
  while (g_hash_table_iter_next (&iter, &key, &value))
    g_hash_table_insert (copy, g_strdup (key), g_bytes_ref (value));
  return copy;
}

FleetStepKindData *
fleet_step_kind_data_copy (const FleetStepKindData *data)
{
  FleetStepKindData *copy = fleet_step_kind_data_new (data->kind);

  copy->source = g_strdup (data->source);
  copy->content = data->content != NULL ? g_bytes_ref (data->content) : NULL;
  copy->content_sha256 = g_strdup (data->content_sha256);
  if (data->host_contents != NULL)
    copy->host_contents = copy_content_table (data->host_contents);
  copy->interpreter = g_strdup (data->interpreter);
  copy->dest = g_strdup (data->dest);
  copy->mode = data->mode;
  copy->owner = g_strdup (data->owner);
  copy->group = g_strdup (data->group);
  copy->command = g_strdup (data->command);
  copy->boot_id_file = g_strdup (data->boot_id_file);
  copy->deadline_ms = data->deadline_ms;
  copy->interval_ms = data->interval_ms;
  copy->wait_host = g_strdup (data->wait_host);
  copy->wait_port = data->wait_port;
  copy->wait_path = g_strdup (data->wait_path);
  if (data->argv != NULL)
    {
      copy->argv = g_ptr_array_new_with_free_func (g_free);
      for (guint i = 0; i < data->argv->len; i++)
        g_ptr_array_add (copy->argv, g_strdup (g_ptr_array_index (data->argv, i)));
    }
  return copy;
}

void
fleet_step_kind_data_free (FleetStepKindData *data)
{
  if (data == NULL)
    return;

  g_free (data->source);
  g_clear_pointer (&data->content, g_bytes_unref);
  g_free (data->content_sha256);
  g_clear_pointer (&data->host_contents, g_hash_table_unref);
  g_free (data->interpreter);
  g_free (data->dest);
  g_free (data->owner);
  g_free (data->group);
  g_free (data->command);
  g_free (data->boot_id_file);
  g_free (data->wait_host);
  g_free (data->wait_path);
  g_clear_pointer (&data->argv, g_ptr_array_unref);
  g_free (data);
}

const char *
fleet_step_kind_name (FleetStepKind kind)
{
  g_return_val_if_fail ((gsize) kind < G_N_ELEMENTS (kind_names), "run");
  return kind_names[kind];
}

gboolean
fleet_step_kind_from_name (const char *name, FleetStepKind *out_kind)
{
  for (gsize i = 0; i < G_N_ELEMENTS (kind_names); i++)
    if (strcmp (kind_names[i], name) == 0)
      {
        *out_kind = (FleetStepKind) i;
        return TRUE;
      }
  return FALSE;
}

char *
fleet_sha256_hex (GBytes *bytes)
{
  guint8 digest[32];
  unsigned int digest_length = 0;
  gsize length = 0;
  const guint8 *data = g_bytes_get_data (bytes, &length);
  GString *hex = g_string_sized_new (2 * sizeof digest);

  EVP_Digest (data != NULL ? data : (const guint8 *) "", length, digest, &digest_length,
              EVP_sha256 (), NULL);
  for (unsigned int i = 0; i < digest_length; i++)
    g_string_append_printf (hex, "%02x", digest[i]);
  return g_string_free (hex, FALSE);
}

GBytes *
fleet_step_kind_content_for_host (const FleetStepKindData *data, const char *host_name)
{
  if (data->kind == FLEET_STEP_KIND_TEMPLATE && data->host_contents != NULL)
    return g_hash_table_lookup (data->host_contents, host_name);
  if (data->kind == FLEET_STEP_KIND_COPY || data->kind == FLEET_STEP_KIND_SCRIPT)
    return data->content;
  return NULL;
}

/* Serialization: optional keys, written only when set, in a fixed order. */

static void
add_string (GVariantBuilder *builder, const char *key, const char *value)
{
  if (value != NULL)
    g_variant_builder_add (builder, "{sv}", key, g_variant_new_string (value));
}

static GVariant *
bytes_variant (GBytes *bytes)
{
  return g_variant_new_from_bytes (G_VARIANT_TYPE_BYTESTRING, bytes, TRUE);
}

/* qsort comparison of two `const char *` elements. */
static int
compare_names (const void *a, const void *b)
{
  return strcmp (*(const char * const *) a, *(const char * const *) b);
}

static void
add_host_contents (GVariantBuilder *builder, GHashTable *table)
{
  g_autofree const char **names = NULL;
  GVariantBuilder contents;

  if (table == NULL)
    return;

  names = (const char **) g_hash_table_get_keys_as_array (table, NULL);
  qsort (names, g_hash_table_size (table), sizeof (char *), compare_names);
  g_variant_builder_init (&contents, G_VARIANT_TYPE ("a{say}"));
  for (guint i = 0; names[i] != NULL; i++)
    g_variant_builder_add (&contents, "{s@ay}", names[i],
                           bytes_variant (g_hash_table_lookup (table, names[i])));
  g_variant_builder_add (builder, "{sv}", "host-contents", g_variant_builder_end (&contents));
}

void
fleet_step_kind_to_variant (GVariantBuilder *builder, const FleetStepKindData *data)
{
  if (data == NULL)
    return;

  add_string (builder, "kind", fleet_step_kind_name (data->kind));
  add_string (builder, "source", data->source);
  if (data->content != NULL)
    g_variant_builder_add (builder, "{sv}", "content", bytes_variant (data->content));
  add_string (builder, "content-sha256", data->content_sha256);
  add_host_contents (builder, data->host_contents);
  add_string (builder, "interpreter", data->interpreter);
  add_string (builder, "dest", data->dest);
  if (data->mode != FLEET_COPY_MODE_UNSET)
    g_variant_builder_add (builder, "{sv}", "mode", g_variant_new_uint32 (data->mode));
  add_string (builder, "owner", data->owner);
  add_string (builder, "group", data->group);
  add_string (builder, "kind-command", data->command);
  add_string (builder, "boot-id-file", data->boot_id_file);
  if (data->deadline_ms > 0)
    g_variant_builder_add (builder, "{sv}", "deadline-ms", g_variant_new_uint64 (data->deadline_ms));
  if (data->interval_ms > 0)
    g_variant_builder_add (builder, "{sv}", "interval-ms", g_variant_new_uint64 (data->interval_ms));
  add_string (builder, "wait-host", data->wait_host);
  if (data->wait_port > 0)
    g_variant_builder_add (builder, "{sv}", "wait-port", g_variant_new_uint16 (data->wait_port));
  add_string (builder, "wait-path", data->wait_path);
  if (data->argv != NULL)
    g_variant_builder_add (builder, "{sv}", "argv",
                           g_variant_new_strv ((const char * const *) data->argv->pdata,
                                               data->argv->len));
}

/* Deserialization.  The body passed its digest check, so a failure here
 * means a writer bug or a crafted file; each gets an error naming the step. */

static char *
lookup_string (GVariant *dict, const char *key)
{
  g_autoptr(GVariant) value = g_variant_lookup_value (dict, key, G_VARIANT_TYPE_STRING);

  return value != NULL ? g_variant_dup_string (value, NULL) : NULL;
}

static GBytes *
lookup_bytes (GVariant *dict, const char *key)
{
  g_autoptr(GVariant) value = g_variant_lookup_value (dict, key, G_VARIANT_TYPE_BYTESTRING);

  return value != NULL ? g_variant_get_data_as_bytes (value) : NULL;
}

static GHashTable *
lookup_host_contents (GVariant *dict)
{
  g_autoptr(GVariant) value = g_variant_lookup_value (dict, "host-contents",
                                                      G_VARIANT_TYPE ("a{say}"));
  GHashTable *table;
  GVariantIter iter;
  const char *name;
  GVariant *content;

  if (value == NULL)
    return NULL;

  table = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, (GDestroyNotify) g_bytes_unref);
  g_variant_iter_init (&iter, value);
  while (g_variant_iter_next (&iter, "{&s@ay}", &name, &content))
    {
      g_hash_table_insert (table, g_strdup (name), g_variant_get_data_as_bytes (content));
      g_variant_unref (content);
    }
  return table;
}

static void
lookup_numbers (GVariant *dict, FleetStepKindData *data)
{
  guint32 mode;
  guint64 milliseconds;
  guint16 port;

  if (g_variant_lookup (dict, "mode", "u", &mode))
    data->mode = mode;
  if (g_variant_lookup (dict, "deadline-ms", "t", &milliseconds))
    data->deadline_ms = milliseconds;
  if (g_variant_lookup (dict, "interval-ms", "t", &milliseconds))
    data->interval_ms = milliseconds;
  if (g_variant_lookup (dict, "wait-port", "q", &port))
    data->wait_port = port;
}

static GPtrArray *
lookup_argv (GVariant *dict)
{
  g_autoptr(GVariant) value = g_variant_lookup_value (dict, "argv", G_VARIANT_TYPE_STRING_ARRAY);
  GPtrArray *argv;
  GVariantIter iter;
  const char *item;

  if (value == NULL)
    return NULL;

  argv = g_ptr_array_new_with_free_func (g_free);
  g_variant_iter_init (&iter, value);
  while (g_variant_iter_next (&iter, "&s", &item))
    g_ptr_array_add (argv, g_strdup (item));
  return argv;
}

/* Check what each kind cannot run without, and that the content matches
 * its digest, so a plan edited by hand cannot send other bytes than the
 * reviewed ones. */
static gboolean
check_kind_data (const FleetStepKindData *data, const char *step_name, GError **error)
{
  const char *missing = NULL;
  gboolean has_file = data->kind == FLEET_STEP_KIND_SCRIPT || data->kind == FLEET_STEP_KIND_COPY;

  if (has_file && (data->content == NULL || data->content_sha256 == NULL))
    missing = "content";
  else if (data->kind == FLEET_STEP_KIND_TEMPLATE && data->host_contents == NULL)
    missing = "host-contents";
  else if ((data->kind == FLEET_STEP_KIND_COPY || data->kind == FLEET_STEP_KIND_TEMPLATE)
           && data->dest == NULL)
    missing = "dest";
  else if (data->kind == FLEET_STEP_KIND_SCRIPT && data->interpreter == NULL)
    missing = "interpreter";
  else if (data->kind == FLEET_STEP_KIND_REBOOT && (data->command == NULL || data->boot_id_file == NULL))
    missing = "kind-command";
  else if (data->kind == FLEET_STEP_KIND_LOCAL && (data->argv == NULL || data->argv->len == 0))
    missing = "argv";
  else if (data->kind == FLEET_STEP_KIND_WAIT_FOR && data->wait_port == 0
           && data->wait_path == NULL && data->command == NULL)
    missing = "wait-port\", \"wait-path\" or \"kind-command";

  if (missing != NULL)
    {
      g_set_error (error, FLEET_PLAN_ERROR, FLEET_PLAN_ERROR_INVALID,
                   "%s step \"%s\" lacks the field \"%s\"", fleet_step_kind_name (data->kind),
                   step_name, missing);
      return FALSE;
    }

  if (has_file)
    {
      g_autofree char *digest = fleet_sha256_hex (data->content);

      if (strcmp (digest, data->content_sha256) != 0)
        {
          g_set_error (error, FLEET_PLAN_ERROR, FLEET_PLAN_ERROR_INVALID,
                       "the content of step \"%s\" has SHA-256 %s, but the plan records %s",
                       step_name, digest, data->content_sha256);
          return FALSE;
        }
    }
  return TRUE;
}

gboolean
fleet_step_kind_from_variant (GVariant *dict, const char *step_name,
                              FleetStepKindData **out, GError **error)
{
  g_autofree char *kind_name = lookup_string (dict, "kind");
  g_autoptr(FleetStepKindData) data = NULL;
  FleetStepKind kind;

  *out = NULL;
  if (kind_name == NULL)
    return TRUE;

  if (!fleet_step_kind_from_name (kind_name, &kind) || kind == FLEET_STEP_KIND_SHELL)
    {
      g_set_error (error, FLEET_PLAN_ERROR, FLEET_PLAN_ERROR_INVALID,
                   "step \"%s\" has the unknown kind \"%s\"", step_name, kind_name);
      return FALSE;
    }

  data = fleet_step_kind_data_new (kind);
  data->source = lookup_string (dict, "source");
  data->content = lookup_bytes (dict, "content");
  data->content_sha256 = lookup_string (dict, "content-sha256");
  data->host_contents = lookup_host_contents (dict);
  data->interpreter = lookup_string (dict, "interpreter");
  data->dest = lookup_string (dict, "dest");
  data->owner = lookup_string (dict, "owner");
  data->group = lookup_string (dict, "group");
  data->command = lookup_string (dict, "kind-command");
  data->boot_id_file = lookup_string (dict, "boot-id-file");
  data->wait_host = lookup_string (dict, "wait-host");
  data->wait_path = lookup_string (dict, "wait-path");
  data->argv = lookup_argv (dict);
  lookup_numbers (dict, data);

  if (!check_kind_data (data, step_name, error))
    return FALSE;

  *out = g_steal_pointer (&data);
  return TRUE;
}
