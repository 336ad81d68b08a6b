/* test-plan-file.c: the plan file format: round trip, determinism, every
 * kind of damaged or foreign file, format 2, and the signature block. */
#include <fcntl.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <glib/gstdio.h>
#include <openssl/evp.h>
#include <openssl/pem.h>

#include "schema/fleet-plan.h"
#include "schema/fleet-plan-signature.h"

#define ALICE_SHA256 "0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef"

static FleetPlan *
make_plan (void)
{
  FleetPlan *plan = fleet_plan_new ();
  FleetStep *step;
  FleetWave *first = fleet_wave_new ();
  FleetWave *second = fleet_wave_new ();
  int expected[] = { 0, 3 };

  plan->workflow_name = g_strdup ("rolling-patch");
  plan->workflow_source = g_strdup ("examples/rolling-patch.yaml");
  plan->workflow_sha256 = g_strdup ("ab12");
  plan->inventory_source = g_strdup ("inventory.yaml");
  plan->inventory_sha256 = g_strdup ("cd34");
  plan->ssh_config_path = g_strdup ("/home/op/.ssh/config");
  g_ptr_array_add (plan->ssh_config_sources,
                   fleet_source_file_new ("/home/op/.ssh/config", "ef56"));
  g_ptr_array_add (plan->ssh_config_sources,
                   fleet_source_file_new ("/home/op/.ssh/conf.d/dc1", "ab78"));
  plan->parallelism = 7;
  plan->compiled_at = 1767225600;              /* 2026-01-01T00:00:00Z */
  plan->expires_at = plan->compiled_at + 8 * 3600;
  g_ptr_array_add (plan->inventory_files,
                   fleet_inventory_file_new ("/etc/fleet/inventory.yaml",
                                             FLEET_INVENTORY_FILE_STATIC, ALICE_SHA256));
  g_ptr_array_add (plan->inventory_files,
                   fleet_inventory_file_new ("/etc/fleet/cmdb.py", FLEET_INVENTORY_FILE_PROGRAM,
                                             ALICE_SHA256));

  for (guint i = 0; i < 3; i++)
    {
      g_autofree char *name = g_strdup_printf ("web%02u", i + 1);
      FleetHost *host = fleet_host_new (name);

      host->address = g_strdup_printf ("192.0.2.%u", i + 10);
      host->port = 2200 + i;
      host->user = i == 0 ? NULL : g_strdup ("deploy");
      g_ptr_array_add (host->identity_files, g_strdup ("~/.ssh/id_ed25519"));
      if (i == 1)
        g_ptr_array_add (host->identity_files, g_strdup ("~/.ssh/id_rsa"));
      if (i != 2)
        g_ptr_array_add (host->known_hosts_files, g_strdup ("/etc/fleet/known_hosts"));
      host->identities_only = i == 1;
      host->host_key_policy = i == 0 ? FLEET_HOST_KEY_POLICY_ACCEPT_NEW
                                     : FLEET_HOST_KEY_POLICY_STRICT;
      host->hash_known_hosts = i == 0;
      host->connect_timeout_ms = 5000;
      host->keepalive_interval_ms = 1000 * (i + 1);
      host->keepalive_count_max = 5;
      host->key_passphrase_secret = i == 1 ? g_strdup ("deploy-key") : NULL;
      host->become_password_secret = i == 2 ? g_strdup ("sudo-web03") : NULL;
      host->proxy_jump = i == 2 ? g_strdup ("bastion-dc1") : NULL;
      g_hash_table_insert (host->attributes, g_strdup ("rack"), g_strdup ("r1"));
      g_hash_table_insert (host->attributes, g_strdup ("dc"), g_strdup ("NO"));
      g_ptr_array_add (host->groups, g_strdup ("web"));
      g_ptr_array_add (plan->hosts, host);
    }

  step = fleet_step_new ("install", "apt-get install -y 'openssl=3.0.15'\necho done");
  step->timeout_ms = 600000;
  g_array_set_size (step->expected_exit_codes, 0);
  g_array_append_vals (step->expected_exit_codes, expected, 2);
  step->become = TRUE;
  step->become_user = g_strdup ("postgres");
  g_ptr_array_add (plan->steps, step);
  g_ptr_array_add (plan->steps, fleet_step_new ("verify", "true"));

  {
    FleetHost *bastion = fleet_host_new ("bastion-dc1");

    bastion->address = g_strdup ("192.0.2.1");
    bastion->user = g_strdup ("jump");
    g_ptr_array_add (plan->jump_hosts, bastion);
  }

  for (guint32 i = 0; i < 3; i++)
    g_array_append_val (i == 0 ? first->host_indices : second->host_indices, i);
  g_ptr_array_add (plan->waves, first);
  g_ptr_array_add (plan->waves, second);
  return plan;
}

static void
assert_strings_equal (const GPtrArray *a, const GPtrArray *b)
{
  g_assert_cmpuint (a->len, ==, b->len);
  for (guint i = 0; i < a->len; i++)
    g_assert_cmpstr (g_ptr_array_index (a, i), ==, g_ptr_array_index (b, i));
}

static void
assert_hosts_equal (const FleetHost *a, const FleetHost *b)
{
  g_assert_cmpstr (a->name, ==, b->name);
  g_assert_cmpstr (a->address, ==, b->address);
  g_assert_cmpuint (a->port, ==, b->port);
  g_assert_cmpstr (a->user, ==, b->user);
  assert_strings_equal (a->identity_files, b->identity_files);
  g_assert_cmpint (a->identities_only, ==, b->identities_only);
  assert_strings_equal (a->known_hosts_files, b->known_hosts_files);
  g_assert_cmpint (a->host_key_policy, ==, b->host_key_policy);
  g_assert_cmpint (a->hash_known_hosts, ==, b->hash_known_hosts);
  g_assert_cmpstr (a->proxy_jump, ==, b->proxy_jump);
  g_assert_cmpuint (a->connect_timeout_ms, ==, b->connect_timeout_ms);
  g_assert_cmpuint (a->keepalive_interval_ms, ==, b->keepalive_interval_ms);
  g_assert_cmpuint (a->keepalive_count_max, ==, b->keepalive_count_max);
  g_assert_cmpstr (a->key_passphrase_secret, ==, b->key_passphrase_secret);
  g_assert_cmpstr (a->become_password_secret, ==, b->become_password_secret);
  g_assert_cmpuint (g_hash_table_size (a->attributes), ==, g_hash_table_size (b->attributes));
  g_assert_cmpstr (g_hash_table_lookup (a->attributes, "dc"), ==,
                   g_hash_table_lookup (b->attributes, "dc"));
  g_assert_cmpuint (a->groups->len, ==, b->groups->len);
  g_assert_cmpstr (g_ptr_array_index (a->groups, 0), ==, g_ptr_array_index (b->groups, 0));
}

static void
test_snapshot_round_trip (void)
{
  g_autoptr(FleetPlan) plan = make_plan ();
  g_autoptr(FleetPlan) copy = NULL;
  g_autoptr(FleetPlan) without = make_plan ();
  g_autoptr(FleetPlan) without_copy = NULL;
  g_autoptr(GBytes) bytes = NULL;
  g_autoptr(GBytes) without_bytes = NULL;
  g_autoptr(GError) error = NULL;
  FleetSnapshotConfig *config = fleet_snapshot_config_new ();

  config->categories = 1u << FLEET_SNAPSHOT_FILES | 1u << FLEET_SNAPSHOT_FACTS;
  g_ptr_array_add (config->files, g_strdup ("/etc/nginx/**"));
  g_ptr_array_add (config->fact_names, g_strdup ("kernel"));
  g_ptr_array_add (config->fact_commands, g_strdup ("uname -r"));
  g_ptr_array_add (config->expect[FLEET_SNAPSHOT_FILES], g_strdup ("/etc/nginx/*.conf"));
  g_ptr_array_add (config->expect[FLEET_SNAPSHOT_PACKAGES], g_strdup ("linux-image-*"));
  config->on_unexpected = FLEET_SNAPSHOT_ON_UNEXPECTED_FAIL_HOST;
  plan->snapshot = config;

  bytes = fleet_plan_serialize (plan);
  copy = fleet_plan_deserialize (bytes, &error);
  g_assert_no_error (error);
  g_assert_nonnull (copy->snapshot);
  g_assert_cmpuint (copy->snapshot->categories, ==, config->categories);
  g_assert_cmpuint (copy->snapshot->files->len, ==, 1);
  g_assert_cmpstr (g_ptr_array_index (copy->snapshot->files, 0), ==, "/etc/nginx/**");
  g_assert_cmpstr (g_ptr_array_index (copy->snapshot->fact_names, 0), ==, "kernel");
  g_assert_cmpstr (g_ptr_array_index (copy->snapshot->fact_commands, 0), ==, "uname -r");
  g_assert_cmpstr (g_ptr_array_index (copy->snapshot->expect[FLEET_SNAPSHOT_FILES], 0), ==,
                   "/etc/nginx/*.conf");
  g_assert_cmpstr (g_ptr_array_index (copy->snapshot->expect[FLEET_SNAPSHOT_PACKAGES], 0), ==,
                   "linux-image-*");
  g_assert_cmpuint (copy->snapshot->expect[FLEET_SNAPSHOT_USERS]->len, ==, 0);
  g_assert_cmpint (copy->snapshot->on_unexpected, ==, FLEET_SNAPSHOT_ON_UNEXPECTED_FAIL_HOST);

  without_bytes = fleet_plan_serialize (without);
  without_copy = fleet_plan_deserialize (without_bytes, &error);
  g_assert_no_error (error);
  g_assert_null (without_copy->snapshot);
}

