/* test-baseline.c: baseline files, the check of snapshots against them,
 * and their plan form. */
#include <string.h>

#include "compiler/baseline-parser.h"
#include "compiler/yaml-tree.h"
#include "schema/fleet-baseline.h"
#include "schema/fleet-snapshot-collect.h"
#include "schema/fleet-snapshot-config.h"

#define FILE_SHA "9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08"

/* A Debian host as collector version 2 prints it. */
static const char debian_host[] =
  "fleet-collector 1\n"
  "H collector fleet-snapshot-collector/2\n"
  "H os-family debian\n"
  "A os\n"
  "I os VERSION_ID 12\n"
  "A packages\n"
  "I packages openssh-server:amd64 1:9.2p1-2+deb12u3\n"
  "I packages openssl:amd64 3.0.15-1~deb12u1\n"
  "I packages telnetd:amd64 0.17+2.4-2\n"
  "A services\n"
  "I services ssh.service active running enabled\n"
  "I services nginx.service inactive dead disabled\n"
  "I services getty@tty1.service active running -\n"
  "A sysctl\n"
  "I sysctl net.ipv4.ip_forward 0\n"
  "I sysctl net.ipv4.ip_local_port_range 32768\t60999\n"
  "A files\n"
  "F 2f6574632f7373682f737368645f636f6e666967 " FILE_SHA " 100600 root:root 3400 -\n"
  "F 2f6574632f6d6f7464 " FILE_SHA " 100644 root:root 10 -\n"
  "F 2f6574632f6c6f63616c74696d65 - 120777 root:root 33 2f7573722f73686172652f7a6f6e65696e666f2f555443\n"
  "U ports ss and netstat not found\n"
  "end\n";

static FleetSnapshot *
parse_host (const char *text)
{
  g_autoptr (GError) error = NULL;
  FleetSnapshot *snapshot = fleet_snapshot_parse_collector (text, strlen (text), "fixture",
                                                            &error);

  g_assert_no_error (error);
  return snapshot;
}

/* Parse `text` as a baseline file named "base.yaml"; `diags` receives the
 * problems. */
static FleetBaseline *
parse_baseline (const char *text, FleetDiagnostics *diags)
{
  const char *file = g_intern_static_string ("base.yaml");
  g_autoptr (FleetYamlDocument) document = NULL;

  fleet_diagnostics_add_source (diags, file, text, strlen (text));
  document = fleet_yaml_parse (file, text, strlen (text), diags);
  g_assert_nonnull (document);
  return fleet_parse_baseline (diags, fleet_yaml_document_root (document), "base.yaml");
}

static FleetBaseline *
parse_valid_baseline (const char *text)
{
  g_autoptr (FleetDiagnostics) diags = fleet_diagnostics_new ();
  FleetBaseline *baseline = parse_baseline (text, diags);

  if (baseline == NULL)
    {
      g_autofree char *report = fleet_diagnostics_format (diags);

      g_error ("baseline rejected:\n%s", report);
    }
  return baseline;
}

/* Return the violations as text lines, without the rule origins. */
static char *
check_text (const char *baseline_text, const char *host_text)
{
  g_autoptr (FleetBaseline) baseline = parse_valid_baseline (baseline_text);
  g_autoptr (FleetSnapshot) snapshot = parse_host (host_text);
  g_autoptr (GPtrArray) violations = fleet_baseline_check (baseline, snapshot);
  GString *out = g_string_new (NULL);

  for (guint i = 0; i < violations->len; i++)
    {
      FleetBaselineViolation *violation = g_ptr_array_index (violations, i);

      g_clear_pointer (&violation->origin, g_free);
    }
  fleet_baseline_violations_append_text (violations, "", out);
  return g_string_free (out, FALSE);
}

