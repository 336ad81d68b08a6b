/* fleet-check-run.c: the validation checks after one wave. */
#include "runtime/fleet-check-run.h"

#include <string.h>

#include "runtime/fleet-http-check.h"
#include "runtime/fleet-local-command.h"
#include "runtime/fleet-remote-batch.h"
#include "schema/fleet-template.h"

/* Output quoted in a failure reason, from its end. */
#define REASON_OUTPUT_BYTES 512

/* One place a check runs: a host, or the whole wave when `host` is NULL. */
typedef struct {
  const FleetHost *host;
  char *reason;                  /* why the last try failed, or NULL */
  gboolean passed;
} Target;

void
fleet_check_failure_free (FleetCheckFailure *failure)
{
  if (failure == NULL)
    return;

  g_free (failure->host);
  g_free (failure->reason);
  g_free (failure);
}

gboolean
fleet_check_failures_halt (const GPtrArray *failures)
{
  for (guint i = 0; i < failures->len; i++)
    {
      const FleetCheckFailure *failure = g_ptr_array_index (failures, i);

      if (failure->check->on_fail == FLEET_CHECK_ON_FAIL_HALT)
        return TRUE;
    }
  return FALSE;
}

static char *
output_excerpt (const GString *output)
{
  gsize start = output->len > REASON_OUTPUT_BYTES ? output->len - REASON_OUTPUT_BYTES : 0;
  g_autofree char *text = g_strndup (output->str + start, output->len - start);

  return g_utf8_make_valid (g_strchomp (text), -1);
}

/* Return why `output` fails the check's expected text, quoting the end of
 * the output, or NULL when it passes. */
static char *
judge_output (const FleetCheck *check, const GString *output, const char *what)
{
  g_autoptr (GRegex) regex = NULL;
  g_autoptr (GError) error = NULL;
  g_autofree char *excerpt = NULL;

  if (check->expect_contains != NULL && strstr (output->str, check->expect_contains) == NULL)
    {
      excerpt = output_excerpt (output);
      return g_strdup_printf ("%s does not contain \"%s\"; it ends: %s", what,
                              check->expect_contains, excerpt);
    }
  if (check->expect_match == NULL)
    return NULL;

  regex = g_regex_new (check->expect_match, G_REGEX_MULTILINE | G_REGEX_RAW, 0, &error);
  if (regex == NULL)
    return g_strdup_printf ("invalid expect_match pattern: %s", error->message);
  if (!g_regex_match (regex, output->str, 0, NULL))
    {
      excerpt = output_excerpt (output);
      return g_strdup_printf ("%s does not match /%s/; it ends: %s", what, check->expect_match,
                              excerpt);
    }
  return NULL;
}

static void
journal_check_event (const FleetCheckRun *run, const char *event, const FleetCheck *check,
                     const Target *target, guint try_number)
{
  FleetJsonWriter *json = fleet_journal_begin (run->journal, event,
                                               fleet_clock_wall_us (run->waiter->clock));

  fleet_json_key (json, "check");
  fleet_json_string (json, check->name);
  fleet_json_key (json, "wave");
  fleet_json_int (json, run->wave + 1);
  if (target != NULL)
    {
      fleet_json_key (json, "host");
      fleet_json_string (json, target->host != NULL ? target->host->name : NULL);
      fleet_json_key (json, "try");
      fleet_json_int (json, try_number);
      fleet_json_key (json, "passed");
      fleet_json_bool (json, target->passed);
      fleet_json_key (json, "reason");
      fleet_json_string (json, target->reason);
    }
  else
    {
      fleet_json_key (json, "kind");
      fleet_json_string (json, fleet_check_kind_name (check->kind));
      fleet_json_key (json, "hosts");
      fleet_json_int (json, run->hosts->len);
    }
  fleet_journal_commit (run->journal, FALSE);
}

