/* fleet-limits.c: descriptor accounting for a run. */
#include "runtime/fleet-limits.h"

#include <errno.h>
#include <sys/resource.h>

#include <gio/gio.h>

/* Descriptors that are not per host: standard streams, the journal, the
 * run directory, libssh's and GLib's own. */
#define FIXED_DESCRIPTORS 64

guint64
fleet_plan_descriptors_needed (const FleetPlan *plan)
{
  guint64 largest_wave = 0;

  for (guint i = 0; i < plan->waves->len; i++)
    {
      const FleetWave *wave = g_ptr_array_index (plan->waves, i);
      largest_wave = MAX (largest_wave, wave->host_indices->len);
    }

  /* A wave's connections stay open until the wave ends; each busy host also
   * writes two output files, and each jump host holds a connection and a
   * tunnel of two sockets per host behind it. */
  return largest_wave * (plan->jump_hosts->len > 0 ? 3 : 1)
         + 2 * (guint64) MIN (plan->parallelism, largest_wave)
         + plan->jump_hosts->len + FIXED_DESCRIPTORS;
}

gboolean
fleet_raise_descriptor_limit (guint64 needed, guint64 *out_limit, GError **error)
{
  struct rlimit limit;

  if (getrlimit (RLIMIT_NOFILE, &limit) != 0)
    {
      int saved_errno = errno;
      g_set_error (error, G_IO_ERROR, g_io_error_from_errno (saved_errno),
                   "cannot read the open file limit: %s", g_strerror (saved_errno));
      return FALSE;
    }

  if (limit.rlim_cur != RLIM_INFINITY && limit.rlim_cur < needed)
    {
      struct rlimit raised = limit;

      raised.rlim_cur = limit.rlim_max == RLIM_INFINITY ? needed : MIN (needed, limit.rlim_max);
      if (setrlimit (RLIMIT_NOFILE, &raised) == 0)
        limit = raised;
    }

  *out_limit = limit.rlim_cur == RLIM_INFINITY ? G_MAXUINT64 : limit.rlim_cur;
  if (*out_limit >= needed)
    return TRUE;

  g_set_error (error, G_IO_ERROR, G_IO_ERROR_TOO_MANY_OPEN_FILES,
               "this plan can hold up to %" G_GUINT64_FORMAT " files and connections open at "
               "once, but the open file limit is %" G_GUINT64_FORMAT " (hard limit %"
               G_GUINT64_FORMAT "); raise it (ulimit -Hn %" G_GUINT64_FORMAT " as root, or "
               "LimitNOFILE in a systemd unit), or compile the plan with smaller waves",
               needed, *out_limit,
               limit.rlim_max == RLIM_INFINITY ? G_MAXUINT64 : (guint64) limit.rlim_max, needed);
  return FALSE;
}
