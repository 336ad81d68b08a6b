/* host-settings.c: a host's connection settings as one source writes them. */
#include "compiler/host-settings.h"

#include <string.h>

void
fleet_host_settings_init (FleetHostSettings *settings)
{
  memset (settings, 0, sizeof *settings);
}

void
fleet_host_settings_clear (FleetHostSettings *settings)
{
  g_free (settings->address);
  g_free (settings->user);
  g_clear_pointer (&settings->identity_files, g_ptr_array_unref);
  g_clear_pointer (&settings->known_hosts_files, g_ptr_array_unref);
  g_free (settings->proxy_jump);
  g_free (settings->key_passphrase_secret);
  g_free (settings->become_password_secret);
  fleet_host_settings_init (settings);
}

const char *
fleet_setting_name (FleetSetting setting)
{
  static const char * const names[FLEET_SETTING_COUNT] = {
    [FLEET_SETTING_ADDRESS] = "address",
    [FLEET_SETTING_PORT] = "port",
    [FLEET_SETTING_USER] = "user",
    [FLEET_SETTING_IDENTITY_FILES] = "identity_file",
    [FLEET_SETTING_IDENTITIES_ONLY] = "identities_only",
    [FLEET_SETTING_KNOWN_HOSTS_FILES] = "known_hosts_file",
    [FLEET_SETTING_HOST_KEY_POLICY] = "host_key_policy",
    [FLEET_SETTING_PROXY_JUMP] = "proxy_jump",
    [FLEET_SETTING_CONNECT_TIMEOUT] = "connect_timeout",
    [FLEET_SETTING_KEEPALIVE_INTERVAL] = "keepalive_interval",
    [FLEET_SETTING_KEEPALIVE_COUNT_MAX] = "keepalive_count_max",
    [FLEET_SETTING_MAX_SESSIONS] = "max_sessions",
    [FLEET_SETTING_KEY_PASSPHRASE_SECRET] = "key_passphrase_secret",
    [FLEET_SETTING_BECOME_PASSWORD_SECRET] = "become_password_secret",
    [FLEET_SETTING_HASH_KNOWN_HOSTS] = "hash_known_hosts",
  };

  g_return_val_if_fail (setting < FLEET_SETTING_COUNT, NULL);
  return names[setting];
}

gboolean
fleet_host_settings_has (const FleetHostSettings *settings, FleetSetting setting)
{
  return (settings->set & FLEET_SETTING_BIT (setting)) != 0;
}

void
fleet_host_settings_mark (FleetHostSettings *settings,
                          FleetSetting setting,
                          const FleetSourcePos *pos)
{
  settings->set |= FLEET_SETTING_BIT (setting);
  settings->pos[setting] = pos != NULL ? *pos : (FleetSourcePos) { 0 };
}

static GPtrArray *
copy_strings (const GPtrArray *strings)
{
  GPtrArray *copy = g_ptr_array_new_full (strings->len, g_free);

  for (guint i = 0; i < strings->len; i++)
    g_ptr_array_add (copy, g_strdup (g_ptr_array_index (strings, i)));
  return copy;
}

/* Copy the value of `setting` from `from` into `into`, which lacks it. */
static void
copy_value (FleetHostSettings *into, const FleetHostSettings *from, FleetSetting setting)
{
  switch (setting)
    {
    case FLEET_SETTING_ADDRESS:
      into->address = g_strdup (from->address);
      break;
    case FLEET_SETTING_PORT:
      into->port = from->port;
      break;
    case FLEET_SETTING_USER:
      into->user = g_strdup (from->user);
      break;
    case FLEET_SETTING_IDENTITY_FILES:
      into->identity_files = copy_strings (from->identity_files);
      break;
    case FLEET_SETTING_IDENTITIES_ONLY:
      into->identities_only = from->identities_only;
      break;
    case FLEET_SETTING_KNOWN_HOSTS_FILES:
      into->known_hosts_files = copy_strings (from->known_hosts_files);
      break;
    case FLEET_SETTING_HOST_KEY_POLICY:
      into->host_key_policy = from->host_key_policy;
      break;
    case FLEET_SETTING_PROXY_JUMP:
      into->proxy_jump = g_strdup (from->proxy_jump);
      break;
    case FLEET_SETTING_CONNECT_TIMEOUT:
      into->connect_timeout_ms = from->connect_timeout_ms;
      break;
    case FLEET_SETTING_KEEPALIVE_INTERVAL:
      into->keepalive_interval_ms = from->keepalive_interval_ms;
      break;
    case FLEET_SETTING_KEEPALIVE_COUNT_MAX:
      into->keepalive_count_max = from->keepalive_count_max;
      break;
    case FLEET_SETTING_MAX_SESSIONS:
      into->max_sessions = from->max_sessions;
      break;
    case FLEET_SETTING_KEY_PASSPHRASE_SECRET:
      into->key_passphrase_secret = g_strdup (from->key_passphrase_secret);
      break;
    case FLEET_SETTING_BECOME_PASSWORD_SECRET:
      into->become_password_secret = g_strdup (from->become_password_secret);
      break;
    case FLEET_SETTING_HASH_KNOWN_HOSTS:
      into->hash_known_hosts = from->hash_known_hosts;
      break;
    case FLEET_SETTING_COUNT:
    default:
      g_return_if_reached ();
    }
}

