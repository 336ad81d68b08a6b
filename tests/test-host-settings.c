/* test-host-settings.c: how the compiler and the planner settle each host's
 * connection settings from the inventory, the ssh_config and the built-in
 * defaults, and the jump hosts a plan goes through.
 *
 * Each case writes an inventory, a workflow and an ssh_config into a
 * temporary directory, compiles and plans them.  HOME points at another
 * temporary directory, so no test reads the machine's ~/.ssh/config.
 */
#include <glib.h>
#include <glib/gstdio.h>
#include <string.h>

#include "compiler/fleet-compiler.h"
#include "planner/fleet-planner.h"
#include "tests/test-helpers.h"

typedef struct {
  char *dir;                  /* temporary directory, removed on tear-down */
  FleetDiagnostics *diags;
  FleetWorkflow *workflow;    /* the last compiled workflow, or NULL */
} Fixture;

static void
fixture_set_up (Fixture *fixture, gconstpointer data)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *dir = g_dir_make_tmp ("test-host-settings-XXXXXX", &error);

  g_assert_no_error (error);
  /* Paths in plans are canonical, so the fixture's must be too. */
  fixture->dir = realpath (dir, NULL);
  fixture->diags = fleet_diagnostics_new ();
}

static void
fixture_tear_down (Fixture *fixture, gconstpointer data)
{
  fleet_test_remove_tree (fixture->dir);
  free (fixture->dir);
  fleet_diagnostics_free (fixture->diags);
  fleet_workflow_free (fixture->workflow);
}

static char *
fixture_path (Fixture *fixture, const char *name)
{
  return g_build_filename (fixture->dir, name, NULL);
}

static char *
write_file (Fixture *fixture, const char *name, const char *contents)
{
  g_autoptr(GError) error = NULL;
  char *path = fixture_path (fixture, name);

  g_file_set_contents (path, contents, -1, &error);
  g_assert_no_error (error);
  g_assert_cmpint (g_chmod (path, 0600), ==, 0);
  return path;
}

static void
show_diagnostics (Fixture *fixture)
{
  g_autofree char *text = fleet_diagnostics_format (fixture->diags);

  g_test_message ("diagnostics:\n%s", text);
}

/* Compile a workflow with `target` over `inventory`, reading `ssh_config`
 * (NULL: none), and plan it.  Returns the plan, or NULL after errors. */
static FleetPlan *
compile_and_plan (Fixture *fixture, const char *target, const char *inventory,
                  const char *ssh_config)
{
  g_autofree char *workflow_text = g_strdup_printf ("name: t\n"
                                                    "inventory: inventory.yaml\n"
                                                    "target: %s\n"
                                                    "steps:\n"
                                                    "  - {name: a, run: \"true\", timeout: 5s}\n",
                                                    target);
  g_autofree char *workflow = write_file (fixture, "workflow.yaml", workflow_text);
  g_autofree char *config = ssh_config != NULL ? write_file (fixture, "ssh_config", ssh_config)
                                               : NULL;
  FleetCompileOptions options = { .ssh_config = config };
  FleetPlan *plan = NULL;

  g_free (write_file (fixture, "inventory.yaml", inventory));
  g_clear_pointer (&fixture->workflow, fleet_workflow_free);
  fixture->workflow = fleet_compile_workflow_file (workflow, &options, fixture->diags);
  if (fixture->workflow != NULL)
    plan = fleet_planner_build (fixture->workflow, fixture->diags);

  show_diagnostics (fixture);
  return plan;
}

static void
reset_diagnostics (Fixture *fixture)
{
  fleet_diagnostics_free (fixture->diags);
  fixture->diags = fleet_diagnostics_new ();
}

static void
assert_counts (Fixture *fixture, guint errors, guint warnings)
{
  g_assert_cmpuint (fleet_diagnostics_error_count (fixture->diags), ==, errors);
  g_assert_cmpuint (fleet_diagnostics_warning_count (fixture->diags), ==, warnings);
}

static void
assert_diagnostic (Fixture *fixture, guint index, FleetSeverity severity, const char *file_name,
                   guint line, guint column, const char *message)
{
  g_autofree char *path = fixture_path (fixture, file_name);
  const FleetDiagnostic *diagnostic;

  g_assert_cmpuint (index, <, fleet_diagnostics_length (fixture->diags));
  diagnostic = fleet_diagnostics_get (fixture->diags, index);
  g_assert_cmpint (diagnostic->severity, ==, severity);
  g_assert_cmpstr (diagnostic->pos.file, ==, path);
  g_assert_cmpuint (diagnostic->pos.line, ==, line);
  g_assert_cmpuint (diagnostic->pos.column, ==, column);
  g_assert_cmpstr (diagnostic->message, ==, message);
}

static void
assert_strings (const GPtrArray *strings, const char * const *expected)
{
  guint n = 0;

  for (; expected[n] != NULL; n++)
    {
      g_assert_cmpuint (n, <, strings->len);
      g_assert_cmpstr (g_ptr_array_index (strings, n), ==, expected[n]);
    }
  g_assert_cmpuint (strings->len, ==, n);
}

static const FleetHost *
find_host (const GPtrArray *hosts, const char *name)
{
  for (guint i = 0; i < hosts->len; i++)
    if (g_str_equal (((const FleetHost *) g_ptr_array_index (hosts, i))->name, name))
      return g_ptr_array_index (hosts, i);

  g_error ("no host \"%s\"", name);
  return NULL;
}

static const FleetHost *
inventory_host (Fixture *fixture, const char *name)
{
  return find_host (fixture->workflow->inventory->hosts, name);
}

/* Precedence */

