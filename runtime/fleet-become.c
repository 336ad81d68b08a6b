/* fleet-become.c: sudo command lines; the rules are in fleet-become.h. */
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
