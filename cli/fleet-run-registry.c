/* fleet-run-registry.c: the runs this user started (fleet-run-registry.h). */
#include "cli/fleet-run-registry.h"

#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <sys/file.h>
#include <unistd.h>

#include <gio/gio.h>
#include <glib/gstdio.h>

#define REGISTRY_NAME "runs.tsv"

static char *
state_dir (void)
{
  const char *explicit_dir = g_getenv ("FLEETC_STATE_DIR");

  if (explicit_dir != NULL && explicit_dir[0] != '\0')
    return g_strdup (explicit_dir);
  return g_build_filename (g_get_user_state_dir (), "fleetc", NULL);
}

gboolean
fleet_run_registry_add (const char *plan_sha256, const char *run_dir, GError **error)
{
  g_autofree char *dir = state_dir ();
  g_autofree char *path = g_build_filename (dir, REGISTRY_NAME, NULL);
  g_autofree char *absolute = g_canonicalize_filename (run_dir, NULL);
  g_autofree char *line = g_strdup_printf ("%s\t%s\n", plan_sha256, absolute);
  gsize length = strlen (line);
  gboolean written;
  int fd;

  if (g_mkdir_with_parents (dir, 0700) != 0)
    {
      int saved_errno = errno;

      g_set_error (error, G_IO_ERROR, g_io_error_from_errno (saved_errno),
                   "cannot create the state directory %s: %s", dir, g_strerror (saved_errno));
      return FALSE;
    }

  fd = open (path, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0600);
  if (fd < 0)
    {
      int saved_errno = errno;

      g_set_error (error, G_IO_ERROR, g_io_error_from_errno (saved_errno),
                   "cannot open %s: %s", path, g_strerror (saved_errno));
      return FALSE;
    }

  /* One write under the lock keeps lines of concurrent runs whole. */
  written = flock (fd, LOCK_EX) == 0 && write (fd, line, length) == (ssize_t) length;
  if (!written)
    g_set_error (error, G_IO_ERROR, g_io_error_from_errno (errno), "cannot write %s: %s", path,
                 g_strerror (errno));
  close (fd);
  return written;
}

GPtrArray *
fleet_run_registry_find (const char *plan_sha256)
{
  g_autofree char *dir = state_dir ();
  g_autofree char *path = g_build_filename (dir, REGISTRY_NAME, NULL);
  g_autofree char *contents = NULL;
  g_autoptr (GHashTable) seen = g_hash_table_new (g_str_hash, g_str_equal);
  GPtrArray *found = g_ptr_array_new_with_free_func (g_free);
  g_auto (GStrv) lines = NULL;

  if (plan_sha256 == NULL || !g_file_get_contents (path, &contents, NULL, NULL))
    return found;

  lines = g_strsplit (contents, "\n", -1);
  for (guint i = 0; lines[i] != NULL; i++)
    {
      char *tab = strchr (lines[i], '\t');
      const char *run_dir;

      if (tab == NULL)
        continue;
      *tab = '\0';
      run_dir = tab + 1;
      if (!g_str_equal (lines[i], plan_sha256) || run_dir[0] != '/'
          || g_hash_table_contains (seen, run_dir) || !g_file_test (run_dir, G_FILE_TEST_IS_DIR))
        continue;
      g_hash_table_add (seen, (gpointer) run_dir);
      g_ptr_array_add (found, g_strdup (run_dir));
    }
  return found;
}
