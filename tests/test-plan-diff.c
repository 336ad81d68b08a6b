/* test-plan-diff.c: the semantic plan diff, its renderers and `fleetc diff`. */
#include <string.h>

#include <json-glib/json-glib.h>

#include "cli/plan-diff-render.h"
#include "cli/plan-diff.h"
#include "schema/fleet-check.h"
#include "schema/fleet-rollback.h"
#include "schema/fleet-step-barrier.h"
#include "schema/fleet-step-values.h"
#include "schema/fleet-plan-schedule.h"
#include "schema/fleet-plan-signature.h"
#include "tests/sandbox.h"

/* Plans built in memory */

static FleetHost *
make_host (const char *name, const char *dc)
{
  FleetHost *host = fleet_host_new (name);

  host->address = g_strdup_printf ("%s.example.net", name);
  g_hash_table_insert (host->attributes, g_strdup ("dc"), g_strdup (dc));
  return host;
}

/* Add a wave of the hosts at `indices` (ending with -1). */
static FleetWave *
add_wave (FleetPlan *plan, const int *indices)
{
  FleetWave *wave = fleet_wave_new ();

  for (const int *index = indices; *index >= 0; index++)
    {
      guint32 value = (guint32) *index;

      g_array_append_val (wave->host_indices, value);
    }
  g_ptr_array_add (plan->waves, wave);
  return wave;
}

/* Return the base plan: hosts a, b, c, d; waves [a] (canary), [b, c, d];
 * steps "stop" and "patch". */
static FleetPlan *
make_plan (void)
{
  FleetPlan *plan = fleet_plan_new ();
  FleetStep *stop = fleet_step_new ("stop", "systemctl stop app");
  FleetStep *patch = fleet_step_new ("patch", "apt-get install -y openssl");
  FleetWave *canary;

  plan->workflow_name = g_strdup ("patch");
  plan->workflow_source = g_strdup ("patch.yaml");
  plan->workflow_sha256 = g_strdup ("aaaa");
  plan->inventory_source = g_strdup ("inventory.yaml");
  plan->inventory_sha256 = g_strdup ("bbbb");
  plan->parallelism = 10;
  plan->compiled_at = 1767225600;
  plan->expires_at = 1767225600 + 7 * 86400;
  g_ptr_array_add (plan->inventory_files,
                   fleet_inventory_file_new ("/etc/fleet/inventory.yaml",
                                             FLEET_INVENTORY_FILE_STATIC, "cccc"));

  g_ptr_array_add (plan->hosts, make_host ("a", "dc1"));
  g_ptr_array_add (plan->hosts, make_host ("b", "dc1"));
  g_ptr_array_add (plan->hosts, make_host ("c", "dc2"));
  g_ptr_array_add (plan->hosts, make_host ("d", "dc2"));

  stop->timeout_ms = 30000;
  patch->timeout_ms = 120000;
  g_ptr_array_add (plan->steps, stop);
  g_ptr_array_add (plan->steps, patch);

  canary = add_wave (plan, (const int[]) { 0, -1 });
  canary->canary = TRUE;
  add_wave (plan, (const int[]) { 1, 2, 3, -1 });
  fleet_plan_resolve_thresholds (plan);
  return plan;
}

static FleetHost *
host_named (FleetPlan *plan, const char *name)
{
  for (guint i = 0; i < plan->hosts->len; i++)
    {
      FleetHost *host = g_ptr_array_index (plan->hosts, i);

      if (g_str_equal (host->name, name))
        return host;
    }
  g_assert_not_reached ();
}

static FleetStep *
step_named (FleetPlan *plan, const char *name)
{
  for (guint i = 0; i < plan->steps->len; i++)
    {
      FleetStep *step = g_ptr_array_index (plan->steps, i);

      if (g_str_equal (step->name, name))
        return step;
    }
  g_assert_not_reached ();
}

/* Return the changes of `diff` one per line as
 * "SECTION|KIND|SUBJECT|FIELD|OLD|NEW", with "-" for NULL. */
static char *
list_changes (const FleetPlanDiff *diff)
{
  GString *out = g_string_new (NULL);

  for (guint i = 0; i < diff->changes->len; i++)
    {
      const FleetPlanChange *change = g_ptr_array_index (diff->changes, i);

      g_string_append_printf (out, "%s|%s|%s|%s|%s|%s\n",
                              fleet_plan_diff_section_name (change->section),
                              fleet_plan_change_kind_name (change->kind), change->subject,
                              change->field != NULL ? change->field : "-",
                              change->old_value != NULL ? change->old_value : "-",
                              change->new_value != NULL ? change->new_value : "-");
    }
  return g_string_free (out, FALSE);
}

static char *
diff_lines (const FleetPlan *old_plan, const FleetPlan *new_plan)
{
  g_autoptr(FleetPlanDiff) diff = fleet_plan_diff (old_plan, new_plan);

  return list_changes (diff);
}

static const FleetPlanDiffFiles test_files = {
  .old_path = "old.plan",
  .old_sha256 = "1111",
  .new_path = "new.plan",
  .new_sha256 = "2222",
};

/* Comparison */

static void
test_identical_plans (void)
{
  g_autoptr(FleetPlan) old_plan = make_plan ();
  g_autoptr(FleetPlan) new_plan = make_plan ();
  g_autoptr(FleetPlanDiff) diff = fleet_plan_diff (old_plan, new_plan);
  g_autofree char *summary = fleet_plan_diff_summary (diff);

  g_assert_cmpuint (diff->changes->len, ==, 0);
  g_assert_false (fleet_plan_diff_changes_run (diff));
  g_assert_cmpstr (summary, ==, "The plans are identical.");
  g_assert_cmpuint (diff->old_waves, ==, 2);
  g_assert_cmpuint (diff->new_waves, ==, 2);
}

static void
test_hosts_added_removed_moved (void)
{
  g_autoptr(FleetPlan) old_plan = make_plan ();
  g_autoptr(FleetPlan) new_plan = make_plan ();
  g_autoptr(FleetPlanDiff) diff = NULL;
  g_autofree char *lines = NULL;
  FleetWave *canary;

  /* New plan: a and e in the canary wave, then c; b and d are gone. */
  g_ptr_array_remove_range (new_plan->waves, 0, new_plan->waves->len);
  g_ptr_array_remove_index (new_plan->hosts, 3);
  g_ptr_array_remove_index (new_plan->hosts, 1);
  g_ptr_array_add (new_plan->hosts, make_host ("e", "dc3"));
  canary = add_wave (new_plan, (const int[]) { 0, 2, -1 });
  canary->canary = TRUE;
  add_wave (new_plan, (const int[]) { 1, -1 });
  fleet_plan_resolve_thresholds (new_plan);

  diff = fleet_plan_diff (old_plan, new_plan);
  lines = list_changes (diff);
  g_assert_cmpstr (lines, ==,
                   "hosts|added|e|wave|-|wave 1 (canary)\n"
                   "hosts|removed|b|wave|wave 2|-\n"
                   "hosts|removed|d|wave|wave 2|-\n"
                   "waves|changed|sizes|-|1, 3|2, 1\n"
                   "");
}

static void
test_host_moved_between_stages (void)
{
  g_autoptr(FleetPlan) old_plan = make_plan ();
  g_autoptr(FleetPlan) new_plan = make_plan ();
  g_autofree char *lines = NULL;

  /* b moves from wave 2 to the canary wave. */
  g_array_append_val (((FleetWave *) g_ptr_array_index (new_plan->waves, 0))->host_indices,
                      (guint32) { 1 });
  g_array_remove_index (((FleetWave *) g_ptr_array_index (new_plan->waves, 1))->host_indices, 0);
  fleet_plan_resolve_thresholds (new_plan);

  lines = diff_lines (old_plan, new_plan);
  g_assert_cmpstr (lines, ==,
                   "hosts|moved|b|wave|wave 2|wave 1 (canary)\n"
                   "waves|changed|sizes|-|1, 3|2, 2\n");
}

