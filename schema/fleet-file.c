/* fleet-file.c: GLib file errors reworded; see fleet-file.h. */
#include "schema/fleet-file.h"

#include <errno.h>

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
