/* host-resolver.c: every host's connection settings, settled from the
 * inventory, the ssh_config and the built-in defaults.
 *
 * Each host is built from layers of FleetHostSettings merged first-wins:
 * the layers above the ssh_config, the ssh_config's settings for the name,
 * then the layers below it.  A rejected ssh_config line is a problem unless
 * a layer above the ssh_config gives the setting it would have set.
 */
#include "compiler/host-resolver.h"

#include <string.h>

#include "compiler/proxy-jump.h"
#include "schema/fleet-host-record.h"

typedef enum {
  STATE_PENDING,
  STATE_ACTIVE,               /* being built: meeting it again is a loop */
  STATE_DONE,
} JumpState;

typedef struct {
  FleetInventory *inventory;
  GHashTable *own_settings;   /* host name -> FleetHostSettings * */
  const FleetHostSettings *defaults;
  const FleetSshConfig *ssh_config;
  GHashTable *jump_states;    /* jump host name -> GINT_TO_POINTER (JumpState) */
  GHashTable *jump_aliases;   /* jump host name -> name of the earlier jump host
                                 it is the same connection as */
  const char *root;           /* the inventory host being settled */
  GPtrArray *route;           /* char *, jump host names entered from root */
} Resolver;

/* The owner of the problems found while building one host. */
typedef struct {
  const char *name;
  gboolean jump_host;
} Owner;

/* Settings of jump hosts that are not inventory hosts: `defaults` describe
 * the managed hosts, so only the settings that a bastion can share with
 * them fill its gaps. */
#define JUMP_HOST_DEFAULTS_MASK \
  (FLEET_SETTING_ALL & ~(FLEET_SETTING_BIT (FLEET_SETTING_PROXY_JUMP) \
                         | FLEET_SETTING_BIT (FLEET_SETTING_BECOME_PASSWORD_SECRET)))

static char *resolve_jump_list (Resolver *resolver, const char *text, const FleetSourcePos *pos);

static void
add_problem (Resolver *resolver, const Owner *owner, FleetHostProblemKind kind,
             const FleetSourcePos *pos, const char *text)
{
  fleet_inventory_add_host_problem (resolver->inventory, kind, owner->name, owner->jump_host,
                                    pos, text);
}

/* Fill `settings`, which contains the layers above the ssh_config, with the
 * ssh_config's settings for `name` and then with the settings of `below`
 * that `below_mask` selects.  Records the ssh_config's problems for
 * `owner`. */
static void
merge_layers (Resolver *resolver,
              const char *name,
              const Owner *owner,
              FleetHostSettings *settings,
              const FleetHostSettings *below,
              guint below_mask)
{
  g_autoptr(FleetSshHostConfig) found = NULL;

  if (resolver->ssh_config != NULL)
    {
      found = fleet_ssh_config_lookup (resolver->ssh_config, name);

      for (guint i = 0; i < found->rejected->len; i++)
        {
          const FleetSshConfigRejection *rejection = g_ptr_array_index (found->rejected, i);

          if (rejection->replaced_by == FLEET_SETTING_COUNT
              || !fleet_host_settings_has (settings, rejection->replaced_by))
            add_problem (resolver, owner, FLEET_HOST_PROBLEM_ERROR, &rejection->line->pos,
                         rejection->message);
        }

      for (guint i = 0; i < found->unused->len; i++)
        {
          const FleetSshConfigLine *line = g_ptr_array_index (found->unused, i);

          add_problem (resolver, owner, FLEET_HOST_PROBLEM_UNUSED_SETTING, &line->pos,
                       line->keyword);
        }

      fleet_host_settings_fill (settings, &found->settings, FLEET_SETTING_ALL);
    }

  if (below != NULL)
    fleet_host_settings_fill (settings, below, below_mask);
}

static void
expand_paths (GPtrArray *paths, const FleetSshTokenValues *values)
{
  for (guint i = 0; i < paths->len; i++)
    {
      char *expanded = fleet_ssh_config_expand_path (g_ptr_array_index (paths, i), values);

      g_free (g_ptr_array_index (paths, i));
      g_ptr_array_index (paths, i) = expanded;
    }
}

