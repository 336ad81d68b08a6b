/* fleet-run-control.c: approval answers and rollbacks of earlier runs. */
#include "cli/fleet-run-control.h"

#include <errno.h>
#include <unistd.h>

#include <glib/gstdio.h>

#include "runtime/fleet-journal.h"
#include "runtime/fleet-rollback-done.h"
#include "runtime/fleet-rollback-progress.h"
#include "runtime/fleet-rollback-run.h"
#include "schema/fleet-text.h"
#include "runtime/fleet-wave-wait.h"

#define EXIT_BAD_INPUT 2

gboolean
fleet_run_id_is_valid (const char *run_id)
{
  if (run_id == NULL || run_id[0] == '\0' || run_id[0] == '.')
    return FALSE;

  for (const char *p = run_id; *p != '\0'; p++)
    if (!g_ascii_isalnum (*p) && *p != '-' && *p != '_' && *p != '.')
      return FALSE;
  return TRUE;
}

int
fleet_run_control_answer (const char *runs_dir, const char *run_id, const char *decision)
{
  g_autofree char *run_dir = g_build_filename (runs_dir, run_id, NULL);
  g_autofree char *approver = g_strdup_printf ("%s (uid %u)", g_get_user_name (),
                                               (unsigned) getuid ());
  g_autoptr (GError) error = NULL;

  if (!fleet_approval_write (run_dir, decision, approver, &error))
    {
      g_printerr ("fleet-run: %s\n", error->message);
      return EXIT_BAD_INPUT;
    }
  g_print ("Run %s: %s after the current wave, as %s\n", run_id,
           g_str_equal (decision, "continue") ? "continue" : "abort", approver);
  return 0;
}

/* Copy the plan's hosts and jump hosts with the known_hosts override, and
 * give the jump hosts to `ssh`.  Returns the hosts (FleetHost *). */
static GPtrArray *
prepare_hosts (const FleetPlan *plan, const char *known_hosts_override, FleetSshContext *ssh)
{
  GPtrArray *hosts = g_ptr_array_new_with_free_func ((GDestroyNotify) fleet_host_free);
  g_autoptr (GPtrArray) jump_hosts = g_ptr_array_new_with_free_func (
    (GDestroyNotify) fleet_host_free);

  for (guint i = 0; i < plan->hosts->len + plan->jump_hosts->len; i++)
    {
      gboolean jump = i >= plan->hosts->len;
      FleetHost *host = fleet_host_copy (jump ? g_ptr_array_index (plan->jump_hosts,
                                                                   i - plan->hosts->len)
                                              : g_ptr_array_index (plan->hosts, i));

      if (known_hosts_override != NULL)
        fleet_host_set_known_hosts_file (host, known_hosts_override);
      g_ptr_array_add (jump ? jump_hosts : hosts, host);
    }
  fleet_ssh_context_set_jump_hosts (ssh, jump_hosts);
  return hosts;
}

static void
journal_run_start (FleetJournal *journal, const FleetPlan *plan,
                   const FleetRollbackRequest *request)
{
  FleetJsonWriter *json = fleet_journal_begin (journal, "run-start",
                                               g_get_real_time ());

  fleet_json_key (json, "run");
  fleet_json_string (json, request->rollback_run_id);
  fleet_json_key (json, "workflow");
  fleet_json_string (json, plan->workflow_name);
  fleet_json_key (json, "plan_sha256");
  fleet_json_string (json, plan->file_sha256);
  fleet_json_key (json, "rollback_of");
  fleet_json_string (json, request->run_id);
  fleet_json_key (json, "plan_expired");
  fleet_json_bool (json, request->plan_expired);
  fleet_journal_commit (journal, TRUE);
}

/* Move the targets that an earlier rollback of the run rolled back from
 * `targets` into the returned array (FleetRollbackTarget *), so their undo
 * commands do not run twice. */
static GPtrArray *
take_rolled_back (GPtrArray *targets, GHashTable *done)
{
  GPtrArray *skipped = g_ptr_array_new_with_free_func (
    (GDestroyNotify) fleet_rollback_target_free);

  for (guint i = targets->len; i > 0; i--)
    {
      const FleetRollbackTarget *target = g_ptr_array_index (targets, i - 1);

      if (g_hash_table_contains (done, target->host->name))
        g_ptr_array_insert (skipped, 0, g_ptr_array_steal_index (targets, i - 1));
    }
  return skipped;
}

