/* fleet-step-task.c: steps run as a sequence of operations; the contract is
 * in fleet-step-task.h.
 *
 * Every kind starts an attempt (start_attempt).  Steps that run their own
 * command end it with end_main_attempt(), which applies failed_when, the
 * expected exit codes and changed_when.  Copy, wait_for and reboot end it
 * with end_internal_attempt().  Both retry a failed attempt while the step
 * has retries left.  In between, a kind
 * runs remote commands (start_remote), waits (sleep_until) and reacts to
 * each operation's end (operation_done).
 */
#include "runtime/fleet-step-task.h"

#include <string.h>

#include "runtime/fleet-become.h"
#include "runtime/fleet-local-process.h"
#include "schema/fleet-expr.h"
#include "schema/fleet-step-values.h"
#include "schema/fleet-template.h"

/* Bytes of each stream kept for changed_when and failed_when, and of the
 * output of the internal commands (a digest, a boot id). */
#define TAIL_BYTES 4096

/* Time between two connection attempts while a host reboots. */
#define RECONNECT_INTERVAL_US (2 * G_USEC_PER_SEC)

/* What the running operation is. */
typedef enum {
  OP_NONE,
  OP_MAIN,                       /* the step's command or script, or a local program */
  OP_PROBE,                      /* wait_for: one check */
  OP_COPY_CHECK,                 /* copy: the digest, mode and owner of the file in place */
  OP_COPY_INSTALL,               /* copy: the file written and moved into place, or its
                                    mode, owner and group set */
  OP_BOOT_ID_BEFORE,             /* reboot: the boot id before */
  OP_REBOOT,                     /* reboot: the reboot command */
  OP_RECONNECT,                  /* reboot: a new connection opening */
  OP_BOOT_ID_AFTER,              /* reboot: the boot id on the new connection */
  OP_SLEEP,                      /* waiting until wake_us */
} Operation;

struct FleetStepTask {
  const FleetStep *step;
  FleetStepKindData *data;       /* the step's kind data with this host's values
                                    (fleet-step-values.h); NULL for a shell step */
  FleetStepPolicy *policy;       /* the step's policy with this host's values, or NULL */
  const FleetHost *host;
  FleetSshContext *ssh;
  FleetConnection **connection;
  char *become_password;
  FleetOutputFunc output_func;
  gpointer output_data;

  Operation op;
  Operation after_sleep;         /* what OP_SLEEP starts when it ends */
  gint64 wake_us;
  gint64 deadline_us;            /* wait_for and reboot: when waiting fails */
  FleetCommand *command;
  FleetLocalProcess *local;
  GString *stdout_tail;          /* of OP_MAIN, or the internal command's whole output */
  GString *stderr_tail;
  char *boot_id_before;
  guint attempts;
  gboolean aborted;
  guint64 output_bytes[2];       /* forwarded to output_func: stdout, stderr */

  gboolean done;
  FleetFailure failure;
  int exit_status;
  char *exit_signal;
  char *message;
  gboolean changed;
};

gboolean
fleet_step_needs_task (const FleetStep *step)
{
  return step->kind_data != NULL || step->policy != NULL;
}

static FleetStepKind
task_kind (const FleetStepTask *task)
{
  return task->data != NULL ? task->data->kind : FLEET_STEP_KIND_SHELL;
}

/* Output */

static void
keep_tail (GString *tail, const char *data, gsize length)
{
  g_string_append_len (tail, data, (gssize) length);
  if (tail->len > TAIL_BYTES)
    g_string_erase (tail, 0, (gssize) (tail->len - TAIL_BYTES));
}

/* The step's output reaches the executor; internal commands keep their
 * standard output to themselves and pass on only their errors. */
static void
on_output (const char *data, gsize length, gboolean is_stderr, gpointer user_data)
{
  FleetStepTask *task = user_data;
  gboolean internal = task->op == OP_COPY_CHECK || task->op == OP_BOOT_ID_BEFORE
                      || task->op == OP_BOOT_ID_AFTER;

  keep_tail (is_stderr ? task->stderr_tail : task->stdout_tail, data, length);
  if (!internal || is_stderr)
    {
      task->output_bytes[is_stderr ? 1 : 0] += length;
      task->output_func (data, length, is_stderr, task->output_data);
    }
}

static void
print_note (FleetStepTask *task, const char *format, ...) G_GNUC_PRINTF (2, 3);

/* Write a line of fleet-run's own to the step's standard output, so the
 * output file shows what the task did between commands. */
static void
print_note (FleetStepTask *task, const char *format, ...)
{
  g_autofree char *text = NULL;
  g_autofree char *line = NULL;
  va_list args;

  va_start (args, format);
  text = g_strdup_vprintf (format, args);
  va_end (args);
  line = g_strdup_printf ("fleet-run: %s\n", text);
  task->output_bytes[0] += strlen (line);
  task->output_func (line, strlen (line), FALSE, task->output_data);
}

