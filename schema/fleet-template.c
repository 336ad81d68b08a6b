/* fleet-template.c: parsing and rendering of `{{ name }}` references; the
 * grammar is in fleet-template.h. */
#include "schema/fleet-template.h"

#include <string.h>

G_DEFINE_QUARK (fleet-template-error-quark, fleet_template_error)

#define SECRET_PREFIX "secret."

void
fleet_template_ref_free (FleetTemplateRef *ref)
{
  if (ref == NULL)
    return;

  g_free (ref->name);
  g_free (ref->text);
  g_free (ref);
}

gboolean
fleet_template_has_refs (const char *text)
{
  return strstr (text, "{{") != NULL;
}

static gboolean
is_name_start (char c)
{
  return g_ascii_isalpha (c) || c == '_';
}

static gboolean
is_name_char (char c)
{
  return g_ascii_isalnum (c) || c == '_';
}

gboolean
fleet_template_is_name (const char *text)
{
  if (!is_name_start (text[0]))
    return FALSE;

  for (const char *p = text + 1; *p != '\0'; p++)
    if (!is_name_char (*p))
      return FALSE;

  return TRUE;
}

static const char *
skip_blanks (const char *p)
{
  while (*p == ' ' || *p == '\t')
    p++;
  return p;
}

/* Read the body of the reference that starts at `open` ("{{"), filling
 * `ref`.  Returns the character after "}}", or NULL with an error. */
static const char *
parse_reference (const char *open, FleetTemplateRef *ref, GError **error)
{
  const char *p = skip_blanks (open + 2);
  const char *start = p;

  if (*p == '\'')
    {
      const char *close = strchr (p + 1, '\'');

      if (close == NULL)
        {
          g_set_error (error, FLEET_TEMPLATE_ERROR, FLEET_TEMPLATE_ERROR_SYNTAX,
                       "unterminated quoted text in reference; close it with '");
          return NULL;
        }
      ref->text = g_strndup (p + 1, close - p - 1);
      p = skip_blanks (close + 1);
    }
  else
    {
      if (!is_name_start (*p))
        {
          g_set_error (error, FLEET_TEMPLATE_ERROR, FLEET_TEMPLATE_ERROR_SYNTAX,
                       "invalid reference: expected a variable name after \"{{\"; "
                       "write {{ '{{' }} for literal braces");
          return NULL;
        }
      while (is_name_char (*p) || *p == '.')
        p++;
      ref->name = g_strndup (start, p - start);

      if (g_str_has_prefix (ref->name, SECRET_PREFIX))
        {
          /* Secret names may contain '-', which variable names may not:
           * name the whole secret so the message matches the store. */
          while (is_name_char (*p) || *p == '.' || *p == '-')
            p++;
          g_free (ref->name);
          ref->name = g_strndup (start, p - start);

          g_set_error (error, FLEET_TEMPLATE_ERROR, FLEET_TEMPLATE_ERROR_SECRET,
                       "secret \"%s\" cannot be used in a command; secrets only go to sudo "
                       "and key passphrases (become_password_secret, key_passphrase_secret)",
                       ref->name + strlen (SECRET_PREFIX));
          return NULL;
        }
      if (strchr (ref->name, '.') != NULL)
        {
          g_set_error (error, FLEET_TEMPLATE_ERROR, FLEET_TEMPLATE_ERROR_SYNTAX,
                       "invalid variable name \"%s\"; names are letters, digits and '_'",
                       ref->name);
          return NULL;
        }

      p = skip_blanks (p);
      if (*p == '|')
        {
          const char *filter = skip_blanks (p + 1);

          if (strncmp (filter, "raw", 3) != 0 || is_name_char (filter[3]))
            {
              g_set_error (error, FLEET_TEMPLATE_ERROR, FLEET_TEMPLATE_ERROR_SYNTAX,
                           "unknown filter in reference to \"%s\"; the only filter is \"raw\"",
                           ref->name);
              return NULL;
            }
          ref->raw = TRUE;
          p = skip_blanks (filter + 3);
        }
    }

  if (p[0] != '}' || p[1] != '}')
    {
      g_set_error (error, FLEET_TEMPLATE_ERROR, FLEET_TEMPLATE_ERROR_SYNTAX,
                   "unterminated reference: expected \"}}\"");
      return NULL;
    }
  return p + 2;
}

