/* fleet-oom.c: aborting when a library's allocator runs out of memory. */
#include "schema/fleet-oom.h"

gpointer
fleet_oom_check (gpointer object, const char *what)
{
  fleet_oom_check_status (object != NULL, what);
  return object;
}

void
fleet_oom_check_status (gboolean succeeded, const char *what)
{
  /* g_error() aborts, with the message on stderr, as g_malloc() does. */
  if (!succeeded)
    g_error ("%s failed: out of memory", what);
}
