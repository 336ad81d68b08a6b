/* test-rollout.c: the planner's rollout rules: selectors and --limit,
 * canaries, failure-domain spread, stages and halt thresholds.
 *
 * Workflows are built in C.  Plans are compared as text, one wave per
 * item: "label: host host | label: host", so a failure shows the whole
 * plan.
 */
#include <string.h>

#include "planner/fleet-planner.h"

typedef struct {
  FleetWorkflow *workflow;
  FleetDiagnostics *diags;
  FleetPlan *plan;
} Fixture;

static void
fixture_set_up (Fixture *fixture, gconstpointer data)
{
  FleetWorkflow *workflow = fleet_workflow_new ();

  workflow->name = g_strdup ("wf");
  workflow->source = g_strdup ("wf.yaml");
  workflow->source_sha256 = g_strdup ("00");
  workflow->pos = (FleetSourcePos) { "wf.yaml", 1, 1 };
  workflow->inventory = fleet_inventory_new ("inventory.yaml");
  workflow->target.all = TRUE;
  workflow->target.pos = (FleetSourcePos) { "wf.yaml", 3, 9 };
  g_ptr_array_add (workflow->steps, fleet_step_new ("s", "true"));
  g_array_append_val (workflow->batches, ((FleetBatch) { FLEET_BATCH_PERCENT, 100,
                                                         { "wf.yaml", 5, 8 } }));

  fixture->workflow = workflow;
  fixture->diags = fleet_diagnostics_new ();
}

static void
fixture_tear_down (Fixture *fixture, gconstpointer data)
{
  fleet_plan_free (fixture->plan);
  fleet_diagnostics_free (fixture->diags);
  fleet_workflow_free (fixture->workflow);
}

/* Add host `name` with `attributes` ("dc=dc1 rack=r1") and `groups`
 * ("db web"). */
static void
add_host (Fixture *fixture, const char *name, const char *attributes, const char *groups)
{
  FleetHost *host = fleet_host_new (name);
  g_auto(GStrv) pairs = g_strsplit (attributes, " ", -1);
  g_auto(GStrv) group_names = g_strsplit (groups, " ", -1);

  host->address = g_strdup ("192.0.2.1");
  for (char **pair = pairs; *pair != NULL; pair++)
    {
      g_auto(GStrv) parts = g_strsplit (*pair, "=", 2);

      if (parts[0] != NULL && parts[1] != NULL)
        g_hash_table_insert (host->attributes, g_strdup (parts[0]), g_strdup (parts[1]));
    }
  for (char **group = group_names; *group != NULL; group++)
    if (**group != '\0')
      g_ptr_array_add (host->groups, g_strdup (*group));
  g_ptr_array_sort (host->groups, (GCompareFunc) g_strcmp0);
  g_assert_true (fleet_inventory_add_host (fixture->workflow->inventory, host));
}

/* Set the batches from "1,25%,100%". */
static void
set_batches (Fixture *fixture, const char *spec)
{
  g_auto(GStrv) items = g_strsplit (spec, ",", -1);

  g_array_set_size (fixture->workflow->batches, 0);
  for (char **item = items; *item != NULL; item++)
    {
      FleetBatch batch = { .pos = { "wf.yaml", 5, 8 } };

      batch.kind = g_str_has_suffix (*item, "%") ? FLEET_BATCH_PERCENT : FLEET_BATCH_COUNT;
      batch.value = (guint) g_ascii_strtoull (*item, NULL, 10);
      g_array_append_val (fixture->workflow->batches, batch);
    }
}

static void
add_spread (Fixture *fixture, const char *attribute, const char *max_per_wave)
{
  FleetSpread *rule = fleet_spread_new ();

  rule->attribute = g_strdup (attribute);
  g_assert_true (fleet_threshold_from_string (max_per_wave, &rule->max_per_wave));
  rule->pos = (FleetSourcePos) { "wf.yaml", 6, 13 };
  g_ptr_array_add (fixture->workflow->spread, rule);
}

static void
set_halt_at (Fixture *fixture, FleetHaltRule rule, const char *threshold)
{
  g_assert_true (fleet_threshold_from_string (threshold, &fixture->workflow->halt_at.rules[rule]));
  fixture->workflow->halt_at.is_set[rule] = TRUE;
  fixture->workflow->halt_at.positions[rule] = (FleetSourcePos) { "wf.yaml", 8, 20 + rule };
}

