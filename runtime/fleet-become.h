/* fleet-become.h: the remote command line of a step that runs through sudo. */
#pragma once

#include <glib.h>

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

G_END_DECLS
