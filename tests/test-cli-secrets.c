/* test-cli-secrets.c: `fleetc secrets` as an administrator uses it, from
 * scripts (values on standard input) and from a terminal (a pseudo-terminal
 * here, so echo can be checked).
 *
 * Every fleetc runs in a new session without a controlling terminal, unless
 * a test gives it a pseudo-terminal, so no test can prompt on the terminal
 * the suite runs from.  HOME and XDG_CONFIG_HOME point into the fixture.
 */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <termios.h>
#include <unistd.h>

#include <glib.h>
#include <glib/gstdio.h>

#include "schema/fleet-plan.h"
#include "schema/fleet-secret-key.h"
#include "schema/fleet-secret-store.h"
#include "tests/sandbox.h"

static const char master_passphrase[] = "cli master passphrase";

/* Maximum wait for fleetc to print or read something before a test fails.
 * It guards against hanging and is not a performance check. */
#define WAIT_LIMIT_US (60 * G_USEC_PER_SEC)

typedef struct {
  char *dir;
  char *store;           /* dir/store/secrets, the path given with --secrets */
} Fixture;

static void
fixture_set_up (Fixture *fixture, gconstpointer data)
{
  fixture->dir = fleet_test_make_dir ("fleet-cli-secrets-XXXXXX");
  fixture->store = g_build_filename (fixture->dir, "store", "secrets", NULL);
}

static void
fixture_tear_down (Fixture *fixture, gconstpointer data)
{
  fleet_test_remove_tree (fixture->dir);
  g_free (fixture->dir);
  g_free (fixture->store);
}

static char *
fixture_path (const Fixture *fixture, const char *name)
{
  return g_build_filename (fixture->dir, name, NULL);
}

/* Return a value that cannot appear anywhere by chance. */
static char *
make_value (const char *label)
{
  return g_strdup_printf ("%s-%08x%08x", label, g_random_int (), g_random_int ());
}

/* Return fleetc's environment: ours without any FLEETC_ variable, HOME and
 * XDG_CONFIG_HOME in the fixture, cheap scrypt parameters, the master
 * passphrase variable, then `changes`: "NAME=VALUE" sets, "NAME" unsets. */
static char **
make_environment (const Fixture *fixture, const char * const *changes)
{
  g_auto(GStrv) inherited = g_get_environ ();
  g_autofree char *home = fixture_path (fixture, "home");
  g_autofree char *config = fixture_path (fixture, "config");
  char **environment = NULL;

  for (char **entry = inherited; *entry != NULL; entry++)
    if (!g_str_has_prefix (*entry, "FLEETC_"))
      {
        g_autofree char *name = g_strndup (*entry, strcspn (*entry, "="));

        environment = g_environ_setenv (environment, name, *entry + strlen (name) + 1, TRUE);
      }
  if (environment == NULL)
    environment = g_new0 (char *, 1);

  environment = g_environ_setenv (environment, "HOME", home, TRUE);
  environment = g_environ_setenv (environment, "XDG_CONFIG_HOME", config, TRUE);
  environment = g_environ_setenv (environment, FLEET_SECRET_TEST_KDF_N_ENV, "1024", TRUE);
  environment = g_environ_setenv (environment, FLEET_SECRET_PASSPHRASE_ENV, master_passphrase,
                                  TRUE);

  for (const char * const *change = changes; change != NULL && *change != NULL; change++)
    {
      const char *equals = strchr (*change, '=');
      g_autofree char *name = g_strndup (*change, equals != NULL ? equals - *change
                                                                 : (gssize) strlen (*change));

      if (equals != NULL)
        environment = g_environ_setenv (environment, name, equals + 1, TRUE);
      else
        environment = g_environ_unsetenv (environment, name);
    }
  return environment;
}

static char **
make_program_argv (const char *program, const char * const *args)
{
  g_autoptr(GPtrArray) argv = g_ptr_array_new ();
  const char *root = g_getenv ("FLEET_BUILD_ROOT");

  g_assert_nonnull (root);
  g_ptr_array_add (argv, g_build_filename (root, "cli", program, NULL));
  for (const char * const *arg = args; *arg != NULL; arg++)
    g_ptr_array_add (argv, g_strdup (*arg));
  g_ptr_array_add (argv, NULL);
  return (char **) g_ptr_array_free (g_steal_pointer (&argv), FALSE);
}

static char **
make_argv (const char * const *args)
{
  return make_program_argv ("fleetc", args);
}

static void
start_new_session (gpointer data)
{
  setsid ();
}

/* Write `data` to `fd`, ignoring EPIPE from a child that exited without
 * reading its input, because the test checks that child's exit status. */
static void
write_all (int fd, const char *data, gsize length)
{
  while (length > 0)
    {
      ssize_t written = write (fd, data, length);

      if (written < 0 && errno == EINTR)
        continue;
      if (written < 0 && errno == EPIPE)
        return;
      g_assert_cmpint (written, >, 0);
      data += written;
      length -= written;
    }
}

/* Wait until the child has taken everything written to its stdin pipe, or
 * has exited.  Returns whether it is still running. */