static FleetSelector *
selector (const char *text, guint line)
{
  g_autoptr(GError) error = NULL;
  FleetExpr *expr = fleet_expr_parse (text, &error);
  FleetSourcePos pos = { "wf.yaml", line, 10 };

  g_assert_no_error (error);
  return fleet_selector_new (expr, text, &pos);
}

static void
show_diagnostics (Fixture *fixture)
{
  for (guint i = 0; i < fleet_diagnostics_length (fixture->diags); i++)
    {
      const FleetDiagnostic *diagnostic = fleet_diagnostics_get (fixture->diags, i);
      g_test_message ("%u:%u: %s: %s", diagnostic->pos.line, diagnostic->pos.column,
                      diagnostic->severity == FLEET_SEVERITY_ERROR ? "error" : "warning",
                      diagnostic->message);
    }
}

/* Plan the workflow and return its waves as text. */
static char *
plan_waves (Fixture *fixture)
{
  GString *out = g_string_new (NULL);

  g_clear_pointer (&fixture->plan, fleet_plan_free);
  fixture->plan = fleet_planner_build (fixture->workflow, fixture->diags);
  show_diagnostics (fixture);
  g_assert_nonnull (fixture->plan);

  for (guint w = 0; w < fixture->plan->waves->len; w++)
    {
      const FleetWave *wave = g_ptr_array_index (fixture->plan->waves, w);
      g_autofree char *label = fleet_plan_wave_label (fixture->plan, w);

      g_string_append_printf (out, "%s%s:", w > 0 ? " | " : "", label);
      for (guint i = 0; i < wave->host_indices->len; i++)
        {
          const FleetHost *host = g_ptr_array_index (fixture->plan->hosts,
                                                     g_array_index (wave->host_indices, guint32, i));
          g_string_append_printf (out, " %s", host->name);
        }
    }
  /* Long lines break the TAP stream that meson reads, so only the start
   * of a large plan is logged. */
  g_test_message ("waves: %.1000s%s", out->str, out->len > 1000 ? " ..." : "");
  return g_string_free (out, FALSE);
}

/* Plan the workflow, expecting exactly one error; return its message. */
static const char *
plan_error (Fixture *fixture, guint line, guint column)
{
  const FleetDiagnostic *diagnostic = NULL;

  g_clear_pointer (&fixture->plan, fleet_plan_free);
  fixture->plan = fleet_planner_build (fixture->workflow, fixture->diags);
  show_diagnostics (fixture);
  g_assert_null (fixture->plan);
  g_assert_cmpuint (fleet_diagnostics_error_count (fixture->diags), ==, 1);
  for (guint i = 0; i < fleet_diagnostics_length (fixture->diags); i++)
    if (fleet_diagnostics_get (fixture->diags, i)->severity == FLEET_SEVERITY_ERROR)
      diagnostic = fleet_diagnostics_get (fixture->diags, i);
  g_assert_cmpuint (diagnostic->pos.line, ==, line);
  g_assert_cmpuint (diagnostic->pos.column, ==, column);
  return diagnostic->message;
}

/* Return the message of warning `index` (counting warnings only). */
static const char *
warning_message (Fixture *fixture, guint index)
{
  for (guint i = 0; i < fleet_diagnostics_length (fixture->diags); i++)
    {
      const FleetDiagnostic *diagnostic = fleet_diagnostics_get (fixture->diags, i);

      if (diagnostic->severity == FLEET_SEVERITY_WARNING && index-- == 0)
        return diagnostic->message;
    }
  g_assert_not_reached ();
}

/* Hosts h01 to h08 in racks r1 r1 r1 r1 r2 r2 r3 r3. */
static void
add_blocked_racks (Fixture *fixture)
{
  const char *racks[] = { "r1", "r1", "r1", "r1", "r2", "r2", "r3", "r3" };

  for (guint i = 0; i < G_N_ELEMENTS (racks); i++)
    {
      g_autofree char *name = g_strdup_printf ("h%02u", i + 1);
      g_autofree char *attributes = g_strdup_printf ("rack=%s dc=dc%u", racks[i], i % 2 + 1);

      add_host (fixture, name, attributes, i < 2 ? "db" : "web");
    }
}

