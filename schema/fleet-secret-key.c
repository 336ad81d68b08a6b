/* fleet-secret-key.c: the master passphrase from a key file, the
 * environment or the terminal. */
#include "schema/fleet-secret-key.h"

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <string.h>
#include <sys/stat.h>
#include <termios.h>
#include <unistd.h>

#include <openssl/crypto.h>

#include "schema/fleet-secret-key-private.h"
#include "schema/fleet-secret-store.h"

/* Key file. */

FleetSecret *
fleet_secret_key_read_file (const char *path, GError **error)
{
  g_autoptr(FleetSecret) content = NULL;
  struct stat info;
  gsize length = 0;
  int fd;

  fd = open (path, O_RDONLY | O_CLOEXEC | O_NOCTTY | O_NONBLOCK);
  if (fd < 0)
    {
      g_set_error (error, FLEET_SECRET_STORE_ERROR, FLEET_SECRET_STORE_ERROR_NO_KEY,
                   "cannot read key file %s: %s", path, g_strerror (errno));
      return NULL;
    }
  if (fstat (fd, &info) != 0 || !S_ISREG (info.st_mode))
    {
      g_set_error (error, FLEET_SECRET_STORE_ERROR, FLEET_SECRET_STORE_ERROR_NO_KEY,
                   "cannot read key file %s: it is not a regular file", path);
      close (fd);
      return NULL;
    }
  if ((info.st_mode & 077) != 0)
    {
      g_set_error (error, FLEET_SECRET_STORE_ERROR, FLEET_SECRET_STORE_ERROR_PERMISSIONS,
                   "permissions %04o for key file %s are too open: it contains the master "
                   "passphrase of the secret store, so only its owner may read it; run "
                   "`chmod 600 %s`", (unsigned) (info.st_mode & 07777), path, path);
      close (fd);
      return NULL;
    }

  /* Reading one byte past the maximum distinguishes a too long file from one
   * at the limit. */
  content = fleet_secret_new (FLEET_SECRET_PASSPHRASE_MAX + 1);
  while (length < content->length)
    {
      ssize_t got;

      do
        got = read (fd, content->data + length, content->length - length);
      while (got < 0 && errno == EINTR);
      if (got < 0)
        {
          g_set_error (error, FLEET_SECRET_STORE_ERROR, FLEET_SECRET_STORE_ERROR_NO_KEY,
                       "cannot read key file %s: %s", path, g_strerror (errno));
          close (fd);
          return NULL;
        }
      if (got == 0)
        break;
      length += got;
    }
  close (fd);

  if (length > FLEET_SECRET_PASSPHRASE_MAX)
    {
      g_set_error (error, FLEET_SECRET_STORE_ERROR, FLEET_SECRET_STORE_ERROR_INVALID_VALUE,
                   "key file %s is longer than %d bytes; a master passphrase is at most %d",
                   path, FLEET_SECRET_PASSPHRASE_MAX, FLEET_SECRET_PASSPHRASE_MAX);
      return NULL;
    }
  if (length > 0 && content->data[length - 1] == '\n')
    length--;
  if (length == 0)
    {
      g_set_error (error, FLEET_SECRET_STORE_ERROR, FLEET_SECRET_STORE_ERROR_INVALID_VALUE,
                   "key file %s is empty; write the master passphrase into it", path);
      return NULL;
    }

  fleet_secret_set_length (content, length);
  return g_steal_pointer (&content);
}

/* Terminal prompt. */

static volatile sig_atomic_t received_signal;

static void
on_prompt_signal (int number)
{
  received_signal = number;
}

/* Signals that would otherwise stop or end the process with echo still off. */
static const int prompt_signals[] = {
  SIGALRM, SIGHUP, SIGINT, SIGQUIT, SIGTERM, SIGTSTP, SIGTTIN, SIGTTOU,
};

static gboolean
write_text (int fd, const char *text)
{
  gsize length = strlen (text);

  while (length > 0)
    {
      ssize_t written = write (fd, text, length);

      if (written < 0 && errno == EINTR && received_signal == 0)
        continue;
      if (written < 0)
        return FALSE;
      text += written;
      length -= written;
    }
  return TRUE;
}

/* Read one line from `fd` into `line` (capacity `max_length` + 1).  Stops at
 * newline, end of file, an error, or a signal caught by on_prompt_signal.
 * Returns FALSE with `errno` set on a read error or signal. */