static char *
trimmed_stdout (const FleetStepTask *task)
{
  return g_strstrip (g_strndup (task->stdout_tail->str, task->stdout_tail->len));
}

/* Ending */

static void
finish (FleetStepTask *task, FleetFailure failure, int exit_status, const char *signal,
        char *message)
{
  task->done = TRUE;
  task->op = OP_NONE;
  task->failure = failure;
  task->exit_status = exit_status;
  g_free (task->exit_signal);
  task->exit_signal = g_strdup (signal);
  g_free (task->message);
  task->message = message;
}

static void
fail (FleetStepTask *task, FleetFailure failure, char *message)
{
  finish (task, failure, -1, NULL, message);
}

/* Operations */

static void
sleep_until (FleetStepTask *task, gint64 wake_us, Operation next)
{
  task->op = OP_SLEEP;
  task->wake_us = wake_us;
  task->after_sleep = next;
}

/* Start `command` on the host as operation `op`, under sudo when the step
 * has become, with the policy's env and workdir for the step's own work,
 * and `payload` after any sudo password on its standard input.  sudo's
 * refusals end the task in remote_done (fleet_become_judge). */
static void
start_remote (FleetStepTask *task, gint64 now_us, Operation op, const char *command,
              GBytes *payload)
{
  gboolean with_password = task->step->become && task->become_password != NULL;
  g_autofree char *wrapped = op == OP_MAIN
                               ? fleet_step_policy_wrap_command (task->policy, command)
                               : g_strdup (command);
  g_autofree char *line = fleet_become_command_line (task->step, wrapped, with_password);
  g_autoptr(GByteArray) input = g_byte_array_new ();
  FleetCommandSpec spec = { .command_line = line, .timeout_ms = task->step->timeout_ms };

  if (with_password)
    fleet_become_append_stdin (input, task->become_password);
  if (payload != NULL)
    g_byte_array_append (input, g_bytes_get_data (payload, NULL), g_bytes_get_size (payload));
  if (input->len > 0)
    {
      spec.stdin_data = (const char *) input->data;
      spec.stdin_length = input->len;
    }

  g_string_truncate (task->stdout_tail, 0);
  g_string_truncate (task->stderr_tail, 0);
  task->op = op;
  task->command = fleet_command_start (*task->connection, &spec, now_us, on_output, task);
  if (input->len > 0)
    memset (input->data, 0, input->len);
}

/* Conditions over one attempt */

typedef struct {
  const FleetStepTask *task;
  int exit_status;
  char *stdout_text;
  char *stderr_text;
} AttemptNames;

static gboolean
lookup_attempt_name (const char *name, FleetValue *out, gpointer user_data)
{
  AttemptNames *names = user_data;

  if (strcmp (name, "rc") == 0 && names->exit_status >= 0)
    *out = fleet_value_number (names->exit_status);
  else if (strcmp (name, "stdout") == 0)
    *out = fleet_value_string (names->stdout_text);
  else if (strcmp (name, "stderr") == 0)
    *out = fleet_value_string (names->stderr_text);
  else
    return FALSE;
  return TRUE;
}

/* Evaluate `condition` over the attempt.  Returns FALSE with `error` set
 * when it cannot be evaluated. */
static gboolean
evaluate_condition (const FleetStepTask *task, const char *condition, int exit_status,
                    gboolean *out_holds, GError **error)
{
  g_autoptr(FleetExpr) expr = fleet_expr_parse (condition, error);
  AttemptNames names = { task, exit_status, NULL, NULL };
  gboolean evaluated;

  if (expr == NULL)
    return FALSE;

  names.stdout_text = g_strndup (task->stdout_tail->str, task->stdout_tail->len);
  names.stderr_text = g_strndup (task->stderr_tail->str, task->stderr_tail->len);
  if (g_str_has_suffix (names.stdout_text, "\n"))
    names.stdout_text[strlen (names.stdout_text) - 1] = '\0';
  if (g_str_has_suffix (names.stderr_text, "\n"))
    names.stderr_text[strlen (names.stderr_text) - 1] = '\0';
  evaluated = fleet_expr_eval (expr, lookup_attempt_name, &names, out_holds, error);
  g_free (names.stdout_text);
  g_free (names.stderr_text);
  return evaluated;
}

static char *
describe_exit_code (const FleetStep *step, int exit_status)
{
  g_autoptr(GString) expected = g_string_new (NULL);

  for (guint i = 0; i < step->expected_exit_codes->len; i++)
    g_string_append_printf (expected, "%s%d", i > 0 ? ", " : "",
                            g_array_index (step->expected_exit_codes, int, i));
  return g_strdup_printf ("exited with status %d (expected %s)", exit_status, expected->str);
}

