/* test-session.c: the life of pooled SSH sessions against real sshd
 * servers: killing timed-out commands, bounded output, dead peers,
 * reopening closed connections, server limits and sudo passwords. */
#include <errno.h>
#include <signal.h>
#include <string.h>
#include <sys/socket.h>
#include <netinet/in.h>
#include <arpa/inet.h>
#include <unistd.h>

#include <gio/gio.h>
#include <glib/gstdio.h>

#include "tests/runtime-fixture.h"

/* Process ids */

static gint64
read_pid_file (const char *path)
{
  g_autofree char *text = NULL;

  if (!g_file_get_contents (path, &text, NULL, NULL))
    return 0;
  return g_ascii_strtoll (text, NULL, 10);
}

static gboolean
process_exists (gint64 pid)
{
  g_autofree char *stat_path = g_strdup_printf ("/proc/%" G_GINT64_FORMAT "/stat", pid);
  g_autofree char *stat = NULL;
  const char *state;

  if (!g_file_get_contents (stat_path, &stat, NULL, NULL))
    return FALSE;

  /* A zombie has ended; only its parent has not collected it yet. */
  state = strrchr (stat, ')');
  return state == NULL || state[2] != 'Z';
}

/* Wait up to `seconds` for `pid` to end. */
static gboolean
wait_for_exit (gint64 pid, guint seconds)
{
  for (guint i = 0; i < seconds * 10; i++)
    {
      if (!process_exists (pid))
        return TRUE;
      g_usleep (100 * 1000);
    }
  return !process_exists (pid);
}

/* Return the process ids of every descendant of `ancestor`. */
static GArray *
descendants_of (gint64 ancestor)
{
  GArray *found = g_array_new (FALSE, FALSE, sizeof (gint64));
  gboolean grew = TRUE;

  g_array_append_val (found, ancestor);
  while (grew)
    {
      g_autoptr(GDir) proc = g_dir_open ("/proc", 0, NULL);
      const char *entry;

      grew = FALSE;
      while ((entry = g_dir_read_name (proc)) != NULL)
        {
          g_autofree char *stat_path = g_build_filename ("/proc", entry, "stat", NULL);
          g_autofree char *stat = NULL;
          gint64 pid = g_ascii_strtoll (entry, NULL, 10);
          gint64 parent;
          const char *after_name;
          gboolean known = FALSE;
          gboolean parent_known = FALSE;

          if (pid <= 0 || !g_file_get_contents (stat_path, &stat, NULL, NULL))
            continue;
          after_name = strrchr (stat, ')');
          if (after_name == NULL)
            continue;
          parent = g_ascii_strtoll (after_name + 4, NULL, 10);

          for (guint i = 0; i < found->len; i++)
            {
              known |= g_array_index (found, gint64, i) == pid;
              parent_known |= g_array_index (found, gint64, i) == parent;
            }
          if (parent_known && !known)
            {
              g_array_append_val (found, pid);
              grew = TRUE;
            }
        }
    }

  g_array_remove_index (found, 0);
  return found;
}

/* Send `signal_number` to every process serving a session of sandbox host
 * `index`: the children of its sshd listener and theirs. */
static void
signal_sessions (guint index, int signal_number)
{
  g_autofree char *name = fleet_sandbox_host_name (shared_sandbox, index);
  g_autofree char *relative = g_build_filename ("hosts", name, "sshd.pid", NULL);
  g_autofree char *pid_file = fleet_sandbox_path (shared_sandbox, relative);
  gint64 listener = read_pid_file (pid_file);
  g_autoptr(GArray) sessions = NULL;

  g_assert_cmpint (listener, >, 1);
  sessions = descendants_of (listener);
  g_test_message ("signal %d to %u session processes of sandbox host %u", signal_number,
                  sessions->len, index + 1);
  for (guint i = 0; i < sessions->len; i++)
    kill ((pid_t) g_array_index (sessions, gint64, i), signal_number);
}

/* Killing timed-out commands */

/* A command that times out is killed with its whole process group,
 * background children included, not only its channel closed. */
static void
check_timeout_kills_process_group (Fixture *fixture, guint host_index)
{
  const guint sizes[] = { 1, 0 };
  g_autofree char *pid_file = host_home_path (host_index, "background.pid");
  gint64 background;

  g_unlink (pid_file);
  g_ptr_array_add (fixture->plan->hosts,
                   fleet_sandbox_host (shared_sandbox, host_index, "id_ed25519"));
  add_step (fixture, "hang with a child",
            "sleep 1000 & echo $! > \"$HOME/background.pid\"; sleep 1000", 1000);
  set_waves (fixture, sizes);
  run_plan (fixture);

  g_assert_cmpint (step_result (fixture, 0, 0)->failure, ==, FLEET_FAILURE_COMMAND_TIMEOUT);
  g_assert_nonnull (strstr (step_result (fixture, 0, 0)->message,
                            "the command timed out; its remote process group "));
  g_assert_true (g_str_has_suffix (step_result (fixture, 0, 0)->message, " was killed"));
  background = read_pid_file (pid_file);
  g_assert_cmpint (background, >, 1);
  g_assert_true (wait_for_exit (background, 10));
}

static void
test_timeout_kills_process_group (Fixture *fixture, gconstpointer data)
{
  if (!require_sandbox ())
    return;

  check_timeout_kills_process_group (fixture, 0);
}

