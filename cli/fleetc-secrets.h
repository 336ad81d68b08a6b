/* fleetc-secrets.h: the `fleetc secrets` command, which manages the
 * encrypted secret store (schema/fleet-secret-store.h). */
#pragma once

/* Run `fleetc secrets ...` with argv[0] = "secrets".  Returns the exit
 * status: 0 success, 1 the store could not be used, 2 usage or input
 * errors. */
int fleetc_secrets_main (int argc, char **argv);
