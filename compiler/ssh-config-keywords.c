/* ssh-config-keywords.c: the keywords fleetc reads or rejects, and their
 * values.
 *
 * Values are checked when the file is read, whether or not their block
 * applies to a host, because OpenSSH rejects a bad value anywhere in the
 * file too.
 */
#include "compiler/ssh-config-private.h"

#include <string.h>

#include "compiler/proxy-jump.h"
#include "compiler/yaml-tree.h"

/* Fill `line` from `words`.  Returns FALSE after reporting an error. */
typedef gboolean (*KeywordParser) (const SshWords *words, SshLine *line, FleetDiagnostics *diags);

typedef struct {
  const char *name;           /* lower case */
  KeywordParser parse;
  const char *reason;         /* rejected keywords: why, and what to do */
} Keyword;

#define SECONDS_PER_HOUR 3600u
#define SECONDS_PER_DAY 86400u
#define KEEPALIVE_COUNT_MAX 1000u

#define PATH_TOKENS "%%, %d, %h, %n, %p, %r and %u"

static char *
quote_arg (const SshWords *words, guint index)
{
  return fleet_quote_value (g_ptr_array_index (words->args, index), FLEET_QUOTE_MAX_CHARS);
}

static const char *
arg (const SshWords *words, guint index)
{
  return g_ptr_array_index (words->args, index);
}

static gboolean G_GNUC_PRINTF (4, 5)
report (FleetDiagnostics *diags, const SshWords *words, guint index, const char *format, ...)
{
  FleetSourcePos pos = ssh_words_arg_pos (words, index);
  g_autofree char *message = NULL;
  va_list args;

  va_start (args, format);
  message = g_strdup_vprintf (format, args);
  va_end (args);

  fleet_diagnostics_error (diags, &pos, "%s", message);
  return FALSE;
}

static gboolean
expect_one_value (const SshWords *words, FleetDiagnostics *diags)
{
  if (words->args->len == 1)
    return TRUE;

  return report (diags, words, 1,
                 "%s takes one value; remove the rest of the line, or quote a value that "
                 "contains spaces", words->keyword);
}

static void
set_value (SshLine *line, FleetSetting setting, const SshWords *words)
{
  FleetSourcePos pos = { words->file, words->line, words->keyword_column };

  line->kind = SSH_LINE_SETTING;
  fleet_host_settings_mark (&line->value, setting, &pos);
}

static void
reject_line (SshLine *line, FleetSetting replaced_by, char *message)
{
  line->kind = SSH_LINE_REJECTED;
  line->rejection.replaced_by = replaced_by;
  line->rejection_message = message;
}

/* Return why `name` cannot be a host or user name, or NULL when it can.
 * The rules are those of names in the inventory. */
static const char *
find_name_problem (const char *name)
{
  if (name[0] == '\0')
    return "it is empty";
  if (name[0] == '-')
    return "it must not start with '-'";

  for (const unsigned char *p = (const unsigned char *) name; *p != '\0'; p++)
    if (*p <= ' ' || *p == 0x7f)
      return "it must not contain whitespace or control characters";

  return NULL;
}

static gboolean
check_name (const SshWords *words, FleetDiagnostics *diags)
{
  const char *problem = find_name_problem (arg (words, 0));
  g_autofree char *quoted = NULL;

  if (problem == NULL)
    return TRUE;

  quoted = quote_arg (words, 0);
  return report (diags, words, 0, "invalid %s %s: %s", words->keyword, quoted, problem);
}

/* Check the tokens of argument `index`: each '%' must start one of
 * `tokens` (letters) or "%%". */
static gboolean
check_tokens (const SshWords *words, guint index, const char *tokens, const char *supported,
              FleetDiagnostics *diags)
{
  const char *value = arg (words, index);
  g_autofree char *quoted = quote_arg (words, index);

  for (const char *p = value; *p != '\0'; p++)
    {
      if (*p != '%')
        continue;

      if (p[1] == '%')
        {
          p++;
          continue;
        }

      if (p[1] == '\0' || strchr (tokens, p[1]) == NULL)
        return report (diags, words, index,
                       "unsupported token %%%.1s in %s %s; fleetc supports %s here (write %%%% "
                       "for a percent sign)", p + 1, words->keyword, quoted, supported);
      p++;
    }

  return TRUE;
}

/* Check a path argument: its tokens, no environment variables, and no
 * "~user", which fleet-run could not expand. */
