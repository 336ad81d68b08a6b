/* proxy-jump.c: jump host lists, as OpenSSH's ProxyJump writes them.
 *
 * Grammar, after OpenSSH's parse_user_host_port and parse_ssh_uri:
 *
 *   list  = "none" | hop *("," hop)
 *   hop   = ["ssh://"] [user "@"] host [":" port] ["/" after ssh://]
 *   host  = name | "[" address "]"
 *
 * The user is everything before the last '@'.  Names must not start with
 * '-' and must not contain whitespace or control characters, so that no hop
 * can be read as a command-line option by any tool it reaches.
 */
#include "compiler/proxy-jump.h"

#include <string.h>

#include "schema/fleet-diagnostics.h"

G_DEFINE_QUARK (fleet-proxy-jump-error-quark, fleet_proxy_jump_error)

#define QUOTE_MAX_CHARS 60

void
fleet_jump_hop_free (FleetJumpHop *hop)
{
  if (hop == NULL)
    return;

  g_free (hop->user);
  g_free (hop->host);
  g_free (hop->text);
  g_free (hop);
}

gboolean
fleet_proxy_jump_is_none (const char *text)
{
  return g_ascii_strcasecmp (text, "none") == 0;
}

static gboolean G_GNUC_PRINTF (3, 4)
fail (GError **error, const char *hop, const char *format, ...)
{
  g_autofree char *quoted = fleet_quote_value (hop, QUOTE_MAX_CHARS);
  g_autofree char *reason = NULL;
  va_list args;

  va_start (args, format);
  reason = g_strdup_vprintf (format, args);
  va_end (args);

  g_set_error (error, FLEET_PROXY_JUMP_ERROR, FLEET_PROXY_JUMP_ERROR_INVALID,
               "jump host %s: %s", quoted, reason);
  return FALSE;
}

/* Return why `name` cannot be a user or host name, or NULL when it can. */
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
parse_port (const char *text, const char *hop, guint16 *out, GError **error)
{
  guint64 value = 0;

  if (text[0] == '\0' || strspn (text, "0123456789") != strlen (text) || strlen (text) > 5)
    return fail (error, hop, "the port must be a number from 1 to 65535");

  value = g_ascii_strtoull (text, NULL, 10);
  if (value < 1 || value > 65535)
    return fail (error, hop, "the port must be a number from 1 to 65535");

  *out = (guint16) value;
  return TRUE;
}

/* Split `rest` ("host", "host:port", "[address]" or "[address]:port") into
 * host and port. */
static gboolean
parse_host_port (const char *rest, const char *hop, FleetJumpHop *out, GError **error)
{
  const char *port = NULL;

  if (rest[0] == '[')
    {
      const char *close = strchr (rest, ']');

      if (close == NULL)
        return fail (error, hop, "the '[' before the address has no ']'");
      if (close[1] != '\0' && close[1] != ':')
        return fail (error, hop, "only :port may follow the ']'");

      out->host = g_strndup (rest + 1, close - rest - 1);
      port = close[1] == ':' ? close + 2 : NULL;
    }
  else
    {
      const char *colon = strchr (rest, ':');

      if (colon != NULL && strchr (colon + 1, ':') != NULL)
        return fail (error, hop, "put an IPv6 address in brackets, as in [2001:db8::1]:22");

      out->host = colon != NULL ? g_strndup (rest, colon - rest) : g_strdup (rest);
      port = colon != NULL ? colon + 1 : NULL;
    }

  if (find_name_problem (out->host) != NULL)
    return fail (error, hop, "the host name is invalid: %s; write [user@]host[:port]",
                 find_name_problem (out->host));

  return port == NULL || parse_port (port, hop, &out->port, error);
}

static char *
canonical_text (const FleetJumpHop *hop)
{
  GString *text = g_string_new (NULL);
  gboolean brackets = strchr (hop->host, ':') != NULL;

  if (hop->user != NULL)
    g_string_append_printf (text, "%s@", hop->user);
  g_string_append_printf (text, brackets ? "[%s]" : "%s", hop->host);
  if (hop->port != 0)
    g_string_append_printf (text, ":%u", hop->port);
  return g_string_free (text, FALSE);
}

static FleetJumpHop *
parse_hop (const char *hop, GError **error)
{
  g_autoptr(FleetJumpHop) out = g_new0 (FleetJumpHop, 1);
  g_autofree char *body = NULL;
  const char *at;
  const char *rest;

  if (hop[0] == '\0')
    {
      fail (error, hop, "the list has an empty entry; remove the extra comma");
      return NULL;
    }

  if (g_ascii_strncasecmp (hop, "ssh://", 6) == 0)
    {
      body = g_strdup (hop + 6);
      if (g_str_has_suffix (body, "/"))
        body[strlen (body) - 1] = '\0';
    }
  else
    body = g_strdup (hop);

  at = strrchr (body, '@');
  rest = at != NULL ? at + 1 : body;
  if (at != NULL)
    {
      out->user = g_strndup (body, at - body);
      if (find_name_problem (out->user) != NULL)
        {
          fail (error, hop, "the user name is invalid: %s; write [user@]host[:port]",
                find_name_problem (out->user));
          return NULL;
        }
    }

  if (!parse_host_port (rest, hop, out, error))
    return NULL;

  out->text = canonical_text (out);
  return g_steal_pointer (&out);
}

GPtrArray *
fleet_proxy_jump_parse (const char *text, GError **error)
{
  g_autoptr(GPtrArray) hops = g_ptr_array_new_with_free_func ((GDestroyNotify) fleet_jump_hop_free);
  g_auto(GStrv) parts = NULL;

  if (fleet_proxy_jump_is_none (text))
    return g_steal_pointer (&hops);

  if (text[0] == '\0')
    {
      fail (error, text, "it is empty; write none for no jump host");
      return NULL;
    }

  for (const char *p = text; *p != '\0'; p++)
    if (g_ascii_isspace (*p))
      {
        fail (error, text, "separate jump hosts with commas, without spaces");
        return NULL;
      }

  parts = g_strsplit (text, ",", -1);
  for (char **part = parts; *part != NULL; part++)
    {
      FleetJumpHop *hop = parse_hop (*part, error);

      if (hop == NULL)
        return NULL;
      g_ptr_array_add (hops, hop);
    }

  return g_steal_pointer (&hops);
}