static gboolean
wait_until_stdin_read (int stdin_fd, GPid pid)
{
  gint64 deadline = g_get_monotonic_time () + WAIT_LIMIT_US;

  for (;;)
    {
      siginfo_t info = { 0 };
      int pending = 0;

      g_assert_cmpint (ioctl (stdin_fd, FIONREAD, &pending), ==, 0);
      g_assert_cmpint (waitid (P_PID, pid, &info, WEXITED | WNOHANG | WNOWAIT), ==, 0);
      if (info.si_pid == pid)
        return FALSE;
      if (pending == 0)
        return TRUE;
      if (g_get_monotonic_time () > deadline)
        g_error ("fleetc did not read its standard input within %d s",
                 (int) (WAIT_LIMIT_US / G_USEC_PER_SEC));
      g_usleep (5000);
    }
}

static void
assert_file_lacks (const char *path, const char *text)
{
  g_autofree char *contents = NULL;
  gsize length = 0;

  if (!g_file_get_contents (path, &contents, &length, NULL))
    return;
  if (memmem (contents, length, text, strlen (text)) != NULL)
    g_error ("%s contains a secret", path);
}

/* Check that a running fleetc, which has read a secret, shows it neither in
 * its command line nor in its environment, and has started no child that
 * could have received it. */
static void
assert_process_hides (GPid pid, const char * const *secrets)
{
  g_autofree char *cmdline = g_strdup_printf ("/proc/%d/cmdline", pid);
  g_autofree char *environ_path = g_strdup_printf ("/proc/%d/environ", pid);
  g_autofree char *children = g_strdup_printf ("/proc/%d/task/%d/children", pid, pid);
  g_autofree char *child_list = NULL;

  g_assert_true (g_file_test (cmdline, G_FILE_TEST_EXISTS));
  for (const char * const *secret = secrets; *secret != NULL; secret++)
    {
      assert_file_lacks (cmdline, *secret);
      assert_file_lacks (environ_path, *secret);
    }
  if (g_file_get_contents (children, &child_list, NULL, NULL))
    g_assert_cmpstr (child_list, ==, "");
}

/* Read stdout and stderr of a child to their ends. */
static void
read_outputs (int out_fd, int err_fd, char **out_stdout, char **out_stderr)
{
  g_autoptr(GString) out = g_string_new (NULL);
  g_autoptr(GString) err = g_string_new (NULL);
  struct pollfd fds[2] = { { out_fd, POLLIN, 0 }, { err_fd, POLLIN, 0 } };
  GString *buffers[2] = { out, err };
  int open_count = 2;

  while (open_count > 0)
    {
      g_assert_cmpint (poll (fds, 2, WAIT_LIMIT_US / 1000), >, 0);
      for (int i = 0; i < 2; i++)
        {
          char chunk[4096];
          ssize_t got;

          if (fds[i].fd < 0 || fds[i].revents == 0)
            continue;
          got = read (fds[i].fd, chunk, sizeof chunk);
          if (got < 0 && errno == EINTR)
            continue;
          if (got <= 0)
            {
              close (fds[i].fd);
              fds[i].fd = -1;
              open_count--;
              continue;
            }
          g_string_append_len (buffers[i], chunk, got);
        }
    }

  *out_stdout = g_string_free (g_steal_pointer (&out), FALSE);
  *out_stderr = g_string_free (g_steal_pointer (&err), FALSE);
}

/* Run fleet-run with `args` in the fixture's environment. */
static int
run_fleet_run (const Fixture *fixture, const char * const *args, char **out_stdout,
               char **out_stderr)
{
  g_auto(GStrv) argv = make_program_argv ("fleet-run", args);
  g_auto(GStrv) environment = make_environment (fixture, NULL);
  g_autoptr(GError) error = NULL;
  int wait_status = 0;

  g_spawn_sync (NULL, argv, environment, G_SPAWN_DEFAULT, NULL, NULL, out_stdout, out_stderr,
                &wait_status, &error);
  g_assert_no_error (error);
  return WIFEXITED (wait_status) ? WEXITSTATUS (wait_status) : 128 + WTERMSIG (wait_status);
}

/* Run fleetc with `args` and environment `changes`, feeding `input` (NULL:
 * nothing) on stdin.  When `hidden` is not NULL, fleetc's /proc entries are
 * checked for those strings once it has read all of `input`, while it waits
 * for end of file.  Returns the exit status; output is stored in
 * `out_stdout` and `out_stderr` (nullable). */
static int
run_fleetc_checked (const Fixture *fixture,
                    const char * const *args,
                    const char * const *changes,
                    const char *input,
                    const char * const *hidden,
                    char **out_stdout,
                    char **out_stderr)
{
  g_auto(GStrv) argv = make_argv (args);
  g_auto(GStrv) environment = make_environment (fixture, changes);
  g_autoptr(GError) error = NULL;
  g_autofree char *out = NULL;
  g_autofree char *err = NULL;
  int stdin_fd, stdout_fd, stderr_fd;
  int wait_status = 0;
  GPid pid;

  g_spawn_async_with_pipes (NULL, argv, environment, G_SPAWN_DO_NOT_REAP_CHILD,
                            start_new_session, NULL, &pid, &stdin_fd, &stdout_fd, &stderr_fd,
                            &error);
  g_assert_no_error (error);

  if (input != NULL)
    write_all (stdin_fd, input, strlen (input));
  if (hidden != NULL && wait_until_stdin_read (stdin_fd, pid))
    assert_process_hides (pid, hidden);
  close (stdin_fd);

  read_outputs (stdout_fd, stderr_fd, &out, &err);
  g_assert_cmpint (waitpid (pid, &wait_status, 0), ==, pid);
  g_spawn_close_pid (pid);

  if (out_stdout != NULL)
    *out_stdout = g_steal_pointer (&out);
  if (out_stderr != NULL)
    *out_stderr = g_steal_pointer (&err);
  if (WIFEXITED (wait_status))
    return WEXITSTATUS (wait_status);
  return 128 + WTERMSIG (wait_status);
}

