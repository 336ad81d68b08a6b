/* fleet-plan.c: the plan model and its versioned, digest-checked file format. */
#include "schema/fleet-plan.h"

#include <errno.h>
#include <string.h>
#include <sys/stat.h>

#include <gio/gio.h>
#include <openssl/crypto.h>
#include <openssl/evp.h>

#include "schema/fleet-file.h"
#include "schema/fleet-host-record.h"
#include "schema/fleet-plan-signature.h"
#include "schema/fleet-plan-progressive.h"
#include "schema/fleet-step-barrier.h"
#include "schema/fleet-step-values.h"

G_DEFINE_QUARK (fleet-plan-error-quark, fleet_plan_error)

FleetPlan *
fleet_plan_new (void)
{
  FleetPlan *plan = g_new0 (FleetPlan, 1);

  plan->hosts = g_ptr_array_new_with_free_func ((GDestroyNotify) fleet_host_free);
  plan->jump_hosts = g_ptr_array_new_with_free_func ((GDestroyNotify) fleet_host_free);
  plan->ssh_config_sources = g_ptr_array_new_with_free_func (
    (GDestroyNotify) fleet_source_file_free);
  plan->steps = g_ptr_array_new_with_free_func ((GDestroyNotify) fleet_step_free);
  plan->waves = g_ptr_array_new_with_free_func ((GDestroyNotify) fleet_wave_free);
  plan->spread = g_ptr_array_new_with_free_func ((GDestroyNotify) fleet_spread_rule_free);
  for (guint rule = 0; rule < FLEET_HALT_N_RULES; rule++)
    {
      plan->halt_at[rule] = fleet_halt_rule_default (rule);
      plan->halt_at_default[rule] = TRUE;
    }
  plan->halt_failed_total = FLEET_THRESHOLD_NEVER;
  plan->halt_unreachable_total = FLEET_THRESHOLD_NEVER;
  plan->inventory_files = g_ptr_array_new_with_free_func ((GDestroyNotify) fleet_inventory_file_free);
  plan->signatures = g_ptr_array_new_with_free_func ((GDestroyNotify) fleet_plan_signature_free);
  plan->checks = g_ptr_array_new_with_free_func ((GDestroyNotify) fleet_check_free);
  return plan;
}

void
fleet_plan_free (FleetPlan *plan)
{
  if (plan == NULL)
    return;

  g_free (plan->workflow_name);
  g_free (plan->workflow_source);
  g_free (plan->workflow_sha256);
  g_free (plan->inventory_source);
  g_free (plan->inventory_sha256);
  g_free (plan->ssh_config_path);
  g_ptr_array_unref (plan->ssh_config_sources);
  g_ptr_array_unref (plan->hosts);
  g_ptr_array_unref (plan->jump_hosts);
  g_ptr_array_unref (plan->steps);
  g_clear_pointer (&plan->vars, g_hash_table_unref);
  g_ptr_array_unref (plan->waves);
  g_free (plan->limit);
  g_free (plan->order_by);
  g_ptr_array_unref (plan->spread);
  fleet_snapshot_config_free (plan->snapshot);
  fleet_pacing_free (plan->pacing);
  fleet_plan_schedule_free (plan->schedule);
  g_free (plan->file_sha256);
  g_ptr_array_unref (plan->inventory_files);
  g_ptr_array_unref (plan->signatures);
  g_ptr_array_unref (plan->checks);
  fleet_rollback_free (plan->rollback);
  fleet_step_overlap_free (plan->step_overlap);
  g_free (plan);
}

FleetWave *
fleet_wave_new (void)
{
  FleetWave *wave = g_new0 (FleetWave, 1);

  wave->host_indices = g_array_new (FALSE, FALSE, sizeof (guint32));
  wave->halt_failed = 1;
  wave->halt_unreachable = 1;
  return wave;
}

void
fleet_wave_free (FleetWave *wave)
{
  if (wave == NULL)
    return;

  g_array_unref (wave->host_indices);
  g_free (wave->stage);
  g_free (wave);
}

FleetSpreadRule *
fleet_spread_rule_new (const char *attribute, FleetThreshold max_per_wave)
{
  FleetSpreadRule *rule = g_new0 (FleetSpreadRule, 1);

  rule->attribute = g_strdup (attribute);
  rule->max_per_wave = max_per_wave;
  return rule;
}

void
fleet_spread_rule_free (FleetSpreadRule *rule)
{
  if (rule == NULL)
    return;

  g_free (rule->attribute);
  g_free (rule);
}

guint
fleet_plan_stage_wave_number (const FleetPlan *plan, guint index)
{
  const FleetWave *wave = g_ptr_array_index (plan->waves, index);
  guint first = index;

  while (first > 0
         && g_strcmp0 (((const FleetWave *) g_ptr_array_index (plan->waves, first - 1))->stage,
                       wave->stage) == 0)
    first--;
  return index - first + 1;
}

char *
fleet_plan_wave_label (const FleetPlan *plan, guint index)
{
  const FleetWave *wave = g_ptr_array_index (plan->waves, index);
  const char *canary = wave->canary ? " (canary)" : "";

  if (wave->stage == NULL)
    return g_strdup_printf ("wave %u%s", index + 1, canary);
  return g_strdup_printf ("stage %s, wave %u%s", wave->stage,
                          fleet_plan_stage_wave_number (plan, index), canary);
}

/* Serialization.  Keys are added in a fixed order and attribute keys sorted,
 * so equal plans give equal bytes.  NULL strings are left out of the
 * dictionaries rather than written as empty strings. */

static void
add_string (GVariantBuilder *builder, const char *key, const char *value)
{
  if (value != NULL)
    g_variant_builder_add (builder, "{sv}", key, g_variant_new_string (value));
}

static GVariant *
hosts_to_variant (const GPtrArray *hosts)
{
  GVariantBuilder builder;

  g_variant_builder_init (&builder, G_VARIANT_TYPE ("aa{sv}"));
  for (guint i = 0; i < hosts->len; i++)
    g_variant_builder_add_value (&builder, fleet_host_to_variant (g_ptr_array_index (hosts, i)));
  return g_variant_builder_end (&builder);
}

/* A string table sorted by key, so the same plan always serializes to the
 * same bytes. */
static GVariant *
string_table_to_variant (GHashTable *table)
{
  g_autofree const char **keys = fleet_sorted_string_keys (table);
  GVariantBuilder builder;

  g_variant_builder_init (&builder, G_VARIANT_TYPE ("a{ss}"));
  for (const char **key = keys; *key != NULL; key++)
    g_variant_builder_add (&builder, "{ss}", *key,
                           (const char *) g_hash_table_lookup (table, *key));
  return g_variant_builder_end (&builder);
}

/* Add `table` under `key` unless it is NULL. */
static void
add_string_table (GVariantBuilder *builder, const char *key, GHashTable *table)
{
  if (table != NULL)
    g_variant_builder_add (builder, "{sv}", key, string_table_to_variant (table));
}

/* Return the a{ss} value of `key` in `dict` as a new table, or NULL when
 * it is absent. */
