/* fleet-resume-choice.h: the hosts that one argument of --retry-host or
 * --skip-host chooses on a resume.
 *
 * An argument is read, in this order, as:
 *
 *   - the name of a plan host: that host;
 *   - the word `held`: every host that the journal records as held;
 *   - a selector (docs/selectors.md) over each plan host's `name`,
 *     `groups` and attributes, as `fleetc run --limit` takes it.
 *
 * A plan host named `held` is therefore chosen by its name.
 *
 * Errors are G_IO_ERROR_INVALID_ARGUMENT, with the option and the argument
 * in the message.  They cover an argument that is neither a host name,
 * `held` nor a valid selector, `held` when no host is held, and a selector
 * that fails to evaluate on a host or chooses no host.
 */
#pragma once

#include <glib.h>

#include "schema/fleet-plan.h"

G_BEGIN_DECLS

typedef enum {
  FLEET_RESUME_CHOICE_NAME,      /* one host, by its name */
  FLEET_RESUME_CHOICE_HELD,      /* the word `held` */
  FLEET_RESUME_CHOICE_SELECTOR,  /* a selector expression */
} FleetResumeChoiceKind;

/* Store in `out_hosts` a new array of the plan indices (guint, ascending)
 * of the hosts that `argument` chooses, and its form in `out_kind`.
 * `held` has one entry per plan host, TRUE for the held ones.  `option`
 * ("--retry-host" or "--skip-host") names the argument in errors.  The
 * out-parameters are written only on success. */
gboolean fleet_resume_choose_hosts (const FleetPlan *plan, const gboolean *held,
                                    const char *option, const char *argument,
                                    FleetResumeChoiceKind *out_kind, GArray **out_hosts,
                                    GError **error);

/* Return `argument` escaped for a terminal and quoted as one shell word,
 * as the user would type it.  Free with g_free. */
char *fleet_resume_quote_argument (const char *argument);

/* Return "OPTION 'ARGUMENT' chose N hosts: NAME, NAME, ..." for the
 * hosts in `hosts` (plan indices, possibly none), with every name escaped
 * for a terminal.  Free with g_free. */
char *fleet_resume_describe_choice (const FleetPlan *plan, const char *option,
                                    const char *argument, const GArray *hosts);

G_END_DECLS