static int
run_fleetc (const Fixture *fixture,
            const char * const *args,
            const char * const *changes,
            const char *input,
            char **out_stdout,
            char **out_stderr)
{
  return run_fleetc_checked (fixture, args, changes, input, NULL, out_stdout, out_stderr);
}

static void
assert_contains (const char *text, const char *fragment)
{
  if (strstr (text, fragment) == NULL)
    g_error ("\"%s\" lacks \"%s\"", text, fragment);
}

static void
assert_lacks (const char *text, const char *fragment)
{
  if (strstr (text, fragment) != NULL)
    g_error ("output contains \"%s\"", fragment);
}

/* Create the fixture's store through the CLI. */
static void
init_store (Fixture *fixture)
{
  g_autofree char *out = NULL;
  g_autofree char *err = NULL;

  if (run_fleetc (fixture, (const char *[]) { "secrets", "--secrets", fixture->store, "init",
                                              NULL }, NULL, NULL, &out, &err) != 0)
    g_error ("init failed: %s%s", out, err);
}

static FleetSecretStore *
open_store (const char *path, const char *passphrase)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(FleetSecret) master = fleet_secret_new_from_data (passphrase, strlen (passphrase));
  FleetSecretStore *store = fleet_secret_store_open (path, master, &error);

  g_assert_no_error (error);
  return store;
}

static void
assert_stored (const char *path, const char *name, const char *value, gsize length)
{
  g_autoptr(FleetSecretStore) store = open_store (path, master_passphrase);
  g_autoptr(GError) error = NULL;
  g_autoptr(FleetSecret) stored = fleet_secret_store_lookup (store, name, &error);

  g_assert_no_error (error);
  g_assert_cmpmem (stored->data, stored->length, value, length);
}

/* Set `name` from stdin, checking that the value stays out of fleetc's
 * /proc entries and its output. */
static void
set_from_stdin (Fixture *fixture, const char *name, const char *value)
{
  g_autofree char *input = g_strconcat (value, "\n", NULL);
  const char *hidden[] = { value, master_passphrase, NULL };
  g_autofree char *out = NULL;
  g_autofree char *err = NULL;
  int status;

  status = run_fleetc_checked (fixture, (const char *[]) { "secrets", "--secrets",
                                                           fixture->store, "set", name, NULL },
                               NULL, input, hidden, &out, &err);
  if (status != 0)
    g_error ("set %s failed with %d: %s%s", name, status, out, err);
  assert_contains (out, "Saved secret");
  assert_lacks (out, value);
  assert_lacks (err, value);
}

static void
test_set_list_remove (Fixture *fixture, gconstpointer data)
{
  g_autofree char *zeta = make_value ("zeta");
  g_autofree char *alpha = make_value ("alpha");
  g_autofree char *out = NULL;
  g_autofree char *err = NULL;
  g_autofree char *list_out = NULL;
  g_autofree char *list_err = NULL;

  g_assert_cmpint (run_fleetc (fixture, (const char *[]) { "secrets", "--secrets",
                                                           fixture->store, "init", NULL },
                               NULL, NULL, &out, &err), ==, 0);
  assert_contains (out, "Created secret store");
  assert_contains (err, "warning: " FLEET_SECRET_TEST_KDF_N_ENV " is set");

  set_from_stdin (fixture, "zeta", zeta);
  set_from_stdin (fixture, "alpha", alpha);
  assert_file_lacks (fixture->store, zeta);
  assert_file_lacks (fixture->store, alpha);
  assert_file_lacks (fixture->store, "zeta");
  assert_stored (fixture->store, "zeta", zeta, strlen (zeta));
  assert_stored (fixture->store, "alpha", alpha, strlen (alpha));

  g_assert_cmpint (run_fleetc (fixture, (const char *[]) { "secrets", "list", "--secrets",
                                                           fixture->store, NULL },
                               NULL, NULL, &list_out, &list_err), ==, 0);
  g_assert_cmpstr (list_out, ==, "alpha\nzeta\n");
  g_assert_cmpstr (list_err, ==, "");
  g_clear_pointer (&list_out, g_free);
  g_clear_pointer (&list_err, g_free);

  g_clear_pointer (&out, g_free);
  g_assert_cmpint (run_fleetc (fixture, (const char *[]) { "secrets", "--secrets",
                                                           fixture->store, "remove", "zeta",
                                                           NULL },
                               NULL, NULL, &out, NULL), ==, 0);
  assert_contains (out, "Removed secret \"zeta\"");
  g_assert_cmpint (run_fleetc (fixture, (const char *[]) { "secrets", "--secrets",
                                                           fixture->store, "list", NULL },
                               NULL, NULL, &list_out, &list_err), ==, 0);
  g_assert_cmpstr (list_out, ==, "alpha\n");
}

/* One trailing newline is dropped, so `echo VALUE |` works; a second one is
 * part of the value. */
