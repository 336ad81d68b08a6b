/* ssh-config-lookup.c: the settings that an ssh_config gives one name, and
 * the expansion of tokens in its paths. */
#include "compiler/ssh-config-private.h"

#include <string.h>

/* Return whether `name` matches `pattern`, where '*' matches any run of
 * characters and '?' any one character, as OpenSSH's match_pattern does. */
static gboolean
match_pattern (const char *name, const char *pattern)
{
  const char *star = NULL;
  const char *resume = NULL;

  while (*name != '\0')
    {
      if (*pattern == '*')
        {
          star = pattern++;
          resume = name;
        }
      else if (*pattern == '?' || *pattern == *name)
        {
          pattern++;
          name++;
        }
      else if (star != NULL)
        {
          pattern = star + 1;
          name = ++resume;
        }
      else
        return FALSE;
    }

  while (*pattern == '*')
    pattern++;
  return *pattern == '\0';
}

/* A Host line applies when one pattern matches and no negated one does. */
static gboolean
patterns_match (const GPtrArray *patterns, const char *name)
{
  gboolean matched = FALSE;

  for (guint i = 0; i < patterns->len; i++)
    {
      const char *pattern = g_ptr_array_index (patterns, i);
      gboolean negated = pattern[0] == '!';

      if (!match_pattern (name, negated ? pattern + 1 : pattern))
        continue;
      if (negated)
        return FALSE;
      matched = TRUE;
    }

  return matched;
}

static gboolean
condition_holds (const FleetSshConfig *config, guint index, const char *name)
{
  while (index != SSH_CONDITION_ALWAYS)
    {
      const SshCondition *condition = g_ptr_array_index (config->conditions, index);

      if (condition->never)
        return FALSE;
      if (condition->patterns != NULL && !patterns_match (condition->patterns, name))
        return FALSE;
      index = condition->parent;
    }

  return TRUE;
}

/* Lookup state: the result being built and what was obtained so far. */
typedef struct {
  FleetSshHostConfig *result;
  guint rejected_settings;     /* FLEET_SETTING_BIT of the settings that a
                                 rejected line obtained first */
  GHashTable *rejected_keywords; /* lower-case keywords already rejected */
} Lookup;

static void
add_identity_file (Lookup *lookup, const SshLine *line)
{
  FleetHostSettings *settings = &lookup->result->settings;

  if (settings->identity_files == NULL)
    {
      settings->identity_files = g_ptr_array_new_with_free_func (g_free);
      settings->has_tokens |= FLEET_SETTING_BIT (FLEET_SETTING_IDENTITY_FILES);
      fleet_host_settings_mark (settings, FLEET_SETTING_IDENTITY_FILES, &line->line.pos);
    }

  g_ptr_array_add (settings->identity_files,
                   g_strdup (g_ptr_array_index (line->value.identity_files, 0)));
}

/* A rejected line counts only when OpenSSH would use it: when it gives the
 * first value obtained for its setting, or is the first line of its
 * keyword.  Later lines of a rejected keyword are listed as unused. */
static void
add_rejected (Lookup *lookup, const SshLine *line)
{
  FleetSetting setting = line->rejection.replaced_by;
  g_autofree char *keyword = g_ascii_strdown (line->line.keyword, -1);

  if (setting != FLEET_SETTING_COUNT)
    {
      guint bit = FLEET_SETTING_BIT (setting);

      if (((lookup->result->settings.set | lookup->rejected_settings) & bit) != 0)
        return;
      lookup->rejected_settings |= bit;
    }
  else if (g_hash_table_contains (lookup->rejected_keywords, keyword))
    {
      g_ptr_array_add (lookup->result->unused, (gpointer) &line->line);
      return;
    }

  g_hash_table_add (lookup->rejected_keywords, g_steal_pointer (&keyword));
  g_ptr_array_add (lookup->result->rejected, (gpointer) &line->rejection);
}