/* Selection */

static void
test_where_selects (Fixture *fixture, gconstpointer data)
{
  g_autofree char *waves = NULL;

  add_blocked_racks (fixture);
  fixture->workflow->target.all = FALSE;
  fixture->workflow->target.where = selector ("rack == \"r1\" and groups contains \"web\"", 4);
  waves = plan_waves (fixture);
  g_assert_cmpstr (waves, ==, "wave 1: h03 h04");
}

static void
test_where_with_names (Fixture *fixture, gconstpointer data)
{
  g_autofree char *waves = NULL;

  add_blocked_racks (fixture);
  g_ptr_array_add (fixture->workflow->target.groups, g_strdup ("db"));
  fixture->workflow->target.all = FALSE;
  fixture->workflow->target.where = selector ("name != \"h01\"", 4);
  waves = plan_waves (fixture);
  g_assert_cmpstr (waves, ==, "wave 1: h02");
}

static void
test_limit_narrows (Fixture *fixture, gconstpointer data)
{
  g_autofree char *waves = NULL;
  FleetSourcePos limit_pos = { "--limit", 1, 1 };

  add_blocked_racks (fixture);
  fixture->workflow->limit = selector ("dc == \"dc2\" and  rack in [\"r1\", \"r3\"]", 1);
  fixture->workflow->limit->pos = limit_pos;
  waves = plan_waves (fixture);
  g_assert_cmpstr (waves, ==, "wave 1: h02 h04 h08");
  /* The plan keeps the canonical text. */
  g_assert_cmpstr (fixture->plan->limit, ==, "dc == \"dc2\" and rack in [\"r1\", \"r3\"]");
}

static void
test_limit_keeping_nothing (Fixture *fixture, gconstpointer data)
{
  add_blocked_racks (fixture);
  fixture->workflow->limit = selector ("rack == \"r9\"", 1);
  g_assert_cmpstr (plan_error (fixture, 1, 10), ==,
                   "the --limit expression keeps none of the 8 hosts the target selects");
}

static void
test_where_evaluation_error (Fixture *fixture, gconstpointer data)
{
  add_host (fixture, "a", "cores=16", "");
  add_host (fixture, "b", "cores=many", "");
  add_host (fixture, "c", "cores=lots", "");
  fixture->workflow->target.where = selector ("cores >= 8", 4);
  g_assert_cmpstr (plan_error (fixture, 4, 10), ==,
                   "the target's \"where\" cannot be evaluated on host \"b\": '>=' at column 7 "
                   "compares numbers, but its left side is cores (the string \"many\"); nor on "
                   "1 more hosts");
}

/* Spread */

/* Each wave fills up to its size in inventory order, skipping hosts whose
 * rack is full; the hosts left over go into added waves. */
static void
test_spread_count_cap (Fixture *fixture, gconstpointer data)
{
  g_autofree char *waves = NULL;

  add_blocked_racks (fixture);
  set_batches (fixture, "4,100%");
  add_spread (fixture, "rack", "1");
  waves = plan_waves (fixture);

  g_assert_cmpstr (waves, ==, "wave 1: h01 h05 h07 | wave 2: h02 h06 h08 | wave 3: h03 | "
                              "wave 4: h04");
  g_assert_cmpuint (fleet_diagnostics_warning_count (fixture->diags), ==, 1);
  g_assert_cmpstr (warning_message (fixture, 0), ==,
                   "spread (rack at most 1) fits 6 of the 8 hosts into the 2 waves that "
                   "\"waves\" gives; 2 more waves take the other 2 hosts, 4 waves in all");
}

/* A percentage is of the domain's own hosts, rounded down, at least 1:
 * 25% of r1's 8 hosts is 2, of r2's 2 hosts is 1. */
static void
test_spread_percent_cap (Fixture *fixture, gconstpointer data)
{
  g_autofree char *waves = NULL;

  for (guint i = 0; i < 10; i++)
    {
      g_autofree char *name = g_strdup_printf ("h%02u", i + 1);
      add_host (fixture, name, i < 8 ? "rack=r1" : "rack=r2", "");
    }
  add_spread (fixture, "rack", "25%");
  waves = plan_waves (fixture);

  g_assert_cmpstr (waves, ==, "wave 1: h01 h02 h09 | wave 2: h03 h04 h10 | wave 3: h05 h06 | "
                              "wave 4: h07 h08");
}

