/* fleet-known-hosts.h: fleetc's own known_hosts engine.
 *
 * fleetc checks every host key with this module before it sends any
 * credential, because libssh 0.10.6 accepts a key that a @revoked line names
 * and lacks several OpenSSH line forms.  The module never calls libssh: it
 * takes the key type name ("ssh-ed25519", "ecdsa-sha2-nistp256", "ssh-rsa")
 * and the public key blob in SSH wire format, as ssh_pki_export_pubkey_blob()
 * returns it.  The base64 text of that blob is the key field of a
 * known_hosts line.
 *
 * Line format, as in the sshd(8) section "SSH_KNOWN_HOSTS FILE FORMAT":
 *
 *   [@revoked|@cert-authority] HOSTS KEYTYPE BASE64-KEY [COMMENT]
 *
 * HOSTS is a comma-separated list of patterns.  A pattern is a name, an
 * address or "[name]:port", and may use the wildcards `*` and `?`.  A pattern
 * that starts with `!` is negated: when it matches, the whole line does not
 * apply to the host, even if another pattern of the line matches.  HOSTS may
 * instead be one hashed name, "|1|SALT|HASH", where HASH is the HMAC-SHA1 of
 * the name keyed by SALT (both 20 bytes, base64).  Names compare without
 * regard to ASCII case.  Blank lines and lines starting with `#` are
 * comments; any other line that does not parse is skipped and recorded (see
 * fleet_known_hosts_get_malformed()).
 *
 * Lookup name.  A host on port 22 is looked up as its plain name, and a host
 * on any other port as "[name]:port", so a plain pattern matches port 22
 * only.  Callers pass the name the administrator wrote in the inventory (the
 * host's address setting, or its name when it has none), lowercased or not.
 * OpenSSH looks up its HostKeyAlias or the name given on the command line
 * the same way.  It also checks the resolved IP address when CheckHostIP is
 * set, and fleetc does not.
 *
 * Verdicts, in the order they are decided:
 *
 * - REVOKED: a @revoked line has the presented key.  Such a key is rejected
 *   for every host, whatever the host patterns of that line or other lines
 *   say.  OpenSSH scopes a @revoked line to its host patterns; fleetc is
 *   stricter because sshd(8) says a revoked key is never accepted.
 * - MATCH: a plain line for the host has the presented key.  Several lines,
 *   several key types and several keys of one type may be recorded for a
 *   host; any of them matches.
 * - CHANGED: plain lines exist for the host and none has the presented key.
 *   This includes the case where the recorded keys are all of other types
 *   (`other_types_only` is then set).  OpenSSH treats a key of a new type as
 *   unknown, so accept-new would record it next to the old ones; fleetc
 *   rejects it instead, because a man in the middle chooses the key type.
 *   Callers should offer the recorded types first during key exchange
 *   (fleet_known_hosts_get_key_types()), so that a host with only an ECDSA
 *   key recorded presents that key even if it also has an Ed25519 key.
 * - CERT_AUTHORITY_UNSUPPORTED: a @cert-authority line matches the host,
 *   and the host has no plain line or presents a certificate.  fleetc does
 *   not verify host certificates, so such a host is rejected until its own
 *   key is added.  A certificate never matches a plain line either.
 * - UNKNOWN: no line applies to the host.
 *
 * Threads.  A table may be checked from several threads at once, also while
 * another thread adds to it: every function takes the table's lock (shared
 * for checks, exclusive for loading and adding).  The malformed-line list is
 * the exception: read it after loading and before other threads use the
 * table.
 *
 * Ownership.  The table copies every string it is given.  Check results
 * own their strings and may outlive the table.
 */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

#define FLEET_KNOWN_HOSTS_ERROR (fleet_known_hosts_error_quark ())

typedef enum {
  FLEET_KNOWN_HOSTS_ERROR_IO,           /* a file could not be read or written */
  FLEET_KNOWN_HOSTS_ERROR_INVALID_KEY,  /* the blob is not a public key of the given type */
  FLEET_KNOWN_HOSTS_ERROR_INVALID_HOST, /* the host name cannot be written to a line */
  FLEET_KNOWN_HOSTS_ERROR_HOST_KNOWN,   /* add: the host already has other keys or a CA */
  FLEET_KNOWN_HOSTS_ERROR_REVOKED,      /* add: a @revoked line has the key */
} FleetKnownHostsError;

GQuark fleet_known_hosts_error_quark (void);

/* Files larger than this are rejected by fleet_known_hosts_load(). */
#define FLEET_KNOWN_HOSTS_MAX_FILE_BYTES (64u * 1024 * 1024)

typedef enum {
  FLEET_HOST_KEY_MATCH,
  FLEET_HOST_KEY_UNKNOWN,
  FLEET_HOST_KEY_CHANGED,
  FLEET_HOST_KEY_REVOKED,
  FLEET_HOST_KEY_CERT_AUTHORITY_UNSUPPORTED,
} FleetHostKeyVerdict;

/* Return the name of `verdict`, e.g. "changed", for logs and tests. */
const char *fleet_host_key_verdict_name (FleetHostKeyVerdict verdict);

/* One known_hosts line, as a check result reports it. */
typedef struct {
  char *file;               /* the path passed to fleet_known_hosts_load() */
  guint line;               /* counted from 1 */
  char *key_type;           /* the line's key type field */
  char *fingerprint;        /* "SHA256:" and unpadded base64, as ssh-keygen -l prints */
} FleetKnownHostsEntry;

