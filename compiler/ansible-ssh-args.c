/* ansible-ssh-args.c: the proxy options in an Ansible host's SSH
 * arguments; the rules are in ansible-ssh-args.h. */
#include "compiler/ansible-ssh-args.h"

#include <string.h>

/* Option letters of ssh(1) (OpenSSH 9.2) that take an argument. */
#define SSH_LETTERS_WITH_ARGUMENT "BbcDEeFIiJLlmOoPpQRSWw"

#define PROXY_COMMAND_REJECTION \
  "ProxyCommand is not supported: fleet-run does not run proxy commands, and connecting " \
  "directly instead could bypass a bastion; use -o ProxyJump=HOST or -J HOST, or set " \
  "fleetc_proxy_jump"

G_DEFINE_QUARK (fleet-ssh-args-error-quark, fleet_ssh_args_error)

void
fleet_ssh_args_clear (FleetSshArgs *args)
{
  g_clear_pointer (&args->proxy_jump, g_free);
  args->other_options = FALSE;
}

static void
set_proxy (FleetSshArgs *out, const char *value)
{
  if (out->proxy_jump == NULL)
    out->proxy_jump = g_strdup (value);
}

/* Read one `-o` option, "Keyword=value" or "Keyword value". */
static gboolean
read_option (const char *option, FleetSshArgs *out, GError **error)
{
  gsize keyword_length = strcspn (option, "= \t");
  const char *value = option + keyword_length;
  g_autofree char *keyword = g_strndup (option, keyword_length);

  value += strspn (value, " \t");
  if (*value == '=')
    value++;
  value += strspn (value, " \t");

  if (g_ascii_strcasecmp (keyword, "ProxyJump") == 0)
    {
      if (*value == '\0')
        {
          g_set_error (error, FLEET_SSH_ARGS_ERROR, FLEET_SSH_ARGS_ERROR_INVALID,
                       "-o ProxyJump has no value; write -o ProxyJump=HOST");
          return FALSE;
        }
      set_proxy (out, value);
      return TRUE;
    }

  if (g_ascii_strcasecmp (keyword, "ProxyCommand") != 0)
    {
      out->other_options = TRUE;
      return TRUE;
    }

  if (g_ascii_strcasecmp (value, "none") == 0)
    {
      set_proxy (out, "none");
      return TRUE;
    }

  /* A ProxyJump given earlier wins in ssh too, so the command never runs. */
  if (out->proxy_jump != NULL)
    return TRUE;

  g_set_error_literal (error, FLEET_SSH_ARGS_ERROR, FLEET_SSH_ARGS_ERROR_PROXY_COMMAND,
                       PROXY_COMMAND_REJECTION);
  return FALSE;
}

/* Read the option word argv[*index], which starts with '-', and the word
 * after it when its last letter takes an argument. */
static gboolean
read_option_word (char **argv, int argc, int *index, FleetSshArgs *out, GError **error)
{
  const char *word = argv[*index];

  for (const char *letter = word + 1; *letter != '\0'; letter++)
    {
      const char *argument;

      if (strchr (SSH_LETTERS_WITH_ARGUMENT, *letter) == NULL)
        {
          out->other_options = TRUE;
          continue;
        }

      if (letter[1] != '\0')
        argument = letter + 1;
      else if (*index + 1 < argc)
        argument = argv[++*index];
      else
        {
          g_set_error (error, FLEET_SSH_ARGS_ERROR, FLEET_SSH_ARGS_ERROR_INVALID,
                       "option -%c has no argument", *letter);
          return FALSE;
        }

      if (*letter == 'J')
        set_proxy (out, argument);
      else if (*letter == 'o')
        return read_option (argument, out, error);
      else
        out->other_options = TRUE;
      return TRUE;
    }

  return TRUE;
}

gboolean
fleet_ssh_args_scan (const char *text, FleetSshArgs *out, GError **error)
{
  g_auto (GStrv) argv = NULL;
  g_autoptr (GError) split_error = NULL;
  int argc = 0;

  if (text[strspn (text, " \t\r\n")] == '\0')
    return TRUE;

  if (!g_shell_parse_argv (text, &argc, &argv, &split_error))
    {
      g_set_error (error, FLEET_SSH_ARGS_ERROR, FLEET_SSH_ARGS_ERROR_SYNTAX,
                   "cannot split it into words: %s", split_error->message);
      return FALSE;
    }

  for (int i = 0; i < argc; i++)
    {
      if (argv[i][0] != '-' || argv[i][1] == '\0')
        {
          out->other_options = TRUE;
          continue;
        }
      if (!read_option_word (argv, argc, &i, out, error))
        return FALSE;
    }

  return TRUE;
}
