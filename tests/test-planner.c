/* test-planner.c: host selection and wave arithmetic. */
#include <string.h>

#include "planner/fleet-planner.h"

/* Parse "1,10%,100%" into batches. */
static GArray *
parse_batches (const char *spec)
{
  GArray *batches = g_array_new (FALSE, TRUE, sizeof (FleetBatch));
  g_auto(GStrv) items = g_strsplit (spec, ",", -1);

  for (char **item = items; *item != NULL; item++)
    {
      FleetBatch batch = { 0 };

      batch.kind = g_str_has_suffix (*item, "%") ? FLEET_BATCH_PERCENT : FLEET_BATCH_COUNT;
      batch.value = (guint) g_ascii_strtoull (*item, NULL, 10);
      g_array_append_val (batches, batch);
    }
  return batches;
}

/* Return the wave sizes as "a,b,c", or the first error message. */
static char *
split (const char *spec, guint n_hosts, guint *out_dropped)
{
  g_autoptr(GArray) batches = parse_batches (spec);
  g_autoptr(FleetDiagnostics) diags = fleet_diagnostics_new ();
  FleetSourcePos pos = { "wf.yaml", 3, 8 };
  g_autoptr(GArray) sizes = fleet_planner_split_waves (batches, n_hosts, &pos, out_dropped, diags);
  GString *out = g_string_new (NULL);

  if (sizes == NULL)
    {
      g_assert_cmpuint (fleet_diagnostics_error_count (diags), ==, 1);
      g_string_append (out, fleet_diagnostics_get (diags, 0)->message);
      return g_string_free (out, FALSE);
    }

  for (guint i = 0; i < sizes->len; i++)
    g_string_append_printf (out, "%s%u", i > 0 ? "," : "", g_array_index (sizes, guint, i));
  return g_string_free (out, FALSE);
}

static void
test_waves_table (void)
{
  const struct {
    const char *batches;
    guint n_hosts;
    const char *expected;
    guint dropped;
  } cases[] = {
    { "100%", 20, "20", 0 },
    { "1,10%,100%", 20, "1,2,17", 0 },
    { "1,25%,100%", 20, "1,5,14", 0 },
    /* Percentages round up: 10% of 5 hosts is half a host, so one host. */
    { "10%,100%", 5, "1,4", 0 },
    { "33%,33%,34%", 10, "4,4,2", 0 },
    { "1%,100%", 1000, "10,990", 0 },
    { "1%,100%", 1, "1", 1 },
    /* More batches than hosts: the extra ones get nothing and are counted. */
    { "1,1,1,1,100%", 2, "1,1", 3 },
    { "5", 3, "3", 0 },
    { "2,2,2", 6, "2,2,2", 0 },
    { "100%,100%", 7, "7", 1 },
  };

  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      guint dropped = G_MAXUINT;
      g_autofree char *sizes = split (cases[i].batches, cases[i].n_hosts, &dropped);

      g_test_message ("%s over %u hosts", cases[i].batches, cases[i].n_hosts);
      g_assert_cmpstr (sizes, ==, cases[i].expected);
      g_assert_cmpuint (dropped, ==, cases[i].dropped);
    }
}

static void
test_waves_not_covering_rejected (void)
{
  g_autofree char *message = split ("1,10%", 20, NULL);

  g_assert_cmpstr (message, ==, "the waves place 3 of the 20 selected hosts, leaving 17 without "
                                "a wave; end the list with 100%");
}

static FleetWorkflow *
make_workflow (guint n_hosts)
{
  FleetWorkflow *workflow = fleet_workflow_new ();

  workflow->name = g_strdup ("wf");
  workflow->source = g_strdup ("wf.yaml");
  workflow->source_sha256 = g_strdup ("00");
  workflow->inventory = fleet_inventory_new ("inventory.yaml");
  workflow->target.pos = (FleetSourcePos) { "wf.yaml", 4, 3 };
  for (guint i = 0; i < n_hosts; i++)
    {
      g_autofree char *name = g_strdup_printf ("host%02u", i + 1);
      FleetHost *host = fleet_host_new (name);

      host->address = g_strdup ("127.0.0.1");
      g_hash_table_insert (host->attributes, g_strdup ("dc"), g_strdup (i % 2 ? "dc2" : "dc1"));
      g_ptr_array_add (host->groups, g_strdup (i < 2 ? "db" : "web"));
      g_assert_true (fleet_inventory_add_host (workflow->inventory, host));
    }
  g_ptr_array_add (workflow->steps, fleet_step_new ("s", "true"));
  return workflow;
}

