/* test-auth.c: public key authentication of fleet-run against real sshd
 * servers on 127.0.0.1.
 *
 * Covers every private key format and cipher that ssh-keygen writes,
 * passphrases from a secret lookup, the distinct errors for a key that
 * cannot be used, ssh-agent, OpenSSH user certificates, the server's
 * authentication limits, and a credential withdrawn between two steps.
 * The keys are generated at test time by tests/data/auth/make-keys.sh.
 */
#include <signal.h>
#include <string.h>
#include <sys/wait.h>

#include <gio/gio.h>
#include <glib/gstdio.h>

#include "runtime/fleet-executor.h"
#include "tests/sandbox.h"

/* Sandbox hosts by role.  A host with sshd settings of its own serves only
 * the test that sets them, which leaves them in place.  A host whose log a
 * test reads serves only that test too. */
enum {
  HOST_FORMATS,
  HOST_LOG_CHECKED,
  HOST_CERTIFICATES,
  HOST_MAX_AUTH_TRIES,
  HOST_TWO_METHODS,
  HOST_RECONNECT,
  HOST_GENERAL,
  HOST_INTERRUPTED,
  SANDBOX_HOSTS
};

#define KEY_PASSPHRASE "correct horse battery staple"

/* One sandbox and one set of keys serve every test of this file: starting
 * sshd servers and generating RSA keys are the slow parts. */
static FleetSandbox *shared_sandbox;
static char *key_dir;

typedef struct {
  FleetPlan *plan;
  char *run_dir;
  FleetRunOptions options;
  FleetRunResult *result;
} Fixture;

/* Secrets */

/* Sandbox host whose sessions the "end-sessions-first" secret kills before
 * it returns the passphrase, in the middle of authentication. */
static guint interrupted_host = HOST_INTERRUPTED;

static void kill_sessions (guint index);

static char *
lookup_test_secret (const char *name, gpointer user_data, GError **error)
{
  if (g_str_equal (name, "key-passphrase"))
    return g_strdup (KEY_PASSPHRASE);
  if (g_str_equal (name, "wrong-passphrase"))
    return g_strdup ("not the passphrase");
  if (g_str_equal (name, "end-sessions-first"))
    {
      kill_sessions (*(const guint *) user_data);
      return g_strdup (KEY_PASSPHRASE);
    }

  g_set_error (error, G_IO_ERROR, G_IO_ERROR_NOT_FOUND, "the test store has no secret named %s",
               name);
  return NULL;
}

/* Fixture */

static void
fixture_set_up (Fixture *fixture, gconstpointer data)
{
  g_autoptr(GError) error = NULL;

  fixture->plan = fleet_plan_new ();
  fixture->plan->workflow_name = g_strdup ("auth-test");
  fixture->plan->parallelism = 8;
  fixture->run_dir = g_dir_make_tmp ("fleet-auth-run-XXXXXX", &error);
  g_assert_no_error (error);

  fixture->options.run_id = "auth-test-run";
  fixture->options.run_dir = fixture->run_dir;
  fixture->options.secret_func = lookup_test_secret;
  fixture->options.secret_data = &interrupted_host;
}

static void
fixture_tear_down (Fixture *fixture, gconstpointer data)
{
  fleet_run_result_free (fixture->result);
  fleet_plan_free (fixture->plan);
  fleet_test_remove_tree (fixture->run_dir);
  g_free (fixture->run_dir);
}

static char *
key_path (const char *name)
{
  return g_build_filename (key_dir, name, NULL);
}

/* Run ssh-keygen with `args` (NULL-terminated) and fail the test unless it
 * succeeds. */
static void
run_keygen (const char * const *args)
{
  g_autoptr(GPtrArray) argv = g_ptr_array_new ();
  g_autofree char *err = NULL;

  g_ptr_array_add (argv, (gpointer) "ssh-keygen");
  g_ptr_array_add (argv, (gpointer) "-q");
  for (const char * const *arg = args; *arg != NULL; arg++)
    g_ptr_array_add (argv, (gpointer) *arg);
  g_ptr_array_add (argv, NULL);

  if (fleet_test_spawn ((const char * const *) argv->pdata, NULL, &err) != 0)
    g_error ("ssh-keygen %s failed: %s", args[0], err);
}

/* Generate an unencrypted ed25519 key `name` in the key directory. */
static char *
make_key (const char *name)
{
  char *path = key_path (name);

  run_keygen ((const char *[]) { "-t", "ed25519", "-N", "", "-C", name, "-f", path, NULL });
  return path;
}

static void
append_authorized_key (const char *private_key)
{
  g_autofree char *authorized = fleet_sandbox_path (shared_sandbox, "authorized_keys");
  g_autofree char *public_path = g_strconcat (private_key, ".pub", NULL);
  g_autofree char *line = NULL;
  g_autofree char *before = NULL;
  g_autofree char *after = NULL;

  g_assert_true (g_file_get_contents (public_path, &line, NULL, NULL));
  g_assert_true (g_file_get_contents (authorized, &before, NULL, NULL));
  after = g_strconcat (before, line, NULL);
  g_assert_true (g_file_set_contents (authorized, after, -1, NULL));
}

/* Remove the line of `private_key`'s public key from authorized_keys. */
static void
remove_authorized_key (const char *private_key)
{
  g_autofree char *authorized = fleet_sandbox_path (shared_sandbox, "authorized_keys");
  g_autofree char *public_path = g_strconcat (private_key, ".pub", NULL);
  g_autofree char *line = NULL;
  g_autofree char *contents = NULL;
  g_autoptr(GString) kept = g_string_new (NULL);
  g_auto(GStrv) lines = NULL;

  g_assert_true (g_file_get_contents (public_path, &line, NULL, NULL));
  g_strstrip (line);
  g_assert_true (g_file_get_contents (authorized, &contents, NULL, NULL));
  lines = g_strsplit (contents, "\n", -1);
  for (char **each = lines; *each != NULL; each++)
    if (**each != '\0' && !g_str_equal (*each, line))
      g_string_append_printf (kept, "%s\n", *each);

  g_assert_cmpuint (kept->len, <, strlen (contents));
  g_assert_true (g_file_set_contents (authorized, kept->str, -1, NULL));
}

/* Generate the keys of make-keys.sh once and authorize their public
 * halves on every sandbox host. */
static void
make_format_keys (void)
{
  g_autofree char *script = fleet_test_source_path ("tests/data/auth/make-keys.sh");
  const char *argv[] = { "sh", script, key_dir, KEY_PASSPHRASE, NULL };
  g_autofree char *err = NULL;
  g_autoptr(GDir) dir = NULL;
  const char *name;

  if (fleet_test_spawn (argv, NULL, &err) != 0)
    g_error ("make-keys.sh failed: %s", err);

  dir = g_dir_open (key_dir, 0, NULL);
  g_assert_nonnull (dir);
  while ((name = g_dir_read_name (dir)) != NULL)
    {
      g_autofree char *private_name = g_strndup (name, strlen (name) - strlen (".pub"));
      g_autofree char *private_key = key_path (private_name);

      if (g_str_has_suffix (name, ".pub") && !g_str_equal (private_name, "mismatched-pub"))
        append_authorized_key (private_key);
    }
}