static void
test_round_trip (void)
{
  g_autoptr(FleetPlan) plan = make_plan ();
  g_autoptr(GBytes) bytes = fleet_plan_serialize (plan);
  g_autoptr(GError) error = NULL;
  g_autoptr(FleetPlan) copy = fleet_plan_deserialize (bytes, &error);
  const FleetStep *step;

  g_assert_no_error (error);
  g_assert_cmpstr (copy->workflow_name, ==, "rolling-patch");
  g_assert_cmpstr (copy->workflow_source, ==, plan->workflow_source);
  g_assert_cmpstr (copy->workflow_sha256, ==, "ab12");
  g_assert_cmpstr (copy->inventory_source, ==, "inventory.yaml");
  g_assert_cmpstr (copy->inventory_sha256, ==, "cd34");
  g_assert_cmpstr (copy->ssh_config_path, ==, "/home/op/.ssh/config");
  g_assert_cmpuint (copy->ssh_config_sources->len, ==, 2);
  for (guint i = 0; i < 2; i++)
    {
      const FleetSourceFile *written = g_ptr_array_index (plan->ssh_config_sources, i);
      const FleetSourceFile *read = g_ptr_array_index (copy->ssh_config_sources, i);

      g_assert_cmpstr (read->path, ==, written->path);
      g_assert_cmpstr (read->sha256, ==, written->sha256);
    }
  g_assert_cmpuint (copy->parallelism, ==, 7);
  g_assert_cmpstr (copy->file_sha256, ==, plan->file_sha256);
  g_assert_cmpuint (strlen (copy->file_sha256), ==, 64);
  g_assert_cmpuint (copy->format_version, ==, FLEET_PLAN_FORMAT_VERSION);
  g_assert_cmpint (copy->compiled_at, ==, 1767225600);
  g_assert_cmpint (copy->expires_at, ==, 1767225600 + 8 * 3600);
  g_assert_cmpuint (copy->signatures->len, ==, 0);

  g_assert_cmpuint (copy->inventory_files->len, ==, 2);
  for (guint i = 0; i < 2; i++)
    {
      const FleetInventoryFile *a = g_ptr_array_index (plan->inventory_files, i);
      const FleetInventoryFile *b = g_ptr_array_index (copy->inventory_files, i);

      g_assert_cmpstr (a->path, ==, b->path);
      g_assert_cmpint (a->kind, ==, b->kind);
      g_assert_cmpstr (a->sha256, ==, b->sha256);
    }

  g_assert_cmpuint (copy->hosts->len, ==, 3);
  for (guint i = 0; i < 3; i++)
    assert_hosts_equal (g_ptr_array_index (plan->hosts, i), g_ptr_array_index (copy->hosts, i));
  g_assert_cmpuint (copy->jump_hosts->len, ==, 1);
  g_assert_true (fleet_plan_find_jump_host (copy, "bastion-dc1") != NULL);
  g_assert_null (fleet_plan_find_jump_host (copy, "web01"));

  g_assert_cmpuint (copy->steps->len, ==, 2);
  step = g_ptr_array_index (copy->steps, 0);
  g_assert_cmpstr (step->name, ==, "install");
  g_assert_cmpstr (step->command, ==, "apt-get install -y 'openssl=3.0.15'\necho done");
  g_assert_cmpuint (step->timeout_ms, ==, 600000);
  g_assert_cmpuint (step->expected_exit_codes->len, ==, 2);
  g_assert_cmpint (g_array_index (step->expected_exit_codes, int, 1), ==, 3);
  g_assert_true (step->become);
  g_assert_cmpstr (step->become_user, ==, "postgres");

  g_assert_cmpuint (copy->waves->len, ==, 2);
  g_assert_cmpuint (((FleetWave *) g_ptr_array_index (copy->waves, 1))->host_indices->len, ==, 2);
}

static void
test_deterministic_bytes (void)
{
  g_autoptr(FleetPlan) first = make_plan ();
  g_autoptr(FleetPlan) second = make_plan ();
  g_autoptr(GBytes) first_bytes = fleet_plan_serialize (first);
  g_autoptr(GBytes) second_bytes = NULL;

  /* Hash tables iterate in insertion-dependent order; the file must not. */
  g_hash_table_remove_all (((FleetHost *) g_ptr_array_index (second->hosts, 0))->attributes);
  g_hash_table_insert (((FleetHost *) g_ptr_array_index (second->hosts, 0))->attributes,
                       g_strdup ("dc"), g_strdup ("NO"));
  g_hash_table_insert (((FleetHost *) g_ptr_array_index (second->hosts, 0))->attributes,
                       g_strdup ("rack"), g_strdup ("r1"));
  second_bytes = fleet_plan_serialize (second);

  g_assert_true (g_bytes_equal (first_bytes, second_bytes));
}

/* Give `plan` a template step rendered for 64 hosts, inserted into its
 * table in the order `reverse` says. */
static void
add_template_step (FleetPlan *plan, gboolean reverse)
{
  FleetStep *step = fleet_step_new ("motd", "template motd");
  FleetStepKindData *kind = fleet_step_kind_data_new (FLEET_STEP_KIND_TEMPLATE);

  kind->dest = g_strdup ("/etc/motd");
  kind->host_contents = g_hash_table_new_full (g_str_hash, g_str_equal, g_free,
                                               (GDestroyNotify) g_bytes_unref);
  for (guint i = 0; i < 64; i++)
    {
      guint n = reverse ? 63 - i : i;
      char *text = g_strdup_printf ("welcome to web%02u\n", n);

      g_hash_table_insert (kind->host_contents, g_strdup_printf ("web%02u", n),
                           g_bytes_new_take (text, strlen (text)));
    }
  step->kind_data = kind;
  g_ptr_array_add (plan->steps, step);
}

/* The files a template step renders per host are written in host name
 * order, so the same plan always has the same bytes. */
static void
test_deterministic_template_contents (void)
{
  g_autoptr(FleetPlan) first = make_plan ();
  g_autoptr(FleetPlan) second = make_plan ();
  g_autoptr(GBytes) first_bytes = NULL;
  g_autoptr(GBytes) second_bytes = NULL;

  add_template_step (first, FALSE);
  add_template_step (second, TRUE);
  first_bytes = fleet_plan_serialize (first);
  second_bytes = fleet_plan_serialize (second);

  g_assert_true (g_bytes_equal (first_bytes, second_bytes));
}

/* Return a copy of `bytes` with its trailing digest recomputed, as a writer
 * of another version or a careful forger would produce. */
static GBytes *
redigest (const guint8 *data, gsize size)
{
  guint8 *copy = g_memdup2 (data, size);
  unsigned int length = 0;

  EVP_Digest (copy, size - FLEET_PLAN_DIGEST_LENGTH, copy + size - FLEET_PLAN_DIGEST_LENGTH,
              &length, EVP_sha256 (), NULL);
  return g_bytes_new_take (copy, size);
}

