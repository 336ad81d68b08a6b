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
 * step's output.  Free with g_free. */
char *fleet_become_command_line (const FleetStep *step, const char *command, gboolean with_password);

G_END_DECLS