static void
test_stdin_trailing_newline (Fixture *fixture, gconstpointer data)
{
  g_autofree char *err = NULL;

  init_store (fixture);
  g_assert_cmpint (run_fleetc (fixture, (const char *[]) { "secrets", "--secrets",
                                                           fixture->store, "set", "two", NULL },
                               NULL, "line\n\n", NULL, NULL), ==, 0);
  assert_stored (fixture->store, "two", "line\n", 5);
  g_assert_cmpint (run_fleetc (fixture, (const char *[]) { "secrets", "--secrets",
                                                           fixture->store, "set", "none", NULL },
                               NULL, "bare", NULL, NULL), ==, 0);
  assert_stored (fixture->store, "none", "bare", 4);

  g_assert_cmpint (run_fleetc (fixture, (const char *[]) { "secrets", "--secrets",
                                                           fixture->store, "set", "empty",
                                                           NULL },
                               NULL, "\n", NULL, &err), ==, 2);
  assert_contains (err, "the value for secret \"empty\" on standard input is empty");
}

/* A value on the command line is rejected, and the store left alone. */
static void
test_value_not_from_argv (Fixture *fixture, gconstpointer data)
{
  g_autofree char *before = NULL;
  g_autofree char *after = NULL;
  g_autofree char *err = NULL;

  init_store (fixture);
  g_assert_true (g_file_get_contents (fixture->store, &before, NULL, NULL));
  g_assert_cmpint (run_fleetc (fixture, (const char *[]) { "secrets", "--secrets",
                                                           fixture->store, "set", "name",
                                                           "value", NULL },
                               NULL, "ignored", NULL, &err), ==, 2);
  assert_contains (err, "never from the command line");
  g_assert_true (g_file_get_contents (fixture->store, &after, NULL, NULL));
  g_assert_cmpstr (before, ==, after);
}

/* A missing store is reported before any passphrase is asked for. */
static void
test_store_missing (Fixture *fixture, gconstpointer data)
{
  g_autofree char *err = NULL;

  g_assert_cmpint (run_fleetc (fixture, (const char *[]) { "secrets", "--secrets",
                                                           fixture->store, "list", NULL },
                               (const char *[]) { FLEET_SECRET_PASSPHRASE_ENV, NULL }, NULL,
                               NULL, &err), ==, 1);
  assert_contains (err, "does not exist; create it with `fleetc secrets init`");
  assert_lacks (err, "no master passphrase");
}

static void
test_no_key_source (Fixture *fixture, gconstpointer data)
{
  g_autofree char *err = NULL;

  init_store (fixture);
  g_assert_cmpint (run_fleetc (fixture, (const char *[]) { "secrets", "--secrets",
                                                           fixture->store, "list", NULL },
                               (const char *[]) { FLEET_SECRET_PASSPHRASE_ENV, NULL }, NULL,
                               NULL, &err), ==, 2);
  assert_contains (err, "no master passphrase for secret store");
  assert_contains (err, "--secrets-key-file FILE");
  assert_contains (err, FLEET_SECRET_KEY_FILE_ENV);
  assert_contains (err, FLEET_SECRET_PASSPHRASE_ENV);
}

static void
test_wrong_passphrase (Fixture *fixture, gconstpointer data)
{
  g_autofree char *out = NULL;
  g_autofree char *err = NULL;

  init_store (fixture);
  g_assert_cmpint (run_fleetc (fixture, (const char *[]) { "secrets", "--secrets",
                                                           fixture->store, "list", NULL },
                               (const char *[]) { FLEET_SECRET_PASSPHRASE_ENV "=guess", NULL },
                               NULL, &out, &err), ==, 1);
  g_assert_cmpstr (out, ==, "");
  assert_contains (err, "the master passphrase is wrong, or the file was damaged or tampered "
                        "with");
}

/* OpenSSL configured with a random generator it cannot load: creating a
 * store and saving a secret both fail with the generator named, and the
 * existing store stays as it was. */
static void
test_random_generator_fails (Fixture *fixture, gconstpointer data)
{
  g_autofree char *config = fixture_path (fixture, "openssl.cnf");
  g_autofree char *config_change = g_strconcat ("OPENSSL_CONF=", config, NULL);
  g_autofree char *other_store = fixture_path (fixture, "other-secrets");
  g_autofree char *before = NULL;
  g_autofree char *after = NULL;
  g_autofree char *err = NULL;
  g_autofree char *set_err = NULL;
  const char *changes[] = { config_change, NULL };

  g_assert_true (g_file_set_contents (config,
                                      "openssl_conf = openssl_init\n"
                                      "[openssl_init]\n"
                                      "random = random_section\n"
                                      "[random_section]\n"
                                      "random = NO-SUCH-DRBG\n", -1, NULL));

  g_assert_cmpint (run_fleetc (fixture, (const char *[]) { "secrets", "--secrets", other_store,
                                                           "init", NULL },
                               changes, NULL, NULL, &err), ==, 1);
  assert_contains (err, "the random number generator failed");
  g_assert_false (g_file_test (other_store, G_FILE_TEST_EXISTS));

  init_store (fixture);
  g_assert_true (g_file_get_contents (fixture->store, &before, NULL, NULL));
  g_assert_cmpint (run_fleetc (fixture, (const char *[]) { "secrets", "--secrets",
                                                           fixture->store, "set", "token", NULL },
                               changes, "value\n", NULL, &set_err), ==, 1);
  assert_contains (set_err, "the random number generator failed");
  g_assert_true (g_file_get_contents (fixture->store, &after, NULL, NULL));
  g_assert_cmpstr (after, ==, before);
}

