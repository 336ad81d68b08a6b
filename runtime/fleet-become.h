/* fleet-become.h: the remote command line of a step that runs through
 * sudo, and what sudo's refusals mean. */
#pragma once

#include <glib.h>

#include "runtime/fleet-transport.h"
#include "schema/fleet-model.h"

G_BEGIN_DECLS

/* Return `command` as the remote command line of `step`: unchanged without
 * become; with become, run by `sh -c` under sudo.  `sudo -n` is used when
 * the host has no password secret, which fails at once instead of waiting
 * for a password no one can type; with `with_password`, `sudo -S`, which
 * reads the password from the channel's standard input (never from argv
 * or the environment), with an empty prompt so nothing of it reaches the
 * step's output, and a shell that drops the password and the marker before
 * the command starts (fleet_become_append_stdin).  Free with g_free. */
char *fleet_become_command_line (const FleetStep *step, const char *command, gboolean with_password);

/* Append to `input` what goes first on the standard input of a command
 * line built `with_password`: `password_line` (ending in a newline), then
 * a marker line.  The command's own input follows.  sudo reads the password
 * line only when it asks for a password (not with NOPASSWD, cached
 * credentials or a root login); the shell that sudo starts then reads up
 * to and including the marker and drops it, so the password never reaches
 * the command, whether sudo read it or not. */
void fleet_become_append_stdin (GByteArray *input, const char *password_line);

/* What sudo did with a command, judged from the end of its standard error. */
typedef enum {
  FLEET_BECOME_RAN,                /* sudo ran the command, or the step has no become */
  FLEET_BECOME_PASSWORD_REQUIRED,  /* sudo asked for a password it was not given */
  FLEET_BECOME_PASSWORD_INCORRECT, /* sudo rejected the password given */
  FLEET_BECOME_NEEDS_TERMINAL,     /* sudoers has requiretty for the login user */
  FLEET_BECOME_USER_UNKNOWN,       /* the host has no user called become_user */
} FleetBecomeVerdict;

/* Judge a remote command of `step` that ended with `failure` and
 * `exit_status`; `stderr_tail` is the end of its standard error.  A refusal
 * is sudo's exit status 1 with its message, and the command never ran
 * then.  NOTE: a command that itself exits with 1 after printing one of
 * sudo's messages is taken for a refusal. */
FleetBecomeVerdict fleet_become_judge (const FleetStep *step, FleetFailure failure,
                                       int exit_status, const char *stderr_tail);

/* Return the failure of a refusal `verdict` (not FLEET_BECOME_RAN) of
 * `step` on `host`, and set `out_message` to what happened and what to do;
 * free it with g_free.  FLEET_BECOME_RAN is a programming error. */
FleetFailure fleet_become_refusal (FleetBecomeVerdict verdict, const FleetStep *step,
                                   const FleetHost *host, char **out_message);

G_END_DECLS
