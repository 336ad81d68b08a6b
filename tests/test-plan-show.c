/* test-plan-show.c: what `fleetc show` tells a reviewer about trust and
 * connections: validity and expiry, inventory and ssh_config files,
 * signatures, each host's user, route and connection settings, and the
 * jump hosts, in text and in the Markdown for a change ticket. */
#include <glib.h>
#include <glib/gstdio.h>
#include <string.h>

#include "cli/fleet-plan-show.h"
#include "compiler/fleet-compiler.h"
#include "planner/fleet-planner.h"
#include "schema/fleet-plan-signature.h"

typedef struct {
  char *dir;
  FleetDiagnostics *diags;
  FleetWorkflow *workflow;
} Fixture;

static const char *const fixture_files[] = { "inventory.yaml", "workflow.yaml", "ssh.conf",
                                             "bastion.conf" };

static const char inventory[] =
  "defaults:\n"
  "  user: root\n"
  "hosts:\n"
  "  web01: {address: 127.0.0.1, port: 23401}\n"
  "  web02: {address: 127.0.0.1, port: 23402}\n"
  "  web03: {address: 127.0.0.1, port: 23403}\n"
  "  app01: {address: 127.0.0.1, port: 23404, proxy_jump: web01, connect_timeout: 3s}\n"
  "  db01:\n"
  "    address: 127.0.0.1\n"
  "    port: 23405\n"
  "    proxy_jump: bastion\n"
  "    identity_file: /keys/db\n"
  "    identities_only: true\n"
  "    key_passphrase_secret: db-key\n"
  "    become_password_secret: db-sudo\n"
  "  db02:\n"
  "    address: 127.0.0.1\n"
  "    port: 23406\n"
  "    proxy_jump: root@bastion\n"
  "    host_key_policy: accept-new\n"
  "    known_hosts_file: /keys/known_hosts\n"
  "groups:\n"
  "  web: [web01, web02, web03]\n"
  "  db: [db01, db02]\n";

/* The bastion's address comes from an included file, so the plan records
 * two ssh_config files.  The Include line is written with the fixture's
 * directory, because OpenSSH reads a relative one from ~/.ssh. */
static const char bastion_config[] =
  "Host bastion\n"
  "  HostName 127.0.0.2\n"
  "  Port 2222\n"
  "  User root\n";

static const char workflow[] =
  "name: demo\n"
  "inventory: inventory.yaml\n"
  "target: {all: true}\n"
  "steps:\n"
  "  - {name: install, run: \"true\", timeout: 5s}\n";

static void
write_file (Fixture *fixture, const char *name, const char *text)
{
  g_autofree char *path = g_build_filename (fixture->dir, name, NULL);

  g_assert_true (g_file_set_contents (path, text, -1, NULL));
}

static void
fixture_set_up (Fixture *fixture, gconstpointer data)
{
  g_autoptr(GError) error = NULL;

  fixture->dir = g_dir_make_tmp ("test-plan-show-XXXXXX", &error);
  g_assert_no_error (error);
  fixture->diags = fleet_diagnostics_new ();
  write_file (fixture, "inventory.yaml", inventory);
  write_file (fixture, "workflow.yaml", workflow);
  {
    g_autofree char *include = g_strdup_printf ("Include %s/bastion.conf\n", fixture->dir);

    write_file (fixture, "ssh.conf", include);
  }
  write_file (fixture, "bastion.conf", bastion_config);
}

static void
fixture_tear_down (Fixture *fixture, gconstpointer data)
{
  for (guint i = 0; i < G_N_ELEMENTS (fixture_files); i++)
    {
      g_autofree char *path = g_build_filename (fixture->dir, fixture_files[i], NULL);
      g_unlink (path);
    }
  g_assert_cmpint (g_rmdir (fixture->dir), ==, 0);
  g_free (fixture->dir);
  fleet_workflow_free (fixture->workflow);
  fleet_diagnostics_free (fixture->diags);
}

/* Compile the fixture's workflow with its ssh_config, plan it, and read the
 * plan back from its file form. */
