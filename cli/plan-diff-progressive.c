/* plan-diff-progressive.c: the checks, the wait between waves and the
 * rollback of two plans compared in words, for `fleetc diff`.
 *
 * Checks are matched by name, and so are undo commands (by the step they
 * undo) and rollback steps.  Each of them is added, removed, or changed in
 * the fields that differ, worded as `fleetc show` words them
 * (plan-describe-progressive.h).  The changes come in this order.  First
 * the order of the checks both plans have, then checks in the new plan's
 * order, then removed checks in the old plan's order.  Then the wait
 * between waves.  Last what a halted run does with the rollback
 * (`on_halt`), what a rollback does with a command in flight when an
 * earlier one stopped (`idempotent`), the undo commands and the rollback
 * steps, in the same way as checks.  A plan without `rollback`
 * has none of these, so adding one shows each of them as added.
 */
#include "cli/plan-diff-private.h"

#include "cli/plan-describe-progressive.h"

#define SECTION FLEET_PLAN_DIFF_CHECKS

typedef struct {
  const char *field;
  char *(*describe) (const FleetCheck *check);
} CheckField;

static char *
describe_bake (const FleetCheck *check)
{
  return fleet_describe_check_duration (check->bake_ms);
}

static char *
describe_timeout (const FleetCheck *check)
{
  return fleet_describe_check_duration (check->timeout_ms);
}

static char *
describe_on_fail (const FleetCheck *check)
{
  return g_strdup (fleet_describe_check_on_fail (check));
}

/* The fields of a check, each in words, in the order the diff lists them. */
static const CheckField check_fields[] = {
  { "runs", fleet_describe_check_target },
  { "passes on", fleet_describe_check_expectation },
  { "bake", describe_bake },
  { "timeout", describe_timeout },
  { "retries", fleet_describe_check_retries },
  { "on failure", describe_on_fail },
};

/* Add a change whose values may be NULL, with the kind that follows from
 * which side has a value; nothing when both are equal. */
static void
add_text_change (FleetPlanDiff *diff, const char *subject, const char *field,
                 const char *old_text, const char *new_text)
{
  FleetPlanChangeKind kind = FLEET_PLAN_CHANGE_CHANGED;

  if (g_strcmp0 (old_text, new_text) == 0)
    return;

  if (old_text == NULL)
    kind = FLEET_PLAN_CHANGE_ADDED;
  else if (new_text == NULL)
    kind = FLEET_PLAN_CHANGE_REMOVED;
  fleet_plan_diff_add_change (diff, SECTION, kind, subject, field, old_text, new_text);
}

static char *
describe_check (const FleetCheck *check)
{
  g_autofree char *target = fleet_describe_check_target (check);
  g_autofree char *rule = fleet_describe_check_rule (check);

  return g_strdup_printf ("%s; %s", target, rule);
}

static const FleetCheck *
find_check (const GPtrArray *checks, const char *name)
{
  for (guint i = 0; i < checks->len; i++)
    {
      const FleetCheck *check = g_ptr_array_index (checks, i);

      if (g_strcmp0 (check->name, name) == 0)
        return check;
    }
  return NULL;
}

/* Return the names of `items` (checks or rollback commands, by
 * `name_of`) that `other` also has, joined by ", ", in order. */
static char *
common_order (const GPtrArray *items, const char *(*name_of) (gconstpointer item),
              gboolean (*other_has) (gconstpointer other, const char *name), gconstpointer other)
{
  GString *out = g_string_new (NULL);

  for (guint i = 0; i < items->len; i++)
    {
      const char *name = name_of (g_ptr_array_index (items, i));

      if (other_has (other, name))
        g_string_append_printf (out, "%s%s", out->len > 0 ? ", " : "", name);
    }
  return g_string_free (out, FALSE);
}

static const char *
check_name (gconstpointer item)
{
  return ((const FleetCheck *) item)->name;
}

static gboolean
checks_have (gconstpointer checks, const char *name)
{
  return find_check (checks, name) != NULL;
}

static void
compare_checks (FleetPlanDiff *diff, const GPtrArray *old_checks, const GPtrArray *new_checks)
{
  g_autofree char *old_order = common_order (old_checks, check_name, checks_have, new_checks);
  g_autofree char *new_order = common_order (new_checks, check_name, checks_have, old_checks);

  add_text_change (diff, "checks", "order", old_order, new_order);

  for (guint i = 0; i < new_checks->len; i++)
    {
      const FleetCheck *check = g_ptr_array_index (new_checks, i);
      const FleetCheck *old_check = find_check (old_checks, check->name);
      g_autofree char *subject = g_strdup_printf ("check %s", check->name);

      if (old_check == NULL)
        {
          g_autofree char *text = describe_check (check);

          add_text_change (diff, subject, NULL, NULL, text);
          continue;
        }

      for (guint f = 0; f < G_N_ELEMENTS (check_fields); f++)
        {
          g_autofree char *old_text = check_fields[f].describe (old_check);
          g_autofree char *new_text = check_fields[f].describe (check);

          add_text_change (diff, subject, check_fields[f].field, old_text, new_text);
        }
    }

  for (guint i = 0; i < old_checks->len; i++)
    {
      const FleetCheck *check = g_ptr_array_index (old_checks, i);
      g_autofree char *subject = NULL;
      g_autofree char *text = NULL;

      if (find_check (new_checks, check->name) != NULL)
        continue;
      subject = g_strdup_printf ("check %s", check->name);
      text = describe_check (check);
      add_text_change (diff, subject, NULL, text, NULL);
    }
}