static void start_attempt (FleetStepTask *task, gint64 now_us);

/* End an attempt of the step's own work: decide with failed_when or the
 * expected exit codes whether it failed, with changed_when whether it
 * changed anything, and retry a failure while retries are left. */
static void
end_main_attempt (FleetStepTask *task, gint64 now_us, FleetFailure failure, int exit_status,
                  const char *signal, const char *message)
{
  const FleetStepPolicy *policy = task->policy;
  g_autoptr(GError) error = NULL;
  g_autofree char *verdict = message != NULL ? g_strdup (message) : NULL;
  gboolean failed = failure != FLEET_FAILURE_NONE;
  gboolean holds = FALSE;

  if (!failed && policy != NULL && policy->failed_when != NULL)
    {
      if (!evaluate_condition (task, policy->failed_when, exit_status, &holds, &error))
        {
          fail (task, FLEET_FAILURE_CONDITION,
                g_strdup_printf ("failed_when `%s` failed: %s", policy->failed_when, error->message));
          return;
        }
      if (holds)
        {
          failure = FLEET_FAILURE_EXIT_CODE;
          g_free (verdict);
          verdict = g_strdup_printf ("failed_when `%s` is true (exit status %d)",
                                     policy->failed_when, exit_status);
        }
    }
  else if (!failed && !fleet_step_expects_exit_code (task->step, exit_status))
    {
      failure = FLEET_FAILURE_EXIT_CODE;
      g_free (verdict);
      verdict = describe_exit_code (task->step, exit_status);
    }

  if (failure == FLEET_FAILURE_NONE)
    {
      task->changed = TRUE;
      if (policy != NULL && policy->changed_when != NULL)
        {
          if (!evaluate_condition (task, policy->changed_when, exit_status, &task->changed, &error))
            {
              fail (task, FLEET_FAILURE_CONDITION,
                    g_strdup_printf ("changed_when `%s` failed: %s", policy->changed_when,
                                     error->message));
              return;
            }
        }
      finish (task, FLEET_FAILURE_NONE, exit_status, signal, NULL);
      return;
    }

  if (policy != NULL && task->attempts <= policy->retries && !task->aborted)
    {
      print_note (task, "attempt %u of %u failed: %s; retrying in %" G_GUINT64_FORMAT " ms",
                  task->attempts, policy->retries + 1, verdict, policy->retry_delay_ms);
      sleep_until (task, now_us + (gint64) policy->retry_delay_ms * 1000, OP_MAIN);
      return;
    }
  finish (task, failure, exit_status, signal, g_steal_pointer (&verdict));
}

/* End an attempt of the kinds whose success fleet-run decides itself
 * (copy, wait_for, reboot), retrying a failure while retries are left. */
static void
end_internal_attempt (FleetStepTask *task, gint64 now_us, FleetFailure failure, char *message)
{
  const FleetStepPolicy *policy = task->policy;

  if (failure != FLEET_FAILURE_NONE && policy != NULL && task->attempts <= policy->retries
      && !task->aborted)
    {
      print_note (task, "attempt %u of %u failed: %s; retrying in %" G_GUINT64_FORMAT " ms",
                  task->attempts, policy->retries + 1, message, policy->retry_delay_ms);
      g_free (message);
      sleep_until (task, now_us + (gint64) policy->retry_delay_ms * 1000, OP_MAIN);
      return;
    }
  finish (task, failure, failure == FLEET_FAILURE_NONE ? 0 : -1, NULL, message);
}

/* wait_for */

/* Return the shell command that checks the step's condition once. */
static char *
probe_command (const FleetStepKindData *data)
{
  if (data->wait_port != 0)
    {
      g_autofree char *address = fleet_shell_quote (data->wait_host);

      /* bash opens TCP connections through /dev/tcp; without bash, nc -z. */
      return g_strdup_printf ("if command -v bash >/dev/null 2>&1; then "
                              "exec bash -c 'exec 3<>\"/dev/tcp/$0/$1\"' %s %u; "
                              "else exec nc -z %s %u; fi",
                              address, data->wait_port, address, data->wait_port);
    }
  if (data->wait_path != NULL)
    {
      g_autofree char *path = fleet_shell_quote (data->wait_path);

      return g_strdup_printf ("test -e %s", path);
    }
  return g_strdup (data->command);
}

static char *
describe_wait (const FleetStepKindData *data)
{
  if (data->wait_port != 0)
    return g_strdup_printf ("port %u on %s accepted no connection", data->wait_port,
                            data->wait_host);
  if (data->wait_path != NULL)
    return g_strdup_printf ("%s did not exist", data->wait_path);
  return g_strdup_printf ("command `%s` did not succeed", data->command);
}