/* Write `settings` into `host`, whose name in the ssh_config is
 * `lookup_name`, expanding the tokens of ssh_config paths with the values
 * the connection uses. */
static void
settle_host (Resolver *resolver,
             FleetHost *host,
             const char *lookup_name,
             FleetHostSettings *settings,
             const Owner *owner)
{
  FleetSshTokenValues values = {
    .name = lookup_name,
    .address = fleet_host_settings_has (settings, FLEET_SETTING_ADDRESS) ? settings->address
                                                                           : lookup_name,
    .port = fleet_host_settings_has (settings, FLEET_SETTING_PORT) ? settings->port
                                                                     : FLEET_DEFAULT_SSH_PORT,
    .remote_user = fleet_host_settings_has (settings, FLEET_SETTING_USER) ? settings->user : NULL,
  };

  if ((settings->has_tokens & FLEET_SETTING_BIT (FLEET_SETTING_IDENTITY_FILES)) != 0)
    expand_paths (settings->identity_files, &values);
  if ((settings->has_tokens & FLEET_SETTING_BIT (FLEET_SETTING_KNOWN_HOSTS_FILES)) != 0)
    expand_paths (settings->known_hosts_files, &values);

  g_free (host->address);
  host->address = g_strdup (values.address);
  fleet_host_settings_apply (settings, host);

  if (host->host_key_policy == FLEET_HOST_KEY_POLICY_ACCEPT_NEW
      && g_str_equal (fleet_host_primary_known_hosts_file (host), "/dev/null"))
    add_problem (resolver, owner, FLEET_HOST_PROBLEM_ERROR,
                 &settings->pos[FLEET_SETTING_HOST_KEY_POLICY],
                 "accept-new records new host keys in the first known_hosts file, which is "
                 "/dev/null, so every key would be new on every run; name a real known_hosts "
                 "file or use strict");
}

/* Return whether `settings` names jump hosts, "none" aside. */
static gboolean
has_jump_list (const FleetHostSettings *settings)
{
  return fleet_host_settings_has (settings, FLEET_SETTING_PROXY_JUMP)
         && !fleet_proxy_jump_is_none (settings->proxy_jump);
}

static JumpState
jump_state (Resolver *resolver, const char *name)
{
  return GPOINTER_TO_INT (g_hash_table_lookup (resolver->jump_states, name));
}

static void
set_jump_state (Resolver *resolver, const char *name, JumpState state)
{
  g_hash_table_replace (resolver->jump_states, g_strdup (name), GINT_TO_POINTER (state));
}

static void
report_loop (Resolver *resolver, const char *name, const FleetSourcePos *pos)
{
  g_autoptr(GString) message = g_string_new ("the jump hosts form a loop: ");
  const Owner root = { resolver->root, FALSE };

  g_string_append (message, resolver->root);
  for (guint i = 0; i < resolver->route->len; i++)
    g_string_append_printf (message, " -> %s",
                            (const char *) g_ptr_array_index (resolver->route, i));
  g_string_append_printf (message, " -> %s; remove a proxy_jump or ProxyJump on the way", name);
  add_problem (resolver, &root, FLEET_HOST_PROBLEM_ERROR, pos, message->str);
}

/* Return the name of the jump host that fleet-run connects to for `name`:
 * the earlier jump host with the same settings when there is one, so
 * that "bastion" and "root@bastion" reaching one address, port and user
 * become one jump connection instead of two logins. */
static const char *
canonical_jump_name (Resolver *resolver, const char *name)
{
  const char *earlier = g_hash_table_lookup (resolver->jump_aliases, name);

  return earlier != NULL ? earlier : name;
}

static char *
host_settings_digest (const FleetHost *host)
{
  g_autoptr(GPtrArray) one = g_ptr_array_new ();
  g_autoptr(GPtrArray) none = g_ptr_array_new ();

  g_ptr_array_add (one, (gpointer) host);
  return fleet_hosts_digest (one, none);
}

