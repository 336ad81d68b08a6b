/* fleet-rollback.c: rollback commands and their plan record. */
#include "schema/fleet-rollback.h"

FleetRollbackCommand *
fleet_rollback_command_new (const char *name, const char *command)
{
  FleetRollbackCommand *rollback_command = g_new0 (FleetRollbackCommand, 1);

  rollback_command->name = g_strdup (name);
  rollback_command->command = g_strdup (command);
  rollback_command->timeout_ms = FLEET_ROLLBACK_DEFAULT_TIMEOUT_MS;
  return rollback_command;
}

void
fleet_rollback_command_free (FleetRollbackCommand *command)
{
  if (command == NULL)
    return;

  g_free (command->name);
  g_free (command->command);
  g_free (command);
}

static FleetRollbackCommand *
command_copy (const FleetRollbackCommand *command)
{
  FleetRollbackCommand *copy = fleet_rollback_command_new (command->name, command->command);

  copy->timeout_ms = command->timeout_ms;
  copy->become = command->become;
  return copy;
}

FleetRollback *
fleet_rollback_new (void)
{
  FleetRollback *rollback = g_new0 (FleetRollback, 1);

  rollback->undo = g_ptr_array_new_with_free_func ((GDestroyNotify) fleet_rollback_command_free);
  rollback->steps = g_ptr_array_new_with_free_func ((GDestroyNotify) fleet_rollback_command_free);
  return rollback;
}

void
fleet_rollback_free (FleetRollback *rollback)
{
  if (rollback == NULL)
    return;

  g_ptr_array_unref (rollback->undo);
  g_ptr_array_unref (rollback->steps);
  g_free (rollback);
}

FleetRollback *
fleet_rollback_copy (const FleetRollback *rollback)
{
  FleetRollback *copy = fleet_rollback_new ();

  for (guint i = 0; i < rollback->undo->len; i++)
    g_ptr_array_add (copy->undo, command_copy (g_ptr_array_index (rollback->undo, i)));
  for (guint i = 0; i < rollback->steps->len; i++)
    g_ptr_array_add (copy->steps, command_copy (g_ptr_array_index (rollback->steps, i)));
  copy->on_halt = rollback->on_halt;
  copy->idempotent = rollback->idempotent;
  return copy;
}

const FleetRollbackCommand *
fleet_rollback_find_undo (const FleetRollback *rollback, const char *step_name)
{
  for (guint i = 0; i < rollback->undo->len; i++)
    {
      const FleetRollbackCommand *command = g_ptr_array_index (rollback->undo, i);

      if (g_strcmp0 (command->name, step_name) == 0)
        return command;
    }
  return NULL;
}

GPtrArray *
fleet_rollback_commands_for_host (const FleetRollback *rollback, const GPtrArray *started_steps)
{
  GPtrArray *commands = g_ptr_array_new ();

  for (guint i = started_steps->len; i > 0; i--)
    {
      const FleetRollbackCommand *undo =
        fleet_rollback_find_undo (rollback, g_ptr_array_index (started_steps, i - 1));

      if (undo != NULL)
        g_ptr_array_add (commands, (gpointer) undo);
    }
  for (guint i = 0; i < rollback->steps->len; i++)
    g_ptr_array_add (commands, g_ptr_array_index (rollback->steps, i));
  return commands;
}

static GVariant *
commands_to_variant (const GPtrArray *commands)
{
  GVariantBuilder builder;

  g_variant_builder_init (&builder, G_VARIANT_TYPE ("a(sstb)"));
  for (guint i = 0; i < commands->len; i++)
    {
      const FleetRollbackCommand *command = g_ptr_array_index (commands, i);

      g_variant_builder_add (&builder, "(sstb)", command->name, command->command,
                             command->timeout_ms, command->become);
    }
  return g_variant_builder_end (&builder);
}

GVariant *
fleet_rollback_to_variant (const FleetRollback *rollback)
{
  GVariantBuilder builder;

  g_variant_builder_init (&builder, G_VARIANT_TYPE ("a{sv}"));
  g_variant_builder_add (&builder, "{sv}", "undo", commands_to_variant (rollback->undo));
  g_variant_builder_add (&builder, "{sv}", "steps", commands_to_variant (rollback->steps));
  g_variant_builder_add (&builder, "{sv}", "on-halt", g_variant_new_boolean (rollback->on_halt));
  /* Optional, so that plans without it still read. */
  if (rollback->idempotent)
    g_variant_builder_add (&builder, "{sv}", "idempotent", g_variant_new_boolean (TRUE));
  return g_variant_builder_end (&builder);
}

static void
read_commands (GVariant *array, GPtrArray *out)
{
  GVariantIter iter;
  const char *name, *command;
  guint64 timeout_ms;
  gboolean become;

  g_variant_iter_init (&iter, array);
  while (g_variant_iter_next (&iter, "(&s&stb)", &name, &command, &timeout_ms, &become))
    {
      FleetRollbackCommand *rollback_command = fleet_rollback_command_new (name, command);

      rollback_command->timeout_ms = timeout_ms;
      rollback_command->become = become;
      g_ptr_array_add (out, rollback_command);
    }
}

FleetRollback *
fleet_rollback_from_variant (GVariant *dict)
{
  g_autoptr (FleetRollback) rollback = fleet_rollback_new ();
  g_autoptr (GVariant) undo = g_variant_lookup_value (dict, "undo", G_VARIANT_TYPE ("a(sstb)"));
  g_autoptr (GVariant) steps = g_variant_lookup_value (dict, "steps", G_VARIANT_TYPE ("a(sstb)"));

  if (undo == NULL || steps == NULL
      || !g_variant_lookup (dict, "on-halt", "b", &rollback->on_halt))
    return NULL;

  if (!g_variant_lookup (dict, "idempotent", "b", &rollback->idempotent))
    rollback->idempotent = FALSE;
  read_commands (undo, rollback->undo);
  read_commands (steps, rollback->steps);
  return g_steal_pointer (&rollback);
}
