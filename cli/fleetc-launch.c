/* fleetc-launch.c: write a plan privately and exec fleet-run on it. */
#include "cli/fleetc-launch.h"

#include <errno.h>
#include <stdio.h>
#include <unistd.h>

#include <glib/gstdio.h>

#include "schema/fleet-file.h"

/* Defined only in builds with coverage (gcc --coverage); NULL otherwise. */
extern void __gcov_dump (void) __attribute__ ((weak));

G_DEFINE_QUARK (fleetc-launch-error-quark, fleetc_launch_error)

#define PLAN_DIR_MODE 0700
#define PLAN_FILE_MODE 0600
#define PLAN_FILE_NAME "plan"

char *
fleetc_launch_find_fleet_run (GError **error)
{
  g_autoptr(GError) local_error = NULL;
  g_autofree char *self = g_file_read_link ("/proc/self/exe", &local_error);
  g_autofree char *directory = NULL;
  g_autofree char *path = NULL;

  if (self == NULL)
    {
      g_set_error (error, FLEETC_LAUNCH_ERROR, FLEETC_LAUNCH_ERROR_NOT_FOUND,
                   "cannot find the fleetc program to locate fleet-run next to it: %s",
                   local_error->message);
      return NULL;
    }

  directory = g_path_get_dirname (self);
  path = g_build_filename (directory, "fleet-run", NULL);
  if (!g_file_test (path, G_FILE_TEST_IS_REGULAR) || access (path, X_OK) != 0)
    {
      g_set_error (error, FLEETC_LAUNCH_ERROR, FLEETC_LAUNCH_ERROR_NOT_FOUND,
                   "fleet-run is not an executable file at %s; install fleet-run in the "
                   "directory of fleetc", path);
      return NULL;
    }

  return g_steal_pointer (&path);
}

/* Create `parent` when missing, then a new directory in it with mode
 * PLAN_DIR_MODE.  Returns the directory's absolute path. */
static char *
make_plan_directory (const char *parent, GError **error)
{
  g_autoptr(GDateTime) now = g_date_time_new_now_utc ();
  g_autofree char *stamp = g_date_time_format (now, "%Y%m%dT%H%M%SZ");
  g_autofree char *template = NULL;
  g_autofree char *absolute = NULL;

  if (g_mkdir_with_parents (parent, 0750) != 0)
    {
      int saved_errno = errno;

      g_set_error (error, FLEETC_LAUNCH_ERROR, FLEETC_LAUNCH_ERROR_IO,
                   "cannot create directory %s for the plan: %s", parent,
                   g_strerror (saved_errno));
      return NULL;
    }

  absolute = g_canonicalize_filename (parent, NULL);
  template = g_strdup_printf ("%s/plan-%s-XXXXXX", absolute, stamp);
  /* g_mkdtemp_full creates the directory with this mode less the umask,
   * and its random suffix keeps two launches in the same second apart. */
  if (g_mkdtemp_full (template, PLAN_DIR_MODE) == NULL)
    {
      int saved_errno = errno;

      g_set_error (error, FLEETC_LAUNCH_ERROR, FLEETC_LAUNCH_ERROR_IO,
                   "cannot create a plan directory in %s: %s", absolute,
                   g_strerror (saved_errno));
      return NULL;
    }

  return g_steal_pointer (&template);
}

char *
fleetc_launch_write_plan (FleetPlan *plan, const char *parent_dir, GError **error)
{
  g_autofree char *directory = NULL;
  g_autofree char *path = NULL;
  g_autoptr(GBytes) bytes = NULL;
  g_autoptr(GError) local_error = NULL;
  const char *data;
  gsize size = 0;

  directory = make_plan_directory (parent_dir != NULL ? parent_dir : FLEETC_LAUNCH_DEFAULT_DIR,
                                   error);
  if (directory == NULL)
    return NULL;

  bytes = fleet_plan_serialize (plan);
  data = g_bytes_get_data (bytes, &size);
  path = g_build_filename (directory, PLAN_FILE_NAME, NULL);
  if (!g_file_set_contents_full (path, data, size,
                                 G_FILE_SET_CONTENTS_CONSISTENT | G_FILE_SET_CONTENTS_DURABLE,
                                 PLAN_FILE_MODE, &local_error))
    {
      g_autofree char *reason = fleet_file_error_reason (local_error);

      g_set_error (error, FLEETC_LAUNCH_ERROR, FLEETC_LAUNCH_ERROR_IO,
                   "cannot write plan %s: %s", path, reason);
      return NULL;
    }

  return g_steal_pointer (&path);
}

int
fleetc_launch_plan (FleetPlan *plan,
                    const char *parent_dir,
                    const char *const *fleet_run_args,
                    GError **error)
{
  g_autofree char *fleet_run = NULL;
  g_autofree char *plan_path = NULL;
  g_autoptr(GPtrArray) argv = g_ptr_array_new ();
  int saved_errno;

  g_return_val_if_fail (plan != NULL, -1);

  /* Look for fleet-run first, so a broken installation leaves no plan
   * directory behind. */
  fleet_run = fleetc_launch_find_fleet_run (error);
  if (fleet_run == NULL)
    return -1;

  plan_path = fleetc_launch_write_plan (plan, parent_dir, error);
  if (plan_path == NULL)
    return -1;

  g_ptr_array_add (argv, fleet_run);
  for (const char *const *arg = fleet_run_args; arg != NULL && *arg != NULL; arg++)
    g_ptr_array_add (argv, (gpointer) *arg);
  g_ptr_array_add (argv, plan_path);
  g_ptr_array_add (argv, NULL);

  fflush (stdout);
  fflush (stderr);
  /* exec skips the exit handlers that write a coverage build's counters. */
  if (__gcov_dump != NULL)
    __gcov_dump ();
  execv (fleet_run, (char **) argv->pdata);

  saved_errno = errno;
  g_set_error (error, FLEETC_LAUNCH_ERROR, FLEETC_LAUNCH_ERROR_EXEC,
               "cannot start %s: %s; the plan is kept at %s", fleet_run,
               g_strerror (saved_errno), plan_path);
  return -1;
}