static GHashTable *
lookup_string_table (GVariant *dict, const char *key)
{
  g_autoptr(GVariant) value = g_variant_lookup_value (dict, key, G_VARIANT_TYPE ("a{ss}"));
  GHashTable *table;
  GVariantIter iter;
  const char *name;
  const char *text;

  if (value == NULL)
    return NULL;

  table = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, g_free);
  g_variant_iter_init (&iter, value);
  while (g_variant_iter_next (&iter, "{&s&s}", &name, &text))
    g_hash_table_insert (table, g_strdup (name), g_strdup (text));
  return table;
}

static GVariant *
step_to_variant (const FleetStep *step)
{
  GVariantBuilder builder;

  g_variant_builder_init (&builder, G_VARIANT_TYPE_VARDICT);
  add_string (&builder, "name", step->name);
  add_string (&builder, "command", step->command);
  g_variant_builder_add (&builder, "{sv}", "timeout-ms", g_variant_new_uint64 (step->timeout_ms));
  g_variant_builder_add (&builder, "{sv}", "expect-exit",
                         g_variant_new_fixed_array (G_VARIANT_TYPE_INT32,
                                                    step->expected_exit_codes->data,
                                                    step->expected_exit_codes->len,
                                                    sizeof (gint32)));
  g_variant_builder_add (&builder, "{sv}", "become", g_variant_new_boolean (step->become));
  add_string (&builder, "become-user", step->become_user);
  add_string_table (&builder, "host-commands", step->host_commands);
  add_string (&builder, "when", step->when);
  add_string_table (&builder, "skipped-hosts", step->skipped_hosts);
  fleet_step_kind_to_variant (&builder, step->kind_data);
  fleet_step_policy_to_variant (&builder, step->policy);
  fleet_step_values_to_variant (&builder, step->values);
  fleet_step_barriers_to_variant (&builder, step->barriers);
  /* Written only when set, so plans without it keep their bytes. */
  if (step->idempotent)
    g_variant_builder_add (&builder, "{sv}", "idempotent", g_variant_new_boolean (TRUE));
  return g_variant_builder_end (&builder);
}

static GVariant *
wave_details_to_variant (const FleetPlan *plan)
{
  GVariantBuilder builder;

  g_variant_builder_init (&builder, G_VARIANT_TYPE ("aa{sv}"));
  for (guint i = 0; i < plan->waves->len; i++)
    {
      const FleetWave *wave = g_ptr_array_index (plan->waves, i);
      GVariantBuilder details;

      g_variant_builder_init (&details, G_VARIANT_TYPE_VARDICT);
      add_string (&details, "stage", wave->stage);
      g_variant_builder_add (&details, "{sv}", "canary", g_variant_new_boolean (wave->canary));
      g_variant_builder_add (&details, "{sv}", "halt-failed",
                             g_variant_new_uint32 (wave->halt_failed));
      g_variant_builder_add (&details, "{sv}", "halt-unreachable",
                             g_variant_new_uint32 (wave->halt_unreachable));
      g_variant_builder_add_value (&builder, g_variant_builder_end (&details));
    }
  return g_variant_builder_end (&builder);
}

static GVariant *
spread_to_variant (const GPtrArray *spread)
{
  GVariantBuilder builder;

  g_variant_builder_init (&builder, G_VARIANT_TYPE ("aa{sv}"));
  for (guint i = 0; i < spread->len; i++)
    {
      const FleetSpreadRule *rule = g_ptr_array_index (spread, i);
      g_autofree char *max_per_wave = fleet_threshold_to_string (&rule->max_per_wave);
      GVariantBuilder entry;

      g_variant_builder_init (&entry, G_VARIANT_TYPE_VARDICT);
      add_string (&entry, "by", rule->attribute);
      add_string (&entry, "max-per-wave", max_per_wave);
      g_variant_builder_add_value (&builder, g_variant_builder_end (&entry));
    }
  return g_variant_builder_end (&builder);
}

static GVariant *
halt_at_to_variant (const FleetPlan *plan)
{
  GVariantBuilder builder;

  g_variant_builder_init (&builder, G_VARIANT_TYPE ("aa{sv}"));
  for (guint rule = 0; rule < FLEET_HALT_N_RULES; rule++)
    {
      g_autofree char *threshold = fleet_threshold_to_string (&plan->halt_at[rule]);
      GVariantBuilder entry;

      g_variant_builder_init (&entry, G_VARIANT_TYPE_VARDICT);
      add_string (&entry, "rule", fleet_halt_rule_name (rule));
      add_string (&entry, "threshold", threshold);
      g_variant_builder_add (&entry, "{sv}", "default",
                             g_variant_new_boolean (plan->halt_at_default[rule]));
      g_variant_builder_add_value (&builder, g_variant_builder_end (&entry));
    }
  return g_variant_builder_end (&builder);
}

static GVariant *
source_files_to_variant (const GPtrArray *files)
{
  GVariantBuilder builder;

  g_variant_builder_init (&builder, G_VARIANT_TYPE ("a(ss)"));
  for (guint i = 0; i < files->len; i++)
    {
      const FleetSourceFile *file = g_ptr_array_index (files, i);

      g_variant_builder_add (&builder, "(ss)", file->path, file->sha256);
    }
  return g_variant_builder_end (&builder);
}

