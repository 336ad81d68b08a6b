/* fleet-rollback-run.c: the rollback of hosts on which steps started. */
#include "runtime/fleet-rollback-run.h"

#include <poll.h>
#include <stdlib.h>

#include "runtime/fleet-journal-read.h"
#include "runtime/fleet-remote-batch.h"
#include "schema/fleet-file.h"
#include "schema/fleet-text.h"

void
fleet_rollback_target_free (FleetRollbackTarget *target)
{
  if (target == NULL)
    return;

  g_ptr_array_unref (target->started_steps);
  g_free (target);
}

void
fleet_rollback_host_result_free (FleetRollbackHostResult *result)
{
  if (result == NULL)
    return;

  g_free (result->host);
  g_free (result->message);
  g_free (result);
}

static FleetRollbackTarget *
target_new (const FleetHost *host, guint wave)
{
  FleetRollbackTarget *target = g_new0 (FleetRollbackTarget, 1);

  target->host = host;
  target->wave = wave;
  target->started_steps = g_ptr_array_new_with_free_func (g_free);
  return target;
}

static GPtrArray *
targets_new (void)
{
  return g_ptr_array_new_with_free_func ((GDestroyNotify) fleet_rollback_target_free);
}

GPtrArray *
fleet_rollback_targets_from_result (const FleetPlan *plan, const FleetRunResult *result,
                                    guint wave)
{
  GPtrArray *targets = targets_new ();

  for (guint i = 0; i < result->hosts->len; i++)
    {
      const FleetHostResult *host = g_ptr_array_index (result->hosts, i);
      FleetRollbackTarget *target;

      if (host->wave != wave)
        continue;

      target = target_new (host->host, wave);
      for (guint s = 0; s < host->steps->len; s++)
        {
          const FleetStepResult *step = g_ptr_array_index (host->steps, s);

          if (step->started)
            g_ptr_array_add (target->started_steps,
                             g_strdup (((const FleetStep *) g_ptr_array_index (plan->steps,
                                                                               s))->name));
        }
      if (target->started_steps->len == 0)
        fleet_rollback_target_free (target);
      else
        g_ptr_array_add (targets, target);
    }
  return targets;
}

GPtrArray *
fleet_rollback_targets_from_journal (const GPtrArray *hosts, const char *plan_sha256,
                                     const char *journal_path, GError **error)
{
  g_autofree char *contents = NULL;
  g_auto (GStrv) lines = NULL;
  g_autoptr (GHashTable) by_name = g_hash_table_new (g_str_hash, g_str_equal);
  g_autoptr (GHashTable) waves = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
  g_autoptr (GPtrArray) targets = targets_new ();
  GPtrArray *ordered;

  if (!fleet_file_get_contents (journal_path, &contents, NULL, error))
    return NULL;

  lines = g_strsplit (contents, "\n", -1);
  for (guint i = 0; lines[i] != NULL; i++)
    {
      g_autoptr (GHashTable) record = fleet_journal_parse_line (lines[i]);
      const char *event, *host_name;
      FleetRollbackTarget *target;

      if (record == NULL)
        continue;
      event = g_hash_table_lookup (record, "event");
      host_name = g_hash_table_lookup (record, "host");

      if (g_strcmp0 (event, "run-start") == 0
          && g_strcmp0 (g_hash_table_lookup (record, "plan_sha256"), plan_sha256) != 0)
        {
          g_set_error (error, G_FILE_ERROR, G_FILE_ERROR_INVAL,
                       "%s records plan sha256 %s, but this plan is %s; give the plan the "
                       "run executed", journal_path,
                       (const char *) g_hash_table_lookup (record, "plan_sha256"), plan_sha256);
          return NULL;
        }
      if (g_strcmp0 (event, "host-start") == 0 && host_name != NULL
          && g_hash_table_lookup (record, "wave") != NULL)
        g_hash_table_replace (waves, g_strdup (host_name),
                              GUINT_TO_POINTER (strtoul (g_hash_table_lookup (record, "wave"),
                                                         NULL, 10)));
      if (g_strcmp0 (event, "step-start") != 0 || host_name == NULL
          || g_hash_table_lookup (record, "name") == NULL)
        continue;

      target = g_hash_table_lookup (by_name, host_name);
      if (target == NULL)
        {
          const FleetHost *host = NULL;
          guint wave = GPOINTER_TO_UINT (g_hash_table_lookup (waves, host_name));

          for (guint h = 0; h < hosts->len && host == NULL; h++)
            if (g_str_equal (((const FleetHost *) g_ptr_array_index (hosts, h))->name, host_name))
              host = g_ptr_array_index (hosts, h);
          if (host == NULL || wave == 0)
            continue;

          target = target_new (host, wave - 1);
          g_hash_table_insert (by_name, (gpointer) host->name, target);
          g_ptr_array_add (targets, target);
        }
      g_ptr_array_add (target->started_steps, g_strdup (g_hash_table_lookup (record, "name")));
    }

  /* Keep the hosts in plan order, whatever the order they started in. */
  ordered = targets_new ();
  for (guint h = 0; h < hosts->len; h++)
    {
      const FleetHost *host = g_ptr_array_index (hosts, h);

      for (guint i = 0; i < targets->len; i++)
        if (((FleetRollbackTarget *) g_ptr_array_index (targets, i))->host == host)
          {
            g_ptr_array_add (ordered, g_ptr_array_steal_index (targets, i));
            break;
          }
    }
  return ordered;
}

