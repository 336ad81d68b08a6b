/* fleet-wave-held.c: the stop before a wave after held hosts. */
#include "runtime/fleet-wave-held.h"

/* Names listed in the stop reason; the summary table lists every host. */
#define HELD_NAMES_SHOWN 5

char *
fleet_wave_held_stop_reason (const FleetPlan *plan, const FleetRunResult *result, guint wave)
{
  g_autoptr(GString) names = g_string_new (NULL);
  guint held = 0;

  if (wave + 1 >= plan->waves->len)
    return NULL;

  for (guint i = 0; i < result->hosts->len; i++)
    {
      const FleetHostResult *host = g_ptr_array_index (result->hosts, i);

      if (host->wave != wave || host->outcome != FLEET_HOST_HELD)
        continue;
      if (held < HELD_NAMES_SHOWN)
        g_string_append_printf (names, "%s%s", held > 0 ? ", " : "", host->host->name);
      held++;
    }
  if (held == 0)
    return NULL;
  if (held > HELD_NAMES_SHOWN)
    g_string_append_printf (names, " and %u more", held - HELD_NAMES_SHOWN);

  return g_strdup_printf ("%u host%s of wave %u %s held (%s), so the wave is not validated and "
                          "wave %u waits; check each held host, then resume with --retry-host "
                          "HOST or --skip-host HOST for each, or --retry-host held for all",
                          held, held == 1 ? "" : "s",
                          wave + 1, held == 1 ? "is" : "are", names->str, wave + 2);
}
