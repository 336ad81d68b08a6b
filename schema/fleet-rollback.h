/* fleet-rollback.h: the commands that undo a workflow on a host.
 *
 * A host is rolled back by running, in order: the `undo` command of each
 * step that started on it, newest step first, then the `steps`.  Plans
 * carry the rollback under the optional body key "rollback"
 * (docs/plan-format.md); a plan without it cannot be rolled back.
 *
 * Ownership: a FleetRollback owns its commands and their strings.
 */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

/* Default limit of each rollback command, in milliseconds. */
#define FLEET_ROLLBACK_DEFAULT_TIMEOUT_MS 600000u

/* One rollback command.  For an undo command, `name` is the forward step
 * it undoes. */
typedef struct {
  char *name;
  char *command;                 /* shell command, run as written */
  guint64 timeout_ms;            /* 0: no timeout */
  gboolean become;               /* run through `sudo -n` */
} FleetRollbackCommand;

typedef struct {
  GPtrArray *undo;               /* FleetRollbackCommand *, by forward step name */
  GPtrArray *steps;              /* FleetRollbackCommand *, run after the undo commands */
  gboolean on_halt;              /* a halted run rolls back its failed wave at once */
  gboolean idempotent;           /* a command in flight at a crash may run again */
} FleetRollback;

FleetRollbackCommand *fleet_rollback_command_new (const char *name, const char *command);
void fleet_rollback_command_free (FleetRollbackCommand *command);

FleetRollback *fleet_rollback_new (void);
void fleet_rollback_free (FleetRollback *rollback);
FleetRollback *fleet_rollback_copy (const FleetRollback *rollback);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (FleetRollback, fleet_rollback_free)
G_DEFINE_AUTOPTR_CLEANUP_FUNC (FleetRollbackCommand, fleet_rollback_command_free)

/* Return the undo command of the forward step `step_name`, or NULL. */
const FleetRollbackCommand *fleet_rollback_find_undo (const FleetRollback *rollback,
                                                      const char *step_name);

/* Return the commands that roll back a host on which the forward steps
 * `started_steps` (char * names, in the order they started) started:
 * their undo commands in reverse order, then the rollback steps.  Returns
 * a new array of borrowed FleetRollbackCommand *. */
GPtrArray *fleet_rollback_commands_for_host (const FleetRollback *rollback,
                                             const GPtrArray *started_steps);

/* Return `rollback` as a floating GVariant of type a{sv}. */
GVariant *fleet_rollback_to_variant (const FleetRollback *rollback);

/* Read a rollback written by fleet_rollback_to_variant, or NULL when a key
 * is missing or mistyped. */
FleetRollback *fleet_rollback_from_variant (GVariant *dict);

G_END_DECLS