GVariant *
fleet_plan_to_variant (const FleetPlan *plan)
{
  GVariantBuilder builder;
  GVariantBuilder steps;
  GVariantBuilder waves;
  g_autoptr(GVariant) body = NULL;

  g_variant_builder_init (&steps, G_VARIANT_TYPE ("aa{sv}"));
  for (guint i = 0; i < plan->steps->len; i++)
    g_variant_builder_add_value (&steps, step_to_variant (g_ptr_array_index (plan->steps, i)));

  g_variant_builder_init (&waves, G_VARIANT_TYPE ("aau"));
  for (guint i = 0; i < plan->waves->len; i++)
    {
      const FleetWave *wave = g_ptr_array_index (plan->waves, i);
      g_variant_builder_add_value (&waves,
                                   g_variant_new_fixed_array (G_VARIANT_TYPE_UINT32,
                                                              wave->host_indices->data,
                                                              wave->host_indices->len,
                                                              sizeof (guint32)));
    }

  g_variant_builder_init (&builder, G_VARIANT_TYPE (FLEET_PLAN_BODY_TYPE));
  add_string (&builder, "workflow", plan->workflow_name);
  add_string (&builder, "workflow-source", plan->workflow_source);
  add_string (&builder, "workflow-sha256", plan->workflow_sha256);
  add_string (&builder, "inventory-source", plan->inventory_source);
  add_string (&builder, "inventory-sha256", plan->inventory_sha256);
  add_string (&builder, "ssh-config-path", plan->ssh_config_path);
  g_variant_builder_add (&builder, "{sv}", "ssh-config-sources",
                         source_files_to_variant (plan->ssh_config_sources));
  g_variant_builder_add (&builder, "{sv}", "inventory-files",
                         fleet_inventory_files_to_variant (plan->inventory_files));
  g_variant_builder_add (&builder, "{sv}", "compiled-at", g_variant_new_int64 (plan->compiled_at));
  if (plan->expires_at != 0)
    g_variant_builder_add (&builder, "{sv}", "expires-at", g_variant_new_int64 (plan->expires_at));
  g_variant_builder_add (&builder, "{sv}", "parallelism", g_variant_new_uint32 (plan->parallelism));
  g_variant_builder_add (&builder, "{sv}", "hosts", hosts_to_variant (plan->hosts));
  g_variant_builder_add (&builder, "{sv}", "jump-hosts", hosts_to_variant (plan->jump_hosts));
  g_variant_builder_add (&builder, "{sv}", "steps", g_variant_builder_end (&steps));
  add_string_table (&builder, "vars", plan->vars);
  g_variant_builder_add (&builder, "{sv}", "waves", g_variant_builder_end (&waves));
  g_variant_builder_add (&builder, "{sv}", "wave-details", wave_details_to_variant (plan));
  add_string (&builder, "limit", plan->limit);
  add_string (&builder, "order-by", plan->order_by);
  g_variant_builder_add (&builder, "{sv}", "spread", spread_to_variant (plan->spread));
  g_variant_builder_add (&builder, "{sv}", "halt-at", halt_at_to_variant (plan));
  g_variant_builder_add (&builder, "{sv}", "halt-failed-total",
                         g_variant_new_uint32 (plan->halt_failed_total));
  g_variant_builder_add (&builder, "{sv}", "halt-unreachable-total",
                         g_variant_new_uint32 (plan->halt_unreachable_total));
  if (plan->snapshot != NULL)
    g_variant_builder_add (&builder, "{sv}", "snapshot",
                           fleet_snapshot_config_to_variant (plan->snapshot));
  fleet_plan_progressive_to_variant (plan, &builder);
  if (plan->pacing != NULL && !fleet_pacing_is_default (plan->pacing))
    g_variant_builder_add (&builder, "{sv}", "pacing", fleet_pacing_to_variant (plan->pacing));
  if (plan->schedule != NULL)
    g_variant_builder_add (&builder, "{sv}", "schedule",
                           fleet_plan_schedule_to_variant (plan->schedule));
  if (plan->gather_facts)
    g_variant_builder_add (&builder, "{sv}", "gather-facts", g_variant_new_boolean (TRUE));
  fleet_step_overlap_to_variant (plan->step_overlap, &builder);

  body = g_variant_ref_sink (g_variant_builder_end (&builder));
  return g_variant_get_normal_form (body);
}

static void
sha256 (const void *data, gsize length, unsigned char digest[FLEET_PLAN_DIGEST_LENGTH])
{
  unsigned int digest_length = 0;

  if (!EVP_Digest (data, length, digest, &digest_length, EVP_sha256 (), NULL)
      || digest_length != FLEET_PLAN_DIGEST_LENGTH)
    g_error ("OpenSSL SHA-256 failed");
}

static char *
hex_encode (const unsigned char *bytes, gsize length)
{
  static const char digits[] = "0123456789abcdef";
  char *hex = g_malloc (length * 2 + 1);

  for (gsize i = 0; i < length; i++)
    {
      hex[2 * i] = digits[bytes[i] >> 4];
      hex[2 * i + 1] = digits[bytes[i] & 0x0f];
    }
  hex[length * 2] = '\0';
  return hex;
}

GBytes *
fleet_plan_serialize (FleetPlan *plan)
{
  g_autoptr(GVariant) body = fleet_plan_to_variant (plan);
  gsize body_length = g_variant_get_size (body);
  gsize total = FLEET_PLAN_HEADER_LENGTH + body_length + FLEET_PLAN_DIGEST_LENGTH;
  guint8 *file = g_malloc0 (total);
  guint32 version_be = GUINT32_TO_BE (FLEET_PLAN_FORMAT_VERSION);
  guint32 flags_be = 0;
  guint64 length_be = GUINT64_TO_BE ((guint64) body_length);

  memcpy (file, FLEET_PLAN_MAGIC, FLEET_PLAN_MAGIC_LENGTH);
  memcpy (file + 8, &version_be, 4);
  memcpy (file + 12, &flags_be, 4);
  memcpy (file + 16, &length_be, 8);
  g_variant_store (body, file + FLEET_PLAN_HEADER_LENGTH);
  sha256 (file, FLEET_PLAN_HEADER_LENGTH + body_length,
          file + FLEET_PLAN_HEADER_LENGTH + body_length);

  g_free (plan->file_sha256);
  plan->file_sha256 = hex_encode (file + FLEET_PLAN_HEADER_LENGTH + body_length,
                                  FLEET_PLAN_DIGEST_LENGTH);
  return g_bytes_new_take (file, total);
}

/* Deserialization.  The body has passed the digest check before these run,
 * so a failure here means a writer bug or a deliberately crafted file; each
 * still gets an error naming the field rather than a crash. */

static gboolean
lookup_string (GVariant *dict, const char *key, gboolean required, char **out, GError **error)
{
  g_autoptr(GVariant) value = g_variant_lookup_value (dict, key, G_VARIANT_TYPE_STRING);

  if (value == NULL)
    {
      if (!required)
        return TRUE;
      g_set_error (error, FLEET_PLAN_ERROR, FLEET_PLAN_ERROR_INVALID,
                   "plan body lacks the string field \"%s\"", key);
      return FALSE;
    }

  *out = g_variant_dup_string (value, NULL);
  return TRUE;
}

static gboolean
lookup_value (GVariant *dict, const char *key, const char *type, GVariant **out, GError **error)
{
  *out = g_variant_lookup_value (dict, key, G_VARIANT_TYPE (type));
  if (*out != NULL)
    return TRUE;

  g_set_error (error, FLEET_PLAN_ERROR, FLEET_PLAN_ERROR_INVALID,
               "plan body lacks the field \"%s\" of type %s", key, type);
  return FALSE;
}

static gboolean
lookup_strv (GVariant *dict, const char *key, GPtrArray *out, GError **error)
{
  g_autoptr(GVariant) value = NULL;
  GVariantIter iter;
  const char *item;

  if (!lookup_value (dict, key, "as", &value, error))
    return FALSE;

  g_variant_iter_init (&iter, value);
  while (g_variant_iter_next (&iter, "&s", &item))
    g_ptr_array_add (out, g_strdup (item));
  return TRUE;
}

/* Read the optional "max-sessions" of a host: absent means sshd's default. */
static gboolean
read_max_sessions (GVariant *dict, FleetHost *host, GError **error)
{
  g_autoptr(GVariant) value = g_variant_lookup_value (dict, "max-sessions", NULL);

  if (value == NULL)
    return TRUE;
  if (!g_variant_is_of_type (value, G_VARIANT_TYPE_UINT32) || g_variant_get_uint32 (value) == 0)
    {
      g_set_error (error, FLEET_PLAN_ERROR, FLEET_PLAN_ERROR_INVALID,
                   "plan host \"%s\" has a damaged \"max-sessions\"; compile the plan again "
                   "with `fleetc compile`", host->name);
      return FALSE;
    }
  host->max_sessions = g_variant_get_uint32 (value);
  return TRUE;
}