static void
test_parse_rules (void)
{
  g_autoptr (FleetBaseline) baseline = parse_valid_baseline (
    "name: web hardening\n"
    "packages:\n"
    "  openssh-server: present\n"
    "  openssl: 3.0.15-1~deb12u1\n"
    "  telnetd: absent\n"
    "files:\n"
    "  /etc/ssh/sshd_config: {sha256: " FILE_SHA ", mode: \"0600\", owner: root:root}\n"
    "services:\n"
    "  ssh.service: {enabled: true, active: true}\n"
    "sysctl:\n"
    "  net.ipv4.ip_forward: 0\n");
  const FleetBaselineRule *rule;

  g_assert_cmpstr (baseline->name, ==, "web hardening");
  g_assert_cmpuint (baseline->rules->len, ==, 6);

  rule = g_ptr_array_index (baseline->rules, 1);
  g_assert_cmpint (rule->category, ==, FLEET_SNAPSHOT_PACKAGES);
  g_assert_cmpstr (rule->pattern, ==, "openssl");
  g_assert_cmpstr (rule->value, ==, "3.0.15-1~deb12u1");
  g_assert_cmpstr (rule->origin, ==, "base.yaml:4:3");

  rule = g_ptr_array_index (baseline->rules, 2);
  g_assert_cmpint (rule->state, ==, FLEET_BASELINE_ABSENT);

  rule = g_ptr_array_index (baseline->rules, 3);
  g_assert_cmpstr (rule->sha256, ==, FILE_SHA);
  g_assert_cmpstr (rule->mode, ==, "0600");
  g_assert_cmpstr (rule->owner, ==, "root:root");
  g_assert_null (rule->link);

  rule = g_ptr_array_index (baseline->rules, 4);
  g_assert_cmpint (rule->enabled, ==, FLEET_BASELINE_YES);
  g_assert_cmpint (rule->active, ==, FLEET_BASELINE_YES);

  rule = g_ptr_array_index (baseline->rules, 5);
  g_assert_cmpstr (rule->value, ==, "0");

  g_assert_cmpuint (fleet_baseline_categories (baseline), ==,
                    1u << FLEET_SNAPSHOT_PACKAGES | 1u << FLEET_SNAPSHOT_FILES
                    | 1u << FLEET_SNAPSHOT_SERVICES | 1u << FLEET_SNAPSHOT_SYSCTL);
}

typedef struct {
  const char *text;
  const char *position;      /* "LINE:COLUMN" of the first error */
  const char *message;       /* part of the first error's message */
} RejectedCase;

static void
test_parse_rejects (void)
{
  static const RejectedCase cases[] = {
    { "- packages\n", "1:1", "expected a mapping of categories, found a list" },
    { "packagse:\n  a: present\n", "1:1", "unknown key \"packagse\" in baseline" },
    { "packages: [a, b]\n", "1:11", "expected a mapping of item keys to rules" },
    { "files:\n  /etc/x: {sha256: abc}\n", "2:20", "expected 64 hex digits" },
    { "files:\n  /etc/x: {mode: 999}\n", "2:18", "expected octal permission bits" },
    { "files:\n  /etc/x: {owner: root}\n", "2:19", "expected user:group" },
    { "files:\n  /etc/x: 0644\n", "2:11", "use present, absent or a mapping of checks" },
    { "services:\n  ssh.service: {enabled: yes}\n", "2:26", "expected true or false" },
    { "services:\n  ssh.service: {sha256: x}\n", "2:17", "unknown check \"sha256\" for services" },
    { "packages:\n  a: {state: absent, version: '1'}\n", "2:6", "state absent cannot check" },
    { "packages:\n  a: {state: gone}\n", "2:14", "use present or absent" },
    { "packages:\n  a: [1]\n", "2:6", "found a list" },
    { "packages:\n  'a\\': present\n", "2:3", "invalid pattern" },
    { "name: x\n", "1:1", "baseline has no rules" },
  };

  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autoptr (FleetDiagnostics) diags = fleet_diagnostics_new ();
      g_autoptr (FleetBaseline) baseline = NULL;
      const FleetDiagnostic *first;
      g_autofree char *position = NULL;

      g_test_message ("case %u: %s", i, cases[i].text);
      baseline = parse_baseline (cases[i].text, diags);
      g_assert_null (baseline);
      g_assert_cmpuint (fleet_diagnostics_length (diags), >, 0);
      first = fleet_diagnostics_get (diags, 0);
      position = g_strdup_printf ("%u:%u", first->pos.line, first->pos.column);
      g_assert_cmpstr (position, ==, cases[i].position);
      g_assert_cmpstr (first->pos.file, ==, "base.yaml");
      if (strstr (first->message, cases[i].message) == NULL)
        g_error ("case %u: message \"%s\" lacks \"%s\"", i, first->message, cases[i].message);
    }
}