static void
probe_done (FleetStepTask *task, gint64 now_us, FleetFailure failure, int exit_status)
{
  const FleetStepKindData *data = task->data;
  g_autofree char *what = NULL;

  if (failure == FLEET_FAILURE_NONE && exit_status == 0)
    {
      task->changed = FALSE;
      end_internal_attempt (task, now_us, FLEET_FAILURE_NONE, NULL);
      return;
    }
  if (failure == FLEET_FAILURE_CONNECTION_LOST || failure == FLEET_FAILURE_INTERRUPTED
      || failure == FLEET_FAILURE_CHANNEL)
    {
      end_internal_attempt (task, now_us, failure,
                            g_strdup_printf ("the check could not run: %s",
                                             fleet_command_get_message (task->command)));
      return;
    }
  if (now_us + (gint64) data->interval_ms * 1000 < task->deadline_us)
    {
      sleep_until (task, now_us + (gint64) data->interval_ms * 1000, OP_PROBE);
      return;
    }

  what = describe_wait (data);
  end_internal_attempt (task, now_us, FLEET_FAILURE_COMMAND_TIMEOUT,
                        g_strdup_printf ("%s within the deadline of %" G_GUINT64_FORMAT " s",
                                         what, data->deadline_ms / 1000));
}

/* copy and template */

static GBytes *
copy_content (const FleetStepTask *task)
{
  return fleet_step_kind_content_for_host (task->data, task->host->name);
}

/* The exit status of the copy's check, and of its upload, when the
 * destination is a directory: mv would put the file inside it. */
#define DEST_IS_DIRECTORY_STATUS 3

static void
start_copy_check (FleetStepTask *task, gint64 now_us)
{
  g_autofree char *dest = fleet_shell_quote (task->data->dest);
  g_autofree char *command = g_strdup_printf (
    "f=%s; if [ -d \"$f\" ]; then exit " G_STRINGIFY (DEST_IS_DIRECTORY_STATUS) "; fi; "
    "if [ -e \"$f\" ]; then sha256sum -- \"$f\" | cut -d ' ' -f 1 && "
    "stat -c '%%a %%U %%G' -- \"$f\"; else echo absent; fi", dest);

  if (copy_content (task) == NULL)
    {
      end_internal_attempt (task, now_us, FLEET_FAILURE_CHANNEL,
                            g_strdup_printf ("the plan has no rendering of this file for host "
                                             "\"%s\"; compile the plan again", task->host->name));
      return;
    }
  start_remote (task, now_us, OP_COPY_CHECK, command, NULL);
}

/* Return whether the file in place, described by the check's output
 * `lines` ("absent", or the digest then "MODE OWNER GROUP"), has the
 * content and the mode, owner and group the step requests.  Sets
 * `out_same_content` when only the attributes differ. */
static gboolean
file_in_place (const FleetStepTask *task, char **lines, gboolean *out_same_content)
{
  const FleetStepKindData *data = task->data;
  g_autofree char *digest = fleet_sha256_hex (copy_content (task));
  g_auto(GStrv) attributes = NULL;
  guint64 mode = 0;

  *out_same_content = FALSE;
  if (lines[0] == NULL || lines[1] == NULL || strcmp (lines[0], digest) != 0)
    return FALSE;

  *out_same_content = TRUE;
  attributes = g_strsplit (lines[1], " ", 3);
  if (g_strv_length (attributes) != 3
      || !g_ascii_string_to_unsigned (attributes[0], 8, 0, 07777, &mode, NULL))
    return FALSE;

  return (data->mode == FLEET_COPY_MODE_UNSET || mode == data->mode)
         && (data->owner == NULL || strcmp (attributes[1], data->owner) == 0)
         && (data->group == NULL || strcmp (attributes[2], data->group) == 0);
}

/* Return the shell command that sets the mode, owner and group of the
 * file at the shell variable `variable`. */
static char *
attribute_commands (const FleetStepKindData *data, const char *variable)
{
  GString *text = g_string_new (NULL);

  if (data->mode != FLEET_COPY_MODE_UNSET)
    g_string_append_printf (text, "chmod %04o \"$%s\"\n", data->mode, variable);
  if (data->owner != NULL)
    {
      g_autofree char *owner = fleet_shell_quote (data->owner);

      g_string_append_printf (text, "chown -- %s \"$%s\"\n", owner, variable);
    }
  if (data->group != NULL)
    {
      g_autofree char *group = fleet_shell_quote (data->group);

      g_string_append_printf (text, "chgrp -- %s \"$%s\"\n", group, variable);
    }
  return g_string_free (text, FALSE);
}