/* Several rules apply together. */
static void
test_spread_several_rules (Fixture *fixture, gconstpointer data)
{
  g_autofree char *waves = NULL;

  add_blocked_racks (fixture);
  add_spread (fixture, "rack", "2");
  add_spread (fixture, "dc", "1");
  waves = plan_waves (fixture);

  g_assert_cmpstr (waves, ==, "wave 1: h01 h02 | wave 2: h03 h04 | wave 3: h05 h06 | "
                              "wave 4: h07 h08");
}

/* Hosts without the attribute are an error naming the first 10. */
static void
test_spread_missing_attribute (Fixture *fixture, gconstpointer data)
{
  for (guint i = 0; i < 15; i++)
    {
      g_autofree char *name = g_strdup_printf ("h%02u", i + 1);
      add_host (fixture, name, i == 0 ? "rack=r1" : "dc=dc1", "");
    }
  add_spread (fixture, "rack", "1");
  g_assert_cmpstr (plan_error (fixture, 6, 13), ==,
                   "14 of the 15 selected hosts have no attribute \"rack\", which spread needs: "
                   "\"h02\", \"h03\", \"h04\", \"h05\", \"h06\", \"h07\", \"h08\", \"h09\", "
                   "\"h10\", \"h11\" and 4 more; give them the attribute in the inventory, or "
                   "leave them out of the target");
}

/* Canaries */

/* A canary count takes the first hosts that the spread allows in one
 * wave, and the batch percentages apply to the other hosts. */
static void
test_canary_count_after_spread (Fixture *fixture, gconstpointer data)
{
  g_autofree char *waves = NULL;

  add_blocked_racks (fixture);
  fixture->workflow->canary.kind = FLEET_CANARY_COUNT;
  fixture->workflow->canary.count = 2;
  set_batches (fixture, "50%,100%");
  add_spread (fixture, "rack", "2");
  waves = plan_waves (fixture);

  g_assert_cmpstr (waves, ==, "wave 1 (canary): h01 h02 | wave 2: h03 h04 h05 | "
                              "wave 3: h06 h07 h08");
  g_assert_cmpuint (fleet_diagnostics_warning_count (fixture->diags), ==, 0);
}

static void
test_canary_count_limited_by_spread (Fixture *fixture, gconstpointer data)
{
  g_autofree char *waves = NULL;

  add_blocked_racks (fixture);
  fixture->workflow->canary.kind = FLEET_CANARY_COUNT;
  fixture->workflow->canary.count = 4;
  fixture->workflow->canary.pos = (FleetSourcePos) { "wf.yaml", 7, 9 };
  add_spread (fixture, "rack", "1");
  waves = plan_waves (fixture);

  g_assert_cmpstr (waves, ==, "wave 1 (canary): h01 h05 h07 | wave 2: h02 h06 h08 | "
                              "wave 3: h03 | wave 4: h04");
  g_assert_cmpstr (warning_message (fixture, 0), ==,
                   "canary: 4 gets 3 hosts, because spread (rack at most 1) allows no more of "
                   "them in one wave");
}

static void
test_canary_hosts (Fixture *fixture, gconstpointer data)
{
  g_autofree char *waves = NULL;

  add_blocked_racks (fixture);
  fixture->workflow->canary.kind = FLEET_CANARY_HOSTS;
  g_ptr_array_add (fixture->workflow->canary.hosts, g_strdup ("h06"));
  g_ptr_array_add (fixture->workflow->canary.hosts, g_strdup ("h03"));
  set_batches (fixture, "1,100%");
  waves = plan_waves (fixture);

  g_assert_cmpstr (waves, ==, "wave 1 (canary): h03 h06 | wave 2: h01 | "
                              "wave 3: h02 h04 h05 h07 h08");
}

