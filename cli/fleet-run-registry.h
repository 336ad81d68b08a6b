/* fleet-run-registry.h: the runs this user started, whatever the current
 * directory was.
 *
 * fleet-run keeps run directories under --runs-dir, ./fleet-runs by
 * default, so a plan started again from another directory would not see
 * its earlier, unfinished run there.  Each run is therefore also recorded
 * in RUNS.tsv of the user's state directory ($FLEETC_STATE_DIR, else
 * $XDG_STATE_HOME/fleetc, else ~/.local/state/fleetc), one line per run:
 * the plan's SHA-256, a tab and the run directory's absolute path.  The
 * file only grows; entries whose directory is gone are ignored.
 */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

/* Append `run_dir` for the plan `plan_sha256`.  Returns FALSE with `error`
 * set when the state directory or the file cannot be written. */
gboolean fleet_run_registry_add (const char *plan_sha256, const char *run_dir, GError **error);

/* Return the absolute run directories recorded for `plan_sha256` that still
 * exist, oldest first, without repeats (char *; an empty array when there
 * is none or the file cannot be read). */
GPtrArray *fleet_run_registry_find (const char *plan_sha256);

G_END_DECLS