static gboolean
check_path (const SshWords *words, guint index, FleetDiagnostics *diags)
{
  const char *value = arg (words, index);
  g_autofree char *quoted = quote_arg (words, index);

  if (value[0] == '\0')
    return report (diags, words, index, "empty path in %s; write a file name", words->keyword);

  if (strstr (value, "${") != NULL)
    return report (diags, words, index,
                   "environment variables are not supported in %s %s; write the path out",
                   words->keyword, quoted);

  if (value[0] == '~' && value[1] != '/')
    return report (diags, words, index,
                   "invalid %s %s: only ~/ may start a path; write the path from / or from ~/",
                   words->keyword, quoted);

  return check_tokens (words, index, "dhnpru", PATH_TOKENS, diags);
}

/* Parse an OpenSSH time value (OpenSSH's convtime): numbers with optional
 * units s, m, h, d, w in any case, "90" or "1h30m", into seconds. */
static gboolean
parse_seconds (const char *text, guint64 *out)
{
  guint64 total = 0;

  if (*text == '\0')
    return FALSE;

  while (*text != '\0')
    {
      guint64 value = 0;
      guint64 unit = 1;
      gsize digits = 0;

      for (; g_ascii_isdigit (text[digits]); digits++)
        {
          if (value > G_MAXUINT32)
            return FALSE;
          value = value * 10 + (guint64) (text[digits] - '0');
        }
      if (digits == 0)
        return FALSE;
      text += digits;

      switch (g_ascii_tolower (*text))
        {
        case '\0': break;
        case 's': unit = 1; text++; break;
        case 'm': unit = 60; text++; break;
        case 'h': unit = SECONDS_PER_HOUR; text++; break;
        case 'd': unit = SECONDS_PER_DAY; text++; break;
        case 'w': unit = 7 * SECONDS_PER_DAY; text++; break;
        default: return FALSE;
        }

      total += value * unit;
      if (total > G_MAXUINT32)
        return FALSE;
    }

  *out = total;
  return TRUE;
}

static gboolean
parse_time (const SshWords *words, guint64 min, guint64 max, guint32 *out_ms,
            FleetDiagnostics *diags)
{
  g_autofree char *quoted = quote_arg (words, 0);
  guint64 seconds;

  if (!expect_one_value (words, diags))
    return FALSE;

  if (!parse_seconds (arg (words, 0), &seconds) || seconds < min || seconds > max)
    return report (diags, words, 0,
                   "invalid %s %s: use a number of seconds from %" G_GUINT64_FORMAT " to %"
                   G_GUINT64_FORMAT ", or a time such as 30s or 1m", words->keyword, quoted,
                   min, max);

  *out_ms = (guint32) (seconds * 1000);
  return TRUE;
}

/* Parse a yes/no flag as OpenSSH does: yes, no, true or false in any case. */
static gboolean
parse_flag (const SshWords *words, gboolean *out, FleetDiagnostics *diags)
{
  const char *value;
  g_autofree char *quoted = NULL;

  if (!expect_one_value (words, diags))
    return FALSE;

  value = arg (words, 0);
  if (g_ascii_strcasecmp (value, "yes") == 0 || g_ascii_strcasecmp (value, "true") == 0)
    *out = TRUE;
  else if (g_ascii_strcasecmp (value, "no") == 0 || g_ascii_strcasecmp (value, "false") == 0)
    *out = FALSE;
  else
    {
      quoted = quote_arg (words, 0);
      return report (diags, words, 0, "invalid %s %s: use yes or no", words->keyword, quoted);
    }
  return TRUE;
}

static gboolean
parse_hostname (const SshWords *words, SshLine *line, FleetDiagnostics *diags)
{
  if (!expect_one_value (words, diags) || !check_name (words, diags)
      || !check_tokens (words, 0, "h", "%% and %h", diags))
    return FALSE;

  line->value.address = g_strdup (arg (words, 0));
  line->value.has_tokens |= FLEET_SETTING_BIT (FLEET_SETTING_ADDRESS);
  set_value (line, FLEET_SETTING_ADDRESS, words);
  return TRUE;
}