static gboolean
require_sandbox (void)
{
  g_autofree char *reason = NULL;
  g_autoptr(GError) error = NULL;

  if (shared_sandbox != NULL)
    return TRUE;
  if (!fleet_sandbox_available (&reason))
    {
      g_test_skip (reason);
      return FALSE;
    }

  shared_sandbox = fleet_sandbox_up (SANDBOX_HOSTS);
  key_dir = g_dir_make_tmp ("fleet-auth-keys-XXXXXX", &error);
  g_assert_no_error (error);
  make_format_keys ();
  return TRUE;
}

/* Return a host record named `name` for sandbox host `index`, with the
 * identity files in `identities` (NULL-terminated key names or absolute
 * paths). */
static FleetHost *
auth_host (guint index, const char *name, const char * const *identities)
{
  FleetHost *host = fleet_sandbox_host (shared_sandbox, index, "id_ed25519");

  g_free (host->name);
  host->name = g_strdup (name);
  g_ptr_array_set_size (host->identity_files, 0);
  for (const char * const *identity = identities; *identity != NULL; identity++)
    g_ptr_array_add (host->identity_files, g_path_is_absolute (*identity)
                                             ? g_strdup (*identity) : key_path (*identity));
  return host;
}

static FleetHost *
add_host (Fixture *fixture, guint index, const char *name, const char * const *identities)
{
  FleetHost *host = auth_host (index, name, identities);

  g_ptr_array_add (fixture->plan->hosts, host);
  return host;
}

static void
add_step (Fixture *fixture, const char *name, const char *command)
{
  FleetStep *step = fleet_step_new (name, command);

  step->timeout_ms = 30000;
  g_ptr_array_add (fixture->plan->steps, step);
}

/* Run the plan with every host in one wave.  A plan without steps gets one
 * that does nothing. */
static void
run_plan (Fixture *fixture)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *journal = g_build_filename (fixture->run_dir, "journal.jsonl", NULL);
  FleetWave *wave = fleet_wave_new ();

  /* A test may run its plan more than once in one run directory. */
  g_unlink (journal);
  g_clear_pointer (&fixture->result, fleet_run_result_free);
  g_ptr_array_set_size (fixture->plan->waves, 0);
  if (fixture->plan->steps->len == 0)
    add_step (fixture, "noop", "true");
  for (guint32 i = 0; i < fixture->plan->hosts->len; i++)
    g_array_append_val (wave->host_indices, i);
  /* Each host's own outcome is under test, so no failure halts the run. */
  wave->halt_failed = FLEET_THRESHOLD_NEVER;
  wave->halt_unreachable = FLEET_THRESHOLD_NEVER;
  g_ptr_array_add (fixture->plan->waves, wave);

  fixture->result = fleet_execute_plan (fixture->plan, &fixture->options, &error);
  g_assert_no_error (error);
  g_assert_nonnull (fixture->result);

  for (guint i = 0; i < fixture->result->hosts->len; i++)
    {
      const FleetHostResult *host = g_ptr_array_index (fixture->result->hosts, i);

      if (host->message != NULL)
        g_test_message ("%s: %s", host->host->name, host->message);
    }
}

static const FleetHostResult *
host_result (const Fixture *fixture, const char *name)
{
  for (guint i = 0; i < fixture->result->hosts->len; i++)
    {
      const FleetHostResult *host = g_ptr_array_index (fixture->result->hosts, i);

      if (g_str_equal (host->host->name, name))
        return host;
    }
  g_error ("no host named %s in the run", name);
}

static void
assert_logged_in (const Fixture *fixture, const char *name)
{
  const FleetHostResult *host = host_result (fixture, name);

  if (host->outcome != FLEET_HOST_SUCCEEDED)
    g_error ("host %s did not log in: %s", name, host->message);
  g_assert_null (host->message);
}

/* Assert that host `name` failed with `failure` and that its message
 * contains each of the NULL-terminated `parts`. */
static void
assert_failed (const Fixture *fixture, const char *name, FleetFailure failure,
               const char * const *parts)
{
  const FleetHostResult *host = host_result (fixture, name);

  g_assert_cmpint (host->outcome, ==, FLEET_HOST_FAILED);
  g_assert_cmpstr (fleet_failure_code (host->failure), ==, fleet_failure_code (failure));
  g_assert_cmpuint (host->failed_step, ==, G_MAXUINT);
  for (const char * const *part = parts; *part != NULL; part++)
    if (strstr (host->message, *part) == NULL)
      g_error ("the message of %s lacks \"%s\": %s", name, *part, host->message);
}

/* Server side */

static char *
host_file (guint index, const char *file)
{
  g_autofree char *name = fleet_sandbox_host_name (shared_sandbox, index);
  g_autofree char *relative = g_build_filename ("hosts", name, file, NULL);

  return fleet_sandbox_path (shared_sandbox, relative);
}

static gsize
log_size (guint index)
{
  g_autofree char *path = host_file (index, "sshd.log");
  GStatBuf info;

  return g_stat (path, &info) == 0 ? (gsize) info.st_size : 0;
}

/* Return what sshd of host `index` logged after `offset`. */
static char *
log_since (guint index, gsize offset)
{
  g_autofree char *path = host_file (index, "sshd.log");
  g_autofree char *contents = NULL;
  gsize length = 0;

  g_assert_true (g_file_get_contents (path, &contents, &length, NULL));
  g_assert_cmpuint (length, >=, offset);
  return g_strdup (contents + offset);
}

/* Give sandbox host `index` the sshd settings `text` and restart it. */
static void
set_sshd_extra (guint index, const char *text)
{
  g_autofree char *path = host_file (index, "sshd_config.extra");

  g_assert_true (g_file_set_contents (path, text, -1, NULL));
  fleet_sandbox_control (shared_sandbox, "stop", index);
  fleet_sandbox_control (shared_sandbox, "start", index);
}

/* Return "SHA256:..." of the public key file `public_path`, as ssh-keygen
 * computes it. */
static char *
keygen_fingerprint (const char *public_path)
{
  const char *argv[] = { "ssh-keygen", "-l", "-E", "sha256", "-f", public_path, NULL };
  g_autofree char *out = NULL;
  g_auto(GStrv) fields = NULL;

  g_assert_cmpint (fleet_test_spawn (argv, &out, NULL), ==, 0);
  fields = g_strsplit (out, " ", 3);
  g_assert_true (g_str_has_prefix (fields[1], "SHA256:"));
  return g_strdup (fields[1]);
}

/* Read the state letter, the parent and the start time (in clock ticks
 * since boot) of process `pid` from procfs.  Returns FALSE when the process
 * is gone. */
static gboolean
read_process (gint64 pid, char *out_state, gint64 *out_parent, guint64 *out_start)
{
  g_autofree char *path = g_strdup_printf ("/proc/%" G_GINT64_FORMAT "/stat", pid);
  g_autofree char *stat = NULL;
  g_auto(GStrv) fields = NULL;
  const char *after_name;

  if (!g_file_get_contents (path, &stat, NULL, NULL))
    return FALSE;

  /* "PID (NAME) STATE PPID ... STARTTIME ...", where NAME may contain
   * anything; STARTTIME is the 22nd field, the 20th after NAME. */
  after_name = strrchr (stat, ')');
  g_assert_nonnull (after_name);
  fields = g_strsplit (after_name + 2, " ", 21);
  g_assert_cmpuint (g_strv_length (fields), >=, 20);
  *out_state = fields[0][0];
  *out_parent = g_ascii_strtoll (fields[1], NULL, 10);
  *out_start = g_ascii_strtoull (fields[19], NULL, 10);
  return TRUE;
}