static const char precedence_config[] =
  "Host web1\n"
  "  HostName 192.0.2.1\n"
  "  Port 2201\n"
  "  User ssh-user\n"
  "  IdentityFile ~/.ssh/id_ssh\n"
  "  IdentitiesOnly yes\n"
  "  UserKnownHostsFile ~/.ssh/kh_ssh\n"
  "  StrictHostKeyChecking accept-new\n"
  "  ConnectTimeout 20\n"
  "  ServerAliveInterval 30\n"
  "  ServerAliveCountMax 9\n"
  "Host *\n"
  "  User ssh-fallback\n"
  "  Port 2299\n";

static const char precedence_inventory[] =
  "defaults:\n"
  "  user: default-user\n"
  "  connect_timeout: 5s\n"
  "hosts:\n"
  "  web1: {port: 2222}\n"
  "  web2:\n"
  "  web3: {address: 192.0.2.3, user: own-user}\n";

/* The host's own keys, then `defaults`, then the ssh_config, then the
 * built-in defaults: the first that gives a setting wins. */
static void
test_precedence (Fixture *fixture, gconstpointer data)
{
  g_autoptr(FleetPlan) plan = compile_and_plan (fixture, "{all: true}", precedence_inventory,
                                                precedence_config);
  const FleetHost *web1, *web2, *web3;

  g_assert_nonnull (plan);
  assert_counts (fixture, 0, 0);
  web1 = find_host (plan->hosts, "web1");
  web2 = find_host (plan->hosts, "web2");
  web3 = find_host (plan->hosts, "web3");

  g_assert_cmpstr (web1->address, ==, "192.0.2.1");
  g_assert_cmpuint (web1->port, ==, 2222);
  g_assert_cmpstr (web1->user, ==, "default-user");
  assert_strings (web1->identity_files, (const char *[]) { "~/.ssh/id_ssh", NULL });
  g_assert_true (web1->identities_only);
  assert_strings (web1->known_hosts_files, (const char *[]) { "~/.ssh/kh_ssh", NULL });
  g_assert_cmpint (web1->host_key_policy, ==, FLEET_HOST_KEY_POLICY_ACCEPT_NEW);
  g_assert_cmpuint (web1->connect_timeout_ms, ==, 5000);
  g_assert_cmpuint (web1->keepalive_interval_ms, ==, 30000);
  g_assert_cmpuint (web1->keepalive_count_max, ==, 9);

  g_assert_cmpstr (web2->address, ==, "web2");
  g_assert_cmpuint (web2->port, ==, 2299);
  g_assert_cmpstr (web2->user, ==, "default-user");
  g_assert_cmpuint (web2->identity_files->len, ==, 0);
  g_assert_false (web2->identities_only);
  g_assert_cmpuint (web2->known_hosts_files->len, ==, 0);
  g_assert_cmpint (web2->host_key_policy, ==, FLEET_HOST_KEY_POLICY_STRICT);
  g_assert_cmpuint (web2->keepalive_interval_ms, ==, FLEET_DEFAULT_KEEPALIVE_INTERVAL_MS);
  g_assert_cmpuint (web2->keepalive_count_max, ==, FLEET_DEFAULT_KEEPALIVE_COUNT_MAX);

  g_assert_cmpstr (web3->address, ==, "192.0.2.3");
  g_assert_cmpstr (web3->user, ==, "own-user");
  g_assert_cmpuint (web3->port, ==, 2299);
}

/* Without an ssh_config, as with -F none, only the inventory and the
 * built-in defaults count. */
static void
test_no_ssh_config (Fixture *fixture, gconstpointer data)
{
  g_autoptr(FleetPlan) plan = compile_and_plan (fixture, "{all: true}", precedence_inventory,
                                                NULL);
  const FleetHost *web1;

  g_assert_nonnull (plan);
  assert_counts (fixture, 0, 0);
  web1 = find_host (plan->hosts, "web1");
  g_assert_cmpstr (web1->address, ==, "web1");
  g_assert_cmpuint (web1->port, ==, 2222);
  g_assert_cmpuint (web1->identity_files->len, ==, 0);
  g_assert_cmpint (web1->host_key_policy, ==, FLEET_HOST_KEY_POLICY_STRICT);
  g_assert_null (plan->ssh_config_path);
  g_assert_cmpuint (plan->ssh_config_sources->len, ==, 0);
}

/* Tokens expand with the values the connection uses, after the inventory
 * overrode the ssh_config. */
static void
test_path_tokens (Fixture *fixture, gconstpointer data)
{
  g_autoptr(FleetPlan) plan = compile_and_plan (fixture, "{all: true}",
                                                "hosts:\n  web1: {port: 2222, user: deploy}\n",
                                                "Host web1\n"
                                                "  HostName 192.0.2.1\n"
                                                "  IdentityFile ~/.ssh/%h-%p-%r-%n\n"
                                                "  UserKnownHostsFile known/%n\n");
  g_autofree char *cwd = g_get_current_dir ();
  g_autofree char *known_hosts = g_build_filename (cwd, "known", "web1", NULL);
  const FleetHost *web1;

  g_assert_nonnull (plan);
  web1 = find_host (plan->hosts, "web1");
  assert_strings (web1->identity_files,
                  (const char *[]) { "~/.ssh/192.0.2.1-2222-deploy-web1", NULL });
  assert_strings (web1->known_hosts_files, (const char *[]) { known_hosts, NULL });
}

/* The inventory digest covers the settled hosts, so a change in the
 * ssh_config changes it, and the plan records every ssh_config file. */