static gboolean
parse_port (const SshWords *words, SshLine *line, FleetDiagnostics *diags)
{
  const char *value;
  g_autofree char *quoted = NULL;

  if (!expect_one_value (words, diags))
    return FALSE;

  value = arg (words, 0);
  if (value[0] == '\0' || strlen (value) > 10 || strspn (value, "0123456789") != strlen (value)
      || g_ascii_strtoull (value, NULL, 10) < 1 || g_ascii_strtoull (value, NULL, 10) > 65535)
    {
      quoted = quote_arg (words, 0);
      return report (diags, words, 0, "invalid %s %s: use a number from 1 to 65535",
                     words->keyword, quoted);
    }

  line->value.port = (guint16) g_ascii_strtoull (value, NULL, 10);
  set_value (line, FLEET_SETTING_PORT, words);
  return TRUE;
}

static gboolean
parse_user (const SshWords *words, SshLine *line, FleetDiagnostics *diags)
{
  if (!expect_one_value (words, diags) || !check_name (words, diags))
    return FALSE;

  line->value.user = g_strdup (arg (words, 0));
  set_value (line, FLEET_SETTING_USER, words);
  return TRUE;
}

static gboolean
parse_identity_file (const SshWords *words, SshLine *line, FleetDiagnostics *diags)
{
  if (!expect_one_value (words, diags) || !check_path (words, 0, diags))
    return FALSE;

  line->value.identity_files = g_ptr_array_new_with_free_func (g_free);
  g_ptr_array_add (line->value.identity_files, g_strdup (arg (words, 0)));
  line->value.has_tokens |= FLEET_SETTING_BIT (FLEET_SETTING_IDENTITY_FILES);
  set_value (line, FLEET_SETTING_IDENTITY_FILES, words);
  line->kind = SSH_LINE_IDENTITY_FILE;
  return TRUE;
}

static gboolean
parse_identities_only (const SshWords *words, SshLine *line, FleetDiagnostics *diags)
{
  if (!parse_flag (words, &line->value.identities_only, diags))
    return FALSE;

  set_value (line, FLEET_SETTING_IDENTITIES_ONLY, words);
  return TRUE;
}

static gboolean
parse_hash_known_hosts (const SshWords *words, SshLine *line, FleetDiagnostics *diags)
{
  if (!parse_flag (words, &line->value.hash_known_hosts, diags))
    return FALSE;

  set_value (line, FLEET_SETTING_HASH_KNOWN_HOSTS, words);
  return TRUE;
}

static gboolean
parse_proxy_jump (const SshWords *words, SshLine *line, FleetDiagnostics *diags)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GPtrArray) hops = NULL;

  if (!expect_one_value (words, diags))
    return FALSE;

  hops = fleet_proxy_jump_parse (arg (words, 0), &error);
  if (hops == NULL)
    return report (diags, words, 0, "invalid value for %s: %s", words->keyword, error->message);

  line->value.proxy_jump = g_strdup (hops->len == 0 ? "none" : arg (words, 0));
  set_value (line, FLEET_SETTING_PROXY_JUMP, words);
  return TRUE;
}

/* ProxyCommand and ProxyJump share one setting: whichever comes first
 * wins, as in OpenSSH, and "ProxyCommand none" turns both off. */
static gboolean
parse_proxy_command (const SshWords *words, SshLine *line, FleetDiagnostics *diags)
{
  if (words->args->len == 1 && g_ascii_strcasecmp (arg (words, 0), "none") == 0)
    {
      line->value.proxy_jump = g_strdup ("none");
      set_value (line, FLEET_SETTING_PROXY_JUMP, words);
      return TRUE;
    }

  reject_line (line, FLEET_SETTING_PROXY_JUMP,
          g_strdup ("ProxyCommand is not supported: fleet-run does not run proxy commands, and "
                    "connecting directly instead could bypass a bastion; use ProxyJump, or set "
                    "proxy_jump in the inventory"));
  return TRUE;
}

static gboolean
parse_known_hosts_file (const SshWords *words, SshLine *line, FleetDiagnostics *diags)
{
  if (words->args->len == 1 && g_ascii_strcasecmp (arg (words, 0), "none") == 0)
    {
      reject_line (line, FLEET_SETTING_KNOWN_HOSTS_FILES,
              g_strdup_printf ("%s none leaves fleet-run no known_hosts file to check host keys "
                               "against; name a file, or set known_hosts_file in the inventory",
                               words->keyword));
      return TRUE;
    }

  for (guint i = 0; i < words->args->len; i++)
    if (!check_path (words, i, diags))
      return FALSE;

  line->value.known_hosts_files = g_ptr_array_new_with_free_func (g_free);
  for (guint i = 0; i < words->args->len; i++)
    g_ptr_array_add (line->value.known_hosts_files, g_strdup (arg (words, i)));
  line->value.has_tokens |= FLEET_SETTING_BIT (FLEET_SETTING_KNOWN_HOSTS_FILES);
  set_value (line, FLEET_SETTING_KNOWN_HOSTS_FILES, words);
  return TRUE;
}