static void
test_parse_reports_every_error (void)
{
  g_autoptr (FleetDiagnostics) diags = fleet_diagnostics_new ();
  g_autoptr (FleetBaseline) baseline = parse_baseline (
    "files:\n"
    "  /a: {mode: 8}\n"
    "  /b: {owner: x}\n"
    "services:\n"
    "  c: {active: 1}\n", diags);

  g_assert_null (baseline);
  g_assert_cmpuint (fleet_diagnostics_error_count (diags), ==, 3);
}

static void
test_parse_file_errors (void)
{
  g_autoptr (FleetDiagnostics) diags = fleet_diagnostics_new ();
  g_autoptr (FleetBaseline) baseline = NULL;

  baseline = fleet_parse_baseline_file (diags, "/nonexistent/baseline.yaml", NULL);
  g_assert_null (baseline);
  g_assert_cmpuint (fleet_diagnostics_error_count (diags), ==, 1);
  g_assert_nonnull (strstr (fleet_diagnostics_get (diags, 0)->message, "baseline"));
}

static void
test_check_compliant (void)
{
  g_autofree char *text = check_text (
    "packages:\n"
    "  openssh-server: present\n"
    "  openssl: 3.0.15-1~deb12u1\n"
    "  openssh-server:amd64: '1:9.2p1-2+deb12u3'\n"
    "  'telnet-*': absent\n"
    "files:\n"
    "  /etc/ssh/sshd_config: {sha256: " FILE_SHA ", mode: \"0600\", owner: root:root}\n"
    "  /etc/localtime: {link: /usr/share/zoneinfo/UTC}\n"
    "  /etc/hosts.equiv: absent\n"
    "services:\n"
    "  ssh.service: {enabled: true, active: true}\n"
    "  nginx.service: {enabled: false, active: false}\n"
    "sysctl:\n"
    "  net.ipv4.ip_forward: 0\n"
    "  net.ipv4.ip_local_port_range: 32768 60999\n"
    "os:\n"
    "  VERSION_ID: 12\n", debian_host);

  g_assert_cmpstr (text, ==, "");
}

static void
test_check_violations (void)
{
  g_autofree char *text = check_text (
    "packages:\n"
    "  openssl: 3.0.16-1\n"
    "  telnetd: absent\n"
    "  auditd: present\n"
    "files:\n"
    "  /etc/ssh/sshd_config: {sha256: " FILE_SHA ", mode: \"0644\", owner: root:ssh}\n"
    "  /etc/motd: absent\n"
    "  /etc/localtime: {link: /usr/share/zoneinfo/Europe/Berlin}\n"
    "services:\n"
    "  nginx.service: {enabled: true, active: true}\n"
    "  getty@tty1.service: {enabled: true}\n"
    "  cups.service: absent\n"
    "sysctl:\n"
    "  net.ipv4.ip_forward: 1\n"
    "ports:\n"
    "  tcp/0.0.0.0:22: present\n", debian_host);

  g_assert_cmpstr (text, ==,
                   "packages openssl:amd64: version is 3.0.15-1~deb12u1, baseline requires 3.0.16-1\n"
                   "packages telnetd:amd64: state is present, baseline requires absent\n"
                   "packages auditd: state missing, baseline requires present\n"
                   "files /etc/ssh/sshd_config: mode is 0600, baseline requires 0644\n"
                   "files /etc/ssh/sshd_config: owner is root:root, baseline requires root:ssh\n"
                   "files /etc/motd: state is present, baseline requires absent\n"
                   "files /etc/localtime: link is /usr/share/zoneinfo/UTC, baseline requires "
                   "/usr/share/zoneinfo/Europe/Berlin\n"
                   "services nginx.service: active is inactive, baseline requires active\n"
                   "services nginx.service: enabled is disabled, baseline requires enabled\n"
                   "services getty@tty1.service: enabled missing, baseline requires enabled\n"
                   "sysctl net.ipv4.ip_forward: value is 0, baseline requires 1\n"
                   "ports tcp/0.0.0.0:22: not checked because the category is unavailable: "
                   "ss and netstat not found\n");
}

