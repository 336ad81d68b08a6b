/* fleet-pacing.h: how fast and how gently fleet-run may go, as the
 * workflow's `concurrency` and `protect` keys ask and the plan records.
 *
 * The plan's parallelism stays the hard cap.  Within it the limit adapts
 * (runtime/fleet-concurrency.h) unless `fixed` is set; caps bound the busy
 * hosts that share one value of an attribute (a data center, a rack, a
 * package mirror); the load guard defers a host whose load is above
 * `max_load`, or whose guard command fails, until it recovers or
 * `max_wait_ms` passes; `nice` and `ionice` wrap every step command.
 */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

/* At most `limit` busy hosts share one value of `attribute`; hosts without
 * the attribute are not bound by the rule.  The attribute FLEET_CAP_GROUP
 * stands for inventory groups: at most `limit` busy hosts per group. */
#define FLEET_CAP_GROUP "group"

typedef struct {
  char *attribute;
  guint32 limit;
} FleetCapRule;

#define FLEET_PACING_NO_NICE G_MININT32

typedef struct {
  gboolean fixed;            /* the limit is the parallelism, always */
  guint32 initial;           /* limit at the start; 0: the default */
  guint32 min;               /* lowest limit; 0: the default (1) */
  GPtrArray *caps;           /* FleetCapRule * */
  char *max_load;            /* 1-minute load average above which a host is
                                deferred, as written (a decimal); NULL: none */
  char *guard_command;       /* a host is deferred while it exits non-zero;
                                NULL: none */
  guint64 defer_ms;          /* wait between two guard checks */
  guint64 max_wait_ms;       /* a host deferred this long fails */
  gint32 nice;               /* FLEET_PACING_NO_NICE: commands run as they are */
  char *ionice;              /* "idle" or "best-effort"; NULL: none */
} FleetPacing;

#define FLEET_PACING_DEFAULT_DEFER_MS (30 * 1000)
#define FLEET_PACING_DEFAULT_MAX_WAIT_MS (10 * 60 * 1000)

/* A pacing with the defaults: adaptive, no caps, no guard, no nice. */
FleetPacing *fleet_pacing_new (void);
void fleet_pacing_free (FleetPacing *pacing);

/* Return whether `pacing` asks for nothing beyond the defaults. */
gboolean fleet_pacing_is_default (const FleetPacing *pacing);

/* Return whether a load guard is configured. */
gboolean fleet_pacing_has_guard (const FleetPacing *pacing);

/* Add the rule; `attribute` is copied. */
void fleet_pacing_add_cap (FleetPacing *pacing, const char *attribute, guint32 limit);

/* Return `command_line` under the requested nice and ionice, or a copy of
 * it when none is requested.  `command_line` is passed to sh -c as one
 * quoted word, so its meaning is unchanged. */
char *fleet_pacing_wrap_command (const FleetPacing *pacing, const char *command_line);

/* The plan form: an a{sv}.  The reader fails with a message on a value of
 * the wrong type or out of range. */
GVariant *fleet_pacing_to_variant (const FleetPacing *pacing);
FleetPacing *fleet_pacing_from_variant (GVariant *dict, GError **error);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (FleetPacing, fleet_pacing_free)

G_END_DECLS