/* Print and journal each skipped host with the rollback that did it. */
static void
report_skipped (FleetJournal *journal, const GPtrArray *skipped, GHashTable *done)
{
  for (guint i = 0; i < skipped->len; i++)
    {
      const FleetRollbackTarget *target = g_ptr_array_index (skipped, i);
      const char *by = g_hash_table_lookup (done, target->host->name);
      g_autofree char *name = fleet_escape_for_terminal (target->host->name);
      FleetJsonWriter *json = fleet_journal_begin (journal, "rollback-host-skipped",
                                                   g_get_real_time ());

      g_print ("  skipped %s: already rolled back by %s\n", name, by);
      fleet_json_key (json, "host");
      fleet_json_string (json, target->host->name);
      fleet_json_key (json, "wave");
      fleet_json_int (json, target->wave + 1);
      fleet_json_key (json, "rolled_back_by");
      fleet_json_string (json, by);
      fleet_journal_commit (journal, TRUE);
    }
}

static gboolean
names_contain (const char * const *names, const char *name)
{
  return names != NULL && g_strv_contains (names, name);
}

/* Fail when a --retry-host or --skip-host names a host that is not a
 * target, or --retry-host names a host without an undo command in flight. */
static gboolean
check_decisions (const FleetRollbackRequest *request, const GPtrArray *targets,
                 GHashTable *in_flight)
{
  for (guint pass = 0; pass < 2; pass++)
    {
      const char * const *names = pass == 0 ? request->retry_hosts : request->skip_hosts;
      const char *option = pass == 0 ? "--retry-host" : "--skip-host";

      for (guint i = 0; names != NULL && names[i] != NULL; i++)
        {
          gboolean target = FALSE;
          g_autofree char *name = fleet_escape_for_terminal (names[i]);

          for (guint t = 0; t < targets->len && !target; t++)
            target = g_str_equal (((const FleetRollbackTarget *) g_ptr_array_index (targets, t))
                                    ->host->name, names[i]);
          if (!target)
            {
              g_printerr ("fleet-run: %s \"%s\": run %s has no host of that name left to roll "
                          "back\n", option, name, request->run_id);
              return FALSE;
            }
          if (pass == 0 && !g_hash_table_contains (in_flight, names[i]))
            {
              g_printerr ("fleet-run: %s \"%s\": no undo command of that host was in flight "
                          "when a rollback stopped, so there is nothing to retry; the host "
                          "continues where it stopped without the option\n", option, name);
              return FALSE;
            }
          if (pass == 0 && names_contain (request->skip_hosts, names[i]))
            {
              g_printerr ("fleet-run: host \"%s\" is named by --retry-host and --skip-host; "
                          "give one decision per host\n", name);
              return FALSE;
            }
        }
    }
  return TRUE;
}

static void
journal_host_record (FleetJournal *journal, const char *event, const FleetRollbackTarget *target,
                     const char *message)
{
  FleetJsonWriter *json = fleet_journal_begin (journal, event, g_get_real_time ());

  fleet_json_key (json, "host");
  fleet_json_string (json, target->host->name);
  fleet_json_key (json, "wave");
  fleet_json_int (json, target->wave + 1);
  fleet_json_key (json, "step");
  fleet_json_int (json, target->first_command + 1);
  fleet_json_key (json, "message");
  fleet_json_string (json, message);
  fleet_journal_commit (journal, TRUE);
}

/* Set where each target continues from the progress of earlier rollbacks.
 * Targets whose commands all ended move to `done` (with a description),
 * held and skipped ones to `held` and `left_out`.  Prints a line per host
 * that does not start from its first command.  Returns FALSE on a bad
 * decision. */
