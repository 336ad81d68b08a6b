/* fleet-transport.h: SSH connections and remote commands, non-blocking.
 *
 * This is the interface of the SSH layer (fleet-connection.c,
 * fleet-host-key.c, fleet-auth.c, fleet-key-file.c, fleet-command.c,
 * fleet-tunnel.c), the only code that calls libssh, so the SSH engine can be
 * replaced without touching the executor.  A FleetConnection is one
 * authenticated SSH session to one host, opened once and reused by every
 * step of a run; a FleetCommand is one remote command on its own channel.
 *
 * Nothing here blocks on the network.  The owner drives each connection from
 * its event loop: poll fleet_connection_get_fd() for
 * fleet_connection_get_poll_events(), and call fleet_connection_process()
 * when the descriptor is ready or the time from fleet_connection_deadline_us()
 * has come.  A connection sends SSH keepalives while it waits and fails with
 * FLEET_FAILURE_CONNECTION_LOST when the host's keepalive count goes
 * unanswered, so a peer that vanishes without closing the TCP connection is
 * noticed.  Name resolution is the exception: libssh resolves host names
 * with the blocking getaddrinfo().
 *
 * Host keys are checked strictly against the host's known_hosts file: an
 * unknown or changed key ends the connection before any credential is sent.
 */
#pragma once

#include <poll.h>

#include <glib.h>

#include "schema/fleet-clock.h"
#include "schema/fleet-model.h"

G_BEGIN_DECLS

/* Why a connection or a command failed.  The journal writes the code from
 * fleet_failure_code(), so these names are part of the journal format. */
typedef enum {
  FLEET_FAILURE_NONE,
  FLEET_FAILURE_NAME_RESOLUTION,   /* the host name does not resolve */
  FLEET_FAILURE_CONNECTION_REFUSED,
  FLEET_FAILURE_CONNECTION_TIMEOUT,
  FLEET_FAILURE_CONNECTION_FAILED, /* other errors before the SSH handshake ends */
  FLEET_FAILURE_HOST_KEY_UNKNOWN,  /* not in known_hosts */
  FLEET_FAILURE_HOST_KEY_CHANGED,  /* known_hosts has another key for the host */
  FLEET_FAILURE_AUTH_FAILED,       /* the server accepted none of our keys */
  FLEET_FAILURE_IDENTITY_FILE,     /* the private key could not be loaded */
  FLEET_FAILURE_CHANNEL,           /* channel open or exec request refused */
  FLEET_FAILURE_CONNECTION_LOST,   /* the connection broke during a command */
  FLEET_FAILURE_COMMAND_TIMEOUT,
  FLEET_FAILURE_NO_EXIT_STATUS,    /* channel closed without exit status or signal */
  FLEET_FAILURE_EXIT_SIGNAL,       /* the command was killed by a signal */
  FLEET_FAILURE_EXIT_CODE,         /* the command exited with an unexpected code */
  FLEET_FAILURE_INTERRUPTED,       /* fleet-run was interrupted */
  FLEET_FAILURE_HOST_KEY_REVOKED,  /* known_hosts marks the key @revoked */
  FLEET_FAILURE_KEY_PASSPHRASE,    /* the key's passphrase is missing or wrong */
  FLEET_FAILURE_KEY_UNSUPPORTED,   /* key format or cipher the SSH library cannot read */
  FLEET_FAILURE_BECOME_PASSWORD_REQUIRED, /* sudo asked for a password none was given for */
  FLEET_FAILURE_BECOME_PASSWORD_INCORRECT,
  FLEET_FAILURE_CONDITION,         /* a step's `when` could not be evaluated */
  FLEET_FAILURE_TARGET_BUSY,       /* the load guard kept the host waiting past max_wait */
  FLEET_FAILURE_DEPENDENCY,        /* a step waited for a step that a host of its group
                                      can no longer finish (fleet-barrier-gate.h) */
  FLEET_FAILURE_BECOME_USER_UNKNOWN, /* sudo has no such become_user on the host */
} FleetFailure;

/* Return the stable journal code of `failure`, e.g. "host-key-changed". */
const char *fleet_failure_code (FleetFailure failure);

/* Set `out_failure` to the failure whose code is `code`.  Returns FALSE
 * when no failure has that code. */
gboolean fleet_failure_from_code (const char *code, FleetFailure *out_failure);

/* Look up the secret called `name` (a key passphrase or a sudo password).
 * Returns a new NUL-terminated value, which the caller wipes and frees with
 * fleet_secret_value_free(), or NULL with `error` set. */
typedef char *(*FleetSecretFunc) (const char *name, gpointer user_data, GError **error);

/* Wipe `value` (from a FleetSecretFunc) and free it; NULL is ignored. */
void fleet_secret_value_free (char *value);