/* The key printed is the item's: a glob rule reports each matching item. */
static void
test_check_globs (void)
{
  g_autofree char *absent = check_text ("packages:\n  'open*': absent\n", debian_host);
  g_autofree char *files = check_text ("files:\n  '/etc/**': {owner: nobody:nogroup}\n",
                                       debian_host);
  g_autofree char *single = check_text ("files:\n  '/*': present\n", debian_host);

  g_assert_cmpstr (absent, ==,
                   "packages openssh-server:amd64: state is present, baseline requires absent\n"
                   "packages openssl:amd64: state is present, baseline requires absent\n");
  g_assert_nonnull (strstr (files, "files /etc/localtime: owner is root:root"));
  g_assert_nonnull (strstr (files, "files /etc/motd: owner is root:root"));
  g_assert_nonnull (strstr (files, "files /etc/ssh/sshd_config: owner is root:root"));
  g_assert_cmpstr (single, ==, "files /*: state missing, baseline requires present\n");
}

/* rpm lists install-only packages with every version, epochs included. */
static void
test_check_rpm_versions (void)
{
  static const char rhel_host[] =
    "fleet-collector 1\n"
    "H os-family rhel\n"
    "A packages\n"
    "I packages kernel.x86_64 0:5.14.0-427.40.1.el9_4,0:5.14.0-427.42.1.el9_4\n"
    "I packages python3.11.x86_64 0:3.11.7-1.el9\n"
    "end\n";
  g_autofree char *compliant = check_text ("packages:\n"
                                           "  kernel: 5.14.0-427.42.1.el9_4\n"
                                           "  python3.11: 3.11.7-1.el9\n", rhel_host);
  g_autofree char *wrong = check_text ("packages:\n  python3: present\n", rhel_host);

  g_assert_cmpstr (compliant, ==, "");
  g_assert_cmpstr (wrong, ==, "packages python3: state missing, baseline requires present\n");
}

/* Service items of other managers, and of collector version 1. */
static void
test_check_service_managers (void)
{
  static const char alpine_host[] =
    "fleet-collector 1\n"
    "A services\n"
    "I services sshd default\n"
    "I services crond disabled\n"
    "end\n";
  static const char old_host[] =
    "fleet-collector 1\n"
    "A services\n"
    "I services ssh.service active running\n"
    "end\n";
  g_autofree char *alpine = check_text ("services:\n"
                                        "  sshd: {enabled: true}\n"
                                        "  crond: {enabled: true, active: true}\n", alpine_host);
  g_autofree char *old = check_text ("services:\n"
                                     "  ssh.service: {enabled: true, active: true}\n", old_host);

  g_assert_cmpstr (alpine, ==,
                   "services crond: active missing, baseline requires active\n"
                   "services crond: enabled is disabled, baseline requires enabled\n");
  g_assert_cmpstr (old, ==, "services ssh.service: enabled missing, baseline requires enabled\n");
}

static void
test_check_not_collected (void)
{
  g_autofree char *text = check_text ("users:\n  games: absent\n", debian_host);

  g_assert_cmpstr (text, ==, "users games: not checked because the category is unavailable: "
                             "not collected\n");
}

static void
test_violation_text_escapes (void)
{
  static const char host[] =
    "fleet-collector 1\n"
    "A facts\n"
    "X facts 6d6f7464 6c696e65310a1b5b33316d\n"
    "end\n";
  g_autofree char *text = check_text ("facts:\n  motd: hello\n", host);

  g_assert_cmpstr (text, ==, "facts motd: value is line1\\x0a\\x1b[31m, baseline requires hello\n");
}

