/* fleet-sftp.c: one file written over SFTP; the contract is in fleet-sftp.h. */
#include "runtime/fleet-sftp.h"

#include <fcntl.h>

#include <gio/gio.h>
#include <libssh/sftp.h>

#include "runtime/fleet-ssh-private.h"

/* Bytes per SFTP write request; OpenSSH's sftp-server accepts up to 256 KiB. */
#define WRITE_CHUNK_BYTES (32 * 1024)

static const char *
sftp_error_text (sftp_session sftp, ssh_session session)
{
  switch (sftp != NULL ? sftp_get_error (sftp) : SSH_FX_OK)
    {
    case SSH_FX_NO_SUCH_FILE:
    case SSH_FX_NO_SUCH_PATH:
      return "no such file or directory";
    case SSH_FX_PERMISSION_DENIED:
      return "permission denied";
    case SSH_FX_FILE_ALREADY_EXISTS:
      return "the file exists already";
    case SSH_FX_FAILURE:
      return "the server reported a failure";
    default:
      return ssh_get_error (session);
    }
}

/* Write the whole of `content` to the open `file`. */
static gboolean
write_content (sftp_file file, GBytes *content)
{
  gsize length = 0;
  const char *data = g_bytes_get_data (content, &length);
  gsize written = 0;

  while (written < length)
    {
      gsize chunk = MIN (length - written, WRITE_CHUNK_BYTES);
      ssize_t n = sftp_write (file, data + written, chunk);

      if (n <= 0)
        return FALSE;
      written += (gsize) n;
    }
  return TRUE;
}

static gboolean
transfer (ssh_session session, const char *remote_path, GBytes *content, guint32 mode,
          char **out_absolute_path, GError **error)
{
  sftp_session sftp = sftp_new (session);
  sftp_file file = NULL;
  char *absolute;
  gboolean written;

  if (sftp == NULL || sftp_init (sftp) != SSH_OK)
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_FAILED,
                   "cannot start the SFTP subsystem: %s; check that sshd has a Subsystem "
                   "sftp line", ssh_get_error (session));
      g_clear_pointer (&sftp, sftp_free);
      return FALSE;
    }

  file = sftp_open (sftp, remote_path, O_WRONLY | O_CREAT | O_EXCL, mode);
  if (file == NULL)
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_FAILED, "cannot create %s over SFTP: %s",
                   remote_path, sftp_error_text (sftp, session));
      sftp_free (sftp);
      return FALSE;
    }

  written = write_content (file, content);
  if (sftp_close (file) != SSH_OK)
    written = FALSE;
  if (!written)
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_FAILED, "cannot write %s over SFTP: %s",
                   remote_path, sftp_error_text (sftp, session));
      sftp_unlink (sftp, remote_path);
      sftp_free (sftp);
      return FALSE;
    }

  /* sftp_open applies the mode through the server's umask; set it exactly. */
  if (sftp_chmod (sftp, remote_path, mode) != SSH_OK)
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_FAILED, "cannot set the mode of %s over SFTP: %s",
                   remote_path, sftp_error_text (sftp, session));
      sftp_unlink (sftp, remote_path);
      sftp_free (sftp);
      return FALSE;
    }

  absolute = sftp_canonicalize_path (sftp, remote_path);
  if (absolute == NULL)
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_FAILED,
                   "cannot resolve %s to an absolute path over SFTP: %s",
                   remote_path, sftp_error_text (sftp, session));
      sftp_unlink (sftp, remote_path);
      sftp_free (sftp);
      return FALSE;
    }
  *out_absolute_path = g_strdup (absolute);
  ssh_string_free_char (absolute);
  sftp_free (sftp);
  return TRUE;
}

gboolean
fleet_sftp_write_new_file (FleetConnection *connection,
                           const char *remote_path,
                           GBytes *content,
                           guint32 mode,
                           guint64 timeout_ms,
                           char **out_absolute_path,
                           GError **error)
{
  long timeout_s = (long) MAX ((timeout_ms + 999) / 1000, 1);
  gboolean written;

  if (connection->state != FLEET_CONNECTION_READY)
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_NOT_CONNECTED,
                   "cannot write %s over SFTP: the connection is not open", remote_path);
      return FALSE;
    }
  if (connection->tunnel != NULL)
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_NOT_SUPPORTED,
                   "cannot write %s over SFTP: copying files to a host behind a jump host is "
                   "not supported yet; use a script step instead", remote_path);
      return FALSE;
    }

  ssh_options_set (connection->session, SSH_OPTIONS_TIMEOUT, &timeout_s);
  ssh_set_blocking (connection->session, 1);
  written = transfer (connection->session, remote_path, content, mode, out_absolute_path, error);
  ssh_set_blocking (connection->session, 0);
  return written;
}