/* A process is still running when procfs has it under the same start
 * time (a reused PID is another process) and it is not a zombie, which
 * has closed its sockets already. */
static gboolean
process_running (gint64 pid, guint64 start, char *out_state)
{
  gint64 parent;
  guint64 now_start;

  return read_process (pid, out_state, &parent, &now_start) && now_start == start
         && *out_state != 'Z' && *out_state != 'X';
}

/* Kill every process that sandbox host `index`'s sshd listener started
 * (its connections and their sessions) and wait until they are gone, so
 * that the sockets of their connections are closed. */
typedef struct {
  gint64 pid;
  guint64 start;
} ProcessId;

static void
kill_sessions (guint index)
{
  g_autofree char *pid_file = host_file (index, "sshd.pid");
  g_autofree char *text = NULL;
  g_autoptr(GArray) family = g_array_new (FALSE, FALSE, sizeof (ProcessId));
  g_autoptr(GDir) proc = g_dir_open ("/proc", 0, NULL);
  const char *entry;
  ProcessId listener = { 0, 0 };
  gboolean grew = TRUE;

  g_assert_true (g_file_get_contents (pid_file, &text, NULL, NULL));
  listener.pid = g_ascii_strtoll (text, NULL, 10);
  g_assert_cmpint (listener.pid, >, 1);
  g_array_append_val (family, listener);

  /* Descendants, found by repeated passes over the parent links. */
  while (grew)
    {
      grew = FALSE;
      g_dir_rewind (proc);
      while ((entry = g_dir_read_name (proc)) != NULL)
        {
          ProcessId process = { g_ascii_strtoll (entry, NULL, 10), 0 };
          gint64 parent = 0;
          char state;
          gboolean known_parent = FALSE;
          gboolean known = FALSE;

          if (process.pid <= 0 || !read_process (process.pid, &state, &parent, &process.start))
            continue;

          for (guint i = 0; i < family->len; i++)
            {
              known_parent |= g_array_index (family, ProcessId, i).pid == parent;
              known |= g_array_index (family, ProcessId, i).pid == process.pid;
            }
          if (known_parent && !known)
            {
              g_array_append_val (family, process);
              grew = TRUE;
            }
        }
    }

  for (guint i = 1; i < family->len; i++)
    kill ((pid_t) g_array_index (family, ProcessId, i).pid, SIGKILL);

  /* The signal is sent again on every poll: a process that was forking
   * during the first kill may still be finishing its exit. */
  for (guint i = 1; i < family->len; i++)
    {
      ProcessId *process = &g_array_index (family, ProcessId, i);
      char state = '?';
      guint tries = 0;

      while (process_running (process->pid, process->start, &state) && tries++ < 1000)
        {
          kill ((pid_t) process->pid, SIGKILL);
          g_usleep (10 * 1000);
        }
      if (process_running (process->pid, process->start, &state))
        g_error ("process %" G_GINT64_FORMAT " of sandbox host %u is still in state %c "
                 "10 s after SIGKILL", process->pid, index, state);
    }
}

/* ssh-agent */

/* Start ssh-agent on a socket in the run directory with the private keys
 * `keys` (NULL-terminated; may be empty) and point SSH_AUTH_SOCK at it.
 * Returns its PID. */
static GPid
start_agent (Fixture *fixture, const char * const *keys)
{
  g_autofree char *socket_path = g_build_filename (fixture->run_dir, "agent.sock", NULL);
  const char *argv[] = { "ssh-agent", "-D", "-a", socket_path, NULL };
  g_autoptr(GError) error = NULL;
  GPid pid;

  g_spawn_async (NULL, (char **) argv, NULL,
                 G_SPAWN_SEARCH_PATH | G_SPAWN_DO_NOT_REAP_CHILD | G_SPAWN_STDOUT_TO_DEV_NULL,
                 NULL, NULL, &pid, &error);
  g_assert_no_error (error);

  for (guint i = 0; i < 500 && !g_file_test (socket_path, G_FILE_TEST_EXISTS); i++)
    g_usleep (10 * 1000);
  g_assert_true (g_file_test (socket_path, G_FILE_TEST_EXISTS));
  g_setenv ("SSH_AUTH_SOCK", socket_path, TRUE);

  for (const char * const *key = keys; *key != NULL; key++)
    {
      g_autofree char *path = key_path (*key);
      const char *add[] = { "ssh-add", "-q", path, NULL };

      g_assert_cmpint (fleet_test_spawn (add, NULL, NULL), ==, 0);
    }
  return pid;
}

static void
stop_agent (GPid pid)
{
  g_unsetenv ("SSH_AUTH_SOCK");
  kill (pid, SIGTERM);
  waitpid (pid, NULL, 0);
  g_spawn_close_pid (pid);
}

/* Key formats and ciphers */

/* Each key file format and cipher that ssh-keygen writes logs in, with the
 * passphrase from the secret lookup where the file is encrypted, and each
 * login is made with that very key, as the server's log shows.  Every RSA
 * login proves rsa-sha2-256/512 signatures: OpenSSH 9.2 rejects ssh-rsa
 * (SHA-1) by default.  The AEAD ciphers, which libssh 0.10.6 cannot
 * decrypt, fail up front and name the cipher. */
static void
test_formats_log_in (Fixture *fixture, gconstpointer data)
{
  const char *accepted[] = {
    "ed25519-plain", "ed25519-aes256-ctr-bcrypt16", "rsa-openssh-plain", "rsa-pem-plain",
    "rsa-pem-encrypted", "rsa-pkcs8-plain", "rsa-pkcs8-encrypted", "ecdsa256-plain",
    "ecdsa384-pem-plain", "ecdsa521-aes256-ctr", "ed25519-3des-cbc", "ed25519-aes128-cbc",
    "ed25519-aes192-cbc", "ed25519-aes256-cbc", "ed25519-aes128-ctr", "ed25519-aes192-ctr",
    "ed25519-aes256-ctr",
  };
  const char *unsupported[] = {
    "aes128-gcm@openssh.com", "aes256-gcm@openssh.com", "chacha20-poly1305@openssh.com",
  };
  gsize offset;
  g_autofree char *log = NULL;

  if (!require_sandbox ())
    return;

  for (guint i = 0; i < G_N_ELEMENTS (accepted); i++)
    add_host (fixture, HOST_FORMATS, accepted[i], (const char *[]) { accepted[i], NULL })
      ->key_passphrase_secret = g_strdup ("key-passphrase");
  for (guint i = 0; i < G_N_ELEMENTS (unsupported); i++)
    {
      g_autofree char *key = g_strconcat ("ed25519-", unsupported[i], NULL);

      add_host (fixture, HOST_FORMATS, unsupported[i], (const char *[]) { key, NULL })
        ->key_passphrase_secret = g_strdup ("key-passphrase");
    }
  /* A second host with the same file gets the key loaded for the first. */
  add_host (fixture, HOST_FORMATS, "ed25519-plain-again", (const char *[]) { "ed25519-plain", NULL })
    ->key_passphrase_secret = g_strdup ("key-passphrase");

  offset = log_size (HOST_FORMATS);
  run_plan (fixture);
  log = log_since (HOST_FORMATS, offset);

  for (guint i = 0; i < G_N_ELEMENTS (accepted); i++)
    {
      g_autofree char *public_path = g_strdup_printf ("%s/%s.pub", key_dir, accepted[i]);
      g_autofree char *fingerprint = keygen_fingerprint (public_path);

      assert_logged_in (fixture, accepted[i]);
      if (strstr (log, fingerprint) == NULL)
        g_error ("the sshd log has no login with %s (%s)", accepted[i], fingerprint);
    }
  assert_logged_in (fixture, "ed25519-plain-again");

  for (guint i = 0; i < G_N_ELEMENTS (unsupported); i++)
    assert_failed (fixture, unsupported[i], FLEET_FAILURE_KEY_UNSUPPORTED,
                   (const char *[]) { "is encrypted with cipher \"", unsupported[i],
                                      "which the SSH library (libssh 0.10", "cannot decrypt",
                                      "ssh-keygen -p -Z aes256-ctr", NULL });
  g_assert_null (strstr (log, "Failed publickey"));
}