/* What the connections of one run share: private keys, loaded once per
 * identity file and wiped when the context is freed, and the secret lookup
 * for key passphrases and sudo passwords. */
typedef struct FleetSshContext FleetSshContext;

FleetSshContext *fleet_ssh_context_new (void);
void fleet_ssh_context_free (FleetSshContext *context);

/* Set how secrets are found; without this, a secret a host names is an
 * error.  `user_data` is borrowed and must outlive the context. */
void fleet_ssh_context_set_secret_func (FleetSshContext *context, FleetSecretFunc func,
                                        gpointer user_data);

/* Run the TCP connect, SSH handshake and authentication of the context's
 * direct connections on `n_workers` threads (fleet-handshake-pool.h), 0
 * for none; call at most once, before any connection starts.  Failures
 * and their messages are the same as on the caller's loop.  The caller
 * then polls the context's descriptors (fleet_ssh_context_get_pollfds) to
 * learn at once when a handshake has ended.  Jump connections and the
 * connections through them are always driven by the caller.  `clock` is
 * borrowed and read from the threads. */
void fleet_ssh_context_set_handshake_workers (FleetSshContext *context, guint n_workers,
                                              const FleetClock *clock);

/* Jump hosts.  A host whose proxy_jump is set is reached through a
 * direct-tcpip channel of the context's one connection to that jump host,
 * which every host behind it shares and which closes when the last of
 * their connections is freed.  `jump_hosts` (FleetHost *) holds the records
 * proxy_jump names; the context keeps a reference to the array, whose
 * records must not change while it lives.  Without this call, a host with
 * proxy_jump fails to connect. */
void fleet_ssh_context_set_jump_hosts (FleetSshContext *context, GPtrArray *jump_hosts);

/* The jump connections and the tunnels through them belong to the context,
 * not to any FleetConnection, and are driven with the context's own
 * descriptors, alongside the connections:
 *
 *   n = fleet_ssh_context_get_pollfds (context, NULL);  (count)
 *   fleet_ssh_context_get_pollfds (context, fds);       (fill n entries)
 *   poll (...);
 *   fleet_ssh_context_process (context, now_us, fds, n);
 *
 * with no other call on the context or its connections between the fill
 * and the process: freeing or processing a connection may change the
 * context's descriptors, so the context comes first.  Entries may have fd
 * -1, which poll() ignores.  Returns the number of entries. */
guint fleet_ssh_context_get_pollfds (FleetSshContext *context, struct pollfd *pollfds);
void fleet_ssh_context_process (FleetSshContext *context, gint64 now_us,
                                const struct pollfd *pollfds, guint n_pollfds);

/* Return the monotonic time by which fleet_ssh_context_process() must be
 * called even if no descriptor is ready, or G_MAXINT64 for none. */
gint64 fleet_ssh_context_deadline_us (const FleetSshContext *context);

/* A transport that replaces libssh behind the same connections and
 * commands (fleet-transport-vtable.h), such as the simulated fleet of
 * fleet-sim-transport.h. */
typedef struct FleetTransport FleetTransport;

/* Run every connection of `context` over `transport` (borrowed; it must
 * outlive the context) instead of SSH.  Call before any connection starts
 * and instead of fleet_ssh_context_set_handshake_workers(). */
void fleet_ssh_context_set_transport (FleetSshContext *context, FleetTransport *transport);

/* Wait for the descriptors of a poll set as poll(2) does, for at most
 * `timeout_ms`.  With a transport that keeps a clock of its own, the wait
 * moves that clock to `wake_us` instead, unless `block` asks to wait for
 * the descriptors themselves (a journal sync that hosts wait for).
 * Returns what poll(2) returns. */
int fleet_ssh_context_wait (FleetSshContext *context, struct pollfd *fds, guint n_fds,
                            int timeout_ms, gint64 wake_us, gboolean block);

typedef enum {
  FLEET_CONNECTION_IDLE,           /* created, not started */
  FLEET_CONNECTION_CONNECTING,     /* TCP connect and SSH handshake */
  FLEET_CONNECTION_AUTHENTICATING,
  FLEET_CONNECTION_READY,          /* authenticated; commands may start */
  FLEET_CONNECTION_FAILED,         /* see fleet_connection_get_failure() */
} FleetConnectionState;

typedef struct FleetConnection FleetConnection;
typedef struct FleetCommand FleetCommand;

/* Receives output of a command as it arrives.  `is_stderr` is TRUE for data
 * from the standard error stream. */
typedef void (*FleetOutputFunc) (const char *data, gsize length, gboolean is_stderr,
                                 gpointer user_data);

/* Create a connection for `host`, which must outlive it.  `context` is
 * borrowed and must outlive the connection too. */
FleetConnection *fleet_connection_new (const FleetHost *host, FleetSshContext *context);

/* Close the session (ending any command still running) and free it. */
void fleet_connection_free (FleetConnection *connection);