static guint
count_selected (FleetWorkflow *workflow)
{
  g_autoptr(FleetDiagnostics) diags = fleet_diagnostics_new ();
  g_autoptr(GPtrArray) selected = fleet_planner_select_hosts (workflow, diags);

  g_assert_nonnull (selected);
  return selected->len;
}

static void
test_selection (void)
{
  g_autoptr(FleetWorkflow) workflow = make_workflow (6);

  workflow->target.all = TRUE;
  g_assert_cmpuint (count_selected (workflow), ==, 6);

  workflow->target.all = FALSE;
  g_ptr_array_add (workflow->target.groups, g_strdup ("db"));
  g_assert_cmpuint (count_selected (workflow), ==, 2);

  g_ptr_array_add (workflow->target.hosts, g_strdup ("host05"));
  g_assert_cmpuint (count_selected (workflow), ==, 3);

  g_hash_table_insert (workflow->target.match, g_strdup ("dc"), g_strdup ("dc1"));
  /* host01 (db, dc1) and host05 (dc1); host02 is in dc2. */
  g_assert_cmpuint (count_selected (workflow), ==, 2);

  g_ptr_array_set_size (workflow->target.groups, 0);
  g_ptr_array_set_size (workflow->target.hosts, 0);
  g_assert_cmpuint (count_selected (workflow), ==, 3);
}

static void
test_build_plan (void)
{
  g_autoptr(FleetWorkflow) workflow = make_workflow (10);
  g_autoptr(FleetDiagnostics) diags = fleet_diagnostics_new ();
  g_autoptr(FleetPlan) plan = NULL;
  g_autoptr(GArray) batches = parse_batches ("1,25%,100%");
  g_autofree char *digest = NULL;
  const FleetWave *last;

  workflow->target.all = TRUE;
  g_array_append_vals (workflow->batches, batches->data, batches->len);
  workflow->parallelism = 4;

  plan = fleet_planner_build (workflow, diags);
  g_assert_nonnull (plan);
  g_assert_cmpuint (fleet_diagnostics_error_count (diags), ==, 0);
  g_assert_cmpuint (plan->hosts->len, ==, 10);
  g_assert_cmpuint (plan->waves->len, ==, 3);
  g_assert_cmpuint (plan->parallelism, ==, 4);
  digest = fleet_hosts_digest (workflow->inventory->hosts, workflow->inventory->jump_hosts);
  g_assert_cmpstr (plan->inventory_sha256, ==, digest);

  /* Hosts keep inventory order across waves. */
  last = g_ptr_array_index (plan->waves, 2);
  g_assert_cmpuint (last->host_indices->len, ==, 6);
  g_assert_cmpuint (g_array_index (last->host_indices, guint32, 0), ==, 4);
  g_assert_cmpstr (((FleetHost *) g_ptr_array_index (plan->hosts, 4))->name, ==, "host05");
}

/* Plan `workflow`, which must fail with one error; return it. */
static char *
single_error (FleetWorkflow *workflow, FleetSourcePos *out_pos)
{
  g_autoptr(FleetDiagnostics) diags = fleet_diagnostics_new ();
  g_autoptr(FleetPlan) plan = fleet_planner_build (workflow, diags);
  const FleetDiagnostic *diagnostic;

  g_assert_null (plan);
  g_assert_cmpuint (fleet_diagnostics_error_count (diags), ==, 1);
  diagnostic = fleet_diagnostics_get (diags, 0);
  *out_pos = diagnostic->pos;
  return g_strdup (diagnostic->message);
}

/* A target that names no host is reported at the target. */
static void
test_empty_target_rejected (void)
{
  g_autoptr(FleetWorkflow) workflow = make_workflow (4);
  g_autofree char *message = NULL;
  FleetSourcePos pos;

  g_ptr_array_add (workflow->target.groups, g_strdup ("nosuchgroup"));
  message = single_error (workflow, &pos);
  g_assert_cmpstr (pos.file, ==, "wf.yaml");
  g_assert_cmpuint (pos.line, ==, 4);
  g_assert_nonnull (strstr (message, "selects no hosts from the 4"));
}