static gboolean
read_line (int fd, FleetSecret *line, gsize max_length)
{
  gsize length = 0;
  gboolean ok = TRUE;
  char c = 0;

  for (;;)
    {
      struct pollfd ready = { fd, POLLIN, 0 };
      int polled;
      ssize_t got;

      /* A signal that arrives after this check but before poll() starts
       * waiting does not interrupt it, so poll() wakes up regularly to look
       * again instead of sleeping until the user presses Enter. */
      if (received_signal != 0)
        {
          errno = EINTR;
          ok = FALSE;
          break;
        }
      polled = poll (&ready, 1, 200);
      if (polled == 0 || (polled < 0 && errno == EINTR))
        continue;
      if (polled < 0)
        {
          ok = FALSE;
          break;
        }

      got = read (fd, &c, 1);
      if (got < 0 && errno == EINTR)
        continue;
      if (got < 0)
        {
          ok = FALSE;
          break;
        }
      if (got == 0 || c == '\n')
        break;
      /* Keep counting past the limit so the caller can report the line as
       * too long instead of cutting it. */
      if (length <= max_length)
        line->data[length] = c;
      length++;
    }

  OPENSSL_cleanse (&c, sizeof c);
  fleet_secret_set_length (line, MIN (length, max_length + 1));
  return ok;
}

/* Prompt once on the terminal `fd`, opened from `device`, with echo off,
 * restoring the terminal mode and the signal dispositions before
 * returning. */
static FleetSecret *
prompt_once (int fd, const char *device, const char *prompt, gsize max_length, GError **error)
{
  g_autoptr(FleetSecret) line = fleet_secret_new (max_length + 1);
  struct sigaction saved_actions[G_N_ELEMENTS (prompt_signals)];
  struct sigaction action;
  struct termios saved_mode;
  struct termios quiet_mode;
  gboolean read_ok;
  int read_errno;

  if (tcgetattr (fd, &saved_mode) != 0)
    {
      g_set_error (error, FLEET_SECRET_STORE_ERROR, FLEET_SECRET_STORE_ERROR_NO_TERMINAL,
                   "cannot prompt on %s: %s", device, g_strerror (errno));
      return NULL;
    }

  received_signal = 0;
  memset (&action, 0, sizeof action);
  action.sa_handler = on_prompt_signal;
  sigemptyset (&action.sa_mask);
  /* No SA_RESTART: blocking calls return EINTR, so the signal is handled at
   * once. */
  for (gsize i = 0; i < G_N_ELEMENTS (prompt_signals); i++)
    sigaction (prompt_signals[i], &action, &saved_actions[i]);

  quiet_mode = saved_mode;
  quiet_mode.c_lflag &= ~(ECHO | ECHOE | ECHOK | ECHONL);
  quiet_mode.c_lflag |= ICANON;
  tcsetattr (fd, TCSAFLUSH, &quiet_mode);

  read_ok = write_text (fd, prompt) && read_line (fd, line, max_length);
  read_errno = errno;

  tcsetattr (fd, TCSAFLUSH, &saved_mode);
  /* The newline the user typed was not echoed. */
  write_text (fd, "\n");
  for (gsize i = 0; i < G_N_ELEMENTS (prompt_signals); i++)
    sigaction (prompt_signals[i], &saved_actions[i], NULL);

  if (!read_ok && received_signal == 0)
    {
      g_set_error (error, FLEET_SECRET_STORE_ERROR, FLEET_SECRET_STORE_ERROR_IO,
                   "cannot read from %s: %s", device, g_strerror (read_errno));
      return NULL;
    }
  return g_steal_pointer (&line);
}

FleetSecret *
fleet_secret_read_terminal_on (const char *device,
                               const char *prompt,
                               gsize max_length,
                               GError **error)
{
  g_autoptr(FleetSecret) line = NULL;
  int fd;

  fd = open (device, O_RDWR | O_NOCTTY | O_CLOEXEC);
  if (fd < 0)
    {
      g_set_error (error, FLEET_SECRET_STORE_ERROR, FLEET_SECRET_STORE_ERROR_NO_TERMINAL,
                   "there is no terminal to prompt on (%s: %s)", device, g_strerror (errno));
      return NULL;
    }

  for (;;)
    {
      int number;

      g_clear_pointer (&line, fleet_secret_free);
      line = prompt_once (fd, device, prompt, max_length, error);
      number = received_signal;
      if (line == NULL || number == 0)
        break;

      /* Deliver the signal with the caller's disposition now that the
       * terminal is restored: by default this ends or stops the process. */
      kill (getpid (), number);
      if (number == SIGTSTP || number == SIGTTIN || number == SIGTTOU)
        continue;

      g_clear_pointer (&line, fleet_secret_free);
      g_set_error (error, FLEET_SECRET_STORE_ERROR, FLEET_SECRET_STORE_ERROR_IO,
                   "the prompt was interrupted by signal %d (%s)", number, g_strsignal (number));
      break;
    }
  close (fd);

  if (line != NULL && line->length > max_length)
    {
      g_clear_pointer (&line, fleet_secret_free);
      g_set_error (error, FLEET_SECRET_STORE_ERROR, FLEET_SECRET_STORE_ERROR_INVALID_VALUE,
                   "the entry is longer than %" G_GSIZE_FORMAT " bytes", max_length);
    }
  return g_steal_pointer (&line);
}

