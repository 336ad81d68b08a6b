/* fleet-model.h: the host and step records shared by the workflow IR and the
 * plan.
 *
 * The compiler fills these from the workflow and inventory files, the planner
 * copies them into the plan, and the runtime reads them back from the plan
 * file.  Every string and container is owned by the record that holds it and
 * is released by the matching _free function.
 */
#pragma once

#include <glib.h>

#include "schema/fleet-step-kind.h"
#include "schema/fleet-step-policy.h"

G_BEGIN_DECLS

/* A position in an input file.  `file` is an interned string (never freed);
 * line and column count from 1, and 0 means "no position" (records read back
 * from a plan file have none). */
typedef struct {
  const char *file;
  guint line;
  guint column;
} FleetSourcePos;

#define FLEET_DEFAULT_SSH_PORT 22
#define FLEET_DEFAULT_CONNECT_TIMEOUT_MS 10000u
#define FLEET_DEFAULT_KEEPALIVE_INTERVAL_MS 15000u
#define FLEET_DEFAULT_KEEPALIVE_COUNT_MAX 3u
/* OpenSSH's sshd allows 10 sessions per connection unless its MaxSessions
 * sets another limit (sshd_config(5), OpenSSH 9.2). */
#define FLEET_DEFAULT_MAX_SESSIONS 10u
#define FLEET_DEFAULT_KNOWN_HOSTS_FILE "~/.ssh/known_hosts"

/* What to do with a host key that known_hosts does not record.  A key that
 * differs from a recorded one is refused under every policy. */
typedef enum {
  FLEET_HOST_KEY_POLICY_STRICT,     /* refuse it */
  FLEET_HOST_KEY_POLICY_ACCEPT_NEW, /* record it in the first known_hosts file, then trust it */
} FleetHostKeyPolicy;

/* One managed server and the settings needed to reach it.  Paths may start
 * with "~/", the home directory of whoever runs fleet-run. */
typedef struct {
  char *name;               /* inventory name, unique within a plan */
  char *address;            /* host name or IP address to connect to */
  guint16 port;
  char *user;               /* remote login user; NULL: the local user name */
  GPtrArray *identity_files; /* char *, private key paths tried in order */
  gboolean identities_only; /* offer only identity_files, not every agent key */
  GPtrArray *known_hosts_files; /* char *; empty: FLEET_DEFAULT_KNOWN_HOSTS_FILE */
  FleetHostKeyPolicy host_key_policy;
  gboolean hash_known_hosts; /* accept-new records a hashed name (|1|salt|hash) */
  char *proxy_jump;         /* name of the jump host to tunnel through, or NULL */
  guint32 connect_timeout_ms;
  guint32 keepalive_interval_ms; /* 0: no keepalives */
  guint32 keepalive_count_max;   /* unanswered keepalives before the peer is dead */
  guint32 max_sessions;     /* sessions (channels) the host's sshd allows on one
                               connection, which caps its steps in flight */
  char *key_passphrase_secret;   /* secret name of the identity files' passphrase */
  char *become_password_secret;  /* secret name of the sudo password */
  GHashTable *attributes;   /* char * -> char *, free-form (dc, rack, role) */
  GPtrArray *groups;        /* char *, sorted names of the groups it is in */
  FleetSourcePos pos;
} FleetHost;

/* A step's settings rendered per host (fleet-step-values.h). */
typedef struct FleetStepValues FleetStepValues;

/* A wait for a step on the hosts of a group (fleet-step-barrier.h). */
typedef struct FleetStepBarrier FleetStepBarrier;

/* One step run on every target host: a shell command unless `kind_data`
 * names another kind.  `command` is the shell command, or for other kinds a
 * one-line description shown in plans. */