static void
test_host_settings_changed (void)
{
  g_autoptr(FleetPlan) old_plan = make_plan ();
  g_autoptr(FleetPlan) new_plan = make_plan ();
  g_autoptr(FleetPlanDiff) diff = NULL;
  g_autofree char *lines = NULL;
  FleetHost *c = host_named (new_plan, "c");
  FleetHost *d = host_named (new_plan, "d");

  c->port = 2222;
  c->user = g_strdup ("deploy");
  g_ptr_array_add (c->identity_files, g_strdup ("~/.ssh/id_deploy"));
  c->host_key_policy = FLEET_HOST_KEY_POLICY_ACCEPT_NEW;
  c->connect_timeout_ms = 5000;
  g_hash_table_insert (c->attributes, g_strdup ("dc"), g_strdup ("dc3"));
  g_hash_table_insert (c->attributes, g_strdup ("rack"), g_strdup ("r7"));
  g_hash_table_remove (d->attributes, "dc");
  g_ptr_array_add (d->groups, g_strdup ("db"));

  diff = fleet_plan_diff (old_plan, new_plan);
  lines = list_changes (diff);
  g_assert_cmpstr (lines, ==,
                   "host settings|changed|c|port|22|2222\n"
                   "host settings|changed|c|user|-|deploy\n"
                   "host settings|changed|c|identity-files|(none)|~/.ssh/id_deploy\n"
                   "host settings|changed|c|host-key-policy|strict|accept-new\n"
                   "host settings|changed|c|connect-timeout-ms|10s|5s\n"
                   "host settings|changed|c|attributes[dc]|dc2|dc3\n"
                   "host settings|changed|c|attributes[rack]|-|r7\n"
                   "host settings|changed|d|attributes[dc]|dc2|-\n"
                   "host settings|changed|d|groups|(none)|db\n");
  g_assert_cmpuint (diff->hosts_changed, ==, 2);
  g_assert_true (fleet_plan_diff_changes_run (diff));
}

static void
test_jump_hosts_compared (void)
{
  g_autoptr(FleetPlan) old_plan = make_plan ();
  g_autoptr(FleetPlan) new_plan = make_plan ();
  g_autofree char *lines = NULL;
  FleetHost *bastion = make_host ("bastion", "dc1");
  FleetHost *changed = make_host ("bastion", "dc1");

  g_ptr_array_add (old_plan->jump_hosts, bastion);
  g_ptr_array_add (old_plan->jump_hosts, make_host ("old-bastion", "dc1"));
  changed->port = 2200;
  g_ptr_array_add (new_plan->jump_hosts, changed);
  g_ptr_array_add (new_plan->jump_hosts, make_host ("new-bastion", "dc2"));

  lines = diff_lines (old_plan, new_plan);
  g_assert_cmpstr (lines, ==,
                   "jump hosts|changed|bastion|port|22|2200\n"
                   "jump hosts|added|new-bastion|-|-|new-bastion.example.net\n"
                   "jump hosts|removed|old-bastion|-|old-bastion.example.net|-\n");
}

static void
test_waves_added_and_resolved (void)
{
  g_autoptr(FleetPlan) old_plan = make_plan ();
  g_autoptr(FleetPlan) new_plan = make_plan ();
  g_autofree char *lines = NULL;
  FleetWave *second = g_ptr_array_index (new_plan->waves, 1);

  /* Split wave 2 into [b] and [c, d], and let 50% of a wave fail. */
  g_array_set_size (second->host_indices, 1);
  add_wave (new_plan, (const int[]) { 2, 3, -1 });
  new_plan->halt_at[FLEET_HALT_FAILED_PER_WAVE] =
    (FleetThreshold) { FLEET_THRESHOLD_PERCENT, 50 };
  new_plan->halt_at_default[FLEET_HALT_FAILED_PER_WAVE] = FALSE;
  fleet_plan_resolve_thresholds (new_plan);

  lines = diff_lines (old_plan, new_plan);
  g_assert_cmpstr (lines, ==,
                   "hosts|moved|c|wave|wave 2|wave 3\n"
                   "hosts|moved|d|wave|wave 2|wave 3\n"
                   "waves|changed|sizes|-|1, 3|1, 1, 2\n"
                   "waves|added|wave 3|-|-|wave 3, 2 hosts\n"
                   "rollout|changed|halt_at|failed_per_wave|1 (default)|50%\n");
}

static void
test_wave_host_order (void)
{
  g_autoptr(FleetPlan) old_plan = make_plan ();
  g_autoptr(FleetPlan) new_plan = make_plan ();
  g_autoptr(FleetPlanDiff) diff = NULL;
  g_autofree char *lines = NULL;
  GArray *indices = ((FleetWave *) g_ptr_array_index (new_plan->waves, 1))->host_indices;

  g_array_index (indices, guint32, 0) = 3;
  g_array_index (indices, guint32, 2) = 1;

  diff = fleet_plan_diff (old_plan, new_plan);
  lines = list_changes (diff);
  g_assert_cmpstr (lines, ==, "waves|changed|wave 2|host order|-|-\n");
  g_assert_true (fleet_plan_diff_changes_run (diff));
}

static void
test_steps_changed (void)
{
  g_autoptr(FleetPlan) old_plan = make_plan ();
  g_autoptr(FleetPlan) new_plan = make_plan ();
  g_autoptr(FleetPlanDiff) diff = NULL;
  g_autofree char *lines = NULL;
  FleetStep *patch = step_named (new_plan, "patch");
  FleetStep *verify = fleet_step_new ("verify", "openssl version");
  int also_ok = 100;

  patch->command = (g_free (patch->command), g_strdup ("apt-get install -y openssl=3.0.15"));
  patch->timeout_ms = 300000;
  patch->become = TRUE;
  patch->when = g_strdup ("dc == \"dc1\"");
  g_array_append_val (patch->expected_exit_codes, also_ok);
  patch->host_commands = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, g_free);
  g_hash_table_insert (patch->host_commands, g_strdup ("b"), g_strdup ("apt-get install b"));
  g_ptr_array_remove_index (new_plan->steps, 0);
  g_ptr_array_add (new_plan->steps, verify);

  diff = fleet_plan_diff (old_plan, new_plan);
  lines = list_changes (diff);
  g_assert_cmpstr (lines, ==,
                   "steps|changed|patch|command|apt-get install -y openssl|"
                   "apt-get install -y openssl=3.0.15\n"
                   "steps|changed|patch|timeout-ms|2m|5m\n"
                   "steps|changed|patch|expect-exit|0|0,100\n"
                   "steps|changed|patch|become|false|true\n"
                   "steps|changed|patch|host-commands[b]|-|apt-get install b\n"
                   "steps|changed|patch|when|-|dc == \"dc1\"\n"
                   "steps|added|verify|-|-|openssl version\n"
                   "steps|removed|stop|-|systemctl stop app|-\n");
  g_assert_cmpuint (diff->steps_added, ==, 1);
  g_assert_cmpuint (diff->steps_removed, ==, 1);
  g_assert_cmpuint (diff->steps_changed, ==, 1);
}

/* Give step `name` of `plan` the rendered setting `key` = `value` on
 * `host`. */
static void
set_host_value (FleetPlan *plan, const char *name, const char *host, const char *key,
                const char *value)
{
  FleetStep *step = step_named (plan, name);
  GHashTable *table;

  if (step->values == NULL)
    step->values = fleet_step_values_new ();
  if (step->values->host_values == NULL)
    step->values->host_values = g_hash_table_new_full (g_str_hash, g_str_equal, g_free,
                                                       (GDestroyNotify) g_hash_table_unref);
  table = g_hash_table_lookup (step->values->host_values, host);
  if (table == NULL)
    {
      table = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, g_free);
      g_hash_table_insert (step->values->host_values, g_strdup (host), table);
    }
  g_hash_table_insert (table, g_strdup (key), g_strdup (value));
}

