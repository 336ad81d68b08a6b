/* wave-builder.h: the waves of one stage.
 *
 * A stage's waves are its canary wave, when it has canaries, followed by
 * one wave per entry of `waves`, whose sizes are computed over the stage's
 * other hosts (fleet_planner_split_waves).  Every wave is filled in
 * inventory order under the spread caps (spread.h): a host that would put
 * its domain over the cap waits for a later wave.  When the entries of
 * `waves` are used up, more waves of the last entry's size follow until
 * every host is placed, and a warning gives the numbers.
 *
 * A canary count picks the first hosts of the stage, in inventory order,
 * that the spread caps allow together in one wave.  Canaries named by
 * `hosts` or `where` must respect the caps; breaking them is an error.
 */
#pragma once

#include <glib.h>

#include "planner/stages.h"
#include "schema/fleet-diagnostics.h"
#include "schema/fleet-workflow.h"

G_BEGIN_DECLS

typedef struct {
  GPtrArray *hosts;            /* FleetHost *, borrowed, in execution order */
  char *stage;                 /* the stage's name, or NULL without stages */
  gboolean canary;
} FleetPlannedWave;

void fleet_planned_wave_free (FleetPlannedWave *wave);

/* Append the waves of `stage` (FleetPlannedWave *) to `out`.  For `canary`
 * by hosts or where, `canary_hosts` contains the selected hosts that are
 * canaries (FleetHost * set); otherwise it is NULL.  `waves_pos` is where
 * errors about `waves` point.  Returns FALSE after reporting an error. */
gboolean fleet_planner_plan_stage (const FleetWorkflow *workflow,
                                   const FleetStage *stage,
                                   GHashTable *canary_hosts,
                                   const FleetSourcePos *waves_pos,
                                   GPtrArray *out,
                                   FleetDiagnostics *diags);

G_END_DECLS