/* A wrong passphrase and a public file of another key are found before any
 * key is sent, so the server counts no failed attempt. */
static void
test_unusable_keys_not_sent (Fixture *fixture, gconstpointer data)
{
  gsize offset;
  g_autofree char *log = NULL;
  g_autofree char *mismatched = NULL;

  if (!require_sandbox ())
    return;

  add_host (fixture, HOST_LOG_CHECKED, "wrong-passphrase",
            (const char *[]) { "wrong-passphrase", NULL })
    ->key_passphrase_secret = g_strdup ("wrong-passphrase");
  add_host (fixture, HOST_LOG_CHECKED, "mismatched-pub",
            (const char *[]) { "mismatched-pub", NULL });

  offset = log_size (HOST_LOG_CHECKED);
  run_plan (fixture);
  log = log_since (HOST_LOG_CHECKED, offset);

  assert_failed (fixture, "wrong-passphrase", FLEET_FAILURE_KEY_PASSPHRASE,
                 (const char *[]) { "cannot decrypt identity file ", "/wrong-passphrase (aes256-ctr)",
                                    "the passphrase in secret \"wrong-passphrase\" is wrong",
                                    NULL });
  mismatched = key_path ("mismatched-pub");
  assert_failed (fixture, "mismatched-pub", FLEET_FAILURE_IDENTITY_FILE,
                 (const char *[]) { mismatched, "are not a key pair",
                                    "ssh-keygen -y -f ", NULL });

  /* Both hosts connected, and neither offered a key. */
  g_assert_nonnull (strstr (log, "Connection from 127.0.0.1"));
  g_assert_null (strstr (log, "Failed publickey"));
  g_assert_null (strstr (log, "Accepted publickey"));
}

/* An encrypted key with no way to its passphrase fails with a message that
 * names the setting to fix. */
static void
test_passphrase_sources (Fixture *fixture, gconstpointer data)
{
  FleetHost *unknown_secret;

  if (!require_sandbox ())
    return;

  add_host (fixture, HOST_GENERAL, "no-secret-named",
            (const char *[]) { "ed25519-aes256-ctr-bcrypt16", NULL });
  unknown_secret = add_host (fixture, HOST_GENERAL, "unknown-secret",
                             (const char *[]) { "ed25519-aes256-ctr-bcrypt16", NULL });
  unknown_secret->key_passphrase_secret = g_strdup ("no-such-secret");
  run_plan (fixture);

  assert_failed (fixture, "no-secret-named", FLEET_FAILURE_KEY_PASSPHRASE,
                 (const char *[]) { "is encrypted (aes256-ctr)",
                                    "host no-secret-named names no passphrase secret",
                                    "set the host's key_passphrase_secret", "ssh-agent", NULL });
  assert_failed (fixture, "unknown-secret", FLEET_FAILURE_KEY_PASSPHRASE,
                 (const char *[]) { "cannot read secret \"no-such-secret\"",
                                    "the test store has no secret named no-such-secret", NULL });

  /* A run with no secret lookup at all. */
  fixture->options.secret_func = NULL;
  run_plan (fixture);
  assert_failed (fixture, "unknown-secret", FLEET_FAILURE_KEY_PASSPHRASE,
                 (const char *[]) { "needs the passphrase secret \"no-such-secret\"",
                                    "no secret store", NULL });
}

/* Write `length` bytes of `contents` to `name` in the run directory and
 * return its path. */
static char *
write_run_file (Fixture *fixture, const char *name, const char *contents, gssize length)
{
  char *path = g_build_filename (fixture->run_dir, name, NULL);

  g_assert_true (g_file_set_contents (path, contents, length, NULL));
  return path;
}

/* An "openssh-key-v1" envelope whose cipher field is `cipher`. */
static char *
envelope_with_cipher (const char *cipher)
{
  g_autoptr(GByteArray) blob = g_byte_array_new ();
  guint32 length = GUINT32_TO_BE (strlen (cipher));
  g_autofree char *base64 = NULL;

  g_byte_array_append (blob, (const guint8 *) "openssh-key-v1", sizeof "openssh-key-v1");
  g_byte_array_append (blob, (const guint8 *) &length, 4);
  g_byte_array_append (blob, (const guint8 *) cipher, strlen (cipher));
  base64 = g_base64_encode (blob->data, blob->len);
  return g_strdup_printf ("-----BEGIN OPENSSH PRIVATE KEY-----\n%s\n"
                          "-----END OPENSSH PRIVATE KEY-----\n", base64);
}

/* Files that are no usable key fail with the file's cause, and a host that
 * lists several reports them all, classified by the first. */