/* Make step `name` of `plan` wait for `waited` on the hosts of `group`,
 * which are the NULL-terminated `hosts`. */
static void
add_barrier (FleetPlan *plan, const char *name, const char *waited, const char *group,
             const char * const *hosts)
{
  FleetStep *step = step_named (plan, name);
  FleetStepBarrier *barrier = fleet_step_barrier_new (waited, group);

  barrier->hosts = g_ptr_array_new_with_free_func (g_free);
  for (guint i = 0; hosts[i] != NULL; i++)
    g_ptr_array_add (barrier->hosts, g_strdup (hosts[i]));
  if (step->barriers == NULL)
    step->barriers = g_ptr_array_new_with_free_func ((GDestroyNotify) fleet_step_barrier_free);
  g_ptr_array_add (step->barriers, barrier);
}

/* Settings rendered per host are compared setting by setting and host by
 * host, and barriers as `fleetc show` words them, never as stored values. */
static void
test_step_values_and_barriers (void)
{
  g_autoptr(FleetPlan) old_plan = make_plan ();
  g_autoptr(FleetPlan) new_plan = make_plan ();
  g_autoptr(FleetPlan) same_plan = make_plan ();
  FleetPlan *plans[] = { old_plan, new_plan, same_plan };
  g_autofree char *lines = NULL;
  g_autofree char *same_lines = NULL;

  for (guint i = 0; i < G_N_ELEMENTS (plans); i++)
    {
      set_host_value (plans[i], "patch", "a", "workdir", "/srv/dc1");
      set_host_value (plans[i], "patch", "c", "workdir", "/srv/dc2");
      add_barrier (plans[i], "patch", "stop", "db", (const char *[]) { "a", NULL });
    }
  set_host_value (new_plan, "patch", "a", "workdir", "/opt/dc1");
  set_host_value (new_plan, "patch", "b", "env.LANG", "C");
  g_hash_table_remove (step_named (new_plan, "patch")->values->host_values, "c");
  g_ptr_array_remove_index (step_named (new_plan, "patch")->barriers, 0);
  add_barrier (new_plan, "patch", "stop", "db", (const char *[]) { "a", "b", NULL });
  add_barrier (new_plan, "patch", "stop", "web", (const char *[]) { "c", NULL });

  same_lines = diff_lines (old_plan, same_plan);
  g_assert_cmpstr (same_lines, ==, "");

  lines = diff_lines (old_plan, new_plan);
  g_assert_cmpstr (lines, ==,
                   "steps|changed|patch|workdir on a|/srv/dc1|/opt/dc1\n"
                   "steps|changed|patch|env.LANG on b|-|C\n"
                   "steps|changed|patch|workdir on c|/srv/dc2|-\n"
                   "steps|changed|patch|barrier|waits until stop finished on every host of "
                   "group db (1 host: a)|waits until stop finished on every host of group db "
                   "(2 hosts: a b)\n"
                   "steps|changed|patch|barrier|-|waits until stop finished on every host of "
                   "group web (1 host: c)\n");

  g_ptr_array_set_size (step_named (new_plan, "patch")->barriers, 0);
  g_clear_pointer (&lines, g_free);
  lines = diff_lines (old_plan, new_plan);
  g_assert_nonnull (strstr (lines, "steps|changed|patch|barrier|waits until stop finished on "
                                   "every host of group db (1 host: a)|-\n"));
}

/* Give `plan` a template step "motd" rendered for hosts a and b, b's file
 * reading `b_text`. */
static void
add_template_step (FleetPlan *plan, const char *b_text)
{
  FleetStep *step = fleet_step_new ("motd", "template motd");
  FleetStepKindData *kind = fleet_step_kind_data_new (FLEET_STEP_KIND_TEMPLATE);

  kind->dest = g_strdup ("/etc/motd");
  kind->host_contents = g_hash_table_new_full (g_str_hash, g_str_equal, g_free,
                                               (GDestroyNotify) g_bytes_unref);
  g_hash_table_insert (kind->host_contents, g_strdup ("a"), g_bytes_new_static ("hello a\n", 8));
  g_hash_table_insert (kind->host_contents, g_strdup ("b"),
                       g_bytes_new (b_text, strlen (b_text)));
  step->kind_data = kind;
  g_ptr_array_add (plan->steps, step);
}

/* A template's files are compared host by host, each shown as its size and
 * digest, never as a byte dump. */
static void
test_template_contents_by_host (void)
{
  g_autoptr(FleetPlan) old_plan = make_plan ();
  g_autoptr(FleetPlan) new_plan = make_plan ();
  g_autoptr(FleetPlan) same_plan = make_plan ();
  g_autofree char *lines = NULL;
  g_autofree char *same_lines = NULL;

  add_template_step (old_plan, "hello b\n");
  add_template_step (new_plan, "hello b, patched\n");
  add_template_step (same_plan, "hello b\n");

  same_lines = diff_lines (old_plan, same_plan);
  g_assert_cmpstr (same_lines, ==, "");

  lines = diff_lines (old_plan, new_plan);
  g_assert_cmpstr (lines, ==,
                   "steps|changed|motd|host-contents[b]|8 bytes, sha256 bc94fa295f07|"
                   "17 bytes, sha256 c62b9f4f455f\n");
}

static void
test_step_order_changed (void)
{
  g_autoptr(FleetPlan) old_plan = make_plan ();
  g_autoptr(FleetPlan) new_plan = make_plan ();
  g_autofree char *lines = NULL;
  FleetStep *stop = g_ptr_array_steal_index (new_plan->steps, 0);

  g_ptr_array_add (new_plan->steps, stop);

  lines = diff_lines (old_plan, new_plan);
  g_assert_cmpstr (lines, ==, "steps|changed|order|-|stop, patch|patch, stop\n");
}

static void
test_rollout_settings (void)
{
  g_autoptr(FleetPlan) old_plan = make_plan ();
  g_autoptr(FleetPlan) new_plan = make_plan ();
  g_autofree char *lines = NULL;

  new_plan->parallelism = 2;
  new_plan->limit = g_strdup ("dc != \"dc3\"");
  g_ptr_array_add (new_plan->spread,
                   fleet_spread_rule_new ("rack", (FleetThreshold) { FLEET_THRESHOLD_COUNT, 1 }));
  g_ptr_array_add (new_plan->spread,
                   fleet_spread_rule_new ("dc", (FleetThreshold) { FLEET_THRESHOLD_PERCENT, 25 }));
  new_plan->halt_at[FLEET_HALT_UNREACHABLE_TOTAL] = (FleetThreshold) { FLEET_THRESHOLD_COUNT, 3 };
  new_plan->halt_at_default[FLEET_HALT_UNREACHABLE_TOTAL] = FALSE;
  old_plan->vars = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, g_free);
  new_plan->vars = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, g_free);
  g_hash_table_insert (old_plan->vars, g_strdup ("version"), g_strdup ("3.0.14"));
  g_hash_table_insert (new_plan->vars, g_strdup ("version"), g_strdup ("3.0.15"));
  fleet_plan_resolve_thresholds (new_plan);

  lines = diff_lines (old_plan, new_plan);
  g_assert_cmpstr (lines, ==,
                   "rollout|changed|parallelism|-|10|2\n"
                   "rollout|added|limit|-|-|dc != \"dc3\"\n"
                   "rollout|changed|halt-unreachable-total|-|never|3\n"
                   "rollout|added|spread|-|-|rack: 1; dc: 25%\n"
                   "rollout|changed|halt_at|unreachable_total|unlimited (default)|3\n"
                   "rollout|changed|vars|vars[version]|3.0.14|3.0.15\n");
}

/* Concurrency, caps and target protection are compared in the words of
 * fleetc show. */