static FleetHost *
host_from_variant (GVariant *dict, GError **error)
{
  g_autoptr(FleetHost) host = fleet_host_new (NULL);
  g_autoptr(GVariant) port = NULL;
  g_autoptr(GVariant) identities_only = NULL;
  g_autoptr(GVariant) hash_known_hosts = NULL;
  g_autoptr(GVariant) timeout = NULL;
  g_autoptr(GVariant) keepalive_interval = NULL;
  g_autoptr(GVariant) keepalive_count = NULL;
  g_autoptr(GVariant) attributes = NULL;
  g_autofree char *policy = NULL;
  GVariantIter iter;
  const char *key;
  const char *value;

  if (!lookup_string (dict, "name", TRUE, &host->name, error)
      || !lookup_string (dict, "address", TRUE, &host->address, error)
      || !lookup_string (dict, "user", FALSE, &host->user, error)
      || !lookup_strv (dict, "identity-files", host->identity_files, error)
      || !lookup_value (dict, "identities-only", "b", &identities_only, error)
      || !lookup_strv (dict, "known-hosts-files", host->known_hosts_files, error)
      || !lookup_string (dict, "host-key-policy", TRUE, &policy, error)
      || !lookup_string (dict, "proxy-jump", FALSE, &host->proxy_jump, error)
      || !lookup_value (dict, "port", "q", &port, error)
      || !lookup_value (dict, "connect-timeout-ms", "u", &timeout, error)
      || !lookup_value (dict, "keepalive-interval-ms", "u", &keepalive_interval, error)
      || !lookup_value (dict, "keepalive-count-max", "u", &keepalive_count, error)
      || !lookup_string (dict, "key-passphrase-secret", FALSE, &host->key_passphrase_secret, error)
      || !lookup_string (dict, "become-password-secret", FALSE, &host->become_password_secret,
                         error)
      || !lookup_value (dict, "attributes", "a{ss}", &attributes, error)
      || !lookup_strv (dict, "groups", host->groups, error))
    return NULL;

  if (!fleet_host_key_policy_from_string (policy, &host->host_key_policy))
    {
      g_set_error (error, FLEET_PLAN_ERROR, FLEET_PLAN_ERROR_INVALID,
                   "host \"%s\" has the unknown host key policy \"%s\"", host->name, policy);
      return NULL;
    }

  host->port = g_variant_get_uint16 (port);
  host->identities_only = g_variant_get_boolean (identities_only);
  /* An optional field: absent means FALSE. */
  hash_known_hosts = g_variant_lookup_value (dict, "hash-known-hosts", G_VARIANT_TYPE_BOOLEAN);
  host->hash_known_hosts = hash_known_hosts != NULL && g_variant_get_boolean (hash_known_hosts);
  host->connect_timeout_ms = g_variant_get_uint32 (timeout);
  host->keepalive_interval_ms = g_variant_get_uint32 (keepalive_interval);
  host->keepalive_count_max = g_variant_get_uint32 (keepalive_count);
  if (!read_max_sessions (dict, host, error))
    return NULL;

  g_variant_iter_init (&iter, attributes);
  while (g_variant_iter_next (&iter, "{&s&s}", &key, &value))
    g_hash_table_insert (host->attributes, g_strdup (key), g_strdup (value));

  return g_steal_pointer (&host);
}

static FleetStep *
step_from_variant (GVariant *dict, GError **error)
{
  g_autoptr(FleetStep) step = fleet_step_new (NULL, NULL);
  g_autoptr(GVariant) timeout = NULL;
  g_autoptr(GVariant) expect = NULL;
  g_autoptr(GVariant) become = NULL;
  const gint32 *codes;
  gsize n_codes = 0;

  if (!lookup_string (dict, "name", TRUE, &step->name, error)
      || !lookup_string (dict, "command", TRUE, &step->command, error)
      || !lookup_string (dict, "become-user", FALSE, &step->become_user, error)
      || !lookup_string (dict, "when", FALSE, &step->when, error)
      || !lookup_value (dict, "timeout-ms", "t", &timeout, error)
      || !lookup_value (dict, "expect-exit", "ai", &expect, error)
      || !lookup_value (dict, "become", "b", &become, error))
    return NULL;

  codes = g_variant_get_fixed_array (expect, &n_codes, sizeof (gint32));
  if (n_codes == 0)
    {
      g_set_error (error, FLEET_PLAN_ERROR, FLEET_PLAN_ERROR_INVALID,
                   "step \"%s\" has no expected exit codes", step->name);
      return NULL;
    }

  step->timeout_ms = g_variant_get_uint64 (timeout);
  g_array_set_size (step->expected_exit_codes, 0);
  g_array_append_vals (step->expected_exit_codes, codes, n_codes);
  step->become = g_variant_get_boolean (become);
  if (!g_variant_lookup (dict, "idempotent", "b", &step->idempotent))
    step->idempotent = FALSE;
  step->host_commands = lookup_string_table (dict, "host-commands");
  step->skipped_hosts = lookup_string_table (dict, "skipped-hosts");
  if (!fleet_step_kind_from_variant (dict, step->name, &step->kind_data, error)
      || !fleet_step_policy_from_variant (dict, step->name, &step->policy, error)
      || !fleet_step_values_from_variant (dict, step->name, &step->values, error)
      || !fleet_step_barriers_from_variant (dict, step->name, &step->barriers, error))
    return NULL;
  return g_steal_pointer (&step);
}

static gboolean
read_records (GVariant *array,
              gpointer (*from_variant) (GVariant *, GError **),
              GPtrArray *out,
              GError **error)
{
  GVariantIter iter;
  GVariant *child;

  g_variant_iter_init (&iter, array);
  while ((child = g_variant_iter_next_value (&iter)) != NULL)
    {
      gpointer record = from_variant (child, error);

      g_variant_unref (child);
      if (record == NULL)
        return FALSE;
      g_ptr_array_add (out, record);
    }

  return TRUE;
}

static void
read_source_files (GVariant *array, GPtrArray *out)
{
  GVariantIter iter;
  const char *path;
  const char *sha256;

  g_variant_iter_init (&iter, array);
  while (g_variant_iter_next (&iter, "(&s&s)", &path, &sha256))
    g_ptr_array_add (out, fleet_source_file_new (path, sha256));
}

