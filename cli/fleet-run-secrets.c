/* fleet-run-secrets.c: opening the secret store for a run. */
#include "cli/fleet-run-secrets.h"

#include <string.h>

#include "schema/fleet-secret-key.h"
#include "schema/fleet-secret-store.h"

struct FleetRunSecrets {
  FleetSecretStore *store;       /* NULL when the plan names no secret */
};

static void
add_name (GPtrArray *names, const char *name)
{
  if (name != NULL && !g_ptr_array_find_with_equal_func (names, name, g_str_equal, NULL))
    g_ptr_array_add (names, (gpointer) name);
}

/* Return the secret names of the plan's hosts and jump hosts, borrowed. */
static GPtrArray *
plan_secret_names (const FleetPlan *plan)
{
  GPtrArray *names = g_ptr_array_new ();
  const GPtrArray *lists[] = { plan->hosts, plan->jump_hosts };

  for (guint l = 0; l < G_N_ELEMENTS (lists); l++)
    for (guint i = 0; i < lists[l]->len; i++)
      {
        const FleetHost *host = g_ptr_array_index (lists[l], i);

        add_name (names, host->key_passphrase_secret);
        add_name (names, host->become_password_secret);
      }
  return names;
}

FleetRunSecrets *
fleet_run_secrets_open (const FleetPlan *plan, const char *store_option, const char *key_file,
                        GError **error)
{
  g_autoptr(GPtrArray) names = plan_secret_names (plan);
  g_autoptr(FleetRunSecrets) secrets = g_new0 (FleetRunSecrets, 1);
  g_autofree char *path = NULL;
  g_autoptr(FleetSecret) master = NULL;
  g_autoptr(GString) missing = NULL;
  FleetSecretKeyOptions key_options = { .key_file = key_file };

  if (names->len == 0)
    return g_steal_pointer (&secrets);

  path = fleet_secret_store_resolve_path (store_option);
  key_options.store_path = path;
  if (!fleet_secret_store_check_file (path, error))
    return NULL;

  master = fleet_secret_key_read (&key_options, error);
  if (master == NULL)
    return NULL;

  secrets->store = fleet_secret_store_open (path, master, error);
  if (secrets->store == NULL)
    return NULL;

  missing = g_string_new (NULL);
  for (guint i = 0; i < names->len; i++)
    {
      g_autoptr(FleetSecret) value = fleet_secret_store_lookup (secrets->store,
                                                                g_ptr_array_index (names, i),
                                                                NULL);
      if (value == NULL)
        g_string_append_printf (missing, "%s\"%s\"", missing->len > 0 ? ", " : "",
                                (const char *) g_ptr_array_index (names, i));
    }

  if (missing->len > 0)
    {
      g_set_error (error, FLEET_SECRET_STORE_ERROR, FLEET_SECRET_STORE_ERROR_NO_SUCH_SECRET,
                   "the plan names secrets that are not in %s: %s; add them with "
                   "`fleetc secrets set NAME`", path, missing->str);
      return NULL;
    }

  return g_steal_pointer (&secrets);
}

char *
fleet_run_secrets_lookup (const char *name, gpointer user_data, GError **error)
{
  FleetRunSecrets *secrets = user_data;
  g_autoptr(FleetSecret) value = NULL;
  char *copy;

  if (secrets->store == NULL)
    {
      g_set_error (error, FLEET_SECRET_STORE_ERROR, FLEET_SECRET_STORE_ERROR_NO_SUCH_SECRET,
                   "no secret store is open");
      return NULL;
    }

  value = fleet_secret_store_lookup (secrets->store, name, error);
  if (value == NULL)
    return NULL;

  copy = g_malloc (value->length + 1);
  memcpy (copy, value->data, value->length);
  copy[value->length] = '\0';
  return copy;
}

void
fleet_run_secrets_free (FleetRunSecrets *secrets)
{
  if (secrets == NULL)
    return;

  if (secrets->store != NULL)
    fleet_secret_store_free (secrets->store);
  g_free (secrets);
}