/* With MaxSessions 1, sshd keeps the timed-out command's session until the
 * command exits, so the kill never gets a channel: after retrying, the
 * result says plainly that the command may still be running. */
static void
test_kill_refused_by_max_sessions (Fixture *fixture, gconstpointer data)
{
  const guint sizes[] = { 1, 0 };
  const guint host_index = 1;
  g_autofree char *pid_file = host_home_path (host_index, "shell.pid");
  const FleetStepResult *step;
  gint64 shell;

  if (!require_sandbox ())
    return;

  set_host_sshd_extra (host_index, "MaxSessions 1\n");
  g_ptr_array_add (fixture->plan->hosts,
                   fleet_sandbox_host (shared_sandbox, host_index, "id_ed25519"));
  add_step (fixture, "hang", "echo $$ > \"$HOME/shell.pid\"; sleep 1000", 500);
  set_waves (fixture, sizes);
  run_plan (fixture);

  shell = read_pid_file (pid_file);
  if (shell > 1)
    kill (-(pid_t) shell, SIGKILL);
  set_host_sshd_extra (host_index, NULL);

  step = step_result (fixture, 0, 0);
  g_assert_cmpint (step->failure, ==, FLEET_FAILURE_COMMAND_TIMEOUT);
  g_assert_nonnull (strstr (step->message, "failed (the server refused to open a session "
                                           "channel"));
  g_assert_nonnull (strstr (step->message, "MaxSessions"));
  g_assert_true (g_str_has_suffix (step->message, "so it may still be running on the host"));
}

/* Bounded output */

static void
test_output_cap_keeps_head_and_tail (Fixture *fixture, gconstpointer data)
{
  const guint sizes[] = { 1, 0 };
  const guint64 cap = 64 * 1024;
  const guint64 total = strlen ("FIRST\n") + 1000000 + strlen ("\nLAST\n");
  g_autofree char *output = NULL;
  g_autofree char *journal = NULL;
  g_autofree char *omitted_field = NULL;
  g_autofree char *marker = NULL;
  const FleetStepResult *step;

  if (!require_sandbox ())
    return;

  add_hosts (fixture, 1, "id_ed25519");
  add_step (fixture, "flood",
            "printf 'FIRST\\n'; head -c 1000000 /dev/zero | tr '\\000' x; printf '\\nLAST\\n'",
            60000);
  set_waves (fixture, sizes);
  fixture->options.output_cap_bytes = cap;
  run_plan (fixture);

  step = step_result (fixture, 0, 0);
  g_assert_cmpint (step->failure, ==, FLEET_FAILURE_NONE);
  g_assert_cmpuint (step->stdout_bytes, ==, total);
  g_assert_cmpuint (step->stdout_omitted_bytes, ==, total - cap);

  output = read_run_file (fixture, "output/host01/01.stdout");
  marker = g_strdup_printf ("\n[fleet-run: %" G_GUINT64_FORMAT " bytes of output left out here]\n",
                            total - cap);
  g_assert_true (g_str_has_prefix (output, "FIRST\n"));
  g_assert_true (g_str_has_suffix (output, "x\nLAST\n"));
  g_assert_nonnull (strstr (output, marker));
  g_assert_cmpuint (strlen (output), ==, cap + strlen (marker));

  journal = read_run_file (fixture, "journal.jsonl");
  omitted_field = g_strdup_printf ("\"stdout_omitted_bytes\":%" G_GUINT64_FORMAT, total - cap);
  g_assert_nonnull (strstr (journal, omitted_field));
}

/* Dead peers */

typedef struct {
  guint host_index;
  guint delay_ms;
  int signal_number;
} DelayedSignal;

static gpointer
send_delayed_signal (gpointer data)
{
  const DelayedSignal *delayed = data;

  g_usleep ((gulong) delayed->delay_ms * 1000);
  signal_sessions (delayed->host_index, delayed->signal_number);
  return NULL;
}

/* A host that stops answering without closing the connection (a frozen
 * session here, a power cut or a partition in real life) is declared lost
 * after its unanswered keepalives, long before the command would end. */
static void
test_silent_peer_detected_by_keepalive (Fixture *fixture, gconstpointer data)
{
  const guint sizes[] = { 2, 0 };
  const guint frozen_index = 2;
  DelayedSignal freeze = { .host_index = frozen_index, .delay_ms = 1500, .signal_number = SIGSTOP };
  g_autofree char *pid_file = host_home_path (frozen_index, "shell.pid");
  g_autofree char *frozen_output = NULL;
  GThread *freezer;
  gint64 started = g_get_monotonic_time ();
  gint64 shell;
  FleetHost *frozen;
  FleetHost *healthy;

  if (!require_sandbox ())
    return;

  frozen = fleet_sandbox_host (shared_sandbox, frozen_index, "id_ed25519");
  healthy = fleet_sandbox_host (shared_sandbox, frozen_index + 1, "id_ed25519");
  frozen->keepalive_interval_ms = 500;
  frozen->keepalive_count_max = 2;
  /* The healthy host's limit leaves room for a loaded machine's delays. */
  healthy->keepalive_interval_ms = 2000;
  healthy->keepalive_count_max = 3;
  g_ptr_array_add (fixture->plan->hosts, frozen);
  g_ptr_array_add (fixture->plan->hosts, healthy);
  add_step (fixture, "long quiet command",
            "echo $$ > \"$HOME/shell.pid\"; echo start; sleep 6; echo end", 120000);
  set_waves (fixture, sizes);

  freezer = g_thread_new ("freezer", send_delayed_signal, &freeze);
  run_plan (fixture);
  g_thread_join (freezer);
  signal_sessions (frozen_index, SIGCONT);
  shell = read_pid_file (pid_file);
  if (shell > 1)
    kill (-(pid_t) shell, SIGKILL);

  g_assert_cmpint (step_result (fixture, 0, 0)->failure, ==, FLEET_FAILURE_CONNECTION_LOST);
  g_assert_nonnull (strstr (host_result (fixture, 0)->message, "stopped answering"));
  frozen_output = read_run_file (fixture, "output/host03/01.stdout");
  g_assert_cmpstr (frozen_output, ==, "start\n");

  /* The healthy host's quiet command outlived many keepalive intervals. */
  g_assert_cmpint (host_result (fixture, 1)->outcome, ==, FLEET_HOST_SUCCEEDED);

  /* Generous: the point is that the run did not wait for TCP timeouts. */
  g_assert_cmpint (g_get_monotonic_time () - started, <, 60 * G_USEC_PER_SEC);
}

