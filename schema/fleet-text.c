/* fleet-text.c: untrusted text made safe to print on a terminal. */
#include "schema/fleet-text.h"

#include <string.h>

char *
fleet_escape_for_terminal (const char *text)
{
  GString *out = g_string_new (NULL);
  const char *p = text != NULL ? text : "";
  const char *end = p + strlen (p);

  while (p < end)
    {
      gunichar c = g_utf8_get_char_validated (p, end - p);

      if (c == (gunichar) -1 || c == (gunichar) -2)
        {
          g_string_append_printf (out, "\\x%02x", (unsigned char) *p);
          p++;
          continue;
        }

      if (c < 0x20 || c == 0x7f)
        g_string_append_printf (out, "\\x%02x", c);
      else if ((c >= 0x80 && c <= 0x9f) || c == 0x200e || c == 0x200f
               || (c >= 0x202a && c <= 0x202e) || (c >= 0x2066 && c <= 0x2069))
        g_string_append_printf (out, "\\u%04x", c);
      else
        g_string_append_len (out, p, g_utf8_next_char (p) - p);
      p = g_utf8_next_char (p);
    }

  return g_string_free (out, FALSE);
}

const char *
fleet_plural_s (guint count)
{
  return count == 1 ? "" : "s";
}

/* Return `text` with every `from` replaced by `to`. */
static char *
replace_all (const char *text, const char *from, const char *to)
{
  g_auto(GStrv) parts = g_strsplit (text, from, -1);

  return g_strjoinv ((char *) to, parts);
}

char *
fleet_text_plain_quotes (const char *text)
{
  g_autofree char *opening_replaced = NULL;

  /* U+201C and U+201D in UTF-8. */
  opening_replaced = replace_all (text, "\xe2\x80\x9c", "\"");
  return replace_all (opening_replaced, "\xe2\x80\x9d", "\"");
}

gboolean
fleet_text_parse_options (GOptionContext *context, int *argc, char ***argv, GError **error)
{
  g_autoptr(GError) local_error = NULL;
  g_autofree char *message = NULL;

  if (g_option_context_parse (context, argc, argv, &local_error))
    return TRUE;

  message = fleet_text_plain_quotes (local_error->message);
  g_set_error_literal (error, local_error->domain, local_error->code, message);
  return FALSE;
}