static void
assert_rejected (GBytes *bytes, int code, const char *fragment)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(FleetPlan) plan = fleet_plan_deserialize (bytes, &error);

  g_assert_null (plan);
  g_assert_error (error, FLEET_PLAN_ERROR, code);
  if (strstr (error->message, fragment) == NULL)
    g_error ("message \"%s\" lacks \"%s\"", error->message, fragment);
}

static void
test_truncated_at_every_length (void)
{
  g_autoptr(FleetPlan) plan = make_plan ();
  g_autoptr(GBytes) bytes = fleet_plan_serialize (plan);
  gsize size = 0;
  const guint8 *data = g_bytes_get_data (bytes, &size);

  for (gsize cut = 0; cut < size; cut++)
    {
      g_autoptr(GBytes) prefix = g_bytes_new (data, cut);
      g_autoptr(GError) error = NULL;
      g_autoptr(FleetPlan) parsed = fleet_plan_deserialize (prefix, &error);

      g_assert_null (parsed);
      if (cut > 0 && cut < FLEET_PLAN_MAGIC_LENGTH)
        g_assert_error (error, FLEET_PLAN_ERROR, FLEET_PLAN_ERROR_NOT_A_PLAN);
      else
        g_assert_error (error, FLEET_PLAN_ERROR, FLEET_PLAN_ERROR_TRUNCATED);
    }
}

static void
test_every_flipped_byte_rejected (void)
{
  g_autoptr(FleetPlan) plan = make_plan ();
  g_autoptr(GBytes) bytes = fleet_plan_serialize (plan);
  gsize size = 0;
  const guint8 *data = g_bytes_get_data (bytes, &size);

  for (gsize at = 0; at < size; at++)
    {
      g_autofree guint8 *copy = g_memdup2 (data, size);
      g_autoptr(GBytes) damaged = NULL;
      g_autoptr(GError) error = NULL;
      g_autoptr(FleetPlan) parsed = NULL;

      copy[at] ^= 0x01;
      damaged = g_bytes_new (copy, size);
      parsed = fleet_plan_deserialize (damaged, &error);
      g_assert_null (parsed);
      g_assert_nonnull (error);
      g_assert_true (error->domain == FLEET_PLAN_ERROR);
      g_assert_cmpint (error->code, !=, FLEET_PLAN_ERROR_INVALID);
    }
}

static void
test_corrupt_body_names_digest (void)
{
  g_autoptr(FleetPlan) plan = make_plan ();
  g_autoptr(GBytes) bytes = fleet_plan_serialize (plan);
  gsize size = 0;
  g_autofree guint8 *copy = g_memdup2 (g_bytes_get_data (bytes, &size), g_bytes_get_size (bytes));
  g_autoptr(GBytes) damaged = NULL;

  copy[FLEET_PLAN_HEADER_LENGTH + 10] ^= 0x20;
  damaged = g_bytes_new (copy, size);
  assert_rejected (damaged, FLEET_PLAN_ERROR_CORRUPT, "SHA-256 digest does not match");
}

static void
test_trailing_bytes_rejected (void)
{
  g_autoptr(FleetPlan) plan = make_plan ();
  g_autoptr(GBytes) bytes = fleet_plan_serialize (plan);
  g_autoptr(GByteArray) longer = g_byte_array_new ();
  g_autoptr(GBytes) damaged = NULL;

  g_byte_array_append (longer, g_bytes_get_data (bytes, NULL), g_bytes_get_size (bytes));
  g_byte_array_append (longer, (const guint8 *) "x", 1);
  damaged = g_bytes_new (longer->data, longer->len);
  assert_rejected (damaged, FLEET_PLAN_ERROR_CORRUPT, "unexpected bytes after its digest");
}

static void
test_foreign_files_rejected (void)
{
  const char *samples[] = { "#!/bin/sh\necho hi\n", "FLEETPL", "name: not-a-plan\n" };
  g_autoptr(GBytes) empty = g_bytes_new_static ("", 0);

  assert_rejected (empty, FLEET_PLAN_ERROR_TRUNCATED, "plan file is empty");

  for (guint i = 0; i < G_N_ELEMENTS (samples); i++)
    {
      g_autoptr(GBytes) bytes = g_bytes_new_static (samples[i], strlen (samples[i]));
      assert_rejected (bytes, FLEET_PLAN_ERROR_NOT_A_PLAN, "not a fleetc plan file");
    }
}

static void
test_newer_version_rejected (void)
{
  g_autoptr(FleetPlan) plan = make_plan ();
  g_autoptr(GBytes) bytes = fleet_plan_serialize (plan);
  gsize size = 0;
  g_autofree guint8 *copy = g_memdup2 (g_bytes_get_data (bytes, &size), g_bytes_get_size (bytes));
  guint32 version = GUINT32_TO_BE (FLEET_PLAN_FORMAT_VERSION + 1);
  g_autoptr(GBytes) newer = NULL;

  memcpy (copy + 8, &version, 4);
  newer = redigest (copy, size);
  assert_rejected (newer, FLEET_PLAN_ERROR_VERSION, "newer than this program supports");
}

/* A body with a correct digest that breaks the schema: a forged or buggy
 * writer.  The reader names the field instead of crashing. */
static void
test_schema_violations_rejected (void)
{
  g_autoptr(GVariant) empty = g_variant_ref_sink (g_variant_new_array (G_VARIANT_TYPE ("{sv}"),
                                                                       NULL, 0));
  g_autoptr(FleetPlan) plan = make_plan ();
  g_autoptr(GVariant) body = NULL;
  g_autoptr(GVariantBuilder) builder = NULL;
  GVariantIter iter;
  const char *key;
  GVariant *value;

  struct {
    GVariant *body;
    const char *fragment;
  } cases[2];

  cases[0].body = g_variant_ref (empty);
  cases[0].fragment = "lacks the string field \"workflow\"";

  /* The same plan with wave host index 9 out of 3 hosts. */
  body = fleet_plan_to_variant (plan);
  builder = g_variant_builder_new (G_VARIANT_TYPE (FLEET_PLAN_BODY_TYPE));
  g_variant_iter_init (&iter, body);
  while (g_variant_iter_next (&iter, "{&sv}", &key, &value))
    {
      if (g_str_equal (key, "waves"))
        {
          guint32 bad[] = { 9 };
          GVariant *wave = g_variant_new_fixed_array (G_VARIANT_TYPE_UINT32, bad, 1,
                                                      sizeof (guint32));
          g_variant_builder_add (builder, "{sv}", key,
                                 g_variant_new_array (G_VARIANT_TYPE ("au"), &wave, 1));
        }
      else
        g_variant_builder_add (builder, "{sv}", key, value);
      g_variant_unref (value);
    }
  cases[1].body = g_variant_ref_sink (g_variant_builder_end (builder));
  cases[1].fragment = "out of range";

  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autoptr(GVariant) normal = g_variant_get_normal_form (cases[i].body);
      gsize body_length = g_variant_get_size (normal);
      gsize size = FLEET_PLAN_HEADER_LENGTH + body_length + FLEET_PLAN_DIGEST_LENGTH;
      g_autofree guint8 *file = g_malloc0 (size);
      guint32 version = GUINT32_TO_BE (FLEET_PLAN_FORMAT_VERSION);
      guint64 length = GUINT64_TO_BE ((guint64) body_length);
      g_autoptr(GBytes) forged = NULL;

      memcpy (file, FLEET_PLAN_MAGIC, 8);
      memcpy (file + 8, &version, 4);
      memcpy (file + 16, &length, 8);
      g_variant_store (normal, file + FLEET_PLAN_HEADER_LENGTH);
      forged = redigest (file, size);
      assert_rejected (forged, FLEET_PLAN_ERROR_INVALID, cases[i].fragment);
      g_variant_unref (cases[i].body);
    }
}

/* Give `plan` (from make_plan) stages, a canary wave, a limit, spread
 * rules and halt rules, with thresholds resolved as the planner does. */