/* Reopening closed connections */

typedef struct {
  guint host_index;
  gboolean done;
} SessionKiller;

/* Kill the host's session once, just before its second step starts. */
static void
kill_sessions_before_second_step (const FleetHost *host, guint step, gpointer data)
{
  SessionKiller *killer = data;

  if (step != 1 || killer->done)
    return;

  killer->done = TRUE;
  signal_sessions (killer->host_index, SIGKILL);
  g_usleep (300 * 1000);
}

/* A connection the server closed between two steps is opened again once,
 * and the journal says so; the step then runs on the new connection. */
static void
test_closed_connection_reopened_once (Fixture *fixture, gconstpointer data)
{
  const guint sizes[] = { 1, 0 };
  SessionKiller killer = { .host_index = 4 };
  g_autofree char *journal = NULL;

  if (!require_sandbox ())
    return;

  g_ptr_array_add (fixture->plan->hosts,
                   fleet_sandbox_host (shared_sandbox, killer.host_index, "id_ed25519"));
  add_step (fixture, "first", "echo one", 30000);
  add_step (fixture, "second", "echo two", 30000);
  set_waves (fixture, sizes);
  fixture->options.before_step = kill_sessions_before_second_step;
  fixture->options.observer_data = &killer;
  run_plan (fixture);

  g_assert_cmpint (host_result (fixture, 0)->outcome, ==, FLEET_HOST_SUCCEEDED);
  journal = read_run_file (fixture, "journal.jsonl");
  g_assert_nonnull (strstr (journal, "\"event\":\"host-reconnect\",\"host\":\"host05\","
                                     "\"before_step\":2,\"error\":\"connection-lost\""));
  g_assert_nonnull (strstr (journal, "\"reconnected\":true"));
}

/* Server limits */

typedef struct {
  guint16 port;
  guint hold_ms;
} Blocker;

/* Hold one TCP connection to the port open without speaking SSH, as a slow
 * client would, then close it. */
static gpointer
hold_connection (gpointer data)
{
  const Blocker *blocker = data;
  struct sockaddr_in address = { .sin_family = AF_INET, .sin_port = htons (blocker->port) };
  int fd = socket (AF_INET, SOCK_STREAM, 0);

  inet_pton (AF_INET, "127.0.0.1", &address.sin_addr);
  g_assert_cmpint (connect (fd, (struct sockaddr *) &address, sizeof address), ==, 0);
  g_usleep ((gulong) blocker->hold_ms * 1000);
  close (fd);
  return NULL;
}

/* With MaxStartups 1 and one unauthenticated connection pending, sshd
 * closes new connections before its banner; they are retried and succeed
 * once the slot frees up. */
static void
test_max_startups_retried (Fixture *fixture, gconstpointer data)
{
  const guint sizes[] = { 1, 0 };
  const guint host_index = 5;
  Blocker blocker = { .hold_ms = 1200 };
  GThread *holder;
  FleetHost *host;
  g_autofree char *journal = NULL;

  if (!require_sandbox ())
    return;

  set_host_sshd_extra (host_index, "MaxStartups 1\n");
  host = fleet_sandbox_host (shared_sandbox, host_index, "id_ed25519");
  blocker.port = host->port;
  g_ptr_array_add (fixture->plan->hosts, host);
  add_step (fixture, "uname", "uname -s", 30000);
  set_waves (fixture, sizes);

  holder = g_thread_new ("holder", hold_connection, &blocker);
  g_usleep (200 * 1000);
  run_plan (fixture);
  g_thread_join (holder);
  set_host_sshd_extra (host_index, NULL);

  g_assert_cmpint (host_result (fixture, 0)->outcome, ==, FLEET_HOST_SUCCEEDED);
  journal = read_run_file (fixture, "journal.jsonl");
  g_assert_null (strstr (journal, "\"connect_retries\":0"));
  g_assert_nonnull (strstr (journal, "\"connect_retries\":"));
}

/* Host key policies */

