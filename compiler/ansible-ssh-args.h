/* ansible-ssh-args.h: the proxy options in the SSH arguments of an Ansible
 * host (ansible_ssh_common_args, ansible_ssh_extra_args).
 *
 * Ansible passes these words to ssh(1), so a host behind a bastion is
 * usually written with `-o ProxyJump=bastion`, `-J bastion` or
 * `-o ProxyCommand="ssh -W %h:%p bastion"`.  fleetc passes no options to
 * SSH.  It must still not connect directly to a host that the inventory
 * routes through a bastion, so the proxy options are read here:
 *
 *   -J LIST, -JLIST, -o ProxyJump=LIST, -o "ProxyJump LIST"  -> the jump list
 *   -o ProxyCommand=none                                      -> "none"
 *   -o ProxyCommand=COMMAND                                   -> an error
 *
 * The words are split as Python's shlex.split does (g_shell_parse_argv),
 * option letters are read as ssh(1)'s getopt reads them, and `-o` keywords
 * match without regard to case.  As in ssh, the first proxy option given
 * wins.
 */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

#define FLEET_SSH_ARGS_ERROR (fleet_ssh_args_error_quark ())

typedef enum {
  FLEET_SSH_ARGS_ERROR_SYNTAX,        /* the words cannot be split (an unclosed quote) */
  FLEET_SSH_ARGS_ERROR_PROXY_COMMAND, /* a ProxyCommand other than none */
  FLEET_SSH_ARGS_ERROR_INVALID,       /* an option without its argument */
} FleetSshArgsError;

GQuark fleet_ssh_args_error_quark (void);

/* The proxy options found in one argument string. */
typedef struct {
  char *proxy_jump;           /* the jump list, "none", or NULL when no proxy option is given */
  gboolean other_options;     /* words other than proxy options are present */
} FleetSshArgs;

void fleet_ssh_args_clear (FleetSshArgs *args);

/* Read the proxy options of `text` into `out`, which the caller has zeroed
 * and clears.  Returns FALSE with an error in the FLEET_SSH_ARGS_ERROR
 * domain whose message names what to write instead. */
gboolean fleet_ssh_args_scan (const char *text, FleetSshArgs *out, GError **error);

G_END_DECLS