static gboolean
parse_strict_host_key_checking (const SshWords *words, SshLine *line, FleetDiagnostics *diags)
{
  static const char * const unchecked[] = { "no", "off", "false", "ask" };
  g_autofree char *quoted = NULL;
  const char *value;

  if (!expect_one_value (words, diags))
    return FALSE;

  value = arg (words, 0);
  quoted = quote_arg (words, 0);
  if (g_ascii_strcasecmp (value, "yes") == 0 || g_ascii_strcasecmp (value, "true") == 0)
    line->value.host_key_policy = FLEET_HOST_KEY_POLICY_STRICT;
  else if (g_ascii_strcasecmp (value, "accept-new") == 0)
    line->value.host_key_policy = FLEET_HOST_KEY_POLICY_ACCEPT_NEW;
  else
    {
      for (gsize i = 0; i < G_N_ELEMENTS (unchecked); i++)
        if (g_ascii_strcasecmp (value, unchecked[i]) == 0)
          {
            reject_line (line, FLEET_SETTING_HOST_KEY_POLICY,
                    g_strdup_printf ("%s %s is not supported: fleetc never turns host key "
                                     "checking off and fleet-run never asks; use yes, or "
                                     "accept-new to record the key of a host seen for the first "
                                     "time (a changed key is still rejected), or set "
                                     "host_key_policy in the inventory", words->keyword, quoted));
            return TRUE;
          }

      return report (diags, words, 0, "invalid %s %s: use yes or accept-new", words->keyword,
                     quoted);
    }

  set_value (line, FLEET_SETTING_HOST_KEY_POLICY, words);
  return TRUE;
}

static gboolean
parse_connect_timeout (const SshWords *words, SshLine *line, FleetDiagnostics *diags)
{
  if (!parse_time (words, 1, SECONDS_PER_HOUR, &line->value.connect_timeout_ms, diags))
    return FALSE;

  set_value (line, FLEET_SETTING_CONNECT_TIMEOUT, words);
  return TRUE;
}

static gboolean
parse_server_alive_interval (const SshWords *words, SshLine *line, FleetDiagnostics *diags)
{
  if (!parse_time (words, 0, SECONDS_PER_DAY, &line->value.keepalive_interval_ms, diags))
    return FALSE;

  set_value (line, FLEET_SETTING_KEEPALIVE_INTERVAL, words);
  return TRUE;
}

static gboolean
parse_server_alive_count_max (const SshWords *words, SshLine *line, FleetDiagnostics *diags)
{
  const char *value;
  g_autofree char *quoted = NULL;

  if (!expect_one_value (words, diags))
    return FALSE;

  value = arg (words, 0);
  if (value[0] == '\0' || strlen (value) > 10 || strspn (value, "0123456789") != strlen (value)
      || g_ascii_strtoull (value, NULL, 10) < 1
      || g_ascii_strtoull (value, NULL, 10) > KEEPALIVE_COUNT_MAX)
    {
      quoted = quote_arg (words, 0);
      return report (diags, words, 0, "invalid %s %s: use a number from 1 to %u", words->keyword,
                     quoted, KEEPALIVE_COUNT_MAX);
    }

  line->value.keepalive_count_max = (guint32) g_ascii_strtoull (value, NULL, 10);
  set_value (line, FLEET_SETTING_KEEPALIVE_COUNT_MAX, words);
  return TRUE;
}

/* An algorithm list that only adds algorithms ("+...") changes nothing
 * that fleet-run must honour.  Any other list removes or reorders them. */
static gboolean
parse_algorithms (const SshWords *words, SshLine *line, FleetDiagnostics *diags)
{
  if (arg (words, 0)[0] == '+')
    return TRUE;

  reject_line (line, FLEET_SETTING_COUNT,
          g_strdup_printf ("%s is not supported: fleet-run negotiates the algorithms of libssh "
                           "and cannot apply this list; remove it from the blocks that apply to "
                           "the host, or only add algorithms with +", words->keyword));
  return TRUE;
}