static gboolean
read_waves (GVariant *array, FleetPlan *plan, GError **error)
{
  GVariantIter iter;
  GVariant *child;
  g_autofree gboolean *placed = g_new0 (gboolean, plan->hosts->len + 1);

  g_variant_iter_init (&iter, array);
  while ((child = g_variant_iter_next_value (&iter)) != NULL)
    {
      g_autoptr(GVariant) owned = child;
      g_autoptr(FleetWave) wave = fleet_wave_new ();
      gsize n = 0;
      const guint32 *indices = g_variant_get_fixed_array (owned, &n, sizeof (guint32));

      for (gsize i = 0; i < n; i++)
        {
          if (indices[i] >= plan->hosts->len || placed[indices[i]])
            {
              g_set_error (error, FLEET_PLAN_ERROR, FLEET_PLAN_ERROR_INVALID,
                           "wave %u names host index %u, which is out of range or "
                           "already in an earlier wave", plan->waves->len + 1, indices[i]);
              return FALSE;
            }
          placed[indices[i]] = TRUE;
        }

      g_array_append_vals (wave->host_indices, indices, n);
      g_ptr_array_add (plan->waves, g_steal_pointer (&wave));
    }

  return TRUE;
}

static gboolean
read_wave_details (GVariant *array, FleetPlan *plan, GError **error)
{
  gsize n_details = g_variant_n_children (array);

  if (n_details != plan->waves->len)
    {
      g_set_error (error, FLEET_PLAN_ERROR, FLEET_PLAN_ERROR_INVALID,
                   "plan has %u waves but details for %" G_GSIZE_FORMAT, plan->waves->len,
                   n_details);
      return FALSE;
    }

  for (gsize i = 0; i < n_details; i++)
    {
      g_autoptr(GVariant) details = g_variant_get_child_value (array, i);
      g_autoptr(GVariant) canary = NULL;
      g_autoptr(GVariant) halt_failed = NULL;
      g_autoptr(GVariant) halt_unreachable = NULL;
      FleetWave *wave = g_ptr_array_index (plan->waves, i);

      if (!lookup_string (details, "stage", FALSE, &wave->stage, error)
          || !lookup_value (details, "canary", "b", &canary, error)
          || !lookup_value (details, "halt-failed", "u", &halt_failed, error)
          || !lookup_value (details, "halt-unreachable", "u", &halt_unreachable, error))
        return FALSE;

      wave->canary = g_variant_get_boolean (canary);
      wave->halt_failed = g_variant_get_uint32 (halt_failed);
      wave->halt_unreachable = g_variant_get_uint32 (halt_unreachable);
    }
  return TRUE;
}

/* Stages come from `order-by`: every wave has one when it is set and none
 * when it is not, the waves of a stage are consecutive, and a canary wave
 * opens its stage. */
static gboolean
check_stages (const FleetPlan *plan, GError **error)
{
  g_autoptr(GHashTable) finished = g_hash_table_new (g_str_hash, g_str_equal);

  for (guint i = 0; i < plan->waves->len; i++)
    {
      const FleetWave *wave = g_ptr_array_index (plan->waves, i);
      const FleetWave *previous = i > 0 ? g_ptr_array_index (plan->waves, i - 1) : NULL;
      gboolean opens_stage = previous == NULL || g_strcmp0 (previous->stage, wave->stage) != 0;

      if ((wave->stage == NULL) != (plan->order_by == NULL))
        {
          g_set_error (error, FLEET_PLAN_ERROR, FLEET_PLAN_ERROR_INVALID,
                       "wave %u %s a stage, but the plan %s an order", i + 1,
                       wave->stage != NULL ? "has" : "lacks",
                       plan->order_by != NULL ? "has" : "lacks");
          return FALSE;
        }

      if (opens_stage && wave->stage != NULL
          && g_hash_table_contains (finished, wave->stage))
        {
          g_set_error (error, FLEET_PLAN_ERROR, FLEET_PLAN_ERROR_INVALID,
                       "wave %u returns to stage \"%s\" after another stage", i + 1,
                       wave->stage);
          return FALSE;
        }

      if (wave->canary && !opens_stage)
        {
          g_set_error (error, FLEET_PLAN_ERROR, FLEET_PLAN_ERROR_INVALID,
                       "wave %u is a canary wave but not the first wave of its stage", i + 1);
          return FALSE;
        }

      if (previous != NULL && opens_stage && previous->stage != NULL)
        g_hash_table_add (finished, previous->stage);
    }
  return TRUE;
}

static gboolean
read_threshold (GVariant *dict, const char *key, const char *owner, FleetThreshold *out,
                GError **error)
{
  g_autofree char *text = NULL;

  if (!lookup_string (dict, key, TRUE, &text, error))
    return FALSE;

  if (!fleet_threshold_from_string (text, out))
    {
      g_set_error (error, FLEET_PLAN_ERROR, FLEET_PLAN_ERROR_INVALID,
                   "%s has the invalid threshold \"%s\"", owner, text);
      return FALSE;
    }
  return TRUE;
}

static gboolean
read_spread (GVariant *array, FleetPlan *plan, GError **error)
{
  for (gsize i = 0; i < g_variant_n_children (array); i++)
    {
      g_autoptr(GVariant) entry = g_variant_get_child_value (array, i);
      g_autofree char *attribute = NULL;
      g_autofree char *owner = g_strdup_printf ("spread rule %" G_GSIZE_FORMAT, i + 1);
      FleetThreshold max_per_wave;

      if (!lookup_string (entry, "by", TRUE, &attribute, error)
          || !read_threshold (entry, "max-per-wave", owner, &max_per_wave, error))
        return FALSE;

      if (attribute[0] == '\0' || max_per_wave.kind == FLEET_THRESHOLD_UNLIMITED)
        {
          g_set_error (error, FLEET_PLAN_ERROR, FLEET_PLAN_ERROR_INVALID,
                       "%s needs an attribute and a limit", owner);
          return FALSE;
        }
      g_ptr_array_add (plan->spread, fleet_spread_rule_new (attribute, max_per_wave));
    }
  return TRUE;
}

static gboolean
read_halt_at (GVariant *array, FleetPlan *plan, GError **error)
{
  if (g_variant_n_children (array) != FLEET_HALT_N_RULES)
    {
      g_set_error (error, FLEET_PLAN_ERROR, FLEET_PLAN_ERROR_INVALID,
                   "plan has %" G_GSIZE_FORMAT " halt rules instead of %d",
                   g_variant_n_children (array), FLEET_HALT_N_RULES);
      return FALSE;
    }

  for (guint rule = 0; rule < FLEET_HALT_N_RULES; rule++)
    {
      g_autoptr(GVariant) entry = g_variant_get_child_value (array, rule);
      g_autoptr(GVariant) is_default = NULL;
      g_autofree char *name = NULL;
      FleetThreshold expected_default = fleet_halt_rule_default (rule);

      if (!lookup_string (entry, "rule", TRUE, &name, error)
          || !read_threshold (entry, "threshold", fleet_halt_rule_name (rule),
                              &plan->halt_at[rule], error)
          || !lookup_value (entry, "default", "b", &is_default, error))
        return FALSE;

      if (g_strcmp0 (name, fleet_halt_rule_name (rule)) != 0)
        {
          g_set_error (error, FLEET_PLAN_ERROR, FLEET_PLAN_ERROR_INVALID,
                       "halt rule %u is \"%s\" instead of \"%s\"", rule + 1, name,
                       fleet_halt_rule_name (rule));
          return FALSE;
        }

      plan->halt_at_default[rule] = g_variant_get_boolean (is_default);
      if (plan->halt_at_default[rule]
          && (plan->halt_at[rule].kind != expected_default.kind
              || plan->halt_at[rule].value != expected_default.value))
        {
          g_set_error (error, FLEET_PLAN_ERROR, FLEET_PLAN_ERROR_INVALID,
                       "halt rule %s is marked as the default but differs from it",
                       fleet_halt_rule_name (rule));
          return FALSE;
        }
    }
  return TRUE;
}

