/* fleet-plan-show-pacing.c: the plan's concurrency, caps and target
 * protection in the three forms of fleetc show. */
#include "cli/fleet-plan-show-private.h"

#include "schema/fleet-text.h"

#define DEFAULT_INITIAL 16

static guint
initial_limit (const FleetPlan *plan, const FleetPacing *pacing)
{
  guint initial = pacing != NULL && pacing->initial > 0 ? pacing->initial : DEFAULT_INITIAL;

  return MIN (initial, plan->parallelism);
}

/* "dc 50, mirror 20" */
static char *
describe_caps (const FleetPacing *pacing)
{
  GString *out = g_string_new (NULL);

  for (guint i = 0; i < pacing->caps->len; i++)
    {
      const FleetCapRule *rule = g_ptr_array_index (pacing->caps, i);
      g_autofree char *attribute = fleet_escape_for_terminal (rule->attribute);

      g_string_append_printf (out, "%s%s %u", i > 0 ? ", " : "", attribute, rule->limit);
    }
  return g_string_free (out, FALSE);
}

static char *
describe_protect (const FleetPacing *pacing)
{
  GString *out = g_string_new (NULL);

  if (fleet_pacing_has_guard (pacing))
    {
      g_string_append (out, "wait before the first step while ");
      if (pacing->max_load != NULL)
        g_string_append_printf (out, "the load is above %s", pacing->max_load);
      if (pacing->max_load != NULL && pacing->guard_command != NULL)
        g_string_append (out, " or ");
      if (pacing->guard_command != NULL)
        {
          g_autofree char *guard = fleet_escape_for_terminal (pacing->guard_command);

          g_string_append_printf (out, "`%s` fails", guard);
        }
      g_string_append_printf (out, "; check every %" G_GUINT64_FORMAT " s, fail after %"
                              G_GUINT64_FORMAT " s",
                              pacing->defer_ms / 1000, pacing->max_wait_ms / 1000);
    }
  if (pacing->nice != FLEET_PACING_NO_NICE)
    g_string_append_printf (out, "%snice %d", out->len > 0 ? "; " : "", pacing->nice);
  if (pacing->ionice != NULL)
    g_string_append_printf (out, "%sionice %s", out->len > 0 ? ", " : "", pacing->ionice);
  return g_string_free (out, FALSE);
}

void
fleet_plan_show_pacing_text (GString *out, const FleetPlan *plan)
{
  const FleetPacing *pacing = plan->pacing;

  if (pacing != NULL && pacing->fixed)
    g_string_append_printf (out, "  concurrency:      fixed at %u hosts\n", plan->parallelism);
  else if (initial_limit (plan, pacing) < plan->parallelism)
    g_string_append_printf (out, "  concurrency:      adaptive: starts at %u hosts, grows to at "
                            "most %u, falls on congestion to no fewer than %u\n",
                            initial_limit (plan, pacing), plan->parallelism,
                            pacing != NULL && pacing->min > 0 ? pacing->min : 1);
  else
    g_string_append_printf (out, "  concurrency:      adaptive: starts at the cap of %u hosts, "
                            "falls on congestion to no fewer than %u\n",
                            plan->parallelism,
                            pacing != NULL && pacing->min > 0 ? pacing->min : 1);

  if (pacing == NULL)
    return;

  if (pacing->caps->len > 0)
    {
      g_autofree char *caps = describe_caps (pacing);

      g_string_append_printf (out, "  caps:             at most %s busy hosts per value\n", caps);
    }

  if (fleet_pacing_has_guard (pacing) || pacing->nice != FLEET_PACING_NO_NICE
      || pacing->ionice != NULL)
    {
      g_autofree char *protect = describe_protect (pacing);

      g_string_append_printf (out, "  protect:          %s\n", protect);
    }
}

void
fleet_plan_show_pacing_markdown (GString *out, const FleetPlan *plan)
{
  g_autoptr (GString) text = g_string_new (NULL);
  g_auto (GStrv) lines = NULL;

  /* The text lines are "  label:   value"; the table takes them as rows.
   * Backquotes and pipes cannot reach it: values are escaped below. */
  fleet_plan_show_pacing_text (text, plan);
  lines = g_strsplit (text->str, "\n", -1);
  for (char **line = lines; *line != NULL; line++)
    {
      g_autofree char *stripped = g_strstrip (g_strdup (*line));
      char *colon = strchr (stripped, ':');
      g_autofree char *value = NULL;

      if (colon == NULL)
        continue;
      *colon = '\0';
      value = fleet_markdown_escape (g_strstrip (colon + 1));
      stripped[0] = g_ascii_toupper (stripped[0]);
      g_string_append_printf (out, "| %s | %s |\n", stripped, value);
    }
}

void
fleet_plan_show_pacing_json (FleetJsonWriter *json, const FleetPlan *plan)
{
  const FleetPacing *pacing = plan->pacing;

  fleet_json_key (json, "concurrency");
  fleet_json_begin_object (json);
  fleet_json_key (json, "adaptive");
  fleet_json_bool (json, pacing == NULL || !pacing->fixed);
  fleet_json_key (json, "initial");
  fleet_json_int (json, pacing != NULL && pacing->fixed ? plan->parallelism
                                                        : initial_limit (plan, pacing));
  fleet_json_key (json, "min");
  fleet_json_int (json, pacing != NULL && pacing->min > 0 ? pacing->min : 1);
  fleet_json_key (json, "caps");
  fleet_json_begin_object (json);
  for (guint i = 0; pacing != NULL && i < pacing->caps->len; i++)
    {
      const FleetCapRule *rule = g_ptr_array_index (pacing->caps, i);

      fleet_json_key (json, rule->attribute);
      fleet_json_int (json, rule->limit);
    }
  fleet_json_end_object (json);
  fleet_json_end_object (json);

  fleet_json_key (json, "protect");
  if (pacing == NULL || (!fleet_pacing_has_guard (pacing) && pacing->nice == FLEET_PACING_NO_NICE
                         && pacing->ionice == NULL))
    {
      fleet_json_null (json);
      return;
    }
  fleet_json_begin_object (json);
  fleet_json_key (json, "max_load");
  fleet_json_string (json, pacing->max_load);
  fleet_json_key (json, "guard");
  fleet_json_string (json, pacing->guard_command);
  fleet_json_key (json, "defer_ms");
  fleet_json_int (json, pacing->defer_ms);
  fleet_json_key (json, "max_wait_ms");
  fleet_json_int (json, pacing->max_wait_ms);
  fleet_json_key (json, "nice");
  if (pacing->nice == FLEET_PACING_NO_NICE)
    fleet_json_null (json);
  else
    fleet_json_int (json, pacing->nice);
  fleet_json_key (json, "ionice");
  fleet_json_string (json, pacing->ionice);
  fleet_json_end_object (json);
}