/* Return the sandbox known_hosts line of host `index`, without its newline. */
static char *
known_hosts_line (guint index)
{
  g_autofree char *path = fleet_sandbox_path (shared_sandbox, "known_hosts");
  g_autofree char *contents = NULL;
  g_auto(GStrv) lines = NULL;
  guint port = GPOINTER_TO_UINT (g_ptr_array_index (shared_sandbox->ports, index));
  g_autofree char *prefix = g_strdup_printf ("[127.0.0.1]:%u ", port);

  g_assert_true (g_file_get_contents (path, &contents, NULL, NULL));
  lines = g_strsplit (contents, "\n", -1);
  for (char **line = lines; *line != NULL; line++)
    if (g_str_has_prefix (*line, prefix))
      return g_strdup (*line);
  g_assert_not_reached ();
}

/* Run `true` on sandbox host `index` with `known_hosts` and `policy`. */
static void
run_with_known_hosts (Fixture *fixture, guint index, const char *known_hosts,
                      FleetHostKeyPolicy policy)
{
  const guint sizes[] = { 1, 0 };
  FleetHost *host = fleet_sandbox_host (shared_sandbox, index, "id_ed25519");

  fleet_host_set_known_hosts_file (host, known_hosts);
  host->host_key_policy = policy;
  g_ptr_array_add (fixture->plan->hosts, host);
  add_step (fixture, "noop", "true", 30000);
  set_waves (fixture, sizes);
  run_plan (fixture);
}

/* A key that a @revoked line names is refused even though another line of
 * the file records it for the host. */
static void
test_revoked_key_refused (Fixture *fixture, gconstpointer data)
{
  g_autofree char *line = NULL;
  g_autofree char *file = g_build_filename (fixture->run_dir, "known_hosts", NULL);
  g_autofree char *contents = NULL;
  g_auto(GStrv) fields = NULL;

  if (!require_sandbox ())
    return;

  line = known_hosts_line (7);
  fields = g_strsplit (line, " ", 3);
  contents = g_strdup_printf ("%s\n@revoked * %s %s\n", line, fields[1], fields[2]);
  g_assert_true (g_file_set_contents (file, contents, -1, NULL));

  run_with_known_hosts (fixture, 7, file, FLEET_HOST_KEY_POLICY_STRICT);
  g_assert_cmpint (host_result (fixture, 0)->failure, ==, FLEET_FAILURE_HOST_KEY_REVOKED);
  g_assert_nonnull (strstr (host_result (fixture, 0)->message, "revoked"));
}

/* Hashed entries, as ssh-keygen -H writes them, match. */
static void
test_hashed_known_hosts_accepted (Fixture *fixture, gconstpointer data)
{
  g_autofree char *line = NULL;
  g_autofree char *file = g_build_filename (fixture->run_dir, "known_hosts", NULL);
  g_autofree char *hashed = NULL;
  g_autofree char *with_newline = NULL;

  if (!require_sandbox ())
    return;

  line = known_hosts_line (7);
  with_newline = g_strconcat (line, "\n", NULL);
  g_assert_true (g_file_set_contents (file, with_newline, -1, NULL));
  g_assert_cmpint (fleet_test_spawn ((const char *[]) { "ssh-keygen", "-H", "-f", file, NULL },
                                     NULL, NULL), ==, 0);
  g_assert_true (g_file_get_contents (file, &hashed, NULL, NULL));
  g_assert_true (g_str_has_prefix (hashed, "|1|"));

  run_with_known_hosts (fixture, 7, file, FLEET_HOST_KEY_POLICY_STRICT);
  g_assert_cmpint (host_result (fixture, 0)->outcome, ==, FLEET_HOST_SUCCEEDED);
}

/* accept-new records a first-seen key, which a later strict run then
 * trusts; a key that differs from a recorded one is refused even so. */
static void
test_accept_new_records_first_key (Fixture *fixture, gconstpointer data)
{
  g_autofree char *file = g_build_filename (fixture->run_dir, "new", "known_hosts", NULL);
  g_autofree char *recorded = NULL;
  g_autofree char *journal = NULL;
  g_autofree char *port_prefix = NULL;

  if (!require_sandbox ())
    return;

  run_with_known_hosts (fixture, 7, file, FLEET_HOST_KEY_POLICY_ACCEPT_NEW);
  g_assert_cmpint (host_result (fixture, 0)->outcome, ==, FLEET_HOST_SUCCEEDED);
  g_assert_true (g_file_get_contents (file, &recorded, NULL, NULL));
  port_prefix = g_strdup_printf ("[127.0.0.1]:%u ssh-ed25519 ",
                                 GPOINTER_TO_UINT (g_ptr_array_index (shared_sandbox->ports, 7)));
  g_assert_true (g_str_has_prefix (recorded, port_prefix));
  journal = read_run_file (fixture, "journal.jsonl");
  g_assert_nonnull (strstr (journal, "\"host_key_recorded\":\"ssh-ed25519 SHA256:"));

  /* A second run, strict, trusts the recorded key. */
  fixture_reset (fixture);
  run_with_known_hosts (fixture, 7, file, FLEET_HOST_KEY_POLICY_STRICT);
  g_assert_cmpint (host_result (fixture, 0)->outcome, ==, FLEET_HOST_SUCCEEDED);

  /* Another host's key recorded under this host's name is a change. */
  {
    g_autofree char *other = known_hosts_line (8);
    g_auto(GStrv) fields = g_strsplit (other, " ", 3);
    g_autofree char *wrong = g_strdup_printf ("%s%s\n", port_prefix, fields[2]);
    g_autofree char *after = NULL;

    g_assert_true (g_file_set_contents (file, wrong, -1, NULL));
    fixture_reset (fixture);
    run_with_known_hosts (fixture, 7, file, FLEET_HOST_KEY_POLICY_ACCEPT_NEW);
    g_assert_cmpint (host_result (fixture, 0)->failure, ==, FLEET_FAILURE_HOST_KEY_CHANGED);
    g_assert_true (g_file_get_contents (file, &after, NULL, NULL));
    g_assert_cmpstr (after, ==, wrong);
  }
}