void
fleet_plan_resolve_thresholds (FleetPlan *plan)
{
  for (guint i = 0; i < plan->waves->len; i++)
    {
      FleetWave *wave = g_ptr_array_index (plan->waves, i);

      wave->halt_failed = fleet_threshold_resolve (&plan->halt_at[FLEET_HALT_FAILED_PER_WAVE],
                                                   wave->host_indices->len);
      wave->halt_unreachable =
        fleet_threshold_resolve (&plan->halt_at[FLEET_HALT_UNREACHABLE_PER_WAVE],
                                 wave->host_indices->len);
    }

  plan->halt_failed_total = fleet_threshold_resolve (&plan->halt_at[FLEET_HALT_FAILED_TOTAL],
                                                     plan->hosts->len);
  plan->halt_unreachable_total =
    fleet_threshold_resolve (&plan->halt_at[FLEET_HALT_UNREACHABLE_TOTAL], plan->hosts->len);
}

/* The resolved thresholds must be what the rules give for the plan's own
 * wave sizes, so that fleet-run enforces exactly what `fleetc show` prints. */
static gboolean
check_thresholds (const FleetPlan *plan, GError **error)
{
  g_autoptr(FleetPlan) expected = fleet_plan_new ();

  for (guint i = 0; i < plan->waves->len; i++)
    {
      const FleetWave *wave = g_ptr_array_index (plan->waves, i);
      FleetWave *copy = fleet_wave_new ();

      g_array_set_size (copy->host_indices, wave->host_indices->len);
      g_ptr_array_add (expected->waves, copy);
    }
  for (guint i = 0; i < plan->hosts->len; i++)
    g_ptr_array_add (expected->hosts, fleet_host_new (NULL));
  memcpy (expected->halt_at, plan->halt_at, sizeof plan->halt_at);
  fleet_plan_resolve_thresholds (expected);

  for (guint i = 0; i < plan->waves->len; i++)
    {
      const FleetWave *wave = g_ptr_array_index (plan->waves, i);
      const FleetWave *want = g_ptr_array_index (expected->waves, i);

      if (wave->halt_failed != want->halt_failed || wave->halt_unreachable != want->halt_unreachable)
        {
          g_set_error (error, FLEET_PLAN_ERROR, FLEET_PLAN_ERROR_INVALID,
                       "wave %u halts at %u failed and %u unreachable hosts, but its rules "
                       "give %u and %u", i + 1, wave->halt_failed, wave->halt_unreachable,
                       want->halt_failed, want->halt_unreachable);
          return FALSE;
        }
    }

  if (plan->halt_failed_total != expected->halt_failed_total
      || plan->halt_unreachable_total != expected->halt_unreachable_total)
    {
      g_set_error (error, FLEET_PLAN_ERROR, FLEET_PLAN_ERROR_INVALID,
                   "the plan halts at %u failed and %u unreachable hosts in all, but its rules "
                   "give %u and %u", plan->halt_failed_total, plan->halt_unreachable_total,
                   expected->halt_failed_total, expected->halt_unreachable_total);
      return FALSE;
    }
  return TRUE;
}

/* Every proxy_jump must name a jump host of the plan, and following them
 * must end: a cycle would make fleet-run open tunnels forever. */
static gboolean
check_jump_hosts (const FleetPlan *plan, GError **error)
{
  const GPtrArray *lists[] = { plan->hosts, plan->jump_hosts };

  for (guint l = 0; l < G_N_ELEMENTS (lists); l++)
    for (guint i = 0; i < lists[l]->len; i++)
      {
        const FleetHost *host = g_ptr_array_index (lists[l], i);
        const FleetHost *hop = host;
        guint hops = 0;

        while (hop->proxy_jump != NULL)
          {
            const char *name = hop->proxy_jump;

            hop = fleet_plan_find_jump_host (plan, name);
            if (hop == NULL)
              {
                g_set_error (error, FLEET_PLAN_ERROR, FLEET_PLAN_ERROR_INVALID,
                             "host \"%s\" jumps through \"%s\", which is not a jump host of "
                             "the plan", host->name, name);
                return FALSE;
              }
            if (++hops > plan->jump_hosts->len)
              {
                g_set_error (error, FLEET_PLAN_ERROR, FLEET_PLAN_ERROR_INVALID,
                             "the jump hosts of host \"%s\" form a cycle", host->name);
                return FALSE;
              }
          }
      }
  return TRUE;
}

const FleetHost *
fleet_plan_find_jump_host (const FleetPlan *plan, const char *name)
{
  for (guint i = 0; i < plan->jump_hosts->len; i++)
    {
      const FleetHost *jump_host = g_ptr_array_index (plan->jump_hosts, i);

      if (g_strcmp0 (jump_host->name, name) == 0)
        return jump_host;
    }
  return NULL;
}

/* Read the keys that format 3 added: the compile time, the expiry and the
 * inventory files. */
static gboolean
read_trust_fields (GVariant *body, FleetPlan *plan, GError **error)
{
  g_autoptr(GVariant) compiled_at = NULL;
  g_autoptr(GVariant) expires_at = g_variant_lookup_value (body, "expires-at", G_VARIANT_TYPE_INT64);
  g_autoptr(GVariant) inventory_files = NULL;

  if (!lookup_value (body, "compiled-at", "x", &compiled_at, error)
      || !lookup_value (body, "inventory-files", "aa{sv}", &inventory_files, error))
    return FALSE;

  plan->compiled_at = g_variant_get_int64 (compiled_at);
  plan->expires_at = expires_at != NULL ? g_variant_get_int64 (expires_at) : 0;
  if (expires_at != NULL && plan->expires_at <= plan->compiled_at)
    {
      g_set_error (error, FLEET_PLAN_ERROR, FLEET_PLAN_ERROR_INVALID,
                   "plan expires at %" G_GINT64_FORMAT ", not after its compile time %"
                   G_GINT64_FORMAT, plan->expires_at, plan->compiled_at);
      return FALSE;
    }

  return fleet_inventory_files_from_variant (inventory_files, plan->inventory_files, error);
}

/* Read the keys of the rollout, which format 3 also added: each wave's
 * stage, canary flag and thresholds, the --limit, the stages' attribute, the
 * spread rules and halt_at.  A format 2 plan keeps the defaults: no stages
 * or spread, and every wave halts at its first failed or unreachable host. */
