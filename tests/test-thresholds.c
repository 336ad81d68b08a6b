/* test-thresholds.c: the arithmetic of halt_at thresholds. */
#include "schema/fleet-threshold.h"

static FleetThreshold
parse (const char *text)
{
  FleetThreshold threshold = { 0 };

  g_assert_true (fleet_threshold_from_string (text, &threshold));
  return threshold;
}

static void
test_resolve_table (void)
{
  const struct {
    const char *rule;
    guint32 n_hosts;
    guint32 expected;
  } cases[] = {
    { "1", 1, 1 },
    { "3", 10, 3 },
    /* A count is kept as written, even above the number of hosts. */
    { "5", 3, 5 },
    { "50%", 4, 2 },
    { "49%", 4, 1 },
    { "30%", 7, 2 },
    { "99%", 1, 1 },
    { "10%", 1, 1 },
    { "100%", 10, 10 },
    { "100%", 1, 1 },
    { "1%", 1000, 10 },
    { "1%", 199, 1 },
    { "5%", 60, 3 },
    { "25%", 0, 1 },
    /* 100 * G_MAXUINT32 does not overflow. */
    { "100%", G_MAXUINT32, G_MAXUINT32 },
    { "unlimited", 10, FLEET_THRESHOLD_NEVER },
  };

  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      FleetThreshold threshold = parse (cases[i].rule);

      g_test_message ("%s of %u hosts", cases[i].rule, cases[i].n_hosts);
      g_assert_cmpuint (fleet_threshold_resolve (&threshold, cases[i].n_hosts), ==,
                        cases[i].expected);
    }
}

static void
test_parse_strict (void)
{
  const char *valid[] = { "1", "4294967295", "1%", "100%", "unlimited" };
  const char *invalid[] = { "0", "0%", "101%", "01", "-1", "+1", "1.5%", "", "%", "4294967296",
                            " 1", "1 ", "UNLIMITED", "never", "12345678901" };

  for (guint i = 0; i < G_N_ELEMENTS (valid); i++)
    {
      FleetThreshold threshold = parse (valid[i]);
      g_autofree char *text = fleet_threshold_to_string (&threshold);

      g_assert_cmpstr (text, ==, valid[i]);
    }

  for (guint i = 0; i < G_N_ELEMENTS (invalid); i++)
    {
      FleetThreshold threshold = { FLEET_THRESHOLD_COUNT, 7 };

      g_test_message ("\"%s\"", invalid[i]);
      g_assert_false (fleet_threshold_from_string (invalid[i], &threshold));
      g_assert_cmpint (threshold.kind, ==, FLEET_THRESHOLD_COUNT);
      g_assert_cmpuint (threshold.value, ==, 7);
    }
}

static void
test_raised_to_one (void)
{
  FleetThreshold ninety_nine = parse ("99%");
  FleetThreshold fifty = parse ("50%");
  FleetThreshold one = parse ("1");

  g_assert_true (fleet_threshold_is_raised_to_one (&ninety_nine, 1));
  g_assert_false (fleet_threshold_is_raised_to_one (&ninety_nine, 2));
  g_assert_true (fleet_threshold_is_raised_to_one (&fifty, 1));
  /* 50% of 2 is exactly one host, with no rounding. */
  g_assert_false (fleet_threshold_is_raised_to_one (&fifty, 2));
  g_assert_false (fleet_threshold_is_raised_to_one (&one, 1));
}

