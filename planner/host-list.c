/* host-list.c: hosts named in planner messages. */
#include "planner/host-list.h"

#include "schema/fleet-diagnostics.h"

/* Characters of one host name shown in a message. */
#define LISTED_NAME_MAX_CHARS 60

char *
fleet_describe_hosts (const GPtrArray *hosts)
{
  GString *out = g_string_new (NULL);
  guint shown = MIN (hosts->len, FLEET_LISTED_HOSTS_MAX);

  for (guint i = 0; i < shown; i++)
    {
      const FleetHost *host = g_ptr_array_index (hosts, i);
      g_autofree char *quoted = fleet_quote_value (host->name, LISTED_NAME_MAX_CHARS);

      g_string_append_printf (out, "%s%s", i > 0 ? ", " : "", quoted);
    }
  if (hosts->len > shown)
    g_string_append_printf (out, " and %u more", hosts->len - shown);
  return g_string_free (out, FALSE);
}

gboolean
fleet_check_hosts_have_attribute (FleetDiagnostics *diags,
                                  const FleetSourcePos *pos,
                                  const GPtrArray *hosts,
                                  const char *attribute,
                                  const char *user)
{
  g_autoptr(GPtrArray) lacking = g_ptr_array_new ();
  g_autofree char *names = NULL;
  g_autofree char *quoted = NULL;

  for (guint i = 0; i < hosts->len; i++)
    {
      const FleetHost *host = g_ptr_array_index (hosts, i);

      if (!g_hash_table_contains (host->attributes, attribute))
        g_ptr_array_add (lacking, (gpointer) host);
    }
  if (lacking->len == 0)
    return TRUE;

  names = fleet_describe_hosts (lacking);
  quoted = fleet_quote_value (attribute, LISTED_NAME_MAX_CHARS);
  fleet_diagnostics_error (diags, pos,
                           "%u of the %u selected hosts have no attribute %s, which %s needs: %s; "
                           "give %s the attribute in the inventory, or leave %s out of the "
                           "target", lacking->len, hosts->len, quoted, user, names,
                           lacking->len == 1 ? "it" : "them",
                           lacking->len == 1 ? "it" : "them");
  return FALSE;
}