static void
test_damaged_key_files (Fixture *fixture, gconstpointer data)
{
  g_autofree char *missing = g_build_filename (fixture->run_dir, "no-such-key", NULL);
  g_autofree char *large_text = g_strnfill (100 * 1024, 'k');
  g_autofree char *large = write_run_file (fixture, "large", large_text, -1);
  g_autofree char *no_end = write_run_file (fixture, "no-end",
                                            "-----BEGIN OPENSSH PRIVATE KEY-----\nb3Blbg==\n", -1);
  g_autofree char *bad_magic = write_run_file (fixture, "bad-magic",
                                               "-----BEGIN OPENSSH PRIVATE KEY-----\n"
                                               "bm90LWFuLW9wZW5zc2gta2V5\n"
                                               "-----END OPENSSH PRIVATE KEY-----\n", -1);
  g_autofree char *truncated = write_run_file (fixture, "truncated",
                                               "-----BEGIN OPENSSH PRIVATE KEY-----\n"
                                               "b3BlbnNzaC1rZXktdjEAAAAA\n"
                                               "-----END OPENSSH PRIVATE KEY-----\n", -1);
  g_autofree char *odd_cipher_text = envelope_with_cipher ("rot13\x01-cbc");
  g_autofree char *odd_cipher = write_run_file (fixture, "odd-cipher", odd_cipher_text, -1);
  g_autofree char *under_file = g_build_filename (large, "key", NULL);
  g_autofree char *user_expected = g_strdup_printf ("authentication as %s failed; ",
                                                    g_get_user_name ());
  FleetHost *several;

  if (!require_sandbox ())
    return;

  add_host (fixture, HOST_GENERAL, "missing", (const char *[]) { missing, NULL });
  add_host (fixture, HOST_GENERAL, "missing-again", (const char *[]) { missing, NULL });
  add_host (fixture, HOST_GENERAL, "directory", (const char *[]) { fixture->run_dir, NULL });
  add_host (fixture, HOST_GENERAL, "large", (const char *[]) { large, NULL });
  add_host (fixture, HOST_GENERAL, "no-end", (const char *[]) { no_end, NULL });
  add_host (fixture, HOST_GENERAL, "bad-magic", (const char *[]) { bad_magic, NULL });
  add_host (fixture, HOST_GENERAL, "truncated", (const char *[]) { truncated, NULL });
  add_host (fixture, HOST_GENERAL, "odd-cipher", (const char *[]) { odd_cipher, NULL });
  add_host (fixture, HOST_GENERAL, "under-a-file", (const char *[]) { under_file, NULL });
  several = add_host (fixture, HOST_GENERAL, "several",
                      (const char *[]) { missing, "ed25519-aes256-ctr-bcrypt16", large, NULL });
  /* No user: the login user is the local one. */
  g_clear_pointer (&several->user, g_free);
  run_plan (fixture);

  assert_failed (fixture, "missing", FLEET_FAILURE_IDENTITY_FILE,
                 (const char *[]) { "cannot read identity file ", "/no-such-key: it does not exist",
                                    NULL });
  g_assert_cmpstr (host_result (fixture, "missing-again")->message, ==,
                   host_result (fixture, "missing")->message);
  assert_failed (fixture, "directory", FLEET_FAILURE_IDENTITY_FILE,
                 (const char *[]) { "it is not a regular file", NULL });
  assert_failed (fixture, "large", FLEET_FAILURE_IDENTITY_FILE,
                 (const char *[]) { "larger than 64 KiB", NULL });
  for (guint i = 0; i < 3; i++)
    assert_failed (fixture, (const char *[]) { "no-end", "bad-magic", "truncated" }[i],
                   FLEET_FAILURE_KEY_UNSUPPORTED,
                   (const char *[]) { "is not a private key the SSH library (libssh 0.10", NULL });
  assert_failed (fixture, "odd-cipher", FLEET_FAILURE_KEY_UNSUPPORTED,
                 (const char *[]) { "encrypted with cipher \"rot13\\x01-cbc\"", NULL });
  assert_failed (fixture, "under-a-file", FLEET_FAILURE_IDENTITY_FILE,
                 (const char *[]) { "/large/key: ", "Not a directory", NULL });
  assert_failed (fixture, "several", FLEET_FAILURE_IDENTITY_FILE,
                 (const char *[]) { user_expected, "tried: cannot read identity file ",
                                    "it does not exist; identity file ",
                                    "names no passphrase secret",
                                    "or load the key into ssh-agent; cannot read identity file ",
                                    "larger than 64 KiB", NULL });
}

/* A key the server rejects is named by its fingerprint, which matches
 * ssh-keygen's; a later identity file that the server accepts logs in. */
static void
test_rejected_then_accepted (Fixture *fixture, gconstpointer data)
{
  g_autofree char *stranger = NULL;
  g_autofree char *stranger_public = NULL;
  g_autofree char *fingerprint = NULL;
  g_autofree char *expected = NULL;
  g_autofree char *accepted_fingerprint = NULL;
  g_autofree char *log = NULL;
  g_autofree char *plain_public = key_path ("ed25519-plain.pub");
  const char *failed_line;
  const char *accepted_line;
  gsize offset;

  if (!require_sandbox ())
    return;

  stranger = make_key ("stranger");
  stranger_public = g_strconcat (stranger, ".pub", NULL);
  fingerprint = keygen_fingerprint (stranger_public);
  accepted_fingerprint = keygen_fingerprint (plain_public);

  add_host (fixture, HOST_LOG_CHECKED, "rejected", (const char *[]) { stranger, NULL });
  add_host (fixture, HOST_LOG_CHECKED, "second-accepted",
            (const char *[]) { stranger, "ed25519-plain", NULL });
  fixture->plan->parallelism = 1;
  offset = log_size (HOST_LOG_CHECKED);
  run_plan (fixture);
  log = log_since (HOST_LOG_CHECKED, offset);

  expected = g_strdup_printf ("tried: %s (ssh-ed25519 %s): rejected by the server", stranger,
                              fingerprint);
  assert_failed (fixture, "rejected", FLEET_FAILURE_AUTH_FAILED,
                 (const char *[]) { "authentication as ", expected, NULL });
  assert_logged_in (fixture, "second-accepted");

  /* The server saw the rejected key, then the accepted one. */
  failed_line = strstr (log, "Failed publickey");
  g_assert_nonnull (failed_line);
  g_assert_nonnull (strstr (failed_line, fingerprint));
  accepted_line = strstr (log, "Accepted publickey");
  g_assert_nonnull (accepted_line);
  g_assert_true (accepted_line > failed_line);
  g_assert_nonnull (strstr (accepted_line, accepted_fingerprint));
}

/* ssh-agent comes first unless the host sets identities_only; a rejected
 * agent key does not hide the identity file's own cause. */
static void
test_agent_and_identity_files (Fixture *fixture, gconstpointer data)
{
  g_autofree char *stranger = NULL;
  FleetHost *only_files;
  FleetHost *only_agent_out;
  FleetHost *passphrase_wrong;
  GPid agent;

  if (!require_sandbox ())
    return;

  stranger = make_key ("agent-stranger");
  add_host (fixture, HOST_GENERAL, "agent-only", (const char *[]) { NULL });
  only_files = add_host (fixture, HOST_GENERAL, "identities-only",
                         (const char *[]) { stranger, NULL });
  only_files->identities_only = TRUE;
  only_agent_out = add_host (fixture, HOST_GENERAL, "identities-only-none",
                             (const char *[]) { NULL });
  only_agent_out->identities_only = TRUE;
  passphrase_wrong = add_host (fixture, HOST_GENERAL, "agent-then-wrong-passphrase",
                               (const char *[]) { "wrong-passphrase", NULL });
  passphrase_wrong->key_passphrase_secret = g_strdup ("wrong-passphrase");

  agent = start_agent (fixture, (const char *[]) { "ed25519-plain", NULL });
  run_plan (fixture);
  stop_agent (agent);

  assert_logged_in (fixture, "agent-only");
  assert_failed (fixture, "identities-only", FLEET_FAILURE_AUTH_FAILED,
                 (const char *[]) { "tried: ", "/agent-stranger (ssh-ed25519 SHA256:", NULL });
  g_assert_null (strstr (host_result (fixture, "identities-only")->message, "ssh-agent"));
  assert_failed (fixture, "identities-only-none", FLEET_FAILURE_AUTH_FAILED,
                 (const char *[]) { "tried: the host sets identities_only, which keeps "
                                    "ssh-agent out, and no identity file is set for it", NULL });

  /* The agent's key is accepted, so the identity file is never needed. */
  assert_logged_in (fixture, "agent-then-wrong-passphrase");

  /* With an agent that holds only a key the server rejects, the identity
   * file's wrong passphrase is the failure. */
  agent = start_agent (fixture, (const char *[]) { "agent-stranger", NULL });
  run_plan (fixture);
  stop_agent (agent);
  assert_failed (fixture, "agent-then-wrong-passphrase", FLEET_FAILURE_KEY_PASSPHRASE,
                 (const char *[]) { "tried: ssh-agent: no key the server accepts; cannot decrypt",
                                    "is wrong", NULL });
  assert_failed (fixture, "agent-only", FLEET_FAILURE_AUTH_FAILED,
                 (const char *[]) { "tried: ssh-agent: no key the server accepts; "
                                    "no identity file is set for the host", NULL });

  /* No agent at all. */
  run_plan (fixture);
  assert_failed (fixture, "agent-only", FLEET_FAILURE_AUTH_FAILED,
                 (const char *[]) { "tried: no ssh-agent is running and no identity file is "
                                    "set for the host", NULL });
}