/* A `match` that keeps none of the named hosts is reported at the value
 * no host has, with the values they have. */
static void
test_empty_match_at_value (void)
{
  g_autoptr(FleetWorkflow) workflow = make_workflow (4);
  FleetSourcePos dc_pos = { "wf.yaml", 6, 12 };
  g_autofree char *message = NULL;
  FleetSourcePos pos;

  workflow->target.all = TRUE;
  g_hash_table_insert (workflow->target.match, g_strdup ("dc"), g_strdup ("dc9"));
  g_hash_table_insert (workflow->target.match_positions, g_strdup ("dc"),
                       g_memdup2 (&dc_pos, sizeof dc_pos));
  message = single_error (workflow, &pos);
  g_assert_cmpuint (pos.line, ==, 6);
  g_assert_cmpuint (pos.column, ==, 12);
  g_assert_cmpstr (message, ==, "\"match\" keeps none of the 4 hosts the target names: none "
                                "has dc = \"dc9\" (their dc values: dc1, dc2); check the value");
}

/* Values that each some host has, but no host has together, are reported
 * at the first of them in the file. */
static void
test_empty_match_combination (void)
{
  g_autoptr(FleetWorkflow) workflow = make_workflow (4);
  FleetSourcePos dc_pos = { "wf.yaml", 6, 20 };
  FleetSourcePos host_pos = { "wf.yaml", 6, 12 };
  g_autofree char *message = NULL;
  FleetSourcePos pos;

  /* Group db is host01 in dc1 and host02 in dc2, and each host's rack is
   * its name: rack host01 and dc dc2 each fit one host, but none both. */
  g_ptr_array_add (workflow->target.groups, g_strdup ("db"));
  g_hash_table_insert (workflow->target.match, g_strdup ("dc"), g_strdup ("dc2"));
  g_hash_table_insert (workflow->target.match_positions, g_strdup ("dc"),
                       g_memdup2 (&dc_pos, sizeof dc_pos));
  for (guint i = 0; i < workflow->inventory->hosts->len; i++)
    {
      FleetHost *host = g_ptr_array_index (workflow->inventory->hosts, i);

      g_hash_table_insert (host->attributes, g_strdup ("rack"), g_strdup (host->name));
    }
  g_hash_table_insert (workflow->target.match, g_strdup ("rack"), g_strdup ("host01"));
  g_hash_table_insert (workflow->target.match_positions, g_strdup ("rack"),
                       g_memdup2 (&host_pos, sizeof host_pos));
  message = single_error (workflow, &pos);
  g_assert_cmpuint (pos.column, ==, 12);
  g_assert_cmpstr (message, ==, "\"match\" keeps none of the 2 hosts the target names: some "
                                "have rack = \"host01\", but none has every value of \"match\"; "
                                "check the values");
}

static void
test_dropped_waves_warned (void)
{
  g_autoptr(FleetWorkflow) workflow = make_workflow (2);
  g_autoptr(FleetDiagnostics) diags = fleet_diagnostics_new ();
  g_autoptr(FleetPlan) plan = NULL;
  g_autoptr(GArray) batches = parse_batches ("1,1,100%");

  workflow->target.all = TRUE;
  g_array_append_vals (workflow->batches, batches->data, batches->len);
  plan = fleet_planner_build (workflow, diags);

  g_assert_nonnull (plan);
  g_assert_cmpuint (plan->waves->len, ==, 2);
  g_assert_cmpuint (fleet_diagnostics_warning_count (diags), ==, 1);
  g_assert_nonnull (strstr (fleet_diagnostics_get (diags, 0)->message, "1 of the 3 wave sizes"));
}

static FleetHost *
add_jump_host (FleetWorkflow *workflow, const char *name, const char *via)
{
  FleetHost *jump_host = fleet_host_new (name);

  jump_host->address = g_strdup ("192.0.2.1");
  jump_host->proxy_jump = g_strdup (via);
  g_ptr_array_add (workflow->inventory->jump_hosts, jump_host);
  return jump_host;
}