static void
test_key_file (Fixture *fixture, gconstpointer data)
{
  g_autofree char *key_file = fixture_path (fixture, "master.key");
  g_autofree char *key_file_variable = g_strconcat (FLEET_SECRET_KEY_FILE_ENV "=", key_file,
                                                    NULL);
  const char *no_passphrase[] = { FLEET_SECRET_PASSPHRASE_ENV, NULL };
  const char *key_file_from_env[] = { FLEET_SECRET_PASSPHRASE_ENV, key_file_variable, NULL };
  g_autofree char *value = make_value ("keyed");
  g_autofree char *input = g_strconcat (value, "\n", NULL);
  g_autofree char *out = NULL;
  g_autofree char *err = NULL;

  g_assert_true (g_file_set_contents_full (key_file, "from key file\n", -1,
                                           G_FILE_SET_CONTENTS_CONSISTENT, 0600, NULL));
  g_assert_cmpint (run_fleetc (fixture, (const char *[]) { "secrets", "--secrets",
                                                           fixture->store, "--secrets-key-file",
                                                           key_file, "init", NULL },
                               no_passphrase, NULL, NULL, &err), ==, 0);
  g_clear_pointer (&err, g_free);
  g_assert_cmpint (run_fleetc (fixture, (const char *[]) { "secrets", "--secrets",
                                                           fixture->store, "set", "k", NULL },
                               key_file_from_env, input, NULL, &err), ==, 0);
  g_clear_pointer (&err, g_free);
  {
    g_autoptr(FleetSecretStore) store = open_store (fixture->store, "from key file");
    g_autoptr(FleetSecret) stored = fleet_secret_store_lookup (store, "k", NULL);

    g_assert_cmpmem (stored->data, stored->length, value, strlen (value));
  }

  g_assert_cmpint (g_chmod (key_file, 0644), ==, 0);
  g_assert_cmpint (run_fleetc (fixture, (const char *[]) { "secrets", "--secrets",
                                                           fixture->store, "list", NULL },
                               key_file_from_env, NULL, &out, &err), ==, 1);
  assert_contains (err, "permissions 0644 for key file");
  assert_contains (err, "chmod 600");
  g_assert_cmpstr (out, ==, "");
}

/* Without --secrets the store is $FLEETC_SECRETS, else under
 * $XDG_CONFIG_HOME, in a directory only its owner can enter. */
static void
test_default_path (Fixture *fixture, gconstpointer data)
{
  g_autofree char *directory = g_build_filename (fixture->dir, "config", "fleetc", NULL);
  g_autofree char *default_store = g_build_filename (directory, "secrets", NULL);
  g_autofree char *other_store = fixture_path (fixture, "other-secrets");
  g_autofree char *other_variable = g_strconcat (FLEET_SECRET_STORE_PATH_ENV "=", other_store,
                                                 NULL);
  g_autofree char *out = NULL;
  struct stat info;

  g_assert_cmpint (run_fleetc (fixture, (const char *[]) { "secrets", "init", NULL }, NULL, NULL,
                               &out, NULL), ==, 0);
  assert_contains (out, default_store);
  g_assert_cmpint (stat (directory, &info), ==, 0);
  g_assert_cmpint (info.st_mode & 07777, ==, 0700);
  g_assert_cmpint (lstat (default_store, &info), ==, 0);
  g_assert_cmpint (info.st_mode & 07777, ==, 0600);

  g_assert_cmpint (run_fleetc (fixture, (const char *[]) { "secrets", "init", NULL },
                               (const char *[]) { other_variable, NULL }, NULL, NULL, NULL),
                   ==, 0);
  g_assert_cmpint (lstat (other_store, &info), ==, 0);
  g_assert_cmpint (info.st_mode & 07777, ==, 0600);
}

/* A store created with nothing set uses the strong defaults. */
static void
test_default_kdf (Fixture *fixture, gconstpointer data)
{
  g_autofree char *out = NULL;
  g_autofree char *err = NULL;

  g_assert_cmpint (run_fleetc (fixture, (const char *[]) { "secrets", "--secrets",
                                                           fixture->store, "init", NULL },
                               (const char *[]) { FLEET_SECRET_TEST_KDF_N_ENV, NULL }, NULL,
                               &out, &err), ==, 0);
  assert_contains (out, "(scrypt N=131072, r=8, p=1)");
  g_assert_cmpstr (err, ==, "");
}

static void
test_input_errors (Fixture *fixture, gconstpointer data)
{
  g_autofree char *err = NULL;

  init_store (fixture);

  g_assert_cmpint (run_fleetc (fixture, (const char *[]) { "secrets", "--secrets",
                                                           fixture->store, "set", "bad name",
                                                           NULL },
                               NULL, "v", NULL, &err), ==, 2);
  assert_contains (err, "invalid secret name \"bad name\"");
  g_clear_pointer (&err, g_free);

  g_assert_cmpint (run_fleetc (fixture, (const char *[]) { "secrets", "--secrets",
                                                           fixture->store, "remove", "absent",
                                                           NULL },
                               NULL, NULL, NULL, &err), ==, 2);
  assert_contains (err, "no secret named \"absent\"");
  assert_contains (err, "`fleetc secrets list` shows the names");
  g_clear_pointer (&err, g_free);

  g_assert_cmpint (run_fleetc (fixture, (const char *[]) { "secrets", "--secrets",
                                                           fixture->store, "init", NULL },
                               NULL, NULL, NULL, &err), ==, 1);
  assert_contains (err, "already exists; nothing was changed");
  g_clear_pointer (&err, g_free);

  g_assert_cmpint (run_fleetc (fixture, (const char *[]) { "secrets", NULL }, NULL, NULL, NULL,
                               &err), ==, 2);
  assert_contains (err, "missing subcommand");
  g_clear_pointer (&err, g_free);

  g_assert_cmpint (run_fleetc (fixture, (const char *[]) { "secrets", "get", "x", NULL }, NULL,
                               NULL, NULL, &err), ==, 2);
  assert_contains (err, "unknown subcommand \"get\"");
  g_clear_pointer (&err, g_free);

  g_assert_cmpint (run_fleetc (fixture, (const char *[]) { "secrets", "list", "extra", NULL },
                               NULL, NULL, NULL, &err), ==, 2);
  assert_contains (err, "list takes no arguments");
  g_clear_pointer (&err, g_free);

  g_assert_cmpint (g_chmod (fixture->store, 0640), ==, 0);
  g_assert_cmpint (run_fleetc (fixture, (const char *[]) { "secrets", "--secrets",
                                                           fixture->store, "list", NULL },
                               NULL, NULL, NULL, &err), ==, 1);
  assert_contains (err, "are too open");
}