GPtrArray *
fleet_template_parse (const char *text, gsize *out_error_offset, GError **error)
{
  g_autoptr (GPtrArray) refs = g_ptr_array_new_with_free_func (
    (GDestroyNotify) fleet_template_ref_free);
  const char *p = text;
  const char *open;

  while ((open = strstr (p, "{{")) != NULL)
    {
      g_autoptr (FleetTemplateRef) ref = g_new0 (FleetTemplateRef, 1);
      const char *end = parse_reference (open, ref, error);

      if (end == NULL)
        {
          *out_error_offset = (gsize) (open - text);
          return NULL;
        }

      ref->offset = (gsize) (open - text);
      ref->length = (gsize) (end - open);
      g_ptr_array_add (refs, g_steal_pointer (&ref));
      p = end;
    }

  return g_steal_pointer (&refs);
}

gboolean
fleet_shell_offset_in_double_quotes (const char *text, gsize offset)
{
  gboolean in_single = FALSE;
  gboolean in_double = FALSE;

  for (gsize i = 0; i < offset && text[i] != '\0'; i++)
    {
      char c = text[i];

      if (in_single)
        in_single = c != '\'';
      else if (c == '\\' && text[i + 1] != '\0')
        i++;
      else if (c == '"')
        in_double = !in_double;
      else if (c == '\'' && !in_double)
        in_single = TRUE;
    }

  return in_double;
}

char *
fleet_shell_quote (const char *value)
{
  GString *out = g_string_new ("'");

  for (const char *p = value; *p != '\0'; p++)
    {
      if (*p == '\'')
        g_string_append (out, "'\\''");
      else
        g_string_append_c (out, *p);
    }

  g_string_append_c (out, '\'');
  return g_string_free (out, FALSE);
}

char *
fleet_template_render (const char *text,
                       const GPtrArray *refs,
                       GHashTable *values,
                       guint *out_missing_index,
                       GError **error)
{
  g_autoptr (GString) out = g_string_new (NULL);
  gsize done = 0;

  for (guint i = 0; i < refs->len; i++)
    {
      const FleetTemplateRef *ref = g_ptr_array_index (refs, i);
      const char *value;

      g_string_append_len (out, text + done, (gssize) (ref->offset - done));
      done = ref->offset + ref->length;

      if (ref->text != NULL)
        {
          g_string_append (out, ref->text);
          continue;
        }

      value = values != NULL ? g_hash_table_lookup (values, ref->name) : NULL;
      if (value == NULL)
        {
          *out_missing_index = i;
          g_set_error (error, FLEET_TEMPLATE_ERROR, FLEET_TEMPLATE_ERROR_UNDEFINED,
                       "undefined variable \"%s\"", ref->name);
          return NULL;
        }

      if (ref->raw)
        {
          g_string_append (out, value);
        }
      else if (fleet_shell_offset_in_double_quotes (text, ref->offset))
        {
          /* Single quotes would stay in the text as characters here:
           * escape the four bytes that keep a meaning inside "...". */
          for (const char *c = value; *c != '\0'; c++)
            {
              if (*c == '$' || *c == '`' || *c == '"' || *c == '\\')
                g_string_append_c (out, '\\');
              g_string_append_c (out, *c);
            }
        }
      else
        {
          g_autofree char *quoted = fleet_shell_quote (value);

          g_string_append (out, quoted);
        }
    }

  g_string_append (out, text + done);
  return g_string_free (g_steal_pointer (&out), FALSE);
}