/* The plan gets the jump hosts its hosts go through, directly or not, and
 * the problems of those hosts only. */
static void
test_jump_hosts_and_problems (void)
{
  g_autoptr(FleetWorkflow) workflow = make_workflow (3);
  g_autoptr(FleetDiagnostics) diags = fleet_diagnostics_new ();
  g_autoptr(FleetPlan) plan = NULL;
  g_autoptr(GArray) batches = parse_batches ("100%");
  FleetSourcePos pos = { "ssh_config", 7, 3 };
  FleetHost *host01 = g_hash_table_lookup (workflow->inventory->hosts_by_name, "host01");
  FleetHost *host02 = g_hash_table_lookup (workflow->inventory->hosts_by_name, "host02");
  const FleetDiagnostic *diagnostic;

  g_array_append_vals (workflow->batches, batches->data, batches->len);
  add_jump_host (workflow, "outer", NULL);
  add_jump_host (workflow, "outer,inner", "outer");
  add_jump_host (workflow, "unused", NULL);
  host01->proxy_jump = g_strdup ("outer,inner");
  host02->proxy_jump = g_strdup ("unused");
  g_ptr_array_add (workflow->target.hosts, g_strdup ("host01"));
  g_ptr_array_add (workflow->target.hosts, g_strdup ("host03"));

  fleet_inventory_add_host_problem (workflow->inventory, FLEET_HOST_PROBLEM_ERROR, "host02",
                                    FALSE, &pos, "not selected");
  fleet_inventory_add_host_problem (workflow->inventory, FLEET_HOST_PROBLEM_ERROR, "unused",
                                    TRUE, &pos, "not needed");
  fleet_inventory_add_host_problem (workflow->inventory, FLEET_HOST_PROBLEM_UNUSED_SETTING,
                                    "host02", FALSE, &pos, "SendEnv");
  plan = fleet_planner_build (workflow, diags);

  g_assert_nonnull (plan);
  g_assert_cmpuint (fleet_diagnostics_error_count (diags), ==, 0);
  g_assert_cmpuint (fleet_diagnostics_warning_count (diags), ==, 0);
  g_assert_cmpuint (plan->jump_hosts->len, ==, 2);
  g_assert_cmpstr (((FleetHost *) g_ptr_array_index (plan->jump_hosts, 0))->name, ==, "outer");
  g_assert_cmpstr (((FleetHost *) g_ptr_array_index (plan->jump_hosts, 1))->name, ==,
                   "outer,inner");

  fleet_inventory_add_host_problem (workflow->inventory, FLEET_HOST_PROBLEM_ERROR, "outer",
                                    TRUE, &pos, "a refused line");
  fleet_inventory_add_host_problem (workflow->inventory, FLEET_HOST_PROBLEM_ERROR, "host03",
                                    FALSE, &pos, "a refused line");
  g_clear_pointer (&plan, fleet_plan_free);
  plan = fleet_planner_build (workflow, diags);

  g_assert_null (plan);
  g_assert_cmpuint (fleet_diagnostics_error_count (diags), ==, 1);
  diagnostic = fleet_diagnostics_get (diags, 0);
  g_assert_cmpstr (diagnostic->pos.file, ==, "ssh_config");
  g_assert_cmpuint (diagnostic->pos.line, ==, 7);
  g_assert_cmpstr (diagnostic->message, ==,
                   "a refused line (for jump host \"outer\" and host \"host03\")");
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/planner/waves/table", test_waves_table);
  g_test_add_func ("/planner/waves/not-covering", test_waves_not_covering_rejected);
  g_test_add_func ("/planner/waves/dropped-warned", test_dropped_waves_warned);
  g_test_add_func ("/planner/select/combinations", test_selection);
  g_test_add_func ("/planner/build/plan", test_build_plan);
  g_test_add_func ("/planner/build/empty-target", test_empty_target_rejected);
  g_test_add_func ("/planner/build/empty-match-at-value", test_empty_match_at_value);
  g_test_add_func ("/planner/build/empty-match-combination", test_empty_match_combination);
  g_test_add_func ("/planner/build/jump-hosts", test_jump_hosts_and_problems);

  return g_test_run ();
}
