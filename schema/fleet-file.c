/* fleet-file.c: GLib file errors reworded; see fleet-file.h. */
#include "schema/fleet-file.h"

#include <errno.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <glib/gstdio.h>

#include "schema/fleet-text.h"

/* GFileError codes and the errno values GLib derives them from
 * (g_file_error_from_errno); G_FILE_ERROR_FAILED has none. */
static const struct {
  GFileError code;
  int errno_value;
} file_error_errnos[] = {
  { G_FILE_ERROR_EXIST, EEXIST },
  { G_FILE_ERROR_ISDIR, EISDIR },
  { G_FILE_ERROR_ACCES, EACCES },
  { G_FILE_ERROR_NAMETOOLONG, ENAMETOOLONG },
  { G_FILE_ERROR_NOENT, ENOENT },
  { G_FILE_ERROR_NOTDIR, ENOTDIR },
  { G_FILE_ERROR_NXIO, ENXIO },
  { G_FILE_ERROR_NODEV, ENODEV },
  { G_FILE_ERROR_ROFS, EROFS },
  { G_FILE_ERROR_TXTBSY, ETXTBSY },
  { G_FILE_ERROR_FAULT, EFAULT },
  { G_FILE_ERROR_LOOP, ELOOP },
  { G_FILE_ERROR_NOSPC, ENOSPC },
  { G_FILE_ERROR_NOMEM, ENOMEM },
  { G_FILE_ERROR_MFILE, EMFILE },
  { G_FILE_ERROR_NFILE, ENFILE },
  { G_FILE_ERROR_BADF, EBADF },
  { G_FILE_ERROR_INVAL, EINVAL },
  { G_FILE_ERROR_PIPE, EPIPE },
  { G_FILE_ERROR_AGAIN, EAGAIN },
  { G_FILE_ERROR_INTR, EINTR },
  { G_FILE_ERROR_IO, EIO },
  { G_FILE_ERROR_PERM, EPERM },
  { G_FILE_ERROR_NOSYS, ENOSYS },
};

char *
fleet_file_error_reason (const GError *error)
{
  if (error->domain == G_FILE_ERROR)
    for (guint i = 0; i < G_N_ELEMENTS (file_error_errnos); i++)
      if (file_error_errnos[i].code == (GFileError) error->code)
        return g_strdup (g_strerror (file_error_errnos[i].errno_value));

  return fleet_text_plain_quotes (error->message);
}

gboolean
fleet_file_get_contents (const char *path, char **out_contents, gsize *out_length,
                         GError **error)
{
  g_autoptr(GError) local_error = NULL;
  g_autofree char *reason = NULL;

  if (g_file_get_contents (path, out_contents, out_length, &local_error))
    return TRUE;

  reason = fleet_file_error_reason (local_error);
  g_set_error (error, local_error->domain, local_error->code, "cannot read %s: %s", path,
               reason);
  return FALSE;
}

/* Write to a device, pipe or socket that `path` names, without replacing
 * it. */
static gboolean
write_through (const char *path, const char *data, gsize size, GError **error)
{
  int saved_errno;
  int fd = g_open (path, O_WRONLY | O_NOCTTY | O_CLOEXEC, 0);

  if (fd < 0)
    {
      saved_errno = errno;
      g_set_error_literal (error, G_FILE_ERROR, g_file_error_from_errno (saved_errno),
                           g_strerror (saved_errno));
      return FALSE;
    }

  while (size > 0)
    {
      ssize_t written = write (fd, data, size);

      if (written < 0 && errno == EINTR)
        continue;
      if (written < 0)
        {
          saved_errno = errno;
          close (fd);
          g_set_error_literal (error, G_FILE_ERROR, g_file_error_from_errno (saved_errno),
                               g_strerror (saved_errno));
          return FALSE;
        }
      data += written;
      size -= (gsize) written;
    }

  if (close (fd) != 0 && errno != EINTR)
    {
      saved_errno = errno;
      g_set_error_literal (error, G_FILE_ERROR, g_file_error_from_errno (saved_errno),
                           g_strerror (saved_errno));
      return FALSE;
    }
  return TRUE;
}

gboolean
fleet_file_write_output (const char *path, const char *data, gsize size, int mode,
                         GError **error)
{
  g_autoptr(GError) local_error = NULL;
  g_autofree char *reason = NULL;
  GStatBuf info;

  if (g_stat (path, &info) == 0 && !S_ISREG (info.st_mode) && !S_ISDIR (info.st_mode))
    return write_through (path, data, size, error);

  if (g_file_set_contents_full (path, data, (gssize) size,
                                G_FILE_SET_CONTENTS_CONSISTENT | G_FILE_SET_CONTENTS_DURABLE,
                                mode, &local_error))
    return TRUE;

  reason = fleet_file_error_reason (local_error);
  g_set_error_literal (error, local_error->domain, local_error->code, reason);
  return FALSE;
}
