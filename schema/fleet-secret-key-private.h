/* fleet-secret-key-private.h: the terminal prompt of fleet-secret-key.h on
 * a device other than /dev/tty.
 *
 * fleet_secret_read_terminal() prompts on /dev/tty.  Tests prompt on other
 * devices through this function, for example on a device that is not a
 * terminal, as /dev/tty is in a sandbox that binds /dev/null in its place.
 */
#pragma once

#include <glib.h>

#include "schema/fleet-secret.h"

G_BEGIN_DECLS

/* Prompt as fleet_secret_read_terminal() does, on the terminal `device`,
 * which the errors name.  NO_TERMINAL also when `device` opens but is not
 * a terminal. */
FleetSecret *fleet_secret_read_terminal_on (const char *device,
                                            const char *prompt,
                                            gsize max_length,
                                            GError **error);

G_END_DECLS