static const FleetRollbackCommand *
find_command (const GPtrArray *commands, const char *name)
{
  for (guint i = 0; commands != NULL && i < commands->len; i++)
    {
      const FleetRollbackCommand *command = g_ptr_array_index (commands, i);

      if (g_strcmp0 (command->name, name) == 0)
        return command;
    }
  return NULL;
}

static const char *
command_name (gconstpointer item)
{
  return ((const FleetRollbackCommand *) item)->name;
}

static gboolean
commands_have (gconstpointer commands, const char *name)
{
  return find_command (commands, name) != NULL;
}

/* Compare the undo commands (`undo` TRUE) or the rollback steps of two
 * rollbacks, either of which may be NULL. */
static void
compare_commands (FleetPlanDiff *diff, const GPtrArray *old_commands,
                  const GPtrArray *new_commands, gboolean undo)
{
  const char *kind = undo ? "undo of step" : "rollback step";

  if (!undo && old_commands != NULL && new_commands != NULL)
    {
      g_autofree char *old_order = common_order (old_commands, command_name, commands_have,
                                                 new_commands);
      g_autofree char *new_order = common_order (new_commands, command_name, commands_have,
                                                 old_commands);

      add_text_change (diff, "rollback steps", "order", old_order, new_order);
    }

  for (guint i = 0; new_commands != NULL && i < new_commands->len; i++)
    {
      const FleetRollbackCommand *command = g_ptr_array_index (new_commands, i);
      const FleetRollbackCommand *old_command = find_command (old_commands, command->name);
      g_autofree char *subject = g_strdup_printf ("%s %s", kind, command->name);
      g_autofree char *new_text = fleet_describe_rollback_command (command, undo);
      g_autofree char *old_text = old_command != NULL
                                    ? fleet_describe_rollback_command (old_command, undo) : NULL;

      add_text_change (diff, subject, NULL, old_text, new_text);
    }

  for (guint i = 0; old_commands != NULL && i < old_commands->len; i++)
    {
      const FleetRollbackCommand *command = g_ptr_array_index (old_commands, i);
      g_autofree char *subject = NULL;
      g_autofree char *old_text = NULL;

      if (find_command (new_commands, command->name) != NULL)
        continue;
      subject = g_strdup_printf ("%s %s", kind, command->name);
      old_text = fleet_describe_rollback_command (command, undo);
      add_text_change (diff, subject, NULL, old_text, NULL);
    }
}

static void
compare_rollback (FleetPlanDiff *diff, const FleetRollback *old_rollback,
                  const FleetRollback *new_rollback)
{
  const char *old_on_halt = old_rollback != NULL ? fleet_describe_on_halt (old_rollback)
                                                 : NULL;
  const char *new_on_halt = new_rollback != NULL ? fleet_describe_on_halt (new_rollback)
                                                 : NULL;

  if (old_rollback == NULL && new_rollback == NULL)
    return;

  add_text_change (diff, "rollback", "on halt", old_on_halt, new_on_halt);
  add_text_change (diff, "rollback", "command in flight",
                   old_rollback != NULL ? fleet_describe_rollback_in_flight (old_rollback) : NULL,
                   new_rollback != NULL ? fleet_describe_rollback_in_flight (new_rollback) : NULL);
  compare_commands (diff, old_rollback != NULL ? old_rollback->undo : NULL,
                    new_rollback != NULL ? new_rollback->undo : NULL, TRUE);
  compare_commands (diff, old_rollback != NULL ? old_rollback->steps : NULL,
                    new_rollback != NULL ? new_rollback->steps : NULL, FALSE);
}

void
fleet_plan_diff_compare_progressive (FleetPlanDiff *diff, const FleetPlan *old_plan,
                                     const FleetPlan *new_plan)
{
  g_autofree char *old_gate = fleet_describe_gate (&old_plan->between_waves);
  g_autofree char *new_gate = fleet_describe_gate (&new_plan->between_waves);

  compare_checks (diff, old_plan->checks, new_plan->checks);
  if (g_strcmp0 (old_gate, new_gate) != 0)
    fleet_plan_diff_add_change (diff, SECTION, FLEET_PLAN_CHANGE_CHANGED, "between waves", NULL,
                                old_gate != NULL ? old_gate : "go on at once",
                                new_gate != NULL ? new_gate : "go on at once");
  compare_rollback (diff, old_plan->rollback, new_plan->rollback);
}