/* The outcome of fleet_known_hosts_check(). */
typedef struct {
  FleetHostKeyVerdict verdict;
  char *lookup_name;        /* lowercase "name" or "[name]:port" */
  char *presented_key_type;
  char *presented_fingerprint;
  FleetKnownHostsEntry *entry; /* MATCH: the matching line; REVOKED: the
                                * @revoked line; otherwise NULL */
  GPtrArray *recorded;      /* FleetKnownHostsEntry *, in file order.  CHANGED:
                             * every plain line for the host.
                             * CERT_AUTHORITY_UNSUPPORTED: the matching
                             * @cert-authority lines.  Otherwise empty. */
  gboolean other_types_only; /* CHANGED: no recorded key has the presented type */
  char *message;            /* NULL for MATCH; otherwise an error message that
                             * names the host, the keys, the files and lines,
                             * and what the administrator should do */
} FleetHostKeyCheck;

void fleet_host_key_check_free (FleetHostKeyCheck *check);

/* A line that was skipped because it does not parse. */
typedef struct {
  char *file;
  guint line;
  char *reason;             /* e.g. "unknown marker \"@weird\"", values quoted and escaped */
} FleetKnownHostsMalformedLine;

typedef struct FleetKnownHosts FleetKnownHosts;

/* Create an empty table. */
FleetKnownHosts *fleet_known_hosts_new (void);

void fleet_known_hosts_free (FleetKnownHosts *table);

/* Read the known_hosts file at `path` into `table`.  Call it once per file:
 * the user's files first, then the global one (the order only affects the
 * order in which results list lines).  A file that does not exist is empty
 * and not an error; loading a path a second time does nothing.  Fails with
 * FLEET_KNOWN_HOSTS_ERROR_IO, naming the path, when the file exists but
 * cannot be read, is a directory or exceeds
 * FLEET_KNOWN_HOSTS_MAX_FILE_BYTES; the table is then unchanged. */
gboolean fleet_known_hosts_load (FleetKnownHosts *table, const char *path, GError **error);

/* Return the lines skipped so far as malformed, in load order; borrowed
 * array of FleetKnownHostsMalformedLine *, valid until the next load or
 * add. */
const GPtrArray *fleet_known_hosts_get_malformed (const FleetKnownHosts *table);

/* Check the key that `host` presents on `port`.  `blob` is the public key in
 * SSH wire format, and `key_type` must be the type name it starts with.
 * Returns a result to free with fleet_host_key_check_free(), or NULL with
 * FLEET_KNOWN_HOSTS_ERROR_INVALID_KEY when the blob does not start with
 * `key_type`. */
FleetHostKeyCheck *fleet_known_hosts_check (FleetKnownHosts *table,
                                            const char *host,
                                            guint16 port,
                                            const char *key_type,
                                            const guint8 *blob,
                                            gsize blob_length,
                                            GError **error);

/* Return the key types of the plain lines for `host` on `port`, in file
 * order without repeats, so the caller can prefer them in key exchange.
 * Free with g_strfreev; empty when no line applies. */
char **fleet_known_hosts_get_key_types (FleetKnownHosts *table, const char *host, guint16 port);

/* Append a line for a key seen for the first time (accept-new) to the file
 * at `path`, and add it to the table so later checks in this run match.
 *
 * The line reads "NAME KEYTYPE BASE64" with NAME the lookup name (lowercase,
 * "[name]:port" for ports other than 22), or a "|1|SALT|HASH" name when
 * `hash` is set.  The file is loaded first when it was not.  It is created
 * with mode 0600, its missing directories with 0700; an existing file keeps
 * its mode.  The line is written with one write(2) to a descriptor opened
 * with O_APPEND and then synced, so appends from several threads or
 * processes never interleave.  When the file does not end with a newline,
 * one is written before the line.
 *
 * Returns TRUE without writing when the key already matches.  Otherwise it
 * writes nothing and fails with:
 * - FLEET_KNOWN_HOSTS_ERROR_HOST_KNOWN when the host has other keys or a
 *   @cert-authority line, because a changed key is never replaced;
 * - FLEET_KNOWN_HOSTS_ERROR_REVOKED when the key is revoked;
 * - FLEET_KNOWN_HOSTS_ERROR_INVALID_HOST when the name contains characters
 *   other than letters, digits and ".-_:%";
 * - FLEET_KNOWN_HOSTS_ERROR_INVALID_KEY as fleet_known_hosts_check() does,
 *   and for host certificates;
 * - FLEET_KNOWN_HOSTS_ERROR_IO when the file cannot be read or written. */
gboolean fleet_known_hosts_add (FleetKnownHosts *table,
                                const char *path,
                                const char *host,
                                guint16 port,
                                const char *key_type,
                                const guint8 *blob,
                                gsize blob_length,
                                gboolean hash,
                                GError **error);

/* Return the SHA-256 fingerprint of a public key blob as ssh-keygen -l
 * prints it: "SHA256:" and unpadded base64.  Free with g_free. */
char *fleet_known_hosts_fingerprint (const guint8 *blob, gsize blob_length);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (FleetKnownHosts, fleet_known_hosts_free)
G_DEFINE_AUTOPTR_CLEANUP_FUNC (FleetHostKeyCheck, fleet_host_key_check_free)

G_END_DECLS
