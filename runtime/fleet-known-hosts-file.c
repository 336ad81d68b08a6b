/* fleet-known-hosts-file.c: reading known_hosts files and appending lines
 * to them. */
#include "runtime/fleet-known-hosts-private.h"

#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#define READ_CHUNK_BYTES (64 * 1024)

static gboolean
set_io_error (GError **error, const char *what, const char *path, int saved_errno)
{
  g_set_error (error, FLEET_KNOWN_HOSTS_ERROR, FLEET_KNOWN_HOSTS_ERROR_IO,
               "cannot %s known_hosts file %s: %s", what, path, g_strerror (saved_errno));
  return FALSE;
}

GString *
fleet_known_hosts_file_read (const char *path, GError **error)
{
  g_autoptr(GString) contents = g_string_new (NULL);
  struct stat info;
  int fd = open (path, O_RDONLY | O_CLOEXEC | O_NOCTTY);

  if (fd < 0 && errno == ENOENT)
    return g_steal_pointer (&contents);
  if (fd < 0)
    {
      set_io_error (error, "read", path, errno);
      return NULL;
    }

  if (fstat (fd, &info) != 0)
    {
      int saved_errno = errno;
      close (fd);
      set_io_error (error, "read", path, saved_errno);
      return NULL;
    }
  if (S_ISDIR (info.st_mode))
    {
      close (fd);
      set_io_error (error, "read", path, EISDIR);
      return NULL;
    }

  for (;;)
    {
      gsize old_length = contents->len;
      ssize_t count;
      int saved_errno;

      g_string_set_size (contents, old_length + READ_CHUNK_BYTES);
      count = read (fd, contents->str + old_length, READ_CHUNK_BYTES);
      saved_errno = errno;
      g_string_set_size (contents, old_length + MAX (count, 0));
      if (count < 0 && saved_errno == EINTR)
        continue;
      if (count < 0)
        {
          close (fd);
          set_io_error (error, "read", path, saved_errno);
          return NULL;
        }
      if (count == 0)
        break;
      if (contents->len > FLEET_KNOWN_HOSTS_MAX_FILE_BYTES)
        {
          close (fd);
          g_set_error (error, FLEET_KNOWN_HOSTS_ERROR, FLEET_KNOWN_HOSTS_ERROR_IO,
                       "cannot read known_hosts file %s: it is larger than %u MiB, which no "
                       "known_hosts file needs; check the known_hosts_file setting", path,
                       FLEET_KNOWN_HOSTS_MAX_FILE_BYTES / (1024 * 1024));
          return NULL;
        }
    }

  close (fd);
  return g_steal_pointer (&contents);
}

static guint64
count_newlines (const char *data, gsize length)
{
  guint64 count = 0;
  const char *end = data + length;

  while ((data = memchr (data, '\n', end - data)) != NULL)
    {
      count++;
      data++;
    }
  return count;
}


/* Count the newlines in the first `end` bytes of `fd` into `*out_count`. */
static gboolean
count_file_newlines (int fd, const char *path, guint64 end, guint64 *out_count, GError **error)
{
  g_autofree char *buffer = g_malloc (READ_CHUNK_BYTES);
  guint64 count = 0;
  guint64 start = 0;

  while (start < end)
    {
      ssize_t length = pread (fd, buffer, MIN (READ_CHUNK_BYTES, end - start), start);

      if (length < 0 && errno == EINTR)
        continue;
      if (length <= 0)
        return set_io_error (error, "read", path, length < 0 ? errno : EIO);
      count += count_newlines (buffer, length);
      start += length;
    }
  *out_count = count;
  return TRUE;
}

/* Return whether the file open as `fd` is non-empty and does not end with
 * a newline, so that an appended line needs one in front. */
static gboolean
needs_leading_newline (int fd)
{
  struct stat info;
  char last = '\n';

  if (fstat (fd, &info) != 0 || info.st_size == 0)
    return FALSE;
  return pread (fd, &last, 1, info.st_size - 1) == 1 && last != '\n';
}

/* Sync the directory that contains a file just created, so that its entry
 * survives a crash.  The line is already written, so a failure is only
 * logged. */
static void
sync_parent_directory (const char *path)
{
  g_autofree char *directory = g_path_get_dirname (path);
  int fd = open (directory, O_RDONLY | O_DIRECTORY | O_CLOEXEC);

  if (fd < 0 || fsync (fd) != 0)
    g_warning ("cannot sync directory %s after creating %s: %s", directory, path,
               g_strerror (errno));
  if (fd >= 0)
    close (fd);
}

gboolean
fleet_known_hosts_file_append (const char *path, const char *text, guint *out_line_number,
                               GError **error)
{
  g_autofree char *directory = g_path_get_dirname (path);
  g_autofree char *data = NULL;
  gboolean existed = g_file_test (path, G_FILE_TEST_EXISTS);
  gboolean leading_newline;
  gsize length;
  ssize_t written;
  off_t end;
  guint64 newlines_before = 0;
  int fd;

  if (g_mkdir_with_parents (directory, 0700) != 0)
    return set_io_error (error, "create the directory of", path, errno);

  /* O_RDWR rather than O_WRONLY, because the line number is found with
   * pread(). */
  fd = open (path, O_RDWR | O_CREAT | O_APPEND | O_CLOEXEC | O_NOCTTY, 0600);
  if (fd < 0)
    return set_io_error (error, "open", path, errno);

  leading_newline = needs_leading_newline (fd);
  data = g_strconcat (leading_newline ? "\n" : "", text, NULL);
  length = strlen (data);

  /* One write(2) with O_APPEND puts the whole line at the end of the file,
   * even when other writers append at the same time.  Retrying a short
   * write could let their lines in between, so it is an error. */
  do
    written = write (fd, data, length);
  while (written < 0 && errno == EINTR);
  if (written != (ssize_t) length)
    {
      int saved_errno = written < 0 ? errno : EIO;
      close (fd);
      if (written > 0)
        g_set_error (error, FLEET_KNOWN_HOSTS_ERROR, FLEET_KNOWN_HOSTS_ERROR_IO,
                     "cannot append to known_hosts file %s: only %zd of %zu bytes were "
                     "written; remove the incomplete last line", path, written, length);
      else
        set_io_error (error, "append to", path, saved_errno);
      return FALSE;
    }

  end = lseek (fd, 0, SEEK_CUR);
  if (end < 0 || fsync (fd) != 0)
    {
      int saved_errno = errno;
      close (fd);
      return set_io_error (error, "sync", path, saved_errno);
    }

  /* Counting from the start of the file, rather than from what was loaded,
   * stays right when other programs appended or rewrote the file since. */
  if (!count_file_newlines (fd, path, end - length, &newlines_before, error))
    {
      close (fd);
      return FALSE;
    }
  close (fd);

  if (!existed)
    sync_parent_directory (path);

  *out_line_number = newlines_before + (leading_newline ? 1 : 0) + 1;
  return TRUE;
}