static void
test_digest_and_sources (Fixture *fixture, gconstpointer data)
{
  g_autofree char *included = write_file (fixture, "included", "Port 2200\n");
  g_autofree char *config_text = g_strdup_printf ("Include %s\nHost *\n  User one\n", included);
  g_autofree char *config_path = fixture_path (fixture, "ssh_config");
  g_autofree char *first_digest = NULL;
  g_autofree char *config_sha256 = NULL;
  g_autofree char *included_sha256 = g_compute_checksum_for_string (G_CHECKSUM_SHA256,
                                                                    "Port 2200\n", -1);
  g_autoptr(FleetPlan) first = compile_and_plan (fixture, "{all: true}", "hosts: {web1: }\n",
                                                 config_text);
  g_autoptr(FleetPlan) same = NULL;
  g_autoptr(FleetPlan) changed = NULL;
  const FleetSourceFile *source;

  g_assert_nonnull (first);
  first_digest = g_strdup (first->inventory_sha256);
  config_sha256 = g_compute_checksum_for_string (G_CHECKSUM_SHA256, config_text, -1);
  g_assert_cmpstr (first->ssh_config_path, ==, config_path);
  g_assert_cmpuint (first->ssh_config_sources->len, ==, 2);
  source = g_ptr_array_index (first->ssh_config_sources, 0);
  g_assert_cmpstr (source->path, ==, config_path);
  g_assert_cmpstr (source->sha256, ==, config_sha256);
  source = g_ptr_array_index (first->ssh_config_sources, 1);
  g_assert_cmpstr (source->path, ==, included);
  g_assert_cmpstr (source->sha256, ==, included_sha256);

  same = compile_and_plan (fixture, "{all: true}", "hosts: {web1: }\n", config_text);
  g_assert_cmpstr (same->inventory_sha256, ==, first_digest);

  g_free (write_file (fixture, "included", "Port 2201\n"));
  changed = compile_and_plan (fixture, "{all: true}", "hosts: {web1: }\n", config_text);
  g_assert_cmpstr (changed->inventory_sha256, !=, first_digest);
}

/* Inventory keys */

static void
test_inventory_keys (Fixture *fixture, gconstpointer data)
{
  g_autoptr(FleetPlan) plan = compile_and_plan (fixture, "{all: true}",
    "defaults:\n"
    "  identity_file: [keys/a, ~/.ssh/b]\n"
    "  known_hosts_file: [kh/one, ~/.ssh/known_hosts]\n"
    "  host_key_policy: accept-new\n"
    "  identities_only: true\n"
    "  keepalive_interval: 0\n"
    "  keepalive_count_max: 5\n"
    "  key_passphrase_secret: deploy-key\n"
    "  become_password_secret: sudo.web_01\n"
    "  proxy_jump: bastion\n"
    "hosts:\n"
    "  bastion: {proxy_jump: none, identity_file: [], host_key_policy: strict}\n"
    "  web1: {identity_file: ~/.ssh/web1, keepalive_interval: 1m}\n",
    NULL);
  g_autofree char *known_hosts = fixture_path (fixture, "kh/one");
  const FleetHost *bastion, *web1;

  g_assert_nonnull (plan);
  assert_counts (fixture, 0, 0);
  bastion = find_host (plan->hosts, "bastion");
  web1 = find_host (plan->hosts, "web1");

  g_assert_cmpuint (bastion->identity_files->len, ==, 0);
  g_assert_null (bastion->proxy_jump);
  g_assert_cmpint (bastion->host_key_policy, ==, FLEET_HOST_KEY_POLICY_STRICT);
  assert_strings (bastion->known_hosts_files,
                  (const char *[]) { known_hosts, "~/.ssh/known_hosts", NULL });

  assert_strings (web1->identity_files, (const char *[]) { "~/.ssh/web1", NULL });
  g_assert_cmpint (web1->host_key_policy, ==, FLEET_HOST_KEY_POLICY_ACCEPT_NEW);
  g_assert_true (web1->identities_only);
  g_assert_cmpuint (web1->keepalive_interval_ms, ==, 60000);
  g_assert_cmpuint (web1->keepalive_count_max, ==, 5);
  g_assert_cmpstr (web1->key_passphrase_secret, ==, "deploy-key");
  g_assert_cmpstr (web1->become_password_secret, ==, "sudo.web_01");
  g_assert_cmpstr (web1->proxy_jump, ==, "bastion");

  /* The defaults' own list, as the bastion does not override it. */
  g_assert_cmpuint (find_host (plan->jump_hosts, "bastion")->identity_files->len, ==, 0);
  g_assert_cmpstr (g_ptr_array_index (inventory_host (fixture, "bastion")->known_hosts_files, 0),
                   ==, known_hosts);
}

