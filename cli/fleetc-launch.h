/* fleetc-launch.h: hand a plan that fleetc built in memory to fleet-run.
 *
 * Commands that plan and run in one go (`fleetc run` for ad-hoc commands,
 * and any other command that builds a plan on the fly) write the plan into
 * a new private directory and replace the fleetc process with fleet-run.
 * fleet-run then applies its usual checks (integrity, expiry, inventory
 * files, signatures when asked), writes its journal, handles signals and
 * sets the exit status, exactly as for a compiled plan file.  fleetc keeps
 * the compiler out of fleet-run: fleet-run is a separate program, found
 * next to the running fleetc binary.
 *
 * Plan directories are created with mode 0700 and plan files with mode
 * 0600, because a plan lists every host, how to reach it and the commands
 * run there.  The directory is kept after the run, so the run's journal can
 * always be traced back to the exact plan it executed.
 */
#pragma once

#include <glib.h>

#include "schema/fleet-plan.h"

G_BEGIN_DECLS

/* The parent directory of plan directories when the caller gives none:
 * fleet-run's default runs directory, so a plan lies next to its runs. */
#define FLEETC_LAUNCH_DEFAULT_DIR "fleet-runs"

#define FLEETC_LAUNCH_ERROR (fleetc_launch_error_quark ())

typedef enum {
  FLEETC_LAUNCH_ERROR_NOT_FOUND, /* no fleet-run program next to fleetc */
  FLEETC_LAUNCH_ERROR_IO,        /* the plan directory or file could not be written */
  FLEETC_LAUNCH_ERROR_EXEC,      /* execv of fleet-run failed */
} FleetcLaunchError;

GQuark fleetc_launch_error_quark (void);

/* Return the path of the fleet-run program in the directory of the running
 * executable (/proc/self/exe), or NULL with FLEETC_LAUNCH_ERROR_NOT_FOUND
 * when there is none or it is not executable.  Free with g_free. */
char *fleetc_launch_find_fleet_run (GError **error);

/* Serialize `plan` (which sets plan->file_sha256) and write it as the file
 * "plan" of a new directory PARENT/plan-TIME-XXXXXX, where PARENT is
 * `parent_dir` (NULL: FLEETC_LAUNCH_DEFAULT_DIR) and is created when
 * missing.  The directory gets mode 0700 and the file 0600.  Returns the
 * absolute path of the plan file, or NULL with FLEETC_LAUNCH_ERROR_IO.
 * Free with g_free. */
char *fleetc_launch_write_plan (FleetPlan *plan, const char *parent_dir, GError **error);

/* Write `plan` as fleetc_launch_write_plan does into `parent_dir`, then
 * replace this process with fleet-run, called as
 * `fleet-run ARGS... PLAN_FILE`, where ARGS are `fleet_run_args` (a
 * NULL-terminated list of fleet-run options with their values; NULL: none)
 * and PLAN_FILE is absolute.  stdout and stderr are flushed first.  Returns
 * only on failure: -1 with `error` set, and the plan file left in place. */
int fleetc_launch_plan (FleetPlan *plan,
                        const char *parent_dir,
                        const char *const *fleet_run_args,
                        GError **error);

G_END_DECLS