static void
test_canary_host_not_selected (Fixture *fixture, gconstpointer data)
{
  FleetSourcePos pos = { "wf.yaml", 7, 18 };

  add_blocked_racks (fixture);
  fixture->workflow->target.all = FALSE;
  g_ptr_array_add (fixture->workflow->target.groups, g_strdup ("web"));
  fixture->workflow->canary.kind = FLEET_CANARY_HOSTS;
  g_ptr_array_add (fixture->workflow->canary.hosts, g_strdup ("h01"));
  g_hash_table_insert (fixture->workflow->canary.positions, g_strdup ("h01"),
                       g_memdup2 (&pos, sizeof pos));
  g_assert_cmpstr (plan_error (fixture, 7, 18), ==,
                   "canary host \"h01\" is not one of the 6 selected hosts; select it in the "
                   "target, or pick another canary");
}

static void
test_canary_hosts_break_spread (Fixture *fixture, gconstpointer data)
{
  add_blocked_racks (fixture);
  fixture->workflow->canary.kind = FLEET_CANARY_HOSTS;
  fixture->workflow->canary.pos = (FleetSourcePos) { "wf.yaml", 7, 9 };
  g_ptr_array_add (fixture->workflow->canary.hosts, g_strdup ("h01"));
  g_ptr_array_add (fixture->workflow->canary.hosts, g_strdup ("h02"));
  add_spread (fixture, "rack", "1");
  g_assert_cmpstr (plan_error (fixture, 7, 9), ==,
                   "the 2 canaries break the spread: 2 of them have rack \"r1\" (\"h01\", "
                   "\"h02\"), but spread by rack allows 1 per wave (max_per_wave 1); pick "
                   "canaries in different domains, or raise max_per_wave");
}

static void
test_canary_where (Fixture *fixture, gconstpointer data)
{
  g_autofree char *waves = NULL;

  add_blocked_racks (fixture);
  fixture->workflow->canary.kind = FLEET_CANARY_WHERE;
  fixture->workflow->canary.where = selector ("rack == \"r3\"", 7);
  waves = plan_waves (fixture);
  g_assert_cmpstr (waves, ==, "wave 1 (canary): h07 h08 | wave 2: h01 h02 h03 h04 h05 h06");

  fleet_selector_free (fixture->workflow->canary.where);
  fixture->workflow->canary.where = selector ("rack == \"r9\"", 7);
  g_assert_cmpstr (plan_error (fixture, 7, 10), ==,
                   "the canary's \"where\" is true for none of the 8 selected hosts");
}

/* Stages */

/* Ordered by group with a sequence, each stage gets its own canary and
 * batches, and a host in two groups runs in the first stage. */
static void
test_order_by_group (Fixture *fixture, gconstpointer data)
{
  g_autofree char *waves = NULL;

  add_host (fixture, "web1", "rack=r1", "web");
  add_host (fixture, "both", "rack=r2", "db web");
  add_host (fixture, "db1", "rack=r1", "db");
  add_host (fixture, "web2", "rack=r2", "web");
  add_host (fixture, "web3", "rack=r3", "web");
  add_host (fixture, "db2", "rack=r3", "db");
  fixture->workflow->order.by = g_strdup ("group");
  g_ptr_array_add (fixture->workflow->order.sequence, g_strdup ("db"));
  g_ptr_array_add (fixture->workflow->order.sequence, g_strdup ("web"));
  fixture->workflow->canary.kind = FLEET_CANARY_COUNT;
  fixture->workflow->canary.count = 1;
  set_batches (fixture, "1,100%");
  waves = plan_waves (fixture);

  g_assert_cmpstr (waves, ==, "stage db, wave 1 (canary): both | stage db, wave 2: db1 | "
                              "stage db, wave 3: db2 | stage web, wave 1 (canary): web1 | "
                              "stage web, wave 2: web2 | stage web, wave 3: web3");
  g_assert_cmpstr (fixture->plan->order_by, ==, "group");
}

/* Ordered by an attribute without a sequence, the stages come sorted by
 * byte value, and spread caps count within each stage. */
static void
test_order_by_attribute_sorted (Fixture *fixture, gconstpointer data)
{
  g_autofree char *waves = NULL;

  add_blocked_racks (fixture);
  fixture->workflow->order.by = g_strdup ("dc");
  add_spread (fixture, "rack", "1");
  waves = plan_waves (fixture);

  g_assert_cmpstr (waves, ==, "stage dc1, wave 1: h01 h05 h07 | stage dc1, wave 2: h03 | "
                              "stage dc2, wave 1: h02 h06 h08 | stage dc2, wave 2: h04");
  /* One warning per stage with added waves. */
  g_assert_cmpuint (fleet_diagnostics_warning_count (fixture->diags), ==, 2);
  g_assert_cmpstr (warning_message (fixture, 1), ==,
                   "spread (rack at most 1) fits 3 of the 4 hosts in stage \"dc2\" into the 1 "
                   "wave that \"waves\" gives; 1 more wave takes the other 1 host, 2 waves in "
                   "all");
}