static FleetPlan *
compile_to_plan (Fixture *fixture)
{
  g_autofree char *path = g_build_filename (fixture->dir, "workflow.yaml", NULL);
  g_autofree char *config_path = g_build_filename (fixture->dir, "ssh.conf", NULL);
  FleetCompileOptions options = { .ssh_config = config_path };
  g_autoptr(FleetPlan) plan = NULL;
  g_autoptr(GBytes) bytes = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *formatted = NULL;
  FleetPlan *read;

  fixture->workflow = fleet_compile_workflow_file (path, &options, fixture->diags);
  formatted = fleet_diagnostics_format (fixture->diags);
  g_test_message ("diagnostics:\n%s", formatted);
  g_assert_nonnull (fixture->workflow);
  plan = fleet_planner_build (fixture->workflow, fixture->diags);
  g_assert_nonnull (plan);
  bytes = fleet_plan_serialize (plan);
  read = fleet_plan_deserialize (bytes, &error);
  g_assert_no_error (error);
  return read;
}

static char *
file_sha256 (Fixture *fixture, const char *name)
{
  g_autofree char *path = g_build_filename (fixture->dir, name, NULL);
  g_autofree char *contents = NULL;
  gsize length = 0;

  g_assert_true (g_file_get_contents (path, &contents, &length, NULL));
  return g_compute_checksum_for_data (G_CHECKSUM_SHA256, (const guchar *) contents, length);
}

static void
add_signature (FleetPlan *plan, const char *fingerprint, const char *comment, gboolean valid)
{
  FleetPlanSignature *signature = g_new0 (FleetPlanSignature, 1);

  signature->fingerprint = g_strdup (fingerprint);
  signature->comment = g_strdup (comment);
  signature->valid = valid;
  g_ptr_array_add (plan->signatures, signature);
}

static void
assert_contains (const char *text, const char *part)
{
  if (strstr (text, part) == NULL)
    g_printerr ("missing:\n%s\nin:\n%s\n", part, text);
  g_assert_nonnull (strstr (text, part));
}

/* An expired plan is marked in the Markdown, which also lists the
 * inventory and ssh_config files with their digests and every
 * signature. */
static void
test_markdown_trust (Fixture *fixture, gconstpointer data)
{
  g_autoptr(FleetPlan) plan = compile_to_plan (fixture);
  g_autofree char *inventory_sha256 = file_sha256 (fixture, "inventory.yaml");
  g_autofree char *config_sha256 = file_sha256 (fixture, "ssh.conf");
  g_autofree char *included_sha256 = file_sha256 (fixture, "bastion.conf");
  g_autofree char *markdown = NULL;
  g_autofree char *row = NULL;

  plan->compiled_at = 1000000000;
  plan->expires_at = 1000003600;
  add_signature (plan, "SHA256:alicealicealice", "alice: CHG-1234", TRUE);
  add_signature (plan, "SHA256:mallorymallory", "mallory | forged", FALSE);
  markdown = fleet_plan_show_markdown (plan);

  assert_contains (markdown, "| Validity | compiled at 2001-09-09T01:46:40Z, expires at "
                             "2001-09-09T02:46:40Z (valid for 1h); **EXPIRED: fleet-run "
                             "refuses it** |\n");

  row = g_strdup_printf ("| ssh_config | %s/ssh.conf (SHA-256 `%s`) |\n", fixture->dir,
                         config_sha256);
  assert_contains (markdown, row);
  g_free (row);
  row = g_strdup_printf ("| ssh_config include | %s/bastion.conf (SHA-256 `%s`) |\n",
                         fixture->dir, included_sha256);
  assert_contains (markdown, row);
  g_free (row);

  assert_contains (markdown, "\n## Inventory files\n\n| file | kind | SHA-256 |\n|---|---|---|\n");
  row = g_strdup_printf ("| %s/inventory.yaml | file | `%s` |\n", fixture->dir,
                         inventory_sha256);
  assert_contains (markdown, row);

  assert_contains (markdown, "\n## Signatures\n\n");
  assert_contains (markdown, "| `SHA256:alicealicealice` | alice: CHG-1234 | valid |\n");
  assert_contains (markdown, "| `SHA256:mallorymallory` | mallory \\| forged | **INVALID**: "
                             "does not match this plan |\n");
}

