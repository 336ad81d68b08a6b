/* ssh-config.h: the OpenSSH client configuration, read at compile time.
 *
 * fleet-run reads only the plan, so fleetc reads the admin's ssh_config(5)
 * file when it compiles and stores what it finds in each host.  Reading
 * follows OpenSSH 9.2:
 *
 *   - Keywords are case-insensitive and written `Keyword value` or
 *     `Keyword=value`.  Values may be quoted with " or ', and a word that
 *     starts with '#' ends the line.
 *   - `Host` starts a block that applies to a name when one of its
 *     patterns matches the name and no negated (`!`) pattern does.  `*` and
 *     `?` are wildcards, and matching is case-sensitive.  Lines before the
 *     first `Host` apply to every name.
 *   - `Match` blocks are not supported: each one gets a warning and its
 *     lines apply to no name.
 *   - `Include` reads files and globs, relative ones from ~/.ssh.  Included
 *     lines belong to the block around the `Include` until the included
 *     file starts its own block, which also requires the outer block to
 *     apply.  Includes nest at most FLEET_SSH_CONFIG_MAX_INCLUDE_DEPTH deep,
 *     a file that includes itself is an error, and a pattern that matches
 *     nothing is skipped, as OpenSSH does.
 *   - For each setting the first value obtained wins, except that the
 *     IdentityFile lines of every matching block accumulate in order.
 *
 * Names are matched as the admin wrote them (the inventory host name), as
 * OpenSSH matches the name given on its command line, never the HostName.
 *
 * Keywords used: HostName, Port, User, IdentityFile, IdentitiesOnly,
 * ProxyJump, ProxyCommand none, UserKnownHostsFile, StrictHostKeyChecking
 * (yes or accept-new), HashKnownHosts, ConnectTimeout, ServerAliveInterval
 * and ServerAliveCountMax.  fleetc rejects the lines that would make fleet-run
 * less safe if it skipped them.  These are ProxyCommand,
 * StrictHostKeyChecking no, off or ask, UserKnownHostsFile none,
 * HostKeyAlias, KnownHostsCommand, RevokedHostKeys, RequiredRSASize,
 * CanonicalizeHostname other than no, and algorithm lists (Ciphers,
 * KexAlgorithms...) that do more than add with '+'.  Every other keyword
 * is reported as unused.
 */
#pragma once

#include <glib.h>

#include "compiler/host-settings.h"
#include "schema/fleet-diagnostics.h"

G_BEGIN_DECLS

/* OpenSSH's own limit on nested Include files. */
#define FLEET_SSH_CONFIG_MAX_INCLUDE_DEPTH 16

typedef struct FleetSshConfig FleetSshConfig;

/* One keyword line of a file; owned by the FleetSshConfig. */
typedef struct {
  char *keyword;              /* as written */
  FleetSourcePos pos;         /* of the keyword */
} FleetSshConfigLine;

/* A line that applies to a name and that fleetc rejects, because skipping
 * it would make fleet-run less safe. */
typedef struct {
  const FleetSshConfigLine *line;
  FleetSetting replaced_by;   /* the setting whose inventory value makes the
                                 line irrelevant, or FLEET_SETTING_COUNT */
  const char *message;        /* why, and what to do; owned by the config */
} FleetSshConfigRejection;

/* The settings that the configuration gives one name.  Borrows from the
 * config. */
typedef struct {
  FleetHostSettings settings; /* the first value obtained for each setting;
                                 paths keep their tokens (has_tokens bits) */
  GPtrArray *unused;          /* const FleetSshConfigLine *, lines of keywords
                                 fleetc does not use, in reading order */
  GPtrArray *rejected;        /* const FleetSshConfigRejection *, in reading
                                 order */
} FleetSshHostConfig;

/* Read the file at `path` and the files it includes.  `check_owner` applies
 * OpenSSH's owner and mode check to `path` itself, as OpenSSH does for
 * ~/.ssh/config but not for a file given with -F; included files are always
 * checked.  Returns a new config, or NULL when an error was added to
 * `diags`.  Match blocks add warnings. */
FleetSshConfig *fleet_ssh_config_load (const char *path,
                                       gboolean check_owner,
                                       FleetDiagnostics *diags);

void fleet_ssh_config_free (FleetSshConfig *config);

/* Return the path given to fleet_ssh_config_load; borrowed. */
const char *fleet_ssh_config_path (const FleetSshConfig *config);

/* Return every file read, FleetSourceFile *, in reading order and each
 * once; borrowed. */
const GPtrArray *fleet_ssh_config_sources (const FleetSshConfig *config);

/* Return the settings, unused lines and rejected lines that apply to
 * `name`.  Free with fleet_ssh_host_config_free before the config. */
FleetSshHostConfig *fleet_ssh_config_lookup (const FleetSshConfig *config, const char *name);

void fleet_ssh_host_config_free (FleetSshHostConfig *host_config);

/* The values of the tokens in IdentityFile and UserKnownHostsFile paths. */
typedef struct {
  const char *name;           /* %n: the name as the admin wrote it */
  const char *address;        /* %h: the address connected to */
  guint16 port;               /* %p */
  const char *remote_user;    /* %r; NULL: the user running fleetc */
} FleetSshTokenValues;

/* Return `path` with its tokens replaced: %% %d %h %n %p %r %u, where %d
 * and %u are the home directory and name of the user running fleetc.  A
 * leading "~/" is kept for fleet-run to expand, as inventory paths are, and
 * a relative path is made absolute from the current directory, which is
 * what ssh would open.  The load already rejected other tokens. */
char *fleet_ssh_config_expand_path (const char *path, const FleetSshTokenValues *values);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (FleetSshConfig, fleet_ssh_config_free)
G_DEFINE_AUTOPTR_CLEANUP_FUNC (FleetSshHostConfig, fleet_ssh_host_config_free)

G_END_DECLS
