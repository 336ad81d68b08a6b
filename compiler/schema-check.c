/* schema-check.c: walk a YAML mapping along the schema table. */
#include "compiler/schema-check.h"

#include <string.h>

#include "compiler/suggest.h"

/* Return whether a value of `kind` can hold a value of `type`. */
static gboolean
kind_fits_type (FleetYamlKind kind, FleetSchemaType type)
{
  switch (type)
    {
    case FLEET_TYPE_STRING:
    case FLEET_TYPE_NAME:
    case FLEET_TYPE_PATH:
    case FLEET_TYPE_SECRET_NAME:
    case FLEET_TYPE_BOOL:
    case FLEET_TYPE_INT:
    case FLEET_TYPE_DURATION:
    case FLEET_TYPE_EXPRESSION:
    case FLEET_TYPE_COUNT_OR_PERCENT:
    case FLEET_TYPE_THRESHOLD:
      return kind == FLEET_YAML_SCALAR;
    case FLEET_TYPE_COUNT_OR_MAPPING:
      return kind == FLEET_YAML_SCALAR || kind == FLEET_YAML_MAPPING;
    case FLEET_TYPE_MAPPING_OR_LIST:
      return kind == FLEET_YAML_MAPPING || kind == FLEET_YAML_SEQUENCE;
    case FLEET_TYPE_INT_OR_INT_LIST:
    case FLEET_TYPE_PATH_OR_PATH_LIST:
    case FLEET_TYPE_NAME_LIST_OR_ALL:
      return kind == FLEET_YAML_SCALAR || kind == FLEET_YAML_SEQUENCE;
    case FLEET_TYPE_BATCH_LIST:
    case FLEET_TYPE_NAME_LIST:
    case FLEET_TYPE_STRING_LIST:
    case FLEET_TYPE_MAPPING_LIST:
      return kind == FLEET_YAML_SEQUENCE;
    case FLEET_TYPE_STRING_MAP:
    case FLEET_TYPE_MAPPING:
    case FLEET_TYPE_MAPPING_BY_NAME:
    case FLEET_TYPE_NAME_LIST_BY_NAME:
      return kind == FLEET_YAML_MAPPING;
    default:
      g_return_val_if_reached (FALSE);
    }
}

/* Return whether the converter of `type` reports a null value itself, as an
 * invalid value that shows the text written. */
static gboolean
type_reports_null (FleetSchemaType type)
{
  return type == FLEET_TYPE_BOOL || type == FLEET_TYPE_INT || type == FLEET_TYPE_DURATION
         || type == FLEET_TYPE_INT_OR_INT_LIST;
}

/* Return the keys of `context` in table order, as a new array of borrowed
 * strings. */
static GPtrArray *
context_keys (FleetSchemaContext context)
{
  gsize n_fields;
  const FleetSchemaField *fields = fleet_schema_fields (&n_fields);
  GPtrArray *keys = g_ptr_array_new ();

  for (gsize i = 0; i < n_fields; i++)
    if (fields[i].context == context)
      g_ptr_array_add (keys, (gpointer) fields[i].key);

  return keys;
}

static void
report_unknown_key (FleetDiagnostics *diags, const FleetYamlNode *key, FleetSchemaContext context)
{
  g_autoptr (GPtrArray) keys = context_keys (context);
  g_autofree char *quoted = fleet_quote_value (key->value, FLEET_QUOTE_MAX_CHARS);
  g_autofree char *valid = NULL;
  const char *suggestion;

  suggestion = fleet_suggest_name (key->value, (const char * const *) keys->pdata, keys->len);
  if (suggestion != NULL)
    {
      fleet_diagnostics_error (diags, &key->pos, "unknown key %s in %s; did you mean \"%s\"?",
                               quoted, fleet_schema_context_name (context), suggestion);
      return;
    }

  valid = fleet_join_names ((const char * const *) keys->pdata, keys->len, keys->len);
  fleet_diagnostics_error (diags, &key->pos, "unknown key %s in %s; the valid keys are: %s",
                           quoted, fleet_schema_context_name (context), valid);
}

static void
report_wrong_kind (FleetDiagnostics *diags, const FleetSchemaField *field, const FleetYamlNode *value)
{
  const char *type_name = fleet_schema_type_name (field->type);
  const char *article = strchr ("aeiou", type_name[0]) != NULL ? "an" : "a";

  fleet_diagnostics_error (diags, &value->pos, "invalid value for \"%s\": expected %s %s, found %s",
                           field->key, article, type_name,
                           fleet_yaml_kind_description (value->kind));
}

static FleetFieldHandler
find_handler (const FleetFieldHandlerEntry *handlers, gsize n_handlers, const char *key)
{
  for (gsize i = 0; i < n_handlers; i++)
    if (strcmp (handlers[i].key, key) == 0)
      return handlers[i].handle;

  return NULL;
}

static void
walk_entry (FleetDiagnostics *diags,
            const FleetYamlNode *key,
            const FleetYamlNode *value,
            FleetSchemaContext context,
            const FleetFieldHandlerEntry *handlers,
            gsize n_handlers,
            gpointer object)
{
  const FleetSchemaField *field = fleet_schema_lookup (context, key->value);
  FleetFieldHandler handle;

  if (field == NULL)
    {
      report_unknown_key (diags, key, context);
      return;
    }

  if (fleet_yaml_node_is_null (value) && !type_reports_null (field->type))
    {
      fleet_diagnostics_error (diags, &value->pos, "missing value for \"%s\"", field->key);
      return;
    }

  if (!kind_fits_type (value->kind, field->type))
    {
      report_wrong_kind (diags, field, value);
      return;
    }

  handle = find_handler (handlers, n_handlers, field->key);
  g_return_if_fail (handle != NULL);
  handle (diags, field, value, object);
}

static void
report_missing_keys (FleetDiagnostics *diags, const FleetYamlNode *mapping, FleetSchemaContext context)
{
  gsize n_fields;
  const FleetSchemaField *fields = fleet_schema_fields (&n_fields);

  for (gsize i = 0; i < n_fields; i++)
    {
      if (fields[i].context != context || !fields[i].required
          || fleet_yaml_mapping_lookup (mapping, fields[i].key) != NULL)
        continue;

      fleet_diagnostics_error (diags, &mapping->pos, "missing required key \"%s\" in %s",
                               fields[i].key, fleet_schema_context_name (context));
    }
}

void
fleet_walk_mapping (FleetDiagnostics *diags,
                    const FleetYamlNode *mapping,
                    FleetSchemaContext context,
                    const FleetFieldHandlerEntry *handlers,
                    gsize n_handlers,
                    gpointer object)
{
  g_return_if_fail (mapping->kind == FLEET_YAML_MAPPING);

  for (guint i = 0; i < mapping->keys->len; i++)
    walk_entry (diags, g_ptr_array_index (mapping->keys, i), g_ptr_array_index (mapping->items, i),
                context, handlers, n_handlers, object);

  report_missing_keys (diags, mapping, context);
}

gboolean
fleet_expect_mapping (FleetDiagnostics *diags, const FleetYamlNode *node, const char *what)
{
  if (node->kind == FLEET_YAML_MAPPING)
    return TRUE;

  if (fleet_yaml_node_is_null (node))
    fleet_diagnostics_error (diags, &node->pos, "invalid %s: expected a mapping, found nothing", what);
  else
    fleet_diagnostics_error (diags, &node->pos, "invalid %s: expected a mapping, found %s", what,
                             fleet_yaml_kind_description (node->kind));
  return FALSE;
}
