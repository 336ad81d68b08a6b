/* fleet-run-secrets.h: the secrets a plan names, read from the secret store
 * before a run starts.
 *
 * Plans name secrets (key passphrases, sudo passwords) and never hold their
 * values.  fleet-run opens the store only when the plan names a secret, asks
 * for the master passphrase once, and checks that every named secret is
 * there before the first connection, so a missing secret is found before
 * any host is touched rather than halfway through a wave.
 */
#pragma once

#include <glib.h>

#include "runtime/fleet-transport.h"
#include "schema/fleet-plan.h"

G_BEGIN_DECLS

typedef struct FleetRunSecrets FleetRunSecrets;

/* Open the store at `store_option` (NULL: $FLEETC_SECRETS or the default
 * path) when `plan` names secrets, with the passphrase from `key_file`
 * (NULL: the environment or a prompt).  Returns a new object, also when the
 * plan names none, or NULL with an error naming what is missing. */
FleetRunSecrets *fleet_run_secrets_open (const FleetPlan *plan, const char *store_option,
                                         const char *key_file, GError **error);

/* The lookup to give the executor; `user_data` is the FleetRunSecrets. */
char *fleet_run_secrets_lookup (const char *name, gpointer user_data, GError **error);

/* Close the store, wiping every value it held. */
void fleet_run_secrets_free (FleetRunSecrets *secrets);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (FleetRunSecrets, fleet_run_secrets_free)

G_END_DECLS