static void
test_inventory_key_errors (Fixture *fixture, gconstpointer data)
{
  g_autofree char *long_name = g_strnfill (129, 's');
  g_autofree char *inventory = g_strdup_printf (
    "defaults:\n"
    "  host_key_policy: \"no\"\n"
    "  key_passphrase_secret: \"pass word\"\n"
    "  become_password_secret: %s\n"
    "hosts:\n"
    "  web1:\n"
    "    proxy_jump: \"a, b\"\n"
    "    known_hosts_file: []\n"
    "    identity_file: [~/a, {x: 1}]\n"
    "    keepalive_count_max: 0\n"
    "    keepalive_interval: 2d\n"
    "    identities_only: yes\n", long_name);
  g_autoptr(FleetPlan) plan = compile_and_plan (fixture, "{all: true}", inventory, NULL);

  g_assert_null (plan);
  assert_counts (fixture, 9, 0);
  assert_diagnostic (fixture, 0, FLEET_SEVERITY_ERROR, "inventory.yaml", 2, 20,
                     "invalid value \"no\" for \"host_key_policy\": use strict or accept-new; "
                     "fleetc never turns host key checking off");
  assert_diagnostic (fixture, 1, FLEET_SEVERITY_ERROR, "inventory.yaml", 3, 26,
                     "invalid secret name \"pass word\" in \"key_passphrase_secret\": use only "
                     "letters, digits, '.', '_' and '-'; write the name of the secret, never its "
                     "value");
  assert_diagnostic (fixture, 2, FLEET_SEVERITY_ERROR, "inventory.yaml", 4, 27,
                     "value for \"become_password_secret\" is too long: 129 bytes, the maximum "
                     "is 128");
  assert_diagnostic (fixture, 3, FLEET_SEVERITY_ERROR, "inventory.yaml", 7, 17,
                     "invalid value for \"proxy_jump\": jump host \"a, b\": separate jump hosts "
                     "with commas, without spaces");
  assert_diagnostic (fixture, 4, FLEET_SEVERITY_ERROR, "inventory.yaml", 8, 23,
                     "empty list for \"known_hosts_file\": name at least one known_hosts file, or "
                     "remove the key to use ~/.ssh/known_hosts");
  assert_diagnostic (fixture, 5, FLEET_SEVERITY_ERROR, "inventory.yaml", 9, 26,
                     "invalid value for \"identity_file\": expected a string, found a mapping");
  assert_diagnostic (fixture, 6, FLEET_SEVERITY_ERROR, "inventory.yaml", 10, 26,
                     "invalid integer \"0\" for \"keepalive_count_max\": use a value from 1 to "
                     "1000");
  assert_diagnostic (fixture, 7, FLEET_SEVERITY_ERROR, "inventory.yaml", 11, 25,
                     "invalid duration \"2d\" for \"keepalive_interval\": use a value from 0s to "
                     "1d");
  assert_diagnostic (fixture, 8, FLEET_SEVERITY_ERROR, "inventory.yaml", 12, 22,
                     "invalid boolean \"yes\" for \"identities_only\": use true or false");
}

/* Problems of the selected hosts */

static const char problem_inventory[] =
  "hosts:\n"
  "  legacy:\n"
  "  web1:\n"
  "  web2:\n"
  "  web3:\n"
  "  web4:\n";

/* A rejected line is an error for the selected hosts it applies to, and
 * for no other. */
static void
test_rejected_for_selected_only (Fixture *fixture, gconstpointer data)
{
  static const char config[] =
    "Host legacy\n"
    "  StrictHostKeyChecking no\n";
  g_autoptr(FleetPlan) others = compile_and_plan (fixture, "{hosts: [web1]}", problem_inventory,
                                                  config);
  g_autoptr(FleetPlan) legacy = NULL;

  g_assert_nonnull (others);
  assert_counts (fixture, 0, 0);

  reset_diagnostics (fixture);
  legacy = compile_and_plan (fixture, "{hosts: [legacy, web1]}", problem_inventory, config);
  g_assert_null (legacy);
  assert_counts (fixture, 1, 0);
  assert_diagnostic (fixture, 0, FLEET_SEVERITY_ERROR, "ssh_config", 2, 3,
                     "StrictHostKeyChecking \"no\" is not supported: fleetc never turns host key "
                     "checking off and fleet-run never asks; use yes, or accept-new to record "
                     "the key of a host seen for the first time (a changed key is still "
                     "rejected), or set host_key_policy in the inventory (for host \"legacy\")");
}

/* Once the inventory gives the setting a rejected line would set, the line
 * no longer matters. */
static void
test_rejected_replaced_by_inventory (Fixture *fixture, gconstpointer data)
{
  g_autoptr(FleetPlan) plan = compile_and_plan (fixture, "{all: true}",
                                                "defaults: {proxy_jump: none}\n"
                                                "hosts:\n"
                                                "  legacy: {host_key_policy: accept-new}\n",
                                                "Host *\n"
                                                "  StrictHostKeyChecking ask\n"
                                                "  ProxyCommand ssh -W %h:%p gateway\n");

  g_assert_nonnull (plan);
  assert_counts (fixture, 0, 0);
  g_assert_cmpint (find_host (plan->hosts, "legacy")->host_key_policy, ==,
                   FLEET_HOST_KEY_POLICY_ACCEPT_NEW);
  g_assert_null (find_host (plan->hosts, "legacy")->proxy_jump);
}

/* One error per line, naming the hosts it applies to. */
static void
test_rejected_grouped (Fixture *fixture, gconstpointer data)
{
  g_autoptr(FleetPlan) plan = compile_and_plan (fixture, "{all: true}", problem_inventory,
                                                "Host web*\n"
                                                "  ProxyCommand nc %h %p\n"
                                                "Host legacy web1\n"
                                                "  Ciphers aes256-ctr\n");

  g_assert_null (plan);
  assert_counts (fixture, 2, 0);
  assert_diagnostic (fixture, 0, FLEET_SEVERITY_ERROR, "ssh_config", 4, 3,
                     "Ciphers is not supported: fleet-run negotiates the algorithms of libssh and "
                     "cannot apply this list; remove it from the blocks that apply to the host, or "
                     "only add algorithms with + (for host \"legacy\" and host \"web1\")");
  assert_diagnostic (fixture, 1, FLEET_SEVERITY_ERROR, "ssh_config", 2, 3,
                     "ProxyCommand is not supported: fleet-run does not run proxy commands, and "
                     "connecting directly instead could bypass a bastion; use ProxyJump, or set "
                     "proxy_jump in the inventory (for host \"web1\", host \"web2\", host "
                     "\"web3\" and 1 more)");
}