/* A name that starts with '-' is reached after "--". */
static void
test_name_after_double_dash (Fixture *fixture, gconstpointer data)
{
  g_autofree char *out = NULL;

  init_store (fixture);
  g_assert_cmpint (run_fleetc (fixture, (const char *[]) { "secrets", "--secrets",
                                                           fixture->store, "set", "--", "-dash",
                                                           NULL },
                               NULL, "v", NULL, NULL), ==, 0);
  g_assert_cmpint (run_fleetc (fixture, (const char *[]) { "secrets", "--secrets",
                                                           fixture->store, "list", NULL },
                               NULL, NULL, &out, NULL), ==, 0);
  g_assert_cmpstr (out, ==, "-dash\n");
}

/* Pseudo-terminal sessions.  The test keeps the terminal's slave side open
 * so it can read the terminal mode while fleetc runs and after it exits. */

typedef struct {
  int master;
  int slave;
  GPid pid;
  GString *transcript;   /* everything fleetc wrote to the terminal */
  gsize matched;         /* transcript bytes already matched by terminal_expect */
} Terminal;

static void
terminal_start (Terminal *terminal,
                const Fixture *fixture,
                const char * const *args,
                const char * const *changes)
{
  g_auto(GStrv) argv = make_argv (args);
  g_auto(GStrv) environment = make_environment (fixture, changes);
  char slave_name[128];
  pid_t pid;

  terminal->master = posix_openpt (O_RDWR | O_NOCTTY | O_CLOEXEC);
  g_assert_cmpint (terminal->master, >=, 0);
  g_assert_cmpint (grantpt (terminal->master), ==, 0);
  g_assert_cmpint (unlockpt (terminal->master), ==, 0);
  g_assert_cmpint (ptsname_r (terminal->master, slave_name, sizeof slave_name), ==, 0);
  terminal->slave = open (slave_name, O_RDWR | O_NOCTTY | O_CLOEXEC);
  g_assert_cmpint (terminal->slave, >=, 0);
  terminal->transcript = g_string_new (NULL);
  terminal->matched = 0;

  pid = fork ();
  g_assert_cmpint (pid, >=, 0);
  if (pid == 0)
    {
      /* Only async-signal-safe calls between fork and exec. */
      int slave;

      /* A suite started in the background inherits SIGINT ignored, and
       * fleetc would inherit that in turn. */
      signal (SIGINT, SIG_DFL);
      setsid ();
      slave = open (slave_name, O_RDWR);
      if (slave < 0 || ioctl (slave, TIOCSCTTY, 0) != 0)
        _exit (126);
      dup2 (slave, 0);
      dup2 (slave, 1);
      dup2 (slave, 2);
      execve (argv[0], argv, environment);
      _exit (127);
    }
  terminal->pid = pid;
}

/* Append what fleetc wrote, waiting at most `timeout_ms`.  Returns FALSE when
 * nothing arrived. */
static gboolean
terminal_read (Terminal *terminal, int timeout_ms)
{
  struct pollfd fd = { terminal->master, POLLIN, 0 };
  char chunk[1024];
  ssize_t got;

  if (poll (&fd, 1, timeout_ms) <= 0)
    return FALSE;
  got = read (terminal->master, chunk, sizeof chunk);
  if (got <= 0)
    return FALSE;
  g_string_append_len (terminal->transcript, chunk, got);
  return TRUE;
}

static void
terminal_expect (Terminal *terminal, const char *text)
{
  gint64 deadline = g_get_monotonic_time () + WAIT_LIMIT_US;
  const char *found;

  while ((found = strstr (terminal->transcript->str + terminal->matched, text)) == NULL)
    {
      if (g_get_monotonic_time () > deadline)
        g_error ("fleetc did not print \"%s\"; the terminal shows:\n%s", text,
                 terminal->transcript->str);
      terminal_read (terminal, 100);
    }
  terminal->matched = found - terminal->transcript->str + strlen (text);
}

static void
terminal_send (Terminal *terminal, const char *text)
{
  write_all (terminal->master, text, strlen (text));
}

static gboolean
terminal_echoes (Terminal *terminal)
{
  struct termios mode;

  g_assert_cmpint (tcgetattr (terminal->slave, &mode), ==, 0);
  return (mode.c_lflag & ECHO) != 0;
}

/* Wait for fleetc to exit and collect the rest of its output.  Returns the
 * raw wait status. */