/* With hash_known_hosts (HashKnownHosts yes), accept-new records a hashed
 * name, which hides the address and which a later strict run matches. */
static void
test_accept_new_hashed_name (Fixture *fixture, gconstpointer data)
{
  const guint sizes[] = { 1, 0 };
  g_autofree char *file = g_build_filename (fixture->run_dir, "hashed", "known_hosts", NULL);
  g_autofree char *recorded = NULL;
  FleetHost *host;

  if (!require_sandbox ())
    return;

  host = fleet_sandbox_host (shared_sandbox, 7, "id_ed25519");
  fleet_host_set_known_hosts_file (host, file);
  host->host_key_policy = FLEET_HOST_KEY_POLICY_ACCEPT_NEW;
  host->hash_known_hosts = TRUE;
  g_ptr_array_add (fixture->plan->hosts, host);
  add_step (fixture, "noop", "true", 30000);
  set_waves (fixture, sizes);
  run_plan (fixture);
  g_assert_cmpint (host_result (fixture, 0)->outcome, ==, FLEET_HOST_SUCCEEDED);
  g_assert_true (g_file_get_contents (file, &recorded, NULL, NULL));
  g_assert_true (g_str_has_prefix (recorded, "|1|"));
  g_assert_null (strstr (recorded, "127.0.0.1"));
  g_assert_nonnull (strstr (recorded, " ssh-ed25519 "));

  fixture_reset (fixture);
  run_with_known_hosts (fixture, 7, file, FLEET_HOST_KEY_POLICY_STRICT);
  g_assert_cmpint (host_result (fixture, 0)->outcome, ==, FLEET_HOST_SUCCEEDED);
}

/* sudo passwords */

/* Account and sudoers names carry the test's PID, so that two test runs on
 * one machine do not remove each other's accounts. */
static char *sudo_password_user;
static char *sudo_terminal_user;
static char *sudoers_file;

typedef struct {
  char *password;                /* the account's real password */
  const char *given;             /* what the secret lookup returns; NULL: fails */
  guint lookups;
} SudoSecrets;

static char *
lookup_sudo_secret (const char *name, gpointer user_data, GError **error)
{
  SudoSecrets *secrets = user_data;

  secrets->lookups++;
  g_assert_cmpstr (name, ==, "sudo-password");
  if (secrets->given == NULL)
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_NOT_FOUND, "no secret named \"%s\"", name);
      return NULL;
    }
  return g_strdup (secrets->given);
}

static void
run_with_stdin (const char * const *argv, const char *input)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GSubprocess) process = g_subprocess_newv (argv, G_SUBPROCESS_FLAGS_STDIN_PIPE,
                                                      &error);

  g_assert_no_error (error);
  g_subprocess_communicate_utf8 (process, input, NULL, NULL, NULL, &error);
  g_assert_no_error (error);
  g_assert_true (g_subprocess_get_successful (process));
}

static void
remove_sudo_accounts (void)
{
  const char *names[] = { sudo_password_user, sudo_terminal_user };

  for (guint i = 0; i < G_N_ELEMENTS (names); i++)
    {
      const char *argv[] = { "userdel", names[i], NULL };
      fleet_test_spawn (argv, NULL, NULL);
    }
  g_unlink (sudoers_file);
}

/* Remove the sudo test accounts and sudoers files that test runs which
 * were killed before their cleanup left behind: those whose PID is gone. */
static void
remove_stale_sudo_accounts (void)
{
  g_autofree char *passwd = NULL;
  g_auto(GStrv) lines = NULL;

  if (!g_file_get_contents ("/etc/passwd", &passwd, NULL, NULL))
    return;
  lines = g_strsplit (passwd, "\n", -1);
  for (guint i = 0; lines[i] != NULL; i++)
    {
      g_autofree char *name = g_strndup (lines[i], strcspn (lines[i], ":"));
      const char *dash = strrchr (name, '-');
      g_autofree char *proc = NULL;
      g_autofree char *sudoers = NULL;

      if (!g_str_has_prefix (name, "fleetc-pw-") && !g_str_has_prefix (name, "fleetc-tty-"))
        continue;
      proc = g_strdup_printf ("/proc/%s", dash + 1);
      if (g_file_test (proc, G_FILE_TEST_EXISTS))
        continue;

      fleet_test_spawn ((const char *[]) { "userdel", name, NULL }, NULL, NULL);
      sudoers = g_strdup_printf ("/etc/sudoers.d/fleetc-test-%s", dash + 1);
      g_unlink (sudoers);
    }
}

/* Create two local accounts for the sudo tests: one whose sudo asks for a
 * password, one whose sudo needs a terminal.  Returns FALSE, after
 * g_test_skip(), when this machine cannot (not root, or no useradd). */