/* A plan that never expires and carries no signature says so. */
static void
test_markdown_unsigned (Fixture *fixture, gconstpointer data)
{
  g_autoptr(FleetPlan) plan = compile_to_plan (fixture);
  g_autofree char *markdown = NULL;

  plan->expires_at = 0;
  markdown = fleet_plan_show_markdown (plan);

  assert_contains (markdown, "| Validity | ");
  g_assert_null (strstr (markdown, "EXPIRED"));
  assert_contains (markdown, "None. An approver signs with `fleetc sign PLAN --key KEY`.\n");
}

/* Each host's table row names its login user and its route through the
 * jump hosts, and the jump hosts have a section of their own. */
static void
test_markdown_routes (Fixture *fixture, gconstpointer data)
{
  g_autoptr(FleetPlan) plan = compile_to_plan (fixture);
  g_autofree char *markdown = fleet_plan_show_markdown (plan);

  assert_contains (markdown, "| host | address | user | route |\n|---|---|---|---|\n");
  assert_contains (markdown, "| web02 | 127.0.0.1:23402 | root | direct |\n");
  assert_contains (markdown, "| app01 | 127.0.0.1:23404 | root | via web01 "
                             "(root@127.0.0.1:23401) |\n");
  assert_contains (markdown, "| db01 | 127.0.0.1:23405 | root | via bastion "
                             "(root@127.0.0.2:2222) |\n");
  assert_contains (markdown, "| db02 | 127.0.0.1:23406 | root | via bastion "
                             "(root@127.0.0.2:2222) |\n");

  assert_contains (markdown, "\n## Jump hosts\n");
  assert_contains (markdown, "| web01 | root@127.0.0.1:23401 | direct | also a host of this "
                             "plan: its steps run there |\n");
  assert_contains (markdown, "| bastion | root@127.0.0.2:2222 | direct | no steps run there |\n");
}

/* The Markdown lists every connection setting, hosts with equal settings
 * together. */
static void
test_markdown_settings (Fixture *fixture, gconstpointer data)
{
  g_autoptr(FleetPlan) plan = compile_to_plan (fixture);
  g_autofree char *markdown = fleet_plan_show_markdown (plan);

  assert_contains (markdown, "\n## Connection settings\n");
  assert_contains (markdown, "- **web01..web03 (3 hosts)**\n"
                             "  - user: root\n"
                             "  - route: direct\n"
                             "  - connect timeout: 10s; keepalive: every 15s, connection lost "
                             "after 3 unanswered\n");
  assert_contains (markdown, "  - secret names: key passphrase db-key, sudo password "
                             "db-sudo\n");
}

/* Text `fleetc show` lists the settings that only JSON had: timeout,
 * identity and known_hosts files, host key policy, identities_only,
 * secret names and groups, once for hosts that share them. */
static void
test_text_settings_grouped (Fixture *fixture, gconstpointer data)
{
  g_autoptr(FleetPlan) plan = compile_to_plan (fixture);
  g_autofree char *text = fleet_plan_show_text (plan);

  assert_contains (text, "\nConnection settings (hosts with equal settings are listed "
                         "together):\n"
                         "  app01:\n");
  assert_contains (text, "  web01..web03 (3 hosts):\n"
                         "    user: root\n"
                         "    route: direct\n"
                         "    connect timeout: 10s; keepalive: every 15s, connection lost after "
                         "3 unanswered\n"
                         "    host keys: strict (an unknown key is rejected); known_hosts files: "
                         "~/.ssh/known_hosts (default)\n"
                         "    identity files: none named; identities_only: no\n"
                         "    groups: web\n");
  assert_contains (text, "  app01:\n"
                         "    user: root\n"
                         "    route: via web01 (root@127.0.0.1:23401)\n"
                         "    connect timeout: 3s;");
  assert_contains (text, "  db01:\n"
                         "    user: root\n"
                         "    route: via bastion (root@127.0.0.2:2222)\n");
  assert_contains (text, "    identity files: /keys/db; identities_only: yes (no other agent "
                         "keys)\n"
                         "    secret names: key passphrase db-key, sudo password db-sudo\n"
                         "    groups: db\n");
  assert_contains (text, "    host keys: accept-new (an unknown key is recorded and trusted); "
                         "known_hosts files: /keys/known_hosts\n");
}