static gboolean
apply_progress (const FleetPlan *plan, const FleetRollbackRequest *request, GPtrArray *targets,
                GHashTable *done, GPtrArray *held, GPtrArray *left_out, GPtrArray *messages)
{
  g_autoptr (GHashTable) progress = fleet_rollback_progress_load (request->runs_dir,
                                                                  request->run_id,
                                                                  plan->file_sha256);
  g_autoptr (GHashTable) in_flight = g_hash_table_new (g_str_hash, g_str_equal);

  for (guint i = 0; i < targets->len; i++)
    {
      FleetRollbackTarget *target = g_ptr_array_index (targets, i);
      const FleetRollbackProgress *host = g_hash_table_lookup (progress, target->host->name);
      g_autoptr (GPtrArray) commands = fleet_rollback_commands_for_host (plan->rollback,
                                                                        target->started_steps);

      if (host == NULL)
        continue;
      if (host->next_command >= commands->len)
        {
          if (!g_hash_table_contains (done, target->host->name))
            g_hash_table_insert (done, g_strdup (target->host->name),
                                 g_strdup ("an earlier rollback whose every command ended"));
          continue;
        }
      target->first_command = host->next_command;
      if (host->in_flight)
        g_hash_table_add (in_flight, (gpointer) target->host->name);
    }

  if (!check_decisions (request, targets, in_flight))
    return FALSE;

  for (guint i = targets->len; i > 0; i--)
    {
      FleetRollbackTarget *target = g_ptr_array_index (targets, i - 1);
      const char *host = target->host->name;
      g_autoptr (GPtrArray) commands = fleet_rollback_commands_for_host (plan->rollback,
                                                                        target->started_steps);
      const FleetRollbackCommand *next;
      g_autofree char *name = fleet_escape_for_terminal (host);
      g_autofree char *command_name = NULL;
      char *message;

      if (g_hash_table_contains (done, host))
        continue;
      if (names_contain (request->skip_hosts, host))
        {
          g_ptr_array_insert (left_out, 0, g_ptr_array_steal_index (targets, i - 1));
          continue;
        }
      if (target->first_command == 0 && !g_hash_table_contains (in_flight, host))
        continue;

      next = g_ptr_array_index (commands, target->first_command);
      command_name = fleet_escape_for_terminal (next->name);
      if (!g_hash_table_contains (in_flight, host))
        message = target->first_command == 1
                    ? g_strdup_printf ("%s: continues at rollback command 2 \"%s\"; command 1 "
                                       "ended in an earlier rollback and does not run again",
                                       name, command_name)
                    : g_strdup_printf ("%s: continues at rollback command %u \"%s\"; commands "
                                       "1 to %u ended in an earlier rollback and do not run again",
                                       name, target->first_command + 1, command_name,
                                       target->first_command);
      else if (names_contain (request->retry_hosts, host) || plan->rollback->idempotent)
        message = g_strdup_printf ("%s: runs rollback command %u \"%s\" again, which was in "
                                   "flight when an earlier rollback stopped (%s)", name,
                                   target->first_command + 1, command_name,
                                   names_contain (request->retry_hosts, host)
                                     ? "--retry-host" : "the rollback is marked idempotent");
      else
        {
          message = g_strdup_printf ("%s: held: rollback command %u \"%s\" was in flight when "
                                     "an earlier rollback stopped and may have run in part, and "
                                     "the rollback is not marked idempotent; check the host, then "
                                     "roll back again with --retry-host %s to run the command "
                                     "again or --skip-host %s to leave the host out", name,
                                     target->first_command + 1, command_name, name, name);
          g_ptr_array_insert (held, 0, g_ptr_array_steal_index (targets, i - 1));
        }
      g_ptr_array_insert (messages, 0, message);
    }
  return TRUE;
}