static gboolean
create_sudo_accounts (char **out_password)
{
  const char *names[] = { sudo_password_user, sudo_terminal_user };
  g_autofree char *sudoers = g_strdup_printf ("Defaults:%s lecture=never\n"
                                              "%s ALL=(ALL) ALL\n"
                                              "Defaults:%s requiretty\n"
                                              "%s ALL=(ALL) NOPASSWD: ALL\n",
                                              sudo_password_user, sudo_password_user,
                                              sudo_terminal_user, sudo_terminal_user);
  const char *visudo[] = { "visudo", "-cf", sudoers_file, NULL };
  g_autofree char *useradd = g_find_program_in_path ("useradd");
  g_autofree char *sudo = g_find_program_in_path ("sudo");
  g_autofree char *password = NULL;
  g_autoptr(GString) chpasswd_input = g_string_new (NULL);

  if (getuid () != 0 || useradd == NULL || sudo == NULL)
    {
      g_test_skip ("needs root, useradd and sudo to create sudo test accounts");
      return FALSE;
    }

  remove_stale_sudo_accounts ();
  remove_sudo_accounts ();
  password = g_strdup_printf ("pw-%08x%08x", g_random_int (), g_random_int ());
  for (guint i = 0; i < G_N_ELEMENTS (names); i++)
    {
      const char *argv[] = { "useradd", "-M", "-d", "/", "-s", "/bin/sh", names[i], NULL };

      g_assert_cmpint (fleet_test_spawn (argv, NULL, NULL), ==, 0);
      g_string_append_printf (chpasswd_input, "%s:%s\n", names[i], password);
    }
  run_with_stdin ((const char *[]) { "chpasswd", NULL }, chpasswd_input->str);

  g_assert_true (g_file_set_contents (sudoers_file, sudoers, -1, NULL));
  g_assert_cmpint (g_chmod (sudoers_file, 0440), ==, 0);
  g_assert_cmpint (fleet_test_spawn (visudo, NULL, NULL), ==, 0);

  *out_password = g_steal_pointer (&password);
  return TRUE;
}

/* Let the sudo test accounts log in to sandbox host `host_index`. */
static void
allow_sudo_users (guint host_index)
{
  g_autofree char *allow = g_strdup_printf ("AllowUsers root %s %s\n", sudo_password_user,
                                            sudo_terminal_user);

  set_host_sshd_extra (host_index, allow);
}

/* Run `command` under sudo as `user` on sandbox host `host_index`. */
static void
run_sudo_command (Fixture *fixture, guint host_index, const char *user, SudoSecrets *secrets,
                  const char *command)
{
  const guint sizes[] = { 1, 0 };
  FleetHost *host = fleet_sandbox_host (shared_sandbox, host_index, "id_ed25519");
  FleetStep *step;

  g_free (host->user);
  host->user = g_strdup (user);
  if (secrets != NULL)
    host->become_password_secret = g_strdup ("sudo-password");
  g_ptr_array_add (fixture->plan->hosts, host);
  step = add_step (fixture, "whoami", command, 30000);
  step->become = TRUE;
  set_waves (fixture, sizes);
  fixture->options.secret_func = lookup_sudo_secret;
  fixture->options.secret_data = secrets;
  run_plan (fixture);
}

/* Run `id -un` under sudo as `user` on sandbox host `host_index`. */
static void
run_sudo_step (Fixture *fixture, guint host_index, const char *user, SudoSecrets *secrets)
{
  run_sudo_command (fixture, host_index, user, secrets, "id -un");
}

static void
assert_password_absent (const Fixture *fixture, const char *password)
{
  g_autofree char *journal = read_run_file (fixture, "journal.jsonl");
  g_autofree char *out = read_run_file (fixture, "output/host07/01.stdout");
  g_autofree char *err = read_run_file (fixture, "output/host07/01.stderr");

  g_assert_null (strstr (journal, password));
  g_assert_null (strstr (out, password));
  g_assert_null (strstr (err, password));
}

/* sudo reads the password from the channel, never from argv; a missing and
 * a wrong password are reported as what they are; a sudo that insists on a
 * terminal gets one, and only then. */
