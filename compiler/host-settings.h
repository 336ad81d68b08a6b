/* host-settings.h: a host's connection settings as one source writes them.
 *
 * Each source of settings fills one FleetHostSettings and leaves unset what
 * it does not mention.  The sources are an inventory host, the inventory's
 * `defaults`, the ssh_config blocks that apply to the host, and a jump host
 * list entry.  The resolver merges them in precedence order with
 * fleet_host_settings_fill, so the first value obtained for a setting wins,
 * as in ssh_config.  It then writes the result over the built-in defaults
 * of a FleetHost with fleet_host_settings_apply.
 *
 * A FleetHostSettings owns its strings and lists; clear it with
 * fleet_host_settings_clear.
 */
#pragma once

#include <glib.h>

#include "schema/fleet-model.h"

G_BEGIN_DECLS

typedef enum {
  FLEET_SETTING_ADDRESS,
  FLEET_SETTING_PORT,
  FLEET_SETTING_USER,
  FLEET_SETTING_IDENTITY_FILES,
  FLEET_SETTING_IDENTITIES_ONLY,
  FLEET_SETTING_KNOWN_HOSTS_FILES,
  FLEET_SETTING_HOST_KEY_POLICY,
  FLEET_SETTING_PROXY_JUMP,
  FLEET_SETTING_CONNECT_TIMEOUT,
  FLEET_SETTING_KEEPALIVE_INTERVAL,
  FLEET_SETTING_KEEPALIVE_COUNT_MAX,
  FLEET_SETTING_MAX_SESSIONS,
  FLEET_SETTING_KEY_PASSPHRASE_SECRET,
  FLEET_SETTING_BECOME_PASSWORD_SECRET,
  FLEET_SETTING_HASH_KNOWN_HOSTS,
  FLEET_SETTING_COUNT,
} FleetSetting;

#define FLEET_SETTING_BIT(setting) (1u << (setting))
#define FLEET_SETTING_ALL (FLEET_SETTING_BIT (FLEET_SETTING_COUNT) - 1)

typedef struct {
  guint set;                  /* FLEET_SETTING_BIT of every setting given */
  guint has_tokens;           /* FLEET_SETTING_BIT of the path lists whose
                                 items still hold ssh_config tokens (%h) */
  FleetSourcePos pos[FLEET_SETTING_COUNT]; /* where each given setting is written */

  char *address;
  guint16 port;
  char *user;
  GPtrArray *identity_files;  /* char *; NULL until set, may be empty */
  gboolean identities_only;
  GPtrArray *known_hosts_files; /* char *; NULL until set, never empty */
  FleetHostKeyPolicy host_key_policy;
  gboolean hash_known_hosts;
  char *proxy_jump;           /* a jump host list (see proxy-jump.h) or "none" */
  guint32 connect_timeout_ms;
  guint32 keepalive_interval_ms;
  guint32 keepalive_count_max;
  guint32 max_sessions;
  char *key_passphrase_secret;
  char *become_password_secret;
} FleetHostSettings;

/* Initialize `settings` with nothing set. */
void fleet_host_settings_init (FleetHostSettings *settings);

/* Release everything `settings` owns and leave it with nothing set. */
void fleet_host_settings_clear (FleetHostSettings *settings);

gboolean fleet_host_settings_has (const FleetHostSettings *settings, FleetSetting setting);

/* Return the inventory key of `setting` ("port", "identity_file"...). */
const char *fleet_setting_name (FleetSetting setting);

/* Mark `setting` as given at `pos` (may be NULL).  The caller has stored
 * the value in its field. */
void fleet_host_settings_mark (FleetHostSettings *settings,
                               FleetSetting setting,
                               const FleetSourcePos *pos);

/* Copy into `into` each setting of `from` that `mask` selects (a union of
 * FLEET_SETTING_BIT values) and `into` does not have yet, with its
 * position and token mark. */
void fleet_host_settings_fill (FleetHostSettings *into, const FleetHostSettings *from, guint mask);

/* Write every given setting into `host`, keeping the host's own value of
 * the others.  proxy_jump is left out, because the resolver turns the jump
 * list into the name of a jump host.  Paths are copied as they are, so
 * expand ssh_config tokens first. */
void fleet_host_settings_apply (const FleetHostSettings *settings, FleetHost *host);

G_END_DECLS
