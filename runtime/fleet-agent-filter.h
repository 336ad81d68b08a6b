/* fleet-agent-filter.h: ssh-agent restricted to the keys of a host's
 * identity files, for hosts that set identities_only.
 *
 * OpenSSH with IdentitiesOnly still uses the agent's copy of a key that an
 * IdentityFile names, matched by its public key (PATH.pub).  So a key that
 * only the agent can use still logs in, such as one encrypted with a cipher
 * libssh cannot read, or with a passphrase fleet-run does not have.  libssh 0.10.6
 * offers every agent key or none.  So fleet-run puts this filter between
 * libssh and the agent: a thread that relays each request over a socket
 * pair to the agent at SSH_AUTH_SOCK and removes from the agent's key list
 * (SSH2_AGENT_IDENTITIES_ANSWER) every key not allowed.  Other requests and
 * replies pass unchanged; the agent itself rejects a signing request for a
 * key it does not hold.
 */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

typedef struct FleetAgentFilter FleetAgentFilter;

/* Connect to the agent at `agent_path` and start relaying for the keys
 * whose public key blobs (SSH wire encoding) are in `allowed`, a
 * GBytes * array the filter keeps a reference to.  Returns the filter, or
 * NULL with a G_IO_ERROR when the agent cannot be reached or the socket
 * pair for libssh cannot be made (out of descriptors). */
FleetAgentFilter *fleet_agent_filter_new (const char *agent_path, GPtrArray *allowed,
                                          GError **error);

/* Return the descriptor to hand to ssh_set_agent_socket(), once: the
 * caller owns it from then on (libssh closes it with the session). */
int fleet_agent_filter_steal_fd (FleetAgentFilter *filter);

/* Return the largest number of allowed keys in one of the agent's key
 * lists so far: 0 when the agent has none of them. */
guint fleet_agent_filter_get_matched (FleetAgentFilter *filter);

/* Stop relaying, wait for the thread and close the filter's descriptors,
 * the client's too when it was not stolen.  `filter` is not NULL
 * (g_clear_pointer and g_autoptr check that before they call this). */
void fleet_agent_filter_free (FleetAgentFilter *filter);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (FleetAgentFilter, fleet_agent_filter_free)

G_END_DECLS