static gboolean
read_rollout_fields (GVariant *body, FleetPlan *plan, GError **error)
{
  g_autoptr(GVariant) wave_details = NULL;
  g_autoptr(GVariant) spread = NULL;
  g_autoptr(GVariant) halt_at = NULL;
  g_autoptr(GVariant) halt_failed_total = NULL;
  g_autoptr(GVariant) halt_unreachable_total = NULL;

  if (!lookup_value (body, "wave-details", "aa{sv}", &wave_details, error)
      || !lookup_string (body, "limit", FALSE, &plan->limit, error)
      || !lookup_string (body, "order-by", FALSE, &plan->order_by, error)
      || !lookup_value (body, "spread", "aa{sv}", &spread, error)
      || !lookup_value (body, "halt-at", "aa{sv}", &halt_at, error)
      || !lookup_value (body, "halt-failed-total", "u", &halt_failed_total, error)
      || !lookup_value (body, "halt-unreachable-total", "u", &halt_unreachable_total, error))
    return FALSE;

  plan->halt_failed_total = g_variant_get_uint32 (halt_failed_total);
  plan->halt_unreachable_total = g_variant_get_uint32 (halt_unreachable_total);
  return read_wave_details (wave_details, plan, error)
         && check_stages (plan, error)
         && read_spread (spread, plan, error)
         && read_halt_at (halt_at, plan, error)
         && check_thresholds (plan, error);
}

/* Optional: plans without windows omit the key. */
static gboolean
read_schedule (GVariant *body, FleetPlan *plan, GError **error)
{
  g_autoptr(GVariant) schedule = g_variant_lookup_value (body, "schedule",
                                                         G_VARIANT_TYPE ("a{sv}"));
  g_autoptr(GError) local_error = NULL;

  if (schedule == NULL)
    return TRUE;

  plan->schedule = fleet_plan_schedule_from_variant (schedule, plan->hosts->len,
                                                     plan->steps->len, plan->waves->len,
                                                     &local_error);
  if (plan->schedule != NULL)
    return TRUE;

  g_set_error (error, FLEET_PLAN_ERROR, FLEET_PLAN_ERROR_INVALID, "%s", local_error->message);
  return FALSE;
}

static FleetPlan *
plan_from_body (GVariant *body, guint32 version, GError **error)
{
  g_autoptr(FleetPlan) plan = fleet_plan_new ();
  g_autoptr(GVariant) parallelism = NULL;
  g_autoptr(GVariant) ssh_config_sources = NULL;
  g_autoptr(GVariant) hosts = NULL;
  g_autoptr(GVariant) jump_hosts = NULL;
  g_autoptr(GVariant) steps = NULL;
  g_autoptr(GVariant) waves = NULL;
  g_autoptr(GVariant) snapshot = NULL;
  g_autoptr(GVariant) pacing = NULL;

  if (!lookup_string (body, "workflow", TRUE, &plan->workflow_name, error)
      || !lookup_string (body, "workflow-source", FALSE, &plan->workflow_source, error)
      || !lookup_string (body, "workflow-sha256", FALSE, &plan->workflow_sha256, error)
      || !lookup_string (body, "inventory-source", FALSE, &plan->inventory_source, error)
      || !lookup_string (body, "inventory-sha256", FALSE, &plan->inventory_sha256, error)
      || !lookup_string (body, "ssh-config-path", FALSE, &plan->ssh_config_path, error)
      || !lookup_value (body, "ssh-config-sources", "a(ss)", &ssh_config_sources, error)
      || !lookup_value (body, "parallelism", "u", &parallelism, error)
      || !lookup_value (body, "hosts", "aa{sv}", &hosts, error)
      || !lookup_value (body, "jump-hosts", "aa{sv}", &jump_hosts, error)
      || !lookup_value (body, "steps", "aa{sv}", &steps, error)
      || !lookup_value (body, "waves", "aau", &waves, error))
    return NULL;

  read_source_files (ssh_config_sources, plan->ssh_config_sources);
  plan->format_version = version;
  if (version >= 3 && !read_trust_fields (body, plan, error))
    return NULL;

  plan->vars = lookup_string_table (body, "vars");
  plan->parallelism = g_variant_get_uint32 (parallelism);
  if (plan->parallelism == 0)
    {
      g_set_error_literal (error, FLEET_PLAN_ERROR, FLEET_PLAN_ERROR_INVALID,
                           "plan parallelism is 0");
      return NULL;
    }

  if (!read_records (hosts, (gpointer (*) (GVariant *, GError **)) host_from_variant,
                     plan->hosts, error)
      || !read_records (jump_hosts, (gpointer (*) (GVariant *, GError **)) host_from_variant,
                        plan->jump_hosts, error)
      || !check_jump_hosts (plan, error)
      || !read_records (steps, (gpointer (*) (GVariant *, GError **)) step_from_variant,
                        plan->steps, error)
      || !read_waves (waves, plan, error)
      || (version >= 3 && !read_rollout_fields (body, plan, error)))
    return NULL;

  /* Optional: plans without snapshots omit the key. */
  snapshot = g_variant_lookup_value (body, "snapshot", G_VARIANT_TYPE ("a{sv}"));
  if (snapshot != NULL)
    {
      g_autoptr(GError) local_error = NULL;

      plan->snapshot = fleet_snapshot_config_from_variant (snapshot, &local_error);
      if (plan->snapshot == NULL)
        {
          g_set_error (error, FLEET_PLAN_ERROR, FLEET_PLAN_ERROR_INVALID, "%s",
                       local_error->message);
          return NULL;
        }
    }
  if (!fleet_plan_progressive_from_variant (body, plan, error))
    return NULL;
  if (!fleet_step_overlap_from_variant (body, plan->steps->len, &plan->step_overlap, error))
    return NULL;

  /* Optional: plans with the default pacing omit the key. */
  pacing = g_variant_lookup_value (body, "pacing", G_VARIANT_TYPE ("a{sv}"));
  if (pacing != NULL)
    {
      g_autoptr(GError) local_error = NULL;

      plan->pacing = fleet_pacing_from_variant (pacing, &local_error);
      if (plan->pacing == NULL)
        {
          g_set_error (error, FLEET_PLAN_ERROR, FLEET_PLAN_ERROR_INVALID, "%s",
                       local_error->message);
          return NULL;
        }
    }
  if (!read_schedule (body, plan, error))
    return NULL;

  /* Optional: plans whose conditions name no fact omit the key. */
  g_variant_lookup (body, "gather-facts", "b", &plan->gather_facts);

  return g_steal_pointer (&plan);
}

