/* fleetc-sign.h: the `fleetc sign` command, which adds an approver's
 * signature to a plan file (schema/fleet-plan-signature.h). */
#pragma once

/* Run `fleetc sign PLAN --key KEY [--comment TEXT] [--expect-sha256 HEX]`
 * with argv[0] = "sign".  Returns the exit status: 0 signed, 2 anything
 * else. */
int fleetc_sign_main (int argc, char **argv);