static int
terminal_finish (Terminal *terminal)
{
  gint64 deadline = g_get_monotonic_time () + WAIT_LIMIT_US;
  int wait_status = 0;
  pid_t waited;

  while ((waited = waitpid (terminal->pid, &wait_status, WNOHANG)) == 0)
    {
      if (g_get_monotonic_time () > deadline)
        {
          kill (terminal->pid, SIGKILL);
          g_error ("fleetc did not exit within %d s; the terminal shows:\n%s",
                   (int) (WAIT_LIMIT_US / G_USEC_PER_SEC), terminal->transcript->str);
        }
      terminal_read (terminal, 100);
    }
  g_assert_cmpint (waited, ==, terminal->pid);

  while (terminal_read (terminal, 0))
    ;
  return wait_status;
}

static void
terminal_clear (Terminal *terminal)
{
  close (terminal->master);
  close (terminal->slave);
  g_string_free (terminal->transcript, TRUE);
}

/* Answer a prompt, checking first that the terminal does not echo. */
static void
answer_prompt (Terminal *terminal, const char *prompt, const char *answer)
{
  g_autofree char *line = g_strconcat (answer, "\n", NULL);

  terminal_expect (terminal, prompt);
  g_assert_false (terminal_echoes (terminal));
  terminal_send (terminal, line);
}

/* Passphrases and values typed at prompts are not echoed, are asked twice
 * when a typo would be costly, and the terminal echoes again afterwards. */
static void
test_terminal_prompts (Fixture *fixture, gconstpointer data)
{
  const char *prompted = "typed master passphrase";
  g_autofree char *value = make_value ("typed");
  const char *no_passphrase[] = { FLEET_SECRET_PASSPHRASE_ENV, NULL };
  Terminal terminal;
  int status;

  terminal_start (&terminal, fixture, (const char *[]) { "secrets", "--secrets", fixture->store,
                                                          "init", NULL }, no_passphrase);
  answer_prompt (&terminal, "Master passphrase for secret store ", prompted);
  answer_prompt (&terminal, "Repeat the master passphrase: ", prompted);
  status = terminal_finish (&terminal);
  g_assert_true (WIFEXITED (status));
  g_assert_cmpint (WEXITSTATUS (status), ==, 0);
  g_assert_true (terminal_echoes (&terminal));
  assert_contains (terminal.transcript->str, "Created secret store");
  assert_lacks (terminal.transcript->str, prompted);
  terminal_clear (&terminal);

  terminal_start (&terminal, fixture, (const char *[]) { "secrets", "--secrets", fixture->store,
                                                          "set", "typed", NULL }, no_passphrase);
  answer_prompt (&terminal, "Master passphrase for secret store ", prompted);
  answer_prompt (&terminal, "Value for secret \"typed\": ", value);
  answer_prompt (&terminal, "Repeat the value: ", value);
  status = terminal_finish (&terminal);
  g_assert_true (WIFEXITED (status));
  g_assert_cmpint (WEXITSTATUS (status), ==, 0);
  g_assert_true (terminal_echoes (&terminal));
  assert_contains (terminal.transcript->str, "Saved secret \"typed\"");
  assert_lacks (terminal.transcript->str, prompted);
  assert_lacks (terminal.transcript->str, value);
  terminal_clear (&terminal);

  {
    g_autoptr(FleetSecretStore) store = open_store (fixture->store, prompted);
    g_autoptr(FleetSecret) stored = fleet_secret_store_lookup (store, "typed", NULL);

    g_assert_cmpmem (stored->data, stored->length, value, strlen (value));
  }
  assert_file_lacks (fixture->store, value);
}

static void
test_terminal_entries_differ (Fixture *fixture, gconstpointer data)
{
  Terminal terminal;
  int status;

  init_store (fixture);
  terminal_start (&terminal, fixture, (const char *[]) { "secrets", "--secrets", fixture->store,
                                                          "set", "typo", NULL }, NULL);
  answer_prompt (&terminal, "Value for secret \"typo\": ", "first");
  answer_prompt (&terminal, "Repeat the value: ", "second");
  status = terminal_finish (&terminal);
  g_assert_true (WIFEXITED (status));
  g_assert_cmpint (WEXITSTATUS (status), ==, 2);
  assert_contains (terminal.transcript->str, "the two values for secret \"typo\" differ");
  terminal_clear (&terminal);
}

/* Ctrl-C at a prompt ends fleetc by SIGINT as usual, with echo restored and
 * no store created. */
static void
test_terminal_interrupt_restores_echo (Fixture *fixture, gconstpointer data)
{
  Terminal terminal;
  int status;

  terminal_start (&terminal, fixture, (const char *[]) { "secrets", "--secrets", fixture->store,
                                                          "init", NULL },
                  (const char *[]) { FLEET_SECRET_PASSPHRASE_ENV, NULL });
  terminal_expect (&terminal, "Master passphrase for secret store ");
  g_assert_false (terminal_echoes (&terminal));
  terminal_send (&terminal, "partial\003");
  status = terminal_finish (&terminal);

  g_assert_true (WIFSIGNALED (status));
  g_assert_cmpint (WTERMSIG (status), ==, SIGINT);
  g_assert_true (terminal_echoes (&terminal));
  g_assert_false (g_file_test (fixture->store, G_FILE_TEST_EXISTS));
  terminal_clear (&terminal);
}

/* fleet-run decrypts an identity file with a passphrase from the store,
 * which never appears in the run's files, and refuses to start when the plan
 * names a secret the store lacks. */