static void
test_pacing_compared (void)
{
  g_autoptr(FleetPlan) old_plan = make_plan ();
  g_autoptr(FleetPlan) new_plan = make_plan ();
  g_autofree char *lines = NULL;

  new_plan->pacing = fleet_pacing_new ();
  new_plan->pacing->fixed = TRUE;
  fleet_pacing_add_cap (new_plan->pacing, "dc", 5);
  new_plan->pacing->nice = 10;

  lines = diff_lines (old_plan, new_plan);
  g_assert_cmpstr (lines, ==,
                   "rollout|changed|concurrency|-|adaptive: starts at the cap of 10 hosts, "
                   "falls on congestion to no fewer than 1|fixed at 10 hosts\n"
                   "rollout|added|caps|-|-|at most dc 5 busy hosts per value\n"
                   "rollout|added|protect|-|-|nice 10\n");
}

static void
test_sources_and_trust_equivalent (void)
{
  g_autoptr(FleetPlan) old_plan = make_plan ();
  g_autoptr(FleetPlan) new_plan = make_plan ();
  g_autoptr(FleetPlanDiff) diff = NULL;
  g_autofree char *lines = NULL;
  g_autofree char *summary = NULL;
  FleetPlanSignature *signature = g_new0 (FleetPlanSignature, 1);
  FleetInventoryFile *file = g_ptr_array_index (new_plan->inventory_files, 0);

  new_plan->workflow_sha256 = (g_free (new_plan->workflow_sha256), g_strdup ("dddd"));
  new_plan->inventory_sha256 = (g_free (new_plan->inventory_sha256), g_strdup ("eeee"));
  file->sha256 = (g_free (file->sha256), g_strdup ("ffff"));
  g_ptr_array_add (new_plan->inventory_files,
                   fleet_inventory_file_new ("/usr/local/bin/cmdb-inventory",
                                             FLEET_INVENTORY_FILE_PROGRAM, "9999"));
  new_plan->ssh_config_path = g_strdup ("/home/op/.ssh/config");
  new_plan->compiled_at += 3600;
  new_plan->expires_at = 0;
  new_plan->format_version = 3;
  signature->fingerprint = g_strdup ("SHA256:abc");
  signature->comment = g_strdup ("alice, change 42");
  signature->valid = TRUE;
  g_ptr_array_add (new_plan->signatures, signature);

  diff = fleet_plan_diff (old_plan, new_plan);
  lines = list_changes (diff);
  g_assert_cmpstr (lines, ==,
                   "sources|changed|workflow-sha256|-|aaaa|dddd\n"
                   "sources|changed|inventory-sha256|-|bbbb|eeee\n"
                   "sources|added|ssh-config-path|-|-|/home/op/.ssh/config\n"
                   "sources|changed|/etc/fleet/inventory.yaml|sha256|cccc|ffff\n"
                   "sources|added|/usr/local/bin/cmdb-inventory|-|-|9999\n"
                   "trust|changed|format version|-|0|3\n"
                   "trust|changed|compiled at|-|2026-01-01T00:00:00Z|2026-01-01T01:00:00Z\n"
                   "trust|changed|expires at|-|2026-01-08T00:00:00Z|never\n"
                   "trust|added|signature SHA256:abc|-|-|\"alice, change 42\"\n");
  g_assert_false (fleet_plan_diff_changes_run (diff));
  summary = fleet_plan_diff_summary (diff);
  g_assert_true (g_str_has_prefix (summary, "The plans are equivalent"));
}

static void
test_signatures_removed_and_invalid (void)
{
  g_autoptr(FleetPlan) old_plan = make_plan ();
  g_autoptr(FleetPlan) new_plan = make_plan ();
  g_autofree char *lines = NULL;
  const struct { const char *fingerprint; gboolean old_valid; gboolean new_valid; } keys[] = {
    { "SHA256:kept", TRUE, TRUE },
    { "SHA256:broken", TRUE, FALSE },
  };

  for (guint i = 0; i < G_N_ELEMENTS (keys); i++)
    {
      FleetPlanSignature *old_signature = g_new0 (FleetPlanSignature, 1);
      FleetPlanSignature *new_signature = g_new0 (FleetPlanSignature, 1);

      old_signature->fingerprint = g_strdup (keys[i].fingerprint);
      old_signature->comment = g_strdup ("");
      old_signature->valid = keys[i].old_valid;
      new_signature->fingerprint = g_strdup (keys[i].fingerprint);
      new_signature->comment = g_strdup ("");
      new_signature->valid = keys[i].new_valid;
      g_ptr_array_add (old_plan->signatures, old_signature);
      g_ptr_array_add (new_plan->signatures, new_signature);
    }
  {
    FleetPlanSignature *removed = g_new0 (FleetPlanSignature, 1);

    removed->fingerprint = g_strdup ("SHA256:gone");
    removed->comment = g_strdup ("bob");
    removed->valid = TRUE;
    g_ptr_array_add (old_plan->signatures, removed);
  }

  lines = diff_lines (old_plan, new_plan);
  g_assert_cmpstr (lines, ==,
                   "trust|changed|signature SHA256:broken|-|\"\"|\"\" (does not verify)\n"
                   "trust|removed|signature SHA256:gone|-|\"bob\"|-\n");
}

/* A body key without a rule of its own, here the snapshot settings, is
 * still compared. */
static void
test_unclaimed_key_reported (void)
{
  g_autoptr(FleetPlan) old_plan = make_plan ();
  g_autoptr(FleetPlan) new_plan = make_plan ();
  g_autoptr(FleetPlanDiff) diff = NULL;
  g_autofree char *lines = NULL;

  new_plan->snapshot = fleet_snapshot_config_new ();
  g_ptr_array_add (new_plan->snapshot->files, g_strdup ("/etc/app.conf"));

  diff = fleet_plan_diff (old_plan, new_plan);
  lines = list_changes (diff);
  g_assert_true (g_str_has_prefix (lines, "other|added|snapshot|-|-|{"));
  g_assert_nonnull (strstr (lines, "/etc/app.conf"));
  g_assert_true (fleet_plan_diff_changes_run (diff));
}

static void
test_diff_deterministic (void)
{
  g_autoptr(FleetPlan) old_plan = make_plan ();
  g_autoptr(FleetPlan) new_plan = make_plan ();
  g_autofree char *first = NULL;
  g_autofree char *second = NULL;
  FleetHost *b = host_named (new_plan, "b");

  for (guint i = 0; i < 20; i++)
    {
      g_autofree char *key = g_strdup_printf ("attribute%02u", i);

      g_hash_table_insert (b->attributes, g_strdup (key), g_strdup ("x"));
    }
  g_ptr_array_add (new_plan->hosts, make_host ("z", "dc9"));
  add_wave (new_plan, (const int[]) { 4, -1 });
  fleet_plan_resolve_thresholds (new_plan);

  first = diff_lines (old_plan, new_plan);
  second = diff_lines (old_plan, new_plan);
  g_assert_cmpstr (first, ==, second);
  /* Attribute fields come sorted by name. */
  g_assert_true (strstr (first, "attributes[attribute00]") < strstr (first,
                                                                     "attributes[attribute19]"));
}

/* Windows */

#define HOUR_US (G_GINT64_CONSTANT (3600) * G_USEC_PER_SEC)
#define DAY_US (24 * HOUR_US)
/* 2026-01-01T00:00:00Z */
#define BASE_US (G_GINT64_CONSTANT (1767225600) * G_USEC_PER_SEC)

/* Return daily windows from 01:00 lasting `hours`, starting on day
 * `first_day` after BASE_US, for `n_days` days. */
static GArray *
daily_windows (guint first_day, guint n_days, guint hours)
{
  GArray *windows = g_array_new (FALSE, FALSE, sizeof (FleetWindowInterval));

  for (guint day = first_day; day < first_day + n_days; day++)
    {
      FleetWindowInterval interval = {
        .start_us = BASE_US + day * DAY_US + HOUR_US,
        .end_us = BASE_US + day * DAY_US + (1 + hours) * HOUR_US,
        .source = FLEET_WINDOW_NO_SOURCE,
      };

      g_array_append_val (windows, interval);
    }
  return windows;
}

