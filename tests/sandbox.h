/* sandbox.h: a fleet of real sshd servers on 127.0.0.1 for integration tests.
 *
 * Wraps scripts/sandbox-fleet: each sandbox lives in its own temporary
 * directory and is stopped, by the PIDs recorded there, when freed.
 */
#pragma once

#include <glib.h>

#include "schema/fleet-model.h"
#include "tests/test-helpers.h"

typedef struct {
  char *dir;          /* the sandbox directory, removed on free */
  guint n_hosts;
  GPtrArray *ports;   /* GUINT_TO_POINTER (port), host i at index i */
} FleetSandbox;

/* Return whether the programs a sandbox needs are installed; when not, the
 * caller skips its test with g_test_skip and the returned reason. */
gboolean fleet_sandbox_available (char **out_reason);

/* Start `n_hosts` servers.  Aborts the test on failure. */
FleetSandbox *fleet_sandbox_up (guint n_hosts);

void fleet_sandbox_free (FleetSandbox *sandbox);

/* Run `scripts/sandbox-fleet VERB DIR HOST` (stop, start, rekey); aborts the
 * test on failure. */
void fleet_sandbox_control (FleetSandbox *sandbox, const char *verb, guint host_index);

/* Return the name of host `index` (0-based), e.g. "host01".  Free with g_free. */
char *fleet_sandbox_host_name (const FleetSandbox *sandbox, guint index);

/* Return a new host record for host `index`, set up to log in with the
 * client key `key_name` ("id_ed25519", "id_rsa", "id_ecdsa"). */
FleetHost *fleet_sandbox_host (const FleetSandbox *sandbox, guint index, const char *key_name);

/* Return a path inside the sandbox directory.  Free with g_free. */
char *fleet_sandbox_path (const FleetSandbox *sandbox, const char *relative);


G_DEFINE_AUTOPTR_CLEANUP_FUNC (FleetSandbox, fleet_sandbox_free)