/* Return the jump host built before whose every setting equals those of
 * `host`, its name aside, or NULL. */
static const FleetHost *
find_equal_jump_host (Resolver *resolver, const FleetHost *host)
{
  g_autoptr(FleetHost) renamed = fleet_host_copy (host);

  for (guint i = 0; i < resolver->inventory->jump_hosts->len; i++)
    {
      const FleetHost *earlier = g_ptr_array_index (resolver->inventory->jump_hosts, i);
      g_autofree char *earlier_digest = host_settings_digest (earlier);
      g_autofree char *digest = NULL;

      g_free (renamed->name);
      renamed->name = g_strdup (earlier->name);
      digest = host_settings_digest (renamed);
      if (g_str_equal (digest, earlier_digest))
        return earlier;
    }
  return NULL;
}

/* Gather the settings of jump host `name`, which `hop` describes, into
 * `settings`, which contains the user and port of the hop already. */
static void
gather_jump_settings (Resolver *resolver, const char *name, const FleetJumpHop *hop,
                      FleetHostSettings *settings)
{
  const Owner owner = { name, TRUE };

  if (g_hash_table_contains (resolver->inventory->hosts_by_name, hop->host))
    {
      const FleetHostSettings *own = g_hash_table_lookup (resolver->own_settings, hop->host);

      if (own != NULL)
        fleet_host_settings_fill (settings, own, FLEET_SETTING_ALL);
      fleet_host_settings_fill (settings, resolver->defaults, FLEET_SETTING_ALL);
      merge_layers (resolver, hop->host, &owner, settings, NULL, 0);
    }
  else
    merge_layers (resolver, hop->host, &owner, settings, resolver->defaults,
                  JUMP_HOST_DEFAULTS_MASK);
}

/* Make sure the jump host `name` exists: `hop`, reached through the jump
 * host `via`, or through its own proxy_jump when `via` is NULL.  Returns
 * FALSE after recording a loop against the root host. */
static gboolean
build_jump_host (Resolver *resolver, const char *name, const FleetJumpHop *hop, const char *via,
                 const FleetSourcePos *pos)
{
  const Owner owner = { name, TRUE };
  FleetHostSettings settings;
  g_autoptr(FleetHost) host = NULL;
  gboolean built = TRUE;

  if (jump_state (resolver, name) == STATE_DONE)
    return TRUE;
  if (jump_state (resolver, name) == STATE_ACTIVE)
    {
      report_loop (resolver, name, pos);
      return FALSE;
    }

  set_jump_state (resolver, name, STATE_ACTIVE);
  g_ptr_array_add (resolver->route, g_strdup (name));

  fleet_host_settings_init (&settings);
  if (hop->user != NULL)
    {
      settings.user = g_strdup (hop->user);
      fleet_host_settings_mark (&settings, FLEET_SETTING_USER, pos);
    }
  if (hop->port != 0)
    {
      settings.port = hop->port;
      fleet_host_settings_mark (&settings, FLEET_SETTING_PORT, pos);
    }
  if (via != NULL)
    {
      settings.proxy_jump = g_strdup (via);
      fleet_host_settings_mark (&settings, FLEET_SETTING_PROXY_JUMP, pos);
    }
  gather_jump_settings (resolver, name, hop, &settings);

  host = fleet_host_new (name);
  settle_host (resolver, host, hop->host, &settings, &owner);
  if (via != NULL)
    host->proxy_jump = g_strdup (via);
  else if (has_jump_list (&settings))
    {
      host->proxy_jump = resolve_jump_list (resolver, settings.proxy_jump,
                                            &settings.pos[FLEET_SETTING_PROXY_JUMP]);
      built = host->proxy_jump != NULL;
    }

  g_free (g_ptr_array_steal_index (resolver->route, resolver->route->len - 1));
  set_jump_state (resolver, name, built ? STATE_DONE : STATE_PENDING);
  if (built)
    {
      const FleetHost *earlier = find_equal_jump_host (resolver, host);

      if (earlier != NULL)
        g_hash_table_replace (resolver->jump_aliases, g_strdup (name), g_strdup (earlier->name));
      else
        g_ptr_array_add (resolver->inventory->jump_hosts, g_steal_pointer (&host));
    }

  fleet_host_settings_clear (&settings);
  return built;
}