static void
add_rollout (FleetPlan *plan)
{
  FleetWave *first = g_ptr_array_index (plan->waves, 0);
  FleetWave *second = g_ptr_array_index (plan->waves, 1);

  plan->limit = g_strdup ("rack == \"r1\"");
  plan->order_by = g_strdup ("group");
  first->stage = g_strdup ("db");
  first->canary = TRUE;
  second->stage = g_strdup ("web");
  g_ptr_array_add (plan->spread, fleet_spread_rule_new ("rack", (FleetThreshold) {
                                                          FLEET_THRESHOLD_COUNT, 1 }));
  g_ptr_array_add (plan->spread, fleet_spread_rule_new ("dc", (FleetThreshold) {
                                                          FLEET_THRESHOLD_PERCENT, 25 }));
  g_assert_true (fleet_threshold_from_string ("50%", &plan->halt_at[FLEET_HALT_FAILED_PER_WAVE]));
  plan->halt_at_default[FLEET_HALT_FAILED_PER_WAVE] = FALSE;
  g_assert_true (fleet_threshold_from_string ("2", &plan->halt_at[FLEET_HALT_FAILED_TOTAL]));
  plan->halt_at_default[FLEET_HALT_FAILED_TOTAL] = FALSE;
  fleet_plan_resolve_thresholds (plan);
}

static FleetPlan *
round_trip (FleetPlan *plan, GError **error)
{
  g_autoptr(GBytes) bytes = fleet_plan_serialize (plan);

  return fleet_plan_deserialize (bytes, error);
}

static void
test_rollout_round_trip (void)
{
  g_autoptr(FleetPlan) plan = make_plan ();
  g_autoptr(FleetPlan) copy = NULL;
  g_autoptr(GError) error = NULL;
  const FleetWave *first, *second;
  const FleetSpreadRule *rule;
  g_autofree char *first_label = NULL;
  g_autofree char *second_label = NULL;

  add_rollout (plan);
  copy = round_trip (plan, &error);
  g_assert_no_error (error);

  g_assert_cmpstr (copy->limit, ==, "rack == \"r1\"");
  g_assert_cmpstr (copy->order_by, ==, "group");
  first = g_ptr_array_index (copy->waves, 0);
  second = g_ptr_array_index (copy->waves, 1);
  g_assert_cmpstr (first->stage, ==, "db");
  g_assert_true (first->canary);
  g_assert_cmpstr (second->stage, ==, "web");
  g_assert_false (second->canary);
  /* 50% of a wave of 1 is raised to 1; of a wave of 2 it is 1. */
  g_assert_cmpuint (first->halt_failed, ==, 1);
  g_assert_cmpuint (second->halt_failed, ==, 1);
  g_assert_cmpuint (first->halt_unreachable, ==, 1);
  g_assert_cmpuint (copy->halt_failed_total, ==, 2);
  g_assert_cmpuint (copy->halt_unreachable_total, ==, FLEET_THRESHOLD_NEVER);

  g_assert_cmpint (copy->halt_at[FLEET_HALT_FAILED_PER_WAVE].kind, ==, FLEET_THRESHOLD_PERCENT);
  g_assert_cmpuint (copy->halt_at[FLEET_HALT_FAILED_PER_WAVE].value, ==, 50);
  g_assert_false (copy->halt_at_default[FLEET_HALT_FAILED_PER_WAVE]);
  g_assert_true (copy->halt_at_default[FLEET_HALT_UNREACHABLE_PER_WAVE]);
  g_assert_false (copy->halt_at_default[FLEET_HALT_FAILED_TOTAL]);
  g_assert_true (copy->halt_at_default[FLEET_HALT_UNREACHABLE_TOTAL]);

  g_assert_cmpuint (copy->spread->len, ==, 2);
  rule = g_ptr_array_index (copy->spread, 1);
  g_assert_cmpstr (rule->attribute, ==, "dc");
  g_assert_cmpint (rule->max_per_wave.kind, ==, FLEET_THRESHOLD_PERCENT);
  g_assert_cmpuint (rule->max_per_wave.value, ==, 25);

  first_label = fleet_plan_wave_label (copy, 0);
  second_label = fleet_plan_wave_label (copy, 1);
  g_assert_cmpstr (first_label, ==, "stage db, wave 1 (canary)");
  g_assert_cmpstr (second_label, ==, "stage web, wave 1");
}

static void
assert_round_trip_rejected (FleetPlan *plan, const char *fragment)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(FleetPlan) copy = round_trip (plan, &error);

  g_assert_null (copy);
  g_assert_error (error, FLEET_PLAN_ERROR, FLEET_PLAN_ERROR_INVALID);
  if (strstr (error->message, fragment) == NULL)
    g_error ("message \"%s\" lacks \"%s\"", error->message, fragment);
}

/* The reader checks that the stored thresholds are what the rules give for
 * the plan's own wave sizes, and that stages and canaries are where the
 * planner puts them. */
static void
test_rollout_violations_rejected (void)
{
  g_autoptr(FleetPlan) plan = NULL;
  FleetWave *wave;

  plan = make_plan ();
  add_rollout (plan);
  ((FleetWave *) g_ptr_array_index (plan->waves, 1))->halt_failed = 5;
  assert_round_trip_rejected (plan, "wave 2 halts at 5 failed and 1 unreachable hosts, but its "
                                    "rules give 1 and 1");
  g_clear_pointer (&plan, fleet_plan_free);

  plan = make_plan ();
  add_rollout (plan);
  plan->halt_failed_total = FLEET_THRESHOLD_NEVER;
  assert_round_trip_rejected (plan, "halts at 0 failed and 0 unreachable hosts in all, but its "
                                    "rules give 2 and 0");
  g_clear_pointer (&plan, fleet_plan_free);

  plan = make_plan ();
  add_rollout (plan);
  ((FleetWave *) g_ptr_array_index (plan->waves, 1))->canary = TRUE;
  g_free (((FleetWave *) g_ptr_array_index (plan->waves, 1))->stage);
  ((FleetWave *) g_ptr_array_index (plan->waves, 1))->stage = g_strdup ("db");
  assert_round_trip_rejected (plan, "wave 2 is a canary wave but not the first wave of its stage");
  g_clear_pointer (&plan, fleet_plan_free);

  plan = make_plan ();
  add_rollout (plan);
  wave = fleet_wave_new ();
  wave->stage = g_strdup ("db");
  g_ptr_array_add (plan->waves, wave);
  fleet_plan_resolve_thresholds (plan);
  assert_round_trip_rejected (plan, "wave 3 returns to stage \"db\" after another stage");
  g_clear_pointer (&plan, fleet_plan_free);

  plan = make_plan ();
  add_rollout (plan);
  g_clear_pointer (&plan->order_by, g_free);
  assert_round_trip_rejected (plan, "wave 1 has a stage, but the plan lacks an order");
  g_clear_pointer (&plan, fleet_plan_free);

  plan = make_plan ();
  add_rollout (plan);
  plan->halt_at_default[FLEET_HALT_FAILED_TOTAL] = TRUE;
  assert_round_trip_rejected (plan, "halt rule failed_total is marked as the default but differs "
                                    "from it");
}

/* A jump host reference that leads nowhere, or around in a circle, would
 * leave fleet-run without a route to the host. */
static void
test_jump_host_references_checked (void)
{
  struct {
    const char *first_jump;        /* proxy_jump of web01 */
    const char *bastion_jump;      /* proxy_jump of the bastion */
    const char *fragment;
  } cases[] = {
    { "bastion-dc9", NULL, "jumps through \"bastion-dc9\", which is not a jump host" },
    { "bastion-dc1", "bastion-dc1", "form a cycle" },
  };

  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autoptr(FleetPlan) plan = make_plan ();
      FleetHost *web01 = g_ptr_array_index (plan->hosts, 0);
      FleetHost *bastion = g_ptr_array_index (plan->jump_hosts, 0);
      g_autoptr(GBytes) bytes = NULL;

      web01->proxy_jump = g_strdup (cases[i].first_jump);
      bastion->proxy_jump = g_strdup (cases[i].bastion_jump);
      bytes = fleet_plan_serialize (plan);
      assert_rejected (bytes, FLEET_PLAN_ERROR_INVALID, cases[i].fragment);
    }
}

/* A plan written to an existing path that is not a regular file, such as
 * /dev/null or a named pipe, goes through it: the path is not replaced by
 * a regular file, which as root would break the device for every program.
 * A named pipe stands in for the device here. */
