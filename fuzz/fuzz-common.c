/* fuzz-common.c: the private directory and helpers of fuzz-common.h. */
#include "fuzz/fuzz-common.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

#include <glib/gstdio.h>

static char *private_directory;
static GHashTable *paths;         /* name -> full path */

static void
remove_private_directory (void)
{
  g_autoptr(GDir) dir = g_dir_open (private_directory, 0, NULL);
  const char *name;

  while (dir != NULL && (name = g_dir_read_name (dir)) != NULL)
    {
      g_autofree char *child = g_build_filename (private_directory, name, NULL);

      g_remove (child);
    }
  g_rmdir (private_directory);
}

/* The directory lives in /dev/shm where it can: the known_hosts and secret
 * store writers sync every file they write, which costs a disk write per
 * input elsewhere. */
static void
ensure_private_directory (void)
{
  const char *parent = access ("/dev/shm", W_OK | X_OK) == 0 ? "/dev/shm" : g_get_tmp_dir ();

  if (private_directory != NULL)
    return;

  private_directory = g_build_filename (parent, "fleet-fuzz-XXXXXX", NULL);
  if (g_mkdtemp (private_directory) == NULL)
    fuzz_fail ("cannot create the fuzz target's directory %s: %s", private_directory,
               g_strerror (errno));
  paths = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, g_free);
  atexit (remove_private_directory);
}

const char *
fuzz_path (const char *name)
{
  char *path;

  ensure_private_directory ();
  path = g_hash_table_lookup (paths, name);
  if (path == NULL)
    {
      path = g_build_filename (private_directory, name, NULL);
      g_hash_table_insert (paths, g_strdup (name), path);
    }
  return path;
}

const char *
fuzz_write_file (const char *name, const uint8_t *data, size_t size)
{
  const char *path = fuzz_path (name);
  size_t done = 0;
  int fd = open (path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC | O_NOFOLLOW, 0600);

  if (fd < 0)
    fuzz_fail ("cannot write %s: %s", path, g_strerror (errno));

  while (done < size)
    {
      ssize_t written = write (fd, data + done, size - done);

      if (written < 0 && errno == EINTR)
        continue;
      if (written < 0)
        fuzz_fail ("cannot write %s: %s", path, g_strerror (errno));
      done += (size_t) written;
    }

  close (fd);
  return path;
}

int LLVMFuzzerInitialize (int *argc, char ***argv);

/* libFuzzer calls this once before the first input.  A critical message
 * means a g_return_if_fail precondition broke, which hostile input must
 * never cause, so it aborts like a crash. */
int
LLVMFuzzerInitialize (int *argc, char ***argv)
{
  g_log_set_always_fatal (G_LOG_FATAL_MASK | G_LOG_LEVEL_CRITICAL);
  return 0;
}

void
fuzz_format_diagnostics (const FleetDiagnostics *diags)
{
  g_autofree char *text = fleet_diagnostics_format (diags);

  (void) text;
}

void
fuzz_check_positions (const FleetDiagnostics *diags,
                      const char *file,
                      const uint8_t *data,
                      size_t size)
{
  guint lines = 1;

  /* An upper bound: \r\n counts twice. */
  for (size_t i = 0; i < size; i++)
    {
      if (data[i] == '\n' || data[i] == '\r')
        lines++;
      else if (i + 1 < size && data[i] == 0xc2 && data[i + 1] == 0x85)
        lines++;
      else if (i + 2 < size && data[i] == 0xe2 && data[i + 1] == 0x80
               && (data[i + 2] == 0xa8 || data[i + 2] == 0xa9))
        lines++;
    }

  for (guint i = 0; i < fleet_diagnostics_length (diags); i++)
    {
      const FleetDiagnostic *diagnostic = fleet_diagnostics_get (diags, i);
      const FleetSourcePos *pos = &diagnostic->pos;

      if (pos->file != file || pos->line == 0)
        continue;
      if (pos->line > lines || pos->column == 0)
        fuzz_fail ("diagnostic at line %u, column %u of a %u-line input: %s", pos->line,
                   pos->column, lines, diagnostic->message);
    }
}

void
fuzz_fail (const char *format, ...)
{
  va_list args;

  va_start (args, format);
  fprintf (stderr, "fuzz target contract broken: ");
  vfprintf (stderr, format, args);
  fprintf (stderr, "\n");
  va_end (args);
  abort ();
}
