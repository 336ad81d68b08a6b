/* fleet-baseline.h: a baseline of desired configuration, and the check of a
 * snapshot against it.
 *
 * A baseline is a list of rules.  Each rule names a category and a glob
 * over the item keys of that category (the syntax of fleet-snapshot-diff.h:
 * "*" stops at "/", "**" does not).  A rule whose state is ABSENT is
 * violated by every item that matches.  A PRESENT rule is violated when no
 * item matches, and by every matching item that fails one of the rule's
 * checks: the item's value, a file's SHA-256, permission bits, owner or
 * link target, a service's enabled or active state.
 *
 * Package keys carry the architecture ("openssl:amd64" from dpkg,
 * "openssl.x86_64" from rpm); a package rule matches the key with or
 * without it.  A package version matches the item's value, any one of the
 * comma-separated versions rpm lists for an install-only package, or that
 * version with the epoch "0:" left out.  Values are compared with runs of
 * blanks taken as one space, because sysctl prints tabs between the fields
 * of one value.
 *
 * A rule whose category was not collected, or is unavailable on the host,
 * cannot be checked.  It is reported as a violation of the field
 * "category", so an unverifiable host never passes.
 *
 * Plans carry a baseline as the GVariant of fleet_baseline_to_variant
 * (docs/plan-format.md).
 *
 * Ownership: a baseline owns its rules and their strings; a violation owns
 * its strings and outlives both the baseline and the snapshot.
 */
#pragma once

#include <glib.h>

#include "schema/fleet-json.h"
#include "schema/fleet-snapshot.h"

G_BEGIN_DECLS

typedef enum {
  FLEET_BASELINE_PRESENT,
  FLEET_BASELINE_ABSENT,
} FleetBaselineState;

/* A check of a boolean state that a rule may leave open. */
typedef enum {
  FLEET_BASELINE_ANY = -1,
  FLEET_BASELINE_NO = 0,
  FLEET_BASELINE_YES = 1,
} FleetBaselineFlag;

typedef struct {
  FleetSnapshotCategory category;
  char *pattern;              /* glob over item keys */
  FleetBaselineState state;
  char *value;                /* expected value (for packages: the version); NULL: any */
  char *sha256;               /* files: 64 lowercase hex digits; NULL: any */
  char *mode;                 /* files: permission bits in octal, e.g. "0644"; NULL: any */
  char *owner;                /* files: "user:group"; NULL: any */
  char *link;                 /* files: symbolic link target; NULL: any */
  FleetBaselineFlag enabled;  /* services */
  FleetBaselineFlag active;   /* services */
  char *origin;               /* "FILE:LINE:COLUMN" where the rule is written, or NULL */
} FleetBaselineRule;

typedef struct {
  char *name;                 /* the baseline's name, or its file name */
  GPtrArray *rules;           /* FleetBaselineRule *, in the order written */
} FleetBaseline;

FleetBaselineRule *fleet_baseline_rule_new (FleetSnapshotCategory category, const char *pattern);
void fleet_baseline_rule_free (FleetBaselineRule *rule);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (FleetBaselineRule, fleet_baseline_rule_free)

/* Create an empty baseline; `name` is copied. */
FleetBaseline *fleet_baseline_new (const char *name);
void fleet_baseline_free (FleetBaseline *baseline);
FleetBaseline *fleet_baseline_copy (const FleetBaseline *baseline);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (FleetBaseline, fleet_baseline_free)

/* Return the bit set of the categories the rules name, as in
 * FleetSnapshotConfig.categories. */
guint fleet_baseline_categories (const FleetBaseline *baseline);

/* Return the paths a collector must record to check the files rules: the
 * pattern itself when it has no glob character, else the directory before
 * the first one, which the collector walks.  Sorted, without duplicates;
 * free with g_ptr_array_unref. */
GPtrArray *fleet_baseline_file_paths (const FleetBaseline *baseline);

typedef struct {
  FleetSnapshotCategory category;
  char *key;                  /* the item's key, or the rule's pattern when no item matched */
  char *field;                /* "state", "value", "sha256", "mode", "owner", "link",
                               * "enabled", "active" or "category" */
  char *expected;
  char *actual;               /* NULL when missing */
  char *origin;               /* the rule's origin, or NULL */
} FleetBaselineViolation;

void fleet_baseline_violation_free (FleetBaselineViolation *violation);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (FleetBaselineViolation, fleet_baseline_violation_free)

/* Check `snapshot` against every rule.  Returns the violations in rule
 * order (FleetBaselineViolation *, freed with the array); an empty array
 * when the snapshot complies.  The snapshot is sorted in place if needed. */
GPtrArray *fleet_baseline_check (const FleetBaseline *baseline, FleetSnapshot *snapshot);

/* Append one line per violation to `out`, each starting with `indent`:
 * "packages openssl:amd64: version is 3.0.9-1, baseline requires 3.0.11-1
 * (base.yaml:4:3)".  Keys and values are escaped with
 * fleet_escape_for_terminal, so each violation stays on one line. */
void fleet_baseline_violations_append_text (const GPtrArray *violations, const char *indent,
                                            GString *out);

/* Append the violations to an open JSON writer as an array of objects. */
void fleet_baseline_violations_write_json (const GPtrArray *violations, FleetJsonWriter *json);

/* Return the baseline as a floating GVariant of type a{sv}. */
GVariant *fleet_baseline_to_variant (const FleetBaseline *baseline);

/* Read a baseline written by fleet_baseline_to_variant; fails with
 * FLEET_SNAPSHOT_ERROR_INVALID naming the rule and key that are missing,
 * mistyped or invalid. */
FleetBaseline *fleet_baseline_from_variant (GVariant *dict, GError **error);

G_END_DECLS