static void
test_write_through_special_file (void)
{
  g_autoptr(FleetPlan) plan = make_plan ();
  g_autoptr(GBytes) bytes = fleet_plan_serialize (plan);
  g_autoptr(GError) error = NULL;
  g_autofree char *dir = g_dir_make_tmp ("fleet-plan-XXXXXX", &error);
  g_autofree char *fifo = g_build_filename (dir, "pipe", NULL);
  g_autoptr(GString) received = g_string_new (NULL);
  GStatBuf info;
  char buffer[4096];
  ssize_t got;
  int reader;

  g_assert_no_error (error);
  /* The whole plan fits the pipe's buffer, so the write does not block. */
  g_assert_cmpuint (g_bytes_get_size (bytes), <, 65536);
  g_assert_cmpint (mkfifo (fifo, 0600), ==, 0);
  reader = g_open (fifo, O_RDONLY | O_NONBLOCK, 0);
  g_assert_cmpint (reader, >=, 0);

  g_assert_true (fleet_plan_write_file (plan, fifo, &error));
  g_assert_no_error (error);
  while ((got = read (reader, buffer, sizeof buffer)) > 0)
    g_string_append_len (received, buffer, got);
  close (reader);

  g_assert_cmpuint (received->len, ==, g_bytes_get_size (bytes));
  g_assert_cmpmem (received->str, received->len, g_bytes_get_data (bytes, NULL),
                   g_bytes_get_size (bytes));
  g_assert_cmpint (g_lstat (fifo, &info), ==, 0);
  g_assert_true (S_ISFIFO (info.st_mode));

  g_unlink (fifo);
  g_rmdir (dir);
}

static void
test_write_is_atomic (void)
{
  g_autoptr(FleetPlan) plan = make_plan ();
  g_autoptr(GError) error = NULL;
  g_autofree char *dir = g_dir_make_tmp ("fleet-plan-XXXXXX", &error);
  g_autofree char *path = g_build_filename (dir, "plan.bin", NULL);
  g_autofree char *missing = g_build_filename (dir, "no-such-dir", "plan.bin", NULL);
  g_autoptr(FleetPlan) read_back = NULL;
  g_autoptr(GDir) listing = NULL;
  guint n_entries = 0;

  g_assert_no_error (error);
  g_assert_true (fleet_plan_write_file (plan, path, &error));
  g_assert_no_error (error);

  read_back = fleet_plan_read_file (path, &error);
  g_assert_no_error (error);
  g_assert_cmpstr (read_back->file_sha256, ==, plan->file_sha256);

  g_assert_false (fleet_plan_write_file (plan, missing, &error));
  g_assert_error (error, FLEET_PLAN_ERROR, FLEET_PLAN_ERROR_IO);
  g_clear_error (&error);

  /* Only the finished plan is in the directory: no temporary file is left. */
  listing = g_dir_open (dir, 0, NULL);
  while (g_dir_read_name (listing) != NULL)
    n_entries++;
  g_assert_cmpuint (n_entries, ==, 1);

  g_assert_null (fleet_plan_read_file (missing, &error));
  g_assert_error (error, FLEET_PLAN_ERROR, FLEET_PLAN_ERROR_IO);

  g_unlink (path);
  g_rmdir (dir);
}

static void
test_hosts_digest_stable (void)
{
  g_autoptr(FleetPlan) plan = make_plan ();
  g_autofree char *first = fleet_hosts_digest (plan->hosts, plan->jump_hosts);
  g_autofree char *second = NULL;
  g_autofree char *third = NULL;
  FleetHost *host = g_ptr_array_index (plan->hosts, 1);

  g_assert_cmpuint (strlen (first), ==, 64);
  g_free (host->address);
  host->address = g_strdup ("192.0.2.99");
  second = fleet_hosts_digest (plan->hosts, plan->jump_hosts);
  g_assert_cmpstr (first, !=, second);

  /* The jump hosts count too. */
  host = g_ptr_array_index (plan->jump_hosts, 0);
  g_free (host->user);
  host->user = g_strdup ("other");
  third = fleet_hosts_digest (plan->hosts, plan->jump_hosts);
  g_assert_cmpstr (third, !=, second);
}

/* A body whose expiry is not after its compile time, or whose inventory
 * file record is damaged, comes from a buggy or forged writer. */
static void
test_trust_fields_checked (void)
{
  struct {
    gint64 expires_at;
    const char *kind_sha256;
    FleetInventoryFileKind kind;
    const char *fragment;
  } cases[] = {
    { 1767225600, ALICE_SHA256, FLEET_INVENTORY_FILE_STATIC, "not after its compile time" },
    { 1767225599, ALICE_SHA256, FLEET_INVENTORY_FILE_STATIC, "not after its compile time" },
    { 0, "ABCD", FLEET_INVENTORY_FILE_STATIC, "not 64 lowercase hex digits" },
    { 0, ALICE_SHA256 "0", FLEET_INVENTORY_FILE_PROGRAM, "not 64 lowercase hex digits" },
  };

  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autoptr(FleetPlan) plan = make_plan ();
      g_autoptr(GBytes) bytes = NULL;
      FleetInventoryFile *file = g_ptr_array_index (plan->inventory_files, 0);

      plan->expires_at = cases[i].expires_at;
      g_free (file->sha256);
      file->sha256 = g_strdup (cases[i].kind_sha256);
      file->kind = cases[i].kind;
      bytes = fleet_plan_serialize (plan);
      assert_rejected (bytes, FLEET_PLAN_ERROR_INVALID, cases[i].fragment);
    }
}

/* Return `body` without the keys that format 3 added. */
static GVariant *
format_2_body (GVariant *body)
{
  static const char *const format_3_keys[] = {
    "compiled-at", "expires-at", "inventory-files", "wave-details", "limit", "order-by",
    "spread", "halt-at", "halt-failed-total", "halt-unreachable-total", NULL,
  };
  GVariantBuilder builder;
  GVariantIter iter;
  const char *key;
  GVariant *value;

  g_variant_builder_init (&builder, G_VARIANT_TYPE (FLEET_PLAN_BODY_TYPE));
  g_variant_iter_init (&iter, body);
  while (g_variant_iter_next (&iter, "{&sv}", &key, &value))
    {
      if (!g_strv_contains (format_3_keys, key))
        g_variant_builder_add (&builder, "{sv}", key, value);
      g_variant_unref (value);
    }
  return g_variant_ref_sink (g_variant_builder_end (&builder));
}

/* Return a plan file of format 2, as fleetc wrote before format 3. */
static GBytes *
make_format_2_file (void)
{
  g_autoptr(FleetPlan) plan = make_plan ();
  g_autoptr(GVariant) body = fleet_plan_to_variant (plan);
  g_autoptr(GVariant) old_body = format_2_body (body);
  g_autoptr(GVariant) normal = g_variant_get_normal_form (old_body);
  gsize body_length = g_variant_get_size (normal);
  gsize size = FLEET_PLAN_HEADER_LENGTH + body_length + FLEET_PLAN_DIGEST_LENGTH;
  g_autofree guint8 *file = g_malloc0 (size);
  guint32 version = GUINT32_TO_BE (2);
  guint64 length = GUINT64_TO_BE ((guint64) body_length);

  memcpy (file, FLEET_PLAN_MAGIC, 8);
  memcpy (file + 8, &version, 4);
  memcpy (file + 16, &length, 8);
  g_variant_store (normal, file + FLEET_PLAN_HEADER_LENGTH);
  return redigest (file, size);
}

/* A directory for key files, removed at exit. */
static char *key_dir;

/* Return a signing key made from a fixed seed of `seed_byte`, read back
 * from a PEM file as `fleetc sign` reads it. */
static FleetSigningKey *
make_key (guint8 seed_byte)
{
  guint8 seed[32];
  EVP_PKEY *pkey;
  BIO *bio = BIO_new (BIO_s_mem ());
  char *pem = NULL;
  long pem_length;
  g_autofree char *name = g_strdup_printf ("key-%02x.pem", seed_byte);
  g_autofree char *path = g_build_filename (key_dir, name, NULL);
  g_autoptr(GError) error = NULL;
  FleetSigningKey *key;

  memset (seed, seed_byte, sizeof seed);
  pkey = EVP_PKEY_new_raw_private_key (EVP_PKEY_ED25519, NULL, seed, sizeof seed);
  g_assert_nonnull (pkey);
  g_assert_cmpint (PEM_write_bio_PrivateKey (bio, pkey, NULL, NULL, 0, NULL, NULL), ==, 1);
  pem_length = BIO_get_mem_data (bio, &pem);
  g_assert_true (g_file_set_contents_full (path, pem, pem_length, G_FILE_SET_CONTENTS_NONE,
                                           0600, &error));
  g_assert_no_error (error);
  BIO_free (bio);
  EVP_PKEY_free (pkey);

  key = fleet_signing_key_read_file (path, &error);
  g_assert_no_error (error);
  g_unlink (path);
  return key;
}