/* A jump host that is also a host of the plan is not said to run no
 * steps. */
static void
test_text_jump_host_in_plan (Fixture *fixture, gconstpointer data)
{
  g_autoptr(FleetPlan) plan = compile_to_plan (fixture);
  g_autofree char *text = fleet_plan_show_text (plan);

  g_assert_null (strstr (text, "no steps run there):"));
  assert_contains (text, "\nJump hosts (connections to the hosts behind them go through "
                         "them):\n"
                         "  web01  root@127.0.0.1:23401  direct; also a host of this plan: its "
                         "steps run there\n");
  assert_contains (text, "  bastion  root@127.0.0.2:2222  direct; no steps run there\n");
}

/* "bastion" and "root@bastion" resolve to the same address, port, user
 * and settings: one jump host, so fleet-run logs in to it once. */
static void
test_jump_aliases_merged (Fixture *fixture, gconstpointer data)
{
  g_autoptr(FleetPlan) plan = compile_to_plan (fixture);
  guint bastions = 0;

  for (guint i = 0; i < plan->jump_hosts->len; i++)
    {
      const FleetHost *jump_host = g_ptr_array_index (plan->jump_hosts, i);

      bastions += g_str_equal (jump_host->address, "127.0.0.2");
    }
  g_assert_cmpuint (plan->jump_hosts->len, ==, 2);
  g_assert_cmpuint (bastions, ==, 1);

  for (guint i = 0; i < plan->hosts->len; i++)
    {
      const FleetHost *host = g_ptr_array_index (plan->hosts, i);

      if (g_str_has_prefix (host->name, "db"))
        g_assert_cmpstr (host->proxy_jump, ==, "bastion");
    }
}

/* Another login user on the same bastion is another connection. */
static void
test_jump_other_user_kept (Fixture *fixture, gconstpointer data)
{
  g_autoptr(FleetPlan) plan = NULL;
  g_autoptr(GString) edited = g_string_new (inventory);

  g_string_replace (edited, "proxy_jump: root@bastion", "proxy_jump: admin@bastion", 1);
  write_file (fixture, "inventory.yaml", edited->str);
  plan = compile_to_plan (fixture);

  g_assert_cmpuint (plan->jump_hosts->len, ==, 3);
  for (guint i = 0; i < plan->hosts->len; i++)
    {
      const FleetHost *host = g_ptr_array_index (plan->hosts, i);

      if (g_str_equal (host->name, "db02"))
        g_assert_cmpstr (host->proxy_jump, ==, "admin@bastion");
    }
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);

#define ADD(path, func) g_test_add (path, Fixture, NULL, fixture_set_up, func, fixture_tear_down)
  ADD ("/plan-show/markdown/trust", test_markdown_trust);
  ADD ("/plan-show/markdown/unsigned", test_markdown_unsigned);
  ADD ("/plan-show/markdown/routes", test_markdown_routes);
  ADD ("/plan-show/markdown/settings", test_markdown_settings);
  ADD ("/plan-show/text/settings-grouped", test_text_settings_grouped);
  ADD ("/plan-show/text/jump-host-in-plan", test_text_jump_host_in_plan);
  ADD ("/plan-show/jump/aliases-merged", test_jump_aliases_merged);
  ADD ("/plan-show/jump/other-user-kept", test_jump_other_user_kept);
#undef ADD

  return g_test_run ();
}