typedef struct {
  const FleetRollbackRun *run;
  GHashTable *wave_of;           /* const FleetRemoteJob * -> wave + 1 */
  GHashTable *first_of;          /* const FleetRemoteJob * -> its target's first_command */
} EventContext;

/* Block until the journal record `sequence` is on disk, so that a crash
 * while the command runs leaves a record that names it. */
static void
wait_until_synced (FleetJournal *journal, guint64 sequence)
{
  struct pollfd notify = { fleet_journal_get_notify_fd (journal), POLLIN, 0 };

  while (!fleet_journal_is_synced (journal, sequence))
    {
      /* NOTE: a journal whose sync failed keeps its error for the caller
       * (fleet_journal_get_error) and reports itself synced, so this ends. */
      if (poll (&notify, 1, -1) > 0)
        fleet_journal_drain_notify (journal);
    }
}

static void
on_command_event (const FleetRemoteJob *job, guint index, gboolean finished, gpointer user_data)
{
  const EventContext *context = user_data;
  const FleetRemoteCommand *command = &g_array_index (job->commands, FleetRemoteCommand, index);
  guint64 sequence;
  FleetJsonWriter *json = fleet_journal_begin (context->run->journal,
                                               finished ? "rollback-step-end"
                                                        : "rollback-step-start",
                                               fleet_clock_wall_us (context->run->clock));

  fleet_json_key (json, "host");
  fleet_json_string (json, job->host->name);
  fleet_json_key (json, "wave");
  fleet_json_int (json, GPOINTER_TO_UINT (g_hash_table_lookup (context->wave_of, job)));
  fleet_json_key (json, "step");
  fleet_json_int (json, index + 1
                          + GPOINTER_TO_UINT (g_hash_table_lookup (context->first_of, job)));
  fleet_json_key (json, "name");
  fleet_json_string (json, command->name);
  if (finished)
    {
      fleet_json_key (json, "status");
      fleet_json_string (json, job->failure == FLEET_FAILURE_NONE ? "ok" : "failed");
      fleet_json_key (json, "error");
      fleet_json_string (json, job->failure == FLEET_FAILURE_NONE
                                 ? NULL : fleet_failure_code (job->failure));
      fleet_json_key (json, "exit_status");
      if (job->exit_status >= 0)
        fleet_json_int (json, job->exit_status);
      else
        fleet_json_null (json);
    }
  sequence = fleet_journal_commit (context->run->journal, TRUE);
  if (!finished)
    wait_until_synced (context->run->journal, sequence);
}

static void
journal_host_end (const FleetRollbackRun *run, const FleetRollbackHostResult *result)
{
  FleetJsonWriter *json = fleet_journal_begin (run->journal, "rollback-host-end",
                                               fleet_clock_wall_us (run->clock));

  fleet_json_key (json, "host");
  fleet_json_string (json, result->host);
  fleet_json_key (json, "wave");
  fleet_json_int (json, result->wave + 1);
  fleet_json_key (json, "outcome");
  fleet_json_string (json, result->succeeded ? "rolled-back" : "failed");
  fleet_json_key (json, "commands");
  fleet_json_int (json, result->commands);
  fleet_json_key (json, "commands_run");
  fleet_json_int (json, result->commands_run);
  fleet_json_key (json, "commands_earlier");
  fleet_json_int (json, result->commands_earlier);
  fleet_json_key (json, "message");
  fleet_json_string (json, result->message);
  fleet_journal_commit (run->journal, TRUE);
}