void
fleet_host_settings_fill (FleetHostSettings *into, const FleetHostSettings *from, guint mask)
{
  for (FleetSetting setting = 0; setting < FLEET_SETTING_COUNT; setting++)
    {
      guint bit = FLEET_SETTING_BIT (setting);

      if ((mask & bit) == 0 || (into->set & bit) != 0 || (from->set & bit) == 0)
        continue;

      copy_value (into, from, setting);
      into->set |= bit;
      into->has_tokens = (into->has_tokens & ~bit) | (from->has_tokens & bit);
      into->pos[setting] = from->pos[setting];
    }
}

static void
replace_strings (GPtrArray *to, const GPtrArray *from)
{
  g_ptr_array_set_size (to, 0);
  for (guint i = 0; i < from->len; i++)
    g_ptr_array_add (to, g_strdup (g_ptr_array_index (from, i)));
}

static void
replace_string (char **to, const char *from)
{
  g_free (*to);
  *to = g_strdup (from);
}

void
fleet_host_settings_apply (const FleetHostSettings *settings, FleetHost *host)
{
  if (fleet_host_settings_has (settings, FLEET_SETTING_ADDRESS))
    replace_string (&host->address, settings->address);
  if (fleet_host_settings_has (settings, FLEET_SETTING_PORT))
    host->port = settings->port;
  if (fleet_host_settings_has (settings, FLEET_SETTING_USER))
    replace_string (&host->user, settings->user);
  if (fleet_host_settings_has (settings, FLEET_SETTING_IDENTITY_FILES))
    replace_strings (host->identity_files, settings->identity_files);
  if (fleet_host_settings_has (settings, FLEET_SETTING_IDENTITIES_ONLY))
    host->identities_only = settings->identities_only;
  if (fleet_host_settings_has (settings, FLEET_SETTING_KNOWN_HOSTS_FILES))
    replace_strings (host->known_hosts_files, settings->known_hosts_files);
  if (fleet_host_settings_has (settings, FLEET_SETTING_HOST_KEY_POLICY))
    host->host_key_policy = settings->host_key_policy;
  if (fleet_host_settings_has (settings, FLEET_SETTING_HASH_KNOWN_HOSTS))
    host->hash_known_hosts = settings->hash_known_hosts;
  if (fleet_host_settings_has (settings, FLEET_SETTING_CONNECT_TIMEOUT))
    host->connect_timeout_ms = settings->connect_timeout_ms;
  if (fleet_host_settings_has (settings, FLEET_SETTING_KEEPALIVE_INTERVAL))
    host->keepalive_interval_ms = settings->keepalive_interval_ms;
  if (fleet_host_settings_has (settings, FLEET_SETTING_KEEPALIVE_COUNT_MAX))
    host->keepalive_count_max = settings->keepalive_count_max;
  if (fleet_host_settings_has (settings, FLEET_SETTING_MAX_SESSIONS))
    host->max_sessions = settings->max_sessions;
  if (fleet_host_settings_has (settings, FLEET_SETTING_KEY_PASSPHRASE_SECRET))
    replace_string (&host->key_passphrase_secret, settings->key_passphrase_secret);
  if (fleet_host_settings_has (settings, FLEET_SETTING_BECOME_PASSWORD_SECRET))
    replace_string (&host->become_password_secret, settings->become_password_secret);
}