/* Give `plan` a schedule over days [first_day, first_day + 10) with one
 * window set "all" of 2-hour windows for every host. */
static FleetPlanSchedule *
add_schedule (FleetPlan *plan, guint first_day)
{
  FleetPlanSchedule *schedule = fleet_plan_schedule_new ();

  schedule->from_us = BASE_US + first_day * DAY_US;
  schedule->to_us = schedule->from_us + 10 * DAY_US;
  schedule->margin_ms = 5 * 60000;
  fleet_plan_schedule_add_window_set (schedule, "all", "Europe/Berlin",
                                      daily_windows (first_day, 10, 2));
  for (guint i = 0; i < plan->hosts->len; i++)
    {
      guint32 set = 0;
      gint64 start = schedule->from_us + HOUR_US;

      g_array_append_val (schedule->host_window_set, set);
      g_array_append_val (schedule->host_starts_us, start);
    }
  for (guint i = 0; i < plan->steps->len; i++)
    {
      guint64 estimate = 60000;

      g_array_append_val (schedule->step_estimates_ms, estimate);
      g_ptr_array_add (schedule->step_estimate_sources, g_strdup ("timeout"));
    }
  for (guint i = 0; i < plan->waves->len; i++)
    {
      FleetWaveSchedule wave = {
        .start_us = schedule->from_us + HOUR_US + i * DAY_US,
        .latest_start_us = schedule->from_us + 2 * HOUR_US + i * DAY_US,
        .end_us = schedule->from_us + HOUR_US + i * DAY_US + 120 * G_USEC_PER_SEC,
      };

      g_array_append_val (schedule->waves, wave);
    }
  schedule->finish_us = g_array_index (schedule->waves, FleetWaveSchedule,
                                       plan->waves->len - 1).end_us;
  schedule->lower_bound_us = schedule->finish_us;
  plan->schedule = schedule;
  return schedule;
}

/* Recompiling a day later shifts the window range, the forecasts and the
 * windows at the edges; within both ranges the windows are the same, so the
 * plans are equivalent. */
static void
test_windows_range_shift (void)
{
  g_autoptr(FleetPlan) old_plan = make_plan ();
  g_autoptr(FleetPlan) new_plan = make_plan ();
  g_autoptr(FleetPlanDiff) diff = NULL;
  g_autofree char *lines = NULL;

  add_schedule (old_plan, 0);
  add_schedule (new_plan, 1);

  diff = fleet_plan_diff (old_plan, new_plan);
  lines = list_changes (diff);
  g_assert_cmpstr (lines, ==,
                   "schedule|changed|window range|from|2026-01-01T00:00:00Z|2026-01-02T00:00:00Z\n"
                   "schedule|changed|window range|to|2026-01-11T00:00:00Z|2026-01-12T00:00:00Z\n"
                   "schedule|changed|planned finish|-|2026-01-02T01:02:00Z|2026-01-03T01:02:00Z\n"
                   "schedule|changed|earliest possible finish|-|2026-01-02T01:02:00Z|"
                   "2026-01-03T01:02:00Z\n"
                   "schedule|changed|wave 1|planned start|2026-01-01T01:00:00Z|"
                   "2026-01-02T01:00:00Z\n"
                   "schedule|changed|wave 1|latest start|2026-01-01T02:00:00Z|"
                   "2026-01-02T02:00:00Z\n"
                   "schedule|changed|wave 1|planned end|2026-01-01T01:02:00Z|"
                   "2026-01-02T01:02:00Z\n"
                   "schedule|changed|wave 2|planned start|2026-01-02T01:00:00Z|"
                   "2026-01-03T01:00:00Z\n"
                   "schedule|changed|wave 2|latest start|2026-01-02T02:00:00Z|"
                   "2026-01-03T02:00:00Z\n"
                   "schedule|changed|wave 2|planned end|2026-01-02T01:02:00Z|"
                   "2026-01-03T01:02:00Z\n");
  g_assert_false (fleet_plan_diff_changes_run (diff));
}

static void
test_windows_changed (void)
{
  g_autoptr(FleetPlan) old_plan = make_plan ();
  g_autoptr(FleetPlan) new_plan = make_plan ();
  g_autoptr(FleetPlanDiff) diff = NULL;
  g_autofree char *lines = NULL;
  FleetPlanSchedule *old_schedule = add_schedule (old_plan, 0);
  FleetPlanSchedule *new_schedule = add_schedule (new_plan, 0);
  guint db_set;

  /* Day 3 loses its window, d moves to a new set "db" of 3-hour windows,
   * and the margin, the end rule and one estimate change. */
  g_array_remove_index (g_ptr_array_index (new_schedule->window_sets, 0), 3);
  db_set = fleet_plan_schedule_add_window_set (new_schedule, "db", "UTC", daily_windows (0, 2, 3));
  g_array_index (new_schedule->host_window_set, guint32, 3) = db_set;
  new_schedule->margin_ms = 15 * 60000;
  new_schedule->at_window_end = FLEET_AT_WINDOW_END_ABORT;
  g_array_index (new_schedule->step_estimates_ms, guint64, 1) = 20 * 60000;
  fleet_plan_schedule_add_window_set (old_schedule, "weekend", "UTC", daily_windows (5, 1, 4));

  diff = fleet_plan_diff (old_plan, new_plan);
  lines = list_changes (diff);
  g_assert_cmpstr (lines, ==,
                   "windows|changed|margin|-|5m|15m\n"
                   "windows|changed|at window end|-|finish|abort\n"
                   "windows|changed|patch|estimate|1m|20m\n"
                   "windows|changed|window set all|windows|"
                   "2026-01-04T01:00:00Z/2026-01-04T03:00:00Z|-\n"
                   "windows|added|window set db|-|-|2 windows, time zone UTC\n"
                   "windows|removed|window set weekend|-|1 window, time zone UTC|-\n"
                   "windows|changed|d|window set|all|db\n");
  g_assert_true (fleet_plan_diff_changes_run (diff));
}

static void
test_windows_added (void)
{
  g_autoptr(FleetPlan) old_plan = make_plan ();
  g_autoptr(FleetPlan) new_plan = make_plan ();
  g_autofree char *added = NULL;
  g_autofree char *removed = NULL;

  add_schedule (new_plan, 0);
  added = diff_lines (old_plan, new_plan);
  removed = diff_lines (new_plan, old_plan);
  g_assert_cmpstr (added, ==, "windows|added|windows|-|-|1 window set: all\n");
  g_assert_cmpstr (removed, ==, "windows|removed|windows|-|1 window set: all|-\n");
}

/* Renderers */

static FleetPlanDiff *
sample_diff (FleetPlan **out_old, FleetPlan **out_new)
{
  FleetPlan *old_plan = make_plan ();
  FleetPlan *new_plan = make_plan ();
  FleetHost *c = host_named (new_plan, "c");
  FleetStep *patch = step_named (new_plan, "patch");

  c->port = 2222;
  g_hash_table_insert (c->attributes, g_strdup ("note"), g_strdup ("a|b *c* \033[31mred"));
  patch->command = (g_free (patch->command), g_strdup ("printf 'x\\n' | tee /tmp/x"));
  new_plan->compiled_at += 60;
  *out_old = old_plan;
  *out_new = new_plan;
  return fleet_plan_diff (old_plan, new_plan);
}

/* Add the checks, gate and rollback that the progressive tests start
 * from to `plan`. */
