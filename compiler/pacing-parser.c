/* pacing-parser.c: the `concurrency` and `protect` keys; see
 * pacing-parser.h. */
#include "compiler/pacing-parser.h"

#include "compiler/scalar.h"
#include "compiler/schema-check.h"

typedef struct {
  FleetPacing *pacing;
  GArray *cap_positions;
  gboolean adaptive;
} ConcurrencyParse;

static void
handle_adaptive (FleetDiagnostics *diags, const FleetSchemaField *field,
                 const FleetYamlNode *value, gpointer object)
{
  ConcurrencyParse *parse = object;

  if (fleet_scalar_to_bool (diags, field, value, &parse->adaptive))
    parse->pacing->fixed = !parse->adaptive;
}

static void
handle_initial (FleetDiagnostics *diags, const FleetSchemaField *field,
                const FleetYamlNode *value, gpointer object)
{
  ConcurrencyParse *parse = object;
  gint64 number;

  if (fleet_scalar_to_int (diags, field, value, &number))
    parse->pacing->initial = (guint32) number;
}

static void
handle_min (FleetDiagnostics *diags, const FleetSchemaField *field,
            const FleetYamlNode *value, gpointer object)
{
  ConcurrencyParse *parse = object;
  gint64 number;

  if (fleet_scalar_to_int (diags, field, value, &number))
    parse->pacing->min = (guint32) number;
}

/* `caps` maps attribute names to host counts of at least 1. */
static void
handle_caps (FleetDiagnostics *diags, const FleetSchemaField *field,
             const FleetYamlNode *value, gpointer object)
{
  ConcurrencyParse *parse = object;

  for (guint i = 0; i < value->keys->len; i++)
    {
      const FleetYamlNode *key = g_ptr_array_index (value->keys, i);
      const FleetYamlNode *count = g_ptr_array_index (value->items, i);
      g_autofree char *quoted = fleet_quote_value (key->value, FLEET_QUOTE_MAX_CHARS);
      const char *problem = fleet_name_problem (key->value);
      char *end = NULL;
      guint64 limit;

      if (problem != NULL || key->value[0] == '\0')
        {
          fleet_diagnostics_error (diags, &key->pos,
                                   "invalid attribute name %s in \"caps\": %s", quoted,
                                   problem != NULL ? problem : "it is empty");
          continue;
        }

      if (count->kind != FLEET_YAML_SCALAR)
        {
          fleet_diagnostics_error (diags, &count->pos,
                                   "the cap for %s in \"caps\" must be a host count, not a "
                                   "list or mapping", quoted);
          continue;
        }

      limit = g_ascii_isdigit (count->value[0]) ? g_ascii_strtoull (count->value, &end, 10) : 0;
      if (end == NULL || *end != '\0' || limit == 0 || limit > G_MAXUINT32)
        {
          g_autofree char *quoted_value = fleet_quote_value (count->value, FLEET_QUOTE_MAX_CHARS);

          fleet_diagnostics_error (diags, &count->pos,
                                   "invalid cap %s for %s in \"caps\"; give the most hosts "
                                   "sharing one value of the attribute that may be busy at "
                                   "once, a whole number of at least 1",
                                   quoted_value, quoted);
          continue;
        }

      fleet_pacing_add_cap (parse->pacing, key->value, (guint32) limit);
      g_array_append_val (parse->cap_positions, key->pos);
    }
}

static const FleetFieldHandlerEntry concurrency_handlers[] = {
  { "adaptive", handle_adaptive },
  { "initial", handle_initial },
  { "min", handle_min },
  { "caps", handle_caps },
};