/* Send the file on the standard input of one command (under sudo with
 * become).  The command writes it to a temporary name in the destination
 * directory, checks its SHA-256, sets mode, owner and group, and renames
 * it over the destination, so a reader never sees the file half written.  The input
 * flows through the command's channel as the window allows
 * (fleet-command.c), so other hosts progress meanwhile, and the channel
 * works through a jump host's tunnel like any other command.  mktemp
 * creates the file with mode 0600, so no other user can read it before chmod. */
static void
start_copy_upload (FleetStepTask *task, gint64 now_us)
{
  const FleetStepKindData *data = task->data;
  GBytes *content = copy_content (task);
  g_autofree char *digest = fleet_sha256_hex (content);
  g_autofree char *dest = fleet_shell_quote (data->dest);
  g_autofree char *attributes = attribute_commands (data, "t");
  g_autofree char *command = g_strdup_printf (
    "set -e\n"
    "d=%s; t=\n"
    "if [ -d \"$d\" ]; then exit " G_STRINGIFY (DEST_IS_DIRECTORY_STATUS) "; fi\n"
    "trap 'rm -f -- ${t:+\"$t\"}' EXIT\n"
    "t=$(mktemp -- \"${d%%/*}/.fleetc.XXXXXX\")\n"
    "cat > \"$t\"\n"
    "echo \"%s  $t\" | sha256sum -c --status - || "
    "{ echo 'fleet-run: the file arrived incomplete or changed' >&2; exit 1; }\n"
    "if [ -e \"$d\" ]; then chmod --reference=\"$d\" -- \"$t\"; "
    "chown --reference=\"$d\" -- \"$t\" 2>/dev/null || :; else chmod 0644 -- \"$t\"; fi\n"
    "%s"
    "mv -f -- \"$t\" \"$d\"\n"
    "t=\n",
    dest, digest, attributes);

  start_remote (task, now_us, OP_COPY_INSTALL, command, content);
}

static void
copy_check_done (FleetStepTask *task, gint64 now_us, FleetFailure failure, int exit_status)
{
  g_autofree char *output = trimmed_stdout (task);
  g_auto(GStrv) lines = g_strsplit (output, "\n", 3);
  gboolean same_content = FALSE;

  if (failure == FLEET_FAILURE_NONE && exit_status == DEST_IS_DIRECTORY_STATUS)
    {
      g_autofree char *name = g_path_get_basename (task->data->source != NULL
                                                     ? task->data->source : "FILE");

      end_internal_attempt (task, now_us, FLEET_FAILURE_EXIT_CODE,
                            g_strdup_printf ("%s is a directory on the host; give the path of "
                                             "the file itself as dest, such as %s/%s",
                                             task->data->dest, task->data->dest, name));
      return;
    }
  if (failure != FLEET_FAILURE_NONE || exit_status != 0)
    {
      end_internal_attempt (task, now_us, failure != FLEET_FAILURE_NONE ? failure
                                                                         : FLEET_FAILURE_EXIT_CODE,
                            g_strdup_printf ("cannot read %s on the host (exit status %d)",
                                             task->data->dest, exit_status));
      return;
    }

  if (file_in_place (task, lines, &same_content))
    {
      print_note (task, "%s is up to date (SHA-256, mode, owner and group match); not rewritten",
                  task->data->dest);
      task->changed = FALSE;
      end_internal_attempt (task, now_us, FLEET_FAILURE_NONE, NULL);
      return;
    }

  if (same_content)
    {
      g_autofree char *dest = fleet_shell_quote (task->data->dest);
      g_autofree char *attributes = attribute_commands (task->data, "t");
      g_autofree char *command = g_strdup_printf ("set -e\nt=%s\n%s", dest, attributes);

      print_note (task, "%s has the right content; setting its mode, owner and group",
                  task->data->dest);
      start_remote (task, now_us, OP_COPY_INSTALL, command, NULL);
      return;
    }

  start_copy_upload (task, now_us);
}

static void
copy_install_done (FleetStepTask *task, gint64 now_us, FleetFailure failure, int exit_status)
{
  if (failure == FLEET_FAILURE_NONE && exit_status == 0)
    {
      print_note (task, "wrote %s", task->data->dest);
      task->changed = TRUE;
      end_internal_attempt (task, now_us, FLEET_FAILURE_NONE, NULL);
      return;
    }
  end_internal_attempt (task, now_us,
                        failure != FLEET_FAILURE_NONE ? failure : FLEET_FAILURE_EXIT_CODE,
                        g_strdup_printf ("cannot put %s in place (exit status %d); its "
                                         "standard error says why",
                                         task->data->dest, exit_status));
}