FleetPlan *
fleet_plan_deserialize (GBytes *bytes, GError **error)
{
  gsize size = 0;
  const guint8 *data = g_bytes_get_data (bytes, &size);
  guint32 version_be, version;
  guint64 length_be, body_length;
  gsize signed_length;
  unsigned char digest[FLEET_PLAN_DIGEST_LENGTH];
  g_autoptr(GBytes) body_bytes = NULL;
  g_autoptr(GVariant) body = NULL;
  FleetPlan *plan;

  if (size == 0)
    {
      g_set_error_literal (error, FLEET_PLAN_ERROR, FLEET_PLAN_ERROR_TRUNCATED,
                           "plan file is empty; compile it again with `fleetc compile`");
      return NULL;
    }

  if (size < FLEET_PLAN_MAGIC_LENGTH || memcmp (data, FLEET_PLAN_MAGIC, FLEET_PLAN_MAGIC_LENGTH) != 0)
    {
      g_set_error_literal (error, FLEET_PLAN_ERROR, FLEET_PLAN_ERROR_NOT_A_PLAN,
                           "not a fleetc plan file (the magic bytes \"FLEETPLN\" are missing); "
                           "make one with `fleetc compile`");
      return NULL;
    }

  if (size < FLEET_PLAN_HEADER_LENGTH)
    {
      g_set_error (error, FLEET_PLAN_ERROR, FLEET_PLAN_ERROR_TRUNCATED,
                   "plan file is truncated: %" G_GSIZE_FORMAT " bytes, shorter than its "
                   "%d-byte header", size, FLEET_PLAN_HEADER_LENGTH);
      return NULL;
    }

  memcpy (&version_be, data + 8, 4);
  version = GUINT32_FROM_BE (version_be);
  if (version < FLEET_PLAN_MIN_FORMAT_VERSION || version > FLEET_PLAN_FORMAT_VERSION)
    {
      g_set_error (error, FLEET_PLAN_ERROR, FLEET_PLAN_ERROR_VERSION,
                   "plan format version %u is %s than this program supports (%u to %u); "
                   "%s", version, version > FLEET_PLAN_FORMAT_VERSION ? "newer" : "older",
                   FLEET_PLAN_MIN_FORMAT_VERSION, FLEET_PLAN_FORMAT_VERSION,
                   version > FLEET_PLAN_FORMAT_VERSION
                     ? "upgrade fleetc, or compile the plan with this version"
                     : "compile the plan again with this version of fleetc");
      return NULL;
    }

  memcpy (&length_be, data + 16, 8);
  body_length = GUINT64_FROM_BE (length_be);
  if (body_length > FLEET_PLAN_MAX_BYTES
      || size < FLEET_PLAN_HEADER_LENGTH + body_length + FLEET_PLAN_DIGEST_LENGTH)
    {
      g_set_error (error, FLEET_PLAN_ERROR, FLEET_PLAN_ERROR_TRUNCATED,
                   "plan file is truncated: the header announces a %" G_GUINT64_FORMAT
                   "-byte body, but the file has %" G_GSIZE_FORMAT " bytes in all; "
                   "copy or compile it again", body_length, size);
      return NULL;
    }

  /* Only format 3 and later may carry a signature block after the digest. */
  signed_length = FLEET_PLAN_HEADER_LENGTH + body_length + FLEET_PLAN_DIGEST_LENGTH;
  if (size > signed_length && version < 3)
    {
      g_set_error (error, FLEET_PLAN_ERROR, FLEET_PLAN_ERROR_CORRUPT,
                   "plan file has %" G_GUINT64_FORMAT " unexpected bytes after its digest; "
                   "it was modified after it was written",
                   (guint64) (size - FLEET_PLAN_HEADER_LENGTH - body_length
                              - FLEET_PLAN_DIGEST_LENGTH));
      return NULL;
    }

  sha256 (data, FLEET_PLAN_HEADER_LENGTH + body_length, digest);
  if (CRYPTO_memcmp (digest, data + FLEET_PLAN_HEADER_LENGTH + body_length,
                     FLEET_PLAN_DIGEST_LENGTH) != 0)
    {
      g_set_error_literal (error, FLEET_PLAN_ERROR, FLEET_PLAN_ERROR_CORRUPT,
                           "plan file is corrupted: its SHA-256 digest does not match its "
                           "contents; it was modified after it was written, so compile it again");
      return NULL;
    }

  body_bytes = g_bytes_new_from_bytes (bytes, FLEET_PLAN_HEADER_LENGTH, body_length);
  body = g_variant_ref_sink (g_variant_new_from_bytes (G_VARIANT_TYPE (FLEET_PLAN_BODY_TYPE),
                                                       body_bytes, FALSE));
  if (!g_variant_is_normal_form (body))
    {
      g_set_error_literal (error, FLEET_PLAN_ERROR, FLEET_PLAN_ERROR_INVALID,
                           "plan body is not a GVariant in normal form");
      return NULL;
    }

  plan = plan_from_body (body, version, error);
  if (plan == NULL)
    return NULL;

  plan->file_sha256 = hex_encode (data + FLEET_PLAN_HEADER_LENGTH + body_length,
                                  FLEET_PLAN_DIGEST_LENGTH);
  if (size > signed_length
      && !fleet_plan_signatures_read (data + signed_length, size - signed_length,
                                      data + FLEET_PLAN_HEADER_LENGTH + body_length,
                                      plan->signatures, error))
    {
      fleet_plan_free (plan);
      return NULL;
    }

  return plan;
}

gboolean
fleet_plan_write_file (FleetPlan *plan, const char *path, GError **error)
{
  g_autoptr(GBytes) bytes = fleet_plan_serialize (plan);

  return fleet_plan_write_bytes (bytes, path, error);
}

gboolean
fleet_plan_write_bytes (GBytes *bytes, const char *path, GError **error)
{
  gsize size = 0;
  const char *data = g_bytes_get_data (bytes, &size);
  g_autoptr(GError) local_error = NULL;

  if (!fleet_file_write_output (path, data, size, 0644, &local_error))
    {
      g_set_error (error, FLEET_PLAN_ERROR, FLEET_PLAN_ERROR_IO,
                   "cannot write plan %s: %s", path, local_error->message);
      return FALSE;
    }

  return TRUE;
}

GBytes *
fleet_plan_read_bytes (const char *path, GError **error)
{
  g_autoptr(GMappedFile) mapped = NULL;
  g_autoptr(GError) local_error = NULL;
  struct stat info;

  if (stat (path, &info) == 0 && !S_ISREG (info.st_mode))
    {
      g_set_error (error, FLEET_PLAN_ERROR, FLEET_PLAN_ERROR_IO,
                   "cannot read plan %s: it is not a regular file", path);
      return NULL;
    }

  mapped = g_mapped_file_new (path, FALSE, &local_error);
  if (mapped == NULL)
    {
      g_autofree char *reason = fleet_file_error_reason (local_error);

      g_set_error (error, FLEET_PLAN_ERROR, FLEET_PLAN_ERROR_IO,
                   "cannot read plan %s: %s", path, reason);
      return NULL;
    }

  return g_mapped_file_get_bytes (mapped);
}

FleetPlan *
fleet_plan_read_file (const char *path, GError **error)
{
  g_autoptr(GBytes) bytes = fleet_plan_read_bytes (path, error);
  FleetPlan *plan;

  if (bytes == NULL)
    return NULL;

  plan = fleet_plan_deserialize (bytes, error);
  if (plan == NULL)
    g_prefix_error (error, "%s: ", path);
  return plan;
}