static void
test_order_unlisted_value (Fixture *fixture, gconstpointer data)
{
  add_blocked_racks (fixture);
  fixture->workflow->order.by = g_strdup ("rack");
  fixture->workflow->order.pos = (FleetSourcePos) { "wf.yaml", 9, 12 };
  g_ptr_array_add (fixture->workflow->order.sequence, g_strdup ("r2"));
  g_ptr_array_add (fixture->workflow->order.sequence, g_strdup ("r1"));
  g_assert_cmpstr (plan_error (fixture, 9, 12), ==,
                   "2 of the 8 selected hosts have a value of \"rack\" that \"sequence\" does "
                   "not list: \"h07\", \"h08\"; add their values to \"sequence\", or leave them "
                   "out of the target");
}

static void
test_order_empty_stage_skipped (Fixture *fixture, gconstpointer data)
{
  g_autofree char *waves = NULL;
  FleetSourcePos pos = { "wf.yaml", 9, 30 };

  add_blocked_racks (fixture);
  fixture->workflow->order.by = g_strdup ("dc");
  g_ptr_array_add (fixture->workflow->order.sequence, g_strdup ("dc2"));
  g_ptr_array_add (fixture->workflow->order.sequence, g_strdup ("dc9"));
  g_ptr_array_add (fixture->workflow->order.sequence, g_strdup ("dc1"));
  g_hash_table_insert (fixture->workflow->order.positions, g_strdup ("dc9"),
                       g_memdup2 (&pos, sizeof pos));
  waves = plan_waves (fixture);

  g_assert_cmpstr (waves, ==, "stage dc2, wave 1: h02 h04 h06 h08 | "
                              "stage dc1, wave 1: h01 h03 h05 h07");
  g_assert_cmpstr (warning_message (fixture, 0), ==,
                   "no selected host belongs to stage \"dc9\", so the plan skips it");
}

/* Halt thresholds */

/* 100 hosts in waves of 10 under "100%": every wave halts at 10. */
static void
test_thresholds_per_wave (Fixture *fixture, gconstpointer data)
{
  for (guint i = 0; i < 100; i++)
    {
      g_autofree char *name = g_strdup_printf ("h%03u", i + 1);
      add_host (fixture, name, "", "");
    }
  set_batches (fixture, "10,10,10,10,10,10,10,10,10,10");
  set_halt_at (fixture, FLEET_HALT_FAILED_PER_WAVE, "100%");
  set_halt_at (fixture, FLEET_HALT_FAILED_TOTAL, "5%");
  g_free (plan_waves (fixture));

  g_assert_cmpuint (fixture->plan->waves->len, ==, 10);
  for (guint w = 0; w < 10; w++)
    {
      const FleetWave *wave = g_ptr_array_index (fixture->plan->waves, w);

      g_assert_cmpuint (wave->halt_failed, ==, 10);
      g_assert_cmpuint (wave->halt_unreachable, ==, 1);
    }
  g_assert_cmpuint (fixture->plan->halt_failed_total, ==, 5);
  g_assert_cmpuint (fixture->plan->halt_unreachable_total, ==, FLEET_THRESHOLD_NEVER);
  g_assert_false (fixture->plan->halt_at_default[FLEET_HALT_FAILED_PER_WAVE]);
  g_assert_true (fixture->plan->halt_at_default[FLEET_HALT_UNREACHABLE_PER_WAVE]);
  g_assert_false (fixture->plan->halt_at_default[FLEET_HALT_FAILED_TOTAL]);
  g_assert_cmpuint (fleet_diagnostics_warning_count (fixture->diags), ==, 0);
}

/* A percentage that comes to less than one host in a small canary wave,
 * and a count larger than a wave, each get one warning naming the waves. */