/* reboot */

static void
start_boot_id_read (FleetStepTask *task, gint64 now_us, Operation op)
{
  g_autofree char *file = fleet_shell_quote (task->data->boot_id_file);
  g_autofree char *command = g_strdup_printf ("cat -- %s", file);

  start_remote (task, now_us, op, command, NULL);
}

static void
start_reconnect (FleetStepTask *task, gint64 now_us)
{
  if (now_us >= task->deadline_us)
    {
      end_internal_attempt (task, now_us, FLEET_FAILURE_CONNECTION_TIMEOUT,
                            g_strdup_printf ("the host did not come back with a new boot id "
                                             "within the deadline of %" G_GUINT64_FORMAT " s",
                                             task->data->deadline_ms / 1000));
      return;
    }

  fleet_connection_free (*task->connection);
  *task->connection = fleet_connection_new (task->host, task->ssh);
  fleet_connection_start (*task->connection, now_us);
  task->op = OP_RECONNECT;
}

static void
reboot_command_done (FleetStepTask *task, gint64 now_us, FleetFailure failure, int exit_status)
{
  /* A reboot may end the command with a lost connection, a signal or no
   * exit status at all.  Only a refused channel or an error status fails. */
  if ((failure == FLEET_FAILURE_NONE && exit_status != 0) || failure == FLEET_FAILURE_CHANNEL
      || failure == FLEET_FAILURE_INTERRUPTED)
    {
      end_internal_attempt (task, now_us,
                            failure != FLEET_FAILURE_NONE ? failure : FLEET_FAILURE_EXIT_CODE,
                            g_strdup_printf ("the reboot command `%s` failed (exit status %d)",
                                             task->data->command, exit_status));
      return;
    }

  print_note (task, "reboot command sent; waiting for the host to come back");
  task->deadline_us = now_us + (gint64) task->data->deadline_ms * 1000;
  sleep_until (task, now_us + RECONNECT_INTERVAL_US, OP_RECONNECT);
}

static void
boot_id_after_done (FleetStepTask *task, gint64 now_us, FleetFailure failure, int exit_status)
{
  g_autofree char *boot_id = trimmed_stdout (task);

  if (failure == FLEET_FAILURE_NONE && exit_status == 0 && boot_id[0] != '\0'
      && g_strcmp0 (boot_id, task->boot_id_before) != 0)
    {
      print_note (task, "the host is back with boot id %s", boot_id);
      task->changed = TRUE;
      end_internal_attempt (task, now_us, FLEET_FAILURE_NONE, NULL);
      return;
    }

  /* The old system still accepts logins, or the new one is not ready yet. */
  sleep_until (task, now_us + RECONNECT_INTERVAL_US, OP_RECONNECT);
}

static void
process_reconnect (FleetStepTask *task, gint64 now_us)
{
  FleetConnectionState state = fleet_connection_get_state (*task->connection);

  if (state == FLEET_CONNECTION_READY)
    {
      start_boot_id_read (task, now_us, OP_BOOT_ID_AFTER);
      return;
    }
  if (state != FLEET_CONNECTION_FAILED)
    return;

  /* A changed host key is not a reboot: it stays an error at once. */
  if (fleet_connection_get_failure (*task->connection) == FLEET_FAILURE_HOST_KEY_CHANGED
      || fleet_connection_get_failure (*task->connection) == FLEET_FAILURE_AUTH_FAILED)
    {
      end_internal_attempt (task, now_us, fleet_connection_get_failure (*task->connection),
                            g_strdup (fleet_connection_get_message (*task->connection)));
      return;
    }
  sleep_until (task, now_us + RECONNECT_INTERVAL_US, OP_RECONNECT);
}

/* local */

/* Return the argv the plan rendered for this host, NULL-terminated; free
 * with g_strfreev.  NULL when the plan has none. */
static char **
local_argv (const FleetStepTask *task)
{
  GBytes *rendered = task->data->host_contents != NULL
                       ? g_hash_table_lookup (task->data->host_contents, task->host->name)
                       : NULL;
  GPtrArray *argv = g_ptr_array_new ();
  gsize length = 0;
  const char *bytes;

  if (rendered == NULL)
    {
      g_ptr_array_unref (argv);
      return NULL;
    }

  bytes = g_bytes_get_data (rendered, &length);
  for (gsize offset = 0; offset < length; offset += strlen (bytes + offset) + 1)
    g_ptr_array_add (argv, g_strdup (bytes + offset));
  g_ptr_array_add (argv, NULL);
  return (char **) g_ptr_array_free (argv, FALSE);
}

