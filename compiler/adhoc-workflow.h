/* adhoc-workflow.h: the workflow of an ad-hoc command (`fleetc run`).
 *
 * An ad-hoc command is a workflow of one step, built from command-line
 * options instead of a file.  It goes through the same inventory loader,
 * selector parser and checks as a workflow file, and the planner turns it
 * into a plan like any other, so fleet-run applies the same host key,
 * connection and halt rules.  Unlike a workflow file, the target is every
 * host of the inventories, narrowed by the required --limit.  All selected
 * hosts form one wave, and the command runs exactly as given, without
 * `{{ }}` references.
 */
#pragma once

#include <glib.h>

#include "schema/fleet-diagnostics.h"
#include "schema/fleet-threshold.h"
#include "schema/fleet-workflow.h"

G_BEGIN_DECLS

/* The workflow name of every ad-hoc plan, shown by fleet-run and fleetc show. */
#define FLEET_ADHOC_WORKFLOW_NAME "ad-hoc command"

/* The name of the ad-hoc plan's only step. */
#define FLEET_ADHOC_STEP_NAME "command"

/* The inputs of an ad-hoc command.  Strings are borrowed for the call. */
typedef struct {
  const char *const *inventories;  /* NULL-terminated inventory paths, at least one,
                                      combined in order as a workflow's list is */
  const char *ssh_config;          /* ssh_config file to read, or NULL for none */
  gboolean ssh_config_check_owner; /* as in FleetCompileOptions */
  const char *limit;               /* selector of the hosts to run on; required */
  const char *const *command_argv; /* NULL-terminated words of the command, at least one */
  guint parallelism;               /* maximum hosts busy at once; 0: FLEET_DEFAULT_PARALLELISM */
  guint64 timeout_ms;              /* step timeout; 0: none */
  gboolean become;                 /* run the command through sudo */
  const char *become_user;         /* sudo's target user; NULL: root */
  const FleetThreshold *halt_failed; /* failed hosts that halt the run; NULL: the
                                        workflow default (the first failed host) */
} FleetAdhocOptions;

/* Return the shell command that runs `argv` (NULL-terminated, at least one
 * word) with each word passed as one argument.  Words made only of
 * characters that no POSIX shell treats specially are kept as they are, and
 * any other word is single-quoted (fleet_shell_quote).  Free with g_free. */
char *fleet_adhoc_join_command (const char *const *argv);

/* Build the workflow of the ad-hoc command `options` describe: load and
 * combine the inventories, parse the limit and warn about names no host
 * has, and add the one step.  Problems go to `diags` with the file, line
 * and column of the inventory, or the column of the --limit text.  Returns
 * a new workflow for fleet_planner_build, or NULL when an error was added
 * to `diags`. */
FleetWorkflow *fleet_compile_adhoc (const FleetAdhocOptions *options, FleetDiagnostics *diags);

G_END_DECLS
