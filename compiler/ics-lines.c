/* ics-lines.c: a position index of an iCalendar file. */
#include "compiler/ics-lines.h"

#include <string.h>

static void
property_free (FleetIcsProperty *property)
{
  g_free (property->name);
  g_free (property->value);
  g_free (property);
}

static void
component_free (FleetIcsComponent *component)
{
  g_free (component->kind);
  g_ptr_array_unref (component->properties);
  g_ptr_array_unref (component->children);
  g_free (component);
}

static FleetIcsComponent *
component_new (const char *kind, guint line)
{
  FleetIcsComponent *component = g_new0 (FleetIcsComponent, 1);

  component->kind = g_ascii_strup (kind, -1);
  component->line = line;
  component->properties = g_ptr_array_new_with_free_func ((GDestroyNotify) property_free);
  component->children = g_ptr_array_new_with_free_func ((GDestroyNotify) component_free);
  return component;
}

/* One content line, unfolded (RFC 5545, section 3.1). */
typedef struct {
  GString *text;
  guint line;
} LogicalLine;

/* Return the byte offset of the ':' that ends the name and parameters of
 * `text`, skipping colons inside quoted parameter values, or -1. */
static gssize
value_separator (const char *text)
{
  gboolean quoted = FALSE;

  for (const char *p = text; *p != '\0'; p++)
    {
      if (*p == '"')
        quoted = !quoted;
      else if (*p == ':' && !quoted)
        return p - text;
    }

  return -1;
}

typedef struct {
  GPtrArray *top;              /* components inside VCALENDAR */
  GPtrArray *stack;            /* open FleetIcsComponent *, borrowed; VCALENDAR is NULL */
} IndexState;

static void
handle_line (IndexState *state, const LogicalLine *logical)
{
  const char *text = logical->text->str;
  gssize separator = value_separator (text);
  g_autofree char *head = NULL;
  gsize name_length;
  FleetIcsComponent *open;

  if (separator < 0)
    return;

  head = g_strndup (text, separator);
  if (g_ascii_strcasecmp (head, "BEGIN") == 0)
    {
      FleetIcsComponent *component;

      if (g_ascii_strcasecmp (text + separator + 1, "VCALENDAR") == 0)
        {
          g_ptr_array_add (state->stack, NULL);
          return;
        }

      component = component_new (text + separator + 1, logical->line);
      open = state->stack->len > 0 ? g_ptr_array_index (state->stack, state->stack->len - 1)
                                   : NULL;
      if (open != NULL)
        g_ptr_array_add (open->children, component);
      else
        g_ptr_array_add (state->top, component);
      g_ptr_array_add (state->stack, component);
      return;
    }

  if (g_ascii_strcasecmp (head, "END") == 0)
    {
      if (state->stack->len > 0)
        g_ptr_array_remove_index (state->stack, state->stack->len - 1);
      return;
    }

  open = state->stack->len > 0 ? g_ptr_array_index (state->stack, state->stack->len - 1) : NULL;
  if (open != NULL)
    {
      FleetIcsProperty *property = g_new0 (FleetIcsProperty, 1);

      name_length = strcspn (head, ";");
      property->name = g_ascii_strup (head, (gssize) name_length);
      property->value = g_strdup (text + separator + 1);
      property->line = logical->line;
      property->value_column = (guint) separator + 2;
      g_ptr_array_add (open->properties, property);
    }
}

GPtrArray *
fleet_ics_index (const char *text, gsize length)
{
  g_autoptr (GPtrArray) stack = g_ptr_array_new ();
  IndexState state = {
    .top = g_ptr_array_new_with_free_func ((GDestroyNotify) component_free),
    .stack = stack,
  };
  LogicalLine logical = { .text = g_string_new (NULL), .line = 0 };
  const char *end;
  guint line = 0;

  /* An empty file comes as NULL with length 0. */
  if (text == NULL)
    text = "";
  end = text + length;

  for (const char *p = text; p < end;)
    {
      const char *newline = memchr (p, '\n', end - p);
      const char *stop = newline != NULL ? newline : end;
      gsize line_length = stop - p;

      line++;
      if (line_length > 0 && p[line_length - 1] == '\r')
        line_length--;

      if (line_length > 0 && (p[0] == ' ' || p[0] == '\t') && logical.line > 0)
        g_string_append_len (logical.text, p + 1, line_length - 1);
      else
        {
          if (logical.line > 0)
            handle_line (&state, &logical);
          g_string_assign (logical.text, "");
          g_string_append_len (logical.text, p, line_length);
          logical.line = line;
        }

      p = newline != NULL ? newline + 1 : end;
    }

  if (logical.line > 0)
    handle_line (&state, &logical);

  g_string_free (logical.text, TRUE);
  return state.top;
}

const FleetIcsProperty *
fleet_ics_component_property (const FleetIcsComponent *component, const char *name, guint nth)
{
  for (guint i = 0; i < component->properties->len; i++)
    {
      const FleetIcsProperty *property = g_ptr_array_index (component->properties, i);

      if (g_str_equal (property->name, name) && nth-- == 0)
        return property;
    }

  return NULL;
}

/* Return the value of the first `name` property of `component`, or NULL. */
static const char *
property_value (const FleetIcsComponent *component, const char *name)
{
  const FleetIcsProperty *property = fleet_ics_component_property (component, name, 0);

  return property != NULL ? property->value : NULL;
}

const FleetIcsComponent *
fleet_ics_find_component (const GPtrArray *components,
                          const char *kind,
                          const char *name,
                          const char *value,
                          guint nth)
{
  const FleetIcsComponent *by_position = NULL;
  const FleetIcsComponent *by_value = NULL;
  guint seen = 0;

  for (guint i = 0; i < components->len; i++)
    {
      const FleetIcsComponent *component = g_ptr_array_index (components, i);

      if (!g_str_equal (component->kind, kind))
        continue;

      if (seen++ == nth)
        by_position = component;
      if (by_value == NULL && value != NULL
          && g_strcmp0 (property_value (component, name), value) == 0)
        by_value = component;
    }

  /* Events that share a UID (recurrence overrides) are told apart by their
   * position; libical keeps the file's order. */
  if (by_position != NULL
      && (value == NULL || g_strcmp0 (property_value (by_position, name), value) == 0))
    return by_position;

  return by_value != NULL ? by_value : by_position;
}
