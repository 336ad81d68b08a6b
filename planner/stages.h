/* stages.h: split the selected hosts into the stages of `order`.
 *
 * Ordered by an attribute, each value is a stage; ordered by group, each
 * host belongs to the first stage of the order whose group it is in.  With
 * a `sequence`, the stages come in its order and every host's value must be
 * in it; without, they come sorted by byte value (so "10" before "9").
 * Hosts keep inventory order within their stage.
 */
#pragma once

#include <glib.h>

#include "schema/fleet-diagnostics.h"
#include "schema/fleet-workflow.h"

G_BEGIN_DECLS

typedef struct {
  char *name;                  /* the stage's value; NULL when there is no order */
  GPtrArray *hosts;            /* FleetHost *, borrowed, in inventory order */
} FleetStage;

FleetStage *fleet_stage_new (const char *name);
void fleet_stage_free (FleetStage *stage);

/* Return the non-empty stages (FleetStage *) of `selected` (FleetHost *,
 * inventory order) under workflow->order: one unnamed stage without an
 * order.  Returns NULL after reporting hosts that belong to no stage;
 * warns about sequence entries that no selected host has. */
GPtrArray *fleet_planner_split_stages (const FleetWorkflow *workflow,
                                       const GPtrArray *selected,
                                       FleetDiagnostics *diags);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (FleetStage, fleet_stage_free)

G_END_DECLS