static void
test_rules_and_defaults (void)
{
  FleetThreshold failed_per_wave = fleet_halt_rule_default (FLEET_HALT_FAILED_PER_WAVE);
  FleetThreshold unreachable_per_wave = fleet_halt_rule_default (FLEET_HALT_UNREACHABLE_PER_WAVE);
  FleetThreshold failed_total = fleet_halt_rule_default (FLEET_HALT_FAILED_TOTAL);
  FleetThreshold unreachable_total = fleet_halt_rule_default (FLEET_HALT_UNREACHABLE_TOTAL);

  g_assert_cmpstr (fleet_halt_rule_name (FLEET_HALT_FAILED_PER_WAVE), ==, "failed_per_wave");
  g_assert_cmpstr (fleet_halt_rule_name (FLEET_HALT_UNREACHABLE_TOTAL), ==, "unreachable_total");
  g_assert_true (fleet_halt_rule_is_per_wave (FLEET_HALT_UNREACHABLE_PER_WAVE));
  g_assert_false (fleet_halt_rule_is_per_wave (FLEET_HALT_FAILED_TOTAL));
  g_assert_true (fleet_halt_rule_counts_unreachable (FLEET_HALT_UNREACHABLE_TOTAL));
  g_assert_false (fleet_halt_rule_counts_unreachable (FLEET_HALT_FAILED_PER_WAVE));

  /* Any failure halts after its wave, as before halt_at existed. */
  g_assert_cmpuint (fleet_threshold_resolve (&failed_per_wave, 50), ==, 1);
  g_assert_cmpuint (fleet_threshold_resolve (&unreachable_per_wave, 50), ==, 1);
  g_assert_cmpuint (fleet_threshold_resolve (&failed_total, 50), ==, FLEET_THRESHOLD_NEVER);
  g_assert_cmpuint (fleet_threshold_resolve (&unreachable_total, 50), ==, FLEET_THRESHOLD_NEVER);
}

/* The arithmetic cases of failure thresholds in rolling upgrades: each row
 * is a rule, a wave size, a number of failures in the wave, and whether
 * the run halts (failures >= T). */
static void
test_rolling_upgrade_cases (void)
{
  const struct {
    const char *name;
    const char *rule;
    guint32 n_hosts;
    guint failures;
    gboolean halts;
  } cases[] = {
    /* Every host of a wave of 10 fails under "100%": T = 10 is reached. */
    { "whole wave fails", "100%", 10, 10, TRUE },
    { "all but one fail", "100%", 10, 9, FALSE },
    /* Half of a wave of 4: reaching 50% halts. */
    { "threshold equal", "50%", 4, 2, TRUE },
    /* Tolerating half of a wave of 4 needs T = 3. */
    { "tolerate half", "3", 4, 2, FALSE },
    { "just below half", "49%", 4, 2, TRUE },
    { "just below half, one failure", "49%", 4, 1, TRUE },
    /* Waves of one host: any percentage halts at the first failure. */
    { "single host, 99%", "99%", 1, 1, TRUE },
    /* 30% of 7 is 2.1 hosts: T = 2, rounded toward halting. */
    { "rounding, 2 of 7", "30%", 7, 2, TRUE },
    { "rounding, 1 of 7", "30%", 7, 1, FALSE },
    /* Tolerating 30% of 7 as "exceeded" rules do needs T = 3. */
    { "tolerate 30% of 7", "3", 7, 2, FALSE },
    { "tolerate 30% of 7, reached", "3", 7, 3, TRUE },
    /* An explicit 1 halts at the first failure; unlimited never does. */
    { "explicit one", "1", 3, 1, TRUE },
    { "unlimited", "unlimited", 3, 3, FALSE },
  };

  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      FleetThreshold threshold = parse (cases[i].rule);
      guint32 resolved = fleet_threshold_resolve (&threshold, cases[i].n_hosts);
      gboolean halts = resolved != FLEET_THRESHOLD_NEVER && cases[i].failures >= resolved;

      g_test_message ("%s: %s of %u, %u failed, T = %u", cases[i].name, cases[i].rule,
                      cases[i].n_hosts, cases[i].failures, resolved);
      g_assert_cmpint (halts, ==, cases[i].halts);
    }
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/thresholds/resolve-table", test_resolve_table);
  g_test_add_func ("/thresholds/parse-strict", test_parse_strict);
  g_test_add_func ("/thresholds/raised-to-one", test_raised_to_one);
  g_test_add_func ("/thresholds/rules-and-defaults", test_rules_and_defaults);
  g_test_add_func ("/thresholds/rolling-upgrade-cases", test_rolling_upgrade_cases);

  return g_test_run ();
}
