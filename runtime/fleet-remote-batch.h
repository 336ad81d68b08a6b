/* fleet-remote-batch.h: run short command lists on many hosts over SSH.
 *
 * Validation checks and rollbacks run outside the executor's waves, so
 * they open their own connections: each job connects to one host, runs
 * its commands in order on that connection and stops at the first command
 * that fails or exits with a status other than the one it expects.  At
 * most `parallelism` jobs are busy at once, all driven by one poll() loop
 * with the SSH context's jump host descriptors.  A batch returns when
 * every job is done; an interrupt level of 2 or more aborts the commands
 * still running, and 1 or more starts no further job or command.
 */
#pragma once

#include <signal.h>

#include <glib.h>

#include "runtime/fleet-transport.h"
#include "schema/fleet-clock.h"

G_BEGIN_DECLS

/* Bytes of standard output a job keeps from its start, and of standard
 * error from its end. */
#define FLEET_REMOTE_STDOUT_MAX_BYTES (64u * 1024)
#define FLEET_REMOTE_STDERR_TAIL_BYTES 2048u

/* One command of a job; the strings are borrowed and must outlive the
 * batch. */
typedef struct {
  const char *name;              /* for the event callback and messages */
  const char *command_line;
  guint64 timeout_ms;            /* 0: no timeout */
  int expected_exit;
} FleetRemoteCommand;

typedef struct {
  const FleetHost *host;         /* borrowed, outlives the batch */
  GArray *commands;              /* FleetRemoteCommand */

  /* Results, set by the batch. */
  guint commands_run;            /* commands that started */
  gboolean succeeded;            /* every command exited as expected */
  FleetFailure failure;          /* the cause when a command or the connection failed */
  int exit_status;               /* of the last command that ran; -1 when none exited */
  char *message;                 /* why the job failed, or NULL */
  GString *stdout_head;          /* of the last command that ran */
  GString *stderr_tail;
  gint64 duration_us;
} FleetRemoteJob;

/* Return a job for `host` without commands; add them to job->commands. */
FleetRemoteJob *fleet_remote_job_new (const FleetHost *host);
void fleet_remote_job_free (FleetRemoteJob *job);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (FleetRemoteJob, fleet_remote_job_free)

/* Called when command `index` of `job` starts (`finished` FALSE) and when
 * it ends (`finished` TRUE), for journals and progress. */
typedef void (*FleetRemoteEventFunc) (const FleetRemoteJob *job, guint index, gboolean finished,
                                      gpointer user_data);

typedef struct {
  FleetSshContext *ssh;          /* borrowed; its jump hosts are set */
  const FleetClock *clock;
  guint parallelism;             /* at least 1 */
  volatile sig_atomic_t *interrupt_level; /* NULL: never interrupted */
  FleetRemoteEventFunc on_event; /* NULL: none */
  gpointer user_data;
} FleetRemoteBatchOptions;

/* Run every job of `jobs` (FleetRemoteJob *) and fill in its results. */
void fleet_remote_batch_run (GPtrArray *jobs, const FleetRemoteBatchOptions *options);

/* Return `command` as run through `sudo -n -- sh -c`, which fails at once
 * where sudo would ask for a password.  Free with g_free. */
char *fleet_remote_sudo_command (const char *command);

G_END_DECLS