int
fleet_run_control_rollback (const FleetPlan *plan, const FleetRollbackRequest *request)
{
  g_autofree char *run_dir = g_build_filename (request->runs_dir, request->run_id, NULL);
  g_autofree char *journal_path = g_build_filename (run_dir, "journal.jsonl", NULL);
  g_autofree char *rollback_dir = g_build_filename (request->runs_dir, request->rollback_run_id,
                                                    NULL);
  g_autofree char *rollback_journal = g_build_filename (rollback_dir, "journal.jsonl", NULL);
  g_autoptr (FleetSshContext) ssh = fleet_ssh_context_new ();
  g_autoptr (GPtrArray) hosts = NULL;
  g_autoptr (GPtrArray) targets = NULL;
  g_autoptr (GPtrArray) skipped = NULL;
  g_autoptr (GPtrArray) held = g_ptr_array_new_with_free_func (
    (GDestroyNotify) fleet_rollback_target_free);
  g_autoptr (GPtrArray) left_out = g_ptr_array_new_with_free_func (
    (GDestroyNotify) fleet_rollback_target_free);
  g_autoptr (GPtrArray) messages = g_ptr_array_new_with_free_func (g_free);
  g_autoptr (GHashTable) done = NULL;
  g_autoptr (GPtrArray) results = NULL;
  g_autoptr (FleetJournal) journal = NULL;
  g_autoptr (GError) error = NULL;
  g_autoptr (GString) summary = g_string_new (NULL);
  g_autofree char *reason = g_strdup_printf ("--rollback %s", request->run_id);
  FleetRollbackRun run = { plan, NULL, ssh, fleet_clock_system (), request->interrupt_level };
  guint failed = 0;
  guint total;

  if (plan->rollback == NULL)
    {
      g_printerr ("fleet-run: the plan has no rollback; add a \"rollback\" section to the "
                  "workflow and compile it again\n");
      return EXIT_BAD_INPUT;
    }

  if (request->secret_func != NULL)
    fleet_ssh_context_set_secret_func (ssh, request->secret_func, request->secret_data);
  hosts = prepare_hosts (plan, request->known_hosts_override, ssh);
  targets = fleet_rollback_targets_from_journal (hosts, plan->file_sha256, journal_path, &error);
  if (targets == NULL)
    {
      g_printerr ("fleet-run: cannot read the run to roll back: %s\n", error->message);
      return EXIT_BAD_INPUT;
    }
  done = fleet_rollback_find_done (request->runs_dir, request->run_id, plan->file_sha256,
                                   &error);
  if (done == NULL)
    {
      g_printerr ("fleet-run: cannot read the run to roll back: %s\n", error->message);
      return EXIT_BAD_INPUT;
    }
  if (!apply_progress (plan, request, targets, done, held, left_out, messages))
    return EXIT_BAD_INPUT;
  skipped = take_rolled_back (targets, done);

  if (g_mkdir_with_parents (rollback_dir, 0750) != 0)
    {
      g_printerr ("fleet-run: cannot create run directory %s: %s\n", rollback_dir,
                  g_strerror (errno));
      return EXIT_BAD_INPUT;
    }
  journal = fleet_journal_create (rollback_journal, &error);
  if (journal == NULL)
    {
      g_printerr ("fleet-run: %s\n", error->message);
      return EXIT_BAD_INPUT;
    }

  total = targets->len + skipped->len + held->len + left_out->len;
  g_print ("Rollback %s of run %s: %u host%s with started steps", request->rollback_run_id,
           request->run_id, total, total == 1 ? "" : "s");
  if (skipped->len > 0)
    g_print (", %u already rolled back and skipped", skipped->len);
  if (held->len > 0)
    g_print (", %u held", held->len);
  if (left_out->len > 0)
    g_print (", %u left out with --skip-host", left_out->len);
  g_print ("\n");
  journal_run_start (journal, plan, request);
  report_skipped (journal, skipped, done);
  for (guint i = 0; i < messages->len; i++)
    g_print ("  %s\n", (const char *) g_ptr_array_index (messages, i));
  for (guint i = 0; i < held->len; i++)
    journal_host_record (journal, "rollback-host-held", g_ptr_array_index (held, i),
                         "an undo command was in flight when an earlier rollback stopped");
  for (guint i = 0; i < left_out->len; i++)
    journal_host_record (journal, "rollback-host-skipped", g_ptr_array_index (left_out, i),
                         "left out with --skip-host");
  run.journal = journal;
  results = fleet_rollback_run (&run, targets, reason);

  if (results->len == 0 && (held->len > 0 || left_out->len > 0))
    g_string_append (summary, "\nRollback: no host was rolled back by this run.\n");
  else if (results->len == 0 && skipped->len > 0)
    g_string_append (summary, "\nRollback: every host with started steps was already rolled "
                              "back, so no undo command ran.\n");
  else
    fleet_rollback_append_summary (summary, results);
  g_string_append_printf (summary, "Journal: %s\n", rollback_journal);
  fputs (summary->str, stdout);

  for (guint i = 0; i < results->len; i++)
    failed += !((FleetRollbackHostResult *) g_ptr_array_index (results, i))->succeeded;
  if (request->interrupt_level != NULL && *request->interrupt_level > 0)
    return 3;
  return failed > 0 || held->len > 0 ? 1 : 0;
}