static void
try_on_hosts (const FleetCheckRun *run, const FleetCheck *check, GPtrArray *pending)
{
  g_autoptr (GPtrArray) jobs = g_ptr_array_new_with_free_func (
    (GDestroyNotify) fleet_remote_job_free);
  FleetRemoteBatchOptions options = {
    .ssh = run->ssh,
    .clock = run->waiter->clock,
    .parallelism = run->plan->parallelism,
    .interrupt_level = run->waiter->interrupt_level,
  };
  FleetRemoteCommand command = {
    .name = check->name,
    .command_line = check->command,
    .timeout_ms = check->timeout_ms,
    .expected_exit = check->expect_exit,
  };

  for (guint i = 0; i < pending->len; i++)
    {
      Target *target = g_ptr_array_index (pending, i);
      FleetRemoteJob *job = fleet_remote_job_new (target->host);

      g_array_append_val (job->commands, command);
      g_ptr_array_add (jobs, job);
    }
  fleet_remote_batch_run (jobs, &options);

  for (guint i = 0; i < pending->len; i++)
    {
      Target *target = g_ptr_array_index (pending, i);
      const FleetRemoteJob *job = g_ptr_array_index (jobs, i);
      g_autofree char *errors = output_excerpt (job->stderr_tail);

      if (!job->succeeded)
        target->reason = errors[0] != '\0'
                           ? g_strdup_printf ("%s; stderr: %s", job->message, errors)
                           : g_strdup (job->message);
      else
        target->reason = judge_output (check, job->stdout_head, "standard output");
      target->passed = target->reason == NULL;
    }
}

static void
try_local (const FleetCheckRun *run, const FleetCheck *check, Target *target)
{
  g_autoptr (GPtrArray) names = g_ptr_array_new ();
  g_autoptr (GPtrArray) argv = g_ptr_array_new ();
  g_autoptr (GError) error = NULL;
  g_auto (FleetLocalResult) result = { 0 };
  g_autofree char *hosts = NULL;
  g_autofree char *run_variable = g_strdup_printf ("FLEET_RUN_ID=%s", run->run_id);
  g_autofree char *wave_variable = g_strdup_printf ("FLEET_WAVE=%u", run->wave + 1);
  g_autofree char *hosts_variable = NULL;
  g_autofree char *check_variable = g_strdup_printf ("FLEET_CHECK=%s", check->name);
  g_autofree char *errors = NULL;

  for (guint i = 0; i < run->hosts->len; i++)
    g_ptr_array_add (names, ((const FleetHost *) g_ptr_array_index (run->hosts, i))->name);
  g_ptr_array_add (names, NULL);
  hosts = g_strjoinv (" ", (char **) names->pdata);
  hosts_variable = g_strdup_printf ("FLEET_WAVE_HOSTS=%s", hosts);

  if (check->shell)
    {
      g_ptr_array_add (argv, "/bin/sh");
      g_ptr_array_add (argv, "-c");
    }
  g_ptr_array_extend (argv, check->argv, NULL, NULL);
  g_ptr_array_add (argv, NULL);

  const char *environment[] = { run_variable, wave_variable, hosts_variable, check_variable,
                                NULL };
  if (!fleet_local_command_run ((const char * const *) argv->pdata, environment,
                                check->timeout_ms, &result, &error))
    {
      target->reason = g_strdup_printf ("could not start %s: %s",
                                        (const char *) g_ptr_array_index (argv, 0),
                                        error->message);
      return;
    }

  errors = output_excerpt (result.stderr_tail);
  if (result.timed_out)
    target->reason = g_strdup_printf ("timed out after %" G_GUINT64_FORMAT " ms",
                                      check->timeout_ms);
  else if (result.signal_number != 0)
    target->reason = g_strdup_printf ("killed by signal %d", result.signal_number);
  else if (result.exit_status != check->expect_exit)
    target->reason = g_strdup_printf ("exited with status %d, expected %d", result.exit_status,
                                      check->expect_exit);
  else
    target->reason = judge_output (check, result.stdout_head, "standard output");

  if (target->reason != NULL && errors[0] != '\0')
    {
      char *with_errors = g_strdup_printf ("%s; stderr: %s", target->reason, errors);

      g_free (target->reason);
      target->reason = with_errors;
    }
  target->passed = target->reason == NULL;
}

