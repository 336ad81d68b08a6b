/* fleet-markdown.c: escaping for the Markdown reports (fleet-markdown.h). */
#include "schema/fleet-markdown.h"

#include <string.h>

#include "schema/fleet-text.h"

char *
fleet_markdown_escape (const char *text)
{
  g_autofree char *visible = fleet_escape_for_terminal (text);
  GString *out = g_string_new (NULL);

  for (const char *p = visible; *p != '\0'; p++)
    {
      if (strchr ("\\`*_[]<>|~#", *p) != NULL)
        g_string_append_c (out, '\\');
      if (*p == '&')
        g_string_append (out, "&amp;");
      else
        g_string_append_c (out, *p);
    }
  return g_string_free (out, FALSE);
}

char *
fleet_markdown_text (const char *text, gboolean markdown)
{
  return markdown ? fleet_markdown_escape (text) : g_strdup (text);
}

char *
fleet_markdown_code_fence (const char *text)
{
  gsize longest = 0;
  gsize run = 0;

  for (const char *p = text; *p != '\0'; p++)
    {
      run = *p == '`' ? run + 1 : 0;
      longest = MAX (longest, run);
    }
  return g_strnfill (MAX (longest + 1, 3), '`');
}

void
fleet_markdown_append_code_block (GString *out, const char *text)
{
  g_autofree char *fence = NULL;
  gsize length = strlen (text);

  if (length == 0)
    return;

  fence = fleet_markdown_code_fence (text);
  g_string_append_printf (out, "%s\n%s", fence, text);
  if (text[length - 1] != '\n')
    g_string_append_c (out, '\n');
  g_string_append_printf (out, "%s\n", fence);
}
