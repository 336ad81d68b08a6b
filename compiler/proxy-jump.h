/* proxy-jump.h: jump host lists, as OpenSSH's ProxyJump writes them.
 *
 * A list is `none` or hops separated by commas, each `[user@]host[:port]`
 * or `ssh://[user@]host[:port]`, with an IPv6 address in brackets
 * (`[2001:db8::1]:2222`).  The connection goes through the hops in order:
 * the first hop is reached directly, each later one through the hop before
 * it, and the host itself through the last.
 */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

#define FLEET_PROXY_JUMP_ERROR (fleet_proxy_jump_error_quark ())

typedef enum {
  FLEET_PROXY_JUMP_ERROR_INVALID,  /* the text is not a jump host list */
} FleetProxyJumpError;

GQuark fleet_proxy_jump_error_quark (void);

/* One hop of a jump host list. */
typedef struct {
  char *user;                 /* NULL when the hop names no user */
  char *host;                 /* host name or address, without brackets */
  guint16 port;               /* 0 when the hop names no port */
  char *text;                 /* the hop in canonical form: [user@]host[:port],
                                 an IPv6 address in brackets */
} FleetJumpHop;

void fleet_jump_hop_free (FleetJumpHop *hop);

/* Parse `text`.  Returns the hops (FleetJumpHop *, freed with the array),
 * an empty array for `none` in any case, or NULL with an error in the
 * FLEET_PROXY_JUMP_ERROR domain whose message names the invalid hop and
 * the problem. */
GPtrArray *fleet_proxy_jump_parse (const char *text, GError **error);

/* Return whether `text` is `none` in any case: no jump host. */
gboolean fleet_proxy_jump_is_none (const char *text);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (FleetJumpHop, fleet_jump_hop_free)

G_END_DECLS
