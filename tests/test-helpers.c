/* test-helpers.c: files, directories and programs for tests; see
 * test-helpers.h. */
#include "tests/test-helpers.h"

#include <sys/wait.h>

#include <glib/gstdio.h>

char *
fleet_test_make_dir (const char *name_template)
{
  g_autoptr(GError) error = NULL;
  char *dir = g_dir_make_tmp (name_template, &error);

  g_assert_no_error (error);
  return dir;
}

void
fleet_test_remove_tree (const char *path)
{
  g_autoptr(GDir) dir = NULL;
  const char *name;

  if (g_file_test (path, G_FILE_TEST_IS_SYMLINK) || !g_file_test (path, G_FILE_TEST_IS_DIR))
    {
      g_unlink (path);
      return;
    }

  /* Tests make directories read-only to provoke errors; their entries
   * can be removed only once the directory is writable again. */
  g_chmod (path, 0700);
  dir = g_dir_open (path, 0, NULL);
  while (dir != NULL && (name = g_dir_read_name (dir)) != NULL)
    {
      g_autofree char *child = g_build_filename (path, name, NULL);

      fleet_test_remove_tree (child);
    }
  g_rmdir (path);
}

void
fleet_test_write_file (const char *path, const char *contents, gssize length)
{
  g_autoptr(GError) error = NULL;

  g_file_set_contents (path, contents, length, &error);
  g_assert_no_error (error);
}

char *
fleet_test_write_file_in (const char *directory, const char *name, const char *contents)
{
  char *path = g_build_filename (directory, name, NULL);
  g_autofree char *parent = g_path_get_dirname (path);

  g_assert_cmpint (g_mkdir_with_parents (parent, 0700), ==, 0);
  fleet_test_write_file (path, contents, -1);
  return path;
}

char *
fleet_test_read_file (const char *path)
{
  g_autoptr(GError) error = NULL;
  char *contents = NULL;

  g_file_get_contents (path, &contents, NULL, &error);
  g_assert_no_error (error);
  return contents;
}

GBytes *
fleet_test_read_bytes (const char *path)
{
  g_autoptr(GError) error = NULL;
  char *contents = NULL;
  gsize length = 0;

  g_file_get_contents (path, &contents, &length, &error);
  g_assert_no_error (error);
  return g_bytes_new_take (contents, length);
}

char *
fleet_test_source_path (const char *relative)
{
  const char *root = g_getenv ("FLEET_SOURCE_ROOT");

  g_assert_nonnull (root);
  return g_build_filename (root, relative, NULL);
}

char *
fleet_test_program (const char *name)
{
  const char *root = g_getenv ("FLEET_BUILD_ROOT");

  g_assert_nonnull (root);
  return g_build_filename (root, "cli", name, NULL);
}

int
fleet_test_spawn (const char * const *argv, char **out_stdout, char **out_stderr)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *ignored_stdout = NULL;
  g_autofree char *ignored_stderr = NULL;
  int wait_status = 0;

  g_spawn_sync (NULL, (char **) argv, NULL, G_SPAWN_SEARCH_PATH, NULL, NULL,
                out_stdout != NULL ? out_stdout : &ignored_stdout,
                out_stderr != NULL ? out_stderr : &ignored_stderr, &wait_status, &error);
  g_assert_no_error (error);

  if (WIFEXITED (wait_status))
    return WEXITSTATUS (wait_status);
  return 128 + WTERMSIG (wait_status);
}

int
fleet_test_run_program (const char *name, const char * const *args, char **out_stdout,
                        char **out_stderr)
{
  return fleet_test_run_program_with_env (name, NULL, args, out_stdout, out_stderr);
}

int
fleet_test_run_program_with_env (const char *name, const char * const *environment,
                                 const char * const *args, char **out_stdout, char **out_stderr)
{
  g_autofree char *path = fleet_test_program (name);
  g_autoptr(GPtrArray) argv = g_ptr_array_new ();

  /* env(1) adds the settings to the inherited environment. */
  g_ptr_array_add (argv, "env");
  for (const char * const *setting = environment; setting != NULL && *setting != NULL; setting++)
    g_ptr_array_add (argv, (gpointer) *setting);
  g_ptr_array_add (argv, path);
  for (const char * const *arg = args; *arg != NULL; arg++)
    g_ptr_array_add (argv, (gpointer) *arg);
  g_ptr_array_add (argv, NULL);
  return fleet_test_spawn ((const char * const *) argv->pdata, out_stdout, out_stderr);
}

void
fleet_test_dir_set_up (FleetTestDir *fixture, gconstpointer data)
{
  g_autofree char *program_name = g_path_get_basename (g_get_prgname ());
  g_autofree char *name_template = g_strdup_printf ("%s-XXXXXX", program_name);

  fixture->dir = fleet_test_make_dir (name_template);
}

void
fleet_test_dir_tear_down (FleetTestDir *fixture, gconstpointer data)
{
  fleet_test_remove_tree (fixture->dir);
  g_clear_pointer (&fixture->dir, g_free);
}

char *
fleet_test_dir_path (const FleetTestDir *fixture, const char *name)
{
  return g_build_filename (fixture->dir, name, NULL);
}