static void
test_threshold_surprises_warned (Fixture *fixture, gconstpointer data)
{
  for (guint i = 0; i < 20; i++)
    {
      g_autofree char *name = g_strdup_printf ("h%02u", i + 1);
      add_host (fixture, name, "", "");
    }
  fixture->workflow->canary.kind = FLEET_CANARY_COUNT;
  fixture->workflow->canary.count = 1;
  set_batches (fixture, "3,100%");
  set_halt_at (fixture, FLEET_HALT_FAILED_PER_WAVE, "20%");
  set_halt_at (fixture, FLEET_HALT_UNREACHABLE_PER_WAVE, "4");
  set_halt_at (fixture, FLEET_HALT_FAILED_TOTAL, "1%");
  g_free (plan_waves (fixture));

  /* 20% of 1 and of 3 hosts is under one host; of 16 it is 3. */
  g_assert_cmpuint (((FleetWave *) g_ptr_array_index (fixture->plan->waves, 2))->halt_failed, ==, 3);
  g_assert_cmpuint (fleet_diagnostics_warning_count (fixture->diags), ==, 3);
  g_assert_cmpstr (warning_message (fixture, 0), ==,
                   "failed_per_wave: 20% comes to less than one host in 2 of the 3 waves "
                   "(wave 1 (canary); wave 2; 1 to 3 hosts), so there the first failed host "
                   "halts the run; write a count such as 2 to tolerate a failed host in every "
                   "wave");
  g_assert_cmpstr (warning_message (fixture, 1), ==,
                   "unreachable_per_wave: 4 is more than the hosts of 2 of the 3 waves "
                   "(wave 1 (canary); wave 2; 1 to 3 hosts), so unreachable hosts there never "
                   "halt the run; write a smaller count or a percentage");
  g_assert_cmpstr (warning_message (fixture, 2), ==,
                   "failed_total: 1% of the 20 selected hosts is less than one host, so the "
                   "first failed host halts the run");
}

/* A synthetic fleet */

#define LARGE_FLEET 10000
#define LARGE_RACKS 97
#define LARGE_DCS 3

/* Every host is in exactly one wave, no wave breaks a cap, and no host
 * could have gone into an earlier wave: whenever a host waits, an earlier
 * wave was full or had its domain at the cap. */
static void
check_spread_invariants (const FleetPlan *plan, guint rack_cap, const guint *dc_caps,
                         guint batch_size)
{
  g_autofree guint *wave_of = g_new (guint, plan->hosts->len);
  g_autofree guint *rack_counts = g_new0 (guint, (gsize) plan->waves->len * LARGE_RACKS);
  g_autofree guint *dc_counts = g_new0 (guint, (gsize) plan->waves->len * LARGE_DCS);
  g_autofree guint *rack_of = g_new (guint, plan->hosts->len);
  g_autofree guint *dc_of = g_new (guint, plan->hosts->len);

  for (guint i = 0; i < plan->hosts->len; i++)
    {
      const FleetHost *host = g_ptr_array_index (plan->hosts, i);

      wave_of[i] = G_MAXUINT;
      rack_of[i] = (guint) g_ascii_strtoull ((char *) g_hash_table_lookup (host->attributes, "rack") + 1,
                                             NULL, 10);
      dc_of[i] = (guint) g_ascii_strtoull ((char *) g_hash_table_lookup (host->attributes, "dc") + 2,
                                           NULL, 10);
    }

  for (guint w = 0; w < plan->waves->len; w++)
    {
      const FleetWave *wave = g_ptr_array_index (plan->waves, w);

      g_assert_cmpuint (wave->host_indices->len, >, 0);
      g_assert_cmpuint (wave->host_indices->len, <=, batch_size);
      for (guint i = 0; i < wave->host_indices->len; i++)
        {
          guint host = g_array_index (wave->host_indices, guint32, i);

          g_assert_cmpuint (wave_of[host], ==, G_MAXUINT);
          wave_of[host] = w;
          rack_counts[(gsize) w * LARGE_RACKS + rack_of[host]]++;
          dc_counts[(gsize) w * LARGE_DCS + dc_of[host]]++;
        }
      for (guint r = 0; r < LARGE_RACKS; r++)
        g_assert_cmpuint (rack_counts[(gsize) w * LARGE_RACKS + r], <=, rack_cap);
      for (guint d = 0; d < LARGE_DCS; d++)
        g_assert_cmpuint (dc_counts[(gsize) w * LARGE_DCS + d], <=, dc_caps[d]);
    }

  for (guint i = 0; i < plan->hosts->len; i++)
    {
      g_assert_cmpuint (wave_of[i], !=, G_MAXUINT);
      for (guint w = 0; w < wave_of[i]; w++)
        {
          const FleetWave *wave = g_ptr_array_index (plan->waves, w);
          gboolean blocked = wave->host_indices->len == batch_size
                             || rack_counts[(gsize) w * LARGE_RACKS + rack_of[i]] >= rack_cap
                             || dc_counts[(gsize) w * LARGE_DCS + dc_of[i]] >= dc_caps[dc_of[i]];

          if (!blocked)
            g_error ("host %u waits for wave %u but fit into wave %u", i, wave_of[i] + 1, w + 1);
        }
    }
}