/* Return the check's URL for `host`, each reference replaced by its value
 * URL-encoded: the host's name, address and attributes, then the plan's
 * vars.  NULL with `out_reason` set when a name has no value. */
static char *
render_url (const FleetCheckRun *run, const FleetCheck *check, const FleetHost *host,
            char **out_reason)
{
  g_autoptr (GPtrArray) refs = fleet_template_parse (check->url, NULL, NULL);
  GString *url = g_string_new (NULL);
  gsize done = 0;

  for (guint i = 0; refs != NULL && i < refs->len; i++)
    {
      const FleetTemplateRef *ref = g_ptr_array_index (refs, i);
      const char *value = ref->text;
      g_autofree char *escaped = NULL;

      g_string_append_len (url, check->url + done, ref->offset - done);
      done = ref->offset + ref->length;

      if (ref->name != NULL && host != NULL && g_str_equal (ref->name, "name"))
        value = host->name;
      else if (ref->name != NULL && host != NULL && g_str_equal (ref->name, "address"))
        value = host->address;
      else if (ref->name != NULL && host != NULL
               && g_hash_table_contains (host->attributes, ref->name))
        value = g_hash_table_lookup (host->attributes, ref->name);
      else if (ref->name != NULL && run->plan->vars != NULL)
        value = g_hash_table_lookup (run->plan->vars, ref->name);

      if (value == NULL)
        {
          *out_reason = g_strdup_printf ("the URL names {{ %s }}, which has no value here",
                                         ref->name);
          g_string_free (url, TRUE);
          return NULL;
        }
      escaped = ref->raw || ref->text != NULL ? g_strdup (value)
                                              : g_uri_escape_string (value, NULL, FALSE);
      g_string_append (url, escaped);
    }
  g_string_append (url, check->url + done);
  return g_string_free (url, FALSE);
}

static void
try_http (const FleetCheckRun *run, const FleetCheck *check, Target *target)
{
  g_autofree char *url = render_url (run, check, target->host, &target->reason);
  g_autoptr (GString) body = g_string_new (NULL);
  g_autoptr (GError) error = NULL;
  long status = 0;

  if (url == NULL)
    return;

  if (!fleet_http_get (url, check->timeout_ms, &status, body, &error))
    target->reason = g_strdup (error->message);
  else if (status != (long) check->expect_status)
    {
      g_autofree char *excerpt = output_excerpt (body);

      target->reason = g_strdup_printf ("GET %s returned status %ld, expected %u; body: %s", url,
                                        status, check->expect_status, excerpt);
    }
  else
    {
      g_autofree char *what = g_strdup_printf ("the body of GET %s", url);

      target->reason = judge_output (check, body, what);
    }
  target->passed = target->reason == NULL;
}

static void
target_free (Target *target)
{
  g_free (target->reason);
  g_free (target);
}

/* The hosts or the one wave-wide place the check runs. */
static GPtrArray *
check_targets (const FleetCheckRun *run, const FleetCheck *check)
{
  GPtrArray *targets = g_ptr_array_new_with_free_func ((GDestroyNotify) target_free);
  guint limit = run->hosts->len;

  if (!fleet_check_is_per_host (check))
    {
      g_ptr_array_add (targets, g_new0 (Target, 1));
      return targets;
    }

  if (check->kind == FLEET_CHECK_HOST && check->sample > 0)
    limit = MIN (limit, check->sample);
  for (guint i = 0; i < limit; i++)
    {
      Target *target = g_new0 (Target, 1);

      target->host = g_ptr_array_index (run->hosts, i);
      g_ptr_array_add (targets, target);
    }
  return targets;
}

