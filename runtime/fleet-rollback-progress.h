/* fleet-rollback-progress.h: how far earlier rollbacks of a run got on
 * each host, command by command.
 *
 * Undo commands are rarely safe to run twice (a restore that deletes its
 * backup, a package downgrade), so a later `fleet-run --rollback RUN`
 * continues each host from its first rollback command that did not end
 * successfully.  Every rollback of RUN records a rollback-step-start
 * record, synced before the command runs, and a rollback-step-end record
 * per command, numbered by the command's place in the host's full list of
 * rollback commands (fleet_rollback_commands_for_host).  The journals are
 * RUN's own (the automatic rollback) and those of its rollback runs
 * (fleet_rollback_journal_paths), folded in the order they started.
 *
 * A command with a start record and no end record, or one that an
 * interrupt aborted, was in flight: it may have run in part.
 *
 * Ownership: the returned table owns its keys and values.
 */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

/* The progress of the rollback of one host. */
typedef struct {
  guint next_command;            /* 0-based: the first command that did not end well */
  gboolean in_flight;            /* next_command started and never ended, or was aborted */
  guint commands_done;           /* commands that ended successfully, a prefix of the list */
} FleetRollbackProgress;

/* Return the progress of every host on which a rollback command of run
 * `run_id` started, as a new table of host name to FleetRollbackProgress *.
 * Journals that cannot be read are passed over, because the run's own
 * journal was read just before (fleet_rollback_targets_from_journal). */
GHashTable *fleet_rollback_progress_load (const char *runs_dir, const char *run_id,
                                          const char *plan_sha256);

G_END_DECLS