/* With identities_only, the agent's copy of an identity file's key (matched
 * by PATH.pub) is used, as OpenSSH does, here for a file libssh cannot
 * decrypt; the agent's other keys are never offered. */
static void
test_identities_only_agent_copy (Fixture *fixture, gconstpointer data)
{
  g_autofree char *plain = NULL;
  g_autofree char *stranger = NULL;
  g_autofree char *encrypted = NULL;
  g_autofree char *plain_public = NULL;
  g_autofree char *encrypted_public = NULL;
  g_autofree char *key_text = NULL;
  g_autofree char *public_text = NULL;
  g_autofree char *fingerprint = NULL;
  g_autofree char *log = NULL;
  g_autofree char *missing_socket = NULL;
  g_autofree char *missing_key = NULL;
  g_autofree char *long_socket = NULL;
  g_autofree char *expected = NULL;
  FleetHost *host;
  gsize offset;
  GPid agent;

  if (!require_sandbox ())
    return;

  plain = make_key ("agent-copy");
  stranger = make_key ("agent-copy-stranger");
  append_authorized_key (plain);
  encrypted = key_path ("agent-copy-chacha");
  plain_public = g_strconcat (plain, ".pub", NULL);
  encrypted_public = g_strconcat (encrypted, ".pub", NULL);
  g_assert_true (g_file_get_contents (plain, &key_text, NULL, NULL));
  g_assert_true (g_file_set_contents (encrypted, key_text, -1, NULL));
  g_assert_cmpint (g_chmod (encrypted, 0600), ==, 0);
  g_assert_true (g_file_get_contents (plain_public, &public_text, NULL, NULL));
  g_assert_true (g_file_set_contents (encrypted_public, public_text, -1, NULL));
  run_keygen ((const char *[]) { "-p", "-P", "", "-N", "agent-copy-passphrase",
                                 "-Z", "chacha20-poly1305@openssh.com", "-f", encrypted, NULL });

  host = add_host (fixture, HOST_GENERAL, "agent-copy", (const char *[]) { encrypted, NULL });
  host->identities_only = TRUE;

  agent = start_agent (fixture, (const char *[]) { "agent-copy-stranger", "agent-copy", NULL });
  offset = log_size (HOST_GENERAL);
  run_plan (fixture);
  log = log_since (HOST_GENERAL, offset);

  assert_logged_in (fixture, "agent-copy");
  fingerprint = keygen_fingerprint (plain_public);
  g_assert_nonnull (strstr (log, fingerprint));
  g_assert_null (strstr (log, "Failed publickey"));

  /* Without PATH.pub, the public key comes from the openssh-key-v1 file,
   * which keeps it unencrypted; a missing file gives the agent nothing. */
  g_assert_cmpint (g_unlink (encrypted_public), ==, 0);
  missing_key = key_path ("agent-copy-missing");
  host = add_host (fixture, HOST_GENERAL, "agent-copy-missing",
                   (const char *[]) { missing_key, NULL });
  host->identities_only = TRUE;
  run_plan (fixture);
  assert_logged_in (fixture, "agent-copy");
  assert_failed (fixture, "agent-copy-missing", FLEET_FAILURE_IDENTITY_FILE,
                 (const char *[]) { "tried: cannot read identity file ", "does not exist", NULL });
  g_ptr_array_remove_index (fixture->plan->hosts, fixture->plan->hosts->len - 1);

  /* An agent without the key: the file's own cause, and no agent note.  A
   * key the agent does hold is offered, and noted when rejected. */
  host = add_host (fixture, HOST_GENERAL, "agent-copy-rejected",
                   (const char *[]) { stranger, NULL });
  host->identities_only = TRUE;
  stop_agent (agent);
  agent = start_agent (fixture, (const char *[]) { "agent-copy-stranger", NULL });
  run_plan (fixture);
  stop_agent (agent);
  assert_failed (fixture, "agent-copy", FLEET_FAILURE_KEY_UNSUPPORTED,
                 (const char *[]) { "tried: identity file ", "chacha20-poly1305", NULL });
  g_assert_null (strstr (host_result (fixture, "agent-copy")->message, "ssh-agent ("));
  assert_failed (fixture, "agent-copy-rejected", FLEET_FAILURE_AUTH_FAILED,
                 (const char *[]) { "tried: ssh-agent (the identity files' keys only, as "
                                    "identities_only says): no key the server accepts; ",
                                    "/agent-copy-stranger (ssh-ed25519 SHA256:", NULL });

  /* An agent socket that cannot be reached leaves the files alone. */
  missing_socket = g_build_filename (fixture->run_dir, "no-agent.sock", NULL);
  long_socket = g_strnfill (200, 'a');
  g_setenv ("SSH_AUTH_SOCK", missing_socket, TRUE);
  run_plan (fixture);
  expected = g_strdup_printf ("tried: cannot connect to ssh-agent at %s: ", missing_socket);
  assert_failed (fixture, "agent-copy", FLEET_FAILURE_KEY_UNSUPPORTED,
                 (const char *[]) { expected, "chacha20-poly1305", NULL });
  g_setenv ("SSH_AUTH_SOCK", long_socket, TRUE);
  run_plan (fixture);
  g_unsetenv ("SSH_AUTH_SOCK");
  assert_failed (fixture, "agent-copy", FLEET_FAILURE_KEY_UNSUPPORTED,
                 (const char *[]) { "the ssh-agent socket path aaaa", "is too long", NULL });
}

/* Certificates */

typedef struct {
  const char *name;           /* the user key, signed into NAME-cert.pub */
  const char *key_type;
  const char *principals;     /* NULL: the login user */
  const char *validity;       /* NULL: forever */
  gboolean other_ca;          /* signed by a CA the server does not trust */
} CertificateCase;

static void
make_certificate (const char *ca, const CertificateCase *certificate)
{
  g_autofree char *key = key_path (certificate->name);
  g_autofree char *public_path = g_strconcat (key, ".pub", NULL);
  g_autofree char *key_id = g_strdup_printf ("fleet-test-%s", certificate->name);
  const char *principals = certificate->principals != NULL ? certificate->principals
                                                           : g_get_user_name ();

  run_keygen ((const char *[]) { "-t", certificate->key_type, "-N", "", "-C", certificate->name,
                                 "-f", key, NULL });
  if (certificate->validity != NULL)
    run_keygen ((const char *[]) { "-s", ca, "-I", key_id, "-n", principals, "-V",
                                   certificate->validity, public_path, NULL });
  else
    run_keygen ((const char *[]) { "-s", ca, "-I", key_id, "-n", principals, public_path, NULL });
}

