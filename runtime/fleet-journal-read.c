/* fleet-journal-read.c: a reader for the flat JSON objects of a journal. */
#include "runtime/fleet-journal-read.h"

#include <string.h>

static void
skip_space (const char **p)
{
  while (**p == ' ' || **p == '\t' || **p == '\r' || **p == '\n')
    (*p)++;
}

/* Read a JSON string at *p (on its opening quote) into a new UTF-8 string. */
static char *
read_string (const char **p)
{
  GString *out = g_string_new (NULL);

  (*p)++;
  while (**p != '\0' && **p != '"')
    {
      if (**p != '\\')
        {
          g_string_append_c (out, *(*p)++);
          continue;
        }

      (*p)++;
      switch (**p)
        {
        case 'n': g_string_append_c (out, '\n'); break;
        case 't': g_string_append_c (out, '\t'); break;
        case 'r': g_string_append_c (out, '\r'); break;
        case 'b': g_string_append_c (out, '\b'); break;
        case 'f': g_string_append_c (out, '\f'); break;
        case 'u':
          {
            char hex[5] = { 0 };
            gunichar code;

            if (strlen (*p + 1) < 4)
              goto invalid;
            memcpy (hex, *p + 1, 4);
            code = (gunichar) g_ascii_strtoull (hex, NULL, 16);
            g_string_append_unichar (out, code);
            *p += 4;
            break;
          }
        case '\0':
          goto invalid;
        default: g_string_append_c (out, **p); break;
        }
      (*p)++;
    }
  if (**p != '"')
    goto invalid;
  (*p)++;
  return g_string_free (out, FALSE);

invalid:
  g_string_free (out, TRUE);
  return NULL;
}

/* Skip a nested object or array, strings within included. */
static gboolean
skip_nested (const char **p)
{
  guint depth = 0;

  do
    {
      if (**p == '"')
        {
          g_autofree char *skipped = read_string (p);

          if (skipped == NULL)
            return FALSE;
          continue;
        }
      if (**p == '{' || **p == '[')
        depth++;
      else if (**p == '}' || **p == ']')
        depth--;
      else if (**p == '\0')
        return FALSE;
      (*p)++;
    }
  while (depth > 0);
  return TRUE;
}

GHashTable *
fleet_journal_parse_line (const char *line)
{
  g_autoptr (GHashTable) members = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, g_free);
  const char *p = line;

  skip_space (&p);
  if (*p++ != '{')
    return NULL;

  for (;;)
    {
      g_autofree char *key = NULL;
      char *value = NULL;

      skip_space (&p);
      if (*p == '}')
        break;
      if (*p != '"' || (key = read_string (&p)) == NULL)
        return NULL;
      skip_space (&p);
      if (*p++ != ':')
        return NULL;
      skip_space (&p);

      if (*p == '"')
        {
          value = read_string (&p);
          if (value == NULL)
            return NULL;
        }
      else if (*p == '{' || *p == '[')
        {
          if (!skip_nested (&p))
            return NULL;
        }
      else
        {
          const char *start = p;

          while (*p != '\0' && *p != ',' && *p != '}' && *p != ' ')
            p++;
          if (p == start)
            return NULL;
          if (p - start != 4 || strncmp (start, "null", 4) != 0)
            value = g_strndup (start, p - start);
        }

      if (value != NULL)
        g_hash_table_replace (members, g_steal_pointer (&key), value);
      skip_space (&p);
      if (*p == ',')
        p++;
      else if (*p != '}')
        return NULL;
    }
  return g_steal_pointer (&members);
}