static void
add_progressive (FleetPlan *plan)
{
  FleetCheck *health = fleet_check_new ("health", FLEET_CHECK_HOST);
  FleetCheck *alerts = fleet_check_new ("alerts", FLEET_CHECK_HTTP);
  FleetCheck *lb = fleet_check_new ("lb", FLEET_CHECK_LOCAL);
  FleetRollbackCommand *undo = fleet_rollback_command_new ("patch", "apt-get install -y "
                                                           "openssl=3.0.11");
  FleetRollbackCommand *restore = fleet_rollback_command_new ("restore", "cp a b");

  health->command = g_strdup ("systemctl is-active app");
  health->retries = 3;
  alerts->url = g_strdup ("https://alerts.example.net/?host={{ name }}");
  alerts->on_fail = FLEET_CHECK_ON_FAIL_FAIL_HOSTS;
  g_ptr_array_add (lb->argv, g_strdup ("/usr/local/bin/lb-check"));
  g_ptr_array_add (plan->checks, health);
  g_ptr_array_add (plan->checks, alerts);
  g_ptr_array_add (plan->checks, lb);

  plan->between_waves.pause_ms = 600000;

  undo->timeout_ms = 120000;
  undo->become = TRUE;
  restore->timeout_ms = 60000;
  plan->rollback = fleet_rollback_new ();
  g_ptr_array_add (plan->rollback->undo, undo);
  g_ptr_array_add (plan->rollback->steps, restore);
}

/* Checks, the wait between waves and the rollback are compared field by
 * field and worded as fleetc show words them, not printed raw under
 * "other". */
static void
test_progressive_changed (void)
{
  g_autoptr(FleetPlan) old_plan = make_plan ();
  g_autoptr(FleetPlan) new_plan = make_plan ();
  g_autoptr(FleetPlanDiff) diff = NULL;
  g_autofree char *lines = NULL;
  FleetCheck *health;
  FleetCheck *smoke = fleet_check_new ("smoke", FLEET_CHECK_HOST);
  FleetRollbackCommand *undo_stop = fleet_rollback_command_new ("stop", "systemctl start app");

  add_progressive (old_plan);
  add_progressive (new_plan);

  health = g_ptr_array_index (new_plan->checks, 0);
  health->bake_ms = 60000;
  health->interval_ms = 10000;
  health->expect_contains = g_strdup ("active");
  g_ptr_array_remove_index (new_plan->checks, 2);
  smoke->command = g_strdup ("curl -fsS http://localhost/");
  g_ptr_array_insert (new_plan->checks, 0, smoke);
  g_ptr_array_add (new_plan->checks, g_ptr_array_steal_index (new_plan->checks, 1));

  new_plan->between_waves.approve = TRUE;
  new_plan->rollback->on_halt = TRUE;
  undo_stop->timeout_ms = 30000;
  g_ptr_array_add (new_plan->rollback->undo, undo_stop);
  g_clear_pointer (&((FleetRollbackCommand *) g_ptr_array_index (new_plan->rollback->steps,
                                                                 0))->command, g_free);
  ((FleetRollbackCommand *) g_ptr_array_index (new_plan->rollback->steps, 0))->command =
    g_strdup ("cp a c");

  diff = fleet_plan_diff (old_plan, new_plan);
  lines = list_changes (diff);
  g_test_message ("%s", lines);
  g_assert_cmpstr (lines, ==,
    "checks and rollback|changed|checks|order|health, alerts|alerts, health\n"
    "checks and rollback|added|check smoke|-|-|run on each host of the wave: curl -fsS "
    "http://localhost/; expect exit status 0; bake 0s, timeout 30s, no retries; on failure "
    "halt the run\n"
    "checks and rollback|changed|check health|passes on|expect exit status 0|expect exit "
    "status 0, containing \"active\"\n"
    "checks and rollback|changed|check health|bake|0s|1m\n"
    "checks and rollback|changed|check health|retries|3 retries 5s apart|3 retries 10s apart\n"
    "checks and rollback|removed|check lb|-|run on the controller: /usr/local/bin/lb-check; "
    "expect exit status 0; bake 0s, timeout 30s, no retries; on failure halt the run|-\n"
    "checks and rollback|changed|between waves|-|pause 10m|pause 10m, then wait for "
    "`fleet-run --continue RUN` or `--abort RUN`\n"
    "checks and rollback|changed|rollback|on halt|a halted run stops; roll back with "
    "`fleet-run --rollback RUN`|a halted run rolls back the changed hosts of its failed wave\n"
    "checks and rollback|added|undo of step stop|-|-|undo \"stop\" (timeout 30s): systemctl "
    "start app\n"
    "checks and rollback|changed|rollback step restore|-|step \"restore\" (timeout 1m): cp a b"
    "|step \"restore\" (timeout 1m): cp a c\n");
  g_assert_null (strstr (lines, "other|"));
  g_assert_true (fleet_plan_diff_changes_run (diff));
}

/* A plan that gains a rollback shows each of its parts as added, and the
 * same checks in both plans give no change. */
static void
test_progressive_added (void)
{
  g_autoptr(FleetPlan) old_plan = make_plan ();
  g_autoptr(FleetPlan) new_plan = make_plan ();
  g_autofree char *lines = NULL;
  g_autofree char *same = NULL;

  add_progressive (new_plan);
  lines = diff_lines (old_plan, new_plan);
  g_test_message ("%s", lines);
  g_assert_nonnull (strstr (lines, "checks and rollback|added|check alerts|-|-|GET "
                                   "https://alerts.example.net/?host={{ name }} for each host "
                                   "of the wave; expect status 200; bake 0s, timeout 30s, no "
                                   "retries; on failure fail those hosts\n"));
  g_assert_nonnull (strstr (lines, "checks and rollback|changed|between waves|-|go on at once|"
                                   "pause 10m\n"));
  g_assert_nonnull (strstr (lines, "checks and rollback|added|rollback|on halt|-|a halted run "
                                   "stops; roll back with `fleet-run --rollback RUN`\n"));
  g_assert_nonnull (strstr (lines, "checks and rollback|added|undo of step patch|-|-|undo "
                                   "\"patch\" with sudo (timeout 2m): apt-get install -y "
                                   "openssl=3.0.11\n"));
  g_assert_nonnull (strstr (lines, "checks and rollback|added|rollback step restore|-|-|step "
                                   "\"restore\" (timeout 1m): cp a b\n"));
  g_assert_null (strstr (lines, "other|"));

  add_progressive (old_plan);
  same = diff_lines (old_plan, new_plan);
  g_assert_cmpstr (same, ==, "");
}

/* Whether a rollback runs a command in flight again is compared in
 * words. */
static void
test_rollback_idempotent (void)
{
  g_autoptr(FleetPlan) old_plan = make_plan ();
  g_autoptr(FleetPlan) new_plan = make_plan ();
  g_autofree char *lines = NULL;

  add_progressive (old_plan);
  add_progressive (new_plan);
  new_plan->rollback->idempotent = TRUE;

  lines = diff_lines (old_plan, new_plan);
  g_assert_cmpstr (lines, ==,
                   "checks and rollback|changed|rollback|command in flight|a host whose command "
                   "was in flight when a rollback stopped is held until --retry-host or "
                   "--skip-host|a command in flight when a rollback stopped runs again, because "
                   "the rollback is idempotent\n");
}

/* Text and Markdown carry the worded changes under their own heading. */
static void
test_progressive_rendered (void)
{
  g_autoptr(FleetPlan) old_plan = make_plan ();
  g_autoptr(FleetPlan) new_plan = make_plan ();
  g_autoptr(FleetPlanDiff) diff = NULL;
  g_autofree char *text = NULL;
  g_autofree char *markdown = NULL;

  add_progressive (old_plan);
  add_progressive (new_plan);
  ((FleetCheck *) g_ptr_array_index (new_plan->checks, 0))->timeout_ms = 5000;
  diff = fleet_plan_diff (old_plan, new_plan);
  text = fleet_plan_diff_format_text (diff, &test_files);
  markdown = fleet_plan_diff_format_markdown (diff, &test_files);

  g_assert_nonnull (strstr (text, "\nchecks and rollback\n"
                                  "  changed  check health  timeout  30s -> 5s\n"));
  g_assert_nonnull (strstr (markdown, "\n### Checks and rollback\n\n| Change | Subject | Field "
                                      "| Old | New |\n|---|---|---|---|---|\n"
                                      "| changed | check health | timeout | 30s | 5s |\n"));
}