static void
test_file_paths (void)
{
  g_autoptr (FleetBaseline) baseline = parse_valid_baseline (
    "files:\n"
    "  /etc/ssh/sshd_config: present\n"
    "  '/etc/ssh/*.conf': present\n"
    "  '/etc/nginx/**': present\n"
    "  '/etc/ssh/sshd_config': {mode: '0600'}\n"
    "  '/srv/a\\*b': present\n"
    "  '/*.conf': present\n"
    "packages:\n"
    "  a: present\n");
  g_autoptr (GPtrArray) paths = fleet_baseline_file_paths (baseline);

  g_assert_cmpuint (paths->len, ==, 5);
  g_assert_cmpstr (g_ptr_array_index (paths, 0), ==, "/");
  g_assert_cmpstr (g_ptr_array_index (paths, 1), ==, "/etc/nginx");
  g_assert_cmpstr (g_ptr_array_index (paths, 2), ==, "/etc/ssh");
  g_assert_cmpstr (g_ptr_array_index (paths, 3), ==, "/etc/ssh/sshd_config");
  g_assert_cmpstr (g_ptr_array_index (paths, 4), ==, "/srv/a*b");
}

static void
test_variant_round_trip (void)
{
  g_autoptr (FleetBaseline) baseline = parse_valid_baseline (
    "name: round trip\n"
    "packages: {openssl: 3.0.15-1~deb12u1, telnetd: absent}\n"
    "files:\n"
    "  /etc/ssh/sshd_config: {sha256: " FILE_SHA ", mode: \"0600\", owner: root:root}\n"
    "  /etc/localtime: {link: /usr/share/zoneinfo/UTC}\n"
    "services: {ssh.service: {enabled: true, active: false}}\n");
  g_autoptr (FleetSnapshotConfig) config = fleet_snapshot_config_new ();
  g_autoptr (FleetSnapshotConfig) read_back = NULL;
  g_autoptr (GVariant) variant = NULL;
  g_autoptr (GVariant) again = NULL;
  g_autoptr (GError) error = NULL;
  const FleetBaselineRule *rule;

  config->baseline = fleet_baseline_copy (baseline);
  config->drift = FLEET_SNAPSHOT_DRIFT_LATEST;
  config->on_drift = FLEET_SNAPSHOT_ON_UNEXPECTED_HALT;
  variant = g_variant_ref_sink (fleet_snapshot_config_to_variant (config));
  read_back = fleet_snapshot_config_from_variant (variant, &error);
  g_assert_no_error (error);
  g_assert_cmpint (read_back->drift, ==, FLEET_SNAPSHOT_DRIFT_LATEST);
  g_assert_cmpint (read_back->on_drift, ==, FLEET_SNAPSHOT_ON_UNEXPECTED_HALT);
  g_assert_nonnull (read_back->baseline);
  g_assert_cmpstr (read_back->baseline->name, ==, "round trip");
  g_assert_cmpuint (read_back->baseline->rules->len, ==, 5);
  rule = g_ptr_array_index (read_back->baseline->rules, 2);
  g_assert_cmpstr (rule->sha256, ==, FILE_SHA);
  g_assert_cmpstr (rule->origin, ==, "base.yaml:4:3");
  rule = g_ptr_array_index (read_back->baseline->rules, 4);
  g_assert_cmpint (rule->enabled, ==, FLEET_BASELINE_YES);
  g_assert_cmpint (rule->active, ==, FLEET_BASELINE_NO);

  again = g_variant_ref_sink (fleet_snapshot_config_to_variant (read_back));
  g_assert_true (g_variant_equal (variant, again));
}