static void
test_become_password_cases (gconstpointer data)
{
  const guint host_index = 6;
  g_autofree char *password = NULL;

  if (!require_sandbox () || !create_sudo_accounts (&password))
    return;

  /* sshd reads authorized_keys as the user logging in, who must be able to
   * pass through the sandbox directory. */
  g_assert_cmpint (g_chmod (shared_sandbox->dir, 0711), ==, 0);
  allow_sudo_users (host_index);

  {
    g_auto(Fixture) fixture = { 0 };
    SudoSecrets secrets = { .password = password, .given = password };
    g_autofree char *out = NULL;

    fixture_set_up (&fixture, NULL);
    run_sudo_step (&fixture, host_index, sudo_password_user, &secrets);
    g_assert_cmpint (host_result (&fixture, 0)->outcome, ==, FLEET_HOST_SUCCEEDED);
    out = read_run_file (&fixture, "output/host07/01.stdout");
    g_assert_cmpstr (out, ==, "root\n");
    g_assert_cmpuint (secrets.lookups, ==, 1);
    assert_password_absent (&fixture, password);
  }

  {
    g_auto(Fixture) fixture = { 0 };
    SudoSecrets secrets = { .password = password, .given = "not-the-password" };

    fixture_set_up (&fixture, NULL);
    run_sudo_step (&fixture, host_index, sudo_password_user, &secrets);
    g_assert_cmpint (step_result (&fixture, 0, 0)->failure, ==,
                     FLEET_FAILURE_BECOME_PASSWORD_INCORRECT);
    g_assert_nonnull (strstr (host_result (&fixture, 0)->message,
                              "rejected the password in secret \"sudo-password\""));
    assert_password_absent (&fixture, "not-the-password");
  }

  {
    g_auto(Fixture) fixture = { 0 };

    fixture_set_up (&fixture, NULL);
    run_sudo_step (&fixture, host_index, sudo_password_user, NULL);
    g_assert_cmpint (step_result (&fixture, 0, 0)->failure, ==,
                     FLEET_FAILURE_BECOME_PASSWORD_REQUIRED);
    g_assert_nonnull (strstr (host_result (&fixture, 0)->message,
                              "set become_password_secret"));
  }

  {
    g_auto(Fixture) fixture = { 0 };
    SudoSecrets secrets = { .password = password, .given = NULL };

    fixture_set_up (&fixture, NULL);
    run_sudo_step (&fixture, host_index, sudo_password_user, &secrets);
    g_assert_cmpint (host_result (&fixture, 0)->failure, ==,
                     FLEET_FAILURE_BECOME_PASSWORD_REQUIRED);
    g_assert_nonnull (strstr (host_result (&fixture, 0)->message,
                              "cannot read the sudo password secret \"sudo-password\": no secret"));
  }

  {
    g_auto(Fixture) fixture = { 0 };
    g_autofree char *journal = NULL;
    g_autofree char *out = NULL;

    fixture_set_up (&fixture, NULL);
    run_sudo_step (&fixture, host_index, sudo_terminal_user, NULL);
    g_assert_cmpint (host_result (&fixture, 0)->outcome, ==, FLEET_HOST_SUCCEEDED);
    journal = read_run_file (&fixture, "journal.jsonl");
    g_assert_nonnull (strstr (journal, "\"event\":\"step-retry-with-terminal\""));
    out = read_run_file (&fixture, "output/host07/01.stdout");
    g_assert_cmpstr (out, ==, "root\r\n");
  }

  /* The command reads its standard input: it must see none of the
   * password, both when sudo asks for it and when sudo does not (a root
   * login, like NOPASSWD), and the password must not be run as a command. */
  {
    const char *users[] = { sudo_password_user, "root" };

    for (guint i = 0; i < G_N_ELEMENTS (users); i++)
      {
        g_auto(Fixture) fixture = { 0 };
        SudoSecrets secrets = { .password = password, .given = password };
        g_autofree char *out = NULL;

        fixture_set_up (&fixture, NULL);
        run_sudo_command (&fixture, host_index, users[i], &secrets,
                          "od -c | head -c 200; echo end");
        g_assert_cmpint (host_result (&fixture, 0)->outcome, ==, FLEET_HOST_SUCCEEDED);
        out = read_run_file (&fixture, "output/host07/01.stdout");
        g_assert_cmpstr (out, ==, "0000000\nend\n");
        assert_password_absent (&fixture, password);
        assert_password_absent (&fixture, "input-ends-here");
      }
  }

  set_host_sshd_extra (host_index, NULL);
  g_assert_cmpint (g_chmod (shared_sandbox->dir, 0700), ==, 0);
  remove_sudo_accounts ();
}

/* Add sandbox host `host_index`, logging in as `user`, with the sudo
 * password secret when `secrets` is not NULL. */
static void
add_sudo_host (Fixture *fixture, guint host_index, const char *user, SudoSecrets *secrets)
{
  FleetHost *host = fleet_sandbox_host (shared_sandbox, host_index, "id_ed25519");
  const guint sizes[] = { 1, 0 };

  g_free (host->user);
  host->user = g_strdup (user);
  if (secrets != NULL)
    host->become_password_secret = g_strdup ("sudo-password");
  g_ptr_array_add (fixture->plan->hosts, host);
  set_waves (fixture, sizes);
  fixture->options.secret_func = lookup_sudo_secret;
  fixture->options.secret_data = secrets;
}

static FleetStepKindData *
add_become_task (Fixture *fixture, FleetStepKind kind, const char *description)
{
  FleetStep *step = add_step (fixture, "task", description, 30000);

  step->become = TRUE;
  step->kind_data = fleet_step_kind_data_new (kind);
  return step->kind_data;
}

static void
set_task_content (FleetStepKindData *data, const char *text)
{
  data->source = g_strdup ("test-file");
  data->content = g_bytes_new (text, strlen (text));
  data->content_sha256 = fleet_sha256_hex (data->content);
}

/* Steps that run as tasks (script, copy, wait_for, a run with retries)
 * tell sudo's refusals apart as plain commands do, and do not retry them. */
