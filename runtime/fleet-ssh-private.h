/* fleet-ssh-private.h: the records shared by the modules of the SSH layer.
 *
 * Only fleet-connection.c, fleet-host-key.c, fleet-auth.c, fleet-key-file.c,
 * fleet-command.c, fleet-tunnel.c and fleet-handshake-pool.c include this
 * header; everything else uses fleet-transport.h.  All but the last are the
 * only files that call libssh.
 */
#pragma once

#include <libssh/callbacks.h>
#include <libssh/libssh.h>

#include "runtime/fleet-agent-filter.h"
#include "runtime/fleet-handshake-pool.h"
#include "runtime/fleet-transport.h"
#include "runtime/fleet-transport-vtable.h"

G_BEGIN_DECLS

typedef enum {
  AUTH_AGENT,
  AUTH_IDENTITY_FILES,
} AuthStage;

typedef enum {
  COMMAND_OPENING,
  COMMAND_PTY,
  COMMAND_EXECUTING,
  COMMAND_RUNNING,
  COMMAND_KILLING,               /* aborted; waiting for its kill helper */
  COMMAND_DONE,
} CommandStage;

typedef struct FleetTunnel FleetTunnel;

struct FleetSshContext {
  /* Guards `keys`, `key_errors` and `known_hosts`, which the handshake
   * workers use too. */
  GMutex lock;
  FleetHandshakePool *handshakes; /* NULL: handshakes run on the owner's loop */
  /* Both keyed by the expanded identity file path and the passphrase secret
   * name, joined by a newline: hosts may name different secrets for one file. */
  GHashTable *keys;              /* -> FleetLoadedKey * */
  GHashTable *key_errors;        /* -> FleetKeyError * */
  GHashTable *known_hosts;       /* expanded known_hosts paths, newline-separated ->
                                    FleetKnownHosts * */
  FleetSecretFunc secret_func;
  gpointer secret_data;
  GPtrArray *jump_hosts;         /* FleetHost *, the records proxy_jump names; NULL: none */
  GPtrArray *jumps;              /* FleetJump *, the pool of jump connections (fleet-tunnel.c) */
  FleetTransport *transport;     /* NULL: libssh; else fleet-transport-vtable.h */
};

/* A private key loaded from an identity file, with the OpenSSH user
 * certificate found next to it (PATH-cert.pub).  libssh attaches a
 * certificate to a private key in place, so `certified` is a second copy of
 * the key that carries it.  The plain key is offered after it. */
typedef struct {
  ssh_key key;
  char *fingerprint;             /* "ssh-ed25519 SHA256:..." of the key */
  ssh_key certified;             /* NULL: no usable certificate */
  ssh_key certificate;           /* the certificate alone, to explain a rejection */
  char *certificate_path;        /* PATH-cert.pub when it is used */
  char *certificate_note;        /* why PATH-cert.pub is not used, or NULL */
} FleetLoadedKey;

/* Why an identity file could not be used, kept so that every host naming
 * the file gets the same answer without reading it again. */
typedef struct {
  FleetFailure failure;
  char *message;
} FleetKeyError;

struct FleetConnection {
  const FleetHost *host;
  FleetSshContext *context;
  ssh_session session;
  FleetConnectionState state;
  FleetFailure failure;
  char *message;
  gint64 connect_deadline_us;
  guint connect_retries;         /* early closes retried so far */
  gint64 retry_at_us;            /* when the next retry connects */
  FleetTunnel *tunnel;           /* the way through the host's jump host, or NULL */

  /* Authentication progress: the stage, which identity file is next, and
   * what each attempt said, for the error that lists every method tried. */
  AuthStage auth_stage;
  guint next_identity;
  gboolean identity_started;     /* next_identity has been offered at least once */
  gboolean offering_certificate; /* the next offer is the certified copy */
  gboolean offered_identity;     /* the server saw a key of an identity file */
  FleetFailure key_failure;      /* first identity file that could not be used */
  GString *auth_attempts;
  FleetAgentFilter *agent_filter; /* identities_only: the agent restricted to the
                                     identity files' keys, during authentication */

  /* Keepalive accounting: the last time the socket had data for us, and how
   * many keepalives went unanswered since. */
  gint64 last_receive_us;
  gint64 next_keepalive_us;
  guint unanswered_keepalives;

  gint64 now_us;                 /* time of the latest fleet_connection_process() */
  char *recorded_key;            /* accept-new: "TYPE SHA256:... in FILE", or NULL */
  GPtrArray *commands;           /* FleetCommand *: the caller's running commands
                                    (borrowed) and our kill helpers (owned) */

  /* Hand-over to the handshake pool.  The owner's thread alone reads and
   * writes `pooled`, `landed` and `pool_worker`; `cancel_handshake` is set
   * by the owner and read by the worker, atomically. */
  gboolean pooled;               /* a worker drives the handshake */
  gboolean landed;               /* back from the pool and not processed since */
  guint pool_worker;             /* the worker it was given to */
  gint cancel_handshake;

  gpointer transport_data;       /* the state of a transport other than libssh */
};