static void
test_unused_keywords_warned (Fixture *fixture, gconstpointer data)
{
  g_autofree char *config = fixture_path (fixture, "ssh_config");
  g_autofree char *message = g_strdup_printf ("ssh_config keywords fleetc does not use: "
                                              "ForwardAgent (%s:2, %s:7), SendEnv (%s:3)",
                                              config, config, config);
  g_autoptr(FleetPlan) plan = compile_and_plan (fixture, "{hosts: [web1, web2]}",
                                                problem_inventory,
                                                "Host web*\n"
                                                "  ForwardAgent yes\n"
                                                "  SendEnv LANG\n"
                                                "Host legacy\n"
                                                "  ControlMaster auto\n"
                                                "Host web2\n"
                                                "  forwardagent no\n"
                                                "Match all\n"
                                                "  LogLevel DEBUG\n");

  g_assert_nonnull (plan);
  assert_counts (fixture, 0, 2);
  assert_diagnostic (fixture, 0, FLEET_SEVERITY_WARNING, "ssh_config", 8, 1,
                     "Match blocks are not supported; their settings were not applied");
  assert_diagnostic (fixture, 1, FLEET_SEVERITY_WARNING, "ssh_config", 2, 3, message);
}

static void
test_accept_new_needs_known_hosts (Fixture *fixture, gconstpointer data)
{
  g_autoptr(FleetPlan) plan = compile_and_plan (fixture, "{all: true}",
                                                "hosts:\n  web1: {host_key_policy: accept-new}\n",
                                                "UserKnownHostsFile /dev/null\n");

  g_assert_null (plan);
  assert_counts (fixture, 1, 0);
  assert_diagnostic (fixture, 0, FLEET_SEVERITY_ERROR, "inventory.yaml", 2, 27,
                     "accept-new records new host keys in the first known_hosts file, which is "
                     "/dev/null, so every key would be new on every run; name a real known_hosts "
                     "file or use strict (for host \"web1\")");
}

/* Jump hosts */

static const char jump_config[] =
  "Host bastion\n"
  "  HostName 192.0.2.10\n"
  "  User jump\n"
  "  IdentityFile ~/.ssh/id_jump\n"
  "Host inner\n"
  "  HostName 10.0.0.5\n"
  "Host web*\n"
  "  ProxyJump bastion,admin@inner:2200\n";

static const char jump_inventory[] =
  "defaults:\n"
  "  user: deploy\n"
  "  known_hosts_file: fleet_known_hosts\n"
  "  become_password_secret: sudo\n"
  "  keepalive_count_max: 7\n"
  "hosts:\n"
  "  web1:\n"
  "  web2:\n"
  "  db1:\n";

/* A chain a,b makes the jump hosts a and a,b; each takes its settings from
 * the ssh_config first and from the inventory defaults second. */