static GBytes *
sign (GBytes *bytes, const FleetSigningKey *key, const char *comment, gboolean *out_replaced)
{
  g_autoptr(GError) error = NULL;
  GBytes *signed_bytes = fleet_plan_sign (bytes, key, comment, out_replaced, &error);

  g_assert_no_error (error);
  g_assert_nonnull (signed_bytes);
  return signed_bytes;
}

static FleetPlan *
read_plan (GBytes *bytes)
{
  g_autoptr(GError) error = NULL;
  FleetPlan *plan = fleet_plan_deserialize (bytes, &error);

  g_assert_no_error (error);
  return plan;
}

static void
assert_signature (const FleetPlan *plan, guint index, const FleetSigningKey *key,
                  const char *comment, gboolean valid)
{
  const FleetPlanSignature *signature = g_ptr_array_index (plan->signatures, index);

  g_assert_cmpstr (signature->fingerprint, ==, fleet_signing_key_get_public_key (key)->fingerprint);
  g_assert_cmpstr (signature->comment, ==, comment);
  g_assert_cmpint (signature->valid, ==, valid);
}

/* Signing appends a block and leaves header, body and digest as they were;
 * several approvers may sign, and signing again replaces one's own. */
static void
test_signature_round_trip (void)
{
  g_autoptr(FleetPlan) plan = make_plan ();
  g_autoptr(GBytes) bytes = fleet_plan_serialize (plan);
  g_autoptr(FleetSigningKey) alice = make_key (0xa1);
  g_autoptr(FleetSigningKey) bob = make_key (0xb0);
  g_autoptr(GBytes) once = NULL;
  g_autoptr(GBytes) twice = NULL;
  g_autoptr(GBytes) again = NULL;
  g_autoptr(FleetPlan) read_once = NULL;
  g_autoptr(FleetPlan) read_twice = NULL;
  g_autoptr(FleetPlan) read_again = NULL;
  gboolean replaced = TRUE;

  once = sign (bytes, alice, "alice CHG-1234", &replaced);
  g_assert_false (replaced);
  g_assert_cmpuint (g_bytes_get_size (once), >, g_bytes_get_size (bytes));
  g_assert_cmpmem (g_bytes_get_data (once, NULL), g_bytes_get_size (bytes),
                   g_bytes_get_data (bytes, NULL), g_bytes_get_size (bytes));
  read_once = read_plan (once);
  g_assert_cmpstr (read_once->file_sha256, ==, plan->file_sha256);
  g_assert_cmpuint (read_once->signatures->len, ==, 1);
  assert_signature (read_once, 0, alice, "alice CHG-1234", TRUE);

  twice = sign (once, bob, "", &replaced);
  g_assert_false (replaced);
  read_twice = read_plan (twice);
  g_assert_cmpuint (read_twice->signatures->len, ==, 2);
  assert_signature (read_twice, 0, alice, "alice CHG-1234", TRUE);
  assert_signature (read_twice, 1, bob, "", TRUE);

  again = sign (twice, alice, "alice CHG-1234 rev 2", &replaced);
  g_assert_true (replaced);
  read_again = read_plan (again);
  g_assert_cmpuint (read_again->signatures->len, ==, 2);
  assert_signature (read_again, 0, bob, "", TRUE);
  assert_signature (read_again, 1, alice, "alice CHG-1234 rev 2", TRUE);
  g_assert_cmpmem (g_bytes_get_data (again, NULL), g_bytes_get_size (bytes),
                   g_bytes_get_data (bytes, NULL), g_bytes_get_size (bytes));
}

/* Return `plan` signed by alice and bob. */
static GBytes *
make_signed_file (const FleetSigningKey *alice, const FleetSigningKey *bob, gsize *out_unsigned)
{
  g_autoptr(FleetPlan) plan = make_plan ();
  g_autoptr(GBytes) bytes = fleet_plan_serialize (plan);
  g_autoptr(GBytes) once = sign (bytes, alice, "alice", NULL);

  *out_unsigned = g_bytes_get_size (bytes);
  return sign (once, bob, "bob: CHG-1234 \xc3\xa9t\xc3\xa9", NULL);
}

/* Cutting the file anywhere inside its signature block is an error; cutting
 * the whole block off leaves an unsigned plan, which only
 * --require-signature refuses. */
static void
test_signature_block_truncated (void)
{
  g_autoptr(FleetSigningKey) alice = make_key (0xa1);
  g_autoptr(FleetSigningKey) bob = make_key (0xb0);
  gsize unsigned_size = 0;
  g_autoptr(GBytes) bytes = make_signed_file (alice, bob, &unsigned_size);
  gsize size = 0;
  const guint8 *data = g_bytes_get_data (bytes, &size);

  for (gsize cut = unsigned_size; cut < size; cut++)
    {
      g_autoptr(GBytes) prefix = g_bytes_new (data, cut);
      g_autoptr(GError) error = NULL;
      g_autoptr(FleetPlan) parsed = fleet_plan_deserialize (prefix, &error);

      if (cut == unsigned_size)
        {
          g_assert_no_error (error);
          g_assert_cmpuint (parsed->signatures->len, ==, 0);
          continue;
        }

      g_assert_null (parsed);
      g_assert_true (g_error_matches (error, FLEET_PLAN_ERROR, FLEET_PLAN_ERROR_TRUNCATED)
                     || g_error_matches (error, FLEET_PLAN_ERROR, FLEET_PLAN_ERROR_CORRUPT));
    }
}

/* Every changed bit in the signature block makes the file unreadable or a
 * signature invalid: never a valid signature the signers did not make. */
static void
test_signature_block_flipped_bytes (void)
{
  g_autoptr(FleetSigningKey) alice = make_key (0xa1);
  g_autoptr(FleetSigningKey) bob = make_key (0xb0);
  gsize unsigned_size = 0;
  g_autoptr(GBytes) bytes = make_signed_file (alice, bob, &unsigned_size);
  gsize size = 0;
  const guint8 *data = g_bytes_get_data (bytes, &size);
  const guint8 masks[] = { 0x01, 0x80, 0xff };
  guint rejected = 0;
  guint invalid = 0;

  for (gsize at = unsigned_size; at < size; at++)
    for (guint m = 0; m < G_N_ELEMENTS (masks); m++)
      {
        g_autofree guint8 *copy = g_memdup2 (data, size);
        g_autoptr(GBytes) damaged = NULL;
        g_autoptr(GError) error = NULL;
        g_autoptr(FleetPlan) parsed = NULL;
        guint valid = 0;

        copy[at] ^= masks[m];
        damaged = g_bytes_new (copy, size);
        parsed = fleet_plan_deserialize (damaged, &error);
        if (parsed == NULL)
          {
            g_assert_true (g_error_matches (error, FLEET_PLAN_ERROR, FLEET_PLAN_ERROR_TRUNCATED)
                           || g_error_matches (error, FLEET_PLAN_ERROR, FLEET_PLAN_ERROR_CORRUPT));
            rejected++;
            continue;
          }

        for (guint i = 0; i < parsed->signatures->len; i++)
          valid += ((FleetPlanSignature *) g_ptr_array_index (parsed->signatures, i))->valid;
        if (valid >= 2)
          g_error ("flipping byte %" G_GSIZE_FORMAT " with 0x%02x left both signatures valid",
                   at - unsigned_size, masks[m]);
        invalid++;
      }

  /* Both outcomes occur: damaged counts are rejected, damaged keys,
   * signatures and comments are reported invalid. */
  g_assert_cmpuint (rejected, >, 0);
  g_assert_cmpuint (invalid, >, 0);
}