/* Try the check once on each target of `pending`. */
static void
try_check (const FleetCheckRun *run, const FleetCheck *check, GPtrArray *pending)
{
  for (guint i = 0; i < pending->len; i++)
    g_clear_pointer (&((Target *) g_ptr_array_index (pending, i))->reason, g_free);

  if (check->kind == FLEET_CHECK_HOST)
    {
      try_on_hosts (run, check, pending);
      return;
    }
  /* NOTE: per-host HTTP checks run one request at a time, so a wave of
   * many hosts whose endpoint times out takes hosts times the timeout. */
  for (guint i = 0; i < pending->len; i++)
    {
      if (check->kind == FLEET_CHECK_LOCAL)
        try_local (run, check, g_ptr_array_index (pending, i));
      else
        try_http (run, check, g_ptr_array_index (pending, i));
    }
}

/* Run one check to its end; returns FALSE when interrupted. */
static gboolean
run_check (const FleetCheckRun *run, const FleetCheck *check, GPtrArray *failures)
{
  g_autoptr (GPtrArray) targets = check_targets (run, check);
  g_autoptr (GPtrArray) pending = g_ptr_array_new ();
  guint tries = 0;

  journal_check_event (run, "check-start", check, NULL, 0);
  if (check->bake_ms > 0 && !fleet_waiter_wait (run->waiter, (gint64) check->bake_ms * 1000))
    return FALSE;

  g_ptr_array_extend (pending, targets, NULL, NULL);
  while (pending->len > 0 && tries <= check->retries)
    {
      if (tries > 0 && !fleet_waiter_wait (run->waiter, (gint64) check->interval_ms * 1000))
        return FALSE;

      tries++;
      try_check (run, check, pending);
      for (guint i = pending->len; i > 0; i--)
        {
          Target *target = g_ptr_array_index (pending, i - 1);

          journal_check_event (run, "check-try", check, target, tries);
          if (target->passed)
            g_ptr_array_remove_index (pending, i - 1);
        }
    }

  for (guint i = 0; i < pending->len; i++)
    {
      const Target *target = g_ptr_array_index (pending, i);
      FleetCheckFailure *failure = g_new0 (FleetCheckFailure, 1);

      failure->check = check;
      failure->wave = run->wave;
      failure->host = target->host != NULL ? g_strdup (target->host->name) : NULL;
      failure->reason = g_strdup (target->reason);
      failure->tries = tries;
      g_ptr_array_add (failures, failure);
    }

  FleetJsonWriter *json = fleet_journal_begin (run->journal, "check-end",
                                               fleet_clock_wall_us (run->waiter->clock));
  fleet_json_key (json, "check");
  fleet_json_string (json, check->name);
  fleet_json_key (json, "wave");
  fleet_json_int (json, run->wave + 1);
  fleet_json_key (json, "passed");
  fleet_json_bool (json, pending->len == 0);
  fleet_json_key (json, "tries");
  fleet_json_int (json, tries);
  fleet_json_key (json, "failed_hosts");
  fleet_json_begin_array (json);
  for (guint i = 0; i < pending->len; i++)
    {
      const Target *target = g_ptr_array_index (pending, i);

      if (target->host != NULL)
        fleet_json_string (json, target->host->name);
    }
  fleet_json_end_array (json);
  fleet_journal_commit (run->journal, TRUE);
  return TRUE;
}

GPtrArray *
fleet_check_run_wave (const FleetCheckRun *run, gboolean *out_interrupted)
{
  GPtrArray *failures = g_ptr_array_new_with_free_func ((GDestroyNotify) fleet_check_failure_free);

  *out_interrupted = FALSE;
  for (guint i = 0; i < run->plan->checks->len; i++)
    {
      if (!run_check (run, g_ptr_array_index (run->plan->checks, i), failures))
        {
          *out_interrupted = TRUE;
          break;
        }
      if (fleet_check_failures_halt (failures))
        break;
    }
  return failures;
}