static void
test_become_task_refusals (gconstpointer data)
{
  const guint host_index = 6;
  g_autofree char *password = NULL;

  if (!require_sandbox () || !create_sudo_accounts (&password))
    return;

  g_assert_cmpint (g_chmod (shared_sandbox->dir, 0711), ==, 0);
  allow_sudo_users (host_index);

  /* The right password: the script reaches its interpreter after it. */
  {
    g_auto(Fixture) fixture = { 0 };
    SudoSecrets secrets = { .password = password, .given = password };
    FleetStepKindData *kind;
    g_autofree char *out = NULL;

    fixture_set_up (&fixture, NULL);
    add_sudo_host (&fixture, host_index, sudo_password_user, &secrets);
    kind = add_become_task (&fixture, FLEET_STEP_KIND_SCRIPT, "script test-file");
    kind->interpreter = g_strdup (FLEET_DEFAULT_SCRIPT_INTERPRETER);
    set_task_content (kind, "id -un\n");
    run_plan (&fixture);

    g_assert_cmpint (host_result (&fixture, 0)->outcome, ==, FLEET_HOST_SUCCEEDED);
    out = read_run_file (&fixture, "output/host07/01.stdout");
    g_assert_cmpstr (out, ==, "root\n");
    assert_password_absent (&fixture, password);
  }

  /* No password secret: the copy's first command already meets sudo. */
  {
    g_auto(Fixture) fixture = { 0 };
    FleetStepKindData *kind;

    fixture_set_up (&fixture, NULL);
    add_sudo_host (&fixture, host_index, sudo_password_user, NULL);
    kind = add_become_task (&fixture, FLEET_STEP_KIND_COPY, "copy test-file");
    set_task_content (kind, "never written\n");
    kind->dest = g_strdup ("/nonexistent/fleetc-become-copy");
    run_plan (&fixture);

    g_assert_cmpint (step_result (&fixture, 0, 0)->failure, ==,
                     FLEET_FAILURE_BECOME_PASSWORD_REQUIRED);
    g_assert_nonnull (strstr (host_result (&fixture, 0)->message, "set become_password_secret"));
  }

  /* A wrong password fails a wait_for at once, not at its deadline, and
   * is not retried. */
  {
    g_auto(Fixture) fixture = { 0 };
    SudoSecrets secrets = { .password = password, .given = "not-the-password" };
    FleetStepKindData *kind;
    FleetStep *step;

    fixture_set_up (&fixture, NULL);
    add_sudo_host (&fixture, host_index, sudo_password_user, &secrets);
    kind = add_become_task (&fixture, FLEET_STEP_KIND_WAIT_FOR, "wait_for command: true");
    kind->command = g_strdup ("true");
    kind->deadline_ms = 600000;
    kind->interval_ms = 1000;
    step = g_ptr_array_index (fixture.plan->steps, 0);
    step->policy = fleet_step_policy_new ();
    step->policy->retries = 2;
    step->policy->retry_delay_ms = 10;
    run_plan (&fixture);

    g_assert_cmpint (step_result (&fixture, 0, 0)->failure, ==,
                     FLEET_FAILURE_BECOME_PASSWORD_INCORRECT);
    g_assert_cmpuint (step_result (&fixture, 0, 0)->attempts, ==, 1);
    g_assert_nonnull (strstr (host_result (&fixture, 0)->message,
                              "rejected the password in secret \"sudo-password\""));
    assert_password_absent (&fixture, "not-the-password");
  }

  /* requiretty: a task gets no terminal, and the message names the
   * sudoers change. */
  {
    g_auto(Fixture) fixture = { 0 };
    FleetStep *step;

    fixture_set_up (&fixture, NULL);
    add_sudo_host (&fixture, host_index, sudo_terminal_user, NULL);
    step = add_step (&fixture, "retried", "id -un", 30000);
    step->become = TRUE;
    step->policy = fleet_step_policy_new ();
    step->policy->retries = 1;
    step->policy->retry_delay_ms = 10;
    run_plan (&fixture);

    g_assert_cmpint (step_result (&fixture, 0, 0)->failure, ==, FLEET_FAILURE_CHANNEL);
    g_assert_cmpuint (step_result (&fixture, 0, 0)->attempts, ==, 1);
    g_assert_nonnull (strstr (host_result (&fixture, 0)->message,
                              "requires a terminal (requiretty)"));
  }

  set_host_sshd_extra (host_index, NULL);
  g_assert_cmpint (g_chmod (shared_sandbox->dir, 0700), ==, 0);
  remove_sudo_accounts ();
}

int
main (int argc, char **argv)
{
  int status;

  g_test_init (&argc, &argv, NULL);
  sudo_password_user = g_strdup_printf ("fleetc-pw-%d", (int) getpid ());
  sudo_terminal_user = g_strdup_printf ("fleetc-tty-%d", (int) getpid ());
  sudoers_file = g_strdup_printf ("/etc/sudoers.d/fleetc-test-%d", (int) getpid ());

#define ADD(path, func) \
  g_test_add (path, Fixture, NULL, fixture_set_up, func, fixture_tear_down)

  ADD ("/session/timeout/kills-process-group", test_timeout_kills_process_group);
  ADD ("/session/timeout/kill-refused-by-max-sessions", test_kill_refused_by_max_sessions);
  ADD ("/session/output/cap-keeps-head-and-tail", test_output_cap_keeps_head_and_tail);
  ADD ("/session/keepalive/silent-peer", test_silent_peer_detected_by_keepalive);
  ADD ("/session/reconnect/closed-between-steps", test_closed_connection_reopened_once);
  ADD ("/session/limits/max-startups", test_max_startups_retried);
  g_test_add_data_func ("/session/become/password", NULL, test_become_password_cases);
  g_test_add_data_func ("/session/become/task-refusals", NULL, test_become_task_refusals);
  ADD ("/session/host-key/revoked", test_revoked_key_refused);
  ADD ("/session/host-key/hashed", test_hashed_known_hosts_accepted);
  ADD ("/session/host-key/accept-new", test_accept_new_records_first_key);
  ADD ("/session/host-key/accept-new-hashed", test_accept_new_hashed_name);

  status = g_test_run ();
  release_sandbox ();
  return status;
}