/* A signature copied from one plan onto another does not verify. */
static void
test_signature_copied_to_other_plan (void)
{
  g_autoptr(FleetPlan) original = make_plan ();
  g_autoptr(FleetPlan) other = make_plan ();
  g_autoptr(FleetSigningKey) alice = make_key (0xa1);
  g_autoptr(GBytes) original_bytes = fleet_plan_serialize (original);
  g_autoptr(GBytes) signed_bytes = sign (original_bytes, alice, "alice", NULL);
  g_autoptr(GBytes) other_bytes = NULL;
  g_autoptr(GByteArray) forged = g_byte_array_new ();
  g_autoptr(GBytes) forged_bytes = NULL;
  g_autoptr(FleetPlan) parsed = NULL;
  g_autoptr(GPtrArray) approvers = g_ptr_array_new ();
  g_autoptr(GError) error = NULL;
  gsize block_start = g_bytes_get_size (original_bytes);

  g_free (((FleetStep *) g_ptr_array_index (other->steps, 1))->command);
  ((FleetStep *) g_ptr_array_index (other->steps, 1))->command = g_strdup ("rm -rf /srv");
  other_bytes = fleet_plan_serialize (other);
  g_byte_array_append (forged, g_bytes_get_data (other_bytes, NULL), g_bytes_get_size (other_bytes));
  g_byte_array_append (forged, (const guint8 *) g_bytes_get_data (signed_bytes, NULL) + block_start,
                       g_bytes_get_size (signed_bytes) - block_start);
  forged_bytes = g_bytes_new (forged->data, forged->len);

  parsed = read_plan (forged_bytes);
  g_assert_cmpuint (parsed->signatures->len, ==, 1);
  assert_signature (parsed, 0, alice, "alice", FALSE);

  g_ptr_array_add (approvers, (gpointer) fleet_signing_key_get_public_key (alice));
  g_assert_null (fleet_plan_find_approval (parsed, approvers, &error));
  g_assert_error (error, FLEET_SIGNATURE_ERROR, FLEET_SIGNATURE_ERROR_INVALID);
  g_assert_nonnull (strstr (error->message, "does not match this plan"));
}

/* The approval check names the reason: unsigned, signed by others, or an
 * approver's signature that does not match. */
static void
test_signature_approval (void)
{
  g_autoptr(FleetPlan) plan = make_plan ();
  g_autoptr(GBytes) bytes = fleet_plan_serialize (plan);
  g_autoptr(FleetSigningKey) alice = make_key (0xa1);
  g_autoptr(FleetSigningKey) bob = make_key (0xb0);
  g_autoptr(FleetSigningKey) carol = make_key (0xc0);
  g_autoptr(GBytes) by_bob = sign (bytes, bob, "bob", NULL);
  g_autoptr(GBytes) by_both = sign (by_bob, alice, "alice", NULL);
  g_autoptr(FleetPlan) unsigned_plan = read_plan (bytes);
  g_autoptr(FleetPlan) bob_plan = read_plan (by_bob);
  g_autoptr(FleetPlan) both_plan = read_plan (by_both);
  g_autoptr(GPtrArray) alice_only = g_ptr_array_new ();
  g_autoptr(GPtrArray) carol_and_alice = g_ptr_array_new ();
  g_autoptr(GError) error = NULL;
  const FleetPlanSignature *approval;

  g_ptr_array_add (alice_only, (gpointer) fleet_signing_key_get_public_key (alice));
  g_ptr_array_add (carol_and_alice, (gpointer) fleet_signing_key_get_public_key (carol));
  g_ptr_array_add (carol_and_alice, (gpointer) fleet_signing_key_get_public_key (alice));

  g_assert_null (fleet_plan_find_approval (unsigned_plan, alice_only, &error));
  g_assert_error (error, FLEET_SIGNATURE_ERROR, FLEET_SIGNATURE_ERROR_UNSIGNED);
  g_assert_nonnull (strstr (error->message, "the plan is not signed"));
  g_clear_error (&error);

  g_assert_null (fleet_plan_find_approval (bob_plan, alice_only, &error));
  g_assert_error (error, FLEET_SIGNATURE_ERROR, FLEET_SIGNATURE_ERROR_NOT_APPROVER);
  g_assert_nonnull (strstr (error->message, fleet_signing_key_get_public_key (bob)->fingerprint));
  g_assert_nonnull (strstr (error->message, fleet_signing_key_get_public_key (alice)->fingerprint));
  g_clear_error (&error);

  approval = fleet_plan_find_approval (both_plan, carol_and_alice, &error);
  g_assert_no_error (error);
  g_assert_cmpstr (approval->comment, ==, "alice");
}

/* Plans of format 2 still read, and cannot carry signatures. */
static void
test_format_2_reads (void)
{
  g_autoptr(GBytes) bytes = make_format_2_file ();
  g_autoptr(FleetPlan) plan = read_plan (bytes);
  g_autoptr(FleetSigningKey) alice = make_key (0xa1);
  g_autoptr(GError) error = NULL;
  g_autoptr(GByteArray) with_block = g_byte_array_new ();
  g_autoptr(GBytes) with_block_bytes = NULL;
  g_autoptr(GBytes) signed_v3 = NULL;
  g_autoptr(FleetPlan) v3 = make_plan ();
  g_autoptr(GBytes) v3_bytes = fleet_plan_serialize (v3);
  gsize block_start = g_bytes_get_size (v3_bytes);

  g_assert_cmpuint (plan->format_version, ==, 2);
  g_assert_cmpint (plan->compiled_at, ==, 0);
  g_assert_cmpint (plan->expires_at, ==, 0);
  g_assert_cmpuint (plan->inventory_files->len, ==, 0);
  g_assert_cmpuint (plan->hosts->len, ==, 3);

  /* Without the rollout keys: no stages or spread, and every wave halts at
   * its first failed or unreachable host. */
  g_assert_null (plan->order_by);
  g_assert_null (plan->limit);
  g_assert_cmpuint (plan->spread->len, ==, 0);
  g_assert_cmpuint (plan->waves->len, >, 0);
  for (guint i = 0; i < plan->waves->len; i++)
    {
      const FleetWave *wave = g_ptr_array_index (plan->waves, i);

      g_assert_null (wave->stage);
      g_assert_false (wave->canary);
      g_assert_cmpuint (wave->halt_failed, ==, 1);
      g_assert_cmpuint (wave->halt_unreachable, ==, 1);
    }

  g_assert_null (fleet_plan_sign (bytes, alice, "alice", NULL, &error));
  g_assert_error (error, FLEET_PLAN_ERROR, FLEET_PLAN_ERROR_VERSION);
  g_assert_nonnull (strstr (error->message, "plan format 2 cannot carry signatures"));

  /* A signature block after a format 2 digest is foreign. */
  signed_v3 = sign (v3_bytes, alice, "alice", NULL);
  g_byte_array_append (with_block, g_bytes_get_data (bytes, NULL), g_bytes_get_size (bytes));
  g_byte_array_append (with_block, (const guint8 *) g_bytes_get_data (signed_v3, NULL) + block_start,
                       g_bytes_get_size (signed_v3) - block_start);
  with_block_bytes = g_bytes_new (with_block->data, with_block->len);
  assert_rejected (with_block_bytes, FLEET_PLAN_ERROR_CORRUPT, "unexpected bytes after its digest");
}

/* Comments are checked on signing, since `fleetc show` and fleet-run print
 * them; a plan carries at most FLEET_PLAN_MAX_SIGNATURES signatures. */
static void
test_signature_limits (void)
{
  g_autoptr(FleetPlan) plan = make_plan ();
  g_autoptr(GBytes) bytes = fleet_plan_serialize (plan);
  g_autoptr(FleetSigningKey) alice = make_key (0xa1);
  g_autofree char *long_comment = g_strnfill (FLEET_SIGNATURE_MAX_COMMENT + 1, 'x');
  const char *bad_comments[] = { "alice \x1b[2K", "alice\nbob", "\xe2\x80\xae" "ecila",
                                 "\xff", long_comment };
  g_autoptr(GBytes) current = g_bytes_ref (bytes);
  g_autoptr(FleetSigningKey) extra = NULL;
  g_autoptr(GError) error = NULL;

  for (guint i = 0; i < G_N_ELEMENTS (bad_comments); i++)
    {
      g_autoptr(GError) comment_error = NULL;

      g_assert_null (fleet_plan_sign (bytes, alice, bad_comments[i], NULL, &comment_error));
      g_assert_error (comment_error, FLEET_PLAN_ERROR, FLEET_PLAN_ERROR_INVALID);
      g_assert_nonnull (strstr (comment_error->message, "the signature comment cannot be used"));
    }

  for (guint i = 0; i < FLEET_PLAN_MAX_SIGNATURES; i++)
    {
      g_autoptr(FleetSigningKey) key = make_key ((guint8) (i + 1));
      GBytes *next = sign (current, key, "approver", NULL);

      g_bytes_unref (current);
      current = next;
    }

  extra = make_key (0xee);
  g_assert_null (fleet_plan_sign (current, extra, "one too many", NULL, &error));
  g_assert_error (error, FLEET_PLAN_ERROR, FLEET_PLAN_ERROR_INVALID);
  g_assert_nonnull (strstr (error->message, "already carries 32 signatures"));
}