static void
apply_line (Lookup *lookup, const SshLine *line)
{
  switch (line->kind)
    {
    case SSH_LINE_UNUSED:
      g_ptr_array_add (lookup->result->unused, (gpointer) &line->line);
      break;
    case SSH_LINE_SETTING:
      fleet_host_settings_fill (&lookup->result->settings, &line->value,
                                FLEET_SETTING_ALL & ~lookup->rejected_settings);
      break;
    case SSH_LINE_IDENTITY_FILE:
      add_identity_file (lookup, line);
      break;
    case SSH_LINE_REJECTED:
      add_rejected (lookup, line);
      break;
    default:
      g_return_if_reached ();
    }
}

/* Replace %h with `name` and %% with % in a HostName value, the only
 * tokens OpenSSH expands there. */
static char *
expand_hostname (const char *value, const char *name)
{
  GString *out = g_string_new (NULL);

  for (const char *p = value; *p != '\0'; p++)
    {
      if (p[0] == '%' && p[1] == 'h')
        g_string_append (out, name);
      else if (p[0] == '%' && p[1] == '%')
        g_string_append_c (out, '%');
      else
        {
          g_string_append_c (out, *p);
          continue;
        }
      p++;
    }

  return g_string_free (out, FALSE);
}

FleetSshHostConfig *
fleet_ssh_config_lookup (const FleetSshConfig *config, const char *name)
{
  g_autoptr(FleetSshHostConfig) result = g_new0 (FleetSshHostConfig, 1);
  g_autoptr(GHashTable) rejected_keywords = g_hash_table_new_full (g_str_hash, g_str_equal,
                                                                  g_free, NULL);
  Lookup lookup = { result, 0, rejected_keywords };
  FleetHostSettings *settings = &result->settings;

  fleet_host_settings_init (settings);
  result->unused = g_ptr_array_new ();
  result->rejected = g_ptr_array_new ();

  for (guint i = 0; i < config->lines->len; i++)
    {
      const SshLine *line = g_ptr_array_index (config->lines, i);

      if (condition_holds (config, line->condition, name))
        apply_line (&lookup, line);
    }

  if ((settings->has_tokens & FLEET_SETTING_BIT (FLEET_SETTING_ADDRESS)) != 0)
    {
      char *address = expand_hostname (settings->address, name);

      g_free (settings->address);
      settings->address = address;
      settings->has_tokens &= ~FLEET_SETTING_BIT (FLEET_SETTING_ADDRESS);
    }

  return g_steal_pointer (&result);
}

void
fleet_ssh_host_config_free (FleetSshHostConfig *host_config)
{
  if (host_config == NULL)
    return;

  fleet_host_settings_clear (&host_config->settings);
  g_ptr_array_unref (host_config->unused);
  g_ptr_array_unref (host_config->rejected);
  g_free (host_config);
}

char *
fleet_ssh_config_expand_path (const char *path, const FleetSshTokenValues *values)
{
  GString *out = g_string_new (NULL);
  g_autofree char *expanded = NULL;

  for (const char *p = path; *p != '\0'; p++)
    {
      if (p[0] != '%' || p[1] == '\0')
        {
          g_string_append_c (out, *p);
          continue;
        }

      p++;
      switch (*p)
        {
        case '%': g_string_append_c (out, '%'); break;
        case 'd': g_string_append (out, g_get_home_dir ()); break;
        case 'h': g_string_append (out, values->address); break;
        case 'n': g_string_append (out, values->name); break;
        case 'p': g_string_append_printf (out, "%u", values->port); break;
        case 'r':
          g_string_append (out, values->remote_user != NULL ? values->remote_user
                                                            : g_get_user_name ());
          break;
        case 'u': g_string_append (out, g_get_user_name ()); break;
        default: g_string_append_c (out, '%'); g_string_append_c (out, *p); break;
        }
    }

  expanded = g_string_free (out, FALSE);
  if (g_str_has_prefix (expanded, "~/"))
    return g_steal_pointer (&expanded);
  return g_canonicalize_filename (expanded, NULL);
}