struct FleetCommand {
  FleetConnection *connection;   /* NULL once the connection is gone */
  ssh_channel channel;
  struct ssh_channel_callbacks_struct callbacks;
  char *command_line;
  CommandStage stage;
  gint64 deadline_us;            /* G_MAXINT64: no timeout */
  gint64 open_deadline_us;       /* until when a refused channel is retried */
  gint64 retry_at_us;            /* when the next channel open is tried */
  guint open_retries;
  char *refusal;                 /* why the last channel open was refused */
  gboolean pty;
  gboolean held;                 /* the exec request waits for fleet_command_release() */
  char *stdin_data;              /* wiped once sent */
  gsize stdin_length;
  gsize stdin_sent;              /* bytes of stdin_data the channel took so far */
  gboolean stdin_closed;         /* end of file sent */
  gboolean has_exit_status;
  int exit_status;
  char *exit_signal;
  gboolean core_dumped;
  FleetFailure failure;
  char *message;
  guint64 stdout_bytes;
  guint64 stderr_bytes;
  FleetOutputFunc output_func;
  gpointer user_data;

  /* The remote shell announces its process id on the first line of
   * standard output; that line is held back here until it is complete. */
  GString *pid_line;
  gboolean pid_line_done;
  gint64 remote_pid;             /* 0: unknown */
  gboolean output_pending;       /* a stream used its read budget with more
                                    buffered: the connection is due again at
                                    once (fleet-command.c) */
  gboolean abort_pending;        /* aborted before its process id arrived:
                                    killed once it does (fleet_command_abort) */
  FleetFailure abort_failure;
  char *abort_message;
  gboolean is_helper;            /* a kill command we started ourselves */
  FleetCommand *killed;          /* helper: the command it kills, or NULL */
  FleetCommand *killer;          /* the helper killing this command, or NULL */
  gpointer transport_data;       /* the state of a transport other than libssh */
};

/* fleet-connection.c */
void fleet_connection_fail (FleetConnection *connection, FleetFailure failure, char *message);

/* The connection as its handshake worker drives it: what
 * fleet_connection_process(), _get_fd(), _get_poll_events() and
 * _deadline_us() do for a connection that is not in the pool. */
void fleet_connection_advance (FleetConnection *connection, gint64 now_us, short revents);
int fleet_connection_session_fd (const FleetConnection *connection);
short fleet_connection_session_events (const FleetConnection *connection);
gint64 fleet_connection_session_deadline_us (const FleetConnection *connection);

/* Return whether the handshake has ended: the state is READY or FAILED. */
gboolean fleet_connection_handshake_ended (const FleetConnection *connection);

/* Sort a connection error into a failure class by its text, which is all
 * libssh 0.10 offers: it has no error codes for these cases.  OpenSSH's
 * reasons for a refused direct-tcpip open are sorted the same way. */
FleetFailure fleet_classify_connect_error (const char *text);
const char *fleet_connection_target (const FleetConnection *connection);
char *fleet_expand_home (const char *path);

/* fleet-host-key.c: check the server's key against known_hosts.  Returns
 * FALSE after failing the connection. */
gboolean fleet_host_key_verify (FleetConnection *connection);

/* Return the host key algorithms to offer, those known_hosts records for the
 * host first, so that a server with several keys presents a known one. */
char *fleet_host_key_algorithms (FleetConnection *connection);

/* fleet-auth.c */
void fleet_auth_begin (FleetConnection *connection);
/* Returns TRUE when authentication has finished, successfully (the state is
 * READY) or not (the connection failed). */
gboolean fleet_auth_continue (FleetConnection *connection);

/* fleet-key-file.c */
/* Return the key of identity file `path` for `host`, from `context`'s cache
 * or loaded now, or NULL with the reason in `out_error`.  Both belong to
 * `context`.  A failure is cached too, so every host naming the file gets
 * the same error without reading it again. */
const FleetLoadedKey *fleet_key_lookup (FleetSshContext *context, const FleetHost *host,
                                        const char *path, const FleetKeyError **out_error);
/* Return why the server may have rejected `loaded`'s certificate for
 * `user`, as far as the certificate shows it by this machine's clock, or
 * what else to check.  Free with g_free. */
char *fleet_key_explain_certificate_rejection (const FleetLoadedKey *loaded, const char *user);
void fleet_key_error_free (FleetKeyError *error);

/* Return the public key blob (SSH wire encoding) of identity file `path`:
 * from PATH.pub, else from the file itself when it is an openssh-key-v1
 * file, whose public key is not encrypted; NULL when neither has one.
 * OpenSSH matches an identity file to an agent key the same way. */
GBytes *fleet_key_public_file_blob (const char *path);
void fleet_loaded_key_free (FleetLoadedKey *loaded);

/* fleet-command.c */

/* Backpressure: each stream of a command reads at most this much per
 * processing of its connection, that is per turn of the event loop, so a
 * host that floods output yields to the other hosts.  What it sends beyond
 * waits in libssh's channel buffer, and once the channel window is used
 * up, the server stops sending until we read, so memory stays bounded too.
 * Without the budget, one processing read up to about 100 KiB on loopback
 * (libssh 0.10.6, OpenSSH 9.2), hence a budget below that. */
#define FLEET_COMMAND_READ_BUDGET_BYTES (32 * 1024)

void fleet_commands_process (FleetConnection *connection, gint64 now_us);
/* Return whether a running command has standard input to send that the
 * channel window takes, so the socket is polled for room. */
gboolean fleet_commands_want_write (const FleetConnection *connection);
void fleet_command_finish (FleetCommand *command, FleetFailure failure, char *message);
void fleet_commands_free_helpers (FleetConnection *connection);

G_END_DECLS