/* Build the jump hosts of the jump list `text`, written at `pos`.
 * Returns the name of the last one, which the owner of the list jumps
 * through, or NULL after recording a problem against the root host. */
static char *
resolve_jump_list (Resolver *resolver, const char *text, const FleetSourcePos *pos)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GPtrArray) hops = fleet_proxy_jump_parse (text, &error);
  g_autoptr(GString) name = g_string_new (NULL);
  g_autofree char *via = NULL;

  /* Both the inventory and the ssh_config reader checked the list already. */
  g_return_val_if_fail (hops != NULL, NULL);

  for (guint i = 0; i < hops->len; i++)
    {
      const FleetJumpHop *hop = g_ptr_array_index (hops, i);

      g_string_append_printf (name, "%s%s", i > 0 ? "," : "", hop->text);
      if (!build_jump_host (resolver, name->str, hop, via, pos))
        return NULL;

      g_free (via);
      via = g_strdup (canonical_jump_name (resolver, name->str));
    }

  return g_steal_pointer (&via);
}

static void
resolve_inventory_host (Resolver *resolver, FleetHost *host)
{
  const FleetHostSettings *own = g_hash_table_lookup (resolver->own_settings, host->name);
  const Owner owner = { host->name, FALSE };
  FleetHostSettings settings;

  fleet_host_settings_init (&settings);
  if (own != NULL)
    fleet_host_settings_fill (&settings, own, FLEET_SETTING_ALL);
  fleet_host_settings_fill (&settings, resolver->defaults, FLEET_SETTING_ALL);
  merge_layers (resolver, host->name, &owner, &settings, NULL, 0);

  settle_host (resolver, host, host->name, &settings, &owner);
  for (FleetSetting setting = 0; setting < FLEET_SETTING_COUNT; setting++)
    if (fleet_host_settings_has (&settings, setting) && settings.pos[setting].line > 0)
      fleet_inventory_set_value_pos (resolver->inventory, host->name, fleet_setting_name (setting),
                                     &settings.pos[setting]);

  if (has_jump_list (&settings))
    {
      resolver->root = host->name;
      host->proxy_jump = resolve_jump_list (resolver, settings.proxy_jump,
                                            &settings.pos[FLEET_SETTING_PROXY_JUMP]);
    }

  fleet_host_settings_clear (&settings);
}

void
fleet_resolve_hosts (FleetInventory *inventory,
                     GHashTable *own_settings,
                     const FleetHostSettings *defaults,
                     const FleetSshConfig *ssh_config)
{
  g_autoptr(GHashTable) jump_states = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
  g_autoptr(GHashTable) jump_aliases = g_hash_table_new_full (g_str_hash, g_str_equal, g_free,
                                                              g_free);
  g_autoptr(GPtrArray) route = g_ptr_array_new_with_free_func (g_free);
  Resolver resolver = { inventory, own_settings, defaults, ssh_config, jump_states, jump_aliases,
                        NULL, route };

  for (guint i = 0; i < inventory->hosts->len; i++)
    resolve_inventory_host (&resolver, g_ptr_array_index (inventory->hosts, i));

  if (ssh_config != NULL)
    {
      const GPtrArray *sources = fleet_ssh_config_sources (ssh_config);

      inventory->ssh_config_path = g_strdup (fleet_ssh_config_path (ssh_config));
      for (guint i = 0; i < sources->len; i++)
        {
          const FleetSourceFile *file = g_ptr_array_index (sources, i);

          g_ptr_array_add (inventory->ssh_config_sources,
                           fleet_source_file_new (file->path, file->sha256));
        }
    }
}
