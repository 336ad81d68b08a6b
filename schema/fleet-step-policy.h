/* fleet-step-policy.h: per-step settings around the step's command.
 *
 * Retries with a delay, environment variables, a working directory and the
 * `changed_when`/`failed_when` conditions, which fleet-run evaluates over
 * the names `rc`, `stdout` and `stderr` of one attempt (fleet-expr.h).  A
 * step without any of them has no policy (NULL).  The record owns its
 * strings and table; the plan stores it under optional keys of each step.
 * Errors of fleet_step_policy_from_variant are FLEET_PLAN_ERROR_INVALID.
 */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

#define FLEET_DEFAULT_RETRY_DELAY_MS 1000u

typedef struct {
  guint retries;             /* further attempts after a failed one */
  guint64 retry_delay_ms;    /* wait before each further attempt */
  GHashTable *env;           /* char * name -> char * value; NULL: none */
  char *workdir;             /* remote directory the command starts in, or NULL */
  char *changed_when;        /* condition: the step changed something; NULL: it always did */
  char *failed_when;         /* condition replacing the exit code check; NULL: none */
} FleetStepPolicy;

FleetStepPolicy *fleet_step_policy_new (void);
FleetStepPolicy *fleet_step_policy_copy (const FleetStepPolicy *policy);
void fleet_step_policy_free (FleetStepPolicy *policy);

/* Return `command` preceded by the shell lines that enter the working
 * directory and export the environment of `policy`, every value quoted;
 * a copy of `command` when `policy` is NULL or sets neither. */
char *fleet_step_policy_wrap_command (const FleetStepPolicy *policy, const char *command);

void fleet_step_policy_to_variant (GVariantBuilder *builder, const FleetStepPolicy *policy);
gboolean fleet_step_policy_from_variant (GVariant *dict, const char *step_name,
                                         FleetStepPolicy **out, GError **error);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (FleetStepPolicy, fleet_step_policy_free)

G_END_DECLS