static void
test_large_fleet_spread (Fixture *fixture, gconstpointer data)
{
  guint dc_sizes[LARGE_DCS] = { 0 };
  guint dc_caps[LARGE_DCS];
  g_autoptr(GBytes) first = NULL;
  g_autoptr(GBytes) second = NULL;

  for (guint i = 0; i < LARGE_FLEET; i++)
    {
      g_autofree char *name = g_strdup_printf ("host%05u", i);
      /* Racks of uneven size, scattered through the inventory. */
      guint rack = (i * 7919u + i / 13) % LARGE_RACKS;
      guint dc = rack % LARGE_DCS;
      g_autofree char *attributes = g_strdup_printf ("rack=r%u dc=dc%u", rack, dc);

      dc_sizes[dc]++;
      add_host (fixture, name, attributes, "");
    }
  set_batches (fixture, "5%,5%,5%,5%,5%,5%,5%,5%,5%,5%,5%,5%,5%,5%,5%,5%,5%,5%,5%,5%");
  add_spread (fixture, "rack", "2");
  add_spread (fixture, "dc", "2%");
  for (guint d = 0; d < LARGE_DCS; d++)
    dc_caps[d] = MAX (2 * dc_sizes[d] / 100, 1);

  g_free (plan_waves (fixture));
  check_spread_invariants (fixture->plan, 2, dc_caps, 500);

  first = fleet_plan_serialize (fixture->plan);
  g_free (plan_waves (fixture));
  second = fleet_plan_serialize (fixture->plan);
  g_assert_true (g_bytes_equal (first, second));
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);

#define ADD(path, func) \
  g_test_add (path, Fixture, NULL, fixture_set_up, func, fixture_tear_down)

  ADD ("/rollout/select/where", test_where_selects);
  ADD ("/rollout/select/where-with-names", test_where_with_names);
  ADD ("/rollout/select/limit", test_limit_narrows);
  ADD ("/rollout/select/limit-keeps-nothing", test_limit_keeping_nothing);
  ADD ("/rollout/select/evaluation-error", test_where_evaluation_error);
  ADD ("/rollout/spread/count-cap", test_spread_count_cap);
  ADD ("/rollout/spread/percent-cap", test_spread_percent_cap);
  ADD ("/rollout/spread/several-rules", test_spread_several_rules);
  ADD ("/rollout/spread/missing-attribute", test_spread_missing_attribute);
  ADD ("/rollout/spread/large-fleet", test_large_fleet_spread);
  ADD ("/rollout/canary/count-after-spread", test_canary_count_after_spread);
  ADD ("/rollout/canary/count-limited-by-spread", test_canary_count_limited_by_spread);
  ADD ("/rollout/canary/hosts", test_canary_hosts);
  ADD ("/rollout/canary/host-not-selected", test_canary_host_not_selected);
  ADD ("/rollout/canary/hosts-break-spread", test_canary_hosts_break_spread);
  ADD ("/rollout/canary/where", test_canary_where);
  ADD ("/rollout/order/by-group", test_order_by_group);
  ADD ("/rollout/order/by-attribute-sorted", test_order_by_attribute_sorted);
  ADD ("/rollout/order/unlisted-value", test_order_unlisted_value);
  ADD ("/rollout/order/empty-stage-skipped", test_order_empty_stage_skipped);
  ADD ("/rollout/thresholds/per-wave", test_thresholds_per_wave);
  ADD ("/rollout/thresholds/surprises-warned", test_threshold_surprises_warned);

  return g_test_run ();
}