void
fleet_parse_concurrency (FleetDiagnostics *diags,
                         const FleetYamlNode *mapping,
                         FleetPacing *pacing,
                         GArray *cap_positions)
{
  ConcurrencyParse parse = { .pacing = pacing, .cap_positions = cap_positions,
                             .adaptive = TRUE };

  fleet_walk_mapping (diags, mapping, FLEET_SCHEMA_CONCURRENCY, concurrency_handlers,
                      G_N_ELEMENTS (concurrency_handlers), &parse);

  if (pacing->min > 0 && pacing->initial > 0 && pacing->min > pacing->initial)
    fleet_diagnostics_error (diags, &mapping->pos,
                             "concurrency \"min\" (%u) is above \"initial\" (%u); lower min "
                             "or raise initial",
                             pacing->min, pacing->initial);
}

static void
handle_max_load (FleetDiagnostics *diags, const FleetSchemaField *field,
                 const FleetYamlNode *value, gpointer object)
{
  FleetPacing *pacing = object;
  g_autofree char *text = NULL;
  char *end = NULL;
  double load;

  if (!fleet_scalar_to_string (diags, field, value, &text))
    return;

  load = g_ascii_strtod (text, &end);
  if (end == text || *end != '\0' || !(load > 0.0) || load > 1e6)
    {
      g_autofree char *quoted = fleet_quote_value (text, FLEET_QUOTE_MAX_CHARS);

      fleet_diagnostics_error (diags, &value->pos,
                               "invalid value %s for \"%s\"; give the 1-minute load average "
                               "above which a host waits, a decimal number above 0 such as 4 or "
                               "2.5",
                               quoted, field->key);
      return;
    }

  g_free (pacing->max_load);
  pacing->max_load = g_steal_pointer (&text);
}

static void
handle_guard (FleetDiagnostics *diags, const FleetSchemaField *field,
              const FleetYamlNode *value, gpointer object)
{
  FleetPacing *pacing = object;

  g_free (pacing->guard_command);
  pacing->guard_command = NULL;
  fleet_scalar_to_string (diags, field, value, &pacing->guard_command);
}

static void
handle_defer (FleetDiagnostics *diags, const FleetSchemaField *field,
              const FleetYamlNode *value, gpointer object)
{
  FleetPacing *pacing = object;

  fleet_scalar_to_duration (diags, field, value, &pacing->defer_ms);
}

static void
handle_max_wait (FleetDiagnostics *diags, const FleetSchemaField *field,
                 const FleetYamlNode *value, gpointer object)
{
  FleetPacing *pacing = object;

  fleet_scalar_to_duration (diags, field, value, &pacing->max_wait_ms);
}

static void
handle_nice (FleetDiagnostics *diags, const FleetSchemaField *field,
             const FleetYamlNode *value, gpointer object)
{
  FleetPacing *pacing = object;
  gint64 number;

  if (fleet_scalar_to_int (diags, field, value, &number))
    pacing->nice = (gint32) number;
}

static void
handle_ionice (FleetDiagnostics *diags, const FleetSchemaField *field,
               const FleetYamlNode *value, gpointer object)
{
  FleetPacing *pacing = object;
  g_autofree char *class = NULL;

  if (!fleet_scalar_to_name (diags, field, value, &class))
    return;

  if (!g_str_equal (class, "idle") && !g_str_equal (class, "best-effort"))
    {
      g_autofree char *quoted = fleet_quote_value (class, FLEET_QUOTE_MAX_CHARS);

      fleet_diagnostics_error (diags, &value->pos,
                               "invalid value %s for \"ionice\"; use idle (I/O only when the "
                               "disk is otherwise idle) or best-effort",
                               quoted);
      return;
    }

  g_free (pacing->ionice);
  pacing->ionice = g_steal_pointer (&class);
}

static const FleetFieldHandlerEntry protect_handlers[] = {
  { "max_load", handle_max_load },
  { "guard", handle_guard },
  { "defer", handle_defer },
  { "max_wait", handle_max_wait },
  { "nice", handle_nice },
  { "ionice", handle_ionice },
};

void
fleet_parse_protect (FleetDiagnostics *diags, const FleetYamlNode *mapping,
                     FleetPacing *pacing)
{
  fleet_walk_mapping (diags, mapping, FLEET_SCHEMA_PROTECT, protect_handlers,
                      G_N_ELEMENTS (protect_handlers), pacing);
}
