/* workflow-schema.h: the keys of the workflow and inventory languages.
 *
 * One table row describes one key in one context (the top of a workflow, a
 * step, a host...).  The compiler uses the table to reject unknown keys, to
 * check value types and bounds, and to report missing required keys.  The
 * documentation is checked against the same rows.  The table is data only,
 * and the meaning of each key lives in the compiler.
 */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

/* The mapping a key appears in. */
typedef enum {
  FLEET_SCHEMA_NONE,          /* no nested context (scalar and list types) */
  FLEET_SCHEMA_WORKFLOW,      /* top level of a workflow file */
  FLEET_SCHEMA_TARGET,        /* the workflow's `target` mapping */
  FLEET_SCHEMA_STEP,          /* one item of the workflow's `steps` */
  FLEET_SCHEMA_INVENTORY,     /* top level of an inventory file */
  FLEET_SCHEMA_DEFAULTS,      /* the inventory's `defaults` mapping */
  FLEET_SCHEMA_HOST,          /* the settings of one inventory host */
  FLEET_SCHEMA_CANARY,        /* the workflow's `canary` mapping */
  FLEET_SCHEMA_SPREAD,        /* one rule of the workflow's `spread` */
  FLEET_SCHEMA_ORDER,         /* the workflow's `order` mapping */
  FLEET_SCHEMA_HALT_AT,       /* the workflow's `halt_at` mapping */
  FLEET_SCHEMA_WINDOW,        /* one item of the workflow's `windows` or `freezes` */
  FLEET_SCHEMA_SNAPSHOT,      /* the workflow's `snapshot` mapping */
  FLEET_SCHEMA_SNAPSHOT_EXPECT, /* the `expect` mapping of `snapshot` */
  FLEET_SCHEMA_STEPS_FILE,    /* top level of a file of steps named by `include` */
  FLEET_SCHEMA_CHECK,         /* one item of the workflow's `checks` */
  FLEET_SCHEMA_BETWEEN_WAVES, /* the workflow's `between_waves` mapping */
  FLEET_SCHEMA_ROLLBACK,      /* the workflow's `rollback` mapping */
  FLEET_SCHEMA_ROLLBACK_STEP, /* one item of the `steps` of `rollback` */
  FLEET_SCHEMA_COPY,          /* a step's `copy` or `template` mapping */
  FLEET_SCHEMA_REBOOT,        /* a step's `reboot` mapping */
  FLEET_SCHEMA_WAIT_FOR,      /* a step's `wait_for` mapping */
  FLEET_SCHEMA_CONCURRENCY,   /* the workflow's `concurrency` mapping */
  FLEET_SCHEMA_PROTECT,       /* the workflow's `protect` mapping */
  FLEET_SCHEMA_SCHEDULE,      /* the workflow's `schedule` mapping */
  FLEET_SCHEMA_SETTINGS,      /* one item of the inventory's `settings` list */
} FleetSchemaContext;

/* The accepted form of a value.  Scalars are typed by these rules only, never
 * by YAML 1.1 resolution, so `NO` or `on` stay strings wherever a string is
 * expected. */
typedef enum {
  FLEET_TYPE_STRING,          /* any scalar, kept verbatim */
  FLEET_TYPE_NAME,            /* printable, no whitespace, no leading '-' */
  FLEET_TYPE_PATH,            /* string resolved against the file's directory */
  FLEET_TYPE_PATH_OR_PATH_LIST, /* one path or a list of them */
  FLEET_TYPE_SECRET_NAME,     /* name of a secret: letters, digits, '.', '_', '-' */
  FLEET_TYPE_BOOL,            /* plain true or false, in any of three cases */
  FLEET_TYPE_INT,             /* plain decimal digits */
  FLEET_TYPE_DURATION,        /* seconds, or numbers with units d, h, m, s, ms */
  FLEET_TYPE_INT_OR_INT_LIST, /* one integer or a list of them */
  FLEET_TYPE_BATCH_LIST,      /* list of host counts or percentages (25%) */
  FLEET_TYPE_NAME_LIST,       /* list of names */
  FLEET_TYPE_STRING_MAP,      /* mapping of name to scalar, kept as strings */
  FLEET_TYPE_MAPPING,         /* mapping with the keys of `child` */
  FLEET_TYPE_MAPPING_LIST,    /* list of mappings with the keys of `child` */
  FLEET_TYPE_MAPPING_BY_NAME, /* mapping of name to a mapping of `child` */
  FLEET_TYPE_NAME_LIST_BY_NAME, /* mapping of name to a list of names */
  FLEET_TYPE_EXPRESSION,      /* selector expression (docs/selectors.md) */
  FLEET_TYPE_STRING_LIST,     /* list of scalars, kept verbatim */
  FLEET_TYPE_COUNT_OR_MAPPING, /* host count, or mapping with the keys of `child` */
  FLEET_TYPE_MAPPING_OR_LIST, /* mapping with the keys of `child`, or a list of them */
  FLEET_TYPE_COUNT_OR_PERCENT, /* host count or percentage (25%) */
  FLEET_TYPE_THRESHOLD,       /* host count, percentage or unlimited */
  FLEET_TYPE_NAME_LIST_OR_ALL, /* the plain word `all`, or a list of names */
} FleetSchemaType;

/* Marks a bound that the schema does not limit. */
#define FLEET_SCHEMA_UNBOUNDED G_MAXINT64

/* One key of one context.  `min` and `max` are inclusive bounds, and their
 * unit depends on the type:
 *   - integers: the value
 *   - integer lists: the value of each item
 *   - durations: milliseconds
 *   - strings, names, secret names and paths: the length in bytes
 *   - path lists: the length of each path in bytes
 *   - name lists and by-name mappings: the length of each name in bytes
 *   - batch lists: the host count of each item
 *   - counts, percentages and thresholds: the host count
 *   - expressions: the length in bytes
 * Mappings ignore them. */
typedef struct {
  FleetSchemaContext context;
  const char *key;
  FleetSchemaType type;
  FleetSchemaContext child;   /* keys of the nested mappings, or NONE */
  gboolean required;
  gint64 min;
  gint64 max;
  const char *default_text;   /* NULL when the key has no default */
  const char *help;           /* one line for the documentation */
} FleetSchemaField;

/* Return the whole table, grouped by context, keys in documentation order. */
const FleetSchemaField *fleet_schema_fields (gsize *n_fields);

/* Return the row for `key` in `context`, or NULL when the key is unknown
 * there. */
const FleetSchemaField *fleet_schema_lookup (FleetSchemaContext context, const char *key);

/* Return the name of `context` as messages and docs use it ("step"). */
const char *fleet_schema_context_name (FleetSchemaContext context);

/* Return the name of `type` as messages and docs use it ("duration"). */
const char *fleet_schema_type_name (FleetSchemaType type);

G_END_DECLS