static void
test_jump_chain (Fixture *fixture, gconstpointer data)
{
  g_autoptr(FleetPlan) plan = compile_and_plan (fixture, "{all: true}", jump_inventory,
                                                jump_config);
  g_autofree char *known_hosts = fixture_path (fixture, "fleet_known_hosts");
  g_autoptr(GBytes) bytes = NULL;
  g_autoptr(FleetPlan) read_back = NULL;
  g_autoptr(GError) error = NULL;
  const FleetHost *bastion, *inner;

  g_assert_nonnull (plan);
  assert_counts (fixture, 0, 0);
  g_assert_cmpstr (find_host (plan->hosts, "web1")->proxy_jump, ==, "bastion,admin@inner:2200");
  g_assert_cmpstr (find_host (plan->hosts, "web2")->proxy_jump, ==, "bastion,admin@inner:2200");
  g_assert_null (find_host (plan->hosts, "db1")->proxy_jump);

  g_assert_cmpuint (plan->jump_hosts->len, ==, 2);
  bastion = g_ptr_array_index (plan->jump_hosts, 0);
  inner = g_ptr_array_index (plan->jump_hosts, 1);

  g_assert_cmpstr (bastion->name, ==, "bastion");
  g_assert_cmpstr (bastion->address, ==, "192.0.2.10");
  g_assert_cmpstr (bastion->user, ==, "jump");
  g_assert_cmpuint (bastion->port, ==, 22);
  assert_strings (bastion->identity_files, (const char *[]) { "~/.ssh/id_jump", NULL });
  assert_strings (bastion->known_hosts_files, (const char *[]) { known_hosts, NULL });
  g_assert_cmpuint (bastion->keepalive_count_max, ==, 7);
  g_assert_null (bastion->become_password_secret);
  g_assert_null (bastion->proxy_jump);

  g_assert_cmpstr (inner->name, ==, "bastion,admin@inner:2200");
  g_assert_cmpstr (inner->address, ==, "10.0.0.5");
  g_assert_cmpstr (inner->user, ==, "admin");
  g_assert_cmpuint (inner->port, ==, 2200);
  g_assert_cmpstr (inner->proxy_jump, ==, "bastion");
  g_assert_cmpuint (g_hash_table_size (inner->attributes), ==, 0);

  /* The plan reader checks that every proxy_jump leads to a jump host. */
  bytes = fleet_plan_serialize (plan);
  read_back = fleet_plan_deserialize (bytes, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (read_back->jump_hosts->len, ==, 2);
}

static void
test_jump_hosts_of_selected_only (Fixture *fixture, gconstpointer data)
{
  g_autoptr(FleetPlan) plan = compile_and_plan (fixture, "{hosts: [db1]}", jump_inventory,
                                                jump_config);

  g_assert_nonnull (plan);
  g_assert_cmpuint (plan->jump_hosts->len, ==, 0);
  g_assert_cmpuint (fixture->workflow->inventory->jump_hosts->len, ==, 2);
}

/* A jump host that is an inventory host takes that host's settings, with
 * the user and port of the jump list on top. */
static void
test_jump_through_inventory_host (Fixture *fixture, gconstpointer data)
{
  g_autoptr(FleetPlan) plan = compile_and_plan (fixture, "{hosts: [web1, web2]}",
                                                "defaults: {user: deploy}\n"
                                                "hosts:\n"
                                                "  bastion: {address: 192.0.2.10, port: 2200}\n"
                                                "  web1: {proxy_jump: bastion}\n"
                                                "  web2: {proxy_jump: \"ops@bastion:2222\"}\n",
                                                "Host bastion\n"
                                                "  User ignored\n"
                                                "  IdentityFile ~/.ssh/id_bastion\n");
  const FleetHost *bastion, *ops;

  g_assert_nonnull (plan);
  assert_counts (fixture, 0, 0);
  g_assert_cmpuint (plan->hosts->len, ==, 2);
  g_assert_cmpuint (plan->jump_hosts->len, ==, 2);
  bastion = find_host (plan->jump_hosts, "bastion");
  ops = find_host (plan->jump_hosts, "ops@bastion:2222");

  g_assert_cmpstr (bastion->address, ==, "192.0.2.10");
  g_assert_cmpuint (bastion->port, ==, 2200);
  g_assert_cmpstr (bastion->user, ==, "deploy");
  assert_strings (bastion->identity_files, (const char *[]) { "~/.ssh/id_bastion", NULL });
  g_assert_cmpuint (bastion->groups->len, ==, 0);

  g_assert_cmpstr (ops->address, ==, "192.0.2.10");
  g_assert_cmpuint (ops->port, ==, 2222);
  g_assert_cmpstr (ops->user, ==, "ops");
  g_assert_cmpstr (find_host (plan->hosts, "web2")->proxy_jump, ==, "ops@bastion:2222");
}

/* A jump host's own rejected lines and unused keywords count when a
 * selected host goes through it. */
static void
test_jump_host_problems (Fixture *fixture, gconstpointer data)
{
  g_autofree char *config = fixture_path (fixture, "ssh_config");
  g_autofree char *warning = g_strdup_printf ("ssh_config keywords fleetc does not use: "
                                              "ForwardAgent (%s:2)", config);
  g_autoptr(FleetPlan) plan = compile_and_plan (fixture, "{hosts: [web1]}",
                                                "hosts:\n"
                                                "  web1: {proxy_jump: bastion}\n",
                                                "Host bastion\n"
                                                "  ForwardAgent yes\n"
                                                "  HostKeyAlias gateway\n");

  g_assert_null (plan);
  assert_counts (fixture, 1, 1);
  assert_diagnostic (fixture, 0, FLEET_SEVERITY_ERROR, "ssh_config", 3, 3,
                     "HostKeyAlias is not supported: fleet-run looks host keys up under the "
                     "host's address and port; remove it, or record the key under the address in "
                     "known_hosts (for jump host \"bastion\")");
  assert_diagnostic (fixture, 1, FLEET_SEVERITY_WARNING, "ssh_config", 2, 3, warning);
}

static void
test_jump_loop_in_ssh_config (Fixture *fixture, gconstpointer data)
{
  static const char config[] =
    "Host a\n"
    "  ProxyJump b\n"
    "Host b\n"
    "  ProxyJump a\n";
  g_autoptr(FleetPlan) plan = compile_and_plan (fixture, "{hosts: [web1]}",
                                                "hosts:\n"
                                                "  web1: {proxy_jump: a}\n"
                                                "  web2: {proxy_jump: b}\n",
                                                config);

  g_assert_null (plan);
  assert_counts (fixture, 1, 0);
  assert_diagnostic (fixture, 0, FLEET_SEVERITY_ERROR, "ssh_config", 4, 3,
                     "the jump hosts form a loop: web1 -> a -> b -> a; remove a proxy_jump or "
                     "ProxyJump on the way (for host \"web1\")");
  g_assert_null (inventory_host (fixture, "web1")->proxy_jump);
  g_assert_cmpuint (fixture->workflow->inventory->jump_hosts->len, ==, 0);
}

/* Inventory hosts that jump through each other, and a host that jumps
 * through itself, are loops too. */
static void
test_jump_loop_in_inventory (Fixture *fixture, gconstpointer data)
{
  g_autoptr(FleetPlan) plan = compile_and_plan (fixture, "{all: true}",
                                                "defaults: {proxy_jump: bastion}\n"
                                                "hosts:\n"
                                                "  bastion:\n"
                                                "  x: {proxy_jump: y}\n"
                                                "  y: {proxy_jump: x}\n",
                                                NULL);

  g_assert_null (plan);
  assert_counts (fixture, 3, 0);
  assert_diagnostic (fixture, 0, FLEET_SEVERITY_ERROR, "inventory.yaml", 1, 24,
                     "the jump hosts form a loop: bastion -> bastion -> bastion; remove a "
                     "proxy_jump or ProxyJump on the way (for host \"bastion\")");
  assert_diagnostic (fixture, 1, FLEET_SEVERITY_ERROR, "inventory.yaml", 4, 19,
                     "the jump hosts form a loop: x -> y -> x -> y; remove a proxy_jump or "
                     "ProxyJump on the way (for host \"x\")");
  assert_diagnostic (fixture, 2, FLEET_SEVERITY_ERROR, "inventory.yaml", 5, 19,
                     "the jump hosts form a loop: y -> x -> y -> x; remove a proxy_jump or "
                     "ProxyJump on the way (for host \"y\")");
}

/* Settings entries chosen by a selector */

static const char rules_inventory[] =
  "defaults:\n"
  "  user: default-user\n"
  "  connect_timeout: 5s\n"
  "settings:\n"
  "  - where: 'dc == \"fra\"'\n"
  "    proxy_jump: bastion-fra\n"
  "    user: ops\n"
  "  - where: 'dc == \"fra\" or name == \"ams1\" or groups contains \"lab\"'\n"
  "    user: second-user\n"
  "    port: 2202\n"
  "    connect_timeout: 7s\n"
  "hosts:\n"
  "  bastion-fra: {address: 192.0.2.100}\n"
  "  fra1: {attributes: {dc: fra}}\n"
  "  fra2: {user: own-user, attributes: {dc: fra}}\n"
  "  ams1: {attributes: {dc: ams}}\n"
  "  lab1: {}\n"
  "  other: {}\n"
  "groups:\n"
  "  lab: [lab1]\n";

/* For each setting: the host's own key, then the first entry that selects
 * the host and gives the setting, then `defaults`, then the ssh_config. */
static void
test_settings_rules_precedence (Fixture *fixture, gconstpointer data)
{
  g_autoptr(FleetPlan) plan = compile_and_plan (fixture, "{all: true}", rules_inventory,
                                                "Host *\n  User ssh-user\n  Port 2299\n");
  const FleetHost *fra1, *fra2, *ams1, *lab1, *other, *jump;

  g_assert_nonnull (plan);
  assert_counts (fixture, 0, 0);
  fra1 = find_host (plan->hosts, "fra1");
  fra2 = find_host (plan->hosts, "fra2");
  ams1 = find_host (plan->hosts, "ams1");
  lab1 = find_host (plan->hosts, "lab1");
  other = find_host (plan->hosts, "other");

  g_assert_cmpstr (fra1->user, ==, "ops");
  g_assert_cmpuint (fra1->port, ==, 2202);
  g_assert_cmpuint (fra1->connect_timeout_ms, ==, 7000);
  g_assert_cmpstr (fra1->proxy_jump, ==, "bastion-fra");

  g_assert_cmpstr (fra2->user, ==, "own-user");
  g_assert_cmpuint (fra2->port, ==, 2202);
  g_assert_cmpstr (fra2->proxy_jump, ==, "bastion-fra");

  g_assert_cmpstr (ams1->user, ==, "second-user");
  g_assert_cmpuint (ams1->port, ==, 2202);
  g_assert_cmpuint (ams1->connect_timeout_ms, ==, 7000);
  g_assert_null (ams1->proxy_jump);

  g_assert_cmpstr (lab1->user, ==, "second-user");
  g_assert_cmpuint (lab1->port, ==, 2202);

  g_assert_cmpstr (other->user, ==, "default-user");
  g_assert_cmpuint (other->port, ==, 2299);
  g_assert_cmpuint (other->connect_timeout_ms, ==, 5000);
  g_assert_null (other->proxy_jump);

  /* The jump host is an inventory host that no entry selects: it keeps
   * its own address and takes the defaults. */
  g_assert_cmpuint (plan->jump_hosts->len, ==, 1);
  jump = g_ptr_array_index (plan->jump_hosts, 0);
  g_assert_cmpstr (jump->name, ==, "bastion-fra");
  g_assert_cmpstr (jump->address, ==, "192.0.2.100");
  g_assert_cmpstr (jump->user, ==, "default-user");
}

/* The resolved values reach the plan file, which has no selector: a plan
 * read back has the same settings. */
static void
test_settings_rules_in_plan_file (Fixture *fixture, gconstpointer data)
{
  g_autoptr(FleetPlan) plan = compile_and_plan (fixture, "{hosts: [fra1]}", rules_inventory,
                                                NULL);
  g_autoptr(GBytes) bytes = NULL;
  g_autoptr(FleetPlan) read = NULL;
  g_autoptr(GError) error = NULL;
  const FleetHost *host;

  g_assert_nonnull (plan);
  bytes = fleet_plan_serialize (plan);
  read = fleet_plan_deserialize (bytes, &error);
  g_assert_no_error (error);
  g_assert_null (g_strstr_len (g_bytes_get_data (bytes, NULL), g_bytes_get_size (bytes),
                               "dc == "));

  host = find_host (read->hosts, "fra1");
  g_assert_cmpstr (host->user, ==, "ops");
  g_assert_cmpuint (host->port, ==, 2202);
  g_assert_cmpstr (host->proxy_jump, ==, "bastion-fra");
}

/* A selector that does not parse is an error at the character of the file
 * where it goes wrong. */
static void
test_settings_rules_bad_selector (Fixture *fixture, gconstpointer data)
{
  g_autoptr(FleetPlan) plan = compile_and_plan (fixture, "{all: true}",
                                                "settings:\n"
                                                "  - where: 'dc == \"fra\" and'\n"
                                                "    user: ops\n"
                                                "hosts:\n"
                                                "  fra1: {attributes: {dc: fra}}\n",
                                                NULL);
  const FleetDiagnostic *diagnostic;
  g_autofree char *path = fixture_path (fixture, "inventory.yaml");

  g_assert_null (plan);
  g_assert_cmpuint (fleet_diagnostics_error_count (fixture->diags), ==, 1);
  diagnostic = fleet_diagnostics_get (fixture->diags, 0);
  g_assert_cmpint (diagnostic->severity, ==, FLEET_SEVERITY_ERROR);
  g_assert_cmpstr (diagnostic->pos.file, ==, path);
  g_assert_cmpuint (diagnostic->pos.line, ==, 2);
  g_assert_cmpuint (diagnostic->pos.column, ==, 28);
  g_assert_cmpstr (diagnostic->message, ==, "invalid expression for \"where\": expected a "
                   "condition after 'and' at column 16, found end of expression");
}

/* A missing selector, a key the entries do not take and a value of the
 * wrong type are errors at their keys and values. */
static void
test_settings_rules_key_errors (Fixture *fixture, gconstpointer data)
{
  g_autoptr(FleetPlan) plan = compile_and_plan (fixture, "{all: true}",
                                                "settings:\n"
                                                "  - user: ops\n"
                                                "  - where: 'dc == \"fra\"'\n"
                                                "    address: 192.0.2.9\n"
                                                "  - where: 'true'\n"
                                                "    port: 70000\n"
                                                "  - ops\n"
                                                "hosts:\n"
                                                "  fra1: {attributes: {dc: fra}}\n",
                                                NULL);
  g_autofree char *path = fixture_path (fixture, "inventory.yaml");
  guint found = 0;

  g_assert_null (plan);
  g_assert_cmpuint (fleet_diagnostics_error_count (fixture->diags), ==, 4);
  for (guint i = 0; i < fleet_diagnostics_length (fixture->diags); i++)
    {
      const FleetDiagnostic *diagnostic = fleet_diagnostics_get (fixture->diags, i);

      g_assert_cmpstr (diagnostic->pos.file, ==, path);
      if (diagnostic->pos.line == 2 && diagnostic->pos.column == 5)
        found |= 1;
      if (diagnostic->pos.line == 4 && diagnostic->pos.column == 5)
        found |= 2;
      if (diagnostic->pos.line == 6 && diagnostic->pos.column == 11)
        found |= 4;
      if (diagnostic->pos.line == 7 && diagnostic->pos.column == 5)
        found |= 8;
    }
  g_assert_cmpuint (found, ==, 15);
}

/* A selector that fails on a host is an error naming the host; a name no
 * host has and an entry that selects nothing are warnings. */
static void
test_settings_rules_evaluation (Fixture *fixture, gconstpointer data)
{
  g_autoptr(FleetPlan) plan = compile_and_plan (fixture, "{all: true}",
                                                "settings:\n"
                                                "  - where: 'dcc == \"fra\"'\n"
                                                "    user: ops\n"
                                                "hosts:\n"
                                                "  fra1: {attributes: {dc: fra}}\n",
                                                NULL);

  g_assert_nonnull (plan);
  assert_counts (fixture, 0, 2);
  assert_diagnostic (fixture, 0, FLEET_SEVERITY_WARNING, "inventory.yaml", 2, 13,
                     "unknown attribute \"dcc\" in settings[1].where: no host of the inventory "
                     "has it, so every comparison with it is false; did you mean \"dc\"?");
  assert_diagnostic (fixture, 1, FLEET_SEVERITY_WARNING, "inventory.yaml", 2, 12,
                     "settings entry 1 selects no host of this inventory; check its selector");
  g_clear_pointer (&plan, fleet_plan_free);

  reset_diagnostics (fixture);
  plan = compile_and_plan (fixture, "{all: true}",
                           "settings:\n"
                           "  - where: 'name > 3'\n"
                           "    user: ops\n"
                           "hosts:\n"
                           "  fra1: {}\n",
                           NULL);
  g_assert_null (plan);
  assert_counts (fixture, 1, 0);
  g_assert_true (g_str_has_prefix (fleet_diagnostics_get (fixture->diags, 0)->message,
                                   "the selector of settings entry 1 fails on host \"fra1\": "));
}

static void
add_test (const char *path, void (*test) (Fixture *, gconstpointer))
{
  g_test_add (path, Fixture, NULL, fixture_set_up, test, fixture_tear_down);
}

int
main (int argc, char **argv)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *home = g_dir_make_tmp ("test-host-settings-home-XXXXXX", &error);
  int status;

  g_assert_no_error (error);
  g_setenv ("HOME", home, TRUE);
  g_test_init (&argc, &argv, NULL);

  add_test ("/host-settings/precedence", test_precedence);
  add_test ("/host-settings/no-ssh-config", test_no_ssh_config);
  add_test ("/host-settings/path-tokens", test_path_tokens);
  add_test ("/host-settings/digest-and-sources", test_digest_and_sources);
  add_test ("/host-settings/inventory/keys", test_inventory_keys);
  add_test ("/host-settings/inventory/key-errors", test_inventory_key_errors);
  add_test ("/host-settings/problems/rejected-selected-only", test_rejected_for_selected_only);
  add_test ("/host-settings/problems/replaced-by-inventory", test_rejected_replaced_by_inventory);
  add_test ("/host-settings/problems/grouped", test_rejected_grouped);
  add_test ("/host-settings/problems/unused-keywords", test_unused_keywords_warned);
  add_test ("/host-settings/problems/accept-new-dev-null", test_accept_new_needs_known_hosts);
  add_test ("/host-settings/jump/chain", test_jump_chain);
  add_test ("/host-settings/jump/selected-only", test_jump_hosts_of_selected_only);
  add_test ("/host-settings/jump/inventory-host", test_jump_through_inventory_host);
  add_test ("/host-settings/jump/problems", test_jump_host_problems);
  add_test ("/host-settings/jump/loop-in-ssh-config", test_jump_loop_in_ssh_config);
  add_test ("/host-settings/jump/loop-in-inventory", test_jump_loop_in_inventory);
  add_test ("/host-settings/rules/precedence", test_settings_rules_precedence);
  add_test ("/host-settings/rules/plan-file", test_settings_rules_in_plan_file);
  add_test ("/host-settings/rules/bad-selector", test_settings_rules_bad_selector);
  add_test ("/host-settings/rules/key-errors", test_settings_rules_key_errors);
  add_test ("/host-settings/rules/evaluation", test_settings_rules_evaluation);

  status = g_test_run ();
  fleet_test_remove_tree (home);
  return status;
}
