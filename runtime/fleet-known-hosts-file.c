/* fleet-known-hosts-file.c: reading known_hosts files and appending lines
 * to them. */
#include "runtime/fleet-known-hosts-private.h"

#include <errno.h>
#include <fcntl.h>
#include <sys/file.h>
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
  int saved_errno;
  int fd = open (path, O_RDONLY | O_CLOEXEC | O_NOCTTY);

  if (fd < 0 && errno == ENOENT)
    return g_steal_pointer (&contents);
  if (fd < 0)
    {
      set_io_error (error, "read", path, errno);
      return NULL;
    }

  /* fstat() fails only on a bad descriptor, so it shares the error path of
   * a directory, which open() accepts but read() cannot read. */
  saved_errno = fstat (fd, &info) != 0 ? errno : S_ISDIR (info.st_mode) ? EISDIR : 0;
  if (saved_errno != 0)
    {
      close (fd);
      set_io_error (error, "read", path, saved_errno);
      return NULL;
    }

  for (;;)
    {
      gsize old_length = contents->len;
      ssize_t count;

      g_string_set_size (contents, old_length + READ_CHUNK_BYTES);
      do
        count = read (fd, contents->str + old_length, READ_CHUNK_BYTES);
      while (count < 0 && errno == EINTR);
      saved_errno = errno;
      g_string_set_size (contents, old_length + MAX (count, 0));
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

/* Sync `directory`, so that the entry of a file just created in it
 * survives a crash.  Returns FALSE with errno set when it cannot. */
static gboolean
sync_directory (const char *directory)
{
  int fd = open (directory, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  gboolean synced = fd >= 0 && fsync (fd) == 0;
  int saved_errno = errno;

  if (fd >= 0)
    close (fd);
  errno = saved_errno;
  return synced;
}

gboolean
fleet_known_hosts_file_append (const char *path, const char *text, guint *out_line_number,
                               GError **error)
{
  g_autofree char *directory = g_path_get_dirname (path);
  g_autofree char *data = NULL;
  g_autoptr(GString) contents = NULL;
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

  /* Checking the last byte and appending must not interleave with another
   * fleet-run doing the same: a write still under way can make the file
   * look as if its last line were cut, which would add a blank line.  The
   * lock ends when the descriptor is closed. */
  while (flock (fd, LOCK_EX) != 0 && errno == EINTR)
    ;

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
      g_set_error (error, FLEET_KNOWN_HOSTS_ERROR, FLEET_KNOWN_HOSTS_ERROR_IO,
                   "cannot append to known_hosts file %s: %s; %zd of %zu bytes were written, "
                   "so remove any incomplete last line", path, g_strerror (saved_errno),
                   MAX (written, 0), length);
      return FALSE;
    }

  /* The line is written by now, but an accept-new key that may not
   * survive a crash is reported, whether the file or the directory entry of
   * a new file could not be synced. */
  end = lseek (fd, 0, SEEK_CUR);
  if (end < 0 || fsync (fd) != 0 || (!existed && !sync_directory (directory)))
    {
      int saved_errno = errno;
      close (fd);
      return set_io_error (error, "sync", path, saved_errno);
    }

  close (fd);

  /* Counting from the start of the file, rather than from what was loaded,
   * stays right when other programs appended or rewrote the file since.
   * The file is read again through the load path, whose errors the caller
   * already handles. */
  contents = fleet_known_hosts_file_read (path, error);
  if (contents == NULL)
    return FALSE;
  newlines_before = count_newlines (contents->str, MIN (contents->len, (gsize) end - length));

  *out_line_number = newlines_before + (leading_newline ? 1 : 0) + 1;
  return TRUE;
}
