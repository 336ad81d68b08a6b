/* plan-diff-render.h: a plan diff as text, JSON or Markdown.
 *
 * Every renderer prints the two plans' paths and digests, a one-line
 * summary, then the changes section by section in the diff's order.
 * Untrusted text (names, commands, attribute values) is escaped for the
 * output: control characters for text and Markdown (fleet-text.h), JSON
 * string escapes for JSON, and Markdown's markup characters for Markdown.
 * docs/plan-diff.md documents the formats, the JSON schema included.
 */
#pragma once

#include <glib.h>

#include "cli/plan-diff.h"

G_BEGIN_DECLS

/* The version of the JSON document's layout, in its "diff_format" member. */
#define FLEET_PLAN_DIFF_JSON_FORMAT 1

/* The two plans compared, as the reader names them. */
typedef struct {
  const char *old_path;
  const char *old_sha256;
  const char *new_path;
  const char *new_sha256;
} FleetPlanDiffFiles;

/* Return the one-line summary: "The plans differ: 2 hosts added, ...",
 * "The plans are equivalent: ..." or "The plans are identical."  Free with
 * g_free. */
char *fleet_plan_diff_summary (const FleetPlanDiff *diff);

/* Return the diff as aligned text for a terminal.  Free with g_free. */
char *fleet_plan_diff_format_text (const FleetPlanDiff *diff, const FleetPlanDiffFiles *files);

/* Return the diff as one JSON object followed by a newline.  Free with
 * g_free. */
char *fleet_plan_diff_format_json (const FleetPlanDiff *diff, const FleetPlanDiffFiles *files);

/* Return the diff as Markdown for a change ticket.  Free with g_free. */
char *fleet_plan_diff_format_markdown (const FleetPlanDiff *diff,
                                       const FleetPlanDiffFiles *files);

G_END_DECLS