static void
test_fleet_run_reads_passphrase (Fixture *fixture, gconstpointer data)
{
  const char *passphrase = "key-passphrase-7c1e";
  g_autofree char *reason = NULL;
  g_autoptr(FleetSandbox) sandbox = NULL;
  g_autofree char *key = fixture_path (fixture, "id_encrypted");
  g_autofree char *public_key = NULL;
  g_autofree char *public_text = NULL;
  g_autofree char *authorized = NULL;
  g_autofree char *plan_path = fixture_path (fixture, "run.plan");
  g_autofree char *runs = fixture_path (fixture, "runs");
  g_autofree char *out = NULL;
  g_autofree char *err = NULL;
  g_autoptr(FleetPlan) plan = fleet_plan_new ();
  g_autoptr(GError) error = NULL;
  FleetHost *host;
  FleetWave *wave = fleet_wave_new ();
  guint32 first = 0;
  const char *keygen[] = { "ssh-keygen", "-q", "-t", "ed25519", "-N", passphrase, "-f", key, NULL };

  if (!fleet_sandbox_available (&reason))
    {
      g_test_skip (reason);
      return;
    }

  sandbox = fleet_sandbox_up (1);
  g_assert_cmpint (fleet_test_spawn (keygen, NULL, NULL), ==, 0);
  public_key = g_strconcat (key, ".pub", NULL);
  g_assert_true (g_file_get_contents (public_key, &public_text, NULL, NULL));
  authorized = fleet_sandbox_path (sandbox, "authorized_keys");
  {
    g_autofree char *old = NULL;
    g_autofree char *new = NULL;

    g_assert_true (g_file_get_contents (authorized, &old, NULL, NULL));
    new = g_strconcat (old, public_text, NULL);
    g_assert_true (g_file_set_contents (authorized, new, -1, NULL));
  }

  init_store (fixture);
  g_assert_cmpint (run_fleetc (fixture, (const char *[]) { "secrets", "--secrets", fixture->store,
                                                           "set", "deploy-key", NULL },
                               NULL, passphrase, NULL, NULL), ==, 0);

  plan->workflow_name = g_strdup ("encrypted-key");
  plan->parallelism = 1;
  host = fleet_sandbox_host (sandbox, 0, "id_ed25519");
  fleet_host_set_identity_file (host, key);
  host->key_passphrase_secret = g_strdup ("deploy-key");
  g_ptr_array_add (plan->hosts, host);
  g_ptr_array_add (plan->steps, fleet_step_new ("hello", "echo hello"));
  g_array_append_val (wave->host_indices, first);
  g_ptr_array_add (plan->waves, wave);
  g_assert_true (fleet_plan_write_file (plan, plan_path, &error));
  g_assert_no_error (error);

  g_assert_cmpint (run_fleet_run (fixture, (const char *[]) { "--secrets", fixture->store, "-d",
                                                              runs, plan_path, NULL },
                                  &out, &err), ==, 0);
  assert_lacks (out, passphrase);
  assert_lacks (err, passphrase);
  {
    const char *grep[] = { "grep", "-r", "-F", passphrase, runs, NULL };
    g_assert_cmpint (fleet_test_spawn (grep, NULL, NULL), ==, 1);
  }

  g_clear_pointer (&out, g_free);
  g_clear_pointer (&err, g_free);
  g_assert_cmpint (run_fleetc (fixture, (const char *[]) { "secrets", "--secrets", fixture->store,
                                                           "remove", "deploy-key", NULL },
                               NULL, NULL, NULL, NULL), ==, 0);
  g_assert_cmpint (run_fleet_run (fixture, (const char *[]) { "--secrets", fixture->store, "-d",
                                                              runs, plan_path, NULL },
                                  &out, &err), ==, 2);
  assert_contains (err, "the plan names secrets that are not in");
  assert_contains (err, "\"deploy-key\"");
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);
  signal (SIGPIPE, SIG_IGN);

#define ADD(path, func) \
  g_test_add (path, Fixture, NULL, fixture_set_up, func, fixture_tear_down)

  ADD ("/cli-secrets/set-list-remove", test_set_list_remove);
  ADD ("/cli-secrets/fleet-run-reads-passphrase", test_fleet_run_reads_passphrase);
  ADD ("/cli-secrets/stdin-trailing-newline", test_stdin_trailing_newline);
  ADD ("/cli-secrets/value-not-from-argv", test_value_not_from_argv);
  ADD ("/cli-secrets/store-missing", test_store_missing);
  ADD ("/cli-secrets/no-key-source", test_no_key_source);
  ADD ("/cli-secrets/wrong-passphrase", test_wrong_passphrase);
  ADD ("/cli-secrets/random-generator-fails", test_random_generator_fails);
  ADD ("/cli-secrets/key-file", test_key_file);
  ADD ("/cli-secrets/default-path", test_default_path);
  ADD ("/cli-secrets/default-kdf", test_default_kdf);
  ADD ("/cli-secrets/input-errors", test_input_errors);
  ADD ("/cli-secrets/name-after-double-dash", test_name_after_double_dash);
  ADD ("/cli-secrets/terminal/prompts", test_terminal_prompts);
  ADD ("/cli-secrets/terminal/entries-differ", test_terminal_entries_differ);
  ADD ("/cli-secrets/terminal/interrupt-restores-echo", test_terminal_interrupt_restores_echo);

  return g_test_run ();
}