static void
start_local (FleetStepTask *task, gint64 now_us)
{
  g_auto(GStrv) argv = local_argv (task);
  g_autoptr(GError) error = NULL;

  if (argv == NULL || argv[0] == NULL)
    {
      fail (task, FLEET_FAILURE_CHANNEL,
            g_strdup_printf ("the plan has no arguments of this local step for host \"%s\"; "
                             "compile the plan again", task->host->name));
      return;
    }

  g_string_truncate (task->stdout_tail, 0);
  g_string_truncate (task->stderr_tail, 0);
  task->op = OP_MAIN;
  task->local = fleet_local_process_start ((const char * const *) argv, task->step->timeout_ms,
                                           now_us, on_output, task, &error);
  if (task->local == NULL)
    end_main_attempt (task, now_us, FLEET_FAILURE_CHANNEL, -1, NULL, error->message);
}

/* Attempts */

static void
start_attempt (FleetStepTask *task, gint64 now_us)
{
  task->attempts++;
  switch (task_kind (task))
    {
    case FLEET_STEP_KIND_SHELL:
      start_remote (task, now_us, OP_MAIN,
                    fleet_step_command_for_host (task->step, task->host->name), NULL);
      break;
    case FLEET_STEP_KIND_SCRIPT:
      start_remote (task, now_us, OP_MAIN, task->data->interpreter, task->data->content);
      break;
    case FLEET_STEP_KIND_LOCAL:
      start_local (task, now_us);
      break;
    case FLEET_STEP_KIND_WAIT_FOR:
      {
        g_autofree char *command = probe_command (task->data);

        task->deadline_us = now_us + (gint64) task->data->deadline_ms * 1000;
        start_remote (task, now_us, OP_PROBE, command, NULL);
      }
      break;
    case FLEET_STEP_KIND_COPY:
    case FLEET_STEP_KIND_TEMPLATE:
      start_copy_check (task, now_us);
      break;
    case FLEET_STEP_KIND_REBOOT:
      start_boot_id_read (task, now_us, OP_BOOT_ID_BEFORE);
      break;
    }
}

/* End the task when sudo refused to run the operation's command: a
 * password it was not given, a wrong one, or requiretty.  A task does not
 * retry with a terminal as a plain command does, because its commands
 * read data from standard input, which a terminal would alter. */
static gboolean
refused_by_sudo (FleetStepTask *task, FleetFailure failure, int exit_status)
{
  FleetBecomeVerdict verdict = fleet_become_judge (task->step, failure, exit_status,
                                                   task->stderr_tail->str);
  char *message = NULL;
  FleetFailure refusal;

  if (verdict == FLEET_BECOME_RAN)
    return FALSE;

  refusal = fleet_become_refusal (verdict, task->step, task->host, &message);
  finish (task, refusal, exit_status, NULL, message);
  return TRUE;
}

/* React to the end of the remote command of the current operation. */
static void
remote_done (FleetStepTask *task, gint64 now_us)
{
  FleetCommand *command = task->command;
  FleetFailure failure = fleet_command_get_failure (command);
  int exit_status = fleet_command_get_exit_status (command);
  Operation op = task->op;

  if (task->aborted)
    {
      fail (task, failure, g_strdup (fleet_command_get_message (command)));
    }
  else if (refused_by_sudo (task, failure, exit_status))
    {
      /* Handled: a retry would meet the same sudoers and password. */
    }
  else if (op == OP_MAIN)
    {
      end_main_attempt (task, now_us, failure, exit_status, fleet_command_get_exit_signal (command),
                        fleet_command_get_message (command));
    }
  else if (op == OP_PROBE)
    {
      probe_done (task, now_us, failure, exit_status);
    }
  else if (op == OP_COPY_CHECK)
    {
      copy_check_done (task, now_us, failure, exit_status);
    }
  else if (op == OP_COPY_INSTALL)
    {
      copy_install_done (task, now_us, failure, exit_status);
    }
  else if (op == OP_BOOT_ID_BEFORE)
    {
      g_free (task->boot_id_before);
      task->boot_id_before = trimmed_stdout (task);
      if (failure != FLEET_FAILURE_NONE || exit_status != 0 || task->boot_id_before[0] == '\0')
        end_internal_attempt (task, now_us,
                              failure != FLEET_FAILURE_NONE ? failure : FLEET_FAILURE_EXIT_CODE,
                              g_strdup_printf ("cannot read the boot id from %s (exit status %d)",
                                               task->data->boot_id_file, exit_status));
      else
        start_remote (task, now_us, OP_REBOOT, task->data->command, NULL);
    }
  else if (op == OP_REBOOT)
    {
      reboot_command_done (task, now_us, failure, exit_status);
    }
  else if (op == OP_BOOT_ID_AFTER)
    {
      boot_id_after_done (task, now_us, failure, exit_status);
    }

  /* The handlers above may have started the next command already. */
  if (task->command == command)
    task->command = NULL;
  fleet_command_free (command);
}

