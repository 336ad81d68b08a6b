/* fleet-facts.c: host facts for conditions; the rules are in fleet-facts.h. */
#include "schema/fleet-facts.h"

#include <string.h>

static const char * const fact_names[] = {
  "os_family", "os_id", "os_version", "architecture", "kernel", "free_disk_mb", NULL,
};

/* Runs in a subshell so that the variables of /etc/os-release stay there.
 * df -P prints 1024-byte blocks in its fourth column. */
static const char facts_command[] =
  "("
  "if [ -r /etc/os-release ]; then . /etc/os-release; fi; "
  "printf 'os_id=%s\\nos_like=%s\\nos_version=%s\\n' \"${ID:-}\" \"${ID_LIKE:-}\" "
  "\"${VERSION_ID:-}\"; "
  "printf 'architecture=%s\\nkernel=%s\\n' \"$(uname -m)\" \"$(uname -r)\"; "
  "df -Pk / 2>/dev/null | awk 'NR == 2 { print \"free_disk_mb=\" int($4 / 1024) }'"
  ")";

/* os-release IDs and the family names Ansible gives them. */
static const struct {
  const char *id;
  const char *family;
} families[] = {
  { "debian", "Debian" },
  { "ubuntu", "Debian" },
  { "rhel", "RedHat" },
  { "fedora", "RedHat" },
  { "centos", "RedHat" },
  { "rocky", "RedHat" },
  { "almalinux", "RedHat" },
  { "suse", "Suse" },
  { "opensuse", "Suse" },
  { "sles", "Suse" },
  { "arch", "Archlinux" },
  { "alpine", "Alpine" },
};

const char * const *
fleet_facts_names (void)
{
  return fact_names;
}

gboolean
fleet_facts_is_name (const char *name)
{
  return g_strv_contains (fact_names, name);
}

const char *
fleet_facts_command (void)
{
  return facts_command;
}

static const char *
family_of_id (const char *id)
{
  for (gsize i = 0; i < G_N_ELEMENTS (families); i++)
    if (strcmp (families[i].id, id) == 0)
      return families[i].family;
  return NULL;
}

/* Return the family of the host's ID, else of the first ID_LIKE entry
 * that has one, else the ID itself. */
static char *
derive_family (const char *id, const char *like)
{
  g_auto(GStrv) like_ids = g_strsplit (like != NULL ? like : "", " ", -1);
  const char *family = id != NULL ? family_of_id (id) : NULL;

  for (guint i = 0; family == NULL && like_ids[i] != NULL; i++)
    family = family_of_id (like_ids[i]);

  if (family != NULL)
    return g_strdup (family);
  return id != NULL ? g_strdup (id) : NULL;
}

GHashTable *
fleet_facts_parse (const char *output)
{
  GHashTable *facts = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, g_free);
  g_auto(GStrv) lines = g_strsplit (output, "\n", -1);
  g_autofree char *like = NULL;
  char *family;

  for (guint i = 0; lines[i] != NULL; i++)
    {
      char *equals = strchr (lines[i], '=');

      if (equals == NULL || equals[1] == '\0')
        continue;
      *equals = '\0';
      if (strcmp (lines[i], "os_like") == 0)
        {
          g_free (like);
          like = g_strdup (equals + 1);
        }
      else if (fleet_facts_is_name (lines[i]) && strcmp (lines[i], "os_family") != 0)
        {
          g_hash_table_replace (facts, g_strdup (lines[i]), g_strdup (equals + 1));
        }
    }

  family = derive_family (g_hash_table_lookup (facts, "os_id"), like);
  if (family != NULL)
    g_hash_table_replace (facts, g_strdup ("os_family"), family);
  return facts;
}

gboolean
fleet_facts_lookup (GHashTable *facts, const char *name, FleetValue *out)
{
  const char *value;
  guint64 number;

  if (facts == NULL || !g_str_has_prefix (name, "facts."))
    return FALSE;

  value = g_hash_table_lookup (facts, name + strlen ("facts."));
  if (value == NULL)
    return FALSE;

  if (strcmp (name, "facts.free_disk_mb") == 0)
    {
      if (!g_ascii_string_to_unsigned (value, 10, 0, G_MAXUINT64, &number, NULL))
        return FALSE;
      *out = fleet_value_number ((double) number);
      return TRUE;
    }

  *out = fleet_value_string (value);
  return TRUE;
}