FleetSecret *
fleet_secret_read_terminal (const char *prompt, gsize max_length, GError **error)
{
  return fleet_secret_read_terminal_on ("/dev/tty", prompt, max_length, error);
}

/* Sources in order. */

static FleetSecret *
read_from_environment (GError **error)
{
  const char *value = g_getenv (FLEET_SECRET_PASSPHRASE_ENV);
  FleetSecret *passphrase;

  if (value[0] == '\0')
    {
      g_set_error (error, FLEET_SECRET_STORE_ERROR, FLEET_SECRET_STORE_ERROR_INVALID_VALUE,
                   "%s is set but empty; unset it to be prompted, or set the master "
                   "passphrase in it", FLEET_SECRET_PASSPHRASE_ENV);
      return NULL;
    }
  if (strlen (value) > FLEET_SECRET_PASSPHRASE_MAX)
    {
      g_set_error (error, FLEET_SECRET_STORE_ERROR, FLEET_SECRET_STORE_ERROR_INVALID_VALUE,
                   "%s is longer than %d bytes; a master passphrase is at most %d",
                   FLEET_SECRET_PASSPHRASE_ENV, FLEET_SECRET_PASSPHRASE_MAX,
                   FLEET_SECRET_PASSPHRASE_MAX);
      return NULL;
    }

  passphrase = fleet_secret_new_from_data (value, strlen (value));

  /* Overwrite the variable's text, then remove it, so neither child
   * processes nor /proc/PID/environ show it from here on.  POSIX leaves
   * writing to getenv()'s result undefined; glibc keeps the text in writable
   * memory (the initial stack block, or the heap after setenv). */
  OPENSSL_cleanse ((char *) value, strlen (value));
  g_unsetenv (FLEET_SECRET_PASSPHRASE_ENV);
  return passphrase;
}

static FleetSecret *
read_from_terminal (const FleetSecretKeyOptions *options, GError **error)
{
  g_autofree char *prompt = g_strdup_printf ("Master passphrase for secret store %s: ",
                                             options->store_path);
  g_autoptr(FleetSecret) passphrase = NULL;
  g_autoptr(FleetSecret) repeated = NULL;
  g_autoptr(GError) local_error = NULL;

  passphrase = fleet_secret_read_terminal (prompt, FLEET_SECRET_PASSPHRASE_MAX, &local_error);
  if (g_error_matches (local_error, FLEET_SECRET_STORE_ERROR,
                       FLEET_SECRET_STORE_ERROR_NO_TERMINAL))
    {
      g_set_error (error, FLEET_SECRET_STORE_ERROR, FLEET_SECRET_STORE_ERROR_NO_KEY,
                   "no master passphrase for secret store %s: %s; give a key file with "
                   "--secrets-key-file FILE or %s=FILE, or set %s for unattended use "
                   "(docs/secrets.md explains each)", options->store_path,
                   local_error->message, FLEET_SECRET_KEY_FILE_ENV, FLEET_SECRET_PASSPHRASE_ENV);
      return NULL;
    }
  if (passphrase == NULL)
    {
      g_propagate_error (error, g_steal_pointer (&local_error));
      return NULL;
    }
  if (!options->confirm || passphrase->length == 0)
    return g_steal_pointer (&passphrase);

  repeated = fleet_secret_read_terminal ("Repeat the master passphrase: ",
                                         FLEET_SECRET_PASSPHRASE_MAX, error);
  if (repeated == NULL)
    return NULL;
  if (!fleet_secret_equal (passphrase, repeated))
    {
      g_set_error (error, FLEET_SECRET_STORE_ERROR, FLEET_SECRET_STORE_ERROR_INVALID_VALUE,
                   "the two passphrases differ; nothing was changed");
      return NULL;
    }
  return g_steal_pointer (&passphrase);
}

FleetSecret *
fleet_secret_key_read (const FleetSecretKeyOptions *options, GError **error)
{
  const char *key_file = options->key_file;
  g_autoptr(FleetSecret) passphrase = NULL;

  g_return_val_if_fail (options->store_path != NULL, NULL);

  if (key_file == NULL)
    key_file = g_getenv (FLEET_SECRET_KEY_FILE_ENV);
  if (key_file != NULL && key_file[0] != '\0')
    return fleet_secret_key_read_file (key_file, error);

  if (g_getenv (FLEET_SECRET_PASSPHRASE_ENV) != NULL)
    passphrase = read_from_environment (error);
  else
    passphrase = read_from_terminal (options, error);
  if (passphrase == NULL)
    return NULL;

  if (passphrase->length == 0)
    {
      g_set_error (error, FLEET_SECRET_STORE_ERROR, FLEET_SECRET_STORE_ERROR_INVALID_VALUE,
                   "the master passphrase for secret store %s is empty", options->store_path);
      return NULL;
    }
  return g_steal_pointer (&passphrase);
}