/* The edits that test_hosts_digest_fields makes, one field each. */
typedef enum {
  EDIT_NONE,
  EDIT_ADDRESS,
  EDIT_PORT,
  EDIT_USER,
  EDIT_IDENTITY_FILES,
  EDIT_IDENTITIES_ONLY,
  EDIT_KNOWN_HOSTS_FILES,
  EDIT_HOST_KEY_POLICY,
  EDIT_PROXY_JUMP,
  EDIT_CONNECT_TIMEOUT,
  EDIT_KEEPALIVE_INTERVAL,
  EDIT_KEEPALIVE_COUNT,
  EDIT_PASSPHRASE_SECRET,
  EDIT_BECOME_SECRET,
  EDIT_ATTRIBUTE,
  EDIT_GROUPS,
  EDIT_GROUPS_AB_C,
  EDIT_GROUPS_A_BC,
  N_EDITS,
} HostEdit;

static void
edit_host (FleetHost *host, HostEdit edit)
{
  switch (edit)
    {
    case EDIT_NONE:
      break;
    case EDIT_ADDRESS:
      g_free (host->address);
      host->address = g_strdup ("10.0.0.2");
      break;
    case EDIT_PORT:
      host->port = 2222;
      break;
    case EDIT_USER:
      g_clear_pointer (&host->user, g_free);
      break;
    case EDIT_IDENTITY_FILES:
      g_ptr_array_add (host->identity_files, g_strdup ("/keys/id_ed25519"));
      break;
    case EDIT_IDENTITIES_ONLY:
      host->identities_only = !host->identities_only;
      break;
    case EDIT_KNOWN_HOSTS_FILES:
      g_ptr_array_add (host->known_hosts_files, g_strdup ("/etc/ssh/known_hosts"));
      break;
    case EDIT_HOST_KEY_POLICY:
      host->host_key_policy = FLEET_HOST_KEY_POLICY_ACCEPT_NEW;
      break;
    case EDIT_PROXY_JUMP:
      host->proxy_jump = g_strdup ("bastion");
      break;
    case EDIT_CONNECT_TIMEOUT:
      host->connect_timeout_ms++;
      break;
    case EDIT_KEEPALIVE_INTERVAL:
      host->keepalive_interval_ms++;
      break;
    case EDIT_KEEPALIVE_COUNT:
      host->keepalive_count_max++;
      break;
    case EDIT_PASSPHRASE_SECRET:
      host->key_passphrase_secret = g_strdup ("deploy-key");
      break;
    case EDIT_BECOME_SECRET:
      host->become_password_secret = g_strdup ("sudo");
      break;
    case EDIT_ATTRIBUTE:
      g_hash_table_insert (host->attributes, g_strdup ("rack"), g_strdup ("r2"));
      break;
    case EDIT_GROUPS:
      g_ptr_array_add (host->groups, g_strdup ("db"));
      break;
    case EDIT_GROUPS_AB_C:
      g_ptr_array_add (host->groups, g_strdup ("ab"));
      g_ptr_array_add (host->groups, g_strdup ("c"));
      break;
    case EDIT_GROUPS_A_BC:
      g_ptr_array_add (host->groups, g_strdup ("a"));
      g_ptr_array_add (host->groups, g_strdup ("bc"));
      break;
    case N_EDITS:
      g_assert_not_reached ();
    }
}

/* Return the digest of a one-host inventory: `base` after `edit`. */
static char *
digest_after (const FleetHost *base, HostEdit edit)
{
  g_autoptr (GPtrArray) hosts = g_ptr_array_new_with_free_func ((GDestroyNotify) fleet_host_free);
  g_autoptr (GPtrArray) no_jump_hosts = g_ptr_array_new ();
  FleetHost *host = fleet_host_copy (base);

  edit_host (host, edit);
  g_ptr_array_add (hosts, host);
  return fleet_hosts_digest (hosts, no_jump_hosts);
}

/* The inventory digest changes with every field of a host, and with how
 * strings split into list items, and stays the same otherwise. */
static void
test_hosts_digest_fields (void)
{
  g_autoptr (FleetHost) base = fleet_host_new ("web01");
  g_autoptr (GHashTable) seen = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
  g_autofree char *unchanged = NULL;
  g_autofree char *again = NULL;

  base->address = g_strdup ("10.0.0.1");
  base->user = g_strdup ("ops");
  g_hash_table_insert (base->attributes, g_strdup ("rack"), g_strdup ("r1"));
  g_hash_table_insert (base->attributes, g_strdup ("dc"), g_strdup ("fra"));

  unchanged = digest_after (base, EDIT_NONE);
  again = digest_after (base, EDIT_NONE);
  g_assert_cmpuint (strlen (unchanged), ==, 64);
  g_assert_cmpstr (unchanged, ==, again);

  for (HostEdit edit = EDIT_NONE; edit < N_EDITS; edit++)
    {
      char *digest = digest_after (base, edit);

      g_test_message ("edit %d: %s", edit, digest);
      g_assert_false (g_hash_table_contains (seen, digest));
      g_hash_table_add (seen, digest);
    }
}

int
main (int argc, char **argv)
{
  g_autoptr(GError) error = NULL;
  int status;

  g_test_init (&argc, &argv, NULL);
  key_dir = g_dir_make_tmp ("fleet-plan-keys-XXXXXX", &error);
  g_assert_no_error (error);

  g_test_add_func ("/plan-file/round-trip", test_round_trip);
  g_test_add_func ("/plan-file/hosts-digest-fields", test_hosts_digest_fields);
  g_test_add_func ("/plan-file/snapshot-round-trip", test_snapshot_round_trip);
  g_test_add_func ("/plan-file/deterministic-bytes", test_deterministic_bytes);
  g_test_add_func ("/plan-file/deterministic-template-contents",
                   test_deterministic_template_contents);
  g_test_add_func ("/plan-file/truncated", test_truncated_at_every_length);
  g_test_add_func ("/plan-file/flipped-byte", test_every_flipped_byte_rejected);
  g_test_add_func ("/plan-file/corrupt-body", test_corrupt_body_names_digest);
  g_test_add_func ("/plan-file/trailing-bytes", test_trailing_bytes_rejected);
  g_test_add_func ("/plan-file/foreign-file", test_foreign_files_rejected);
  g_test_add_func ("/plan-file/newer-version", test_newer_version_rejected);
  g_test_add_func ("/plan-file/schema-violation", test_schema_violations_rejected);
  g_test_add_func ("/plan-file/jump-hosts", test_jump_host_references_checked);
  g_test_add_func ("/plan-file/atomic-write", test_write_is_atomic);
  g_test_add_func ("/plan-file/write-through-special-file", test_write_through_special_file);
  g_test_add_func ("/plan-file/hosts-digest", test_hosts_digest_stable);
  g_test_add_func ("/plan-file/rollout-round-trip", test_rollout_round_trip);
  g_test_add_func ("/plan-file/rollout-violations", test_rollout_violations_rejected);
  g_test_add_func ("/plan-file/trust-fields", test_trust_fields_checked);
  g_test_add_func ("/plan-file/format-2", test_format_2_reads);
  g_test_add_func ("/plan-file/signature/round-trip", test_signature_round_trip);
  g_test_add_func ("/plan-file/signature/truncated", test_signature_block_truncated);
  g_test_add_func ("/plan-file/signature/flipped-byte", test_signature_block_flipped_bytes);
  g_test_add_func ("/plan-file/signature/copied", test_signature_copied_to_other_plan);
  g_test_add_func ("/plan-file/signature/approval", test_signature_approval);
  g_test_add_func ("/plan-file/signature/limits", test_signature_limits);

  status = g_test_run ();
  g_rmdir (key_dir);
  return status;
}