/* Roll back the targets of one wave. */
static void
run_wave (const FleetRollbackRun *run, GPtrArray *targets, guint wave, GPtrArray *results)
{
  g_autoptr (GPtrArray) jobs = g_ptr_array_new_with_free_func (
    (GDestroyNotify) fleet_remote_job_free);
  g_autoptr (GPtrArray) command_lines = g_ptr_array_new_with_free_func (g_free);
  g_autoptr (GHashTable) wave_of = g_hash_table_new (g_direct_hash, g_direct_equal);
  g_autoptr (GHashTable) first_of = g_hash_table_new (g_direct_hash, g_direct_equal);
  g_autoptr (GHashTable) all_of = g_hash_table_new (g_direct_hash, g_direct_equal);
  EventContext context = { run, wave_of, first_of };
  FleetRemoteBatchOptions options = {
    .ssh = run->ssh,
    .clock = run->clock,
    .parallelism = MAX (run->plan->parallelism, 1),
    .interrupt_level = run->interrupt_level,
    .on_event = on_command_event,
    .user_data = &context,
  };

  for (guint i = 0; i < targets->len; i++)
    {
      const FleetRollbackTarget *target = g_ptr_array_index (targets, i);
      g_autoptr (GPtrArray) commands = NULL;
      FleetRemoteJob *job;

      if (target->wave != wave)
        continue;

      job = fleet_remote_job_new (target->host);
      commands = fleet_rollback_commands_for_host (run->plan->rollback, target->started_steps);
      for (guint c = target->first_command; c < commands->len; c++)
        {
          const FleetRollbackCommand *command = g_ptr_array_index (commands, c);
          char *line = command->become ? fleet_remote_sudo_command (command->command)
                                       : g_strdup (command->command);
          FleetRemoteCommand remote = { command->name, line, command->timeout_ms, 0 };

          g_ptr_array_add (command_lines, line);
          g_array_append_val (job->commands, remote);
        }
      g_hash_table_insert (wave_of, job, GUINT_TO_POINTER (wave + 1));
      g_hash_table_insert (first_of, job, GUINT_TO_POINTER (target->first_command));
      g_hash_table_insert (all_of, job, GUINT_TO_POINTER (commands->len));
      g_ptr_array_add (jobs, job);
    }

  fleet_remote_batch_run (jobs, &options);

  for (guint i = 0; i < jobs->len; i++)
    {
      const FleetRemoteJob *job = g_ptr_array_index (jobs, i);
      FleetRollbackHostResult *result = g_new0 (FleetRollbackHostResult, 1);

      result->host = g_strdup (job->host->name);
      result->wave = wave;
      result->commands_earlier = GPOINTER_TO_UINT (g_hash_table_lookup (first_of, job));
      result->commands = GPOINTER_TO_UINT (g_hash_table_lookup (all_of, job));
      result->commands_run = result->commands_earlier + job->commands_run;
      result->succeeded = job->succeeded;
      result->message = g_strdup (job->message);
      journal_host_end (run, result);
      g_ptr_array_add (results, result);
    }
}

GPtrArray *
fleet_rollback_run (const FleetRollbackRun *run, GPtrArray *targets, const char *reason)
{
  GPtrArray *results = g_ptr_array_new_with_free_func (
    (GDestroyNotify) fleet_rollback_host_result_free);
  FleetJsonWriter *json;
  guint last_wave = 0;
  guint failed = 0;

  g_return_val_if_fail (run->plan->rollback != NULL, results);

  for (guint i = 0; i < targets->len; i++)
    last_wave = MAX (last_wave, ((FleetRollbackTarget *) g_ptr_array_index (targets, i))->wave);

  json = fleet_journal_begin (run->journal, "rollback-start", fleet_clock_wall_us (run->clock));
  fleet_json_key (json, "reason");
  fleet_json_string (json, reason);
  fleet_json_key (json, "hosts");
  fleet_json_int (json, targets->len);
  fleet_journal_commit (run->journal, TRUE);

  for (guint w = last_wave + 1; w > 0 && targets->len > 0; w--)
    run_wave (run, targets, w - 1, results);

  for (guint i = 0; i < results->len; i++)
    failed += !((FleetRollbackHostResult *) g_ptr_array_index (results, i))->succeeded;

  json = fleet_journal_begin (run->journal, "rollback-end", fleet_clock_wall_us (run->clock));
  fleet_json_key (json, "rolled_back");
  fleet_json_int (json, results->len - failed);
  fleet_json_key (json, "failed");
  fleet_json_int (json, failed);
  fleet_journal_commit (run->journal, TRUE);
  return results;
}

void
fleet_rollback_append_summary (GString *out, const GPtrArray *results)
{
  guint failed = 0;

  if (results->len == 0)
    {
      g_string_append (out, "\nRollback: no host had a started step, so nothing was rolled "
                            "back.\n");
      return;
    }

  g_string_append (out, "\nRollback (newest wave first):\n");
  for (guint i = 0; i < results->len; i++)
    {
      const FleetRollbackHostResult *result = g_ptr_array_index (results, i);
      g_autofree char *name = fleet_escape_for_terminal (result->host);
      g_autofree char *message = fleet_escape_for_terminal (result->message);

      failed += !result->succeeded;
      if (result->succeeded && result->commands_earlier > 0)
        g_string_append_printf (out, "  %-20s wave %u  rolled back (ran %u of %u commands; "
                                "the first %u ended in an earlier rollback)\n",
                                name, result->wave + 1,
                                result->commands - result->commands_earlier, result->commands,
                                result->commands_earlier);
      else if (result->succeeded)
        g_string_append_printf (out, "  %-20s wave %u  rolled back (%u command%s)\n", name,
                                result->wave + 1, result->commands,
                                result->commands == 1 ? "" : "s");
      else
        g_string_append_printf (out, "  %-20s wave %u  FAILED after %u of %u commands: %s\n",
                                name, result->wave + 1, result->commands_run, result->commands,
                                message);
    }
  g_string_append_printf (out, "%u of %u host%s rolled back", results->len - failed,
                          results->len, results->len == 1 ? "" : "s");
  if (failed > 0)
    g_string_append_printf (out, ", %u failed: the undo commands stopped at the first failure "
                                 "and the host needs an administrator", failed);
  g_string_append (out, ".\n");
}