static gboolean
parse_canonicalize_hostname (const SshWords *words, SshLine *line, FleetDiagnostics *diags)
{
  if (g_ascii_strcasecmp (arg (words, 0), "no") == 0)
    return TRUE;

  reject_line (line, FLEET_SETTING_COUNT,
          g_strdup_printf ("%s is not supported: fleetc matches Host blocks on the inventory "
                           "name only and would skip the blocks of the canonical name; set it "
                           "to no for these hosts, or write full names in the inventory",
                           words->keyword));
  return TRUE;
}

static const Keyword *find_keyword (const char *name);

static gboolean
parse_rejected (const SshWords *words, SshLine *line, FleetDiagnostics *diags)
{
  const Keyword *keyword = find_keyword (words->keyword);

  reject_line (line, FLEET_SETTING_COUNT,
          g_strdup_printf ("%s is not supported: %s", words->keyword, keyword->reason));
  return TRUE;
}

static const Keyword keywords[] = {
  { "hostname", parse_hostname, NULL },
  { "port", parse_port, NULL },
  { "user", parse_user, NULL },
  { "identityfile", parse_identity_file, NULL },
  { "identitiesonly", parse_identities_only, NULL },
  { "proxyjump", parse_proxy_jump, NULL },
  { "proxycommand", parse_proxy_command, NULL },
  { "userknownhostsfile", parse_known_hosts_file, NULL },
  { "stricthostkeychecking", parse_strict_host_key_checking, NULL },
  { "hashknownhosts", parse_hash_known_hosts, NULL },
  { "connecttimeout", parse_connect_timeout, NULL },
  { "serveraliveinterval", parse_server_alive_interval, NULL },
  { "serveralivecountmax", parse_server_alive_count_max, NULL },

  { "ciphers", parse_algorithms, NULL },
  { "macs", parse_algorithms, NULL },
  { "kexalgorithms", parse_algorithms, NULL },
  { "hostkeyalgorithms", parse_algorithms, NULL },
  { "pubkeyacceptedalgorithms", parse_algorithms, NULL },
  { "pubkeyacceptedkeytypes", parse_algorithms, NULL },
  { "hostbasedacceptedalgorithms", parse_algorithms, NULL },
  { "hostbasedkeytypes", parse_algorithms, NULL },
  { "casignaturealgorithms", parse_algorithms, NULL },
  { "canonicalizehostname", parse_canonicalize_hostname, NULL },

  { "hostkeyalias", parse_rejected,
    "fleet-run looks host keys up under the host's address and port; remove it, or record the "
    "key under the address in known_hosts" },
  { "knownhostscommand", parse_rejected,
    "fleet-run reads host keys from known_hosts files only; list the keys in a known_hosts file "
    "instead" },
  { "revokedhostkeys", parse_rejected,
    "fleet-run cannot check keys against a revocation list, so it could accept a revoked key; "
    "remove the line for these hosts, or compile with -F and another file" },
  { "requiredrsasize", parse_rejected,
    "fleet-run cannot enforce a minimum RSA key size; remove the line for these hosts, or "
    "compile with -F and another file" },
};

static const Keyword *
find_keyword (const char *name)
{
  for (gsize i = 0; i < G_N_ELEMENTS (keywords); i++)
    if (g_ascii_strcasecmp (keywords[i].name, name) == 0)
      return &keywords[i];

  return NULL;
}

void
ssh_line_free (SshLine *line)
{
  if (line == NULL)
    return;

  g_free (line->line.keyword);
  fleet_host_settings_clear (&line->value);
  g_free (line->rejection_message);
  g_free (line);
}

G_DEFINE_AUTOPTR_CLEANUP_FUNC (SshLine, ssh_line_free)

SshLine *
ssh_line_parse (const SshWords *words, guint condition, FleetDiagnostics *diags)
{
  g_autoptr(SshLine) line = g_new0 (SshLine, 1);
  const Keyword *keyword = find_keyword (words->keyword);

  line->line.keyword = g_strdup (words->keyword);
  line->line.pos = (FleetSourcePos) { words->file, words->line, words->keyword_column };
  line->condition = condition;
  line->kind = SSH_LINE_UNUSED;
  fleet_host_settings_init (&line->value);

  if (keyword != NULL && !keyword->parse (words, line, diags))
    return NULL;

  line->rejection.line = &line->line;
  line->rejection.message = line->rejection_message;
  return g_steal_pointer (&line);
}
