/* fleet-secret-key.h: reading the secret store's master passphrase, and
 * reading secrets from the terminal with echo off.
 *
 * fleetc and fleet-run take the master passphrase from the first of:
 *   1. a key file: --secrets-key-file FILE, else the FLEETC_SECRETS_KEY_FILE
 *      variable.  The file's content is the passphrase, without one trailing
 *      newline.  Like OpenSSH with private keys, a key file that its group or
 *      other users can access is rejected (PERMISSIONS).
 *   2. the FLEETC_SECRETS_PASSPHRASE variable, for unattended runs.  Once
 *      read, its text is overwritten in place and it is removed from the
 *      environment, so programs this process starts do not inherit it and
 *      /proc/PID/environ no longer shows it.
 *   3. a prompt on /dev/tty with echo off, when the process has a
 *      controlling terminal.
 * With none of these the error is NO_KEY and lists the three.
 *
 * Errors are in the FLEET_SECRET_STORE_ERROR domain.  Every buffer that held
 * a passphrase is a FleetSecret, wiped when freed.
 */
#pragma once

#include <glib.h>

#include "schema/fleet-secret.h"

G_BEGIN_DECLS

#define FLEET_SECRET_KEY_FILE_ENV "FLEETC_SECRETS_KEY_FILE"
#define FLEET_SECRET_PASSPHRASE_ENV "FLEETC_SECRETS_PASSPHRASE"

/* Maximum length of a master passphrase from any source, in bytes. */
#define FLEET_SECRET_PASSPHRASE_MAX 4096

typedef struct {
  const char *key_file;     /* from --secrets-key-file; NULL to consult the environment */
  const char *store_path;   /* the store the passphrase is for, named in prompts and errors */
  gboolean confirm;         /* prompt twice and require equal entries, as when creating */
} FleetSecretKeyOptions;

/* Return the master passphrase from the first available source above.
 * Errors: NO_KEY (no source, or an unreadable key file), PERMISSIONS (key
 * file too open), INVALID_VALUE (empty, too long, or the two entries
 * differ), IO (the prompt was interrupted). */
FleetSecret *fleet_secret_key_read (const FleetSecretKeyOptions *options, GError **error);

/* Return the content of key file `path`, without one trailing newline, after
 * the checks described above. */
FleetSecret *fleet_secret_key_read_file (const char *path, GError **error);

/* Print `prompt` on /dev/tty and read one line with echo off, at most
 * `max_length` bytes without the newline.  Restores the terminal mode on
 * return and when a signal arrives; after SIGTSTP, SIGTTIN or SIGTTOU it
 * prompts again once the process continues.  Errors: NO_TERMINAL (no
 * controlling terminal), INVALID_VALUE (the line is longer than
 * `max_length`), IO (read failure, or a signal whose handler returned). */
FleetSecret *fleet_secret_read_terminal (const char *prompt, gsize max_length, GError **error);

G_END_DECLS
