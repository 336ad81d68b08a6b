/* ics-lines.h: where the components and properties of an iCalendar file
 * are, for diagnostics.
 *
 * libical parses a file into components and properties without keeping
 * line numbers.  This index reads the same text once more, unfolding
 * continuation lines, and records for every component directly inside a
 * VCALENDAR (VEVENT, VTIMEZONE...) the line of its BEGIN and the line and
 * value column of each of its own properties.  Nested components, such as
 * the STANDARD and DAYLIGHT rules of a VTIMEZONE, are indexed too, as
 * children of their component.
 */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

typedef struct {
  char *name;                  /* upper case, without parameters: "RRULE" */
  char *value;                 /* the unfolded text after the first unquoted ':' */
  guint line;                  /* 1-based line of the property's first physical line */
  guint value_column;          /* 1-based column of the value on that line */
} FleetIcsProperty;

typedef struct FleetIcsComponent FleetIcsComponent;

struct FleetIcsComponent {
  char *kind;                  /* upper case: "VEVENT" */
  guint line;                  /* line of BEGIN:kind */
  GPtrArray *properties;       /* FleetIcsProperty *, in file order */
  GPtrArray *children;         /* FleetIcsComponent *, in file order */
};

/* Index `text` (`length` bytes).  Returns the components directly inside
 * VCALENDAR blocks, in file order; free with g_ptr_array_unref. */
GPtrArray *fleet_ics_index (const char *text, gsize length);

/* Return the `nth` (0-based) property called `name` of `component`, or
 * NULL; borrowed. */
const FleetIcsProperty *fleet_ics_component_property (const FleetIcsComponent *component,
                                                      const char *name,
                                                      guint nth);

/* Return the `nth` (0-based) component of `kind` in `components` when its
 * `name` property has the value `value` (or `value` is NULL), else the
 * first component of `kind` with that value, else the `nth` one, or NULL;
 * borrowed. */
const FleetIcsComponent *fleet_ics_find_component (const GPtrArray *components,
                                                   const char *kind,
                                                   const char *name,
                                                   const char *value,
                                                   guint nth);

G_END_DECLS