/* Plans without drift keys read as before; damaged keys are rejected. */
static void
test_variant_optional_and_invalid (void)
{
  g_autoptr (FleetSnapshotConfig) config = fleet_snapshot_config_new ();
  g_autoptr (FleetSnapshotConfig) read_back = NULL;
  g_autoptr (GVariant) plain = g_variant_ref_sink (fleet_snapshot_config_to_variant (config));
  g_autoptr (GError) error = NULL;
  GVariantDict dict;
  g_autoptr (GVariant) damaged = NULL;
  g_autoptr (GVariant) bad_rule = NULL;
  GVariantBuilder rules;
  GVariantBuilder rule;
  GVariantBuilder baseline;

  g_assert_null (g_variant_lookup_value (plain, "drift", NULL));
  g_assert_null (g_variant_lookup_value (plain, "baseline", NULL));
  read_back = fleet_snapshot_config_from_variant (plain, &error);
  g_assert_no_error (error);
  g_assert_cmpint (read_back->drift, ==, FLEET_SNAPSHOT_DRIFT_NONE);
  g_assert_null (read_back->baseline);
  g_clear_pointer (&read_back, fleet_snapshot_config_free);

  g_variant_dict_init (&dict, plain);
  g_variant_dict_insert (&dict, "drift", "s", "yesterday");
  damaged = g_variant_ref_sink (g_variant_dict_end (&dict));
  read_back = fleet_snapshot_config_from_variant (damaged, &error);
  g_assert_null (read_back);
  g_assert_error (error, FLEET_SNAPSHOT_ERROR, FLEET_SNAPSHOT_ERROR_INVALID);
  g_assert_nonnull (strstr (error->message, "yesterday"));
  g_clear_error (&error);

  g_variant_builder_init (&rule, G_VARIANT_TYPE ("a{sv}"));
  g_variant_builder_add (&rule, "{sv}", "category", g_variant_new_string ("files"));
  g_variant_builder_add (&rule, "{sv}", "pattern", g_variant_new_string ("/etc/x"));
  g_variant_builder_add (&rule, "{sv}", "state", g_variant_new_string ("present"));
  g_variant_builder_add (&rule, "{sv}", "mode", g_variant_new_string ("0999"));
  g_variant_builder_init (&rules, G_VARIANT_TYPE ("aa{sv}"));
  g_variant_builder_add_value (&rules, g_variant_builder_end (&rule));
  g_variant_builder_init (&baseline, G_VARIANT_TYPE ("a{sv}"));
  g_variant_builder_add (&baseline, "{sv}", "name", g_variant_new_string ("x"));
  g_variant_builder_add (&baseline, "{sv}", "rules", g_variant_builder_end (&rules));
  g_variant_dict_init (&dict, plain);
  g_variant_dict_insert_value (&dict, "baseline", g_variant_builder_end (&baseline));
  bad_rule = g_variant_ref_sink (g_variant_dict_end (&dict));
  read_back = fleet_snapshot_config_from_variant (bad_rule, &error);
  g_assert_null (read_back);
  g_assert_error (error, FLEET_SNAPSHOT_ERROR, FLEET_SNAPSHOT_ERROR_INVALID);
  g_assert_nonnull (strstr (error->message, "baseline rule 1: invalid mode \"0999\""));
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/baseline/parse/rules", test_parse_rules);
  g_test_add_func ("/baseline/parse/rejects", test_parse_rejects);
  g_test_add_func ("/baseline/parse/every-error", test_parse_reports_every_error);
  g_test_add_func ("/baseline/parse/file-errors", test_parse_file_errors);
  g_test_add_func ("/baseline/check/compliant", test_check_compliant);
  g_test_add_func ("/baseline/check/violations", test_check_violations);
  g_test_add_func ("/baseline/check/globs", test_check_globs);
  g_test_add_func ("/baseline/check/rpm-versions", test_check_rpm_versions);
  g_test_add_func ("/baseline/check/service-managers", test_check_service_managers);
  g_test_add_func ("/baseline/check/not-collected", test_check_not_collected);
  g_test_add_func ("/baseline/check/escapes", test_violation_text_escapes);
  g_test_add_func ("/baseline/file-paths", test_file_paths);
  g_test_add_func ("/baseline/variant/round-trip", test_variant_round_trip);
  g_test_add_func ("/baseline/variant/optional-and-invalid", test_variant_optional_and_invalid);

  return g_test_run ();
}