/* Copy `from` to `to` in the key directory. */
static void
copy_key_file (const char *from, const char *to)
{
  g_autofree char *from_path = key_path (from);
  g_autofree char *to_path = key_path (to);
  g_autofree char *contents = NULL;
  gsize length = 0;

  g_assert_true (g_file_get_contents (from_path, &contents, &length, NULL));
  g_assert_true (g_file_set_contents (to_path, contents, length, NULL));
}

/* A host that trusts a user CA and lists none of these keys in
 * authorized_keys takes a valid certificate, and a rejected certificate is
 * reported as such, with the likely reason. */
static void
test_certificates (Fixture *fixture, gconstpointer data)
{
  const CertificateCase certificates[] = {
    { "cert-ed25519", "ed25519", NULL, NULL, FALSE },
    { "cert-rsa", "rsa", NULL, NULL, FALSE },
    { "cert-ecdsa", "ecdsa", NULL, NULL, FALSE },
    { "cert-expired", "ed25519", NULL, "20200101Z:20200102Z", FALSE },
    { "cert-future", "ed25519", NULL, "+520w:+521w", FALSE },
    { "cert-principal", "ed25519", "somebody-else,nobody", NULL, FALSE },
    { "cert-untrusted", "ed25519", NULL, NULL, TRUE },
  };
  g_autofree char *ca = NULL;
  g_autofree char *other_ca = NULL;
  g_autofree char *ca_setting = NULL;
  g_autofree char *log = NULL;
  g_autofree char *user_expected = NULL;
  g_autofree char *mismatched = NULL;
  g_autofree char *not_a_certificate = NULL;
  g_autofree char *garbage = NULL;
  g_autofree char *garbage_certificate = NULL;
  gsize offset;

  if (!require_sandbox ())
    return;

  ca = make_key ("user-ca");
  other_ca = make_key ("other-ca");
  for (guint i = 0; i < G_N_ELEMENTS (certificates); i++)
    make_certificate (certificates[i].other_ca ? other_ca : ca, &certificates[i]);

  /* A certificate beside a key it does not certify, a plain public key
   * where the certificate belongs, and a file that is no key at all. */
  mismatched = make_key ("cert-mismatched");
  copy_key_file ("cert-ed25519-cert.pub", "cert-mismatched-cert.pub");
  not_a_certificate = make_key ("cert-not-a-certificate");
  copy_key_file ("cert-not-a-certificate.pub", "cert-not-a-certificate-cert.pub");
  garbage = make_key ("cert-garbage");
  garbage_certificate = g_strconcat (garbage, "-cert.pub", NULL);
  g_assert_true (g_file_set_contents (garbage_certificate, "not a certificate\n", -1, NULL));

  ca_setting = g_strdup_printf ("TrustedUserCAKeys %s.pub\n", ca);
  set_sshd_extra (HOST_CERTIFICATES, ca_setting);

  for (guint i = 0; i < G_N_ELEMENTS (certificates); i++)
    add_host (fixture, HOST_CERTIFICATES, certificates[i].name,
              (const char *[]) { certificates[i].name, NULL });
  add_host (fixture, HOST_CERTIFICATES, "cert-mismatched",
            (const char *[]) { "cert-mismatched", NULL });
  add_host (fixture, HOST_CERTIFICATES, "cert-not-a-certificate",
            (const char *[]) { "cert-not-a-certificate", NULL });
  add_host (fixture, HOST_CERTIFICATES, "cert-garbage",
            (const char *[]) { "cert-garbage", "ed25519-plain", NULL });

  offset = log_size (HOST_CERTIFICATES);
  run_plan (fixture);
  log = log_since (HOST_CERTIFICATES, offset);

  for (guint i = 0; i < 3; i++)
    {
      g_autofree char *key_id = g_strdup_printf ("ID fleet-test-%s ", certificates[i].name);

      assert_logged_in (fixture, certificates[i].name);
      g_assert_nonnull (strstr (log, key_id));
    }
  g_assert_nonnull (strstr (log, "Accepted publickey for "));
  g_assert_nonnull (strstr (log, "ED25519-CERT SHA256:"));
  g_assert_nonnull (strstr (log, "RSA-CERT SHA256:"));

  assert_failed (fixture, "cert-expired", FLEET_FAILURE_AUTH_FAILED,
                 (const char *[]) { "tried: certificate ", "/cert-expired-cert.pub of ",
                                    "the server rejected the certificate (key ID "
                                    "\"fleet-test-cert-expired\"); it expired at "
                                    "2020-01-02T00:00:00.000Z; have its CA sign the key again; ",
                                    "/cert-expired (ssh-ed25519 SHA256:",
                                    "): rejected by the server", NULL });
  assert_failed (fixture, "cert-future", FLEET_FAILURE_AUTH_FAILED,
                 (const char *[]) { "(key ID \"fleet-test-cert-future\"); it is not valid "
                                    "before ", NULL });
  user_expected = g_strdup_printf ("the server rejected the certificate (key ID "
                                   "\"fleet-test-cert-principal\"); its principals do not "
                                   "include the login user %s", g_get_user_name ());
  assert_failed (fixture, "cert-principal", FLEET_FAILURE_AUTH_FAILED,
                 (const char *[]) { user_expected, NULL });
  assert_failed (fixture, "cert-untrusted", FLEET_FAILURE_AUTH_FAILED,
                 (const char *[]) { "the server rejected the certificate (key ID "
                                    "\"fleet-test-cert-untrusted\"); check that the server "
                                    "trusts the CA that signed it (TrustedUserCAKeys); "
                                    "ssh-keygen -L -f ", "/cert-untrusted-cert.pub shows", NULL });
  assert_failed (fixture, "cert-mismatched", FLEET_FAILURE_AUTH_FAILED,
                 (const char *[]) { "/cert-mismatched-cert.pub certifies another key, not the "
                                    "one in ", "the key was offered without it; ",
                                    "rejected by the server", NULL });
  g_assert_null (strstr (host_result (fixture, "cert-mismatched")->message,
                         "rejected the certificate"));
  assert_failed (fixture, "cert-not-a-certificate", FLEET_FAILURE_AUTH_FAILED,
                 (const char *[]) { "/cert-not-a-certificate-cert.pub is not an OpenSSH "
                                    "certificate; the key was offered without it", NULL });

  /* An unreadable certificate does not stop the next identity file. */
  assert_logged_in (fixture, "cert-garbage");
}

/* Server limits */

/* A server that ends the login at its MaxAuthTries limit makes an
 * authentication failure that names the limit, from ssh-agent and from
 * identity files alike. */
static void
test_max_auth_tries (Fixture *fixture, gconstpointer data)
{
  g_autofree char *stranger = NULL;
  GPid agent;

  if (!require_sandbox ())
    return;

  stranger = make_key ("limit-stranger");
  set_sshd_extra (HOST_MAX_AUTH_TRIES, "MaxAuthTries 1\n");
  add_host (fixture, HOST_MAX_AUTH_TRIES, "identity-limit",
            (const char *[]) { stranger, "ed25519-plain", NULL });
  run_plan (fixture);
  assert_failed (fixture, "identity-limit", FLEET_FAILURE_AUTH_FAILED,
                 (const char *[]) { "tried: ", "/limit-stranger (ssh-ed25519 SHA256:",
                                    "): the server ended the login with \"Received SSH_MSG_DISCONNECT: ",
                                    "Too many authentication failures",
                                    "MaxAuthTries", "identities_only", NULL });

  g_ptr_array_set_size (fixture->plan->hosts, 0);
  add_host (fixture, HOST_MAX_AUTH_TRIES, "agent-limit", (const char *[]) { "ed25519-plain", NULL });
  agent = start_agent (fixture, (const char *[]) { "limit-stranger", NULL });
  run_plan (fixture);
  stop_agent (agent);

  assert_failed (fixture, "agent-limit", FLEET_FAILURE_AUTH_FAILED,
                 (const char *[]) { "tried: ssh-agent: the server ended the login with \"",
                                    "Too many authentication failures", NULL });
}