static void
local_done (FleetStepTask *task, gint64 now_us)
{
  FleetLocalProcess *process = g_steal_pointer (&task->local);

  if (task->aborted)
    fail (task, fleet_local_process_get_failure (process),
          g_strdup (fleet_local_process_get_message (process)));
  else
    end_main_attempt (task, now_us, fleet_local_process_get_failure (process),
                      fleet_local_process_get_exit_status (process),
                      fleet_local_process_get_exit_signal (process),
                      fleet_local_process_get_message (process));
  fleet_local_process_free (process);
}

FleetStepTask *
fleet_step_task_start (const FleetStepTaskSetup *setup, gint64 now_us)
{
  FleetStepTask *task = g_new0 (FleetStepTask, 1);

  g_autoptr(GError) error = NULL;

  task->step = setup->step;
  task->host = setup->host;
  task->ssh = setup->ssh;
  task->connection = setup->connection;
  task->become_password = g_strdup (setup->become_password);
  task->output_func = setup->output_func;
  task->output_data = setup->output_data;
  task->stdout_tail = g_string_new (NULL);
  task->stderr_tail = g_string_new (NULL);
  task->exit_status = -1;

  if (!fleet_step_values_apply (setup->step->values, setup->host->name, setup->step->kind_data,
                                setup->step->policy, &task->data, &task->policy, &error))
    {
      fail (task, FLEET_FAILURE_CHANNEL, g_strdup (error->message));
      return task;
    }

  start_attempt (task, now_us);
  return task;
}

void
fleet_step_task_process (FleetStepTask *task, gint64 now_us)
{
  while (!task->done)
    {
      Operation op = task->op;

      if (task->command != NULL)
        {
          if (!fleet_command_is_done (task->command))
            return;
          remote_done (task, now_us);
        }
      else if (task->local != NULL)
        {
          fleet_local_process_poll (task->local, now_us);
          if (!fleet_local_process_is_done (task->local))
            return;
          local_done (task, now_us);
        }
      else if (op == OP_SLEEP)
        {
          if (now_us < task->wake_us)
            return;
          if (task->after_sleep == OP_RECONNECT)
            start_reconnect (task, now_us);
          else if (task->after_sleep == OP_PROBE)
            {
              g_autofree char *command = probe_command (task->data);

              start_remote (task, now_us, OP_PROBE, command, NULL);
            }
          else
            start_attempt (task, now_us);
        }
      else if (op == OP_RECONNECT)
        {
          process_reconnect (task, now_us);
          if (task->op == OP_RECONNECT)
            return;
        }
      else
        {
          return;
        }
    }
}

void
fleet_step_task_abort (FleetStepTask *task, FleetFailure failure, const char *message)
{
  if (task->done)
    return;

  task->aborted = TRUE;
  if (task->command != NULL)
    fleet_command_abort (task->command, failure, message);
  else if (task->local != NULL)
    fleet_local_process_abort (task->local, failure, message);
  else
    fail (task, failure, g_strdup (message));
}

gboolean
fleet_step_task_is_done (const FleetStepTask *task)
{
  return task->done;
}

FleetFailure
fleet_step_task_get_failure (const FleetStepTask *task)
{
  return task->failure;
}

int
fleet_step_task_get_exit_status (const FleetStepTask *task)
{
  return task->exit_status;
}

const char *
fleet_step_task_get_exit_signal (const FleetStepTask *task)
{
  return task->exit_signal;
}

const char *
fleet_step_task_get_message (const FleetStepTask *task)
{
  return task->message;
}

gboolean
fleet_step_task_get_changed (const FleetStepTask *task)
{
  return task->changed;
}

guint64
fleet_step_task_get_output_bytes (const FleetStepTask *task, gboolean is_stderr)
{
  return task->output_bytes[is_stderr ? 1 : 0];
}

guint
fleet_step_task_get_attempts (const FleetStepTask *task)
{
  return task->attempts;
}

void
fleet_step_task_free (FleetStepTask *task)
{
  if (task == NULL)
    return;

  g_clear_pointer (&task->command, fleet_command_free);
  g_clear_pointer (&task->local, fleet_local_process_free);
  if (task->become_password != NULL)
    {
      memset (task->become_password, 0, strlen (task->become_password));
      g_free (task->become_password);
    }
  g_string_free (task->stdout_tail, TRUE);
  g_string_free (task->stderr_tail, TRUE);
  fleet_step_kind_data_free (task->data);
  fleet_step_policy_free (task->policy);
  g_free (task->boot_id_before);
  g_free (task->exit_signal);
  g_free (task->message);
  g_free (task);
}
