/* plan-checks.h: the `{{ name }}` references of HTTP check URLs, checked
 * against every host of the plan when it is compiled.
 *
 * fleet-run fills a URL per host with the host's `name`, its `address`, its
 * attributes and then the workflow's `vars` (runtime/fleet-check-run.c).
 * A name that a host lacks would fail the check only after a wave ran, so
 * the planner rejects it here with the position of the reference.
 */
#pragma once

#include <glib.h>

#include "schema/fleet-diagnostics.h"
#include "schema/fleet-plan.h"
#include "schema/fleet-workflow.h"

G_BEGIN_DECLS

/* Report each reference of the URL of an HTTP check in plan->checks that
 * some host of plan->hosts cannot fill, once, at the reference, naming the
 * first such host and counting the others.  Stores the workflow's `vars`
 * in plan->vars when a URL needs one of them, and drops the compile-time
 * reference positions of every check.  Returns FALSE when it reported an
 * error. */
gboolean fleet_planner_check_urls (FleetPlan *plan, const FleetWorkflow *workflow,
                                   FleetDiagnostics *diags);

G_END_DECLS