/* A key accepted as the first of two required methods is not reported as
 * rejected; with two keys both required publickey steps are done. */
static void
test_two_methods_required (Fixture *fixture, gconstpointer data)
{
  GPid agent;

  if (!require_sandbox ())
    return;

  set_sshd_extra (HOST_TWO_METHODS,
                  "PasswordAuthentication yes\n"
                  "AuthenticationMethods publickey,publickey publickey,password\n");
  add_host (fixture, HOST_TWO_METHODS, "one-key", (const char *[]) { "ed25519-plain", NULL });
  add_host (fixture, HOST_TWO_METHODS, "two-keys",
            (const char *[]) { "ed25519-plain", "ecdsa256-plain", NULL });
  run_plan (fixture);

  assert_failed (fixture, "one-key", FLEET_FAILURE_AUTH_FAILED,
                 (const char *[]) { "/ed25519-plain (ssh-ed25519 SHA256:",
                                    "): accepted as a first step, but the server's "
                                    "AuthenticationMethods require another (publickey or "
                                    "password); fleet-run completes only publickey steps", NULL });
  assert_logged_in (fixture, "two-keys");

  g_ptr_array_set_size (fixture->plan->hosts, 0);
  add_host (fixture, HOST_TWO_METHODS, "agent-one-key", (const char *[]) { NULL });
  agent = start_agent (fixture, (const char *[]) { "ed25519-plain", NULL });
  run_plan (fixture);
  stop_agent (agent);

  assert_failed (fixture, "agent-one-key", FLEET_FAILURE_AUTH_FAILED,
                 (const char *[]) { "tried: ssh-agent: accepted as a first step, but the "
                                    "server's AuthenticationMethods require another", NULL });
}

/* A connection that breaks while a key is being loaded, with no message
 * from the server, is a lost connection rather than a rejected login. */
static void
test_connection_lost_during_authentication (Fixture *fixture, gconstpointer data)
{
  if (!require_sandbox ())
    return;

  add_host (fixture, HOST_INTERRUPTED, "interrupted",
            (const char *[]) { "ed25519-aes256-ctr-bcrypt16", NULL })
    ->key_passphrase_secret = g_strdup ("end-sessions-first");
  run_plan (fixture);

  assert_failed (fixture, "interrupted", FLEET_FAILURE_CONNECTION_LOST,
                 (const char *[]) { "connection lost during authentication, while trying ",
                                    "/ed25519-aes256-ctr-bcrypt16 (ssh-ed25519 SHA256:",
                                    "): \"", NULL });
}

/* Withdrawn credentials */

static const char *withdrawn_key;

/* Before the second step, withdraw the key and end the host's connection,
 * as a key rotation and a restarted server would. */
static void
withdraw_key_before_second_step (const FleetHost *host, guint step, gpointer data)
{
  if (step != 1)
    return;

  remove_authorized_key (withdrawn_key);
  kill_sessions (HOST_RECONNECT);
}

/* The first step runs on the open connection.  The connection is reopened
 * once before the second step, and that login fails because the server
 * rejects the withdrawn key.  The journal records the reconnection. */
static void
test_withdrawn_key_on_reconnect (Fixture *fixture, gconstpointer data)
{
  g_autofree char *key = NULL;
  g_autofree char *journal_path = NULL;
  g_autofree char *journal = NULL;
  const FleetHostResult *host;
  const FleetStepResult *first;
  const FleetStepResult *second;

  if (!require_sandbox ())
    return;

  key = make_key ("withdrawn");
  append_authorized_key (key);
  withdrawn_key = key;

  add_host (fixture, HOST_RECONNECT, "rotated", (const char *[]) { key, NULL });
  add_step (fixture, "first", "echo one");
  add_step (fixture, "second", "echo two");
  fixture->options.before_step = withdraw_key_before_second_step;
  run_plan (fixture);

  host = host_result (fixture, "rotated");
  first = g_ptr_array_index (host->steps, 0);
  second = g_ptr_array_index (host->steps, 1);
  g_assert_cmpint (first->failure, ==, FLEET_FAILURE_NONE);
  g_assert_cmpint (first->exit_status, ==, 0);
  g_assert_cmpstr (first->stdout_tail->str, ==, "one\n");
  g_assert_false (second->started);

  g_assert_cmpint (host->outcome, ==, FLEET_HOST_FAILED);
  g_assert_cmpint (host->failure, ==, FLEET_FAILURE_AUTH_FAILED);
  g_assert_nonnull (strstr (host->message, "/withdrawn (ssh-ed25519 SHA256:"));
  g_assert_nonnull (strstr (host->message, "): rejected by the server"));

  journal_path = g_build_filename (fixture->run_dir, "journal.jsonl", NULL);
  g_assert_true (g_file_get_contents (journal_path, &journal, NULL, NULL));
  g_assert_nonnull (strstr (journal, "\"event\":\"host-reconnect\",\"host\":\"rotated\","
                                     "\"before_step\":2,\"error\":\"connection-lost\""));
  g_assert_nonnull (strstr (journal, "\"event\":\"host-end\",\"host\":\"rotated\","
                                     "\"outcome\":\"failed\",\"error\":\"auth-failed\""));
}

int
main (int argc, char **argv)
{
  int status;

  g_test_init (&argc, &argv, NULL);

  /* Results must not depend on the ssh-agent of the user who runs the tests. */
  g_unsetenv ("SSH_AUTH_SOCK");

#define ADD(path, func) \
  g_test_add (path, Fixture, NULL, fixture_set_up, func, fixture_tear_down)

  ADD ("/auth/key-files/formats-log-in", test_formats_log_in);
  ADD ("/auth/key-files/unusable-not-sent", test_unusable_keys_not_sent);
  ADD ("/auth/key-files/damaged", test_damaged_key_files);
  ADD ("/auth/passphrase/sources", test_passphrase_sources);
  ADD ("/auth/identity-files/rejected-then-accepted", test_rejected_then_accepted);
  ADD ("/auth/agent/order-and-identities-only", test_agent_and_identity_files);
  ADD ("/auth/agent/identities-only-agent-copy", test_identities_only_agent_copy);
  ADD ("/auth/certificate/accepted-and-rejected", test_certificates);
  ADD ("/auth/server/max-auth-tries", test_max_auth_tries);
  ADD ("/auth/server/two-methods-required", test_two_methods_required);
  ADD ("/auth/server/connection-lost", test_connection_lost_during_authentication);
  ADD ("/auth/reconnect/withdrawn-key", test_withdrawn_key_on_reconnect);

  status = g_test_run ();
  fleet_sandbox_free (shared_sandbox);
  if (key_dir != NULL)
    {
      const char *rm[] = { "rm", "-rf", key_dir, NULL };

      fleet_test_spawn (rm, NULL, NULL);
      g_free (key_dir);
    }
  return status;
}
