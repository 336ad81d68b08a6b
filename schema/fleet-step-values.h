/* fleet-step-values.h: a step's settings rendered per host.
 *
 * Besides `run`, these values of a step may contain `{{ name }}` references
 * (fleet-template.h): `dest` of copy and template, `workdir`, each `env`
 * value, `path` and `command` of wait_for, and `command` and
 * `boot_id_file` of reboot.  The compiler records each such value as a
 * FleetStepValueTemplate, the planner renders it for every host that runs
 * the step, and the plan stores the results under the optional step key
 * "host-values".  Before the step starts on a host, fleet-run puts the
 * host's values into copies of the step's kind data and policy
 * (fleet_step_values_apply).
 *
 * A command gets the shell quoting of `run`.  Every other value is inserted
 * verbatim, because fleet-run quotes the whole value where it puts it into
 * a shell command.
 *
 * The record owns its arrays and tables.  Errors of
 * fleet_step_values_from_variant and fleet_step_values_apply are
 * FLEET_PLAN_ERROR_INVALID.
 */
#pragma once

#include <glib.h>

#include "schema/fleet-model.h"
#include "schema/fleet-step-kind.h"
#include "schema/fleet-step-policy.h"

G_BEGIN_DECLS

/* Keys of the values; an `env` value has the key "env." followed by the
 * variable's name. */
#define FLEET_STEP_VALUE_DEST "dest"
#define FLEET_STEP_VALUE_WORKDIR "workdir"
#define FLEET_STEP_VALUE_COMMAND "command"
#define FLEET_STEP_VALUE_WAIT_PATH "path"
#define FLEET_STEP_VALUE_BOOT_ID_FILE "boot_id_file"
#define FLEET_STEP_VALUE_ENV_PREFIX "env."

/* How a value is rendered and what its rendering must look like. */
typedef enum {
  FLEET_STEP_VALUE_TEXT,           /* verbatim text: workdir, env values */
  FLEET_STEP_VALUE_ABSOLUTE_PATH,  /* verbatim, an absolute path */
  FLEET_STEP_VALUE_FILE_PATH,      /* verbatim, an absolute path not ending in "/" */
  FLEET_STEP_VALUE_SHELL_COMMAND,  /* values shell-quoted as in `run` */
} FleetStepValueSyntax;

/* One value with references, as the compiler read it. */
typedef struct {
  char *key;                 /* FLEET_STEP_VALUE_* or "env.NAME" */
  char *text;                /* the value as written */
  FleetStepValueSyntax syntax;
  gboolean may_be_empty;     /* an empty rendering is valid: env values, not workdir */
  GPtrArray *refs;           /* FleetTemplateRef *, from fleet_template_parse */
  GArray *ref_positions;     /* FleetSourcePos of each reference, same order */
  FleetSourcePos pos;        /* the value's scalar */
} FleetStepValueTemplate;

/* Declared in fleet-model.h as FleetStepValues. */
struct FleetStepValues {
  GPtrArray *templates;      /* workflow IR only: FleetStepValueTemplate *; NULL in plans */
  GHashTable *host_values;   /* plan only: char * host name -> GHashTable of char * key ->
                                char * rendered value; NULL in the IR */
};

FleetStepValueTemplate *fleet_step_value_template_new (const char *key, const char *text,
                                                       FleetStepValueSyntax syntax);
void fleet_step_value_template_free (FleetStepValueTemplate *value);

FleetStepValues *fleet_step_values_new (void);
FleetStepValues *fleet_step_values_copy (const FleetStepValues *values);
void fleet_step_values_free (FleetStepValues *values);

/* Return whether a rendered value `rendered` fits `value`'s syntax; when
 * not, set `out_problem` to a static description such as "is not an
 * absolute path". */
gboolean fleet_step_value_check (const FleetStepValueTemplate *value, const char *rendered,
                                 const char **out_problem);

/* Add "host-values" for `values` to `builder`, a vardict builder of one
 * step; nothing for NULL or a record without host values. */
void fleet_step_values_to_variant (GVariantBuilder *builder, const FleetStepValues *values);

/* Read "host-values" of the step dictionary `dict`; `out` is NULL when the
 * step has none.  Rejects unknown keys. */
gboolean fleet_step_values_from_variant (GVariant *dict, const char *step_name,
                                         FleetStepValues **out, GError **error);

/* Set `out_data` and `out_policy` to new copies of `data` and `policy`
 * (either may be NULL, and then its copy is NULL unless a value needs it)
 * with the values rendered for `host_name` in place.  Without values the
 * copies are plain.  Fails when `values` has no rendering for the host, or
 * a rendered path is not absolute. */
gboolean fleet_step_values_apply (const FleetStepValues *values, const char *host_name,
                                  const FleetStepKindData *data, const FleetStepPolicy *policy,
                                  FleetStepKindData **out_data, FleetStepPolicy **out_policy,
                                  GError **error);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (FleetStepValueTemplate, fleet_step_value_template_free)
G_DEFINE_AUTOPTR_CLEANUP_FUNC (FleetStepValues, fleet_step_values_free)

G_END_DECLS