static void
test_text_aligned (void)
{
  g_autoptr(FleetPlan) old_plan = NULL;
  g_autoptr(FleetPlan) new_plan = NULL;
  g_autoptr(FleetPlanDiff) diff = sample_diff (&old_plan, &new_plan);
  g_autofree char *text = fleet_plan_diff_format_text (diff, &test_files);

  g_assert_cmpstr (text, ==,
                   "old: old.plan (sha256 1111)\n"
                   "new: new.plan (sha256 2222)\n"
                   "The plans differ: 1 host with changed settings, 1 step changed.\n"
                   "\n"
                   "host settings\n"
                   "  changed  c  port              22 -> 2222\n"
                   "  changed  c  attributes[note]  (unset) -> a|b *c* \\x1b[31mred\n"
                   "\n"
                   "steps\n"
                   "  changed  patch  command  apt-get install -y openssl -> "
                   "printf 'x\\n' | tee /tmp/x\n"
                   "\n"
                   "trust (does not change the run)\n"
                   "  changed  compiled at  2026-01-01T00:00:00Z -> 2026-01-01T00:01:00Z\n");
  g_assert_null (strchr (text, '\033'));
}

static void
test_markdown_escaped (void)
{
  g_autoptr(FleetPlan) old_plan = NULL;
  g_autoptr(FleetPlan) new_plan = NULL;
  g_autoptr(FleetPlanDiff) diff = sample_diff (&old_plan, &new_plan);
  g_autofree char *markdown = fleet_plan_diff_format_markdown (diff, &test_files);

  g_assert_true (g_str_has_prefix (markdown, "## Plan changes\n"));
  g_assert_nonnull (strstr (markdown, "| Plan SHA-256 | `1111` | `2222` |\n"));
  g_assert_nonnull (strstr (markdown, "\n**The plans differ: 1 host with changed settings, 1 "
                                      "step changed.**\n"));
  g_assert_nonnull (strstr (markdown, "\n### Host settings\n\n| Change | Subject | Field | Old "
                                      "| New |\n|---|---|---|---|---|\n"
                                      "| changed | c | port | 22 | 2222 |\n"));
  g_assert_nonnull (strstr (markdown, "| changed | c | attributes\\[note\\] | (unset) | "
                                      "a\\|b \\*c\\* \\\\x1b\\[31mred |\n"));
  g_assert_nonnull (strstr (markdown, "\n### Trust\n\nThese changes do not change what runs.\n"));
  g_assert_null (strchr (markdown, '\033'));
}

static void
test_json_parses (void)
{
  g_autoptr(FleetPlan) old_plan = NULL;
  g_autoptr(FleetPlan) new_plan = NULL;
  g_autoptr(FleetPlanDiff) diff = sample_diff (&old_plan, &new_plan);
  g_autofree char *text = fleet_plan_diff_format_json (diff, &test_files);
  g_autoptr(JsonParser) parser = json_parser_new ();
  g_autoptr(GError) error = NULL;
  JsonObject *root;
  JsonArray *changes;
  JsonObject *first;
  JsonObject *counts;

  json_parser_load_from_data (parser, text, -1, &error);
  g_assert_no_error (error);
  root = json_node_get_object (json_parser_get_root (parser));
  g_assert_cmpint (json_object_get_int_member (root, "diff_format"), ==,
                   FLEET_PLAN_DIFF_JSON_FORMAT);
  g_assert_cmpstr (json_object_get_string_member (json_object_get_object_member (root, "old"),
                                                  "sha256"), ==, "1111");
  g_assert_false (json_object_get_boolean_member (root, "identical"));
  g_assert_false (json_object_get_boolean_member (root, "equivalent"));

  counts = json_object_get_object_member (root, "counts");
  g_assert_cmpint (json_object_get_int_member (counts, "hosts_changed"), ==, 1);
  g_assert_cmpint (json_object_get_int_member (counts, "steps_changed"), ==, 1);
  g_assert_cmpint (json_object_get_int_member (counts, "changes"), ==, 4);

  changes = json_object_get_array_member (root, "changes");
  g_assert_cmpuint (json_array_get_length (changes), ==, 4);
  first = json_array_get_object_element (changes, 0);
  g_assert_cmpstr (json_object_get_string_member (first, "section"), ==, "host settings");
  g_assert_cmpstr (json_object_get_string_member (first, "change"), ==, "changed");
  g_assert_cmpstr (json_object_get_string_member (first, "subject"), ==, "c");
  g_assert_cmpstr (json_object_get_string_member (first, "field"), ==, "port");
  g_assert_cmpstr (json_object_get_string_member (first, "old"), ==, "22");
  g_assert_cmpstr (json_object_get_string_member (first, "new"), ==, "2222");
  g_assert_true (json_object_get_boolean_member (first, "changes_run"));
  /* The raw attribute value, escape character included, survives JSON. */
  g_assert_cmpstr (json_object_get_string_member (json_array_get_object_element (changes, 1),
                                                  "new"), ==, "a|b *c* \033[31mred");
  g_assert_true (json_object_get_null_member (json_array_get_object_element (changes, 1),
                                              "old"));
  g_assert_false (json_object_get_boolean_member (json_array_get_object_element (changes, 3),
                                                  "changes_run"));
}

/* fleetc diff */

typedef FleetTestDir Fixture;

static void
write_fixture_file (const Fixture *fixture, const char *name, const char *text)
{
  g_autofree char *path = fleet_test_dir_path (fixture, name);
  g_autoptr(GError) error = NULL;

  g_file_set_contents (path, text, -1, &error);
  g_assert_no_error (error);
}

/* Run fleetc with `args` under SOURCE_DATE_EPOCH `epoch`; returns the exit
 * status. */
static int
fleetc (const char *epoch, const char *const *args, char **out_stdout, char **out_stderr)
{
  g_autofree char *setting = g_strconcat ("SOURCE_DATE_EPOCH=", epoch, NULL);
  const char *environment[] = { setting, NULL };

  return fleet_test_run_program_with_env ("fleetc", environment, args, out_stdout, out_stderr);
}

static const char cli_inventory[] =
  "hosts:\n"
  "  web1: {address: 192.0.2.1, attributes: {rack: r1}}\n"
  "  web2: {address: 192.0.2.2, attributes: {rack: r1}}\n"
  "  web3: {address: 192.0.2.3, attributes: {rack: r2}}\n"
  "  web4: {address: 192.0.2.4, attributes: {rack: r2}}\n";

/* A workflow over the fixture's inventory with `waves` and `timeout`. */
static void
write_workflow (const Fixture *fixture, const char *name, const char *waves, const char *timeout)
{
  g_autofree char *text = g_strdup_printf ("name: restart\n"
                                           "inventory: inventory.yaml\n"
                                           "target: {all: true}\n"
                                           "waves: %s\n"
                                           "steps:\n"
                                           "  - name: restart\n"
                                           "    run: systemctl restart app\n"
                                           "    timeout: %s\n", waves, timeout);

  write_fixture_file (fixture, name, text);
}

static void
compile_plan (const Fixture *fixture, const char *epoch, const char *workflow, const char *plan)
{
  g_autofree char *workflow_path = fleet_test_dir_path (fixture, workflow);
  g_autofree char *plan_path = fleet_test_dir_path (fixture, plan);

  g_assert_cmpint (fleetc (epoch, (const char *[]) { "compile", workflow_path, "-F", "none",
                                                      "-o", plan_path, NULL }, NULL, NULL),
                   ==, 0);
}