/* Begin connecting.  `now_us` is the monotonic time in microseconds; the
 * connection fails with FLEET_FAILURE_CONNECTION_TIMEOUT if it is not READY
 * by now_us plus the host's connect timeout. */
void fleet_connection_start (FleetConnection *connection, gint64 now_us);

/* Advance the handshake, the authentication and every command of the
 * connection as far as possible without blocking.  `revents` are the poll
 * events seen on the socket (0 when it is called for a deadline); readable
 * data counts as a sign of life for keepalives. */
void fleet_connection_process (FleetConnection *connection, gint64 now_us, short revents);

/* Check, without blocking, that the server has not closed a READY
 * connection while no command ran on it.  Returns FALSE, with the connection
 * failed as CONNECTION_LOST, when it has. */
gboolean fleet_connection_check_idle (FleetConnection *connection);

FleetConnectionState fleet_connection_get_state (const FleetConnection *connection);

/* Under the accept-new host key policy, the key recorded for a first-seen
 * host as "TYPE SHA256:... in FILE"; NULL when none was recorded. */
const char *fleet_connection_get_recorded_key (const FleetConnection *connection);

/* How many times the server closed the connection before its banner (its
 * MaxStartups limit) and the connection was tried again. */
guint fleet_connection_get_connect_retries (const FleetConnection *connection);
FleetFailure fleet_connection_get_failure (const FleetConnection *connection);

/* Return a message for the failure, or NULL when there is none; borrowed. */
const char *fleet_connection_get_message (const FleetConnection *connection);

/* Return the socket to poll, or -1 when there is none. */
int fleet_connection_get_fd (const FleetConnection *connection);
short fleet_connection_get_poll_events (const FleetConnection *connection);

/* Return the monotonic time by which fleet_connection_process() must be
 * called even if the socket stays quiet, or G_MAXINT64 for none. */
gint64 fleet_connection_deadline_us (const FleetConnection *connection);

/* What to run.  The strings are borrowed for the duration of the call. */
typedef struct {
  const char *command_line;
  guint64 timeout_ms;            /* 0: no timeout */
  const char *stdin_data;        /* sent, then end of file; NULL: end of file at once.
                                    The command keeps a copy, wiped when freed. */
  gsize stdin_length;
  gboolean pty;                  /* ask the server for a terminal */
  gboolean hold;                 /* open the channel (and terminal), but send nothing
                                    that starts the command before
                                    fleet_command_release() */
} FleetCommandSpec;

/* Start `spec` on a new channel of a READY connection.  Output goes to
 * `output_func` as it arrives.  The command belongs to the connection, which
 * processes it; the caller reads the result once fleet_command_is_done() and
 * then frees it with fleet_command_free(). */
FleetCommand *fleet_command_start (FleetConnection *connection,
                                   const FleetCommandSpec *spec,
                                   gint64 now_us,
                                   FleetOutputFunc output_func,
                                   gpointer user_data);

/* Ask the command to stop and close its channel; the command ends with
 * `failure` as its cause.  The remote shell's process group is sent SIGTERM,
 * then SIGKILL after a grace period, through a second channel of the same
 * connection, so children of the command end too. */
void fleet_command_abort (FleetCommand *command, FleetFailure failure, const char *message);

/* Let a command started with `hold` send its exec request.  A command
 * aborted while held never ran on the host. */
void fleet_command_release (FleetCommand *command);

gboolean fleet_command_is_done (const FleetCommand *command);

/* Return TRUE while a command the connection started on its own (the kill of
 * an aborted command) has not ended; the owner keeps processing the
 * connection until then.  Such commands end within five seconds. */
gboolean fleet_connection_has_helpers (const FleetConnection *connection);

/* Results, valid once the command is done.  A command that exited has an
 * exit status and no signal; one killed by a signal has a signal name
 * ("KILL", "TERM") and exit status -1; one with a transport failure may have
 * neither. */
int fleet_command_get_exit_status (const FleetCommand *command);
const char *fleet_command_get_exit_signal (const FleetCommand *command);
gboolean fleet_command_get_core_dumped (const FleetCommand *command);
FleetFailure fleet_command_get_failure (const FleetCommand *command);
const char *fleet_command_get_message (const FleetCommand *command);
guint64 fleet_command_get_stdout_bytes (const FleetCommand *command);
guint64 fleet_command_get_stderr_bytes (const FleetCommand *command);

/* The process id the remote shell reported, or 0 when it reported none. */
gint64 fleet_command_get_remote_pid (const FleetCommand *command);

void fleet_command_free (FleetCommand *command);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (FleetConnection, fleet_connection_free)
G_DEFINE_AUTOPTR_CLEANUP_FUNC (FleetSshContext, fleet_ssh_context_free)

G_END_DECLS
