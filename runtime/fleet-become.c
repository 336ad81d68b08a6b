/* fleet-become.c: sudo command lines; the rules are in fleet-become.h. */
#include "runtime/fleet-become.h"

/* sudo reads the password from standard input (-S) and the prompt is
 * empty, so that nothing of it reaches the step's output. */
#define SUDO_STDIN_OPTIONS "-S -p ''"

char *
fleet_become_command_line (const FleetStep *step, const char *command, gboolean with_password)
{
  g_autofree char *quoted = NULL;
  g_autofree char *user_option = NULL;

  if (!step->become)
    return g_strdup (command);

  quoted = g_shell_quote (command);
  if (step->become_user != NULL)
    {
      g_autofree char *quoted_user = g_shell_quote (step->become_user);
      user_option = g_strdup_printf ("-u %s ", quoted_user);
    }
  return g_strdup_printf ("sudo %s %s-- sh -c %s", with_password ? SUDO_STDIN_OPTIONS : "-n",
                          user_option != NULL ? user_option : "", quoted);
}