static void
test_cli_exit_status (Fixture *fixture, gconstpointer data)
{
  g_autofree char *old_plan = fleet_test_dir_path (fixture, "old.plan");
  g_autofree char *later_plan = fleet_test_dir_path (fixture, "later.plan");
  g_autofree char *new_plan = fleet_test_dir_path (fixture, "new.plan");
  g_autofree char *out = NULL;
  g_autofree char *later_out = NULL;
  g_autofree char *err = NULL;

  write_fixture_file (fixture, "inventory.yaml", cli_inventory);
  write_workflow (fixture, "old.yaml", "[1, 100%]", "30s");
  write_workflow (fixture, "new.yaml", "[2, 100%]", "1m");
  compile_plan (fixture, "1767225600", "old.yaml", "old.plan");
  compile_plan (fixture, "1767229200", "old.yaml", "later.plan");
  compile_plan (fixture, "1767225600", "new.yaml", "new.plan");

  g_assert_cmpint (fleetc ("0", (const char *[]) { "diff", old_plan, old_plan, NULL }, &out,
                           &err), ==, 0);
  g_assert_nonnull (strstr (out, "The plans are identical."));
  g_assert_cmpstr (err, ==, "");

  /* The same workflow compiled an hour later runs the same. */
  g_assert_cmpint (fleetc ("0", (const char *[]) { "diff", old_plan, later_plan, NULL },
                           &later_out, NULL), ==, 0);
  g_assert_nonnull (strstr (later_out, "The plans are equivalent"));
  g_assert_nonnull (strstr (later_out, "compiled at  2026-01-01T00:00:00Z -> "
                                       "2026-01-01T01:00:00Z\n"));

  g_clear_pointer (&out, g_free);
  g_assert_cmpint (fleetc ("0", (const char *[]) { "diff", old_plan, new_plan, NULL }, &out,
                           NULL), ==, 1);
  g_assert_nonnull (strstr (out, "The plans differ: 1 host moved to another wave, 1 step "
                                 "changed.\n"));
  g_assert_nonnull (strstr (out, "  moved    web2  wave  wave 2 -> wave 1\n"));
  g_assert_nonnull (strstr (out, "  changed  sizes  1, 3 -> 2, 2\n"));
  g_assert_nonnull (strstr (out, "  changed  restart  timeout-ms  30s -> 1m\n"));
}

static void
test_cli_formats (Fixture *fixture, gconstpointer data)
{
  g_autofree char *old_plan = fleet_test_dir_path (fixture, "old.plan");
  g_autofree char *new_plan = fleet_test_dir_path (fixture, "new.plan");
  g_autofree char *json = NULL;
  g_autofree char *markdown = NULL;
  g_autoptr(JsonParser) parser = json_parser_new ();
  g_autoptr(GError) error = NULL;

  write_fixture_file (fixture, "inventory.yaml", cli_inventory);
  write_workflow (fixture, "old.yaml", "[1, 100%]", "30s");
  write_workflow (fixture, "new.yaml", "[1, 100%]", "45s");
  compile_plan (fixture, "1767225600", "old.yaml", "old.plan");
  compile_plan (fixture, "1767225600", "new.yaml", "new.plan");

  g_assert_cmpint (fleetc ("0", (const char *[]) { "diff", old_plan, new_plan, "--format",
                                                   "json", NULL }, &json, NULL), ==, 1);
  json_parser_load_from_data (parser, json, -1, &error);
  g_assert_no_error (error);
  g_assert_false (json_object_get_boolean_member (
    json_node_get_object (json_parser_get_root (parser)), "equivalent"));

  g_assert_cmpint (fleetc ("0", (const char *[]) { "diff", old_plan, new_plan, "--format",
                                                   "markdown", NULL }, &markdown, NULL), ==, 1);
  g_assert_true (g_str_has_prefix (markdown, "## Plan changes\n"));
  g_assert_nonnull (strstr (markdown, "| changed | restart | timeout-ms | 30s | 45s |\n"));
}

static void
test_cli_errors (Fixture *fixture, gconstpointer data)
{
  g_autofree char *plan = fleet_test_dir_path (fixture, "old.plan");
  g_autofree char *corrupt = fleet_test_dir_path (fixture, "corrupt.plan");
  g_autofree char *missing = fleet_test_dir_path (fixture, "missing.plan");
  g_autofree char *contents = NULL;
  gsize length = 0;
  g_autofree char *err = NULL;
  g_autofree char *usage_err = NULL;
  g_autofree char *format_err = NULL;

  write_fixture_file (fixture, "inventory.yaml", cli_inventory);
  write_workflow (fixture, "old.yaml", "[1, 100%]", "30s");
  compile_plan (fixture, "1767225600", "old.yaml", "old.plan");

  /* One flipped byte in the body fails the digest check. */
  g_assert_true (g_file_get_contents (plan, &contents, &length, NULL));
  contents[FLEET_PLAN_HEADER_LENGTH + 10] ^= 0x01;
  g_assert_true (g_file_set_contents (corrupt, contents, (gssize) length, NULL));

  g_assert_cmpint (fleetc ("0", (const char *[]) { "diff", corrupt, missing, NULL }, NULL,
                           &err), ==, 2);
  g_assert_nonnull (strstr (err, "corrupt.plan: "));
  g_assert_nonnull (strstr (err, "missing.plan: "));

  g_assert_cmpint (fleetc ("0", (const char *[]) { "diff", plan, NULL }, NULL, &usage_err),
                   ==, 2);
  g_assert_nonnull (strstr (usage_err, "expected two plan files"));

  g_assert_cmpint (fleetc ("0", (const char *[]) { "diff", plan, plan, "--format", "html",
                                                   NULL }, NULL, &format_err), ==, 2);
  g_assert_nonnull (strstr (format_err, "unknown format \"html\""));
}

#define ADD(path, func) \
  g_test_add (path, Fixture, NULL, fleet_test_dir_set_up, func, fleet_test_dir_tear_down)

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/plan-diff/template-contents-by-host", test_template_contents_by_host);
  g_test_add_func ("/plan-diff/step-values-and-barriers", test_step_values_and_barriers);
  g_test_add_func ("/plan-diff/rollback-idempotent", test_rollback_idempotent);
  g_test_add_func ("/plan-diff/identical", test_identical_plans);
  g_test_add_func ("/plan-diff/hosts/added-removed", test_hosts_added_removed_moved);
  g_test_add_func ("/plan-diff/hosts/moved", test_host_moved_between_stages);
  g_test_add_func ("/plan-diff/hosts/settings", test_host_settings_changed);
  g_test_add_func ("/plan-diff/jump-hosts", test_jump_hosts_compared);
  g_test_add_func ("/plan-diff/waves/added-resolved", test_waves_added_and_resolved);
  g_test_add_func ("/plan-diff/waves/host-order", test_wave_host_order);
  g_test_add_func ("/plan-diff/steps/changed", test_steps_changed);
  g_test_add_func ("/plan-diff/steps/order", test_step_order_changed);
  g_test_add_func ("/plan-diff/rollout", test_rollout_settings);
  g_test_add_func ("/plan-diff/pacing", test_pacing_compared);
  g_test_add_func ("/plan-diff/sources-trust-equivalent", test_sources_and_trust_equivalent);
  g_test_add_func ("/plan-diff/signatures", test_signatures_removed_and_invalid);
  g_test_add_func ("/plan-diff/unclaimed-key", test_unclaimed_key_reported);
  g_test_add_func ("/plan-diff/deterministic", test_diff_deterministic);
  g_test_add_func ("/plan-diff/windows/range-shift", test_windows_range_shift);
  g_test_add_func ("/plan-diff/windows/changed", test_windows_changed);
  g_test_add_func ("/plan-diff/windows/added", test_windows_added);
  g_test_add_func ("/plan-diff/progressive/changed", test_progressive_changed);
  g_test_add_func ("/plan-diff/progressive/added", test_progressive_added);
  g_test_add_func ("/plan-diff/progressive/rendered", test_progressive_rendered);
  g_test_add_func ("/plan-diff/render/text", test_text_aligned);
  g_test_add_func ("/plan-diff/render/markdown", test_markdown_escaped);
  g_test_add_func ("/plan-diff/render/json", test_json_parses);
  ADD ("/plan-diff/cli/exit-status", test_cli_exit_status);
  ADD ("/plan-diff/cli/formats", test_cli_formats);
  ADD ("/plan-diff/cli/errors", test_cli_errors);

  return g_test_run ();
}