typedef struct {
  char *name;
  char *command;            /* as written, `{{ }}` references included */
  GHashTable *host_commands; /* char * host name -> char * command with the
                                references rendered for that host; NULL when
                                `command` has no references and runs as is */
  guint64 timeout_ms;       /* 0: no timeout */
  guint64 estimate_ms;      /* IR only: expected run time on one host; 0: not given */
  GArray *expected_exit_codes; /* int; never empty, defaults to {0} */
  gboolean become;          /* run through `sudo -n` */
  char *become_user;        /* NULL: root */
  gboolean idempotent;      /* running it again after a partial run is safe:
                               fleet-run --resume re-runs it when a run
                               stopped while it was in flight */
  char *when;               /* condition (fleet-expr.h) that fleet-run evaluates
                               on each host before the step; NULL: none.  In the
                               IR, the condition as written, whatever it uses */
  GHashTable *skipped_hosts; /* char * host name -> char * reason, the hosts on
                                which the compiler found the condition false;
                                NULL when there are none */
  FleetSourcePos when_pos;  /* IR only: the `when` value */
  GPtrArray *needs;         /* IR only: char *, names of steps that must run
                               first; NULL when none */
  FleetSourcePos needs_pos; /* IR only: the `needs` value */
  FleetSourcePos pos;
  FleetStepKindData *kind_data; /* the step's kind when it is not a shell
                                   command (fleet-step-kind.h); NULL: `run` */
  FleetStepPolicy *policy;  /* retries, env, workdir, changed_when and
                               failed_when (fleet-step-policy.h); NULL: none */
  FleetStepValues *values;  /* settings with `{{ }}` references, rendered per
                               host (fleet-step-values.h); NULL: none */
  GPtrArray *barriers;      /* FleetStepBarrier *, steps this one waits for on the
                               hosts of a group (fleet-step-barrier.h); NULL: none */

  /* Workflow IR only, never in a plan file: the references of `command`
   * (FleetTemplateRef *, fleet-template.h) and the source position of each,
   * in the same order.  NULL when `command` has none. */
  GPtrArray *command_refs;
  GArray *command_ref_positions; /* FleetSourcePos */
} FleetStep;

/* A configuration file read at compile time, and its digest. */
typedef struct {
  char *path;
  char *sha256;             /* hex SHA-256 of the bytes read */
} FleetSourceFile;

FleetSourceFile *fleet_source_file_new (const char *path, const char *sha256);
void fleet_source_file_free (FleetSourceFile *file);

FleetHost *fleet_host_new (const char *name);

/* Replace the list with the single `path` (NULL: empty it). */
void fleet_host_set_identity_file (FleetHost *host, const char *path);
void fleet_host_set_known_hosts_file (FleetHost *host, const char *path);

/* Return the first entry of `strings`, or NULL when it is empty; borrowed. */
const char *fleet_strings_first (const GPtrArray *strings);

/* Return the first known_hosts file of `host`, which accept-new writes to;
 * borrowed, never NULL. */
const char *fleet_host_primary_known_hosts_file (const FleetHost *host);

/* Return the journal and plan name of `policy`: "strict" or "accept-new". */
const char *fleet_host_key_policy_to_string (FleetHostKeyPolicy policy);
gboolean fleet_host_key_policy_from_string (const char *text, FleetHostKeyPolicy *out_policy);
FleetHost *fleet_host_copy (const FleetHost *host);
void fleet_host_free (FleetHost *host);

/* Return the attribute keys of `host`, sorted, as a NULL-terminated array of
 * borrowed strings; free the array (not the strings) with g_free. */
const char **fleet_host_sorted_attribute_keys (const FleetHost *host);

FleetStep *fleet_step_new (const char *name, const char *command);
FleetStep *fleet_step_copy (const FleetStep *step);
void fleet_step_free (FleetStep *step);

/* Return the command that `step` runs on the host called `host_name`:
 * its rendered command when it has one, else `command`; borrowed. */
const char *fleet_step_command_for_host (const FleetStep *step, const char *host_name);

/* Return the keys of `table` (char * -> anything) sorted, as a
 * NULL-terminated array of borrowed strings (free the array with g_free),
 * or NULL when `table` is NULL. */
const char **fleet_sorted_string_keys (GHashTable *table);

/* Return the host names of step->host_commands sorted, as a
 * NULL-terminated array of borrowed strings (free the array with g_free),
 * or NULL when the step has no per-host commands. */
const char **fleet_step_sorted_command_hosts (const FleetStep *step);

/* Return whether `exit_code` is one of the step's expected exit codes. */
gboolean fleet_step_expects_exit_code (const FleetStep *step, int exit_code);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (FleetSourceFile, fleet_source_file_free)
G_DEFINE_AUTOPTR_CLEANUP_FUNC (FleetHost, fleet_host_free)
G_DEFINE_AUTOPTR_CLEANUP_FUNC (FleetStep, fleet_step_free)

G_END_DECLS
