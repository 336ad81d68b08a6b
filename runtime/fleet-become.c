/* fleet-become.c: sudo command lines and refusals; the rules are in
 * fleet-become.h. */
#include "runtime/fleet-become.h"

#include <string.h>

/* sudo reads the password from standard input (-S) and the prompt is
 * empty, so that nothing of it reaches the step's output. */
#define SUDO_STDIN_OPTIONS "-S -p ''"

/* Ends the sudo part of standard input; not secret. */
#define STDIN_MARKER "fleetc-sudo-input-ends-here"

/* Run by sudo with the command as $0: drop the password line when sudo
 * left it unread, and the marker line, then run the command on the rest
 * of standard input.  `read` takes a pipe byte by byte, so nothing after
 * the marker is lost. */
#define DROP_PASSWORD_SCRIPT \
  "IFS= read -r l; [ \"$l\" = " STDIN_MARKER " ] || IFS= read -r l; unset l; exec sh -c \"$0\""

void
fleet_become_append_stdin (GByteArray *input, const char *password_line)
{
  g_byte_array_append (input, (const guint8 *) password_line, strlen (password_line));
  g_byte_array_append (input, (const guint8 *) STDIN_MARKER "\n", strlen (STDIN_MARKER) + 1);
}

char *
fleet_become_command_line (const FleetStep *step, const char *command, gboolean with_password)
{
  g_autofree char *quoted = NULL;
  g_autofree char *user_option = NULL;
  g_autofree char *quoted_script = NULL;

  if (!step->become)
    return g_strdup (command);

  quoted = g_shell_quote (command);
  if (step->become_user != NULL)
    {
      g_autofree char *quoted_user = g_shell_quote (step->become_user);
      user_option = g_strdup_printf ("-u %s ", quoted_user);
    }
  if (!with_password)
    return g_strdup_printf ("sudo -n %s-- sh -c %s", user_option != NULL ? user_option : "",
                            quoted);

  quoted_script = g_shell_quote (DROP_PASSWORD_SCRIPT);
  return g_strdup_printf ("sudo " SUDO_STDIN_OPTIONS " %s-- sh -c %s %s",
                          user_option != NULL ? user_option : "", quoted_script, quoted);
}

FleetBecomeVerdict
fleet_become_judge (const FleetStep *step, FleetFailure failure, int exit_status,
                    const char *stderr_tail)
{
  if (!step->become || failure != FLEET_FAILURE_NONE || exit_status != 1
      || strstr (stderr_tail, "sudo: ") == NULL)
    return FLEET_BECOME_RAN;

  if (strstr (stderr_tail, "incorrect password attempt") != NULL)
    return FLEET_BECOME_PASSWORD_INCORRECT;
  if (strstr (stderr_tail, "a password is required") != NULL
      || strstr (stderr_tail, "no password was provided") != NULL)
    return FLEET_BECOME_PASSWORD_REQUIRED;
  if (strstr (stderr_tail, "must have a tty") != NULL)
    return FLEET_BECOME_NEEDS_TERMINAL;
  /* sudo 1.9 writes "sudo: unknown user NAME", older ones "unknown user: NAME";
   * later lines (an audit plugin's) may follow it. */
  if (strstr (stderr_tail, "sudo: unknown user") != NULL)
    return FLEET_BECOME_USER_UNKNOWN;
  return FLEET_BECOME_RAN;
}

FleetFailure
fleet_become_refusal (FleetBecomeVerdict verdict, const FleetStep *step, const FleetHost *host,
                      char **out_message)
{
  /* The callers return early on FLEET_BECOME_RAN, which is not a refusal. */
  g_return_val_if_fail (verdict != FLEET_BECOME_RAN, FLEET_FAILURE_NONE);

  if (verdict == FLEET_BECOME_PASSWORD_INCORRECT)
    {
      *out_message = g_strdup_printf ("sudo rejected the password in secret \"%s\" as incorrect",
                                      host->become_password_secret);
      return FLEET_FAILURE_BECOME_PASSWORD_INCORRECT;
    }

  if (verdict == FLEET_BECOME_NEEDS_TERMINAL)
    {
      *out_message = g_strdup ("sudo on this host requires a terminal (requiretty), and "
                               "fleetc does not type passwords into one; allow the login "
                               "user !requiretty or NOPASSWD in sudoers");
      return FLEET_FAILURE_CHANNEL;
    }

  if (verdict == FLEET_BECOME_USER_UNKNOWN)
    {
      *out_message = g_strdup_printf ("sudo has no user \"%s\" on this host (\"sudo: unknown "
                                      "user\"); fix become_user of step \"%s\", or create the "
                                      "user", step->become_user != NULL ? step->become_user
                                                                         : "root",
                                      step->name);
      return FLEET_FAILURE_BECOME_USER_UNKNOWN;
    }

  /* FLEET_BECOME_PASSWORD_REQUIRED, the one refusal left. */
  *out_message = g_strdup (host->become_password_secret == NULL
                             ? "sudo asks for a password: set become_password_secret for "
                               "the host (fleetc_become_password_secret in an Ansible "
                               "inventory), or allow NOPASSWD in sudoers"
                             : "sudo asks for a password but did not accept the one given");
  return FLEET_FAILURE_BECOME_PASSWORD_REQUIRED;
}
